// SPDX-License-Identifier: MIT
/*
 * dma-iommu: devices behind an IOMMU with a translating DMA domain
 * (drivers/iommu/dma-iommu.c, iova.c rules).
 *
 * A mapping's DMA address is an IOVA: whole granules (the page size) are
 * allocated for it and the buffer keeps its offset inside the first one.
 * IOVAs come top-down, below 4 GiB first and then below the device's
 * mask (iommu_dma_alloc_iova), aligned to their size rounded up to a
 * power of two; freed ranges of fewer than 32 granules are kept per size
 * and handed out again first (the IOVA range caches), longer ones are
 * reused when one of the same length fits. Granule 0 is never used.
 *
 * A mapping bounces through swiotlb only when dev_use_swiotlb() says so
 * (the device is untrusted, or the 6.5 dma_kmalloc_needs_bounce() rule)
 * and the buffer's address or size is not granule-aligned; the bounce
 * slots are then granule-aligned and the rest of the last granule is
 * zeroed, so the device sees nothing else through the IOMMU. A scatter-
 * list bounces segment by segment when any segment needs it
 * (dev_use_sg_swiotlb); otherwise it takes one IOVA range, each segment
 * padded to whole granules, and segments meeting at a granule boundary
 * merge into one DMA segment of at most 64 KiB.
 *
 * Invariants: an entry's iova_pages is non-zero on exactly one entry per
 * IOVA range (a single mapping's, or a list's first segment), which frees
 * the range at unmap; the allocator state is guarded by ksl_dma.lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dma/dma_internal.h"

#define IOVA_CACHED_ORDERS 5	    /* sizes below 1 << 5 granules are cached */
#define KSL_SG_MAX_SEG (64UL << 10) /* dma_get_max_seg_size() default */

struct ksl_iova_range {
	unsigned long pfn, pages;
};

struct ksl_iova_stack {
	struct ksl_iova_range *r;
	size_t n, cap;
};

struct ksl_iommu {
	bool untrusted;
	unsigned long next32, next_hi; /* top-down cursors, in granules */
	struct ksl_iova_stack cached[IOVA_CACHED_ORDERS];
	struct ksl_iova_stack big;
};

unsigned int ksl_iova_shift(const struct device *dev)
{
	(void)dev;
	return ksl_mm.page_shift;
}

int kslab_device_attach_iommu(struct device *dev, unsigned int flags)
{
	struct ksl_iommu *mmu;

	if (!ksl_dev_ok(dev, "kslab_device_attach_iommu"))
		return -EINVAL;
	if (flags & ~KSLAB_IOMMU_UNTRUSTED) {
		ksl_printk("kslab_device_attach_iommu: %s: unknown flags %#x",
			   dev->name, flags);
		return -EINVAL;
	}
	mmu = calloc(1, sizeof(*mmu));
	if (!mmu)
		return -ENOMEM;
	mmu->untrusted = flags & KSLAB_IOMMU_UNTRUSTED;
	mmu->next32 = (unsigned long)((4ULL << 30) >> ksl_iova_shift(dev));
	mmu->next_hi = ~0UL;
	ksl_dma_lock();
	if (dev->maps) {
		ksl_dma_unlock();
		free(mmu);
		ksl_printk("kslab_device_attach_iommu: %s has live mappings",
			   dev->name);
		return -EBUSY;
	}
	ksl_iommu_free(dev);
	dev->iommu = mmu;
	ksl_dma_unlock();
	return 0;
}

bool use_dma_iommu(const struct device *dev)
{
	return dev && dev->iommu;
}

void ksl_iommu_free(struct device *dev)
{
	struct ksl_iommu *mmu = dev->iommu;

	if (!mmu)
		return;
	for (int i = 0; i < IOVA_CACHED_ORDERS; i++)
		free(mmu->cached[i].r);
	free(mmu->big.r);
	free(mmu);
	dev->iommu = NULL;
}

