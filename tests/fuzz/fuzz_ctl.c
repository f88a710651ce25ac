/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * porticod's control plane (docs/control-protocol.md): the byte stream a
 * client writes to the control socket, cut into lines by ctl_reader and
 * parsed by ctl_request_parse (common/ctl.c), answered by ctl_ops_handle
 * (target/ctl/ctl_ops.c, ctl_edit.c, ctl_tree.c), which edits the served
 * model through the libconfig round trip of ctl_int.h. The daemon is the
 * unit tests' stand-in (tests/unit/target/ctl/ctl_fake_host.h, behind struct
 * ctl_host_ops), so no threads and no sockets are involved; it serves a model
 * made per input from an empty configuration, with auto_save off and its
 * control_socket and state_dir under a directory of this process's own.
 *
 * Input: the stream, newline-separated JSON requests, fed to ctl_reader in
 * 61-byte pieces (so lines arrive split, as from a socket); an unterminated
 * last line is ended, so that it is answered too. FUZZ_LOG=1 also prints
 * each request's outcome ("==FUZZ== create /iscsi: ok").
 *
 * Nothing may create or open a file or a device: requests that could are
 * skipped before they reach ctl_ops_handle: saveconfig and restoreconfig,
 * create at /backstores/{file,block,lvm}, and set size= at a backstore that
 * is not a null one (none can exist here: check_served makes sure). Null
 * backstores open nothing (target/backstore/null.c; a resize changes a
 * number); their LUs look for persistent reservation state in state_dir,
 * which is never made. Everything else goes through: every verb, at any
 * path, with any arguments.
 *
 * Checked: an unparsable line gets an error the server can send; a reply
 * is either ok with a result json-c serialises, or an error with a
 * negative errno that ctl_errno_name knows and a non-empty message; the
 * response the server builds from it reads back at the client
 * (ctl_response_parse: the shell's side) saying the same (a message cut to
 * fit its buffer inside a character: its longest UTF-8 prefix), and a
 * result is UTF-8, as the requests are; a failed request, or a query,
 * leaves the model as it was (obj_model_equal against a copy read back
 * before the request); after a successful change the served model saves
 * and loads back equal (config_build, libconfig's text in memory,
 * config_parse_string, obj_model_equal: "what is served is always what the
 * saved file restores"), the text includes no other file, every backstore
 * is open, and no LU is held by anyone but the model; a create's "path"
 * names a node that is there now, a delete's path names none; a get
 * renders the node asked for, and a get at "/" renders after every
 * request: every node's path resolves back to itself and lies under its
 * parent's, no props member shows a secret, no children below the depth
 * asked for; the directory of the process stays empty.
 */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
#include "common/ctl.h"
#include "target/backstore/bs.h"
#include "target/model/config.h"
#include "target/ctl/ctl_int.h"
#include "target/ctl/ctl_ops.h"
#include "target/ctl/ctl_tree.h"
#include "target/scsi/scsi.h"
#include "tests/unit/target/ctl/ctl_fake_host.h"

#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)
/* Odd, and smaller than most requests: lines reach the reader in pieces. */
#define FEED_CHUNK 61

/* ---- the daemon, as the control operations see it ---- */

static struct fake_host S;
static const struct ctl_host H = { &fake_host_ops, &S };

/* ---- the process's directory and the empty configuration ---- */

static char dir[64];
static char empty_conf[512];

static void remove_dir(void)
{
	if (dir[0])
		rmdir(dir);
}

/* Whether dir holds nothing: no request made a file (state_dir, the socket are never made). */
static bool dir_empty(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	FUZZ_CHECK(d != NULL, "cannot read %s", dir);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	bs_register_builtin();
	scsi_init();
	snprintf(dir, sizeof(dir), "/tmp/portico-fuzz-ctl.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	atexit(remove_dir);
	snprintf(empty_conf, sizeof(empty_conf),
		 "control_socket = \"%s/porticod.sock\";\n"
		 "state_dir = \"%s/state\";\n"
		 "auto_save = false;\n",
		 dir, dir);
	return 0;
}

/* ---- the model read back ---- */

/*
 * m saved and loaded back (not opened), as saveconfig writes it and a
 * restart reads it: config_build, libconfig's text (config_write, into
 * memory), config_parse_string. NULL without memory; anything else fails.
 */
static struct obj_model *read_back(const struct obj_model *m, const char *when)
{
	struct cfg_err err = { { 0 } };
	struct obj_model *out = NULL;
	char *text = NULL;
	size_t len = 0;
	config_t cfg;
	FILE *f;
	int rc;

	config_init(&cfg);
	rc = config_build(m, &cfg);
	if (!rc) {
		f = open_memstream(&text, &len);
		if (f) {
			config_write(&cfg, f);
			if (fclose(f))
				rc = -ENOMEM;
		}
		if (!f || !text)
			rc = -ENOMEM;
	}
	config_destroy(&cfg);
	if (!rc) {
		/* a value that ends its line would make the next start read another file */
		for (const char *l = text; l; l = strchr(l + 1, '\n'))
			FUZZ_CHECK(strncmp(l + (*l == '\n') + strspn(l + (*l == '\n'), " \t"),
					   "@include", 8),
				   "the saved file %s includes another:\n%s", when, text);
		rc = config_parse_string(text, &out, &err);
	}
	free(text);
	if (rc == -ENOMEM)
		return NULL;
	FUZZ_CHECK(rc == 0, "the served model does not load back %s: %d %s", when, rc, err.msg);
	return out;
}

/* What the served model always is, here. */
static void check_served(const struct obj_model *m)
{
	FUZZ_CHECK(!m->auto_save && !m->path[0],
		   "auto_save on, or a file: the model could be saved");
	for (size_t i = 0; i < m->nbackstores; i++) {
		const struct obj_backstore *b = &m->backstores[i];

		/* not porticod's promise: the harness's, that nothing opens a file */
		FUZZ_CHECK(!strcmp(b->type, "null"), "harness: a %s backstore was made", b->type);
		FUZZ_CHECK(b->dev && b->lu, "backstore '%s' is served unopened", b->name);
		/* no session here: a reference beyond the model's would be kept by nobody */
		FUZZ_CHECK(ctl_bs_sessions(b) == 0, "backstore '%s': %u references too many",
			   b->name, ctl_bs_sessions(b));
	}
}

/* ---- requests ---- */

/* Whether req could create or open a file or a device (the header says which). */
static bool touches_files(struct obj_model *m, const struct ctl_request *req)
{
	struct ctl_node n;
	char why[512];

	if (!strcmp(req->op, "saveconfig") || !strcmp(req->op, "restoreconfig"))
		return true;
	/* a path that does not resolve is refused the same way inside */
	if (ctl_tree_resolve(m, req->path, &n, why, sizeof(why)))
		return false;
	if (!strcmp(req->op, "create") && n.type == CTL_NODE_BS_TYPE && strcmp(n.bs_type, "null"))
		return true;
	if (!strcmp(req->op, "set") && n.type == CTL_NODE_BACKSTORE &&
	    strcmp(n.bs->type, "null") && json_object_object_get_ex(req->args, "size", NULL))
		return true;
	return false;
}

/*
 * The response the server would send (common/ctl_server.c, client_handle)
 * must read back at the client as what was meant. The requests are UTF-8,
 * and so is all porticod says, but for a message cut to fit its 512-byte
 * buffer, which may end inside a character: the response carries the
 * longest valid prefix (ctl-reply-utf8-cut, docs/fuzzing.md).
 */
static void check_wire(const int64_t *id, const struct ctl_reply *r)
{
	static char buf[CTL_BUF_SIZE];
	struct ctl_response rsp;
	const char *why = NULL;
	size_t len = strlen(r->message), valid = ctl_utf8_valid_len(r->message, len);
	int n;

	if (r->err) {
		FUZZ_CHECK(valid == len || (len == sizeof(r->message) - 1 && len - valid < 4),
			   "a message that is not UTF-8 before its end: '%s'", r->message);
		FUZZ_CHECK(ctl_utf8_valid_len(r->hint, strlen(r->hint)) == strlen(r->hint),
			   "a hint that is not UTF-8: '%s'", r->hint);
		n = ctl_response_build_error(buf, sizeof(buf), id, r->err, r->message,
					     r->hint[0] ? r->hint : NULL);
	} else {
		n = ctl_response_build_ok(buf, sizeof(buf), id, r->result);
		if (n == -EMSGSIZE)
			return; /* the server says so in an error of its own words */
		/* the server would answer a change that was made with an error (EILSEQ) */
		FUZZ_CHECK(n != -EILSEQ, "a result that is not UTF-8, from UTF-8 requests");
	}
	if (n == -ENOMEM)
		return;
	FUZZ_CHECK(n > 0, "the response cannot be built: %d", n);
	FUZZ_CHECK(buf[n - 1] == '\n' && !memchr(buf, '\n', (size_t)n - 1),
		   "the response is not one line");
	n = ctl_response_parse(buf, (size_t)n - 1, &rsp, &why);
	if (n == -ENOMEM)
		return;
	FUZZ_CHECK(n == 0, "the client cannot read the response (%s): %s", why ? why : "?", buf);
	FUZZ_CHECK(rsp.ok == !r->err, "the response says ok=%d", rsp.ok);
	FUZZ_CHECK(rsp.has_id == (id != NULL) && (!id || rsp.id == *id), "the id changed");
	if (r->err) {
		FUZZ_CHECK(!strcmp(rsp.code, ctl_errno_name(r->err)), "code %s", rsp.code);
		FUZZ_CHECK(valid ? strlen(rsp.message) == valid &&
					   !strncmp(rsp.message, r->message, valid) :
				   rsp.message[0] != '\0',
			   "message '%s' sent as '%s'", r->message, rsp.message);
		FUZZ_CHECK(!strcmp(rsp.hint, r->hint), "hint '%s' sent as '%s'", r->hint, rsp.hint);
	}
	ctl_response_fini(&rsp);
}

static bool is_change(const char *op)
{
	return !strcmp(op, "create") || !strcmp(op, "delete") || !strcmp(op, "set") ||
	       !strcmp(op, "clearconfig");
}

/* A successful change: the result's path is there (create) or gone (delete). */
static void check_paths(const struct ctl_request *req, const struct ctl_reply *r)
{
	struct ctl_node n;
	struct json_object *p;
	char why[512];

	if (!strcmp(req->op, "create") && r->result &&
	    json_object_object_get_ex(r->result, "path", &p)) {
		const char *path = json_object_get_string(p);

		FUZZ_CHECK(path && !ctl_tree_resolve(S.model, path, &n, why, sizeof(why)),
			   "create at %s answers path '%s', which is not there: %s", req->path,
			   path ? path : "(null)", why);
	}
	if (!strcmp(req->op, "delete"))
		FUZZ_CHECK(ctl_tree_resolve(S.model, req->path, &n, why, sizeof(why)) == -ENOENT,
			   "%s is deleted and still there", req->path);
}

/*
 * A rendered node ("Nodes in results") and its subtree: name, path, type
 * and summary; a path that resolves back to itself (a client goes where a
 * result points) and lies under its parent's; no secret among the props;
 * children no deeper than asked (depth < 0: any). Returns how many levels
 * of children it has.
 */
static int check_node(struct json_object *o, const char *parent, int depth)
{
	static const char *const types[] = { "root", "group", "backstore", "target", "tpg",
					     "portal", "lun", "acl", "mapped_lun", NULL };
	struct json_object *v, *kids;
	const char *path, *type;
	char back[8192], why[512];
	struct ctl_node n;
	size_t i, plen = parent ? strlen(parent) : 0;
	int below = 0;

	FUZZ_CHECK(json_object_is_type(o, json_type_object), "a node that is not an object");
	FUZZ_CHECK(json_object_object_get_ex(o, "name", &v) &&
			   json_object_is_type(v, json_type_string),
		   "a node without a name");
	FUZZ_CHECK(json_object_object_get_ex(o, "summary", &v) &&
			   json_object_is_type(v, json_type_string),
		   "a node without a summary");
	FUZZ_CHECK(json_object_object_get_ex(o, "type", &v) &&
			   json_object_is_type(v, json_type_string),
		   "a node without a type");
	type = json_object_get_string(v);
	for (i = 0; types[i] && strcmp(types[i], type); i++)
		;
	FUZZ_CHECK(types[i], "a node of type '%s'", type);
	FUZZ_CHECK(json_object_object_get_ex(o, "path", &v) &&
			   json_object_is_type(v, json_type_string),
		   "a node without a path");
	path = json_object_get_string(v);
	FUZZ_CHECK(!ctl_tree_resolve(S.model, path, &n, why, sizeof(why)),
		   "node path '%s' does not resolve: %s", path, why);
	FUZZ_CHECK(!ctl_tree_path(&n, back, sizeof(back)) && !strcmp(back, path),
		   "node path '%s' resolves to '%s'", path, back);
	FUZZ_CHECK(!strcmp(ctl_node_type_name(n.type), type), "%s is a %s, rendered as a %s",
		   path, ctl_node_type_name(n.type), type);
	if (parent)
		FUZZ_CHECK(!strncmp(path, parent, plen) &&
				   path[plen - (plen && parent[plen - 1] == '/')] == '/',
			   "child '%s' of '%s'", path, parent);
	if (json_object_object_get_ex(o, "props", &v) && v) {
		FUZZ_CHECK(json_object_is_type(v, json_type_object), "%s: props", path);
		json_object_object_foreach(v, key, val)
		{
			FUZZ_CHECK(!strstr(key, "password") || strstr(key, "password_set"),
				   "%s: props.%s shows a secret", path, key);
			if (!json_object_is_type(val, json_type_object))
				continue;
			json_object_object_foreach(val, k2, v2)
			{
				(void)v2;
				FUZZ_CHECK(!strstr(k2, "password") || strstr(k2, "password_set"),
					   "%s: props.%s.%s shows a secret", path, key, k2);
			}
		}
	}
	if (!json_object_object_get_ex(o, "children", &kids) || !kids)
		return 0;
	FUZZ_CHECK(depth != 0, "%s: children below the depth asked for", path);
	FUZZ_CHECK(json_object_is_type(kids, json_type_array), "%s: children", path);
	for (i = 0; i < json_object_array_length(kids); i++) {
		int d = check_node(json_object_array_get_idx(kids, i), path, depth - (depth > 0));

		below = d + 1 > below ? d + 1 : below;
	}
	return below;
}

/* 'get /': the whole tree renders, serialises and reads as a tree. */
static void check_render(void)
{
	struct ctl_node n;
	struct json_object *o;
	char why[512];

	FUZZ_CHECK(!ctl_tree_resolve(S.model, "/", &n, why, sizeof(why)), "'/' resolves: %s", why);
	o = ctl_tree_render(S.model, &n, -1, NULL);
	FUZZ_CHECK(o != NULL, "get / does not render");
	FUZZ_CHECK(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) != NULL,
		   "the tree does not serialise");
	check_node(o, NULL, -1);
	json_object_put(o);
}

static bool node_same(const struct ctl_node *a, const struct ctl_node *b)
{
	return a->type == b->type && !strcmp(a->bs_type, b->bs_type) && a->bs == b->bs &&
	       a->target == b->target && a->tpg == b->tpg && a->acl == b->acl &&
	       a->index == b->index;
}

/* A successful get: a node of the path asked for, its subtree as deep as asked. */
static void check_get(const struct ctl_request *req, const struct ctl_reply *r)
{
	struct json_object *d, *v;
	struct ctl_node asked, got;
	char why[512];
	int depth = -1;

	FUZZ_CHECK(r->result != NULL, "get %s: no node", req->path);
	if (json_object_object_get_ex(req->args, "depth", &d) && d)
		depth = (int)strtol(json_object_get_string(d), NULL, 10);
	check_node(r->result, NULL, depth);
	FUZZ_CHECK(json_object_object_get_ex(r->result, "path", &v), "get %s: no path", req->path);
	FUZZ_CHECK(!ctl_tree_resolve(S.model, req->path, &asked, why, sizeof(why)) &&
			   !ctl_tree_resolve(S.model, json_object_get_string(v), &got, why,
					     sizeof(why)) &&
			   node_same(&asked, &got),
		   "get %s renders %s", req->path, json_object_get_string(v));
}

static void handle(const char *msg, size_t len)
{
	struct ctl_request req;
	struct ctl_reply r;
	struct obj_model *before, *after;
	const char *why = NULL;
	char diff[512] = "";
	int rc;

	rc = ctl_request_parse(msg, len, &req, &why);
	if (rc) {
		struct ctl_reply e = { .err = rc };

		if (getenv("FUZZ_LOG"))
			fprintf(stderr, "==FUZZ== unparsable: %s\n", why ? why : "?");
		if (rc == -ENOMEM)
			return;
		FUZZ_CHECK(rc == -EINVAL || rc == -EPROTONOSUPPORT || rc == -EMSGSIZE,
			   "ctl_request_parse: %d", rc);
		FUZZ_CHECK(why && why[0], "a refused request without a reason");
		snprintf(e.message, sizeof(e.message), "%s", why);
		check_wire(req.has_id ? &req.id : NULL, &e);
		return;
	}
	if (touches_files(S.model, &req)) {
		if (getenv("FUZZ_LOG"))
			fprintf(stderr, "==FUZZ== %s %s: skipped\n", req.op, req.path);
		ctl_request_fini(&req);
		return;
	}
	before = read_back(S.model, "before a request");
	if (!before) {
		ctl_request_fini(&req);
		return;
	}

	ctl_ops_handle(&H, &req, &r);

	FUZZ_CHECK(r.err <= 0, "err %d", r.err);
	FUZZ_CHECK(TERMINATED(r.message) && TERMINATED(r.hint), "reply strings not terminated");
	if (r.err) {
		FUZZ_CHECK(r.message[0], "%s %s failed (%d) without a message", req.op, req.path,
			   r.err);
		FUZZ_CHECK(strerrorname_np(-r.err) != NULL, "%s %s failed with errno %d, unnamed",
			   req.op, req.path, r.err);
		FUZZ_CHECK(r.result == NULL, "a failure with a result");
	} else if (r.result) {
		FUZZ_CHECK(json_object_to_json_string_ext(r.result, JSON_C_TO_STRING_PLAIN) != NULL,
			   "%s %s: the result does not serialise", req.op, req.path);
	}
	if (getenv("FUZZ_LOG"))
		fprintf(stderr, "==FUZZ== %s %s: %s%s%s\n", req.op, req.path,
			r.err ? ctl_errno_name(r.err) : "ok", r.err ? " " : "", r.message);
	check_wire(&req.id, &r);
	check_served(S.model);

	if (!r.err && !strcmp(req.op, "get"))
		check_get(&req, &r);
	if (r.err || !is_change(req.op)) {
		/* a refusal changes nothing, and neither does a query */
		FUZZ_CHECK(obj_model_equal(before, S.model, diff, sizeof(diff)),
			   "%s %s %s, yet the model changed: %s", req.op, req.path,
			   r.err ? "failed" : "is a query", diff);
	} else {
		after = read_back(S.model, "after a change");
		if (after) {
			FUZZ_CHECK(obj_model_equal(S.model, after, diff, sizeof(diff)),
				   "after %s %s the served model loads back different: %s", req.op,
				   req.path, diff);
			obj_model_free(after);
		}
		check_paths(&req, &r);
	}
	check_render();

	obj_model_free(before);
	if (r.result)
		json_object_put(r.result);
	ctl_request_fini(&req);
}

static void drain(struct ctl_reader *rd)
{
	const char *msg;
	size_t len;
	int rc;

	while ((rc = ctl_reader_next(rd, &msg, &len)) > 0)
		handle(msg, len);
	FUZZ_CHECK(rc == 0 || rc == -EMSGSIZE, "ctl_reader_next: %d", rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_err err = { { 0 } };
	struct ctl_reader rd;
	int rc;

	memset(&S, 0, sizeof(S));
	S.started = time(NULL);
	rc = config_parse_string(empty_conf, &S.model, &err);
	if (!rc)
		rc = config_open(S.model, &err);
	FUZZ_CHECK(rc == 0, "the empty configuration: %s", err.msg);

	ctl_reader_init(&rd);
	for (size_t off = 0; off < size; off += FEED_CHUNK) {
		size_t n = size - off < FEED_CHUNK ? size - off : FEED_CHUNK;

		if (ctl_reader_feed(&rd, data + off, n))
			break; /* too long (not at these lengths), no memory: the server hangs up */
		drain(&rd);
	}
	if (ctl_reader_pending(&rd) && !ctl_reader_feed(&rd, "\n", 1))
		drain(&rd);
	ctl_reader_fini(&rd);

	obj_model_free(S.model);
	S.model = NULL;
	FUZZ_CHECK(dir_empty(), "a request made a file in %s", dir);
	return 0;
}
