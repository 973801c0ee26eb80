// SPDX-License-Identifier: MIT
/*
 * dma: events: the parse of every event kslab replay --dma reads (6.12's
 * and 6.18's names) and of malformed lines, the placing of mapped
 * segments in live traced slab objects and the pairing of unmaps, syncs
 * and frees on a hand-made trace, its replay under the arm64 policy, and
 * the real arm64 6.12 boot with USB and IOMMU-backed virtio disks
 * (data/traces/arm64-6.12.117-2G-dma), whose counts are those of the
 * trace's own lines (grep, and a few lines of script for the placing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/kslab_test.h"
#include "helpers/capture.h"
#include "helpers/json_check.h"
#include "replay/replay.h"
#include "replay/replay_dma.h"
#include "trace/trace_dma.h"
#include "trace/trace_stream.h"

#define DMATRACE KSLAB_DATADIR "/traces/arm64-6.12.117-2G-dma/trace.xz"

#define PFX "     kworker/1:0-25      [001] .....    10.355336: "

static void add_lines(struct trace_stream *s, const char *const *lines,
		      size_t n)
{
	char buf[1024];

	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), PFX "%s", lines[i]);
		trace_stream_add_line(s, buf, strlen(buf), i + 1);
	}
}

static void read_lines(struct trace_stream *s, const char *const *lines,
		       size_t n, int dma)
{
	trace_stream_init(s);
	if (dma)
		assert_int_equal(trace_stream_want_dma(s), 0);
	add_lines(s, lines, n);
	trace_stream_finish(s);
}

#define READ(s, lines, dma) \
	read_lines(s, lines, sizeof(lines) / sizeof(lines[0]), dma)

/* ---- one line of each event ---------------------------------------------- */

static const char *const each[] = {
	"dma_map_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=ffff6908 size=8 phys_addr=4578e908 attrs=",
	"dma_map_phys: 0000:00:02.0 dir=FROM_DEVICE dma_addr=fe000000 size=4096 phys_addr=46000000 attrs=SKIP_CPU_SYNC|NO_WARN",
	"dma_unmap_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=ffff6908 size=8 attrs=",
	"dma_unmap_phys: 0000:00:02.0 dir=FROM_DEVICE dma_addr=fe000000 size=4096 attrs=SKIP_CPU_SYNC",
	"dma_map_sg: 0000:00:01.0 dir=FROM_DEVICE nents=2/2 ents=2/2 dma_addrs={0xfffda000,0xfffdb000} sizes={0x24,0x1000} phys_addrs={0x480e2000,0x48000000} attrs=",
	"dma_unmap_sg: 0000:00:01.0 dir=FROM_DEVICE phys_addrs={0x480e2000,0x48000000} attrs=",
	"dma_sync_single_for_cpu: 0000:00:01.0 dir=FROM_DEVICE dma_addr=ffff5740 size=8",
	"dma_sync_single_for_device: 0000:00:01.0 dir=FROM_DEVICE dma_addr=ffff5740 size=8",
	"dma_sync_sg_for_cpu: 0000:00:01.0 dir=BIDIRECTIONAL dma_addrs={0xfffda000} sizes={0x24}",
	"dma_sync_sg_for_device: 0000:00:01.0 dir=BIDIRECTIONAL dma_addrs={0xfffda000} sizes={0x24}",
	"dma_alloc: 9050000.smmuv3 dir=BIDIRECTIONAL dma_addr=b9b00000 size=1048576 virt_addr=ffff077b39b00000 flags=GFP_KERNEL attrs=",
	"dma_free: 9050000.smmuv3 dir=BIDIRECTIONAL dma_addr=b9b00000 size=1048576 virt_addr=ffff077b39b00000 attrs=",
	"swiotlb_bounced: dev_name: 0000:00:03.0 dma_mask=ffffffff dev_addr=46000040 size=36 NORMAL",
	/* merged by an IOMMU: one DMA segment for three entries */
	"dma_map_sg: 0000:00:01.0 dir=FROM_DEVICE nents=3/3 ents=1/1 dma_addrs={0xfffa0000} sizes={0x3000} phys_addrs={0x45bfb000,0x45b0d000,0x45b0c000} attrs=",
	/* another tracer's prefix */
	"dma:dma_map_page: 0000:00:01.0 dir=NONE dma_addr=1 size=1 phys_addr=1 attrs=WEAK_ORDERING",
};

