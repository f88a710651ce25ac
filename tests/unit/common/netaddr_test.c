/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allow lists (target/net.c): every accepted spelling comes out
 * canonical, every refusal says why (and what to write, where there is a
 * right spelling), no parser reads past its length, and matching holds for
 * IPv4, IPv6, IPv4-mapped peers, /0, full-length prefixes and empty lists.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "common/util.h"
#include "common/netaddr.h"
#include "tests/unit/check_main.h"

/* A sockaddr for text: "a.b.c.d" (AF_INET) or an IPv6 address (AF_INET6). */
static socklen_t peer(const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':')) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(50000);
		ck_assert_int_eq(inet_pton(AF_INET6, text, &sin6->sin6_addr), 1);
		return sizeof(*sin6);
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons(50000);
	ck_assert_int_eq(inet_pton(AF_INET, text, &sin->sin_addr), 1);
	return sizeof(*sin);
}

static bool matches(const struct net_allow *l, const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = peer(addr, &ss);

	return net_allow_match(l, (const struct sockaddr *)&ss, len);
}

static void parse_list(const char *csv, struct net_allow *l)
{
	struct net_allow_err err;
	char msg[200];

	if (net_allow_parse(csv, strlen(csv), l, &err)) {
		net_allow_err_text(&err, msg, sizeof(msg));
		ck_abort_msg("'%s' refused: %s", csv, msg);
	}
}

/* The text of one network, canonical. */
static const char *net_text(const struct net_cidr *net)
{
	static char buf[NET_TEXT_MAX];

	ck_assert_int_gt(net_format(net, buf, sizeof(buf)), 0);
	return buf;
}

/* ---- one entry ---- */

START_TEST(test_net_parse_valid)
{
	static const struct {
		const char *text, *canonical;
		int family;
		unsigned int prefix;
	} ok[] = {
		{ "10.1.2.3", "10.1.2.3", AF_INET, 32 },
		{ "10.1.2.3/32", "10.1.2.3", AF_INET, 32 },
		{ "10.0.0.0/24", "10.0.0.0/24", AF_INET, 24 },
		{ "10.0.0.0/024", "10.0.0.0/24", AF_INET, 24 },
		{ "192.168.1.128/25", "192.168.1.128/25", AF_INET, 25 },
		{ "0.0.0.0/0", "0.0.0.0/0", AF_INET, 0 },
		{ "255.255.255.255", "255.255.255.255", AF_INET, 32 },
		{ "fd00::/64", "fd00::/64", AF_INET6, 64 },
		{ "FD00:0:0:0::/64", "fd00::/64", AF_INET6, 64 },
		{ "::1", "::1", AF_INET6, 128 },
		{ "::1/128", "::1", AF_INET6, 128 },
		{ "[::1]", "::1", AF_INET6, 128 },
		{ "[2001:db8::]/32", "2001:db8::/32", AF_INET6, 32 },
		{ "::/0", "::/0", AF_INET6, 0 },
		{ "fe80::/10", "fe80::/10", AF_INET6, 10 },
		/* below /96 the mapped range is just part of a larger IPv6 network */
		{ "::/80", "::/80", AF_INET6, 80 },
		{ "1111:2222:3333:4444:5555:6666:7777:8888/127",
		  "1111:2222:3333:4444:5555:6666:7777:8888/127", AF_INET6, 127 },
	};
	struct net_cidr net;
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		why = "unset";
		ck_assert_msg(net_parse(ok[i].text, strlen(ok[i].text), &net, &why) == 0,
			      "'%s' refused: %s", ok[i].text, why);
		ck_assert_ptr_null(why);
		ck_assert_int_eq(net.family, ok[i].family);
		ck_assert_uint_eq(net.prefix, ok[i].prefix);
		ck_assert_str_eq(net_text(&net), ok[i].canonical);
	}
	/* why may be NULL */
	ck_assert_int_eq(net_parse("10.0.0.1", 8, &net, NULL), 0);
	ck_assert_int_eq(net_parse("10.0.0.1/24", 11, &net, NULL), -EINVAL);
}
END_TEST

