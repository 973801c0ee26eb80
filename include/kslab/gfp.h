/* SPDX-License-Identifier: MIT */
/*
 * Allocation flags with the bit values of Linux 6.18
 * (include/linux/gfp_types.h, as printed by the kmem trace events).
 *
 * Bit 9 is unused in 6.18 and bit 25 is __GFP_NOLOCKDEP (kernels with
 * lockdep). __GFP_PACKED, from the 2022 proposal "mm: Allow kmalloc()
 * allocations below ARCH_KMALLOC_MINALIGN", never reached mainline: kslab
 * gives it the next free bit, 26, and widens __GFP_BITS_SHIFT to cover it.
 */
#ifndef KSLAB_GFP_H
#define KSLAB_GFP_H

#include <kslab/types.h>

#define ___GFP_DMA_BIT 0
#define ___GFP_HIGHMEM_BIT 1
#define ___GFP_DMA32_BIT 2
#define ___GFP_MOVABLE_BIT 3
#define ___GFP_RECLAIMABLE_BIT 4
#define ___GFP_HIGH_BIT 5
#define ___GFP_IO_BIT 6
#define ___GFP_FS_BIT 7
#define ___GFP_ZERO_BIT 8
#define ___GFP_DIRECT_RECLAIM_BIT 10
#define ___GFP_KSWAPD_RECLAIM_BIT 11
#define ___GFP_WRITE_BIT 12
#define ___GFP_NOWARN_BIT 13
#define ___GFP_RETRY_MAYFAIL_BIT 14
#define ___GFP_NOFAIL_BIT 15
#define ___GFP_NORETRY_BIT 16
#define ___GFP_MEMALLOC_BIT 17
#define ___GFP_COMP_BIT 18
#define ___GFP_NOMEMALLOC_BIT 19
#define ___GFP_HARDWALL_BIT 20
#define ___GFP_THISNODE_BIT 21
#define ___GFP_ACCOUNT_BIT 22
#define ___GFP_ZEROTAGS_BIT 23
#define ___GFP_NO_OBJ_EXT_BIT 24
#define ___GFP_NOLOCKDEP_BIT 25
#define ___GFP_PACKED_BIT 26
#define ___GFP_LAST_BIT 27

#define __GFP_DMA ((gfp_t)1 << ___GFP_DMA_BIT)
#define __GFP_HIGHMEM ((gfp_t)1 << ___GFP_HIGHMEM_BIT)
#define __GFP_DMA32 ((gfp_t)1 << ___GFP_DMA32_BIT)
#define __GFP_MOVABLE ((gfp_t)1 << ___GFP_MOVABLE_BIT)
#define __GFP_RECLAIMABLE ((gfp_t)1 << ___GFP_RECLAIMABLE_BIT)
#define __GFP_HIGH ((gfp_t)1 << ___GFP_HIGH_BIT)
#define __GFP_IO ((gfp_t)1 << ___GFP_IO_BIT)
#define __GFP_FS ((gfp_t)1 << ___GFP_FS_BIT)
#define __GFP_ZERO ((gfp_t)1 << ___GFP_ZERO_BIT)
#define __GFP_DIRECT_RECLAIM ((gfp_t)1 << ___GFP_DIRECT_RECLAIM_BIT)
#define __GFP_KSWAPD_RECLAIM ((gfp_t)1 << ___GFP_KSWAPD_RECLAIM_BIT)
#define __GFP_WRITE ((gfp_t)1 << ___GFP_WRITE_BIT)
#define __GFP_NOWARN ((gfp_t)1 << ___GFP_NOWARN_BIT)
#define __GFP_RETRY_MAYFAIL ((gfp_t)1 << ___GFP_RETRY_MAYFAIL_BIT)
#define __GFP_NOFAIL ((gfp_t)1 << ___GFP_NOFAIL_BIT)
#define __GFP_NORETRY ((gfp_t)1 << ___GFP_NORETRY_BIT)
#define __GFP_MEMALLOC ((gfp_t)1 << ___GFP_MEMALLOC_BIT)
#define __GFP_COMP ((gfp_t)1 << ___GFP_COMP_BIT)
#define __GFP_NOMEMALLOC ((gfp_t)1 << ___GFP_NOMEMALLOC_BIT)
#define __GFP_HARDWALL ((gfp_t)1 << ___GFP_HARDWALL_BIT)
#define __GFP_THISNODE ((gfp_t)1 << ___GFP_THISNODE_BIT)
#define __GFP_ACCOUNT ((gfp_t)1 << ___GFP_ACCOUNT_BIT)
#define __GFP_ZEROTAGS ((gfp_t)1 << ___GFP_ZEROTAGS_BIT)
#define __GFP_NO_OBJ_EXT ((gfp_t)1 << ___GFP_NO_OBJ_EXT_BIT)
#define __GFP_NOLOCKDEP ((gfp_t)1 << ___GFP_NOLOCKDEP_BIT)
/* kslab: small kmalloc() objects that will never be used for DMA */
#define __GFP_PACKED ((gfp_t)1 << ___GFP_PACKED_BIT)

