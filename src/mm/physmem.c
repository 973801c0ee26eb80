// SPDX-License-Identifier: MIT
/*
 * Simulated physical memory: the RAM map, its host backing, mem_map, and
 * the kernel's address translation helpers.
 *
 * The whole physical span [0, phys_end) is one PROT_NONE reservation;
 * only RAM ranges are made read-write, so a stray access to a hole
 * faults, as it would on hardware. mem_map covers every pfn of the span.
 * Neither is committed until touched.
 *
 * On x86_64 the firmware's low-memory layout is reproduced when RAM
 * covers the first megabyte, as the reference machine shows it: page 0
 * is not RAM (BIOS data, trimmed from e820), 0x9f000-0xfffff is the
 * legacy VGA/BIOS hole, and the rest of the first 1 MiB is present but
 * reserved (x86 reserves all low memory for the real-mode trampoline),
 * giving ZONE_DMA its "spanned 4095, present 3998, managed 3840".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "mm/mm_internal.h"
#ifdef KSLAB_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define PC_BIOS_HOLE_START 0x9f000ULL
#define PC_LOW_END 0x100000ULL

/* Copy the configured ranges into ksl_mm.ram, cutting x86's low holes. */
static void build_ram_map(void)
{
	const struct ksl_arch *a = ksl_mm.arch;
	unsigned int n = 0;

	for (unsigned int i = 0; i < ksl_mm_cfg.nr_ranges; i++) {
		struct ksl_range r = ksl_mm_cfg.ranges[i];

		if (a->pc_low_memory && r.start < PC_LOW_END) {
			phys_addr_t lo = r.start ? r.start : ksl_mm.page_size;

			phys_addr_t hi = ksl_min(r.end, PC_BIOS_HOLE_START);

			if (lo < hi) {
				/* present, but reserved, as all low memory */
				ksl_mm.ram[n++] = (struct ksl_range){ lo, hi };
				ksl_mm.reserved[ksl_mm.nr_reserved++] =
					(struct ksl_range){ lo, hi };
			}
			if (r.end <= PC_LOW_END)
				continue;
			r.start = PC_LOW_END;
		}
		ksl_mm.ram[n++] = r;
	}
	ksl_mm.nr_ram = n;
	ksl_mm.phys_end = n ? ksl_mm.ram[n - 1].end : 0;
	ksl_mm.max_pfn = ksl_mm.phys_end >> ksl_mm.page_shift;
}

static int map_region(void)
{
	size_t span = ksl_mm.phys_end;

	ksl_mm.phys_base = mmap(NULL, span, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
				0);
	if (ksl_mm.phys_base == MAP_FAILED) {
		ksl_mm.phys_base = NULL;
		ksl_printk(
			"cannot reserve %zu MiB of host address space for physical memory",
			span >> 20);
		return -ENOMEM;
	}
	ksl_mm.phys_map_len = span;
	for (unsigned int i = 0; i < ksl_mm.nr_ram; i++) {
		const struct ksl_range *r = &ksl_mm.ram[i];

		if (mprotect(ksl_mm.phys_base + r->start, r->end - r->start,
			     PROT_READ | PROT_WRITE))
			return -ENOMEM;
	}
	ksl_mm.mem_map_len = ksl_mm.max_pfn * sizeof(struct page);
	ksl_mm.mem_map = mmap(NULL, ksl_mm.mem_map_len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			      0);
	if (ksl_mm.mem_map == MAP_FAILED) {
		ksl_mm.mem_map = NULL;
		ksl_printk("cannot reserve host address space for mem_map");
		return -ENOMEM;
	}
	return 0;
}

int ksl_physmem_init(void)
{
	const struct ksl_arch *a = ksl_mm.arch;

	build_ram_map();
	if (!ksl_mm.nr_ram) {
		ksl_printk("invalid boot parameter 'mem': no usable RAM on %s",
			   a->name);
		return -EINVAL;
	}
	return map_region();
}

/* the lowest and highest address ever poisoned in this mapping (0, 0:
 * none); unpoisoning all of a large machine's shadow would touch 1/8 of
 * its size at every shutdown */
static uintptr_t poison_lo, poison_hi;

