// SPDX-License-Identifier: MIT
/*
 * CONFIG_SLAB_BUCKETS (Linux 6.11 on): dedicated sets of kmalloc-sized
 * caches, so that objects a user controls the size and contents of
 * (memdup_user(), System V messages) never share a slab with ordinary
 * kmalloc() objects.
 *
 *   kmem_buckets_create(name, flags, useroffset, usersize, ctor)
 *     one kmem_buckets object from the "kmalloc_buckets" cache, zeroed:
 *     a cache pointer per kmalloc index 0 .. KMALLOC_SHIFT_HIGH. For
 *     every index the normal kmalloc table fills (walked upwards), a
 *     cache "<name>-<size>" is made with the object size and size suffix
 *     of that kmalloc cache, flags | SLAB_NO_MERGE, no alignment
 *     request, the usercopy region clipped to the object; an index that
 *     shares its kmalloc cache with a larger class (a minimum alignment
 *     rounding it up) shares the bucket of that class too.
 *   kmem_buckets_alloc(b, size, gfp)
 *     the kmalloc size index of size picks the bucket, whatever the gfp
 *     type (kmalloc_slab() with b: no kmalloc_type()); above
 *     KMALLOC_MAX_CACHE_SIZE pages, as kmalloc(); b NULL: kmalloc().
 *
 * Invariants: a bucket cache is never SLAB_KMALLOC (it stores no request
 * size under slub_debug, has no kmalloc red zone) and never merges; a set
 * lives until shutdown (the kernel has no kmem_buckets destroy). Before
 * 6.11 (kslab.kernel=6.1) there are no buckets: kmem_buckets_create()
 * returns ZERO_SIZE_PTR, as a kernel without CONFIG_SLAB_BUCKETS, and
 * allocations through it are plain kmalloc()s.
 *
 * At boot the two sets the kernel makes at subsys_initcall: "memdup_user"
 * (mm/util.c init_user_buckets(), the whole object user-copyable) and
 * then "msg_msg" (ipc/msgutil.c init_msg_buckets(), SLAB_ACCOUNT, the
 * message text past struct msg_msg user-copyable): mm/ links before ipc/.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "kmalloc/kmalloc_internal.h"

/* struct msg_msg on a 64-bit kernel: list_head, m_type, m_ts, next,
 * security; DATALEN_MSG is the rest of a page */
#define MSG_MSG_SIZE 48u

struct ksl_bucket_args {
	slab_flags_t flags;
	unsigned int useroffset, usersize;
	void (*ctor)(void *);
};

/* the sets made so far, by name, for kslab_find_buckets() */
#define NR_NAMED 32
static struct {
	char name[32];
	kmem_buckets *b;
} named[NR_NAMED];
static unsigned int nr_named;
static pthread_mutex_t named_lock = PTHREAD_MUTEX_INITIALIZER;

static struct kmem_cache **slots(kmem_buckets *b)
{
	return (struct kmem_cache **)(void *)b;
}

/* the size suffix of a kmalloc cache's name: "8k" of "kmalloc-8k" */
static const char *short_size(const struct kmem_cache *s)
{
	const char *dash = s->name ? strrchr(s->name, '-') : NULL;

	return dash ? dash + 1 : NULL;
}

static void remember(const char *name, kmem_buckets *b)
{
	pthread_mutex_lock(&named_lock);
	if (nr_named < NR_NAMED) {
		snprintf(named[nr_named].name, sizeof(named[0].name), "%s",
			 name);
		named[nr_named++].b = b;
	}
	pthread_mutex_unlock(&named_lock);
}

static void undo(kmem_buckets *b, unsigned long made)
{
	for (unsigned int i = 0; i <= ksl_kmalloc.shift_high; i++)
		if (made & (1UL << i))
			kmem_cache_destroy(slots(b)[i]);
	kmem_cache_free(ksl_kmem_buckets_cache, b);
}

