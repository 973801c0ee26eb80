// SPDX-License-Identifier: MIT
/*
 * Creating and destroying caches (mm/slab_common.c and kmem_cache_open()
 * of mm/slub.c, 6.18): argument checks, alignment, object layout, slab
 * order, partial-list sizing, the unique id, merging, and the boot caches
 * kmem_cache and kmem_cache_node (kmem_cache_init()). Where Linux 6.1 or
 * 6.12 (kslab.kernel=) did otherwise, a ksl_slab_rule_*() helper of
 * slab_rules.c says so; nothing here tests the version.
 *
 * Invariants: every live cache is on ksl_slab_caches (newest first, the
 * order find_mergeable() walks), changed only under ksl_slab_mutex; a
 * cache's geometry never changes after creation except object_size and
 * inuse, which grow when a larger alias merges in (as the kernel's).
 * The struct kmem_cache itself is host memory, but every cache really
 * created (not an alias) holds one simulated object of the kmem_cache
 * cache and one of kmem_cache_node (one node), as the kernel's do, from
 * its creation to its destruction; so /proc/slabinfo and the slab pages
 * count them. A destroyed cache's struct is not freed but buried
 * (slab_dead.c), so that stale pointers are refused, not followed; the
 * kmalloc caches and the two boot caches are never destroyed. A boot
 * too small for the boot caches fails with -ENOMEM (the kernel panics).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "slab/sheaf.h"
#include "mm/fault_inject.h"

struct ksl_slab_config ksl_slab_cfg;
pthread_mutex_t ksl_slab_mutex = PTHREAD_MUTEX_INITIALIZER;
struct kmem_cache *ksl_slab_caches;

/* the kernel's own caches: struct kmem_cache and struct kmem_cache_node */
static struct kmem_cache *ksl_kmem_cache, *ksl_kmem_cache_node;

/*
 * A cache as kslab allocates it: the host structure, and the simulated
 * objects the kernel would hold for it (NULL while the boot caches are
 * being made, see create_boot_caches()).
 */
struct ksl_cache_box {
	struct kmem_cache s; /* first: a struct kmem_cache * is the box */
	void *cache_obj;     /* from kmem_cache */
	void *node_obj;	     /* from kmem_cache_node */
};

static struct ksl_cache_box *cache_box(struct kmem_cache *s)
{
	return (struct ksl_cache_box *)s;
}

/* ---- geometry ----------------------------------------------------------- */

static unsigned int calculate_alignment(slab_flags_t flags, unsigned int align,
					unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = ksl_mm.arch->cache_line;

		while (size <= ralign / 2)
			ralign /= 2;
		align = ksl_max(align, ralign);
	}
	align = ksl_max(align, ksl_mm.arch->slab_minalign);
	return KSL_ALIGN(align, (unsigned int)sizeof(void *));
}

/*
 * The kernel's slab size arithmetic is 32-bit ((unsigned int)PAGE_SIZE <<
 * order): an order past 31 - PAGE_SHIFT wraps to 0 bytes, which is how
 * a huge slub_min_order= ends (no objects: the boot cache fails).
 */
static unsigned int slab_bytes(unsigned int order)
{
	return order < 32 ? (unsigned int)ksl_mm.page_size << order : 0;
}

static unsigned int order_objects(unsigned int order, unsigned int size)
{
	return slab_bytes(order) / size;
}

static unsigned int calc_slab_order(unsigned int size, unsigned int min_order,
				    unsigned int max_order, unsigned int fract)
{
	unsigned int order;

	for (order = min_order; order <= max_order; order++) {
		unsigned int slab_size = slab_bytes(order);

		if (slab_size % size <= slab_size / fract)
			break;
	}
	return order;
}

/*
 * calculate_order() up to 6.7: for each min_objects from the CPU-derived
 * value down to 2, the smallest order from get_order(min_objects * size)
 * with at most 1/16, 1/8 or 1/4 waste; then one object at any waste, up
 * to slub_max_order and then to the largest order.
 */
static unsigned int calc_order_objects(unsigned int size,
				       unsigned int min_objects,
				       unsigned int max_order,
				       unsigned int fract)
{
	unsigned int min_order = ksl_slub_min_order();

	if (order_objects(min_order, size) > KSL_MAX_OBJS_PER_PAGE)
		return get_order((unsigned long)size * KSL_MAX_OBJS_PER_PAGE) -
		       1;
	min_order = ksl_max(min_order,
			    get_order((unsigned long)min_objects * size));
	return calc_slab_order(size, min_order, max_order, fract);
}