static const char *const truncated[] = {
	"dma_map_sg: 0000:00:01.0 dir=TO_DEVICE nents=2/300 ents=2/300 [TRUNCATED] dma_addrs={0x1000,0x2000} sizes={0x1000,0x1000} phys_addrs={0x41000,0x42000} attrs=",
};

static void test_parse_each(void **state)
{
	struct trace_stream s;
	const struct trace_dma *d;
	const struct trace_dma_event *e;
	const struct trace_dma_seg *g;

	(void)state;
	READ(&s, each, 1);
	d = s.dma;
	assert_int_equal(d->c.bad, 0);
	assert_int_equal(s.counts.bad, 0);
	assert_int_equal(d->nr, 15);
	assert_int_equal(d->c.ev[TDMA_MAP], 3);
	assert_int_equal(d->c.ev[TDMA_UNMAP], 2);
	assert_int_equal(d->c.ev[TDMA_MAP_SG], 2);
	assert_int_equal(d->c.ev[TDMA_UNMAP_SG], 1);
	assert_int_equal(d->c.ev[TDMA_SYNC_CPU], 1);
	assert_int_equal(d->c.ev[TDMA_SYNC_DEV], 1);
	assert_int_equal(d->c.ev[TDMA_SYNC_SG_CPU], 1);
	assert_int_equal(d->c.ev[TDMA_SYNC_SG_DEV], 1);
	assert_int_equal(d->c.ev[TDMA_ALLOC], 1);
	assert_int_equal(d->c.ev[TDMA_FREE], 1);
	assert_int_equal(d->c.ev[TDMA_BOUNCED], 1);
	/* map_page */
	e = &d->ev[0];
	g = &d->seg[e->first_seg];
	assert_int_equal(e->type, TDMA_MAP);
	assert_int_equal(e->dir, DMA_TO_DEVICE);
	assert_int_equal(e->cpu, 1);
	assert_string_equal(trace_dma_dev_name(d, e->dev), "0000:00:01.0");
	assert_int_equal(e->nr_segs, 1);
	assert_int_equal(g->phys, 0x4578e908);
	assert_int_equal(g->dma, 0xffff6908);
	assert_int_equal(g->size, 8);
	/* map_phys: 6.18's name, attrs read */
	e = &d->ev[1];
	assert_int_equal(e->type, TDMA_MAP);
	assert_int_equal(e->attrs, DMA_ATTR_SKIP_CPU_SYNC | DMA_ATTR_NO_WARN);
	assert_int_equal(d->seg[e->first_seg].size, 4096);
	/* unmaps pair with their maps */
	assert_int_equal(d->ev[2].pair, 1);
	assert_int_equal(d->ev[3].pair, 2);
	/* map_sg: two entries with their sizes */
	e = &d->ev[4];
	g = &d->seg[e->first_seg];
	assert_int_equal(e->nr_segs, 2);
	assert_int_equal(g[0].phys, 0x480e2000);
	assert_int_equal(g[0].dma, 0xfffda000);
	assert_int_equal(g[0].size, 0x24);
	assert_int_equal(g[1].phys, 0x48000000);
	assert_int_equal(g[1].size, 0x1000);
	assert_int_equal(d->ev[5].pair, 5); /* unmap_sg by phys_addrs */
	/* the syncs of a mapping not in the trace pair with nothing */
	assert_int_equal(d->ev[6].pair, 0);
	assert_int_equal(d->ev[8].pair, 0);
	/* sg sync: dma addresses and sizes */
	e = &d->ev[8];
	assert_int_equal(e->nr_segs, 1);
	assert_int_equal(d->seg[e->first_seg].dma, 0xfffda000);
	assert_int_equal(d->seg[e->first_seg].size, 0x24);
	/* alloc and free */
	e = &d->ev[10];
	assert_int_equal(e->virt, 0xffff077b39b00000ull);
	assert_int_equal(e->size, 1048576);
	assert_int_equal(d->ev[11].pair, 11);
	/* swiotlb_bounced */
	e = &d->ev[12];
	assert_string_equal(trace_dma_dev_name(d, e->dev), "0000:00:03.0");
	assert_int_equal(e->virt, 0xffffffff);
	assert_int_equal(d->seg[e->first_seg].dma, 0x46000040);
	assert_int_equal(e->size, 36);
	assert_int_equal(e->flags & TDMA_F_FORCE, 0);
	/* merged list: entries kept, sizes unknown */
	e = &d->ev[13];
	assert_int_equal(e->nr_segs, 3);
	assert_int_equal(d->seg[e->first_seg + 2].phys, 0x45b0c000);
	assert_int_equal(d->seg[e->first_seg + 2].size, 0);
	assert_int_equal(d->ev[14].dir, DMA_NONE);
	/* the devices: the two with dma != phys are behind an IOMMU */
	assert_true(d->dev[d->ev[0].dev].iommu);
	assert_true(d->dev[d->ev[1].dev].iommu);
	assert_false(d->dev[d->ev[10].dev].iommu);
	assert_true(d->dev[d->ev[0].dev].noncoherent); /* it syncs */
	assert_int_equal(d->dev[d->ev[12].dev].mask_bits, 32);
	/* the linear map from the smmu's dma_alloc */
	assert_int_equal(d->linear_offset[0], 0xffff077a80000000ull);
	trace_stream_free(&s);
	/* 6.18 cuts a list at 128 entries and says so: the printed ones kept */
	READ(&s, truncated, 1);
	assert_int_equal(s.dma->c.bad, 0);
	assert_int_equal(s.dma->c.truncated, 1);
	assert_int_equal(s.dma->ev[0].nr_segs, 2);
	assert_true(s.dma->ev[0].flags & TDMA_F_TRUNCATED);
	trace_stream_free(&s);
}

