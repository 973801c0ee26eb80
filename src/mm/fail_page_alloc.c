// SPDX-License-Identifier: MIT
/*
 * fail_page_alloc: the kernel's should_fail_alloc_page(), asked by
 * alloc_pages() (and so by every page allocation: new slabs, large
 * kmalloc, DMA buffers) while ksl_fail_page_alloc_armed is set, before
 * the free lists are looked at. A yes returns NULL at once, as the
 * kernel's prepare_alloc_pages() failing: no retry, no "page allocation
 * failure" report, no zone counter.
 *
 * Its own filters come first, in the kernel's order: orders below
 * min-order, __GFP_NOFAIL, __GFP_HIGHMEM (ignore-gfp-highmem),
 * __GFP_DIRECT_RECLAIM (ignore-gfp-wait); then the generic checks
 * (fault_inject.c) with the request's pages as the space it uses.
 */
#include "mm/mm_internal.h"
#include "mm/fault_inject.h"

#define RD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

bool ksl_should_fail_alloc_page(gfp_t gfp, unsigned int order)
{
	const struct kslab_fault_attr *a = ksl_fault_attr(KSL_FAIL_PAGE_ALLOC);

	if (order < RD(a->min_order))
		return false;
	if (gfp & __GFP_NOFAIL)
		return false;
	if (RD(a->ignore_gfp_highmem) && (gfp & __GFP_HIGHMEM))
		return false;
	if (RD(a->ignore_gfp_wait) && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	return ksl_should_fail_ex(KSL_FAIL_PAGE_ALLOC, 1L << order,
				  (gfp & __GFP_NOWARN) ? KSL_FAULT_NOWARN : 0);
}
