/* SPDX-License-Identifier: MIT */
/*
 * Interning for the trace reader: a string table (text -> dense id) and a
 * 64-bit key map (key -> dense id). Ids start at 1; 0 means "none".
 * Both are open-addressing hash tables that double at half load, so
 * lookups stay O(1) on traces of millions of events. In front of the
 * string table, a small direct-mapped memo of recent texts, indexed by
 * their first and last eight bytes and checked against the stored text,
 * finds a text seen lately without hashing all of it.
 */
#ifndef KSLAB_TOOL_INTERN_H
#define KSLAB_TOOL_INTERN_H

#include <stddef.h>
#include <stdint.h>

struct strtab {
	char *arena; /* all strings, each NUL-terminated */
	size_t arena_len, arena_cap;
	uint32_t *off;		  /* off[id] = offset in arena (id 0 unused) */
	uint32_t *len;		  /* len[id] */
	uint32_t nr;		  /* ids used: 1..nr */
	uint32_t cap;		  /* capacity of off/len */
	uint32_t *slots;	  /* hash slots holding ids, 0 = empty */
	uint32_t nr_slots;	  /* a power of two */
	struct strtab_memo *memo; /* recent texts by first and last words */
};

struct idmap {
	uint64_t *keys;
	uint32_t *ids;	   /* 0 = empty slot */
	uint32_t nr_slots; /* a power of two */
	uint32_t nr;	   /* ids used: 1..nr */
};

void strtab_init(struct strtab *t);
void strtab_free(struct strtab *t);
/* Empty again, keeping the memory for reuse. */
void strtab_clear(struct strtab *t);
/* The id of text[0..len), added when new; 0 when out of memory. */
uint32_t strtab_intern(struct strtab *t, const char *text, size_t len);
/* The id of text when present, else 0. */
uint32_t strtab_find(const struct strtab *t, const char *text, size_t len);
/* The string of an id ("" for 0 or an unknown id). */
const char *strtab_str(const struct strtab *t, uint32_t id);

void idmap_init(struct idmap *m);
void idmap_free(struct idmap *m);
/* Empty again, keeping the memory for reuse. */
void idmap_clear(struct idmap *m);
/* The id of key, added when new (*added set to 1); 0 when out of memory. */
uint32_t idmap_intern(struct idmap *m, uint64_t key, int *added);
uint32_t idmap_find(const struct idmap *m, uint64_t key);
/* Start loading the slot of key (a lookup soon after will not wait). */
void idmap_prefetch(const struct idmap *m, uint64_t key);

/* A hash of a byte string (8 bytes a step), the one both tables use. */
uint64_t intern_hash(const char *s, size_t len);

#endif
