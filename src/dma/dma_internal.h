/* SPDX-License-Identifier: MIT */
/*
 * The DMA layer's internals: devices, the table of live mappings, the
 * swiotlb pool and the non-coherent cache model.
 *
 *   device.c       devices, masks, statistics, the device's side of DMA
 *   dma_debug.c    the live-mapping table and DMA-API-debug style reports
 *   direct.c       dma-direct: map / unmap / sync, coherent allocations
 *   iommu.c        dma-iommu: IOVA allocation, its bounce rules, lists
 *   swiotlb.c      the bounce buffer: slots, segments, areas, copies
 *   cache_model.c  what non-coherent cache maintenance does to CPU writes
 *   dma_slab.c     the questions the DMA layer asks the slab layer
 *   scatterlist.c  struct scatterlist and dma_map_sg
 *   dmapool.c      dma_pool
 *   dma_init.c     the layer's boot, shutdown and `kslab show swiotlb`
 *
 * Locking: ksl_dma.lock guards the device list, the mapping table, the
 * free entries and each mapping's cache-line snapshot. It is a futex lock
 * of our own (one atomic instruction each way when uncontended; waiters
 * sleep), not a pthread mutex: map and unmap take it once each. swiotlb
 * areas have their own locks, taken without ksl_dma.lock held or inside
 * it (never the other way round). Counters are relaxed atomics.
 *
 * Live devices are also published in ksl_dma.live[], a small table of
 * atomic pointers read without the lock: a hit there proves the device
 * live (ksl_dev_ok() without the lock); a miss falls back to the locked
 * walk of the device list, so the table is only ever a shortcut.
 */
#ifndef KSLAB_DMA_INTERNAL_H
#define KSLAB_DMA_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <kslab/dma.h>
#include "mm/mm_internal.h"

#define IO_TLB_SHIFT 11
#define IO_TLB_SIZE (1UL << IO_TLB_SHIFT)
#define IO_TLB_SEGSIZE 128

struct ksl_dma_counters {
	atomic_ulong mappings, bounces, bounced_bytes, lost_bytes;
	atomic_ulong shared_line_warnings, api_errors;
};

/* ksl_dma.lock: 0 free, 1 held, 2 held with sleepers */
struct ksl_dma_lock {
	atomic_int state;
};

struct device {
	char name[48];
	uint64_t dma_mask, coherent_dma_mask;
	unsigned int min_align_mask;
	bool coherent;
	struct ksl_iommu *iommu;  /* NULL: dma-direct (iommu.c) */
	unsigned int generation;  /* the boot the device belongs to */
	struct device *next;	  /* ksl_dma.devices */
	struct ksl_dma_map *maps; /* live mappings, newest first */
	struct ksl_dma_counters stats;
};

enum ksl_map_type {
	KSL_MAP_SINGLE,
	KSL_MAP_PAGE,
	KSL_MAP_SG,
	KSL_MAP_COHERENT,
};

/*
 * The cache model's state of one cache line a non-coherent mapping only
 * partly covers (cache_model.c). Every mapping that shares the line holds
 * a copy of the same state; each maintenance step updates them all.
 */
struct ksl_line_snap {
	char *addr;		/* first byte of the line */
	size_t line;		/* line size */
	size_t lo, hi;		/* this mapping covers [lo, hi) of it */
	bool dirty;		/* the CPU wrote the line since it was clean */
	int cpu_at;		/* first byte the CPU wrote (-1: none) */
	unsigned int ndev;	/* bytes the device wrote since then */
	unsigned char *cache;	/* the CPU's copy of the line */
	unsigned char *mem;	/* memory, where devmask[] is set */
	unsigned char *devmask; /* 1: the device wrote this byte */
};

/*
 * One live mapping. Entries are ksl_dma.map_size bytes: the struct, then
 * room for the state of two cache lines (three line-sized arrays each,
 * when the boot has a cache line to model), so snapshotting never
 * allocates; freed entries are kept on
 * ksl_dma.free_maps for the next mapping.
 */
