/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol's codec (docs/control-protocol.md): requests and
 * responses as JSON objects with json-c, and the newline framing. Pure:
 * no I/O, no logging.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl.h"

/*
 * Nesting the tree of a `get` result needs: a mapped LUN is 14 levels deep
 * (node, children, ...); the margin is for props.
 */
#define CTL_JSON_DEPTH 64
#define CTL_OP_MAX 64
#define CTL_PATH_MAX 4096
#define CTL_READER_MIN 4096

/* ---- JSON text in and out ---------------------------------------------- */

static int ctl_parse_json(const char *p, size_t len, struct json_object **out, const char **why)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error e;

	*out = NULL;
	if (len > CTL_MSG_MAX) {
		*why = "message longer than 1 MiB";
		return -EMSGSIZE;
	}
	if (len == 0) {
		*why = "empty message";
		return -EINVAL;
	}
	/* json-c stops at a NUL: a message with one inside is not what it seems. */
	if (memchr(p, '\0', len)) {
		*why = "NUL byte in message";
		return -EINVAL;
	}
	tok = json_tokener_new_ex(CTL_JSON_DEPTH);
	if (!tok)
		return -ENOMEM;
	/* Strict: no trailing characters after the object, no stray commas; UTF-8 only. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, p, (int)len);
	e = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!o || e != json_tokener_success) {
		json_object_put(o);
		if (e == json_tokener_continue)
			*why = "incomplete JSON";
		else if (e == json_tokener_error_depth)
			*why = "JSON nested too deeply";
		else if (e == json_tokener_error_parse_utf8_string)
			*why = "invalid UTF-8";
		else
			*why = "malformed JSON";
		return -EINVAL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		*why = "a message must be a JSON object";
		return -EINVAL;
	}
	*out = o;
	return 0;
}

/* Writes o as one line into buf. */
size_t ctl_utf8_valid_len(const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		/* RFC 3629 §3-4: 2 to 4 bytes, no overlong forms, no surrogates, at most U+10FFFF */
		if ((c & 0xe0) == 0xc0) {
			n = 2, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 3, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 4, cp = c & 0x07, min = 0x10000;
		} else {
			break;
		}
		if (len - i < n)
			break;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			break;
		i += n;
	}
	return i;
}

static int ctl_emit(char *buf, size_t cap, struct json_object *o)
{
	const char *s;
	size_t n;

	/* Plain output escapes control characters: the text holds no '\n'. */
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (!s)
		return -ENOMEM;
	if (n > CTL_MSG_MAX)
		return -EMSGSIZE;
	if (n + 2 > cap)
		return -ENOSPC;
	/* json-c copies string bytes as they are; the protocol is UTF-8 (a peer refuses the rest) */
	if (ctl_utf8_valid_len(s, n) != n)
		return -EILSEQ;
	memcpy(buf, s, n);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	return (int)(n + 1);
}

/* ---- fields ------------------------------------------------------------ */

/* An integer that json-c did not clamp (it saturates out-of-range values). */
static bool ctl_get_int(struct json_object *o, int64_t *out)
{
	int64_t v;

	if (!json_object_is_type(o, json_type_int))
		return false;
	v = json_object_get_int64(o);
	if (v == INT64_MIN)
		return false; /* cannot tell from a clamped smaller value */
	if (v >= 0 && (uint64_t)v != json_object_get_uint64(o))
		return false;
	*out = v;
	return true;
}

/* A string without an embedded NUL, of at most max bytes. */
static const char *ctl_get_string(struct json_object *o, size_t max)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(o, json_type_string))
		return NULL;
	s = json_object_get_string(o);
	n = (size_t)json_object_get_string_len(o);
	if (strlen(s) != n || n > max)
		return NULL;
	return s;
}

static bool ctl_args_valid(struct json_object *args)
{
	if (!json_object_is_type(args, json_type_object))
		return false;
	json_object_object_foreach(args, key, val)
	{
		int64_t i;

		(void)key;
		switch (json_object_get_type(val)) {
		case json_type_string:
			if (!ctl_get_string(val, CTL_MSG_MAX))
				return false;
			break;
		case json_type_int:
			if (!ctl_get_int(val, &i))
				return false;
			break;
		case json_type_boolean:
			break;
		default:
			return false;
		}
	}
	return true;
}

