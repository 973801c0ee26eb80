/* SPDX-License-Identifier: MIT */
/*
 * failslab inside the slab layer (failslab.c): the point the allocation
 * paths ask (ksl_should_failslab(), behind ksl_failslab_armed), and the
 * calls that must not ask again: a sheaf refill and the objects of a
 * bulk allocation take objects for a request that was asked already
 * (the kernel asks once in slab_pre_alloc_hook()).
 */
#ifndef KSLAB_SLAB_FAILSLAB_H
#define KSLAB_SLAB_FAILSLAB_H

#include "slab/slab_internal.h"
#include "mm/fault_inject.h"

/* set while the calling thread takes objects for an asked request */
extern __thread unsigned int ksl_failslab_quiet
	__attribute__((tls_model("initial-exec")));

/* failslab's attributes alone (kmem_cache_alloc_bulk(): once a call) */
bool ksl_failslab_attr(struct kmem_cache *s, gfp_t gfp);

#endif /* KSLAB_SLAB_FAILSLAB_H */