void ksl_physmem_note_poison(const void *addr, size_t len)
{
	uintptr_t lo = (uintptr_t)addr, hi = lo + len,
		  cur = __atomic_load_n(&poison_lo, __ATOMIC_RELAXED);

	while ((!cur || lo < cur) &&
	       !__atomic_compare_exchange_n(&poison_lo, &cur, lo, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	cur = __atomic_load_n(&poison_hi, __ATOMIC_RELAXED);
	while (hi > cur &&
	       !__atomic_compare_exchange_n(&poison_hi, &cur, hi, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void ksl_physmem_shutdown(void)
{
	if (ksl_mm.phys_base) {
#ifdef KSLAB_ASAN
		/* no poisoned slab object may outlive the mapping */
		if (poison_hi > poison_lo)
			__asan_unpoison_memory_region((void *)poison_lo,
						      poison_hi - poison_lo);
#endif
		poison_lo = poison_hi = 0;
		munmap(ksl_mm.phys_base, ksl_mm.phys_map_len);
	}
	if (ksl_mm.mem_map)
		munmap(ksl_mm.mem_map, ksl_mm.mem_map_len);
	ksl_mm.phys_base = NULL;
	ksl_mm.mem_map = NULL;
}

bool ksl_pfn_is_ram(unsigned long pfn)
{
	phys_addr_t pa = (phys_addr_t)pfn << ksl_mm.page_shift;

	for (unsigned int i = 0; i < ksl_mm.nr_ram; i++)
		if (pa >= ksl_mm.ram[i].start && pa < ksl_mm.ram[i].end)
			return true;
	return false;
}

enum zone_type ksl_pfn_zone(unsigned long pfn)
{
	enum zone_type z;

	for (z = ZONE_DMA; z < ZONE_NORMAL; z++)
		if (pfn < zone_end_pfn(&ksl_mm.zones[z]) &&
		    pfn >= ksl_mm.zones[z].zone_start_pfn)
			return z;
	return ZONE_NORMAL;
}

/* ---- the kernel's helpers ----------------------------------------------- */

phys_addr_t virt_to_phys(const volatile void *addr)
{
	return (phys_addr_t)((const char *)addr - ksl_mm.phys_base);
}

void *phys_to_virt(phys_addr_t addr)
{
	ksl_ensure_booted();
	return ksl_mm.phys_base + addr;
}

struct page *virt_to_page(const void *addr)
{
	return ksl_mm.mem_map +
	       (((const char *)addr - ksl_mm.phys_base) >> ksl_mm.page_shift);
}

void *page_address(const struct page *page)
{
	return ksl_pfn_to_virt(ksl_page_to_pfn(page));
}

phys_addr_t page_to_phys(const struct page *page)
{
	return (phys_addr_t)ksl_page_to_pfn(page) << ksl_mm.page_shift;
}

unsigned long page_to_pfn(const struct page *page)
{
	return ksl_page_to_pfn(page);
}

struct page *pfn_to_page(unsigned long pfn)
{
	ksl_ensure_booted();
	return ksl_pfn_to_page(pfn);
}

bool pfn_valid(unsigned long pfn)
{
	ksl_ensure_booted();
	return pfn < ksl_mm.max_pfn && ksl_pfn_is_ram(pfn);
}

enum zone_type page_zonenum(const struct page *page)
{
	return ksl_pfn_zone(ksl_page_to_pfn(page));
}

bool kslab_virt_addr_valid(const void *addr)
{
	uintptr_t off = (uintptr_t)addr - (uintptr_t)ksl_mm.phys_base;

	return ksl_mm.booted && off < ksl_mm.phys_end &&
	       ksl_pfn_is_ram(off >> ksl_mm.page_shift);
}

unsigned long kslab_page_size(void)
{
	ksl_ensure_booted();
	return ksl_mm.page_size;
}

unsigned int kslab_page_shift(void)
{
	ksl_ensure_booted();
	return ksl_mm.page_shift;
}

unsigned int kslab_max_page_order(void)
{
	ksl_ensure_booted();
	return ksl_mm.max_order;
}

unsigned int get_order(unsigned long size)
{
	unsigned int order = 0;

	ksl_ensure_booted();
	if (size <= ksl_mm.page_size)
		return 0;
	size = (size - 1) >> ksl_mm.page_shift;
	while (size) {
		order++;
		size >>= 1;
	}
	return order;
}
