/* SPDX-License-Identifier: MIT */
/*
 * Test helpers used by several test programs: the usual teardown, a
 * cache's info as a value, and whole-file reads and writes (cmocka
 * asserts on failure).
 */
#ifndef KSLAB_TEST_KSLAB_TEST_H
#define KSLAB_TEST_KSLAB_TEST_H

#include <stddef.h>
#include <kslab/kslab.h>

/*
 * base with $KSLAB_TEST_BOOT appended (a ctest variant's extra boot
 * parameters, e.g. test_slab_model_hardened's); a static buffer
 */
const char *test_boot_line(const char *base);
/* cmocka teardown: shut the machine down */
int shutdown_teardown(void **state);
/* kslab_cache_info(s), asserted to succeed */
struct kslab_cache_info cache_info_of(struct kmem_cache *s);
/* a file of at most 1 MiB, NUL-terminated; *len its size */
char *slurp_file(const char *path, size_t *len);
/* the same for a file that must not be empty */
char *slurp(const char *path);
void write_file(const char *path, const void *data, size_t len);
/* the output of a shell command line, NUL-terminated; *status its exit */
char *run_command(const char *cmd, int *status);
/* `kslab replay ARGS` of this build (ARGS may redirect, e.g. 2>&1) */
char *run_replay(const char *args, int *status);

#endif
