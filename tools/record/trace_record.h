/* SPDX-License-Identifier: MIT */
/*
 * Recording kmem events from the running kernel with libtracefs
 * (compiled only when libtracefs is found: KSLAB_HAVE_TRACEFS).
 */
#ifndef KSLAB_TOOL_TRACE_RECORD_H
#define KSLAB_TOOL_TRACE_RECORD_H

struct record_opts {
	const char *out;	/* file or "-" */
	int xz;			/* compress the output */
	double duration;	/* seconds, 0 = until SIGINT / COMMAND ends */
	char **cmd;		/* COMMAND ARGS... or NULL */
	const char *instance;	/* tracefs instance name */
	unsigned int buffer_kb; /* per-CPU ring buffer, 0 = kernel default */
	int quiet;
};

/*
 * Create a tracefs instance, enable kmem:kmalloc, kfree,
 * kmem_cache_alloc and kmem_cache_free in it, stream its trace_pipe to
 * the output until SIGINT/SIGTERM, the duration or the command's end,
 * then report lost events and remove the instance (the tracing state
 * outside it is never touched). Returns the exit status: 0, 1 when the
 * command failed or events were lost, 2 on usage/output errors, 3 when
 * tracefs is missing or not writable (not root).
 */
int trace_record(const struct record_opts *o);

#endif
