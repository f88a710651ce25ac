/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cfg.h"
#include "common/util.h"
#include "tests/unit/check_main.h"

static char tmpdir[64];
static char conf_path[128];
static config_t cfg;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void dir_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/portico-cfg-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(conf_path, sizeof(conf_path), "%s/test.conf", tmpdir);
}

static void dir_teardown(void)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Lookups: one file, one setting per line, so messages name known lines. */
static const char lookup_text[] = "name = \"disk1\";\n"	     /* 1 */
				  "size = \"20G\";\n"	     /* 2 */
				  "bytes = 4096;\n"	     /* 3 */
				  "big = 10000000000L;\n"    /* 4 */
				  "enabled = true;\n"	     /* 5 */
				  "ratio = 1.5;\n"	     /* 6 */
				  "neg = -5;\n"		     /* 7 */
				  "badsize = \"1.5G\";\n"    /* 8 */
				  "grp = {\n"		     /* 9 */
				  "  a = 1;\n"		     /* 10 */
				  "  b = \"x\";\n"	     /* 11 */
				  "};\n"		     /* 12 */
				  "lst = ( 1, 2 );\n"	     /* 13 */
				  "negbig = -10000000000L;\n"; /* 14 */

static const config_setting_t *root;
static const config_setting_t *grp;

static void lookup_setup(void)
{
	dir_setup();
	write_file(conf_path, lookup_text);
	config_init(&cfg);
	ck_assert_msg(config_read_file(&cfg, conf_path) == CONFIG_TRUE, "%s:%d: %s",
		      config_error_file(&cfg), config_error_line(&cfg), config_error_text(&cfg));
	root = config_root_setting(&cfg);
	grp = config_setting_get_member(root, "grp");
	ck_assert_ptr_nonnull(grp);
}

static void lookup_teardown(void)
{
	config_destroy(&cfg);
	dir_teardown();
}

/* Checks err holds "FILE:line: rest". */
static void assert_err_at(const struct cfg_err *err, int line, const char *rest)
{
	char expect[1024];

	snprintf(expect, sizeof(expect), "%s:%d: %s", conf_path, line, rest);
	ck_assert_str_eq(err->msg, expect);
}

START_TEST(test_get_string)
{
	struct cfg_err err = { "" };
	const char *s = "untouched";

	ck_assert_int_eq(cfg_get_string(root, "name", true, &s, &err), 0);
	ck_assert_str_eq(s, "disk1");
	ck_assert_str_eq(err.msg, "");

	s = "untouched";
	ck_assert_int_eq(cfg_get_string(root, "nope", false, &s, &err), 0);
	ck_assert_str_eq(s, "untouched");
	ck_assert_str_eq(err.msg, "");

	ck_assert_int_eq(cfg_get_string(root, "bytes", false, &s, &err), -EINVAL);
	assert_err_at(&err, 3, "'bytes' must be a string (in double quotes)");
	ck_assert_str_eq(s, "untouched");
}
END_TEST