struct ksl_dma_map {
	struct ksl_dma_map *hnext;	   /* hash chain */
	struct ksl_dma_map **hpprev;	   /* the pointer to this entry in it */
	struct ksl_dma_map *dnext, *dprev; /* device's list */
	struct ksl_dma_map *snext, *sprev; /* ksl_dma.snapped */
	struct device *dev;
	dma_addr_t dma;
	phys_addr_t phys;   /* the buffer (orig_addr when bounced) */
	phys_addr_t target; /* where the device's accesses land: the buffer,
			     * or its swiotlb slots */
	unsigned long iova_pfn, iova_pages; /* IOVA to free (iommu) */
	size_t size;
	enum dma_data_direction dir;
	enum ksl_map_type type;
	unsigned long caller;
	bool bounced;
	int slot; /* swiotlb slot index */
	unsigned int nslots;
	bool on_snapped;		 /* on ksl_dma.snapped */
	struct ksl_line_snap *snap[2];	 /* head, tail (non-coherent only) */
	struct ksl_line_snap snapbuf[2]; /* what snap[] points to */
	unsigned char lines[];		 /* snapbuf[]'s arrays: 6 lines */
};

#define KSL_DMA_LIVE 64		  /* ksl_dma.live[] slots */
#define KSL_DMA_LIVE_PROBE 4	  /* slots looked at per device */
#define KSL_DMA_FREE_MAX 1024	  /* free entries kept */
#define KSL_DMA_BOUNCE_TABLE 1024 /* ksl_dma.bounce_small[] sizes */

struct ksl_dma_state {
	struct ksl_dma_lock lock;
	struct device *devices;
	_Atomic(struct device *) live[KSL_DMA_LIVE]; /* lock-free shortcut */
	struct ksl_dma_map **hash;		     /* [KSL_DMA_HASH] */
	struct ksl_dma_map *snapped;   /* mappings holding a snapshot */
	struct ksl_dma_map *free_maps; /* spare entries (hnext chain) */
	unsigned long nr_free_maps;
	size_t map_size; /* bytes per entry, lines included */
	struct ksl_dma_counters stats;
	unsigned int cache_align; /* dma_get_cache_alignment() */
	bool bounce_kmalloc;	  /* CONFIG_DMA_BOUNCE_UNALIGNED_KMALLOC */
	bool packed_policy;	  /* kmalloc.packed booted */
	bool swiotlb_force;	  /* a pool and swiotlb=force (swiotlb.c) */
	unsigned int arch_kmalloc_minalign;
	unsigned int dma_minalign; /* ARCH_DMA_MINALIGN (0: none) */
	/* the 6.5 rule's answer per size below 2 * dma_minalign, read off
	 * kmalloc_size_roundup() at boot (bounce_small_n 0: no table) */
	size_t bounce_small_n;
	bool bounce_small[KSL_DMA_BOUNCE_TABLE];
};
#define KSL_DMA_HASH 4096

extern struct ksl_dma_state ksl_dma;

/* ksl_dma.lock (Drepper's futex mutex; the slow paths are in device.c) */
void ksl_dma_lock_slow(void);
void ksl_dma_unlock_wake(void);

static inline void ksl_dma_lock(void)
{
	int free_state = 0;

	if (!atomic_compare_exchange_strong_explicit(
		    &ksl_dma.lock.state, &free_state, 1, memory_order_acquire,
		    memory_order_relaxed))
		ksl_dma_lock_slow();
}

static inline void ksl_dma_unlock(void)
{
	if (atomic_exchange_explicit(&ksl_dma.lock.state, 0,
				     memory_order_release) == 2)
		ksl_dma_unlock_wake();
}

/* boot (dma_init.c) */
extern const struct ksl_param ksl_dma_params[];
void ksl_dma_config_reset(void);
int ksl_dma_validate(void);
int ksl_dma_init(void);
void ksl_dma_shutdown(void);
void ksl_show_swiotlb(FILE *out);

/* devices (device.c) */
bool ksl_dev_ok_slow(const struct device *dev, const char *fn);

