// SPDX-License-Identifier: MIT
/*
 * Trace input: opens a file or standard input, detects xz and gzip by
 * magic bytes, has trace_decode.c decompress them (liblzma / zlib, in a
 * thread of its own; a multi-block xz in several) as a stream, and hands
 * out lines, or blocks of whole lines for parsing in parallel (the
 * block's buffer goes to the caller, the partial line after it is moved
 * to a new one). Truncated or corrupt compressed data and read errors
 * end the input with a message (trace_input_error()); the whole lines
 * before the error are still handed out. A plain regular file can
 * instead be mapped and its blocks read in place (trace_input_map()).
 *
 * A plain file that shrinks while it is read (another process truncating
 * it) ends the input with "FILE: file truncated while being read, at
 * byte N of SIZE" (N: where the data read ends: the bytes read, the end
 * of the whole lines handed out, or the file's new size when blocks
 * already handed out went past it), read or mapped. Read: seen at the
 * end of the data (fstat: smaller than at open; the cut last line is
 * dropped). Mapped: the size is checked before each block is cut (the
 * whole lines still in the file are handed out), and the map is guarded
 * (map_guard.c): an access past the new end, by any thread, reads zeros
 * instead of raising SIGBUS, and the next block is refused. Invariant: a
 * mapped input is always guarded (no guard slot, no map: the file is
 * read instead).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "input/map_guard.h"
#include "input/trace_decode.h"
#include "input/trace_input.h"

#define IN_CHUNK (256u << 10)

struct trace_input {
	int fd;
	char *path;
	enum trace_compression comp;
	uint64_t size, lineno;
	struct trace_decoder *dec;
	/* decoded text: line data in buf[start, end) */
	char *buf;
	size_t start, end, cap;
	size_t chunk; /* read at least this much at a time */
	int eof;      /* no more decoded text will come */
	/* trace_input_map(): the whole file, blocks handed out up to off */
	const char *map;
	size_t map_len, map_off;
	int guard;     /* map_guard slot of the map, -1 none */
	int map_short; /* the file shrank: map_len cut to its whole lines */
	uint64_t map_short_at; /* where its data ends for the blocks read */
	char err[256];
};

void (*trace_input_map_hook)(struct trace_input *in, uint64_t off, size_t len);

static void in_err(struct trace_input *in, const char *fmt, const char *what)
{
	if (!in->err[0])
		snprintf(in->err, sizeof(in->err), fmt, in->path, what);
}

/* the file shrank while being read: the input ends at byte at */
static void truncated(struct trace_input *in, uint64_t at)
{
	if (!in->err[0])
		snprintf(in->err, sizeof(in->err),
			 "%s: file truncated while being read, at byte %llu "
			 "of %llu",
			 in->path, (unsigned long long)at,
			 (unsigned long long)in->size);
}

/* At the end of a read plain file: it has all the bytes it had at open? */
static void check_read_size(struct trace_input *in)
{
	uint64_t at = trace_decoder_offset(in->dec);
	struct stat st;

	if (in->comp == TRACE_PLAIN && in->size && at < in->size &&
	    !fstat(in->fd, &st) && (uint64_t)st.st_size < in->size)
		truncated(in, at);
}

/* Read the first bytes (a pipe may give them in pieces) and classify */
static size_t detect(struct trace_input *in, unsigned char *head)
{
	static const unsigned char xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	size_t got = 0;

	while (got < 6) {
		ssize_t n = read(in->fd, head + got, 6 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			in_err(in, "%s: read error: %s", strerror(errno));
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got >= 6 && !memcmp(head, xz_magic, 6))
		in->comp = TRACE_XZ;
	else if (got >= 2 && head[0] == 0x1f && head[1] == 0x8b)
		in->comp = TRACE_GZIP;
	else
		in->comp = TRACE_PLAIN;
	return got;
}

struct trace_input *trace_input_open(const char *path, char *err, size_t errlen)
{
	return trace_input_open_threads(path, 1, err, errlen);
}

struct trace_input *trace_input_open_threads(const char *path,
					     unsigned int threads, char *err,
					     size_t errlen)
{
	struct trace_input *in = calloc(1, sizeof(*in));
	unsigned char head[8];
	struct stat st;
	size_t got;

	if (in)
		in->guard = -1;
	if (!in || !(in->path = strdup(strcmp(path, "-") ? path : "<stdin>"))) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	in->fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (in->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!fstat(in->fd, &st)) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: is a directory", path);
			goto fail;
		}
		if (S_ISREG(st.st_mode))
			in->size = (uint64_t)st.st_size;
	}
	/* a small plain file: its decoded size is known */
	in->chunk = IN_CHUNK;
	got = detect(in, head);
	if (in->comp == TRACE_PLAIN)
		in->chunk = trace_io_size(in->fd, IN_CHUNK);
	if (in->err[0]) {
		snprintf(err, errlen, "%s", in->err);
		goto fail;
	}
	in->dec = trace_decoder_open(in->fd, in->comp, head, got, in->path,
				     threads ? threads : 1, err, errlen);
	if (!in->dec)
		goto fail;
	return in;
