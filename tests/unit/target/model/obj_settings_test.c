/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The settings tables, row by row: every row is read by the parser (which
 * refuses a value out of its range in the file's words), written by the
 * saver and read back the same (parse -> save -> parse), told apart by
 * obj_model_equal under its field's name; an object at its defaults saves
 * nothing; the keys of a table are unique and found.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "target/iscsi/chap.h"
#include "target/iscsi/iscsi.h"
#include "target/iscsi/param.h"
#include "target/model/config.h"
#include "target/model/obj_settings.h"
#include "tests/unit/check_main.h"

/*
 * One target with one TPG, and the discovery credentials: where every
 * table's rows live (no ACL, which authentication = true would want CHAP
 * credentials of).
 */
static const char base[] = "targets = ( { iqn = \"iqn.2026-11.org.example:t\";\n"
			   "  tpgs = ( { tag = 1; } ); } );\n";

static const struct obj_settings *const tables[] = {
	&obj_tpg_attr_settings,
	&obj_tpg_param_settings,
	&obj_chap_settings,
	&obj_auth_guard_settings,
	&obj_tpg_alua_settings,
};

/* Row i of all the tables together; NULL past the last. */
static const struct obj_setting *row_at(size_t i, const struct obj_settings **t)
{
	for (size_t k = 0; k < ARRAY_SIZE(tables); k++) {
		if (i < tables[k]->n) {
			*t = tables[k];
			return &tables[k]->rows[i];
		}
		i -= tables[k]->n;
	}
	return NULL;
}

static size_t nrows(void)
{
	size_t n = 0;

	for (size_t k = 0; k < ARRAY_SIZE(tables); k++)
		n += tables[k]->n;
	return n;
}

/* The object of m that table t's rows are in. */
static void *object_of(struct obj_model *m, const struct obj_settings *t)
{
	struct obj_tpg *tpg = &m->targets[0].tpgs[0];

	if (t == &obj_tpg_attr_settings)
		return &tpg->attrs;
	if (t == &obj_tpg_param_settings)
		return &tpg->params;
	if (t == &obj_auth_guard_settings)
		return &m->auth_guard;
	if (t == &obj_tpg_alua_settings)
		return &tpg->alua;
	return &m->discovery_auth;
}

static struct obj_model *parse(const char *text)
{
	struct cfg_err err = { "" };
	struct obj_model *m = NULL;

	ck_assert_msg(config_parse_string(text, &m, &err) == 0, "%s\n%s", err.msg, text);
	return m;
}

/* m saved as config_save writes it, and read back. */
static struct obj_model *round_trip(const struct obj_model *m)
{
	struct obj_model *back;
	char *text = NULL;
	size_t len = 0;
	config_t cfg;
	FILE *f;

	config_init(&cfg);
	ck_assert_int_eq(config_build(m, &cfg), 0);
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	config_write(&cfg, f);
	ck_assert_int_eq(fclose(f), 0);
	config_destroy(&cfg);
	back = parse(text);
	free(text);
	return back;
}

static void assert_equal(const struct obj_model *a, const struct obj_model *b)
{
	char why[256] = "";

	ck_assert_msg(obj_model_equal(a, b, why, sizeof(why)), "%s", why);
}

/*
 * Sets r in obj to a value the parser takes and that is not the default:
 * halfway between the default and the end of the range, or the other
 * boolean; CHAP credentials all together (they go in pairs), each its own.
 */
static void set_other(const struct obj_settings *t, const struct obj_setting *r, void *obj)
{
	static const char *const chap[] = { "user-one", "secret-one-12", "user-two",
					    "secret-two-12" };

	switch (r->type) {
	case OBJ_SETTING_BOOL:
	case OBJ_SETTING_YESNO:
	case OBJ_SETTING_DIGEST:
		obj_setting_set_bool(r, obj, !r->def);
		break;
	case OBJ_SETTING_UINT:
		obj_setting_set_uint(r, obj, r->def > r->min ? r->min + (r->def - r->min) / 2 :
							       r->def + (r->max - r->def) / 2);
		break;
	case OBJ_SETTING_NAME:
	case OBJ_SETTING_SECRET:
	case OBJ_SETTING_CHAP_ALGS:
		/* discovery_auth is there only with its credentials */
		for (size_t i = 0; i < OBJ_CHAP__CREDENTIALS; i++)
			snprintf(obj_setting_buf(&t->rows[i], obj), t->rows[i].size, "%s", chap[i]);
		if (r->type == OBJ_SETTING_CHAP_ALGS)
			obj_setting_set_uint(r, obj,
					     CHAP_ALG_BIT(CHAP_ALG_SHA256) | CHAP_ALG_BIT(CHAP_ALG_MD5));
		break;
	case OBJ_SETTING_CHOICE:
		obj_setting_set_uint(r, obj, r->choices[r->nchoices - 1].value);
		break;
	}
	ck_assert(!obj_setting_is_default(r, obj));
}

/* Changes r in obj (set_other's value) to another value again. */
static void change(const struct obj_setting *r, void *obj)
{
	switch (r->type) {
	case OBJ_SETTING_BOOL:
	case OBJ_SETTING_YESNO:
	case OBJ_SETTING_DIGEST:
		obj_setting_set_bool(r, obj, !obj_setting_bool(r, obj));
		break;
	case OBJ_SETTING_UINT:
		obj_setting_set_uint(r, obj, obj_setting_uint(r, obj) + 1);
		break;
	case OBJ_SETTING_NAME:
	case OBJ_SETTING_SECRET:
		obj_setting_buf(r, obj)[0] = 'X';
		break;
	case OBJ_SETTING_CHAP_ALGS:
		obj_setting_set_uint(r, obj,
				     obj_setting_uint(r, obj) ^ CHAP_ALG_BIT(CHAP_ALG_SHA3_256));
		break;
	case OBJ_SETTING_CHOICE:
		obj_setting_set_uint(r, obj, r->choices[0].value);
		break;
	}
}

START_TEST(every_row_round_trips)
{
	const struct obj_settings *t = NULL;
	const struct obj_setting *r = row_at((size_t)_i, &t);
	struct obj_model *m = parse(base), *back;
	char why[256] = "";

	set_other(t, r, object_of(m, t));
	back = round_trip(m);
	assert_equal(m, back);
	ck_assert(!obj_setting_is_default(r, object_of(back, t)));
	/* and a difference in it alone is seen, under its field's name */
	change(r, object_of(back, t));
	ck_assert(!obj_model_equal(m, back, why, sizeof(why)));
	ck_assert_msg(strstr(why, r->field), "%s: '%s' does not name %s", r->key, why, r->field);
	ck_assert_msg(!strstr(why, "secret"), "%s: '%s' quotes a secret", r->key, why);
	obj_model_free(back);
	obj_model_free(m);
}
END_TEST

/* RFC 7143 §13.1: CRC32C required (None left out) is a value of its own, saved as "CRC32C". */
START_TEST(digests_required)
{
	struct obj_model *m = parse(base), *back;
	char why[256] = "";

	obj_settings_foreach(r, &obj_tpg_param_settings) {
		if (r->type != OBJ_SETTING_DIGEST)
			continue;
		obj_setting_set_required(r, object_of(m, &obj_tpg_param_settings), true);
		back = round_trip(m);
		assert_equal(m, back);
		obj_setting_set_required(r, object_of(back, &obj_tpg_param_settings), false);
		ck_assert(!obj_model_equal(m, back, why, sizeof(why)));
		ck_assert_ptr_nonnull(strstr(why, r->field_required));
		obj_model_free(back);
	}
	ck_assert_str_eq(obj_setting_digest_text(true, true), "CRC32C");
	ck_assert_str_eq(obj_setting_digest_text(true, false), "CRC32C,None");
	ck_assert_str_eq(obj_setting_digest_text(false, false), "None");
	obj_model_free(m);
}
END_TEST

/* The parser reads every row of the tables: a value out of range is refused, by name. */
START_TEST(every_row_is_parsed)
{
	const struct obj_settings *t = NULL;
	const struct obj_setting *r = row_at((size_t)_i, &t);
	struct cfg_err err = { "" };
	struct obj_model *m = NULL;
	char text[1024], value[32];

	if (r->type == OBJ_SETTING_UINT && r->max < UINT32_MAX)
		snprintf(value, sizeof(value), "%u", r->max + 1);
	else if (r->type == OBJ_SETTING_NAME || r->type == OBJ_SETTING_SECRET)
		snprintf(value, sizeof(value), "5");
	else
		snprintf(value, sizeof(value), "\"no such value\"");
	if (t == &obj_auth_guard_settings) /* a group of the top level */
		snprintf(text, sizeof(text), "%s = { %s = %s; };\n", t->group, r->key, value);
	else if (t->group)
		snprintf(text, sizeof(text),
			 "targets = ( { iqn = \"iqn.2026-11.org.example:t\";\n"
			 "  tpgs = ( { tag = 1; %s = { %s = %s; }; } ); } );\n",
			 t->group, r->key, value);
	else /* CHAP credentials have no group of their own: discovery_auth's */
		snprintf(text, sizeof(text), "discovery_auth = { %s = %s; };\n", r->key, value);
	ck_assert_int_eq(config_parse_string(text, &m, &err), -EINVAL);
	ck_assert_ptr_null(m);
	ck_assert_msg(strstr(err.msg, r->key), "%s: %s", r->key, err.msg);
}
END_TEST

/*
 * chap_algorithms in the three places it is taken: a TPG's auth (its ACLs'
 * policy), an ACL (instead of its TPG's), discovery_auth. Names in any case
 * and order, saved strongest first; the TPG's auth takes no credentials.
 */
START_TEST(chap_algorithms_everywhere)
{
	static const char text[] =
	    "discovery_auth = { userid = \"d\"; password = \"discovery-secret\";\n"
	    "                   chap_algorithms = \"sha3-256\"; };\n"
	    "targets = ( { iqn = \"iqn.2026-11.org.example:t\";\n"
	    "  tpgs = ( { tag = 1; auth = { chap_algorithms = \"MD5,SHA256\"; };\n"
	    "    acls = ( { initiator = \"iqn.2026-11.org.example:a\"; userid = \"a\";\n"
	    "               password = \"initiator-secret\"; chap_algorithms = \"SHA1\"; },\n"
	    "             { initiator = \"iqn.2026-11.org.example:b\"; } ); } ); } );\n";
	static const char *const bad[] = {
		/* credentials belong to ACLs */
		"targets = ( { iqn = \"iqn.2026-11.org.example:t\";\n"
		"  tpgs = ( { tag = 1; auth = { userid = \"u\"; password = \"initiator-secret\"; }; } ); } );\n",
		/* not names it knows, or none */
		"targets = ( { iqn = \"iqn.2026-11.org.example:t\";\n"
		"  tpgs = ( { tag = 1; auth = { chap_algorithms = \"SHA-256\"; }; } ); } );\n",
		"targets = ( { iqn = \"iqn.2026-11.org.example:t\";\n"
		"  tpgs = ( { tag = 1; auth = { chap_algorithms = \"\"; }; } ); } );\n",
		"targets = ( { iqn = \"iqn.2026-11.org.example:t\";\n"
		"  tpgs = ( { tag = 1; auth = { chap_algorithms = \"5,7\"; }; } ); } );\n",
		"targets = ( { iqn = \"iqn.2026-11.org.example:t\";\n"
		"  tpgs = ( { tag = 1; auth = { nothing = 1; }; } ); } );\n",
	};
	static const char *const why[] = {
		"CHAP credentials belong to an ACL", "'SHA-256' must be a list of SHA3-256, SHA256",
		"'' must be a list", "'5,7' must be a list", "nothing",
	};
	struct obj_model *m = parse(text), *back;
	const struct obj_tpg *tpg = &m->targets[0].tpgs[0];
	struct cfg_err err = { "" };
	config_setting_t *g;
	config_t cfg;

	ck_assert_uint_eq(tpg->auth.chap_algorithms,
			  CHAP_ALG_BIT(CHAP_ALG_MD5) | CHAP_ALG_BIT(CHAP_ALG_SHA256));
	ck_assert_uint_eq(tpg->acls[0].chap.chap_algorithms, CHAP_ALG_BIT(CHAP_ALG_SHA1));
	ck_assert_uint_eq(tpg->acls[1].chap.chap_algorithms, 0);
	ck_assert_uint_eq(m->discovery_auth.chap_algorithms, CHAP_ALG_BIT(CHAP_ALG_SHA3_256));
	back = round_trip(m);
	assert_equal(m, back);
	obj_model_free(back);
	config_init(&cfg);
	ck_assert_int_eq(config_build(m, &cfg), 0);
	g = config_lookup(&cfg, "targets.[0].tpgs.[0].auth.chap_algorithms");
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(config_setting_get_string(g), "SHA256,MD5");
	g = config_lookup(&cfg, "discovery_auth.chap_algorithms");
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(config_setting_get_string(g), "SHA3-256");
	ck_assert_ptr_null(config_lookup(&cfg, "targets.[0].tpgs.[0].acls.[1].chap_algorithms"));
	config_destroy(&cfg);
	obj_model_free(m);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		m = NULL;
		err = (struct cfg_err){ "" };
		ck_assert_int_eq(config_parse_string(bad[i], &m, &err), -EINVAL);
		ck_assert_ptr_null(m);
		ck_assert_msg(strstr(err.msg, why[i]), "%s", err.msg);
	}
}
END_TEST

