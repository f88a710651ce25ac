/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dm-multipath table and status text (mpath/dm_table.c): lines as
 * kernels print them parse to what they say, build back byte for byte,
 * tables built here parse back equal, the kernel's canonical form comes
 * out of dmt_table_canon, and no parser reads past its length or takes a
 * malformed line (every prefix of every vector is tried).
 *
 * Where the vectors come from:
 *  [doc-st]  Documentation/admin-guide/device-mapper/dm-service-time.rst,
 *            "Examples": `dmsetup table` and `dmsetup status` as printed
 *            by the kernel of the time (2009: repeat_count still kept as
 *            given; the documentation drops the trailing space).
 *  [doc-ql]  Documentation/admin-guide/device-mapper/dm-queue-length.rst,
 *            "Examples", likewise.
 *  [rhel]    `dmsetup status` pasted from a RHEL host into a comment of a
 *            public script: round-robin (info_args 0), trailing space kept.
 *  [xapi]    `dmsetup status` lines quoted in xapi's multipath parser
 *            comments (round-robin; one map grouped by serial, 4 groups).
 *  [dm-devel] A dm-devel report quoting `dmsetup status` of a queue-length
 *            map over dm devices with 309 I/Os in flight on one path.
 *  [6.x]     Written from drivers/md/dm-mpath.c multipath_status as of
 *            6.x: STATUSTYPE_TABLE prints "<#features> <features>" from
 *            m->flags and m->queue_mode, "1 <hw_handler_name>" or "0",
 *            "<#groups> <pg_num>", per group "<ps name> " + ps status(NULL)
 *            + "<nr_pgpaths> <table_args>", per path "<dev name> " + ps
 *            status; STATUSTYPE_INFO prints "2 <MPATHF_QUEUE_IO>
 *            <pg_init_count> 0 <#groups> <pg_num>", per group "A|E|D " +
 *            ps status(NULL) + "<nr_pgpaths> <info_args>", per path
 *            "<dev> A|F <fail_count> " + ps status; the selectors' status
 *            from dm-ps-service-time.c, dm-ps-round-robin.c,
 *            dm-ps-queue-length.c and dm-ps-io-affinity.c.
 *  [4.x]     The same for the 4.x kernels that printed "queue_mode mq"
 *            (DM_TYPE_MQ_REQUEST_BASED, before the legacy request path went).
 *  [mpt]     A table as multipath-tools' assemble_map writes it for the
 *            kernel (one per-path arg, the min_io), not as printed back.
 *  [made]    Made up here to show a rule; noted where the kernel would
 *            refuse the table itself.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "mpath/dm_table.h"
#include "tests/unit/check_main.h"

/* Parses len bytes copied to a buffer of exactly that size, so that ASan sees any read past it. */
static int parse_exact(const char *text, size_t len, struct dmt_table *t)
{
	char *copy = malloc(len ? len : 1);
	int r;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, len);
	r = dmt_table_parse(copy, len, t);
	free(copy);
	return r;
}

static int status_exact(const char *text, size_t len, struct dmt_status *st)
{
	char *copy = malloc(len ? len : 1);
	int r;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, len);
	r = dmt_status_parse(copy, len, st);
	free(copy);
	return r;
}

static void parse_ok(const char *text, struct dmt_table *t)
{
	int r = parse_exact(text, strlen(text), t);

	ck_assert_msg(r == 0, "'%s' refused: %d", text, r);
}

static void status_ok(const char *text, struct dmt_status *st)
{
	int r = status_exact(text, strlen(text), st);

	ck_assert_msg(r == 0, "'%s' refused: %d", text, r);
}

/* The table as text; the buffer is static, one at a time. */
static const char *build(const struct dmt_table *t)
{
	static char buf[DMT_TABLE_TEXT_MAX];
	int n = dmt_table_build(t, buf, sizeof(buf));

	ck_assert_msg(n >= 0, "build refused: %d", n);
	ck_assert_uint_eq(strlen(buf), (size_t)n);
	return buf;
}

/* Parsed and built again: the text, with the kernel's trailing space when it lacked one. */
static void assert_rebuilds(const char *text)
{
	struct dmt_table t;
	char want[DMT_TABLE_TEXT_MAX];
	size_t n = strlen(text);

	parse_ok(text, &t);
	snprintf(want, sizeof(want), "%s%s", text, n && text[n - 1] == ' ' ? "" : " ");
	ck_assert_str_eq(build(&t), want);
}

static void assert_canon(const char *text, const char *want)
{
	struct dmt_table t, again;

	parse_ok(text, &t);
	ck_assert_int_eq(dmt_table_canon(&t), 0);
	ck_assert_str_eq(build(&t), want);
	/* The canonical form is its own canonical form. */
	again = t;
	ck_assert_int_eq(dmt_table_canon(&again), 0);
	ck_assert(dmt_table_equal(&t, &again));
}

static void table_init(struct dmt_table *t)
{
	memset(t, 0, sizeof(*t));
}

/* ---- vectors ---- */

/* [doc-st] */
static const char doc_st_table[] = "0 0 1 1 service-time 0 2 2 8:0 128 1 8:16 128 4";
static const char doc_st_status[] = "2 0 0 0 1 1 E 0 2 2 8:0 A 0 0 1 8:16 A 0 0 4";
/* [doc-ql] */
static const char doc_ql_table[] = "0 0 1 1 queue-length 0 2 1 8:0 128 8:16 128";
static const char doc_ql_status[] = "2 0 0 0 1 1 E 0 2 1 8:0 A 0 0 8:16 A 0 0";
/* [6.x] multipath-tools' usual map: queue_if_no_path, alua, two service-time groups. */
static const char alua_table[] =
    "1 queue_if_no_path 1 alua 2 1 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:32 1 1 ";
/* [6.x] round-robin, the table behind the [xapi] status below. */
static const char rr_table[] = "0 0 1 1 round-robin 0 2 1 8:16 1 8:64 1 ";
/* [6.x] every feature the kernel prints, in its order: 1 + 2 + 2 + 1 + 2 words. */
static const char features_table[] = "8 queue_if_no_path pg_init_retries 50 pg_init_delay_msecs "
				     "2500 retain_attached_hw_handler queue_mode bio 0 1 1 "
				     "service-time 0 1 2 8:16 1 1 ";
/* [4.x] "queue_mode mq" was printed while blk-mq and the legacy path lived side by side. */
static const char mq_table[] = "3 queue_if_no_path queue_mode mq 0 1 1 round-robin 0 1 1 8:16 1 ";
/* [6.x] io-affinity (5.11+): ioa_status prints "0 " for the group and the cpumask per path. */
static const char ioa_table[] = "0 0 1 1 io-affinity 0 2 1 8:16 1 8:32 2 ";
/* [6.x] a map with no groups; pg_num is 0. */
static const char empty_table[] = "0 0 0 0 ";
/* [made] a feature the kernel does not know (it would refuse the table) kept in its place. */
static const char unknown_feature_table[] =
    "3 queue_if_no_path frobnicate 7 0 1 1 service-time 0 1 2 8:16 1 1 ";
/* [made] hw handler args, as one would write them for the kernel (it prints the name only). */
static const char hw_args_table[] = "0 3 emc 1 0 1 1 round-robin 0 1 1 8:16 1 ";

/* [rhel] */
static const char rhel_status[] = "2 0 0 0 1 1 A 0 1 0 65:144 A 0 ";
/* [xapi] */
static const char xapi_status[] = "2 0 0 0 1 1 A 0 2 0 8:16 A 0 8:64 A 0";
static const char xapi4_status[] =
    "2 0 0 0 4 1 A 0 1 0 8:96 A 0 E 0 1 0 8:48 A 0 E 0 1 0 8:144 A 0 E 0 1 0 8:192 A 0";
/* [dm-devel] */
static const char qdepth_status[] =
    "2 0 0 0 1 1 A 0 4 1 253:11 A 0 309 253:8 A 0 0 253:9 A 0 0 253:10 A 0 0";
/*
 * [6.x] alua, pg_init running (MPATHF_QUEUE_IO set, pg_init_count 1):
 * group 1 in use with 4096 bytes in flight on 8:16 and 8:32 failed three
 * times; group 2 bypassed, its only path failed.
 */
