// SPDX-License-Identifier: MIT
/*
 * The boot command line: whitespace-separated words, each "name=value" or
 * a bare "name". A word no table knows, or a value its handler refuses,
 * fails the whole boot with -EINVAL and one message naming the word.
 * Later words override earlier ones, as in the kernel; handlers that
 * accumulate (memmap=) keep every occurrence.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/params.h"
#include "lib/printk.h"

int ksl_param_invalid(const char *name, const char *val, const char *why, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, why);
	vsnprintf(reason, sizeof(reason), why, ap);
	va_end(ap);
	if (val)
		ksl_printk("invalid boot parameter '%s=%s': %s", name, val,
			   reason);
	else
		ksl_printk("invalid boot parameter '%s': %s", name, reason);
	return -EINVAL;
}

int ksl_memparse(const char *s, unsigned long long *out, const char **end)
{
	char *e;
	unsigned long long v;
	unsigned int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &e, 0);
	if (errno)
		return -EINVAL;
	switch (*e) {
	case 'E':
	case 'e':
		shift = 60;
		break;
	case 'P':
	case 'p':
		shift = 50;
		break;
	case 'T':
	case 't':
		shift = 40;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'K':
	case 'k':
		shift = 10;
		break;
	}
	if (shift) {
		if (v > (~0ULL >> shift))
			return -EINVAL;
		v <<= shift;
		e++;
	}
	if (end)
		*end = e;
	else if (*e)
		return -EINVAL;
	*out = v;
	return 0;
}

int ksl_parse_uint(const char *s, unsigned long long *out)
{
	char *e;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &e, 0);
	return (errno || *e) ? -EINVAL : 0;
}

static const struct ksl_param *
ksl_find_param(const char *name, const struct ksl_param *const *tables,
	       size_t nr_tables)
{
	for (size_t t = 0; t < nr_tables; t++)
		for (const struct ksl_param *p = tables[t]; p && p->name; p++)
			if (!strcmp(p->name, name))
				return p;
	return NULL;
}

static int ksl_parse_word(char *word, const struct ksl_param *const *tables,
			  size_t nr_tables)
{
	char *eq = strchr(word, '=');
	const struct ksl_param *p;

	if (eq)
		*eq = '\0';
	p = ksl_find_param(word, tables, nr_tables);
	if (!p) {
		if (eq)
			*eq = '=';
		ksl_printk("unknown boot parameter '%s'", word);
		return -EINVAL;
	}
	return p->set(word, eq ? eq + 1 : NULL);
}

int ksl_parse_cmdline(const char *cmdline,
		      const struct ksl_param *const *tables, size_t nr_tables)
{
	char *copy, *save = NULL, *word;
	int ret = 0;

	if (!cmdline)
		return 0;
	copy = strdup(cmdline);
	if (!copy)
		return -ENOMEM;
	for (word = strtok_r(copy, " \t\n", &save); word && !ret;
	     word = strtok_r(NULL, " \t\n", &save))
		ret = ksl_parse_word(word, tables, nr_tables);
	free(copy);
	return ret;
}