/* ---- malformed lines ------------------------------------------------------- */

static const char *const malformed[] = {
	"dma_map_page: usb dir=SIDEWAYS dma_addr=1 size=8 phys_addr=1 attrs=",
	"dma_map_page: usb dir=TO_DEVICE dma_addr=zz size=8 phys_addr=1 attrs=",
	"dma_map_page: usb dir=TO_DEVICE size=8 phys_addr=1 attrs=",
	"dma_map_page: dir=TO_DEVICE dma_addr=1 size=8 phys_addr=1",
	"dma_map_page:",
	"dma_map_page: usb dir=TO_DEVICE dma_addr=1 dma_addr=2 size=8 phys_addr=1",
	"dma_map_page: usb dir=TO_DEVICE dma_addr=1 size=-8 phys_addr=1",
	"dma_map_page: usb dir=TO_DEVICE dma_addr=1 size=8 phys_addr=1 attrs=0xzz",
	"dma_map_page: usb dir=TO_DEVICE dma_addr=12345678901234567 size=8 phys_addr=1",
	"dma_map_sg: usb dir=TO_DEVICE nents=2/2 ents=2/2 dma_addrs={0x1,0x2} sizes={0x8} phys_addrs={0x1,0x2} attrs=",
	"dma_map_sg: usb dir=TO_DEVICE nents=3/3 ents=2/2 dma_addrs={0x1,0x2} sizes={0x8,0x8} phys_addrs={0x1,0x2} attrs=",
	"dma_map_sg: usb dir=TO_DEVICE nents=1/1 ents=1/1 dma_addrs=0x1 sizes={0x8} phys_addrs={0x1} attrs=",
	"dma_map_sg: usb dir=TO_DEVICE nents=1/1 ents=1/1 dma_addrs={0x1} sizes={0x1ffffffff} phys_addrs={0x1} attrs=",
	"dma_map_sg: usb dir=TO_DEVICE nents=2/1 ents=1/1 dma_addrs={0x1} sizes={0x8} phys_addrs={0x1} attrs=",
	"dma_map_sg: usb dir=TO_DEVICE nents=1/1 ents=1/1 dma_addrs={0x1} sizes={0x8} phys_addrs={0x1",
	"dma_unmap_sg: usb dir=TO_DEVICE phys_addrs={} attrs=",
	"dma_unmap_sg: usb dir=TO_DEVICE phys_addrs={0x1,,0x2} attrs=",
	"dma_sync_sg_for_cpu: usb dir=TO_DEVICE dma_addrs={0x1,0xq} sizes={0x8,0x8}",
	"dma_sync_single_for_device: usb dir=TO_DEVICE size=8",
	"dma_alloc: smmu dir=BIDIRECTIONAL size=4096 virt_addr=ffff flags=GFP_KERNEL attrs=",
	"dma_free: smmu dir=BIDIRECTIONAL dma_addr=1 virt_addr=ffff attrs=",
	"swiotlb_bounced: dev_name: usb dma_mask=zz dev_addr=1 size=8 NORMAL",
	"swiotlb_bounced: dev_name: usb dma_mask=ff size=8 FORCE",
	"dma_unmap_page usb dir=TO_DEVICE dma_addr=1 size=8 attrs=", /* no ':' */
};

