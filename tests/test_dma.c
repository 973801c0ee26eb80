// SPDX-License-Identifier: MIT
/*
 * The DMA layer: masks and zones, the 6.5 bounce rule per size, swiotlb
 * exhaustion and recovery, slot alignment, dma_pool placement and
 * boundaries, scatterlists, the runtime __dma check, DMA API misuse
 * reports, bad input (the cache model: test_dma_cache.c),
 * many devices (the lock-free live-device table and its fallback),
 * `kslab show swiotlb`.
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

/* ---- masks and zones --------------------------------------------------------- */
static void test_mask_bounce_unless_dma32_cache(void **state)
{
	struct device *dev32, *dev64;
	struct kmem_cache *pgt;
	unsigned char *hi, *lo, back[512];
	dma_addr_t d;

	assert_int_equal(kslab_boot("arch=x86_64 mem=8G nr_cpus=2"), 0);
	dev32 = kslab_device_create("nic32", 32, true);
	dev64 = kslab_device_create("nic64", 64, true);
	assert_non_null(dev32);
	assert_non_null(dev64);
	assert_int_equal(dma_get_mask(dev32), DMA_BIT_MASK(32));
	assert_int_equal(dma_get_cache_alignment(), 1);

	hi = kmalloc(512, GFP_KERNEL);
	assert_true(virt_to_phys(hi) >= (4ULL << 30)); /* ZONE_NORMAL first */
	memset(hi, 0x42, 512);
	d = dma_map_single(dev32, hi, 512, DMA_TO_DEVICE);
	assert_false(dma_mapping_error(dev32, d));
	assert_true(d + 511 <= DMA_BIT_MASK(32));
	assert_true(d != virt_to_phys(hi));
	assert_int_equal(kslab_device_dma_read(dev32, d, back, 512), 0);
	assert_memory_equal(back, hi, 512);
	dma_unmap_single(dev32, d, 512, DMA_TO_DEVICE);
	assert_int_equal(stats_of(dev32).bounces, 1);
	assert_int_equal(stats_of(dev32).bounced_bytes, 512);

	/* a 64-bit device reaches it directly */
	d = dma_map_single(dev64, hi, 512, DMA_FROM_DEVICE);
	assert_int_equal(d, virt_to_phys(hi));
	dma_unmap_single(dev64, d, 512, DMA_FROM_DEVICE);
	assert_int_equal(stats_of(dev64).bounces, 0);

	/* seed 001: a SLAB_CACHE_DMA32 cache needs no bounce */
	pgt = kmem_cache_create("io-pgtable-l2", 1024, 1024, SLAB_CACHE_DMA32,
				NULL);
	assert_non_null(pgt);
	lo = kmem_cache_alloc(pgt, GFP_KERNEL);
	assert_non_null(lo);
	assert_true(virt_to_phys(lo) + 1023 <= DMA_BIT_MASK(32));
	d = dma_map_single(dev32, lo, 1024, DMA_TO_DEVICE);
	assert_int_equal(d, virt_to_phys(lo));
	dma_unmap_single(dev32, d, 1024, DMA_TO_DEVICE);
	assert_int_equal(stats_of(dev32).bounces, 1);
	assert_int_equal(stats_of(dev32).mappings, 2);
	kmem_cache_free(pgt, lo);
	kmem_cache_destroy(pgt);
	kfree(hi);
}

static void test_mask_without_swiotlb(void **state)
{
	struct device *dev;
	void *hi;
	dma_addr_t d;
	const char *out;

	assert_int_equal(
		kslab_boot("arch=x86_64 mem=8G nr_cpus=2 swiotlb=noforce"), 0);
	dev = kslab_device_create("nic32", 32, true);
	hi = kmalloc(256, GFP_KERNEL);
	assert_true(virt_to_phys(hi) >= (4ULL << 30));
	capture_start();
	d = dma_map_single(dev, hi, 256, DMA_FROM_DEVICE);
	out = capture_stop();
	assert_true(dma_mapping_error(dev, d));
	assert_int_equal(dma_mapping_error(dev, d), -ENOMEM);
	assert_non_null(strstr(out, "nic32: DMA addr"));
	assert_non_null(strstr(out, "overflow (mask ffffffff"));
	assert_int_equal(stats_of(dev).mappings, 0);
	kfree(hi);
}

