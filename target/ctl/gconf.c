// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The gateway group's shared configuration, the pure half (gconf.h): the
 * messages, the originator's verdict, a member's state machine. Why two
 * phases: a change made through one gateway must be applied on every
 * gateway or on none, and only the members can say whether it fits their
 * own state (a mapped LUN this gateway does not have, a session an ACL's
 * removal would cut). So the document is shown to all of them first
 * (PREPARE, a notify that each member answers); only when every watcher
 * has said yes in time is it stored (with the epoch as a guard) and
 * announced (COMMIT). A refusal, a silent member or a concurrent change
 * leaves the stored document and every gateway as they were.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/ctl/gconf.h"

#define GCONF_MAGIC "portico-gconf 1 "

static const char *const gconf_kind_names[] = {
	[GCONF_MSG_PREPARE] = "prepare",
	[GCONF_MSG_COMMIT] = "commit",
};

/* A name goes on a line between blanks: printable, no blank, not empty. */
static bool gconf_name_ok(const char *s, size_t len)
{
	if (!len || len >= GCONF_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

int gconf_msg_build(enum gconf_msg_kind kind, uint64_t epoch, const char *origin,
		    const char *doc, size_t doclen, char **out, size_t *outlen)
{
	char head[GCONF_NAME_MAX + 64];
	int n;
	char *p;

	if ((unsigned int)kind > GCONF_MSG_COMMIT || !origin ||
	    !gconf_name_ok(origin, strlen(origin)) || doclen > GCONF_DOC_MAX ||
	    (kind == GCONF_MSG_COMMIT && doclen))
		return -EINVAL;
	n = snprintf(head, sizeof(head), GCONF_MAGIC "%s %" PRIu64 " %s\n", gconf_kind_names[kind],
		     epoch, origin);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -EINVAL;
	p = malloc((size_t)n + doclen + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p, head, (size_t)n);
	if (doclen)
		memcpy(p + n, doc, doclen);
	p[(size_t)n + doclen] = '\0';
	*out = p;
	*outlen = (size_t)n + doclen;
	return 0;
}

/* The next word of [*p, end) up to a blank or a newline; advances *p past one separator. */
static int gconf_word(const char **p, const char *end, char sep, const char **w, size_t *wlen)
{
	const char *s = *p, *q = s;

	while (q < end && *q != sep)
		q++;
	if (q == end || q == s)
		return -EINVAL;
	*w = s;
	*wlen = (size_t)(q - s);
	*p = q + 1;
	return 0;
}

int gconf_msg_parse(const void *buf, size_t len, struct gconf_msg *m)
{
	const char *p = buf, *end = p + len, *w;
	size_t wlen, mlen = strlen(GCONF_MAGIC);
	uint64_t epoch = 0;
	size_t k;

	memset(m, 0, sizeof(*m));
	if (!buf || len < mlen || memcmp(p, GCONF_MAGIC, mlen))
		return -EINVAL;
	p += mlen;
	if (gconf_word(&p, end, ' ', &w, &wlen))
		return -EINVAL;
	for (k = 0; k < sizeof(gconf_kind_names) / sizeof(gconf_kind_names[0]); k++)
		if (strlen(gconf_kind_names[k]) == wlen && !memcmp(w, gconf_kind_names[k], wlen))
			break;
	if (k == sizeof(gconf_kind_names) / sizeof(gconf_kind_names[0]))
		return -EINVAL;
	m->kind = (enum gconf_msg_kind)k;
	if (gconf_word(&p, end, ' ', &w, &wlen) || wlen > 20)
		return -EINVAL;
	for (size_t i = 0; i < wlen; i++) {
		uint64_t d = (uint64_t)(w[i] - '0');

		if (w[i] < '0' || w[i] > '9' || epoch > (UINT64_MAX - d) / 10)
			return -EINVAL;
		epoch = epoch * 10 + d;
	}
	m->epoch = epoch;
	if (gconf_word(&p, end, '\n', &w, &wlen) || !gconf_name_ok(w, wlen))
		return -EINVAL;
	memcpy(m->origin, w, wlen);
	m->origin[wlen] = '\0';
	m->doc = p;
	m->doclen = (size_t)(end - p);
	if (m->doclen > GCONF_DOC_MAX || (m->kind == GCONF_MSG_COMMIT && m->doclen))
		return -EINVAL;
	return 0;
}

int gconf_ack_build(bool ok, const char *name, const char *why, char *buf, size_t len)
{
	int n;

	if (!name || !gconf_name_ok(name, strlen(name)))
		return -EINVAL;
	if (ok)
		n = snprintf(buf, len, "ok %s", name);
	else
		n = snprintf(buf, len, "refuse %s %s", name, why && why[0] ? why : "(no reason given)");
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

int gconf_ack_parse(const void *buf, size_t len, struct gconf_ack *a)
{
	const char *p = buf, *end = p + len, *w;
	size_t wlen;

	memset(a, 0, sizeof(*a));
	if (!buf)
		return -EINVAL;
	if (len >= 3 && !memcmp(p, "ok ", 3)) {
		a->ok = true;
		p += 3;
		wlen = (size_t)(end - p);
		if (!gconf_name_ok(p, wlen))
			return -EINVAL;
		memcpy(a->name, p, wlen);
		return 0;
	}
	if (len < 7 || memcmp(p, "refuse ", 7))
		return -EINVAL;
	p += 7;
	if (gconf_word(&p, end, ' ', &w, &wlen) || !gconf_name_ok(w, wlen) || p == end)
		return -EINVAL;
	memcpy(a->name, w, wlen);
	wlen = (size_t)(end - p);
	if (wlen >= sizeof(a->why))
		wlen = sizeof(a->why) - 1;
	memcpy(a->why, p, wlen);
	return 0;
}

/* ---- the originator ---- */

static void gconf_who(const struct gconf_reply *r, const struct gconf_member_id *ids, size_t nids,
		      char *buf, size_t len)
{
	for (size_t i = 0; i < nids; i++) {
		if (ids[i].gid == r->gid && ids[i].name) {
			snprintf(buf, len, "gateway %s", ids[i].name);
			return;
		}
	}
	snprintf(buf, len, "client.%" PRIu64 " (a watcher that is no gateway of this group)",
		 r->gid);
}

enum gconf_verdict gconf_decide(const struct gconf_reply *r, size_t n,
				const struct gconf_member_id *ids, size_t nids,
				unsigned int timeout_ms, char *msg, size_t msglen)
{
	char who[GCONF_NAME_MAX + 96];
	struct gconf_ack a;

	if (msglen)
		msg[0] = '\0';
	/* a refusal says more than a silence: report refusals first */
	for (size_t i = 0; i < n; i++) {
		if (r[i].timed_out)
			continue;
		if (gconf_ack_parse(r[i].data, r[i].len, &a)) {
			gconf_who(&r[i], ids, nids, who, sizeof(who));
			snprintf(msg, msglen, "%s gave an answer that is not understood; nothing changed",
				 who);
			return GCONF_VERDICT_ABORT;
		}
		if (!a.ok) {
			snprintf(msg, msglen, "gateway %s refused the change: %s; nothing changed",
				 a.name, a.why);
			return GCONF_VERDICT_ABORT;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!r[i].timed_out)
			continue;
		gconf_who(&r[i], ids, nids, who, sizeof(who));
		if (timeout_ms % 1000)
			snprintf(msg, msglen, "%s did not answer in %u ms; nothing changed", who,
				 timeout_ms);
		else
			snprintf(msg, msglen, "%s did not answer in %u s; nothing changed", who,
				 timeout_ms / 1000);
		return GCONF_VERDICT_ABORT;
	}
	return GCONF_VERDICT_COMMIT;
}

/* ---- a member ---- */

enum gconf_action gconf_member_step(struct gconf_member *m, const struct gconf_event *ev)
{
	switch (ev->kind) {
	case GCONF_EV_START:
	case GCONF_EV_WATCH_LOST:
		/* the watch first, then the read: a change stored after the read is notified */
		m->state = GCONF_MEMBER_UNSYNCED;
		return GCONF_ACT_WATCH_READ;
	case GCONF_EV_READ:
		m->state = GCONF_MEMBER_SYNCED;
		m->epoch = ev->epoch;
		return GCONF_ACT_NONE;
	case GCONF_EV_PREPARE:
		/* the originator validated it before it asked */
		if (ev->self)
			return GCONF_ACT_ACK_OK;
		/* built on what this gateway replaced already: its store would fail the guard */
		if (m->state == GCONF_MEMBER_SYNCED && ev->epoch <= m->epoch)
			return GCONF_ACT_REFUSE_STALE;
		/* a commit went by unseen: validate against what is stored, not what is served */
		if (m->state != GCONF_MEMBER_SYNCED || ev->epoch > m->epoch + 1)
			return GCONF_ACT_READ_VALIDATE;
		return GCONF_ACT_VALIDATE;
	case GCONF_EV_COMMIT:
		if (ev->self || (m->state == GCONF_MEMBER_SYNCED && ev->epoch <= m->epoch))
			return GCONF_ACT_ACK_OK;
		return GCONF_ACT_READ_APPLY_ACK;
	case GCONF_EV_COMMITTED:
		if (ev->epoch > m->epoch)
			m->epoch = ev->epoch;
		return GCONF_ACT_NONE;
	}
	return GCONF_ACT_NONE;
}
