// SPDX-License-Identifier: MIT
/*
 * The helpers built on kmalloc(): string and memory duplication, and
 * kvmalloc(). kslab has no vmalloc area, so kvmalloc() serves every
 * request from kmalloc (large ones from compound pages) and fails when
 * no block of the needed order is free; kvfree() frees either kind.
 */
#include <string.h>
#include "kmalloc/kmalloc_internal.h"

void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = __kmalloc(len, gfp);

	if (p && !ZERO_OR_NULL_PTR(p))
		memcpy(p, src, len);
	return p;
}

char *kstrdup(const char *s, gfp_t gfp)
{
	return s ? kmemdup(s, strlen(s) + 1, gfp) : NULL;
}

char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	size_t len;
	char *p;

	if (!s)
		return NULL;
	len = strnlen(s, max);
	p = __kmalloc(len + 1, gfp);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

void *kvmalloc(size_t size, gfp_t flags)
{
	return __kmalloc(size, flags);
}

void *kvzalloc(size_t size, gfp_t flags)
{
	return __kmalloc(size, flags | __GFP_ZERO);
}

void kvfree(const void *p)
{
	kfree(p);
}