size_t ksl_iommu_max_mapping_size(struct device *dev)
{
	if (dev->iommu->untrusted && ksl_swiotlb_active())
		return ksl_swiotlb_max_mapping_size(dev);
	return SIZE_MAX;
}

/* ---- IOVA allocation ------------------------------------------------------ */
static unsigned int order_of(unsigned long pages)
{
	return pages <= 1 ? 0 : (unsigned int)ksl_fls64(pages - 1);
}

static bool stack_push(struct ksl_iova_stack *s, unsigned long pfn,
		       unsigned long pages)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct ksl_iova_range *r = realloc(s->r, cap * sizeof(*r));

		if (!r)
			return false;
		s->r = r;
		s->cap = cap;
	}
	s->r[s->n].pfn = pfn;
	s->r[s->n++].pages = pages;
	return true;
}

/* a kept range of exactly pages granules ending at or below limit */
static unsigned long stack_take(struct ksl_iova_stack *s, unsigned long pages,
				unsigned long limit)
{
	for (size_t i = s->n; i-- > 0;) {
		unsigned long pfn = s->r[i].pfn;

		if (s->r[i].pages != pages || pfn + pages - 1 > limit)
			continue;
		s->r[i] = s->r[--s->n];
		return pfn;
	}
	return 0;
}

/* top-down from *cursor, not below floor: the first granule, or 0 */
static unsigned long bump(unsigned long *cursor, unsigned long floor,
			  unsigned long pages, unsigned long limit)
{
	unsigned long top = ksl_min(*cursor, limit + 1);
	unsigned long align = 1UL << order_of(pages), pfn;

	if (top < pages + floor)
		return 0;
	pfn = (top - pages) & ~(align - 1);
	if (pfn < floor || !pfn)
		return 0;
	*cursor = pfn;
	return pfn;
}

static unsigned long alloc_below(struct ksl_iommu *mmu, unsigned long pages,
				 unsigned long limit, unsigned long four_g)
{
	unsigned long pfn;

	if (pages < (1UL << IOVA_CACHED_ORDERS)) {
		pages = 1UL << order_of(pages);
		pfn = stack_take(&mmu->cached[order_of(pages)], pages, limit);
	} else {
		pfn = stack_take(&mmu->big, pages, limit);
	}
	if (pfn)
		return pfn;
	if (limit < four_g)
		return bump(&mmu->next32, 1, pages, limit);
	return bump(&mmu->next_hi, four_g, pages, limit);
}

unsigned long ksl_iova_alloc(struct device *dev, unsigned long pages,
			     uint64_t mask)
{
	unsigned int shift = ksl_iova_shift(dev);
	unsigned long four_g = (unsigned long)((4ULL << 30) >> shift);
	unsigned long limit = (unsigned long)(mask >> shift), pfn = 0;

	if (!pages)
		return 0;
	/* a 32-bit (SAC) address first, as for a PCI device */
	if (limit >= four_g)
		pfn = alloc_below(dev->iommu, pages, four_g - 1, four_g);
	if (!pfn)
		pfn = alloc_below(dev->iommu, pages, limit, four_g);
	return pfn;
}

void ksl_iova_free(struct device *dev, unsigned long pfn, unsigned long pages)
{
	struct ksl_iommu *mmu = dev->iommu;

	if (!mmu || !pfn)
		return;
	/* a range that cannot be kept is lost to the domain (leaked) */
	if (pages < (1UL << IOVA_CACHED_ORDERS))
		stack_push(&mmu->cached[order_of(pages)], pfn,
			   1UL << order_of(pages));
	else
		stack_push(&mmu->big, pfn, pages);
}

/* ---- streaming mappings ---------------------------------------------------- */
/* dev_use_swiotlb() and iova_unaligned() */
static bool must_bounce(struct device *dev, phys_addr_t phys, size_t size,
			enum dma_data_direction dir)
{
	size_t granule = (size_t)1 << ksl_iova_shift(dev);

