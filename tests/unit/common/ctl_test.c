/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl.h"
#include "tests/unit/check_main.h"

static char buf[CTL_BUF_SIZE];

static struct json_object *obj(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	ck_assert_ptr_nonnull(o);
	return o;
}

static int req_parse(const char *text, struct ctl_request *req, const char **why)
{
	return ctl_request_parse(text, strlen(text), req, why);
}

static int rsp_parse(const char *text, struct ctl_response *rsp, const char **why)
{
	return ctl_response_parse(text, strlen(text), rsp, why);
}

static const char *arg_str(const struct ctl_request *req, const char *key)
{
	struct json_object *o;

	if (!json_object_object_get_ex(req->args, key, &o) || !json_object_is_type(o, json_type_string))
		return NULL;
	return json_object_get_string(o);
}

/* ---- requests ---------------------------------------------------------- */

START_TEST(utf8_valid_prefix)
{
	/* ASCII, then 2-, 3- and 4-byte characters: all valid */
	static const char ok[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x92\xbe";

	ck_assert_uint_eq(ctl_utf8_valid_len(ok, sizeof(ok) - 1), sizeof(ok) - 1);
	/* cut inside the 4-byte character: the prefix before it */
	ck_assert_uint_eq(ctl_utf8_valid_len(ok, sizeof(ok) - 2), 6);
	ck_assert_uint_eq(ctl_utf8_valid_len("ab\xc3", 3), 2);
	ck_assert_uint_eq(ctl_utf8_valid_len("ab\x80" "cd", 5), 2);	    /* a lone continuation */
	ck_assert_uint_eq(ctl_utf8_valid_len("a\xc0\xaf" "b", 4), 1);	    /* overlong '/' */
	ck_assert_uint_eq(ctl_utf8_valid_len("a\xed\xa0\x80", 4), 1);    /* a surrogate */
	ck_assert_uint_eq(ctl_utf8_valid_len("a\xf4\x90\x80\x80", 5), 1); /* above U+10FFFF */
	ck_assert_uint_eq(ctl_utf8_valid_len("a\xe2\x28\xa1", 4), 1);    /* a bad second byte */
	ck_assert_uint_eq(ctl_utf8_valid_len("", 0), 0);
}
END_TEST

/* A message cut inside a character still arrives (the fuzzer's ctl-reply-utf8-cut). */
START_TEST(error_message_cut_inside_a_character)
{
	static char out[CTL_BUF_SIZE];
	struct ctl_response rsp;
	const char *why = NULL;
	int64_t id = 9;
	int n;

	n = ctl_response_build_error(out, sizeof(out), &id, EINVAL, "name '\xc3\xa9\xc3",
				     "hint \xe2\x82");
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ctl_response_parse(out, (size_t)n - 1, &rsp, &why), 0);
	ck_assert_str_eq(rsp.message, "name '\xc3\xa9");
	ck_assert_str_eq(rsp.hint, "hint ");
	ctl_response_fini(&rsp);
	/* nothing valid at all: still an answer */
	n = ctl_response_build_error(out, sizeof(out), &id, EINVAL, "\xff", NULL);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ctl_response_parse(out, (size_t)n - 1, &rsp, &why), 0);
	ctl_response_fini(&rsp);
}
END_TEST

START_TEST(result_not_utf8_refused)
{
	static char out[CTL_BUF_SIZE];
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "path", json_object_new_string("/srv/\xe9t\xe9.img"));
	ck_assert_int_eq(ctl_response_build_ok(out, sizeof(out), NULL, r), -EILSEQ);
	json_object_put(r);
}
END_TEST

