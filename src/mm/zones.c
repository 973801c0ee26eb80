// SPDX-License-Identifier: MIT
/*
 * Zones: where each begins and ends, what it holds, and the numbers that
 * govern allocation from it, computed as Linux 6.18 computes them at boot.
 *
 *   limits       x86_64: DMA < 16 MiB, DMA32 < 4 GiB (MAX_DMA_PFN...)
 *                arm64:  DMA < min(firmware limit, 4 GiB if RAM starts
 *                        below it), DMA32 < 4 GiB, clipped to the RAM end
 *                        (arm64 zone_sizes_init / max_zone_phys)
 *   spans        zone i covers [end of zone i-1, max(limit i, that)),
 *                clamped to the node's RAM (free_area_init)
 *   min_free_kbytes  int_sqrt(16 * lowmem KiB), clamped to 128..262144,
 *                raised by khugepaged's recommendation when THP is on
 *   watermarks   min = share of min_free_kbytes by managed pages;
 *                low/high/promo = +max(min/4, managed * 10/10000) each
 *   lowmem_reserve[j] = managed pages of zones i+1..j / ratio[i]
 *                with ratios 256 256 32 0 0
 *   pcp          batch, high_min, high_max (zone_batchsize, zone_highsize)
 *
 * All of it is checked against the reference machine's /proc/zoneinfo.
 */
#include <errno.h>
#include <string.h>
#include "mm/mm_internal.h"

static const char *const ksl_zone_names[MAX_NR_ZONES] = { "DMA", "DMA32",
							  "Normal", "Movable",
							  "Device" };
static const unsigned int ksl_lowmem_reserve_ratio[MAX_NR_ZONES] = { 256, 256,
								     32, 0, 0 };
#define WATERMARK_SCALE_FACTOR 10
#define MIGRATE_PCPTYPES 3
#define SWAP_CLUSTER_MAX 32UL

static void arch_zone_limits(unsigned long max_zone_pfn[MAX_NR_ZONES])
{
	unsigned int shift = ksl_mm.page_shift;
	phys_addr_t dram_start = ksl_mm.ram[0].start;
	phys_addr_t dram_last = ksl_mm.phys_end - 1;
	const phys_addr_t u32_max = 0xffffffffULL;

	memset(max_zone_pfn, 0, sizeof(unsigned long) * MAX_NR_ZONES);
	if (!ksl_mm.arch->has_zone_dma_bits) {
		max_zone_pfn[ZONE_DMA] = (16ULL << 20) >> shift;
		max_zone_pfn[ZONE_DMA32] = (4ULL << 30) >> shift;
	} else {
		phys_addr_t dma_limit =
			ksl_mm_cfg.zone_dma_bits >= 0 &&
					ksl_mm_cfg.zone_dma_bits < 64 ?
				(1ULL << ksl_mm_cfg.zone_dma_bits) - 1 :
				~0ULL;

		if (dram_start < u32_max)
			dma_limit = ksl_min(dma_limit, u32_max);
		max_zone_pfn[ZONE_DMA] = (ksl_min(dma_limit, dram_last) + 1) >>
					 shift;
		max_zone_pfn[ZONE_DMA32] = (ksl_min(u32_max, dram_last) + 1) >>
					   shift;
	}
	max_zone_pfn[ZONE_NORMAL] = ksl_mm.max_pfn;
}

static unsigned long ram_pages_in(unsigned long start, unsigned long end,
				  const struct ksl_range *r, unsigned int n)
{
	unsigned long pages = 0;

	for (unsigned int i = 0; i < n; i++) {
		unsigned long s = r[i].start >> ksl_mm.page_shift;
		unsigned long e = r[i].end >> ksl_mm.page_shift;

		s = ksl_max(s, start);
		e = ksl_min(e, end);
		if (e > s)
			pages += e - s;
	}
	return pages;
}

static void zone_spans(void)
{
	unsigned long max_zone_pfn[MAX_NR_ZONES];
	unsigned long node_start = ksl_mm.ram[0].start >> ksl_mm.page_shift;
	unsigned long node_end = ksl_mm.max_pfn, start = node_start;

	arch_zone_limits(max_zone_pfn);
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &ksl_mm.zones[i];
		unsigned long end, lo, hi;

		z->name = ksl_zone_names[i];
		z->idx = i;
		if (i == ZONE_MOVABLE || i == ZONE_DEVICE)
			continue; /* no movablecore=, no device memory */
		end = ksl_max(max_zone_pfn[i], start);
		lo = ksl_min(ksl_max(node_start, start), end);
		hi = ksl_min(ksl_max(node_end, start), end);
		z->zone_start_pfn = lo;
		z->spanned_pages = hi - lo;
		z->present_pages =
			ram_pages_in(lo, hi, ksl_mm.ram, ksl_mm.nr_ram);
		z->managed_pages =
			z->present_pages - ram_pages_in(lo, hi, ksl_mm.reserved,
							ksl_mm.nr_reserved);
		ksl_mm.zone_limit[i] = (phys_addr_t)end << ksl_mm.page_shift;
		start = end;
	}
}

