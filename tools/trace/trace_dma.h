/* SPDX-License-Identifier: MIT */
/*
 * dma: and swiotlb: events (Linux 6.12+), read beside the slab events
 * when asked for (kslab replay --dma). The bodies read, as the kernel's
 * print formats write them (6.12; 6.18 renamed dma_map_page/dma_unmap_page
 * to dma_map_phys/dma_unmap_phys with the same fields):
 *
 *   dma_map_page|phys    DEV dir=D dma_addr=%llx size=%zu phys_addr=%llx attrs=A
 *   dma_unmap_page|phys  DEV dir=D dma_addr=%llx size=%zu attrs=A
 *   dma_map_sg           DEV dir=D nents=%d/%d ents=%d/%d[ [TRUNCATED]]
 *                        dma_addrs={..} sizes={..} phys_addrs={..} attrs=A
 *   dma_unmap_sg         DEV dir=D phys_addrs={..} attrs=A
 *   dma_sync_single_for_cpu|device  DEV dir=D dma_addr=%llx size=%zu
 *   dma_sync_sg_for_cpu|device      DEV dir=D dma_addrs={..} sizes={..}
 *   dma_alloc, dma_free  DEV dir=D dma_addr=%llx size=%zu virt_addr=%p ...
 *   swiotlb_bounced      dev_name: DEV dma_mask=%llx dev_addr=%llx
 *                        size=%zu NORMAL|FORCE
 *
 * Arrays ({0x1,0x2}) are hex. Before 6.12 dma_map_page printed no
 * physical address: such a map cannot be placed and is counted.
 *
 * trace_dma_finish() then, per file: marks the devices behind an IOMMU
 * (a map whose DMA address is not its physical address: dma-direct maps
 * phys to itself), reads the linear-map offset off the trace (virt_addr -
 * dma_addr of a dma_alloc of a device not behind an IOMMU: that
 * dma_addr is the physical address), places every mapped segment inside
 * the traced slab object live at that moment (by pointer value and
 * bytes_alloc) or outside any, and pairs every unmap and sync with its
 * map and every dma_free with its dma_alloc.
 */
#ifndef KSLAB_TOOL_TRACE_DMA_H
#define KSLAB_TOOL_TRACE_DMA_H

#include <stddef.h>
#include <stdint.h>
#include "trace/intern.h"
#include "trace/trace_parse.h"

struct trace_stream;

enum tdma_type {
	TDMA_MAP = 1, /* dma_map_page, dma_map_phys */
	TDMA_UNMAP,   /* dma_unmap_page, dma_unmap_phys */
	TDMA_MAP_SG,
	TDMA_UNMAP_SG,
	TDMA_SYNC_CPU, /* dma_sync_single_for_cpu */
	TDMA_SYNC_DEV,
	TDMA_SYNC_SG_CPU,
	TDMA_SYNC_SG_DEV,
	TDMA_ALLOC,
	TDMA_FREE,
	TDMA_BOUNCED, /* swiotlb_bounced */
	TDMA_NR_TYPES,
};

/* where a mapped segment lies in the traced memory */
enum tdma_place {
	TDMA_PLACE_NONE, /* not a mapped segment, or not placed */
	TDMA_IN_KMALLOC, /* inside a live kmalloc object */
	TDMA_IN_CACHE,	 /* inside a live kmem_cache_alloc object */
	TDMA_OUTSIDE,	 /* in no live traced object (pages) */
	TDMA_STRADDLES,	 /* begins in an object, ends beyond it */
	TDMA_NO_PHYS,	 /* no physical address printed */
	TDMA_NR_PLACES,
};

#define TDMA_F_TRUNCATED (1u << 0) /* an sg list cut at 128 entries */
#define TDMA_F_FORCE (1u << 1)	   /* swiotlb_bounced ... FORCE */

/* One segment: of a map (phys, dma, size), unmap_sg (phys), sync (dma) */
struct trace_dma_seg {
	uint64_t phys, dma;
	uint32_t size;
	uint32_t obj;  /* pointer id of the object it lies in, 0 none */
	uint32_t off;  /* offset in that object */
	uint8_t place; /* enum tdma_place */
	uint8_t pad[3];
};

struct trace_dma_event {
	uint64_t slab_pos; /* slab events (s->ev) before this one */
	uint64_t size;	   /* map/unmap/sync/alloc/free: size= */
	uint64_t virt;	   /* alloc/free: virt_addr; bounced: dma_mask */
	uint32_t first_seg, nr_segs;
	uint32_t dev;	/* device name id in dma->devs */
	uint32_t pair;	/* unmap/sync/free: 1 + index of its map, 0 none */
	uint32_t attrs; /* DMA_ATTR_* bits */
	uint16_t cpu, file;
	uint8_t type; /* enum tdma_type */
	uint8_t dir;  /* enum dma_data_direction */
	uint8_t flags;
	uint8_t pad;
};

struct trace_dma_counts {
	uint64_t ev[TDMA_NR_TYPES];	 /* by type */
	uint64_t bad;			 /* malformed dma lines */
	uint64_t segs_mapped;		 /* map and map_sg segments */
	uint64_t placed[TDMA_NR_PLACES]; /* mapped segments by place */
	uint64_t bytes_placed[TDMA_NR_PLACES];
	uint64_t unpaired;    /* unmap/sync/free of nothing live */
	uint64_t live_at_end; /* maps and allocs never undone */
	uint64_t truncated;   /* sg lists cut by the tracepoint */
};

/* per device name, over all files */
struct trace_dma_dev {
	uint8_t iommu;	     /* a map with dma_addr != phys_addr */
	uint8_t noncoherent; /* syncs or non-forced bounces seen */
	uint8_t mask_bits;   /* from swiotlb_bounced, 0 unknown */
	uint8_t pad;
	uint64_t maps, bounced;
};

struct trace_dma {
	struct trace_dma_event *ev;
	size_t nr, cap;
	struct trace_dma_seg *seg;
	size_t nr_segs, segs_cap;
	struct strtab devs;
	struct trace_dma_dev *dev; /* by device id, devs.nr + 1 */
	uint64_t *linear_offset;   /* by file: virt - phys, 0 unknown */
	uint32_t nr_files;
	struct trace_dma_counts c;
	int finished;
};

/* Parser side: a dma/swiotlb event's name, -1 if not one read here. */
int trace_dma_ev_lookup(const char *name, size_t len);
const char *trace_dma_type_name(enum tdma_type type);
const char *trace_dma_place_name(enum tdma_place place);

struct trace_dma *trace_dma_new(void);
void trace_dma_free(struct trace_dma *d);
/*
 * One dma line (l->body the text after the name), of file number file,
 * after slab_pos slab events: 0 added, 1 malformed (l->why set, counted),
 * -1 out of memory.
 */
int trace_dma_add(struct trace_dma *d, struct trace_line *l, uint32_t file,
		  uint64_t slab_pos);
/* After the last file: IOMMU devices, offsets, placing, pairing. */
int trace_dma_finish(struct trace_dma *d, const struct trace_stream *s);
const char *trace_dma_dev_name(const struct trace_dma *d, uint32_t dev);

#endif
