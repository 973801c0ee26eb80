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
 * A CPU's current ownership slot (cur[cpu]) changes only when a pinning
 * thread takes the CPU from an idle owner that was not pinned (steal()):
 * the new owner gets a fresh slot and the old one is revoked (req raised
 * for good), so that the old owner's TLS pointer stops working. cur[]
 * and every req raised by a sharer or a flusher change under the CPU's
 * slot_lock, and a steal needs req == 0, so a slot whose req someone
 * raised stays current until they lower it again.
 */
struct own_slot {
	struct ksl_cpu_own own; /* first: 64-byte aligned */
	struct own_slot *next;
};
/* every boot's (kept, as the arrays: a stale TLS may point there) */
static struct own_slot *stolen_slots;
static struct ksl_cpu_own **cur;  /* [nr_cpus] */
static ksl_spinlock_t *slot_lock; /* [nr_cpus] */

static struct ksl_cpu_own *cur_slot(unsigned int cpu)
{
	return __atomic_load_n(&cur[cpu], __ATOMIC_ACQUIRE);
}

/*
 * A new boot (no thread is in the slab layer): a new array for its CPUs,
 * no owners, no sharers. The last boot's array (and the slots of its
 * steals) is retired with req raised for good; a thread that still
 * points into it takes the slow path and finds the new generation there.
 * 64 bytes a CPU a boot. Shutdown retires the array at once.
 */
void ksl_cpu_own_retire(void)
{
	if (!own_arrays)
		return;
	for (unsigned int i = 0; i < own_arrays->nr; i++)
		__atomic_store_n(&own_arrays->own[i].req, 1 << 30,
				 __ATOMIC_RELEASE);
	for (struct own_slot *o =
		     __atomic_load_n(&stolen_slots, __ATOMIC_ACQUIRE);
	     o; o = o->next)
		__atomic_store_n(&o->own.req, 1 << 30, __ATOMIC_RELEASE);
}

int ksl_cpu_own_reset(void)
{
	unsigned int nr = ksl_mm.nr_cpus ? ksl_mm.nr_cpus : 1;
	size_t len = sizeof(struct own_array) + nr * sizeof(struct ksl_cpu_own);
	struct own_array *a;

	ksl_cpu_own_retire();
	free(cur);
	free(slot_lock);
	cur = calloc(nr, sizeof(*cur));
	slot_lock = calloc(nr, sizeof(*slot_lock));
	a = aligned_alloc(64, len);
	if (!a || !cur || !slot_lock) {
		free(a);
		return -ENOMEM;
	}
	memset(a, 0, len);
	a->nr = nr;
	a->next = own_arrays;
	own_arrays = a;
	ksl_cpu_own = a->own;
	for (unsigned int i = 0; i < nr; i++)
		cur[i] = &a->own[i];
	/* the round-robin starts again: the booting thread runs as CPU 0,
	 * whatever threads (liburcu's among them) ran in earlier boots */
	atomic_store_explicit(&ksl_next_cpu, 0, memory_order_relaxed);
	return 0;
}

/* wait until the owner of o (if any) is out of its section (req raised) */
static void wait_owner_out(struct ksl_cpu_own *o)
{
	unsigned int spins = 0;

	if (!__atomic_load_n(&o->owned, __ATOMIC_SEQ_CST))
		return; /* a later owner's first section sees req */
	membarrier_all();
	while (ksl_own_busy(o)) {
		if (++spins < 128)
			ksl_cpu_relax();
		else
			sched_yield();
	}
}

/* raise req of cpu's current slot, then wait for its owner (and for the
 * owner it is being taken from, while a steal waits for that one) */
static void exclude_owner(unsigned int cpu)
{
	struct ksl_cpu_own *o, *prev;

	ksl_spin_lock(&slot_lock[cpu]);
	o = cur_slot(cpu);
	__atomic_fetch_add(&o->req, 1, __ATOMIC_SEQ_CST);
	ksl_spin_unlock(&slot_lock[cpu]);
	wait_owner_out(o);
	prev = __atomic_load_n(&o->prev, __ATOMIC_ACQUIRE);
	if (prev)
		wait_owner_out(prev);
}