START_TEST(request_round_trip)
{
	struct json_object *args = obj("{\"name\": \"LUN0\", \"file\": \"/LUN0/LUN0.img\", "
				       "\"size\": \"20G\", \"block_size\": 4096, \"thin\": true}");
	struct ctl_request req;
	struct json_object *o;
	const char *why = NULL;
	int n;

	n = ctl_request_build(buf, sizeof(buf), 7, "create", "/backstores/file", args);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strlen(buf), (size_t)n);
	ck_assert_int_eq(buf[n - 1], '\n');
	ck_assert_ptr_null(memchr(buf, '\n', (size_t)n - 1));
	ck_assert_str_eq(buf, "{\"v\":1,\"id\":7,\"op\":\"create\",\"path\":\"/backstores/file\","
			      "\"args\":{\"name\":\"LUN0\",\"file\":\"/LUN0/LUN0.img\",\"size\":\"20G\","
			      "\"block_size\":4096,\"thin\":true}}\n");
	/* the caller keeps its reference: args is still usable */
	ck_assert_int_eq(json_object_object_length(args), 5);
	json_object_put(args);

	ck_assert_int_eq(ctl_request_parse(buf, (size_t)n - 1, &req, &why), 0);
	ck_assert(req.has_id);
	ck_assert_int_eq(req.id, 7);
	ck_assert_str_eq(req.op, "create");
	ck_assert_str_eq(req.path, "/backstores/file");
	ck_assert_str_eq(arg_str(&req, "name"), "LUN0");
	ck_assert_str_eq(arg_str(&req, "size"), "20G");
	ck_assert(json_object_object_get_ex(req.args, "block_size", &o));
	ck_assert_int_eq(json_object_get_int64(o), 4096);
	ck_assert(json_object_object_get_ex(req.args, "thin", &o));
	ck_assert(json_object_get_boolean(o));
	ctl_request_fini(&req);
	ck_assert_ptr_null(req.msg);
}
END_TEST

START_TEST(request_escapes_stay_on_one_line)
{
	struct json_object *args = obj("{\"_1\": \"a\\nb\\\"c\\u0001/\"}");
	struct ctl_request req;
	int n;

	n = ctl_request_build(buf, sizeof(buf), -3, "create", "/iscsi", args);
	json_object_put(args);
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_null(memchr(buf, '\n', (size_t)n - 1));
	ck_assert_int_eq(ctl_request_parse(buf, (size_t)n - 1, &req, NULL), 0);
	ck_assert_int_eq(req.id, -3);
	ck_assert_str_eq(arg_str(&req, "_1"), "a\nb\"c\x01/");
	ctl_request_fini(&req);
}
END_TEST

START_TEST(request_without_args)
{
	struct ctl_request req;
	int n;

	n = ctl_request_build(buf, sizeof(buf), 1, "status", "/", NULL);
	ck_assert_str_eq(buf, "{\"v\":1,\"id\":1,\"op\":\"status\",\"path\":\"/\",\"args\":{}}\n");
	ck_assert_int_eq(ctl_request_parse(buf, (size_t)n - 1, &req, NULL), 0);
	ck_assert_int_eq(json_object_object_length(req.args), 0);
	ctl_request_fini(&req);

	/* omitted on the wire: the same as {} */
	ck_assert_int_eq(req_parse("{\"v\":1,\"id\":2,\"op\":\"version\",\"path\":\"/\"}", &req, NULL),
			 0);
	ck_assert_ptr_nonnull(req.args);
	ck_assert(json_object_is_type(req.args, json_type_object));
	ck_assert_int_eq(json_object_object_length(req.args), 0);
	ctl_request_fini(&req);
}
END_TEST

START_TEST(request_build_refuses)
{
	static const char *const bad_args[] = {
		"{\"a\": 1.5}", "{\"a\": null}", "{\"a\": [1]}", "{\"a\": {\"b\": 1}}", "[1, 2]", "\"x\"",
	};
	size_t i;

	ck_assert_int_eq(ctl_request_build(buf, sizeof(buf), 1, "get", "backstores", NULL), -EINVAL);
	ck_assert_int_eq(ctl_request_build(buf, sizeof(buf), 1, "", "/", NULL), -EINVAL);
	ck_assert_int_eq(ctl_request_build(buf, sizeof(buf), 1, NULL, "/", NULL), -EINVAL);
	ck_assert_int_eq(ctl_request_build(buf, sizeof(buf), 1, "get", NULL, NULL), -EINVAL);
	for (i = 0; i < sizeof(bad_args) / sizeof(bad_args[0]); i++) {
		struct json_object *a = obj(bad_args[i]);

		ck_assert_msg(ctl_request_build(buf, sizeof(buf), 1, "create", "/", a) == -EINVAL,
			      "args %s", bad_args[i]);
		json_object_put(a);
	}
}
END_TEST

