// SPDX-License-Identifier: MIT
/*
 * DMA rules checked against the kernel's: no bounce buffer when it cannot
 * be allocated (is_swiotlb_allocated() false: kmalloc minimum
 * dma_get_cache_alignment()), areas and slots in `kslab show swiotlb`,
 * dma_max_mapping_size() (dma_direct_max_mapping_size,
 * swiotlb_max_mapping_size, iommu_dma_max_mapping_size), the dma-iommu
 * path (iommu_dma_map_page's dev_use_swiotlb + iova_unaligned bounce,
 * IOVAs below 4 GiB, iommu_dma_map_sg's bounce check and merging,
 * coherent allocations), and dma_map_sg's error path without CPU sync.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/capture.h"
#include "helpers/kslab_test.h"

static struct kslab_dma_stats stats_of(struct device *dev)
{
	struct kslab_dma_stats st;

	assert_int_equal(kslab_dma_stats(dev, &st), 0);
	return st;
}

/* `kslab show swiotlb` into a string (freed by the caller) */
static char *show_swiotlb(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	kslab_show("swiotlb", f);
	fclose(f);
	return buf;
}

/* a kmalloc object above 4 GiB (machines with RAM there) */
static void *kmalloc_high(size_t size)
{
	void *keep[64], *p = NULL;
	int n = 0;

	while (n < 64) {
		p = kmalloc(size, GFP_KERNEL);
		assert_non_null(p);
		if (virt_to_phys(p) >= (4ULL << 30))
			break;
		keep[n++] = p;
	}
	while (n--)
		kfree(keep[n]);
	assert_true(virt_to_phys(p) >= (4ULL << 30));
	return p;
}

/* ---- no pool ------------------------------------------------------------------- */
static void test_pool_cannot_be_allocated(void **state)
{
	struct kslab_arch_info ai;
	struct device *dev;
	char *out, *buf;
	dma_addr_t d;

	(void)state;
	capture_start();
	assert_int_equal(kslab_boot("arch=arm64 mem=2G zone_dma_bits=20"), 0);
	assert_non_null(strstr(capture_stop(), "no bounce buffer"));
	assert_int_equal(kslab_arch_info(&ai), 0);
	assert_false(ai.swiotlb);
	/* __kmalloc_minalign(): no swiotlb -> dma_get_cache_alignment() */
	assert_int_equal(dma_get_cache_alignment(), 64);
	buf = kmalloc(24, GFP_KERNEL);
	assert_int_equal(ksize(buf), 64);
	assert_int_equal(virt_to_phys(buf) % 64, 0);
	/* so a small from-device mapping needs no bounce, and works */
	dev = kslab_device_create("nc", 64, false);
	d = dma_map_single(dev, buf, 24, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(dev, d));
	dma_unmap_single(dev, d, 24, DMA_FROM_DEVICE);
	assert_int_equal(stats_of(dev).bounces, 0);
	out = show_swiotlb();
	assert_non_null(strstr(out, "io_tlb_nslabs: 0\n"));
	assert_non_null(
		strstr(out, "could not be allocated below the DMA limit"));
	assert_null(strstr(out, "pool: [mem"));
	free(out);
	kfree(buf);
}

/* the pool's memory is gone before the first bounce: no nonsense range */
static void test_pool_fails_at_first_bounce(void **state)
{
	struct page *pages[1024];
	struct device *dev;
	int n = 0;
	char *out, *buf;

	(void)state;
	assert_int_equal(
		kslab_boot(
			"arch=x86_64 mem=64M memmap=1G@4G nr_cpus=1 swiotlb=1024,force"),
		0);
	dev = kslab_device_create("d", 64, true);
	buf = kmalloc(64, GFP_KERNEL);
	/* take every free page below 4 GiB in 64 KiB blocks */
	while (n < 1024 &&
	       (pages[n] = alloc_pages(GFP_DMA32 | __GFP_NOWARN, 4)) &&
	       page_to_phys(pages[n]) < (4ULL << 30))
		n++;
	capture_start();
	assert_true(dma_mapping_error(dev, dma_map_single(dev, buf, 64,
							  DMA_TO_DEVICE)));
	capture_stop();
	out = show_swiotlb();
	assert_non_null(
		strstr(out, "could not be allocated at the first bounce"));
	assert_null(strstr(out, "pool: [mem"));
	free(out);
	while (n--)
		__free_pages(pages[n], 4);
	kfree(buf);
}