/* "id" of a message: an integer (*has = true), or null (*has = false). */
static int ctl_read_id(struct json_object *msg, bool null_ok, bool *has, int64_t *id,
		       const char **why)
{
	struct json_object *o;

	*has = false;
	if (!json_object_object_get_ex(msg, "id", &o)) {
		*why = "'id' is missing";
		return -EINVAL;
	}
	if (!o && null_ok)
		return 0;
	if (!ctl_get_int(o, id)) {
		*why = null_ok ? "'id' must be an integer or null" : "'id' must be an integer";
		return -EINVAL;
	}
	*has = true;
	return 0;
}

static int ctl_read_version(struct json_object *msg, const char **why)
{
	struct json_object *o;
	int64_t v;

	if (!json_object_object_get_ex(msg, "v", &o)) {
		*why = "'v' (the protocol version) is missing";
		return -EINVAL;
	}
	if (!ctl_get_int(o, &v)) {
		*why = "'v' must be an integer";
		return -EINVAL;
	}
	if (v != CTL_VERSION) {
		*why = "protocol version not supported (this side speaks version 1)";
		return -EPROTONOSUPPORT;
	}
	return 0;
}

/* ---- requests ---------------------------------------------------------- */

int ctl_request_build(char *buf, size_t cap, int64_t id, const char *op, const char *path,
		      struct json_object *args)
{
	struct json_object *o;
	int rc;

	if (!op || !op[0] || strlen(op) > CTL_OP_MAX || !path || path[0] != '/' ||
	    strlen(path) > CTL_PATH_MAX)
		return -EINVAL;
	if (args && !ctl_args_valid(args))
		return -EINVAL;
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	rc = -ENOMEM;
	if (json_object_object_add(o, "v", json_object_new_int(CTL_VERSION)) ||
	    json_object_object_add(o, "id", json_object_new_int64(id)) ||
	    json_object_object_add(o, "op", json_object_new_string(op)) ||
	    json_object_object_add(o, "path", json_object_new_string(path)) ||
	    json_object_object_add(o, "args",
				   args ? json_object_get(args) : json_object_new_object()))
		goto out_put;
	rc = ctl_emit(buf, cap, o);
out_put:
	json_object_put(o);
	return rc;
}

/*
 * What every message starts with: one JSON object, its id (read first, so
 * that every later error can be answered; null allowed in responses) and
 * the protocol version. 0 with *msg held, or -errno with *why.
 */
static int ctl_read_envelope(const char *p, size_t len, bool null_id, struct json_object **msg,
			     bool *has_id, int64_t *id, const char **why)
{
	int rc = ctl_parse_json(p, len, msg, why);

	if (rc)
		return rc;
	rc = ctl_read_id(*msg, null_id, has_id, id, why);
	if (!rc)
		rc = ctl_read_version(*msg, why);
	if (rc) {
		json_object_put(*msg);
		*msg = NULL;
	}
	return rc;
}

int ctl_request_parse(const char *p, size_t len, struct ctl_request *out, const char **why)
{
	struct json_object *msg, *o;
	const char *dummy;
	int rc;

	if (!why)
		why = &dummy;
	memset(out, 0, sizeof(*out));
	rc = ctl_read_envelope(p, len, false, &msg, &out->has_id, &out->id, why);
	if (rc)
		return rc;
	rc = -EINVAL;
	if (!json_object_object_get_ex(msg, "op", &o) ||
	    !(out->op = ctl_get_string(o, CTL_OP_MAX)) || !out->op[0]) {
		*why = "'op' must be a non-empty string";
		goto err_put;
	}
	if (!json_object_object_get_ex(msg, "path", &o) ||
	    !(out->path = ctl_get_string(o, CTL_PATH_MAX)) || out->path[0] != '/') {
		*why = "'path' must be an absolute path";
		goto err_put;
	}
	if (json_object_object_get_ex(msg, "args", &o)) {
		if (!o || !ctl_args_valid(o)) {
			*why = "'args' must be an object of strings, integers and booleans";
			goto err_put;
		}
		out->args = o;
	} else {
		/* Omitted args are {} (handy when typing requests by hand). */
		out->args = json_object_new_object();
		if (!out->args || json_object_object_add(msg, "args", out->args)) {
			rc = -ENOMEM;
			goto err_put;
		}
	}
	out->msg = msg;
	return 0;

err_put:
	json_object_put(msg);
	out->op = NULL;
	out->path = NULL;
	out->args = NULL;
	return rc;
}

