/* SPDX-License-Identifier: MIT */
/* kslab: the Linux kernel's slab allocator in user space. One include. */
#ifndef KSLAB_KSLAB_H
#define KSLAB_KSLAB_H

/*
 * With KSLAB_PREFIXED_ONLY defined, only the kslab_ names of
 * <kslab/prefixed.h>: for programs that have the kernel's names already
 * (see docs/kernel-testing.md).
 */
#ifdef KSLAB_PREFIXED_ONLY
#include <kslab/prefixed.h>
#else
#include <kslab/types.h>
#include <kslab/gfp.h>
#include <kslab/boot.h>
#include <kslab/mm.h>
#include <kslab/slab.h>
#include <kslab/kmalloc.h>
#include <kslab/dma.h>
#include <kslab/fault_inject.h>
#endif

#endif /* KSLAB_KSLAB_H */