#define __GFP_BITS_SHIFT ___GFP_LAST_BIT
#define __GFP_BITS_MASK ((gfp_t)((1u << __GFP_BITS_SHIFT) - 1))

#define GFP_ZONEMASK (__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE)
#define __GFP_RECLAIM (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)

#define GFP_ATOMIC (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT (GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT (__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)
#define GFP_NOIO (__GFP_RECLAIM)
#define GFP_NOFS (__GFP_RECLAIM | __GFP_IO)
#define GFP_USER (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA __GFP_DMA
#define GFP_DMA32 __GFP_DMA32
#define GFP_HIGHUSER (GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_TRANSHUGE_LIGHT                                      \
	((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | \
	  __GFP_NOWARN) &                                        \
	 ~__GFP_RECLAIM)
#define GFP_TRANSHUGE (GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

KSLAB_EXTERN_C_BEGIN

/*
 * The highest zone an allocation with these flags may use (the kernel's
 * gfp_zone() on a 64-bit machine without ZONE_HIGHMEM). Returns
 * __MAX_NR_ZONES for the impossible combinations (__GFP_DMA with
 * __GFP_DMA32, or either with __GFP_HIGHMEM).
 */
static inline enum zone_type gfp_zone(gfp_t flags)
{
	switch (flags &
		(__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE)) {
	case 0:
	case __GFP_MOVABLE:
	case __GFP_HIGHMEM:
		return ZONE_NORMAL;
	case __GFP_DMA:
	case __GFP_DMA | __GFP_MOVABLE:
		return ZONE_DMA;
	case __GFP_DMA32:
	case __GFP_DMA32 | __GFP_MOVABLE:
		return ZONE_DMA32;
	case __GFP_HIGHMEM | __GFP_MOVABLE:
		return ZONE_MOVABLE;
	default:
		return __MAX_NR_ZONES;
	}
}

/*
 * Print flags the way the kernel's trace events and warn_alloc() do:
 * composite names first, each match's bits removed, joined with '|'.
 * Writes at most len bytes (always terminated); returns the length the
 * full text needs. 0 prints "none".
 */
KSLAB_API size_t kslab_gfp_format(gfp_t flags, char *buf, size_t len);

/*
 * Parse a '|'-separated list of flag names ("GFP_KERNEL|__GFP_ZERO", or
 * "none"), ORing the named values. Returns 0, or -EINVAL naming the first
 * unknown word in *bad (pointer into text) when bad is not NULL.
 *
 * The names are the ones kslab_gfp_format() prints (Linux 6.18's, with
 * __GFP_NOLOCKDEP and kslab's __GFP_PACKED); leftover bits "0x..." are
 * taken as 6.18 bit numbers. Names only other kernels print (4.x-6.2's
 * __GFP_ATOMIC, GFP_TEMPORARY, the KASAN skip flags, ...) are unknown
 * here: the kslab command's trace reader maps them to 6.18 bits itself
 * (docs/trace-formats.md, "Older kernels").
 */
KSLAB_API int kslab_gfp_parse(const char *text, size_t len, gfp_t *flags,
			      const char **bad);

KSLAB_EXTERN_C_END

#endif /* KSLAB_GFP_H */
