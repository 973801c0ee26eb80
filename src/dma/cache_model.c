// SPDX-License-Identifier: MIT
/*
 * The non-coherent cache model: what the cache maintenance around DMA
 * does to the CPU's writes, on a device that does not snoop the caches.
 *
 * Mapping a buffer DMA_FROM_DEVICE or DMA_BIDIRECTIONAL for such a device
 * without bouncing stands for the kernel's invalidate of every cache line
 * the buffer touches (arm64 arch_sync_dma_for_cpu). The lines the buffer
 * only partly covers hold other bytes too; on real hardware the invalidate
 * throws away whatever the CPU wrote to them while the mapping was live.
 *
 *   map / sync_for_device   snapshot those lines (the clean wrote the
 *                           CPU's data out, so memory is current)
 *   unmap / sync_for_cpu    every byte outside the buffer that differs
 *                           from the snapshot is put back to its snapshot
 *                           value: the CPU's write is lost, counted in
 *                           lost_bytes and reported with the victim
 *                           object (cache, address) and the mapping's
 *                           owner (device, caller)
 *
 * A bounced mapping never loses anything: the copy back touches only the
 * buffer. DMA_TO_DEVICE only cleans, which destroys nothing. A coherent
 * device, a mapping whose lines the buffer covers whole, and a boot
 * without a cache line to model (x86_64) snapshot nothing and cost
 * nothing at unmap.
 * The line size is dma_get_cache_alignment() (the CPU's cache line).
 * Callers hold ksl_dma.lock; the snapshot lives inside its mapping's
 * entry (room for two lines, ksl_cache_map_extra()), so taking one never
 * allocates. Unmap compares the bytes outside the buffer with memcmp and
 * walks them byte by byte only when something changed.
 */
#include <string.h>
#include "dma/dma_internal.h"

/* the bytes a mapping entry carries for its snapshot */
size_t ksl_cache_map_extra(void)
{
	return ksl_dma.cache_align > 1 ? 2 * (size_t)ksl_dma.cache_align : 0;
}

static struct ksl_line_snap *snap_line(struct ksl_dma_map *m, int i,
				       char *line_addr, size_t line, size_t lo,
				       size_t hi)
{
	struct ksl_line_snap *s = &m->snapbuf[i];

	s->addr = line_addr;
	s->line = line;
	s->lo = lo;
	s->hi = hi;
	s->bytes = m->lines + i * line;
	memcpy(s->bytes, line_addr, line);
	return s;
}

void ksl_cache_snap_free(struct ksl_dma_map *m)
{
	m->snap[0] = m->snap[1] = NULL;
}

void ksl_cache_snapshot(struct ksl_dma_map *m)
{
	size_t line = ksl_dma.cache_align;
	char *buf = ksl_mm.phys_base + m->phys, *end = buf + m->size;
	char *l0 = (char *)KSL_ALIGN_DOWN((uintptr_t)buf, line);
	char *l1 = (char *)KSL_ALIGN_DOWN((uintptr_t)end - 1, line);

	ksl_cache_snap_free(m);
	if (line <= 1 || !m->size)
		return;
	if (l0 == l1) {
		if (buf != l0 || end != l0 + line)
			m->snap[0] =
				snap_line(m, 0, l0, line, buf - l0, end - l0);
		return;
	}
	if (buf != l0)
		m->snap[0] = snap_line(m, 0, l0, line, buf - l0, line);
	if (end != l1 + line)
		m->snap[1] = snap_line(m, 1, l1, line, 0, end - l1);
}

/* "object 0x... of cache kmalloc-32" or a plain description */
static void describe(const void *addr, char *buf, size_t len)
{
	struct ksl_dma_obj o;

	if (ksl_dma_obj_lookup(addr, &o))
		snprintf(buf, len, "object %p (+%zu) of cache %s%s",
			 (void *)o.start,
			 (size_t)((const char *)addr - o.start), o.cache,
			 o.allocated ? "" : " (free)");
	else
		snprintf(buf, len, "memory outside any slab object");
}

