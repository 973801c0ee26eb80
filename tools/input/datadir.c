// SPDX-License-Identifier: MIT
/*
 * Finding the bundled data (see datadir.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "input/datadir.h"

#ifndef KSLAB_SRC_DATADIR
#define KSLAB_SRC_DATADIR "data"
#endif
#ifndef KSLAB_DATADIR
#define KSLAB_DATADIR "/usr/local/share/kslab"
#endif

static int has_traces(const char *dir)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/traces", dir);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

const char *kslab_data_dir(void)
{
	const char *env = getenv("KSLAB_DATA");

	if (env && *env)
		return has_traces(env) ? env : NULL;
	if (has_traces(KSLAB_SRC_DATADIR))
		return KSLAB_SRC_DATADIR;
	if (has_traces(KSLAB_DATADIR))
		return KSLAB_DATADIR;
	return NULL;
}

static int is_trace_name(const char *name)
{
	static const char *const ends[] = { ".trace", ".trace.xz",
					    ".trace.gz" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t e = strlen(ends[i]);

		if (n > e && !strcmp(name + n - e, ends[i]))
			return 1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t kslab_bundled_traces(char ***paths)
{
	const char *dir = kslab_data_dir();
	char tdir[4096], **v = NULL;
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	*paths = NULL;
	if (!dir)
		return 0;
	snprintf(tdir, sizeof(tdir), "%s/traces", dir);
	if (!(d = opendir(tdir)))
		return 0;
	while ((de = readdir(d))) {
		char **nv;

		if (!is_trace_name(de->d_name))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		if (asprintf(&v[n], "%s/%s", tdir, de->d_name) < 0)
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*paths = v;
	return n;
}

void kslab_free_paths(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

static char *existing(char *p)
{
	struct stat st;

	if (p && stat(p, &st)) {
		free(p);
		return NULL;
	}
	return p;
}

/* DIR/slabs.tsv for DIR/trace, DIR/trace.xz, DIR/trace.gz */
static char *folder_slabs_path(const char *trace)
{
	const char *slash = strrchr(trace, '/');
	const char *base = slash ? slash + 1 : trace;
	char *p;

	if (strcmp(base, "trace") && strcmp(base, "trace.xz") &&
	    strcmp(base, "trace.gz"))
		return NULL;
	if (asprintf(&p, "%.*sslabs.tsv", (int)(base - trace), trace) < 0)
		return NULL;
	return existing(p);
}

char *kslab_trace_slabs_path(const char *trace)
{
	const char *t = strstr(trace, ".trace");
	char *p = folder_slabs_path(trace);

	if (p)
		return p;
	while (t && strstr(t + 1, ".trace"))
		t = strstr(t + 1, ".trace");
	if (!t)
		return NULL;
	if (asprintf(&p, "%.*s.slabs.tsv", (int)(t - trace), trace) < 0)
		return NULL;
	return existing(p);
}
