/* SPDX-License-Identifier: MIT */
/*
 * Report output shared by the subcommands: the --format choice, a JSON
 * writer (proper string escaping, commas and nesting handled), CSV fields
 * (RFC 4180 quoting) and aligned text tables.
 */
#ifndef KSLAB_TOOL_OUTPUT_H
#define KSLAB_TOOL_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

enum out_format {
	OUT_TABLE,
	OUT_JSON,
	OUT_CSV,
};

/* "table", "json" or "csv"; -1 for anything else. */
int out_format_parse(const char *name, enum out_format *fmt);

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int depth;
	unsigned char first[JSON_MAX_DEPTH]; /* nothing written yet */
};

void json_init(struct json *j, FILE *f);
/* key is NULL for a value in an array or the top-level value. */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *v);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_double(struct json *j, const char *key, double v);
void json_bool(struct json *j, const char *key, int v);
void json_null(struct json *j, const char *key);
/* Ends the document with a newline. */
void json_finish(struct json *j);
/* A JSON string literal with quotes and escapes. */
void json_write_string(FILE *f, const char *s);

/* One CSV field; a comma is written before it unless first. */
void csv_field(FILE *f, const char *s, int first);
void csv_u64(FILE *f, uint64_t v, int first);
void csv_end(FILE *f);

struct table;
/* align: one char per column, 'l' or 'r'. */
struct table *table_new(int ncols, const char *const *headers,
			const char *align);
/* Append a cell (printf-style); rows wrap after ncols cells. */
void table_cell(struct table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void table_print(const struct table *t, FILE *f, const char *indent);
/* The rows as CSV, each prefixed by the field section when not NULL. */
void table_print_csv(const struct table *t, FILE *f, const char *section);
size_t table_rows(const struct table *t);
void table_free(struct table *t);

/*
 * Flush and close standard output at the end of a command: 0, or -1 with
 * "kslab CMD: write error on standard output: REASON" on stderr (a full
 * disk, a closed descriptor), which the command turns into exit status 1.
 */
int out_close_stdout(const char *cmd);

#endif
