// SPDX-License-Identifier: MIT
/*
 * kmalloc() above KMALLOC_MAX_CACHE_SIZE: a compound block of pages of
 * the smallest order that holds the request, its head page marked
 * PG_large_kmalloc so that kfree() and ksize() recognise it.
 *
 *   head page: PG_head | PG_compound | PG_large_kmalloc | order
 *   tail pages: PG_tail -> head
 *
 * ksize() of such an object is the whole block (PAGE_SIZE << order), as
 * the kernel's bytes_alloc reports it.
 */
#include "kmalloc/kmalloc_internal.h"

void *ksl_kmalloc_large(size_t size, gfp_t flags, unsigned long caller)
{
	unsigned int order = get_order(size);
	struct page *page;

	if (unlikely(flags & GFP_SLAB_BUG_MASK))
		flags = ksl_slab_fix_gfp("kmalloc pages", flags, caller);
	page = alloc_pages(flags | __GFP_COMP, order);
	if (!page)
		return NULL;
	__atomic_fetch_or(&page->flags, PG_large_kmalloc, __ATOMIC_RELAXED);
	atomic_fetch_add(&ksl_kmalloc_large_pages, 1L << order);
	return page_address(page);
}

bool ksl_is_large_kmalloc(const void *p, struct page **head)
{
	struct page *page;

	if (!kslab_virt_addr_valid(p) ||
	    ((uintptr_t)p & (ksl_mm.page_size - 1)))
		return false;
	page = virt_to_page(p);
	if (!(ksl_page_flags(page) & PG_large_kmalloc))
		return false;
	*head = page;
	return true;
}

void ksl_kfree_large(struct page *head)
{
	unsigned int order = compound_order(head);

	__atomic_fetch_and(&head->flags, ~PG_large_kmalloc, __ATOMIC_RELAXED);
	atomic_fetch_sub(&ksl_kmalloc_large_pages, 1L << order);
	__free_pages(head, order);
}
