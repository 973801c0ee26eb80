// SPDX-License-Identifier: MIT
/*
 * kmalloc() and kfree(): a request picks its cache from the size class
 * table (kmalloc_caches.c) by size and gfp type, or, above
 * KMALLOC_MAX_CACHE_SIZE, compound pages (kmalloc_large.c).
 *
 *   kmalloc(size, gfp)
 *     0                    -> ZERO_SIZE_PTR
 *     <= max_cache_size    -> ksl_kmalloc_caches[packed][type][index]
 *     <= max_size          -> alloc_pages(gfp | __GFP_COMP, order)
 *     larger               -> NULL, reported
 *
 * kfree() and ksize() find what an address is through its struct page:
 * a slab page names its cache; a large kmalloc head page carries
 * PG_large_kmalloc. Anything else is refused with a report.
 */
#include <errno.h>
#include <string.h>
#include "kmalloc/kmalloc_internal.h"

/* hidden, as defined: read %rip-relative on the fast paths */
extern struct ksl_kmalloc_policy ksl_kmalloc
	__attribute__((visibility("hidden")));
extern struct kmem_cache
	*ksl_kmalloc_caches[2][NR_KMALLOC_TYPES][KSLAB_KMALLOC_NR_INDEX]
	__attribute__((visibility("hidden")));

static void *kmalloc_too_big(size_t size, gfp_t flags)
{
	if (!(flags & __GFP_NOWARN))
		ksl_pr_ratelimited(
			10,
			"WARNING: kmalloc(%zu): above KMALLOC_MAX_SIZE (%lu); NULL returned",
			size, ksl_kmalloc.max_size);
	return NULL;
}

/*
 * A kmalloc cache's object: one that records the request size (slub_debug
 * U or Z on a kmalloc cache) gets size passed on; the inline paths never
 * serve such a cache (ksl_kmalloc.fast_max_cache_size is 0 then).
 */
static __attribute__((always_inline)) inline void *
kmalloc_from(struct kmem_cache *s, gfp_t flags, size_t size,
	     unsigned long caller)
{
	if (unlikely(s && (s->flags & (SLAB_STORE_USER | SLAB_RED_ZONE))))
		return ksl_debug_kmalloc(s, flags, size, caller);
	return ksl_cache_alloc_caller(s, flags, caller);
}

/*
 * __do_kmalloc_node(): b is a kmem_buckets table (kmalloc_buckets.c),
 * which serves every gfp type, or NULL for the table of the flags' type
 */
void *ksl_kmalloc_buckets(size_t size, struct kmem_cache *const *b, gfp_t flags,
			  unsigned long caller)
{
	unsigned int idx;

	ksl_ensure_booted();
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (unlikely(size > ksl_kmalloc.max_cache_size)) {
		if (size > ksl_kmalloc.max_size)
			return kmalloc_too_big(size, flags);
		return ksl_kmalloc_large(size, flags, caller);
	}
	idx = ksl_kmalloc_index(size);
	if (b && likely(b[idx]))
		return kmalloc_from(b[idx], flags, size, caller);
	return kmalloc_from(ksl_kmalloc_cache(idx, flags), flags, size, caller);
}

static void *do_kmalloc(size_t size, gfp_t flags, unsigned long caller)
{
	return ksl_kmalloc_buckets(size, NULL, flags, caller);
}

/* the slab of a normal kmalloc cache, when that is all a request needs */
static __attribute__((always_inline)) inline bool
kmalloc_normal(unsigned int index, gfp_t flags)
{
	/* unbooted, ksl_kmalloc is zeroed (shift_high 0), the table empty */
	return likely(index - 1 < ksl_kmalloc.fast_shift_high &&
		      !(flags & (KMALLOC_NOT_NORMAL_BITS | __GFP_PACKED)));
}

static __attribute__((noinline)) void *kmalloc_index_slow(unsigned int index,
							  size_t size,
							  gfp_t flags,
							  unsigned long caller)
{
	caller = KSL_CALLER(caller);
	ksl_ensure_booted();
	/* every policy fills the table for indexes up to two 4K pages */
	if (unlikely(index > ksl_kmalloc.shift_high))
		return do_kmalloc(size, flags, caller);
	return kmalloc_from(ksl_kmalloc_cache(index, flags), flags, size,
			    caller);
}

static __attribute__((noinline)) void *kmalloc_slow(size_t size, gfp_t flags,
						    unsigned long caller)
{
	return do_kmalloc(size, flags, KSL_CALLER(caller));
}

