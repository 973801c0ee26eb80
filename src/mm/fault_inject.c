// SPDX-License-Identifier: MIT
/*
 * Fault injection: the kernel's lib/fault-inject.c for kslab's two
 * capabilities, failslab (src/slab/failslab.c asks) and fail_page_alloc
 * (fail_page_alloc.c asks), with their knobs, boot parameters and the
 * per-thread fail-nth and make-it-fail.
 *
 * The decision, ksl_should_fail_ex(), takes the kernel's steps in its
 * order: the thread's fail-nth first (it counts down on every candidate
 * and fails the one that reaches zero); then probability 0 ends it; the
 * task filter; times left (0: none); the space budget (a candidate
 * smaller than what is left passes and uses it up); the interval (every
 * interval-th candidate goes on); the probability against a draw in
 * [0, 100). A failure is reported (verbose, unless __GFP_NOWARN) and
 * uses up one of times (unless -1).
 *
 * Invariants: a point's armed flag is set whenever it may fail (its
 * probability is not 0, a thread has a fail-nth pending, or failslab's
 * hook is set), so a clear flag means the allocation paths never ask.
 * Knobs change under fault_lock and are read relaxed; times, space, the
 * interval count and the generator are atomics, so that threads asking
 * at once each take their own step. The generator is splitmix64 on an
 * atomic counter: one seed gives one sequence of draws.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "mm/mm_internal.h"
#include "mm/fault_inject.h"

#define RD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WR(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

bool ksl_failslab_armed;
bool ksl_fail_page_alloc_armed;

struct fault_state {
	const char *name;
	struct kslab_fault_attr attr;
	unsigned long count;	 /* candidates past the space check */
	uint64_t rng;		 /* splitmix64 state */
	unsigned long failures;	 /* injected since the process started */
	pthread_mutex_t rl_lock; /* verbose rate limit */
	unsigned long rl_begin;	 /* ms; 0: no window yet */
	unsigned int rl_printed, rl_missed;
};

/* FAULT_ATTR_INITIALIZER and the capabilities' own defaults */
#define FAULT_DEFAULTS                                                  \
	{                                                               \
		.interval = 1, .times = 1, .verbose = 2,                \
		.verbose_ratelimit_burst = 10, .ignore_gfp_wait = true, \
		.ignore_gfp_highmem = true, .min_order = 1              \
	}

static const struct kslab_fault_attr fault_defaults = FAULT_DEFAULTS;
static struct fault_state faults[KSL_NR_FAULTS] = {
	[KSL_FAILSLAB] = { .name = KSLAB_FAILSLAB,
			   .attr = FAULT_DEFAULTS,
			   .rl_lock = PTHREAD_MUTEX_INITIALIZER },
	[KSL_FAIL_PAGE_ALLOC] = { .name = KSLAB_FAIL_PAGE_ALLOC,
				  .attr = FAULT_DEFAULTS,
				  .rl_lock = PTHREAD_MUTEX_INITIALIZER },
};
static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*failslab_sync)(bool may_block);

void ksl_fault_set_failslab_sync(void (*fn)(bool may_block))
{
	__atomic_store_n(&failslab_sync, fn, __ATOMIC_RELEASE);
}

/* after a rearm(): the lock let go, then the slab layer told */
static void fault_unlock_sync(bool may_block)
{
	void (*fn)(bool) = __atomic_load_n(&failslab_sync, __ATOMIC_ACQUIRE);

	pthread_mutex_unlock(&fault_lock);
	if (fn)
		fn(may_block);
}
static bool hook_set;
static atomic_int nth_threads; /* threads with a fail-nth pending */
static __thread unsigned int fail_nth;
static __thread bool make_it_fail;

/* ---- arming ------------------------------------------------------------- */

static void rearm(void)
{
	bool nth = atomic_load(&nth_threads) > 0;

	WR(ksl_failslab_armed,
	   hook_set || nth || RD(faults[KSL_FAILSLAB].attr.probability));
	WR(ksl_fail_page_alloc_armed,
	   nth || RD(faults[KSL_FAIL_PAGE_ALLOC].attr.probability));
}