START_TEST(test_net_parse_invalid)
{
	static const struct {
		const char *text, *why, *fix; /* fix: what *out holds, or NULL */
	} bad[] = {
		{ "", "empty address", NULL },
		{ " 10.0.0.1", "blank", NULL },
		{ "10.0.0.1 ", "blank", NULL },
		{ "10.0.0.1\n", "blank", NULL },
		{ "10.0.0.1\x80", "blank", NULL },
		{ "storage1", "host names are not accepted", NULL },
		{ "storage1.example.com/24", "host names are not accepted", NULL },
		{ "a-host-name-longer-than-the-longest-ipv6-address.example.com",
		  "host names are not accepted", NULL },
		{ "10.0.0.1/33", "IPv4 network is at most 32", NULL },
		{ "10.0.0.0/99999999999999999999", "IPv4 network is at most 32", NULL },
		{ "fd00::/129", "IPv6 network is at most 128", NULL },
		{ "10.0.0.0/", "no prefix length after '/'", NULL },
		{ "10.0.0.0/x", "not a number", NULL },
		{ "10.0.0.0/-1", "not a number", NULL },
		{ "10.0.0.0/24/24", "not a number", NULL },
		{ "/24", "no address before '/'", NULL },
		{ "10.0.0.1/24", "host bits are set below the prefix length", "10.0.0.0/24" },
		{ "10.0.0.129/25", "host bits are set", "10.0.0.128/25" },
		{ "10.0.0.1/0", "host bits are set", "0.0.0.0/0" },
		{ "fd00::1/64", "host bits are set", "fd00::/64" },
		{ "10.0.0.1:3260", "not ports", NULL },
		{ "[::1]:3260", "not ports", NULL },
		{ "[::1", "missing ']'", NULL },
		{ "[::1]x", "unexpected text after ']'", NULL },
		{ "[10.0.0.1]", "not an IPv6 address", NULL },
		{ "[]", "not an IPv6 address", NULL },
		{ "1:2:3:4:5:6:7:8:9", "not an IPv6 address", NULL },
		{ "10.1", "not an IPv4 or IPv6 address", NULL },
		{ "010.0.0.1", "not an IPv4 or IPv6 address", NULL },
		{ "1.2.3.4.5", "not an IPv4 or IPv6 address", NULL },
		{ "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa", "not an IPv4 or IPv6", NULL },
		{ "fe80::1%eth0", "zone index", NULL },
		{ "::ffff:10.0.0.1", "IPv4-mapped", "10.0.0.1" },
		{ "::ffff:10.0.0.0/120", "IPv4-mapped", "10.0.0.0/24" },
		{ "::ffff:10.0.0.1/120", "IPv4-mapped", "10.0.0.0/24" },
		{ "::ffff:0:0/96", "IPv4-mapped", "0.0.0.0/0" },
	};
	struct net_cidr net;
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		ck_assert_msg(net_parse(bad[i].text, strlen(bad[i].text), &net, &why) == -EINVAL,
			      "'%s' accepted", bad[i].text);
		ck_assert_msg(why && strstr(why, bad[i].why), "'%s': '%s' does not say '%s'",
			      bad[i].text, why ? why : "(null)", bad[i].why);
		if (bad[i].fix)
			ck_assert_str_eq(net_text(&net), bad[i].fix);
		else
			ck_assert_int_eq(net.family, AF_UNSPEC);
	}
	/* NULL text */
	ck_assert_int_eq(net_parse(NULL, 0, &net, &why), -EINVAL);
}
END_TEST

/* The length is the end: what follows is never read, and need not be a NUL. */
START_TEST(test_net_parse_bounded)
{
	static const char *const texts[] = { "10.0.0.1", "fd00::/64", "[::1]", "10.0.0.0/24",
					     "10.0.0.1/", "storage1", "[::1" };
	struct net_cidr net;
	const char *why;
	size_t i;

	/* a prefix of a longer text is parsed as itself */
	ck_assert_int_eq(net_parse("10.0.0.0/24", 8, &net, &why), 0);
	ck_assert_str_eq(net_text(&net), "10.0.0.0");
	ck_assert_int_eq(net_parse("192.0.0.0/24", 11, &net, &why), 0);
	ck_assert_str_eq(net_text(&net), "192.0.0.0/2");
	ck_assert_int_eq(net_parse("[::1]:3260", 5, &net, &why), 0);
	ck_assert_str_eq(net_text(&net), "::1");
	/* a NUL inside the length is not the end */
	ck_assert_int_eq(net_parse("10.0\0.0.1", 9, &net, &why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "blank"));

	/* exactly len bytes of heap, no NUL: ASan sees a read past them */
	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		size_t len = strlen(texts[i]);
		char *p = malloc(len);

		ck_assert_ptr_nonnull(p);
		memcpy(p, texts[i], len);
		net_parse(p, len, &net, &why);
		free(p);
	}
}
END_TEST

