// SPDX-License-Identifier: MIT
/*
 * Which kmalloc events of a trace a kernel with CONFIG_SLAB_BUCKETS
 * (6.11 on) served from a kmem_buckets set rather than the kmalloc
 * caches: the kmalloc tracepoint names no cache, only the call site (the
 * return address of the allocation call, or with a *_track_caller() call
 * the caller's), so the site's function decides, by the kernel's source:
 *
 *   memdup_user, vmemdup_user   mm/util.c: their one allocation is from
 *                               user_buckets ("memdup_user")
 *   strndup_user                mm/util.c: its one allocation is
 *                               memdup_user()'s, whose call site is
 *                               strndup_user (track_caller)
 *   alloc_msg (or load_msg,     ipc/msgutil.c: the struct msg_msg from
 *   where it is inlined)        msg_buckets ("msg_msg"), then
 *                               kmalloc()ed segments for the text past
 *                               a page, at a second call instruction:
 *                               the first site of the function seen in
 *                               the trace is the msg_msg one (every
 *                               message starts with it)
 *
 * memdup_user()'s other callers cannot be told by their call site (it is
 * theirs, shared with their own kmallocs), nor vmemdup_user()'s (the
 * call site is __kvmalloc_node_noprof, as for every kvmalloc()): those
 * stay kmallocs. A policy booted before 6.11 has no sets: every event
 * is a kmalloc, as there.
 */
#include <stdlib.h>
#include <string.h>
#include <kslab/kslab.h>
#include "replay/replay_buckets.h"

enum site_kind { SITE_KMALLOC, SITE_USER, SITE_MSG_FUNC };

struct replay_buckets {
	unsigned char *kind; /* by site id */
	uint32_t *msg_func;  /* the msg functions' first site, by func id */
	size_t nr_funcs;
	kmem_buckets *user, *msg;
};

/* the name without a compiler suffix: "alloc_msg.isra.0" -> alloc_msg */
static bool func_is(const char *func, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(func, name, n) && (func[n] == '\0' || func[n] == '.');
}

static enum site_kind kind_of(const char *func)
{
	if (!func)
		return SITE_KMALLOC;
	if (func_is(func, "memdup_user") || func_is(func, "vmemdup_user") ||
	    func_is(func, "strndup_user"))
		return SITE_USER;
	if (func_is(func, "alloc_msg") || func_is(func, "load_msg"))
		return SITE_MSG_FUNC;
	return SITE_KMALLOC;
}

struct replay_buckets *replay_buckets_new(const struct trace_stream *s)
{
	struct replay_buckets *rb = calloc(1, sizeof(*rb));
	bool any = false;

	if (!rb)
		return NULL;
	rb->kind = calloc(s->nr_sites + 1, 1);
	rb->nr_funcs = s->funcs.nr + 1;
	rb->msg_func = calloc(rb->nr_funcs, sizeof(*rb->msg_func));
	if (!rb->kind || !rb->msg_func) {
		replay_buckets_free(rb);
		return NULL;
	}
	for (uint32_t i = 1; i <= s->nr_sites; i++) {
		rb->kind[i] = kind_of(trace_stream_site_func(s, i));
		any |= rb->kind[i] != SITE_KMALLOC;
	}
	/* the booted machine's sets: none before 6.11 */
	if (any) {
		rb->user = kslab_find_buckets("memdup_user");
		rb->msg = kslab_find_buckets("msg_msg");
	}
	return rb;
}

void replay_buckets_free(struct replay_buckets *rb)
{
	if (!rb)
		return;
	free(rb->kind);
	free(rb->msg_func);
	free(rb);
}

kmem_buckets *replay_buckets_of(struct replay_buckets *rb,
				const struct trace_stream *s, uint32_t site)
{
	uint32_t func;

	if (!rb || !site || site > s->nr_sites)
		return NULL;
	switch (rb->kind[site]) {
	case SITE_USER:
		return rb->user;
	case SITE_MSG_FUNC:
		func = s->sites[site].func;
		if (func >= rb->nr_funcs)
			return NULL;
		if (!rb->msg_func[func])
			rb->msg_func[func] = site;
		return rb->msg_func[func] == site ? rb->msg : NULL;
	default:
		return NULL;
	}
}
