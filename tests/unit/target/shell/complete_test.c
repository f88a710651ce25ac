/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tab completion: candidates for the word at the end of a line, at a node, with the walkthrough's tree. */
#include <check.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "target/shell/complete.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/shell/fixture.h"

static struct json_object *tree;

static void setup(void)
{
	tree = fixture_tree();
}

static void teardown(void)
{
	json_object_put(tree);
	tree = NULL;
}

/* The candidates joined by spaces, and where the word starts. */
static const char *complete_at(const char *cwd, struct json_object *t, const char *line,
			       size_t *start)
{
	static char joined[8192];
	struct sh_completion c;
	size_t i, len = 0;

	ck_assert_int_eq(sh_complete(cwd, t, line, strlen(line), &c), 0);
	joined[0] = '\0';
	for (i = 0; i < c.n; i++)
		len += (size_t)snprintf(joined + len, sizeof(joined) - len, "%s%s", i ? " " : "",
					c.cand[i]);
	if (start)
		*start = c.start;
	sh_completion_fini(&c);
	return joined;
}

static const char *complete(const char *cwd, const char *line)
{
	return complete_at(cwd, tree, line, NULL);
}

START_TEST(verbs_of_the_node)
{
	ck_assert_str_eq(complete("/backstores/file", "cr"), "create");
	ck_assert_str_eq(complete("/", "s"), "saveconfig sessions status");
	/* the first word offers verbs and children */
	ck_assert_str_eq(complete("/", "i"), "info iscsi/");
	ck_assert_str_eq(complete(FIXTURE_TPG, "se"), "set");
	ck_assert_str_eq(complete("/", "se"), "sessions");
	ck_assert_str_eq(complete(FIXTURE_TPG, "cr"), "");
	/* after a path, the verbs of that node */
	ck_assert_str_eq(complete("/", "/backstores/file/LUN0 s"), "saveconfig set status");
	ck_assert_str_eq(complete("/", "/iscsi c"), "cd clearconfig create");
	ck_assert_str_eq(complete(FIXTURE_TPG, "luns/ c"), "cd clearconfig create");
	ck_assert_str_eq(complete(FIXTURE_TPG, "lu"), "luns/");
}
END_TEST

START_TEST(paths)
{
	size_t start;

	ck_assert_str_eq(complete("/", "cd /"), "/backstores/ /iscsi/");
	ck_assert_str_eq(complete_at("/", tree, "cd /backstores/f", &start), "/backstores/file/");
	ck_assert_uint_eq(start, 3);
	ck_assert_str_eq(complete("/", "cd /backstores/file/"), "/backstores/file/LUN0");
	ck_assert_str_eq(complete("/backstores", "cd "), "block/ file/ lvm/ null/ rbd/");
	ck_assert_str_eq(complete("/backstores/file", "ls ../l"), "../lvm/");
	ck_assert_str_eq(complete("/backstores/file", "cd .."), "../");
	ck_assert_str_eq(complete("/", "/iscsi/iqn.2026-11.org.portico:storage1.4f1c2a9e7b30/t"),
			 "/iscsi/iqn.2026-11.org.portico:storage1.4f1c2a9e7b30/tpg1/");
	ck_assert_str_eq(complete(FIXTURE_TPG, "cd "), "acls/ luns/ portals/");
	ck_assert_str_eq(complete(FIXTURE_TPG, "./acls/"), "./acls/" FIXTURE_KVM1 "/");
	ck_assert_str_eq(complete(FIXTURE_TPG "/acls/" FIXTURE_KVM1, "cd mapped_lun"),
			 "mapped_lun0 mapped_lun1 mapped_lun2");
	/* leaves take no slash: the word is finished */
	ck_assert_str_eq(complete(FIXTURE_TPG, "cd portals/"), "portals/127.0.0.1:3260");
	ck_assert_str_eq(complete("/", "cd /nowhere/"), "");
}
END_TEST

