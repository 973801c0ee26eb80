// SPDX-License-Identifier: MIT
/*
 * The fast path of the line parser (trace_parse_fast.c) against the
 * reference (trace_parse_line_slow()): for every line of the bundled
 * traces (data/traces), the fuzz corpus of fuzz_trace_parse, hand-made
 * lines at each of the fast path's edges, and lines mutated at random
 * (seed printed; KSLAB_SEED sets it), the fast path either declines (-1)
 * or gives the same kind and the same fields; trace_parse_line() always
 * gives what the reference gives. The test also asserts that the fast
 * path takes most lines of the real traces, or it would test nothing.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "input/trace_input.h"
#include "trace/trace_parse.h"
#include "trace/trace_parse_priv.h"

#define MAX_LINE 4096

static uint64_t nr_fast, nr_lines;

static void same_text(const struct trace_text *a, const struct trace_text *b)
{
	assert_int_equal(a->len, b->len);
	if (a->len)
		assert_ptr_equal(a->p, b->p);
}

/* every field the parser fills, compared */
static void same_line(const struct trace_line *a, const struct trace_line *b)
{
	assert_int_equal(a->ev, b->ev);
	assert_int_equal(a->cpu, b->cpu);
	assert_int_equal(a->ts_ns, b->ts_ns);
	same_text(&a->site_func, &b->site_func);
	assert_int_equal(a->site_off, b->site_off);
	same_text(&a->site_text, &b->site_text);
	assert_int_equal(a->ptr, b->ptr);
	assert_int_equal(a->ptr_null, b->ptr_null);
	assert_int_equal(a->bytes_req, b->bytes_req);
	assert_int_equal(a->bytes_alloc, b->bytes_alloc);
	assert_int_equal(a->gfp, b->gfp);
	assert_int_equal(a->node, b->node);
	assert_int_equal(a->accounted, b->accounted);
	same_text(&a->name, &b->name);
	assert_int_equal(a->pfn, b->pfn);
	assert_int_equal(a->order, b->order);
	assert_int_equal(a->migratetype, b->migratetype);
	assert_int_equal(a->percpu_refill, b->percpu_refill);
	assert_int_equal(a->gfp_unknown, b->gfp_unknown);
	same_text(&a->body, &b->body);
	assert_int_equal(a->lost, b->lost);
	if (a->why || b->why)
		assert_string_equal(a->why ? a->why : "(none)",
				    b->why ? b->why : "(none)");
}

/* line[len] must be '\0' */
static void check(const char *line, size_t len)
{
	struct trace_line ref, fast, full;
	enum trace_line_kind k = trace_parse_line_slow(line, len, &ref);
	int f = trace_parse_fast(line, len, &fast);

	nr_lines++;
	if (f >= 0) {
		nr_fast++;
		if ((int)k != f)
			print_error("fast path differs on: %.*s\n", (int)len,
				    line);
		assert_int_equal(f, k);
		same_line(&ref, &fast);
	}
	assert_int_equal(trace_parse_line(line, len, &full), k);
	same_line(&ref, &full);
}

static void check_str(const char *s)
{
	static char buf[MAX_LINE + 1];
	size_t n = strlen(s);

	memcpy(buf, s, n + 1);
	check(buf, n);
}

/* every line of one (xz) trace; how many */
static uint64_t check_file(const char *path)
{
	char err[256];
	struct trace_input *in = trace_input_open(path, err, sizeof(err));
	uint64_t n = 0;
	size_t len;
	char *line;

	if (!in) {
		print_message("skipped %s: %s\n", path, err);
		return 0;
	}
	while ((line = trace_input_line(in, &len))) {
		check(line, len);
		n++;
	}
	trace_input_close(in);
	return n;
}

static void test_bundled_traces(void **state)
{
	static const char *const dirs[] = {
		"arm64-6.1.192-2G",
		"arm64-6.1.192-6G",
		"arm64-6.12.117-2G",
		"arm64-6.12.117-2G-dma",
		"arm64-6.12.117-2G-slub_debug",
		"arm64-6.12.117-6G",
	};
	char path[512];
	uint64_t n;

	(void)state;
	nr_fast = nr_lines = 0;
	n = check_file(KSLAB_DATADIR "/traces/kmem-build-6.18.trace.xz");
	assert_true(n > 600000);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/traces/%s/trace.xz",
			 KSLAB_DATADIR, dirs[i]);
		n += check_file(path);
	}
	print_message("%llu lines, %llu of them by the fast path\n",
		      (unsigned long long)nr_lines,
		      (unsigned long long)nr_fast);
	/* the kmem events are most of the lines: the fast path takes them */
	assert_true(nr_fast * 10 > nr_lines * 8);
}