static void test_malformed(void **state)
{
	const size_t n = sizeof(malformed) / sizeof(malformed[0]);
	struct trace_stream s, plain;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		struct trace_stream one;

		read_lines(&one, &malformed[i], 1, 1);
		if (one.dma->c.bad != 1)
			printf("not bad: %s\n", malformed[i]);
		assert_int_equal(one.dma->c.bad, 1);
		trace_stream_free(&one);
	}
	READ(&s, malformed, 1);
	assert_int_equal(s.dma->nr, 0);
	assert_int_equal(s.dma->c.bad, n);
	assert_int_equal(s.counts.bad, n);
	assert_int_equal(s.nr_issues[TRACE_ISSUE_BAD_LINE], n);
	/* without --dma every one of them is skipped, as any other event */
	READ(&plain, malformed, 0);
	assert_null(plain.dma);
	assert_int_equal(plain.counts.bad, 0);
	assert_int_equal(plain.counts.skipped, n);
	trace_stream_free(&s);
	trace_stream_free(&plain);
}

/* every line of the shipped trace cut short at random: never a crash */
static void test_truncated_lines(void **state)
{
	unsigned int seed = test_seed("test_truncated_lines");
	struct trace_stream s;
	char buf[1024];

	(void)state;
	srand(seed);
	trace_stream_init(&s);
	assert_int_equal(trace_stream_want_dma(&s), 0);
	for (int round = 0; round < 2000; round++) {
		const char *l =
			each[(size_t)rand() % (sizeof(each) / sizeof(each[0]))];
		size_t n = snprintf(buf, sizeof(buf), PFX "%s", l);
		size_t cut = sizeof(PFX) + (size_t)rand() % (n - sizeof(PFX));

		if (rand() % 2)
			buf[cut - 1 + (size_t)rand() % 2] ^=
				(char)(1 + rand() % 100);
		buf[cut] = '\0';
		trace_stream_add_line(&s, buf, strlen(buf), (uint64_t)round);
	}
	trace_stream_finish(&s);
	assert_int_equal(s.counts.bad + s.dma->nr + s.counts.skipped, 2000);
	assert_int_equal(s.counts.bad, s.dma->c.bad);
	trace_stream_free(&s);
}

/* ---- a small trace: placing, pairing, replay ------------------------------ */

#define KM(ptr, req, alloc)                                       \
	"kmalloc: call_site=f+0x1/0x2 ptr=" ptr " bytes_req=" req \
	" bytes_alloc=" alloc " gfp_flags=GFP_KERNEL node=-1 accounted=false"

static const char *const small[] = {
	/* a direct device's coherent buffer: the linear map offset */
	"dma_alloc: smmu dir=BIDIRECTIONAL dma_addr=100000 size=4096 virt_addr=ffff0000c0100000 flags=GFP_KERNEL attrs=",
	KM("ffff0000c0041000", "8", "8"),
	KM("ffff0000c0042000", "1000", "1024"),
	"kmem_cache_alloc: call_site=g+0x1/0x2 ptr=ffff0000c0043000 bytes_req=96 bytes_alloc=96 gfp_flags=GFP_KERNEL node=-1 accounted=false name=foo_cache",
	/* in the kmalloc-8 object */
	"dma_map_page: usb dir=FROM_DEVICE dma_addr=ffff0000 size=8 phys_addr=41000 attrs=",
	/* 16 bytes into the 1024-byte one */
	"dma_map_phys: usb dir=TO_DEVICE dma_addr=ffff1010 size=64 phys_addr=42010 attrs=SKIP_CPU_SYNC",
	/* from 0x300, 512 bytes: beyond the object */
	"dma_map_page: usb dir=FROM_DEVICE dma_addr=ffff2300 size=512 phys_addr=42300 attrs=",
	/* an entry in the cache object, one in a page of no object */
	"dma_map_sg: usb dir=FROM_DEVICE nents=2/2 ents=2/2 dma_addrs={0xfffe0020,0xfffe1000} sizes={0x20,0x1000} phys_addrs={0x43020,0x50000} attrs=",
	"dma_sync_single_for_cpu: usb dir=FROM_DEVICE dma_addr=ffff0000 size=8",
	"dma_sync_single_for_device: usb dir=FROM_DEVICE dma_addr=ffff0000 size=8",
	"dma_sync_sg_for_cpu: usb dir=FROM_DEVICE dma_addrs={0xfffe0020,0xfffe1000} sizes={0x20,0x1000}",
	"dma_sync_sg_for_device: usb dir=FROM_DEVICE dma_addrs={0xfffe0020,0xfffe1000} sizes={0x20,0x1000}",
	"dma_unmap_page: usb dir=FROM_DEVICE dma_addr=ffff0000 size=8 attrs=",
	"dma_unmap_phys: usb dir=TO_DEVICE dma_addr=ffff1010 size=64 attrs=SKIP_CPU_SYNC",
	"dma_unmap_page: usb dir=FROM_DEVICE dma_addr=ffff2300 size=512 attrs=",
	"dma_unmap_sg: usb dir=FROM_DEVICE phys_addrs={0x43020,0x50000} attrs=",
	"dma_unmap_page: usb dir=FROM_DEVICE dma_addr=deadbeef size=8 attrs=",
	"swiotlb_bounced: dev_name: usb dma_mask=ffffffffffffffff dev_addr=41000 size=8 NORMAL",
	"dma_free: smmu dir=BIDIRECTIONAL dma_addr=100000 size=4096 virt_addr=ffff0000c0100000 attrs=",
	/* a direct device: a page of no object, never unmapped */
	"dma_map_page: blk dir=FROM_DEVICE dma_addr=60000 size=16 phys_addr=60000 attrs=",
	/* a map as kernels before 6.12 print it: no physical address */
	"dma_map_page: blk dir=TO_DEVICE dma_addr=61000 size=16 attrs=",
	/* the kmalloc-8 object freed: its memory is no object's any more */
	"kfree: call_site=f+0x3/0x4 ptr=ffff0000c0041000",
	"dma_map_page: blk dir=TO_DEVICE dma_addr=41000 size=8 phys_addr=41000 attrs=",
	"dma_unmap_page: blk dir=TO_DEVICE dma_addr=41000 size=8 attrs=",
};

