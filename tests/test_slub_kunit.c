// SPDX-License-Identifier: MIT
/*
 * The cases of the kernel's lib/tests/slub_kunit.c (6.18), one test each
 * under the kernel's case name, written from what each case checks: the
 * same cache names, sizes and flags, the same writes, and the error
 * count the kernel's KUnit hook expects (slab_errors), read here as the
 * rise of kslab_slub_debug_errors(). validate_slab_cache() is
 * kmem_cache_validate(); __kmalloc_cache_noprof() is __kmalloc_cache().
 * The kmalloc_nolock() cases (perf events, kprobes) have nothing to run
 * on here.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/capture.h"
#include "helpers/kslab_test.h"

#define SLUB_RED_ACTIVE 0xcc

static unsigned long errors_at_start;

/* test_init(): a machine, and the error count from here */
static int setup(void **state)
{
	(void)state;
	if (kslab_boot("arch=x86_64 mem=256M nr_cpus=1"))
		return -1;
	errors_at_start = kslab_slub_debug_errors();
	return 0;
}

static unsigned long slab_errors(void)
{
	return kslab_slub_debug_errors() - errors_at_start;
}

/* test_kmem_cache_create(): no slub_debug= flags of the boot added */
static struct kmem_cache *test_cache(const char *name, unsigned int size,
				     slab_flags_t flags)
{
	struct kmem_cache *s = kmem_cache_create(
		name, size, 0, flags | SLAB_NO_USER_FLAGS, NULL);

	assert_non_null(s);
	return s;
}

/* validate_slab_cache(), its reports kept off the test's output */
static void validate(struct kmem_cache *s)
{
	capture_start();
	assert_true(kmem_cache_validate(s) >= 0);
	capture_stop();
}

static void test_clobber_zone(void **state)
{
	struct kmem_cache *s =
		test_cache("TestSlub_RZ_alloc", 64, SLAB_RED_ZONE);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	p[64] = 0x12;
	validate(s);
	assert_int_equal(slab_errors(), 2);
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}

static void test_next_pointer(void **state)
{
	struct kmem_cache *s =
		test_cache("TestSlub_next_ptr_free", 64, SLAB_POISON);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);
	unsigned int offset = cache_info_of(s).offset;
	unsigned long tmp;

	kmem_cache_free(s, p);
	memcpy(&tmp, p + offset, sizeof(tmp));
	p[offset] = (unsigned char)~p[offset];
	/* the corrupted freechain, the wrong in-use count, its fix */
	validate(s);
	assert_int_equal(slab_errors(), 3);
	/* the pointer repaired: the count again (the first validation set
	 * it from the cut chain), and its fix */
	memcpy(p + offset, &tmp, sizeof(tmp));
	errors_at_start = kslab_slub_debug_errors();
	validate(s);
	assert_int_equal(slab_errors(), 2);
	/* repaired by then */
	errors_at_start = kslab_slub_debug_errors();
	validate(s);
	assert_int_equal(slab_errors(), 0);
	kmem_cache_destroy(s);
}

static void test_first_word(void **state)
{
	struct kmem_cache *s =
		test_cache("TestSlub_1th_word_free", 64, SLAB_POISON);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	*p = 0x78;
	validate(s);
	assert_int_equal(slab_errors(), 2);
	kmem_cache_destroy(s);
}

static void test_clobber_50th_byte(void **state)
{
	struct kmem_cache *s =
		test_cache("TestSlub_50th_word_free", 64, SLAB_POISON);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	p[50] = 0x9a;
	validate(s);
	assert_int_equal(slab_errors(), 2);
	kmem_cache_destroy(s);
}

static void test_clobber_redzone_free(void **state)
{
	struct kmem_cache *s =
		test_cache("TestSlub_RZ_free", 64, SLAB_RED_ZONE);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	p[64] = 0xab;
	validate(s);
	assert_int_equal(slab_errors(), 2);
	kmem_cache_destroy(s);
}

/* two bytes past an 18-byte request in a 32-byte object: the overwritten
 * kmalloc red zone, and its fix */
static void test_kmalloc_redzone_access(void **state)
{
	struct kmem_cache *s =
		test_cache("TestSlub_RZ_kmalloc", 32,
			   SLAB_KMALLOC | SLAB_STORE_USER | SLAB_RED_ZONE);
	unsigned char *p = __kmalloc_cache(s, GFP_KERNEL, 18);
	const char *msg;

	assert_non_null(p);
	p[18] = 0xab;
	p[19] = 0xab;
	capture_start();
	assert_true(kmem_cache_validate(s) >= 0);
	msg = capture_stop();
	assert_int_equal(slab_errors(), 2);
	assert_non_null(strstr(msg, "[kmalloc Redzone overwritten]"));
	assert_non_null(strstr(msg, "First byte 0xab instead of 0xcc"));
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}

