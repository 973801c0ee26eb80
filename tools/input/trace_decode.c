// SPDX-License-Identifier: MIT
/*
 * Plain, xz and gzip byte sources for the trace reader (trace_decode.h).
 *
 * The decoding loops (src_*) fill a buffer as far as they can. In
 * threaded mode a decoder thread runs them into a ring of DEC_CHUNKS
 * chunks; the reader takes filled chunks in order. A decoding error
 * ends the ring: the bytes decoded before it are still delivered, then
 * -1. The reader's side never touches the codec state.
 */
#include <errno.h>
#include <lzma.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "input/trace_decode.h"

#define DEC_RAW (256u << 10)
#define DEC_CHUNK (128u << 10)
#define DEC_CHUNKS 8

struct dec_chunk {
	char *data;
	size_t len;
};

struct trace_decoder {
	int fd;
	enum trace_compression comp;
	char name[200];
	/* codec side (the thread when threaded) */
	unsigned char *raw;    /* raw_cap bytes */
	size_t raw_cap, chunk; /* chunk: bytes in each ring chunk */
	size_t raw_pos, raw_len;
	int raw_eof, failed, gz_ready, gz_member_done, xz_ready;
	uint64_t offset; /* atomic: read for progress */
	lzma_stream xz;
	z_stream gz;
	char err[256];
	/* the ring (threaded) */
	int threaded;
	unsigned int xz_threads; /* liblzma's own threads, 0: one */
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t can_put, can_get;
	struct dec_chunk q[DEC_CHUNKS];
	unsigned int head, tail; /* get at head, put at tail */
	int done, stop;
	/* the reader's view of the current chunk */
	size_t pos;
	char rerr[256];
};

size_t trace_io_size(int fd, size_t max)
{
	struct stat st;
	size_t n = 4096;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size >= max)
		return max;
	while (n < max && n <= (size_t)st.st_size)
		n *= 2;
	return n;
}

static void dec_err(struct trace_decoder *d, const char *fmt, const char *what)
{
	if (!d->err[0])
		snprintf(d->err, sizeof(d->err), fmt, d->name, what);
	d->failed = 1;
}

static int raw_fill(struct trace_decoder *d)
{
	ssize_t n;

	if (d->raw_pos < d->raw_len || d->raw_eof)
		return 0;
	do
		n = read(d->fd, d->raw, d->raw_cap);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		dec_err(d, "%s: read error: %s", strerror(errno));
		return -1;
	}
	d->raw_pos = 0;
	d->raw_len = (size_t)n;
	__atomic_add_fetch(&d->offset, (uint64_t)n, __ATOMIC_RELAXED);
	if (!n)
		d->raw_eof = 1;
	return 0;
}

static const char *xz_why(lzma_ret r)
{
	return r == LZMA_FORMAT_ERROR	? "format" :
	       r == LZMA_DATA_ERROR	? "data error" :
	       r == LZMA_MEM_ERROR	? "out of memory" :
	       r == LZMA_MEMLIMIT_ERROR ? "memory limit" :
					  "decoder error";
}

/* LZMA_MEMLIMIT_ERROR: what the stream asked for (known when decoding in
 * one thread), in the message */
static void xz_memlimit_err(struct trace_decoder *d)
{
	uint64_t need = lzma_memusage(&d->xz);
	char amount[32] = "";

	if (need > TRACE_XZ_MEMLIMIT)
		snprintf(amount, sizeof(amount), "%llu MiB to decode, ",
			 (unsigned long long)(need >> 20));
	if (!d->err[0])
		snprintf(
			d->err, sizeof(d->err),
			"%.150s: xz data needs %smore than the limit of %u MiB (its dictionary)",
			d->name, amount,
			(unsigned int)(TRACE_XZ_MEMLIMIT >> 20));
	d->failed = 1;
}

static size_t src_xz(struct trace_decoder *d, char *out, size_t room)
{
	lzma_ret r;

	d->xz.next_out = (uint8_t *)out;
	d->xz.avail_out = room;
	while (d->xz.avail_out && !d->failed) {
		if (raw_fill(d))
			break;
		d->xz.next_in = d->raw + d->raw_pos;
		d->xz.avail_in = d->raw_len - d->raw_pos;
		r = lzma_code(&d->xz, d->raw_eof ? LZMA_FINISH : LZMA_RUN);
		d->raw_pos = d->raw_len - d->xz.avail_in;
		if (r == LZMA_STREAM_END)
			break;
		if (r == LZMA_BUF_ERROR && d->raw_eof)
			dec_err(d, "%s: %s", "truncated xz data");
		else if (r == LZMA_MEMLIMIT_ERROR)
			xz_memlimit_err(d);
		else if (r != LZMA_OK && r != LZMA_BUF_ERROR)
			dec_err(d, "%s: corrupt xz data (%s)", xz_why(r));
	}
	return room - d->xz.avail_out;
}

