// SPDX-License-Identifier: MIT
/*
 * Bringing the memory layer up and down: the profile's geometry, the
 * physical memory map, zones with their free memory, per-CPU lists.
 * ksl_mm is all of this layer's state; shutdown leaves it zeroed but for
 * the boot generation, so a new boot starts clean.
 */
#include <errno.h>
#include <string.h>
#include "mm/mm_internal.h"

struct ksl_mm ksl_mm;

int ksl_mm_init(void)
{
	unsigned int gen = ksl_mm.generation;
	const struct ksl_mm_config *c = &ksl_mm_cfg;
	int ret;

	memset(&ksl_mm, 0, sizeof(ksl_mm));
	ksl_mm.generation = gen + 1 ? gen + 1 : 1;
	ksl_mm.arch = c->arch;
	ksl_mm.page_shift = c->page_shift;
	ksl_mm.page_size = 1UL << c->page_shift;
	ksl_mm.max_order = ksl_arch_max_order(c->arch, c->page_shift);
	/* pageblock_order: a PMD's worth of pages, at most MAX_PAGE_ORDER */
	ksl_mm.pageblock_order = ksl_min(c->page_shift - 3, ksl_mm.max_order);
	ksl_mm.nr_cpus = c->nr_cpus;
	ksl_mm.kernel = c->kernel;
	if (ksl_cpu_own_reset())
		return -ENOMEM;
	ksl_mm.thp = c->thp;

	ret = ksl_physmem_init();
	if (ret)
		return ret;
	ksl_zones_init();
	if (ksl_pcp_init())
		return -ENOMEM;
	ksl_mm.booted = true;
	ksl_swiotlb_decide();
	return 0;
}

void ksl_mm_shutdown(void)
{
	unsigned int gen = ksl_mm.generation;

	ksl_mm.booted = false;
	ksl_cpu_own_retire();
	ksl_pcp_shutdown();
	for (int i = 0; i < MAX_NR_ZONES; i++)
		pthread_mutex_destroy(&ksl_mm.zones[i].lock);
	ksl_physmem_shutdown();
	memset(&ksl_mm, 0, sizeof(ksl_mm));
	ksl_mm.generation = gen;
}

unsigned long kslab_nr_free_pages(void)
{
	unsigned long n = 0;

	ksl_ensure_booted();
	for (int i = 0; i < MAX_NR_ZONES; i++)
		n += atomic_load(&ksl_mm.zones[i].free_pages);
	return n;
}

unsigned long kslab_totalram_pages(void)
{
	unsigned long n = 0;

	ksl_ensure_booted();
	for (int i = 0; i < MAX_NR_ZONES; i++)
		n += ksl_mm.zones[i].managed_pages;
	return n;
}

int kslab_arch_info(struct kslab_arch_info *out)
{
	const struct ksl_arch *a;

	ksl_ensure_booted();
	a = ksl_mm.arch;
	memset(out, 0, sizeof(*out));
	out->name = a->name;
	out->page_size = ksl_mm.page_size;
	out->page_shift = ksl_mm.page_shift;
	out->max_page_order = ksl_mm.max_order;
	out->cache_line = a->cache_line;
	out->dma_minalign = a->dma_minalign;
	out->kmalloc_minalign = a->kmalloc_minalign;
	out->slab_minalign = a->slab_minalign;
	out->phys_bits = a->phys_bits;
	out->dma_coherent = a->dma_coherent;
	out->nr_cpus = ksl_mm.nr_cpus;
	out->kernel_major = ksl_mm.kernel / 100;
	out->kernel_minor = ksl_mm.kernel % 100;
	memcpy(out->zone_limit, ksl_mm.zone_limit, sizeof(out->zone_limit));
	out->swiotlb = ksl_mm.swiotlb_allocated;
	out->swiotlb_force = ksl_mm.swiotlb_force;
	out->swiotlb_nslabs = ksl_mm.swiotlb_nslabs;
	return 0;
}
