// SPDX-License-Identifier: MIT
/*
 * /sys/kernel/slab snapshots: the reference TSV read and written back
 * byte for byte, its fields and flags, alias resolution, malformed input,
 * and `kslab record --slabs` on a fake sysfs tree built in a temp dir
 * (through the library and through the command).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "trace/slabs_tsv.h"
#include "helpers/kslab_test.h"

#ifndef KSLAB_TEST_DATADIR
#define KSLAB_TEST_DATADIR "tests/data"
#endif
#ifndef KSLAB_BINDIR
#define KSLAB_BINDIR "build"
#endif
#define REF KSLAB_TEST_DATADIR "/real-kernel/sys-kernel-slab.tsv"
#define ARM64_612 KSLAB_DATADIR "/traces/arm64-6.12.117-2G/slabs.tsv"

static char tmpdir[] = "/tmp/kslab-slabs-XXXXXX";

static void test_reference_round_trip(void **state)
{
	struct slab_snapshot s;
	char err[256], *ref, *out;
	size_t rlen, olen;
	FILE *f;

	assert_int_equal(slabs_tsv_read(REF, &s, err, sizeof(err)), 0);
	assert_int_equal(s.nr, 423);
	ref = slurp_file(REF, &rlen);
	out = calloc(1, 1 << 20);
	f = fmemopen(out, 1 << 20, "w");
	assert_int_equal(slabs_tsv_write(f, &s), 0);
	olen = (size_t)ftell(f);
	fclose(f);
	assert_int_equal(olen, rlen);
	assert_memory_equal(out, ref, rlen);
	free(ref);
	free(out);
	slabs_free(&s);
}

static void test_reference_fields(void **state)
{
	const struct slab_info *si, *real;
	struct slab_snapshot s;
	char err[256];

	assert_int_equal(slabs_tsv_read(REF, &s, err, sizeof(err)), 0);
	si = slabs_find(&s, "anon_vma");
	assert_non_null(si);
	assert_int_equal(si->object_size, 96);
	assert_int_equal(si->slab_size, 104);
	assert_int_equal(si->align, 8);
	assert_int_equal(si->objs_per_slab, 39);
	assert_string_equal(si->ctor, "anon_vma_ctor+0x0/0x50");
	assert_int_equal(si->flags, SLABINFO_DESTROY_BY_RCU);
	si = slabs_find(&s, "bdev_cache");
	assert_int_equal(si->flags,
			 SLABINFO_HWCACHE_ALIGN | SLABINFO_RECLAIM_ACCOUNT);
	assert_int_equal(si->order, 3);
	/* an alias resolves to its unique cache */
	si = slabs_find(&s, "AF_VSOCK");
	assert_string_equal(si->link, ":A-0001280");
	real = slabs_resolve(&s, si);
	assert_string_equal(real->name, ":A-0001280");
	assert_int_equal(real->slab_size, 1280);
	assert_null(slabs_find(&s, "no-such-cache"));
	slabs_free(&s);
}

/* The arm64 boots' snapshots: link_target, "-", "170 N0=170" counters */
static void test_arm64_snapshot(void **state)
{
	const struct slab_info *si;
	struct slab_snapshot s;
	char err[256];

	assert_int_equal(slabs_tsv_read(ARM64_612, &s, err, sizeof(err)), 0);
	assert_int_equal(s.nr, 286);
	si = slabs_find(&s, "kmalloc-64");
	assert_non_null(si);
	assert_string_equal(si->link, "");
	assert_int_equal(si->slab_size, 64);
	assert_int_equal(si->objs_per_slab, 64);
	assert_int_equal(si->objects, 10176);
	assert_int_equal(si->slabs, 159);
	/* a column the snapshot lacks is not known */
	assert_int_equal(si->known & SLABINFO_DESTROY_BY_RCU, 0);
	assert_int_not_equal(si->known & SLABINFO_HWCACHE_ALIGN, 0);
	si = slabs_find(&s, "anon_vma");
	assert_int_equal(si->slab_size, 104);
	assert_int_equal(si->objs_per_slab, 39);
	slabs_free(&s);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"object_size\tslab_size\n24\t24\n",
		"name\tobject_size\nfoo\tx\n",
		"name\tobject_size\nfoo\t24\textra\n",
		"name\thwcache_align\nfoo\t2\n",
		"name\tobject_size\n\t24\n",
	};
	struct slab_snapshot s;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fmemopen((void *)bad[i], strlen(bad[i]) + 1, "r");

		if (!*bad[i])
			f = fopen("/dev/null", "r");
		assert_int_equal(slabs_tsv_read_stream(f, "x", &s, err,
						       sizeof(err)),
				 -1);
		printf("malformed %zu: %s\n", i, err);
		fclose(f);
	}
	assert_int_equal(
		slabs_tsv_read("/nonexistent.tsv", &s, err, sizeof(err)), -1);
	/* columns in another order, unknown ones ignored */
	const char *ok = "align\tname\tfuture\n64\tbar\t?\n";
	FILE *f = fmemopen((void *)ok, strlen(ok), "r");
	assert_int_equal(slabs_tsv_read_stream(f, "x", &s, err, sizeof(err)),
			 0);
	fclose(f);
	assert_int_equal(s.nr, 1);
	assert_string_equal(s.v[0].name, "bar");
	assert_int_equal(s.v[0].align, 64);
	slabs_free(&s);
}

