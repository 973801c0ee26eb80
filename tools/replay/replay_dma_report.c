// SPDX-License-Identifier: MIT
/*
 * The "DMA" part of the replay report (--dma): what the trace held (events
 * per type, where the mapped segments lay, the devices and how they are
 * replayed), then the policies side by side: mappings played, bounces,
 * bytes copied, the swiotlb peak and the smallest pool holding it, and
 * the mappings at risk on a non-coherent device if nothing bounced.
 * Table, JSON and CSV.
 */
#include <stdlib.h>
#include <string.h>
#include "replay/replay.h"
#include "replay/replay_dma.h"
#include "trace/trace_dma.h"

typedef unsigned long long ull;

static const struct replay_dma_result *dma_of(const struct replay_report *rep,
					      size_t i)
{
	const struct replay_result *r = &rep->res[i];

	return r->ok && r->dma && r->dma->ok ? r->dma : NULL;
}

static void print_trace_counts(const struct replay_report *rep, FILE *f)
{
	const struct trace_dma *d = rep->s->dma;
	const struct trace_dma_counts *c = &d->c;

	fprintf(f, "\ndma events:");
	for (int t = 1; t < TDMA_NR_TYPES; t++)
		if (c->ev[t])
			fprintf(f, " %s %llu", trace_dma_type_name(t),
				(ull)c->ev[t]);
	fprintf(f, "; bad lines %llu\n", (ull)c->bad);
	fprintf(f, "mapped segments %llu:", (ull)c->segs_mapped);
	for (int p = 1; p < TDMA_NR_PLACES; p++)
		fprintf(f, " %s %llu (%llu bytes)", trace_dma_place_name(p),
			(ull)c->placed[p], (ull)c->bytes_placed[p]);
	fprintf(f,
		"\npairing: %llu unmaps/syncs/frees of nothing live, %llu maps never undone\n",
		(ull)c->unpaired, (ull)c->live_at_end);
	for (uint32_t f2 = 0; f2 < d->nr_files; f2++)
		fprintf(f, "linear map offset (file %u): %#llx%s\n", f2,
			(ull)d->linear_offset[f2],
			d->linear_offset[f2] ? "" :
					       " (unknown: maps not placed)");
	for (uint32_t id = 1; id <= d->devs.nr; id++)
		fprintf(f,
			"device %s: %s, %s in the trace, %llu maps, %llu traced bounces\n",
			trace_dma_dev_name(d, id),
			d->dev[id].iommu ? "behind an IOMMU" : "direct",
			d->dev[id].noncoherent ? "non-coherent" : "coherent",
			(ull)d->dev[id].maps, (ull)d->dev[id].bounced);
	fprintf(f, "replayed coherence: --dma-coherent %s\n",
		replay_dma_coherent_name(rep->dma->coherent));
}

static const char *const cols[] = {
	"policy",	 "maps",       "in objects", "on pages",
	"skipped",	 "failed",     "bounces",    "of objects",
	"bytes copied",	 "peak slots", "pool slots", "overflows",
	"smallest pool", "line",       "at risk",    "risk bytes",
	"shared-line",
};

#define NR_COLS (sizeof(cols) / sizeof(cols[0]))

static struct table *policy_table(const struct replay_report *rep)
{
	struct table *t = table_new(NR_COLS, cols, "lrrrrrrrrrrrrrrrr");

	for (size_t i = 0; t && i < rep->nr; i++) {
		const struct replay_dma_result *r = dma_of(rep, i);

		if (!r)
			continue;
		table_cell(t, "%s", rep->res[i].policy);
		table_cell(t, "%llu", (ull)r->maps);
		table_cell(t, "%llu", (ull)r->segs_obj);
		table_cell(t, "%llu", (ull)r->segs_pages);
		table_cell(t, "%llu", (ull)(r->segs_skipped + r->segs_dead));
		table_cell(t, "%llu", (ull)r->map_failures);
		table_cell(t, "%llu", (ull)r->bounces);
		table_cell(t, "%llu", (ull)r->bounces_obj);
		table_cell(t, "%llu", (ull)r->bounced_bytes);
		table_cell(t, "%llu", (ull)r->peak_slots);
		table_cell(t, "%llu", (ull)r->pool_slots);
		table_cell(t, "%llu", (ull)r->full_failures);
		if (r->full_failures)
			table_cell(t, ">%llu", (ull)r->pool_slots);
		else
			table_cell(t, "%llu", (ull)r->smallest_pool_slots);
		table_cell(t, "%u", r->cache_line);
		table_cell(t, "%llu", (ull)r->at_risk);
		table_cell(t, "%llu", (ull)r->at_risk_bytes);
		table_cell(t, "%llu", (ull)r->shared_line_warnings);
	}
	return t;
}

