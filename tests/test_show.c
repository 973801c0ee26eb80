// SPDX-License-Identifier: MIT
/*
 * The /proc views against the reference machine (Linux 6.18, x86_64,
 * 2 CPUs): the boot log's zone ranges byte for byte, /proc/buddyinfo's
 * layout byte for byte, and /proc/zoneinfo's watermarks, protection,
 * pageset and threshold numbers on a machine laid out with the same
 * managed pages per zone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/kslab_test.h"

#ifndef KSLAB_TEST_DATADIR
#define KSLAB_TEST_DATADIR "tests/data"
#endif
#define REF KSLAB_TEST_DATADIR "/real-kernel/"

static char *show(const char *what)
{
	char *buf = calloc(1, 1 << 20);
	FILE *f = fmemopen(buf, 1 << 20, "w");

	assert_int_equal(kslab_show(what, f), 0);
	fclose(f);
	return buf;
}

/* 25 GiB like the reference: the zone ranges and low holes as its log */
static void test_zone_ranges_match_boot_log(void **state)
{
	char *ref = slurp(REF "zone-ranges.txt"), *ours;

	assert_int_equal(kslab_boot("arch=x86_64 mem=25G nr_cpus=2"), 0);
	ours = show("zones");
	/* "Zone ranges:" and the three zone lines */
	char *end = ref;
	for (int i = 0; i < 4; i++)
		end = strchr(end, '\n') + 1;
	assert_int_equal(strncmp(ours, ref, end - ref), 0);
	/* "On node 0, zone DMA: 1 pages ..." and "97 pages ..." */
	assert_non_null(strstr(
		ours, "On node 0, zone DMA: 1 pages in unavailable ranges\n"));
	assert_non_null(strstr(
		ours, "On node 0, zone DMA: 97 pages in unavailable ranges\n"));
	free(ref);
	free(ours);
}

/* Re-print the reference buddyinfo's numbers with our printer's layout. */
static void test_buddyinfo_layout(void **state)
{
	char *ref = slurp(REF "proc-buddyinfo.txt"), *ours;
	char *line, *save;

	assert_int_equal(kslab_boot("arch=x86_64 mem=8G nr_cpus=2"), 0);
	ours = show("buddyinfo");
	/* same zones, same columns, same widths */
	for (line = strtok_r(ref, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char zone[16];
		char pattern[64];

		assert_int_equal(sscanf(line, "Node 0, zone %15s", zone), 1);
		snprintf(pattern, sizeof(pattern), "Node 0, zone %8s ", zone);
		char *at = strstr(ours, pattern);
		assert_non_null(at);
		assert_int_equal(strchr(at, '\n') - at, strlen(line));
	}
	/* and our own numbers: DMA after the x86 low-memory reservations is
	 * exactly the reference's "0 0 0 0 0 0 0 0 1 1 3" */
	assert_non_null(strstr(
		ours,
		"Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n"));
	free(ref);
	free(ours);
}

/* the number after `key` in the block of zone `zone` of a zoneinfo text */
static long field(const char *text, const char *zone, const char *key)
{
	char hdr[64];
	const char *z, *next, *k;

	snprintf(hdr, sizeof(hdr), "Node 0, zone %8s", zone);
	z = strstr(text, hdr);
	assert_non_null(z);
	next = strstr(z + 1, "Node 0, zone");
	k = strstr(z, key);
	assert_non_null(k);
	if (next)
		assert_true(k < next);
	return strtol(k + strlen(key), NULL, 10);
}

static void protection(const char *text, const char *zone, char *out,
		       size_t len)
{
	char hdr[64];
	const char *z, *p;

	snprintf(hdr, sizeof(hdr), "Node 0, zone %8s", zone);
	z = strstr(text, hdr);
	p = strstr(z, "protection: (");
	snprintf(out, len, "%.*s", (int)(strchr(p, ')') - p + 1), p);
}

/*
 * A machine whose zones manage as many pages as the reference's:
 * DMA 3840 (the x86 low-memory layout), DMA32 772917, Normal 360448.
 * Everything derived from managed pages and CPUs must then agree:
 * min_free_kbytes (67584, from khugepaged), min/low/high/promo,
 * protection, batch, high_min, high_max, the stat threshold.
 */
static void test_zoneinfo_matches_reference(void **state)
{
	static const char *const zones[] = { "DMA", "DMA32", "Normal",
					     "Movable", "Device" };
	static const char *const keys[] = {
		"\n        min ",
		"\n        low ",
		"\n        high ",
		"\n        promo ",
		"\n        spanned ",
		"\n        managed ",
		"\n              batch: ",
		"\n              high_min: ",
		"\n              high_max: ",
		"\n  vm stats threshold: ",
		"\n  start_pfn: ",
	};
	char *ref = slurp(REF "proc-zoneinfo.txt"), *ours;
	int checked = 0;

	/* 16 MiB + 772917 pages low, and 360448 pages ending at 25 GiB
	 * where the reference's RAM ends, so that the spans agree too */
	assert_int_equal(kslab_boot("arch=x86_64 nr_cpus=2 mem=3108052K "
				    "memmap=1408M@24192M"),
			 0);
	ours = show("zoneinfo");
	for (size_t z = 0; z < 5; z++) {
		char a[128], b[128];

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			long o, r;

			if (z >= 3 && k >= 5)
				break; /* empty zones print no pagesets */
			o = field(ours, zones[z], keys[k]);
			r = field(ref, zones[z], keys[k]);
			printf("%-7s %-26s ours %ld ref %ld\n", zones[z],
			       keys[k] + 1, o, r);
			assert_int_equal(o, r);
			checked++;
		}
		protection(ours, zones[z], a, sizeof(a));
		protection(ref, zones[z], b, sizeof(b));
		assert_string_equal(a, b);
		checked++;
	}
	printf("%d zoneinfo values equal to the reference machine's\n",
	       checked);
	free(ref);
	free(ours);
}