static const char failing_status[] =
    "2 1 1 0 2 1 A 0 2 2 8:16 A 0 4096 1 8:32 F 3 0 1 D 0 1 2 8:48 F 1 0 1 ";
/* [6.x] no groups. */
static const char empty_status[] = "2 0 0 0 0 0 ";

static const char *const table_vectors[] = {
    doc_st_table,	   doc_ql_table,  alua_table, rr_table,
    features_table,	   mq_table,	  ioa_table,  empty_table,
    unknown_feature_table, hw_args_table,
};

static const char *const status_vectors[] = {
    doc_st_status, doc_ql_status, rhel_status,	  xapi_status,
    xapi4_status,  qdepth_status, failing_status, empty_status,
};

/* ---- tables as kernels print them ---- */

START_TEST(test_parse_doc_service_time)
{
	struct dmt_table t;

	parse_ok(doc_st_table, &t);
	ck_assert_uint_eq(t.features.nother, 0);
	ck_assert(!t.features.queue_if_no_path && !t.features.retain_attached_hw_handler);
	ck_assert_uint_eq(t.features.pg_init_retries, 0);
	ck_assert(!t.features.pg_init_delay_given);
	ck_assert_int_eq(t.features.queue_mode, DMT_QUEUE_MODE_DEFAULT);
	ck_assert_str_eq(t.hw_handler, "");
	ck_assert_uint_eq(t.ngroups, 1);
	ck_assert_uint_eq(t.initial_group, 1);
	ck_assert_str_eq(t.groups[0].selector, "service-time");
	ck_assert_uint_eq(t.groups[0].nselector_args, 0);
	ck_assert_uint_eq(t.groups[0].npaths, 2);
	ck_assert_uint_eq(t.groups[0].npath_args, 2);
	ck_assert_uint_eq(t.npaths, 2);
	ck_assert_uint_eq(t.paths[0].major, 8);
	ck_assert_uint_eq(t.paths[0].minor, 0);
	ck_assert_str_eq(t.paths[0].args[0], "128");
	ck_assert_str_eq(t.paths[0].args[1], "1");
	ck_assert_uint_eq(t.paths[1].major, 8);
	ck_assert_uint_eq(t.paths[1].minor, 16);
	ck_assert_str_eq(t.paths[1].args[0], "128");
	ck_assert_str_eq(t.paths[1].args[1], "4");
}
END_TEST

START_TEST(test_parse_doc_queue_length)
{
	struct dmt_table t;

	parse_ok(doc_ql_table, &t);
	ck_assert_str_eq(t.groups[0].selector, "queue-length");
	ck_assert_uint_eq(t.groups[0].npath_args, 1);
	ck_assert_uint_eq(t.npaths, 2);
	ck_assert_str_eq(t.paths[0].args[0], "128");
	ck_assert_uint_eq(t.paths[1].minor, 16);
	ck_assert_str_eq(t.paths[1].args[0], "128");
}
END_TEST

START_TEST(test_parse_alua)
{
	struct dmt_table t;

	parse_ok(alua_table, &t);
	ck_assert(t.features.queue_if_no_path);
	ck_assert_uint_eq(t.features.nother, 0);
	ck_assert_str_eq(t.hw_handler, "alua");
	ck_assert_uint_eq(t.nhw_args, 0);
	ck_assert_uint_eq(t.ngroups, 2);
	ck_assert_uint_eq(t.initial_group, 1);
	ck_assert_uint_eq(t.npaths, 2);
	ck_assert_uint_eq(dmt_group_first_path(&t, 0), 0);
	ck_assert_uint_eq(dmt_group_first_path(&t, 1), 1);
	ck_assert_uint_eq(dmt_group_first_path(&t, 2), 2);
	ck_assert_uint_eq(t.paths[1].minor, 32);
	ck_assert_str_eq(t.paths[1].args[0], "1");
	ck_assert_str_eq(t.paths[1].args[1], "1");
}
END_TEST

START_TEST(test_parse_features)
{
	struct dmt_table t;

	parse_ok(features_table, &t);
	ck_assert(t.features.queue_if_no_path);
	ck_assert_uint_eq(t.features.pg_init_retries, 50);
	ck_assert(t.features.pg_init_delay_given);
	ck_assert_uint_eq(t.features.pg_init_delay_msecs, 2500);
	ck_assert(t.features.retain_attached_hw_handler);
	ck_assert_int_eq(t.features.queue_mode, DMT_QUEUE_MODE_BIO);
	ck_assert_uint_eq(t.features.nother, 0);

	parse_ok(mq_table, &t);
	ck_assert_int_eq(t.features.queue_mode, DMT_QUEUE_MODE_MQ);
	parse_ok("2 queue_mode rq 0 0 0 ", &t);
	ck_assert_int_eq(t.features.queue_mode, DMT_QUEUE_MODE_RQ);
	parse_ok("2 queue_mode nvme 0 0 0 ", &t);
	ck_assert_int_eq(t.features.queue_mode, DMT_QUEUE_MODE_NVME);
	/* pg_init_delay_msecs 0 is a value given, not the default (DM_PG_INIT_DELAY_DEFAULT). */
	parse_ok("2 pg_init_delay_msecs 0 0 0 0 ", &t);
	ck_assert(t.features.pg_init_delay_given);
	ck_assert_uint_eq(t.features.pg_init_delay_msecs, 0);
	ck_assert_str_eq(build(&t), "2 pg_init_delay_msecs 0 0 0 0 ");
	/* parse_features compares with strcasecmp; built back in lower case. */
	parse_ok("3 QUEUE_IF_NO_PATH Queue_Mode BIO 0 0 0", &t);
	ck_assert(t.features.queue_if_no_path);
	ck_assert_int_eq(t.features.queue_mode, DMT_QUEUE_MODE_BIO);
	ck_assert_str_eq(build(&t), "3 queue_if_no_path queue_mode bio 0 0 0 ");
	/* A feature given twice is set once. */
	parse_ok("2 queue_if_no_path queue_if_no_path 0 0 0", &t);
	ck_assert_str_eq(build(&t), "1 queue_if_no_path 0 0 0 ");
}
END_TEST

START_TEST(test_parse_unknown_feature)
{
	struct dmt_table t;

	parse_ok(unknown_feature_table, &t);
	ck_assert(t.features.queue_if_no_path);
	ck_assert_uint_eq(t.features.nother, 2);
	ck_assert_str_eq(t.features.other[0], "frobnicate");
	ck_assert_str_eq(t.features.other[1], "7");
	ck_assert_str_eq(build(&t), unknown_feature_table);
	/* Known features are built first, in the kernel's order; the others after, as read. */
	parse_ok("4 a retain_attached_hw_handler b queue_if_no_path 0 0 0", &t);
	ck_assert_str_eq(build(&t), "4 queue_if_no_path retain_attached_hw_handler a b 0 0 0 ");
	/* All eight words unknown. */
	parse_ok("8 a b c d e f g h 0 0 0", &t);
	ck_assert_uint_eq(t.features.nother, 8);
	ck_assert_str_eq(build(&t), "8 a b c d e f g h 0 0 0 ");
}
END_TEST

START_TEST(test_parse_unknown_selector)
{
	struct dmt_table t;

	/* [6.x] io-affinity: not known here, its words kept as they are. */
	parse_ok(ioa_table, &t);
	ck_assert_str_eq(t.groups[0].selector, "io-affinity");
	ck_assert_uint_eq(t.groups[0].npath_args, 1);
	ck_assert_str_eq(t.paths[0].args[0], "1");
	ck_assert_str_eq(t.paths[1].args[0], "2");
	ck_assert_ptr_null(dmt_selector_find("io-affinity"));
	/* [made] selector args and hex per-path args of a selector not known. */
	parse_ok("0 0 1 1 x-sel 2 10 ff 1 2 8:16 a0 b1 ", &t);
	ck_assert_uint_eq(t.groups[0].nselector_args, 2);
	ck_assert_str_eq(t.groups[0].selector_args[1], "ff");
	ck_assert_str_eq(t.paths[0].args[1], "b1");
	ck_assert_str_eq(build(&t), "0 0 1 1 x-sel 2 10 ff 1 2 8:16 a0 b1 ");
}
END_TEST

