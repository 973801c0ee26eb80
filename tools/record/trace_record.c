// SPDX-License-Identifier: MIT
/*
 * `kslab record` proper (see trace_record.h): a private tracefs instance
 * with the four kmem events, its trace_pipe copied to a plain or xz file.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <tracefs.h>
#include "record/trace_record.h"
#include "output/xzout.h"

static const char *const kmem_events[] = {
	"kmalloc",
	"kfree",
	"kmem_cache_alloc",
	"kmem_cache_free",
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int tracefs_usable(void)
{
	const char *dir = tracefs_tracing_dir();
	char path[4096];

	if (!dir) {
		fprintf(stderr,
			"kslab record: tracefs is not mounted (mount -t "
			"tracefs nodev /sys/kernel/tracing)\n");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/instances", dir);
	if (access(path, W_OK)) {
		fprintf(stderr,
			"kslab record: cannot create a tracing instance "
			"in %s: %s (run as root)\n",
			path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Leave out the recorder's own allocations (reading trace_pipe, writing
 * the file): under load they would feed back into the trace.
 */
static void filter_self(struct tracefs_instance *inst, const char *ev)
{
	char filter[64];

	snprintf(filter, sizeof(filter), "common_pid != %ld", (long)getpid());
	if (tracefs_event_file_write(inst, "kmem", ev, "filter", filter) < 0)
		fprintf(stderr,
			"kslab record: warning: cannot filter kmem:%s "
			"(own allocations will be recorded)\n",
			ev);
}

static int enable_events(struct tracefs_instance *inst)
{
	for (size_t i = 0; i < 4; i++)
		filter_self(inst, kmem_events[i]);
	for (size_t i = 0; i < 4; i++)
		if (tracefs_event_enable(inst, "kmem", kmem_events[i])) {
			fprintf(stderr,
				"kslab record: cannot enable "
				"kmem:%s\n",
				kmem_events[i]);
			return -1;
		}
	return 0;
}

static pid_t start_command(char **cmd)
{
	pid_t pid = fork();

	if (pid == 0) {
		execvp(cmd[0], cmd);
		fprintf(stderr, "kslab record: %s: %s\n", cmd[0],
			strerror(errno));
		_exit(127);
	}
	return pid;
}

/*
 * Copy what the pipe has, at most max_reads reads (0 = until it is
 * empty, once tracing is off); -1 on an output error.
 */
static int drain(int fd, struct xzout *out, int wait_ms, int max_reads)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[65536];
	ssize_t n;

	if (wait_ms && poll(&p, 1, wait_ms) <= 0)
		return 0;
	for (int i = 0; !max_reads || i < max_reads; i++) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		if (xzout_write(out, buf, (size_t)n))
			return -1;
	}
	return 0;
}

static unsigned long long lost_events(struct tracefs_instance *inst)
{
	unsigned long long total = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	for (long c = 0; c < ncpu; c++) {
		char file[64], *text, *p;

		snprintf(file, sizeof(file), "per_cpu/cpu%ld/stats", c);
		text = tracefs_instance_file_read(inst, file, NULL);
		if (!text)
			continue;
		if ((p = strstr(text, "overrun:")))
			total += strtoull(p + 8, NULL, 10);
		if ((p = strstr(text, "dropped events:")))
			total += strtoull(p + 15, NULL, 10);
		free(text);
	}
	return total;
}

static int stream(struct tracefs_instance *inst, int fd, struct xzout *out,
		  const struct record_opts *o, pid_t child, int *child_status,
		  int *reaped)
{
	double end = o->duration > 0 ? now() + o->duration : 0;

	while (!stop_requested && (!end || now() < end)) {
		if (drain(fd, out, 200, 64))
			return -1;
		if (child > 0 &&
		    waitpid(child, child_status, WNOHANG) == child) {
			*reaped = 1;
			break;
		}
	}
	tracefs_trace_off(inst);
	return drain(fd, out, 0, 0);
}

static int record_in(struct tracefs_instance *inst, const struct record_opts *o,
		     struct xzout *out)
{
	char *pipe_path = tracefs_instance_get_file(inst, "trace_pipe");
	int fd, status = 0, ret = 0, reaped = 0;
	pid_t child = 0;
	unsigned long long lost;

	if (!pipe_path || (fd = open(pipe_path, O_RDONLY | O_NONBLOCK)) < 0) {
		fprintf(stderr, "kslab record: cannot open trace_pipe\n");
		tracefs_put_tracing_file(pipe_path);
		return 3;
	}
	tracefs_put_tracing_file(pipe_path);
	if (o->cmd && (child = start_command(o->cmd)) < 0) {
		fprintf(stderr, "kslab record: fork: %s\n", strerror(errno));
		close(fd);
		return 2;
	}
	if (stream(inst, fd, out, o, child, &status, &reaped)) {
		fprintf(stderr, "kslab record: cannot write %s\n", o->out);
		ret = 2;
	}
	close(fd);
	if (child > 0 && !reaped) {
		/* stopped by a signal or the duration: not its failure */
		kill(child, SIGINT);
		waitpid(child, &status, 0);
	}
	if (child > 0 && reaped &&
	    (!WIFEXITED(status) || WEXITSTATUS(status))) {
		fprintf(stderr, "kslab record: %s failed\n", o->cmd[0]);
		ret = ret ? ret : 1;
	}
	lost = lost_events(inst);
	if (lost) {
		fprintf(stderr,
			"kslab record: %llu events lost in the ring "
			"buffer (try --buffer-kb)\n",
			lost);
		ret = ret ? ret : 1;
	} else if (!o->quiet) {
		fprintf(stderr, "kslab record: no events lost\n");
	}
	return ret;
}

int trace_record(const struct record_opts *o)
{
	struct tracefs_instance *inst;
	struct sigaction sa = { .sa_handler = on_signal };
	struct xzout *out;
	char err[512];
	int ret;

	if (tracefs_usable())
		return 3;
	inst = tracefs_instance_create(o->instance);
	if (!inst) {
		fprintf(stderr,
			"kslab record: cannot create tracing instance "
			"'%s': %s\n",
			o->instance, strerror(errno));
		return 3;
	}
	if (o->buffer_kb)
		tracefs_instance_set_buffer_size(inst, o->buffer_kb, -1);
	if (enable_events(inst)) {
		ret = 3;
		goto out_instance;
	}
	if (!(out = xzout_open(o->out, o->xz, err, sizeof(err)))) {
		fprintf(stderr, "kslab record: %s\n", err);
		ret = 2;
		goto out_instance;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	tracefs_trace_on(inst);
	ret = record_in(inst, o, out);
	if (xzout_close(out) && !ret) {
		fprintf(stderr, "kslab record: cannot write %s\n", o->out);
		ret = 2;
	}
out_instance:
	for (size_t i = 0; i < 4; i++)
		tracefs_event_disable(inst, "kmem", kmem_events[i]);
	tracefs_instance_destroy(inst);
	tracefs_instance_free(inst);
	return ret;
}
