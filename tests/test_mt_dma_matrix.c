// SPDX-License-Identifier: MIT
/*
 * The DMA test matrix of seed 000: a driver thread receives into a small
 * kmalloc buffer while another thread updates a neighbouring small
 * object, under every alignment policy, for a coherent and a non-coherent
 * device, in every direction. The interleaving is fixed by barriers:
 *
 *   driver                          writer
 *   map the buffer
 *            ---- barrier ----
 *                                   writes its neighbouring object
 *            ---- barrier ----
 *   device writes (or reads) the buffer, unmap
 *            ---- barrier ----
 *                                   checks what is left of its write
 *
 * Expected (arm64's maintenance: a partly covered line is cleaned and
 * invalidated at unmap, so a line the writer dirtied is written back over
 * what the device wrote): the writer's bytes always survive; the
 * received bytes are lost wherever the buffer shares a line with the
 * writer's object, which only the unsafe kmalloc.minalign=8
 * configuration allows (from-device and bidirectional on the non-coherent
 * device: all RX_SIZE bytes, the buffer keeps its old contents); bounces
 * are exactly what dma_kmalloc_needs_bounce() predicts.
 *
 * One more case: in the unsafe configuration the writer's line is evicted
 * while the DMA is in flight, after the device wrote: the buffer is
 * corrupt in memory before any unmap (the device reads the old bytes
 * back) and the unmap has nothing left to lose.
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

#define RX_SIZE 24
#define NR_NEIGHBOURS 16

struct config {
	const char *name, *cmdline;
	bool bounce_rule; /* CONFIG_DMA_BOUNCE_UNALIGNED_KMALLOC in force */
	bool packed;	  /* neighbours are __GFP_PACKED */
	bool unsafe;	  /* kmalloc.minalign=8 without bouncing */
};

static const struct config configs[] = {
	{ "x86_64", "arch=x86_64 mem=1G nr_cpus=2", false, false, false },
	{ "arm64-legacy", "arch=arm64 mem=1G nr_cpus=2 kmalloc.legacy", false,
	  false, false },
	{ "arm64-swiotlb", "arch=arm64 mem=1G nr_cpus=2", true, false, false },
	{ "arm64-noswiotlb", "arch=arm64 mem=1G nr_cpus=2 swiotlb=noforce",
	  true, false, false },
	{ "arm64-packed",
	  "arch=arm64 mem=1G nr_cpus=2 kmalloc.legacy kmalloc.packed", false,
	  true, false },
	{ "arm64-unsafe",
	  "arch=arm64 mem=1G nr_cpus=2 swiotlb=noforce kmalloc.minalign=8",
	  false, false, true },
};

static const enum dma_data_direction dirs[] = { DMA_TO_DEVICE, DMA_FROM_DEVICE,
						DMA_BIDIRECTIONAL };
static const char *const dir_names[] = { "bidirectional", "to-device",
					 "from-device" };

struct matrix_case {
	const struct config *cfg;
	bool coherent;
	enum dma_data_direction dir;
	char name[96];
};

struct scenario {
	struct device *dev;
	unsigned char *buf, *nb;
	enum dma_data_direction dir;
	pthread_barrier_t bar;
	dma_addr_t dma;
	int dev_ret;
	unsigned char seen[RX_SIZE];
	size_t nb_lost;
	bool evict;	     /* the eviction case */
	size_t evicted_lost; /* what kslab_cache_evict() returned */
};

static void *driver(void *arg)
{
	struct scenario *s = arg;
	unsigned char rx[RX_SIZE];

	memset(rx, 0xd0, sizeof(rx));
	s->dma = dma_map_single(s->dev, s->buf, RX_SIZE, s->dir);
	if (s->evict) {
		/* the device writes first; the writer dirties and evicts */
		s->dev_ret =
			kslab_device_dma_write(s->dev, s->dma, rx, RX_SIZE);
		pthread_barrier_wait(&s->bar);
		pthread_barrier_wait(&s->bar);
		kslab_device_dma_read(s->dev, s->dma, s->seen, RX_SIZE);
		dma_unmap_single(s->dev, s->dma, RX_SIZE, s->dir);
		pthread_barrier_wait(&s->bar);
		return NULL;
	}
	pthread_barrier_wait(&s->bar);
	pthread_barrier_wait(&s->bar); /* the writer has written */
	if (!dma_mapping_error(s->dev, s->dma)) {
		if (s->dir == DMA_TO_DEVICE)
			s->dev_ret = kslab_device_dma_read(s->dev, s->dma,
							   s->seen, RX_SIZE);
		else
			s->dev_ret = kslab_device_dma_write(s->dev, s->dma, rx,
							    RX_SIZE);
		dma_unmap_single(s->dev, s->dma, RX_SIZE, s->dir);
	}
	pthread_barrier_wait(&s->bar);
	return NULL;
}

