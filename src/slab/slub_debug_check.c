// SPDX-License-Identifier: MIT
/*
 * SLUB debugging's checks and reports (mm/slub.c, 6.18): red zones,
 * poison, padding, the free pointer and the freelist of a debugged
 * cache's objects, the alloc/free tracks, and the reports in the kernel's
 * words and layout:
 *
 *   =============================================================================
 *   BUG cache (Not tainted): Object already free
 *   -----------------------------------------------------------------------------
 *
 *   Allocated in caller+0x1c age=3 cpu=0 pid=1234
 *    <stack>
 *   Slab 0x... objects=32 used=1 fp=0x... flags=0x240(slab|head)
 *   Object 0x... @offset=128 fp=0x...
 *
 *   Redzone  ...: bb bb bb bb bb bb bb bb                          ........
 *   Object   ...: 6b 6b 6b ...
 *   FIX cache: Object at 0x... not freed
 *
 * Object layout (calculate_sizes(), slab_create.c): [left red zone]
 * object, right red zone up to inuse, free pointer (when outside),
 * two struct track (32 bytes each: addr, stack handle, cpu, pid, when),
 * the kmalloc request size (orig_size: SLAB_KMALLOC with tracks; 4 bytes
 * in 6.1, 8 since), padding. An allocated kmalloc object with a red zone
 * is poisoned up to its request size and red-zoned from there to inuse
 * ("kmalloc Redzone" between the request and object_size, from 6.2).
 *
 * Errors are counted as the kernel's KUnit hook counts them (each
 * overwritten range, each object or slab error, each fix), so the
 * lib/slub_kunit.c expectations hold; kslab_slub_debug_errors() reads
 * the count. Callers hold the node's list_lock.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "slab/slab_internal.h"

#define SLUB_RED_INACTIVE 0xbb
#define SLUB_RED_ACTIVE 0xcc
#define POISON_INUSE 0x5a
#define POISON_FREE 0x6b
#define POISON_END 0xa5
#define TRACK_DEPTH 16

/* struct track of a 64-bit kernel with CONFIG_STACKDEPOT */
struct ksl_track {
	unsigned long addr;
	uint32_t handle; /* ksl_depot: index + 1, 0 none */
	int cpu;
	int pid;
	unsigned long when; /* ms (jiffies of a HZ=1000 kernel) */
};
_Static_assert(sizeof(struct ksl_track) == 32, "struct track");

enum { TRACK_ALLOC, TRACK_FREE };

static atomic_ulong ksl_debug_errors;
static atomic_bool ksl_tainted;

unsigned long kslab_slub_debug_errors(void)
{
	return atomic_load(&ksl_debug_errors);
}

/* ---- a small stack depot: captured backtraces, kept for the process ---- */

#define DEPOT_MAX 4096
#define DEPOT_HASH 8192 /* buckets: index + 1 of a depot entry, 0 empty */
static struct {
	unsigned int nr;
	void *frames[TRACK_DEPTH];
} ksl_depot[DEPOT_MAX];
static unsigned int ksl_depot_used;
static uint16_t ksl_depot_hash[DEPOT_HASH];
static pthread_mutex_t ksl_depot_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned int frames_hash(void *const *frames, int nr)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int i = 0; i < nr; i++)
		h = (h ^ (uint64_t)(uintptr_t)frames[i]) * 0x100000001b3ULL;
	return (unsigned int)(h ^ (h >> 29)) % DEPOT_HASH;
}

/* stack_depot_save(): the handle of this stack, stored once */
static uint32_t depot_save(void)
{
	void *frames[TRACK_DEPTH + 3];
	int nr = backtrace(frames, TRACK_DEPTH + 3);
	uint32_t handle = 0;
	unsigned int b;

	if (nr <= 3)
		return 0;
	nr -= 3; /* this, set_track, the debug path */
	b = frames_hash(frames + 3, nr);
	pthread_mutex_lock(&ksl_depot_lock);
	for (unsigned int probe = 0; probe < DEPOT_HASH && !handle;
	     probe++, b = (b + 1) % DEPOT_HASH) {
		unsigned int e = ksl_depot_hash[b];

		if (!e) {
			if (ksl_depot_used == DEPOT_MAX)
				break; /* full: "stack trace missing" */
			ksl_depot[ksl_depot_used].nr = (unsigned int)nr;
			memcpy(ksl_depot[ksl_depot_used].frames, frames + 3,
			       (size_t)nr * sizeof(void *));
			handle = ++ksl_depot_used;
			ksl_depot_hash[b] = (uint16_t)handle;
		} else if (ksl_depot[e - 1].nr == (unsigned int)nr &&
			   !memcmp(ksl_depot[e - 1].frames, frames + 3,
				   (size_t)nr * sizeof(void *))) {
			handle = e;
		}
	}
	pthread_mutex_unlock(&ksl_depot_lock);
	return handle;
}

