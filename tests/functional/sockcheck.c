/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sockcheck: the socket killer (initiator/adapt/sockkill.c) against this
 * machine's kernel, for tests/functional/pathd-sockkill.sh, which runs it
 * in network namespaces of its own.
 *
 *   sockcheck serve ADDR:PORT...   listens on each, accepts and holds the
 *                                  connections (reads and drops what comes);
 *                                  prints "listening", exits at the end of
 *                                  stdin
 *   sockcheck                      reads commands from stdin, one a line, and
 *                                  answers each with one line "N TEXT" (N
 *                                  counts the commands from 1):
 *     probe                        sockkill_probe: "supported", "unsupported: WHY"
 *     listen ADDR:PORT             a listener here: "ok"
 *     connect NAME DEV SRC ADDR:PORT  a connection from address SRC (the kernel
 *                                  picks the port), bound to device DEV ("-":
 *                                  none, as iscsid binds an iface's socket),
 *                                  to ADDR:PORT: "ok LOCALPORT"
 *     send NAME BYTES              writes BYTES (without waiting): "ok N" (N
 *                                  taken by the kernel)
 *     kill remote=ADDR:PORT [laddr=ADDR] [lport=N] [dev=IF]
 *                                  sockkill_destroy: "matched=M destroyed=D
 *                                  gone=G dumps=N seen=S us=T", or "error: WHY"
 *     peek NAME                    a receive that does not wait: "EAGAIN" (open,
 *                                  nothing to read), "ECONNABORTED", "eof",
 *                                  "data", or the errno's name
 *     wait NAME                    a thread blocks in a receive on NAME (10 s
 *                                  at most): "ok"
 *     join NAME                    what that receive ended with, as peek says
 *                                  it ("EAGAIN": it timed out, the connection
 *                                  stood)
 *     quit                         "bye", and exits 0
 * ADDR:PORT is "198.18.77.1:3260" or "[fd5e::1]:3260". The end of stdin is quit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/netaddr.h"
#include "initiator/adapt/sockkill.h"

#define SC_LINE_MAX 512
#define SC_CONNS 16
#define SC_SERVE_MAX 8
#define SC_HELD_MAX 64
#define SC_WAIT_S 10
#define SC_CONNECT_S 5

struct sc_conn {
	char name[32];
	int fd;
	pthread_t waiter;
	bool waiting;
	int outcome; /* the waiter's: 0 data, 1 eof, else an errno */
};

static struct sc_conn conns[SC_CONNS];
static int listeners[SC_CONNS];
static size_t nlisteners;

static const char *sc_errname(int e)
{
	switch (e) {
	case EAGAIN:
		return "EAGAIN";
	case ECONNABORTED:
		return "ECONNABORTED";
	case ECONNRESET:
		return "ECONNRESET";
	case EPIPE:
		return "EPIPE";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	default:
		return strerror(e);
	}
}

static const char *sc_outcome(int o)
{
	return o == 0 ? "data" : o == 1 ? "eof" : sc_errname(o);
}

static struct sc_conn *sc_find(const char *name)
{
	for (size_t i = 0; i < SC_CONNS; i++)
		if (conns[i].fd >= 0 && !strcmp(conns[i].name, name))
			return &conns[i];
	return NULL;
}

/* "ADDR:PORT" (or "[v6]:PORT") into a socket address. */
static int sc_parse(const char *text, struct net_portal *p)
{
	return net_portal_parse(text, p);
}

static int sc_listen(const char *text)
{
	struct net_portal p;
	int fd, one = 1;

	if (sc_parse(text, &p))
		return -EINVAL;
	fd = socket(p.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&p.addr, p.addrlen) || listen(fd, 16)) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

/* serve: every listener accepts; every connection is read and dropped; until stdin ends. */
static int sc_serve(int argc, char **argv)
{
	struct pollfd pfd[1 + SC_SERVE_MAX + SC_HELD_MAX];
	size_t nl = 0, nh = 0;
	char buf[4096];

	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	for (int i = 0; i < argc && nl < SC_SERVE_MAX; i++) {
		int fd = sc_listen(argv[i]);

		if (fd < 0) {
			printf("error: listen %s: %s\n", argv[i], strerror(-fd));
			return 1;
		}
		pfd[1 + nl].fd = fd;
		pfd[1 + nl].events = POLLIN;
		nl++;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		size_t n = 1 + nl + nh;

		if (poll(pfd, n, -1) < 0)
			continue;
		if (pfd[0].revents) {
			if (read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
				return 0;
		}
		for (size_t i = 1; i < 1 + nl; i++) {
			int c;

			if (!(pfd[i].revents & POLLIN))
				continue;
			c = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			if (nh == SC_HELD_MAX) {
				close(c);
				continue;
			}
			pfd[1 + nl + nh].fd = c;
			pfd[1 + nl + nh].events = POLLIN;
			nh++;
		}
		for (size_t i = 1 + nl; i < n; i++) {
			/* a connection that ended is closed and its slot kept (fd -1: poll skips
			 * it) */
			if (pfd[i].fd >= 0 && pfd[i].revents &&
			    read(pfd[i].fd, buf, sizeof(buf)) <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
			}
		}
	}
}

static void sc_connect(unsigned int seq, char *args)
{
	char *name = strtok(args, " "), *dev = strtok(NULL, " "), *src = strtok(NULL, " ");
	char *dst = strtok(NULL, " ");
	struct net_portal to, from;
	struct sc_conn *c = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct timeval tv = {.tv_sec = SC_CONNECT_S};
	char fromtext[96];
	int fd;

	if (!name || !dev || !src || !dst || sc_find(name) || strlen(name) >= sizeof(c->name)) {
		printf("%u error: connect NAME DEV SRC ADDR:PORT (a new NAME)\n", seq);
		return;
	}
	snprintf(fromtext, sizeof(fromtext), strchr(src, ':') ? "[%s]:1" : "%s:1", src);
	if (sc_parse(dst, &to) || sc_parse(fromtext, &from)) {
		printf("%u error: bad address\n", seq);
		return;
	}
	for (size_t i = 0; i < SC_CONNS && !c; i++)
		if (conns[i].fd < 0)
			c = &conns[i];
	if (!c) {
		printf("%u error: too many connections\n", seq);
		return;
	}
	fd = socket(to.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		printf("%u error: socket: %s\n", seq, strerror(errno));
		return;
	}
	/* the source port is the kernel's choice, as for iscsid's connections */
	if (from.addr.ss_family == AF_INET)
		((struct sockaddr_in *)&from.addr)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&from.addr)->sin6_port = 0;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if ((strcmp(dev, "-") &&
	     setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev))) ||
	    bind(fd, (struct sockaddr *)&from.addr, from.addrlen) ||
	    connect(fd, (struct sockaddr *)&to.addr, to.addrlen) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		printf("%u error: %s\n", seq, strerror(errno));
		close(fd);
		return;
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->fd = fd;
	printf("%u ok %u\n", seq,
	       ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port));
}