static size_t src_gz(struct trace_decoder *d, char *out, size_t room)
{
	int r;

	d->gz.next_out = (Bytef *)out;
	d->gz.avail_out = (uInt)room;
	while (d->gz.avail_out && !d->failed) {
		if (raw_fill(d))
			break;
		if (d->raw_pos == d->raw_len && d->raw_eof) {
			if (!d->gz_member_done)
				dec_err(d, "%s: %s", "truncated gzip data");
			break;
		}
		if (d->gz_member_done) { /* another member follows */
			inflateReset(&d->gz);
			d->gz_member_done = 0;
		}
		d->gz.next_in = d->raw + d->raw_pos;
		d->gz.avail_in = (uInt)(d->raw_len - d->raw_pos);
		r = inflate(&d->gz, Z_NO_FLUSH);
		d->raw_pos = d->raw_len - d->gz.avail_in;
		if (r == Z_STREAM_END)
			d->gz_member_done = 1;
		else if (r != Z_OK && r != Z_BUF_ERROR)
			dec_err(d, "%s: corrupt gzip data (%s)",
				d->gz.msg ? d->gz.msg : "inflate error");
	}
	return room - d->gz.avail_out;
}

static size_t src_plain(struct trace_decoder *d, char *out, size_t room)
{
	size_t n = d->raw_len - d->raw_pos;
	ssize_t r;

	if (n) { /* the bytes read to detect the format */
		n = n < room ? n : room;
		memcpy(out, d->raw + d->raw_pos, n);
		d->raw_pos += n;
		return n;
	}
	if (d->raw_eof || d->failed)
		return 0;
	do /* straight into the caller's buffer */
		r = read(d->fd, out, room);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		dec_err(d, "%s: read error: %s", strerror(errno));
		return 0;
	}
	if (!r)
		d->raw_eof = 1;
	__atomic_add_fetch(&d->offset, (uint64_t)r, __ATOMIC_RELAXED);
	return (size_t)r;
}

static size_t src(struct trace_decoder *d, char *out, size_t room)
{
	if (d->comp == TRACE_XZ)
		return src_xz(d, out, room);
	if (d->comp == TRACE_GZIP)
		return src_gz(d, out, room);
	return src_plain(d, out, room);
}

static void *decoder_thread(void *arg)
{
	struct trace_decoder *d = arg;

	for (;;) {
		struct dec_chunk *c;
		size_t n;

		pthread_mutex_lock(&d->lock);
		while (d->tail - d->head == DEC_CHUNKS && !d->stop)
			pthread_cond_wait(&d->can_put, &d->lock);
		if (d->stop) {
			pthread_mutex_unlock(&d->lock);
			break;
		}
		c = &d->q[d->tail % DEC_CHUNKS];
		pthread_mutex_unlock(&d->lock);
		n = src(d, c->data, d->chunk); /* a slot the reader won't see */
		pthread_mutex_lock(&d->lock);
		c->len = n;
		if (n)
			d->tail++;
		if (!n || d->failed) {
			if (d->failed)
				memcpy(d->rerr, d->err, sizeof(d->rerr));
			d->done = 1;
		}
		pthread_cond_signal(&d->can_get);
		pthread_mutex_unlock(&d->lock);
		if (d->done)
			break;
	}
	return NULL;
}

static long read_threaded(struct trace_decoder *d, char *out, size_t room)
{
	struct dec_chunk *c;
	size_t n;

	pthread_mutex_lock(&d->lock);
	while (d->head == d->tail && !d->done)
		pthread_cond_wait(&d->can_get, &d->lock);
	if (d->head == d->tail) {
		long ret = d->rerr[0] ? -1 : 0;

		pthread_mutex_unlock(&d->lock);
		return ret;
	}
	c = &d->q[d->head % DEC_CHUNKS];
	pthread_mutex_unlock(&d->lock);
	n = c->len - d->pos < room ? c->len - d->pos : room;
	memcpy(out, c->data + d->pos, n);
	d->pos += n;
	if (d->pos == c->len) {
		d->pos = 0;
		pthread_mutex_lock(&d->lock);
		d->head++;
		pthread_cond_signal(&d->can_put);
		pthread_mutex_unlock(&d->lock);
	}
	return (long)n;
}

