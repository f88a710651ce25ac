/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sock_diag requests and answers, and the kill rule (sockdiag.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "initiator/adapt/sockdiag.h"

_Static_assert(sizeof(struct nlmsghdr) == 16, "netlink header is 16 bytes");
_Static_assert(sizeof(struct inet_diag_sockid) == 48, "inet_diag_sockid is 48 bytes");
_Static_assert(sizeof(struct inet_diag_req_v2) == 56, "inet_diag_req_v2 is 56 bytes");
_Static_assert(sizeof(struct inet_diag_msg) == 72, "inet_diag_msg is 72 bytes");
_Static_assert(sizeof(struct nlmsgerr) == 20, "nlmsgerr is 20 bytes");
_Static_assert(SOCKDIAG_REQ_LEN == sizeof(struct nlmsghdr) + sizeof(struct inet_diag_req_v2),
	       "a request is a header and an inet_diag_req_v2");

/* linux/errno.h: MAX_ERRNO, the largest errno a kernel answer carries */
#define SOCKDIAG_ERRNO_MAX 4095

int sockdiag_match_check(const struct sockdiag_match *m, const char **why)
{
	const char *w = NULL;

	if (m->remote.family != AF_INET && m->remote.family != AF_INET6)
		w = "the remote address is not IPv4 or IPv6";
	else if (net_addr_is_any(&m->remote))
		w = "the remote address is the wildcard address";
	else if (!m->remote.port)
		w = "the remote port is 0";
	else if (m->local.family != AF_UNSPEC && m->local.family != m->remote.family)
		w = "the local address is not of the remote address's family";
	if (why)
		*why = w;
	return w ? -EINVAL : 0;
}

static bool sockdiag_same_addr(const struct net_addr *a, const struct net_addr *b)
{
	return a->family == b->family && !memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16);
}

bool sockdiag_matches(const struct sockdiag_match *m, const struct sockdiag_sock *s)
{
	if (!sockdiag_same_addr(&m->remote, &s->remote) || m->remote.port != s->remote.port)
		return false;
	if (m->local.family != AF_UNSPEC && !sockdiag_same_addr(&m->local, &s->local))
		return false;
	if (m->local.port && m->local.port != s->local.port)
		return false;
	return !m->ifindex || m->ifindex == s->ifindex;
}

/* The header and request every message here is, into buf (len checked by the caller). */
static void sockdiag_put(uint8_t *buf, uint16_t type, uint16_t flags, uint32_t seq,
			 const struct inet_diag_req_v2 *req)
{
	struct nlmsghdr h = {
	    .nlmsg_len = SOCKDIAG_REQ_LEN,
	    .nlmsg_type = type,
	    .nlmsg_flags = flags,
	    .nlmsg_seq = seq,
	    .nlmsg_pid = 0, /* the kernel fills in the sender's port id */
	};

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), req, sizeof(*req));
}

int sockdiag_build_dump(uint8_t *buf, size_t len, uint32_t seq, int family, uint16_t dport,
			uint32_t states)
{
	struct inet_diag_req_v2 req;

	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	if (len < SOCKDIAG_REQ_LEN)
		return -ENOSPC;
	memset(&req, 0, sizeof(req));
	req.sdiag_family = (uint8_t)family;
	req.sdiag_protocol = IPPROTO_TCP;
	req.idiag_states = states;
	req.id.idiag_dport = htons(dport);
	/* every other sockid field 0: no filter (the dump compares ports only, and skips 0) */
	sockdiag_put(buf, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, seq, &req);
	return SOCKDIAG_REQ_LEN;
}

bool sockdiag_match_exact(const struct sockdiag_match *m)
{
	return !sockdiag_match_check(m, NULL) && m->local.family != AF_UNSPEC && m->local.port;
}

/* A net_addr into a sockid's address (be32[4]): IPv4 in the first word, as the kernel keeps it. */
static void sockdiag_put_addr(uint32_t out[4], const struct net_addr *a)
{
	memset(out, 0, 16);
	memcpy(out, a->a, a->family == AF_INET ? 4 : 16);
}