static int calculate_order_objects_loop(unsigned int size,
					unsigned int min_objects,
					unsigned int max_order)
{
	unsigned int order;

	min_objects = ksl_min(min_objects, order_objects(max_order, size));
	for (; min_objects > 1; min_objects--)
		for (unsigned int fract = 16; fract >= 4; fract /= 2) {
			order = calc_order_objects(size, min_objects, max_order,
						   fract);
			if (order <= max_order)
				return (int)order;
		}
	order = calc_order_objects(size, 1, max_order, 1);
	if (order <= max_order)
		return (int)order;
	order = calc_order_objects(size, 1, ksl_mm.max_order, 1);
	return order <= ksl_mm.max_order ? (int)order : -ENOSYS;
}

/*
 * min_objects from the CPUs: the kernel counts num_present_cpus() (or
 * nr_cpu_ids when that is 1); every simulated CPU is present, so both are
 * nr_cpus=.
 */
static int calculate_order(unsigned int size)
{
	unsigned int min_objects = ksl_slub_min_objects();
	unsigned int max_order = ksl_slub_max_order();
	unsigned int max_objects, min_order, order;

	if (!min_objects)
		min_objects = 4 * (ksl_fls(ksl_mm.nr_cpus) + 1);
	if (ksl_slab_rule_order_min_objects_loop())
		return calculate_order_objects_loop(size, min_objects,
						    max_order);
	max_objects = ksl_max(order_objects(max_order, size), 1U);
	min_objects = ksl_min(min_objects, max_objects);
	min_order = ksl_max(ksl_slub_min_order(),
			    get_order((unsigned long)min_objects * size));
	if (order_objects(min_order, size) > KSL_MAX_OBJS_PER_PAGE)
		return (int)get_order((unsigned long)size *
				      KSL_MAX_OBJS_PER_PAGE) -
		       1;
	for (unsigned int fract = 16; fract > 1; fract /= 2) {
		order = calc_slab_order(size, min_order, max_order, fract);
		if (order <= max_order)
			return (int)order;
	}
	order = get_order(size);
	return order <= ksl_mm.max_order ? (int)order : -ENOSYS;
}

/* struct track of a 64-bit kernel with CONFIG_STACKDEPOT */
#define KSL_TRACK_SIZE 32u

static bool calculate_sizes(struct kmem_cache *s,
			    const struct kmem_cache_args *args)
{
	slab_flags_t flags = s->flags;
	unsigned int size =
		KSL_ALIGN(s->object_size, (unsigned int)sizeof(void *));
	int order;

	if ((flags & SLAB_POISON) && !(flags & SLAB_TYPESAFE_BY_RCU) &&
	    !s->ctor)
		s->flags |= __OBJECT_POISON;
	else
		s->flags &= ~__OBJECT_POISON;
	if ((flags & SLAB_RED_ZONE) && size == s->object_size)
		size += sizeof(void *);
	s->inuse = size;

	if (((flags & SLAB_TYPESAFE_BY_RCU) && !args->use_freeptr_offset) ||
	    (flags & SLAB_POISON) || s->ctor ||
	    ((flags & SLAB_RED_ZONE) &&
	     (s->object_size < sizeof(void *) ||
	      (ksl_slab_rule_orig_size_moves_freeptr() &&
	       (flags & SLAB_STORE_USER) && (flags & SLAB_KMALLOC))))) {
		s->offset = size;
		size += sizeof(void *);
	} else if ((flags & SLAB_TYPESAFE_BY_RCU) && args->use_freeptr_offset) {
		s->offset = args->freeptr_offset;
	} else {
		s->offset = KSL_ALIGN_DOWN(s->object_size / 2,
					   (unsigned int)sizeof(void *));
	}
	if (flags & SLAB_STORE_USER) {
		size += 2 * KSL_TRACK_SIZE;
		if (flags & SLAB_KMALLOC)
			size += ksl_slab_rule_orig_size_bytes();
	}
	if (flags & SLAB_RED_ZONE) {
		size += sizeof(void *);
		s->red_left_pad =
			KSL_ALIGN((unsigned int)sizeof(void *), s->align);
		size += s->red_left_pad;
	}
	size = KSL_ALIGN(size, s->align);
	s->size = size;
	order = calculate_order(size);
	if (order < 0)
		return false;
	s->allocflags = __GFP_COMP;
	if (s->flags & SLAB_CACHE_DMA)
		s->allocflags |= GFP_DMA;
	if (s->flags & SLAB_CACHE_DMA32)
		s->allocflags |= GFP_DMA32;
	if (s->flags & SLAB_RECLAIM_ACCOUNT)
		s->allocflags |= __GFP_RECLAIMABLE;
	s->order = (unsigned int)order;
	s->objects = order_objects(s->order, size);
	s->min_order = get_order(size);
	s->min_objects = order_objects(s->min_order, size);
	return s->objects != 0;
}

