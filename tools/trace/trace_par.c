// SPDX-License-Identifier: MIT
/*
 * The event stream read by several threads (trace_stream_read() with
 * jobs > 1): the same stream, the same ids, counts, pairing and issues
 * as the line-by-line reader, faster.
 *
 * The caller's thread reads the input in blocks of whole lines
 * (trace_input_block(): plain, xz or gzip, xz decoded by its own
 * threads) and hands each block to a worker. A worker parses its block
 * alone: lines split and counted, each kmem event filled with ids of the
 * block's own (function names, cache names, call sites, pointers, in the
 * order they first appear in the block), bad lines and lost-event
 * markers counted and the first few kept. No lock is taken per line.
 *
 * The caller's thread merges the blocks in file order: the block's new
 * names, sites and pointers interned in the stream's tables in the
 * block's order (so each gets the id the line-by-line reader gives it:
 * the order of first appearance in the file), then its events remapped,
 * paired with what came before them (pairing needs file order; it is
 * cheap on compact events) and appended, with the line numbers and the
 * text of their lines for the issues. A block's memory is reused once it
 * is merged: at most 2 * jobs + 2 blocks are in flight.
 *
 * A plain regular file is not read but mapped (trace_input_map()): the
 * caller's thread only cuts the map into blocks of whole lines, and the
 * workers read them in place. The fast path of the parser needs no NUL
 * after a line; a line it declines is copied (with one) for the slow
 * path.
 *
 * Invariant: block i lives in slot i % nr_slots; workers take blocks in
 * order; the merger takes them in order and waits for each to be done.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trace/trace_parse.h"
#include "trace/trace_parse_priv.h"
#include "trace/trace_stream_priv.h"

enum { SLOT_FREE, SLOT_QUEUED, SLOT_DONE };

/* what a block's lines hold, with ids of the block's own */
struct par_block {
	int state, failed;
	const char *text; /* the block's lines */
	char *own;	  /* text when read into a buffer of ours, else NULL */
	char *scratch;	  /* mapped: a declined line, with a NUL */
	size_t len, scratch_cap;
	uint64_t lines;
	struct trace_counts counts;
	unsigned int max_cpu;
	struct trace_event *ev;
	uint64_t *ts;
	uint32_t *lineno, *off, *linelen; /* per event: its line */
	size_t nr, cap;
	struct strtab funcs, caches;
	struct idmap site_map, ptr_map;
	struct trace_site *sites; /* by block site id */
	/* call_site texts seen (a site's id without parsing it again) */
	struct strtab site_texts;
	uint32_t *site_of_text; /* by text id: the block's site id */
	uint32_t texts_known, texts_cap;
	uint64_t *ptrs; /* pointer value by block pointer id */
	uint32_t sites_cap, ptrs_cap;
	struct trace_issue bad[TRACE_ISSUES_KEPT], lost[TRACE_ISSUES_KEPT];
	uint64_t nr_bad, nr_lost;
};

struct par_reader {
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct par_block *slot;
	unsigned int nr_slots, nr_threads;
	uint64_t queued, taken; /* blocks handed out; taken by workers */
	int stop;
	pthread_t *tid;
	/* merging: block id -> stream id */
	uint32_t *map;
	size_t map_cap;
};

static void block_free(struct par_block *b)
{
	free(b->own);
	free(b->scratch);
	free(b->ev);
	free(b->ts);
	free(b->lineno);
	free(b->off);
	free(b->linelen);
	strtab_free(&b->funcs);
	strtab_free(&b->caches);
	strtab_free(&b->site_texts);
	free(b->site_of_text);
	idmap_free(&b->site_map);
	idmap_free(&b->ptr_map);
	free(b->sites);
	free(b->ptrs);
}

/* ready for another block, its arrays kept */
static void block_reset(struct par_block *b)
{
	free(b->own);
	b->own = NULL;
	b->text = NULL;
	b->len = 0;
	b->failed = 0;
	b->lines = 0;
	memset(&b->counts, 0, sizeof(b->counts));
	b->max_cpu = 0;
	b->nr = 0;
	strtab_clear(&b->funcs);
	strtab_clear(&b->caches);
	strtab_clear(&b->site_texts);
	b->texts_known = 0;
	idmap_clear(&b->site_map);
	idmap_clear(&b->ptr_map);
	b->nr_bad = b->nr_lost = 0;
}

