// SPDX-License-Identifier: MIT
/*
 * A mapped trace truncated while parsing threads read it in place
 * (kslab replay/trace-stats -j N on a plain file): a test hook truncates
 * the file as a block is cut, mid-block, so that a parsing thread reads
 * past the new end. Not a SIGBUS (the process died of one before the map
 * was guarded), but one input error "FILE: file truncated while being
 * read, at byte N of SIZE" (N: the new end), and the events of the lines
 * before it. Then at 2 to 4 jobs and a few cut points: an error each
 * time, never more events than the lines left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "input/map_guard.h"
#include "input/trace_input.h"
#include "trace/trace_stream.h"

static char tmpdir[] = "/tmp/kslab-mtcut-XXXXXX";
static char path[256];
static uint64_t file_size, nr_lines;

#define LINES 15000
#define BLOCK (64u << 10)

/* the hook's plan: at the first block cut from cut_from on, truncate the
 * file to the middle of that block */
static uint64_t cut_from, cut_to;
static int cut_done;

static void cut_hook(struct trace_input *in, uint64_t off, size_t len)
{
	(void)in;
	if (cut_done || off < cut_from)
		return;
	cut_done = 1;
	cut_to = off + len / 2;
	assert_int_equal(truncate(path, (off_t)cut_to), 0);
}

static void write_trace(void)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (unsigned int i = 0; i < LINES; i++)
		fprintf(f,
			"            bash-1364    [%03u] ..... %u.%06u: "
			"kmalloc: call_site=__get_vm_area_node+0x80/0x140 "
			"ptr=%016llx bytes_req=%u bytes_alloc=%u "
			"gfp_flags=GFP_KERNEL node=-1 accounted=false\n",
			i % 2, 10561 + i / 1000000, i % 1000000,
			0xffff888000000000ull + 0x100ull * i, 8 + i % 100, 128);
	file_size = (uint64_t)ftell(f);
	assert_int_equal(fclose(f), 0);
	nr_lines = LINES;
}

static int read_cut(struct trace_stream *s, unsigned int jobs, uint64_t from,
		    char *err, size_t errlen)
{
	struct trace_read_opts o = { .jobs = jobs, .block = BLOCK };

	write_trace();
	cut_from = from;
	cut_done = 0;
	trace_input_map_hook = cut_hook;
	trace_stream_init(s);
	err[0] = '\0';
	int r = trace_stream_read(s, path, &o, err, errlen);
	trace_input_map_hook = NULL;
	return r;
}

static void test_cut_while_parsing(void **state)
{
	unsigned long faults = map_guard_faults();
	struct trace_stream s;
	char err[512], want[512];
	int r;

	(void)state;
	r = read_cut(&s, 2, file_size / 3, err, sizeof(err));
	assert_true(cut_done);
	printf("cut at %llu of %llu: %llu lines, %llu events, %llu bad, "
	       "%lu faults: %s\n",
	       (unsigned long long)cut_to, (unsigned long long)file_size,
	       (unsigned long long)s.counts.lines,
	       (unsigned long long)s.counts.events,
	       (unsigned long long)s.counts.bad, map_guard_faults() - faults,
	       err);
	assert_int_equal(r, 1);
	assert_int_equal(s.counts.input_errors, 1);
	/* a parsing thread read past the new end: a fault turned to zeros */
	assert_true(map_guard_faults() > faults);
	snprintf(want, sizeof(want),
		 "%s: file truncated while being read, at byte %llu of %llu",
		 path, (unsigned long long)cut_to,
		 (unsigned long long)file_size);
	assert_string_equal(err, want);
	assert_string_equal(s.issues[TRACE_ISSUE_INPUT_ERROR][0].text, want);
	/* the events are those of the whole lines before the cut, at most */
	assert_true(s.counts.events > 0);
	assert_true(s.counts.events <= cut_to / 100);
	assert_true(s.counts.events < nr_lines);
	trace_stream_free(&s);
}

/* every jobs count and a few cut points: an error each time, no more
 * events than lines left, never a signal */
static void test_cut_any_jobs(void **state)
{
	(void)state;
	for (unsigned int jobs = 2; jobs <= 4; jobs++)
		for (unsigned int k = 0; k < 3; k++) {
			struct trace_stream s;
			char err[512];
			uint64_t from = file_size * k / 3;
			int r = read_cut(&s, jobs, from, err, sizeof(err));

			assert_true(cut_done);
			assert_int_equal(r, 1);
			assert_int_equal(s.counts.input_errors, 1);
			assert_non_null(strstr(err, "file truncated while "
						    "being read, at byte "));
			assert_true(s.counts.events <= cut_to / 100 + 1);
			trace_stream_free(&s);
		}
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(path, sizeof(path), "%s/cut.trace", tmpdir);
	write_trace(); /* its size, for the cut points */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_while_parsing),
		cmocka_unit_test(test_cut_any_jobs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
