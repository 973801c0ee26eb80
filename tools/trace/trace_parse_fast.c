// SPDX-License-Identifier: MIT
/*
 * The fast path of the kmem trace line parser: the form ftrace writes
 * (and trace-cmd without its latency column),
 *
 *   "   bash-1364    [000] ..... 10561.957538: kmalloc: call_site=..."
 *
 * read with fixed expectations instead of searches: the first ':' of the
 * line ends the timestamp, the last ']' before the timestamp closes the
 * CPU, the event name is told by one or two 8-byte words, decimals are
 * read eight digits a step (SWAR), and the body's keys by their first
 * letter and one compare.
 *
 * Invariant: trace_parse_fast() either gives exactly what
 * trace_parse_line_slow() gives for the line (kind and every field of
 * *out), or -1. It returns -1 for anything it does not fully check:
 * other line forms, page and dma events, another event, a blank other
 * than ' ' where the slow path would skip it, any malformed field (the
 * slow path then gives the reason), a line shorter than its word loads.
 * It never reads before the line or past its end. The differential test
 * (tests/test_trace_parse_fast.c) holds it to this on the bundled and
 * reference traces and on mutated lines.
 */
#include <string.h>
#include "trace/trace_parse_priv.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FAST_LE 1
#else
#define FAST_LE 0
#endif

static inline uint64_t load8(const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/* the eight bytes of a string constant as load8() reads them */
#define WORD(s)                                  \
	((uint64_t)(unsigned char)(s)[0] |       \
	 (uint64_t)(unsigned char)(s)[1] << 8 |  \
	 (uint64_t)(unsigned char)(s)[2] << 16 | \
	 (uint64_t)(unsigned char)(s)[3] << 24 | \
	 (uint64_t)(unsigned char)(s)[4] << 32 | \
	 (uint64_t)(unsigned char)(s)[5] << 40 | \
	 (uint64_t)(unsigned char)(s)[6] << 48 | \
	 (uint64_t)(unsigned char)(s)[7] << 56)

static inline int is_dig(char c)
{
	return (unsigned char)(c - '0') < 10;
}

/*
 * n (1..8) decimal digits at s into *v, as parse_dec() reads them; the
 * eight bytes at s must be readable. 0, or -1 when one is not a digit.
 */
static inline int dec8(const char *s, size_t n, uint64_t *v)
{
	uint64_t w = load8(s);

	/* the digits to the high bytes, '0' before them */
	if (n < 8)
		w = w << (8 - n) * 8 | 0x3030303030303030ull >> n * 8;
	/* every byte 0x30-0x39: high nibble 3, and no carry adding 6 */
	if (((w & 0xf0f0f0f0f0f0f0f0ull) |
	     (((w + 0x0606060606060606ull) & 0xf0f0f0f0f0f0f0f0ull) >> 4)) !=
	    0x3333333333333333ull)
		return -1;
	w = (w & 0x0f0f0f0f0f0f0f0full) * 2561 >> 8;
	w = (w & 0x00ff00ff00ff00ffull) * 6553601 >> 16;
	*v = (w & 0x0000ffff0000ffffull) * 42949672960001ull >> 32;
	return 0;
}

/* parse_dec(), eight digits a step when the bytes are there */
static inline int dec(const char *s, size_t n, const char *end, uint64_t *v)
{
	if (FAST_LE && n && n <= 8 && end - s >= 8)
		return dec8(s, n, v);
	return parse_dec(s, n, v);
}

/* the first ':' in [p, end), or NULL */
static inline const char *find_colon(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i colon = _mm_set1_epi8(':');

	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned int m = (unsigned int)_mm_movemask_epi8(
			_mm_cmpeq_epi8(v, colon));

		if (m)
			return p + __builtin_ctz(m);
	}
#endif
	return memchr(p, ':', (size_t)(end - p));
}

#ifdef __SSE2__
/* the bits of the sixteen bytes at p that are digits, and that are c */
static inline unsigned int digits16(__m128i v)
{
	return (unsigned int)_mm_movemask_epi8(
		_mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('/')),
			      _mm_cmplt_epi8(v, _mm_set1_epi8(':'))));
}

