/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol's tree over the object model: the walkthrough's
 * configuration renders exactly the JSON the shell's tests are made with
 * (tests/unit/target/shell/walkthrough.json), children come in targetcli's
 * order, secrets never appear, paths resolve (IQNs case-insensitively) and
 * say what is missing, and every rendered path resolves back to itself.
 * Models come from configuration text (config_parse_string: no store is
 * opened, so sizes are the configured ones).
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target/model/config.h"
#include "target/ctl/ctl_tree.h"
#include "tests/unit/check_main.h"

#define WT_TARGET "iqn.2026-11.org.portico:storage1.4f1c2a9e7b30"
#define WT_TPG "/iscsi/" WT_TARGET "/tpg1"
#define WT_KVM1 "iqn.2026-11.org.example:kvm1"
#define WT_FIXTURE "tests/unit/target/shell/walkthrough.json"

/*
 * The walkthrough's model. The backstores are listed out of targetcli's
 * order, so that the rendering has to sort them; %s is the ACL's mapping.
 */
static const char walkthrough_fmt[] =
	"backstores = (\n"
	"  { name = \"LUN2\"; type = \"lvm\"; path = \"/dev/loop1\"; size = \"512M\";\n"
	"    serial = \"d07a3c88e1f2b640\"; naa = \"0x3d07a3c88e1f2b64\"; },\n"
	"  { name = \"LUN0\"; type = \"file\"; path = \"/srv/iscsi/LUN0.img\";\n"
	"    size = \"20G\"; thin = true;\n"
	"    serial = \"2f6b9e0c51d4a873\"; naa = \"0x3f6b9e0c51d4a873\"; },\n"
	"  { name = \"LUN1\"; type = \"block\"; path = \"/dev/loop0\"; size = \"1G\";\n"
	"    serial = \"8c1f02d6a4b73e95\"; naa = \"0x38c1f02d6a4b73e9\"; }\n"
	");\n"
	"targets = ( { iqn = \"" WT_TARGET "\";\n"
	"  tpgs = ( { tag = 1; portals = [ \"127.0.0.1:3260\" ];\n"
	"    luns = ( { lun = 2; backstore = \"LUN2\"; }, { lun = 0; backstore = \"LUN0\"; },\n"
	"             { lun = 1; backstore = \"LUN1\"; } );\n"
	"    acls = ( { initiator = \"" WT_KVM1 "\"; %s } );\n"
	"  } );\n"
	"} );\n";

/* The same LUNs, mapped explicitly and out of order. */
static const char walkthrough_mapped[] =
	"mapped_luns = ( { lun = 2; tpg_lun = 2; }, { lun = 0; tpg_lun = 0; }, "
	"{ lun = 1; tpg_lun = 1; } );";

static struct obj_model *parse(const char *text)
{
	struct obj_model *m = NULL;
	struct cfg_err err = { { 0 } };

	ck_assert_msg(config_parse_string(text, &m, &err) == 0, "%s", err.msg);
	return m;
}

static struct obj_model *walkthrough_model(const char *mapping)
{
	char text[4096];
	struct obj_model *m;

	ck_assert_int_lt(snprintf(text, sizeof(text), walkthrough_fmt, mapping), sizeof(text));
	m = parse(text);
	/*
	 * The walkthrough's devices (loop devices) take discards: thin, as an
	 * open block store says (bs.h); unopened, the tree shows the setting.
	 */
	for (size_t i = 0; i < m->nbackstores; i++)
		if (strcmp(m->backstores[i].type, "file"))
			m->backstores[i].params.thin = true;
	return m;
}

/* Every backstore is shown to one session, as in the walkthrough. */
static unsigned int one_session(void *arg, const struct obj_backstore *b)
{
	(void)b;
	++*(unsigned int *)arg;
	return 1;
}

/*
 * The fixture, found from the source tree: tests/run.sh runs from there;
 * run by hand from elsewhere, from the program's place in it
 * (TOP/BUILD/tests/unit/target/ctl_tree_test).
 */
static struct json_object *walkthrough_fixture(void)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	struct json_object *o;
	ssize_t n;
	int up;

	if (access(WT_FIXTURE, R_OK) == 0) {
		o = json_object_from_file(WT_FIXTURE);
		ck_assert_msg(o != NULL, "cannot parse %s", WT_FIXTURE);
		return o;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	for (up = 0; up < 5; up++) {
		char *slash = strrchr(exe, '/');

		ck_assert_ptr_nonnull(slash);
		*slash = '\0';
	}
	snprintf(path, sizeof(path), "%s/%s", exe, WT_FIXTURE);
	o = json_object_from_file(path);
	ck_assert_msg(o != NULL, "cannot parse %s", path);
	return o;
}

/*
 * Whether two JSON values are the same, member by member; where, if not
 * (a JSON-path-like string in where).
 */