	if (!dev->iommu->untrusted &&
	    !ksl_dma_kmalloc_needs_bounce(dev, size, dir))
		return false;
	return ((phys | size) & (granule - 1)) != 0;
}

/* iommu_dma_map_swiotlb(): the slot address, or DMA_MAPPING_ERROR */
static phys_addr_t bounce(struct device *dev, phys_addr_t phys, size_t size,
			  unsigned long attrs, int *slot, unsigned int *nslots)
{
	size_t granule = (size_t)1 << ksl_iova_shift(dev);
	phys_addr_t tlb;
	size_t room;

	if (!ksl_swiotlb_active()) {
		ksl_pr_ratelimited(
			20,
			"%s: Use of swiotlb is not allowed (no bounce buffer)",
			dev->name);
		return DMA_MAPPING_ERROR;
	}
	*slot = ksl_swiotlb_map(dev, phys, size, granule - 1, attrs, &tlb,
				nslots);
	if (*slot < 0)
		return DMA_MAPPING_ERROR;
	ksl_swiotlb_bounce(phys, tlb, size, true);
	/* the rest of the slots the IOMMU will expose: zeroed */
	room = ((size_t)*nslots << IO_TLB_SHIFT) - (tlb & (IO_TLB_SIZE - 1));
	room = ksl_min(room - size, KSL_ALIGN(size, granule) - size);
	memset(phys_to_virt(tlb + size), 0, room);
	ksl_dev_count(dev, KSL_STAT(bounces), 1);
	ksl_dev_count(dev, KSL_STAT(bounced_bytes), size);
	return tlb;
}

dma_addr_t ksl_iommu_map(struct device *dev, phys_addr_t phys, size_t size,
			 enum dma_data_direction dir, unsigned long attrs,
			 enum ksl_map_type type, unsigned long caller)
{
	unsigned int shift = ksl_iova_shift(dev), nslots = 0;
	size_t granule = (size_t)1 << shift;
	phys_addr_t target = phys;
	struct ksl_dma_map *m;
	bool bounced = false;
	int slot = -1;

	if (ksl_dma.packed_policy && !dev->coherent)
		ksl_cache_check_packed(dev, phys, size, caller);
	if (must_bounce(dev, phys, size, dir)) {
		target = bounce(dev, phys, size, attrs, &slot, &nslots);
		if (target == DMA_MAPPING_ERROR)
			return DMA_MAPPING_ERROR;
		bounced = true;
	}
	ksl_dma_lock();
	m = ksl_map_alloc();
	if (m) {
		m->iova_pages =
			KSL_ALIGN(size + (target & (granule - 1)), granule) >>
			shift;
		m->iova_pfn = ksl_iova_alloc(dev, m->iova_pages, dev->dma_mask);
		if (!m->iova_pfn) {
			ksl_map_free(m);
			m = NULL;
		}
	}
	if (!m) {
		ksl_dma_unlock();
		if (bounced)
			ksl_swiotlb_release(slot, nslots);
		ksl_pr_ratelimited(20, "%s: no IOVA space for %zu bytes",
				   dev->name, size);
		return DMA_MAPPING_ERROR;
	}
	m->dev = dev;
	m->dma = ((dma_addr_t)m->iova_pfn << shift) + (target & (granule - 1));
	m->phys = phys;
	m->target = target;
	m->size = size;
	m->dir = dir;
	m->type = type;
	m->caller = caller;
	m->bounced = bounced;
	m->slot = slot;
	m->nslots = nslots;
	return ksl_map_commit(m, attrs);
}

