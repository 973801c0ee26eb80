// SPDX-License-Identifier: MIT
/*
 * The kslab command on bad input (issue 15, "The command"): inputs with
 * no events, a policy whose boot fails, CPUs beyond nr_cpus=, write
 * errors, option parsing and its range checks, and the report's small
 * defects (failed allocations row, double frees, kfree(ZERO_SIZE_PTR),
 * a binary --packed-sites file, issue lines cut at a word boundary).
 * Each runs the built kslab (KSLAB_BINDIR) on small files made here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#define P "  t-1 [000] d.... 0.000001: "
#define KMALLOC(ptr, req, alloc)                                     \
	P "kmalloc: call_site=k+0x0/0x10 ptr=" ptr " bytes_req=" req \
	  " bytes_alloc=" alloc " gfp_flags=GFP_KERNEL node=-1 "     \
	  "accounted=false\n"
#define KFREE(ptr) P "kfree: call_site=f+0x0/0x10 ptr=" ptr "\n"

static char dir[] = "/tmp/kslab-cli-XXXXXX";

/* dir/name holding len bytes of data; the path (static buffer) */
static const char *file(const char *name, const void *data, size_t len)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];
	FILE *f;

	snprintf(p, 256, "%s/%s", dir, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return p;
}

static const char *text(const char *name, const char *s)
{
	return file(name, s, strlen(s));
}

/* kslab ARGS (a shell line); its stdout and stderr together */
static char *run(int *status, const char *fmt, ...)
{
	char cmd[2048], *buf = calloc(1, 1 << 20);
	size_t len;
	va_list ap;
	FILE *p;
	int n;

	n = snprintf(cmd, sizeof(cmd), "%s/kslab ", KSLAB_BINDIR);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	len = fread(buf, 1, (1 << 20) - 1, p);
	buf[len] = '\0';
	*status = WEXITSTATUS(pclose(p));
	return buf;
}

/* run() expecting an exit status and a phrase in the output */
static void expect(int want, const char *phrase, const char *fmt,
		   const char *arg)
{
	int status;
	char *out = run(&status, fmt, arg);

	if (status != want || !strstr(out, phrase))
		printf("kslab %s: status %d, output:\n%s\n", arg, status, out);
	assert_int_equal(status, want);
	assert_non_null(strstr(out, phrase));
	free(out);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

/* 1: nothing to replay: "no kmem events", exit 2, never a crash */
static void test_no_events(void **state)
{
	static const unsigned char xz[10] = { 0xfd, '7', 'z',  'X',  'Z',
					      0,    0,	 0x04, 0xe6, 0xd6 };
	unsigned char noise[4096];
	unsigned int seed = 15;
	const char *f;

	(void)state;
	printf("seed %u\n", seed);
	srand(seed);
	for (size_t i = 0; i < sizeof(noise); i++)
		noise[i] = (unsigned char)rand();
	f = file("empty", "", 0);
	expect(2, "no kmem events", "replay %s -j 1 2>&1", f);
	f = text("garbage", "garbage\nmore: garbage\n\n");
	expect(2, "no kmem events", "replay %s -j 1 2>&1", f);
	f = file("noise", noise, sizeof(noise));
	expect(2, "no kmem events", "replay %s -j 1 2>&1", f);
	f = file("short.xz", xz, sizeof(xz));
	expect(2, "no kmem events", "replay %s -j 1 2>&1", f);
	expect(2, "no kmem events", "replay %s -j 1 </dev/null 2>&1", "-");
}

/* 2: a failed boot's own words on stderr, exit 1 */
static void test_failed_policy(void **state)
{
	const char *f = text("one", KMALLOC("ffff888001000000", "8", "8"));
	int status;
	char *out;

	(void)state;
	out = run(&status, "replay %s --boot garbage -j 1 2>&1", f);
	assert_int_equal(status, 1);
	assert_non_null(strstr(out, "kslab: unknown boot parameter 'garbage'"));
	assert_non_null(strstr(out, "kslab replay: policy boot1: cannot boot"));
	free(out);
	/* one good and one bad policy: still 1, the good one reported */
	out = run(&status,
		  "replay %s --policy x86_64 --boot 'mem=8G bogus' -j 1 2>&1",
		  f);
	assert_int_equal(status, 1);
	assert_non_null(strstr(out, "policy boot2: cannot boot"));
	assert_non_null(strstr(out, "objects allocated"));
	free(out);
}

/* 3: a trace from CPU 4095 replays, CPUs folded and said so */
static void test_many_cpus(void **state)
{
	const char *f = text("cpus",
			     "  t-1 [4095] d.... 0.000001: kmalloc: "
			     "call_site=k+0x0/0x10 ptr=ffff888001000000 "
			     "bytes_req=8 bytes_alloc=8 gfp_flags=GFP_KERNEL "
			     "node=-1 accounted=false\n" KMALLOC(
				     "ffff888001000100", "8", "8"));
	int status;
	char *out;

	(void)state;
	out = run(&status, "replay %s --policy x86_64 -j 1 2>&1", f);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "CPUs seen 4096 (folded: CPU n replayed "
				    "on CPU n % 1024)"));
	assert_null(strstr(out, "cannot boot"));
	assert_null(strstr(out, "  failed"));
	free(out);
	out = run(&status, "replay %s --policy x86_64 --format json -j 1", f);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "\"cpus_replayed\": 1024"));
	free(out);
}

