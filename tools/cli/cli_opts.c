// SPDX-License-Identifier: MIT
/*
 * The sub-commands' shared option parsing (see cli_opts.h). getopt's own
 * messages are silenced (opterr = 0) so that every command words its
 * errors the same way, prefixed "kslab COMMAND:". Numbers are whole
 * decimal strings: no sign, no trailing garbage, within the option's range.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli_opts.h"

static bool first_call = true;

/* the word getopt just rejected, when it is a long option */
static const char *long_word(int argc, char **argv)
{
	const char *a;

	if (optind < 1 || optind - 1 >= argc)
		return NULL;
	a = argv[optind - 1];
	return !strncmp(a, "--", 2) ? a : NULL;
}

int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	const char *lw;
	int c;

	if (first_call) {
		optind = 0; /* glibc: start afresh */
		first_call = false;
	}
	opterr = 0;
	optopt = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c != ':' && c != '?')
		return c;
	lw = long_word(argc, argv);
	if (c == ':' && lw)
		fprintf(stderr, "kslab %s: option '%s' requires an argument\n",
			cmd, lw);
	else if (c == ':')
		fprintf(stderr,
			"kslab %s: option requires an argument -- '%c'\n", cmd,
			optopt);
	else if (lw)
		fprintf(stderr, "kslab %s: unknown option '%s'\n", cmd, lw);
	else
		fprintf(stderr, "kslab %s: unknown option -- '%c'\n", cmd,
			optopt);
	return '?';
}

int cli_uint(const char *cmd, const char *opt, const char *arg,
	     unsigned long min, unsigned long max, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (!arg || !isdigit((unsigned char)arg[0]))
		goto bad;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = (unsigned int)v;
	return 0;
bad:
	fprintf(stderr, "kslab %s: %s: '%s' is not a number from %lu to %lu\n",
		cmd, opt, arg ? arg : "", min, max);
	return -1;
}
