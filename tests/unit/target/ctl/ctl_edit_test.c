/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The editor's verbs (ctl_edit.c) through ctl_ops_handle(): every row of
 * the settings tables is taken by `set`, reaches the model, shows in `get`
 * (the tree) and goes back to its default when set empty; and what a
 * delete removes from the configuration tree is found by its key, however
 * the model orders its arrays.
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "target/backstore/bs_kind.h"
#include "target/model/obj_settings.h"
#include "tests/unit/target/ctl/ctl_req.h"
#include "tests/unit/check_main.h"

#define ACL TPG "/acls/" KVM1

/* What a table's settings are set at: the node, the group `set` names, the object. */
struct where {
	const struct obj_settings *t;
	const char *path;
	const char *group;
	void *(*object)(struct obj_model *m);
};

static void *tpg_attrs(struct obj_model *m)
{
	return &m->targets[0].tpgs[0].attrs;
}

static void *tpg_params(struct obj_model *m)
{
	return &m->targets[0].tpgs[0].params;
}

static void *tpg_auth(struct obj_model *m)
{
	return &m->targets[0].tpgs[0].auth;
}

static void *tpg_alua(struct obj_model *m)
{
	return &m->targets[0].tpgs[0].alua;
}

static void *acl_chap(struct obj_model *m)
{
	return &m->targets[0].tpgs[0].acls[0].chap;
}

static void *discovery_chap(struct obj_model *m)
{
	return &m->discovery_auth;
}

static const struct where places[] = {
	{ &obj_tpg_attr_settings, TPG, "attribute", tpg_attrs },
	{ &obj_tpg_param_settings, TPG, "parameter", tpg_params },
	{ &obj_tpg_auth_settings, TPG, "auth", tpg_auth },
	{ &obj_tpg_alua_settings, TPG, "alua", tpg_alua },
	{ &obj_chap_settings, ACL, "auth", acl_chap },
	{ &obj_discovery_auth_settings, "/iscsi", "discovery_auth", discovery_chap },
};

/* Whether r is a CHAP credential (a name or a secret, which go in pairs). */
static bool credential(const struct obj_setting *r)
{
	return r->type == OBJ_SETTING_NAME || r->type == OBJ_SETTING_SECRET;
}

/* Row i of all the places together. */
static const struct obj_setting *row_at(size_t i, const struct where **w)
{
	for (size_t k = 0; k < ARRAY_SIZE(places); k++) {
		if (i < places[k].t->n) {
			*w = &places[k];
			return &places[k].t->rows[i];
		}
		i -= places[k].t->n;
	}
	return NULL;
}

static int nrows(void)
{
	size_t n = 0;

	for (size_t k = 0; k < ARRAY_SIZE(places); k++)
		n += places[k].t->n;
	return (int)n;
}

/* A value of r other than its default, as `set` takes it. */
static void other_value(const struct obj_setting *r, char *buf, size_t len)
{
	static const char *const chap[OBJ_CHAP__COUNT] = { "user-one", "secret-one-12", "user-two",
							   "secret-two-12" };

	switch (r->type) {
	case OBJ_SETTING_BOOL:
	case OBJ_SETTING_YESNO:
		snprintf(buf, len, "%s", r->def ? "false" : "true");
		break;
	case OBJ_SETTING_UINT:
		snprintf(buf, len, "%u",
			 r->def > r->min ? r->min + (r->def - r->min) / 2 :
					   r->def + (r->max - r->def) / 2);
		break;
	case OBJ_SETTING_DIGEST:
		snprintf(buf, len, "CRC32C");
		break;
	case OBJ_SETTING_NAME:
	case OBJ_SETTING_SECRET:
		snprintf(buf, len, "%s", chap[r - obj_chap_settings.rows]);
		break;
	case OBJ_SETTING_CHAP_ALGS:
		/* as the tree writes it back: strongest first */
		snprintf(buf, len, "SHA256,MD5");
		break;
	case OBJ_SETTING_CHOICE:
		/* the last name: the default is the first */
		snprintf(buf, len, "%s", r->choices[r->nchoices - 1].name);
		break;
	}
}

