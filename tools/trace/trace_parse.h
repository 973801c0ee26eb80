/* SPDX-License-Identifier: MIT */
/*
 * One line of kmem trace text into its fields, without allocating.
 *
 * Read: the ftrace text of /sys/kernel/tracing/trace and trace_pipe
 *   "   bash-1364    [000] d..1. 10561.957538: kmalloc: call_site=..."
 * `trace-cmd report` (with or without the latency/flags column)
 *   "bash-1364 [000] 10561.957538: kmalloc: call_site=..."
 * and `perf script`
 *   "bash  1364 [000] 10561.957538: kmem:kmalloc: call_site=..."
 * The body is key=value pairs as the kernel's print formats write them
 * (any order; unknown keys ignored).
 */
#ifndef KSLAB_TOOL_TRACE_PARSE_H
#define KSLAB_TOOL_TRACE_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <kslab/types.h>

/* The events read, by the name the trace gives them. */
enum trace_ev_name {
	TRACE_EV_KMALLOC,
	TRACE_EV_KFREE,
	TRACE_EV_CACHE_ALLOC,
	TRACE_EV_CACHE_FREE,
	TRACE_EV_KMALLOC_NODE,	   /* older kernels */
	TRACE_EV_CACHE_ALLOC_NODE, /* older kernels */
	TRACE_EV_NR_NAMES,
	/* page events (trace_pages.h): parsed here, counted there */
	TRACE_EV_PAGE_ALLOC = TRACE_EV_NR_NAMES, /* mm_page_alloc */
	TRACE_EV_PAGE_FREE,			 /* mm_page_free */
	TRACE_EV_PAGE_FREE_BATCHED,		 /* mm_page_free_batched */
	/* dma: and swiotlb: events (trace_dma.h): body read there */
	TRACE_EV_DMA_FIRST,
	TRACE_EV_DMA_LAST = TRACE_EV_DMA_FIRST + 15,
	TRACE_EV_NR_ALL,
};

extern const char *const trace_ev_names[TRACE_EV_NR_NAMES];

enum trace_line_kind {
	TRACE_LINE_EVENT, /* one of ours, all fields valid */
	TRACE_LINE_SKIP,  /* comment, header, blank, another event */
	TRACE_LINE_LOST,  /* a lost-events marker; .lost set */
	TRACE_LINE_BAD,	  /* one of ours but malformed; .why set */
};

struct trace_text {
	const char *p;
	uint32_t len;
};

/* What a line holds; the text fields point into the line. */
struct trace_line {
	enum trace_ev_name ev;
	unsigned int cpu;
	uint64_t ts_ns;
	struct trace_text site_func; /* "do_sys_openat2" or "0xffff..." */
	uint64_t site_off;	     /* +0xa2 */
	struct trace_text site_text; /* call_site's whole value */
	uint64_t ptr;		     /* the (hashed) pointer's value */
	int ptr_null;
	uint64_t bytes_req, bytes_alloc;
	gfp_t gfp;
	int node;
	int accounted;		/* 1, 0, or -1 when not printed */
	struct trace_text name; /* cache name; len 0 when absent */
	/* page events: page= is .ptr/.ptr_null, gfp_flags= is .gfp */
	uint64_t pfn;
	uint32_t order;
	int32_t migratetype;   /* -1 when not printed */
	int32_t percpu_refill; /* -1 when not printed */
	uint8_t gfp_unknown;   /* gfp names this kslab does not know, dropped */
	struct trace_text body; /* dma events: the text after "name:" */
	uint64_t lost;		/* for TRACE_LINE_LOST */
	const char *why;	/* for TRACE_LINE_BAD */
};

/* Classify and parse one line (NUL-terminated at line[len]). */
enum trace_line_kind trace_parse_line(const char *line, size_t len,
				      struct trace_line *out);

/* An event name ("kmalloc", "kmem:kmalloc") to its enum, -1 if not ours. */
int trace_ev_lookup(const char *name, size_t len);

/* A page event (TRACE_EV_PAGE_*)? */
static inline int trace_ev_is_page(int ev)
{
	return ev >= TRACE_EV_PAGE_ALLOC && ev <= TRACE_EV_PAGE_FREE_BATCHED;
}

/* A dma: or swiotlb: event (TRACE_EV_DMA_*, trace_dma.h)? */
static inline int trace_ev_is_dma(int ev)
{
	return ev >= TRACE_EV_DMA_FIRST && ev <= TRACE_EV_DMA_LAST;
}

/* For trace_pages.c, the field readers of the kmem events; 0 on success. */
int trace_parse_dec(const char *s, size_t n, uint64_t *v);
int trace_parse_hex(const char *s, size_t n, uint64_t *v); /* "0x" optional */
int trace_parse_ptr(const char *v, size_t n, struct trace_line *out);

#endif
