// SPDX-License-Identifier: MIT
/*
 * The traced kernel's policy and version (replay_detect.h): read off the
 * parsed stream (kmalloc minimum, pointer ranges) and the files beside
 * the trace. Nothing here knows any particular trace: only the kernel's
 * size classes and address-space layouts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "replay/replay_detect.h"
#include "trace/machine_files.h"

const char *const replay_ptr_kind_names[] = {
	[REPLAY_PTR_UNKNOWN] = "unknown",
	[REPLAY_PTR_ARM64] = "arm64",
	[REPLAY_PTR_X86_64] = "x86_64",
};

struct va_range {
	uint64_t lo, hi; /* [lo, hi) */
};

/* the arm64 linear map: the lower half of the kernel's VA space */
static const struct va_range arm64_linear[] = {
	{ 0xfff0000000000000ull, 0xffff800000000000ull }, /* 52/48-bit VA */
	{ 0xfffffc0000000000ull, 0xfffffe0000000000ull }, /* 42-bit */
	{ 0xffffff8000000000ull, 0xffffffc000000000ull }, /* 39-bit */
};

/* the x86_64 direct map, wherever KASLR put it */
static const struct va_range x86_direct[] = {
	{ 0xffff888000000000ull, 0xffffc88000000000ull }, /* 4-level */
	{ 0xff11000000000000ull, 0xff91000000000000ull }, /* 5-level */
};

static bool in_ranges(uint64_t v, const struct va_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v >= r[i].lo && v < r[i].hi)
			return true;
	return false;
}

static void count_pointers(const struct trace_stream *s,
			   struct replay_kernel *k)
{
	const struct idmap *m = &s->ptr_map;
	uint64_t all;

	for (uint32_t i = 0; i < m->nr_slots; i++) {
		uint64_t v = m->keys[i];

		if (!m->ids[i])
			continue;
		if (in_ranges(v, arm64_linear, 3))
			k->ptrs_arm64++;
		else if (in_ranges(v, x86_direct, 2))
			k->ptrs_x86_64++;
		else
			k->ptrs_other++;
	}
	all = k->ptrs_arm64 + k->ptrs_x86_64 + k->ptrs_other;
	if (k->ptrs_arm64 * 2 > all)
		k->ptrs = REPLAY_PTR_ARM64;
	else if (k->ptrs_x86_64 * 2 > all)
		k->ptrs = REPLAY_PTR_X86_64;
	else
		k->ptrs = REPLAY_PTR_UNKNOWN;
}

/*
 * The kmalloc minimum: the smallest bytes_alloc, unless slub_debug made
 * the slots bigger than their class (a slot that is no power of two, or
 * the traced command line says so). Then: the largest request served
 * with the smallest bytes_alloc, rounded up to a power of two.
 */
static uint32_t kmalloc_minimum(const struct trace_stream *s, bool debug)
{
	uint32_t min = 0, req = 0, m = 8;

	for (size_t i = 0; i < s->nr; i++) {
		const struct trace_event *e = &s->ev[i];

		if (e->type != TEV_KMALLOC || !e->ptr || !e->bytes_req ||
		    !e->bytes_alloc)
			continue;
		if (!min || e->bytes_alloc < min) {
			min = e->bytes_alloc;
			req = 0;
		}
		if (e->bytes_alloc == min && e->bytes_req > req)
			req = e->bytes_req;
	}
	if (!min || req >= min || (!debug && !(min & (min - 1))))
		return min;
	while (m < req && m < min)
		m <<= 1;
	return m;
}

static void set_policy(struct replay_kernel *k, const char *policy,
		       const char *why)
{
	snprintf(k->policy, sizeof(k->policy), "%s", policy);
	snprintf(k->why, sizeof(k->why), "kmalloc minimum %u bytes, %s",
		 k->kmalloc_min, why);
}

static void set_formats(struct replay_kernel *k, const char *version,
			const char *from, const char *rules)
{
	snprintf(k->formats_version, sizeof(k->formats_version), "%s", version);
	snprintf(k->formats_from, sizeof(k->formats_from), "%s", from);
	snprintf(k->formats_rules, sizeof(k->formats_rules), "%s", rules);
}

/*
 * How old the kernel is, by the events its kmem.h printed (see
 * docs/trace-formats.md, "Older kernels"): the _node events went in 6.1,
 * kmem_cache_alloc's name= came in 6.18. Nothing newer can be told.
 */
static void detect_formats(const struct trace_stream *s,
			   struct replay_kernel *k)
{
	uint64_t cache_allocs = 0, named = 0;

