/* SPDX-License-Identifier: MIT */
/*
 * The slab layer's internals (SLUB), shared by src/slab/ and the layers
 * above it (kmalloc, DMA).
 *
 * A slab is a compound block of 2^order pages; its head struct page is
 * reused as struct slab (below). Objects sit at s->size strides from the
 * block's start; a free object holds the address of the next free one
 * at s->offset (inside the object, or just after it when a ctor, RCU or
 * poisoning needs the object's bytes intact):
 *
 *   | obj 0 ......... | obj 1 ......... | ... | obj n-1 ....... | waste |
 *   |<-- object_size -->|pad|           |
 *   |<--------- size ------>|
 *          ^ offset: free pointer (object_size/2 rounded down, or
 *            object_size rounded up when it must stay outside)
 *
 * Where a free object lives, and who may touch it ("holding the CPU":
 * its owner in a lock-free section, or c->lock; see struct ksl_cpu_hold):
 *   c->freelist       objects of c->slab (the CPU's active slab)
 *   slab->local_free  objects the CPU freed into one of its partial slabs
 *   slab freelist     everything else ("remote" frees): a compare-and-swap
 *                     of slab->fstate, under n->list_lock when a list
 *                     changes
 *
 * A slab is in exactly one state (in slab->fstate): FROZEN (some CPU's
 * active slab or on its partial list: the kernel's frozen bit),
 * NODE_PARTIAL (on the node list), FULL (on no list). A frozen slab
 * changes state only by its CPU (holding it); the others only under
 * n->list_lock, but for the CAS with which a freer freezes a full slab
 * (with no free object, nobody else may take it); a slab moves between
 * the two groups with both held. Other remote frees change the free list
 * and inuse, never the state, so every change is one CAS of the word.
 * inuse (in slab->fstate) counts the objects not on the slab freelist,
 * so the objects of the CPU's lists count as in use, as in SLUB.
 *
 * Lock order: slab_mutex -> c->lock -> n->list_lock. Page allocations and
 * frees happen with no list_lock held.
 */
#ifndef KSLAB_SLAB_INTERNAL_H
#define KSLAB_SLAB_INTERNAL_H

#include <kslab/slab.h>
#include "mm/mm_internal.h"

/* the machine, as hidden as the library's definition: its fields are
 * read %rip-relative by the fast paths (no address load first) */
extern struct ksl_mm ksl_mm __attribute__((visibility("hidden")));

#define KSL_MIN_PARTIAL 5
#define KSL_MAX_PARTIAL 10
#define KSL_MAX_OBJS_PER_PAGE 32767
#define KSL_NAME_MAX 64

/* GFP_SLAB_BUG_MASK of mm/internal.h: __GFP_DMA is not in it */
#define GFP_SLAB_BUG_MASK (__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK)

/*
 * kmalloc_fix_flags(): drop the GFP_SLAB_BUG_MASK bits, with the kernel's
 * "Unexpected gfp ... Fix your code!" every time (the kernel checks, and
 * warns, when a new slab is allocated and on every large kmalloc); what
 * names the cache (or "kmalloc pages" for the large path).
 */
gfp_t ksl_slab_fix_gfp(const char *what, gfp_t gfp, unsigned long caller);

/* the flags kmem_cache_create() accepts (mm/slab.h CACHE_CREATE_MASK) */
#define SLAB_CORE_FLAGS                                                        \
	(SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_PANIC | \
	 SLAB_TYPESAFE_BY_RCU | SLAB_DEBUG_OBJECTS | SLAB_NOLEAKTRACE |        \
	 SLAB_RECLAIM_ACCOUNT | SLAB_NO_MERGE | SLAB_ACCOUNT |                 \
	 SLAB_NO_USER_FLAGS | SLAB_KMALLOC | SLAB_SKIP_KFENCE)
#define SLAB_DEBUG_FLAGS                                              \
	(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | \
	 SLAB_CONSISTENCY_CHECKS)
#define CACHE_CREATE_MASK \
	(SLAB_CORE_FLAGS | SLAB_DEBUG_FLAGS | SLAB_FAILSLAB | SLAB_KASAN)
#define SLAB_NEVER_MERGE                                              \
	(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | \
	 SLAB_TYPESAFE_BY_RCU | SLAB_NOLEAKTRACE | SLAB_FAILSLAB |    \
	 SLAB_NO_MERGE)
#define SLAB_MERGE_SAME                                             \
	(SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | \
	 SLAB_ACCOUNT)

enum ksl_slab_state {
	SLAB_FULL,
	SLAB_FROZEN, /* a CPU's: its active slab, or on its partial list */
	SLAB_NODE_PARTIAL,
};

/*
 * The head struct page of a slab, seen by the slab layer. Its free list,
 * in-use count and state are one 64-bit word (fstate) changed with
 * compare-and-swap, so that a remote free that changes no list (the slab
 * is some CPU's, or stays partial and not empty) takes no lock:
 *
 *   bits 0..15   free list head: object index + 1 (0: empty)
 *   bits 16..31  inuse: objects not on the slab's free list
 *   bits 32..39  state (enum ksl_slab_state); see the locking above
 *
 * The next free object is found through the free pointer in each object.
 */
