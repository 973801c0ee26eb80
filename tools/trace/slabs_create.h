/* SPDX-License-Identifier: MIT */
/*
 * Creating a cache as a /sys/kernel/slab snapshot row describes it: its
 * object size, alignment and flags, and, where the snapshot lacks a
 * column (the arm64 boots' snapshots have no destroy_by_rcu, ctor,
 * poison, red_zone, store_user or usersize), what the kernel's layout
 * and sysfs rules let the row's geometry tell unambiguously
 * (docs/slab.md, "Kernel versions").
 */
#ifndef KSLAB_TOOL_SLABS_CREATE_H
#define KSLAB_TOOL_SLABS_CREATE_H

#include <kslab/kslab.h>
#include "trace/slabs_tsv.h"

/*
 * Create (or merge) the cache named row->name as the snapshot row
 * describes; flags are added to what the row says (a trace's
 * SLAB_ACCOUNT). An alias row is created with its target's geometry.
 * Returns what kmem_cache_create_args() returns.
 */
struct kmem_cache *slabs_create_cache(const struct slab_snapshot *snap,
				      const struct slab_info *row,
				      slab_flags_t flags);

/* The kmem_cache_args and flags slabs_create_cache() would use. */
void slabs_create_args(const struct slab_snapshot *snap,
		       const struct slab_info *row, slab_flags_t *flags,
		       struct kmem_cache_args *args);

#endif
