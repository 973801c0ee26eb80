// SPDX-License-Identifier: MIT
/*
 * The kmalloc size classes: the boot-time alignment policy, the patched
 * size_index table, and the creation of every kmalloc cache in the order
 * Linux 6.18 creates them (per type: 96, 192, then 8 .. 2 pages; 6.1: 96
 * after 64 and 192 after 128), so that /proc/slabinfo lists them as the
 * kernel does.
 *
 *   policy            ARCH_KMALLOC  KMALLOC_MIN  minalign  smallest cache
 *   x86_64                  8            8           8      kmalloc-8
 *   arm64 (6.5+)            8            8      8 | 64 (*)  kmalloc-8 | -64
 *   arm64 kmalloc.legacy  128          128         128      kmalloc-128
 *   ... kmalloc.packed    128            8         128      kmalloc-8 (packed)
 *   (*) 8 when a swiotlb buffer exists, else dma_get_cache_alignment()
 *
 * dma-kmalloc-* caches get the same minimum as every other type: from 6.5
 * new_kmalloc_cache() uses one __kmalloc_minalign() for all of them, so
 * dma-kmalloc-8 exists when a swiotlb buffer does (dma-kmalloc-64 is the
 * smallest without one). The kmalloc_buckets cache (CONFIG_SLAB_BUCKETS,
 * 6.11 on) follows them, as in create_kmalloc_caches().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "kmalloc/kmalloc_internal.h"

struct ksl_kmalloc_policy ksl_kmalloc;
struct kmem_cache
	*ksl_kmalloc_caches[2][NR_KMALLOC_TYPES][KSLAB_KMALLOC_NR_INDEX];
atomic_long ksl_kmalloc_large_pages;
struct kmem_cache *ksl_kmem_buckets_cache; /* "kmalloc_buckets" */

static struct {
	bool legacy, packed;
	unsigned int minalign; /* kmalloc.minalign=N, 0: none */
} ksl_kmalloc_cfg;

static const char *const type_prefix[NR_KMALLOC_TYPES] = {
	[KMALLOC_NORMAL] = "kmalloc-",
	[KMALLOC_RECLAIM] = "kmalloc-rcl-",
	[KMALLOC_DMA] = "dma-kmalloc-",
	[KMALLOC_CGROUP] = "kmalloc-cg-",
};

/* kmalloc_size_index[] before any patching: (size - 1) / 8 -> index */
static const unsigned char default_size_index[24] = {
	3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2,
};

void ksl_kmalloc_config_reset(void)
{
	memset(&ksl_kmalloc_cfg, 0, sizeof(ksl_kmalloc_cfg));
}

static int set_legacy(const char *name, const char *val)
{
	if (val)
		return ksl_param_invalid(name, val, "takes no value");
	ksl_kmalloc_cfg.legacy = true;
	return 0;
}

static int set_packed(const char *name, const char *val)
{
	if (val)
		return ksl_param_invalid(name, val, "takes no value");
	ksl_kmalloc_cfg.packed = true;
	return 0;
}

/*
 * kmalloc.minalign=N (the DMA issue): force the kmalloc minimum to N and
 * declare the small caches DMA-safe, as a kernel that lowered the minimum
 * without bouncing would. Unsafe with non-coherent DMA on purpose: it
 * shows the corruption the minimum exists to prevent. Warned at boot.
 */
static int set_minalign(const char *name, const char *val)
{
	unsigned long long n;

	if (!val || ksl_parse_uint(val, &n) || !KSL_IS_POW2(n) || n < 8 ||
	    n > 4096)
		return ksl_param_invalid(
			name, val, "a power of two from 8 to 4096 is required");
	ksl_kmalloc_cfg.minalign = (unsigned int)n;
	return 0;
}

const struct ksl_param ksl_kmalloc_params[] = {
	{ "kmalloc.legacy", set_legacy },
	{ "kmalloc.packed", set_packed },
	{ "kmalloc.minalign", set_minalign },
	{ NULL, NULL },
};