START_TEST(test_parse_hw_handler)
{
	struct dmt_table t;

	parse_ok(hw_args_table, &t);
	ck_assert_str_eq(t.hw_handler, "emc");
	ck_assert_uint_eq(t.nhw_args, 2);
	ck_assert_str_eq(t.hw_args[0], "1");
	ck_assert_str_eq(t.hw_args[1], "0");
	parse_ok(empty_table, &t);
	ck_assert_str_eq(t.hw_handler, "");
	ck_assert_uint_eq(t.nhw_args, 0);
	ck_assert_uint_eq(t.ngroups, 0);
	ck_assert_uint_eq(t.initial_group, 0);
}
END_TEST

START_TEST(test_parse_spacing)
{
	struct dmt_table t, u;

	/* dm_split_args takes any run of isspace() between words, and at either end. */
	parse_ok(rr_table, &t);
	parse_ok(" \t0 0\n1   1 round-robin\v0 2\f1 8:16\r1 8:64 1\n\n", &u);
	ck_assert(dmt_table_equal(&t, &u));
	ck_assert_str_eq(build(&u), rr_table);
	/* Leading zeros are decimal, as kstrtouint reads them. */
	parse_ok("0 0 01 001 round-robin 00 2 1 008:016 1 8:64 1", &u);
	ck_assert(dmt_table_equal(&t, &u));
	/* A major:minor at the limits of format_dev_t. */
	parse_ok("0 0 1 1 round-robin 0 1 1 4095:1048575 1", &u);
	ck_assert_uint_eq(u.paths[0].major, DMT_MAJOR_MAX);
	ck_assert_uint_eq(u.paths[0].minor, DMT_MINOR_MAX);
}
END_TEST

/* ---- round trips ---- */

START_TEST(test_parse_build_same_text)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(table_vectors); i++)
		assert_rebuilds(table_vectors[i]);
}
END_TEST

/* Tables made with the helpers and by hand, for build -> parse -> equal. */
static void make_tables(struct dmt_table *out, size_t *n)
{
	static const unsigned int st_args[] = {1, 100}, rr_args[] = {7};
	struct dmt_table *t;

	*n = 0;
	/* empty */
	t = &out[(*n)++];
	table_init(t);
	/* one of each selector, defaults */
	t = &out[(*n)++];
	table_init(t);
	ck_assert_int_eq(dmt_table_add_group(t, DMT_SELECTOR_SERVICE_TIME), 0);
	ck_assert_int_eq(dmt_table_add_path(t, 8, 16, NULL), 0);
	ck_assert_int_eq(dmt_table_add_path(t, 8, 32, st_args), 0);
	ck_assert_int_eq(dmt_table_add_group(t, DMT_SELECTOR_ROUND_ROBIN), 0);
	ck_assert_int_eq(dmt_table_add_path(t, 65, 0, rr_args), 0);
	ck_assert_int_eq(dmt_table_add_group(t, DMT_SELECTOR_QUEUE_LENGTH), 0);
	ck_assert_int_eq(dmt_table_add_path(t, 253, 4, NULL), 0);
	ck_assert_int_eq(dmt_table_add_path(t, 253, 5, NULL), 0);
	t->initial_group = 2;
	/* every feature, a hw handler with args */
	t = &out[(*n)++];
	table_init(t);
	t->features.queue_if_no_path = true;
	t->features.retain_attached_hw_handler = true;
	t->features.pg_init_retries = 1;
	t->features.pg_init_delay_given = true;
	t->features.pg_init_delay_msecs = 60000;
	t->features.queue_mode = DMT_QUEUE_MODE_RQ;
	snprintf(t->hw_handler, sizeof(t->hw_handler), "rdac");
	t->nhw_args = 1;
	snprintf(t->hw_args[0], sizeof(t->hw_args[0]), "x");
	ck_assert_int_eq(dmt_table_add_group(t, DMT_SELECTOR_SERVICE_TIME), 0);
	ck_assert_int_eq(dmt_table_add_path(t, 8, 16, NULL), 0);
	t->initial_group = 1;
	/* other feature words, a selector not known, selector args, no per-path args */
	t = &out[(*n)++];
	table_init(t);
	t->features.nother = 2;
	snprintf(t->features.other[0], DMT_WORD_MAX, "no_partitions");
	snprintf(t->features.other[1], DMT_WORD_MAX, "1");
	t->ngroups = 1;
	snprintf(t->groups[0].selector, DMT_WORD_MAX, "historical-service-time");
	t->groups[0].nselector_args = 2;
	snprintf(t->groups[0].selector_args[0], DMT_WORD_MAX, "0");
	snprintf(t->groups[0].selector_args[1], DMT_WORD_MAX, "10");
	t->groups[0].npaths = 3;
	t->npaths = 3;
	t->paths[0].major = 8;
	t->paths[1].major = 8;
	t->paths[1].minor = 1;
	t->paths[2].major = 8;
	t->paths[2].minor = 2;
	t->initial_group = 1;
	/* a round-robin group with no per-path args (the kernel's defaults then) */
	t = &out[(*n)++];
	table_init(t);
	ck_assert_int_eq(dmt_table_add_group(t, DMT_SELECTOR_ROUND_ROBIN), 0);
	t->groups[0].npath_args = 0;
	ck_assert_int_eq(dmt_table_add_path(t, 8, 16, NULL), 0);
	t->initial_group = 1;
}

START_TEST(test_build_parse_equal)
{
	struct dmt_table tables[8], back;
	char buf[DMT_TABLE_TEXT_MAX];
	size_t i, n;
	int len;

	make_tables(tables, &n);
	for (i = 0; i < n; i++) {
		len = dmt_table_build(&tables[i], buf, sizeof(buf));
		ck_assert_int_gt(len, 0);
		ck_assert_int_eq(parse_exact(buf, (size_t)len, &back), 0);
		ck_assert_msg(dmt_table_equal(&tables[i], &back), "'%s' parsed back different",
			      buf);
	}
	ck_assert_str_eq(build(&tables[0]), "0 0 0 0 ");
	ck_assert_str_eq(build(&tables[1]),
			 "0 0 3 2 service-time 0 2 2 8:16 1 1 8:32 1 100 round-robin 0 1 1 65:0 7 "
			 "queue-length 0 2 1 253:4 1 253:5 1 ");
	ck_assert_str_eq(build(&tables[2]),
			 "8 queue_if_no_path pg_init_retries 1 "
			 "pg_init_delay_msecs 60000 retain_attached_hw_handler "
			 "queue_mode rq 2 rdac x 1 1 service-time 0 1 2 8:16 1 1 ");
	ck_assert_str_eq(build(&tables[3]), "2 no_partitions 1 0 1 1 historical-service-time 2 0 "
					    "10 3 0 8:0 8:1 8:2 ");
	ck_assert_str_eq(build(&tables[4]), "0 0 1 1 round-robin 0 1 0 8:16 ");
}
END_TEST

START_TEST(test_build_brief_example)
{
	struct dmt_table t;

	/* The map portico-pathd loads for a LUN behind two portals in two ALUA groups. */
	table_init(&t);
	t.features.queue_if_no_path = true;
	snprintf(t.hw_handler, sizeof(t.hw_handler), "alua");
	ck_assert_int_eq(dmt_table_add_group(&t, DMT_SELECTOR_SERVICE_TIME), 0);
	ck_assert_int_eq(dmt_table_add_path(&t, 8, 16, NULL), 0);
	ck_assert_int_eq(dmt_table_add_group(&t, DMT_SELECTOR_SERVICE_TIME), 0);
	ck_assert_int_eq(dmt_table_add_path(&t, 8, 32, NULL), 0);
	/* initial_group 0 builds as 1, which is what the kernel prints back. */
	ck_assert_str_eq(build(&t), alua_table);
}
END_TEST

/* ---- the selectors ---- */

