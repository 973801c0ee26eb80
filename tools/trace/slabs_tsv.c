// SPDX-License-Identifier: MIT
/*
 * /sys/kernel/slab snapshots: the TSV reader and writer and the sysfs
 * reader behind `kslab record --slabs` (see slabs_tsv.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trace/slabs_tsv.h"

enum col {
	C_NAME,
	C_LINK,
	C_OBJECT_SIZE,
	C_SLAB_SIZE,
	C_ALIGN,
	C_ORDER,
	C_OBJS_PER_SLAB,
	C_HWCACHE_ALIGN,
	C_CACHE_DMA,
	C_RECLAIM_ACCOUNT,
	C_DESTROY_BY_RCU,
	C_CTOR,
	C_POISON,
	C_RED_ZONE,
	C_STORE_USER,
	C_SANITY_CHECKS,
	C_ALIASES,
	C_USERSIZE,
	C_OBJECTS,
	C_TOTAL_OBJECTS,
	C_SLABS,
	C_NR,
};

/* Column names = sysfs attribute names, in the reference's order */
static const char *const col_names[C_NR] = {
	"name",		  "link",
	"object_size",	  "slab_size",
	"align",	  "order",
	"objs_per_slab",  "hwcache_align",
	"cache_dma",	  "reclaim_account",
	"destroy_by_rcu", "ctor",
	"poison",	  "red_zone",
	"store_user",	  "sanity_checks",
	"aliases",	  "usersize",
	"objects",	  "total_objects",
	"slabs",
};

/* The flag bit of a boolean column, 0 for others */
static uint32_t col_flag(enum col c)
{
	switch (c) {
	case C_HWCACHE_ALIGN:
		return SLABINFO_HWCACHE_ALIGN;
	case C_CACHE_DMA:
		return SLABINFO_CACHE_DMA;
	case C_RECLAIM_ACCOUNT:
		return SLABINFO_RECLAIM_ACCOUNT;
	case C_DESTROY_BY_RCU:
		return SLABINFO_DESTROY_BY_RCU;
	case C_POISON:
		return SLABINFO_POISON;
	case C_RED_ZONE:
		return SLABINFO_RED_ZONE;
	case C_STORE_USER:
		return SLABINFO_STORE_USER;
	case C_SANITY_CHECKS:
		return SLABINFO_SANITY_CHECKS;
	default:
		return 0;
	}
}

static uint32_t *col_num(struct slab_info *si, enum col c)
{
	switch (c) {
	case C_OBJECT_SIZE:
		return &si->object_size;
	case C_SLAB_SIZE:
		return &si->slab_size;
	case C_ALIGN:
		return &si->align;
	case C_ORDER:
		return &si->order;
	case C_OBJS_PER_SLAB:
		return &si->objs_per_slab;
	case C_ALIASES:
		return &si->aliases;
	case C_USERSIZE:
		return &si->usersize;
	case C_OBJECTS:
		return &si->objects;
	case C_TOTAL_OBJECTS:
		return &si->total_objects;
	case C_SLABS:
		return &si->slabs;
	default:
		return NULL;
	}
}

