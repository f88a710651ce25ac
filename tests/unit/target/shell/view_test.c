/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ls tree and the other views. The walkthrough's drawing is compared
 * with walkthrough_ls.golden, and the walkthrough docs/shell.md shows (a
 * real porticod's, tests/functional/shell-walkthrough.sh) must end with
 * exactly that drawing. PORTICO_UPDATE_GOLDEN=1 rewrites the golden file
 * from what the renderer draws (then read the diff before committing it).
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/shell/view.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/shell/fixture.h"


static struct json_object *obj(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	ck_assert_msg(o != NULL, "bad JSON in test: %s", text);
	return o;
}

static void render(struct json_object *node, size_t width, struct sh_buf *out)
{
	struct sh_err err = { .msg = "" };

	sh_buf_init(out);
	ck_assert_msg(sh_tree_render(node, width, out, &err) == 0, "%s", err.msg);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* What docs/shell.md shows between its markers. */
START_TEST(walkthrough_golden)
{
	struct json_object *tree = fixture_tree();
	const char *update = getenv("PORTICO_UPDATE_GOLDEN");
	struct sh_buf out;
	char *golden, *doc, *end;

	render(tree, FIXTURE_WIDTH, &out);
	if (update && strcmp(update, "1") == 0)
		write_file(FIXTURE_LS, sh_buf_str(&out));
	golden = fixture_read(FIXTURE_LS);
	ck_assert_str_eq(sh_buf_str(&out), golden);

	/* the guide's walkthrough, from a real porticod, ends with this very drawing */
	doc = fixture_doc_session();
	end = strstr(doc, "\n/> ls\n");
	ck_assert_msg(end != NULL, "docs/shell.md's walkthrough has no ls");
	ck_assert_msg(!strcmp(end + 7, golden),
		      "docs/shell.md's walkthrough draws another tree than %s:\n%s", FIXTURE_LS,
		      end + 7);
	free(doc);
	free(golden);
	sh_buf_fini(&out);
	json_object_put(tree);
}
END_TEST

START_TEST(walkthrough_shape)
{
	struct json_object *tree = fixture_tree();
	struct sh_buf out;
	const char *s, *line;
	size_t lines = 0;

	render(tree, FIXTURE_WIDTH, &out);
	s = sh_buf_str(&out);
	/* every line is exactly the width, ends in ']' */
	for (line = s; *line; line = strchr(line, '\n') + 1) {
		size_t len = strcspn(line, "\n");

		ck_assert_uint_eq(len, FIXTURE_WIDTH);
		ck_assert_int_eq(line[len - 1], ']');
		lines++;
	}
	ck_assert_uint_eq(lines, 24);
	ck_assert(strncmp(s, "o- / ...", 8) == 0);
	ck_assert_ptr_nonnull(strstr(s, "\n  o- backstores ...."));
	ck_assert_ptr_nonnull(strstr(s, "\n  | o- block ...."));
	ck_assert_ptr_nonnull(strstr(s, "\n  | | o- LUN1 ...."));
	/* lvm is not the last backstore type (rbd is): a bar goes on beside LUN2 */
	ck_assert_ptr_nonnull(strstr(s, "\n  | | o- LUN2 ...."));
	ck_assert_ptr_nonnull(strstr(s, "\n  | o- null ...."));
	ck_assert_ptr_nonnull(strstr(s, "\n  | o- rbd ...."));
	ck_assert_ptr_nonnull(strstr(s, "\n  o- iscsi ...."));
	ck_assert_ptr_nonnull(strstr(s, "\n    o- " FIXTURE_TARGET " ...."));
	ck_assert_ptr_nonnull(strstr(s, "\n      o- tpg1 ...."));
	ck_assert_ptr_nonnull(strstr(s, ". [no-gen-acls, no-auth]\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n        |   o- mapped_lun2 ...."));
	ck_assert_ptr_nonnull(strstr(s, "\n          o- 127.0.0.1:3260 ...."));
	ck_assert_ptr_nonnull(strstr(s, ". [/srv/iscsi/LUN0.img (20.0GiB) write-back thin]\n"));
	ck_assert_ptr_nonnull(strstr(s, ". [...]\n"));
	sh_buf_fini(&out);
	json_object_put(tree);
}
END_TEST

START_TEST(subtree_starts_at_its_node)
{
	struct json_object *tree = fixture_tree();
	struct json_object *tpg = sh_tree_find(tree, FIXTURE_TPG);
	struct sh_buf out;

	ck_assert_ptr_nonnull(tpg);
	render(tpg, 60, &out);
	/* the last line, 60 columns: portals is tpg1's last child, so no bar before it */
	ck_assert_str_eq(sh_buf_str(&out) + strlen(sh_buf_str(&out)) - 62,
			 "\n    o- 127.0.0.1:3260 ................................. [OK]\n");
	ck_assert(strncmp(sh_buf_str(&out), "o- tpg1 ....", 12) == 0);
	ck_assert_ptr_nonnull(strstr(sh_buf_str(&out), "\n  o- acls ...."));
	ck_assert_ptr_nonnull(strstr(sh_buf_str(&out), "\n  | o- " FIXTURE_KVM1 " ..."));
	sh_buf_fini(&out);
	json_object_put(tree);
}
END_TEST

START_TEST(tree_find)
{
	struct json_object *tree = fixture_tree();

	ck_assert_ptr_eq(sh_tree_find(tree, "/"), tree);
	ck_assert_str_eq(sh_tree_name(sh_tree_find(tree, "/backstores/file/LUN0")), "LUN0");
	ck_assert_str_eq(sh_tree_name(sh_tree_find(tree, FIXTURE_TPG "/acls/" FIXTURE_KVM1
							       "/mapped_lun1")),
			 "mapped_lun1");
	ck_assert_ptr_null(sh_tree_find(tree, "/backstores/file/LUN9"));
	ck_assert_ptr_null(sh_tree_find(tree, "/backstores/fil"));
	ck_assert_ptr_null(sh_tree_find(tree, "backstores"));
	ck_assert_ptr_null(sh_tree_find(NULL, "/"));
	json_object_put(tree);
}
END_TEST

START_TEST(narrow_and_long)
{
	struct json_object *n = obj("{\"name\": \"a-very-long-backstore-name\", \"summary\": "
				    "\"a summary that is longer than the width\"}");
	struct sh_buf out;

	/* too long for the width: three dots, nothing cut */
	render(n, 20, &out);
	ck_assert_str_eq(sh_buf_str(&out), "o- a-very-long-backstore-name ... [a summary that is "
					   "longer than the width]\n");
	sh_buf_fini(&out);
	json_object_put(n);

	/* exactly three dots fit */
	n = obj("{\"name\": \"abc\", \"summary\": \"xyz\"}");
	render(n, 40, &out);
	ck_assert_uint_eq(strlen(sh_buf_str(&out)), 41);
	sh_buf_fini(&out);
	json_object_put(n);
}
END_TEST

START_TEST(utf8_and_control_characters)
{
	struct json_object *n = obj("{\"name\": \"d\\u00e9j\\u00e0\", \"summary\": \"s\\u001b[2Jx\","
				    "\"children\": [{\"name\": \"a\\nb\"}]}");
	struct sh_buf out;
	const char *s;

	render(n, 40, &out);
	s = sh_buf_str(&out);
	/* the escape sequence and the newline are shown, not obeyed */
	ck_assert_ptr_null(strchr(s, '\x1b'));
	ck_assert_ptr_nonnull(strstr(s, "[s?[2Jx]\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n  o- a?b ..."));
	/* "déjà" takes four columns: the line ends at column 40 all the same */
	ck_assert_uint_eq(strcspn(s, "\n"), 40 + 2);
	sh_buf_fini(&out);
	json_object_put(n);
}
END_TEST

START_TEST(malformed_nodes)
{
	static const char *const bad[] = {
		"{\"summary\": \"no name\"}",
		"{\"name\": \"\"}",
		"{\"name\": 3}",
		"{\"name\": \"a\", \"children\": {}}",
		"{\"name\": \"a\", \"children\": [1]}",
		"{\"name\": \"a\", \"children\": [{\"name\": \"b\", \"children\": [{}]}]}",
		"[]",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *n = obj(bad[i]);
		struct sh_err err = { .msg = "" };
		struct sh_buf out;

		sh_buf_init(&out);
		ck_assert_msg(sh_tree_render(n, 80, &out, &err) == -EINVAL, "%s", bad[i]);
		ck_assert(strncmp(err.msg, "porticod sent a malformed node", 30) == 0);
		ck_assert_ptr_nonnull(strstr(err.hint, "versions"));
		sh_buf_fini(&out);
		json_object_put(n);
	}
}
END_TEST

START_TEST(too_deep)
{
	struct json_object *root = obj("{\"name\": \"n\"}"), *node = root;
	struct sh_err err = { .msg = "" };
	struct sh_buf out;
	int i;

	for (i = 0; i < 40; i++) {
		struct json_object *kid = obj("{\"name\": \"n\"}"), *arr = json_object_new_array();

		json_object_array_add(arr, kid);
		json_object_object_add(node, "children", arr);
		node = kid;
	}
	sh_buf_init(&out);
	ck_assert_int_eq(sh_tree_render(root, 80, &out, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "porticod sent a malformed node: nested too deeply");
	sh_buf_fini(&out);
	json_object_put(root);
}
END_TEST

START_TEST(info_view)
{
	struct json_object *tree = fixture_tree();
	struct sh_err err = { .msg = "" };
	struct sh_buf out;

	sh_buf_init(&out);
	ck_assert_int_eq(sh_view_info(sh_tree_find(tree, "/backstores/file/LUN0"), &out, &err), 0);
	ck_assert_str_eq(sh_buf_str(&out), "path: /backstores/file/LUN0\n"
					   "type: backstore\n"
					   "summary: /srv/iscsi/LUN0.img (20.0GiB) write-back thin\n"
					   "file: /srv/iscsi/LUN0.img\n"
					   "size: 21474836480 (20.0GiB)\n"
					   "thin: true\n"
					   "write_back: true\n"
					   "readonly: false\n"
					   "block_size: 512\n"
					   "physical_block_size: 512\n"
					   "removable: false\n"
					   "serial: 2f6b9e0c51d4a873\n"
					   "naa: 0x3f6b9e0c51d4a873\n"
					   "in_use: 1\n");
	sh_buf_reset(&out);
	ck_assert_int_eq(sh_view_info(sh_tree_find(tree, FIXTURE_TPG "/acls/" FIXTURE_KVM1), &out,
				      &err),
			 0);
	ck_assert_ptr_nonnull(strstr(sh_buf_str(&out), "\nauth:\n  userid: \n  password_set: "
						       "false\n"));
	sh_buf_fini(&out);
	json_object_put(tree);
}
END_TEST

START_TEST(get_view)
{
	struct json_object *tree = fixture_tree();
	struct json_object *tpg = sh_tree_find(tree, FIXTURE_TPG);
	const char *keys[] = { "nopin_interval", "authentication" };
	struct sh_err err = { .msg = "" };
	struct sh_buf out;

	sh_buf_init(&out);
	ck_assert_int_eq(sh_view_get(tpg, SH_NODE_TPG, "attribute", NULL, 0, &out, &err), 0);
	ck_assert_str_eq(sh_buf_str(&out), "ATTRIBUTE CONFIG GROUP\n"
					   "======================\n"
					   "generate_node_acls=false\n"
					   "demo_mode_write_protect=true\n"
					   "nopin_interval=15\n"
					   "nopin_timeout=30\n"
					   "default_cmdsn_depth=128\n"
					   "authentication=false\n"
					   "allowed_addresses=\n");
	sh_buf_reset(&out);
	ck_assert_int_eq(sh_view_get(tpg, SH_NODE_TPG, "attribute", keys, 2, &out, &err), 0);
	ck_assert_str_eq(sh_buf_str(&out), "nopin_interval=15\nauthentication=false\n");
	sh_buf_reset(&out);
	keys[1] = "nopin";
	ck_assert_int_eq(sh_view_get(tpg, SH_NODE_TPG, "attribute", keys, 2, &out, &err), -EINVAL);
	ck_assert_str_eq(err.msg, FIXTURE_TPG " has no attribute 'nopin'");
	/* every group of the node */
	sh_buf_reset(&out);
	ck_assert_int_eq(sh_view_get(tpg, SH_NODE_TPG, NULL, NULL, 0, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(sh_buf_str(&out), "\n\nPARAMETER CONFIG GROUP\n"));
	ck_assert_ptr_nonnull(strstr(sh_buf_str(&out), "\nHeaderDigest=CRC32C,None\n"));
	ck_assert_ptr_nonnull(strstr(sh_buf_str(&out), "\n\nAUTH CONFIG GROUP\n=================\n"
						       "userid=\npassword_set=false\n"));
	/* a backstore's attributes are its flat props */
	sh_buf_reset(&out);
	ck_assert_int_eq(sh_view_get(sh_tree_find(tree, "/backstores/lvm/LUN2"), SH_NODE_BACKSTORE,
				     "attribute", NULL, 0, &out, &err),
			 0);
	/* a size in bytes for people too, as targetcli writes it; the exact bytes kept */
	ck_assert_ptr_nonnull(
		strstr(sh_buf_str(&out), "\ndev=/dev/loop1\nsize=536870912 (512.0MiB)\n"));
	ck_assert_ptr_nonnull(strstr(sh_buf_str(&out), "\nblock_size=512\n"));
	sh_buf_reset(&out);
	{
		const char *const size_key[] = { "size" };

		ck_assert_int_eq(sh_view_get(sh_tree_find(tree, "/backstores/lvm/LUN2"),
					     SH_NODE_BACKSTORE, "attribute", size_key, 1, &out, &err),
				 0);
		ck_assert_str_eq(sh_buf_str(&out), "size=536870912 (512.0MiB)\n");
	}
	sh_buf_fini(&out);
	json_object_put(tree);
}
END_TEST

START_TEST(value_view)
{
	struct json_object *st = obj(
		"{\"porticod\": \"0.1\", \"uptime_s\": 93784, \"io_threads\": 2, \"sessions\": "
		"[{\"initiator\": \"iqn.2026-11.org.example:kvm1\", \"tsih\": 1, \"luns\": 3}, "
		"{\"initiator\": \"iqn.2026-11.org.example:kvm2\", \"tsih\": 2, \"luns\": 0}],"
		"\"portals\": [\"0.0.0.0:3260\", \"[::]:3260\"], \"none\": [], \"empty\": {}}");
	struct sh_buf out;

	sh_buf_init(&out);
	sh_view_value(st, 0, &out);
	ck_assert_str_eq(sh_buf_str(&out), "porticod: 0.1\n"
					   "uptime_s: 93784\n"
					   "io_threads: 2\n"
					   "sessions:\n"
					   "  - initiator: iqn.2026-11.org.example:kvm1\n"
					   "    tsih: 1\n"
					   "    luns: 3\n"
					   "  - initiator: iqn.2026-11.org.example:kvm2\n"
					   "    tsih: 2\n"
					   "    luns: 0\n"
					   "portals: 0.0.0.0:3260, [::]:3260\n"
					   "none: -\n"
					   "empty: -\n");
	sh_buf_fini(&out);
	json_object_put(st);
}
END_TEST

START_TEST(change_view)
{
	struct json_object *r = obj("{\"messages\": [\"Created LUN 0.\", \"Created LUN 0->0 mapping "
				    "in node ACL iqn.2026-11.org.example:kvm1\"]}");
	struct sh_buf out;

	sh_buf_init(&out);
	sh_view_change(r, "create", "/x", &out);
	ck_assert_str_eq(sh_buf_str(&out), "Created LUN 0.\nCreated LUN 0->0 mapping in node ACL "
					   "iqn.2026-11.org.example:kvm1\n");
	json_object_put(r);

	/* without messages */
	sh_buf_reset(&out);
	r = obj("{\"path\": \"/iscsi/iqn.2026-11.org.portico.storage1:sn.1\"}");
	sh_view_change(r, "create", "/iscsi", &out);
	ck_assert_str_eq(sh_buf_str(&out), "Created /iscsi/iqn.2026-11.org.portico.storage1:sn.1.\n");
	json_object_put(r);
	sh_buf_reset(&out);
	sh_view_change(NULL, "delete", "/backstores/file/LUN0", &out);
	ck_assert_str_eq(sh_buf_str(&out), "Deleted /backstores/file/LUN0.\n");
	sh_buf_reset(&out);
	sh_view_change(NULL, "set", "/x", &out);
	ck_assert_str_eq(sh_buf_str(&out), "");
	sh_buf_fini(&out);
}
END_TEST

static Suite *view_suite(void)
{
	Suite *s = suite_create("shell view");
	TCase *tc = tcase_create("tree");

	tcase_add_test(tc, walkthrough_golden);
	tcase_add_test(tc, walkthrough_shape);
	tcase_add_test(tc, subtree_starts_at_its_node);
	tcase_add_test(tc, tree_find);
	tcase_add_test(tc, narrow_and_long);
	tcase_add_test(tc, utf8_and_control_characters);
	tcase_add_test(tc, malformed_nodes);
	tcase_add_test(tc, too_deep);
	suite_add_tcase(s, tc);
	tc = tcase_create("props");
	tcase_add_test(tc, info_view);
	tcase_add_test(tc, get_view);
	tcase_add_test(tc, value_view);
	tcase_add_test(tc, change_view);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(view_suite)