static void sc_kill(unsigned int seq, char *args)
{
	struct sockdiag_match m;
	struct sockkill_result res;
	struct net_portal p;
	char err[256];
	int rc;

	memset(&m, 0, sizeof(m));
	for (char *t = strtok(args, " "); t; t = strtok(NULL, " ")) {
		if (!strncmp(t, "remote=", 7) && !sc_parse(t + 7, &p)) {
			net_addr_get((struct sockaddr *)&p.addr, p.addrlen, &m.remote);
		} else if (!strncmp(t, "laddr=", 6)) {
			m.local.family = strchr(t + 6, ':') ? AF_INET6 : AF_INET;
			if (inet_pton(m.local.family, t + 6, m.local.a) != 1) {
				printf("%u error: bad laddr\n", seq);
				return;
			}
		} else if (!strncmp(t, "lport=", 6)) {
			m.local.port = (uint16_t)atoi(t + 6);
		} else if (!strncmp(t, "dev=", 4)) {
			m.ifindex = if_nametoindex(t + 4);
			if (!m.ifindex) {
				printf("%u error: no device %s\n", seq, t + 4);
				return;
			}
		} else {
			printf("%u error: what is '%s'?\n", seq, t);
			return;
		}
	}
	rc = sockkill_destroy(&m, &res, err, sizeof(err));
	if (rc) {
		printf("%u error: %s (%s)\n", seq, err, strerror(-rc));
		return;
	}
	printf("%u matched=%u destroyed=%u gone=%u dumps=%u seen=%u us=%lld\n", seq, res.matched,
	       res.destroyed, res.gone, res.dumps, res.seen, (long long)res.us);
}

