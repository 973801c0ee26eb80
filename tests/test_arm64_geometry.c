// SPDX-License-Identifier: MIT
/*
 * The caches of real Debian arm64 boots (QEMU virt, 2 CPUs, 2 GiB of
 * RAM at 1 GiB physical; data/traces/arm64-*, see data/traces/README.md)
 * under the policy of each kernel:
 *
 *   Linux 6.1.192   kslab.kernel=6.1 arch=arm64 kmalloc.legacy
 *   Linux 6.12.117  kslab.kernel=6.12 arch=arm64 (a 2 MiB swiotlb)
 *
 * and of boots that change one thing the geometry depends on, each
 * booted into kslab with the same change: 8 or 4 CPUs (-smp 8:
 * nr_cpus=8), slab_nomerge, slub_max_order=1 slub_min_objects=8,
 * slub_min_order=2, slub_debug=FZPU, slub_debug= for three caches.
 *
 * For every row of the machine's /sys/kernel/slab snapshot: a cache the
 * boot makes (kmalloc-*, dma-kmalloc-*, kmem_cache, kmem_cache_node,
 * kmalloc_buckets, and from 6.11 memdup_user-* and msg_msg-*) is looked
 * up, every other one is created as the row describes
 * (tools/trace/slabs_create.c; unique-id and named rows first, then the
 * names the kernel merged), and slab_size, order and objs_per_slab must
 * be the kernel's, and so must min_partial and cpu_partial
 * (set_min_partial(), set_cpu_partial()); each alias must merge into the
 * cache with its link's unique id. Then the boot's kmalloc cache set
 * (names, object size, objects per slab, pages per slab) must be the
 * machine's /proc/slabinfo's, no more and no fewer.
 */
#define _GNU_SOURCE
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
#include "slab/slab_internal.h"
#include "trace/slabs_create.h"
#include "trace/slabs_tsv.h"

#ifndef KSLAB_DATADIR
#define KSLAB_DATADIR "data"
#endif
#define BOOT_COMMON "arch=arm64 memmap=2G@1G nr_cpus=2 "

struct arm64_case {
	const char *dir;
	const char *boot;
	unsigned int rows; /* caches in the snapshot */
};

static const struct arm64_case case_6_1 = {
	KSLAB_DATADIR "/traces/arm64-6.1.192-2G",
	BOOT_COMMON "kslab.kernel=6.1 kmalloc.legacy",
	224,
};

static const struct arm64_case case_6_12 = {
	KSLAB_DATADIR "/traces/arm64-6.12.117-2G",
	BOOT_COMMON "kslab.kernel=6.12",
	286,
};

/* the same kernel booted with slub_debug=FZPU: every cache debugged */
static const struct arm64_case case_6_12_debug = {
	KSLAB_DATADIR "/traces/arm64-6.12.117-2G-slub_debug",
	BOOT_COMMON "kslab.kernel=6.12 slub_debug=FZPU",
	230,
};

/* one variable changed from the 2 GiB boot each (see data/traces/README.md) */
static const struct arm64_case case_6_12_nomerge = {
	KSLAB_DATADIR "/traces/arm64-6.12.117-2G-slab_nomerge",
	BOOT_COMMON "kslab.kernel=6.12 slab_nomerge",
	230,
};

static const struct arm64_case case_6_1_nomerge = {
	KSLAB_DATADIR "/traces/arm64-6.1.192-2G-slab_nomerge",
	BOOT_COMMON "kslab.kernel=6.1 kmalloc.legacy slab_nomerge",
	169,
};

static const struct arm64_case case_6_1_smp8 = {
	KSLAB_DATADIR "/traces/arm64-6.1.192-2G-smp8",
	"arch=arm64 memmap=2G@1G nr_cpus=8 kslab.kernel=6.1 kmalloc.legacy",
	224,
};

static const struct arm64_case case_6_1_max_order1 = {
	KSLAB_DATADIR "/traces/arm64-6.1.192-2G-max_order1",
	BOOT_COMMON "kslab.kernel=6.1 kmalloc.legacy slub_max_order=1 "
		    "slub_min_objects=8",
	224,
};

