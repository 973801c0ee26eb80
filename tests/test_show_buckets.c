// SPDX-License-Identifier: MIT
/*
 * `kslab show kmalloc` lists the kmem_buckets sets a 6.11+ boot makes
 * (memdup_user, msg_msg): the bucket serving each class, with the
 * policy's rounding (arm64 without swiotlb: 8 .. 64 in the -64 buckets);
 * not before 6.11. Run as the command on the real Debian arm64 Linux
 * 6.12.117 machine's boot: the buckets it names are the 26 of its
 * /proc/slabinfo.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/kslab_test.h"

#ifndef KSLAB_DATADIR
#define KSLAB_DATADIR "data"
#endif
#ifndef KSLAB_BINDIR
#define KSLAB_BINDIR "build"
#endif
#define REAL612 KSLAB_DATADIR "/traces/arm64-6.12.117-2G"
#define ARM64 "arch=arm64 memmap=2G@1G nr_cpus=2 "

static char *show_kmalloc(const char *boot)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(kslab_boot(boot), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(kslab_show("kmalloc", f), 0);
	fclose(f);
	kslab_shutdown();
	return buf;
}

static void test_buckets_listed(void **state)
{
	char *out;

	(void)state;
	/* arm64 without swiotlb: minimum alignment 64 rounds 8 .. 64, 96 */
	out = show_kmalloc(ARM64 "swiotlb=noforce kslab.kernel=6.18");
	assert_non_null(strstr(out, "\nkmem_buckets:\nclass    memdup_user  "
				    "      msg_msg"));
	assert_non_null(
		strstr(out, "\n8        memdup_user-64     msg_msg-64"));
	assert_non_null(strstr(out, "\n96       memdup_user-128    "
				    "msg_msg-128"));
	assert_non_null(
		strstr(out, "\n8192     memdup_user-8k     msg_msg-8k"));
	assert_null(strstr(out, "memdup_user-8 "));
	assert_null(strstr(out, "memdup_user-96"));
	free(out);
	/* x86_64: every class its own bucket */
	out = show_kmalloc("arch=x86_64 mem=512M nr_cpus=2 kslab.kernel=6.12");
	assert_non_null(strstr(out, "\n8        memdup_user-8      msg_msg-8"));
	assert_non_null(
		strstr(out, "\n96       memdup_user-96     msg_msg-96"));
	assert_non_null(strstr(out, "\n192      memdup_user-192    "
				    "msg_msg-192"));
	free(out);
}

/* before 6.11 there are no buckets, and no section for them */
static void test_no_buckets_before_6_11(void **state)
{
	char *out;

	(void)state;
	out = show_kmalloc(ARM64 "kslab.kernel=6.1");
	assert_non_null(strstr(out, "kernel rules: Linux 6.1 "));
	assert_non_null(strstr(out, "\n8        kmalloc-"));
	assert_null(strstr(out, "kmem_buckets"));
	assert_null(strstr(out, "memdup_user"));
	assert_null(strstr(out, "msg_msg"));
	free(out);
}

static bool bucket_name(const char *name)
{
	return !strncmp(name, "memdup_user-", 12) ||
	       !strncmp(name, "msg_msg-", 8);
}

static bool in(char names[][32], unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

/* the distinct bucket names of a text's words, at most 64 */
static unsigned int bucket_words(FILE *f, char names[][32], bool first_only)
{
	char line[1024];
	unsigned int n = 0;

	while (fgets(line, sizeof(line), f)) {
		char *save = NULL;

		for (char *w = strtok_r(line, " \t\n", &save); w;
		     w = strtok_r(NULL, " \t\n", &save)) {
			if (bucket_name(w) && !in(names, n, w) && n < 64)
				snprintf(names[n++], 32, "%.31s", w);
			if (first_only)
				break;
		}
	}
	return n;
}

/* the command on the real 6.12 machine's boot names its 26 buckets */
static void test_command_real_6_12(void **state)
{
	static char ours[64][32], theirs[64][32];
	unsigned int n_ours, n_theirs;
	FILE *f;

	(void)state;
	f = fopen(REAL612 "/slabinfo", "r");
	assert_non_null(f);
	n_theirs = bucket_words(f, theirs, true);
	fclose(f);
	f = popen(KSLAB_BINDIR "/kslab show kmalloc --boot '" ARM64
			       "kslab.kernel=6.12'",
		  "r");
	assert_non_null(f);
	n_ours = bucket_words(f, ours, false);
	assert_int_equal(pclose(f), 0);
	assert_int_equal(n_theirs, 26);
	assert_int_equal(n_ours, 26);
	for (unsigned int i = 0; i < n_theirs; i++)
		assert_true(in(ours, n_ours, theirs[i]));
	/* 6.1 rules: the command shows none */
	f = popen(KSLAB_BINDIR "/kslab show kmalloc --boot '" ARM64
			       "kslab.kernel=6.1'",
		  "r");
	assert_non_null(f);
	assert_int_equal(bucket_words(f, ours, false), 0);
	assert_int_equal(pclose(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets_listed),
		cmocka_unit_test(test_no_buckets_before_6_11),
		cmocka_unit_test(test_command_real_6_12),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
