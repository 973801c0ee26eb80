// SPDX-License-Identifier: MIT
/*
 * SIGBUS guard for mapped trace files (map_guard.h). A plain trace file
 * is mapped and read in place, by the reading thread and by the parsing
 * threads (tools/trace/trace_par.c); if another process truncates it,
 * every access past the new end is a SIGBUS, in whichever thread makes
 * it. The handler, installed for the whole process, looks the faulting
 * address up in a small table of guarded ranges:
 *
 *   - inside one: the range from the faulting page to its end is
 *     replaced in place by anonymous zero pages (mmap MAP_FIXED, a plain
 *     system call), the lowest faulting offset is recorded, and the
 *     handler returns: the access is made again and reads zeros, in any
 *     thread, with no jump out of code that holds locks or half-made
 *     state. The reader (trace_input.c) sees the fault recorded, or the
 *     file's smaller size, before it cuts its next block and ends the
 *     input with a message.
 *   - elsewhere (a genuine bug, or a fault in another mapping): the
 *     handler that was installed before is called; without one the
 *     default action is restored and the access made again, so the
 *     process dies of SIGBUS as it would have.
 *
 * Invariants: the table is read by the handler without a lock (atomic
 * loads only; a slot's end is published before its start, and cleared
 * start first); a slot is owned by one trace_input from map_guard_add()
 * to map_guard_remove(), which comes before the munmap(). The handler
 * calls only async-signal-safe functions (atomics, mmap/sigaction system
 * calls, raise()).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "input/map_guard.h"

#define NR_GUARDS 16

struct guard {
	atomic_uintptr_t start, end; /* start 0: free */
	atomic_int used;
	atomic_bool hit;
	_Atomic uint64_t fault_off; /* lowest faulting offset */
};

static struct guard guards[NR_GUARDS];
/* the handler found when ours was installed: olds[old_idx] (a new one is
 * written to the other slot, then published) */
static struct sigaction olds[2];
static atomic_int old_idx;
static uintptr_t page_mask;
static atomic_ulong nr_faults;
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;

/* zero pages over [from, end): a raw system call, safe in a handler */
static bool zero_fill(uintptr_t from, uintptr_t end)
{
	void *m;

#if defined(SYS_mmap) && (defined(__x86_64__) || defined(__aarch64__))
	m = (void *)syscall(SYS_mmap, (void *)from, (size_t)(end - from),
			    PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			    -1, (off_t)0);
#else
	m = mmap((void *)from, (size_t)(end - from), PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
#endif
	return m == (void *)from;
}

static void record(struct guard *g, uint64_t off)
{
	uint64_t cur = atomic_load(&g->fault_off);

	while (off < cur &&
	       !atomic_compare_exchange_weak(&g->fault_off, &cur, off))
		;
	atomic_store(&g->hit, true);
	atomic_fetch_add(&nr_faults, 1);
}

/* a fault inside a guarded range made harmless: true */
static bool guarded_fault(uintptr_t a)
{
	for (unsigned int i = 0; i < NR_GUARDS; i++) {
		struct guard *g = &guards[i];
		uintptr_t start = atomic_load(&g->start), end;

		if (!start || a < start)
			continue;
		end = atomic_load(&g->end);
		if (a >= end)
			continue;
		if (!zero_fill(a & page_mask, end))
			return false;
		record(g, (uint64_t)(a - start));
		return true;
	}
	return false;
}

/* not ours: what would have happened without this handler */
static void pass_on(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction old_action = olds[atomic_load(&old_idx)];
	struct sigaction dfl;

	if ((old_action.sa_flags & SA_SIGINFO) && old_action.sa_sigaction) {
		old_action.sa_sigaction(sig, si, uc);
		return;
	}
	if (!(old_action.sa_flags & SA_SIGINFO) &&
	    old_action.sa_handler != SIG_DFL &&
	    old_action.sa_handler != SIG_IGN) {
		old_action.sa_handler(sig);
		return;
	}
	if (old_action.sa_handler == SIG_IGN && si->si_code <= 0)
		return; /* a SIGBUS sent by kill(), ignored as before */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	/* a fault happens again on return; a sent signal must be raised */
	if (si->si_code <= 0)
		raise(sig);
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	if (si && si->si_code > 0 && guarded_fault((uintptr_t)si->si_addr)) {
		errno = saved;
		return;
	}
	pass_on(sig, si, uc);
	errno = saved;
}

/*
 * Our handler in place: installed by the first call, and again when
 * another replaced it since (a test harness's handler set around each
 * test, say), which then becomes the one faults not ours go to. 0 or -1.
 */
static int install(void)
{
	struct sigaction sa, cur;
	long page = sysconf(_SC_PAGESIZE);
	int idx, ret = 0;

	if (page <= 0)
		return -1;
	pthread_mutex_lock(&install_lock);
	page_mask = ~((uintptr_t)page - 1);
	if (sigaction(SIGBUS, NULL, &cur)) {
		ret = -1;
	} else if (!(cur.sa_flags & SA_SIGINFO) ||
		   cur.sa_sigaction != on_sigbus) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigbus;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
		sigemptyset(&sa.sa_mask);
		idx = !atomic_load(&old_idx);
		olds[idx] = cur;
		atomic_store(&old_idx, idx);
		ret = sigaction(SIGBUS, &sa, NULL) ? -1 : 0;
	}
	pthread_mutex_unlock(&install_lock);
	return ret;
}

int map_guard_add(const void *start, size_t len)
{
	if (!start || !len || install())
		return -1;
	for (int i = 0; i < NR_GUARDS; i++) {
		struct guard *g = &guards[i];
		int expect = 0;

		if (!atomic_compare_exchange_strong(&g->used, &expect, 1))
			continue;
		atomic_store(&g->hit, false);
		atomic_store(&g->fault_off, UINT64_MAX);
		atomic_store(&g->end, (uintptr_t)start + len);
		atomic_store(&g->start, (uintptr_t)start);
		return i;
	}
	return -1;
}

bool map_guard_hit(int slot, uint64_t *off)
{
	struct guard *g;

	if (slot < 0 || slot >= NR_GUARDS)
		return false;
	g = &guards[slot];
	if (!atomic_load(&g->hit))
		return false;
	*off = atomic_load(&g->fault_off);
	return true;
}

void map_guard_remove(int slot)
{
	struct guard *g;

	if (slot < 0 || slot >= NR_GUARDS)
		return;
	g = &guards[slot];
	atomic_store(&g->start, 0);
	atomic_store(&g->end, 0);
	atomic_store(&g->used, 0);
}

unsigned long map_guard_faults(void)
{
	return atomic_load(&nr_faults);
}
