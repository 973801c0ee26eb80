/* SPDX-License-Identifier: MIT */
/*
 * gfp_flags= text of any kernel from 4.14 to 6.18 (and the few older
 * names a hand-written line may use), read into Linux 6.18 bits.
 *
 * kslab_gfp_parse() knows the 6.18 names only. Traces of older kernels
 * print names 6.18 retired (__GFP_ATOMIC until 6.2, __GFP_COLD and
 * __GFP_NOTRACK until 4.14, GFP_TEMPORARY until 4.13, ...), kernels with
 * KASAN_HW_TAGS (arm64 MTE) print KASAN skip flags, and the leftover bits
 * a kernel prints as "0x..." are that kernel's bit numbers, not 6.18's.
 * This layer maps each retired name to what it meant for placement
 * (trace_gfp.c has the table, with the versions of each name), and keeps
 * hex leftovers from setting kslab's private __GFP_PACKED (bit 26 is
 * __GFP_NOLOCKDEP in 6.4-6.9 and __GFP_NO_OBJ_EXT in 6.10-6.12). A name
 * no kernel of that range printed is still unknown.
 */
#ifndef KSLAB_TOOL_TRACE_GFP_H
#define KSLAB_TOOL_TRACE_GFP_H

#include <stddef.h>
#include <kslab/gfp.h>

/*
 * One word of a gfp_flags= value ("__GFP_ZERO", "__GFP_ATOMIC", "0x200",
 * "none"): 0 and its 6.18 bits in *mask, or -1 when no kernel printed it.
 */
int trace_gfp_word(const char *s, size_t n, gfp_t *mask);

/*
 * A whole '|'-separated gfp_flags= value, word by word: 0 and the ORed
 * bits in *gfp, or -1 at the first unknown word (*gfp then undefined).
 */
int trace_gfp_parse(const char *v, size_t n, gfp_t *gfp);

#endif /* KSLAB_TOOL_TRACE_GFP_H */
