/* SPDX-License-Identifier: MIT */
/*
 * A test-and-test-and-set spinlock for short critical sections (per-CPU
 * page lists, slab freelists). Uncontended: one exchange to take, one
 * release store to drop. Contended: spins on a plain load, yielding the
 * host CPU after a while, since a simulated CPU's lock holder may be a
 * preempted host thread.
 */
#ifndef KSLAB_LIB_SPINLOCK_H
#define KSLAB_LIB_SPINLOCK_H

#include <sched.h>
#include <stdbool.h>

typedef struct {
	int locked;
} ksl_spinlock_t;

#define KSL_SPINLOCK_INIT \
	{                 \
		0         \
	}

static inline void ksl_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static inline bool ksl_spin_trylock(ksl_spinlock_t *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void ksl_spin_lock(ksl_spinlock_t *l)
{
	unsigned int spins = 0;

	while (!ksl_spin_trylock(l)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
			if (++spins < 128)
				ksl_cpu_relax();
			else
				sched_yield();
		}
	}
}

static inline void ksl_spin_unlock(ksl_spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif /* KSLAB_LIB_SPINLOCK_H */
