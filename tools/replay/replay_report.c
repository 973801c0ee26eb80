// SPDX-License-Identifier: MIT
/*
 * The replay's report: policies side by side (slab memory at the peak
 * and at the end, requested vs allocated, the ratio to the first
 * policy), each policy's kmalloc caches at the peak in /proc/slabinfo's
 * layout (the seed's own table), and the call sites that lose most bytes
 * to alignment. Table, JSON (docs/replay.md) or CSV; gnuplot for --plot.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "replay/replay.h"
#include "replay/replay_dma.h"
#include "replay/replay_pages.h"
#include "trace/trace_stats.h"

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

static void human(char *buf, size_t len, uint64_t bytes)
{
	if (bytes >= 10ULL << 20)
		snprintf(buf, len, "%.1f MiB", bytes / 1048576.0);
	else
		snprintf(buf, len, "%.1f KiB", bytes / 1024.0);
}

uint64_t replay_rows_bytes(const struct replay_result *r,
			   const struct replay_cache_row *rows, uint32_t nr)
{
	uint64_t n = 0;

	for (uint32_t k = 0; k < nr; k++)
		n += rows[k].num_slabs * rows[k].pages_per_slab *
		     (uint64_t)r->page_size;
	return n;
}

/* memory held by the kmalloc caches in the peak table */
static uint64_t kmalloc_peak_bytes(const struct replay_result *r)
{
	return replay_rows_bytes(r, r->caches, r->nr_caches);
}

static uint64_t kmalloc_end_bytes(const struct replay_result *r)
{
	return replay_rows_bytes(r, r->caches_end, r->nr_caches_end);
}

static int cmp_site_loss(const void *a, const void *b)
{
	const struct replay_site_row *x = a, *y = b;
	uint64_t lx = x->alloc - x->req, ly = y->alloc - y->req;

	return lx < ly ? 1 :
	       lx > ly ? -1 :
			 (x->site > y->site) - (x->site < y->site);
}

static void sort_sites(struct replay_result *r)
{
	if (r->nr_sites)
		qsort(r->sites, r->nr_sites, sizeof(*r->sites), cmp_site_loss);
}

/* ---- table ----------------------------------------------------------------- */

#define ROW(label, fmtexpr)                                           \
	do {                                                          \
		table_cell(t, "%s", label);                           \
		for (size_t i = 0; i < rep->nr; i++) {                \
			const struct replay_result *r = &rep->res[i]; \
			char b[64];                                   \
			(void)b;                                      \
			if (!r->ok) {                                 \
				table_cell(t, "failed");              \
				continue;                             \
			}                                             \
			fmtexpr;                                      \
		}                                                     \
	} while (0)

static bool matches_kernel(const struct replay_report *rep,
			   const struct replay_result *r)
{
	return rep->kernel && !strcmp(rep->kernel->policy, r->policy);
}

/* bytes_alloc against the traced kernel's, every policy; '*' its own */
static void print_conformance_rows(const struct replay_report *rep,
				   struct table *t)
{
	ROW("kmalloc bytes_alloc mismatch",
	    table_cell(t, "%llu%s",
		       (unsigned long long)r->bytes_alloc_mismatches,
		       matches_kernel(rep, r) ? "*" : ""));
	ROW("cache bytes_alloc mismatch",
	    table_cell(t, "%llu%s", (unsigned long long)r->cache_mismatches,
		       matches_kernel(rep, r) ? "*" : ""));
}