static void test_swiotlb_restricted_by_small_zone(void **state)
{
	struct device *dev;
	void *hi;
	dma_addr_t d;
	const char *out;

	/* 64 MiB wanted, 32 MiB of low memory: halved at boot until it
	 * fits (swiotlb_init_remap), to 16 MiB */
	capture_start();
	assert_int_equal(
		kslab_boot("arch=x86_64 mem=32M memmap=16M@4G nr_cpus=1"), 0);
	out = capture_stop();
	assert_non_null(strstr(
		out,
		"software IO TLB: SWIOTLB bounce buffer size adjusted 32768 -> 8192 slabs"));
	dev = kslab_device_create("nic32", 32, true);
	hi = kmalloc(128, GFP_KERNEL);
	assert_true(virt_to_phys(hi) >= (4ULL << 30));
	d = dma_map_single(dev, hi, 128, DMA_TO_DEVICE);
	assert_false(dma_mapping_error(dev, d));
	assert_true(d < (32ULL << 20));
	dma_unmap_single(dev, d, 128, DMA_TO_DEVICE);
	kfree(hi);
}

static void test_coherent_zones(void **state)
{
	struct device *d24, *d32, *d64;
	dma_addr_t h;
	unsigned char *p;

	assert_int_equal(kslab_boot("arch=x86_64 mem=8G nr_cpus=2"), 0);
	d24 = kslab_device_create("isa", 24, true);
	d32 = kslab_device_create("pci32", 32, true);
	d64 = kslab_device_create("pci64", 64, true);
	assert_non_null(d24);

	p = dma_alloc_coherent(d24, 5000, &h, GFP_KERNEL);
	assert_non_null(p);
	assert_true(h + 4999 < (16ULL << 20));
	assert_int_equal(h, virt_to_phys(p));
	assert_int_equal(page_zonenum(virt_to_page(p)), ZONE_DMA);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(p[i], 0);
	/* the device may use all of it */
	assert_int_equal(kslab_device_dma_write(d24, h, "abc", 3), 0);
	assert_memory_equal(p, "abc", 3);
	dma_free_coherent(d24, 5000, p, h);

	p = dma_alloc_coherent(d32, 4096, &h, GFP_KERNEL | GFP_DMA);
	assert_non_null(p);
	assert_int_equal(page_zonenum(virt_to_page(p)), ZONE_DMA32);
	dma_free_coherent(d32, 4096, p, h);

	p = dma_alloc_coherent(d64, 4096, &h, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(page_zonenum(virt_to_page(p)), ZONE_NORMAL);
	dma_free_coherent(d64, 4096, p, h);
	assert_int_equal(stats_of(NULL).api_errors, 0);
}

static void test_device_access_refusals(void **state)
{
	struct device *dev;
	unsigned char *buf, x[8] = { 0 };
	dma_addr_t d;

	assert_int_equal(kslab_boot("arch=x86_64 mem=1G nr_cpus=2"), 0);
	dev = kslab_device_create("dev0", 32, true);
	buf = kmalloc(64, GFP_KERNEL);
	capture_start();
	assert_int_equal(kslab_device_dma_write(dev, 0x100000000ULL, x, 8),
			 -EIO);
	assert_int_equal(kslab_device_dma_write(dev, virt_to_phys(buf), x, 8),
			 -EFAULT);
	d = dma_map_single(dev, buf, 64, DMA_TO_DEVICE);
	assert_int_equal(kslab_device_dma_write(dev, d, x, 8), -EPERM);
	assert_int_equal(kslab_device_dma_read(dev, d, x, 8), 0);
	assert_int_equal(kslab_device_dma_read(dev, d + 60, x, 8), -EFAULT);
	assert_int_equal(kslab_device_dma_read(NULL, d, x, 8), -EINVAL);
	assert_int_equal(kslab_device_dma_read(dev, d, NULL, 8), -EINVAL);
	capture_stop();
	dma_unmap_single(dev, d, 64, DMA_TO_DEVICE);
	assert_int_equal(kslab_dma_stats(NULL, NULL), -EINVAL);
	kfree(buf);
}

static void test_device_create_bad(void **state)
{
	const char *out;

	assert_int_equal(kslab_boot("arch=x86_64 mem=1G nr_cpus=2"), 0);
	capture_start();
	assert_null(kslab_device_create(NULL, 32, true));
	assert_null(kslab_device_create("", 32, true));
	assert_null(kslab_device_create("wide", 65, true));
	assert_null(kslab_device_create("narrow", 20, true));
	out = capture_stop();
	assert_non_null(strstr(out, "20-bit DMA mask not supported"));
	/* x86_64 devices are always coherent */
	assert_true(dev_is_dma_coherent(kslab_device_create("dev", 0, false)));
}

/* ---- the 6.5 rule, size by size ------------------------------------------------- */
static void test_kmalloc_bounce_rule(void **state)
{
	struct device *nc, *coh;
	char *buf = NULL;

	assert_int_equal(kslab_boot("arch=arm64 mem=1G nr_cpus=2"), 0);
	nc = kslab_device_create("nc", 64, false);
	coh = kslab_device_create("coh", 64, true);
	assert_int_equal(dma_get_cache_alignment(), 64);
	for (size_t size = 1; size <= 300; size++) {
		bool expect = size < 256 && kmalloc_size_roundup(size) % 64;
		unsigned long before = stats_of(nc).bounces;
		dma_addr_t d;

		buf = kmalloc(size, GFP_KERNEL);
		for (int dir = 0; dir < 3; dir++) {
			d = dma_map_single(nc, buf, size, dir);
			assert_false(dma_mapping_error(nc, d));
			dma_unmap_single(nc, d, size, dir);
			d = dma_map_single(coh, buf, size, dir);
			assert_int_equal(d, virt_to_phys(buf));
			dma_unmap_single(coh, d, size, dir);
		}
		/* from-device and bidirectional only */
		assert_int_equal(stats_of(nc).bounces - before, expect ? 2 : 0);
		kfree(buf);
	}
	assert_int_equal(stats_of(coh).bounces, 0);
	assert_int_equal(stats_of(NULL).lost_bytes, 0);
}

/* ---- swiotlb ----------------------------------------------------------------- */
static void test_swiotlb_exhaustion_and_recovery(void **state)
{
	struct device *dev;
	dma_addr_t d[129], big;
	char *mem, *out_copy;
	const char *out;
	FILE *f;
	size_t len;

	assert_int_equal(
		kslab_boot("arch=arm64 mem=1G nr_cpus=1 swiotlb=128,force"), 0);
	dev = kslab_device_create("sd", 64, true);
	mem = alloc_pages_exact(129 * 2048, GFP_KERNEL);
	assert_non_null(mem);
	for (int i = 0; i < 128; i++) {
		d[i] = dma_map_single(dev, mem + i * 2048, 2048, DMA_TO_DEVICE);
		assert_false(dma_mapping_error(dev, d[i]));
		assert_int_equal(d[i] % 2048, 0);
	}
	capture_start();
	d[128] = dma_map_single(dev, mem + 128 * 2048, 2048, DMA_TO_DEVICE);
	out = capture_stop();
	assert_true(dma_mapping_error(dev, d[128]));
	assert_non_null(strstr(
		out,
		"sd: swiotlb buffer is full (sz: 2048 bytes), total 128 (slots), used 128 (slots)"));
	/* NO_WARN: silent */
	capture_start();
	assert_true(dma_mapping_error(
		dev, dma_map_single_attrs(dev, mem, 16, DMA_TO_DEVICE,
					  DMA_ATTR_NO_WARN)));
	assert_int_equal(strlen(capture_stop()), 0);

	f = open_memstream(&out_copy, &len);
	kslab_show("swiotlb", f);
	fclose(f);
	assert_non_null(strstr(out_copy, "io_tlb_nslabs: 128\n"));
	assert_non_null(strstr(out_copy, "io_tlb_used: 128\n"));
	assert_non_null(strstr(out_copy, "full_failures: 2\n"));
	free(out_copy);

	/* recovery */
	dma_unmap_single(dev, d[5], 2048, DMA_TO_DEVICE);
	d[5] = dma_map_single(dev, mem + 128 * 2048, 2048, DMA_TO_DEVICE);
	assert_false(dma_mapping_error(dev, d[5]));
	for (int i = 0; i < 128; i++)
		dma_unmap_single(dev, d[i], 2048, DMA_TO_DEVICE);

	/* the largest mapping is one segment */
	assert_int_equal(dma_max_mapping_size(dev), 256 * 1024);
	free_pages_exact(mem, 129 * 2048);
	mem = alloc_pages_exact(512 * 1024, GFP_KERNEL);
	big = dma_map_single(dev, mem, 256 * 1024, DMA_TO_DEVICE);
	assert_false(dma_mapping_error(dev, big));
	dma_unmap_single(dev, big, 256 * 1024, DMA_TO_DEVICE);
	capture_start();
	big = dma_map_single(dev, mem, 256 * 1024 + 1, DMA_TO_DEVICE);
	capture_stop();
	assert_true(dma_mapping_error(dev, big));
	free_pages_exact(mem, 512 * 1024);
	assert_int_equal(stats_of(dev).api_errors, 0);
}

static void test_swiotlb_alignment_and_copies(void **state)
{
	struct device *dev;
	char *mem, rx[100];
	dma_addr_t a, b, c;

	assert_int_equal(
		kslab_boot("arch=x86_64 mem=1G nr_cpus=1 swiotlb=1024,force"),
		0);
	dev = kslab_device_create("dev", 64, true);
	mem = alloc_pages_exact(4 * 4096, GFP_KERNEL);
	memset(mem, 0x33, 4 * 4096);
	a = dma_map_single(dev, mem + 5, 100, DMA_FROM_DEVICE);
	/* a page-sized mapping takes page-aligned slots */
	b = dma_map_single(dev, mem + 4096, 4096, DMA_TO_DEVICE);
	assert_int_equal(a % 2048, 0);
	assert_int_equal(b % 4096, 0);
	/* min_align_mask keeps the low bits of the buffer's address */
	assert_int_equal(dma_set_min_align_mask(dev, 4095), 0);
	c = dma_map_single(dev, mem + 8192 + 0x9a0, 64, DMA_TO_DEVICE);
	assert_int_equal(c & 4095, 0x9a0);
	dma_unmap_single(dev, c, 64, DMA_TO_DEVICE);

	/* whole buffer bounced to the device at map, even from-device */
	assert_int_equal(kslab_device_dma_read(dev, a, rx, 100), -EPERM);
	memset(rx, 0x77, sizeof(rx));
	assert_int_equal(kslab_device_dma_write(dev, a + 10, rx, 50), 0);
	dma_sync_single_for_cpu(dev, a, 100, DMA_FROM_DEVICE);
	assert_int_equal(mem[5 + 10], 0x77);
	assert_int_equal(mem[5 + 9], 0x33);
	assert_int_equal(mem[5 + 60], 0x33);
	dma_unmap_single(dev, a, 100, DMA_FROM_DEVICE);
	dma_unmap_single(dev, b, 4096, DMA_TO_DEVICE);
	assert_int_equal(stats_of(dev).bounces, 3);
	free_pages_exact(mem, 4 * 4096);
}

/* ---- many devices ------------------------------------------------------------ */
static void test_many_devices(void **state)
{
	enum { N = 200 };
	struct device *devs[N];
	char name[16], *buf;
	const char *out;
	dma_addr_t d;

	assert_int_equal(kslab_boot("arch=x86_64 mem=1G nr_cpus=1"), 0);
	buf = kmalloc(64, GFP_KERNEL);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "dev%d", i);
		devs[i] = kslab_device_create(name, 64, true);
		assert_non_null(devs[i]);
	}
	for (int i = 0; i < N; i++) {
		d = dma_map_single(devs[i], buf, 64, DMA_TO_DEVICE);
		assert_false(dma_mapping_error(devs[i], d));
		dma_unmap_single(devs[i], d, 64, DMA_TO_DEVICE);
	}
	for (int i = 0; i < N; i += 2)
		kslab_device_destroy(devs[i]);
	for (int i = 1; i < N; i += 2) {
		d = dma_map_single(devs[i], buf, 64, DMA_TO_DEVICE);
		dma_unmap_single(devs[i], d, 64, DMA_TO_DEVICE);
		assert_int_equal(stats_of(devs[i]).mappings, 2);
		assert_int_equal(stats_of(devs[i]).api_errors, 0);
	}
	/* a destroyed device is refused, whatever slot it had */
	capture_start();
	for (int i = 0; i < N; i += 2) {
		struct kslab_dma_stats st;

		assert_int_equal(kslab_dma_stats(devs[i], &st), -EINVAL);
	}
	out = capture_stop();
	assert_non_null(strstr(out, "is not a live device of this machine"));
	kfree(buf);
}