static int grow(void **p, size_t size, size_t cap)
{
	void *v = realloc(*p, size * cap);

	if (!v)
		return -1;
	*p = v;
	return 0;
}

static int block_grow(struct par_block *b)
{
	size_t cap = b->cap ? b->cap * 2 : 8192;

	if (grow((void **)&b->ev, sizeof(*b->ev), cap) ||
	    grow((void **)&b->ts, sizeof(*b->ts), cap) ||
	    grow((void **)&b->lineno, sizeof(*b->lineno), cap) ||
	    grow((void **)&b->off, sizeof(*b->off), cap) ||
	    grow((void **)&b->linelen, sizeof(*b->linelen), cap))
		return -1;
	b->cap = cap;
	return 0;
}

/* the block's id of a call site from its function and offset; 0 OOM */
static uint32_t block_new_site(struct par_block *b, const struct trace_line *l)
{
	uint32_t func =
		strtab_intern(&b->funcs, l->site_func.p, l->site_func.len);
	uint32_t off = (uint32_t)l->site_off, id;
	int added;

	if (!func)
		return 0;
	id = idmap_intern(&b->site_map, (uint64_t)func << 32 | off, &added);
	if (id && added) {
		if (id >= b->sites_cap) {
			uint32_t cap = b->sites_cap ? b->sites_cap * 2 : 1024;

			if (grow((void **)&b->sites, sizeof(*b->sites), cap))
				return 0;
			b->sites_cap = cap;
		}
		b->sites[id] = (struct trace_site){ func, off };
	}
	return id;
}

/*
 * The block's id of a call site: by its text when seen before in the
 * block (one lookup), else by its function and offset. 0 out of memory.
 */
static uint32_t block_site(struct par_block *b, const struct trace_line *l)
{
	uint32_t t =
		strtab_intern(&b->site_texts, l->site_text.p, l->site_text.len);

	if (!t)
		return 0;
	if (t > b->texts_known) { /* new: t == texts_known + 1 */
		if (t >= b->texts_cap) {
			uint32_t cap = b->texts_cap ? b->texts_cap * 2 : 1024;

			if (grow((void **)&b->site_of_text,
				 sizeof(*b->site_of_text), cap))
				return 0;
			b->texts_cap = cap;
		}
		b->site_of_text[t] = block_new_site(b, l);
		b->texts_known = t;
	}
	return b->site_of_text[t];
}

/* the block's id of a pointer value; 0 out of memory */
static uint32_t block_ptr(struct par_block *b, uint64_t ptr)
{
	int added;
	uint32_t id = idmap_intern(&b->ptr_map, ptr, &added);

	if (id && added) {
		if (id >= b->ptrs_cap) {
			uint32_t cap = b->ptrs_cap ? b->ptrs_cap * 2 : 8192;

			if (grow((void **)&b->ptrs, sizeof(*b->ptrs), cap))
				return 0;
			b->ptrs_cap = cap;
		}
		b->ptrs[id] = ptr;
	}
	return id;
}

static int block_event(struct par_block *b, const struct trace_line *l,
		       const char *line, size_t len)
{
	struct trace_event *e;

	if (b->nr == b->cap && block_grow(b))
		return -1;
	e = &b->ev[b->nr];
	trace_event_fill(e, l);
	if (!(e->site = block_site(b, l)))
		return -1;
	if (l->name.len &&
	    !(e->cache = strtab_intern(&b->caches, l->name.p, l->name.len)))
		return -1;
	if (!l->ptr_null && !(e->ptr = block_ptr(b, l->ptr)))
		return -1;
	if (l->cpu > b->max_cpu)
		b->max_cpu = l->cpu;
	b->ts[b->nr] = l->ts_ns;
	b->lineno[b->nr] = (uint32_t)b->lines;
	b->off[b->nr] = (uint32_t)(line - b->text);
	b->linelen[b->nr] = (uint32_t)len;
	b->nr++;
	b->counts.ev[l->ev]++;
	b->counts.events++;
	return 0;
}

