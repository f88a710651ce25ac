/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "target/shell/cmdline.h"
#include "tests/unit/check_main.h"

static void parse(const char *line, struct sh_cmd *cmd)
{
	struct sh_err err = { .msg = "" };

	ck_assert_msg(sh_cmd_parse(line, strlen(line), cmd, &err) == 0, "%s: %s", line, err.msg);
}

/* "key=value" or "value" for argument i. */
static void check_arg(const struct sh_cmd *cmd, size_t i, const char *key, const char *value)
{
	ck_assert_uint_lt(i, cmd->nargs);
	if (key)
		ck_assert_str_eq(cmd->args[i].key, key);
	else
		ck_assert_ptr_null(cmd->args[i].key);
	ck_assert_str_eq(cmd->args[i].value, value);
}

START_TEST(words_and_offsets)
{
	static const char line[] = "  /backstores/file  create name=LUN0\tsize=20G ";
	struct sh_words w;

	ck_assert_int_eq(sh_words_split(line, strlen(line), false, &w, NULL), 0);
	ck_assert_uint_eq(w.n, 4);
	ck_assert_str_eq(w.w[0].text, "/backstores/file");
	ck_assert_uint_eq(w.w[0].start, 2);
	ck_assert_uint_eq(w.w[0].end, 18);
	ck_assert_uint_eq(w.w[0].eq, SH_NO_EQ);
	ck_assert_str_eq(w.w[2].text, "name=LUN0");
	ck_assert_uint_eq(w.w[2].eq, 4);
	ck_assert_uint_eq(w.w[3].start, 37);
	ck_assert_uint_eq(w.w[3].end, 45);
	ck_assert(!w.w[3].quoted);
	ck_assert(!w.open);
	sh_words_fini(&w);
}
END_TEST

START_TEST(quoting)
{
	static const char line[] = "a'b c'd \"x \\\"y\\\" \\\\ \\n\" e\\ f '' k='v w' 'k=v' k\\=v 'k'=v";
	struct sh_words w;

	ck_assert_int_eq(sh_words_split(line, strlen(line), false, &w, NULL), 0);
	ck_assert_uint_eq(w.n, 8);
	ck_assert_str_eq(w.w[0].text, "ab cd");
	ck_assert(w.w[0].quoted);
	/* inside "...": \" and \\ are taken, other backslashes stay */
	ck_assert_str_eq(w.w[1].text, "x \"y\" \\ \\n");
	ck_assert_str_eq(w.w[2].text, "e f");
	ck_assert_str_eq(w.w[3].text, "");
	/* key=value only when the name and its '=' are typed as they are */
	ck_assert_str_eq(w.w[4].text, "k=v w");
	ck_assert_uint_eq(w.w[4].eq, 1);
	ck_assert_str_eq(w.w[5].text, "k=v");
	ck_assert_uint_eq(w.w[5].eq, SH_NO_EQ);
	ck_assert_str_eq(w.w[6].text, "k=v");
	ck_assert_uint_eq(w.w[6].eq, SH_NO_EQ);
	ck_assert_str_eq(w.w[7].text, "k=v");
	ck_assert_uint_eq(w.w[7].eq, SH_NO_EQ);
	sh_words_fini(&w);
}
END_TEST

START_TEST(comments_and_blanks)
{
	struct sh_words w;
	struct sh_cmd cmd;

	ck_assert_int_eq(sh_words_split("ls # the tree", 13, false, &w, NULL), 0);
	ck_assert_uint_eq(w.n, 1);
	sh_words_fini(&w);
	ck_assert_int_eq(sh_words_split("ls a#b", 6, false, &w, NULL), 0);
	ck_assert_uint_eq(w.n, 2);
	ck_assert_str_eq(w.w[1].text, "a#b");
	sh_words_fini(&w);

	parse("   # nothing but a comment", &cmd);
	ck_assert_ptr_null(cmd.verb);
	ck_assert_ptr_null(cmd.path);
	sh_cmd_fini(&cmd);
	parse("", &cmd);
	ck_assert_ptr_null(cmd.verb);
	sh_cmd_fini(&cmd);
}
END_TEST