static void report_loss(const struct ksl_dma_map *m, char *at, size_t n,
			const char *when)
{
	char victim[160], owner[160];

	describe(at, victim, sizeof(victim));
	describe(phys_to_virt(m->phys), owner, sizeof(owner));
	ksl_pr_ratelimited(
		100,
		"DMA: %s: %s of non-coherent %s mapping [device address=0x%016llx] [size=%zu bytes] invalidated %zu byte%s the CPU wrote at %p: victim %s; mapping owner %s, buffer %s, mapped by %#lx",
		m->dev->name, when, ksl_dir_name(m->dir),
		(unsigned long long)m->dma, m->size, n, n == 1 ? "" : "s",
		(void *)at, victim, m->dev->name, owner, m->caller);
}

/* restore one line's bytes outside [lo, hi); the number lost */
static __attribute__((noinline)) size_t
invalidate_line(const struct ksl_dma_map *m, struct ksl_line_snap *s,
		const char *when)
{
	size_t lost = 0, run = 0;
	char *run_at = NULL;

	for (size_t b = 0; b <= s->line; b++) {
		bool changed = b < s->line && (b < s->lo || b >= s->hi) &&
			       s->addr[b] != (char)s->bytes[b];

		if (changed) {
			if (!run)
				run_at = s->addr + b;
			s->addr[b] = (char)s->bytes[b];
			run++;
			lost++;
		} else if (run) {
			report_loss(m, run_at, run, when);
			run = 0;
		}
	}
	return lost;
}

/* did the CPU write beside the buffer in this line? */
static inline bool line_changed(const struct ksl_line_snap *s)
{
	return memcmp(s->addr, s->bytes, s->lo) ||
	       memcmp(s->addr + s->hi, s->bytes + s->hi, s->line - s->hi);
}

void ksl_cache_invalidate(struct ksl_dma_map *m, const char *when)
{
	size_t lost = 0;

	for (int i = 0; i < 2; i++)
		if (m->snap[i] && line_changed(m->snap[i]))
			lost += invalidate_line(m, m->snap[i], when);
	if (lost)
		ksl_dev_count(m->dev, KSL_STAT(lost_bytes), lost);
}

/* is any other allocated object inside [from, to)? (part of one line) */
static bool live_object_in(char *from, char *to, const char *own,
			   struct ksl_dma_obj *hit)
{
	char *a = from;

	while (a < to) {
		if (!ksl_dma_obj_lookup(a, hit)) {
			a++;
			continue;
		}
		if (hit->allocated && hit->start != own)
			return true;
		a = hit->start + (hit->stride ? hit->stride : 1);
	}
	return false;
}

void ksl_cache_check_shared(struct ksl_dma_map *m)
{
	struct ksl_dma_obj own, hit;
	const char *own_start = NULL;
	bool own_known = false;

	for (int i = 0; i < 2; i++) {
		struct ksl_line_snap *s = m->snap[i];

		/* a line lies in one page: no slab there, no object in it */
		if (!s || !ksl_dma_in_slab_page(s->addr))
			continue;
		if (!own_known) {
			if (ksl_dma_obj_lookup(phys_to_virt(m->phys), &own))
				own_start = own.start;
			own_known = true;
		}
		if (!live_object_in(s->addr, s->addr + s->lo, own_start,
				    &hit) &&
		    !live_object_in(s->addr + s->hi, s->addr + s->line,
				    own_start, &hit))
			continue;
		ksl_dev_count(m->dev, KSL_STAT(shared_line_warnings), 1);
		ksl_pr_ratelimited(
			100,
			"DMA-API: %s: non-coherent %s mapping [device address=0x%016llx] [size=%zu bytes] (mapped by %#lx) shares cache line %p with live object %p of cache %s",
			m->dev->name, ksl_dir_name(m->dir),
			(unsigned long long)m->dma, m->size, m->caller,
			(void *)s->addr, (void *)hit.start, hit.cache);
		return;
	}
}

/* The runtime __dma check: a __GFP_PACKED object is not for DMA. */
void ksl_cache_check_packed(struct device *dev, phys_addr_t phys, size_t size,
			    unsigned long caller)
{
	struct ksl_dma_obj o;
	char *buf = phys_to_virt(phys);

	if (!ksl_dma.packed_policy || dev->coherent)
		return;
	if (!ksl_dma_obj_lookup(buf, &o) || !ksl_dma_obj_is_packed(&o))
		return;
	ksl_dma_api_error(
		dev,
		"mapping %p+%zu (mapped by %#lx) for DMA to a non-coherent device: object %p of cache %s was allocated with __GFP_PACKED and is not DMA-safe",
		(void *)buf, size, caller, (void *)o.start, o.cache);
}
