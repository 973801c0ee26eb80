// SPDX-License-Identifier: MIT
/*
 * The table of live mappings and the DMA-API debug checks built on it
 * (the kernel's kernel/dma/debug.c, always on here).
 *
 * Every successful map (single, page, each sg segment) and every coherent
 * allocation is one entry, in a hash keyed by DMA address and on its
 * device's list (both doubly linked: insert and remove are O(1), a lookup
 * by exact address is one hash chain), and on ksl_dma.snapped too while
 * it holds a cache-model snapshot. Entries are recycled through a free
 * list (ksl_map_alloc / ksl_map_free), so a map+unmap pair allocates
 * nothing once the list is warm. Unmap and sync look the entry up and
 * report misuse in the kernel's words:
 *
 *   DMA-API: DEV: device driver tries to free DMA memory it has not
 *                 allocated [device address=0x...] [size=N bytes]
 *   ... frees DMA memory with different size / different direction /
 *       wrong function; ... tries to sync DMA memory it has not allocated;
 *       syncs DMA memory outside allocated range / with different direction
 *
 * A misuse is reported, counted in api_errors, and given a defined
 * result: an unknown address is ignored, a wrong size or direction is
 * unmapped as it was mapped. All functions here run under ksl_dma.lock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "dma/dma_internal.h"

/* ksl_map_alloc() with no spare entry: a new one, or NULL */
struct ksl_dma_map *ksl_map_alloc_new(void)
{
	if (!ksl_dma.map_size)
		ksl_dma.map_size =
			sizeof(struct ksl_dma_map) + ksl_cache_map_extra();
	return malloc(ksl_dma.map_size);
}

/* every spare entry back to the C library (shutdown) */
void ksl_maps_drain(void)
{
	while (ksl_dma.free_maps) {
		struct ksl_dma_map *m = ksl_dma.free_maps;

		ksl_dma.free_maps = m->hnext;
		free(m);
	}
	ksl_dma.nr_free_maps = 0;
	ksl_dma.map_size = 0;
}

/* the newest entry of dev at exactly dma */
struct ksl_dma_map *ksl_map_find(struct device *dev, dma_addr_t dma)
{
	struct ksl_dma_map *m;

	for (m = ksl_dma.hash[ksl_map_hash(dma)]; m; m = m->hnext)
		if (m->dev == dev && m->dma == dma)
			return m;
	return NULL;
}

/* an entry of dev containing [dma, dma + len) */
struct ksl_dma_map *ksl_map_covering(struct device *dev, dma_addr_t dma,
				     size_t len)
{
	struct ksl_dma_map *m = ksl_map_find(dev, dma);

	if (m && len <= m->size)
		return m;
	for (m = dev->maps; m; m = m->dnext)
		if (dma >= m->dma && dma - m->dma < m->size &&
		    len <= m->size - (dma - m->dma))
			return m;
	return NULL;
}

const char *ksl_dir_name(enum dma_data_direction dir)
{
	static const char *const names[] = { "DMA_BIDIRECTIONAL",
					     "DMA_TO_DEVICE", "DMA_FROM_DEVICE",
					     "DMA_NONE" };

	return (unsigned int)dir < 4 ? names[dir] : "DMA_INVALID";
}

const char *ksl_map_type_name(enum ksl_map_type t)
{
	static const char *const names[] = { "single", "page", "scatter-gather",
					     "coherent" };

	return (unsigned int)t < 4 ? names[t] : "invalid";
}

void ksl_dma_api_error(struct device *dev, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ksl_dev_count(dev, KSL_STAT(api_errors), 1);
	ksl_pr_ratelimited(100, "DMA-API: %s: %s", dev_name(dev), msg);
}

bool ksl_invalid_dir(struct device *dev, enum dma_data_direction dir,
		     const char *fn)
{
	ksl_dma_api_error(dev, "%s: invalid direction %d (%s)", fn, (int)dir,
			  ksl_dir_name(dir));
	return false;
}

/* the entry of dev at addr matching size and dir best */
static struct ksl_dma_map *best_match(struct device *dev, dma_addr_t addr,
				      size_t size, enum dma_data_direction dir)
{
	struct ksl_dma_map *m, *best = NULL;
	int best_score = -1;

	for (m = ksl_dma.hash[ksl_map_hash(addr)]; m; m = m->hnext) {
		int score;

		if (m->dev != dev || m->dma != addr)
			continue;
		score = (m->size == size) * 2 + (m->dir == dir);
		if (score == 3)
			return m; /* the first exact match: nothing beats it */
		if (score > best_score) {
			best = m;
			best_score = score;
		}
	}
	return best;
}

struct ksl_dma_map *ksl_check_unmap(struct device *dev, dma_addr_t addr,
				    size_t size, enum dma_data_direction dir,
				    enum ksl_map_type type)
{
	struct ksl_dma_map *m = best_match(dev, addr, size, dir);
	unsigned long long a = addr;

	if (!m) {
		ksl_dma_api_error(
			dev,
			"device driver tries to free DMA memory it has not allocated [device address=0x%016llx] [size=%zu bytes]",
			a, size);
		return NULL;
	}
	if (m->size != size)
		ksl_dma_api_error(
			dev,
			"device driver frees DMA memory with different size [device address=0x%016llx] [map size=%zu bytes] [unmap size=%zu bytes]",
			a, m->size, size);
	if (m->type != type)
		ksl_dma_api_error(
			dev,
			"device driver frees DMA memory with wrong function [device address=0x%016llx] [size=%zu bytes] [mapped as %s] [unmapped as %s]",
			a, m->size, ksl_map_type_name(m->type),
			ksl_map_type_name(type));
	if (m->dir != dir)
		ksl_dma_api_error(
			dev,
			"device driver frees DMA memory with different direction [device address=0x%016llx] [size=%zu bytes] [mapped with %s] [unmapped with %s]",
			a, m->size, ksl_dir_name(m->dir), ksl_dir_name(dir));
	return m;
}

struct ksl_dma_map *ksl_check_sync(struct device *dev, dma_addr_t addr,
				   size_t size, enum dma_data_direction dir,
				   bool to_cpu)
{
	struct ksl_dma_map *m = ksl_map_covering(dev, addr, 1);
	unsigned long long a = addr;

	if (!m) {
		ksl_dma_api_error(
			dev,
			"device driver tries to sync DMA memory it has not allocated [device address=0x%016llx] [size=%zu bytes]",
			a, size);
		return NULL;
	}
	if (size > m->size - (addr - m->dma)) {
		ksl_dma_api_error(
			dev,
			"device driver syncs DMA memory outside allocated range [device address=0x%016llx] [allocation size=%zu bytes] [sync offset+size=%llu]",
			(unsigned long long)m->dma, m->size,
			(unsigned long long)(addr - m->dma + size));
		return NULL;
	}
	if (m->dir != DMA_BIDIRECTIONAL && m->dir != dir) {
		ksl_dma_api_error(
			dev,
			"device driver syncs DMA memory with different direction [device address=0x%016llx] [size=%zu bytes] [mapped with %s] [synced with %s]",
			a, m->size, ksl_dir_name(m->dir), ksl_dir_name(dir));
		return NULL;
	}
	(void)to_cpu;
	return m;
}
