// SPDX-License-Identifier: MIT
/*
 * A plain trace file truncated while kslab reads it (another process's
 * ftruncate(); here the test's own, between or under the blocks): never
 * a SIGBUS, but the whole lines still in the file and then the input
 * error "FILE: file truncated while being read, at byte N of SIZE",
 * mapped or read. Before the map was guarded, the mapped cases died of
 * SIGBUS. A SIGBUS outside the guarded map still kills the process.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "input/map_guard.h"
#include "input/trace_input.h"

static char tmpdir[] = "/tmp/kslab-trunc-XXXXXX";
static char path[256];
static size_t page;

#define LINES 40000 /* 80-byte lines: 3.2 MB */
#define LINE 80
#define SIZE ((size_t)LINES * LINE)
#define WANT (256u << 10)

/* LINES lines of LINE bytes with their newline */
static void write_lines(void)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (unsigned int i = 0; i < LINES; i++)
		fprintf(f, "%-78u.\n", i);
	assert_int_equal(fclose(f), 0);
}

static void cut_file(off_t size)
{
	assert_int_equal(truncate(path, size), 0);
}

/* the message, with N and the file's size at open */
static void assert_truncated_at(const struct trace_input *in, uint64_t at)
{
	char want[512];

	snprintf(want, sizeof(want),
		 "%s: file truncated while being read, at byte %llu of %llu",
		 path, (unsigned long long)at, (unsigned long long)SIZE);
	assert_non_null(trace_input_error(in));
	assert_string_equal(trace_input_error(in), want);
}

static struct trace_input *open_mapped(void)
{
	char err[256];
	struct trace_input *in = trace_input_open(path, err, sizeof(err));

	assert_non_null(in);
	assert_int_equal(trace_input_map(in), 0);
	return in;
}

/* every byte of a block, as a parser reads them: its newlines counted */
static size_t newlines(const char *b, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((const volatile char *)b)[i] == '\n';
	return n;
}

/* truncated between two blocks, mid-line: the whole lines left, then
 * the error at the end of the last one */
static void test_map_cut_between_blocks(void **state)
{
	struct trace_input *in;
	size_t len, lines = 0, bytes = 0;
	const char *b;

	(void)state;
	write_lines();
	in = open_mapped();
	b = trace_input_map_block(in, WANT, &len);
	assert_non_null(b);
	lines += newlines(b, len);
	bytes += len;
	cut_file(5000 * LINE + 37);
	while ((b = trace_input_map_block(in, WANT, &len))) {
		lines += newlines(b, len);
		bytes += len;
	}
	assert_int_equal(lines, 5000);
	assert_int_equal(bytes, 5000 * LINE);
	assert_truncated_at(in, 5000 * LINE);
	trace_input_close(in);
}

/* truncated under a block already handed out: reading it past the new
 * end reads zeros (no SIGBUS), and the next block is refused with the
 * file's new end as the offset */
static void test_map_cut_under_a_block(void **state)
{
	unsigned long faults = map_guard_faults();
	struct trace_input *in;
	size_t len, cut = 10000;
	const char *b;

	(void)state;
	write_lines();
	in = open_mapped();
	b = trace_input_map_block(in, WANT, &len);
	assert_non_null(b);
	assert_true(len > 4 * page + cut);
	cut_file((off_t)cut);
	/* the lines before the cut; zeros after it */
	assert_int_equal(newlines(b, len), cut / LINE);
	for (size_t i = cut; i < len; i++)
		assert_int_equal(b[i], 0);
	assert_true(map_guard_faults() > faults);
	assert_null(trace_input_map_block(in, WANT, &len));
	/* the fault at the page after the new end's; the data ends before */
	assert_true(map_guard_faults() > faults);
	assert_truncated_at(in, cut);
	assert_null(trace_input_map_block(in, WANT, &len));
	trace_input_close(in);
	/* a new map of the same file is guarded again, from a clean state */
	write_lines();
	in = open_mapped();
	while ((b = trace_input_map_block(in, WANT, &len)))
		assert_int_equal(newlines(b, len), len / LINE);
	assert_null(trace_input_error(in));
	trace_input_close(in);
}