START_TEST(request_build_bounds)
{
	struct json_object *args = json_object_new_object();
	char small[64];
	char *big;
	int n;

	/* exactly what fits: the line, its '\n' and the NUL */
	n = ctl_request_build(buf, sizeof(buf), 1, "status", "/", NULL);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ctl_request_build(small, (size_t)n, 1, "status", "/", NULL), -ENOSPC);
	ck_assert_int_eq(ctl_request_build(small, (size_t)n + 1, 1, "status", "/", NULL), n);

	big = malloc(CTL_MSG_MAX);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', CTL_MSG_MAX - 1);
	big[CTL_MSG_MAX - 1] = '\0';
	json_object_object_add(args, "name", json_object_new_string(big));
	ck_assert_int_eq(ctl_request_build(buf, sizeof(buf), 1, "create", "/", args), -EMSGSIZE);
	json_object_put(args);
	free(big);
}
END_TEST

struct bad_request {
	const char *text;
	int rc;
	bool has_id;
	const char *why;
};

static const struct bad_request bad_requests[] = {
	{ "", -EINVAL, false, "empty message" },
	{ "{\"v\":1,\"id\":1,\"op\":\"get\",\"path\":\"/\"", -EINVAL, false, "incomplete JSON" },
	{ "{\"v\":1,\"id\":1,\"op\":\"get\",\"path\":\"/\",}", -EINVAL, false, "malformed JSON" },
	{ "{\"v\":1,\"id\":1,\"op\":\"get\",\"path\":\"/\"} x", -EINVAL, false, "malformed JSON" },
	{ "{\"v\":1,\"id\":1,\"op\":\"get\",\"path\":\"/\"}{}", -EINVAL, false, "malformed JSON" },
	{ "[1, 2]", -EINVAL, false, "a message must be a JSON object" },
	{ "\"text\"", -EINVAL, false, "a message must be a JSON object" },
	{ "{\"v\":1,\"op\":\"get\",\"path\":\"/\"}", -EINVAL, false, "'id' is missing" },
	{ "{\"v\":1,\"id\":\"7\",\"op\":\"get\",\"path\":\"/\"}", -EINVAL, false,
	  "'id' must be an integer" },
	{ "{\"v\":1,\"id\":7.0,\"op\":\"get\",\"path\":\"/\"}", -EINVAL, false,
	  "'id' must be an integer" },
	{ "{\"v\":1,\"id\":null,\"op\":\"get\",\"path\":\"/\"}", -EINVAL, false,
	  "'id' must be an integer" },
	{ "{\"v\":1,\"id\":9223372036854775808,\"op\":\"get\",\"path\":\"/\"}", -EINVAL, false,
	  "'id' must be an integer" },
	{ "{\"id\":4,\"op\":\"get\",\"path\":\"/\"}", -EINVAL, true,
	  "'v' (the protocol version) is missing" },
	{ "{\"v\":\"1\",\"id\":4,\"op\":\"get\",\"path\":\"/\"}", -EINVAL, true,
	  "'v' must be an integer" },
	{ "{\"v\":2,\"id\":4,\"op\":\"get\",\"path\":\"/\"}", -EPROTONOSUPPORT, true,
	  "protocol version not supported (this side speaks version 1)" },
	{ "{\"v\":1,\"id\":4,\"path\":\"/\"}", -EINVAL, true, "'op' must be a non-empty string" },
	{ "{\"v\":1,\"id\":4,\"op\":\"\",\"path\":\"/\"}", -EINVAL, true,
	  "'op' must be a non-empty string" },
	{ "{\"v\":1,\"id\":4,\"op\":3,\"path\":\"/\"}", -EINVAL, true,
	  "'op' must be a non-empty string" },
	{ "{\"v\":1,\"id\":4,\"op\":\"g\\u0000et\",\"path\":\"/\"}", -EINVAL, true,
	  "'op' must be a non-empty string" },
	{ "{\"v\":1,\"id\":4,\"op\":\"get\"}", -EINVAL, true, "'path' must be an absolute path" },
	{ "{\"v\":1,\"id\":4,\"op\":\"get\",\"path\":\"backstores\"}", -EINVAL, true,
	  "'path' must be an absolute path" },
	{ "{\"v\":1,\"id\":4,\"op\":\"get\",\"path\":[\"/\"]}", -EINVAL, true,
	  "'path' must be an absolute path" },
	{ "{\"v\":1,\"id\":4,\"op\":\"get\",\"path\":\"/\",\"args\":[]}", -EINVAL, true,
	  "'args' must be an object of strings, integers and booleans" },
	{ "{\"v\":1,\"id\":4,\"op\":\"get\",\"path\":\"/\",\"args\":null}", -EINVAL, true,
	  "'args' must be an object of strings, integers and booleans" },
	{ "{\"v\":1,\"id\":4,\"op\":\"get\",\"path\":\"/\",\"args\":{\"depth\":1.5}}", -EINVAL, true,
	  "'args' must be an object of strings, integers and booleans" },
	{ "{\"v\":1,\"id\":4,\"op\":\"get\",\"path\":\"/\",\"args\":{\"a\":{}}}", -EINVAL, true,
	  "'args' must be an object of strings, integers and booleans" },
	{ "{\"v\":1,\"id\":4,\"op\":\"get\",\"path\":\"/\",\"args\":{\"a\":null}}", -EINVAL, true,
	  "'args' must be an object of strings, integers and booleans" },
	{ "{\"v\":1,\"id\":4,\"op\":\"get\",\"path\":\"/\",\"args\":{\"a\":\"x\\u0000y\"}}", -EINVAL,
	  true, "'args' must be an object of strings, integers and booleans" },
	{ "{\"v\":1,\"id\":4,\"op\":\"get\",\"path\":\"/\xff\"}", -EINVAL, false, "invalid UTF-8" },
};