/* order limit and object count from the command line: 2 CPUs ignored */
static const struct arm64_case case_6_12_max_order1 = {
	KSLAB_DATADIR "/traces/arm64-6.12.117-2G-max_order1",
	BOOT_COMMON "kslab.kernel=6.12 slub_max_order=1 slub_min_objects=8",
	286,
};

static const struct arm64_case case_6_12_min_order2 = {
	KSLAB_DATADIR "/traces/arm64-6.12.117-2G-min_order2",
	BOOT_COMMON "kslab.kernel=6.12 slub_min_order=2",
	286,
};

/* debugging for three caches only (dentry, kmalloc-64, kmalloc-1k) */
static const struct arm64_case case_6_12_debug_some = {
	KSLAB_DATADIR "/traces/arm64-6.12.117-2G-debug_some",
	BOOT_COMMON
	"kslab.kernel=6.12 slub_debug=FZ,dentry,kmalloc-64;P,kmalloc-1k",
	286,
};

/* 4 CPUs: min_objects 4 * (fls(4) + 1) = 16 */
static const struct arm64_case case_6_12_smp4 = {
	KSLAB_DATADIR "/traces/arm64-6.12.117-2G-smp4",
	"arch=arm64 memmap=2G@1G nr_cpus=4 kslab.kernel=6.12",
	286,
};

/* 8 CPUs: min_objects 4 * (fls(8) + 1) = 20 */
static const struct arm64_case case_6_12_smp8 = {
	KSLAB_DATADIR "/traces/arm64-6.12.117-2G-smp8",
	"arch=arm64 memmap=2G@1G nr_cpus=8 kslab.kernel=6.12",
	286,
};

/* the per-node and per-CPU partial-list settings of one slabs.tsv row */
struct partial_row {
	char name[64];
	unsigned int min_partial, cpu_partial;
};

struct partial_table {
	struct partial_row *v;
	unsigned int nr;
};

struct tally {
	unsigned int rows, match, merge_rows, merged, partial_match;
	const struct partial_table *partial;
};

/* column index of name in a tab-separated header line, or -1 */
static int tsv_column(const char *header, const char *name)
{
	size_t len = strlen(name);
	int col = 0;

	for (const char *p = header; p; col++) {
		const char *end = strpbrk(p, "\t\n");
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == len && !strncmp(p, name, len))
			return col;
		p = end && *end == '\t' ? end + 1 : NULL;
	}
	return -1;
}

/* the field at column col of a line (tabs in place), as unsigned */
static unsigned int tsv_uint(const char *line, int col)
{
	for (int i = 0; i < col && line; i++) {
		line = strchr(line, '\t');
		line = line ? line + 1 : NULL;
	}
	assert_non_null(line);
	return (unsigned int)strtoul(line, NULL, 10);
}

/* min_partial and cpu_partial of every row of a slabs.tsv */
static void read_partial(const char *path, struct partial_table *t)
{
	char *text = slurp(path), *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	int min_col, cpu_col;

	assert_non_null(line);
	min_col = tsv_column(line, "min_partial");
	cpu_col = tsv_column(line, "cpu_partial");
	assert_true(min_col > 0 && cpu_col > 0);
	t->v = calloc(512, sizeof(*t->v));
	assert_non_null(t->v);
	t->nr = 0;
	while ((line = strtok_r(NULL, "\n", &save))) {
		struct partial_row *r = &t->v[t->nr++];

		assert_true(t->nr <= 512);
		assert_int_equal(sscanf(line, "%63[^\t]", r->name), 1);
		r->min_partial = tsv_uint(line, min_col);
		r->cpu_partial = tsv_uint(line, cpu_col);
	}
	free(text);
}

static const struct partial_row *partial_find(const struct partial_table *t,
					      const char *name)
{
	for (unsigned int i = 0; i < t->nr; i++)
		if (!strcmp(t->v[i].name, name))
			return &t->v[i];
	return NULL;
}

