// SPDX-License-Identifier: MIT
/*
 * The "page events" part of the replay report (--pages): what the trace
 * held and how its frees paired, then the policies side by side (pages
 * in use per zone at the peak and at the end, free pages at the end
 * beside the traced machine's), then each policy's /proc/buddyinfo at
 * the end above the traced machine's. Table, JSON and CSV.
 */
#include <stdlib.h>
#include <string.h>
#include "replay/replay.h"
#include "replay/replay_pages.h"
#include "trace/machine_files.h"
#include "trace/trace_pages.h"

#define MAX_ORDERS 64

typedef unsigned long long ull;

/* Free pages of a zone in a buddyinfo text; -1 when it is not there. */
static long long buddy_free_pages(const char *text, const char *zone)
{
	uint64_t counts[MAX_ORDERS];
	int n = buddyinfo_zone(text, zone, counts, MAX_ORDERS);
	long long pages = 0;

	if (n < 0)
		return -1;
	for (int o = 0; o < n && o < MAX_ORDERS; o++)
		pages += (long long)(counts[o] << o);
	return pages;
}

static const struct replay_pages_result *
pages_of(const struct replay_report *rep, size_t i)
{
	const struct replay_result *r = &rep->res[i];

	return r->ok && r->pages && r->pages->ok ? r->pages : NULL;
}

/* zones any policy's machine has pages in */
static bool zone_used(const struct replay_report *rep, int z)
{
	for (size_t i = 0; i < rep->nr; i++) {
		const struct replay_pages_result *p = pages_of(rep, i);

		if (p && (uint32_t)z < p->nr_zones && p->zones[z].managed)
			return true;
	}
	return false;
}

static void print_trace_counts(const struct replay_report *rep,
			       const struct replay_pages_opts *o, FILE *f)
{
	const struct trace_page_counts *c = &rep->s->pages->c;

	fprintf(f,
		"\npage events: mm_page_alloc %llu (%llu failed), mm_page_free %llu, "
		"mm_page_free_batched %llu; bad lines %llu\n",
		(ull)(c->allocs + c->failed_allocs), (ull)c->failed_allocs,
		(ull)c->frees, (ull)c->batched_frees, (ull)c->bad);
	fprintf(f,
		"pairing by pfn: %llu frees of a traced allocation; frees without one "
		"(counted, not errors): %llu first-time (%llu pages: memory entering "
		"the allocator), %llu untraced (%llu pages: allocation not traced), "
		"%llu split (%llu pages: inside a live higher-order block); "
		"%llu allocations of a live pfn, %llu order mismatches, %llu with "
		"gfp names unknown here (dropped)\n",
		(ull)c->paired_frees, (ull)c->first_frees,
		(ull)c->first_free_pages, (ull)c->untraced_frees,
		(ull)c->untraced_free_pages, (ull)c->split_frees,
		(ull)c->split_free_pages, (ull)c->double_allocs,
		(ull)c->order_mismatches, (ull)c->gfp_unknown);
	fprintf(f,
		"traced pages in use: peak %llu; at the end %llu allocations, %llu pages\n",
		(ull)c->peak_pages, (ull)c->live_allocs_at_end,
		(ull)c->live_pages_at_end);
	fprintf(f, "machine: %s (%s)\n",
		o->machine[0] ? o->machine : "each policy's own memory",
		o->machine_from);
}

#define PROW(label, expr)                                           \
	do {                                                        \
		table_cell(t, "%s", label);                         \
		for (size_t i = 0; i < rep->nr; i++) {              \
			const struct replay_pages_result *p =       \
				pages_of(rep, i);                   \
			if (!p)                                     \
				table_cell(t, "failed");            \
			else                                        \
				table_cell(t, "%llu", (ull)(expr)); \
		}                                                   \
	} while (0)

