/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A session's recovery timeout and its connection's addresses in sysfs
 * (sesstmo.h). Every attribute is read whole (a page at most) and checked
 * to be what the kernel writes: one line ending in '\n', printable.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "initiator/adapt/sesstmo.h"

#define SESSTMO_ATTR_MAX 4096 /* a sysfs text attribute is one page at most */

static int st_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int st_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int st_path(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int st_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * The text attribute at path into out (outlen bytes), without its newline.
 * 0, -ENOENT, -ENODATA (no newline: cut short), -EILSEQ (a control byte),
 * -EOVERFLOW, or the read's -errno (-ENOTCONN from a connection without a
 * socket).
 */
static int st_attr(const char *path, char *out, size_t outlen)
{
	char buf[SESSTMO_ATTR_MAX + 1];
	size_t n = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* each pass reads a byte at least or ends: sizeof(buf) passes at most */
	while (n < sizeof(buf)) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - n);

		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (rc)
		return rc;
	if (n > SESSTMO_ATTR_MAX)
		return -EOVERFLOW;
	if (!n || buf[n - 1] != '\n')
		return -ENODATA;
	n--;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			return -EILSEQ;
	if (n >= outlen)
		return -EOVERFLOW;
	memcpy(out, buf, n);
	out[n] = '\0';
	return 0;
}