static void print_summary(const struct replay_report *rep, FILE *f)
{
	const char **hdr = calloc(rep->nr + 1, sizeof(*hdr));
	char *align = calloc(rep->nr + 2, 1);
	const struct replay_result *first = &rep->res[0];
	struct table *t;

	hdr[0] = "";
	align[0] = 'l';
	for (size_t i = 0; i < rep->nr; i++) {
		hdr[i + 1] = rep->res[i].policy;
		align[i + 1] = 'r';
	}
	t = table_new((int)rep->nr + 1, hdr, align);
	ROW("slab memory at peak",
	    (human(b, 64, r->peak_slab_bytes), table_cell(t, "%s", b)));
	ROW("  vs first policy",
	    table_cell(t, "%.3fx",
		       ratio(r->peak_slab_bytes, first->peak_slab_bytes)));
	ROW("slab memory at end",
	    (human(b, 64, r->final_slab_bytes), table_cell(t, "%s", b)));
	ROW("  vs first policy",
	    table_cell(t, "%.3fx",
		       ratio(r->final_slab_bytes, first->final_slab_bytes)));
	ROW("kmalloc caches at peak",
	    (human(b, 64, kmalloc_peak_bytes(r)), table_cell(t, "%s", b)));
	ROW("  vs first policy", table_cell(t, "%.3fx",
					    ratio(kmalloc_peak_bytes(r),
						  kmalloc_peak_bytes(first))));
	ROW("kmalloc caches at end",
	    (human(b, 64, kmalloc_end_bytes(r)), table_cell(t, "%s", b)));
	ROW("  vs first policy",
	    table_cell(t, "%.3fx",
		       ratio(kmalloc_end_bytes(r), kmalloc_end_bytes(first))));
	ROW("requested at peak",
	    (human(b, 64, r->peak_requested_bytes), table_cell(t, "%s", b)));
	ROW("large kmalloc at peak",
	    (human(b, 64, r->peak_large_bytes), table_cell(t, "%s", b)));
	ROW("objects allocated",
	    table_cell(t, "%llu", (unsigned long long)r->allocs));
	ROW("failed allocations",
	    table_cell(t, "%llu", (unsigned long long)r->failed_allocs));
	ROW("bytes requested",
	    table_cell(t, "%llu", (unsigned long long)r->bytes_requested));
	ROW("bytes allocated",
	    table_cell(t, "%llu", (unsigned long long)r->bytes_allocated));
	ROW("  allocated/requested",
	    table_cell(t, "%.3f",
		       ratio(r->bytes_allocated, r->bytes_requested)));
	ROW("kmalloc allocated/req",
	    table_cell(t, "%.3f",
		       ratio(r->kmalloc_allocated, r->kmalloc_requested)));
	ROW("__GFP_PACKED objects",
	    table_cell(t, "%llu", (unsigned long long)r->packed_objects));
	ROW("kmem_buckets objects",
	    table_cell(t, "%llu", (unsigned long long)r->bucket_objects));
	print_conformance_rows(rep, t);
	table_print(t, f, "");
	table_free(t);
	fprintf(f, "\nboot command lines:\n");
	for (size_t i = 0; i < rep->nr; i++)
		fprintf(f, "  %-16s %s%s\n", rep->res[i].policy,
			rep->res[i].boot, rep->res[i].ok ? "" : "  (failed)");
	free(hdr);
	free(align);
}

static void print_caches(const struct replay_result *r, FILE *f)
{
	fprintf(f,
		"\n%s: kmalloc caches at the slab peak (/proc/slabinfo layout)\n",
		r->policy);
	fprintf(f,
		"# name            <active_objs> <num_objs> <objsize> <objperslab> "
		"<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> "
		": slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	for (uint32_t i = 0; i < r->nr_caches; i++) {
		const struct replay_cache_row *c = &r->caches[i];

		fprintf(f,
			"%-17s %6llu %6llu %6u %4u %4u : tunables %4u %4u %4u : "
			"slabdata %6llu %6llu %6u\n",
			c->name, (unsigned long long)c->active_objs,
			(unsigned long long)c->num_objs, c->size,
			c->objs_per_slab, c->pages_per_slab, 0, 0, 0,
			(unsigned long long)c->active_slabs,
			(unsigned long long)c->num_slabs, 0);
	}
}

