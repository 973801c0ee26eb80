// SPDX-License-Identifier: MIT
/*
 * The swiotlb bounce buffer (kernel/dma/swiotlb.c rules).
 *
 * The pool is swiotlb_nslabs slots of IO_TLB_SIZE (2 KiB), grouped in
 * segments of IO_TLB_SEGSIZE (128) slots; a mapping takes contiguous
 * slots of one segment, so the largest is 256 KiB. It is placed low
 * enough for 32-bit devices (arm64: ZONE_DMA, x86_64: ZONE_DMA32), as
 * naturally aligned page blocks ("chunks") of a whole number of segments,
 * so slot addresses have the alignment they would have in one range. The
 * memory is taken at the first bounce (see pool_ready()), halving the
 * size until it fits as swiotlb_init_remap() does.
 *
 *   slots[i].list  free slots from i to the end of its free run, never
 *                  counting past its segment (0: i is in use)
 *
 * The pool is split in nareas areas (a power of two, each a whole number
 * of segments), each with its own lock and search cursor; a CPU starts in
 * area cpu & (nareas - 1) and tries the others in turn.
 *
 * Slot search (swiotlb_search_pool_area): slot-aligned, page-aligned for
 * mappings of a page or more when the device has no min_align_mask, the
 * bits of the device's min_align_mask above the slot kept equal to the
 * buffer's, and the offset inside the slot kept too (the tlb address is
 * slot + (orig & min_align_mask & (IO_TLB_SIZE - 1))).
 */
#include <stdlib.h>
#include <string.h>
#include "dma/dma_internal.h"

struct ksl_io_tlb_slot {
	unsigned short list;
};

struct ksl_io_tlb_area {
	ksl_spinlock_t lock;
	unsigned int index; /* search cursor, within the area */
	unsigned int used;
} __attribute__((aligned(64)));

#define IO_TLB_MIN_SLABS ((1UL << 20) >> IO_TLB_SHIFT)

static struct {
	bool active, force;
	atomic_bool ready; /* pool_allocate() has run */
	pthread_mutex_t init_lock;
	unsigned long want_nslabs; /* from the boot */
	unsigned long nslabs;	   /* allocated (0 until ready, or failed) */
	unsigned int nareas, area_nslabs;
	struct ksl_io_tlb_slot *slots;
	struct ksl_io_tlb_area *areas;
	struct page **chunks; /* naturally aligned page blocks */
	unsigned int nr_chunks, chunk_order, slots_per_chunk;
	atomic_ulong used, hiwater, full;
	atomic_ulong copied_in, copied_out; /* bytes to the slots, back */
} pool = { .init_lock = PTHREAD_MUTEX_INITIALIZER };

static unsigned long nr_slots(unsigned long bytes)
{
	return (bytes + IO_TLB_SIZE - 1) >> IO_TLB_SHIFT;
}

static phys_addr_t slot_phys(unsigned long i)
{
	return page_to_phys(pool.chunks[i / pool.slots_per_chunk]) +
	       ((phys_addr_t)(i % pool.slots_per_chunk) << IO_TLB_SHIFT);
}

bool ksl_swiotlb_active(void)
{
	return pool.active;
}

/* swiotlb_max_mapping_size(): a segment, less the slots min_align_mask
 * may skip */
size_t ksl_swiotlb_max_mapping_size(const struct device *dev)
{
	size_t min_align = 0;

	if (dev->min_align_mask)
		min_align = KSL_ALIGN((size_t)dev->min_align_mask, IO_TLB_SIZE);
	return ((size_t)IO_TLB_SEGSIZE << IO_TLB_SHIFT) - min_align;
}

/* the largest chunk that divides the pool and the page allocator serves */
static unsigned int pick_chunk_order(unsigned long bytes)
{
	unsigned long chunk = ksl_mm.page_size << ksl_mm.max_order;

	while (chunk > ksl_mm.page_size && bytes % chunk)
		chunk >>= 1;
	return (unsigned int)ksl_fls64(chunk >> ksl_mm.page_shift) - 1;
}

/* limit_nareas(): no more areas than whole segments */
static unsigned int limit_nareas(unsigned int nareas, unsigned long nslabs)
{
	if (nslabs < (unsigned long)nareas * IO_TLB_SEGSIZE)
		return (unsigned int)(nslabs / IO_TLB_SEGSIZE);
	return nareas;
}

static void free_chunks(unsigned int n)
{
	while (n--)
		__free_pages(pool.chunks[n], pool.chunk_order);
}