	k->formats_version[0] = k->formats_from[0] = '\0';
	k->formats_rules[0] = '\0';
	if (s->counts.ev[TRACE_EV_KMALLOC_NODE] ||
	    s->counts.ev[TRACE_EV_CACHE_ALLOC_NODE]) {
		set_formats(k, "before 6.1",
			    "kmalloc_node/kmem_cache_alloc_node events, "
			    "gone in 6.1",
			    "6.1");
		return;
	}
	for (size_t i = 0; i < s->nr; i++) {
		if (s->ev[i].type != TEV_CACHE_ALLOC)
			continue;
		cache_allocs++;
		named += s->ev[i].cache != 0;
	}
	if (cache_allocs && !named)
		set_formats(k, "before 6.18",
			    "kmem_cache_alloc without name=, added in 6.18; "
			    "nearest rules",
			    "6.12");
}

void replay_detect_policy(const struct trace_stream *s, struct replay_kernel *k)
{
	detect_formats(s, k);
	k->kmalloc_min = kmalloc_minimum(s, k->debug[0] != '\0');
	count_pointers(s, k);
	if (!k->kmalloc_min) {
		snprintf(k->policy, sizeof(k->policy), "x86_64");
		snprintf(k->why, sizeof(k->why),
			 "no kmalloc in the trace: the default");
	} else if (k->kmalloc_min >= 128)
		set_policy(k, "arm64-legacy", "a 128-byte minimum");
	else if (k->kmalloc_min >= 64)
		set_policy(k, "arm64-noswiotlb",
			   "a cache-line minimum (no swiotlb)");
	else if (k->ptrs == REPLAY_PTR_ARM64)
		set_policy(k, "arm64", "pointers in the arm64 linear map");
	else if (k->ptrs == REPLAY_PTR_X86_64)
		set_policy(k, "x86_64", "pointers in the x86_64 direct map");
	else
		set_policy(k, "x86_64",
			   "pointers hashed or unplaced: the default");
	k->given = false;
}

/* "6.12.117+deb12-arm64" -> major 6, minor 12; -1 if not X.Y */
static int parse_version(const char *v, unsigned int *major,
			 unsigned int *minor)
{
	char *end;
	unsigned long a = strtoul(v, &end, 10), b;

	if (end == v || *end != '.')
		return -1;
	v = end + 1;
	b = strtoul(v, &end, 10);
	if (end == v || a > 99 || b > 999)
		return -1;
	*major = (unsigned int)a;
	*minor = (unsigned int)b;
	return 0;
}

const char *replay_kernel_rules(const char *version)
{
	unsigned int major, minor;

	if (parse_version(version, &major, &minor))
		return "";
	if (major > 6 || (major == 6 && minor >= 18))
		return "6.18";
	if (major == 6 && minor >= 12)
		return "6.12";
	return "6.1";
}

/* The release field of a `uname -a` line: the first word like X.Y... */
static int uname_release(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512], *save = NULL;
	unsigned int a, b;
	int ret = -1;

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f))
		for (char *w = strtok_r(line, " \t\n", &save); w;
		     w = strtok_r(NULL, " \t\n", &save))
			if (w[0] >= '0' && w[0] <= '9' &&
			    !parse_version(w, &a, &b)) {
				snprintf(out, len, "%s", w);
				ret = 0;
				break;
			}
	fclose(f);
	return ret;
}

/* DIR/uname for DIR/trace*, X.uname for X.trace*; NULL if neither */
static char *uname_path(const char *trace)
{
	const char *slash = strrchr(trace, '/');
	const char *base = slash ? slash + 1 : trace;
	const char *dot = strstr(base, ".trace");
	char *p = NULL;

	if (!strncmp(base, "trace", 5)) {
		if (asprintf(&p, "%.*suname", (int)(base - trace), trace) < 0)
			return NULL;
	} else if (dot) {
		if (asprintf(&p, "%.*s.uname", (int)(dot - trace), trace) < 0)
			return NULL;
	}
	return p;
}