void replay_dma_print_table(const struct replay_report *rep, FILE *f)
{
	struct table *t;

	if (!rep->s->dma)
		return;
	if (!rep->s->dma->nr) {
		fprintf(f,
			"\ndma events: none in the trace (%llu bad lines); Linux 6.12+ "
			"traces them with -e dma:* (docs/dma.md)\n",
			(ull)rep->s->dma->c.bad);
		return;
	}
	print_trace_counts(rep, f);
	for (size_t i = 0; i < rep->nr; i++)
		if (rep->res[i].ok && rep->res[i].dma && !rep->res[i].dma->ok)
			fprintf(f, "%s: dma replay: %s\n", rep->res[i].policy,
				rep->res[i].dma->err);
		else if (rep->res[i].ok && rep->res[i].dma &&
			 rep->res[i].dma->no_device)
			fprintf(f,
				"%s: %llu dma events of devices kslab could not create (not played)\n",
				rep->res[i].policy,
				(ull)rep->res[i].dma->no_device);
	t = policy_table(rep);
	if (!t)
		return;
	fprintf(f,
		"\nDMA per policy (slots of 2 KiB; smallest pool: the peak rounded up as "
		"swiotlb= rounds, 0 = none needed, >N: the pool of N overflowed; at risk: maps of objects whose "
		"partly covered cache line reaches another slot, if non-coherent and "
		"nothing bounced):\n");
	table_print(t, f, "  ");
	table_free(t);
	for (size_t i = 0; i < rep->nr; i++) {
		const struct replay_dma_result *r = dma_of(rep, i);

		for (uint32_t k = 0; r && k < r->nr_devs; k++)
			fprintf(f,
				"  %s %s: %s%s, %s: %llu maps, %llu bounces (%llu bytes), %llu failed\n",
				rep->res[i].policy, r->devs[k].name,
				r->devs[k].iommu_modelled ? "IOMMU" : "direct",
				r->devs[k].iommu && !r->devs[k].iommu_modelled ?
					" (traced behind an IOMMU)" :
					"",
				r->devs[k].coherent ? "coherent" :
						      "non-coherent",
				(ull)r->devs[k].maps, (ull)r->devs[k].bounces,
				(ull)r->devs[k].bounced_bytes,
				(ull)r->devs[k].failures);
	}
}

void replay_dma_json(const struct replay_report *rep, struct json *j)
{
	const struct trace_dma *d = rep->s->dma;

	if (!d)
		return;
	json_obj_begin(j, "dma");
	json_str(j, "coherent", replay_dma_coherent_name(rep->dma->coherent));
	json_obj_begin(j, "events");
	for (int t = 1; t < TDMA_NR_TYPES; t++)
		json_u64(j, trace_dma_type_name(t), d->c.ev[t]);
	json_u64(j, "bad", d->c.bad);
	json_obj_end(j);
	json_obj_begin(j, "segments");
	for (int p = 1; p < TDMA_NR_PLACES; p++)
		json_u64(j, trace_dma_place_name(p), d->c.placed[p]);
	json_obj_end(j);
	json_u64(j, "unpaired", d->c.unpaired);
	json_u64(j, "live_at_end", d->c.live_at_end);
	json_obj_begin(j, "policies");
	for (size_t i = 0; i < rep->nr; i++) {
		const struct replay_dma_result *r = dma_of(rep, i);

		if (!r)
			continue;
		json_obj_begin(j, rep->res[i].policy);
		json_u64(j, "maps", r->maps);
		json_u64(j, "segments_in_objects", r->segs_obj);
		json_u64(j, "segments_on_pages", r->segs_pages);
		json_u64(j, "segments_skipped", r->segs_skipped + r->segs_dead);
		json_u64(j, "map_failures", r->map_failures);
		json_u64(j, "bounces", r->bounces);
		json_u64(j, "bounces_of_objects", r->bounces_obj);
		json_u64(j, "bounced_bytes", r->bounced_bytes);
		json_u64(j, "peak_slots", r->peak_slots);
		json_u64(j, "pool_slots", r->pool_slots);
		json_u64(j, "pool_overflows", r->full_failures);
		if (r->full_failures) /* more than the pool: not known */
			json_null(j, "smallest_pool_slots");
		else
			json_u64(j, "smallest_pool_slots",
				 r->smallest_pool_slots);
		json_u64(j, "cache_line", r->cache_line);
		json_u64(j, "at_risk", r->at_risk);
		json_u64(j, "at_risk_bytes", r->at_risk_bytes);
		json_u64(j, "shared_line_warnings", r->shared_line_warnings);
		json_obj_end(j);
	}
	json_obj_end(j);
	json_obj_end(j);
}

void replay_dma_csv(const struct replay_report *rep, FILE *f)
{
	struct table *t;

	if (!rep->s->dma || !(t = policy_table(rep)))
		return;
	table_print_csv(t, f, "dma_replay");
	table_free(t);
}
