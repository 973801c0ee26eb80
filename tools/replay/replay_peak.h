/* SPDX-License-Identifier: MIT */
/*
 * The table of kmalloc caches at the slab peak, built during the replay's
 * only pass: at each new peak the kmalloc caches' counters are read into
 * the snapshot (the table shows only kmalloc caches; a cache's flags are
 * read once, when it is first seen). Reading every kmalloc cache, rather
 * than only those the events used, keeps the objects the library
 * allocates for itself (memcg vectors, sheaves, a new cache's name) in.
 * The snapshot is the machine's exact state at the peak event.
 */
#ifndef KSLAB_TOOL_REPLAY_PEAK_H
#define KSLAB_TOOL_REPLAY_PEAK_H

#include <stdbool.h>
#include <kslab/kslab.h>

struct replay_peak;

/* On the booted machine. NULL when out of memory. */
struct replay_peak *replay_peak_new(void);
void replay_peak_free(struct replay_peak *pk);

/* A new slab peak: read every kmalloc cache. */
void replay_peak_snapshot(struct replay_peak *pk);
/* Whether a snapshot was taken at all. */
bool replay_peak_taken(const struct replay_peak *pk);
/* Whether memory ran out on the way (then the snapshot is incomplete). */
bool replay_peak_failed(const struct replay_peak *pk);
/* c's counters at the last snapshot; NULL if not a kmalloc cache then. */
const struct kslab_cache_info *replay_peak_info(const struct replay_peak *pk,
						const struct kmem_cache *c);

#endif