/* A model at its defaults saves none of them: the groups are left out. */
START_TEST(defaults_save_nothing)
{
	struct obj_model *m = parse(base);
	config_setting_t *tpg;
	config_t cfg;

	for (size_t k = 0; k < ARRAY_SIZE(tables); k++)
		ck_assert(obj_settings_all_default(tables[k], object_of(m, tables[k])));
	config_init(&cfg);
	ck_assert_int_eq(config_build(m, &cfg), 0);
	tpg = config_lookup(&cfg, "targets.[0].tpgs.[0]");
	ck_assert_ptr_nonnull(tpg);
	ck_assert_ptr_null(config_setting_get_member(tpg, "attributes"));
	ck_assert_ptr_null(config_setting_get_member(tpg, "parameters"));
	ck_assert_ptr_null(config_setting_get_member(tpg, "auth"));
	ck_assert_ptr_null(config_setting_get_member(tpg, "alua"));
	ck_assert_ptr_null(config_lookup(&cfg, "discovery_auth"));
	config_destroy(&cfg);
	obj_model_free(m);
}
END_TEST

START_TEST(keys_are_unique_and_found)
{
	const char *keys[OBJ_SETTINGS_MAX];

	for (size_t k = 0; k < ARRAY_SIZE(tables); k++) {
		size_t n = obj_settings_keys(tables[k], keys, ARRAY_SIZE(keys));

		ck_assert_uint_eq(n, tables[k]->n);
		ck_assert_ptr_null(keys[n]);
		for (size_t i = 0; i < n; i++) {
			ck_assert_ptr_eq(obj_setting_find(tables[k], keys[i]), &tables[k]->rows[i]);
			ck_assert_ptr_nonnull(obj_setting_word(&tables[k]->rows[i]));
			for (size_t j = 0; j < i; j++)
				ck_assert_str_ne(keys[i], keys[j]);
		}
	}
	ck_assert_ptr_null(obj_setting_find(&obj_tpg_attr_settings, "MaxBurstLength"));
	/* a list too short for the table is cut, and still ends */
	ck_assert_uint_eq(obj_settings_keys(&obj_tpg_param_settings, keys, 3), 2);
	ck_assert_ptr_null(keys[2]);
}
END_TEST

