/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control operations through their seam, ctl_ops_handle(), against a
 * stand-in for the daemon (ctl_fake_host.h, behind struct ctl_host_ops): words
 * get their names, typos and clashes are refused, each verb changes what
 * it says and nothing else, a refused change leaves the model as it was,
 * and secrets never come back. Null backstores only: nothing touches a
 * disk. Sessions are the transport's: there are none here, so nothing is
 * "in use" (the functional groups shell-live.sh covers that).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl.h"
#include "common/ev.h"
#include "target/backstore/bs.h"
#include "target/iscsi/authguard.h"
#include "target/model/config.h"
#include "tests/unit/target/ctl/ctl_req.h"
#include "tests/unit/check_main.h"

/* A target with tpg1, a portal, backstores N0 and N1 as LUNs 0 and 1, and an ACL for kvm1. */
static void basic(void)
{
	ok("create", "/backstores/null", "{\"_1\": \"N0\", \"_2\": \"64M\"}");
	ok("create", "/backstores/null", "{\"name\": \"N1\", \"size\": \"32M\"}");
	ok("create", "/iscsi", "{\"_1\": \"" TGT "\"}");
	ok("create", TPG "/portals", "{\"_1\": \"127.0.0.1\", \"_2\": \"3260\"}");
	ok("create", TPG "/acls", "{\"_1\": \"" KVM1 "\"}");
	ok("create", TPG "/luns", "{\"_1\": \"/backstores/null/N0\"}");
	ok("create", TPG "/luns", "{\"storage_object\": \"N1\"}");
}

/* ---- tests ---- */

START_TEST(test_create_names_words)
{
	ok("create", "/backstores/null", "{\"_1\": \"N0\", \"_2\": \"64M\"}");
	ck_assert_str_eq(result_str("path"), "/backstores/null/N0");
	ck_assert(said("Created null backstore N0."));
	ck_assert_uint_eq(S.model->nbackstores, 1);
	ck_assert_uint_eq(S.model->backstores[0].params.size, 64u << 20);
	ck_assert_ptr_nonnull(S.model->backstores[0].lu); /* opened and served */
	ck_assert_uint_eq(S.replaced, 1);
}
END_TEST

START_TEST(test_refusals_change_nothing)
{
	basic();
	refused("create", "/backstores/null", "{\"_1\": \"N2\", \"name\": \"N3\", \"size\": \"1M\"}",
		-EINVAL, "given twice");
	refused("create", "/backstores/null", "{\"name\": \"N2\", \"size\": \"1M\", \"colour\": \"red\"}",
		-EINVAL, "takes no argument 'colour'");
	refused("create", "/backstores/null", "{\"name\": \"N0\", \"size\": \"1M\"}", -EEXIST,
		"backstore 'N0' exists");
	refused("create", "/backstores/null", "{\"name\": \"N2\"}", -EINVAL, "needs a size");
	refused("create", "/iscsi", "{\"_1\": \"" TGT "\"}", -EEXIST, "exists");
	refused("create", "/iscsi", "{\"_1\": \"not-an-iqn\"}", -EINVAL, "not an iSCSI name");
	refused("create", TPG "/portals", "{\"_1\": \"127.0.0.1\"}", -EEXIST, "exists in tpg1");
	refused("create", TPG "/portals", "{\"_1\": \"localhost\"}", -EINVAL, "not a portal");
	refused("create", TPG "/acls", "{\"_1\": \"" KVM1 "\"}", -EEXIST, "exists");
	refused("create", TPG "/luns", "{\"_1\": \"/backstores/null/N9\"}", -ENOENT,
		"no backstore");
	refused("create", TPG "/luns", "{\"_1\": \"N0\", \"lun\": \"1\"}", -EEXIST, "lun1 exists");
	refused("create", TPG "/acls/" KVM1, "{\"mapped_lun\": \"0\", \"tpg_lun_or_backstore\": \"1\"}",
		-EEXIST, "mapped_lun0 exists");
	refused("create", TPG "/acls/" KVM1, "{\"tpg_lun_or_backstore\": \"lun7\"}", -ENOENT,
		"no lun7");
	/* the parser's own checks, in the configuration file's words */
	refused("set", TPG "/acls/" KVM1, "{\"_1\": \"auth\", \"userid\": \"u\", \"password\": \"short\"}",
		-EINVAL, "12");
	refused("set", TPG, "{\"_1\": \"attribute\", \"nopin_interval\": \"soon\"}", -EINVAL,
		"not a number");
	refused("set", TPG, "{\"_1\": \"attribute\", \"allowed_addresses\": \"10.0.0.1/24\"}",
		-EINVAL, "10.0.0.0/24");
	refused("set", TPG, "{\"_1\": \"auth\", \"userid\": \"u\"}", -EINVAL, "ACL or to discovery");
	refused("delete", "/backstores", NULL, -EINVAL, "cannot be deleted");
	refused("saveconfig", "/iscsi", NULL, -EINVAL, "verb of the root");
	refused("frobnicate", "/", NULL, -EOPNOTSUPP, "no verb");
	refused("get", "/iscsi/iqn.2026-11.org.example:nothere", NULL, -ENOENT, "nothere");
	refused("clearconfig", "/", NULL, -EINVAL, "confirm");
	refused("restoreconfig", "/", "{\"file\": \"/nonexistent.conf\"}", -EEXIST,
		"configuration is served");
}
END_TEST

