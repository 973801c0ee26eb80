// SPDX-License-Identifier: MIT
/*
 * dma: and swiotlb: events (trace_dma.h): the body of each read without
 * allocating for the line and without trusting it (a line that cannot
 * be read is counted bad, with a reason), kept in the compact DMA event
 * array with its segments; placing and pairing are in trace_dma_place.c.
 *
 * Invariants: every event's segments are seg[first_seg, first_seg +
 * nr_segs); a map_sg's segments are its input entries (phys_addrs), with
 * their sizes when the tracepoint printed one size per entry (dma-direct,
 * or an IOMMU that merged nothing), else size 0 ("unknown").
 */
#include <stdlib.h>
#include <string.h>
#include "trace/trace_dma.h"

static const struct {
	const char *name;
	uint8_t type;
} dma_evs[] = {
	{ "dma_map_page", TDMA_MAP },
	{ "dma_map_phys", TDMA_MAP },
	{ "dma_unmap_page", TDMA_UNMAP },
	{ "dma_unmap_phys", TDMA_UNMAP },
	{ "dma_map_sg", TDMA_MAP_SG },
	{ "dma_unmap_sg", TDMA_UNMAP_SG },
	{ "dma_sync_single_for_cpu", TDMA_SYNC_CPU },
	{ "dma_sync_single_for_device", TDMA_SYNC_DEV },
	{ "dma_sync_sg_for_cpu", TDMA_SYNC_SG_CPU },
	{ "dma_sync_sg_for_device", TDMA_SYNC_SG_DEV },
	{ "dma_alloc", TDMA_ALLOC },
	{ "dma_free", TDMA_FREE },
	{ "swiotlb_bounced", TDMA_BOUNCED },
};

#define NR_DMA_EVS (sizeof(dma_evs) / sizeof(dma_evs[0]))
_Static_assert(NR_DMA_EVS <= TRACE_EV_DMA_LAST - TRACE_EV_DMA_FIRST + 1,
	       "room for the dma events");

static const char *const type_names[TDMA_NR_TYPES] = {
	[TDMA_MAP] = "dma_map_page",
	[TDMA_UNMAP] = "dma_unmap_page",
	[TDMA_MAP_SG] = "dma_map_sg",
	[TDMA_UNMAP_SG] = "dma_unmap_sg",
	[TDMA_SYNC_CPU] = "dma_sync_single_for_cpu",
	[TDMA_SYNC_DEV] = "dma_sync_single_for_device",
	[TDMA_SYNC_SG_CPU] = "dma_sync_sg_for_cpu",
	[TDMA_SYNC_SG_DEV] = "dma_sync_sg_for_device",
	[TDMA_ALLOC] = "dma_alloc",
	[TDMA_FREE] = "dma_free",
	[TDMA_BOUNCED] = "swiotlb_bounced",
};

static const char *const place_names[TDMA_NR_PLACES] = {
	[TDMA_PLACE_NONE] = "unplaced", [TDMA_IN_KMALLOC] = "kmalloc",
	[TDMA_IN_CACHE] = "kmem_cache", [TDMA_OUTSIDE] = "outside",
	[TDMA_STRADDLES] = "straddles", [TDMA_NO_PHYS] = "unplaceable",
};

int trace_dma_ev_lookup(const char *name, size_t len)
{
	if (memcmp(name, "dma_", 4) && memcmp(name, "swiotlb", 7))
		return -1;
	for (size_t i = 0; i < NR_DMA_EVS; i++)
		if (strlen(dma_evs[i].name) == len &&
		    !memcmp(dma_evs[i].name, name, len))
			return TRACE_EV_DMA_FIRST + (int)i;
	return -1;
}

const char *trace_dma_type_name(enum tdma_type type)
{
	return type > 0 && type < TDMA_NR_TYPES ? type_names[type] : "?";
}

const char *trace_dma_place_name(enum tdma_place place)
{
	return place < TDMA_NR_PLACES ? place_names[place] : "?";
}

/* ---- the body ------------------------------------------------------------- */

#define D_DIR (1u << 0)
#define D_DMA (1u << 1)
#define D_SIZE (1u << 2)
#define D_PHYS (1u << 3)
#define D_VIRT (1u << 4)
#define D_DMAS (1u << 5)
#define D_SIZES (1u << 6)
#define D_PHYSES (1u << 7)
#define D_NENTS (1u << 8)
#define D_MASK (1u << 9)

