// SPDX-License-Identifier: MIT
/*
 * Simulated devices: their DMA masks, coherence, counters, and their side
 * of DMA (reading and writing memory through DMA addresses).
 *
 * Invariants: a device is on ksl_dma.devices from create to destroy and
 * belongs to the boot it was created in (kslab_shutdown() frees them all);
 * a device in ksl_dma.live[] is on ksl_dma.devices (it leaves the table,
 * under the lock, before it is freed; not every live device has a slot);
 * dma_mask and coherent_dma_mask are never below what dma_supported()
 * accepts; every counter a device bumps is bumped globally too.
 *
 * Also here: the slow paths of ksl_dma.lock (a futex lock; see
 * dma_internal.h).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include "dma/dma_internal.h"
#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* ---- ksl_dma.lock --------------------------------------------------------- */
static void lock_wait(void)
{
#ifdef __linux__
	syscall(SYS_futex, &ksl_dma.lock.state, FUTEX_WAIT_PRIVATE, 2, NULL,
		NULL, 0);
#else
	sched_yield();
#endif
}

void ksl_dma_lock_slow(void)
{
	for (int spin = 0; spin < 64; spin++) {
		int free_state = 0;

		if (atomic_load_explicit(&ksl_dma.lock.state,
					 memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_weak_explicit(
			    &ksl_dma.lock.state, &free_state, 1,
			    memory_order_acquire, memory_order_relaxed))
			return;
	}
	while (atomic_exchange_explicit(&ksl_dma.lock.state, 2,
					memory_order_acquire) != 0)
		lock_wait();
}

void ksl_dma_unlock_wake(void)
{
#ifdef __linux__
	syscall(SYS_futex, &ksl_dma.lock.state, FUTEX_WAKE_PRIVATE, 1, NULL,
		NULL, 0);
#endif
}

/* ---- devices ---------------------------------------------------------------- */
/* publish dev in ksl_dma.live[] if a slot is free; lock held */
static void live_add(struct device *dev)
{
	unsigned int h = ksl_dev_live_slot(dev);

	for (unsigned int i = 0; i < KSL_DMA_LIVE_PROBE; i++) {
		_Atomic(struct device *) *slot =
			&ksl_dma.live[(h + i) % KSL_DMA_LIVE];

		if (!atomic_load_explicit(slot, memory_order_relaxed)) {
			atomic_store_explicit(slot, dev, memory_order_release);
			return;
		}
	}
}

/* take dev out of ksl_dma.live[]; lock held */
static void live_del(struct device *dev)
{
	unsigned int h = ksl_dev_live_slot(dev);

	for (unsigned int i = 0; i < KSL_DMA_LIVE_PROBE; i++) {
		_Atomic(struct device *) *slot =
			&ksl_dma.live[(h + i) % KSL_DMA_LIVE];

		if (atomic_load_explicit(slot, memory_order_relaxed) == dev)
			atomic_store_explicit(slot, NULL, memory_order_relaxed);
	}
}

/* ksl_dev_ok() when dev is not in its home slot: the other slots it may
 * have, then the list */
bool ksl_dev_ok_slow(const struct device *dev, const char *fn)
{
	unsigned int h = ksl_dev_live_slot(dev);
	const struct device *d;
	bool found = false;

	if (!dev) {
		ksl_printk("%s: NULL device", fn);
		return false;
	}
	for (unsigned int i = 1; i < KSL_DMA_LIVE_PROBE; i++)
		if (atomic_load_explicit(&ksl_dma.live[(h + i) % KSL_DMA_LIVE],
					 memory_order_acquire) == dev)
			return true;
	ksl_dma_lock();
	for (d = ksl_dma.devices; d && !found; d = d->next)
		found = d == dev;
	ksl_dma_unlock();
	if (!found)
		ksl_printk("%s: %p is not a live device of this machine", fn,
			   (const void *)dev);
	return found;
}

/* dma_direct_supported(): the mask must reach the lowest DMA zone */
static bool mask_supported(uint64_t mask)
{
	uint64_t min_mask = ((uint64_t)ksl_mm.max_pfn - 1) << ksl_mm.page_shift;
	phys_addr_t dma_end = ksl_mm.zone_limit[ZONE_DMA];

	if (dma_end > ksl_mm.ram[0].start)
		min_mask = ksl_min(min_mask, (uint64_t)dma_end - 1);
	else
		min_mask = ksl_min(min_mask,
				   (uint64_t)ksl_mm.zone_limit[ZONE_DMA32] - 1);
	return mask >= min_mask;
}

struct device *kslab_device_create(const char *name, unsigned int dma_bits,
				   bool coherent)
{
	struct device *dev;

	ksl_ensure_booted();
	if (!name || !*name || strlen(name) >= sizeof(dev->name)) {
		ksl_printk(
			"kslab_device_create: a name of 1..%zu characters is required",
			sizeof(dev->name) - 1);
		return NULL;
	}
	if (!dma_bits)
		dma_bits = 32;
	if (dma_bits > 64 || !mask_supported(DMA_BIT_MASK(dma_bits))) {
		ksl_printk("%s: %u-bit DMA mask not supported by this machine",
			   name, dma_bits);
		return NULL;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	strcpy(dev->name, name);
	dev->dma_mask = dev->coherent_dma_mask = DMA_BIT_MASK(dma_bits);
	/* dev_is_dma_coherent() is always true where the architecture has
	 * no non-coherent DMA (x86_64) */
	dev->coherent = coherent || ksl_mm.arch->dma_coherent;
	dev->generation = ksl_mm.generation;
	ksl_dma_lock();
	dev->next = ksl_dma.devices;
	ksl_dma.devices = dev;
	live_add(dev);
	ksl_dma_unlock();
	return dev;
}

/* release a device's mappings; lock held */
static unsigned long release_maps(struct device *dev)
{
	unsigned long n = 0;

	while (dev->maps) {
		struct ksl_dma_map *m = dev->maps;

		ksl_map_remove(m);
		if (m->bounced)
			ksl_swiotlb_release(m->slot, m->nslots);
		if (m->iova_pages)
			ksl_iova_free(dev, m->iova_pfn, m->iova_pages);
		ksl_map_free(m);
		n++;
	}
	return n;
}

void kslab_device_destroy(struct device *dev)
{
	struct device **pp;
	unsigned long n;

	if (!dev || !ksl_dev_ok(dev, "kslab_device_destroy"))
		return;
	ksl_dma_lock();
	for (pp = &ksl_dma.devices; *pp && *pp != dev; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = dev->next;
	live_del(dev);
	n = release_maps(dev);
	ksl_dma_unlock();
	if (n) {
		ksl_printk(
			"DMA-API: %s: device destroyed with %lu live mapping%s; released",
			dev->name, n, n == 1 ? "" : "s");
		ksl_dev_count(NULL, KSL_STAT(api_errors), n);
	}
	ksl_iommu_free(dev);
	free(dev);
}

/* shutdown: every device goes, quietly */
void ksl_devices_release_all(void)
{
	ksl_dma_lock();
	while (ksl_dma.devices) {
		struct device *dev = ksl_dma.devices;

		ksl_dma.devices = dev->next;
		live_del(dev);
		release_maps(dev);
		ksl_iommu_free(dev);
		free(dev);
	}
	ksl_maps_drain();
	ksl_dma_unlock();
}

const char *dev_name(const struct device *dev)
{
	return dev ? dev->name : "(NULL device)";
}

int dma_set_mask(struct device *dev, uint64_t mask)
{
	if (!ksl_dev_ok(dev, "dma_set_mask"))
		return -EINVAL;
	if (!mask_supported(mask))
		return -EIO;
	dev->dma_mask = mask;
	return 0;
}

int dma_set_coherent_mask(struct device *dev, uint64_t mask)
{
	if (!ksl_dev_ok(dev, "dma_set_coherent_mask"))
		return -EINVAL;
	if (!mask_supported(mask))
		return -EIO;
	dev->coherent_dma_mask = mask;
	return 0;
}

int dma_set_mask_and_coherent(struct device *dev, uint64_t mask)
{
	int ret = dma_set_mask(dev, mask);

	return ret ? ret : dma_set_coherent_mask(dev, mask);
}

uint64_t dma_get_mask(const struct device *dev)
{
	return dev ? dev->dma_mask : DMA_BIT_MASK(32);
}

uint64_t dma_get_coherent_mask(const struct device *dev)
{
	return dev ? dev->coherent_dma_mask : DMA_BIT_MASK(32);
}

int dma_set_min_align_mask(struct device *dev, unsigned int mask)
{
	if (!ksl_dev_ok(dev, "dma_set_min_align_mask"))
		return -EINVAL;
	dev->min_align_mask = mask;
	return 0;
}

int dma_get_cache_alignment(void)
{
	ksl_ensure_booted();
	return (int)ksl_dma.cache_align;
}

bool dev_is_dma_coherent(const struct device *dev)
{
	return !dev || dev->coherent;
}

/* dma_direct_get_required_mask(): all of RAM, as a mask */
uint64_t dma_get_required_mask(struct device *dev)
{
	uint64_t max_dma = ((uint64_t)ksl_mm.max_pfn - 1) << ksl_mm.page_shift;

	if (!ksl_dev_ok(dev, "dma_get_required_mask"))
		return 0;
	if (dev->iommu)
		return DMA_BIT_MASK(32);
	return (1ULL << (ksl_fls64(max_dma) - 1)) * 2 - 1;
}

/* a mask below the required one, or (dma-direct) RAM beyond the mask */
bool dma_addressing_limited(struct device *dev)
{
	if (!ksl_dev_ok(dev, "dma_addressing_limited"))
		return false;
	if (dev->dma_mask < dma_get_required_mask(dev))
		return true;
	if (dev->iommu)
		return false;
	return ksl_mm.phys_end - 1 > dev->dma_mask;
}

size_t dma_max_mapping_size(struct device *dev)
{
	if (!ksl_dev_ok(dev, "dma_max_mapping_size"))
		return SIZE_MAX;
	if (dev->iommu)
		return ksl_iommu_max_mapping_size(dev);
	if (ksl_swiotlb_active() &&
	    (dma_addressing_limited(dev) || ksl_swiotlb_force_bounce()))
		return ksl_swiotlb_max_mapping_size(dev);
	return SIZE_MAX;
}

int kslab_dma_stats(const struct device *dev, struct kslab_dma_stats *out)
{
	const struct ksl_dma_counters *c;

	if (!out)
		return -EINVAL;
	ksl_ensure_booted();
	if (dev && !ksl_dev_ok(dev, "kslab_dma_stats"))
		return -EINVAL;
	c = dev ? &dev->stats : &ksl_dma.stats;
	out->mappings = atomic_load(&c->mappings);
	out->bounces = atomic_load(&c->bounces);
	out->bounced_bytes = atomic_load(&c->bounced_bytes);
	out->lost_bytes = atomic_load(&c->lost_bytes);
	out->shared_line_warnings = atomic_load(&c->shared_line_warnings);
	out->api_errors = atomic_load(&c->api_errors);
	return 0;
}

/* ---- the device's side ---------------------------------------------------- */
static int device_access(struct device *dev, dma_addr_t dma, void *data,
			 size_t len, bool write, const char *fn)
{
	struct ksl_dma_map *m;
	int ret = 0;

	if (!ksl_dev_ok(dev, fn))
		return -EINVAL;
	if (!len || !data)
		return -EINVAL;
	if (!ksl_dma_capable(dev, dma, len)) {
		ksl_printk(
			"%s: %s: DMA address %#llx+%zu beyond the device's mask %#llx",
			fn, dev->name, (unsigned long long)dma, len,
			(unsigned long long)dev->dma_mask);
		return -EIO;
	}
	ksl_dma_lock();
	m = ksl_map_covering(dev, dma, len);
	if (!m) {
		ksl_printk(
			"%s: %s: DMA address %#llx+%zu is not inside a live mapping of the device",
			fn, dev->name, (unsigned long long)dma, len);
		ret = -EFAULT;
	} else if (m->type != KSL_MAP_COHERENT && m->dir != DMA_BIDIRECTIONAL &&
		   m->dir != (write ? DMA_FROM_DEVICE : DMA_TO_DEVICE)) {
		ksl_printk(
			"%s: %s: the mapping at %#llx is %s: the device may not %s it",
			fn, dev->name, (unsigned long long)m->dma,
			ksl_dir_name(m->dir), write ? "write" : "read");
		ret = -EPERM;
	} else if (write) {
		ksl_cache_device_write(m->target + (dma - m->dma), data, len);
	} else {
		memcpy(data, phys_to_virt(m->target + (dma - m->dma)), len);
	}
	ksl_dma_unlock();
	return ret;
}

int kslab_device_dma_write(struct device *dev, dma_addr_t dma, const void *src,
			   size_t len)
{
	return device_access(dev, dma, (void *)src, len, true,
			     "kslab_device_dma_write");
}

int kslab_device_dma_read(struct device *dev, dma_addr_t dma, void *dst,
			  size_t len)
{
	return device_access(dev, dma, dst, len, false,
			     "kslab_device_dma_read");
}
