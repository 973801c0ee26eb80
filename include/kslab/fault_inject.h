/* SPDX-License-Identifier: MIT */
/*
 * Fault injection, the kernel's failslab and fail_page_alloc
 * (Documentation/fault-injection/fault-injection.rst): make slab
 * allocations (kmem_cache_alloc(), kmalloc() from its caches) or page
 * allocations (alloc_pages(), large kmalloc(), new slabs) fail on
 * purpose, so that a program's error paths can be tested.
 *
 * Each capability is a set of knobs named as the files of the kernel's
 * debugfs directory /sys/kernel/debug/<name>/ ("failslab",
 * "fail_page_alloc"); struct kslab_fault_attr holds them all. A failure
 * is injected when an allocation passes the capability's filters
 * (__GFP_NOFAIL never fails; ignore-gfp-wait, ignore-gfp-highmem,
 * min-order, cache-filter), then the generic ones in the kernel's order:
 * probability 0 disables; task-filter; times left; space budget;
 * interval; probability. The boot parameters failslab= and
 * fail_page_alloc= (<interval>,<probability>,<space>,<times>) set the
 * same knobs. See docs/fault-injection.md.
 *
 * The random draws come from a per-capability generator seeded by the
 * "seed" knob (or the boot parameter kslab.fault_seed=): the same seed
 * and the same allocations give the same failures.
 */
#ifndef KSLAB_FAULT_INJECT_H
#define KSLAB_FAULT_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* plain C types only: <kslab/prefixed.h> includes this header too */
#ifdef __cplusplus
extern "C" {
#endif

struct kmem_cache;

/* the capabilities' names, as their debugfs directories */
#define KSLAB_FAILSLAB "failslab"
#define KSLAB_FAIL_PAGE_ALLOC "fail_page_alloc"

struct kslab_fault_attr {
	/* generic (lib/fault-inject.c) */
	unsigned long probability; /* percent; 0 disables the capability */
	unsigned long interval;	   /* fail every interval-th candidate (>1) */
	int times;		   /* failures left; -1: no limit */
	int space;		   /* bytes that pass before failures start */
	unsigned long verbose;	   /* 0 quiet, 1 message, 2 message + stack */
	unsigned int verbose_ratelimit_interval_ms; /* 0: no rate limit */
	unsigned int verbose_ratelimit_burst;
	bool task_filter; /* only threads that kslab_fault_make_it_fail() */
	/* failslab and fail_page_alloc: skip __GFP_DIRECT_RECLAIM requests */
	bool ignore_gfp_wait;
	/* fail_page_alloc: skip __GFP_HIGHMEM requests; orders below min */
	bool ignore_gfp_highmem;
	unsigned int min_order;
	/* failslab: only caches with SLAB_FAILSLAB */
	bool cache_filter;
	/* kslab's own: the random generator's seed (setting it restarts it) */
	uint64_t seed;
};

/*
 * Read or set every knob of a capability at once (the kernel's defaults
 * until set: probability 0, interval 1, times 1, space 0, verbose 2,
 * ignore-gfp-wait Y, ignore-gfp-highmem Y, min-order 1, cache-filter N,
 * seed 0). Setting restarts the interval count and the generator.
 * 0, or -EINVAL for an unknown name or a NULL attr. Every knob returns
 * to its default at kslab_shutdown().
 */
#define KSLAB_FAULT_API __attribute__((visibility("default")))

KSLAB_FAULT_API int kslab_fault_attr_get(const char *name,
					 struct kslab_fault_attr *attr);
KSLAB_FAULT_API int kslab_fault_attr_set(const char *name,
					 const struct kslab_fault_attr *attr);
KSLAB_FAULT_API int kslab_fault_attr_reset(const char *name);

/*
 * One knob as its debugfs file: write "probability", "interval",
 * "times", "space", "verbose", "verbose_ratelimit_interval_ms",
 * "verbose_ratelimit_burst", "task-filter", "ignore-gfp-wait",
 * "ignore-gfp-highmem" and "min-order" (fail_page_alloc), "cache-filter"
 * (failslab), or "seed"; numbers as the kernel's kstrto*() read them
 * (0x.., 0.., a trailing newline), booleans as kstrtobool() (Y/N/1/0/
 * on/off). Reading gives the file's text ("100\n", "Y\n"). 0, or
 * -EINVAL (unknown name or knob, malformed value), -ERANGE (out of
 * range), -ENOSPC (buf too small).
 */
KSLAB_FAULT_API int kslab_fault_write(const char *name, const char *knob,
				      const char *value);
KSLAB_FAULT_API int kslab_fault_read(const char *name, const char *knob,
				     char *buf, size_t len);

/* Failures the capability injected since the process started. */
KSLAB_FAULT_API unsigned long kslab_fault_count(const char *name);

/*
 * The calling thread's /proc/self/fail-nth: the n-th allocation of this
 * thread that reaches a capability's generic checks (past its filters)
 * fails, whatever the probability, interval and times; 0 cancels.
 * kslab_fail_nth_left() reads it back: 0 once the failure happened.
 */
KSLAB_FAULT_API void kslab_fail_nth(unsigned int n);
KSLAB_FAULT_API unsigned int kslab_fail_nth_left(void);
/* The calling thread's /proc/self/make-it-fail (for task-filter). */
KSLAB_FAULT_API void kslab_fault_make_it_fail(bool on);

/*
 * /sys/kernel/slab/<cache>/failslab: whether failslab's cache-filter
 * lets failures reach the cache (SLAB_FAILSLAB, also given at
 * kmem_cache_create() or by slub_debug=A). 0 or 1, or -EINVAL for a
 * NULL or dead cache. Setting a merged cache (two creators or more) is
 * refused with -EINVAL, as the kernel's store.
 */
KSLAB_FAULT_API int kslab_cache_failslab(const struct kmem_cache *s);
KSLAB_FAULT_API int kslab_cache_set_failslab(struct kmem_cache *s, bool on);

#ifdef __cplusplus
}
#endif

#endif /* KSLAB_FAULT_INJECT_H */
