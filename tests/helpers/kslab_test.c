// SPDX-License-Identifier: MIT
/* Test helpers shared by several test programs (kslab_test.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <sys/wait.h>
#include "kslab_test.h"

#define SLURP_MAX (1 << 20)

const char *test_boot_line(const char *base)
{
	static char line[1024];
	const char *extra = getenv("KSLAB_TEST_BOOT");

	snprintf(line, sizeof(line), "%s%s%s", base, extra ? " " : "",
		 extra ? extra : "");
	return line;
}

int shutdown_teardown(void **state)
{
	(void)state;
	kslab_shutdown();
	return 0;
}

struct kslab_cache_info cache_info_of(struct kmem_cache *s)
{
	struct kslab_cache_info i;

	assert_int_equal(kslab_cache_info(s, &i), 0);
	return i;
}

char *slurp_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, SLURP_MAX);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, SLURP_MAX - 1, f);
	fclose(f);
	return buf;
}

char *slurp(const char *path)
{
	size_t len;
	char *buf = slurp_file(path, &len);

	assert_true(len > 0);
	return buf;
}

void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

char *run_command(const char *cmd, int *status)
{
	char *buf = NULL, chunk[4096];
	size_t len = 0, n;
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		buf = realloc(buf, len + n + 1);
		assert_non_null(buf);
		memcpy(buf + len, chunk, n);
		len += n;
	}
	*status = WEXITSTATUS(pclose(p));
	if (!buf)
		buf = calloc(1, 1);
	assert_non_null(buf);
	buf[len] = '\0';
	return buf;
}

char *run_replay(const char *args, int *status)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s/kslab replay %s", KSLAB_BINDIR, args);
	return run_command(cmd, status);
}
