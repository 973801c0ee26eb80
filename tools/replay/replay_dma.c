// SPDX-License-Identifier: MIT
/*
 * kslab replay --dma (replay_dma.h): the dma events played between the
 * slab events of one policy's replay, on the machine that replay booted.
 *
 * Invariants: pm[i].live is set exactly for the map, map_sg and alloc
 * events i that were played and not yet undone; a page a mapping was
 * given (outside any slab object) is freed when that mapping is undone,
 * and at the end every live mapping is undone, so the machine the slab
 * replay measures holds nothing of the DMA replay afterwards.
 *
 * A mapping bounced when the device's bounce counter moved
 * (kslab_dma_stats()); the pool's peak and overflows are the library's
 * own counters (kslab_show("swiotlb")).
 */
#include <stdlib.h>
#include <string.h>
#include <kslab/kslab.h>
#include "replay/replay_dma.h"
#include "trace/trace_dma.h"

#define IO_TLB_SLOT 2048
#define IO_TLB_SEGSIZE 128

struct played {
	dma_addr_t dma;		 /* single map, coherent alloc */
	void *cpu;		 /* coherent alloc */
	struct scatterlist *sgl; /* map_sg (owned[] after the entries) */
	struct page *page;	 /* single map on pages of its own */
	uint32_t nents;
	uint8_t live, order;
};

struct replay_dma_state {
	const struct trace_stream *s;
	const struct trace_dma *d;
	void *const *obj;
	struct kmem_cache *const *objcache;
	struct replay_dma_result *r;
	struct played *pm;    /* by dma event index */
	struct device **devs; /* by device id */
	uint8_t *dev_row;     /* by device id: row in r->devs, 0xff none */
	size_t next;	      /* the next dma event to play */
	unsigned long page_size;
	unsigned int nr_cpus;
};

const char *replay_dma_coherent_name(enum replay_dma_coherent c)
{
	return c == REPLAY_DMA_COHERENT	   ? "yes" :
	       c == REPLAY_DMA_NONCOHERENT ? "no" :
					     "traced";
}

int replay_dma_coherent_parse(const char *v, enum replay_dma_coherent *c)
{
	if (!strcmp(v, "yes"))
		*c = REPLAY_DMA_COHERENT;
	else if (!strcmp(v, "no"))
		*c = REPLAY_DMA_NONCOHERENT;
	else if (!strcmp(v, "traced"))
		*c = REPLAY_DMA_AS_TRACED;
	else
		return -1;
	return 0;
}

/* ---- devices ------------------------------------------------------------ */

static bool want_coherent(const struct replay_dma_opts *o,
			  const struct trace_dma_dev *tv)
{
	if (o->coherent == REPLAY_DMA_AS_TRACED)
		return !tv->noncoherent;
	return o->coherent == REPLAY_DMA_COHERENT;
}

/* behind an IOMMU as the trace says, when this kslab models one */
static bool attach_iommu(struct device *dev)
{
#ifdef KSLAB_IOMMU_UNTRUSTED
	return kslab_device_attach_iommu(dev, 0) == 0;
#else
	(void)dev;
	return false;
#endif
}

static int make_devices(struct replay_dma_state *st,
			const struct replay_dma_opts *o)
{
	const struct trace_dma *d = st->d;
	uint32_t n = d->devs.nr;

	st->devs = calloc(n + 1, sizeof(*st->devs));
	st->dev_row = malloc(n + 1);
	if (!st->devs || !st->dev_row)
		return -1;
	memset(st->dev_row, 0xff, n + 1);
	for (uint32_t id = 1; id <= n; id++) {
		const struct trace_dma_dev *tv = &d->dev[id];
		const char *name = trace_dma_dev_name(d, id);
		bool coh = want_coherent(o, tv);
		struct device *dev = kslab_device_create(
			name, tv->mask_bits ? tv->mask_bits : 64, coh);
		struct replay_dma_dev_row *row;

		st->devs[id] = dev;
		if (!dev || st->r->nr_devs == REPLAY_DMA_DEVS)
			continue;
		st->dev_row[id] = (uint8_t)st->r->nr_devs;
		row = &st->r->devs[st->r->nr_devs++];
		snprintf(row->name, sizeof(row->name), "%s", name);
		row->iommu = tv->iommu;
		row->iommu_modelled = tv->iommu && attach_iommu(dev);
		row->coherent = dev_is_dma_coherent(dev);
	}
	return 0;
}

static struct replay_dma_dev_row *row_of(struct replay_dma_state *st,
					 uint32_t dev)
{
	static struct replay_dma_dev_row none;

	return st->dev_row[dev] == 0xff ? &none :
					  &st->r->devs[st->dev_row[dev]];
}

