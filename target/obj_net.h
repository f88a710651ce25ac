/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allow lists: the addresses and networks (CIDR) an initiator may log in
 * from, per TPG and per ACL (docs/configuration.md, "Allowed addresses").
 * Pure: text in, values out, no I/O, no logging, no name lookups.
 *
 * An empty list restricts nothing. An IPv4 peer is always matched as IPv4,
 * also when a dual-stack socket shows it as ::ffff:a.b.c.d, so IPv4
 * networks are written as IPv4 and an IPv4-mapped entry is refused.
 */
#ifndef PORTICO_TARGET_OBJ_NET_H
#define PORTICO_TARGET_OBJ_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The longest canonical text of one network, NUL included: an IPv6 address (45) and "/128". */
#define OBJ_NET_TEXT_MAX 50
/* The most entries a list holds: every login scans the list; a longer one wants a firewall. */
#define OBJ_ALLOW_MAX 256
/* Room for any list as text (obj_allow_format): each entry and its ',' or the NUL. */
#define OBJ_ALLOW_TEXT_MAX (OBJ_ALLOW_MAX * OBJ_NET_TEXT_MAX)

/* One network: the prefix leading bits of addr (AF_INET: the first 4 bytes; the rest are 0). */
struct obj_net {
	sa_family_t family; /* AF_INET or AF_INET6 */
	uint8_t prefix; /* 0..32 or 0..128; the full length is a single address */
	uint8_t addr[16]; /* network byte order, host bits below the prefix clear */
};

/* An allow list, in the order it was written. Zeroed: empty (allows every address). */
struct obj_allow {
	struct obj_net *nets;
	size_t n;
};

/* Why a list was refused: what is wrong, with which entry, and what to write instead. */
struct obj_allow_err {
	const char *why; /* static text */
	char entry[OBJ_NET_TEXT_MAX]; /* the entry as written (cut to fit, '?' for odd bytes) */
	char fix[OBJ_NET_TEXT_MAX]; /* the spelling to use instead ("10.0.0.0/24"), or "" */
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
int obj_net_parse(const char *s, size_t len, struct obj_net *out, const char **why);

/*
 * The canonical text of net into buf: "192.0.2.0/24", "2001:db8::/32",
 * and a single address without "/32" or "/128". The length written
 * (without the NUL), -ENOSPC when buf is too small (OBJ_NET_TEXT_MAX is
 * always enough), -EINVAL for a family other than AF_INET and AF_INET6.
 */
int obj_net_format(const struct obj_net *net, char *buf, size_t len);

bool obj_net_equal(const struct obj_net *a, const struct obj_net *b);

/*
 * The peer address sa as a single-address network: AF_INET, or AF_INET6
 * where an IPv4-mapped address (::ffff:a.b.c.d) becomes AF_INET. 0,
 * -EINVAL when len is too short for the family, -EAFNOSUPPORT for another
 * family.
 */
int obj_net_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct obj_net *out);

/* Whether address addr (a single-address network of obj_net_from_sockaddr) is in net. */
bool obj_net_contains(const struct obj_net *net, const struct obj_net *addr);

/*
 * Whether a peer at sa may connect as far as list l goes: l is empty (or
 * NULL), or one of its networks holds the address. A peer that is not
 * AF_INET or AF_INET6 matches no list that is not empty.
 */
bool obj_allow_match(const struct obj_allow *l, const struct sockaddr *sa, socklen_t len);

/* Frees the list's networks; l is empty afterwards. */
void obj_allow_fini(struct obj_allow *l);

/*
 * Appends net to l. 0, -EEXIST when l already holds it, -E2BIG when l
 * holds OBJ_ALLOW_MAX entries, -ENOMEM.
 */
int obj_allow_add(struct obj_allow *l, const struct obj_net *net);

/*
 * Parses one entry of len bytes (obj_net_parse) and appends it to l
 * (obj_allow_add). 0, or -EINVAL/-EEXIST/-E2BIG (l unchanged) with *err
 * filled (err may be NULL), or -ENOMEM.
 */
int obj_allow_add_text(struct obj_allow *l, const char *s, size_t len, struct obj_allow_err *err);

/*
 * Parses a comma-separated list of len bytes ("10.0.0.0/24, 192.168.1.5";
 * blanks around an entry are ignored) into *out, which it overwrites (out
 * must hold no list). Empty or blank text: the empty list. 0, or -errno
 * as obj_allow_add_text (an empty entry, as in "a,,b", is -EINVAL) with
 * *out empty. The caller frees *out with obj_allow_fini().
 */
int obj_allow_parse(const char *csv, size_t len, struct obj_allow *out, struct obj_allow_err *err);

/*
 * Replaces *dst with the list csv says (obj_allow_parse) only when all of
 * csv parses; on failure *dst is as it was. Not safe against readers of
 * *dst on other threads: the old networks are freed before it returns.
 */
int obj_allow_set(struct obj_allow *dst, const char *csv, size_t len, struct obj_allow_err *err);

/* A copy of src into *dst (overwritten: it must hold no list). 0 or -ENOMEM (*dst empty). */
int obj_allow_copy(struct obj_allow *dst, const struct obj_allow *src);

/* The same networks in the same order. */
bool obj_allow_equal(const struct obj_allow *a, const struct obj_allow *b);

/*
 * The list as text into buf: canonical entries joined by "," (no blanks),
 * "" for the empty list; obj_allow_parse reads it back the same. The
 * length written (without the NUL), or -ENOSPC (buf holds the entries that
 * fit, terminated, when len > 0); OBJ_ALLOW_TEXT_MAX is always enough.
 */
int obj_allow_format(const struct obj_allow *l, char *buf, size_t len);

/*
 * err as one line into buf: "'10.0.0.1/24': host bits are set below the
 * prefix length: write 10.0.0.0/24". The length, or -ENOSPC when cut.
 */
int obj_allow_err_text(const struct obj_allow_err *err, char *buf, size_t len);

#endif