START_TEST(test_luns_map_into_acls)
{
	const struct obj_acl *acl;

	basic();
	acl = &S.model->targets[0].tpgs[0].acls[0];
	ck_assert_uint_eq(acl->nmapped, 2);
	ck_assert(said("Created LUN 1."));
	ck_assert(said("Created LUN 1->1 mapping in node ACL " KVM1));
	/* an ACL without the TPG's LUNs, then one of them mapped by backstore */
	ok("create", TPG "/acls", "{\"_1\": \"" KVM2 "\", \"add_mapped_luns\": \"false\"}");
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].acls[1].nmapped, 0);
	ok("create", TPG "/acls/" KVM2,
	   "{\"mapped_lun\": \"5\", \"tpg_lun_or_backstore\": \"/backstores/null/N1\", "
	   "\"write_protect\": \"true\"}");
	acl = &S.model->targets[0].tpgs[0].acls[1];
	ck_assert_uint_eq(acl->nmapped, 1);
	ck_assert_uint_eq(acl->mapped[0].lun, 5);
	ck_assert_uint_eq(acl->mapped[0].tpg_lun, 1);
	ck_assert(acl->mapped[0].read_only);
	/* a LUN created without mapping reaches no ACL */
	ok("create", "/backstores/null", "{\"name\": \"N2\", \"size\": \"1M\"}");
	ok("create", TPG "/luns", "{\"_1\": \"N2\", \"_2\": \"9\", \"_3\": \"false\"}");
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].acls[0].nmapped, 2);
	/* deleting a LUN takes its mappings with it */
	ok("delete", TPG "/luns/lun1", NULL);
	ck_assert(said("Deleted LUN 1."));
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].acls[0].nmapped, 1);
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].acls[1].nmapped, 0);
}
END_TEST

/* An ACL without a mapped_luns list sees every TPG LUN; deleting one writes the rest out. */
START_TEST(test_all_luns_acl)
{
	struct cfg_err err = { { 0 } };
	const struct obj_acl *acl;

	obj_model_free(S.model);
	ck_assert_int_eq(
		config_parse_string(
			"auto_save = false; state_dir = \"/nonexistent/portico-ctl-test\";\n"
			"backstores = ( { name = \"a\"; type = \"null\"; size = \"1M\"; },\n"
			"               { name = \"b\"; type = \"null\"; size = \"1M\"; },\n"
			"               { name = \"c\"; type = \"null\"; size = \"1M\"; } );\n"
			"targets = ( { iqn = \"" TGT "\"; tpgs = ( { tag = 1;\n"
			"  luns = ( { lun = 0; backstore = \"a\"; }, { lun = 1; backstore = \"b\"; },\n"
			"           { lun = 2; backstore = \"c\"; } );\n"
			"  acls = ( { initiator = \"" KVM1 "\"; } ); } ); } );\n",
			&S.model, &err),
		0);
	ck_assert_int_eq(config_open(S.model, &err), 0);
	ok("delete", TPG "/acls/" KVM1 "/mapped_lun1", NULL);
	acl = &S.model->targets[0].tpgs[0].acls[0];
	ck_assert(!acl->all_luns);
	ck_assert_uint_eq(acl->nmapped, 2);
	ck_assert_uint_eq(acl->mapped[0].lun, 0);
	ck_assert_uint_eq(acl->mapped[1].lun, 2);
}
END_TEST