static void block_issue(struct trace_issue *kept, uint64_t *nr, uint64_t lineno,
			const char *why, const char *line, size_t len)
{
	if (*nr < TRACE_ISSUES_KEPT)
		trace_issue_fill(&kept[*nr], lineno, why, line, len);
	(*nr)++;
}

/*
 * trace_parse_line() of the line: the fast path in place; the slow path
 * on the line with a NUL after it (a copy when mapped). 0 or -1 (OOM).
 */
static int block_parse_line(struct par_block *b, const char *line, size_t len,
			    struct trace_line *l, enum trace_line_kind *k)
{
	int f = trace_parse_fast(line, len, l);

	if (f >= 0) {
		*k = (enum trace_line_kind)f;
		return 0;
	}
	if (b->own) {
		b->own[line - b->own + len] = '\0';
		*k = trace_parse_line_slow(line, len, l);
		return 0;
	}
	if (len >= b->scratch_cap) {
		size_t cap = len + 1 > 4096 ? len + 1 : 4096;

		if (grow((void **)&b->scratch, 1, cap))
			return -1;
		b->scratch_cap = cap;
	}
	memcpy(b->scratch, line, len);
	b->scratch[len] = '\0';
	*k = trace_parse_line_slow(b->scratch, len, l);
	return 0;
}

/* one line, as trace_stream_add_line() without page or dma events */
static void block_line(struct par_block *b, const char *line, size_t len)
{
	struct trace_line l;
	enum trace_line_kind k;

	if (block_parse_line(b, line, len, &l, &k)) {
		b->failed = 1;
		return;
	}
	b->lines++;
	if ((k != TRACE_LINE_SKIP && trace_ev_is_page((int)l.ev)) ||
	    ((k == TRACE_LINE_EVENT || k == TRACE_LINE_BAD) &&
	     trace_ev_is_dma((int)l.ev))) {
		b->counts.skipped++;
		return;
	}
	switch (k) {
	case TRACE_LINE_EVENT:
		if (block_event(b, &l, line, len))
			b->failed = 1;
		break;
	case TRACE_LINE_SKIP:
		b->counts.skipped++;
		break;
	case TRACE_LINE_LOST:
		b->counts.lost_markers++;
		b->counts.lost_events += l.lost;
		block_issue(b->lost, &b->nr_lost, b->lines, "lost events", line,
			    len);
		break;
	case TRACE_LINE_BAD:
		b->counts.bad++;
		block_issue(b->bad, &b->nr_bad, b->lines, l.why, line, len);
		break;
	}
}

/* split the block into lines, as trace_input_line() */
static void block_parse(struct par_block *b)
{
	const char *p = b->text, *end = b->text + b->len;

	while (p < end && !b->failed) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len;

		if (!nl)
			nl = end; /* the last line, without a newline */
		len = (size_t)(nl - p);
		if (len && p[len - 1] == '\r')
			len--;
		block_line(b, p, len);
		p = nl + 1;
	}
}

