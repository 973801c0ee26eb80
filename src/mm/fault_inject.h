/* SPDX-License-Identifier: MIT */
/*
 * Fault injection inside the library (fault_inject.c): the generic
 * decision (the kernel's should_fail_ex()) on one of the two
 * capabilities, and the flags the allocation paths test first.
 */
#ifndef KSLAB_MM_FAULT_INJECT_H
#define KSLAB_MM_FAULT_INJECT_H

#include <stdbool.h>
#include <sys/types.h>
#include <kslab/fault_inject.h>
#include "lib/params.h"

enum ksl_fault_point { KSL_FAILSLAB, KSL_FAIL_PAGE_ALLOC, KSL_NR_FAULTS };

/* FAULT_NOWARN: the request had __GFP_NOWARN, so no message */
#define KSL_FAULT_NOWARN 0x1

/*
 * Set while the point may fail an allocation: a probability, a thread's
 * fail-nth, or (failslab) a kslab_set_failslab() hook. Read relaxed on
 * the fast paths; everything else lives behind the out-of-line checks.
 */
extern bool ksl_failslab_armed;
extern bool ksl_fail_page_alloc_armed;

/* the generic decision; size is the request's bytes (or pages) */
bool ksl_should_fail_ex(enum ksl_fault_point fp, long size, int flags);
/* a knob of a capability, read relaxed */
const struct kslab_fault_attr *ksl_fault_attr(enum ksl_fault_point fp);
/* failslab's hook (kslab_set_failslab()) is set: keeps failslab armed */
void ksl_fault_set_hook(bool set);
/*
 * The slab layer's view of ksl_failslab_armed (a bit in every cache's
 * dispatch byte) is brought up to date by fn after each change, outside
 * the knobs' lock; may_block is false when the change came from inside
 * an allocation (a fail-nth used up), where fn must not wait for a lock.
 */
void ksl_fault_set_failslab_sync(void (*fn)(bool may_block));

/* boot: the parameters, reset before a parse, applied at mm init,
 * and every knob back to its default at shutdown */
extern const struct ksl_param ksl_fault_params[];
void ksl_fault_config_reset(void);
void ksl_fault_boot_apply(void);
void ksl_fault_shutdown(void);

/* fail_page_alloc.c: the kernel's should_fail_alloc_page() */
bool ksl_should_fail_alloc_page(gfp_t gfp, unsigned int order);

#endif /* KSLAB_MM_FAULT_INJECT_H */
