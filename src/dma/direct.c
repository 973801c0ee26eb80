// SPDX-License-Identifier: MIT
/*
 * dma-direct: streaming mappings and coherent allocations, DMA address =
 * physical address (kernel/dma/direct.[ch]).
 *
 * A mapping goes through swiotlb when
 *   - swiotlb=force, or
 *   - the buffer is beyond the device's mask (!dma_capable), or
 *   - dma_kmalloc_needs_bounce() (Linux 6.5, arm64): the device is not
 *     coherent, the direction is not DMA_TO_DEVICE, the size is below
 *     2 * ARCH_DMA_MINALIGN and kmalloc_size_roundup(size) is not a
 *     multiple of dma_get_cache_alignment();
 * and fails with DMA_MAPPING_ERROR when it must bounce but no pool exists
 * or the pool is full. Otherwise the device gets the physical address; a
 * non-coherent device's mapping then goes through the cache model.
 *
 * Coherent allocations come from the zone the coherent mask allows
 * (GFP_DMA up to the ZONE_DMA limit, GFP_DMA32 up to 4 GiB), retried in a
 * lower zone when the pages landed above the mask, zeroed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dma/dma_internal.h"

/* the size test of dma_kmalloc_needs_bounce() (the inline one in
 * dma_internal.h reads it from ksl_dma.bounce_small[] when it can) */
bool ksl_dma_kmalloc_size_bounces(size_t size)
{
	return ksl_dma_kmalloc_size_roundup(size) % ksl_dma.cache_align != 0;
}

/*
 * The end of every streaming map (dma-direct and dma-iommu), m filled in
 * and ksl_dma_lock() held: clean the partly covered cache lines of a
 * non-coherent device (tracking their state when the model applies),
 * enter m in the table, unlock; m->dma is returned.
 */
dma_addr_t ksl_map_commit(struct ksl_dma_map *m, unsigned long attrs)
{
	struct device *dev = m->dev;

	if (!dev->coherent && !m->bounced &&
	    !(attrs & DMA_ATTR_SKIP_CPU_SYNC) &&
	    ksl_cache_partial_lines(m->phys, m->size)) {
		bool model =
			ksl_cache_model_applies(dev, m->dir, m->bounced, attrs);

		ksl_cache_clean(model ? m : NULL, m->phys, m->size, "map");
		if (model)
			ksl_cache_check_shared(m);
	}
	ksl_map_insert(m);
	ksl_dma_unlock();
	ksl_dev_count(dev, KSL_STAT(mappings), 1);
	return m->dma;
}

static void overflow(struct device *dev, const char *what, dma_addr_t a,
		     size_t size)
{
	ksl_pr_ratelimited(
		20,
		"%s: %s addr %#llx+%zu overflow (mask %llx, bus limit %llx).",
		dev->name, what, (unsigned long long)a, size,
		(unsigned long long)dev->dma_mask, 0ULL);
}

/* swiotlb_map(): the bounce address, or DMA_MAPPING_ERROR */
static dma_addr_t bounce_map(struct device *dev, phys_addr_t phys, size_t size,
			     unsigned long attrs, int *slotp,
			     unsigned int *nslots)
{
	phys_addr_t tlb;
	int slot = ksl_swiotlb_map(dev, phys, size, 0, attrs, &tlb, nslots);

	if (slot < 0)
		return DMA_MAPPING_ERROR;
	if (!ksl_dma_capable(dev, tlb, size)) {
		ksl_swiotlb_release(slot, *nslots);
		overflow(dev, "swiotlb", tlb, size);
		return DMA_MAPPING_ERROR;
	}
	/* the whole buffer goes to the device, whatever the direction, so a
	 * partial device write never exposes old bounce-buffer contents */
	ksl_swiotlb_bounce(phys, tlb, size, true);
	*slotp = slot;
	ksl_dev_count(dev, KSL_STAT(bounces), 1);
	ksl_dev_count(dev, KSL_STAT(bounced_bytes), size);
	return tlb;
}

/* the body of ksl_direct_map, inlined into the dma_map_* entry points */
static inline __attribute__((always_inline)) dma_addr_t
direct_map(struct device *dev, phys_addr_t phys, size_t size,
	   enum dma_data_direction dir, unsigned long attrs,
	   enum ksl_map_type type, unsigned long caller)
{
	struct ksl_dma_map *m;
	bool bounce = ksl_swiotlb_force_bounce();
	dma_addr_t dma = phys;
	unsigned int nslots = 0;
	int slot = -1;

