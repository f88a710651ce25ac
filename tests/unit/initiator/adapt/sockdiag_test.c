/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sock_diag messages (initiator/adapt/sockdiag.c): the dump and
 * destroy requests byte for byte, dump and destroy answers read back
 * (IPv4, IPv6, IPv4-mapped, several to a datagram, another request's
 * skipped), every malformed or cut-short answer refused where it is, and
 * the rule that says which sockets a kill takes.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "initiator/adapt/sockdiag.h"
#include "tests/unit/check_main.h"

/* Netlink's header is in host byte order: the vectors below are written little-endian. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the byte vectors of this test are little-endian"
#endif

static void addr(struct net_addr *a, const char *text, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(text, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(a->family, text, a->a), 1);
	a->port = port;
}

START_TEST(test_dump_request_bytes)
{
	static const uint8_t want[SOCKDIAG_REQ_LEN] = {
	    /* nlmsghdr: len 72, SOCK_DIAG_BY_FAMILY (20), NLM_F_REQUEST | NLM_F_DUMP, seq 7, pid 0
	     */
	    0x48, 0x00, 0x00, 0x00, 0x14, 0x00, 0x01, 0x03, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x00, 0x00,
	    /* inet_diag_req_v2: AF_INET, IPPROTO_TCP, no extensions, pad */
	    0x02, 0x06, 0x00, 0x00,
	    /* states: ESTABLISHED SYN_SENT FIN_WAIT1 FIN_WAIT2 CLOSE_WAIT LAST_ACK CLOSING */
	    0x36, 0x0b, 0x00, 0x00,
	    /* sockid: sport 0, dport 3260 (big-endian) */
	    0x00, 0x00, 0x0c, 0xbc,
	    /* src, dst: 0 */
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0,
	    /* if 0, cookie 0 */
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	uint8_t buf[SOCKDIAG_REQ_LEN + 8];

	memset(buf, 0xee, sizeof(buf));
	ck_assert_int_eq(sockdiag_build_dump(buf, sizeof(buf), 7, AF_INET, 3260, SOCKDIAG_STATES),
			 SOCKDIAG_REQ_LEN);
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_uint_eq(buf[SOCKDIAG_REQ_LEN], 0xee); /* nothing past the request */

	/* AF_INET6 differs in the family byte only */
	ck_assert_int_eq(sockdiag_build_dump(buf, sizeof(buf), 7, AF_INET6, 3260, SOCKDIAG_STATES),
			 SOCKDIAG_REQ_LEN);
	ck_assert_uint_eq(buf[16], AF_INET6);
	buf[16] = AF_INET;
	ck_assert_mem_eq(buf, want, sizeof(want));

	ck_assert_int_eq(sockdiag_build_dump(buf, SOCKDIAG_REQ_LEN - 1, 7, AF_INET, 3260, 1),
			 -ENOSPC);
	ck_assert_int_eq(sockdiag_build_dump(buf, sizeof(buf), 7, AF_UNIX, 3260, 1), -EINVAL);
}
END_TEST

START_TEST(test_destroy_request_bytes)
{
	static const uint8_t want[SOCKDIAG_REQ_LEN] = {
	    /* nlmsghdr: len 72, SOCK_DESTROY (21), NLM_F_REQUEST | NLM_F_ACK, seq 0x01020304 */
	    0x48, 0x00, 0x00, 0x00, 0x15, 0x00, 0x05, 0x00, 0x04, 0x03, 0x02, 0x01, 0x00, 0x00,
	    0x00, 0x00,
	    /* AF_INET, IPPROTO_TCP, ext 0, pad 0, states 0 */
	    0x02, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	    /* sport 40112, dport 3260 */
	    0x9c, 0xb0, 0x0c, 0xbc,
	    /* src 198.18.1.2, dst 198.18.1.1 (IPv4: the first word) */
	    198, 18, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 198, 18, 1, 1, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0,
	    /* if 3, cookie 0x11223344 0x55667788 (host order, as the kernel sent them) */
	    0x03, 0x00, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55};
	struct sockdiag_sock s;
	uint8_t buf[SOCKDIAG_REQ_LEN];

	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	s.id.idiag_sport = htons(40112);
	s.id.idiag_dport = htons(3260);
	ck_assert_int_eq(inet_pton(AF_INET, "198.18.1.2", &s.id.idiag_src[0]), 1);
	ck_assert_int_eq(inet_pton(AF_INET, "198.18.1.1", &s.id.idiag_dst[0]), 1);
	s.id.idiag_if = 3;
	s.id.idiag_cookie[0] = 0x11223344;
	s.id.idiag_cookie[1] = 0x55667788;
	ck_assert_int_eq(sockdiag_build_destroy(buf, sizeof(buf), 0x01020304, &s),
			 SOCKDIAG_REQ_LEN);
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_int_eq(sockdiag_build_destroy(buf, 16, 1, &s), -ENOSPC);
	s.family = 0;
	ck_assert_int_eq(sockdiag_build_destroy(buf, sizeof(buf), 1, &s), -EINVAL);
}
END_TEST

