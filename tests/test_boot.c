// SPDX-License-Identifier: MIT
/*
 * Boot command line: every parameter, its error messages, the zone
 * layouts each architecture gives, automatic boot, and lazy commit.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/capture.h"
#include "helpers/kslab_test.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static void zone(enum zone_type t, struct kslab_zone_info *zi)
{
	assert_int_equal(kslab_zone_info(t, zi), 0);
}

/* The boot must fail with -EINVAL and a message that names `needle`. */
static void expect_invalid(const char *cmdline, const char *needle)
{
	const char *msg;
	int ret;

	capture_start();
	ret = kslab_boot(cmdline);
	msg = capture_stop();
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(msg, needle));
	assert_false(kslab_booted());
}

static void test_x86_64_layout(void **state)
{
	struct kslab_arch_info a;
	struct kslab_zone_info zi;

	assert_int_equal(kslab_boot("arch=x86_64 mem=8G nr_cpus=2"), 0);
	assert_int_equal(kslab_arch_info(&a), 0);
	assert_string_equal(a.name, "x86_64");
	assert_int_equal(a.page_size, 4096);
	assert_int_equal(a.max_page_order, 10);
	assert_int_equal(a.cache_line, 64);
	assert_int_equal(a.kmalloc_minalign, 8);
	assert_int_equal(a.slab_minalign, 8);
	assert_int_equal(a.dma_minalign, 0);
	assert_true(a.dma_coherent);
	assert_int_equal(a.nr_cpus, 2);
	assert_int_equal(kslab_nr_cpus(), 2);

	/* ZONE_DMA as on the reference machine: page 0 and 640K-1M missing,
	 * the rest of the first megabyte reserved */
	zone(ZONE_DMA, &zi);
	assert_int_equal(zi.start_pfn, 1);
	assert_int_equal(zi.spanned_pages, 4095);
	assert_int_equal(zi.present_pages, 3998);
	assert_int_equal(zi.managed_pages, 3840);
	zone(ZONE_DMA32, &zi);
	assert_int_equal(zi.start_pfn, 4096);
	assert_int_equal(zi.spanned_pages, 1044480);
	assert_int_equal(zi.present_pages, 1044480);
	zone(ZONE_NORMAL, &zi);
	assert_int_equal(zi.start_pfn, 1048576);
	assert_int_equal(zi.spanned_pages, 1048576);
	zone(ZONE_MOVABLE, &zi);
	assert_false(zi.populated);
}

static void test_arm64_layouts(void **state)
{
	struct kslab_arch_info a;
	struct kslab_zone_info zi;

	/* RAM 2G..6G: ZONE_DMA up to 4G, ZONE_DMA32 empty */
	assert_int_equal(kslab_boot("arch=arm64 memmap=4G@2G"), 0);
	assert_int_equal(kslab_arch_info(&a), 0);
	assert_string_equal(a.name, "arm64");
	assert_int_equal(a.dma_minalign, 128);
	assert_false(a.dma_coherent);
	zone(ZONE_DMA, &zi);
	assert_int_equal(zi.start_pfn, (2 * GiB) >> 12);
	assert_int_equal(zi.present_pages, (2 * GiB) >> 12);
	zone(ZONE_DMA32, &zi);
	assert_false(zi.populated);
	zone(ZONE_NORMAL, &zi);
	assert_int_equal(zi.start_pfn, (4 * GiB) >> 12);
	assert_int_equal(zi.present_pages, (2 * GiB) >> 12);
	kslab_shutdown();

	/* a 30-bit firmware limit (Raspberry Pi 4): DMA < 1G, DMA32 < 4G */
	assert_int_equal(kslab_boot("arch=arm64 mem=8G zone_dma_bits=30"), 0);
	zone(ZONE_DMA, &zi);
	assert_int_equal(zi.start_pfn, 0);
	assert_int_equal(zi.present_pages, GiB >> 12);
	zone(ZONE_DMA32, &zi);
	assert_int_equal(zi.start_pfn, GiB >> 12);
	assert_int_equal(zi.present_pages, (3 * GiB) >> 12);
	zone(ZONE_NORMAL, &zi);
	assert_int_equal(zi.present_pages, (4 * GiB) >> 12);
	kslab_shutdown();

	/* all RAM below 4G: no ZONE_NORMAL */
	assert_int_equal(kslab_boot("arch=arm64 memmap=1G@1G"), 0);
	zone(ZONE_DMA, &zi);
	assert_int_equal(zi.present_pages, GiB >> 12);
	zone(ZONE_NORMAL, &zi);
	assert_false(zi.populated);
	kslab_shutdown();

	/* RAM starting above 4G: ZONE_DMA covers it all */
	assert_int_equal(kslab_boot("arch=arm64 memmap=2G@8G"), 0);
	zone(ZONE_DMA, &zi);
	assert_int_equal(zi.present_pages, (2 * GiB) >> 12);
	zone(ZONE_DMA32, &zi);
	assert_false(zi.populated);
	zone(ZONE_NORMAL, &zi);
	assert_false(zi.populated);
}