static inline unsigned int ksl_dev_live_slot(const struct device *dev)
{
	uintptr_t a = (uintptr_t)dev;

	return (unsigned int)((a >> 4) ^ (a >> 10)) % KSL_DMA_LIVE;
}

/* is dev a live device? (a message naming fn when not) */
static inline bool ksl_dev_ok(const struct device *dev, const char *fn)
{
	if (atomic_load_explicit(&ksl_dma.live[ksl_dev_live_slot(dev)],
				 memory_order_acquire) == dev &&
	    dev)
		return true;
	return ksl_dev_ok_slow(dev, fn);
}

void ksl_devices_release_all(void);
#define KSL_STAT(field) offsetof(struct ksl_dma_counters, field)

/* dma_capable(): does [addr, addr + size) fit under the mask? */
static inline bool ksl_dma_capable(const struct device *dev, dma_addr_t addr,
				   size_t size)
{
	if (!size)
		return addr <= dev->dma_mask;
	if (addr + size - 1 < addr)
		return false;
	return addr + size - 1 <= dev->dma_mask;
}

/* add n to a counter of dev (if any) and to the global one */
static inline void ksl_dev_count(struct device *dev, size_t off,
				 unsigned long n)
{
	atomic_ulong *g = (atomic_ulong *)((char *)&ksl_dma.stats + off);

	atomic_fetch_add_explicit(g, n, memory_order_relaxed);
	if (dev) {
		atomic_ulong *d = (atomic_ulong *)((char *)&dev->stats + off);

		atomic_fetch_add_explicit(d, n, memory_order_relaxed);
	}
}

/*
 * The mapping table (dma_debug.c; the per-mapping steps are inline here,
 * as map and unmap take them on every call); callers hold ksl_dma.lock.
 */
struct ksl_dma_map *ksl_map_alloc_new(void);
/* direct.c: finish a streaming map (cache clean, table entry, unlock) */
dma_addr_t ksl_map_commit(struct ksl_dma_map *m, unsigned long attrs);
void ksl_maps_drain(void);
struct ksl_dma_map *ksl_map_find(struct device *dev, dma_addr_t dma);
struct ksl_dma_map *ksl_map_covering(struct device *dev, dma_addr_t dma,
				     size_t len);

static inline unsigned int ksl_map_hash(dma_addr_t dma)
{
	return (unsigned int)((dma >> 6) * 0x9e3779b1u) % KSL_DMA_HASH;
}

/* a blank entry (no snapshot, not bounced), or NULL */
static inline struct ksl_dma_map *ksl_map_alloc(void)
{
	struct ksl_dma_map *m = ksl_dma.free_maps;

	if (m) {
		ksl_dma.free_maps = m->hnext;
		ksl_dma.nr_free_maps--;
	} else {
		m = ksl_map_alloc_new();
		if (!m)
			return NULL;
	}
	m->snap[0] = m->snap[1] = NULL;
	m->on_snapped = false;
	m->bounced = false;
	m->slot = -1;
	m->nslots = 0;
	m->iova_pages = 0;
	return m;
}

/* a removed entry back to the free list */
static inline void ksl_map_free(struct ksl_dma_map *m)
{
	if (ksl_dma.nr_free_maps >= KSL_DMA_FREE_MAX) {
		free(m);
		return;
	}
	m->hnext = ksl_dma.free_maps;
	ksl_dma.free_maps = m;
	ksl_dma.nr_free_maps++;
}

static inline void ksl_map_insert(struct ksl_dma_map *m)
{
	struct ksl_dma_map **head = &ksl_dma.hash[ksl_map_hash(m->dma)];

	m->hnext = *head;
	if (m->hnext)
		m->hnext->hpprev = &m->hnext;
	m->hpprev = head;
	*head = m;
	if (m->snap[0] || m->snap[1]) {
		m->sprev = NULL;
		m->snext = ksl_dma.snapped;
		if (m->snext)
			m->snext->sprev = m;
		ksl_dma.snapped = m;
		m->on_snapped = true;
	}
	m->dprev = NULL;
	m->dnext = m->dev->maps;
	if (m->dnext)
		m->dnext->dprev = m;
	m->dev->maps = m;
}

