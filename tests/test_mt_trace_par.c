// SPDX-License-Identifier: MIT
/*
 * Parsing in parallel (trace_stream_read() with jobs > 1, trace_par.c)
 * gives the stream the line-by-line reader gives: the same events in the
 * same order (so each CPU's events in order), the same ids, counts,
 * pairing and issues with their line numbers. On bundled traces, on a
 * generated trace with anomalies scattered through it (bad lines,
 * unmatched and double frees, lost-event markers, CRLF, blank lines, a
 * last line without a newline, a line longer than a block), on seeded
 * noise (cut lines, stray NULs, CRs and bytes), on a truncated .xz, and
 * through the
 * command: `kslab replay --format json` prints the same bytes at -j 1
 * and -j 3. kslab trace-gen's copies replay as N times the original.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lzma.h>
#include <cmocka.h>
#include "helpers/capture.h"
#include "helpers/kslab_test.h"
#include "trace/trace_gen.h"
#include "trace/trace_stream.h"

#define BUNDLED KSLAB_DATADIR "/traces/arm64-6.12.117-2G/trace.xz"

static char tmpdir[] = "/tmp/kslab-par-XXXXXX";
static char path_buf[4][256];

static const char *path_of(int i, const char *name)
{
	snprintf(path_buf[i], sizeof(path_buf[i]), "%s/%s", tmpdir, name);
	return path_buf[i];
}

static int read_stream(struct trace_stream *s, const char *path,
		       unsigned int jobs, size_t block)
{
	struct trace_read_opts o = { .jobs = jobs, .block = block };
	char err[256];
	int r;

	trace_stream_init(s);
	r = trace_stream_read(s, path, &o, err, sizeof(err));
	trace_stream_finish(s);
	return r;
}

static void same_strings(const struct strtab *a, const struct strtab *b)
{
	assert_int_equal(a->nr, b->nr);
	for (uint32_t i = 1; i <= a->nr; i++)
		assert_string_equal(strtab_str(a, i), strtab_str(b, i));
}

static void same_stream(const struct trace_stream *a,
			const struct trace_stream *b)
{
	assert_int_equal(a->nr, b->nr);
	assert_true(!a->nr || !memcmp(a->ev, b->ev, a->nr * sizeof(*a->ev)));
	assert_true(!a->nr ||
		    !memcmp(a->ts_ns, b->ts_ns, a->nr * sizeof(*a->ts_ns)));
	assert_true(!memcmp(&a->counts, &b->counts, sizeof(a->counts)));
	assert_true(!memcmp(&a->pair, &b->pair, sizeof(a->pair)));
	assert_int_equal(a->nr_ptrs, b->nr_ptrs);
	assert_int_equal(a->max_cpu, b->max_cpu);
	assert_int_equal(a->nr_sites, b->nr_sites);
	for (uint32_t i = 1; i < a->nr_sites; i++) {
		assert_int_equal(a->sites[i].func, b->sites[i].func);
		assert_int_equal(a->sites[i].offset, b->sites[i].offset);
	}
	same_strings(&a->funcs, &b->funcs);
	same_strings(&a->caches, &b->caches);
	for (int k = 0; k < TRACE_ISSUE_NR_KINDS; k++) {
		assert_int_equal(a->nr_issues[k], b->nr_issues[k]);
		for (uint64_t i = 0;
		     i < a->nr_issues[k] && i < TRACE_ISSUES_KEPT; i++) {
			assert_int_equal(a->issues[k][i].file,
					 b->issues[k][i].file);
			assert_int_equal(a->issues[k][i].lineno,
					 b->issues[k][i].lineno);
			assert_string_equal(a->issues[k][i].text,
					    b->issues[k][i].text);
		}
	}
	assert_int_equal(a->nr_files, b->nr_files);
	for (uint32_t i = 0; i < a->nr_files; i++) {
		assert_int_equal(a->files[i].lines, b->files[i].lines);
		assert_int_equal(a->files[i].nr_events, b->files[i].nr_events);
	}
}

/* path read line by line and by jobs threads in blocks of block bytes */
static void check_same(const char *path, unsigned int jobs, size_t block)
{
	struct trace_stream a, b;
	int ra = read_stream(&a, path, 1, 0);
	int rb = read_stream(&b, path, jobs, block);

	assert_int_equal(ra, rb);
	same_stream(&a, &b);
	trace_stream_free(&a);
	trace_stream_free(&b);
}

static void test_bundled(void **state)
{
	(void)state;
	check_same(BUNDLED, 3, 1); /* the smallest blocks: many */
}

