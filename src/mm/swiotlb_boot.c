// SPDX-License-Identifier: MIT
/*
 * The boot-time half of swiotlb: the `swiotlb=` parameter and whether a
 * bounce buffer is set aside at all, decided as mem_init() decides it.
 *
 *   swiotlb=[NSLABS][,NAREAS][,force|noforce]      (setup_io_tlb_npages)
 *
 *   noforce   no bounce buffer at all
 *   force     a buffer, and every mapping bounces
 *   default   x86_64: a buffer only when RAM reaches above 4 GiB
 *             arm64:  always a buffer (CONFIG_DMA_BOUNCE_UNALIGNED_KMALLOC);
 *                     1 MiB per GiB of RAM, at most 64 MiB, when no RAM
 *                     is beyond the DMA zone; the full 64 MiB otherwise
 *             arm64 before 6.5 (kslab.kernel=6.1): a buffer only when
 *                     RAM lies beyond the DMA zone (mem_init():
 *                     max_pfn > arm64_dma_phys_limit), the full 64 MiB
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

static struct {
	unsigned long nslabs; /* 0: default */
	unsigned int nareas;
	int force; /* -1 noforce, 0 default, 1 force */
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
		if (got)
			ksl_swiotlb_cfg.nareas = (unsigned int)n;
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

/* Called at the end of the memory layer's boot: size the buffer. */
void ksl_swiotlb_decide(void)
{
	unsigned long bytes = ksl_swiotlb_cfg.nslabs << IO_TLB_SHIFT;
	bool beyond_dma = ksl_mm.phys_end > ksl_mm.zone_limit[ZONE_DMA32] ||
			  (ksl_mm.arch->has_zone_dma_bits &&
			   ksl_mm.phys_end > ksl_mm.zone_limit[ZONE_DMA]);
	bool want;

	if (ksl_swiotlb_cfg.force < 0)
		want = false;
	else if (ksl_swiotlb_cfg.force > 0 || ksl_swiotlb_cfg.nslabs)
		want = true;
	else if (ksl_mm.arch->has_zone_dma_bits)
		want = !ksl_kernel_before(6, 5) || beyond_dma;
	else
		want = ksl_mm.phys_end > (4ULL << 30);
	if (!bytes) {
		unsigned long ram = kslab_totalram_pages() << ksl_mm.page_shift;

		bytes = IO_TLB_DEFAULT_SIZE;
		if (ksl_mm.arch->has_zone_dma_bits && !beyond_dma)
			bytes = ksl_min(bytes,
					KSL_ALIGN(ram / 1024,
						  (unsigned long)IO_TLB_SEGSIZE
							  << IO_TLB_SHIFT));
	}
	ksl_mm.swiotlb_allocated = want;
	ksl_mm.swiotlb_force = ksl_swiotlb_cfg.force > 0;
	ksl_mm.swiotlb_nslabs = want ? bytes >> IO_TLB_SHIFT : 0;
	ksl_mm.swiotlb_nareas = ksl_swiotlb_cfg.nareas;
}