static void print_sites(const struct replay_report *rep,
			const struct replay_result *r, FILE *f)
{
	static const char *const hdr[] = { "call site", "count", "requested",
					   "allocated", "lost" };
	struct table *t = table_new(5, hdr, "lrrrr");
	char name[160];

	for (uint32_t i = 0; i < r->nr_sites && i < rep->top_sites; i++) {
		const struct replay_site_row *s = &r->sites[i];

		table_cell(t, "%s",
			   trace_stream_site_name(rep->s, s->site, name,
						  sizeof(name)));
		table_cell(t, "%llu", (unsigned long long)s->count);
		table_cell(t, "%llu", (unsigned long long)s->req);
		table_cell(t, "%llu", (unsigned long long)s->alloc);
		table_cell(t, "%llu", (unsigned long long)(s->alloc - s->req));
	}
	fprintf(f,
		"\n%s: the %u kmalloc call sites losing most bytes to alignment\n",
		r->policy, rep->top_sites);
	table_print(t, f, "  ");
	table_free(t);
}

/* the traced kernel and the naming of its kmem_cache_alloc events */
static void print_kernel(const struct replay_report *rep, FILE *f)
{
	const struct replay_kernel *k = rep->kernel;
	const struct trace_attrib *a = rep->attrib;

	if (k) {
		fprintf(f, "traced kernel: policy %s (%s: %s; marked *)\n",
			k->policy, k->given ? "given" : "detected", k->why);
		if (k->rules[0])
			fprintf(f,
				"kernel version: %s (%s): kslab.kernel=%s on every boot line\n",
				k->version, k->version_from, k->rules);
		else
			fprintf(f,
				"kernel version: unknown (no --kernel-version, no uname file): "
				"kslab's default rules (6.18)\n");
		if (k->debug[0] || k->slab_params[0])
			fprintf(f,
				"traced command line: %s%s%s, on every boot line\n",
				k->debug,
				k->debug[0] && k->slab_params[0] ? " " : "",
				k->slab_params);
	}
	if (a) {
		fprintf(f, "kmem_cache_alloc caches:");
		for (int i = 0; i < ATTRIB_NR_RULES; i++)
			fprintf(f, "%s %s %llu", i ? "," : "",
				trace_attrib_names[i],
				(unsigned long long)a->n[i]);
		fprintf(f, " (unknown with several candidates %llu)\n",
			(unsigned long long)a->ambiguous);
	}
}

static void print_events(const struct replay_report *rep, FILE *f)
{
	const struct trace_counts *c = &rep->s->counts;

	fprintf(f, "traces:");
	for (size_t i = 0; i < rep->nr_traces; i++)
		fprintf(f, " %s", rep->traces[i]);
	fprintf(f, "\nevents: %llu (", (unsigned long long)c->events);
	for (int i = 0; i < TRACE_EV_NR_NAMES; i++)
		if (c->ev[i])
			fprintf(f, "%s%s %llu", i ? ", " : "",
				trace_ev_names[i],
				(unsigned long long)c->ev[i]);
	fprintf(f, "); skipped lines %llu, bad lines %llu; CPUs seen %u",
		(unsigned long long)c->skipped, (unsigned long long)c->bad,
		rep->s->max_cpu + 1);
	if (rep->s->max_cpu >= REPLAY_MAX_CPUS)
		fprintf(f, " (folded: CPU n replayed on CPU n %% %u)",
			REPLAY_MAX_CPUS);
	fputc('\n', f);
	fprintf(f,
		"pairing: %llu frees of objects allocated before the trace, "
		"%llu allocations of a live pointer (untraced frees)",
		(unsigned long long)(rep->s->pair.unmatched_frees -
				     rep->s->pair.double_frees),
		(unsigned long long)rep->s->pair.double_allocs);
	if (rep->s->pair.double_frees)
		fprintf(f, ", %llu double frees",
			(unsigned long long)rep->s->pair.double_frees);
	fputc('\n', f);
	trace_print_issues(f, rep->s);
	if (rep->slabs_path)
		fprintf(f, "named caches from: %s\n", rep->slabs_path);
	print_kernel(rep, f);
	fputc('\n', f);
}

