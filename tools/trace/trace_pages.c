// SPDX-License-Identifier: MIT
/*
 * Page events (trace_pages.h): the body of mm_page_alloc, mm_page_free
 * and mm_page_free_batched read without allocating and without trusting
 * the line, then kept in the compact page-event array and paired by pfn.
 *
 * Invariants: state[id] is 1 exactly for the pfn ids of live traced
 * allocations, order[id] their order, and c.live_pages the sum of
 * 2^order over them; a free never fails, it is classified and counted.
 */
#include <stdlib.h>
#include <string.h>
#include <kslab/gfp.h>
#include "trace/trace_gfp.h"
#include "trace/trace_pages.h"
#include "trace/trace_parse_priv.h"

enum { PFN_UNSEEN, PFN_LIVE, PFN_FREED };

static const char *const page_ev_names[] = {
	[TRACE_EV_PAGE_ALLOC - TRACE_EV_PAGE_ALLOC] = "mm_page_alloc",
	[TRACE_EV_PAGE_FREE - TRACE_EV_PAGE_ALLOC] = "mm_page_free",
	[TRACE_EV_PAGE_FREE_BATCHED - TRACE_EV_PAGE_ALLOC] =
		"mm_page_free_batched",
};

#define NR_PAGE_EVS (sizeof(page_ev_names) / sizeof(page_ev_names[0]))

int trace_page_ev_lookup(const char *name, size_t len)
{
	if (len < 8 || memcmp(name, "mm_page_", 8))
		return -1;
	for (size_t i = 0; i < NR_PAGE_EVS; i++)
		if (strlen(page_ev_names[i]) == len &&
		    !memcmp(page_ev_names[i], name, len))
			return TRACE_EV_PAGE_ALLOC + (int)i;
	return -1;
}

const char *trace_page_ev_name(enum tpg_type type)
{
	if (type < TPG_ALLOC || type > TPG_FREE_BATCHED)
		return "?";
	return page_ev_names[type - TPG_ALLOC];
}

/* ---- the body ------------------------------------------------------------- */

#define P_PAGE (1u << 0)
#define P_PFN (1u << 1)
#define P_ORDER (1u << 2)
#define P_MIGRATE (1u << 3)
#define P_GFP (1u << 4)
#define P_REFILL (1u << 5)

/* "-1", "3": a small signed decimal */
static int parse_small_int(const char *v, size_t n, int32_t lo, int32_t hi,
			   int32_t *out)
{
	int neg = n && v[0] == '-';
	uint64_t x;

	if (trace_parse_dec(v + neg, n - (size_t)neg, &x) || x > 1u << 30)
		return -1;
	*out = neg ? -(int32_t)x : (int32_t)x;
	return *out < lo || *out > hi ? -1 : 0;
}

/* pfn=0x1f (since 4.x kernels print it in hex) or pfn=31 (before) */
static int parse_pfn(const char *v, size_t n, uint64_t *pfn)
{
	if (n > 2 && v[0] == '0' && (v[1] | 0x20) == 'x')
		return trace_parse_hex(v, n, pfn);
	return trace_parse_dec(v, n, pfn);
}

static int looks_like_flag_name(const char *v, size_t n)
{
	if (n < 4 || n > 40 ||
	    (memcmp(v, "GFP_", 4) && (n < 6 || memcmp(v, "__GFP_", 6))))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '_'))
			return 0;
	return 1;
}

/*
 * gfp_flags as the kernel printed them, with the names of older kernels
 * (trace_gfp.c). A name no kernel printed is dropped and the line marked;
 * anything that is not a flag name makes the line bad.
 */
static int parse_page_gfp(const char *v, size_t n, struct trace_line *out)
{
	const char *end = v + n;
	gfp_t one;

	out->gfp = 0;
	if (!n)
		return -1;
	if (!trace_parse_gfp(v, n, &out->gfp))
		return 0;
	out->gfp = 0;
	while (v < end) {
		const char *bar = memchr(v, '|', (size_t)(end - v));
		size_t len = (size_t)((bar ? bar : end) - v);

		if (!trace_gfp_word(v, len, &one))
			out->gfp |= one;
		else if (looks_like_flag_name(v, len))
			out->gfp_unknown = 1;
		else
			return -1;
		v += len + (bar ? 1 : 0);
	}
	return 0;
}

#define KEY(k) (klen == sizeof(k) - 1 && !memcmp(key, k, sizeof(k) - 1))

/* One key=value; its P_ bit, 0 for a key not read, -1 with why set. */
static int page_field(const char *key, size_t klen, const char *v, size_t n,
		      struct trace_line *out)
{
	uint64_t order;