/* A receive without waiting: 0 data, 1 eof, or an errno (EAGAIN: open and idle). */
static int sc_peek(int fd)
{
	char b;
	ssize_t n = recv(fd, &b, 1, MSG_DONTWAIT | MSG_PEEK);

	if (n > 0)
		return 0;
	return n == 0 ? 1 : errno;
}

static void *sc_waiter(void *arg)
{
	struct sc_conn *c = arg;
	struct timeval tv = {.tv_sec = SC_WAIT_S};
	char b;
	ssize_t n;

	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(c->fd, &b, 1, MSG_PEEK);
	c->outcome = n > 0 ? 0 : n == 0 ? 1 : errno;
	return NULL;
}

static void sc_command(unsigned int seq, char *line)
{
	char *sp = strchr(line, ' ');
	char *args = sp ? sp + 1 : line + strlen(line);
	struct sc_conn *c;
	char err[256];
	int rc;

	if (sp)
		*sp = '\0';
	if (!strcmp(line, "probe")) {
		rc = sockkill_probe(err, sizeof(err));
		if (rc)
			printf("%u unsupported: %s\n", seq, err);
		else
			printf("%u supported\n", seq);
	} else if (!strcmp(line, "listen")) {
		rc = sc_listen(args);
		if (rc < 0)
			printf("%u error: %s\n", seq, strerror(-rc));
		else if (nlisteners == SC_CONNS)
			printf("%u error: too many listeners\n", seq);
		else {
			listeners[nlisteners++] = rc;
			printf("%u ok\n", seq);
		}
	} else if (!strcmp(line, "connect")) {
		sc_connect(seq, args);
	} else if (!strcmp(line, "kill")) {
		sc_kill(seq, args);
	} else if (!strcmp(line, "send") || !strcmp(line, "peek") || !strcmp(line, "wait") ||
		   !strcmp(line, "join")) {
		char *name = strtok(args, " "), *count = strtok(NULL, " ");

		c = name ? sc_find(name) : NULL;
		if (!c) {
			printf("%u error: no connection '%s'\n", seq, name ? name : "");
		} else if (!strcmp(line, "send")) {
			size_t len = count ? (size_t)atol(count) : 0;
			char *buf = calloc(1, len ? len : 1);
			ssize_t n = buf ? send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) : -1;

			if (n < 0)
				printf("%u error: %s\n", seq, sc_errname(errno));
			else
				printf("%u ok %zd\n", seq, n);
			free(buf);
		} else if (!strcmp(line, "peek")) {
			printf("%u %s\n", seq, sc_outcome(sc_peek(c->fd)));
		} else if (!strcmp(line, "wait")) {
			if (c->waiting || pthread_create(&c->waiter, NULL, sc_waiter, c))
				printf("%u error: cannot wait\n", seq);
			else {
				c->waiting = true;
				printf("%u ok\n", seq);
			}
		} else if (!c->waiting) {
			printf("%u error: not waiting\n", seq);
		} else {
			pthread_join(c->waiter, NULL);
			c->waiting = false;
			printf("%u %s\n", seq, sc_outcome(c->outcome));
		}
	} else {
		printf("%u error: unknown command '%s'\n", seq, line);
	}
}

int main(int argc, char **argv)
{
	char line[SC_LINE_MAX];
	unsigned int seq = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "serve"))
		return sc_serve(argc - 2, argv + 2);
	for (size_t i = 0; i < SC_CONNS; i++)
		conns[i].fd = -1;
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		seq++;
		if (!strcmp(line, "quit")) {
			printf("%u bye\n", seq);
			break;
		}
		sc_command(seq, line);
	}
	for (size_t i = 0; i < SC_CONNS; i++) {
		if (conns[i].waiting)
			pthread_join(conns[i].waiter, NULL);
		if (conns[i].fd >= 0)
			close(conns[i].fd);
	}
	for (size_t i = 0; i < nlisteners; i++)
		close(listeners[i]);
	return 0;
}
