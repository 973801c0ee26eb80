// SPDX-License-Identifier: MIT
/*
 * One policy's replay, in the process that runs it: boot the policy's
 * command line, play every event of the stream on the simulated CPU that
 * recorded it, and measure slab memory (pages held by slabs x page size)
 * after every allocation.
 *
 *   kmalloc          kmalloc(bytes_req, gfp [| __GFP_PACKED at packed sites]),
 *                    or kmem_buckets_alloc() where the kernel's call site
 *                    allocates from a kmem_buckets set (replay_buckets.c)
 *   kfree            kfree() of the object the pointer id stands for
 *   kmem_cache_alloc the named cache (named by trace_attrib when the
 *                    trace had no name=), created on first sight (geometry
 *                    from the /sys/kernel/slab snapshot when it has the
 *                    name, else object size bytes_req), kmem_cache_alloc()
 *   kmem_cache_free  kmem_cache_free() into the object's cache
 *
 * Every allocation's bytes_alloc is compared with what this machine gave
 * (ksize() for kmalloc, the cache's s->size for kmem_cache_alloc), under
 * every policy: the one matching the traced kernel should give 0.
 *
 * The table of kmalloc caches "at the peak" needs the machine as it was
 * at the peak event: the kmalloc caches' counters are read at every new
 * peak (replay_peak.c), so the result is exact rather than sampled. With
 * --dma (whose events the table has never counted), or when that table
 * could not be allocated, a second boot replays the slab events up to
 * the peak event and reads the machine there.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <kslab/kslab.h>
#include "replay/replay.h"
#include "replay/replay_buckets.h"
#include "replay/replay_dma.h"
#include "replay/replay_pages.h"
#include "replay/replay_peak.h"
#include "trace/slabs_create.h"

struct replay_state {
	const struct trace_stream *s;
	const struct replay_policy *p;
	const struct replay_opts *o;
	struct replay_result *r;
	void **obj;		      /* by pointer id */
	struct kmem_cache **objcache; /* kmem_cache_alloc objects: their cache */
	uint32_t *req;		      /* live bytes_req by pointer id */
	struct kmem_cache **caches;   /* by cache-name id */
	uint32_t *cache_size;	      /* their s->size, by cache-name id */
	bool *packed_site;	      /* by function id */
	struct replay_site_row *sites;
	unsigned int nr_cpus;
	uint64_t live_req;
	bool debug; /* slub_debug= on the boot line: slots outgrow ksize() */
	struct slot_memo {
		struct kmem_cache *c;
		unsigned int size;
	} slot[64]; /* kmalloc caches' s->size, under debug */
	struct kmem_cache *sheaved[4]; /* caches created with sheaves */
	unsigned int nr_sheaved;
	struct replay_dma_state *dma; /* --dma, first pass only */
	bool want_dma;
	bool want_peak;			/* the caches at the peak in one pass */
	struct replay_peak *peak;	/* when want_peak and booted */
	struct replay_buckets *buckets; /* once booted; NULL: none */
};

static bool has_sheaves(const struct replay_state *st,
			const struct kmem_cache *c)
{
	for (unsigned int i = 0; i < st->nr_sheaved; i++)
		if (st->sheaved[i] == c)
			return true;
	return false;
}

/*
 * The bytes_alloc the kmalloc tracepoint prints: the cache's s->size
 * (ksize() is the object size, smaller once slub_debug adds red zones
 * and tracks), or the pages of a large kmalloc.
 */
static size_t kmalloc_slot(struct replay_state *st, size_t req, gfp_t gfp,
			   kmem_buckets *b, size_t got)
{
	struct kmem_cache *c;
	struct kslab_cache_info ci;
	size_t i;

	if (!st->debug)
		return got;
	c = b ? kslab_buckets_slab(b, req) : kmalloc_slab(req, gfp);
	if (!c)
		return got;
	for (i = 0; i < 64 && st->slot[i].c; i++)
		if (st->slot[i].c == c)
			return st->slot[i].size;
	if (kslab_cache_info(c, &ci))
		return got;
	if (i < 64)
		st->slot[i] = (struct slot_memo){ c, ci.size };
	return ci.size;
}

/*
 * The caches 6.18 creates with per-CPU sheaves, named because the kernel
 * source names them (lib/maple_tree.c maple_tree_init(), mm/vma_init.c
 * vma_state_init(): sheaf_capacity 32); a /sys/kernel/slab snapshot does
 * not record it. Their events then go through the sheaves, as there.
 */
