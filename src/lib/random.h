/* SPDX-License-Identifier: MIT */
/*
 * The boot's random numbers (the kernel's get_random_long() and
 * get_random_u32_below()): a counter-based generator, one atomic
 * increment a number, so that any thread may draw. kslab.seed=N makes a
 * boot's numbers repeat (for one thread's sequence of draws); without it
 * each boot is seeded from the host (getrandom()).
 */
#ifndef KSLAB_LIB_RANDOM_H
#define KSLAB_LIB_RANDOM_H

#include <stdbool.h>
#include <stdint.h>

/* seed the next boot's numbers; given: from kslab.seed= (else the host) */
void ksl_random_seed(uint64_t seed, bool given);
/* the seed in force (kslab.seed= or the host's), and whether it was given */
uint64_t ksl_random_seed_value(bool *given);
uint64_t ksl_get_random_u64(void);
/* uniform in [0, ceil), ceil > 0 */
uint32_t ksl_get_random_u32_below(uint32_t ceil);

#endif
