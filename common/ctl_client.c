/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A client of a daemon's control socket (common/ctl_client.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>

#include "common/ctl_client.h"

#define CTL_CLIENT_READ_CHUNK 65536

static void cerr_set(struct ctl_client_err *err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cerr_set(struct ctl_client_err *err, const char *hint, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	snprintf(err->hint, sizeof(err->hint), "%s", hint ? hint : "");
}

int ctl_client_init(struct ctl_client *c, const char *path, const struct ctl_client_who *who,
		    int timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	ctl_reader_init(&c->rd);
	c->who = *who;
	if (strlen(path) >= sizeof(c->path) || !path[0])
		return -ENAMETOOLONG;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->timeout_ms = timeout_ms;
	c->next_id = 1;
	ctl_reader_init(&c->rd);
	c->buf = malloc(CTL_BUF_SIZE);
	if (!c->buf)
		return -ENOMEM;
	return 0;
}

static void ctl_client_close(struct ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	ctl_reader_fini(&c->rd);
	ctl_reader_init(&c->rd);
}

void ctl_client_fini(struct ctl_client *c)
{
	ctl_client_close(c);
	ctl_reader_fini(&c->rd);
	free(c->buf);
	c->buf = NULL;
}

static int ctl_client_connect(struct ctl_client *c, struct ctl_client_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		cerr_set(err, NULL, "cannot create a socket: %s", strerror(e));
		return -e;
	}
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			cerr_set(err, c->who.not_running_hint, "cannot reach %s at %s: %s",
				 c->who.daemon, c->path, strerror(e));
		else if (e == EACCES || e == EPERM)
			cerr_set(err, c->who.root_hint, "cannot reach %s at %s: %s", c->who.daemon,
				 c->path, strerror(e));
		else
			cerr_set(err, NULL, "cannot reach %s at %s: %s", c->who.daemon, c->path,
				 strerror(e));
		return -e;
	}
	c->fd = fd;
	return 0;
}

static int64_t ctl_client_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int ctl_client_send(struct ctl_client *c, const char *p, size_t len, struct ctl_client_err *err)
{
	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			cerr_set(err, c->who.stopped_hint, "lost the connection to %s: %s",
				 c->who.daemon, strerror(e));
			return -e;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Waits for the response to request id. */
static int ctl_client_recv(struct ctl_client *c, int64_t id, struct ctl_response *rsp,
			  struct ctl_client_err *err)
{
	int64_t deadline = ctl_client_now_ms() + c->timeout_ms;
	char *chunk = c->buf; /* the request is sent: its buffer is free */
	const char *msg, *why = NULL;
	size_t len;
	int rc;

	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int64_t left;
		ssize_t n;

		rc = ctl_reader_next(&c->rd, &msg, &len);
		if (rc < 0) {
			cerr_set(err, NULL, "%s sent a message longer than 1 MiB", c->who.daemon);
			return -EMSGSIZE;
		}
		if (rc == 1)
			break;
		left = deadline - ctl_client_now_ms();
		if (left <= 0) {
			cerr_set(err, c->who.busy_hint, "no answer from %s in %d s", c->who.daemon,
				 c->timeout_ms / 1000);
			return -ETIMEDOUT;
		}
		rc = poll(&pfd, 1, (int)(left > 1000000 ? 1000000 : left));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			continue;
		n = recv(c->fd, chunk, CTL_CLIENT_READ_CHUNK, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			cerr_set(err, NULL, "lost the connection to %s: %s", c->who.daemon,
				 strerror(e));
			return -e;
		}
		if (n == 0) {
			cerr_set(err, c->who.closed_hint, "%s closed the connection without answering",
				 c->who.daemon);
			return -ECONNRESET;
		}
		rc = ctl_reader_feed(&c->rd, chunk, (size_t)n);
		if (rc) {
			cerr_set(err, NULL, "%s sent a message longer than 1 MiB", c->who.daemon);
			return rc;
		}
	}
	rc = ctl_response_parse(msg, len, rsp, &why);
	if (rc == -EPROTONOSUPPORT) {
		cerr_set(err, c->who.version_hint, "%s speaks another version of the control protocol",
			 c->who.daemon);
		return rc;
	}
	if (rc) {
		cerr_set(err, NULL, "%s's answer does not follow the protocol: %s", c->who.daemon, why);
		return -EPROTO;
	}
	/* one request at a time: the answer is to this one (or to none: it could not be read) */
	if (rsp->has_id && rsp->id != id) {
		cerr_set(err, NULL, "%s answered request %lld instead of %lld", c->who.daemon,
			   (long long)rsp->id, (long long)id);
		ctl_response_fini(rsp);
		return -EPROTO;
	}
	return 0;
}

int ctl_client_call(struct ctl_client *c, const char *op, const char *path,
		   struct json_object *args, struct ctl_response *rsp, struct ctl_client_err *err)
{
	int64_t id = c->next_id++;
	int n, rc;

	memset(rsp, 0, sizeof(*rsp));
	n = ctl_request_build(c->buf, CTL_BUF_SIZE, id, op, path, args);
	if (n == -EMSGSIZE) {
		cerr_set(err, "split it into smaller commands",
				  "the command is longer than the protocol's 1 MiB");
		return n;
	}
	if (n < 0) {
		cerr_set(err, NULL, "cannot build the request: %s", strerror(-n));
		return n;
	}
	if (c->fd < 0) {
		rc = ctl_client_connect(c, err);
		if (rc)
			return rc;
	}
	rc = ctl_client_send(c, c->buf, (size_t)n, err);
	/*
	 * A daemon that refuses the connection (not root) answers at once
	 * and closes: the send may meet the closed socket, and the answer
	 * that says why is waiting to be read.
	 */
	if (rc == -EPIPE || rc == -ECONNRESET) {
		struct ctl_client_err recv_err = { .msg = "" };

		if (!ctl_client_recv(c, id, rsp, &recv_err))
			rc = 0;
	} else if (!rc) {
		rc = ctl_client_recv(c, id, rsp, err);
	}
	if (rc)
		ctl_client_close(c);
	return rc;
}
