/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model and the ALUA states it serves (target/model/obj_alua.c), with
 * null backstores and nexuses made here: each target gets its own target
 * port groups, the same ones from model to model; a state the
 * configuration changes is applied and announced (ASYMMETRIC ACCESS STATE
 * CHANGED on the nexuses of that target on the LUs of the group, not on
 * another target's), one it does not change keeps what SET TARGET PORT
 * GROUPS made of it, and obj_alua_pull brings that into the model; a TPG
 * or a target taken away shows no LU any more; the file's refusals.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/scsi_alua.h"
#include "common/scsi_proto.h"
#include "target/model/config.h"
#include "target/model/obj_alua.h"
#include "target/scsi/alua.h"
#include "tests/unit/check_main.h"

#define T1 "iqn.2026-11.org.example:t1"
#define T2 "iqn.2026-11.org.example:t2"

static char dir[] = "/tmp/portico-obj-alua-test.XXXXXX";

/*
 * Backstores a and b; T1: TPG 1 (a, b; states of s1), TPG 2 (a; s2, when
 * given); T2: TPG 1 (a). s1, s2: the members of the alua groups.
 */
static struct obj_model *open_model(const struct obj_model *old, const char *s1, const char *s2,
				    bool with_t2)
{
	char text[2048], tpg2[256] = "";
	struct cfg_err err = {""};
	struct obj_model *m = NULL;

	if (s2)
		snprintf(
		    tpg2, sizeof(tpg2),
		    ", { tag = 2; luns = ( { lun = 0; backstore = \"a\"; } ); alua = { %s }; }",
		    s2);
	snprintf(text, sizeof(text),
		 "state_dir = \"%s\";\n"
		 "backstores = ( { name = \"a\"; type = \"null\"; size = \"1M\"; },\n"
		 "               { name = \"b\"; type = \"null\"; size = \"1M\"; } );\n"
		 "targets = ( { iqn = \"" T1 "\"; tpgs = (\n"
		 "    { tag = 1; luns = ( { lun = 0; backstore = \"a\"; }, { lun = 1; backstore = "
		 "\"b\"; } );\n"
		 "      alua = { %s }; }%s ); }%s );\n",
		 dir, s1, tpg2,
		 with_t2
		     ? ", { iqn = \"" T2
		       "\"; tpgs = ( { tag = 1; luns = ( { lun = 0; backstore = \"a\"; } ); } ); }"
		     : "");
	ck_assert_msg(config_parse_string(text, &m, &err) == 0, "%s\n%s", err.msg, text);
	ck_assert_msg(config_open_reuse(m, old, &err) == 0, "%s", err.msg);
	return m;
}

static struct obj_target *target(struct obj_model *m, const char *iqn)
{
	struct obj_target *t = obj_find_target(m, iqn);

	ck_assert_ptr_nonnull(t);
	return t;
}

static struct scsi_lu *lu_of(struct obj_model *m, const char *name)
{
	return obj_find_backstore(m, name)->lu;
}

/* A nexus of an initiator through TPG tag of t, on lu. */
struct nexus {
	struct scsi_nexus nx;
	struct scsi_itl *itl;
};

static void nexus_up(struct nexus *n, struct obj_target *t, uint16_t tag, struct scsi_lu *lu,
		     const char *initiator)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->nx.initiator_port, sizeof(n->nx.initiator_port), "%s,i,0x000000000001",
		 initiator);
	n->nx.target_name = t->iqn;
	n->nx.tpg_tag = tag;
	alua_tgt_get(t->alua);
	n->nx.alua = t->alua;
	n->nx.alua_group = alua_tgt_group(t->alua, tag, false);
	ck_assert_ptr_nonnull(n->nx.alua_group);
	ck_assert_int_eq(scsi_itl_create(lu, &n->nx, &n->itl), 0);
}

static void nexus_down(struct nexus *n)
{
	scsi_itl_destroy(n->itl);
	alua_tgt_put(n->nx.alua);
}

