// SPDX-License-Identifier: MIT
/*
 * Simulated CPUs. Each host thread runs as one of the machine's nr_cpus
 * CPUs: the next one round-robin on its first allocation, or the one
 * kslab_set_cpu() pins it to. Several threads may share a CPU; every
 * per-CPU structure is locked or updated atomically, so that stays
 * correct, only slower. The assignment is forgotten when the machine is
 * rebooted (the generation changes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include "mm/mm_internal.h"

struct ksl_cpu_own ksl_own_none = { .req = 1 };
/* initial-exec: one %fs-relative load on the allocators' fast paths */
__thread struct ksl_tls_cpu ksl_tls
	__attribute__((tls_model("initial-exec"))) = {
		.own = &ksl_own_none, /* gen 0: not assigned */
	};
static atomic_uint ksl_next_cpu;
struct ksl_cpu_own *ksl_cpu_own;

/* the arrays of earlier boots, kept (see struct ksl_cpu_own) */
struct own_array {
	struct own_array *next;
	unsigned int nr;
	struct ksl_cpu_own own[];
};
static struct own_array *own_arrays;

static pthread_once_t membarrier_once = PTHREAD_ONCE_INIT;
static bool membarrier_ok;

static void membarrier_register(void)
{
#ifdef KSLAB_NO_OWNER
	membarrier_ok = false;
#else
	membarrier_ok = syscall(__NR_membarrier,
				MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0,
				0) == 0;
#endif
}

static bool owners_allowed(void)
{
	pthread_once(&membarrier_once, membarrier_register);
	return membarrier_ok;
}

/* every running thread of the process executes a full barrier */
static void membarrier_all(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) &&
	    (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
		     0, 0) ||
	     syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0,
		     0))) {
		/* registered before any owner existed (and kept across
		 * fork): the owners' sections could not be excluded */
		ksl_printk("kslab: membarrier(2) failed after registration");
		abort();
	}
}

/*
 * A new boot (no thread is in the slab layer): a new array for its CPUs,
 * no owners, no sharers. The last boot's array is retired with req
 * raised for good; a thread that still points into it takes the slow
 * path and finds the new generation there. 64 bytes a CPU a boot.
 * Shutdown retires the array at once.
 */
void ksl_cpu_own_retire(void)
{
	if (!own_arrays)
		return;
	for (unsigned int i = 0; i < own_arrays->nr; i++)
		__atomic_store_n(&own_arrays->own[i].req, 1 << 30,
				 __ATOMIC_RELEASE);
}

int ksl_cpu_own_reset(void)
{
	unsigned int nr = ksl_mm.nr_cpus ? ksl_mm.nr_cpus : 1;
	size_t len = sizeof(struct own_array) + nr * sizeof(struct ksl_cpu_own);
	struct own_array *a;

	ksl_cpu_own_retire();
	a = aligned_alloc(64, len);
	if (!a)
		return -ENOMEM;
	memset(a, 0, len);
	a->nr = nr;
	a->next = own_arrays;
	own_arrays = a;
	ksl_cpu_own = a->own;
	return 0;
}

/* raise req, then wait until an owner (if any) is out of its section */
static void exclude_owner(struct ksl_cpu_own *o)
{
	unsigned int spins = 0;

	__atomic_fetch_add(&o->req, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&o->owned, __ATOMIC_SEQ_CST))
		return; /* a later owner's first section sees req */
	membarrier_all();
	while (__atomic_load_n(&o->busy, __ATOMIC_ACQUIRE)) {
		if (++spins < 128)
			ksl_cpu_relax();
		else
			sched_yield();
	}
}

bool ksl_cpu_exclude_begin(unsigned int cpu)
{
	struct ksl_cpu_own *o = &ksl_cpu_own[cpu];

	if (ksl_tls.gen == ksl_mm.generation && ksl_tls.owner &&
	    ksl_tls.own == o)
		return false; /* the owner itself: not in a section now */
	exclude_owner(o);
	return true;
}

