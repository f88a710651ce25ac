/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control operations of a gateway in a group, through their seam
 * (ctl_ops_handle, ctl_ops_gconf_apply) with a stand-in daemon whose group
 * agrees or not: an ACL change, a TPG's settings and discovery_auth go to
 * the group before they are served, and are not served when the group
 * refuses them; a TPG's alua is not shown to it; a change the group does
 * not share (a LUN on a null store among them) is refused without asking
 * it; a local one is not shown to it; a member checks another gateway's
 * document by the file's rules and serves it only when asked to.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/target/ctl/ctl_req.h"
#include "tests/unit/check_main.h"

/* The group, as the stand-in daemon plays it. */
static struct {
	unsigned int proposed;
	int rc;		/* what group_propose answers */
	char why[256];	/* and says */
	char *doc;	/* the last document shown */
} grp;

static const char *group_doc(void *arg, size_t *len)
{
	(void)arg;
	*len = 0;
	return NULL;
}

static int group_propose(void *arg, const char *doc, size_t len, char *err, size_t errlen)
{
	(void)arg;
	grp.proposed++;
	free(grp.doc);
	grp.doc = strndup(doc, len);
	snprintf(err, errlen, "%s", grp.why);
	return grp.rc;
}

static struct ctl_host_ops gops;
static const struct ctl_host G = { &gops, &S };

static const char conf[] =
	"auto_save = false;\n"
	"state_dir = \"/nonexistent/portico-ctl-test\";\n"
	"shared_config = { group = \"store1\"; gateway = \"gw-a\"; };\n"
	"backstores = ( { name = \"n0\"; type = \"null\"; size = \"1G\"; },\n"
	"               { name = \"n1\"; type = \"null\"; size = \"1G\"; } );\n"
	"targets = ( { iqn = \"" TGT "\"; tpgs = ( { tag = 1;\n"
	"  luns = ( { lun = 0; backstore = \"n0\"; }, { lun = 1; backstore = \"n1\"; } );\n"
	"  acls = ( { initiator = \"" KVM1 "\"; mapped_luns = ( { lun = 0; tpg_lun = 0; } ); } );\n"
	"} ); } );\n";

static void gsetup(void)
{
	struct cfg_err err = { { 0 } };

	(void)ok; /* ctl_req.h's, for the tests that go through H */
	(void)refused;
	setup();
	obj_model_free(S.model);
	S.model = NULL;
	ck_assert_msg(config_parse_string(conf, &S.model, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(config_open(S.model, &err), 0);
	gops = fake_host_ops;
	gops.group_doc = group_doc;
	gops.group_propose = group_propose;
	memset(&grp, 0, sizeof(grp));
}

static void gteardown(void)
{
	free(grp.doc);
	grp.doc = NULL;
	teardown();
}

static int greq(const char *op, const char *path, const char *args)
{
	return req_on(&G, op, path, args);
}

START_TEST(acl_change_goes_to_the_group)
{
	const struct obj_tpg *tpg;

	ck_assert_int_eq(greq("create", TPG "/acls",
			      "{\"iqn\": \"" KVM2 "\", \"add_mapped_luns\": false}"),
			 0);
	ck_assert_uint_eq(grp.proposed, 1);
	ck_assert_ptr_nonnull(strstr(grp.doc, KVM2));
	ck_assert_ptr_nonnull(strstr(grp.doc, KVM1));
	ck_assert_ptr_null(strstr(grp.doc, "\"n0\""));
	ck_assert_uint_eq(S.replaced, 1);
	tpg = &S.model->targets[0].tpgs[0];
	ck_assert_uint_eq(tpg->nacls, 2);
	/* a CHAP secret and a mapped LUN: each a change of the shared part */
	ck_assert_int_eq(greq("set", TPG "/acls/" KVM2,
			      "{\"group\": \"auth\", \"userid\": \"kvm2\", \"password\": \"secret-of-12\"}"),
			 0);
	ck_assert_uint_eq(grp.proposed, 2);
	ck_assert_ptr_nonnull(strstr(grp.doc, "secret-of-12"));
	ck_assert_int_eq(greq("create", TPG "/acls/" KVM2, "{\"mapped_lun\": 3, \"tpg_lun_or_backstore\": 1}"),
			 0);
	ck_assert_uint_eq(grp.proposed, 3);
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].acls[1].nmapped, 1);
}
END_TEST

START_TEST(refused_by_the_group_not_served)
{
	grp.rc = -EBUSY;
	snprintf(grp.why, sizeof(grp.why),
		 "gateway gw-b refused the change: tpg_lun 1 is not a LUN of TPG 2; nothing changed");
	ck_assert_int_eq(greq("create", TPG "/acls/" KVM1,
			      "{\"mapped_lun\": 1, \"tpg_lun_or_backstore\": 1}"),
			 -EBUSY);
	ck_assert_str_eq(R.message, grp.why);
	ck_assert_uint_eq(grp.proposed, 1);
	ck_assert_uint_eq(S.replaced, 0);
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].acls[0].nmapped, 1);
}
END_TEST

