// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: sequences of allocator calls with invariant checks.
 *
 * One machine is booted once (x86_64, 256M, one CPU). Each input is a
 * program: every op is one byte (the op) and the bytes after it (its
 * arguments): create a cache (size, flags, sheaf_capacity: 6.18
 * sheaves), kmalloc, kfree, kmem_cache_alloc, kmem_cache_zalloc,
 * kmem_cache_free, kfree_rcu(), a prefilled sheaf (prefill, allocations
 * from it, return), shrink, and a
 * double free of an object already freed (only on caches that have
 * SLAB_CONSISTENCY_CHECKS after creation, and only while another object
 * of the same slab is live, so that the slab cannot have been discarded:
 * SLUB must report it, "Object already free", and count it). Every
 * object gets a tag byte written over all of it, checked before it is
 * freed. At the end of the input every object is freed, the kfree_rcu()s
 * waited for, the caches destroyed, every cache shrunk and the per-CPU
 * page lists drained: the
 * free page count must be back to what it was before the input.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <kslab/kslab.h>
#include "fuzz_graveyard.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NR_SLOTS 64
#define NR_CACHES 4
#define NR_FREED 16

struct slot {
	void *p;
	size_t size;
	int cache; /* -1: kmalloc */
	uint8_t tag;
};

struct fuzz_cache {
	struct kmem_cache *s;
	unsigned int size;
	unsigned int block_order; /* every slab holds whole blocks this big */
	int debug;
};

struct freed {
	void *p;
	int cache;
};

static struct slot slots[NR_SLOTS];
static struct fuzz_cache caches[NR_CACHES];
static struct freed freed[NR_FREED];
static unsigned int nr_freed;

static const slab_flags_t flag_choice[] = {
	0,
	SLAB_HWCACHE_ALIGN,
	SLAB_NO_MERGE,
	SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON,
	SLAB_CONSISTENCY_CHECKS,
};

/* by the top three bits of the size's high byte (which the size leaves
 * unused): most caches have none; debug flags switch them off, as in
 * the kernel */
static const unsigned int sheaf_choice[] = { 0, 0, 0, 0, 1, 8, 32, 13 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (kslab_boot("arch=x86_64 mem=256M nr_cpus=1"))
		abort();
	fuzz_fill_graveyard(); /* fuzz_graveyard.h says why */
	return 0;
}

static int shrink_one(struct kmem_cache *s, void *arg)
{
	kmem_cache_shrink(s);
	return 0;
}

/* a kfree_rcu() since the last barrier (a barrier is a grace period:
 * milliseconds, so only inputs that used kfree_rcu() pay one) */
static int rcu_pending;

static unsigned long settled_free_pages(void)
{
	if (rcu_pending)
		kvfree_rcu_barrier();
	rcu_pending = 0;
	kslab_for_each_cache(shrink_one, NULL);
	drain_all_pages(NULL);
	return kslab_nr_free_pages();
}

static void tag_obj(struct slot *sl, uint8_t tag)
{
	sl->tag = tag;
	memset(sl->p, tag, sl->size);
}

/*
 * The first byte of [p, p + len) that is not value, or len. Left out of
 * the coverage instrumentation: a comparison hook per byte of a 48K
 * object was most of the harness's own time, and its edges tell the
 * fuzzer nothing about the library. Not inlined: inlined into an
 * instrumented caller, it was instrumented after all (clang 14).
 */
__attribute__((no_sanitize("coverage"), noinline)) static size_t
first_other(const uint8_t *p, uint8_t value, size_t len)
{
	uint64_t v = 0x0101010101010101ULL * value, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		if (w != v)
			break;
	}
	for (; i < len && p[i] == value; i++)
		;
	return i;
}

static void check_obj(const struct slot *sl)
{
	size_t i = first_other(sl->p, sl->tag, sl->size);

	if (i < sl->size) {
		fprintf(stderr, "fuzz: object %p byte %zu changed\n", sl->p, i);
		abort();
	}
}

static int is_live(const void *p)
{
	for (int i = 0; i < NR_SLOTS; i++)
		if (slots[i].p == p)
			return 1;
	return 0;
}

static unsigned long block_of(const void *p, unsigned int order)
{
	return page_to_pfn(virt_to_page(p)) >> order;
}

/*
 * Is a live object of cache ci (or of a cache merged with it) in the
 * slab of p, a former object of ci?
 * Then that slab has an object in use: it cannot have been discarded
 * since p was freed, so it is still ci's and p an object of it.
 */
static int slab_pinned(const void *p, int ci)
{
	unsigned int order = caches[ci].block_order;

	for (int i = 0; i < NR_SLOTS; i++)
		if (slots[i].p && slots[i].cache >= 0 &&
		    caches[slots[i].cache].s == caches[ci].s &&
		    block_of(slots[i].p, order) == block_of(p, order))
			return 1;
	return 0;
}