START_TEST(test_selectors)
{
	static const struct {
		enum dmt_selector sel;
		const char *name, *table;
		unsigned int path_args, status_args;
	} rows[] = {
	    {DMT_SELECTOR_SERVICE_TIME, "service-time",
	     "0 0 1 1 service-time 0 2 2 8:16 1 1 8:32 1 1 ", 2, 2},
	    {DMT_SELECTOR_ROUND_ROBIN, "round-robin", "0 0 1 1 round-robin 0 2 1 8:16 1 8:32 1 ", 1,
	     0},
	    {DMT_SELECTOR_QUEUE_LENGTH, "queue-length", "0 0 1 1 queue-length 0 2 1 8:16 1 8:32 1 ",
	     1, 1},
	};
	const struct dmt_selector_info *si;
	struct dmt_table t, back;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		si = dmt_selector_get(rows[i].sel);
		ck_assert_ptr_nonnull(si);
		ck_assert_str_eq(si->name, rows[i].name);
		ck_assert_ptr_eq(dmt_selector_find(rows[i].name), si);
		ck_assert_uint_eq(si->path_args, rows[i].path_args);
		ck_assert_uint_eq(si->status_args, rows[i].status_args);
		ck_assert_str_eq(si->arg_names[0], "repeat_count");
		ck_assert_uint_eq(si->arg_kept_max[0], 1);
		table_init(&t);
		ck_assert_int_eq(dmt_table_add_group(&t, rows[i].sel), 0);
		ck_assert_int_eq(dmt_table_add_path(&t, 8, 16, NULL), 0);
		ck_assert_int_eq(dmt_table_add_path(&t, 8, 32, NULL), 0);
		ck_assert_str_eq(build(&t), rows[i].table);
		parse_ok(rows[i].table, &back);
		t.initial_group = 1;
		ck_assert(dmt_table_equal(&t, &back));
	}
	ck_assert_ptr_null(dmt_selector_get((enum dmt_selector)3));
	ck_assert_ptr_null(dmt_selector_find("Service-Time"));
	ck_assert_str_eq(dmt_selector_get(DMT_SELECTOR_SERVICE_TIME)->arg_names[1],
			 "relative_throughput");
	ck_assert_uint_eq(dmt_selector_get(DMT_SELECTOR_SERVICE_TIME)->arg_max[1], 100);

	/* An empty selector name builds as service-time. */
	table_init(&t);
	t.ngroups = 1;
	t.groups[0].npaths = 1;
	t.npaths = 1;
	t.paths[0].major = 8;
	ck_assert_str_eq(build(&t), "0 0 1 1 service-time 0 1 0 8:0 ");
}
END_TEST

START_TEST(test_add_limits)
{
	struct dmt_table t;
	unsigned int i;

	table_init(&t);
	ck_assert_int_eq(dmt_table_add_path(&t, 8, 16, NULL), -EINVAL);
	ck_assert_int_eq(dmt_table_add_group(&t, (enum dmt_selector)7), -EINVAL);
	for (i = 0; i < DMT_GROUPS_MAX; i++)
		ck_assert_int_eq(dmt_table_add_group(&t, DMT_SELECTOR_ROUND_ROBIN), 0);
	ck_assert_int_eq(dmt_table_add_group(&t, DMT_SELECTOR_ROUND_ROBIN), -E2BIG);
	ck_assert_int_eq(dmt_table_add_path(&t, DMT_MAJOR_MAX + 1, 0, NULL), -EINVAL);
	ck_assert_int_eq(dmt_table_add_path(&t, 0, DMT_MINOR_MAX + 1, NULL), -EINVAL);
	/* round-robin takes one per-path arg, any number (kept as 1). */
	ck_assert_int_eq(dmt_table_add_path(&t, 8, 0, (const unsigned int[]){4294967295u}), 0);
	for (i = 1; i < DMT_PATHS_MAX; i++)
		ck_assert_int_eq(dmt_table_add_path(&t, 8, i, NULL), 0);
	ck_assert_int_eq(dmt_table_add_path(&t, 8, 99, NULL), -E2BIG);
	/* Groups 1-7 are empty: the kernel refuses that. */
	ck_assert_int_eq(dmt_table_build(&t, (char[DMT_TABLE_TEXT_MAX]){0}, DMT_TABLE_TEXT_MAX),
			 -EINVAL);
	/* A selector not known takes no default args. */
	table_init(&t);
	t.ngroups = 1;
	snprintf(t.groups[0].selector, DMT_WORD_MAX, "x");
	t.groups[0].npath_args = 1;
	ck_assert_int_eq(dmt_table_add_path(&t, 8, 16, NULL), -EINVAL);
	ck_assert_int_eq(dmt_table_add_path(&t, 8, 16, (const unsigned int[]){5}), 0);
	ck_assert_str_eq(build(&t), "0 0 1 1 x 0 1 1 8:16 5 ");
	/* service-time: relative_throughput 0-100; a third arg it does not take. */
	table_init(&t);
	ck_assert_int_eq(dmt_table_add_group(&t, DMT_SELECTOR_SERVICE_TIME), 0);
	ck_assert_int_eq(dmt_table_add_path(&t, 8, 16, (const unsigned int[]){1, 101}), -EINVAL);
	ck_assert_int_eq(dmt_table_add_path(&t, 8, 16, (const unsigned int[]){1, 0}), 0);
	t.groups[0].npath_args = 3;
	ck_assert_int_eq(dmt_table_add_path(&t, 8, 32, (const unsigned int[]){1, 1, 1}), -EINVAL);
	t.groups[0].npath_args = 2;
	ck_assert_uint_eq(t.npaths, 1);
	ck_assert_str_eq(build(&t), "0 0 1 1 service-time 0 1 2 8:16 1 0 ");
}
END_TEST

/* ---- building: room and refusals ---- */

START_TEST(test_build_enospc)
{
	char buf[DMT_TABLE_TEXT_MAX + 8];
	struct dmt_table t;
	size_t len, size;
	int n;

	parse_ok(features_table, &t);
	len = strlen(features_table);
	for (size = 0; size <= len + 1; size++) {
		memset(buf, '#', sizeof(buf));
		n = dmt_table_build(&t, buf, size);
		if (size <= len) {
			ck_assert_int_eq(n, -ENOSPC);
			if (size)
				ck_assert_int_eq(buf[0], '\0');
		} else {
			ck_assert_int_eq(n, (int)len);
			ck_assert_str_eq(buf, features_table);
		}
		/* Nothing past size is written. */
		ck_assert_int_eq(buf[size], '#');
	}
	ck_assert_int_eq(dmt_table_build(&t, NULL, 0), -ENOSPC);
}
END_TEST

START_TEST(test_build_largest)
{
	struct dmt_table t, back;
	char buf[DMT_TABLE_TEXT_MAX], word[DMT_WORD_MAX];
	unsigned int g, p, i;
	int n;

	/* Every limit reached, every word as long as it can be. */
	memset(word, 'w', DMT_WORD_MAX - 1);
	word[DMT_WORD_MAX - 1] = '\0';
	table_init(&t);
	t.features.nother = DMT_FEATURE_WORDS_MAX;
	for (i = 0; i < DMT_FEATURE_WORDS_MAX; i++)
		memcpy(t.features.other[i], word, DMT_WORD_MAX);
	memcpy(t.hw_handler, word, DMT_WORD_MAX);
	t.nhw_args = DMT_ARGS_MAX;
	for (i = 0; i < DMT_ARGS_MAX; i++)
		memcpy(t.hw_args[i], word, DMT_WORD_MAX);
	t.ngroups = DMT_GROUPS_MAX;
	t.initial_group = DMT_GROUPS_MAX;
	t.npaths = DMT_PATHS_MAX;
	for (g = 0; g < DMT_GROUPS_MAX; g++) {
		memcpy(t.groups[g].selector, word, DMT_WORD_MAX);
		t.groups[g].nselector_args = DMT_ARGS_MAX;
		for (i = 0; i < DMT_ARGS_MAX; i++)
			memcpy(t.groups[g].selector_args[i], word, DMT_WORD_MAX);
		t.groups[g].npaths = DMT_PATHS_MAX / DMT_GROUPS_MAX;
		t.groups[g].npath_args = DMT_ARGS_MAX;
	}
	for (p = 0; p < DMT_PATHS_MAX; p++) {
		t.paths[p].major = DMT_MAJOR_MAX;
		t.paths[p].minor = DMT_MINOR_MAX;
		for (i = 0; i < DMT_ARGS_MAX; i++)
			memcpy(t.paths[p].args[i], word, DMT_WORD_MAX);
	}
	n = dmt_table_build(&t, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, DMT_TABLE_TEXT_MAX);
	ck_assert_int_eq(parse_exact(buf, (size_t)n, &back), 0);
	ck_assert(dmt_table_equal(&t, &back));
}
END_TEST