/* ---- __GFP_PACKED objects are not for DMA ----------------------------------------- */
static void test_packed_object_reported(void **state)
{
	struct device *nc, *coh;
	void *p, *q;
	dma_addr_t d;
	const char *out;

	assert_int_equal(
		kslab_boot(
			"arch=arm64 mem=1G nr_cpus=2 kmalloc.legacy kmalloc.packed"),
		0);
	nc = kslab_device_create("nc", 64, false);
	coh = kslab_device_create("coh", 64, true);
	p = kmalloc(24, GFP_KERNEL | __GFP_PACKED);
	q = kmalloc(24, GFP_KERNEL);
	capture_start();
	d = dma_map_single(nc, p, 24, DMA_TO_DEVICE);
	out = capture_stop();
	assert_non_null(strstr(out, "__GFP_PACKED"));
	assert_non_null(strstr(out, "kmalloc-32"));
	dma_unmap_single(nc, d, 24, DMA_TO_DEVICE);
	assert_int_equal(stats_of(nc).api_errors, 1);
	d = dma_map_single(coh, p, 24, DMA_FROM_DEVICE);
	dma_unmap_single(coh, d, 24, DMA_FROM_DEVICE);
	d = dma_map_single(nc, q, 24, DMA_FROM_DEVICE);
	dma_unmap_single(nc, d, 24, DMA_FROM_DEVICE);
	assert_int_equal(stats_of(coh).api_errors, 0);
	assert_int_equal(stats_of(nc).api_errors, 1);
	assert_int_equal(stats_of(NULL).api_errors, 1);
	kfree(p);
	kfree(q);
}

