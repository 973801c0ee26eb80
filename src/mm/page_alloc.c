// SPDX-License-Identifier: MIT
/*
 * The zoned buddy page allocator.
 *
 * Free blocks of 2^order pages sit in zone->free_area[order], a LIFO
 * list threaded through the first struct page of each block, which
 * carries PG_buddy and the order. Freeing merges a block with its buddy
 * (pfn ^ 2^order) while the buddy is free, of the same order and in the
 * same zone; allocating splits a larger block and gives back the halves.
 *
 *   order 2 block at pfn 8:   [8 9 10 11]    buddy: [12 13 14 15]
 *                             ^ PG_buddy|order 2
 *
 * An allocation walks the zonelist from the highest zone its gfp allows
 * down to ZONE_DMA; a zone is used only when its free pages stay above
 * the watermark plus the lowmem_reserve it keeps against requests that
 * could have gone higher (zone_watermark_ok). The first pass asks for
 * the low watermark, the second for min, lowered for __GFP_HIGH and
 * atomic callers; then per-CPU lists are drained and shrinkers asked.
 * Orders up to PAGE_ALLOC_COSTLY_ORDER go through the per-CPU lists.
 *
 * Every free is checked first: a page that is free already, is not the
 * first page of an allocation, or comes with the wrong order is reported
 * and the free refused, leaving the free lists intact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include "mm/mm_internal.h"
#include "mm/fault_inject.h"

#define ALLOC_WMARK_MIN WMARK_MIN
#define ALLOC_WMARK_LOW WMARK_LOW
#define ALLOC_WMARK_MASK 0x3
#define ALLOC_NO_WATERMARKS 0x4
#define ALLOC_MIN_RESERVE 0x8
#define ALLOC_NON_BLOCK 0x10

/* ---- free lists (zone->lock held) --------------------------------------- */

static void free_list_add(struct zone *z, struct page *p, unsigned int order)
{
	struct ksl_free_area *area = &z->free_area[order];

	p->lru.prev = NULL;
	p->lru.next = area->head;
	if (area->head)
		area->head->lru.prev = p;
	area->head = p;
	ksl_area_add(area, 1);
	ksl_page_set_flags(p,
			   PG_buddy | ((unsigned long)order << PG_ORDER_SHIFT));
}

static void free_list_del(struct zone *z, struct page *p, unsigned int order)
{
	struct ksl_free_area *area = &z->free_area[order];

	if (p->lru.prev)
		p->lru.prev->lru.next = p->lru.next;
	else
		area->head = p->lru.next;
	if (p->lru.next)
		p->lru.next->lru.prev = p->lru.prev;
	ksl_area_add(area, -1);
	ksl_page_set_flags(p, 0);
}

/* Put a block back, merging it with its free buddies. */
void ksl_free_one_locked(struct zone *z, struct page *page, unsigned long pfn,
			 unsigned int order)
{
	while (order < ksl_mm.max_order) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		struct page *buddy;
		unsigned long f;

		if (buddy_pfn < z->zone_start_pfn ||
		    buddy_pfn >= zone_end_pfn(z))
			break;
		buddy = ksl_pfn_to_page(buddy_pfn);
		f = ksl_page_flags(buddy);
		if (!(f & PG_buddy) || ksl_flags_order(f) != order)
			break;
		free_list_del(z, buddy, order);
		pfn &= buddy_pfn;
		order++;
	}
	page = ksl_pfn_to_page(pfn);
	free_list_add(z, page, order);
}

void ksl_zone_free_to_buddy(struct zone *z, struct page *page,
			    unsigned int order)
{
	pthread_mutex_lock(&z->lock);
	ksl_free_one_locked(z, page, ksl_page_to_pfn(page), order);
	atomic_fetch_add_explicit(&z->free_pages, 1L << order,
				  memory_order_relaxed);
	pthread_mutex_unlock(&z->lock);
}

