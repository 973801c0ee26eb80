/* SPDX-License-Identifier: MIT */
/*
 * kslab replay --pages: each policy also plays the trace's page events
 * (trace_pages.h) through kslab's buddy allocator, on a machine of its
 * own booted with the traced machine's memory layout, after its slab
 * replay (see docs/replay.md, "Page events").
 *
 *   mm_page_alloc          alloc_pages(gfp, order); the page it returns
 *                          stands for the traced pfn from then on
 *   mm_page_free(_batched) __free_pages() of the page standing for the
 *                          pfn, with the order it was allocated with;
 *                          a pfn no replayed allocation stands for is
 *                          counted (first-time, untraced, split frees)
 *
 * Reported: pages in use per zone at the peak of pages in use, and the
 * machine's /proc/buddyinfo at the end beside the traced machine's.
 */
#ifndef KSLAB_TOOL_REPLAY_PAGES_H
#define KSLAB_TOOL_REPLAY_PAGES_H

#include <stdint.h>
#include <stdio.h>
#include <kslab/kslab.h>
#include "output/output.h"
#include "trace/trace_stream.h"

struct replay_policy;

#define REPLAY_PAGES_TEXT 4096

struct replay_pages_opts {
	char machine[256];	/* layout boot parameters, "" = the policy's */
	char machine_from[256]; /* where they came from */
	char traced_buddyinfo[REPLAY_PAGES_TEXT]; /* "" when none */
	char buddyinfo_from[256];
};

struct replay_pages_zone {
	char name[16];
	uint64_t peak_pages; /* replayed pages in use at the peak */
	uint64_t end_pages;  /* ... at the end */
	uint64_t managed, free_end, pcp_end; /* the zone at the end */
};

struct replay_pages_result {
	int ok;
	char err[256];
	char boot[640];
	unsigned long page_size;
	uint64_t allocs, failed_allocs, traced_failed_allocs;
	uint64_t frees, unpaired_frees, order_mismatches, untraced_frees;
	uint64_t peak_pages, peak_event, peak_ts_ns, end_pages;
	uint32_t nr_zones;
	struct replay_pages_zone zones[MAX_NR_ZONES];
	char buddyinfo[REPLAY_PAGES_TEXT]; /* kslab's at the end */
};

/* Play s->pages under p on a machine booted for it (in this process). */
void replay_pages_run(const struct trace_stream *s,
		      const struct replay_policy *p,
		      const struct replay_pages_opts *o,
		      struct replay_pages_result *r);

/* The boot line of the page replay: p's with the layout of o. */
void replay_pages_boot_line(const struct trace_stream *s, const char *boot,
			    const struct replay_pages_opts *o, char *out,
			    size_t len);

/*
 * The options of a --pages replay of trace (the first one): the layout
 * from --pages-machine, else from zoneinfo (default: the one beside the
 * trace) and the meminfo beside that; the traced buddyinfo from
 * buddyinfo or the one beside the trace. 0, or -1 with a message on
 * stderr.
 */
int replay_pages_opts_init(struct replay_pages_opts *o, const char *trace,
			   const char *zoneinfo, const char *buddyinfo,
			   const char *machine);

struct replay_report;
/* The "Page events" part of the table, JSON and CSV reports. */
void replay_pages_print_table(const struct replay_report *rep,
			      const struct replay_pages_opts *o, FILE *f);
void replay_pages_json(const struct replay_report *rep,
		       const struct replay_pages_opts *o, struct json *j);
void replay_pages_csv(const struct replay_report *rep, FILE *f);

#endif