static unsigned int sheaf_capacity_of(const char *name)
{
	static const char *const sheaf_caches[] = { "maple_node",
						    "vm_area_struct" };

	for (size_t i = 0; i < sizeof(sheaf_caches) / sizeof(sheaf_caches[0]);
	     i++)
		if (!strcmp(name, sheaf_caches[i]))
			return 32;
	return 0;
}

static struct kmem_cache *create_named(struct replay_state *st, uint32_t id,
				       const struct trace_event *ev)
{
	struct kmem_cache_args args = { 0 };
	const char *name = trace_stream_cache_name(st->s, id);
	const struct slab_info *own = NULL;
	struct kmem_cache *c = kslab_find_cache(name);
	slab_flags_t flags = (ev->flags & TEV_F_ACCOUNTED) ? SLAB_ACCOUNT : 0;

	if (c)
		return c; /* a kmalloc cache, or one made already */
	if (st->o->slabs)
		own = slabs_find(st->o->slabs, name);
	if (own)
		slabs_create_args(st->o->slabs, own, &flags, &args);
	args.sheaf_capacity = sheaf_capacity_of(name);
	c = kmem_cache_create_args(name,
				   own		 ? own->object_size :
				   ev->bytes_req ? ev->bytes_req :
						   8,
				   &args, flags);
	if (c && args.sheaf_capacity && st->nr_sheaved < 4)
		st->sheaved[st->nr_sheaved++] = c;
	return c;
}

static void note_peak(struct replay_state *st, uint64_t i)
{
	uint64_t slab = (uint64_t)kslab_slab_pages() * st->r->page_size;
	struct kslab_kmalloc_info ki;

	if (slab > st->r->peak_slab_bytes) {
		st->r->peak_slab_bytes = slab;
		st->r->peak_event = i;
		if (st->peak)
			replay_peak_snapshot(st->peak);
	}
	if (st->live_req > st->r->peak_requested_bytes)
		st->r->peak_requested_bytes = st->live_req;
	if (!kslab_kmalloc_info(&ki) &&
	    ki.large_pages * st->r->page_size > st->r->peak_large_bytes)
		st->r->peak_large_bytes = ki.large_pages * st->r->page_size;
}

static void release(struct replay_state *st, uint32_t id, bool cache_free)
{
	void *p = st->obj[id];

	if (cache_free && st->objcache[id])
		kmem_cache_free(st->objcache[id], p);
	else
		kfree(p);
	st->obj[id] = NULL;
	st->objcache[id] = NULL;
	st->live_req -= st->req[id];
	st->req[id] = 0;
	st->r->frees++;
}

static void play_kmalloc(struct replay_state *st, const struct trace_event *ev)
{
	gfp_t gfp = ev->gfp;
	uint32_t func = st->s->sites[ev->site].func;
	struct replay_site_row *site = &st->sites[ev->site];
	kmem_buckets *b = replay_buckets_of(st->buckets, st->s, ev->site);
	size_t got;
	void *p;

	if (b) {
		p = kmem_buckets_alloc(b, ev->bytes_req, gfp | __GFP_NOWARN);
		st->r->bucket_objects += p != NULL;
	} else {
		if (st->packed_site && st->packed_site[func]) {
			gfp |= __GFP_PACKED;
			st->r->packed_objects++;
		}
		p = kmalloc(ev->bytes_req, gfp | __GFP_NOWARN);
	}
	if (!p) {
		st->r->failed_allocs++;
		return;
	}
	got = ksize(p);
	st->r->kmalloc_checked++;
	if (kmalloc_slot(st, ev->bytes_req, gfp, b, got) != ev->bytes_alloc)
		st->r->bytes_alloc_mismatches++;
	st->r->kmalloc_objects++;
	st->r->kmalloc_requested += ev->bytes_req;
	st->r->kmalloc_allocated += got;
	st->r->bytes_requested += ev->bytes_req;
	st->r->bytes_allocated += got;
	site->count++;
	site->req += ev->bytes_req;
	site->alloc += got;
	if (p == ZERO_SIZE_PTR)
		return;
	st->obj[ev->ptr] = p;
	st->req[ev->ptr] = ev->bytes_req;
	st->live_req += ev->bytes_req;
	st->r->allocs++;
}

