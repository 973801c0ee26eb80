/* SPDX-License-Identifier: MIT */
/*
 * Between trace_stream.c (the stream, read line by line) and
 * trace_par.c (the same stream, parsed in parallel): the steps the
 * parallel reader replays in file order when it merges a block.
 */
#ifndef KSLAB_TOOL_TRACE_STREAM_PRIV_H
#define KSLAB_TOOL_TRACE_STREAM_PRIV_H

#include "input/trace_input.h"
#include "trace/trace_stream.h"

/* An event's fields from its line; ids (site, cache, ptr) left 0. */
void trace_event_fill(struct trace_event *e, const struct trace_line *l);
/* An issue's line number and text: "why: line" (cut), blanks skipped. */
void trace_issue_fill(struct trace_issue *is, uint64_t lineno, const char *why,
		      const char *text, size_t len);
void trace_stream_issue(struct trace_stream *s, enum trace_issue_kind kind,
			uint64_t lineno, const char *why, const char *text,
			size_t len);
/* Room for n more events; 0 or -1. */
int trace_stream_reserve(struct trace_stream *s, size_t n);
/* The pairing arrays cover pointer id; 0 or -1. */
int trace_stream_reserve_ptr(struct trace_stream *s, uint32_t id);
/* Start loading what pairing reads for pointer id (< the reserved). */
static inline void trace_stream_prefetch_ptr(const struct trace_stream *s,
					     uint32_t id)
{
	if (!s->live)
		return;
	__builtin_prefetch(&s->live[id]);
	__builtin_prefetch(&s->live_alloc[id]);
	__builtin_prefetch(&s->live_req[id]);
}
/* The id of call site (function id, offset), added when new; 0 on OOM. */
uint32_t trace_stream_site(struct trace_stream *s, uint32_t func, uint32_t off);
/* Pair event e (its pointer id global) with what came before it. */
void trace_stream_pair(struct trace_stream *s, struct trace_event *e,
		       uint64_t lineno, const char *line, size_t len);
/*
 * trace_par.c: the rest of in read by jobs threads into s (the current
 * file is the last of s->files). 0; 1 when the input ended early (err
 * says why, an input_error issue counted); -1 out of memory or a thread
 * that could not start (err says why; the stream is then unusable).
 */
int trace_stream_read_par(struct trace_stream *s, struct trace_input *in,
			  unsigned int jobs, size_t block, int progress,
			  char *err, size_t errlen);

#endif