static void test_arm64_page_sizes(void **state)
{
	static const struct {
		const char *cmd;
		unsigned long size;
		unsigned int order;
	} t[] = {
		{ "arch=arm64 mem=1G page_size=4K", 4096, 10 },
		{ "arch=arm64 mem=1G page_size=16K", 16384, 11 },
		{ "arch=arm64 mem=2G page_size=64K", 65536, 13 },
		{ "arch=arm64 mem=2G page_size=0x10000", 65536, 13 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct kslab_zone_info zi;

		assert_int_equal(kslab_boot(t[i].cmd), 0);
		assert_int_equal(kslab_page_size(), t[i].size);
		assert_int_equal(MAX_PAGE_ORDER, t[i].order);
		zone(ZONE_DMA, &zi);
		assert_int_equal(zi.present_pages,
				 (1 * GiB) / t[i].size *
					 (strstr(t[i].cmd, "2G") ? 2 : 1));
		kslab_shutdown();
	}
	expect_invalid("arch=x86_64 page_size=16K", "page_size");
	expect_invalid("arch=arm64 page_size=8K", "page_size");
	expect_invalid("arch=arm64 page_size=12K", "page_size");
}

static void test_sizes(void **state)
{
	static const char *const same[] = {
		"arch=x86_64 mem=1G",	      "arch=x86_64 mem=1g",
		"arch=x86_64 mem=1024M",      "arch=x86_64 mem=1048576K",
		"arch=x86_64 mem=0x40000000", "arch=x86_64 mem=1073741824",
	};

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		struct kslab_zone_info zi;

		assert_int_equal(kslab_boot(same[i]), 0);
		zone(ZONE_DMA32, &zi);
		assert_int_equal(zi.present_pages, (GiB - 16 * MiB) >> 12);
		kslab_shutdown();
	}
}

static void test_memmap_holes(void **state)
{
	struct kslab_zone_info zi;
	char *p;

	assert_int_equal(
		kslab_boot(
			"arch=x86_64 memmap=64M@0 memmap=64M@1G memmap=1G@4G"),
		0);
	zone(ZONE_DMA32, &zi);
	assert_int_equal(zi.spanned_pages, (4 * GiB - 16 * MiB) >> 12);
	assert_int_equal(zi.present_pages, (48 * MiB + 64 * MiB) >> 12);
	assert_true(pfn_valid((1 * GiB) >> 12));
	assert_false(pfn_valid((512 * MiB) >> 12));
	assert_false(kslab_virt_addr_valid(phys_to_virt(512 * MiB)));
	p = phys_to_virt(GiB + 4096);
	assert_true(kslab_virt_addr_valid(p));
	p[0] = 1; /* backed */
	assert_int_equal(virt_to_phys(p), GiB + 4096);
}

static void test_bad_parameters(void **state)
{
	expect_invalid("arch=x86_64 foo=1", "foo");
	expect_invalid("arch=x86_64 nosuchflag", "nosuchflag");
	expect_invalid("arch=x86_64 mem=12Q", "mem=12Q");
	expect_invalid("arch=x86_64 mem=", "mem");
	expect_invalid("arch=x86_64 mem=G", "mem=G");
	expect_invalid("arch=x86_64 mem=1G memmap=1G@512M", "overlaps");
	expect_invalid("arch=x86_64 memmap=1G", "memmap=1G");
	expect_invalid("arch=x86_64 memmap=1G#4G", "memmap=1G#4G");
	expect_invalid("arch=x86_64 memmap=1G@4X", "memmap=1G@4X");
	expect_invalid("arch=x86_64 mem=100", "mem");
	expect_invalid("arch=x86_64 mem=128T", "physical address bits");
	expect_invalid("arch=sparc", "arch=sparc");
	expect_invalid("arch=x86_64 zone_dma_bits=30", "zone_dma_bits");
	expect_invalid("arch=arm64 zone_dma_bits=abc", "zone_dma_bits=abc");
	expect_invalid("arch=arm64 zone_dma_bits=8", "zone_dma_bits=8");
	expect_invalid("arch=x86_64 nr_cpus=0", "nr_cpus=0");
	expect_invalid("arch=x86_64 nr_cpus=100000", "nr_cpus=100000");
	expect_invalid("arch=x86_64 nr_cpus=two", "nr_cpus=two");
	expect_invalid("arch=x86_64 transparent_hugepage=sometimes",
		       "transparent_hugepage");
	/* a failed boot leaves nothing behind: the next one works */
	assert_int_equal(kslab_boot("arch=x86_64 mem=256M"), 0);
}