static void set_min_partial(struct kmem_cache *s, unsigned long min)
{
	if (min < KSL_MIN_PARTIAL)
		min = KSL_MIN_PARTIAL;
	else if (min > KSL_MAX_PARTIAL)
		min = KSL_MAX_PARTIAL;
	s->min_partial = (unsigned int)min;
}

static void set_cpu_partial(struct kmem_cache *s)
{
	unsigned int nr;

	if (s->flags & SLAB_DEBUG_FLAGS)
		nr = 0;
	else if (s->size >= ksl_mm.page_size)
		nr = 6;
	else if (s->size >= 1024)
		nr = 24;
	else if (s->size >= 256)
		nr = 52;
	else
		nr = 120;
	s->cpu_partial = nr;
	s->cpu_partial_slabs = (nr * 2 + s->objects - 1) / s->objects;
}

static void create_unique_id(struct kmem_cache *s)
{
	char *p = s->unique_id;

	*p++ = ':';
	if (s->flags & SLAB_CACHE_DMA)
		*p++ = 'd';
	if (s->flags & SLAB_CACHE_DMA32)
		*p++ = 'D';
	if (s->flags & SLAB_RECLAIM_ACCOUNT)
		*p++ = 'a';
	if (s->flags & SLAB_CONSISTENCY_CHECKS)
		*p++ = 'F';
	if (s->flags & SLAB_ACCOUNT)
		*p++ = 'A';
	if (p != s->unique_id + 1)
		*p++ = '-';
	snprintf(p, sizeof(s->unique_id) - (size_t)(p - s->unique_id), "%07u",
		 s->size);
}

/* ---- merging ------------------------------------------------------------ */

bool ksl_slab_unmergeable(const struct kmem_cache *s)
{
	if (ksl_slab_cfg.nomerge || (s->flags & SLAB_NEVER_MERGE))
		return true;
	if (s->ctor || s->usersize || s->cpu_sheaves || s->refcount < 0 ||
	    s->dying)
		return true;
	return false;
}

static struct kmem_cache *find_mergeable(unsigned int size, slab_flags_t flags,
					 const struct kmem_cache_args *args)
{
	unsigned int align;

	if (ksl_slab_cfg.nomerge || args->ctor || args->usersize ||
	    args->sheaf_capacity)
		return NULL;
	if (flags & SLAB_NEVER_MERGE)
		return NULL;
	size = KSL_ALIGN(size, (unsigned int)sizeof(void *));
	align = calculate_alignment(flags, args->align, size);
	size = KSL_ALIGN(size, align);
	for (struct kmem_cache *s = ksl_slab_caches; s; s = s->list_next) {
		if (ksl_slab_unmergeable(s))
			continue;
		if (size > s->size)
			continue;
		if ((flags & SLAB_MERGE_SAME) != (s->flags & SLAB_MERGE_SAME))
			continue;
		if ((s->size & ~(align - 1)) != s->size)
			continue;
		if (s->size - size >= sizeof(void *))
			continue;
		return s;
	}
	return NULL;
}

/* ---- creation ----------------------------------------------------------- */

/*
 * Every cache's KSL_FAST_FAILSLAB bit set to ksl_failslab_armed as it is
 * now, read under the mutex (so the last of two racing calls leaves the
 * truth). Told by fault_inject.c after each change. When it must not
 * block (a fail-nth used up inside an allocation, maybe one holding the
 * mutex) and the mutex is busy, bits may stay set after a disarm: that
 * only sends allocations through ksl_alloc_special(), which asks again.
 */
static void failslab_sync(bool may_block)
{
	bool armed;

	if (!may_block) {
		if (pthread_mutex_trylock(&ksl_slab_mutex))
			return;
	} else {
		pthread_mutex_lock(&ksl_slab_mutex);
	}
	armed = __atomic_load_n(&ksl_failslab_armed, __ATOMIC_ACQUIRE);
	for (struct kmem_cache *s = ksl_slab_caches; s; s = s->list_next)
		ksl_cache_fast_set(s, KSL_FAST_FAILSLAB, armed);
	pthread_mutex_unlock(&ksl_slab_mutex);
}

