// SPDX-License-Identifier: MIT
/*
 * kslab under the kernel's user-space test suites (tools/testing/radix-tree,
 * Linux 6.12, and 6.18's with KT_SHEAVES): the slab part of tools/testing/shared/linux.c and the
 * kmalloc()/kfree() of tools/lib/slab.c, on kslab's real caches.
 *
 * Written from the suite's interface (tools/include/linux/slab.h and the
 * extern declarations in lib/maple_tree.c); run.sh copies this file over
 * the suite's shared/linux.c and empties tools/lib/slab.c.
 *
 * Each kmem_cache_create() gets a handle (struct kt_cache) holding the
 * kslab cache, so that caches kslab merges (test_cache into maple_node)
 * keep their own counters; the suite only passes the pointer around.
 *
 * The shim's fault injection, in kslab's failslab hook:
 *   - a cache allocation without __GFP_DIRECT_RECLAIM fails unless the
 *     cache's non_kernel allowance (kmem_cache_set_non_kernel()) is left,
 *     which it uses up; a failure arms the cache's callback for its next
 *     allocation (kmem_cache_set_callback());
 *   - kmalloc() without __GFP_DIRECT_RECLAIM always fails.
 *
 * Counters: nr_allocated (every cache object), kmalloc_nr_allocated, and
 * per handle nr_allocated / nr_tallocated, as the shim keeps them. At exit
 * the handles' counts are checked against kslab_cache_usage() and every
 * disagreement is printed as a "kslab:" line, as kslab's own reports.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/radix-tree.h>
#include <urcu/uatomic.h>

#define KSLAB_PREFIXED_ONLY
#include <kslab/kslab.h>

int nr_allocated;
int preempt_count;
int test_verbose;
int kmalloc_nr_allocated;
int kmalloc_verbose;

_Static_assert(__GFP_DIRECT_RECLAIM == KSLAB___GFP_DIRECT_RECLAIM,
	       "the suite's gfp bits are the kernel's");
_Static_assert(__GFP_ZERO == KSLAB___GFP_ZERO, "__GFP_ZERO");

struct kt_cache {
	struct kmem_cache *s; /* kslab's */
	const char *name;
	unsigned int size;
	unsigned int non_kernel;
	unsigned long nr_allocated;
	unsigned long nr_tallocated;
	bool exec_callback;
	void (*callback)(void *);
	void *private;
	struct kt_cache *next;
};

static struct kt_cache *kt_caches;
static pthread_mutex_t kt_lock = PTHREAD_MUTEX_INITIALIZER;

/* who is allocating on this thread: a handle, kmalloc, or kslab itself */
static struct kt_cache kt_kmalloc;
static __thread struct kt_cache *kt_cur;
static __thread bool kt_bulk;

#define KT(c) ((struct kt_cache *)(void *)(c))

