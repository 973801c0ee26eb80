// SPDX-License-Identifier: MIT
/*
 * Shrinkers: the callbacks the page allocator runs when it is about to
 * fail an allocation that may reclaim (__GFP_DIRECT_RECLAIM) or must not
 * fail (__GFP_NOFAIL). The slab layer registers one that gives empty
 * slabs back. Callbacks run without any allocator lock held.
 */
#include <errno.h>
#include "mm/mm_internal.h"

static pthread_mutex_t ksl_shrinker_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kslab_shrinker *ksl_shrinkers;

int kslab_register_shrinker(struct kslab_shrinker *s)
{
	if (!s || !s->scan)
		return -EINVAL;
	pthread_mutex_lock(&ksl_shrinker_lock);
	s->next = ksl_shrinkers;
	ksl_shrinkers = s;
	pthread_mutex_unlock(&ksl_shrinker_lock);
	return 0;
}

void kslab_unregister_shrinker(struct kslab_shrinker *s)
{
	pthread_mutex_lock(&ksl_shrinker_lock);
	for (struct kslab_shrinker **pp = &ksl_shrinkers; *pp;
	     pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	pthread_mutex_unlock(&ksl_shrinker_lock);
}

/* Ask every shrinker for all it can give; the pages freed in total. */
unsigned long ksl_run_shrinkers(void)
{
	struct kslab_shrinker *list[64];
	unsigned long freed = 0;
	int n = 0;

	pthread_mutex_lock(&ksl_shrinker_lock);
	for (struct kslab_shrinker *s = ksl_shrinkers; s && n < 64; s = s->next)
		list[n++] = s;
	pthread_mutex_unlock(&ksl_shrinker_lock);
	for (int i = 0; i < n; i++) {
		unsigned long count =
			list[i]->count ? list[i]->count(list[i]->priv) : ~0UL;

		if (count)
			freed += list[i]->scan(list[i]->priv, count);
	}
	return freed;
}
