/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A control socket (common/ctl_server.h): accept, check the peer, cut the
 * byte stream into requests (common/ctl.c), answer each in order through
 * the daemon's handler, write the answers back without blocking the
 * daemon's loop.
 *
 * A client that sends requests faster than it reads answers is not read
 * from while more than CTL_OUT_HIGH bytes of answers wait for it, so that
 * its memory stays bounded.
 *
 * Nobody can hold the socket shut: a client that has been silent for
 * limits.idle_ms (nothing received, nothing left to send) is closed, one
 * that takes longer than limits.request_ms to send one request or to read
 * one answer too; and when every slot is taken, a new client still gets in:
 * the one silent longest makes room for it (a slot is always there for the
 * administrator who comes to see what is wrong). When the process is out
 * of descriptors (a flood of iSCSI connections), a descriptor held in
 * reserve lets that administrator in all the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/ctl.h"
#include "common/ev.h"
#include "common/list.h"
#include "common/log.h"
#include "common/ctl_server.h"

#define COMP "control"
#define CTL_OUT_HIGH (4u * CTL_BUF_SIZE)
#define CTL_READ_CHUNK 65536
/* How often the limits are checked: a client goes within this of its deadline. */
#define CTL_SWEEP_MS 1000

struct ctl_client {
	struct list_head link;
	struct ctl_server *srv;
	int fd;
	pid_t pid; /* for the log */
	struct ctl_reader reader;
	char *out; /* answers not written yet: out[off..len) */
	size_t off, len, cap;
	bool closing; /* close once out is written */
	uint32_t events;
	int64_t active_ms;   /* the last byte received or sent */
	int64_t pending_ms;  /* since when a request or an answer is half through; 0: none */
};

struct ctl_server {
	ctl_server_handler *handle;
	void *arg;
	char daemon[32]; /* for the messages: "porticod", "portico-pathd" */
	struct ev_loop *loop;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct list_head clients;
	unsigned int nclients;
	char *buf; /* one answer being built (CTL_BUF_SIZE) */
	struct ctl_server_limits limits;
	struct ev_timer *sweep;
	int spare_fd;	    /* /dev/null, given up to accept a client when none is left */
	bool accept_paused; /* out of descriptors: the listener rests until the next sweep */
	unsigned long evicted, timed_out; /* for the log */
};

static void client_free(struct ctl_client *cl)
{
	ev_del_fd(cl->srv->loop, cl->fd);
	close(cl->fd);
	list_del(&cl->link);
	cl->srv->nclients--;
	ctl_reader_fini(&cl->reader);
	free(cl->out);
	free(cl);
}

/* Queues len bytes of buf for the client. 0 or -ENOMEM. */
static int client_queue(struct ctl_client *cl, const char *buf, size_t len)
{
	if (cl->off && cl->off == cl->len)
		cl->off = cl->len = 0;
	if (cl->len + len > cl->cap) {
		size_t cap = cl->cap ? cl->cap : 4096;
		char *p;

		while (cap < cl->len + len)
			cap *= 2;
		p = realloc(cl->out, cap);
		if (!p)
			return -ENOMEM;
		cl->out = p;
		cl->cap = cap;
	}
	memcpy(cl->out + cl->len, buf, len);
	cl->len += len;
	return 0;
}

static int client_queue_error(struct ctl_client *cl, const int64_t *id, int err, const char *msg,
			      const char *hint)
{
	int n = ctl_response_build_error(cl->srv->buf, CTL_BUF_SIZE, id, err, msg,
					 hint && hint[0] ? hint : NULL);

	return n < 0 ? n : client_queue(cl, cl->srv->buf, (size_t)n);
}

/* Writes what it can; returns false when the client is gone (freed). */
static bool client_flush(struct ctl_client *cl)
{
	uint32_t want;

	while (cl->off < cl->len) {
		ssize_t n = send(cl->fd, cl->out + cl->off, cl->len - cl->off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_free(cl);
			return false;
		}
		cl->off += (size_t)n;
		cl->active_ms = ev_now_ms();
	}
	if (cl->off == cl->len) {
		cl->off = cl->len = 0;
		if (cl->closing) {
			client_free(cl);
			return false;
		}
	}
	want = 0;
	if (cl->len - cl->off)
		want |= EV_WRITE;
	if (!cl->closing && cl->len - cl->off < CTL_OUT_HIGH)
		want |= EV_READ;
	if (want != cl->events && !ev_mod_fd(cl->srv->loop, cl->fd, want))
		cl->events = want;
	return true;
}