/*
 * What the transport takes reaches it: every parameter into the login's
 * limits, the attributes a session starts with into its attributes; the
 * rest of the transport's struct is left as it was.
 */
START_TEST(to_the_transport)
{
	struct obj_model *m = parse(base);
	struct obj_tpg *tpg = &m->targets[0].tpgs[0];
	struct param_limits l, before;
	struct iscsi_session_attrs a;
	size_t n = 0;

	obj_settings_foreach(r, &obj_tpg_param_settings)
		set_other(&obj_tpg_param_settings, r, &tpg->params);
	obj_settings_foreach(r, &obj_tpg_param_settings)
		if (r->type == OBJ_SETTING_DIGEST)
			obj_setting_set_required(r, &tpg->params, true);
	param_limits_default(&l);
	before = l;
	obj_settings_to_transport(&obj_tpg_param_settings, &tpg->params, &l);
	ck_assert_uint_eq(l.max_recv_dsl, tpg->params.max_recv_dsl);
	ck_assert_uint_eq(l.max_burst, tpg->params.max_burst);
	ck_assert_uint_eq(l.first_burst, tpg->params.first_burst);
	ck_assert_uint_eq(l.max_outstanding_r2t, tpg->params.max_outstanding_r2t);
	ck_assert_int_eq(l.initial_r2t, tpg->params.initial_r2t);
	ck_assert_int_eq(l.immediate_data, tpg->params.immediate_data);
	ck_assert_int_eq(l.header_digest, tpg->params.header_digest);
	ck_assert_int_eq(l.header_digest_required, true);
	ck_assert_int_eq(l.data_digest, tpg->params.data_digest);
	ck_assert_int_eq(l.data_digest_required, true);
	ck_assert_uint_eq(l.default_time2wait, tpg->params.default_time2wait);
	ck_assert_uint_eq(l.default_time2retain, tpg->params.default_time2retain);
	/* what negotiation needs beyond the TPG's parameters stays the transport's */
	ck_assert_uint_eq(l.max_connections, before.max_connections);
	ck_assert_uint_eq(l.max_protocol_level, before.max_protocol_level);
	ck_assert_uint_eq(l.auth_methods, before.auth_methods);
	ck_assert_uint_eq(l.task_reporting, before.task_reporting);

	obj_settings_foreach(r, &obj_tpg_attr_settings) {
		set_other(&obj_tpg_attr_settings, r, &tpg->attrs);
		n += r->transport;
	}
	memset(&a, 0, sizeof(a));
	obj_settings_to_transport(&obj_tpg_attr_settings, &tpg->attrs, &a);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(a.nopin_interval_s, tpg->attrs.nopin_interval_s);
	ck_assert_uint_eq(a.nopin_timeout_s, tpg->attrs.nopin_timeout_s);
	ck_assert_uint_eq(a.default_cmdsn_depth, tpg->attrs.default_cmdsn_depth);
	obj_model_free(m);
}
END_TEST

