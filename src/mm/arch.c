// SPDX-License-Identifier: MIT
/*
 * Architecture profiles: the constants a Linux 6.18 kernel of each
 * architecture is built with, as far as the allocators can see them.
 *
 *                     x86_64            arm64
 *   page size         4K                4K, 16K, 64K
 *   L1_CACHE_BYTES    64                64
 *   ARCH_DMA_MINALIGN (undefined)       128
 *   ARCH_KMALLOC_MIN  8                 8 (6.5+; 128 before, kmalloc.legacy)
 *   ARCH_SLAB_MIN     8                 8
 *   ZONE_DMA          < 16 MiB          firmware limit, at most 4 GiB
 *   ZONE_DMA32        < 4 GiB           < 4 GiB
 *   MAX_PAGE_ORDER    10                10 / 11 / 13 (by page size)
 *   DMA coherent      always            per device; default: no
 *
 * Sources: arch/x86/include/asm/dma.h, arch/arm64/include/asm/cache.h,
 * arch/arm64/Kconfig (ARCH_FORCE_MAX_ORDER), arch/arm64/mm/init.c.
 */
#include <string.h>
#include <sys/utsname.h>
#include "mm/mm_internal.h"

static const struct ksl_arch ksl_arches[] = {
	{
		.name = "x86_64",
		.page_shifts = { 12 },
		.cache_line = 64,
		.dma_minalign = 0,
		.kmalloc_minalign = 8,
		.slab_minalign = 8,
		.phys_bits = 46,
		.dma_coherent = true,
		.has_zone_dma_bits = false,
		.pc_low_memory = true,
	},
	{
		.name = "arm64",
		.page_shifts = { 12, 14, 16 },
		.cache_line = 64,
		.dma_minalign = 128,
		.kmalloc_minalign = 8,
		.slab_minalign = 8,
		.phys_bits = 48,
		.dma_coherent = false,
		.has_zone_dma_bits = true,
		.pc_low_memory = false,
	},
};

const struct ksl_arch *ksl_arch_find(const char *name)
{
	if (!strcmp(name, "aarch64"))
		name = "arm64";
	else if (!strcmp(name, "x86-64") || !strcmp(name, "amd64"))
		name = "x86_64";
	for (size_t i = 0; i < ARRAY_SIZE(ksl_arches); i++)
		if (!strcmp(ksl_arches[i].name, name))
			return &ksl_arches[i];
	return NULL;
}

/* The host's architecture when it is one we model, else x86_64. */
const struct ksl_arch *ksl_arch_host(void)
{
	struct utsname u;
	const struct ksl_arch *a = NULL;

	if (uname(&u) == 0)
		a = ksl_arch_find(u.machine);
	return a ? a : &ksl_arches[0];
}

/* ARCH_FORCE_MAX_ORDER: arm64 keeps the largest block at 4M/32M/512M. */
unsigned int ksl_arch_max_order(const struct ksl_arch *a,
				unsigned int page_shift)
{
	switch (page_shift) {
	case 14:
		return 11;
	case 16:
		return 13;
	default:
		return 10;
	}
}
