// SPDX-License-Identifier: MIT
/*
 * The kmem trace line parser (see trace_parse.h): finds the timestamp
 * and the CPU in whichever prefix the tool wrote, then the event name and
 * the kernel's key=value body. Never allocates, never trusts the input:
 * a line naming one of our events that cannot be read is "bad" with a
 * reason, anything else unreadable is "skip". With SSE2 the scans take
 * sixteen bytes a step, never reading before the line or past its end;
 * without it the same results come byte by byte. trace_parse_line()
 * first tries the fast path of trace_parse_fast.c (the common ftrace
 * line); what it declines is read here (trace_parse_line_slow(), the
 * reference the fast path is tested against).
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <kslab/gfp.h>
#include "trace/intern.h"
#include "trace/trace_parse.h"
#include "trace/trace_parse_priv.h"
#include "trace/trace_dma.h"
#include "trace/trace_gfp.h"
#include "trace/trace_pages.h"

const char *const trace_ev_names[TRACE_EV_NR_NAMES] = {
	[TRACE_EV_KMALLOC] = "kmalloc",
	[TRACE_EV_KFREE] = "kfree",
	[TRACE_EV_CACHE_ALLOC] = "kmem_cache_alloc",
	[TRACE_EV_CACHE_FREE] = "kmem_cache_free",
	[TRACE_EV_KMALLOC_NODE] = "kmalloc_node",
	[TRACE_EV_CACHE_ALLOC_NODE] = "kmem_cache_alloc_node",
};

static const uint8_t trace_ev_len[TRACE_EV_NR_NAMES] = {
	[TRACE_EV_KMALLOC] = 7,	      [TRACE_EV_KFREE] = 5,
	[TRACE_EV_CACHE_ALLOC] = 16,  [TRACE_EV_CACHE_FREE] = 15,
	[TRACE_EV_KMALLOC_NODE] = 12, [TRACE_EV_CACHE_ALLOC_NODE] = 21,
};

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

/* '.' and the digits: the characters of a timestamp */
static const uint8_t ts_char[256] = {
	['.'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
	['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
};

/* the kmem event whose name has this length (they all differ), or -1 */
static int kmem_ev_by_len(size_t len)
{
	switch (len) {
	case 7:
		return TRACE_EV_KMALLOC;
	case 5:
		return TRACE_EV_KFREE;
	case 16:
		return TRACE_EV_CACHE_ALLOC;
	case 15:
		return TRACE_EV_CACHE_FREE;
	case 12:
		return TRACE_EV_KMALLOC_NODE;
	case 21:
		return TRACE_EV_CACHE_ALLOC_NODE;
	}
	return -1;
}

/* !memcmp(a, b, n) for 5 <= n <= 21 (the kmem event names' lengths) */
static int same5_21(const char *a, const char *b, size_t n)
{
	uint64_t x, y, x2, y2;
	uint32_t u, v, u2, v2;

	if (n < 8) { /* the first four and the last four bytes */
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		memcpy(&u2, a + n - 4, 4);
		memcpy(&v2, b + n - 4, 4);
		return ((u ^ v) | (u2 ^ v2)) == 0;
	}
	if (n > 16 && memcmp(a + 8, b + 8, n - 16))
		return 0;
	memcpy(&x, a, 8); /* the first eight and the last eight */
	memcpy(&y, b, 8);
	memcpy(&x2, a + n - 8, 8);
	memcpy(&y2, b + n - 8, 8);
	return ((x ^ y) | (x2 ^ y2)) == 0;
}

int trace_ev_lookup(const char *name, size_t len)
{
	int i = kmem_ev_by_len(len);
	const char *colon;

	/* the common case first: one of ours, as ftrace names it */
	if (i >= 0 && name[0] == 'k' && same5_21(trace_ev_names[i], name, len))
		return i;
	colon = memrchr(name, ':', len);

	if (colon) { /* perf's "kmem:kmalloc" */
		len -= (size_t)(colon + 1 - name);
		name = colon + 1;
	}
	if (len >= 8 && name[0] == 'm')
		return trace_page_ev_lookup(name, len);
	if (len >= 7 && (name[0] == 'd' || name[0] == 's'))
		return trace_dma_ev_lookup(name, len);
	if (len < 5 || (name[0] != 'k'))
		return -1;
	for (i = 0; i < TRACE_EV_NR_NAMES; i++)
		if (trace_ev_len[i] == len &&
		    !memcmp(trace_ev_names[i], name, len))
			return i;
	return -1;
}

/*
 * "10561.957538" (or a bare counter) ending at end; 0 on success. dot is
 * its first '.' or NULL when the caller knows, end when it does not.
 */
static int parse_ts(const char *s, const char *end, const char *dot,
		    uint64_t *ns)
{
	static const uint32_t pow10[10] = { 1,	       10,	 100,
					    1000,      10000,	 100000,
					    1000000,   10000000, 100000000,
					    1000000000 };
	uint64_t sec, frac = 0;
	size_t nf;

	if (dot == end)
		dot = memchr(s, '.', (size_t)(end - s));
	if (!dot)
		return parse_dec(s, (size_t)(end - s), ns);
	if (parse_dec(s, (size_t)(dot - s), &sec) ||
	    sec > UINT64_MAX / 2000000000u)
		return -1;
	nf = (size_t)(end - dot - 1);
	if (!nf || nf > 9 || parse_dec(dot + 1, nf, &frac))
		return -1;
	frac *= pow10[9 - nf];
	*ns = sec * 1000000000u + frac;
	return 0;
}

static int is_flag_char(char c)
{
	return c == '.' || is_digit(c) || strchr("dDhHsSnNbBXzZp", c);
}

/* Just after the last c before t, or line if there is none */
static const char *after_last(const char *line, const char *t, char c)
{
#ifdef __SSE2__
	for (; t - line >= 16; t -= 16) {
		__m128i v = _mm_loadu_si128(
			(const __m128i *)(const void *)(t - 16));
		unsigned int m = (unsigned int)_mm_movemask_epi8(
			_mm_cmpeq_epi8(v, _mm_set1_epi8(c)));

		if (m)
			return t - 16 + (32 - __builtin_clz(m));
	}
#endif
	while (t > line && t[-1] != c)
		t--;
	return t;
}

/*
 * The CPU before the timestamp at t: the last "[digits]" (trace,
 * trace_pipe, trace-cmd, perf), else a latency column "1d..1" whose
 * leading digits are the CPU (trace-cmd report -l).
 */
static int find_cpu(const char *line, const char *t, uint64_t *cpu)
{
	const char *rb = after_last(line, t, ']'), *lb, *te;

	if (rb > line) {
		lb = rb - 1;
		while (lb > line && is_digit(lb[-1]))
			lb--;
		if (lb > line && lb[-1] == '[' &&
		    !parse_dec(lb, (size_t)(rb - 1 - lb), cpu) && *cpu < 65536)
			return 0;
		return -1;
	}
	te = t;
	while (te > line && is_space(te[-1]))
		te--;
	lb = te;
	while (lb > line && !is_space(lb[-1]))
		lb--;
	rb = lb;
	while (rb < te && is_digit(*rb))
		rb++;
	if (rb == lb || rb == te)
		return -1;
	for (const char *f = rb; f < te; f++)
		if (!is_flag_char(*f))
			return -1;
	return parse_dec(lb, (size_t)(rb - lb), cpu) || *cpu >= 65536 ? -1 : 0;
}

/*
 * Where the run of '.' and digits ending at t starts; *dot its first '.'
 * (NULL for none) when this found it, else t.
 */
static const char *ts_start(const char *line, const char *t, const char **dot)
{
	*dot = t;
#ifdef __SSE2__
	if (t - line >= 16) { /* most timestamps: one step */
		__m128i v = _mm_loadu_si128(
			(const __m128i *)(const void *)(t - 16));
		__m128i d =
			_mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('/')),
				      _mm_cmplt_epi8(v, _mm_set1_epi8(':')));
		unsigned int dots = (unsigned int)_mm_movemask_epi8(
			_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
		unsigned int m = (unsigned int)_mm_movemask_epi8(d) | dots;

		m = ~m & 0xffff; /* the bytes not in a timestamp */
		if (m) {
			unsigned int start =
				32 - (unsigned int)__builtin_clz(m);

			dots &= ~0u << start; /* the run's own */
			*dot = dots ? t - 16 + __builtin_ctz(dots) : NULL;
			return t - 16 + start;
		}
		t -= 16;
	}
	while (t - line >= 16) {
		__m128i v = _mm_loadu_si128(
			(const __m128i *)(const void *)(t - 16));
		__m128i d =
			_mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('/')),
				      _mm_cmplt_epi8(v, _mm_set1_epi8(':')));
		unsigned int m = (unsigned int)_mm_movemask_epi8(
			_mm_or_si128(d, _mm_cmpeq_epi8(v, _mm_set1_epi8('.'))));

		m = ~m & 0xffff; /* the bytes not in a timestamp */
		if (m)
			return t - 16 + (32 - __builtin_clz(m));
		t -= 16;
	}