/* ---- DMA API misuse ----------------------------------------------------------------- */
static void test_misuse_reports(void **state)
{
	struct device *dev;
	char *buf;
	dma_addr_t d;
	const char *out;

	assert_int_equal(kslab_boot("arch=x86_64 mem=1G nr_cpus=2"), 0);
	dev = kslab_device_create("eth0", 64, true);
	buf = kmalloc(256, GFP_KERNEL);

	capture_start();
	dma_unmap_single(dev, 0x12340, 64, DMA_FROM_DEVICE);
	out = capture_stop();
	assert_non_null(strstr(
		out,
		"DMA-API: eth0: device driver tries to free DMA memory it has not allocated [device address=0x0000000000012340] [size=64 bytes]"));

	d = dma_map_single(dev, buf, 256, DMA_FROM_DEVICE);
	capture_start();
	dma_unmap_single(dev, d, 128, DMA_TO_DEVICE);
	out = capture_stop();
	assert_non_null(strstr(out, "frees DMA memory with different size"));
	assert_non_null(
		strstr(out, "[map size=256 bytes] [unmap size=128 bytes]"));
	assert_non_null(strstr(
		out,
		"[mapped with DMA_FROM_DEVICE] [unmapped with DMA_TO_DEVICE]"));
	/* it was unmapped anyway: a second unmap is a double unmap */
	capture_start();
	dma_unmap_single(dev, d, 256, DMA_FROM_DEVICE);
	out = capture_stop();
	assert_non_null(
		strstr(out, "tries to free DMA memory it has not allocated"));

	d = dma_map_page(dev, virt_to_page(buf), (uintptr_t)buf & 4095, 64,
			 DMA_TO_DEVICE);
	capture_start();
	dma_unmap_single(dev, d, 64, DMA_TO_DEVICE);
	out = capture_stop();
	assert_non_null(strstr(out, "[mapped as page] [unmapped as single]"));

	d = dma_map_single(dev, buf, 64, DMA_TO_DEVICE);
	capture_start();
	dma_sync_single_for_cpu(dev, d + 32, 64, DMA_TO_DEVICE);
	dma_sync_single_for_cpu(dev, d, 64, DMA_FROM_DEVICE);
	dma_sync_single_for_device(dev, 0x999000, 4, DMA_TO_DEVICE);
	dma_map_single(dev, buf, 64, (enum dma_data_direction)7);
	dma_map_single(dev, buf, 0, DMA_TO_DEVICE);
	dma_map_single(dev, (void *)&d, 8, DMA_TO_DEVICE);
	out = capture_stop();
	assert_non_null(
		strstr(out, "syncs DMA memory outside allocated range"));
	assert_non_null(
		strstr(out, "syncs DMA memory with different direction"));
	assert_non_null(
		strstr(out, "tries to sync DMA memory it has not allocated"));
	assert_non_null(strstr(out, "invalid direction 7"));
	assert_non_null(strstr(out, "zero-length mapping"));
	assert_non_null(strstr(out, "is not memory of this machine"));
	dma_unmap_single(dev, d, 64, DMA_TO_DEVICE);
	assert_int_equal(stats_of(dev).api_errors, 11);

	/* destroying a device with live mappings */
	d = dma_map_single(dev, buf, 64, DMA_TO_DEVICE);
	capture_start();
	kslab_device_destroy(dev);
	dma_unmap_single(dev, d, 64, DMA_TO_DEVICE);
	out = capture_stop();
	assert_non_null(strstr(out, "device destroyed with 1 live mapping"));
	assert_non_null(strstr(out, "is not a live device"));
	kfree(buf);
}

