// SPDX-License-Identifier: MIT
/*
 * Simulated CPUs. Each host thread runs as one of the machine's nr_cpus
 * CPUs: the next one round-robin on its first allocation, or the one
 * kslab_set_cpu() pins it to. Several threads may share a CPU; every
 * per-CPU structure is locked or updated atomically, so that stays
 * correct, only slower. The assignment is forgotten when the machine is
 * rebooted (the generation changes).
 */
#include <errno.h>
#include "mm/mm_internal.h"

/* initial-exec: one %fs-relative load on the allocators' fast paths */
__thread struct ksl_tls_cpu ksl_tls
	__attribute__((tls_model("initial-exec"))); /* gen 0: not assigned */
static atomic_uint ksl_next_cpu;

unsigned int ksl_this_cpu(void)
{
	if (likely(ksl_tls.gen == ksl_mm.generation))
		return ksl_tls.cpu;
	ksl_tls.cpu = atomic_fetch_add_explicit(&ksl_next_cpu, 1,
						memory_order_relaxed) %
		      ksl_mm.nr_cpus;
	ksl_tls.gen = ksl_mm.generation;
	return ksl_tls.cpu;
}

unsigned int kslab_this_cpu(void)
{
	ksl_ensure_booted();
	return ksl_this_cpu();
}

int kslab_set_cpu(unsigned int cpu)
{
	ksl_ensure_booted();
	if (cpu >= ksl_mm.nr_cpus) {
		ksl_printk("kslab_set_cpu(%u): the machine has CPUs 0..%u",
			   cpu, ksl_mm.nr_cpus - 1);
		return -EINVAL;
	}
	ksl_tls.cpu = cpu;
	ksl_tls.gen = ksl_mm.generation;
	return 0;
}

unsigned int kslab_nr_cpus(void)
{
	ksl_ensure_booted();
	return ksl_mm.nr_cpus;
}