static bool kt_failslab(struct kmem_cache *s, kslab_gfp_t gfp, void *arg)
{
	struct kt_cache *c = kt_cur;

	(void)arg;
	if (!c || (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	if (c == &kt_kmalloc)
		return true;
	if (c->s != s)
		return false; /* not the suite's allocation */
	for (;;) {
		unsigned int left = uatomic_read(&c->non_kernel);

		if (!left)
			break;
		if (uatomic_cmpxchg(&c->non_kernel, left, left - 1) == left)
			return false;
	}
	if (!kt_bulk)
		c->exec_callback = true;
	return true;
}

__attribute__((constructor)) static void kt_init(void)
{
	const char *cmdline = getenv("KSLAB_BOOT");

	if (kslab_boot(cmdline ? cmdline : "mem=8G") && !kslab_booted()) {
		fprintf(stderr, "kslab-shim: kslab_boot failed\n");
		abort();
	}
	kslab_set_failslab(kt_failslab, NULL);
}

void kmem_cache_set_callback(struct kmem_cache *cachep,
			     void (*callback)(void *))
{
	KT(cachep)->callback = callback;
}

void kmem_cache_set_private(struct kmem_cache *cachep, void *private)
{
	KT(cachep)->private = private;
}

void kmem_cache_set_non_kernel(struct kmem_cache *cachep, unsigned int val)
{
	uatomic_set(&KT(cachep)->non_kernel, val);
}

unsigned long kmem_cache_get_alloc(struct kmem_cache *cachep)
{
	return KT(cachep)->size * KT(cachep)->nr_allocated;
}

unsigned long kmem_cache_nr_allocated(struct kmem_cache *cachep)
{
	return KT(cachep)->nr_allocated;
}

unsigned long kmem_cache_nr_tallocated(struct kmem_cache *cachep)
{
	return KT(cachep)->nr_tallocated;
}

void kmem_cache_zero_nr_tallocated(struct kmem_cache *cachep)
{
	KT(cachep)->nr_tallocated = 0;
}

static void kt_count_alloc(struct kt_cache *c, void *p)
{
	uatomic_inc(&c->nr_allocated);
	uatomic_inc(&nr_allocated);
	uatomic_inc(&c->nr_tallocated);
	if (kmalloc_verbose)
		printf("Allocating %p from slab\n", p);
}

void *kmem_cache_alloc_lru(struct kmem_cache *cachep, struct list_lru *lru,
			   int gfp)
{
	struct kt_cache *c = KT(cachep);
	void *p;

	if (c->exec_callback) {
		if (c->callback)
			c->callback(c->private);
		c->exec_callback = false;
	}
	kt_cur = c;
	p = kslab_kmem_cache_alloc_lru(c->s, lru, (kslab_gfp_t)gfp);
	kt_cur = NULL;
	if (p)
		kt_count_alloc(c, p);
	return p;
}

void kmem_cache_free(struct kmem_cache *cachep, void *objp)
{
	struct kt_cache *c = KT(cachep);

	assert(objp);
	uatomic_dec(&nr_allocated);
	uatomic_dec(&c->nr_allocated);
	if (kmalloc_verbose)
		printf("Freeing %p to slab\n", objp);
	kslab_kmem_cache_free(c->s, objp);
}

void kmem_cache_free_bulk(struct kmem_cache *cachep, size_t size, void **list)
{
	if (kmalloc_verbose)
		pr_debug("Bulk free %p[0-%zu]\n", list, size - 1);
	for (size_t i = 0; i < size; i++)
		kmem_cache_free(cachep, list[i]);
}

void kmem_cache_shrink(struct kmem_cache *cachep)
{
	kslab_kmem_cache_shrink(KT(cachep)->s);
}

int kmem_cache_alloc_bulk(struct kmem_cache *cachep, gfp_t gfp, size_t size,
			  void **p)
{
	struct kt_cache *c = KT(cachep);
	int ret;

	if (kmalloc_verbose)
		pr_debug("Bulk alloc %zu\n", size);
	kt_cur = c;
	kt_bulk = true;
	ret = kslab_kmem_cache_alloc_bulk(c->s, (kslab_gfp_t)gfp, size, p);
	kt_bulk = false;
	kt_cur = NULL;
	for (int i = 0; i < ret; i++)
		kt_count_alloc(c, p[i]);
	return ret;
}

/* the tools' SLAB_* values (tools/include/linux/slab.h) to the kernel's */
static kslab_slab_flags_t kt_flags(unsigned int flags)
{
	kslab_slab_flags_t f = 0;

	if (flags & SLAB_PANIC)
		f |= KSLAB_SLAB_PANIC;
	if (flags & SLAB_RECLAIM_ACCOUNT)
		f |= KSLAB_SLAB_RECLAIM_ACCOUNT;
	if (flags & ~(unsigned int)(SLAB_PANIC | SLAB_RECLAIM_ACCOUNT))
		fprintf(stderr, "kslab-shim: unknown slab flags %#x ignored\n",
			flags & ~(unsigned int)(SLAB_PANIC |
						SLAB_RECLAIM_ACCOUNT));
	return f;
}

static struct kmem_cache *kt_create(const char *name, unsigned int size,
				    unsigned int align, unsigned int flags,
				    void (*ctor)(void *),
				    unsigned int sheaf_capacity)
{
	struct kt_cache *c = calloc(1, sizeof(*c));

	assert(c);
	c->s = kslab_kmem_cache_create_sheaves(
		name, size, align, kt_flags(flags), ctor, sheaf_capacity);
	assert(c->s);
	c->name = name;
	c->size = size;
	pthread_mutex_lock(&kt_lock);
	c->next = kt_caches;
	kt_caches = c;
	pthread_mutex_unlock(&kt_lock);
	return (struct kmem_cache *)(void *)c;
}

#ifndef KT_SHEAVES
/* 6.12: the five-argument call */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned int flags,
				     void (*ctor)(void *))
{
	return kt_create(name, size, align, flags, ctor, 0);
}
#else
/*
 * 6.18's suite (run.sh defines KT_SHEAVES when the tools' slab.h declares
 * the sheaf calls): kmem_cache_create() is a macro there, every form of
 * it ends in __kmem_cache_create_args(), and maple_node asks for
 * sheaf_capacity 32. The sheaves are kslab's own (prefill, allocation
 * from the sheaf, refill, return); the suite sees a struct slab_sheaf of
 * its tools' layout whose size the shim keeps in step with kslab's
 * sheaf behind it (kmem_cache_sheaf_size() reads it inline).
 *
 * Counted as the suite's own shim counts them: a prefilled sheaf's
 * objects are allocated (nr_allocated), and those left in it when it is
 * returned are freed; allocating from the sheaf changes no count. Fault
 * injection as for a bulk allocation: without __GFP_DIRECT_RECLAIM the
 * objects a prefill or refill adds must fit in the cache's non_kernel
 * allowance (used up), else it fails; an armed callback runs first.
 */
struct kmem_cache *__kmem_cache_create_args(const char *name, unsigned int size,
					    struct kmem_cache_args *args,
					    unsigned int flags)
{
	return kt_create(name, size, args ? args->align : 0, flags,
			 args ? args->ctor : NULL,
			 args ? args->sheaf_capacity : 0);
}

bool slab_is_available(void)
{
	return true;
}

struct kt_sheaf {
	struct kslab_sheaf *ks;
	struct slab_sheaf pub; /* last: its objects[] stays empty */
};

#define KT_SHEAF(p)                                                        \
	((struct kt_sheaf *)(void *)((char *)(p)-offsetof(struct kt_sheaf, \
							  pub)))

static void kt_run_callback(struct kt_cache *c)
{
	if (c->exec_callback) {
		if (c->callback)
			c->callback(c->private);
		c->exec_callback = false;
	}
}

/* the non_kernel rule for n more objects, all or none */
static bool kt_may_fill(struct kt_cache *c, gfp_t gfp, unsigned int n)
{
	if (gfp & __GFP_DIRECT_RECLAIM)
		return true;
	for (;;) {
		unsigned int left = uatomic_read(&c->non_kernel);

		if (left < n)
			return false;
		if (uatomic_cmpxchg(&c->non_kernel, left, left - n) == left)
			return true;
	}
}

/* the counts follow the kslab sheaf's size (was: the suite's last view) */
static void kt_sheaf_sync(struct kt_cache *c, struct kt_sheaf *sh)
{
	unsigned int now = kslab_kmem_cache_sheaf_size(sh->ks);
	long d = (long)now - (long)sh->pub.size;

	uatomic_add(&nr_allocated, d);
	uatomic_add(&c->nr_allocated, d);
	if (d > 0)
		uatomic_add(&c->nr_tallocated, d);
	sh->pub.size = now;
}

struct slab_sheaf *kmem_cache_prefill_sheaf(struct kmem_cache *s, gfp_t gfp,
					    unsigned int size)
{
	struct kt_cache *c = KT(s);
	struct kt_sheaf *sh;

	kt_run_callback(c);
	if (!size || !kt_may_fill(c, gfp, size))
		return NULL;
	sh = calloc(1, sizeof(*sh));
	if (!sh)
		return NULL;
	sh->ks = kslab_kmem_cache_prefill_sheaf(c->s, (kslab_gfp_t)gfp, size);
	if (!sh->ks) {
		free(sh);
		return NULL;
	}
	sh->pub.cache = s;
	kt_sheaf_sync(c, sh);
	return &sh->pub;
}

void *kmem_cache_alloc_from_sheaf(struct kmem_cache *s, gfp_t gfp,
				  struct slab_sheaf *sheaf)
{
	struct kt_sheaf *sh = KT_SHEAF(sheaf);
	void *p = kslab_kmem_cache_alloc_from_sheaf(KT(s)->s, (kslab_gfp_t)gfp,
						    sh->ks);

	sh->pub.size = kslab_kmem_cache_sheaf_size(sh->ks);
	if (!p)
		printf("Nothing left in sheaf!\n");
	return p;
}

int kmem_cache_refill_sheaf(struct kmem_cache *s, gfp_t gfp,
			    struct slab_sheaf **sheafp, unsigned int size)
{
	struct kt_cache *c = KT(s);
	struct kt_sheaf *sh;
	int ret;

	if (!sheafp || !*sheafp)
		return -EINVAL;
	sh = KT_SHEAF(*sheafp);
	if (sh->pub.size >= size)
		return 0;
	kt_run_callback(c);
	if (!kt_may_fill(c, gfp, size - sh->pub.size))
		return -ENOMEM;
	ret = kslab_kmem_cache_refill_sheaf(c->s, (kslab_gfp_t)gfp, &sh->ks,
					    size);
	kt_sheaf_sync(c, sh);
	return ret;
}

void kmem_cache_return_sheaf(struct kmem_cache *s, gfp_t gfp,
			     struct slab_sheaf *sheaf)
{
	struct kt_cache *c = KT(s);
	struct kt_sheaf *sh = KT_SHEAF(sheaf);

	uatomic_sub(&nr_allocated, sh->pub.size);
	uatomic_sub(&c->nr_allocated, sh->pub.size);
	kslab_kmem_cache_return_sheaf(c->s, (kslab_gfp_t)gfp, sh->ks);
	free(sh);
}
#endif

/* ---- tools/lib/slab.c ------------------------------------------------------ */

void *kmalloc(size_t size, gfp_t gfp)
{
	void *ret;

	if (!(gfp & __GFP_DIRECT_RECLAIM))
		return NULL; /* the rule, also for sizes above the slabs */
	kt_cur = &kt_kmalloc;
	ret = kslab_kmalloc(size, gfp);
	kt_cur = NULL;
	if (!ret)
		return NULL;
	uatomic_inc(&kmalloc_nr_allocated);
	if (kmalloc_verbose)
		printf("Allocating %p from malloc\n", ret);
	return ret;
}

void kfree(void *p)
{
	if (!p)
		return;
	uatomic_dec(&kmalloc_nr_allocated);
	if (kmalloc_verbose)
		printf("Freeing %p to malloc\n", p);
	kslab_kfree(p);
}

/* ---- the leak check, against kslab's own counts ------------------------ */

/* the suite's live objects of kslab cache s (every handle on it) */
static unsigned long kt_handles_live(struct kmem_cache *s, char *names,
				     size_t len)
{
	unsigned long live = 0;
	size_t off = 0;

	names[0] = '\0';
	for (struct kt_cache *c = kt_caches; c; c = c->next) {
		if (c->s != s)
			continue;
		live += uatomic_read(&c->nr_allocated);
		if (off < len)
			off += snprintf(names + off, len - off, "%s%s",
					off ? "+" : "", c->name);
	}
	return live;
}

/*
 * Every kslab cache of the suite: kslab's in-use count must equal the
 * objects the suite holds. Returns the number of disagreements.
 */
int kt_check_counts(FILE *out)
{
	char names[256];
	int bad = 0;

	for (struct kt_cache *c = kt_caches; c; c = c->next) {
		struct kslab_cache_usage u;
		unsigned long live;
		bool first = true;

		for (struct kt_cache *d = kt_caches; d != c; d = d->next)
			if (d->s == c->s)
				first = false;
		if (!first || kslab_cache_usage(c->s, &u))
			continue;
		live = kt_handles_live(c->s, names, sizeof(names));
		if (out)
			fprintf(out,
				"kslab-shim: cache %s: suite holds %lu, kslab in use %lu\n",
				names, live, u.in_use);
		if (live != u.in_use) {
			fprintf(stderr,
				"kslab: cache %s: %lu objects in use but the suite holds %lu\n",
				names, u.in_use, live);
			bad++;
		}
	}
	return bad;
}

__attribute__((destructor)) static void kt_fini(void)
{
	FILE *out = getenv("KT_VERBOSE") ? stdout : NULL;

	kt_check_counts(out);
	printf("kslab-shim: nr_allocated %d, kmalloc_nr_allocated %d, refused frees %lu, failslab failures %lu\n",
	       nr_allocated, kmalloc_nr_allocated, kslab_refused_frees(),
	       kslab_failslab_count());
	if (kslab_refused_frees())
		fprintf(stderr, "kslab: %lu frees refused\n",
			kslab_refused_frees());
}

/*
 * The shim's self-test (called by maple.c), on kslab: bulk and single
 * allocations come back, and kslab's count of the cache follows the
 * suite's. test_cache2 (128 bytes aligned to 128) is merged by kslab with
 * kmalloc-128-like caches when it can be; the counts cover its handle.
 */
void test_kmem_cache_bulk(void)
{
	void *list[12];
	struct kmem_cache *test_cache, *test_cache2;
	struct kslab_cache_usage u0, u;
	int i;

	test_cache = kmem_cache_create("test_cache", 256, 0, SLAB_PANIC, NULL);
	kslab_cache_usage(KT(test_cache)->s, &u0);
	for (i = 0; i < 5; i++)
		list[i] = kmem_cache_alloc(test_cache, __GFP_DIRECT_RECLAIM);
	kslab_cache_usage(KT(test_cache)->s, &u);
	assert(u.in_use == u0.in_use + 5);
	for (i = 0; i < 5; i++)
		kmem_cache_free(test_cache, list[i]);
	assert(kmem_cache_nr_allocated(test_cache) == 0);

	assert(kmem_cache_alloc_bulk(test_cache, __GFP_DIRECT_RECLAIM, 5,
				     list) == 5);
	kmem_cache_free_bulk(test_cache, 5, list);

	for (i = 0; i < 12; i++)
		list[i] = kmem_cache_alloc(test_cache, __GFP_DIRECT_RECLAIM);
	kslab_cache_usage(KT(test_cache)->s, &u);
	assert(u.in_use == u0.in_use + 12);
	for (i = 0; i < 12; i++)
		kmem_cache_free(test_cache, list[i]);
	kslab_cache_usage(KT(test_cache)->s, &u);
	assert(u.in_use == u0.in_use);

	/* no allowance: a bulk allocation without reclaim fails whole */
	assert(kmem_cache_alloc_bulk(test_cache, GFP_NOWAIT, 5, list) == 0);
	kmem_cache_set_non_kernel(test_cache, 5);
	assert(kmem_cache_alloc_bulk(test_cache, GFP_NOWAIT, 5, list) == 5);
	kmem_cache_free_bulk(test_cache, 5, list);

	test_cache2 =
		kmem_cache_create("test_cache2", 128, 128, SLAB_PANIC, NULL);
	assert(kmem_cache_alloc_bulk(test_cache2, __GFP_DIRECT_RECLAIM, 10,
				     list) == 10);
	kmem_cache_free_bulk(test_cache2, 10, list);
	assert(kmem_cache_nr_allocated(test_cache2) == 0);
	assert(!kt_check_counts(NULL));
}