static void test_busy_and_reboot(void **state)
{
	const char *msg;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=3"), 0);
	assert_string_equal(kslab_cmdline(), "arch=x86_64 mem=256M nr_cpus=3");
	capture_start();
	assert_int_equal(kslab_boot("arch=arm64 mem=256M"), -EBUSY);
	msg = capture_stop();
	assert_non_null(strstr(msg, "already booted"));
	assert_int_equal(kslab_nr_cpus(), 3);
	for (int i = 0; i < 5; i++) {
		kslab_shutdown();
		assert_false(kslab_booted());
		assert_int_equal(
			kslab_boot(i & 1 ? "arch=x86_64 mem=128M" :
					   "arch=arm64 memmap=128M@1G"),
			0);
		assert_non_null(alloc_pages(GFP_KERNEL, 0));
	}
}

static void test_auto_boot_env(void **state)
{
	struct kslab_arch_info a;

	setenv("KSLAB_BOOT", "arch=arm64 mem=512M nr_cpus=3", 1);
	assert_false(kslab_booted());
	assert_non_null(alloc_pages(GFP_KERNEL, 0)); /* boots */
	assert_true(kslab_booted());
	assert_int_equal(kslab_arch_info(&a), 0);
	assert_string_equal(a.name, "arm64");
	assert_int_equal(a.nr_cpus, 3);
	kslab_shutdown();

	/* a refused KSLAB_BOOT falls back to the host's defaults */
	setenv("KSLAB_BOOT", "arch=vax", 1);
	capture_start();
	assert_true(kslab_page_size() > 0);
	assert_non_null(strstr(capture_stop(), "KSLAB_BOOT"));
	assert_int_equal(kslab_nr_cpus(),
			 (unsigned int)sysconf(_SC_NPROCESSORS_ONLN));
	unsetenv("KSLAB_BOOT");
}

static void test_host_defaults(void **state)
{
	struct kslab_arch_info a;
	unsigned long long ram = (unsigned long long)sysconf(_SC_PHYS_PAGES) *
				 sysconf(_SC_PAGESIZE);

	unsetenv("KSLAB_BOOT");
	assert_int_equal(kslab_boot(NULL), 0);
	assert_int_equal(kslab_arch_info(&a), 0);
	assert_int_equal(a.page_size, (unsigned long)sysconf(_SC_PAGESIZE));
	assert_int_equal(a.nr_cpus,
			 (unsigned int)sysconf(_SC_NPROCESSORS_ONLN));
	/* all of the host's RAM, less the x86 firmware's low memory */
	assert_in_range(kslab_totalram_pages() * a.page_size, ram - 2 * MiB,
			ram);
}

