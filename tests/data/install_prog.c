/* A user's program, built against the installed kslab by install_check.sh. */
#include <stdio.h>
#include <kslab/kslab.h>

int main(void)
{
	struct kmem_cache *pt;
	void *small, *table;

	if (kslab_boot("arch=x86_64 mem=256M memmap=1G@4G nr_cpus=2"))
		return 1;
	small = kmalloc(24, GFP_KERNEL);
	pt = kmem_cache_create("pgtable_l2", 1024, 1024, SLAB_CACHE_DMA32,
			       NULL);
	table = kmem_cache_zalloc(pt, GFP_KERNEL);
	printf("kmalloc(24) = %zu bytes, l2 table %s\n", ksize(small),
	       virt_to_phys(table) < (1ULL << 32) ? "below 4 GiB" :
						    "ABOVE 4 GiB");
	kfree(small);
	kmem_cache_free(pt, table);
	kmem_cache_destroy(pt);
	kslab_shutdown();
	return 0;
}