static void test_corpus(void **state)
{
	static char buf[MAX_LINE + 1];
	const char *dir = KSLAB_TEST_DATADIR "/../fuzz/corpus/fuzz_trace_parse";
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[1024];
		FILE *f;
		size_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		n = fread(buf, 1, MAX_LINE, f);
		fclose(f);
		buf[n] = '\0';
		check(buf, n);
		files++;
	}
	closedir(d);
	assert_true(files > 0);
}

/* each check of the fast path, just passed and just failed */
static void test_edges(void **state)
{
	static const char *const lines[] = {
		/* taken */
		"  bash-1 [001] ..... 1.000001: kfree: call_site=f+0x1/0x2 "
		"ptr=0000000000000010",
		"bash-1 [65535] 999999999.999999999: kmalloc_node: "
		"call_site=f ptr=(null) bytes_req=99999999 "
		"bytes_alloc=12345678 gfp_flags=0x0 node=3 accounted=true",
		"  a-1 [000] .... 5.5: kmem_cache_alloc_node: call_site=x+0 "
		"ptr=ffff000011112222 name=n bytes_req=1 bytes_alloc=1 "
		"gfp_flags=GFP_KERNEL node=-1",
		"  a-1 [000] .... 5.5: kmem_cache_free: call_site=x+1/ "
		"ptr=ffff000011112222 unknown=1  name=n\t",
		/* declined or bad: the reference decides */
		"\t  bash-1 [001] ..... 1.000001: kfree: call_site=f+0x1/0x2 "
		"ptr=0000000000000010",
		"  bash:1 [001] ..... 1.000001: kfree: call_site=f+0x1/0x2 "
		"ptr=0000000000000010",
		"  bash-1 [001] ..... 1.0000000001: kfree: call_site=f+0x1 "
		"ptr=0000000000000010",
		"  bash-1 [001] ..... 1234567890.1: kfree: call_site=f+0x1 "
		"ptr=0000000000000010",
		"  bash-1 [001] .....\t1.1: kfree: call_site=f+0x1 "
		"ptr=0000000000000010",
		"  bash-1 [65536] ..... 1.1: kfree: call_site=f+0x1 "
		"ptr=0000000000000010",
		"  bash-1 [] ..... 1.1: kfree: call_site=f+0x1 "
		"ptr=0000000000000010",
		"  bash-1 1d..1 1.1: kfree: call_site=f+0x1 "
		"ptr=0000000000000010",
		"  bash-1 [001] ......................... 1.1: kfree: "
		"call_site=f+0x1 ptr=0000000000000010",
		"  bash-1 [001] ..... 1.1:  kfree: call_site=f+0x1 ptr=1",
		"  bash-1 [001] ..... 1.1: kfree:\tcall_site=f+0x1 ptr=1",
		"  bash-1 [001] ..... 1.1: kfreex: call_site=f+0x1 ptr=1",
		"  bash-1 [001] ..... 1.1: kmem_cache_allocx: call_site=f",
		"  bash-1 [001] ..... 1.1: kmalloc_nodes: call_site=f+0x1",
		"  bash-1 [001] ..... 1.1: kfree: call_site=+0x1 ptr=1 ",
		"  bash-1 [001] ..... 1.1: kfree: call_site=f+ ptr=1 ",
		"  bash-1 [001] ..... 1.1: kfree: call_site=f+0xg ptr=1 ",
		"  bash-1 [001] ..... 1.1: kfree: call_site=f+0x1 ptr=1 ptr=2",
		"  bash-1 [001] ..... 1.1: kfree: call_site=f+0x1 ptr=0x1234567890abcd",
		"  bash-1 [001] ..... 1.1: kfree: call_site=f+0x1 ptr=(ptrval)",
		"  bash-1 [001] ..... 1.1: kfree: call_site=f+0x1 ptr=",
		"  bash-1 [001] ..... 1.1: kfree: call_site=f+0x1",
		"  bash-1 [001] ..... 1.1: kmalloc: call_site=f+0x1 ptr=1 "
		"bytes_req=1x bytes_alloc=1 gfp_flags=GFP_KERNEL",
		"  bash-1 [001] ..... 1.1: kmalloc: call_site=f+0x1 ptr=1 "
		"bytes_req=123456789 bytes_alloc=99999999999999999999 "
		"gfp_flags=GFP_KERNEL",
		"  bash-1 [001] ..... 1.1: kmalloc: call_site=f+0x1 ptr=1 "
		"bytes_req=1 bytes_alloc=1 gfp_flags=GFP_NOPE node=-2 ",
		"  bash-1 [001] ..... 1.1: kmalloc: call_site=f+0x1 ptr=1 "
		"bytes_req=1 bytes_alloc=1 gfp_flags=GFP_KERNEL node=x",
		"  bash-1 [001] ..... 1.1: kmalloc: call_site=f+0x1 ptr=1 "
		"bytes_req=1 bytes_alloc=1 gfp_flags=GFP_KERNEL accounted=yes",
		"  bash-1 [001] ..... 1.1: kmalloc: call_site=f+0x1 ptr=1 "
		"bytes_req=1 bytes_alloc=1 gfp_flags=GFP_KERNEL name=",
		"  bash-1 [001] ..... 1.1: kmalloc: call_site=f+0x1 ptr=1 "
		"bytes_req=1 bytes_alloc=1",
		"  bash-1 [001] ..... 1.1: mm_page_alloc: page=0 pfn=1 order=0",
		"# entries-in-buffer/entries-written: 100/250   #P:2",
		"CPU:1 [LOST 123 EVENTS]",
		"  bash-1 [001] ..... 1.1: kmalloc: ",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		check_str(lines[i]);
	/* every cut of a real line */
	for (size_t cut = 0; cut < strlen(lines[2]); cut++) {
		static char buf[MAX_LINE + 1];

		memcpy(buf, lines[2], cut);
		buf[cut] = '\0';
		check(buf, cut);
	}
}

/* A mutation alphabet: the characters the checks look at */
static const char alphabet[] = " \t:.[]-+/=0123456789abcdefx#kmx_(null)";

static void mutate(char *buf, size_t *len, unsigned int *seed)
{
	int edits = 1 + rand_r(seed) % 3;

	for (int e = 0; e < edits; e++) {
		size_t at = *len ? (size_t)rand_r(seed) % *len : 0;
		char c =
			rand_r(seed) % 4 ?
				alphabet[rand_r(seed) % (sizeof(alphabet) - 1)] :
				(char)(rand_r(seed) % 256);

		switch (rand_r(seed) % 3) {
		case 0: /* replace */
			if (*len)
				buf[at] = c;
			break;
		case 1: /* insert */
			if (*len < MAX_LINE) {
				memmove(buf + at + 1, buf + at, *len - at);
				buf[at] = c;
				(*len)++;
			}
			break;
		default: /* delete */
			if (*len) {
				memmove(buf + at, buf + at + 1, *len - at - 1);
				(*len)--;
			}
			break;
		}
	}
	buf[*len] = '\0';
}

static void test_mutated(void **state)
{
	static char lines[64][MAX_LINE + 1], buf[MAX_LINE + 1];
	const char *env = getenv("KSLAB_SEED");
	unsigned int seed = env ? (unsigned int)strtoul(env, NULL, 0) :
				  (unsigned int)time(NULL);
	char err[256];
	struct trace_input *in;
	size_t len, n = 0;
	char *line;
	uint64_t i = 0;

	(void)state;
	print_message("seed %u (KSLAB_SEED=%u to repeat)\n", seed, seed);
	/* a spread of real lines: every 9,973rd of the bundled trace */
	in = trace_input_open(KSLAB_DATADIR "/traces/kmem-build-6.18.trace.xz",
			      err, sizeof(err));
	assert_non_null(in);
	while ((line = trace_input_line(in, &len)) && n < 64)
		if (i++ % 9973 == 0 && len <= MAX_LINE)
			memcpy(lines[n++], line, len + 1);
	trace_input_close(in);
	assert_true(n > 32);
	nr_fast = 0;
	for (int r = 0; r < 200000; r++) {
		const char *src = lines[rand_r(&seed) % n];

		len = strlen(src);
		memcpy(buf, src, len + 1);
		mutate(buf, &len, &seed);
		check(buf, len);
	}
	print_message("%llu of 200000 mutated lines by the fast path\n",
		      (unsigned long long)nr_fast);
	assert_true(nr_fast > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_bundled_traces),
		cmocka_unit_test(test_mutated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
