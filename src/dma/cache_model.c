// SPDX-License-Identifier: MIT
/*
 * The non-coherent cache model: cache lines with a state, and what the
 * arm64 cache maintenance around DMA does with them on a device that
 * does not snoop the caches (arch/arm64/mm/dma-mapping.c, cache.S).
 *
 *   map, sync_for_device      arch_sync_dma_for_device: dcache_clean_poc,
 *                             every direction: a dirty line is written
 *                             back and stays in the cache, clean
 *   unmap, sync_for_cpu       arch_sync_dma_for_cpu (not DMA_TO_DEVICE):
 *                             dcache_inval_poc: `dc civac` (write back if
 *                             dirty, then drop) on a line the buffer only
 *                             partly covers, `dc ivac` (drop) on a whole one
 *   kslab_cache_evict()       the cache drops a line on its own: written
 *                             back if dirty
 *
 * Only the lines a mapping partly covers are modelled (the first and the
 * last), as they are the ones the CPU has reason to write while the
 * device owns the buffer. Each such line has a state in every mapping
 * that shares it (struct ksl_line_snap), kept equal by applying each step
 * to all of them:
 *
 *   cache[]    the CPU's copy of the line, taken when it was last clean
 *              (what the CPU's writes land in)
 *   mem[]      memory, for the bytes the device wrote since (devmask[])
 *   dirty      the CPU wrote the line since it was clean
 *
 * Memory in kslab is one array, which the CPU and the device both write;
 * a byte the device did not write that differs from cache[] (or one it
 * wrote that differs from mem[]) was written by the CPU. absorb() folds
 * such writes into cache[] and marks the line dirty; it runs before every
 * step and before every device write into the line.
 *
 * A write-back of a dirty line puts the CPU's whole copy into memory: the
 * bytes the device wrote since the line was clean get the CPU's stale
 * copy back. Those bytes are lost: counted in lost_bytes (of the device
 * whose mapping covers them) and reported with the victim object and the
 * CPU write that dirtied the line. On arm64 6.x nothing the CPU wrote to
 * a partly covered line is lost (civac writes it back); the received data
 * is. After any step the line is clean and the CPU's copy is memory (a
 * dropped line is taken to be refetched at once).
 *
 * A coherent device, a bounced mapping (the maintenance is on the bounce
 * slot; the copy back is a CPU write into the buffer), a mapping whose
 * lines the buffer covers whole, and a boot without a cache line to model
 * (x86_64) hold no state and cost nothing. Callers hold ksl_dma.lock; the
 * state lives inside its mapping's entry (ksl_cache_map_extra()), so
 * taking one never allocates. Not modelled: CPU writes into the lines a
 * buffer covers whole (the `dc ivac` that throws them away).
 */
#include <string.h>
#include "dma/dma_internal.h"

#define KSL_LINE_PEERS 16 /* states of one line looked at per step */

/* the bytes a mapping entry carries for its line states */
size_t ksl_cache_map_extra(void)
{
	return ksl_dma.cache_align > 1 ? 6 * (size_t)ksl_dma.cache_align : 0;
}

/* a fresh (clean) state of the line at line_addr for m's snap[i] */

/*
 * A cache line is the hardware's unit: it spans the mapped buffer's
 * neighbours, which may be free slab objects (poisoned under ASan). The
 * model copies and compares whole lines with loops ASan does not watch,
 * as the hardware does not.
 */