struct slab {
	unsigned long flags; /* page flags: PG_head|PG_compound|PG_slab */
	struct kmem_cache *slab_cache;
	union {
		struct {
			struct slab *next; /* partial lists */
			union {
				struct slab *prev; /* the node list */
				/* on a CPU's partial list: objects its CPU freed, linked by
				 * free pointer, counted in inuse (a CPU's own
				 * frees need no atomic) */
				void *local_free;
			};
		};
		struct {
			void *rcu_next; /* struct rcu_head, once dead */
			void (*rcu_func)(void *);
		};
	};
	uint64_t fstate;
	unsigned short objects; /* at most KSL_MAX_OBJS_PER_PAGE */
	unsigned short order;
	unsigned int local_nr; /* objects on local_free */
	void *base;	       /* first object (slab address + red_left_pad) */
	unsigned int span;     /* objects * size: the bytes objects start in */
	unsigned int frozen_cpu; /* on a CPU's partial list: the CPU + 1 */
};
_Static_assert(sizeof(struct slab) == sizeof(struct page),
	       "slab overlays page");

#define FS_HEAD(w) ((unsigned int)((w)&0xffff))
#define FS_INUSE(w) ((unsigned int)(((w) >> 16) & 0xffff))
#define FS_STATE(w) ((unsigned int)(((w) >> 32) & 0xff))

static inline uint64_t fs_make(unsigned int head, unsigned int inuse,
			       unsigned int state)
{
	return (uint64_t)head | (uint64_t)inuse << 16 | (uint64_t)state << 32;
}

static inline uint64_t fs_load(const struct slab *slab)
{
	return __atomic_load_n(&slab->fstate, __ATOMIC_ACQUIRE);
}

static inline unsigned int slab_inuse(const struct slab *slab)
{
	return FS_INUSE(fs_load(slab));
}

/*
 * A CPU's sheaves (sheaf.h): main and spare, and the RCU sheaf. main's
 * objects are counted by top (its fast paths push and pop there, and
 * main->size is not kept while it is main: pcs_main_size()); base and
 * end bound them (main->objects, and sheaf_capacity slots on).
 */
struct slub_percpu_sheaves {
	void **top;		     /* &main->objects[its size] */
	void **base;		     /* main->objects */
	void **end;		     /* &main->objects[sheaf_capacity] */
	struct slab_sheaf *main;     /* never NULL while the cache has them */
	struct slab_sheaf *spare;    /* empty or full, or NULL */
	struct slab_sheaf *rcu_free; /* batching kvfree_rcu(), or NULL */
} __attribute__((aligned(64)));

struct kmem_cache_cpu {
	ksl_spinlock_t lock;
	unsigned int nr_partial; /* slabs on partial */
	void *freelist;		 /* free objects of slab */
	struct slab *slab;	 /* active slab, or NULL */
	struct slab *partial;	 /* singly linked via ->next */
	char *base;		 /* slab->base of the active slab */
	unsigned long span;	 /* its slab->span; 0: no active slab */
	/* the CPU-partial slab of this CPU last freed into, or &ksl_no_slab
	 * (reset whenever a slab leaves c->partial): spares the struct page
	 * lookup for a run of frees into one slab */
	struct slab *last_local;
	/* a cache with sheaves: this CPU's (sheaf.h), on the second cache
	 * line, so that the sheaves' fast paths reach them from c */
	struct slub_percpu_sheaves pcs;
} __attribute__((aligned(64)));
extern struct slab ksl_no_slab; /* span 0: no object is in it */
_Static_assert(sizeof(struct kmem_cache_cpu) == KSL_CPU_SLAB_STRIDE,
	       "ksl_tls.cpu_off indexes cpu_slab");

struct kmem_cache_node {
	ksl_spinlock_t list_lock;
	unsigned long nr_partial;
	struct slab *partial;	   /* doubly linked, newest first */
	struct slab *partial_tail; /* its last slab (NULL: empty) */
	atomic_long nr_slabs;
	atomic_long total_objects;
	struct node_barn *barn; /* a cache with sheaves: its barn (sheaf.h) */
};

