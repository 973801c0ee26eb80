// SPDX-License-Identifier: MIT
/*
 * String table and 64-bit key map used to intern the function names,
 * cache names, call sites and hashed pointers of a trace (see intern.h).
 */
#include <stdlib.h>
#include <string.h>
#include "trace/intern.h"

#define INTERN_MIN_SLOTS 64u
#define MEMO_SLOTS 256u

/* recent texts of 8 bytes or more: their first and last words, ids */
struct strtab_memo {
	uint64_t first[MEMO_SLOTS], last[MEMO_SLOTS];
	uint32_t id[MEMO_SLOTS]; /* 0 = empty */
};

uint64_t intern_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ len, w = 0;

	for (; len >= 8; s += 8, len -= 8) { /* eight bytes at a time */
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	w = 0; /* the last 0-7 bytes, as a memcpy() of len would leave them */
	if (len & 4) {
		uint32_t w4;

		memcpy(&w4, s + (len & 3), 4);
		w = w4;
	}
	if (len & 2) {
		uint16_t w2;

		memcpy(&w2, s + (len & 1), 2);
		w = w << 16 | w2;
	}
	if (len & 1)
		w = w << 8 | (unsigned char)s[0];
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ h >> 32;
}

static uint64_t mix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return k;
}

void strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
}

void strtab_free(struct strtab *t)
{
	free(t->memo);
	free(t->arena);
	free(t->off);
	free(t->len);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

void strtab_clear(struct strtab *t)
{
	if (t->slots)
		memset(t->slots, 0, t->nr_slots * sizeof(*t->slots));
	if (t->memo)
		memset(t->memo->id, 0, sizeof(t->memo->id));
	t->arena_len = 0;
	t->nr = 0;
}

const char *strtab_str(const struct strtab *t, uint32_t id)
{
	if (!id || id > t->nr)
		return "";
	return t->arena + t->off[id];
}

static int strtab_rehash(struct strtab *t, uint32_t nr_slots)
{
	uint32_t *slots = calloc(nr_slots, sizeof(*slots));

	if (!slots)
		return -1;
	for (uint32_t id = 1; id <= t->nr; id++) {
		uint32_t h = (uint32_t)intern_hash(t->arena + t->off[id],
						   t->len[id]);

		h &= nr_slots - 1;
		while (slots[h])
			h = (h + 1) & (nr_slots - 1);
		slots[h] = id;
	}
	free(t->slots);
	t->slots = slots;
	t->nr_slots = nr_slots;
	return 0;
}

/* !memcmp(a, b, n), a word at a time: the strings are short */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	uint32_t u, v;

	if (n >= 8) {
		for (; n > 8; a += 8, b += 8, n -= 8) {
			memcpy(&x, a, 8);
			memcpy(&y, b, 8);
			if (x != y)
				return 0;
		}
		memcpy(&x, a + n - 8, 8); /* the last eight, overlapping */
		memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	if (n >= 4) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		if (u != v)
			return 0;
		memcpy(&u, a + n - 4, 4);
		memcpy(&v, b + n - 4, 4);
		return u == v;
	}
	for (; n; a++, b++, n--)
		if (*a != *b)
			return 0;
	return 1;
}

static uint32_t strtab_lookup(const struct strtab *t, const char *text,
			      size_t len, uint32_t *slot)
{
	uint32_t h = (uint32_t)intern_hash(text, len) & (t->nr_slots - 1);
	uint32_t id;

	while ((id = t->slots[h])) {
		if (t->len[id] == len &&
		    same_bytes(t->arena + t->off[id], text, len))
			break;
		h = (h + 1) & (t->nr_slots - 1);
	}
	*slot = h;
	return id;
}

uint32_t strtab_find(const struct strtab *t, const char *text, size_t len)
{
	uint32_t slot;

	if (!t->nr_slots)
		return 0;
	return strtab_lookup(t, text, len, &slot);
}

static int strtab_grow(struct strtab *t, size_t len)
{
	if (t->arena_len + len + 1 > t->arena_cap) {
		size_t cap = t->arena_cap ? t->arena_cap * 2 : 4096;
		char *a;

		while (cap < t->arena_len + len + 1)
			cap *= 2;
		a = realloc(t->arena, cap);
		if (!a)
			return -1;
		t->arena = a;
		t->arena_cap = cap;
	}
	if (t->nr + 1 >= t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 64;
		uint32_t *off = realloc(t->off, cap * sizeof(*off));

		if (!off)
			return -1;
		t->off = off;
		off = realloc(t->len, cap * sizeof(*off));
		if (!off)
			return -1;
		t->len = off;
		t->cap = cap;
	}
	return 0;
}

/*
 * The memo slot of a text of 8 bytes or more (first and last its first
 * and last words); the id there when it is this text, else 0.
 */