START_TEST(paths_without_a_tree)
{
	/* no daemon to ask: the tree's fixed shape still helps */
	ck_assert_str_eq(complete_at("/", NULL, "cd ", NULL), "backstores/ iscsi/");
	ck_assert_str_eq(complete_at("/", NULL, "cd /backstores/", NULL),
			 "/backstores/block/ /backstores/file/ /backstores/lvm/ /backstores/null/ /backstores/rbd/");
	ck_assert_str_eq(complete_at(FIXTURE_TPG, NULL, "cd ", NULL), "acls/ luns/ portals/");
	ck_assert_str_eq(complete_at("/iscsi", NULL, "cd ", NULL), "");
	ck_assert_str_eq(complete_at("/", NULL, "he", NULL), "help");
}
END_TEST

START_TEST(keys)
{
	size_t start;

	ck_assert_str_eq(complete("/backstores/file", "create n"), "naa= name=");
	ck_assert_str_eq(complete_at("/backstores/file", tree, "create name=LUN0 s", &start),
			 "serial= size= sparse=");
	ck_assert_uint_eq(start, 17);
	/* a key given already is not offered again */
	ck_assert_str_eq(complete("/backstores/file", "create name=x size=1G s"), "serial= sparse=");
	ck_assert_str_eq(complete("/backstores/block", "create d"), "dev=");
	ck_assert_str_eq(complete("/", "/backstores/lvm create "),
			 "block_size= dev= naa= name= physical_block_size= readonly= removable= serial= size= write_back=");
	ck_assert_str_eq(complete(FIXTURE_TPG "/portals", "create ip"), "ip_address= ip_port=");
	ck_assert_str_eq(complete("/", "clearconfig "), "confirm=");
	ck_assert_str_eq(complete("/", "restoreconfig "), "check= clear_existing= file=");
	ck_assert_str_eq(complete("/backstores/file/LUN0", "delete "), "force=");
}
END_TEST

START_TEST(values)
{
	ck_assert_str_eq(complete("/backstores/file", "create sparse="), "sparse=false sparse=true");
	ck_assert_str_eq(complete("/backstores/file", "create sparse=t"), "sparse=true");
	ck_assert_str_eq(complete("/", "clearconfig confirm="), "confirm=false confirm=true");
	ck_assert_str_eq(complete(FIXTURE_TPG "/luns", "create storage_object=/backstores/b"),
			 "storage_object=/backstores/block/LUN1");
	ck_assert_str_eq(complete("/backstores/file", "create name="), "");
}
END_TEST

START_TEST(groups_and_their_keys)
{
	ck_assert_str_eq(complete(FIXTURE_TPG, "set "), "alua attribute auth parameter");
	ck_assert_str_eq(complete(FIXTURE_TPG, "set a"), "alua attribute auth");
	ck_assert_str_eq(complete(FIXTURE_TPG, "set auth "),
			 "chap_algorithms= mutual_password= mutual_userid= password= userid=");
	ck_assert_str_eq(complete(FIXTURE_TPG "/acls/" FIXTURE_KVM1, "set auth c"),
			 "chap_algorithms=");
	ck_assert_str_eq(complete(FIXTURE_TPG, "set auth userid=u p"), "password=");
	ck_assert_str_eq(complete(FIXTURE_TPG, "set parameter Max"),
			 "MaxBurstLength= MaxOutstandingR2T= MaxRecvDataSegmentLength=");
	ck_assert_str_eq(complete(FIXTURE_TPG, "set attribute generate_node_acls="),
			 "generate_node_acls=false generate_node_acls=true");
	ck_assert_str_eq(complete(FIXTURE_TPG, "get attribute nopin"), "nopin_interval nopin_timeout");
	ck_assert_str_eq(complete(FIXTURE_TPG "/acls/" FIXTURE_KVM1, "set "), "attribute auth");
	ck_assert_str_eq(complete("/iscsi", "set "), "discovery_auth");
	ck_assert_str_eq(complete("/backstores/lvm/LUN2", "set attribute "),
			 "physical_block_size= readonly= removable= size= write_back=");
	ck_assert_str_eq(complete(FIXTURE_TPG, "set bogus "), "");
}
END_TEST

