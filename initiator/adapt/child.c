/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Child processes on the event loop (initiator/adapt/child.h).
 *
 * posix_spawnp() starts the child (glibc runs it with vfork semantics and
 * reports a failed exec as its return value, so a program that cannot be
 * run is an error of child_run(), not a callback). pidfd_open() then gives
 * a descriptor that turns readable when the child ends: the loop watches
 * it, and waitid(WNOHANG) reaps the child by pid. The child stays
 * unreaped (a zombie at worst) until then, so its pid and process group
 * cannot be reused under a kill.
 *
 * The end of a run is its exit, not the end of its output: something the
 * child started in the background may hold the pipe open for long. At the
 * exit the pipe is drained of what is in it, and closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/ev.h"
#include "common/list.h"
#include "common/log.h"
#include "initiator/adapt/child.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same number on every architecture */
#endif

#define COMP "child"
#define CHILD_READ_CHUNK 16384
/* Reads in one callback, and at the exit: bounded, the loop comes back (level-triggered). */
#define CHILD_READS_PER_CALL 16
#define CHILD_DRAIN_READS (CHILD_OUT_MAX / CHILD_READ_CHUNK + 64)

struct child {
	struct list_head link; /* in runner->children until reaped */
	struct child_runner *r;
	pid_t pid;
	int pidfd;
	int outfd; /* the pipe's read end, -1 once closed */
	struct ev_timer *timer;
	bool killed;   /* SIGKILL sent at the timeout */
	bool reported; /* the callback ran (the child outlived the kill's grace): reap only */
	child_done_cb *cb;
	void *arg;
	char *buf; /* buf[0..len), NUL after it once cap > 0 */
	size_t len, cap, dropped;
};

struct child_runner {
	struct ev_loop *loop;
	struct list_head children;
};

int child_runner_create(struct ev_loop *loop, struct child_runner **out)
{
	struct child_runner *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->loop = loop;
	list_init(&r->children);
	*out = r;
	return 0;
}

pid_t child_pid(const struct child *c)
{
	return c->pid;
}

static void child_close_out(struct child *c)
{
	if (c->outfd < 0)
		return;
	ev_del_fd(c->r->loop, c->outfd);
	close(c->outfd);
	c->outfd = -1;
}

/* Keeps n bytes of data: as much as CHILD_OUT_MAX allows, the rest counted as dropped. */
static void child_keep(struct child *c, const char *data, size_t n)
{
	size_t room = CHILD_OUT_MAX - c->len, take = n < room ? n : room;

	if (take && c->len + take + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		char *p;

		while (cap < c->len + take + 1)
			cap *= 2;
		if (cap > CHILD_OUT_MAX + 1)
			cap = CHILD_OUT_MAX + 1;
		p = realloc(c->buf, cap);
		if (!p) {
			/* Without memory the output is cut here; the run itself goes on. */
			c->dropped += n;
			return;
		}
		c->buf = p;
		c->cap = cap;
	}
	if (take) {
		memcpy(c->buf + c->len, data, take);
		c->len += take;
		c->buf[c->len] = '\0';
	}
	c->dropped += n - take;
}

