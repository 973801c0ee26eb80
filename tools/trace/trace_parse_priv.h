/* SPDX-License-Identifier: MIT */
/*
 * Between trace_parse.c (the line parser: every form of line, the
 * reference) and trace_parse_fast.c (the common ftrace form only, the
 * same results faster): the field readers both use.
 */
#ifndef KSLAB_TOOL_TRACE_PARSE_PRIV_H
#define KSLAB_TOOL_TRACE_PARSE_PRIV_H

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "trace/trace_parse.h"

/*
 * trace_parse_line() without the fast path: the reference the fast path
 * is tested against (tests/test_trace_parse_fast.c).
 */
enum trace_line_kind trace_parse_line_slow(const char *line, size_t len,
					   struct trace_line *out);
/*
 * The common ftrace form of a kmem event line, read faster: the kind
 * trace_parse_line_slow() gives and the same *out, or -1 when the line
 * is not of that form (then only trace_parse_line_slow() can tell).
 */
int trace_parse_fast(const char *line, size_t len, struct trace_line *out);

/* The field readers of trace_parse.c: 0 (or the field's bit) or -1 */
int trace_parse_site(const char *v, size_t n, struct trace_line *out);
int trace_parse_gfp(const char *v, size_t n, gfp_t *gfp);
int trace_parse_node(const char *v, size_t n, int *node);

/* A hex digit's value + 1 by character, 0 for any other character */
static const uint8_t trace_hex_tab[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static inline __attribute__((always_inline)) int
parse_dec(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i, m = n < 19 ? n : 19;
	unsigned int d;

	if (!n || n > 20)
		return -1;
	for (i = 0; i + 2 <= m; i += 2) { /* 19 digits always fit in 64 bits */
		unsigned int d1 = (unsigned int)(unsigned char)s[i + 1] - '0';

		d = (unsigned int)(unsigned char)s[i] - '0';
		if ((d > 9) | (d1 > 9))
			return -1;
		x = x * 100 + d * 10 + d1;
	}
	if (i < m) {
		d = (unsigned int)(unsigned char)s[i] - '0';
		if (d > 9)
			return -1;
		x = x * 10 + d;
	}
	if (n == 20) {
		d = (unsigned int)(unsigned char)s[19] - '0';
		if (d > 9 || x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WORD_LE 1 /* blanks8() reads a word little-endian */
#else
#define WORD_LE 0
#endif
#define ONES8 0x0101010101010101ull

/* the fields seen in an event's body, and those each kind needs */
#define F_SITE (1u << 0)
#define F_PTR (1u << 1)
#define F_REQ (1u << 2)
#define F_ALLOC (1u << 3)
#define F_GFP (1u << 4)
#define F_NODE (1u << 5)
#define F_ACCT (1u << 6)
#define F_NAME (1u << 7)
#define F_FREE_NEEDS (F_SITE | F_PTR)
#define F_ALLOC_NEEDS (F_SITE | F_PTR | F_REQ | F_ALLOC | F_GFP)

/* How many of the eight bytes at p are ' ' before any other */
static inline size_t blanks8(const char *p)
{
	uint64_t w;

	if (!WORD_LE)
		return memcmp(p, "        ", 8) ? 0 : 8;
	memcpy(&w, p, 8);
	w ^= 0x20 * ONES8;
	return w ? (size_t)__builtin_ctzll(w) / 8 : 8;
}

/* memchr(p, ' ', end - p), sixteen bytes at a time while they are there */
static inline const char *find_blank(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i blank = _mm_set1_epi8(' ');

	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned int m = (unsigned int)_mm_movemask_epi8(
			_mm_cmpeq_epi8(v, blank));

		if (m)
			return p + __builtin_ctz(m);
	}
#endif
	return memchr(p, ' ', (size_t)(end - p));
}

#ifdef __SSE2__
/* Sixteen hex digits (s[0] the most significant) into *v; -1 if not. */
static inline int hex16(const char *s, uint64_t *v)
{
	const __m128i v_ = _mm_loadu_si128((const __m128i *)(const void *)s);
	const __m128i l = _mm_or_si128(v_, _mm_set1_epi8(0x20));
	/* signed compares: bytes 0x80-0xff are negative, never in range */
	const __m128i dig =
		_mm_and_si128(_mm_cmpgt_epi8(v_, _mm_set1_epi8('/')),
			      _mm_cmplt_epi8(v_, _mm_set1_epi8(':')));
	const __m128i let =
		_mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('`')),
			      _mm_cmplt_epi8(l, _mm_set1_epi8('g')));
	__m128i nib, t;
	uint64_t x;

	if (_mm_movemask_epi8(_mm_or_si128(dig, let)) != 0xffff)
		return -1;
	nib = _mm_add_epi8(_mm_and_si128(l, _mm_set1_epi8(0x0f)),
			   _mm_and_si128(let, _mm_set1_epi8(9)));
	/* a 16-bit lane holds two digits, the first in its low byte */
	t = _mm_or_si128(_mm_slli_epi16(nib, 4), _mm_srli_epi16(nib, 8));
	t = _mm_packus_epi16(_mm_and_si128(t, _mm_set1_epi16(0xff)),
			     _mm_setzero_si128());
	x = (uint64_t)_mm_cvtsi128_si64(t); /* the first byte the lowest */
	*v = __builtin_bswap64(x);
	return 0;
}
#endif

/* accounted=: "true" 1, "false" 0; -1 for anything else */
static inline int parse_bool_word(const char *v, size_t n)
{
	if (n == 4 && !memcmp(v, "true", 4))
		return 1;
	if (n == 5 && !memcmp(v, "false", 5))
		return 0;
	return -1;
}

static inline int parse_hex(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n > 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
		s += 2;
		n -= 2;
	}
	if (!n || n > 16)
		return -1;
#ifdef __SSE2__
	if (n == 16) /* a pointer */
		return hex16(s, v);
#endif
	for (; n >= 4; s += 4, n -= 4) { /* four at a time, one test */
		unsigned int d0 = trace_hex_tab[(unsigned char)s[0]] - 1u;
		unsigned int d1 = trace_hex_tab[(unsigned char)s[1]] - 1u;
		unsigned int d2 = trace_hex_tab[(unsigned char)s[2]] - 1u;
		unsigned int d3 = trace_hex_tab[(unsigned char)s[3]] - 1u;

		if ((d0 | d1 | d2 | d3) > 15) /* a 0 entry wrapped around */
			return -1;
		x = x << 16 | d0 << 12 | d1 << 8 | d2 << 4 | d3;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned int d = trace_hex_tab[(unsigned char)s[i]];

		if (!d)
			return -1;
		x = x << 4 | (d - 1);
	}
	*v = x;
	return 0;
}

/*
 * A NULL %p as kernels before 5.2 print it: "(null)" right-aligned in
 * the width of a pointer ("ptr=          (null)"), so the value after
 * '=' is empty and the word follows the blanks. At v, just past such an
 * empty value: the end of that "(null)", or NULL when it is not one.
 */
static inline const char *trace_padded_null(const char *v, const char *end)
{
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	if (end - v < 6 || memcmp(v, "(null)", 6) ||
	    (end - v > 6 && v[6] != ' ' && v[6] != '\t'))
		return NULL;
	return v + 6;
}

#endif