/* %pS: symbol+offset where the dynamic symbols tell, else the address */
static void sym(char *buf, size_t len, unsigned long addr)
{
	Dl_info info;

	if (dladdr((void *)addr, &info) && info.dli_sname)
		snprintf(buf, len, "%s+0x%lx", info.dli_sname,
			 addr - (unsigned long)info.dli_saddr);
	else
		snprintf(buf, len, "0x%lx", addr);
}

static void depot_print(uint32_t handle)
{
	char s[160];

	if (!handle || handle > ksl_depot_used) {
		ksl_printk("object allocation/free stack trace missing");
		return;
	}
	for (unsigned int i = 0; i < ksl_depot[handle - 1].nr; i++) {
		sym(s, sizeof(s),
		    (unsigned long)ksl_depot[handle - 1].frames[i]);
		ksl_printk(" %s", s);
	}
}

static unsigned long jiffies(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_sec * 1000 +
	       (unsigned long)ts.tv_nsec / 1000000;
}

/* ---- layout ---------------------------------------------------------------- */

static bool fp_outside(const struct kmem_cache *s)
{
	return s->offset >= s->inuse;
}

static unsigned int info_end(const struct kmem_cache *s)
{
	return fp_outside(s) ? s->inuse + (unsigned int)sizeof(void *) :
			       s->inuse;
}

/* slub_debug_orig_size(): a kmalloc cache with tracks keeps each object's
 * request size after its two tracks */
static bool has_orig_size(const struct kmem_cache *s)
{
	return (s->flags & SLAB_STORE_USER) && (s->flags & SLAB_KMALLOC);
}

/* ... and from 6.2 red-zones the bytes between it and object_size */
static bool kmalloc_redzone(const struct kmem_cache *s)
{
	return has_orig_size(s) && (s->flags & SLAB_RED_ZONE) &&
	       ksl_slab_rule_kmalloc_redzone();
}

/* the metadata after the free pointer: tracks and the request size */
static unsigned int meta_bytes(const struct kmem_cache *s)
{
	unsigned int n = 0;

	if (s->flags & SLAB_STORE_USER)
		n += 2 * (unsigned int)sizeof(struct ksl_track);
	if (has_orig_size(s))
		n += ksl_slab_rule_orig_size_bytes();
	return n;
}

static unsigned int size_from_object(const struct kmem_cache *s)
{
	return (s->flags & SLAB_RED_ZONE) ? s->size - s->red_left_pad : s->size;
}

static struct ksl_track *get_track(struct kmem_cache *s, void *obj, int which)
{
	return (struct ksl_track *)((char *)obj + info_end(s)) + which;
}

/* the request size slot: an unsigned int in 6.1, an unsigned long since */
static void set_orig_size(struct kmem_cache *s, void *obj, unsigned long size)
{
	char *slot = (char *)obj + info_end(s) + 2 * sizeof(struct ksl_track);

	if (!has_orig_size(s))
		return;
	if (ksl_slab_rule_orig_size_bytes() == sizeof(unsigned int)) {
		unsigned int v = (unsigned int)size;

		memcpy(slot, &v, sizeof(v));
	} else {
		memcpy(slot, &size, sizeof(size));
	}
}

/* get_orig_size(): what was asked for, object_size without the slot */
static unsigned long get_orig_size(struct kmem_cache *s, void *obj)
{
	char *slot = (char *)obj + info_end(s) + 2 * sizeof(struct ksl_track);
	unsigned long size;

	if (!has_orig_size(s))
		return s->object_size;
	if (ksl_slab_rule_orig_size_bytes() == sizeof(unsigned int)) {
		unsigned int v;

		memcpy(&v, slot, sizeof(v));
		size = v;
	} else {
		memcpy(&size, slot, sizeof(size));
	}
	/* a corrupt slot must not send a check past the object */
	return size > s->object_size ? s->object_size : size;
}

static char *slab_addr(const struct slab *slab)
{
	return ksl_slab_address(slab);
}

bool ksl_debug_valid_pointer(struct kmem_cache *s, struct slab *slab, void *obj)
{
	char *base = slab_addr(slab), *p = obj;

	if (!obj)
		return true;
	p -= (s->flags & SLAB_RED_ZONE) ? s->red_left_pad : 0;
	return p >= base && p < base + (size_t)slab->objects * s->size &&
	       !((size_t)(p - base) % s->size);
}

