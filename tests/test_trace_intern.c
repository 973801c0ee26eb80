// SPDX-License-Identifier: MIT
/*
 * The trace reader's string table (tools/trace/intern.c) with its memo
 * of recent texts: texts that share their first and last eight bytes
 * (the memo's index) but differ in the middle or in length get their
 * own ids, every text keeps its id however often it comes back and
 * whatever came between, ids are dense in first-appearance order, and
 * a cleared table starts again from id 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "trace/intern.h"

#define NR_TEXTS 3000

static char texts[NR_TEXTS][64];

/* texts of 1 to 40 bytes, many alike at both ends */
static void make_texts(void)
{
	for (int i = 0; i < NR_TEXTS; i++) {
		int len = 1 + i % 40;

		memset(texts[i], 'a', (size_t)len);
		texts[i][len] = '\0';
		if (len > 16) /* the middle only: first and last words alike */
			texts[i][8 + (i / 40) % (len - 16)] =
				(char)('b' + i / 40 % 20);
		else if (len > 1)
			texts[i][len / 2] = (char)('b' + i / 40 % 20);
	}
}

static void test_ids(void **state)
{
	struct strtab t;
	uint32_t *id = calloc(NR_TEXTS, sizeof(*id)), next = 1;
	unsigned int seed = 1;

	(void)state;
	make_texts();
	strtab_init(&t);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < NR_TEXTS; i++) {
			const char *s = texts[i];
			uint32_t want = 0;

			/* the first text equal to it sets its id */
			for (int j = 0; j < i && !want; j++)
				if (!strcmp(texts[j], s))
					want = id[j];
			id[i] = strtab_intern(&t, s, strlen(s));
			if (!want)
				assert_int_equal(id[i], next++);
			else
				assert_int_equal(id[i], want);
			assert_string_equal(strtab_str(&t, id[i]), s);
		}
		/* again, in a random order: the same ids */
		for (int n = 0; n < 4 * NR_TEXTS; n++) {
			int i = rand_r(&seed) % NR_TEXTS;

			assert_int_equal(strtab_intern(&t, texts[i],
						       strlen(texts[i])),
					 id[i]);
			assert_int_equal(strtab_find(&t, texts[i],
						     strlen(texts[i])),
					 id[i]);
		}
		strtab_clear(&t);
		next = 1;
		assert_int_equal(strtab_find(&t, texts[5], strlen(texts[5])),
				 0);
	}
	strtab_free(&t);
	free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