	if (KEY("page")) {
		out->why = "bad page";
		return trace_parse_ptr(v, n, out) ? -1 : (int)P_PAGE;
	}
	if (KEY("pfn")) {
		out->why = "bad pfn";
		return parse_pfn(v, n, &out->pfn) ? -1 : (int)P_PFN;
	}
	if (KEY("order")) {
		out->why = "bad order";
		if (trace_parse_dec(v, n, &order) || order > TPG_MAX_ORDER)
			return -1;
		out->order = (uint32_t)order;
		return P_ORDER;
	}
	if (KEY("migratetype")) {
		out->why = "bad migratetype";
		return parse_small_int(v, n, -1, 127, &out->migratetype) ?
			       -1 :
			       (int)P_MIGRATE;
	}
	if (KEY("gfp_flags")) {
		out->why = "unknown gfp flag";
		return parse_page_gfp(v, n, out) ? -1 : (int)P_GFP;
	}
	if (KEY("percpu_refill")) {
		out->why = "bad percpu_refill";
		return parse_small_int(v, n, -1, 1, &out->percpu_refill) ?
			       -1 :
			       (int)P_REFILL;
	}
	return 0;
}

static const char *page_missing(enum trace_ev_name ev, unsigned int seen)
{
	if (!(seen & (P_PFN | P_PAGE)))
		return "no pfn";
	if (ev != TRACE_EV_PAGE_FREE_BATCHED && !(seen & P_ORDER))
		return "no order";
	if (ev == TRACE_EV_PAGE_ALLOC && !(seen & P_GFP))
		return "no gfp_flags";
	return NULL;
}

enum trace_line_kind trace_parse_page_body(const char *p, const char *end,
					   struct trace_line *out)
{
	unsigned int seen = 0;

	out->migratetype = -1;
	out->percpu_refill = -1;
	while (p < end) {
		const char *tok, *eq, *te, *val, *pn;
		int bit;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		tok = p;
		te = memchr(p, ' ', (size_t)(end - p));
		p = te ? te : end;
		eq = memchr(tok, '=', (size_t)(p - tok));
		if (tok == p || !eq)
			continue;
		val = eq + 1;
		if (p == val && (pn = trace_padded_null(p, end))) {
			val = pn - 6; /* "page=          (null)" */
			p = pn;
		}
		bit = page_field(tok, (size_t)(eq - tok), val,
				 (size_t)(p - val), out);
		if (bit < 0)
			return TRACE_LINE_BAD;
		if (seen & (unsigned int)bit) {
			out->why = "repeated field";
			return TRACE_LINE_BAD;
		}
		seen |= (unsigned int)bit;
	}
	out->why = page_missing(out->ev, seen);
	if (out->why)
		return TRACE_LINE_BAD;
	if (!(seen & P_PAGE))
		out->ptr_null = 0; /* pfn only: never a failed allocation */
	if (out->ev == TRACE_EV_PAGE_FREE_BATCHED)
		out->order = 0;
	if (!(seen & P_PFN))
		out->pfn = out->ptr | 1ull << 63; /* pair by page= instead */
	if (out->ev != TRACE_EV_PAGE_ALLOC && out->ptr_null &&
	    (seen & P_PAGE) && !(seen & P_PFN)) {
		out->why = "free of a NULL page";
		return TRACE_LINE_BAD;
	}
	return TRACE_LINE_EVENT;
}

/* ---- the stream ----------------------------------------------------------- */

struct trace_pages *trace_pages_new(void)
{
	struct trace_pages *p = calloc(1, sizeof(*p));

	if (p)
		idmap_init(&p->pfn_map);
	return p;
}

void trace_pages_free(struct trace_pages *p)
{
	if (!p)
		return;
	free(p->ev);
	free(p->ts_ns);
	free(p->state);
	free(p->order);
	idmap_free(&p->pfn_map);
	free(p);
}

static int grow_events(struct trace_pages *p)
{
	size_t cap = p->cap ? p->cap * 2 : 4096;
	struct trace_page_event *ev = realloc(p->ev, cap * sizeof(*ev));
	uint64_t *ts;

	if (!ev)
		return -1;
	p->ev = ev;
	ts = realloc(p->ts_ns, cap * sizeof(*ts));
	if (!ts)
		return -1;
	p->ts_ns = ts;
	p->cap = cap;
	return 0;
}

static int grow_state(struct trace_pages *p, uint32_t id)
{
	uint32_t cap = p->state_cap ? p->state_cap : 4096;
	uint8_t *v;

	while (cap <= id)
		cap *= 2;
	if (!(v = realloc(p->state, cap)))
		return -1;
	memset(v + p->state_cap, 0, cap - p->state_cap);
	p->state = v;
	if (!(v = realloc(p->order, cap)))
		return -1;
	p->order = v;
	p->state_cap = cap;
	return 0;
}