/* 4, for replay: a full disk is an error */
static void test_write_error(void **state)
{
	const char *f = text("w", KMALLOC("ffff888001000000", "8", "8"));

	(void)state;
	expect(1, "write error on standard output",
	       "replay %s --policy x86_64 -j 1 2>&1 >/dev/full", f);
}

/* 6: one parser, range checks, a missing value named as such */
static void test_options(void **state)
{
	static const struct {
		const char *args, *msg;
	} bad[] = {
		{ "replay --sites -1", "--sites: '-1' is not a number" },
		{ "replay --sites abc", "--sites: 'abc' is not a number" },
		{ "replay --sites=12x", "--sites: '12x' is not a number" },
		{ "replay -j -1", "-j: '-1' is not a number" },
		{ "replay -j 0", "-j: '0' is not a number" },
		{ "replay --policy", "option '--policy' requires an argument" },
		{ "replay -j", "option requires an argument -- 'j'" },
		{ "replay --nonesuch", "unknown option '--nonesuch'" },
		{ "trace-stats --top -1", "--top: '-1' is not a number" },
		{ "trace-stats --top", "option '--top' requires an argument" },
		{ "record --buffer-kb -5",
		  "--buffer-kb: '-5' is not a number" },
		{ "record --slabs", "option '--slabs' requires an argument" },
		{ "show --boot", "option '--boot' requires an argument" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect(2, bad[i].msg, "%s 2>&1 </dev/null", bad[i].args);
}

/* --version, version and -V: the project's version, exit 0; a write
 * error on it (as on help) is exit 1 */
static void test_version(void **state)
{
	static const char *const forms[] = { "--version", "version", "-V" };

	(void)state;
	for (size_t i = 0; i < 3; i++)
		expect(0, "kslab " KSLAB_TEST_VERSION "\n", "%s 2>&1",
		       forms[i]);
	expect(1, "", "%s >/dev/full 2>/dev/null", "--version");
	expect(1, "", "%s >/dev/full 2>/dev/null", "help");
}

/* 7: failed allocations, double free, ZERO_SIZE_PTR, cut issue lines */
static void test_report_details(void **state)
{
	const char *f = text("details",
			     KMALLOC("ffff888001000000", "8", "8")
				     KMALLOC("0000000000000000", "64",
					     "64") KFREE("ffff888001000000")
					     KFREE("ffff888001000000")
						     KFREE("0000000000000010") P
			     "kfree: call_site=a_function_name_long_"
			     "enough_to_make_the_line_too_long_for_the_"
			     "kept_text_of_an_issue+0x0/0x10 "
			     "ptr=ffff888009000000\n");
	int status;
	char *out, *l;

	(void)state;
	out = run(&status, "replay %s --policy x86_64 -j 1 2>&1", f);
	assert_int_equal(status, 0);
	/* the replay's own failures, as the JSON's failed_allocations */
	l = strstr(out, "\nfailed allocations ");
	assert_non_null(l);
	assert_int_equal(atoi(l + strcspn(l + 1, "0123456789") + 1), 0);
	assert_non_null(strstr(out, ":4: double free (freed before, not "
				    "allocated since)"));
	assert_null(strstr(out, ":5:")); /* kfree(ZERO_SIZE_PTR) is fine */
	assert_non_null(strstr(out, "1 frees of objects allocated before"));
	assert_non_null(strstr(out, ", 1 double frees"));
	/* line 6 cut after a whole word, " ..." saying so */
	l = strstr(out, ":6: free of a pointer not allocated");
	assert_non_null(l);
	l[strcspn(l, "\n")] = '\0';
	assert_non_null(strstr(l, " kfree: ..."));
	free(out);
	out = run(&status, "trace-stats %s --format json", f);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "\"double_frees\": 1"));
	assert_non_null(strstr(out, "\"unmatched_frees\": 2"));
	assert_non_null(strstr(out, "\"null_frees\": 1"));
	assert_non_null(strstr(out, "\"failed_allocations\": 1"));
	free(out);
}

/* 7: --packed-sites of a binary file refused */
static void test_packed_binary(void **state)
{
	static const unsigned char bin[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0,
					     0,	   0,	0,   0,	  0, 0, 0 };
	const char *f = text("p", KMALLOC("ffff888001000000", "8", "8"));
	const char *b = file("bin", bin, sizeof(bin));
	char args[600];

	(void)state;
	snprintf(args, sizeof(args), "%s --packed-sites %s", f, b);
	expect(2, "not a text file", "replay %s --policy x86_64 2>&1", args);
	snprintf(args, sizeof(args), "%s --packed-sites %s", f,
		 text("good", "kstrdup # mm/util.c\n\nkvasprintf\n"));
	expect(0, "objects allocated", "replay %s --policy x86_64 2>&1", args);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_events),
		cmocka_unit_test(test_failed_policy),
		cmocka_unit_test(test_many_cpus),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_report_details),
		cmocka_unit_test(test_packed_binary),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
