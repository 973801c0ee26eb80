// SPDX-License-Identifier: MIT
/*
 * The `kslab trace-stats` report in its three formats: aligned tables,
 * JSON (documented in docs/trace-formats.md) and CSV (one uniform row
 * layout: section,name,count,bytes_req,bytes_alloc,waste).
 */
#include <stdlib.h>
#include <string.h>
#include "trace/trace_stats.h"

struct named {
	const char *name;
	uint64_t v;
};

#define NR(a) (sizeof(a) / sizeof((a)[0]))

static size_t event_rows(const struct trace_stream *s, struct named *r)
{
	const struct trace_counts *c = &s->counts;
	size_t n = 0;

	for (int i = 0; i < TRACE_EV_NR_NAMES; i++)
		if (i < TRACE_EV_KMALLOC_NODE || c->ev[i])
			r[n++] = (struct named){ trace_ev_names[i], c->ev[i] };
	r[n++] = (struct named){ "events", c->events };
	r[n++] = (struct named){ "lines", c->lines };
	r[n++] = (struct named){ "skipped", c->skipped };
	r[n++] = (struct named){ "bad", c->bad };
	r[n++] = (struct named){ "lost_markers", c->lost_markers };
	r[n++] = (struct named){ "lost_events", c->lost_events };
	r[n++] = (struct named){ "input_errors", c->input_errors };
	return n;
}

static size_t pairing_rows(const struct trace_stream *s, struct named *r)
{
	const struct trace_pairing *p = &s->pair;
	size_t n = 0;

	r[n++] = (struct named){ "allocations", p->allocs };
	r[n++] = (struct named){ "frees", p->frees };
	r[n++] = (struct named){ "failed_allocations", p->failed_allocs };
	r[n++] = (struct named){ "zero_size_allocations", p->zero_size_allocs };
	r[n++] = (struct named){ "null_frees", p->null_frees };
	r[n++] = (struct named){ "unmatched_frees", p->unmatched_frees };
	r[n++] = (struct named){ "double_frees", p->double_frees };
	r[n++] = (struct named){ "double_allocations", p->double_allocs };
	r[n++] = (struct named){ "cross_type_frees", p->cross_frees };
	r[n++] = (struct named){ "never_freed", p->live_at_end };
	r[n++] = (struct named){ "peak_live_objects", p->peak_objects };
	r[n++] = (struct named){ "peak_live_bytes_alloc", p->peak_bytes_alloc };
	return n;
}

static const char *file_name(const struct trace_stream *s, uint32_t i)
{
	return i < s->nr_files ? s->files[i].path : "-";
}

static uint64_t waste(const struct trace_sum *s)
{
	return s->bytes_alloc > s->bytes_req ? s->bytes_alloc - s->bytes_req :
					       0;
}

static const char *hist_name(const struct trace_stats *st, uint32_t b,
			     char *buf, size_t len)
{
	if (st->hist_limit[b] == UINT64_MAX)
		snprintf(buf, len, ">%llu",
			 (unsigned long long)st->hist_limit[b - 1]);
	else
		snprintf(buf, len, "<=%llu",
			 (unsigned long long)st->hist_limit[b]);
	return buf;
}

struct top_lists {
	uint32_t *count, *waste, *cache;
	uint32_t nr_count, nr_waste, nr_cache;
};

static int top_lists(const struct trace_stats *st, uint32_t n,
		     struct top_lists *t)
{
	t->count = calloc(n + 1, sizeof(uint32_t));
	t->waste = calloc(n + 1, sizeof(uint32_t));
	t->cache = calloc(n + 1, sizeof(uint32_t));
	if (!t->count || !t->waste || !t->cache)
		return -1;
	t->nr_count = trace_stats_top_sites(st, 0, t->count, n);
	t->nr_waste = trace_stats_top_sites(st, 1, t->waste, n);
	t->nr_cache = trace_stats_top_caches(st, t->cache, n);
	return 0;
}