START_TEST(request_parse_refuses)
{
	const struct bad_request *b = &bad_requests[_i];
	struct ctl_request req;
	const char *why = NULL;

	ck_assert_msg(req_parse(b->text, &req, &why) == b->rc, "%s", b->text);
	ck_assert_msg(req.has_id == b->has_id, "%s: has_id", b->text);
	if (b->has_id)
		ck_assert_int_eq(req.id, 4);
	ck_assert_ptr_null(req.msg);
	ck_assert_ptr_null(req.args);
	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, b->why);
}
END_TEST

START_TEST(request_parse_nul_and_size)
{
	static const char text[] = "{\"v\":1,\"id\":1,\"op\":\"get\",\"path\":\"/\"}";
	struct ctl_request req;
	const char *why = NULL;
	char with_nul[sizeof(text) + 4];
	char *big;
	size_t n = sizeof(text) - 1;

	/* the length bounds the parse: what follows is not read */
	memcpy(with_nul, text, n);
	memcpy(with_nul + n, "garb", 4);
	ck_assert_int_eq(ctl_request_parse(with_nul, n, &req, &why), 0);
	ctl_request_fini(&req);

	memcpy(with_nul, text, n);
	with_nul[n] = '\0';
	with_nul[n + 1] = ' ';
	ck_assert_int_eq(ctl_request_parse(with_nul, n + 2, &req, &why), -EINVAL);
	ck_assert_str_eq(why, "NUL byte in message");

	big = malloc(CTL_MSG_MAX + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', CTL_MSG_MAX + 1);
	memcpy(big, text, n);
	/* exactly the bound: accepted (the rest is white space) */
	ck_assert_int_eq(ctl_request_parse(big, CTL_MSG_MAX, &req, &why), 0);
	ctl_request_fini(&req);
	ck_assert_int_eq(ctl_request_parse(big, CTL_MSG_MAX + 1, &req, &why), -EMSGSIZE);
	ck_assert_str_eq(why, "message longer than 1 MiB");
	free(big);
}
END_TEST

START_TEST(request_parse_depth)
{
	char text[512];
	struct ctl_request req;
	const char *why = NULL;
	size_t i, n = 0;

	n += (size_t)snprintf(text, sizeof(text), "{\"v\":1,\"id\":1,\"op\":\"get\",\"path\":\"/\",\"x\":");
	for (i = 0; i < 80; i++)
		text[n++] = '[';
	for (i = 0; i < 80; i++)
		text[n++] = ']';
	text[n++] = '}';
	ck_assert_int_eq(ctl_request_parse(text, n, &req, &why), -EINVAL);
	ck_assert_str_eq(why, "JSON nested too deeply");
}
END_TEST

START_TEST(request_ignores_unknown_fields)
{
	struct ctl_request req;

	ck_assert_int_eq(req_parse("{\"v\":1,\"id\":5,\"op\":\"get\",\"path\":\"/iscsi\","
				   "\"args\":{\"depth\":1},\"later\":[1,{}]}",
				   &req, NULL),
			 0);
	ck_assert_str_eq(req.path, "/iscsi");
	ctl_request_fini(&req);
}
END_TEST

/* ---- responses --------------------------------------------------------- */

START_TEST(response_ok_round_trip)
{
	struct json_object *result = obj("{\"name\": \"LUN0\", \"path\": \"/backstores/file/LUN0\", "
					 "\"type\": \"backstore\", \"summary\": \"x\", "
					 "\"props\": {\"size\": 21474836480}, \"children\": []}");
	struct ctl_response rsp;
	struct json_object *o, *p;
	int64_t id = 7;
	int n;

	n = ctl_response_build_ok(buf, sizeof(buf), &id, result);
	json_object_put(result);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ctl_response_parse(buf, (size_t)n - 1, &rsp, NULL), 0);
	ck_assert(rsp.has_id);
	ck_assert_int_eq(rsp.id, 7);
	ck_assert(rsp.ok);
	ck_assert_ptr_nonnull(rsp.result);
	ck_assert(json_object_object_get_ex(rsp.result, "props", &p));
	ck_assert(json_object_object_get_ex(p, "size", &o));
	ck_assert_int_eq(json_object_get_int64(o), 21474836480LL);
	ctl_response_fini(&rsp);

	/* no result: {} */
	n = ctl_response_build_ok(buf, sizeof(buf), &id, NULL);
	ck_assert_str_eq(buf, "{\"v\":1,\"id\":7,\"ok\":true,\"result\":{}}\n");
	ck_assert_int_eq(ctl_response_parse(buf, (size_t)n - 1, &rsp, NULL), 0);
	ck_assert_int_eq(json_object_object_length(rsp.result), 0);
	ctl_response_fini(&rsp);

	/* a result omitted on the wire */
	ck_assert_int_eq(rsp_parse("{\"v\":1,\"id\":8,\"ok\":true}", &rsp, NULL), 0);
	ck_assert(rsp.ok);
	ck_assert_ptr_null(rsp.result);
	ctl_response_fini(&rsp);
}
END_TEST