/* a valid line of event i (allocations and their frees, several CPUs) */
static int event_line(char *buf, size_t size, unsigned int i)
{
	unsigned int obj = i / 2, cpu = obj % 3;

	if (i % 2 == 0)
		return snprintf(
			buf, size,
			"   task-%u    [%03u] ..... %u.%06u: kmalloc: "
			"call_site=f%u+0x%x/0x100 ptr=%016x "
			"bytes_req=%u bytes_alloc=%u "
			"gfp_flags=GFP_KERNEL node=-1 accounted=false\n",
			obj % 7, cpu, 100 + i / 1000000, i % 1000000, obj % 53,
			obj % 5, 0x1000 + obj % 40000 * 16, 8 + obj % 200, 256);
	return snprintf(buf, size,
			"   task-%u    [%03u] ..... %u.%06u: kfree: "
			"call_site=g%u+0x1/0x10 ptr=%016x\n",
			obj % 7, (cpu + 1) % 3, 100 + i / 1000000, i % 1000000,
			obj % 11, 0x1000 + obj % 40000 * 16);
}

static const char *const odd_lines[] = {
	"   task-1    [001] ..... 100.000001: kmalloc: call_site=x+0x1 ptr=zz\n",
	"   task-1    [001] ..... 100.000001: kfree: call_site=unmatched+0x1/0x2 "
	"ptr=00000000deadbee0\n",
	"CPU:1 [LOST 17 EVENTS]\n",
	"\n",
	"# a comment\n",
	"   task-2    [002] ..... 100.000002: kmalloc: call_site=crlf+0x4/0x8 "
	"ptr=00000000cafe0000 bytes_req=8 bytes_alloc=8 gfp_flags=GFP_KERNEL\r\n",
	"kmalloc without a prefix\n",
	"   task-3    [000] ..... 100.000003: sched_switch: prev=a next=b\n",
	"   task-3    [000] ..... 100.000003: mm_page_alloc: page=x pfn=0x1 "
	"order=0 migratetype=0 gfp_flags=GFP_KERNEL\n",
	"   task-3    [000] ..... 100.000003: kmem_cache_free: "
	"call_site=c+0x1/0x2 ptr=0000000000001000 name=foo\n",
};

#define NR_ODD (sizeof(odd_lines) / sizeof(odd_lines[0]))

/* ~1.3 MiB of events with odd lines scattered through; seeded */
static void write_anomalies(const char *path, unsigned int seed, int newline)
{
	FILE *f = fopen(path, "w");
	char line[512];

	assert_non_null(f);
	srand(seed);
	for (unsigned int i = 0; i < 12000; i++) {
		event_line(line, sizeof(line), i);
		fputs(line, f);
		if (i == 5000) { /* a line longer than a block */
			fputs("kmalloc ", f);
			for (int k = 0; k < 400 << 10; k++)
				fputc('x', f);
			fputc('\n', f);
		}
		if (i % 199 == 0) /* each kind several times */
			fputs(odd_lines[i / 199 % NR_ODD], f);
		if (rand() % 200 == 0)
			fputs(odd_lines[rand() % NR_ODD], f);
	}
	fputs("   task-9    [001] ..... 999.000000: kfree: call_site=end+0x1/0x2 "
	      "ptr=0000000000001010",
	      f);
	if (newline)
		fputc('\n', f);
	assert_int_equal(fclose(f), 0);
}

static void test_anomalies(void **state)
{
	unsigned int seed = test_seed("trace_par_anomalies");
	struct trace_stream s;

	(void)state;
	write_anomalies(path_of(0, "odd.trace"), seed, 0);
	check_same(path_of(0, "odd.trace"), 2, 1);
	check_same(path_of(0, "odd.trace"), 4, 1);
	write_anomalies(path_of(0, "odd.trace"), seed + 1, 1);
	check_same(path_of(0, "odd.trace"), 3, 1);
	/* the anomalies are there to compare */
	assert_int_equal(read_stream(&s, path_of(0, "odd.trace"), 2, 1), 0);
	assert_true(s.counts.bad > 0 && s.counts.lost_markers > 0);
	assert_true(s.pair.unmatched_frees > 0 && s.pair.double_allocs > 0);
	trace_stream_free(&s);
}

/* noise: pieces of lines, random bytes, NULs, CRs; seeded */
static void test_noise(void **state)
{
	unsigned int seed = test_seed("trace_par_noise");
	FILE *f = fopen(path_of(0, "noise.trace"), "w");
	char line[512];

	(void)state;
	assert_non_null(f);
	srand(seed);
	for (unsigned int i = 0; i < 8000; i++) {
		int n = event_line(line, sizeof(line), (unsigned int)rand());

		switch (rand() % 4) {
		case 0: /* a line cut short, or run into the next */
			n = rand() % (n + 1);
			break;
		case 1: /* a byte changed: NUL, CR, newline, anything */
			line[rand() % n] = (char)(rand() % 4 ?
							  rand() :
							  "\0\r\n"[rand() % 3]);
			break;
		}
		fwrite(line, 1, (size_t)n, f);
	}
	assert_int_equal(fclose(f), 0);
	check_same(path_of(0, "noise.trace"), 2, 1);
	check_same(path_of(0, "noise.trace"), 3, 0);
}