static void list_add_cache(struct kmem_cache *s)
{
	ksl_cache_fast_set(s, KSL_FAST_FAILSLAB,
			   __atomic_load_n(&ksl_failslab_armed,
					   __ATOMIC_RELAXED));
	s->list_prev = NULL;
	s->list_next = ksl_slab_caches;
	if (ksl_slab_caches)
		ksl_slab_caches->list_prev = s;
	ksl_slab_caches = s;
}

static void list_del_cache(struct kmem_cache *s)
{
	if (s->list_prev)
		s->list_prev->list_next = s->list_next;
	else
		ksl_slab_caches = s->list_next;
	if (s->list_next)
		s->list_next->list_prev = s->list_prev;
}

static void free_cache_struct(struct kmem_cache *s)
{
	if (s->cpu_slab != ksl_dead_cpu_slab)
		free(s->cpu_slab);
	ksl_harden_cache_release(s);
	free(s->name);
	free(cache_box(s));
}

/*
 * The simulated objects a new cache holds: its struct kmem_cache_node
 * (kmem_cache_node's own comes from its first slab, as the kernel's early
 * node allocation) and its struct kmem_cache (none yet while the boot
 * caches are made: create_boot_caches() gives them theirs).
 */
static int take_meta_objects(struct ksl_cache_box *b)
{
	struct kmem_cache *nc = ksl_kmem_cache_node ? ksl_kmem_cache_node :
						      &b->s;

	b->node_obj =
		ksl_cache_alloc_caller(nc, GFP_KERNEL | __GFP_ZERO, _RET_IP_);
	if (!b->node_obj)
		return -ENOMEM;
	if (!ksl_kmem_cache)
		return 0;
	b->cache_obj = ksl_cache_alloc_caller(
		ksl_kmem_cache, GFP_KERNEL | __GFP_ZERO, _RET_IP_);
	return b->cache_obj ? 0 : -ENOMEM;
}

/* Give them back (kmem_cache_destroy(); not at shutdown, which drops all). */
static void put_meta_objects(struct ksl_cache_box *b)
{
	if (b->cache_obj && ksl_kmem_cache)
		ksl_cache_free_caller(ksl_kmem_cache, b->cache_obj, _RET_IP_);
	if (b->node_obj && ksl_kmem_cache_node && &b->s != ksl_kmem_cache_node)
		ksl_cache_free_caller(ksl_kmem_cache_node, b->node_obj,
				      _RET_IP_);
	b->cache_obj = b->node_obj = NULL;
}

/*
 * kslab.sheaves=all (mainline after 6.18): no cache but a debugged one
 * has a per-CPU slab or CPU partial list; its objects come from and go
 * to the node's slabs, through its sheaves if it has them.
 */
static void set_nocpu(struct kmem_cache *s)
{
	if (!ksl_slab_cfg.sheaves_all || (s->flags & SLAB_DEBUG_FLAGS))
		return;
	s->nocpu = true;
	s->cpu_partial = s->cpu_partial_slabs = 0;
}

/*
 * 6.18's sheaves for a cache created with sheaf_capacity, unless a debug
 * flag is set (then the capacity is forgotten, and the cache may be
 * merged into, as the kernel's slab_unmergeable() tests cpu_sheaves).
 * kslab.sheaves=all: every cache, as mainline's calculate_sheaf_capacity(),
 * but the boot caches (made before kmem_cache exists: SLAB_NO_OBJ_EXT
 * there), SLAB_NOLEAKTRACE ones, and the kmalloc caches, which get theirs
 * once all of them exist (ksl_slab_kmalloc_sheaves()).
 */
static int create_sheaves(struct kmem_cache *s,
			  const struct kmem_cache_args *args)
{
	unsigned int capacity = args->sheaf_capacity;

	if (s->flags & SLAB_DEBUG_FLAGS)
		return 0;
	if (ksl_slab_cfg.sheaves_all) {
		if (!ksl_kmem_cache ||
		    (s->flags & (SLAB_KMALLOC | SLAB_NOLEAKTRACE)))
			return 0;
		capacity = ksl_sheaves_default_capacity(s->size, capacity);
	}
	if (!capacity)
		return 0;
	return ksl_sheaves_init(s, capacity);
}