void *__kmalloc(size_t size, gfp_t flags)
{
	struct kmem_cache *s;
	unsigned int idx;

	if (unlikely(!size || size > ksl_kmalloc.fast_max_cache_size))
		return kmalloc_slow(size, flags, 0);
	/* size <= max_cache_size: idx is in the table (none when unbooted) */
	if (unlikely(flags & (KMALLOC_NOT_NORMAL_BITS | __GFP_PACKED)))
		return kmalloc_slow(size, flags, 0);
	idx = ksl_kmalloc_index(size);
	s = ksl_kmalloc_caches[0][KMALLOC_NORMAL][idx];
	if (unlikely(!s)) /* the table being filled at boot */
		return kmalloc_slow(size, flags, 0);
	ksl_tls.hint = s; /* for kfree() */
	return ksl_slab_alloc_fast(s, flags, 0);
}

/* kmalloc() of a compile-time size: the index computed by the caller */
void *__kmalloc_index_alloc(unsigned int index, size_t size, gfp_t flags)
{
	struct kmem_cache *s;

	if (unlikely(!kmalloc_normal(index, flags)))
		return kmalloc_index_slow(index, size, flags, 0);
	s = ksl_kmalloc_caches[0][KMALLOC_NORMAL][index];
	if (unlikely(!s)) /* the table being filled at boot */
		return kmalloc_index_slow(index, size, flags, 0);
	ksl_tls.hint = s; /* for kfree() */
	return ksl_slab_alloc_fast(s, flags, 0);
}

void *__kmalloc_cache(struct kmem_cache *s, gfp_t flags, size_t size)
{
	ksl_ensure_booted();
	return kmalloc_from(s, flags, size, _RET_IP_);
}

void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(__builtin_mul_overflow(n, size, &bytes)))
		return NULL;
	return do_kmalloc(bytes, flags, _RET_IP_);
}

void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(__builtin_mul_overflow(n, size, &bytes)))
		return NULL;
	return do_kmalloc(bytes, flags | __GFP_ZERO, _RET_IP_);
}

static void kfree_report(const void *p, const char *why, unsigned long caller)
{
	ksl_count_refused_free();
	ksl_pr_ratelimited(20, "BUG: kfree(%p) from %#lx: %s; refused", p,
			   caller, why);
}

static __attribute__((noinline)) void do_kfree(const void *p,
					       unsigned long caller)
{
	struct kmem_cache *s;
	struct page *head;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	s = ksl_virt_to_cache(p);
	if (likely(s)) {
		ksl_cache_free_caller(s, (void *)p, caller);
		return;
	}
	if (ksl_is_large_kmalloc(p, &head)) {
		ksl_kfree_large(head);
		return;
	}
	kfree_report(
		p,
		kslab_virt_addr_valid(p) ?
			"not a slab object nor a large kmalloc (page memory?)" :
			"not memory of the simulated machine",
		caller);
}

/* kfree() by a thread that is not its CPU's owner: the locked paths */
static __attribute__((noinline)) void kfree_unowned(const void *p,
						    unsigned long caller)
{
	struct slab *slab = ksl_slab_of_fast(p);

	caller = KSL_CALLER(caller);
	if (unlikely(!slab)) {
		do_kfree(p, caller);
		return;
	}
	/* ksl_cache_free_caller(): a cache with sheaves frees to them */
	ksl_cache_free_caller(slab->slab_cache, (void *)p, caller);
}

/*
 * kfree() past the hint cache's two CPU lists, in the owner's section
 * (left here): the struct page names the cache. Tail-called, so that its
 * return address is kfree()'s caller.
 */
static __attribute__((noinline)) void
kfree_in(const void *p, struct kmem_cache *hint, struct ksl_cpu_own *own)
{
	unsigned long caller = _RET_IP_;
	struct slab *slab = ksl_slab_of_fast(p);
	struct kmem_cache *s;

	if (unlikely(!slab)) {
		ksl_own_leave(own);
		do_kfree(p, caller);
		return;
	}
	s = slab->slab_cache;
	if (likely(s == hint)) {
		/* not on its two CPU lists: tested by kfree() */
		ksl_slab_free_in(s, slab, (void *)p, caller);
		return;
	}
	/* kfree() of an object of a cache with sheaves goes to them */
	if (unlikely(s->cpu_sheaves)) {
		ksl_own_leave(own);
		ksl_cache_free_caller(s, (void *)p, caller);
		return;
	}
	ksl_slab_free_held(s, slab, (void *)p, caller, own);
}

/*
 * The cache of this thread's last kmalloc() first, as kmem_cache_free()
 * does with its cache: its CPU's active slab, then the CPU-partial slab
 * it last freed into, each told by an address range and one multiply (an
 * object freed soon after it was allocated, or a batch of them, needs no
 * struct page lookup); else kfree_in().
 */
