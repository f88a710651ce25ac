/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A session's recovery timeout and its connection's addresses
 * (initiator/adapt/sesstmo.c) over fake sysfs trees laid out as the kernel
 * lays them out: devices/platform/host<H>/session<S>/ with the class
 * directories as relative symlinks into it.
 *
 * The lab: session 1 (host 2) over IPv4, 198.18.1.2:40112 to
 * 198.18.1.1:3260; session 2 (host 3) over IPv6 as %pI6 prints it
 * (uncompressed), its connection redirected away from its portal; session
 * 3 (host 4) over an IPv4-mapped dual-stack socket.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initiator/adapt/sesstmo.h"
#include "tests/unit/check_main.h"

static char top[PATH_MAX - 16];
static char root[PATH_MAX];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void at(char *buf, size_t len, const char *rel)
{
	int n = snprintf(buf, len, "%s/%s", root, rel);

	ck_assert(n > 0 && (size_t)n < len);
}

static void mkparents(const char *path)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", path);
	for (size_t i = strlen(top) + 1; dir[i]; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		ck_assert(mkdir(dir, 0755) == 0 || errno == EEXIST);
		dir[i] = '/';
	}
}

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	int fd;

	at(path, sizeof(path), rel);
	mkparents(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static const char *get(const char *rel)
{
	static char buf[256];
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	at(path, sizeof(path), rel);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

static void link_to(const char *rel, const char *target)
{
	char path[PATH_MAX];

	at(path, sizeof(path), rel);
	mkparents(path);
	ck_assert_int_eq(symlink(target, path), 0);
}

static void rm(const char *rel)
{
	char path[PATH_MAX];

	at(path, sizeof(path), rel);
	ck_assert_int_eq(unlink(path), 0);
}

/* Session sid on host h, its attributes as given (NULL: left out). */
static void session(unsigned int sid, unsigned int h, const char *tmo, const char *paddr,
		    const char *pport, const char *addr, const char *port, const char *lport,
		    const char *ipaddr)
{
	char rel[256], target[256];

	snprintf(rel, sizeof(rel), "devices/platform/host%u/session%u/iscsi_session/session%u/x", h,
		 sid, sid);
	put(rel, "");
	snprintf(rel, sizeof(rel), "class/iscsi_session/session%u", sid);
	snprintf(target, sizeof(target),
		 "../../devices/platform/host%u/session%u/iscsi_session/session%u", h, sid, sid);
	link_to(rel, target);
	snprintf(rel, sizeof(rel),
		 "devices/platform/host%u/session%u/iscsi_session/session%u/device", h, sid, sid);
	snprintf(target, sizeof(target), "../../../session%u", sid);
	link_to(rel, target);
	if (tmo) {
		snprintf(rel, sizeof(rel), "class/iscsi_session/session%u/recovery_tmo", sid);
		put(rel, tmo);
	}
	snprintf(
	    rel, sizeof(rel),
	    "devices/platform/host%u/session%u/connection%u:0/iscsi_connection/connection%u:0/x", h,
	    sid, sid, sid);
	put(rel, "");
	snprintf(rel, sizeof(rel), "class/iscsi_connection/connection%u:0", sid);
	snprintf(target, sizeof(target),
		 "../../devices/platform/host%u/session%u/connection%u:0/iscsi_connection/"
		 "connection%u:0",
		 h, sid, sid, sid);
	link_to(rel, target);
	struct {
		const char *name, *text;
	} attrs[] = {{"persistent_address", paddr},
		     {"persistent_port", pport},
		     {"address", addr},
		     {"port", port},
		     {"local_port", lport}};
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		if (!attrs[i].text)
			continue;
		snprintf(rel, sizeof(rel), "class/iscsi_connection/connection%u:0/%s", sid,
			 attrs[i].name);
		put(rel, attrs[i].text);
	}
	snprintf(rel, sizeof(rel), "devices/platform/host%u/iscsi_host/host%u/x", h, h);
	put(rel, "");
	snprintf(rel, sizeof(rel), "class/iscsi_host/host%u", h);
	snprintf(target, sizeof(target), "../../devices/platform/host%u/iscsi_host/host%u", h, h);
	link_to(rel, target);
	if (ipaddr) {
		snprintf(rel, sizeof(rel), "class/iscsi_host/host%u/ipaddress", h);
		put(rel, ipaddr);
	}
}

static void setup(void)
{
	snprintf(top, sizeof(top), "/tmp/portico-sesstmo.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(root, sizeof(root), "%s/sys", top);
	session(1, 2, "5\n", "198.18.1.1\n", "3260\n", "198.18.1.1\n", "3260\n", "40112\n",
		"198.18.1.2\n");
	session(2, 3, "off\n", "fd00:0000:0000:0002:0000:0000:0000:0001\n", "3260\n",
		"fd00:0000:0000:0002:0000:0000:0000:0009\n", "3261\n", "50000\n",
		"fd00:0000:0000:0002:0000:0000:0000:0002\n");
	session(3, 4, "120\n", "198.18.2.1\n", "3260\n",
		"0000:0000:0000:0000:0000:ffff:c612:0201\n", "3260\n", "41000\n",
		"0000:0000:0000:0000:0000:ffff:c612:0202\n");
}

static void teardown(void)
{
	nftw(top, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void addr(struct net_addr *a, const char *text, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(text, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(a->family, text, a->a), 1);
	a->port = port;
}

START_TEST(test_get)
{
	int32_t tmo = 0;

	ck_assert_int_eq(sesstmo_get(root, 1, &tmo), 0);
	ck_assert_int_eq(tmo, 5);
	ck_assert_int_eq(sesstmo_get(root, 2, &tmo), 0);
	ck_assert_int_eq(tmo, SESSTMO_OFF);
	ck_assert_int_eq(sesstmo_get(root, 3, &tmo), 0);
	ck_assert_int_eq(tmo, 120);
	ck_assert_int_eq(sesstmo_get(root, 9, &tmo), -ENOENT);
	/* "-1" is off too; what the kernel does not write is refused */
	put("class/iscsi_session/session1/recovery_tmo", "-1\n");
	ck_assert_int_eq(sesstmo_get(root, 1, &tmo), 0);
	ck_assert_int_eq(tmo, SESSTMO_OFF);
	put("class/iscsi_session/session1/recovery_tmo", "-2\n");
	ck_assert_int_eq(sesstmo_get(root, 1, &tmo), -EINVAL);
	put("class/iscsi_session/session1/recovery_tmo", "5");
	ck_assert_int_eq(sesstmo_get(root, 1, &tmo), -ENODATA);
	put("class/iscsi_session/session1/recovery_tmo", "\n");
	ck_assert_int_eq(sesstmo_get(root, 1, &tmo), -EINVAL);
	put("class/iscsi_session/session1/recovery_tmo", "5 \n");
	ck_assert_int_eq(sesstmo_get(root, 1, &tmo), -EINVAL);
	put("class/iscsi_session/session1/recovery_tmo", "2147483648\n");
	ck_assert_int_eq(sesstmo_get(root, 1, &tmo), -EINVAL);
	put("class/iscsi_session/session1/recovery_tmo", "5\x01\n");
	ck_assert_int_eq(sesstmo_get(root, 1, &tmo), -EILSEQ);
}
END_TEST

START_TEST(test_set)
{
	char err[256];
	int32_t tmo;

	ck_assert_int_eq(sesstmo_set(root, 1, 0, err, sizeof(err)), 0);
	ck_assert_str_eq(get("class/iscsi_session/session1/recovery_tmo"), "0\n");
	ck_assert_int_eq(sesstmo_get(root, 1, &tmo), 0);
	ck_assert_int_eq(tmo, 0);
	ck_assert_int_eq(sesstmo_set(root, 1, 5, err, sizeof(err)), 0);
	ck_assert_str_eq(get("class/iscsi_session/session1/recovery_tmo"), "5\n");
	ck_assert_int_eq(sesstmo_set(root, 1, SESSTMO_OFF, err, sizeof(err)), 0);
	ck_assert_str_eq(get("class/iscsi_session/session1/recovery_tmo"), "off\n");
	ck_assert_int_eq(sesstmo_set(root, 1, SESSTMO_MAX, err, sizeof(err)), 0);
	ck_assert_str_eq(get("class/iscsi_session/session1/recovery_tmo"), "86400\n");

	/* out of range: nothing written */
	ck_assert_int_eq(sesstmo_set(root, 1, SESSTMO_MAX + 1, err, sizeof(err)), -ERANGE);
	ck_assert_ptr_nonnull(strstr(err, "out of range"));
	ck_assert_int_eq(sesstmo_set(root, 1, -2, err, sizeof(err)), -ERANGE);
	ck_assert_str_eq(get("class/iscsi_session/session1/recovery_tmo"), "86400\n");

	/* a session that is not there: no file is made */
	ck_assert_int_eq(sesstmo_set(root, 9, 0, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "session 9: cannot open recovery_tmo: no such session");
	rm("class/iscsi_session/session1/recovery_tmo");
	ck_assert_int_eq(sesstmo_set(root, 1, 0, err, sizeof(err)), -ENOENT);
	ck_assert_int_eq(sesstmo_get(root, 1, &tmo), -ENOENT);
}
END_TEST

START_TEST(test_conn_ipv4)
{
	struct sesstmo_conn c;
	struct sockdiag_match m;
	struct net_addr want;
	char err[256] = "";

	ck_assert_int_eq(sesstmo_conn_read(root, 1, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.sid, 1);
	ck_assert_uint_eq(c.host_no, 2);
	addr(&want, "198.18.1.2", 40112);
	ck_assert(net_addr_same(&c.local, &want));
	addr(&want, "198.18.1.1", 3260);
	ck_assert(net_addr_same(&c.remote, &want));
	ck_assert(net_addr_same(&c.portal, &want));

	/* the match takes that socket exactly, bound to the NIC given */
	sesstmo_conn_match(&c, 7, &m);
	ck_assert(sockdiag_match_exact(&m));
	ck_assert(net_addr_same(&m.remote, &c.remote));
	ck_assert(net_addr_same(&m.local, &c.local));
	ck_assert_uint_eq(m.ifindex, 7);
}
END_TEST

START_TEST(test_conn_ipv6)
{
	struct sesstmo_conn c;
	struct net_addr want;
	char err[256] = "";

	/* %pI6, uncompressed; the connection redirected to another address and port */
	ck_assert_int_eq(sesstmo_conn_read(root, 2, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.host_no, 3);
	addr(&want, "fd00:0:0:2::2", 50000);
	ck_assert(net_addr_same(&c.local, &want));
	addr(&want, "fd00:0:0:2::9", 3261);
	ck_assert(net_addr_same(&c.remote, &want));
	addr(&want, "fd00:0:0:2::1", 3260);
	ck_assert(net_addr_same(&c.portal, &want));

	/* a dual-stack socket's IPv4-mapped addresses are IPv4 */
	ck_assert_int_eq(sesstmo_conn_read(root, 3, &c, err, sizeof(err)), 0);
	addr(&want, "198.18.2.2", 41000);
	ck_assert(net_addr_same(&c.local, &want));
	addr(&want, "198.18.2.1", 3260);
	ck_assert(net_addr_same(&c.remote, &want));
}
END_TEST

/* Reads session 1 after the change; the answer and the reason. */
static int conn_err(char *err, size_t len)
{
	struct sesstmo_conn c;

	err[0] = '\0';
	return sesstmo_conn_read(root, 1, &c, err, len);
}

START_TEST(test_conn_refused)
{
	char err[256];

	ck_assert_int_eq(sesstmo_conn_read(root, 9, &(struct sesstmo_conn){0}, err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, "session9/device is missing: no such session");

	put("class/iscsi_connection/connection1:0/local_port", "0\n");
	ck_assert_int_eq(conn_err(err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "connection1:0/local_port is not what the kernel writes there");
	put("class/iscsi_connection/connection1:0/local_port", "65536\n");
	ck_assert_int_eq(conn_err(err, sizeof(err)), -EINVAL);
	put("class/iscsi_connection/connection1:0/local_port", "40112\n");
	ck_assert_int_eq(conn_err(err, sizeof(err)), 0);

	put("class/iscsi_connection/connection1:0/address", "portal1\n");
	ck_assert_int_eq(conn_err(err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "connection1:0/address is not what the kernel writes there");
	put("class/iscsi_connection/connection1:0/address", "198.18.1.1");
	ck_assert_int_eq(conn_err(err, sizeof(err)), -ENODATA);
	ck_assert_str_eq(err, "connection1:0/address is cut short (no end of line)");
	rm("class/iscsi_connection/connection1:0/address");
	ck_assert_int_eq(conn_err(err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "connection1:0/address is missing");
	put("class/iscsi_connection/connection1:0/address", "198.18.1.1\n");

	rm("class/iscsi_host/host2/ipaddress");
	ck_assert_int_eq(conn_err(err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "host2/ipaddress is missing");
	/* the local end of another family than the remote: not one socket */
	put("class/iscsi_host/host2/ipaddress", "fd00::2\n");
	ck_assert_int_eq(conn_err(err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "session 1: its local address and its peer's are not of one family");
	put("class/iscsi_host/host2/ipaddress", "198.18.1.2\n");
	ck_assert_int_eq(conn_err(err, sizeof(err)), 0);

	/* a device link that is not host<H>/session<S> */
	rm("devices/platform/host2/session1/iscsi_session/session1/device");
	link_to("devices/platform/host2/session1/iscsi_session/session1/device", "..");
	ck_assert_int_eq(conn_err(err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "session1/device is not host<H>/session1");
}
END_TEST

static Suite *sesstmo_suite(void)
{
	Suite *s = suite_create("sesstmo");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_get);
	tcase_add_test(tc, test_set);
	tcase_add_test(tc, test_conn_ipv4);
	tcase_add_test(tc, test_conn_ipv6);
	tcase_add_test(tc, test_conn_refused);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sesstmo_suite)