struct kmem_cache {
	struct kmem_cache_cpu *cpu_slab; /* [nr_cpus] */
	/* &cpu_slab[0].pcs, or NULL: no sheaves (sheaf.h); a CPU's are
	 * &cpu_slab[cpu].pcs (ksl_pcs()), not cpu_sheaves[cpu] */
	struct slub_percpu_sheaves *cpu_sheaves;
	unsigned int size;	  /* object stride */
	unsigned int object_size; /* the object's own bytes */
	unsigned int offset;	  /* free pointer */
	/* KSL_FAST_*: why an allocation leaves the classic inline path (one
	 * test on it), 0 for none; changed atomically, read relaxed */
	unsigned char fast;
	/* floor(2^64 / size) + 1: the index of an object and whether an
	 * offset is an object start, without a division (below) */
	uint64_t div_magic;
	/* the objects wholly in a slab's first page (0 for a debugged
	 * cache) times div_magic * size mod 2^64: see obj_in_head() */
	uint64_t head_limit;
	/* kslab.freelist_hardened: the key free pointers are stored XORed
	 * with (6.18's s->random); 0 when off, so the XOR is a no-op */
	unsigned long random;
	slab_flags_t flags;
	void (*ctor)(void *);
	unsigned int
		inuse; /* object_size with metadata before the free pointer */
	unsigned int align;
	unsigned int red_left_pad;
	unsigned int order, objects;	     /* s->oo */
	unsigned int min_order, min_objects; /* s->min */
	unsigned int min_partial;
	unsigned int cpu_partial, cpu_partial_slabs;
	unsigned int useroffset, usersize;
	gfp_t allocflags;
	int refcount;	    /* creators; -1: never merge (boot caches) */
	bool dying;	    /* destroy found live objects */
	bool kmalloc_table; /* made by ksl_create_kmalloc_cache(): kmalloc's */
	/* cpu_slab is the inert ksl_dead_cpu_slab: KSL_CACHE_DEAD (destroyed
	 * or shut down: on the graveyard), KSL_CACHE_DEBUG (slub_debug) */
	unsigned char inert;
	/* kslab.sheaves=all (slab_nocpu.c): no per-CPU slab; the sheaves,
	 * if any, refill from and flush to the node's slabs */
	bool nocpu;
	unsigned int sheaf_capacity; /* 0 unless cpu_sheaves */
	/* kslab.freelist_random: a permutation of 0..objects-1, each times
	 * size (6.18's s->random_seq), or NULL (slab_harden.c) */
	unsigned int *random_seq;
	char *name;
	char unique_id[32];
	struct kmem_cache *list_next,
		*list_prev; /* slab_caches, newest first */
	struct kmem_cache_node node;
};

#define KSL_CACHE_DEAD 1
#define KSL_CACHE_DEBUG 2

/* s->fast: the cache has sheaves (cpu_sheaves), a failslab hook is armed
 * (set on every cache while ksl_failslab_armed: failslab_sync() of
 * slab_create.c, told by fault_inject.c) */
#define KSL_FAST_SHEAVES 1
#define KSL_FAST_FAILSLAB 2

static __attribute__((always_inline)) inline unsigned int
ksl_cache_fast(const struct kmem_cache *s)
{
	return __atomic_load_n(&s->fast, __ATOMIC_RELAXED);
}

/* is s->fast nonzero: one compare in memory (a relaxed load) */
static __attribute__((always_inline)) inline bool
ksl_cache_fast_on(const struct kmem_cache *s)
{
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
	bool on;

	__asm__("cmpb $0, %1" : "=@ccnz"(on) : "m"(s->fast));
	return on;
#else
	return ksl_cache_fast(s);
#endif
}

/* bit on (or off) in s->fast; of every cache on the list (slab_mutex) */
static inline void ksl_cache_fast_set(struct kmem_cache *s, unsigned char bit,
				      bool on)
{
	if (on)
		__atomic_fetch_or(&s->fast, bit, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&s->fast, (unsigned char)~bit,
				   __ATOMIC_RELAXED);
}

static inline bool ksl_cache_dead(const struct kmem_cache *s)
{
	return s->inert & KSL_CACHE_DEAD;
}

/*
 * The free pointer of a free object (poisoned under ASan: read
 * unchecked), stored XORed with s->random (freelist_ptr_encode() and
 * freelist_ptr_decode() of CONFIG_SLAB_FREELIST_HARDENED). The kernel
 * also XORs in swab() of the word's address; kslab leaves that term out
 * so that the boot option costs the fast paths one XOR (a key of 0: off)
 * and no test (slab_harden.c).
 */
static inline ksl_no_asan void *get_fp(const struct kmem_cache *s, void *obj)
{
	return (void *)(*(unsigned long *)((char *)obj + s->offset) ^
			s->random);
}

static inline ksl_no_asan void set_fp(const struct kmem_cache *s, void *obj,
				      void *fp)
{
	*(unsigned long *)((char *)obj + s->offset) = (unsigned long)fp ^
						      s->random;
}

static inline void *idx_to_obj(const struct kmem_cache *s,
			       const struct slab *slab, unsigned int head)
{
	return head ? (char *)slab->base + (size_t)(head - 1) * s->size : NULL;
}

/*
 * Division by s->size for offsets below 2^32 (a slab's span) with
 * M = floor(2^64 / size) + 1 (Lemire, Kaser and Kurz, "Faster remainder
 * by direct computation", 2019; the ceiling but for a power of two,
 * one more there): off / size is the high 64 bits of off * M, and size
 * divides off exactly when the low 64 bits, off * M mod 2^64, are below
 * M. One multiply each. For off = k * size those low bits are k * e,
 * e = M * size mod 2^64 (1 <= e <= size), and for any other off below
 * 2^32, or just below 0, they are at least M - size: so one compare with
 * n * e tells an object start of the first n slots (obj_in_head()).
 */
static inline unsigned long obj_index(const struct kmem_cache *s,
				      unsigned long off)
{
	return (unsigned long)(((unsigned __int128)off * s->div_magic) >> 64);
}