static void check_partial(const struct slab_info *row,
			  const struct kslab_cache_info *i, struct tally *t)
{
	const struct partial_row *p = partial_find(t->partial, row->name);

	assert_non_null(p);
	if (i->min_partial == p->min_partial &&
	    i->cpu_partial == p->cpu_partial)
		t->partial_match++;
	else
		printf("DIFF %s: min_partial %u/%u cpu_partial %u/%u (kslab/kernel)\n",
		       row->name, i->min_partial, p->min_partial,
		       i->cpu_partial, p->cpu_partial);
}

/*
 * the caches a boot makes itself: kmalloc_caches[], kmem_cache_init() and
 * (6.11 on) the kmem_buckets of mm/util.c and ipc/msgutil.c
 */
static bool boot_made(const char *name)
{
	return !strncmp(name, "kmalloc-", 8) ||
	       !strncmp(name, "memdup_user-", 12) ||
	       !strncmp(name, "msg_msg-", 8) ||
	       !strncmp(name, "dma-kmalloc-", 12) ||
	       !strcmp(name, "kmem_cache") ||
	       !strcmp(name, "kmem_cache_node") ||
	       !strcmp(name, "kmalloc_buckets");
}

static void check_row(const struct slab_info *row, struct kmem_cache *s,
		      struct tally *t)
{
	struct kslab_cache_info i;

	t->rows++;
	if (!s) {
		printf("DIFF %s: not created\n", row->name);
		return;
	}
	i = cache_info_of(s);
	if (i.size == row->slab_size && i.order == row->order &&
	    i.objs_per_slab == row->objs_per_slab)
		t->match++;
	else
		printf("DIFF %s: slab_size %u/%u order %u/%u objs_per_slab %u/%u (kslab/kernel)\n",
		       row->name, i.size, row->slab_size, i.order, row->order,
		       i.objs_per_slab, row->objs_per_slab);
	check_partial(row, &i, t);
	if (!row->link[0])
		return;
	t->merge_rows++;
	if (!strcmp(i.unique_id, row->link))
		t->merged++;
	else
		printf("DIFF %s: merged into %s, kernel %s\n", row->name,
		       i.unique_id, row->link);
}

static struct kmem_cache *row_cache(const struct slab_snapshot *snap,
				    const struct slab_info *row)
{
	if (boot_made(row->name))
		return kslab_find_cache(row->name);
	return slabs_create_cache(snap, row, 0);
}

static void compare_snapshot(const struct slab_snapshot *snap, struct tally *t)
{
	/* the caches first, then the names merged into them */
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < snap->nr; k++) {
			const struct slab_info *row = &snap->v[k];

			if (!!row->link[0] == pass)
				check_row(row, row_cache(snap, row), t);
		}
}

/* ---- /proc/slabinfo: the kmalloc set ------------------------------------- */

struct slabinfo_row {
	char name[64];
	unsigned int objsize, objperslab, pagesperslab;
};

struct slabinfo {
	struct slabinfo_row v[256];
	unsigned int nr;
};

/* the boot-made caches of a /proc/slabinfo text */
static void parse_slabinfo(char *text, struct slabinfo *out)
{
	char *save = NULL;

	out->nr = 0;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct slabinfo_row r;
		unsigned long active, num;

		if (sscanf(line, "%63s %lu %lu %u %u %u", r.name, &active, &num,
			   &r.objsize, &r.objperslab, &r.pagesperslab) != 6 ||
		    !boot_made(r.name))
			continue;
		assert_true(out->nr < 256);
		out->v[out->nr++] = r;
	}
}

static const struct slabinfo_row *slabinfo_find(const struct slabinfo *si,
						const char *name)
{
	for (unsigned int i = 0; i < si->nr; i++)
		if (!strcmp(si->v[i].name, name))
			return &si->v[i];
	return NULL;
}