/* ---- reports --------------------------------------------------------------- */

#define RULE \
	"============================================================================="
#define DASH \
	"-----------------------------------------------------------------------------"

static void count_error(void)
{
	atomic_fetch_add(&ksl_debug_errors, 1);
}

/* an error reported elsewhere (a leak at kmem_cache_destroy()) */
void ksl_debug_count_error(void)
{
	count_error();
}

/*
 * One hex dump line: up to 16 bytes as "xx xx ...", padded to 49 columns,
 * then the bytes as text ('.' for the unprintable). Formatted by hand: a
 * snprintf() per byte made large dumps (a 4K object is 256 lines) most of
 * the time of a double-free report.
 */
static void hex_line(char *out, const unsigned char *addr, unsigned int n)
{
	static const char digits[] = "0123456789abcdef";
	char *o = out;

	for (unsigned int j = 0; j < n; j++) {
		*o++ = digits[addr[j] >> 4];
		*o++ = digits[addr[j] & 15];
		*o++ = ' ';
	}
	memset(o, ' ', (size_t)(out + 49 - o));
	o = out + 49;
	for (unsigned int j = 0; j < n; j++)
		*o++ = addr[j] >= 0x20 && addr[j] < 0x7f ? (char)addr[j] : '.';
	*o = '\0';
}

static void print_section(const char *text, const unsigned char *addr,
			  unsigned int len)
{
	for (unsigned int i = 0; i < len; i += 16) {
		char line[49 + 16 + 1];

		hex_line(line, addr + i, len - i < 16 ? len - i : 16);
		ksl_printk("%s%016lx: %s", text, (unsigned long)(addr + i),
			   line);
	}
}

static void slab_bug(struct kmem_cache *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void slab_bug(struct kmem_cache *s, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ksl_printk("%s", RULE);
	ksl_printk("BUG %s (%s): %s", s ? s->name : "<unknown>",
		   atomic_exchange(&ksl_tainted, true) ? "Tainted: B" :
							 "Not tainted",
		   why);
	ksl_printk("%s", DASH);
	ksl_printk("%s", "");
}

void ksl_debug_slab_fix(struct kmem_cache *s, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	count_error();
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ksl_printk("FIX %s: %s", s->name, what);
}

static void print_track(const char *what, const struct ksl_track *t,
			unsigned long now)
{
	char s[160];

	if (!t->addr)
		return;
	sym(s, sizeof(s), t->addr);
	ksl_printk("%s in %s age=%lu cpu=%u pid=%d", what, s, now - t->when,
		   (unsigned int)t->cpu, t->pid);
	depot_print(t->handle);
}

static void print_slab_info(struct kmem_cache *s, struct slab *slab)
{
	uint64_t w = fs_load(slab);

	ksl_printk(
		"Slab 0x%016lx objects=%u used=%u fp=0x%016lx flags=0x%lx(slab|head)",
		(unsigned long)slab, slab->objects, FS_INUSE(w),
		(unsigned long)idx_to_obj(s, slab, FS_HEAD(w)), slab->flags);
}

static void print_trailer(struct kmem_cache *s, struct slab *slab,
			  unsigned char *p)
{
	unsigned char *addr = (unsigned char *)slab_addr(slab);
	unsigned int off;

	if (s->flags & SLAB_STORE_USER) {
		unsigned long now = jiffies();

		print_track("Allocated", get_track(s, p, TRACK_ALLOC), now);
		print_track("Freed", get_track(s, p, TRACK_FREE), now);
	}
	print_slab_info(s, slab);
	ksl_printk("Object 0x%016lx @offset=%lu fp=0x%016lx", (unsigned long)p,
		   (unsigned long)(p - addr), (unsigned long)get_fp(s, p));
	ksl_printk("%s", "");
	if (s->flags & SLAB_RED_ZONE)
		print_section("Redzone  ", p - s->red_left_pad,
			      s->red_left_pad);
	else if (p > addr + 16)
		print_section("Bytes b4 ", p - 16, 16);
	print_section("Object   ", p,
		      (unsigned int)ksl_min((unsigned long)s->object_size,
					    ksl_mm.page_size));
	if (s->flags & SLAB_RED_ZONE)
		print_section("Redzone  ", p + s->object_size,
			      s->inuse - s->object_size);
	off = info_end(s) + meta_bytes(s);
	if (off != size_from_object(s))
		print_section("Padding  ", p + off, size_from_object(s) - off);
}

static void object_report(struct kmem_cache *s, struct slab *slab,
			  unsigned char *obj, const char *reason)
{
	slab_bug(s, "%s", reason);
	if (!obj || !ksl_debug_valid_pointer(s, slab, obj)) {
		print_slab_info(s, slab);
		ksl_printk("Invalid pointer 0x%016lx", (unsigned long)obj);
	} else {
		print_trailer(s, slab, obj);
	}
}

static void object_err(struct kmem_cache *s, struct slab *slab, void *obj,
		       const char *reason)
{
	count_error();
	object_report(s, slab, obj, reason);
}

static void slab_err(struct kmem_cache *s, struct slab *slab, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));