static void remember_freed(void *p, int cache)
{
	if (cache < 0 || !caches[cache].debug)
		return;
	freed[nr_freed % NR_FREED] = (struct freed){ p, cache };
	nr_freed++;
}

static void free_slot(struct slot *sl)
{
	if (!sl->p)
		return;
	check_obj(sl);
	if (sl->cache < 0) {
		kfree(sl->p);
	} else {
		kmem_cache_free(caches[sl->cache].s, sl->p);
		remember_freed(sl->p, sl->cache);
	}
	sl->p = NULL;
}

static void op_create(const uint8_t *a)
{
	static unsigned int serial;
	struct fuzz_cache *c = NULL;
	struct kmem_cache_args args = { 0 };
	struct kslab_cache_info info;
	slab_flags_t flags;
	char name[32];

	for (int i = 0; i < NR_CACHES; i++)
		if (!caches[i].s) {
			c = &caches[i];
			break;
		}
	if (!c)
		return;
	c->size = 1 + ((a[0] | a[1] << 8) % 8192);
	flags = flag_choice[a[2] %
			    (sizeof(flag_choice) / sizeof(flag_choice[0]))];
	args.sheaf_capacity = sheaf_choice[a[1] >> 5];
	snprintf(name, sizeof(name), "fuzz_%u", serial++);
	c->s = kmem_cache_create_args(name, c->size, &args, flags);
	if (!c->s || kslab_cache_info(c->s, &info))
		abort();
	/*
	 * What the cache does, not what was asked: SLAB_CONSISTENCY_CHECKS
	 * alone is not in SLAB_NEVER_MERGE, so such a cache may be merged
	 * into an existing cache without debugging (and a cache asked
	 * without it into one with it), as in the kernel.
	 */
	c->debug = !!(info.flags & SLAB_CONSISTENCY_CHECKS);
	/* a slab is min_order pages or more, aligned as the buddy allocator
	 * aligns blocks: one min_order block never spans two slabs */
	c->block_order = (unsigned int)get_order(info.size);
}

static void op_alloc(const uint8_t *a, int from_cache, int zero)
{
	struct slot *sl = &slots[a[0] % NR_SLOTS];
	int ci = a[1] % NR_CACHES;
	size_t size;
	void *p;

	free_slot(sl);
	if (from_cache) {
		if (!caches[ci].s)
			return;
		size = caches[ci].size;
		p = zero ? kmem_cache_zalloc(caches[ci].s, GFP_KERNEL) :
			   kmem_cache_alloc(caches[ci].s, GFP_KERNEL);
	} else {
		/* up to 48K: the kmalloc caches and the page allocator */
		size = 1 + ((a[1] | a[2] << 8) % (48u << 10));
		ci = -1;
		p = zero ? kzalloc(size, GFP_KERNEL) :
			   kmalloc(size, GFP_KERNEL);
	}
	if (!p)
		abort(); /* 256M is plenty for 64 objects */
	if (zero && first_other(p, 0, size) < size)
		abort();
	if (ci < 0 && ksize(p) < size)
		abort();
	*sl = (struct slot){ .p = p, .size = size, .cache = ci };
	tag_obj(sl, a[2] ^ (uint8_t)(a[0] * 37));
}

/* What fn(s, p) wrote on stderr, in bytes (0: it said nothing). */
static long stderr_of(void (*fn)(struct kmem_cache *, void *),
		      struct kmem_cache *s, void *p)
{
	int fd = memfd_create("fuzz_stderr", 0), saved = dup(STDERR_FILENO);
	long n;

	if (fd < 0 || saved < 0 || dup2(fd, STDERR_FILENO) < 0)
		abort();
	fn(s, p);
	n = lseek(fd, 0, SEEK_END);
	if (dup2(saved, STDERR_FILENO) < 0)
		abort();
	close(saved);
	close(fd);
	return n;
}

/*
 * A double free on a cache with consistency checks, while its slab is
 * held by a live object: SLUB finds the object on the slab's freelist
 * (on_freelist()), reports "Object already free" and counts it, every
 * time (the report is not rate-limited). A freed object whose slab may
 * be gone is left alone: its page may be another cache's slab by now,
 * and a free there is a use after free, not a double free. The tag
 * checks catch a free that was taken after all (two slots would then
 * share an object).
 */
static void op_double_free(const uint8_t *a)
{
	struct kmem_cache *s;
	unsigned long errors;
	struct freed *f;

	if (!nr_freed)
		return;
	f = &freed[a[0] % (nr_freed < NR_FREED ? nr_freed : NR_FREED)];
	if (!f->p || !caches[f->cache].s || is_live(f->p) ||
	    !slab_pinned(f->p, f->cache))
		return;
	s = caches[f->cache].s;
	errors = kslab_slub_debug_errors();
	if (!stderr_of(kmem_cache_free, s, f->p) ||
	    kslab_slub_debug_errors() == errors) {
		fprintf(stderr,
			"fuzz: double free of %p not reported (errors %lu -> %lu)\n",
			f->p, errors, kslab_slub_debug_errors());
		abort();
	}
	errors = kslab_slub_debug_errors();
	if (kmem_cache_validate(s) < 0 || kslab_slub_debug_errors() != errors) {
		fprintf(stderr, "fuzz: %p: cache corrupt after a double free\n",
			f->p);
		abort();
	}
}

