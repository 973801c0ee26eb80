/* SPDX-License-Identifier: MIT */
/*
 * Which built-in policy and which kernel version's rules match the kernel
 * that wrote a trace (docs/replay.md, "The traced kernel").
 *
 * Policy, from the trace alone:
 *   the kmalloc minimum M = the smallest bytes_alloc of any kmalloc (a
 *   boot always makes requests of a few bytes), or, when slub_debug made
 *   that slot bigger than the requests it served, the largest of those
 *   requests rounded up to a power of two;
 *   M >= 128: arm64-legacy (ARCH_KMALLOC_MINALIGN 128, before 6.5);
 *   M == 64:  arm64-noswiotlb (6.5+ without a bounce buffer: the cache
 *             line);
 *   M <= 32:  x86_64 or arm64 (the same classes), told apart by where
 *             the unhashed pointers lie: the arm64 linear map
 *             (0xfff0000000000000..0xffff7fffffffffff for 48- and 52-bit
 *             VAs; 0xffffff8000000000.. and 0xfffffc0000000000.. for 39-
 *             and 42-bit) or the x86_64 direct map (0xffff888000000000..
 *             0xffffc87fffffffff with KASLR, 0xff11000000000000..
 *             0xff90ffffffffffff with 5-level paging); hashed pointers
 *             (32-bit values) or no majority: x86_64, the default.
 * Version, first of: --kernel-version, the `uname` file beside the trace
 * (DIR/uname for DIR/trace*, X.uname for X.trace*), kmalloc_node or
 * kmem_cache_alloc_node events (6.1 removed them: before 6.1), a 128-byte
 * minimum on arm64 pointers (before 6.5: 6.1), kmem_cache_alloc events
 * all without name= (6.18 added it: before 6.18, whose nearest rules are
 * 6.12's). Its rules are the newest of kslab's (6.1, 6.12, 6.18) not
 * newer than it, 6.1 for older kernels; with none of these, kslab's
 * default (6.18) and the report says the version is unknown.
 */
#ifndef KSLAB_TOOL_REPLAY_DETECT_H
#define KSLAB_TOOL_REPLAY_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "trace/trace_stream.h"

enum replay_ptr_kind {
	REPLAY_PTR_UNKNOWN, /* hashed, none, or no majority */
	REPLAY_PTR_ARM64,
	REPLAY_PTR_X86_64,
};

struct replay_kernel {
	char policy[48]; /* the matching built-in policy */
	bool given;	 /* --kernel, else detected */
	char why[200];	 /* the evidence, one line */
	uint32_t kmalloc_min;
	enum replay_ptr_kind ptrs;
	uint64_t ptrs_arm64, ptrs_x86_64, ptrs_other;
	char version[32];      /* "6.1.192", "before 6.1", "" when unknown */
	char version_from[96]; /* "given", "uname file X", ... */
	char rules[8];	       /* kslab.kernel= value, "" when unknown */
	/* the age the trace's print formats give (replay_detect_policy()) */
	char formats_version[16]; /* "before 6.1", "before 6.18", "" */
	char formats_from[80];	  /* the evidence */
	char formats_rules[8];	  /* the rules for it */
	char debug[128];	  /* the traced slub_debug=..., "" if none */
	/* the traced slab geometry parameters (slub_max_order=8 ...), "" */
	char slab_params[192];
};

extern const char *const replay_ptr_kind_names[];

/*
 * Fill policy, why, kmalloc_min, the pointer counts and the formats_*
 * age from s (call replay_detect_debug() first: a traced slub_debug=
 * changes the minimum).
 */
void replay_detect_policy(const struct trace_stream *s,
			  struct replay_kernel *k);
/*
 * Fill version, version_from and rules: from given (--kernel-version,
 * may be NULL), else the uname file beside trace (may be NULL), else the
 * detected minimum. Returns 0, or -1 when given is not X.Y[.Z].
 */
int replay_detect_version(struct replay_kernel *k, const char *given,
			  const char *trace);
/*
 * Append " kslab.kernel=RULES" to boot (size len) unless it names one;
 * nothing for empty rules. Returns 1 when appended.
 */
/*
 * slub_debug= and the slab geometry parameters (slub_min_order=,
 * slub_max_order=, slub_min_objects=, slab_nomerge, slab_merge and their
 * slab_/slub_ twins) from the `cmdline` file beside the trace (may be
 * NULL).
 */
void replay_detect_debug(struct replay_kernel *k, const char *trace);
/* Append debug to boot unless it names slub_debug already; 1 if added. */
int replay_boot_add_debug(char *boot, size_t len, const char *debug);
/*
 * Append each word of params whose parameter boot does not name already;
 * returns how many were appended.
 */
int replay_boot_add_params(char *boot, size_t len, const char *params);
int replay_boot_add_rules(char *boot, size_t len, const char *rules);
/* The kslab.kernel= rules for version text "X.Y[...]", "" if not one. */
const char *replay_kernel_rules(const char *version);

#endif
