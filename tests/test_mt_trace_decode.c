// SPDX-License-Identifier: MIT
/*
 * The threaded decoder of trace input (run under TSan by `make test`):
 * xz and gzip files of several MiB read line by line give exactly the
 * plain text, also through many small chunks; closing the input early,
 * while the decoder thread is blocked on a full ring, stops it cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lzma.h>
#include <zlib.h>
#include <cmocka.h>
#include "input/trace_input.h"
#include "helpers/kslab_test.h"

static char tmpdir[] = "/tmp/kslab-decode-XXXXXX";
static char *text;
static size_t text_len;

static char *path_of(const char *name)
{
	static char buf[2][256];
	static int i;

	i ^= 1;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static int setup(void **state)
{
	size_t cap = 8u << 20, n = 0, pos = 0;
	uint8_t *out = malloc(cap);
	z_stream z = { 0 };

	text = malloc(cap);
	if (!mkdtemp(tmpdir) || !text || !out)
		return -1;
	for (int i = 0; n + 300 < cap; i++)
		n += (size_t)sprintf(
			text + n,
			"  task-%d [%03d] ..... %d.%06d: kmalloc: call_site="
			"f%d+0x%x/0x100 ptr=%016x bytes_req=%d bytes_alloc=%d "
			"gfp_flags=GFP_KERNEL node=-1 accounted=false\n",
			i % 977, i % 4, 100 + i / 1000000, i % 1000000, i % 37,
			i % 251, (unsigned int)(i * 2654435761u), i % 4000 + 1,
			4096);
	text_len = n;
	write_file(path_of("plain"), text, n);
	if (lzma_easy_buffer_encode(0, LZMA_CHECK_CRC32, NULL, (uint8_t *)text,
				    n, out, &pos, cap) != LZMA_OK)
		return -1;
	write_file(path_of("xz"), out, pos);
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY))
		return -1;
	z.next_in = (Bytef *)text;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		return -1;
	write_file(path_of("gz"), out, cap - z.avail_out);
	deflateEnd(&z);
	free(out);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	free(text);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) ? -1 : 0;
}

static void read_back(const char *name)
{
	struct trace_input *in;
	size_t pos = 0, len;
	char err[256], *line;

	in = trace_input_open(path_of(name), err, sizeof(err));
	assert_non_null(in);
	while ((line = trace_input_line(in, &len))) {
		assert_true(pos + len < text_len);
		assert_memory_equal(line, text + pos, len);
		assert_int_equal(text[pos + len], '\n');
		pos += len + 1;
	}
	assert_null(trace_input_error(in));
	assert_int_equal(pos, text_len);
	trace_input_close(in);
}

static void test_read_all(void **state)
{
	read_back("plain");
	read_back("xz");
	read_back("gz");
}

static void test_close_early(void **state)
{
	static const char *const names[] = { "xz", "gz" };

	for (int round = 0; round < 20; round++) {
		char err[256];
		size_t len;
		struct trace_input *in = trace_input_open(
			path_of(names[round & 1]), err, sizeof(err));

		assert_non_null(in);
		for (int i = 0; i < round * 100; i++)
			assert_non_null(trace_input_line(in, &len));
		trace_input_close(in);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_all),
		cmocka_unit_test(test_close_early),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