static void test_show_areas(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(kslab_boot("arch=arm64 mem=3G nr_cpus=6"), 0);
	out = show_swiotlb();
	assert_non_null(strstr(out, "io_tlb_nslabs: 2048\n"));
	assert_non_null(strstr(out, "io_tlb_nareas: 8\n"));
	free(out);
	kslab_shutdown();
	assert_int_equal(
		kslab_boot("arch=arm64 mem=3G nr_cpus=6 swiotlb=384,4"), 0);
	out = show_swiotlb();
	assert_non_null(strstr(out, "io_tlb_nslabs: 512\n"));
	assert_non_null(strstr(out, "io_tlb_nareas: 4\n"));
	free(out);
}

/* ---- dma_max_mapping_size -------------------------------------------------------- */
static void test_max_mapping_size(void **state)
{
	struct device *d64, *d32;

	(void)state;
	assert_int_equal(kslab_boot("arch=x86_64 mem=8G nr_cpus=1"), 0);
	d64 = kslab_device_create("d64", 64, true);
	d32 = kslab_device_create("d32", 32, true);
	/* dma_direct_get_required_mask(): RAM ends below 8 GiB + 1 hole */
	assert_true(dma_get_required_mask(d64) >= DMA_BIT_MASK(33));
	assert_false(dma_addressing_limited(d64));
	assert_true(dma_addressing_limited(d32));
	assert_true(dma_max_mapping_size(d64) == SIZE_MAX);
	assert_int_equal(dma_max_mapping_size(d32), 256 * 1024);
	/* less roundup(min_align_mask, IO_TLB_SIZE) */
	assert_int_equal(dma_set_min_align_mask(d32, 0xfff), 0);
	assert_int_equal(dma_max_mapping_size(d32), 256 * 1024 - 4096);
	assert_int_equal(dma_set_min_align_mask(d32, 0x7ff), 0);
	assert_int_equal(dma_max_mapping_size(d32), 256 * 1024 - 2048);
	kslab_shutdown();
	/* no pool (x86_64, 2 GiB): nothing limits a mapping */
	assert_int_equal(kslab_boot("arch=x86_64 mem=2G nr_cpus=1"), 0);
	d32 = kslab_device_create("d32", 32, true);
	assert_false(dma_addressing_limited(d32));
	assert_true(dma_max_mapping_size(d32) == SIZE_MAX);
	kslab_shutdown();
	/* swiotlb=force: every device */
	assert_int_equal(
		kslab_boot("arch=arm64 mem=1G nr_cpus=1 swiotlb=force"), 0);
	d64 = kslab_device_create("d64", 64, false);
	assert_int_equal(dma_max_mapping_size(d64), 256 * 1024);
	kslab_shutdown();
	/* arm64's small pool: the kmalloc rule does not limit the size */
	assert_int_equal(kslab_boot("arch=arm64 mem=1G nr_cpus=1"), 0);
	d64 = kslab_device_create("d64", 64, false);
	assert_true(dma_max_mapping_size(d64) == SIZE_MAX);
}