static void unexclude(unsigned int cpu)
{
	ksl_spin_lock(&slot_lock[cpu]);
	__atomic_fetch_sub(&cur_slot(cpu)->req, 1, __ATOMIC_RELEASE);
	ksl_spin_unlock(&slot_lock[cpu]);
}

static bool revoked(const struct ksl_cpu_own *o)
{
	return __atomic_load_n(&o->req, __ATOMIC_RELAXED) >= KSL_OWN_REVOKED;
}

bool ksl_cpu_exclude_begin(unsigned int cpu)
{
	if (ksl_tls.gen == ksl_mm.generation && ksl_tls.owner &&
	    ksl_tls.own == cur_slot(cpu)) {
		/* the owner itself, not in a section now: mark it busy, so
		 * that no steal starts meanwhile (a revoked owner is not) */
		ksl_own_mark_busy(ksl_tls.own);
		if (!revoked(ksl_tls.own))
			return false;
		__atomic_store_n(&ksl_tls.own->busy, 0, __ATOMIC_RELEASE);
	}
	exclude_owner(cpu);
	return true;
}

void ksl_cpu_exclude_end(unsigned int cpu, bool excluded)
{
	if (excluded)
		unexclude(cpu);
	else /* the owner itself: its busy mark */
		__atomic_store_n(&ksl_tls.own->busy, 0, __ATOMIC_RELEASE);
}

struct ksl_cpu_own *ksl_lock_mode_begin(unsigned int *cpu)
{
	struct ksl_cpu_own *o;

