// SPDX-License-Identifier: MIT
/*
 * Building the compact event stream (trace_stream.h): reads trace files
 * through trace_input, parses each line with trace_parse, interns names,
 * call sites and pointers, and pairs frees with allocations as it goes so
 * that anomalies are reported with their line numbers.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "input/trace_input.h"
#include "trace/trace_dma.h"
#include "trace/trace_pages.h"
#include "trace/trace_stream.h"
#include "trace/trace_stream_priv.h"

const char *const trace_issue_names[TRACE_ISSUE_NR_KINDS] = {
	[TRACE_ISSUE_BAD_LINE] = "bad_line",
	[TRACE_ISSUE_UNMATCHED_FREE] = "unmatched_free",
	[TRACE_ISSUE_DOUBLE_ALLOC] = "double_alloc",
	[TRACE_ISSUE_LOST_EVENTS] = "lost_events",
	[TRACE_ISSUE_INPUT_ERROR] = "input_error",
};

void trace_stream_init(struct trace_stream *s)
{
	memset(s, 0, sizeof(*s));
	strtab_init(&s->funcs);
	strtab_init(&s->caches);
	idmap_init(&s->site_map);
	idmap_init(&s->ptr_map);
}

void trace_stream_free(struct trace_stream *s)
{
	free(s->ev);
	free(s->ts_ns);
	strtab_free(&s->funcs);
	strtab_free(&s->caches);
	free(s->sites);
	idmap_free(&s->site_map);
	idmap_free(&s->ptr_map);
	free(s->live);
	free(s->live_alloc);
	free(s->live_req);
	for (uint32_t i = 0; i < s->nr_files; i++)
		free(s->files[i].path);
	free(s->files);
	trace_pages_free(s->pages);
	trace_dma_free(s->dma);
	memset(s, 0, sizeof(*s));
}

/*
 * "why: text" in out; a text too long is cut at a word boundary and ends
 * in " ..." (a token cut in two would read as another value).
 */
static void issue_text(char *out, size_t size, const char *why,
		       const char *text, size_t len)
{
	size_t n = (size_t)snprintf(out, size, "%s%s", why, text ? ": " : "");
	size_t room, cut;

	if (!text || n >= size - 1)
		return;
	room = size - 1 - n;
	if (len <= room) {
		memcpy(out + n, text, len);
		out[n + len] = '\0';
		return;
	}
	cut = room > 4 ? room - 4 : 0;
	while (cut && text[cut] != ' ' && text[cut] != '\t')
		cut--;
	while (cut && (text[cut - 1] == ' ' || text[cut - 1] == '\t'))
		cut--;
	snprintf(out + n, size - n, "%.*s%s", (int)cut, text,
		 cut ? " ..." : "...");
}