/* ---- dma-iommu ------------------------------------------------------------------- */
static void test_iommu_map_page(void **state)
{
	struct device *gpu, *nc, *ext;
	char *page, *small, rx[64], back[64];
	dma_addr_t d, d2;

	(void)state;
	assert_int_equal(kslab_boot("arch=arm64 mem=8G nr_cpus=1"), 0);
	gpu = kslab_device_create("gpu", 32, true);
	assert_false(use_dma_iommu(gpu));
	assert_int_equal(kslab_device_attach_iommu(gpu, 0), 0);
	assert_true(use_dma_iommu(gpu));
	assert_int_equal(kslab_device_attach_iommu(gpu, 0x80), -EINVAL);
	/* a 32-bit device reaches memory above 4 GiB: no bounce */
	page = kmalloc_high(4096);
	d = dma_map_single(gpu, page + 100, 200, DMA_BIDIRECTIONAL);
	assert_false(dma_mapping_error(gpu, d));
	assert_true(d < (4ULL << 30));
	assert_int_equal(d % 4096, (virt_to_phys(page) + 100) % 4096);
	memset(rx, 0x42, sizeof(rx));
	assert_int_equal(kslab_device_dma_write(gpu, d + 8, rx, 64), 0);
	assert_memory_equal(page + 108, rx, 64);
	assert_int_equal(stats_of(gpu).bounces, 0);
	assert_int_equal(kslab_device_attach_iommu(gpu, 0), -EBUSY);
	dma_unmap_single(gpu, d, 200, DMA_BIDIRECTIONAL);
	/* the freed IOVA is handed out again (the range caches) */
	d2 = dma_map_single(gpu, page + 100, 200, DMA_BIDIRECTIONAL);
	assert_int_equal(d2, d);
	dma_unmap_single(gpu, d2, 200, DMA_BIDIRECTIONAL);
	/* two granules: aligned to two */
	d = dma_map_single(gpu, page + 100, 4096, DMA_TO_DEVICE);
	assert_int_equal((d >> 12) % 2, 0);
	dma_unmap_single(gpu, d, 4096, DMA_TO_DEVICE);
	assert_true(dma_max_mapping_size(gpu) == SIZE_MAX);
	assert_false(dma_addressing_limited(gpu));

	/* non-coherent: dma_kmalloc_needs_bounce() and an unaligned buffer */
	nc = kslab_device_create("nc", 64, false);
	assert_int_equal(kslab_device_attach_iommu(nc, 0), 0);
	small = kmalloc(24, GFP_KERNEL);
	d = dma_map_single(nc, small, 24, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(nc, d));
	assert_true(d < (4ULL << 30)); /* SAC first, 64-bit mask or not */
	assert_int_equal(stats_of(nc).bounces, 1);
	assert_int_equal(kslab_device_dma_write(nc, d, rx, 24), 0);
	assert_true(memcmp(small, rx, 24) != 0); /* in the bounce slots */
	dma_unmap_single(nc, d, 24, DMA_FROM_DEVICE);
	assert_memory_equal(small, rx, 24);
	/* to-device and page-sized buffers do not bounce */
	d = dma_map_single(nc, small, 24, DMA_TO_DEVICE);
	dma_unmap_single(nc, d, 24, DMA_TO_DEVICE);
	d = dma_map_single(nc, page + 100, 400, DMA_FROM_DEVICE);
	dma_unmap_single(nc, d, 400, DMA_FROM_DEVICE);
	assert_int_equal(stats_of(nc).bounces, 1);

	/* untrusted: every unaligned mapping bounces, aligned ones not */
	ext = kslab_device_create("ext", 64, true);
	assert_int_equal(kslab_device_attach_iommu(ext, KSLAB_IOMMU_UNTRUSTED),
			 0);
	assert_int_equal(dma_max_mapping_size(ext), 256 * 1024);
	d = dma_map_single(ext, page + 100, 64, DMA_TO_DEVICE);
	assert_int_equal(stats_of(ext).bounces, 1);
	assert_int_equal(kslab_device_dma_read(ext, d, back, 64), 0);
	assert_memory_equal(back, page + 100, 64);
	dma_unmap_single(ext, d, 64, DMA_TO_DEVICE);
	d = dma_map_page(ext, virt_to_page(page), 0, 4096, DMA_TO_DEVICE);
	assert_int_equal(stats_of(ext).bounces, 1);
	assert_int_equal(d % 4096, 0);
	dma_unmap_page(ext, d, 4096, DMA_TO_DEVICE);
	assert_int_equal(stats_of(NULL).api_errors, 0);
	kfree(small);
	kfree(page);
}