static const char *cache_name(const struct trace_stream *s, uint32_t id)
{
	return id ? trace_stream_cache_name(s, id) : "(kmalloc)";
}

/* ---- table ---------------------------------------------------------- */

static void print_named(FILE *f, const char *title, const struct named *r,
			size_t n)
{
	static const char *const hdr[] = { "name", "count" };
	struct table *t = table_new(2, hdr, "lr");

	for (size_t i = 0; i < n; i++) {
		table_cell(t, "%s", r[i].name);
		table_cell(t, "%llu", (unsigned long long)r[i].v);
	}
	fprintf(f, "%s\n", title);
	table_print(t, f, "  ");
	fputc('\n', f);
	table_free(t);
}

static void sum_cells(struct table *t, const struct trace_sum *v)
{
	table_cell(t, "%llu", (unsigned long long)v->count);
	table_cell(t, "%llu", (unsigned long long)v->bytes_req);
	table_cell(t, "%llu", (unsigned long long)v->bytes_alloc);
	table_cell(t, "%llu", (unsigned long long)waste(v));
	table_cell(t, "%.1f%%",
		   v->bytes_alloc ?
			   100.0 * (double)waste(v) / (double)v->bytes_alloc :
			   0.0);
}

static void print_sites(FILE *f, const char *title,
			const struct trace_stream *s,
			const struct trace_stats *st, const uint32_t *ids,
			uint32_t n, int caches)
{
	static const char *const hdr[] = { "name",	  "allocs", "bytes_req",
					   "bytes_alloc", "waste",  "waste%" };
	struct table *t = table_new(6, hdr, "lrrrrr");
	char buf[256];

	for (uint32_t i = 0; i < n; i++) {
		if (caches)
			table_cell(t, "%s", cache_name(s, ids[i]));
		else
			table_cell(t, "%s",
				   trace_stream_site_name(s, ids[i], buf,
							  sizeof(buf)));
		sum_cells(t, caches ? &st->cache[ids[i]] : &st->site[ids[i]]);
	}
	fprintf(f, "%s\n", title);
	table_print(t, f, "  ");
	fputc('\n', f);
	table_free(t);
}

static void print_hist(FILE *f, const struct trace_stats *st)
{
	static const char *const hdr[] = {
		"bytes_req", "allocs", "%", "cum%", "bytes_alloc", "waste"
	};
	struct table *t = table_new(6, hdr, "rrrrrr");
	uint64_t total = 0, cum = 0;
	char buf[32];

	for (uint32_t b = 0; b < st->nr_hist; b++)
		total += st->hist[b].count;
	for (uint32_t b = 0; b < st->nr_hist; b++) {
		cum += st->hist[b].count;
		table_cell(t, "%s", hist_name(st, b, buf, sizeof(buf)));
		table_cell(t, "%llu", (unsigned long long)st->hist[b].count);
		table_cell(t, "%.1f",
			   total ? 100.0 * (double)st->hist[b].count /
					   (double)total :
				   0.0);
		table_cell(t, "%.1f",
			   total ? 100.0 * (double)cum / (double)total : 0.0);
		table_cell(t, "%llu",
			   (unsigned long long)st->hist[b].bytes_alloc);
		table_cell(t, "%llu", (unsigned long long)waste(&st->hist[b]));
	}
	fprintf(f, "kmalloc requests by size (x86_64 classes)\n");
	table_print(t, f, "  ");
	fputc('\n', f);
	table_free(t);
}

static uint64_t kmallocs(const struct trace_stream *s)
{
	return s->counts.ev[TRACE_EV_KMALLOC] +
	       s->counts.ev[TRACE_EV_KMALLOC_NODE];
}

void trace_print_issues(FILE *f, const struct trace_stream *s)
{
	for (int k = 0; k < TRACE_ISSUE_NR_KINDS; k++) {
		uint64_t n = s->nr_issues[k];

		if (!n)
			continue;
		fprintf(f, "%s: %llu%s\n", trace_issue_names[k],
			(unsigned long long)n,
			n > TRACE_ISSUES_KEPT ? ", the first:" : "");
		for (uint64_t i = 0; i < n && i < TRACE_ISSUES_KEPT; i++) {
			const struct trace_issue *is = &s->issues[k][i];

			fprintf(f, "  %s:%llu: %s\n", file_name(s, is->file),
				(unsigned long long)is->lineno, is->text);
		}
	}
}

