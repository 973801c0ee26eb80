// SPDX-License-Identifier: MIT
/*
 * Trace input: plain, xz and gzip files (compressed here with liblzma and
 * zlib) give identical event streams; standard input; a last line without
 * a newline, CRLF, very long lines; truncated and corrupt compressed
 * files and missing files are clear errors, never crashes. A mapped
 * plain file (trace_input_map()) is cut into the same lines as the
 * blocks read by trace_input_block(); a line longer than
 * TRACE_INPUT_MAX_LINE ends it as it ends reading line by line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <lzma.h>
#include <zlib.h>
#include <cmocka.h>
#include "input/trace_input.h"
#include "trace/trace_stream.h"
#include "helpers/kslab_test.h"

#define NR(a) (sizeof(a) / sizeof((a)[0]))

static char tmpdir[] = "/tmp/kslab-input-XXXXXX";

static const char sample[] =
	"# tracer: nop\n"
	"#\n"
	"            bash-1364    [000] ..... 10561.957535: kmem_cache_alloc: "
	"call_site=copy_process+0x1a5/0x1d80 ptr=00000000aa9f5a01 "
	"name=task_struct bytes_req=5824 bytes_alloc=5824 gfp_flags=GFP_KERNEL "
	"node=-1 accounted=true\n"
	"            bash-1364    [000] ..... 10561.957538: kmalloc: "
	"call_site=__get_vm_area_node+0x80/0x140 ptr=00000000b55be0ab "
	"bytes_req=72 bytes_alloc=96 gfp_flags=GFP_KERNEL|__GFP_ZERO node=-1 "
	"accounted=false\n"
	"CPU:1 [LOST 3 EVENTS]\n"
	"            bash-1364    [001] ..... 10561.957540: kfree: "
	"call_site=free_vm_area+0x10/0x20 ptr=00000000b55be0ab\n"
	"            bash-1364    [001] ..... 10561.957541: kmem_cache_free: "
	"call_site=release_task+0x10/0x20 ptr=00000000aa9f5a01 "
	"name=task_struct\n"
	"            bash-1364    [001] ..... 10561.957542: kfree: "
	"call_site=ida_alloc_range+0x39b/0x400 ptr=0000000000000000\n"
	"            bash-1364    [001] ..... 10561.957543: kfree: "
	"call_site=x+0x1/0x2 ptr=00000000deadbeef\n"
	"            bash-1364    [001] ..... 10561.957544: kmalloc: "
	"call_site=broken\n"
	"            bash-1364    [001] ..... 10561.957545: sched_switch: x=1";

static char *path_of(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static size_t xz_compress(const char *in, size_t len, uint8_t *out, size_t cap)
{
	size_t pos = 0;

	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL,
						 (const uint8_t *)in, len, out,
						 &pos, cap),
			 LZMA_OK);
	return pos;
}

static size_t gz_compress(const char *in, size_t len, uint8_t *out, size_t cap)
{
	z_stream z = { 0 };

	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
				      Z_DEFAULT_STRATEGY),
			 Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return cap - z.avail_out;
}

static int setup(void **state)
{
	uint8_t buf[8192];
	size_t n;

	if (!mkdtemp(tmpdir))
		return -1;
	write_file(path_of("plain.trace"), sample, strlen(sample));
	n = xz_compress(sample, strlen(sample), buf, sizeof(buf));
	/* the name says nothing: detection is by magic bytes */
	write_file(path_of("xz.bin"), buf, n);
	write_file(path_of("truncated.xz"), buf, n / 2);
	buf[n / 2] ^= 0x55;
	write_file(path_of("corrupt.xz"), buf, n);
	n = gz_compress(sample, strlen(sample), buf, sizeof(buf));
	write_file(path_of("gz.trace.xz"), buf, n);
	write_file(path_of("truncated.gz"), buf, n - 12);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) ? -1 : 0;
}

static void read_stream(const char *path, struct trace_stream *s, int want)
{
	char err[512] = "";

	trace_stream_init(s);
	assert_int_equal(trace_stream_read(s, path, NULL, err, sizeof(err)),
			 want);
	trace_stream_finish(s);
}

