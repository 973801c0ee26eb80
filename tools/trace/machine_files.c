// SPDX-License-Identifier: MIT
/*
 * Reading a traced machine's /proc files (machine_files.h). Every number
 * is checked and bounded: a file that is not what its name says gives a
 * message, never a crash or a layout out of range.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "trace/machine_files.h"

/* pfns past 2^52 are no RAM any kslab profile maps */
#define MAX_PFN (1ull << 52)

char *machine_file_beside(const char *trace, const char *name)
{
	const char *slash = strrchr(trace, '/');
	struct stat st;
	char *p;

	if (!strcmp(trace, "-"))
		return NULL;
	if (asprintf(&p, "%.*s%s", slash ? (int)(slash + 1 - trace) : 0, trace,
		     name) < 0)
		return NULL;
	if (stat(p, &st) || !S_ISREG(st.st_mode)) {
		free(p);
		return NULL;
	}
	return p;
}

/* "  spanned  524288" -> 524288 when the line is "KEY NUMBER" */
static int key_number(const char *line, const char *key, uint64_t *v)
{
	size_t n = strlen(key);
	char *end;

	line += strspn(line, " \t");
	if (strncmp(line, key, n) || (line[n] != ' ' && line[n] != '\t'))
		return 0;
	errno = 0;
	*v = strtoull(line + n, &end, 10);
	return !errno && end != line + n;
}

struct zone_read {
	uint64_t start, spanned, managed;
	int have_start, have_spanned;
};

static void add_range(struct machine_layout *ml, const struct zone_read *z)
{
	unsigned int i;

	if (!z->have_spanned || !z->have_start || !z->spanned ||
	    z->start >= MAX_PFN || z->spanned > MAX_PFN - z->start)
		return;
	for (i = 0; i < ml->nr_ranges; i++)
		if (ml->start_pfn[i] + ml->nr_pfns[i] == z->start) {
			ml->nr_pfns[i] += z->spanned;
			return;
		}
	if (ml->nr_ranges == MACHINE_MAX_RANGES)
		return;
	ml->start_pfn[ml->nr_ranges] = z->start;
	ml->nr_pfns[ml->nr_ranges++] = z->spanned;
}

static uint64_t meminfo_total_kb(const char *meminfo)
{
	FILE *f = meminfo ? fopen(meminfo, "r") : NULL;
	char line[256];
	uint64_t kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "MemTotal:", 9) &&
		    sscanf(line + 9, "%" SCNu64, &kb) != 1)
			kb = 0;
	fclose(f);
	return kb;
}

/* the page size that makes managed pages add up to MemTotal */
static unsigned long page_size_of(uint64_t total_kb, uint64_t managed)
{
	static const unsigned long sizes[] = { 4096, 16384, 65536 };

	if (!total_kb || !managed)
		return 4096;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (managed * (sizes[i] / 1024) == total_kb)
			return sizes[i];
	return 4096;
}

static void size_text(char *buf, size_t len, uint64_t bytes)
{
	if (!bytes)
		snprintf(buf, len, "0");
	else if (!(bytes & ((1ull << 30) - 1)))
		snprintf(buf, len, "%lluG", (unsigned long long)(bytes >> 30));
	else if (!(bytes & ((1ull << 20) - 1)))
		snprintf(buf, len, "%lluM", (unsigned long long)(bytes >> 20));
	else
		snprintf(buf, len, "%lluK", (unsigned long long)(bytes >> 10));
}

static void layout_boot(struct machine_layout *ml)
{
	size_t n = 0;

	ml->boot[0] = '\0';
	for (unsigned int i = 0; i < ml->nr_ranges; i++) {
		char size[32], start[32];

		size_text(size, sizeof(size), ml->nr_pfns[i] * ml->page_size);
		size_text(start, sizeof(start),
			  ml->start_pfn[i] * ml->page_size);
		n += (size_t)snprintf(ml->boot + n, sizeof(ml->boot) - n,
				      "%smemmap=%s@%s", n ? " " : "", size,
				      start);
		if (n >= sizeof(ml->boot))
			return;
	}
	if (ml->page_size != 4096)
		snprintf(ml->boot + n, sizeof(ml->boot) - n, " page_size=%luK",
			 ml->page_size >> 10);
}