static void test_small_placing(void **state)
{
	struct trace_stream s;
	const struct trace_dma *d;
	const struct trace_dma_seg *g;

	(void)state;
	READ(&s, small, 1);
	d = s.dma;
	assert_int_equal(s.counts.bad, 0);
	assert_int_equal(s.nr, 4); /* the slab events are the same stream */
	assert_int_equal(d->linear_offset[0], 0xffff0000c0000000ull);
	assert_int_equal(d->c.segs_mapped, 8);
	assert_int_equal(d->c.placed[TDMA_IN_KMALLOC], 2);
	assert_int_equal(d->c.placed[TDMA_IN_CACHE], 1);
	assert_int_equal(d->c.placed[TDMA_OUTSIDE], 3);
	assert_int_equal(d->c.placed[TDMA_STRADDLES], 1);
	assert_int_equal(d->c.placed[TDMA_NO_PHYS], 1);
	g = &d->seg[d->ev[1].first_seg];
	assert_int_equal(g->place, TDMA_IN_KMALLOC);
	assert_int_equal(g->off, 0);
	g = &d->seg[d->ev[2].first_seg];
	assert_int_equal(g->place, TDMA_IN_KMALLOC);
	assert_int_equal(g->off, 16);
	assert_int_equal(d->seg[d->ev[3].first_seg].place, TDMA_STRADDLES);
	g = &d->seg[d->ev[4].first_seg];
	assert_int_equal(g[0].place, TDMA_IN_CACHE);
	assert_int_equal(g[0].off, 0x20);
	assert_int_equal(g[1].place, TDMA_OUTSIDE);
	assert_int_equal(d->seg[d->ev[17].first_seg].place, TDMA_NO_PHYS);
	/* after the kfree */
	assert_int_equal(d->seg[d->ev[18].first_seg].place, TDMA_OUTSIDE);
	/* pairing (1 + the map's index): every undo found its map, but
	 * the one of deadbeef */
	assert_int_equal(d->ev[9].pair, 2);
	assert_int_equal(d->ev[12].pair, 5);
	assert_int_equal(d->ev[7].pair, 5); /* sg sync by dma_addrs */
	assert_int_equal(d->ev[5].pair, 2);
	assert_int_equal(d->ev[15].pair, 1);
	assert_int_equal(d->ev[13].pair, 0);
	assert_int_equal(d->ev[19].pair, 19);
	assert_int_equal(d->c.unpaired, 1);
	assert_int_equal(d->c.live_at_end, 2); /* blk's two maps */
	assert_true(d->dev[d->ev[1].dev].iommu);
	assert_false(d->dev[d->ev[16].dev].iommu);
	assert_true(d->dev[d->ev[1].dev].noncoherent);
	assert_false(d->dev[d->ev[16].dev].noncoherent);
	trace_stream_free(&s);
}

static void replay_small(const char *policy, enum replay_dma_coherent c,
			 struct replay_result *r)
{
	struct replay_dma_opts dopts = { .coherent = c };
	struct replay_opts o = { .dma = &dopts };
	struct trace_stream s;

