/* SPDX-License-Identifier: MIT */
/*
 * Page events: the kmem tracepoints of the buddy allocator, read beside
 * the slab events when asked for (kslab replay --pages).
 *
 *   mm_page_alloc: page=%p pfn=0x%lx order=%d migratetype=%d gfp_flags=%s
 *   mm_page_free: page=%p pfn=0x%lx order=%d
 *   mm_page_free_batched: page=%p pfn=0x%lx order=0
 *
 * (older kernels print pfn=%lu in decimal; a failed allocation prints a
 * NULL page and pfn 0). They live in their own array, beside the slab
 * events of struct trace_stream, so that a trace read without --pages is
 * the same stream as before and the slab replay never sees them.
 *
 * Pairing is by pfn, per file (each file is another boot). A free whose
 * pfn is not live is one of:
 *   first-time  the pfn never appeared before in the file: memory
 *               entering the allocator (deferred struct page init, freed
 *               init memory, memblock), or allocated before the trace
 *   untraced    the pfn was freed before and not allocated since: its
 *               allocation was not traced (bulk allocations)
 *   split       inside a live higher-order allocation (split_page(),
 *               alloc_pages_exact()): a tail page going back on its own
 * None of these is an error; each is counted.
 */
#ifndef KSLAB_TOOL_TRACE_PAGES_H
#define KSLAB_TOOL_TRACE_PAGES_H

#include <stddef.h>
#include <stdint.h>
#include <kslab/types.h>
#include "trace/intern.h"
#include "trace/trace_parse.h"

enum tpg_type {
	TPG_ALLOC = 1,	  /* mm_page_alloc */
	TPG_FREE,	  /* mm_page_free */
	TPG_FREE_BATCHED, /* mm_page_free_batched: order 0 */
};

#define TPG_F_GFP_UNKNOWN (1u << 0) /* gfp names not known here, dropped */
#define TPG_F_BY_PAGE (1u << 1)	    /* no pfn printed: paired by page= */

/* The largest order a page event may carry. */
#define TPG_MAX_ORDER 31

struct trace_page_event {
	uint32_t pfn; /* pfn id (1..), 0 = a failed allocation */
	gfp_t gfp;    /* allocations */
	uint16_t cpu;
	uint8_t type; /* enum tpg_type */
	uint8_t order;
	int8_t migratetype; /* -1 when not printed */
	uint8_t flags;	    /* TPG_F_* */
	uint16_t file;	    /* index into the stream's files */
};

_Static_assert(sizeof(struct trace_page_event) == 16, "compact page events");

struct trace_page_counts {
	uint64_t allocs, failed_allocs; /* mm_page_alloc with/without a page */
	uint64_t frees, batched_frees;	/* every mm_page_free(_batched) */
	uint64_t bad;			/* malformed page event lines */
	uint64_t gfp_unknown;		/* allocations with gfp names dropped */
	uint64_t paired_frees;		/* of a live traced allocation */
	uint64_t first_frees, first_free_pages;
	uint64_t untraced_frees, untraced_free_pages;
	uint64_t split_frees, split_free_pages;
	uint64_t double_allocs;	   /* of a live pfn: its free not traced */
	uint64_t order_mismatches; /* freed with another order */
	uint64_t live_pages, peak_pages;
	uint64_t live_allocs_at_end, live_pages_at_end; /* over all files */
};

struct trace_pages {
	struct trace_page_event *ev;
	uint64_t *ts_ns;
	size_t nr, cap;
	uint32_t nr_pfns; /* pfn ids are 1..nr_pfns */
	struct trace_page_counts c;
	/* private */
	struct idmap pfn_map;
	uint8_t *state; /* by pfn id: 0 unseen, 1 live, 2 freed */
	uint8_t *order; /* by pfn id: order of the live allocation */
	uint32_t state_cap;
	uint64_t live_allocs;
};

/* Parser side (trace_parse.c): a page event's name, -1 if not one. */
int trace_page_ev_lookup(const char *name, size_t len);
/* The key=value body of a page event (out->ev set). */
enum trace_line_kind trace_parse_page_body(const char *p, const char *end,
					   struct trace_line *out);

/* Stream side (trace_stream.c). NULL when out of memory. */
struct trace_pages *trace_pages_new(void);
void trace_pages_free(struct trace_pages *p);
/* One parsed page event of file number file; -1 when out of memory. */
int trace_pages_add(struct trace_pages *p, const struct trace_line *l,
		    uint32_t file);
/* A file ended: what is live was never freed in it; pairing restarts. */
void trace_pages_end_file(struct trace_pages *p);
/* The event name of a type ("mm_page_alloc"). */
const char *trace_page_ev_name(enum tpg_type type);

#endif
