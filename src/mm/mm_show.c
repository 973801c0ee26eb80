// SPDX-License-Identifier: MIT
/*
 * The memory layer's /proc views, in the kernel's own text layout
 * (mm/vmstat.c frag_show_print and zoneinfo_show_print, fs/proc/meminfo.c,
 * and the boot log's "Zone ranges" from mm/mm_init.c):
 *
 *   buddyinfo  "Node %d, zone %8s " then "%6lu " per order, populated zones
 *   zoneinfo   per-zone free/boost/min/low/high/promo/spanned/present/
 *              managed/cma/protection, then (populated zones) counters,
 *              pagesets per CPU, threshold, node_unreclaimable, start_pfn
 *   meminfo    "%-16s%8lu kB" style lines (show_val_kb)
 *   zones      the boot log's zone ranges and early memory node ranges
 */
#include <stdio.h>
#include "mm/mm_internal.h"

static unsigned long to_kb(unsigned long pages)
{
	return pages << (ksl_mm.page_shift - 10);
}

void ksl_show_buddyinfo(FILE *out)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *z = &ksl_mm.zones[i];

		if (!populated_zone(z))
			continue;
		fprintf(out, "Node %d, zone %8s ", 0, z->name);
		for (unsigned int o = 0; o <= ksl_mm.max_order; o++)
			fprintf(out, "%6lu ",
				ksl_area_nr_free(&z->free_area[o]));
		fputc('\n', out);
	}
}

/* the node counters /proc/zoneinfo lists before the first zone */
static const char *const node_stat_names[] = {
	"nr_inactive_anon",	 "nr_active_anon",   "nr_inactive_file",
	"nr_active_file",	 "nr_unevictable",   "nr_slab_reclaimable",
	"nr_slab_unreclaimable", "nr_isolated_anon", "nr_isolated_file",
};

static void show_node_stats(FILE *out)
{
	fprintf(out, "\n  per-node stats");
	for (size_t i = 0; i < ARRAY_SIZE(node_stat_names); i++) {
		long v = 0;

		if (i == 5)
			v = atomic_load(
				&ksl_mm.node_stat[KSL_NR_SLAB_RECLAIMABLE]);
		else if (i == 6)
			v = atomic_load(
				&ksl_mm.node_stat[KSL_NR_SLAB_UNRECLAIMABLE]);
		fprintf(out, "\n      %-12s %lu", node_stat_names[i], v);
	}
}

static unsigned long free_pages_in_blocks(const struct zone *z)
{
	unsigned long n = 0;

	for (unsigned int o = ksl_mm.pageblock_order; o <= ksl_mm.max_order;
	     o++)
		n += ksl_area_nr_free(&z->free_area[o]) << o;
	return n;
}

static void show_pagesets(FILE *out, const struct zone *z)
{
	fprintf(out, "\n  pagesets");
	for (unsigned int cpu = 0; cpu < ksl_mm.nr_cpus; cpu++) {
		const struct per_cpu_pages *p = &z->pcp[cpu];

		fprintf(out,
			"\n    cpu: %u"
			"\n              count:    %i"
			"\n              high:     %i"
			"\n              batch:    %i"
			"\n              high_min: %i"
			"\n              high_max: %i",
			cpu, __atomic_load_n(&p->count, __ATOMIC_RELAXED),
			p->high, p->batch, p->high_min, p->high_max);
		fprintf(out, "\n  vm stats threshold: %d", z->stat_threshold);
	}
}

static void show_zone(FILE *out, const struct zone *z, bool node_stats)
{
	unsigned long free = atomic_load(&z->free_pages);

	fprintf(out, "Node %d, zone %8s", 0, z->name);
	if (node_stats)
		show_node_stats(out);
	fprintf(out,
		"\n  pages free     %lu"
		"\n        boost    %lu"
		"\n        min      %lu"
		"\n        low      %lu"
		"\n        high     %lu"
		"\n        promo    %lu"
		"\n        spanned  %lu"
		"\n        present  %lu"
		"\n        managed  %lu"
		"\n        cma      %lu",
		free, 0UL, z->watermark[WMARK_MIN], z->watermark[WMARK_LOW],
		z->watermark[WMARK_HIGH], z->watermark[WMARK_PROMO],
		z->spanned_pages, z->present_pages, z->managed_pages, 0UL);
	fprintf(out, "\n        protection: (%ld", (long)z->lowmem_reserve[0]);
	for (int j = 1; j < MAX_NR_ZONES; j++)
		fprintf(out, ", %ld", (long)z->lowmem_reserve[j]);
	fputc(')', out);
	if (!populated_zone(z)) {
		fputc('\n', out);
		return;
	}
	fprintf(out, "\n      %-12s %lu", "nr_free_pages", free);
	fprintf(out, "\n      %-12s %lu", "nr_free_pages_blocks",
		free_pages_in_blocks(z));
	show_pagesets(out, z);
	fprintf(out,
		"\n  node_unreclaimable:  %u"
		"\n  start_pfn:           %lu\n",
		0, z->zone_start_pfn);
}

