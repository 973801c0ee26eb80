// SPDX-License-Identifier: MIT
/*
 * A program with the kernel's names already (kernel_tools_like.h, as the
 * radix-tree suite has them) that defines kmalloc, kfree, __kmalloc and
 * the kmem_cache_* calls itself, and uses kslab through the kslab_ names
 * (KSLAB_PREFIXED_ONLY). It must build (no clash of the two header sets)
 * and kslab's calls must never reach the program's definitions (the
 * shared library binds its calls to its own functions). Exit 0 on
 * success; otherwise the name of the hijacked call.
 */
#include <stdio.h>
#include <stdlib.h>
#include "kernel_tools_like.h"
#define KSLAB_PREFIXED_ONLY
#include <kslab/kslab.h>

static void hijacked(const char *fn)
{
	fprintf(stderr, "FAIL: kslab called the program's %s()\n", fn);
	exit(1);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	hijacked("kmalloc");
	return NULL;
}

void kfree(void *p)
{
	hijacked("kfree");
}

void *__kmalloc(size_t size, gfp_t gfp)
{
	hijacked("__kmalloc");
	return NULL;
}

void *kmem_cache_alloc_lru(struct kmem_cache *cachep, struct list_lru *lru,
			   int flags)
{
	hijacked("kmem_cache_alloc_lru");
	return NULL;
}

void *kmem_cache_alloc(struct kmem_cache *cachep, int flags)
{
	hijacked("kmem_cache_alloc");
	return NULL;
}

void kmem_cache_free(struct kmem_cache *cachep, void *objp)
{
	hijacked("kmem_cache_free");
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned int flags,
				     void (*ctor)(void *))
{
	hijacked("kmem_cache_create");
	return NULL;
}

unsigned int kmem_cache_size(struct kmem_cache *cachep)
{
	hijacked("kmem_cache_size");
	return 0;
}

void kmem_cache_free_bulk(struct kmem_cache *cachep, size_t size, void **list)
{
	hijacked("kmem_cache_free_bulk");
}

int kmem_cache_alloc_bulk(struct kmem_cache *cachep, gfp_t gfp, size_t size,
			  void **list)
{
	hijacked("kmem_cache_alloc_bulk");
	return 0;
}

int main(void)
{
	struct kmem_cache *s;
	struct kslab_cache_usage u;
	void *p, *b[4];

	if (kslab_boot("arch=x86_64 mem=128M nr_cpus=1"))
		return 2;
	s = kslab_kmem_cache_create("names", 100, 0, KSLAB_SLAB_PANIC, NULL);
	if (!s || kslab_kmem_cache_size(s) != 100)
		return 3;
	p = kslab_kmem_cache_alloc_lru(s, NULL, GFP_KERNEL);
	if (kslab_kmem_cache_alloc_bulk(s, GFP_KERNEL, 4, b) != 4)
		return 4;
	kslab_kmem_cache_free_bulk(s, 4, b);
	kslab_kmem_cache_free(s, p);
	if (kslab_cache_usage(s, &u) || u.in_use)
		return 5;
	p = kslab_kmalloc(5000, GFP_KERNEL | __GFP_ZERO);
	p = kslab_krealloc(p, 20000, GFP_KERNEL);
	kslab_kfree(p);
	kslab_kmem_cache_destroy(s);
	kslab_shutdown();
	printf("kernel_names: ok\n");
	return 0;
}