int ksl_kmalloc_validate(void)
{
	if (ksl_kmalloc_cfg.packed && !ksl_kmalloc_cfg.legacy)
		return ksl_param_invalid(
			"kmalloc.packed", NULL,
			"the __GFP_PACKED proposal applies to kmalloc.legacy "
			"(a 128-byte minimum); boot both");
	if (ksl_kmalloc_cfg.minalign && ksl_kmalloc_cfg.legacy)
		return ksl_param_invalid(
			"kmalloc.minalign", NULL,
			"overrides the 6.5+ minimum; not with kmalloc.legacy");
	return 0;
}

/* setup_kmalloc_cache_index_table() for a KMALLOC_MIN_SIZE */
void ksl_kmalloc_patch_size_index(unsigned char size_index[24],
				  unsigned int min_size)
{
	unsigned int shift_low = (unsigned int)ksl_fls(min_size) - 1;

	memcpy(size_index, default_size_index, 24);
	for (unsigned int i = 8; i < min_size && i <= 192; i += 8)
		size_index[(i - 1) / 8] = shift_low;
	if (min_size >= 64)
		for (unsigned int i = 64 + 8; i <= 96; i += 8)
			size_index[(i - 1) / 8] = 7;
	if (min_size >= 128)
		for (unsigned int i = 128 + 8; i <= 192; i += 8)
			size_index[(i - 1) / 8] = 8;
}

/* ARCH_KMALLOC_MINALIGN: ARCH_DMA_MINALIGN under kmalloc.legacy */
unsigned int ksl_kmalloc_arch_minalign(void)
{
	const struct ksl_arch *a = ksl_mm.arch;

	return ksl_kmalloc_cfg.legacy && a->dma_minalign ? a->dma_minalign :
							   a->kmalloc_minalign;
}

/*
 * create_kmalloc_caches(): 6.1 made each type's caches from the smallest
 * up, 96 right after 64 and 192 right after 128; by 6.12 the two odd
 * sizes come first. Only the order of /proc/slabinfo depends on it.
 */
static bool rule_odd_sizes_first(void)
{
	return !ksl_kernel_before(6, 5);
}

/* CONFIG_SLAB_BUCKETS: the kmalloc_buckets cache and kmem_buckets_create()
 * (kmalloc_buckets.c), from 6.11 */
bool ksl_kmalloc_rule_buckets(void)
{
	return !ksl_kernel_before(6, 11);
}

static const char *policy_name(const struct ksl_arch *a)
{
	if (!a->dma_minalign)
		return a->name;
	if (ksl_kmalloc_cfg.packed)
		return "arm64-packed";
	if (ksl_kmalloc_cfg.legacy)
		return "arm64-legacy";
	return ksl_mm.swiotlb_allocated ? "arm64" : "arm64-noswiotlb";
}

/* kmalloc.minalign=N: applied after the policy, warned about */
static void force_minalign(struct ksl_kmalloc_policy *p, unsigned int n)
{
	unsigned int safe = p->minalign;

	p->minalign = n;
	p->minalign_forced = true;
	if (ksl_mm.arch->dma_minalign)
		ksl_printk(
			"WARNING: kmalloc.minalign=%u overrides the kmalloc minimum (%u) "
			"and declares small kmalloc buffers DMA-safe: non-coherent DMA "
			"into them can destroy CPU writes to neighbouring objects",
			n, safe);
	else
		ksl_printk(
			"kmalloc.minalign=%u overrides the kmalloc minimum (%u)",
			n, safe);
}

static void compute_policy(struct ksl_kmalloc_policy *p)
{
	const struct ksl_arch *a = ksl_mm.arch;
	bool legacy = ksl_kmalloc_cfg.legacy && a->dma_minalign;
	/* dma_get_cache_alignment(): the cache line where DMA needs care */
	unsigned int cache_align = a->dma_minalign ? a->cache_line : 1;

	memset(p, 0, sizeof(*p));
	p->name = policy_name(a);
	p->arch_minalign = ksl_kmalloc_arch_minalign();
	p->packed = ksl_kmalloc_cfg.packed && legacy;
	p->min_size = p->packed ? KMALLOC_PACKED_ALIGN :
				  ksl_max(p->arch_minalign, 8u);
	p->shift_low = (unsigned int)ksl_fls(p->min_size) - 1;
	p->shift_high = ksl_mm.page_shift + 1;
	p->max_cache_size = 1UL << p->shift_high;
	p->max_size = 1UL << (ksl_mm.max_order + ksl_mm.page_shift);
	if (legacy) {
		p->minalign = p->arch_minalign;
	} else {
		p->minalign = cache_align;
		if (a->dma_minalign && ksl_mm.swiotlb_allocated)
			p->minalign = p->arch_minalign;
		p->minalign = ksl_max(p->minalign, a->slab_minalign);
	}
	ksl_kmalloc_patch_size_index(p->size_index, p->min_size);
	if (ksl_kmalloc_cfg.minalign && !legacy)
		force_minalign(p, ksl_kmalloc_cfg.minalign);
	p->dma_minalign = p->minalign; /* the same minimum for every type */
}