/* every knob, read relaxed (threads may be using times and space up) */
static void snapshot(const struct fault_state *f, struct kslab_fault_attr *a)
{
	a->probability = RD(f->attr.probability);
	a->interval = RD(f->attr.interval);
	a->times = RD(f->attr.times);
	a->space = RD(f->attr.space);
	a->verbose = RD(f->attr.verbose);
	a->verbose_ratelimit_interval_ms =
		RD(f->attr.verbose_ratelimit_interval_ms);
	a->verbose_ratelimit_burst = RD(f->attr.verbose_ratelimit_burst);
	a->task_filter = RD(f->attr.task_filter);
	a->ignore_gfp_wait = RD(f->attr.ignore_gfp_wait);
	a->ignore_gfp_highmem = RD(f->attr.ignore_gfp_highmem);
	a->min_order = RD(f->attr.min_order);
	a->cache_filter = RD(f->attr.cache_filter);
	a->seed = RD(f->attr.seed);
}

static void set_state(struct fault_state *f, const struct kslab_fault_attr *a)
{
	WR(f->attr.probability, a->probability);
	WR(f->attr.interval, a->interval);
	WR(f->attr.times, a->times);
	WR(f->attr.space, a->space);
	WR(f->attr.verbose, a->verbose);
	WR(f->attr.verbose_ratelimit_interval_ms,
	   a->verbose_ratelimit_interval_ms);
	WR(f->attr.verbose_ratelimit_burst, a->verbose_ratelimit_burst);
	WR(f->attr.task_filter, a->task_filter);
	WR(f->attr.ignore_gfp_wait, a->ignore_gfp_wait);
	WR(f->attr.ignore_gfp_highmem, a->ignore_gfp_highmem);
	WR(f->attr.min_order, a->min_order);
	WR(f->attr.cache_filter, a->cache_filter);
	WR(f->attr.seed, a->seed);
	WR(f->count, 0UL);
	WR(f->rng, a->seed);
	pthread_mutex_lock(&f->rl_lock);
	f->rl_begin = 0;
	f->rl_printed = f->rl_missed = 0;
	pthread_mutex_unlock(&f->rl_lock);
}

void ksl_fault_set_hook(bool set)
{
	pthread_mutex_lock(&fault_lock);
	hook_set = set;
	rearm();
	fault_unlock_sync(true);
}

const struct kslab_fault_attr *ksl_fault_attr(enum ksl_fault_point fp)
{
	return &faults[fp].attr;
}

/* ---- the report ----------------------------------------------------------- */

static unsigned long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 1;
}

/* the kernel's ___ratelimit(): burst messages a window, 0 ms: all */
static bool fault_ratelimit(struct fault_state *f)
{
	unsigned int interval = RD(f->attr.verbose_ratelimit_interval_ms);
	unsigned int burst = RD(f->attr.verbose_ratelimit_burst);
	unsigned long now;
	bool ok;

	if (!interval)
		return true;
	if (pthread_mutex_trylock(&f->rl_lock))
		return false;
	now = now_ms();
	if (!f->rl_begin)
		f->rl_begin = now;
	if (now > f->rl_begin + interval) {
		if (f->rl_missed)
			ksl_printk("fail_dump: %u callbacks suppressed",
				   f->rl_missed);
		f->rl_missed = 0;
		f->rl_begin = now;
		f->rl_printed = 0;
	}
	ok = burst && burst > f->rl_printed;
	if (ok)
		f->rl_printed++;
	else
		f->rl_missed++;
	pthread_mutex_unlock(&f->rl_lock);
	return ok;
}

/*
 * One frame as the kernel's %pS: symbol+0xoff/0xsize for an exported
 * symbol; else the address and where it lies in its object file (for
 * addr2line -e FILE OFFSET).
 */
static void print_frame(void *addr)
{
	const ElfW(Sym) *sym = NULL;
	const char *file, *base;
	Dl_info info;

	if (!dladdr1(addr, &info, (void **)&sym, RTLD_DL_SYMENT)) {
		ksl_printk(" %p", addr);
		return;
	}
	if (info.dli_sname && info.dli_saddr) {
		ksl_printk(
			" %s+%#lx/%#lx", info.dli_sname,
			(unsigned long)((char *)addr - (char *)info.dli_saddr),
			sym ? (unsigned long)sym->st_size : 0UL);
		return;
	}
	file = info.dli_fname && *info.dli_fname ? info.dli_fname : "?";
	base = strrchr(file, '/');
	ksl_printk(" %p [%s+%#lx]", addr, base ? base + 1 : file,
		   (unsigned long)((char *)addr - (char *)info.dli_fbase));
}

