/* SPDX-License-Identifier: MIT */
/*
 * Test helper: a strict JSON syntax check (RFC 8259) and a look-up of a
 * number by a dotted path of object keys ("events.kmalloc").
 */
#ifndef KSLAB_TEST_JSON_CHECK_H
#define KSLAB_TEST_JSON_CHECK_H

/* 0 when text is exactly one valid JSON value (plus white space). */
int json_check(const char *text);
/* The number at path (objects only), or -1 when absent / not a number. */
double json_number_at(const char *text, const char *path);

#endif