static void print_table(const struct replay_report *rep, FILE *f)
{
	print_events(rep, f);
	print_summary(rep, f);
	replay_seed_print_table(rep, f);
	for (size_t i = 0; i < rep->nr; i++)
		if (rep->res[i].ok)
			print_caches(&rep->res[i], f);
	if (rep->top_sites)
		for (size_t i = 0; i < rep->nr; i++)
			if (rep->res[i].ok)
				print_sites(rep, &rep->res[i], f);
	if (rep->pages)
		replay_pages_print_table(rep, rep->pages, f);
	if (rep->dma)
		replay_dma_print_table(rep, f);
}

/* ---- JSON and CSV --------------------------------------------------------------- */

static void json_events(const struct replay_report *rep, struct json *j)
{
	const struct trace_counts *c = &rep->s->counts;

	json_obj_begin(j, "events");
	for (int i = 0; i < TRACE_EV_NR_NAMES; i++)
		json_u64(j, trace_ev_names[i], c->ev[i]);
	json_u64(j, "total", c->events);
	json_u64(j, "lines", c->lines);
	json_u64(j, "skipped", c->skipped);
	json_u64(j, "bad", c->bad);
	json_u64(j, "lost", c->lost_events);
	json_u64(j, "input_errors", c->input_errors);
	json_u64(j, "unmatched_frees", rep->s->pair.unmatched_frees);
	json_u64(j, "double_allocs", rep->s->pair.double_allocs);
	json_u64(j, "double_frees", rep->s->pair.double_frees);
	json_u64(j, "cpus_seen", rep->s->max_cpu + 1ULL);
	json_u64(j, "cpus_replayed", replay_nr_cpus(rep->s));
	json_obj_end(j);
}

static void json_conformance(const struct replay_report *rep,
			     const struct replay_result *r, struct json *j)
{
	json_bool(j, "matches_kernel", matches_kernel(rep, r));
	json_u64(j, "kmalloc_checked", r->kmalloc_checked);
	json_u64(j, "bytes_alloc_mismatches", r->bytes_alloc_mismatches);
	json_u64(j, "cache_alloc_checked", r->cache_checked);
	json_u64(j, "cache_bytes_alloc_mismatches", r->cache_mismatches);
}

static void json_kernel(const struct replay_report *rep, struct json *j)
{
	const struct replay_kernel *k = rep->kernel;
	const struct trace_attrib *a = rep->attrib;

	if (k) {
		json_obj_begin(j, "kernel");
		json_str(j, "policy", k->policy);
		json_str(j, "how", k->given ? "given" : "detected");
		json_str(j, "why", k->why);
		json_u64(j, "kmalloc_minimum", k->kmalloc_min);
		json_str(j, "pointers", replay_ptr_kind_names[k->ptrs]);
		json_str(j, "version", k->version);
		json_str(j, "version_from", k->version_from);
		json_str(j, "rules", k->rules);
		json_str(j, "slub_debug", k->debug);
		json_str(j, "slab_params", k->slab_params);
		json_obj_end(j);
	}
	if (a) {
		json_obj_begin(j, "cache_attribution");
		for (int i = 0; i < ATTRIB_NR_RULES; i++)
			json_u64(j, trace_attrib_names[i], a->n[i]);
		json_u64(j, "unknown_several_candidates", a->ambiguous);
		json_obj_end(j);
	}
}

static void json_policy(const struct replay_report *rep, size_t i,
			struct json *j)
{
	const struct replay_result *r = &rep->res[i], *first = &rep->res[0];
	char name[160];