static void slab_err(struct kmem_cache *s, struct slab *slab, const char *fmt,
		     ...)
{
	char why[256];
	va_list ap;

	count_error();
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	slab_bug(s, "%s", why);
	print_slab_info(s, slab);
}

void ksl_debug_freechain_corrupt(struct kmem_cache *s, struct slab *slab,
				 void *obj)
{
	object_err(s, slab, obj, "Freechain corrupt");
	ksl_debug_slab_fix(s, "Isolate corrupted freechain");
}

/* ---- the checks -------------------------------------------------------------- */

/* the first byte of [p, p+len) that is not value, or NULL (memchr_inv()) */
static unsigned char *memchr_inv(unsigned char *p, unsigned char value,
				 size_t len)
{
	uint64_t v = 0x0101010101010101ULL * value, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		if (w != v)
			break;
	}
	for (; i < len; i++)
		if (p[i] != value)
			return p + i;
	return NULL;
}

static bool check_bytes(struct kmem_cache *s, struct slab *slab,
			unsigned char *obj, const char *what,
			unsigned char *start, unsigned char value,
			unsigned int bytes, bool print_obj)
{
	unsigned char *addr = (unsigned char *)slab_addr(slab);
	unsigned char *fault = memchr_inv(start, value, bytes);
	unsigned char *end = start + bytes;

	if (!fault)
		return true;
	while (end > fault && end[-1] == value)
		end--;
	count_error();
	ksl_printk(
		"[%s overwritten] 0x%016lx-0x%016lx @offset=%lu. First byte 0x%x instead of 0x%x",
		what, (unsigned long)fault, (unsigned long)(end - 1),
		(unsigned long)(fault - addr), fault[0], value);
	if (print_obj)
		object_report(s, slab, obj, "Object corrupt");
	ksl_debug_slab_fix(s, "Restoring %s 0x%016lx-0x%016lx=0x%x", what,
			   (unsigned long)fault, (unsigned long)(end - 1),
			   value);
	memset(fault, value, (size_t)(end - fault));
	return false;
}

static bool check_pad_bytes(struct kmem_cache *s, struct slab *slab,
			    unsigned char *p)
{
	unsigned int off = info_end(s) + meta_bytes(s);

	if (size_from_object(s) == off)
		return true;
	return check_bytes(s, slab, p, "Object padding", p + off, POISON_INUSE,
			   size_from_object(s) - off, true);
}

static bool check_object(struct kmem_cache *s, struct slab *slab, void *obj,
			 unsigned char val)
{
	unsigned char *p = obj, *endobj = p + s->object_size;
	bool ok = true;

	if (s->flags & SLAB_RED_ZONE) {
		ok &= check_bytes(s, slab, p, "Left Redzone",
				  p - s->red_left_pad, val, s->red_left_pad,
				  ok);
		ok &= check_bytes(s, slab, p, "Right Redzone", endobj, val,
				  s->inuse - s->object_size, ok);
		if (kmalloc_redzone(s) && val == SLUB_RED_ACTIVE) {
			unsigned long orig = get_orig_size(s, p);

			if (orig < s->object_size)
				ok &= check_bytes(s, slab, p, "kmalloc Redzone",
						  p + orig, val,
						  s->object_size -
							  (unsigned int)orig,
						  ok);
		}
	} else if ((s->flags & SLAB_POISON) && s->object_size < s->inuse) {
		ok &= check_bytes(s, slab, p, "Alignment padding", endobj,
				  POISON_INUSE, s->inuse - s->object_size, ok);
	}
	if (s->flags & SLAB_POISON) {
		if (val != SLUB_RED_ACTIVE && (s->flags & __OBJECT_POISON)) {
			ok &= check_bytes(s, slab, p, "Poison", p, POISON_FREE,
					  s->object_size - 1, ok);
			ok &= check_bytes(s, slab, p, "End Poison",
					  p + s->object_size - 1, POISON_END, 1,
					  ok);
		}
		ok &= check_pad_bytes(s, slab, p);
	}
	if ((fp_outside(s) || val != SLUB_RED_ACTIVE) &&
	    !ksl_debug_valid_pointer(s, slab, get_fp(s, p))) {
		object_err(s, slab, p, "Freepointer corrupt");
		set_fp(s, p, NULL);
		ok = false;
	}
	return ok;
}

