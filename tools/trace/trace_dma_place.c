// SPDX-License-Identifier: MIT
/*
 * trace_dma_finish() (trace_dma.h): after the last file, one walk over
 * the slab events and the DMA events in trace order that
 *   - keeps the traced slab objects live at each moment, indexed by the
 *     page of their address (a bucket per page number, lists linked
 *     through the pointer ids), so that "which live object holds this
 *     address" costs a few list steps;
 *   - places every mapped segment: inside one object (its pointer id and
 *     offset kept), beginning in one and ending beyond it, or in none;
 *   - pairs unmaps, syncs and frees with the live map or alloc they undo.
 * Each file is another boot: objects, mappings and the linear-map offset
 * start afresh with it.
 *
 * The linear-map offset turns a physical address into the kernel
 * virtual address the slab events print. It is read off the file: a
 * dma_alloc by a device not behind an IOMMU prints virt_addr and a
 * dma_addr that is its physical address (dma-direct), so virt_addr -
 * dma_addr is the offset; the most frequent such value wins. A file
 * without one cannot place its maps (counted as "unplaceable").
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "trace/trace_dma.h"
#include "trace/trace_stream.h"

#define NR_BUCKETS (1u << 16)
#define IDX_PAGE_SHIFT 12
#define MAX_SPAN_PAGES 1024 /* objects bigger than 4 MiB are not indexed */

struct objidx {
	uint64_t *val; /* by pointer id: the traced pointer value */
	uint32_t *size, *next, *prev, *head;
	uint8_t *kind; /* 0 free, else TDMA_IN_KMALLOC / TDMA_IN_CACHE */
	uint64_t max_pages;
	uint32_t nr_ptrs;
};

static uint32_t bucket_of(uint64_t addr)
{
	return (uint32_t)(addr >> IDX_PAGE_SHIFT) & (NR_BUCKETS - 1);
}

static int idx_init(struct objidx *x, const struct trace_stream *s)
{
	uint32_t n = s->nr_ptrs + 1;

	memset(x, 0, sizeof(*x));
	x->nr_ptrs = s->nr_ptrs;
	x->val = calloc(n, sizeof(*x->val));
	x->size = calloc(n, sizeof(*x->size));
	x->next = calloc(n, sizeof(*x->next));
	x->prev = calloc(n, sizeof(*x->prev));
	x->kind = calloc(n, 1);
	x->head = calloc(NR_BUCKETS, sizeof(*x->head));
	if (!x->val || !x->size || !x->next || !x->prev || !x->kind || !x->head)
		return -1;
	for (uint32_t i = 0; i < s->ptr_map.nr_slots; i++) {
		uint32_t id = s->ptr_map.ids[i];

		if (id && id < n)
			x->val[id] = s->ptr_map.keys[i];
	}
	return 0;
}

static void idx_free(struct objidx *x)
{
	free(x->val);
	free(x->size);
	free(x->next);
	free(x->prev);
	free(x->kind);
	free(x->head);
}

static void idx_reset(struct objidx *x)
{
	memset(x->head, 0, NR_BUCKETS * sizeof(*x->head));
	memset(x->kind, 0, x->nr_ptrs + 1);
	x->max_pages = 0;
}

static void idx_del(struct objidx *x, uint32_t id)
{
	if (!x->kind[id])
		return;
	if (x->prev[id])
		x->next[x->prev[id]] = x->next[id];
	else
		x->head[bucket_of(x->val[id])] = x->next[id];
	if (x->next[id])
		x->prev[x->next[id]] = x->prev[id];
	x->kind[id] = 0;
}

static void idx_add(struct objidx *x, uint32_t id, uint32_t size, uint8_t kind)
{
	uint32_t b = bucket_of(x->val[id]);
	uint64_t pages = ((x->val[id] & ((1u << IDX_PAGE_SHIFT) - 1)) + size +
			  (1u << IDX_PAGE_SHIFT) - 1) >>
			 IDX_PAGE_SHIFT;

	idx_del(x, id);
	if (!size || pages > MAX_SPAN_PAGES)
		return; /* too big to look for */
	if (pages > x->max_pages)
		x->max_pages = pages;
	x->size[id] = size;
	x->kind[id] = kind;
	x->prev[id] = 0;
	x->next[id] = x->head[b];
	if (x->head[b])
		x->prev[x->head[b]] = id;
	x->head[b] = id;
}

/* the live object holding addr, 0 if none */
static uint32_t idx_find(const struct objidx *x, uint64_t addr)
{
	uint64_t pg = addr >> IDX_PAGE_SHIFT;

	for (uint64_t k = 0; k < x->max_pages && k <= pg; k++)
		for (uint32_t id =
			     x->head[bucket_of((pg - k) << IDX_PAGE_SHIFT)];
		     id; id = x->next[id])
			if (addr >= x->val[id] &&
			    addr - x->val[id] < x->size[id])
				return id;
	return 0;
}

