/* SPDX-License-Identifier: MIT */
/*
 * Naming the cache of kmem_cache_alloc events that carry no name= (Linux
 * 6.1 and 6.12 print it only on kmem_cache_free). Each such event gets a
 * cache-name id in ev->cache, by the first rule that settles it:
 *
 *   free      the traced kmem_cache_free of the same pointer (the next
 *             event of that pointer in the same file) names it;
 *   site      the allocations named by "free" at the same call site with
 *             the same bytes_req and bytes_alloc name one cache only;
 *   snapshot  exactly one cache of the /sys/kernel/slab snapshot (an
 *             unmerged cache or a merged cache's unique id; kmalloc
 *             caches excluded, their objects are traced as kmalloc) has
 *             slab_size bytes_alloc and object_size bytes_req (exact
 *             fits first; then merged caches whose object_size is above
 *             it, as a cache merged later raises it), after dropping
 *             caches whose SLAB_ACCOUNT (the 'A' of a unique id)
 *             contradicts the event's accounted= field;
 *   ambiguous several such caches, all of one geometry (object and slab
 *             size, order, objects per slab): the first of them
 *             in the snapshot's order (by name); which one cannot change
 *             the objects' layout;
 *   unknown   none of these: the event is named "anon:<bytes_req>", an
 *             anonymous cache of its size; `ambiguous` (the field)
 *             counts those the snapshot left with several candidates of
 *             different geometries.
 *
 * Events that had name= keep it and count as `traced`.
 */
#ifndef KSLAB_TOOL_TRACE_ATTRIB_H
#define KSLAB_TOOL_TRACE_ATTRIB_H

#include <stdint.h>
#include "trace/slabs_tsv.h"
#include "trace/trace_stream.h"

enum trace_attrib_rule {
	ATTRIB_TRACED,
	ATTRIB_FREE,
	ATTRIB_SITE,
	ATTRIB_SNAPSHOT,
	ATTRIB_AMBIGUOUS,
	ATTRIB_UNKNOWN,
	ATTRIB_NR_RULES,
};

extern const char *const trace_attrib_names[ATTRIB_NR_RULES];

struct trace_attrib {
	uint64_t n[ATTRIB_NR_RULES]; /* kmem_cache_alloc events by rule */
	uint64_t ambiguous; /* unknown: several candidates, geometries differ */
};

/* The prefix of the anonymous caches' names. */
#define TRACE_ATTRIB_ANON "anon:"

/*
 * Name every kmem_cache_alloc of s (snap may be NULL: no snapshot rule).
 * Returns 0, or -1 when memory runs out (nothing counted then; events
 * keep whatever was named so far).
 */
int trace_attribute_caches(struct trace_stream *s,
			   const struct slab_snapshot *snap,
			   struct trace_attrib *out);

#endif
