/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iscsiadm's language (initiator/adapt/iscsiadm_text.c): the command
 * lines, the verdicts on exit statuses and output (outputs as open-iscsi
 * 2.1.8 prints them), the SendTargets parser, the log's masking.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initiator/adapt/iscsiadm_text.h"
#include "tests/unit/check_main.h"

#define T1 "iqn.2026-11.org.example:t1"
#define T2 "iqn.2026-11.org.example:t2"

static struct iadm_conf conf;

static void setup(void)
{
	memset(&conf, 0, sizeof(conf));
	conf.replacement_timeout_s = 5;
	conf.noop_out_interval_s = 2;
	conf.noop_out_timeout_s = 3;
}

static struct iadm_subject subject(void)
{
	struct iadm_subject s = {
		.prog = "iscsiadm",
		.iface = "portico-eth1",
		.nic = "eth1",
		.addr = "198.18.1.1:3260",
		.target = T1,
		.portal = "198.18.1.1:3260",
		.tpgt = 1,
		.sid = 7,
		.conf = &conf,
	};

	return s;
}

/* The command line as the log shows it (secrets masked). */
static const char *line_of(enum iadm_cmd cmd, const struct iadm_subject *s)
{
	static struct iadm_argv a;
	static char buf[4096];

	ck_assert_int_eq(iadm_build(cmd, s, &a), 0);
	ck_assert_ptr_null(a.v[a.n]);
	ck_assert_uint_lt(iadm_argv_format(&a, buf, sizeof(buf)), sizeof(buf));
	return buf;
}

static void set_chap(struct iadm_chap *c, bool mutual)
{
	snprintf(c->user, sizeof(c->user), "alice");
	snprintf(c->password, sizeof(c->password), "s3cret-one");
	if (mutual) {
		snprintf(c->user_in, sizeof(c->user_in), "target-bob");
		snprintf(c->password_in, sizeof(c->password_in), "s3cret-two");
	}
}

/* ---- command lines ---- */

START_TEST(test_build_iface)
{
	struct iadm_subject s = subject();

	ck_assert_str_eq(line_of(IADM_CMD_IFACE_NEW, &s),
			 "iscsiadm -m iface -I portico-eth1 -o new");
	ck_assert_str_eq(line_of(IADM_CMD_IFACE_BIND, &s),
			 "iscsiadm -m iface -I portico-eth1 -o update "
			 "-n iface.net_ifacename -v eth1");
}
END_TEST

START_TEST(test_build_discovery)
{
	struct iadm_subject s = subject();

	ck_assert_str_eq(line_of(IADM_CMD_DISCOVER, &s),
			 "iscsiadm -m discovery -t sendtargets -p 198.18.1.1:3260 -I portico-eth1 "
			 "-o nonpersistent");
	ck_assert_str_eq(line_of(IADM_CMD_DISCDB_NEW, &s),
			 "iscsiadm -m discoverydb -t sendtargets -p 198.18.1.1:3260 "
			 "-I portico-eth1 "
			 "-o new");
	ck_assert_str_eq(line_of(IADM_CMD_DISCDB_DISCOVER, &s),
			 "iscsiadm -m discoverydb -t sendtargets -p 198.18.1.1:3260 "
			 "-I portico-eth1 "
			 "--discover -o nonpersistent");
	set_chap(&conf.discovery_chap, false);
	ck_assert_str_eq(line_of(IADM_CMD_DISCDB_CHAP, &s),
			 "iscsiadm -m discoverydb -t sendtargets -p 198.18.1.1:3260 "
			 "-I portico-eth1 "
			 "-o update -n discovery.sendtargets.auth.authmethod -v CHAP "
			 "-n discovery.sendtargets.auth.username -v alice "
			 "-n discovery.sendtargets.auth.password -v '********' "
			 "-n discovery.sendtargets.auth.username_in -v '' "
			 "-n discovery.sendtargets.auth.password_in -v ''");
	set_chap(&conf.discovery_chap, true);
	ck_assert_str_eq(line_of(IADM_CMD_DISCDB_CHAP, &s),
			 "iscsiadm -m discoverydb -t sendtargets -p 198.18.1.1:3260 "
			 "-I portico-eth1 "
			 "-o update -n discovery.sendtargets.auth.authmethod -v CHAP "
			 "-n discovery.sendtargets.auth.username -v alice "
			 "-n discovery.sendtargets.auth.password -v '********' "
			 "-n discovery.sendtargets.auth.username_in -v target-bob "
			 "-n discovery.sendtargets.auth.password_in -v '********'");
}
END_TEST

