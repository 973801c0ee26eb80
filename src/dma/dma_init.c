// SPDX-License-Identifier: MIT
/*
 * The DMA layer's life cycle, last in the boot order (after kmalloc):
 * read the booted kmalloc policy, set aside the swiotlb pool that the
 * memory layer decided on (swiotlb=), and tear everything down again.
 *
 * The layer has no boot parameters of its own: swiotlb= belongs to the
 * memory layer (it decides the kmalloc minimum too), kmalloc.minalign= to
 * the kmalloc layer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dma/dma_internal.h"

struct ksl_dma_state ksl_dma;

const struct ksl_param ksl_dma_params[] = {
	{ NULL, NULL },
};

void ksl_dma_config_reset(void)
{
}

int ksl_dma_validate(void)
{
	return 0;
}

static void reset_counters(void)
{
	struct ksl_dma_counters *c = &ksl_dma.stats;

	atomic_store(&c->mappings, 0);
	atomic_store(&c->bounces, 0);
	atomic_store(&c->bounced_bytes, 0);
	atomic_store(&c->lost_bytes, 0);
	atomic_store(&c->shared_line_warnings, 0);
	atomic_store(&c->api_errors, 0);
}

int ksl_dma_init(void)
{
	ksl_dma_policy_init();
	reset_counters();
	ksl_dma.devices = NULL;
	ksl_dma.hash = calloc(KSL_DMA_HASH, sizeof(*ksl_dma.hash));
	if (!ksl_dma.hash)
		return -ENOMEM;
	if (ksl_swiotlb_init()) {
		free(ksl_dma.hash);
		ksl_dma.hash = NULL;
		return -ENOMEM;
	}
	return 0;
}

void ksl_dma_shutdown(void)
{
	ksl_devices_release_all();
	ksl_swiotlb_shutdown();
	free(ksl_dma.hash);
	ksl_dma.hash = NULL;
}