static bool check_slab(struct kmem_cache *s, struct slab *slab)
{
	unsigned int max =
		(unsigned int)((ksl_mm.page_size << slab->order) / s->size);
	unsigned int inuse = slab_inuse(slab);

	if (slab->objects > max) {
		slab_err(s, slab, "objects %u > max %u", slab->objects, max);
		return false;
	}
	if (inuse > slab->objects) {
		slab_err(s, slab, "inuse %u > max %u", inuse, slab->objects);
		return false;
	}
	return true;
}

/* set the slab's free list head and inuse (list_lock held) */
static void set_freelist(struct kmem_cache *s, struct slab *slab, void *head,
			 unsigned int inuse)
{
	uint64_t w = fs_load(slab);

	__atomic_store_n(&slab->fstate,
			 fs_make(head ? obj_to_head(s, slab, head) : 0, inuse,
				 FS_STATE(w)),
			 __ATOMIC_RELEASE);
}

/* on_freelist(): is search on the slab's freelist (NULL: a sane list) */
static bool on_freelist(struct kmem_cache *s, struct slab *slab, void *search)
{
	uint64_t w = fs_load(slab);
	void *fp = idx_to_obj(s, slab, FS_HEAD(w)), *obj = NULL;
	unsigned int nr = 0;

	while (fp && nr <= slab->objects) {
		if (fp == search)
			return true;
		if (!ksl_debug_valid_pointer(s, slab, fp)) {
			if (obj) {
				object_err(s, slab, obj, "Freechain corrupt");
				set_fp(s, obj, NULL);
				break;
			}
			slab_err(s, slab, "Freepointer corrupt");
			set_freelist(s, slab, NULL, slab->objects);
			ksl_debug_slab_fix(s, "Freelist cleared");
			return false;
		}
		obj = fp;
		fp = get_fp(s, obj);
		nr++;
	}
	if (nr > slab->objects) {
		slab_err(s, slab, "Freelist cycle detected");
		set_freelist(s, slab, NULL, slab->objects);
		ksl_debug_slab_fix(s, "Freelist cleared");
		return false;
	}
	w = fs_load(slab);
	if (FS_INUSE(w) != slab->objects - nr) {
		slab_err(
			s, slab,
			"Wrong object count. Counter is %u but counted were %u",
			FS_INUSE(w), slab->objects - nr);
		set_freelist(s, slab, idx_to_obj(s, slab, FS_HEAD(w)),
			     slab->objects - nr);
		ksl_debug_slab_fix(s, "Object count adjusted");
	}
	return search == NULL;
}

/* ---- what the paths do --------------------------------------------------------- */

/* poison and red zones; an allocated kmalloc object is poisoned up to
 * its request size and red-zoned from there */
static void init_object(struct kmem_cache *s, void *obj, unsigned char val)
{
	unsigned char *p = obj;
	unsigned int size = s->object_size;

	if (s->flags & SLAB_RED_ZONE) {
		memset(p - s->red_left_pad, val, s->red_left_pad);
		if (kmalloc_redzone(s) && val == SLUB_RED_ACTIVE)
			size = (unsigned int)get_orig_size(s, obj);
	}
	if ((s->flags & __OBJECT_POISON) && size) {
		memset(p, POISON_FREE, size - 1);
		p[size - 1] = POISON_END;
	}
	if (s->flags & SLAB_RED_ZONE)
		memset(p + size, val, s->inuse - size);
}

static void set_track(struct kmem_cache *s, void *obj, int which,
		      unsigned long caller)
{
	struct ksl_track *t = get_track(s, obj, which);

	t->addr = caller;
	t->handle = depot_save();
	t->cpu = (int)ksl_this_cpu();
	t->pid = (int)gettid();
	t->when = jiffies();
}

static void trace(struct kmem_cache *s, struct slab *slab, void *obj,
		  bool alloc)
{
	uint64_t w;

	if (!(s->flags & SLAB_TRACE))
		return;
	w = fs_load(slab);
	ksl_printk("TRACE %s %s 0x%016lx inuse=%u fp=0x%016lx", s->name,
		   alloc ? "alloc" : "free", (unsigned long)obj, FS_INUSE(w),
		   (unsigned long)idx_to_obj(s, slab, FS_HEAD(w)));
	if (!alloc)
		print_section("Object ", obj, s->object_size);
}