START_TEST(test_build_node)
{
	struct iadm_subject s = subject();

	ck_assert_str_eq(line_of(IADM_CMD_NODE_NEW, &s),
			 "iscsiadm -m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 -o new");
	ck_assert_str_eq(line_of(IADM_CMD_NODE_SET, &s),
			 "iscsiadm -m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 "
			 "-o update "
			 "-n node.startup -v manual "
			 "-n node.conn[0].iscsi.HeaderDigest -v None "
			 "-n node.conn[0].iscsi.DataDigest -v None "
			 "-n node.session.timeo.replacement_timeout -v 5 "
			 "-n node.conn[0].timeo.noop_out_interval -v 2 "
			 "-n node.conn[0].timeo.noop_out_timeout -v 3 "
			 "-n node.session.initial_login_retry_max -v 0 "
			 "-n node.session.auth.authmethod -v None "
			 "-n node.session.auth.username -v '' "
			 "-n node.session.auth.password -v '' "
			 "-n node.session.auth.username_in -v '' "
			 "-n node.session.auth.password_in -v ''");
	conf.login_timeout_s = 10;
	conf.login_retry_max = 2;
	conf.digests = true;
	set_chap(&conf.session_chap, true);
	ck_assert_str_eq(line_of(IADM_CMD_NODE_SET, &s),
			 "iscsiadm -m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 "
			 "-o update "
			 "-n node.startup -v manual "
			 "-n node.conn[0].iscsi.HeaderDigest -v CRC32C,None "
			 "-n node.conn[0].iscsi.DataDigest -v CRC32C,None "
			 "-n node.session.timeo.replacement_timeout -v 5 "
			 "-n node.conn[0].timeo.noop_out_interval -v 2 "
			 "-n node.conn[0].timeo.noop_out_timeout -v 3 "
			 "-n node.conn[0].timeo.login_timeout -v 10 "
			 "-n node.session.initial_login_retry_max -v 2 "
			 "-n node.session.auth.authmethod -v CHAP "
			 "-n node.session.auth.username -v alice "
			 "-n node.session.auth.password -v '********' "
			 "-n node.session.auth.username_in -v target-bob "
			 "-n node.session.auth.password_in -v '********'");
	ck_assert_str_eq(line_of(IADM_CMD_LOGIN, &s),
			 "iscsiadm -m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 --login");
	ck_assert_str_eq(line_of(IADM_CMD_LOGOUT, &s),
			 "iscsiadm -m node -T " T1 " -p 198.18.1.1:3260 -I portico-eth1 --logout");
	ck_assert_str_eq(line_of(IADM_CMD_NODE_DELETE, &s),
			 "iscsiadm -m node -T " T1 " -p 198.18.1.1:3260 -I portico-eth1 -o delete");
	ck_assert_str_eq(line_of(IADM_CMD_RESCAN, &s), "iscsiadm -m session -r 7 --rescan");

	s.portal = "[2001:db8::1]:3260";
	s.tpgt = 65535;
	ck_assert_str_eq(line_of(IADM_CMD_LOGIN, &s),
			 "iscsiadm -m node -T " T1 " -p [2001:db8::1]:3260,65535 -I portico-eth1 "
			 "--login");
}
END_TEST

