// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: one line of trace text into its fields
 * (tools/trace/trace_parse.h). The line is copied so that it ends in a
 * NUL as the parser expects; every text field the parser returns must
 * point inside the line. The fast path (trace_parse_fast.c) must either
 * decline the line or give what the reference parser gives.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "trace/trace_parse.h"
#include "trace/trace_parse_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *line, size_t len, struct trace_text t)
{
	if (!t.len)
		return;
	if (t.p < line || t.p + t.len > line + len)
		abort();
}

static int same_text(struct trace_text a, struct trace_text b)
{
	return a.len == b.len && (!a.len || a.p == b.p);
}

/* the fast path declines, or agrees with the reference in every field */
static void check_fast(const char *line, size_t len)
{
	struct trace_line a, b;
	enum trace_line_kind k = trace_parse_line_slow(line, len, &a);
	int f = trace_parse_fast(line, len, &b);

	if (f < 0)
		return;
	if (f != (int)k || a.ev != b.ev || a.cpu != b.cpu ||
	    a.ts_ns != b.ts_ns || !same_text(a.site_func, b.site_func) ||
	    a.site_off != b.site_off || !same_text(a.site_text, b.site_text) ||
	    a.ptr != b.ptr || a.ptr_null != b.ptr_null ||
	    a.bytes_req != b.bytes_req || a.bytes_alloc != b.bytes_alloc ||
	    a.gfp != b.gfp || a.node != b.node || a.accounted != b.accounted ||
	    !same_text(a.name, b.name) || a.pfn != b.pfn ||
	    a.order != b.order || a.migratetype != b.migratetype ||
	    a.percpu_refill != b.percpu_refill ||
	    a.gfp_unknown != b.gfp_unknown || !same_text(a.body, b.body) ||
	    a.lost != b.lost || a.why != b.why)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_line out;
	char *line = malloc(size + 1);
	enum trace_line_kind kind;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	memset(&out, 0, sizeof(out));
	kind = trace_parse_line(line, size, &out);
	if (kind == TRACE_LINE_EVENT) {
		check_text(line, size, out.site_func);
		check_text(line, size, out.name);
		check_text(line, size, out.body);
		if ((int)out.ev < 0 || out.ev >= TRACE_EV_NR_ALL)
			abort();
	} else if (kind == TRACE_LINE_BAD && !out.why) {
		abort();
	}
	check_fast(line, size);
	trace_ev_lookup(line, size);
	free(line);
	return 0;
}