void ksl_debug_setup_slab(struct kmem_cache *s, struct slab *slab)
{
	char *addr = slab_addr(slab), *p = slab->base;

	if (s->flags & SLAB_POISON)
		memset(addr, POISON_INUSE, ksl_mm.page_size << slab->order);
	if (!(s->flags & (SLAB_STORE_USER | SLAB_RED_ZONE | __OBJECT_POISON)))
		return;
	for (unsigned int i = 0; i < slab->objects; i++, p += s->size) {
		init_object(s, p, SLUB_RED_INACTIVE);
		if (s->flags & SLAB_STORE_USER)
			memset(get_track(s, p, TRACK_ALLOC), 0,
			       2 * sizeof(struct ksl_track));
	}
}

bool ksl_debug_alloc_checks(struct kmem_cache *s, struct slab *slab, void *obj)
{
	if (!(s->flags & SLAB_CONSISTENCY_CHECKS))
		return true;
	if (!check_slab(s, slab))
		return false;
	if (!ksl_debug_valid_pointer(s, slab, obj)) {
		object_err(s, slab, obj, "Freelist Pointer check fails");
		return false;
	}
	return check_object(s, slab, obj, SLUB_RED_INACTIVE);
}

void ksl_debug_alloc_done(struct kmem_cache *s, struct slab *slab, void *obj,
			  unsigned long caller)
{
	trace(s, slab, obj, true);
	set_orig_size(s, obj, s->object_size);
	init_object(s, obj, SLUB_RED_ACTIVE);
	if (s->flags & SLAB_STORE_USER)
		set_track(s, obj, TRACK_ALLOC, caller);
}

bool ksl_debug_free_checks(struct kmem_cache *s, struct slab *slab, void *obj,
			   unsigned long caller)
{
	bool checks = s->flags & SLAB_CONSISTENCY_CHECKS, ok = true;

	if (checks && !check_slab(s, slab))
		ok = false;
	if (ok && slab_inuse(slab) < 1) {
		slab_err(s, slab,
			 "Slab has %u allocated objects but %d are to be freed",
			 slab_inuse(slab), 1);
		ok = false;
	}
	if (ok && checks && on_freelist(s, slab, obj)) {
		object_err(s, slab, obj, "Object already free");
		ok = false;
	}
	if (ok && checks)
		ok = check_object(s, slab, obj, SLUB_RED_ACTIVE);
	if (!ok) {
		ksl_debug_slab_fix(s, "Object at 0x%016lx not freed",
				   (unsigned long)obj);
		return false;
	}
	if (s->flags & SLAB_STORE_USER)
		set_track(s, obj, TRACK_FREE, caller);
	trace(s, slab, obj, false);
	init_object(s, obj, SLUB_RED_INACTIVE);
	return true;
}

/* ---- the kmalloc request size ------------------------------------------------ */

/*
 * A kmalloc object just allocated (the debug path recorded object_size):
 * its request size recorded and the object zoned again as
 * alloc_debug_processing() would have with it; __GFP_ZERO clears the
 * request only (slab_post_alloc_hook()'s zero_size), so that the
 * kmalloc red zone stays.
 */
void *ksl_debug_kmalloc(struct kmem_cache *s, gfp_t gfp, size_t size,
			unsigned long caller)
{
	bool zone = (s->flags & SLAB_KMALLOC) &&
		    (s->flags & (SLAB_STORE_USER | SLAB_RED_ZONE)) &&
		    ksl_slab_rule_kmalloc_redzone();
	void *obj;

	if (!(s->flags & SLAB_KMALLOC))
		return ksl_cache_alloc_caller(s, gfp, caller);
	obj = ksl_cache_alloc_caller(s, gfp & ~__GFP_ZERO, caller);
	if (!obj)
		return NULL;
	if (size > s->object_size)
		size = s->object_size;
	if (has_orig_size(s)) {
		ksl_spin_lock(&s->node.list_lock);
		set_orig_size(s, obj, size);
		init_object(s, obj, SLUB_RED_ACTIVE);
		ksl_spin_unlock(&s->node.list_lock);
	}
	if (gfp & __GFP_ZERO)
		memset(obj, 0, zone ? size : s->object_size);
	return obj;
}

/* __ksize()'s skip_orig_size_check(): the caller may use all of it now */
void ksl_debug_ksize(struct kmem_cache *s, void *obj)
{
	if (!has_orig_size(s) || !ksl_slab_rule_kmalloc_redzone())
		return;
	ksl_spin_lock(&s->node.list_lock);
	set_orig_size(s, obj, s->object_size);
	ksl_spin_unlock(&s->node.list_lock);
}