START_TEST(test_get_request_bytes)
{
	static const uint8_t want[SOCKDIAG_REQ_LEN] = {
	    /* nlmsghdr: len 72, SOCK_DIAG_BY_FAMILY (20), NLM_F_REQUEST | NLM_F_ACK (no dump), seq
	       2 */
	    0x48, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x00, 0x00,
	    /* AF_INET, IPPROTO_TCP, ext 0, pad 0, states 0 (a lookup does not filter) */
	    0x02, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	    /* sport 40112 (local), dport 3260 (remote) */
	    0x9c, 0xb0, 0x0c, 0xbc,
	    /* src 198.18.1.2 (local), dst 198.18.1.1 (remote) */
	    198, 18, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 198, 18, 1, 1, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0,
	    /* if 3; cookie INET_DIAG_NOCOOKIE twice: not compared */
	    0x03, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct sockdiag_match m;
	uint8_t buf[SOCKDIAG_REQ_LEN];

	memset(&m, 0, sizeof(m));
	addr(&m.remote, "198.18.1.1", 3260);
	addr(&m.local, "198.18.1.2", 40112);
	m.ifindex = 3;
	ck_assert(sockdiag_match_exact(&m));
	ck_assert_int_eq(sockdiag_build_get(buf, sizeof(buf), 2, &m), SOCKDIAG_REQ_LEN);
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_int_eq(sockdiag_build_get(buf, sizeof(buf) - 1, 2, &m), -ENOSPC);

	/* IPv6: all sixteen bytes of each address */
	addr(&m.remote, "fd00::1", 3260);
	addr(&m.local, "fd00::2", 40112);
	ck_assert_int_eq(sockdiag_build_get(buf, sizeof(buf), 2, &m), SOCKDIAG_REQ_LEN);
	ck_assert_uint_eq(buf[16], AF_INET6);
	ck_assert_mem_eq(buf + 16 + 8 + 4, m.local.a, 16);
	ck_assert_mem_eq(buf + 16 + 8 + 4 + 16, m.remote.a, 16);

	/* not exact: no local port, no local address, or not a match at all */
	m.local.port = 0;
	ck_assert(!sockdiag_match_exact(&m));
	ck_assert_int_eq(sockdiag_build_get(buf, sizeof(buf), 2, &m), -EINVAL);
	m.local.port = 40112;
	m.local.family = AF_UNSPEC;
	ck_assert_int_eq(sockdiag_build_get(buf, sizeof(buf), 2, &m), -EINVAL);
	addr(&m.local, "fd00::2", 40112);
	m.remote.port = 0;
	ck_assert_int_eq(sockdiag_build_get(buf, sizeof(buf), 2, &m), -EINVAL);
}
END_TEST

/* ---- answers ---- */

struct dgram {
	uint8_t b[4096];
	size_t len;
};

/* Appends a message (header and payload, padded to 4 unless last is set). */
static void put(struct dgram *d, uint16_t type, uint32_t seq, const void *pl, size_t plen, bool pad)
{
	struct nlmsghdr h = {.nlmsg_len = (uint32_t)(sizeof(h) + plen),
			     .nlmsg_type = type,
			     .nlmsg_flags = NLM_F_MULTI,
			     .nlmsg_seq = seq,
			     .nlmsg_pid = 12345};

	ck_assert_uint_le(d->len + NLMSG_ALIGN(h.nlmsg_len), sizeof(d->b));
	memcpy(d->b + d->len, &h, sizeof(h));
	if (plen)
		memcpy(d->b + d->len + sizeof(h), pl, plen);
	d->len += pad ? NLMSG_ALIGN(h.nlmsg_len) : h.nlmsg_len;
}

static struct inet_diag_msg sockmsg(int family, const char *src, uint16_t sport, const char *dst,
				    uint16_t dport, uint32_t ifindex, uint8_t state)
{
	struct inet_diag_msg m;

	memset(&m, 0, sizeof(m));
	m.idiag_family = (uint8_t)family;
	m.idiag_state = state;
	m.id.idiag_sport = htons(sport);
	m.id.idiag_dport = htons(dport);
	ck_assert_int_eq(inet_pton(family, src, m.id.idiag_src), 1);
	ck_assert_int_eq(inet_pton(family, dst, m.id.idiag_dst), 1);
	m.id.idiag_if = ifindex;
	m.id.idiag_cookie[0] = 0xaabbccdd;
	m.id.idiag_cookie[1] = 7;
	m.idiag_uid = 0;
	m.idiag_inode = 4242;
	return m;
}

START_TEST(test_dump_answer)
{
	struct inet_diag_msg v4 = sockmsg(AF_INET, "198.18.1.2", 40112, "198.18.1.1", 3260, 3, 1);
	struct inet_diag_msg v6 = sockmsg(AF_INET6, "fd00::2", 50000, "fd00::1", 3260, 0, 8);
	struct inet_diag_msg mapped =
	    sockmsg(AF_INET6, "::ffff:198.18.2.2", 41000, "::ffff:198.18.2.1", 3260, 4, 2);
	struct sockdiag_answer a;
	struct sockdiag_iter it;
	struct dgram d = {.len = 0};
	struct net_addr want;
	int32_t done = 0;
	uint8_t attr[8] = {8, 0, 1, 0, 0, 0, 0, 0}; /* an attribute after the message: ignored */
	uint8_t withattr[sizeof(v4) + sizeof(attr)];
	char text[160];

	memcpy(withattr, &v4, sizeof(v4));
	memcpy(withattr + sizeof(v4), attr, sizeof(attr));
	put(&d, SOCK_DIAG_BY_FAMILY, 9, withattr, sizeof(withattr), true);
	put(&d, SOCK_DIAG_BY_FAMILY, 8, &v6, sizeof(v6), true); /* an earlier request's: skipped */
	put(&d, NLMSG_NOOP, 9, NULL, 0, true);
	put(&d, SOCK_DIAG_BY_FAMILY, 9, &v6, sizeof(v6), true);
	put(&d, SOCK_DIAG_BY_FAMILY, 9, &mapped, sizeof(mapped), true);
	put(&d, NLMSG_DONE, 9, &done, sizeof(done), false);

	sockdiag_iter_init(&it, d.b, d.len, 9);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.kind, SOCKDIAG_KIND_SOCK);
	ck_assert_int_eq(a.sock.family, AF_INET);
	ck_assert_uint_eq(a.sock.state, 1);
	addr(&want, "198.18.1.2", 40112);
	ck_assert(net_addr_same(&a.sock.local, &want));
	addr(&want, "198.18.1.1", 3260);
	ck_assert(net_addr_same(&a.sock.remote, &want));
	ck_assert_uint_eq(a.sock.ifindex, 3);
	ck_assert_uint_eq(a.sock.inode, 4242);
	ck_assert_mem_eq(&a.sock.id, &v4.id, sizeof(v4.id));
	sockdiag_sock_text(&a.sock, text, sizeof(text));
	ck_assert_str_eq(text, "198.18.1.2:40112 -> 198.18.1.1:3260 dev 3 ESTABLISHED");

	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.sock.family, AF_INET6);
	addr(&want, "fd00::1", 3260);
	ck_assert(net_addr_same(&a.sock.remote, &want));
	sockdiag_sock_text(&a.sock, text, sizeof(text));
	ck_assert_str_eq(text, "[fd00::2]:50000 -> [fd00::1]:3260 CLOSE_WAIT");

	/* IPv4-mapped: an AF_INET6 socket whose addresses compare as IPv4 */
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.sock.family, AF_INET6);
	addr(&want, "198.18.2.1", 3260);
	ck_assert(net_addr_same(&a.sock.remote, &want));
	addr(&want, "198.18.2.2", 41000);
	ck_assert(net_addr_same(&a.sock.local, &want));

	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.kind, SOCKDIAG_KIND_DONE);
	ck_assert_int_eq(a.err, 0);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 0);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 0);
}
END_TEST

