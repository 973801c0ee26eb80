/* SPDX-License-Identifier: MIT */
/*
 * kslab replay: one trace, parsed once into a compact event stream,
 * played under several slab policies, each in its own process (a process
 * holds one booted machine), and reported side by side.
 *
 *   cmd_replay.c     options, policies, forking, collecting
 *   replay_run.c     one policy: boot, play every event, measure
 *   replay_report.c  table / JSON / CSV output, gnuplot
 *
 * A child writes its struct replay_result (and the arrays it points to)
 * to a temporary file the parent opened before the fork.
 */
#ifndef KSLAB_TOOL_REPLAY_H
#define KSLAB_TOOL_REPLAY_H

/*
 * The most CPUs a replay boots (the library's nr_cpus= limit); a trace's
 * CPU n beyond it is replayed on CPU n % REPLAY_MAX_CPUS, and the report
 * says so.
 */
#define REPLAY_MAX_CPUS 1024U

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "output/output.h"
#include "replay/replay_detect.h"
#include "trace/slabs_tsv.h"
#include "trace/trace_attrib.h"
#include "trace/trace_stream.h"

struct replay_policy {
	char name[48];
	char boot[512];
};

struct replay_pages_opts;
struct replay_pages_result;
struct replay_dma_opts;
struct replay_dma_result;

struct replay_opts {
	const struct slab_snapshot *slabs; /* named caches' geometry, or NULL */
	char **packed_funcs;		   /* __GFP_PACKED call sites */
	size_t nr_packed_funcs;
	bool snapshot_at_peak; /* the table of kmalloc caches at the peak */
	bool peak_second_pass; /* ... read by a second replay up to the peak
				  (as --dma always does; tests compare) */
	/* --pages (replay_pages.h), or NULL */
	const struct replay_pages_opts *pages;
	/* --dma (replay_dma.h), or NULL */
	const struct replay_dma_opts *dma;
};

/* one kmalloc cache at the peak, as a /proc/slabinfo line */
struct replay_cache_row {
	char name[32];
	uint64_t active_objs, num_objs, active_slabs, num_slabs;
	uint32_t size, objs_per_slab, pages_per_slab;
};

/* kmalloc traffic of one call site */
struct replay_site_row {
	uint32_t site;
	uint64_t count, req, alloc;
};

struct replay_result {
	int ok;
	char err[256];
	char policy[48];
	char boot[512];
	unsigned long page_size;
	uint64_t events, allocs, frees, failed_allocs, unmatched_frees;
	uint64_t peak_event; /* index of the slab peak */
	uint64_t peak_slab_bytes, final_slab_bytes;
	uint64_t peak_requested_bytes, final_requested_bytes;
	uint64_t peak_large_bytes; /* kmalloc above the caches */
	uint64_t bytes_requested, bytes_allocated; /* over every allocation */
	uint64_t kmalloc_objects, kmalloc_requested, kmalloc_allocated;
	uint64_t packed_objects;
	uint64_t bucket_objects; /* kmallocs through kmem_buckets (6.11 on) */
	uint64_t sheaf_events;	 /* allocs and frees of caches with sheaves */
	bool checked;		 /* bytes_alloc compared (every policy) */
	uint64_t bytes_alloc_mismatches; /* of kmalloc events */
	/* bytes_alloc against the traced kernel's: events compared, and the
	 * kmem_cache_alloc ones against s->size of the cache chosen */
	uint64_t kmalloc_checked, cache_checked, cache_mismatches;
	uint32_t nr_caches, nr_sites, nr_caches_end;
	struct replay_cache_row *caches;     /* at the slab peak */
	struct replay_cache_row *caches_end; /* after the last event */
	struct replay_site_row *sites;
	struct replay_pages_result *pages; /* --pages (replay_pages.h) */
	struct replay_dma_result *dma;	   /* --dma (replay_dma.h) */
};

/* The built-in policy called name, or NULL. */
const struct replay_policy *replay_builtin_policy(const char *name);
extern const char *const replay_default_policies;
/* The functions the seed's second patch gave __GFP_PACKED. */
extern const char *const replay_default_packed[];

/* Play the stream under p in this process (boots and shuts down). */
/* the nr_cpus= a replay of s boots: its CPUs, at most REPLAY_MAX_CPUS */
unsigned int replay_nr_cpus(const struct trace_stream *s);
void replay_run(const struct trace_stream *s, const struct replay_policy *p,
		const struct replay_opts *o, struct replay_result *r);
int replay_result_write(FILE *f, const struct replay_result *r);
int replay_result_read(FILE *f, struct replay_result *r);
void replay_result_free(struct replay_result *r);

struct replay_report {
	const struct trace_stream *s;
	struct replay_result *res;
	size_t nr;
	char **traces;
	size_t nr_traces;
	unsigned int top_sites;
	const char *slabs_path;
	const struct replay_pages_opts *pages; /* --pages, or NULL */
	const struct replay_dma_opts *dma;     /* --dma, or NULL */
	const struct replay_kernel *kernel;    /* the traced kernel, or NULL */
	const struct trace_attrib *attrib; /* kmem_cache_alloc naming, or NULL */
};
void replay_print(const struct replay_report *rep, enum out_format fmt,
		  FILE *f);
/* kmalloc cache memory of a cache table (peak or end) */
uint64_t replay_rows_bytes(const struct replay_result *r,
			   const struct replay_cache_row *rows, uint32_t nr);
/* replay_seed.c: the seed's per-cache table, policies side by side */
void replay_seed_print_table(const struct replay_report *rep, FILE *f);
void replay_seed_json(const struct replay_report *rep, struct json *j);
void replay_seed_csv(const struct replay_report *rep, FILE *f);
/* 0, or -1 with a message (gnuplot missing or failing). */
int replay_plot(const struct replay_report *rep, const char *path);

#endif
