/* SPDX-License-Identifier: MIT */
/*
 * A big trace from a small one, for measuring: N copies of a trace one
 * after the other, each copy's pointers moved to a range of its own (the
 * top byte of the hashed value XORed with the copy number) so that no
 * allocation of one copy meets a free of another, and its timestamps
 * moved on past the end of the copy before. The kmem events are
 * rewritten; page and dma events and '#' header lines are kept in the
 * first copy only (their addresses would meet). Each copy then replays
 * as the original does: the same anomalies, once per copy.
 */
#ifndef KSLAB_TOOL_TRACE_GEN_H
#define KSLAB_TOOL_TRACE_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TRACE_GEN_MAX_COPIES 255u

struct trace_gen_result {
	uint64_t lines_in, lines_out;
	uint64_t span_s; /* seconds each copy is moved on from the one before */
};

/*
 * Write copies of the trace at path to out. 0; -1 with err set (input
 * unreadable or corrupt, pointers whose top bytes differ so that moving
 * them could collide, a write error).
 */
int trace_gen(const char *path, unsigned int copies, FILE *out,
	      struct trace_gen_result *res, char *err, size_t errlen);

#endif
