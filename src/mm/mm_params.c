// SPDX-License-Identifier: MIT
/*
 * The memory layer's boot parameters and their validation.
 *
 *   arch=NAME            x86_64 | arm64 (aarch64)
 *   page_size=SIZE       one of the architecture's page sizes
 *   mem=SIZE             RAM [0, SIZE)
 *   memmap=SIZE@START    RAM [START, START+SIZE), repeatable
 *   zone_dma_bits=N      arm64: the firmware's ZONE_DMA limit, 2^N
 *   nr_cpus=N            simulated CPUs, 1..1024
 *   swiotlb=[NSLABS][,NAREAS][,force|noforce]   (swiotlb_boot.c)
 *   transparent_hugepage=always|madvise|never
 *                        (khugepaged raises min_free_kbytes unless never)
 *   kslab.kernel=X.Y     whose rules the layers follow: 6.1, 6.12 or 6.18
 *                        (default); kslab's own, not a kernel parameter
 *
 * Handlers only record; ksl_mm_validate() checks the combination once the
 * whole line is read, since arch= may come after page_size=.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/params.h"
#include "mm/mm_internal.h"

struct ksl_mm_config ksl_mm_cfg;
static unsigned long long ksl_page_size_req;

void ksl_mm_config_reset(void)
{
	memset(&ksl_mm_cfg, 0, sizeof(ksl_mm_cfg));
	ksl_mm_cfg.zone_dma_bits = -1;
	ksl_mm_cfg.thp = 1;
	ksl_mm_cfg.min_free_kbytes = -1;
	ksl_mm_cfg.kernel = KSL_KERNEL_DEFAULT;
	ksl_page_size_req = 0;
	ksl_swiotlb_config_reset();
}

static int need_value(const char *name, const char *val)
{
	if (!val || !*val)
		return ksl_param_invalid(name, val, "a value is required");
	return 0;
}

static int set_arch(const char *name, const char *val)
{
	if (need_value(name, val))
		return -EINVAL;
	ksl_mm_cfg.arch = ksl_arch_find(val);
	if (!ksl_mm_cfg.arch)
		return ksl_param_invalid(
			name, val,
			"unknown architecture (known: x86_64, arm64)");
	return 0;
}

static int set_page_size(const char *name, const char *val)
{
	if (need_value(name, val) ||
	    ksl_memparse(val, &ksl_page_size_req, NULL))
		return ksl_param_invalid(name, val, "malformed size");
	if (!KSL_IS_POW2(ksl_page_size_req))
		return ksl_param_invalid(name, val, "not a power of two");
	return 0;
}

static int add_range(const char *name, const char *val,
		     unsigned long long start, unsigned long long size)
{
	struct ksl_range *r;

	if (!size)
		return ksl_param_invalid(name, val, "empty range");
	if (start + size < start)
		return ksl_param_invalid(name, val, "range wraps around");
	if (ksl_mm_cfg.nr_ranges == KSL_MAX_RANGES)
		return ksl_param_invalid(name, val, "more than %d ranges",
					 KSL_MAX_RANGES);
	r = &ksl_mm_cfg.ranges[ksl_mm_cfg.nr_ranges++];
	r->start = start;
	r->end = start + size;
	return 0;
}

static int set_mem(const char *name, const char *val)
{
	unsigned long long size;

	if (need_value(name, val) || ksl_memparse(val, &size, NULL))
		return ksl_param_invalid(name, val, "malformed size");
	if (ksl_mm_cfg.mem_given) {
		/* a later mem= replaces the earlier one, as in the kernel */
		for (unsigned int i = 0; i < ksl_mm_cfg.nr_ranges; i++)
			if (ksl_mm_cfg.ranges[i].start == 0) {
				ksl_mm_cfg.ranges[i].end = size;
				return size ? 0 :
					      ksl_param_invalid(name, val,
								"empty range");
			}
	}
	ksl_mm_cfg.mem_given = true;
	return add_range(name, val, 0, size);
}

static int set_memmap(const char *name, const char *val)
{
	unsigned long long size, start;
	const char *e;

	if (need_value(name, val) || ksl_memparse(val, &size, &e))
		return ksl_param_invalid(name, val, "malformed size");
	if (*e == '#' || *e == '$' || *e == '!')
		return ksl_param_invalid(
			name, val,
			"only RAM ranges (SIZE@START) are supported");
	if (*e != '@' || ksl_memparse(e + 1, &start, NULL))
		return ksl_param_invalid(
			name, val, "expected SIZE@START, e.g. memmap=4G@2G");
	return add_range(name, val, start, size);
}