static inline void ksl_map_remove(struct ksl_dma_map *m)
{
	*m->hpprev = m->hnext;
	if (m->hnext)
		m->hnext->hpprev = m->hpprev;
	if (m->on_snapped) {
		if (m->sprev)
			m->sprev->snext = m->snext;
		else
			ksl_dma.snapped = m->snext;
		if (m->snext)
			m->snext->sprev = m->sprev;
		m->on_snapped = false;
	}
	if (m->dprev)
		m->dprev->dnext = m->dnext;
	else
		m->dev->maps = m->dnext;
	if (m->dnext)
		m->dnext->dprev = m->dprev;
}
const char *ksl_dir_name(enum dma_data_direction dir);
const char *ksl_map_type_name(enum ksl_map_type t);
void ksl_dma_api_error(struct device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* unmap-time checks: the entry to release, or NULL (reported) */
struct ksl_dma_map *ksl_check_unmap(struct device *dev, dma_addr_t addr,
				    size_t size, enum dma_data_direction dir,
				    enum ksl_map_type type);

/*
 * ksl_check_unmap() when the first entry of dev at addr matches size,
 * direction and type (the entry it would pick, with nothing to report);
 * otherwise the full check.
 */
static inline struct ksl_dma_map *
ksl_check_unmap_fast(struct device *dev, dma_addr_t addr, size_t size,
		     enum dma_data_direction dir, enum ksl_map_type type)
{
	struct ksl_dma_map *m;

	for (m = ksl_dma.hash[ksl_map_hash(addr)]; m; m = m->hnext) {
		if (m->dev != dev || m->dma != addr)
			continue;
		if (m->size == size && m->dir == dir && m->type == type)
			return m;
		break;
	}
	return ksl_check_unmap(dev, addr, size, dir, type);
}
struct ksl_dma_map *ksl_check_sync(struct device *dev, dma_addr_t addr,
				   size_t size, enum dma_data_direction dir,
				   bool to_cpu);
bool ksl_invalid_dir(struct device *dev, enum dma_data_direction dir,
		     const char *fn);

/* a valid direction? (reported and counted when not) */
static inline bool ksl_valid_dir(struct device *dev,
				 enum dma_data_direction dir, const char *fn)
{
	if (dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE ||
	    dir == DMA_FROM_DEVICE)
		return true;
	return ksl_invalid_dir(dev, dir, fn);
}

/* dma-direct (direct.c) */
dma_addr_t ksl_direct_map(struct device *dev, phys_addr_t phys, size_t size,
			  enum dma_data_direction dir, unsigned long attrs,
			  enum ksl_map_type type, unsigned long caller);
void ksl_direct_unmap(struct device *dev, dma_addr_t addr, size_t size,
		      enum dma_data_direction dir, unsigned long attrs,
		      enum ksl_map_type type);
bool ksl_dma_kmalloc_size_bounces(size_t size);

/* dma_kmalloc_needs_bounce(): Linux 6.5's rule (see direct.c) */
static inline bool ksl_dma_kmalloc_needs_bounce(const struct device *dev,
						size_t size,
						enum dma_data_direction dir)
{
	if (!ksl_dma.bounce_kmalloc || dev->coherent || dir == DMA_TO_DEVICE)
		return false;
	if (size >= 2 * (size_t)ksl_dma.dma_minalign)
		return false;
	if (size < ksl_dma.bounce_small_n)
		return ksl_dma.bounce_small[size];
	return ksl_dma_kmalloc_size_bounces(size);
}

/* dma-iommu (iommu.c) */
dma_addr_t ksl_iommu_map(struct device *dev, phys_addr_t phys, size_t size,
			 enum dma_data_direction dir, unsigned long attrs,
			 enum ksl_map_type type, unsigned long caller);
void ksl_iommu_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir, unsigned long attrs);
int ksl_iommu_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
		     enum dma_data_direction dir, unsigned long attrs);
