// SPDX-License-Identifier: MIT
/*
 * The seed's table: the small kmalloc caches' objects after the trace,
 * every policy side by side, as the __GFP_PACKED post showed a Cavium
 * TX2's /proc/slabinfo after boot (kmalloc-8 .. kmalloc-128, active and
 * total objects). Here the rows run from kmalloc-8 to kmalloc-192 (the
 * classes ARCH_KMALLOC_MINALIGN decides) and each cell is one policy's
 * "active/total" of the plain (KMALLOC_NORMAL) cache; a policy whose
 * minimum removes a class shows "-". A last row gives the memory the
 * rows' slabs hold. When the trace has the traced machine's
 * /proc/slabinfo beside it (DIR/slabinfo for DIR/trace.xz), its rows
 * come last, for a look at what the trace did not see (allocations
 * before tracing began, after it stopped, in bulk).
 *
 *   cache          x86_64   arm64-legacy ...
 *   kmalloc-8      1536/1536    -
 *   ...
 *   kmalloc-128    288/288      10816/10816
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "replay/replay.h"
#include "trace/machine_files.h"

static const char *const seed_caches[] = {
	"kmalloc-8",  "kmalloc-16",  "kmalloc-32",  "kmalloc-64",
	"kmalloc-96", "kmalloc-128", "kmalloc-192",
};
#define NR_SEED (sizeof(seed_caches) / sizeof(seed_caches[0]))

static const struct replay_cache_row *find_row(const struct replay_result *r,
					       const char *name)
{
	for (uint32_t k = 0; k < r->nr_caches_end; k++)
		if (!strcmp(r->caches_end[k].name, name))
			return &r->caches_end[k];
	return NULL;
}

struct traced_row {
	unsigned long long active, total, slabs, pages;
	int found;
};

/* The seed rows of the traced machine's slabinfo; 0 if there is none. */
static int read_traced(const struct replay_report *rep, struct traced_row *row)
{
	char *path, line[512], name[64];
	FILE *f;
	int found = 0;

	if (rep->nr_traces != 1 ||
	    !(path = machine_file_beside(rep->traces[0], "slabinfo")))
		return 0;
	f = fopen(path, "r");
	free(path);
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, t, sz, per, pg, as, ns;

		if (sscanf(line,
			   "%63s %llu %llu %llu %llu %llu : tunables %*u %*u %*u : slabdata %llu %llu",
			   name, &a, &t, &sz, &per, &pg, &as, &ns) != 8)
			continue;
		for (size_t k = 0; k < NR_SEED; k++)
			if (!strcmp(name, seed_caches[k])) {
				row[k] = (struct traced_row){ a, t, ns, pg, 1 };
				found = 1;
			}
	}
	fclose(f);
	return found;
}

/* the bytes the seed rows' slabs hold under r */
static uint64_t seed_bytes(const struct replay_result *r)
{
	uint64_t n = 0;

	for (size_t i = 0; i < NR_SEED; i++) {
		const struct replay_cache_row *c = find_row(r, seed_caches[i]);

		if (c)
			n += replay_rows_bytes(r, c, 1);
	}
	return n;
}

void replay_seed_print_table(const struct replay_report *rep, FILE *f)
{
	const char **hdr = calloc(rep->nr + 2, sizeof(*hdr));
	char *align = calloc(rep->nr + 3, 1);
	struct traced_row traced[NR_SEED] = { 0 };
	int has_traced = read_traced(rep, traced);
	unsigned long long traced_pages = 0;
	struct table *t;

	if (!hdr || !align)
		goto out;
	hdr[0] = "cache";
	align[0] = 'l';
	for (size_t i = 0; i < rep->nr; i++) {
		hdr[i + 1] = rep->res[i].policy;
		align[i + 1] = 'r';
	}
	if (has_traced) {
		hdr[rep->nr + 1] = "traced machine";
		align[rep->nr + 1] = 'r';
	}
	t = table_new((int)rep->nr + 1 + has_traced, hdr, align);
	for (size_t k = 0; k < NR_SEED; k++) {
		table_cell(t, "%s", seed_caches[k]);
		for (size_t i = 0; i < rep->nr; i++) {
			const struct replay_cache_row *c =
				rep->res[i].ok ?
					find_row(&rep->res[i], seed_caches[k]) :
					NULL;

			if (c)
				table_cell(t, "%llu/%llu",
					   (unsigned long long)c->active_objs,
					   (unsigned long long)c->num_objs);
			else
				table_cell(t, "-");
		}
		if (!has_traced)
			continue;
		if (traced[k].found)
			table_cell(t, "%llu/%llu", traced[k].active,
				   traced[k].total);
		else
			table_cell(t, "-");
		traced_pages += traced[k].slabs * traced[k].pages;
	}
	table_cell(t, "memory (KiB)");
	for (size_t i = 0; i < rep->nr; i++)
		table_cell(t, "%.1f", seed_bytes(&rep->res[i]) / 1024.0);
	if (has_traced) /* slabinfo counts pages of the machine's size */
		table_cell(t, "%.1f",
			   traced_pages * (double)rep->res[0].page_size / 1024);
	fprintf(f,
		"\nsmall kmalloc caches after the trace (active/total objects, "
		"as the seed's slabinfo):\n");
	table_print(t, f, "");
	table_free(t);
out:
	free(hdr);
	free(align);
}

void replay_seed_json(const struct replay_report *rep, struct json *j)
{
	json_arr_begin(j, "small_kmalloc_caches_at_end");
	for (size_t k = 0; k < NR_SEED; k++) {
		json_obj_begin(j, NULL);
		json_str(j, "name", seed_caches[k]);
		json_obj_begin(j, "policies");
		for (size_t i = 0; i < rep->nr; i++) {
			const struct replay_cache_row *c =
				find_row(&rep->res[i], seed_caches[k]);

			json_obj_begin(j, rep->res[i].policy);
			json_u64(j, "active_objs", c ? c->active_objs : 0);
			json_u64(j, "num_objs", c ? c->num_objs : 0);
			json_u64(j, "num_slabs", c ? c->num_slabs : 0);
			json_obj_end(j);
		}
		json_obj_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void replay_seed_csv(const struct replay_report *rep, FILE *f)
{
	fprintf(f,
		"section,policy,cache,active_objs,num_objs,objsize,objperslab,pagesperslab,active_slabs,num_slabs\n");
	for (size_t i = 0; i < rep->nr; i++)
		for (uint32_t k = 0; k < rep->res[i].nr_caches_end; k++) {
			const struct replay_cache_row *c =
				&rep->res[i].caches_end[k];

			fprintf(f,
				"cache_end,%s,%s,%llu,%llu,%u,%u,%u,%llu,%llu\n",
				rep->res[i].policy, c->name,
				(unsigned long long)c->active_objs,
				(unsigned long long)c->num_objs, c->size,
				c->objs_per_slab, c->pages_per_slab,
				(unsigned long long)c->active_slabs,
				(unsigned long long)c->num_slabs);
		}
}
