/* SPDX-License-Identifier: MIT */
/*
 * The compact event stream: a trace parsed once into 32-byte events plus
 * string tables, with counts of what was read, skipped and bad, and the
 * pairing of frees with allocations (by hashed pointer value; pairing
 * starts afresh with each file, as each is another boot). This is
 * what `kslab replay` plays under each policy and `kslab trace-stats`
 * summarises.
 *
 *	struct trace_stream s;
 *	trace_stream_init(&s);
 *	if (trace_stream_read(&s, "kmem.trace.xz", NULL, err, sizeof(err)) < 0)
 *		... missing file: err says why ...
 *	trace_stream_finish(&s);
 *	for (size_t i = 0; i < s.nr; i++) ... s.ev[i] ...
 *	trace_stream_free(&s);
 */
#ifndef KSLAB_TOOL_TRACE_STREAM_H
#define KSLAB_TOOL_TRACE_STREAM_H

#include <stdint.h>
#include <stdio.h>
#include <kslab/types.h>
#include "trace/intern.h"
#include "trace/trace_parse.h"

enum tev_type {
	TEV_KMALLOC = 1, /* kmalloc, kmalloc_node */
	TEV_KFREE,
	TEV_CACHE_ALLOC, /* kmem_cache_alloc, kmem_cache_alloc_node */
	TEV_CACHE_FREE,
};

#define TEV_F_ACCOUNTED (1u << 0)  /* accounted=true */
#define TEV_F_NODE_EVENT (1u << 1) /* came from a *_node event */
#define TEV_F_ZERO_SIZE (1u << 2)  /* kmalloc(0) or a free of ZERO_SIZE_PTR */
#define TEV_F_CLAMPED (1u << 3)	   /* a size did not fit 32 bits */

#define TRACE_ZERO_SIZE_PTR 16u /* what kmalloc(0) returns: ZERO_SIZE_PTR */

struct trace_event {
	uint32_t ptr;	      /* pointer id (s->nr_ptrs of them), 0 = NULL */
	uint32_t site;	      /* call-site id, index into s->sites */
	uint32_t cache;	      /* cache-name id in s->caches, 0 = none */
	uint32_t bytes_req;   /* allocations only */
	uint32_t bytes_alloc; /* allocations only */
	gfp_t gfp;	      /* allocations only */
	uint16_t cpu;
	int16_t node;  /* -1 = NUMA_NO_NODE */
	uint8_t type;  /* enum tev_type */
	uint8_t flags; /* TEV_F_* */
	uint16_t reserved;
};

_Static_assert(sizeof(struct trace_event) == 32, "compact events");

/* A call site: function name id in s->funcs and offset in it */
struct trace_site {
	uint32_t func;
	uint32_t offset;
};

struct trace_counts {
	uint64_t lines;
	uint64_t ev[TRACE_EV_NR_NAMES]; /* by enum trace_ev_name */
	uint64_t events;		/* sum of ev[] */
	uint64_t skipped;		/* comments, headers, other events */
	uint64_t bad;			/* malformed lines of our events */
	uint64_t lost_markers, lost_events;
	uint64_t input_errors; /* truncated or corrupt input */
};

struct trace_pairing {
	uint64_t allocs, frees;	   /* with a pointer */
	uint64_t failed_allocs;	   /* allocation returned NULL */
	uint64_t zero_size_allocs; /* kmalloc(0) */
	uint64_t null_frees;	   /* kfree(NULL / ZERO_SIZE_PTR) */
	uint64_t unmatched_frees;  /* free of a pointer not live */
	uint64_t double_frees; /* of those: freed before, not allocated since */
	uint64_t double_allocs; /* alloc of a live pointer */
	uint64_t cross_frees;	/* kfree of a cache object & v.v. */
	uint64_t live_at_end;	/* allocated, never freed */
	uint64_t live_objects, peak_objects;
	uint64_t live_bytes_alloc, peak_bytes_alloc;
	uint64_t live_bytes_req;
};

enum trace_issue_kind {
	TRACE_ISSUE_BAD_LINE,
	TRACE_ISSUE_UNMATCHED_FREE,
	TRACE_ISSUE_DOUBLE_ALLOC,
	TRACE_ISSUE_LOST_EVENTS,
	TRACE_ISSUE_INPUT_ERROR,
	TRACE_ISSUE_NR_KINDS,
};

#define TRACE_ISSUES_KEPT 5 /* first few of each kind */