	if (ksl_dma.packed_policy && !dev->coherent)
		ksl_cache_check_packed(dev, phys, size, caller);
	if (!bounce && (!ksl_dma_capable(dev, phys, size) ||
			ksl_dma_kmalloc_needs_bounce(dev, size, dir))) {
		if (!ksl_swiotlb_active()) {
			overflow(dev, "DMA", phys, size);
			return DMA_MAPPING_ERROR;
		}
		bounce = true;
	}
	if (bounce) {
		dma = bounce_map(dev, phys, size, attrs, &slot, &nslots);
		if (dma == DMA_MAPPING_ERROR)
			return DMA_MAPPING_ERROR;
	}
	ksl_dma_lock();
	m = ksl_map_alloc();
	if (!m) {
		ksl_dma_unlock();
		if (bounce)
			ksl_swiotlb_release(slot, nslots);
		return DMA_MAPPING_ERROR;
	}
	m->dev = dev;
	m->dma = dma;
	m->phys = phys;
	m->target = dma;
	m->size = size;
	m->dir = dir;
	m->type = type;
	m->caller = caller;
	m->bounced = bounce;
	m->slot = slot;
	m->nslots = nslots;
	return ksl_map_commit(m, attrs);
}

static inline __attribute__((always_inline)) void
direct_unmap(struct device *dev, dma_addr_t addr, size_t size,
	     enum dma_data_direction dir, unsigned long attrs,
	     enum ksl_map_type type)
{
	struct ksl_dma_map *m;
	unsigned int nslots;
	bool bounced;
	int slot;

	ksl_dma_lock();
	m = ksl_check_unmap_fast(dev, addr, size, dir, type);
	if (!m) {
		ksl_dma_unlock();
		return;
	}
	ksl_map_remove(m);
	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC)) {
		if (m->bounced && m->dir != DMA_TO_DEVICE)
			ksl_swiotlb_bounce(m->phys, m->target, m->size, false);
		else if (m->snap[0] || m->snap[1])
			ksl_cache_inval(m, m->phys, m->size, "unmap");
	}
	bounced = m->bounced;
	slot = m->slot;
	nslots = m->nslots;
	if (m->iova_pages)
		ksl_iova_free(dev, m->iova_pfn, m->iova_pages);
	ksl_map_free(m);
	ksl_dma_unlock();
	if (bounced)
		ksl_swiotlb_release(slot, nslots);
}

dma_addr_t ksl_direct_map(struct device *dev, phys_addr_t phys, size_t size,
			  enum dma_data_direction dir, unsigned long attrs,
			  enum ksl_map_type type, unsigned long caller)
{
	return direct_map(dev, phys, size, dir, attrs, type, caller);
}

void ksl_direct_unmap(struct device *dev, dma_addr_t addr, size_t size,
		      enum dma_data_direction dir, unsigned long attrs,
		      enum ksl_map_type type)
{
	direct_unmap(dev, addr, size, dir, attrs, type);
}

/* ---- the API ------------------------------------------------------------- */
/* are the first and last byte memory of this machine? (size > 0) */
static bool virt_range_valid(const void *virt, size_t size)
{
	uintptr_t base = (uintptr_t)ksl_mm.phys_base;
	uintptr_t first = (uintptr_t)virt - base, last = first + size - 1;

	if (!kslab_virt_addr_valid(virt))
		return false;
	/* the same page as the first byte: only the end of RAM can differ */
	if (last >= first &&
	    (first >> ksl_mm.page_shift) == (last >> ksl_mm.page_shift))
		return last < ksl_mm.phys_end;
	return kslab_virt_addr_valid((const char *)virt + size - 1);
}

static inline __attribute__((always_inline)) bool
map_args_ok(struct device *dev, phys_addr_t phys, const void *virt, size_t size,
	    enum dma_data_direction dir, const char *fn)
{
	if (!ksl_dev_ok(dev, fn))
		return false;
	if (!ksl_valid_dir(dev, dir, fn))
		return false;
	if (!size) {
		ksl_dma_api_error(dev, "%s: zero-length mapping", fn);
		return false;
	}
	if (!virt_range_valid(virt, size)) {
		ksl_dma_api_error(dev,
				  "%s: %p+%zu is not memory of this machine",
				  fn, virt, size);
		return false;
	}
	(void)phys;
	return true;
}

