// SPDX-License-Identifier: MIT
/*
 * The non-coherent cache model against arm64's maintenance rules
 * (arch/arm64/mm/dma-mapping.c, cache.S): arch_sync_dma_for_device cleans
 * (a dirty line is written back), arch_sync_dma_for_cpu's dcache_inval_poc
 * cleans+invalidates (`dc civac`) the lines a buffer only partly covers.
 * A CPU write beside a live from-device buffer dirties the shared line,
 * and its write-back puts the CPU's stale copy of the buffer's bytes over
 * what the device wrote: the received data is lost, the CPU's write
 * survives. Also: an eviction while the DMA is in flight, a clean at
 * another mapping's map, mappings that share a line, to-device and
 * DMA_ATTR_SKIP_CPU_SYNC (nothing lost), and the report's wording.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/capture.h"
#include "helpers/kslab_test.h"

#define UNSAFE "arch=arm64 mem=1G nr_cpus=1 swiotlb=noforce kmalloc.minalign=8"

static unsigned long lost_of(struct device *dev)
{
	struct kslab_dma_stats st;

	assert_int_equal(kslab_dma_stats(dev, &st), 0);
	return st.lost_bytes;
}

/* two kmalloc-32 objects in one 64-byte line (kmalloc.minalign=8) */
static void pair_in_line(char **a, char **b)
{
	do {
		*a = kmalloc(24, GFP_KERNEL);
		*b = kmalloc(24, GFP_KERNEL);
	} while ((uintptr_t)*a / 64 != (uintptr_t)*b / 64);
}

static void test_sync_for_cpu_writes_back(void **state)
{
	struct device *dev;
	char *a, *b, rx[24], want[160];
	const char *out;
	dma_addr_t d;

	(void)state;
	assert_int_equal(kslab_boot(UNSAFE), 0);
	dev = kslab_device_create("nc", 64, false);
	pair_in_line(&a, &b);
	memset(a, 7, 24);
	memset(b, 1, 24);
	memset(rx, 9, sizeof(rx));
	capture_start();
	d = dma_map_single(dev, a, 24, DMA_FROM_DEVICE);
	assert_int_equal(kslab_device_dma_write(dev, d, rx, 24), 0);
	b[0] = 2; /* dirties the line, whose copy of a is still 7s */
	dma_sync_single_for_cpu(dev, d, 24, DMA_FROM_DEVICE);
	out = capture_stop();
	assert_int_equal(b[0], 2); /* civac wrote the CPU's byte back */
	for (int i = 0; i < 24; i++)
		assert_int_equal(a[i], 7); /* and the received data is gone */
	assert_int_equal(lost_of(dev), 24);
	snprintf(want, sizeof(want),
		 "victim object %p (+0) of cache kmalloc-32", (void *)a);
	assert_non_null(strstr(out, want));
	snprintf(
		want, sizeof(want),
		"dirtied by a CPU write at %p, object %p (+0) of cache kmalloc-32",
		(void *)b, (void *)b);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "sync_for_cpu: write-back"));
	/* a clean line: the device's bytes arrive */
	dma_sync_single_for_device(dev, d, 24, DMA_FROM_DEVICE);
	assert_int_equal(kslab_device_dma_write(dev, d, rx, 24), 0);
	dma_sync_single_for_cpu(dev, d, 24, DMA_FROM_DEVICE);
	assert_memory_equal(a, rx, 24);
	/* a CPU write before the device's: the line is dirty all the same */
	dma_sync_single_for_device(dev, d, 24, DMA_FROM_DEVICE);
	b[1] = 3;
	memset(rx, 5, sizeof(rx));
	assert_int_equal(kslab_device_dma_write(dev, d, rx, 24), 0);
	capture_start();
	dma_unmap_single(dev, d, 24, DMA_FROM_DEVICE);
	out = capture_stop();
	assert_non_null(strstr(out, "unmap: write-back"));
	assert_int_equal(b[1], 3);
	assert_int_equal(a[0], 9); /* the copy the CPU held: the last data */
	assert_int_equal(lost_of(dev), 48);
	kfree(a);
	kfree(b);
}

/* the CPU writes into the buffer's part of the line: its byte wins */
static void test_cpu_write_inside_buffer(void **state)
{
	struct device *dev;
	char *a, *b, rx[24];
	dma_addr_t d;

	(void)state;
	assert_int_equal(kslab_boot(UNSAFE), 0);
	dev = kslab_device_create("nc", 64, false);
	pair_in_line(&a, &b);
	memset(a, 0, 24);
	memset(rx, 0x40, sizeof(rx));
	d = dma_map_single(dev, a, 24, DMA_FROM_DEVICE);
	a[3] = 0x77; /* before the device writes: the cache holds it */
	assert_int_equal(kslab_device_dma_write(dev, d, rx, 24), 0);
	capture_start();
	dma_unmap_single(dev, d, 24, DMA_FROM_DEVICE);
	capture_stop();
	assert_int_equal(a[3], 0x77);
	assert_int_equal(a[0], 0); /* the rest: the CPU's stale copy */
	assert_int_equal(lost_of(dev), 24);
	kfree(a);
	kfree(b);
}

