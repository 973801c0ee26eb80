// SPDX-License-Identifier: MIT
/*
 * The slab layer's calls that are not the allocation paths: bulk
 * allocation and free (a loop over the fast paths), and the lookups the
 * layers above use (virt_to_cache, __ksize, which object an address falls
 * in). All O(1) through the struct page but ksl_slab_object_of(), which
 * walks the slab's free list to tell a live object from a free one.
 */
#include "slab/failslab.h"

int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t flags, size_t size,
			  void **p)
{
	unsigned long caller = _RET_IP_;
	size_t i;

	if (!s || !p || !size)
		return 0;
	/* failslab's attributes: once for the call (slab_pre_alloc_hook) */
	if (unlikely(__atomic_load_n(&ksl_failslab_armed, __ATOMIC_RELAXED)) &&
	    !ksl_failslab_quiet && ksl_failslab_attr(s, flags))
		return 0;
	ksl_failslab_quiet++;
	for (i = 0; i < size; i++) {
		p[i] = ksl_cache_alloc_caller(s, flags, caller);
		if (!p[i])
			break;
	}
	ksl_failslab_quiet--;
	if (i == size)
		return (int)size;
	while (i--) /* all or nothing */
		ksl_cache_free_caller(s, p[i], caller);
	return 0;
}

void kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p)
{
	unsigned long caller = _RET_IP_;

	if (!p)
		return;
	for (size_t i = 0; i < size; i++)
		ksl_cache_free_caller(s, p[i], caller);
}

/* ---- lookups for the layers above ---------------------------------------- */

struct kmem_cache *ksl_virt_to_cache(const void *obj)
{
	struct slab *slab = ksl_virt_to_slab(obj);

	return slab ? slab->slab_cache : NULL;
}

size_t ksl_slab_ksize(const void *obj)
{
	struct kmem_cache *s = ksl_virt_to_cache(obj);

	return s ? s->object_size : 0;
}

bool ksl_slab_object_of(const void *addr, struct kmem_cache **sp,
			void **obj_start)
{
	struct slab *slab = ksl_virt_to_slab(addr);
	struct kmem_cache *s;
	unsigned long off, idx;
	char *base, *obj;
	bool live = true;

	if (!slab || !(s = slab->slab_cache))
		return false;
	base = (char *)ksl_slab_address(slab);
	off = (unsigned long)((const char *)addr - base);
	idx = off / s->size;
	if (idx >= slab->objects)
		return false;
	obj = base + idx * s->size + s->red_left_pad;
	if (sp)
		*sp = s;
	if (obj_start)
		*obj_start = obj;
	ksl_spin_lock(&s->node.list_lock);
	for (void *p = idx_to_obj(s, slab, FS_HEAD(fs_load(slab))); p;
	     p = get_fp(s, p))
		if (p == obj) {
			live = false;
			break;
		}
	ksl_spin_unlock(&s->node.list_lock);
	return live;
}