START_TEST(unshared_changes_refused)
{
	static const struct {
		const char *op, *path, *args, *what;
	} cases[] = {
		{ "create", "/iscsi", "{\"iqn\": \"iqn.2026-11.org.example:other\"}", "a target" },
		{ "delete", "/iscsi/" TGT, NULL, "a target" },
		{ "create", "/iscsi/" TGT, "{\"tag\": 2}", "a TPG" },
		{ "delete", TPG, NULL, "a TPG" },
		/* a LUN on one machine's store: the other gateways could not serve it */
		{ "create", TPG "/luns", "{\"storage_object\": \"/backstores/null/n0\", \"lun\": 5}",
		  "shares LUNs on rbd backstores only: backstore 'n0' is null" },
		{ "delete", TPG "/luns/lun1", NULL,
		  "shares LUNs on rbd backstores only: backstore 'n1' is null" },
		{ "clearconfig", "/", "{\"confirm\": true}", "a whole configuration" },
		{ "restoreconfig", "/", "{\"file\": \"/nonexistent\"}", "a whole configuration" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(greq(cases[i].op, cases[i].path, cases[i].args) == -EOPNOTSUPP,
			      "%s %s: %d %s", cases[i].op, cases[i].path, R.err, R.message);
		ck_assert_msg(strstr(R.message, cases[i].what) &&
				      strstr(R.message, "gateway group 'store1'") &&
				      strstr(R.message, "nothing changed"),
			      "%s %s: '%s'", cases[i].op, cases[i].path, R.message);
	}
	ck_assert_uint_eq(grp.proposed, 0);
	ck_assert_uint_eq(S.replaced, 0);
}
END_TEST

START_TEST(local_change_not_shown_to_the_group)
{
	ck_assert_int_eq(greq("create", "/backstores/null", "{\"name\": \"n2\", \"size\": \"1G\"}"),
			 0);
	ck_assert_uint_eq(grp.proposed, 0);
	ck_assert_uint_eq(S.replaced, 1);
	/* without a group (or a daemon that runs none) nothing is refused nor proposed */
	S.model->shared.group[0] = '\0';
	ck_assert_int_eq(greq("create", TPG "/luns",
			      "{\"storage_object\": \"/backstores/null/n2\", \"lun\": 5}"),
			 0);
	ck_assert_uint_eq(grp.proposed, 0);
}
END_TEST

START_TEST(member_checks_then_serves)
{
	static const char bad[] = "targets = ( { iqn = \"" TGT "\"; acls = ( { initiator = \"" KVM2
				  "\"; mapped_luns = ( { lun = 0; tpg_lun = 7; } ); } ); } );\n";
	static const char good[] = "targets = ( { iqn = \"" TGT "\"; acls = ( { initiator = \"" KVM2
				   "\"; mapped_luns = ( { lun = 0; tpg_lun = 1; } ); } ); } );\n";
	char err[512] = "";

	ck_assert_int_eq(ctl_ops_gconf_apply(&G, bad, strlen(bad), false, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "tpg_lun 7"), "%s", err);
	ck_assert_int_eq(ctl_ops_gconf_apply(&G, "targets = (", 11, false, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "does not parse"), "%s", err);
	ck_assert_int_eq(ctl_ops_gconf_apply(&G, good, strlen(good), false, err, sizeof(err)), 0);
	/* checked, not served */
	ck_assert_uint_eq(S.replaced, 0);
	ck_assert_str_eq(S.model->targets[0].tpgs[0].acls[0].initiator, KVM1);
	ck_assert_int_eq(ctl_ops_gconf_apply(&G, good, strlen(good), true, err, sizeof(err)), 0);
	ck_assert_uint_eq(S.replaced, 1);
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].nacls, 1);
	ck_assert_str_eq(S.model->targets[0].tpgs[0].acls[0].initiator, KVM2);
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].acls[0].mapped[0].tpg_lun, 1);
	/* a member never asks the group itself */
	ck_assert_uint_eq(grp.proposed, 0);
}
END_TEST