static long rss_kib(void)
{
	long size, resident;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld %ld", &size, &resident), 2);
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* swiotlb=: the decision mem_init() makes, and the parser's refusals */
static void test_swiotlb_param(void **state)
{
	static const struct {
		const char *cmdline;
		bool allocated, force;
		unsigned long nslabs;
	} cases[] = {
		/* x86_64: a buffer only with RAM above 4 GiB, 64 MiB */
		{ "arch=x86_64 mem=2G", false, false, 0 },
		{ "arch=x86_64 mem=8G", true, false, 32768 },
		{ "arch=x86_64 mem=2G swiotlb=force", true, true, 32768 },
		/* arm64 6.5+: always; 1 MiB per GiB of RAM when no RAM lies
		 * beyond the DMA zone, the default 64 MiB when some does */
		{ "arch=arm64 memmap=2G@2G", true, false, 1024 },
		{ "arch=arm64 memmap=4G@2G", true, false, 32768 },
		/* no RAM below the DMA limit: no buffer (memblock_alloc_low
		 * fails in swiotlb_init_remap) */
		{ "arch=arm64 memmap=4G@2G zone_dma_bits=30", false, false, 0 },
		{ "arch=arm64 mem=2G zone_dma_bits=20", false, false, 0 },
		/* areas: the CPUs rounded up to a power of two; the slots at
		 * least 128 per area, a power of two (round_up_default_nslabs):
		 * 3 MiB = 1536 slots, 8 areas -> 2048 */
		{ "arch=arm64 mem=3G nr_cpus=6", true, false, 2048 },
		{ "arch=arm64 mem=3G nr_cpus=6 swiotlb=384,4", true, false,
		  512 },
		{ "arch=arm64 mem=1G nr_cpus=1 swiotlb=384", true, false, 512 },
		{ "arch=arm64 mem=1G nr_cpus=1 swiotlb=,16", true, false,
		  2048 },
		/* x86_64 at most 4 GiB: a size alone makes no buffer */
		{ "arch=x86_64 mem=2G swiotlb=4096", false, false, 0 },
		{ "arch=arm64 memmap=4G@2G swiotlb=noforce", false, false, 0 },
		/* explicit sizes are rounded up to 128-slot segments */
		{ "arch=arm64 memmap=4G@2G swiotlb=1000", true, false, 1024 },
		{ "arch=arm64 memmap=4G@2G swiotlb=256,4,force", true, true,
		  512 },
	};
	struct kslab_arch_info ai;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(kslab_boot(cases[i].cmdline), 0);
		assert_int_equal(kslab_arch_info(&ai), 0);
		printf("%s: swiotlb %d force %d nslabs %lu\n", cases[i].cmdline,
		       ai.swiotlb, ai.swiotlb_force, ai.swiotlb_nslabs);
		assert_int_equal(ai.swiotlb, cases[i].allocated);
		assert_int_equal(ai.swiotlb_force, cases[i].force);
		assert_int_equal(ai.swiotlb_nslabs, cases[i].nslabs);
		kslab_shutdown();
	}
	expect_invalid("arch=arm64 swiotlb=", "swiotlb");
	expect_invalid("arch=arm64 swiotlb=lots", "swiotlb");
	expect_invalid("arch=arm64 swiotlb=0", "zero slabs");
	expect_invalid("arch=arm64 swiotlb=64,2,sometimes", "force|noforce");
}

static void test_lazy_commit(void **state)
{
	long before = rss_kib(), after;

	assert_int_equal(kslab_boot("arch=x86_64 mem=64G nr_cpus=2"), 0);
	after = rss_kib();
	printf("RSS before %ld KiB, after booting 64 GiB %ld KiB\n", before,
	       after);
	assert_true(after - before < 4 * 1024);
	assert_int_equal(kslab_totalram_pages(), (64 * GiB - MiB) / 4096 + 0);
}

/* kslab.kernel=: the three versions whose rules kslab has, nothing else */
static void test_kernel_param(void **state)
{
	static const char *const bad[] = { "6.2",  "6.01", "5.15", "6",
					   "6.1x", "",	   "+6.1", "6.1.0" };
	struct kslab_arch_info a;
	char line[64];

	assert_int_equal(kslab_boot("mem=1G nr_cpus=2"), 0);
	assert_int_equal(kslab_arch_info(&a), 0);
	assert_int_equal(a.kernel_major, 6);
	assert_int_equal(a.kernel_minor, 18);
	kslab_shutdown();
	assert_int_equal(kslab_boot("mem=1G kslab.kernel=6.1"), 0);
	assert_int_equal(kslab_arch_info(&a), 0);
	assert_int_equal(a.kernel_minor, 1);
	kslab_shutdown();
	assert_int_equal(kslab_boot("mem=1G kslab.kernel=6.12"), 0);
	assert_int_equal(kslab_arch_info(&a), 0);
	assert_int_equal(a.kernel_minor, 12);
	kslab_shutdown();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "mem=1G kslab.kernel=%s", bad[i]);
		expect_invalid(line, "kslab.kernel");
	}
	expect_invalid("mem=1G kslab.kernel", "kslab.kernel");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_x86_64_layout,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_layouts,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_page_sizes,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_sizes, shutdown_teardown),
		cmocka_unit_test_teardown(test_memmap_holes, shutdown_teardown),
		cmocka_unit_test_teardown(test_bad_parameters,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_busy_and_reboot,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_auto_boot_env,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_host_defaults,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_swiotlb_param,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_lazy_commit, shutdown_teardown),
		cmocka_unit_test_teardown(test_kernel_param, shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