/* path compressed into out as xz, its last cut bytes dropped */
static void xz_file(const char *path, const char *out, size_t cut)
{
	size_t len, cap, got = 0;
	char *text;
	uint8_t *xz;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	text = malloc(len);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, len, f), len);
	fclose(f);
	cap = lzma_stream_buffer_bound(len);
	xz = malloc(cap);
	assert_non_null(xz);
	assert_int_equal(lzma_easy_buffer_encode(0, LZMA_CHECK_CRC64, NULL,
						 (uint8_t *)text, len, xz, &got,
						 cap),
			 LZMA_OK);
	assert_true(got > cut);
	write_file(out, xz, got - cut);
	free(text);
	free(xz);
}

static void test_truncated_xz(void **state)
{
	struct trace_stream s;

	(void)state;
	write_anomalies(path_of(0, "odd.trace"), 7, 1);
	xz_file(path_of(0, "odd.trace"), path_of(1, "odd.trace.xz"), 0);
	check_same(path_of(1, "odd.trace.xz"), 2, 1);
	xz_file(path_of(0, "odd.trace"), path_of(1, "cut.trace.xz"), 100);
	check_same(path_of(1, "cut.trace.xz"), 2, 1);
	assert_int_equal(read_stream(&s, path_of(1, "cut.trace.xz"), 2, 1), 1);
	assert_int_equal(s.counts.input_errors, 1);
	assert_int_equal(s.issues[TRACE_ISSUE_INPUT_ERROR][0].lineno,
			 s.counts.lines);
	trace_stream_free(&s);
	/* empty input: no events, either way */
	write_file(path_of(2, "empty.trace"), "", 0);
	check_same(path_of(2, "empty.trace"), 2, 0);
}

/* kslab replay --format json: the same bytes at -j 1 and -j 3 */
static void test_replay_json(void **state)
{
	char args[512];
	char *one, *three;
	int st1, st3;

	(void)state;
	write_anomalies(path_of(0, "odd.trace"), 11, 1);
	snprintf(args, sizeof(args),
		 "%s --policy x86_64 --format json -j 1 2>/dev/null",
		 path_of(0, "odd.trace"));
	one = run_replay(args, &st1);
	snprintf(args, sizeof(args),
		 "%s --policy x86_64 --format json -j 3 2>/dev/null",
		 path_of(0, "odd.trace"));
	three = run_replay(args, &st3);
	assert_int_equal(st1, 0);
	assert_int_equal(st3, 0);
	assert_true(strlen(one) > 1000);
	assert_string_equal(one, three);
	free(one);
	free(three);
	/* nothing to replay is refused the same way */
	snprintf(args, sizeof(args), "%s -j 2 2>&1", path_of(2, "empty.trace"));
	write_file(path_of(2, "empty.trace"), "", 0);
	one = run_replay(args, &st1);
	assert_int_equal(st1, 2);
	assert_non_null(strstr(one, "no kmem events"));
	free(one);
}

/* trace-gen: N copies pair as N times one, with no anomaly of their own */
static void test_trace_gen(void **state)
{
	struct trace_gen_result res;
	struct trace_stream one, three;
	char err[256];
	FILE *f;

	(void)state;
	write_anomalies(path_of(0, "odd.trace"), 5, 1);
	f = fopen(path_of(3, "gen.trace"), "w");
	assert_non_null(f);
	assert_int_equal(trace_gen(path_of(0, "odd.trace"), 3, f, &res, err,
				   sizeof(err)),
			 0);
	fclose(f);
	assert_int_equal(read_stream(&one, path_of(0, "odd.trace"), 1, 0), 0);
	assert_int_equal(read_stream(&three, path_of(3, "gen.trace"), 2, 1), 0);
	assert_int_equal(three.counts.events, 3 * one.counts.events);
	assert_int_equal(three.pair.allocs, 3 * one.pair.allocs);
	assert_int_equal(three.pair.unmatched_frees,
			 3 * one.pair.unmatched_frees);
	assert_int_equal(three.pair.double_allocs, 3 * one.pair.double_allocs);
	assert_int_equal(three.pair.double_frees, 3 * one.pair.double_frees);
	assert_int_equal(three.pair.live_at_end, 3 * one.pair.live_at_end);
	assert_int_equal(three.nr_ptrs, 3 * one.nr_ptrs);
	assert_int_equal(three.counts.bad, 3 * one.counts.bad);
	for (size_t k = 1; k < 3; k++) { /* each copy after the one before */
		uint64_t last = 0, first = UINT64_MAX;

		for (size_t i = (k - 1) * one.nr; i < k * one.nr; i++)
			last = three.ts_ns[i] > last ? three.ts_ns[i] : last;
		for (size_t i = k * one.nr; i < (k + 1) * one.nr; i++)
			first = three.ts_ns[i] < first ? three.ts_ns[i] : first;
		assert_true(first > last);
	}
	trace_stream_free(&one);
	trace_stream_free(&three);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	const char *names[] = { "odd.trace",   "odd.trace.xz", "cut.trace.xz",
				"empty.trace", "gen.trace",    "noise.trace" };

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(path_of(0, names[i]));
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled),
		cmocka_unit_test(test_anomalies),
		cmocka_unit_test(test_noise),
		cmocka_unit_test(test_truncated_xz),
		cmocka_unit_test(test_replay_json),
		cmocka_unit_test(test_trace_gen),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
