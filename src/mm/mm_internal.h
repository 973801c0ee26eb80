/* SPDX-License-Identifier: MIT */
/*
 * The simulated machine: one node, its zones, its page frames.
 *
 * Physical address space and its host mapping:
 *
 *   phys 0                                                   phys_end
 *   |--- RAM range ---|..... hole .....|------ RAM range ------|
 *   ^ ksl_mm.phys_base (one reserved host region; holes PROT_NONE)
 *
 *   virt = phys_base + phys        page = mem_map + (phys >> page_shift)
 *
 * Both the RAM and mem_map (one struct page per pfn of the span) are
 * reserved with MAP_NORESERVE and committed by the host only when
 * touched, so a 64 GiB machine costs nothing until it is used: free
 * max-order blocks that were never handed out stay "pristine" (counted
 * in nr_free[MAX_PAGE_ORDER], their struct pages never written).
 *
 * Locking: zone->lock guards the free lists of one zone; each simulated
 * CPU has one per_cpu_pages per zone with its own lock, taken by the
 * threads that run as that CPU and by drain_all_pages().
 */
#ifndef KSLAB_MM_INTERNAL_H
#define KSLAB_MM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <kslab/kslab.h>
#include "lib/compiler.h"
#include "lib/spinlock.h"
#include "lib/printk.h"
#include "lib/params.h"

#define KSL_MAX_RANGES 32
#define KSL_MAX_ORDER_LIMIT (KSLAB_MAX_ORDERS - 1)
#define KSL_MAX_CPUS 1024
#define PAGE_ALLOC_COSTLY_ORDER 3
#define KSL_PCP_ORDERS (PAGE_ALLOC_COSTLY_ORDER + 1)

/* ---- struct page ---------------------------------------------------- */
/*
 * flags: PG_* bits below, and the order of a free block (PG_buddy) or of
 * an allocation (PG_head) in bits 8..15. Invariant: a page carries
 * PG_buddy only as the first page of a free block, PG_head only as the
 * first page of a live allocation; every other page of RAM has no flags
 * but PG_tail (tails of __GFP_COMP allocations) and PG_reserved.
 */
enum {
	PG_buddy = 1UL << 0, /* first page of a free block in the buddy lists */
	PG_head = 1UL << 1,  /* first page of a live allocation */
	PG_tail = 1UL << 2,  /* tail of a compound allocation */
	PG_compound = 1UL << 3, /* head of a compound allocation */
	PG_pcp = 1UL << 4,	/* on a per-CPU list */
	PG_reserved = 1UL << 5, /* never managed (firmware) */
	PG_slab = 1UL << 6,	/* owned by the slab layer */
	PG_large_kmalloc = 1UL << 7,
};
#define PG_ORDER_SHIFT 8
#define PG_ORDER_MASK (0xffUL << PG_ORDER_SHIFT)
/* the zone of a live allocation's head page (so a free needs no lookup) */
#define PG_ZONE_SHIFT 16
#define PG_ZONE_MASK (7UL << PG_ZONE_SHIFT)

_Static_assert(sizeof(struct page) == 64, "struct page is 64 bytes");

static inline unsigned long ksl_page_flags(const struct page *p)
{
	return __atomic_load_n(&p->flags, __ATOMIC_RELAXED);
}

static inline void ksl_page_set_flags(struct page *p, unsigned long f)
{
	__atomic_store_n(&p->flags, f, __ATOMIC_RELAXED);
}

static inline unsigned int ksl_flags_order(unsigned long f)
{
	return (f & PG_ORDER_MASK) >> PG_ORDER_SHIFT;
}

static inline enum zone_type ksl_flags_zone(unsigned long f)
{
	return (enum zone_type)((f & PG_ZONE_MASK) >> PG_ZONE_SHIFT);
}

/* ---- zones ------------------------------------------------------------ */
struct ksl_free_area {
	struct page *head;     /* doubly linked, LIFO */
	unsigned long nr_free; /* blocks, pristine ones included */
};

/* nr_free is written under zone->lock but read without it (watermark
 * checks, reports): every access is a relaxed atomic one. */