/* bootstrap_kmalloc_sheaves(): every kmalloc cache, oldest first */
int ksl_slab_kmalloc_sheaves(void)
{
	struct kmem_cache *s = ksl_slab_caches;
	int err = 0;

	if (!ksl_slab_cfg.sheaves_all || !s)
		return 0;
	pthread_mutex_lock(&ksl_slab_mutex);
	while (s->list_next)
		s = s->list_next;
	for (; s && !err; s = s->list_prev)
		if ((s->flags & SLAB_KMALLOC) && s->nocpu && !s->cpu_sheaves)
			err = ksl_sheaves_init(
				s, ksl_sheaves_default_capacity(s->size, 0));
	pthread_mutex_unlock(&ksl_slab_mutex);
	return err;
}

static struct kmem_cache *create_cache(const char *name, unsigned int size,
				       const struct kmem_cache_args *args,
				       slab_flags_t flags, int *err)
{
	struct ksl_cache_box *box = calloc(1, sizeof(*box));
	struct kmem_cache *s;

	*err = -ENOMEM;
	if (!box)
		return NULL;
	s = &box->s;
	s->name = strdup(name ? name : "(null)");
	s->object_size = s->size = size;
	s->flags = flags;
	s->align = args->align;
	s->ctor = args->ctor;
	s->useroffset = args->useroffset;
	s->usersize = args->usersize;
	s->refcount = 1;
	*err = -EINVAL;
	if (!s->name || !calculate_sizes(s, args))
		goto fail;
	/* slub_debug=O: no metadata where it would raise the order */
	if (ksl_slub_debug_drop_metadata(s) && !calculate_sizes(s, args))
		goto fail;
	set_min_partial(s, (unsigned long)(ksl_fls(s->size) - 1) /
				   2); /* ilog2/2 */
	set_cpu_partial(s);
	create_unique_id(s);
	*err = -ENOMEM;
	if (ksl_harden_cache_init(s) || ksl_cache_init_cpu(s))
		goto fail;
	ksl_debug_cache_init(s);
	set_nocpu(s);
	if (take_meta_objects(box) || create_sheaves(s, args)) {
		ksl_sheaves_release(s, true);
		put_meta_objects(box);
		ksl_cache_free_all_slabs(s);
		goto fail;
	}
	list_add_cache(s);
	*err = 0;
	return s;
fail:
	free_cache_struct(s);
	return NULL;
}

static int check_args(const char *name, unsigned int size,
		      const struct kmem_cache_args *args, slab_flags_t flags)
{
	unsigned long max = ksl_mm.page_size << ksl_mm.max_order;

	if (name && !*name) {
		/* kmem_cache_sanity_check(): a name slabinfo can show */
		ksl_printk(
			"kmem_cache_create() integrity check failed: empty name");
		return -EINVAL;
	}
	if (!size) {
		ksl_printk("kmem_cache_create(%s): object size 0",
			   name ? name : "(null)");
		return -EINVAL;
	}
	if (size > max) {
		ksl_printk(
			"kmem_cache_create(%s): object size %u above the largest slab (%lu bytes, order %u)",
			name ? name : "(null)", size, max, ksl_mm.max_order);
		return -E2BIG;
	}
	if (args->align && !KSL_IS_POW2(args->align)) {
		ksl_printk(
			"kmem_cache_create(%s): alignment %u is not a power of two",
			name ? name : "(null)", args->align);
		return -EINVAL;
	}
	if (args->align > ksl_mm.page_size << ksl_mm.max_order) {
		ksl_printk("kmem_cache_create(%s): alignment %u too large",
			   name ? name : "(null)", args->align);
		return -EINVAL;
	}
	if (flags & ~CACHE_CREATE_MASK) {
		ksl_printk(
			"kmem_cache_create(%s): unknown flags %#x (allowed: %#x)",
			name ? name : "(null)", flags & ~CACHE_CREATE_MASK,
			(unsigned int)CACHE_CREATE_MASK);
		return -EINVAL;
	}
	if ((flags & SLAB_CACHE_DMA) && (flags & SLAB_CACHE_DMA32)) {
		ksl_printk(
			"kmem_cache_create(%s): SLAB_CACHE_DMA and SLAB_CACHE_DMA32 together",
			name ? name : "(null)");
		return -EINVAL;
	}
	if (args->use_freeptr_offset &&
	    (!(flags & SLAB_TYPESAFE_BY_RCU) ||
	     args->freeptr_offset % sizeof(void *) ||
	     args->freeptr_offset > size - sizeof(void *) ||
	     size < sizeof(void *))) {
		ksl_printk("kmem_cache_create(%s): bad freeptr_offset %u",
			   name ? name : "(null)", args->freeptr_offset);
		return -EINVAL;
	}
	return 0;
}