static unsigned long index_size(unsigned int idx)
{
	return idx == 1 ? 96 : idx == 2 ? 192 : 1UL << idx;
}

static void index_name(char *buf, size_t len, enum kmalloc_cache_type t,
		       unsigned int idx)
{
	unsigned long sz = index_size(idx);

	if (sz >= 1UL << 20)
		snprintf(buf, len, "%s%luM", type_prefix[t], sz >> 20);
	else if (sz >= 1024)
		snprintf(buf, len, "%s%luk", type_prefix[t], sz >> 10);
	else
		snprintf(buf, len, "%s%lu", type_prefix[t], sz);
}

static slab_flags_t type_flags(enum kmalloc_cache_type t)
{
	switch (t) {
	case KMALLOC_RECLAIM:
		return SLAB_RECLAIM_ACCOUNT;
	case KMALLOC_CGROUP:
		return SLAB_ACCOUNT;
	case KMALLOC_DMA:
		return SLAB_CACHE_DMA;
	default:
		/* with memcg, normal kmalloc caches never merge */
		return SLAB_NO_MERGE;
	}
}

/* new_kmalloc_cache(): the cache serving idx of type t in one plane */
static int new_kmalloc_cache(unsigned int plane, enum kmalloc_cache_type t,
			     unsigned int idx, struct kmem_cache **made)
{
	const struct ksl_kmalloc_policy *p = &ksl_kmalloc;
	bool packed_plane = plane && ksl_kmalloc.packed && t != KMALLOC_DMA;
	unsigned int m = packed_plane ? KMALLOC_PACKED_ALIGN : p->minalign;
	unsigned int align = packed_plane ? KMALLOC_PACKED_ALIGN :
					    p->arch_minalign;
	unsigned long size;

	if (!packed_plane)
		m = ksl_max(m, p->min_size);
	size = KSL_ALIGN(index_size(idx), (unsigned long)m);
	unsigned int aligned = __kmalloc_index(size);
	char name[32];

	if (aligned >= KSLAB_KMALLOC_NR_INDEX)
		return -EINVAL; /* beyond kmalloc_info[]: no policy gets here */
	if (!made[aligned]) {
		index_name(name, sizeof(name), t, aligned);
		made[aligned] = ksl_create_kmalloc_cache(
			name, (unsigned int)size, type_flags(t), 0,
			(unsigned int)size, align);
		if (!made[aligned])
			return -ENOMEM;
	}
	ksl_kmalloc_caches[plane][t][idx] = made[aligned];
	return 0;
}

static int create_type(enum kmalloc_cache_type t)
{
	const struct ksl_kmalloc_policy *p = &ksl_kmalloc;
	struct kmem_cache *made[KSLAB_KMALLOC_NR_INDEX] = { 0 };
	unsigned int order[KSLAB_KMALLOC_NR_INDEX + 2], n = 0;

	/* 96 and 192 where the minimum allows them: first, or (6.1) each
	 * after the power of two below it */
	if (p->min_size <= 32 && rule_odd_sizes_first())
		order[n++] = 1;
	if (p->min_size <= 64 && rule_odd_sizes_first())
		order[n++] = 2;
	for (unsigned int i = p->shift_low; i <= p->shift_high; i++) {
		order[n++] = i;
		if (i == 6 && p->min_size <= 32 && !rule_odd_sizes_first())
			order[n++] = 1;
		if (i == 7 && p->min_size <= 64 && !rule_odd_sizes_first())
			order[n++] = 2;
	}
	/* the finer plane creates, the other only points at its caches */
	for (int plane = 1; plane >= 0; plane--)
		for (unsigned int i = 0; i < n; i++)
			if (new_kmalloc_cache(plane, t, order[i], made))
				return -ENOMEM;
	/* indexes below KMALLOC_MIN_SIZE (the compile-time constant path
	 * uses them): the classes size_index rounds them up to */
	for (int plane = 0; plane < 2; plane++)
		for (unsigned int i = 1; i < p->shift_low; i++)
			if (!ksl_kmalloc_caches[plane][t][i] &&
			    new_kmalloc_cache(plane, t, i, made))
				return -ENOMEM;
	return 0;
}

