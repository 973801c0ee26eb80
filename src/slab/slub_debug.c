// SPDX-License-Identifier: MIT
/*
 * SLUB debugging (mm/slub.c under CONFIG_SLUB_DEBUG, 6.18): the
 * slub_debug= / slab_debug= boot parameter, the flags it gives each cache
 * (kmem_cache_flags()), and the allocation and free paths of a debugged
 * cache. The checks and reports are in slub_debug_check.c.
 *
 *   slub_debug[=[FLAGS][,CACHE[,CACHE...]][;FLAGS,CACHE...]...]
 *     F consistency checks  Z red zones  P poisoning  U alloc/free tracks
 *     T trace  A failslab  O not where the slab order would grow
 *     - none (clears what came before it in the block)
 *     a bare slub_debug (or an empty value): FZPU for every cache
 *     CACHE may end in '*' (a prefix); the first block naming a cache
 *     gives its flags, other caches get those of a block without a list
 *
 * A debugged cache (any of SLAB_DEBUG_FLAGS, the kernel's
 * kmem_cache_debug()) has no per-CPU slabs: its cpu_slab is the inert
 * ksl_dead_cpu_slab, so the inline fast paths find nothing and fall to
 * the slow paths, which send it here (refill_new_slab() for an
 * allocation; its slabs have span 0, so every free reaches
 * ksl_slab_free_checked()). Here each object is taken from, or given
 * back to, a slab on the node list under list_lock, one at a time, as
 * the kernel's alloc_single_from_partial()/free_to_partial_list(), with
 * alloc_debug_processing()/free_debug_processing() around it. A debugged
 * slab's state is FULL (no free object; on no list) or NODE_PARTIAL.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "slab/slab_internal.h"

#define DEBUG_DEFAULT_FLAGS                                      \
	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | \
	 SLAB_STORE_USER)
#define DEBUG_METADATA_FLAGS (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)

static struct {
	slab_flags_t global; /* slub_debug */
	char *string;	     /* the blocks with cache lists, or NULL */
	bool higher_order_disable;
} ksl_sd;

void ksl_slub_debug_reset(void)
{
	free(ksl_sd.string);
	memset(&ksl_sd, 0, sizeof(ksl_sd));
}

/*
 * One block of the parameter: its flags, where its cache list starts
 * (NULL: none) and the next block (NULL: none). init: the boot-time
 * parse, which reports unknown letters and records 'O'.
 */
static const char *parse_block(const char *str, slab_flags_t *flags,
			       const char **list, bool init)
{
	while (*str == ';')
		str++;
	*flags = 0;
	if (*str == ',') {
		*flags = DEBUG_DEFAULT_FLAGS; /* a list alone: everything */
	} else {
		for (; *str && *str != ',' && *str != ';'; str++) {
			switch (tolower((unsigned char)*str)) {
			case '-':
				*flags = 0;
				break;
			case 'f':
				*flags |= SLAB_CONSISTENCY_CHECKS;
				break;
			case 'z':
				*flags |= SLAB_RED_ZONE;
				break;
			case 'p':
				*flags |= SLAB_POISON;
				break;
			case 'u':
				*flags |= SLAB_STORE_USER;
				break;
			case 't':
				*flags |= SLAB_TRACE;
				break;
			case 'a':
				*flags |= SLAB_FAILSLAB;
				break;
			case 'o':
				if (init)
					ksl_sd.higher_order_disable = true;
				break;
			default:
				if (init)
					ksl_printk(
						"slab_debug option '%c' unknown. skipped",
						*str);
			}
		}
	}
	*list = *str == ',' ? str + 1 : NULL;
	while (*str && *str != ';')
		str++;
	while (*str == ';')
		str++;
	return *str ? str : NULL;
}

int ksl_param_slub_debug(const char *name, const char *val)
{
	slab_flags_t flags, global = DEBUG_DEFAULT_FLAGS;
	bool changed = false, lists = false;
	const char *list;

	(void)name;
	free(ksl_sd.string);
	ksl_sd.string = NULL;
	ksl_sd.higher_order_disable = false;
	if (val && *val) {
		for (const char *s = val; s;) {
			s = parse_block(s, &flags, &list, true);
			if (!list) {
				global = flags;
				changed = true;
			} else {
				lists = true;
			}
		}
		if (lists) {
			if (!changed)
				global = ksl_sd.global;
			ksl_sd.string = strdup(val);
			if (!ksl_sd.string)
				return -ENOMEM;
		}
	}
	ksl_sd.global = global;
	return 0;
}

/* does the list entry [item, end) name the cache (a '*' ends a prefix) */
static bool list_match(const char *name, const char *item, const char *end)
{
	const char *glob = memchr(item, '*', (size_t)(end - item));
	size_t len = strlen(name);

	if (glob)
		return !strncmp(name, item, (size_t)(glob - item));
	return len == (size_t)(end - item) && !strncmp(name, item, len);
}

/* the flags of the first block whose list names the cache, or false */
static bool block_flags_for(const char *name, slab_flags_t *out)
{
	const char *next = ksl_sd.string, *item;
	slab_flags_t flags;

	while (next) {
		next = parse_block(next, &flags, &item, false);
		while (item && *item && *item != ';') {
			const char *end = item + strcspn(item, ",;");

			if (list_match(name, item, end)) {
				*out = flags;
				return true;
			}
			if (*end != ',')
				break;
			item = end + 1;
		}
	}
	return false;
}

