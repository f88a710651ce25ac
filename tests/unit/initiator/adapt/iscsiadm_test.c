/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The iscsiadm adapter (initiator/adapt/iscsiadm.c) end to end, on a real
 * loop, against a fake iscsiadm: a /bin/sh script in a temporary folder
 * that logs its arguments ("B pid args" when it starts, "E pid args" when
 * it ends) and answers by rules ("substring|status|output|sleep", the
 * first rule whose substring is in the arguments wins; none: exit 0,
 * silent). The tests read the log for the exact command sequences, the
 * order on one node, the overlap across nodes and the cap; stderr (the
 * daemon's log) goes to a file, read for what must not be in it.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/ev.h"
#include "common/log.h"
#include "initiator/adapt/iscsiadm.h"
#include "tests/unit/check_main.h"

#define T1 "iqn.2026-11.org.example:t1"
#define T2 "iqn.2026-11.org.example:t2"
#define LOG_MAX (256 * 1024)

static struct ev_loop *loop;
static struct iadm *ia;
static struct iadm_conf conf;
static char dir[64];
static char fake[128];
static int saved_stderr = -1;
static bool in_call; /* true around the adapter's calls: a callback must never see it */
static int seq;	     /* callbacks so far, for their order */

/* after "#!/bin/sh" and "D=<the folder>" */
static const char fake_script[] =
	"s=''\n"
	"for a in \"$@\"; do\n"
	"	if [ -z \"$a\" ]; then s=\"$s ''\"; else s=\"$s $a\"; fi\n"
	"done\n"
	"s=${s# }\n"
	"echo $$ >> \"$D/pids\"\n"
	"echo \"B $$ $s\" >> \"$D/log\"\n"
	"status=0; out=''; slp=0\n"
	"if [ -f \"$D/rules\" ]; then\n"
	"	while IFS='|' read -r pat st o sl; do\n"
	"		[ -n \"$pat\" ] || continue\n"
	"		case \"$s\" in *\"$pat\"*) status=$st; out=$o; slp=${sl:-0}; break;; esac\n"
	"	done < \"$D/rules\"\n"
	"fi\n"
	"[ \"$slp\" = 0 ] || sleep \"$slp\"\n"
	"if [ \"$out\" = @big ]; then\n"
	"	i=0\n"
	"	while [ $i -lt 1500 ]; do\n"
	"		echo \"198.18.1.$((i % 250)):3260,1 iqn.2026-11.org.example:big$i\"\n"
	"		i=$((i + 1))\n"
	"	done\n"
	"elif [ -n \"$out\" ]; then\n"
	"	printf '%b' \"$out\"\n"
	"fi\n"
	"echo \"E $$ $s\" >> \"$D/log\"\n"
	"exit \"$status\"\n";

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* The whole of dir/name (NUL-terminated, static), "" when it is not there. */
static const char *read_file(const char *name)
{
	static char buf[LOG_MAX];
	char path[160];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void set_rules(const char *rules)
{
	write_file("rules", rules, 0644);
}

static void make_ia(void)
{
	in_call = true;
	ck_assert_int_eq(iadm_create(loop, &conf, &ia), 0);
	in_call = false;
}

static void setup(void)
{
	char script[sizeof(fake_script) + sizeof(dir) + 32];
	int fd;

	ck_assert_int_eq(ev_loop_create(&loop), 0);
	strcpy(dir, "/tmp/iscsiadm_test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(script, sizeof(script), "#!/bin/sh\nD='%s'\n%s", dir, fake_script);
	write_file("iscsiadm", script, 0755);
	snprintf(fake, sizeof(fake), "%s/iscsiadm", dir);

	/* the daemon's log into a file */
	log_init("iscsiadm_test");
	log_to_stderr();
	log_set_level(LOG_LEVEL_INFO);
	log_set_debug("iscsiadm");
	saved_stderr = dup(STDERR_FILENO);
	fd = open(strcat(strcpy(script, dir), "/stderr"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);

	memset(&conf, 0, sizeof(conf));
	conf.iscsiadm = fake;
	conf.timeout_ms = 10000;
	conf.replacement_timeout_s = 5;
	conf.noop_out_interval_s = 2;
	conf.noop_out_timeout_s = 3;
	seq = 0;
	ia = NULL;
}

static void teardown(void)
{
	char cmd[128];

	iadm_destroy(ia);
	ia = NULL;
	ev_loop_destroy(loop);
	loop = NULL;
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- what the callbacks saw ---- */

struct rec {
	int calls;
	int order; /* seq at the call */
	int err;
	bool auth_failed;
	char reason[MP_REASON_MAX];
	struct mp_disc_entry entries[8];
	size_t n;
	bool inside;
};

static void note(struct rec *r, int err, const char *reason)
{
	r->inside = in_call;
	r->calls++;
	r->order = ++seq;
	r->err = err;
	ck_assert_ptr_nonnull(reason);
	ck_assert_msg(!err == !reason[0], "err %d with reason '%s'", err, reason);
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
}

static void done_cb(void *arg, int err, const char *reason)
{
	note(arg, err, reason);
}

static void login_cb(void *arg, int err, bool auth_failed, const char *reason)
{
	struct rec *r = arg;

	note(r, err, reason);
	r->auth_failed = auth_failed;
}

static void disc_cb(void *arg, int err, const char *reason, const struct mp_disc_entry *e,
		    size_t n)
{
	struct rec *r = arg;
	size_t i;

	note(r, err, reason);
	r->n = n;
	if (err)
		ck_assert_uint_eq(n, 0);
	for (i = 0; i < n && i < 8; i++)
		r->entries[i] = e[i];
}

/* Runs the loop until *count reaches want, failing after limit_ms. */
static void run_until(const int *count, int want, int limit_ms)
{
	int64_t start = ev_now_ms();

	while (*count < want) {
		ck_assert_msg(ev_now_ms() - start < limit_ms, "%d of %d callbacks after %d ms",
			      *count, want, limit_ms);
		ck_assert_int_eq(ev_run_once(loop, 10), 0);
	}
}

static void run_for(int ms)
{
	int64_t end = ev_now_ms() + ms;

	while (ev_now_ms() < end)
		ck_assert_int_eq(ev_run_once(loop, 5), 0);
}

static struct mp_link_key key(const char *nic, const char *portal, const char *target)
{
	struct mp_link_key k;

	memset(&k, 0, sizeof(k));
	/* a name as long as the field is left without its NUL, for the adapter to refuse */
	memcpy(k.nic, nic, strlen(nic) < sizeof(k.nic) ? strlen(nic) : sizeof(k.nic));
	snprintf(k.portal, sizeof(k.portal), "%s", portal);
	snprintf(k.target, sizeof(k.target), "%s", target);
	return k;
}

static void login(const struct mp_link_key *k, uint16_t tpgt, struct rec *r)
{
	in_call = true;
	ck_assert_int_eq(iadm_login(ia, k, tpgt, login_cb, r), 0);
	in_call = false;
	ck_assert_int_eq(r->calls, 0);
}

/* The fake's command lines in the order they started ("B" lines, without the pid). */
static size_t started(char lines[][1024], size_t max)
{
	const char *p = read_file("log");
	size_t n = 0;

	while (*p) {
		const char *nl = strchr(p, '\n'), *args;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (p[0] == 'B' && n < max) {
			args = strchr(p + 2, ' ');
			ck_assert_ptr_nonnull(args);
			args++;
			snprintf(lines[n++], 1024, "%.*s", (int)(len - (size_t)(args - p)), args);
		}
		p += len + (nl ? 1 : 0);
	}
	return n;
}

static void assert_commands(const char *const *want, size_t nwant)
{
	static char got[64][1024];
	size_t n = started(got, 64), i;

	for (i = 0; i < n && i < nwant; i++)
		ck_assert_str_eq(got[i], want[i]);
	ck_assert_uint_eq(n, nwant);
}

/* pid was reaped (by the runner) and is gone, or a zombie of init's. */
static void assert_gone(pid_t pid)
{
	char path[64], stat[256] = "";
	FILE *f;

	ck_assert_int_eq(waitpid(pid, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	ck_assert_ptr_nonnull(fgets(stat, sizeof(stat), f));
	fclose(f);
	ck_assert_ptr_nonnull(strstr(stat, ") Z "));
}

/* The pids the fake wrote, at least want of them, waiting at most 3 s. */
static size_t fake_pids(pid_t *pids, size_t max, size_t want)
{
	int64_t start = ev_now_ms();

	for (;;) {
		const char *p = read_file("pids");
		size_t n = 0;

		while (*p && n < max) {
			pids[n++] = (pid_t)strtol(p, NULL, 10);
			p = strchr(p, '\n');
			if (!p)
				break;
			p++;
		}
		if (n >= want)
			return n;
		ck_assert_msg(ev_now_ms() - start < 3000, "%zu of %zu fakes started", n, want);
		ev_run_once(loop, 10);
	}
}

#define NODE_SET_PLAIN                                                                             \
	"-o update -n node.startup -v manual -n node.conn[0].iscsi.HeaderDigest -v None "        \
	"-n node.conn[0].iscsi.DataDigest -v None "                                              \
	"-n node.session.timeo.replacement_timeout -v 5 "                                        \
	"-n node.conn[0].timeo.noop_out_interval -v 2 -n node.conn[0].timeo.noop_out_timeout "   \
	"-v 3 -n node.session.initial_login_retry_max -v 0 "

/* ---- operations ---- */

START_TEST(test_iface)
{
	static const char *const want[] = {
		"-m iface -I portico-eth1 -o new",
		"-m iface -I portico-eth1 -o update -n iface.net_ifacename -v eth1",
	};
	struct rec r = { 0 };

	make_ia();
	in_call = true;
	ck_assert_int_eq(iadm_iface(ia, "eth1", done_cb, &r), 0);
	in_call = false;
	ck_assert_int_eq(r.calls, 0);
	run_until(&r.calls, 1, 5000);
	run_for(50);
	ck_assert_int_eq(r.calls, 1);
	ck_assert(!r.inside);
	ck_assert_int_eq(r.err, 0);
	assert_commands(want, 2);
	/* every command line in the log */
	ck_assert_ptr_nonnull(
		strstr(read_file("stderr"), "iscsiadm -m iface -I portico-eth1 -o new"));
}
END_TEST

/* A session uses the iface (-o new refuses, 15): it is there, the update goes on. */
START_TEST(test_iface_in_use_then_no_module)
{
	struct rec r = { 0 };

	set_rules("-o new|15|iscsiadm: Could not create new interface portico-eth1.\\n\n"
		  "-o update|7|iscsiadm: Could not insert module tcp. Kmod error -2\\n"
		  "iscsiadm: Cound not locate transport for iface portico-eth1\\n\n");
	make_ia();
	ck_assert_int_eq(iadm_iface(ia, "eth1", done_cb, &r), 0);
	run_until(&r.calls, 1, 5000);
	ck_assert_int_eq(r.err, -EPROTONOSUPPORT);
	ck_assert_str_eq(r.reason, "binding the iface record to its NIC failed: the iscsi_tcp "
				   "kernel module is not loaded (modprobe iscsi_tcp)");
	/* the warning names the queue and gives the last line */
	ck_assert_ptr_nonnull(strstr(read_file("stderr"), "Cound not locate transport"));
}
END_TEST

START_TEST(test_discover_plain)
{
	static const char *const want[] = {
		"-m discovery -t sendtargets -p 198.18.1.1:3260 -I portico-eth1 -o nonpersistent",
	};
	struct rec r = { 0 };

	set_rules("sendtargets|0|iscsiadm: can not connect to iSCSI daemon (111)!\\n"
		  "198.18.1.1:3260,1 " T1 "\\n[2001:db8::1]:3260,1 " T1 "\\n"
		  "198.18.1.2:3260,2 " T2 "\\n\n");
	make_ia();
	in_call = true;
	ck_assert_int_eq(iadm_discover(ia, "eth1", "198.18.1.1:3260", disc_cb, &r), 0);
	in_call = false;
	run_until(&r.calls, 1, 5000);
	ck_assert(!r.inside);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_str_eq(r.entries[0].portal, "198.18.1.1:3260");
	ck_assert_str_eq(r.entries[0].target, T1);
	ck_assert_uint_eq(r.entries[0].tpgt, 1);
	ck_assert_str_eq(r.entries[1].portal, "[2001:db8::1]:3260");
	ck_assert_str_eq(r.entries[2].portal, "198.18.1.2:3260");
	ck_assert_str_eq(r.entries[2].target, T2);
	ck_assert_uint_eq(r.entries[2].tpgt, 2);
	assert_commands(want, 1);
}
END_TEST

START_TEST(test_discover_chap)
{
	static const char *const want[] = {
		"-m discoverydb -t sendtargets -p [2001:db8::7]:3260 -I portico-eth2 -o new",
		"-m discoverydb -t sendtargets -p [2001:db8::7]:3260 -I portico-eth2 -o update "
		"-n discovery.sendtargets.auth.authmethod -v CHAP "
		"-n discovery.sendtargets.auth.username -v alice "
		"-n discovery.sendtargets.auth.password -v Disc-Secret-1 "
		"-n discovery.sendtargets.auth.username_in -v tgt "
		"-n discovery.sendtargets.auth.password_in -v Disc-Secret-2",
		"-m discoverydb -t sendtargets -p [2001:db8::7]:3260 -I portico-eth2 --discover "
		"-o nonpersistent",
	};
	struct rec r = { 0 };
	const char *log;

	snprintf(conf.discovery_chap.user, sizeof(conf.discovery_chap.user), "alice");
	snprintf(conf.discovery_chap.password, sizeof(conf.discovery_chap.password),
		 "Disc-Secret-1");
	snprintf(conf.discovery_chap.user_in, sizeof(conf.discovery_chap.user_in), "tgt");
	snprintf(conf.discovery_chap.password_in, sizeof(conf.discovery_chap.password_in),
		 "Disc-Secret-2");
	set_rules("--discover|0|[2001:db8::7]:3260,1 " T1 "\\n\n");
	make_ia();
	/* the address in another spelling: canonical on the command line */
	ck_assert_int_eq(iadm_discover(ia, "eth2", "[2001:0db8:0::7]:3260", disc_cb, &r), 0);
	run_until(&r.calls, 1, 5000);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_str_eq(r.entries[0].portal, "[2001:db8::7]:3260");
	/* iscsiadm got the secrets (it takes them no other way) ... */
	assert_commands(want, 3);
	/* ... the log did not */
	log = read_file("stderr");
	ck_assert_ptr_nonnull(strstr(log, "discovery.sendtargets.auth.password -v '********'"));
	ck_assert_ptr_null(strstr(log, "Disc-Secret"));
}
END_TEST

START_TEST(test_discover_failures)
{
	struct rec r1 = { 0 }, r2 = { 0 }, r3 = { 0 };

	set_rules("198.18.9.9|11|iscsiadm: cannot make connection to 198.18.9.9: Connection "
		  "refused\\niscsiadm: connection login retries (reopen_max) 5 exceeded\\n"
		  "iscsiadm: Could not perform SendTargets discovery: iSCSI PDU timed out\\n\n"
		  "198.18.8.8|24|iscsiadm: discovery login to 198.18.8.8 rejected: initiator "
		  "failed authorization\\n\n"
		  "198.18.7.7|21|iscsiadm: No portals found\\n\n");
	make_ia();
	ck_assert_int_eq(iadm_discover(ia, "eth1", "198.18.9.9:3260", disc_cb, &r1), 0);
	ck_assert_int_eq(iadm_discover(ia, "eth1", "198.18.8.8", disc_cb, &r2), 0);
	ck_assert_int_eq(iadm_discover(ia, "eth1", "198.18.7.7:3260", disc_cb, &r3), 0);
	run_until(&r1.calls, 1, 5000);
	run_until(&r2.calls, 1, 5000);
	run_until(&r3.calls, 1, 5000);
	ck_assert_int_eq(r1.err, -ECONNREFUSED);
	ck_assert_str_eq(r1.reason,
			 "SendTargets discovery failed: connection to 198.18.9.9:3260 refused");
	ck_assert_int_eq(r2.err, -EACCES);
	ck_assert_ptr_nonnull(strstr(r2.reason, "authentication failed"));
	/* an empty answer is an answer */
	ck_assert_int_eq(r3.err, 0);
	ck_assert_uint_eq(r3.n, 0);
}
END_TEST

/* More than the runner keeps: a cut answer would look like targets gone; it is an error. */
START_TEST(test_discover_too_long)
{
	struct rec r = { 0 };

	set_rules("sendtargets|0|@big\n");
	make_ia();
	ck_assert_int_eq(iadm_discover(ia, "eth1", "198.18.1.1:3260", disc_cb, &r), 0);
	run_until(&r.calls, 1, 10000);
	ck_assert_int_eq(r.err, -E2BIG);
	ck_assert_ptr_nonnull(strstr(r.reason, "longer than 64 KiB"));
}
END_TEST

START_TEST(test_login_plain)
{
	static const char *const want[] = {
		"-m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 -o new",
		"-m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 " NODE_SET_PLAIN
		"-n node.session.auth.authmethod -v None -n node.session.auth.username -v '' "
		"-n node.session.auth.password -v '' -n node.session.auth.username_in -v '' "
		"-n node.session.auth.password_in -v ''",
		"-m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 --login",
	};
	struct mp_link_key k = key("eth1", "198.18.1.1:3260", T1);
	struct rec r = { 0 };

	make_ia();
	login(&k, 1, &r);
	run_until(&r.calls, 1, 5000);
	run_for(50);
	ck_assert_int_eq(r.calls, 1);
	ck_assert(!r.inside);
	ck_assert_int_eq(r.err, 0);
	ck_assert(!r.auth_failed);
	ck_assert_str_eq(r.reason, "");
	assert_commands(want, 3);
}
END_TEST

START_TEST(test_login_session_exists)
{
	struct mp_link_key k = key("eth1", "198.18.1.1:3260", T1);
	struct rec r = { 0 };

	set_rules("--login|15|Logging in to [iface: portico-eth1, target: " T1 ", portal: "
		  "198.18.1.1,3260]\\niscsiadm: default: 1 session requested, but 1 already "
		  "present.\\niscsiadm: Could not log into all portals\\n\n");
	make_ia();
	login(&k, 1, &r);
	run_until(&r.calls, 1, 5000);
	ck_assert_int_eq(r.err, 0);
}
END_TEST

START_TEST(test_login_auth_failed)
{
	struct mp_link_key k = key("eth1", "198.18.1.1:3260", T1);
	struct rec r = { 0 };

	set_rules("--login|24|iscsiadm: Could not login to [iface: portico-eth1, target: " T1
		  ", portal: 198.18.1.1,3260].\\niscsiadm: initiator reported error (24 - iSCSI "
		  "login failed due to authorization failure)\\niscsiadm: Could not log into all "
		  "portals\\n\n");
	make_ia();
	login(&k, 1, &r);
	run_until(&r.calls, 1, 5000);
	ck_assert_int_eq(r.err, -EACCES);
	ck_assert(r.auth_failed);
	ck_assert_str_eq(r.reason, "login failed: authentication failed (the target refused our "
				   "CHAP credentials or this initiator)");
}
END_TEST

START_TEST(test_login_timed_out)
{
	struct mp_link_key k = key("eth1", "198.18.1.1:3260", T1);
	struct rec r = { 0 };

	set_rules("--login|8|iscsiadm: initiator reported error (8 - connection timed out)\\n\n");
	make_ia();
	login(&k, 1, &r);
	run_until(&r.calls, 1, 5000);
	ck_assert_int_eq(r.err, -ETIMEDOUT);
	ck_assert(!r.auth_failed);
	ck_assert_str_eq(r.reason, "login failed: connection to 198.18.1.1:3260 timed out");
}
END_TEST

/* The first command that fails ends the operation: no login after a failed update. */
START_TEST(test_login_stops_at_failure)
{
	static const char *const want[] = {
		"-m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 -o new",
		"-m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 " NODE_SET_PLAIN
		"-n node.session.auth.authmethod -v None -n node.session.auth.username -v '' "
		"-n node.session.auth.password -v '' -n node.session.auth.username_in -v '' "
		"-n node.session.auth.password_in -v ''",
	};
	struct mp_link_key k = key("eth1", "198.18.1.1:3260", T1);
	struct rec r = { 0 };

	set_rules("-o update|6|iscsiadm: Could not update record\\n\n");
	make_ia();
	login(&k, 1, &r);
	run_until(&r.calls, 1, 5000);
	run_for(100);
	ck_assert_int_eq(r.err, -EIO);
	ck_assert_str_eq(r.reason, "setting the node record failed: cannot read or write "
				   "open-iscsi's records under /etc/iscsi ('iscsiadm: Could not "
				   "update record')");
	assert_commands(want, 2);
}
END_TEST

START_TEST(test_login_chap_secrets_stay_out_of_the_log)
{
	static const char *const want_set =
		"-m node -T " T1 " -p [2001:db8::1]:3260,3 -I portico-eth1 " NODE_SET_PLAIN
		"-n node.session.auth.authmethod -v CHAP -n node.session.auth.username -v bob "
		"-n node.session.auth.password -v Sess-Secret-1 "
		"-n node.session.auth.username_in -v tgt "
		"-n node.session.auth.password_in -v Sess-Secret-2";
	struct mp_link_key k = key("eth1", "[2001:db8::1]:3260", T1);
	static char got[8][1024];
	struct rec r = { 0 };
	const char *log;

	snprintf(conf.session_chap.user, sizeof(conf.session_chap.user), "bob");
	snprintf(conf.session_chap.password, sizeof(conf.session_chap.password), "Sess-Secret-1");
	snprintf(conf.session_chap.user_in, sizeof(conf.session_chap.user_in), "tgt");
	snprintf(conf.session_chap.password_in, sizeof(conf.session_chap.password_in),
		 "Sess-Secret-2");
	/* an iscsiadm that repeats a secret in its failure */
	set_rules("--login|24|iscsiadm: chap secret Sess-Secret-1 refused\\n\n");
	make_ia();
	login(&k, 3, &r);
	run_until(&r.calls, 1, 5000);
	ck_assert_int_eq(r.err, -EACCES);
	ck_assert(r.auth_failed);
	ck_assert_uint_eq(started(got, 8), 3);
	ck_assert_str_eq(got[1], want_set);
	ck_assert_ptr_null(strstr(r.reason, "Secret"));
	log = read_file("stderr");
	ck_assert_ptr_nonnull(strstr(log, "node.session.auth.password -v '********'"));
	ck_assert_ptr_nonnull(strstr(log, "chap secret ************* refused"));
	ck_assert_ptr_null(strstr(log, "Sess-Secret"));
}
END_TEST

START_TEST(test_logout)
{
	static const char *const want[] = {
		"-m node -T " T1 " -p 198.18.1.1:3260 -I portico-eth1 --logout",
		"-m node -T " T1 " -p 198.18.1.1:3260 -I portico-eth1 -o delete",
	};
	struct mp_link_key k = key("eth1", "198.18.1.1:3260", T1);
	struct rec r = { 0 };

	/* no session, no record: done all the same */
	set_rules("--logout|21|iscsiadm: No matching sessions found\\n\n"
		  "-o delete|21|iscsiadm: No records found\\n\n");
	make_ia();
	in_call = true;
	ck_assert_int_eq(iadm_logout(ia, &k, done_cb, &r), 0);
	in_call = false;
	run_until(&r.calls, 1, 5000);
	ck_assert(!r.inside);
	ck_assert_int_eq(r.err, 0);
	assert_commands(want, 2);
}
END_TEST

START_TEST(test_logout_fails)
{
	static const char *const want[] = {
		"-m node -T " T1 " -p 198.18.1.1:3260 -I portico-eth1 --logout",
	};
	struct mp_link_key k = key("eth1", "198.18.1.1:3260", T1);
	struct rec r = { 0 };

	set_rules("--logout|10|iscsiadm: Could not logout of all requested sessions\\n\n");
	make_ia();
	ck_assert_int_eq(iadm_logout(ia, &k, done_cb, &r), 0);
	run_until(&r.calls, 1, 5000);
	run_for(50);
	ck_assert_int_eq(r.err, -EIO);
	ck_assert_str_eq(r.reason, "logout failed: the logout from 198.18.1.1:3260 failed "
				   "(iscsid's log says why)");
	assert_commands(want, 1);
}
END_TEST

START_TEST(test_rescan)
{
	static const char *const want[] = {
		"-m session -r 7 --rescan",
		"-m session -r 8 --rescan",
	};
	struct rec r1 = { 0 }, r2 = { 0 };

	set_rules("-r 8|22|iscsiadm: could not read session targetname: 8\\n"
		  "iscsiadm: Could not get session info for sid 8\\n\n");
	make_ia();
	in_call = true;
	ck_assert_int_eq(iadm_rescan(ia, 7, done_cb, &r1), 0);
	in_call = false;
	run_until(&r1.calls, 1, 5000);
	ck_assert_int_eq(iadm_rescan(ia, 8, done_cb, &r2), 0);
	run_until(&r2.calls, 1, 5000);
	ck_assert(!r1.inside);
	ck_assert_int_eq(r1.err, 0);
	ck_assert_int_eq(r2.err, -ENOENT);
	ck_assert_str_eq(r2.reason, "rescan failed: session 8 not found in sysfs");
	assert_commands(want, 2);
}
END_TEST

/* ---- queues ---- */

/* The fake's log as (start or end, command line) events. */
struct event {
	bool start;
	char line[1024];
};

static size_t events(struct event *ev, size_t max)
{
	const char *p = read_file("log");
	size_t n = 0;

	while (*p && n < max) {
		const char *nl = strchr(p, '\n'), *args = strchr(p + 2, ' ');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		ck_assert_ptr_nonnull(args);
		args++;
		ev[n].start = p[0] == 'B';
		snprintf(ev[n].line, sizeof(ev[n].line), "%.*s", (int)(len - (size_t)(args - p)),
			 args);
		n++;
		p += len + (nl ? 1 : 0);
	}
	return n;
}

/* One node: one command at a time, operations in the order asked. */
START_TEST(test_one_node_in_order)
{
	static const char *const want[] = {
		"-m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 -o new",
		"-m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 -o update",
		"-m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 --login",
		"-m node -T " T1 " -p 198.18.1.1:3260 -I portico-eth1 --logout",
		"-m node -T " T1 " -p 198.18.1.1:3260 -I portico-eth1 -o delete",
		"-m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 -o new",
		"-m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 -o update",
		"-m node -T " T1 " -p 198.18.1.1:3260,1 -I portico-eth1 --login",
	};
	struct mp_link_key k = key("eth1", "198.18.1.1:3260", T1);
	struct rec r1 = { 0 }, r3 = { 0 }, r2 = { 0 };
	static struct event ev[64];
	size_t n, i, s = 0;

	set_rules("--login|0||0.2\n--logout|0||0.1\n");
	make_ia();
	login(&k, 1, &r1);
	in_call = true;
	ck_assert_int_eq(iadm_logout(ia, &k, done_cb, &r2), 0);
	in_call = false;
	login(&k, 1, &r3);
	run_until(&r3.calls, 1, 10000);
	run_for(50);
	ck_assert_int_eq(r1.order, 1);
	ck_assert_int_eq(r2.order, 2);
	ck_assert_int_eq(r3.order, 3);
	ck_assert_int_eq(r1.err + r2.err + r3.err, 0);
	n = events(ev, 64);
	ck_assert_uint_eq(n, 16);
	/* strictly start, end, start, end ... each in the order asked */
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(ev[i].start, i % 2 == 0);
		if (i % 2)
			ck_assert_str_eq(ev[i].line, ev[i - 1].line);
		else
			ck_assert(!strncmp(ev[i].line, want[s], strlen(want[s])));
		s += i % 2;
	}
}
END_TEST

/* Two nodes side by side: one's slow login does not hold the other up. */
START_TEST(test_nodes_side_by_side)
{
	struct mp_link_key a = key("eth1", "198.18.1.1:3260", T1);
	struct mp_link_key b = key("eth2", "198.18.2.1:3260", T1);
	struct rec ra = { 0 }, rb = { 0 };
	static struct event ev[64];
	size_t n, i, a_start = 99, a_end = 99, b_start = 99;

	set_rules("--login|0||0.4\n");
	make_ia();
	login(&a, 1, &ra);
	login(&b, 1, &rb);
	run_until(&ra.calls, 1, 5000);
	run_until(&rb.calls, 1, 5000);
	n = events(ev, 64);
	for (i = 0; i < n; i++) {
		bool login_line = strstr(ev[i].line, "--login") != NULL;

		if (login_line && strstr(ev[i].line, "portico-eth1")) {
			if (ev[i].start)
				a_start = i;
			else
				a_end = i;
		}
		if (login_line && strstr(ev[i].line, "portico-eth2") && ev[i].start)
			b_start = i;
	}
	ck_assert_uint_lt(a_start, a_end);
	ck_assert_uint_lt(b_start, a_end); /* b's login started while a's ran */
}
END_TEST

/* At most IADM_RUNNING_MAX iscsiadm at once; the rest wait, then all run. */
START_TEST(test_cap)
{
	enum { N = IADM_RUNNING_MAX + 4 };
	struct rec r[N];
	static struct event ev[8 * N];
	int done = 0, i, running = 0, most = 0;
	int64_t start;
	size_t n, j;

	memset(r, 0, sizeof(r));
	set_rules("-o new|0||0.5\n");
	make_ia();
	for (i = 0; i < N; i++) {
		char portal[32];
		struct mp_link_key k;

		snprintf(portal, sizeof(portal), "198.18.1.%d:3260", i + 1);
		k = key("eth1", portal, T1);
		login(&k, 1, &r[i]);
	}
	start = ev_now_ms();
	while (done < N) {
		ck_assert_msg(ev_now_ms() - start < 10000, "%d of %d logins", done, N);
		ev_run_once(loop, 10);
		for (done = 0, i = 0; i < N; i++)
			done += r[i].calls;
	}
	n = events(ev, 8 * N);
	ck_assert_uint_eq(n, 2 * 3 * N);
	for (j = 0; j < n; j++) {
		running += ev[j].start ? 1 : -1;
		if (running > most)
			most = running;
	}
	ck_assert_int_eq(most, IADM_RUNNING_MAX);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(r[i].err, 0);
}
END_TEST

/* ---- the bounds ---- */

START_TEST(test_timeout_kills)
{
	struct mp_link_key k = key("eth1", "198.18.1.1:3260", T1);
	struct rec r = { 0 };
	int64_t start;
	pid_t pids[4];
	size_t n;

	conf.timeout_ms = 300;
	set_rules("--login|0||30\n");
	make_ia();
	start = ev_now_ms();
	login(&k, 1, &r);
	run_until(&r.calls, 1, 5000);
	ck_assert_int_lt(ev_now_ms() - start, 3000);
	ck_assert_int_eq(r.err, -ETIMEDOUT);
	ck_assert_str_eq(r.reason,
			 "login failed: iscsiadm did not finish within 300 ms and was killed");
	n = fake_pids(pids, 4, 3);
	ck_assert_uint_eq(n, 3);
	assert_gone(pids[2]);
}
END_TEST

/* Destroyed while runs go on and more wait: no callback, no child left. */
START_TEST(test_destroy_while_running)
{
	struct rec r[4];
	pid_t pids[8];
	size_t n, i;

	memset(r, 0, sizeof(r));
	set_rules("-o new|0||30\n");
	make_ia();
	for (i = 0; i < 3; i++) {
		char portal[32];
		struct mp_link_key k;

		snprintf(portal, sizeof(portal), "198.18.1.%zu:3260", i + 1);
		k = key("eth1", portal, T1);
		login(&k, 1, &r[i]);
	}
	{
		/* queued behind the first */
		struct mp_link_key k = key("eth1", "198.18.1.1:3260", T1);

		ck_assert_int_eq(iadm_logout(ia, &k, done_cb, &r[3]), 0);
	}
	n = fake_pids(pids, 8, 3);
	ck_assert_uint_eq(n, 3);
	iadm_destroy(ia);
	ia = NULL;
	run_for(100);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(r[i].calls, 0);
	for (i = 0; i < n; i++)
		assert_gone(pids[i]);
}
END_TEST

/* A callback that destroys the adapter while other runs go on. */
static void destroy_cb(void *arg, int err, bool auth_failed, const char *reason)
{
	login_cb(arg, err, auth_failed, reason);
	iadm_destroy(ia);
	ia = NULL;
}

START_TEST(test_destroy_from_callback)
{
	struct mp_link_key quick = key("eth1", "198.18.1.1:3260", T1);
	struct mp_link_key slow = key("eth2", "198.18.2.1:3260", T1);
	struct rec rq = { 0 }, rs = { 0 };
	pid_t pids[8];
	size_t n, i;

	set_rules("198.18.2.1:3260,1 -I portico-eth2 -o new|0||30\n");
	make_ia();
	ck_assert_int_eq(iadm_login(ia, &slow, 1, login_cb, &rs), 0);
	ck_assert_int_eq(iadm_login(ia, &quick, 1, destroy_cb, &rq), 0);
	run_until(&rq.calls, 1, 5000);
	run_for(100);
	ck_assert_ptr_null(ia);
	ck_assert_int_eq(rs.calls, 0);
	n = fake_pids(pids, 8, 4);
	for (i = 0; i < n; i++)
		assert_gone(pids[i]);
}
END_TEST

/* iscsiadm missing: each operation fails on the loop, with why. */
START_TEST(test_missing_program)
{
	struct mp_link_key k = key("eth1", "198.18.1.1:3260", T1);
	struct rec r1 = { 0 }, r2 = { 0 }, r3 = { 0 };

	conf.iscsiadm = "/nonexistent/iscsiadm";
	make_ia();
	login(&k, 1, &r1);
	in_call = true;
	ck_assert_int_eq(iadm_logout(ia, &k, done_cb, &r2), 0);
	ck_assert_int_eq(iadm_iface(ia, "eth1", done_cb, &r3), 0);
	in_call = false;
	ck_assert_int_eq(r1.calls + r2.calls + r3.calls, 0);
	run_until(&r2.calls, 1, 5000);
	run_until(&r3.calls, 1, 5000);
	ck_assert(!r1.inside && !r2.inside && !r3.inside);
	ck_assert_int_eq(r1.err, -ENOENT);
	ck_assert_str_eq(r1.reason, "making the node record failed: cannot run "
				    "'/nonexistent/iscsiadm': No such file or directory");
	ck_assert_int_eq(r2.err, -ENOENT);
	ck_assert_int_eq(r3.err, -ENOENT);
	ck_assert_int_lt(r1.order, r2.order); /* one node: in order */
}
END_TEST

/* Names that are not names: refused in the call, no callback. */
START_TEST(test_refuses)
{
	static const char *const nics[] = {
		"", "a/b", "eth:1", "a b", "0123456789abcdef", "..", NULL,
	};
	static const char *const addrs[] = { "", "target.example.com:3260", "198.18.1.1:99999",
					     "[2001:db8::1", NULL };
	struct mp_link_key k;
	struct rec r = { 0 };
	struct iadm *bad;
	size_t i;

	make_ia();
	for (i = 0; nics[i]; i++) {
		ck_assert_int_eq(iadm_iface(ia, nics[i], done_cb, &r), -EINVAL);
		ck_assert_int_eq(iadm_discover(ia, nics[i], "198.18.1.1:3260", disc_cb, &r),
				 -EINVAL);
		k = key(nics[i], "198.18.1.1:3260", T1);
		ck_assert_int_eq(iadm_login(ia, &k, 1, login_cb, &r), -EINVAL);
	}
	for (i = 0; addrs[i]; i++) {
		ck_assert_int_eq(iadm_discover(ia, "eth1", addrs[i], disc_cb, &r), -EINVAL);
		k = key("eth1", addrs[i], T1);
		ck_assert_int_eq(iadm_login(ia, &k, 1, login_cb, &r), -EINVAL);
		ck_assert_int_eq(iadm_logout(ia, &k, done_cb, &r), -EINVAL);
	}
	k = key("eth1", "198.18.1.1:3260", "not-an-iscsi-name");
	ck_assert_int_eq(iadm_login(ia, &k, 1, login_cb, &r), -EINVAL);
	ck_assert_int_eq(iadm_logout(ia, &k, done_cb, &r), -EINVAL);
	ck_assert_int_eq(iadm_iface(ia, "eth1", NULL, &r), -EINVAL);
	run_for(50);
	ck_assert_int_eq(r.calls, 0);
	ck_assert_str_eq(read_file("log"), "");

	/* credentials that do not go together */
	snprintf(conf.session_chap.password, sizeof(conf.session_chap.password), "x");
	ck_assert_int_eq(iadm_create(loop, &conf, &bad), -EINVAL);
	snprintf(conf.session_chap.user, sizeof(conf.session_chap.user), "u");
	snprintf(conf.session_chap.user_in, sizeof(conf.session_chap.user_in), "t");
	ck_assert_int_eq(iadm_create(loop, &conf, &bad), -EINVAL);
	snprintf(conf.session_chap.password_in, sizeof(conf.session_chap.password_in), "p\nq");
	ck_assert_int_eq(iadm_create(loop, &conf, &bad), -EINVAL);
	snprintf(conf.session_chap.password_in, sizeof(conf.session_chap.password_in), "pq");
	ck_assert_int_eq(iadm_create(loop, &conf, &bad), 0);
	iadm_destroy(bad);
}
END_TEST

/* A callback may queue more: the next operation runs. */
static struct rec chained;

static void chain_cb(void *arg, int err, bool auth_failed, const char *reason)
{
	login_cb(arg, err, auth_failed, reason);
	ck_assert_int_eq(iadm_rescan(ia, 3, done_cb, &chained), 0);
	ck_assert_int_eq(chained.calls, 0);
}

START_TEST(test_queue_from_callback)
{
	struct mp_link_key k = key("eth1", "198.18.1.1:3260", T1);
	struct rec r = { 0 };

	memset(&chained, 0, sizeof(chained));
	make_ia();
	ck_assert_int_eq(iadm_login(ia, &k, 1, chain_cb, &r), 0);
	run_until(&chained.calls, 1, 5000);
	ck_assert_int_eq(r.err, 0);
	ck_assert_int_eq(chained.err, 0);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("iscsiadm");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_iface);
	tcase_add_test(tc, test_iface_in_use_then_no_module);
	tcase_add_test(tc, test_discover_plain);
	tcase_add_test(tc, test_discover_chap);
	tcase_add_test(tc, test_discover_failures);
	tcase_add_test(tc, test_discover_too_long);
	tcase_add_test(tc, test_login_plain);
	tcase_add_test(tc, test_login_session_exists);
	tcase_add_test(tc, test_login_auth_failed);
	tcase_add_test(tc, test_login_timed_out);
	tcase_add_test(tc, test_login_stops_at_failure);
	tcase_add_test(tc, test_login_chap_secrets_stay_out_of_the_log);
	tcase_add_test(tc, test_logout);
	tcase_add_test(tc, test_logout_fails);
	tcase_add_test(tc, test_rescan);
	tcase_add_test(tc, test_one_node_in_order);
	tcase_add_test(tc, test_nodes_side_by_side);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_timeout_kills);
	tcase_add_test(tc, test_destroy_while_running);
	tcase_add_test(tc, test_destroy_from_callback);
	tcase_add_test(tc, test_missing_program);
	tcase_add_test(tc, test_refuses);
	tcase_add_test(tc, test_queue_from_callback);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)
