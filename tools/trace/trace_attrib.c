// SPDX-License-Identifier: MIT
/*
 * Naming the caches of kmem_cache_alloc events without name= (see
 * trace_attrib.h for the rules). Runs once, in the parent, after the
 * stream is read: a backward pass finds each allocation's next event of
 * the same pointer, a sorted table of (site, bytes_req, bytes_alloc) ->
 * cache serves the call-site rule, and the snapshot is searched for the
 * rest, once per (bytes_req, bytes_alloc, accounting) key. Invariant: afterwards every kmem_cache_alloc event has a cache id.
 */
#include <stdlib.h>
#include <string.h>
#include <kslab/gfp.h>
#include "trace/trace_attrib.h"

const char *const trace_attrib_names[ATTRIB_NR_RULES] = {
	[ATTRIB_TRACED] = "traced",	  [ATTRIB_FREE] = "free",
	[ATTRIB_SITE] = "site",		  [ATTRIB_SNAPSHOT] = "snapshot",
	[ATTRIB_AMBIGUOUS] = "ambiguous", [ATTRIB_UNKNOWN] = "unknown",
};

#define SITE_AMBIGUOUS UINT32_MAX

struct site_key {
	uint32_t site, req, alloc, cache;
};

static int cmp_site_key(const void *a, const void *b)
{
	const struct site_key *x = a, *y = b;

	if (x->site != y->site)
		return x->site < y->site ? -1 : 1;
	if (x->req != y->req)
		return x->req < y->req ? -1 : 1;
	if (x->alloc != y->alloc)
		return x->alloc < y->alloc ? -1 : 1;
	return 0;
}

static bool unnamed_alloc(const struct trace_event *e)
{
	return e->type == TEV_CACHE_ALLOC && !e->cache && e->ptr;
}

/* by_free() over events [first, end) of one file, backwards */
static void by_free_range(struct trace_stream *s, size_t first, size_t end,
			  uint64_t *next, uint8_t *named,
			  struct trace_attrib *out)
{
	for (size_t i = end; i-- > first;) {
		struct trace_event *e = &s->ev[i];
		uint64_t j;

		if (!e->ptr)
			continue;
		j = next[e->ptr]; /* next event of the pointer, + 1 */
		if (unnamed_alloc(e) && j && j - 1 < end &&
		    s->ev[j - 1].type == TEV_CACHE_FREE && s->ev[j - 1].cache) {
			e->cache = s->ev[j - 1].cache;
			named[i] = 1;
			out->n[ATTRIB_FREE]++;
		}
		next[e->ptr] = i + 1;
	}
}

/* Rule "free": the next event of the pointer, when it names its cache */
static int by_free(struct trace_stream *s, uint8_t *named,
		   struct trace_attrib *out)
{
	uint64_t *next = calloc((size_t)s->nr_ptrs + 1, sizeof(*next));

	if (!next)
		return -1;
	if (!s->nr_files)
		by_free_range(s, 0, s->nr, next, named, out);
	for (uint32_t f = s->nr_files; f-- > 0;)
		by_free_range(s, s->files[f].first_event,
			      s->files[f].first_event + s->files[f].nr_events,
			      next, named, out);
	free(next);
	return 0;
}

/* The (site, sizes) -> cache table of the allocations "free" named */
static struct site_key *site_table(const struct trace_stream *s,
				   const uint8_t *by_free_rule, size_t *nr)
{
	struct site_key *t = NULL;
	size_t n = 0, cap = 0, w = 0;

	for (size_t i = 0; i < s->nr; i++) {
		const struct trace_event *e = &s->ev[i];

		if (!by_free_rule[i])
			continue;
		if (n == cap) {
			struct site_key *v;

			cap = cap ? cap * 2 : 1024;
			if (!(v = realloc(t, cap * sizeof(*v)))) {
				free(t);
				return NULL;
			}
			t = v;
		}
		t[n++] = (struct site_key){ e->site, e->bytes_req,
					    e->bytes_alloc, e->cache };
	}
	if (!n) {
		*nr = 0;
		return t ? t : calloc(1, sizeof(*t));
	}
	qsort(t, n, sizeof(*t), cmp_site_key);
	/* one row per key; two caches for one key make it ambiguous */
	for (size_t i = 0; i < n; i++) {
		if (w && !cmp_site_key(&t[w - 1], &t[i])) {
			if (t[w - 1].cache != t[i].cache)
				t[w - 1].cache = SITE_AMBIGUOUS;
			continue;
		}
		t[w++] = t[i];
	}
	*nr = w;
	return t;
}