struct trace_issue {
	uint32_t file; /* index into s->files */
	uint64_t lineno;
	char text[160]; /* reason: line text (cut) */
};

/* One input file: its events are ev[first_event, first_event + nr_events) */
struct trace_file {
	char *path;
	size_t first_event, nr_events;
	uint64_t lines;
	int done; /* private */
};

struct trace_stream {
	struct trace_event *ev;
	uint64_t *ts_ns; /* timestamp of ev[i] */
	size_t nr, cap;
	struct strtab funcs, caches;
	struct trace_site *sites; /* sites[0] is "no site" */
	uint32_t nr_sites, sites_cap;
	uint32_t nr_ptrs; /* pointer ids are 1..nr_ptrs */
	unsigned int max_cpu;
	struct trace_counts counts;
	struct trace_pairing pair;
	struct trace_issue issues[TRACE_ISSUE_NR_KINDS][TRACE_ISSUES_KEPT];
	uint64_t nr_issues[TRACE_ISSUE_NR_KINDS];
	struct trace_file *files;
	uint32_t nr_files;
	struct trace_pages *pages; /* page events, or NULL: trace_pages.h */
	struct trace_dma *dma;	   /* dma events, or NULL: trace_dma.h */
	/* private */
	struct idmap site_map, ptr_map;
	uint8_t *live; /* by pointer id: enum tev_type of the alloc */
	uint32_t *live_alloc, *live_req;
	uint32_t live_cap, zero_ptr;
};

#define TRACE_READ_MAX_JOBS 64u

struct trace_read_opts {
	int progress; /* a progress line on stderr */
	/*
	 * Threads parsing (and decoding a multi-block xz); 0 or 1: one,
	 * line by line. The stream is the same either way (trace_par.c);
	 * page and dma events, when wanted, are read line by line.
	 */
	unsigned int jobs; /* at most TRACE_READ_MAX_JOBS */
	size_t block;	   /* bytes a thread parses at a time; 0: 1 MiB */
};

void trace_stream_init(struct trace_stream *s);
void trace_stream_free(struct trace_stream *s);
/*
 * Append the events of one trace (a path or "-"). Returns 0; 1 when the
 * input ended early (truncated or corrupt: counted, first error kept as
 * an issue, the events before it kept); -1 when the file cannot be opened
 * or memory runs out (err says why).
 */
int trace_stream_read(struct trace_stream *s, const char *path,
		      const struct trace_read_opts *opts, char *err,
		      size_t errlen);
/*
 * Keep page events (mm_page_alloc, ...) in s->pages from now on; without
 * this call their lines are skipped. 0, or -1 when out of memory.
 */
int trace_stream_want_pages(struct trace_stream *s);
/*
 * Keep dma: and swiotlb: events in s->dma from now on (trace_dma.h);
 * without this call their lines are skipped. 0, or -1 out of memory.
 */
int trace_stream_want_dma(struct trace_stream *s);
/* Add one line as if read from the current file; returns its kind. */
enum trace_line_kind trace_stream_add_line(struct trace_stream *s,
					   const char *line, size_t len,
					   uint64_t lineno);
/*
 * After the last file: count the allocations never freed, give back the
 * unused capacity of the event arrays.
 */
void trace_stream_finish(struct trace_stream *s);
struct trace_input;
/* the "reading" line on stderr: percent of the file, or lines when its
 * size is unknown; done clears it */
void trace_stream_progress(const struct trace_input *in, int done);
/*
 * After trace_stream_finish(), when nothing more will look pointers up
 * (replay_detect.c counts them first): free the pointer map, the biggest
 * table after the events, before a replay forks its policies.
 */
void trace_stream_drop_pointers(struct trace_stream *s);

const char *trace_stream_site_func(const struct trace_stream *s, uint32_t site);
/* "func+0xoff" into buf. */
const char *trace_stream_site_name(const struct trace_stream *s, uint32_t site,
				   char *buf, size_t len);
const char *trace_stream_cache_name(const struct trace_stream *s,
				    uint32_t cache);
/*
 * Mark (mark[site] = 1) the call sites whose function is one of funcs
 * (names as in "func+0x1c/0x40", e.g. a --packed-sites list); mark has
 * s->nr_sites entries. Returns how many sites were marked.
 */
uint32_t trace_stream_mark_sites(const struct trace_stream *s,
				 const char *const *funcs, size_t n,
				 uint8_t *mark);
extern const char *const trace_issue_names[TRACE_ISSUE_NR_KINDS];

#endif