slab_flags_t ksl_kmem_cache_flags(slab_flags_t flags, const char *name)
{
	slab_flags_t local = ksl_sd.global, block;

	if (flags & SLAB_NO_USER_FLAGS)
		return flags;
	/* a cache of a debugging tool: no tracks unless named */
	if (flags & SLAB_NOLEAKTRACE)
		local &= ~SLAB_STORE_USER;
	if (ksl_sd.string && block_flags_for(name ? name : "(null)", &block))
		return flags | block;
	return flags | local;
}

bool ksl_slub_debug_drop_metadata(struct kmem_cache *s)
{
	if (!ksl_sd.higher_order_disable ||
	    get_order(s->size) <= get_order(s->object_size))
		return false;
	s->flags &= ~DEBUG_METADATA_FLAGS;
	s->offset = 0;
	s->red_left_pad = 0;
	return true;
}

/* ---- a debugged cache's objects ------------------------------------------ */

void ksl_debug_cache_init(struct kmem_cache *s)
{
	if (!(s->flags & SLAB_DEBUG_FLAGS))
		return;
	free(s->cpu_slab);
	s->cpu_slab = ksl_dead_cpu_slab;
	s->inert |= KSL_CACHE_DEBUG;
}

/* Take one object of a node-partial slab (list_lock held), or NULL. */
static void *take_one(struct kmem_cache *s, struct slab *slab, bool *bad)
{
	struct kmem_cache_node *n = &s->node;
	uint64_t w = fs_load(slab);
	void *obj = idx_to_obj(s, slab, FS_HEAD(w)), *next;
	unsigned int inuse = FS_INUSE(w) + 1;

	next = get_fp(s, obj);
	if (!ksl_debug_valid_pointer(s, slab, next)) {
		/* freelist_corrupted(): the rest of the chain is lost */
		ksl_debug_freechain_corrupt(s, slab, obj);
		next = NULL;
	}
	*bad = !ksl_debug_alloc_checks(s, slab, obj);
	if (*bad) {
		ksl_debug_slab_fix(s, "Marking all objects used");
		next = NULL;
		inuse = slab->objects;
	}
	__atomic_store_n(&slab->fstate,
			 fs_make(next ? obj_to_head(s, slab, next) : 0, inuse,
				 SLAB_NODE_PARTIAL),
			 __ATOMIC_RELEASE);
	if (!next) {
		ksl_remove_partial(n, slab);
		ksl_set_state(slab, SLAB_FULL);
	}
	return *bad ? NULL : obj;
}

/* An object for a debugged cache (list_lock not held), or NULL. */
static void *debug_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long caller)
{
	struct kmem_cache_node *n = &s->node;
	struct slab *slab;
	void *obj = NULL;
	bool bad;

	for (;;) {
		ksl_spin_lock(&n->list_lock);
		while (!obj && n->partial)
			obj = take_one(s, n->partial, &bad);
		if (obj)
			break;
		ksl_spin_unlock(&n->list_lock);
		slab = ksl_new_slab(s, gfp);
		if (!slab)
			return NULL;
		ksl_spin_lock(&n->list_lock);
		ksl_add_partial(n, slab);
		ksl_spin_unlock(&n->list_lock);
	}
	ksl_debug_alloc_done(s, ksl_virt_to_slab(obj), obj, caller);
	ksl_spin_unlock(&n->list_lock);
	return obj;
}

/*
 * refill_new_slab() of a debugged cache (CPU held): the object, with its
 * free pointer cleared so that the CPU's freelist stays empty.
 */
void *ksl_debug_alloc_held(struct kmem_cache *s, struct ksl_cpu_hold *h,
			   gfp_t gfp, unsigned long caller)
{
	void *obj;

	if (unlikely(gfp & GFP_SLAB_BUG_MASK))
		gfp = ksl_slab_fix_gfp(s->name, gfp, caller);
	ksl_release_cpu(h);
	obj = debug_alloc(s, gfp, caller);
	ksl_hold_cpu(s, h);
	if (obj)
		set_fp(s, obj, NULL);
	return obj;
}

/* free_to_partial_list(): obj, an object start of slab, checked. */
void ksl_debug_free(struct kmem_cache *s, struct slab *slab, void *obj,
		    unsigned long caller)
{
	struct kmem_cache_node *n = &s->node;
	struct slab *discard = NULL;
	unsigned int head, inuse, st;
	uint64_t w;

	ksl_spin_lock(&n->list_lock);
	if (!ksl_debug_free_checks(s, slab, obj, caller)) {
		ksl_spin_unlock(&n->list_lock);
		return;
	}
	w = fs_load(slab);
	head = FS_HEAD(w);
	inuse = FS_INUSE(w) - 1;
	st = FS_STATE(w);
	set_fp(s, obj, idx_to_obj(s, slab, head));
	__atomic_store_n(&slab->fstate,
			 fs_make(obj_to_head(s, slab, obj), inuse, st),
			 __ATOMIC_RELEASE);
	if (!inuse && n->nr_partial >= s->min_partial) {
		if (st == SLAB_NODE_PARTIAL)
			ksl_remove_partial(n, slab);
		ksl_set_state(slab, SLAB_FULL);
		slab->next = NULL;
		discard = slab;
	} else if (st == SLAB_FULL) {
		ksl_add_partial(n, slab);
	}
	ksl_spin_unlock(&n->list_lock);
	if (discard)
		ksl_discard_list(s, discard);
}