/* what each type needs besides the device name */
static const unsigned int needs[TDMA_NR_TYPES] = {
	[TDMA_MAP] = D_DIR | D_DMA | D_SIZE,
	[TDMA_UNMAP] = D_DIR | D_DMA | D_SIZE,
	[TDMA_MAP_SG] = D_DIR | D_DMAS | D_SIZES | D_PHYSES,
	[TDMA_UNMAP_SG] = D_DIR | D_PHYSES,
	[TDMA_SYNC_CPU] = D_DIR | D_DMA | D_SIZE,
	[TDMA_SYNC_DEV] = D_DIR | D_DMA | D_SIZE,
	[TDMA_SYNC_SG_CPU] = D_DIR | D_DMAS | D_SIZES,
	[TDMA_SYNC_SG_DEV] = D_DIR | D_DMAS | D_SIZES,
	[TDMA_ALLOC] = D_DMA | D_SIZE,
	[TDMA_FREE] = D_DMA | D_SIZE,
	[TDMA_BOUNCED] = D_DMA | D_SIZE,
};

/* the limit the tracepoints print arrays up to */
#define MAX_ENTS 128

struct dma_body {
	struct trace_text dev;
	uint64_t dma, size, phys, virt, mask;
	unsigned int dir, attrs, flags;
	struct trace_text dmas, sizes, physes; /* "{...}" insides */
	uint32_t nents, ents;
};

static const char *const dir_names[] = { "BIDIRECTIONAL", "TO_DEVICE",
					 "FROM_DEVICE", "NONE" };

static int parse_dir(const char *v, size_t n, unsigned int *dir)
{
	for (unsigned int i = 0; i < 4; i++)
		if (strlen(dir_names[i]) == n && !memcmp(dir_names[i], v, n)) {
			*dir = i;
			return 0;
		}
	return -1;
}

static const char *const attr_names[] = {
	[1] = "WEAK_ORDERING",
	[2] = "WRITE_COMBINE",
	[4] = "NO_KERNEL_MAPPING",
	[5] = "SKIP_CPU_SYNC",
	[6] = "FORCE_CONTIGUOUS",
	[7] = "ALLOC_SINGLE_PAGES",
	[8] = "NO_WARN",
	[9] = "PRIVILEGED",
	[10] = "MMIO",
	[11] = "CACHE_CLEAN",
};

/* "SKIP_CPU_SYNC|NO_WARN", "", hex bits; a name not known is left out */
static int parse_attrs(const char *v, size_t n, unsigned int *attrs)
{
	const char *end = v + n;

	*attrs = 0;
	while (v < end) {
		const char *bar = memchr(v, '|', (size_t)(end - v));
		size_t len = (size_t)((bar ? bar : end) - v);
		uint64_t x;

		for (unsigned int b = 0; b < 12; b++)
			if (attr_names[b] && strlen(attr_names[b]) == len &&
			    !memcmp(attr_names[b], v, len))
				*attrs |= 1u << b;
		if (len > 2 && v[0] == '0') { /* bits without a name */
			if (trace_parse_hex(v, len, &x) || x > UINT32_MAX)
				return -1;
			*attrs |= (unsigned int)x;
		}
		v += len + (bar ? 1 : 0);
	}
	return 0;
}

/* "{0x1,0x2}" -> its inside; -1 when not braced */
static int take_array(const char *v, size_t n, struct trace_text *t)
{
	if (n < 2 || v[0] != '{' || v[n - 1] != '}')
		return -1;
	t->p = v + 1;
	t->len = (uint32_t)(n - 2);
	return 0;
}

/* "3/3" -> 3 (the printed, capped count) */
static int parse_count(const char *v, size_t n, uint32_t *out)
{
	const char *slash = memchr(v, '/', n);
	uint64_t a, b;

	if (!slash || trace_parse_dec(v, (size_t)(slash - v), &a) ||
	    trace_parse_dec(slash + 1, (size_t)(v + n - slash - 1), &b) ||
	    a > b || b > 1u << 30)
		return -1;
	*out = (uint32_t)a;
	return 0;
}

#define KEY(k) (klen == sizeof(k) - 1 && !memcmp(key, k, sizeof(k) - 1))

