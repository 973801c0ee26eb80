// SPDX-License-Identifier: MIT
/*
 * Misuse that must not crash (issue 15, library items 8-11): boots too
 * small for the kernel's own caches, destroyed and shut-down caches used
 * again, destroys of caches that must live, krealloc() of a foreign
 * pointer, an empty cache name, the normalised command line and repeated
 * boot parameters. Each case is refused with a message and a defined
 * result; the ASan build checks that no freed memory is read.
 */
#include <errno.h>
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
#include "helpers/capture.h"
#include "helpers/kslab_test.h"

static void assert_contains(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("expected \"%s\" in:\n%s", needle, text);
}

/* 8: too little memory for kmem_cache_node: -ENOMEM, then a good boot */
static void test_boot_too_small(void **state)
{
	static const char *const small[] = {
		"arch=x86_64 mem=1M",
		"arch=arm64 memmap=64K@2G",
	};
	const char *msg;

	for (size_t i = 0; i < 2; i++) {
		capture_start();
		assert_int_equal(kslab_boot(small[i]), -ENOMEM);
		msg = capture_stop();
		assert_contains(msg,
				"Creation of kmalloc slab kmem_cache_node");
		assert_contains(msg, "not booted");
		assert_false(kslab_booted());
		assert_null(kslab_cmdline());
	}
	assert_int_equal(kslab_boot("arch=x86_64 mem=256M"), 0);
	assert_non_null(kslab_find_cache("kmem_cache_node"));
	void *p = kmalloc(100, GFP_KERNEL);

	assert_non_null(p);
	kfree(p);
}