static bool is_kmalloc_cache_name(const char *n)
{
	return !strncmp(n, "kmalloc-", 8) || !strncmp(n, "dma-kmalloc-", 12);
}

/* the kmalloc type a kmalloc cache's name stands for */
static gfp_t kmalloc_name_gfp(const char *n)
{
	if (!strncmp(n, "dma-", 4))
		return GFP_DMA;
	if (!strncmp(n, "kmalloc-rcl-", 12))
		return __GFP_RECLAIMABLE;
	if (!strncmp(n, "kmalloc-cg-", 11))
		return __GFP_ACCOUNT;
	return 0;
}

/*
 * A kmem_cache_alloc from a kmalloc cache the policy does not have (the
 * trace's kmalloc-64 under a 128-byte minimum): kmalloc of the same
 * request and type, as the kernel under that policy would have served it.
 */
static void *alloc_from_missing_kmalloc_cache(struct replay_state *st,
					      const struct trace_event *ev)
{
	const char *name = trace_stream_cache_name(st->s, ev->cache);

	return kmalloc(ev->bytes_req ? ev->bytes_req : 1,
		       ev->gfp | kmalloc_name_gfp(name) | __GFP_NOWARN);
}

/* The slab object size (s->size) of the cache with name id, once */
static uint32_t cache_slab_size(struct replay_state *st, uint32_t id,
				struct kmem_cache *c)
{
	struct kslab_cache_info ci;

	if (!st->cache_size[id] && !kslab_cache_info(c, &ci))
		st->cache_size[id] = ci.size;
	return st->cache_size[id];
}

/* bytes_alloc of a kmem_cache_alloc: the traced kernel's s->size */
static void check_cache_alloc(struct replay_state *st,
			      const struct trace_event *ev,
			      struct kmem_cache *c, void *p)
{
	uint32_t got = c ? cache_slab_size(st, ev->cache, c) :
			   (uint32_t)ksize(p);

	st->r->cache_checked++;
	if (got != ev->bytes_alloc)
		st->r->cache_mismatches++;
}

static void play_cache_alloc(struct replay_state *st,
			     const struct trace_event *ev)
{
	struct kmem_cache *c = st->caches[ev->cache];
	const char *name = trace_stream_cache_name(st->s, ev->cache);
	void *p;

	if (!c && is_kmalloc_cache_name(name) && !kslab_find_cache(name)) {
		p = alloc_from_missing_kmalloc_cache(st, ev);
	} else {
		if (!c)
			c = st->caches[ev->cache] =
				create_named(st, ev->cache, ev);
		p = c ? kmem_cache_alloc(c, ev->gfp | __GFP_NOWARN) : NULL;
	}
	if (!p) {
		st->r->failed_allocs++;
		return;
	}
	check_cache_alloc(st, ev, c, p);
	st->r->bytes_requested += ev->bytes_req;
	st->r->bytes_allocated += c ? kmem_cache_size(c) : ksize(p);
	st->obj[ev->ptr] = p;
	st->objcache[ev->ptr] = c;
	if (c && has_sheaves(st, c))
		st->r->sheaf_events++;
	st->req[ev->ptr] = ev->bytes_req;
	st->live_req += ev->bytes_req;
	st->r->allocs++;
}

static void play(struct replay_state *st, const struct trace_event *ev)
{
	bool is_alloc = ev->type == TEV_KMALLOC || ev->type == TEV_CACHE_ALLOC;

	kslab_set_cpu(ev->cpu % st->nr_cpus);
	if (!ev->ptr)
		return; /* NULL results and frees of NULL */
	if (!is_alloc && (ev->flags & TEV_F_ZERO_SIZE) && !st->obj[ev->ptr])
		return; /* kfree(ZERO_SIZE_PTR): nothing to free */
	if (is_alloc && st->obj[ev->ptr])
		release(st, ev->ptr, true); /* its free was not traced */
	switch (ev->type) {
	case TEV_KMALLOC:
		play_kmalloc(st, ev);
		break;
	case TEV_CACHE_ALLOC:
		play_cache_alloc(st, ev);
		break;
	default:
		if (st->obj[ev->ptr] && ev->type == TEV_CACHE_FREE &&
		    has_sheaves(st, st->objcache[ev->ptr]))
			st->r->sheaf_events++;
		if (st->obj[ev->ptr])
			release(st, ev->ptr, ev->type == TEV_CACHE_FREE);
		else
			st->r->unmatched_frees++;
	}
}

