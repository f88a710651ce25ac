/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Addresses (netaddr.h): allow lists (parsing, canonical text, matching
 * of peer addresses against networks; text is taken with its length and
 * never read past it, inet_pton gets a bounded, terminated copy), and
 * portals (parsing, comparing socket addresses).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/netaddr.h"

static size_t net_bytes(sa_family_t family)
{
	return family == AF_INET ? 4 : 16;
}

static unsigned int net_bits(sa_family_t family)
{
	return family == AF_INET ? 32 : 128;
}

/* Clears the bits of a below the first prefix (a holds 16 bytes). */
static void net_mask(uint8_t a[16], unsigned int prefix)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (prefix >= 8 * (i + 1))
			continue;
		if (prefix <= 8 * i)
			a[i] = 0;
		else
			a[i] &= (uint8_t)(0xff << (8 * (i + 1) - prefix));
	}
}

/* Letters, digits, '-' and '.', with a letter somewhere: a host name, not a broken address. */
static bool net_hostname_like(const char *s, size_t len)
{
	bool alpha = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (isalpha((unsigned char)s[i]))
			alpha = true;
		else if (!isdigit((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return false;
	}
	return alpha;
}

/* The decimal prefix length of len bytes; at most max. */
static int net_parse_prefix(const char *s, size_t len, unsigned int max, unsigned int *out,
				const char **why)
{
	unsigned int v = 0;
	size_t i;

	if (len == 0) {
		*why = "no prefix length after '/'";
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i])) {
			*why = "the prefix length after '/' is not a number";
			return -EINVAL;
		}
		/* stop counting past any valid length: "/99999999999" must not wrap */
		if (v <= 128)
			v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v > max) {
		*why = max == 32 ? "the prefix length of an IPv4 network is at most 32" :
				   "the prefix length of an IPv6 network is at most 128";
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* ::ffff:0:0/96 (RFC 4291 §2.5.5.2): how a dual-stack socket shows an IPv4 peer. */
static bool net_v4mapped(const uint8_t a[16])
{
	static const uint8_t pfx[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a, pfx, sizeof(pfx)) == 0;
}

/*
 * The address part (no prefix) of len bytes into out->family and
 * out->addr. bracketed: it was written "[...]", so IPv6 only.
 */
static int net_parse_addr(const char *s, size_t len, bool bracketed, struct net_cidr *out,
			      const char **why)
{
	char buf[INET6_ADDRSTRLEN];
	const char *colon = memchr(s, ':', len);

	if (len == 0) {
		*why = bracketed ? "not an IPv6 address" : "no address before '/'";
		return -EINVAL;
	}
	if (memchr(s, '%', len)) {
		*why = "a zone index ('%...') is not accepted: write the address alone";
		return -EINVAL;
	}
	/* an IPv6 address has at least two ':'; one is "address:port" */
	if (!bracketed && colon && !memchr(colon + 1, ':', len - (size_t)(colon + 1 - s))) {
		*why = "an allow list holds addresses, not ports: leave out ':PORT'";
		return -EINVAL;
	}
	if (len >= sizeof(buf)) {
		*why = !colon && net_hostname_like(s, len) ?
			       "host names are not accepted, give an IP address (porticod does no DNS lookups)" :
			       "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (bracketed || colon) {
		if (inet_pton(AF_INET6, buf, out->addr) != 1) {
			*why = "not an IPv6 address";
			return -EINVAL;
		}
		out->family = AF_INET6;
		return 0;
	}
	/* inet_pton, unlike inet_aton, refuses "10.1", "0x0a.0.0.1" and "010.0.0.1" */
	if (inet_pton(AF_INET, buf, out->addr) != 1) {
		*why = net_hostname_like(s, len) ?
			       "host names are not accepted, give an IP address (porticod does no DNS lookups)" :
			       "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	out->family = AF_INET;
	return 0;
}

int net_parse(const char *s, size_t len, struct net_cidr *out, const char **why)
{
	const char *dummy, *slash, *addr = s;
	size_t addrlen, i;
	unsigned int prefix;
	uint8_t masked[16];
	bool bracketed = false;
	int ret;

	if (!why)
		why = &dummy;
	*why = NULL;
	memset(out, 0, sizeof(*out));
	if (!s || len == 0) {
		*why = "empty address";
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f) {
			*why = "holds a blank or a byte that is no part of an address";
			return -EINVAL;
		}
	}
	slash = memchr(s, '/', len);
	addrlen = slash ? (size_t)(slash - s) : len;
	if (addrlen && s[0] == '[') {
		const char *close = memchr(s, ']', addrlen);

		if (!close) {
			*why = "missing ']' after an IPv6 address";
			return -EINVAL;
		}
		if (close + 1 != s + addrlen) {
			*why = close[1] == ':' ?
				       "an allow list holds addresses, not ports: leave out ':PORT'" :
				       "unexpected text after ']'";
			return -EINVAL;
		}
		bracketed = true;
		addr = s + 1;
		addrlen = (size_t)(close - addr);
	}
	ret = net_parse_addr(addr, addrlen, bracketed, out, why);
	if (ret)
		goto err;
	prefix = net_bits(out->family);
	if (slash) {
		ret = net_parse_prefix(slash + 1, len - (size_t)(slash + 1 - s), prefix, &prefix,
					   why);
		if (ret)
			goto err;
	}
	out->prefix = (uint8_t)prefix;

	/*
	 * RFC 4632 §3.1: a prefix is written as its network number and the
	 * count of significant bits. The others must be zero here, so that a
	 * mistyped host address is not silently widened to its network.
	 */
	memcpy(masked, out->addr, sizeof(masked));
	net_mask(masked, prefix);
	if (memcmp(masked, out->addr, sizeof(masked))) {
		memcpy(out->addr, masked, sizeof(masked));
		*why = "host bits are set below the prefix length";
		ret = -EINVAL;
	}
	/*
	 * A peer on ::ffff:a.b.c.d is matched as IPv4 (net_from_sockaddr),
	 * so such an entry would match nobody: say what to write instead.
	 */
	if (out->family == AF_INET6 && prefix >= 96 && net_v4mapped(out->addr)) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->family = AF_INET;
		out->prefix = (uint8_t)(prefix - 96);
		*why = "an IPv4-mapped IPv6 address matches no peer (IPv4 peers are matched as IPv4)";
		ret = -EINVAL;
	}
	return ret;

err:
	memset(out, 0, sizeof(*out));
	return ret;
}