/* 9: a second destroy is refused, and so is destroying a kmalloc cache */
static void test_destroy_twice_and_kmalloc(void **state)
{
	struct kmem_cache *s, *km;
	void *p;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	s = kmem_cache_create("robust_twice", 100, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(s);
	kmem_cache_destroy(s);
	assert_null(kslab_find_cache("robust_twice"));
	capture_start();
	kmem_cache_destroy(s);
	assert_contains(capture_stop(), "kmem_cache_destroy(robust_twice)");

	km = kmalloc_slab(64, GFP_KERNEL);
	assert_non_null(km);
	capture_start();
	kmem_cache_destroy(km);
	assert_contains(capture_stop(),
			"kmem_cache_destroy kmalloc-64: a kmalloc cache");
	assert_ptr_equal(kslab_find_cache("kmalloc-64"), km);
	p = kmalloc(64, GFP_KERNEL);
	assert_non_null(p);
	kfree(p);

	/* the boot caches: the kernel's refcount -1 keeps them too */
	capture_start();
	kmem_cache_destroy(kslab_find_cache("kmem_cache"));
	assert_contains(capture_stop(), "a boot cache cannot be destroyed");
	assert_non_null(kslab_find_cache("kmem_cache"));
	s = kmem_cache_create("robust_after", 48, 0, 0, NULL);
	assert_non_null(s);
	kmem_cache_destroy(s);
}

/* 10: a destroyed cache, then a shut-down one: alloc and free refused */
static void test_use_after_destroy(void **state)
{
	struct kmem_cache *s, *other;
	struct kslab_cache_info info;
	void *obj, *live;

	const char *msg;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=1"), 0);
	s = kmem_cache_create("robust_dead", 64, 0, SLAB_NO_MERGE, NULL);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(obj);
	kmem_cache_free(s, obj);
	kmem_cache_destroy(s);
	/* another cache may now own the same memory */
	other = kmem_cache_create("robust_other", 64, 0, SLAB_NO_MERGE, NULL);
	live = kmem_cache_alloc(other, GFP_KERNEL);
	assert_non_null(live);

	capture_start();
	assert_null(kmem_cache_alloc(s, GFP_KERNEL));
	kmem_cache_free(s, obj);
	kmem_cache_free(s, live); /* not freed into robust_other either */
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(kslab_cache_info(s, &info), -EINVAL);
	msg = capture_stop();
	assert_contains(
		msg, "kmem_cache_alloc(robust_dead): the cache was destroyed");
	assert_contains(
		msg, "kmem_cache_free(robust_dead): the cache was destroyed");
	/* live was left allocated: freeing it now is no double free */
	capture_start();
	kmem_cache_free(other, live);
	kmem_cache_destroy(other);
	assert_string_equal(capture_stop(), "");
}

static void test_use_after_shutdown(void **state)
{
	struct kmem_cache *s;
	void *obj;
	const char *msg;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=1"), 0);
	s = kmem_cache_create("robust_gone", 200, 0, 0, NULL);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(obj);
	kslab_shutdown();

	capture_start();
	kmem_cache_free(s, obj);
	assert_null(kmem_cache_alloc(s, GFP_KERNEL));
	kmem_cache_destroy(s);
	msg = capture_stop();
	assert_contains(msg, "kmem_cache_free(robust_gone)");
	assert_contains(msg, "kmem_cache_alloc(robust_gone)");
	assert_contains(msg, "kmem_cache_destroy(robust_gone)");
	assert_false(kslab_booted()); /* refused without booting */

	/* a new machine: this thread owns its CPU, the fast paths run */
	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=1"), 0);
	obj = kmalloc(200, GFP_KERNEL);
	assert_non_null(obj);
	capture_start();
	assert_null(kmem_cache_alloc(s, GFP_KERNEL));
	kmem_cache_free(s, obj);
	assert_contains(capture_stop(), "robust_gone");
	kfree(obj); /* still a live kmalloc object */
}

/* 11: krealloc() of a foreign pointer, an empty name */
static void test_krealloc_and_name(void **state)
{
	static char outside[64];
	char *p, *q;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M"), 0);
	capture_start();
	assert_null(krealloc(outside, 100, GFP_KERNEL));
	assert_contains(capture_stop(), "krealloc");
	p = kmalloc(16, GFP_KERNEL);
	assert_non_null(p);
	strcpy(p, "kept");
	q = krealloc(p, 4000, GFP_KERNEL);
	assert_non_null(q);
	assert_string_equal(q, "kept");
	kfree(q);

	capture_start();
	assert_null(kmem_cache_create("", 32, 0, 0, NULL));
	assert_contains(capture_stop(), "integrity check failed");
}

/* 11: the command line an implicit boot used, normalised */
static void test_cmdline_normalised(void **state)
{
	const char *line;

	unsetenv("KSLAB_BOOT");
	kfree(kmalloc(8, GFP_KERNEL)); /* boots */
	line = kslab_cmdline();
	assert_non_null(line);
	assert_contains(line, "arch=");
	assert_contains(line, "mem=");
	assert_contains(line, "nr_cpus=");
	kslab_shutdown();

	/* the line it names boots the same machine */
	setenv("KSLAB_BOOT", "  arch=x86_64\tmem=256M   nr_cpus=2 ", 1);
	kfree(kmalloc(8, GFP_KERNEL));
	assert_string_equal(kslab_cmdline(), "arch=x86_64 mem=256M nr_cpus=2");
	unsetenv("KSLAB_BOOT");
}

/* 11: a parameter given twice: the last wins, with a warning */
static void test_repeated_parameter(void **state)
{
	struct kslab_arch_info a;
	const char *msg;

	capture_start();
	assert_int_equal(kslab_boot("arch=x86_64 arch=arm64 mem=1G mem=256M "
				    "memmap=64M@4G nr_cpus=2 slub_min_order=1 "
				    "slab_min_order=1"),
			 0);
	msg = capture_stop();
	assert_contains(msg,
			"'arch=arm64' overrides the earlier 'arch=x86_64'");
	assert_contains(msg, "'mem=256M' overrides the earlier 'mem=1G'");
	assert_null(strstr(msg, "min_order")); /* the same value: no warning */
	assert_int_equal(kslab_arch_info(&a), 0);
	assert_string_equal(a.name, "arm64");
	/* both ranges: the last mem= and the memmap= */
	assert_in_range(kslab_totalram_pages() * a.page_size >> 20, 257, 320);
	assert_string_equal(kslab_cmdline(),
			    "arch=arm64 mem=256M memmap=64M@4G nr_cpus=2 "
			    "slab_min_order=1 page_size=4K");
}

/* the command's exit status (-1 if it did not exit) */
static int kslab_cmd(const char *args)
{
	char cmd[512];
	int st;

	snprintf(cmd, sizeof(cmd), "%s/kslab %s", KSLAB_BINDIR, args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* command items 4, 5: write errors exit 1, a boot too small exits 2 */
static void test_command_status(void **state)
{
	assert_int_equal(kslab_cmd("show slabinfo --boot mem=256M >/dev/null"),
			 0);
	assert_int_equal(
		kslab_cmd(
			"show slabinfo --boot mem=256M >/dev/full 2>/dev/null"),
		1);
	assert_int_equal(
		kslab_cmd("show meminfo --boot mem=256M >&- 2>/dev/null"), 1);
	assert_int_equal(
		kslab_cmd("show meminfo --boot mem=1M >/dev/null 2>&1"), 2);
	assert_int_equal(kslab_cmd(
				 "trace-stats " KSLAB_TEST_DATADIR
				 "/replay-kmalloc-cache.trace >/dev/null 2>&1"),
			 0);
	assert_int_equal(
		kslab_cmd("trace-stats " KSLAB_TEST_DATADIR
			  "/replay-kmalloc-cache.trace >/dev/full 2>/dev/null"),
		1);
	assert_int_equal(kslab_cmd("trace-stats " KSLAB_TEST_DATADIR
				   "/replay-kmalloc-cache.trace >&- 2>&-"),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_boot_too_small,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_destroy_twice_and_kmalloc,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_use_after_destroy,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_use_after_shutdown,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_krealloc_and_name,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_cmdline_normalised,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_repeated_parameter,
					  shutdown_teardown),
		cmocka_unit_test(test_command_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