/* ---- one mapping ---------------------------------------------------------- */

/*
 * A partly covered cache line reaching beyond the object's slot [obj,
 * obj + slot): on a non-coherent device with nothing bounced, bytes of
 * another slot share a line with the device's data. Those bytes, or 0.
 */
static uint64_t exposed_bytes(uintptr_t line, uintptr_t obj, size_t slot,
			      uintptr_t buf, size_t size)
{
	uintptr_t lo = buf & ~(line - 1);
	uintptr_t hi = (buf + size + line - 1) & ~(line - 1);
	uint64_t n = 0;

	if (line <= 1 || !size)
		return 0;
	if (lo < obj)
		n += obj - lo;
	if (hi > obj + slot)
		n += hi - (obj + slot);
	return n;
}

/* the object's slot: its cache's stride, or what kmalloc gave */
static size_t slot_size(const struct replay_dma_state *st, uint32_t id)
{
	struct kslab_cache_info ci;
	struct kmem_cache *c = st->objcache[id];

	if (c && !kslab_cache_info(c, &ci))
		return ci.size;
	return ksize(st->obj[id]);
}

static void note_risk(struct replay_dma_state *st, uint32_t id, const char *buf,
		      size_t size, unsigned int dir)
{
	uint64_t n;

	if (dir == DMA_TO_DEVICE)
		return;
	n = exposed_bytes(st->r->cache_line, (uintptr_t)st->obj[id],
			  slot_size(st, id), (uintptr_t)buf, size);
	if (n) {
		st->r->at_risk++;
		st->r->at_risk_bytes += n;
	}
}

/* where a segment is played: its CPU address, or NULL (counted) */
static char *seg_buffer(struct replay_dma_state *st,
			const struct trace_dma_seg *sg, unsigned int dir,
			struct page **page, uint8_t *order)
{
	size_t off;
	char *obj;

	*page = NULL;
	if (!sg->size) {
		st->r->segs_skipped++; /* an IOMMU merged the list */
		return NULL;
	}
	if (sg->place == TDMA_IN_KMALLOC || sg->place == TDMA_IN_CACHE) {
		obj = st->obj[sg->obj];
		if (!obj) {
			st->r->segs_dead++;
			return NULL;
		}
		st->r->segs_obj++;
		note_risk(st, sg->obj, obj + sg->off, sg->size, dir);
		return obj + sg->off;
	}
	if (sg->place != TDMA_OUTSIDE) {
		st->r->segs_skipped++;
		return NULL;
	}
	off = sg->phys & (st->page_size - 1);
	*order = (uint8_t)get_order(off + sg->size);
	*page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, *order);
	if (!*page) {
		st->r->segs_skipped++;
		return NULL;
	}
	st->r->segs_pages++;
	return (char *)page_address(*page) + off;
}

static void count_map(struct replay_dma_state *st, uint32_t dev,
		      const struct kslab_dma_stats *before, bool failed,
		      bool in_obj)
{
	struct replay_dma_dev_row *row = row_of(st, dev);
	struct kslab_dma_stats now;

	kslab_dma_stats(st->devs[dev], &now);
	row->maps++;
	if (failed) {
		st->r->map_failures++;
		row->failures++;
	}
	if (now.bounces == before->bounces)
		return;
	st->r->bounces += now.bounces - before->bounces;
	st->r->bounced_bytes += now.bounced_bytes - before->bounced_bytes;
	row->bounces += now.bounces - before->bounces;
	row->bounced_bytes += now.bounced_bytes - before->bounced_bytes;
	if (in_obj)
		st->r->bounces_obj += now.bounces - before->bounces;
}

#define ATTRS(e) ((unsigned long)(e)->attrs & 0x3ffUL)

static void play_map(struct replay_dma_state *st,
		     const struct trace_dma_event *e, struct played *pm)
{
	const struct trace_dma_seg *sg = &st->d->seg[e->first_seg];
	struct device *dev = st->devs[e->dev];
	struct kslab_dma_stats before;
	size_t off;
	char *buf = seg_buffer(st, sg, e->dir, &pm->page, &pm->order);

	if (!buf)
		return;
	kslab_dma_stats(dev, &before);
	off = (size_t)(buf - (char *)page_address(virt_to_page(buf)));
	if (pm->page)
		pm->dma = dma_map_page_attrs(dev, pm->page, off, sg->size,
					     e->dir, ATTRS(e));
	else
		pm->dma = dma_map_single_attrs(dev, buf, sg->size, e->dir,
					       ATTRS(e));
	count_map(st, e->dev, &before, dma_mapping_error(dev, pm->dma),
		  !pm->page);
	if (!dma_mapping_error(dev, pm->dma)) {
		pm->live = 1;
		return;
	}
	if (pm->page)
		__free_pages(pm->page, pm->order);
	pm->page = NULL;
}