static inline unsigned long ksl_area_nr_free(const struct ksl_free_area *a)
{
	return __atomic_load_n(&a->nr_free, __ATOMIC_RELAXED);
}

static inline void ksl_area_add(struct ksl_free_area *a, long n)
{
	__atomic_store_n(&a->nr_free, ksl_area_nr_free(a) + n,
			 __ATOMIC_RELAXED);
}

/* never-touched free max-order blocks: [next, end) in pfns */
struct ksl_pristine {
	unsigned long next, end;
};

struct per_cpu_pages {
	ksl_spinlock_t lock;
	int count; /* pages held, all orders */
	int high, batch, high_min, high_max;
	struct page *lists[KSL_PCP_ORDERS];
} __attribute__((aligned(64)));

struct zone {
	const char *name;
	enum zone_type idx;
	unsigned long zone_start_pfn, spanned_pages, present_pages;
	unsigned long managed_pages;
	unsigned long watermark[4]; /* WMARK_MIN, LOW, HIGH, PROMO */
	unsigned long lowmem_reserve[MAX_NR_ZONES];
	unsigned int pcp_batch, pcp_high_min, pcp_high_max;
	unsigned int stat_threshold;

	pthread_mutex_t lock;
	atomic_long free_pages; /* NR_FREE_PAGES: buddy lists only */
	struct ksl_free_area free_area[KSLAB_MAX_ORDERS];
	struct ksl_pristine pristine[KSL_MAX_RANGES];
	unsigned int nr_pristine;
	struct per_cpu_pages *pcp; /* [nr_cpus] */

	/* counters */
	atomic_ulong alloc_fail;
};

enum { WMARK_MIN, WMARK_LOW, WMARK_HIGH, WMARK_PROMO };

static inline bool populated_zone(const struct zone *z)
{
	return z->present_pages != 0;
}

static inline unsigned long zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

/* ---- the architecture profile ------------------------------------------ */
struct ksl_arch {
	const char *name;
	unsigned int page_shifts[3]; /* allowed page shifts, 0-terminated */
	unsigned int cache_line;
	unsigned int dma_minalign; /* 0: ARCH_DMA_MINALIGN undefined */
	unsigned int kmalloc_minalign;
	unsigned int slab_minalign;
	unsigned int phys_bits;
	bool dma_coherent;
	bool has_zone_dma_bits;
	bool pc_low_memory; /* x86: BIOS page 0, 640K hole, 1M reserved */
};

const struct ksl_arch *ksl_arch_find(const char *name);
const struct ksl_arch *ksl_arch_host(void);
unsigned int ksl_arch_max_order(const struct ksl_arch *a,
				unsigned int page_shift);

/* ---- the kernel version whose rules apply (kslab.kernel=) ---------------- */
/*
 * Versions are major * 100 + minor (6.12 -> 612). The layers ask the
 * small rule helpers of their own files (slab_create.c, kmalloc_caches.c)
 * and those ask ksl_kernel_before(); nothing else tests the version.
 */
#define KSL_KERNEL(major, minor) ((major)*100u + (minor))
#define KSL_KERNEL_6_1 KSL_KERNEL(6, 1)
#define KSL_KERNEL_6_12 KSL_KERNEL(6, 12)
#define KSL_KERNEL_6_18 KSL_KERNEL(6, 18)
#define KSL_KERNEL_DEFAULT KSL_KERNEL_6_18

/* ---- the machine -------------------------------------------------------- */
struct ksl_range {
	phys_addr_t start, end; /* [start, end) */
};

/* what the boot command line asked of this layer */
struct ksl_mm_config {
	const struct ksl_arch *arch;
	unsigned int page_shift; /* 0: the architecture's default */
	struct ksl_range ranges[KSL_MAX_RANGES];
	unsigned int nr_ranges;
	bool mem_given;
	int zone_dma_bits;    /* -1: none */
	unsigned int nr_cpus; /* 0: the host's */
	int thp; /* transparent_hugepage: 0 never, 1 madvise, 2 always */
	long min_free_kbytes; /* -1: computed */
	unsigned int kernel;  /* kslab.kernel=, KSL_KERNEL() */
};

