/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What command lines become: requests (op, path, args) or the shell's own work. */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "target/shell/verbs.h"
#include "tests/unit/check_main.h"

#define IQN "iqn.2026-11.org.portico.storage1:sn.4f1c2a9e7b30"
#define TGT "/iscsi/" IQN
#define TPG TGT "/tpg1"
#define KVM1 "iqn.2026-11.org.example:kvm1"

struct req_case {
	const char *cwd;
	const char *line;
	const char *op;
	const char *path;
	const char *args; /* JSON */
};

static const struct req_case req_cases[] = {
	/* the walkthrough */
	{ "/", "/backstores/file create name=LUN0 file=/LUN0/LUN0.img size=20G sparse=true",
	  "create", "/backstores/file",
	  "{\"name\":\"LUN0\",\"file\":\"/LUN0/LUN0.img\",\"size\":\"20G\",\"sparse\":\"true\"}" },
	{ "/", "/backstores/block create name=LUN1 dev=/dev/sdb1", "create", "/backstores/block",
	  "{\"name\":\"LUN1\",\"dev\":\"/dev/sdb1\"}" },
	{ "/backstores", "./lvm create LUN2 /dev/vg_san/lv_lun2", "create", "/backstores/lvm",
	  "{\"_1\":\"LUN2\",\"_2\":\"/dev/vg_san/lv_lun2\"}" },
	{ "/backstores/file", "../../iscsi create", "create", "/iscsi", "{}" },
	{ "/iscsi", "create " IQN, "create", "/iscsi", "{\"_1\":\"" IQN "\"}" },
	{ TPG, "./portals create ip_address=127.0.0.1 ip_port=3260", "create", TPG "/portals",
	  "{\"ip_address\":\"127.0.0.1\",\"ip_port\":\"3260\"}" },
	{ "/", TPG "/acls create " KVM1, "create", TPG "/acls", "{\"_1\":\"" KVM1 "\"}" },
	{ TPG, "luns/ create /backstores/file/LUN0", "create", TPG "/luns",
	  "{\"_1\":\"/backstores/file/LUN0\"}" },
	{ TPG "/luns", "create /backstores/file/LUN0", "create", TPG "/luns",
	  "{\"_1\":\"/backstores/file/LUN0\"}" },
	{ TPG "/luns", "create storage_object=/backstores/lvm/LUN2 lun=2", "create", TPG "/luns",
	  "{\"storage_object\":\"/backstores/lvm/LUN2\",\"lun\":\"2\"}" },
	{ "/", TPG "/acls/" KVM1 " set auth userid=U password=P mutual_userid=MU mutual_password=MP",
	  "set", TPG "/acls/" KVM1,
	  "{\"_1\":\"auth\",\"userid\":\"U\",\"password\":\"P\",\"mutual_userid\":\"MU\","
	  "\"mutual_password\":\"MP\"}" },
	{ TPG "/acls/" KVM1, "create mapped_lun=5 tpg_lun_or_backstore=lun2 write_protect=true",
	  "create", TPG "/acls/" KVM1,
	  "{\"mapped_lun\":\"5\",\"tpg_lun_or_backstore\":\"lun2\",\"write_protect\":\"true\"}" },
	{ TGT, "create tag=2", "create", TGT, "{\"tag\":\"2\"}" },
	{ TPG, "set attribute generate_node_acls=false nopin_interval=5", "set", TPG,
	  "{\"_1\":\"attribute\",\"generate_node_acls\":\"false\",\"nopin_interval\":\"5\"}" },
	{ "/backstores/file/LUN0", "set attribute size=40G", "set", "/backstores/file/LUN0",
	  "{\"_1\":\"attribute\",\"size\":\"40G\"}" },
	/* delete: the node itself, or the child named in targetcli's spelling */
	{ "/backstores/file", "delete LUN0", "delete", "/backstores/file/LUN0", "{}" },
	{ "/backstores/file", "delete name=LUN0 force=true", "delete", "/backstores/file/LUN0",
	  "{\"force\":\"true\"}" },
	{ "/", "/backstores/file/LUN0 delete force=true", "delete", "/backstores/file/LUN0",
	  "{\"force\":\"true\"}" },
	{ "/iscsi", "delete " IQN, "delete", TGT, "{}" },
	{ TGT, "delete 1", "delete", TPG, "{}" },
	{ TGT, "delete tpg1", "delete", TPG, "{}" },
	{ TGT, "delete", "delete", TGT, "{}" },
	{ TPG, "delete", "delete", TPG, "{}" },
	{ TPG "/portals", "delete 127.0.0.1 3260", "delete", TPG "/portals/127.0.0.1:3260", "{}" },
	{ TPG "/portals", "delete ::1 3260", "delete", TPG "/portals/[::1]:3260", "{}" },
	{ TPG "/portals", "delete [::1]:3260", "delete", TPG "/portals/[::1]:3260", "{}" },
	{ TPG "/portals", "delete 10.0.0.1:3260", "delete", TPG "/portals/10.0.0.1:3260", "{}" },
	{ TPG "/portals", "delete 10.0.0.1", "delete", TPG "/portals/10.0.0.1:3260", "{}" },
	{ TPG "/portals", "delete fe80::1", "delete", TPG "/portals/[fe80::1]:3260", "{}" },
	{ TPG "/portals", "delete [fe80::1]", "delete", TPG "/portals/[fe80::1]:3260", "{}" },
	{ TPG "/portals", "delete [fe80::1] 3262", "delete", TPG "/portals/[fe80::1]:3262", "{}" },
	{ TPG "/portals", "delete ip_address=10.0.0.1 ip_port=3261", "delete",
	  TPG "/portals/10.0.0.1:3261", "{}" },
	{ TPG "/luns", "delete 2", "delete", TPG "/luns/lun2", "{}" },
	{ TPG "/luns", "delete lun2 force=true", "delete", TPG "/luns/lun2", "{\"force\":\"true\"}" },
	{ TPG "/luns", "delete lun=2", "delete", TPG "/luns/lun2", "{}" },
	{ TPG "/luns/lun2", "delete", "delete", TPG "/luns/lun2", "{}" },
	{ TPG "/acls", "delete " KVM1, "delete", TPG "/acls/" KVM1, "{}" },
	{ TPG "/acls/" KVM1, "delete 0", "delete", TPG "/acls/" KVM1 "/mapped_lun0", "{}" },
	{ TPG "/acls/" KVM1, "delete mapped_lun=1", "delete", TPG "/acls/" KVM1 "/mapped_lun1", "{}" },
	{ TPG "/acls/" KVM1, "delete", "delete", TPG "/acls/" KVM1, "{}" },
	/* queries */
	{ "/", "ls", "get", "/", "{}" },
	{ "/", "ls 2", "get", "/", "{\"depth\":2}" },
	{ "/", "ls /iscsi 1", "get", "/iscsi", "{\"depth\":1}" },
	{ "/iscsi", "ls ../backstores depth=0", "get", "/backstores", "{\"depth\":0}" },
	{ "/iscsi", "/backstores ls", "get", "/backstores", "{}" },
	{ "/", "cd backstores/file/", "get", "/backstores/file", "{\"depth\":0}" },
	{ "/backstores/file", "cd", "get", "/", "{\"depth\":0}" },
	{ "/backstores/file", "..", "get", "/backstores", "{\"depth\":0}" },
	{ "/backstores/file", "/iscsi", "get", "/iscsi", "{\"depth\":0}" },
	{ "/", "/iscsi cd " IQN, "get", TGT, "{\"depth\":0}" },
	{ "/", "cd -", "get", TPG, "{\"depth\":0}" },
	{ TPG, "info", "get", TPG, "{\"depth\":0}" },
	{ TPG, "get attribute nopin_interval", "get", TPG, "{\"depth\":0}" },
	/* move: an rbd LU's ownership, asked at its backstore */
	{ "/backstores/rbd/vm1", "move gw-c", "move", "/backstores/rbd/vm1", "{\"_1\":\"gw-c\"}" },
	{ "/", "/backstores/rbd/vm1 move gateway=gw-a", "move", "/backstores/rbd/vm1",
	  "{\"gateway\":\"gw-a\"}" },
	/* global verbs go to "/" whatever the node */
	{ TPG, "saveconfig", "saveconfig", "/", "{}" },
	{ TPG, "saveconfig /etc/portico/backup.conf", "saveconfig", "/",
	  "{\"_1\":\"/etc/portico/backup.conf\"}" },
	{ "/", "restoreconfig file=/tmp/x.conf clear_existing=true", "restoreconfig", "/",
	  "{\"file\":\"/tmp/x.conf\",\"clear_existing\":\"true\"}" },
	{ TPG "/luns", "clearconfig confirm=true", "clearconfig", "/", "{\"confirm\":\"true\"}" },
	{ "/", "clearconfig confirm=True", "clearconfig", "/", "{\"confirm\":\"True\"}" },
	{ "/", "status", "status", "/", "{}" },
	{ "/backstores", "version", "version", "/", "{}" },
};

