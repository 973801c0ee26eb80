/* SPDX-License-Identifier: MIT */
/*
 * kslab basic types: the kernel's names for physical and DMA addresses,
 * allocation flags and slab flags, and the zone numbers.
 */
#ifndef KSLAB_TYPES_H
#define KSLAB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define KSLAB_EXTERN_C_BEGIN extern "C" {
#define KSLAB_EXTERN_C_END }
#else
#define KSLAB_EXTERN_C_BEGIN
#define KSLAB_EXTERN_C_END
#endif

/* Symbols the shared library exports; everything else stays hidden. */
#define KSLAB_API __attribute__((visibility("default")))

typedef uint64_t phys_addr_t;
typedef uint64_t dma_addr_t;
typedef unsigned int gfp_t;
typedef unsigned int slab_flags_t;

/*
 * One per page frame of the simulated machine (64 bytes, as the kernel's),
 * in one array, so that page + n is the n-th next frame as in the kernel.
 * The members belong to the allocators; use the helpers in <kslab/mm.h>.
 */
struct page {
	unsigned long flags;
	union {
		struct { /* buddy and per-CPU free lists */
			struct page *next;
			struct page *prev;
		} lru;
		unsigned long compound_head; /* tail pages: head | 1 */
		unsigned long _slab[7];	     /* the slab layer's use */
	};
};

/* Zones of the (single) node, in the kernel's order. */
enum zone_type {
	ZONE_DMA,
	ZONE_DMA32,
	ZONE_NORMAL,
	ZONE_MOVABLE,
	ZONE_DEVICE,
	__MAX_NR_ZONES
};
#define MAX_NR_ZONES __MAX_NR_ZONES

#endif /* KSLAB_TYPES_H */
