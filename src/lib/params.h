/* SPDX-License-Identifier: MIT */
/*
 * Boot command line parsing. Each layer owns a table of parameters and
 * their handlers; src/kslab.c hands all tables to ksl_parse_cmdline().
 */
#ifndef KSLAB_LIB_PARAMS_H
#define KSLAB_LIB_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

struct ksl_param {
	const char *name;
	/* val is NULL for a bare word ("slab_nomerge"); 0 or -EINVAL */
	int (*set)(const char *name, const char *val);
};

/*
 * Run every word's handler, in order. 0, or the first error. effective
 * (may be NULL): the words that took effect, one space apart (a word a
 * later one of the same parameter overrides is left out), malloc()ed.
 */
int ksl_parse_cmdline(const char *cmdline,
		      const struct ksl_param *const *tables, size_t nr_tables,
		      char **effective);

/* Print "invalid boot parameter 'name=val': why" and return -EINVAL. */
int ksl_param_invalid(const char *name, const char *val, const char *why, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The kernel's memparse(): a number in C notation (0x.., 0..) and an
 * optional K/M/G/T/P/E suffix (either case). Strict: the whole string
 * must be consumed when end is NULL. 0 or -EINVAL.
 */
int ksl_memparse(const char *s, unsigned long long *out, const char **end);
int ksl_parse_uint(const char *s, unsigned long long *out);

#endif /* KSLAB_LIB_PARAMS_H */