static int set_zone_dma_bits(const char *name, const char *val)
{
	unsigned long long n;

	if (need_value(name, val) || ksl_parse_uint(val, &n))
		return ksl_param_invalid(name, val, "not a number");
	if (n < 20 || n > 64)
		return ksl_param_invalid(name, val, "out of range (20..64)");
	ksl_mm_cfg.zone_dma_bits = (int)n;
	return 0;
}

static int set_nr_cpus(const char *name, const char *val)
{
	unsigned long long n;

	if (need_value(name, val) || ksl_parse_uint(val, &n))
		return ksl_param_invalid(name, val, "not a number");
	if (n < 1 || n > KSL_MAX_CPUS)
		return ksl_param_invalid(name, val, "out of range (1..%d)",
					 KSL_MAX_CPUS);
	ksl_mm_cfg.nr_cpus = (unsigned int)n;
	return 0;
}

static int set_thp(const char *name, const char *val)
{
	static const char *const modes[] = { "never", "madvise", "always" };

	for (int i = 0; val && i < 3; i++)
		if (!strcmp(val, modes[i])) {
			ksl_mm_cfg.thp = i;
			return 0;
		}
	return ksl_param_invalid(name, val,
				 "expected always, madvise or never");
}

/* kslab.kernel=X.Y: the kernel versions whose rules kslab knows */
static int set_kernel(const char *name, const char *val)
{
	static const struct {
		const char *name;
		unsigned int version;
	} known[] = {
		{ "6.1", KSL_KERNEL_6_1 },
		{ "6.12", KSL_KERNEL_6_12 },
		{ "6.18", KSL_KERNEL_6_18 },
	};

	if (need_value(name, val))
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (!strcmp(val, known[i].name)) {
			ksl_mm_cfg.kernel = known[i].version;
			return 0;
		}
	return ksl_param_invalid(name, val,
				 "unknown kernel version (known: 6.1, 6.12, "
				 "6.18)");
}

const struct ksl_param ksl_mm_params[] = {
	{ "arch", set_arch },
	{ "page_size", set_page_size },
	{ "mem", set_mem },
	{ "memmap", set_memmap },
	{ "zone_dma_bits", set_zone_dma_bits },
	{ "nr_cpus", set_nr_cpus },
	{ "transparent_hugepage", set_thp },
	{ "swiotlb", ksl_swiotlb_set_param },
	{ "kslab.kernel", set_kernel },
	{ NULL, NULL },
};