#endif
	while (t > line && ts_char[(unsigned char)t[-1]])
		t--;
	return t;
}

/*
 * Find "TS: " where TS is a number preceded by blank, with a "[CPU]"
 * before it. Returns the position after ": " or NULL.
 */
static const char *find_prefix(const char *line, const char *end,
			       struct trace_line *out)
{
	const char *p = line;

	while ((p = memchr(p, ':', (size_t)(end - p)))) {
		const char *t = p, *dot;
		uint64_t cpu;

		if (p + 1 < end && p[1] != ' ') {
			p++;
			continue;
		}
		t = ts_start(line, t, &dot);
		if (t == p || t == line || !is_space(t[-1]) ||
		    parse_ts(t, p, dot, &out->ts_ns)) {
			p++;
			continue;
		}
		if (find_cpu(line, t, &cpu))
			return NULL;
		out->cpu = (unsigned int)cpu;
		return p + 1 < end ? p + 2 : end;
	}
	return NULL;
}

static const char *mentions_ours(const char *line)
{
	if (strstr(line, "kmalloc") || strstr(line, "kfree") ||
	    strstr(line, "kmem_cache_"))
		return "no timestamp or CPU";
	return NULL;
}

/* "CPU:1 [LOST 123 EVENTS]" (trace_pipe) or "[123 EVENTS DROPPED]" */
static int lost_marker(const char *line, uint64_t *lost)
{
	const char *p = strstr(line, "[LOST ");
	const char *e;

	*lost = 0;
	if (p) {
		p += 6;
		for (e = p; is_digit(*e); e++)
			;
		return parse_dec(p, (size_t)(e - p), lost) ? 1 : 1;
	}
	e = strstr(line, " EVENTS DROPPED]");
	if (!e)
		return 0;
	for (p = e; p > line && is_digit(p[-1]); p--)
		;
	parse_dec(p, (size_t)(e - p), lost);
	return 1;
}