/* all the chunks of bytes, or none */
static bool alloc_chunks(unsigned long bytes)
{
	gfp_t gfp = (ksl_mm.arch->has_zone_dma_bits ? GFP_DMA : GFP_DMA32) |
		    __GFP_NOWARN;
	unsigned long chunk;

	pool.chunk_order = pick_chunk_order(bytes);
	chunk = ksl_mm.page_size << pool.chunk_order;
	pool.nr_chunks = (unsigned int)(bytes / chunk);
	pool.slots_per_chunk = (unsigned int)(chunk >> IO_TLB_SHIFT);
	for (unsigned int i = 0; i < pool.nr_chunks; i++) {
		pool.chunks[i] = alloc_pages(gfp, pool.chunk_order);
		if (!pool.chunks[i]) {
			free_chunks(i);
			pool.nr_chunks = 0;
			return false;
		}
	}
	return true;
}

/*
 * As swiotlb_init_remap(): halve until it fits, down to IO_TLB_MIN_SLABS,
 * with fewer areas when the slots no longer fill them. The boot already
 * sized the pool to the memory below the limit; this halves further only
 * when that memory has been taken since.
 */
static void pool_allocate(void)
{
	unsigned long nslabs = pool.want_nslabs;
	unsigned int nareas = pool.nareas;

	pool.chunks = calloc(nslabs / IO_TLB_SEGSIZE + 1, sizeof(*pool.chunks));
	while (pool.chunks && !alloc_chunks(nslabs << IO_TLB_SHIFT)) {
		if (nslabs <= IO_TLB_MIN_SLABS) {
			ksl_printk(
				"software IO TLB: cannot allocate a bounce buffer");
			return;
		}
		nslabs = KSL_ALIGN(nslabs >> 1, (unsigned long)IO_TLB_SEGSIZE);
		nareas = limit_nareas(nareas, nslabs);
	}
	if (!pool.chunks)
		return;
	if (nslabs < pool.want_nslabs)
		ksl_printk(
			"software IO TLB: SWIOTLB bounce buffer size adjusted %lu -> %lu slabs",
			pool.want_nslabs, nslabs);
	pool.nareas = nareas;
	pool.area_nslabs = (unsigned int)(nslabs / pool.nareas);
	pool.slots = calloc(nslabs, sizeof(*pool.slots));
	pool.areas = aligned_alloc(64, pool.nareas * sizeof(*pool.areas));
	if (!pool.slots || !pool.areas) {
		free_chunks(pool.nr_chunks);
		return;
	}
	memset(pool.areas, 0, pool.nareas * sizeof(*pool.areas));
	for (unsigned long i = 0; i < nslabs; i++)
		pool.slots[i].list =
			IO_TLB_SEGSIZE - (i & (IO_TLB_SEGSIZE - 1));
	pool.nslabs = nslabs;
}

/*
 * The pool's memory is taken at the first mapping that needs it, not at
 * boot, so that machines that never bounce keep their zones as the memory
 * layer left them. Whether a pool exists (is_swiotlb_active) is decided
 * at boot all the same.
 */
static bool pool_ready(void)
{
	if (atomic_load_explicit(&pool.ready, memory_order_acquire))
		return pool.nslabs != 0;
	pthread_mutex_lock(&pool.init_lock);
	if (!atomic_load_explicit(&pool.ready, memory_order_relaxed)) {
		pool_allocate();
		atomic_store_explicit(&pool.ready, true, memory_order_release);
	}
	pthread_mutex_unlock(&pool.init_lock);
	return pool.nslabs != 0;
}

int ksl_swiotlb_init(void)
{
	ksl_swiotlb_shutdown();
	if (!ksl_mm.swiotlb_allocated || !ksl_mm.swiotlb_nslabs)
		return 0;
	pool.want_nslabs = ksl_mm.swiotlb_nslabs;
	pool.nareas = ksl_mm.swiotlb_nareas ? ksl_mm.swiotlb_nareas : 1;
	pool.force = ksl_mm.swiotlb_force;
	pool.active = true;
	ksl_dma.swiotlb_force = pool.force; /* ksl_swiotlb_force_bounce() */
	return 0;
}