/* One key=value: its D_ bit, 0 for a key not read, -1 with why set */
static int dma_field(const char *key, size_t klen, const char *v, size_t n,
		     struct dma_body *b, struct trace_line *out)
{
	out->why = "bad field";
	if (KEY("dir"))
		return parse_dir(v, n, &b->dir) ? -1 : (int)D_DIR;
	if (KEY("dma_addr") || KEY("dev_addr"))
		return trace_parse_hex(v, n, &b->dma) ? -1 : (int)D_DMA;
	if (KEY("size"))
		return trace_parse_dec(v, n, &b->size) ? -1 : (int)D_SIZE;
	if (KEY("phys_addr"))
		return trace_parse_hex(v, n, &b->phys) ? -1 : (int)D_PHYS;
	if (KEY("virt_addr")) /* a hashed %p is read as unknown */
		return trace_parse_hex(v, n, &b->virt) ? 0 : (int)D_VIRT;
	if (KEY("dma_mask"))
		return trace_parse_hex(v, n, &b->mask) ? -1 : (int)D_MASK;
	if (KEY("attrs"))
		return parse_attrs(v, n, &b->attrs) ? -1 : 0;
	if (KEY("dma_addrs"))
		return take_array(v, n, &b->dmas) ? -1 : (int)D_DMAS;
	if (KEY("sizes"))
		return take_array(v, n, &b->sizes) ? -1 : (int)D_SIZES;
	if (KEY("phys_addrs"))
		return take_array(v, n, &b->physes) ? -1 : (int)D_PHYSES;
	if (KEY("nents"))
		return parse_count(v, n, &b->nents) ? -1 : (int)D_NENTS;
	return 0;
}

/* the body's words: DEV first, then key=value pairs and bare flags */
static int parse_words(const char *p, const char *end, struct dma_body *b,
		       struct trace_line *out)
{
	unsigned int seen = 0;

	while (p < end && *p == ' ')
		p++;
	if (end - p > 10 && !memcmp(p, "dev_name: ", 10))
		p += 10; /* swiotlb_bounced */
	b->dev.p = p;
	while (p < end && *p != ' ')
		p++;
	b->dev.len = (uint32_t)(p - b->dev.p);
	if (!b->dev.len || memchr(b->dev.p, '=', b->dev.len)) {
		out->why = "no device name";
		return -1;
	}
	while (p < end) {
		const char *tok, *eq;
		int bit;

		while (p < end && *p == ' ')
			p++;
		tok = p;
		while (p < end && *p != ' ')
			p++;
		if (tok == p)
			break;
		eq = memchr(tok, '=', (size_t)(p - tok));
		if (!eq) {
			if (p - tok == 11 && !memcmp(tok, "[TRUNCATED]", 11))
				b->flags |= TDMA_F_TRUNCATED;
			else if (p - tok == 5 && !memcmp(tok, "FORCE", 5))
				b->flags |= TDMA_F_FORCE;
			continue;
		}
		bit = dma_field(tok, (size_t)(eq - tok), eq + 1,
				(size_t)(p - eq - 1), b, out);
		if (bit < 0)
			return -1;
		if (seen & (unsigned int)bit) {
			out->why = "repeated field";
			return -1;
		}
		seen |= (unsigned int)bit;
	}
	return (int)seen;
}

/* ---- the array of events ---------------------------------------------------- */

struct trace_dma *trace_dma_new(void)
{
	struct trace_dma *d = calloc(1, sizeof(*d));

	if (d)
		strtab_init(&d->devs);
	return d;
}

void trace_dma_free(struct trace_dma *d)
{
	if (!d)
		return;
	free(d->ev);
	free(d->seg);
	free(d->dev);
	free(d->linear_offset);
	strtab_free(&d->devs);
	free(d);
}

const char *trace_dma_dev_name(const struct trace_dma *d, uint32_t dev)
{
	return strtab_str(&d->devs, dev);
}

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 1024;
	void *n;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	n = realloc(*v, c * size);
	if (!n)
		return -1;
	*v = n;
	*cap = c;
	return 0;
}

/* the next hex value of an array's inside at *p; -1 at its end or bad */
static int next_hex(const char **p, const char *end, uint64_t *v, int *bad)
{
	const char *s = *p, *c;

	if (s >= end)
		return -1;
	c = memchr(s, ',', (size_t)(end - s));
	if (!c)
		c = end;
	if (trace_parse_hex(s, (size_t)(c - s), v)) {
		*bad = 1;
		return -1;
	}
	*p = c < end ? c + 1 : end;
	return 0;
}

static uint32_t array_len(const struct trace_text *t)
{
	uint32_t n = t->len ? 1 : 0;

	for (uint32_t i = 0; i < t->len; i++)
		n += t->p[i] == ',';
	return n;
}

/* read up to n hex values of t into seg[].field (0: phys, 1: dma, 2: size) */
static int fill(struct trace_dma_seg *seg, uint32_t n,
		const struct trace_text *t, int field)
{
	const char *p = t->p, *end = t->p + t->len;
	int bad = 0;
	uint64_t v;

	for (uint32_t i = 0; i < n; i++) {
		if (next_hex(&p, end, &v, &bad))
			return -1;
		if (field == 0)
			seg[i].phys = v;
		else if (field == 1)
			seg[i].dma = v;
		else if (v > UINT32_MAX)
			return -1;
		else
			seg[i].size = (uint32_t)v;
	}
	return 0;
}

