// SPDX-License-Identifier: MIT
/*
 * Walking the caches and what a cache costs the kernel's own caches:
 * kslab_for_each_cache() (every cache once, in /proc/slabinfo order,
 * aliases not apart, early stop, nothing without a machine), and the
 * kmem_cache and kmem_cache_node objects every cache really created
 * holds from its creation to its destruction (an alias holds none).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/kslab_test.h"

/* the names of a slabinfo text's rows, after the two header lines */
static int slabinfo_names(char *text, char (*names)[64], int max)
{
	char *line, *save;
	int n = 0;

	text = strchr(strchr(text, '\n') + 1, '\n') + 1;
	for (line = strtok_r(text, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%63s", names[n]) == 1)
			n++;
	return n;
}

/* kslab_for_each_cache() callback: count the caches */
static int count_cache(struct kmem_cache *s, void *arg)
{
	(void)s;
	++*(int *)arg;
	return 0;
}

static void shrink_boot_caches(void)
{
	kmem_cache_shrink(kslab_find_cache("kmem_cache"));
	kmem_cache_shrink(kslab_find_cache("kmem_cache_node"));
}

/* active_objs of kmem_cache and kmem_cache_node with no CPU slab */
static void boot_counts(unsigned long *kc, unsigned long *kcn)
{
	shrink_boot_caches();
	*kc = cache_info_of(kslab_find_cache("kmem_cache")).active_objs;
	*kcn = cache_info_of(kslab_find_cache("kmem_cache_node")).active_objs;
}

/*
 * Every cache really created holds one kmem_cache object and one
 * kmem_cache_node object (one node) until it is destroyed; an alias
 * holds none. With the CPU slabs flushed, active_objs is the exact count.
 */
static void test_caches_take_boot_objects(void **state)
{
	enum { N = 100 };
	static struct kmem_cache *made[N];
	unsigned long kc0, kcn0, kc, kcn;
	struct kmem_cache *alias;
	char name[32];
	int rows = 0;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	boot_counts(&kc0, &kcn0);
	/* every cache of the boot, these two included, holds one of each */
	assert_int_equal(kslab_for_each_cache(count_cache, &rows), 0);
	assert_int_equal(kc0, rows);
	assert_int_equal(kcn0, rows);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "made-%d", i);
		made[i] = kmem_cache_create(name, 40 + 8 * i, 0, SLAB_NO_MERGE,
					    NULL);
		assert_non_null(made[i]);
	}
	boot_counts(&kc, &kcn);
	assert_int_equal(kc, kc0 + N);
	assert_int_equal(kcn, kcn0 + N);
	/* an alias is no new cache */
	alias = kmem_cache_create("merge-target", 1000, 0, 0, NULL);
	assert_non_null(alias);
	boot_counts(&kc, &kcn);
	assert_int_equal(kc, kc0 + N + 1);
	assert_ptr_equal(kmem_cache_create("alias", 1000, 0, 0, NULL), alias);
	boot_counts(&kc, &kcn);
	assert_int_equal(kc, kc0 + N + 1);
	assert_int_equal(kcn, kcn0 + N + 1);
	kmem_cache_destroy(alias); /* the alias: only the count drops */
	boot_counts(&kc, &kcn);
	assert_int_equal(kc, kc0 + N + 1);
	kmem_cache_destroy(alias);
	for (int i = 0; i < N; i++)
		kmem_cache_destroy(made[i]);
	boot_counts(&kc, &kcn);
	assert_int_equal(kc, kc0);
	assert_int_equal(kcn, kcn0);
}

struct walk {
	struct kmem_cache *seen[512];
	int nr, stop_at;
};

static int record_cache(struct kmem_cache *s, void *arg)
{
	struct walk *w = arg;
	struct kslab_cache_info i;

	assert_int_equal(kslab_cache_info(s, &i), 0); /* allowed inside */
	w->seen[w->nr++] = s;
	return w->nr == w->stop_at ? 1000 + w->nr : 0;
}

static void test_for_each_cache(void **state)
{
	static char rows[512][64];
	static char text[1 << 16];
	static struct walk w;
	struct kmem_cache *a, *b, *c;
	int n, count = 0;
	FILE *f;

	assert_int_equal(kslab_for_each_cache(NULL, NULL), -EINVAL);
	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	a = kmem_cache_create("walk-a", 300, 0, SLAB_NO_MERGE, NULL);
	b = kmem_cache_create("walk-b", 300, 0, SLAB_NO_MERGE, NULL);
	c = kmem_cache_create("walk-c", 300, 0, 0, NULL);
	/* an alias of c: not visited apart */
	assert_ptr_equal(kmem_cache_create("walk-c2", 300, 0, 0, NULL), c);

	/* every cache once, in the order of /proc/slabinfo */
	memset(&w, 0, sizeof(w));
	assert_int_equal(kslab_for_each_cache(record_cache, &w), 0);
	f = fmemopen(text, sizeof(text), "w");
	assert_int_equal(kslab_show("slabinfo", f), 0);
	fclose(f);
	n = slabinfo_names(text, rows, 512);
	assert_int_equal(w.nr, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(cache_info_of(w.seen[i]).name, rows[i]);
	/* newest first: the three just made, the boot caches last */
	assert_ptr_equal(w.seen[0], c);
	assert_ptr_equal(w.seen[1], b);
	assert_ptr_equal(w.seen[2], a);
	assert_ptr_equal(w.seen[n - 1], kslab_find_cache("kmem_cache"));
	assert_ptr_equal(w.seen[n - 2], kslab_find_cache("kmem_cache_node"));
	assert_int_equal(kslab_for_each_cache(count_cache, &count), 0);
	assert_int_equal(count, n);

	/* an early stop returns fn's value and visits no further */
	memset(&w, 0, sizeof(w));
	w.stop_at = 2;
	assert_int_equal(kslab_for_each_cache(record_cache, &w), 1002);
	assert_int_equal(w.nr, 2);
	assert_ptr_equal(w.seen[1], b);

	/* a destroyed cache is gone from the walk */
	kmem_cache_destroy(b);
	count = 0;
	assert_int_equal(kslab_for_each_cache(count_cache, &count), 0);
	assert_int_equal(count, n - 1);
	kmem_cache_destroy(a);
	kmem_cache_destroy(c);
	kmem_cache_destroy(c);

	/* no machine: nothing to visit */
	kslab_shutdown();
	count = 0;
	assert_int_equal(kslab_for_each_cache(count_cache, &count), 0);
	assert_int_equal(count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_caches_take_boot_objects,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_for_each_cache,
					  shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
