/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reach rule (nic_reach.h): which NICs the main routing table sends an
 * address out of. Pure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "common/netaddr.h"
#include "initiator/adapt/nic_reach.h"

/* Room for any address literal with a port: "[v6%zone]:65535", and then some. */
#define NIC_ADDR_TEXT_MAX 128

bool nic_route_counts(const struct nic_route *r)
{
	if (r->family == AF_INET) {
		if (r->prefix > 32)
			return false;
	} else if (r->family == AF_INET6) {
		if (r->prefix > 128)
			return false;
	} else {
		return false;
	}
	return r->table == RT_TABLE_MAIN && r->type == RTN_UNICAST && r->dev[0] &&
	       memchr(r->dev, '\0', sizeof(r->dev));
}

/* Whether the first prefix bits of r's destination are those of a. */
static bool nic_route_covers(const struct nic_route *r, const struct net_addr *a)
{
	size_t full = r->prefix / 8;
	unsigned int rest = r->prefix % 8;
	uint8_t mask;

	if (r->family != a->family)
		return false;
	if (memcmp(r->dst, a->a, full) != 0)
		return false;
	if (!rest)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return ((r->dst[full] ^ a->a[full]) & mask) == 0;
}

static bool nic_listed(const char *dev, const char (*names)[MP_NIC_MAX], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(dev, names[i], MP_NIC_MAX) == 0)
			return true;
	return false;
}

/*
 * Splits a zone off an IPv6 literal: "fe80::1%eth1" and "[fe80::1%eth1]:3260"
 * become "fe80::1" and "[fe80::1]:3260" in buf, with "eth1" in zone (""
 * without one). RFC 4007 §11: the zone says which link the address is on,
 * so only that link reaches it. 0 or -EINVAL (too long, an empty zone).
 */
static int nic_split_zone(const char *addr, char *buf, size_t len, char *zone)
{
	const char *pct = strchr(addr, '%');
	size_t head, zlen;
	const char *tail;

	zone[0] = '\0';
	if (strlen(addr) >= len)
		return -EINVAL;
	if (!pct) {
		strcpy(buf, addr);
		return 0;
	}
	head = (size_t)(pct - addr);
	tail = addr[0] == '[' ? strchr(pct, ']') : NULL;
	if (!tail)
		tail = pct + strlen(pct);
	zlen = (size_t)(tail - pct - 1);
	if (zlen == 0 || zlen >= MP_NIC_MAX)
		return -EINVAL;
	memcpy(zone, pct + 1, zlen);
	zone[zlen] = '\0';
	memcpy(buf, addr, head);
	strcpy(buf + head, tail);
	return 0;
}

/* What the routes are asked, parsed once. */
struct nic_question {
	struct net_addr a;
	const char (*only)[MP_NIC_MAX];
	size_t nonly;
	const char *zone; /* "" or the one link that counts */
	int best;	  /* without only: the longest covering prefix, -1 for none */
};

/* Whether r covers the address (through the zone's link, when there is a zone). */
static bool nic_covers(const struct nic_route *r, const struct nic_question *q)
{
	if (!nic_route_counts(r) || !nic_route_covers(r, &q->a))
		return false;
	return !q->zone[0] || strcmp(r->dev, q->zone) == 0;
}

static bool nic_answers(const struct nic_route *r, const struct nic_question *q)
{
	if (!nic_covers(r, q))
		return false;
	if (q->nonly)
		return nic_listed(r->dev, q->only, q->nonly);
	return r->prefix == q->best;
}

int nic_reach(const struct nic_route *routes, size_t n, const char *addr,
	      const char (*only)[MP_NIC_MAX], size_t nonly, char (*out)[MP_NIC_MAX], size_t max)
{
	struct nic_question q = { .only = only, .nonly = only ? nonly : 0, .best = -1 };
	char text[NIC_ADDR_TEXT_MAX], zone[MP_NIC_MAX];
	const char *last = NULL;
	struct net_portal p;
	size_t count = 0;

	if (!addr || nic_split_zone(addr, text, sizeof(text), zone))
		return -EINVAL;
	if (net_portal_parse(text, &p) ||
	    net_addr_get((const struct sockaddr *)&p.addr, p.addrlen, &q.a))
		return -EINVAL;
	/* a zone belongs to a link-local IPv6 address, never to IPv4 */
	if (zone[0] && q.a.family != AF_INET6)
		return -EINVAL;
	q.zone = zone;

	if (!q.nonly) {
		for (size_t i = 0; i < n; i++)
			if (nic_covers(&routes[i], &q) && routes[i].prefix > q.best)
				q.best = routes[i].prefix;
		if (q.best < 0)
			return 0;
	}

	/*
	 * The distinct names in ascending order without a copy: each round
	 * takes the smallest name above the last one taken, so there are at
	 * most n rounds.
	 */
	for (size_t round = 0; round < n; round++) {
		const char *next = NULL;

		for (size_t i = 0; i < n; i++) {
			const char *dev = routes[i].dev;

			if (!nic_answers(&routes[i], &q))
				continue;
			if (last && strcmp(dev, last) <= 0)
				continue;
			if (!next || strcmp(dev, next) < 0)
				next = dev;
		}
		if (!next)
			break;
		if (count < max)
			memcpy(out[count], next, MP_NIC_MAX);
		count++;
		last = next;
	}
	return (int)count;
}

static int nic_route_cmp(const void *pa, const void *pb)
{
	const struct nic_route *a = pa, *b = pb;
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	c = memcmp(a->dst, b->dst, sizeof(a->dst));
	if (c)
		return c;
	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return strncmp(a->dev, b->dev, MP_NIC_MAX);
}

void nic_routes_sort(struct nic_route *routes, size_t n)
{
	if (n > 1)
		qsort(routes, n, sizeof(*routes), nic_route_cmp);
}

bool nic_routes_equal(const struct nic_route *a, size_t na, const struct nic_route *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (nic_route_cmp(&a[i], &b[i]) != 0)
			return false;
	return true;
}
