// SPDX-License-Identifier: MIT
/*
 * Seed 000 as a driver would live it: a network-style receive ring of
 * small kmalloc buffers on a non-coherent device (arm64) or a coherent one
 * (x86_64), while the CPU keeps updating small per-packet metadata
 * objects allocated next to the buffers. For each kmalloc alignment
 * policy: the memory the ring and its metadata take, the mappings that
 * bounced through swiotlb, and the CPU bytes destroyed by the cache
 * maintenance around DMA.
 *
 *   example_rx_ring [RING_SIZE [ROUNDS]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kslab/kslab.h>

#define FRAME 90 /* a small frame: the kmalloc-96 class */
#define META 80	 /* per-packet bookkeeping the CPU updates: kmalloc-96 too */

struct policy {
	const char *name, *cmdline;
	bool packed_meta;
};

static const struct policy policies[] = {
	{ "x86_64", "arch=x86_64 mem=2G nr_cpus=2", false },
	{ "arm64-legacy", "arch=arm64 mem=2G nr_cpus=2 kmalloc.legacy", false },
	{ "arm64-packed",
	  "arch=arm64 mem=2G nr_cpus=2 kmalloc.legacy kmalloc.packed", true },
	{ "arm64", "arch=arm64 mem=2G nr_cpus=2", false },
	{ "arm64-noswiotlb", "arch=arm64 mem=2G nr_cpus=2 swiotlb=noforce",
	  false },
	{ "arm64-unsafe",
	  "arch=arm64 mem=2G nr_cpus=2 swiotlb=noforce kmalloc.minalign=8",
	  false },
};

struct slot {
	unsigned char *buf, *meta;
	dma_addr_t dma;
};

static int run(const struct policy *p, int ring, int rounds)
{
	struct kslab_dma_stats st;
	struct slot *s = calloc(ring, sizeof(*s));
	unsigned long pages0, bytes = 0, bad_meta = 0, bad_frame = 0;
	unsigned char frame[FRAME];
	struct device *nic;

	if (!s || kslab_boot(p->cmdline))
		return 1;
	nic = kslab_device_create("eth0", 64, false);
	pages0 = kslab_slab_pages();
	/* the ring and the metadata, allocated interleaved as a driver would */
	for (int i = 0; i < ring; i++) {
		s[i].buf = kmalloc(FRAME, GFP_KERNEL);
		s[i].meta = kzalloc(
			META, GFP_KERNEL | (p->packed_meta ? __GFP_PACKED : 0));
		bytes += ksize(s[i].buf) + ksize(s[i].meta);
	}
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < ring; i++)
			s[i].dma = dma_map_single(nic, s[i].buf, FRAME,
						  DMA_FROM_DEVICE);
		/* the CPU updates its bookkeeping while the ring is armed */
		for (int i = 0; i < ring; i++)
			memset(s[i].meta, r + 1, META);
		for (int i = 0; i < ring; i++) {
			memset(frame, 0xa0 + (r * 7 + i) % 16, FRAME);
			kslab_device_dma_write(nic, s[i].dma, frame, FRAME);
			dma_unmap_single(nic, s[i].dma, FRAME, DMA_FROM_DEVICE);
			for (int b = 0; b < FRAME; b++)
				bad_frame += s[i].buf[b] != frame[b];
		}
		for (int i = 0; i < ring; i++)
			for (int b = 0; b < META; b++)
				bad_meta += s[i].meta[b] !=
					    (unsigned char)(r + 1);
	}
	kslab_dma_stats(nic, &st);
	printf("%-16s %6s %9lu %10lu %9lu %12lu %11lu %12lu %10lu\n", p->name,
	       dev_is_dma_coherent(nic) ? "yes" : "no", bytes,
	       (kslab_slab_pages() - pages0) * kslab_page_size() / 1024,
	       st.bounces, st.bounced_bytes, st.lost_bytes, bad_frame,
	       bad_meta);
	for (int i = 0; i < ring; i++) {
		kfree(s[i].buf);
		kfree(s[i].meta);
	}
	free(s);
	kslab_device_destroy(nic);
	kslab_shutdown();
	return 0;
}

int main(int argc, char **argv)
{
	int ring = argc > 1 ? atoi(argv[1]) : 256;
	int rounds = argc > 2 ? atoi(argv[2]) : 4;

	if (ring <= 0 || rounds <= 0) {
		fprintf(stderr, "usage: %s [RING_SIZE [ROUNDS]]\n", argv[0]);
		return 2;
	}
	printf("rx ring: %d buffers of %d bytes, %d-byte metadata each, %d rounds, device eth0\n",
	       ring, FRAME, META, rounds);
	printf("%-16s %6s %9s %10s %9s %12s %11s %12s %10s\n", "policy",
	       "coher", "bytes", "slab KiB", "bounces", "bounced B",
	       "lost bytes", "bad frame B", "bad meta B");
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (run(&policies[i], ring, rounds))
			return 1;
	return 0;
}