static bool json_same(struct json_object *a, struct json_object *b, const char *at, char *where,
		      size_t len)
{
	struct json_object_iterator ia;
	char sub[1024];
	size_t i, n;

	if (json_object_get_type(a) != json_object_get_type(b)) {
		snprintf(where, len, "%s: type %s, expected %s", at,
			 json_type_to_name(json_object_get_type(a)),
			 json_type_to_name(json_object_get_type(b)));
		return false;
	}
	switch (json_object_get_type(a)) {
	case json_type_object:
		/* the name first: it says where in the tree the difference is */
		if (json_object_object_length(a) != json_object_object_length(b)) {
			char ka[512] = "", kb[512] = "";

			json_object_object_foreach(a, k1, v1)
			{
				(void)v1;
				snprintf(ka + strlen(ka), sizeof(ka) - strlen(ka), " %s", k1);
			}
			json_object_object_foreach(b, k2, v2)
			{
				(void)v2;
				snprintf(kb + strlen(kb), sizeof(kb) - strlen(kb), " %s", k2);
			}
			snprintf(where, len, "%s: members%s, expected%s", at, ka, kb);
			return false;
		}
		/* in the same order too: the shell lists a group's settings as they come */
		ia = json_object_iter_begin(a);
		json_object_object_foreach(b, key, vb)
		{
			struct json_object *va = json_object_iter_peek_value(&ia);

			snprintf(sub, sizeof(sub), "%s.%s", at, key);
			if (strcmp(json_object_iter_peek_name(&ia), key) != 0) {
				snprintf(where, len, "%s: '%s' in its place", sub,
					 json_object_iter_peek_name(&ia));
				return false;
			}
			if (!json_same(va, vb, sub, where, len))
				return false;
			json_object_iter_next(&ia);
		}
		return true;
	case json_type_array:
		n = json_object_array_length(b);
		if (json_object_array_length(a) != n) {
			snprintf(where, len, "%s: %zu elements, expected %zu", at,
				 json_object_array_length(a), n);
			return false;
		}
		for (i = 0; i < n; i++) {
			struct json_object *ea = json_object_array_get_idx(a, i);
			struct json_object *nm;

			if (json_object_object_get_ex(ea, "name", &nm))
				snprintf(sub, sizeof(sub), "%s[%s]", at,
					 json_object_get_string(nm));
			else
				snprintf(sub, sizeof(sub), "%s[%zu]", at, i);
			if (!json_same(ea, json_object_array_get_idx(b, i), sub, where, len))
				return false;
		}
		return true;
	case json_type_int:
		if (json_object_get_int64(a) == json_object_get_int64(b))
			return true;
		break;
	case json_type_boolean:
		if (json_object_get_boolean(a) == json_object_get_boolean(b))
			return true;
		break;
	case json_type_string:
		if (strcmp(json_object_get_string(a), json_object_get_string(b)) == 0)
			return true;
		break;
	default:
		return true;
	}
	snprintf(where, len, "%s: %s, expected %s", at, json_object_to_json_string(a),
		 json_object_to_json_string(b));
	return false;
}

static struct json_object *render_path(struct obj_model *m, const char *path, int depth,
				       const struct ctl_tree_live *live)
{
	struct ctl_node n;
	char why[256];
	struct json_object *o;

	ck_assert_msg(ctl_tree_resolve(m, path, &n, why, sizeof(why)) == 0, "%s: %s", path, why);
	o = ctl_tree_render(m, &n, depth, live);
	ck_assert_ptr_nonnull(o);
	return o;
}

static const char *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no %s", key);
	return json_object_get_string(v);
}

static struct json_object *child(struct json_object *o, size_t i)
{
	struct json_object *c;

	ck_assert(json_object_object_get_ex(o, "children", &c));
	ck_assert_uint_lt(i, json_object_array_length(c));
	return json_object_array_get_idx(c, i);
}

static size_t nchildren(struct json_object *o)
{
	struct json_object *c;

	ck_assert(json_object_object_get_ex(o, "children", &c));
	return json_object_array_length(c);
}

/* ---- the walkthrough ---------------------------------------------------- */

/*
 * /iscsi's discovery_auth group came with `set discovery_auth` at /iscsi,
 * after the walkthrough was drawn: where the fixture has no props there,
 * check the group (nothing configured) and leave it out of the comparison.
 */
static void walkthrough_iscsi_props(struct json_object *got, struct json_object *want)
{
	static const char empty[] = "{ \"discovery_auth\": { \"enable\": false, \"userid\": \"\", "
				    "\"password_set\": false, \"mutual_userid\": \"\", "
				    "\"mutual_password_set\": false, \"chap_algorithms\": \"\" } }";
	struct json_object *iscsi = child(got, 1), *props;

	ck_assert_str_eq(member(iscsi, "name"), "iscsi");
	if (json_object_object_get_ex(child(want, 1), "props", NULL))
		return;
	ck_assert(json_object_object_get_ex(iscsi, "props", &props));
	ck_assert_str_eq(json_object_to_json_string(props), empty);
	json_object_object_del(iscsi, "props");
}

static void check_walkthrough(const char *mapping)
{
	struct obj_model *m = walkthrough_model(mapping);
	struct json_object *want = walkthrough_fixture(), *got;
	unsigned int calls = 0;
	struct ctl_tree_live live = { .bs_sessions = one_session, .arg = &calls };
	char where[2048];

	got = render_path(m, "/", -1, &live);
	walkthrough_iscsi_props(got, want);
	ck_assert_msg(json_same(got, want, "/", where, sizeof(where)), "%s", where);
	ck_assert_uint_eq(calls, 3);
	json_object_put(got);
	json_object_put(want);
	obj_model_free(m);
}

START_TEST(test_walkthrough_all_luns)
{
	/* no mapped_luns: every TPG LUN, shown as the mapped LUNs the initiator sees */
	check_walkthrough("");
}
END_TEST

START_TEST(test_walkthrough_mapped)
{
	check_walkthrough(walkthrough_mapped);
}
END_TEST