/* One request line in, one answer queued. 0 or -ENOMEM. */
static int client_handle(struct ctl_client *cl, const char *msg, size_t len)
{
	struct ctl_request req;
	struct ctl_reply reply;
	const char *why = NULL;
	int rc, n;

	rc = ctl_request_parse(msg, len, &req, &why);
	if (rc) {
		char text[256];

		if (rc == -ENOMEM)
			return rc;
		snprintf(text, sizeof(text), "%s", why ? why : "malformed request");
		return client_queue_error(cl, req.has_id ? &req.id : NULL, rc, text,
					  rc == -EPROTONOSUPPORT ?
						  "this server speaks protocol version 1" :
						  NULL);
	}
	memset(&reply, 0, sizeof(reply));
	cl->srv->handle(cl->srv->arg, &req, &reply);
	if (reply.err) {
		log_dbg(COMP, "pid %d: %s %s: %s", (int)cl->pid, req.op, req.path, reply.message);
		n = ctl_response_build_error(cl->srv->buf, CTL_BUF_SIZE, &req.id, reply.err,
					     reply.message[0] ? reply.message : "failed",
					     reply.hint[0] ? reply.hint : NULL);
	} else {
		n = ctl_response_build_ok(cl->srv->buf, CTL_BUF_SIZE, &req.id, reply.result);
		if (n == -EMSGSIZE)
			n = ctl_response_build_error(
				cl->srv->buf, CTL_BUF_SIZE, &req.id, EMSGSIZE,
				"the answer is longer than the protocol's 1 MiB",
				"ask for less: a deeper path, or depth=1");
		else if (n == -EILSEQ)
			n = ctl_response_build_error(
				cl->srv->buf, CTL_BUF_SIZE, &req.id, EILSEQ,
				"the answer would hold a name or path that is not UTF-8",
				"the protocol carries UTF-8 only: rename it, or read the configuration file");
	}
	if (reply.result)
		json_object_put(reply.result);
	ctl_request_fini(&req);
	return n < 0 ? n : client_queue(cl, cl->srv->buf, (size_t)n);
}

/*
 * Whether the client is half through a request (bytes of a line without its
 * end) or an answer (bytes we could not send yet): the clock of
 * limits.request_ms runs only then.
 */
static void client_note_pending(struct ctl_client *cl)
{
	bool pending = ctl_reader_pending(&cl->reader) || cl->len > cl->off;

	if (!pending)
		cl->pending_ms = 0;
	else if (!cl->pending_ms)
		cl->pending_ms = ev_now_ms();
}

/* Answers the complete requests held while the answers waiting stay below CTL_OUT_HIGH. */
static int client_work(struct ctl_client *cl)
{
	const char *msg;
	size_t len;
	int rc = 0;

	while (!cl->closing && cl->len - cl->off < CTL_OUT_HIGH &&
	       (rc = ctl_reader_next(&cl->reader, &msg, &len)) > 0)
		rc = client_handle(cl, msg, len);
	return rc < 0 ? rc : 0;
}

static void on_client(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct ctl_client *cl = arg;
	char chunk[CTL_READ_CHUNK];
	int rc = 0;

	(void)loop;
	/* a hang-up or error comes without EV_READ when only writing is watched: read finds it */
	if (events & EV_ERROR)
		events |= EV_READ;
	if ((events & EV_READ) && !cl->closing) {
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			client_free(cl);
			return;
		}
		if (n > 0) {
			cl->active_ms = ev_now_ms();
			if (!cl->pending_ms)
				cl->pending_ms = cl->active_ms;
			rc = ctl_reader_feed(&cl->reader, chunk, (size_t)n);
		}
	}
	if (!rc)
		rc = client_work(cl);
	if (rc == -EMSGSIZE) {
		/* docs/control-protocol.md: answered with "id": null, then closed. */
		client_queue_error(cl, NULL, EMSGSIZE, "request longer than 1 MiB", NULL);
		cl->closing = true;
	} else if (rc < 0) {
		log_warn(COMP, "pid %d: %s; closing its connection", (int)cl->pid, strerror(-rc));
		client_free(cl);
		return;
	}
	if (!client_flush(cl))
		return;
	/* Writing made room: answer what was held back, once more (bounded by the mark). */
	if (!cl->closing && (events & EV_WRITE) && !client_work(cl) && !client_flush(cl))
		return;
	client_note_pending(cl);
}