static inline uint32_t memo_find(const struct strtab *t, const char *text,
				 size_t len, uint64_t first, uint64_t last,
				 uint32_t *slot)
{
	const struct strtab_memo *m = t->memo;
	uint32_t id;

	*slot = (uint32_t)(((first ^ last * 0x9e3779b97f4a7c15ull ^ len) *
			    0xff51afd7ed558ccdull) >>
			   56);
	id = m->id[*slot];
	if (id && m->first[*slot] == first && m->last[*slot] == last &&
	    t->len[id] == len &&
	    (len <= 16 ||
	     same_bytes(t->arena + t->off[id] + 8, text + 8, len - 16)))
		return id;
	return 0;
}

/* the id of text, added when new; 0 when out of memory */
static uint32_t strtab_add(struct strtab *t, const char *text, size_t len);

uint32_t strtab_intern(struct strtab *t, const char *text, size_t len)
{
	uint64_t first, last;
	uint32_t slot, id;

	if (len < 8 || len > UINT32_MAX / 2)
		return strtab_add(t, text, len);
	if (!t->memo && !(t->memo = calloc(1, sizeof(*t->memo))))
		return strtab_add(t, text, len);
	memcpy(&first, text, 8);
	memcpy(&last, text + len - 8, 8);
	if ((id = memo_find(t, text, len, first, last, &slot)))
		return id;
	id = strtab_add(t, text, len);
	if (id) {
		t->memo->first[slot] = first;
		t->memo->last[slot] = last;
		t->memo->id[slot] = id;
	}
	return id;
}

static uint32_t strtab_add(struct strtab *t, const char *text, size_t len)
{
	uint32_t slot, id;

	if (len > UINT32_MAX / 2)
		return 0;
	if (!t->nr_slots && strtab_rehash(t, INTERN_MIN_SLOTS))
		return 0;
	id = strtab_lookup(t, text, len, &slot);
	if (id)
		return id;
	if (strtab_grow(t, len))
		return 0;
	id = ++t->nr;
	t->off[id] = (uint32_t)t->arena_len;
	t->len[id] = (uint32_t)len;
	memcpy(t->arena + t->arena_len, text, len);
	t->arena[t->arena_len + len] = '\0';
	t->arena_len += len + 1;
	t->slots[slot] = id;
	if (t->nr * 2 > t->nr_slots && strtab_rehash(t, t->nr_slots * 2))
		return 0;
	return id;
}

void idmap_init(struct idmap *m)
{
	memset(m, 0, sizeof(*m));
}

void idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->ids);
	memset(m, 0, sizeof(*m));
}

void idmap_clear(struct idmap *m)
{
	if (m->ids)
		memset(m->ids, 0, m->nr_slots * sizeof(*m->ids));
	m->nr = 0;
}

static int idmap_rehash(struct idmap *m, uint32_t nr_slots)
{
	uint64_t *keys = calloc(nr_slots, sizeof(*keys));
	uint32_t *ids = calloc(nr_slots, sizeof(*ids));

	if (!keys || !ids) {
		free(keys);
		free(ids);
		return -1;
	}
	for (uint32_t i = 0; i < m->nr_slots; i++) {
		uint32_t h;

		if (!m->ids[i])
			continue;
		h = (uint32_t)mix64(m->keys[i]) & (nr_slots - 1);
		while (ids[h])
			h = (h + 1) & (nr_slots - 1);
		keys[h] = m->keys[i];
		ids[h] = m->ids[i];
	}
	free(m->keys);
	free(m->ids);
	m->keys = keys;
	m->ids = ids;
	m->nr_slots = nr_slots;
	return 0;
}

static uint32_t idmap_slot(const struct idmap *m, uint64_t key)
{
	uint32_t h = (uint32_t)mix64(key) & (m->nr_slots - 1);

	while (m->ids[h] && m->keys[h] != key)
		h = (h + 1) & (m->nr_slots - 1);
	return h;
}

void idmap_prefetch(const struct idmap *m, uint64_t key)
{
	uint32_t h;

	if (!m->nr_slots)
		return;
	h = (uint32_t)mix64(key) & (m->nr_slots - 1);
	__builtin_prefetch(&m->ids[h]);
	__builtin_prefetch(&m->keys[h]);
}

uint32_t idmap_find(const struct idmap *m, uint64_t key)
{
	if (!m->nr_slots)
		return 0;
	return m->ids[idmap_slot(m, key)];
}

uint32_t idmap_intern(struct idmap *m, uint64_t key, int *added)
{
	uint32_t h;

	*added = 0;
	if (!m->nr_slots && idmap_rehash(m, INTERN_MIN_SLOTS))
		return 0;
	h = idmap_slot(m, key);
	if (m->ids[h])
		return m->ids[h];
	if (m->nr == UINT32_MAX - 1)
		return 0;
	m->keys[h] = key;
	m->ids[h] = ++m->nr;
	*added = 1;
	if (m->nr * 2 > m->nr_slots && idmap_rehash(m, m->nr_slots * 2))
		return 0;
	return m->nr;
}