START_TEST(test_build_invalid)
{
	char buf[DMT_TABLE_TEXT_MAX];
	struct dmt_table good, t;

	parse_ok(alua_table, &good);
	ck_assert_int_gt(dmt_table_build(&good, buf, sizeof(buf)), 0);

#define REFUSED(change)                                                                            \
	do {                                                                                       \
		t = good;                                                                          \
		change;                                                                            \
		ck_assert_msg(dmt_table_build(&t, buf, sizeof(buf)) == -EINVAL, "built: %s",       \
			      #change);                                                            \
		ck_assert_int_eq(dmt_table_canon(&t), -EINVAL);                                    \
	} while (0)

	REFUSED(t.features.pg_init_retries = 51);
	REFUSED((t.features.pg_init_delay_given = true, t.features.pg_init_delay_msecs = 60001));
	REFUSED(t.features.queue_mode = (enum dmt_queue_mode)9);
	REFUSED(t.features.nother = DMT_FEATURE_WORDS_MAX + 1);
	REFUSED(t.features.nother = 1);
	REFUSED((t.features.nother = 1, snprintf(t.features.other[0], DMT_WORD_MAX, "a b")));
	REFUSED((t.features.nother = 1, snprintf(t.features.other[0], DMT_WORD_MAX, "a\\b")));
	REFUSED((t.features.nother = 1, snprintf(t.features.other[0], DMT_WORD_MAX, "\xc3\xa9")));
	/* A keyword among the other words would read back as that feature. */
	REFUSED((t.features.nother = 1, snprintf(t.features.other[0], DMT_WORD_MAX, "Queue_Mode")));
	/* 1 + 2 + 2 + 1 + 2 + 1 words: one more than the kernel takes. */
	REFUSED((t.features.pg_init_retries = 5, t.features.pg_init_delay_given = true,
		 t.features.retain_attached_hw_handler = true,
		 t.features.queue_mode = DMT_QUEUE_MODE_BIO, t.features.nother = 1,
		 snprintf(t.features.other[0], DMT_WORD_MAX, "x")));
	REFUSED(memset(t.hw_handler, 'a', sizeof(t.hw_handler)));
	REFUSED((t.hw_handler[0] = '\0', t.nhw_args = 1));
	REFUSED(t.nhw_args = DMT_ARGS_MAX + 1);
	REFUSED(t.initial_group = 3);
	REFUSED(t.ngroups = DMT_GROUPS_MAX + 1);
	REFUSED(t.groups[1].npaths = 0);
	REFUSED(t.groups[1].npaths = 2);
	REFUSED(t.npaths = 3);
	REFUSED(t.npaths = DMT_PATHS_MAX + 1);
	REFUSED(snprintf(t.groups[0].selector, DMT_WORD_MAX, "ser vice"));
	REFUSED(t.groups[0].nselector_args = 1);
	REFUSED(t.groups[0].nselector_args = DMT_ARGS_MAX + 1);
	REFUSED(t.groups[0].npath_args = DMT_ARGS_MAX + 1);
	REFUSED(t.paths[0].major = DMT_MAJOR_MAX + 1);
	REFUSED(t.paths[1].minor = DMT_MINOR_MAX + 1);
	REFUSED(t.paths[1].args[1][0] = '\0');
	/* service-time: at most two per-path args, the throughput at most 100. */
	REFUSED(snprintf(t.paths[1].args[1], DMT_WORD_MAX, "101"));
	REFUSED(snprintf(t.paths[1].args[0], DMT_WORD_MAX, "-1"));
	REFUSED(snprintf(t.paths[1].args[0], DMT_WORD_MAX, "4294967296"));
	REFUSED((t.groups[0].npath_args = 3, snprintf(t.paths[0].args[2], DMT_WORD_MAX, "1")));
	/* An empty selector name is service-time, with its checks. */
	REFUSED((t.groups[0].selector[0] = '\0', snprintf(t.paths[0].args[1], DMT_WORD_MAX, "x")));
#undef REFUSED
}
END_TEST

/* ---- parsing: refusals ---- */

START_TEST(test_parse_invalid)
{
	static const char *const bad[] = {
	    "",
	    "   ",
	    /* non-numeric, negative, signed, overflowing numbers */
	    "x 0 0 0",
	    "-1 0 0 0",
	    "+0 0 0 0",
	    "0 0 4294967296 0",
	    "0 0 99999999999999999999 1",
	    "0 0 0x1 1 round-robin 0 1 1 8:16 1",
	    /* parse_features: at most 8 words; a keyword's value must be there and in range */
	    "9 a b c d e f g h i 0 0 0",
	    "1 pg_init_retries 0 0 0",
	    "2 pg_init_retries 0 0 0 0",
	    "2 pg_init_retries 51 0 0 0",
	    "2 pg_init_retries x 0 0 0",
	    "2 pg_init_delay_msecs 60001 0 0 0",
	    "1 pg_init_delay_msecs 0 0 0",
	    "1 queue_mode 0 0 0",
	    "2 queue_mode nvmf 0 0 0",
	    "2 queue_if_no_path 0 0 0",
	    /* counts claiming more words than there are */
	    "1",
	    "0 2 alua 0 0",
	    "0 0 2 1 round-robin 0 1 1 8:16 1",
	    "0 0 1 1 round-robin 0 2 1 8:16 1",
	    "0 0 1 1 round-robin 0 1 1 8:16",
	    "0 0 1 1 round-robin 1 1 1 8:16 1",
	    "0 0 1 1 round-robin 0 1 2 8:16 1",
	    "0 0 9 1 round-robin 0 1 1 8:16 1",
	    "0 0 1 1 round-robin 0 40 1 8:16 1",
	    /* counts above the kernel's */
	    "0 1025 alua 0 0",
	    "0 0 1025 1",
	    "0 0 1 1025 round-robin 0 1 1 8:16 1",
	    "0 0 1 1 round-robin 1025 1 1 8:16 1",
	    "0 0 1 1 round-robin 0 1025 1 8:16 1",
	    "0 0 1 1 round-robin 0 1 1025 8:16 1",
	    /* multipath_ctr: the initial group is 0 exactly when there are no groups */
	    "0 0 0 1",
	    "0 0 1 0 round-robin 0 1 1 8:16 1",
	    "0 0 1 2 round-robin 0 1 1 8:16 1",
	    /* parse_priority_group: at least one path */
	    "0 0 1 1 round-robin 0 0 1",
	    /* words left over ("priority group count mismatch") */
	    "0 0 0 0 0",
	    "0 0 1 1 round-robin 0 1 1 8:16 1 extra",
	    /* paths that are not major:minor */
	    "0 0 1 1 round-robin 0 1 1 sdb 1",
	    "0 0 1 1 round-robin 0 1 1 /dev/sdb 1",
	    "0 0 1 1 round-robin 0 1 1 8: 1",
	    "0 0 1 1 round-robin 0 1 1 :16 1",
	    "0 0 1 1 round-robin 0 1 1 8:16:0 1",
	    "0 0 1 1 round-robin 0 1 1 8-16 1",
	    "0 0 1 1 round-robin 0 1 1 4096:0 1",
	    "0 0 1 1 round-robin 0 1 1 8:1048576 1",
	    "0 0 1 1 round-robin 0 1 1 -8:16 1",
	    "0 0 1 1 round-robin 0 1 1 8:-16 1",
	    "0 0 1 1 round-robin 0 1 1 +8:16 1",
	    /* what the known selectors' add_path refuses */
	    "0 0 1 1 round-robin 0 1 2 8:16 1 1",
	    "0 0 1 1 queue-length 0 1 2 8:16 1 1",
	    "0 0 1 1 service-time 0 1 3 8:16 1 1 1",
	    "0 0 1 1 service-time 0 1 2 8:16 1 101",
	    "0 0 1 1 service-time 0 1 1 8:16 -1",
	    "0 0 1 1 service-time 0 1 1 8:16 x",
	    "0 0 1 1 round-robin 0 1 1 8:16 4294967296",
	    /* bytes no word holds: a backslash (dm_split_args' escape), non-ASCII, control */
	    "0 1 a\\b 0 0",
	    "0 1 al\xc3\xbc"
	    "a 0 0",
	    "0 1 al\x01ua 0 0",
	    "0 1 al\x7f 0 0",
	};
	struct dmt_table t;
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&t, 0x5a, sizeof(t));
		r = parse_exact(bad[i], strlen(bad[i]), &t);
		ck_assert_msg(r == -EINVAL, "'%s': %d", bad[i], r);
		/* Zeroed on an error. */
		ck_assert_uint_eq(t.ngroups, 0);
		ck_assert_uint_eq(t.npaths, 0);
		ck_assert_str_eq(t.hw_handler, "");
	}
	/* A NUL inside the length is no separator. */
	ck_assert_int_eq(parse_exact("0 0 0 0\0", 8, &t), -EINVAL);
	ck_assert_int_eq(parse_exact("0 0\0 0 0", 8, &t), -EINVAL);
	/* A NUL-free length ending inside a word reads only that much: "0 0 0 0" of "0 0 0 00". */
	ck_assert_int_eq(parse_exact("0 0 0 00", 7, &t), 0);
}
END_TEST

