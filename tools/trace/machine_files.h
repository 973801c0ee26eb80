/* SPDX-License-Identifier: MIT */
/*
 * The /proc files read off a traced machine (kept beside its trace:
 * zoneinfo, meminfo, buddyinfo), for kslab replay --pages: the machine's
 * memory layout as boot parameters, and its buddyinfo to compare with.
 *
 * Layout from zoneinfo: every zone with pages spanned gives the range
 * [start_pfn, start_pfn + spanned); touching ranges merge, each range
 * becomes memmap=SIZE@START. The page size is MemTotal (meminfo, kB)
 * over the zones' managed pages when meminfo is there, else 4 KiB.
 * Holes inside a zone's span (present < spanned) cannot be placed from
 * zoneinfo and are left as RAM.
 */
#ifndef KSLAB_TOOL_MACHINE_FILES_H
#define KSLAB_TOOL_MACHINE_FILES_H

#include <stddef.h>
#include <stdint.h>

#define MACHINE_MAX_RANGES 8

struct machine_layout {
	unsigned long page_size; /* bytes */
	uint64_t start_pfn[MACHINE_MAX_RANGES], nr_pfns[MACHINE_MAX_RANGES];
	unsigned int nr_ranges;
	char boot[256]; /* "memmap=2G@1G" (+ " page_size=16K") */
};

/* path/NAME beside the trace at path, when it exists; malloc'd or NULL. */
char *machine_file_beside(const char *trace, const char *name);

/*
 * The layout of the machine whose zoneinfo (and meminfo, may be NULL)
 * these are. 0, or -1 with err set (unreadable, no zone spans pages).
 */
int machine_layout_read(const char *zoneinfo, const char *meminfo,
			struct machine_layout *ml, char *err, size_t errlen);

/*
 * A /proc/buddyinfo file as text (at most len - 1 bytes, lines that are
 * not "Node N, zone NAME counts..." refused). 0, or -1 with err set.
 */
int buddyinfo_read(const char *path, char *text, size_t len, char *err,
		   size_t errlen);

/*
 * One zone's line of a buddyinfo text: the free blocks per order into
 * counts (up to max), their number returned; -1 when the zone is not in
 * the text.
 */
int buddyinfo_zone(const char *text, const char *zone, uint64_t *counts,
		   int max);
/* The i-th zone named in a buddyinfo text into name; -1 past the end. */
int buddyinfo_zone_name(const char *text, unsigned int i, char *name,
			size_t len);

#endif
