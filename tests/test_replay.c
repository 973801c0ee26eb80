// SPDX-License-Identifier: MIT
/*
 * kslab replay: the bundled Linux 6.18 trace under every built-in policy,
 * checked for what the policies must do to it (the kernel's bytes_alloc
 * under x86_64, the legacy minimum's cost, __GFP_PACKED's saving), and
 * the command's outputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/kslab_test.h"
#include "helpers/json_check.h"
#include "replay/replay.h"

#define TRACE KSLAB_DATADIR "/traces/kmem-build-6.18.trace.xz"
#define SLABS KSLAB_DATADIR "/traces/kmem-build-6.18.slabs.tsv"

enum { X86, LEGACY, PACKED, ARM64, NOSWIOTLB, SHEAVES, NR };
static const char *const names[NR] = { "x86_64",	  "arm64-legacy",
				       "arm64-packed",	  "arm64",
				       "arm64-noswiotlb", "x86_64-sheaves" };
static struct trace_stream stream;
static struct slab_snapshot snap;
static struct replay_result res[NR];

static int setup(void **state)
{
	char err[256];
	char **packed;
	size_t n = 0;
	struct replay_opts o = { .snapshot_at_peak = true };

	trace_stream_init(&stream);
	if (trace_stream_read(&stream, TRACE, NULL, err, sizeof(err)) < 0)
		return -1;
	trace_stream_finish(&stream);
	if (slabs_tsv_read(SLABS, &snap, err, sizeof(err)))
		return -1;
	while (replay_default_packed[n])
		n++;
	packed = (char **)replay_default_packed;
	o.slabs = &snap;
	o.packed_funcs = packed;
	o.nr_packed_funcs = n;
	for (int i = 0; i < NR; i++)
		replay_run(&stream, replay_builtin_policy(names[i]), &o,
			   &res[i]);
	return 0;
}

static int teardown(void **state)
{
	for (int i = 0; i < NR; i++)
		replay_result_free(&res[i]);
	trace_stream_free(&stream);
	slabs_free(&snap);
	return 0;
}

static void test_all_policies_ran(void **state)
{
	for (int i = 0; i < NR; i++) {
		printf("%-16s peak %8llu KiB end %8llu KiB kmalloc alloc/req %llu/%llu packed %llu\n",
		       names[i],
		       (unsigned long long)res[i].peak_slab_bytes >> 10,
		       (unsigned long long)res[i].final_slab_bytes >> 10,
		       (unsigned long long)res[i].kmalloc_allocated,
		       (unsigned long long)res[i].kmalloc_requested,
		       (unsigned long long)res[i].packed_objects);
		assert_true(res[i].ok);
		assert_int_equal(res[i].failed_allocs, 0);
		/* the same events reach every machine */
		assert_int_equal(res[i].allocs, res[X86].allocs);
		assert_int_equal(res[i].bytes_requested,
				 res[X86].bytes_requested);
		assert_int_equal(res[i].kmalloc_objects,
				 stream.counts.ev[TRACE_EV_KMALLOC] -
					 stream.pair.failed_allocs -
					 stream.pair.zero_size_allocs);
		assert_true(res[i].peak_slab_bytes >= res[i].final_slab_bytes);
		assert_true(res[i].peak_slab_bytes >
			    res[i].peak_requested_bytes / 2);
		assert_true(res[i].nr_caches > 0);
		/* maple_node and vm_area_struct through their 6.18 sheaves */
		assert_true(res[i].sheaf_events > 0);
		assert_int_equal(res[i].sheaf_events, res[X86].sheaf_events);
	}
	printf("events through sheaves: %llu\n",
	       (unsigned long long)res[X86].sheaf_events);
}