/* The argv itself holds the secrets (iscsiadm takes them no other way); only the log masks them. */
START_TEST(test_build_secrets_in_argv_only)
{
	struct iadm_subject s = subject();
	struct iadm_argv a;
	char buf[4096];
	size_t i, secrets = 0;

	set_chap(&conf.session_chap, true);
	ck_assert_int_eq(iadm_build(IADM_CMD_NODE_SET, &s, &a), 0);
	for (i = 0; i < a.n; i++) {
		if (!strcmp(a.v[i], "s3cret-one") || !strcmp(a.v[i], "s3cret-two")) {
			ck_assert(a.secret & (UINT64_C(1) << i));
			secrets++;
		} else {
			ck_assert(!(a.secret & (UINT64_C(1) << i)));
		}
	}
	ck_assert_uint_eq(secrets, 2);
	iadm_argv_format(&a, buf, sizeof(buf));
	ck_assert_ptr_null(strstr(buf, "s3cret"));
}
END_TEST

START_TEST(test_build_refuses)
{
	struct iadm_subject s = subject();
	struct iadm_argv a;

	s.target = NULL;
	ck_assert_int_eq(iadm_build(IADM_CMD_LOGIN, &s, &a), -EINVAL);
	s = subject();
	s.conf = NULL;
	ck_assert_int_eq(iadm_build(IADM_CMD_NODE_SET, &s, &a), -EINVAL);
	s = subject();
	ck_assert_int_eq(iadm_build(IADM_CMD_COUNT, &s, &a), -EINVAL);
}
END_TEST

START_TEST(test_argv_format_quotes_and_cuts)
{
	struct iadm_argv a = { .v = { "prog", "a b", "it's", "", "plain-1.2:3,4" }, .n = 5 };
	char buf[64], small[8];
	size_t n;

	n = iadm_argv_format(&a, buf, sizeof(buf));
	ck_assert_str_eq(buf, "prog 'a b' 'it'\\''s' '' plain-1.2:3,4");
	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_uint_eq(iadm_argv_format(&a, small, sizeof(small)), n);
	ck_assert_str_eq(small, "prog 'a");
}
END_TEST

/* ---- verdicts ---- */

static struct iadm_verdict judge(enum iadm_cmd cmd, int status, const char *out)
{
	struct iadm_exit x = { .status = status };
	struct iadm_verdict v;

	iadm_judge(cmd, &x, out, strlen(out), "198.18.9.9:3260", &v);
	return v;
}

START_TEST(test_judge_success)
{
	struct iadm_verdict v;

	/* a run that succeeded says so, whatever noise it printed on the way (no iscsid here) */
	v = judge(IADM_CMD_NODE_NEW, 0,
		  "iscsiadm: can not connect to iSCSI daemon (111)!\n"
		  "New iSCSI node [tcp:[hw=,ip=,net_if=eth1,iscsi_if=portico-eth1] "
		  "198.18.1.1,3260,1 "
		  "iqn.2026-11.org.example:t1] added\n");
	ck_assert_int_eq(v.err, 0);
	ck_assert_str_eq(v.why, "");
}
END_TEST

START_TEST(test_judge_also_ok)
{
	struct iadm_verdict v;

	v = judge(IADM_CMD_LOGIN, 15,
		  "iscsiadm: default: 1 session requested, but 1 already present.\n"
		  "iscsiadm: Could not log into all portals\n");
	ck_assert_int_eq(v.err, 0);
	v = judge(IADM_CMD_IFACE_NEW, 15,
		  "iscsiadm: Could not create new interface portico-eth1.\n");
	ck_assert_int_eq(v.err, 0);
	v = judge(IADM_CMD_LOGOUT, 21, "iscsiadm: No matching sessions found\n");
	ck_assert_int_eq(v.err, 0);
	v = judge(IADM_CMD_NODE_DELETE, 21, "iscsiadm: No records found\n");
	ck_assert_int_eq(v.err, 0);
	/* an empty SendTargets answer is an answer */
	v = judge(IADM_CMD_DISCOVER, 21, "iscsiadm: No portals found\n");
	ck_assert_int_eq(v.err, 0);
	v = judge(IADM_CMD_DISCDB_DISCOVER, 21, "iscsiadm: No portals found\r\n");
	ck_assert_int_eq(v.err, 0);

	/* the same statuses elsewhere are failures */
	v = judge(IADM_CMD_NODE_DELETE, 15,
		  "iscsiadm: This command will remove the record [iface: portico-eth1, target: "
		  "iqn.x, portal: 198.18.1.1,3260], but a session is using it. Logout session then "
		  "rerun command to remove record.\n");
	ck_assert_int_eq(v.err, -EEXIST);
	ck_assert_str_eq(v.why, "a session to 198.18.9.9:3260 still uses it");
	v = judge(IADM_CMD_NODE_SET, 21, "iscsiadm: No records found\n");
	ck_assert_int_eq(v.err, -ENOENT);
	ck_assert_str_eq(v.why, "no such record or session ('iscsiadm: No records found')");
	/* 21 in discovery without "No portals found": the iface was dropped */
	v = judge(IADM_CMD_DISCOVER, 21,
		  "iscsiadm: Could not scan /sys/class/iscsi_transport.\n"
		  "libkmod: ERROR ../libkmod/libkmod-module.c:895 kmod_module_insert_module: could "
		  "not find module by name='iscsi_tcp'\n"
		  "iscsiadm: Could not insert module tcp. Kmod error -2\n"
		  "iscsiadm: Could not load transport tcp.Dropping interface portico-eth1.\n");
	ck_assert_int_eq(v.err, -EPROTONOSUPPORT);
	ck_assert_str_eq(v.why, "the iscsi_tcp kernel module is not loaded (modprobe iscsi_tcp)");
}
END_TEST

