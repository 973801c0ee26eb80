// SPDX-License-Identifier: MIT
/* Test helpers: stderr capture through a temporary file, and seeds. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "capture.h"

static int saved_fd = -1;
static FILE *tmp;
static char text[1 << 16];

void capture_start(void)
{
	fflush(stderr);
	tmp = tmpfile();
	saved_fd = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
}

const char *capture_stop(void)
{
	size_t n;

	fflush(stderr);
	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	rewind(tmp);
	n = fread(text, 1, sizeof(text) - 1, tmp);
	text[n] = '\0';
	fclose(tmp);
	/* show it too, so a failing test's log has the messages */
	fputs(text, stderr);
	return text;
}

unsigned int test_seed(const char *test_name)
{
	const char *env = getenv("KSLAB_SEED");
	unsigned int seed = env ? (unsigned int)strtoul(env, NULL, 0) :
				  (unsigned int)time(NULL) ^
					    (unsigned int)getpid();

	printf("%s: seed %u (rerun with KSLAB_SEED=%u)\n", test_name, seed,
	       seed);
	return seed;
}
