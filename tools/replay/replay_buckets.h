/* SPDX-License-Identifier: MIT */
/*
 * CONFIG_SLAB_BUCKETS in a replay: the kmem_buckets set (the booted
 * machine's "memdup_user" or "msg_msg") a kmalloc event's call site
 * allocates through, by the kernel's source (replay_buckets.c), or NULL
 * for a plain kmalloc (and for every event before 6.11).
 */
#ifndef KSLAB_TOOL_REPLAY_BUCKETS_H
#define KSLAB_TOOL_REPLAY_BUCKETS_H

#include <kslab/kslab.h>
#include "trace/trace_stream.h"

struct replay_buckets;

/* On the booted machine. NULL when out of memory. */
struct replay_buckets *replay_buckets_new(const struct trace_stream *s);
void replay_buckets_free(struct replay_buckets *rb);
/* The set the kmalloc at site goes through, or NULL: kmalloc(). */
kmem_buckets *replay_buckets_of(struct replay_buckets *rb,
				const struct trace_stream *s, uint32_t site);

#endif