/* ---- the free memory of a zone at boot -------------------------------- */

static void add_free_block(struct zone *z, unsigned long pfn,
			   unsigned int order)
{
	ksl_free_one_locked(z, ksl_pfn_to_page(pfn), pfn, order);
	atomic_fetch_add(&z->free_pages, 1L << order);
}

/*
 * Free [start, end) the way memblock_free_all() does: the largest
 * naturally aligned blocks. The run of max-order blocks in the middle
 * stays pristine; only the odd blocks at the edges get struct pages.
 */
static void free_range(struct zone *z, unsigned long start, unsigned long end)
{
	unsigned int max = ksl_mm.max_order;
	unsigned long mask = (1UL << max) - 1;
	unsigned long run_start = (start + mask) & ~mask;
	unsigned long run_end = end & ~mask;

	if (run_start >= run_end)
		run_start = run_end = end;
	while (start < run_start) {
		unsigned int order =
			start ? (unsigned int)__builtin_ctzl(start) : max;

		order = ksl_min(order, max);
		while (start + (1UL << order) > run_start)
			order--;
		add_free_block(z, start, order);
		start += 1UL << order;
	}
	if (run_end > run_start) {
		z->pristine[z->nr_pristine++] =
			(struct ksl_pristine){ run_start, run_end };
		ksl_area_add(&z->free_area[max], (run_end - run_start) >> max);
		atomic_fetch_add(&z->free_pages, run_end - run_start);
		start = run_end;
	}
	while (start < end) {
		unsigned int order =
			ksl_min((unsigned int)__builtin_ctzl(start), max);

		while (start + (1UL << order) > end)
			order--;
		add_free_block(z, start, order);
		start += 1UL << order;
	}
}

/* The zone's RAM minus reservations, cut into free ranges. */
static void zone_free_memory(struct zone *z)
{
	unsigned int shift = ksl_mm.page_shift;

	for (unsigned int i = 0; i < ksl_mm.nr_ram; i++) {
		unsigned long s = ksl_max(ksl_mm.ram[i].start >> shift,
					  z->zone_start_pfn);
		unsigned long e =
			ksl_min(ksl_mm.ram[i].end >> shift, zone_end_pfn(z));

		for (unsigned int r = 0; r < ksl_mm.nr_reserved && s < e; r++) {
			unsigned long rs = ksl_mm.reserved[r].start >> shift;
			unsigned long re = ksl_mm.reserved[r].end >> shift;

			if (rs <= s && re > s)
				s = ksl_min(re, e);
			else if (rs > s && rs < e)
				e = rs; /* reservations only cut range tails here */
		}
		if (e > s)
			free_range(z, s, e);
	}
}

/* ---- watermarks and reserves ---------------------------------------------- */

static unsigned long lowmem_pages(void)
{
	unsigned long n = 0;

	for (int i = 0; i <= ZONE_NORMAL; i++)
		n += ksl_mm.zones[i].managed_pages;
	return n;
}

/* nr_free_buffer_pages(): managed pages above the high watermark */
static unsigned long free_buffer_pages(void)
{
	unsigned long n = 0;

	for (int i = 0; i <= ZONE_NORMAL; i++) {
		const struct zone *z = &ksl_mm.zones[i];

		if (z->managed_pages > z->watermark[WMARK_HIGH])
			n += z->managed_pages - z->watermark[WMARK_HIGH];
	}
	return n;
}

static void setup_per_zone_wmarks(void)
{
	unsigned long pages_min = ksl_mm.min_free_kbytes >>
				  (ksl_mm.page_shift - 10);
	unsigned long lowmem = lowmem_pages();

	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &ksl_mm.zones[i];
		unsigned long tmp =
			lowmem ? pages_min * z->managed_pages / lowmem : 0;

		if (i == ZONE_MOVABLE) {
			unsigned long m = z->managed_pages / 1024;

			z->watermark[WMARK_MIN] =
				ksl_min(ksl_max(m, SWAP_CLUSTER_MAX), 128UL);
		} else {
			z->watermark[WMARK_MIN] = tmp;
		}
		tmp = ksl_max(tmp >> 2, z->managed_pages *
						WATERMARK_SCALE_FACTOR / 10000);
		z->watermark[WMARK_LOW] = z->watermark[WMARK_MIN] + tmp;
		z->watermark[WMARK_HIGH] = z->watermark[WMARK_LOW] + tmp;
		z->watermark[WMARK_PROMO] = z->watermark[WMARK_HIGH] + tmp;
	}
}

static void setup_lowmem_reserve(void)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &ksl_mm.zones[i];
		unsigned long upper = 0;

		z->lowmem_reserve[i] = 0;
		for (int j = i + 1; j < MAX_NR_ZONES; j++) {
			upper += ksl_mm.zones[j].managed_pages;
			z->lowmem_reserve[j] =
				(!ksl_lowmem_reserve_ratio[i] || !upper) ?
					0 :
					upper / ksl_lowmem_reserve_ratio[i];
		}
	}
}