dma_addr_t dma_map_single_attrs(struct device *dev, void *ptr, size_t size,
				enum dma_data_direction dir,
				unsigned long attrs)
{
	if (!map_args_ok(dev, 0, ptr, size, dir, "dma_map_single"))
		return DMA_MAPPING_ERROR;
	if (dev->iommu)
		return ksl_iommu_map(dev, virt_to_phys(ptr), size, dir, attrs,
				     KSL_MAP_SINGLE, _RET_IP_);
	return direct_map(dev, virt_to_phys(ptr), size, dir, attrs,
			  KSL_MAP_SINGLE, _RET_IP_);
}

void dma_unmap_single_attrs(struct device *dev, dma_addr_t addr, size_t size,
			    enum dma_data_direction dir, unsigned long attrs)
{
	if (ksl_dev_ok(dev, "dma_unmap_single"))
		direct_unmap(dev, addr, size, dir, attrs, KSL_MAP_SINGLE);
}

dma_addr_t dma_map_page_attrs(struct device *dev, struct page *page,
			      size_t offset, size_t size,
			      enum dma_data_direction dir, unsigned long attrs)
{
	void *virt;

	if (!page || !kslab_virt_addr_valid(page_address(page))) {
		if (dev)
			ksl_dma_api_error(dev, "dma_map_page: invalid page %p",
					  (void *)page);
		return DMA_MAPPING_ERROR;
	}
	virt = (char *)page_address(page) + offset;
	if (!map_args_ok(dev, 0, virt, size, dir, "dma_map_page"))
		return DMA_MAPPING_ERROR;
	if (dev->iommu)
		return ksl_iommu_map(dev, virt_to_phys(virt), size, dir, attrs,
				     KSL_MAP_PAGE, _RET_IP_);
	return direct_map(dev, virt_to_phys(virt), size, dir, attrs,
			  KSL_MAP_PAGE, _RET_IP_);
}

void dma_unmap_page_attrs(struct device *dev, dma_addr_t addr, size_t size,
			  enum dma_data_direction dir, unsigned long attrs)
{
	if (ksl_dev_ok(dev, "dma_unmap_page"))
		direct_unmap(dev, addr, size, dir, attrs, KSL_MAP_PAGE);
}

int dma_mapping_error(struct device *dev, dma_addr_t dma_addr)
{
	return dma_addr == DMA_MAPPING_ERROR ? -ENOMEM : 0;
}

static void sync_single(struct device *dev, dma_addr_t addr, size_t size,
			enum dma_data_direction dir, bool to_cpu)
{
	const char *fn = to_cpu ? "dma_sync_single_for_cpu" :
				  "dma_sync_single_for_device";
	struct ksl_dma_map *m;

	if (!ksl_dev_ok(dev, fn) || !ksl_valid_dir(dev, dir, fn))
		return;
	ksl_dma_lock();
	m = ksl_check_sync(dev, addr, size, dir, to_cpu);
	if (m && m->bounced) {
		size_t off = addr - m->dma;

		if (to_cpu ? dir != DMA_TO_DEVICE : dir != DMA_FROM_DEVICE)
			ksl_swiotlb_bounce(m->phys + off, m->target + off, size,
					   !to_cpu);
	} else if (m && to_cpu && dir != DMA_TO_DEVICE) {
		if (m->snap[0] || m->snap[1])
			ksl_cache_inval(m, m->phys + (addr - m->dma), size,
					"sync_for_cpu");
	} else if (m && !to_cpu && !dev->coherent) {
		ksl_cache_clean(m->snap[0] || m->snap[1] ? m : NULL,
				m->phys + (addr - m->dma), size,
				"sync_for_device");
	}
	ksl_dma_unlock();
}

void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir)
{
	sync_single(dev, addr, size, dir, true);
}

void dma_sync_single_for_device(struct device *dev, dma_addr_t addr,
				size_t size, enum dma_data_direction dir)
{
	sync_single(dev, addr, size, dir, false);
}