int net_format(const struct net_cidr *net, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	int n;

	if (net->family != AF_INET && net->family != AF_INET6)
		return -EINVAL;
	if (!inet_ntop(net->family, net->addr, addr, sizeof(addr)))
		return -EINVAL;
	if (net->prefix == net_bits(net->family))
		n = snprintf(buf, len, "%s", addr);
	else
		n = snprintf(buf, len, "%s/%u", addr, net->prefix);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

bool net_equal(const struct net_cidr *a, const struct net_cidr *b)
{
	return a->family == b->family && a->prefix == b->prefix &&
	       memcmp(a->addr, b->addr, net_bytes(a->family)) == 0;
}

int net_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct net_cidr *out)
{
	memset(out, 0, sizeof(*out));
	if (!sa || len < (socklen_t)sizeof(sa->sa_family))
		return -EINVAL;
	if (sa->sa_family == AF_INET) {
		if (len < (socklen_t)sizeof(struct sockaddr_in))
			return -EINVAL;
		out->family = AF_INET;
		memcpy(out->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		out->prefix = 32;
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		if (len < (socklen_t)sizeof(struct sockaddr_in6))
			return -EINVAL;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			out->family = AF_INET;
			memcpy(out->addr, &sin6->sin6_addr.s6_addr[12], 4);
			out->prefix = 32;
		} else {
			out->family = AF_INET6;
			memcpy(out->addr, &sin6->sin6_addr, 16);
			out->prefix = 128;
		}
		return 0;
	}
	return -EAFNOSUPPORT;
}

bool net_contains(const struct net_cidr *net, const struct net_cidr *addr)
{
	uint8_t a[16];

	if (net->family != addr->family || net->prefix > net_bits(net->family))
		return false;
	memcpy(a, addr->addr, sizeof(a));
	net_mask(a, net->prefix);
	return memcmp(a, net->addr, net_bytes(net->family)) == 0;
}