static int build(const char *cwd, const char *line, struct sh_action *a, struct sh_cmd *cmd,
		 struct sh_err *err)
{
	int rc;

	memset(err, 0, sizeof(*err));
	rc = sh_cmd_parse(line, strlen(line), cmd, err);
	ck_assert_msg(rc == 0, "%s: %s", line, err->msg);
	return sh_action_build(cwd, TPG, cmd, a, err);
}

START_TEST(requests)
{
	const struct req_case *c = &req_cases[_i];
	struct json_object *want = json_tokener_parse(c->args);
	struct sh_err err;
	struct sh_action a;
	struct sh_cmd cmd;

	ck_assert_ptr_nonnull(want);
	ck_assert_msg(build(c->cwd, c->line, &a, &cmd, &err) == 0, "%s: %s (%s)", c->line, err.msg,
		      err.hint);
	ck_assert_ptr_nonnull(a.op);
	ck_assert_str_eq(a.op, c->op);
	ck_assert_str_eq(a.target, c->path);
	ck_assert_msg(json_object_equal(a.args, want), "%s: args %s, want %s", c->line,
		      json_object_to_json_string(a.args), c->args);
	sh_action_fini(&a);
	sh_cmd_fini(&cmd);
	json_object_put(want);
}
END_TEST

/*
 * saveconfig and restoreconfig name a file as the user sees it: a relative
 * path is the shell's working directory's (porticod's is elsewhere).
 */