/* The CHAP credentials that go with r's in one `set` (they go in pairs), as JSON members. */
static void pair_of(const struct obj_setting *r, char *buf, size_t len)
{
	char v[64];
	size_t i = (size_t)(r - obj_chap_settings.rows) & ~(size_t)1;
	const struct obj_setting *name = &obj_chap_settings.rows[i], *secret = name + 1;

	buf[0] = '\0';
	if (!credential(r)) {
		/* chap_algorithms: discovery_auth needs credentials to be there at all */
		name = &obj_chap_settings.rows[OBJ_CHAP_USERID];
		other_value(name, v, sizeof(v));
		snprintf(buf, len, ", \"userid\": \"%s\"", v);
		other_value(name + 1, v, sizeof(v));
		snprintf(buf + strlen(buf), len - strlen(buf), ", \"password\": \"%s\"", v);
		return;
	}
	if (name->mutual) {
		/* mutual credentials need the initiator's own */
		other_value(&obj_chap_settings.rows[OBJ_CHAP_USERID], v, sizeof(v));
		snprintf(buf + strlen(buf), len - strlen(buf), ", \"userid\": \"%s\"", v);
		other_value(&obj_chap_settings.rows[OBJ_CHAP_PASSWORD], v, sizeof(v));
		snprintf(buf + strlen(buf), len - strlen(buf), ", \"password\": \"%s\"", v);
	}
	other_value(r == name ? secret : name, v, sizeof(v));
	snprintf(buf + strlen(buf), len - strlen(buf), ", \"%s\": \"%s\"",
		 (r == name ? secret : name)->key, v);
}

/* The props group of the node at path that holds the settings of group. */
static struct json_object *props_group(const char *path, const char *group)
{
	struct json_object *props, *g;

	ok("get", path, "{\"depth\": \"0\"}");
	ck_assert(json_object_object_get_ex(R.result, "props", &props));
	ck_assert_msg(json_object_object_get_ex(props, group, &g), "%s: no group %s", path, group);
	return g;
}

/* A target with tpg1, and an ACL for kvm1 (which authentication = true would want CHAP of). */
static void basic(bool acl)
{
	ok("create", "/iscsi", "{\"_1\": \"" TGT "\"}");
	if (acl)
		ok("create", TPG "/acls", "{\"_1\": \"" KVM1 "\"}");
}

START_TEST(every_row_through_set)
{
	const struct where *w = NULL;
	const struct obj_setting *r = row_at((size_t)_i, &w);
	char args[512], value[64], line[160], key[64], pair[256] = "";
	struct json_object *g, *v;

	basic(w->object == acl_chap);
	other_value(r, value, sizeof(value));
	if (w->object == tpg_auth && credential(r)) {
		/* a TPG's auth is its ACLs' policy: credentials are theirs */
		snprintf(args, sizeof(args), "{\"_1\": \"auth\", \"%s\": \"%s\"}", r->key, value);
		refused("set", TPG, args, -EINVAL, "CHAP credentials belong to an ACL or to discovery");
		return;
	}
	if (w->object == discovery_chap || (w->object == acl_chap && credential(r)))
		pair_of(r, pair, sizeof(pair));
	snprintf(args, sizeof(args), "{\"_1\": \"%s\", \"%s\": \"%s\"%s}", w->group, r->key, value,
		 pair);
	ok("set", w->path, args);
	if (r->type == OBJ_SETTING_SECRET)
		snprintf(line, sizeof(line), "Parameter %s is now set.", r->key);
	else
		snprintf(line, sizeof(line), "Parameter %s is now '%s'.", r->key, value);
	ck_assert_msg(said(line), "%s", line);
	ck_assert(!obj_setting_is_default(r, w->object(S.model)));

	/* the tree shows it, a secret only as whether it is set */
	g = props_group(w->path, w->group);
	snprintf(key, sizeof(key), r->type == OBJ_SETTING_SECRET ? "%s_set" : "%s", r->key);
	ck_assert_msg(json_object_object_get_ex(g, key, &v), "%s: no %s", w->path, key);
	if (r->type == OBJ_SETTING_SECRET)
		ck_assert(json_object_get_boolean(v));
	else
		ck_assert_str_eq(json_object_get_string(v), value);

	/* empty: the default again (CHAP credentials: the whole pair, or the parser would refuse) */
	if (credential(r))
		return;
	snprintf(args, sizeof(args), "{\"_1\": \"%s\", \"%s\": \"\"}", w->group, r->key);
	ok("set", w->path, args);
	snprintf(line, sizeof(line), "Parameter %s is now unset.", r->key);
	ck_assert(said(line));
	ck_assert(obj_setting_is_default(r, w->object(S.model)));
}
END_TEST