bool net_allow_match(const struct net_allow *l, const struct sockaddr *sa, socklen_t len)
{
	struct net_cidr peer;
	size_t i;

	if (!l || l->n == 0)
		return true;
	if (net_from_sockaddr(sa, len, &peer))
		return false;
	for (i = 0; i < l->n; i++) {
		if (net_contains(&l->nets[i], &peer))
			return true;
	}
	return false;
}

void net_allow_fini(struct net_allow *l)
{
	if (!l)
		return;
	free(l->nets);
	l->nets = NULL;
	l->n = 0;
}

int net_allow_add(struct net_allow *l, const struct net_cidr *net)
{
	struct net_cidr *nets;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (net_equal(&l->nets[i], net))
			return -EEXIST;
	}
	if (l->n >= NET_ALLOW_MAX)
		return -E2BIG;
	nets = realloc(l->nets, (l->n + 1) * sizeof(*nets));
	if (!nets)
		return -ENOMEM;
	nets[l->n++] = *net;
	l->nets = nets;
	return 0;
}

/* err->entry = the len bytes of s, cut to fit, odd bytes as '?' so that a message stays one line. */
static void net_allow_err_entry(struct net_allow_err *err, const char *s, size_t len)
{
	size_t i, n = len < sizeof(err->entry) - 1 ? len : sizeof(err->entry) - 1;

	for (i = 0; i < n; i++)
		err->entry[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	err->entry[n] = '\0';
}

int net_allow_add_text(struct net_allow *l, const char *s, size_t len, struct net_allow_err *err)
{
	struct net_allow_err dummy;
	struct net_cidr net;
	int ret;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	ret = net_parse(s, len, &net, &err->why);
	if (ret && net.family != AF_UNSPEC)
		net_format(&net, err->fix, sizeof(err->fix));
	if (!ret) {
		ret = net_allow_add(l, &net);
		if (ret == -EEXIST)
			err->why = "listed twice";
		else if (ret == -E2BIG)
			err->why = "one entry too many: a list holds at most 256 (use a shorter prefix, or a firewall)";
	}
	if (ret && ret != -ENOMEM)
		net_allow_err_entry(err, s, len);
	return ret;
}

/* The one error about the list rather than an entry: it has no entry to quote. */
static const char net_allow_empty_entry[] =
	"an empty entry (two commas in a row, or one at either end)";

static bool net_allow_blank(char c)
{
	return c == ' ' || c == '\t';
}

int net_allow_parse(const char *csv, size_t len, struct net_allow *out, struct net_allow_err *err)
{
	size_t start = 0, end, a, b;
	bool blank = true;
	int ret;

	_Static_assert(NET_ALLOW_MAX == 256, "the -E2BIG message says 256");
	if (err)
		memset(err, 0, sizeof(*err));
	out->nets = NULL;
	out->n = 0;
	for (a = 0; a < len; a++)
		blank &= net_allow_blank(csv[a]);
	if (blank)
		return 0;
	while (start <= len) {
		const char *comma = memchr(csv + start, ',', len - start);

		end = comma ? (size_t)(comma - csv) : len;
		for (a = start; a < end && net_allow_blank(csv[a]); a++)
			;
		for (b = end; b > a && net_allow_blank(csv[b - 1]); b--)
			;
		if (a == b) {
			if (err)
				err->why = net_allow_empty_entry;
			ret = -EINVAL;
			goto err_free;
		}
		ret = net_allow_add_text(out, csv + a, b - a, err);
		if (ret)
			goto err_free;
		start = end + 1;
	}
	return 0;

err_free:
	net_allow_fini(out);
	return ret;
}

int net_allow_set(struct net_allow *dst, const char *csv, size_t len, struct net_allow_err *err)
{
	struct net_allow l;
	int ret = net_allow_parse(csv, len, &l, err);

	if (ret)
		return ret;
	net_allow_fini(dst);
	*dst = l;
	return 0;
}

int net_allow_copy(struct net_allow *dst, const struct net_allow *src)
{
	dst->nets = NULL;
	dst->n = 0;
	if (!src || !src->n)
		return 0;
	dst->nets = malloc(src->n * sizeof(*dst->nets));
	if (!dst->nets)
		return -ENOMEM;
	memcpy(dst->nets, src->nets, src->n * sizeof(*dst->nets));
	dst->n = src->n;
	return 0;
}

bool net_allow_equal(const struct net_allow *a, const struct net_allow *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		if (!net_equal(&a->nets[i], &b->nets[i]))
			return false;
	}
	return true;
}