/* Rule "site": same call site and sizes as allocations "free" named */
static int by_site(struct trace_stream *s, const uint8_t *by_free_rule,
		   struct trace_attrib *out)
{
	size_t nr;
	struct site_key *t = site_table(s, by_free_rule, &nr);

	if (!t)
		return -1;
	for (size_t i = 0; nr && i < s->nr; i++) {
		struct trace_event *e = &s->ev[i];
		struct site_key k, *hit;

		if (!unnamed_alloc(e) || !e->site)
			continue;
		k = (struct site_key){ e->site, e->bytes_req, e->bytes_alloc,
				       0 };
		hit = bsearch(&k, t, nr, sizeof(*t), cmp_site_key);
		if (hit && hit->cache != SITE_AMBIGUOUS) {
			e->cache = hit->cache;
			out->n[ATTRIB_SITE]++;
		}
	}
	free(t);
	return 0;
}

static bool is_kmalloc_name(const char *n)
{
	return !strncmp(n, "kmalloc-", 8) || !strncmp(n, "dma-kmalloc-", 12);
}

/* SLAB_ACCOUNT of a snapshot cache: 1, 0, or -1 when it cannot tell */
static int snapshot_accounted(const struct slab_info *si)
{
	const char *dash;

	if (si->name[0] != ':')
		return -1; /* an unmerged cache: no column says */
	dash = strchr(si->name, '-');
	if (!dash)
		return 0; /* ":0000064": no flag letters */
	return memchr(si->name, 'A', (size_t)(dash - si->name)) != NULL;
}

/*
 * The accounting the event's cache must have: 1 (accounted=true without
 * __GFP_ACCOUNT), 0 (accounted=false in a trace that accounts at all),
 * -1 when the event cannot tell.
 */
static int event_accounting(const struct trace_event *e, bool any_accounted)
{
	if (e->flags & TEV_F_ACCOUNTED)
		return (e->gfp & __GFP_ACCOUNT) ? -1 : 1;
	return any_accounted ? 0 : -1;
}

enum fit { FIT_NONE, FIT_MERGED, FIT_EXACT };

/*
 * bytes_req is the cache's object_size when the event happened: that of
 * the cache (an exact fit), or below the final one of a merged cache (a
 * cache merged later raised it, as __kmem_cache_alias() does).
 */
static enum fit object_fit(const struct slab_info *si,
			   const struct trace_event *e)
{
	if (e->bytes_req == si->object_size)
		return FIT_EXACT;
	if (si->name[0] == ':' && si->aliases && e->bytes_req < si->object_size)
		return FIT_MERGED;
	return FIT_NONE;
}

static bool same_geometry(const struct slab_info *a, const struct slab_info *b)
{
	return a->object_size == b->object_size &&
	       a->slab_size == b->slab_size && a->order == b->order &&
	       a->objs_per_slab == b->objs_per_slab;
}

static bool candidate(const struct slab_info *si, const struct trace_event *e,
		      int need, enum fit tier)
{
	int acc;

	if (si->link[0] || si->slab_size != e->bytes_alloc ||
	    is_kmalloc_name(si->name) || object_fit(si, e) != tier)
		return false;
	acc = snapshot_accounted(si);
	return need < 0 || acc < 0 || acc == need;
}

/*
 * The snapshot cache for e and the rule that chose it: exact fits first,
 * then merged ones; one candidate: "snapshot"; several of one geometry:
 * "ambiguous", the first in the snapshot's (name) order; several of
 * different geometries or none: NULL, "unknown" (*many when several).
 */
static const struct slab_info *
snapshot_match(const struct slab_snapshot *snap, const struct trace_event *e,
	       bool any_accounted, enum trace_attrib_rule *rule, bool *many)
{
	int need = event_accounting(e, any_accounted);

	*many = false;
	*rule = ATTRIB_UNKNOWN;
	for (int tier = FIT_EXACT; tier > FIT_NONE; tier--) {
		const struct slab_info *hit = NULL;
		bool several = false, same = true;

		for (size_t i = 0; i < snap->nr; i++) {
			const struct slab_info *si = &snap->v[i];

			if (!candidate(si, e, need, (enum fit)tier))
				continue;
			if (!hit) {
				hit = si;
				continue;
			}
			several = true;
			same = same && same_geometry(hit, si);
		}
		if (!hit)
			continue;
		if (several && !same) {
			*many = true;
			return NULL;
		}
		*rule = several ? ATTRIB_AMBIGUOUS : ATTRIB_SNAPSHOT;
		return hit;
	}
	return NULL;
}

