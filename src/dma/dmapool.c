// SPDX-License-Identifier: MIT
/*
 * dma_pool: small coherent blocks carved from coherent allocations
 * (mm/dmapool.c rules).
 *
 *   size        rounded up to at least 16 bytes (the free-block header),
 *               then to align (a power of two; 0 means 1)
 *   allocation  max(size, PAGE_SIZE): one dma_alloc_coherent() each
 *   boundary    a power of two >= size (0: allocation), capped at the
 *               allocation; no block crosses a multiple of it: blocks are
 *               laid from offset 0 at size strides, and a block that would
 *               cross the next boundary starts at that boundary instead
 *
 * Free blocks form one LIFO list for the whole pool, kept inside the free
 * blocks as the kernel keeps it (next pointer, DMA address); a new page's
 * blocks go on the list in address order, ahead of older ones. Pages are
 * only given back by dma_pool_destroy(), and not at all when blocks are
 * still in use ("dma_pool_destroy NAME busy").
 *
 * Reported here what DMAPOOL_DEBUG reports at dma_pool_free (pool_block_err):
 * a DMA address outside every allocation of the pool ("bad dma") and a
 * block already free. A CPU address that does not go with the DMA address
 * is not reported (the kernel has no check for it); kslab leaves that
 * block in use rather than corrupt the free list.
 */
#include <stdlib.h>
#include <string.h>
#include "dma/dma_internal.h"

struct dma_block {
	struct dma_block *next_block;
	dma_addr_t dma;
};

struct ksl_pool_page {
	struct ksl_pool_page *next;
	char *vaddr;
	dma_addr_t dma;
};

struct dma_pool {
	char name[32];
	struct device *dev;
	pthread_mutex_t lock;
	size_t size, allocation, boundary;
	struct dma_block *next_block;
	struct ksl_pool_page *pages;
	unsigned long nr_blocks, nr_active, nr_pages;
};

struct dma_pool *dma_pool_create(const char *name, struct device *dev,
				 size_t size, size_t align, size_t boundary)
{
	struct dma_pool *pool;
	size_t allocation;

	if (!name || !ksl_dev_ok(dev, "dma_pool_create"))
		return NULL;
	if (!align)
		align = 1;
	if (!KSL_IS_POW2(align) || !size || size > 0x7fffffff) {
		ksl_printk(
			"%s: dma_pool_create %s: bad size %zu or alignment %zu",
			dev->name, name, size, align);
		return NULL;
	}
	size = KSL_ALIGN(ksl_max(size, sizeof(struct dma_block)), align);
	allocation = ksl_max(size, (size_t)ksl_mm.page_size);
	if (!boundary)
		boundary = allocation;
	else if (boundary < size || !KSL_IS_POW2(boundary)) {
		ksl_printk(
			"%s: dma_pool_create %s: boundary %zu is not a power of two >= %zu",
			dev->name, name, boundary, size);
		return NULL;
	}
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return NULL;
	snprintf(pool->name, sizeof(pool->name), "%s", name);
	pool->dev = dev;
	pool->size = size;
	pool->allocation = allocation;
	pool->boundary = ksl_min(boundary, allocation);
	pthread_mutex_init(&pool->lock, NULL);
	return pool;
}

/* lay a fresh page's blocks out and put them on the free list */
static void pool_initialise_page(struct dma_pool *pool,
				 struct ksl_pool_page *pg)
{
	size_t next_boundary = pool->boundary, offset = 0;
	struct dma_block *first = NULL, *last = NULL;

	while (offset + pool->size <= pool->allocation) {
		struct dma_block *b;

		if (offset + pool->size > next_boundary) {
			offset = next_boundary;
			next_boundary += pool->boundary;
			continue;
		}
		b = (struct dma_block *)(pg->vaddr + offset);
		b->dma = pg->dma + offset;
		b->next_block = NULL;
		if (last)
			last->next_block = b;
		else
			first = b;
		last = b;
		offset += pool->size;
		pool->nr_blocks++;
	}
	last->next_block = pool->next_block;
	pool->next_block = first;
	pg->next = pool->pages;
	pool->pages = pg;
	pool->nr_pages++;
}

static struct ksl_pool_page *pool_alloc_page(struct dma_pool *pool, gfp_t gfp)
{
	struct ksl_pool_page *pg = calloc(1, sizeof(*pg));

