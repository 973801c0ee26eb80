/* SPDX-License-Identifier: MIT */
/* kslab: the Linux kernel's slab allocator in user space. One include. */
#ifndef KSLAB_KSLAB_H
#define KSLAB_KSLAB_H

#include <kslab/types.h>
#include <kslab/gfp.h>
#include <kslab/boot.h>
#include <kslab/mm.h>
#include <kslab/slab.h>
#include <kslab/kmalloc.h>
#include <kslab/dma.h>

#endif /* KSLAB_KSLAB_H */