static int range_cmp(const void *a, const void *b)
{
	const struct ksl_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int validate_page_size(const struct ksl_arch *a)
{
	char val[32];

	if (!ksl_page_size_req && a == ksl_arch_host())
		ksl_page_size_req = (unsigned long long)sysconf(_SC_PAGESIZE);
	if (!ksl_page_size_req) {
		ksl_mm_cfg.page_shift = a->page_shifts[0];
		return 0;
	}
	for (int i = 0; i < 3 && a->page_shifts[i]; i++)
		if (ksl_page_size_req == 1ULL << a->page_shifts[i]) {
			ksl_mm_cfg.page_shift = a->page_shifts[i];
			return 0;
		}
	snprintf(val, sizeof(val), "%lluK", ksl_page_size_req >> 10);
	return ksl_param_invalid("page_size", val,
				 "%s does not support this page size", a->name);
}

static void default_ranges(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	unsigned long long bytes = (pages > 0 && psz > 0) ?
					   (unsigned long long)pages * psz :
					   1ULL << 30;

	ksl_mm_cfg.ranges[0].start = 0;
	ksl_mm_cfg.ranges[0].end = bytes;
	ksl_mm_cfg.nr_ranges = 1;
}

/* Round ranges to pages, sort them, refuse overlaps and impossible ones. */
static int validate_ranges(const struct ksl_arch *a)
{
	struct ksl_range *r = ksl_mm_cfg.ranges;
	unsigned long long psz = 1ULL << ksl_mm_cfg.page_shift;
	unsigned int n = ksl_mm_cfg.nr_ranges;

	if (!n)
		default_ranges(), n = 1;
	qsort(r, n, sizeof(*r), range_cmp);
	for (unsigned int i = 0; i < n; i++) {
		const char *pname = (r[i].start == 0 && ksl_mm_cfg.mem_given) ?
					    "mem" :
					    "memmap";

		r[i].start = KSL_ALIGN(r[i].start, psz);
		r[i].end = KSL_ALIGN_DOWN(r[i].end, psz);
		if (r[i].end <= r[i].start)
			return ksl_param_invalid(
				pname, NULL,
				"range smaller than one %llu-byte page", psz);
		if (r[i].end > 1ULL << a->phys_bits)
			return ksl_param_invalid(
				pname, NULL,
				"RAM ends at %#llx, beyond %s's %u physical address bits",
				(unsigned long long)r[i].end, a->name,
				a->phys_bits);
		if (i && r[i].start < r[i - 1].end)
			return ksl_param_invalid(
				"memmap", NULL,
				"range [%#llx-%#llx] overlaps [%#llx-%#llx]",
				(unsigned long long)r[i].start,
				(unsigned long long)r[i].end - 1,
				(unsigned long long)r[i - 1].start,
				(unsigned long long)r[i - 1].end - 1);
	}
	ksl_mm_cfg.nr_ranges = n;
	return 0;
}

/* what the command line left to the defaults (for ksl_mm_cmdline_defaults) */
static struct {
	bool arch, page_size, mem, nr_cpus;
} ksl_defaulted;

static void size_word(char *buf, size_t len, const char *name,
		      unsigned long long v)
{
	static const char suffix[] = "KMGTPE";
	int i = -1;

	while (v && !(v & 1023) && i < 5)
		v >>= 10, i++;
	if (i >= 0)
		snprintf(buf, len, " %s=%llu%c", name, v, suffix[i]);
	else
		snprintf(buf, len, " %s=%llu", name, v);
}

void ksl_mm_cmdline_defaults(char *buf, size_t len)
{
	const struct ksl_arch *a = ksl_mm_cfg.arch;
	size_t n = strlen(buf);

	if (ksl_defaulted.arch && n < len)
		n += (size_t)snprintf(buf + n, len - n, " arch=%s", a->name);
	/* page_size= only where the architecture has a choice */
	if (ksl_defaulted.page_size && a->page_shifts[1] && n < len) {
		size_word(buf + n, len - n, "page_size",
			  1ULL << ksl_mm_cfg.page_shift);
		n = strlen(buf);
	}
	if (ksl_defaulted.mem && n < len) {
		size_word(buf + n, len - n, "mem", ksl_mm_cfg.ranges[0].end);
		n = strlen(buf);
	}
	if (ksl_defaulted.nr_cpus && n < len)
		snprintf(buf + n, len - n, " nr_cpus=%u", ksl_mm_cfg.nr_cpus);
}

int ksl_mm_validate(void)
{
	const struct ksl_arch *a;

	ksl_defaulted.arch = !ksl_mm_cfg.arch;
	ksl_defaulted.page_size = !ksl_page_size_req;
	ksl_defaulted.mem = !ksl_mm_cfg.nr_ranges;
	ksl_defaulted.nr_cpus = !ksl_mm_cfg.nr_cpus;
	if (!ksl_mm_cfg.arch)
		ksl_mm_cfg.arch = ksl_arch_host();
	a = ksl_mm_cfg.arch;
	if (validate_page_size(a))
		return -EINVAL;
	if (ksl_mm_cfg.zone_dma_bits >= 0 && !a->has_zone_dma_bits)
		return ksl_param_invalid(
			"zone_dma_bits", NULL,
			"%s has a fixed ZONE_DMA (below 16 MiB)", a->name);
	if (ksl_mm_cfg.zone_dma_bits > (int)a->phys_bits)
		return ksl_param_invalid(
			"zone_dma_bits", NULL,
			"more than %s's %u physical address bits", a->name,
			a->phys_bits);
	if (!ksl_mm_cfg.nr_cpus) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		ksl_mm_cfg.nr_cpus = n < 1	      ? 1 :
				     n > KSL_MAX_CPUS ? KSL_MAX_CPUS :
							n;
	}
	return validate_ranges(a);
}