void ksl_show_zoneinfo(FILE *out)
{
	bool node_done = false;

	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *z = &ksl_mm.zones[i];

		show_zone(out, z, !node_done && populated_zone(z));
		node_done |= populated_zone(z);
	}
}

static void show_val_kb(FILE *out, const char *name, unsigned long pages)
{
	fprintf(out, "%-16s%8lu kB\n", name, to_kb(pages));
}

/* si_mem_available(): free above the reserves, plus half-reclaimable slab */
static unsigned long mem_available(unsigned long free, unsigned long sreclaim)
{
	unsigned long wmark_low = 0;
	long avail;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		wmark_low += ksl_mm.zones[i].watermark[WMARK_LOW];
	avail = (long)free - (long)ksl_mm.totalreserve_pages;
	avail += sreclaim - ksl_min(sreclaim / 2, wmark_low);
	return avail < 0 ? 0 : avail;
}

void ksl_show_meminfo(FILE *out)
{
	unsigned long free = 0;
	unsigned long srecl =
		atomic_load(&ksl_mm.node_stat[KSL_NR_SLAB_RECLAIMABLE]);
	unsigned long sunrecl =
		atomic_load(&ksl_mm.node_stat[KSL_NR_SLAB_UNRECLAIMABLE]);

	for (int i = 0; i < MAX_NR_ZONES; i++)
		free += atomic_load(&ksl_mm.zones[i].free_pages);
	show_val_kb(out, "MemTotal:", kslab_totalram_pages());
	show_val_kb(out, "MemFree:", free);
	show_val_kb(out, "MemAvailable:", mem_available(free, srecl));
	show_val_kb(out, "KReclaimable:", srecl);
	show_val_kb(out, "Slab:", srecl + sunrecl);
	show_val_kb(out, "SReclaimable:", srecl);
	show_val_kb(out, "SUnreclaim:", sunrecl);
}

/* the boot log: zone ranges, memory ranges, holes */
/*
 * Pages of a hole that still get a struct page: those in a sparsemem
 * section (128 MiB; 512 MiB with 64 KiB pages) that also holds RAM, as
 * memmap_init() marks them reserved and reports them. Holes in sections
 * without RAM have no memmap and are not counted.
 */
static unsigned long hole_pages_with_memmap(unsigned long start,
					    unsigned long end)
{
	unsigned int sec_bits =
		(ksl_mm.page_shift == 16 ? 29 : 27) - ksl_mm.page_shift;
	unsigned long n = 0;

	for (unsigned long pfn = start; pfn < end;) {
		unsigned long sec_end = ((pfn >> sec_bits) + 1) << sec_bits;
		unsigned long stop = ksl_min(sec_end, end);
		bool has_ram = false;

		for (unsigned int r = 0; r < ksl_mm.nr_ram && !has_ram; r++)
			has_ram = (ksl_mm.ram[r].start >> ksl_mm.page_shift) <
					  sec_end &&
				  (ksl_mm.ram[r].end >> ksl_mm.page_shift) >
					  ((pfn >> sec_bits) << sec_bits);
		if (has_ram)
			n += stop - pfn;
		pfn = stop;
	}
	return n;
}

void ksl_show_zones(FILE *out)
{
	unsigned int shift = ksl_mm.page_shift;
	unsigned long prev_end = 0;

	fprintf(out, "Zone ranges:\n");
	for (int i = 0; i <= ZONE_NORMAL; i++) {
		const struct zone *z = &ksl_mm.zones[i];

		if (!z->spanned_pages)
			fprintf(out, "  %-8s empty\n", z->name);
		else
			fprintf(out, "  %-8s [mem %#018llx-%#018llx]\n",
				z->name,
				(unsigned long long)z->zone_start_pfn << shift,
				((unsigned long long)zone_end_pfn(z) << shift) -
					1);
	}
	fprintf(out, "Movable zone start for each node\n");
	fprintf(out, "Early memory node ranges\n");
	for (unsigned int r = 0; r < ksl_mm.nr_ram; r++)
		fprintf(out, "  node   0: [mem %#018llx-%#018llx]\n",
			(unsigned long long)ksl_mm.ram[r].start,
			(unsigned long long)ksl_mm.ram[r].end - 1);
	fprintf(out, "Initmem setup node 0 [mem %#018llx-%#018llx]\n",
		(unsigned long long)ksl_mm.ram[0].start,
		(unsigned long long)ksl_mm.phys_end - 1);
	for (unsigned int r = 0; r < ksl_mm.nr_ram; r++) {
		unsigned long s = ksl_mm.ram[r].start >> shift;
		unsigned long n = hole_pages_with_memmap(prev_end, s);

		if (n)
			fprintf(out,
				"On node 0, zone %s: %lu pages in unavailable ranges\n",
				ksl_mm.zones[ksl_pfn_zone(s)].name, n);
		prev_end = ksl_mm.ram[r].end >> shift;
	}
}