/* A never-touched max-order block, or NULL. */
static struct page *take_pristine(struct zone *z)
{
	for (unsigned int i = 0; i < z->nr_pristine; i++) {
		struct ksl_pristine *r = &z->pristine[i];

		if (r->next < r->end) {
			unsigned long pfn = r->next;

			r->next += 1UL << ksl_mm.max_order;
			ksl_area_add(&z->free_area[ksl_mm.max_order], -1);
			return ksl_pfn_to_page(pfn);
		}
	}
	return NULL;
}

/* Split a block of order high down to order low, freeing the halves. */
static void expand(struct zone *z, struct page *page, unsigned int low,
		   unsigned int high)
{
	while (high > low) {
		high--;
		free_list_add(z, page + (1UL << high), high);
	}
}

/* __rmqueue_smallest(): the smallest free block that fits, split. */
struct page *ksl_rmqueue_buddy(struct zone *z, unsigned int order)
{
	for (unsigned int o = order; o <= ksl_mm.max_order; o++) {
		struct page *page = z->free_area[o].head;

		if (page)
			free_list_del(z, page, o);
		else if (o == ksl_mm.max_order)
			page = take_pristine(z);
		if (!page)
			continue;
		expand(z, page, order, o);
		atomic_fetch_sub_explicit(&z->free_pages, 1L << order,
					  memory_order_relaxed);
		return page;
	}
	return NULL;
}

/* ---- allocation ----------------------------------------------------------- */

static bool zone_watermark_ok(const struct zone *z, unsigned int order,
			      unsigned long mark, enum zone_type highest,
			      unsigned int alloc_flags)
{
	long free = atomic_load_explicit(&z->free_pages, memory_order_relaxed);
	long min = (long)mark;

	free -= (1L << order) - 1;
	if (alloc_flags & ALLOC_MIN_RESERVE) {
		min -= min / 2;
		if (alloc_flags & ALLOC_NON_BLOCK)
			min -= min / 4;
	}
	if (free <= min + (long)z->lowmem_reserve[highest])
		return false;
	if (!order)
		return true;
	for (unsigned int o = order; o <= ksl_mm.max_order; o++)
		if (ksl_area_nr_free(&z->free_area[o]))
			return true;
	return false;
}

static struct page *rmqueue(struct zone *z, unsigned int order)
{
	struct page *page;

	if (order <= PAGE_ALLOC_COSTLY_ORDER)
		return ksl_pcp_alloc(z, order);
	pthread_mutex_lock(&z->lock);
	page = ksl_rmqueue_buddy(z, order);
	pthread_mutex_unlock(&z->lock);
	return page;
}

static void prep_new_page(struct page *page, unsigned int order, gfp_t gfp,
			  enum zone_type zone)
{
	unsigned long head = PG_head |
			     ((unsigned long)order << PG_ORDER_SHIFT) |
			     ((unsigned long)zone << PG_ZONE_SHIFT);

	if ((gfp & __GFP_COMP) && order) {
		head |= PG_compound;
		for (unsigned long i = 1; i < 1UL << order; i++) {
			page[i].compound_head = (unsigned long)page | 1;
			ksl_page_set_flags(&page[i], PG_tail);
		}
	}
	ksl_page_set_flags(page, head);
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, ksl_mm.page_size << order);
}

static struct page *get_page_from_freelist(gfp_t gfp, unsigned int order,
					   unsigned int alloc_flags,
					   enum zone_type highest)
{
	for (int i = highest; i >= 0; i--) {
		struct zone *z = &ksl_mm.zones[i];
		struct page *page;

		if (!populated_zone(z))
			continue;
		if (!(alloc_flags & ALLOC_NO_WATERMARKS) &&
		    !zone_watermark_ok(
			    z, order,
			    z->watermark[alloc_flags & ALLOC_WMARK_MASK],
			    highest, alloc_flags))
			continue;
		page = rmqueue(z, order);
		if (page) {
			prep_new_page(page, order, gfp, z->idx);
			return page;
		}
	}
	return NULL;
}