/* the kmalloc type of a kmalloc cache, from its flags: the table's order */
static int kmalloc_type_rank(slab_flags_t flags)
{
	if (flags & SLAB_CACHE_DMA)
		return 3;
	if (flags & SLAB_ACCOUNT)
		return 2;
	if (flags & SLAB_RECLAIM_ACCOUNT)
		return 1;
	return 0;
}

struct cache_rows {
	struct replay_cache_row *row;
	int *rank;
	size_t nr, max;
	const struct replay_peak *peak; /* counters at the peak, or now */
};

/*
 * kslab_for_each_cache(): keep the kmalloc caches holding objects, now
 * or (cr->peak) at the peak
 */
static int take_kmalloc_cache(struct kmem_cache *c, void *arg)
{
	struct cache_rows *cr = arg;
	struct replay_cache_row *row;
	struct kslab_cache_info now;
	const struct kslab_cache_info *ci = &now;

	if (cr->peak)
		ci = replay_peak_info(cr->peak, c);
	else if (kslab_cache_info(c, &now))
		ci = NULL;
	if (!ci || !(ci->flags & SLAB_KMALLOC) || !ci->num_objs)
		return 0;
	if (cr->nr == cr->max)
		return -ENOSPC;
	row = &cr->row[cr->nr];
	cr->rank[cr->nr++] = kmalloc_type_rank(ci->flags);
	snprintf(row->name, sizeof(row->name), "%s", ci->name);
	row->active_objs = ci->active_objs;
	row->num_objs = ci->num_objs;
	row->size = ci->size;
	row->objs_per_slab = ci->objs_per_slab;
	row->pages_per_slab = 1u << ci->order;
	row->active_slabs = ci->active_slabs;
	row->num_slabs = ci->num_slabs;
	return 0;
}

/*
 * The kmalloc caches holding objects, whatever the policy named them:
 * per type (normal, reclaimable, cgroup, DMA), biggest object first.
 */
static void snapshot_caches(struct replay_cache_row **rows, uint32_t *nr,
			    const struct replay_peak *peak)
{
	struct cache_rows cr = { .max = 4 * 24, .peak = peak };

	cr.row = *rows = calloc(cr.max, sizeof(**rows));
	cr.rank = calloc(cr.max, sizeof(*cr.rank));
	if (!cr.row || !cr.rank) {
		free(cr.rank);
		return;
	}
	kslab_for_each_cache(take_kmalloc_cache, &cr);
	/* insertion sort: a few dozen rows */
	for (size_t i = 1; i < cr.nr; i++) {
		struct replay_cache_row row = cr.row[i];
		int rank = cr.rank[i];
		size_t j = i;

		for (; j > 0 && (cr.rank[j - 1] > rank ||
				 (cr.rank[j - 1] == rank &&
				  cr.row[j - 1].size < row.size));
		     j--) {
			cr.row[j] = cr.row[j - 1];
			cr.rank[j] = cr.rank[j - 1];
		}
		cr.row[j] = row;
		cr.rank[j] = rank;
	}
	*nr = (uint32_t)cr.nr;
	free(cr.rank);
}

static int state_init(struct replay_state *st)
{
	const struct trace_stream *s = st->s;
	size_t nf = s->funcs.nr + 1;

	st->obj = calloc(s->nr_ptrs + 1, sizeof(*st->obj));
	st->objcache = calloc(s->nr_ptrs + 1, sizeof(*st->objcache));
	st->req = calloc(s->nr_ptrs + 1, sizeof(*st->req));
	st->caches = calloc(s->caches.nr + 1, sizeof(*st->caches));
	st->cache_size = calloc(s->caches.nr + 1, sizeof(*st->cache_size));
	st->debug = strstr(st->p->boot, "slub_debug") ||
		    strstr(st->p->boot, "slab_debug");
	st->sites = calloc(s->nr_sites + 1, sizeof(*st->sites));
	if (!st->obj || !st->objcache || !st->req || !st->caches ||
	    !st->sites || !st->cache_size)
		return -ENOMEM;
	if (strstr(st->p->boot, "kmalloc.packed") && st->o->nr_packed_funcs) {
		st->packed_site = calloc(nf, sizeof(*st->packed_site));
		if (!st->packed_site)
			return -ENOMEM;
		for (size_t i = 0; i < st->o->nr_packed_funcs; i++) {
			const char *fn = st->o->packed_funcs[i];
			uint32_t id = strtab_find(&s->funcs, fn, strlen(fn));

			if (id && id < nf)
				st->packed_site[id] = true;
		}
	}
	return 0;
}