START_TEST(relative_files_resolved)
{
	static const char *const lines[] = {
		"restoreconfig saved/p.conf clear_existing=true",
		"restoreconfig file=saved/p.conf",
		"saveconfig saved/p.conf",
		"saveconfig file=saved/p.conf",
	};
	char cwd[4096], want[4200];
	struct sh_err err;
	struct sh_action a;
	struct sh_cmd cmd;
	struct json_object *v;

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/saved/p.conf", cwd);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		ck_assert_msg(build("/", lines[i], &a, &cmd, &err) == 0, "%s: %s", lines[i], err.msg);
		ck_assert(json_object_object_get_ex(a.args, "_1", &v) ||
			  json_object_object_get_ex(a.args, "file", &v));
		ck_assert_msg(!strcmp(json_object_get_string(v), want), "%s: file '%s', want '%s'",
			      lines[i], json_object_get_string(v), want);
		sh_action_fini(&a);
		sh_cmd_fini(&cmd);
	}
}
END_TEST

struct bad_case {
	const char *cwd;
	const char *line;
	const char *msg;
	const char *hint; /* NULL: not checked */
};

static const struct bad_case bad_cases[] = {
	{ "/", "lsx", "unknown command 'lsx'", "'help' lists the commands of this node" },
	{ "/", "create name=x", "'create' is not available at / (root)",
	  "here you can: sessions; 'help' lists every command of this node" },
	{ "/iscsi", "set auth userid=x",
	  "'set' at a iSCSI targets needs a group first: discovery_auth", NULL },
	{ "/", "/backstores/ramdisk create name=r",
	  "no node can be at '/backstores/ramdisk': the backstore types are file, block, lvm, null and rbd",
	  "'ls /' shows the tree" },
	{ "/", "cd /iscsi/x/tpg0", "no node can be at '/iscsi/x/tpg0': a target holds TPGs named "
				   "tpgN, N from 1 to 65535 (tpg1, tpg2, ...)",
	  NULL },
	{ "/backstores/file", "delete", "'delete' at /backstores/file needs the name of what to delete",
	  "delete NAME [force=true]" },
	{ "/iscsi", "delete", "'delete' at /iscsi needs the name of what to delete", NULL },
	{ TPG "/luns", "delete 2 3", "'delete' takes one name here", "delete lunN [force=true]" },
	{ TPG "/luns", "delete lun99999",
	  "no node can be at '" TPG "/luns/lun99999': TPG LUNs are named lunN, N from 0 to 16383 "
	  "(lun0, lun1, ...)",
	  NULL },
	{ "/backstores/file", "delete ..", "'..' is not a name", NULL },
	{ "/backstores/file", "delete a/b", "'a/b' is not a name", NULL },
	{ TPG "/luns/lun0", "delete 1", "a LUN has no children to delete by name",
	  "'delete' alone deletes this node" },
	{ TPG "/portals", "delete", "'delete' at " TPG "/portals needs the name of what to delete",
	  "delete IP PORT   (or IP:PORT)" },
	{ TPG, "set bogus a=b", "'set' at a TPG needs a group first: attribute, parameter, auth, alua",
	  "set attribute|parameter|auth|alua KEY=VALUE ..." },
	{ TPG, "set attribute", "'set attribute' needs KEY=VALUE pairs", NULL },
	{ TPG, "set attribute nopin_interval", "after the group, 'set' takes KEY=VALUE pairs "
					       "('nopin_interval' is not one)",
	  NULL },
	{ TPG "/acls/" KVM1, "set bogus x=1", "'set' at a ACL needs a group first: attribute, auth",
	  NULL },
	{ TPG, "get bogus", "a TPG has no group 'bogus' (it has: attribute, parameter, auth, alua)",
	  NULL },
	{ TPG, "get attribute x=1", "'get' takes names, not KEY=VALUE", NULL },
	{ "/", "get", "'get' is not available at / (root)", NULL },
	{ "/", "clearconfig", "clearconfig removes every target and backstore: confirm it",
	  "clearconfig confirm=true" },
	{ "/", "clearconfig confirm=false", "clearconfig removes every target and backstore: "
					    "confirm it",
	  NULL },
	{ "/", "status now", "'status' takes no arguments", NULL },
	{ "/", "pwd /x", "'pwd' takes no arguments", NULL },
	{ "/", "info x", "'info' takes no arguments", NULL },
	{ "/backstores/rbd/vm1", "move", "'move' takes the name of one gateway",
	  "move GATEWAY   (an rbd backstore in a gateway group; 'info' shows the owner)" },
	{ "/backstores/rbd/vm1", "move gw-b gw-c", "'move' takes the name of one gateway", NULL },
	{ "/backstores/rbd/vm1", "move gw-b gateway=gw-c", "'move' takes the name of one gateway",
	  NULL },
	{ "/backstores/rbd/vm1", "move colour=red", "'move' takes the name of one gateway", NULL },
	{ "/backstores/rbd", "move gw-b", "'move' is not available at /backstores/rbd (backstore type)",
	  NULL },
	{ "/", "help bogus", "no command 'bogus'", "'help' lists the commands" },
	{ "/", "ls a b c", "'ls' takes a path, a depth and depth=N", "ls [PATH] [DEPTH]" },
	{ "/", "ls / 2 depth=3", "the depth is given twice", NULL },
	{ "/", "ls 99", "depth '99' is not a number from 0 to 64", NULL },
	{ "/", "ls / x", "depth 'x' is not a number from 0 to 64", NULL },
	{ "/", "cd a b", "'cd' takes one path", NULL },
};

