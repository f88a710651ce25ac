/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway group's shared configuration in the file's syntax:
 * shared_config read (and refused with the file's line when wrong), saved
 * back to the same model; the shared document taken out of one gateway's
 * tree and put into another's, whose TPGs all get the ACLs, the TPG
 * settings and the rbd LUNs (with their backstores, this gateway's own
 * keys added) while its own portals, tags, alua and other LUNs stay;
 * discovery_auth likewise; a document of before leaves them alone.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "target/model/config.h"
#include "target/model/config_shared.h"
#include "tests/unit/check_main.h"

#define TGT "iqn.2026-12.org.example:vmstore"
#define KVM1 "iqn.2026-12.org.example:kvm1"
#define KVM2 "iqn.2026-12.org.example:kvm2"

static const char gw_a[] =
	"shared_config = { group = \"store1\"; gateway = \"gw-a\"; ceph_conf = \"/etc/ceph/x.conf\"; };\n"
	"backstores = ( { name = \"n0\"; type = \"null\"; size = \"1G\"; },\n"
	"               { name = \"n1\"; type = \"null\"; size = \"1G\"; } );\n"
	"targets = ( { iqn = \"" TGT "\"; tpgs = ( { tag = 1; portals = [ \"127.0.0.1:3260\" ];\n"
	"  luns = ( { lun = 0; backstore = \"n0\"; }, { lun = 1; backstore = \"n1\"; } );\n"
	"  acls = ( { initiator = \"" KVM1 "\"; mapped_luns = ( { lun = 0; tpg_lun = 1; } );\n"
	"             userid = \"kvm1\"; password = \"secret-of-12\"; } ); } ); } );\n";

/* gateway B: its own tag and portal, two TPGs, another ACL, and a target A does not have */
static const char gw_b[] =
	"shared_config = { group = \"store1\"; gateway = \"gw-b\"; timeout_ms = 2000; };\n"
	"backstores = ( { name = \"n0\"; type = \"null\"; size = \"1G\"; },\n"
	"               { name = \"n1\"; type = \"null\"; size = \"1G\"; } );\n"
	"targets = ( { iqn = \"" TGT "\"; tpgs = (\n"
	"  { tag = 2; portals = [ \"127.0.0.2:3260\" ];\n"
	"    luns = ( { lun = 0; backstore = \"n0\"; }, { lun = 1; backstore = \"n1\"; } );\n"
	"    acls = ( { initiator = \"" KVM2 "\"; } ); },\n"
	"  { tag = 3; luns = ( { lun = 0; backstore = \"n0\"; }, { lun = 1; backstore = \"n1\"; } ); } ); },\n"
	"  { iqn = \"iqn.2026-12.org.example:other\"; tpgs = ( { tag = 2;\n"
	"    acls = ( { initiator = \"" KVM2 "\"; } ); } ); } );\n";

static struct obj_model *parse(const char *text)
{
	struct cfg_err err = { { 0 } };
	struct obj_model *m = NULL;

	ck_assert_msg(config_parse_string(text, &m, &err) == 0, "%s", err.msg);
	return m;
}

START_TEST(shared_config_read_and_saved)
{
	struct obj_model *a = parse(gw_a), *b = parse(gw_b), *again;
	struct cfg_err err = { { 0 } };
	config_t cfg;
	char *text = NULL;
	size_t len;
	FILE *f;

	ck_assert_str_eq(a->shared.group, "store1");
	ck_assert_str_eq(a->shared.gateway, "gw-a");
	ck_assert_str_eq(a->shared.pool, "rbd");
	ck_assert_str_eq(a->shared.ceph_conf, "/etc/ceph/x.conf");
	ck_assert_uint_eq(a->shared.timeout_ms, CONFIG_SHARED_TIMEOUT_MS_DEFAULT);
	ck_assert_uint_eq(b->shared.timeout_ms, 2000);
	/* saved and read back: the same model */
	config_init(&cfg);
	ck_assert_int_eq(config_build(b, &cfg), 0);
	f = open_memstream(&text, &len);
	config_write(&cfg, f);
	fclose(f);
	config_destroy(&cfg);
	ck_assert_msg(config_parse_string(text, &again, &err) == 0, "%s", err.msg);
	ck_assert(obj_model_equal(b, again, NULL, 0));
	ck_assert_str_eq(again->shared.gateway, "gw-b");
	free(text);
	obj_model_free(again);
	obj_model_free(a);
	obj_model_free(b);
	/* not in a group */
	a = parse("io_threads = 1;\n");
	ck_assert_str_eq(a->shared.group, "");
	obj_model_free(a);
}
END_TEST

START_TEST(shared_config_mistakes)
{
	static const char *const bad[] = {
		"shared_config = { gateway = \"gw-a\"; };\n",
		"shared_config = { group = \"store 1\"; gateway = \"gw-a\"; };\n",
		"shared_config = { group = \"s\"; gateway = \"gw/a\"; };\n",
		"shared_config = { group = \"s\"; gateway = \"gw-a\"; timeout_ms = 5; };\n",
		"shared_config = { group = \"s\"; gateway = \"gw-a\"; colour = \"red\"; };\n",
		"shared_config = \"store1\";\n",
	};
	struct obj_model *m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cfg_err err = { { 0 } };

		m = NULL;
		ck_assert_msg(config_parse_string(bad[i], &m, &err) == -EINVAL, "%s", bad[i]);
		ck_assert_msg(strstr(err.msg, "line 1: "), "no line in '%s'", err.msg);
		ck_assert_ptr_null(m);
	}
}
END_TEST