/* ---- scatterlists ----------------------------------------------------------- */
/* dev_use_sg_swiotlb() */
static bool sg_must_bounce(struct device *dev, struct scatterlist *sgl,
			   int nents, enum dma_data_direction dir)
{
	struct scatterlist *sg;
	int i;

	if (!ksl_swiotlb_active())
		return false;
	if (dev->iommu->untrusted)
		return true;
	for_each_sg(sgl, sg, nents,
		    i) if (ksl_dma_kmalloc_needs_bounce(dev, sg->length,
							dir)) return true;
	return false;
}

/* each segment its own mapping (iommu_dma_map_sg_swiotlb) */
static int map_sg_each(struct device *dev, struct scatterlist *sgl, int nents,
		       enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
	{
		sg->dma_address = ksl_iommu_map(dev, sg_phys(sg), sg->length,
						dir, attrs, KSL_MAP_SG,
						_RET_IP_);
		if (sg->dma_address == DMA_MAPPING_ERROR) {
			ksl_iommu_unmap_sg(dev, sgl, i, dir,
					   attrs | DMA_ATTR_SKIP_CPU_SYNC);
			return 0;
		}
		sg->dma_length = sg->length;
		sg->dma_flags = 0;
	}
	return nents;
}

/* one entry of a list's IOVA range; lock held */
static bool add_segment(struct device *dev, struct scatterlist *sg,
			dma_addr_t dma, enum dma_data_direction dir,
			unsigned long attrs, unsigned long pfn,
			unsigned long pages)
{
	struct ksl_dma_map *m = ksl_map_alloc();
	phys_addr_t phys = sg_phys(sg);

	if (!m)
		return false;
	m->dev = dev;
	m->dma = dma;
	m->phys = m->target = phys;
	m->size = sg->length;
	m->dir = dir;
	m->type = KSL_MAP_SG;
	m->caller = _RET_IP_;
	m->iova_pfn = pfn;
	m->iova_pages = pages;
	if (!dev->coherent && !(attrs & DMA_ATTR_SKIP_CPU_SYNC) &&
	    ksl_cache_partial_lines(phys, sg->length)) {
		bool model = ksl_cache_model_applies(dev, dir, false, attrs);

		ksl_cache_clean(model ? m : NULL, phys, sg->length, "map");
		if (model)
			ksl_cache_check_shared(m);
	}
	ksl_map_insert(m);
	return true;
}

/* the IOVA of each segment of a list mapped as one range, from base */
static dma_addr_t seg_dma(struct device *dev, struct scatterlist *sg,
			  dma_addr_t *cursor)
{
	size_t granule = (size_t)1 << ksl_iova_shift(dev);
	size_t off = sg_phys(sg) & (granule - 1);
	dma_addr_t dma = *cursor + off;

	*cursor += KSL_ALIGN(off + sg->length, granule);
	return dma;
}

/* __finalise_sg(): merge segments that meet at a granule boundary */
static int finalise(struct device *dev, struct scatterlist *sgl, int nents,
		    dma_addr_t base)
{
	size_t granule = (size_t)1 << ksl_iova_shift(dev);
	struct scatterlist *sg, *out = sgl;
	dma_addr_t cursor = base, start = 0;
	size_t len = 0;
	bool open = false;
	int count = 0, i;

	for_each_sg(sgl, sg, nents, i)
	{
		dma_addr_t dma = seg_dma(dev, sg, &cursor);

		if (open && !(dma & (granule - 1)) && start + len == dma &&
		    len + sg->length <= KSL_SG_MAX_SEG) {
			len += sg->length;
			continue;
		}
		if (open) {
			out->dma_address = start;
			out->dma_length = (unsigned int)len;
			out = sg_next(out);
			count++;
		}
		start = dma;
		len = sg->length;
		open = true;
	}
	out->dma_address = start;
	out->dma_length = (unsigned int)len;
	count++;
	for_each_sg(sgl, sg, nents, i)
	{
		if (i < count)
			continue;
		sg->dma_address = DMA_MAPPING_ERROR;
		sg->dma_length = 0;
	}
	return count;
}

