/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lio_import: each targetcli-written fixture (tests/lio/NAME.json) gives the
 * porticod.conf tree and the notes of its golden files
 * (tests/unit/target/model/lio_<name>.conf, .notes; PORTICO_UPDATE_GOLDEN=1
 * rewrites them), and that tree is a valid configuration with what
 * initiators must see (mapped LUNs, write protection, CHAP); broken files
 * are refused with where and why, and nothing of them is half-converted
 * into a model.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/model/config.h"
#include "target/model/lio_import.h"
#include "target/model/obj.h"
#include "tests/unit/check_main.h"

#define LIO_DIR PORTICO_TOP "/tests/lio/"
#define GOLDEN_DIR PORTICO_TOP "/tests/unit/target/model/"

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static void write_all(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* cfg as libconfig writes it */
static char *cfg_text(config_t *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	config_write(cfg, f);
	fclose(f);
	return buf;
}

static char *notes_text(const struct lio_notes *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < n->n; i++)
		fprintf(f, "%s\n", n->line[i]);
	fclose(f);
	return buf;
}

static void golden_eq(const char *path, const char *got)
{
	char *want;

	if (getenv("PORTICO_UPDATE_GOLDEN"))
		write_all(path, got);
	want = read_all(path, NULL);
	ck_assert_msg(!strcmp(got, want), "%s differs; got:\n%s", path, got);
	free(want);
}

/* Converts fixture name, checks it against its goldens, returns the parsed model. */
static struct obj_model *import_fixture(const char *name)
{
	char path[512];
	char err[512] = "";
	struct lio_notes notes = { 0 };
	struct cfg_err cerr = { { 0 } };
	struct obj_model *m = NULL;
	config_t cfg;
	size_t len;
	char *text, *conf, *nt;

	snprintf(path, sizeof(path), LIO_DIR "%s.json", name);
	text = read_all(path, &len);
	config_init(&cfg);
	ck_assert_msg(lio_import(text, len, &cfg, &notes, err, sizeof(err)) == 0, "%s: %s", name,
		      err);
	conf = cfg_text(&cfg);
	nt = notes_text(&notes);
	snprintf(path, sizeof(path), GOLDEN_DIR "lio_%s.conf", name);
	golden_eq(path, conf);
	snprintf(path, sizeof(path), GOLDEN_DIR "lio_%s.notes", name);
	golden_eq(path, nt);
	ck_assert_msg(config_parse_cfg(&cfg, NULL, &m, &cerr) == 0, "%s: %s", name, cerr.msg);
	config_destroy(&cfg);
	lio_notes_fini(&notes);
	free(conf);
	free(nt);
	free(text);
	return m;
}

static const struct obj_tpg *tpg_of(const struct obj_model *m, const char *iqn, unsigned tag)
{
	for (size_t i = 0; i < m->ntargets; i++)
		if (!strcmp(m->targets[i].iqn, iqn))
			for (size_t j = 0; j < m->targets[i].ntpgs; j++)
				if (m->targets[i].tpgs[j].tag == tag)
					return &m->targets[i].tpgs[j];
	return NULL;
}

static bool has_note(const struct lio_notes *n, const char *part)
{
	for (size_t i = 0; i < n->n; i++)
		if (strstr(n->line[i], part))
			return true;
	return false;
}

START_TEST(walkthrough)
{
	struct obj_model *m = import_fixture("walkthrough");
	const struct obj_tpg *t = tpg_of(m, "iqn.2003-01.org.linux-iscsi.lab:storage1", 1);
	const struct obj_acl *kvm1, *kvm2;

	ck_assert_uint_eq(m->nbackstores, 3);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->nportals, 2);
	ck_assert_uint_eq(t->nluns, 3);
	kvm1 = obj_find_acl(t, "iqn.2026-11.org.example:kvm1");
	kvm2 = obj_find_acl(t, "iqn.2026-11.org.example:kvm2");
	ck_assert_ptr_nonnull(kvm1);
	ck_assert_ptr_nonnull(kvm2);
	ck_assert_uint_eq(kvm1->nmapped, 3);
	ck_assert_uint_eq(kvm2->nmapped, 2);
	/* kvm2's LUN 1 is TPG LUN 2, write-protected */
	for (size_t i = 0; i < kvm2->nmapped; i++)
		ck_assert_int_eq(kvm2->mapped[i].read_only, kvm2->mapped[i].lun == 1);
	obj_model_free(m);
}
END_TEST

START_TEST(unsupported)
{
	struct obj_model *m = import_fixture("unsupported");
	const struct obj_tpg *t = tpg_of(m, "iqn.2003-01.org.linux-iscsi.lab:other", 1);
	const struct obj_acl *kvm9;

	/* disk0 and the nullio ramdisk; not the ramdisk, nor TPG 2 (disabled), nor loopback */
	ck_assert_uint_eq(m->nbackstores, 2);
	ck_assert_uint_eq(m->ntargets, 1);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_null(tpg_of(m, "iqn.2003-01.org.linux-iscsi.lab:other", 2));
	ck_assert_uint_eq(t->nluns, 2);
	kvm9 = obj_find_acl(t, "iqn.2026-11.org.example:kvm9");
	ck_assert_ptr_nonnull(kvm9);
	ck_assert_uint_eq(kvm9->nmapped, 2); /* its mapped LUN of the ramdisk goes with it */
	obj_model_free(m);
}
END_TEST