static void print_zone_rows(const struct replay_report *rep,
			    const struct replay_pages_opts *o, struct table *t)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		char label[64];
		const char *name = NULL;

		if (!zone_used(rep, z))
			continue;
		for (size_t i = 0; i < rep->nr && !name; i++)
			if (pages_of(rep, i))
				name = pages_of(rep, i)->zones[z].name;
		snprintf(label, sizeof(label), "  %s in use at peak", name);
		PROW(label, p->zones[z].peak_pages);
		snprintf(label, sizeof(label), "  %s in use at end", name);
		PROW(label, p->zones[z].end_pages);
		snprintf(label, sizeof(label), "  %s free at end", name);
		PROW(label, p->zones[z].free_end);
		if (o->traced_buddyinfo[0]) {
			long long tf =
				buddy_free_pages(o->traced_buddyinfo, name);

			snprintf(label, sizeof(label),
				 "  %s free, traced machine", name);
			table_cell(t, "%s", label);
			for (size_t i = 0; i < rep->nr; i++)
				if (tf < 0)
					table_cell(t, "-");
				else
					table_cell(t, "%lld", tf);
		}
	}
}

static void print_buddyinfo(const struct replay_report *rep,
			    const struct replay_pages_opts *o, FILE *f)
{
	for (size_t i = 0; i < rep->nr; i++) {
		const struct replay_pages_result *p = pages_of(rep, i);

		if (!p)
			continue;
		fprintf(f,
			"\n%s: /proc/buddyinfo at the end of the page replay\n%s",
			rep->res[i].policy, p->buddyinfo);
	}
	if (o->traced_buddyinfo[0])
		fprintf(f, "traced machine (%s):\n%s", o->buddyinfo_from,
			o->traced_buddyinfo);
	else
		fprintf(f, "traced machine: no buddyinfo (--buddyinfo FILE)\n");
}

void replay_pages_print_table(const struct replay_report *rep,
			      const struct replay_pages_opts *o, FILE *f)
{
	const char **hdr = calloc(rep->nr + 1, sizeof(*hdr));
	char *align = calloc(rep->nr + 2, 1);
	struct table *t;

	if (!rep->s->pages || !hdr || !align)
		goto out;
	print_trace_counts(rep, o, f);
	hdr[0] = "";
	align[0] = 'l';
	for (size_t i = 0; i < rep->nr; i++) {
		hdr[i + 1] = rep->res[i].policy;
		align[i + 1] = 'r';
	}
	t = table_new((int)rep->nr + 1, hdr, align);
	PROW("pages allocated", p->allocs);
	PROW("allocations failed", p->failed_allocs);
	PROW("frees without a page", p->unpaired_frees);
	PROW("pages in use at peak", p->peak_pages);
	PROW("pages in use at end", p->end_pages);
	print_zone_rows(rep, o, t);
	fputc('\n', f);
	table_print(t, f, "");
	table_free(t);
	fprintf(f, "\npage replay boot command lines:\n");
	for (size_t i = 0; i < rep->nr; i++)
		if (rep->res[i].pages)
			fprintf(f, "  %-16s %s%s%s\n", rep->res[i].policy,
				rep->res[i].pages->boot,
				rep->res[i].pages->ok ? "" : "  failed: ",
				rep->res[i].pages->ok ? "" :
							rep->res[i].pages->err);
	print_buddyinfo(rep, o, f);
out:
	free(hdr);
	free(align);
}

static void json_counts(const struct trace_page_counts *c, struct json *j)
{
	json_obj_begin(j, "page_events");
	json_u64(j, "mm_page_alloc", c->allocs + c->failed_allocs);
	json_u64(j, "failed_allocs", c->failed_allocs);
	json_u64(j, "mm_page_free", c->frees);
	json_u64(j, "mm_page_free_batched", c->batched_frees);
	json_u64(j, "bad", c->bad);
	json_u64(j, "paired_frees", c->paired_frees);
	json_u64(j, "first_time_frees", c->first_frees);
	json_u64(j, "first_time_free_pages", c->first_free_pages);
	json_u64(j, "untraced_frees", c->untraced_frees);
	json_u64(j, "untraced_free_pages", c->untraced_free_pages);
	json_u64(j, "split_frees", c->split_frees);
	json_u64(j, "split_free_pages", c->split_free_pages);
	json_u64(j, "allocs_of_live_pfn", c->double_allocs);
	json_u64(j, "order_mismatches", c->order_mismatches);
	json_u64(j, "gfp_unknown", c->gfp_unknown);
	json_u64(j, "peak_pages", c->peak_pages);
	json_u64(j, "live_allocs_at_end", c->live_allocs_at_end);
	json_u64(j, "live_pages_at_end", c->live_pages_at_end);
	json_obj_end(j);
}