static void test_eviction_mid_dma(void **state)
{
	struct device *dev;
	char *a, *b, rx[24], seen[24];
	const char *out;
	dma_addr_t d;

	(void)state;
	assert_int_equal(kslab_boot(UNSAFE), 0);
	dev = kslab_device_create("nc", 64, false);
	pair_in_line(&a, &b);
	memset(a, 0x11, 24);
	memset(rx, 0x33, sizeof(rx));
	d = dma_map_single(dev, a, 24, DMA_BIDIRECTIONAL);
	assert_int_equal(kslab_device_dma_write(dev, d, rx, 24), 0);
	/* a clean line evicted: nothing lost */
	assert_int_equal(kslab_cache_evict(a, 24), 0);
	assert_memory_equal(a, rx, 24);
	memset(a, 0x11, 24); /* (CPU writes the buffer back to 0x11) */
	dma_sync_single_for_device(dev, d, 24, DMA_BIDIRECTIONAL);
	assert_int_equal(kslab_device_dma_write(dev, d, rx, 24), 0);
	b[7] = 1;
	capture_start();
	assert_int_equal(kslab_cache_evict(b + 7, 1), 24);
	out = capture_stop();
	assert_non_null(strstr(out, "eviction: write-back"));
	/* corrupt in memory before any unmap: the device reads it back */
	assert_int_equal(kslab_device_dma_read(dev, d, seen, 24), 0);
	for (int i = 0; i < 24; i++)
		assert_int_equal(seen[i], 0x11);
	assert_int_equal(b[7], 1);
	/* the line is clean again: later device writes survive the unmap */
	assert_int_equal(kslab_device_dma_write(dev, d, rx, 12), 0);
	dma_unmap_single(dev, d, 24, DMA_BIDIRECTIONAL);
	assert_memory_equal(a, rx, 12);
	assert_int_equal(a[12], 0x11);
	assert_int_equal(lost_of(dev), 24);
	/* nothing mapped: nothing to evict */
	assert_int_equal(kslab_cache_evict(a, 24), 0);
	assert_int_equal(kslab_cache_evict(NULL, 24), 0);
	kfree(a);
	kfree(b);
}

/* mapping b (any direction) cleans the shared line: a's data goes */
static void test_clean_at_another_map(void **state)
{
	struct device *dev;
	char *o[64], *a = NULL, *b = NULL, *c = NULL, rx[8];
	dma_addr_t da, db;

	(void)state;
	assert_int_equal(kslab_boot(UNSAFE), 0);
	dev = kslab_device_create("nc", 64, false);
	for (int i = 0; i < 64; i++)
		o[i] = kmalloc(8, GFP_KERNEL);
	for (int i = 0; i < 64 && !c; i++)
		for (int j = 0; j < 64 && !c; j++)
			for (int k = 0; k < 64 && !c; k++)
				if (i != j && j != k && i != k &&
				    (uintptr_t)o[i] / 64 ==
					    (uintptr_t)o[j] / 64 &&
				    (uintptr_t)o[j] / 64 ==
					    (uintptr_t)o[k] / 64) {
					a = o[i];
					b = o[j];
					c = o[k];
				}
	assert_non_null(c);
	memset(a, 0, 8);
	memset(rx, 0x5e, sizeof(rx));
	da = dma_map_single(dev, a, 8, DMA_FROM_DEVICE);
	assert_int_equal(kslab_device_dma_write(dev, da, rx, 8), 0);
	c[0] = 1;
	capture_start();
	db = dma_map_single(dev, b, 8, DMA_TO_DEVICE);
	capture_stop();
	assert_int_equal(lost_of(dev), 8);
	assert_int_equal(a[0], 0);
	/* the line is clean now: a's unmap loses nothing more */
	dma_unmap_single(dev, db, 8, DMA_TO_DEVICE);
	dma_unmap_single(dev, da, 8, DMA_FROM_DEVICE);
	assert_int_equal(lost_of(dev), 8);
	assert_int_equal(c[0], 1);
	for (int i = 0; i < 64; i++)
		kfree(o[i]);
}

/*
 * Two live mappings in one line: what the device writes through one is
 * memory, and the other's unmap (a clean line) keeps it; a CPU write
 * beside them dirties the line and the next unmap loses both buffers'
 * received bytes, counted against the mapping each belongs to. Entries
 * are recycled: repeat and count exactly.
 */
