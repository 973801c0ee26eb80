/* SPDX-License-Identifier: MIT */
/*
 * An output file, plain or xz-compressed (liblzma) as it is written:
 * what `kslab record` streams trace text into. "-" is standard output.
 */
#ifndef KSLAB_TOOL_XZOUT_H
#define KSLAB_TOOL_XZOUT_H

#include <stddef.h>

struct xzout;

/* xz: compress. Returns NULL with a message in err. */
struct xzout *xzout_open(const char *path, int xz, char *err, size_t errlen);
int xzout_write(struct xzout *o, const void *buf, size_t len);
/* Finish the stream and close; returns -1 if anything failed. */
int xzout_close(struct xzout *o);
/* True when path ends in ".xz". */
int xzout_wants_xz(const char *path);

#endif