START_TEST(refusals)
{
	const struct bad_case *c = &bad_cases[_i];
	struct sh_err err;
	struct sh_action a;
	struct sh_cmd cmd;

	ck_assert_msg(build(c->cwd, c->line, &a, &cmd, &err) == -EINVAL, "%s", c->line);
	ck_assert_str_eq(err.msg, c->msg);
	if (c->hint)
		ck_assert_str_eq(err.hint, c->hint);
	ck_assert_ptr_null(a.op);
	ck_assert_ptr_null(a.args);
	sh_cmd_fini(&cmd);
}
END_TEST

START_TEST(cd_back_needs_a_previous_node)
{
	struct sh_err err = { .msg = "" };
	struct sh_action a;
	struct sh_cmd cmd;

	ck_assert_int_eq(sh_cmd_parse("cd -", 4, &cmd, &err), 0);
	ck_assert_int_eq(sh_action_build("/", "", &cmd, &a, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "no previous node to go back to");
	ck_assert_int_eq(sh_action_build("/", "/backstores", &cmd, &a, &err), 0);
	ck_assert_str_eq(a.target, "/backstores");
	sh_action_fini(&a);
	sh_cmd_fini(&cmd);
}
END_TEST

START_TEST(local_verbs)
{
	struct sh_err err;
	struct sh_action a;
	struct sh_cmd cmd;

	ck_assert_int_eq(build(TPG, "pwd", &a, &cmd, &err), 0);
	ck_assert_int_eq(a.verb, SH_VERB_PWD);
	ck_assert_ptr_null(a.op);
	sh_cmd_fini(&cmd);
	ck_assert_int_eq(build(TPG, "quit", &a, &cmd, &err), 0);
	ck_assert_int_eq(a.verb, SH_VERB_EXIT);
	sh_cmd_fini(&cmd);
	ck_assert_int_eq(build(TPG, "help set", &a, &cmd, &err), 0);
	ck_assert_int_eq(a.verb, SH_VERB_HELP);
	ck_assert_str_eq(a.topic, "set");
	ck_assert_ptr_null(a.op);
	sh_cmd_fini(&cmd);
	/* get keeps the group and keys to show */
	ck_assert_int_eq(build(TPG, "get parameter MaxBurstLength HeaderDigest", &a, &cmd, &err), 0);
	ck_assert_str_eq(a.group, "parameter");
	ck_assert_uint_eq(a.nkeys, 2);
	ck_assert_str_eq(a.keys[1], "HeaderDigest");
	ck_assert_int_eq(a.target_node.type, SH_NODE_TPG);
	sh_action_fini(&a);
	sh_cmd_fini(&cmd);
}
END_TEST

START_TEST(tables)
{
	struct sh_node_info file = { .type = SH_NODE_BS_GROUP, .bs_type = "file" };
	struct sh_node_info lvm = { .type = SH_NODE_BS_GROUP, .bs_type = "lvm" };
	struct sh_node_info tpg = { .type = SH_NODE_TPG };
	struct sh_node_info root = { .type = SH_NODE_ROOT };
	enum sh_verb v;

	ck_assert_int_eq(sh_verb_lookup("ls"), SH_VERB_LS);
	ck_assert_int_eq(sh_verb_lookup("?"), SH_VERB_HELP);
	ck_assert_int_eq(sh_verb_lookup("LS"), SH_VERB_NONE);
	for (v = SH_VERB_NONE + 1; v < SH_VERB__COUNT; v++) {
		ck_assert_ptr_nonnull(sh_verbs[v].name);
		ck_assert_int_eq(sh_verb_lookup(sh_verbs[v].name), v);
		ck_assert_ptr_nonnull(sh_verbs[v].summary);
		ck_assert(!sh_verb_allowed(v, SH_NODE_INVALID));
	}
	ck_assert(sh_verb_allowed(SH_VERB_CREATE, SH_NODE_ACL));
	ck_assert(!sh_verb_allowed(SH_VERB_CREATE, SH_NODE_MAPPED_LUN));
	ck_assert(!sh_verb_allowed(SH_VERB_NONE, SH_NODE_ROOT));
	ck_assert_str_eq(sh_verb_keys(SH_VERB_CREATE, &file, NULL)[1], "file");
	ck_assert_str_eq(sh_verb_keys(SH_VERB_CREATE, &lvm, NULL)[1], "dev");
	ck_assert_str_eq(sh_verb_keys(SH_VERB_SET, &tpg, "auth")[3], "mutual_password");
	ck_assert_ptr_null(sh_verb_keys(SH_VERB_SET, &tpg, "bogus")[0]);
	ck_assert_ptr_null(sh_verb_keys(SH_VERB_CREATE, &root, NULL)[0]);
	ck_assert_str_eq(sh_verb_groups(SH_NODE_TPG)[2], "auth");
	ck_assert_ptr_null(sh_verb_groups(SH_NODE_LUN)[0]);
	ck_assert(sh_key_is_bool("add_mapped_luns"));
	ck_assert(!sh_key_is_bool("size"));
	ck_assert_ptr_nonnull(strstr(sh_verb_usage(SH_VERB_CREATE, &file), "file=PATH"));
	ck_assert_str_eq(sh_verb_usage(SH_VERB_LS, &root), "ls [PATH] [DEPTH]");
}
END_TEST

START_TEST(help_text)
{
	struct sh_node_info file = { .type = SH_NODE_BS_GROUP, .bs_type = "file" };
	struct sh_node_info tpg = { .type = SH_NODE_TPG };
	struct sh_buf b;

	sh_buf_init(&b);
	sh_help(SH_VERB_NONE, &file, "/backstores/file", &b);
	ck_assert(strncmp(sh_buf_str(&b), "Commands at /backstores/file (backstore type):\n", 47) == 0);
	ck_assert_ptr_nonnull(strstr(sh_buf_str(&b), "\n  create         create a child of this node\n"));
	ck_assert_ptr_null(strstr(sh_buf_str(&b), "\n  set "));
	sh_buf_reset(&b);
	sh_help(SH_VERB_SET, &tpg, TPG, &b);
	ck_assert_ptr_nonnull(
		strstr(sh_buf_str(&b), "usage: set attribute|parameter|auth|alua KEY=VALUE"));
	ck_assert_ptr_nonnull(strstr(sh_buf_str(&b), "\n  alua: state, preferred, explicit\n"));
	ck_assert_ptr_nonnull(strstr(sh_buf_str(&b), "\n  auth: userid, password, mutual_userid, "
						     "mutual_password, chap_algorithms\n"));
	sh_buf_reset(&b);
	sh_help(SH_VERB_CREATE, &tpg, TPG, &b);
	ck_assert_str_eq(sh_buf_str(&b), "create: create a child of this node\nNot available at " TPG
					 " (TPG).\n");
	sh_buf_fini(&b);
}
END_TEST

static Suite *verbs_suite(void)
{
	Suite *s = suite_create("shell verbs");
	TCase *tc = tcase_create("actions");

	tcase_add_loop_test(tc, requests, 0, (int)(sizeof(req_cases) / sizeof(req_cases[0])));
	tcase_add_loop_test(tc, refusals, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, cd_back_needs_a_previous_node);
	tcase_add_test(tc, local_verbs);
	tcase_add_test(tc, relative_files_resolved);
	tcase_add_test(tc, tables);
	tcase_add_test(tc, help_text);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(verbs_suite)