long trace_decoder_read(struct trace_decoder *d, char *out, size_t room)
{
	size_t n;

	if (d->threaded)
		return read_threaded(d, out, room);
	n = src(d, out, room);
	if (!n && d->failed) {
		memcpy(d->rerr, d->err, sizeof(d->rerr));
		return -1;
	}
	return (long)n;
}

const char *trace_decoder_error(const struct trace_decoder *d)
{
	return d->rerr[0] ? d->rerr : NULL;
}

uint64_t trace_decoder_offset(const struct trace_decoder *d)
{
	return __atomic_load_n(&d->offset, __ATOMIC_RELAXED);
}

/*
 * liblzma 5.4 decodes the blocks of a multi-block file (xz -T) in
 * threads; a file of one block is decoded in one, as before, and so is
 * one whose blocks would need more than DEC_MT_MEM of buffers at once
 * (the threads hold whole blocks).
 */
#define DEC_MT_MEM (256ull << 20)

static lzma_ret xz_init(struct trace_decoder *d)
{
#if LZMA_VERSION >= 50040002u
	if (d->xz_threads > 1) {
		lzma_mt mt = {
			.flags = LZMA_CONCATENATED,
			.threads = d->xz_threads,
			.memlimit_threading = DEC_MT_MEM,
			.memlimit_stop = TRACE_XZ_MEMLIMIT,
		};

		return lzma_stream_decoder_mt(&d->xz, &mt);
	}
#endif
	return lzma_stream_decoder(&d->xz, TRACE_XZ_MEMLIMIT,
				   LZMA_CONCATENATED);
}

static int codec_init(struct trace_decoder *d)
{
	if (d->comp == TRACE_XZ) {
		lzma_stream init = LZMA_STREAM_INIT;

		d->xz = init;
		if (xz_init(d) != LZMA_OK)
			return -1;
		d->xz_ready = 1;
	} else if (d->comp == TRACE_GZIP) {
		memset(&d->gz, 0, sizeof(d->gz));
		if (inflateInit2(&d->gz, 15 + 16) != Z_OK) /* gzip only */
			return -1;
		d->gz_ready = 1;
	}
	return 0;
}

static int start_thread(struct trace_decoder *d)
{
	for (int i = 0; i < DEC_CHUNKS; i++)
		if (!(d->q[i].data = malloc(d->chunk)))
			return -1;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->can_put, NULL);
	pthread_cond_init(&d->can_get, NULL);
	if (pthread_create(&d->tid, NULL, decoder_thread, d))
		return -1;
	d->threaded = 1;
	return 0;
}

struct trace_decoder *trace_decoder_open(int fd, enum trace_compression comp,
					 const void *head, size_t len,
					 const char *name, unsigned int threads,
					 char *err, size_t errlen)
{
	struct trace_decoder *d = calloc(1, sizeof(*d));

	if (!d) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	d->fd = fd;
	d->comp = comp;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->raw_cap = trace_io_size(fd, DEC_RAW);
	d->chunk = trace_io_size(fd, DEC_CHUNK);
	if (d->raw_cap < len)
		d->raw_cap = len;
	if (!(d->raw = malloc(d->raw_cap))) {
		snprintf(err, errlen, "%s: out of memory", name);
		free(d);
		return NULL;
	}
	if (len)
		memcpy(d->raw, head, len);
	d->raw_len = len;
	d->offset = len;
	d->xz_threads = threads > 1 ? threads : 0;
	if (codec_init(d)) {
		snprintf(err, errlen, "%s: cannot start the %s decoder", name,
			 comp == TRACE_XZ ? "xz" : "gzip");
		trace_decoder_close(d);
		return NULL;
	}
	if (threads && comp != TRACE_PLAIN && start_thread(d)) {
		snprintf(err, errlen, "%s: cannot start the decoder thread",
			 name);
		trace_decoder_close(d);
		return NULL;
	}
	return d;
}

void trace_decoder_close(struct trace_decoder *d)
{
	if (!d)
		return;
	if (d->threaded) {
		pthread_mutex_lock(&d->lock);
		d->stop = 1;
		pthread_cond_signal(&d->can_put);
		pthread_mutex_unlock(&d->lock);
		pthread_join(d->tid, NULL);
		pthread_mutex_destroy(&d->lock);
		pthread_cond_destroy(&d->can_put);
		pthread_cond_destroy(&d->can_get);
	}
	for (int i = 0; i < DEC_CHUNKS; i++)
		free(d->q[i].data);
	if (d->xz_ready)
		lzma_end(&d->xz);
	if (d->gz_ready)
		inflateEnd(&d->gz);
	free(d->raw);
	free(d);
}