/* ---- scatterlists -------------------------------------------------------------------- */
static void test_scatterlist(void **state)
{
	struct scatterlist sg[3], sg2[2], *s;
	struct device *dev;
	char *small, *big;
	struct page *pg;
	int i, n;

	assert_int_equal(kslab_boot("arch=arm64 mem=1G nr_cpus=2"), 0);
	dev = kslab_device_create("mmc", 64, false);
	small = kmalloc(24, GFP_KERNEL);
	big = kmalloc(512, GFP_KERNEL);
	pg = alloc_page(GFP_KERNEL);
	sg_init_table(sg, 3);
	sg_set_buf(&sg[0], small, 24);
	sg_set_buf(&sg[1], big, 512);
	sg_set_page(&sg[2], pg, 100, 64);
	assert_true(sg_is_last(&sg[2]));
	assert_int_equal(sg_nents(sg), 3);
	assert_ptr_equal(sg_virt(&sg[0]), small);
	assert_int_equal(sg_phys(&sg[2]), page_to_phys(pg) + 64);

	n = dma_map_sg(dev, sg, 3, DMA_FROM_DEVICE);
	assert_int_equal(n, 3);
	/* each segment decided on its own: only the small one bounces */
	assert_true(sg_dma_address(&sg[0]) != virt_to_phys(small));
	assert_int_equal(sg_dma_address(&sg[1]), virt_to_phys(big));
	assert_int_equal(sg_dma_address(&sg[2]), page_to_phys(pg) + 64);
	for_each_sg(sg, s, n, i) assert_int_equal(
		kslab_device_dma_write(dev, sg_dma_address(s), "data", 4), 0);
	dma_sync_sg_for_cpu(dev, sg, 3, DMA_FROM_DEVICE);
	dma_unmap_sg(dev, sg, 3, DMA_FROM_DEVICE);
	assert_memory_equal(small, "data", 4);
	assert_memory_equal(big, "data", 4);
	assert_memory_equal((char *)page_address(pg) + 64, "data", 4);
	assert_int_equal(stats_of(dev).mappings, 3);
	assert_int_equal(stats_of(dev).bounces, 1);
	assert_int_equal(stats_of(dev).api_errors, 0);

	/* chained tables */
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], big, 16);
	sg_init_table(sg2, 2);
	sg_set_buf(&sg2[0], big + 64, 64);
	sg_set_buf(&sg2[1], big + 256, 64);
	sg_chain(sg, 2, sg2);
	assert_int_equal(sg_nents(sg), 3);
	assert_int_equal(dma_map_sg(dev, sg, 3, DMA_TO_DEVICE), 3);
	dma_unmap_sg(dev, sg, 3, DMA_TO_DEVICE);

	/* a bad segment: nothing stays mapped */
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], big, 16);
	sg[1].page_link |= 0;
	capture_start();
	assert_int_equal(dma_map_sg(dev, sg, 2, DMA_TO_DEVICE), 0);
	capture_stop();
	assert_int_equal(kslab_device_dma_read(dev, virt_to_phys(big), small,
					       4),
			 -EFAULT);
	kfree(small);
	kfree(big);
	__free_page(pg);
}