	READ(&s, small, 1);
	replay_run(&s, replay_builtin_policy(policy), &o, r);
	assert_true(r->ok);
	assert_non_null(r->dma);
	assert_true(r->dma->ok);
	assert_false(kslab_booted());
	trace_stream_free(&s);
}

static void test_small_replay(void **state)
{
	struct replay_result r;
	const struct replay_dma_result *d;

	(void)state;
	/* arm64 6.5+: usb is non-coherent as traced (it syncs) */
	replay_small("arm64", REPLAY_DMA_AS_TRACED, &r);
	d = r.dma;
	assert_int_equal(d->maps, 7);
	assert_int_equal(d->segs_obj, 3);
	assert_int_equal(d->segs_pages, 3);
	assert_int_equal(d->segs_skipped, 2); /* straddling, no phys */
	assert_int_equal(d->map_failures, 0);
	assert_int_equal(d->unmaps, 4);
	assert_int_equal(d->syncs, 4);
	assert_int_equal(d->allocs, 1);
	assert_int_equal(d->frees, 1);
	assert_int_equal(d->unpaired, 1);
	assert_int_equal(d->traced_bounces, 1);
	/* the 8 bytes from the device in kmalloc-8 and the 32 in the
	 * cache object bounce (dev_use_swiotlb: small, not granule-aligned);
	 * the TO_DEVICE map and whole pages do not */
	assert_int_equal(d->bounces, 2);
	assert_int_equal(d->bounces_obj, 2);
	assert_true(d->peak_slots >= 1);
	assert_int_equal(d->full_failures, 0);
	assert_true(d->smallest_pool_slots >= d->peak_slots);
	assert_int_equal(d->smallest_pool_slots & (d->smallest_pool_slots - 1),
			 0);
	assert_int_equal(d->cache_line, 64);
	/* the 8 bytes in a kmalloc-8 slot: 56 bytes of other slots */
	assert_true(d->at_risk >= 1);
	assert_true(d->at_risk_bytes >= 56);
	assert_int_equal(d->nr_devs, 3);
	assert_string_equal(d->devs[1].name, "usb");
	assert_true(d->devs[1].iommu_modelled);
	assert_false(d->devs[1].coherent);
	assert_true(d->devs[2].coherent);
	replay_result_free(&r);

	/* coherent devices: nothing bounces */
	replay_small("arm64", REPLAY_DMA_COHERENT, &r);
	assert_int_equal(r.dma->bounces, 0);
	assert_int_equal(r.dma->peak_slots, 0);
	assert_int_equal(r.dma->smallest_pool_slots, 0);
	assert_true(r.dma->at_risk >= 1); /* what if: the same objects */
	replay_result_free(&r);

	/* x86_64: every device coherent, no cache line to share */
	replay_small("x86_64", REPLAY_DMA_NONCOHERENT, &r);
	assert_int_equal(r.dma->bounces, 0);
	assert_int_equal(r.dma->cache_line, 1);
	assert_int_equal(r.dma->at_risk, 0);
	replay_result_free(&r);
}

/*
 * More bounces live at once than a pool holds: n maps of 8 bytes from a
 * non-coherent IOMMU device, none unmapped, on a pool of 256 slots (the
 * smallest for 2 CPUs' areas); each IOMMU bounce takes a 4 KiB granule,
 * 2 slots, so 128 fit and the rest overflow.
 */
static void replay_many(unsigned int n, struct replay_result *r)
{
	const struct replay_policy pol = {
		"tiny", "arch=arm64 memmap=1G@1G swiotlb=256"
	};
	struct replay_dma_opts dopts = { .coherent = REPLAY_DMA_NONCOHERENT };
	struct replay_opts o = { .dma = &dopts };
	struct trace_stream s;
	char line[512];

	trace_stream_init(&s);
	assert_int_equal(trace_stream_want_dma(&s), 0);
	add_lines(&s, small, 1); /* the dma_alloc: the linear map */
	for (unsigned int i = 0; i < n; i++) {
		snprintf(line, sizeof(line),
			 PFX
			 "kmalloc: call_site=f+0x1/0x2 ptr=%llx bytes_req=8 "
			 "bytes_alloc=8 gfp_flags=GFP_KERNEL node=-1 "
			 "accounted=false",
			 0xffff0000c0200000ull + i * 0x40);
		trace_stream_add_line(&s, line, strlen(line), 2 * i + 2);
		snprintf(line, sizeof(line),
			 PFX "dma_map_page: usb dir=FROM_DEVICE dma_addr=%x "
			     "size=8 phys_addr=%x attrs=",
			 0xf0000000u + i * 0x1000, 0x200000u + i * 0x40);
		trace_stream_add_line(&s, line, strlen(line), 2 * i + 3);
	}
	trace_stream_finish(&s);
	assert_int_equal(s.dma->c.placed[TDMA_IN_KMALLOC], n);
	replay_run(&s, &pol, &o, r);
	assert_true(r->ok);
	assert_true(r->dma->ok);
	trace_stream_free(&s);
}

