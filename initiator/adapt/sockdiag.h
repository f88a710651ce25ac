/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sock_diag netlink messages that sockkill (initiator/adapt/sockkill.h)
 * exchanges with the kernel, pure: requests built into the caller's
 * buffer, answers read out of a received datagram and never past its
 * length, and the rule that says which sockets a kill takes. No I/O, no
 * logging.
 *
 * The protocol (linux/netlink.h, linux/sock_diag.h, linux/inet_diag.h;
 * sock_diag(7)):
 *   dump     nlmsghdr {SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP}
 *            + inet_diag_req_v2 {family, IPPROTO_TCP, states, id.idiag_dport}
 *            answered by one nlmsghdr {SOCK_DIAG_BY_FAMILY} + inet_diag_msg
 *            per socket (attributes follow only when idiag_ext asks for
 *            them; none are asked for), then NLMSG_DONE. The kernel itself
 *            keeps only the sockets of that family, in those states, with
 *            that destination port (inet_diag_dump_icsk(): a port of 0 is
 *            no filter); addresses and devices are compared here.
 *   destroy  nlmsghdr {SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK}
 *            + inet_diag_req_v2 {family, IPPROTO_TCP, id as the dump gave it}
 *            answered by NLMSG_ERROR: 0 when the socket was destroyed, else
 *            -errno. The kernel finds the socket by its addresses, ports and
 *            bound device, and refuses it (-ESTALE) when its cookie is not
 *            the dump's: a new connection that took the same ports is safe.
 * Netlink's own fields are in host byte order; the sockid's ports and
 * addresses in network byte order.
 */
#ifndef PORTICO_INITIATOR_SOCKDIAG_H
#define PORTICO_INITIATOR_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/inet_diag.h>

#include "common/netaddr.h"

/* Every request built here: a netlink header and an inet_diag_req_v2, no attributes. */
#define SOCKDIAG_REQ_LEN 72

/*
 * The TCP states a kill looks at: every state of a socket that still has
 * its peer, or is on its way to one (include/net/tcp_states.h: bit N is
 * state N). Not LISTEN (no peer), TIME_WAIT and CLOSE (nothing left to
 * stop), SYN_RECV and NEW_SYN_RECV (request sockets, not connections).
 */
#define SOCKDIAG_STATES                                                                            \
	((1u << 1) /* ESTABLISHED */ | (1u << 2) /* SYN_SENT */ | (1u << 4) /* FIN_WAIT1 */ |      \
	 (1u << 5) /* FIN_WAIT2 */ | (1u << 8) /* CLOSE_WAIT */ | (1u << 9) /* LAST_ACK */ |       \
	 (1u << 11) /* CLOSING */)

/* One TCP socket of a dump. */
struct sockdiag_sock {
	int family;    /* the socket's: AF_INET or AF_INET6 */
	uint8_t state; /* TCP_ESTABLISHED, ... (netinet/tcp.h) */
	/* as portal matching compares them (common/netaddr.h): IPv4-mapped as IPv4 */
	struct net_addr local, remote;
	uint32_t ifindex; /* the device it is bound to (SO_BINDTODEVICE); 0: none */
	uint32_t uid;
	uint32_t inode;		    /* 0 for a socket no file holds any more */
	struct inet_diag_sockid id; /* as the kernel sent it: what a destroy names */
};

/*
 * Which sockets a kill takes: those to remote (address and port, both
 * required), and, where given, from local's address (family AF_UNSPEC:
 * any), from local's port (0: any) and bound to ifindex (0: any device).
 * An IPv4 address matches a socket that shows it IPv4-mapped.
 */
struct sockdiag_match {
	struct net_addr remote;
	struct net_addr local;
	uint32_t ifindex;
};

/*
 * Whether m is one a kill may take: remote is AF_INET or AF_INET6 and not
 * the wildcard address, its port is not 0, and local is AF_UNSPEC or a
 * family a socket to remote can have. 0 or -EINVAL with *why (if not NULL)
 * a static string.
 */
int sockdiag_match_check(const struct sockdiag_match *m, const char **why);

/* Whether s is a socket m takes (m checked by sockdiag_match_check). */
bool sockdiag_matches(const struct sockdiag_match *m, const struct sockdiag_sock *s);

/*
 * The dump request for TCP sockets of family (AF_INET or AF_INET6) in the
 * given states (a mask as SOCKDIAG_STATES) to destination port dport (0:
 * any), into buf. Returns SOCKDIAG_REQ_LEN, -ENOSPC when len is smaller,
 * or -EINVAL for another family.
 */
int sockdiag_build_dump(uint8_t *buf, size_t len, uint32_t seq, int family, uint16_t dport,
			uint32_t states);

/*
 * The request for the one socket m names exactly (remote and local
 * address and port, and the device it is bound to: m->ifindex, which a
 * socket bound to no device does not need), into buf: SOCK_DIAG_BY_FAMILY
 * without NLM_F_DUMP, with NLM_F_ACK. The kernel looks it up in its hash
 * (inet_diag_find_one_icsk(), no walk over every socket) and answers with
 * its socket message and an ACK of 0, or an ACK of -ENOENT. Returns
 * SOCKDIAG_REQ_LEN, -ENOSPC, or -EINVAL when m does not name a socket
 * exactly (sockdiag_match_exact).
 */
int sockdiag_build_get(uint8_t *buf, size_t len, uint32_t seq, const struct sockdiag_match *m);

/* Whether m names one socket exactly: a valid match with local's address and port too. */
bool sockdiag_match_exact(const struct sockdiag_match *m);

/*
 * The request that destroys socket s (as a dump gave it) into buf.
 * Returns SOCKDIAG_REQ_LEN, -ENOSPC, or -EINVAL for a family other than
 * AF_INET and AF_INET6.
 */
int sockdiag_build_destroy(uint8_t *buf, size_t len, uint32_t seq, const struct sockdiag_sock *s);

enum sockdiag_kind {
	SOCKDIAG_KIND_SOCK, /* one socket of a dump: sock */
	SOCKDIAG_KIND_DONE, /* the end of a dump: err 0, or -errno when the dump failed */
	SOCKDIAG_KIND_ACK,  /* NLMSG_ERROR: err 0 (done), or -errno */
};

struct sockdiag_answer {
	enum sockdiag_kind kind;
	int err;
	struct sockdiag_sock sock;
};

/* A walk over the netlink messages of one received datagram (sockdiag_iter_init). */
struct sockdiag_iter {
	const uint8_t *p;
	size_t len;
	size_t off; /* where the next message starts */
	uint32_t seq;
};

/*
 * Starts a walk over p[0..len) that keeps the answers to request seq
 * (messages with another sequence number, an earlier request's, are
 * skipped, as are NLMSG_NOOP).
 */
void sockdiag_iter_init(struct sockdiag_iter *it, const uint8_t *p, size_t len, uint32_t seq);

/*
 * The next answer into *a. Returns 1, 0 at the end of the datagram, or
 * -EBADMSG when a message is cut short or malformed (a length below its
 * header or past the datagram, a socket message shorter than
 * inet_diag_msg or of a family other than AF_INET/AF_INET6, an error code
 * that is not 0 or -1..-4095), -EPROTO for a message type sock_diag does
 * not send. After an error the walk stays there and every further call
 * says the same.
 */
int sockdiag_iter_next(struct sockdiag_iter *it, struct sockdiag_answer *a);

/* A socket as one line for a log: "198.18.1.2:40112 -> 198.18.1.1:3260 dev 3 ESTABLISHED". */
void sockdiag_sock_text(const struct sockdiag_sock *s, char *buf, size_t len);

#endif