void ctl_request_fini(struct ctl_request *req)
{
	json_object_put(req->msg);
	memset(req, 0, sizeof(*req));
}

/* ---- responses --------------------------------------------------------- */

static struct json_object *ctl_response_new(const int64_t *id, bool ok)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (json_object_object_add(o, "v", json_object_new_int(CTL_VERSION)) ||
	    json_object_object_add(o, "id", id ? json_object_new_int64(*id) : NULL) ||
	    json_object_object_add(o, "ok", json_object_new_boolean(ok))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int ctl_response_build_ok(char *buf, size_t cap, const int64_t *id, struct json_object *result)
{
	struct json_object *o = ctl_response_new(id, true);
	int rc;

	if (!o)
		return -ENOMEM;
	if (json_object_object_add(o, "result",
				   result ? json_object_get(result) : json_object_new_object()))
		rc = -ENOMEM;
	else
		rc = ctl_emit(buf, cap, o);
	json_object_put(o);
	return rc;
}

int ctl_response_build_error(char *buf, size_t cap, const int64_t *id, int err,
			     const char *message, const char *hint)
{
	struct json_object *o, *e;
	size_t msg_len, hint_len;
	int rc = -ENOMEM;

	if (!message || !message[0])
		return -EINVAL;
	o = ctl_response_new(id, false);
	if (!o)
		return -ENOMEM;
	e = json_object_new_object();
	if (!e || json_object_object_add(o, "error", e))
		goto out_put;
	/*
	 * A message cut to fit a buffer may end inside a character, and one
	 * may quote bytes that are not UTF-8 (a file name): what goes out is
	 * the longest valid prefix, so that the answer still arrives.
	 */
	msg_len = ctl_utf8_valid_len(message, strlen(message));
	hint_len = hint ? ctl_utf8_valid_len(hint, strlen(hint)) : 0;
	if (json_object_object_add(e, "code", json_object_new_string(ctl_errno_name(err))) ||
	    json_object_object_add(e, "message",
				   msg_len ? json_object_new_string_len(message, (int)msg_len) :
					     json_object_new_string("(a message that is not UTF-8)")) ||
	    (hint_len &&
	     json_object_object_add(e, "hint", json_object_new_string_len(hint, (int)hint_len))))
		goto out_put;
	rc = ctl_emit(buf, cap, o);
out_put:
	json_object_put(o);
	return rc;
}

static int ctl_read_error(struct json_object *msg, struct ctl_response *out, const char **why)
{
	struct json_object *e, *o;

	if (!json_object_object_get_ex(msg, "error", &e) ||
	    !json_object_is_type(e, json_type_object)) {
		*why = "an error response needs an 'error' object";
		return -EINVAL;
	}
	if (!json_object_object_get_ex(e, "code", &o) || !(out->code = ctl_get_string(o, 64)) ||
	    !out->code[0]) {
		*why = "'error.code' must be a non-empty string";
		return -EINVAL;
	}
	if (!json_object_object_get_ex(e, "message", &o) ||
	    !(out->message = ctl_get_string(o, CTL_MSG_MAX)) || !out->message[0]) {
		*why = "'error.message' must be a non-empty string";
		return -EINVAL;
	}
	out->hint = "";
	if (json_object_object_get_ex(e, "hint", &o) && o) {
		out->hint = ctl_get_string(o, CTL_MSG_MAX);
		if (!out->hint) {
			*why = "'error.hint' must be a string";
			return -EINVAL;
		}
	}
	return 0;
}

int ctl_response_parse(const char *p, size_t len, struct ctl_response *out, const char **why)
{
	struct json_object *msg, *o;
	const char *dummy;
	int rc;

	if (!why)
		why = &dummy;
	memset(out, 0, sizeof(*out));
	rc = ctl_read_envelope(p, len, true, &msg, &out->has_id, &out->id, why);
	if (rc)
		return rc;
	rc = -EINVAL;
	if (!json_object_object_get_ex(msg, "ok", &o) ||
	    !json_object_is_type(o, json_type_boolean)) {
		*why = "'ok' must be a boolean";
		goto err_put;
	}
	out->ok = json_object_get_boolean(o);
	if (out->ok) {
		if (json_object_object_get_ex(msg, "result", &o))
			out->result = o;
	} else {
		rc = ctl_read_error(msg, out, why);
		if (rc)
			goto err_put;
	}
	out->msg = msg;
	return 0;

err_put:
	json_object_put(msg);
	out->result = NULL;
	out->code = out->message = out->hint = NULL;
	return rc;
}

void ctl_response_fini(struct ctl_response *rsp)
{
	json_object_put(rsp->msg);
	memset(rsp, 0, sizeof(*rsp));
}

/* ---- errno names ------------------------------------------------------- */

const char *ctl_errno_name(int err)
{
	const char *s = strerrorname_np(err < 0 ? -err : err);

	return s ? s : "EIO";
}

int ctl_errno_from_name(const char *name)
{
	static const struct {
		const char *name;
		int err;
	} aliases[] = {
		{ "EWOULDBLOCK", EWOULDBLOCK },
		{ "ENOTSUP", ENOTSUP },
		{ "EDEADLOCK", EDEADLOCK },
	};
	size_t i;
	int e;

	for (e = 1; e < 256; e++) {
		const char *s = strerrorname_np(e);

		if (s && strcmp(s, name) == 0)
			return e;
	}
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(aliases[i].name, name) == 0)
			return aliases[i].err;
	return 0;
}