/* kfree_rcu() of a slot's object: gone after a grace period (never a
 * double-free candidate: it may not be free yet) */
static void op_kfree_rcu(const uint8_t *a)
{
	struct slot *sl = &slots[a[0] % NR_SLOTS];

	if (!sl->p)
		return;
	/* one in 256, and not 0 (grown inputs are full of zeros): an input
	 * that uses kfree_rcu() waits a grace period at its end, 10 ms
	 * (liburcu's call_rcu thread sleeps 10 ms after it wakes, to batch),
	 * against some 2 ms for a whole input; the compare hook shows the
	 * fuzzer the byte */
	if (a[1] != 0x5a) {
		free_slot(sl);
		return;
	}
	check_obj(sl);
	/* allocated until the grace period ends: no longer a former object
	 * that a free would find free (an earlier free of it is forgotten) */
	for (unsigned int i = 0; i < NR_FREED; i++)
		if (freed[i].p == sl->p)
			freed[i].p = NULL;
	kfree_rcu_mightsleep(sl->p);
	rcu_pending = 1;
	sl->p = NULL;
}

/*
 * A sheaf prefilled with a[1] % 48 objects (past the capacity, or on a
 * cache without sheaves: an oversize sheaf), a[2] % 8 of them taken
 * into slots from a[0] on, the sheaf refilled and returned.
 */
static void op_sheaf(const uint8_t *a)
{
	int ci = a[0] % NR_CACHES;
	struct slab_sheaf *sheaf;
	unsigned int n = a[1] % 48, k = a[2] % 8;

	if (!caches[ci].s)
		return;
	sheaf = kmem_cache_prefill_sheaf(caches[ci].s, GFP_KERNEL, n);
	if (!sheaf)
		return;
	if (kmem_cache_sheaf_size(sheaf) < n)
		abort();
	for (unsigned int j = 0; j < k && j < n; j++) {
		struct slot *sl = &slots[(a[0] + j) % NR_SLOTS];
		void *p;

		free_slot(sl);
		p = kmem_cache_alloc_from_sheaf(caches[ci].s, GFP_KERNEL,
						sheaf);
		if (!p || is_live(p))
			abort();
		*sl = (struct slot){ .p = p,
				     .size = caches[ci].size,
				     .cache = ci };
		tag_obj(sl, (uint8_t)(a[1] + j * 29));
	}
	/* refilled to up to 47 more (a bigger one replaces it) */
	n = kmem_cache_sheaf_size(sheaf) + (a[2] >> 3) % 48;
	if (!kmem_cache_refill_sheaf(caches[ci].s, GFP_KERNEL, &sheaf, n) &&
	    kmem_cache_sheaf_size(sheaf) < n)
		abort();
	kmem_cache_return_sheaf(caches[ci].s, GFP_KERNEL, sheaf);
}

static void op_shrink(const uint8_t *a)
{
	struct fuzz_cache *c = &caches[a[0] % NR_CACHES];

	if (c->s && kmem_cache_shrink(c->s))
		abort();
}

static void reset(void)
{
	for (int i = 0; i < NR_SLOTS; i++)
		free_slot(&slots[i]);
	/* one grace period for the input's kfree_rcu()s, not one in each
	 * destroy (which waits for those in flight) */
	if (rcu_pending)
		kvfree_rcu_barrier();
	rcu_pending = 0;
	for (int i = 0; i < NR_CACHES; i++) {
		if (caches[i].s)
			kmem_cache_destroy(caches[i].s);
		caches[i].s = NULL;
	}
	memset(freed, 0, sizeof(freed));
	nr_freed = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long base = settled_free_pages(), now;
	size_t i = 0;

	while (i + 4 <= size) {
		const uint8_t *a = data + i + 1;

		switch (data[i] % 11) {
		case 0:
			op_create(a);
			break;
		case 1:
			op_alloc(a, 0, 0);
			break;
		case 2:
			op_alloc(a, 0, 1);
			break;
		case 3:
			op_alloc(a, 1, 0);
			break;
		case 4:
			op_alloc(a, 1, 1);
			break;
		case 5:
			free_slot(&slots[a[0] % NR_SLOTS]);
			break;
		case 6:
			op_shrink(a);
			break;
		case 7:
			op_double_free(a);
			break;
		case 9:
			op_kfree_rcu(a);
			break;
		case 10:
			op_sheaf(a);
			break;
		default:
			free_slot(&slots[a[1] % NR_SLOTS]);
			break;
		}
		i += 4;
	}
	reset();
	now = settled_free_pages();
	if (now != base) {
		fprintf(stderr, "fuzz: free pages %lu, %lu before\n", now,
			base);
		abort();
	}
	return 0;
}