int replay_detect_version(struct replay_kernel *k, const char *given,
			  const char *trace)
{
	char *path = NULL;
	unsigned int a, b;

	k->version[0] = k->version_from[0] = k->rules[0] = '\0';
	if (given) {
		if (parse_version(given, &a, &b))
			return -1;
		snprintf(k->version, sizeof(k->version), "%s", given);
		snprintf(k->version_from, sizeof(k->version_from), "given");
	} else if (trace && (path = uname_path(trace)) &&
		   !uname_release(path, k->version, sizeof(k->version))) {
		snprintf(k->version_from, sizeof(k->version_from),
			 "uname file");
	} else if (!strcmp(k->formats_rules, "6.1") ||
		   (k->formats_rules[0] && k->kmalloc_min < 128)) {
		/* the trace's print formats: not a version, the rules */
		free(path);
		snprintf(k->version, sizeof(k->version), "%s",
			 k->formats_version);
		snprintf(k->version_from, sizeof(k->version_from), "%s",
			 k->formats_from);
		snprintf(k->rules, sizeof(k->rules), "%s", k->formats_rules);
		return 0;
	} else if (k->kmalloc_min >= 128) {
		snprintf(k->version, sizeof(k->version), "6.1");
		snprintf(k->version_from, sizeof(k->version_from),
			 "128-byte kmalloc minimum (before 6.5)");
	}
	free(path);
	snprintf(k->rules, sizeof(k->rules), "%s",
		 replay_kernel_rules(k->version));
	return 0;
}

/* the slab parameters that change a cache's order, objects or merging */
static const char *const geometry_params[] = {
	"min_order", "max_order", "min_objects", "nomerge", "merge",
};

/* w's parameter name, without the value, is slub_X or slab_X of the list */
static bool geometry_param(const char *w)
{
	size_t n = strcspn(w, "= \t\n");

	if (n < 6 || (strncmp(w, "slub_", 5) && strncmp(w, "slab_", 5)))
		return false;
	for (size_t i = 0;
	     i < sizeof(geometry_params) / sizeof(*geometry_params); i++)
		if (strlen(geometry_params[i]) == n - 5 &&
		    !strncmp(w + 5, geometry_params[i], n - 5))
			return true;
	return false;
}

static void append_word(char *buf, size_t len, const char *w)
{
	size_t used = strlen(buf);

	if (used + strlen(w) + 2 <= len)
		snprintf(buf + used, len - used, "%s%s", used ? " " : "", w);
}

/*
 * slub_debug= / slab_debug= and the geometry parameters of the traced
 * machine's command line (the `cmdline` file beside the trace,
 * /proc/cmdline), so that the replay lays objects out and sizes slabs as
 * that kernel did; "" when there are none.
 */
void replay_detect_debug(struct replay_kernel *k, const char *trace)
{
	char *path = trace ? machine_file_beside(trace, "cmdline") : NULL;
	char line[4096], *save = NULL;
	FILE *f = path ? fopen(path, "r") : NULL;

	k->debug[0] = '\0';
	k->slab_params[0] = '\0';
	free(path);
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	for (char *w = strtok_r(line, " \t\n", &save); w;
	     w = strtok_r(NULL, " \t\n", &save)) {
		if ((!strncmp(w, "slub_debug", 10) ||
		     !strncmp(w, "slab_debug", 10)) &&
		    (w[10] == '=' || !w[10]) && strlen(w) < sizeof(k->debug))
			snprintf(k->debug, sizeof(k->debug), "%s", w);
		else if (geometry_param(w))
			append_word(k->slab_params, sizeof(k->slab_params), w);
	}
}

/* boot names parameter w (slub_X or slab_X, any value) already */
static bool boot_names(const char *boot, const char *w)
{
	size_t n = strcspn(w, "=");

	for (const char *p = boot; *p; p += strcspn(p, " ")) {
		p += strspn(p, " ");
		if (strcspn(p, "= ") == n && !strncmp(p + 4, w + 4, n - 4) &&
		    (!strncmp(p, "slub_", 5) || !strncmp(p, "slab_", 5)))
			return true;
	}
	return false;
}

int replay_boot_add_params(char *boot, size_t len, const char *params)
{
	char words[sizeof(((struct replay_kernel *)0)->slab_params)];
	char *save = NULL;
	int added = 0;

	snprintf(words, sizeof(words), "%s", params);
	for (char *w = strtok_r(words, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		size_t used = strlen(boot);

		/* the policy's own setting wins, as with slub_debug= */
		if (boot_names(boot, w) || used + strlen(w) + 2 > len)
			continue;
		snprintf(boot + used, len - used, " %s", w);
		added++;
	}
	return added;
}

int replay_boot_add_debug(char *boot, size_t len, const char *debug)
{
	size_t used = strlen(boot);

	if (!debug[0] || strstr(boot, "slub_debug") ||
	    strstr(boot, "slab_debug") || used + strlen(debug) + 2 > len)
		return 0;
	snprintf(boot + used, len - used, " %s", debug);
	return 1;
}

int replay_boot_add_rules(char *boot, size_t len, const char *rules)
{
	size_t used = strlen(boot);

	if (!rules[0] || strstr(boot, "kslab.kernel=") ||
	    used + strlen(rules) + 15 > len)
		return 0;
	snprintf(boot + used, len - used, " kslab.kernel=%s", rules);
	return 1;
}