/* dump_stack(): the header line, then the calling thread's frames */
static void dump_stack(void)
{
	void *frames[32];
	int nr = backtrace(frames, 32);

	ksl_printk("CPU: %u UID: %u PID: %d Comm: %.15s Not tainted kslab",
		   ksl_mm.booted ? ksl_this_cpu() : 0, (unsigned int)getuid(),
		   (int)getpid(), ksl_comm());
	ksl_printk("Call Trace:");
	ksl_printk(" <TASK>");
	for (int i = 1; i < nr; i++)
		print_frame(frames[i]);
	ksl_printk(" </TASK>");
}

static void fail_dump(struct fault_state *f)
{
	if (!RD(f->attr.verbose) || !fault_ratelimit(f))
		return;
	ksl_printk("FAULT_INJECTION: forcing a failure.");
	ksl_printk("name %s, interval %lu, probability %lu, space %d, times %d",
		   f->name, RD(f->attr.interval), RD(f->attr.probability),
		   RD(f->attr.space), RD(f->attr.times));
	if (RD(f->attr.verbose) > 1)
		dump_stack();
}

/* ---- the decision --------------------------------------------------------- */

/* get_random_u32_below(100) from the capability's generator */
static unsigned int draw_below_100(struct fault_state *f)
{
	uint64_t z = __atomic_add_fetch(&f->rng, 0x9e3779b97f4a7c15ULL,
					__ATOMIC_RELAXED);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (unsigned int)(((z >> 32) * 100) >> 32);
}

/*
 * atomic_add_unless(times, -1, 0), telling whether a time was left (-1:
 * unlimited). The kernel reads times == 0 first and decrements after
 * the failure, so two CPUs can both take the last one; here the failure
 * takes its time first, so times=N fails exactly N candidates.
 */
