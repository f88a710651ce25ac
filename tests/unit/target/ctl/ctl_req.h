/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Requests to the control operations through their seam, ctl_ops_handle(),
 * against the stand-in daemon (ctl_fake_host.h), for the unit tests of
 * target/ctl/: a served model with auto_save off, a request and its reply,
 * and the checks that a request went through or was refused without
 * changing anything.
 *
 * Everything is static: include it in one file of a program.
 */
#ifndef PORTICO_TESTS_CTL_REQ_H
#define PORTICO_TESTS_CTL_REQ_H

#include <check.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/ctl.h"
#include "target/backstore/bs.h"
#include "target/ctl/ctl_ops.h"
#include "target/model/config.h"
#include "target/scsi/scsi.h"
#include "tests/unit/target/ctl/ctl_fake_host.h"

#define TGT "iqn.2026-11.org.example:storage1"
#define TPG "/iscsi/" TGT "/tpg1"
#define KVM1 "iqn.2026-11.org.example:kvm1"
#define KVM2 "iqn.2026-11.org.example:kvm2"

/* ---- the daemon, as the control operations see it ---- */

static struct fake_host S;
static const struct ctl_host H = { &fake_host_ops, &S };

/* ---- requests ---- */

static struct ctl_reply R;

static void setup(void)
{
	struct cfg_err err = { { 0 } };

	static bool registered;

	if (!registered) {
		bs_register_builtin();
		scsi_init();
		registered = true;
	}
	memset(&S, 0, sizeof(S));
	ck_assert_int_eq(config_parse_string("auto_save = false;\n"
					     "state_dir = \"/nonexistent/portico-ctl-test\";\n",
					     &S.model, &err),
			 0);
	memset(&R, 0, sizeof(R));
}

static void reply_fini(void)
{
	if (R.result)
		json_object_put(R.result);
	memset(&R, 0, sizeof(R));
}

static void teardown(void)
{
	reply_fini();
	obj_model_free(S.model);
	S.model = NULL;
}

/*
 * Sends {op, path, args} (args: a JSON object text, or NULL) to the
 * operations over host; returns the reply's err.
 */
static inline int req_on(const struct ctl_host *host, const char *op, const char *path,
			 const char *args)
{
	char line[4096];
	const char *why = NULL;
	struct ctl_request r;

	reply_fini();
	snprintf(line, sizeof(line), "{\"v\": 1, \"id\": 1, \"op\": \"%s\", \"path\": \"%s\"%s%s}",
		 op, path, args ? ", \"args\": " : "", args ? args : "");
	ck_assert_msg(!ctl_request_parse(line, strlen(line), &r, &why), "%s: %s", line, why);
	ctl_ops_handle(host, &r, &R);
	ctl_request_fini(&r);
	return R.err;
}

/* req_on the fake host. */
static int req(const char *op, const char *path, const char *args)
{
	return req_on(&H, op, path, args);
}

/* The request must succeed. */
static void ok(const char *op, const char *path, const char *args)
{
	int rc = req(op, path, args);

	ck_assert_msg(rc == 0, "%s %s %s: %s (%s)", op, path, args ? args : "", R.message,
		      strerror(-rc));
}

/* The request must fail with err, its message containing what; the model must not change. */
static void refused(const char *op, const char *path, const char *args, int err, const char *what)
{
	char why[256];
	struct obj_model *copy = NULL;
	config_t cfg;
	struct cfg_err cerr = { { 0 } };

	config_init(&cfg);
	ck_assert_int_eq(config_build(S.model, &cfg), 0);
	ck_assert_int_eq(config_parse_cfg(&cfg, "", &copy, &cerr), 0);
	config_destroy(&cfg);
	ck_assert_int_eq(req(op, path, args), err);
	ck_assert_msg(strstr(R.message, what), "%s %s: message '%s' lacks '%s'", op, path,
		      R.message, what);
	ck_assert_msg(obj_model_equal(copy, S.model, why, sizeof(why)),
		      "%s %s refused, yet the model changed: %s", op, path, why);
	obj_model_free(copy);
}

/* Whether the reply's messages hold a line equal to line. */
static inline bool said(const char *line)
{
	struct json_object *m;

	if (!R.result || !json_object_object_get_ex(R.result, "messages", &m))
		return false;
	for (size_t i = 0; i < json_object_array_length(m); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(m, i)), line))
			return true;
	return false;
}

static inline const char *result_str(const char *key)
{
	struct json_object *v;

	if (!R.result || !json_object_object_get_ex(R.result, key, &v))
		return NULL;
	return json_object_get_string(v);
}

#endif