START_TEST(unterminated)
{
	static const char *const bad[] = { "create 'LUN0", "create \"LUN0", "create \"a\\\"", "ls \\" };
	struct sh_err err = { .msg = "" };
	struct sh_words w;
	struct sh_cmd cmd;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(sh_cmd_parse(bad[i], strlen(bad[i]), &cmd, &err) == -EINVAL, "%s", bad[i]);
		ck_assert(strlen(err.msg) > 0);
		ck_assert(strlen(err.hint) > 0);
		ck_assert_ptr_null(cmd.verb);
		/* completion takes the open word as it is */
		ck_assert_int_eq(sh_words_split(bad[i], strlen(bad[i]), true, &w, NULL), 0);
		ck_assert(w.open);
		ck_assert_uint_eq(w.w[w.n - 1].end, strlen(bad[i]));
		sh_words_fini(&w);
	}
	ck_assert_int_eq(sh_cmd_parse("a 'b", 4, &cmd, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "unterminated quote");
}
END_TEST

START_TEST(limits)
{
	static char line[SH_LINE_MAX + 2];
	struct sh_err err = { .msg = "" };
	struct sh_cmd cmd;
	size_t i;

	memset(line, 'a', sizeof(line) - 1);
	ck_assert_int_eq(sh_cmd_parse(line, SH_LINE_MAX + 1, &cmd, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "longer than"));
	for (i = 0; i < (SH_WORDS_MAX + 1) * 2; i += 2) {
		line[i] = 'w';
		line[i + 1] = ' ';
	}
	ck_assert_int_eq(sh_cmd_parse(line, (SH_WORDS_MAX + 1) * 2, &cmd, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "more than"));
	ck_assert_int_eq(sh_cmd_parse(line, SH_WORDS_MAX * 2, &cmd, &err), 0);
	ck_assert_uint_eq(cmd.nargs, SH_WORDS_MAX - 1);
	sh_cmd_fini(&cmd);
	/* the length bounds the parse */
	ck_assert_int_eq(sh_cmd_parse("ls /iscsi", 2, &cmd, &err), 0);
	ck_assert_str_eq(cmd.verb, "ls");
	ck_assert_uint_eq(cmd.nargs, 0);
	sh_cmd_fini(&cmd);
}
END_TEST

START_TEST(path_verb_args)
{
	struct sh_cmd cmd;

	parse("/backstores/file create name=LUN0 file=/LUN0/LUN0.img size=20G", &cmd);
	ck_assert_str_eq(cmd.path, "/backstores/file");
	ck_assert_str_eq(cmd.verb, "create");
	ck_assert_uint_eq(cmd.nargs, 3);
	check_arg(&cmd, 0, "name", "LUN0");
	check_arg(&cmd, 1, "file", "/LUN0/LUN0.img");
	check_arg(&cmd, 2, "size", "20G");
	ck_assert_str_eq(sh_cmd_key(&cmd, "size"), "20G");
	ck_assert_ptr_null(sh_cmd_key(&cmd, "sparse"));
	ck_assert_uint_eq(sh_cmd_npos(&cmd), 0);
	sh_cmd_fini(&cmd);

	/* targetcli's spellings: positional words between keys */
	parse("luns create /backstores/file/LUN0 lun=0 add_mapped_luns=false", &cmd);
	ck_assert_ptr_null(cmd.path);
	ck_assert_str_eq(cmd.verb, "luns");
	sh_cmd_fini(&cmd);
	parse("luns/ create /backstores/file/LUN0 lun=0 add_mapped_luns=false", &cmd);
	ck_assert_str_eq(cmd.path, "luns/");
	ck_assert_str_eq(cmd.verb, "create");
	check_arg(&cmd, 2, "add_mapped_luns", "false");
	sh_cmd_fini(&cmd);
	parse("./luns create /backstores/file/LUN0 lun=0", &cmd);
	ck_assert_str_eq(cmd.path, "./luns");
	ck_assert_str_eq(cmd.verb, "create");
	ck_assert_str_eq(sh_cmd_pos(&cmd, 0), "/backstores/file/LUN0");
	ck_assert_ptr_null(sh_cmd_pos(&cmd, 1));
	ck_assert_uint_eq(sh_cmd_npos(&cmd), 1);
	sh_cmd_fini(&cmd);

	parse("set auth userid=U password='a secret' mutual_userid=MU mutual_password=\"M P\"", &cmd);
	ck_assert_str_eq(cmd.verb, "set");
	check_arg(&cmd, 0, NULL, "auth");
	check_arg(&cmd, 2, "password", "a secret");
	check_arg(&cmd, 4, "mutual_password", "M P");
	sh_cmd_fini(&cmd);

	/* an IQN is positional: '.' is not in a key's name */
	parse("create iqn.2026-11.org.example:kvm1", &cmd);
	check_arg(&cmd, 0, NULL, "iqn.2026-11.org.example:kvm1");
	sh_cmd_fini(&cmd);
	parse("create k= =v 1a=b", &cmd);
	check_arg(&cmd, 0, "k", "");
	check_arg(&cmd, 1, NULL, "=v");
	check_arg(&cmd, 2, NULL, "1a=b");
	sh_cmd_fini(&cmd);
}
END_TEST