/* One socket message as the kernel sends it, byte for byte (88 bytes). */
START_TEST(test_answer_bytes)
{
	static const uint8_t msg[] = {
	    /* nlmsghdr: len 88, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, seq 5, pid 77 */
	    0x58, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x05, 0x00, 0x00, 0x00, 0x4d, 0x00,
	    0x00, 0x00,
	    /* inet_diag_msg: AF_INET, ESTABLISHED, timer 0, retrans 0 */
	    0x02, 0x01, 0x00, 0x00,
	    /* sport 51234 (0xc822), dport 3260 */
	    0xc8, 0x22, 0x0c, 0xbc,
	    /* src 10.0.0.2, dst 10.0.0.1 */
	    10, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0,
	    /* if 2, cookie 1 0 */
	    0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	    /* expires, rqueue, wqueue, uid 1000, inode 99 */
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xe8, 0x03, 0x00, 0x00, 0x63, 0x00, 0x00, 0x00};
	struct sockdiag_answer a;
	struct sockdiag_iter it;
	struct net_addr want;

	ck_assert_uint_eq(sizeof(msg), 88);
	sockdiag_iter_init(&it, msg, sizeof(msg), 5);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.kind, SOCKDIAG_KIND_SOCK);
	addr(&want, "10.0.0.2", 51234);
	ck_assert(net_addr_same(&a.sock.local, &want));
	addr(&want, "10.0.0.1", 3260);
	ck_assert(net_addr_same(&a.sock.remote, &want));
	ck_assert_uint_eq(a.sock.ifindex, 2);
	ck_assert_uint_eq(a.sock.uid, 1000);
	ck_assert_uint_eq(a.sock.inode, 99);
	ck_assert_uint_eq(a.sock.id.idiag_cookie[0], 1);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 0);
}
END_TEST