static void warn_name(const char *name)
{
	if (!name) {
		ksl_printk(
			"kmem_cache_create: cache without a name (allowed; shown as \"(null)\")");
		return;
	}
	for (struct kmem_cache *s = ksl_slab_caches; s; s = s->list_next)
		if (!strcmp(s->name, name)) {
			ksl_printk(
				"kmem_cache_create: a cache named %s exists already (allowed; both are shown)",
				name);
			return;
		}
}

static struct kmem_cache *do_create(const char *name, unsigned int size,
				    const struct kmem_cache_args *in,
				    slab_flags_t flags, int refcount)
{
	struct kmem_cache_args args = *in;
	struct kmem_cache *s = NULL;
	int err;

	ksl_ensure_booted();
	/* arguments the kernel version does not have yet are not there */
	if (!ksl_slab_rule_sheaves())
		args.sheaf_capacity = 0;
	if (!ksl_slab_rule_freeptr_offset())
		args.use_freeptr_offset = false;
	pthread_mutex_lock(&ksl_slab_mutex);
	err = check_args(name, size, &args, flags);
	if (err)
		goto out;
	flags = ksl_kmem_cache_flags(flags, name); /* slub_debug= */
	if (args.usersize > size || args.useroffset > size - args.usersize) {
		ksl_printk(
			"kmem_cache_create(%s): usercopy region %u+%u outside the object; ignored",
			name ? name : "(null)", args.useroffset, args.usersize);
		args.useroffset = args.usersize = 0;
	}
	if (refcount > 0) {
		warn_name(name);
		s = find_mergeable(size, flags, &args);
		if (s) {
			s->refcount++;
			s->object_size = ksl_max(s->object_size, size);
			s->inuse = ksl_max(
				s->inuse,
				KSL_ALIGN(size, (unsigned int)sizeof(void *)));
			goto out;
		}
	}
	args.align = calculate_alignment(flags, args.align, size);
	s = create_cache(name, size, &args, flags, &err);
	if (s && refcount < 0)
		s->refcount = -1;
out:
	pthread_mutex_unlock(&ksl_slab_mutex);
	if (err) {
		if (flags & SLAB_PANIC) {
			ksl_printk(
				"Kernel panic: kmem_cache_create_args: Failed to create slab '%s'. Error %d",
				name ? name : "(null)", err);
			abort();
		}
		ksl_printk("kmem_cache_create_args(%s) failed with error %d",
			   name ? name : "(null)", err);
		return NULL;
	}
	return s;
}

struct kmem_cache *kmem_cache_create_args(const char *name, unsigned int size,
					  const struct kmem_cache_args *args,
					  slab_flags_t flags)
{
	static const struct kmem_cache_args none;

	return do_create(name, size, args ? args : &none, flags, 1);
}

struct kmem_cache *
kmem_cache_create_usercopy(const char *name, unsigned int size,
			   unsigned int align, slab_flags_t flags,
			   unsigned int useroffset, unsigned int usersize,
			   void (*ctor)(void *))
{
	struct kmem_cache_args args = {
		.align = align,
		.useroffset = useroffset,
		.usersize = usersize,
		.ctor = ctor,
	};

	return do_create(name, size, &args, flags, 1);
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *))
{
	struct kmem_cache_args args = { .align = align, .ctor = ctor };

	return do_create(name, size, &args, flags, 1);
}

struct kmem_cache *ksl_create_kmalloc_cache(const char *name, unsigned int size,
					    slab_flags_t flags,
					    unsigned int useroffset,
					    unsigned int usersize,
					    unsigned int align)
{
	struct kmem_cache_args args = {
		.useroffset = useroffset,
		.usersize = usersize,
	};

	if (!size)
		return NULL;
	args.align = align ? align : 8;
	flags |= SLAB_KMALLOC;
	args.align = ksl_slab_rule_boot_cache_align(args.align, size, flags);
	/* create_boot_cache() exempts the cache from merging while it is set up;
	 * create_kmalloc_cache() then makes it a normal cache (refcount 1) */
	struct kmem_cache *s = do_create(name, size, &args, flags, -1);

	if (s) {
		pthread_mutex_lock(&ksl_slab_mutex);
		s->refcount = 1;
		s->kmalloc_table = true;
		pthread_mutex_unlock(&ksl_slab_mutex);
	}
	return s;
}

/* ---- destruction -------------------------------------------------------- */

/* the sheaves' objects to the slabs, RCU sheaves in flight waited for,
 * the sheaves freed (kfree()d when give_back) */
