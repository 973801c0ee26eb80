// SPDX-License-Identifier: MIT
/*
 * What the slab layer shows: kslab_cache_info(), kslab_for_each_cache()
 * (the caches in /proc/slabinfo order), /proc/slabinfo 2.1
 * (mm/slab_common.c cache_show: SLUB counts an object as active unless
 * it is free on a node partial slab) and the sysfs attributes of
 * /sys/kernel/slab/<cache>/ (mm/slub.c slab_attrs), one cache a block.
 */
#include <errno.h>
#include <string.h>
#include "slab/sheaf.h"

static enum zone_type cache_zone(const struct kmem_cache *s)
{
	if (s->flags & SLAB_CACHE_DMA)
		return ZONE_DMA;
	if (s->flags & SLAB_CACHE_DMA32)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

int kslab_cache_info(const struct kmem_cache *s, struct kslab_cache_info *out)
{
	unsigned long nr_free;

	if (!s || !out)
		return -EINVAL;
	if (ksl_cache_dead(s)) {
		ksl_dead_cache(s, "kslab_cache_info", _RET_IP_);
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->name = s->name;
	memcpy(out->unique_id, s->unique_id, sizeof(out->unique_id));
	out->object_size = s->object_size;
	out->size = s->size;
	out->align = s->align;
	out->order = s->order;
	out->objs_per_slab = s->objects;
	out->flags = s->flags;
	out->aliases = s->refcount > 1 ? (unsigned int)s->refcount - 1 : 0;
	out->num_slabs = (unsigned long)atomic_load(&s->node.nr_slabs);
	out->active_slabs = out->num_slabs;
	out->num_objs = (unsigned long)atomic_load(&s->node.total_objects);
	nr_free = ksl_node_free_objects(s);
	out->active_objs = out->num_objs > nr_free ? out->num_objs - nr_free :
						     0;
	out->zone = cache_zone(s);
	out->inuse = s->inuse;
	out->offset = s->offset;
	out->useroffset = s->useroffset;
	out->usersize = s->usersize;
	out->min_partial = s->min_partial;
	out->cpu_partial = s->cpu_partial;
	out->cpu_partial_slabs = s->cpu_partial_slabs;
	out->mergeable = !ksl_slab_unmergeable(s);
	out->has_ctor = s->ctor != NULL;
	out->sheaf_capacity = s->sheaf_capacity;
	out->sheaf_objects = ksl_sheaves_objects(
		(struct kmem_cache *)s, &out->barn_full, &out->barn_empty);
	return 0;
}

int kslab_for_each_cache(int (*fn)(struct kmem_cache *s, void *arg), void *arg)
{
	int ret = 0;

	if (!fn)
		return -EINVAL;
	if (!ksl_mm.booted)
		return 0;
	pthread_mutex_lock(&ksl_slab_mutex);
	for (struct kmem_cache *s = ksl_slab_caches; s && !ret;
	     s = s->list_next)
		ret = fn(s, arg);
	pthread_mutex_unlock(&ksl_slab_mutex);
	return ret;
}

void ksl_show_slabinfo(FILE *out)
{
	fprintf(out, "slabinfo - version: 2.1\n");
	fprintf(out,
		"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	pthread_mutex_lock(&ksl_slab_mutex);
	for (struct kmem_cache *s = ksl_slab_caches; s; s = s->list_next) {
		struct kslab_cache_info i;

		kslab_cache_info(s, &i);
		fprintf(out,
			"%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu\n",
			i.name, i.active_objs, i.num_objs, i.size,
			i.objs_per_slab, 1 << i.order, 0u, 0u, 0u,
			i.active_slabs, i.num_slabs, 0UL);
	}
	pthread_mutex_unlock(&ksl_slab_mutex);
}

static void show_one(FILE *out, const struct kmem_cache *s)
{
	struct kslab_cache_info i;
	bool merge = !ksl_slab_unmergeable(s);

	kslab_cache_info(s, &i);
	fprintf(out, "%s%s%s\n", i.name, merge ? " -> " : "",
		merge ? i.unique_id : "");
	fprintf(out, "  object_size     %u\n", i.object_size);
	fprintf(out, "  slab_size       %u\n", i.size);
	fprintf(out, "  align           %u\n", i.align);
	fprintf(out, "  order           %u\n", i.order);
	fprintf(out, "  objs_per_slab   %u\n", i.objs_per_slab);
	fprintf(out, "  objects         %lu\n", i.active_objs);
	fprintf(out, "  total_objects   %lu\n", i.num_objs);
	fprintf(out, "  slabs           %lu\n", i.num_slabs);
	fprintf(out, "  aliases         %u\n", i.aliases);
	fprintf(out, "  cache_dma       %d\n", !!(s->flags & SLAB_CACHE_DMA));
	fprintf(out, "  cache_dma32     %d\n", !!(s->flags & SLAB_CACHE_DMA32));
	fprintf(out, "  hwcache_align   %d\n",
		!!(s->flags & SLAB_HWCACHE_ALIGN));
	fprintf(out, "  reclaim_account %d\n",
		!!(s->flags & SLAB_RECLAIM_ACCOUNT));
	fprintf(out, "  destroy_by_rcu  %d\n",
		!!(s->flags & SLAB_TYPESAFE_BY_RCU));
	fprintf(out, "  ctor            %s\n", s->ctor ? "yes" : "");
	fprintf(out, "  poison          %d\n", !!(s->flags & SLAB_POISON));
	fprintf(out, "  red_zone        %d\n", !!(s->flags & SLAB_RED_ZONE));
	fprintf(out, "  store_user      %d\n", !!(s->flags & SLAB_STORE_USER));
	fprintf(out, "  sanity_checks   %d\n",
		!!(s->flags & SLAB_CONSISTENCY_CHECKS));
	fprintf(out, "  failslab        %d\n",
		!!(__atomic_load_n(&s->flags, __ATOMIC_RELAXED) &
		   SLAB_FAILSLAB));
	fprintf(out, "  min_partial     %u\n", i.min_partial);
	fprintf(out, "  cpu_partial     %u\n", i.cpu_partial);
	fprintf(out, "  sheaf_capacity  %u\n", i.sheaf_capacity);
	fprintf(out, "  usersize        %u\n", i.usersize);
	fprintf(out, "  unique_id       %s\n", i.unique_id);
}

void ksl_show_slabs(FILE *out)
{
	pthread_mutex_lock(&ksl_slab_mutex);
	for (struct kmem_cache *s = ksl_slab_caches; s; s = s->list_next) {
		show_one(out, s);
		fputc('\n', out);
	}
	pthread_mutex_unlock(&ksl_slab_mutex);
}