void slabs_free(struct slab_snapshot *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static struct slab_info *slabs_add(struct slab_snapshot *s)
{
	if (s->nr == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct slab_info *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	memset(&s->v[s->nr], 0, sizeof(s->v[0]));
	return &s->v[s->nr++];
}

static int copy_text(char *dst, size_t size, const char *v)
{
	if (strlen(v) >= size)
		return -1;
	strcpy(dst, v);
	return 0;
}

/* Set one column from its text; -1 when the value is not valid. */
static int set_col(struct slab_info *si, enum col c, const char *v)
{
	uint32_t *num = col_num(si, c);
	char *end;

	if (c == C_NAME)
		return *v ? copy_text(si->name, sizeof(si->name), v) : -1;
	if (c == C_LINK) /* older snapshots write "-" for none */
		return copy_text(si->link, sizeof(si->link),
				 strcmp(v, "-") ? v : "");
	if (c == C_CTOR) {
		si->known |= SLABINFO_KNOWN_CTOR;
		return copy_text(si->ctor, sizeof(si->ctor), v);
	}
	if (c == C_USERSIZE)
		si->known |= SLABINFO_KNOWN_USERSIZE;
	errno = 0;
	unsigned long x = strtoul(v, &end, 10);
	/* counters read off sysfs keep their per-node part: "170 N0=170" */
	if (num && *end == ' ' &&
	    (c == C_OBJECTS || c == C_TOTAL_OBJECTS || c == C_SLABS))
		*end = '\0';
	if (!*v || *end || errno || x > UINT32_MAX)
		return -1;
	si->known |= col_flag(c);
	if (num)
		*num = (uint32_t)x;
	else if (x > 1)
		return -1;
	else if (x)
		si->flags |= col_flag(c);
	return 0;
}

static void chomp(char *line)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
}

static int read_header(char *line, int *map, int *ncols)
{
	char *save = NULL, *tok;
	int n = 0, have_name = 0;

	for (tok = line; tok; tok = save) {
		save = strchr(tok, '\t');
		if (save)
			*save++ = '\0';
		if (n >= 64)
			return -1;
		map[n] = -1;
		for (int c = 0; c < C_NR; c++)
			if (!strcmp(tok, col_names[c]))
				map[n] = c;
		if (!strcmp(tok, "link_target")) /* the arm64 recipe's name */
			map[n] = C_LINK;
		have_name |= map[n] == C_NAME;
		n++;
	}
	*ncols = n;
	return have_name ? 0 : -1;
}

int slabs_tsv_read_stream(FILE *f, const char *name, struct slab_snapshot *s,
			  char *err, size_t errlen)
{
	int map[64], ncols = 0;
	unsigned long lineno = 0;
	char *line = NULL;
	size_t cap = 0;

	memset(s, 0, sizeof(*s));
	while (getline(&line, &cap, f) >= 0) {
		char *tok, *next;
		struct slab_info *si;
		int n = 0;

		lineno++;
		chomp(line);
		if (lineno == 1) {
			if (read_header(line, map, &ncols))
				goto bad;
			continue;
		}
		if (!*line || *line == '#')
			continue;
		if (!(si = slabs_add(s)))
			goto bad;
		for (tok = line; tok; tok = next, n++) {
			next = strchr(tok, '\t');
			if (next)
				*next++ = '\0';
			if (n >= ncols ||
			    (map[n] >= 0 && set_col(si, (enum col)map[n], tok)))
				goto bad;
		}
		if (n != ncols || !si->name[0])
			goto bad;
	}
	free(line);
	if (!lineno) {
		snprintf(err, errlen, "%s: empty file", name);
		slabs_free(s);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s:%lu: %s", name, lineno,
		 lineno == 1 ?
			 "not a slab snapshot header (needs a name column)" :
			 "malformed row");
	free(line);
	slabs_free(s);
	return -1;
}

int slabs_tsv_read(const char *path, struct slab_snapshot *s, char *err,
		   size_t errlen)
{
	FILE *f = fopen(path, "r");
	int ret;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	ret = slabs_tsv_read_stream(f, path, s, err, errlen);
	fclose(f);
	return ret;
}

/* The counters are written only when some row has them. */
static int nr_write_cols(const struct slab_snapshot *s)
{
	for (size_t i = 0; i < s->nr; i++)
		if (s->v[i].objects || s->v[i].total_objects || s->v[i].slabs)
			return C_NR;
	return C_OBJECTS;
}

int slabs_tsv_write(FILE *f, const struct slab_snapshot *s)
{
	int nc = nr_write_cols(s);

	for (int c = 0; c < nc; c++)
		fprintf(f, "%s%c", col_names[c], c == nc - 1 ? '\n' : '\t');
	for (size_t i = 0; i < s->nr; i++) {
		struct slab_info *si = &s->v[i];

		for (int c = 0; c < nc; c++) {
			uint32_t *num = col_num(si, (enum col)c);

			if (c == C_NAME)
				fputs(si->name, f);
			else if (c == C_LINK)
				fputs(si->link, f);
			else if (c == C_CTOR)
				fputs(si->ctor, f);
			else if (num)
				fprintf(f, "%u", *num);
			else
				fputc(si->flags & col_flag((enum col)c) ? '1' :
									  '0',
				      f);
			fputc(c == nc - 1 ? '\n' : '\t', f);
		}
	}
	return ferror(f) ? -1 : 0;
}

/* ---- sysfs ---------------------------------------------------------- */

static int read_attr(const char *dir, const char *cache, const char *attr,
		     char *buf, size_t len)
{
	char path[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, cache, attr);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "1 N0=1" style values: keep the first word */
	buf[strcspn(buf, " \n")] = '\0';
	return 0;
}

static int cmp_info(const void *a, const void *b)
{
	return strcmp(((const struct slab_info *)a)->name,
		      ((const struct slab_info *)b)->name);
}

static int sysfs_entry(const char *dir, const char *name, struct slab_info *si)
{
	char path[4096], buf[256];
	ssize_t n;

	if (copy_text(si->name, sizeof(si->name), name))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		char *base = strrchr(buf, '/');
		if (copy_text(si->link, sizeof(si->link),
			      base ? base + 1 : buf))
			return -1;
	}
	for (int c = C_OBJECT_SIZE; c < C_NR; c++) {
		if (read_attr(dir, name, col_names[c], buf, sizeof(buf)))
			continue; /* not every kernel has every file */
		if (set_col(si, (enum col)c, buf) && c != C_CTOR)
			return -1;
	}
	return 0;
}

int slabs_sysfs_read(const char *dir, struct slab_snapshot *s, char *err,
		     size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	memset(s, 0, sizeof(*s));
	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		struct slab_info *si;

		if (de->d_name[0] == '.')
			continue;
		if (!(si = slabs_add(s)) || sysfs_entry(dir, de->d_name, si)) {
			snprintf(err, errlen, "%s/%s: cannot read", dir,
				 de->d_name);
			closedir(d);
			slabs_free(s);
			return -1;
		}
	}
	closedir(d);
	if (!s->nr) {
		snprintf(err, errlen, "%s: no slab caches", dir);
		return -1;
	}
	qsort(s->v, s->nr, sizeof(s->v[0]), cmp_info);
	return 0;
}

const struct slab_info *slabs_find(const struct slab_snapshot *s,
				   const char *name)
{
	for (size_t i = 0; i < s->nr; i++)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}

const struct slab_info *slabs_resolve(const struct slab_snapshot *s,
				      const struct slab_info *si)
{
	const struct slab_info *t;

	if (!si || !si->link[0])
		return si;
	t = slabs_find(s, si->link);
	return t ? t : si;
}
