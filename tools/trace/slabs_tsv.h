/* SPDX-License-Identifier: MIT */
/*
 * Snapshots of /sys/kernel/slab as tab-separated text (the layout of
 * shared/reference/real-kernel/sys-kernel-slab.tsv): a header line naming
 * the columns, then one row per cache. Reading goes by the header's
 * column names (any order, unknown columns ignored; `link_target` is
 * read as `link`, "-" as no link, and counters such as "170 N0=170" by
 * their first word, as the arm64 boots' snapshots have them); writing
 * uses the reference's column order, then objects, total_objects and
 * slabs. A boolean column a snapshot lacks leaves its bit out of
 * `known`. `kslab record --slabs` writes them from a
 * live (or fake, --sysfs DIR) sysfs tree.
 */
#ifndef KSLAB_TOOL_SLABS_TSV_H
#define KSLAB_TOOL_SLABS_TSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Boolean sysfs attributes, as flag bits */
#define SLABINFO_HWCACHE_ALIGN (1u << 0)
#define SLABINFO_CACHE_DMA (1u << 1)
#define SLABINFO_RECLAIM_ACCOUNT (1u << 2)
#define SLABINFO_DESTROY_BY_RCU (1u << 3)
#define SLABINFO_POISON (1u << 4)
#define SLABINFO_RED_ZONE (1u << 5)
#define SLABINFO_STORE_USER (1u << 6)
#define SLABINFO_SANITY_CHECKS (1u << 7)
/* in `known` only: the snapshot had the ctor / usersize column */
#define SLABINFO_KNOWN_CTOR (1u << 8)
#define SLABINFO_KNOWN_USERSIZE (1u << 9)

struct slab_info {
	char name[64];
	char link[64]; /* alias target (":A-0001280"), "" if none */
	char ctor[96]; /* "anon_vma_ctor+0x0/0x50", "" if none */
	uint32_t object_size, slab_size, align, order, objs_per_slab;
	uint32_t aliases, usersize;
	uint32_t objects, total_objects, slabs; /* in use, 0 if not given */
	uint32_t flags;				/* SLABINFO_* */
	uint32_t known; /* SLABINFO_* bits whose column the snapshot had */
};

struct slab_snapshot {
	struct slab_info *v;
	size_t nr, cap;
};

void slabs_free(struct slab_snapshot *s);
/* Returns 0, or -1 with a message ("FILE:LINE: ...") in err. */
int slabs_tsv_read(const char *path, struct slab_snapshot *s, char *err,
		   size_t errlen);
int slabs_tsv_read_stream(FILE *f, const char *name, struct slab_snapshot *s,
			  char *err, size_t errlen);
int slabs_tsv_write(FILE *f, const struct slab_snapshot *s);
/* Read a sysfs slab directory (/sys/kernel/slab), sorted by name. */
int slabs_sysfs_read(const char *dir, struct slab_snapshot *s, char *err,
		     size_t errlen);
const struct slab_info *slabs_find(const struct slab_snapshot *s,
				   const char *name);
/* An alias's cache: the entry named by its link, else itself. */
const struct slab_info *slabs_resolve(const struct slab_snapshot *s,
				      const struct slab_info *si);

#endif