void trace_issue_fill(struct trace_issue *is, uint64_t lineno, const char *why,
		      const char *text, size_t len)
{
	is->lineno = lineno;
	while (text && len && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	issue_text(is->text, sizeof(is->text), why, text, len);
}

static void issue(struct trace_stream *s, enum trace_issue_kind kind,
		  uint64_t lineno, const char *why, const char *text,
		  size_t len)
{
	uint64_t n = s->nr_issues[kind]++;
	struct trace_issue *is;

	if (n >= TRACE_ISSUES_KEPT)
		return;
	is = &s->issues[kind][n];
	is->file = s->nr_files ? s->nr_files - 1 : 0;
	trace_issue_fill(is, lineno, why, text, len);
}

void trace_stream_issue(struct trace_stream *s, enum trace_issue_kind kind,
			uint64_t lineno, const char *why, const char *text,
			size_t len)
{
	issue(s, kind, lineno, why, text, len);
}

static int grow_events(struct trace_stream *s, size_t need)
{
	size_t cap = s->cap ? s->cap * 2 : 1024;
	struct trace_event *ev;
	uint64_t *ts;

	while (cap < need)
		cap *= 2;
	ev = realloc(s->ev, cap * sizeof(*ev));
	if (!ev)
		return -1;
	s->ev = ev;
	ts = realloc(s->ts_ns, cap * sizeof(*ts));
	if (!ts)
		return -1;
	s->ts_ns = ts;
	s->cap = cap;
	return 0;
}

static int grow_live(struct trace_stream *s, uint32_t id)
{
	uint32_t cap = s->live_cap ? s->live_cap : 1024;
	void *p;

	while (cap <= id)
		cap *= 2;
	if (!(p = realloc(s->live, cap)))
		return -1;
	s->live = p;
	memset(s->live + s->live_cap, 0, cap - s->live_cap);
	if (!(p = realloc(s->live_alloc, cap * sizeof(uint32_t))))
		return -1;
	s->live_alloc = p;
	if (!(p = realloc(s->live_req, cap * sizeof(uint32_t))))
		return -1;
	s->live_req = p;
	s->live_cap = cap;
	return 0;
}

int trace_stream_reserve(struct trace_stream *s, size_t n)
{
	return s->nr + n > s->cap ? grow_events(s, s->nr + n) : 0;
}

int trace_stream_reserve_ptr(struct trace_stream *s, uint32_t id)
{
	return id >= s->live_cap ? grow_live(s, id) : 0;
}

uint32_t trace_stream_site(struct trace_stream *s, uint32_t func, uint32_t off)
{
	uint64_t key = (uint64_t)func << 32 | off;
	int added;
	uint32_t id = idmap_intern(&s->site_map, key, &added);

	if (!func || !id)
		return 0;
	if (added) {
		if (id >= s->sites_cap) {
			uint32_t cap = s->sites_cap ? s->sites_cap * 2 : 1024;
			struct trace_site *v;

			while (cap <= id)
				cap *= 2;
			v = realloc(s->sites, cap * sizeof(*v));
			if (!v)
				return 0;
			s->sites = v;
			s->sites_cap = cap;
		}
		s->sites[id].func = func;
		s->sites[id].offset = off;
		s->nr_sites = id + 1;
	}
	return id;
}

static uint32_t site_id(struct trace_stream *s, const struct trace_line *l)
{
	uint32_t func =
		strtab_intern(&s->funcs, l->site_func.p, l->site_func.len);

	return trace_stream_site(s, func, (uint32_t)l->site_off);
}

static uint32_t clamp32(uint64_t v, struct trace_event *e)
{
	if (v > UINT32_MAX) {
		e->flags |= TEV_F_CLAMPED;
		return UINT32_MAX;
	}
	return (uint32_t)v;
}

/* s->live[] of a pointer freed in the trace and not allocated since */
#define PTR_FREED 0xffu

static void pair_alloc(struct trace_stream *s, struct trace_event *e,
		       uint64_t lineno, const char *line, size_t len)
{
	struct trace_pairing *p = &s->pair;

	if (!e->ptr) {
		p->failed_allocs++;
		return;
	}
	if (e->type == TEV_KMALLOC && !e->bytes_req && !e->bytes_alloc) {
		e->flags |= TEV_F_ZERO_SIZE;
		s->zero_ptr = e->ptr;
		p->zero_size_allocs++;
		return;
	}
	p->allocs++;
	if (s->live[e->ptr] && s->live[e->ptr] != PTR_FREED) {
		p->double_allocs++;
		issue(s, TRACE_ISSUE_DOUBLE_ALLOC, lineno,
		      "allocation of a live pointer (lost free?)", line, len);
		p->live_bytes_alloc -= s->live_alloc[e->ptr];
		p->live_bytes_req -= s->live_req[e->ptr];
		p->live_objects--;
	}
	s->live[e->ptr] = e->type;
	s->live_alloc[e->ptr] = e->bytes_alloc;
	s->live_req[e->ptr] = e->bytes_req;
	p->live_objects++;
	p->live_bytes_alloc += e->bytes_alloc;
	p->live_bytes_req += e->bytes_req;
	if (p->live_objects > p->peak_objects)
		p->peak_objects = p->live_objects;
	if (p->live_bytes_alloc > p->peak_bytes_alloc)
		p->peak_bytes_alloc = p->live_bytes_alloc;
}

static void pair_free(struct trace_stream *s, struct trace_event *e,
		      uint64_t lineno, const char *line, size_t len)
{
	struct trace_pairing *p = &s->pair;
	uint8_t was;

	if (!e->ptr || (e->flags & TEV_F_ZERO_SIZE) ||
	    (e->ptr == s->zero_ptr && !s->live[e->ptr])) {
		p->null_frees++;
		return;
	}
	p->frees++;
	was = s->live[e->ptr];
	if (was == PTR_FREED) {
		p->unmatched_frees++;
		p->double_frees++;
		issue(s, TRACE_ISSUE_UNMATCHED_FREE, lineno,
		      "double free (freed before, not allocated since)", line,
		      len);
		return;
	}
	if (!was) {
		p->unmatched_frees++;
		issue(s, TRACE_ISSUE_UNMATCHED_FREE, lineno,
		      "free of a pointer not allocated in the trace", line,
		      len);
		return;
	}
	if ((was == TEV_KMALLOC) != (e->type == TEV_KFREE))
		p->cross_frees++;
	s->live[e->ptr] = PTR_FREED;
	p->live_objects--;
	p->live_bytes_alloc -= s->live_alloc[e->ptr];
	p->live_bytes_req -= s->live_req[e->ptr];
}

static const uint8_t ev_type[TRACE_EV_NR_NAMES] = {
	[TRACE_EV_KMALLOC] = TEV_KMALLOC,
	[TRACE_EV_KFREE] = TEV_KFREE,
	[TRACE_EV_CACHE_ALLOC] = TEV_CACHE_ALLOC,
	[TRACE_EV_CACHE_FREE] = TEV_CACHE_FREE,
	[TRACE_EV_KMALLOC_NODE] = TEV_KMALLOC,
	[TRACE_EV_CACHE_ALLOC_NODE] = TEV_CACHE_ALLOC,
};

void trace_event_fill(struct trace_event *e, const struct trace_line *l)
{
	memset(e, 0, sizeof(*e));
	e->type = ev_type[l->ev];
	if (l->ev == TRACE_EV_KMALLOC_NODE ||
	    l->ev == TRACE_EV_CACHE_ALLOC_NODE)
		e->flags |= TEV_F_NODE_EVENT;
	if (l->accounted > 0)
		e->flags |= TEV_F_ACCOUNTED;
	e->cpu = (uint16_t)l->cpu;
	e->node = (int16_t)(l->node < -1 || l->node > 32767 ? -1 : l->node);
	e->gfp = l->gfp;
	e->bytes_req = clamp32(l->bytes_req, e);
	e->bytes_alloc = clamp32(l->bytes_alloc, e);
	if (e->type != TEV_KMALLOC && e->type != TEV_CACHE_ALLOC &&
	    l->ptr == TRACE_ZERO_SIZE_PTR)
		e->flags |= TEV_F_ZERO_SIZE;
}

void trace_stream_pair(struct trace_stream *s, struct trace_event *e,
		       uint64_t lineno, const char *line, size_t len)
{
	if (e->type == TEV_KMALLOC || e->type == TEV_CACHE_ALLOC)
		pair_alloc(s, e, lineno, line, len);
	else
		pair_free(s, e, lineno, line, len);
}

static int add_event(struct trace_stream *s, const struct trace_line *l,
		     uint64_t lineno, const char *line, size_t len)
{
	struct trace_event *e;
	int added;

	if (s->nr == s->cap && grow_events(s, s->nr + 1))
		return -1;
	e = &s->ev[s->nr];
	trace_event_fill(e, l);
	e->site = site_id(s, l);
	if (l->name.len)
		e->cache = strtab_intern(&s->caches, l->name.p, l->name.len);
	if (!l->ptr_null) {
		e->ptr = idmap_intern(&s->ptr_map, l->ptr, &added);
		if (!e->ptr || (e->ptr >= s->live_cap && grow_live(s, e->ptr)))
			return -1;
		s->nr_ptrs = s->ptr_map.nr;
	}
	if (l->cpu > s->max_cpu)
		s->max_cpu = l->cpu;
	trace_stream_pair(s, e, lineno, line, len);
	s->ts_ns[s->nr++] = l->ts_ns;
	s->counts.ev[l->ev]++;
	s->counts.events++;
	return 0;
}

int trace_stream_want_pages(struct trace_stream *s)
{
	if (!s->pages)
		s->pages = trace_pages_new();
	return s->pages ? 0 : -1;
}

/* A page event's line: skipped, as any other event, unless wanted. */
static enum trace_line_kind add_page_line(struct trace_stream *s,
					  const struct trace_line *l,
					  enum trace_line_kind k,
					  uint64_t lineno, const char *line,
					  size_t len)
{
	if (!s->pages) {
		s->counts.skipped++;
		return TRACE_LINE_SKIP;
	}
	if (k == TRACE_LINE_BAD) {
		s->counts.bad++;
		s->pages->c.bad++;
		issue(s, TRACE_ISSUE_BAD_LINE, lineno, l->why, line, len);
	} else if (trace_pages_add(s->pages, l,
				   s->nr_files ? s->nr_files - 1 : 0)) {
		issue(s, TRACE_ISSUE_INPUT_ERROR, lineno, "out of memory", NULL,
		      0);
		s->counts.input_errors++;
		return TRACE_LINE_BAD;
	}
	return k;
}

int trace_stream_want_dma(struct trace_stream *s)
{
	if (!s->dma)
		s->dma = trace_dma_new();
	return s->dma ? 0 : -1;
}

/* A dma event's line: skipped, as any other event, unless wanted. */
static enum trace_line_kind add_dma_line(struct trace_stream *s,
					 struct trace_line *l,
					 enum trace_line_kind k,
					 uint64_t lineno, const char *line,
					 size_t len)
{
	int r = 1;

	if (!s->dma) {
		s->counts.skipped++;
		return TRACE_LINE_SKIP;
	}
	if (k == TRACE_LINE_BAD)
		s->dma->c.bad++;
	else
		r = trace_dma_add(s->dma, l, s->nr_files ? s->nr_files - 1 : 0,
				  s->nr);
	if (r > 0) {
		s->counts.bad++;
		issue(s, TRACE_ISSUE_BAD_LINE, lineno, l->why, line, len);
		return TRACE_LINE_BAD;
	}
	if (r < 0) {
		issue(s, TRACE_ISSUE_INPUT_ERROR, lineno, "out of memory", NULL,
		      0);
		s->counts.input_errors++;
		return TRACE_LINE_BAD;
	}
	return TRACE_LINE_EVENT;
}

enum trace_line_kind trace_stream_add_line(struct trace_stream *s,
					   const char *line, size_t len,
					   uint64_t lineno)
{
	struct trace_line l;
	enum trace_line_kind k = trace_parse_line(line, len, &l);

	s->counts.lines++;
	if (k != TRACE_LINE_SKIP && trace_ev_is_page((int)l.ev))
		return add_page_line(s, &l, k, lineno, line, len);
	if ((k == TRACE_LINE_EVENT || k == TRACE_LINE_BAD) &&
	    trace_ev_is_dma((int)l.ev))
		return add_dma_line(s, &l, k, lineno, line, len);
	switch (k) {
	case TRACE_LINE_EVENT:
		if (add_event(s, &l, lineno, line, len)) {
			issue(s, TRACE_ISSUE_INPUT_ERROR, lineno,
			      "out of memory", NULL, 0);
			s->counts.input_errors++;
			return TRACE_LINE_BAD;
		}
		break;
	case TRACE_LINE_SKIP:
		s->counts.skipped++;
		break;
	case TRACE_LINE_LOST:
		s->counts.lost_markers++;
		s->counts.lost_events += l.lost;
		issue(s, TRACE_ISSUE_LOST_EVENTS, lineno, "lost events", line,
		      len);
		break;
	case TRACE_LINE_BAD:
		s->counts.bad++;
		issue(s, TRACE_ISSUE_BAD_LINE, lineno, l.why, line, len);
		break;
	}
	return k;
}

void trace_stream_progress(const struct trace_input *in, int done)
{
	uint64_t size = trace_input_size(in);

	if (done)
		fprintf(stderr, "\r\033[K");
	else if (size)
		fprintf(stderr, "\rkslab: reading %s %3u%%",
			trace_input_path(in),
			(unsigned int)(trace_input_offset(in) * 100 / size));
	else
		fprintf(stderr, "\rkslab: reading %s %llu lines",
			trace_input_path(in),
			(unsigned long long)trace_input_lineno(in));
}

/* Objects still live when a file ends were never freed in it */
static void end_file(struct trace_stream *s)
{
	struct trace_file *f;

	if (!s->nr_files)
		return;
	f = &s->files[s->nr_files - 1];
	if (f->done)
		return;
	f->done = 1;
	f->nr_events = s->nr - f->first_event;
	f->lines = s->counts.lines - f->lines;
	s->pair.live_at_end += s->pair.live_objects;
	s->pair.live_objects = 0;
	s->pair.live_bytes_alloc = 0;
	s->pair.live_bytes_req = 0;
	if (s->live)
		memset(s->live, 0, s->live_cap);
	s->zero_ptr = 0;
	if (s->pages)
		trace_pages_end_file(s->pages);
}

static int add_file(struct trace_stream *s, const char *path)
{
	struct trace_file *v;

	end_file(s);
	v = realloc(s->files, (s->nr_files + 1) * sizeof(*v));
	if (!v)
		return -1;
	s->files = v;
	v += s->nr_files;
	memset(v, 0, sizeof(*v));
	v->first_event = s->nr;
	v->lines = s->counts.lines; /* lines before it, until end_file */
	if (!(v->path = strdup(path)))
		return -1;
	s->nr_files++;
	return 0;
}

int trace_stream_read(struct trace_stream *s, const char *path,
		      const struct trace_read_opts *opts, char *err,
		      size_t errlen)
{
	unsigned int jobs = opts && !s->pages && !s->dma ? opts->jobs : 0;
	struct trace_input *in;
	int show = opts && opts->progress && isatty(2);
	const char *msg;
	size_t len;
	char *line;
	int ret;

	if (jobs > TRACE_READ_MAX_JOBS)
		jobs = TRACE_READ_MAX_JOBS;
	in = trace_input_open_threads(path, jobs, err, errlen);
	if (!in)
		return -1;
	if (add_file(s, trace_input_path(in))) {
		snprintf(err, errlen, "%s: out of memory", path);
		trace_input_close(in);
		return -1;
	}
	if (jobs > 1) {
		ret = trace_stream_read_par(s, in, jobs, opts->block, show, err,
					    errlen);
		trace_input_close(in);
		return ret;
	}
	while ((line = trace_input_line(in, &len))) {
		uint64_t n = trace_input_lineno(in);

		trace_stream_add_line(s, line, len, n);
		if (show && !(n & 0xffff))
			trace_stream_progress(in, 0);
	}
	if (show)
		trace_stream_progress(in, 1);
	msg = trace_input_error(in);
	if (msg) {
		s->counts.input_errors++;
		issue(s, TRACE_ISSUE_INPUT_ERROR, trace_input_lineno(in), msg,
		      NULL, 0);
		snprintf(err, errlen, "%s", msg);
	}
	trace_input_close(in);
	return msg ? 1 : 0;
}

void trace_stream_finish(struct trace_stream *s)
{
	struct trace_event *ev;
	uint64_t *ts;

	end_file(s);
	if (s->dma && trace_dma_finish(s->dma, s)) {
		issue(s, TRACE_ISSUE_INPUT_ERROR, 0, "out of memory", NULL, 0);
		s->counts.input_errors++;
	}
	/* the pairing is done: its arrays (by pointer id) go */
	free(s->live);
	free(s->live_alloc);
	free(s->live_req);
	s->live = NULL;
	s->live_alloc = s->live_req = NULL;
	s->live_cap = 0;
	if (s->nr && s->nr < s->cap) {
		if ((ev = realloc(s->ev, s->nr * sizeof(*ev))))
			s->ev = ev;
		if ((ts = realloc(s->ts_ns, s->nr * sizeof(*ts))))
			s->ts_ns = ts;
		if (ev && ts)
			s->cap = s->nr;
	}
}

void trace_stream_drop_pointers(struct trace_stream *s)
{
	idmap_free(&s->ptr_map);
}

const char *trace_stream_site_func(const struct trace_stream *s, uint32_t site)
{
	if (!site || site >= s->nr_sites)
		return "";
	return strtab_str(&s->funcs, s->sites[site].func);
}

const char *trace_stream_site_name(const struct trace_stream *s, uint32_t site,
				   char *buf, size_t len)
{
	if (!site || site >= s->nr_sites)
		snprintf(buf, len, "?");
	else if (s->sites[site].offset)
		snprintf(buf, len, "%s+0x%x", trace_stream_site_func(s, site),
			 s->sites[site].offset);
	else
		snprintf(buf, len, "%s", trace_stream_site_func(s, site));
	return buf;
}

const char *trace_stream_cache_name(const struct trace_stream *s,
				    uint32_t cache)
{
	return strtab_str(&s->caches, cache);
}

uint32_t trace_stream_mark_sites(const struct trace_stream *s,
				 const char *const *funcs, size_t n,
				 uint8_t *mark)
{
	uint32_t marked = 0;

	for (uint32_t site = 0; site < s->nr_sites; site++)
		mark[site] = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t func =
			strtab_find(&s->funcs, funcs[i], strlen(funcs[i]));

		if (!func)
			continue;
		for (uint32_t site = 1; site < s->nr_sites; site++)
			if (s->sites[site].func == func && !mark[site]) {
				mark[site] = 1;
				marked++;
			}
	}
	return marked;
}
