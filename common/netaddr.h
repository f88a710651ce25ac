/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Addresses, networks and portals, shared by both halves: the target's
 * portals and allow lists, the host's discovery addresses.
 *
 * Allow lists: the addresses and networks (CIDR) an initiator may log in
 * from, per TPG and per ACL (docs/configuration.md, "Allowed addresses").
 * Pure: text in, values out, no I/O, no logging, no name lookups.
 *
 * An empty list restricts nothing. An IPv4 peer is always matched as IPv4,
 * also when a dual-stack socket shows it as ::ffff:a.b.c.d, so IPv4
 * networks are written as IPv4 and an IPv4-mapped entry is refused.
 */
#ifndef PORTICO_COMMON_NETADDR_H
#define PORTICO_COMMON_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

/* The longest canonical text of one network, NUL included: an IPv6 address (45) and "/128". */
#define NET_TEXT_MAX 50
/* The most entries a list holds: every login scans the list; a longer one wants a firewall. */
#define NET_ALLOW_MAX 256
/* Room for any list as text (net_allow_format): each entry and its ',' or the NUL. */
#define NET_ALLOW_TEXT_MAX (NET_ALLOW_MAX * NET_TEXT_MAX)

/* One network: the prefix leading bits of addr (AF_INET: the first 4 bytes; the rest are 0). */
struct net_cidr {
	sa_family_t family; /* AF_INET or AF_INET6 */
	uint8_t prefix; /* 0..32 or 0..128; the full length is a single address */
	uint8_t addr[16]; /* network byte order, host bits below the prefix clear */
};

/* An allow list, in the order it was written. Zeroed: empty (allows every address). */
struct net_allow {
	struct net_cidr *nets;
	size_t n;
};

/* Why a list was refused: what is wrong, with which entry, and what to write instead. */
struct net_allow_err {
	const char *why; /* static text */
	char entry[NET_TEXT_MAX]; /* the entry as written (cut to fit, '?' for odd bytes) */
	char fix[NET_TEXT_MAX]; /* the spelling to use instead ("10.0.0.0/24"), or "" */
};

/*
 * Parses one entry of len bytes (no NUL needed, none read past len):
 * "192.0.2.7", "192.0.2.0/24", "2001:db8::/32", "::1", "[2001:db8::1]",
 * "[2001:db8::]/64". Addresses only (no host names, ports, zone indices).
 * 0, or -EINVAL with *why (if not NULL) a static string saying what is
 * wrong. When there is a right spelling of what was meant (host bits set
 * below the prefix, an IPv4-mapped IPv6 address), *out holds it after
 * -EINVAL; otherwise out->family is AF_UNSPEC.
 */
int net_parse(const char *s, size_t len, struct net_cidr *out, const char **why);

/*
 * The canonical text of net into buf: "192.0.2.0/24", "2001:db8::/32",
 * and a single address without "/32" or "/128". The length written
 * (without the NUL), -ENOSPC when buf is too small (NET_TEXT_MAX is
 * always enough), -EINVAL for a family other than AF_INET and AF_INET6.
 */
int net_format(const struct net_cidr *net, char *buf, size_t len);

bool net_equal(const struct net_cidr *a, const struct net_cidr *b);

/*
 * The peer address sa as a single-address network: AF_INET, or AF_INET6
 * where an IPv4-mapped address (::ffff:a.b.c.d) becomes AF_INET. 0,
 * -EINVAL when len is too short for the family, -EAFNOSUPPORT for another
 * family.
 */
int net_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct net_cidr *out);

/* Whether address addr (a single-address network of net_from_sockaddr) is in net. */
bool net_contains(const struct net_cidr *net, const struct net_cidr *addr);

/*
 * Whether a peer at sa may connect as far as list l goes: l is empty (or
 * NULL), or one of its networks holds the address. A peer that is not
 * AF_INET or AF_INET6 matches no list that is not empty.
 */
bool net_allow_match(const struct net_allow *l, const struct sockaddr *sa, socklen_t len);

/* Frees the list's networks; l is empty afterwards. */
void net_allow_fini(struct net_allow *l);

/*
 * Appends net to l. 0, -EEXIST when l already holds it, -E2BIG when l
 * holds NET_ALLOW_MAX entries, -ENOMEM.
 */
int net_allow_add(struct net_allow *l, const struct net_cidr *net);