/* an IOVA range of pages granules below limit (a DMA mask): its first
 * granule's number, or 0; ksl_dma.lock held */
unsigned long ksl_iova_alloc(struct device *dev, unsigned long pages,
			     uint64_t limit);
void ksl_iova_free(struct device *dev, unsigned long pfn, unsigned long pages);
unsigned int ksl_iova_shift(const struct device *dev);
void ksl_iommu_free(struct device *dev);
/* a list mapped as one IOVA range: synced per segment (true), or false */
bool ksl_iommu_sync_sg(struct device *dev, struct scatterlist *sgl, int nelems,
		       enum dma_data_direction dir, bool to_cpu);
size_t ksl_iommu_max_mapping_size(struct device *dev);

/* swiotlb (swiotlb.c) */
int ksl_swiotlb_init(void);
void ksl_swiotlb_shutdown(void);
bool ksl_swiotlb_active(void);
static inline bool ksl_swiotlb_force_bounce(void)
{
	return ksl_dma.swiotlb_force;
}
/* the slot index, or -1 (full: reported unless DMA_ATTR_NO_WARN) */
int ksl_swiotlb_map(struct device *dev, phys_addr_t orig, size_t size,
		    unsigned long alloc_align_mask, unsigned long attrs,
		    phys_addr_t *tlb, unsigned int *nslots);
void ksl_swiotlb_release(int slot, unsigned int nslots);
void ksl_swiotlb_bounce(phys_addr_t orig, phys_addr_t tlb, size_t size,
			bool to_device);
size_t ksl_swiotlb_max_mapping_size(const struct device *dev);

/* the cache model (cache_model.c); callers hold ksl_dma.lock */
static inline bool ksl_cache_model_applies(const struct device *dev,
					   enum dma_data_direction dir,
					   bool bounced, unsigned long attrs)
{
	return !dev->coherent && !bounced &&
	       !(attrs & DMA_ATTR_SKIP_CPU_SYNC) &&
	       (dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL);
}

/* does [phys, phys + size) only partly cover its first or last line?
 * (if not, the cache model has no line to keep a state of) */
static inline bool ksl_cache_partial_lines(phys_addr_t phys, size_t size)
{
	uintptr_t line = ksl_dma.cache_align;
	uintptr_t a = (uintptr_t)ksl_mm.phys_base + (uintptr_t)phys;

	return line > 1 && ((a | (a + size)) & (line - 1));
}
/*
 * arch_sync_dma_for_device(): clean the lines [phys, phys + size) only
 * partly covers, in every mapping's state of them; then, if m is given
 * (the cache model applies to it), m takes a fresh state of its own.
 */
void ksl_cache_clean(struct ksl_dma_map *m, phys_addr_t phys, size_t size,
		     const char *when);
/* arch_sync_dma_for_cpu(): clean+invalidate m's partly covered lines
 * that meet [phys, phys + size) */
void ksl_cache_inval(struct ksl_dma_map *m, phys_addr_t phys, size_t size,
		     const char *when);
/* the device writes len bytes of data to memory at start */
void ksl_cache_device_write(phys_addr_t start, const void *data, size_t len);
void ksl_cache_check_shared(struct ksl_dma_map *m);
void ksl_cache_check_packed(struct device *dev, phys_addr_t phys, size_t size,
			    unsigned long caller);
void ksl_cache_snap_free(struct ksl_dma_map *m);
size_t ksl_cache_map_extra(void);

/* the slab layer's view of an address (dma_slab.c) */
struct ksl_dma_obj {
	const char *cache; /* cache name */
	char *start;	   /* object start */
	unsigned int object_size, stride;
	slab_flags_t flags;
	bool allocated;
};
bool ksl_dma_obj_lookup(const void *addr, struct ksl_dma_obj *o);
bool ksl_dma_in_slab_page(const void *addr);
bool ksl_dma_obj_is_packed(const struct ksl_dma_obj *o);
size_t ksl_dma_kmalloc_size_roundup(size_t size);
void ksl_dma_policy_init(void);

#endif /* KSLAB_DMA_INTERNAL_H */
