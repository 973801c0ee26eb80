// SPDX-License-Identifier: MIT
/*
 * The report output layer: JSON escaping and nesting (checked by the
 * strict JSON checker), CSV quoting, table alignment, --format names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "helpers/json_check.h"
#include "output/output.h"

static char buf[8192];

static FILE *open_buf(void)
{
	memset(buf, 0, sizeof(buf));
	return fmemopen(buf, sizeof(buf), "w");
}

static void test_json(void **state)
{
	FILE *f = open_buf();
	struct json j;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_str(&j, "plain", "kmalloc-64");
	json_str(&j, "nasty", "q\"b\\s/\n\t\r\x01\x7f end");
	json_u64(&j, "big", UINT64_MAX);
	json_i64(&j, "neg", -5);
	json_double(&j, "ratio", 0.5);
	json_double(&j, "nan", 0.0 / 0.0);
	json_bool(&j, "yes", 1);
	json_null(&j, "nothing");
	json_arr_begin(&j, "empty");
	json_arr_end(&j);
	json_obj_begin(&j, "nested");
	json_arr_begin(&j, "list");
	json_u64(&j, NULL, 1);
	json_obj_begin(&j, NULL);
	json_u64(&j, "x", 7);
	json_obj_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	json_obj_end(&j);
	json_finish(&j);
	fclose(f);
	printf("%s", buf);
	assert_int_equal(json_check(buf), 0);
	assert_non_null(
		strstr(buf, "\"q\\\"b\\\\s/\\n\\t\\r\\u0001\\u007f end\""));
	assert_non_null(strstr(buf, "\"big\": 18446744073709551615"));
	assert_non_null(strstr(buf, "\"nan\": null"));
	assert_true(json_number_at(buf, "neg") == -5);
	assert_true(json_number_at(buf, "ratio") == 0.5);
	/* the checker itself rejects broken JSON */
	assert_int_equal(json_check("{\"a\": 1,}"), -1);
	assert_int_equal(json_check("{\"a\": \"x\ny\"}"), -1);
	assert_int_equal(json_check("[1, 2] 3"), -1);
}

static void test_csv(void **state)
{
	FILE *f = open_buf();

	csv_field(f, "plain", 1);
	csv_field(f, "with,comma", 0);
	csv_field(f, "with \"quote\"", 0);
	csv_field(f, "two\nlines", 0);
	csv_u64(f, 42, 0);
	csv_end(f);
	fclose(f);
	assert_string_equal(buf, "plain,\"with,comma\",\"with \"\"quote\"\"\","
				 "\"two\nlines\",42\n");
}

static void test_table(void **state)
{
	static const char *const hdr[] = { "cache", "objs", "size" };
	struct table *t = table_new(3, hdr, "lrr");
	FILE *f = open_buf();

	table_cell(t, "%s", "kmalloc-8");
	table_cell(t, "%d", 5);
	table_cell(t, "%d", 8);
	table_cell(t, "%s", "kmalloc-1k");
	table_cell(t, "%d", 12345);
	table_cell(t, "%d", 1024);
	assert_int_equal(table_rows(t), 2);
	table_print(t, f, "> ");
	fclose(f);
	assert_string_equal(buf, "> cache        objs  size\n"
				 "> kmalloc-8       5     8\n"
				 "> kmalloc-1k  12345  1024\n");
	f = open_buf();
	table_print_csv(t, f, "sec");
	fclose(f);
	assert_string_equal(buf,
			    "sec,kmalloc-8,5,8\nsec,kmalloc-1k,12345,1024\n");
	table_free(t);
}

static void test_format_names(void **state)
{
	enum out_format fmt;

	assert_int_equal(out_format_parse("table", &fmt), 0);
	assert_int_equal(fmt, OUT_TABLE);
	assert_int_equal(out_format_parse("json", &fmt), 0);
	assert_int_equal(fmt, OUT_JSON);
	assert_int_equal(out_format_parse("csv", &fmt), 0);
	assert_int_equal(fmt, OUT_CSV);
	assert_int_equal(out_format_parse("xml", &fmt), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_format_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