/* The served model's tree, as a change starts from. */
static void tree(const char *text, config_t *cfg)
{
	struct obj_model *m = parse(text);

	config_init(cfg);
	ck_assert_int_eq(config_build(m, cfg), 0);
	obj_model_free(m);
}

START_TEST(document_from_a_into_b)
{
	struct cfg_err err = { { 0 } };
	struct obj_model *m = NULL;
	config_t a, b;
	char *doc, *doc2;
	size_t len, len2;

	tree(gw_a, &a);
	ck_assert_int_eq(config_shared_extract(&a, NULL, 0, &doc, &len, &err), 0);
	ck_assert_uint_eq(strlen(doc), len);
	ck_assert_ptr_nonnull(strstr(doc, KVM1));
	ck_assert_ptr_nonnull(strstr(doc, "kvm1")); /* the CHAP name with it */
	ck_assert_ptr_null(strstr(doc, "portals"));
	ck_assert_ptr_null(strstr(doc, "\"n0\"")); /* a null store is one machine's */
	/* the same tree gives the same text: a change that leaves ACLs alone is seen as such */
	ck_assert_int_eq(config_shared_extract(&a, doc, len, &doc2, &len2, &err), 0);
	ck_assert_str_eq(doc, doc2);
	free(doc2);

	tree(gw_b, &b);
	ck_assert_int_eq(config_shared_apply(&b, doc, len, &err), 0);
	ck_assert_msg(config_parse_cfg(&b, "", &m, &err) == 0, "%s", err.msg);
	/* both of B's TPGs of the target serve A's ACL (CHAP too); B's own ACL is gone */
	ck_assert_uint_eq(m->targets[0].ntpgs, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct obj_tpg *tpg = &m->targets[0].tpgs[i];

		ck_assert_uint_eq(tpg->nacls, 1);
		ck_assert_str_eq(tpg->acls[0].initiator, KVM1);
		ck_assert_str_eq(tpg->acls[0].chap.userid, "kvm1");
		ck_assert_uint_eq(tpg->acls[0].nmapped, 1);
		ck_assert_uint_eq(tpg->acls[0].mapped[0].tpg_lun, 1);
	}
	ck_assert_uint_eq(m->targets[0].tpgs[0].tag, 2);
	ck_assert_str_eq(m->targets[0].tpgs[0].portals[0].text, "127.0.0.2:3260");
	/* the target the document does not name keeps its own */
	ck_assert_str_eq(m->targets[1].tpgs[0].acls[0].initiator, KVM2);
	ck_assert_str_eq(m->shared.gateway, "gw-b");
	obj_model_free(m);

	/* B's document on top of A's: A's target as B now has it, and B's other target added */
	ck_assert_int_eq(config_shared_extract(&b, doc, len, &doc2, &len2, &err), 0);
	ck_assert_ptr_nonnull(strstr(doc2, "iqn.2026-12.org.example:other"));
	ck_assert_ptr_nonnull(strstr(doc2, KVM1));
	free(doc2);
	free(doc);
	config_destroy(&a);
	config_destroy(&b);
}
END_TEST