static uint32_t anon_name(struct trace_stream *s, uint32_t req)
{
	char name[32];
	int n = snprintf(name, sizeof(name), TRACE_ATTRIB_ANON "%u", req);

	return strtab_intern(&s->caches, name, (size_t)n);
}

/* What the snapshot said for one (bytes_req, bytes_alloc, accounting) */
struct snap_memo {
	uint32_t cache; /* cache-name id, 0 = not asked yet */
	uint8_t rule, many;
};

struct snap_memos {
	struct idmap keys;
	struct snap_memo *v;
	uint32_t cap;
};

/* The memo of e's sizes and accounting; NULL when out of memory */
static struct snap_memo *memo_of(struct snap_memos *m,
				 const struct trace_event *e, int need)
{
	uint64_t key = (uint64_t)(uint32_t)(need + 1) << 62 |
		       (uint64_t)(e->bytes_req & 0x3fffffffu) << 32 |
		       e->bytes_alloc;
	int added;
	uint32_t id = idmap_intern(&m->keys, key, &added);

	if (!id)
		return NULL;
	if (id >= m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : 256;
		struct snap_memo *v;

		while (cap <= id)
			cap *= 2;
		if (!(v = realloc(m->v, cap * sizeof(*v))))
			return NULL;
		memset(v + m->cap, 0, (cap - m->cap) * sizeof(*v));
		m->v = v;
		m->cap = cap;
	}
	return &m->v[id];
}

/* One event: the snapshot's answer, asked once per key */
static int snapshot_name(struct trace_stream *s,
			 const struct slab_snapshot *snap, struct snap_memos *m,
			 struct trace_event *e, bool any_accounted,
			 struct snap_memo *got)
{
	int need = event_accounting(e, any_accounted);
	struct snap_memo *memo =
		e->bytes_req < (1u << 30) ? memo_of(m, e, need) : NULL;
	const struct slab_info *si = NULL;
	enum trace_attrib_rule rule = ATTRIB_UNKNOWN;
	bool many = false;

	if (memo && memo->cache) {
		*got = *memo;
		e->cache = got->cache;
		return 0;
	}
	if (snap)
		si = snapshot_match(snap, e, any_accounted, &rule, &many);
	got->cache =
		si ? strtab_intern(&s->caches, si->name, strlen(si->name)) :
		     anon_name(s, e->bytes_req);
	got->rule = (uint8_t)rule;
	got->many = many;
	if (!got->cache)
		return -1;
	if (memo)
		*memo = *got;
	e->cache = got->cache;
	return 0;
}

/* Rule "snapshot", and the anonymous caches of what is left */
static int by_snapshot(struct trace_stream *s, const struct slab_snapshot *snap,
		       struct trace_attrib *out)
{
	struct snap_memos m = { 0 };
	bool any_accounted = false;
	int ret = 0;

	idmap_init(&m.keys);
	for (size_t i = 0; i < s->nr && !any_accounted; i++)
		any_accounted = s->ev[i].flags & TEV_F_ACCOUNTED;
	for (size_t i = 0; i < s->nr && !ret; i++) {
		struct trace_event *e = &s->ev[i];
		struct snap_memo got;

		if (!unnamed_alloc(e))
			continue;
		ret = snapshot_name(s, snap, &m, e, any_accounted, &got);
		if (ret)
			break;
		out->n[got.rule]++;
		out->ambiguous += got.many;
	}
	idmap_free(&m.keys);
	free(m.v);
	return ret;
}

int trace_attribute_caches(struct trace_stream *s,
			   const struct slab_snapshot *snap,
			   struct trace_attrib *out)
{
	uint8_t *named = calloc(s->nr + 1, 1);
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!named)
		return -1;
	for (size_t i = 0; i < s->nr; i++)
		if (s->ev[i].type == TEV_CACHE_ALLOC && s->ev[i].ptr &&
		    s->ev[i].cache)
			out->n[ATTRIB_TRACED]++;
	if (!by_free(s, named, out) && !by_site(s, named, out) &&
	    !by_snapshot(s, snap, out))
		ret = 0;
	free(named);
	return ret;
}