static void calculate_totalreserve_pages(void)
{
	unsigned long total = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *z = &ksl_mm.zones[i];
		unsigned long max = 0;

		for (int j = i; j < MAX_NR_ZONES; j++)
			max = ksl_max(max, z->lowmem_reserve[j]);
		max += z->watermark[WMARK_HIGH];
		total += ksl_min(max, z->managed_pages);
	}
	ksl_mm.totalreserve_pages = total;
}

/* khugepaged's set_recommended_min_free_kbytes() */
static void thp_min_free_kbytes(void)
{
	unsigned long pb = 1UL << ksl_mm.pageblock_order, rec;
	int nr_zones = 0;

	for (int i = 0; i <= ZONE_NORMAL; i++)
		nr_zones += populated_zone(&ksl_mm.zones[i]);
	rec = pb * nr_zones * 2 +
	      pb * nr_zones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
	rec = ksl_min(rec, free_buffer_pages() / 20);
	rec <<= ksl_mm.page_shift - 10;
	if ((long)rec > ksl_mm.min_free_kbytes) {
		ksl_mm.min_free_kbytes = rec;
		setup_per_zone_wmarks();
	}
}

static unsigned int zone_batchsize(const struct zone *z)
{
	unsigned long batch = ksl_min(z->managed_pages >> 10,
				      (1UL << 20) >> ksl_mm.page_shift);

	batch /= 4;
	if (batch < 1)
		batch = 1;
	batch = ksl_rounddown_pow_of_two(batch + batch / 2) - 1;
	return ksl_max(batch, 1UL);
}

static unsigned int zone_highsize(const struct zone *z, unsigned int batch,
				  unsigned int fraction)
{
	unsigned long total = fraction ? z->managed_pages / fraction :
					 z->watermark[WMARK_LOW];
	unsigned long high = total / ksl_mm.nr_cpus;

	return ksl_max(high, (unsigned long)batch << 2);
}

static unsigned int stat_threshold(const struct zone *z)
{
	unsigned long mem = z->managed_pages >> (27 - ksl_mm.page_shift);
	unsigned int t = 2 * ksl_fls(ksl_mm.nr_cpus) * (1 + ksl_fls64(mem));

	return ksl_min(t, 125u);
}

void ksl_setup_watermarks(void)
{
	long lowmem_kb =
		(long)(free_buffer_pages() << (ksl_mm.page_shift - 10));

	ksl_mm.min_free_kbytes = ksl_min(
		ksl_max((long)ksl_int_sqrt(lowmem_kb * 16), 128L), 262144L);
	setup_per_zone_wmarks();
	setup_lowmem_reserve();
	if (ksl_mm.thp)
		thp_min_free_kbytes();
	calculate_totalreserve_pages();
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &ksl_mm.zones[i];

		z->pcp_batch = zone_batchsize(z);
		z->pcp_high_min = zone_highsize(z, z->pcp_batch, 0);
		z->pcp_high_max = zone_highsize(z, z->pcp_batch, 8);
		z->stat_threshold = stat_threshold(z);
	}
}

void ksl_zones_init(void)
{
	zone_spans();
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &ksl_mm.zones[i];

		pthread_mutex_init(&z->lock, NULL);
		if (populated_zone(z))
			zone_free_memory(z);
	}
	ksl_setup_watermarks();
}

int kslab_zone_info(enum zone_type zone, struct kslab_zone_info *out)
{
	const struct zone *z;

	ksl_ensure_booted();
	if ((unsigned int)zone >= MAX_NR_ZONES || !out)
		return -EINVAL;
	z = &ksl_mm.zones[zone];
	memset(out, 0, sizeof(*out));
	out->name = z->name;
	out->populated = populated_zone(z);
	out->start_pfn = z->zone_start_pfn;
	out->spanned_pages = z->spanned_pages;
	out->present_pages = z->present_pages;
	out->managed_pages = z->managed_pages;
	out->free_pages = atomic_load(&z->free_pages);
	out->pcp_pages = ksl_pcp_count(z);
	out->wmark_min = z->watermark[WMARK_MIN];
	out->wmark_low = z->watermark[WMARK_LOW];
	out->wmark_high = z->watermark[WMARK_HIGH];
	out->wmark_promo = z->watermark[WMARK_PROMO];
	memcpy(out->lowmem_reserve, z->lowmem_reserve,
	       sizeof(out->lowmem_reserve));
	for (unsigned int o = 0; o <= ksl_mm.max_order; o++)
		out->nr_free[o] = ksl_area_nr_free(&z->free_area[o]);
	out->pcp_batch = z->pcp_batch;
	out->pcp_high_min = z->pcp_high_min;
	out->pcp_high_max = z->pcp_high_max;
	return 0;
}