START_TEST(test_parse_too_big)
{
	char text[DMT_TABLE_TEXT_MAX * 2], word[DMT_WORD_MAX + 1];
	struct dmt_table t;
	size_t used;
	unsigned int i;

	/* 9 groups, well-formed: beyond DMT_GROUPS_MAX. */
	used = (size_t)snprintf(text, sizeof(text), "0 0 9 1");
	for (i = 0; i < 9; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 " round-robin 0 1 1 8:%u 1", i);
	ck_assert_int_eq(parse_exact(text, used, &t), -E2BIG);
	ck_assert_uint_eq(t.ngroups, 0);
	/* The same, one word short: malformed first. */
	ck_assert_int_eq(parse_exact(text, used - 2, &t), -EINVAL);

	/* 33 paths in one group. */
	used = (size_t)snprintf(text, sizeof(text), "0 0 1 1 round-robin 0 33 1");
	for (i = 0; i < 33; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, " 8:%u 1", i);
	ck_assert_int_eq(parse_exact(text, used, &t), -E2BIG);
	/* 32 in two groups are fine. */
	used = (size_t)snprintf(text, sizeof(text), "0 0 2 1 round-robin 0 16 1");
	for (i = 0; i < 16; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, " 8:%u 1", i);
	used += (size_t)snprintf(text + used, sizeof(text) - used, " round-robin 0 16 1");
	for (i = 16; i < 32; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, " 8:%u 1", i);
	ck_assert_int_eq(parse_exact(text, used, &t), 0);
	ck_assert_uint_eq(t.npaths, DMT_PATHS_MAX);
	ck_assert_uint_eq(dmt_group_first_path(&t, 1), 16);
	ck_assert_uint_eq(t.paths[31].minor, 31);

	/* Lists longer than DMT_ARGS_MAX, and a word longer than DMT_WORD_MAX - 1. */
	ck_assert_int_eq(parse_exact("0 6 alua a b c d e 0 0", 22, &t), -E2BIG);
	parse_ok("0 5 alua a b c d 0 0", &t);
	ck_assert_int_eq(parse_exact("0 0 1 1 x 5 a b c d e 1 0 8:16", 30, &t), -E2BIG);
	ck_assert_int_eq(parse_exact("0 0 1 1 x 0 1 5 8:16 a b c d e", 30, &t), -E2BIG);
	memset(word, 'a', DMT_WORD_MAX);
	word[DMT_WORD_MAX] = '\0';
	snprintf(text, sizeof(text), "0 1 %s 0 0", word);
	ck_assert_int_eq(parse_exact(text, strlen(text), &t), -E2BIG);
	word[DMT_WORD_MAX - 1] = '\0';
	snprintf(text, sizeof(text), "0 1 %s 0 0", word);
	parse_ok(text, &t);
	ck_assert_str_eq(t.hw_handler, word);
}
END_TEST

/* Every prefix of every vector: refused or read as a valid table, never read past its length. */
START_TEST(test_parse_truncated)
{
	char *padded;
	struct dmt_table t, u;
	size_t i, n, len;
	int r;

	for (i = 0; i < ARRAY_SIZE(table_vectors); i++) {
		len = strlen(table_vectors[i]);
		padded = malloc(len + 16);
		ck_assert_ptr_nonnull(padded);
		for (n = 0; n <= len; n++) {
			r = parse_exact(table_vectors[i], n, &t);
			ck_assert_msg(r == 0 || r == -EINVAL, "'%.*s': %d", (int)n,
				      table_vectors[i], r);
			if (r == 0) {
				build(&t);
			}
			/* With more words after the length, the same answer: nothing past it is
			 * read. */
			memcpy(padded, table_vectors[i], n);
			memcpy(padded + n, " 9 9 9 8:8", 11);
			ck_assert_int_eq(dmt_table_parse(padded, n, &u), r);
			ck_assert(dmt_table_equal(&t, &u));
		}
		free(padded);
	}
}
END_TEST

/* ---- the kernel's canonical form ---- */

START_TEST(test_canon)
{
	/* [doc-st] as a 5.x/6.x kernel prints it back: repeat_count kept as 1. */
	assert_canon(doc_st_table, "0 0 1 1 service-time 0 2 2 8:0 1 1 8:16 1 4 ");
	assert_canon(doc_ql_table, "0 0 1 1 queue-length 0 2 1 8:0 1 8:16 1 ");
	/* [mpt] one per-path arg written, table_args printed back. */
	assert_canon("1 queue_if_no_path 1 alua 1 1 round-robin 0 2 1 8:16 1000 8:32 1000",
		     "1 queue_if_no_path 1 alua 1 1 round-robin 0 2 1 8:16 1 8:32 1 ");
	assert_canon("0 0 1 1 service-time 0 2 1 8:16 1 8:32 1",
		     "0 0 1 1 service-time 0 2 2 8:16 1 1 8:32 1 1 ");
	assert_canon("0 0 1 1 service-time 0 1 0 8:16", "0 0 1 1 service-time 0 1 2 8:16 1 1 ");
	/* Selector args are ignored by st/rr/ql_create, whose status prints "0". */
	assert_canon("0 0 1 1 round-robin 2 a b 1 0 8:16", "0 0 1 1 round-robin 0 1 1 8:16 1 ");
	/* rq and mq are the default; hw handler args are not printed. */
	assert_canon("2 queue_mode rq 3 emc 1 0 0 0", "0 1 emc 0 0 ");
	assert_canon(mq_table, "1 queue_if_no_path 0 1 1 round-robin 0 1 1 8:16 1 ");
	/* bio: retain_attached_hw_handler set, the hw handler dropped. */
	assert_canon("3 queue_if_no_path queue_mode bio 1 alua 1 1 service-time 0 1 0 8:16",
		     "4 queue_if_no_path retain_attached_hw_handler queue_mode bio 0 1 1 "
		     "service-time 0 1 2 8:16 1 1 ");
	/* What the kernel prints is canonical already. */
	assert_canon(alua_table, alua_table);
	assert_canon(features_table, features_table);
	assert_canon(empty_table, empty_table);
	/* Selectors not known, and features not known, are left as they are. */
	assert_canon(ioa_table, ioa_table);
	assert_canon(unknown_feature_table, unknown_feature_table);
}
END_TEST

