// SPDX-License-Identifier: MIT
/*
 * Seed 001 as the ARMv7 short-descriptor IOMMU driver lives it: its L2
 * page tables are 1 KiB each and must sit below 4 GiB (the IOMMU's table
 * walker is a 32-bit master), on an arm64 machine with RAM above 4 GiB.
 *
 *   a page each      __get_free_page(GFP_DMA32): safe, 4x the memory
 *   plain cache      kmem_cache_create(1 KiB): small, but above 4 GiB
 *   DMA32 cache      kmem_cache_create(1 KiB, SLAB_CACHE_DMA32): both
 *
 * For each: memory used, the highest table address, whether all are
 * below 4 GiB, and the bounces the IOMMU's 32-bit DMA would need.
 *
 * Then what the tables are for: a 32-bit device behind the IOMMU
 * (kslab_device_attach_iommu) maps 4 KiB buffers that lie above 4 GiB.
 * dma-iommu gives each an IOVA below 4 GiB, so nothing bounces; every
 * 1 MiB of IOVA in use is one L2 table (256 entries of 4 KiB) the driver
 * allocates from its SLAB_CACHE_DMA32 cache, and an untrusted device
 * bounces its unaligned buffers through swiotlb instead.
 *
 *   example_iommu_pgtable [NR_TABLES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kslab/kslab.h>

#define L2_SIZE 1024
#define BOOT "arch=arm64 mem=8G nr_cpus=2"

enum way { PAGE_EACH, PLAIN_CACHE, DMA32_CACHE };
static const char *const way_names[] = { "a page each", "plain 1K cache",
					 "SLAB_CACHE_DMA32" };

static int run(enum way w, int n)
{
	struct kmem_cache *c = NULL;
	struct kslab_dma_stats st;
	void **t = calloc(n, sizeof(*t));
	unsigned long slab0, pages = 0;
	phys_addr_t top = 0;
	struct device *iommu;

	if (!t || kslab_boot(BOOT))
		return 1;
	iommu = kslab_device_create("iommu-v7s", 32, true);
	slab0 = kslab_slab_pages();
	if (w != PAGE_EACH)
		c = kmem_cache_create("io-pgtable_armv7s_l2", L2_SIZE, L2_SIZE,
				      w == DMA32_CACHE ? SLAB_CACHE_DMA32 : 0,
				      NULL);
	for (int i = 0; i < n; i++) {
		t[i] = w == PAGE_EACH ?
			       (void *)__get_free_page(GFP_KERNEL | GFP_DMA32) :
			       kmem_cache_zalloc(c, GFP_KERNEL);
		if (!t[i])
			return 1;
		if (virt_to_phys(t[i]) + L2_SIZE - 1 > top)
			top = virt_to_phys(t[i]) + L2_SIZE - 1;
	}
	pages = w == PAGE_EACH ? (unsigned long)n : kslab_slab_pages() - slab0;
	/* the table walker reads every table once */
	for (int i = 0; i < n; i++) {
		dma_addr_t d =
			dma_map_single(iommu, t[i], L2_SIZE, DMA_TO_DEVICE);

		if (!dma_mapping_error(iommu, d))
			dma_unmap_single(iommu, d, L2_SIZE, DMA_TO_DEVICE);
	}
	kslab_dma_stats(iommu, &st);
	printf("%-18s %10lu %12lu  %#14llx  %-5s %8lu\n", way_names[w],
	       pages * kslab_page_size() / 1024,
	       (unsigned long)n * L2_SIZE / 1024, (unsigned long long)top,
	       top <= 0xffffffffULL ? "yes" : "NO", st.bounces);
	for (int i = 0; i < n; i++)
		if (w == PAGE_EACH)
			free_page((unsigned long)t[i]);
		else
			kmem_cache_free(c, t[i]);
	kmem_cache_destroy(c);
	free(t);
	kslab_shutdown();
	return 0;
}

/* a device behind the IOMMU: IOVAs, L2 tables, bounces */
static int behind_iommu(int n, unsigned int flags)
{
	struct kmem_cache *l2;
	struct kslab_dma_stats st;
	dma_addr_t *d = calloc(n, sizeof(*d));
	void **buf = calloc(n, sizeof(*buf)), **tab;
	unsigned long nr_l2 = 0, high = 0;
	struct device *gpu;

	tab = calloc(4096, sizeof(*tab)); /* one slot per 1 MiB below 4 GiB */
	if (!d || !buf || !tab || kslab_boot(BOOT))
		return 1;
	gpu = kslab_device_create("gpu", 32, true);
	if (!gpu || kslab_device_attach_iommu(gpu, flags))
		return 1;
	l2 = kmem_cache_create("io-pgtable_armv7s_l2", L2_SIZE, L2_SIZE,
			       SLAB_CACHE_DMA32, NULL);
	for (int i = 0; i < n; i++) {
		/* a 4 KiB buffer from kmalloc, 64 bytes in: not page-aligned */
		char *p = kmalloc(2 * 4096, GFP_KERNEL);

		buf[i] = p;
		high += virt_to_phys(p) >= (4ULL << 30);
		d[i] = dma_map_single(gpu, p + 64, 4096, DMA_BIDIRECTIONAL);
		if (dma_mapping_error(gpu, d[i]))
			return 1;
		for (dma_addr_t a = d[i] >> 20; a <= (d[i] + 4095) >> 20; a++)
			if (a < 4096 && !tab[a]) {
				tab[a] = kmem_cache_zalloc(l2, GFP_KERNEL);
				nr_l2++;
			}
	}
	kslab_dma_stats(gpu, &st);
	printf("%-10s %8d %10lu %#12llx %8lu %8lu\n",
	       flags & KSLAB_IOMMU_UNTRUSTED ? "untrusted" : "trusted", n, high,
	       (unsigned long long)d[0], nr_l2, st.bounces);
	for (int i = 0; i < n; i++) {
		dma_unmap_single(gpu, d[i], 4096, DMA_BIDIRECTIONAL);
		kfree(buf[i]);
	}
	for (int i = 0; i < 4096; i++)
		if (tab[i])
			kmem_cache_free(l2, tab[i]);
	kmem_cache_destroy(l2);
	kslab_device_destroy(gpu);
	free(d);
	free(buf);
	free(tab);
	kslab_shutdown();
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4096;

	if (n <= 0) {
		fprintf(stderr, "usage: %s [NR_TABLES]\n", argv[0]);
		return 2;
	}
	printf("%d L2 tables of %d bytes on \"%s\", IOMMU with a 32-bit mask\n",
	       n, L2_SIZE, BOOT);
	printf("%-18s %10s %12s  %14s  %-5s %8s\n", "allocation", "used KiB",
	       "needed KiB", "highest addr", "<4G", "bounces");
	for (int w = PAGE_EACH; w <= DMA32_CACHE; w++)
		if (run(w, n))
			return 1;
	printf("\na 32-bit device behind the IOMMU maps 4 KiB buffers (64 bytes into a kmalloc-8k)\n");
	printf("%-10s %8s %10s %12s %8s %8s\n", "device", "buffers", "above 4G",
	       "first IOVA", "L2 tables", "bounces");
	if (behind_iommu(n, 0) || behind_iommu(n, KSLAB_IOMMU_UNTRUSTED))
		return 1;
	return 0;
}
