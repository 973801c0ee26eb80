/* SPDX-License-Identifier: MIT */
/*
 * The DMA layer's internals: devices, the table of live mappings, the
 * swiotlb pool and the non-coherent cache model.
 *
 *   device.c       devices, masks, statistics, the device's side of DMA
 *   dma_debug.c    the live-mapping table and DMA-API-debug style reports
 *   direct.c       dma-direct: map / unmap / sync, coherent allocations
 *   swiotlb.c      the bounce buffer: slots, segments, areas, copies
 *   cache_model.c  what non-coherent cache maintenance does to CPU writes
 *   dma_slab.c     the questions the DMA layer asks the slab layer
 *   scatterlist.c  struct scatterlist and dma_map_sg
 *   dmapool.c      dma_pool
 *   dma_init.c     the layer's boot, shutdown and `kslab show swiotlb`
 *
 * Locking: ksl_dma.lock (a mutex) guards the device list and the mapping
 * table, including each mapping's cache-line snapshot. swiotlb areas have
 * their own locks, taken without ksl_dma.lock held or inside it (never
 * the other way round). Counters are relaxed atomics.
 */
#ifndef KSLAB_DMA_INTERNAL_H
#define KSLAB_DMA_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <kslab/dma.h>
#include "mm/mm_internal.h"

#define IO_TLB_SHIFT 11
#define IO_TLB_SIZE (1UL << IO_TLB_SHIFT)
#define IO_TLB_SEGSIZE 128

struct ksl_dma_counters {
	atomic_ulong mappings, bounces, bounced_bytes, lost_bytes;
	atomic_ulong shared_line_warnings, api_errors;
};

struct device {
	char name[48];
	uint64_t dma_mask, coherent_dma_mask;
	unsigned int min_align_mask;
	bool coherent;
	unsigned int generation;         /* the boot the device belongs to */
	struct device *next;             /* ksl_dma.devices */
	struct ksl_dma_map *maps;        /* live mappings, newest first */
	unsigned long nr_maps;
	struct ksl_dma_counters stats;
};

enum ksl_map_type {
	KSL_MAP_SINGLE,
	KSL_MAP_PAGE,
	KSL_MAP_SG,
	KSL_MAP_COHERENT,
};

/* the bytes of one partly covered cache line outside the buffer */
struct ksl_line_snap {
	char *addr;                 /* first byte of the line */
	size_t line;                /* line size */
	size_t lo, hi;              /* the buffer covers [lo, hi) of it */
	unsigned char bytes[];      /* the whole line at map / sync time */
};

struct ksl_dma_map {
	struct ksl_dma_map *hnext;  /* hash chain */
	struct ksl_dma_map *dnext, *dprev; /* device's list */
	struct device *dev;
	dma_addr_t dma;
	phys_addr_t phys;           /* the buffer (orig_addr when bounced) */
	size_t size;
	enum dma_data_direction dir;
	enum ksl_map_type type;
	unsigned long caller;
	bool bounced;
	int slot;                   /* swiotlb slot index */
	unsigned int nslots;
	struct ksl_line_snap *snap[2]; /* head, tail (non-coherent only) */
};

struct ksl_dma_state {
	pthread_mutex_t lock;
	struct device *devices;
	struct ksl_dma_map **hash;  /* [KSL_DMA_HASH] */
	struct ksl_dma_counters stats;
	unsigned int cache_align;   /* dma_get_cache_alignment() */
	bool bounce_kmalloc;        /* CONFIG_DMA_BOUNCE_UNALIGNED_KMALLOC */
	bool packed_policy;         /* kmalloc.packed booted */
	unsigned int arch_kmalloc_minalign;
	unsigned int dma_minalign;  /* ARCH_DMA_MINALIGN (0: none) */
};
#define KSL_DMA_HASH 4096

extern struct ksl_dma_state ksl_dma;

/* boot (dma_init.c) */
extern const struct ksl_param ksl_dma_params[];
void ksl_dma_config_reset(void);
int ksl_dma_validate(void);
int ksl_dma_init(void);
void ksl_dma_shutdown(void);
void ksl_show_swiotlb(FILE *out);

