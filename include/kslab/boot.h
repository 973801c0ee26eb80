/* SPDX-License-Identifier: MIT */
/*
 * Booting the simulated machine.
 *
 * One machine at a time lives in a process. kslab_boot() brings it up from a
 * kernel-style command line ("arch=arm64 memmap=4G@2G nr_cpus=4"),
 * kslab_shutdown() tears it down completely so that another can be booted.
 * Any allocator call made before a boot boots with the command line in the
 * environment variable KSLAB_BOOT, or with the host's defaults.
 *
 * Parameters (each layer adds its own; see docs/boot-parameters.md):
 *   arch=x86_64|arm64        architecture profile (default: the host's)
 *   page_size=4K|16K|64K     where the architecture allows it
 *   mem=SIZE                 RAM [0, SIZE)
 *   memmap=SIZE@START        RAM [START, START+SIZE), repeatable
 *   zone_dma_bits=N          arm64: ZONE_DMA limit 2^N
 *   nr_cpus=N                simulated CPUs (default: the host's)
 *   swiotlb=[N][,A][,force|noforce]  bounce buffer slots / none / always
 *   kslab.kernel=6.1|6.12|6.18  whose slab/kmalloc rules (default 6.18)
 *   slub_debug[=FLAGS[,CACHE...][;...]]  SLUB debugging (kslab/slab.h)
 *   failslab=, fail_page_alloc=  fault injection (kslab/fault_inject.h)
 */
#ifndef KSLAB_BOOT_H
#define KSLAB_BOOT_H

#include <stdio.h>
#include <kslab/types.h>

KSLAB_EXTERN_C_BEGIN

/*
 * 0, -EINVAL (bad command line, message on stderr), -EBUSY (booted),
 * -ENOMEM (the host could not reserve the address space, or the machine
 * is too small for the kernel's own caches, "mem=1M": where the kernel
 * panics, a message and this). On failure nothing stays booted; another
 * kslab_boot() may follow. A parameter given twice takes the last value,
 * as most of the kernel's handlers do (memmap= adds each range; see
 * docs/boot-parameters.md for mem= and nr_cpus=); a different value is
 * warned about.
 */
KSLAB_API int kslab_boot(const char *cmdline);
KSLAB_API void kslab_shutdown(void);
KSLAB_API bool kslab_booted(void);
/*
 * The command line the running machine was booted with, normalised: the
 * words that took effect (one space apart, an overridden one left out),
 * then those the boot chose by default for what was not given:
 * "arch=", "page_size=" (arm64), "mem=" (no mem=/memmap=), "nr_cpus=".
 * After an implicit boot, the line it used ($KSLAB_BOOT or the host's
 * defaults). NULL when nothing is booted.
 */
KSLAB_API const char *kslab_cmdline(void);

/* The architecture profile of the running machine. */
struct kslab_arch_info {
	const char *name; /* "x86_64", "arm64" */
	unsigned long page_size;
	unsigned int page_shift;
	unsigned int max_page_order;   /* MAX_PAGE_ORDER */
	unsigned int cache_line;       /* L1_CACHE_BYTES */
	unsigned int dma_minalign;     /* ARCH_DMA_MINALIGN (0: undefined) */
	unsigned int kmalloc_minalign; /* ARCH_KMALLOC_MINALIGN */
	unsigned int slab_minalign;    /* ARCH_SLAB_MINALIGN */
	unsigned int phys_bits;	       /* physical address bits */
	bool dma_coherent;	       /* devices coherent by default */
	unsigned int nr_cpus;	       /* simulated CPUs (nr_cpu_ids) */
	phys_addr_t zone_limit[MAX_NR_ZONES]; /* end of DMA, DMA32 (exclusive) */
	bool swiotlb;		      /* a bounce buffer was set aside */
	bool swiotlb_force;	      /* swiotlb=force: every mapping bounces */
	unsigned long swiotlb_nslabs; /* its size in 2 KiB slots */
	/* kslab.kernel=: the Linux version whose rules apply (6.18 default) */
	unsigned int kernel_major, kernel_minor;
};
KSLAB_API int kslab_arch_info(struct kslab_arch_info *out);

/* Simulated CPUs: a thread runs as one (spread round-robin by default). */
KSLAB_API unsigned int kslab_nr_cpus(void);
KSLAB_API int kslab_set_cpu(unsigned int cpu); /* pin the calling thread */
KSLAB_API unsigned int kslab_this_cpu(void);

/*
 * Print one of the kernel's text views: "buddyinfo", "zoneinfo",
 * "meminfo", and those later layers add ("slabinfo", "slabs", ...).
 * Returns 0, or -EINVAL for an unknown name.
 */
KSLAB_API int kslab_show(const char *what, FILE *out);

KSLAB_EXTERN_C_END

#endif /* KSLAB_BOOT_H */