unsigned long ksl_debug_orig_size(struct kmem_cache *s, void *obj)
{
	return get_orig_size(s, obj);
}

/* krealloc() in place: the new request size, red-zoned past it */
void ksl_debug_krealloc_resize(struct kmem_cache *s, void *obj, size_t new_size)
{
	if (!has_orig_size(s))
		return;
	ksl_spin_lock(&s->node.list_lock);
	set_orig_size(s, obj, new_size);
	if ((s->flags & SLAB_RED_ZONE) && new_size < s->object_size)
		memset((char *)obj + new_size, SLUB_RED_ACTIVE,
		       s->object_size - new_size);
	ksl_spin_unlock(&s->node.list_lock);
}

/* ---- validate (sysfs /sys/kernel/slab/<cache>/validate) --------------------- */

static void validate_slab(struct kmem_cache *s, struct slab *slab,
			  unsigned char *map)
{
	char *p = slab->base;
	uint64_t w;

	if (!check_slab(s, slab) || !on_freelist(s, slab, NULL))
		return;
	memset(map, 0, slab->objects);
	w = fs_load(slab);
	for (void *f = idx_to_obj(s, slab, FS_HEAD(w)); f; f = get_fp(s, f))
		map[obj_to_head(s, slab, f) - 1] = 1;
	for (unsigned int i = 0; i < slab->objects; i++, p += s->size)
		if (!check_object(s, slab, p,
				  map[i] ? SLUB_RED_INACTIVE : SLUB_RED_ACTIVE))
			break;
}

/* every slab the kernel's lists hold: the partial ones, and the full ones
 * with SLAB_STORE_USER (its full list); list_lock held */
static long for_each_listed_slab(struct kmem_cache *s,
				 void (*fn)(struct kmem_cache *s,
					    struct slab *slab, void *arg),
				 void *arg)
{
	long count = 0;

	for (struct slab *slab = s->node.partial; slab; slab = slab->next) {
		fn(s, slab, arg);
		count++;
	}
	if (!(s->flags & SLAB_STORE_USER))
		return count;
	for (unsigned long pfn = 0; pfn < ksl_mm.max_pfn; pfn++) {
		struct slab *slab = (struct slab *)ksl_pfn_to_page(pfn);

		if ((slab->flags & PG_slab) && slab->slab_cache == s &&
		    FS_STATE(fs_load(slab)) == SLAB_FULL) {
			fn(s, slab, arg);
			count++;
		}
	}
	return count;
}

static void validate_one(struct kmem_cache *s, struct slab *slab, void *map)
{
	validate_slab(s, slab, map);
}

long kmem_cache_validate(struct kmem_cache *s)
{
	unsigned char *map;
	long count;

	if (!s || ksl_cache_dead(s) || !(s->flags & SLAB_DEBUG_FLAGS))
		return -EINVAL;
	map = malloc(KSL_MAX_OBJS_PER_PAGE);
	if (!map)
		return -ENOMEM;
	ksl_flush_all_cpus(s);
	ksl_spin_lock(&s->node.list_lock);
	count = for_each_listed_slab(s, validate_one, map);
	ksl_spin_unlock(&s->node.list_lock);
	free(map);
	return count;
}

/* ---- alloc_traces / free_traces (debugfs) -------------------------------------- */

struct location {
	unsigned long count, addr, sum_time, min_time, max_time;
	long min_pid, max_pid;
	uint32_t handle;
	unsigned char cpus[KSL_MAX_CPUS / 8];
};

struct loc_track {
	struct location *loc;
	size_t count, max;
	int which;
	unsigned long now;
	unsigned char *map;
	bool failed;
};

/* add_location(): one more object whose track is t (locations sorted by
 * address and stack handle) */
static void add_location(struct loc_track *lt, const struct ksl_track *t)
{
	unsigned long age = lt->now - t->when;
	size_t lo = 0, hi = lt->count;
	struct location *l;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		l = &lt->loc[mid];
		if (l->addr == t->addr && l->handle == t->handle) {
			l->count++;
			if (t->when) {
				l->sum_time += age;
				l->min_time = ksl_min(l->min_time, age);
				l->max_time = ksl_max(l->max_time, age);
				l->min_pid = ksl_min(l->min_pid, (long)t->pid);
				l->max_pid = ksl_max(l->max_pid, (long)t->pid);
				l->cpus[t->cpu / 8] |= 1u << (t->cpu % 8);
			}
			return;
		}
		if (t->addr < l->addr ||
		    (t->addr == l->addr && t->handle < l->handle))
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lt->count == lt->max) {
		size_t max = lt->max ? 2 * lt->max : 64;
		struct location *n = realloc(lt->loc, max * sizeof(*n));

		if (!n) {
			lt->failed = true;
			return;
		}
		lt->loc = n;
		lt->max = max;
	}
	l = &lt->loc[lo];
	memmove(l + 1, l, (lt->count - lo) * sizeof(*l));
	lt->count++;
	memset(l, 0, sizeof(*l));
	l->count = 1;
	l->addr = t->addr;
	l->handle = t->handle;
	l->sum_time = l->min_time = l->max_time = age;
	l->min_pid = l->max_pid = t->pid;
	l->cpus[t->cpu / 8] |= 1u << (t->cpu % 8);
}

