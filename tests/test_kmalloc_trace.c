// SPDX-License-Identifier: MIT
/*
 * Conformance with a real Linux 6.18 x86_64 kernel: every kmalloc event
 * of the bundled trace, replayed under arch=x86_64, must get the
 * kernel's bytes_alloc from ksize() and a cache of the type its gfp
 * flags select. The flag names are parsed into bits by the trace
 * parser (kslab_gfp_parse), never looked up as whole strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "slab/slab_internal.h"
#include "trace/trace_stream.h"

#define TRACE KSLAB_DATADIR "/traces/kmem-build-6.18.trace.xz"

/* the type prefix the flags select, decided here from the bits alone */
static const char *expected_prefix(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return "dma-kmalloc-";
	if (gfp & __GFP_RECLAIMABLE)
		return "kmalloc-rcl-";
	if (gfp & __GFP_ACCOUNT)
		return "kmalloc-cg-";
	return "kmalloc-";
}

static bool cache_has_prefix(const void *p, const char *prefix)
{
	struct kslab_cache_info ci;
	size_t n = strlen(prefix);

	if (kslab_cache_info(ksl_virt_to_cache(p), &ci))
		return false;
	/* "kmalloc-" must not match "kmalloc-cg-96" or "kmalloc-rcl-8" */
	if (strncmp(ci.name, prefix, n))
		return false;
	return !strcmp(prefix, "kmalloc-") ?
		       (ci.name[n] >= '0' && ci.name[n] <= '9') :
		       true;
}

static void test_every_kmalloc_event(void **state)
{
	struct trace_stream s;
	char err[256];
	unsigned long long events = 0, size_ok = 0, type_ok = 0,
			   slab_events = 0;

	trace_stream_init(&s);
	assert_true(trace_stream_read(&s, TRACE, NULL, err, sizeof(err)) >= 0);
	trace_stream_finish(&s);
	assert_int_equal(kslab_boot("arch=x86_64 mem=4G nr_cpus=2"), 0);
	for (size_t i = 0; i < s.nr; i++) {
		const struct trace_event *ev = &s.ev[i];
		void *p;

		if (ev->type != TEV_KMALLOC || !ev->ptr)
			continue;
		events++;
		p = kmalloc(ev->bytes_req, ev->gfp);
		assert_non_null(p);
		if (ksize(p) == ev->bytes_alloc)
			size_ok++;
		else if (size_ok + 10 > events)
			printf("mismatch: bytes_req %u gfp %#x: ksize %zu, kernel %u\n",
			       ev->bytes_req, ev->gfp, ksize(p),
			       ev->bytes_alloc);
		if (ev->bytes_req > 0 && ev->bytes_req <= 8192) {
			slab_events++;
			type_ok +=
				cache_has_prefix(p, expected_prefix(ev->gfp));
		}
		kfree(p);
	}
	printf("kmalloc events: %llu; bytes_alloc matched %llu (%.4f%%); "
	       "cache type matched %llu of %llu slab-served (%.4f%%)\n",
	       events, size_ok, 100.0 * size_ok / events, type_ok, slab_events,
	       100.0 * type_ok / slab_events);
	assert_true(events > 20000);
	assert_int_equal(size_ok, events);
	assert_int_equal(type_ok, slab_events);
	kslab_shutdown();
	trace_stream_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kmalloc_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
