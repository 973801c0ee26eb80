/* SPDX-License-Identifier: MIT */
/*
 * The simulated machine's physical memory and its zoned buddy page
 * allocator, with the kernel's names and semantics.
 *
 * Physical addresses are real numbers: RAM sits where the boot command
 * line put it (mem=, memmap=), and one reserved virtual region maps the
 * whole physical address space, so that phys_to_virt() and virt_to_phys()
 * are an addition and a subtraction.
 */
#ifndef KSLAB_MM_H
#define KSLAB_MM_H

#include <stdio.h>
#include <kslab/types.h>
#include <kslab/gfp.h>

KSLAB_EXTERN_C_BEGIN

/* The booted profile's page geometry (boots the machine if needed). */
KSLAB_API unsigned long kslab_page_size(void);
KSLAB_API unsigned int kslab_page_shift(void);
KSLAB_API unsigned int kslab_max_page_order(void);

#ifndef PAGE_SIZE
#define PAGE_SIZE (kslab_page_size())
#endif
#ifndef PAGE_SHIFT
#define PAGE_SHIFT (kslab_page_shift())
#endif
#define MAX_PAGE_ORDER (kslab_max_page_order())
#define NR_PAGE_ORDERS (MAX_PAGE_ORDER + 1)

/* ---- address translation (constant time) ---------------------------- */
KSLAB_API phys_addr_t virt_to_phys(const volatile void *addr);
KSLAB_API void *phys_to_virt(phys_addr_t addr);
KSLAB_API struct page *virt_to_page(const void *addr);
KSLAB_API void *page_address(const struct page *page);
KSLAB_API phys_addr_t page_to_phys(const struct page *page);
KSLAB_API unsigned long page_to_pfn(const struct page *page);
KSLAB_API struct page *pfn_to_page(unsigned long pfn);
KSLAB_API bool pfn_valid(unsigned long pfn);
KSLAB_API enum zone_type page_zonenum(const struct page *page);
/* Is addr inside the simulated machine's RAM? */
KSLAB_API bool kslab_virt_addr_valid(const void *addr);

/* ---- the page allocator ----------------------------------------------- */
KSLAB_API struct page *alloc_pages(gfp_t gfp, unsigned int order);
KSLAB_API struct page *alloc_page(gfp_t gfp);
KSLAB_API void __free_pages(struct page *page, unsigned int order);
KSLAB_API void __free_page(struct page *page);
KSLAB_API unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
KSLAB_API unsigned long __get_free_page(gfp_t gfp);
KSLAB_API unsigned long get_zeroed_page(gfp_t gfp);
KSLAB_API void free_pages(unsigned long addr, unsigned int order);
KSLAB_API void free_page(unsigned long addr);
KSLAB_API void *alloc_pages_exact(size_t size, gfp_t gfp);
KSLAB_API void free_pages_exact(void *virt, size_t size);
/* The order of a compound allocation (__GFP_COMP), 0 otherwise. */
KSLAB_API unsigned int compound_order(const struct page *page);
/* Smallest order whose pages hold size bytes. */
KSLAB_API unsigned int get_order(unsigned long size);

/* Give every page held in per-CPU lists back to the buddy free lists. */
KSLAB_API void drain_all_pages(void *zone_unused);

/*
 * Shrinkers: called, highest priority first, when an allocation is about
 * to fail (direct reclaim, __GFP_NOFAIL). scan() gives back what it can
 * and returns the number of pages freed.
 */
struct kslab_shrinker {
	const char *name;
	unsigned long (*count)(void *priv); /* pages it could free */
	unsigned long (*scan)(void *priv, unsigned long nr_to_scan);
	void *priv;
	struct kslab_shrinker *next; /* owned by the allocator */
};
KSLAB_API int kslab_register_shrinker(struct kslab_shrinker *s);
KSLAB_API void kslab_unregister_shrinker(struct kslab_shrinker *s);

/* ---- zone state, for tests and tools ---------------------------------- */
#define KSLAB_MAX_ORDERS 16
struct kslab_zone_info {
	const char *name;	     /* "DMA", "DMA32", "Normal", ... */
	bool populated;		     /* present_pages > 0 */
	unsigned long start_pfn;     /* first pfn spanned */
	unsigned long spanned_pages; /* end_pfn - start_pfn */
	unsigned long present_pages; /* RAM pages inside the span */
	unsigned long managed_pages; /* present minus reserved */
	unsigned long free_pages;    /* in the buddy lists */
	unsigned long pcp_pages;     /* held in per-CPU lists */
	unsigned long wmark_min, wmark_low, wmark_high, wmark_promo;
	unsigned long lowmem_reserve[MAX_NR_ZONES];
	unsigned long nr_free[KSLAB_MAX_ORDERS]; /* free blocks per order */
	unsigned int pcp_batch, pcp_high_min, pcp_high_max;
};
KSLAB_API int kslab_zone_info(enum zone_type zone, struct kslab_zone_info *out);

/* Free pages in the buddy lists of all zones, and the managed total. */
KSLAB_API unsigned long kslab_nr_free_pages(void);
KSLAB_API unsigned long kslab_totalram_pages(void);

KSLAB_EXTERN_C_END

#endif /* KSLAB_MM_H */