START_TEST(response_error_round_trip)
{
	struct ctl_response rsp;
	int64_t id = 9;
	int n;

	n = ctl_response_build_error(buf, sizeof(buf), &id, -EEXIST, "backstore 'LUN0' exists",
				     "choose another name, or delete /backstores/file/LUN0 first");
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(buf, "{\"v\":1,\"id\":9,\"ok\":false,\"error\":{\"code\":\"EEXIST\","
			      "\"message\":\"backstore 'LUN0' exists\",\"hint\":\"choose another name, "
			      "or delete /backstores/file/LUN0 first\"}}\n");
	ck_assert_int_eq(ctl_response_parse(buf, (size_t)n - 1, &rsp, NULL), 0);
	ck_assert(!rsp.ok);
	ck_assert_ptr_null(rsp.result);
	ck_assert_str_eq(rsp.code, "EEXIST");
	ck_assert_int_eq(ctl_errno_from_name(rsp.code), EEXIST);
	ck_assert_str_eq(rsp.message, "backstore 'LUN0' exists");
	ck_assert_str_eq(rsp.hint, "choose another name, or delete /backstores/file/LUN0 first");
	ctl_response_fini(&rsp);

	/* no hint, and an unreadable request's id */
	n = ctl_response_build_error(buf, sizeof(buf), NULL, EINVAL, "'op' must be a non-empty string",
				     NULL);
	ck_assert_str_eq(buf, "{\"v\":1,\"id\":null,\"ok\":false,\"error\":{\"code\":\"EINVAL\","
			      "\"message\":\"'op' must be a non-empty string\"}}\n");
	ck_assert_int_eq(ctl_response_parse(buf, (size_t)n - 1, &rsp, NULL), 0);
	ck_assert(!rsp.has_id);
	ck_assert_str_eq(rsp.hint, "");
	ctl_response_fini(&rsp);

	ck_assert_int_eq(ctl_response_build_error(buf, sizeof(buf), &id, EIO, "", "x"), -EINVAL);
	ck_assert_int_eq(ctl_response_build_error(buf, sizeof(buf), &id, EIO, NULL, "x"), -EINVAL);
}
END_TEST