int trace_parse_site(const char *v, size_t n, struct trace_line *out)
{
	const char *plus = memrchr(v, '+', n);

	out->site_off = 0;
	out->site_text.p = v;
	out->site_text.len = (uint32_t)n;
	if (plus && plus > v && plus + 1 < v + n) {
		const char *slash = memchr(plus, '/', (size_t)(v + n - plus));
		const char *oe = slash ? slash : v + n;

		if (parse_hex(plus + 1, (size_t)(oe - plus - 1),
			      &out->site_off))
			return -1;
		n = (size_t)(plus - v);
	}
	out->site_func.p = v;
	out->site_func.len = (uint32_t)n;
	return n ? 0 : -1;
}

static int parse_ptr(const char *v, size_t n, struct trace_line *out)
{
	out->ptr_null = 0;
	/* the kernel's NULL %p before 5.2; glibc's (perf, trace-cmd) */
	if ((n == 6 && !memcmp(v, "(null)", 6)) ||
	    (n == 5 && !memcmp(v, "(nil)", 5))) {
		out->ptr = 0;
		out->ptr_null = 1;
		return 0;
	}
	if (!parse_hex(v, n, &out->ptr)) {
		out->ptr_null = !out->ptr;
		return 0;
	}
	if (!n || n > 64)
		return -1;
	/* "(ptrval)" and the like: still consistent for pairing */
	out->ptr = intern_hash(v, n) | 1ull << 63;
	return 0;
}

