// SPDX-License-Identifier: MIT
/*
 * Report output (see output.h): JSON writer, CSV quoting, text tables.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "output/output.h"

int out_format_parse(const char *name, enum out_format *fmt)
{
	if (!strcmp(name, "table"))
		*fmt = OUT_TABLE;
	else if (!strcmp(name, "json"))
		*fmt = OUT_JSON;
	else if (!strcmp(name, "csv"))
		*fmt = OUT_CSV;
	else
		return -1;
	return 0;
}

void json_write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = 1;
}

/* Comma, newline, indentation and the key of the next value */
static void json_key(struct json *j, const char *key)
{
	if (j->depth) {
		if (!j->first[j->depth])
			fputc(',', j->f);
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	j->first[j->depth] = 0;
	if (key) {
		json_write_string(j->f, key);
		fputs(": ", j->f);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_key(j, key);
	fputc(c, j->f);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = 1;
}

static void json_close(struct json *j, char c)
{
	int empty = j->first[j->depth];

	if (j->depth)
		j->depth--;
	if (!empty) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
}

void json_obj_begin(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_end(struct json *j)
{
	json_close(j, '}');
}

void json_arr_begin(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_end(struct json *j)
{
	json_close(j, ']');
}

void json_str(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	json_write_string(j->f, v);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%lld", (long long)v);
}

void json_double(struct json *j, const char *key, double v)
{
	json_key(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);
}

void json_bool(struct json *j, const char *key, int v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

void json_finish(struct json *j)
{
	fputc('\n', j->f);
}

void csv_field(FILE *f, const char *s, int first)
{
	if (!first)
		fputc(',', f);
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void csv_u64(FILE *f, uint64_t v, int first)
{
	fprintf(f, "%s%llu", first ? "" : ",", (unsigned long long)v);
}

void csv_end(FILE *f)
{
	fputc('\n', f);
}

struct table {
	int ncols;
	char **hdr;
	char *align;
	char **cells;
	size_t nr, cap;
};

struct table *table_new(int ncols, const char *const *headers,
			const char *align)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ncols = ncols;
	t->hdr = calloc((size_t)ncols, sizeof(char *));
	t->align = calloc((size_t)ncols + 1, 1);
	if (!t->hdr || !t->align) {
		table_free(t);
		return NULL;
	}
	for (int i = 0; i < ncols; i++) {
		t->hdr[i] = strdup(headers[i]);
		t->align[i] = align && align[i] == 'r' ? 'r' : 'l';
	}
	return t;
}

void table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (!t)
		return;
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **c = realloc(t->cells, cap * sizeof(*c));

		if (!c)
			return;
		t->cells = c;
		t->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	t->cells[t->nr++] = s;
}

size_t table_rows(const struct table *t)
{
	return t ? (t->nr + (size_t)t->ncols - 1) / (size_t)t->ncols : 0;
}

static const char *cell(const struct table *t, size_t row, int col)
{
	size_t i = row * (size_t)t->ncols + (size_t)col;

	return i < t->nr && t->cells[i] ? t->cells[i] : "";
}

void table_print(const struct table *t, FILE *f, const char *indent)
{
	size_t rows = table_rows(t);
	int *w;

	if (!t || !(w = calloc((size_t)t->ncols, sizeof(int))))
		return;
	for (int c = 0; c < t->ncols; c++) {
		w[c] = (int)strlen(t->hdr[c]);
		for (size_t r = 0; r < rows; r++)
			if ((int)strlen(cell(t, r, c)) > w[c])
				w[c] = (int)strlen(cell(t, r, c));
	}
	for (size_t r = 0; r <= rows; r++) {
		fputs(indent ? indent : "", f);
		for (int c = 0; c < t->ncols; c++) {
			const char *s = r ? cell(t, r - 1, c) : t->hdr[c];
			int last = c == t->ncols - 1;

			if (t->align[c] == 'r')
				fprintf(f, "%*s", w[c], s);
			else
				fprintf(f, "%-*s", last ? 0 : w[c], s);
			if (!last)
				fputs("  ", f);
		}
		fputc('\n', f);
	}
	free(w);
}

void table_print_csv(const struct table *t, FILE *f, const char *section)
{
	size_t rows = table_rows(t);

	if (!t)
		return;
	for (size_t r = 0; r < rows; r++) {
		if (section)
			csv_field(f, section, 1);
		for (int c = 0; c < t->ncols; c++)
			csv_field(f, cell(t, r, c), !section && !c);
		csv_end(f);
	}
}

void table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nr; i++)
		free(t->cells[i]);
	for (int i = 0; t->hdr && i < t->ncols; i++)
		free(t->hdr[i]);
	free(t->hdr);
	free(t->align);
	free(t->cells);
	free(t);
}

int out_close_stdout(const char *cmd)
{
	int err = 0;

	errno = 0;
	if (fflush(stdout) || ferror(stdout))
		err = errno ? errno : EIO;
	if (fclose(stdout) && !err)
		err = errno ? errno : EIO;
	if (!err)
		return 0;
	fprintf(stderr, "kslab %s: write error on standard output: %s\n", cmd,
		strerror(err));
	return -1;
}
