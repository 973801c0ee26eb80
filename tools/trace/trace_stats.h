/* SPDX-License-Identifier: MIT */
/*
 * Summaries of an event stream: allocations and bytes by call site and
 * by cache, the kmalloc request-size histogram over the x86_64 size
 * classes, and the x86_64 conformance of every kmalloc's bytes_alloc.
 * Used by `kslab trace-stats` and reusable by replay.
 */
#ifndef KSLAB_TOOL_TRACE_STATS_H
#define KSLAB_TOOL_TRACE_STATS_H

#include <stdint.h>
#include "output/output.h"
#include "trace/trace_stream.h"

struct trace_sum {
	uint64_t count;
	uint64_t bytes_req, bytes_alloc;
};

/* kmalloc histogram: 0, 8, 16, ..., 8k, then powers of two to 1 GiB+ */
#define TRACE_HIST_BUCKETS 32

struct trace_stats {
	struct trace_sum *site; /* by site id, allocations */
	uint32_t nr_sites;
	struct trace_sum *cache; /* by cache id (0 = kmalloc) */
	uint32_t nr_caches;
	struct trace_sum hist[TRACE_HIST_BUCKETS];
	uint64_t hist_limit[TRACE_HIST_BUCKETS]; /* upper bound */
	uint32_t nr_hist;			 /* buckets in use */
	uint64_t kmalloc_class_mismatch;	 /* vs the x86_64 classes */
	uint64_t first_mismatch;		 /* event index + 1, 0 = none */
};

/* The x86_64 SLUB kmalloc size of a request (ksize of kmalloc(size)). */
uint64_t trace_x86_64_kmalloc_size(uint64_t size);
/* The counted input problems, the first few of each kind with file:line. */
void trace_print_issues(FILE *f, const struct trace_stream *s);

int trace_stats_compute(const struct trace_stream *s, struct trace_stats *st);
void trace_stats_free(struct trace_stats *st);
/*
 * Site (or cache) ids sorted by count (by_waste = 0) or by
 * bytes_alloc - bytes_req, at most n of them; returns how many.
 */
uint32_t trace_stats_top_sites(const struct trace_stats *st, int by_waste,
			       uint32_t *ids, uint32_t n);
uint32_t trace_stats_top_caches(const struct trace_stats *st, uint32_t *ids,
				uint32_t n);

/* The whole trace-stats report for the files read into s. */
int trace_stats_print(const struct trace_stream *s,
		      const struct trace_stats *st, enum out_format fmt,
		      uint32_t top, FILE *f);

#endif