int net_allow_format(const struct net_allow *l, char *buf, size_t len)
{
	size_t used = 0, mark, i;
	int n;

	if (len == 0)
		return l->n ? -ENOSPC : 0;
	buf[0] = '\0';
	for (i = 0; i < l->n; i++) {
		mark = used;
		if (i) {
			if (used + 1 >= len)
				return -ENOSPC;
			buf[used++] = ',';
		}
		n = net_format(&l->nets[i], buf + used, len - used);
		if (n < 0) {
			/* whole entries only: no dangling comma */
			buf[mark] = '\0';
			return n;
		}
		used += (size_t)n;
	}
	return (int)used;
}

int net_allow_err_text(const struct net_allow_err *err, char *buf, size_t len)
{
	const char *why = err->why ? err->why : "not a valid list";
	int n;

	if (why == net_allow_empty_entry || !err->why)
		n = snprintf(buf, len, "%s", why);
	else if (err->fix[0])
		n = snprintf(buf, len, "'%s': %s: write %s", err->entry, why, err->fix);
	else
		n = snprintf(buf, len, "'%s': %s", err->entry, why);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

/* ---- portals and socket addresses ---- */

int net_addr_get(const struct sockaddr *sa, socklen_t len, struct net_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (!sa)
		return -EINVAL;
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		out->family = AF_INET;
		memcpy(out->a, &sin->sin_addr, 4);
		out->port = ntohs(sin->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		out->port = ntohs(sin6->sin6_port);
		/*
		 * A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d; they
		 * are the IPv4 portal's connections.
		 */
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			out->family = AF_INET;
			memcpy(out->a, &sin6->sin6_addr.s6_addr[12], 4);
		} else {
			out->family = AF_INET6;
			memcpy(out->a, &sin6->sin6_addr, 16);
		}
		return 0;
	}
	return -EAFNOSUPPORT;
}

bool net_addr_is_any(const struct net_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->a, zero, a->family == AF_INET ? 4 : 16) == 0;
}

bool net_addr_same(const struct net_addr *a, const struct net_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16) == 0;
}

bool net_portal_equal(const struct net_portal *a, const struct net_portal *b)
{
	struct net_addr x, y;

	if (net_addr_get((const struct sockaddr *)&a->addr, a->addrlen, &x) ||
	    net_addr_get((const struct sockaddr *)&b->addr, b->addrlen, &y))
		return false;
	return net_addr_same(&x, &y);
}

/* Digits only, 1..65535. */
static int net_parse_port(const char *s, uint16_t *port, const char **why)
{
	unsigned long v = 0;
	const char *p;

	if (!*s) {
		*why = "empty port after ':'";
		return -EINVAL;
	}
	for (p = s; *p; p++) {
		if (!isdigit((unsigned char)*p)) {
			*why = "the port is not a number";
			return -EINVAL;
		}
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535) {
			*why = "the port is larger than 65535";
			return -EINVAL;
		}
	}
	if (v == 0) {
		*why = "port 0 is not a port a portal can listen on";
		return -EINVAL;
	}
	*port = (uint16_t)v;
	return 0;
}

/* Whether s looks like a host name (letters, digits, '-', '.') rather than a broken address. */
static bool net_looks_like_hostname(const char *s)
{
	bool alpha = false;

	for (; *s; s++) {
		if (isalpha((unsigned char)*s))
			alpha = true;
		else if (!isdigit((unsigned char)*s) && *s != '-' && *s != '.')
			return false;
	}
	return alpha;
}

static int net_portal_text(struct net_portal *out, const char *fmt, const char *addr,
			   uint16_t port, const char **why)
{
	int n = snprintf(out->text, sizeof(out->text), fmt, addr, port);

	if (n < 0 || (size_t)n >= sizeof(out->text)) {
		*why = "portal text too long";
		return -EINVAL;
	}
	return 0;
}

