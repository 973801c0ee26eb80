/* SPDX-License-Identifier: MIT */
/*
 * kslab replay --dma: each policy also plays the trace's dma: events
 * (trace_dma.h) during its slab replay, on the same machine, on simulated
 * devices named as the traced ones (see docs/dma.md, "Replaying dma:
 * traces").
 *
 *   map inside a live traced  dma_map_single() of the replayed object at
 *   slab object               the same offset and size
 *   map outside any object    dma_map_page() of pages of its own, allocated
 *                             for the mapping (same offset in the page,
 *                             same size) and freed at its unmap
 *   map_sg                    a scatterlist of such entries, dma_map_sg()
 *   unmap, unmap_sg, sync     the same call on what its map was played as
 *   dma_alloc / dma_free      dma_alloc_coherent() / dma_free_coherent()
 *
 * A device is behind an IOMMU when the trace says so (a DMA address that
 * is not the physical one), coherent as traced unless --dma-coherent says
 * otherwise. Measured per policy: mappings that bounced, bytes copied,
 * the peak of swiotlb slots in use and the smallest pool that holds it,
 * and the mappings of slab objects that would lose bytes on a
 * non-coherent device if nothing bounced (a partly covered cache line
 * reaching beyond the object's slot).
 */
#ifndef KSLAB_TOOL_REPLAY_DMA_H
#define KSLAB_TOOL_REPLAY_DMA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "output/output.h"
#include "trace/trace_stream.h"

enum replay_dma_coherent {
	REPLAY_DMA_AS_TRACED, /* coherent unless the trace shows syncs/bounces */
	REPLAY_DMA_COHERENT,
	REPLAY_DMA_NONCOHERENT,
};

struct replay_dma_opts {
	enum replay_dma_coherent coherent;
};

#define REPLAY_DMA_DEVS 16

struct replay_dma_dev_row {
	char name[48];
	bool iommu;	     /* behind an IOMMU in the trace */
	bool iommu_modelled; /* ... and in the replay */
	bool coherent;	     /* as replayed */
	uint64_t maps, bounces, bounced_bytes, failures;
};

struct replay_dma_result {
	int ok;
	char err[160];
	uint64_t maps;	       /* map and map_sg events played */
	uint64_t segs_obj;     /* segments mapped inside replayed objects */
	uint64_t segs_pages;   /* ... on pages of their own */
	uint64_t segs_skipped; /* unplaceable, straddling, size unknown */
	uint64_t segs_dead;    /* the replayed object was not live */
	uint64_t map_failures; /* DMA_MAPPING_ERROR */
	uint64_t unmaps, syncs, allocs, frees, alloc_failures, unpaired;
	uint64_t bounces, bounces_obj, bounced_bytes;
	uint64_t traced_bounces; /* swiotlb_bounced events */
	uint64_t no_device;	 /* events of a device kslab could not make */
	uint64_t pool_slots, pool_areas, peak_slots, full_failures;
	uint64_t smallest_pool_slots;	 /* 0: none needed, or unknown
					  * when the pool overflowed */
	unsigned int cache_line;	 /* dma_get_cache_alignment() */
	uint64_t at_risk, at_risk_bytes; /* if non-coherent, nothing bounced */
	uint64_t shared_line_warnings;	 /* the library's, as replayed */
	uint32_t nr_devs;
	struct replay_dma_dev_row devs[REPLAY_DMA_DEVS];
};

struct replay_dma_state;
struct kmem_cache;

/*
 * Before the policy's first event (machine booted): devices made, state
 * ready. obj: the replay's objects by pointer id, objcache: the cache of
 * each kmem_cache_alloc object, else NULL (both read as events play).
 * NULL when s has no dma events or out of memory (r->err says which).
 */
struct replay_dma_state *replay_dma_begin(const struct trace_stream *s,
					  const struct replay_dma_opts *o,
					  void *const *obj,
					  struct kmem_cache *const *objcache,
					  struct replay_dma_result *r);
/* Play the dma events that came before slab event slab_pos. */
void replay_dma_until(struct replay_dma_state *st, uint64_t slab_pos);
/* After the last event, machine still booted: measure, undo, free. */
void replay_dma_end(struct replay_dma_state *st);

const char *replay_dma_coherent_name(enum replay_dma_coherent c);
/* "yes", "no", "traced": 0, or -1 for anything else */
int replay_dma_coherent_parse(const char *v, enum replay_dma_coherent *c);

struct replay_report;
/* The "DMA" part of the table, JSON and CSV reports. */
void replay_dma_print_table(const struct replay_report *rep, FILE *f);
void replay_dma_json(const struct replay_report *rep, struct json *j);
void replay_dma_csv(const struct replay_report *rep, FILE *f);

#endif
