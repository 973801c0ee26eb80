// SPDX-License-Identifier: MIT
/*
 * The boot-time half of swiotlb: the `swiotlb=` parameter, whether a
 * bounce buffer is set aside at all, its size and number of areas,
 * decided as the 6.18 kernel decides them (kernel/dma/swiotlb.c,
 * arch/arm64/mm/init.c mem_init(), arch/x86/kernel/pci-dma.c).
 *
 *   swiotlb=[NSLABS][,NAREAS][,force|noforce]      (setup_io_tlb_npages)
 *
 *   NSLABS    rounded up to whole segments (128 slots)
 *   NAREAS    rounded up to a power of two (0: 1); the slot count then
 *             becomes at least 128 per area and a power of two
 *   noforce   no bounce buffer at all
 *   force     a buffer, and every mapping bounces
 *   default   x86_64: a buffer only when RAM reaches above 4 GiB (a size
 *                     given alone does not make one: swiotlb_init(false))
 *             arm64:  always a buffer (CONFIG_DMA_BOUNCE_UNALIGNED_KMALLOC);
 *                     when no RAM is beyond the DMA zone, 1 MiB per GiB of
 *                     RAM (at most the default 64 MiB), as
 *                     swiotlb_adjust_size() sizes it
 *             arm64 before 6.5 (kslab.kernel=6.1): a buffer only when
 *                     RAM lies beyond the DMA zone (mem_init():
 *                     max_pfn > arm64_dma_phys_limit), the full 64 MiB
 *
 * Areas, when swiotlb= gives none: the CPUs rounded up to a power of two
 * (swiotlb_adjust_nareas(num_possible_cpus())), which rounds the slot
 * count as above. The buffer must fit below the DMA limit (arm64: the end
 * of ZONE_DMA, x86_64: 4 GiB); the size is halved, to whole segments,
 * until it does, with fewer areas when the slots no longer fill them
 * (limit_nareas); below 1 MiB there is no buffer, and is_swiotlb_allocated()
 * is false: the kmalloc minimum is then dma_get_cache_alignment().
 *
 * Whether the buffer exists is what the kmalloc layer reads at boot
 * (__kmalloc_minalign: is_swiotlb_allocated()); the DMA layer owns the
 * buffer itself.
 */
#include <errno.h>
#include <string.h>
#include "mm/mm_internal.h"

#define IO_TLB_SHIFT 11
#define IO_TLB_SEGSIZE 128
#define IO_TLB_DEFAULT_SIZE (64UL << 20)
#define IO_TLB_DEFAULT_SLABS (IO_TLB_DEFAULT_SIZE >> IO_TLB_SHIFT)
#define IO_TLB_MIN_SLABS ((1UL << 20) >> IO_TLB_SHIFT)

static struct {
	unsigned long nslabs; /* 0: default */
	unsigned int nareas;
	bool has_nareas; /* swiotlb=,N given */
	int force;	 /* -1 noforce, 0 default, 1 force */
} ksl_swiotlb_cfg;

void ksl_swiotlb_config_reset(void)
{
	memset(&ksl_swiotlb_cfg, 0, sizeof(ksl_swiotlb_cfg));
}

static int parse_num(const char **p, unsigned long long *out)
{
	const char *s = *p, *e;

	if (*s < '0' || *s > '9')
		return 0;
	if (ksl_memparse(s, out, &e) || e == s)
		return -EINVAL;
	*p = e;
	return 1;
}

int ksl_swiotlb_set_param(const char *name, const char *val)
{
	unsigned long long n;
	const char *p = val;
	int got;

	if (!val || !*val)
		return ksl_param_invalid(name, val, "a value is required");
	got = parse_num(&p, &n);
	if (got < 0)
		return ksl_param_invalid(name, val,
					 "malformed number of slabs");
	if (got) {
		if (!n)
			return ksl_param_invalid(name, val, "zero slabs");
		/* rounded up to whole segments, as the kernel does */
		ksl_swiotlb_cfg.nslabs =
			KSL_ALIGN(n, (unsigned long long)IO_TLB_SEGSIZE);
	}
	if (*p == ',') {
		p++;
		got = parse_num(&p, &n);
		if (got < 0)
			return ksl_param_invalid(name, val,
						 "malformed number of areas");
		if (got) {
			ksl_swiotlb_cfg.nareas =
				(unsigned int)ksl_min(n, 1ULL << 20);
			ksl_swiotlb_cfg.has_nareas = true;
		}
		if (*p == ',')
			p++;
	}
	if (!strcmp(p, "force"))
		ksl_swiotlb_cfg.force = 1;
	else if (!strcmp(p, "noforce"))
		ksl_swiotlb_cfg.force = -1;
	else if (*p)
		return ksl_param_invalid(
			name, val,
			"expected [NSLABS][,NAREAS][,force|noforce]");
	return 0;
}

static unsigned long roundup_pow2(unsigned long n)
{
	return n <= 1 ? 1 : 1UL << ksl_fls64(n - 1);
}

/* the kernel's default_nslabs / default_nareas while they are decided */
struct tlb_default {
	unsigned long nslabs;
	unsigned int nareas; /* 0: not decided yet */
};