static bool use_one_time(struct fault_state *f)
{
	int t = RD(f->attr.times);

	for (;;) {
		if (t == -1)
			return true;
		if (t == 0)
			return false;
		if (__atomic_compare_exchange_n(&f->attr.times, &t, t - 1,
						false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return true;
	}
}

static void nth_done(void)
{
	pthread_mutex_lock(&fault_lock);
	atomic_fetch_sub(&nth_threads, 1);
	rearm();
	fault_unlock_sync(false);
}

/* space: a candidate smaller than the budget passes and uses it up */
static bool space_left(struct fault_state *f, long size)
{
	int space = RD(f->attr.space);

	while (space > size)
		if (__atomic_compare_exchange_n(
			    &f->attr.space, &space, (int)(space - size), false,
			    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return true;
	return false;
}

static bool generic_checks(struct fault_state *f, long size)
{
	unsigned long interval, prob = RD(f->attr.probability);

	if (!prob)
		return false;
	if (RD(f->attr.task_filter) && !make_it_fail)
		return false;
	if (RD(f->attr.times) == 0)
		return false;
	if (space_left(f, size))
		return false;
	interval = RD(f->attr.interval);
	if (interval > 1 &&
	    __atomic_add_fetch(&f->count, 1, __ATOMIC_RELAXED) % interval)
		return false;
	return prob > draw_below_100(f);
}

bool ksl_should_fail_ex(enum ksl_fault_point fp, long size, int flags)
{
	struct fault_state *f = &faults[fp];

	if (fail_nth) {
		if (--fail_nth)
			return false;
		nth_done();
		use_one_time(f); /* fails whether or not one was left */
	} else if (!generic_checks(f, size) || !use_one_time(f)) {
		return false;
	}
	if (!(flags & KSL_FAULT_NOWARN))
		fail_dump(f);
	__atomic_add_fetch(&f->failures, 1, __ATOMIC_RELAXED);
	return true;
}

/* ---- per thread ------------------------------------------------------------- */

/* a thread that ends with a fail-nth pending no longer keeps them armed */
static pthread_key_t nth_key;
static pthread_once_t nth_key_once = PTHREAD_ONCE_INIT;

static void nth_thread_exit(void *unused)
{
	(void)unused;
	if (fail_nth) {
		fail_nth = 0;
		nth_done();
	}
}

static void nth_key_init(void)
{
	pthread_key_create(&nth_key, nth_thread_exit);
}

void kslab_fail_nth(unsigned int n)
{
	unsigned int old = fail_nth;

	fail_nth = n;
	if (!old == !n)
		return;
	if (n) {
		pthread_once(&nth_key_once, nth_key_init);
		pthread_setspecific(nth_key, &nth_key);
	}
	pthread_mutex_lock(&fault_lock);
	atomic_fetch_add(&nth_threads, n ? 1 : -1);
	rearm();
	fault_unlock_sync(true);
}

unsigned int kslab_fail_nth_left(void)
{
	return fail_nth;
}

void kslab_fault_make_it_fail(bool on)
{
	make_it_fail = on;
}

/* ---- the API ---------------------------------------------------------------- */

static struct fault_state *fault_by_name(const char *name)
{
	for (int i = 0; name && i < KSL_NR_FAULTS; i++)
		if (!strcmp(name, faults[i].name))
			return &faults[i];
	return NULL;
}

int kslab_fault_attr_get(const char *name, struct kslab_fault_attr *attr)
{
	struct fault_state *f = fault_by_name(name);

	if (!f || !attr)
		return -EINVAL;
	pthread_mutex_lock(&fault_lock);
	snapshot(f, attr);
	pthread_mutex_unlock(&fault_lock);
	return 0;
}

int kslab_fault_attr_set(const char *name, const struct kslab_fault_attr *attr)
{
	struct fault_state *f = fault_by_name(name);

	if (!f || !attr)
		return -EINVAL;
	pthread_mutex_lock(&fault_lock);
	set_state(f, attr);
	rearm();
	fault_unlock_sync(true);
	return 0;
}

int kslab_fault_attr_reset(const char *name)
{
	return kslab_fault_attr_set(name, &fault_defaults);
}

unsigned long kslab_fault_count(const char *name)
{
	struct fault_state *f = fault_by_name(name);

	return f ? RD(f->failures) : 0;
}

/* ---- knobs as debugfs files --------------------------------------------------- */

enum knob_type { K_ULONG, K_INT, K_U32, K_BOOL, K_U64 };

#define KNOB(n, field, type, only)                                      \
	{                                                               \
		n, offsetof(struct kslab_fault_attr, field), type, only \
	}

static const struct knob {
	const char *name;
	size_t off;
	enum knob_type type;
	int only; /* -1: both capabilities */
} knobs[] = {
	KNOB("probability", probability, K_ULONG, -1),
	KNOB("interval", interval, K_ULONG, -1),
	KNOB("times", times, K_INT, -1),
	KNOB("space", space, K_INT, -1),
	KNOB("verbose", verbose, K_ULONG, -1),
	KNOB("verbose_ratelimit_interval_ms", verbose_ratelimit_interval_ms,
	     K_U32, -1),
	KNOB("verbose_ratelimit_burst", verbose_ratelimit_burst, K_U32, -1),
	KNOB("task-filter", task_filter, K_BOOL, -1),
	KNOB("ignore-gfp-wait", ignore_gfp_wait, K_BOOL, -1),
	KNOB("ignore-gfp-highmem", ignore_gfp_highmem, K_BOOL,
	     KSL_FAIL_PAGE_ALLOC),
	KNOB("min-order", min_order, K_U32, KSL_FAIL_PAGE_ALLOC),
	KNOB("cache-filter", cache_filter, K_BOOL, KSL_FAILSLAB),
	KNOB("seed", seed, K_U64, -1),
};

static const struct knob *find_knob(const struct fault_state *f,
				    const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(knobs); i++)
		if (!strcmp(knobs[i].name, name) &&
		    (knobs[i].only < 0 || &faults[knobs[i].only] == f))
			return &knobs[i];
	return NULL;
}

/* kstrtoull(s, 0): a '+', 0x/0 prefixes, one trailing newline */
static int kstrtoull0(const char *s, unsigned long long *out)
{
	unsigned int base = 10, nr = 0;
	unsigned long long v = 0;

	if (*s == '+')
		s++;
	if (s[0] == '0' && tolower((unsigned char)s[1]) == 'x' &&
	    isxdigit((unsigned char)s[2]))
		base = 16, s += 2;
	else if (s[0] == '0')
		base = 8;
	for (;; s++, nr++) {
		int c = tolower((unsigned char)*s);
		unsigned int d = isdigit(c) ? (unsigned int)(c - '0') :
				 (c >= 'a' && c <= 'f') ?
					      (unsigned int)(c - 'a' + 10) :
					      99;

		if (d >= base)
			break;
		if (v > (ULLONG_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (*s == '\n')
		s++;
	if (!nr || *s)
		return -EINVAL;
	*out = v;
	return 0;
}

static int kstrtoll0(const char *s, long long *out)
{
	unsigned long long v;
	int ret = kstrtoull0(s[0] == '-' ? s + 1 : s, &v);

	if (ret)
		return ret;
	if (s[0] == '-') {
		if (v > (unsigned long long)LLONG_MAX + 1)
			return -ERANGE;
		*out = (long long)(0 - v);
	} else {
		if (v > LLONG_MAX)
			return -ERANGE;
		*out = (long long)v;
	}
	return 0;
}

/* kstrtobool() */
static int kstrtobool(const char *s, bool *out)
{
	switch (s[0]) {
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		*out = true;
		return 0;
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		*out = false;
		return 0;
	case 'o':
	case 'O':
		if (s[1] == 'n' || s[1] == 'N')
			return *out = true, 0;
		if (s[1] == 'f' || s[1] == 'F')
			return *out = false, 0;
		break;
	}
	return -EINVAL;
}

static int parse_knob(const struct knob *k, const char *value, void *dst)
{
	unsigned long long u;
	long long v;
	bool b;
	int ret;

	switch (k->type) {
	case K_BOOL:
		ret = kstrtobool(value, &b);
		if (!ret)
			*(bool *)dst = b;
		return ret;
	case K_INT: /* atomic_t: a long long, truncated */
		ret = kstrtoll0(value, &v);
		if (!ret)
			*(int *)dst = (int)v;
		return ret;
	default:
		ret = kstrtoull0(value, &u);
		if (ret)
			return ret;
		if (k->type == K_U32)
			*(unsigned int *)dst = (unsigned int)u;
		else if (k->type == K_ULONG)
			*(unsigned long *)dst = (unsigned long)u;
		else
			*(uint64_t *)dst = u;
		return 0;
	}
}

int kslab_fault_write(const char *name, const char *knob, const char *value)
{
	struct fault_state *f = fault_by_name(name);
	const struct knob *k = f ? find_knob(f, knob) : NULL;
	struct kslab_fault_attr a;
	int ret;

	if (!k || !value)
		return -EINVAL;
	pthread_mutex_lock(&fault_lock);
	snapshot(f, &a);
	ret = parse_knob(k, value, (char *)&a + k->off);
	if (!ret) {
		/* one knob changes; the interval count and the generator
		 * restart only when their own knob is written */
		unsigned long count = RD(f->count);
		uint64_t rng = RD(f->rng);

		set_state(f, &a);
		if (strcmp(k->name, "interval"))
			WR(f->count, count);
		if (strcmp(k->name, "seed"))
			WR(f->rng, rng);
		rearm();
	}
	fault_unlock_sync(true);
	return ret;
}

int kslab_fault_read(const char *name, const char *knob, char *buf, size_t len)
{
	struct fault_state *f = fault_by_name(name);
	const struct knob *k = f ? find_knob(f, knob) : NULL;
	struct kslab_fault_attr a;
	const void *p;
	int n;

	if (!k || !buf)
		return -EINVAL;
	if (kslab_fault_attr_get(name, &a))
		return -EINVAL;
	p = (const char *)&a + k->off;
	switch (k->type) {
	case K_BOOL:
		n = snprintf(buf, len, "%c\n", *(const bool *)p ? 'Y' : 'N');
		break;
	case K_INT:
		n = snprintf(buf, len, "%d\n", *(const int *)p);
		break;
	case K_U32:
		n = snprintf(buf, len, "%u\n", *(const unsigned int *)p);
		break;
	case K_ULONG:
		n = snprintf(buf, len, "%lu\n", *(const unsigned long *)p);
		break;
	default:
		n = snprintf(buf, len, "%llu\n",
			     (unsigned long long)*(const uint64_t *)p);
		break;
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/* ---- boot parameters -------------------------------------------------------- */

static struct {
	bool given[KSL_NR_FAULTS];
	unsigned long interval[KSL_NR_FAULTS], probability[KSL_NR_FAULTS];
	int space[KSL_NR_FAULTS], times[KSL_NR_FAULTS];
	bool seed_given;
	uint64_t seed;
} boot_cfg;

/*
 * One %lu or %d of the kernel's vsscanf(): white space skipped, a '-'
 * only where signed, then base-10 digits (at least one), wrapping.
 */
static bool scan_num(const char **sp, bool is_sign, unsigned long long *out)
{
	const char *s = *sp;
	bool neg = false;
	unsigned long long v = 0;

	if (!*s)
		return false;
	while (isspace((unsigned char)*s))
		s++;
	if (is_sign && *s == '-')
		neg = true, s++;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s))
		v = v * 10 + (unsigned long long)(*s++ - '0');
	*out = neg ? 0 - v : v;
	*sp = s;
	return true;
}

/* setup_fault_attr(): "<interval>,<probability>,<space>,<times>" */
static int setup_fault_attr(enum ksl_fault_point fp, const char *str)
{
	unsigned long long v[4];
	const char *s = str ? str : "";

	for (int i = 0; i < 4; i++) {
		if ((i && *s++ != ',') || !scan_num(&s, i >= 2, &v[i])) {
			ksl_printk(
				"FAULT_INJECTION: failed to parse arguments");
			return 0; /* ignored, as the kernel's __setup handler */
		}
	}
	boot_cfg.given[fp] = true;
	boot_cfg.interval[fp] = (unsigned long)v[0];
	boot_cfg.probability[fp] = (unsigned long)v[1];
	boot_cfg.space[fp] = (int)v[2];
	boot_cfg.times[fp] = (int)v[3];
	return 0;
}

static int set_failslab(const char *name, const char *val)
{
	return setup_fault_attr(KSL_FAILSLAB, val);
}

static int set_fail_page_alloc(const char *name, const char *val)
{
	return setup_fault_attr(KSL_FAIL_PAGE_ALLOC, val);
}

static int set_fault_seed(const char *name, const char *val)
{
	unsigned long long v;

	if (!val || kstrtoull0(val, &v))
		return ksl_param_invalid(name, val, "not a number");
	boot_cfg.seed_given = true;
	boot_cfg.seed = v;
	return 0;
}

const struct ksl_param ksl_fault_params[] = {
	{ "failslab", set_failslab },
	{ "fail_page_alloc", set_fail_page_alloc },
	{ "kslab.fault_seed", set_fault_seed },
	{ NULL, NULL },
};

void ksl_fault_config_reset(void)
{
	memset(&boot_cfg, 0, sizeof(boot_cfg));
}

void ksl_fault_boot_apply(void)
{
	pthread_mutex_lock(&fault_lock);
	for (int i = 0; i < KSL_NR_FAULTS; i++) {
		struct kslab_fault_attr a;

		if (!boot_cfg.given[i] && !boot_cfg.seed_given)
			continue;
		snapshot(&faults[i], &a);
		if (boot_cfg.given[i]) {
			a.interval = boot_cfg.interval[i];
			a.probability = boot_cfg.probability[i];
			a.space = boot_cfg.space[i];
			a.times = boot_cfg.times[i];
		}
		if (boot_cfg.seed_given)
			a.seed = boot_cfg.seed;
		set_state(&faults[i], &a);
	}
	rearm();
	fault_unlock_sync(true);
}

void ksl_fault_shutdown(void)
{
	pthread_mutex_lock(&fault_lock);
	for (int i = 0; i < KSL_NR_FAULTS; i++)
		set_state(&faults[i], &fault_defaults);
	rearm();
	fault_unlock_sync(true);
}
