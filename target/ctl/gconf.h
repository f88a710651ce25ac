/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway group's shared configuration (docs/gateway-group.md, "The
 * shared configuration"): the pure half. The messages gateways send each
 * other through the group's RADOS object (prepare, commit, their acks),
 * the originator's decision once every member has answered or not, and
 * each member's state machine (fed events, returns what to do). No I/O
 * here: the librados adapter (target/gconf_rados.c) runs it.
 */
#ifndef PORTICO_TARGET_CTL_GCONF_H
#define PORTICO_TARGET_CTL_GCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most a shared document may hold (a notify's payload carries it whole). */
#define GCONF_DOC_MAX (1u << 20)
/* A gateway's name: what the group's messages name it by. */
#define GCONF_NAME_MAX 64

enum gconf_msg_kind {
	GCONF_MSG_PREPARE, /* "validate this document as epoch N; answer ok or why not" */
	GCONF_MSG_COMMIT,  /* "epoch N is stored: apply it" */
};

struct gconf_msg {
	enum gconf_msg_kind kind;
	uint64_t epoch;
	char origin[GCONF_NAME_MAX]; /* the gateway that makes the change */
	const char *doc;	     /* PREPARE: into the parsed buffer, not NUL-terminated */
	size_t doclen;
};

/*
 * Builds a message into a new buffer (*out, which the caller frees):
 * "portico-gconf 1 KIND EPOCH ORIGIN\n" then the document (PREPARE only).
 * 0, -EINVAL (origin empty, too long or with a blank; doc too long), -ENOMEM.
 */
int gconf_msg_build(enum gconf_msg_kind kind, uint64_t epoch, const char *origin,
		    const char *doc, size_t doclen, char **out, size_t *outlen);
/* Parses p (len bytes, no NUL needed). 0 or -EINVAL. m->doc points into p. */
int gconf_msg_parse(const void *p, size_t len, struct gconf_msg *m);

/* An answer to a message: "ok NAME" or "refuse NAME WHY". */
struct gconf_ack {
	bool ok;
	char name[GCONF_NAME_MAX];
	char why[512];
};

/* Writes an answer into buf; its length, or -ENOSPC / -EINVAL (a bad name). */
int gconf_ack_build(bool ok, const char *name, const char *why, char *buf, size_t len);
/* Parses an answer of len bytes. 0 or -EINVAL. */
int gconf_ack_parse(const void *p, size_t len, struct gconf_ack *a);

/* ---- the originator: did every member agree? ---- */

/* One watcher's part in a notify's outcome: its answer, or none in time. */
struct gconf_reply {
	uint64_t gid; /* the watcher's RADOS client id */
	bool timed_out;
	const void *data; /* its answer (not timed out) */
	size_t len;
};

/* A member the group knows: its RADOS client id and its name. */
struct gconf_member_id {
	uint64_t gid;
	const char *name;
};

enum gconf_verdict {
	GCONF_VERDICT_COMMIT, /* every watcher answered ok */
	GCONF_VERDICT_ABORT,  /* one refused or was silent: msg says who and why */
};

/*
 * The decision after a PREPARE: commit only if every watcher answered ok in
 * time (the originator's own watch included). A silent or refusing watcher
 * aborts, named by the name it gave, else by ids (gid -> name), else as
 * "client.GID"; msg then ends in "; nothing changed". timeout_ms is what
 * msg says a silent one was given.
 */
enum gconf_verdict gconf_decide(const struct gconf_reply *r, size_t n,
				const struct gconf_member_id *ids, size_t nids,
				unsigned int timeout_ms, char *msg, size_t msglen);

/* ---- a member ---- */

enum gconf_member_state {
	GCONF_MEMBER_UNSYNCED, /* it has not read the object since its watch (re)started */
	GCONF_MEMBER_SYNCED,
};

struct gconf_member {
	enum gconf_member_state state;
	uint64_t epoch; /* the shared configuration it serves */
};

enum gconf_event_kind {
	GCONF_EV_START,	      /* watch the object, then read it */
	GCONF_EV_WATCH_LOST,  /* changes may have been missed */
	GCONF_EV_READ,	      /* the object was read and epoch applied (epoch) */
	GCONF_EV_PREPARE,     /* a message (msg), from this gateway itself or not (self) */
	GCONF_EV_COMMIT,
	GCONF_EV_COMMITTED,   /* this gateway stored and applied epoch itself */
};

struct gconf_event {
	enum gconf_event_kind kind;
	uint64_t epoch;
	bool self;
};

enum gconf_action {
	GCONF_ACT_NONE,
	GCONF_ACT_WATCH_READ,	  /* (re)watch, read the object, apply it, then feed READ */
	GCONF_ACT_ACK_OK,	  /* answer ok at once (its own change, validated already) */
	GCONF_ACT_VALIDATE,	  /* validate the document against the local state; answer */
	GCONF_ACT_READ_VALIDATE,  /* it missed a commit: read and apply first, then validate */
	GCONF_ACT_REFUSE_STALE,	  /* the change was built on an older epoch than this one's */
	GCONF_ACT_READ_APPLY_ACK, /* read the stored object, apply it, feed READ, answer */
};

/* Feeds ev; returns what the adapter must do. */
enum gconf_action gconf_member_step(struct gconf_member *m, const struct gconf_event *ev);

#endif