static void *worker(void *arg)
{
	struct par_reader *r = arg;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		struct par_block *b;

		while (r->taken == r->queued && !r->stop)
			pthread_cond_wait(&r->work, &r->lock);
		if (r->taken == r->queued)
			break;
		b = &r->slot[r->taken++ % r->nr_slots];
		pthread_mutex_unlock(&r->lock);
		block_parse(b);
		pthread_mutex_lock(&r->lock);
		b->state = SLOT_DONE;
		pthread_cond_broadcast(&r->done);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* how far ahead the merge prefetches what pairing will read */
#define PREFETCH 8

static int map_reserve(struct par_reader *r, size_t n)
{
	if (n <= r->map_cap)
		return 0;
	if (grow((void **)&r->map, sizeof(*r->map), n))
		return -1;
	r->map_cap = n;
	return 0;
}

static void merge_issues(struct trace_stream *s, enum trace_issue_kind kind,
			 const struct trace_issue *kept, uint64_t nr,
			 uint64_t base)
{
	for (uint64_t i = 0; i < nr && i < TRACE_ISSUES_KEPT; i++) {
		uint64_t n = s->nr_issues[kind] + i;

		if (n >= TRACE_ISSUES_KEPT)
			break;
		s->issues[kind][n] = kept[i];
		s->issues[kind][n].file = s->nr_files - 1;
		s->issues[kind][n].lineno += base;
	}
	s->nr_issues[kind] += nr;
}

static void merge_counts(struct trace_stream *s, const struct par_block *b)
{
	struct trace_counts *c = &s->counts;

	for (int i = 0; i < TRACE_EV_NR_NAMES; i++)
		c->ev[i] += b->counts.ev[i];
	c->lines += b->lines;
	c->events += b->counts.events;
	c->skipped += b->counts.skipped;
	c->bad += b->counts.bad;
	c->lost_markers += b->counts.lost_markers;
	c->lost_events += b->counts.lost_events;
	if (b->nr && b->max_cpu > s->max_cpu)
		s->max_cpu = b->max_cpu;
}

/* the block's events, remapped, paired, appended; 0 or -1 */
static int merge_events(struct trace_stream *s, struct par_reader *r,
			const struct par_block *b, uint64_t base)
{
	uint32_t *fmap, *cmap, *smap, *pmap;
	size_t nf = b->funcs.nr + 1, nc = b->caches.nr + 1;
	size_t ns = b->site_map.nr + 1, np = b->ptr_map.nr + 1;

	if (map_reserve(r, nf + nc + ns + np))
		return -1;
	fmap = r->map;
	cmap = fmap + nf;
	smap = cmap + nc;
	pmap = smap + ns;
	fmap[0] = cmap[0] = smap[0] = pmap[0] = 0;
	for (uint32_t id = 1; id < nf; id++)
		if (!(fmap[id] = strtab_intern(&s->funcs,
					       strtab_str(&b->funcs, id),
					       b->funcs.len[id])))
			return -1;
	for (uint32_t id = 1; id < nc; id++)
		if (!(cmap[id] = strtab_intern(&s->caches,
					       strtab_str(&b->caches, id),
					       b->caches.len[id])))
			return -1;
	for (uint32_t id = 1; id < ns; id++)
		smap[id] = trace_stream_site(s, fmap[b->sites[id].func],
					     b->sites[id].offset);
	for (uint32_t id = 1; id < np; id++) {
		int added;

		/* the map is large: its slots a few pointers ahead on the way */
		if (id + PREFETCH < np)
			idmap_prefetch(&s->ptr_map, b->ptrs[id + PREFETCH]);
		pmap[id] = idmap_intern(&s->ptr_map, b->ptrs[id], &added);
		if (!pmap[id] || trace_stream_reserve_ptr(s, pmap[id]))
			return -1;
	}
	s->nr_ptrs = s->ptr_map.nr;
	if (trace_stream_reserve(s, b->nr))
		return -1;
	for (size_t i = 0; i < b->nr; i++) {
		struct trace_event *e = &s->ev[s->nr];

		if (i + PREFETCH < b->nr)
			trace_stream_prefetch_ptr(
				s, pmap[b->ev[i + PREFETCH].ptr]);
		*e = b->ev[i];
		e->site = smap[e->site];
		e->cache = cmap[e->cache];
		e->ptr = pmap[e->ptr];
		trace_stream_pair(s, e, base + b->lineno[i],
				  b->text + b->off[i], b->linelen[i]);
		s->ts_ns[s->nr++] = b->ts[i];
	}
	return 0;
}

static int merge(struct trace_stream *s, struct par_reader *r,
		 struct par_block *b, uint64_t *base)
{
	if (b->failed || merge_events(s, r, b, *base))
		return -1;
	merge_counts(s, b);
	merge_issues(s, TRACE_ISSUE_BAD_LINE, b->bad, b->nr_bad, *base);
	merge_issues(s, TRACE_ISSUE_LOST_EVENTS, b->lost, b->nr_lost, *base);
	*base += b->lines;
	return 0;
}

/* wait for block i, merge it, free its slot; 0 or -1 */
static int merge_next(struct trace_stream *s, struct par_reader *r,
		      struct trace_input *in, uint64_t i, uint64_t *base)
{
	struct par_block *b = &r->slot[i % r->nr_slots];
	int ret;

	pthread_mutex_lock(&r->lock);
	while (b->state != SLOT_DONE)
		pthread_cond_wait(&r->done, &r->lock);
	pthread_mutex_unlock(&r->lock);
	ret = merge(s, r, b, base);
	if (!b->own && b->text)
		trace_input_map_done(in, b->text, b->len);
	block_reset(b);
	b->state = SLOT_FREE; /* only this thread hands it out again */
	return ret;
}

static int reader_start(struct par_reader *r, unsigned int jobs)
{
	memset(r, 0, sizeof(*r));
	r->nr_slots = 2 * jobs + 2;
	r->slot = calloc(r->nr_slots, sizeof(*r->slot));
	r->tid = calloc(jobs, sizeof(*r->tid));
	if (!r->slot || !r->tid)
		return -1;
	for (unsigned int i = 0; i < r->nr_slots; i++) {
		strtab_init(&r->slot[i].funcs);
		strtab_init(&r->slot[i].caches);
		strtab_init(&r->slot[i].site_texts);
		idmap_init(&r->slot[i].site_map);
		idmap_init(&r->slot[i].ptr_map);
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->work, NULL);
	pthread_cond_init(&r->done, NULL);
	for (; r->nr_threads < jobs; r->nr_threads++)
		if (pthread_create(&r->tid[r->nr_threads], NULL, worker, r))
			return -1;
	return 0;
}

static void reader_stop(struct par_reader *r)
{
	if (r->tid) {
		pthread_mutex_lock(&r->lock);
		r->stop = 1;
		pthread_cond_broadcast(&r->work);
		pthread_mutex_unlock(&r->lock);
		for (unsigned int i = 0; i < r->nr_threads; i++)
			pthread_join(r->tid[i], NULL);
		pthread_mutex_destroy(&r->lock);
		pthread_cond_destroy(&r->work);
		pthread_cond_destroy(&r->done);
	}
	for (unsigned int i = 0; r->slot && i < r->nr_slots; i++)
		block_free(&r->slot[i]);
	free(r->slot);
	free(r->tid);
	free(r->map);
}

/* hand out blocks, merging the oldest when every slot is taken */
static int run(struct trace_stream *s, struct par_reader *r,
	       struct trace_input *in, size_t want, int show)
{
	uint64_t merged = 0, base = 0;
	int mapped = !trace_input_map(in);
	const char *text;
	char *own = NULL;
	size_t len;

	while ((text = mapped ? trace_input_map_block(in, want, &len) :
				(own = trace_input_block(in, want, &len)))) {
		struct par_block *b;

		if (r->queued - merged == r->nr_slots &&
		    merge_next(s, r, in, merged++, &base)) {
			free(own);
			return -1;
		}
		b = &r->slot[r->queued % r->nr_slots];
		b->text = text;
		b->own = own;
		b->len = len;
		if (own)
			own[len] = '\0';
		pthread_mutex_lock(&r->lock);
		b->state = SLOT_QUEUED;
		r->queued++;
		pthread_cond_signal(&r->work);
		pthread_mutex_unlock(&r->lock);
		if (show)
			trace_stream_progress(in, 0);
	}
	while (merged < r->queued)
		if (merge_next(s, r, in, merged++, &base))
			return -1;
	return 0;
}

int trace_stream_read_par(struct trace_stream *s, struct trace_input *in,
			  unsigned int jobs, size_t block, int show, char *err,
			  size_t errlen)
{
	struct par_reader r;
	const char *msg;
	int ret;

	if (reader_start(&r, jobs)) {
		snprintf(err, errlen, "%s: cannot start the parsing threads",
			 trace_input_path(in));
		reader_stop(&r);
		return -1;
	}
	ret = run(s, &r, in, block ? block : 1u << 20, show);
	reader_stop(&r);
	if (show)
		trace_stream_progress(in, 1);
	if (ret) {
		snprintf(err, errlen, "%s: out of memory",
			 trace_input_path(in));
		return -1;
	}
	msg = trace_input_error(in);
	if (!msg)
		return 0;
	s->counts.input_errors++;
	/* files[].lines: the lines before this file, until it ends */
	trace_stream_issue(s, TRACE_ISSUE_INPUT_ERROR,
			   s->counts.lines - s->files[s->nr_files - 1].lines,
			   msg, NULL, 0);
	snprintf(err, errlen, "%s", msg);
	return 1;
}