/* ---- framing ----------------------------------------------------------- */

/*
 * Invariant: buf[head, tail) holds complete lines (each ends in '\n'),
 * buf[tail, len) the start of a line whose '\n' has not arrived.
 */

void ctl_reader_init(struct ctl_reader *r)
{
	memset(r, 0, sizeof(*r));
}

void ctl_reader_fini(struct ctl_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

int ctl_reader_feed(struct ctl_reader *r, const void *data, size_t len)
{
	const char *nl;

	if (r->failed)
		return -EMSGSIZE;
	if (r->head) {
		memmove(r->buf, r->buf + r->head, r->len - r->head);
		r->len -= r->head;
		r->tail -= r->head;
		r->head = 0;
	}
	if (len > r->cap - r->len) {
		size_t cap = r->cap ? r->cap : CTL_READER_MIN;
		char *p;

		while (cap - r->len < len) {
			if (cap > SIZE_MAX / 2)
				return -ENOMEM;
			cap *= 2;
		}
		p = realloc(r->buf, cap);
		if (!p)
			return -ENOMEM;
		r->buf = p;
		r->cap = cap;
	}
	if (len)
		memcpy(r->buf + r->len, data, len);
	nl = len ? memrchr(r->buf + r->len, '\n', len) : NULL;
	r->len += len;
	if (nl)
		r->tail = (size_t)(nl - r->buf) + 1;
	if (r->len - r->tail > CTL_MSG_MAX) {
		r->failed = true;
		return -EMSGSIZE;
	}
	return 0;
}

int ctl_reader_next(struct ctl_reader *r, const char **msg, size_t *len)
{
	char *start, *nl;

	if (r->failed)
		return -EMSGSIZE;
	if (r->head == r->tail)
		return 0;
	start = r->buf + r->head;
	nl = memchr(start, '\n', r->tail - r->head);
	/* buf[head, tail) ends in '\n': nl is not NULL */
	if ((size_t)(nl - start) > CTL_MSG_MAX) {
		r->failed = true;
		return -EMSGSIZE;
	}
	*nl = '\0';
	*msg = start;
	*len = (size_t)(nl - start);
	r->head = (size_t)(nl - r->buf) + 1;
	return 1;
}

size_t ctl_reader_pending(const struct ctl_reader *r)
{
	return r->len - r->tail;
}
