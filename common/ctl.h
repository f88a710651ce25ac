/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol between porticod and `portico` (docs/control-protocol.md):
 * one JSON object per line over a UNIX stream socket.
 *
 * This is the pure codec: build and parse requests and responses, and cut
 * a byte stream into lines (struct ctl_reader). No I/O, no logging. Both
 * sides use it: the shell builds requests and parses responses, porticod's
 * control server parses requests and builds responses.
 *
 * Parsed messages keep the json-c object they came from; the strings and
 * objects they point to live until ctl_request_fini()/ctl_response_fini().
 */
#ifndef PORTICO_COMMON_CTL_H
#define PORTICO_COMMON_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

#define CTL_VERSION 1
/* A message (the JSON text, without its '\n') is at most this long. */
#define CTL_MSG_MAX (1024u * 1024u)
/* A buffer that holds any message a builder may produce, with its '\n' and a NUL. */
#define CTL_BUF_SIZE (CTL_MSG_MAX + 2u)
#define CTL_DEFAULT_SOCKET "/run/portico/porticod.sock"

struct ctl_request {
	bool has_id; /* false when the id could not be read (the reply then carries "id": null) */
	int64_t id;
	const char *op; /* the verb, non-empty */
	const char *path; /* an absolute node path */
	struct json_object *args; /* an object (empty when the request had none); values are
				     strings, integers or booleans */
	struct json_object *msg; /* the whole message; owns everything above */
};

struct ctl_response {
	bool has_id; /* false: "id": null (the server could not read the request's id) */
	int64_t id;
	bool ok;
	struct json_object *result; /* ok: the result, NULL when the response had none */
	const char *code; /* !ok: an errno name ("EEXIST") */
	const char *message; /* !ok: what is wrong */
	const char *hint; /* !ok: what to do, "" when the server gave none */
	struct json_object *msg; /* the whole message; owns everything above */
};

/*
 * Builds a request line ("{...}\n", NUL-terminated) into buf. args may be
 * NULL (sent as {}); it is not consumed (the caller keeps its reference).
 * Returns the length written (with the '\n', without the NUL), -ENOSPC when
 * buf is too small, -EMSGSIZE when the message would exceed CTL_MSG_MAX,
 * -EINVAL for a relative path, an empty op or args that are not an object
 * of strings, integers and booleans, -ENOMEM.
 */
int ctl_request_build(char *buf, size_t cap, int64_t id, const char *op, const char *path,
		      struct json_object *args);

/*
 * Parses one message (a line without its '\n'; p need not be NUL-terminated).
 * Returns 0, or:
 *   -EINVAL           malformed JSON, or a field missing or of the wrong type;
 *   -EPROTONOSUPPORT  a version other than CTL_VERSION;
 *   -EMSGSIZE         len > CTL_MSG_MAX;
 *   -ENOMEM.
 * On error *why (if not NULL) gets a static string that says what is wrong,
 * and out->has_id/out->id are set when the id could be read, so that the
 * server can address its error reply; nothing needs freeing. On success the
 * caller releases out with ctl_request_fini().
 */
int ctl_request_parse(const char *p, size_t len, struct ctl_request *out, const char **why);
void ctl_request_fini(struct ctl_request *req);

/*
 * Builds a success response; result may be NULL (sent as {}) and is not
 * consumed. id NULL sends "id": null. Returns as ctl_request_build(), and
 * -EILSEQ when result holds a string that is not UTF-8.
 */
int ctl_response_build_ok(char *buf, size_t cap, const int64_t *id, struct json_object *result);
/*
 * Builds an error response. err is an errno value (either sign) sent as its
 * name; message must be non-empty; hint may be NULL. Of each, the longest
 * prefix that is valid UTF-8 goes out (a message cut inside a character
 * still arrives). Returns as ctl_request_build().
 */
int ctl_response_build_error(char *buf, size_t cap, const int64_t *id, int err,
			     const char *message, const char *hint);

/* Parses a response; returns and reports as ctl_request_parse(). */
int ctl_response_parse(const char *p, size_t len, struct ctl_response *out, const char **why);
void ctl_response_fini(struct ctl_response *rsp);

/* The length of the longest prefix of p[0..len) that is valid UTF-8 (RFC 3629). */
size_t ctl_utf8_valid_len(const char *p, size_t len);

/* The name of errno value err (either sign), "EEXIST"; "EIO" for a value without one. */
const char *ctl_errno_name(int err);
/* The positive errno value of a name, or 0 for an unknown name. */
int ctl_errno_from_name(const char *name);

/*
 * Cuts a byte stream into messages: feed bytes as they arrive, then take
 * complete messages until there is none. A line longer than CTL_MSG_MAX is
 * -EMSGSIZE, and the reader stays failed (the protocol closes the
 * connection).
 */
struct ctl_reader {
	char *buf;
	size_t head; /* the first byte not taken yet */
	size_t tail; /* the start of the line whose '\n' has not arrived */
	size_t len; /* bytes held, from buf[0] */
	size_t cap;
	bool failed;
};

void ctl_reader_init(struct ctl_reader *r);
void ctl_reader_fini(struct ctl_reader *r);
/* Appends len bytes. Returns 0, -EMSGSIZE (a line too long), or -ENOMEM. */
int ctl_reader_feed(struct ctl_reader *r, const void *data, size_t len);
/*
 * Takes the next complete message: returns 1 with *msg (NUL-terminated, the
 * '\n' removed; valid until the next feed or next call) and *len, 0 when no
 * complete message is held, -EMSGSIZE.
 */
int ctl_reader_next(struct ctl_reader *r, const char **msg, size_t *len);
/* Bytes held that do not form a complete message yet (0: at a message boundary). */
size_t ctl_reader_pending(const struct ctl_reader *r);

/* The answer to one request, as a server's handler gives it (ctl_server.h). */
struct ctl_reply {
	struct json_object *result; /* ok: the result (NULL: {}); the caller puts it */
	int err;		    /* 0, or a negative errno: the request failed */
	char message[512];	    /* err: what is wrong */
	char hint[512];		    /* err: what to do, "" when nothing to add */
};

#endif