/* ---- the top level ---- */

/* Each of the daemon's own settings, changed alone, is told apart under its field's name. */
START_TEST(globals_compared)
{
	const struct obj_global *r = &obj_globals[_i];
	struct obj_model *a = parse(base), *b = parse(base);
	char why[256] = "";
	char *text;

	if (r->value == OBJ_GLOBAL_PART) {
		/* their own rows: the tables above, config_save_test.c; one struct: compared whole */
		if (r->size) {
			((char *)b + r->offset)[0] ^= 1;
			ck_assert(!obj_model_equal(a, b, why, sizeof(why)));
			ck_assert_msg(strstr(why, r->key) != NULL, "%s", why);
		}
		goto out;
	}
	text = (char *)b + r->offset;
	switch (r->value) {
	case OBJ_GLOBAL_TEXT:
		text[0] ^= 1;
		break;
	case OBJ_GLOBAL_UINT:
	case OBJ_GLOBAL_SIZE:
		obj_global_set_num(r, b, obj_global_num(r, b) + 1);
		break;
	case OBJ_GLOBAL_BOOL:
		b->auto_save = !b->auto_save;
		break;
	case OBJ_GLOBAL_GROUP:
		/* every row of its table is told apart above (every_row_round_trips) */
		obj_setting_set_bool(&r->settings->rows[0], text,
				     !obj_setting_bool(&r->settings->rows[0], text));
		break;
	default:
		b->log_level = LOG_LEVEL_ERR;
		break;
	}
	ck_assert(!obj_model_equal(a, b, why, sizeof(why)));
	ck_assert_msg(strstr(why, r->field), "'%s' does not name %s", why, r->field);
	/* and a copy of it makes them the same again */
	obj_global_copy(r, b, a);
	assert_equal(a, b);
out:
	obj_model_free(a);
	obj_model_free(b);
}
END_TEST