/* differences between the two sets, each printed */
static unsigned int compare_slabinfo(const struct slabinfo *kernel,
				     const struct slabinfo *ours)
{
	unsigned int diffs = 0;

	for (unsigned int i = 0; i < kernel->nr; i++) {
		const struct slabinfo_row *k = &kernel->v[i];
		const struct slabinfo_row *o = slabinfo_find(ours, k->name);

		if (!o) {
			printf("DIFF slabinfo: %s missing\n", k->name);
			diffs++;
		} else if (o->objsize != k->objsize ||
			   o->objperslab != k->objperslab ||
			   o->pagesperslab != k->pagesperslab) {
			printf("DIFF slabinfo %s: objsize %u/%u objperslab %u/%u pagesperslab %u/%u\n",
			       k->name, o->objsize, k->objsize, o->objperslab,
			       k->objperslab, o->pagesperslab, k->pagesperslab);
			diffs++;
		}
	}
	for (unsigned int i = 0; i < ours->nr; i++)
		if (!slabinfo_find(kernel, ours->v[i].name)) {
			printf("DIFF slabinfo: %s not in the kernel's\n",
			       ours->v[i].name);
			diffs++;
		}
	return diffs;
}

static void our_slabinfo(struct slabinfo *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(kslab_show("slabinfo", f), 0);
	fclose(f);
	parse_slabinfo(buf, out);
	free(buf);
}

static void run_case(const struct arm64_case *c)
{
	static struct slabinfo kernel, ours;
	struct slab_snapshot snap = { 0 };
	struct partial_table partial;
	struct tally t = { .partial = &partial };
	char path[512], err[256];
	char *text;
	unsigned int diffs;

	snprintf(path, sizeof(path), "%s/slabs.tsv", c->dir);
	assert_int_equal(slabs_tsv_read(path, &snap, err, sizeof(err)), 0);
	assert_int_equal(snap.nr, c->rows);
	read_partial(path, &partial);
	/* the boot-made set first, before any cache is created */
	assert_int_equal(kslab_boot(c->boot), 0);
	snprintf(path, sizeof(path), "%s/slabinfo", c->dir);
	text = slurp(path);
	parse_slabinfo(text, &kernel);
	free(text);
	our_slabinfo(&ours);
	diffs = compare_slabinfo(&kernel, &ours);
	compare_snapshot(&snap, &t);
	printf("%s: %u caches compared, %u match (slab_size, order, objs_per_slab), %u (min_partial, cpu_partial); merges %u/%u; boot-made caches %u, %u slabinfo differences\n",
	       c->boot, t.rows, t.match, t.partial_match, t.merged,
	       t.merge_rows, kernel.nr, diffs);
	assert_int_equal(t.rows, c->rows);
	assert_int_equal(t.match, t.rows);
	assert_int_equal(t.partial_match, t.rows);
	assert_int_equal(t.merged, t.merge_rows);
	assert_true(kernel.nr > 0);
	assert_int_equal(diffs, 0);
	slabs_free(&snap);
	free(partial.v);
}

static void test_arm64_6_1(void **state)
{
	(void)state;
	run_case(&case_6_1);
}

static void test_arm64_6_12(void **state)
{
	(void)state;
	run_case(&case_6_12);
}

static void test_arm64_6_12_slub_debug(void **state)
{
	(void)state;
	run_case(&case_6_12_debug);
}

static void test_arm64_6_12_slab_nomerge(void **state)
{
	(void)state;
	run_case(&case_6_12_nomerge);
}

static void test_arm64_6_12_smp8(void **state)
{
	(void)state;
	run_case(&case_6_12_smp8);
}

static void test_arm64_6_12_max_order1(void **state)
{
	(void)state;
	run_case(&case_6_12_max_order1);
}

static void test_arm64_6_1_slab_nomerge(void **state)
{
	(void)state;
	run_case(&case_6_1_nomerge);
}

static void test_arm64_6_1_smp8(void **state)
{
	(void)state;
	run_case(&case_6_1_smp8);
}

static void test_arm64_6_1_max_order1(void **state)
{
	(void)state;
	run_case(&case_6_1_max_order1);
}

static void test_arm64_6_12_min_order2(void **state)
{
	(void)state;
	run_case(&case_6_12_min_order2);
}

static void test_arm64_6_12_smp4(void **state)
{
	(void)state;
	run_case(&case_6_12_smp4);
}

