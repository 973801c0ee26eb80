/* SPDX-License-Identifier: MIT */
/*
 * Decompression for trace input: a byte source over a file descriptor
 * that is plain, xz (liblzma) or gzip (zlib). Compressed input is decoded
 * by a thread of its own, a few chunks ahead of the reader, so that
 * decompressing and parsing use two cores.
 */
#ifndef KSLAB_TOOL_TRACE_DECODE_H
#define KSLAB_TOOL_TRACE_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include "input/trace_input.h"

struct trace_decoder;

/*
 * The most memory an xz stream may make liblzma allocate: its header
 * names the dictionary size, up to 4 GiB, whatever the data's size (a
 * 400-byte file can ask for 4 GiB, allocated twice by a stream read).
 * xz's presets use at most 64 MiB (-9); a stream asking for more than
 * this limit ends the input with "FILE: xz data needs N MiB to decode,
 * more than the limit of 256 MiB (its dictionary)".
 */
#define TRACE_XZ_MEMLIMIT (256ull << 20)

/*
 * Decode fd (not closed here) as comp; the first len bytes of it were
 * already read into head. name is used in messages. threads: 0 decodes
 * in the caller, 1 in a thread of its own, more: an xz file's blocks in
 * up to that many threads (liblzma >= 5.4). NULL on failure (out of
 * memory, decoder or thread could not start), with err set.
 */
struct trace_decoder *trace_decoder_open(int fd, enum trace_compression comp,
					 const void *head, size_t len,
					 const char *name, unsigned int threads,
					 char *err, size_t errlen);
/*
 * A read buffer's size for fd: max, or for a regular file smaller than
 * max the least power of two above its size (at least 4 KiB), so that a
 * small file costs small buffers (the decoder's, trace_input's).
 */
size_t trace_io_size(int fd, size_t max);
/* Up to room decoded bytes: returns how many, 0 at the end, -1 on error. */
long trace_decoder_read(struct trace_decoder *d, char *out, size_t room);
/* The error after -1 ("FILE: truncated xz data"). */
const char *trace_decoder_error(const struct trace_decoder *d);
/* Compressed bytes read from fd so far. */
uint64_t trace_decoder_offset(const struct trace_decoder *d);
void trace_decoder_close(struct trace_decoder *d);

#endif