/* process_slab(): the tracks of its allocated objects */
static void process_slab(struct kmem_cache *s, struct slab *slab, void *arg)
{
	struct loc_track *lt = arg;
	uint64_t w = fs_load(slab);
	char *p = slab->base;

	memset(lt->map, 0, slab->objects);
	for (void *f = idx_to_obj(s, slab, FS_HEAD(w));
	     f && ksl_debug_valid_pointer(s, slab, f); f = get_fp(s, f))
		lt->map[obj_to_head(s, slab, f) - 1] = 1;
	for (unsigned int i = 0; i < slab->objects; i++, p += s->size)
		if (!lt->map[i])
			add_location(lt, get_track(s, p, lt->which));
}

static int cmp_loc_by_count(const void *a, const void *b)
{
	const struct location *x = a, *y = b;

	return (x->count < y->count) - (x->count > y->count);
}

/* "0-1,3": the CPUs of a location */
static void cpu_list(char *buf, size_t len, const unsigned char *cpus)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int c = 0; c < ksl_mm.nr_cpus && n < len; c++) {
		unsigned int e = c;

		if (!(cpus[c / 8] & (1u << (c % 8))))
			continue;
		while (e + 1 < ksl_mm.nr_cpus &&
		       (cpus[(e + 1) / 8] & (1u << ((e + 1) % 8))))
			e++;
		n += (size_t)snprintf(buf + n, len - n,
				      e > c ? "%s%u-%u" : "%s%u", n ? "," : "",
				      c, e);
		c = e;
	}
}

static void show_location(FILE *out, const struct location *l)
{
	char s[160], cpus[256];

	fprintf(out, "%7lu ", l->count);
	if (l->addr) {
		sym(s, sizeof(s), l->addr);
		fputs(s, out);
	} else {
		fputs("<not-available>", out);
	}
	if (l->sum_time != l->min_time)
		fprintf(out, " age=%lu/%lu/%lu", l->min_time,
			l->sum_time / l->count, l->max_time);
	else
		fprintf(out, " age=%lu", l->min_time);
	if (l->min_pid != l->max_pid)
		fprintf(out, " pid=%ld-%ld", l->min_pid, l->max_pid);
	else
		fprintf(out, " pid=%ld", l->min_pid);
	cpu_list(cpus, sizeof(cpus), l->cpus);
	if (ksl_mm.nr_cpus > 1 && cpus[0])
		fprintf(out, " cpus=%s", cpus);
	if (l->handle && l->handle <= ksl_depot_used) {
		fputc('\n', out);
		for (unsigned int j = 0; j < ksl_depot[l->handle - 1].nr; j++) {
			sym(s, sizeof(s),
			    (unsigned long)ksl_depot[l->handle - 1].frames[j]);
			fprintf(out, "        %s\n", s);
		}
	}
	fputc('\n', out);
}

int kmem_cache_show_traces(struct kmem_cache *s, int which, FILE *out)
{
	struct loc_track lt = { .which = which ? TRACK_FREE : TRACK_ALLOC };

	if (!s || !out || ksl_cache_dead(s) || !(s->flags & SLAB_STORE_USER))
		return -EINVAL;
	lt.map = malloc(KSL_MAX_OBJS_PER_PAGE);
	if (!lt.map)
		return -ENOMEM;
	lt.now = jiffies();
	ksl_spin_lock(&s->node.list_lock);
	for_each_listed_slab(s, process_slab, &lt);
	ksl_spin_unlock(&s->node.list_lock);
	if (lt.count)
		qsort(lt.loc, lt.count, sizeof(*lt.loc), cmp_loc_by_count);
	for (size_t i = 0; i < lt.count; i++)
		show_location(out, &lt.loc[i]);
	if (!lt.count)
		fputs("No data\n", out);
	free(lt.loc);
	free(lt.map);
	return lt.failed ? -ENOMEM : 0;
}
