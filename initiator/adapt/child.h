/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Child processes watched on an event loop (initiator/adapt/child.c): a
 * program run without a shell, its stdin /dev/null, its stdout and stderr
 * read together through one pipe (the first CHILD_OUT_MAX bytes kept, the
 * rest read and dropped), its end noticed through a pidfd, never through
 * SIGCHLD or a blocking waitpid. Each run has a timeout, after which its
 * process group gets SIGKILL.
 *
 * The child runs in a process group of its own, so that the kill reaches
 * what it started too; no descriptor of the daemon leaks into it (every
 * descriptor from 3 up is closed in the child, whether O_CLOEXEC or not).
 *
 * The daemon must not set SIGCHLD to SIG_IGN, nor reap children with
 * waitpid(-1, ...) anywhere: the runner reaps its own, by pid.
 */
#ifndef PORTICO_INITIATOR_CHILD_H
#define PORTICO_INITIATOR_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CHILD_OUT_MAX (64u * 1024u)
/* After the kill at the timeout, how long the runner waits for the child to die, at most. */
#define CHILD_KILL_GRACE_MS 2000
/* What child_runner_destroy() waits, at most, for killed children to die (all of them together). */
#define CHILD_REAP_MAX_MS 2000

struct ev_loop;
struct child_runner;
struct child;

struct child_result {
	int status;	/* the exit status (0..255), or -1 when it did not exit by itself */
	int signal;	/* the signal that ended it, or 0 */
	bool timed_out; /* the runner killed it at its timeout (and it did not exit by itself) */
	/*
	 * stdout and stderr as they came through the pipe, NUL-terminated (a
	 * NUL the child wrote cuts the text short; len counts every byte).
	 * Owned by the runner; valid during the callback only.
	 */
	const char *out;
	size_t len;	/* at most CHILD_OUT_MAX */
	size_t dropped; /* bytes read beyond CHILD_OUT_MAX and thrown away */
};

/*
 * A run's end: runs on the loop, exactly once per run that child_run()
 * started, never inside child_run(); not at all once the runner is
 * destroyed. The callback may start runs and may destroy the runner.
 */
typedef void child_done_cb(void *arg, const struct child_result *res);

/* 0 or -ENOMEM. */
int child_runner_create(struct ev_loop *loop, struct child_runner **out);
/*
 * Kills every child still running (SIGKILL to its process group), reaps
 * them (waiting at most CHILD_REAP_MAX_MS in all; a child stuck in the
 * kernel past that is left and logged), and frees the runner. No callback
 * runs, now or later. Safe from inside a callback.
 */
void child_runner_destroy(struct child_runner *r);

/*
 * Runs argv[0] (looked up in PATH when it has no '/') with argv,
 * killing it timeout_ms after the start (0: never). *out (if not NULL)
 * gets the run, valid until its callback returns. 0, or -errno (the
 * program cannot be run: -ENOENT, -EACCES; -ENOMEM, -EMFILE) and then no
 * callback runs.
 */
int child_run(struct child_runner *r, const char *const argv[], unsigned int timeout_ms,
	      child_done_cb *cb, void *arg, struct child **out);

/* The run's process id (for the log). */
pid_t child_pid(const struct child *c);

#endif
