// SPDX-License-Identifier: MIT
/*
 * Allocation flags as text: kslab_gfp_format() prints them the way the
 * kernel's trace events do (__print_flags() over the gfpflag_string table
 * of include/trace/events/mmflags.h), kslab_gfp_parse() reads such text
 * back.
 *
 * The table is walked in order; an entry matches when all its bits are
 * still set, and its bits are then removed. Composites come first, so
 * GFP_KERNEL|__GFP_ZERO is printed rather than four single bits, and
 * some combinations print oddly but faithfully (GFP_NOWAIT|__GFP_FS|...).
 * Bits no entry names are printed last as one hex number ("0x200").
 * Beyond the 6.18 table, kslab also names __GFP_NOLOCKDEP (as lockdep
 * kernels do) and its own __GFP_PACKED.
 *
 * The parser runs on every line of a replayed trace, so it finds names
 * through a small open-addressing hash built once, without allocating.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <kslab/gfp.h>

struct ksl_gfp_name {
	gfp_t mask;
	unsigned char len;
	const char *name;
};

#define KSL_GFP_NAME(flag)                     \
	{                                      \
		flag, sizeof(#flag) - 1, #flag \
	}

/* The kernel's order: composites, then the single bits by bit number. */
static const struct ksl_gfp_name ksl_gfp_names[] = {
	KSL_GFP_NAME(GFP_TRANSHUGE),
	KSL_GFP_NAME(GFP_TRANSHUGE_LIGHT),
	KSL_GFP_NAME(GFP_HIGHUSER_MOVABLE),
	KSL_GFP_NAME(GFP_HIGHUSER),
	KSL_GFP_NAME(GFP_USER),
	KSL_GFP_NAME(GFP_KERNEL_ACCOUNT),
	KSL_GFP_NAME(GFP_KERNEL),
	KSL_GFP_NAME(GFP_NOFS),
	KSL_GFP_NAME(GFP_ATOMIC),
	KSL_GFP_NAME(GFP_NOIO),
	KSL_GFP_NAME(GFP_NOWAIT),
	KSL_GFP_NAME(GFP_DMA),
	KSL_GFP_NAME(GFP_DMA32),
	KSL_GFP_NAME(__GFP_RECLAIM),
	KSL_GFP_NAME(__GFP_DMA),
	KSL_GFP_NAME(__GFP_HIGHMEM),
	KSL_GFP_NAME(__GFP_DMA32),
	KSL_GFP_NAME(__GFP_MOVABLE),
	KSL_GFP_NAME(__GFP_RECLAIMABLE),
	KSL_GFP_NAME(__GFP_HIGH),
	KSL_GFP_NAME(__GFP_IO),
	KSL_GFP_NAME(__GFP_FS),
	KSL_GFP_NAME(__GFP_ZERO),
	KSL_GFP_NAME(__GFP_DIRECT_RECLAIM),
	KSL_GFP_NAME(__GFP_KSWAPD_RECLAIM),
	KSL_GFP_NAME(__GFP_WRITE),
	KSL_GFP_NAME(__GFP_NOWARN),
	KSL_GFP_NAME(__GFP_RETRY_MAYFAIL),
	KSL_GFP_NAME(__GFP_NOFAIL),
	KSL_GFP_NAME(__GFP_NORETRY),
	KSL_GFP_NAME(__GFP_MEMALLOC),
	KSL_GFP_NAME(__GFP_COMP),
	KSL_GFP_NAME(__GFP_NOMEMALLOC),
	KSL_GFP_NAME(__GFP_HARDWALL),
	KSL_GFP_NAME(__GFP_THISNODE),
	KSL_GFP_NAME(__GFP_ACCOUNT),
	KSL_GFP_NAME(__GFP_ZEROTAGS),
	KSL_GFP_NAME(__GFP_NO_OBJ_EXT),
	KSL_GFP_NAME(__GFP_NOLOCKDEP),
	KSL_GFP_NAME(__GFP_PACKED),
};

#define KSL_GFP_NR_NAMES (sizeof(ksl_gfp_names) / sizeof(ksl_gfp_names[0]))
#define KSL_GFP_MIN_LEN 7  /* "GFP_DMA" */
#define KSL_GFP_MAX_LEN 20 /* "GFP_HIGHUSER_MOVABLE" */
#define KSL_GFP_HASH_BITS 7

_Static_assert(KSL_GFP_NR_NAMES < (1u << KSL_GFP_HASH_BITS) / 2,
	       "gfp name hash too full");

/* Slot -> index + 1 into ksl_gfp_names[]; 0 is empty. */
static unsigned char ksl_gfp_slot[1u << KSL_GFP_HASH_BITS];
static pthread_once_t ksl_gfp_once = PTHREAD_ONCE_INIT;

/*
 * Names share their prefixes and many their tails ("..._RECLAIM"), so the
 * key mixes the length, two tail characters and the seventh character
 * (the first one past "__GFP_"). With this multiplier the 40 names land
 * in distinct slots; any other would still work, through the probing.
 */