static void put(const char *dir, const char *cache, const char *attr,
		const char *val)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, cache, attr);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(val, f);
	fclose(f);
}

static void fake_cache(const char *dir, const char *name, const char *size,
		       const char *align, const char *hw, const char *ctor)
{
	char path[1200];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(mkdir(path, 0755), 0);
	put(dir, name, "object_size", size);
	put(dir, name, "slab_size", size);
	put(dir, name, "align", align);
	put(dir, name, "order", "0\n");
	put(dir, name, "objs_per_slab", "32\n");
	put(dir, name, "hwcache_align", hw);
	put(dir, name, "cache_dma", "0\n");
	put(dir, name, "reclaim_account", "1\n");
	put(dir, name, "destroy_by_rcu", "0\n");
	put(dir, name, "ctor", ctor);
	put(dir, name, "poison", "0\n");
	put(dir, name, "red_zone", "0\n");
	put(dir, name, "store_user", "0\n");
	put(dir, name, "sanity_checks", "0\n");
	put(dir, name, "aliases", "1\n");
	put(dir, name, "usersize", "0\n");
}

static const char fake_tsv[] =
	"name\tlink\tobject_size\tslab_size\talign\torder\tobjs_per_slab\t"
	"hwcache_align\tcache_dma\treclaim_account\tdestroy_by_rcu\tctor\t"
	"poison\tred_zone\tstore_user\tsanity_checks\taliases\tusersize\n"
	":a-0000128\t\t128\t128\t64\t0\t32\t1\t0\t1\t0\t\t0\t0\t0\t0\t1\t0\n"
	"dentry\t\t192\t192\t8\t0\t32\t0\t0\t1\t0\tdentry_ctor+0x0/0x10\t"
	"0\t0\t0\t0\t1\t0\n"
	"my_cache\t:a-0000128\t128\t128\t64\t0\t32\t1\t0\t1\t0\t\t0\t0\t0\t"
	"0\t1\t0\n";

static void make_fake_sysfs(char *dir, size_t len)
{
	char target[64], link[1100];

	snprintf(dir, len, "%s/slab", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	fake_cache(dir, ":a-0000128", "128\n", "64\n", "1\n", "");
	fake_cache(dir, "dentry", "192\n", "8\n", "0\n",
		   "dentry_ctor+0x0/0x10\n");
	snprintf(target, sizeof(target), ":a-0000128");
	snprintf(link, sizeof(link), "%s/my_cache", dir);
	assert_int_equal(symlink(target, link), 0);
}

static void test_record_slabs_fake_sysfs(void **state)
{
	char dir[512], out[512], cmd[1200], err[256], *text;
	struct slab_snapshot s;
	size_t len;
	FILE *f;

	make_fake_sysfs(dir, sizeof(dir));
	/* the library */
	assert_int_equal(slabs_sysfs_read(dir, &s, err, sizeof(err)), 0);
	assert_int_equal(s.nr, 3);
	text = calloc(1, 4096);
	f = fmemopen(text, 4096, "w");
	assert_int_equal(slabs_tsv_write(f, &s), 0);
	fclose(f);
	assert_string_equal(text, fake_tsv);
	free(text);
	slabs_free(&s);
	/* the command */
	snprintf(out, sizeof(out), "%s/snap.tsv", tmpdir);
	snprintf(cmd, sizeof(cmd), "%s/kslab record --slabs %s --sysfs %s",
		 KSLAB_BINDIR, out, dir);
	assert_int_equal(system(cmd), 0);
	text = slurp_file(out, &len);
	assert_string_equal(text, fake_tsv);
	free(text);
	/* and read back */
	assert_int_equal(slabs_tsv_read(out, &s, err, sizeof(err)), 0);
	assert_string_equal(slabs_resolve(&s, slabs_find(&s, "my_cache"))->name,
			    ":a-0000128");
	slabs_free(&s);
	/* a missing sysfs directory: exit status 2 and a message */
	snprintf(cmd, sizeof(cmd),
		 "%s/kslab record --slabs %s --sysfs %s/none 2>/dev/null",
		 KSLAB_BINDIR, out, tmpdir);
	assert_int_equal(WEXITSTATUS(system(cmd)), 2);
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_round_trip),
		cmocka_unit_test(test_reference_fields),
		cmocka_unit_test(test_arm64_snapshot),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_record_slabs_fake_sysfs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
