// SPDX-License-Identifier: MIT
/*
 * Giving pages back: the checks before a free, the compound and exact
 * variants, and the reports for frees that must be refused.
 *
 * A free is accepted only for the first page of a live allocation, with
 * the order it was allocated with. The check and the claim are one
 * compare-and-swap on page->flags, so two threads freeing the same page
 * at once cannot both succeed: the loser is reported as a double free.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include "mm/mm_internal.h"

static void bad_page(const char *fn, unsigned long pfn, const char *why,
		     unsigned long caller)
{
	Dl_info info;
	char where[160];

	if (dladdr((void *)caller, &info) && info.dli_sname)
		snprintf(where, sizeof(where), "%s+%#lx", info.dli_sname,
			 caller - (unsigned long)info.dli_saddr);
	else
		snprintf(where, sizeof(where), "%#lx", caller);
	ksl_pr_ratelimited(
		20,
		"BUG: Bad page state in process %s  pfn:%05lx zone:%s: %s; %s() from %s refused",
		ksl_comm(), pfn,
		pfn < ksl_mm.max_pfn ? ksl_mm.zones[ksl_pfn_zone(pfn)].name :
				       "none",
		why, fn, where);
}

/*
 * Is pfn inside a block that sits in the buddy lists (or in a pristine
 * max-order run)? Only for the report: a page merged into a larger free
 * block no longer carries PG_buddy itself.
 */
static bool pfn_in_free_block(unsigned long pfn)
{
	struct zone *z = &ksl_mm.zones[ksl_pfn_zone(pfn)];
	bool found = false;

	pthread_mutex_lock(&z->lock);
	for (unsigned int o = 0; o <= ksl_mm.max_order && !found; o++) {
		unsigned long head = pfn & ~((1UL << o) - 1);
		unsigned long f;

		if (head < z->zone_start_pfn)
			break;
		f = ksl_page_flags(ksl_pfn_to_page(head));
		found = (f & PG_buddy) && ksl_flags_order(f) >= o;
	}
	for (unsigned int i = 0; i < z->nr_pristine && !found; i++)
		found = pfn >= z->pristine[i].next && pfn < z->pristine[i].end;
	pthread_mutex_unlock(&z->lock);
	return found;
}

/* Claim page as freed with `order`; false (reported) if that is wrong. */
static bool free_pages_prepare(struct page *page, unsigned int order,
			       const char *fn, unsigned long caller,
			       enum zone_type *zone)
{
	unsigned long pfn, f, want;
	char why[96];

	if (unlikely(!ksl_page_ptr_valid(page))) {
		ksl_pr_ratelimited(
			20,
			"BUG: %s(%p): not a struct page of this machine; refused",
			fn, (void *)page);
		return false;
	}
	pfn = ksl_page_to_pfn(page);
	f = ksl_page_flags(page);
	if (f & (PG_buddy | PG_pcp)) {
		bad_page(fn, pfn, "page is already free (double free)", caller);
		return false;
	}
	if (f & PG_tail) {
		bad_page(fn, pfn, "tail page of a compound allocation", caller);
		return false;
	}
	if (!(f & PG_head)) {
		bad_page(fn, pfn,
			 f & PG_reserved ?
				 "reserved page" :
			 !ksl_pfn_is_ram(pfn) ?
				 "not RAM (a hole in the memory map)" :
			 pfn_in_free_block(pfn) ?
				 "page is already free (double free)" :
				 "not the first page of an allocation",
			 caller);
		return false;
	}
	if (ksl_flags_order(f) != order) {
		snprintf(why, sizeof(why),
			 "freed with order %u, allocated with order %u", order,
			 ksl_flags_order(f));
		bad_page(fn, pfn, why, caller);
		return false;
	}
	want = 0;
	if (!__atomic_compare_exchange_n(&page->flags, &f, want, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		bad_page(fn, pfn, "page is already free (double free)", caller);
		return false;
	}
	*zone = ksl_flags_zone(f);
	if (f & PG_compound)
		for (unsigned long i = 1; i < 1UL << order; i++) {
			page[i].compound_head = 0;
			ksl_page_set_flags(&page[i], 0);
		}
	return true;
}

static void free_pages_checked(struct page *page, unsigned int order,
			       const char *fn, unsigned long caller)
{
	enum zone_type zone;
	struct zone *z;

	if (!page)
		return;
	if (!free_pages_prepare(page, order, fn, caller, &zone))
		return;
	z = &ksl_mm.zones[zone];
	if (order <= PAGE_ALLOC_COSTLY_ORDER)
		ksl_pcp_free(z, page, order);
	else
		ksl_zone_free_to_buddy(z, page, order);
}

void __free_pages(struct page *page, unsigned int order)
{
	free_pages_checked(page, order, "__free_pages", _RET_IP_);
}

void __free_page(struct page *page)
{
	free_pages_checked(page, 0, "__free_page", _RET_IP_);
}

static struct page *addr_to_page(unsigned long addr, const char *fn,
				 unsigned long caller)
{
	if (!addr)
		return NULL;
	if (!kslab_virt_addr_valid((void *)addr) ||
	    addr & (ksl_mm.page_size - 1)) {
		ksl_pr_ratelimited(
			20,
			"BUG: %s(%#lx): not a page address of this machine; refused",
			fn, addr);
		return NULL;
	}
	return virt_to_page((void *)addr);
}

void free_pages(unsigned long addr, unsigned int order)
{
	free_pages_checked(addr_to_page(addr, "free_pages", _RET_IP_), order,
			   "free_pages", _RET_IP_);
}

void free_page(unsigned long addr)
{
	free_pages_checked(addr_to_page(addr, "free_page", _RET_IP_), 0,
			   "free_page", _RET_IP_);
}

unsigned int compound_order(const struct page *page)
{
	unsigned long f = ksl_page_flags(page);

	return (f & PG_compound) ? ksl_flags_order(f) : 0;
}

/* split_page(): each page of a non-compound block becomes its own order-0 allocation */
static void split_page(struct page *page, unsigned int order)
{
	unsigned long zone = ksl_page_flags(page) & PG_ZONE_MASK;

	for (unsigned long i = 0; i < 1UL << order; i++)
		ksl_page_set_flags(&page[i], PG_head | zone);
}

void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	unsigned int order = get_order(size);
	unsigned long nr = (size + ksl_mm.page_size - 1) >> ksl_mm.page_shift;
	struct page *page;

	if (!size)
		return NULL;
	page = alloc_pages(gfp & ~__GFP_COMP, order);
	if (!page)
		return NULL;
	split_page(page, order);
	for (unsigned long i = nr; i < 1UL << order; i++)
		free_pages_checked(page + i, 0, "alloc_pages_exact", _RET_IP_);
	return page_address(page);
}

void free_pages_exact(void *virt, size_t size)
{
	unsigned long addr = (unsigned long)virt;
	unsigned long end = addr + KSL_ALIGN(size, ksl_mm.page_size);

	for (; addr < end; addr += ksl_mm.page_size)
		free_pages_checked(addr_to_page(addr, "free_pages_exact",
						_RET_IP_),
				   0, "free_pages_exact", _RET_IP_);
}