static void test_arm64_6_12_debug_some(void **state)
{
	(void)state;
	run_case(&case_6_12_debug_some);
}

/* ---- each versioned rule on its own, from the kernel's source ---------- */

static struct kslab_cache_info info_of_new(const char *name, unsigned int size,
					   const struct kmem_cache_args *args,
					   slab_flags_t flags)
{
	struct kmem_cache *s = kmem_cache_create_args(name, size, args, flags);

	assert_non_null(s);
	return cache_info_of(s);
}

static void boot_kernel(const char *arch_line, const char *version)
{
	char line[256];

	snprintf(line, sizeof(line), "%s kslab.kernel=%s", arch_line, version);
	assert_int_equal(kslab_boot(line), 0);
}

/*
 * calculate_order(): with 2 CPUs (min_objects 12) an 11000-byte object
 * got order 2 (one object) from 6.1's loop, which fell back to a single
 * object, and gets order 3 (two objects) from 6.8 on.
 */
static void test_rule_calculate_order(void **state)
{
	static const struct kmem_cache_args none;
	struct kslab_cache_info i;

	(void)state;
	boot_kernel(BOOT_COMMON, "6.1");
	i = info_of_new("big", 11000, &none, 0);
	assert_int_equal(i.order, 2);
	assert_int_equal(i.objs_per_slab, 1);
	kslab_shutdown();
	boot_kernel(BOOT_COMMON, "6.12");
	i = info_of_new("big", 11000, &none, 0);
	assert_int_equal(i.order, 3);
	assert_int_equal(i.objs_per_slab, 2);
}

/*
 * create_boot_cache(): 6.1 aligns power-of-two boot caches to their size
 * (kmem_cache_node 64 -> 128 under a 128-byte ARCH_KMALLOC_MINALIGN) and
 * leaves kmalloc-96 at ARCH_KMALLOC_MINALIGN; 6.11+ gives kmalloc caches
 * their largest power-of-two divisor (kmalloc-96: 32). struct kmem_cache
 * and kmem_cache_node are 224 and 64 bytes before 6.18's sheaves.
 */
static void test_rule_boot_caches(void **state)
{
	struct kslab_cache_info i;

	(void)state;
	boot_kernel("arch=x86_64 mem=1G nr_cpus=2", "6.1");
	assert_int_equal(cache_info_of(kslab_find_cache("kmalloc-96")).align,
			 8);
	assert_int_equal(
		cache_info_of(kslab_find_cache("kmem_cache_node")).object_size,
		64);
	assert_int_equal(
		cache_info_of(kslab_find_cache("kmem_cache")).object_size, 224);
	assert_null(kslab_find_cache("kmalloc_buckets"));
	assert_null(kslab_find_cache("memdup_user-8"));
	assert_null(kslab_find_buckets("msg_msg"));
	kslab_shutdown();
	boot_kernel("arch=x86_64 mem=1G nr_cpus=2", "6.12");
	assert_int_equal(cache_info_of(kslab_find_cache("kmalloc-96")).align,
			 32);
	assert_non_null(kslab_find_cache("kmalloc_buckets"));
	assert_non_null(kslab_find_cache("memdup_user-8"));
	assert_non_null(kslab_find_buckets("msg_msg"));
	kslab_shutdown();
	boot_kernel("arch=x86_64 mem=1G nr_cpus=2", "6.18");
	assert_int_equal(
		cache_info_of(kslab_find_cache("kmem_cache_node")).object_size,
		72);
	assert_int_equal(
		cache_info_of(kslab_find_cache("kmem_cache")).object_size, 232);
	kslab_shutdown();
	boot_kernel(BOOT_COMMON "kmalloc.legacy", "6.1");
	i = cache_info_of(kslab_find_cache("kmem_cache_node"));
	assert_int_equal(i.align, 128);
	assert_int_equal(i.size, 128);
	kslab_shutdown();
	boot_kernel(BOOT_COMMON, "6.12");
	i = cache_info_of(kslab_find_cache("kmem_cache_node"));
	assert_int_equal(i.align, 64);
	assert_int_equal(i.size, 64);
}