	for (;;) {
		o = ksl_tls.gen == ksl_mm.generation && ksl_tls.owner ?
			    ksl_tls.own :
			    NULL;
		if (o) {
			ksl_own_mark_busy(o);
		}
		*cpu = ksl_this_cpu_fast(); /* a revoked owner moves */
		if (!o || ksl_tls.own == o)
			return o;
		__atomic_store_n(&o->busy, 0, __ATOMIC_RELEASE);
	}
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
		unexclude(ksl_tls.cpu);
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
/* the thread chose its CPU (kslab_set_cpu()) */
static __thread bool pinned __attribute__((tls_model("initial-exec")));

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

static void become_owner(struct ksl_cpu_own *o)
{
	__atomic_store_n(&o->pinned, pinned, __ATOMIC_RELAXED);
	ksl_tls.owner = true;
	ksl_tls.sharer = false;
	ksl_tls.own = o;
}

/*
 * Take cpu from its owner o, which was not pinned (slot_lock held, o's
 * req is extra, 0 or 1: the caller's own share): o is revoked for good,
 * a new slot becomes current with the caller as its owner, blocked
 * (req 1) until o's owner is out of its section; the old owner finds
 * its slot revoked on its next call and gets another CPU. false: no
 * memory for a slot (slot_lock released either way).
 */
static bool steal(unsigned int cpu, struct ksl_cpu_own *o)
{
	struct own_slot *n = aligned_alloc(64, sizeof(*n));

	if (!n) {
		ksl_spin_unlock(&slot_lock[cpu]);
		return false;
	}
	memset(n, 0, sizeof(*n));
	n->own.owned = 1;
	n->own.req = 1;
	n->own.prev = o;
	/* steals of other CPUs push too (under their own slot_lock) */
	n->next = __atomic_load_n(&stolen_slots, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&stolen_slots, &n->next, n, true,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	__atomic_fetch_add(&o->req, KSL_OWN_REVOKED, __ATOMIC_SEQ_CST);
	__atomic_store_n(&cur[cpu], &n->own, __ATOMIC_RELEASE);
	ksl_spin_unlock(&slot_lock[cpu]);
	wait_owner_out(o);
	/* the old owner is out: whoever excludes the CPU from now on needs
	 * only the new slot */
	__atomic_store_n(&n->own.prev, NULL, __ATOMIC_RELEASE);
	become_owner(&n->own);
	__atomic_fetch_sub(&n->own.req, 1, __ATOMIC_RELEASE);
	return true;
}

/* may the caller (its share of req: mine) take cpu from o? */
static bool stealable(const struct ksl_cpu_own *o, int mine)
{
	return pinned && __atomic_load_n(&o->owned, __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&o->pinned, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&o->req, __ATOMIC_RELAXED) == mine;
}

/* run as cpu: its owner if it has none (or an unpinned one a pinning
 * thread takes it from), else one of its sharers */
static void assign_cpu(unsigned int cpu)
{
	struct ksl_cpu_own *o;
	int free_ = 0;

	if (ksl_tls.gen == ksl_mm.generation && ksl_tls.cpu == cpu &&
	    !(ksl_tls.owner && revoked(ksl_tls.own)))
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
	ksl_spin_lock(&slot_lock[cpu]);
	o = cur_slot(cpu);
	if (owners_allowed() &&
	    __atomic_compare_exchange_n(&o->owned, &free_, 1, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		become_owner(o);
		ksl_spin_unlock(&slot_lock[cpu]);
		return;
	}
	if (owners_allowed() && stealable(o, 0)) {
		if (steal(cpu, o))
			return;
	} else {
		ksl_spin_unlock(&slot_lock[cpu]);
	}
	exclude_owner(cpu);
	ksl_tls.sharer = true;
}

/*
 * A sharer of its CPU, on its slow path: the owner gone (thread exit, or
 * moved to another CPU) and nobody else sharing, or an unpinned owner a
 * pinned sharer may take the CPU from: become the owner.
 */
static void sharer_promote(unsigned int cpu)
{
	struct ksl_cpu_own *o;
	int free_ = 0;

	if (!owners_allowed())
		return;
	o = cur_slot(cpu);
	if (__atomic_load_n(&o->owned, __ATOMIC_RELAXED) && !stealable(o, 1))
		return;
	ksl_spin_lock(&slot_lock[cpu]);
	o = cur_slot(cpu);
	if (__atomic_load_n(&o->req, __ATOMIC_RELAXED) == 1 &&
	    __atomic_compare_exchange_n(&o->owned, &free_, 1, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		/* nobody in a section: the last owner left */
		become_owner(o);
		__atomic_fetch_sub(&o->req, 1, __ATOMIC_RELEASE);
		ksl_spin_unlock(&slot_lock[cpu]);
		return;
	}
	if (stealable(o, 1))
		steal(cpu, o); /* unlocks; no memory: stays a sharer */
	else
		ksl_spin_unlock(&slot_lock[cpu]);
}

unsigned int ksl_this_cpu(void)
{
	if (likely(ksl_tls.gen == ksl_mm.generation)) {
		if (ksl_tls.owner && revoked(ksl_tls.own)) {
			/* a pinning thread took the CPU: another one */
			ksl_cpu_leave();
			pinned = false;
		} else {
			if (ksl_tls.sharer)
				sharer_promote(ksl_tls.cpu);
			return ksl_tls.cpu;
		}
	}
	unsigned int first = atomic_fetch_add_explicit(&ksl_next_cpu, 1,
						       memory_order_relaxed) %
			     ksl_mm.nr_cpus;
	unsigned int cpu = first;

	/* round-robin, but a CPU nobody runs as first (as a scheduler
	 * spreads threads): its new thread needs no lock */
	for (unsigned int i = 0; i < ksl_mm.nr_cpus; i++) {
		unsigned int k = (first + i) % ksl_mm.nr_cpus;
		struct ksl_cpu_own *o = cur_slot(k);

		if (!__atomic_load_n(&o->owned, __ATOMIC_RELAXED) &&
		    !__atomic_load_n(&o->req, __ATOMIC_RELAXED)) {
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
	pinned = true;
	assign_cpu(cpu);
	return 0;
}

unsigned int kslab_nr_cpus(void)
{
	ksl_ensure_booted();
	return ksl_mm.nr_cpus;
}
