/* SPDX-License-Identifier: MIT */
/*
 * The option parser every kslab sub-command shares: getopt_long with the
 * errors worded one way ("option requires an argument", "unknown option")
 * and numeric values range-checked. Bad options exit status 2.
 */
#ifndef KSLAB_TOOL_CLI_OPTS_H
#define KSLAB_TOOL_CLI_OPTS_H

#include <getopt.h>
#include <stdbool.h>

/*
 * Next option of argv, as getopt_long; -1 at the end, '?' after a
 * message on stderr naming cmd (an unknown option or a missing value).
 * shortopts must begin with ':' (missing values told apart).
 */
int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts);

/* arg as a decimal integer in [min, max]; -1 after a message */
int cli_uint(const char *cmd, const char *opt, const char *arg,
	     unsigned long min, unsigned long max, unsigned int *out);

#endif