static inline bool obj_aligned(const struct kmem_cache *s, unsigned long off)
{
	return off * s->div_magic < s->div_magic;
}

/* off * M < X (mod 2^64), M and X read in memory by the multiply and the
 * compare on x86-64: no register to load them into (the inline frees) */
static __attribute__((always_inline)) inline bool
magic_below(unsigned long off, const uint64_t *m, const uint64_t *x)
{
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
	/* volatile: gcc drops an asm goto whose output is unused */
	__asm__ volatile goto("imulq %1, %0\n\tcmpq %2, %0\n\tjae %l[no]"
			      : "+r"(off)
			      : "m"(*m), "m"(*x)
			      : "cc"
			      : no);
	return true;
no:
	return false;
#else
	return off * *m < *x;
#endif
}

/* obj_aligned() of the inline free */
static __attribute__((always_inline)) inline bool
obj_aligned_fast(const struct kmem_cache *s, unsigned long off)
{
	return magic_below(off, &s->div_magic, &s->div_magic);
}

/*
 * Is obj an object start in the first page of slab (whose struct page is
 * the slab's head, so obj - base is below the page size, or just below 0
 * with a left red zone): one multiply and one compare. An object that
 * runs past the first page is not told (false): the full check.
 */
static __attribute__((always_inline)) inline bool
obj_in_head(const struct kmem_cache *s, const struct slab *slab,
	    const void *obj)
{
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
	uintptr_t off = (uintptr_t)obj;

	/* the subtraction in the asm too: no copy of the difference */
	__asm__ volatile goto("subq %1, %0\n\timulq %2, %0\n\t"
			      "cmpq %3, %0\n\tjae %l[no]"
			      : "+r"(off)
			      : "m"(slab->base), "m"(s->div_magic),
				"m"(s->head_limit)
			      : "cc"
			      : no);
	return true;
no:
	return false;
#else
	return ((uintptr_t)obj - (uintptr_t)slab->base) * s->div_magic <
	       s->head_limit;
#endif
}

static inline unsigned int obj_to_head(const struct kmem_cache *s,
				       const struct slab *slab, const void *obj)
{
	return (unsigned int)obj_index(
		       s, (unsigned long)((const char *)obj -
					  (const char *)slab->base)) +
	       1;
}