static void warn_alloc(gfp_t gfp, unsigned int order)
{
	static atomic_uint rl;
	char flags[256];

	if ((gfp & __GFP_NOWARN) || !ksl_ratelimit(&rl, 10))
		return;
	kslab_gfp_format(gfp, flags, sizeof(flags));
	ksl_printk(
		"%s: page allocation failure: order:%u, mode:%#x(%s), nodemask=(null),cpuset=/,mems_allowed=0",
		ksl_comm(), order, gfp, flags);
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *z = &ksl_mm.zones[i];
		unsigned int k = ksl_mm.page_shift - 10;

		if (!populated_zone(z))
			continue;
		ksl_printk(
			"Node 0 %s free:%lukB min:%lukB low:%lukB high:%lukB managed:%lukB",
			z->name, atomic_load(&z->free_pages) << k,
			z->watermark[WMARK_MIN] << k,
			z->watermark[WMARK_LOW] << k,
			z->watermark[WMARK_HIGH] << k, z->managed_pages << k);
	}
}

static unsigned int gfp_to_alloc_flags(gfp_t gfp)
{
	unsigned int f = ALLOC_WMARK_MIN;

	if (gfp & __GFP_HIGH)
		f |= ALLOC_MIN_RESERVE;
	if (!(gfp & __GFP_DIRECT_RECLAIM))
		f |= ALLOC_NON_BLOCK;
	if ((gfp & __GFP_MEMALLOC) && !(gfp & __GFP_NOMEMALLOC))
		f |= ALLOC_NO_WATERMARKS;
	return f;
}

static struct page *alloc_pages_slowpath(gfp_t gfp, unsigned int order,
					 enum zone_type highest)
{
	unsigned int alloc_flags = gfp_to_alloc_flags(gfp);
	int tries = (gfp & __GFP_NOFAIL) ? 16 : 1;
	struct page *page;

	page = get_page_from_freelist(gfp, order, alloc_flags, highest);
	if (page || !(gfp & (__GFP_DIRECT_RECLAIM | __GFP_NOFAIL)))
		return page;
	while (tries--) {
		unsigned long freed;

		drain_all_pages(NULL);
		freed = ksl_run_shrinkers();
		page = get_page_from_freelist(gfp, order, alloc_flags, highest);
		if (page || !freed)
			break;
	}
	if (!page && (gfp & __GFP_NOFAIL))
		page = get_page_from_freelist(gfp, order, ALLOC_NO_WATERMARKS,
					      highest);
	return page;
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	enum zone_type highest = gfp_zone(gfp);
	struct page *page;

	ksl_ensure_booted();
	if (unlikely(order > ksl_mm.max_order)) {
		if (!(gfp & __GFP_NOWARN))
			ksl_pr_ratelimited(
				10,
				"WARNING: alloc_pages: order:%u above MAX_PAGE_ORDER %u",
				order, ksl_mm.max_order);
		return NULL;
	}
	if (unlikely(highest >= MAX_NR_ZONES)) {
		ksl_pr_ratelimited(
			10,
			"WARNING: alloc_pages: invalid zone modifiers in gfp %#x",
			gfp);
		return NULL;
	}
	/* fail_page_alloc (prepare_alloc_pages()): NULL, nothing reported */
	if (unlikely(__atomic_load_n(&ksl_fail_page_alloc_armed,
				     __ATOMIC_RELAXED)) &&
	    ksl_should_fail_alloc_page(gfp, order))
		return NULL;
	page = get_page_from_freelist(gfp, order, ALLOC_WMARK_LOW, highest);
	if (unlikely(!page))
		page = alloc_pages_slowpath(gfp, order, highest);
	if (unlikely(!page)) {
		for (int i = highest; i >= 0; i--)
			atomic_fetch_add(&ksl_mm.zones[i].alloc_fail, 1);
		warn_alloc(gfp, order);
	}
	return page;
}

struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp & ~__GFP_HIGHMEM, order);

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long __get_free_page(gfp_t gfp)
{
	return __get_free_pages(gfp, 0);
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}
