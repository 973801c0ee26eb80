/* SPDX-License-Identifier: MIT */
/*
 * The DMA API with the kernel's names and semantics (dma-direct, swiotlb,
 * dma_pool, scatterlists), on simulated devices.
 *
 * A device reaches memory only through DMA addresses, which are physical
 * addresses (dma-direct): kslab_device_dma_write()/_read() copy between
 * the device and memory and refuse an address beyond the device's mask or
 * outside its live mappings.
 *
 * A device that is not cache-coherent (arm64 SoCs) is modelled with the
 * cache maintenance arm64 does around DMA: map and sync_for_device clean
 * the buffer's cache lines (a dirty line is written back); unmap and
 * sync_for_cpu clean+invalidate the lines the buffer only partly covers.
 * A line the buffer shares with another object, dirtied by a CPU write to
 * that object while the device owns the buffer, is written back over what
 * the device wrote there: the received bytes are lost (at the unmap, or
 * earlier when the cache evicts the line: kslab_cache_evict()). kslab
 * counts and reports every such loss (struct kslab_dma_stats).
 */
#ifndef KSLAB_DMA_H
#define KSLAB_DMA_H

#include <stddef.h>
#include <kslab/types.h>
#include <kslab/gfp.h>

KSLAB_EXTERN_C_BEGIN

struct device;
struct page;

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
	DMA_NONE = 3,
};

#define DMA_BIT_MASK(n) (((n) == 64) ? ~0ULL : ((1ULL << (n)) - 1))
#define DMA_MAPPING_ERROR (~(dma_addr_t)0)

/* DMA attributes (include/linux/dma-mapping.h bit values) */
#define DMA_ATTR_WEAK_ORDERING (1UL << 1)
#define DMA_ATTR_WRITE_COMBINE (1UL << 2)
#define DMA_ATTR_NO_KERNEL_MAPPING (1UL << 4)
#define DMA_ATTR_SKIP_CPU_SYNC (1UL << 5)
#define DMA_ATTR_FORCE_CONTIGUOUS (1UL << 6)
#define DMA_ATTR_ALLOC_SINGLE_PAGES (1UL << 7)
#define DMA_ATTR_NO_WARN (1UL << 8)
#define DMA_ATTR_PRIVILEGED (1UL << 9)

/* ---- devices ------------------------------------------------------------ */
/*
 * A device whose streaming and coherent masks are DMA_BIT_MASK(dma_bits)
 * (0: 32, as a platform device). coherent is ignored on x86_64, where
 * every device is coherent. NULL, with a message, for a bad name or a
 * mask the machine cannot serve.
 */
KSLAB_API struct device *
kslab_device_create(const char *name, unsigned int dma_bits, bool coherent);
/* Live mappings are reported and released. */
KSLAB_API void kslab_device_destroy(struct device *dev);
KSLAB_API const char *dev_name(const struct device *dev);

/* 0, or -EIO when the machine cannot serve the mask (dma_supported()). */
KSLAB_API int dma_set_mask(struct device *dev, uint64_t mask);
KSLAB_API int dma_set_coherent_mask(struct device *dev, uint64_t mask);
KSLAB_API int dma_set_mask_and_coherent(struct device *dev, uint64_t mask);
KSLAB_API uint64_t dma_get_mask(const struct device *dev);
KSLAB_API uint64_t dma_get_coherent_mask(const struct device *dev);
KSLAB_API int dma_set_min_align_mask(struct device *dev, unsigned int mask);
/* The cache line non-coherent DMA must respect (1 on x86_64). */
KSLAB_API int dma_get_cache_alignment(void);
KSLAB_API bool dev_is_dma_coherent(const struct device *dev);
/*
 * dma_max_mapping_size(): SIZE_MAX, unless the mapping may have to go
 * through swiotlb: dma-direct with a pool and the device addressing-
 * limited or swiotlb=force, or an untrusted device behind an IOMMU; then
 * a segment (256 KiB) less roundup(min_align_mask, 2 KiB).
 */
KSLAB_API size_t dma_max_mapping_size(struct device *dev);
/* The mask that reaches all of RAM (dma-direct); 32 bits behind an IOMMU. */
KSLAB_API uint64_t dma_get_required_mask(struct device *dev);
/* Is the mask below the required one (or, dma-direct, RAM beyond it)? */
KSLAB_API bool dma_addressing_limited(struct device *dev);

/*
 * Put dev behind an IOMMU with a DMA (translating) domain, as
 * iommu_setup_dma_ops() does: its mappings then go through dma-iommu
 * (iommu_dma_map_page / iommu_dma_map_sg): the DMA address is an IOVA
 * (granule: the page size; allocated top-down below 4 GiB first, then
 * below the mask; freed ranges of under 32 granules reused per size),
 * any physical page is reachable, and a mapping bounces through swiotlb
 * only when dev_use_swiotlb() says so — the device is untrusted
 * (KSLAB_IOMMU_UNTRUSTED: an external PCI port) or the 6.5 kmalloc rule
 * applies — and the buffer or its size is not granule-aligned.
 * 0, -EBUSY (the device has live mappings), -EINVAL.
 */