static int net_portal_fill4(const char *host, uint16_t port, struct net_portal *out,
			    const char **why)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->addr;
	char addr[INET_ADDRSTRLEN];
	struct in_addr a;

	/* inet_pton, unlike inet_aton, refuses "1", "1.2" and "0x7f.1" */
	if (inet_pton(AF_INET, host, &a) != 1) {
		if (net_looks_like_hostname(host))
			*why = "host names are not accepted, give an IP address (porticod does no DNS lookups: start-up must not depend on a name server)";
		else
			*why = "not an IPv4 address";
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	sin->sin_family = AF_INET;
	sin->sin_addr = a;
	sin->sin_port = htons(port);
	out->addrlen = sizeof(*sin);
	inet_ntop(AF_INET, &a, addr, sizeof(addr));
	return net_portal_text(out, "%s:%u", addr, port, why);
}

static int net_portal_fill6(const char *host, uint16_t port, struct net_portal *out,
			    const char **why)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->addr;
	struct addrinfo hints, *res = NULL;
	char addr[INET6_ADDRSTRLEN];

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET6;
	hints.ai_socktype = SOCK_STREAM;
	/* numeric only (no DNS); getaddrinfo, unlike inet_pton, takes a scope ("fe80::1%eth0") */
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res) {
		*why = "not an IPv6 address";
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	memcpy(sin6, res->ai_addr, sizeof(*sin6));
	freeaddrinfo(res);
	sin6->sin6_port = htons(port);
	out->addrlen = sizeof(*sin6);
	if (strchr(host, '%'))
		return net_portal_text(out, "[%s]:%u", host, port, why);
	inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
	return net_portal_text(out, "[%s]:%u", addr, port, why);
}

int net_portal_parse_why(const char *text, struct net_portal *out, const char **why)
{
	const char *dummy, *colon;
	char host[INET6_ADDRSTRLEN + 32];
	uint16_t port = NET_ISCSI_PORT;
	size_t hlen;
	int ret;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (!text || !*text) {
		*why = "empty portal";
		return -EINVAL;
	}
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close) {
			*why = "missing ']' after an IPv6 address";
			return -EINVAL;
		}
		hlen = (size_t)(close - text - 1);
		if (close[1] == ':') {
			ret = net_parse_port(close + 2, &port, why);
			if (ret)
				return ret;
		} else if (close[1]) {
			*why = "expected ':PORT' after ']'";
			return -EINVAL;
		}
		if (hlen == 0 || hlen >= sizeof(host)) {
			*why = "not an IPv6 address";
			return -EINVAL;
		}
		memcpy(host, text + 1, hlen);
		host[hlen] = '\0';
		return net_portal_fill6(host, port, out, why);
	}
	colon = strchr(text, ':');
	if (colon && strchr(colon + 1, ':')) {
		/* more than one ':': a bare IPv6 address, port 3260 */
		if (strlen(text) >= sizeof(host)) {
			*why = "not an IPv6 address";
			return -EINVAL;
		}
		ret = net_portal_fill6(text, port, out, why);
		if (ret)
			*why = "not an IPv6 address (write [ADDRESS]:PORT to give a port)";
		return ret;
	}
	hlen = colon ? (size_t)(colon - text) : strlen(text);
	if (hlen == 0) {
		*why = "no address before ':'";
		return -EINVAL;
	}
	if (hlen >= sizeof(host)) {
		*why = "not an IPv4 address";
		return -EINVAL;
	}
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (colon) {
		ret = net_parse_port(colon + 1, &port, why);
		if (ret)
			return ret;
	}
	return net_portal_fill4(host, port, out, why);
}

int net_portal_parse(const char *text, struct net_portal *out)
{
	return net_portal_parse_why(text, out, NULL);
}

bool net_portal_is_any(const struct net_portal *p)
{
	if (p->addr.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&p->addr)->sin_addr.s_addr == htonl(INADDR_ANY);
	if (p->addr.ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&p->addr)->sin6_addr);
	return false;
}

unsigned int net_portal_port(const struct net_portal *p)
{
	if (p->addr.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&p->addr)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&p->addr)->sin_port);
}

void net_sockaddr_text(const struct sockaddr *local, unsigned int port, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "";

	if (local->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)local;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], host, sizeof(host));
			snprintf(buf, len, "%s:%u", host, port);
			return;
		}
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, port);
		return;
	}
	inet_ntop(AF_INET, &((const struct sockaddr_in *)local)->sin_addr, host, sizeof(host));
	snprintf(buf, len, "%s:%u", host, port);
}