START_TEST(tpg_settings_and_discovery_auth_go_to_the_group)
{
	ck_assert_int_eq(greq("set", TPG, "{\"group\": \"attribute\", \"nopin_interval\": 9}"), 0);
	ck_assert_uint_eq(grp.proposed, 1);
	ck_assert_ptr_nonnull(strstr(grp.doc, "nopin_interval = 9"));
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].attrs.nopin_interval_s, 9);
	ck_assert_int_eq(greq("set", TPG, "{\"group\": \"parameter\", \"MaxBurstLength\": 131072}"),
			 0);
	ck_assert_uint_eq(grp.proposed, 2);
	ck_assert_ptr_nonnull(strstr(grp.doc, "MaxBurstLength = 131072"));
	ck_assert_int_eq(greq("set", TPG, "{\"group\": \"auth\", \"chap_algorithms\": \"SHA256\"}"),
			 0);
	ck_assert_uint_eq(grp.proposed, 3);
	ck_assert_ptr_nonnull(strstr(grp.doc, "chap_algorithms"));
	ck_assert_int_eq(greq("set", "/iscsi",
			      "{\"group\": \"discovery_auth\", \"userid\": \"disc\", \"password\": \"discovery-secret\"}"),
			 0);
	ck_assert_uint_eq(grp.proposed, 4);
	ck_assert_ptr_nonnull(strstr(grp.doc, "discovery-secret"));
	ck_assert_str_eq(S.model->discovery_auth.userid, "disc");
	ck_assert_uint_eq(S.replaced, 4);

	/* refused by the group: served nowhere, this gateway included */
	grp.rc = -EBUSY;
	snprintf(grp.why, sizeof(grp.why), "gateway gw-b refused the change: no; nothing changed");
	ck_assert_int_eq(greq("set", TPG, "{\"group\": \"attribute\", \"nopin_interval\": 11}"),
			 -EBUSY);
	ck_assert_uint_eq(grp.proposed, 5);
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].attrs.nopin_interval_s, 9);
	ck_assert_int_eq(greq("set", "/iscsi", "{\"group\": \"discovery_auth\", \"enable\": false}"),
			 -EBUSY);
	ck_assert_str_eq(S.model->discovery_auth.userid, "disc");
	ck_assert_uint_eq(S.replaced, 4);

	/* the TPG's alua is this gateway's own port group: not the group's */
	grp.rc = 0;
	ck_assert_int_eq(greq("set", TPG, "{\"group\": \"alua\", \"preferred\": true}"), 0);
	ck_assert_uint_eq(grp.proposed, 6);
	ck_assert_uint_eq(S.replaced, 5);
}
END_TEST

START_TEST(two_tpgs_refused)
{
	ck_assert_int_eq(greq("create", "/iscsi/" TGT, "{\"tag\": 2}"), -EOPNOTSUPP);
	/* a second TPG made in the file: whose settings would the group share? */
	S.model->shared.group[0] = '\0';
	ck_assert_int_eq(greq("create", "/iscsi/" TGT, "{\"tag\": 2}"), 0);
	snprintf(S.model->shared.group, sizeof(S.model->shared.group), "store1");
	ck_assert_int_eq(greq("set", TPG, "{\"group\": \"attribute\", \"nopin_interval\": 9}"),
			 -EOPNOTSUPP);
	ck_assert_msg(strstr(R.message, "has 2 TPGs"), "%s", R.message);
	ck_assert_uint_eq(grp.proposed, 0);
}
END_TEST

START_TEST(member_checks_tpg_settings)
{
	/* RFC 7143 §13.14 as the file checks it; and CHAP required of an ACL without credentials */
	static const char burst[] =
		"iscsi = { };\n"
		"targets = ( { iqn = \"" TGT "\"; tpg = { parameters = { MaxBurstLength = 8192;\n"
		"  FirstBurstLength = 65536; }; }; acls = ( { initiator = \"" KVM1 "\"; } ); } );\n";
	static const char auth[] =
		"targets = ( { iqn = \"" TGT "\"; tpg = { attributes = { authentication = true; }; };\n"
		"  acls = ( { initiator = \"" KVM1 "\"; } ); } );\n";
	static const char good[] =
		"iscsi = { discovery_auth = { userid = \"disc\"; password = \"discovery-secret\"; }; };\n"
		"targets = ( { iqn = \"" TGT "\"; tpg = { attributes = { nopin_interval = 4; }; };\n"
		"  acls = ( { initiator = \"" KVM1 "\"; } ); } );\n";
	char err[512] = "";

	ck_assert_int_eq(ctl_ops_gconf_apply(&G, burst, strlen(burst), false, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "FirstBurstLength"), "%s", err);
	ck_assert_int_eq(ctl_ops_gconf_apply(&G, auth, strlen(auth), false, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "authentication = true"), "%s", err);
	ck_assert_uint_eq(S.replaced, 0);
	ck_assert_int_eq(ctl_ops_gconf_apply(&G, good, strlen(good), true, err, sizeof(err)), 0);
	ck_assert_uint_eq(S.replaced, 1);
	ck_assert_uint_eq(S.model->targets[0].tpgs[0].attrs.nopin_interval_s, 4);
	ck_assert_str_eq(S.model->discovery_auth.userid, "disc");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("ctl_gconf");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, gsetup, gteardown);
	tcase_add_test(tc, acl_change_goes_to_the_group);
	tcase_add_test(tc, refused_by_the_group_not_served);
	tcase_add_test(tc, unshared_changes_refused);
	tcase_add_test(tc, local_change_not_shown_to_the_group);
	tcase_add_test(tc, member_checks_then_serves);
	tcase_add_test(tc, tpg_settings_and_discovery_auth_go_to_the_group);
	tcase_add_test(tc, two_tpgs_refused);
	tcase_add_test(tc, member_checks_tpg_settings);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)