START_TEST(test_canon_struct)
{
	struct dmt_table t;

	/* Initial group 0 and an empty selector name. */
	table_init(&t);
	t.ngroups = 1;
	t.groups[0].npaths = 1;
	t.npaths = 1;
	t.paths[0].major = 8;
	t.paths[0].minor = 16;
	ck_assert_int_eq(dmt_table_canon(&t), 0);
	ck_assert_uint_eq(t.initial_group, 1);
	ck_assert_str_eq(t.groups[0].selector, "service-time");
	ck_assert_str_eq(build(&t), "0 0 1 1 service-time 0 1 2 8:16 1 1 ");
}
END_TEST

/* ---- equality ---- */

START_TEST(test_equal)
{
	struct dmt_table a, b;

	parse_ok(alua_table, &a);
	parse_ok(alua_table, &b);
	ck_assert(dmt_table_equal(&a, &b));

#define DIFFERS(change)                                                                            \
	do {                                                                                       \
		b = a;                                                                             \
		change;                                                                            \
		ck_assert_msg(!dmt_table_equal(&a, &b), "equal: %s", #change);                     \
	} while (0)

	DIFFERS(b.features.queue_if_no_path = false);
	DIFFERS(b.features.retain_attached_hw_handler = true);
	DIFFERS(b.features.pg_init_retries = 3);
	DIFFERS(b.features.pg_init_delay_given = true);
	DIFFERS(b.features.queue_mode = DMT_QUEUE_MODE_MQ);
	DIFFERS((b.features.nother = 1, snprintf(b.features.other[0], DMT_WORD_MAX, "x")));
	DIFFERS(snprintf(b.hw_handler, DMT_WORD_MAX, "emc"));
	DIFFERS((b.nhw_args = 1, snprintf(b.hw_args[0], DMT_WORD_MAX, "x")));
	DIFFERS(b.initial_group = 2);
	DIFFERS(b.ngroups = 1);
	DIFFERS(snprintf(b.groups[1].selector, DMT_WORD_MAX, "round-robin"));
	DIFFERS((b.groups[1].nselector_args = 1,
		 snprintf(b.groups[1].selector_args[0], DMT_WORD_MAX, "x")));
	DIFFERS(b.groups[1].npath_args = 1);
	DIFFERS(b.paths[1].major = 9);
	DIFFERS(b.paths[1].minor = 33);
	DIFFERS(snprintf(b.paths[1].args[1], DMT_WORD_MAX, "2"));
	DIFFERS(b.npaths = 3);
	DIFFERS(b.ngroups = 99);
#undef DIFFERS

	/* Words past the counts do not count; a delay not given has no value. */
	b = a;
	snprintf(b.paths[1].args[3], DMT_WORD_MAX, "junk");
	snprintf(b.hw_args[2], DMT_WORD_MAX, "junk");
	b.features.pg_init_delay_msecs = 77;
	ck_assert(dmt_table_equal(&a, &b));
}
END_TEST

/* ---- status lines ---- */

START_TEST(test_status_doc)
{
	struct dmt_status st;

	status_ok(doc_st_status, &st);
	ck_assert_uint_eq(st.queue_io, 0);
	ck_assert_uint_eq(st.pg_init_count, 0);
	ck_assert_uint_eq(st.current_group, 1);
	ck_assert_uint_eq(st.ngroups, 1);
	ck_assert_int_eq(st.groups[0].state, DMT_GROUP_STATE_ENABLED);
	ck_assert_uint_eq(st.groups[0].nselector_args, 0);
	ck_assert_uint_eq(st.groups[0].npaths, 2);
	ck_assert_uint_eq(st.groups[0].npath_args, 2);
	ck_assert_uint_eq(st.groups[0].active_paths, 2);
	ck_assert_uint_eq(st.npaths, 2);
	ck_assert_uint_eq(st.active_paths, 2);
	ck_assert_uint_eq(st.paths[0].major, 8);
	ck_assert_uint_eq(st.paths[0].minor, 0);
	ck_assert(st.paths[0].active);
	ck_assert_uint_eq(st.paths[0].fail_count, 0);
	/* service-time: <in-flight-size> <relative_throughput> */
	ck_assert_str_eq(st.paths[0].args[0], "0");
	ck_assert_str_eq(st.paths[0].args[1], "1");
	ck_assert_str_eq(st.paths[1].args[1], "4");

	status_ok(doc_ql_status, &st);
	ck_assert_uint_eq(st.groups[0].npath_args, 1);
	ck_assert_uint_eq(st.paths[1].minor, 16);
	ck_assert_str_eq(st.paths[1].args[0], "0");
	ck_assert_uint_eq(st.active_paths, 2);
}
END_TEST

START_TEST(test_status_real)
{
	struct dmt_status st;

	status_ok(rhel_status, &st);
	ck_assert_uint_eq(st.ngroups, 1);
	ck_assert_int_eq(st.groups[0].state, DMT_GROUP_STATE_ACTIVE);
	ck_assert_uint_eq(st.groups[0].npath_args, 0);
	ck_assert_uint_eq(st.paths[0].major, 65);
	ck_assert_uint_eq(st.paths[0].minor, 144);
	ck_assert_uint_eq(st.active_paths, 1);

	status_ok(xapi_status, &st);
	ck_assert_uint_eq(st.npaths, 2);
	ck_assert_uint_eq(st.paths[1].minor, 64);
	ck_assert_uint_eq(st.active_paths, 2);

	status_ok(xapi4_status, &st);
	ck_assert_uint_eq(st.ngroups, 4);
	ck_assert_uint_eq(st.current_group, 1);
	ck_assert_int_eq(st.groups[0].state, DMT_GROUP_STATE_ACTIVE);
	ck_assert_int_eq(st.groups[1].state, DMT_GROUP_STATE_ENABLED);
	ck_assert_int_eq(st.groups[3].state, DMT_GROUP_STATE_ENABLED);
	ck_assert_uint_eq(st.npaths, 4);
	ck_assert_uint_eq(st.paths[3].minor, 192);
	ck_assert_uint_eq(st.active_paths, 4);

	status_ok(qdepth_status, &st);
	ck_assert_uint_eq(st.npaths, 4);
	ck_assert_uint_eq(st.paths[0].major, 253);
	ck_assert_uint_eq(st.paths[0].minor, 11);
	/* queue-length: <in-flight> */
	ck_assert_str_eq(st.paths[0].args[0], "309");
	ck_assert_str_eq(st.paths[3].args[0], "0");
}
END_TEST

START_TEST(test_status_failing)
{
	struct dmt_status st;

	status_ok(failing_status, &st);
	ck_assert_uint_eq(st.queue_io, 1);
	ck_assert_uint_eq(st.pg_init_count, 1);
	ck_assert_uint_eq(st.current_group, 1);
	ck_assert_uint_eq(st.ngroups, 2);
	ck_assert_int_eq(st.groups[0].state, DMT_GROUP_STATE_ACTIVE);
	ck_assert_int_eq(st.groups[1].state, DMT_GROUP_STATE_DISABLED);
	ck_assert_uint_eq(st.groups[0].active_paths, 1);
	ck_assert_uint_eq(st.groups[1].active_paths, 0);
	ck_assert_uint_eq(st.npaths, 3);
	ck_assert(st.paths[0].active);
	ck_assert_str_eq(st.paths[0].args[0], "4096");
	ck_assert(!st.paths[1].active);
	ck_assert_uint_eq(st.paths[1].fail_count, 3);
	ck_assert(!st.paths[2].active);
	ck_assert_uint_eq(st.paths[2].fail_count, 1);
	ck_assert_uint_eq(st.active_paths, 1);

	status_ok(empty_status, &st);
	ck_assert_uint_eq(st.ngroups, 0);
	ck_assert_uint_eq(st.current_group, 0);
	ck_assert_uint_eq(st.active_paths, 0);
}
END_TEST

START_TEST(test_status_generic)
{
	struct dmt_status st;

	/* More feature words than two, hw handler status words: read and skipped. */
	status_ok("3 1 7 9 2 x y 1 1 A 0 1 0 8:16 F 4294967295", &st);
	ck_assert_uint_eq(st.queue_io, 1);
	ck_assert_uint_eq(st.pg_init_count, 7);
	ck_assert_uint_eq(st.paths[0].fail_count, 4294967295u);
	ck_assert_uint_eq(st.active_paths, 0);
	/* The oldest kernels: the number of queued I/Os first. */
	status_ok("2 17 0 0 1 1 A 0 1 0 8:16 A 0", &st);
	ck_assert_uint_eq(st.queue_io, 17);
	/* [6.x] historical-service-time: "2 <weight> <threshold>" per group, 3 numbers per path. */
	status_ok("2 0 0 0 1 1 A 2 0 10 1 3 8:16 A 0 1024 0 18446744073709551615 ", &st);
	ck_assert_uint_eq(st.groups[0].nselector_args, 2);
	ck_assert_str_eq(st.groups[0].selector_args[1], "10");
	ck_assert_str_eq(st.paths[0].args[2], "18446744073709551615");
	/* service-time prints in_flight_size with %d. */
	status_ok("2 0 0 0 1 1 A 0 1 2 8:16 A 0 -4096 1", &st);
	ck_assert_str_eq(st.paths[0].args[0], "-4096");
}
END_TEST

START_TEST(test_status_invalid)
{
	static const char *const bad[] = {
	    "",
	    "2 0",
	    "2 0 0",
	    "2 0 0 0 1",
	    "x 0 0 0 0 0",
	    "-2 0 0 0 0 0",
	    "2 x 0 0 0 0",
	    "2 0 -1 0 0 0",
	    "2 0 0 1 0 0",
	    "2 0 0 0 0 1",
	    "2 0 0 0 1 0 A 0 1 0 8:16 A 0",
	    "2 0 0 0 1 2 A 0 1 0 8:16 A 0",
	    "2 0 0 0 2 1 A 0 1 0 8:16 A 0",
	    "2 0 0 0 1 1 X 0 1 0 8:16 A 0",
	    "2 0 0 0 1 1 a 0 1 0 8:16 A 0",
	    "2 0 0 0 1 1 AE 0 1 0 8:16 A 0",
	    "2 0 0 0 1 1 A 1 1 0 8:16 A 0",
	    "2 0 0 0 1 1 A 0 2 0 8:16 A 0",
	    "2 0 0 0 1 1 A 0 1 1 8:16 A 0",
	    "2 0 0 0 1 1 A 0 1 0 8:16 B 0",
	    "2 0 0 0 1 1 A 0 1 0 8:16 a 0",
	    "2 0 0 0 1 1 A 0 1 0 8:16 AF 0",
	    "2 0 0 0 1 1 A 0 1 0 8:16 A -1",
	    "2 0 0 0 1 1 A 0 1 0 8:16 A x",
	    "2 0 0 0 1 1 A 0 1 0 8:16 A 4294967296",
	    "2 0 0 0 1 1 A 0 1 0 sdb A 0",
	    "2 0 0 0 1 1 A 0 1 0 8:16:1 A 0",
	    "2 0 0 0 1 1 A 0 1 0 8:16 A 0 extra",
	    "2 0 0 0 1 1 A 0 1 0 8:16 A 0\\",
	};
	struct dmt_status st;
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&st, 0x5a, sizeof(st));
		r = status_exact(bad[i], strlen(bad[i]), &st);
		ck_assert_msg(r == -EINVAL, "'%s': %d", bad[i], r);
		ck_assert_uint_eq(st.ngroups, 0);
		ck_assert_uint_eq(st.npaths, 0);
		ck_assert_uint_eq(st.active_paths, 0);
	}
	ck_assert_int_eq(status_exact("2 0 0 0 0 0\0", 12, &st), -EINVAL);
}
END_TEST