/* Runs a command without backstore I/O through n: the status, the sense in kkaaqq, data in buf. */
static uint8_t run(struct nexus *n, const uint8_t *cdb, uint8_t *buf, uint32_t len, uint32_t *kaq)
{
	struct scsi_cmd c;

	memset(&c, 0, sizeof(c));
	c.nexus = &n->nx;
	c.itl = n->itl;
	memcpy(c.cdb, cdb, 16);
	c.cdb_len = 16;
	ck_assert_int_eq(scsi_cmd_parse(&c), SENSE_OK);
	c.buf = buf;
	c.buf_len = c.xfer_len < len ? c.xfer_len : len;
	ck_assert_int_eq(scsi_cmd_exec(&c), SCSI_EXEC_DONE);
	*kaq = c.sense_len >= 14
		   ? (uint32_t)(c.sense[2] & 0xf) << 16 | c.sense[12] << 8 | c.sense[13]
		   : 0;
	return c.status;
}

/* TEST UNIT READY's sense through n: 0 when GOOD. */
static uint32_t tur(struct nexus *n)
{
	static const uint8_t cdb[16] = {SCSI_OP_TEST_UNIT_READY};
	uint32_t kaq;

	run(n, cdb, NULL, 0, &kaq);
	return kaq;
}

/* Asserts what REPORT TARGET PORT GROUPS through n says: ids[], states[], n groups. */
static void rtpg_is(struct nexus *n, size_t count, const uint16_t *ids, const uint8_t *states)
{
	uint8_t cdb[16] = {SCSI_OP_MAINTENANCE_IN, 0x20 | SCSI_MI_REPORT_TARGET_PORT_GROUPS};
	uint8_t buf[512];
	struct scsi_rtpg_iter it;
	struct scsi_tpg g;
	uint32_t kaq;
	size_t i = 0;

	put_be32(cdb + 6, sizeof(buf));
	ck_assert_uint_eq(run(n, cdb, buf, sizeof(buf), &kaq), SCSI_STATUS_GOOD);
	ck_assert_int_eq(scsi_rtpg_iter_init(&it, buf, sizeof(buf), true), 0);
	while (scsi_rtpg_iter_next(&it, &g) == 1) {
		ck_assert_uint_lt(i, count);
		ck_assert_uint_eq(g.id, ids[i]);
		ck_assert_uint_eq(g.state, states[i]);
		i++;
	}
	ck_assert_uint_eq(i, count);
}

static void setup(void)
{
	bs_register_builtin();
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir + strlen(dir) - 6, "XXXXXX");
}