static void test_neighbour_mappings(void **state)
{
	struct device *dev;
	char *a, *b, rx[24], rx2[24];
	dma_addr_t da, db;
	char *pad;

	(void)state;
	assert_int_equal(kslab_boot(UNSAFE), 0);
	dev = kslab_device_create("nc", 64, false);
	pair_in_line(&a, &b);
	pad = a + 24; /* the unused tail of a's kmalloc-32 slot */
	capture_start();
	for (int round = 1; round <= 3; round++) {
		memset(a, 0, 24);
		memset(b, 0, 24);
		da = dma_map_single(dev, a, 24, DMA_FROM_DEVICE);
		db = dma_map_single(dev, b, 24, DMA_BIDIRECTIONAL);
		assert_false(dma_mapping_error(dev, da));
		assert_false(dma_mapping_error(dev, db));
		memset(rx, round, sizeof(rx));
		assert_int_equal(kslab_device_dma_write(dev, db, rx, 24), 0);
		dma_unmap_single(dev, da, 24, DMA_FROM_DEVICE);
		assert_memory_equal(b, rx, 24);
		assert_int_equal(lost_of(dev), 47 * (round - 1));
		/* both receive, the CPU writes the padding, one unmap */
		da = dma_map_single(dev, a, 24, DMA_FROM_DEVICE);
		assert_int_equal(kslab_device_dma_write(dev, da, rx, 24), 0);
		memset(rx2, round + 50, sizeof(rx2));
		assert_int_equal(kslab_device_dma_write(dev, db + 1, rx2, 23),
				 0);
		pad[0] = (char)(round + 100);
		dma_unmap_single(dev, da, 24, DMA_FROM_DEVICE);
		dma_unmap_single(dev, db, 24, DMA_BIDIRECTIONAL);
		assert_int_equal(pad[0], round + 100);
		/* both buffers get the CPU's copy back: a's 24 zeros, b's 23
		 * bytes of the first write (its byte 0 the device left) */
		assert_int_equal(a[0], 0);
		assert_int_equal(b[0], round);
		assert_int_equal(b[23], round);
		assert_int_equal(lost_of(dev), 47 * round);
	}
	capture_stop();
	kfree(a);
	kfree(b);
}

static void test_nothing_lost(void **state)
{
	struct device *dev;
	char *a, *b, rx[24];
	dma_addr_t d;

	(void)state;
	assert_int_equal(kslab_boot(UNSAFE), 0);
	dev = kslab_device_create("nc", 64, false);
	pair_in_line(&a, &b);
	memset(rx, 9, sizeof(rx));
	/* to-device: arch_sync_dma_for_cpu does nothing */
	d = dma_map_single(dev, a, 24, DMA_TO_DEVICE);
	b[3] = 5;
	dma_unmap_single(dev, d, 24, DMA_TO_DEVICE);
	assert_int_equal(b[3], 5);
	/* DMA_ATTR_SKIP_CPU_SYNC: no maintenance at all */
	d = dma_map_single_attrs(dev, a, 24, DMA_FROM_DEVICE,
				 DMA_ATTR_SKIP_CPU_SYNC);
	assert_int_equal(kslab_device_dma_write(dev, d, rx, 24), 0);
	b[4] = 6;
	dma_unmap_single_attrs(dev, d, 24, DMA_FROM_DEVICE,
			       DMA_ATTR_SKIP_CPU_SYNC);
	assert_int_equal(b[4], 6);
	assert_memory_equal(a, rx, 24);
	assert_int_equal(lost_of(dev), 0);
	kfree(a);
	kfree(b);
	/* coherent device, and x86_64: no state at all */
	kslab_shutdown();
	assert_int_equal(kslab_boot("arch=x86_64 mem=1G nr_cpus=1"), 0);
	dev = kslab_device_create("c", 64, false);
	a = kmalloc(24, GFP_KERNEL);
	b = kmalloc(24, GFP_KERNEL);
	d = dma_map_single(dev, a, 24, DMA_FROM_DEVICE);
	assert_int_equal(kslab_device_dma_write(dev, d, rx, 24), 0);
	b[0] = 1;
	assert_int_equal(kslab_cache_evict(a, 24), 0);
	dma_unmap_single(dev, d, 24, DMA_FROM_DEVICE);
	assert_memory_equal(a, rx, 24);
	assert_int_equal(lost_of(dev), 0);
	kfree(a);
	kfree(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_sync_for_cpu_writes_back,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_cpu_write_inside_buffer,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_eviction_mid_dma,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_clean_at_another_map,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_neighbour_mappings,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_nothing_lost, shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