START_TEST(path_alone_is_cd)
{
	struct sh_cmd cmd;

	parse("..", &cmd);
	ck_assert_str_eq(cmd.path, "..");
	ck_assert_str_eq(cmd.verb, "cd");
	sh_cmd_fini(&cmd);
	parse("/iscsi/", &cmd);
	ck_assert_str_eq(cmd.verb, "cd");
	sh_cmd_fini(&cmd);
	/* a word that only looks like a path after quoting is still one */
	parse("'/iscsi' ls", &cmd);
	ck_assert_str_eq(cmd.path, "/iscsi");
	ck_assert_str_eq(cmd.verb, "ls");
	sh_cmd_fini(&cmd);
}
END_TEST

START_TEST(key_twice)
{
	struct sh_err err = { .msg = "" };
	struct sh_cmd cmd;

	ck_assert_int_eq(sh_cmd_parse("create name=a size=1G name=b", 28, &cmd, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "'name' is given twice");
	ck_assert_str_eq(err.hint, "give each key once");
	ck_assert_ptr_null(cmd.verb);
	ck_assert_ptr_null(cmd.args);
}
END_TEST

START_TEST(from_argv)
{
	char *argv[] = { "/backstores/file", "create", "name=LUN0", "file=/my disk.img",
			 "size=20G", "iqn.x=y", "sparse" };
	char *twice[] = { "create", "a=1", "a=2" };
	struct sh_err err = { .msg = "" };
	struct sh_cmd cmd;

	ck_assert_int_eq(sh_cmd_from_argv(7, argv, &cmd, &err), 0);
	ck_assert_str_eq(cmd.path, "/backstores/file");
	ck_assert_str_eq(cmd.verb, "create");
	ck_assert_uint_eq(cmd.nargs, 5);
	/* one argv word is one word: no quoting to undo */
	check_arg(&cmd, 1, "file", "/my disk.img");
	check_arg(&cmd, 3, NULL, "iqn.x=y");
	check_arg(&cmd, 4, NULL, "sparse");
	sh_cmd_fini(&cmd);

	ck_assert_int_eq(sh_cmd_from_argv(1, argv, &cmd, &err), 0);
	ck_assert_str_eq(cmd.verb, "cd");
	sh_cmd_fini(&cmd);
	ck_assert_int_eq(sh_cmd_from_argv(0, argv, &cmd, &err), 0);
	ck_assert_ptr_null(cmd.verb);
	sh_cmd_fini(&cmd);
	ck_assert_int_eq(sh_cmd_from_argv(3, twice, &cmd, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "'a' is given twice");
}
END_TEST

START_TEST(key_len)
{
	ck_assert_uint_eq(sh_key_len("name=x"), 4);
	ck_assert_uint_eq(sh_key_len("ip_port=3260"), 7);
	ck_assert_uint_eq(sh_key_len("MaxBurstLength=1"), 14);
	ck_assert_uint_eq(sh_key_len("a1_b="), 4);
	ck_assert_uint_eq(sh_key_len("_1=x"), 0);
	ck_assert_uint_eq(sh_key_len("1a=x"), 0);
	ck_assert_uint_eq(sh_key_len("name"), 0);
	ck_assert_uint_eq(sh_key_len("=x"), 0);
	ck_assert_uint_eq(sh_key_len("a-b=x"), 0);
	ck_assert(sh_word_is_path("/"));
	ck_assert(sh_word_is_path(".."));
	ck_assert(sh_word_is_path("./luns"));
	ck_assert(sh_word_is_path("luns/"));
	ck_assert(sh_word_is_path("acls/iqn.2026-11.org.example:kvm1"));
	ck_assert(!sh_word_is_path("luns"));
	ck_assert(!sh_word_is_path("create"));
}
END_TEST

static Suite *cmdline_suite(void)
{
	Suite *s = suite_create("shell command line");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, words_and_offsets);
	tcase_add_test(tc, quoting);
	tcase_add_test(tc, comments_and_blanks);
	tcase_add_test(tc, unterminated);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, path_verb_args);
	tcase_add_test(tc, path_alone_is_cd);
	tcase_add_test(tc, key_twice);
	tcase_add_test(tc, from_argv);
	tcase_add_test(tc, key_len);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(cmdline_suite)
