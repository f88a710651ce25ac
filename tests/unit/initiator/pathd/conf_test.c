/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathd.conf (initiator/pathd/conf.c): the minimal file, the example as
 * shipped and with every setting uncommented, every default, every refusal
 * with its exact "FILE:LINE: ..." message, the initiator name file, the
 * mode warning, and every prefix of the example (accepted, or refused with
 * a message naming the file; never a crash, never a secret).
 * Tests run from the repository root (conf/pathd.conf).
 */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "initiator/pathd/conf.h"
#include "tests/unit/check_main.h"

#define EXAMPLE "conf/pathd.conf"
#define IQN_FILE "iqn.2026-11.org.example:kvm-from-file"

static char tmpdir[64];
static char conf_path[128];
static char init_path[128];
static struct pathd_conf conf;
static struct cfg_err err;

/* Every secret any test writes: none may ever appear in a message. */
static const char *const secrets[] = {
	"Wm3p-8sQf-Jc2d", "Zy5k-3Vu7-Pw0a", "kQ7v-2Lr-9xTz", "short1", "Hb6t-1Nx4-Rq8e",
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	write_file(path, text, strlen(text), mode);
}

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/portico-pathd-conf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(conf_path, sizeof(conf_path), "%s/pathd.conf", tmpdir);
	snprintf(init_path, sizeof(init_path), "%s/initiatorname.iscsi", tmpdir);
	write_text(init_path, "InitiatorName=" IQN_FILE "\n", 0644);
	memset(&err, 0, sizeof(err));
}

