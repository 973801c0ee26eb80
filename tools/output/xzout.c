// SPDX-License-Identifier: MIT
/*
 * Plain or xz output files (see xzout.h).
 */
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/xzout.h"

/* fast enough to keep up with a busy kernel's events, still ~10x */
#define XZOUT_PRESET 1

struct xzout {
	FILE *f;
	int xz, failed;
	lzma_stream s;
	uint8_t buf[64 << 10];
};

int xzout_wants_xz(const char *path)
{
	size_t n = strlen(path);

	return n > 3 && !strcmp(path + n - 3, ".xz");
}

struct xzout *xzout_open(const char *path, int xz, char *err, size_t errlen)
{
	struct xzout *o = calloc(1, sizeof(*o));
	lzma_stream init = LZMA_STREAM_INIT;

	if (!o) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o->f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	if (!o->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(o);
		return NULL;
	}
	o->xz = xz;
	o->s = init;
	if (xz && lzma_easy_encoder(&o->s, XZOUT_PRESET, LZMA_CHECK_CRC64) !=
			  LZMA_OK) {
		snprintf(err, errlen, "%s: cannot start the xz encoder", path);
		if (o->f != stdout)
			fclose(o->f);
		free(o);
		return NULL;
	}
	return o;
}

static int run(struct xzout *o, lzma_action action)
{
	lzma_ret r;

	do {
		o->s.next_out = o->buf;
		o->s.avail_out = sizeof(o->buf);
		r = lzma_code(&o->s, action);
		if (r != LZMA_OK && r != LZMA_STREAM_END)
			return -1;
		size_t n = sizeof(o->buf) - o->s.avail_out;
		if (n && fwrite(o->buf, 1, n, o->f) != n)
			return -1;
	} while (o->s.avail_in ||
		 (action == LZMA_FINISH && r != LZMA_STREAM_END));
	return 0;
}

int xzout_write(struct xzout *o, const void *buf, size_t len)
{
	if (o->failed)
		return -1;
	if (!o->xz) {
		if (fwrite(buf, 1, len, o->f) != len)
			o->failed = 1;
		return o->failed ? -1 : 0;
	}
	o->s.next_in = buf;
	o->s.avail_in = len;
	if (run(o, LZMA_RUN))
		o->failed = 1;
	return o->failed ? -1 : 0;
}

int xzout_close(struct xzout *o)
{
	int ret;

	if (!o)
		return 0;
	if (o->xz) {
		if (!o->failed && run(o, LZMA_FINISH))
			o->failed = 1;
		lzma_end(&o->s);
	}
	if (fflush(o->f))
		o->failed = 1;
	if (o->f != stdout && fclose(o->f))
		o->failed = 1;
	ret = o->failed ? -1 : 0;
	free(o);
	return ret;
}