static void check_sample(const struct trace_stream *s)
{
	assert_int_equal(s->counts.lines, 11);
	assert_int_equal(s->counts.events, 6);
	assert_int_equal(s->counts.ev[TRACE_EV_KMALLOC], 1);
	assert_int_equal(s->counts.ev[TRACE_EV_KFREE], 3);
	assert_int_equal(s->counts.skipped, 3);
	assert_int_equal(s->counts.bad, 1);
	assert_int_equal(s->counts.lost_markers, 1);
	assert_int_equal(s->counts.lost_events, 3);
	assert_int_equal(s->pair.allocs, 2);
	assert_int_equal(s->pair.frees, 3);
	assert_int_equal(s->pair.null_frees, 1);
	assert_int_equal(s->pair.unmatched_frees, 1);
	assert_int_equal(s->pair.live_at_end, 0);
	assert_int_equal(s->nr_issues[TRACE_ISSUE_BAD_LINE], 1);
	assert_int_equal(s->issues[TRACE_ISSUE_BAD_LINE][0].lineno, 10);
	assert_int_equal(s->issues[TRACE_ISSUE_UNMATCHED_FREE][0].lineno, 9);
	assert_int_equal(s->max_cpu, 1);
	assert_string_equal(trace_stream_cache_name(s, s->ev[0].cache),
			    "task_struct");
	assert_int_equal(s->ev[0].type, TEV_CACHE_ALLOC);
	assert_int_equal(s->ev[2].ptr, s->ev[1].ptr); /* paired */
}

static void same_streams(const struct trace_stream *a,
			 const struct trace_stream *b)
{
	assert_int_equal(a->nr, b->nr);
	assert_memory_equal(a->ev, b->ev, a->nr * sizeof(a->ev[0]));
	assert_memory_equal(a->ts_ns, b->ts_ns, a->nr * sizeof(uint64_t));
	assert_memory_equal(&a->counts, &b->counts, sizeof(a->counts));
	assert_memory_equal(&a->pair, &b->pair, sizeof(a->pair));
	assert_int_equal(a->funcs.arena_len, b->funcs.arena_len);
	assert_memory_equal(a->funcs.arena, b->funcs.arena, a->funcs.arena_len);
	assert_int_equal(a->nr_sites, b->nr_sites);
}

static void test_plain_xz_gzip_identical(void **state)
{
	struct trace_stream p, x, g;

	read_stream(path_of("plain.trace"), &p, 0);
	read_stream(path_of("xz.bin"), &x, 0);
	read_stream(path_of("gz.trace.xz"), &g, 0);
	check_sample(&p);
	same_streams(&p, &x);
	same_streams(&p, &g);
	trace_stream_free(&p);
	trace_stream_free(&x);
	trace_stream_free(&g);
}

/* Two files in one stream: pairing starts afresh with the second */
static void test_two_files(void **state)
{
	struct trace_stream s;
	char err[256];

	trace_stream_init(&s);
	assert_int_equal(trace_stream_read(&s, path_of("plain.trace"), NULL,
					   err, sizeof(err)),
			 0);
	assert_int_equal(trace_stream_read(&s, path_of("xz.bin"), NULL, err,
					   sizeof(err)),
			 0);
	trace_stream_finish(&s);
	assert_int_equal(s.nr_files, 2);
	assert_int_equal(s.nr, 12);
	assert_int_equal(s.files[1].first_event, 6);
	assert_int_equal(s.files[1].nr_events, 6);
	assert_int_equal(s.files[1].lines, 11);
	assert_int_equal(s.pair.allocs, 4);
	assert_int_equal(s.pair.double_allocs, 0);
	assert_int_equal(s.pair.unmatched_frees, 2);
	assert_int_equal(s.pair.live_at_end, 0);
	assert_int_equal(s.issues[TRACE_ISSUE_BAD_LINE][1].file, 1);
	trace_stream_free(&s);
}

static void test_mark_sites(void **state)
{
	static const char *const funcs[] = { "copy_process", "free_vm_area",
					     "no_such_function" };
	struct trace_stream s;
	uint8_t *mark;
	char buf[64];

	read_stream(path_of("plain.trace"), &s, 0);
	mark = calloc(s.nr_sites, 1);
	assert_int_equal(trace_stream_mark_sites(&s, funcs, 3, mark), 2);
	assert_true(mark[s.ev[0].site]);  /* copy_process+0x1a5 */
	assert_false(mark[s.ev[1].site]); /* __get_vm_area_node */
	assert_true(mark[s.ev[2].site]);  /* free_vm_area+0x10 */
	assert_string_equal(trace_stream_site_name(&s, s.ev[0].site, buf,
						   sizeof(buf)),
			    "copy_process+0x1a5");
	free(mark);
	trace_stream_free(&s);
}