void ksl_swiotlb_shutdown(void)
{
	/* the pages go with the machine */
	free(pool.slots);
	free(pool.areas);
	free(pool.chunks);
	pool.slots = NULL;
	pool.areas = NULL;
	pool.chunks = NULL;
	pool.active = pool.force = false;
	ksl_dma.swiotlb_force = false;
	pool.nslabs = pool.want_nslabs = 0;
	pool.nareas = pool.area_nslabs = 0;
	pool.nr_chunks = 0;
	atomic_store(&pool.ready, false);
	atomic_store(&pool.used, 0);
	atomic_store(&pool.hiwater, 0);
	atomic_store(&pool.full, 0);
	atomic_store(&pool.copied_in, 0);
	atomic_store(&pool.copied_out, 0);
}

static unsigned int wrap(unsigned int index)
{
	return index >= pool.area_nslabs ? 0 : index;
}

/* swiotlb_search_pool_area(): a slot index, or -1 */
static int search_area(unsigned int area, phys_addr_t orig, size_t alloc_size,
		       unsigned int min_align_mask,
		       unsigned long alloc_align_mask)
{
	struct ksl_io_tlb_area *ar = &pool.areas[area];
	unsigned long align_mask = alloc_align_mask,
		      iotlb_mask = min_align_mask;
	unsigned int nslots = (unsigned int)nr_slots(alloc_size), stride;
	unsigned long base = (unsigned long)area * pool.area_nslabs;
	unsigned int index, checked, count = 0;
	long found = -1;

	if (!align_mask && !iotlb_mask && alloc_size >= ksl_mm.page_size)
		align_mask = ksl_mm.page_size - 1;
	align_mask |= IO_TLB_SIZE - 1;
	iotlb_mask &= ~align_mask;
	stride = (unsigned int)nr_slots(ksl_max(align_mask, iotlb_mask) + 1);
	if (nslots > IO_TLB_SEGSIZE)
		return -1;
	ksl_spin_lock(&ar->lock);
	if (nslots > pool.area_nslabs - ar->used)
		goto out;
	index = ar->index;
	for (checked = 0; checked < pool.area_nslabs;) {
		unsigned long i = base + index;
		phys_addr_t a = slot_phys(i);

		if ((a & align_mask) ||
		    (orig && (a & iotlb_mask) != (orig & iotlb_mask))) {
			index = wrap(index + 1);
			checked++;
			continue;
		}
		if (pool.slots[i].list >= nslots) {
			found = (long)i;
			break;
		}
		index = wrap(index + stride);
		checked += stride;
	}
	if (found < 0)
		goto out;
	for (unsigned long i = (unsigned long)found;
	     i < (unsigned long)found + nslots; i++)
		pool.slots[i].list = 0;
	for (long i = found - 1;
	     i >= 0 && (i & (IO_TLB_SEGSIZE - 1)) != IO_TLB_SEGSIZE - 1 &&
	     pool.slots[i].list;
	     i--)
		pool.slots[i].list = (unsigned short)++count;
	ar->index = wrap(index + nslots);
	ar->used += nslots;
out:
	ksl_spin_unlock(&ar->lock);
	return (int)found;
}

static void count_used(unsigned int nslots)
{
	unsigned long used = atomic_fetch_add(&pool.used, nslots) + nslots;
	unsigned long hi = atomic_load(&pool.hiwater);

	while (used > hi &&
	       !atomic_compare_exchange_weak(&pool.hiwater, &hi, used))
		;
}

int ksl_swiotlb_map(struct device *dev, phys_addr_t orig, size_t size,
		    unsigned long alloc_align_mask, unsigned long attrs,
		    phys_addr_t *tlb, unsigned int *nslots)
{
	unsigned int offset =
		(unsigned int)(orig & dev->min_align_mask &
			       (alloc_align_mask | (IO_TLB_SIZE - 1)));
	size_t alloc = KSL_ALIGN(size + offset, alloc_align_mask + 1);
	unsigned int area;
	int slot = -1;

	if (!pool_ready()) {
		atomic_fetch_add(&pool.full, 1);
		return -1;
	}
	area = ksl_this_cpu() & (pool.nareas - 1);
	for (unsigned int i = 0; i < pool.nareas && slot < 0; i++) {
		slot = search_area(area, orig, alloc, dev->min_align_mask,
				   alloc_align_mask);
		area = (area + 1) & (pool.nareas - 1);
	}
	if (slot < 0) {
		atomic_fetch_add(&pool.full, 1);
		if (!(attrs & DMA_ATTR_NO_WARN))
			ksl_pr_ratelimited(
				20,
				"%s: swiotlb buffer is full (sz: %zu bytes), total %lu (slots), used %lu (slots)",
				dev->name, alloc, pool.nslabs,
				atomic_load(&pool.used));
		return -1;
	}
	*nslots = (unsigned int)nr_slots(alloc);
	count_used(*nslots);
	*tlb = slot_phys((unsigned long)slot) + offset;
	return slot;
}