/* round_up_default_nslabs(): at least a segment per area, a power of 2 */
static void round_up_nslabs(struct tlb_default *d)
{
	if (!d->nareas)
		return;
	if (d->nslabs < (unsigned long)IO_TLB_SEGSIZE * d->nareas)
		d->nslabs = (unsigned long)IO_TLB_SEGSIZE * d->nareas;
	else if (!(d->nslabs & (d->nslabs - 1)))
		return;
	d->nslabs = roundup_pow2(d->nslabs);
}

/* swiotlb_adjust_nareas() */
static void adjust_nareas(struct tlb_default *d, unsigned int nareas)
{
	d->nareas = (unsigned int)roundup_pow2(nareas ? nareas : 1);
	round_up_nslabs(d);
}

/* swiotlb_adjust_size(): only when swiotlb= left the size alone */
static void adjust_size(struct tlb_default *d, unsigned long bytes)
{
	if (d->nslabs != IO_TLB_DEFAULT_SLABS)
		return;
	bytes = KSL_ALIGN(bytes, 1UL << IO_TLB_SHIFT);
	d->nslabs =
		KSL_ALIGN(bytes >> IO_TLB_SHIFT, (unsigned long)IO_TLB_SEGSIZE);
	round_up_nslabs(d);
}

/* limit_nareas(): no more areas than whole segments */
static unsigned int limit_nareas(unsigned int nareas, unsigned long nslabs)
{
	if (nslabs < (unsigned long)nareas * IO_TLB_SEGSIZE)
		return (unsigned int)(nslabs / IO_TLB_SEGSIZE);
	return nareas;
}

static unsigned long ram_bytes(void)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < ksl_mm.nr_ram; i++)
		n += ksl_mm.ram[i].end - ksl_mm.ram[i].start;
	return n;
}

/*
 * The memory the buffer may come from: below the DMA limit. kslab takes
 * the pool from the page allocator (at the first bounce), which leaves
 * each zone its high watermark, where the kernel takes it from memblock.
 */
static unsigned long low_bytes(void)
{
	int top = ksl_mm.arch->has_zone_dma_bits ? ZONE_DMA : ZONE_DMA32;
	unsigned long pages = 0;

	for (int i = 0; i <= top; i++) {
		const struct zone *z = &ksl_mm.zones[i];

		if (z->managed_pages > z->watermark[WMARK_HIGH])
			pages += z->managed_pages - z->watermark[WMARK_HIGH];
	}
	return pages << ksl_mm.page_shift;
}

/* the arch's call: does it want a buffer, and how big (mem_init) */
static bool arch_wants(struct tlb_default *d)
{
	bool beyond_dma = ksl_mm.phys_end > ksl_mm.zone_limit[ZONE_DMA32] ||
			  (ksl_mm.arch->has_zone_dma_bits &&
			   ksl_mm.phys_end > ksl_mm.zone_limit[ZONE_DMA]);

	if (!ksl_mm.arch->has_zone_dma_bits)
		return ksl_mm.phys_end > (4ULL << 30);
	if (ksl_kernel_before(6, 5)) /* no kmalloc bouncing yet */
		return beyond_dma;
	if (!beyond_dma)
		adjust_size(d, ksl_min(d->nslabs << IO_TLB_SHIFT,
				       (ram_bytes() + 1023) / 1024));
	return true;
}

/* Called at the end of the memory layer's boot: size the buffer. */
void ksl_swiotlb_decide(void)
{
	struct tlb_default d = {
		.nslabs = ksl_swiotlb_cfg.nslabs ? ksl_swiotlb_cfg.nslabs :
						   IO_TLB_DEFAULT_SLABS,
	};
	unsigned long nslabs, low = low_bytes();
	unsigned int nareas;
	bool want;

	if (ksl_swiotlb_cfg.has_nareas)
		adjust_nareas(&d, ksl_swiotlb_cfg.nareas);
	want = arch_wants(&d) || ksl_swiotlb_cfg.force > 0;
	if (ksl_swiotlb_cfg.force < 0)
		want = false;
	ksl_mm.swiotlb_force = ksl_swiotlb_cfg.force > 0;
	ksl_mm.swiotlb_allocated = false;
	ksl_mm.swiotlb_failed = false;
	ksl_mm.swiotlb_nslabs = ksl_mm.swiotlb_default_nslabs = 0;
	ksl_mm.swiotlb_nareas = 0;
	if (!want)
		return;
	if (!d.nareas)
		adjust_nareas(&d, ksl_mm.nr_cpus);
	nslabs = d.nslabs;
	nareas = limit_nareas(d.nareas, nslabs);
	while ((nslabs << IO_TLB_SHIFT) > low) {
		if (nslabs <= IO_TLB_MIN_SLABS) {
			ksl_printk(
				"software IO TLB: no bounce buffer: %lu KiB below the DMA limit cannot hold %lu KiB",
				low >> 10, (nslabs << IO_TLB_SHIFT) >> 10);
			ksl_mm.swiotlb_failed = true;
			return;
		}
		nslabs = KSL_ALIGN(nslabs >> 1, (unsigned long)IO_TLB_SEGSIZE);
		nareas = limit_nareas(nareas, nslabs);
	}
	if (nslabs != d.nslabs)
		ksl_printk(
			"software IO TLB: SWIOTLB bounce buffer size adjusted %lu -> %lu slabs",
			d.nslabs, nslabs);
	ksl_mm.swiotlb_allocated = true;
	ksl_mm.swiotlb_default_nslabs = d.nslabs;
	ksl_mm.swiotlb_nslabs = nslabs;
	ksl_mm.swiotlb_nareas = nareas;
}