static void *writer(void *arg)
{
	struct scenario *s = arg;

	pthread_barrier_wait(&s->bar);
	memset(s->nb, 0x5a, RX_SIZE); /* the CPU updates its object */
	if (s->evict)
		s->evicted_lost = kslab_cache_evict(s->nb, RX_SIZE);
	pthread_barrier_wait(&s->bar);
	pthread_barrier_wait(&s->bar);
	for (size_t i = 0; i < RX_SIZE; i++)
		s->nb_lost += s->nb[i] != 0x5a;
	return NULL;
}

/* the neighbour closest to buf among objects of the neighbours' kind */
static unsigned char *pick_neighbour(unsigned char *buf, void **objs)
{
	unsigned char *best = NULL;
	uintptr_t bestd = UINTPTR_MAX;

	for (int i = 0; i < NR_NEIGHBOURS; i++) {
		uintptr_t a = (uintptr_t)objs[i], b = (uintptr_t)buf;
		uintptr_t d = a > b ? a - b : b - a;

		if (d < bestd) {
			bestd = d;
			best = objs[i];
		}
	}
	return best;
}

static bool predicted_bounce(const struct matrix_case *mc, bool coherent)
{
	size_t rounded = kmalloc_size_roundup(RX_SIZE);

	return mc->cfg->bounce_rule && !coherent && mc->dir != DMA_TO_DEVICE &&
	       RX_SIZE < 256 && rounded % (size_t)dma_get_cache_alignment();
}

static void run_case(void **state)
{
	const struct matrix_case *mc = *state;
	struct scenario s = { .dir = mc->dir };
	struct kslab_dma_stats st;
	void *objs[NR_NEIGHBOURS];
	gfp_t nb_gfp = GFP_KERNEL | (mc->cfg->packed ? __GFP_PACKED : 0);
	pthread_t t1, t2;
	bool coherent, same_line, expect_loss;

	assert_int_equal(kslab_boot(mc->cfg->cmdline), 0);
	s.dev = kslab_device_create("rx0", 64, mc->coherent);
	assert_non_null(s.dev);
	coherent = dev_is_dma_coherent(s.dev);
	s.buf = kmalloc(RX_SIZE, GFP_KERNEL);
	assert_non_null(s.buf);
	for (int i = 0; i < NR_NEIGHBOURS; i++)
		assert_non_null(objs[i] = kmalloc(RX_SIZE, nb_gfp));
	s.nb = pick_neighbour(s.buf, objs);
	memset(s.buf, 0x11, RX_SIZE);
	memset(s.nb, 0, RX_SIZE);
	same_line = (uintptr_t)s.buf / 64 == (uintptr_t)s.nb / 64;
	if (mc->cfg->unsafe)
		assert_true(same_line); /* the hazard is really set up */

	pthread_barrier_init(&s.bar, NULL, 2);
	pthread_create(&t1, NULL, driver, &s);
	pthread_create(&t2, NULL, writer, &s);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	pthread_barrier_destroy(&s.bar);

	assert_false(dma_mapping_error(s.dev, s.dma));
	assert_int_equal(s.dev_ret, 0);
	assert_int_equal(kslab_dma_stats(s.dev, &st), 0);
	expect_loss = mc->cfg->unsafe && !coherent && mc->dir != DMA_TO_DEVICE;
	printf("%-16s %-12s %-14s bounces=%lu lost_bytes=%lu shared_line_warnings=%lu\n",
	       mc->cfg->name, coherent ? "coherent" : "non-coherent",
	       dir_names[mc->dir], st.bounces, st.lost_bytes,
	       st.shared_line_warnings);
	assert_int_equal(st.mappings, 1);
	assert_int_equal(st.bounces, predicted_bounce(mc, coherent) ? 1 : 0);
	/* the CPU's write next door always survives */
	assert_int_equal(s.nb_lost, 0);
	assert_int_equal(st.lost_bytes, expect_loss ? RX_SIZE : 0);
	assert_int_equal(st.shared_line_warnings, expect_loss ? 1 : 0);
	assert_int_equal(st.api_errors, 0);
	/* what the device sent arrived, unless the write-back undid it */
	for (size_t i = 0; i < RX_SIZE; i++)
		assert_int_equal(
			mc->dir == DMA_TO_DEVICE ? s.seen[i] : s.buf[i],
			mc->dir == DMA_TO_DEVICE || expect_loss ? 0x11 : 0xd0);
	for (int i = 0; i < NR_NEIGHBOURS; i++)
		kfree(objs[i]);
	kfree(s.buf);
	kslab_device_destroy(s.dev);
	kslab_shutdown();
}