int trace_parse_node(const char *v, size_t n, int *node)
{
	uint64_t x;
	int neg = n && v[0] == '-';

	if (parse_dec(v + neg, n - (size_t)neg, &x) || x > 1u << 20)
		return -1;
	*node = neg ? -(int)x : (int)x;
	return 0;
}

#define KEY(k) (klen == sizeof(k) - 1 && !memcmp(key, k, sizeof(k) - 1))

/*
 * gfp_flags= text already read by this thread: a trace repeats a few
 * dozen combinations millions of times. Only texts that parsed are kept.
 */
#define GFP_MEMO 64
#define GFP_MEMO_LEN 56

struct gfp_memo {
	uint32_t len;
	gfp_t gfp;
	char text[GFP_MEMO_LEN];
};

static __thread struct gfp_memo gfp_memo[GFP_MEMO];

int trace_parse_gfp(const char *v, size_t n, gfp_t *gfp)
{
	struct gfp_memo *m;
	const char *badw;

	if (!n)
		return -1;
	m = &gfp_memo[(n * 7 + (unsigned char)v[n - 1] +
		       (unsigned char)v[n / 2] * 3) %
		      GFP_MEMO];
	if (m->len == n && !memcmp(m->text, v, n)) {
		*gfp = m->gfp;
		return 0;
	}
	/*
	 * 6.18 names first; another kernel's names, and hex leftovers that
	 * would read as kslab's own __GFP_PACKED, through trace_gfp.c
	 */
	if ((kslab_gfp_parse(v, n, gfp, &badw) || (*gfp & __GFP_PACKED)) &&
	    trace_gfp_parse(v, n, gfp))
		return -1;
	if (n <= GFP_MEMO_LEN) {
		memcpy(m->text, v, n);
		m->len = (uint32_t)n;
		m->gfp = *gfp;
	}
	return 0;
}

static int parse_accounted(const char *v, size_t n, struct trace_line *out)
{
	int b = parse_bool_word(v, n);

	if (b < 0)
		return -1;
	out->accounted = b;
	return F_ACCT;
}

static int parse_name(const char *v, size_t n, struct trace_line *out)
{
	out->name.p = v;
	out->name.len = (uint32_t)n;
	return n ? (int)F_NAME : -1;
}

/* a 9-letter key, told apart by its first letter */
static int parse_field9(const char *key, const char *v, size_t n,
			struct trace_line *out)
{
	const size_t klen = 9;

	switch (key[0]) {
	case 'c':
		if (KEY("call_site"))
			return trace_parse_site(v, n, out) ? -1 : (int)F_SITE;
		break;
	case 'b':
		if (KEY("bytes_req"))
			return parse_dec(v, n, &out->bytes_req) ? -1 :
								  (int)F_REQ;
		break;
	case 'g':
		if (KEY("gfp_flags"))
			return trace_parse_gfp(v, n, &out->gfp) ? -1 :
								  (int)F_GFP;
		break;
	case 'a':
		if (KEY("accounted"))
			return parse_accounted(v, n, out);
		break;
	}
	return 0;
}

#define IS_KEY(k)                                \
	(((size_t)(end - tok) > sizeof(k) - 1 && \
	  !memcmp(tok, k "=", sizeof(k))) ?      \
		 sizeof(k) - 1 :                 \
		 0)

/*
 * The length of the key tok starts with, when it is one of ours followed
 * by '=' (then that '=' is the token's first), else 0: the token's key is
 * none of ours (parse_field() would ignore it).
 */
static size_t known_key(const char *tok, const char *end)
{
	switch (tok[0]) {
	case 'c':
		return IS_KEY("call_site");
	case 'p':
		return IS_KEY("ptr");
	case 'b':
		return end - tok > 6 && tok[6] == 'r' ? IS_KEY("bytes_req") :
							IS_KEY("bytes_alloc");
	case 'g':
		return IS_KEY("gfp_flags");
	case 'n':
		return end - tok > 1 && tok[1] == 'o' ? IS_KEY("node") :
							IS_KEY("name");
	case 'a':
		return IS_KEY("accounted");
	}
	return 0;
}