static void json_policy(const struct replay_result *r, struct json *j)
{
	const struct replay_pages_result *p = r->pages;

	json_obj_begin(j, NULL);
	json_str(j, "name", r->policy);
	json_str(j, "boot", p->boot);
	json_bool(j, "ok", p->ok);
	if (!p->ok)
		json_str(j, "error", p->err);
	json_u64(j, "page_size", p->page_size);
	json_u64(j, "allocs", p->allocs);
	json_u64(j, "failed_allocs", p->failed_allocs);
	json_u64(j, "frees", p->frees);
	json_u64(j, "frees_without_page", p->unpaired_frees);
	json_u64(j, "order_mismatches", p->order_mismatches);
	json_u64(j, "peak_pages", p->peak_pages);
	json_u64(j, "peak_ns", p->peak_ts_ns);
	json_u64(j, "end_pages", p->end_pages);
	json_arr_begin(j, "zones");
	for (uint32_t z = 0; z < p->nr_zones; z++) {
		json_obj_begin(j, NULL);
		json_str(j, "name", p->zones[z].name);
		json_u64(j, "peak_pages", p->zones[z].peak_pages);
		json_u64(j, "end_pages", p->zones[z].end_pages);
		json_u64(j, "managed", p->zones[z].managed);
		json_u64(j, "free_end", p->zones[z].free_end);
		json_u64(j, "pcp_end", p->zones[z].pcp_end);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_str(j, "buddyinfo", p->buddyinfo);
	json_obj_end(j);
}

void replay_pages_json(const struct replay_report *rep,
		       const struct replay_pages_opts *o, struct json *j)
{
	if (!rep->s->pages)
		return;
	json_obj_begin(j, "pages");
	json_counts(&rep->s->pages->c, j);
	json_str(j, "machine", o->machine);
	json_str(j, "machine_from", o->machine_from);
	if (o->traced_buddyinfo[0]) {
		json_str(j, "traced_buddyinfo", o->traced_buddyinfo);
		json_str(j, "traced_buddyinfo_from", o->buddyinfo_from);
	}
	json_arr_begin(j, "policies");
	for (size_t i = 0; i < rep->nr; i++)
		if (rep->res[i].pages)
			json_policy(&rep->res[i], j);
	json_arr_end(j);
	json_obj_end(j);
}

static void csv_policies(const struct replay_report *rep, FILE *f)
{
	fprintf(f, "section,policy,boot,allocs,failed_allocs,frees,"
		   "frees_without_page,peak_pages,end_pages\n");
	for (size_t i = 0; i < rep->nr; i++) {
		const struct replay_pages_result *p = pages_of(rep, i);

		if (!p)
			continue;
		csv_field(f, "page_replay", 1);
		csv_field(f, rep->res[i].policy, 0);
		csv_field(f, p->boot, 0);
		csv_u64(f, p->allocs, 0);
		csv_u64(f, p->failed_allocs, 0);
		csv_u64(f, p->frees, 0);
		csv_u64(f, p->unpaired_frees, 0);
		csv_u64(f, p->peak_pages, 0);
		csv_u64(f, p->end_pages, 0);
		csv_end(f);
	}
}

void replay_pages_csv(const struct replay_report *rep, FILE *f)
{
	csv_policies(rep, f);
	fprintf(f,
		"section,policy,zone,peak_pages,end_pages,managed,free_end,pcp_end\n");
	for (size_t i = 0; i < rep->nr; i++) {
		const struct replay_pages_result *p = pages_of(rep, i);

		for (uint32_t z = 0; p && z < p->nr_zones; z++) {
			const struct replay_pages_zone *pz = &p->zones[z];

			csv_field(f, "pages", 1);
			csv_field(f, rep->res[i].policy, 0);
			csv_field(f, pz->name, 0);
			csv_u64(f, pz->peak_pages, 0);
			csv_u64(f, pz->end_pages, 0);
			csv_u64(f, pz->managed, 0);
			csv_u64(f, pz->free_end, 0);
			csv_u64(f, pz->pcp_end, 0);
			csv_end(f);
		}
	}
}
