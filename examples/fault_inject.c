// SPDX-License-Identifier: MIT
/*
 * Testing a program's error paths with fault injection, as kernel
 * developers do with failslab and /proc/self/fail-nth.
 *
 * build_list() allocates a list of records, each with a kmalloc'ed name
 * and value array; on any failure it must free what it took and return
 * -ENOMEM. The harness fails its 1st allocation, then its 2nd, and so on
 * (kslab_fail_nth()), until a run completes without reaching the
 * injected failure, and after every run checks that no object is left
 * allocated. A deliberately leaky variant shows what a caught bug looks
 * like. Then a soak run fails 10% of the allocations at random (seeded:
 * the same seed gives the same failures).
 *
 *   example_fault_inject [SEED]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kslab/kslab.h>

struct record {
	char *name;
	int *values;
	struct record *next;
};

static struct kmem_cache *record_cache;

static void free_list(struct record *r)
{
	while (r) {
		struct record *next = r->next;

		kfree(r->name);
		kfree(r->values);
		kmem_cache_free(record_cache, r);
		r = next;
	}
}

/* the code under test: n records, all or none */
static int build_list(struct record **out, int n, bool leaky)
{
	struct record *head = NULL;

	for (int i = 0; i < n; i++) {
		struct record *r = kmem_cache_zalloc(record_cache, GFP_KERNEL);
		char name[32];

		if (!r)
			goto fail;
		snprintf(name, sizeof(name), "record-%d", i);
		r->name = kstrdup(name, GFP_KERNEL);
		r->values = kcalloc(16 + i, sizeof(int), GFP_KERNEL);
		if (!r->name || !r->values) {
			if (!leaky)
				kfree(r->name);
			kfree(r->values);
			kmem_cache_free(record_cache, r);
			goto fail;
		}
		r->next = head;
		head = r;
	}
	*out = head;
	return 0;
fail:
	free_list(head);
	return -ENOMEM;
}

/* objects in use in every cache: what a leak raises */
static int add_in_use(struct kmem_cache *s, void *arg)
{
	struct kslab_cache_usage u;

	if (!kslab_cache_usage(s, &u))
		*(unsigned long *)arg += u.in_use;
	return 0;
}

static unsigned long objects_in_use(void)
{
	unsigned long n = 0;

	kslab_for_each_cache(add_in_use, &n);
	return n;
}

/* fail the 1st, 2nd, ... allocation of build_list() in turn */
static int every_failure_point(bool leaky)
{
	unsigned long base = objects_in_use();
	int leaks = 0;

	for (unsigned int nth = 1;; nth++) {
		struct record *list = NULL;
		unsigned long now;
		bool reached;
		int ret;

		kslab_fail_nth(nth);
		ret = build_list(&list, 3, leaky);
		reached = kslab_fail_nth_left() == 0;
		kslab_fail_nth(0);
		if (!ret)
			free_list(list);
		now = objects_in_use();
		if (reached && ret != -ENOMEM)
			printf("  allocation %u failed but build_list() returned %d\n",
			       nth, ret);
		if (now != base) {
			printf("  allocation %u failed: %lu object(s) leaked\n",
			       nth, now - base);
			leaks++;
			base = now;
		}
		if (!reached) {
			printf("  %s: %u failure points tried, %d leaking\n",
			       leaky ? "leaky build_list" : "build_list",
			       nth - 1, leaks);
			return leaks;
		}
	}
}

static void soak(uint64_t seed)
{
	struct kslab_fault_attr a;
	unsigned int ok = 0, failed = 0;
	unsigned long base = objects_in_use();
	unsigned long injected = kslab_fault_count(KSLAB_FAILSLAB);

	kslab_fault_attr_get(KSLAB_FAILSLAB, &a);
	a.probability = 10;
	a.times = -1;
	a.seed = seed;
	kslab_fault_attr_set(KSLAB_FAILSLAB, &a);
	for (int i = 0; i < 1000; i++) {
		struct record *list;

		if (build_list(&list, 4, false)) {
			failed++;
			continue;
		}
		ok++;
		free_list(list);
	}
	kslab_fault_attr_reset(KSLAB_FAILSLAB);
	printf("soak, seed %llu: %u built, %u failed cleanly, %lu injected, "
	       "%lu object(s) leaked\n",
	       (unsigned long long)seed, ok, failed,
	       kslab_fault_count(KSLAB_FAILSLAB) - injected,
	       objects_in_use() - base);
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	struct kslab_fault_attr a;
	int leaks;

	if (kslab_boot("mem=256M nr_cpus=2"))
		return 1;
	record_cache = kmem_cache_create("record", sizeof(struct record), 0,
					 SLAB_NO_MERGE, NULL);
	/* GFP_KERNEL requests are candidates too; no report on stderr */
	kslab_fault_attr_get(KSLAB_FAILSLAB, &a);
	a.ignore_gfp_wait = false;
	a.verbose = 0;
	kslab_fault_attr_set(KSLAB_FAILSLAB, &a);

	printf("every failure point:\n");
	leaks = every_failure_point(false);
	leaks += !every_failure_point(true); /* the leak must be caught */
	soak(seed);
	kmem_cache_destroy(record_cache);
	kslab_shutdown();
	return leaks ? 1 : 0;
}