/* One key=value; returns its F_ bit, 0 for an unknown key, -1 if bad. */
static int parse_field(const char *key, size_t klen, const char *v, size_t n,
		       struct trace_line *out)
{
	switch (klen) { /* the keys by length */
	case 3:
		if (KEY("ptr"))
			return parse_ptr(v, n, out) ? -1 : (int)F_PTR;
		break;
	case 4:
		if (KEY("node"))
			return trace_parse_node(v, n, &out->node) ? -1 :
								    (int)F_NODE;
		if (KEY("name"))
			return parse_name(v, n, out);
		break;
	case 9:
		return parse_field9(key, v, n, out);
	case 11:
		if (KEY("bytes_alloc"))
			return parse_dec(v, n, &out->bytes_alloc) ?
				       -1 :
				       (int)F_ALLOC;
		break;
	}
	return 0;
}

static const char *bad_reason(const char *key, size_t klen)
{
	static const char *const why[][2] = {
		{ "call_site", "bad call_site" },
		{ "ptr", "bad ptr" },
		{ "bytes_req", "bad bytes_req" },
		{ "bytes_alloc", "bad bytes_alloc" },
		{ "gfp_flags", "unknown gfp flag" },
		{ "node", "bad node" },
		{ "accounted", "bad accounted" },
		{ "name", "empty name" },
	};

	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (strlen(why[i][0]) == klen && !memcmp(why[i][0], key, klen))
			return why[i][1];
	return "bad field";
}

static enum trace_line_kind parse_body(const char *p, const char *end,
				       struct trace_line *out)
{
	unsigned int seen = 0, need;

	while (p < end) {
		const char *tok, *eq, *te, *val, *pn;
		int bit;

		while (p < end && is_space(*p))
			p++;
		tok = p;
		if (tok == end)
			break;
		eq = tok + known_key(tok, end);
		/* the print formats separate fields with spaces */
		te = find_blank(eq, end);
		if (!te)
			te = end;
		if (eq ==
		    tok) { /* another key, or e.g. a module name "[ext4]" */
			p = te < end ? te + 1 : te;
			continue;
		}
		val = eq + 1;
		if (te == val && (pn = trace_padded_null(te, end))) {
			val = pn - 6; /* "ptr=          (null)" */
			te = pn;
		}
		p = te < end ? te + 1 : te; /* past the blank memchr() found */
		bit = parse_field(tok, (size_t)(eq - tok), val,
				  (size_t)(te - val), out);
		if (bit < 0) {
			out->why = bad_reason(tok, (size_t)(eq - tok));
			return TRACE_LINE_BAD;
		}
		if (seen & (unsigned int)bit) {
			out->why = "repeated field";
			return TRACE_LINE_BAD;
		}
		seen |= (unsigned int)bit;
	}
	need = out->ev == TRACE_EV_KFREE || out->ev == TRACE_EV_CACHE_FREE ?
		       F_FREE_NEEDS :
		       F_ALLOC_NEEDS;
	if ((seen & need) != need) {
		out->why = !(seen & F_SITE)  ? "no call_site" :
			   !(seen & F_PTR)   ? "no ptr" :
			   !(seen & F_REQ)   ? "no bytes_req" :
			   !(seen & F_ALLOC) ? "no bytes_alloc" :
					       "no gfp_flags";
		return TRACE_LINE_BAD;
	}
	return TRACE_LINE_EVENT;
}

/*
 * The header of /sys/kernel/tracing/trace says how many events the ring
 * buffer overwrote: "# entries-in-buffer/entries-written: 100/250   #P:2"
 */
static int overwritten(const char *p, struct trace_line *out)
{
	static const char key[] = "# entries-in-buffer/entries-written: ";
	uint64_t in_buf, written;
	const char *a, *b;

	if (strncmp(p, key, sizeof(key) - 1))
		return 0;
	a = p + sizeof(key) - 1;
	for (b = a; is_digit(*b); b++)
		;
	if (*b != '/' || parse_dec(a, (size_t)(b - a), &in_buf))
		return 0;
	for (a = ++b; is_digit(*b); b++)
		;
	if (parse_dec(a, (size_t)(b - a), &written) || written <= in_buf)
		return 0;
	out->lost = written - in_buf;
	return 1;
}

