// SPDX-License-Identifier: MIT
/*
 * `kslab record` against the running kernel: records the kmem events
 * while a command runs into an xz file, which must then read back with
 * no bad line and events of the four kinds. Skipped, with the reason
 * printed, where kslab has no libtracefs, tracefs is not mounted or we
 * may not create an instance (not root). Also the usage errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "trace/trace_stream.h"

#ifndef KSLAB_BINDIR
#define KSLAB_BINDIR "build"
#endif

static int status_of(const char *args)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "%s/kslab record %s", KSLAB_BINDIR, args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_usage(void **state)
{
	assert_int_equal(status_of("2>/dev/null"), 2);
	assert_int_equal(status_of("--bogus 2>/dev/null"), 2);
	assert_int_equal(status_of("--duration x -o y 2>/dev/null"), 2);
	assert_int_equal(status_of("--help >/dev/null"), 0);
}

static const char *why_not(void)
{
#ifndef KSLAB_HAVE_TRACEFS
	return "kslab built without libtracefs";
#else
	if (access("/sys/kernel/tracing/instances", W_OK) &&
	    access("/sys/kernel/debug/tracing/instances", W_OK))
		return "tracefs not mounted or not writable (not root)";
	return NULL;
#endif
}

static void test_record_live(void **state)
{
	char path[] = "/tmp/kslab-record-XXXXXX", file[64], args[256], err[256];
	struct trace_stream s;
	const char *why = why_not();
	int rc;

	if (why) {
		printf("test_record_live: skipped: %s\n", why);
		skip();
	}
	assert_non_null(mkdtemp(path));
	snprintf(file, sizeof(file), "%s/live.trace.xz", path);
	snprintf(args, sizeof(args),
		 "-o %s --duration 30 -- sh -c 'ls / >/dev/null; "
		 "cat /proc/slabinfo >/dev/null' 2>&1",
		 file);
	/* 1: events were lost (a busy machine); still a valid trace */
	rc = status_of(args);
	assert_true(rc == 0 || rc == 1);
	trace_stream_init(&s);
	assert_int_equal(trace_stream_read(&s, file, NULL, err, sizeof(err)),
			 0);
	printf("recorded: %llu events (%llu kmalloc, %llu kfree, %llu "
	       "kmem_cache_alloc, %llu kmem_cache_free), %llu bad\n",
	       (unsigned long long)s.counts.events,
	       (unsigned long long)s.counts.ev[TRACE_EV_KMALLOC],
	       (unsigned long long)s.counts.ev[TRACE_EV_KFREE],
	       (unsigned long long)s.counts.ev[TRACE_EV_CACHE_ALLOC],
	       (unsigned long long)s.counts.ev[TRACE_EV_CACHE_FREE],
	       (unsigned long long)s.counts.bad);
	printf("lost: %llu events in %llu markers\n",
	       (unsigned long long)s.counts.lost_events,
	       (unsigned long long)s.counts.lost_markers);
	assert_int_equal(s.counts.bad, 0);
	assert_true(s.counts.ev[TRACE_EV_CACHE_ALLOC] > 0);
	assert_true(s.counts.ev[TRACE_EV_CACHE_FREE] > 0);
	trace_stream_free(&s);
	unlink(file);
	rmdir(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_record_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
