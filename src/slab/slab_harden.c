// SPDX-License-Identifier: MIT
/*
 * Freelist hardening, as boot options (CONFIG_SLAB_FREELIST_HARDENED and
 * CONFIG_SLAB_FREELIST_RANDOM of 6.18, both on in the traced arm64 Debian
 * kernels; kslab's parameter names):
 *
 *   kslab.freelist_hardened=0|1  each cache gets a random key at creation
 *                                (do_kmem_cache_create()'s s->random), and
 *                                every free pointer is stored XORed with it
 *                                (get_fp()/set_fp(), slab_internal.h)
 *   kslab.freelist_random=0|1    each cache gets a random permutation of
 *                                its slab's object slots (random_seq,
 *                                cache_random_seq_create()); a new slab's
 *                                free list follows it from a random start
 *                                (shuffle_freelist())
 *   kslab.seed=N                 the boot's random numbers repeat
 *                                (lib/random.h); default: the host's
 *
 * Invariants: s->random is set before the cache's first slab and never
 * changes (0 when hardening is off, so the XOR costs the fast paths one
 * instruction and no test); s->random_seq, once set, holds each of 0..
 * s->objects-1 exactly once, times s->size, and lives until the cache is
 * released. As the kernel's, the sequences are made for the caches that
 * exist once the kmalloc caches are up (init_freelist_randomization()),
 * and at creation for later caches; the slabs allocated before that
 * (the boot caches' and kmalloc caches' first ones) stay in address
 * order. Neither option changes any cache's geometry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lib/random.h"
#include "slab/slab_internal.h"

static struct {
	bool hardened, random;
	bool seed_given;
	uint64_t seed;
} ksl_harden_cfg;

/* the kmalloc caches exist (the kernel's slab_state >= UP) */
static bool ksl_random_seq_up;

/* kstrtobool()'s words, and a bare word for 1 */
static int bool_param(const char *name, const char *val, bool *out)
{
	static const char *const yes[] = { "1", "y", "Y", "on", "yes" };
	static const char *const no[] = { "0", "n", "N", "off", "no" };

	if (!val) {
		*out = true;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcmp(val, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(val, no[i])) {
			*out = false;
			return 0;
		}
	}
	return ksl_param_invalid(name, val, "expected 0 or 1");
}

static int param_hardened(const char *name, const char *val)
{
	return bool_param(name, val, &ksl_harden_cfg.hardened);
}

static int param_random(const char *name, const char *val)
{
	return bool_param(name, val, &ksl_harden_cfg.random);
}

static int param_seed(const char *name, const char *val)
{
	unsigned long long v;

	if (!val || ksl_parse_uint(val, &v))
		return ksl_param_invalid(name, val, "expected a number");
	ksl_harden_cfg.seed = v;
	ksl_harden_cfg.seed_given = true;
	return 0;
}

const struct ksl_param ksl_harden_params[] = {
	{ "kslab.freelist_hardened", param_hardened },
	{ "kslab.freelist_random", param_random },
	{ "kslab.seed", param_seed },
	{ NULL, NULL },
};

void ksl_harden_config_reset(void)
{
	memset(&ksl_harden_cfg, 0, sizeof(ksl_harden_cfg));
}

/* before any layer's init: the slab layer draws keys from its first cache */
int ksl_harden_validate(void)
{
	ksl_random_seed(ksl_harden_cfg.seed, ksl_harden_cfg.seed_given);
	return 0;
}

/* Fisher-Yates, as freelist_randomize(); the offsets, as
 * init_cache_random_seq() leaves them. 0 or -ENOMEM. */
static int init_cache_random_seq(struct kmem_cache *s)
{
	unsigned int count = s->objects, *seq;

	if (!ksl_harden_cfg.random || s->random_seq || count < 2)
		return 0;
	seq = malloc(count * sizeof(*seq));
	if (!seq) {
		ksl_printk("SLUB: Unable to initialize free list for %s",
			   s->name);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < count; i++)
		seq[i] = i;
	for (unsigned int i = count - 1; i > 0; i--) {
		unsigned int j = ksl_get_random_u32_below(i + 1), t = seq[i];

		seq[i] = seq[j];
		seq[j] = t;
	}
	for (unsigned int i = 0; i < count; i++)
		seq[i] *= s->size;
	s->random_seq = seq;
	return 0;
}

int ksl_harden_cache_init(struct kmem_cache *s)
{
	s->random = ksl_harden_cfg.hardened ?
			    (unsigned long)ksl_get_random_u64() :
			    0;
	s->random_seq = NULL;
	return ksl_random_seq_up ? init_cache_random_seq(s) : 0;
}

void ksl_harden_cache_release(struct kmem_cache *s)
{
	free(s->random_seq);
	s->random_seq = NULL;
}

/* init_freelist_randomization(): after the kmalloc layer's init */
int ksl_harden_init(void)
{
	pthread_mutex_lock(&ksl_slab_mutex);
	for (struct kmem_cache *s = ksl_slab_caches; s; s = s->list_next)
		init_cache_random_seq(s);
	ksl_random_seq_up = true;
	pthread_mutex_unlock(&ksl_slab_mutex);
	return 0;
}

void ksl_harden_shutdown(void)
{
	ksl_random_seq_up = false;
}

/* next_freelist_entry(): the next offset below limit, from *pos on */
static unsigned int next_entry(const struct kmem_cache *s, unsigned int *pos,
			       unsigned int limit)
{
	unsigned int off;

	do {
		off = s->random_seq[*pos];
		if (++*pos >= s->objects)
			*pos = 0;
	} while (unlikely(off >= limit));
	return off;
}

unsigned int ksl_shuffle_freelist(struct kmem_cache *s, struct slab *slab)
{
	unsigned int limit = slab->objects * s->size, pos, off;
	char *base = slab->base, *cur;

	if (slab->objects < 2 || !s->random_seq)
		return 0;
	pos = ksl_get_random_u32_below(s->objects);
	off = next_entry(s, &pos, limit);
	cur = base + off;
	for (unsigned int i = 1; i < slab->objects; i++) {
		char *next = base + next_entry(s, &pos, limit);

		set_fp(s, cur, next);
		cur = next;
	}
	set_fp(s, cur, NULL);
	return obj_to_head(s, slab, base + off);
}
