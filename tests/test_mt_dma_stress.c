// SPDX-License-Identifier: MIT
/*
 * Many threads, one device each, mapping and unmapping at once through a
 * shared swiotlb pool (swiotlb=force, several areas), directly, and
 * through dma-iommu (IOVAs from one allocator per device, untrusted
 * devices bouncing): every byte the device writes arrives in the right
 * buffer, every slot comes back, the counters add up. Sizes are random
 * (the seed is printed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/capture.h"

#define NR_THREADS 4
#define ROUNDS 400

struct worker {
	pthread_t tid;
	unsigned int seed, id;
	struct device *dev;
	unsigned long maps, bad;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned char pattern[3000];

	for (int r = 0; r < ROUNDS; r++) {
		size_t size = 1 + rand_r(&w->seed) % sizeof(pattern);
		unsigned char *buf = kmalloc(size, GFP_KERNEL);
		enum dma_data_direction dir = rand_r(&w->seed) % 2 ?
						      DMA_FROM_DEVICE :
						      DMA_BIDIRECTIONAL;
		dma_addr_t d;

		if (!buf) {
			w->bad++;
			continue;
		}
		d = dma_map_single(w->dev, buf, size, dir);
		if (dma_mapping_error(w->dev, d)) {
			kfree(buf);
			continue; /* pool momentarily full: allowed */
		}
		memset(pattern, (int)(w->id * 16 + r % 16), size);
		if (kslab_device_dma_write(w->dev, d, pattern, size))
			w->bad++;
		dma_unmap_single(w->dev, d, size, dir);
		if (memcmp(buf, pattern, size))
			w->bad++;
		w->maps++;
		kfree(buf);
	}
	return NULL;
}

static void stress(const char *cmdline, bool expect_bounce, bool iommu)
{
	unsigned int seed = test_seed("test_mt_dma_stress");
	struct worker w[NR_THREADS];
	struct kslab_dma_stats st;
	unsigned long maps = 0;
	char *text;
	size_t len;
	FILE *f;

	assert_int_equal(kslab_boot(cmdline), 0);
	for (unsigned int i = 0; i < NR_THREADS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "dev%u", i);
		w[i] = (struct worker){ .seed = seed + i, .id = i };
		w[i].dev = kslab_device_create(name, iommu ? 32 : 64, i % 2);
		assert_non_null(w[i].dev);
		if (iommu)
			assert_int_equal(kslab_device_attach_iommu(
						 w[i].dev,
						 i < 2 ? KSLAB_IOMMU_UNTRUSTED :
							 0),
					 0);
	}
	for (int i = 0; i < NR_THREADS; i++)
		pthread_create(&w[i].tid, NULL, work, &w[i]);
	for (int i = 0; i < NR_THREADS; i++) {
		pthread_join(w[i].tid, NULL);
		assert_int_equal(w[i].bad, 0);
		maps += w[i].maps;
	}
	assert_int_equal(kslab_dma_stats(NULL, &st), 0);
	assert_int_equal(st.mappings, maps);
	assert_int_equal(st.lost_bytes, 0);
	if (expect_bounce)
		assert_int_equal(st.bounces, maps);
	f = open_memstream(&text, &len);
	kslab_show("swiotlb", f);
	fclose(f);
	assert_non_null(strstr(text, "io_tlb_used: 0\n"));
	free(text);
	kslab_shutdown();
}

static void test_forced_bounce(void **state)
{
	stress("arch=arm64 mem=1G nr_cpus=4 swiotlb=1024,4,force", true, false);
}

static void test_rule_bounce(void **state)
{
	stress("arch=arm64 mem=1G nr_cpus=4", false, false);
}

static void test_iommu(void **state)
{
	stress("arch=arm64 mem=8G nr_cpus=4", false, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forced_bounce),
		cmocka_unit_test(test_rule_bounce),
		cmocka_unit_test(test_iommu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