struct ksl_mm {
	bool booted;
	unsigned int generation; /* bumped by every boot */
	const struct ksl_arch *arch;
	unsigned int page_shift;
	unsigned long page_size;
	unsigned int max_order;
	unsigned int pageblock_order;
	unsigned int nr_cpus;
	unsigned int kernel; /* whose rules: KSL_KERNEL(major, minor) */
	int thp;

	struct ksl_range ram[KSL_MAX_RANGES]; /* present RAM, sorted */
	unsigned int nr_ram;
	struct ksl_range reserved[4]; /* present, not managed */
	unsigned int nr_reserved;
	phys_addr_t phys_end;		      /* end of the highest range */
	phys_addr_t zone_limit[MAX_NR_ZONES]; /* max_zone_pfn << shift */
	unsigned long max_pfn;

	char *phys_base; /* host address of phys 0 */
	size_t phys_map_len;
	struct page *mem_map;
	size_t mem_map_len;

	struct zone zones[MAX_NR_ZONES];
	long min_free_kbytes;
	unsigned long totalreserve_pages;

	atomic_long node_stat[4]; /* NR_SLAB_*_B etc., in pages */

	/* swiotlb as decided at boot (swiotlb_boot.c); the pool is the DMA layer's */
	bool swiotlb_allocated;	      /* is_swiotlb_allocated() */
	bool swiotlb_failed;	      /* wanted, but no room below the limit */
	bool swiotlb_force;	      /* swiotlb=force */
	unsigned long swiotlb_nslabs; /* 2 KiB slots (what fits) */
	unsigned long swiotlb_default_nslabs; /* before any halving */
	unsigned int swiotlb_nareas;	      /* a power of two */
};

enum ksl_node_stat {
	KSL_NR_SLAB_RECLAIMABLE,
	KSL_NR_SLAB_UNRECLAIMABLE,
	KSL_NR_KERNEL_MISC,
	KSL_NR_NODE_STATS
};

extern struct ksl_mm ksl_mm;
extern struct ksl_mm_config ksl_mm_cfg;

/* boot and teardown, called by src/kslab.c */
extern const struct ksl_param ksl_mm_params[];
void ksl_mm_config_reset(void);
int ksl_mm_validate(void);
/* append " arch=... page_size=... mem=... nr_cpus=..." for each of those the
 * command line left to the defaults (after ksl_mm_validate()) */
void ksl_mm_cmdline_defaults(char *buf, size_t len);
int ksl_mm_init(void);
void ksl_mm_shutdown(void);
int ksl_physmem_init(void);
void ksl_physmem_shutdown(void);
/* ASan builds: [addr, addr + len) of the machine may be poisoned (slab
 * objects); the shutdown unpoisons the span of all such ranges only */
void ksl_physmem_note_poison(const void *addr, size_t len);
void ksl_zones_init(void);
int ksl_pcp_init(void);
void ksl_pcp_shutdown(void);
void ksl_ensure_booted_slow(void);
void ksl_swiotlb_config_reset(void);
int ksl_swiotlb_set_param(const char *name, const char *val);
void ksl_swiotlb_decide(void);

/* Does the booted machine follow a kernel older than major.minor? */
static inline bool ksl_kernel_before(unsigned int major, unsigned int minor)
{
	return ksl_mm.kernel < KSL_KERNEL(major, minor);
}

static inline void ksl_ensure_booted(void)
{
	if (unlikely(!ksl_mm.booted))
		ksl_ensure_booted_slow();
}

/* translation without checks (callers checked) */
static inline struct page *ksl_pfn_to_page(unsigned long pfn)
{
	return ksl_mm.mem_map + pfn;
}

static inline unsigned long ksl_page_to_pfn(const struct page *p)
{
	return (unsigned long)(p - ksl_mm.mem_map);
}

static inline void *ksl_pfn_to_virt(unsigned long pfn)
{
	return ksl_mm.phys_base + ((phys_addr_t)pfn << ksl_mm.page_shift);
}

bool ksl_pfn_is_ram(unsigned long pfn);
/* a struct page of mem_map (pages of holes never carry flags, so the
 * caller's flag checks refuse them without a walk of the RAM map) */