START_TEST(test_judge_auth)
{
	struct iadm_verdict v;

	v = judge(IADM_CMD_LOGIN, 24,
		  "Logging in to [iface: portico-eth1, target: iqn.x, portal: 198.18.9.9,3260]\n"
		  "iscsiadm: Could not login to [iface: portico-eth1, target: iqn.x, portal: "
		  "198.18.9.9,3260].\n"
		  "iscsiadm: initiator reported error "
		  "(24 - iSCSI login failed due to authorization "
		  "failure)\n"
		  "iscsiadm: Could not log into all portals\n");
	ck_assert_int_eq(v.err, -EACCES);
	ck_assert(v.auth_failed);
	ck_assert_ptr_nonnull(strstr(v.why, "authentication failed"));

	/* discovery: iscsiadm's own login */
	v = judge(IADM_CMD_DISCDB_DISCOVER, 24,
		  "iscsiadm: discovery login to 198.18.9.9 rejected: initiator failed "
		  "authorization\n"
		  "iscsiadm: Could not perform SendTargets discovery: iSCSI login failed due to "
		  "authorization failure\n");
	ck_assert_int_eq(v.err, -EACCES);
	ck_assert(v.auth_failed);
}
END_TEST

START_TEST(test_judge_discovery_connection)
{
	struct iadm_verdict v;

	/* refused: six tries, then "reopen_max exceeded", ISCSI_ERR_PDU_TIMEOUT (discovery.c) */
	v = judge(IADM_CMD_DISCOVER, 11,
		  "iscsiadm: cannot make connection to 198.18.9.9: Connection refused\n"
		  "iscsiadm: cannot make connection to 198.18.9.9: Connection refused\n"
		  "iscsiadm: connection login retries (reopen_max) 5 exceeded\n"
		  "iscsiadm: Could not perform SendTargets discovery: iSCSI PDU timed out\n");
	ck_assert_int_eq(v.err, -ECONNREFUSED);
	ck_assert(!v.auth_failed);
	ck_assert_str_eq(v.why, "connection to 198.18.9.9:3260 refused");

	v = judge(IADM_CMD_DISCOVER, 11,
		  "iscsiadm: connect to 198.18.9.9 timed out\n"
		  "iscsiadm: connection login retries (reopen_max) 5 exceeded\n"
		  "iscsiadm: Could not perform SendTargets discovery: iSCSI PDU timed out\n");
	ck_assert_int_eq(v.err, -ETIMEDOUT);
	ck_assert_str_eq(v.why, "connection to 198.18.9.9:3260 timed out");

	v = judge(IADM_CMD_DISCOVER, 11,
		  "iscsiadm: cannot make connection to 198.18.9.9: No route to host\n");
	ck_assert_int_eq(v.err, -EHOSTUNREACH);
	ck_assert_str_eq(v.why, "no route to 198.18.9.9:3260");

	v = judge(IADM_CMD_DISCOVER, 11,
		  "iscsiadm: cannot make connection to 198.18.9.9: Network is unreachable\n");
	ck_assert_int_eq(v.err, -ENETUNREACH);
	ck_assert_str_eq(v.why, "no route to 198.18.9.9:3260 (network unreachable)");

	/* the last try's clue wins */
	v = judge(IADM_CMD_DISCOVER, 11,
		  "iscsiadm: connect to 198.18.9.9 timed out\n"
		  "iscsiadm: cannot make connection to 198.18.9.9: Connection refused\n");
	ck_assert_int_eq(v.err, -ECONNREFUSED);

	/* no clue: the status says it */
	v = judge(IADM_CMD_DISCOVER, 11,
		  "iscsiadm: connection login retries (reopen_max) 5 exceeded\n");
	ck_assert_int_eq(v.err, -ETIMEDOUT);
	ck_assert_str_eq(v.why, "198.18.9.9:3260 did not answer in time");

	v = judge(IADM_CMD_DISCOVER, 21,
		  "iscsiadm: Could not read iface info for portico-eth9. Make sure an iface config "
		  "with the file name and iface.iscsi_ifacename portico-eth9 is in "
		  "/etc/iscsi/ifaces.\n");
	ck_assert_int_eq(v.err, -ENOENT);
	ck_assert_ptr_nonnull(strstr(v.why, "iface record is missing"));
}
END_TEST