/* Decimal digits only, at most max. 0 or -EINVAL. */
static int st_num(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (*s < '0' || *s > '9' || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* What an attribute's error means, after its name. */
static const char *st_err_text(int rc)
{
	switch (rc) {
	case -ENOENT:
		return "is missing";
	case -ENODATA:
		return "is cut short (no end of line)";
	case -EILSEQ:
		return "holds bytes the kernel does not write";
	case -EOVERFLOW:
		return "is longer than the kernel writes";
	case -ENOTCONN:
		return "is not there now: the connection has no socket (the session is recovering)";
	case -EINVAL:
		return "is not what the kernel writes there";
	default:
		return strerror(-rc);
	}
}

/* recovery_tmo as the kernel shows it: "%d", or "off" (-1). */
static int st_parse_tmo(const char *text, int32_t *tmo_s)
{
	uint64_t v;

	if (!strcmp(text, "off") || !strcmp(text, "-1")) {
		*tmo_s = SESSTMO_OFF;
		return 0;
	}
	if (st_num(text, INT32_MAX, &v))
		return -EINVAL;
	*tmo_s = (int32_t)v;
	return 0;
}

int sesstmo_get(const char *root, uint32_t sid, int32_t *tmo_s)
{
	char path[PATH_MAX], text[32];
	int rc;

	rc =
	    st_path(path, sizeof(path), "%s/class/iscsi_session/session%u/recovery_tmo", root, sid);
	if (!rc)
		rc = st_attr(path, text, sizeof(text));
	if (!rc)
		rc = st_parse_tmo(text, tmo_s);
	return rc;
}

int sesstmo_set(const char *root, uint32_t sid, int32_t tmo_s, char *err, size_t errlen)
{
	char path[PATH_MAX], text[16];
	ssize_t n;
	int fd, len, rc;

	if (tmo_s != SESSTMO_OFF && (tmo_s < 0 || tmo_s > SESSTMO_MAX))
		return st_fail(
		    err, errlen, -ERANGE,
		    "session %u: a recovery timeout of %d s is out of range (0 to %d, or off)", sid,
		    tmo_s, SESSTMO_MAX);
	rc =
	    st_path(path, sizeof(path), "%s/class/iscsi_session/session%u/recovery_tmo", root, sid);
	if (rc)
		return st_fail(err, errlen, rc, "session %u: the path is too long", sid);
	/* store_priv_session_recovery_tmo(): "off", or a number (a newline after it allowed) */
	len = tmo_s == SESSTMO_OFF ? snprintf(text, sizeof(text), "off\n")
				   : snprintf(text, sizeof(text), "%d\n", tmo_s);
	/* the file exists: O_CREAT would make one in a tree that has no such session */
	fd = open(path, O_WRONLY | O_CLOEXEC | O_TRUNC);
	if (fd < 0) {
		rc = -errno;
		return st_fail(err, errlen, rc, "session %u: cannot open recovery_tmo: %s", sid,
			       rc == -ENOENT ? "no such session" : strerror(-rc));
	}
	/* a sysfs store takes the whole value in one write(): one call, no loop */
	n = write(fd, text, (size_t)len);
	rc = n < 0 ? -errno : n != len ? -EIO : 0;
	if (close(fd) && !rc)
		rc = -errno;
	if (rc == -EBUSY)
		return st_fail(err, errlen, rc,
			       "session %u: the kernel refuses a new recovery timeout while the "
			       "session is FAILED or FREE (its recovery keeps the timeout it "
			       "started with)",
			       sid);
	if (rc)
		return st_fail(err, errlen, rc, "session %u: cannot write recovery_tmo %s: %s", sid,
			       tmo_s == SESSTMO_OFF ? "off" : text, strerror(-rc));
	return 0;
}

/*
 * The session's SCSI host: class/iscsi_session/session<S>/device is
 * .../host<H>/session<S> (iscsi_add_session(): the session's device hangs
 * off its host's). 0, -EINVAL (not that), -errno.
 */
static int st_host(const char *root, uint32_t sid, uint32_t *host)
{
	char link[PATH_MAX], real[PATH_MAX], name[32], *last, *parent;
	uint64_t h;
	int rc;

	rc = st_path(link, sizeof(link), "%s/class/iscsi_session/session%u/device", root, sid);
	if (rc)
		return rc;
	if (!realpath(link, real))
		return -errno;
	last = strrchr(real, '/');
	if (!last || last == real)
		return -EINVAL;
	*last++ = '\0';
	parent = strrchr(real, '/');
	parent = parent ? parent + 1 : real;
	snprintf(name, sizeof(name), "session%u", sid);
	if (strcmp(last, name) || strncmp(parent, "host", 4) || st_num(parent + 4, UINT32_MAX, &h))
		return -EINVAL;
	*host = (uint32_t)h;
	return 0;
}

/* An address as the kernel prints it ("%pI4", "%pI6") and a port into *out. 0 or -EINVAL. */
static int st_addr(const char *text, uint64_t port, struct net_addr *out)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;

	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (inet_pton(AF_INET, text, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		s4.sin_port = htons((uint16_t)port);
		return net_addr_get((struct sockaddr *)&s4, sizeof(s4), out) ? -EINVAL : 0;
	}
	if (inet_pton(AF_INET6, text, &s6.sin6_addr) == 1) {
		s6.sin6_family = AF_INET6;
		s6.sin6_port = htons((uint16_t)port);
		/* an IPv4-mapped address (a dual-stack socket) becomes IPv4 */
		return net_addr_get((struct sockaddr *)&s6, sizeof(s6), out) ? -EINVAL : 0;
	}
	return -EINVAL;
}

/* dir/name as a TCP port, 1..65535. */
static int st_port(const char *dir, const char *name, uint64_t *port, char *err, size_t errlen)
{
	char path[PATH_MAX], text[32];
	int rc;

	rc = st_path(path, sizeof(path), "%s/%s", dir, name);
	if (!rc)
		rc = st_attr(path, text, sizeof(text));
	if (!rc && (st_num(text, 65535, port) || !*port))
		rc = -EINVAL;
	if (rc)
		return st_fail(err, errlen, rc, "%s/%s %s", strrchr(dir, '/') + 1, name,
			       st_err_text(rc));
	return 0;
}

/* dir/name as an address with port into *out. */
static int st_endpoint(const char *dir, const char *name, uint64_t port, struct net_addr *out,
		       char *err, size_t errlen)
{
	char path[PATH_MAX], text[128];
	int rc;

	rc = st_path(path, sizeof(path), "%s/%s", dir, name);
	if (!rc)
		rc = st_attr(path, text, sizeof(text));
	if (!rc)
		rc = st_addr(text, port, out);
	if (rc)
		return st_fail(err, errlen, rc, "%s/%s %s", strrchr(dir, '/') + 1, name,
			       st_err_text(rc));
	return 0;
}

int sesstmo_conn_read(const char *root, uint32_t sid, struct sesstmo_conn *out, char *err,
		      size_t errlen)
{
	char cdir[PATH_MAX], hdir[PATH_MAX];
	uint64_t port, lport, pport;
	int rc;

	memset(out, 0, sizeof(*out));
	out->sid = sid;
	rc = st_host(root, sid, &out->host_no);
	if (rc == -EINVAL)
		return st_fail(err, errlen, rc, "session%u/device is not host<H>/session%u", sid,
			       sid);
	if (rc)
		return st_fail(err, errlen, rc, "session%u/device %s", sid,
			       rc == -ENOENT ? "is missing: no such session" : st_err_text(rc));
	/* open-iscsi has one connection per session, cid 0 */
	rc = st_path(cdir, sizeof(cdir), "%s/class/iscsi_connection/connection%u:0", root, sid);
	if (!rc)
		rc = st_path(hdir, sizeof(hdir), "%s/class/iscsi_host/host%u", root, out->host_no);
	if (rc)
		return st_fail(err, errlen, rc, "session %u: the path is too long", sid);

	rc = st_port(cdir, "persistent_port", &pport, err, errlen);
	if (!rc)
		rc = st_endpoint(cdir, "persistent_address", pport, &out->portal, err, errlen);
	if (!rc)
		rc = st_port(cdir, "port", &port, err, errlen);
	if (!rc)
		rc = st_endpoint(cdir, "address", port, &out->remote, err, errlen);
	if (!rc)
		rc = st_port(cdir, "local_port", &lport, err, errlen);
	if (!rc)
		rc = st_endpoint(hdir, "ipaddress", lport, &out->local, err, errlen);
	if (!rc && out->local.family != out->remote.family)
		rc = st_fail(err, errlen, -EINVAL,
			     "session %u: its local address and its peer's are not of one family",
			     sid);
	return rc;
}

void sesstmo_conn_match(const struct sesstmo_conn *c, uint32_t ifindex, struct sockdiag_match *m)
{
	memset(m, 0, sizeof(*m));
	m->remote = c->remote;
	m->local = c->local;
	m->ifindex = ifindex;
}