static void test_iommu_coherent(void **state)
{
	struct device *gpu;
	dma_addr_t h;
	char *p, data[16] = "through iova";

	(void)state;
	assert_int_equal(kslab_boot("arch=arm64 mem=8G nr_cpus=1"), 0);
	gpu = kslab_device_create("gpu", 32, false);
	assert_int_equal(kslab_device_attach_iommu(gpu, 0), 0);
	p = dma_alloc_coherent(gpu, 8192, &h, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(h % 4096, 0);
	assert_true(h + 8191 <= DMA_BIT_MASK(32));
	assert_int_equal(kslab_device_dma_write(gpu, h + 4096, data, 16), 0);
	assert_memory_equal(p + 4096, data, 16);
	dma_free_coherent(gpu, 8192, p, h);
	assert_int_equal(stats_of(NULL).api_errors, 0);
}

static void test_iommu_map_sg(void **state)
{
	struct scatterlist sg[3];
	struct device *gpu, *nc;
	char *pages, *small, data[8] = "segment";
	int n;

	(void)state;
	assert_int_equal(kslab_boot("arch=arm64 mem=2G nr_cpus=1"), 0);
	gpu = kslab_device_create("gpu", 32, true);
	assert_int_equal(kslab_device_attach_iommu(gpu, 0), 0);
	pages = alloc_pages_exact(4 * 4096, GFP_KERNEL);
	/* two whole pages, then 200 bytes 100 into another: one IOVA range,
	 * the pages merge (they meet at a granule boundary), the third not */
	sg_init_table(sg, 3);
	sg_set_buf(&sg[0], pages + 2 * 4096, 4096);
	sg_set_buf(&sg[1], pages, 4096);
	sg_set_buf(&sg[2], pages + 3 * 4096 + 100, 200);
	n = dma_map_sg(gpu, sg, 3, DMA_BIDIRECTIONAL);
	assert_int_equal(n, 2);
	assert_int_equal(sg_dma_len(&sg[0]), 8192);
	assert_int_equal(sg_dma_len(&sg[1]), 200);
	assert_int_equal(sg_dma_address(&sg[1]),
			 sg_dma_address(&sg[0]) + 8192 + 100);
	assert_int_equal(sg_dma_len(&sg[2]), 0);
	assert_true(sg_dma_address(&sg[2]) == DMA_MAPPING_ERROR);
	/* the device's second page of the merged segment is buffer 1 */
	assert_int_equal(kslab_device_dma_write(
				 gpu, sg_dma_address(&sg[0]) + 4096, data, 8),
			 0);
	assert_memory_equal(pages, data, 8);
	dma_sync_sg_for_cpu(gpu, sg, 3, DMA_BIDIRECTIONAL);
	dma_sync_sg_for_device(gpu, sg, 3, DMA_BIDIRECTIONAL);
	dma_unmap_sg(gpu, sg, 3, DMA_BIDIRECTIONAL);
	assert_int_equal(stats_of(NULL).api_errors, 0);
	capture_start();
	assert_int_equal(kslab_device_dma_write(gpu, sg_dma_address(&sg[0]),
						data, 8),
			 -EFAULT);
	capture_stop();

	/* dev_use_sg_swiotlb(): a small kmalloc segment for a non-coherent
	 * device: each segment on its own, the small one bounced */
	nc = kslab_device_create("nc", 32, false);
	assert_int_equal(kslab_device_attach_iommu(nc, 0), 0);
	small = kmalloc(24, GFP_KERNEL);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], pages, 4096);
	sg_set_buf(&sg[1], small, 24);
	assert_int_equal(dma_map_sg(nc, sg, 2, DMA_FROM_DEVICE), 2);
	assert_int_equal(stats_of(nc).bounces, 1);
	assert_int_equal(sg_dma_len(&sg[1]), 24);
	dma_unmap_sg(nc, sg, 2, DMA_FROM_DEVICE);
	assert_int_equal(stats_of(NULL).api_errors, 0);
	kfree(small);
	free_pages_exact(pages, 4 * 4096);
}

/* dma_direct_map_sg's error path unmaps with DMA_ATTR_SKIP_CPU_SYNC */
static void test_map_sg_error_skips_sync(void **state)
{
	struct scatterlist sg[2];
	struct device *dev;
	char *small, *big, *out;

	(void)state;
	assert_int_equal(
		kslab_boot("arch=arm64 mem=1G nr_cpus=1 swiotlb=force"), 0);
	dev = kslab_device_create("d", 64, false);
	small = kmalloc(24, GFP_KERNEL);
	big = alloc_pages_exact(512 * 1024, GFP_KERNEL);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], small, 24);
	sg_set_buf(&sg[1], big, 300 * 1024); /* more than a segment */
	capture_start();
	assert_int_equal(dma_map_sg(dev, sg, 2, DMA_FROM_DEVICE), 0);
	capture_stop();
	out = show_swiotlb();
	assert_non_null(strstr(out, "copied_to_slots_bytes: 24\n"));
	assert_non_null(strstr(out, "copied_back_bytes: 0\n"));
	assert_non_null(strstr(out, "io_tlb_used: 0\n"));
	free(out);
	/* an ordinary unmap copies back */
	assert_int_equal(dma_map_sg(dev, sg, 1, DMA_FROM_DEVICE), 1);
	dma_unmap_sg(dev, sg, 1, DMA_FROM_DEVICE);
	out = show_swiotlb();
	assert_non_null(strstr(out, "copied_back_bytes: 24\n"));
	free(out);
	free_pages_exact(big, 512 * 1024);
	kfree(small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_pool_cannot_be_allocated,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_pool_fails_at_first_bounce,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_show_areas, shutdown_teardown),
		cmocka_unit_test_teardown(test_max_mapping_size,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_iommu_map_page,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_iommu_coherent,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_iommu_map_sg, shutdown_teardown),
		cmocka_unit_test_teardown(test_map_sg_error_skips_sync,
					  shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