START_TEST(test_judge_statuses)
{
	static const struct {
		enum iadm_cmd cmd;
		int status;
		int err;
		const char *why;
	} cases[] = {
		{ IADM_CMD_LOGIN, 8, -ETIMEDOUT, "connection to 198.18.9.9:3260 timed out" },
		{ IADM_CMD_LOGIN, 4, -ECONNRESET,
		  "the connection to 198.18.9.9:3260 failed (iscsid's log says why)" },
		{ IADM_CMD_LOGIN, 19, -EPROTO,
		  "198.18.9.9:3260 refused the login for good (no such target there, or an "
		  "initiator error)" },
		{ IADM_CMD_LOGIN, 20, -ENOTCONN, "cannot reach iscsid (is it running?)" },
		{ IADM_CMD_LOGIN, 12, -EPROTONOSUPPORT,
		  "the iscsi_tcp kernel module is not loaded (modprobe iscsi_tcp)" },
		{ IADM_CMD_LOGIN, 13, -EPERM, "permission denied (iscsiadm must run as root)" },
		{ IADM_CMD_LOGOUT, 10, -EIO,
		  "the logout from 198.18.9.9:3260 failed (iscsid's log says why)" },
		{ IADM_CMD_LOGIN, 33, -ETIMEDOUT, "iscsid did not answer in time" },
		{ IADM_CMD_LOGIN, 18, -EPIPE, "lost contact with iscsid" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iadm_verdict v = judge(cases[i].cmd, cases[i].status,
					      "iscsiadm: Could not log into all portals\n");

		ck_assert_int_eq(v.err, cases[i].err);
		ck_assert_str_eq(v.why, cases[i].why);
		ck_assert(!v.auth_failed);
	}
}
END_TEST

START_TEST(test_judge_rescan_and_unknown)
{
	struct iadm_exit x = { .status = 22 };
	struct iadm_verdict v;
	const char *out = "iscsiadm: could not read session targetname: 5\n"
			  "iscsiadm: Could not get session info for sid 5\n";

	iadm_judge(IADM_CMD_RESCAN, &x, out, strlen(out), "session 5", &v);
	ck_assert_int_eq(v.err, -ENOENT);
	ck_assert_str_eq(v.why, "session 5 not found in sysfs");

	v = judge(IADM_CMD_NODE_SET, 99, "something odd\n");
	ck_assert_int_eq(v.err, -EIO);
	ck_assert_str_eq(v.why, "iscsiadm exited with status 99 ('something odd')");
	v = judge(IADM_CMD_NODE_SET, 7,
		  "iscsiadm: Cannot modify node.bogus. Invalid param name.\n"
		  "iscsiadm: Could not execute operation on all records: invalid parameter\n"
		  "Logging in to nothing\n");
	ck_assert_int_eq(v.err, -EINVAL);
	ck_assert_str_eq(v.why, "iscsiadm refused the request as invalid ('iscsiadm: Could not "
				"execute operation on all records: invalid parameter')");
}
END_TEST

START_TEST(test_judge_killed)
{
	struct iadm_exit x = { .status = -1, .signal = 9, .timed_out = true, .timeout_ms = 30000 };
	struct iadm_verdict v;
	const char *clue = "iscsiadm: connect to 198.18.9.9 timed out\n";

	iadm_judge(IADM_CMD_LOGIN, &x, "", 0, "198.18.9.9:3260", &v);
	ck_assert_int_eq(v.err, -ETIMEDOUT);
	ck_assert_str_eq(v.why, "iscsiadm did not finish within 30 s and was killed");
	x.timeout_ms = 250;
	iadm_judge(IADM_CMD_LOGIN, &x, "", 0, "198.18.9.9:3260", &v);
	ck_assert_str_eq(v.why, "iscsiadm did not finish within 250 ms and was killed");
	/* what it printed before says more */
	iadm_judge(IADM_CMD_DISCOVER, &x, clue, strlen(clue), "198.18.9.9:3260", &v);
	ck_assert_int_eq(v.err, -ETIMEDOUT);
	ck_assert_str_eq(v.why, "connection to 198.18.9.9:3260 timed out");

	x.timed_out = false;
	x.signal = 15;
	iadm_judge(IADM_CMD_LOGIN, &x, "", 0, "198.18.9.9:3260", &v);
	ck_assert_int_eq(v.err, -EINTR);
	ck_assert_str_eq(v.why, "iscsiadm was killed by SIGTERM");
}
END_TEST

/* ---- SendTargets ---- */

START_TEST(test_disc_parse)
{
	const char *out = "198.18.1.1:3260,1 " T1 "\n"
			  "[2001:db8::1]:3260,1 " T1 "\n"
			  "198.18.2.1:3261,2 " T2 "\r\n"
			  "[2001:db8::2]:860,65535 " T2;
	struct mp_disc_entry e[8];
	size_t skipped = 99, n;

	ck_assert_uint_eq(iadm_disc_lines(out, strlen(out)), 4);
	n = iadm_disc_parse(out, strlen(out), e, 8, &skipped);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(skipped, 0);
	ck_assert_str_eq(e[0].portal, "198.18.1.1:3260");
	ck_assert_str_eq(e[0].target, T1);
	ck_assert_uint_eq(e[0].tpgt, 1);
	ck_assert_str_eq(e[1].portal, "[2001:db8::1]:3260");
	ck_assert_str_eq(e[1].target, T1);
	ck_assert_str_eq(e[2].portal, "198.18.2.1:3261");
	ck_assert_str_eq(e[2].target, T2);
	ck_assert_uint_eq(e[2].tpgt, 2);
	ck_assert_str_eq(e[3].portal, "[2001:db8::2]:860");
	ck_assert_uint_eq(e[3].tpgt, 65535);
}
END_TEST

START_TEST(test_disc_parse_noise_and_bad)
{
	const char *out =
		"iscsiadm: can not connect to iSCSI daemon (111)!\n"
		"System has not been booted with systemd as init system (PID 1). Can't operate.\n"
		"\n"
		"   \n"
		"198.18.1.1:3260,1 " T1 "\n"
		"198.18.1.1:3260,1 " T1 "\n"		       /* a repeat */
		"target.example.com:3260,1 " T1 "\n"	       /* a host name: skipped */
		"198.18.1.1:3260,1 not-an-iscsi-name\n"	       /* skipped */
		"198.18.1.1:3260,70000 " T1 "\n"	       /* tpgt out of range: skipped */
		"198.18.1.1:99999,1 " T1 "\n"		       /* port out of range: skipped */
		"198.18.1.1:3260,x " T1 "\n"		       /* not a record */
		"198.18.1.1:3260 " T1 "\n"		       /* no tpgt: not a record */
		"198.18.1.1:3260,1 " T1 " extra\n"	       /* not a record */
		"::ffff:198.18.3.1:3260,3 " T2 "\n"	       /* IPv6 with a '.', unbracketed */
		"iscsiadm: No portals found\n";
	struct mp_disc_entry e[16];
	size_t skipped, n;

	n = iadm_disc_parse(out, strlen(out), e, 16, &skipped);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(skipped, 4);
	ck_assert_str_eq(e[0].portal, "198.18.1.1:3260");
	ck_assert_uint_eq(e[1].tpgt, 3);
	ck_assert_str_eq(e[1].target, T2);
	ck_assert(!strcmp(e[1].portal, "[::ffff:198.18.3.1]:3260") ||
		  !strcmp(e[1].portal, "198.18.3.1:3260"));
}
END_TEST

START_TEST(test_disc_parse_bounds)
{
	/* no NUL after len: nothing past it is read */
	char out[64];
	const char *rec = "198.18.1.1:3260,1 " T1 "\n";
	struct mp_disc_entry e[2];
	size_t skipped, n, len = strlen(rec);

	memset(out, 'x', sizeof(out));
	memcpy(out, rec, len);
	n = iadm_disc_parse(out, len - 5, e, 2, &skipped); /* the name cut: "...example:" */
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(e[0].target, "iqn.2026-11.org.exampl");
	ck_assert_uint_eq(iadm_disc_parse(out, 0, e, 2, NULL), 0);

	/* no room: counted as skipped */
	n = iadm_disc_parse("198.18.1.1:3260,1 " T1 "\n198.18.1.2:3260,1 " T1 "\n",
			    2 * (len + 0), e, 1, &skipped);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(skipped, 1);
}
END_TEST

/* ---- the log's lines ---- */

START_TEST(test_last_line)
{
	const char *line;
	const char *out = "iscsiadm: first\n"
			  "iscsiadm: Could not log into all portals\r\n"
			  "Logging in to [iface: portico-eth1]\n\n";
	size_t n = iadm_last_line(out, strlen(out), &line);

	ck_assert_uint_eq(n, strlen("iscsiadm: Could not log into all portals"));
	ck_assert(!strncmp(line, "iscsiadm: Could not log into all portals", n));
	n = iadm_last_line("a\nb\n  \n", 7, &line);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(line[0], 'b');
	ck_assert_uint_eq(iadm_last_line("", 0, &line), 0);
	ck_assert_str_eq(line, "");
}
END_TEST

START_TEST(test_scrub)
{
	char buf[] = "pw=s3cret s3cret.s3cre";

	iadm_scrub(buf, strlen(buf), "s3cret");
	ck_assert_str_eq(buf, "pw=****** ******.s3cre");
	iadm_scrub(buf, strlen(buf), "");
	iadm_scrub(buf, strlen(buf), NULL);
	ck_assert_str_eq(buf, "pw=****** ******.s3cre");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("iscsiadm_text");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_build_iface);
	tcase_add_test(tc, test_build_discovery);
	tcase_add_test(tc, test_build_node);
	tcase_add_test(tc, test_build_secrets_in_argv_only);
	tcase_add_test(tc, test_build_refuses);
	tcase_add_test(tc, test_argv_format_quotes_and_cuts);
	tcase_add_test(tc, test_judge_success);
	tcase_add_test(tc, test_judge_also_ok);
	tcase_add_test(tc, test_judge_auth);
	tcase_add_test(tc, test_judge_discovery_connection);
	tcase_add_test(tc, test_judge_statuses);
	tcase_add_test(tc, test_judge_rescan_and_unknown);
	tcase_add_test(tc, test_judge_killed);
	tcase_add_test(tc, test_disc_parse);
	tcase_add_test(tc, test_disc_parse_noise_and_bad);
	tcase_add_test(tc, test_disc_parse_bounds);
	tcase_add_test(tc, test_last_line);
	tcase_add_test(tc, test_scrub);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)
