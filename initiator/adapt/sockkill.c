/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Destroying TCP sockets through NETLINK_SOCK_DIAG (sockkill.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "common/ev.h"
#include "initiator/adapt/sockkill.h"

/*
 * A receive buffer as large as any datagram a dump sends: netlink_dump()
 * fills an skb of at most 32 KiB (or the receive buffer size the socket
 * showed, when larger); a datagram cut short (MSG_TRUNC) is refused.
 */
#define SOCKKILL_BUF (64u * 1024u)

struct sockkill_ctx {
	int fd;
	uint32_t seq;
	int64_t deadline; /* ev_now_ms() */
	uint8_t *buf;
	struct sockdiag_sock *found; /* the matches, SOCKKILL_MATCH_MAX at most */
	size_t nfound;
	bool overflow;
	struct sockkill_result *res;
	char *err;
	size_t errlen;
};

static int sk_fail(struct sockkill_ctx *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets the reason (the first one wins) and returns rc. */
static int sk_fail(struct sockkill_ctx *c, int rc, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen && !c->err[0]) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* What an error of the kernel's means here, after "sock_diag: ". */
static int sk_kernel_err(struct sockkill_ctx *c, int rc, const char *what)
{
	switch (rc) {
	case -EOPNOTSUPP:
		return sk_fail(c, rc,
			       "%s: this kernel cannot destroy sockets (built without "
			       "CONFIG_INET_DIAG_DESTROY): a dead connection fails only at its "
			       "NOP-Out timeout",
			       what);
	case -EPERM:
	case -EACCES:
		return sk_fail(c, rc, "%s: not allowed (CAP_NET_ADMIN is needed)", what);
	case -ENOENT:
		return sk_fail(c, rc,
			       "%s: the kernel has no TCP socket diagnostics (modules inet_diag, "
			       "tcp_diag)",
			       what);
	default:
		return sk_fail(c, rc, "%s: %s", what, strerror(-rc));
	}
}

static int sk_open(struct sockkill_ctx *c)
{
	c->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (c->fd < 0) {
		int rc = -errno;

		if (rc == -EPROTONOSUPPORT || rc == -EAFNOSUPPORT)
			return sk_fail(c, -EPROTONOSUPPORT,
				       "this kernel has no NETLINK_SOCK_DIAG (CONFIG_SOCK_DIAG)");
		return sk_fail(c, rc, "netlink socket: %s", strerror(-rc));
	}
	return 0;
}

static int sk_send(struct sockkill_ctx *c, const uint8_t *msg, size_t len)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	ssize_t n;

	n = sendto(c->fd, msg, len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	if (n < 0)
		return sk_fail(c, -errno, "sock_diag: send: %s", strerror(errno));
	if ((size_t)n != len)
		return sk_fail(c, -EIO, "sock_diag: send: %zd of %zu bytes", n, len);
	return 0;
}

/* One datagram from the kernel into c->buf, within the deadline. Its length, or -errno. */
static int sk_recv(struct sockkill_ctx *c, size_t *len)
{
	/* each pass waits at least a millisecond or ends: bounded by the deadline */
	for (;;) {
		struct sockaddr_nl from;
		socklen_t fromlen = sizeof(from);
		int64_t left = c->deadline - ev_now_ms();
		struct timeval tv;
		ssize_t n;

		if (left <= 0)
			return sk_fail(c, -ETIMEDOUT, "sock_diag: no answer within %d ms",
				       SOCKKILL_TIMEOUT_MS);
		tv.tv_sec = left / 1000;
		tv.tv_usec = (left % 1000) * 1000;
		if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
			return sk_fail(c, -errno, "sock_diag: SO_RCVTIMEO: %s", strerror(errno));
		n = recvfrom(c->fd, c->buf, SOCKKILL_BUF, MSG_TRUNC, (struct sockaddr *)&from,
			     &fromlen);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			return sk_fail(c, -errno, "sock_diag: receive: %s", strerror(errno));
		}
		if ((size_t)n > SOCKKILL_BUF)
			return sk_fail(c, -EMSGSIZE, "sock_diag: a datagram of %zd bytes", n);
		/* only the kernel (port id 0) answers; anything else is not ours to read */
		if (fromlen < sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid)
			continue;
		*len = (size_t)n;
		return 0;
	}
}

/* A socket of the dump: kept when the match takes it. */
static void sk_found(struct sockkill_ctx *c, const struct sockdiag_match *m,
		     const struct sockdiag_sock *s)
{
	c->res->seen++;
	if (!sockdiag_matches(m, s))
		return;
	c->res->matched++;
	if (!c->res->first[0])
		sockdiag_sock_text(s, c->res->first, sizeof(c->res->first));
	if (c->nfound == SOCKKILL_MATCH_MAX) {
		c->overflow = true;
		return;
	}
	c->found[c->nfound++] = *s;
}

/* The TCP sockets of family to m's remote port, the matches into c->found. 0 or -errno. */
static int sk_dump(struct sockkill_ctx *c, const struct sockdiag_match *m, int family)
{
	uint8_t req[SOCKDIAG_REQ_LEN];
	unsigned int seen = 0;
	int rc;

	c->seq++;
	c->res->dumps++;
	rc = sockdiag_build_dump(req, sizeof(req), c->seq, family, m->remote.port, SOCKDIAG_STATES);
	if (rc < 0)
		return sk_fail(c, rc, "sock_diag: dump request: %s", strerror(-rc));
	rc = sk_send(c, req, (size_t)rc);
	if (rc)
		return rc;
	/* every datagram holds one message at least, or is refused: SOCKKILL_DUMP_MAX + 1 reads */
	for (unsigned int reads = 0; reads <= SOCKKILL_DUMP_MAX; reads++) {
		struct sockdiag_answer a;
		struct sockdiag_iter it;
		size_t len;

		rc = sk_recv(c, &len);
		if (rc)
			return rc;
		sockdiag_iter_init(&it, c->buf, len, c->seq);
		while ((rc = sockdiag_iter_next(&it, &a)) == 1) {
			switch (a.kind) {
			case SOCKDIAG_KIND_SOCK:
				if (++seen > SOCKKILL_DUMP_MAX)
					return sk_fail(c, -E2BIG,
						       "sock_diag: more than %d sockets to port %u",
						       SOCKKILL_DUMP_MAX, m->remote.port);
				sk_found(c, m, &a.sock);
				break;
			case SOCKDIAG_KIND_DONE:
				return a.err ? sk_kernel_err(c, a.err, "sock_diag: dump") : 0;
			case SOCKDIAG_KIND_ACK:
				/* a dump is answered by an error only when it could not start */
				return sk_kernel_err(c, a.err ? a.err : -EPROTO, "sock_diag: dump");
			}
		}
		if (rc < 0)
			return sk_fail(c, rc, "sock_diag: a malformed dump answer (%s)",
				       strerror(-rc));
	}
	return sk_fail(c, -E2BIG, "sock_diag: a dump that does not end");
}

/*
 * The one socket m names exactly, looked up in the kernel's hash: kept in
 * c->found when the match takes it (its state, its bound device). 0 (found
 * or not), or -errno.
 */
static int sk_get(struct sockkill_ctx *c, const struct sockdiag_match *m)
{
	uint8_t req[SOCKDIAG_REQ_LEN];
	int rc;

	c->seq++;
	rc = sockdiag_build_get(req, sizeof(req), c->seq, m);
	if (rc < 0)
		return sk_fail(c, rc, "sock_diag: lookup request: %s", strerror(-rc));
	rc = sk_send(c, req, (size_t)rc);
	if (rc)
		return rc;
	/* a socket message, then the ACK: each read ends or moves toward the deadline */
	for (;;) {
		struct sockdiag_answer a;
		struct sockdiag_iter it;
		size_t len;

		rc = sk_recv(c, &len);
		if (rc)
			return rc;
		sockdiag_iter_init(&it, c->buf, len, c->seq);
		while ((rc = sockdiag_iter_next(&it, &a)) == 1) {
			switch (a.kind) {
			case SOCKDIAG_KIND_SOCK:
				/* a listener on the local port answers too: sk_found() compares */
				if (a.sock.state < 32 && (SOCKDIAG_STATES & (1u << a.sock.state)))
					sk_found(c, m, &a.sock);
				else
					c->res->seen++;
				break;
			case SOCKDIAG_KIND_ACK:
				/* -ENOENT: no such socket (or a cookie that is not its) */
				if (!a.err || a.err == -ENOENT)
					return 0;
				return sk_kernel_err(c, a.err, "sock_diag: lookup");
			case SOCKDIAG_KIND_DONE:
				return sk_fail(c, -EPROTO,
					       "sock_diag: a lookup answered as a dump");
			}
		}
		if (rc < 0)
			return sk_fail(c, rc, "sock_diag: a malformed lookup answer (%s)",
				       strerror(-rc));
	}
}

/* SOCK_DESTROY for s: 0 (destroyed), -ENOENT or -ESTALE (gone), or -errno. */
static int sk_destroy_one(struct sockkill_ctx *c, const struct sockdiag_sock *s)
{
	uint8_t req[SOCKDIAG_REQ_LEN];
	int rc;

	c->seq++;
	rc = sockdiag_build_destroy(req, sizeof(req), c->seq, s);
	if (rc < 0)
		return sk_fail(c, rc, "sock_diag: destroy request: %s", strerror(-rc));
	rc = sk_send(c, req, (size_t)rc);
	if (rc)
		return rc;
	/* answers to earlier requests are skipped; each read ends or moves toward the deadline */
	for (;;) {
		struct sockdiag_answer a;
		struct sockdiag_iter it;
		size_t len;

		rc = sk_recv(c, &len);
		if (rc)
			return rc;
		sockdiag_iter_init(&it, c->buf, len, c->seq);
		while ((rc = sockdiag_iter_next(&it, &a)) == 1)
			if (a.kind == SOCKDIAG_KIND_ACK)
				return a.err;
		if (rc < 0)
			return sk_fail(c, rc, "sock_diag: a malformed destroy answer (%s)",
				       strerror(-rc));
	}
}

static int sk_begin(struct sockkill_ctx *c, struct sockkill_result *res, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	memset(res, 0, sizeof(*res));
	c->fd = -1;
	c->res = res;
	c->err = err;
	c->errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
	c->deadline = ev_now_ms() + SOCKKILL_TIMEOUT_MS;
	c->buf = malloc(SOCKKILL_BUF);
	if (!c->buf)
		return sk_fail(c, -ENOMEM, "out of memory");
	return sk_open(c);
}

static void sk_end(struct sockkill_ctx *c, struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	c->res->us =
	    (int64_t)(t1.tv_sec - t0->tv_sec) * 1000000 + (t1.tv_nsec - t0->tv_nsec) / 1000;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c->found);
}