START_TEST(test_generated_iqn_and_tags)
{
	const char *path;

	ok("create", "/iscsi", NULL);
	path = result_str("path");
	ck_assert_ptr_nonnull(path);
	ck_assert_int_eq(strncmp(path, "/iscsi/iqn.", 11), 0);
	ck_assert_uint_eq(S.model->ntargets, 1);
	ck_assert_str_eq(path + 7, S.model->targets[0].iqn);
	/* targetcli's wwn for the name */
	ok("create", "/iscsi", "{\"wwn\": \"" TGT "\"}");
	ok("create", "/iscsi/" TGT, NULL);
	ck_assert_str_eq(result_str("path"), "/iscsi/" TGT "/tpg2");
	ok("create", "/iscsi/" TGT, "{\"tag\": \"7\"}");
	refused("create", "/iscsi/" TGT, "{\"tag\": \"0\"}", -EINVAL, "1 to 65535");
	ok("delete", "/iscsi/" TGT "/tpg2", NULL);
	ok("delete", "/iscsi/" TGT, NULL);
	ck_assert_uint_eq(S.model->ntargets, 1);
}
END_TEST

START_TEST(test_settings)
{
	const struct obj_tpg *tpg;
	const char *text;

	basic();
	ok("set", TPG, "{\"_1\": \"attribute\", \"nopin_interval\": \"10\", "
		       "\"allowed_addresses\": \"192.0.2.0/24, 2001:db8::/32\"}");
	ok("set", TPG, "{\"_1\": \"parameter\", \"ImmediateData\": \"false\", "
		       "\"MaxRecvDataSegmentLength\": \"65536\"}");
	tpg = &S.model->targets[0].tpgs[0];
	ck_assert_uint_eq(tpg->attrs.nopin_interval_s, 10);
	ck_assert(!tpg->params.immediate_data);
	ck_assert_uint_eq(tpg->params.max_recv_dsl, 65536);
	ck_assert_uint_eq(tpg->allowed.n, 2);
	ok("set", TPG "/acls/" KVM1,
	   "{\"_1\": \"auth\", \"userid\": \"kvm1-user\", \"password\": \"kvm1-secret-4711\"}");
	ck_assert(said("Parameter password is now set."));
	ck_assert_str_eq(S.model->targets[0].tpgs[0].acls[0].chap.password, "kvm1-secret-4711");
	/* secrets never come back */
	ok("get", TPG "/acls/" KVM1, NULL);
	text = json_object_to_json_string_ext(R.result, JSON_C_TO_STRING_PLAIN);
	ck_assert_ptr_null(strstr(text, "kvm1-secret-4711"));
	ck_assert_ptr_nonnull(strstr(text, "\"password_set\":true"));
	/* an empty value removes a setting: its default comes back */
	ok("set", TPG, "{\"_1\": \"attribute\", \"allowed_addresses\": \"\"}");
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].allowed.n, 0);
	ok("set", "/iscsi", "{\"_1\": \"discovery_auth\", \"userid\": \"d\", "
			    "\"password\": \"discovery-secret-1\"}");
	ck_assert_str_eq(S.model->discovery_auth.userid, "d");
	ok("set", "/iscsi", "{\"_1\": \"discovery_auth\", \"enable\": \"false\"}");
	ck_assert_str_eq(S.model->discovery_auth.userid, "");
}
END_TEST