static ksl_no_asan void line_copy(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const volatile unsigned char *s = src;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

static ksl_no_asan bool line_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

static struct ksl_line_snap *snap_line(struct ksl_dma_map *m, int i,
				       char *line_addr, size_t line, size_t lo,
				       size_t hi)
{
	struct ksl_line_snap *s = &m->snapbuf[i];
	unsigned char *base = m->lines + 3 * i * line;

	s->addr = line_addr;
	s->line = line;
	s->lo = lo;
	s->hi = hi;
	s->dirty = false;
	s->cpu_at = -1;
	s->ndev = 0;
	s->cache = base;
	s->mem = base + line;
	s->devmask = base + 2 * line; /* read only while ndev > 0 */
	line_copy(s->cache, line_addr, line);
	return s;
}

void ksl_cache_snap_free(struct ksl_dma_map *m)
{
	m->snap[0] = m->snap[1] = NULL;
}

/* m's fresh states of the lines its buffer only partly covers */
static void snapshot(struct ksl_dma_map *m)
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

/* fold the CPU's writes since the last look into the line's state */
static void absorb(struct ksl_line_snap *s)
{
	if (!s->ndev && line_equal(s->addr, s->cache, s->line))
		return;
	for (size_t b = 0; b < s->line; b++) {
		unsigned char now = (unsigned char)s->addr[b];
		bool dev = s->ndev && s->devmask[b];

		if (now == (dev ? s->mem[b] : s->cache[b]))
			continue;
		s->cache[b] = now;
		if (dev) {
			s->devmask[b] = 0;
			s->ndev--;
		}
		if (s->cpu_at < 0)
			s->cpu_at = (int)b;
		s->dirty = true;
	}
}

/* the states of the line at addr: self's (if any) and every live one */
static unsigned int line_peers(struct ksl_dma_map *self, char *addr,
			       struct ksl_line_snap **out,
			       struct ksl_dma_map **owner)
{
	unsigned int n = 0;

	for (int i = 0; self && !self->on_snapped && i < 2; i++)
		if (self->snap[i] && self->snap[i]->addr == addr) {
			owner[n] = self;
			out[n++] = self->snap[i];
		}
	for (struct ksl_dma_map *m = ksl_dma.snapped; m; m = m->snext)
		for (int i = 0; i < 2; i++)
			if (m->snap[i] && m->snap[i]->addr == addr &&
			    n < KSL_LINE_PEERS) {
				owner[n] = m;
				out[n++] = m->snap[i];
			}
	return n;
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

/* the mapping among the line's states whose buffer covers byte b */
static unsigned int owner_of(struct ksl_line_snap **p, unsigned int n, size_t b)
{
	for (unsigned int i = 0; i < n; i++)
		if (b >= p[i]->lo && b < p[i]->hi)
			return i;
	return 0;
}

static void report_loss(const struct ksl_dma_map *m,
			const struct ksl_line_snap *s, size_t b, size_t n,
			const char *when)
{
	char victim[160], writer[160];
	char *at = s->addr + b, *cpu = s->addr + ksl_max(s->cpu_at, 0);

	describe(at, victim, sizeof(victim));
	describe(cpu, writer, sizeof(writer));
	ksl_pr_ratelimited(
		100,
		"DMA: %s: %s: write-back of a cache line the CPU dirtied overwrote %zu byte%s the device had written at %p (%s mapping [device address=0x%016llx] [size=%zu bytes], mapped by %#lx): victim %s; the line was dirtied by a CPU write at %p, %s",
		m->dev->name, when, n, n == 1 ? "" : "s", (void *)at,
		ksl_dir_name(m->dir), (unsigned long long)m->dma, m->size,
		m->caller, victim, (void *)cpu, writer);
}

/* a dirty line goes to memory: the device bytes it overwrites, counted
 * and reported per run and per mapping */
static __attribute__((noinline)) size_t write_back(struct ksl_line_snap **p,
						   struct ksl_dma_map **own,
						   unsigned int n,
						   const char *when)
{
	struct ksl_line_snap *s = p[0];
	size_t lost = 0, run = 0, run_at = 0;
	unsigned int run_owner = 0;

	for (size_t b = 0; b <= s->line; b++) {
		bool gone = b < s->line && s->ndev && s->devmask[b] &&
			    s->mem[b] != s->cache[b];
		unsigned int o = gone ? owner_of(p, n, b) : 0;

		if (run && (!gone || o != run_owner)) {
			report_loss(own[run_owner], p[run_owner], run_at, run,
				    when);
			ksl_dev_count(own[run_owner]->dev, KSL_STAT(lost_bytes),
				      run);
			run = 0;
		}
		if (!gone)
			continue;
		if (!run) {
			run_at = b;
			run_owner = o;
		}
		run++;
		lost++;
	}
	line_copy(s->addr, s->cache, s->line);
	return lost;
}

/* the line is clean, and the CPU's copy is what memory holds */
static void reset_line(struct ksl_line_snap *s)
{
	if (!s->dirty && !s->ndev)
		return; /* absorb() found the copy equal to memory */
	line_copy(s->cache, s->addr, s->line);
	s->ndev = 0;
	s->dirty = false;
	s->cpu_at = -1;
}

/* one maintenance step (clean, clean+invalidate or eviction: the same to
 * the model) on the line at addr; the device bytes it destroyed */
static size_t line_step(struct ksl_dma_map *self, char *addr, const char *when)
{
	struct ksl_line_snap *p[KSL_LINE_PEERS];
	struct ksl_dma_map *own[KSL_LINE_PEERS];
	unsigned int n = line_peers(self, addr, p, own);
	size_t lost = 0;

	for (unsigned int i = 0; i < n; i++)
		absorb(p[i]);
	if (n && p[0]->dirty)
		lost = write_back(p, own, n, when);
	for (unsigned int i = 0; i < n; i++)
		reset_line(p[i]);
	return lost;
}

void ksl_cache_clean(struct ksl_dma_map *m, phys_addr_t phys, size_t size,
		     const char *when)
{
	uintptr_t line = ksl_dma.cache_align;
	char *buf = ksl_mm.phys_base + phys, *end = buf + size;
	char *l0 = (char *)KSL_ALIGN_DOWN((uintptr_t)buf, line);
	char *l1 = (char *)KSL_ALIGN_DOWN((uintptr_t)end - 1, line);

	if (line <= 1 || !size)
		return;
	if (ksl_dma.snapped) {
		if (buf != l0 || (l0 == l1 && end != l0 + line))
			line_step(NULL, l0, when);
		if (l1 != l0 && end != l1 + line)
			line_step(NULL, l1, when);
	}
	if (m)
		snapshot(m);
}

void ksl_cache_inval(struct ksl_dma_map *m, phys_addr_t phys, size_t size,
		     const char *when)
{
	char *from = ksl_mm.phys_base + phys, *to = from + size;

	for (int i = 0; i < 2; i++) {
		struct ksl_line_snap *s = m->snap[i];

		if (s && s->addr < to && s->addr + s->line > from)
			line_step(m, s->addr, when);
	}
}

void ksl_cache_device_write(phys_addr_t start, const void *data, size_t len)
{
	char *lo = phys_to_virt(start), *hi = lo + len;

	if (!ksl_dma.snapped) {
		memcpy(lo, data, len);
		return;
	}
	for (struct ksl_dma_map *m = ksl_dma.snapped; m; m = m->snext)
		for (int i = 0; i < 2; i++)
			if (m->snap[i] && m->snap[i]->addr < hi &&
			    m->snap[i]->addr + m->snap[i]->line > lo)
				absorb(m->snap[i]);
	memcpy(lo, data, len);
	for (struct ksl_dma_map *m = ksl_dma.snapped; m; m = m->snext)
		for (int i = 0; i < 2; i++) {
			struct ksl_line_snap *s = m->snap[i];
			char *a, *b;

			if (!s || s->addr >= hi || s->addr + s->line <= lo)
				continue;
			a = ksl_max(s->addr, lo);
			b = ksl_min(s->addr + s->line, hi);
			if (!s->ndev)
				memset(s->devmask, 0, s->line);
			for (char *c = a; c < b; c++) {
				size_t k = (size_t)(c - s->addr);

				s->ndev += !s->devmask[k];
				s->devmask[k] = 1;
				s->mem[k] = (unsigned char)*c;
			}
		}
}

size_t kslab_cache_evict(const void *addr, size_t size)
{
	const char *from = addr, *to = from + size;
	size_t lost = 0;

	ksl_ensure_booted();
	if (!addr || !size || to < from)
		return 0;
	ksl_dma_lock();
	for (struct ksl_dma_map *m = ksl_dma.snapped; m; m = m->snext)
		for (int i = 0; i < 2; i++) {
			struct ksl_line_snap *s = m->snap[i];

			if (s && s->addr < to && s->addr + s->line > from)
				lost += line_step(NULL, s->addr, "eviction");
		}
	ksl_dma_unlock();
	return lost;
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