int sockkill_destroy(const struct sockdiag_match *m, struct sockkill_result *res, char *err,
		     size_t errlen)
{
	struct sockkill_result scratch;
	struct sockkill_ctx c;
	struct timespec t0;
	const char *why;
	bool exact;
	int rc;

	if (!res)
		res = &scratch;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = sk_begin(&c, res, err, errlen);
	if (!rc && sockdiag_match_check(m, &why))
		rc = sk_fail(&c, -EINVAL, "%s", why);
	if (!rc) {
		c.found = calloc(SOCKKILL_MATCH_MAX, sizeof(*c.found));
		if (!c.found)
			rc = sk_fail(&c, -ENOMEM, "out of memory");
	}
	/*
	 * A match that names one socket (iSCSI's: both ends known) is looked
	 * up in the kernel's hash, which costs microseconds; a dump walks every
	 * bucket of the TCP hash, shared by all namespaces and sized by the
	 * memory (about a millisecond a family here, measured). The lookup
	 * misses a socket bound to a device when m gives none: then the dump.
	 */
	exact = !rc && sockdiag_match_exact(m);
	if (exact)
		rc = sk_get(&c, m);
	if (!rc && (!exact || (!c.nfound && !m->ifindex))) {
		/* an IPv4 peer may be on an AF_INET6 socket too, IPv4-mapped (sockdiag_matches) */
		if (m->remote.family == AF_INET)
			rc = sk_dump(&c, m, AF_INET);
		if (!rc)
			rc = sk_dump(&c, m, AF_INET6);
	}
	for (size_t i = 0; !rc && i < c.nfound; i++) {
		int r = sk_destroy_one(&c, &c.found[i]);

		if (!r)
			res->destroyed++;
		else if (r == -ENOENT || r == -ESTALE)
			res->gone++; /* closed since the dump, or its ports taken by a new one */
		else
			rc = sk_kernel_err(&c, r, "sock_diag: destroy");
	}
	if (!rc && c.overflow)
		rc = sk_fail(&c, -E2BIG, "%u sockets matched: only the first %d were destroyed",
			     res->matched, SOCKKILL_MATCH_MAX);
	sk_end(&c, &t0);
	return rc;
}