static void test_compression_detected(void **state)
{
	static const struct {
		const char *name;
		enum trace_compression c;
	} cases[] = { { "plain.trace", TRACE_PLAIN },
		      { "xz.bin", TRACE_XZ },
		      { "gz.trace.xz", TRACE_GZIP } };
	char err[256];

	for (size_t i = 0; i < NR(cases); i++) {
		struct trace_input *in = trace_input_open(
			path_of(cases[i].name), err, sizeof(err));

		assert_non_null(in);
		assert_int_equal(trace_input_compression(in), cases[i].c);
		trace_input_close(in);
	}
}

static void test_stdin(void **state)
{
	struct trace_stream s;
	int fd = open(path_of("xz.bin"), O_RDONLY), saved = dup(0);

	assert_true(fd >= 0 && saved >= 0);
	assert_int_equal(dup2(fd, 0), 0);
	close(fd);
	read_stream("-", &s, 0);
	dup2(saved, 0);
	close(saved);
	check_sample(&s);
	assert_string_equal(s.files[0].path, "<stdin>");
	assert_int_equal(s.files[0].nr_events, 6);
	assert_int_equal(s.files[0].lines, 11);
	trace_stream_free(&s);
}

static void test_truncated_and_corrupt(void **state)
{
	static const char *const names[] = { "truncated.xz", "corrupt.xz",
					     "truncated.gz" };

	for (size_t i = 0; i < NR(names); i++) {
		struct trace_stream s;

		read_stream(path_of(names[i]), &s, 1);
		assert_int_equal(s.counts.input_errors, 1);
		assert_int_equal(s.nr_issues[TRACE_ISSUE_INPUT_ERROR], 1);
		printf("%s: %s\n", names[i],
		       s.issues[TRACE_ISSUE_INPUT_ERROR][0].text);
		assert_true(s.counts.events < 7);
		trace_stream_free(&s);
	}
}

