// SPDX-License-Identifier: MIT
/*
 * DMA mapping benchmark: dma_map_single + dma_unmap_single pairs,
 * DMA_BIDIRECTIONAL, per buffer size, served directly (a 64-bit device),
 * through swiotlb (a 32-bit device, buffer above 4 GiB: the bounce
 * copies the buffer in at map and out at unmap) and through dma-iommu (a
 * 32-bit device behind an IOMMU: an IOVA below 4 GiB, no bounce), on one
 * thread of an x86_64 machine with 8 GiB (coherent devices).
 *
 *   bench_dma [-n] time  REPS ITERS   ns per pair for every size, median
 *   bench_dma [-n] count ITERS SIZE [OFFSET]
 *                                     run pair_direct, pair_bounced and
 *                                     pair_iommu ITERS times each at SIZE
 *                                     (for callgrind --toggle-collect)
 *
 * -n: an arm64 machine with 8 GiB and non-coherent devices instead, so
 * the direct pair goes through the non-coherent cache model (the sizes
 * are multiples of the 64-byte line, so nothing bounces under the 6.5
 * rule). OFFSET (default 0) starts the buffer that many bytes into the
 * page: 0 covers whole cache lines, 8 leaves the first and last line
 * partly covered, the case the cache model snapshots and checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kslab/kslab.h>
#include "bench_util.h"

static const size_t sizes[] = { 64, 256, 1024, 4096, 16384, 65536 };
static struct device *dev64, *dev32, *devmmu;
static void *buf;
static size_t cur, offset;
static bool noncoherent;

__attribute__((noinline)) void pair_direct(void);
__attribute__((noinline)) void pair_bounced(void);
__attribute__((noinline)) void pair_iommu(void);

__attribute__((noinline)) void pair_direct(void)
{
	char *p = (char *)buf + offset;
	dma_addr_t d = dma_map_single(dev64, p, cur, DMA_BIDIRECTIONAL);

	dma_unmap_single(dev64, d, cur, DMA_BIDIRECTIONAL);
}

__attribute__((noinline)) void pair_bounced(void)
{
	char *p = (char *)buf + offset;
	dma_addr_t d = dma_map_single(dev32, p, cur, DMA_BIDIRECTIONAL);

	dma_unmap_single(dev32, d, cur, DMA_BIDIRECTIONAL);
}

__attribute__((noinline)) void pair_iommu(void)
{
	char *p = (char *)buf + offset;
	dma_addr_t d = dma_map_single(devmmu, p, cur, DMA_BIDIRECTIONAL);

	dma_unmap_single(devmmu, d, cur, DMA_BIDIRECTIONAL);
}

static int setup(void)
{
	struct kslab_dma_stats st, st64;

	if (kslab_boot(noncoherent ? "arch=arm64 mem=8G nr_cpus=1" :
				     "arch=x86_64 mem=8G nr_cpus=1"))
		return 1;
	kslab_set_cpu(0);
	dev64 = kslab_device_create("dev64", 64, !noncoherent);
	dev32 = kslab_device_create("dev32", 32, !noncoherent);
	devmmu = kslab_device_create("devmmu", 32, !noncoherent);
	if (!devmmu || kslab_device_attach_iommu(devmmu, 0))
		return 1;
	/* room for the largest size at the largest offset */
	buf = alloc_pages_exact(2 * 65536, GFP_KERNEL);
	if (!dev64 || !dev32 || !buf || virt_to_phys(buf) < (4ULL << 30))
		return 1;
	memset(buf, 1, 2 * 65536);
	cur = 64;
	pair_direct();
	pair_bounced();
	pair_iommu();
	kslab_dma_stats(dev32, &st);
	kslab_dma_stats(dev64, &st64);
	if (st.bounces != 1 || st64.bounces || st64.lost_bytes)
		return 1;
	kslab_dma_stats(devmmu, &st);
	return st.bounces != 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "-n")) {
		noncoherent = true;
		argc--;
		argv++;
	}
	if (setup()) {
		fprintf(stderr, "bench_dma: setup failed\n");
		return 1;
	}
	if (argc > 3 && !strcmp(argv[1], "count")) {
		long iters = atol(argv[2]);

		cur = (size_t)atol(argv[3]);
		offset = argc > 4 ? (size_t)atol(argv[4]) : 0;
		if (offset >= 65536) {
			fprintf(stderr, "bench_dma: OFFSET below 65536\n");
			return 1;
		}
		for (long i = 0; i < iters; i++)
			pair_direct();
		for (long i = 0; i < iters; i++)
			pair_bounced();
		for (long i = 0; i < iters; i++)
			pair_iommu();
	} else {
		int reps = argc > 2 ? atoi(argv[2]) : 11;
		long iters = argc > 3 ? atol(argv[3]) : 20000;

		printf("%8s %14s %14s %14s %8s\n", "size", "direct ns",
		       "bounced ns", "iommu ns", "ratio");
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			double d, b, m;

			cur = sizes[i];
			d = bench_median_ns(pair_direct, reps, iters);
			b = bench_median_ns(pair_bounced, reps, iters);
			m = bench_median_ns(pair_iommu, reps, iters);
			printf("%8zu %14.1f %14.1f %14.1f %7.1fx\n", cur, d, b,
			       m, b / d);
		}
	}
	free_pages_exact(buf, 2 * 65536);
	kslab_shutdown();
	return 0;
}
