// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: a whole trace file, plain, xz or gzip (told apart by
 * magic bytes), through trace_input (tools/input/trace_input.h) line by
 * line, then through the stream builder (tools/trace/trace_stream.h)
 * with page and dma events kept. The input lives in a memfd opened by
 * its /proc/self/fd path, as a file on disk would be.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "input/trace_input.h"
#include "trace/trace_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_fd = -1;
static char fuzz_path[64];

static int put_input(const uint8_t *data, size_t size)
{
	if (fuzz_fd < 0) {
		fuzz_fd = memfd_create("fuzz_trace", 0);
		if (fuzz_fd < 0)
			abort();
		snprintf(fuzz_path, sizeof(fuzz_path), "/proc/self/fd/%d",
			 fuzz_fd);
	}
	if (ftruncate(fuzz_fd, 0) < 0)
		abort();
	if (size && pwrite(fuzz_fd, data, size, 0) != (ssize_t)size)
		abort();
	return 0;
}

static void read_lines(void)
{
	char err[256];
	struct trace_input *in = trace_input_open(fuzz_path, err, sizeof(err));
	uint64_t n = 0;
	size_t len;
	char *line;

	if (!in)
		abort(); /* the file exists: opening cannot fail */
	while ((line = trace_input_line(in, &len))) {
		if (line[len] != '\0')
			abort();
		n++;
	}
	if (trace_input_lineno(in) != n)
		abort();
	trace_input_close(in);
}

static void read_stream(void)
{
	struct trace_stream s;
	char err[256];
	int rc;

	trace_stream_init(&s);
	if (trace_stream_want_pages(&s) || trace_stream_want_dma(&s))
		abort();
	rc = trace_stream_read(&s, fuzz_path, NULL, err, sizeof(err));
	if (rc < 0 || rc > 1)
		abort();
	trace_stream_finish(&s);
	if (s.counts.events > s.counts.lines)
		abort();
	for (size_t i = 0; i < s.nr; i++) {
		if (s.ev[i].ptr > s.nr_ptrs || s.ev[i].site >= s.nr_sites)
			abort();
		trace_stream_cache_name(&s, s.ev[i].cache);
	}
	trace_stream_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	put_input(data, size);
	read_lines();
	read_stream();
	return 0;
}