/* devices (device.c) */
bool ksl_dev_ok(const struct device *dev, const char *fn);
bool ksl_dma_capable(const struct device *dev, dma_addr_t addr, size_t size);
void ksl_dev_count(struct device *dev, size_t off, unsigned long n);
void ksl_devices_release_all(void);
#define KSL_STAT(field) offsetof(struct ksl_dma_counters, field)

/* the mapping table (dma_debug.c); callers hold ksl_dma.lock */
void ksl_map_insert(struct ksl_dma_map *m);
void ksl_map_remove(struct ksl_dma_map *m);
struct ksl_dma_map *ksl_map_find(struct device *dev, dma_addr_t dma);
struct ksl_dma_map *ksl_map_covering(struct device *dev, dma_addr_t dma,
				     size_t len);
void ksl_map_free(struct ksl_dma_map *m);
const char *ksl_dir_name(enum dma_data_direction dir);
const char *ksl_map_type_name(enum ksl_map_type t);
void ksl_dma_api_error(struct device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* unmap-time checks: the entry to release, or NULL (reported) */
struct ksl_dma_map *ksl_check_unmap(struct device *dev, dma_addr_t addr,
				    size_t size, enum dma_data_direction dir,
				    enum ksl_map_type type);
struct ksl_dma_map *ksl_check_sync(struct device *dev, dma_addr_t addr,
				   size_t size, enum dma_data_direction dir,
				   bool to_cpu);
bool ksl_valid_dir(struct device *dev, enum dma_data_direction dir,
		   const char *fn);

/* dma-direct (direct.c) */
dma_addr_t ksl_direct_map(struct device *dev, phys_addr_t phys, size_t size,
			  enum dma_data_direction dir, unsigned long attrs,
			  enum ksl_map_type type, unsigned long caller);
void ksl_direct_unmap(struct device *dev, dma_addr_t addr, size_t size,
		      enum dma_data_direction dir, unsigned long attrs,
		      enum ksl_map_type type);
bool ksl_dma_kmalloc_needs_bounce(const struct device *dev, size_t size,
				  enum dma_data_direction dir);

/* swiotlb (swiotlb.c) */
int ksl_swiotlb_init(void);
void ksl_swiotlb_shutdown(void);
bool ksl_swiotlb_active(void);
bool ksl_swiotlb_force_bounce(void);
/* the slot index, or -1 (full: reported unless DMA_ATTR_NO_WARN) */
int ksl_swiotlb_map(struct device *dev, phys_addr_t orig, size_t size,
		    unsigned long attrs, phys_addr_t *tlb, unsigned int *nslots);
void ksl_swiotlb_release(int slot, unsigned int nslots);
void ksl_swiotlb_bounce(phys_addr_t orig, phys_addr_t tlb, size_t size,
			bool to_device);
size_t ksl_swiotlb_max_mapping_size(void);

/* the cache model (cache_model.c); callers hold ksl_dma.lock */
bool ksl_cache_model_applies(const struct device *dev,
			     enum dma_data_direction dir, bool bounced,
			     unsigned long attrs);
void ksl_cache_snapshot(struct ksl_dma_map *m);
void ksl_cache_invalidate(struct ksl_dma_map *m, const char *when);
void ksl_cache_check_shared(struct ksl_dma_map *m);
void ksl_cache_check_packed(struct device *dev, phys_addr_t phys,
			    size_t size, unsigned long caller);
void ksl_cache_snap_free(struct ksl_dma_map *m);

/* the slab layer's view of an address (dma_slab.c) */
struct ksl_dma_obj {
	const char *cache;          /* cache name */
	char *start;                /* object start */
	unsigned int object_size, stride;
	slab_flags_t flags;
	bool allocated;
};
bool ksl_dma_obj_lookup(const void *addr, struct ksl_dma_obj *o);
bool ksl_dma_obj_is_packed(const struct ksl_dma_obj *o);
size_t ksl_dma_kmalloc_size_roundup(size_t size);
void ksl_dma_policy_init(void);

#endif /* KSLAB_DMA_INTERNAL_H */