static void idx_play(struct objidx *x, const struct trace_event *ev)
{
	if (!ev->ptr || ev->ptr > x->nr_ptrs)
		return;
	if (ev->type == TEV_KMALLOC)
		idx_add(x, ev->ptr, ev->bytes_alloc, TDMA_IN_KMALLOC);
	else if (ev->type == TEV_CACHE_ALLOC)
		idx_add(x, ev->ptr, ev->bytes_alloc, TDMA_IN_CACHE);
	else
		idx_del(x, ev->ptr);
}

/* ---- devices and offsets ---------------------------------------------------- */

static unsigned int mask_bits(uint64_t mask)
{
	unsigned int n = 0;

	while (n < 64 && (mask >> n) & 1)
		n++;
	return n;
}

static void mark_devices(struct trace_dma *d)
{
	for (size_t i = 0; i < d->nr; i++) {
		const struct trace_dma_event *e = &d->ev[i];
		struct trace_dma_dev *dv = &d->dev[e->dev];
		const struct trace_dma_seg *sg = &d->seg[e->first_seg];

		if (e->type == TDMA_MAP || e->type == TDMA_MAP_SG) {
			dv->maps++;
			for (uint32_t k = 0; k < e->nr_segs; k++)
				if (sg[k].place != TDMA_NO_PHYS &&
				    (sg[k].dma || sg[k].size) &&
				    sg[k].dma != sg[k].phys)
					dv->iommu = 1;
		} else if (e->type >= TDMA_SYNC_CPU &&
			   e->type <= TDMA_SYNC_SG_DEV) {
			dv->noncoherent = 1;
		} else if (e->type == TDMA_BOUNCED) {
			dv->bounced++;
			if (!(e->flags & TDMA_F_FORCE))
				dv->noncoherent = 1;
			if (e->virt)
				dv->mask_bits = (uint8_t)mask_bits(e->virt);
		}
	}
}

/* the most frequent virt - dma of the file's dma_allocs by direct devices */
static uint64_t file_offset(const struct trace_dma *d, uint32_t file)
{
	uint64_t best = 0, cand[64];
	unsigned int votes[64] = { 0 }, nc = 0, top = 0;

	for (size_t i = 0; i < d->nr; i++) {
		const struct trace_dma_event *e = &d->ev[i];
		uint64_t off;
		unsigned int k;

		if (e->file != file || e->type != TDMA_ALLOC || !e->virt ||
		    d->dev[e->dev].iommu)
			continue;
		off = e->virt - d->seg[e->first_seg].dma;
		for (k = 0; k < nc && cand[k] != off; k++)
			;
		if (k == nc) {
			if (nc == 64)
				continue;
			cand[nc++] = off;
		}
		if (++votes[k] > top) {
			top = votes[k];
			best = off;
		}
	}
	return best;
}

/* ---- the walk ------------------------------------------------------------- */

struct pairing {
	struct idmap keys;
	uint32_t *live; /* by key id: 1 + event index, 0 none */
	uint32_t cap;
};

static uint64_t pair_key(unsigned int kind, uint32_t dev, uint64_t addr)
{
	return addr ^ ((uint64_t)dev << 52) ^ ((uint64_t)kind << 49);
}

/* the slot of a key, added when new; NULL when out of memory */
static uint32_t *pair_slot(struct pairing *p, uint64_t key, int add)
{
	int added;
	uint32_t id = add ? idmap_intern(&p->keys, key, &added) :
			    idmap_find(&p->keys, key);

	if (!id)
		return NULL;
	if (id >= p->cap) {
		uint32_t cap = p->cap ? p->cap * 2 : 1024;
		uint32_t *v;

		while (cap <= id)
			cap *= 2;
		v = realloc(p->live, cap * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + p->cap, 0, (cap - p->cap) * sizeof(*v));
		p->live = v;
		p->cap = cap;
	}
	return &p->live[id];
}

static void place_seg(struct trace_dma *d, const struct objidx *x,
		      struct trace_dma_seg *sg, uint64_t offset)
{
	uint64_t va = sg->phys + offset;
	uint32_t id, size = sg->size ? sg->size : 1;

	if (sg->place != TDMA_NO_PHYS) {
		if (!offset) {
			sg->place = TDMA_NO_PHYS;
		} else if (!(id = idx_find(x, va))) {
			sg->place = TDMA_OUTSIDE;
		} else if (va - x->val[id] + size > x->size[id]) {
			sg->place = TDMA_STRADDLES;
		} else {
			sg->place = x->kind[id];
			sg->obj = id;
			sg->off = (uint32_t)(va - x->val[id]);
		}
	}
	d->c.segs_mapped++;
	d->c.placed[sg->place]++;
	d->c.bytes_placed[sg->place] += sg->size;
}