/* ---- dma_pool ---------------------------------------------------------------------- */
static void test_dma_pool_placement(void **state)
{
	struct device *dev;
	struct dma_pool *pool;
	void *blk[64];
	dma_addr_t h[64];

	assert_int_equal(kslab_boot("arch=x86_64 mem=1G nr_cpus=2"), 0);
	dev = kslab_device_create("usb", 32, true);
	pool = dma_pool_create("td", dev, 64, 64, 0);
	assert_non_null(pool);
	for (int i = 0; i < 64; i++) {
		blk[i] = dma_pool_alloc(pool, GFP_KERNEL, &h[i]);
		assert_non_null(blk[i]);
		assert_int_equal(h[i], virt_to_phys(blk[i]));
		/* one page, blocks in address order */
		assert_ptr_equal(blk[i], (char *)blk[0] + 64 * i);
	}
	assert_int_equal((uintptr_t)blk[0] % 4096, 0);
	assert_true(h[63] < (4ULL << 30));
	/* LIFO reuse */
	dma_pool_free(pool, blk[10], h[10]);
	assert_ptr_equal(dma_pool_alloc(pool, GFP_KERNEL, &h[10]), blk[10]);
	for (int i = 0; i < 64; i++)
		dma_pool_free(pool, blk[i], h[i]);
	dma_pool_destroy(pool);
}

