// SPDX-License-Identifier: MIT
/*
 * Computing the trace summaries of trace_stats.h.
 */
#include <stdlib.h>
#include <string.h>
#include "trace/trace_stats.h"

uint64_t trace_x86_64_kmalloc_size(uint64_t size)
{
	static const uint16_t small[] = { 8, 16, 32, 64, 96, 128, 192 };
	uint64_t c = 256;

	if (!size)
		return 0;
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		if (size <= small[i])
			return small[i];
	/* 256 .. 8k caches, then whole page orders: powers of two */
	while (c < size && c < (1ull << 62))
		c <<= 1;
	return c;
}

static void hist_limits(struct trace_stats *st)
{
	uint64_t v = 0;
	uint32_t i = 0;

	st->hist_limit[i++] = 0;
	for (v = 8; i < TRACE_HIST_BUCKETS - 1; i++) {
		st->hist_limit[i] = v;
		v = trace_x86_64_kmalloc_size(v + 1);
	}
	st->hist_limit[i] = UINT64_MAX;
}

static uint32_t hist_bucket(const struct trace_stats *st, uint64_t req)
{
	uint32_t i = 0;

	while (i < TRACE_HIST_BUCKETS - 1 && req > st->hist_limit[i])
		i++;
	return i;
}

static void add(struct trace_sum *sum, const struct trace_event *e)
{
	sum->count++;
	sum->bytes_req += e->bytes_req;
	sum->bytes_alloc += e->bytes_alloc;
}

int trace_stats_compute(const struct trace_stream *s, struct trace_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->nr_sites = s->nr_sites ? s->nr_sites : 1;
	st->nr_caches = s->caches.nr + 1;
	st->site = calloc(st->nr_sites, sizeof(*st->site));
	st->cache = calloc(st->nr_caches, sizeof(*st->cache));
	if (!st->site || !st->cache) {
		trace_stats_free(st);
		return -1;
	}
	hist_limits(st);
	for (size_t i = 0; i < s->nr; i++) {
		const struct trace_event *e = &s->ev[i];

		if (e->type != TEV_KMALLOC && e->type != TEV_CACHE_ALLOC)
			continue;
		if (!e->ptr)
			continue; /* failed allocation */
		add(&st->site[e->site < st->nr_sites ? e->site : 0], e);
		add(&st->cache[e->cache < st->nr_caches ? e->cache : 0], e);
		if (e->type != TEV_KMALLOC)
			continue;
		uint32_t b = hist_bucket(st, e->bytes_req);
		add(&st->hist[b], e);
		if (b + 1 > st->nr_hist)
			st->nr_hist = b + 1;
		if (trace_x86_64_kmalloc_size(e->bytes_req) != e->bytes_alloc &&
		    !(e->flags & TEV_F_CLAMPED)) {
			if (!st->kmalloc_class_mismatch++)
				st->first_mismatch = i + 1;
		}
	}
	return 0;
}

void trace_stats_free(struct trace_stats *st)
{
	free(st->site);
	free(st->cache);
	memset(st, 0, sizeof(*st));
}

static uint64_t waste(const struct trace_sum *s)
{
	return s->bytes_alloc > s->bytes_req ? s->bytes_alloc - s->bytes_req :
					       0;
}

/* Insert into a top-n list kept in descending key order */
static uint32_t top_insert(uint32_t *ids, uint64_t *keys, uint32_t have,
			   uint32_t n, uint32_t id, uint64_t key)
{
	uint32_t i = have < n ? have : n;

	if (have >= n && (!n || key <= keys[n - 1]))
		return have;
	while (i > 0 && keys[i - 1] < key) {
		if (i < n) {
			ids[i] = ids[i - 1];
			keys[i] = keys[i - 1];
		}
		i--;
	}
	ids[i] = id;
	keys[i] = key;
	return have < n ? have + 1 : n;
}

static uint32_t top(const struct trace_sum *v, uint32_t nr, uint32_t first,
		    int by_waste, uint32_t *ids, uint32_t n)
{
	uint64_t *keys = calloc(n ? n : 1, sizeof(*keys));
	uint32_t have = 0;

	if (!keys)
		return 0;
	for (uint32_t id = first; id < nr; id++) {
		uint64_t k = by_waste ? waste(&v[id]) : v[id].count;

		if (v[id].count)
			have = top_insert(ids, keys, have, n, id, k);
	}
	free(keys);
	return have;
}

uint32_t trace_stats_top_sites(const struct trace_stats *st, int by_waste,
			       uint32_t *ids, uint32_t n)
{
	return top(st->site, st->nr_sites, 1, by_waste, ids, n);
}

uint32_t trace_stats_top_caches(const struct trace_stats *st, uint32_t *ids,
				uint32_t n)
{
	return top(st->cache, st->nr_caches, 0, 0, ids, n);
}