START_TEST(test_ack_answers)
{
	struct nlmsgerr e;
	struct sockdiag_answer a;
	struct sockdiag_iter it;
	struct dgram d = {.len = 0};
	int32_t done = -ENOENT;

	memset(&e, 0, sizeof(e));
	e.error = 0;
	put(&d, NLMSG_ERROR, 3, &e, sizeof(e), true);
	e.error = -EOPNOTSUPP;
	put(&d, NLMSG_ERROR, 4, &e, sizeof(e), true);
	put(&d, NLMSG_DONE, 4, &done, sizeof(done), true);
	put(&d, NLMSG_DONE, 4, NULL, 0, true); /* before Linux 4.12: no status */

	sockdiag_iter_init(&it, d.b, d.len, 4);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.kind, SOCKDIAG_KIND_ACK);
	ck_assert_int_eq(a.err, -EOPNOTSUPP);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.kind, SOCKDIAG_KIND_DONE);
	ck_assert_int_eq(a.err, -ENOENT);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.kind, SOCKDIAG_KIND_DONE);
	ck_assert_int_eq(a.err, 0);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 0);

	sockdiag_iter_init(&it, d.b, d.len, 3);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.kind, SOCKDIAG_KIND_ACK);
	ck_assert_int_eq(a.err, 0);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 0);
}
END_TEST

/* Walks d to its first error: the iterator's answer there, which it keeps giving. */
static int walk(const struct dgram *d, uint32_t seq)
{
	struct sockdiag_answer a;
	struct sockdiag_iter it;
	int rc, n = 0;

	sockdiag_iter_init(&it, d->b, d->len, seq);
	while ((rc = sockdiag_iter_next(&it, &a)) == 1)
		ck_assert_int_lt(++n, 100);
	if (rc < 0) {
		size_t off = it.off;

		ck_assert_int_eq(sockdiag_iter_next(&it, &a), rc);
		ck_assert_uint_eq(it.off, off);
	}
	return rc;
}