/* ---- coherent allocations ------------------------------------------------- */
static gfp_t optimal_gfp(const struct device *dev)
{
	uint64_t limit = dev->coherent_dma_mask;

	if (limit <= (uint64_t)ksl_mm.zone_limit[ZONE_DMA] - 1)
		return GFP_DMA;
	if (limit <= DMA_BIT_MASK(32))
		return GFP_DMA32;
	return 0;
}

static struct page *alloc_below_mask(struct device *dev, size_t size, gfp_t gfp)
{
	unsigned int order = get_order(size);
	gfp_t zone = optimal_gfp(dev);
	uint64_t limit = dev->coherent_dma_mask;

	for (;;) {
		struct page *page = alloc_pages(gfp | zone, order);

		if (!page)
			return NULL;
		if (page_to_phys(page) + size - 1 <= limit)
			return page;
		__free_pages(page, order);
		if (!(zone & (GFP_DMA | GFP_DMA32)) && limit < DMA_BIT_MASK(64))
			zone = GFP_DMA32;
		else if (!(zone & GFP_DMA))
			zone = GFP_DMA;
		else
			return NULL;
	}
}

void *dma_alloc_coherent(struct device *dev, size_t size,
			 dma_addr_t *dma_handle, gfp_t gfp)
{
	struct ksl_dma_map *m;
	struct page *page;
	void *virt;

	if (!ksl_dev_ok(dev, "dma_alloc_coherent") || !dma_handle || !size)
		return NULL;
	/* the zone is the mask's business, not the caller's */
	gfp &= ~(__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM | __GFP_ZERO |
		 __GFP_COMP);
	/* behind an IOMMU any page will do: the IOVA meets the mask */
	page = dev->iommu ? alloc_pages(gfp, get_order(size)) :
			    alloc_below_mask(dev, size, gfp);
	if (!page)
		return NULL;
	virt = page_address(page);
	memset(virt, 0, ksl_mm.page_size << get_order(size));
	ksl_dma_lock();
	m = ksl_map_alloc();
	if (m && dev->iommu) {
		unsigned int shift = ksl_iova_shift(dev);

		m->iova_pages = KSL_ALIGN(size, 1UL << shift) >> shift;
		m->iova_pfn = ksl_iova_alloc(dev, m->iova_pages,
					     dev->coherent_dma_mask);
		if (!m->iova_pfn) {
			ksl_map_free(m);
			m = NULL;
		}
	}
	if (!m) {
		ksl_dma_unlock();
		__free_pages(page, get_order(size));
		return NULL;
	}
	m->dev = dev;
	m->phys = m->target = m->dma = page_to_phys(page);
	if (m->iova_pages)
		m->dma = (dma_addr_t)m->iova_pfn << ksl_iova_shift(dev);
	m->size = size;
	m->dir = DMA_BIDIRECTIONAL;
	m->type = KSL_MAP_COHERENT;
	m->caller = _RET_IP_;
	*dma_handle = m->dma;
	ksl_map_insert(m);
	ksl_dma_unlock();
	return virt;
}

void dma_free_coherent(struct device *dev, size_t size, void *cpu_addr,
		       dma_addr_t dma_handle)
{
	struct ksl_dma_map *m;
	phys_addr_t phys = 0;
	size_t msize = 0;

	if (!cpu_addr || !ksl_dev_ok(dev, "dma_free_coherent"))
		return;
	ksl_dma_lock();
	m = ksl_check_unmap(dev, dma_handle, size, DMA_BIDIRECTIONAL,
			    KSL_MAP_COHERENT);
	if (m && m->type != KSL_MAP_COHERENT)
		m = NULL; /* reported: wrong function; leave the mapping */
	if (m && phys_to_virt(m->phys) != cpu_addr) {
		ksl_dma_api_error(
			dev,
			"device driver frees DMA memory with different CPU address [device address=0x%016llx] [size=%zu bytes] [cpu alloc address=%p] [cpu free address=%p]",
			(unsigned long long)dma_handle, m->size,
			phys_to_virt(m->phys), cpu_addr);
		m = NULL;
	}
	if (m) {
		ksl_map_remove(m);
		phys = m->phys;
		msize = m->size;
		if (m->iova_pages)
			ksl_iova_free(dev, m->iova_pfn, m->iova_pages);
		ksl_map_free(m);
	}
	ksl_dma_unlock();
	if (!m)
		return;
	__free_pages(virt_to_page(phys_to_virt(phys)), get_order(msize));
}