static void eviction_case(void **state)
{
	struct scenario s = { .dir = DMA_BIDIRECTIONAL, .evict = true };
	struct kslab_dma_stats st;
	void *objs[NR_NEIGHBOURS];
	pthread_t t1, t2;

	(void)state;
	assert_int_equal(kslab_boot(configs[5].cmdline), 0);
	s.dev = kslab_device_create("rx0", 64, false);
	assert_non_null(s.dev);
	s.buf = kmalloc(RX_SIZE, GFP_KERNEL);
	for (int i = 0; i < NR_NEIGHBOURS; i++)
		assert_non_null(objs[i] = kmalloc(RX_SIZE, GFP_KERNEL));
	s.nb = pick_neighbour(s.buf, objs);
	assert_true((uintptr_t)s.buf / 64 == (uintptr_t)s.nb / 64);
	memset(s.buf, 0x11, RX_SIZE);
	memset(s.nb, 0, RX_SIZE);
	pthread_barrier_init(&s.bar, NULL, 2);
	pthread_create(&t1, NULL, driver, &s);
	pthread_create(&t2, NULL, writer, &s);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	pthread_barrier_destroy(&s.bar);
	assert_int_equal(s.dev_ret, 0);
	assert_int_equal(s.evicted_lost, RX_SIZE);
	assert_int_equal(s.nb_lost, 0);
	for (size_t i = 0; i < RX_SIZE; i++) {
		assert_int_equal(s.seen[i], 0x11); /* before the unmap */
		assert_int_equal(s.buf[i], 0x11);
	}
	assert_int_equal(kslab_dma_stats(s.dev, &st), 0);
	assert_int_equal(st.lost_bytes, RX_SIZE); /* the unmap lost no more */
	for (int i = 0; i < NR_NEIGHBOURS; i++)
		kfree(objs[i]);
	kfree(s.buf);
	kslab_device_destroy(s.dev);
	kslab_shutdown();
}

int main(void)
{
	static struct matrix_case cases[6 * 2 * 3];
	static struct CMUnitTest tests[6 * 2 * 3 + 1];
	size_t n = 0;

	for (size_t c = 0; c < sizeof(configs) / sizeof(configs[0]); c++)
		for (int coh = 1; coh >= 0; coh--)
			for (int d = 0; d < 3; d++) {
				struct matrix_case *mc = &cases[n];

				mc->cfg = &configs[c];
				mc->coherent = coh;
				mc->dir = dirs[d];
				snprintf(mc->name, sizeof(mc->name), "%s/%s/%s",
					 configs[c].name,
					 coh ? "coherent" : "non-coherent",
					 dir_names[dirs[d]]);
				tests[n] = (struct CMUnitTest){
					.name = mc->name,
					.test_func = run_case,
					.initial_state = mc,
				};
				n++;
			}
	tests[n++] = (struct CMUnitTest){
		.name = "arm64-unsafe/non-coherent/bidirectional/evicted-mid-DMA",
		.test_func = eviction_case,
	};
	return _cmocka_run_group_tests("dma_matrix", tests, n, NULL, NULL);
}