START_TEST(delete_and_create_names)
{
	ck_assert_str_eq(complete(FIXTURE_TPG "/luns", "delete "), "force= lun0 lun1 lun2");
	ck_assert_str_eq(complete(FIXTURE_TPG "/luns", "delete lun1 "), "force=");
	ck_assert_str_eq(complete("/iscsi", "delete "),
			 "force= iqn.2026-11.org.portico:storage1.4f1c2a9e7b30");
	ck_assert_str_eq(complete(FIXTURE_TPG "/portals", "delete 1"), "127.0.0.1:3260");
	ck_assert_str_eq(complete(FIXTURE_TPG "/acls/" FIXTURE_KVM1, "delete m"),
			 "mapped_lun0 mapped_lun1 mapped_lun2");
	/* targetcli's "luns create /backstores/..." */
	ck_assert_str_eq(complete(FIXTURE_TPG "/luns", "create "),
			 "/backstores/block/LUN1 /backstores/file/LUN0 /backstores/lvm/LUN2 "
			 "add_mapped_luns= lun= storage_object=");
	ck_assert_str_eq(complete(FIXTURE_TPG "/luns", "create /backstores/f"),
			 "/backstores/file/LUN0");
	ck_assert_str_eq(complete("/", "help cl"), "clearconfig");
	/* help knows every command, wherever it is asked */
	ck_assert_str_eq(complete("/", "help cr"), "create");
}
END_TEST

START_TEST(no_guessing)
{
	/* unknown verbs, quotes, a key of another verb: nothing */
	ck_assert_str_eq(complete("/", "bogus "), "");
	ck_assert_str_eq(complete("/backstores/file", "create name='a "), "");
	ck_assert_str_eq(complete("/backstores/file", "create \"n"), "");
	ck_assert_str_eq(complete("/", "create "), "");
	ck_assert_str_eq(complete("/", "pwd "), "");
	ck_assert_str_eq(complete("/", "/bogus/path "), "");
}
END_TEST

START_TEST(cursor_in_the_middle)
{
	static const char line[] = "cd /backstores/fi extra";
	struct sh_completion c;

	/* only what is before the cursor counts */
	ck_assert_int_eq(sh_complete("/", tree, line, 17, &c), 0);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(c.cand[0], "/backstores/file/");
	ck_assert_uint_eq(c.start, 3);
	sh_completion_fini(&c);
}
END_TEST

START_TEST(common_prefix)
{
	struct sh_completion c;

	ck_assert_int_eq(sh_complete(FIXTURE_TPG "/acls/" FIXTURE_KVM1, tree, "cd m", 4, &c), 0);
	ck_assert_uint_eq(c.n, 3);
	ck_assert_uint_eq(sh_completion_common(&c), strlen("mapped_lun"));
	sh_completion_fini(&c);
	ck_assert_int_eq(sh_complete("/", tree, "zzz", 3, &c), 0);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(sh_completion_common(&c), 0);
	sh_completion_fini(&c);
}
END_TEST

static Suite *complete_suite(void)
{
	Suite *s = suite_create("shell completion");
	TCase *tc = tcase_create("candidates");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, verbs_of_the_node);
	tcase_add_test(tc, paths);
	tcase_add_test(tc, paths_without_a_tree);
	tcase_add_test(tc, keys);
	tcase_add_test(tc, values);
	tcase_add_test(tc, groups_and_their_keys);
	tcase_add_test(tc, delete_and_create_names);
	tcase_add_test(tc, no_guessing);
	tcase_add_test(tc, cursor_in_the_middle);
	tcase_add_test(tc, common_prefix);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(complete_suite)