/* Every note the unsupported fixture must give, each for its own reason. */
START_TEST(unsupported_notes)
{
	static const char *const want[] = {
		"storage object ramdisk/ram0: not carried",
		"storage object ramdisk/null0: a nullio ramdisk becomes a null backstore",
		"storage object fileio/disk0: attribute queue_depth = 64 not carried",
		"wwn '5eb9a624-6402-460a-8f72-2d63ff9c7317' not carried",
		"TPG 2: not carried: it is disabled",
		"TPG 1: attribute cache_dynamic_acls = 1 not carried",
		"TPG 1: attribute login_timeout = 10 not carried",
		"TPG 1: parameter AuthMethod = 'CHAP' not carried",
		"TPG 1: parameter MaxConnections = '2' not carried",
		"TPG 1: TPG CHAP credentials (userid 'demo') not carried",
		"ACL iqn.2026-11.org.example:kvm9: tag 'rack2' not carried",
		"ACL iqn.2026-11.org.example:kvm9: attribute nopin_timeout = 5 not carried",
		"ACL iqn.2026-11.org.example:kvm9: attribute dataout_timeout = 10 not carried",
		"target naa.5001405e1a2b3c4d: not carried: a loopback target",
	};
	char err[512], path[256];
	struct lio_notes notes = { 0 };
	config_t cfg;
	size_t len;
	char *text;

	snprintf(path, sizeof(path), LIO_DIR "unsupported.json");
	text = read_all(path, &len);
	config_init(&cfg);
	ck_assert_int_eq(lio_import(text, len, &cfg, &notes, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(has_note(&notes, want[i]), "no note '%s'", want[i]);
	/* emulate_3pc = 0 asks for what porticod does anyway: no note */
	ck_assert(!has_note(&notes, "emulate_3pc"));
	config_destroy(&cfg);
	lio_notes_fini(&notes);
	free(text);
}
END_TEST

/* A refused text: -EINVAL, and err contains part. */
static void refused(const char *text, const char *part)
{
	char err[512] = "";
	struct lio_notes notes = { 0 };
	config_t cfg;

	config_init(&cfg);
	ck_assert_int_eq(lio_import(text, strlen(text), &cfg, &notes, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, part) != NULL, "'%s' does not say '%s'", err, part);
	config_destroy(&cfg);
	lio_notes_fini(&notes);
}

START_TEST(broken_files)
{
	char deep[128];
	size_t i;

	refused("", "not JSON");
	refused("{", "ends early");
	refused("{\"targets\": []} x", "more after the object");
	refused("[1]", "the top is not an object");
	refused("{\"foo\": 1}", "no storage_objects and no targets");
	refused("{\"storage_objects\": {}}", "'storage_objects' is not a list");
	refused("{\"storage_objects\": [ {\"plugin\": \"fileio\"} ]}",
		"storage_objects[0]: 'name' is missing");
	refused("{\"storage_objects\": [ {\"plugin\": \"fileio\", \"name\": \"a\"} ]}",
		"storage object fileio/a: 'dev' is missing");
	refused("{\"storage_objects\": [ {\"plugin\": \"fileio\", \"name\": \"a\", \"dev\": \"/a\"},"
		" {\"plugin\": \"block\", \"name\": \"a\", \"dev\": \"/dev/b\"} ]}",
		"has the same name");
	{
		/* a store left out (a ramdisk) does not take its name from a carried one */
		static const char same[] =
			"{\"storage_objects\": [ {\"plugin\": \"ramdisk\", \"name\": \"a\", \"size\": 512},"
			" {\"plugin\": \"fileio\", \"name\": \"a\", \"dev\": \"/a\", \"size\": 4096} ]}";
		char e[256] = "";
		struct lio_notes nn = { 0 };
		config_t cc;

		config_init(&cc);
		ck_assert_int_eq(lio_import(same, strlen(same), &cc, &nn, e, sizeof(e)), 0);
		config_destroy(&cc);
		lio_notes_fini(&nn);
	}
	refused("{\"targets\": [ {\"wwn\": \"iqn.2003-01.x:y\", \"fabric\": \"iscsi\", \"tpgs\": ["
		" {\"tag\": 1, \"enable\": true, \"luns\": [ {\"index\": 0,"
		" \"storage_object\": \"/backstores/fileio/nope\"} ]} ]} ]}",
		"storage object '/backstores/fileio/nope' is not in the file");
	refused("{\"targets\": [ {\"wwn\": \"iqn.2003-01.x:y\", \"fabric\": \"iscsi\", \"tpgs\": ["
		" {\"tag\": \"1\"} ]} ]}",
		"'tag' is not an integer");
	refused("{\"targets\": [ {\"wwn\": \"iqn.2003-01.x:y\", \"fabric\": \"iscsi\", \"tpgs\": ["
		" {\"tag\": 1, \"portals\": [ {\"ip_address\": \"127.0.0.1\", \"port\": 70000} ]} ]} ]}",
		"'port' is 70000, not 1 to 65535");
	/* a LUN refused after one taken: nothing of the first kept (the fuzzer found a leak) */
	refused("{\"storage_objects\": [ {\"plugin\": \"ramdisk\", \"name\": \"a\", \"nullio\": true,"
		" \"size\": 4096} ], \"targets\": [ {\"wwn\": \"iqn.2003-01.x:y\", \"fabric\": \"iscsi\","
		" \"tpgs\": [ {\"tag\": 1, \"luns\": [ {\"index\": 3, \"storage_object\":"
		" \"/backstores/ramdisk/a\"}, {\"index\": 4, \"storage_object\": \"/b/c\"} ]} ]} ]}",
		"storage object '/b/c' is not in the file");
	/* a LUN number past rtslib's is refused, not allocated for */
	refused("{\"storage_objects\": [ {\"plugin\": \"ramdisk\", \"name\": \"a\", \"nullio\": true,"
		" \"size\": 4096} ], \"targets\": [ {\"wwn\": \"iqn.2003-01.x:y\", \"fabric\": \"iscsi\","
		" \"tpgs\": [ {\"tag\": 1, \"luns\": [ {\"index\": 4000000000, \"storage_object\":"
		" \"/backstores/ramdisk/a\"} ]} ]} ]}",
		"'index' is 4000000000, not 0 to 65535");
	/* nesting past any file of targetcli's */
	for (i = 0; i < 40; i++)
		deep[i] = '[';
	deep[i] = '\0';
	refused(deep, "not JSON");
}
END_TEST

START_TEST(nul_byte_and_length)
{
	static const char text[] = "{\"targets\": []}\0garbage";
	char err[256] = "";
	struct lio_notes notes = { 0 };
	config_t cfg;

	config_init(&cfg);
	/* the bytes past len are not read: this much is a whole, empty file */
	ck_assert_int_eq(lio_import(text, strlen(text), &cfg, &notes, err, sizeof(err)), 0);
	config_destroy(&cfg);
	config_init(&cfg);
	ck_assert_int_eq(lio_import(text, sizeof(text) - 1, &cfg, &notes, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "NUL byte"));
	config_destroy(&cfg);
	/* a prefix of a good file is not a good file */
	config_init(&cfg);
	ck_assert_int_eq(lio_import(text, 8, &cfg, &notes, err, sizeof(err)), -EINVAL);
	config_destroy(&cfg);
	lio_notes_fini(&notes);
}
END_TEST

START_TEST(detect)
{
	ck_assert(lio_import_detect(" \n{\"targets\": []}", 17));
	ck_assert(!lio_import_detect("backstores = ();", 16));
	ck_assert(!lio_import_detect("   ", 3));
	ck_assert(!lio_import_detect("{", 0));
}
END_TEST

/* A short CHAP secret targetcli took is refused by porticod's own rule, in the parse. */
START_TEST(short_secret_refused_by_parse)
{
	static const char text[] =
		"{\"targets\": [ {\"wwn\": \"iqn.2003-01.x:y\", \"fabric\": \"iscsi\", \"tpgs\": ["
		" {\"tag\": 1, \"enable\": true, \"node_acls\": [ {\"node_wwn\": \"iqn.2003-01.x:i\","
		" \"chap_userid\": \"u\", \"chap_password\": \"short\", \"mapped_luns\": []} ]} ]} ]}";
	char err[256] = "";
	struct lio_notes notes = { 0 };
	struct cfg_err cerr = { { 0 } };
	struct obj_model *m = NULL;
	config_t cfg;

	config_init(&cfg);
	ck_assert_int_eq(lio_import(text, strlen(text), &cfg, &notes, err, sizeof(err)), 0);
	ck_assert_int_eq(config_parse_cfg(&cfg, NULL, &m, &cerr), -EINVAL);
	ck_assert_ptr_null(m);
	ck_assert_msg(strstr(cerr.msg, "shorter than 12") != NULL, "%s", cerr.msg);
	config_destroy(&cfg);
	lio_notes_fini(&notes);
}
END_TEST

static Suite *lio_import_suite(void)
{
	Suite *s = suite_create("lio_import");
	TCase *tc = tcase_create("lio_import");

	tcase_add_test(tc, walkthrough);
	tcase_add_test(tc, unsupported);
	tcase_add_test(tc, unsupported_notes);
	tcase_add_test(tc, broken_files);
	tcase_add_test(tc, nul_byte_and_length);
	tcase_add_test(tc, detect);
	tcase_add_test(tc, short_secret_refused_by_parse);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(lio_import_suite)