START_TEST(test_get_missing_required)
{
	struct cfg_err err = { "" };
	const char *s;
	int64_t v;

	/* The root group has no line: the message stands alone. */
	ck_assert_int_eq(cfg_get_string(root, "nope", true, &s, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "missing required setting 'nope'");

	/* Inside a group, the group's line. */
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(cfg_get_int64(grp, "c", true, &v, &err), -EINVAL);
	assert_err_at(&err, 9, "missing required setting 'c'");

	/* No group at all (e.g. an optional section that is absent). */
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(cfg_get_int64(NULL, "c", false, &v, &err), 0);
	ck_assert_int_eq(cfg_get_int64(NULL, "c", true, &v, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "missing required setting 'c'");
}
END_TEST

START_TEST(test_get_int64)
{
	struct cfg_err err = { "" };
	int64_t v = 7;

	ck_assert_int_eq(cfg_get_int64(root, "bytes", true, &v, &err), 0);
	ck_assert_int_eq(v, 4096);
	ck_assert_int_eq(cfg_get_int64(root, "big", true, &v, &err), 0);
	ck_assert_int_eq(v, 10000000000LL);
	ck_assert_int_eq(cfg_get_int64(root, "neg", true, &v, &err), 0);
	ck_assert_int_eq(v, -5);
	ck_assert_int_eq(cfg_get_int64(grp, "a", true, &v, &err), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_str_eq(err.msg, "");

	v = 7;
	ck_assert_int_eq(cfg_get_int64(root, "ratio", true, &v, &err), -EINVAL);
	assert_err_at(&err, 6, "'ratio' must be an integer");
	ck_assert_int_eq(v, 7);

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(cfg_get_int64(root, "name", true, &v, &err), -EINVAL);
	assert_err_at(&err, 1, "'name' must be an integer");
}
END_TEST

START_TEST(test_get_bool)
{
	struct cfg_err err = { "" };
	bool b = false;

	ck_assert_int_eq(cfg_get_bool(root, "enabled", true, &b, &err), 0);
	ck_assert(b);
	b = false;
	ck_assert_int_eq(cfg_get_bool(root, "nope", false, &b, &err), 0);
	ck_assert(!b);
	ck_assert_int_eq(cfg_get_bool(root, "bytes", true, &b, &err), -EINVAL);
	assert_err_at(&err, 3, "'bytes' must be true or false");
}
END_TEST

START_TEST(test_get_size)
{
	struct cfg_err err = { "" };
	uint64_t v = 1;

	ck_assert_int_eq(cfg_get_size(root, "size", true, &v, &err), 0);
	ck_assert_uint_eq(v, 20ULL << 30);
	ck_assert_int_eq(cfg_get_size(root, "bytes", true, &v, &err), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(cfg_get_size(root, "big", true, &v, &err), 0);
	ck_assert_uint_eq(v, 10000000000ULL);
	ck_assert_str_eq(err.msg, "");

	v = 1;
	ck_assert_int_eq(cfg_get_size(root, "neg", true, &v, &err), -EINVAL);
	assert_err_at(&err, 7, "'neg' must not be negative");
	ck_assert_uint_eq(v, 1);

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(cfg_get_size(root, "negbig", true, &v, &err), -EINVAL);
	assert_err_at(&err, 14, "'negbig' must not be negative");

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(cfg_get_size(root, "badsize", true, &v, &err), -EINVAL);
	assert_err_at(&err, 8,
		      "'badsize' is not a size: \"1.5G\" (write bytes, or a number with K, M, G, "
		      "T or P, e.g. \"20G\")");

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(cfg_get_size(root, "enabled", true, &v, &err), -EINVAL);
	assert_err_at(&err, 5, "'enabled' must be a size: bytes, or a string such as \"20G\"");
	ck_assert_uint_eq(v, 1);
}
END_TEST

START_TEST(test_first_error_wins)
{
	struct cfg_err err = { "" };
	const char *s;
	bool b;

	ck_assert_int_eq(cfg_get_bool(root, "name", true, &b, &err), -EINVAL);
	ck_assert_int_eq(cfg_get_string(root, "bytes", true, &s, &err), -EINVAL);
	ck_assert_int_eq(cfg_error(&err, grp, "later %d", 2), -EINVAL);
	assert_err_at(&err, 1, "'name' must be true or false");
	/* No buffer at all: still an error. */
	ck_assert_int_eq(cfg_error(NULL, grp, "x"), -EINVAL);
}
END_TEST

START_TEST(test_error_formats)
{
	struct cfg_err err = { "" };
	config_t c;

	ck_assert_int_eq(cfg_error(&err, NULL, "no setting, %s", "no place"), -EINVAL);
	ck_assert_str_eq(err.msg, "no setting, no place");

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(cfg_error(&err, config_setting_get_member(grp, "b"), "bad '%s'", "b"),
			 -EINVAL);
	assert_err_at(&err, 11, "bad 'b'");

	/* Read from a string: no file, the line alone. */
	config_init(&c);
	ck_assert_int_eq(config_read_string(&c, "a = 1;\n\nb = \"x\";\n"), CONFIG_TRUE);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(cfg_get_int64(config_root_setting(&c), "b", true, &(int64_t){ 0 }, &err),
			 -EINVAL);
	ck_assert_str_eq(err.msg, "line 3: 'b' must be an integer");
	config_destroy(&c);
}
END_TEST

START_TEST(test_check_keys)
{
	static const char *const root_keys[] = { "name", "size",    "bytes",   "big", "enabled",
						 "ratio", "neg",    "badsize", "grp", "negbig",
						 NULL };
	static const char *const grp_keys[] = { "a", NULL };
	static const char *const none[] = { NULL };
	struct cfg_err err = { "" };

	ck_assert_int_eq(cfg_check_keys(root, root_keys, &err), -EINVAL);
	assert_err_at(&err, 13,
		      "unknown key 'lst' (allowed: name, size, bytes, big, enabled, ratio, neg, "
		      "badsize, grp, negbig)");

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(cfg_check_keys(grp, grp_keys, &err), -EINVAL);
	assert_err_at(&err, 11, "unknown key 'b' (allowed: a)");

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(cfg_check_keys(grp, (const char *const[]){ "b", "a", NULL }, &err), 0);
	ck_assert_str_eq(err.msg, "");

	ck_assert_int_eq(cfg_check_keys(grp, none, &err), -EINVAL);
	assert_err_at(&err, 10, "unknown key 'a' (no keys are allowed here)");

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(cfg_check_keys(config_setting_get_member(root, "lst"), grp_keys, &err),
			 -EINVAL);
	assert_err_at(&err, 13, "'lst' must be a group { ... }");

	ck_assert_int_eq(cfg_check_keys(NULL, grp_keys, &err), 0);
}
END_TEST

/* Sizes */

static const struct {
	const char *s;
	uint64_t v;
} good_sizes[] = {
	{ "0", 0 },
	{ "512", 512 },
	{ "512B", 512 },
	{ "512b", 512 },
	{ "1k", 1024 },
	{ "1K", 1024 },
	{ "1KB", 1024 },
	{ "1KiB", 1024 },
	{ "1kib", 1024 },
	{ "1Ki", 1024 },
	{ "100M", 100ULL << 20 },
	{ "100MiB", 100ULL << 20 },
	{ "20G", 20ULL << 30 },
	{ "20g", 20ULL << 30 },
	{ "3T", 3ULL << 40 },
	{ "2P", 2ULL << 50 },
	{ "007G", 7ULL << 30 },
	{ "18446744073709551615", UINT64_MAX },
	{ "16383P", 16383ULL << 50 },
};

START_TEST(test_parse_size_good)
{
	uint64_t v = 12345;

	ck_assert_msg(cfg_parse_size(good_sizes[_i].s, &v) == 0, "'%s' rejected", good_sizes[_i].s);
	ck_assert_uint_eq(v, good_sizes[_i].v);
}
END_TEST

static const char *const bad_sizes[] = {
	"",
	"G",
	"KB",
	"-1",
	"+1",
	" 1",
	"1 ",
	"100 MiB",
	"1.5G",
	"0x10",
	"1E",
	"1X",
	"1GG",
	"1iB",
	"1i",
	"1GBi",
	"1GiBB",
	"18446744073709551616",
	"99999999999999999999999",
	"16384P",
	"17179869184G",
};

START_TEST(test_parse_size_bad)
{
	uint64_t v = 12345;

	ck_assert_msg(cfg_parse_size(bad_sizes[_i], &v) == -EINVAL, "'%s' accepted", bad_sizes[_i]);
	ck_assert_uint_eq(v, 12345);
}
END_TEST

START_TEST(test_parse_size_null)
{
	uint64_t v;

	ck_assert_int_eq(cfg_parse_size(NULL, &v), -EINVAL);
}
END_TEST

/* Setters */

/* The text libconfig writes of c. The caller frees it. */
static char *written(config_t *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	config_write(c, f);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

START_TEST(test_setters_build_a_tree)
{
	config_setting_t *g, *list, *e, *arr;
	config_t c;
	char *text;

	config_init(&c);
	ck_assert_int_eq(cfg_add(config_root_setting(&c), "grp", CONFIG_TYPE_GROUP, &g), 0);
	ck_assert_int_eq(cfg_set_string(g, "name", "disk1"), 0);
	ck_assert_int_eq(cfg_set_bool(g, "thin", true), 0);
	ck_assert_int_eq(cfg_set_uint(g, "small", 2147483647ULL), 0);
	ck_assert_int_eq(cfg_set_uint(g, "big", 2147483648ULL), 0);
	ck_assert_int_eq(cfg_add(g, "list", CONFIG_TYPE_LIST, &list), 0);
	ck_assert_int_eq(cfg_add(list, NULL, CONFIG_TYPE_GROUP, &e), 0);
	ck_assert_int_eq(cfg_set_uint(e, "lun", 0), 0);
	arr = cfg_member(g, "arr", CONFIG_TYPE_ARRAY);
	ck_assert_ptr_nonnull(arr);
	ck_assert_int_eq(cfg_append_string(arr, "a"), 0);
	ck_assert_int_eq(cfg_append_string(arr, "b"), 0);
	/* the member there is the one given back */
	ck_assert_ptr_eq(cfg_member(g, "arr", CONFIG_TYPE_ARRAY), arr);
	text = written(&c);
	/* the large one carries the L that libconfig 1.5 needs to read it whole */
	ck_assert_str_eq(text, "grp : \n"
			       "{\n"
			       "  name = \"disk1\";\n"
			       "  thin = true;\n"
			       "  small = 2147483647;\n"
			       "  big = 2147483648L;\n"
			       "  list = ( \n"
			       "    {\n"
			       "      lun = 0;\n"
			       "    } );\n"
			       "  arr = [ \"a\", \"b\" ];\n"
			       "};\n");
	free(text);
	config_destroy(&c);
}
END_TEST

START_TEST(test_setters_replace)
{
	config_setting_t *top;
	const char *s;
	config_t c;
	int v = 0;

	config_init(&c);
	top = config_root_setting(&c);
	ck_assert_int_eq(cfg_set_uint(top, "x", 7), 0);
	/* a value of another type goes first: one member of that name */
	ck_assert_int_eq(cfg_set_string(top, "x", "seven"), 0);
	ck_assert_int_eq(config_setting_length(top), 1);
	ck_assert_int_eq(config_lookup_string(&c, "x", &s), CONFIG_TRUE);
	ck_assert_str_eq(s, "seven");
	ck_assert_int_eq(cfg_set_bool(top, "x", false), 0);
	ck_assert_int_eq(config_setting_type(config_setting_get_member(top, "x")),
			 CONFIG_TYPE_BOOL);
	ck_assert_int_eq(cfg_set_uint(top, "x", 8), 0);
	ck_assert_int_eq(config_lookup_int(&c, "x", &v), CONFIG_TRUE);
	ck_assert_int_eq(v, 8);
	ck_assert_int_eq(config_setting_length(top), 1);
	config_destroy(&c);
}
END_TEST

START_TEST(test_setters_without_a_parent)
{
	config_setting_t *out = (config_setting_t *)&out;
	config_t c;

	ck_assert_int_eq(cfg_add(NULL, "x", CONFIG_TYPE_GROUP, &out), -EINVAL);
	ck_assert_ptr_null(out);
	ck_assert_ptr_null(cfg_member(NULL, "x", CONFIG_TYPE_GROUP));
	ck_assert_int_eq(cfg_set_string(NULL, "x", "v"), -EINVAL);
	ck_assert_int_eq(cfg_set_bool(NULL, "x", true), -EINVAL);
	ck_assert_int_eq(cfg_set_uint(NULL, "x", 1), -EINVAL);
	ck_assert_int_eq(cfg_append_string(NULL, "v"), -EINVAL);
	/* a name libconfig refuses */
	config_init(&c);
	ck_assert_int_eq(cfg_set_bool(config_root_setting(&c), "1x", true), -ENOMEM);
	config_destroy(&c);
}
END_TEST

/* Atomic save */

static void make_cfg(config_t *c, int version)
{
	config_setting_t *s;

	config_init(c);
	s = config_setting_add(config_root_setting(c), "version", CONFIG_TYPE_INT);
	ck_assert_ptr_nonnull(s);
	config_setting_set_int(s, version);
	s = config_setting_add(config_root_setting(c), "secret", CONFIG_TYPE_STRING);
	config_setting_set_string(s, "s3cr3t");
}

static void save_version(const char *path, int version, int keep, int expect)
{
	config_t c;

	make_cfg(&c, version);
	ck_assert_int_eq(cfg_save_atomic(&c, path, 0600, keep), expect);
	config_destroy(&c);
}

/* The version a saved file holds, or -1 if it is missing. */
static int read_version(const char *path)
{
	config_t c;
	int v = -1;

	if (!exists(path))
		return -1;
	config_init(&c);
	ck_assert_msg(config_read_file(&c, path) == CONFIG_TRUE, "%s: %s", path,
		      config_error_text(&c));
	ck_assert_int_eq(config_lookup_int(&c, "version", &v), CONFIG_TRUE);
	config_destroy(&c);
	return v;
}

static const char *with_suffix(const char *suffix)
{
	static char buf[4][160];
	static int n;
	char *b = buf[n++ % 4];

	snprintf(b, sizeof(buf[0]), "%s%s", conf_path, suffix);
	return b;
}

START_TEST(test_save_and_read_back)
{
	struct stat st;
	config_t c;
	const char *s;

	save_version(conf_path, 1, 0, 0);
	ck_assert_int_eq(read_version(conf_path), 1);
	config_init(&c);
	ck_assert_int_eq(config_read_file(&c, conf_path), CONFIG_TRUE);
	ck_assert_int_eq(config_lookup_string(&c, "secret", &s), CONFIG_TRUE);
	ck_assert_str_eq(s, "s3cr3t");
	config_destroy(&c);

	ck_assert_int_eq(stat(conf_path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert(!exists(with_suffix(".tmp")));
	ck_assert(!exists(with_suffix(".1")));

	/* keep = 0: replaced, no old version kept. */
	save_version(conf_path, 2, 0, 0);
	ck_assert_int_eq(read_version(conf_path), 2);
	ck_assert(!exists(with_suffix(".1")));
}
END_TEST

START_TEST(test_save_mode_ignores_umask)
{
	struct stat st;
	mode_t old = umask(0077);
	config_t c;

	make_cfg(&c, 1);
	ck_assert_int_eq(cfg_save_atomic(&c, conf_path, 0644, 0), 0);
	umask(old);
	ck_assert_int_eq(stat(conf_path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);

	old = umask(0);
	ck_assert_int_eq(cfg_save_atomic(&c, conf_path, 0600, 0), 0);
	umask(old);
	ck_assert_int_eq(stat(conf_path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	config_destroy(&c);
}
END_TEST

START_TEST(test_save_rotation)
{
	for (int v = 1; v <= 5; v++)
		save_version(conf_path, v, 3, 0);
	ck_assert_int_eq(read_version(conf_path), 5);
	ck_assert_int_eq(read_version(with_suffix(".1")), 4);
	ck_assert_int_eq(read_version(with_suffix(".2")), 3);
	ck_assert_int_eq(read_version(with_suffix(".3")), 2);
	ck_assert(!exists(with_suffix(".4")));
	ck_assert(!exists(with_suffix(".tmp")));

	/* keep = 1: only the previous one. */
	save_version(conf_path, 6, 1, 0);
	ck_assert_int_eq(read_version(conf_path), 6);
	ck_assert_int_eq(read_version(with_suffix(".1")), 5);
	/* Older ones beyond keep are left as they were. */
	ck_assert_int_eq(read_version(with_suffix(".2")), 3);
}
END_TEST

/*
 * A save that would write the bytes already there (and the mode) changes
 * nothing: no rotation, so ten saves without a change do not push the
 * versions before them out of the nine kept.
 */
START_TEST(test_save_unchanged_keeps_versions)
{
	struct stat before, after;

	save_version(conf_path, 1, 9, 0);
	save_version(conf_path, 2, 9, 0);
	ck_assert_int_eq(stat(conf_path, &before), 0);
	for (int i = 0; i < 10; i++)
		save_version(conf_path, 2, 9, 0);
	ck_assert_int_eq(read_version(conf_path), 2);
	ck_assert_int_eq(read_version(with_suffix(".1")), 1);
	ck_assert(!exists(with_suffix(".2")));
	ck_assert(!exists(with_suffix(".tmp")));
	ck_assert_int_eq(stat(conf_path, &after), 0);
	ck_assert_uint_eq(after.st_ino, before.st_ino);

	/* the same bytes with another mode: written, the mode is the point */
	ck_assert_int_eq(chmod(conf_path, 0644), 0);
	save_version(conf_path, 2, 9, 0);
	ck_assert_int_eq(stat(conf_path, &after), 0);
	ck_assert_uint_eq(after.st_mode & 07777, 0600);
	ck_assert_int_eq(read_version(with_suffix(".1")), 2);
	ck_assert_int_eq(read_version(with_suffix(".2")), 1);
}
END_TEST

START_TEST(test_save_rotation_with_gaps)
{
	save_version(conf_path, 1, 0, 0);
	/* Only path.3 exists among the old versions: missing ones are skipped. */
	save_version(with_suffix(".3"), 100, 0, 0);
	save_version(conf_path, 2, 3, 0);
	ck_assert_int_eq(read_version(conf_path), 2);
	ck_assert_int_eq(read_version(with_suffix(".1")), 1);
	ck_assert(!exists(with_suffix(".2")));
	ck_assert_int_eq(read_version(with_suffix(".3")), 100);
}
END_TEST

START_TEST(test_save_replaces_stale_tmp)
{
	struct stat st;

	write_file(with_suffix(".tmp"), "garbage from a crash {{{");
	ck_assert_int_eq(chmod(with_suffix(".tmp"), 0666), 0);
	save_version(conf_path, 1, 2, 0);
	ck_assert_int_eq(read_version(conf_path), 1);
	ck_assert(!exists(with_suffix(".tmp")));
	ck_assert_int_eq(stat(conf_path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
}
END_TEST

START_TEST(test_save_missing_directory)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/no/such/dir/test.conf", tmpdir);
	save_version(path, 1, 2, -ENOENT);
	ck_assert(!exists(path));
}
END_TEST

START_TEST(test_save_failure_keeps_old_file)
{
	save_version(conf_path, 1, 2, 0);
	/* The temporary name is taken by a directory: the save cannot start. */
	ck_assert_int_eq(mkdir(with_suffix(".tmp"), 0700), 0);
	save_version(conf_path, 2, 2, -EISDIR);
	ck_assert_int_eq(read_version(conf_path), 1);
	ck_assert(!exists(with_suffix(".1")));
	ck_assert_int_eq(rmdir(with_suffix(".tmp")), 0);

	/* Rotation fails (path.1 is a directory): the new file was written, and is removed. */
	ck_assert_int_eq(mkdir(with_suffix(".1"), 0700), 0);
	save_version(conf_path, 3, 1, -EISDIR);
	ck_assert_int_eq(read_version(conf_path), 1);
	ck_assert(!exists(with_suffix(".tmp")));
	ck_assert_int_eq(rmdir(with_suffix(".1")), 0);

	/* And it works again once the obstacle is gone. */
	save_version(conf_path, 4, 1, 0);
	ck_assert_int_eq(read_version(conf_path), 4);
	ck_assert_int_eq(read_version(with_suffix(".1")), 1);
}
END_TEST

START_TEST(test_save_bad_args)
{
	char path[PATH_MAX + 10];
	config_t c;

	make_cfg(&c, 1);
	ck_assert_int_eq(cfg_save_atomic(&c, "", 0600, 0), -EINVAL);
	ck_assert_int_eq(cfg_save_atomic(&c, conf_path, 0600, -1), -EINVAL);
	ck_assert_int_eq(cfg_save_atomic(NULL, conf_path, 0600, 0), -EINVAL);
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(cfg_save_atomic(&c, path, 0600, 0), -ENAMETOOLONG);
	config_destroy(&c);
	ck_assert(!exists(conf_path));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc;

	tc = tcase_create("lookup");
	tcase_add_checked_fixture(tc, lookup_setup, lookup_teardown);
	tcase_add_test(tc, test_get_string);
	tcase_add_test(tc, test_get_missing_required);
	tcase_add_test(tc, test_get_int64);
	tcase_add_test(tc, test_get_bool);
	tcase_add_test(tc, test_get_size);
	tcase_add_test(tc, test_first_error_wins);
	tcase_add_test(tc, test_error_formats);
	tcase_add_test(tc, test_check_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("size");
	tcase_add_loop_test(tc, test_parse_size_good, 0, (int)ARRAY_SIZE(good_sizes));
	tcase_add_loop_test(tc, test_parse_size_bad, 0, (int)ARRAY_SIZE(bad_sizes));
	tcase_add_test(tc, test_parse_size_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("setters");
	tcase_add_test(tc, test_setters_build_a_tree);
	tcase_add_test(tc, test_setters_replace);
	tcase_add_test(tc, test_setters_without_a_parent);
	suite_add_tcase(s, tc);

	tc = tcase_create("save");
	tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_test(tc, test_save_and_read_back);
	tcase_add_test(tc, test_save_mode_ignores_umask);
	tcase_add_test(tc, test_save_rotation);
	tcase_add_test(tc, test_save_rotation_with_gaps);
	tcase_add_test(tc, test_save_unchanged_keeps_versions);
	tcase_add_test(tc, test_save_replaces_stale_tmp);
	tcase_add_test(tc, test_save_missing_directory);
	tcase_add_test(tc, test_save_failure_keeps_old_file);
	tcase_add_test(tc, test_save_bad_args);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)
