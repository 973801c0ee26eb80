/* SPDX-License-Identifier: MIT */
/*
 * Reading trace text: a file or "-" (standard input), plain or compressed
 * with xz or gzip (told apart by their magic bytes, never by the name),
 * decompressed as a stream, and split into lines of any length; the last
 * line needs no newline.
 */
#ifndef KSLAB_TOOL_TRACE_INPUT_H
#define KSLAB_TOOL_TRACE_INPUT_H

#include <stddef.h>
#include <stdint.h>

enum trace_compression {
	TRACE_PLAIN,
	TRACE_XZ,
	TRACE_GZIP,
};

struct trace_input;

/*
 * Open path ("-" for standard input). Returns NULL with a message in
 * err (e.g. "kmem.trace: No such file or directory") on failure.
 */
struct trace_input *trace_input_open(const char *path, char *err,
				     size_t errlen);
/*
 * As trace_input_open(), with up to threads decoder threads for an xz
 * file of several blocks (liblzma's multi-threaded decoder, when the
 * liblzma built against has it); 0 or 1 is trace_input_open().
 */
struct trace_input *trace_input_open_threads(const char *path,
					     unsigned int threads, char *err,
					     size_t errlen);
/*
 * The next line without its newline (and without a '\r' before it),
 * NUL-terminated, valid until the next call; *len gets its length.
 * Returns NULL at the end of input or on an error: then
 * trace_input_error() tells which (NULL at a clean end).
 */
char *trace_input_line(struct trace_input *in, size_t *len);
const char *trace_input_error(const struct trace_input *in);
/*
 * Instead of lines, whole lines by the block (for parsing in parallel;
 * not mixed with trace_input_line()): at least want bytes when the input
 * has them, ending after a newline, or at the end of the input (a last
 * line without one). *len gets its length; the block is the caller's to
 * free() and has room for one byte more (a NUL after a last line).
 * Lines are not counted (trace_input_lineno() stays 0). NULL at the end
 * or on an error, as trace_input_line(); a line longer than
 * TRACE_INPUT_MAX_LINE is an error.
 */
char *trace_input_block(struct trace_input *in, size_t want, size_t *len);
/*
 * Instead of copies: a plain regular file mapped into memory, to be read
 * in place by trace_input_map_block() (not mixed with the calls above).
 * 0 when mapped; -1 when this input cannot be (compressed, a pipe,
 * standard input, empty; the calls above still work).
 */
int trace_input_map(struct trace_input *in);
/*
 * The mapped file's next block of whole lines, as trace_input_block()
 * cuts them but read-only and in place (no NUL after it; valid until
 * trace_input_close()). NULL at the end, or after a line longer than
 * TRACE_INPUT_MAX_LINE (an error; the block before it is handed out).
 * A file that shrinks while mapped is not fatal: the map is guarded
 * (map_guard.h), so reading a block past the file's new end, in any
 * thread, reads zeros instead of raising SIGBUS; the next call ends the
 * input with "FILE: file truncated while being read, at byte N of SIZE"
 * (trace_input_error()), after the whole lines still in the file.
 */
const char *trace_input_map_block(struct trace_input *in, size_t want,
				  size_t *len);
/*
 * Tests only: when set, called with each mapped block as it is cut (its
 * offset in the file and its length), before it is handed out.
 */
extern void (*trace_input_map_hook)(struct trace_input *in, uint64_t off,
				    size_t len);
/*
 * A mapped block read and done with: its pages leave the process's
 * resident set (the file's pages stay cached; a page still read by the
 * next block comes back on its own).
 */
void trace_input_map_done(struct trace_input *in, const char *block,
			  size_t len);
/* Lines returned so far: the number of the last one. */
uint64_t trace_input_lineno(const struct trace_input *in);
/* Bytes read from the file so far (compressed size), for progress. */
uint64_t trace_input_offset(const struct trace_input *in);
/* Size of the file when it is a regular file, else 0. */
uint64_t trace_input_size(const struct trace_input *in);
enum trace_compression trace_input_compression(const struct trace_input *in);
const char *trace_input_path(const struct trace_input *in);
void trace_input_close(struct trace_input *in);

/* Longest line accepted; longer ones are an error. */
#define TRACE_INPUT_MAX_LINE (64u << 20)

#endif
