// SPDX-License-Identifier: MIT
/*
 * Trace input: opens a file or standard input, detects xz and gzip by
 * magic bytes, decompresses with liblzma / zlib as a stream, and hands out
 * lines. Truncated or corrupt compressed data and read errors end the
 * input with a message (trace_input_error()).
 */
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "trace_input.h"

#define IN_CHUNK (256u << 10)

struct trace_input {
	int fd;
	char *path;
	enum trace_compression comp;
	uint64_t size, offset, lineno;
	/* raw bytes from the file */
	unsigned char *raw;
	size_t raw_pos, raw_len;
	int raw_eof;
	/* decoded text: line data in buf[start, end) */
	char *buf;
	size_t start, end, cap;
	int eof;	/* no more decoded text will come */
	lzma_stream xz;
	z_stream gz;
	int gz_ready, gz_member_done;
	char err[256];
};

static void in_err(struct trace_input *in, const char *fmt, const char *what)
{
	if (!in->err[0])
		snprintf(in->err, sizeof(in->err), fmt, in->path, what);
}

static int raw_fill(struct trace_input *in)
{
	ssize_t n;

	if (in->raw_pos < in->raw_len || in->raw_eof)
		return 0;
	do
		n = read(in->fd, in->raw, IN_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		in_err(in, "%s: read error: %s", strerror(errno));
		return -1;
	}
	in->raw_pos = 0;
	in->raw_len = (size_t)n;
	in->offset += (uint64_t)n;
	if (!n)
		in->raw_eof = 1;
	return 0;
}

static void detect(struct trace_input *in)
{
	static const unsigned char xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	size_t got = 0;

	/* a pipe may deliver the first bytes in pieces */
	while (got < 6 && !in->raw_eof) {
		ssize_t n = read(in->fd, in->raw + got, 6 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				in_err(in, "%s: read error: %s",
				       strerror(errno));
			in->raw_eof = 1;
			break;
		}
		got += (size_t)n;
	}
	in->raw_len = got;
	in->offset = got;
	if (got >= 6 && !memcmp(in->raw, xz_magic, 6))
		in->comp = TRACE_XZ;
	else if (got >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b)
		in->comp = TRACE_GZIP;
	else
		in->comp = TRACE_PLAIN;
}

static int decoder_init(struct trace_input *in)
{
	if (in->comp == TRACE_XZ) {
		lzma_stream init = LZMA_STREAM_INIT;

		in->xz = init;
		if (lzma_stream_decoder(&in->xz, UINT64_MAX,
					LZMA_CONCATENATED) != LZMA_OK) {
			in_err(in, "%s: %s", "cannot start the xz decoder");
			return -1;
		}
	} else if (in->comp == TRACE_GZIP) {
		memset(&in->gz, 0, sizeof(in->gz));
		/* 15 + 16: gzip wrapper only */
		if (inflateInit2(&in->gz, 15 + 16) != Z_OK) {
			in_err(in, "%s: %s", "cannot start the gzip decoder");
			return -1;
		}
		in->gz_ready = 1;
	}
	return 0;
}