/* the bucket of kmalloc index idx; *made gains the index of a new one */
static int make_bucket(kmem_buckets *b, const char *name, unsigned int idx,
		       const struct ksl_bucket_args *a, unsigned long *made)
{
	struct kmem_cache *km = ksl_kmalloc_caches[0][KMALLOC_NORMAL][idx];
	unsigned int size, aligned, uoff = 0, usize = 0;
	const char *suffix;
	char cname[64];

	if (!km || !km->object_size)
		return 0;
	size = km->object_size;
	suffix = short_size(km);
	if (!suffix)
		return -EINVAL;
	if (a->useroffset < size) {
		uoff = a->useroffset;
		usize = ksl_min(size - uoff, a->usersize);
	}
	aligned = __kmalloc_index(size);
	if (aligned > ksl_kmalloc.shift_high)
		return -EINVAL;
	if (!slots(b)[aligned]) {
		snprintf(cname, sizeof(cname), "%s-%s", name, suffix);
		slots(b)[aligned] = kmem_cache_create_usercopy(
			cname, size, 0, a->flags | SLAB_NO_MERGE, uoff, usize,
			a->ctor);
		if (!slots(b)[aligned])
			return -ENOMEM;
		*made |= 1UL << aligned;
	}
	slots(b)[idx] = slots(b)[aligned];
	return 0;
}

kmem_buckets *kmem_buckets_create(const char *name, slab_flags_t flags,
				  unsigned int useroffset,
				  unsigned int usersize, void (*ctor)(void *))
{
	struct ksl_bucket_args a = { flags, useroffset, usersize, ctor };
	unsigned long made = 0;
	kmem_buckets *b;

	ksl_ensure_booted();
	if (!name || !*name) {
		ksl_printk(
			"WARNING: kmem_buckets_create(): a name is required; NULL returned");
		return NULL;
	}
	if (!ksl_kmalloc_rule_buckets())
		return ZERO_SIZE_PTR; /* !CONFIG_SLAB_BUCKETS */
	if (!ksl_kmem_buckets_cache)
		return NULL;
	b = kmem_cache_zalloc(ksl_kmem_buckets_cache, GFP_KERNEL);
	if (!b) {
		ksl_printk("WARNING: kmem_buckets_create(%s): out of memory",
			   name);
		return NULL;
	}
	for (unsigned int idx = 0; idx <= ksl_kmalloc.shift_high; idx++)
		if (make_bucket(b, name, idx, &a, &made)) {
			ksl_printk(
				"WARNING: kmem_buckets_create(%s): cannot create the cache of kmalloc index %u; NULL returned",
				name, idx);
			undo(b, made);
			return NULL;
		}
	remember(name, b);
	return b;
}

kmem_buckets *kslab_find_buckets(const char *name)
{
	kmem_buckets *b = NULL;

	if (!name)
		return NULL;
	pthread_mutex_lock(&named_lock);
	for (unsigned int i = nr_named; i-- > 0 && !b;)
		if (!strcmp(named[i].name, name))
			b = named[i].b;
	pthread_mutex_unlock(&named_lock);
	return b;
}

/* b as kmalloc_slab() reads it: NULL for plain kmalloc(), else checked */
static bool bad_buckets(kmem_buckets *b, const char *fn, unsigned long caller)
{
	if (!b || b == ZERO_SIZE_PTR)
		return false;
	if (ksl_kmem_buckets_cache &&
	    ksl_virt_to_cache(b) == ksl_kmem_buckets_cache)
		return false;
	ksl_pr_ratelimited(
		20, "BUG: %s(%p) from %#lx: not a kmem_buckets; NULL returned",
		fn, (void *)b, caller);
	return true;
}

static struct kmem_cache *const *table_of(kmem_buckets *b)
{
	return b == ZERO_SIZE_PTR ? NULL : slots(b);
}

void *__kmem_buckets_alloc(kmem_buckets *b, size_t size, gfp_t flags,
			   unsigned long caller)
{
	caller = KSL_CALLER(caller);
	ksl_ensure_booted();
	if (bad_buckets(b, "kmem_buckets_alloc", caller))
		return NULL;
	return ksl_kmalloc_buckets(size, table_of(b), flags, caller);
}

void *kmem_buckets_alloc(kmem_buckets *b, size_t size, gfp_t flags)
{
	return __kmem_buckets_alloc(b, size, flags, _RET_IP_);
}

