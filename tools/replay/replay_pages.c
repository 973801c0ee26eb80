// SPDX-License-Identifier: MIT
/*
 * The page replay of one policy (replay_pages.h), in the process that
 * runs that policy, after its slab replay has shut its machine down.
 *
 * Invariants: page[id] is the page kslab returned for the live traced
 * allocation of pfn id (NULL when none), order[id] its order; live and
 * zone_live[] count the pages they hold. Each file of the stream is a
 * boot of its own: what is live when a file ends is freed before the
 * next file's events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "replay/replay.h"
#include "replay/replay_pages.h"
#include "trace/machine_files.h"
#include "trace/trace_pages.h"

struct pages_state {
	const struct trace_pages *tp;
	struct replay_pages_result *r;
	struct page **page; /* by pfn id */
	uint8_t *order;
	unsigned int nr_cpus;
	uint64_t live, zone_live[MAX_NR_ZONES];
};

static bool is_layout_param(const char *tok, size_t n, bool page_size)
{
	return (n > 4 && !strncmp(tok, "mem=", 4)) ||
	       (n > 7 && !strncmp(tok, "memmap=", 7)) ||
	       (page_size && n > 10 && !strncmp(tok, "page_size=", 10));
}

void replay_pages_boot_line(const struct trace_stream *s, const char *boot,
			    const struct replay_pages_opts *o, char *out,
			    size_t len)
{
	bool relayout = o && o->machine[0];
	bool page_size = relayout && strstr(o->machine, "page_size=");
	size_t n = 0;

	out[0] = '\0';
	for (const char *p = boot; *p && n < len;) {
		size_t t;

		p += strspn(p, " \t");
		t = strcspn(p, " \t");
		if (t && !(relayout && is_layout_param(p, t, page_size)))
			n += (size_t)snprintf(out + n, len - n, "%s%.*s",
					      n ? " " : "", (int)t, p);
		p += t;
	}
	if (relayout && n < len)
		n += (size_t)snprintf(out + n, len - n, "%s%s", n ? " " : "",
				      o->machine);
	if (!strstr(out, "nr_cpus=") && n < len)
		snprintf(out + n, len - n, "%snr_cpus=%u", n ? " " : "",
			 replay_nr_cpus(s));
}

static void note_peak(struct pages_state *st, size_t i)
{
	struct replay_pages_result *r = st->r;

	if (st->live <= r->peak_pages)
		return;
	r->peak_pages = st->live;
	r->peak_event = i;
	r->peak_ts_ns = st->tp->ts_ns[i];
	for (int z = 0; z < MAX_NR_ZONES; z++)
		r->zones[z].peak_pages = st->zone_live[z];
}

static void release(struct pages_state *st, uint32_t id)
{
	struct page *pg = st->page[id];
	uint64_t n = 1ull << st->order[id];

	st->zone_live[page_zonenum(pg)] -= n;
	st->live -= n;
	__free_pages(pg, st->order[id]);
	st->page[id] = NULL;
}

static void play_alloc(struct pages_state *st, const struct trace_page_event *e)
{
	gfp_t gfp = (e->gfp & ~__GFP_NOFAIL) | __GFP_NOWARN;
	struct page *pg;

	if (!e->pfn) {
		st->r->traced_failed_allocs++;
		return;
	}
	if (st->page[e->pfn]) {
		st->r->untraced_frees++; /* the pfn's free was not traced */
		release(st, e->pfn);
	}
	pg = alloc_pages(gfp, e->order);
	if (!pg) {
		st->r->failed_allocs++;
		return;
	}
	st->r->allocs++;
	st->page[e->pfn] = pg;
	st->order[e->pfn] = e->order;
	st->live += 1ull << e->order;
	st->zone_live[page_zonenum(pg)] += 1ull << e->order;
}

static void play_free(struct pages_state *st, const struct trace_page_event *e)
{
	st->r->frees++;
	if (!e->pfn || !st->page[e->pfn]) {
		st->r->unpaired_frees++;
		return;
	}
	if (st->order[e->pfn] != e->order)
		st->r->order_mismatches++;
	release(st, e->pfn);
}

static void free_all(struct pages_state *st)
{
	for (uint32_t id = 1; id <= st->tp->nr_pfns; id++)
		if (st->page[id])
			release(st, id);
}

static void play_all(struct pages_state *st)
{
	const struct trace_pages *tp = st->tp;
	uint16_t file = tp->nr ? tp->ev[0].file : 0;

	for (size_t i = 0; i < tp->nr; i++) {
		const struct trace_page_event *e = &tp->ev[i];

		if (e->file != file) {
			free_all(st); /* another boot */
			file = e->file;
		}
		kslab_set_cpu(e->cpu % st->nr_cpus);
		if (e->type == TPG_ALLOC) {
			play_alloc(st, e);
			note_peak(st, i);
		} else {
			play_free(st, e);
		}
	}
}