/*
 * Every slot is taken: the client silent longest (not in the middle of a
 * request or an answer, when there is one) makes room for pid.
 */
static void client_evict_idlest(struct ctl_server *c, pid_t pid)
{
	struct ctl_client *cl, *pick = NULL;

	list_for_each_entry(cl, &c->clients, link)
	{
		if (!pick || (!cl->pending_ms && pick->pending_ms) ||
		    (!cl->pending_ms == !pick->pending_ms && cl->active_ms < pick->active_ms))
			pick = cl;
	}
	if (!pick)
		return;
	c->evicted++;
	log_warn(COMP,
		 "every one of the %u slots is taken: closing pid %d (silent for %lld ms) to let pid %d in (%lu so far)",
		 c->limits.max_clients, (int)pick->pid,
		 (long long)(ev_now_ms() - pick->active_ms), (int)pid, c->evicted);
	client_free(pick);
}

static void on_accept(struct ev_loop *loop, int lfd, uint32_t events, void *arg);

/* Closes the clients that are silent too long, or too slow with one request or answer. */
static int64_t on_sweep(struct ev_loop *loop, void *arg)
{
	struct ctl_server *c = arg;
	struct ctl_client *cl, *tmp;
	int64_t now = ev_now_ms();

	(void)loop;
	list_for_each_entry_safe(cl, tmp, &c->clients, link)
	{
		const char *why = NULL;

		if (cl->pending_ms && now - cl->pending_ms > c->limits.request_ms)
			why = cl->len > cl->off ? "did not read its answer" : "did not finish its request";
		else if (!cl->pending_ms && now - cl->active_ms > c->limits.idle_ms)
			why = "was idle";
		if (!why)
			continue;
		c->timed_out++;
		log_info(COMP, "pid %d %s for %lld ms: closing its connection", (int)cl->pid, why,
			 (long long)(now - (cl->pending_ms ? cl->pending_ms : cl->active_ms)));
		client_free(cl);
	}
	/* the reserve back, and the listener with it, once a descriptor is free again */
	if (c->spare_fd < 0)
		c->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (c->accept_paused && !ev_add_fd(loop, c->fd, EV_READ, on_accept, c))
		c->accept_paused = false;
	return CTL_SWEEP_MS;
}

/*
 * accept() found no descriptor: the reserve one makes room for this client
 * (the administrator, most likely, come to see why); without a reserve the
 * listener rests until the next sweep, instead of spinning on it.
 */
static int accept_with_reserve(struct ctl_server *c, int lfd)
{
	int err = errno, fd = -1;

	if (c->spare_fd >= 0) {
		close(c->spare_fd);
		c->spare_fd = -1;
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	}
	if (fd < 0 && !c->accept_paused) {
		log_err(COMP, "out of file descriptors (%s): the control socket rests a second",
			strerror(err));
		ev_del_fd(c->loop, lfd);
		c->accept_paused = true;
	}
	return fd;
}

static void on_accept(struct ev_loop *loop, int lfd, uint32_t events, void *arg)
{
	struct ctl_server *c = arg;

	(void)events;
	for (int i = 0; i < 16; i++) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		struct ctl_client *cl;
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0 && (errno == EMFILE || errno == ENFILE))
			fd = accept_with_reserve(c, lfd);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != EMFILE &&
			    errno != ENFILE)
				log_warn(COMP, "accept failed: %s", strerror(errno));
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
			log_warn(COMP, "cannot tell who connected: %s", strerror(errno));
			close(fd);
			continue;
		}
		if (c->nclients >= c->limits.max_clients)
			client_evict_idlest(c, cred.pid);
		cl = c->nclients < c->limits.max_clients ? calloc(1, sizeof(*cl)) : NULL;
		if (!cl) {
			log_warn(COMP, "pid %d: refused: %u clients connected, none of them idle",
				 (int)cred.pid, c->nclients);
			close(fd);
			continue;
		}
		cl->active_ms = ev_now_ms();
		cl->srv = c;
		cl->fd = fd;
		cl->pid = cred.pid;
		ctl_reader_init(&cl->reader);
		list_add_tail(&cl->link, &c->clients);
		c->nclients++;
		cl->events = EV_READ;
		if (ev_add_fd(loop, fd, EV_READ, on_client, cl)) {
			list_del(&cl->link);
			c->nclients--;
			ctl_reader_fini(&cl->reader);
			free(cl);
			close(fd);
			continue;
		}
		/*
		 * Root only: the socket's mode (0600) keeps others out already;
		 * the check holds when someone loosens the mode or the socket
		 * is reached through a mount namespace.
		 */
		if (cred.uid != 0) {
			log_warn(COMP, "pid %d uid %u refused: the control socket is root's",
				 (int)cred.pid, (unsigned int)cred.uid);
			snprintf(c->buf, CTL_BUF_SIZE,
				 "permission denied: %s takes orders from root only", c->daemon);
			client_queue_error(cl, NULL, EPERM, c->buf, "run it as root (sudo ...)");
			cl->closing = true;
			client_flush(cl);
			continue;
		}
		log_dbg(COMP, "pid %d connected", (int)cred.pid);
	}
}