fail:
	trace_input_close(in);
	return NULL;
}

/* Append decoded text to buf; 0 when some came, 1 at the end, -1 error */
static int fill(struct trace_input *in)
{
	long n;

	if (in->start > 0 && in->start == in->end)
		in->start = in->end = 0;
	if (in->cap - in->end < in->chunk) {
		if (in->start) {
			memmove(in->buf, in->buf + in->start,
				in->end - in->start);
			in->end -= in->start;
			in->start = 0;
		}
		if (in->cap - in->end < in->chunk) {
			size_t cap = in->cap ? in->cap * 2 : 4 * in->chunk;
			char *b;

			if (cap > TRACE_INPUT_MAX_LINE + 2 * IN_CHUNK) {
				in_err(in, "%s: %s", "line too long");
				return -1;
			}
			b = realloc(in->buf, cap);
			if (!b) {
				in_err(in, "%s: %s", "out of memory");
				return -1;
			}
			in->buf = b;
			in->cap = cap;
		}
	}
	/* keep one byte for the terminating NUL */
	n = trace_decoder_read(in->dec, in->buf + in->end,
			       in->cap - in->end - 1);
	if (n < 0) {
		snprintf(in->err, sizeof(in->err), "%s",
			 trace_decoder_error(in->dec));
		return -1;
	}
	in->end += (size_t)n;
	if (!n)
		check_read_size(in);
	return in->err[0] ? -1 : n ? 0 : 1;
}

char *trace_input_line(struct trace_input *in, size_t *len)
{
	size_t scanned = 0;
	char *line, *nl;

	for (;;) {
		nl = NULL;
		if (in->end > in->start + scanned)
			nl = memchr(in->buf + in->start + scanned, '\n',
				    in->end - in->start - scanned);
		if (nl)
			break;
		scanned = in->end - in->start;
		if (in->eof || in->err[0])
			break;
		int r = fill(in);
		if (r < 0)
			return NULL;
		if (r > 0)
			in->eof = 1;
	}
	if (!nl && (in->err[0] || in->start == in->end))
		return NULL;
	line = in->buf + in->start;
	if (!nl)
		nl = in->buf + in->end; /* last line without a newline */
	*len = (size_t)(nl - line);
	in->start = (size_t)(nl - in->buf) + (nl < in->buf + in->end);
	*nl = '\0';
	if (*len && line[*len - 1] == '\r')
		line[--*len] = '\0';
	in->lineno++;
	return line;
}

/* Room for want more bytes after end (and a NUL), no more; 0 or -1 */
static int reserve(struct trace_input *in, size_t want)
{
	size_t cap = (in->end + want + IN_CHUNK) & ~(size_t)(IN_CHUNK - 1);
	char *b;

	if (cap <= in->cap)
		return 0;
	b = realloc(in->buf, cap);
	if (!b) {
		in_err(in, "%s: %s", "out of memory");
		return -1;
	}
	in->buf = b;
	in->cap = cap;
	return 0;
}

/* decoded bytes appended after end: how many, 0 at the end, -1 error */
static long take_more(struct trace_input *in, size_t room)
{
	long n = trace_decoder_read(in->dec, in->buf + in->end, room);

	if (n < 0) {
		snprintf(in->err, sizeof(in->err), "%s",
			 trace_decoder_error(in->dec));
	} else if (!n) {
		in->eof = 1;
		check_read_size(in);
		if (in->err[0])
			return -1;
	} else {
		in->end += (size_t)n;
	}
	return n;
}

char *trace_input_block(struct trace_input *in, size_t want, size_t *len)
{
	size_t cut, rest;
	char *block, *nl;

	if (want < IN_CHUNK)
		want = IN_CHUNK;
	for (;;) { /* buf[0, end) holds the start of a line */
		while (in->end < want && !in->eof && !in->err[0])
			if (reserve(in, want - in->end) ||
			    take_more(in, in->cap - in->end - 1) < 0)
				break;
		if (!in->end)
			return NULL;
		nl = memrchr(in->buf, '\n', in->end);
		if (in->err[0] && !nl)
			return NULL; /* a last line cut short is dropped */
		if (nl || in->eof || in->err[0])
			break;
		if (in->end > TRACE_INPUT_MAX_LINE) {
			in_err(in, "%s: %s", "line too long");
			return NULL;
		}
		want = in->end * 2; /* one line longer than the block */
	}
	cut = nl ? (size_t)(nl + 1 - in->buf) : in->end;
	rest = in->end - cut;
	block = in->buf;
	*len = cut;
	in->buf = NULL;
	in->cap = in->end = 0;
	if (rest && reserve(in, rest > want ? rest : want)) {
		free(block);
		return NULL;
	}
	if (rest)
		memcpy(in->buf, block + cut, rest);
	in->end = rest;
	return block;
}