/* A subtree is the same node as in the whole tree, wherever it is asked for. */
static void check_subtrees(struct obj_model *m, struct json_object *node,
			   const struct ctl_tree_live *live)
{
	struct json_object *sub, *kids;
	char where[2048], buf[1024];
	struct ctl_node n;
	size_t i;

	sub = render_path(m, member(node, "path"), -1, live);
	ck_assert_msg(json_same(sub, node, member(node, "path"), where, sizeof(where)), "%s",
		      where);
	json_object_put(sub);
	/* and the path resolves back to itself */
	ck_assert_int_eq(ctl_tree_resolve(m, member(node, "path"), &n, NULL, 0), 0);
	ck_assert_int_eq(ctl_tree_path(&n, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, member(node, "path"));
	ck_assert_str_eq(ctl_node_type_name(n.type), member(node, "type"));
	if (json_object_object_get_ex(node, "children", &kids))
		for (i = 0; i < json_object_array_length(kids); i++)
			check_subtrees(m, json_object_array_get_idx(kids, i), live);
}

START_TEST(test_walkthrough_subtrees)
{
	struct obj_model *m = walkthrough_model("");
	struct json_object *tree = render_path(m, "/", -1, NULL);

	check_subtrees(m, tree, NULL);
	json_object_put(tree);
	obj_model_free(m);
}
END_TEST

START_TEST(test_depth)
{
	struct obj_model *m = walkthrough_model("");
	struct json_object *o, *v;

	/* 0: the node alone */
	o = render_path(m, WT_TPG, 0, NULL);
	ck_assert(!json_object_object_get_ex(o, "children", NULL));
	ck_assert_str_eq(member(o, "summary"), "no-gen-acls, no-auth");
	json_object_put(o);

	/* 1: the children, without theirs */
	o = render_path(m, WT_TPG, 1, NULL);
	ck_assert_uint_eq(nchildren(o), 3);
	ck_assert_str_eq(member(child(o, 0), "name"), "acls");
	ck_assert_str_eq(member(child(o, 1), "name"), "luns");
	ck_assert_str_eq(member(child(o, 2), "name"), "portals");
	ck_assert_str_eq(member(child(o, 1), "summary"), "LUNs: 3");
	ck_assert(!json_object_object_get_ex(child(o, 1), "children", NULL));
	json_object_put(o);

	/* a leaf with depth: an empty list */
	o = render_path(m, WT_TPG "/luns/lun1", 2, NULL);
	ck_assert_uint_eq(nchildren(o), 0);
	ck_assert(json_object_object_get_ex(o, "props", &v));
	json_object_put(o);

	/* no live state: in_use 0 */
	o = render_path(m, "/backstores/file/LUN0", 0, NULL);
	ck_assert(json_object_object_get_ex(o, "props", &v));
	ck_assert(json_object_object_get_ex(v, "in_use", &v));
	ck_assert_int_eq(json_object_get_int64(v), 0);
	json_object_put(o);
	obj_model_free(m);
}
END_TEST

/* ---- order, kinds and secrets ------------------------------------------- */

static const char mixed[] =
	"discovery_auth = { userid = \"discovery\"; password = \"kQ7v-2Lr-9xTz\"; };\n"
	"backstores = (\n"
	"  { name = \"disk10\"; type = \"file\"; path = \"/srv/d10.img\"; size = \"1M\";\n"
	"    write_back = false; thin = false; },\n"
	"  { name = \"Disk2\"; type = \"file\"; path = \"/srv/d2.img\"; size = \"1536K\";\n"
	"    readonly = true; thin = false; },\n"
	"  { name = \"alpha\"; type = \"file\"; path = \"/srv/a.img\"; size = \"4096\";\n"
	"    block_size = 4096; thin = false; },\n"
	"  { name = \"nb\"; type = \"null\"; size = \"100G\";\n"
	"    serial = \"NB1\"; naa = \"3000000000000abc\"; }\n"
	");\n"
	"targets = (\n"
	"  { iqn = \"iqn.2026-11.org.example:t10\"; alias = \"ten\"; tpgs = ( { tag = 1; } ); },\n"
	"  { iqn = \"iqn.2026-11.org.example:T2\";\n"
	"    tpgs = (\n"
	"      { tag = 10; },\n"
	"      { tag = 2;\n"
	"        portals = [ \"192.0.2.10:3260\", \"[2001:db8::1]:3261\", \"10.0.0.1:3260\" ];\n"
	"        luns = ( { lun = 10; backstore = \"disk10\"; },\n"
	"                 { lun = 2; backstore = \"Disk2\"; },\n"
	"                 { lun = 0; backstore = \"nb\"; } );\n"
	"        attributes = { generate_node_acls = true; authentication = true;\n"
	"                       nopin_interval = 0; };\n"
	"        parameters = { HeaderDigest = \"CRC32C\"; DataDigest = \"None\";\n"
	"                       InitialR2T = false; };\n"
	"        acls = (\n"
	"          { initiator = \"iqn.2026-11.org.example:kvm10\";\n"
	"            userid = \"kvm10\"; password = \"Wm3p-8sQf-Jc2d\";\n"
	"            mapped_luns = ( { lun = 7; tpg_lun = 10; read_only = true; },\n"
	"                            { lun = 3; tpg_lun = 2; } ); },\n"
	"          { initiator = \"iqn.2026-11.org.example:KVM3\";\n"
	"            userid = \"kvm3\"; password = \"Hb6t-1Nx4-Rq8e\";\n"
	"            mutual_userid = \"t2\"; mutual_password = \"Zy5k-3Vu7-Pw0a\"; },\n"
	"          { initiator = \"iqn.2026-11.org.example:kvm2\";\n"
	"            userid = \"kvm2\"; password = \"Qa9z-7Lm2-Xc4v\";\n"
	"            mapped_luns = ( ); }\n"
	"        );\n"
	"      } );\n"
	"  } );\n";

#define T2 "/iscsi/iqn.2026-11.org.example:T2"

static void assert_names(struct json_object *o, const char *const *names, size_t n)
{
	ck_assert_uint_eq(nchildren(o), n);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(member(child(o, i), "name"), names[i]);
}

START_TEST(test_order)
{
	static const char *const files[] = { "alpha", "Disk2", "disk10" };
	static const char *const targets[] = { "iqn.2026-11.org.example:T2",
					      "iqn.2026-11.org.example:t10" };
	static const char *const tpgs[] = { "tpg2", "tpg10" };
	static const char *const portals[] = { "10.0.0.1:3260", "192.0.2.10:3260",
					      "[2001:db8::1]:3261" };
	static const char *const luns[] = { "lun0", "lun2", "lun10" };
	static const char *const acls[] = { "iqn.2026-11.org.example:kvm2",
					   "iqn.2026-11.org.example:KVM3",
					   "iqn.2026-11.org.example:kvm10" };
	static const char *const mapped[] = { "mapped_lun3", "mapped_lun7" };
	struct obj_model *m = parse(mixed);
	struct json_object *o;

	o = render_path(m, "/backstores/file", 1, NULL);
	assert_names(o, files, 3);
	json_object_put(o);
	o = render_path(m, "/iscsi", 1, NULL);
	assert_names(o, targets, 2);
	json_object_put(o);
	o = render_path(m, T2, 1, NULL);
	assert_names(o, tpgs, 2);
	ck_assert_str_eq(member(o, "summary"), "TPGs: 2");
	json_object_put(o);
	o = render_path(m, T2 "/tpg2/portals", 1, NULL);
	assert_names(o, portals, 3);
	json_object_put(o);
	o = render_path(m, T2 "/tpg2/luns", 1, NULL);
	assert_names(o, luns, 3);
	json_object_put(o);
	o = render_path(m, T2 "/tpg2/acls", 1, NULL);
	assert_names(o, acls, 3);
	json_object_put(o);
	o = render_path(m, T2 "/tpg2/acls/iqn.2026-11.org.example:kvm10", 1, NULL);
	assert_names(o, mapped, 2);
	json_object_put(o);
	obj_model_free(m);
}
END_TEST

static struct json_object *prop(struct json_object *node, const char *group, const char *key)
{
	struct json_object *p, *v;

	ck_assert(json_object_object_get_ex(node, "props", &p));
	if (group)
		ck_assert_msg(json_object_object_get_ex(p, group, &p), "no group %s", group);
	ck_assert_msg(json_object_object_get_ex(p, key, &v), "no prop %s", key);
	return v;
}

START_TEST(test_kinds)
{
	struct obj_model *m = parse(mixed);
	struct json_object *o, *p;

	o = render_path(m, "/backstores/file/disk10", 0, NULL);
	ck_assert_str_eq(member(o, "summary"), "/srv/d10.img (1.0MiB) write-thru");
	ck_assert_str_eq(json_object_get_string(prop(o, NULL, "file")), "/srv/d10.img");
	ck_assert(!json_object_get_boolean(prop(o, NULL, "write_back")));
	json_object_put(o);

	o = render_path(m, "/backstores/file/Disk2", 0, NULL);
	ck_assert_str_eq(member(o, "summary"), "/srv/d2.img (1.5MiB) ro write-back");
	ck_assert(json_object_get_boolean(prop(o, NULL, "readonly")));
	json_object_put(o);

	o = render_path(m, "/backstores/file/alpha", 0, NULL);
	ck_assert_str_eq(member(o, "summary"), "/srv/a.img (4.0KiB) write-back");
	ck_assert_int_eq(json_object_get_int64(prop(o, NULL, "block_size")), 4096);
	ck_assert_int_eq(json_object_get_int64(prop(o, NULL, "size")), 4096);
	json_object_put(o);

	o = render_path(m, "/backstores/null/nb", 0, NULL);
	ck_assert_str_eq(member(o, "summary"), "nullio (100.0GiB)");
	ck_assert(json_object_object_get_ex(o, "props", &p));
	ck_assert(!json_object_object_get_ex(p, "file", NULL));
	ck_assert(!json_object_object_get_ex(p, "dev", NULL));
	ck_assert_str_eq(json_object_get_string(prop(o, NULL, "serial")), "NB1");
	ck_assert_str_eq(json_object_get_string(prop(o, NULL, "naa")), "0x3000000000000abc");
	json_object_put(o);

	o = render_path(m, "/backstores", -1, NULL);
	ck_assert_str_eq(member(child(o, 0), "summary"), "Storage Objects: 0");
	ck_assert_str_eq(member(child(o, 1), "summary"), "Storage Objects: 3");
	ck_assert_str_eq(member(child(o, 2), "summary"), "Storage Objects: 0");
	ck_assert_str_eq(member(child(o, 3), "summary"), "Storage Objects: 1");
	ck_assert(!json_object_object_get_ex(o, "props", NULL));
	json_object_put(o);

	o = render_path(m, "/iscsi/iqn.2026-11.org.example:t10", 0, NULL);
	ck_assert_str_eq(json_object_get_string(prop(o, NULL, "alias")), "ten");
	json_object_put(o);

	o = render_path(m, T2 "/tpg2", 0, NULL);
	ck_assert_str_eq(member(o, "summary"), "gen-acls, auth");
	ck_assert_int_eq(json_object_get_int64(prop(o, NULL, "tag")), 2);
	ck_assert_int_eq(json_object_get_int64(prop(o, "attribute", "nopin_interval")), 0);
	ck_assert(json_object_get_boolean(prop(o, "attribute", "authentication")));
	ck_assert_str_eq(json_object_get_string(prop(o, "parameter", "HeaderDigest")), "CRC32C");
	ck_assert_str_eq(json_object_get_string(prop(o, "parameter", "DataDigest")), "None");
	ck_assert(!json_object_get_boolean(prop(o, "parameter", "InitialR2T")));
	ck_assert_str_eq(json_object_get_string(prop(o, "auth", "userid")), "");
	ck_assert(!json_object_get_boolean(prop(o, "auth", "password_set")));
	json_object_put(o);

	o = render_path(m, T2 "/tpg2/portals/[2001:db8::1]:3261", 0, NULL);
	ck_assert_str_eq(json_object_get_string(prop(o, NULL, "ip_address")), "2001:db8::1");
	ck_assert_int_eq(json_object_get_int64(prop(o, NULL, "ip_port")), 3261);
	ck_assert_str_eq(member(o, "summary"), "OK");
	json_object_put(o);

	o = render_path(m, T2 "/tpg2/luns/lun0", 0, NULL);
	ck_assert_str_eq(member(o, "summary"), "null/nb (100.0GiB)");
	ck_assert_str_eq(json_object_get_string(prop(o, NULL, "storage_object")),
			 "/backstores/null/nb");
	json_object_put(o);
	o = render_path(m, T2 "/tpg2/luns/lun10", 0, NULL);
	ck_assert_str_eq(member(o, "summary"), "file/disk10 (/srv/d10.img) (1.0MiB) write-thru");
	json_object_put(o);

	/* the mapping's number, the TPG LUN's, and how the initiator may use it */
	o = render_path(m, T2 "/tpg2/acls/iqn.2026-11.org.example:kvm10", 1, NULL);
	ck_assert_str_eq(member(o, "summary"), "Mapped LUNs: 2");
	ck_assert_str_eq(member(child(o, 0), "summary"),
			 "lun2 file/Disk2 (ro)"); /* readonly store */
	ck_assert(!json_object_get_boolean(prop(child(o, 0), NULL, "write_protect")));
	ck_assert_str_eq(member(child(o, 1), "summary"), "lun10 file/disk10 (ro)");
	ck_assert(json_object_get_boolean(prop(child(o, 1), NULL, "write_protect")));
	ck_assert_int_eq(json_object_get_int64(prop(child(o, 1), NULL, "mapped_lun")), 7);
	ck_assert_int_eq(json_object_get_int64(prop(child(o, 1), NULL, "tpg_lun")), 10);
	json_object_put(o);

	/* an empty mapping: an ACL that sees nothing */
	o = render_path(m, T2 "/tpg2/acls/iqn.2026-11.org.example:kvm2", -1, NULL);
	ck_assert_str_eq(member(o, "summary"), "Mapped LUNs: 0");
	ck_assert_uint_eq(nchildren(o), 0);
	json_object_put(o);

	/* all LUNs: the TPG's, under their own numbers, read-write as mapped */
	o = render_path(m, T2 "/tpg2/acls/iqn.2026-11.org.example:KVM3", -1, NULL);
	ck_assert_str_eq(member(o, "summary"), "Mapped LUNs: 3");
	ck_assert_str_eq(member(child(o, 0), "summary"), "lun0 null/nb (rw)");
	ck_assert_str_eq(member(child(o, 2), "name"), "mapped_lun10");
	ck_assert_int_eq(json_object_get_int64(prop(child(o, 2), NULL, "tpg_lun")), 10);
	json_object_put(o);
	obj_model_free(m);
}
END_TEST

START_TEST(test_secrets)
{
	static const char *const secrets[] = { "Wm3p-8sQf-Jc2d", "Hb6t-1Nx4-Rq8e", "Zy5k-3Vu7-Pw0a",
					      "Qa9z-7Lm2-Xc4v", "kQ7v-2Lr-9xTz" };
	struct obj_model *m = parse(mixed);
	struct json_object *o, *acl, *iscsi;
	const char *text;
	size_t i;

	o = render_path(m, "/", -1, NULL);
	text = json_object_to_json_string(o);
	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		ck_assert_msg(strstr(text, secrets[i]) == NULL, "secret %zu in %s", i, text);
	ck_assert(strstr(text, "\"password\"") == NULL);
	ck_assert(strstr(text, "\"mutual_password\"") == NULL);
	json_object_put(o);

	acl = render_path(m, T2 "/tpg2/acls/iqn.2026-11.org.example:KVM3", 0, NULL);
	ck_assert_str_eq(json_object_get_string(prop(acl, "auth", "userid")), "kvm3");
	ck_assert(json_object_get_boolean(prop(acl, "auth", "password_set")));
	ck_assert_str_eq(json_object_get_string(prop(acl, "auth", "mutual_userid")), "t2");
	ck_assert(json_object_get_boolean(prop(acl, "auth", "mutual_password_set")));
	json_object_put(acl);
	iscsi = render_path(m, "/iscsi", 0, NULL);
	ck_assert(json_object_get_boolean(prop(iscsi, "discovery_auth", "enable")));
	ck_assert_str_eq(json_object_get_string(prop(iscsi, "discovery_auth", "userid")),
			 "discovery");
	ck_assert(json_object_get_boolean(prop(iscsi, "discovery_auth", "password_set")));
	ck_assert_str_eq(json_object_get_string(prop(iscsi, "discovery_auth", "mutual_userid")), "");
	ck_assert(!json_object_get_boolean(prop(iscsi, "discovery_auth", "mutual_password_set")));
	json_object_put(iscsi);
	acl = render_path(m, T2 "/tpg2/acls/iqn.2026-11.org.example:kvm10", 0, NULL);
	ck_assert(json_object_get_boolean(prop(acl, "auth", "password_set")));
	ck_assert(!json_object_get_boolean(prop(acl, "auth", "mutual_password_set")));
	json_object_put(acl);
	obj_model_free(m);
}
END_TEST

/* An open store says what it serves: its size, block size and whether it can deallocate. */
START_TEST(test_open_store)
{
	struct obj_model *m = parse(mixed);
	struct bs_dev dev = { .size = 3ULL << 20, .block_size = 4096, .thin = true };
	struct obj_backstore *b = obj_find_backstore(m, "disk10");
	struct json_object *o;

	b->dev = &dev;
	o = render_path(m, "/backstores/file/disk10", 0, NULL);
	ck_assert_str_eq(member(o, "summary"), "/srv/d10.img (3.0MiB) write-thru thin");
	ck_assert_int_eq(json_object_get_int64(prop(o, NULL, "size")), 3 << 20);
	ck_assert_int_eq(json_object_get_int64(prop(o, NULL, "block_size")), 4096);
	ck_assert(json_object_get_boolean(prop(o, NULL, "thin")));
	json_object_put(o);
	o = render_path(m, T2 "/tpg2/luns/lun10", 0, NULL);
	ck_assert_str_eq(member(o, "summary"), "file/disk10 (/srv/d10.img) (3.0MiB) write-thru");
	json_object_put(o);
	b->dev = NULL; /* not ours to close */
	obj_model_free(m);
}
END_TEST

START_TEST(test_empty_model)
{
	struct obj_model *m = parse("");
	struct json_object *o;

	o = render_path(m, "/", -1, NULL);
	ck_assert_str_eq(member(o, "name"), "/");
	ck_assert_str_eq(member(child(o, 1), "summary"), "Targets: 0");
	ck_assert_uint_eq(nchildren(child(o, 0)), 5);
	ck_assert_uint_eq(nchildren(child(o, 1)), 0);
	json_object_put(o);
	ck_assert_ptr_null(ctl_tree_render(m, NULL, -1, NULL));
	obj_model_free(m);
}
END_TEST

/* ---- resolving ---------------------------------------------------------- */

START_TEST(test_resolve)
{
	struct obj_model *m = parse(mixed);
	struct obj_tpg *tpg;
	struct ctl_node n;
	char why[512];

	ck_assert_int_eq(ctl_tree_resolve(m, "/", &n, why, sizeof(why)), 0);
	ck_assert_int_eq(n.type, CTL_NODE_ROOT);
	ck_assert_int_eq(ctl_tree_resolve(m, "//backstores//null/", &n, why, sizeof(why)), 0);
	ck_assert_int_eq(n.type, CTL_NODE_BS_TYPE);
	ck_assert_str_eq(n.bs_type, "null");
	ck_assert_int_eq(ctl_tree_resolve(m, "/backstores/file/Disk2", &n, why, sizeof(why)), 0);
	ck_assert_int_eq(n.type, CTL_NODE_BACKSTORE);
	ck_assert_ptr_eq(n.bs, obj_find_backstore(m, "Disk2"));
	ck_assert_str_eq(n.bs_type, "file");

	/* IQNs in any case; the node points at the model's */
	ck_assert_int_eq(ctl_tree_resolve(m,
					  "/iscsi/IQN.2026-11.ORG.EXAMPLE:t2/tpg2/acls/"
					  "iqn.2026-11.org.example:kvm3/",
					  &n, why, sizeof(why)),
			 0);
	ck_assert_int_eq(n.type, CTL_NODE_ACL);
	tpg = n.tpg;
	ck_assert_ptr_eq(n.target, obj_find_target(m, "iqn.2026-11.org.example:T2"));
	ck_assert_uint_eq(tpg->tag, 2);
	ck_assert_str_eq(n.acl->initiator, "iqn.2026-11.org.example:KVM3");
	ck_assert_ptr_eq(n.acl, &tpg->acls[n.index]);

	ck_assert_int_eq(ctl_tree_resolve(m, T2 "/tpg2/luns/lun10", &n, why, sizeof(why)), 0);
	ck_assert_int_eq(n.type, CTL_NODE_LUN);
	ck_assert_uint_eq(tpg->luns[n.index].lun, 10);
	ck_assert_int_eq(
	    ctl_tree_resolve(m, T2 "/tpg2/portals/10.0.0.1:3260", &n, why, sizeof(why)), 0);
	ck_assert_int_eq(n.type, CTL_NODE_PORTAL);
	ck_assert_str_eq(tpg->portals[n.index].text, "10.0.0.1:3260");
	/* another spelling of a portal's address is the same portal */
	ck_assert_int_eq(
	    ctl_tree_resolve(m, T2 "/tpg2/portals/[2001:db8:0::1]:3261", &n, why, sizeof(why)), 0);
	ck_assert_str_eq(tpg->portals[n.index].text, "[2001:db8::1]:3261");

	/* mapped LUNs: of the list, or (all LUNs) of the TPG */
	ck_assert_int_eq(ctl_tree_resolve(m,
					  T2 "/tpg2/acls/iqn.2026-11.org.example:kvm10/mapped_lun7",
					  &n, why, sizeof(why)),
			 0);
	ck_assert_int_eq(n.type, CTL_NODE_MAPPED_LUN);
	ck_assert_uint_eq(n.acl->mapped[n.index].lun, 7);
	ck_assert_int_eq(ctl_tree_resolve(m,
					  T2 "/tpg2/acls/iqn.2026-11.org.example:KVM3/mapped_lun2",
					  &n, why, sizeof(why)),
			 0);
	ck_assert(n.acl->all_luns);
	ck_assert_uint_eq(tpg->luns[n.index].lun, 2);

	ck_assert_int_eq(ctl_tree_resolve(m, T2 "/tpg10/portals", &n, why, sizeof(why)), 0);
	ck_assert_int_eq(n.type, CTL_NODE_PORTALS);
	ck_assert_uint_eq(n.tpg->tag, 10);
	obj_model_free(m);
}
END_TEST

static void assert_fails(struct obj_model *m, const char *path, int err, const char *msg)
{
	struct ctl_node n;
	char why[512];

	ck_assert_msg(ctl_tree_resolve(m, path, &n, why, sizeof(why)) == err, "%s", path);
	ck_assert_str_eq(why, msg);
}

START_TEST(test_resolve_missing)
{
	struct obj_model *m = parse(mixed);

	assert_fails(m, "/storage", -ENOENT, "no 'storage' in / (backstores, iscsi)");
	assert_fails(m, "/backstores/fileio", -ENOENT,
		     "no backstore type 'fileio' in /backstores (block, file, lvm, null, rbd)");
	assert_fails(m, "/backstores/file/LUN9", -ENOENT,
		     "no backstore 'LUN9' under /backstores/file");
	/* names of backstores are case-sensitive */
	assert_fails(m, "/backstores/file/disk2", -ENOENT,
		     "no backstore 'disk2' under /backstores/file");
	/* a backstore is only under its own type */
	assert_fails(m, "/backstores/block/Disk2", -ENOENT,
		     "no backstore 'Disk2' under /backstores/block (it is under /backstores/file)");
	assert_fails(m, "/backstores/file/Disk2/x", -ENOENT, "no 'x' in /backstores/file/Disk2");
	assert_fails(m, "/iscsi/iqn.2026-11.org.example:t3", -ENOENT,
		     "no target 'iqn.2026-11.org.example:t3'");
	assert_fails(m, T2 "/tpg3", -ENOENT, "no tpg3 in target 'iqn.2026-11.org.example:T2'");
	assert_fails(m, T2 "/tpg02", -ENOENT, "no 'tpg02' in target 'iqn.2026-11.org.example:T2'");
	assert_fails(m, T2 "/tpg", -ENOENT, "no 'tpg' in target 'iqn.2026-11.org.example:T2'");
	assert_fails(m, T2 "/tpg99999999999999999999999", -ENOENT,
		     "no 'tpg99999999999999999999999' in target 'iqn.2026-11.org.example:T2'");
	assert_fails(
	    m, T2 "/tpg2/lun", -ENOENT,
	    "no 'lun' in tpg2 of target 'iqn.2026-11.org.example:T2' (acls, luns, portals)");
	assert_fails(m, T2 "/tpg2/luns/lun7", -ENOENT, "no LUN 7 in " T2 "/tpg2/luns");
	assert_fails(m, T2 "/tpg2/luns/lun-1", -ENOENT, "no 'lun-1' in " T2 "/tpg2/luns");
	assert_fails(m, T2 "/tpg2/luns/lun2/x", -ENOENT, "no 'x' in " T2 "/tpg2/luns/lun2");
	assert_fails(m, T2 "/tpg2/portals/10.0.0.2:3260", -ENOENT,
		     "no portal '10.0.0.2:3260' in " T2 "/tpg2/portals");
	assert_fails(m, T2 "/tpg2/acls/iqn.2026-11.org.example:kvm4", -ENOENT,
		     "no ACL 'iqn.2026-11.org.example:kvm4' in " T2 "/tpg2/acls");
	assert_fails(m, T2 "/tpg2/acls/iqn.2026-11.org.example:kvm10/mapped_lun3x", -ENOENT,
		     "no 'mapped_lun3x' in ACL 'iqn.2026-11.org.example:kvm10'");
	assert_fails(m, T2 "/tpg2/acls/iqn.2026-11.org.example:kvm10/mapped_lun10", -ENOENT,
		     "no mapped_lun10 in ACL 'iqn.2026-11.org.example:kvm10'");
	/* all LUNs: only the TPG's numbers */
	assert_fails(m, T2 "/tpg2/acls/iqn.2026-11.org.example:kvm3/mapped_lun3", -ENOENT,
		     "no mapped_lun3 in ACL 'iqn.2026-11.org.example:KVM3'");
	assert_fails(m, T2 "/tpg2/acls/iqn.2026-11.org.example:kvm10/mapped_lun7/y", -ENOENT,
		     "no 'y' in " T2 "/tpg2/acls/iqn.2026-11.org.example:kvm10/mapped_lun7");
	obj_model_free(m);
}
END_TEST

START_TEST(test_resolve_invalid)
{
	struct obj_model *m = parse(mixed);
	char path[5000], why[256];
	struct ctl_node n;

	assert_fails(m, "", -EINVAL, "'' is not an absolute path");
	assert_fails(m, "iscsi", -EINVAL, "'iscsi' is not an absolute path");
	assert_fails(m, "/iscsi/..", -EINVAL, "'..' in path '/iscsi/..'");
	assert_fails(m, "/./iscsi", -EINVAL, "'.' in path '/./iscsi'");

	/* the longest name a node can have is an iSCSI name's 223 bytes */
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[225] = '\0';
	ck_assert_int_eq(ctl_tree_resolve(m, path, &n, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "longer than 223 bytes"));
	path[224] = '\0';
	ck_assert_int_eq(ctl_tree_resolve(m, path, &n, why, sizeof(why)), -ENOENT);

	/* the protocol's bound on a path */
	for (size_t i = 0; i < sizeof(path) - 1; i++)
		path[i] = i % 2 ? 'x' : '/';
	path[4097] = '\0';
	ck_assert_int_eq(ctl_tree_resolve(m, path, &n, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "path longer than 4096 bytes");

	ck_assert_int_eq(ctl_tree_resolve(m, NULL, &n, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(ctl_tree_resolve(NULL, "/", &n, why, sizeof(why)), -EINVAL);
	/* why is optional, and a short one is cut */
	ck_assert_int_eq(ctl_tree_resolve(m, "/x", &n, NULL, 0), -ENOENT);
	ck_assert_int_eq(ctl_tree_resolve(m, "/x", &n, why, 5), -ENOENT);
	ck_assert_str_eq(why, "no '");
	obj_model_free(m);
}
END_TEST

/* ---- paths -------------------------------------------------------------- */

START_TEST(test_path_round_trip)
{
	struct obj_model *m = parse(mixed);
	struct json_object *tree = render_path(m, "/", -1, NULL);

	check_subtrees(m, tree, NULL);
	json_object_put(tree);
	obj_model_free(m);
}
END_TEST

START_TEST(test_path_bounds)
{
	struct obj_model *m = parse(mixed);
	const char *p = T2 "/tpg2/acls/iqn.2026-11.org.example:kvm10/mapped_lun7";
	struct ctl_node n, bad;
	char buf[256];

	ck_assert_int_eq(ctl_tree_resolve(m, p, &n, NULL, 0), 0);
	ck_assert_int_eq(ctl_tree_path(&n, buf, strlen(p) + 1), 0);
	ck_assert_str_eq(buf, p);
	ck_assert_int_eq(ctl_tree_path(&n, buf, strlen(p)), -ENOSPC);
	ck_assert_int_eq(ctl_tree_path(&n, buf, 3), -ENOSPC);
	ck_assert_int_eq(ctl_tree_path(&n, buf, 0), -ENOSPC);

	/* a node that does not match its model names nothing */
	bad = n;
	bad.index = 2;
	ck_assert_int_eq(ctl_tree_path(&bad, buf, sizeof(buf)), -EINVAL);
	ck_assert_ptr_null(ctl_tree_render(m, &bad, 0, NULL));
	bad = n;
	bad.acl = NULL;
	ck_assert_int_eq(ctl_tree_path(&bad, buf, sizeof(buf)), -EINVAL);

	/* a backstore node's path is its own type's, as canonical */
	ck_assert_int_eq(ctl_tree_resolve(m, "/backstores/null/nb", &n, NULL, 0), 0);
	ck_assert_int_eq(ctl_tree_path(&n, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/backstores/null/nb");
	obj_model_free(m);
}
END_TEST

/* ---- names and sizes ---------------------------------------------------- */

START_TEST(test_type_names)
{
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_ROOT), "root");
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_BACKSTORES), "group");
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_BS_TYPE), "group");
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_ISCSI), "group");
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_PORTALS), "group");
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_LUNS), "group");
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_ACLS), "group");
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_BACKSTORE), "backstore");
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_TARGET), "target");
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_TPG), "tpg");
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_PORTAL), "portal");
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_LUN), "lun");
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_ACL), "acl");
	ck_assert_str_eq(ctl_node_type_name(CTL_NODE_MAPPED_LUN), "mapped_lun");
}
END_TEST