static void pair_alloc(struct trace_pages *p, uint32_t id, unsigned int order)
{
	struct trace_page_counts *c = &p->c;

	if (p->state[id] == PFN_LIVE) {
		c->double_allocs++;
		c->live_pages -= 1ull << p->order[id];
		p->live_allocs--;
	}
	p->state[id] = PFN_LIVE;
	p->order[id] = (uint8_t)order;
	c->live_pages += 1ull << order;
	p->live_allocs++;
	if (c->live_pages > c->peak_pages)
		c->peak_pages = c->live_pages;
}

/* Is pfn inside a live allocation of a higher order (naturally aligned)? */
static int inside_live(const struct trace_pages *p, uint64_t pfn)
{
	if (pfn >> 63)
		return 0;
	for (unsigned int o = 1; o <= TPG_MAX_ORDER; o++) {
		uint64_t head = pfn & ~((1ull << o) - 1);
		uint32_t id;

		if (head == pfn)
			continue;
		id = idmap_find(&p->pfn_map, head);
		if (id && id < p->state_cap && p->state[id] == PFN_LIVE &&
		    p->order[id] >= o)
			return 1;
	}
	return 0;
}

static void pair_free(struct trace_pages *p, uint32_t id, uint64_t pfn,
		      unsigned int order)
{
	struct trace_page_counts *c = &p->c;
	uint64_t pages = 1ull << order;

	if (p->state[id] == PFN_LIVE) {
		c->paired_frees++;
		if (p->order[id] != order)
			c->order_mismatches++;
		c->live_pages -= 1ull << p->order[id];
		p->live_allocs--;
	} else if (inside_live(p, pfn)) {
		c->split_frees++;
		c->split_free_pages += pages;
	} else if (p->state[id] == PFN_FREED) {
		c->untraced_frees++;
		c->untraced_free_pages += pages;
	} else {
		c->first_frees++;
		c->first_free_pages += pages;
	}
	p->state[id] = PFN_FREED;
}

static const uint8_t tpg_of_ev[] = {
	[TRACE_EV_PAGE_ALLOC - TRACE_EV_PAGE_ALLOC] = TPG_ALLOC,
	[TRACE_EV_PAGE_FREE - TRACE_EV_PAGE_ALLOC] = TPG_FREE,
	[TRACE_EV_PAGE_FREE_BATCHED - TRACE_EV_PAGE_ALLOC] = TPG_FREE_BATCHED,
};

int trace_pages_add(struct trace_pages *p, const struct trace_line *l,
		    uint32_t file)
{
	struct trace_page_event *e;
	int added;

	if (!trace_ev_is_page((int)l->ev))
		return 0;
	if (p->nr == p->cap && grow_events(p))
		return -1;
	e = &p->ev[p->nr];
	memset(e, 0, sizeof(*e));
	e->type = tpg_of_ev[l->ev - TRACE_EV_PAGE_ALLOC];
	e->order = (uint8_t)l->order;
	e->migratetype = (int8_t)l->migratetype;
	e->gfp = l->gfp;
	e->cpu = (uint16_t)l->cpu;
	e->file = (uint16_t)(file > UINT16_MAX ? UINT16_MAX : file);
	if (l->gfp_unknown)
		e->flags |= TPG_F_GFP_UNKNOWN;
	if (l->pfn >> 63)
		e->flags |= TPG_F_BY_PAGE;
	if (e->type == TPG_ALLOC && l->ptr_null) {
		p->c.failed_allocs++;
	} else {
		e->pfn = idmap_intern(&p->pfn_map, l->pfn, &added);
		if (!e->pfn ||
		    (e->pfn >= p->state_cap && grow_state(p, e->pfn)))
			return -1;
		p->nr_pfns = p->pfn_map.nr;
		if (e->type == TPG_ALLOC) {
			p->c.allocs++;
			pair_alloc(p, e->pfn, e->order);
		} else {
			pair_free(p, e->pfn, l->pfn, e->order);
		}
	}
	if (e->type == TPG_FREE)
		p->c.frees++;
	else if (e->type == TPG_FREE_BATCHED)
		p->c.batched_frees++;
	if (e->flags & TPG_F_GFP_UNKNOWN)
		p->c.gfp_unknown++;
	p->ts_ns[p->nr++] = l->ts_ns;
	return 0;
}

void trace_pages_end_file(struct trace_pages *p)
{
	p->c.live_allocs_at_end += p->live_allocs;
	p->c.live_pages_at_end += p->c.live_pages;
	p->live_allocs = 0;
	p->c.live_pages = 0;
	if (p->state)
		memset(p->state, 0, p->state_cap);
}