int sockdiag_build_get(uint8_t *buf, size_t len, uint32_t seq, const struct sockdiag_match *m)
{
	struct inet_diag_req_v2 req;

	if (!sockdiag_match_exact(m))
		return -EINVAL;
	if (len < SOCKDIAG_REQ_LEN)
		return -ENOSPC;
	memset(&req, 0, sizeof(req));
	req.sdiag_family = (uint8_t)m->remote.family;
	req.sdiag_protocol = IPPROTO_TCP;
	req.id.idiag_sport = htons(m->local.port);
	req.id.idiag_dport = htons(m->remote.port);
	sockdiag_put_addr(req.id.idiag_src, &m->local);
	sockdiag_put_addr(req.id.idiag_dst, &m->remote);
	/*
	 * The lookup's device (inet_lookup()'s dif): a socket bound to a device
	 * is found only through it, an unbound one through any. An IPv4 lookup
	 * finds an AF_INET6 socket to the IPv4-mapped addresses too: the hash
	 * compares the IPv4 addresses both keep.
	 */
	req.id.idiag_if = m->ifindex;
	req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	sockdiag_put(buf, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_ACK, seq, &req);
	return SOCKDIAG_REQ_LEN;
}

int sockdiag_build_destroy(uint8_t *buf, size_t len, uint32_t seq, const struct sockdiag_sock *s)
{
	struct inet_diag_req_v2 req;

	if (s->family != AF_INET && s->family != AF_INET6)
		return -EINVAL;
	if (len < SOCKDIAG_REQ_LEN)
		return -ENOSPC;
	memset(&req, 0, sizeof(req));
	req.sdiag_family = (uint8_t)s->family;
	req.sdiag_protocol = IPPROTO_TCP;
	/*
	 * inet_diag_find_one_icsk() looks the socket up by these (addresses,
	 * ports, bound device) and compares the cookie: the whole sockid as
	 * the dump sent it names that socket and no later one.
	 */
	req.id = s->id;
	sockdiag_put(buf, SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK, seq, &req);
	return SOCKDIAG_REQ_LEN;
}

void sockdiag_iter_init(struct sockdiag_iter *it, const uint8_t *p, size_t len, uint32_t seq)
{
	it->p = p;
	it->len = len;
	it->off = 0;
	it->seq = seq;
}

/* One address of a sockid (be32[4]) as portal matching compares it. */
static void sockdiag_addr(int family, const uint32_t a[4], uint16_t port_be, struct net_addr *out)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;

	if (family == AF_INET) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		s4.sin_port = port_be;
		memcpy(&s4.sin_addr, a, 4);
		net_addr_get((const struct sockaddr *)&s4, sizeof(s4), out);
		return;
	}
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = port_be;
	memcpy(&s6.sin6_addr, a, 16);
	net_addr_get((const struct sockaddr *)&s6, sizeof(s6), out);
}

/* A socket message's payload (len bytes) into *s. 0 or -EBADMSG. */
static int sockdiag_sock(const uint8_t *p, size_t len, struct sockdiag_sock *s)
{
	struct inet_diag_msg m;

	/* sock_diag(7): the inet_diag_msg, then attributes (none asked for; ignored) */
	if (len < sizeof(m))
		return -EBADMSG;
	memcpy(&m, p, sizeof(m));
	if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6)
		return -EBADMSG;
	memset(s, 0, sizeof(*s));
	s->family = m.idiag_family;
	s->state = m.idiag_state;
	s->ifindex = m.id.idiag_if;
	s->uid = m.idiag_uid;
	s->inode = m.idiag_inode;
	s->id = m.id;
	sockdiag_addr(s->family, m.id.idiag_src, m.id.idiag_sport, &s->local);
	sockdiag_addr(s->family, m.id.idiag_dst, m.id.idiag_dport, &s->remote);
	return 0;
}