/*
 * A number of the top level (UINT, SIZE): its default without the key;
 * its least and its greatest value read, saved (unless the default) and
 * read back the same; one below and one above refused with the key and
 * the range in the message.
 */
START_TEST(globals_numbers)
{
	const struct obj_global *r = &obj_globals[_i];
	const uint64_t ends[] = { r->min, r->max };
	struct cfg_err err = { "" };
	struct obj_model *m, *back;
	char text[128];

	if (r->value != OBJ_GLOBAL_UINT && r->value != OBJ_GLOBAL_SIZE)
		return;
	ck_assert_uint_lt(r->min, r->max);
	m = parse("");
	ck_assert_uint_eq(obj_global_num(r, m), r->def);
	obj_model_free(m);
	for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
		snprintf(text, sizeof(text), r->value == OBJ_GLOBAL_SIZE ? "%s = \"%llu\";\n" :
									     "%s = %llu;\n",
			 r->key, (unsigned long long)ends[i]);
		m = parse(text);
		ck_assert_uint_eq(obj_global_num(r, m), ends[i]);
		back = round_trip(m);
		ck_assert_uint_eq(obj_global_num(r, back), ends[i]);
		assert_equal(m, back);
		obj_model_free(back);
		obj_model_free(m);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
		uint64_t v = i ? r->max + 1 : r->min - 1;

		if (!i && !r->min)
			continue;
		snprintf(text, sizeof(text), r->value == OBJ_GLOBAL_SIZE ? "%s = \"%llu\";\n" :
									     "%s = %llu;\n",
			 r->key, (unsigned long long)v);
		m = NULL;
		err.msg[0] = '\0';
		ck_assert_int_eq(config_parse_string(text, &m, &err), -EINVAL);
		ck_assert_msg(strstr(err.msg, r->key) && strstr(err.msg, "must be from"), "%s",
			      err.msg);
	}
}
END_TEST