/* A socket file left by a porticod that died: nobody accepts on it. */
static bool socket_is_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool stale;

	if (fd < 0)
		return false;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	stale = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno == ECONNREFUSED;
	close(fd);
	return stale;
}

void ctl_server_limits_default(struct ctl_server_limits *l)
{
	l->max_clients = 64;
	/* the shell connects again by itself: a short idle timeout costs an admin nothing */
	l->idle_ms = 60 * 1000;
	l->request_ms = 10 * 1000;
}

int ctl_server_start(struct ev_loop *loop, const char *path, const char *daemon,
		     const struct ctl_server_limits *limits, ctl_server_handler *handle, void *arg,
		     struct ctl_server **out, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_server *c;
	char dir[sizeof(sa.sun_path)];
	struct stat st;
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path '%s' is too long", path);
		return -ENAMETOOLONG;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->buf = malloc(CTL_BUF_SIZE))) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->handle = handle;
	c->arg = arg;
	c->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (limits)
		c->limits = *limits;
	else
		ctl_server_limits_default(&c->limits);
	if (!c->limits.max_clients)
		c->limits.max_clients = 1;
	snprintf(c->daemon, sizeof(c->daemon), "%s", daemon);
	c->loop = loop;
	c->fd = -1;
	list_init(&c->clients);
	snprintf(c->path, sizeof(c->path), "%s", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);

	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0755) && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "cannot create the directory of control socket '%s': %s",
			 path, strerror(errno));
		goto err_free;
	}
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			rc = -EEXIST;
			snprintf(err, errlen,
				 "control socket '%s': a file that is not a socket is in the way",
				 path);
			goto err_free;
		}
		if (!socket_is_stale(path)) {
			rc = -EADDRINUSE;
			snprintf(err, errlen,
				 "control socket '%s' is in use: is another %s running?", path,
				 c->daemon);
			goto err_free;
		}
		unlink(path);
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		rc = -errno;
		snprintf(err, errlen, "cannot bind control socket '%s': %s", path, strerror(errno));
		goto err_close;
	}
	/* Mode 0600 before anyone may connect: listen() comes after. */
	if (chmod(path, 0600) || listen(c->fd, 16)) {
		rc = -errno;
		snprintf(err, errlen, "cannot set up control socket '%s': %s", path,
			 strerror(errno));
		goto err_unlink;
	}
	c->sweep = ev_timer_add(loop, CTL_SWEEP_MS, on_sweep, c);
	if (!c->sweep) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto err_unlink;
	}
	rc = ev_add_fd(loop, c->fd, EV_READ, on_accept, c);
	if (rc) {
		ev_timer_cancel(loop, c->sweep);
		snprintf(err, errlen, "cannot watch control socket '%s': %s", path, strerror(-rc));
		goto err_unlink;
	}
	log_info(COMP, "control socket %s", path);
	*out = c;
	return 0;

err_unlink:
	unlink(path);
err_close:
	if (c->fd >= 0)
		close(c->fd);
err_free:
	if (c->spare_fd >= 0)
		close(c->spare_fd);
	free(c->buf);
	free(c);
	return rc;
}

void ctl_server_stop(struct ctl_server *c)
{
	struct ctl_client *cl, *tmp;

	if (!c)
		return;
	list_for_each_entry_safe(cl, tmp, &c->clients, link)
		client_free(cl);
	ev_timer_cancel(c->loop, c->sweep);
	if (!c->accept_paused)
		ev_del_fd(c->loop, c->fd);
	if (c->spare_fd >= 0)
		close(c->spare_fd);
	close(c->fd);
	unlink(c->path);
	free(c->buf);
	free(c);
}