	json_obj_begin(j, NULL);
	json_str(j, "name", r->policy);
	json_str(j, "boot", rep->res[i].boot);
	json_bool(j, "ok", r->ok);
	json_u64(j, "page_size", r->page_size);
	json_u64(j, "peak_slab_bytes", r->peak_slab_bytes);
	json_u64(j, "final_slab_bytes", r->final_slab_bytes);
	json_u64(j, "peak_requested_bytes", r->peak_requested_bytes);
	json_u64(j, "final_requested_bytes", r->final_requested_bytes);
	json_u64(j, "peak_large_kmalloc_bytes", r->peak_large_bytes);
	json_u64(j, "peak_kmalloc_cache_bytes", kmalloc_peak_bytes(r));
	json_u64(j, "final_kmalloc_cache_bytes", kmalloc_end_bytes(r));
	json_double(j, "peak_slab_ratio",
		    ratio(r->peak_slab_bytes, first->peak_slab_bytes));
	json_double(j, "final_slab_ratio",
		    ratio(r->final_slab_bytes, first->final_slab_bytes));
	json_u64(j, "objects", r->allocs);
	json_u64(j, "bytes_requested", r->bytes_requested);
	json_u64(j, "bytes_allocated", r->bytes_allocated);
	json_u64(j, "kmalloc_objects", r->kmalloc_objects);
	json_u64(j, "kmalloc_bytes_requested", r->kmalloc_requested);
	json_u64(j, "kmalloc_bytes_allocated", r->kmalloc_allocated);
	json_u64(j, "packed_objects", r->packed_objects);
	json_u64(j, "kmem_buckets_objects", r->bucket_objects);
	json_u64(j, "failed_allocations", r->failed_allocs);
	json_conformance(rep, r, j);
	json_arr_begin(j, "kmalloc_caches_at_peak");
	for (uint32_t k = 0; k < r->nr_caches; k++) {
		const struct replay_cache_row *c = &r->caches[k];

		json_obj_begin(j, NULL);
		json_str(j, "name", c->name);
		json_u64(j, "active_objs", c->active_objs);
		json_u64(j, "num_objs", c->num_objs);
		json_u64(j, "objsize", c->size);
		json_u64(j, "objperslab", c->objs_per_slab);
		json_u64(j, "pagesperslab", c->pages_per_slab);
		json_u64(j, "active_slabs", c->active_slabs);
		json_u64(j, "num_slabs", c->num_slabs);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_arr_begin(j, "top_sites");
	for (uint32_t k = 0; k < r->nr_sites && k < rep->top_sites; k++) {
		const struct replay_site_row *s = &r->sites[k];

		json_obj_begin(j, NULL);
		json_str(j, "site",
			 trace_stream_site_name(rep->s, s->site, name,
						sizeof(name)));
		json_u64(j, "count", s->count);
		json_u64(j, "bytes_requested", s->req);
		json_u64(j, "bytes_allocated", s->alloc);
		json_u64(j, "bytes_lost", s->alloc - s->req);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void print_json(const struct replay_report *rep, FILE *f)
{
	struct json j;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_arr_begin(&j, "traces");
	for (size_t i = 0; i < rep->nr_traces; i++)
		json_str(&j, NULL, rep->traces[i]);
	json_arr_end(&j);
	if (rep->slabs_path)
		json_str(&j, "slabs", rep->slabs_path);
	json_events(rep, &j);
	json_kernel(rep, &j);
	json_arr_begin(&j, "policies");
	for (size_t i = 0; i < rep->nr; i++)
		json_policy(rep, i, &j);
	json_arr_end(&j);
	replay_seed_json(rep, &j);
	if (rep->pages)
		replay_pages_json(rep, rep->pages, &j);
	if (rep->dma)
		replay_dma_json(rep, &j);
	json_obj_end(&j);
	json_finish(&j);
}

/* the kernel and attribution sections of the CSV */
static void csv_kernel(const struct replay_report *rep, FILE *f)
{
	const struct replay_kernel *k = rep->kernel;
	const struct trace_attrib *a = rep->attrib;

	if (k) {
		fprintf(f,
			"section,policy,how,why,version,version_from,rules\n");
		csv_field(f, "kernel", 1);
		csv_field(f, k->policy, 0);
		csv_field(f, k->given ? "given" : "detected", 0);
		csv_field(f, k->why, 0);
		csv_field(f, k->version, 0);
		csv_field(f, k->version_from, 0);
		csv_field(f, k->rules, 0);
		csv_end(f);
	}
	if (!a)
		return;
	fprintf(f, "section,rule,kmem_cache_alloc_events\n");
	for (int i = 0; i < ATTRIB_NR_RULES; i++) {
		csv_field(f, "attribution", 1);
		csv_field(f, trace_attrib_names[i], 0);
		csv_u64(f, a->n[i], 0);
		csv_end(f);
	}
	csv_field(f, "attribution", 1);
	csv_field(f, "unknown_several_candidates", 0);
	csv_u64(f, a->ambiguous, 0);
	csv_end(f);
}

static void print_csv(const struct replay_report *rep, FILE *f)
{
	static const char *const cols[] = { "section",
					    "policy",
					    "boot",
					    "peak_slab_bytes",
					    "final_slab_bytes",
					    "peak_requested_bytes",
					    "objects",
					    "bytes_requested",
					    "bytes_allocated",
					    "bytes_alloc_mismatches",
					    "cache_bytes_alloc_mismatches",
					    "matches_kernel" };
	char name[160];

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		csv_field(f, cols[i], !i);
	csv_end(f);
	for (size_t i = 0; i < rep->nr; i++) {
		const struct replay_result *r = &rep->res[i];

		csv_field(f, "policy", 1);
		csv_field(f, r->policy, 0);
		csv_field(f, rep->res[i].boot, 0);
		csv_u64(f, r->peak_slab_bytes, 0);
		csv_u64(f, r->final_slab_bytes, 0);
		csv_u64(f, r->peak_requested_bytes, 0);
		csv_u64(f, r->allocs, 0);
		csv_u64(f, r->bytes_requested, 0);
		csv_u64(f, r->bytes_allocated, 0);
		csv_u64(f, r->bytes_alloc_mismatches, 0);
		csv_u64(f, r->cache_mismatches, 0);
		csv_field(f, matches_kernel(rep, r) ? "yes" : "no", 0);
		csv_end(f);
	}
	csv_kernel(rep, f);
	replay_seed_csv(rep, f);
	fprintf(f,
		"section,policy,cache,active_objs,num_objs,objsize,objperslab,pagesperslab,active_slabs,num_slabs\n");
	for (size_t i = 0; i < rep->nr; i++)
		for (uint32_t k = 0; k < rep->res[i].nr_caches; k++) {
			const struct replay_cache_row *c =
				&rep->res[i].caches[k];

			fprintf(f, "cache,%s,%s,%llu,%llu,%u,%u,%u,%llu,%llu\n",
				rep->res[i].policy, c->name,
				(unsigned long long)c->active_objs,
				(unsigned long long)c->num_objs, c->size,
				c->objs_per_slab, c->pages_per_slab,
				(unsigned long long)c->active_slabs,
				(unsigned long long)c->num_slabs);
		}
	fprintf(f,
		"section,policy,site,count,bytes_requested,bytes_allocated,bytes_lost\n");
	for (size_t i = 0; i < rep->nr; i++)
		for (uint32_t k = 0;
		     k < rep->res[i].nr_sites && k < rep->top_sites; k++) {
			const struct replay_site_row *s = &rep->res[i].sites[k];

			csv_field(f, "site", 1);
			csv_field(f, rep->res[i].policy, 0);
			csv_field(f,
				  trace_stream_site_name(rep->s, s->site, name,
							 sizeof(name)),
				  0);
			csv_u64(f, s->count, 0);
			csv_u64(f, s->req, 0);
			csv_u64(f, s->alloc, 0);
			csv_u64(f, s->alloc - s->req, 0);
			csv_end(f);
		}
	if (rep->pages)
		replay_pages_csv(rep, f);
	if (rep->dma)
		replay_dma_csv(rep, f);
}

void replay_print(const struct replay_report *rep, enum out_format fmt, FILE *f)
{
	for (size_t i = 0; i < rep->nr; i++)
		sort_sites(&rep->res[i]);
	if (fmt == OUT_JSON)
		print_json(rep, f);
	else if (fmt == OUT_CSV)
		print_csv(rep, f);
	else
		print_table(rep, f);
}

/* ---- gnuplot ---------------------------------------------------------------------- */

static bool have_gnuplot(void)
{
	return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

int replay_plot(const struct replay_report *rep, const char *path)
{
	const char *ext = strrchr(path, '.');
	char data[] = "/tmp/kslab-plot-XXXXXX";
	bool svg = ext && !strcmp(ext, ".svg");
	int fd, ret;
	FILE *f, *gp;

	if (!ext || (strcmp(ext, ".png") && !svg)) {
		fprintf(stderr,
			"kslab replay: --plot wants a .png or .svg file name\n");
		return -1;
	}
	if (!have_gnuplot()) {
		fprintf(stderr,
			"kslab replay: --plot needs gnuplot, which is not installed "
			"(Debian: apt-get install gnuplot-nox)\n");
		return -1;
	}
	fd = mkstemp(data);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		return -1;
	/* one row per cache name, one column per policy: KiB at the peak */
	fprintf(f, "cache");
	for (size_t i = 0; i < rep->nr; i++)
		fprintf(f, "\t%s", rep->res[i].policy);
	fputc('\n', f);
	for (size_t i = 0; i < rep->nr; i++)
		for (uint32_t k = 0; k < rep->res[i].nr_caches; k++) {
			const char *name = rep->res[i].caches[k].name;
			bool seen = false;

			for (size_t a = 0; a <= i && !seen; a++)
				for (uint32_t b = 0; b < rep->res[a].nr_caches;
				     b++)
					if ((a < i || b < k) &&
					    !strcmp(rep->res[a].caches[b].name,
						    name))
						seen = true;
			if (seen)
				continue;
			fprintf(f, "%s", name);
			for (size_t p = 0; p < rep->nr; p++) {
				double kib = 0;

				for (uint32_t b = 0; b < rep->res[p].nr_caches;
				     b++)
					if (!strcmp(rep->res[p].caches[b].name,
						    name))
						kib = rep->res[p]
							      .caches[b]
							      .num_slabs *
						      rep->res[p]
							      .caches[b]
							      .pages_per_slab *
						      (double)rep->res[p]
							      .page_size /
						      1024;
				fprintf(f, "\t%.1f", kib);
			}
			fputc('\n', f);
		}
	fclose(f);
	gp = popen("gnuplot", "w");
	if (!gp) {
		unlink(data);
		return -1;
	}
	fprintf(gp, "set terminal %s size 1200,600\nset output '%s'\n",
		svg ? "svg" : "pngcairo", path);
	fprintf(gp,
		"set style data histograms\nset style histogram clustered\n"
		"set style fill solid 0.8 border -1\nset xtics rotate by -45\n"
		"set ylabel 'slab memory at the peak (KiB)'\nset key top left\n"
		"set title 'kmalloc cache memory per policy'\n");
	fprintf(gp,
		"plot for [i=2:%zu] '%s' using i:xtic(1) title columnheader(i)\n",
		rep->nr + 1, data);
	ret = pclose(gp);
	unlink(data);
	if (ret) {
		fprintf(stderr, "kslab replay: gnuplot failed (exit %d)\n",
			WEXITSTATUS(ret));
		return -1;
	}
	fprintf(stderr, "kslab replay: wrote %s\n", path);
	return 0;
}