/* the segments of an event; why set when they cannot be read */
static int add_segs(struct trace_dma *d, struct trace_dma_event *e,
		    const struct dma_body *b, unsigned int seen,
		    struct trace_line *out)
{
	uint32_t n = 1, nd = 0;
	struct trace_dma_seg *seg;

	if (seen & D_PHYSES)
		n = array_len(&b->physes);
	else if (seen & D_DMAS)
		n = array_len(&b->dmas);
	if (seen & D_DMAS)
		nd = array_len(&b->dmas);
	out->why = "bad array";
	if (!n || n > MAX_ENTS ||
	    ((seen & D_SIZES) && array_len(&b->sizes) != nd))
		return -1;
	if ((seen & D_NENTS) && b->nents != n)
		return -1;
	if (grow((void **)&d->seg, &d->segs_cap, d->nr_segs + n, sizeof(*seg)))
		return -2;
	seg = &d->seg[d->nr_segs];
	memset(seg, 0, n * sizeof(*seg));
	if (!(seen & (D_PHYSES | D_DMAS))) {
		seg->phys = b->phys;
		seg->dma = b->dma;
		seg->size = b->size > UINT32_MAX ? UINT32_MAX :
						   (uint32_t)b->size;
		if (e->type == TDMA_MAP && !(seen & D_PHYS))
			seg->place = TDMA_NO_PHYS;
	} else if ((seen & D_PHYSES) && fill(seg, n, &b->physes, 0)) {
		return -1;
	} else if (nd == n && (seen & D_DMAS) &&
		   (fill(seg, n, &b->dmas, 1) ||
		    ((seen & D_SIZES) && fill(seg, n, &b->sizes, 2)))) {
		return -1;
	} else if (nd && nd != n) {
		/* an IOMMU merged the list: the entries' sizes are not known */
		struct trace_dma_seg tmp;
		const char *p = b->dmas.p, *end = p + b->dmas.len;
		int bad = 0;

		for (uint32_t i = 0; i < nd; i++)
			if (next_hex(&p, end, &tmp.dma, &bad))
				return -1;
	}
	e->first_seg = (uint32_t)d->nr_segs;
	e->nr_segs = n;
	d->nr_segs += n;
	return 0;
}

static int add_dev(struct trace_dma *d, const struct trace_text *name)
{
	uint32_t id = strtab_intern(&d->devs, name->p, name->len);
	size_t cap = d->devs.nr + 1;

	if (!id)
		return -1;
	if (id == d->devs.nr) { /* new: room for it */
		struct trace_dma_dev *v = realloc(d->dev, cap * sizeof(*v));

		if (!v)
			return -1;
		memset(&v[id], 0, sizeof(*v));
		d->dev = v;
	}
	return (int)id;
}

int trace_dma_add(struct trace_dma *d, struct trace_line *l, uint32_t file,
		  uint64_t slab_pos)
{
	struct dma_body b = { .dir = 0 };
	struct trace_dma_event *e;
	unsigned int type = dma_evs[l->ev - TRACE_EV_DMA_FIRST].type;
	int seen, r, dev;

	seen = parse_words(l->body.p, l->body.p + l->body.len, &b, l);
	if (seen >= 0 && (seen & needs[type]) != needs[type]) {
		l->why = "missing field";
		seen = -1;
	}
	if (seen < 0) {
		d->c.bad++;
		return 1;
	}
	if (grow((void **)&d->ev, &d->cap, d->nr + 1, sizeof(*e)))
		return -1;
	e = &d->ev[d->nr];
	memset(e, 0, sizeof(*e));
	e->type = (uint8_t)type;
	e->dir = (uint8_t)b.dir;
	e->attrs = b.attrs;
	e->flags = (uint8_t)b.flags;
	e->size = b.size;
	e->virt = type == TDMA_BOUNCED ? b.mask : b.virt;
	e->cpu = (uint16_t)l->cpu;
	e->file = (uint16_t)(file > UINT16_MAX ? UINT16_MAX : file);
	e->slab_pos = slab_pos;
	r = add_segs(d, e, &b, (unsigned int)seen, l);
	if (r == -2 || (dev = add_dev(d, &b.dev)) < 0)
		return -1;
	if (r) {
		d->c.bad++;
		return 1;
	}
	e->dev = (uint32_t)dev;
	if (file + 1 > d->nr_files)
		d->nr_files = file + 1;
	d->c.ev[type]++;
	if (b.flags & TDMA_F_TRUNCATED)
		d->c.truncated++;
	d->nr++;
	return 0;
}
