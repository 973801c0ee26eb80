// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: one line of trace text into its fields
 * (tools/trace/trace_parse.h). The line is copied so that it ends in a
 * NUL as the parser expects; every text field the parser returns must
 * point inside the line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "trace/trace_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *line, size_t len, struct trace_text t)
{
	if (!t.len)
		return;
	if (t.p < line || t.p + t.len > line + len)
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
	trace_ev_lookup(line, size);
	free(line);
	return 0;
}
