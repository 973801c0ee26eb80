// SPDX-License-Identifier: MIT
/*
 * Kernel-style messages on stderr.
 *
 * Every message is one line, prefixed "kslab: " and written with a single
 * write so that lines from several threads never interleave. Callers that
 * may repeat a message in a loop (allocation failures, bad frees during a
 * replay) go through ksl_ratelimit() first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lib/printk.h"

void ksl_printk(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n = snprintf(buf, sizeof(buf), "kslab: ");

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	if (buf[n - 1] != '\n')
		buf[n++] = '\n';
	fflush(stdout);
	if (write(STDERR_FILENO, buf, n) < 0)
		return;
}

/*
 * Allow the first `burst` messages of one kind, then one line saying the
 * rest are suppressed. Deterministic (no clock), so tests see the same
 * output on every run.
 */
bool ksl_ratelimit(atomic_uint *counter, unsigned int burst)
{
	unsigned int n =
		atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);

	if (n < burst)
		return true;
	if (n == burst)
		ksl_printk("further messages of this kind suppressed");
	return false;
}

const char *ksl_comm(void)
{
	return program_invocation_short_name;
}