static inline bool ksl_page_ptr_valid(const struct page *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)ksl_mm.mem_map;

	return ksl_mm.mem_map && off < ksl_mm.mem_map_len &&
	       off % sizeof(struct page) == 0;
}
enum zone_type ksl_pfn_zone(unsigned long pfn);

/* the buddy allocator, for pcp.c */
struct page *ksl_rmqueue_buddy(struct zone *z, unsigned int order);
void ksl_free_one_locked(struct zone *z, struct page *page, unsigned long pfn,
			 unsigned int order);
void ksl_zone_free_to_buddy(struct zone *z, struct page *page,
			    unsigned int order);

/* per-CPU lists */
struct page *ksl_pcp_alloc(struct zone *z, unsigned int order);
void ksl_pcp_free(struct zone *z, struct page *page, unsigned int order);
void ksl_pcp_drain_zone_cpu(struct zone *z, unsigned int cpu);
unsigned long ksl_pcp_count(const struct zone *z);

/*
 * simulated CPUs
 *
 * A CPU that only one host thread runs as has that thread as its owner:
 * the owner's slab fast paths touch the CPU's freelists with plain loads
 * and stores, no lock and no atomic read-modify-write. It marks each such
 * section in busy (a plain store), then reads req; any other thread that
 * must touch the CPU's freelists (a second thread running as that CPU, a
 * flush from another CPU) raises req, makes every running thread execute
 * a memory barrier (membarrier(2), private expedited) and waits for busy
 * to drop: from then on the owner sees req and takes the CPU's locks like
 * everyone else, until req falls back to 0. So an owner section and a
 * locked section never overlap, and the owner pays no fence (asymmetric
 * Dekker: either the owner sees req, or the other thread sees busy).
 * Without membarrier(2) no thread becomes an owner.
 *
 * Every thread's ksl_tls.own points at a struct ksl_cpu_own, so that the
 * fast paths test ownership, the boot and req with one load: its CPU's
 * (the thread is the owner), or ksl_own_none, whose req is never 0 (the
 * thread shares a CPU, or has none yet). Each boot gets a new array of
 * them; a boot's array is retired, not freed, at the next boot, with req
 * raised for good, so that a thread still pointing into it (it ran as a
 * CPU of an earlier boot) falls to the slow path, which sees the new
 * generation and gives it a CPU of this boot.
 */
struct ksl_cpu_own {
	int busy;   /* the owner is in a lock-free section */
	int req;    /* other threads that use, or are flushing, this CPU */
	int owned;  /* the CPU has an owner (this boot) */
	int pinned; /* the owner chose the CPU (kslab_set_cpu()) */
	/* while a steal waits for the old owner: its slot (cpu.c) */
	struct ksl_cpu_own *prev;
} __attribute__((aligned(64)));
/*
 * req at or above this: the slot is revoked, its owner lost the CPU to a
 * thread that pinned itself there while the owner (not pinned) was idle
 * (cpu.c steal()); the old owner gets another CPU on its next slow path.
 */
#define KSL_OWN_REVOKED (1 << 29)
extern struct ksl_cpu_own *ksl_cpu_own; /* [nr_cpus] of this boot */
extern struct ksl_cpu_own ksl_own_none; /* req 1: not an owner */

unsigned int ksl_this_cpu(void);
struct ksl_tls_cpu {
	struct ksl_cpu_own *own; /* &ksl_cpu_own[cpu] (owner) or &ksl_own_none */
	unsigned long cpu_off;	 /* cpu * 128: the CPU's kmem_cache_cpu */
	/* for the layers above: a hint they may keep while the thread runs
	 * as this CPU of this boot (cleared whenever that changes) */
	void *hint;
	unsigned int cpu, gen;
	bool owner;  /* own is this boot's &ksl_cpu_own[cpu] */
	bool sharer; /* counted in ksl_cpu_own[cpu].req */
};
/* exclude the owner of cpu (if it is not the caller) from its lock-free
 * sections, until ksl_cpu_exclude_end(); returns whether to end it */
bool ksl_cpu_exclude_begin(unsigned int cpu);
void ksl_cpu_exclude_end(unsigned int cpu, bool excluded);
/*
 * A slow path that could not enter the owner's section locks the CPU
 * *cpu; an owner (excluded for now) marks itself busy meanwhile, so that
 * no pinning thread takes its CPU under its lock. Returns the slot to
 * clear busy of after the unlock (ksl_own_leave()), or NULL.
 */