static void print_table(const struct trace_stream *s,
			const struct trace_stats *st, const struct top_lists *t,
			FILE *f)
{
	struct named r[32];

	for (uint32_t i = 0; i < s->nr_files; i++)
		fprintf(f, "trace: %s\n", s->files[i].path);
	fprintf(f, "cpus: %u\n\n", s->max_cpu + 1);
	print_named(f, "events", r, event_rows(s, r));
	print_named(f, "pairing (by pointer)", r, pairing_rows(s, r));
	print_sites(f, "top call sites by allocations", s, st, t->count,
		    t->nr_count, 0);
	print_sites(f, "top call sites by bytes lost to the size class", s, st,
		    t->waste, t->nr_waste, 0);
	print_sites(f, "top caches by allocations", s, st, t->cache,
		    t->nr_cache, 1);
	print_hist(f, st);
	fprintf(f,
		"x86_64 conformance: %llu of %llu kmalloc events have "
		"bytes_alloc = the x86_64 size class of bytes_req\n",
		(unsigned long long)(kmallocs(s) - st->kmalloc_class_mismatch),
		(unsigned long long)kmallocs(s));
	trace_print_issues(f, s);
}

/* ---- JSON ----------------------------------------------------------- */

static void json_named(struct json *j, const char *key, const struct named *r,
		       size_t n)
{
	json_obj_begin(j, key);
	for (size_t i = 0; i < n; i++)
		json_u64(j, r[i].name, r[i].v);
	json_obj_end(j);
}

static void json_sum(struct json *j, const struct trace_sum *v)
{
	json_u64(j, "allocs", v->count);
	json_u64(j, "bytes_req", v->bytes_req);
	json_u64(j, "bytes_alloc", v->bytes_alloc);
	json_u64(j, "waste", waste(v));
}