START_TEST(test_net_format)
{
	struct net_cidr net;
	char buf[NET_TEXT_MAX];
	const char *longest = "1111:2222:3333:4444:5555:6666:7777:8888/127";

	ck_assert_int_eq(net_parse(longest, strlen(longest), &net, NULL), 0);
	ck_assert_int_eq(net_format(&net, buf, sizeof(buf)), (int)strlen(longest));
	ck_assert_int_eq(net_format(&net, buf, strlen(longest)), -ENOSPC);
	ck_assert_int_eq(net_format(&net, buf, strlen(longest) + 1), (int)strlen(longest));
	ck_assert_int_eq(net_parse("10.0.0.0/8", 10, &net, NULL), 0);
	ck_assert_int_eq(net_format(&net, buf, sizeof(buf)), 10);
	ck_assert_str_eq(buf, "10.0.0.0/8");
	net.family = AF_UNIX;
	ck_assert_int_eq(net_format(&net, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(test_net_from_sockaddr)
{
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	struct net_cidr net;
	socklen_t len;

	len = peer("::ffff:192.0.2.9", &ss);
	ck_assert_int_eq(net_from_sockaddr((struct sockaddr *)&ss, len, &net), 0);
	ck_assert_int_eq(net.family, AF_INET);
	ck_assert_str_eq(net_text(&net), "192.0.2.9");
	len = peer("2001:db8::9", &ss);
	ck_assert_int_eq(net_from_sockaddr((struct sockaddr *)&ss, len, &net), 0);
	ck_assert_str_eq(net_text(&net), "2001:db8::9");
	ck_assert_int_eq(net_from_sockaddr((struct sockaddr *)&ss, len - 1, &net), -EINVAL);
	len = peer("192.0.2.9", &ss);
	ck_assert_int_eq(net_from_sockaddr((struct sockaddr *)&ss, len - 1, &net), -EINVAL);
	ck_assert_int_eq(net_from_sockaddr(NULL, 0, &net), -EINVAL);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_int_eq(net_from_sockaddr((struct sockaddr *)&sun, sizeof(sun), &net),
			 -EAFNOSUPPORT);
}
END_TEST

/* ---- matching ---- */

START_TEST(test_match)
{
	struct net_allow l;

	parse_list("10.0.0.0/24, 192.168.1.5, 2001:db8::/32, 10.9.0.128/25", &l);
	ck_assert(matches(&l, "10.0.0.1"));
	ck_assert(matches(&l, "10.0.0.255"));
	ck_assert(!matches(&l, "10.0.1.1"));
	ck_assert(matches(&l, "192.168.1.5"));
	ck_assert(!matches(&l, "192.168.1.6"));
	ck_assert(matches(&l, "10.9.0.128"));
	ck_assert(matches(&l, "10.9.0.200"));
	ck_assert(!matches(&l, "10.9.0.127"));
	ck_assert(matches(&l, "2001:db8::1"));
	ck_assert(matches(&l, "2001:db8:ffff::1"));
	ck_assert(!matches(&l, "2001:db9::1"));
	ck_assert(!matches(&l, "::1"));
	/* a dual-stack socket's view of an IPv4 peer matches the IPv4 entries */
	ck_assert(matches(&l, "::ffff:10.0.0.7"));
	ck_assert(matches(&l, "::ffff:192.168.1.5"));
	ck_assert(!matches(&l, "::ffff:192.168.1.6"));
	/* an IPv4-compatible address (deprecated) is IPv6, not IPv4 */
	ck_assert(!matches(&l, "::10.0.0.7"));
	net_allow_fini(&l);
	ck_assert_ptr_null(l.nets);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(test_match_prefix_edges)
{
	struct net_allow l;

	/* /0: the whole family, and only that family */
	parse_list("0.0.0.0/0", &l);
	ck_assert(matches(&l, "1.2.3.4"));
	ck_assert(matches(&l, "255.255.255.255"));
	ck_assert(matches(&l, "::ffff:1.2.3.4"));
	ck_assert(!matches(&l, "::1"));
	net_allow_fini(&l);
	parse_list("::/0", &l);
	ck_assert(matches(&l, "::1"));
	ck_assert(matches(&l, "fe80::1"));
	ck_assert(!matches(&l, "1.2.3.4"));
	ck_assert(!matches(&l, "::ffff:1.2.3.4"));
	net_allow_fini(&l);
	/* /32 and /128: one address */
	parse_list("192.0.2.7/32,2001:db8::7/128", &l);
	ck_assert(matches(&l, "192.0.2.7"));
	ck_assert(!matches(&l, "192.0.2.6"));
	ck_assert(!matches(&l, "192.0.2.8"));
	ck_assert(matches(&l, "2001:db8::7"));
	ck_assert(!matches(&l, "2001:db8::6"));
	ck_assert(!matches(&l, "2001:db8::8"));
	net_allow_fini(&l);
	/* /31 and /1: prefixes that end inside a byte */
	parse_list("192.0.2.6/31,8000::/1", &l);
	ck_assert(matches(&l, "192.0.2.6") && matches(&l, "192.0.2.7"));
	ck_assert(!matches(&l, "192.0.2.8") && !matches(&l, "192.0.2.5"));
	ck_assert(matches(&l, "fe80::1") && !matches(&l, "7fff::1"));
	net_allow_fini(&l);
	parse_list("128.0.0.0/1", &l);
	ck_assert(matches(&l, "200.1.1.1") && matches(&l, "128.0.0.0"));
	ck_assert(!matches(&l, "127.255.255.255"));
	net_allow_fini(&l);
}
END_TEST

START_TEST(test_match_empty_and_odd_peers)
{
	struct net_allow empty = { NULL, 0 }, l;
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	socklen_t len;

	/* no list: no restriction, whoever and whatever the peer */
	ck_assert(matches(&empty, "10.0.0.1"));
	ck_assert(matches(&empty, "::1"));
	ck_assert(net_allow_match(&empty, NULL, 0));
	ck_assert(net_allow_match(NULL, NULL, 0));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert(net_allow_match(&empty, (struct sockaddr *)&sun, sizeof(sun)));

	/* a list: a peer it cannot read is refused */
	parse_list("0.0.0.0/0,::/0", &l);
	ck_assert(!net_allow_match(&l, NULL, 0));
	ck_assert(!net_allow_match(&l, (struct sockaddr *)&sun, sizeof(sun)));
	len = peer("10.0.0.1", &ss);
	ck_assert(net_allow_match(&l, (struct sockaddr *)&ss, len));
	ck_assert(!net_allow_match(&l, (struct sockaddr *)&ss, len - 1));
	net_allow_fini(&l);
}
END_TEST

/* ---- lists ---- */

START_TEST(test_allow_parse)
{
	struct net_allow l;
	struct net_allow_err err;
	char text[300];

	parse_list(" 10.0.0.0/24 ,\t192.168.1.5,fd00::/64,[::1]", &l);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(net_text(&l.nets[0]), "10.0.0.0/24");
	ck_assert_str_eq(net_text(&l.nets[1]), "192.168.1.5");
	ck_assert_str_eq(net_text(&l.nets[2]), "fd00::/64");
	ck_assert_str_eq(net_text(&l.nets[3]), "::1");
	ck_assert_int_eq(net_allow_format(&l, text, sizeof(text)), 37);
	ck_assert_str_eq(text, "10.0.0.0/24,192.168.1.5,fd00::/64,::1");
	net_allow_fini(&l);

	/* empty or blank: the empty list */
	ck_assert_int_eq(net_allow_parse("", 0, &l, &err), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(net_allow_parse(" \t ", 3, &l, &err), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(net_allow_parse(NULL, 0, &l, NULL), 0);
	ck_assert_ptr_null(l.nets);
}
END_TEST

START_TEST(test_allow_parse_invalid)
{
	static const struct {
		const char *csv;
		int ret;
		const char *text; /* net_allow_err_text */
	} bad[] = {
		{ ",", -EINVAL, "an empty entry" },
		{ "10.0.0.1,,10.0.0.2", -EINVAL, "an empty entry" },
		{ "10.0.0.1,", -EINVAL, "an empty entry" },
		{ ", 10.0.0.1", -EINVAL, "an empty entry" },
		{ "10.0.0.1, ,10.0.0.2", -EINVAL, "an empty entry" },
		{ "10.0.0.1, 10.0.0.1/32", -EEXIST, "'10.0.0.1/32': listed twice" },
		{ "fd00::/64,FD00:0::/64", -EEXIST, "'FD00:0::/64': listed twice" },
		{ "192.168.1.5, 10.0.0.1/24, 10.1.0.0/16", -EINVAL,
		  "'10.0.0.1/24': host bits are set below the prefix length: write 10.0.0.0/24" },
		{ "10.0.0.0/24 192.168.1.5", -EINVAL, "'10.0.0.0/24 192.168.1.5': holds a blank" },
		{ "10.0.0.0/24;192.168.1.5", -EINVAL, "'10.0.0.0/24;192.168.1.5': the prefix length" },
		{ "nas.example.com", -EINVAL, "'nas.example.com': host names are not accepted" },
		{ "10.0.0.1\n", -EINVAL, "'10.0.0.1?': holds a blank" },
		{ "::ffff:192.0.2.1", -EINVAL,
		  "'::ffff:192.0.2.1': an IPv4-mapped IPv6 address matches no peer (IPv4 peers are matched as IPv4): write 192.0.2.1" },
	};
	struct net_allow l;
	struct net_allow_err err;
	char msg[300];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		l.nets = (struct net_cidr *)1; /* overwritten, never freed */
		l.n = 7;
		ck_assert_msg(net_allow_parse(bad[i].csv, strlen(bad[i].csv), &l, &err) == bad[i].ret,
			      "'%s' not refused with %d", bad[i].csv, bad[i].ret);
		ck_assert_ptr_null(l.nets);
		ck_assert_uint_eq(l.n, 0);
		ck_assert_int_gt(net_allow_err_text(&err, msg, sizeof(msg)), 0);
		ck_assert_msg(strstr(msg, bad[i].text), "'%s': '%s' does not say '%s'", bad[i].csv,
			      msg, bad[i].text);
		ck_assert(!strchr(msg, '\n'));
	}
	/* err may be NULL */
	ck_assert_int_eq(net_allow_parse("x", 1, &l, NULL), -EINVAL);
}
END_TEST

/* NET_ALLOW_MAX entries fit; one more is refused, with the entry named. */
START_TEST(test_allow_max)
{
	size_t cap = NET_ALLOW_TEXT_MAX, used = 0, i;
	char *csv = malloc(cap), *out = malloc(cap), msg[200];
	struct net_allow l, back;
	struct net_allow_err err;

	ck_assert_ptr_nonnull(csv);
	ck_assert_ptr_nonnull(out);
	for (i = 0; i < NET_ALLOW_MAX; i++)
		used += (size_t)snprintf(csv + used, cap - used, "%s10.0.%zu.%zu", i ? "," : "",
					 i / 256, i % 256);
	ck_assert_int_eq(net_allow_parse(csv, used, &l, &err), 0);
	ck_assert_uint_eq(l.n, NET_ALLOW_MAX);
	/* a full list formats and reads back the same */
	ck_assert_int_eq(net_allow_format(&l, out, cap), (int)used);
	ck_assert_str_eq(out, csv);
	ck_assert_int_eq(net_allow_parse(out, strlen(out), &back, &err), 0);
	ck_assert(net_allow_equal(&l, &back));
	net_allow_fini(&back);
	net_allow_fini(&l);

	/* the longest entries, as many as a list holds, fit NET_ALLOW_TEXT_MAX */
	for (i = 0, used = 0; i < NET_ALLOW_MAX; i++)
		used += (size_t)snprintf(csv + used, cap - used,
					 "%s1111:2222:3333:4444:5555:6666:%04zx:8888/127", i ? "," : "",
					 0x1000 + i);
	ck_assert_int_eq(net_allow_parse(csv, used, &l, &err), 0);
	ck_assert_int_eq(net_allow_format(&l, out, NET_ALLOW_TEXT_MAX), (int)used);
	net_allow_fini(&l);

	used = strlen(csv);
	used += (size_t)snprintf(csv + used, cap - used, ",192.0.2.1");
	ck_assert_int_eq(net_allow_parse(csv, used, &l, &err), -E2BIG);
	ck_assert_uint_eq(l.n, 0);
	net_allow_err_text(&err, msg, sizeof(msg));
	ck_assert_ptr_nonnull(strstr(msg, "'192.0.2.1': one entry too many: a list holds at most 256"));
	free(csv);
	free(out);
}
END_TEST

/* A list without its NUL, in exactly its bytes of heap. */
START_TEST(test_allow_parse_bounded)
{
	static const char *const lists[] = { "10.0.0.0/24, 192.168.1.5", "10.0.0.1,", " ",
					     "fd00::/64,[::1", "10.0.0.1/24" };
	struct net_allow l;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		size_t len = strlen(lists[i]);
		char *p = malloc(len);

		ck_assert_ptr_nonnull(p);
		memcpy(p, lists[i], len);
		if (net_allow_parse(p, len, &l, NULL) == 0)
			net_allow_fini(&l);
		free(p);
	}
	/* the length ends the list */
	ck_assert_int_eq(net_allow_parse("10.0.0.1,garbage", 8, &l, NULL), 0);
	ck_assert_uint_eq(l.n, 1);
	net_allow_fini(&l);
}
END_TEST

START_TEST(test_allow_format)
{
	struct net_allow l, empty = { NULL, 0 }, back;
	char buf[64];

	parse_list("10.0.0.0/24,192.168.1.5/32,2001:db8::1/128", &l);
	ck_assert_int_eq(net_allow_format(&l, buf, sizeof(buf)), 35);
	ck_assert_str_eq(buf, "10.0.0.0/24,192.168.1.5,2001:db8::1");
	ck_assert_int_eq(net_allow_parse(buf, strlen(buf), &back, NULL), 0);
	ck_assert(net_allow_equal(&l, &back));
	net_allow_fini(&back);
	/* too small: -ENOSPC, and what is there is whole entries, terminated */
	ck_assert_int_eq(net_allow_format(&l, buf, 11), -ENOSPC);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(net_allow_format(&l, buf, 12), -ENOSPC);
	ck_assert_str_eq(buf, "10.0.0.0/24");
	ck_assert_int_eq(net_allow_format(&l, buf, 13), -ENOSPC);
	ck_assert_str_eq(buf, "10.0.0.0/24");
	ck_assert_int_eq(net_allow_format(&l, buf, 35), -ENOSPC);
	ck_assert_str_eq(buf, "10.0.0.0/24,192.168.1.5");
	ck_assert_int_eq(net_allow_format(&l, buf, 0), -ENOSPC);
	ck_assert_int_eq(net_allow_format(&l, buf, 36), 35);
	/* the empty list is the empty text */
	ck_assert_int_eq(net_allow_format(&empty, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(net_allow_format(&empty, buf, 0), 0);
	net_allow_fini(&l);
}
END_TEST

START_TEST(test_allow_set)
{
	struct net_allow l = { NULL, 0 };
	struct net_allow_err err;
	const char *csv;
	char buf[128];

	csv = "10.0.0.0/24,192.168.1.5";
	ck_assert_int_eq(net_allow_set(&l, csv, strlen(csv), &err), 0);
	ck_assert_uint_eq(l.n, 2);
	/* a bad list leaves the old one as it was */
	csv = "10.0.0.0/8,10.0.0.1/8";
	ck_assert_int_eq(net_allow_set(&l, csv, strlen(csv), &err), -EINVAL);
	ck_assert_str_eq(err.entry, "10.0.0.1/8");
	ck_assert_str_eq(err.fix, "10.0.0.0/8");
	net_allow_format(&l, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.0.0.0/24,192.168.1.5");
	/* a good one replaces it */
	csv = "fd00::/8";
	ck_assert_int_eq(net_allow_set(&l, csv, strlen(csv), &err), 0);
	net_allow_format(&l, buf, sizeof(buf));
	ck_assert_str_eq(buf, "fd00::/8");
	/* the empty text clears it */
	ck_assert_int_eq(net_allow_set(&l, "", 0, &err), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(l.nets);
}
END_TEST

START_TEST(test_allow_copy_equal_add)
{
	struct net_allow a, b, c, empty = { NULL, 0 };
	struct net_cidr net;

	parse_list("10.0.0.0/24,fd00::/64", &a);
	parse_list("fd00::/64,10.0.0.0/24", &b);
	ck_assert(net_allow_equal(&a, &a));
	/* the order is part of the list (it is what the file says) */
	ck_assert(!net_allow_equal(&a, &b));
	ck_assert(!net_allow_equal(&a, &empty));
	ck_assert_int_eq(net_allow_copy(&c, &a), 0);
	ck_assert(net_allow_equal(&a, &c));
	ck_assert_ptr_ne(c.nets, a.nets);
	net_allow_fini(&c);
	ck_assert_int_eq(net_allow_copy(&c, &empty), 0);
	ck_assert(net_allow_equal(&c, &empty));
	ck_assert_ptr_null(c.nets);

	ck_assert_int_eq(net_parse("10.0.0.0/24", 11, &net, NULL), 0);
	ck_assert_int_eq(net_allow_add(&b, &net), -EEXIST);
	ck_assert_int_eq(net_parse("10.0.0.0/25", 11, &net, NULL), 0);
	ck_assert_int_eq(net_allow_add(&b, &net), 0);
	ck_assert_uint_eq(b.n, 3);
	ck_assert_int_eq(net_allow_add_text(&b, "10.0.0.0/25", 11, NULL), -EEXIST);
	ck_assert_uint_eq(b.n, 3);
	net_allow_fini(&a);
	net_allow_fini(&b);
	net_allow_fini(NULL);
}
END_TEST

START_TEST(test_err_text)
{
	struct net_allow_err err;
	struct net_allow l = { NULL, 0 };
	char buf[200];
	int n;

	ck_assert_int_eq(net_allow_add_text(&l, "10.0.0.1/24", 11, &err), -EINVAL);
	n = net_allow_err_text(&err, buf, sizeof(buf));
	ck_assert_str_eq(buf, "'10.0.0.1/24': host bits are set below the prefix length: write 10.0.0.0/24");
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_int_eq(net_allow_err_text(&err, buf, 10), -ENOSPC);
	ck_assert_str_eq(buf, "'10.0.0.1");
	ck_assert_int_eq(net_allow_add_text(&l, "10.0.0.1:3260", 13, &err), -EINVAL);
	net_allow_err_text(&err, buf, sizeof(buf));
	ck_assert_str_eq(buf, "'10.0.0.1:3260': an allow list holds addresses, not ports: leave out ':PORT'");
	ck_assert_int_eq(net_allow_parse("a,", 2, &l, &err), -EINVAL);
	net_allow_err_text(&err, buf, sizeof(buf));
	ck_assert_str_eq(buf, "'a': host names are not accepted, give an IP address (porticod does no DNS lookups)");
	ck_assert_int_eq(net_allow_parse("10.0.0.1,", 9, &l, &err), -EINVAL);
	net_allow_err_text(&err, buf, sizeof(buf));
	ck_assert_str_eq(buf, "an empty entry (two commas in a row, or one at either end)");
	ck_assert_int_eq(net_allow_add_text(&l, "", 0, &err), -EINVAL);
	net_allow_err_text(&err, buf, sizeof(buf));
	ck_assert_str_eq(buf, "'': empty address");
	/* an entry longer than the room for it is cut */
	memset(buf, 'a', 120);
	ck_assert_int_eq(net_allow_add_text(&l, buf, 120, &err), -EINVAL);
	ck_assert_uint_eq(strlen(err.entry), NET_TEXT_MAX - 1);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

static Suite *net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("net");

	tcase_add_test(tc, test_net_parse_valid);
	tcase_add_test(tc, test_net_parse_invalid);
	tcase_add_test(tc, test_net_parse_bounded);
	tcase_add_test(tc, test_net_format);
	tcase_add_test(tc, test_net_from_sockaddr);
	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_match_prefix_edges);
	tcase_add_test(tc, test_match_empty_and_odd_peers);
	tcase_add_test(tc, test_allow_parse);
	tcase_add_test(tc, test_allow_parse_invalid);
	tcase_add_test(tc, test_allow_max);
	tcase_add_test(tc, test_allow_parse_bounded);
	tcase_add_test(tc, test_allow_format);
	tcase_add_test(tc, test_allow_set);
	tcase_add_test(tc, test_allow_copy_equal_add);
	tcase_add_test(tc, test_err_text);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(net_suite)