static void state_free(struct replay_state *st)
{
	replay_peak_free(st->peak);
	st->peak = NULL;
	replay_buckets_free(st->buckets);
	st->buckets = NULL;
	free(st->obj);
	free(st->objcache);
	free(st->req);
	free(st->caches);
	free(st->cache_size);
	free(st->packed_site);
	free(st->sites);
}

/* --dma: its state, played between the slab events of the first pass */
/* (r->dma->err says why when it cannot; the slab replay goes on) */
static void dma_begin(struct replay_state *st)
{
	struct replay_result *r = st->r;

	r->dma = calloc(1, sizeof(*r->dma));
	if (r->dma)
		st->dma = replay_dma_begin(st->s, st->o->dma, st->obj,
					   st->objcache, r->dma);
}

/* Boot, play events [0, upto), return 0; the machine stays booted. */
unsigned int replay_nr_cpus(const struct trace_stream *s)
{
	return s->max_cpu < REPLAY_MAX_CPUS ? s->max_cpu + 1 : REPLAY_MAX_CPUS;
}

static int play_range(struct replay_state *st, uint64_t upto)
{
	char boot[640];
	struct kslab_arch_info ai;

	if (strstr(st->p->boot, "nr_cpus="))
		snprintf(boot, sizeof(boot), "%s", st->p->boot);
	else
		snprintf(boot, sizeof(boot), "%s nr_cpus=%u", st->p->boot,
			 replay_nr_cpus(st->s));
	if (kslab_boot(boot)) {
		snprintf(st->r->err, sizeof(st->r->err), "cannot boot %.200s",
			 boot);
		return -EINVAL;
	}
	kslab_arch_info(&ai);
	st->nr_cpus = ai.nr_cpus;
	st->r->page_size = ai.page_size;
	st->r->checked = true; /* every policy: the others are the control */
	if (st->want_dma)
		dma_begin(st);
	if (st->want_peak)
		st->peak = replay_peak_new();
	replay_buckets_free(st->buckets);
	st->buckets = replay_buckets_new(st->s);
	if (upto > st->s->nr)
		upto = st->s->nr;
	for (uint64_t i = 0; i < upto; i++) {
		const struct trace_event *ev = &st->s->ev[i];

		if (st->dma)
			replay_dma_until(st->dma, i);
		play(st, ev);
		if (ev->type == TEV_KMALLOC || ev->type == TEV_CACHE_ALLOC)
			note_peak(st, i);
	}
	return 0;
}

static void collect_sites(struct replay_state *st)
{
	struct replay_result *r = st->r;

	r->sites = calloc(st->s->nr_sites + 1, sizeof(*r->sites));
	if (!r->sites)
		return;
	for (uint32_t i = 0; i <= st->s->nr_sites; i++)
		if (st->sites[i].count) {
			r->sites[r->nr_sites] = st->sites[i];
			r->sites[r->nr_sites++].site = i;
		}
}

/* --pages: the page events on a machine of their own, after the slabs */
static void run_pages(const struct trace_stream *s,
		      const struct replay_policy *p,
		      const struct replay_opts *o, struct replay_result *r)
{
	r->pages = calloc(1, sizeof(*r->pages));
	if (r->pages)
		replay_pages_run(s, p, o->pages, r->pages);
}

/* the one-pass peak table is complete (else: the second pass) */
static bool peak_table_ready(const struct replay_peak *pk)
{
	return pk && replay_peak_taken(pk) && !replay_peak_failed(pk);
}