struct trace_input *trace_input_open(const char *path, char *err,
				     size_t errlen)
{
	struct trace_input *in = calloc(1, sizeof(*in));
	struct stat st;

	if (!in || !(in->raw = malloc(IN_CHUNK)) ||
	    !(in->path = strdup(strcmp(path, "-") ? path : "<stdin>"))) {
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
	detect(in);
	if (in->err[0] || decoder_init(in)) {
		snprintf(err, errlen, "%s", in->err);
		goto fail;
	}
	return in;
fail:
	trace_input_close(in);
	return NULL;
}

/* Decode into buf[end, cap): returns bytes produced, 0 at end, -1 error */
static long decode_xz(struct trace_input *in, char *out, size_t room)
{
	lzma_ret r;

	in->xz.next_out = (uint8_t *)out;
	in->xz.avail_out = room;
	while (in->xz.avail_out == room) {
		if (raw_fill(in))
			return -1;
		in->xz.next_in = in->raw + in->raw_pos;
		in->xz.avail_in = in->raw_len - in->raw_pos;
		r = lzma_code(&in->xz, in->raw_eof ? LZMA_FINISH : LZMA_RUN);
		in->raw_pos = in->raw_len - in->xz.avail_in;
		if (r == LZMA_STREAM_END)
			break;
		if (r == LZMA_BUF_ERROR && in->raw_eof) {
			in_err(in, "%s: %s", "truncated xz data");
			return -1;
		}
		if (r != LZMA_OK && r != LZMA_BUF_ERROR) {
			in_err(in, "%s: corrupt xz data (%s)",
			       r == LZMA_FORMAT_ERROR ? "format" :
			       r == LZMA_DATA_ERROR ? "data error" :
			       r == LZMA_MEM_ERROR ? "out of memory" :
			       "decoder error");
			return -1;
		}
	}
	return (long)(room - in->xz.avail_out);
}

static long decode_gz(struct trace_input *in, char *out, size_t room)
{
	int r;

	in->gz.next_out = (Bytef *)out;
	in->gz.avail_out = (uInt)room;
	while (in->gz.avail_out == room) {
		if (raw_fill(in))
			return -1;
		if (in->raw_pos == in->raw_len && in->raw_eof) {
			if (!in->gz_member_done)
				in_err(in, "%s: %s", "truncated gzip data");
			return in->gz_member_done ? 0 : -1;
		}
		if (in->gz_member_done) {	/* another member follows */
			inflateReset(&in->gz);
			in->gz_member_done = 0;
		}
		in->gz.next_in = in->raw + in->raw_pos;
		in->gz.avail_in = (uInt)(in->raw_len - in->raw_pos);
		r = inflate(&in->gz, Z_NO_FLUSH);
		in->raw_pos = in->raw_len - in->gz.avail_in;
		if (r == Z_STREAM_END)
			in->gz_member_done = 1;
		else if (r != Z_OK && r != Z_BUF_ERROR) {
			in_err(in, "%s: corrupt gzip data (%s)",
			       in->gz.msg ? in->gz.msg : "inflate error");
			return -1;
		}
	}
	return (long)(room - in->gz.avail_out);
}

static long decode_plain(struct trace_input *in, char *out, size_t room)
{
	size_t n = in->raw_len - in->raw_pos;
	ssize_t r;

	if (n) {	/* the bytes read to detect the format */
		if (n > room)
			n = room;
		memcpy(out, in->raw + in->raw_pos, n);
		in->raw_pos += n;
		return (long)n;
	}
	if (in->raw_eof)
		return 0;
	do	/* straight into the line buffer: no copy */
		r = read(in->fd, out, room);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		in_err(in, "%s: read error: %s", strerror(errno));
		return -1;
	}
	if (!r)
		in->raw_eof = 1;
	in->offset += (uint64_t)r;
	return (long)r;
}

/* Append decoded text to buf; 0 when some came, 1 at the end, -1 error */
static int fill(struct trace_input *in)
{
	long n;

	if (in->start > 0 && in->start == in->end)
		in->start = in->end = 0;
	if (in->cap - in->end < IN_CHUNK) {
		if (in->start) {
			memmove(in->buf, in->buf + in->start,
				in->end - in->start);
			in->end -= in->start;
			in->start = 0;
		}
		if (in->cap - in->end < IN_CHUNK) {
			size_t cap = in->cap ? in->cap * 2 : 4 * IN_CHUNK;
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
	if (in->comp == TRACE_XZ)
		n = decode_xz(in, in->buf + in->end, in->cap - in->end - 1);
	else if (in->comp == TRACE_GZIP)
		n = decode_gz(in, in->buf + in->end, in->cap - in->end - 1);
	else
		n = decode_plain(in, in->buf + in->end, in->cap - in->end - 1);
	if (n < 0)
		return -1;
	in->end += (size_t)n;
	return n ? 0 : 1;
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
		nl = in->buf + in->end;	/* last line without a newline */
	*len = (size_t)(nl - line);
	in->start = (size_t)(nl - in->buf) + (nl < in->buf + in->end);
	*nl = '\0';
	if (*len && line[*len - 1] == '\r')
		line[--*len] = '\0';
	in->lineno++;
	return line;
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
	return in->offset;
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
	if (in->comp == TRACE_XZ)
		lzma_end(&in->xz);
	if (in->gz_ready)
		inflateEnd(&in->gz);
	if (in->fd > 0)
		close(in->fd);
	free(in->raw);
	free(in->buf);
	free(in->path);
	free(in);
}