/* the kernel's struct rcu_head (callback_head); kslab leaves it to us */
struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

struct test_kfree_rcu_struct {
	struct rcu_head rcu;
};

/* kfree_rcu() of an object, then the cache destroyed at once: the
 * destroy waits for it, so no object is left (no error) */
static void test_kfree_rcu(void **state)
{
	struct kmem_cache *s = test_cache("TestSlub_kfree_rcu",
					  sizeof(struct test_kfree_rcu_struct),
					  SLAB_NO_MERGE);
	struct test_kfree_rcu_struct *p = kmem_cache_alloc(s, GFP_KERNEL);

	assert_non_null(p);
	kfree_rcu(p, rcu);
	kmem_cache_destroy(s);
	assert_int_equal(slab_errors(), 0);
}

static void *destroy_worker(void *arg)
{
	kmem_cache_destroy(arg);
	return NULL;
}

#define KMEM_CACHE_DESTROY_NR 10

/* the same, the destroy on another thread (the kernel's workqueue) after
 * a short random wait */
static void test_kfree_rcu_wq_destroy(void **state)
{
	unsigned int seed = test_seed("test_kfree_rcu_wq_destroy");

	srand(seed);
	for (int i = 0; i < KMEM_CACHE_DESTROY_NR; i++) {
		struct kmem_cache *s = test_cache(
			"TestSlub_kfree_rcu_wq_destroy",
			sizeof(struct test_kfree_rcu_struct), SLAB_NO_MERGE);
		struct test_kfree_rcu_struct *p =
			kmem_cache_alloc(s, GFP_KERNEL);
		struct timespec delay = { 0, (rand() % 256) * 10000L };
		pthread_t worker;

		assert_non_null(p);
		kfree_rcu(p, rcu);
		nanosleep(&delay, NULL);
		assert_int_equal(
			pthread_create(&worker, NULL, destroy_worker, s), 0);
		pthread_join(worker, NULL);
	}
	assert_int_equal(slab_errors(), 0);
}

/* a destroy with an object left: the slab and the object reported */
static void test_leak_destroy(void **state)
{
	struct kmem_cache *s =
		test_cache("TestSlub_leak_destroy", 64, SLAB_NO_MERGE);
	const char *msg;

	assert_non_null(kmem_cache_alloc(s, GFP_KERNEL));
	capture_start();
	kmem_cache_destroy(s);
	msg = capture_stop();
	assert_int_equal(slab_errors(), 2);
	assert_non_null(strstr(msg, "on __kmem_cache_shutdown()"));
	assert_non_null(strstr(msg, "Slab cache still has 1 objects"));
}

/* krealloc() inside a 64-byte kmalloc object keeps the request size:
 * __GFP_ZERO clears what grows, the rest stays a red zone; a grow past
 * the object copies the request only */
static void test_krealloc_redzone_zeroing(void **state)
{
	struct kmem_cache *s =
		test_cache("TestSlub_krealloc", 64,
			   SLAB_KMALLOC | SLAB_STORE_USER | SLAB_RED_ZONE);
	unsigned char *p = __kmalloc_cache(s, GFP_KERNEL, 48);
	int i;

	assert_non_null(p);
	memset(p, 0xff, 48);
	/* shrink */
	p = krealloc(p, 40, GFP_KERNEL | __GFP_ZERO);
	for (i = 40; i < 64; i++)
		assert_int_equal(p[i], SLUB_RED_ACTIVE);
	/* grow within the same object */
	p = krealloc(p, 56, GFP_KERNEL | __GFP_ZERO);
	for (i = 40; i < 56; i++)
		assert_int_equal(p[i], 0);
	for (i = 56; i < 64; i++)
		assert_int_equal(p[i], SLUB_RED_ACTIVE);
	validate(s);
	assert_int_equal(slab_errors(), 0);
	memset(p, 0xff, 56);
	/* grow into a 128-byte kmalloc object */
	p = krealloc(p, 112, GFP_KERNEL | __GFP_ZERO);
	for (i = 0; i < 56; i++)
		assert_int_equal(p[i], 0xff);
	for (i = 56; i < 112; i++)
		assert_int_equal(p[i], 0);
	kfree(p);
	kmem_cache_destroy(s);
	assert_int_equal(slab_errors(), 0);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, setup, shutdown_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CASE(test_clobber_zone),
		CASE(test_next_pointer),
		CASE(test_first_word),
		CASE(test_clobber_50th_byte),
		CASE(test_clobber_redzone_free),
		CASE(test_kmalloc_redzone_access),
		CASE(test_kfree_rcu),
		CASE(test_kfree_rcu_wq_destroy),
		CASE(test_leak_destroy),
		CASE(test_krealloc_redzone_zeroing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