static void test_pool_overflow(void **state)
{
	struct replay_result r;

	(void)state;
	replay_many(100, &r);
	assert_int_equal(r.dma->pool_slots, 256);
	assert_int_equal(r.dma->bounces, 100);
	assert_int_equal(r.dma->peak_slots, 200);
	assert_int_equal(r.dma->full_failures, 0);
	assert_int_equal(r.dma->map_failures, 0);
	assert_int_equal(r.dma->smallest_pool_slots, 256);
	replay_result_free(&r);
	replay_many(140, &r); /* 12 x "swiotlb buffer is full" on stderr */
	assert_int_equal(r.dma->bounces, 128);
	assert_int_equal(r.dma->peak_slots, 256);
	assert_int_equal(r.dma->full_failures, 12);
	assert_int_equal(r.dma->map_failures, 12);
	assert_int_equal(r.dma->smallest_pool_slots, 0); /* not known */
	replay_result_free(&r);
}

/* ---- the shipped trace ------------------------------------------------------ */

static void test_shipped_trace(void **state)
{
	struct trace_stream s;
	const struct trace_dma *d;
	char err[256];
	uint64_t page_in_kmalloc = 0, sg_in_kmalloc = 0;

	(void)state;
	trace_stream_init(&s);
	assert_int_equal(trace_stream_want_dma(&s), 0);
	assert_int_equal(
		trace_stream_read(&s, DMATRACE, NULL, err, sizeof(err)), 0);
	trace_stream_finish(&s);
	d = s.dma;
	/* grep -c of each event in the trace */
	assert_int_equal(d->c.bad, 0);
	assert_int_equal(s.counts.bad, 0);
	assert_int_equal(d->c.ev[TDMA_MAP], 1755);
	assert_int_equal(d->c.ev[TDMA_UNMAP], 1755);
	assert_int_equal(d->c.ev[TDMA_MAP_SG], 369);
	assert_int_equal(d->c.ev[TDMA_UNMAP_SG], 369);
	assert_int_equal(d->c.ev[TDMA_ALLOC], 22);
	assert_int_equal(d->c.ev[TDMA_SYNC_CPU] + d->c.ev[TDMA_SYNC_DEV] +
				 d->c.ev[TDMA_SYNC_SG_CPU] +
				 d->c.ev[TDMA_SYNC_SG_DEV] +
				 d->c.ev[TDMA_FREE] + d->c.ev[TDMA_BOUNCED],
			 0);
	/* the smmu's own dma_alloc gives the linear map */
	assert_int_equal(d->linear_offset[0], 0xffff077a80000000ull);
	/* placed by a script over the trace's lines */
	for (size_t i = 0; i < d->nr; i++) {
		const struct trace_dma_event *e = &d->ev[i];

		for (uint32_t k = 0; k < e->nr_segs; k++)
			if (d->seg[e->first_seg + k].place == TDMA_IN_KMALLOC)
				*(e->type == TDMA_MAP ? &page_in_kmalloc :
							&sg_in_kmalloc) += 1;
	}
	assert_int_equal(page_in_kmalloc, 387);
	assert_int_equal(sg_in_kmalloc, 2);
	assert_int_equal(d->c.placed[TDMA_IN_CACHE], 1);
	assert_int_equal(d->c.placed[TDMA_OUTSIDE], 1368 + 513);
	assert_int_equal(d->c.placed[TDMA_STRADDLES], 0);
	/* every unmap found its map; the 22 coherent buffers stay */
	assert_int_equal(d->c.unpaired, 0);
	assert_int_equal(d->c.live_at_end, 22);
	/* the xHCI and virtio-blk are behind the SMMU, the SMMU is not */
	for (uint32_t id = 1; id <= d->devs.nr; id++) {
		const char *n = trace_dma_dev_name(d, id);

		assert_int_equal(d->dev[id].iommu, strncmp(n, "0000:", 5) == 0);
		assert_false(d->dev[id].noncoherent);
	}
	trace_stream_free(&s);
}