static const struct bad_request bad_responses[] = {
	{ "{\"v\":1,\"ok\":true}", -EINVAL, false, "'id' is missing" },
	{ "{\"v\":1,\"id\":true,\"ok\":true}", -EINVAL, false, "'id' must be an integer or null" },
	{ "{\"id\":4,\"ok\":true}", -EINVAL, true, "'v' (the protocol version) is missing" },
	{ "{\"v\":7,\"id\":4,\"ok\":true}", -EPROTONOSUPPORT, true,
	  "protocol version not supported (this side speaks version 1)" },
	{ "{\"v\":1,\"id\":4}", -EINVAL, true, "'ok' must be a boolean" },
	{ "{\"v\":1,\"id\":4,\"ok\":1}", -EINVAL, true, "'ok' must be a boolean" },
	{ "{\"v\":1,\"id\":4,\"ok\":false}", -EINVAL, true,
	  "an error response needs an 'error' object" },
	{ "{\"v\":1,\"id\":4,\"ok\":false,\"error\":\"EIO\"}", -EINVAL, true,
	  "an error response needs an 'error' object" },
	{ "{\"v\":1,\"id\":4,\"ok\":false,\"error\":{\"message\":\"m\"}}", -EINVAL, true,
	  "'error.code' must be a non-empty string" },
	{ "{\"v\":1,\"id\":4,\"ok\":false,\"error\":{\"code\":\"\",\"message\":\"m\"}}", -EINVAL, true,
	  "'error.code' must be a non-empty string" },
	{ "{\"v\":1,\"id\":4,\"ok\":false,\"error\":{\"code\":\"EIO\"}}", -EINVAL, true,
	  "'error.message' must be a non-empty string" },
	{ "{\"v\":1,\"id\":4,\"ok\":false,\"error\":{\"code\":\"EIO\",\"message\":5}}", -EINVAL, true,
	  "'error.message' must be a non-empty string" },
	{ "{\"v\":1,\"id\":4,\"ok\":false,\"error\":{\"code\":\"EIO\",\"message\":\"m\",\"hint\":[]}}",
	  -EINVAL, true, "'error.hint' must be a string" },
	{ "not json", -EINVAL, false, "malformed JSON" },
};

START_TEST(response_parse_refuses)
{
	const struct bad_request *b = &bad_responses[_i];
	struct ctl_response rsp;
	const char *why = NULL;

	ck_assert_msg(rsp_parse(b->text, &rsp, &why) == b->rc, "%s", b->text);
	ck_assert_msg(rsp.has_id == b->has_id, "%s: has_id", b->text);
	ck_assert_ptr_null(rsp.msg);
	ck_assert_ptr_null(rsp.code);
	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, b->why);
}
END_TEST

START_TEST(response_hint_null_is_empty)
{
	struct ctl_response rsp;

	ck_assert_int_eq(rsp_parse("{\"v\":1,\"id\":1,\"ok\":false,\"error\":{\"code\":\"ENOENT\","
				   "\"message\":\"no such node\",\"hint\":null}}",
				   &rsp, NULL),
			 0);
	ck_assert_str_eq(rsp.hint, "");
	ctl_response_fini(&rsp);
}
END_TEST

START_TEST(errno_names)
{
	ck_assert_str_eq(ctl_errno_name(EEXIST), "EEXIST");
	ck_assert_str_eq(ctl_errno_name(-EBUSY), "EBUSY");
	ck_assert_str_eq(ctl_errno_name(EPROTONOSUPPORT), "EPROTONOSUPPORT");
	ck_assert_str_eq(ctl_errno_name(EMSGSIZE), "EMSGSIZE");
	ck_assert_str_eq(ctl_errno_name(100000), "EIO");
	ck_assert_int_eq(ctl_errno_from_name("ENOENT"), ENOENT);
	ck_assert_int_eq(ctl_errno_from_name("EPERM"), EPERM);
	ck_assert_int_eq(ctl_errno_from_name("ENOSPC"), ENOSPC);
	ck_assert_int_eq(ctl_errno_from_name("ENOTSUP"), ENOTSUP);
	ck_assert_int_eq(ctl_errno_from_name("EWOULDBLOCK"), EAGAIN);
	ck_assert_int_eq(ctl_errno_from_name("EBOGUS"), 0);
	ck_assert_int_eq(ctl_errno_from_name("eexist"), 0);
}
END_TEST