/* A number in the object at path ("a.b") of the last result. */
static int64_t result_num(const char *a, const char *b)
{
	struct json_object *o, *v;

	ck_assert_msg(json_object_object_get_ex(R.result, a, &o), "no '%s'", a);
	ck_assert_msg(json_object_object_get_ex(o, b, &v), "no '%s.%s'", a, b);
	return json_object_get_int64(v);
}

/* status shows the limits the transport runs with, what it uses of them, and the auth guard. */
START_TEST(test_status_limits_and_guard)
{
	const struct authguard_policy p = { .enabled = true, .delay_ms = 1, .delay_max_ms = 2,
					    .lockout_failures = 2, .lockout_ms = 600000 };
	struct json_object *g, *runs, *run, *v;
	bool log;

	S.limits = (struct iscsi_limits){ .io_memory = 1 << 30, .session_io_memory = 64 << 20,
					  .send_timeout_ms = 30000, .io_memory_used = 12345,
					  .io_memory_peak = 67890, .commands_waited = 7,
					  .send_timeouts = 3, .max_connections = 4096,
					  .max_connections_per_address = 256,
					  .connections_refused = 11 };
	ck_assert_int_eq(authguard_create(&p, &S.guard), 0);
	authguard_failed(S.guard, KVM1, TGT, "192.0.2.7", ev_now_ms(), &log);
	authguard_failed(S.guard, KVM1, TGT, "192.0.2.7", ev_now_ms(), &log);
	authguard_failed(S.guard, KVM2, NULL, "192.0.2.8", ev_now_ms(), &log);
	ok("status", "/", NULL);
	ck_assert_int_eq(result_num("connections", "open"), 0);
	ck_assert_int_eq(result_num("connections", "max"), 4096);
	ck_assert_int_eq(result_num("connections", "max_per_address"), 256);
	ck_assert_int_eq(result_num("connections", "refused"), 11);
	ck_assert_int_eq(result_num("io_memory", "limit"), 1 << 30);
	ck_assert_int_eq(result_num("io_memory", "session_limit"), 64 << 20);
	ck_assert_int_eq(result_num("io_memory", "used"), 12345);
	ck_assert_int_eq(result_num("io_memory", "peak"), 67890);
	ck_assert_int_eq(result_num("io_memory", "commands_waited"), 7);
	ck_assert(json_object_object_get_ex(R.result, "send_timeout_s", &v));
	ck_assert_int_eq(json_object_get_int(v), 30);
	ck_assert(json_object_object_get_ex(R.result, "send_timeouts", &v));
	ck_assert_int_eq(json_object_get_int(v), 3);
	ck_assert_int_eq(result_num("auth_guard", "failures"), 3);
	ck_assert_int_eq(result_num("auth_guard", "lockouts"), 1);
	ck_assert(json_object_object_get_ex(R.result, "auth_guard", &g));
	ck_assert(json_object_object_get_ex(g, "enabled", &v) && json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(g, "runs", &runs));
	ck_assert_uint_eq(json_object_array_length(runs), 4);
	/* locked out first: KVM1 at TGT, ten minutes to go */
	run = json_object_array_get_idx(runs, 0);
	ck_assert(json_object_object_get_ex(run, "initiator", &v));
	ck_assert_str_eq(json_object_get_string(v), KVM1);
	ck_assert(json_object_object_get_ex(run, "target", &v));
	ck_assert_str_eq(json_object_get_string(v), TGT);
	ck_assert(json_object_object_get_ex(run, "locked_s", &v));
	ck_assert_int_ge(json_object_get_int(v), 599);
	ck_assert(json_object_object_get_ex(run, "failures", &v));
	ck_assert_int_eq(json_object_get_int(v), 2);
	/* the others: not locked out; KVM2's for discovery */
	for (size_t i = 1; i < 4; i++) {
		run = json_object_array_get_idx(runs, i);
		ck_assert(json_object_object_get_ex(run, "locked_s", &v));
		ck_assert_int_eq(json_object_get_int(v), 0);
		if (json_object_object_get_ex(run, "initiator", &v) &&
		    !strcmp(json_object_get_string(v), KVM2))
			ck_assert(json_object_object_get_ex(run, "discovery", &v) &&
				  json_object_get_boolean(v));
	}
	authguard_destroy(S.guard);
	S.guard = NULL;
}
END_TEST