/* a number of a policy's entry in "dma.policies" */
static double policy_num(const char *json, int i, const char *key)
{
	static const char *const names[] = { "x86_64", "arm64-legacy",
					     "arm64" };
	char path[128];

	snprintf(path, sizeof(path), "dma.policies.%s.%s", names[i], key);
	return json_number_at(json, path);
}

static void test_command(void **state)
{
	int status;
	char *out;

	(void)state;
	/* as traced: coherent PCIe, nothing bounces */
	out = run_replay("--dma --policy x86_64,arm64 --format json " DMATRACE
			 " 2>/dev/null",
			 &status);
	assert_int_equal(status, 0);
	assert_int_equal(json_check(out), 0);
	assert_true(json_number_at(out, "dma.events.dma_map_page") == 1755);
	assert_true(json_number_at(out, "dma.segments.kmalloc") == 389);
	for (int i = 0; i < 3; i += 2) {
		assert_true(policy_num(out, i, "maps") == 1755 + 369);
		assert_true(policy_num(out, i, "segments_in_objects") == 390);
		assert_true(policy_num(out, i, "bounces") == 0);
		assert_true(policy_num(out, i, "map_failures") == 0);
	}
	free(out);
	/* non-coherent: under arm64 6.5+ small maps from the device bounce */
	out = run_replay(
		"--dma --dma-coherent no --policy x86_64,arm64-legacy,arm64 "
		"--format json " DMATRACE " 2>/dev/null",
		&status);
	assert_int_equal(status, 0);
	assert_int_equal(json_check(out), 0);
	printf("non-coherent arm64: %g bounces (%g of objects), %g bytes, "
	       "peak %g slots, smallest pool %g, at risk %g\n",
	       policy_num(out, 2, "bounces"),
	       policy_num(out, 2, "bounces_of_objects"),
	       policy_num(out, 2, "bounced_bytes"),
	       policy_num(out, 2, "peak_slots"),
	       policy_num(out, 2, "smallest_pool_slots"),
	       policy_num(out, 2, "at_risk"));
	assert_true(policy_num(out, 0, "bounces") == 0);
	assert_true(policy_num(out, 1, "bounces") == 0); /* before 6.5 */
	assert_true(policy_num(out, 2, "bounces") == 377);
	assert_true(policy_num(out, 2, "bounces_of_objects") == 6);
	assert_true(policy_num(out, 2, "peak_slots") > 0);
	assert_true(policy_num(out, 2, "pool_overflows") == 0);
	assert_true(policy_num(out, 2, "smallest_pool_slots") >=
		    policy_num(out, 2, "peak_slots"));
	/* with the 8-byte minimum, 4 small buffers the xHCI reads into share
	 * their cache lines with other slots; with 128 none does */
	assert_true(policy_num(out, 1, "at_risk") == 0);
	assert_true(policy_num(out, 2, "at_risk") == 4);
	assert_true(policy_num(out, 0, "at_risk") == 0); /* no cache line */
	free(out);
	/* the table names the devices */
	out = run_replay("--dma --policy arm64 " DMATRACE " 2>/dev/null",
			 &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "device 0000:00:02.0: behind an IOMMU"));
	assert_non_null(
		strstr(out, "linear map offset (file 0): 0xffff077a80000000"));
	free(out);
	/* without --dma: no dma report, dma lines skipped as before */
	out = run_replay("--policy arm64 --format json " DMATRACE, &status);
	assert_int_equal(status, 0);
	assert_null(strstr(out, "\"dma\""));
	assert_true(json_number_at(out, "events.skipped") >=
		    2 * 1755 + 2 * 369 + 22);
	assert_true(json_number_at(out, "events.bad") == 0);
	free(out);
	/* a trace without dma events: the slab replay as ever, a note */
	out = run_replay("--dma --policy arm64 " KSLAB_DATADIR
			 "/traces/arm64-6.12.117-2G/trace.xz 2>&1",
			 &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "dma events: none in the trace"));
	assert_non_null(strstr(out, "arm64"));
	free(out);
	out = run_replay("--dma-coherent maybe " DMATRACE " 2>&1", &status);
	assert_int_equal(status, 2);
	assert_non_null(strstr(out, "--dma-coherent yes, no or traced"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_each),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncated_lines),
		cmocka_unit_test(test_small_placing),
		cmocka_unit_test(test_small_replay),
		cmocka_unit_test(test_pool_overflow),
		cmocka_unit_test(test_shipped_trace),
		cmocka_unit_test(test_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