static void release_sheaves(struct kmem_cache *s, bool give_back)
{
	if (!s->cpu_sheaves)
		return;
	ksl_sheaves_shutdown(s);
	ksl_sheaves_release(s, give_back);
}

/*
 * give_back: return its kmem_cache and kmem_cache_node objects. The
 * struct goes to the graveyard (slab_dead.c), which may hand back an
 * older dead cache to free for good (its cpu_slab is the inert array).
 */
static void release_cache(struct kmem_cache *s, bool give_back)
{
	struct kmem_cache *evicted;

	list_del_cache(s);
	release_sheaves(s, give_back);
	ksl_cache_free_all_slabs(s);
	ksl_harden_cache_release(s);
	if (give_back)
		put_meta_objects(cache_box(s));
	evicted = ksl_bury_cache(s);
	if (evicted) {
		free(evicted->name);
		free(cache_box(evicted));
	}
}

/*
 * Destroys the kernel would not survive, refused (slab_mutex held):
 * a cache already destroyed (or of a machine shut down), a cache of the
 * kmalloc table (kmalloc() would use it next; a cache created with
 * SLAB_KMALLOC, as lib/slub_kunit.c does, may go), a boot cache (kmem_cache,
 * kmem_cache_node: the kernel's refcount of -1 ignores the destroy).
 */
static bool destroy_refused(struct kmem_cache *s, unsigned long caller)
{
	if (ksl_cache_dead(s)) {
		ksl_dead_cache(s, "kmem_cache_destroy", caller);
		return true;
	}
	if (s->refcount > 1)
		return false;
	if (s->kmalloc_table || s->refcount < 0 || s == ksl_kmem_cache ||
	    s == ksl_kmem_cache_node) {
		ksl_printk(
			"WARNING: kmem_cache_destroy %s: a %s cache cannot be destroyed; refused (called from %p)",
			s->name, s->kmalloc_table ? "kmalloc" : "boot",
			(void *)caller);
		return true;
	}
	return false;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	unsigned long caller = _RET_IP_;
	unsigned long live;

	if (!s)
		return;
	ksl_kvfree_rcu_wait(); /* in-flight kfree_rcu()s: maybe ours */
	pthread_mutex_lock(&ksl_slab_mutex);
	if (destroy_refused(s, caller)) {
		pthread_mutex_unlock(&ksl_slab_mutex);
		return;
	}
	if (s->refcount > 1) {
		s->refcount--;
		pthread_mutex_unlock(&ksl_slab_mutex);
		return;
	}
	ksl_sheaves_shutdown(s);
	ksl_flush_all_cpus(s);
	live = ksl_cache_live_objects(s);
	if (live) {
		s->refcount = 0;
		s->dying = true;
		pthread_mutex_unlock(&ksl_slab_mutex);
		ksl_printk(
			"kmem_cache_destroy %s: Slab cache still has %lu objects when called from %p",
			s->name, live, (void *)caller);
		return;
	}
	if (s->flags & SLAB_TYPESAFE_BY_RCU)
		ksl_slab_rcu_barrier();
	release_cache(s, true);
	pthread_mutex_unlock(&ksl_slab_mutex);
}

unsigned int kmem_cache_size(struct kmem_cache *s)
{
	return s ? s->object_size : 0;
}

struct kmem_cache *kslab_find_cache(const char *name)
{
	struct kmem_cache *found = NULL;

	if (!name || !ksl_mm.booted)
		return NULL;
	pthread_mutex_lock(&ksl_slab_mutex);
	for (struct kmem_cache *s = ksl_slab_caches; s && !found;
	     s = s->list_next)
		if (!strcmp(s->name, name))
			found = s;
	pthread_mutex_unlock(&ksl_slab_mutex);
	return found;
}

/* ---- the layer's life cycle --------------------------------------------- */

static unsigned long slab_shrink_count(void *priv)
{
	return (unsigned long)atomic_load(&ksl_slab_pages_in_use);
}

static unsigned long slab_shrink_scan(void *priv, unsigned long nr)
{
	unsigned long freed = 0;

	/* the allocating thread may hold slab_mutex (cache creation) */
	if (pthread_mutex_trylock(&ksl_slab_mutex))
		return 0;
	for (struct kmem_cache *s = ksl_slab_caches; s; s = s->list_next)
		freed += ksl_shrink_cache(s);
	pthread_mutex_unlock(&ksl_slab_mutex);
	return freed;
}

static struct kslab_shrinker ksl_slab_shrinker = {
	.name = "slab",
	.count = slab_shrink_count,
	.scan = slab_shrink_scan,
};