/* Sizes are read in the file's units and written in the largest that divides them. */
START_TEST(globals_size_units)
{
	struct obj_model *m = parse("io_memory_limit = \"3G\";\n"
				    "session_io_memory_limit = \"1536K\";\n");
	char *text = NULL;
	size_t len = 0;
	config_t cfg;
	FILE *f;

	ck_assert_uint_eq(m->io_memory_limit, 3ull << 30);
	ck_assert_uint_eq(m->session_io_memory_limit, 1536ull << 10);
	config_init(&cfg);
	ck_assert_int_eq(config_build(m, &cfg), 0);
	f = open_memstream(&text, &len);
	config_write(&cfg, f);
	fclose(f);
	config_destroy(&cfg);
	ck_assert_msg(strstr(text, "io_memory_limit = \"3G\";"), "%s", text);
	ck_assert_msg(strstr(text, "session_io_memory_limit = \"1536K\";"), "%s", text);
	/* at their defaults they are not written */
	ck_assert_msg(!strstr(text, "send_timeout"), "%s", text);
	free(text);
	obj_model_free(m);
}
END_TEST

/* auth_guard: on by default; its longest delay is not below its first. */
START_TEST(auth_guard_group)
{
	struct cfg_err err = { "" };
	struct obj_model *m = parse("");

	ck_assert(m->auth_guard.enabled);
	ck_assert_uint_eq(m->auth_guard.lockout_failures, 10);
	obj_model_free(m);
	m = parse("auth_guard = { delay_ms = 800; delay_max_ms = 800; };\n");
	ck_assert_uint_eq(m->auth_guard.delay_max_ms, 800);
	obj_model_free(m);
	m = NULL;
	ck_assert_int_eq(config_parse_string("auth_guard = {\n delay_ms = 900;\n delay_max_ms = 800;\n};\n",
					     &m, &err),
			 -EINVAL);
	ck_assert_str_eq(err.msg, "line 3: auth_guard: delay_max_ms (800) must not be below delay_ms (900)");
	/* against the default of the other */
	err.msg[0] = '\0';
	ck_assert_int_eq(config_parse_string("auth_guard = { delay_max_ms = 400; };\n", &m, &err),
			 -EINVAL);
	ck_assert_str_eq(err.msg, "line 1: auth_guard: delay_max_ms (400) must not be below delay_ms (500)");
}
END_TEST