/* Reads at most max times from the pipe; closes it at its end. */
static void child_read(struct child *c, unsigned int max)
{
	char chunk[CHILD_READ_CHUNK];

	while (c->outfd >= 0 && max--) {
		ssize_t n = read(c->outfd, chunk, sizeof(chunk));

		if (n > 0) {
			child_keep(c, chunk, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		/* the end (every writer closed it), or an error: nothing more comes */
		child_close_out(c);
	}
}

static void child_out_cb(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	child_read(arg, CHILD_READS_PER_CALL);
}

/* Stops watching c and frees it; its process must be reaped already (or given up on). */
static void child_free(struct child *c)
{
	struct ev_loop *loop = c->r->loop;

	child_close_out(c);
	if (c->pidfd >= 0) {
		ev_del_fd(loop, c->pidfd);
		close(c->pidfd);
	}
	if (c->timer)
		ev_timer_cancel(loop, c->timer);
	list_del(&c->link);
	free(c->buf);
	free(c);
}

/*
 * Hands the result to the callback, with the output. Once the callback
 * starts, c is not touched again (the callback may destroy the runner):
 * when free_child, c is freed before; otherwise it stays in the runner's
 * list, only to be reaped.
 */
static void child_report(struct child *c, int status, int sig, bool free_child)
{
	struct child_result res = {
		.status = status,
		.signal = sig,
		/* a child that exited by itself as the timeout came was not cut short */
		.timed_out = c->killed && status < 0,
		.out = c->buf ? c->buf : "",
		.len = c->len,
		.dropped = c->dropped,
	};
	child_done_cb *cb = c->cb;
	void *arg = c->arg;
	char *buf = c->buf;

	c->buf = NULL;
	c->reported = true;
	if (free_child)
		child_free(c);
	cb(arg, &res);
	free(buf);
}

/* Reaps pid if it has ended: 1 (status or signal set), 0 (still running), or -errno. */
static int child_reap(pid_t pid, int *status, int *sig)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) < 0)
		if (errno != EINTR)
			return -errno;
	if (si.si_pid == 0)
		return 0;
	*status = -1;
	*sig = 0;
	if (si.si_code == CLD_EXITED)
		*status = si.si_status;
	else
		*sig = si.si_status;
	return 1;
}

static void child_exit_cb(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct child *c = arg;
	int status, sig, rc;

	(void)loop;
	(void)fd;
	(void)events;
	rc = child_reap(c->pid, &status, &sig);
	if (rc == 0)
		return;
	if (rc < 0) {
		/* someone else reaped it (see child.h): it has ended, how is lost */
		log_warn(COMP, "pid %d: cannot reap: %s", (int)c->pid, strerror(-rc));
		status = -1;
		sig = 0;
	}
	if (c->reported) {
		child_free(c);
		return;
	}
	/* all the child wrote is in the pipe now; what its own children write later is not ours */
	child_read(c, CHILD_DRAIN_READS);
	child_report(c, status, sig, true);
}

static void child_kill(struct child *c)
{
	/* the group first: what the child started goes too */
	kill(-c->pid, SIGKILL);
	kill(c->pid, SIGKILL);
}

static int64_t child_timer_cb(struct ev_loop *loop, void *arg)
{
	struct child *c = arg;

	(void)loop;
	if (!c->killed) {
		c->killed = true;
		child_kill(c);
		return CHILD_KILL_GRACE_MS;
	}
	/*
	 * Killed, and still there (stuck in the kernel): report now, and keep
	 * watching its pidfd to reap it whenever it goes.
	 */
	log_warn(COMP, "pid %d: still there %d ms after SIGKILL", (int)c->pid,
		 CHILD_KILL_GRACE_MS);
	c->timer = NULL;
	child_read(c, CHILD_DRAIN_READS);
	child_close_out(c);
	child_report(c, -1, 0, false);
	return EV_TIMER_STOP;
}

/*
 * Reaps a killed child, waiting on its pidfd until deadline_ms at most.
 * true once reaped.
 */
static bool child_reap_until(pid_t pid, int pidfd, int64_t deadline_ms)
{
	int status, sig;

	for (;;) {
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		int64_t left;
		int rc = child_reap(pid, &status, &sig);

		if (rc != 0)
			return true; /* reaped, or not ours to reap any more */
		left = deadline_ms - ev_now_ms();
		if (left <= 0)
			return false;
		if (pidfd < 0) {
			/* no pidfd (child_run failing before it had one): look again shortly */
			struct timespec ts = { .tv_nsec = 5 * 1000000L };

			nanosleep(&ts, NULL);
			continue;
		}
		if (poll(&pfd, 1, (int)(left < 100 ? left : 100)) < 0 && errno != EINTR)
			return false;
	}
}

void child_runner_destroy(struct child_runner *r)
{
	struct child *c, *tmp;
	int64_t deadline;

	if (!r)
		return;
	list_for_each_entry(c, &r->children, link)
		child_kill(c);
	deadline = ev_now_ms() + CHILD_REAP_MAX_MS;
	list_for_each_entry_safe(c, tmp, &r->children, link) {
		if (!child_reap_until(c->pid, c->pidfd, deadline))
			log_warn(COMP, "pid %d: still there after SIGKILL; left unreaped",
				 (int)c->pid);
		child_free(c);
	}
	free(r);
}