START_TEST(test_malformed)
{
	struct inet_diag_msg m = sockmsg(AF_INET, "10.0.0.2", 1, "10.0.0.1", 3260, 0, 1);
	struct nlmsgerr e = {.error = -EPERM};
	struct dgram d;
	struct nlmsghdr *h;
	int32_t bad;

	/* a datagram cut inside a header, inside a message, and every length short of whole */
	memset(&d, 0, sizeof(d));
	put(&d, SOCK_DIAG_BY_FAMILY, 1, &m, sizeof(m), false);
	for (size_t cut = 1; cut < d.len; cut++) {
		struct dgram c = d;

		c.len = cut;
		ck_assert_int_eq(walk(&c, 1), -EBADMSG);
	}
	ck_assert_int_eq(walk(&d, 1), 0);

	/* a length below the header's */
	h = (struct nlmsghdr *)d.b;
	h->nlmsg_len = 15;
	ck_assert_int_eq(walk(&d, 1), -EBADMSG);
	/* a length past the datagram */
	h->nlmsg_len = (uint32_t)d.len + 4;
	ck_assert_int_eq(walk(&d, 1), -EBADMSG);
	/* a socket message shorter than inet_diag_msg, with the length saying so */
	memset(&d, 0, sizeof(d));
	put(&d, SOCK_DIAG_BY_FAMILY, 1, &m, sizeof(m) - 1, true);
	ck_assert_int_eq(walk(&d, 1), -EBADMSG);
	/* a socket of another family */
	m.idiag_family = AF_UNIX;
	memset(&d, 0, sizeof(d));
	put(&d, SOCK_DIAG_BY_FAMILY, 1, &m, sizeof(m), true);
	ck_assert_int_eq(walk(&d, 1), -EBADMSG);
	/* also in another request's answer: malformed is malformed */
	ck_assert_int_eq(walk(&d, 2), -EBADMSG);
	/* an error message without the whole nlmsgerr */
	memset(&d, 0, sizeof(d));
	put(&d, NLMSG_ERROR, 1, &e, sizeof(e) - 1, true);
	ck_assert_int_eq(walk(&d, 1), -EBADMSG);
	/* an error code that is no errno: positive, or past MAX_ERRNO */
	e.error = 5;
	memset(&d, 0, sizeof(d));
	put(&d, NLMSG_ERROR, 1, &e, sizeof(e), true);
	ck_assert_int_eq(walk(&d, 1), -EBADMSG);
	e.error = -4096;
	memset(&d, 0, sizeof(d));
	put(&d, NLMSG_ERROR, 1, &e, sizeof(e), true);
	ck_assert_int_eq(walk(&d, 1), -EBADMSG);
	bad = 1;
	memset(&d, 0, sizeof(d));
	put(&d, NLMSG_DONE, 1, &bad, sizeof(bad), true);
	ck_assert_int_eq(walk(&d, 1), -EBADMSG);
	/* a message type sock_diag does not send */
	memset(&d, 0, sizeof(d));
	put(&d, 16 /* RTM_NEWLINK: rtnetlink, not sock_diag */, 1, NULL, 0, true);
	ck_assert_int_eq(walk(&d, 1), -EPROTO);
	/* a good message, then a bad one: the good one is read, the walk stops at the bad */
	memset(&d, 0, sizeof(d));
	m.idiag_family = AF_INET;
	put(&d, SOCK_DIAG_BY_FAMILY, 1, &m, sizeof(m), true);
	put(&d, SOCK_DIAG_BY_FAMILY, 1, &m, 10, true);
	{
		struct sockdiag_answer a;
		struct sockdiag_iter it;

		sockdiag_iter_init(&it, d.b, d.len, 1);
		ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
		ck_assert_int_eq(sockdiag_iter_next(&it, &a), -EBADMSG);
		ck_assert_uint_eq(it.off, NLMSG_ALIGN(sizeof(struct nlmsghdr) + sizeof(m)));
	}
	/* an empty datagram holds nothing */
	d.len = 0;
	ck_assert_int_eq(walk(&d, 1), 0);
}
END_TEST

/* A message whose length is not a multiple of 4: the next starts after the padding. */
START_TEST(test_padding)
{
	struct nlmsgerr e = {.error = 0};
	uint8_t odd[sizeof(e) + 2];
	struct sockdiag_answer a;
	struct sockdiag_iter it;
	struct dgram d = {.len = 0};

	memcpy(odd, &e, sizeof(e));
	odd[sizeof(e)] = odd[sizeof(e) + 1] = 0xff;
	put(&d, NLMSG_ERROR, 1, odd, sizeof(odd), true); /* 38 bytes, padded to 40 */
	e.error = -ESTALE;
	put(&d, NLMSG_ERROR, 1, &e, sizeof(e), false);
	sockdiag_iter_init(&it, d.b, d.len, 1);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.err, 0);
	ck_assert_uint_eq(it.off, 40);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.err, -ESTALE);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 0);
	/* the last message of a datagram without its padding */
	d.len = 0;
	put(&d, NLMSG_ERROR, 1, odd, sizeof(odd), false);
	sockdiag_iter_init(&it, d.b, d.len, 1);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 0);
}
END_TEST

