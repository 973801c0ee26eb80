// SPDX-License-Identifier: MIT
/*
 * The boot command line: whitespace-separated words, each "name=value" or
 * a bare "name". A word no table knows, or a value its handler refuses,
 * fails the whole boot with -EINVAL and one message naming the word.
 * Later words override earlier ones, as the kernel's handlers do (each
 * __setup()/early_param() handler runs for every occurrence, and those
 * that store a value keep the last); a repeated parameter with another
 * value is warned about. Handlers that accumulate (memmap=, see
 * repeatable()) keep every occurrence.
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

/* the value part of a word ("" for a bare word) */
static const char *word_value(const char *word)
{
	const char *eq = strchr(word, '=');

	return eq ? eq + 1 : "";
}

static int ksl_parse_word(char *word, const struct ksl_param **found,
			  const struct ksl_param *const *tables,
			  size_t nr_tables)
{
	char *eq = strchr(word, '=');
	const struct ksl_param *p;
	int ret;

	if (eq)
		*eq = '\0';
	p = ksl_find_param(word, tables, nr_tables);
	if (!p) {
		if (eq)
			*eq = '=';
		ksl_printk("unknown boot parameter '%s'", word);
		return -EINVAL;
	}
	ret = p->set(word, eq ? eq + 1 : NULL);
	if (eq)
		*eq = '=';
	*found = p;
	return ret;
}

/* parameters whose every occurrence counts (memmap= adds a range) */
static bool repeatable(const char *word)
{
	static const char *const names[] = { "memmap" };
	size_t len = strcspn(word, "=");

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && !strncmp(word, names[i], len))
			return true;
	return false;
}

/*
 * Word i is overridden when a later word sets the same parameter (the
 * same handler: slab_ and slub_ spellings are one) and it is not one
 * that accumulates. A different value is worth a warning.
 */
static bool overridden(char **words, const struct ksl_param **found, size_t i,
		       size_t n)
{
	for (size_t j = i + 1; j < n; j++) {
		if (found[j]->set != found[i]->set || repeatable(words[i]))
			continue;
		if (strcmp(word_value(words[i]), word_value(words[j])))
			ksl_printk(
				"boot parameter '%s' overrides the earlier '%s' (the last one wins)",
				words[j], words[i]);
		return true;
	}
	return false;
}

/* the words that took effect, one space apart */
static char *join_effective(char **words, const struct ksl_param **found,
			    size_t n, size_t len)
{
	char *out = malloc(len + 1), *p = out;

	if (!out)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < n; i++) {
		if (overridden(words, found, i, n))
			continue;
		p += sprintf(p, "%s%s", p == out ? "" : " ", words[i]);
	}
	return out;
}

int ksl_parse_cmdline(const char *cmdline,
		      const struct ksl_param *const *tables, size_t nr_tables,
		      char **effective)
{
	size_t len = cmdline ? strlen(cmdline) : 0, n = 0;
	char *copy = strdup(cmdline ? cmdline : ""), *save = NULL, *word;
	char **words = calloc(len / 2 + 1, sizeof(*words));
	const struct ksl_param **found = calloc(len / 2 + 1, sizeof(*found));
	int ret = -ENOMEM;

	if (effective)
		*effective = NULL;
	if (!copy || !words || !found)
		goto out;
	ret = 0;
	for (word = strtok_r(copy, " \t\n", &save); word && !ret;
	     word = strtok_r(NULL, " \t\n", &save)) {
		words[n] = word;
		ret = ksl_parse_word(word, &found[n], tables, nr_tables);
		n++;
	}
	if (!ret && effective) {
		*effective = join_effective(words, found, n, len);
		if (!*effective)
			ret = -ENOMEM;
	}
out:
	free(found);
	free(words);
	free(copy);
	return ret;
}
