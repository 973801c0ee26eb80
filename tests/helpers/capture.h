/* SPDX-License-Identifier: MIT */
/* Test helpers: capture what the library writes to stderr. */
#ifndef KSLAB_TEST_CAPTURE_H
#define KSLAB_TEST_CAPTURE_H

#include <stddef.h>

/* Start redirecting stderr into a buffer. */
void capture_start(void);
/* Stop; returns the captured text (valid until the next capture_start). */
const char *capture_stop(void);
/* Seed for randomised tests: $KSLAB_SEED or the time; printed. */
unsigned int test_seed(const char *test_name);

#endif