void replay_run(const struct trace_stream *s, const struct replay_policy *p,
		const struct replay_opts *o, struct replay_result *r)
{
	struct replay_state st = { .s = s, .p = p, .o = o, .r = r };
	struct replay_result peak;

	memset(r, 0, sizeof(*r));
	snprintf(r->policy, sizeof(r->policy), "%s", p->name);
	snprintf(r->boot, sizeof(r->boot), "%s", p->boot);
	r->events = s->nr;
	if (state_init(&st)) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		goto out;
	}
	st.want_dma = o->dma != NULL;
	st.want_peak = o->snapshot_at_peak && !st.want_dma &&
		       !o->peak_second_pass;
	if (play_range(&st, s->nr))
		goto out;
	replay_dma_end(st.dma);
	st.dma = NULL;
	r->final_slab_bytes = (uint64_t)kslab_slab_pages() * r->page_size;
	r->final_requested_bytes = st.live_req;
	snapshot_caches(&r->caches_end, &r->nr_caches_end, NULL);
	if (peak_table_ready(st.peak))
		snapshot_caches(&r->caches, &r->nr_caches, st.peak);
	collect_sites(&st);
	kslab_shutdown();
	r->ok = 1;
	if (!o->snapshot_at_peak || peak_table_ready(st.peak))
		goto out;
	/* again, up to and including the peak event, to read its caches */
	peak = *r;
	state_free(&st);
	memset(&st, 0, sizeof(st));
	st = (struct replay_state){ .s = s, .p = p, .o = o, .r = &peak };
	peak.sites = NULL;
	if (!state_init(&st) && !play_range(&st, r->peak_event + 1)) {
		snapshot_caches(&peak.caches, &peak.nr_caches, NULL);
		r->caches = peak.caches;
		r->nr_caches = peak.nr_caches;
		kslab_shutdown();
	}
out:
	replay_dma_end(st.dma);
	state_free(&st);
	if (r->ok && o->pages)
		run_pages(s, p, o, r);
}

/* ---- the result's way from child to parent ------------------------------ */

/* n items of size at p (NULL when n is 0); 0 or -1 */
static int write_items(FILE *f, const void *p, size_t size, size_t n)
{
	return n && fwrite(p, size, n, f) != n ? -1 : 0;
}

int replay_result_write(FILE *f, const struct replay_result *r)
{
	if (fwrite(r, sizeof(*r), 1, f) != 1 ||
	    write_items(f, r->caches, sizeof(*r->caches), r->nr_caches) ||
	    write_items(f, r->caches_end, sizeof(*r->caches_end),
			r->nr_caches_end) ||
	    write_items(f, r->sites, sizeof(*r->sites), r->nr_sites) ||
	    (r->pages && fwrite(r->pages, sizeof(*r->pages), 1, f) != 1) ||
	    (r->dma && fwrite(r->dma, sizeof(*r->dma), 1, f) != 1))
		return -EIO;
	return fflush(f) ? -EIO : 0;
}

/* the --dma part after the rest */
static int replay_result_read_dma(FILE *f, struct replay_result *r)
{
	r->dma = calloc(1, sizeof(*r->dma));
	if (!r->dma || fread(r->dma, sizeof(*r->dma), 1, f) != 1) {
		replay_result_free(r);
		return -EIO;
	}
	return 0;
}

int replay_result_read(FILE *f, struct replay_result *r)
{
	bool pages, dma;

	if (fread(r, sizeof(*r), 1, f) != 1)
		return -EIO;
	pages = r->pages != NULL;
	dma = r->dma != NULL;
	r->pages = pages ? calloc(1, sizeof(*r->pages)) : NULL;
	r->dma = NULL;
	r->caches = calloc(r->nr_caches + 1, sizeof(*r->caches));
	r->caches_end = calloc(r->nr_caches_end + 1, sizeof(*r->caches_end));
	r->sites = calloc(r->nr_sites + 1, sizeof(*r->sites));
	if (!r->caches || !r->caches_end || !r->sites ||
	    fread(r->caches, sizeof(*r->caches), r->nr_caches, f) !=
		    r->nr_caches ||
	    fread(r->caches_end, sizeof(*r->caches_end), r->nr_caches_end, f) !=
		    r->nr_caches_end ||
	    fread(r->sites, sizeof(*r->sites), r->nr_sites, f) != r->nr_sites ||
	    (pages &&
	     (!r->pages || fread(r->pages, sizeof(*r->pages), 1, f) != 1))) {
		replay_result_free(r);
		return -EIO;
	}
	return dma ? replay_result_read_dma(f, r) : 0;
}

void replay_result_free(struct replay_result *r)
{
	free(r->caches);
	free(r->caches_end);
	free(r->sites);
	free(r->pages);
	free(r->dma);
	r->pages = NULL;
	r->dma = NULL;
	r->caches = NULL;
	r->caches_end = NULL;
	r->sites = NULL;
	r->nr_caches = r->nr_sites = r->nr_caches_end = 0;
}