static inline bool fs_cas(struct slab *slab, uint64_t *old, uint64_t new)
{
	return __atomic_compare_exchange_n(&slab->fstate, old, new, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* whose CPU-partial slab it is (read by any freer, written by its CPU) */
static inline void set_frozen_cpu(struct slab *slab, unsigned int cpu1)
{
	__atomic_store_n(&slab->frozen_cpu, cpu1, __ATOMIC_RELAXED);
}

static inline unsigned int cpu_of(const struct kmem_cache *s,
				  const struct kmem_cache_cpu *c)
{
	return (unsigned int)(c - s->cpu_slab);
}

/* The CPU lock: an exchange when uncontended, the spinning out of line. */
void ksl_cpu_lock_contended(struct kmem_cache_cpu *c);

static __attribute__((always_inline)) inline void
ksl_cpu_lock(struct kmem_cache_cpu *c)
{
	if (unlikely(!ksl_spin_trylock(&c->lock)))
		ksl_cpu_lock_contended(c);
}

/*
 * Holding a CPU's slab state (c->freelist, c->slab, c->partial, the local
 * lists of its partial slabs): its owner in a lock-free section (own
 * set), or anyone under c->lock (own NULL). The slow paths take it with
 * ksl_hold_cpu() (or inherit the fast path's section) and give it back
 * with ksl_release_cpu(); they let go of it to allocate slab pages.
 */
struct ksl_cpu_hold {
	struct kmem_cache_cpu *c;
	struct ksl_cpu_own *own;
	struct ksl_cpu_own *lm; /* c->lock held by an excluded owner: busy */
};

/* the calling thread's CPU's slab state of s (valid for a CPU of this
 * boot: in the owner's section, or after ksl_this_cpu_fast()) */
static inline struct kmem_cache_cpu *ksl_this_cpu_slab(struct kmem_cache *s)
{
	return (struct kmem_cache_cpu *)((char *)s->cpu_slab + ksl_tls.cpu_off);
}

static inline void ksl_hold_cpu(struct kmem_cache *s, struct ksl_cpu_hold *h)
{
	unsigned int cpu;

	h->own = ksl_tls.own;
	h->lm = NULL;
	if (ksl_own_enter(h->own)) {
		h->c = ksl_this_cpu_slab(s);
		return;
	}
	h->own = NULL;
	h->lm = ksl_lock_mode_begin(&cpu);
	h->c = &s->cpu_slab[cpu];
	ksl_cpu_lock(h->c);
}

static inline void ksl_release_cpu(struct ksl_cpu_hold *h)
{
	if (h->own) {
		ksl_own_leave(h->own);
		return;
	}
	ksl_spin_unlock(&h->c->lock);
	if (h->lm)
		ksl_own_leave(h->lm);
}

/* the layer's state */
/* slub_min_order= / slub_max_order=, in command-line order */
#define KSL_ORDER_OPS 16
struct ksl_order_op {
	bool max;	    /* slub_max_order (else slub_min_order) */
	unsigned int order; /* as given, at most 31 */
};

struct ksl_slab_config {
	int min_order, max_order, min_objects; /* -1: default */
	struct ksl_order_op order_ops[KSL_ORDER_OPS];
	unsigned int nr_order_ops;
	bool nomerge;
	/* kslab.sheaves=all (kslab's parameter): every cache but the boot
	 * and kmalloc caches gets sheaves, as the "sheaves for all" design
	 * that followed 6.18 (sheaf_life.c ksl_sheaves_default_capacity()) */
	bool sheaves_all;
};
extern struct ksl_slab_config ksl_slab_cfg;
extern pthread_mutex_t ksl_slab_mutex;
extern struct kmem_cache *ksl_slab_caches; /* newest first */
extern atomic_long ksl_slab_pages_in_use;

/* boot (slab_create.c) */
extern const struct ksl_param ksl_slab_params[];
void ksl_slab_config_reset(void);
int ksl_slab_validate(void);
int ksl_slab_init(void);
void ksl_slab_shutdown(void);

/* geometry (slab_create.c) */
unsigned int ksl_slub_min_order(void);
unsigned int ksl_slub_max_order(void);
/* the rules of the kernel version booted (slab_rules.c) */
bool ksl_slab_rule_order_min_objects_loop(void);
unsigned int ksl_slab_rule_boot_cache_align(unsigned int align,
					    unsigned int size,
					    slab_flags_t flags);
bool ksl_slab_rule_sheaves(void);
void ksl_slab_rule_kmem_cache_sizes(unsigned int *cache, unsigned int *node);
bool ksl_slab_rule_freeptr_offset(void);
unsigned int ksl_slab_rule_orig_size_bytes(void);
bool ksl_slab_rule_orig_size_moves_freeptr(void);
bool ksl_slab_rule_kmalloc_redzone(void);
bool ksl_slab_rule_krealloc_orig_size(void);
/*
 * ARCH_KMALLOC_MINALIGN of the booted policy (128 on arm64 with
 * kmalloc.legacy): the kmalloc layer's, read by create_boot_cache().
 */
unsigned int ksl_kmalloc_arch_minalign(void);
unsigned int ksl_slub_min_objects(void);
bool ksl_slab_unmergeable(const struct kmem_cache *s);

/* allocation, lists, flushing (slub.c) */
int ksl_cache_init_cpu(struct kmem_cache *s);
void *ksl_alloc_slowpath(struct kmem_cache *s, gfp_t gfp, unsigned long caller);
void *ksl_alloc_refill_in(struct kmem_cache *s, gfp_t gfp,
			  unsigned long caller);
void ksl_discard_list(struct kmem_cache *s, struct slab *list);
void ksl_set_state(struct slab *slab, unsigned int state);
void ksl_remove_partial(struct kmem_cache_node *n, struct slab *slab);
void ksl_unfreeze_slab(struct kmem_cache *s, struct slab *slab,
		       struct slab **discard);
void ksl_put_partials(struct kmem_cache *s, struct kmem_cache_cpu *c,
		      struct slab **discard);
/* frees (slub_free.c) */
void ksl_slab_free_checked(struct kmem_cache *s, void *obj,
			   unsigned long caller);
void ksl_flush_all_cpus(struct kmem_cache *s);
unsigned long ksl_shrink_cache(struct kmem_cache *s);
unsigned long ksl_node_free_objects(const struct kmem_cache *s);
unsigned long ksl_cache_live_objects(struct kmem_cache *s);
void ksl_cache_free_all_slabs(struct kmem_cache *s);
void ksl_slab_rcu_barrier(void);

/*
 * The caller a fast path passes its slow paths: 0 from the API's inline
 * fast paths, so that none loads its return address; the out-of-line
 * entry they tail-call (whose return address is then the API's caller)
 * reads it with KSL_CALLER(caller).
 */
#define KSL_CALLER(caller) ((caller) ? (caller) : _RET_IP_)

/*
 * The fast paths, inline here so that kmalloc()/kfree() get them too.
 * Both run only in the CPU owner's lock-free section (ksl_own_enter(),
 * which fails for every other thread and for a thread of an earlier
 * boot); anything else is a tail call to the slow paths, which take the
 * CPU lock and do every check.
 *
 * Allocation: pop c->freelist.
 */
void *ksl_zero_object(struct kmem_cache *s, void *obj);

/* fault injection (slab_hooks.c): set while a failslab hook is installed */
extern bool ksl_failslab_armed __attribute__((visibility("hidden")));
bool ksl_should_failslab(struct kmem_cache *s, gfp_t gfp);
/* is a hook armed: one compare in memory (a relaxed load) */
static __attribute__((always_inline)) inline bool ksl_failslab_on(void)
{
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
	bool on;

	__asm__("cmpb $0, %1" : "=@ccnz"(on) : "m"(ksl_failslab_armed));
	return on;
#else
	return __atomic_load_n(&ksl_failslab_armed, __ATOMIC_RELAXED);
#endif
}

/* __GFP_ZERO: the object cleared (slub.c) */
void *ksl_alloc_zeroed(struct kmem_cache *s, gfp_t gfp, unsigned long caller);
/* refused frees (double, not an object start, not a slab object) */
void ksl_count_refused_free(void);
/* a double free seen without debugging: reported, counted (slub_free.c) */
void ksl_double_free(struct kmem_cache *s, void *obj, unsigned long caller);
void ksl_refuse_interior(const char *fn, struct kmem_cache *s,
			 const struct slab *slab, void *obj, unsigned long off,
			 unsigned long caller);

/*
 * ASan (slab_hooks.c): objects are poisoned while free, so that a use
 * after free of a slab object is reported; no-ops in other builds.
 */
#ifdef KSLAB_ASAN
void ksl_kasan_alloc(const struct kmem_cache *s, void *obj);
void ksl_kasan_free(const void *obj);
void ksl_kasan_new_slab(const struct kmem_cache *s, const struct slab *slab);
void ksl_kasan_unpoison(const void *addr, size_t len);
#else
static inline void ksl_kasan_alloc(const struct kmem_cache *s, void *obj)
{
}
static inline void ksl_kasan_free(const void *obj)
{
}
static inline void ksl_kasan_new_slab(const struct kmem_cache *s,
				      const struct slab *slab)
{
}
static inline void ksl_kasan_unpoison(const void *addr, size_t len)
{
}
#endif

/* a failslab hook armed or sheaves (s->fast): out of line (slub.c) */
void *ksl_alloc_special(struct kmem_cache *s, gfp_t gfp, unsigned long caller);

/*
 * The object a fast path returns, in the return register from where it
 * is loaded on x86-64 (else the register allocator may keep the per-CPU
 * pointer there and pay a move before the return).
 */
static __attribute__((always_inline)) inline void *ksl_in_ret_reg(void *obj)
{
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
	__asm__("" : "+a"(obj));
#endif
	return obj;
}

/* the classic fast path, s->fast already tested */
static __attribute__((always_inline)) inline void *
ksl_slab_alloc_classic(struct kmem_cache *s, gfp_t gfp, unsigned long caller)
{
	struct ksl_cpu_own *own = ksl_tls.own;
	struct kmem_cache_cpu *c;
	void *obj;

	/* a tail call, so no frame: memory to clear */
	if (unlikely(gfp & __GFP_ZERO))
		return ksl_alloc_zeroed(s, gfp, caller);
	if (unlikely(!ksl_own_enter(own)))
		return ksl_alloc_slowpath(s, gfp, caller);
	c = ksl_this_cpu_slab(s);
	obj = ksl_in_ret_reg(c->freelist);
	if (unlikely(!obj))
		return ksl_alloc_refill_in(s, gfp, caller);
	c->freelist = get_fp(s, obj);
	ksl_own_leave(own);
	ksl_kasan_alloc(s, obj);
	return obj;
}

/* the classic path (kmalloc()): one test of s->fast, then the above */
static __attribute__((always_inline)) inline void *
ksl_slab_alloc_fast(struct kmem_cache *s, gfp_t gfp, unsigned long caller)
{
	if (unlikely(ksl_cache_fast_on(s)))
		return ksl_alloc_special(s, gfp, caller);
	return ksl_slab_alloc_classic(s, gfp, caller);
}

/*
 * The slow free paths, entered in the owner's section (they leave it):
 * slab is obj's (kfree() looked it up), or NULL to look it up and check
 * it is a slab of s.
 */
void ksl_slab_free_in(struct kmem_cache *s, struct slab *slab, void *obj,
		      unsigned long caller);
/* objects of a sheaf back to their slabs, from p[i] (slub_free.c) */
unsigned int ksl_slab_free_run_in(struct kmem_cache *s, void **p,
				  unsigned int i, unsigned int nr,
				  unsigned long caller);

/*
 * Free: a push onto the CPU freelist when obj is an object start of the
 * CPU's active slab of s, told by an address range and a divisibility
 * test (one multiply) against the CPU's copy of the slab's base and span,
 * which also prove the object is s's; else the same test against the
 * CPU-partial slab this CPU last freed into, and a push onto its local
 * list. The object at the head of the list is a double free. Anything
 * else: ksl_slab_free_in(), still in the section.
 */
static __attribute__((always_inline)) inline bool
ksl_push_if_in(struct kmem_cache *s, void *obj, const char *base,
	       unsigned long span, void **list)
{
	unsigned long off = (unsigned long)((const char *)obj - base);
	void *head = *list;

	if (likely(off < span && obj_aligned_fast(s, off) && obj != head)) {
		set_fp(s, obj, head);
		*list = obj;
		return true;
	}
	return false;
}

/* a CPU's free into its CPU-partial slab (in its section or c->lock) */
static inline void ksl_push_local(struct kmem_cache *s, struct slab *slab,
				  void *obj)
{
	set_fp(s, obj, slab->local_free);
	slab->local_free = obj;
	slab->local_nr++;
}

/*
 * ksl_slab_free_fast() once in the owner's section (own): the active
 * slab, the last slab freed into, else ksl_slab_free_in(), which leaves
 * the section itself.
 */
static __attribute__((always_inline)) inline void
ksl_slab_free_held(struct kmem_cache *s, struct slab *slab, void *obj,
		   unsigned long caller, struct ksl_cpu_own *own)
{
	struct kmem_cache_cpu *c = ksl_this_cpu_slab(s);
	struct slab *last;

	ksl_kasan_free(obj);
	if (likely(ksl_push_if_in(s, obj, c->base, c->span, &c->freelist)))
		goto done;
	last = c->last_local;
	if (ksl_push_if_in(s, obj, (const char *)last->base, last->span,
			   &last->local_free)) {
		last->local_nr++;
		goto done;
	}
	ksl_slab_free_in(s, slab, obj, caller);
	return;
done:
	ksl_own_leave(own);
}

static __attribute__((always_inline)) inline void
ksl_slab_free_fast(struct kmem_cache *s, struct slab *slab, void *obj,
		   unsigned long caller)
{
	struct ksl_cpu_own *own = ksl_tls.own;

	if (unlikely(!ksl_own_enter(own))) {
		ksl_slab_free_checked(s, obj, caller);
		return;
	}
	ksl_slab_free_held(s, slab, obj, caller, own);
}

/*
 * The slab of a machine address, or NULL when it is outside the machine
 * or not in a slab page: one subtraction and compare (an unbooted machine
 * has phys_end 0), the struct page, and its head for a tail page.
 */
static __attribute__((always_inline)) inline struct slab *
ksl_slab_of_fast(const void *obj)
{
	uintptr_t pa = (uintptr_t)obj - (uintptr_t)ksl_mm.phys_base;
	struct slab *slab;
	unsigned long f;

	if (unlikely(pa >= ksl_mm.phys_end))
		return NULL;
	slab = (struct slab *)(ksl_mm.mem_map + (pa >> ksl_mm.page_shift));
	f = __atomic_load_n(&slab->flags, __ATOMIC_RELAXED);
	if (f & PG_tail) {
		slab = (struct slab *)(__atomic_load_n(&((struct page *)slab)
								->compound_head,
						       __ATOMIC_RELAXED) &
				       ~1UL);
		f = __atomic_load_n(&slab->flags, __ATOMIC_RELAXED);
	}
	if (!slab) /* a struct page of mem_map: tells the compiler */
		__builtin_unreachable();
	return likely(f & PG_slab) ? slab : NULL;
}

/*
 * Dead caches (slab_dead.c): a destroyed cache's struct stays readable on
 * a bounded graveyard, its cpu_slab aimed at ksl_dead_cpu_slab, so stale
 * pointers reach the slow paths, which refuse them (ksl_dead_cache()).
 * ksl_bury_cache() returns the cache it evicted, for the caller to free
 * (slab_mutex held).
 */
extern struct kmem_cache_cpu ksl_dead_cpu_slab[];
struct kmem_cache *ksl_bury_cache(struct kmem_cache *s);
void ksl_dead_cache(const struct kmem_cache *s, const char *what,
		    unsigned long caller);

/*
 * SLUB debugging (slub_debug.c, slub_debug_check.c): caches with any of
 * SLAB_DEBUG_FLAGS take no per-CPU slab (cpu_slab is the inert array),
 * their slabs have span 0, and their objects go one at a time through
 * ksl_debug_alloc_held() and ksl_debug_free() under list_lock.
 */
int ksl_param_slub_debug(const char *name, const char *val);
void ksl_slub_debug_reset(void);
slab_flags_t ksl_kmem_cache_flags(slab_flags_t flags, const char *name);
bool ksl_slub_debug_drop_metadata(struct kmem_cache *s);
void ksl_debug_cache_init(struct kmem_cache *s);
void *ksl_debug_alloc_held(struct kmem_cache *s, struct ksl_cpu_hold *h,
			   gfp_t gfp, unsigned long caller);
void ksl_debug_free(struct kmem_cache *s, struct slab *slab, void *obj,
		    unsigned long caller);
void ksl_debug_setup_slab(struct kmem_cache *s, struct slab *slab);
bool ksl_debug_valid_pointer(struct kmem_cache *s, struct slab *slab,
			     void *obj);
void ksl_debug_freechain_corrupt(struct kmem_cache *s, struct slab *slab,
				 void *obj);
void ksl_debug_slab_fix(struct kmem_cache *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool ksl_debug_alloc_checks(struct kmem_cache *s, struct slab *slab, void *obj);
void ksl_debug_alloc_done(struct kmem_cache *s, struct slab *slab, void *obj,
			  unsigned long caller);
bool ksl_debug_free_checks(struct kmem_cache *s, struct slab *slab, void *obj,
			   unsigned long caller);
/*
 * kmalloc on a kmalloc cache with SLAB_STORE_USER or SLAB_RED_ZONE (the
 * kernel's slub_debug_orig_size() and its zeroing rule): the request
 * size recorded and the bytes past it red-zoned, only it zeroed;
 * ksize() gives the whole object back; krealloc() reads and resizes it.
 */
/* one more error for kslab_slub_debug_errors() (list_slab_objects()) */
void ksl_debug_count_error(void);
void *ksl_debug_kmalloc(struct kmem_cache *s, gfp_t gfp, size_t size,
			unsigned long caller);
void ksl_debug_ksize(struct kmem_cache *s, void *obj);
unsigned long ksl_debug_orig_size(struct kmem_cache *s, void *obj);
void ksl_debug_krealloc_resize(struct kmem_cache *s, void *obj,
			       size_t new_size);
/* slub.c for the debug paths: a new slab (on no list), onto the node list */
struct slab *ksl_new_slab(struct kmem_cache *s, gfp_t gfp);
/* the "Unable to allocate memory" report of a failed new slab (slub.c) */
void ksl_slab_oom(struct kmem_cache *s, gfp_t gfp);
void ksl_add_partial(struct kmem_cache_node *n, struct slab *slab);
/* slub.c for slab_nocpu.c: a new slab, its objects linked, on no list */
struct slab *ksl_allocate_slab(struct kmem_cache *s, gfp_t gfp);

/*
 * Caches with no per-CPU slab (slab_nocpu.c; kslab.sheaves=all, as
 * mainline after 6.18): objects straight from and to the node's slabs.
 * ksl_nocpu_alloc(): one object (gfp's __GFP_ZERO honoured), from the
 * first node-partial slab or a new one; ksl_nocpu_refill(): at least min
 * and at most max objects for a sheaf, from whole node-partial slabs,
 * then new ones (fewer than min: out of memory); ksl_nocpu_free(): obj,
 * an object start of a slab of s, back to its slab.
 */
void *ksl_nocpu_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long caller);
unsigned int ksl_nocpu_refill(struct kmem_cache *s, gfp_t gfp, unsigned int min,
			      unsigned int max, void **p);
void ksl_nocpu_free(struct kmem_cache *s, void *obj, unsigned long caller);
/* slab_create.c: the kmalloc caches' sheaves, once all of them exist
 * (mainline's bootstrap_kmalloc_sheaves()) */
int ksl_slab_kmalloc_sheaves(void);

/*
 * Hardening (slab_harden.c): kslab.freelist_hardened=, kslab.freelist_random=
 * and kslab.seed=. ksl_harden_cache_init() gives a new cache its key and
 * (once the kmalloc caches exist: init_freelist_randomization()) its
 * random sequence; ksl_harden_cache_release() frees the sequence;
 * ksl_shuffle_freelist() links a new slab's objects in the sequence's
 * order from a random start and returns the head (index + 1), or 0 when
 * the cache has no sequence (then they are linked in address order).
 */
extern const struct ksl_param ksl_harden_params[];
void ksl_harden_config_reset(void);
int ksl_harden_validate(void);
int ksl_harden_init(void);
void ksl_harden_shutdown(void);
int ksl_harden_cache_init(struct kmem_cache *s);
void ksl_harden_cache_release(struct kmem_cache *s);
unsigned int ksl_shuffle_freelist(struct kmem_cache *s, struct slab *slab);

/* views (slabinfo.c) */
void ksl_show_slabinfo(FILE *out);
void ksl_show_slabs(FILE *out);

/* ---- the contract with kmalloc and DMA ---------------------------------- */

/*
 * A kmalloc cache: create_kmalloc_cache()/create_boot_cache() semantics.
 * align is the booted policy's ARCH_KMALLOC_MINALIGN (0: 8); the cache is
 * aligned to the larger of that and the largest power of two dividing
 * size, SLAB_KMALLOC is added, and usersize/useroffset are kept. Such a
 * cache is a merge target only when usersize is 0 (6.18 with
 * HARDENED_USERCOPY, as the reference machine: no cache aliases a
 * kmalloc-* cache there).
 */
struct kmem_cache *ksl_create_kmalloc_cache(const char *name, unsigned int size,
					    slab_flags_t flags,
					    unsigned int useroffset,
					    unsigned int usersize,
					    unsigned int align);

/* the slab head of a slab page, or NULL; O(1) */
static inline struct slab *ksl_virt_to_slab(const void *addr)
{
	return ksl_slab_of_fast(addr);
}

static inline void *ksl_slab_address(const struct slab *slab)
{
	return ksl_pfn_to_virt(ksl_page_to_pfn((const struct page *)slab));
}

/* The cache obj belongs to, or NULL if it is not in a slab. */
struct kmem_cache *ksl_virt_to_cache(const void *obj);
/*
 * Is addr inside an object slot of a slab? Then *s and *obj_start say
 * which cache and where the slot begins, and the result is true when the
 * object is allocated (not on a free list; best effort, racy by nature).
 */
bool ksl_slab_object_of(const void *addr, struct kmem_cache **s,
			void **obj_start);
/* __ksize(): the usable size of a slab object (its cache's object_size). */
size_t ksl_slab_ksize(const void *obj);
/* gfp-aware entry taking the caller for the "Unexpected gfp" warning */
void *ksl_cache_alloc_caller(struct kmem_cache *s, gfp_t gfp,
			     unsigned long caller);
void ksl_cache_free_caller(struct kmem_cache *s, void *obj,
			   unsigned long caller);

#endif /* KSLAB_SLAB_INTERNAL_H */