START_TEST(document_mistakes)
{
	struct cfg_err err = { { 0 } };
	config_t a;
	char *doc = NULL;
	size_t len;

	tree(gw_a, &a);
	ck_assert_int_eq(config_shared_apply(&a, "targets = ( {", 13, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not parse"));
	ck_assert_int_eq(config_shared_extract(&a, "x = ", 4, &doc, &len, &err), -EINVAL);
	ck_assert_ptr_null(doc);
	config_destroy(&a);
}
END_TEST

START_TEST(document_refused_by_parse)
{
	static const char doc[] = "targets = ( { iqn = \"" TGT "\"; acls = ( { initiator = \"" KVM1
				  "\"; mapped_luns = ( { lun = 0; tpg_lun = 7; } ); } ); } );\n";
	struct cfg_err err = { { 0 } };
	struct obj_model *m = NULL;
	config_t b;

	tree(gw_b, &b);
	ck_assert_int_eq(config_shared_apply(&b, doc, strlen(doc), &err), 0);
	ck_assert_int_eq(config_parse_cfg(&b, "", &m, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "7"));
	config_destroy(&b);
}
END_TEST

/* gateway A with TPG settings and discovery CHAP; B with its own on two TPGs, and its own alua */
static const char gw_a_set[] =
	"shared_config = { group = \"store1\"; gateway = \"gw-a\"; };\n"
	"discovery_auth = { userid = \"disc\"; password = \"discovery-secret\"; };\n"
	"backstores = ( { name = \"n0\"; type = \"null\"; size = \"1G\"; } );\n"
	"targets = ( { iqn = \"" TGT "\"; tpgs = ( { tag = 1; portals = [ \"127.0.0.1:3260\" ];\n"
	"  luns = ( { lun = 0; backstore = \"n0\"; } );\n"
	"  allowed_addresses = [ \"192.0.2.0/24\" ];\n"
	"  attributes = { authentication = true; nopin_interval = 7; };\n"
	"  parameters = { MaxBurstLength = 65536; FirstBurstLength = 65536; };\n"
	"  auth = { chap_algorithms = \"SHA256\"; };\n"
	"  alua = { state = \"active_optimized\"; };\n"
	"  acls = ( { initiator = \"" KVM1 "\"; userid = \"kvm1\"; password = \"secret-of-12\"; } );\n"
	"} ); } );\n";

static const char gw_b_set[] =
	"shared_config = { group = \"store1\"; gateway = \"gw-b\"; };\n"
	"backstores = ( { name = \"n0\"; type = \"null\"; size = \"1G\"; } );\n"
	"targets = ( { iqn = \"" TGT "\"; tpgs = (\n"
	"  { tag = 2; portals = [ \"127.0.0.2:3260\" ]; luns = ( { lun = 0; backstore = \"n0\"; } );\n"
	"    attributes = { default_cmdsn_depth = 16; };\n"
	"    parameters = { ImmediateData = false; };\n"
	"    alua = { state = \"active_non_optimized\"; }; },\n"
	"  { tag = 3; parameters = { DefaultTime2Wait = 9; }; } ); } );\n";

/* The document of the tree of text. */
static char *doc_of(const char *text, size_t *len)
{
	struct cfg_err err = { { 0 } };
	config_t c;
	char *doc = NULL;

	tree(text, &c);
	ck_assert_int_eq(config_shared_extract(&c, NULL, 0, &doc, len, &err), 0);
	config_destroy(&c);
	return doc;
}

/* text with doc put in, parsed as the file would be. */
static struct obj_model *applied(const char *text, const char *doc, size_t len)
{
	struct cfg_err err = { { 0 } };
	struct obj_model *m = NULL;
	config_t c;

	tree(text, &c);
	ck_assert_int_eq(config_shared_apply(&c, doc, len, &err), 0);
	ck_assert_msg(config_parse_cfg(&c, "", &m, &err) == 0, "%s", err.msg);
	config_destroy(&c);
	return m;
}

START_TEST(document_tpg_settings_and_discovery_auth)
{
	static const char old_doc[] = "targets = ( { iqn = \"" TGT "\"; acls = ( ); } );\n";
	struct obj_model *m, *b = parse(gw_b_set);
	size_t len;
	char *doc = doc_of(gw_a_set, &len);

	ck_assert_ptr_nonnull(strstr(doc, "discovery-secret"));
	ck_assert_ptr_nonnull(strstr(doc, "192.0.2.0"));
	/* the gateway's own: its port group, its tag, its portals */
	ck_assert_ptr_null(strstr(doc, "alua"));
	ck_assert_ptr_null(strstr(doc, "active_optimized"));
	ck_assert_ptr_null(strstr(doc, "tag"));
	ck_assert_ptr_null(strstr(doc, "127.0.0.1"));

	m = applied(gw_b_set, doc, len);
	ck_assert_str_eq(m->discovery_auth.userid, "disc");
	ck_assert_uint_eq(m->targets[0].ntpgs, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct obj_tpg *tpg = &m->targets[0].tpgs[i];

		ck_assert(tpg->attrs.authentication);
		ck_assert_uint_eq(tpg->attrs.nopin_interval_s, 7);
		/* what A's TPG does not set is the default on B too, not B's own value */
		ck_assert_uint_ne(tpg->attrs.default_cmdsn_depth, 16);
		ck_assert(tpg->params.immediate_data);
		ck_assert_uint_eq(tpg->params.default_time2wait, 2);
		ck_assert_uint_eq(tpg->params.max_burst, 65536);
		ck_assert_uint_ne(tpg->auth.chap_algorithms, 0);
		ck_assert_uint_eq(tpg->allowed.n, 1);
		ck_assert_uint_eq(tpg->nacls, 1);
	}
	/* B's own port group state, tags and portals stay */
	ck_assert_uint_eq(m->targets[0].tpgs[0].alua.state, b->targets[0].tpgs[0].alua.state);
	ck_assert_uint_eq(m->targets[0].tpgs[0].tag, 2);
	ck_assert_uint_eq(m->targets[0].tpgs[1].tag, 3);
	ck_assert_str_eq(m->targets[0].tpgs[0].portals[0].text, "127.0.0.2:3260");
	obj_model_free(m);
	free(doc);

	/* A without any of them: B loses its own too (discovery without CHAP, defaults) */
	doc = doc_of(gw_b_set, &len);
	ck_assert_ptr_nonnull(strstr(doc, "iscsi"));
	m = applied(gw_a_set, doc, len);
	ck_assert_str_eq(m->discovery_auth.userid, "");
	ck_assert(!m->targets[0].tpgs[0].attrs.authentication);
	ck_assert_uint_eq(m->targets[0].tpgs[0].attrs.default_cmdsn_depth, 16);
	ck_assert(!m->targets[0].tpgs[0].params.immediate_data);
	ck_assert_uint_eq(m->targets[0].tpgs[0].allowed.n, 0);
	ck_assert_uint_eq(m->targets[0].tpgs[0].auth.chap_algorithms, 0);
	ck_assert_uint_eq(m->targets[0].tpgs[0].nacls, 0);
	obj_model_free(m);
	free(doc);

	/* a document stored before these were shared leaves each gateway's own */
	m = applied(gw_a_set, old_doc, strlen(old_doc));
	ck_assert_str_eq(m->discovery_auth.userid, "disc");
	ck_assert(m->targets[0].tpgs[0].attrs.authentication); /* no ACL left to need CHAP */
	ck_assert_uint_eq(m->targets[0].tpgs[0].params.max_burst, 65536);
	ck_assert_uint_eq(m->targets[0].tpgs[0].allowed.n, 1);
	obj_model_free(m);
	obj_model_free(b);
}
END_TEST

/* A: an rbd LUN (the group's) and a null one (A's own) */
static const char gw_a_rbd[] =
	"shared_config = { group = \"store1\"; gateway = \"gw-a\"; ceph_conf = \"/etc/ceph/a.conf\"; };\n"
	"backstores = ( { name = \"vm1\"; type = \"rbd\"; path = \"rbd/vm1\"; size = \"1G\";\n"
	"                 ceph_conf = \"/etc/ceph/a.conf\"; ceph_client = \"porta\"; readonly = true;\n"
	"                 gateway_group = \"g1\"; gateway_name = \"gw-a\"; },\n"
	"               { name = \"n0\"; type = \"null\"; size = \"1G\"; } );\n"
	"targets = ( { iqn = \"" TGT "\"; tpgs = ( { tag = 1;\n"
	"  luns = ( { lun = 0; backstore = \"vm1\"; }, { lun = 1; backstore = \"n0\"; } ); } ); } );\n";

/* B: its own null LUN 3, no vm1 yet */
static const char gw_b_rbd[] =
	"shared_config = { group = \"store1\"; gateway = \"gw-b\"; ceph_conf = \"/etc/ceph/b.conf\";\n"
	"                  ceph_client = \"portb\"; };\n"
	"backstores = ( { name = \"n0\"; type = \"null\"; size = \"1G\"; } );\n"
	"targets = ( { iqn = \"" TGT "\"; tpgs = ( { tag = 2;\n"
	"  luns = ( { lun = 3; backstore = \"n0\"; } ); } ); } );\n";

START_TEST(document_rbd_luns)
{
	static const char clash[] =
		"shared_config = { group = \"store1\"; gateway = \"gw-b\"; };\n"
		"backstores = ( { name = \"vm1\"; type = \"null\"; size = \"1G\"; } );\n"
		"targets = ( { iqn = \"" TGT "\"; tpgs = ( { tag = 2; } ); } );\n";
	static const char has[] =
		"shared_config = { group = \"store1\"; gateway = \"gw-b\"; };\n"
		"backstores = ( { name = \"vm1\"; type = \"rbd\"; path = \"rbd/vm1\";\n"
		"                 ceph_conf = \"/etc/ceph/b2.conf\"; } );\n"
		"targets = ( { iqn = \"" TGT "\"; tpgs = ( { tag = 2; } ); } );\n";
	struct cfg_err err = { { 0 } };
	const struct obj_backstore *bs;
	struct obj_model *m;
	config_t a, b;
	char *doc, *doc2;
	size_t len, len2;

	doc = doc_of(gw_a_rbd, &len);
	ck_assert_ptr_nonnull(strstr(doc, "rbd/vm1"));
	ck_assert_ptr_nonnull(strstr(doc, "g1"));
	/* A's own: its cluster configuration, client and name, the null store */
	ck_assert_ptr_null(strstr(doc, "a.conf"));
	ck_assert_ptr_null(strstr(doc, "porta"));
	ck_assert_ptr_null(strstr(doc, "gw-a"));
	ck_assert_ptr_null(strstr(doc, "\"n0\""));

	m = applied(gw_b_rbd, doc, len);
	bs = obj_find_backstore(m, "vm1");
	ck_assert_ptr_nonnull(bs);
	ck_assert_str_eq(bs->type, "rbd");
	ck_assert_str_eq(bs->path, "rbd/vm1");
	ck_assert_str_eq(bs->ceph_conf, "/etc/ceph/b.conf");
	ck_assert_str_eq(bs->ceph_client, "portb");
	ck_assert_str_eq(bs->gateway_group, "g1");
	ck_assert_str_eq(bs->gateway_name, "gw-b");
	ck_assert(bs->params.readonly);
	ck_assert_uint_eq(m->targets[0].tpgs[0].nluns, 2);
	ck_assert_uint_eq(m->targets[0].tpgs[0].luns[0].lun, 0);
	ck_assert_str_eq(m->targets[0].tpgs[0].luns[0].bs->name, "vm1");
	ck_assert_uint_eq(m->targets[0].tpgs[0].luns[1].lun, 3); /* B's own stays */
	obj_model_free(m);

	/* LUN 0 deleted on A: gone on B, the image no longer in the document, B's LUN 3 kept */
	tree(gw_a_rbd, &a);
	config_setting_remove_elem(config_lookup(&a, "targets.[0].tpgs.[0].luns"), 0);
	ck_assert_int_eq(config_shared_extract(&a, doc, len, &doc2, &len2, &err), 0);
	ck_assert_ptr_null(strstr(doc2, "rbd/vm1"));
	tree(gw_b_rbd, &b);
	ck_assert_int_eq(config_shared_apply(&b, doc, len, &err), 0);
	ck_assert_int_eq(config_shared_apply(&b, doc2, len2, &err), 0);
	m = NULL;
	ck_assert_msg(config_parse_cfg(&b, "", &m, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(m->targets[0].tpgs[0].nluns, 1);
	ck_assert_uint_eq(m->targets[0].tpgs[0].luns[0].lun, 3);
	obj_model_free(m);
	/* a TPG left with no LUN has no list, as the file would say it */
	config_destroy(&b);
	tree(has, &b);
	ck_assert_int_eq(config_shared_apply(&b, doc, len, &err), 0);
	ck_assert_ptr_nonnull(config_lookup(&b, "targets.[0].tpgs.[0].luns"));
	ck_assert_int_eq(config_shared_apply(&b, doc2, len2, &err), 0);
	ck_assert_ptr_null(config_lookup(&b, "targets.[0].tpgs.[0].luns"));
	config_destroy(&a);
	config_destroy(&b);
	free(doc2);

	/* B has the image already: the group's settings of it, B's own cluster configuration,
	 * and B's name in the owner's group the image is now in */
	m = applied(has, doc, len);
	bs = obj_find_backstore(m, "vm1");
	ck_assert(bs->params.readonly);
	ck_assert_str_eq(bs->ceph_conf, "/etc/ceph/b2.conf");
	ck_assert_str_eq(bs->gateway_name, "gw-b");
	ck_assert_str_eq(bs->gateway_group, "g1");
	obj_model_free(m);

	/* a store of another kind by the image's name: refused, naming both */
	tree(clash, &b);
	ck_assert_int_eq(config_shared_apply(&b, doc, len, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "'vm1'") && strstr(err.msg, "rbd/vm1"), "%s", err.msg);
	config_destroy(&b);
	free(doc);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("config_shared");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, shared_config_read_and_saved);
	tcase_add_test(tc, shared_config_mistakes);
	tcase_add_test(tc, document_from_a_into_b);
	tcase_add_test(tc, document_mistakes);
	tcase_add_test(tc, document_refused_by_parse);
	tcase_add_test(tc, document_tpg_settings_and_discovery_auth);
	tcase_add_test(tc, document_rbd_luns);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)
