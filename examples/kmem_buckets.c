// SPDX-License-Identifier: MIT
/*
 * What CONFIG_SLAB_BUCKETS (Linux 6.11) changes for a heap spray: user
 * space fills memory with memdup_user() copies of the size of a kernel
 * object it wants to land next to (here a 64-byte one, kmalloc'ed).
 * Under Linux 6.1 the copies come from the same kmalloc-64 slabs as the
 * victim; under 6.12 from memdup_user-64, which never holds a kmalloc
 * object. For each kernel: the cache of the copies, and how many of the
 * victims share a slab page with one of them.
 *
 *   example_kmem_buckets [SPRAY [VICTIMS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <kslab/kslab.h>

#define OBJ 64

/* a page's worth of objects shares a slab: compare page frames */
static unsigned long frame(const void *p)
{
	return (unsigned long)p / 4096;
}

static int run(const char *kernel, unsigned int spray, unsigned int victims)
{
	char boot[128], payload[OBJ] = "user-controlled bytes";
	void **s = calloc(spray, sizeof(*s)), **v = calloc(victims, sizeof(*v));
	unsigned int shared = 0;

	snprintf(boot, sizeof(boot),
		 "arch=x86_64 mem=256M nr_cpus=1 kslab.kernel=%s", kernel);
	if (!s || !v || kslab_boot(boot))
		return 1;
	for (unsigned int i = 0; i < spray + victims; i++) {
		/* interleaved, as a spray racing the victims' allocation */
		if (i % 2 && i / 2 < victims)
			v[i / 2] = kmalloc(OBJ, GFP_KERNEL);
		else if (i / 2 < spray)
			s[i / 2] = memdup_user(payload, sizeof(payload));
	}
	for (unsigned int i = 0; i < victims; i++)
		for (unsigned int j = 0; j < spray; j++)
			if (v[i] && s[j] && !IS_ERR(s[j]) &&
			    frame(v[i]) == frame(s[j])) {
				shared++;
				break;
			}
	printf("Linux %-5s copies from %-16s victims sharing a slab page with a copy: %u of %u\n",
	       kernel,
	       kslab_find_buckets("memdup_user") ? "memdup_user-64," :
						   "kmalloc-64,",
	       shared, victims);
	for (unsigned int i = 0; i < spray; i++)
		if (!IS_ERR(s[i]))
			kfree(s[i]);
	for (unsigned int i = 0; i < victims; i++)
		kfree(v[i]);
	kslab_shutdown();
	free(s);
	free(v);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int spray = argc > 1 ? (unsigned int)atoi(argv[1]) : 256;
	unsigned int victims = argc > 2 ? (unsigned int)atoi(argv[2]) : 64;

	if (!spray || !victims) {
		fprintf(stderr, "usage: %s [SPRAY [VICTIMS]] (both > 0)\n",
			argv[0]);
		return 2;
	}
	return run("6.1", spray, victims) || run("6.12", spray, victims);
}