static unsigned int ksl_gfp_hash(const char *s, size_t n)
{
	uint32_t key = (uint32_t)n | (uint32_t)(unsigned char)s[n - 1] << 8 |
		       (uint32_t)(unsigned char)s[n - 3] << 16 |
		       (uint32_t)(unsigned char)s[6] << 24;

	return (key * 0x8f8c196fu) >> (32 - KSL_GFP_HASH_BITS);
}

static void ksl_gfp_build_hash(void)
{
	unsigned int mask = (1u << KSL_GFP_HASH_BITS) - 1;

	for (unsigned int i = 0; i < KSL_GFP_NR_NAMES; i++) {
		const struct ksl_gfp_name *e = &ksl_gfp_names[i];
		unsigned int h = ksl_gfp_hash(e->name, e->len);

		while (ksl_gfp_slot[h])
			h = (h + 1) & mask;
		ksl_gfp_slot[h] = (unsigned char)(i + 1);
	}
}

/* One name of the table; -1 when it is none of them. */
static int ksl_gfp_lookup(const char *s, size_t n, gfp_t *mask)
{
	unsigned int hmask = (1u << KSL_GFP_HASH_BITS) - 1;
	unsigned int h, idx;

	if (n < KSL_GFP_MIN_LEN || n > KSL_GFP_MAX_LEN)
		return -1;
	h = ksl_gfp_hash(s, n);
	while ((idx = ksl_gfp_slot[h])) {
		const struct ksl_gfp_name *e = &ksl_gfp_names[idx - 1];

		if (e->len == n && !memcmp(e->name, s, n)) {
			*mask = e->mask;
			return 0;
		}
		h = (h + 1) & hmask;
	}
	return -1;
}

static int ksl_hex_digit(unsigned char c)
{
	if ((unsigned int)(c - '0') < 10)
		return c - '0';
	c |= 0x20;
	if ((unsigned int)(c - 'a') < 6)
		return c - 'a' + 10;
	return -1;
}

/* "0x..." as the kernel prints leftover bits; must fit a gfp_t. */
static int ksl_gfp_hex(const char *s, size_t n, gfp_t *mask)
{
	unsigned long long v = 0;

	if (n < 3 || n > 18 || s[0] != '0' || (s[1] | 0x20) != 'x')
		return -1;
	for (size_t i = 2; i < n; i++) {
		int d = ksl_hex_digit((unsigned char)s[i]);

		if (d < 0)
			return -1;
		v = v << 4 | (unsigned int)d;
	}
	if (v > UINT_MAX)
		return -1;
	*mask = (gfp_t)v;
	return 0;
}

static int ksl_gfp_word(const char *s, size_t n, gfp_t *mask)
{
	if (n == 4 && !memcmp(s, "none", 4)) {
		*mask = 0;
		return 0;
	}
	if (n && s[0] == '0')
		return ksl_gfp_hex(s, n, mask);
	return ksl_gfp_lookup(s, n, mask);
}

int kslab_gfp_parse(const char *text, size_t len, gfp_t *flags,
		    const char **bad)
{
	const char *p = text, *end = text + len;
	gfp_t val = 0;

	pthread_once(&ksl_gfp_once, ksl_gfp_build_hash);
	for (;;) {
		const char *word = p;
		gfp_t mask;

		while (p < end && *p != '|')
			p++;
		if (ksl_gfp_word(word, (size_t)(p - word), &mask)) {
			if (bad)
				*bad = word;
			return -EINVAL;
		}
		val |= mask;
		if (p == end)
			break;
		p++;
	}
	*flags = val;
	return 0;
}

/* snprintf-style output: counts everything, stores what fits. */
struct ksl_gfp_out {
	char *buf;
	size_t size;
	size_t len;
};

static void ksl_gfp_put(struct ksl_gfp_out *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

size_t kslab_gfp_format(gfp_t flags, char *buf, size_t len)
{
	struct ksl_gfp_out o = { buf, len, 0 };

	if (!flags)
		ksl_gfp_put(&o, "none", 4);
	for (size_t i = 0; i < KSL_GFP_NR_NAMES && flags; i++) {
		const struct ksl_gfp_name *e = &ksl_gfp_names[i];

		if ((flags & e->mask) != e->mask)
			continue;
		if (o.len)
			ksl_gfp_put(&o, "|", 1);
		ksl_gfp_put(&o, e->name, e->len);
		flags &= ~e->mask;
	}
	if (flags) {
		char hex[16];
		int n = snprintf(hex, sizeof(hex), "0x%x", flags);

		if (o.len)
			ksl_gfp_put(&o, "|", 1);
		ksl_gfp_put(&o, hex, (size_t)n);
	}
	if (len)
		buf[o.len < len ? o.len : len - 1] = '\0';
	return o.len;
}