struct ksl_cpu_own *ksl_lock_mode_begin(unsigned int *cpu);
int ksl_cpu_own_reset(void);
/* the calling thread stops running as its CPU (it gets one again on its
 * next call): a helper thread that should not keep a CPU */
void ksl_cpu_leave(void);
void ksl_cpu_own_retire(void);
/* sizeof(struct kmem_cache_cpu): ksl_tls.cpu_off = cpu * this */
#define KSL_CPU_SLAB_STRIDE 128

/*
 * Enter / leave a lock-free section: true only for the owner of a CPU of
 * this boot with nobody else using it (then tls.cpu and tls.cpu_off are
 * this boot's); false: take the locks (the slow paths).
 */
static inline __attribute__((always_inline)) void
ksl_own_mark_busy(struct ksl_cpu_own *own)
{
#ifdef __SANITIZE_THREAD__
	/* ThreadSanitizer knows no membarrier(2): an exchange here and a
	 * read-modify-write where others wait for busy (ksl_own_busy())
	 * give it the order the barrier gives the real thing */
	__atomic_exchange_n(&own->busy, 1, __ATOMIC_SEQ_CST);
#else
	__atomic_store_n(&own->busy, 1, __ATOMIC_RELAXED);
#endif
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline __attribute__((always_inline)) bool
ksl_own_enter(struct ksl_cpu_own *own)
{
	ksl_own_mark_busy(own);
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
	{
		/* the same single load as the atomic (an x86-64 load is an
		 * acquire), compared in memory */
		bool no_req;

		__asm__ volatile("cmpl $0, %1"
				 : "=@ccz"(no_req)
				 : "m"(own->req));
		if (__builtin_expect(no_req, 1))
			return true;
	}
#else
	if (__builtin_expect(!__atomic_load_n(&own->req, __ATOMIC_ACQUIRE), 1))
		return true;
#endif
	__atomic_store_n(&own->busy, 0, __ATOMIC_RELEASE);
	return false;
}

/* is the owner of own in a section (read by the threads that wait) */
static inline int ksl_own_busy(struct ksl_cpu_own *own)
{
#ifdef __SANITIZE_THREAD__
	return __atomic_fetch_add(&own->busy, 0, __ATOMIC_SEQ_CST);
#else
	return __atomic_load_n(&own->busy, __ATOMIC_ACQUIRE);
#endif
}

static inline __attribute__((always_inline)) void
ksl_own_leave(struct ksl_cpu_own *own)
{
	__atomic_store_n(&own->busy, 0, __ATOMIC_RELEASE);
}
extern __thread struct ksl_tls_cpu ksl_tls
	__attribute__((tls_model("initial-exec")));

/* ksl_this_cpu() with its common case inline */
static inline unsigned int ksl_this_cpu_fast(void)
{
	/* a sharer checks whether it may own its CPU now, a revoked owner
	 * moves (out of line) */
	if (likely(ksl_tls.gen == ksl_mm.generation && !ksl_tls.sharer &&
		   __atomic_load_n(&ksl_tls.own->req, __ATOMIC_RELAXED) <
			   KSL_OWN_REVOKED))
		return ksl_tls.cpu;
	return ksl_this_cpu();
}

/* shrinkers */
unsigned long ksl_run_shrinkers(void);

/* /proc views (mm_show.c) */
void ksl_show_buddyinfo(FILE *out);
void ksl_show_zoneinfo(FILE *out);
void ksl_show_meminfo(FILE *out);
void ksl_show_zones(FILE *out);

/* node statistics kept for meminfo / zoneinfo */
static inline void ksl_mod_node_stat(enum ksl_node_stat item, long pages)
{
	atomic_fetch_add_explicit(&ksl_mm.node_stat[item], pages,
				  memory_order_relaxed);
}

/* watermarks and reserves (zones.c) */
void ksl_setup_watermarks(void);
unsigned long ksl_zone_pcp_pages(const struct zone *z);

#endif /* KSLAB_MM_INTERNAL_H */