/* the x86_64 machine allocates exactly what the traced kernel did */
static void test_x86_64_matches_kernel(void **state)
{
	uint64_t kernel_alloc = 0;

	assert_true(res[X86].checked);
	assert_int_equal(res[X86].bytes_alloc_mismatches, 0);
	assert_int_equal(res[X86].cache_mismatches, 0);
	for (size_t i = 0; i < stream.nr; i++)
		if (stream.ev[i].type == TEV_KMALLOC && stream.ev[i].ptr &&
		    stream.ev[i].bytes_req)
			kernel_alloc += stream.ev[i].bytes_alloc;
	assert_int_equal(res[X86].kmalloc_allocated, kernel_alloc);
	/* every policy is compared: the 128- and 64-byte minimums miss */
	for (int i = LEGACY; i < NR; i++)
		assert_true(res[i].checked);
	assert_int_equal(res[ARM64].bytes_alloc_mismatches, 0);
	assert_true(res[LEGACY].bytes_alloc_mismatches > 1000);
	assert_true(res[NOSWIOTLB].bytes_alloc_mismatches > 1000);
}

/* what each policy must cost relative to the others */
static void test_policy_ordering(void **state)
{
	/* 6.5+ with swiotlb has x86_64's classes */
	assert_int_equal(res[ARM64].kmalloc_allocated,
			 res[X86].kmalloc_allocated);
	/* the 128-byte minimum costs most; 64 less; packing wins back */
	assert_true(res[LEGACY].kmalloc_allocated >
		    res[NOSWIOTLB].kmalloc_allocated);
	assert_true(res[NOSWIOTLB].kmalloc_allocated >
		    res[X86].kmalloc_allocated);
	assert_true(res[PACKED].kmalloc_allocated <
		    res[LEGACY].kmalloc_allocated);
	assert_true(res[PACKED].kmalloc_allocated >=
		    res[X86].kmalloc_allocated);
	assert_true(res[PACKED].packed_objects > 0);
	/* Linux 7.0's slab layer (kslab.sheaves=all): x86_64's classes,
	 * more slab memory held (objects parked in every cache's sheaves,
	 * the kmalloc caches' too) */
	assert_int_equal(res[SHEAVES].kmalloc_allocated,
			 res[X86].kmalloc_allocated);
	assert_true(res[SHEAVES].peak_slab_bytes > res[X86].peak_slab_bytes);
	assert_true(res[SHEAVES].final_slab_bytes > res[X86].final_slab_bytes);
	for (int i = 0; i < NR; i++)
		if (i != PACKED)
			assert_int_equal(res[i].packed_objects, 0);
}

/* normal, reclaimable, cgroup, DMA: the order of the peak table */
static int type_rank(const char *name)
{
	if (!strncmp(name, "dma-", 4))
		return 3;
	if (!strncmp(name, "kmalloc-cg-", 11))
		return 2;
	if (!strncmp(name, "kmalloc-rcl-", 12))
		return 1;
	return 0;
}

/* the peak tables hold only classes the policy has, in a fixed order */
static void test_peak_tables(void **state)
{
	bool x86_has_8 = false;

	for (uint32_t k = 0; k < res[X86].nr_caches; k++)
		x86_has_8 |= !strcmp(res[X86].caches[k].name, "kmalloc-8");
	assert_true(x86_has_8);
	for (uint32_t k = 0; k < res[LEGACY].nr_caches; k++)
		assert_true(res[LEGACY].caches[k].size >= 128);
	for (uint32_t k = 0; k < res[NOSWIOTLB].nr_caches; k++)
		assert_true(res[NOSWIOTLB].caches[k].size >= 64);
	for (int i = 0; i < NR; i++)
		for (uint32_t k = 0; k < res[i].nr_caches; k++) {
			const struct replay_cache_row *c = &res[i].caches[k];

			assert_true(c->active_objs <= c->num_objs);
			assert_int_equal(c->num_objs,
					 c->num_slabs * c->objs_per_slab);
			/* per type, the biggest objects first */
			if (k && type_rank(c->name) == type_rank(c[-1].name))
				assert_true(c->size < c[-1].size);
			else if (k)
				assert_true(type_rank(c->name) >
					    type_rank(c[-1].name));
		}
}

