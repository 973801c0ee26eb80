// SPDX-License-Identifier: MIT
/*
 * The barn (6.18 mm/slub.c struct node_barn): a node's store of full and
 * empty sheaves that its CPUs trade their main and spare sheaves through.
 * Two singly linked stacks under barn->lock (newest first, as the
 * kernel's list_add()/list_first_entry()); nr_full and nr_empty are read
 * without the lock for the quick "nothing there" and limit tests, as the
 * kernel's data_race() reads. Only ksl_barn_replace_full() refuses past
 * KSL_MAX_FULL_SHEAVES; the other puts ignore the limits.
 */
#include <errno.h>
#include "slab/sheaf.h"

static inline unsigned int peek(const unsigned int *nr)
{
	return __atomic_load_n(nr, __ATOMIC_RELAXED);
}

static inline void set_nr(unsigned int *nr, unsigned int v)
{
	__atomic_store_n(nr, v, __ATOMIC_RELAXED);
}

static struct slab_sheaf *pop(struct slab_sheaf **list, unsigned int *nr)
{
	struct slab_sheaf *sheaf = *list;

	*list = *sheaf_next(sheaf);
	set_nr(nr, *nr - 1);
	return sheaf;
}

static void push(struct slab_sheaf **list, unsigned int *nr,
		 struct slab_sheaf *sheaf)
{
	*sheaf_next(sheaf) = *list;
	*list = sheaf;
	set_nr(nr, *nr + 1);
}

struct slab_sheaf *ksl_barn_get_empty(struct node_barn *barn)
{
	struct slab_sheaf *sheaf = NULL;

	if (!peek(&barn->nr_empty))
		return NULL;
	ksl_spin_lock(&barn->lock);
	if (barn->nr_empty)
		sheaf = pop(&barn->empty, &barn->nr_empty);
	ksl_spin_unlock(&barn->lock);
	return sheaf;
}

void ksl_barn_put_empty(struct node_barn *barn, struct slab_sheaf *sheaf)
{
	ksl_spin_lock(&barn->lock);
	push(&barn->empty, &barn->nr_empty, sheaf);
	ksl_spin_unlock(&barn->lock);
}

void ksl_barn_put_full(struct node_barn *barn, struct slab_sheaf *sheaf)
{
	ksl_spin_lock(&barn->lock);
	push(&barn->full, &barn->nr_full, sheaf);
	ksl_spin_unlock(&barn->lock);
}

struct slab_sheaf *ksl_barn_get_full_or_empty(struct node_barn *barn)
{
	struct slab_sheaf *sheaf = NULL;

	if (!peek(&barn->nr_full) && !peek(&barn->nr_empty))
		return NULL;
	ksl_spin_lock(&barn->lock);
	if (barn->nr_full)
		sheaf = pop(&barn->full, &barn->nr_full);
	else if (barn->nr_empty)
		sheaf = pop(&barn->empty, &barn->nr_empty);
	ksl_spin_unlock(&barn->lock);
	return sheaf;
}

/* a full sheaf for the given empty one, or NULL */
struct slab_sheaf *ksl_barn_replace_empty(struct node_barn *barn,
					  struct slab_sheaf *empty)
{
	struct slab_sheaf *full = NULL;

	if (!peek(&barn->nr_full))
		return NULL;
	ksl_spin_lock(&barn->lock);
	if (barn->nr_full) {
		full = pop(&barn->full, &barn->nr_full);
		push(&barn->empty, &barn->nr_empty, empty);
	}
	ksl_spin_unlock(&barn->lock);
	return full;
}

/* an empty sheaf for the given full one, unless the barn has too many
 * full ones (-E2BIG, tested without the lock) or no empty one (-ENOMEM) */
struct slab_sheaf *ksl_barn_replace_full(struct node_barn *barn,
					 struct slab_sheaf *full, int *err)
{
	struct slab_sheaf *empty = NULL;

	*err = -E2BIG;
	if (peek(&barn->nr_full) >= KSL_MAX_FULL_SHEAVES)
		return NULL;
	*err = -ENOMEM;
	if (!peek(&barn->nr_empty))
		return NULL;
	ksl_spin_lock(&barn->lock);
	if (barn->nr_empty) {
		empty = pop(&barn->empty, &barn->nr_empty);
		push(&barn->full, &barn->nr_full, full);
		*err = 0;
	}
	ksl_spin_unlock(&barn->lock);
	return empty;
}

/* Every sheaf of the barn: the full ones flushed to the slabs, all freed. */
void ksl_barn_shrink(struct kmem_cache *s, struct node_barn *barn)
{
	struct slab_sheaf *full, *empty, *next;

	ksl_spin_lock(&barn->lock);
	full = barn->full;
	empty = barn->empty;
	barn->full = barn->empty = NULL;
	set_nr(&barn->nr_full, 0);
	set_nr(&barn->nr_empty, 0);
	ksl_spin_unlock(&barn->lock);
	for (; full; full = next) {
		next = *sheaf_next(full);
		ksl_sheaf_flush_unused(s, full);
		ksl_free_empty_sheaf(s, full);
	}
	for (; empty; empty = next) {
		next = *sheaf_next(empty);
		ksl_free_empty_sheaf(s, empty);
	}
}

/* the objects its full sheaves hold, and how many of each there are */
unsigned long ksl_barn_objects(struct node_barn *barn, unsigned int *nr_full,
			       unsigned int *nr_empty)
{
	unsigned long nr = 0;

	ksl_spin_lock(&barn->lock);
	for (struct slab_sheaf *f = barn->full; f; f = *sheaf_next(f))
		nr += f->size;
	*nr_full = barn->nr_full;
	*nr_empty = barn->nr_empty;
	ksl_spin_unlock(&barn->lock);
	return nr;
}
