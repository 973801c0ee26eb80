// SPDX-License-Identifier: MIT
/*
 * struct scatterlist (include/linux/scatterlist.h, lib/scatterlist.c) and
 * its mapping by dma-direct (dma_direct_map_sg; behind an IOMMU, by
 * iommu.c).
 *
 * page_link holds the page pointer with two mark bits: SG_CHAIN (the
 * entry points to another table) and SG_END (last entry). dma-direct
 * maps each segment on its own, with the same rules as dma_map_page (so
 * one segment may bounce and its neighbour not), never merges them, and
 * on a failure unmaps the segments already mapped, without CPU sync
 * (DMA_ATTR_SKIP_CPU_SYNC, as dma_direct_map_sg does), and returns 0.
 */
#include <string.h>
#include "dma/dma_internal.h"

void sg_init_table(struct scatterlist *sgl, unsigned int nents)
{
	if (!sgl || !nents)
		return;
	memset(sgl, 0, sizeof(*sgl) * nents);
	sg_mark_end(&sgl[nents - 1]);
}

void sg_set_page(struct scatterlist *sg, struct page *page, unsigned int len,
		 unsigned int offset)
{
	sg->page_link = (sg->page_link & SG_PAGE_LINK_MASK) |
			(unsigned long)page;
	sg->offset = offset;
	sg->length = len;
}

void sg_set_buf(struct scatterlist *sg, const void *buf, unsigned int buflen)
{
	uintptr_t off = (uintptr_t)buf & (ksl_mm.page_size - 1);

	sg_set_page(sg, virt_to_page(buf), buflen, (unsigned int)off);
}

void sg_init_one(struct scatterlist *sg, const void *buf, unsigned int buflen)
{
	sg_init_table(sg, 1);
	sg_set_buf(sg, buf, buflen);
}

void sg_chain(struct scatterlist *prv, unsigned int prv_nents,
	      struct scatterlist *sgl)
{
	struct scatterlist *link = &prv[prv_nents - 1];

	link->offset = 0;
	link->length = 0;
	link->page_link = ((unsigned long)sgl | SG_CHAIN) & ~SG_END;
}

struct scatterlist *sg_next(struct scatterlist *sg)
{
	if (sg_is_last(sg))
		return NULL;
	sg++;
	if (sg_is_chain(sg))
		sg = (struct scatterlist *)(sg->page_link & ~SG_PAGE_LINK_MASK);
	return sg;
}

int sg_nents(struct scatterlist *sg)
{
	int n = 0;

	for (; sg; sg = sg_next(sg))
		n++;
	return n;
}

void *sg_virt(const struct scatterlist *sg)
{
	return (char *)page_address(sg_page(sg)) + sg->offset;
}

phys_addr_t sg_phys(const struct scatterlist *sg)
{
	return page_to_phys(sg_page(sg)) + sg->offset;
}

static void unmap_segments(struct device *dev, struct scatterlist *sgl, int n,
			   enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	if (dev->iommu) {
		ksl_iommu_unmap_sg(dev, sgl, n, dir, attrs);
		return;
	}
	for_each_sg(sgl, sg, n, i)
	{
		if (!sg)
			break;
		ksl_direct_unmap(dev, sg->dma_address, sg->dma_length, dir,
				 attrs, KSL_MAP_SG);
	}
}

int dma_map_sg_attrs(struct device *dev, struct scatterlist *sgl, int nents,
		     enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	if (!ksl_dev_ok(dev, "dma_map_sg") ||
	    !ksl_valid_dir(dev, dir, "dma_map_sg"))
		return 0;
	if (!sgl || nents <= 0) {
		ksl_dma_api_error(dev, "dma_map_sg: empty scatterlist");
		return 0;
	}
	for_each_sg(sgl, sg, nents, i)
	{
		void *virt;

		if (!sg || !sg_page(sg) || !sg->length ||
		    !kslab_virt_addr_valid(virt = sg_virt(sg)) ||
		    !kslab_virt_addr_valid((char *)virt + sg->length - 1)) {
			ksl_dma_api_error(
				dev,
				"dma_map_sg: segment %d is not memory of this machine",
				i);
			return 0;
		}
	}
	sgl->dma_flags = 0;
	if (dev->iommu)
		return ksl_iommu_map_sg(dev, sgl, nents, dir, attrs);
	for_each_sg(sgl, sg, nents, i)
	{
		sg->dma_address = ksl_direct_map(dev, sg_phys(sg), sg->length,
						 dir, attrs, KSL_MAP_SG,
						 _RET_IP_);
		if (sg->dma_address == DMA_MAPPING_ERROR) {
			/* dma_direct_map_sg's error path: no CPU sync */
			unmap_segments(dev, sgl, i, dir,
				       attrs | DMA_ATTR_SKIP_CPU_SYNC);
			return 0;
		}
		sg->dma_length = sg->length;
	}
	return nents;
}

void dma_unmap_sg_attrs(struct device *dev, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir, unsigned long attrs)
{
	if (!ksl_dev_ok(dev, "dma_unmap_sg") || !sgl || nents <= 0)
		return;
	unmap_segments(dev, sgl, nents, dir, attrs);
}

void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sgl,
			 int nelems, enum dma_data_direction dir)
{
	struct scatterlist *sg;
	int i;

	if (!ksl_dev_ok(dev, "dma_sync_sg_for_cpu") || !sgl ||
	    ksl_iommu_sync_sg(dev, sgl, nelems, dir, true))
		return;
	for_each_sg(sgl, sg, nelems, i)
	{
		if (!sg)
			break;
		dma_sync_single_for_cpu(dev, sg->dma_address, sg->dma_length,
					dir);
	}
}

void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sgl,
			    int nelems, enum dma_data_direction dir)
{
	struct scatterlist *sg;
	int i;

	if (!ksl_dev_ok(dev, "dma_sync_sg_for_device") || !sgl ||
	    ksl_iommu_sync_sg(dev, sgl, nelems, dir, false))
		return;
	for_each_sg(sgl, sg, nelems, i)
	{
		if (!sg)
			break;
		dma_sync_single_for_device(dev, sg->dma_address, sg->dma_length,
					   dir);
	}
}