static void assert_size(uint64_t bytes, const char *text)
{
	char buf[32];

	ctl_tree_size_text(bytes, buf, sizeof(buf));
	ck_assert_msg(strcmp(buf, text) == 0, "%llu: '%s', expected '%s'",
		      (unsigned long long)bytes, buf, text);
}

START_TEST(test_size_text)
{
	char small[5];

	assert_size(0, "0B");
	assert_size(100, "100B");
	assert_size(1023, "1023B");
	assert_size(1024, "1.0KiB");
	assert_size(4096, "4.0KiB");
	assert_size(1536, "1.5KiB");
	/* exact ties go to the even digit, as Python's "%3.1f" does */
	assert_size(1280, "1.2KiB");	       /* 1.25 */
	assert_size(1024 + 3 * 256, "1.8KiB"); /* 1.75 */
	assert_size(1024 + 3 * 256 + 1, "1.8KiB");
	assert_size(1024 + 256 + 1, "1.3KiB");
	/* the unit is chosen before rounding (targetcli) */
	assert_size(1024 * 1024 - 1, "1024.0KiB");
	assert_size(512ULL << 20, "512.0MiB");
	assert_size(20ULL << 30, "20.0GiB");
	assert_size(1000204886016ULL, "931.5GiB");
	assert_size(100ULL << 30, "100.0GiB");
	assert_size(3ULL << 40, "3.0TiB");
	assert_size(5ULL << 50, "5.0PiB");
	assert_size(UINT64_MAX, "16.0EiB");
	/* cut to the buffer, never past it */
	ctl_tree_size_text(20ULL << 30, small, sizeof(small));
	ck_assert_str_eq(small, "20.0");
	ctl_tree_size_text(1, small, 0);
}
END_TEST

static Suite *ctl_tree_suite(void)
{
	Suite *s = suite_create("ctl_tree");
	TCase *tc = tcase_create("ctl_tree");

	tcase_add_test(tc, test_walkthrough_all_luns);
	tcase_add_test(tc, test_walkthrough_mapped);
	tcase_add_test(tc, test_walkthrough_subtrees);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_kinds);
	tcase_add_test(tc, test_secrets);
	tcase_add_test(tc, test_open_store);
	tcase_add_test(tc, test_empty_model);
	tcase_add_test(tc, test_resolve);
	tcase_add_test(tc, test_resolve_missing);
	tcase_add_test(tc, test_resolve_invalid);
	tcase_add_test(tc, test_path_round_trip);
	tcase_add_test(tc, test_path_bounds);
	tcase_add_test(tc, test_type_names);
	tcase_add_test(tc, test_size_text);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ctl_tree_suite)