/* every line of ours has a line of the same shape in the reference */
static void test_zoneinfo_and_meminfo_layout(void **state)
{
	char *ref = slurp(REF "proc-zoneinfo.txt"), *ours, *line, *save;
	char *mref = slurp(REF "proc-meminfo.txt"), *mours;

	assert_int_equal(kslab_boot("arch=x86_64 mem=8G nr_cpus=2"), 0);
	ours = show("zoneinfo");
	for (line = strtok_r(ours, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char shape[256];
		size_t n = strcspn(line, "0123456789");

		/* the text up to the first digit appears at a line start */
		snprintf(shape, sizeof(shape), "\n%.*s", (int)n, line);
		if (!strstr(ref, shape))
			fail_msg(
				"zoneinfo line not in the kernel's layout: '%s'",
				line);
	}
	mours = show("meminfo");
	for (line = strtok_r(mours, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[32];
		const char *r;

		sscanf(line, "%31s", name);
		r = strstr(mref, name);
		assert_non_null(r);
		/* same column for the number and the unit */
		assert_int_equal(strchr(r, '\n') - r, strlen(line));
		assert_non_null(strstr(line, " kB"));
	}
	free(ref);
	free(ours);
	free(mref);
	free(mours);
}

static void test_meminfo_numbers(void **state)
{
	char *m;
	unsigned long total, free_kb, slab_kb;

	assert_int_equal(kslab_boot("arch=x86_64 mem=1G nr_cpus=1"), 0);
	/* boot holds only the slabs of kmem_cache and kmem_cache_node (and
	 * what the per-CPU lists took for them) */
	drain_all_pages(NULL);
	m = show("meminfo");
	assert_int_equal(
		sscanf(strstr(m, "MemTotal:"), "MemTotal: %lu kB", &total), 1);
	assert_int_equal(
		sscanf(strstr(m, "MemFree:"), "MemFree: %lu kB", &free_kb), 1);
	assert_int_equal(sscanf(strstr(m, "Slab:"), "Slab: %lu kB", &slab_kb),
			 1);
	assert_int_equal(total, kslab_totalram_pages() * 4);
	assert_true(slab_kb > 0);
	assert_int_equal(slab_kb, kslab_slab_pages() * 4);
	assert_int_equal(free_kb, total - slab_kb);
	free(m);
	alloc_pages(GFP_KERNEL, 8);
	m = show("meminfo");
	assert_int_equal(
		sscanf(strstr(m, "MemFree:"), "MemFree: %lu kB", &free_kb), 1);
	assert_int_equal(free_kb, total - slab_kb - 1024);
	assert_int_equal(sscanf(strstr(m, "Slab:"), "Slab: %lu kB", &free_kb),
			 1);
	assert_int_equal(free_kb, slab_kb);
	free(m);
	assert_int_equal(kslab_show("nosuchview", stdout), -22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_zone_ranges_match_boot_log,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_buddyinfo_layout,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_zoneinfo_matches_reference,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_zoneinfo_and_meminfo_layout,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_meminfo_numbers,
					  shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