/* perf script may print the sample period before the event name */
static const char *skip_period(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && is_digit(*q))
		q++;
	if (q == p || q == end || !is_space(*q))
		return p;
	while (q < end && is_space(*q))
		q++;
	return q;
}

/* The end of the event name: a ':' before a blank or the line's end */
static const char *name_end(const char *p, const char *end)
{
	const char *c = p, *sp, *tab;

#ifdef __SSE2__
	/* the first blank, or ':' then a blank or the end, is the end */
	for (; end - c >= 16; c += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)c);
		unsigned int m = (unsigned int)_mm_movemask_epi8(_mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
				     _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))),
			_mm_cmpeq_epi8(v, _mm_set1_epi8(':'))));

		for (; m; m &= m - 1) {
			const char *q = c + __builtin_ctz(m);

			if (*q != ':' || q + 1 == end || is_space(q[1]))
				return q;
		}
	}
	p = c; /* no blank, nor name-ending ':', before c */
#endif

	while ((c = memchr(c, ':', (size_t)(end - c)))) {
		if (c + 1 == end || is_space(c[1]))
			break;
		c++;
	}
	if (!c)
		c = end;
	/* a blank before that ':' ends the name there (no ':' after it) */
	sp = memchr(p, ' ', (size_t)(c - p));
	tab = memchr(p, '\t', (size_t)(sp ? sp - p : c - p));
	return tab ? tab : sp ? sp : c;
}

enum trace_line_kind trace_parse_line_slow(const char *line, size_t len,
					   struct trace_line *out)
{
	const char *end = line + len, *p, *name;
	int ev;

	memset(out, 0, sizeof(*out));
	out->node = -1;
	out->accounted = -1;
	p = line;
	/* ftrace pads the task name: eight blanks at a time */
	while (end - p >= 8) {
		size_t b = blanks8(p);

		p += b;
		if (b < 8)
			break;
	}
	while (p < end && is_space(*p))
		p++;
	if (p == end)
		return TRACE_LINE_SKIP;
	if (*p == '#')
		return overwritten(p, out) ? TRACE_LINE_LOST : TRACE_LINE_SKIP;
	p = find_prefix(p, end, out);
	if (!p) {
		if (lost_marker(line, &out->lost))
			return TRACE_LINE_LOST;
		out->why = mentions_ours(line);
		return out->why ? TRACE_LINE_BAD : TRACE_LINE_SKIP;
	}
	while (p < end && is_space(*p))
		p++;
	p = skip_period(p, end);
	name = p;
	p = name_end(p, end);
	ev = trace_ev_lookup(name, (size_t)(p - name));
	if (ev < 0) {
		if (p == end || *p != ':') {
			if (!lost_marker(line, &out->lost))
				return TRACE_LINE_SKIP;
			return TRACE_LINE_LOST;
		}
		return TRACE_LINE_SKIP; /* another event */
	}
	if (trace_ev_is_dma(ev))
		out->ev = (enum trace_ev_name)ev; /* bad only with --dma */
	if (p == end || *p != ':') {
		out->why = "no ':' after the event name";
		return TRACE_LINE_BAD;
	}
	out->ev = (enum trace_ev_name)ev;
	if (trace_ev_is_page(ev))
		return trace_parse_page_body(p + 1, end, out);
	if (trace_ev_is_dma(ev)) { /* read by trace_dma.c when wanted */
		out->body.p = p + 1;
		out->body.len = (uint32_t)(end - p - 1);
		return TRACE_LINE_EVENT;
	}
	return parse_body(p + 1, end, out);
}

enum trace_line_kind trace_parse_line(const char *line, size_t len,
				      struct trace_line *out)
{
	int k = trace_parse_fast(line, len, out);

	return k >= 0 ? (enum trace_line_kind)k :
			trace_parse_line_slow(line, len, out);
}

int trace_parse_dec(const char *s, size_t n, uint64_t *v)
{
	return parse_dec(s, n, v);
}

int trace_parse_hex(const char *s, size_t n, uint64_t *v)
{
	return parse_hex(s, n, v);
}

int trace_parse_ptr(const char *v, size_t n, struct trace_line *out)
{
	return parse_ptr(v, n, out);
}
