// SPDX-License-Identifier: MIT
/*
 * One cache from one /sys/kernel/slab snapshot row: what `kslab replay`
 * does for a named cache the trace uses, and what the geometry tests do
 * for every row.
 *
 * From the row (an alias row: from its target's row):
 *   object_size, align      kmem_cache_args.align, the object size
 *   hwcache_align, cache_dma, reclaim_account, destroy_by_rcu, poison,
 *   red_zone, store_user    the SLAB_* flags of the same names
 *   the unique id's letters ":dDaFA-": SLAB_CACHE_DMA, SLAB_CACHE_DMA32,
 *                           SLAB_RECLAIM_ACCOUNT, SLAB_CONSISTENCY_CHECKS,
 *                           SLAB_ACCOUNT (create_unique_id() spells them)
 *   ctor                    a constructor that does nothing
 *   usersize                the usercopy region [0, usersize)
 *
 * Inferred, each from a rule of the kernel that leaves one answer:
 *   - a row sysfs shows under its own name (no link, not a unique id) is a
 *     cache the kernel would not merge: sysfs_slab_add() gives every
 *     mergeable cache a unique-id directory and its names links to it.
 *     Such a cache gets SLAB_NO_MERGE unless the row shows its reason (a
 *     ctor, SLAB_TYPESAFE_BY_RCU, usersize, a debug flag);
 *   - when the snapshot lacks the ctor and destroy_by_rcu columns, a
 *     slab_size of exactly ALIGN(ALIGN(object_size, 8) + 8, align), where
 *     ALIGN(ALIGN(object_size, 8), align) is smaller, is the free pointer
 *     placed after the object (calculate_sizes(): a ctor, RCU or
 *     poisoning; the snapshot's machine ran without slub_debug, whose
 *     red zones would add more than one word): the cache gets the no-op
 *     constructor, which changes no timing (RCU would delay frees);
 *   - an RCU cache without a ctor whose slab_size is the aligned object
 *     size keeps its free pointer inside (kmem_cache_args.freeptr_offset,
 *     6.12 on); kslab puts it at offset 0.
 */
#include <string.h>
#include "trace/slabs_create.h"

static void slabs_noop_ctor(void *obj)
{
	(void)obj;
}

static unsigned int align_up(unsigned int x, unsigned int a)
{
	return a ? (x + a - 1) / a * a : x;
}

static slab_flags_t column_flags(const struct slab_info *si)
{
	static const struct {
		uint32_t col;
		slab_flags_t flag;
	} map[] = {
		{ SLABINFO_HWCACHE_ALIGN, SLAB_HWCACHE_ALIGN },
		{ SLABINFO_CACHE_DMA, SLAB_CACHE_DMA },
		{ SLABINFO_RECLAIM_ACCOUNT, SLAB_RECLAIM_ACCOUNT },
		{ SLABINFO_DESTROY_BY_RCU, SLAB_TYPESAFE_BY_RCU },
		{ SLABINFO_POISON, SLAB_POISON },
		{ SLABINFO_RED_ZONE, SLAB_RED_ZONE },
		{ SLABINFO_STORE_USER, SLAB_STORE_USER },
	};
	slab_flags_t f = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (si->flags & map[i].col)
			f |= map[i].flag;
	return f;
}

/* the letters of a unique id ":dDaFA-0000128" */
static slab_flags_t unique_id_flags(const char *id)
{
	const char *dash = strchr(id, '-');
	slab_flags_t f = 0;

	if (id[0] != ':' || !dash)
		return 0;
	for (const char *p = id + 1; p < dash; p++)
		switch (*p) {
		case 'd':
			f |= SLAB_CACHE_DMA;
			break;
		case 'D':
			f |= SLAB_CACHE_DMA32;
			break;
		case 'a':
			f |= SLAB_RECLAIM_ACCOUNT;
			break;
		case 'F':
			f |= SLAB_CONSISTENCY_CHECKS;
			break;
		case 'A':
			f |= SLAB_ACCOUNT;
			break;
		}
	return f;
}

/* shown under its own name: the kernel found it unmergeable */
static bool row_unmergeable(const struct slab_info *row)
{
	return !row->link[0] && row->name[0] != ':';
}

/* the free pointer after the object, read off the geometry */
static bool freeptr_outside(const struct slab_info *row)
{
	unsigned int word = sizeof(void *);
	unsigned int size = align_up(row->object_size, word);
	unsigned int align = row->align ? row->align : word;
	unsigned int inside = align_up(size, align);
	unsigned int outside = align_up(size + word, align);

	return row->slab_size == outside && outside != inside;
}

static void infer_missing(const struct slab_info *row, slab_flags_t *flags,
			  struct kmem_cache_args *args)
{
	uint32_t cols = SLABINFO_DESTROY_BY_RCU | SLABINFO_KNOWN_CTOR;
	unsigned int inside = align_up(align_up(row->object_size, 8),
				       row->align ? row->align : 8);

	if ((row->known & cols) != cols && !args->ctor &&
	    !(*flags & SLAB_TYPESAFE_BY_RCU) && freeptr_outside(row))
		args->ctor = slabs_noop_ctor;
	if ((*flags & SLAB_TYPESAFE_BY_RCU) && !args->ctor &&
	    row->slab_size == inside) {
		args->use_freeptr_offset = true;
		args->freeptr_offset = 0;
	}
	if (row_unmergeable(row) && !args->ctor && !args->usersize &&
	    !(*flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON | SLAB_RED_ZONE |
			SLAB_STORE_USER)))
		*flags |= SLAB_NO_MERGE;
}

void slabs_create_args(const struct slab_snapshot *snap,
		       const struct slab_info *row, slab_flags_t *flags,
		       struct kmem_cache_args *args)
{
	const struct slab_info *si = slabs_resolve(snap, row);

	memset(args, 0, sizeof(*args));
	*flags |= column_flags(si);
	*flags |= unique_id_flags(row->link[0] ? row->link : row->name);
	args->align = row->align;
	if (row->ctor[0])
		args->ctor = slabs_noop_ctor;
	if (si->usersize <= row->object_size)
		args->usersize = si->usersize;
	infer_missing(row, flags, args);
}

struct kmem_cache *slabs_create_cache(const struct slab_snapshot *snap,
				      const struct slab_info *row,
				      slab_flags_t flags)
{
	struct kmem_cache_args args;

	slabs_create_args(snap, row, &flags, &args);
	return kmem_cache_create_args(row->name, row->object_size, &args,
				      flags);
}