/* A kernel error code: 0 or a negative errno. */
static bool sockdiag_errno_ok(int32_t e)
{
	return e <= 0 && e >= -SOCKDIAG_ERRNO_MAX;
}

int sockdiag_iter_next(struct sockdiag_iter *it, struct sockdiag_answer *a)
{
	for (;;) {
		struct nlmsghdr h;
		const uint8_t *pl;
		size_t left = it->len - it->off, plen;
		int32_t e;

		if (!left)
			return 0;
		if (left < sizeof(h))
			return -EBADMSG;
		memcpy(&h, it->p + it->off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > left)
			return -EBADMSG;
		pl = it->p + it->off + sizeof(h);
		plen = h.nlmsg_len - sizeof(h);
		if (h.nlmsg_type != NLMSG_NOOP && h.nlmsg_type != NLMSG_DONE &&
		    h.nlmsg_type != NLMSG_ERROR && h.nlmsg_type != SOCK_DIAG_BY_FAMILY)
			return -EPROTO;
		memset(a, 0, sizeof(*a));
		switch (h.nlmsg_type) {
		case SOCK_DIAG_BY_FAMILY:
			if (sockdiag_sock(pl, plen, &a->sock))
				return -EBADMSG;
			a->kind = SOCKDIAG_KIND_SOCK;
			break;
		case NLMSG_DONE:
			/* netlink_dump_done(): an int, the dump's status (absent before Linux 4.12)
			 */
			e = 0;
			if (plen >= sizeof(e))
				memcpy(&e, pl, sizeof(e));
			if (!sockdiag_errno_ok(e))
				return -EBADMSG;
			a->kind = SOCKDIAG_KIND_DONE;
			a->err = e;
			break;
		case NLMSG_ERROR:
			/* netlink_ack(): struct nlmsgerr, the error and the request's header */
			if (plen < sizeof(struct nlmsgerr))
				return -EBADMSG;
			memcpy(&e, pl + offsetof(struct nlmsgerr, error), sizeof(e));
			if (!sockdiag_errno_ok(e))
				return -EBADMSG;
			a->kind = SOCKDIAG_KIND_ACK;
			a->err = e;
			break;
		default: /* NLMSG_NOOP */
			break;
		}
		/* NLMSG_ALIGN: the next message starts 4-aligned; the last may lack its padding */
		it->off += NLMSG_ALIGN(h.nlmsg_len) < left ? NLMSG_ALIGN(h.nlmsg_len) : left;
		if (h.nlmsg_type != NLMSG_NOOP && h.nlmsg_seq == it->seq)
			return 1;
	}
}

static const char *sockdiag_state_name(uint8_t state)
{
	/* include/net/tcp_states.h */
	static const char *const names[] = {
	    [1] = "ESTABLISHED", [2] = "SYN_SENT",  [3] = "SYN_RECV", [4] = "FIN_WAIT1",
	    [5] = "FIN_WAIT2",	 [6] = "TIME_WAIT", [7] = "CLOSE",    [8] = "CLOSE_WAIT",
	    [9] = "LAST_ACK",	 [10] = "LISTEN",   [11] = "CLOSING", [12] = "NEW_SYN_RECV",
	};

	return state < sizeof(names) / sizeof(names[0]) && names[state] ? names[state] : "?";
}

static void sockdiag_addr_text(const struct net_addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->a, host, sizeof(host));
	snprintf(buf, len, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, a->port);
}

void sockdiag_sock_text(const struct sockdiag_sock *s, char *buf, size_t len)
{
	char l[INET6_ADDRSTRLEN + 8], r[INET6_ADDRSTRLEN + 8];

	sockdiag_addr_text(&s->local, l, sizeof(l));
	sockdiag_addr_text(&s->remote, r, sizeof(r));
	if (s->ifindex)
		snprintf(buf, len, "%s -> %s dev %u %s", l, r, s->ifindex,
			 sockdiag_state_name(s->state));
	else
		snprintf(buf, len, "%s -> %s %s", l, r, sockdiag_state_name(s->state));
}