/* fd moved above the standard descriptors (a daemon may run with 0-2 closed). */
static int child_fd_above_stdio(int fd)
{
	int moved;

	if (fd > STDERR_FILENO)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	close(fd);
	return moved < 0 ? -errno : moved;
}

/* The spawn's settings: stdin /dev/null, stdout and stderr into wfd, nothing else open. */
static int child_spawn(const char *const argv[], int wfd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int rc;

	rc = posix_spawn_file_actions_init(&fa);
	if (rc)
		return -rc;
	rc = posix_spawnattr_init(&attr);
	if (rc)
		goto out_fa;
	if ((rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0)) ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, wfd, STDOUT_FILENO)) ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, wfd, STDERR_FILENO)) ||
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1)))
		goto out_attr;
	/*
	 * Signals back to their defaults and none blocked, whatever the daemon
	 * does with them (iscsiadm times its discovery connects out with
	 * SIGALRM); a process group of its own, for the kill.
	 */
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	if ((rc = posix_spawnattr_setsigmask(&attr, &none)) ||
	    (rc = posix_spawnattr_setsigdefault(&attr, &all)) ||
	    (rc = posix_spawnattr_setpgroup(&attr, 0)) ||
	    (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
						      POSIX_SPAWN_SETPGROUP)))
		goto out_attr;
	rc = posix_spawnp(pid, argv[0], &fa, &attr, (char *const *)argv, environ);
out_attr:
	posix_spawnattr_destroy(&attr);
out_fa:
	posix_spawn_file_actions_destroy(&fa);
	return -rc;
}

int child_run(struct child_runner *r, const char *const argv[], unsigned int timeout_ms,
	      child_done_cb *cb, void *arg, struct child **out)
{
	struct child *c;
	int p[2], rc;

	if (!argv || !argv[0] || !cb)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->r = r;
	c->cb = cb;
	c->arg = arg;
	c->pidfd = -1;
	c->outfd = -1;
	list_init(&c->link);

	if (pipe2(p, O_CLOEXEC) < 0) {
		rc = -errno;
		goto err_free;
	}
	/* both ends above 0-2, so that the child's dup2 and open cannot clobber them */
	p[0] = child_fd_above_stdio(p[0]);
	p[1] = child_fd_above_stdio(p[1]);
	if (p[0] < 0 || p[1] < 0) {
		rc = p[0] < 0 ? p[0] : p[1];
		goto err_close_pipe;
	}
	/* the read end only: the child writes to a blocking pipe */
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
		rc = -errno;
		goto err_close_pipe;
	}
	rc = child_spawn(argv, p[1], &c->pid);
	if (rc)
		goto err_close_pipe;
	close(p[1]);
	p[1] = -1;
	c->outfd = p[0];

	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (c->pidfd < 0) {
		rc = -errno;
		goto err_kill;
	}
	rc = ev_add_fd(r->loop, c->outfd, EV_READ, child_out_cb, c);
	if (rc)
		goto err_kill;
	rc = ev_add_fd(r->loop, c->pidfd, EV_READ, child_exit_cb, c);
	if (rc)
		goto err_del_out;
	if (timeout_ms) {
		c->timer = ev_timer_add(r->loop, timeout_ms, child_timer_cb, c);
		if (!c->timer) {
			rc = -ENOMEM;
			goto err_del_pidfd;
		}
	}
	list_add_tail(&c->link, &r->children);
	if (out)
		*out = c;
	return 0;

err_del_pidfd:
	ev_del_fd(r->loop, c->pidfd);
err_del_out:
	ev_del_fd(r->loop, c->outfd);
err_kill:
	child_kill(c);
	if (!child_reap_until(c->pid, c->pidfd, ev_now_ms() + CHILD_REAP_MAX_MS))
		log_warn(COMP, "pid %d: still there after SIGKILL; left unreaped", (int)c->pid);
	if (c->pidfd >= 0)
		close(c->pidfd);
err_close_pipe:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
err_free:
	free(c);
	return rc;
}