#define KSL_SG_IOVA_LIST 0x2U /* sgl[0].dma_flags: one IOVA range */

int ksl_iommu_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
		     enum dma_data_direction dir, unsigned long attrs)
{
	size_t granule = (size_t)1 << ksl_iova_shift(dev);
	struct scatterlist *sg;
	unsigned long pages = 0, pfn;
	dma_addr_t base, cursor;
	int i;

	if (sg_must_bounce(dev, sgl, nents, dir))
		return map_sg_each(dev, sgl, nents, dir, attrs);
	for_each_sg(sgl, sg, nents, i)
		pages += KSL_ALIGN((sg_phys(sg) & (granule - 1)) + sg->length,
				   granule) >>
			 ksl_iova_shift(dev);
	ksl_dma_lock();
	pfn = ksl_iova_alloc(dev, pages, dev->dma_mask);
	if (!pfn) {
		ksl_dma_unlock();
		return 0;
	}
	base = cursor = (dma_addr_t)pfn << ksl_iova_shift(dev);
	for_each_sg(sgl, sg, nents, i)
	{
		if (!add_segment(dev, sg, seg_dma(dev, sg, &cursor), dir, attrs,
				 i ? 0 : pfn, i ? 0 : pages)) {
			if (!i)
				ksl_iova_free(dev, pfn, pages);
			ksl_dma_unlock();
			sgl->dma_address =
				base + (sg_phys(sgl) & (granule - 1));
			sgl->dma_flags = KSL_SG_IOVA_LIST;
			ksl_iommu_unmap_sg(dev, sgl, i, dir,
					   attrs | DMA_ATTR_SKIP_CPU_SYNC);
			return 0;
		}
	}
	ksl_dma_unlock();
	ksl_dev_count(dev, KSL_STAT(mappings), (unsigned long)nents);
	i = finalise(dev, sgl, nents, base);
	sgl->dma_flags = KSL_SG_IOVA_LIST;
	return i;
}

/* the first segment's IOVA range base, for a list mapped as one range */
static bool list_base(struct device *dev, struct scatterlist *sgl,
		      dma_addr_t *base)
{
	size_t granule = (size_t)1 << ksl_iova_shift(dev);

	if (!(sgl->dma_flags & KSL_SG_IOVA_LIST))
		return false;
	*base = sgl->dma_address & ~(dma_addr_t)(granule - 1);
	return true;
}

void ksl_iommu_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg;
	dma_addr_t cursor;
	int i;

	if (!list_base(dev, sgl, &cursor)) {
		for_each_sg(sgl, sg, nents, i)
		{
			if (!sg)
				break;
			ksl_direct_unmap(dev, sg->dma_address, sg->dma_length,
					 dir, attrs, KSL_MAP_SG);
		}
		return;
	}
	/* the entries are per segment, as they were laid out */
	for_each_sg(sgl, sg, nents, i)
	{
		if (!sg)
			break;
		ksl_direct_unmap(dev, seg_dma(dev, sg, &cursor), sg->length,
				 dir, attrs, KSL_MAP_SG);
	}
	sgl->dma_flags = 0;
}

/* sync a list: per original segment (iommu_dma_sync_sg_for_*) */
bool ksl_iommu_sync_sg(struct device *dev, struct scatterlist *sgl, int nelems,
		       enum dma_data_direction dir, bool to_cpu)
{
	struct scatterlist *sg;
	dma_addr_t cursor;
	int i;

	if (!dev->iommu || !list_base(dev, sgl, &cursor))
		return false;
	for_each_sg(sgl, sg, nelems, i)
	{
		dma_addr_t dma;

		if (!sg)
			break;
		dma = seg_dma(dev, sg, &cursor);
		if (to_cpu)
			dma_sync_single_for_cpu(dev, dma, sg->length, dir);
		else
			dma_sync_single_for_device(dev, dma, sg->length, dir);
	}
	return true;
}