int trace_input_map(struct trace_input *in)
{
	void *m;

	if (in->map)
		return 0;
	if (in->comp != TRACE_PLAIN || in->fd <= 0 || !in->size ||
	    in->size > SIZE_MAX || in->buf)
		return -1;
	m = mmap(NULL, (size_t)in->size, PROT_READ, MAP_PRIVATE, in->fd, 0);
	if (m == MAP_FAILED)
		return -1;
	in->guard = map_guard_add(m, (size_t)in->size);
	if (in->guard < 0) { /* unguarded, a truncation would kill us */
		munmap(m, (size_t)in->size);
		return -1;
	}
	madvise(m, (size_t)in->size, MADV_WILLNEED);
	in->map = m;
	in->map_len = (size_t)in->size;
	return 0;
}

/*
 * Before a block is cut: a fault in the map (its offset) ends the input;
 * a smaller file cuts the map after its last whole line. 0, or -1 when
 * the map must not be read further.
 */
static int map_check(struct trace_input *in)
{
	const char *nl = NULL;
	uint64_t off, size = UINT64_MAX;
	struct stat st;

	if (!fstat(in->fd, &st))
		size = (uint64_t)st.st_size;
	if (map_guard_hit(in->guard, &off)) {
		/* blocks handed out read zeros from off (or the new end) on */
		off = off < in->map_off ? off : in->map_off;
		truncated(in, size < off ? size : off);
		return -1;
	}
	if (in->map_short || size >= in->map_len)
		return 0;
	/* the whole lines still in the file are read, the rest is lost */
	if (size > in->map_off)
		nl = memrchr(in->map + in->map_off, '\n',
			     (size_t)size - in->map_off);
	in->map_len = nl ? (size_t)(nl + 1 - in->map) : in->map_off;
	in->map_short_at = size < in->map_len ? size : in->map_len;
	in->map_short = 1;
	return 0;
}

const char *trace_input_map_block(struct trace_input *in, size_t want,
				  size_t *len)
{
	const char *p, *ls, *nl;
	size_t rest, cut;

	if (!in->map || in->err[0] || map_check(in))
		return NULL;
	p = in->map + in->map_off;
	rest = cut = in->map_len - in->map_off;
	if (!rest) {
		if (in->map_short)
			truncated(in, in->map_short_at);
		return NULL;
	}
	if (want < IN_CHUNK)
		want = IN_CHUNK;
	if (rest > want) {
		/* the line holding byte want: where it starts and ends */
		ls = memrchr(p, '\n', want);
		ls = ls ? ls + 1 : p;
		nl = memchr(p + want, '\n', rest - want);
		if ((size_t)((nl ? nl : p + rest) - ls) >
		    TRACE_INPUT_MAX_LINE) {
			in_err(in, "%s: %s", "line too long");
			cut = (size_t)(ls - p);
		} else {
			cut = nl ? (size_t)(nl + 1 - p) : rest;
		}
	}
	in->map_off += cut;
	*len = cut;
	if (cut && trace_input_map_hook)
		trace_input_map_hook(in, (uint64_t)(p - in->map), cut);
	return cut ? p : NULL;
}

void trace_input_map_done(struct trace_input *in, const char *block, size_t len)
{
	static size_t page;
	uintptr_t a = (uintptr_t)block, e = (uintptr_t)block + len;

	if (!page)
		page = (size_t)sysconf(_SC_PAGESIZE);
	if (!in->map || !page)
		return;
	a &= ~(uintptr_t)(page - 1); /* the next block's first page kept */
	e &= ~(uintptr_t)(page - 1);
	if (e > a)
		madvise((void *)a, e - a, MADV_DONTNEED);
}

const char *trace_input_error(const struct trace_input *in)
{
	return in->err[0] ? in->err : NULL;
}

uint64_t trace_input_lineno(const struct trace_input *in)
{
	return in->lineno;
}

uint64_t trace_input_offset(const struct trace_input *in)
{
	if (in->map)
		return in->map_off;
	return trace_decoder_offset(in->dec);
}

uint64_t trace_input_size(const struct trace_input *in)
{
	return in->size;
}

enum trace_compression trace_input_compression(const struct trace_input *in)
{
	return in->comp;
}

const char *trace_input_path(const struct trace_input *in)
{
	return in->path;
}

void trace_input_close(struct trace_input *in)
{
	if (!in)
		return;
	if (in->map) {
		map_guard_remove(in->guard);
		munmap((void *)(uintptr_t)in->map, (size_t)in->size);
	}
	trace_decoder_close(in->dec);
	if (in->fd > 0)
		close(in->fd);
	free(in->buf);
	free(in->path);
	free(in);
}