/*
 * kmem_cache_init(): kmem_cache_node first (its node structure from its
 * own slab), then kmem_cache (its node structure from kmem_cache_node);
 * both are boot caches, never merged, created with SLAB_HWCACHE_ALIGN
 * (and SLAB_NO_OBJ_EXT, as 6.18 marks them). Then the bootstrap: each
 * takes its struct kmem_cache from kmem_cache, and goes (back) to the
 * head of the list, kmem_cache first, so that /proc/slabinfo ends
 * "kmem_cache_node, kmem_cache" as the kernel's. Where the kernel panics
 * (too little memory for them), the boot fails with -ENOMEM instead.
 */
static void boot_cache_failed(const char *name, unsigned int size)
{
	/* create_boot_cache()'s panic, which kslab_boot() turns into -ENOMEM */
	ksl_printk(
		"Kernel panic - not syncing: Creation of kmalloc slab %s size=%u failed. Reason %d",
		name, size, -ENOMEM);
}

/* One boot cache; NULL (reported) when memory is too short. */
static struct kmem_cache *create_boot_cache(const char *name, unsigned int size)
{
	/* create_boot_cache(): ARCH_KMALLOC_MINALIGN, then its rule */
	struct kmem_cache_args args = {
		.align = ksl_slab_rule_boot_cache_align(
			ksl_kmalloc_arch_minalign(), size, SLAB_HWCACHE_ALIGN),
	};
	struct kmem_cache *s;

	s = do_create(name, size, &args, SLAB_HWCACHE_ALIGN, -1);
	if (!s)
		boot_cache_failed(name, size);
	return s;
}

static int create_boot_caches(void)
{
	struct kmem_cache *boot[2];
	unsigned int cache_size, node_size;

	ksl_slab_rule_kmem_cache_sizes(&cache_size, &node_size);
	boot[0] = create_boot_cache("kmem_cache_node", node_size);
	if (!boot[0])
		return -ENOMEM;
	pthread_mutex_lock(&ksl_slab_mutex);
	ksl_kmem_cache_node = boot[0];
	pthread_mutex_unlock(&ksl_slab_mutex);
	boot[1] = create_boot_cache("kmem_cache", cache_size);
	if (!boot[1])
		return -ENOMEM;
	pthread_mutex_lock(&ksl_slab_mutex);
	ksl_kmem_cache = boot[1];
	for (int i = 1; i >= 0; i--) {
		struct ksl_cache_box *b = cache_box(boot[i]);

		b->cache_obj = ksl_cache_alloc_caller(
			ksl_kmem_cache, GFP_NOWAIT | __GFP_ZERO, _RET_IP_);
		if (!b->cache_obj) {
			pthread_mutex_unlock(&ksl_slab_mutex);
			ksl_printk(
				"Kernel panic - not syncing: Out of memory when creating slab %s",
				boot[i]->name);
			return -ENOMEM;
		}
		boot[i]->flags |= SLAB_NO_OBJ_EXT;
		list_del_cache(boot[i]);
		list_add_cache(boot[i]);
	}
	pthread_mutex_unlock(&ksl_slab_mutex);
	return 0;
}

int ksl_slab_init(void)
{
	int ret;

	ksl_slab_caches = NULL;
	ksl_kmem_cache = ksl_kmem_cache_node = NULL;
	atomic_store(&ksl_slab_pages_in_use, 0);
	ret = kslab_register_shrinker(&ksl_slab_shrinker);
	if (!ret)
		ret = create_boot_caches();
	if (!ret)
		ksl_fault_set_failslab_sync(failslab_sync);
	return ret;
}

void ksl_slab_shutdown(void)
{
	ksl_fault_set_failslab_sync(NULL);
	kslab_unregister_shrinker(&ksl_slab_shrinker);
	ksl_kvfree_rcu_wait();
	pthread_mutex_lock(&ksl_slab_mutex);
	ksl_sheaves_drop_memory(true);
	while (ksl_slab_caches)
		release_cache(ksl_slab_caches, false);
	ksl_sheaves_drop_memory(false);
	ksl_kmem_cache = ksl_kmem_cache_node = NULL;
	pthread_mutex_unlock(&ksl_slab_mutex);
	/*
	 * Releasing SLAB_TYPESAFE_BY_RCU caches queues their slabs for after
	 * a grace period: wait for those before the memory layer unmaps the
	 * pages (liburcu's queue still points at the last rcu_head until its
	 * worker has taken it).
	 */
	ksl_slab_rcu_barrier();
	atomic_store(&ksl_slab_pages_in_use, 0);
}