START_TEST(test_get_status_version_clear)
{
	struct json_object *v;

	basic();
	ok("get", "/", "{\"depth\": \"0\"}");
	ck_assert(!json_object_object_get_ex(R.result, "children", NULL));
	ok("get", "/", NULL);
	ck_assert(json_object_object_get_ex(R.result, "children", &v));
	ok("status", "/", NULL);
	ck_assert(json_object_object_get_ex(R.result, "sessions", &v));
	ck_assert_uint_eq(json_object_array_length(v), 0);
	ck_assert(json_object_object_get_ex(R.result, "io_threads", &v));
	ck_assert_int_eq(json_object_get_int(v), 2);
	ok("version", "/", NULL);
	ck_assert(json_object_object_get_ex(R.result, "protocol", &v));
	ck_assert_int_eq(json_object_get_int(v), CTL_VERSION);
	ok("clearconfig", "/", "{\"confirm\": \"true\"}");
	ck_assert_uint_eq(S.model->nbackstores, 0);
	ck_assert_uint_eq(S.model->ntargets, 0);
	ck_assert(!S.model->auto_save); /* the daemon's own settings stay */
}
END_TEST

START_TEST(test_delete_backstore_takes_its_luns)
{
	basic();
	ok("delete", "/backstores/null/N0", NULL);
	ck_assert(said("Deleted LUN 0 of " TGT " tpg 1."));
	ck_assert(said("Deleted Mapped LUN 0 of node ACL " KVM1 "."));
	ck_assert(said("Deleted storage object N0."));
	ck_assert_uint_eq(S.model->nbackstores, 1);
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].nluns, 1);
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].acls[0].nmapped, 1);
	ok("delete", TPG "/portals/127.0.0.1:3260", NULL);
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].nportals, 0);
	ok("delete", TPG "/acls/" KVM1, NULL);
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].nacls, 0);
}
END_TEST

/*
 * clearconfig keeps every setting of the daemon's own; restoreconfig takes
 * them from the file but those that take effect at the next start.
 */
START_TEST(test_globals_kept)
{
	char path[] = "/tmp/portico-ctl-restore.XXXXXX", args[128];
	int fd = mkstemp(path);
	static const char text[] = "control_socket = \"/run/elsewhere.sock\"; io_threads = 9;\n"
				   "auto_save = false; log_level = \"debug\"; debug = \"scsi\";\n"
				   "state_dir = \"/nonexistent/portico-ctl-test-2\";\n";

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(S.model->debug, sizeof(S.model->debug), "iscsi");
	S.model->log_level = LOG_LEVEL_WARN;
	ok("clearconfig", "/", "{\"confirm\": \"true\"}");
	ck_assert_str_eq(S.model->debug, "iscsi");
	ck_assert_int_eq(S.model->log_level, LOG_LEVEL_WARN);
	ck_assert_str_eq(S.model->state_dir, "/nonexistent/portico-ctl-test");
	snprintf(args, sizeof(args), "{\"_1\": \"%s\"}", path);
	ok("restoreconfig", "/", args);
	unlink(path);
	ck_assert_str_eq(S.model->debug, "scsi");
	ck_assert_int_eq(S.model->log_level, LOG_LEVEL_DBG);
	ck_assert_str_eq(S.model->state_dir, "/nonexistent/portico-ctl-test-2");
	ck_assert_str_eq(S.model->control_socket, CONFIG_DEFAULT_CONTROL_SOCKET);
	ck_assert_uint_eq(S.model->io_threads, 0);
}
END_TEST

/* The reply's message i (0 first, -1 last). */
static const char *message_at(int i)
{
	struct json_object *m;
	size_t n;

	if (!R.result || !json_object_object_get_ex(R.result, "messages", &m))
		return "";
	n = json_object_array_length(m);
	if (!n)
		return "";
	return json_object_get_string(json_object_array_get_idx(m, i < 0 ? n - 1 : (size_t)i));
}

/*
 * restoreconfig of targetcli's saveconfig.json (lio_import): check=true says
 * what is not carried and applies nothing; the restore says it first, then
 * serves the file whole; a broken one changes nothing. Null stores only (a
 * nullio ramdisk).
 */