/* kvmalloc(): kslab has no vmalloc area, so pages past the caches */
void *kmem_buckets_valloc(kmem_buckets *b, size_t size, gfp_t flags)
{
	return __kmem_buckets_alloc(b, size, flags, _RET_IP_);
}

struct kmem_cache *kslab_buckets_slab(kmem_buckets *b, size_t size)
{
	ksl_ensure_booted();
	if (!size || size > ksl_kmalloc.max_cache_size ||
	    bad_buckets(b, "kslab_buckets_slab", _RET_IP_))
		return NULL;
	if (!table_of(b))
		return kmalloc_slab(size, GFP_KERNEL);
	return slots(b)[ksl_kmalloc_index(size)];
}

/* ---- the kernel's users, and the boot's two sets ------------------------ */

/* mm/util.c's; ipc/msgutil.c's msg_buckets has no user here but
 * kslab_find_buckets("msg_msg") (kslab replay's alloc_msg events) */
static kmem_buckets *user_buckets;

/*
 * The initcalls return 0 whatever happens: a set that could not be made
 * stays NULL (reported by kmem_buckets_create()), and its users then
 * allocate with plain kmalloc(), as kmem_buckets_alloc(NULL, ...) does.
 */
int ksl_kmem_buckets_init(void)
{
	if (!ksl_kmalloc_rule_buckets())
		return 0;
	user_buckets = kmem_buckets_create("memdup_user", 0, 0, INT_MAX, NULL);
	kmem_buckets_create("msg_msg", SLAB_ACCOUNT, MSG_MSG_SIZE,
			    ksl_mm.page_size - MSG_MSG_SIZE, NULL);
	return 0;
}

void ksl_kmem_buckets_shutdown(void)
{
	/* the caches and the sets go with the slab layer */
	user_buckets = NULL;
	pthread_mutex_lock(&named_lock);
	nr_named = 0;
	pthread_mutex_unlock(&named_lock);
}

/*
 * memdup_user() and friends: a user pointer is any pointer here, and a
 * NULL one (with bytes to copy) is copy_from_user()'s fault. Errors are
 * ERR_PTR()s, as the kernel's.
 */
__attribute__((noinline)) void *memdup_user(const void *src, size_t len)
{
	void *p;

	if (!src && len)
		return ERR_PTR(-EFAULT);
	/* kmem_buckets_alloc_track_caller(): the call site is our caller */
	p = __kmem_buckets_alloc(user_buckets, len, GFP_USER | __GFP_NOWARN,
				 _RET_IP_);
	if (!p)
		return ERR_PTR(-ENOMEM);
	if (len)
		memcpy(p, src, len);
	return p;
}

void *vmemdup_user(const void *src, size_t len)
{
	void *p;

	if (!src && len)
		return ERR_PTR(-EFAULT);
	p = kmem_buckets_valloc(user_buckets, len, GFP_USER);
	if (!p)
		return ERR_PTR(-ENOMEM);
	if (len)
		memcpy(p, src, len);
	return p;
}

char *strndup_user(const char *s, long n)
{
	size_t length = 0;
	char *p;

	/* strnlen_user(): the length with its NUL (more than n without
	 * one), 0 for a fault */
	if (s && n > 0)
		length = strnlen(s, (size_t)n) + 1;
	if (!length)
		return ERR_PTR(-EFAULT);
	if (length > (size_t)n)
		return ERR_PTR(-EINVAL);
	p = memdup_user(s, length);
	if (!IS_ERR(p))
		p[length - 1] = '\0';
	return p;
}

/* from kmalloc, not the buckets: mm/util.c uses kmalloc_track_caller() */
void *memdup_user_nul(const void *src, size_t len)
{
	char *p;

	if (!src && len)
		return ERR_PTR(-EFAULT);
	if (len == SIZE_MAX)
		return ERR_PTR(-ENOMEM);
	p = ksl_kmalloc_buckets(len + 1, NULL, GFP_KERNEL, _RET_IP_);
	if (!p)
		return ERR_PTR(-ENOMEM);
	if (len)
		memcpy(p, src, len);
	p[len] = '\0';
	return p;
}