START_TEST(unknown_keys_are_named)
{
	basic(false);
	refused("set", TPG, "{\"_1\": \"parameter\", \"MaxBurst\": \"1\"}", -EINVAL,
		"takes no argument 'MaxBurst' (it takes: MaxRecvDataSegmentLength, ");
	refused("set", TPG, "{\"_1\": \"attribute\", \"InitialR2T\": \"true\"}", -EINVAL,
		"(it takes: allowed_addresses, generate_node_acls, ");
	/* the whole list, closed; "group" is set's first word, not a key */
	refused("set", "/iscsi", "{\"_1\": \"discovery_auth\", \"initiator\": \"x\"}", -EINVAL,
		"(it takes: enable, userid, password, mutual_userid, mutual_password, chap_algorithms)");
	ck_assert_msg(!strstr(R.message, "group"), "'%s' names group", R.message);
	ck_assert_msg(R.message[strlen(R.message) - 1] == ')', "'%s' is not closed", R.message);
}
END_TEST

/*
 * Deletes find what they remove by key: targets, ACLs and mapped LUNs
 * made out of order, LUNs and portals in the middle of their lists.
 */
START_TEST(deletes_find_by_key)
{
	const struct obj_tpg *tpg;
	const struct obj_acl *acl;

	ok("create", "/backstores/null", "{\"name\": \"N0\", \"size\": \"1M\"}");
	ok("create", "/iscsi", "{\"_1\": \"iqn.2026-11.org.example:zz\"}");
	basic(true);
	ok("create", "/iscsi/" TGT, "{\"tag\": \"5\"}");
	ok("create", TPG "/portals", "{\"_1\": \"127.0.0.1\", \"_2\": \"3260\"}");
	ok("create", TPG "/portals", "{\"_1\": \"127.0.0.2\", \"_2\": \"3260\"}");
	ok("create", TPG "/portals", "{\"_1\": \"127.0.0.3\", \"_2\": \"3260\"}");
	for (int lun = 9; lun >= 0; lun -= 4) {
		char args[128];

		snprintf(args, sizeof(args), "{\"_1\": \"N0\", \"lun\": \"%d\"}", lun);
		ok("create", TPG "/luns", args);
	}
	ok("create", TPG "/acls", "{\"_1\": \"" KVM2 "\", \"add_mapped_luns\": \"false\"}");
	ok("create", TPG "/acls/" KVM2, "{\"mapped_lun\": \"3\", \"tpg_lun_or_backstore\": \"9\"}");
	ok("create", TPG "/acls/" KVM2, "{\"mapped_lun\": \"1\", \"tpg_lun_or_backstore\": \"5\"}");

	ok("delete", "/iscsi/" TGT "/tpg5", NULL);
	ok("delete", TPG "/portals/127.0.0.2:3260", NULL);
	ok("delete", TPG "/luns/lun5", NULL);
	ck_assert(said("Deleted Mapped LUN 1 of node ACL " KVM2 "."));
	ok("delete", TPG "/acls/" KVM1, NULL);
	ok("delete", "/iscsi/iqn.2026-11.org.example:zz", NULL);

	ck_assert_uint_eq(S.model->ntargets, 1);
	ck_assert_str_eq(S.model->targets[0].iqn, TGT);
	ck_assert_uint_eq(S.model->targets[0].ntpgs, 1);
	tpg = &S.model->targets[0].tpgs[0];
	ck_assert_uint_eq(tpg->tag, 1);
	ck_assert_uint_eq(tpg->nportals, 2);
	ck_assert_str_eq(tpg->portals[0].text, "127.0.0.1:3260");
	ck_assert_str_eq(tpg->portals[1].text, "127.0.0.3:3260");
	ck_assert_uint_eq(tpg->nluns, 2);
	ck_assert_uint_eq(tpg->luns[0].lun, 1);
	ck_assert_uint_eq(tpg->luns[1].lun, 9);
	ck_assert_uint_eq(tpg->nacls, 1);
	acl = &tpg->acls[0];
	ck_assert_str_eq(acl->initiator, KVM2);
	ck_assert_uint_eq(acl->nmapped, 1);
	ck_assert_uint_eq(acl->mapped[0].lun, 3);
	ck_assert_uint_eq(acl->mapped[0].tpg_lun, 9);
}
END_TEST

/*
 * A backstore through create and set attribute: every argument its kind
 * takes reaches the model and the tree's props; what it does not take is
 * refused, by create or by the parser.
 */