START_TEST(test_restore_targetcli)
{
	static const char lio[] =
		"{ \"fabric_modules\": [], \"storage_objects\": ["
		" {\"plugin\": \"ramdisk\", \"name\": \"n0\", \"nullio\": true, \"size\": 1048576,"
		"  \"wwn\": \"00000000-1111-2222-3333-444444444444\"},"
		" {\"plugin\": \"ramdisk\", \"name\": \"r0\", \"size\": 1048576, \"wwn\": \"x\"} ],"
		" \"targets\": [ {\"wwn\": \"" TGT "\", \"fabric\": \"iscsi\", \"tpgs\": ["
		"  {\"tag\": 1, \"enable\": true,"
		"   \"portals\": [ {\"ip_address\": \"127.0.0.1\", \"port\": 3260, \"iser\": false} ],"
		"   \"luns\": [ {\"index\": 0, \"storage_object\": \"/backstores/ramdisk/n0\"},"
		"             {\"index\": 1, \"storage_object\": \"/backstores/ramdisk/r0\"} ],"
		"   \"node_acls\": [ {\"node_wwn\": \"" KVM2 "\", \"chap_userid\": \"kvm2\","
		"     \"chap_password\": \"kvm2-secret-12\", \"mapped_luns\": ["
		"       {\"index\": 3, \"tpg_lun\": 0, \"write_protect\": true},"
		"       {\"index\": 4, \"tpg_lun\": 1, \"write_protect\": false} ]} ] } ] } ] }";
	char path[] = "/tmp/portico-ctl-lio.XXXXXX", args[160];
	const struct obj_tpg *tpg;
	const struct obj_acl *acl;
	unsigned int replaced;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, lio, strlen(lio)), (ssize_t)strlen(lio));
	close(fd);
	basic();
	replaced = S.replaced;

	/* check=true: the notes, and nothing served changes (no clear_existing needed) */
	snprintf(args, sizeof(args), "{\"_1\": \"%s\", \"check\": \"true\"}", path);
	ok("restoreconfig", "/", args);
	ck_assert_ptr_nonnull(strstr(message_at(0), "is targetcli's configuration: 3 notes"));
	ck_assert_ptr_nonnull(strstr(message_at(-1), "Nothing applied (check=true)"));
	ck_assert_uint_eq(S.replaced, replaced);
	ck_assert_uint_eq(S.model->nbackstores, 2);

	snprintf(args, sizeof(args), "{\"_1\": \"%s\"}", path);
	refused("restoreconfig", "/", args, -EEXIST, "a configuration is served");

	/* the notes before the change, then the change */
	snprintf(args, sizeof(args), "{\"_1\": \"%s\", \"clear_existing\": \"true\"}", path);
	ok("restoreconfig", "/", args);
	ck_assert_ptr_nonnull(strstr(message_at(0), "is targetcli's configuration: 3 notes"));
	ck_assert(said("  storage object ramdisk/r0: not carried (nor its LUNs and mapped LUNs): "
		       "porticod has no memory store (a ramdisk with nullio=true becomes a null "
		       "backstore)"));
	ck_assert_ptr_nonnull(strstr(message_at(-1), "Configuration restored from"));
	ck_assert_uint_eq(S.replaced, replaced + 1);
	ck_assert_uint_eq(S.model->nbackstores, 1);
	ck_assert_str_eq(S.model->backstores[0].name, "n0");
	ck_assert_uint_eq(S.model->ntargets, 1);
	tpg = &S.model->targets[0].tpgs[0];
	ck_assert_uint_eq(tpg->nluns, 1);
	acl = obj_find_acl(tpg, KVM2);
	ck_assert_ptr_nonnull(acl);
	ck_assert_uint_eq(acl->nmapped, 1);
	ck_assert_uint_eq(acl->mapped[0].lun, 3);
	ck_assert(acl->mapped[0].read_only);

	/* a broken file: refused, the model as it was */
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, lio, 200), 200);
	close(fd);
	refused("restoreconfig", "/", args, -EINVAL, "targetcli's configuration: not JSON");
	unlink(path);
}
END_TEST