START_TEST(test_open_gives_each_target_its_groups)
{
	struct obj_model *m = open_model(NULL, "preferred = true;", "state = \"standby\";", true);
	struct obj_target *t1 = target(m, T1), *t2 = target(m, T2);
	const struct alua_group *g1 = alua_tgt_group(t1->alua, 1, false);
	const struct alua_group *g2 = alua_tgt_group(t1->alua, 2, false);
	static const uint16_t ids[] = {1, 2};
	static const uint8_t states[] = {SCSI_ALUA_ACTIVE_OPTIMIZED, SCSI_ALUA_STANDBY};
	struct nexus n;

	ck_assert_ptr_nonnull(t1->alua);
	ck_assert_ptr_nonnull(t2->alua);
	ck_assert_ptr_ne(t1->alua, t2->alua);
	ck_assert_uint_eq(alua_group_state(g1), SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert(alua_group_pref(g1));
	ck_assert_uint_eq(alua_group_state(g2), SCSI_ALUA_STANDBY);
	ck_assert(!alua_group_pref(g2));
	ck_assert_uint_eq(alua_group_state(alua_tgt_group(t2->alua, 1, false)),
			  SCSI_ALUA_ACTIVE_OPTIMIZED);
	/* the groups of LU a through T1: both; of b: TPG 1's */
	nexus_up(&n, t1, 1, lu_of(m, "a"), "iqn.2026-11.org.example:h1");
	tur(&n); /* POWER ON */
	rtpg_is(&n, 2, ids, states);
	nexus_down(&n);
	nexus_up(&n, t1, 1, lu_of(m, "b"), "iqn.2026-11.org.example:h1");
	tur(&n);
	rtpg_is(&n, 1, ids, states);
	nexus_down(&n);
	/* the model holds the live values, and nothing is there to pull */
	ck_assert(!obj_alua_pull(m));
	ck_assert_uint_eq(t1->tpgs[1].alua.state, SCSI_ALUA_STANDBY);
	obj_model_free(m);
}
END_TEST

START_TEST(test_change_applied_and_announced)
{
	struct obj_model *m = open_model(NULL, "", "state = \"standby\";", true), *m2, *m3;
	struct nexus h1, h2, hb, other;
	struct alua_tgt *t1 = target(m, T1)->alua;

	nexus_up(&h1, target(m, T1), 1, lu_of(m, "a"), "iqn.2026-11.org.example:h1");
	nexus_up(&h2, target(m, T1), 2, lu_of(m, "a"), "iqn.2026-11.org.example:h2");
	nexus_up(&hb, target(m, T1), 1, lu_of(m, "b"), "iqn.2026-11.org.example:h1");
	nexus_up(&other, target(m, T2), 1, lu_of(m, "a"), "iqn.2026-11.org.example:h3");
	tur(&h1);
	tur(&h2);
	tur(&hb);
	tur(&other);
	/* the same configuration again: the same groups, nothing to say */
	m2 = open_model(m, "", "state = \"standby\";", true);
	ck_assert_ptr_eq(target(m2, T1)->alua, t1);
	obj_model_free(m);
	ck_assert_uint_eq(tur(&h1), 0);
	ck_assert_uint_eq(tur(&h2), 0x02040b); /* standby */
	/* TPG 2 made active/non-optimized: both of T1's nexuses on a hear of it, no other */
	m3 = open_model(m2, "", "state = \"active_non_optimized\";", true);
	obj_model_free(m2);
	ck_assert_uint_eq(alua_group_state(h2.nx.alua_group), SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	ck_assert_uint_eq(tur(&h1), 0x062a06);
	ck_assert_uint_eq(tur(&h2), 0x062a06);
	ck_assert_uint_eq(tur(&h2), 0);
	ck_assert_uint_eq(tur(&hb), 0);
	ck_assert_uint_eq(tur(&other), 0);
	nexus_down(&h1);
	nexus_down(&h2);
	nexus_down(&hb);
	nexus_down(&other);
	obj_model_free(m3);
}
END_TEST

/* SET TARGET PORT GROUPS' state survives a change that does not set it, and is pulled in. */
START_TEST(test_live_state_kept_and_pulled)
{
	const char *s1 = "explicit = true;", *s2 = "state = \"standby\"; explicit = true;";
	struct obj_model *m = open_model(NULL, s1, s2, false), *m2, *m3;
	struct scsi_stpg_entry e = {.id = 2, .state = SCSI_ALUA_ACTIVE_OPTIMIZED};
	uint8_t cdb[16] = {SCSI_OP_MAINTENANCE_OUT, SCSI_MO_SET_TARGET_PORT_GROUPS}, list[8];
	struct nexus h1;
	uint32_t kaq;

	nexus_up(&h1, target(m, T1), 1, lu_of(m, "a"), "iqn.2026-11.org.example:h1");
	tur(&h1);
	put_be32(cdb + 6, (uint32_t)scsi_stpg_put(list, sizeof(list), &e, 1));
	ck_assert_uint_eq(run(&h1, cdb, list, sizeof(list), &kaq), SCSI_STATUS_GOOD);
	/* another change (TPG 1 made preferred), from a model that was not pulled */
	m2 = open_model(m, "explicit = true; preferred = true;", s2, false);
	obj_model_free(m);
	ck_assert_uint_eq(alua_group_state(alua_tgt_group(h1.nx.alua, 2, false)),
			  SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert_uint_eq(target(m2, T1)->tpgs[1].alua.state, SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert_uint_eq(tur(&h1), 0x062a06); /* TPG 1 made preferred */
	/* STPG again, then pulled: the model says what is served */
	e.state = SCSI_ALUA_UNAVAILABLE;
	scsi_stpg_put(list, sizeof(list), &e, 1);
	ck_assert_uint_eq(run(&h1, cdb, list, sizeof(list), &kaq), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(target(m2, T1)->tpgs[1].alua.state, SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert(obj_alua_pull(m2));
	ck_assert_uint_eq(target(m2, T1)->tpgs[1].alua.state, SCSI_ALUA_UNAVAILABLE);
	ck_assert(!obj_alua_pull(m2));
	/* the administrator's state, where it differs from the pulled model's, wins */
	m3 = open_model(m2, "explicit = true; preferred = true;",
			"state = \"transitioning\"; explicit = true;", false);
	obj_model_free(m2);
	ck_assert_uint_eq(alua_group_state(alua_tgt_group(h1.nx.alua, 2, false)),
			  SCSI_ALUA_TRANSITIONING);
	nexus_down(&h1);
	obj_model_free(m3);
}
END_TEST

START_TEST(test_tpg_and_target_taken_away)
{
	static const uint16_t ids[] = {1};
	static const uint8_t states[] = {SCSI_ALUA_ACTIVE_OPTIMIZED};
	struct obj_model *m = open_model(NULL, "", "state = \"standby\";", true), *m2;
	struct nexus h1, other;

	nexus_up(&h1, target(m, T1), 1, lu_of(m, "a"), "iqn.2026-11.org.example:h1");
	nexus_up(&other, target(m, T2), 1, lu_of(m, "a"), "iqn.2026-11.org.example:h3");
	tur(&h1);
	tur(&other);
	/* TPG 2 and T2 go: T1's LU a has one group now; T2's nexus sees its own only */
	m2 = open_model(m, "", NULL, false);
	obj_model_free(m);
	rtpg_is(&h1, 1, ids, states);
	rtpg_is(&other, 1, ids, states);
	ck_assert_uint_eq(tur(&h1), 0); /* membership is not an access state */
	nexus_down(&h1);
	nexus_down(&other);
	obj_model_free(m2);
}
END_TEST

START_TEST(test_file_refusals)
{
	static const char *const bad[] = {
	    "alua = { state = \"active/optimized\"; };",
	    "alua = { state = \"offline\"; };",
	    "alua = { state = 1; };",
	    "alua = { preferred = \"yes please\"; };",
	    "alua = { statee = \"standby\"; };",
	    "alua = 1;",
	};
	static const char *const why[] = {
	    "'state' must be one of "
	    "active_optimized|active_non_optimized|standby|unavailable|transitioning, not "
	    "'active/optimized'",
	    "not 'offline'",
	    "state",
	    "preferred",
	    "statee",
	    "'alua' must be a group",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];
		struct cfg_err err = {""};
		struct obj_model *m = NULL;

		snprintf(text, sizeof(text),
			 "targets = ( { iqn = \"" T1 "\"; tpgs = ( { tag = 1; %s } ); } );\n",
			 bad[i]);
		ck_assert_int_eq(config_parse_string(text, &m, &err), -EINVAL);
		ck_assert_msg(strstr(err.msg, why[i]), "%s: %s", bad[i], err.msg);
	}
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("obj_alua");
	TCase *tc = tcase_create("obj_alua");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_gives_each_target_its_groups);
	tcase_add_test(tc, test_change_applied_and_announced);
	tcase_add_test(tc, test_live_state_kept_and_pulled);
	tcase_add_test(tc, test_tpg_and_target_taken_away);
	tcase_add_test(tc, test_file_refusals);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)