START_TEST(backstore_rows)
{
	const struct obj_backstore *b;
	struct json_object *props, *v;

	ok("create", "/backstores/null",
	   "{\"name\": \"N0\", \"size\": \"64M\", \"readonly\": \"true\", \"block_size\": \"4096\", "
	   "\"serial\": \"SER-N0\", \"naa\": \"0x3000000000000001\"}");
	b = &S.model->backstores[0];
	ck_assert_str_eq(b->type, "null");
	ck_assert_uint_eq(b->params.size, 64u << 20);
	ck_assert(b->params.readonly);
	ck_assert(!b->params.write_back);
	ck_assert_uint_eq(b->params.block_size, 4096);
	ck_assert_str_eq(b->id.serial, "SER-N0");
	ok("get", "/backstores/null/N0", NULL);
	ck_assert(json_object_object_get_ex(R.result, "props", &props));
	obj_bs_settings_foreach(r) {
		if (r->value == OBJ_BS_NAME || r->value == OBJ_BS_TYPE || r->value == OBJ_BS_PATH)
			continue;
		/* rbd's ceph_conf and ceph_client: not a null store's */
		if (r->value == OBJ_BS_TEXT && !obj_bs_setting_applies(r, bs_kind_find("null"))) {
			ck_assert_msg(!json_object_object_get_ex(props, r->key, &v), "prop %s",
				      r->key);
			continue;
		}
		ck_assert_msg(json_object_object_get_ex(props, r->key, &v), "no prop %s", r->key);
	}
	ck_assert(!json_object_object_get_ex(props, "dev", NULL));
	ck_assert(!json_object_object_get_ex(props, "file", NULL));
	ok("create", "/backstores/null", "{\"_1\": \"N1\", \"_2\": \"1M\"}");
	ck_assert_uint_eq(S.model->backstores[1].params.size, 1u << 20);
	refused("create", "/backstores/null", "{\"_1\": \"N2\", \"_2\": \"1M\", \"_3\": \"x\"}",
		-EINVAL, "takes 2 words without a name here");
	refused("create", "/backstores/null", "{\"name\": \"N2\", \"size\": \"1M\", \"sparse\": \"true\"}",
		-EINVAL, "takes no argument 'sparse' (it takes: name, size, readonly, block_size, physical_block_size, removable, serial, naa)");
	refused("create", "/backstores/block", "{\"name\": \"B0\"}", -EINVAL,
		"a block backstore needs dev=/absolute/path");
	refused("create", "/backstores/file", "{\"name\": \"F0\", \"sparse\": \"1\", \"thin\": \"1\"}",
		-EINVAL, "sparse and thin are the same setting: give one");
	/* targetcli's file_or_dev is the file at a file backstore, and only there */
	refused("create", "/backstores/file",
		"{\"name\": \"F0\", \"file\": \"/tmp/a\", \"file_or_dev\": \"/tmp/b\"}", -EINVAL,
		"the file is given twice");
	refused("create", "/backstores/block", "{\"name\": \"B0\", \"file_or_dev\": \"/dev/null\"}",
		-EINVAL, "takes no argument 'file_or_dev'");
	{
		char dir[] = "/tmp/portico-ctl-edit.XXXXXX", args[256], img[64];

		ck_assert_ptr_nonnull(mkdtemp(dir));
		snprintf(img, sizeof(img), "%s/f1.img", dir);
		snprintf(args, sizeof(args),
			 "{\"name\": \"F1\", \"file_or_dev\": \"%s\", \"size\": \"1M\"}", img);
		ok("create", "/backstores/file", args);
		unlink(img);
		rmdir(dir);
		ck_assert_str_eq(S.model->backstores[S.model->nbackstores - 1].name, "F1");
		ck_assert_str_eq(S.model->backstores[S.model->nbackstores - 1].path, img);
	}

	ok("set", "/backstores/null/N0", "{\"_1\": \"attribute\", \"readonly\": \"false\"}");
	ck_assert(said("Parameter readonly is now 'false'."));
	ck_assert(!S.model->backstores[0].params.readonly);
	ok("set", "/backstores/null/N0", "{\"_1\": \"attribute\", \"size\": \"128M\"}");
	ck_assert_uint_eq(S.model->backstores[0].params.size, 128u << 20);
	refused("set", "/backstores/null/N0", "{\"_1\": \"attribute\", \"write_back\": \"true\"}",
		-EINVAL, "'write_back' does not apply to a null backstore (it stores nothing)");
	refused("set", "/backstores/null/N0",
		"{\"_1\": \"attribute\", \"size\": \"1G\", \"readonly\": \"true\"}", -EINVAL,
		"set size alone");
	refused("set", "/backstores/null/N0", "{\"_1\": \"attribute\", \"thin\": \"true\"}",
		-EINVAL, "(it takes: size, write_back, readonly, physical_block_size, removable)");
}
END_TEST

static Suite *ctl_edit_suite(void)
{
	Suite *s = suite_create("ctl_edit");
	TCase *tc = tcase_create("edits");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, every_row_through_set, 0, nrows());
	tcase_add_test(tc, unknown_keys_are_named);
	tcase_add_test(tc, deletes_find_by_key);
	tcase_add_test(tc, backstore_rows);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ctl_edit_suite)