/* the pairing keys an event makes (map) or looks for (undo) */
static unsigned int keys_of(const struct trace_dma *d,
			    const struct trace_dma_event *e, uint64_t *k)
{
	const struct trace_dma_seg *sg = &d->seg[e->first_seg];

	switch (e->type) {
	case TDMA_MAP:
	case TDMA_UNMAP:
	case TDMA_SYNC_CPU:
	case TDMA_SYNC_DEV:
		k[0] = pair_key(0, e->dev, sg->dma);
		return 1;
	case TDMA_MAP_SG:
		k[0] = pair_key(1, e->dev, sg->phys);
		k[1] = pair_key(2, e->dev, sg->dma);
		return sg->dma ? 2 : 1;
	case TDMA_UNMAP_SG:
		k[0] = pair_key(1, e->dev, sg->phys);
		return 1;
	case TDMA_SYNC_SG_CPU:
	case TDMA_SYNC_SG_DEV:
		k[0] = pair_key(2, e->dev, sg->dma);
		return 1;
	case TDMA_ALLOC:
	case TDMA_FREE:
		k[0] = pair_key(3, e->dev, sg->dma);
		return 1;
	default:
		return 0;
	}
}

static int pair_event(struct trace_dma *d, struct pairing *p, size_t i)
{
	struct trace_dma_event *e = &d->ev[i];
	uint64_t k[2];
	unsigned int n = keys_of(d, e, k);
	bool make = e->type == TDMA_MAP || e->type == TDMA_MAP_SG ||
		    e->type == TDMA_ALLOC;
	bool undo = e->type == TDMA_UNMAP || e->type == TDMA_UNMAP_SG ||
		    e->type == TDMA_FREE;

	for (unsigned int j = 0; j < n; j++) {
		uint32_t *slot = pair_slot(p, k[j], make);

		if (make) {
			if (!slot)
				return -1;
			if (*slot && j == 0)
				d->c.live_at_end++; /* remapped: never undone */
			*slot = (uint32_t)i + 1;
			continue;
		}
		if (!slot || !*slot) {
			d->c.unpaired++;
			return 0;
		}
		e->pair = *slot;
		if (undo) {
			const struct trace_dma_event *m = &d->ev[*slot - 1];
			uint64_t mk[2];
			unsigned int mn = keys_of(d, m, mk);

			for (unsigned int q = 0; q < mn; q++) {
				uint32_t *s2 = pair_slot(p, mk[q], 0);

				if (s2)
					*s2 = 0;
			}
		}
	}
	return 0;
}

static void end_pairing(struct trace_dma *d, struct pairing *p)
{
	for (uint32_t i = 0; i < p->cap; i++) {
		if (!p->live[i])
			continue;
		/* count each live map once: by its first key */
		const struct trace_dma_event *e = &d->ev[p->live[i] - 1];
		uint64_t k[2] = { 0, 0 };

		keys_of(d, e, k);
		if (idmap_find(&p->keys, k[0]) == i)
			d->c.live_at_end++;
		p->live[i] = 0;
	}
}

static int walk(struct trace_dma *d, const struct trace_stream *s,
		struct objidx *x, struct pairing *p)
{
	uint64_t slab = 0, offset = 0;
	uint32_t file = UINT32_MAX, sfile = 0;

	for (size_t i = 0; i < d->nr; i++) {
		struct trace_dma_event *e = &d->ev[i];

		if (e->file != file) {
			if (file != UINT32_MAX)
				end_pairing(d, p);
			file = e->file;
			offset = d->linear_offset[file];
		}
		for (; slab < e->slab_pos && slab < s->nr; slab++) {
			while (sfile + 1 < s->nr_files &&
			       slab >= s->files[sfile + 1].first_event) {
				sfile++;
				idx_reset(x);
			}
			idx_play(x, &s->ev[slab]);
		}
		if (e->type == TDMA_MAP || e->type == TDMA_MAP_SG)
			for (uint32_t k = 0; k < e->nr_segs; k++)
				place_seg(d, x, &d->seg[e->first_seg + k],
					  offset);
		if (pair_event(d, p, i))
			return -1;
	}
	if (file != UINT32_MAX)
		end_pairing(d, p);
	return 0;
}

int trace_dma_finish(struct trace_dma *d, const struct trace_stream *s)
{
	struct objidx x;
	struct pairing p = { .cap = 0 };
	int r = -1;

	if (d->finished)
		return 0;
	d->finished = 1;
	if (!d->nr)
		return 0;
	d->linear_offset = calloc(d->nr_files + 1, sizeof(*d->linear_offset));
	if (!d->linear_offset)
		return -1;
	mark_devices(d);
	for (uint32_t f = 0; f < d->nr_files; f++)
		d->linear_offset[f] = file_offset(d, f);
	idmap_init(&p.keys);
	if (!idx_init(&x, s))
		r = walk(d, s, &x, &p);
	idx_free(&x);
	idmap_free(&p.keys);
	free(p.live);
	return r;
}