/*
 * Parses one entry of len bytes (net_parse) and appends it to l
 * (net_allow_add). 0, or -EINVAL/-EEXIST/-E2BIG (l unchanged) with *err
 * filled (err may be NULL), or -ENOMEM.
 */
int net_allow_add_text(struct net_allow *l, const char *s, size_t len, struct net_allow_err *err);

/*
 * Parses a comma-separated list of len bytes ("10.0.0.0/24, 192.168.1.5";
 * blanks around an entry are ignored) into *out, which it overwrites (out
 * must hold no list). Empty or blank text: the empty list. 0, or -errno
 * as net_allow_add_text (an empty entry, as in "a,,b", is -EINVAL) with
 * *out empty. The caller frees *out with net_allow_fini().
 */
int net_allow_parse(const char *csv, size_t len, struct net_allow *out, struct net_allow_err *err);

/*
 * Replaces *dst with the list csv says (net_allow_parse) only when all of
 * csv parses; on failure *dst is as it was. Not safe against readers of
 * *dst on other threads: the old networks are freed before it returns.
 */
int net_allow_set(struct net_allow *dst, const char *csv, size_t len, struct net_allow_err *err);

/* A copy of src into *dst (overwritten: it must hold no list). 0 or -ENOMEM (*dst empty). */
int net_allow_copy(struct net_allow *dst, const struct net_allow *src);

/* The same networks in the same order. */
bool net_allow_equal(const struct net_allow *a, const struct net_allow *b);

/*
 * The list as text into buf: canonical entries joined by "," (no blanks),
 * "" for the empty list; net_allow_parse reads it back the same. The
 * length written (without the NUL), or -ENOSPC (buf holds the entries that
 * fit, terminated, when len > 0); NET_ALLOW_TEXT_MAX is always enough.
 */
int net_allow_format(const struct net_allow *l, char *buf, size_t len);

/*
 * err as one line into buf: "'10.0.0.1/24': host bits are set below the
 * prefix length: write 10.0.0.0/24". The length, or -ENOSPC when cut.
 */
int net_allow_err_text(const struct net_allow_err *err, char *buf, size_t len);

/* ---- portals ---- */

#define NET_ISCSI_PORT 3260 /* RFC 7143 §13.1 (IANA): the port of a portal given without one */

/* An iSCSI portal: an address and a TCP port. */
struct net_portal {
	char text[80]; /* "127.0.0.1:3260", "[::1]:3260" */
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

/*
 * An address reduced to what portal matching compares: family (an
 * IPv4-mapped IPv6 address counts as IPv4), the address bytes and the port.
 */
struct net_addr {
	int family;
	uint8_t a[16];
	uint16_t port;
};

/*
 * A socket address as portal matching compares it (an IPv4-mapped IPv6
 * address as IPv4). 0, -EINVAL (NULL), -EAFNOSUPPORT (not IPv4 or IPv6, or
 * len too short).
 */
int net_addr_get(const struct sockaddr *sa, socklen_t len, struct net_addr *out);
/* Whether a is the wildcard address of its family (0.0.0.0, ::). */
bool net_addr_is_any(const struct net_addr *a);
/* Whether a and b are the same address and port. */
bool net_addr_same(const struct net_addr *a, const struct net_addr *b);

/*
 * Parses "1.2.3.4:3260", "[::1]:3260", "1.2.3.4" (port 3260). Addresses
 * only: a host name is refused (no DNS lookups). out->text gets the
 * canonical form ("1.2.3.4:3260", "[::1]:3260"). 0, or -EINVAL with *why
 * (if not NULL) set to a static string that says what is wrong.
 */
int net_portal_parse_why(const char *text, struct net_portal *out, const char **why);
/* net_portal_parse_why() without the reason. */
int net_portal_parse(const char *text, struct net_portal *out);

/* Whether p listens on the wildcard address of its family (0.0.0.0, [::]). */
bool net_portal_is_any(const struct net_portal *p);
/* p's TCP port. */
unsigned int net_portal_port(const struct net_portal *p);
/*
 * sa's address with port as "a.b.c.d:port" or "[v6]:port" (an IPv4-mapped
 * IPv6 address as IPv4) into buf (len bytes, cut to fit).
 */
void net_sockaddr_text(const struct sockaddr *sa, unsigned int port, char *buf, size_t len);

/* Whether two portals have the same address and port (IPv4-mapped IPv6 equals IPv4). */
bool net_portal_equal(const struct net_portal *a, const struct net_portal *b);

#endif