static void read_buddyinfo(struct replay_pages_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	kslab_show("buddyinfo", f);
	fclose(f);
	snprintf(r->buddyinfo, sizeof(r->buddyinfo), "%s", buf ? buf : "");
	free(buf);
}

static void read_zones(struct pages_state *st)
{
	struct replay_pages_result *r = st->r;

	r->end_pages = st->live;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct kslab_zone_info zi;
		struct replay_pages_zone *rz = &r->zones[z];

		if (kslab_zone_info((enum zone_type)z, &zi))
			continue;
		snprintf(rz->name, sizeof(rz->name), "%s", zi.name);
		rz->end_pages = st->zone_live[z];
		rz->managed = zi.managed_pages;
		rz->free_end = zi.free_pages;
		rz->pcp_end = zi.pcp_pages;
		r->nr_zones = (uint32_t)z + 1;
	}
}

void replay_pages_run(const struct trace_stream *s,
		      const struct replay_policy *p,
		      const struct replay_pages_opts *o,
		      struct replay_pages_result *r)
{
	struct pages_state st = { .tp = s->pages, .r = r };
	struct kslab_arch_info ai;

	memset(r, 0, sizeof(*r));
	replay_pages_boot_line(s, p->boot, o, r->boot, sizeof(r->boot));
	if (!st.tp) {
		snprintf(r->err, sizeof(r->err), "page events were not read");
		return;
	}
	st.page = calloc(st.tp->nr_pfns + 1, sizeof(*st.page));
	st.order = calloc(st.tp->nr_pfns + 1, 1);
	if (!st.page || !st.order) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		goto out;
	}
	if (kslab_boot(r->boot)) {
		snprintf(r->err, sizeof(r->err), "cannot boot %.200s", r->boot);
		goto out;
	}
	kslab_arch_info(&ai);
	st.nr_cpus = ai.nr_cpus ? ai.nr_cpus : 1;
	r->page_size = ai.page_size;
	play_all(&st);
	read_zones(&st);
	read_buddyinfo(r);
	free_all(&st);
	kslab_shutdown();
	r->ok = 1;
out:
	free(st.page);
	free(st.order);
}

/* ---- options ---------------------------------------------------------------- */

static int layout_from_files(struct replay_pages_opts *o, const char *trace,
			     const char *zoneinfo)
{
	char *own_zi = zoneinfo ? NULL : machine_file_beside(trace, "zoneinfo");
	char *meminfo = NULL;
	struct machine_layout ml;
	char err[300];
	int ret = 0;

	if (!zoneinfo)
		zoneinfo = own_zi;
	if (!zoneinfo) {
		snprintf(
			o->machine_from, sizeof(o->machine_from),
			"no zoneinfo beside the trace: --zoneinfo FILE or --pages-machine");
		return 0;
	}
	meminfo = machine_file_beside(zoneinfo, "meminfo");
	if (machine_layout_read(zoneinfo, meminfo, &ml, err, sizeof(err))) {
		fprintf(stderr, "kslab replay: %s\n", err);
		ret = -1;
	} else {
		snprintf(o->machine, sizeof(o->machine), "%s", ml.boot);
		snprintf(o->machine_from, sizeof(o->machine_from),
			 "from %.200s%s", zoneinfo,
			 meminfo ? " and meminfo" : "");
	}
	free(own_zi);
	free(meminfo);
	return ret;
}

int replay_pages_opts_init(struct replay_pages_opts *o, const char *trace,
			   const char *zoneinfo, const char *buddyinfo,
			   const char *machine)
{
	char *own_bi = NULL;
	char err[300];

	memset(o, 0, sizeof(*o));
	if (machine) {
		snprintf(o->machine, sizeof(o->machine), "%s", machine);
		snprintf(o->machine_from, sizeof(o->machine_from),
			 "--pages-machine");
	} else if (layout_from_files(o, trace, zoneinfo)) {
		return -1;
	}
	if (!buddyinfo)
		buddyinfo = own_bi = machine_file_beside(trace, "buddyinfo");
	if (buddyinfo &&
	    buddyinfo_read(buddyinfo, o->traced_buddyinfo,
			   sizeof(o->traced_buddyinfo), err, sizeof(err))) {
		fprintf(stderr, "kslab replay: %s\n", err);
		free(own_bi);
		return -1;
	}
	if (buddyinfo)
		snprintf(o->buddyinfo_from, sizeof(o->buddyinfo_from), "%s",
			 buddyinfo);
	free(own_bi);
	return 0;
}