static void json_sites(struct json *j, const char *key,
		       const struct trace_stream *s,
		       const struct trace_stats *st, const uint32_t *ids,
		       uint32_t n)
{
	char buf[256];

	json_arr_begin(j, key);
	for (uint32_t i = 0; i < n; i++) {
		json_obj_begin(j, NULL);
		json_str(j, "site",
			 trace_stream_site_name(s, ids[i], buf, sizeof(buf)));
		json_str(j, "function", trace_stream_site_func(s, ids[i]));
		json_u64(j, "offset", s->sites[ids[i]].offset);
		json_sum(j, &st->site[ids[i]]);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_issues(struct json *j, const struct trace_stream *s)
{
	json_obj_begin(j, "issues");
	for (int k = 0; k < TRACE_ISSUE_NR_KINDS; k++) {
		json_obj_begin(j, trace_issue_names[k]);
		json_u64(j, "count", s->nr_issues[k]);
		json_arr_begin(j, "first");
		for (uint64_t i = 0;
		     i < s->nr_issues[k] && i < TRACE_ISSUES_KEPT; i++) {
			const struct trace_issue *is = &s->issues[k][i];

			json_obj_begin(j, NULL);
			json_str(j, "file", file_name(s, is->file));
			json_u64(j, "line", is->lineno);
			json_str(j, "text", is->text);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
	}
	json_obj_end(j);
}

static void print_json(const struct trace_stream *s,
		       const struct trace_stats *st, const struct top_lists *t,
		       FILE *f)
{
	struct named r[32];
	struct json j;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_arr_begin(&j, "files");
	for (uint32_t i = 0; i < s->nr_files; i++)
		json_str(&j, NULL, s->files[i].path);
	json_arr_end(&j);
	json_u64(&j, "cpus", s->max_cpu + 1);
	json_named(&j, "events", r, event_rows(s, r));
	json_named(&j, "pairing", r, pairing_rows(s, r));
	json_sites(&j, "top_sites_by_count", s, st, t->count, t->nr_count);
	json_sites(&j, "top_sites_by_waste", s, st, t->waste, t->nr_waste);
	json_arr_begin(&j, "top_caches");
	for (uint32_t i = 0; i < t->nr_cache; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "cache", cache_name(s, t->cache[i]));
		json_sum(&j, &st->cache[t->cache[i]]);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "kmalloc_histogram");
	for (uint32_t b = 0; b < st->nr_hist; b++) {
		json_obj_begin(&j, NULL);
		if (st->hist_limit[b] == UINT64_MAX)
			json_null(&j, "max_bytes_req");
		else
			json_u64(&j, "max_bytes_req", st->hist_limit[b]);
		json_sum(&j, &st->hist[b]);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_begin(&j, "x86_64_conformance");
	json_u64(&j, "kmalloc_events", kmallocs(s));
	json_u64(&j, "bytes_alloc_mismatches", st->kmalloc_class_mismatch);
	json_obj_end(&j);
	json_issues(&j, s);
	json_obj_end(&j);
	json_finish(&j);
}

/* ---- CSV ------------------------------------------------------------ */

static void csv_row(FILE *f, const char *section, const char *name,
		    uint64_t count, const struct trace_sum *v)
{
	csv_field(f, section, 1);
	csv_field(f, name, 0);
	csv_u64(f, count, 0);
	if (v) {
		csv_u64(f, v->bytes_req, 0);
		csv_u64(f, v->bytes_alloc, 0);
		csv_u64(f, waste(v), 0);
	} else {
		fputs(",,,", f);
	}
	csv_end(f);
}

static void print_csv(const struct trace_stream *s,
		      const struct trace_stats *st, const struct top_lists *t,
		      FILE *f)
{
	struct named r[32];
	char buf[256];
	size_t n;

	fputs("section,name,count,bytes_req,bytes_alloc,waste\n", f);
	n = event_rows(s, r);
	for (size_t i = 0; i < n; i++)
		csv_row(f, "events", r[i].name, r[i].v, NULL);
	n = pairing_rows(s, r);
	for (size_t i = 0; i < n; i++)
		csv_row(f, "pairing", r[i].name, r[i].v, NULL);
	for (uint32_t i = 0; i < t->nr_count; i++)
		csv_row(f, "top_sites_by_count",
			trace_stream_site_name(s, t->count[i], buf,
					       sizeof(buf)),
			st->site[t->count[i]].count, &st->site[t->count[i]]);
	for (uint32_t i = 0; i < t->nr_waste; i++)
		csv_row(f, "top_sites_by_waste",
			trace_stream_site_name(s, t->waste[i], buf,
					       sizeof(buf)),
			st->site[t->waste[i]].count, &st->site[t->waste[i]]);
	for (uint32_t i = 0; i < t->nr_cache; i++)
		csv_row(f, "top_caches", cache_name(s, t->cache[i]),
			st->cache[t->cache[i]].count, &st->cache[t->cache[i]]);
	for (uint32_t b = 0; b < st->nr_hist; b++)
		csv_row(f, "kmalloc_histogram",
			hist_name(st, b, buf, sizeof(buf)), st->hist[b].count,
			&st->hist[b]);
	csv_row(f, "x86_64_conformance", "bytes_alloc_mismatches",
		st->kmalloc_class_mismatch, NULL);
}

int trace_stats_print(const struct trace_stream *s,
		      const struct trace_stats *st, enum out_format fmt,
		      uint32_t top, FILE *f)
{
	struct top_lists t = { 0 };
	int ret = top_lists(st, top, &t);

	if (!ret) {
		if (fmt == OUT_JSON)
			print_json(s, st, &t, f);
		else if (fmt == OUT_CSV)
			print_csv(s, st, &t, f);
		else
			print_table(s, st, &t, f);
	}
	free(t.count);
	free(t.waste);
	free(t.cache);
	return ret;
}
