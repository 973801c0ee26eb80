// SPDX-License-Identifier: MIT
/*
 * failslab: the kernel's should_failslab() (mm/failslab.c), asked before
 * every slab allocation while ksl_failslab_armed is set (the inline
 * check in ksl_slab_alloc_fast() and ksl_sheaf_alloc()); a yes makes the
 * allocation return NULL.
 *
 * Two deciders, asked in this order, the first yes wins:
 *   - kslab_set_failslab()'s hook (kslab's own, for test harnesses): for
 *     every cache but the boot caches (kmem_cache, kmem_cache_node), each
 *     object of a bulk allocation or sheaf refill asked apart;
 *   - the kernel's attributes (fault_inject.c): every cache but
 *     kmem_cache; skipped when ignore-gfp-wait is set and the request may
 *     reclaim (__GFP_DIRECT_RECLAIM), and, with cache-filter, for caches
 *     without SLAB_FAILSLAB; then the generic checks with the object
 *     size as the space it uses. Asked once a request: a sheaf refill or
 *     the objects of a bulk allocation are not asked again
 *     (ksl_failslab_quiet).
 * __GFP_NOFAIL is never failed, nor asked about.
 *
 * Also /sys/kernel/slab/<cache>/failslab (kslab_cache_failslab()), and
 * the failure counter kslab_failslab_count() (both deciders).
 */
#include <errno.h>
#include <string.h>
#include "slab/failslab.h"

#define RD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

__thread unsigned int ksl_failslab_quiet
	__attribute__((tls_model("initial-exec")));
static struct {
	kslab_failslab_fn fn;
	void *arg;
} failslab_hook;
static atomic_ulong nr_failslab;

void kslab_set_failslab(kslab_failslab_fn fn, void *arg)
{
	__atomic_store_n(&failslab_hook.arg, arg, __ATOMIC_RELAXED);
	__atomic_store_n(&failslab_hook.fn, fn, __ATOMIC_RELEASE);
	ksl_fault_set_hook(fn != NULL);
}

unsigned long kslab_failslab_count(void)
{
	return atomic_load_explicit(&nr_failslab, memory_order_relaxed);
}

static bool hook_says_fail(struct kmem_cache *s, gfp_t gfp)
{
	kslab_failslab_fn fn =
		__atomic_load_n(&failslab_hook.fn, __ATOMIC_ACQUIRE);

	return fn && s->refcount >= 0 &&
	       fn(s, gfp,
		  __atomic_load_n(&failslab_hook.arg, __ATOMIC_RELAXED));
}

/* the bootstrap cache: kmem_cache (boot caches have refcount -1) */
static bool is_kmem_cache(const struct kmem_cache *s)
{
	return s->refcount < 0 && !strcmp(s->name, "kmem_cache");
}

bool ksl_failslab_attr(struct kmem_cache *s, gfp_t gfp)
{
	const struct kslab_fault_attr *a = ksl_fault_attr(KSL_FAILSLAB);

	if (is_kmem_cache(s) || (gfp & __GFP_NOFAIL))
		return false;
	if (RD(a->ignore_gfp_wait) && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	if (RD(a->cache_filter) && !(RD(s->flags) & SLAB_FAILSLAB))
		return false;
	if (!ksl_should_fail_ex(KSL_FAILSLAB, s->object_size,
				(gfp & __GFP_NOWARN) ? KSL_FAULT_NOWARN : 0))
		return false;
	atomic_fetch_add_explicit(&nr_failslab, 1, memory_order_relaxed);
	return true;
}

__attribute__((noinline)) bool ksl_should_failslab(struct kmem_cache *s,
						   gfp_t gfp)
{
	if (!s || (gfp & __GFP_NOFAIL))
		return false;
	if (hook_says_fail(s, gfp)) {
		atomic_fetch_add_explicit(&nr_failslab, 1,
					  memory_order_relaxed);
		return true;
	}
	return !ksl_failslab_quiet && ksl_failslab_attr(s, gfp);
}

/* ---- /sys/kernel/slab/<cache>/failslab ------------------------------------ */

int kslab_cache_failslab(const struct kmem_cache *s)
{
	if (!s)
		return -EINVAL;
	if (ksl_cache_dead(s)) {
		ksl_dead_cache(s, "kslab_cache_failslab", _RET_IP_);
		return -EINVAL;
	}
	return !!(RD(s->flags) & SLAB_FAILSLAB);
}

int kslab_cache_set_failslab(struct kmem_cache *s, bool on)
{
	if (!s)
		return -EINVAL;
	if (ksl_cache_dead(s)) {
		ksl_dead_cache(s, "kslab_cache_set_failslab", _RET_IP_);
		return -EINVAL;
	}
	if (s->refcount > 1) /* a merged cache: the kernel's store refuses */
		return -EINVAL;
	if (on)
		__atomic_fetch_or(&s->flags, SLAB_FAILSLAB, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&s->flags, ~SLAB_FAILSLAB, __ATOMIC_RELAXED);
	return 0;
}