void kfree(const void *p)
{
	struct ksl_cpu_own *own = ksl_tls.own;
	struct kmem_cache *hint;

	ksl_kasan_free(p);
	if (unlikely(!ksl_own_enter(own))) {
		kfree_unowned(p, 0);
		return;
	}
	hint = ksl_tls.hint;
	if (likely(hint)) {
		struct kmem_cache_cpu *c = ksl_this_cpu_slab(hint);
		struct slab *last;

		if (ksl_push_if_in(hint, (void *)p, c->base, c->span,
				   &c->freelist))
			goto done;
		last = c->last_local;
		if (ksl_push_if_in(hint, (void *)p, (const char *)last->base,
				   last->span, &last->local_free)) {
			last->local_nr++;
			goto done;
		}
	}
	kfree_in(p, hint, own);
	return;
done:
	ksl_own_leave(own);
}

size_t ksize(const void *p)
{
	struct kmem_cache *s;
	struct page *head;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return 0;
	s = ksl_virt_to_cache(p);
	if (s) {
		/* the whole object is the caller's now: no kmalloc red zone */
		if (unlikely(s->flags & SLAB_STORE_USER))
			ksl_debug_ksize(s, (void *)p);
		return ksl_slab_ksize(p);
	}
	if (ksl_is_large_kmalloc(p, &head))
		return ksl_mm.page_size << compound_order(head);
	ksl_pr_ratelimited(10, "WARNING: ksize(%p): not a kmalloc object", p);
	return 0;
}

void kfree_sensitive(const void *p)
{
	size_t ks = ksize(p);

	if (ks)
		memset((void *)p, 0, ks);
	do_kfree(p, _RET_IP_);
}

size_t kmalloc_size_roundup(size_t size)
{
	ksl_ensure_booted();
	if (size && size <= ksl_kmalloc.max_cache_size)
		return kmem_cache_size(kmalloc_slab(size, GFP_KERNEL));
	if (size && size <= ksl_kmalloc.max_size)
		return ksl_mm.page_size << get_order(size);
	return size;
}

/* krealloc() of what kfree() would refuse: reported, NULL */
static __attribute__((noinline)) bool krealloc_bad(const void *p,
						   unsigned long caller)
{
	struct page *head;

	if (ZERO_OR_NULL_PTR(p) || ksl_virt_to_cache(p) ||
	    ksl_is_large_kmalloc(p, &head))
		return false;
	ksl_pr_ratelimited(
		20, "BUG: krealloc(%p) from %#lx: %s; NULL returned", p, caller,
		kslab_virt_addr_valid(p) ?
			"not a slab object nor a large kmalloc (page memory?)" :
			"not memory of the simulated machine");
	return true;
}

/*
 * krealloc() in place: __GFP_ZERO clears what the new size adds past the
 * old request (or, without a recorded request, everything past the new
 * size); a recorded request size becomes new_size, red-zoned past it.
 */
static void krealloc_in_place(struct kmem_cache *s, void *p, size_t new_size,
			      size_t ks, size_t orig, gfp_t flags)
{
	if (flags & __GFP_ZERO) {
		if (orig && orig < new_size)
			memset((char *)p + orig, 0, new_size - orig);
		else
			memset((char *)p + new_size, 0, ks - new_size);
	}
	if (s && unlikely(s->flags & SLAB_STORE_USER))
		ksl_debug_krealloc_resize(s, p, new_size);
}

void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	struct kmem_cache *s = NULL;
	size_t ks = 0, orig = 0;
	void *ret;

	if (unlikely(!new_size)) {
		do_kfree(p, _RET_IP_);
		return ZERO_SIZE_PTR;
	}
	if (unlikely(krealloc_bad(p, _RET_IP_)))
		return NULL;
	if (!ZERO_OR_NULL_PTR(p)) {
		s = ksl_virt_to_cache(p);
		if (s && ksl_slab_rule_krealloc_orig_size()) {
			/* 6.14+: the object and the request it holds */
			ks = s->object_size;
			orig = ksl_debug_orig_size(s, (void *)p);
		} else {
			/* before: ksize(), which gives a red zone up */
			ks = ksize(p);
			s = NULL;
		}
	}
	if (ks >= new_size) {
		krealloc_in_place(s, (void *)p, new_size, ks, orig, flags);
		return (void *)p;
	}
	ret = do_kmalloc(new_size, flags, _RET_IP_);
	if (ret && ks) {
		memcpy(ret, p, orig ? orig : ks);
		do_kfree(p, _RET_IP_);
	}
	return ret;
}

void *krealloc_array(void *p, size_t new_n, size_t new_size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(__builtin_mul_overflow(new_n, new_size, &bytes)))
		return NULL;
	return krealloc(p, bytes, flags);
}