#define KSLAB_IOMMU_UNTRUSTED 0x1U
KSLAB_API int kslab_device_attach_iommu(struct device *dev, unsigned int flags);
/* use_dma_iommu(): does dev map through dma-iommu? */
KSLAB_API bool use_dma_iommu(const struct device *dev);

/*
 * The device's side of DMA: copy len bytes to / from memory at dma.
 * 0, -EIO (beyond the device's mask), -EFAULT (not inside one of the
 * device's live mappings), -EPERM (the mapping's direction forbids it),
 * -EINVAL (bad arguments). A message names the refusal.
 */
KSLAB_API int kslab_device_dma_write(struct device *dev, dma_addr_t dma,
				     const void *src, size_t len);
KSLAB_API int kslab_device_dma_read(struct device *dev, dma_addr_t dma,
				    void *dst, size_t len);

/* ---- statistics ----------------------------------------------------------- */
struct kslab_dma_stats {
	unsigned long
		mappings; /* successful map calls, sg segments counted one by one */
	unsigned long bounces; /* of those, served through swiotlb */
	unsigned long bounced_bytes;
	unsigned long
		lost_bytes; /* bytes the device wrote, overwritten by the write-back of a cache line the CPU dirtied */
	unsigned long
		shared_line_warnings; /* mappings that shared a cache line with another live object */
	unsigned long
		api_errors; /* DMA API misuse reports, packed-object mappings included */
};
/* dev NULL: all devices since boot. 0 or -EINVAL. */
KSLAB_API int kslab_dma_stats(const struct device *dev,
			      struct kslab_dma_stats *out);

/*
 * The CPU's cache drops the lines covering [addr, addr + size) on its
 * own (a capacity eviction): a dirty line is written back to memory.
 * Returns the bytes the device had written there that the write-back
 * overwrote (also counted in lost_bytes and reported). Only lines a live
 * non-coherent mapping partly covers have a state to act on; 0 for any
 * other range.
 */
KSLAB_API size_t kslab_cache_evict(const void *addr, size_t size);

/* ---- streaming mappings (dma-direct) ------------------------------------- */
KSLAB_API dma_addr_t dma_map_page_attrs(struct device *dev, struct page *page,
					size_t offset, size_t size,
					enum dma_data_direction dir,
					unsigned long attrs);
KSLAB_API void dma_unmap_page_attrs(struct device *dev, dma_addr_t addr,
				    size_t size, enum dma_data_direction dir,
				    unsigned long attrs);
KSLAB_API dma_addr_t dma_map_single_attrs(struct device *dev, void *ptr,
					  size_t size,
					  enum dma_data_direction dir,
					  unsigned long attrs);
KSLAB_API void dma_unmap_single_attrs(struct device *dev, dma_addr_t addr,
				      size_t size, enum dma_data_direction dir,
				      unsigned long attrs);
KSLAB_API void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr,
				       size_t size,
				       enum dma_data_direction dir);
KSLAB_API void dma_sync_single_for_device(struct device *dev, dma_addr_t addr,
					  size_t size,
					  enum dma_data_direction dir);
/* 0, or -ENOMEM for DMA_MAPPING_ERROR (the kernel's). */
KSLAB_API int dma_mapping_error(struct device *dev, dma_addr_t dma_addr);

#define dma_map_single(d, a, s, r) dma_map_single_attrs(d, a, s, r, 0)
#define dma_unmap_single(d, a, s, r) dma_unmap_single_attrs(d, a, s, r, 0)
#define dma_map_page(d, p, o, s, r) dma_map_page_attrs(d, p, o, s, r, 0)
#define dma_unmap_page(d, a, s, r) dma_unmap_page_attrs(d, a, s, r, 0)

/* ---- coherent allocations ------------------------------------------------ */
/* Zeroed pages from the zone the coherent mask allows; NULL on failure. */
KSLAB_API void *dma_alloc_coherent(struct device *dev, size_t size,
				   dma_addr_t *dma_handle, gfp_t gfp);
KSLAB_API void dma_free_coherent(struct device *dev, size_t size,
				 void *cpu_addr, dma_addr_t dma_handle);

/* ---- scatterlists ---------------------------------------------------------- */
struct scatterlist {
	unsigned long page_link; /* struct page *, low bits: chain / end marks */
	unsigned int offset;
	unsigned int length;
	dma_addr_t dma_address;
	unsigned int dma_length;
	unsigned int dma_flags; /* kslab's: how the list was mapped */
};