START_TEST(test_status_too_big)
{
	char text[4096];
	struct dmt_status st;
	size_t used;
	unsigned int i;

	used = (size_t)snprintf(text, sizeof(text), "2 0 0 0 9 1");
	for (i = 0; i < 9; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, " E 0 1 0 8:%u A 0", i);
	ck_assert_int_eq(status_exact(text, used, &st), -E2BIG);
	ck_assert_int_eq(status_exact(text, used - 2, &st), -EINVAL);
	used = (size_t)snprintf(text, sizeof(text), "2 0 0 0 1 1 A 0 33 0");
	for (i = 0; i < 33; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, " 8:%u F 1", i);
	ck_assert_int_eq(status_exact(text, used, &st), -E2BIG);
	ck_assert_int_eq(status_exact("2 0 0 0 1 1 A 0 1 5 8:16 A 0 1 2 3 4 5", 38, &st), -E2BIG);
	ck_assert_int_eq(status_exact("2 0 0 0 1 1 A 5 1 2 3 4 5 1 0 8:16 A 0", 38, &st), -E2BIG);
}
END_TEST

START_TEST(test_status_truncated)
{
	char *padded;
	struct dmt_status st, su;
	size_t i, n, len;
	int r;

	for (i = 0; i < ARRAY_SIZE(status_vectors); i++) {
		len = strlen(status_vectors[i]);
		padded = malloc(len + 16);
		ck_assert_ptr_nonnull(padded);
		for (n = 0; n <= len; n++) {
			r = status_exact(status_vectors[i], n, &st);
			ck_assert_msg(r == 0 || r == -EINVAL, "'%.*s': %d", (int)n,
				      status_vectors[i], r);
			memcpy(padded, status_vectors[i], n);
			memcpy(padded + n, " A 9 9 8:8 F", 13);
			ck_assert_int_eq(dmt_status_parse(padded, n, &su), r);
			ck_assert_int_eq(memcmp(&st, &su, sizeof(st)), 0);
		}
		free(padded);
	}
}
END_TEST

/* The status of a table's map names the same paths, in the same order. */
START_TEST(test_status_matches_table)
{
	struct dmt_table t;
	struct dmt_status st;
	unsigned int i;

	parse_ok(doc_st_table, &t);
	status_ok(doc_st_status, &st);
	ck_assert_uint_eq(t.ngroups, st.ngroups);
	ck_assert_uint_eq(t.npaths, st.npaths);
	for (i = 0; i < t.npaths; i++) {
		ck_assert_uint_eq(t.paths[i].major, st.paths[i].major);
		ck_assert_uint_eq(t.paths[i].minor, st.paths[i].minor);
	}
	ck_assert_uint_eq(st.groups[0].npath_args,
			  dmt_selector_find(t.groups[0].selector)->status_args);
}
END_TEST

static Suite *dm_table_suite(void)
{
	Suite *s = suite_create("dm_table");
	TCase *tc = tcase_create("dm_table");

	tcase_add_test(tc, test_parse_doc_service_time);
	tcase_add_test(tc, test_parse_doc_queue_length);
	tcase_add_test(tc, test_parse_alua);
	tcase_add_test(tc, test_parse_features);
	tcase_add_test(tc, test_parse_unknown_feature);
	tcase_add_test(tc, test_parse_unknown_selector);
	tcase_add_test(tc, test_parse_hw_handler);
	tcase_add_test(tc, test_parse_spacing);
	tcase_add_test(tc, test_parse_build_same_text);
	tcase_add_test(tc, test_build_parse_equal);
	tcase_add_test(tc, test_build_brief_example);
	tcase_add_test(tc, test_selectors);
	tcase_add_test(tc, test_add_limits);
	tcase_add_test(tc, test_build_enospc);
	tcase_add_test(tc, test_build_largest);
	tcase_add_test(tc, test_build_invalid);
	tcase_add_test(tc, test_parse_invalid);
	tcase_add_test(tc, test_parse_too_big);
	tcase_add_test(tc, test_parse_truncated);
	tcase_add_test(tc, test_canon);
	tcase_add_test(tc, test_canon_struct);
	tcase_add_test(tc, test_equal);
	tcase_add_test(tc, test_status_doc);
	tcase_add_test(tc, test_status_real);
	tcase_add_test(tc, test_status_failing);
	tcase_add_test(tc, test_status_generic);
	tcase_add_test(tc, test_status_invalid);
	tcase_add_test(tc, test_status_too_big);
	tcase_add_test(tc, test_status_truncated);
	tcase_add_test(tc, test_status_matches_table);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(dm_table_suite)