static void test_dma_pool_boundary(void **state)
{
	struct device *dev;
	struct dma_pool *pool;
	char *b[32];
	dma_addr_t h[32];
	size_t expect[] = { 0, 112, 256, 368 };

	assert_int_equal(kslab_boot("arch=x86_64 mem=1G nr_cpus=2"), 0);
	dev = kslab_device_create("ehci", 32, true);
	/* 100 rounded to 112 by the alignment; never across 256 */
	pool = dma_pool_create("qh", dev, 100, 16, 256);
	assert_non_null(pool);
	for (int i = 0; i < 32; i++) {
		b[i] = dma_pool_zalloc(pool, GFP_KERNEL, &h[i]);
		assert_non_null(b[i]);
		for (int j = 0; j < 112; j++)
			assert_int_equal(b[i][j], 0);
		memset(b[i], 0xee, 112);
		assert_int_equal(h[i] / 256, (h[i] + 111) / 256);
		assert_int_equal(h[i] % 16, 0);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(b[i] - b[0], expect[i]);
	/* 2 blocks per 256 bytes: 32 blocks fill exactly one page */
	assert_int_equal(b[31] - b[0], 15 * 256 + 112);
	for (int i = 0; i < 32; i++)
		dma_pool_free(pool, b[i], h[i]);
	dma_pool_destroy(pool);

	capture_start();
	assert_null(dma_pool_create("x", dev, 64, 3, 0)); /* align not pow2 */
	assert_null(dma_pool_create("x", dev, 0, 8, 0));  /* size 0 */
	assert_null(
		dma_pool_create("x", dev, 512, 8, 256)); /* boundary < size */
	assert_null(
		dma_pool_create("x", dev, 64, 8, 384)); /* boundary not pow2 */
	capture_stop();
	/* tiny blocks hold the free-list header: at least 16 bytes */
	pool = dma_pool_create("tiny", dev, 4, 0, 0);
	b[0] = dma_pool_alloc(pool, GFP_KERNEL, &h[0]);
	b[1] = dma_pool_alloc(pool, GFP_KERNEL, &h[1]);
	assert_int_equal(b[1] - b[0], 16);
	dma_pool_free(pool, b[0], h[0]);
	dma_pool_free(pool, b[1], h[1]);
	dma_pool_destroy(pool);
}

static void test_dma_pool_misuse(void **state)
{
	struct device *dev;
	struct dma_pool *pool;
	char *a, want[128];
	dma_addr_t h;
	const char *out;

	assert_int_equal(kslab_boot("arch=x86_64 mem=1G nr_cpus=2"), 0);
	dev = kslab_device_create("xhci", 64, true);
	pool = dma_pool_create("ring", dev, 64, 64, 0);
	a = dma_pool_alloc(pool, GFP_KERNEL, &h);
	/* DMAPOOL_DEBUG's pool_block_err(): bad dma, already free; a CPU
	 * address that does not match has no report (kept in use) */
	capture_start();
	dma_pool_free(pool, a + 8, h + 8);
	dma_pool_free(pool, a, h + 64);
	assert_int_equal(strlen(capture_stop()), 0);
	capture_start();
	dma_pool_free(pool, a, h + (1ULL << 40));
	dma_pool_free(pool, a, h);
	dma_pool_free(pool, a, h);
	out = capture_stop();
	snprintf(want, sizeof(want), "dma_pool_free ring, %p/%#llx (bad dma)",
		 (void *)a, (unsigned long long)(h + (1ULL << 40)));
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want),
		 "dma_pool_free ring, dma %#llx already free",
		 (unsigned long long)h);
	assert_non_null(strstr(out, want));
	assert_null(strstr(out, "bad vaddr"));
	assert_int_equal(stats_of(dev).api_errors, 2);
	a = dma_pool_alloc(pool, GFP_KERNEL, &h);
	capture_start();
	dma_pool_destroy(pool);
	out = capture_stop();
	assert_non_null(strstr(out, "xhci: dma_pool_destroy ring busy"));
}