/* truncated to nothing: the first block is refused */
static void test_map_cut_to_empty(void **state)
{
	struct trace_input *in;
	size_t len;

	(void)state;
	write_lines();
	in = open_mapped();
	cut_file(0);
	assert_null(trace_input_map_block(in, WANT, &len));
	assert_truncated_at(in, 0);
	trace_input_close(in);
}

/* read, not mapped (line by line): the lines read, then the error */
static void test_read_cut(void **state)
{
	struct trace_input *in;
	char err[256];
	size_t len, lines = 0;
	char *line;

	(void)state;
	write_lines();
	in = trace_input_open(path, err, sizeof(err));
	assert_non_null(in);
	assert_non_null(trace_input_line(in, &len));
	lines++;
	cut_file(LINE * 10);
	while ((line = trace_input_line(in, &len))) {
		assert_int_equal(len, LINE - 1);
		lines++;
	}
	/* what was read before the cut (a partial last line dropped) */
	assert_true(lines >= 10 && lines < LINES);
	assert_non_null(trace_input_error(in));
	assert_non_null(strstr(trace_input_error(in),
			       ": file truncated while being read, at byte "));
	trace_input_close(in);
	/* the same by blocks */
	write_lines();
	in = trace_input_open(path, err, sizeof(err));
	assert_non_null(in);
	line = trace_input_block(in, WANT, &len);
	assert_non_null(line);
	free(line);
	cut_file(LINE * 10);
	while ((line = trace_input_block(in, WANT, &len))) {
		assert_int_equal(len % LINE, 0);
		free(line);
	}
	assert_non_null(trace_input_error(in));
	assert_non_null(strstr(trace_input_error(in), "file truncated"));
	trace_input_close(in);
	/* a file that grows is no error */
	write_lines();
	in = trace_input_open(path, err, sizeof(err));
	assert_non_null(in);
	lines = 0;
	while (trace_input_line(in, &len))
		if (++lines == 1) {
			FILE *f = fopen(path, "a");

			assert_non_null(f);
			fputs("more\n", f);
			fclose(f);
		}
	assert_null(trace_input_error(in));
	trace_input_close(in);
}

/* a SIGBUS outside a guarded map still kills the process */
static void test_other_sigbus_kills(void **state)
{
	struct trace_input *in;
	int st;
	pid_t pid;

	(void)state;
	write_lines();
	in = open_mapped(); /* the handler is installed */
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		const volatile char *m;
		char err[256];
		int fd;

		/* as a plain process: no test harness's handler below ours */
		signal(SIGBUS, SIG_DFL);
		in = trace_input_open(path, err, sizeof(err));
		if (!in || trace_input_map(in))
			_exit(3);
		fd = open(path, O_RDONLY);
		m = mmap(NULL, SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
		if (fd < 0 || m == MAP_FAILED)
			_exit(3);
		if (ftruncate(open(path, O_WRONLY), 0))
			_exit(4);
		(void)m[SIZE - 1]; /* not guarded: SIGBUS */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	/* killed by SIGBUS, or (under a sanitizer) its report and exit */
	assert_false(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_false(WIFEXITED(st) && WEXITSTATUS(st) >= 3 &&
		     WEXITSTATUS(st) <= 4);
	if (WIFSIGNALED(st))
		assert_int_equal(WTERMSIG(st), SIGBUS);
	trace_input_close(in);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(path, sizeof(path), "%s/cut.trace", tmpdir);
	page = (size_t)sysconf(_SC_PAGESIZE);
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
		cmocka_unit_test(test_map_cut_between_blocks),
		cmocka_unit_test(test_map_cut_under_a_block),
		cmocka_unit_test(test_map_cut_to_empty),
		cmocka_unit_test(test_read_cut),
		cmocka_unit_test(test_other_sigbus_kills),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
