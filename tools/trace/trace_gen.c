// SPDX-License-Identifier: MIT
/*
 * kslab trace-gen (trace_gen.h): copies of one trace, pointer-rewritten.
 *
 * A first pass reads the trace's timestamps (the span each copy moves on)
 * and the top byte its pointers share; copy c then XORs that byte with c
 * and adds c * span seconds to the integer part of each timestamp. The
 * pointers 0 and ZERO_SIZE_PTR (and non-hex ones like "(ptrval)") are
 * kept as they are: they mean the same in every copy. The text of a line
 * is otherwise left alone, so a copy parses as its original.
 */
#include <inttypes.h>
#include <string.h>
#include "input/trace_input.h"
#include "trace/trace_gen.h"
#include "trace/trace_parse.h"
#include "trace/trace_stream.h"

struct gen_scan {
	uint64_t first_ns, last_ns, lines;
	uint64_t span_s, span_raw; /* what each copy adds to the one before */
	int top; /* the pointers' common top byte, -1 none seen, -2 mixed */
};

static int is_kmem(const struct trace_line *l)
{
	return l->ev < TRACE_EV_NR_NAMES;
}

/*
 * The hex digits of " ptr=" in line, [*b, *e) after any "0x", when the
 * value is one copies move (not NULL, not ZERO_SIZE_PTR, hex); else 0.
 */
static int movable_ptr(const char *line, size_t len, const struct trace_line *l,
		       size_t *b, size_t *e)
{
	const char *p = strstr(line, " ptr="), *q;

	if (l->ptr_null || l->ptr == TRACE_ZERO_SIZE_PTR || !p ||
	    p >= line + len)
		return 0;
	p += 5;
	if (p[0] == '0' && (p[1] | 0x20) == 'x')
		p += 2;
	for (q = p; q < line + len && *q != ' '; q++)
		if (!((*q >= '0' && *q <= '9') ||
		      ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'f')))
			return 0;
	*b = (size_t)(p - line);
	*e = (size_t)(q - line);
	return q > p;
}

static int scan(const char *path, struct gen_scan *sc, char *err, size_t errlen)
{
	struct trace_input *in = trace_input_open(path, err, errlen);
	struct trace_line l;
	size_t len, b, e;
	char *line;

	if (!in)
		return -1;
	sc->first_ns = UINT64_MAX;
	sc->top = -1;
	while ((line = trace_input_line(in, &len))) {
		sc->lines++;
		if (trace_parse_line(line, len, &l) != TRACE_LINE_EVENT)
			continue;
		if (l.ts_ns < sc->first_ns)
			sc->first_ns = l.ts_ns;
		if (l.ts_ns > sc->last_ns)
			sc->last_ns = l.ts_ns;
		if (is_kmem(&l) && movable_ptr(line, len, &l, &b, &e)) {
			int top = (int)(l.ptr >> 56);

			if (sc->top == -1)
				sc->top = top;
			else if (sc->top != top)
				sc->top = -2;
		}
	}
	if (trace_input_error(in)) {
		snprintf(err, errlen, "%s", trace_input_error(in));
		trace_input_close(in);
		return -1;
	}
	trace_input_close(in);
	return 0;
}

/* The timestamp's integer seconds in line: [*b, *e), or -1 */
static int find_seconds(const char *line, size_t len, size_t *b, size_t *e,
			int *has_dot)
{
	const char *end = line + len, *p = line;

	while ((p = memchr(p, ':', (size_t)(end - p)))) {
		const char *t = p, *dot = NULL;

		if (p + 1 < end && p[1] != ' ') {
			p++;
			continue;
		}
		while (t > line &&
		       ((t[-1] >= '0' && t[-1] <= '9') || t[-1] == '.')) {
			t--;
			if (*t == '.')
				dot = t;
		}
		if (t == p || t == line || (t[-1] != ' ' && t[-1] != '\t')) {
			p++;
			continue;
		}
		*b = (size_t)(t - line);
		*e = (size_t)((dot ? dot : p) - line);
		*has_dot = dot != NULL;
		return 0;
	}
	return -1;
}

/* span: seconds, or counts for a trace of bare counters */
static void put_copy_line(FILE *out, const char *line, size_t len,
			  const struct trace_line *l, unsigned int c,
			  const struct gen_scan *sc)
{
	size_t sb, se, pb, pe;
	uint64_t sec = 0;
	int dot;

	if (find_seconds(line, len, &sb, &se, &dot) ||
	    trace_parse_dec(line + sb, se - sb, &sec)) {
		fwrite(line, 1, len, out);
		return;
	}
	fprintf(out, "%.*s%" PRIu64, (int)sb, line,
		sec + (uint64_t)c * (dot ? sc->span_s : sc->span_raw));
	if (!movable_ptr(line, len, l, &pb, &pe) || pb < se) {
		fwrite(line + se, 1, len - se, out);
		return;
	}
	fwrite(line + se, 1, pb - se, out);
	fprintf(out, "%0*" PRIx64, (int)(pe - pb < 16 ? 16 : pe - pb),
		l->ptr ^ (uint64_t)c << 56);
	fwrite(line + pe, 1, len - pe, out);
}

/* One copy: 0, or -1 with err set */
static int put_copy(const char *path, unsigned int c, const struct gen_scan *sc,
		    FILE *out, struct trace_gen_result *res, char *err,
		    size_t errlen)
{
	struct trace_input *in = trace_input_open(path, err, errlen);
	struct trace_line l;
	size_t len;
	char *line;

	if (!in)
		return -1;
	while ((line = trace_input_line(in, &len))) {
		enum trace_line_kind k = trace_parse_line(line, len, &l);

		res->lines_in++;
		if (c && (k == TRACE_LINE_SKIP || !is_kmem(&l)))
			continue; /* headers, other events: first copy only */
		if (k == TRACE_LINE_EVENT && is_kmem(&l)) {
			put_copy_line(out, line, len, &l, c, sc);
		} else {
			fwrite(line, 1, len, out);
		}
		putc('\n', out);
		res->lines_out++;
	}
	if (trace_input_error(in)) {
		snprintf(err, errlen, "%s", trace_input_error(in));
		trace_input_close(in);
		return -1;
	}
	trace_input_close(in);
	if (ferror(out)) {
		snprintf(err, errlen, "write error");
		return -1;
	}
	return 0;
}

int trace_gen(const char *path, unsigned int copies, FILE *out,
	      struct trace_gen_result *res, char *err, size_t errlen)
{
	struct gen_scan sc = { 0 };

	memset(res, 0, sizeof(*res));
	if (!copies || copies > TRACE_GEN_MAX_COPIES) {
		snprintf(err, errlen, "copies: 1 to %u", TRACE_GEN_MAX_COPIES);
		return -1;
	}
	if (scan(path, &sc, err, errlen))
		return -1;
	if (sc.top == -2 && copies > 1) {
		snprintf(
			err, errlen,
			"%s: the pointers' top bytes differ: copies could collide",
			path);
		return -1;
	}
	if (sc.first_ns == UINT64_MAX)
		sc.first_ns = sc.last_ns = 0;
	/* whole seconds: only the integer part of a timestamp changes */
	sc.span_s = (sc.last_ns - sc.first_ns) / 1000000000u + 2;
	sc.span_raw = sc.last_ns - sc.first_ns + 1;
	res->span_s = sc.span_s;
	for (unsigned int c = 0; c < copies; c++)
		if (put_copy(path, c, &sc, out, res, err, errlen))
			return -1;
	return fflush(out) ? -1 : 0;
}