int machine_layout_read(const char *zoneinfo, const char *meminfo,
			struct machine_layout *ml, char *err, size_t errlen)
{
	FILE *f = fopen(zoneinfo, "r");
	struct zone_read z = { 0 };
	uint64_t managed = 0, v;
	char line[512];
	int in_zone = 0;

	memset(ml, 0, sizeof(*ml));
	if (!f) {
		snprintf(err, errlen, "%s: %s", zoneinfo, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Node ", 5) && strstr(line, ", zone ")) {
			if (in_zone)
				add_range(ml, &z);
			memset(&z, 0, sizeof(z));
			in_zone = 1;
		} else if (in_zone && key_number(line, "spanned", &v)) {
			z.spanned = v;
			z.have_spanned = 1;
		} else if (in_zone && key_number(line, "managed", &v)) {
			if (v < MAX_PFN)
				managed += v;
		} else if (in_zone && key_number(line, "start_pfn:", &v)) {
			z.start = v;
			z.have_start = 1;
		}
	}
	if (in_zone)
		add_range(ml, &z);
	fclose(f);
	if (!ml->nr_ranges) {
		snprintf(err, errlen, "%s: no zone with pages spanned",
			 zoneinfo);
		return -1;
	}
	ml->page_size = page_size_of(meminfo_total_kb(meminfo), managed);
	layout_boot(ml);
	return 0;
}

/* "Node 0, zone      DMA      1      2 ..." into its zone and counts */
static int buddy_line(const char *line, char *zone, size_t zlen,
		      uint64_t *counts, int max)
{
	const char *p;
	int node, n = 0, used;
	char name[32];

	if (sscanf(line, "Node %d, zone %31s%n", &node, name, &used) != 2 ||
	    node < 0)
		return -1;
	for (p = line + used;;) {
		unsigned long long c;
		int k;

		p += strspn(p, " \t");
		if (!*p || *p == '\n')
			break;
		if (sscanf(p, "%llu%n", &c, &k) != 1 || n >= 64)
			return -1;
		if (n < max)
			counts[n] = c;
		n++;
		p += k;
	}
	if (zone)
		snprintf(zone, zlen, "%s", name);
	return n;
}

int buddyinfo_read(const char *path, char *text, size_t len, char *err,
		   size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t n = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		size_t l = strlen(line);

		if (buddy_line(line, NULL, 0, NULL, 0) < 1) {
			snprintf(err, errlen,
				 "%s: not a /proc/buddyinfo line: %.60s", path,
				 line);
			fclose(f);
			return -1;
		}
		if (n + l >= len)
			break;
		memcpy(text + n, line, l + 1);
		n += l;
	}
	fclose(f);
	if (!n) {
		snprintf(err, errlen, "%s: empty", path);
		return -1;
	}
	return 0;
}

/* The i-th line of text into line (NUL-terminated); -1 past the end */
static int nth_line(const char *text, unsigned int i, char *line, size_t len)
{
	const char *p = text;

	for (; i && p; i--) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	if (!p || !*p)
		return -1;
	snprintf(line, len, "%.*s", (int)strcspn(p, "\n"), p);
	return 0;
}

int buddyinfo_zone(const char *text, const char *zone, uint64_t *counts,
		   int max)
{
	char line[1024], name[32];

	for (unsigned int i = 0; !nth_line(text, i, line, sizeof(line)); i++)
		if (buddy_line(line, name, sizeof(name), NULL, 0) > 0 &&
		    !strcmp(name, zone))
			return buddy_line(line, NULL, 0, counts, max);
	return -1;
}

int buddyinfo_zone_name(const char *text, unsigned int i, char *name,
			size_t len)
{
	char line[1024];

	if (nth_line(text, i, line, sizeof(line)) ||
	    buddy_line(line, name, len, NULL, 0) < 0)
		return -1;
	return 0;
}