static void teardown(void)
{
	pathd_conf_free(&conf);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void no_secret_in(const char *msg)
{
	for (size_t i = 0; i < ARRAY_SIZE(secrets); i++) {
		char head[7];

		/* not the secret, and not the first 6 bytes of it (a cut file) */
		snprintf(head, sizeof(head), "%s", secrets[i]);
		ck_assert_msg(!strstr(msg, head), "secret '%s' in message: %s", secrets[i], msg);
	}
}

/* Writes text as the configuration (mode 0600) and loads it. */
static int load_text(const char *text)
{
	pathd_conf_free(&conf);
	memset(&err, 0, sizeof(err));
	write_text(conf_path, text, 0600);
	return pathd_conf_load(conf_path, init_path, &conf, &err);
}

static void load_ok(const char *text)
{
	int ret = load_text(text);

	ck_assert_msg(ret == 0, "refused (%d): %s", ret, err.msg);
	ck_assert_str_eq(err.msg, "");
}

/* text is refused with ret and exactly "CONF_PATH:" expect. */
static void refused(const char *text, int ret, const char *expect)
{
	char want[sizeof(err.msg) + 128];
	int got = load_text(text);

	snprintf(want, sizeof(want), "%s:%s", conf_path, expect);
	ck_assert_msg(got == ret, "%d instead of %d for:\n%s\nmessage: %s", got, ret, text,
		      err.msg);
	ck_assert_str_eq(err.msg, want);
	no_secret_in(err.msg);
}

/* The whole of a file, NUL-terminated; the caller frees. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s not found: run from the repository root", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/*
 * The example with every setting uncommented: a line "#key ..." or
 * "#  inner ..." (a setting, or a line of a group) loses its '#'; prose
 * ("# text") stays a comment.
 */
static char *uncomment(const char *text, unsigned int *nlines)
{
	char *out = malloc(strlen(text) + 1), *o = out;
	const char *p = text;

	ck_assert_ptr_nonnull(out);
	*nlines = 0;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p + 1) : strlen(p);

		if (p[0] == '#' && n > 2 && ((p[1] != ' ' && p[1] != '#' && p[1] != '\n') ||
					     (p[1] == ' ' && p[2] == ' '))) {
			p++;
			n--;
			(*nlines)++;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o = '\0';
	return out;
}

static void assert_default_policy(const struct mp_policy *p)
{
	struct mp_policy d;

	mp_policy_default(&d);
	ck_assert_int_eq(p->selector, d.selector);
	ck_assert_int_eq(p->grouping, d.grouping);
	ck_assert_int_eq(p->failback, d.failback);
	ck_assert_uint_eq(p->failback_s, d.failback_s);
	ck_assert_uint_eq(p->no_path_queue_s, d.no_path_queue_s);
	ck_assert_uint_eq(p->replacement_timeout_s, d.replacement_timeout_s);
	ck_assert_uint_eq(p->noop_out_interval_s, d.noop_out_interval_s);
	ck_assert_uint_eq(p->noop_out_timeout_s, d.noop_out_timeout_s);
	ck_assert_uint_eq(p->discovery_interval_s, d.discovery_interval_s);
	ck_assert_uint_eq(p->login_retry_s, d.login_retry_s);
	ck_assert_uint_eq(p->settle_ms, d.settle_ms);
	ck_assert_uint_eq(p->login_timeout_s, d.login_timeout_s);
	ck_assert_uint_eq(p->check_interval_s, d.check_interval_s);
	ck_assert_uint_eq(p->check_interval_max_s, d.check_interval_max_s);
	ck_assert_uint_eq(p->check_timeout_s, d.check_timeout_s);
	ck_assert_uint_eq(p->marginal_failures, d.marginal_failures);
	ck_assert_uint_eq(p->marginal_window_s, d.marginal_window_s);
	ck_assert_uint_eq(p->marginal_hold_s, d.marginal_hold_s);
	ck_assert(p->digests);
	ck_assert_int_eq(p->digests, d.digests);
}

/* ---- accepted files ---- */

START_TEST(test_minimal)
{
	load_ok("discovery = [ \"198.18.1.1\" ];\n");
	ck_assert_str_eq(conf.path, conf_path);
	ck_assert_uint_eq(conf.mp.ndiscovery, 1);
	ck_assert_str_eq(conf.mp.discovery[0], "198.18.1.1:3260");
	/* every default */
	ck_assert_uint_eq(conf.mp.ntargets, 0);
	ck_assert_ptr_null(conf.mp.targets);
	ck_assert_uint_eq(conf.mp.nnics, 0);
	ck_assert_ptr_null(conf.mp.nics);
	ck_assert_uint_eq(conf.mp.naliases, 0);
	ck_assert_ptr_null(conf.mp.aliases);
	assert_default_policy(&conf.mp.policy);
	ck_assert_int_eq(conf.mp.policy.selector, MP_SELECTOR_SERVICE_TIME);
	ck_assert_int_eq(conf.mp.policy.grouping, MP_GROUPING_MULTIBUS);
	ck_assert_int_eq(conf.mp.policy.failback, MP_FAILBACK_IMMEDIATE);
	ck_assert_uint_eq(conf.mp.policy.no_path_queue_s, 30);
	ck_assert_uint_eq(conf.mp.policy.replacement_timeout_s, 5);
	ck_assert_uint_eq(conf.mp.policy.noop_out_interval_s, 5);
	ck_assert_uint_eq(conf.mp.policy.noop_out_timeout_s, 5);
	ck_assert_uint_eq(conf.mp.policy.discovery_interval_s, 60);
	ck_assert_uint_eq(conf.mp.policy.login_retry_s, 5);
	ck_assert_str_eq(conf.initiator, IQN_FILE);
	ck_assert(conf.initiator_from_file);
	ck_assert_str_eq(conf.session_chap.user, "");
	ck_assert_str_eq(conf.session_chap.password, "");
	ck_assert_str_eq(conf.session_chap.user_in, "");
	ck_assert_str_eq(conf.session_chap.password_in, "");
	ck_assert_str_eq(conf.discovery_chap.user, "");
	ck_assert_str_eq(conf.discovery_chap.password, "");
	ck_assert_str_eq(conf.control_socket, PATHD_SOCKET_DEFAULT);
	ck_assert_str_eq(conf.control_socket, "/run/portico/pathd.sock");
	ck_assert_str_eq(conf.multipath_dropin, PATHD_DROPIN_DEFAULT);
	ck_assert_str_eq(conf.multipath_dropin, "/etc/multipath/conf.d/portico-pathd.conf");
	ck_assert_uint_eq(conf.scan_interval_s, PATHD_SCAN_INTERVAL_DEFAULT);
	ck_assert_uint_eq(conf.scan_interval_s, 5);
	ck_assert_int_eq(conf.log_level, LOG_LEVEL_INFO);
	ck_assert_str_eq(conf.debug, "");
	ck_assert_str_eq(conf.warning, "");
	ck_assert_str_eq(conf.virt.uri, "qemu:///system");
	ck_assert_str_eq(conf.virt.pool, "portico");
	ck_assert_str_eq(conf.virt.iscsi_prefix, "portico-iscsi-");
	ck_assert_str_eq(conf.virt.state, "/var/lib/portico/libvirt-pools.conf");
}
END_TEST

START_TEST(test_example_as_shipped)
{
	ck_assert_msg(access(EXAMPLE, R_OK) == 0, EXAMPLE " not found: run from the repository root");
	ck_assert_msg(pathd_conf_load(EXAMPLE, init_path, &conf, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(conf.mp.ndiscovery, 1);
	ck_assert_str_eq(conf.mp.discovery[0], "198.18.1.1:3260");
	ck_assert_uint_eq(conf.mp.ntargets + conf.mp.nnics + conf.mp.naliases, 0);
	assert_default_policy(&conf.mp.policy);
	ck_assert_str_eq(conf.initiator, IQN_FILE);
	ck_assert_str_eq(conf.session_chap.user, "");
	ck_assert_str_eq(conf.discovery_chap.user, "");
	ck_assert_str_eq(conf.control_socket, PATHD_SOCKET_DEFAULT);
	ck_assert_str_eq(conf.multipath_dropin, PATHD_DROPIN_DEFAULT);
	ck_assert_uint_eq(conf.scan_interval_s, PATHD_SCAN_INTERVAL_DEFAULT);
	ck_assert_int_eq(conf.log_level, LOG_LEVEL_INFO);
	ck_assert_str_eq(conf.debug, "");
}
END_TEST

/* Every setting of the example uncommented: each is valid, and each says its default. */
START_TEST(test_example_uncommented)
{
	unsigned int n;
	size_t len;
	char *text = read_all(EXAMPLE, &len);
	char *full = uncomment(text, &n);

	ck_assert_uint_ge(n, 25);
	load_ok(full);
	ck_assert_uint_eq(conf.mp.ndiscovery, 1);
	ck_assert_uint_eq(conf.mp.ntargets, 1);
	ck_assert_str_eq(conf.mp.targets[0], "iqn.2026-11.org.example:storage1");
	ck_assert_str_eq(conf.initiator, "iqn.2026-11.org.example:kvm1");
	ck_assert(!conf.initiator_from_file);
	ck_assert_uint_eq(conf.mp.nnics, 2);
	ck_assert_str_eq(conf.mp.nics[0], "eth1");
	ck_assert_str_eq(conf.mp.nics[1], "eth2");
	ck_assert_str_eq(conf.session_chap.user, "kvm1");
	ck_assert_str_eq(conf.session_chap.password, "Wm3p-8sQf-Jc2d");
	ck_assert_str_eq(conf.session_chap.user_in, "storage1");
	ck_assert_str_eq(conf.session_chap.password_in, "Zy5k-3Vu7-Pw0a");
	ck_assert_str_eq(conf.discovery_chap.user, "discovery");
	ck_assert_str_eq(conf.discovery_chap.password, "kQ7v-2Lr-9xTz");
	ck_assert_str_eq(conf.discovery_chap.user_in, "");
	assert_default_policy(&conf.mp.policy);
	ck_assert_uint_eq(conf.mp.naliases, 2);
	ck_assert_str_eq(conf.mp.aliases[0].wwid, "1PORTICO_800011d719980bd6");
	ck_assert_str_eq(conf.mp.aliases[0].name, "vmstore");
	ck_assert_str_eq(conf.mp.aliases[1].wwid, "360014059f1e2d3c4b5a697887766a5b4");
	ck_assert_str_eq(conf.mp.aliases[1].name, "backup");
	ck_assert_str_eq(conf.control_socket, PATHD_SOCKET_DEFAULT);
	ck_assert_str_eq(conf.multipath_dropin, PATHD_DROPIN_DEFAULT);
	ck_assert_uint_eq(conf.scan_interval_s, PATHD_SCAN_INTERVAL_DEFAULT);
	ck_assert_int_eq(conf.log_level, LOG_LEVEL_INFO);
	ck_assert_str_eq(conf.debug, "pathd,iscsiadm");
	ck_assert_str_eq(conf.warning, ""); /* written 0600 */
	ck_assert_str_eq(conf.virt.uri, VIRT_URI_DEFAULT);
	ck_assert_str_eq(conf.virt.pool, VIRT_POOL_DEFAULT);
	ck_assert_str_eq(conf.virt.iscsi_prefix, VIRT_ISCSI_PREFIX_DEFAULT);
	ck_assert_str_eq(conf.virt.state, VIRT_STATE_DEFAULT);
	free(full);
	free(text);
}
END_TEST

/* Every key away from its default. */
START_TEST(test_every_key_set)
{
	load_ok("discovery = [ \"198.18.1.1:3261\", \"[2001:db8::1]\", \"[2001:DB8::2]:860\" ];\n"
		"targets = [ \"iqn.2026-11.org.example:storage1\", \"eui.0123456789abcdef\" ];\n"
		"initiator = \"iqn.2026-11.org.example:kvm7\";\n"
		"nics = ( \"eth1\", \"bond0.100\", \"enp3s0f1np1\" );\n"
		"chap = { username = \"kvm7\"; password = \"Wm3p-8sQf-Jc2d\"; };\n"
		"discovery_chap = { username = \"disc\"; password = \"kQ7v-2Lr-9xTz\";\n"
		"                   username_in = \"st\"; password_in = \"Zy5k-3Vu7-Pw0a\"; };\n"
		"policy = { selector = \"round-robin 0\"; grouping = \"failover\"; failback = 30;\n"
		"           no_path_queue = 0; replacement_timeout = 20; noop_out_interval = 0;\n"
		"           noop_out_timeout = 0; discovery_interval = 300; login_retry = 10;\n"
		"           check_interval = 2; check_interval_max = 8; check_timeout = 3;\n"
		"           login_timeout = 10;\n"
		"           marginal_failures = 0; marginal_window = 120; marginal_hold = 600;\n"
		"           digests = \"none\"; };\n"
		"aliases = ( { wwid = \"2aabbccddeeff0011\"; alias = \"eui-disk\"; },\n"
		"            { wwid = \"8iqn.2026-11.org.example:lu1\"; alias = \"named_disk.1\"; } );\n"
		"control_socket = \"/run/pathd-test.sock\";\n"
		"multipath_dropin = \"/etc/multipath/conf.d/zz-test.conf\";\n"
		"scan_interval = 30;\n"
		"log_level = \"debug\";\n"
		"debug = \"all\";\n"
		"libvirt_uri = \"qemu+ssh://root@kvm7/system\";\n"
		"libvirt_pool = \"san1\";\n"
		"libvirt_iscsi_prefix = \"san1-\";\n"
		"libvirt_state = \"/srv/pathd/pools.conf\";\n");
	ck_assert_uint_eq(conf.mp.ndiscovery, 3);
	ck_assert_str_eq(conf.mp.discovery[0], "198.18.1.1:3261");
	ck_assert_str_eq(conf.mp.discovery[1], "[2001:db8::1]:3260");
	ck_assert_str_eq(conf.mp.discovery[2], "[2001:db8::2]:860");
	ck_assert_uint_eq(conf.mp.ntargets, 2);
	ck_assert_str_eq(conf.mp.targets[1], "eui.0123456789abcdef");
	ck_assert_str_eq(conf.initiator, "iqn.2026-11.org.example:kvm7");
	ck_assert(!conf.initiator_from_file);
	ck_assert_uint_eq(conf.mp.nnics, 3);
	ck_assert_str_eq(conf.mp.nics[2], "enp3s0f1np1");
	ck_assert_str_eq(conf.session_chap.user, "kvm7");
	ck_assert_str_eq(conf.session_chap.user_in, "");
	ck_assert_str_eq(conf.discovery_chap.user_in, "st");
	ck_assert_str_eq(conf.discovery_chap.password_in, "Zy5k-3Vu7-Pw0a");
	ck_assert_int_eq(conf.mp.policy.selector, MP_SELECTOR_ROUND_ROBIN);
	ck_assert_int_eq(conf.mp.policy.grouping, MP_GROUPING_FAILOVER);
	ck_assert_int_eq(conf.mp.policy.failback, MP_FAILBACK_DELAYED);
	ck_assert_uint_eq(conf.mp.policy.failback_s, 30);
	ck_assert_uint_eq(conf.mp.policy.no_path_queue_s, 0);
	ck_assert_uint_eq(conf.mp.policy.replacement_timeout_s, 20);
	ck_assert_uint_eq(conf.mp.policy.noop_out_interval_s, 0);
	ck_assert_uint_eq(conf.mp.policy.noop_out_timeout_s, 0);
	ck_assert_uint_eq(conf.mp.policy.discovery_interval_s, 300);
	ck_assert_uint_eq(conf.mp.policy.login_retry_s, 10);
	ck_assert_uint_eq(conf.mp.policy.login_timeout_s, 10);
	ck_assert_uint_eq(conf.mp.policy.check_interval_s, 2);
	ck_assert_uint_eq(conf.mp.policy.check_interval_max_s, 8);
	ck_assert_uint_eq(conf.mp.policy.check_timeout_s, 3);
	ck_assert_uint_eq(conf.mp.policy.marginal_failures, 0);
	ck_assert_uint_eq(conf.mp.policy.marginal_window_s, 120);
	ck_assert_uint_eq(conf.mp.policy.marginal_hold_s, 600);
	ck_assert(!conf.mp.policy.digests);
	ck_assert_uint_eq(conf.mp.policy.settle_ms, 500); /* not a key: the machine's default */
	ck_assert_uint_eq(conf.mp.naliases, 2);
	ck_assert_str_eq(conf.mp.aliases[1].wwid, "8iqn.2026-11.org.example:lu1");
	ck_assert_str_eq(conf.mp.aliases[1].name, "named_disk.1");
	ck_assert_str_eq(conf.control_socket, "/run/pathd-test.sock");
	ck_assert_str_eq(conf.multipath_dropin, "/etc/multipath/conf.d/zz-test.conf");
	ck_assert_uint_eq(conf.scan_interval_s, 30);
	ck_assert_int_eq(conf.log_level, LOG_LEVEL_DBG);
	ck_assert_str_eq(conf.debug, "all");
	ck_assert_str_eq(conf.virt.uri, "qemu+ssh://root@kvm7/system");
	ck_assert_str_eq(conf.virt.pool, "san1");
	ck_assert_str_eq(conf.virt.iscsi_prefix, "san1-");
	ck_assert_str_eq(conf.virt.state, "/srv/pathd/pools.conf");
}
END_TEST

/* The other names of the policy, and the limits of each range. */
START_TEST(test_policy_values)
{
	load_ok("discovery = [ \"198.18.1.1\" ];\n"
		"policy = { selector = \"queue-length\"; grouping = \"failover\"; failback = \"manual\"; };\n");
	ck_assert_int_eq(conf.mp.policy.selector, MP_SELECTOR_QUEUE_LENGTH);
	ck_assert_int_eq(conf.mp.policy.failback, MP_FAILBACK_MANUAL);
	load_ok("discovery = [ \"198.18.1.1\" ];\n"
		"policy = { selector = \"service-time 0\"; grouping = \"failover\"; failback = \"immediate\"; };\n");
	ck_assert_int_eq(conf.mp.policy.selector, MP_SELECTOR_SERVICE_TIME);
	ck_assert_int_eq(conf.mp.policy.failback, MP_FAILBACK_IMMEDIATE);
	/* with multibus too: ALUA states make groups of a multibus map */
	load_ok("discovery = [ \"198.18.1.1\" ];\n"
		"policy = { grouping = \"multibus\"; failback = 20; };\n");
	ck_assert_int_eq(conf.mp.policy.grouping, MP_GROUPING_MULTIBUS);
	ck_assert_int_eq(conf.mp.policy.failback, MP_FAILBACK_DELAYED);
	ck_assert_uint_eq(conf.mp.policy.failback_s, 20);
	load_ok("discovery = [ \"198.18.1.1\" ];\n"
		"policy = { selector = \"round-robin\"; grouping = \"failover\"; failback = 3600;\n"
		"  no_path_queue = 86400; replacement_timeout = 600; noop_out_interval = 3600;\n"
		"  noop_out_timeout = 3600; discovery_interval = 86400; login_retry = 300; };\n"
		"scan_interval = 3600;\n");
	ck_assert_int_eq(conf.mp.policy.selector, MP_SELECTOR_ROUND_ROBIN);
	ck_assert_uint_eq(conf.mp.policy.failback_s, 3600);
	ck_assert_uint_eq(conf.mp.policy.no_path_queue_s, 86400);
	ck_assert_uint_eq(conf.mp.policy.replacement_timeout_s, 600);
	ck_assert_uint_eq(conf.mp.policy.noop_out_interval_s, 3600);
	ck_assert_uint_eq(conf.mp.policy.noop_out_timeout_s, 3600);
	ck_assert_uint_eq(conf.mp.policy.discovery_interval_s, 86400);
	ck_assert_uint_eq(conf.mp.policy.login_retry_s, 300);
	ck_assert_uint_eq(conf.scan_interval_s, 3600);
	load_ok("discovery = [ \"198.18.1.1\" ];\n"
		"policy = { grouping = \"failover\"; failback = 1; replacement_timeout = 1;\n"
		"  noop_out_interval = 1; noop_out_timeout = 1; discovery_interval = 10; login_retry = 1; };\n"
		"scan_interval = 1;\n");
	ck_assert_uint_eq(conf.mp.policy.failback_s, 1);
	ck_assert_uint_eq(conf.mp.policy.replacement_timeout_s, 1);
	ck_assert_uint_eq(conf.mp.policy.discovery_interval_s, 10);
	ck_assert_uint_eq(conf.scan_interval_s, 1);
	/* libconfig's other spellings: an empty array of aliases, a list of discovery addresses */
	load_ok("discovery = ( \"198.18.1.1\" ); aliases = [ ]; log_level = \"err\"; debug = \"\";\n");
	ck_assert_uint_eq(conf.mp.naliases, 0);
	ck_assert_int_eq(conf.log_level, LOG_LEVEL_ERR);
	load_ok("discovery = [ \"198.18.1.1\" ]; log_level = \"warn\";\n");
	ck_assert_int_eq(conf.log_level, LOG_LEVEL_WARN);
}
END_TEST

/*
 * @include: relative to the file. A message about an included file names
 * it as libconfig does, as written in @include; the warning names the path.
 */
START_TEST(test_include)
{
	char inc[160], want[512];

	snprintf(inc, sizeof(inc), "%s/chap.conf", tmpdir);
	write_text(inc, "chap = { username = \"kvm1\"; password = \"Wm3p-8sQf-Jc2d\"; };\n", 0644);
	load_ok("discovery = [ \"198.18.1.1\" ];\n@include \"chap.conf\"\n");
	ck_assert_str_eq(conf.session_chap.password, "Wm3p-8sQf-Jc2d");
	snprintf(want, sizeof(want),
		 "%s holds CHAP secrets but is readable by group or others (mode 0644): chmod 600 %s",
		 inc, inc);
	ck_assert_str_eq(conf.warning, want);

	write_text(inc, "chap = { username = \"kvm1\"; password = \"short1\"; };\n", 0600);
	ck_assert_int_eq(load_text("discovery = [ \"198.18.1.1\" ];\n@include \"chap.conf\"\n"),
			 -EINVAL);
	ck_assert_str_eq(err.msg, "chap.conf:1: chap: password is shorter than 12 bytes "
				  "(RFC 7143 §9.2.1: 96 bits at least without IPsec)");
}
END_TEST

/* A file with CHAP secrets that group or others may read: loaded, with a warning (as porticod). */
START_TEST(test_secret_file_mode)
{
	static const char text[] =
		"discovery = [ \"198.18.1.1\" ];\n"
		"discovery_chap = { username = \"disc\"; password = \"kQ7v-2Lr-9xTz\"; };\n";
	char want[512];

	write_text(conf_path, text, 0640);
	ck_assert_int_eq(pathd_conf_load(conf_path, init_path, &conf, &err), 0);
	snprintf(want, sizeof(want),
		 "%s holds CHAP secrets but is readable by group or others (mode 0640): chmod 600 %s",
		 conf_path, conf_path);
	ck_assert_str_eq(conf.warning, want);
	no_secret_in(conf.warning);
	pathd_conf_free(&conf);

	write_text(conf_path, text, 0604);
	ck_assert_int_eq(pathd_conf_load(conf_path, init_path, &conf, &err), 0);
	ck_assert_ptr_nonnull(strstr(conf.warning, "(mode 0604)"));
	pathd_conf_free(&conf);

	write_text(conf_path, text, 0600);
	ck_assert_int_eq(pathd_conf_load(conf_path, init_path, &conf, &err), 0);
	ck_assert_str_eq(conf.warning, "");
	pathd_conf_free(&conf);

	/* no secrets: any mode */
	write_text(conf_path, "discovery = [ \"198.18.1.1\" ];\n", 0644);
	ck_assert_int_eq(pathd_conf_load(conf_path, init_path, &conf, &err), 0);
	ck_assert_str_eq(conf.warning, "");
}
END_TEST

/* pathd_conf_free wipes the secrets and may run twice. */
START_TEST(test_free)
{
	load_ok("discovery = [ \"198.18.1.1\" ];\n"
		"chap = { username = \"kvm1\"; password = \"Wm3p-8sQf-Jc2d\"; };\n");
	pathd_conf_free(&conf);
	ck_assert_str_eq(conf.session_chap.password, "");
	ck_assert_ptr_null(conf.mp.discovery);
	pathd_conf_free(&conf);
	pathd_conf_free(NULL);
}
END_TEST

/* ---- refusals: one row per check, with its exact message after "FILE:" ---- */

#define D1 "discovery = [ \"198.18.1.1\" ];\n"
#define LONG64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define TOP_KEYS                                                                                   \
	"discovery, targets, initiator, nics, chap, discovery_chap, policy, aliases, "              \
	"control_socket, multipath_dropin, scan_interval, log_level, debug, libvirt_uri, "          \
	"libvirt_pool, libvirt_iscsi_prefix, libvirt_state"
#define POLICY_KEYS                                                                                \
	"selector, grouping, failback, no_path_queue, replacement_timeout, noop_out_interval, "     \
	"noop_out_timeout, discovery_interval, login_retry, login_timeout, check_interval, "        \
	"check_interval_max, check_timeout, marginal_failures, marginal_window, marginal_hold, "     \
	"digests"
#define SECRET_RULE "(RFC 7143 §9.2.1: 96 bits at least without IPsec)"

static const struct refusal {
	const char *text;
	const char *expect; /* after "CONF_PATH:" */
} refusals[] = {
	/* unknown keys: the keys allowed, a neighbour's name, the right group, a typo */
	{ D1 "selecter = 1;\n", "2: unknown key 'selecter' (allowed: " TOP_KEYS ")" },
	{ D1 "nic = [ \"eth1\" ];\n",
	  "2: unknown key 'nic': did you mean 'nics'? (allowed: " TOP_KEYS ")" },
	{ D1 "policy = { selecter = \"round-robin\"; };\n",
	  "2: unknown key 'selecter': did you mean 'selector'? (allowed: " POLICY_KEYS ")" },
	{ D1 "policy = { path_selector = \"round-robin 0\"; };\n",
	  "2: unknown key 'path_selector': multipath.conf's path_selector is selector here: selector = \"service-time\";" },
	{ D1 "policy = { path_grouping_policy = \"multibus\"; };\n",
	  "2: unknown key 'path_grouping_policy': multipath.conf's path_grouping_policy is grouping here: grouping = \"multibus\";" },
	{ D1 "policy = { no_path_retry = 12; };\n",
	  "2: unknown key 'no_path_retry': multipath.conf's no_path_retry counts checker intervals; here write no_path_queue = SECONDS; (0: fail at once)" },
	/* multipath.conf's and porticod.conf's names outside the group theirs belong in */
	{ D1 "path_selector = \"round-robin 0\";\n",
	  "2: unknown key 'path_selector': multipath.conf's path_selector is selector here: selector = \"service-time\"; (selector belongs in policy = { ... })" },
	{ D1 "no_path_retry = 12;\n",
	  "2: unknown key 'no_path_retry': multipath.conf's no_path_retry counts checker intervals; here write no_path_queue = SECONDS; (0: fail at once) (no_path_queue belongs in policy = { ... })" },
	{ D1 "userid = \"kvm1\";\n",
	  "2: unknown key 'userid': porticod.conf's userid is username here (as open-iscsi calls it) (username belongs in chap = { ... } or discovery_chap = { ... })" },
	{ D1 "policy = { polling_interval = 5; };\n",
	  "2: unknown key 'polling_interval': multipath.conf's polling_interval is scan_interval here: scan_interval = SECONDS; (scan_interval belongs at the top level)" },
	{ D1 "multipaths = ( );\n",
	  "2: unknown key 'multipaths': multipath.conf's multipaths section is aliases here: aliases = ( { wwid = \"3...\"; alias = \"vmstore\"; } );" },
	{ D1 "chap = { userid = \"kvm1\"; password = \"Wm3p-8sQf-Jc2d\"; };\n",
	  "2: unknown key 'userid': porticod.conf's userid is username here (as open-iscsi calls it)" },
	{ D1 "discovery_auth = { };\n",
	  "2: unknown key 'discovery_auth': porticod.conf's discovery_auth is discovery_chap here: discovery_chap = { username = \"...\"; password = \"...\"; };" },
	{ D1 "InitiatorName = \"iqn.2026-11.org.example:kvm1\";\n",
	  "2: unknown key 'InitiatorName': write initiator = \"iqn....\";" },
	{ D1 "selector = \"round-robin\";\n",
	  "2: 'selector' is not a key here: it belongs in policy = { ... }" },
	{ D1 "password = \"Wm3p-8sQf-Jc2d\";\n",
	  "2: 'password' is not a key here: it belongs in chap = { ... } or discovery_chap = { ... }" },
	{ D1 "policy = { scan_interval = 5; };\n",
	  "2: 'scan_interval' is not a key here: it belongs at the top level" },
	{ D1 "aliases = ( { wwid = \"33a1b2c3d4e5f6071\"; name = \"x\"; } );\n",
	  "2: unknown key 'name' (allowed: wwid, alias)" },
	{ D1 "chap = { username = \"kvm1\"; pasword = \"Wm3p-8sQf-Jc2d\"; };\n",
	  "2: unknown key 'pasword': did you mean 'password'? (allowed: username, password, username_in, password_in)" },

	/* discovery */
	{ "log_level = \"info\";\n",
	  " no discovery address: add discovery = [ \"192.0.2.1\" ]; (a portal or discovery address of your storage; port 3260 unless given)" },
	{ "discovery = [ ];\n",
	  "1: 'discovery' is empty: list at least one address of your storage, discovery = [ \"192.0.2.1\" ];" },
	{ "discovery = \"198.18.1.1\";\n",
	  "1: 'discovery' must be a list of strings: discovery = [ \"192.0.2.1\", \"192.0.2.2:3260\" ];" },
	{ "discovery = { a = 1; };\n",
	  "1: 'discovery' must be a list of strings: discovery = [ \"192.0.2.1\", \"192.0.2.2:3260\" ];" },
	{ "discovery = [ 198 ];\n",
	  "1: each element of 'discovery' must be a string in double quotes: discovery = [ \"192.0.2.1\", \"192.0.2.2:3260\" ];" },
	{ "discovery = [ \"storage1.example.org\" ];\n",
	  "1: discovery address 'storage1.example.org': host names are not accepted: give an IP address (pathd does no DNS lookups, so that a host finds its storage when the name server, often a VM on that storage, is down)" },
	{ "discovery = [ \"storage1:3260\" ];\n",
	  "1: discovery address 'storage1:3260': host names are not accepted: give an IP address (pathd does no DNS lookups, so that a host finds its storage when the name server, often a VM on that storage, is down)" },
	{ "discovery = [ \"198.18.1\" ];\n", "1: discovery address '198.18.1': not an IPv4 address" },
	{ "discovery = [ \"198.18.1.1:0\" ];\n",
	  "1: discovery address '198.18.1.1:0': port 0 is not a port a portal can listen on" },
	{ "discovery = [ \"198.18.1.1:65536\" ];\n",
	  "1: discovery address '198.18.1.1:65536': the port is larger than 65535" },
	{ "discovery = [ \"2001:db8::1:3260\", \"[2001:db8::1\" ];\n",
	  "1: discovery address '[2001:db8::1': missing ']' after an IPv6 address" },
	{ "discovery = [ \"0.0.0.0\" ];\n",
	  "1: discovery address '0.0.0.0': the wildcard address, which reaches no portal: give the address of one of the storage's portals" },
	{ "discovery = [ \"[::]:3260\" ];\n",
	  "1: discovery address '[::]:3260': the wildcard address, which reaches no portal: give the address of one of the storage's portals" },
	{ "discovery = [ \"[::ffff:198.18.1.1]\" ];\n",
	  "1: discovery address '[::ffff:198.18.1.1]': an IPv4-mapped IPv6 address: write \"198.18.1.1\"" },
	{ "discovery = [ \"[::ffff:198.18.1.1]:860\" ];\n",
	  "1: discovery address '[::ffff:198.18.1.1]:860': an IPv4-mapped IPv6 address: write \"198.18.1.1:860\"" },
	{ "discovery = [ \"[fe80::1%1]:3260\" ];\n",
	  "1: discovery address '[fe80::1%1]:3260': an IPv6 zone index ('%') is not accepted: give a global or unique local address (the NIC a session uses is chosen by nics)" },
	{ "discovery = [ \"198.18.1.1\",\n  \"198.18.1.1:3260\" ];\n",
	  "2: discovery address '198.18.1.1:3260' is listed twice (as 198.18.1.1:3260): remove one" },
	{ "discovery = [ \"[2001:db8::1]\", \"[2001:DB8:0::1]:3260\" ];\n",
	  "1: discovery address '[2001:DB8:0::1]:3260' is listed twice (as [2001:db8::1]:3260): remove one" },

	/* targets */
	{ D1 "targets = [ \"iqn.2026-13.org.example:storage1\" ];\n",
	  "2: target 'iqn.2026-13.org.example:storage1' is not a valid iSCSI name: iqn. name has a month outside 01..12 in its date" },
	{ D1 "targets = [ \"storage1\" ];\n",
	  "2: target 'storage1' is not a valid iSCSI name: name must start with 'iqn.', 'eui.' or 'naa.'" },
	{ D1 "targets = [ \"iqn.2026-11.org.example:s1\", \"IQN.2026-11.org.example:S1\" ];\n",
	  "2: target 'IQN.2026-11.org.example:S1' is listed twice: remove one" },
	{ D1 "targets = [ ];\n",
	  "2: 'targets' is empty: list the targets to use, or leave the key out to use every target discovery shows" },

	/* initiator */
	{ D1 "initiator = \"kvm1\";\n",
	  "2: initiator 'kvm1' is not a valid iSCSI name: name must start with 'iqn.', 'eui.' or 'naa.'" },
	{ D1 "initiator = \"iqn.2026-11.org.example:kvm 1\";\n",
	  "2: initiator 'iqn.2026-11.org.example:kvm 1' is not a valid iSCSI name: name contains a space" },
	{ D1 "initiator = 5;\n", "2: 'initiator' must be a string (in double quotes)" },

	/* NICs: the kernel's dev_valid_name */
	{ D1 "nics = [ \"eth1/0\" ];\n",
	  "2: NIC 'eth1/0' holds a '/', a ':' or a blank, which no interface name has" },
	{ D1 "nics = [ \"eth1:0\" ];\n",
	  "2: NIC 'eth1:0' holds a '/', a ':' or a blank, which no interface name has" },
	{ D1 "nics = [ \"eth 1\" ];\n",
	  "2: NIC 'eth 1' holds a '/', a ':' or a blank, which no interface name has" },
	{ D1 "nics = [ \"enp3s0f1np1vlan100\" ];\n",
	  "2: NIC 'enp3s0f1np1vlan100' is longer than 15 bytes (IFNAMSIZ)" },
	{ D1 "nics = [ \"\" ];\n", "2: NIC '' is empty" },
	{ D1 "nics = [ \"..\" ];\n", "2: NIC '..' is not an interface name" },
	{ D1 "nics = [ \"eth1\",\n \"eth1\" ];\n", "3: NIC 'eth1' is listed twice: remove one" },
	{ D1 "nics = [ ];\n",
	  "2: 'nics' is empty: name the storage NICs, or leave the key out to use the links whose routes reach the discovery addresses" },

	/* CHAP: RFC 7143 §12.1.3, the secrets' lengths and directions */
	{ D1 "chap = \"kvm1\";\n",
	  "2: 'chap' must be a group: chap = { username = \"...\"; password = \"...\"; };" },
	{ D1 "chap = { username = \"kvm1\"; password = \"short1\"; };\n",
	  "2: chap: password is shorter than 12 bytes " SECRET_RULE },
	{ D1 "chap = { username = \"kvm1\"; password = \"" LONG64 LONG64 LONG64 LONG64 "\"; };\n",
	  "2: chap: password is longer than 255 bytes" },
	{ D1 "chap = { username = \"kvm1\"; password = \"Wm3p-8sQf\\nJc2d\"; };\n",
	  "2: chap: password holds a control character (open-iscsi keeps secrets in its records, one per line)" },
	{ D1 "chap = { username = \"\"; password = \"Wm3p-8sQf-Jc2d\"; };\n", "2: chap: username is empty" },
	{ D1 "chap = { username = \"kvm\\t1\"; password = \"Wm3p-8sQf-Jc2d\"; };\n",
	  "2: chap: username holds a control character" },
	{ D1 "chap = { username = \"" LONG64 LONG64 LONG64 LONG64 "\"; password = \"Wm3p-8sQf-Jc2d\"; };\n",
	  "2: chap: username is longer than 255 bytes (RFC 7143 §6.1)" },
	{ D1 "chap = { username = 1; password = \"Wm3p-8sQf-Jc2d\"; };\n",
	  "2: 'username' must be a string (in double quotes)" },
	{ D1 "chap = {\n username = \"kvm1\"; };\n", "3: chap: username and password go together" },
	{ D1 "chap = {\n password = \"Wm3p-8sQf-Jc2d\"; };\n", "3: chap: username and password go together" },
	{ D1 "chap = { username = \"kvm1\"; password = \"Wm3p-8sQf-Jc2d\";\n"
	     " username_in = \"storage1\"; };\n",
	  "3: chap: username_in and password_in go together" },
	{ D1 "discovery_chap = { username = \"kvm1\"; password = \"Wm3p-8sQf-Jc2d\";\n"
	     " password_in = \"Zy5k-3Vu7-Pw0a\"; };\n",
	  "3: discovery_chap: username_in and password_in go together" },
	{ D1 "chap = {\n username_in = \"storage1\"; password_in = \"Zy5k-3Vu7-Pw0a\"; };\n",
	  "3: chap: mutual CHAP (username_in, password_in: the target proving itself) needs username and password too" },
	{ D1 "discovery_chap = { };\n",
	  "2: discovery_chap needs username and password (or leave it out)" },
	{ D1 "chap = { username = \"kvm1\"; password = \"Wm3p-8sQf-Jc2d\";\n"
	     " username_in = \"storage1\";\n password_in = \"Wm3p-8sQf-Jc2d\"; };\n",
	  "4: chap: password_in must differ from password (RFC 7143 §9.2.1: one secret never authenticates both sides)" },
	{ D1 "chap = { username = \"kvm1\"; password = \"Wm3p-8sQf-Jc2d\"; };\n"
	     "discovery_chap = { username = \"disc\"; password = \"kQ7v-2Lr-9xTz\";\n"
	     " username_in = \"st\";\n password_in = \"Wm3p-8sQf-Jc2d\"; };\n",
	  "5: discovery_chap: password_in is chap's password (RFC 7143 §9.2.1: a secret that authenticates this host never authenticates a target)" },
	{ D1 "chap = { username = \"kvm1\"; password = \"Wm3p-8sQf-Jc2d\";\n"
	     " username_in = \"st\";\n password_in = \"kQ7v-2Lr-9xTz\"; };\n"
	     "discovery_chap = { username = \"disc\"; password = \"kQ7v-2Lr-9xTz\"; };\n",
	  "4: chap: password_in is discovery_chap's password (RFC 7143 §9.2.1: a secret that authenticates this host never authenticates a target)" },

	/* policy */
	{ D1 "policy = 5;\n",
	  "2: 'policy' must be a group: policy = { selector = \"service-time\"; ... };" },
	{ D1 "policy = { selector = \"round_robin\"; };\n",
	  "2: selector 'round_robin' is not one of service-time, round-robin, queue-length: did you mean 'round-robin'?" },
	{ D1 "policy = { selector = \"least-pending\"; };\n",
	  "2: selector 'least-pending' is not one of service-time, round-robin, queue-length" },
	{ D1 "policy = { selector = \"round-robin 1\"; };\n",
	  "2: selector 'round-robin 1' is not one of service-time, round-robin, queue-length: did you mean 'round-robin'?" },
	{ D1 "policy = { selector = 1; };\n",
	  "2: selector must be one of service-time, round-robin, queue-length, in double quotes" },
	{ D1 "policy = { grouping = \"group_by_prio\"; };\n",
	  "2: grouping 'group_by_prio' is not one of multibus, failover" },
	{ D1 "policy = { grouping = \"failovr\"; };\n",
	  "2: grouping 'failovr' is not one of multibus, failover: did you mean 'failover'?" },
	{ D1 "policy = { grouping = \"failover\";\n failback = \"followover\"; };\n",
	  "3: failback 'followover' is not one of immediate, manual or a number of seconds" },
	{ D1 "policy = { grouping = \"failover\";\n failback = 0; };\n",
	  "3: failback 0: write failback = \"immediate\";" },
	{ D1 "policy = { grouping = \"failover\";\n failback = 7200; };\n",
	  "3: failback must be \"immediate\", \"manual\" or from 1 to 3600 seconds, not 7200" },
	{ D1 "policy = { grouping = \"failover\";\n failback = -5; };\n",
	  "3: failback must be \"immediate\", \"manual\" or from 1 to 3600 seconds, not -5" },
	{ D1 "policy = { grouping = \"failover\";\n failback = 1.5; };\n",
	  "3: failback must be \"immediate\", \"manual\" or a whole number of seconds" },
	{ D1 "policy = { no_path_queue = \"queue\"; };\n",
	  "2: no_path_queue 'queue': queueing forever is not offered (a storage that never comes back would hang every reader of the map); give seconds up to 86400, and libvirt's error_policy='stop' to pause VMs instead of failing their I/O" },
	{ D1 "policy = { no_path_queue = \"fail\"; };\n",
	  "2: no_path_queue \"fail\": write no_path_queue = 0;" },
	{ D1 "policy = { no_path_queue = \"30\"; };\n",
	  "2: 'no_path_queue' must be a number of seconds without quotes: no_path_queue = 30;" },
	{ D1 "policy = { no_path_queue = 86401; };\n",
	  "2: 'no_path_queue' must be from 0 to 86400 seconds, not 86401" },
	{ D1 "policy = { no_path_queue = -1; };\n",
	  "2: 'no_path_queue' must be from 0 to 86400 seconds, not -1" },
	{ D1 "policy = { replacement_timeout = 0; };\n",
	  "2: 'replacement_timeout' must be from 1 to 600 seconds, not 0" },
	{ D1 "policy = { replacement_timeout = 601; };\n",
	  "2: 'replacement_timeout' must be from 1 to 600 seconds, not 601" },
	{ D1 "policy = { replacement_timeout = 5.5; };\n",
	  "2: 'replacement_timeout' must be a whole number of seconds: replacement_timeout = 5;" },
	{ D1 "policy = { replacement_timeout = 10000000000L; };\n",
	  "2: 'replacement_timeout' must be from 1 to 600 seconds, not 10000000000" },
	{ D1 "policy = { noop_out_interval = 3601; };\n",
	  "2: 'noop_out_interval' must be from 0 to 3600 seconds, not 3601" },
	{ D1 "policy = { noop_out_timeout = 3601; };\n",
	  "2: 'noop_out_timeout' must be from 0 to 3600 seconds, not 3601" },
	{ D1 "policy = { noop_out_interval = 10;\n noop_out_timeout = 0; };\n",
	  "3: noop_out_interval and noop_out_timeout are both 0 (no pings) or both more than 0, not 10 and 0" },
	{ D1 "policy = {\n noop_out_interval = 0; };\n",
	  "3: noop_out_interval and noop_out_timeout are both 0 (no pings) or both more than 0, not 0 and 5" },
	{ D1 "policy = {\n noop_out_timeout = 0; };\n",
	  "3: noop_out_interval and noop_out_timeout are both 0 (no pings) or both more than 0, not 5 and 0" },
	{ D1 "policy = { discovery_interval = 5; };\n",
	  "2: 'discovery_interval' must be from 10 to 86400 seconds, not 5" },
	{ D1 "policy = { login_timeout = 0; };\n",
	  "2: 'login_timeout' must be from 1 to 60 seconds, not 0" },
	{ D1 "policy = { check_interval = 0; };\n",
	  "2: 'check_interval' must be from 1 to 60 seconds, not 0" },
	{ D1 "policy = { check_interval = 5;\n check_interval_max = 2; };\n",
	  "3: check_interval_max (2) is less than check_interval (5): it is how far the interval grows on a healthy path" },
	{ D1 "policy = {\n check_interval = 3; };\n",
	  "3: check_interval_max (2) is less than check_interval (3): it is how far the interval grows on a healthy path" },
	{ D1 "policy = { check_timeout = 61; };\n",
	  "2: 'check_timeout' must be from 1 to 60 seconds, not 61" },
	{ D1 "policy = { marginal_failures = 101; };\n",
	  "2: 'marginal_failures' must be from 0 to 100 failures, not 101" },
	{ D1 "policy = { marginal_failures = \"3\"; };\n",
	  "2: 'marginal_failures' must be a number of failures without quotes: marginal_failures = 3;" },
	{ D1 "policy = { marginal_hold = 0; };\n",
	  "2: 'marginal_hold' must be from 1 to 3600 seconds, not 0" },
	{ D1 "policy = { digests = \"crc32\"; };\n",
	  "2: digests 'crc32' is not one of crc32c, none: did you mean 'crc32c'?" },
	{ D1 "policy = { digests = true; };\n",
	  "2: digests must be one of crc32c, none, in double quotes" },
	{ D1 "policy = { login_retry = 301; };\n",
	  "2: 'login_retry' must be from 1 to 300 seconds, not 301" },
	{ D1 "policy = { login_retry = 0; };\n",
	  "2: 'login_retry' must be from 1 to 300 seconds, not 0" },

	/* aliases: a WWID as multipath writes it, a device-mapper name, no duplicates */
	{ D1 "aliases = { wwid = \"33a1b2c3d4e5f6071\"; alias = \"vmstore\"; };\n",
	  "2: 'aliases' must be a list of groups: aliases = ( { wwid = \"3...\"; alias = \"vmstore\"; } );" },
	{ D1 "aliases = ( \"vmstore\" );\n",
	  "2: each element of 'aliases' must be a group: { wwid = \"3...\"; alias = \"vmstore\"; }" },
	{ D1 "aliases = (\n { wwid = \"33a1b2c3d4e5f6071\"; } );\n",
	  "3: missing required setting 'alias'" },
	{ D1 "aliases = ( { wwid = \"4abc\"; alias = \"vmstore\"; } );\n",
	  "2: wwid '4abc' must start with the designator type multipath shows: 1 (T10 vendor ID: Portico LUs on Debian 12), 3 (NAA), 2 (EUI-64) or 8 (SCSI name string)" },
	{ D1 "aliases = ( { wwid = \"33A1B2C3D4E5F6071\"; alias = \"vmstore\"; } );\n",
	  "2: wwid '33A1B2C3D4E5F6071' has upper-case hex digits, which multipath never writes: write \"33a1b2c3d4e5f6071\"" },
	{ D1 "aliases = ( { wwid = \"0x3A1B2C3D4E5F6071\"; alias = \"vmstore\"; } );\n",
	  "2: wwid '0x3A1B2C3D4E5F6071' is an NAA designator without the type digit multipath puts before it: write \"33a1b2c3d4e5f6071\"" },
	{ D1 "aliases = ( { wwid = \"60014059f1e2d3c4b5a697887766a5b4\"; alias = \"vmstore\"; } );\n",
	  "2: wwid '60014059f1e2d3c4b5a697887766a5b4' is an NAA designator without the type digit multipath puts before it: write \"360014059f1e2d3c4b5a697887766a5b4\"" },
	{ D1 "aliases = ( { wwid = \"33a1b2c3d4e5f607\"; alias = \"vmstore\"; } );\n",
	  "2: wwid '33a1b2c3d4e5f607' must be '3' and 16 or 32 hex digits (an NAA designator of 8 or 16 bytes)" },
	{ D1 "aliases = ( { wwid = \"33a1b2c3d4e5f607x\"; alias = \"vmstore\"; } );\n",
	  "2: wwid '33a1b2c3d4e5f607x' must be '3' and the NAA designator in hex digits" },
	{ D1 "aliases = ( { wwid = \"2aabbccddeeff00\"; alias = \"vmstore\"; } );\n",
	  "2: wwid '2aabbccddeeff00' must be '2' and 16, 24 or 32 hex digits (an EUI-64 designator)" },
	{ D1 "aliases = ( { wwid = \"1\"; alias = \"vmstore\"; } );\n",
	  "2: wwid '1' has a type digit and no designator" },
	{ D1 "aliases = ( { wwid = \"1PORTICO VIRTUAL-DISK\"; alias = \"vmstore\"; } );\n",
	  "2: wwid '1PORTICO VIRTUAL-DISK' holds a blank, a control character or a non-ASCII byte" },
	{ D1 "aliases = ( { wwid = \"\"; alias = \"vmstore\"; } );\n", "2: wwid '' is empty" },
	{ D1 "aliases = ( { wwid = \"8" LONG64 LONG64 "\"; alias = \"vmstore\"; } );\n",
	  "2: wwid '8" LONG64 LONG64 "' is longer than 127 bytes" },
	{ D1 "aliases = ( { wwid = \"33a1b2c3d4e5f6071\"; alias = \"vm/store\"; } );\n",
	  "2: alias 'vm/store' holds a '/' (a device-mapper name is one file name in /dev/mapper)" },
	{ D1 "aliases = ( { wwid = \"33a1b2c3d4e5f6071\"; alias = \".vmstore\"; } );\n",
	  "2: alias '.vmstore' must not start with '.'" },
	{ D1 "aliases = ( { wwid = \"33a1b2c3d4e5f6071\"; alias = \"..\"; } );\n",
	  "2: alias '..' must not start with '.'" },
	{ D1 "aliases = ( { wwid = \"33a1b2c3d4e5f6071\"; alias = \"control\"; } );\n",
	  "2: alias 'control' is /dev/mapper/control, device-mapper's own node" },
	{ D1 "aliases = ( { wwid = \"33a1b2c3d4e5f6071\"; alias = \"vm store\"; } );\n",
	  "2: alias 'vm store' holds a blank, a control character or a non-ASCII byte (udev and libvirt would not keep it as is)" },
	{ D1 "aliases = ( { wwid = \"33a1b2c3d4e5f6071\"; alias = \"\"; } );\n", "2: alias '' is empty" },
	{ D1 "aliases = ( { wwid = \"33a1b2c3d4e5f6071\"; alias = \"" LONG64 LONG64 "\"; } );\n",
	  "2: alias '" LONG64 LONG64 "' is longer than 127 bytes (a device-mapper name, DM_NAME_LEN)" },
	{ D1 "aliases = ( { wwid = \"33a1b2c3d4e5f6071\"; alias = \"a\"; },\n"
	     " { wwid = \"33a1b2c3d4e5f6071\"; alias = \"b\"; } );\n",
	  "3: wwid '33a1b2c3d4e5f6071' has two aliases ('a' and 'b'): keep one" },
	{ D1 "aliases = ( { wwid = \"33a1b2c3d4e5f6071\"; alias = \"a\"; },\n"
	     " { wwid = \"33a1b2c3d4e5f6072\"; alias = \"a\"; } );\n",
	  "3: alias 'a' is given to two WWIDs (33a1b2c3d4e5f6071 and 33a1b2c3d4e5f6072): a name is one map" },
	{ D1 "aliases = ( { wwid = \"33a1b2c3d4e5f6071\"; alias = \"a\"; },\n"
	     " { wwid = \"33a1b2c3d4e5f6072\"; alias = \"33a1b2c3d4e5f6071\"; } );\n",
	  "3: alias '33a1b2c3d4e5f6071' is the WWID of another map, which is named by it: choose another" },

	/* the daemon's own settings */
	{ D1 "control_socket = \"pathd.sock\";\n",
	  "2: control_socket 'pathd.sock' must be an absolute path (a UNIX socket path holds at most 107 bytes)" },
	{ D1 "control_socket = \"/run/" LONG64 LONG64 "\";\n",
	  "2: control_socket '/run/" LONG64 LONG64 "' is too long (a UNIX socket path holds at most 107 bytes)" },
	{ D1 "multipath_dropin = \"/etc/multipath/conf.d/portico-pathd\";\n",
	  "2: multipath_dropin '/etc/multipath/conf.d/portico-pathd' must name a file ending in \".conf\" (multipathd reads no other file of its config_dir)" },
	{ D1 "multipath_dropin = \"/etc/multipath/conf.d/.conf\";\n",
	  "2: multipath_dropin '/etc/multipath/conf.d/.conf' must name a file ending in \".conf\" (multipathd reads no other file of its config_dir)" },
	{ D1 "multipath_dropin = \"portico-pathd.conf\";\n",
	  "2: multipath_dropin 'portico-pathd.conf' must be an absolute path" },
	{ D1 "scan_interval = 0;\n", "2: 'scan_interval' must be from 1 to 3600 seconds, not 0" },
	{ D1 "log_level = \"verbose\";\n",
	  "2: log_level 'verbose' is not one of err, warn, info, debug" },
	{ D1 "debug = \"Pathd\";\n",
	  "2: debug 'Pathd' must be a comma-separated list of components, such as \"pathd,iscsiadm\" or \"all\"" },
	{ D1 "debug = \"" LONG64 LONG64 LONG64 LONG64 "\";\n", "2: debug is longer than 255 characters" },

	/* libvirt */
	{ D1 "libvirt_uri = \"qemu\";\n",
	  "2: libvirt_uri 'qemu' is not a URI (a driver, then ':', as in \"qemu:///system\")" },
	{ D1 "libvirt_uri = \"qemu:///system \";\n",
	  "2: libvirt_uri 'qemu:///system ' holds a blank or a control character" },
	{ D1 "libvirt_uri = 1;\n", "2: 'libvirt_uri' must be a string (in double quotes)" },
	{ D1 "libvirt_pool = \"vm/pool\";\n",
	  "2: libvirt_pool 'vm/pool' holds a '/' (libvirt keeps a pool in /etc/libvirt/storage/NAME.xml)" },
	{ D1 "libvirt_pool = \"vm pool\";\n",
	  "2: libvirt_pool 'vm pool' may hold only letters, digits, '.', '_', '+' and '-'" },
	{ D1 "libvirt_pool = \"\";\n", "2: libvirt_pool '' is empty" },
	{ D1 "libvirt_pool = \"-x\";\n", "2: libvirt_pool '-x' must not start with '.' or '-'" },
	{ D1 "libvirt_iscsi_prefix = \".\";\n",
	  "2: libvirt_iscsi_prefix '.' must not start with '.' or '-'" },
	{ D1 "libvirt_iscsi_prefix = \"" LONG64 "\";\n",
	  "2: libvirt_iscsi_prefix '" LONG64 "' is longer than 40 bytes" },
	{ D1 "libvirt_state = \"pools.conf\";\n",
	  "2: libvirt_state 'pools.conf' must be the absolute path of a file" },
	{ D1 "libvirt_state = \"/var/lib/portico/\";\n",
	  "2: libvirt_state '/var/lib/portico/' must be the absolute path of a file" },

	/* libconfig's own */
	{ D1 "log_level = \"info\";\nscan_interval = = 5;\n", "3: syntax error" },
	{ D1 "chap = { username = \"kvm1\"; password = \"Wm3p-8sQf-Jc2d; };\n", "3: syntax error" },
	{ D1 "D1 = 1;\nD1 = 2;\n", "3: duplicate setting name" },
};

START_TEST(test_refused)
{
	refused(refusals[_i].text, -EINVAL, refusals[_i].expect);
}
END_TEST

START_TEST(test_missing_file)
{
	char want[512];

	snprintf(want, sizeof(want), "%s/none.conf: cannot read: No such file or directory", tmpdir);
	snprintf(conf_path, sizeof(conf_path), "%s/none.conf", tmpdir);
	ck_assert_int_eq(pathd_conf_load(conf_path, init_path, &conf, &err), -ENOENT);
	ck_assert_str_eq(err.msg, want);
}
END_TEST

/* ---- the initiator name file, read as open-iscsi reads it ---- */

static void init_file(const char *text)
{
	write_text(init_path, text, 0644);
}

static void init_refused(int ret, const char *expect)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s:%s", init_path, expect);
	ck_assert_int_eq(load_text(D1), ret);
	ck_assert_str_eq(err.msg, want);
}

START_TEST(test_initiator_file)
{
	char want[1024];

	/* comments, blanks around the line, CRLF, InitiatorAlias: as iscsid */
	init_file("## DO NOT EDIT OR REMOVE THIS FILE!\n"
		  "#InitiatorName=iqn.1993-08.org.debian:01:old\n"
		  "\n"
		  "   InitiatorName=iqn.1993-08.org.debian:01:8f6c1a2b3c4d  \r\n"
		  "InitiatorAlias=kvm1\n");
	load_ok(D1);
	ck_assert_str_eq(conf.initiator, "iqn.1993-08.org.debian:01:8f6c1a2b3c4d");
	ck_assert(conf.initiator_from_file);

	/* the same name twice is one name; no newline at the end */
	init_file("InitiatorName=" IQN_FILE "\nInitiatorName=" IQN_FILE);
	load_ok(D1);
	ck_assert_str_eq(conf.initiator, IQN_FILE);

	/* the file gives a name: the file is not read at all */
	unlink(init_path);
	load_ok(D1 "initiator = \"iqn.2026-11.org.example:kvm9\";\n");
	ck_assert_str_eq(conf.initiator, "iqn.2026-11.org.example:kvm9");
	ck_assert(!conf.initiator_from_file);

	/* absent */
	snprintf(want, sizeof(want),
		 " cannot read (No such file or directory), and %s sets no initiator: write InitiatorName=iqn.YYYY-MM.your.domain:host there (iscsi-iname makes one), or initiator = \"iqn....\"; in %s",
		 conf_path, conf_path);
	init_refused(-ENOENT, want);

	/* commented out, or empty */
	snprintf(want, sizeof(want),
		 " holds no InitiatorName= line, and %s sets no initiator: write InitiatorName=iqn.YYYY-MM.your.domain:host there (iscsi-iname makes one), or initiator = \"iqn....\"; in %s",
		 conf_path, conf_path);
	init_file("# InitiatorName=" IQN_FILE "\n");
	init_refused(-EINVAL, want);
	init_file("");
	init_refused(-EINVAL, want);
	init_file("InitiatorAlias=kvm1\n");
	init_refused(-EINVAL, want);
}
END_TEST

START_TEST(test_initiator_file_malformed)
{
	init_file("# header\nInitiatorName = " IQN_FILE "\n");
	init_refused(-EINVAL,
		     "2: open-iscsi reads only 'InitiatorName=NAME' (that spelling, no blank before '='): fix this line");
	init_file("initiatorname=" IQN_FILE "\n");
	init_refused(-EINVAL,
		     "1: open-iscsi reads only 'InitiatorName=NAME' (that spelling, no blank before '='): fix this line");
	init_file("InitiatorName=\n");
	init_refused(-EINVAL,
		     "1: InitiatorName= is empty: write InitiatorName=iqn.YYYY-MM.your.domain:host");
	init_file("InitiatorName=kvm1.example.org\n");
	init_refused(-EINVAL,
		     "1: InitiatorName 'kvm1.example.org' is not a valid iSCSI name: name must start with 'iqn.', 'eui.' or 'naa.'");
	init_file("InitiatorName=" IQN_FILE " # mine\n");
	init_refused(-EINVAL, "1: InitiatorName '" IQN_FILE
			      " # mine' is not a valid iSCSI name: name contains a space");
	init_file("InitiatorName=" IQN_FILE "\n\nInitiatorName=iqn.2026-11.org.example:other\n");
	init_refused(-EINVAL,
		     "3: a second InitiatorName, other than line 1's: keep one (iscsid would take the last)");
	init_file("# the name:\n" IQN_FILE "\n");
	init_refused(-EINVAL,
		     "2: a name without 'InitiatorName=': write InitiatorName=NAME (open-iscsi reads nothing else)");
	/* a directory: it opens, but does not read */
	ck_assert_int_eq(unlink(init_path), 0);
	ck_assert_int_eq(mkdir(init_path, 0755), 0);
	init_refused(-EISDIR, " cannot read: Is a directory");
}
END_TEST

/*
 * Every prefix of the example, as shipped and uncommented: accepted, or
 * refused with a message that names the file (and its line where one is at
 * fault); never a crash, a leak (the sanitizer run), or a secret.
 */
static void every_prefix(const char *text, size_t len)
{
	char file_colon[160];
	unsigned int accepted = 0, refused_n = 0;

	snprintf(file_colon, sizeof(file_colon), "%s:", conf_path);
	for (size_t n = 0; n <= len; n++) {
		int ret;

		pathd_conf_free(&conf);
		memset(&err, 0, sizeof(err));
		write_file(conf_path, text, n, 0600);
		ret = pathd_conf_load(conf_path, init_path, &conf, &err);
		if (!ret) {
			ck_assert_str_eq(err.msg, "");
			accepted++;
			continue;
		}
		refused_n++;
		ck_assert_msg(ret == -EINVAL, "prefix %zu: %d (%s)", n, ret, err.msg);
		ck_assert_msg(!strncmp(err.msg, file_colon, strlen(file_colon)),
			      "prefix %zu: message without the file: %s", n, err.msg);
		{
			const char *p = err.msg + strlen(file_colon);

			/* "FILE:LINE: ..." or, no line at fault, "FILE: ..." */
			if (*p != ' ') {
				while (*p >= '0' && *p <= '9')
					p++;
				ck_assert_msg(p > err.msg + strlen(file_colon) && !strncmp(p, ": ", 2),
					      "prefix %zu: no line: %s", n, err.msg);
			}
		}
		no_secret_in(err.msg);
	}
	ck_assert_uint_gt(accepted, 0);
	ck_assert_uint_gt(refused_n, 0);
}

START_TEST(test_every_prefix_of_example)
{
	unsigned int n;
	size_t len;
	char *text = read_all(EXAMPLE, &len);
	char *full = uncomment(text, &n);

	every_prefix(text, len);
	every_prefix(full, strlen(full));
	free(full);
	free(text);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("pathd_conf");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_minimal);
	tcase_add_test(tc, test_example_as_shipped);
	tcase_add_test(tc, test_example_uncommented);
	tcase_add_test(tc, test_every_key_set);
	tcase_add_test(tc, test_policy_values);
	tcase_add_test(tc, test_include);
	tcase_add_test(tc, test_secret_file_mode);
	tcase_add_test(tc, test_free);
	tcase_add_loop_test(tc, test_refused, 0, (int)ARRAY_SIZE(refusals));
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_initiator_file);
	tcase_add_test(tc, test_initiator_file_malformed);
	suite_add_tcase(s, tc);

	tc = tcase_create("prefixes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_every_prefix_of_example);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(conf_suite)
