/* SPDX-License-Identifier: MIT */
/*
 * Where the bundled data lives: $KSLAB_DATA when set, else the source
 * tree's data/ (KSLAB_SRC_DATADIR, when running from a build), else the
 * installed share/kslab (KSLAB_DATADIR).
 */
#ifndef KSLAB_TOOL_DATADIR_H
#define KSLAB_TOOL_DATADIR_H

#include <stddef.h>

/* The data directory, or NULL when none of them has traces/. */
const char *kslab_data_dir(void);
/*
 * The bundled traces (data/traces/ *.trace, *.trace.xz, *.trace.gz),
 * sorted; returns how many, with a malloc'd array of malloc'd paths.
 */
size_t kslab_bundled_traces(char ***paths);
void kslab_free_paths(char **paths, size_t n);
/*
 * The /sys/kernel/slab snapshot that goes with a trace when it exists:
 * DIR/slabs.tsv for DIR/trace[.xz|.gz] (a recorded boot's folder),
 * X.slabs.tsv for X.trace[.xz|.gz]. Malloc'd, or NULL.
 */
char *kslab_trace_slabs_path(const char *trace);

#endif