/* ---- move: an LU's ownership in a gateway group, through a store that has one ---- */

static bool fake_in_group = true;
static int fake_moves;

static bool fake_owner(struct bs_dev *dev, struct bs_owner_info *out)
{
	(void)dev;
	if (!fake_in_group)
		return false;
	memset(out, 0, sizeof(*out));
	snprintf(out->group, sizeof(out->group), "g1");
	snprintf(out->gateway, sizeof(out->gateway), "gw-b");
	snprintf(out->owner, sizeof(out->owner), "gw-a");
	snprintf(out->state, sizeof(out->state), "follower");
	return true;
}

/* What rbd's machine answers (bs_owner_move_check), by the name asked. */
static int fake_owner_move(struct bs_dev *dev, const char *to)
{
	(void)dev;
	fake_moves++;
	if (!strcmp(to, "gw-a"))
		return 1;
	if (!strcmp(to, "gw-c"))
		return 0;
	if (!strcmp(to, "gw-busy"))
		return -EBUSY;
	return -ENOENT;
}

START_TEST(test_move)
{
	static struct bs_ops grouped;
	struct bs_dev *dev;
	const struct bs_ops *was;

	basic();
	/* a store without an owner: refused, and said why */
	refused("move", "/backstores/null/N0", "{\"_1\": \"gw-c\"}", -EOPNOTSUPP,
		"'N0' is a null backstore: only an rbd backstore in a gateway group has an owner to move");
	refused("move", TPG, "{\"_1\": \"gw-c\"}", -EINVAL, "is no backstore");
	refused("move", "/backstores/null/N0", NULL, -EINVAL, "needs the gateway");
	refused("move", "/backstores/null/N0", "{\"_1\": \"gw-c\", \"_2\": \"x\"}", -EINVAL,
		"");
	/* the same store, as an rbd LU of group g1 on gateway gw-b would answer */
	dev = S.model->backstores[0].dev;
	was = dev->ops;
	grouped = *was;
	grouped.owner = fake_owner;
	grouped.owner_move = fake_owner_move;
	dev->ops = &grouped;
	ok("move", "/backstores/null/N0", "{\"_1\": \"gw-c\"}");
	ck_assert(said("Asked: 'N0' moves from gw-a to gateway 'gw-c' of group 'g1'; 'info' shows the owner"));
	ok("move", "/backstores/null/N0", "{\"gateway\": \"gw-a\"}");
	ck_assert(said("Nothing to do: gateway 'gw-a' owns 'N0' already"));
	refused("move", "/backstores/null/N0", "{\"_1\": \"gw-x\"}", -ENOENT,
		"no live gateway 'gw-x' in group 'g1'");
	refused("move", "/backstores/null/N0", "{\"_1\": \"gw-busy\"}", -EBUSY,
		"a move or a takeover of 'N0' is under way (owner 'gw-a', this gateway follower)");
	ck_assert_int_eq(fake_moves, 4);
	/* rbd outside a group */
	fake_in_group = false;
	refused("move", "/backstores/null/N0", "{\"_1\": \"gw-c\"}", -EOPNOTSUPP,
		"rbd backstore 'N0' is in no gateway group");
	ck_assert_int_eq(fake_moves, 4);
	fake_in_group = true;
	dev->ops = was;
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("ctl_ops");
	TCase *tc = tcase_create("ops");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_names_words);
	tcase_add_test(tc, test_refusals_change_nothing);
	tcase_add_test(tc, test_luns_map_into_acls);
	tcase_add_test(tc, test_all_luns_acl);
	tcase_add_test(tc, test_generated_iqn_and_tags);
	tcase_add_test(tc, test_settings);
	tcase_add_test(tc, test_get_status_version_clear);
	tcase_add_test(tc, test_status_limits_and_guard);
	tcase_add_test(tc, test_delete_backstore_takes_its_luns);
	tcase_add_test(tc, test_globals_kept);
	tcase_add_test(tc, test_restore_targetcli);
	tcase_add_test(tc, test_move);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)