#define SG_CHAIN 0x01UL
#define SG_END 0x02UL
#define SG_PAGE_LINK_MASK (SG_CHAIN | SG_END)

static inline struct page *sg_page(const struct scatterlist *sg)
{
	return (struct page *)(sg->page_link & ~SG_PAGE_LINK_MASK);
}

static inline bool sg_is_last(const struct scatterlist *sg)
{
	return sg->page_link & SG_END;
}

static inline bool sg_is_chain(const struct scatterlist *sg)
{
	return sg->page_link & SG_CHAIN;
}

static inline void sg_mark_end(struct scatterlist *sg)
{
	sg->page_link |= SG_END;
	sg->page_link &= ~SG_CHAIN;
}

static inline void sg_unmark_end(struct scatterlist *sg)
{
	sg->page_link &= ~SG_END;
}

#define sg_dma_address(sg) ((sg)->dma_address)
#define sg_dma_len(sg) ((sg)->dma_length)

KSLAB_API void sg_init_table(struct scatterlist *sgl, unsigned int nents);
KSLAB_API void sg_init_one(struct scatterlist *sg, const void *buf,
			   unsigned int buflen);
KSLAB_API void sg_set_page(struct scatterlist *sg, struct page *page,
			   unsigned int len, unsigned int offset);
KSLAB_API void sg_set_buf(struct scatterlist *sg, const void *buf,
			  unsigned int buflen);
KSLAB_API void sg_chain(struct scatterlist *prv, unsigned int prv_nents,
			struct scatterlist *sgl);
KSLAB_API struct scatterlist *sg_next(struct scatterlist *sg);
KSLAB_API int sg_nents(struct scatterlist *sg);
KSLAB_API void *sg_virt(const struct scatterlist *sg);
KSLAB_API phys_addr_t sg_phys(const struct scatterlist *sg);

#define for_each_sg(sglist, sg, nr, __i) \
	for (__i = 0, sg = (sglist); __i < (nr); __i++, sg = sg_next(sg))

/*
 * Segments mapped, or 0 on failure with nothing left mapped (the error
 * path unmaps with DMA_ATTR_SKIP_CPU_SYNC). dma-direct maps each segment
 * on its own and returns nents. Behind an IOMMU (iommu_dma_map_sg): if
 * any segment needs the swiotlb (dev_use_sg_swiotlb), each is mapped on
 * its own as dma_map_page would; otherwise the list gets one IOVA range,
 * each segment padded to whole granules, and segments that meet at a
 * granule boundary are merged (at most 64 KiB, the default
 * max_segment_size): the count of merged DMA segments is returned, in the
 * first entries' sg_dma_address/len (later ones: DMA_MAPPING_ERROR, 0).
 */
KSLAB_API int dma_map_sg_attrs(struct device *dev, struct scatterlist *sg,
			       int nents, enum dma_data_direction dir,
			       unsigned long attrs);
/* nents: the count passed to dma_map_sg, not the one it returned */
KSLAB_API void dma_unmap_sg_attrs(struct device *dev, struct scatterlist *sg,
				  int nents, enum dma_data_direction dir,
				  unsigned long attrs);
KSLAB_API void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg,
				   int nelems, enum dma_data_direction dir);
KSLAB_API void dma_sync_sg_for_device(struct device *dev,
				      struct scatterlist *sg, int nelems,
				      enum dma_data_direction dir);

#define dma_map_sg(d, s, n, r) dma_map_sg_attrs(d, s, n, r, 0)
#define dma_unmap_sg(d, s, n, r) dma_unmap_sg_attrs(d, s, n, r, 0)

/* ---- dma_pool --------------------------------------------------------------- */
struct dma_pool;

/*
 * Blocks of size bytes (rounded up to align, a power of two; 0 means 1),
 * none crossing a multiple of boundary (a power of two >= size; 0: the
 * allocation size), carved from coherent allocations of at least a page.
 */
KSLAB_API struct dma_pool *dma_pool_create(const char *name, struct device *dev,
					   size_t size, size_t align,
					   size_t boundary);
/* Warns "dma_pool_destroy NAME busy" when blocks are still in use. */
KSLAB_API void dma_pool_destroy(struct dma_pool *pool);
KSLAB_API void *dma_pool_alloc(struct dma_pool *pool, gfp_t mem_flags,
			       dma_addr_t *handle);
KSLAB_API void *dma_pool_zalloc(struct dma_pool *pool, gfp_t mem_flags,
				dma_addr_t *handle);
KSLAB_API void dma_pool_free(struct dma_pool *pool, void *vaddr,
			     dma_addr_t dma);

KSLAB_EXTERN_C_END

#endif /* KSLAB_DMA_H */