/* the pages the list's entries were given, freed */
static void free_sg_pages(struct scatterlist *sgl, uint32_t n)
{
	const uint8_t *owned = (const uint8_t *)(sgl + n);

	for (uint32_t k = 0; k < n; k++)
		if (owned[k] != 0xff)
			__free_pages(sg_page(&sgl[k]), owned[k]);
	free(sgl);
}

static void play_map_sg(struct replay_dma_state *st,
			const struct trace_dma_event *e, struct played *pm)
{
	uint32_t n = e->nr_segs;
	struct scatterlist *sgl = malloc(n * (sizeof(*sgl) + 1));
	struct device *dev = st->devs[e->dev];
	struct kslab_dma_stats before;
	uint8_t *owned;
	bool in_obj = false;
	int got;

	if (!sgl)
		return;
	owned = (uint8_t *)(sgl + n);
	memset(owned, 0xff, n);
	sg_init_table(sgl, n);
	for (uint32_t k = 0; k < n; k++) {
		const struct trace_dma_seg *sg = &st->d->seg[e->first_seg + k];
		struct page *page;
		uint8_t order = 0;
		char *buf = seg_buffer(st, sg, e->dir, &page, &order);

		if (!buf) {
			free_sg_pages(sgl, n);
			return;
		}
		if (page)
			owned[k] = order;
		else
			in_obj = true;
		sg_set_buf(&sgl[k], buf, sg->size);
	}
	kslab_dma_stats(dev, &before);
	got = dma_map_sg_attrs(dev, sgl, (int)n, e->dir, ATTRS(e));
	count_map(st, e->dev, &before, got <= 0, in_obj);
	if (got <= 0) {
		free_sg_pages(sgl, n);
		return;
	}
	pm->sgl = sgl;
	pm->nents = n;
	pm->live = 1;
}

/* undo a played map, map_sg or alloc */
static void undo(struct replay_dma_state *st, const struct trace_dma_event *m,
		 struct played *pm, unsigned long attrs)
{
	struct device *dev = st->devs[m->dev];
	const struct trace_dma_seg *sg = &st->d->seg[m->first_seg];

	if (!pm->live)
		return;
	pm->live = 0;
	if (m->type == TDMA_ALLOC) {
		dma_free_coherent(dev, m->size, pm->cpu, pm->dma);
	} else if (pm->sgl) {
		dma_unmap_sg_attrs(dev, pm->sgl, (int)pm->nents, m->dir, attrs);
		free_sg_pages(pm->sgl, pm->nents);
		pm->sgl = NULL;
	} else if (pm->page) {
		dma_unmap_page_attrs(dev, pm->dma, sg->size, m->dir, attrs);
		__free_pages(pm->page, pm->order);
		pm->page = NULL;
	} else {
		dma_unmap_single_attrs(dev, pm->dma, sg->size, m->dir, attrs);
	}
}

static void play_sync(struct replay_dma_state *st,
		      const struct trace_dma_event *e, struct played *pm,
		      const struct trace_dma_event *m)
{
	struct device *dev = st->devs[e->dev];
	const struct trace_dma_seg *sg = &st->d->seg[e->first_seg];
	bool cpu = e->type == TDMA_SYNC_CPU || e->type == TDMA_SYNC_SG_CPU;
	dma_addr_t at;

	if (!pm->live)
		return;
	st->r->syncs++;
	if (pm->sgl) {
		if (cpu)
			dma_sync_sg_for_cpu(dev, pm->sgl, (int)pm->nents,
					    e->dir);
		else
			dma_sync_sg_for_device(dev, pm->sgl, (int)pm->nents,
					       e->dir);
		return;
	}
	at = pm->dma + (sg->dma - st->d->seg[m->first_seg].dma);
	if (cpu)
		dma_sync_single_for_cpu(dev, at, sg->size, e->dir);
	else
		dma_sync_single_for_device(dev, at, sg->size, e->dir);
}

static void play_alloc(struct replay_dma_state *st,
		       const struct trace_dma_event *e, struct played *pm)
{
	pm->cpu = dma_alloc_coherent(st->devs[e->dev], e->size, &pm->dma,
				     GFP_KERNEL | __GFP_NOWARN);
	if (!pm->cpu) {
		st->r->alloc_failures++;
		return;
	}
	st->r->allocs++;
	pm->live = 1;
}

