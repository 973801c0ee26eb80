// SPDX-License-Identifier: MIT
/*
 * A seeded use after free of a slab object, for an ASan build: kslab
 * poisons the freed object, so the read below must be reported (ctest
 * looks for kslab's line naming the cache). With "ok" as argument the
 * same objects are used correctly (a ctor cache, __GFP_ZERO, reuse of a
 * freed object, kfree of a kmalloc object) and nothing may be reported.
 */
#include <stdio.h>
#include <string.h>
#include <kslab/kslab.h>

static void ctor(void *p)
{
	memset(p, 0x5a, 24);
}

int main(int argc, char **argv)
{
	struct kmem_cache *s, *c;
	volatile char *p;
	char *q;

	if (kslab_boot("arch=x86_64 mem=128M nr_cpus=1"))
		return 2;
	s = kmem_cache_create("uaf_cache", 40, 0, SLAB_NO_MERGE, NULL);
	c = kmem_cache_create("uaf_ctor", 24, 0, 0, ctor);
	p = kmem_cache_alloc(s, GFP_KERNEL | __GFP_ZERO);
	p[39] = 1;
	q = kmem_cache_alloc(c, GFP_KERNEL);
	if (q[23] != 0x5a)
		return 3;
	kmem_cache_free(c, q);
	q = kmem_cache_alloc(c, GFP_KERNEL);
	q[0] = 1;
	kmem_cache_free(c, q);
	kmem_cache_free(s, (void *)p);
	if (argc > 1 && !strcmp(argv[1], "ok")) {
		p = kmem_cache_alloc(s, GFP_KERNEL | __GFP_ZERO);
		q = kmalloc(100, GFP_KERNEL);
		q[99] = p[39];
		kfree(q);
		kmem_cache_free(s, (void *)p);
		kmem_cache_destroy(c);
		kmem_cache_destroy(s);
		kslab_shutdown();
		printf("asan_uaf ok\n");
		return 0;
	}
	printf("read after free: %d\n", p[8]); /* reported */
	return 0;
}