/* the line after `name` in /proc/slabinfo (newest first) */
static void slabinfo_next(const char *name, char *next, size_t len)
{
	char *buf = NULL, *p;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	assert_int_equal(kslab_show("slabinfo", f), 0);
	fclose(f);
	p = strstr(buf, name);
	assert_non_null(p);
	p = strchr(p + 1, '\n');
	assert_non_null(p);
	assert_int_equal(sscanf(p + 1, "%63s", next), 1);
	(void)len;
	free(buf);
}

/* create_kmalloc_caches(): 6.1 made kmalloc-96 right after kmalloc-64 */
static void test_rule_kmalloc_order(void **state)
{
	char next[64];

	(void)state;
	boot_kernel("arch=x86_64 mem=1G nr_cpus=2", "6.1");
	slabinfo_next("\nkmalloc-96 ", next, sizeof(next));
	assert_string_equal(next, "kmalloc-64");
	kslab_shutdown();
	boot_kernel("arch=x86_64 mem=1G nr_cpus=2", "6.12");
	slabinfo_next("\nkmalloc-96 ", next, sizeof(next));
	assert_string_not_equal(next, "kmalloc-64");
}

/*
 * Arguments a kernel does not have: sheaf_capacity (6.18) keeps a cache
 * from merging only in 6.18; freeptr_offset (6.12) keeps an RCU cache's
 * free pointer inside the object only from 6.12.
 */
static void test_rule_args(void **state)
{
	struct kmem_cache_args sheaves = { .sheaf_capacity = 32 };
	struct kmem_cache_args rcu = { .use_freeptr_offset = true };
	const char *versions[] = { "6.1", "6.12", "6.18" };

	(void)state;
	for (int v = 0; v < 3; v++) {
		struct kmem_cache *a, *b;

		boot_kernel(BOOT_COMMON, versions[v]);
		a = kmem_cache_create_args("sheaf_a", 200, &sheaves, 0);
		b = kmem_cache_create_args("sheaf_b", 200, &sheaves, 0);
		assert_true((a == b) == (v < 2));
		assert_int_equal(
			info_of_new("rcu", 64, &rcu, SLAB_TYPESAFE_BY_RCU).size,
			v ? 64 : 72);
		kslab_shutdown();
	}
}

/*
 * calculate_sizes(), a red-zoned kmalloc cache that stores its users
 * (72 bytes, 8-aligned): 6.1 keeps the free pointer inside and stores
 * the request size in 4 bytes: 80 + 64 + 4 + 8 + 8 -> 168; 6.12 moves
 * the free pointer out (slub_debug_orig_size()) and stores 8 bytes:
 * 80 + 8 + 64 + 8 + 8 + 8 -> 176.
 */
static void test_rule_orig_size(void **state)
{
	slab_flags_t dbg = SLAB_STORE_USER | SLAB_RED_ZONE;
	struct kmem_cache *s;

	(void)state;
	boot_kernel(BOOT_COMMON, "6.1");
	s = ksl_create_kmalloc_cache("dbg-72", 72, dbg, 0, 0, 8);
	assert_non_null(s);
	assert_int_equal(cache_info_of(s).size, 168);
	kslab_shutdown();
	boot_kernel(BOOT_COMMON, "6.12");
	s = ksl_create_kmalloc_cache("dbg-72", 72, dbg, 0, 0, 8);
	assert_non_null(s);
	assert_int_equal(cache_info_of(s).size, 176);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_arm64_6_1, shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_6_12, shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_6_12_slub_debug,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_6_12_slab_nomerge,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_6_12_smp8,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_6_12_max_order1,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_6_1_slab_nomerge,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_6_1_smp8,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_6_1_max_order1,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_6_12_min_order2,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_6_12_smp4,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_6_12_debug_some,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_rule_calculate_order,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_rule_boot_caches,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_rule_kmalloc_order,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_rule_args, shutdown_teardown),
		cmocka_unit_test_teardown(test_rule_orig_size,
					  shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