static inline unsigned int bytes16(__m128i v, char c)
{
	return (unsigned int)_mm_movemask_epi8(
		_mm_cmpeq_epi8(v, _mm_set1_epi8(c)));
}

static inline __m128i load16(const char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

static inline int high_bit(unsigned int m)
{
	return 31 - __builtin_clz(m);
}

/*
 * The timestamp "SEC.FRAC" ending at c, in the sixteen bytes before it,
 * after a ' ': its start (NULL if not so), *dot its '.'.
 */
static inline const char *ts_run(const char *c, const char **dot)
{
	__m128i v = load16(c - 16);
	unsigned int dig = digits16(v), dots = bytes16(v, '.');
	unsigned int other = ~(dig | dots) & 0xffff;
	int start;

	if (!other || *(c - 16 + high_bit(other)) != ' ')
		return NULL;
	start = high_bit(other) + 1;
	dots >>= start; /* the run's own: one, with digits both sides */
	if (dots & (dots - 1) || !dots || dots == 1 ||
	    start + __builtin_ctz(dots) == 15)
		return NULL;
	*dot = c - 16 + start + __builtin_ctz(dots);
	return c - 16 + start;
}

/* just after the last ']' in the sixteen bytes before s, or NULL */
static inline const char *last_bracket(const char *s)
{
	unsigned int m = bytes16(load16(s - 16), ']');

	return m ? s - 16 + high_bit(m) + 1 : NULL;
}
#else
static inline const char *ts_run(const char *c, const char **dot)
{
	const char *q, *s;

	for (q = c; q > c - 16 && is_dig(q[-1]); q--)
		;
	if (q == c || q - (c - 16) < 2 || q[-1] != '.')
		return NULL;
	for (s = q - 1; s > c - 16 && is_dig(s[-1]); s--)
		;
	if (s == q - 1 || s == c - 16 || s[-1] != ' ')
		return NULL;
	*dot = q - 1;
	return s;
}

static inline const char *last_bracket(const char *s)
{
	const char *rb;

	for (rb = s; rb > s - 16 && rb[-1] != ']'; rb--)
		;
	return rb > s - 16 ? rb : NULL;
}
#endif

/*
 * "[CPU] FLAGS SEC.FRAC: " from p, the first non-blank of the line, to
 * the event name (returned), or NULL: not this form, or not sure. The
 * timestamp (at most 9 + 1 + 9 characters) and the flags after "[CPU]"
 * each fit in the sixteen bytes before what follows them.
 */
static const char *prefix(const char *p, const char *end,
			  struct trace_line *out)
{
	static const uint32_t pow10[10] = { 1,	       10,	 100,
					    1000,      10000,	 100000,
					    1000000,   10000000, 100000000,
					    1000000000 };
	const char *c = find_colon(p, end), *s, *dot, *rb, *lb;
	uint64_t sec, frac, cpu;

	if (!c || end - c < 2 || c[1] != ' ' || c - p < 32)
		return NULL;
	s = ts_run(c, &dot); /* sixteen bytes: the ' ' before it too */
	if (!s || dot - s > 9 || c - dot - 1 > 9 || s - p < 16)
		return NULL;
	if (dec(s, (size_t)(dot - s), end, &sec) ||
	    dec(dot + 1, (size_t)(c - dot - 1), end, &frac))
		return NULL;
	rb = last_bracket(s); /* the last ']' before the timestamp */
	if (!rb)
		return NULL;
	for (lb = rb - 1; lb > p && is_dig(lb[-1]); lb--)
		;
	if (lb == p || lb[-1] != '[' || rb - 1 - lb < 1 || rb - 1 - lb > 5 ||
	    parse_dec(lb, (size_t)(rb - 1 - lb), &cpu) || cpu >= 65536)
		return NULL;
	out->cpu = (unsigned int)cpu;
	out->ts_ns = sec * 1000000000u + frac * pow10[9 - (c - dot - 1)];
	return c + 2;
}

/*
 * The kmem event whose name and ": " start at p, or -1; *len its name's
 * length. Needs 24 bytes from p.
 */
static int event_name(const char *p, size_t *len)
{
	uint64_t w = load8(p), w2;

	if ((w & 0xffffffffffffull) == (WORD("kfree:  ") & 0xffffffffffffull)) {
		*len = 5;
		return p[6] == ' ' ? TRACE_EV_KFREE : -1;
	}
	if (w == WORD("kmem_cac")) {
		w2 = load8(p + 8);
		if (w2 == WORD("he_free:")) {
			*len = 15;
			return p[16] == ' ' ? TRACE_EV_CACHE_FREE : -1;
		}
		if (w2 != WORD("he_alloc"))
			return -1;
		if (p[16] == ':') {
			*len = 16;
			return p[17] == ' ' ? TRACE_EV_CACHE_ALLOC : -1;
		}
		*len = 21;
		return !memcmp(p + 16, "_node: ", 7) ?
			       TRACE_EV_CACHE_ALLOC_NODE :
			       -1;
	}
	if (w == WORD("kmalloc:")) {
		*len = 7;
		return p[8] == ' ' ? TRACE_EV_KMALLOC : -1;
	}
	if ((w & 0xffffffffffffffull) ==
	    (WORD("kmalloc_") & 0xffffffffffffffull)) {
		*len = 12;
		return !memcmp(p + 7, "_node: ", 7) ? TRACE_EV_KMALLOC_NODE :
						      -1;
	}
	return -1;
}

/* tok starts with k and '=', with room, as known_key() in trace_parse.c */
#define KEY_IS(k) \
	((size_t)(end - tok) > sizeof(k) - 1 && !memcmp(tok, k "=", sizeof(k)))

/* the first ' ' from p, or end */
static inline const char *blank_after(const char *p, const char *end)
{
	const char *b = find_blank(p, end);

	return b ? b : end;
}

/* call_site's value, as trace_parse_site() reads it */
static inline int site(const char *v, size_t n, struct trace_line *out)
{
	const char *plus, *slash, *e = v + n;
#ifdef __SSE2__
	unsigned int m, sl;
	__m128i w;

	if (n < 17)
		return trace_parse_site(v, n, out);
	w = load16(e - 16); /* "+0x1a5/0x1d80": the offset and size */
	m = bytes16(w, '+');
	if (!m || high_bit(m) == 15)
		return trace_parse_site(v, n, out);
	plus = e - 16 + high_bit(m);
	sl = bytes16(w, '/') >> (high_bit(m) + 1);
	slash = sl ? plus + 1 + __builtin_ctz(sl) : e;
#else
	for (plus = e; plus > v && plus[-1] != '+'; plus--)
		;
	if (plus - v < 2 || plus == e)
		return trace_parse_site(v, n, out);
	plus--;
	for (slash = plus; slash < e && *slash != '/'; slash++)
		;
#endif
	if (parse_hex(plus + 1, (size_t)(slash - plus - 1), &out->site_off))
		return -1;
	out->site_func.p = v;
	out->site_func.len = (uint32_t)(plus - v);
	out->site_text.p = v;
	out->site_text.len = (uint32_t)n;
	return 0;
}

/*
 * The values, each from v (just after its key's '=') to the first ' '
 * or the end (*next), as parse_field() in trace_parse.c reads them:
 * 0, or -1 for a value it calls bad (the slow path then says why).
 */
static inline int v_site(const char *v, const char *end, struct trace_line *out,
			 const char **next)
{
	*next = blank_after(v, end);
	return site(v, (size_t)(*next - v), out);
}

static inline int v_ptr(const char *v, const char *end, struct trace_line *out,
			const char **next)
{
#ifdef __SSE2__
	/* parse_ptr() of a plain 16-digit pointer: no blank in it */
	if (end - v >= 16 && (end - v == 16 || v[16] == ' ') &&
	    !hex16(v, &out->ptr)) {
		*next = v + 16;
		out->ptr_null = !out->ptr;
		return 0;
	}
#endif
	*next = blank_after(v, end);
	return trace_parse_ptr(v, (size_t)(*next - v), out);
}

static inline int v_name(const char *v, const char *end, struct trace_line *out,
			 const char **next)
{
	*next = blank_after(v, end);
	out->name.p = v;
	out->name.len = (uint32_t)(*next - v);
	return *next > v ? 0 : -1;
}

static inline int v_dec(const char *v, const char *end, uint64_t *x,
			const char **next)
{
	*next = blank_after(v, end);
	return dec(v, (size_t)(*next - v), end, x);
}

static inline int v_gfp(const char *v, const char *end, struct trace_line *out,
			const char **next)
{
	*next = blank_after(v, end);
	return trace_parse_gfp(v, (size_t)(*next - v), &out->gfp);
}

static inline int v_node(const char *v, const char *end, struct trace_line *out,
			 const char **next)
{
	size_t n;

	*next = blank_after(v, end);
	n = (size_t)(*next - v);
	if (n == 2 && v[0] == '-' && v[1] == '1') {
		out->node = -1;
		return 0;
	}
	return trace_parse_node(v, n, &out->node);
}

static inline int v_acct(const char *v, const char *end, struct trace_line *out,
			 const char **next)
{
	int b;

	*next = blank_after(v, end);
	b = parse_bool_word(v, (size_t)(*next - v));
	if (b < 0)
		return -1;
	out->accounted = b;
	return 0;
}

/* a value's bit, or -1 when bad */
#define BIT(call, bit) ((call) ? -1 : (int)(bit))

/*
 * The key=value at tok: the key's F_ bit, 0 for another key (skipped,
 * as parse_body() skips it), -1 to decline. *next: the blank ending the
 * value, or end.
 */
static inline int field(const char *tok, const char *end,
			struct trace_line *out, const char **next)
{
	switch (tok[0]) {
	case 'c':
		if (KEY_IS("call_site"))
			return BIT(v_site(tok + 10, end, out, next), F_SITE);
		break;
	case 'p':
		if (KEY_IS("ptr"))
			return BIT(v_ptr(tok + 4, end, out, next), F_PTR);
		break;
	case 'n':
		if (KEY_IS("name"))
			return BIT(v_name(tok + 5, end, out, next), F_NAME);
		if (KEY_IS("node"))
			return BIT(v_node(tok + 5, end, out, next), F_NODE);
		break;
	case 'b':
		if (KEY_IS("bytes_req"))
			return BIT(v_dec(tok + 10, end, &out->bytes_req, next),
				   F_REQ);
		if (KEY_IS("bytes_alloc"))
			return BIT(v_dec(tok + 12, end, &out->bytes_alloc,
					 next),
				   F_ALLOC);
		break;
	case 'g':
		if (KEY_IS("gfp_flags"))
			return BIT(v_gfp(tok + 10, end, out, next), F_GFP);
		break;
	case 'a':
		if (KEY_IS("accounted"))
			return BIT(v_acct(tok + 10, end, out, next), F_ACCT);
		break;
	}
	*next = blank_after(tok, end);
	return 0;
}

static inline unsigned int needs(const struct trace_line *out)
{
	return out->ev == TRACE_EV_KFREE || out->ev == TRACE_EV_CACHE_FREE ?
		       F_FREE_NEEDS :
		       F_ALLOC_NEEDS;
}

/* the key=value body, as parse_body() in trace_parse.c reads it */
static int body_any(const char *p, const char *end, struct trace_line *out)
{
	unsigned int seen = 0;

	for (;;) {
		int bit;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		bit = field(p, end, out, &p);
		if (bit < 0 || seen & (unsigned int)bit)
			return -1;
		seen |= (unsigned int)bit;
	}
	return (seen & needs(out)) == needs(out) ? TRACE_LINE_EVENT : -1;
}

/* one ' ' at p, then key k= (tok set to it) */
#define NEXT(k) (end - p > 1 && *p == ' ' && (tok = p + 1, KEY_IS(k)))

/*
 * The body in the order the kernel's print formats write it, one ' '
 * between fields: call_site ptr [name] [bytes_req bytes_alloc gfp_flags
 * [node] [accounted]], no branch on what the next key is. The kind when
 * it is so; OTHER_ORDER when the body is otherwise (body_any() reads
 * it); -1 for a bad value.
 */
#define OTHER_ORDER (-2)

static int body_in_order(const char *p, const char *end, struct trace_line *out)
{
	unsigned int seen = F_SITE | F_PTR;
	const char *tok;

	if (!NEXT("call_site"))
		return OTHER_ORDER;
	if (v_site(tok + 10, end, out, &p))
		return -1;
	if (!NEXT("ptr"))
		return OTHER_ORDER;
	if (v_ptr(tok + 4, end, out, &p))
		return -1;
	if (NEXT("name")) {
		if (v_name(tok + 5, end, out, &p))
			return -1;
		seen |= F_NAME;
	}
	if (p < end) {
		if (!NEXT("bytes_req"))
			return OTHER_ORDER;
		if (v_dec(tok + 10, end, &out->bytes_req, &p))
			return -1;
		if (!NEXT("bytes_alloc"))
			return OTHER_ORDER;
		if (v_dec(tok + 12, end, &out->bytes_alloc, &p))
			return -1;
		if (!NEXT("gfp_flags"))
			return OTHER_ORDER;
		if (v_gfp(tok + 10, end, out, &p))
			return -1;
		seen |= F_REQ | F_ALLOC | F_GFP;
		if (NEXT("node") && v_node(tok + 5, end, out, &p))
			return -1;
		if (NEXT("accounted") && v_acct(tok + 10, end, out, &p))
			return -1;
	}
	if (p != end)
		return OTHER_ORDER;
	return (seen & needs(out)) == needs(out) ? TRACE_LINE_EVENT :
						   OTHER_ORDER;
}

static int body(const char *p, const char *end, struct trace_line *out)
{
	int k = body_in_order(p, end, out);

	return k != OTHER_ORDER ? k : body_any(p, end, out);
}

/*
 * *out as trace_parse_line_slow() starts it (all zero but node and
 * accounted), field by field: a memset() of the whole struct is a slow
 * "rep stos" here. A field added to struct trace_line must be added here
 * (and to the differential test).
 */
static inline void clear_line(struct trace_line *out)
{
	/* 176 bytes on LP64 as the fields below are: one more, a change */
	_Static_assert(sizeof(void *) != 8 || sizeof(struct trace_line) == 176,
		       "every field of struct trace_line cleared below");
	out->ev = 0;
	out->cpu = 0;
	out->ts_ns = 0;
	out->site_func = (struct trace_text){ 0 };
	out->site_off = 0;
	out->site_text = (struct trace_text){ 0 };
	out->ptr = 0;
	out->ptr_null = 0;
	out->bytes_req = out->bytes_alloc = 0;
	out->gfp = 0;
	out->node = -1;
	out->accounted = -1;
	out->name = (struct trace_text){ 0 };
	out->pfn = 0;
	out->order = 0;
	out->migratetype = 0;
	out->percpu_refill = 0;
	out->gfp_unknown = 0;
	out->body = (struct trace_text){ 0 };
	out->lost = 0;
	out->why = NULL;
}

int trace_parse_fast(const char *line, size_t len, struct trace_line *out)
{
	const char *end = line + len, *p = line;
	size_t n;
	int ev;

	if (!FAST_LE)
		return -1;
	clear_line(out);
	while (end - p >= 8) { /* the task name's padding */
		size_t b = blanks8(p);

		p += b;
		if (b < 8)
			break;
	}
	while (p < end && *p == ' ')
		p++;
	if (end - p < 32 || *p == '\t' || *p == '#')
		return -1;
	p = prefix(p, end, out);
	if (!p || end - p < 24 || *p != 'k')
		return -1;
	ev = event_name(p, &n);
	if (ev < 0)
		return -1;
	out->ev = (enum trace_ev_name)ev;
	return body(p + n + 1, end, out);
}
