// SPDX-License-Identifier: MIT
/*
 * Per-CPU page lists (the kernel's pcp lists).
 *
 * Each simulated CPU keeps, for each zone, a list per order up to
 * PAGE_ALLOC_COSTLY_ORDER of pages it freed recently. Allocation pops
 * from the list and refills it `batch` at a time under one zone->lock;
 * a free pushes, and once the CPU holds `high` pages it returns `batch`
 * worth to the buddy lists. So the common order-0 path takes only the
 * CPU's own lock, which no other CPU touches except drain_all_pages().
 *
 *   zone->pcp[cpu].lists[order] -> page -> page -> ... (PG_pcp|order)
 *
 * Pages on a pcp list are not free as far as the zone's NR_FREE_PAGES,
 * watermarks and /proc/buddyinfo are concerned, as in the kernel.
 */
#include <stdlib.h>
#include "mm/mm_internal.h"

static void pcp_push(struct per_cpu_pages *pcp, struct page *page,
		     unsigned int order)
{
	page->lru.next = pcp->lists[order];
	pcp->lists[order] = page;
	pcp->count += 1 << order;
	ksl_page_set_flags(page,
			   PG_pcp | ((unsigned long)order << PG_ORDER_SHIFT));
}

static struct page *pcp_pop(struct per_cpu_pages *pcp, unsigned int order)
{
	struct page *page = pcp->lists[order];

	if (page) {
		pcp->lists[order] = page->lru.next;
		pcp->count -= 1 << order;
		ksl_page_set_flags(page, 0);
	}
	return page;
}

static void pcp_refill(struct zone *z, struct per_cpu_pages *pcp,
		       unsigned int order)
{
	int n = order ? ksl_max(pcp->batch >> order, 2) : pcp->batch;

	pthread_mutex_lock(&z->lock);
	while (n--) {
		struct page *page = ksl_rmqueue_buddy(z, order);

		if (!page)
			break;
		pcp_push(pcp, page, order);
	}
	pthread_mutex_unlock(&z->lock);
}

/* Give `nr` pages worth back to the buddy lists, highest orders last. */
static void pcp_free_bulk(struct zone *z, struct per_cpu_pages *pcp, int nr)
{
	unsigned int order = 0;

	pthread_mutex_lock(&z->lock);
	while (nr > 0 && pcp->count) {
		struct page *page = pcp_pop(pcp, order);

		if (!page) {
			order = (order + 1) % KSL_PCP_ORDERS;
			continue;
		}
		ksl_free_one_locked(z, page, ksl_page_to_pfn(page), order);
		atomic_fetch_add_explicit(&z->free_pages, 1L << order,
					  memory_order_relaxed);
		nr -= 1 << order;
	}
	pthread_mutex_unlock(&z->lock);
}

struct page *ksl_pcp_alloc(struct zone *z, unsigned int order)
{
	struct per_cpu_pages *pcp = &z->pcp[ksl_this_cpu_fast()];
	struct page *page;

	ksl_spin_lock(&pcp->lock);
	if (!pcp->lists[order])
		pcp_refill(z, pcp, order);
	page = pcp_pop(pcp, order);
	ksl_spin_unlock(&pcp->lock);
	return page;
}

void ksl_pcp_free(struct zone *z, struct page *page, unsigned int order)
{
	struct per_cpu_pages *pcp = &z->pcp[ksl_this_cpu_fast()];

	ksl_spin_lock(&pcp->lock);
	pcp_push(pcp, page, order);
	if (pcp->count >= pcp->high)
		pcp_free_bulk(z, pcp,
			      ksl_max(pcp->count - pcp->high + pcp->batch,
				      pcp->batch));
	ksl_spin_unlock(&pcp->lock);
}

void ksl_pcp_drain_zone_cpu(struct zone *z, unsigned int cpu)
{
	struct per_cpu_pages *pcp = &z->pcp[cpu];

	ksl_spin_lock(&pcp->lock);
	pcp_free_bulk(z, pcp, pcp->count);
	ksl_spin_unlock(&pcp->lock);
}

void drain_all_pages(void *zone_unused)
{
	ksl_ensure_booted();
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &ksl_mm.zones[i];

		if (!populated_zone(z))
			continue;
		for (unsigned int cpu = 0; cpu < ksl_mm.nr_cpus; cpu++)
			ksl_pcp_drain_zone_cpu(z, cpu);
	}
}

unsigned long ksl_pcp_count(const struct zone *z)
{
	unsigned long n = 0;

	if (!z->pcp)
		return 0;
	for (unsigned int cpu = 0; cpu < ksl_mm.nr_cpus; cpu++)
		n += __atomic_load_n(&z->pcp[cpu].count, __ATOMIC_RELAXED);
	return n;
}

int ksl_pcp_init(void)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &ksl_mm.zones[i];

		z->pcp = aligned_alloc(64, sizeof(*z->pcp) * ksl_mm.nr_cpus);
		if (!z->pcp)
			return -1;
		for (unsigned int cpu = 0; cpu < ksl_mm.nr_cpus; cpu++) {
			struct per_cpu_pages *pcp = &z->pcp[cpu];

			*pcp = (struct per_cpu_pages){ 0 };
			pcp->batch = z->pcp_batch;
			pcp->high_min = z->pcp_high_min;
			pcp->high_max = z->pcp_high_max;
			pcp->high = z->pcp_high_min;
		}
	}
	return 0;
}

void ksl_pcp_shutdown(void)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		free(ksl_mm.zones[i].pcp);
		ksl_mm.zones[i].pcp = NULL;
	}
}