/* ---- boot ---------------------------------------------------------------------------- */
static void test_minalign_param(void **state)
{
	struct kslab_kmalloc_info ki;
	const char *out;

	capture_start();
	assert_int_equal(kslab_boot("arch=arm64 mem=1G kmalloc.minalign=12"),
			 -EINVAL);
	assert_int_equal(
		kslab_boot(
			"arch=arm64 mem=1G kmalloc.minalign=8 kmalloc.legacy"),
		-EINVAL);
	assert_int_equal(
		kslab_boot(
			"arch=arm64 mem=1G swiotlb=noforce kmalloc.minalign=8"),
		0);
	out = capture_stop();
	assert_non_null(strstr(out, "WARNING: kmalloc.minalign=8"));
	assert_int_equal(kslab_kmalloc_info(&ki), 0);
	assert_int_equal(ki.minalign, 8);
	assert_int_equal(ksize(kmalloc(24, GFP_KERNEL)), 32);
}

static void test_show_swiotlb(void **state)
{
	char *text;
	size_t len;
	FILE *f;

	assert_int_equal(kslab_boot("arch=x86_64 mem=1G"), 0);
	f = open_memstream(&text, &len);
	assert_int_equal(kslab_show("swiotlb", f), 0);
	fclose(f);
	assert_non_null(strstr(text, "io_tlb_nslabs: 0\n"));
	assert_non_null(strstr(text, "no bounce buffer"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_mask_bounce_unless_dma32_cache,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_mask_without_swiotlb,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_swiotlb_restricted_by_small_zone,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_coherent_zones,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_device_access_refusals,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_device_create_bad,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_kmalloc_bounce_rule,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_swiotlb_exhaustion_and_recovery,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_swiotlb_alignment_and_copies,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_many_devices, shutdown_teardown),
		cmocka_unit_test_teardown(test_packed_object_reported,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_misuse_reports,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_scatterlist, shutdown_teardown),
		cmocka_unit_test_teardown(test_dma_pool_placement,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_dma_pool_boundary,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_dma_pool_misuse,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_minalign_param,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_show_swiotlb, shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
