// SPDX-License-Identifier: MIT
/*
 * The caches' counters at the slab peak, in one pass (see replay_peak.h).
 *
 * Invariants: every cache seen at a snapshot has an entry, found by an
 * open-addressing table keyed by its pointer (caches are not destroyed
 * during a replay, so pointers stay valid keys); an entry's .kmalloc is
 * the cache's SLAB_KMALLOC, read when the entry was made; a kmalloc
 * cache's .ci is its kslab_cache_info at the last snapshot (.have), and
 * .seen is the number of the last snapshot that found the cache, so a
 * cache created after the peak is not reported.
 */
#include <stdlib.h>
#include <string.h>
#include "replay/replay_peak.h"

struct peak_ent {
	const struct kmem_cache *c;
	bool kmalloc, have;
	uint64_t seen;
	struct kslab_cache_info ci;
};

struct replay_peak {
	struct peak_ent *ent; /* entry e is ent[e - 1] */
	uint32_t nr, cap;
	uint32_t *slot; /* entry numbers (0: empty), by pointer hash */
	uint32_t nr_slots;
	uint64_t snapshots;
	bool failed;
};

static uint32_t ptr_hash(const struct kmem_cache *c, uint32_t mask)
{
	uint64_t x = (uint64_t)(uintptr_t)c * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(x >> 32) & mask;
}

static void slot_put(struct replay_peak *pk, uint32_t e)
{
	uint32_t mask = pk->nr_slots - 1;
	uint32_t h = ptr_hash(pk->ent[e - 1].c, mask);

	while (pk->slot[h])
		h = (h + 1) & mask;
	pk->slot[h] = e;
}

/* room for one more entry: 0, or -1 (pk->failed) */
static int grow(struct replay_peak *pk)
{
	struct peak_ent *ent;
	uint32_t *slot, n;

	if (pk->nr < pk->cap)
		return 0;
	if (pk->cap > UINT32_MAX / 4)
		goto fail;
	n = pk->cap ? pk->cap * 2 : 256;
	ent = realloc(pk->ent, (size_t)n * sizeof(*ent));
	if (!ent)
		goto fail;
	pk->ent = ent;
	slot = calloc((size_t)n * 2, sizeof(*slot));
	if (!slot)
		goto fail;
	free(pk->slot);
	pk->slot = slot;
	pk->nr_slots = n * 2;
	pk->cap = n;
	for (uint32_t e = 1; e <= pk->nr; e++)
		slot_put(pk, e);
	return 0;
fail:
	pk->failed = true;
	return -1;
}

static struct peak_ent *find(const struct replay_peak *pk,
			     const struct kmem_cache *c)
{
	uint32_t mask = pk->nr_slots - 1, e;

	for (uint32_t h = ptr_hash(c, mask); (e = pk->slot[h]);
	     h = (h + 1) & mask)
		if (pk->ent[e - 1].c == c)
			return &pk->ent[e - 1];
	return NULL;
}

/* c's entry, made when new (its flags read); NULL when out of memory */
static struct peak_ent *entry_of(struct replay_peak *pk,
				 const struct kmem_cache *c)
{
	struct peak_ent *en = find(pk, c);
	struct kslab_cache_info ci;

	if (en)
		return en;
	if (grow(pk))
		return NULL;
	en = &pk->ent[pk->nr++];
	*en = (struct peak_ent){ .c = c };
	en->kmalloc = !kslab_cache_info(c, &ci) && (ci.flags & SLAB_KMALLOC);
	slot_put(pk, pk->nr);
	return en;
}

struct replay_peak *replay_peak_new(void)
{
	struct replay_peak *pk = calloc(1, sizeof(*pk));

	if (pk && grow(pk)) {
		replay_peak_free(pk);
		return NULL;
	}
	return pk;
}

void replay_peak_free(struct replay_peak *pk)
{
	if (!pk)
		return;
	free(pk->ent);
	free(pk->slot);
	free(pk);
}

/* kslab_for_each_cache(): read one cache into the snapshot */
static int read_cache(struct kmem_cache *c, void *arg)
{
	struct replay_peak *pk = arg;
	struct peak_ent *en = entry_of(pk, c);

	if (!en)
		return -1;
	en->seen = pk->snapshots;
	if (en->kmalloc)
		en->have = !kslab_cache_info(c, &en->ci);
	return 0;
}

void replay_peak_snapshot(struct replay_peak *pk)
{
	pk->snapshots++;
	kslab_for_each_cache(read_cache, pk);
}

bool replay_peak_taken(const struct replay_peak *pk)
{
	return pk->snapshots > 0;
}

bool replay_peak_failed(const struct replay_peak *pk)
{
	return pk->failed;
}

const struct kslab_cache_info *replay_peak_info(const struct replay_peak *pk,
						const struct kmem_cache *c)
{
	const struct peak_ent *en = find(pk, c);

	if (!en || en->seen != pk->snapshots || !en->have)
		return NULL;
	return &en->ci;
}