/* ---- framing ----------------------------------------------------------- */

START_TEST(reader_split_frames)
{
	static const char stream[] = "{\"a\":1}\n{\"b\":\"two\"}\n";
	struct ctl_reader r;
	const char *m;
	size_t i, len, got = 0;
	char seen[2][16];

	ctl_reader_init(&r);
	ck_assert_int_eq(ctl_reader_next(&r, &m, &len), 0);
	/* one byte at a time */
	for (i = 0; i < sizeof(stream) - 1; i++) {
		ck_assert_int_eq(ctl_reader_feed(&r, stream + i, 1), 0);
		while (ctl_reader_next(&r, &m, &len) == 1) {
			ck_assert_uint_lt(got, 2);
			ck_assert_uint_eq(strlen(m), len);
			snprintf(seen[got++], sizeof(seen[0]), "%s", m);
		}
		if (stream[i] != '\n')
			ck_assert_uint_gt(ctl_reader_pending(&r), 0);
		else
			ck_assert_uint_eq(ctl_reader_pending(&r), 0);
	}
	ck_assert_uint_eq(got, 2);
	ck_assert_str_eq(seen[0], "{\"a\":1}");
	ck_assert_str_eq(seen[1], "{\"b\":\"two\"}");
	ctl_reader_fini(&r);
}
END_TEST

START_TEST(reader_merged_frames)
{
	static const char stream[] = "{\"a\":1}\n\n{\"b\":2}\n{\"c\":";
	struct ctl_reader r;
	const char *m;
	size_t len;

	ctl_reader_init(&r);
	ck_assert_int_eq(ctl_reader_feed(&r, stream, sizeof(stream) - 1), 0);
	ck_assert_uint_eq(ctl_reader_pending(&r), 5);
	ck_assert_int_eq(ctl_reader_next(&r, &m, &len), 1);
	ck_assert_str_eq(m, "{\"a\":1}");
	/* an empty line is an (empty) message: the parser refuses it */
	ck_assert_int_eq(ctl_reader_next(&r, &m, &len), 1);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(ctl_reader_next(&r, &m, &len), 1);
	ck_assert_str_eq(m, "{\"b\":2}");
	ck_assert_int_eq(ctl_reader_next(&r, &m, &len), 0);
	ck_assert_int_eq(ctl_reader_feed(&r, "3}\n{\"d\":4}\n", 11), 0);
	ck_assert_int_eq(ctl_reader_next(&r, &m, &len), 1);
	ck_assert_str_eq(m, "{\"c\":3}");
	ck_assert_uint_eq(len, 7);
	ck_assert_int_eq(ctl_reader_next(&r, &m, &len), 1);
	ck_assert_str_eq(m, "{\"d\":4}");
	ck_assert_int_eq(ctl_reader_next(&r, &m, &len), 0);
	ck_assert_uint_eq(ctl_reader_pending(&r), 0);
	/* nothing fed: nothing changes */
	ck_assert_int_eq(ctl_reader_feed(&r, NULL, 0), 0);
	ck_assert_int_eq(ctl_reader_next(&r, &m, &len), 0);
	ctl_reader_fini(&r);
}
END_TEST

START_TEST(reader_oversized_partial)
{
	struct ctl_reader r;
	const char *m;
	size_t len;
	char *chunk = malloc(64 * 1024);

	ck_assert_ptr_nonnull(chunk);
	memset(chunk, 'x', 64 * 1024);
	ctl_reader_init(&r);
	/* exactly CTL_MSG_MAX bytes without a '\n' are still a message in progress */
	for (len = 0; len < CTL_MSG_MAX; len += 64 * 1024)
		ck_assert_int_eq(ctl_reader_feed(&r, chunk, 64 * 1024), 0);
	ck_assert_uint_eq(ctl_reader_pending(&r), CTL_MSG_MAX);
	ck_assert_int_eq(ctl_reader_feed(&r, "y", 1), -EMSGSIZE);
	/* and the reader stays failed */
	ck_assert_int_eq(ctl_reader_next(&r, &m, &len), -EMSGSIZE);
	ck_assert_int_eq(ctl_reader_feed(&r, "\n", 1), -EMSGSIZE);
	ctl_reader_fini(&r);
	free(chunk);
}
END_TEST