/* the same replay twice gives the same numbers */
static void test_deterministic(void **state)
{
	struct replay_opts o = { .slabs = &snap };
	struct replay_result again;

	replay_run(&stream, replay_builtin_policy("x86_64"), &o, &again);
	assert_true(again.ok);
	assert_int_equal(again.peak_slab_bytes, res[X86].peak_slab_bytes);
	assert_int_equal(again.final_slab_bytes, res[X86].final_slab_bytes);
	assert_int_equal(again.peak_event, res[X86].peak_event);
	replay_result_free(&again);
}

/* --packed-sites: exactly the kmalloc events of the listed functions */
static void test_packed_site_matching(void **state)
{
	char *funcs[] = { "ext4_htree_store_dirent", "load_elf_phdrs",
			  "no_such_fn" };
	struct replay_opts o = { .slabs = &snap,
				 .packed_funcs = funcs,
				 .nr_packed_funcs = 3 };
	struct replay_result r;
	uint64_t want = 0;

	for (size_t i = 0; i < stream.nr; i++) {
		const struct trace_event *ev = &stream.ev[i];
		const char *fn = trace_stream_site_func(&stream, ev->site);

		if (ev->type == TEV_KMALLOC && ev->ptr &&
		    (!strcmp(fn, funcs[0]) || !strcmp(fn, funcs[1])))
			want++;
	}
	assert_true(want > 10000);
	replay_run(&stream, replay_builtin_policy("arm64-packed"), &o, &r);
	assert_true(r.ok);
	assert_int_equal(r.packed_objects, want);
	replay_result_free(&r);
	/* the same list means nothing to a policy without kmalloc.packed */
	replay_run(&stream, replay_builtin_policy("arm64-legacy"), &o, &r);
	assert_int_equal(r.packed_objects, 0);
	replay_result_free(&r);
}

static void test_command_outputs(void **state)
{
	int status;
	char *out;

	out = run_replay(
		"--policy x86_64,arm64-legacy -j 2 --format json --sites 3",
		&status);
	assert_int_equal(status, 0);
	assert_int_equal(json_check(out), 0);
	assert_true(json_number_at(out, "events.kmalloc") == 27484);
	assert_true(json_number_at(out, "events.bad") == 0);
	assert_non_null(strstr(out, "\"policies\""));
	assert_non_null(strstr(out, "\"peak_slab_bytes\""));
	assert_non_null(strstr(out, "\"bytes_alloc_mismatches\": 0"));
	free(out);
	out = run_replay(
		"--policy arm64 --boot 'arch=arm64 kmalloc.legacy memmap=2G@2G' --format csv",
		&status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "section,policy,boot,peak_slab_bytes"));
	assert_non_null(strstr(
		out, "policy,boot2,arch=arm64 kmalloc.legacy memmap=2G@2G"));
	free(out);
	/* a kmalloc cache named in kmem_cache_alloc that the policy lacks:
	 * served by kmalloc as that kernel would (40 bytes: 64 vs 128) */
	out = run_replay(
		"- --policy x86_64,arm64-legacy --format json < " KSLAB_TEST_DATADIR
		"/replay-kmalloc-cache.trace",
		&status);
	assert_int_equal(status, 0);
	assert_int_equal(json_check(out), 0);
	assert_non_null(strstr(out, "\"bytes_allocated\": 104"));
	assert_non_null(strstr(out, "\"bytes_allocated\": 168"));
	assert_non_null(strstr(out, "\"failed_allocations\": 0"));
	free(out);
	out = run_replay("--policy sparc64 2>&1", &status);
	assert_int_equal(status, 2);
	assert_non_null(strstr(out, "unknown policy 'sparc64'"));
	free(out);
	out = run_replay("--policy x86_64 --plot out.txt 2>&1 >/dev/null",
			 &status);
	assert_int_equal(status, 1);
	assert_non_null(strstr(out, ".png or .svg"));
	free(out);
	out = run_replay("/nonexistent.trace 2>&1", &status);
	assert_int_equal(status, 2);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_policies_ran),
		cmocka_unit_test(test_x86_64_matches_kernel),
		cmocka_unit_test(test_policy_ordering),
		cmocka_unit_test(test_peak_tables),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_packed_site_matching),
		cmocka_unit_test(test_command_outputs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
