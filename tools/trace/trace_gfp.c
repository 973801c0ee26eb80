// SPDX-License-Identifier: MIT
/*
 * The gfp flag names kernels other than 6.18 print, as 6.18 bits: the
 * trace-only layer over kslab_gfp_parse() (see trace_gfp.h).
 *
 * Where the names come from: each kernel's show_gfp_flags() table
 * (include/trace/events/mmflags.h __def_gfpflag_names, before 4.6
 * include/trace/events/gfpflags.h) and its flag definitions
 * (include/linux/gfp.h, from 6.0 gfp_types.h). Every name a 4.14-6.18
 * table prints that 6.18 does not know has an entry below, plus the
 * retired names of 4.4-4.13 a hand-written line may carry. The names
 * 4.4 and older printed without the leading "__" (GFP_WAIT, GFP_COLD,
 * ...) are not accepted: their kmem events are not read either.
 *
 * The mask is what the name meant in the kernel that printed it, in
 * 6.18 bits, for what decides placement (the zone bits, __GFP_RECLAIMABLE,
 * __GFP_ACCOUNT, __GFP_ZERO) and the 6.18 flag a renamed one became. A
 * flag 6.18 dropped without a successor, and the KASAN flags (which only
 * change tag and poison handling), carry no bit.
 *
 * Composites 6.18 still prints are read with their 6.18 definition; where
 * it changed, the difference never touches placement: GFP_ATOMIC lost
 * __GFP_ATOMIC in 6.3, GFP_HIGHUSER_MOVABLE carries the KASAN skip flag
 * of its time (zero without KASAN_HW_TAGS), and GFP_NOWAIT gained
 * __GFP_NOWARN after 6.1 (6.12 has it): an older kernel's GFP_NOWAIT
 * reads with __GFP_NOWARN set. GFP_TRANSHUGE and GFP_TRANSHUGE_LIGHT
 * have had their 6.18 definition since 4.8.
 */
#include <string.h>
#include "trace/trace_gfp.h"

struct trace_gfp_old {
	const char *name;
	unsigned char len;
	gfp_t mask;
};

#define OLD(name, mask)                      \
	{                                    \
		name, sizeof(name) - 1, mask \
	}

static const struct trace_gfp_old trace_gfp_old_names[] = {
	/* 4.4-6.2: "cannot sleep, may use reserves"; 6.3 dropped it */
	OLD("__GFP_ATOMIC", 0),
	/* -4.14: take a cache-cold page from the per-cpu list; gone in 4.15 */
	OLD("__GFP_COLD", 0),
	/* -4.14: kmemcheck should not track the memory; gone in 4.15 */
	OLD("__GFP_NOTRACK", 0),
	/* -4.13 (last printed by 4.13): GFP_KERNEL | __GFP_RECLAIMABLE */
	OLD("GFP_TEMPORARY", GFP_KERNEL | __GFP_RECLAIMABLE),
	/* -4.12: 4.13 replaced it, on the same bit, by __GFP_RETRY_MAYFAIL */
	OLD("__GFP_REPEAT", __GFP_RETRY_MAYFAIL),
	/* -4.9 (in the table from 4.5): NUMA statistics only; gone in 4.10 */
	OLD("__GFP_OTHER_NODE", 0),
	/* 4.2-4.4: opt out of kmemcg accounting, the default since 4.5 */
	OLD("__GFP_NOACCOUNT", 0),
	/* -4.3: may sleep; 4.4 renamed it __GFP_RECLAIM (direct + kswapd) */
	OLD("__GFP_WAIT", __GFP_RECLAIM),
	/* -4.3: do not wake kswapd; 4.4 replaced it by the lack of
	 * __GFP_KSWAPD_RECLAIM, which a name cannot take away */
	OLD("__GFP_NO_KSWAPD", 0),
	/* 5.15 (not 5.10) to 6.3 (KASAN_HW_TAGS): no KASAN poisoning on
	 * free; then merged into __GFP_SKIP_KASAN */
	OLD("__GFP_SKIP_KASAN_POISON", 0),
	/* 5.18-6.3 (KASAN_HW_TAGS): no KASAN unpoisoning on allocation */
	OLD("__GFP_SKIP_KASAN_UNPOISON", 0),
	/* 5.18-6.18 (KASAN_HW_TAGS): the tags clear the memory instead */
	OLD("__GFP_SKIP_ZERO", 0),
	/* 6.4-6.18 (KASAN_HW_TAGS): the two skips above in one flag */
	OLD("__GFP_SKIP_KASAN", 0),
};

#define NR_OLD (sizeof(trace_gfp_old_names) / sizeof(trace_gfp_old_names[0]))

static int old_name(const char *s, size_t n, gfp_t *mask)
{
	for (size_t i = 0; i < NR_OLD; i++) {
		const struct trace_gfp_old *e = &trace_gfp_old_names[i];

		if (e->len == n && !memcmp(e->name, s, n)) {
			*mask = e->mask;
			return 0;
		}
	}
	return -1;
}

int trace_gfp_word(const char *s, size_t n, gfp_t *mask)
{
	if (!n || memchr(s, '|', n))
		return -1;
	if (!kslab_gfp_parse(s, n, mask, NULL)) {
		/* leftover bits: another kernel's numbering, never kslab's */
		if (s[0] == '0')
			*mask &= ~__GFP_PACKED;
		return 0;
	}
	return old_name(s, n, mask);
}

int trace_gfp_parse(const char *v, size_t n, gfp_t *gfp)
{
	const char *end = v + n;
	gfp_t val = 0;

	for (;;) {
		const char *bar = memchr(v, '|', (size_t)(end - v));
		size_t len = (size_t)((bar ? bar : end) - v);
		gfp_t one;

		if (trace_gfp_word(v, len, &one))
			return -1;
		val |= one;
		if (!bar)
			break;
		v = bar + 1;
	}
	*gfp = val;
	return 0;
}