START_TEST(globals_keys)
{
	const char *keys[OBJ_GLOBAL__COUNT + 1];
	struct cfg_err err = { "" };
	struct obj_model *m = NULL;

	ck_assert_uint_eq(obj_globals_keys(keys, ARRAY_SIZE(keys)), OBJ_GLOBAL__COUNT);
	ck_assert_ptr_null(keys[OBJ_GLOBAL__COUNT]);
	/* the message that refuses an unknown key lists them in the table's order */
	ck_assert_int_eq(config_parse_string("colour = \"red\";\n", &m, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "line 1: unknown key 'colour' (allowed: control_socket, io_threads, "
				  "log_level, debug, state_dir, backstores, targets, discovery_auth, "
				  "auto_save, io_memory_limit, session_io_memory_limit, "
				  "send_timeout, max_connections, max_connections_per_address, "
				  "auth_guard, shared_config)");
	err.msg[0] = '\0';
	ck_assert_int_eq(config_parse_string("log_level = \"loud\";\n", &m, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "line 1: log_level 'loud' is not one of err, warn, info, debug");
}
END_TEST

/* ---- backstores ---- */

/* The text of a backstore of kind k with what it needs, and extra ("thin = true;"). */
static void bs_text(const struct bs_kind *k, const char *extra, char *buf, size_t len)
{
	snprintf(buf, len, "backstores = ( { name = \"b\"; type = \"%s\";%s%s %s } );\n", k->name,
		 k->path_key ? " path = \"/srv/b\";" : "",
		 k->size_required ? " size = \"1G\";" : "", extra);
}

/*
 * Every row of a backstore, for every kind: what it applies to is read,
 * written, read back the same and told apart; what it does not apply to is
 * refused with the kind's reason.
 */
START_TEST(bs_every_row_every_kind)
{
	const struct bs_kind *k = &bs_kinds[_i / OBJ_BS_ROW__COUNT];
	const struct obj_bs_setting *r = &obj_bs_settings[_i % OBJ_BS_ROW__COUNT];
	struct obj_model *m, *back;
	struct cfg_err err = { "" };
	char text[512], extra[64], why[256] = "";

	if (!obj_bs_setting_applies(r, k)) {
		snprintf(extra, sizeof(extra), "%s = %s;", r->key,
			 r->value == OBJ_BS_BOOL ? "true" : "\"/x\"");
		bs_text(k, extra, text, sizeof(text));
		m = NULL;
		ck_assert_int_eq(config_parse_string(text, &m, &err), -EINVAL);
		snprintf(extra, sizeof(extra), "does not apply to a %s backstore (%s)", k->name,
			 bs_kind_refuses(k, r->takes));
		ck_assert_msg(strstr(err.msg, extra), "%s", err.msg);
		ck_assert_msg(strstr(err.msg, r->key), "%s", err.msg);
		return;
	}
	if (!r->field)
		return; /* name, type, path, identity: config_test.c and config_save_test.c */
	bs_text(k, "", text, sizeof(text));
	m = parse(text);
	if (r->value == OBJ_BS_TEXT) {
		ck_assert_str_eq(obj_bs_setting_text(r, &m->backstores[0].params), "");
		ck_assert_int_eq(obj_bs_setting_set_text(r, &m->backstores[0], "gw-1"), 0);
		ck_assert_str_eq(obj_bs_setting_text(r, &m->backstores[0].params), "gw-1");
		back = round_trip(m);
		assert_equal(m, back);
		ck_assert_int_eq(obj_bs_setting_set_text(r, &back->backstores[0], "gw-2"), 0);
		ck_assert(!obj_model_equal(m, back, why, sizeof(why)));
		ck_assert_msg(strstr(why, r->field), "'%s' does not name %s", why, r->field);
		/* bounded by the model's array */
		memset(text, 'x', sizeof(text) - 1);
		text[sizeof(text) - 1] = '\0';
		if (r->store_size <= sizeof(text) - 1)
			ck_assert_int_eq(obj_bs_setting_set_text(r, &back->backstores[0], text),
					 -ENAMETOOLONG);
		ck_assert_str_eq(obj_bs_setting_text(r, &back->backstores[0].params), "gw-2");
		obj_model_free(back);
		obj_model_free(m);
		return;
	}
	switch (r->value) {
	case OBJ_BS_SIZE:
		obj_bs_setting_set(r, &m->backstores[0].params, 2ULL << 30);
		break;
	case OBJ_BS_BOOL:
		obj_bs_setting_set(r, &m->backstores[0].params, !r->def);
		break;
	default:
		obj_bs_setting_set(r, &m->backstores[0].params, 4096);
		break;
	}
	ck_assert(obj_bs_setting_written(r, k, obj_bs_setting_get(r, &m->backstores[0].params)));
	back = round_trip(m);
	assert_equal(m, back);
	obj_bs_setting_set(r, &back->backstores[0].params,
			   obj_bs_setting_get(r, &back->backstores[0].params) ^ 1);
	ck_assert(!obj_model_equal(m, back, why, sizeof(why)));
	ck_assert_msg(strstr(why, r->field), "'%s' does not name %s", why, r->field);
	obj_model_free(back);
	obj_model_free(m);
}
END_TEST

/* What create takes at each kind, and as words without a name (docs/control-protocol.md). */
START_TEST(bs_create_args)
{
	static const char *const want[BS_KIND__COUNT][2] = {
		[BS_KIND_FILE] = { "name file size sparse thin write_back readonly block_size physical_block_size removable serial naa",
				   "name file size" },
		[BS_KIND_BLOCK] = { "name dev size write_back readonly block_size physical_block_size removable serial naa",
				    "name dev size" },
		[BS_KIND_LVM] = { "name dev size write_back readonly block_size physical_block_size removable serial naa",
				  "name dev size" },
		[BS_KIND_NULL] = { "name size readonly block_size physical_block_size removable serial naa", "name size" },
		[BS_KIND_RBD] = { "name image size readonly block_size physical_block_size removable serial naa ceph_conf ceph_client gateway_group gateway_name gateway_lease_ms ceph_op_timeout_ms",
				  "name image size" },
	};
	const char *args[OBJ_SETTINGS_MAX + 4];
	char got[256];

	for (size_t k = 0; k < BS_KIND__COUNT; k++) {
		for (int positional = 0; positional < 2; positional++) {
			size_t n = obj_bs_create_args(&bs_kinds[k], positional, args,
						      ARRAY_SIZE(args)),
			       len = 0;

			got[0] = '\0';
			for (size_t i = 0; i < n; i++)
				len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s",
							i ? " " : "", args[i]);
			ck_assert_ptr_null(args[n]);
			ck_assert_str_eq(got, want[k][positional]);
		}
	}
	/* the file's keys, in the order of the table */
	ck_assert_uint_eq(obj_bs_settings_keys(args, ARRAY_SIZE(args)), OBJ_BS_ROW__COUNT);
	ck_assert_str_eq(args[OBJ_BS_ROW_THIN], "thin");
	ck_assert_ptr_null(args[OBJ_BS_ROW__COUNT]);
}
END_TEST

/*
 * One default per setting: what create makes without the key is what the
 * file means without it (a store made in the shell reads back the same
 * from a file that leaves the key out). thin: sparse, targetcli's default.
 */
START_TEST(bs_one_default)
{
	obj_bs_settings_foreach(r) {
		if (r->value != OBJ_BS_BOOL || !r->create)
			continue;
		ck_assert_msg(r->def == r->def_create, "'%s': create's default %d, the file's %d",
			      r->key, r->def_create, r->def);
	}
	ck_assert(obj_bs_settings[OBJ_BS_ROW_THIN].def);
}
END_TEST

static Suite *obj_settings_suite(void)
{
	Suite *s = suite_create("obj_settings");
	TCase *tc = tcase_create("rows");

	tcase_add_loop_test(tc, every_row_round_trips, 0, (int)nrows());
	tcase_add_loop_test(tc, every_row_is_parsed, 0, (int)nrows());
	tcase_add_test(tc, digests_required);
	tcase_add_test(tc, chap_algorithms_everywhere);
	tcase_add_test(tc, defaults_save_nothing);
	tcase_add_test(tc, keys_are_unique_and_found);
	tcase_add_test(tc, to_the_transport);
	suite_add_tcase(s, tc);

	tc = tcase_create("top level");
	tcase_add_loop_test(tc, globals_compared, 0, OBJ_GLOBAL__COUNT);
	tcase_add_loop_test(tc, globals_numbers, 0, OBJ_GLOBAL__COUNT);
	tcase_add_test(tc, globals_size_units);
	tcase_add_test(tc, auth_guard_group);
	tcase_add_test(tc, globals_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("backstores");
	tcase_add_loop_test(tc, bs_every_row_every_kind, 0, BS_KIND__COUNT * OBJ_BS_ROW__COUNT);
	tcase_add_test(tc, bs_create_args);
	tcase_add_test(tc, bs_one_default);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(obj_settings_suite)