void ksl_swiotlb_release(int slot, unsigned int nslots)
{
	unsigned long i = (unsigned long)slot;
	struct ksl_io_tlb_area *ar;
	unsigned int count;
	long j;

	if (slot < 0 || i >= pool.nslabs)
		return;
	ar = &pool.areas[ksl_min(i / pool.area_nslabs, pool.nareas - 1UL)];
	ksl_spin_lock(&ar->lock);
	/* the free run after the released slots, within the segment */
	if (((i + nslots) & (IO_TLB_SEGSIZE - 1)) && i + nslots < pool.nslabs)
		count = pool.slots[i + nslots].list;
	else
		count = 0;
	for (j = (long)(i + nslots) - 1; j >= (long)i; j--)
		pool.slots[j].list = (unsigned short)++count;
	for (j = (long)i - 1;
	     j >= 0 && (j & (IO_TLB_SEGSIZE - 1)) != IO_TLB_SEGSIZE - 1 &&
	     pool.slots[j].list;
	     j--)
		pool.slots[j].list = (unsigned short)++count;
	ar->used -= nslots;
	ksl_spin_unlock(&ar->lock);
	atomic_fetch_sub(&pool.used, nslots);
}

void ksl_swiotlb_bounce(phys_addr_t orig, phys_addr_t tlb, size_t size,
			bool to_device)
{
	char *o = phys_to_virt(orig), *t = phys_to_virt(tlb);

	if (to_device)
		memcpy(t, o, size);
	else
		memcpy(o, t, size);
	atomic_fetch_add_explicit(to_device ? &pool.copied_in :
					      &pool.copied_out,
				  size, memory_order_relaxed);
}

void ksl_show_swiotlb(FILE *out)
{
	struct kslab_dma_stats st;

	kslab_dma_stats(NULL, &st);
	fprintf(out, "io_tlb_nslabs: %lu\n",
		atomic_load(&pool.ready) ? pool.nslabs : pool.want_nslabs);
	fprintf(out, "io_tlb_used: %lu\n", atomic_load(&pool.used));
	fprintf(out, "io_tlb_used_hiwater: %lu\n", atomic_load(&pool.hiwater));
	fprintf(out, "io_tlb_nareas: %u\n", pool.nareas);
	fprintf(out, "io_tlb_segsize: %u\n", IO_TLB_SEGSIZE);
	fprintf(out, "io_tlb_slot_size: %lu\n", IO_TLB_SIZE);
	fprintf(out, "force: %s\n", pool.force ? "yes" : "no");
	fprintf(out, "bounces: %lu\n", st.bounces);
	fprintf(out, "bounced_bytes: %lu\n", st.bounced_bytes);
	fprintf(out, "full_failures: %lu\n", atomic_load(&pool.full));
	fprintf(out, "copied_to_slots_bytes: %lu\n",
		atomic_load(&pool.copied_in));
	fprintf(out, "copied_back_bytes: %lu\n", atomic_load(&pool.copied_out));
	for (unsigned int i = 0; i < pool.nr_chunks;) {
		phys_addr_t start = page_to_phys(pool.chunks[i]), end = start;

		/* one line per physically contiguous run of chunks */
		do {
			end += (phys_addr_t)pool.slots_per_chunk
			       << IO_TLB_SHIFT;
			i++;
		} while (i < pool.nr_chunks &&
			 page_to_phys(pool.chunks[i]) == end);
		fprintf(out, "pool: [mem 0x%016llx-0x%016llx]\n",
			(unsigned long long)start, (unsigned long long)end - 1);
	}
	if (ksl_mm.swiotlb_failed)
		fprintf(out,
			"(no bounce buffer: it could not be allocated below the DMA limit at boot)\n");
	else if (!pool.active)
		fprintf(out, "(no bounce buffer on this machine)\n");
	else if (atomic_load(&pool.ready) && !pool.nslabs)
		fprintf(out,
			"(no bounce buffer: it could not be allocated at the first bounce)\n");
	else if (!atomic_load(&pool.ready))
		fprintf(out,
			"pool: not allocated yet (taken at the first bounce)\n");
}