/* the inline paths serve the table unless a cache there wants the size */
static void set_fast_limits(struct ksl_kmalloc_policy *p)
{
	p->fast_max_cache_size = p->max_cache_size;
	p->fast_shift_high = p->shift_high;
	for (unsigned int i = 0; i < KSLAB_KMALLOC_NR_INDEX; i++) {
		struct kmem_cache *s = ksl_kmalloc_caches[0][KMALLOC_NORMAL][i];

		if (s && (s->flags & (SLAB_STORE_USER | SLAB_RED_ZONE))) {
			p->fast_max_cache_size = 0;
			p->fast_shift_high = 0;
		}
	}
}

int ksl_kmalloc_init(void)
{
	compute_policy(&ksl_kmalloc);
	memset(ksl_kmalloc_caches, 0, sizeof(ksl_kmalloc_caches));
	atomic_store(&ksl_kmalloc_large_pages, 0);
	for (int t = 0; t < NR_KMALLOC_TYPES; t++)
		if (create_type(t))
			return -ENOMEM;
	set_fast_limits(&ksl_kmalloc);
	/*
	 * CONFIG_SLAB_BUCKETS: the cache of kmem_buckets (one kmalloc cache
	 * pointer per index up to KMALLOC_SHIFT_HIGH), made once the kmalloc
	 * array is usable, unmergeable; 112 bytes with 4 KiB pages.
	 */
	if (ksl_kmalloc_rule_buckets()) {
		ksl_kmem_buckets_cache =
			kmem_cache_create("kmalloc_buckets",
					  (ksl_kmalloc.shift_high + 1) *
						  (unsigned int)sizeof(void *),
					  0, SLAB_NO_MERGE, NULL);
		if (!ksl_kmem_buckets_cache)
			return -ENOMEM;
	}
	/* kslab.sheaves=all: the kmalloc caches' sheaves, now that their
	 * sheaves and barns can be kmalloc()ed */
	return ksl_slab_kmalloc_sheaves();
}

void ksl_kmalloc_shutdown(void)
{
	/* the caches go with the slab layer's shutdown */
	memset(ksl_kmalloc_caches, 0, sizeof(ksl_kmalloc_caches));
	ksl_kmem_buckets_cache = NULL;
	memset(&ksl_kmalloc, 0, sizeof(ksl_kmalloc));
}

int kslab_kmalloc_info(struct kslab_kmalloc_info *out)
{
	ksl_ensure_booted();
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->policy = ksl_kmalloc.name;
	out->arch_kmalloc_minalign = ksl_kmalloc.arch_minalign;
	out->kmalloc_min_size = ksl_kmalloc.min_size;
	out->minalign = ksl_kmalloc.minalign;
	out->dma_minalign = ksl_kmalloc.dma_minalign;
	out->max_cache_size = ksl_kmalloc.max_cache_size;
	out->max_size = ksl_kmalloc.max_size;
	out->packed = ksl_kmalloc.packed;
	out->large_pages = atomic_load(&ksl_kmalloc_large_pages);
	return 0;
}

struct kmem_cache *kmalloc_slab(size_t size, gfp_t flags)
{
	unsigned int idx;

	ksl_ensure_booted();
	if (!size || size > ksl_kmalloc.max_cache_size)
		return NULL;
	idx = ksl_kmalloc_index(size);
	return ksl_kmalloc_cache(idx, flags);
}