static void test_missing_file(void **state)
{
	struct trace_stream s;
	char err[512] = "";

	trace_stream_init(&s);
	assert_int_equal(trace_stream_read(&s, path_of("nonexistent"), NULL,
					   err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(trace_stream_read(&s, tmpdir, NULL, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "directory"));
	trace_stream_free(&s);
}

static void test_lines(void **state)
{
	/* CRLF, empty lines, no final newline, a 3 MiB line */
	size_t big = 3u << 20, n;
	char *text = malloc(big + 100), *line;
	char err[256];
	struct trace_input *in;

	n = (size_t)sprintf(text, "a\r\n\nb\n");
	memset(text + n, 'x', big);
	n += big;
	n += (size_t)sprintf(text + n, "\nlast");
	write_file(path_of("lines"), text, n);
	in = trace_input_open(path_of("lines"), err, sizeof(err));
	assert_non_null(in);
	assert_string_equal(trace_input_line(in, &n), "a");
	assert_int_equal(n, 1);
	assert_string_equal(trace_input_line(in, &n), "");
	assert_string_equal(trace_input_line(in, &n), "b");
	line = trace_input_line(in, &n);
	assert_int_equal(n, big);
	assert_true(line[0] == 'x' && line[big - 1] == 'x');
	assert_string_equal(trace_input_line(in, &n), "last");
	assert_null(trace_input_line(in, &n));
	assert_null(trace_input_error(in));
	assert_int_equal(trace_input_lineno(in), 5);
	trace_input_close(in);
	/* an empty file */
	write_file(path_of("empty"), "", 0);
	in = trace_input_open(path_of("empty"), err, sizeof(err));
	assert_non_null(in);
	assert_null(trace_input_line(in, &n));
	assert_null(trace_input_error(in));
	trace_input_close(in);
	free(text);
}

/* the blocks of path, mapped or read, joined; *err the error or NULL */
static char *all_blocks(const char *path, int map, size_t want, size_t *len,
			const char **why)
{
	static char msg[256];
	char err[256], *out = NULL;
	struct trace_input *in = trace_input_open(path, err, sizeof(err));
	size_t n, total = 0;

	assert_non_null(in);
	if (map)
		assert_int_equal(trace_input_map(in), 0);
	for (;;) {
		const char *b;
		char *own = NULL;

		b = map ? trace_input_map_block(in, want, &n) :
			  (own = trace_input_block(in, want, &n));
		if (!b)
			break;
		assert_true(n > 0);
		out = realloc(out, total + n + 1);
		assert_non_null(out);
		memcpy(out + total, b, n);
		total += n;
		if (map)
			trace_input_map_done(in, b, n);
		free(own);
	}
	*why = NULL;
	if (trace_input_error(in)) {
		snprintf(msg, sizeof(msg), "%s", trace_input_error(in));
		*why = msg;
	}
	trace_input_close(in);
	*len = total;
	return out;
}

static void test_map(void **state)
{
	size_t big = TRACE_INPUT_MAX_LINE + 10, n, m, len = 0;
	char *text = malloc(big + 1000), *a, *b;
	const char *wa, *wb;

	(void)state;
	char err[256];
	struct trace_input *in;

	/* many lines of many lengths: the same bytes, mapped or read */
	for (int i = 0; i < 20000; i++)
		len += (size_t)sprintf(text + len, "%d %.*s\n", i, i % 97,
				       sample);
	write_file(path_of("map"), text, len);
	for (size_t want = 1; want <= (1u << 20); want *= 64) {
		a = all_blocks(path_of("map"), 1, want, &n, &wa);
		b = all_blocks(path_of("map"), 0, want, &m, &wb);
		assert_int_equal(n, len);
		assert_int_equal(m, len);
		assert_memory_equal(a, text, len);
		assert_memory_equal(b, text, len);
		assert_null(wa);
		assert_null(wb);
		free(a);
		free(b);
	}
	/* not mapped: compressed, standard input, empty */
	in = trace_input_open(path_of("xz.bin"), err, sizeof(err));
	assert_non_null(in);
	assert_int_equal(trace_input_map(in), -1);
	trace_input_close(in);
	write_file(path_of("empty"), "", 0);
	in = trace_input_open(path_of("empty"), err, sizeof(err));
	assert_non_null(in);
	assert_int_equal(trace_input_map(in), -1);
	assert_null(trace_input_map_block(in, 1, &n));
	trace_input_close(in);
	/* a line too long: the lines before it, then the error */
	len = (size_t)sprintf(text, "a\nbb\n");
	memset(text + len, 'x', big);
	len += big;
	len += (size_t)sprintf(text + len, "\nlast\n");
	write_file(path_of("long"), text, len);
	a = all_blocks(path_of("long"), 1, 1u << 20, &n, &wa);
	assert_int_equal(n, 5);
	assert_memory_equal(a, "a\nbb\n", 5);
	assert_non_null(wa);
	assert_non_null(strstr(wa, "line too long"));
	free(a);
	/* as read line by line */
	in = trace_input_open(path_of("long"), err, sizeof(err));
	assert_non_null(in);
	assert_string_equal(trace_input_line(in, &n), "a");
	assert_string_equal(trace_input_line(in, &n), "bb");
	assert_null(trace_input_line(in, &n));
	assert_string_equal(trace_input_error(in), wa);
	trace_input_close(in);
	free(text);
}

/*
 * An xz stream whose block header asks for a 4 GiB dictionary (the
 * LZMA2 dictionary byte set to 40, the header's CRC32 made again): the
 * decoder refuses it, past TRACE_XZ_MEMLIMIT, with a message that says
 * so; one decoding thread or several.
 */
static void test_xz_dictionary_limit(void **state)
{
	uint8_t buf[8192];
	size_t n = xz_compress(sample, strlen(sample), buf, sizeof(buf));
	size_t hs = ((size_t)buf[12] + 1) * 4, f;
	uint32_t crc;
	char err[256];

	for (f = 14; f + 2 < 12 + hs - 4; f++)
		if (buf[f] == 0x21 && buf[f + 1] == 0x01)
			break;
	assert_true(f + 2 < 12 + hs - 4); /* the LZMA2 filter flags */
	buf[f + 2] = 40;
	crc = lzma_crc32(buf + 12, hs - 4, 0);
	for (int i = 0; i < 4; i++)
		buf[12 + hs - 4 + i] = (uint8_t)(crc >> (8 * i));
	write_file(path_of("bigdict.xz"), buf, n);
	for (unsigned int threads = 1; threads <= 4; threads += 3) {
		struct trace_input *in = trace_input_open_threads(
			path_of("bigdict.xz"), threads, err, sizeof(err));
		size_t len;

		assert_non_null(in);
		assert_null(trace_input_line(in, &len));
		assert_non_null(trace_input_error(in));
		printf("%u thread(s): %s\n", threads, trace_input_error(in));
		assert_non_null(strstr(trace_input_error(in),
				       "more than the limit of 256 MiB"));
		if (threads == 1)
			assert_non_null(strstr(trace_input_error(in),
					       "xz data needs 4096 MiB"));
		trace_input_close(in);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_xz_gzip_identical),
		cmocka_unit_test(test_two_files),
		cmocka_unit_test(test_mark_sites),
		cmocka_unit_test(test_compression_detected),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_truncated_and_corrupt),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_xz_dictionary_limit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