static void play_one(struct replay_dma_state *st, size_t i)
{
	const struct trace_dma_event *e = &st->d->ev[i];
	const struct trace_dma_event *m = e->pair ? &st->d->ev[e->pair - 1] :
						    NULL;
	struct played *pm = m ? &st->pm[e->pair - 1] : NULL;

	if (!st->devs[e->dev]) {
		st->r->no_device++;
		return;
	}
	kslab_set_cpu(e->cpu % st->nr_cpus);
	switch (e->type) {
	case TDMA_MAP:
		st->r->maps++;
		play_map(st, e, &st->pm[i]);
		break;
	case TDMA_MAP_SG:
		st->r->maps++;
		play_map_sg(st, e, &st->pm[i]);
		break;
	case TDMA_ALLOC:
		play_alloc(st, e, &st->pm[i]);
		break;
	case TDMA_BOUNCED:
		st->r->traced_bounces++;
		break;
	case TDMA_UNMAP:
	case TDMA_UNMAP_SG:
	case TDMA_FREE:
		if (!pm) {
			st->r->unpaired++;
			break;
		}
		if (pm->live)
			*(e->type == TDMA_FREE ? &st->r->frees :
						 &st->r->unmaps) += 1;
		undo(st, m, pm, ATTRS(e));
		break;
	default: /* syncs */
		if (!pm)
			st->r->unpaired++;
		else
			play_sync(st, e, pm, m);
	}
}

void replay_dma_until(struct replay_dma_state *st, uint64_t slab_pos)
{
	while (st->next < st->d->nr && st->d->ev[st->next].slab_pos <= slab_pos)
		play_one(st, st->next++);
}

struct replay_dma_state *replay_dma_begin(const struct trace_stream *s,
					  const struct replay_dma_opts *o,
					  void *const *obj,
					  struct kmem_cache *const *objcache,
					  struct replay_dma_result *r)
{
	struct replay_dma_state *st;
	struct kslab_arch_info ai;

	memset(r, 0, sizeof(*r));
	if (!s->dma || !s->dma->nr) {
		snprintf(r->err, sizeof(r->err), "no dma events in the trace");
		return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (!st || !(st->pm = calloc(s->dma->nr, sizeof(*st->pm)))) {
		free(st);
		snprintf(r->err, sizeof(r->err), "out of memory");
		return NULL;
	}
	kslab_arch_info(&ai);
	st->s = s;
	st->d = s->dma;
	st->obj = obj;
	st->objcache = objcache;
	st->r = r;
	st->page_size = ai.page_size;
	st->nr_cpus = ai.nr_cpus ? ai.nr_cpus : 1;
	r->cache_line = (unsigned int)dma_get_cache_alignment();
	if (make_devices(st, o)) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		free(st->pm);
		st->pm = NULL;
		replay_dma_end(st);
		return NULL;
	}
	return st;
}

/* "key: N" of kslab_show("swiotlb"), 0 when absent */
static uint64_t show_value(const char *text, const char *key)
{
	const char *p = text;
	size_t n = strlen(key);

	while ((p = strstr(p, key))) {
		if ((p == text || p[-1] == '\n') && p[n] == ':')
			return strtoull(p + n + 1, NULL, 10);
		p += n;
	}
	return 0;
}

static uint64_t roundup_pow2(uint64_t x)
{
	uint64_t p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

/* the pool's counters, the smallest pool that holds the peak */
static void measure_pool(struct replay_dma_result *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct kslab_dma_stats all;

	if (f) {
		kslab_show("swiotlb", f);
		fclose(f);
	}
	if (text) {
		r->pool_slots = show_value(text, "io_tlb_nslabs");
		r->pool_areas = show_value(text, "io_tlb_nareas");
		r->peak_slots = show_value(text, "io_tlb_used_hiwater");
		r->full_failures = show_value(text, "full_failures");
		free(text);
	}
	if (r->full_failures) {
		r->smallest_pool_slots = 0; /* unknown: more than this pool */
	} else if (r->peak_slots) {
		uint64_t least =
			IO_TLB_SEGSIZE * (r->pool_areas ? r->pool_areas : 1);

		r->smallest_pool_slots = roundup_pow2(r->peak_slots);
		if (r->smallest_pool_slots < least)
			r->smallest_pool_slots = least;
	}
	if (!kslab_dma_stats(NULL, &all))
		r->shared_line_warnings = all.shared_line_warnings;
}

void replay_dma_end(struct replay_dma_state *st)
{
	if (!st)
		return;
	if (st->pm) {
		replay_dma_until(st, UINT64_MAX);
		measure_pool(st->r);
		for (size_t i = 0; i < st->d->nr; i++)
			undo(st, &st->d->ev[i], &st->pm[i], 0);
		st->r->ok = 1;
	}
	for (uint32_t id = 1; st->devs && id <= st->d->devs.nr; id++)
		if (st->devs[id])
			kslab_device_destroy(st->devs[id]);
	free(st->devs);
	free(st->dev_row);
	free(st->pm);
	free(st);
}