START_TEST(reader_exact_bound_and_oversized_line)
{
	struct ctl_reader r;
	const char *m;
	size_t len;
	char *data = malloc(2 * CTL_MSG_MAX + 8);

	ck_assert_ptr_nonnull(data);
	/* a line of exactly CTL_MSG_MAX bytes, then one of CTL_MSG_MAX + 1, in one feed */
	memset(data, 'a', CTL_MSG_MAX);
	data[CTL_MSG_MAX] = '\n';
	memset(data + CTL_MSG_MAX + 1, 'b', CTL_MSG_MAX + 1);
	data[2 * CTL_MSG_MAX + 2] = '\n';
	ctl_reader_init(&r);
	ck_assert_int_eq(ctl_reader_feed(&r, data, 2 * CTL_MSG_MAX + 3), 0);
	ck_assert_int_eq(ctl_reader_next(&r, &m, &len), 1);
	ck_assert_uint_eq(len, CTL_MSG_MAX);
	ck_assert_int_eq(m[0], 'a');
	ck_assert_int_eq(m[len], '\0');
	ck_assert_int_eq(ctl_reader_next(&r, &m, &len), -EMSGSIZE);
	ck_assert_int_eq(ctl_reader_next(&r, &m, &len), -EMSGSIZE);
	ctl_reader_fini(&r);
	free(data);
}
END_TEST

/* Requests built, cut into odd pieces, put together again and parsed. */
START_TEST(reader_pipeline)
{
	static const size_t pieces[] = { 1, 3, 7, 50, 2, 4096 };
	char stream[1024];
	struct ctl_reader r;
	size_t off = 0, fed = 0, i = 0;
	int64_t id, next_id = 1;
	const char *m;
	size_t len;

	for (id = 1; id <= 5; id++) {
		int n = ctl_request_build(stream + off, sizeof(stream) - off, id, "get",
					  "/iscsi/iqn.2026-11.org.example:storage1/tpg1", NULL);

		ck_assert_int_gt(n, 0);
		off += (size_t)n;
	}
	ctl_reader_init(&r);
	while (fed < off) {
		size_t n = pieces[i++ % (sizeof(pieces) / sizeof(pieces[0]))];

		if (n > off - fed)
			n = off - fed;
		ck_assert_int_eq(ctl_reader_feed(&r, stream + fed, n), 0);
		fed += n;
		while (ctl_reader_next(&r, &m, &len) == 1) {
			struct ctl_request req;

			ck_assert_int_eq(ctl_request_parse(m, len, &req, NULL), 0);
			ck_assert_int_eq(req.id, next_id++);
			ck_assert_str_eq(req.path, "/iscsi/iqn.2026-11.org.example:storage1/tpg1");
			ctl_request_fini(&req);
		}
	}
	ck_assert_int_eq(next_id, 6);
	ck_assert_uint_eq(ctl_reader_pending(&r), 0);
	ctl_reader_fini(&r);
}
END_TEST

static Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("codec");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, request_round_trip);
	tcase_add_test(tc, request_escapes_stay_on_one_line);
	tcase_add_test(tc, request_without_args);
	tcase_add_test(tc, request_build_refuses);
	tcase_add_test(tc, request_build_bounds);
	tcase_add_loop_test(tc, request_parse_refuses, 0,
			    (int)(sizeof(bad_requests) / sizeof(bad_requests[0])));
	tcase_add_test(tc, request_parse_nul_and_size);
	tcase_add_test(tc, request_parse_depth);
	tcase_add_test(tc, request_ignores_unknown_fields);
	tcase_add_test(tc, response_ok_round_trip);
	tcase_add_test(tc, response_error_round_trip);
	tcase_add_loop_test(tc, response_parse_refuses, 0,
			    (int)(sizeof(bad_responses) / sizeof(bad_responses[0])));
	tcase_add_test(tc, response_hint_null_is_empty);
	tcase_add_test(tc, errno_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("framing");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, reader_split_frames);
	tcase_add_test(tc, reader_merged_frames);
	tcase_add_test(tc, reader_oversized_partial);
	tcase_add_test(tc, reader_exact_bound_and_oversized_line);
	tcase_add_test(tc, reader_pipeline);
	tcase_add_test(tc, utf8_valid_prefix);
	tcase_add_test(tc, error_message_cut_inside_a_character);
	tcase_add_test(tc, result_not_utf8_refused);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ctl_suite)