int sockkill_probe(char *err, size_t errlen)
{
	struct sockdiag_match any = {.remote = {.family = AF_INET, .port = 1}};
	struct sockkill_result res;
	struct sockdiag_sock none;
	struct sockkill_ctx c;
	struct timespec t0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = sk_begin(&c, &res, err, errlen);
	if (!rc)
		c.found = calloc(SOCKKILL_MATCH_MAX, sizeof(*c.found));
	if (!rc && !c.found)
		rc = sk_fail(&c, -ENOMEM, "out of memory");
	/*
	 * A dump first: it fails (-ENOENT) when the kernel has no TCP socket
	 * diagnostics, which the destroy below would answer with -ENOENT too.
	 * The address is never compared (nothing is destroyed here).
	 */
	any.remote.a[0] = 127;
	if (!rc)
		rc = sk_dump(&c, &any, AF_INET);
	if (!rc) {
		memset(&none, 0, sizeof(none));
		none.family = AF_INET;
		rc = sk_destroy_one(&c, &none);
		/* inet_diag_find_one_icsk() found nothing: the kernel got as far as looking */
		if (rc == -ENOENT)
			rc = 0;
		else if (!rc)
			rc =
			    sk_fail(&c, -EPROTO, "sock_diag: destroyed a socket that cannot exist");
		else
			rc = sk_kernel_err(&c, rc, "sock_diag: destroy");
	}
	sk_end(&c, &t0);
	return rc;
}