static struct sockdiag_sock sock(const char *src, uint16_t sport, const char *dst, uint16_t dport,
				 uint32_t ifindex)
{
	int family = strchr(src, ':') ? AF_INET6 : AF_INET;
	struct inet_diag_msg m = sockmsg(family, src, sport, dst, dport, ifindex, 1);
	struct sockdiag_answer a;
	struct sockdiag_iter it;
	struct dgram d = {.len = 0};

	put(&d, SOCK_DIAG_BY_FAMILY, 1, &m, sizeof(m), true);
	sockdiag_iter_init(&it, d.b, d.len, 1);
	ck_assert_int_eq(sockdiag_iter_next(&it, &a), 1);
	return a.sock;
}

START_TEST(test_match)
{
	struct sockdiag_sock s = sock("198.18.1.2", 40112, "198.18.1.1", 3260, 3);
	struct sockdiag_sock mapped =
	    sock("::ffff:198.18.1.2", 40112, "::ffff:198.18.1.1", 3260, 3);
	struct sockdiag_sock v6 = sock("fd00::2", 40112, "fd00::1", 3260, 3);
	struct sockdiag_match m;
	const char *why;

	memset(&m, 0, sizeof(m));
	addr(&m.remote, "198.18.1.1", 3260);
	ck_assert_int_eq(sockdiag_match_check(&m, &why), 0);
	ck_assert_ptr_null(why);
	ck_assert(sockdiag_matches(&m, &s));
	ck_assert(sockdiag_matches(&m, &mapped));
	ck_assert(!sockdiag_matches(&m, &v6));
	/* the remote port and address must both be the socket's */
	m.remote.port = 3261;
	ck_assert(!sockdiag_matches(&m, &s));
	addr(&m.remote, "198.18.1.9", 3260);
	ck_assert(!sockdiag_matches(&m, &s));
	addr(&m.remote, "198.18.1.1", 3260);
	/* the local address, then its port */
	addr(&m.local, "198.18.1.2", 0);
	ck_assert(sockdiag_matches(&m, &s));
	m.local.port = 40112;
	ck_assert(sockdiag_matches(&m, &s));
	m.local.port = 40113;
	ck_assert(!sockdiag_matches(&m, &s));
	addr(&m.local, "198.18.2.2", 0);
	ck_assert(!sockdiag_matches(&m, &s));
	/* a local port alone */
	memset(&m.local, 0, sizeof(m.local));
	m.local.port = 40112;
	ck_assert(sockdiag_matches(&m, &s));
	/* the bound device */
	m.ifindex = 3;
	ck_assert(sockdiag_matches(&m, &s));
	m.ifindex = 4;
	ck_assert(!sockdiag_matches(&m, &s));
	/* IPv6 */
	memset(&m, 0, sizeof(m));
	addr(&m.remote, "fd00::1", 3260);
	addr(&m.local, "fd00::2", 40112);
	ck_assert_int_eq(sockdiag_match_check(&m, NULL), 0);
	ck_assert(sockdiag_matches(&m, &v6));
	ck_assert(!sockdiag_matches(&m, &s));
}
END_TEST

START_TEST(test_match_check)
{
	struct sockdiag_match m;
	const char *why;

	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(sockdiag_match_check(&m, &why), -EINVAL);
	ck_assert_str_eq(why, "the remote address is not IPv4 or IPv6");
	addr(&m.remote, "0.0.0.0", 3260);
	ck_assert_int_eq(sockdiag_match_check(&m, &why), -EINVAL);
	ck_assert_str_eq(why, "the remote address is the wildcard address");
	addr(&m.remote, "::", 3260);
	ck_assert_int_eq(sockdiag_match_check(&m, &why), -EINVAL);
	addr(&m.remote, "198.18.1.1", 0);
	ck_assert_int_eq(sockdiag_match_check(&m, &why), -EINVAL);
	ck_assert_str_eq(why, "the remote port is 0");
	m.remote.port = 3260;
	addr(&m.local, "fd00::2", 0);
	ck_assert_int_eq(sockdiag_match_check(&m, &why), -EINVAL);
	ck_assert_str_eq(why, "the local address is not of the remote address's family");
	addr(&m.local, "198.18.1.2", 0);
	ck_assert_int_eq(sockdiag_match_check(&m, &why), 0);
}
END_TEST

static Suite *sockdiag_suite(void)
{
	Suite *s = suite_create("sockdiag");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_dump_request_bytes);
	tcase_add_test(tc, test_destroy_request_bytes);
	tcase_add_test(tc, test_get_request_bytes);
	tcase_add_test(tc, test_dump_answer);
	tcase_add_test(tc, test_answer_bytes);
	tcase_add_test(tc, test_ack_answers);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_padding);
	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_match_check);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sockdiag_suite)
