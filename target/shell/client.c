/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The shell's connection to porticod's control socket (I/O). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "target/shell/client.h"

#define SH_READ_CHUNK 65536

int sh_client_init(struct sh_client *c, const char *path, int timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
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

static void sh_client_close(struct sh_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	ctl_reader_fini(&c->rd);
	ctl_reader_init(&c->rd);
}

void sh_client_fini(struct sh_client *c)
{
	sh_client_close(c);
	ctl_reader_fini(&c->rd);
	free(c->buf);
	c->buf = NULL;
}

static int sh_client_connect(struct sh_client *c, struct sh_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		sh_err_set(err, NULL, "cannot create a socket: %s", strerror(e));
		return -e;
	}
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			sh_err_set(err,
				   "is porticod running, with its control server? Another socket: "
				   "--socket PATH or PORTICO_SOCKET",
				   "cannot reach porticod at %s: %s", c->path, strerror(e));
		else if (e == EACCES || e == EPERM)
			sh_err_set(err, "administering porticod takes root",
				   "cannot reach porticod at %s: %s", c->path, strerror(e));
		else
			sh_err_set(err, NULL, "cannot reach porticod at %s: %s", c->path,
				   strerror(e));
		return -e;
	}
	c->fd = fd;
	return 0;
}

static int64_t sh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sh_client_send(struct sh_client *c, const char *p, size_t len, struct sh_err *err)
{
	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			sh_err_set(err, "is porticod still running? 'systemctl status porticod'",
				   "lost the connection to porticod: %s", strerror(e));
			return -e;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Waits for the response to request id. */
static int sh_client_recv(struct sh_client *c, int64_t id, struct ctl_response *rsp,
			  struct sh_err *err)
{
	int64_t deadline = sh_now_ms() + c->timeout_ms;
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
			sh_err_set(err, NULL, "porticod sent a message longer than 1 MiB");
			return -EMSGSIZE;
		}
		if (rc == 1)
			break;
		left = deadline - sh_now_ms();
		if (left <= 0) {
			sh_err_set(err, "porticod may be busy or stuck: 'portico status', "
					       "or a longer --timeout",
					  "no answer from porticod in %d s", c->timeout_ms / 1000);
			return -ETIMEDOUT;
		}
		rc = poll(&pfd, 1, (int)(left > 1000000 ? 1000000 : left));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			continue;
		n = recv(c->fd, chunk, SH_READ_CHUNK, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			sh_err_set(err, NULL, "lost the connection to porticod: %s", strerror(e));
			return -e;
		}
		if (n == 0) {
			sh_err_set(err, "porticod may have stopped: see its log",
					  "porticod closed the connection without answering");
			return -ECONNRESET;
		}
		rc = ctl_reader_feed(&c->rd, chunk, (size_t)n);
		if (rc) {
			sh_err_set(err, NULL, "porticod sent a message longer than 1 MiB");
			return rc;
		}
	}
	rc = ctl_response_parse(msg, len, rsp, &why);
	if (rc == -EPROTONOSUPPORT) {
		sh_err_set(err, "install portico and porticod of the same version",
				  "porticod speaks another version of the control protocol");
		return rc;
	}
	if (rc) {
		sh_err_set(err, NULL, "porticod's answer does not follow the protocol: %s", why);
		return -EPROTO;
	}
	/* one request at a time: the answer is to this one (or to none: it could not be read) */
	if (rsp->has_id && rsp->id != id) {
		sh_err_set(err, NULL, "porticod answered request %lld instead of %lld",
			   (long long)rsp->id, (long long)id);
		ctl_response_fini(rsp);
		return -EPROTO;
	}
	return 0;
}

int sh_client_call(struct sh_client *c, const char *op, const char *path,
		   struct json_object *args, struct ctl_response *rsp, struct sh_err *err)
{
	int64_t id = c->next_id++;
	int n, rc;

	memset(rsp, 0, sizeof(*rsp));
	n = ctl_request_build(c->buf, CTL_BUF_SIZE, id, op, path, args);
	if (n == -EMSGSIZE) {
		sh_err_set(err, "split it into smaller commands",
				  "the command is longer than the protocol's 1 MiB");
		return n;
	}
	if (n < 0) {
		sh_err_set(err, NULL, "cannot build the request: %s", strerror(-n));
		return n;
	}
	if (c->fd < 0) {
		rc = sh_client_connect(c, err);
		if (rc)
			return rc;
	}
	rc = sh_client_send(c, c->buf, (size_t)n, err);
	/*
	 * A porticod that refuses the connection (not root) answers at once
	 * and closes: the send may meet the closed socket, and the answer
	 * that says why is waiting to be read.
	 */
	if (rc == -EPIPE || rc == -ECONNRESET) {
		struct sh_err recv_err = { .msg = "" };

		if (!sh_client_recv(c, id, rsp, &recv_err))
			rc = 0;
	} else if (!rc) {
		rc = sh_client_recv(c, id, rsp, err);
	}
	if (rc)
		sh_client_close(c);
	return rc;
}
