// SPDX-License-Identifier: MIT
/*
 * The boot's random numbers (lib/random.h): splitmix64 of a seed and a
 * draw counter. Each draw is one atomic increment of the counter, so the
 * numbers are the same for the same seed and the same order of draws
 * (one thread); threads drawing at once each get a distinct number.
 */
#include <stdatomic.h>
#include <sys/random.h>
#include <time.h>
#include "lib/random.h"

static uint64_t ksl_seed;
static bool ksl_seed_given;
static atomic_uint_fast64_t ksl_draws;

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t host_seed(void)
{
	uint64_t v;
	struct timespec ts;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	clock_gettime(CLOCK_REALTIME, &ts);
	return splitmix64((uint64_t)ts.tv_sec * 1000000000ULL +
			  (uint64_t)ts.tv_nsec);
}

void ksl_random_seed(uint64_t seed, bool given)
{
	ksl_seed = given ? seed : host_seed();
	ksl_seed_given = given;
	atomic_store(&ksl_draws, 0);
}

uint64_t ksl_random_seed_value(bool *given)
{
	if (given)
		*given = ksl_seed_given;
	return ksl_seed;
}

uint64_t ksl_get_random_u64(void)
{
	uint64_t n =
		atomic_fetch_add_explicit(&ksl_draws, 1, memory_order_relaxed);

	return splitmix64(ksl_seed ^ splitmix64(n));
}

uint32_t ksl_get_random_u32_below(uint32_t ceil)
{
	/* Lemire's multiply-shift: the bias is below 2^-32 per unit */
	return (uint32_t)(((ksl_get_random_u64() >> 32) * (uint64_t)ceil) >>
			  32);
}