void ksl_cpu_exclude_end(unsigned int cpu)
{
	__atomic_fetch_sub(&ksl_cpu_own[cpu].req, 1, __ATOMIC_RELEASE);
}

/* stop running as the current CPU (of this boot): give up its ownership,
 * or stop counting as its sharer, so that its owner may go lock-free */
static void leave_cpu(void)
{
	if (ksl_tls.gen != ksl_mm.generation)
		return;
	if (ksl_tls.owner)
		__atomic_store_n(&ksl_tls.own->owned, 0, __ATOMIC_RELEASE);
	else if (ksl_tls.sharer)
		ksl_cpu_exclude_end(ksl_tls.cpu);
	ksl_tls.own = &ksl_own_none;
	ksl_tls.owner = false;
	ksl_tls.sharer = false;
	ksl_tls.hint = NULL;
}

void ksl_cpu_leave(void)
{
	leave_cpu();
	ksl_tls.gen = 0;
}

/* thread exit leaves no CPU owned or shared by a dead thread */
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static __thread bool exit_key_set __attribute__((tls_model("initial-exec")));

static void thread_exit(void *unused)
{
	(void)unused;
	leave_cpu();
}

static void exit_key_create(void)
{
	if (pthread_key_create(&exit_key, thread_exit))
		ksl_printk(
			"kslab: no pthread key: CPUs stay owned after thread exit");
}

static void watch_thread_exit(void)
{
	if (exit_key_set)
		return;
	pthread_once(&exit_key_once, exit_key_create);
	exit_key_set = !pthread_setspecific(exit_key, (void *)1);
}

/* run as cpu: its owner if it has none, else one of its sharers */
static void assign_cpu(unsigned int cpu)
{
	struct ksl_cpu_own *o = &ksl_cpu_own[cpu];
	int free_ = 0;

	if (ksl_tls.gen == ksl_mm.generation && ksl_tls.cpu == cpu)
		return;
	leave_cpu();
	watch_thread_exit();
	ksl_tls.own = &ksl_own_none;
	ksl_tls.owner = false;
	ksl_tls.sharer = false;
	ksl_tls.hint = NULL;
	ksl_tls.cpu = cpu;
	ksl_tls.cpu_off = (unsigned long)cpu * KSL_CPU_SLAB_STRIDE;
	ksl_tls.gen = ksl_mm.generation;
	if (owners_allowed() &&
	    __atomic_compare_exchange_n(&o->owned, &free_, 1, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		ksl_tls.owner = true;
		ksl_tls.own = o;
	} else {
		exclude_owner(o);
		ksl_tls.sharer = true;
	}
}

unsigned int ksl_this_cpu(void)
{
	if (likely(ksl_tls.gen == ksl_mm.generation))
		return ksl_tls.cpu;
	unsigned int first = atomic_fetch_add_explicit(&ksl_next_cpu, 1,
						       memory_order_relaxed) %
			     ksl_mm.nr_cpus;
	unsigned int cpu = first;

	/* round-robin, but a CPU nobody runs as first (as a scheduler
	 * spreads threads): its new thread needs no lock */
	for (unsigned int i = 0; i < ksl_mm.nr_cpus; i++) {
		unsigned int k = (first + i) % ksl_mm.nr_cpus;

		if (!__atomic_load_n(&ksl_cpu_own[k].owned, __ATOMIC_RELAXED) &&
		    !__atomic_load_n(&ksl_cpu_own[k].req, __ATOMIC_RELAXED)) {
			cpu = k;
			break;
		}
	}
	assign_cpu(cpu);
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
		ksl_printk("kslab_set_cpu(%u): the machine has CPUs 0..%u", cpu,
			   ksl_mm.nr_cpus - 1);
		return -EINVAL;
	}
	assign_cpu(cpu);
	return 0;
}

unsigned int kslab_nr_cpus(void)
{
	ksl_ensure_booted();
	return ksl_mm.nr_cpus;
}