	if (!pg)
		return NULL;
	pg->vaddr = dma_alloc_coherent(pool->dev, pool->allocation, &pg->dma,
				       gfp & ~__GFP_ZERO);
	if (!pg->vaddr) {
		free(pg);
		return NULL;
	}
	return pg;
}

void *dma_pool_alloc(struct dma_pool *pool, gfp_t mem_flags, dma_addr_t *handle)
{
	struct dma_block *b;

	if (!pool || !handle)
		return NULL;
	pthread_mutex_lock(&pool->lock);
	if (!pool->next_block) {
		struct ksl_pool_page *pg;

		pthread_mutex_unlock(&pool->lock);
		pg = pool_alloc_page(pool, mem_flags);
		if (!pg)
			return NULL;
		pthread_mutex_lock(&pool->lock);
		pool_initialise_page(pool, pg);
	}
	b = pool->next_block;
	pool->next_block = b->next_block;
	pool->nr_active++;
	*handle = b->dma;
	pthread_mutex_unlock(&pool->lock);
	if (mem_flags & __GFP_ZERO)
		memset(b, 0, pool->size);
	return b;
}

void *dma_pool_zalloc(struct dma_pool *pool, gfp_t mem_flags,
		      dma_addr_t *handle)
{
	return dma_pool_alloc(pool, mem_flags | __GFP_ZERO, handle);
}

/* is off (inside one allocation) the start of a block? */
static bool block_start(const struct dma_pool *pool, size_t off)
{
	size_t in = off % pool->boundary;

	return off + pool->size <= pool->allocation && in % pool->size == 0 &&
	       in + pool->size <= pool->boundary;
}

/*
 * pool_block_err() of DMAPOOL_DEBUG: a DMA address in none of the pool's
 * allocations ("bad dma"), or a block already on the free list. true when
 * reported. Anything else is taken, as the kernel takes it.
 */
static bool block_err(struct dma_pool *pool, char *vaddr, dma_addr_t dma,
		      struct ksl_pool_page **pgp)
{
	struct ksl_pool_page *pg;
	struct dma_block *b;

	for (pg = pool->pages; pg; pg = pg->next)
		if (dma >= pg->dma && dma - pg->dma < pool->allocation)
			break;
	if (!pg) {
		ksl_dma_api_error(pool->dev,
				  "dma_pool_free %s, %p/%#llx (bad dma)",
				  pool->name, vaddr, (unsigned long long)dma);
		return true;
	}
	for (b = pool->next_block; b; b = b->next_block)
		if ((char *)b == vaddr) {
			ksl_dma_api_error(
				pool->dev,
				"dma_pool_free %s, dma %#llx already free",
				pool->name, (unsigned long long)dma);
			return true;
		}
	*pgp = pg;
	return false;
}

void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t dma)
{
	struct dma_block *b = vaddr;
	struct ksl_pool_page *pg;
	size_t off;

	if (!pool || !vaddr)
		return;
	pthread_mutex_lock(&pool->lock);
	if (block_err(pool, vaddr, dma, &pg)) {
		pthread_mutex_unlock(&pool->lock);
		return;
	}
	/*
	 * The kernel would put any vaddr on the free list; kslab keeps the
	 * list sound: a vaddr that is not the block dma names is not taken
	 * back (the block stays in use: a leak, and no report, as the
	 * kernel's debug code has none for it).
	 */
	off = (size_t)(dma - pg->dma);
	if ((char *)vaddr != pg->vaddr + off || !block_start(pool, off)) {
		pthread_mutex_unlock(&pool->lock);
		return;
	}
	b->dma = dma;
	b->next_block = pool->next_block;
	pool->next_block = b;
	pool->nr_active--;
	pthread_mutex_unlock(&pool->lock);
}

void dma_pool_destroy(struct dma_pool *pool)
{
	bool busy;

	if (!pool)
		return;
	busy = pool->nr_active != 0;
	if (busy)
		ksl_printk("%s: dma_pool_destroy %s busy", pool->dev->name,
			   pool->name);
	while (pool->pages) {
		struct ksl_pool_page *pg = pool->pages;

		pool->pages = pg->next;
		/* with blocks in use the memory stays theirs: leaked, as the
		 * kernel leaks it */
		if (!busy)
			dma_free_coherent(pool->dev, pool->allocation,
					  pg->vaddr, pg->dma);
		free(pg);
	}
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}
