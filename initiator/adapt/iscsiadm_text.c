/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iscsiadm's language (initiator/adapt/iscsiadm_text.h): command lines,
 * exit statuses and messages of open-iscsi 2.1.8. Pure.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/iscsi_name.h"
#include "common/netaddr.h"
#include "common/util.h"
#include "initiator/adapt/iscsiadm_text.h"

/* ---- command lines ---- */

/*
 * Each command: what it does (for messages), and the exit status that
 * also means done for it (besides 0), with the line iscsiadm prints then
 * when that status means other things too.
 */
static const struct iadm_cmd_desc {
	const char *what;
	int also_ok;
	const char *also_ok_text;
} iadm_cmds[IADM_CMD_COUNT] = {
	/* usr/iscsiadm.c, iface op new: a session uses the iface, which is there and stays */
	[IADM_CMD_IFACE_NEW] = { "making the iface record", IADM_EXIT_SESS_EXISTS, NULL },
	[IADM_CMD_IFACE_BIND] = { "binding the iface record to its NIC", 0, NULL },
	[IADM_CMD_DISCDB_NEW] = { "making the discovery record", 0, NULL },
	[IADM_CMD_DISCDB_CHAP] = { "setting the discovery CHAP credentials", 0, NULL },
	/* usr/iscsiadm.c, do_software_sendtargets: an empty SendTargets answer */
	[IADM_CMD_DISCDB_DISCOVER] = { "SendTargets discovery", IADM_EXIT_NO_OBJS_FOUND,
				       "No portals found" },
	[IADM_CMD_DISCOVER] = { "SendTargets discovery", IADM_EXIT_NO_OBJS_FOUND,
				"No portals found" },
	[IADM_CMD_NODE_NEW] = { "making the node record", 0, NULL },
	[IADM_CMD_NODE_SET] = { "setting the node record", 0, NULL },
	/* usr/session_mgmt.c, iscsi_login_portal: "1 session requested, but 1 already present" */
	[IADM_CMD_LOGIN] = { "login", IADM_EXIT_SESS_EXISTS, NULL },
	/* "No matching sessions found" */
	[IADM_CMD_LOGOUT] = { "logout", IADM_EXIT_NO_OBJS_FOUND, NULL },
	/* "No records found" */
	[IADM_CMD_NODE_DELETE] = { "deleting the node record", IADM_EXIT_NO_OBJS_FOUND, NULL },
	[IADM_CMD_RESCAN] = { "rescan", 0, NULL },
};

const char *iadm_cmd_what(enum iadm_cmd cmd)
{
	if ((unsigned int)cmd >= IADM_CMD_COUNT)
		return "iscsiadm";
	return iadm_cmds[cmd].what;
}

static void argv_push(struct iadm_argv *a, const char *s, bool secret)
{
	if (a->n >= IADM_ARGV_MAX) {
		a->n = IADM_ARGV_MAX + 1; /* marks the overflow */
		return;
	}
	if (secret && *s)
		a->secret |= UINT64_C(1) << a->n;
	a->v[a->n++] = s;
}

static void argv_push_num(struct iadm_argv *a, uint32_t value)
{
	if (a->nnum >= ARRAY_SIZE(a->num)) {
		a->n = IADM_ARGV_MAX + 1;
		return;
	}
	snprintf(a->num[a->nnum], sizeof(a->num[0]), "%" PRIu32, value);
	argv_push(a, a->num[a->nnum++], false);
}

/* "-n name -v value": iscsiadm takes any number of pairs in one update (2.1.8, main()). */
static void argv_pair(struct iadm_argv *a, const char *name, const char *value, bool secret)
{
	argv_push(a, "-n", false);
	argv_push(a, name, false);
	argv_push(a, "-v", false);
	argv_push(a, value, secret);
}

static void argv_pair_num(struct iadm_argv *a, const char *name, uint32_t value)
{
	argv_push(a, "-n", false);
	argv_push(a, name, false);
	argv_push(a, "-v", false);
	argv_push_num(a, value);
}

/*
 * The four CHAP values under prefix ("node.session.auth.",
 * "discovery.sendtargets.auth."). Every value is written, empty ones too:
 * "-o new" fills a record from iscsid.conf, whose defaults are not ours.
 */
static void argv_chap(struct iadm_argv *a, const char *authmethod, const char *const names[4],
		      const struct iadm_chap *chap)
{
	bool on = chap->user[0] != '\0';

	argv_pair(a, authmethod, on ? "CHAP" : "None", false);
	argv_pair(a, names[0], on ? chap->user : "", false);
	argv_pair(a, names[1], on ? chap->password : "", true);
	argv_pair(a, names[2], on ? chap->user_in : "", false);
	argv_pair(a, names[3], on ? chap->password_in : "", true);
}

static const char *const iadm_node_chap_names[4] = {
	"node.session.auth.username",
	"node.session.auth.password",
	"node.session.auth.username_in",
	"node.session.auth.password_in",
};

static const char *const iadm_disc_chap_names[4] = {
	"discovery.sendtargets.auth.username",
	"discovery.sendtargets.auth.password",
	"discovery.sendtargets.auth.username_in",
	"discovery.sendtargets.auth.password_in",
};

/* "-m discoverydb|discovery -t sendtargets -p ADDR -I IFACE" */
static void argv_disc(struct iadm_argv *a, const char *mode, const struct iadm_subject *s)
{
	argv_push(a, "-m", false);
	argv_push(a, mode, false);
	argv_push(a, "-t", false);
	argv_push(a, "sendtargets", false);
	argv_push(a, "-p", false);
	argv_push(a, s->addr, false);
	argv_push(a, "-I", false);
	argv_push(a, s->iface, false);
}

/* "-m node -T TARGET -p PORTAL[,TPGT] -I IFACE" */
static void argv_node(struct iadm_argv *a, const struct iadm_subject *s, bool with_tpgt)
{
	argv_push(a, "-m", false);
	argv_push(a, "node", false);
	argv_push(a, "-T", false);
	argv_push(a, s->target, false);
	argv_push(a, "-p", false);
	if (with_tpgt) {
		snprintf(a->portal_tpgt, sizeof(a->portal_tpgt), "%s,%u", s->portal,
			 (unsigned int)s->tpgt);
		argv_push(a, a->portal_tpgt, false);
	} else {
		argv_push(a, s->portal, false);
	}
	argv_push(a, "-I", false);
	argv_push(a, s->iface, false);
}

static bool iadm_subject_has(enum iadm_cmd cmd, const struct iadm_subject *s)
{
	if (!s->prog)
		return false;
	switch (cmd) {
	case IADM_CMD_IFACE_NEW:
		return s->iface;
	case IADM_CMD_IFACE_BIND:
		return s->iface && s->nic;
	case IADM_CMD_DISCDB_NEW:
	case IADM_CMD_DISCDB_DISCOVER:
	case IADM_CMD_DISCOVER:
		return s->iface && s->addr;
	case IADM_CMD_DISCDB_CHAP:
		return s->iface && s->addr && s->conf;
	case IADM_CMD_NODE_NEW:
	case IADM_CMD_LOGIN:
	case IADM_CMD_LOGOUT:
	case IADM_CMD_NODE_DELETE:
		return s->iface && s->target && s->portal;
	case IADM_CMD_NODE_SET:
		return s->iface && s->target && s->portal && s->conf;
	case IADM_CMD_RESCAN:
		return true;
	case IADM_CMD_COUNT:
		break;
	}
	return false;
}

int iadm_build(enum iadm_cmd cmd, const struct iadm_subject *s, struct iadm_argv *a)
{
	memset(a, 0, sizeof(*a));
	if ((unsigned int)cmd >= IADM_CMD_COUNT || !iadm_subject_has(cmd, s))
		return -EINVAL;
	argv_push(a, s->prog, false);
	switch (cmd) {
	case IADM_CMD_IFACE_NEW:
	case IADM_CMD_IFACE_BIND:
		argv_push(a, "-m", false);
		argv_push(a, "iface", false);
		argv_push(a, "-I", false);
		argv_push(a, s->iface, false);
		argv_push(a, "-o", false);
		if (cmd == IADM_CMD_IFACE_NEW) {
			argv_push(a, "new", false);
			break;
		}
		argv_push(a, "update", false);
		argv_pair(a, "iface.net_ifacename", s->nic, false);
		break;
	case IADM_CMD_DISCDB_NEW:
		argv_disc(a, "discoverydb", s);
		argv_push(a, "-o", false);
		argv_push(a, "new", false);
		break;
	case IADM_CMD_DISCDB_CHAP:
		argv_disc(a, "discoverydb", s);
		argv_push(a, "-o", false);
		argv_push(a, "update", false);
		argv_chap(a, "discovery.sendtargets.auth.authmethod", iadm_disc_chap_names,
			  &s->conf->discovery_chap);
		break;
	case IADM_CMD_DISCDB_DISCOVER:
	case IADM_CMD_DISCOVER:
		argv_disc(a, cmd == IADM_CMD_DISCOVER ? "discovery" : "discoverydb", s);
		if (cmd == IADM_CMD_DISCDB_DISCOVER)
			argv_push(a, "--discover", false);
		/*
		 * nonpersistent: print what the target says, and make no node
		 * records of it (without it iscsiadm makes a record of every
		 * portal, overwrites those that exist with iscsid.conf's
		 * defaults, and deletes the ones the answer no longer lists).
		 */
		argv_push(a, "-o", false);
		argv_push(a, "nonpersistent", false);
		break;
	case IADM_CMD_NODE_NEW:
		argv_node(a, s, true);
		argv_push(a, "-o", false);
		argv_push(a, "new", false);
		break;
	case IADM_CMD_NODE_SET:
		argv_node(a, s, true);
		argv_push(a, "-o", false);
		argv_push(a, "update", false);
		argv_pair(a, "node.startup", "manual", false);
		/* CRC32C preferred, None if the target has no digests (RFC 7143 §13.1) */
		argv_pair(a, "node.conn[0].iscsi.HeaderDigest",
			  s->conf->digests ? "CRC32C,None" : "None", false);
		argv_pair(a, "node.conn[0].iscsi.DataDigest",
			  s->conf->digests ? "CRC32C,None" : "None", false);
		argv_pair_num(a, "node.session.timeo.replacement_timeout",
			      s->conf->replacement_timeout_s);
		argv_pair_num(a, "node.conn[0].timeo.noop_out_interval",
			      s->conf->noop_out_interval_s);
		argv_pair_num(a, "node.conn[0].timeo.noop_out_timeout",
			      s->conf->noop_out_timeout_s);
		if (s->conf->login_timeout_s)
			argv_pair_num(a, "node.conn[0].timeo.login_timeout",
				      s->conf->login_timeout_s);
		argv_pair_num(a, "node.session.initial_login_retry_max", s->conf->login_retry_max);
		argv_chap(a, "node.session.auth.authmethod", iadm_node_chap_names,
			  &s->conf->session_chap);
		break;
	case IADM_CMD_LOGIN:
		argv_node(a, s, true);
		argv_push(a, "--login", false);
		break;
	case IADM_CMD_LOGOUT:
		/* no tpgt: every record and session of this target, portal and iface */
		argv_node(a, s, false);
		argv_push(a, "--logout", false);
		break;
	case IADM_CMD_NODE_DELETE:
		argv_node(a, s, false);
		argv_push(a, "-o", false);
		argv_push(a, "delete", false);
		break;
	case IADM_CMD_RESCAN:
		argv_push(a, "-m", false);
		argv_push(a, "session", false);
		argv_push(a, "-r", false);
		argv_push_num(a, s->sid);
		argv_push(a, "--rescan", false);
		break;
	case IADM_CMD_COUNT:
		break;
	}
	if (a->n > IADM_ARGV_MAX) {
		memset(a, 0, sizeof(*a));
		return -E2BIG;
	}
	a->v[a->n] = NULL;
	return 0;
}

/* Characters an argument may hold and still go unquoted in the log. */
static bool iadm_plain(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("-_.,:/=@%+[]", c)))
			return false;
	}
	return true;
}

struct iadm_out {
	char *buf;
	size_t len, pos;
};

static void out_char(struct iadm_out *o, char c)
{
	if (o->pos + 1 < o->len)
		o->buf[o->pos] = c;
	o->pos++;
}

static void out_str(struct iadm_out *o, const char *s)
{
	while (*s)
		out_char(o, *s++);
}

size_t iadm_argv_format(const struct iadm_argv *a, char *buf, size_t len)
{
	struct iadm_out o = { .buf = buf, .len = len };
	size_t i;

	for (i = 0; i < a->n && a->v[i]; i++) {
		const char *s = a->v[i];

		if (i)
			out_char(&o, ' ');
		if (a->secret & (UINT64_C(1) << i)) {
			out_str(&o, "'********'");
		} else if (iadm_plain(s)) {
			out_str(&o, s);
		} else {
			out_char(&o, '\'');
			for (; *s; s++) {
				if (*s == '\'')
					out_str(&o, "'\\''");
				else
					out_char(&o, *s);
			}
			out_char(&o, '\'');
		}
	}
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = '\0';
	return o.pos;
}

/* ---- lines of output ---- */

/* The next line of [*p, end): its start and length (without "\r\n"); false at the end. */
static bool next_line(const char **p, const char *end, const char **line, size_t *llen)
{
	const char *s = *p, *nl;

	if (s >= end)
		return false;
	nl = memchr(s, '\n', (size_t)(end - s));
	*line = s;
	*llen = (size_t)((nl ? nl : end) - s);
	*p = nl ? nl + 1 : end;
	while (*llen && ((*line)[*llen - 1] == '\r' || (*line)[*llen - 1] == ' ' ||
			 (*line)[*llen - 1] == '\t'))
		(*llen)--;
	return true;
}

static bool has(const char *line, size_t llen, const char *what)
{
	return memmem(line, llen, what, strlen(what)) != NULL;
}

static bool starts(const char *line, size_t llen, const char *what)
{
	size_t n = strlen(what);

	return llen >= n && !memcmp(line, what, n);
}

size_t iadm_last_line(const char *out, size_t len, const char **line)
{
	const char *p = out, *end = out + len, *l, *own = NULL, *any = NULL;
	size_t ll, own_len = 0, any_len = 0;

	while (next_line(&p, end, &l, &ll)) {
		size_t lead = 0;

		while (lead < ll && (l[lead] == ' ' || l[lead] == '\t'))
			lead++;
		if (lead == ll)
			continue;
		any = l;
		any_len = ll;
		if (starts(l, ll, "iscsiadm: ")) {
			own = l;
			own_len = ll;
		}
	}
	if (own) {
		*line = own;
		return own_len;
	}
	*line = any ? any : "";
	return any ? any_len : 0;
}

void iadm_scrub(char *buf, size_t len, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	char *p = buf, *end = buf + len;

	if (!n)
		return;
	while (p < end) {
		char *hit = memmem(p, (size_t)(end - p), secret, n);

		if (!hit)
			break;
		memset(hit, '*', n);
		p = hit + n;
	}
}

/* ---- verdicts ---- */

#define IADM_WHY_AUTH                                                                              \
	"authentication failed (the target refused our CHAP credentials or this initiator)"
#define IADM_WHY_MODULE "the iscsi_tcp kernel module is not loaded (modprobe iscsi_tcp)"

/*
 * What an exit status means, "%s" standing for the far end; line: the
 * meaning is vague, iscsiadm's own last message goes with it.
 */
static const struct iadm_exit_desc {
	int err;
	const char *why;
	bool line;
} iadm_exits[] = {
	[IADM_EXIT_ERR] = { -EIO, "iscsiadm failed", true },
	[IADM_EXIT_SESS_NOT_FOUND] = { -ENOENT, "no such session", false },
	[IADM_EXIT_NOMEM] = { -ENOMEM, "iscsiadm ran out of memory", false },
	/* through iscsid: its own log has the connection's error */
	[IADM_EXIT_TRANS] = { -ECONNRESET, "the connection to %s failed (iscsid's log says why)",
			      false },
	[IADM_EXIT_LOGIN] = { -EIO, "the login to %s failed (iscsid's log says why)", false },
	[IADM_EXIT_IDBM] = { -EIO, "cannot read or write open-iscsi's records under /etc/iscsi",
			     true },
	[IADM_EXIT_INVAL] = { -EINVAL, "iscsiadm refused the request as invalid", true },
	[IADM_EXIT_TRANS_TIMEOUT] = { -ETIMEDOUT, "connection to %s timed out", false },
	[IADM_EXIT_INTERNAL] = { -EIO, "iscsid failed inside", true },
	[IADM_EXIT_LOGOUT] = { -EIO, "the logout from %s failed (iscsid's log says why)", false },
	[IADM_EXIT_PDU_TIMEOUT] = { -ETIMEDOUT, "%s did not answer in time", false },
	[IADM_EXIT_TRANS_NOT_FOUND] = { -EPROTONOSUPPORT, IADM_WHY_MODULE, false },
	[IADM_EXIT_ACCESS] = { -EPERM, "permission denied (iscsiadm must run as root)", false },
	[IADM_EXIT_TRANS_CAPS] = { -EOPNOTSUPP, "the iSCSI transport cannot do this", false },
	[IADM_EXIT_SESS_EXISTS] = { -EEXIST, "a session to %s still uses it", false },
	[IADM_EXIT_INVALID_MGMT_REQ] = { -EPROTO, "iscsid did not understand iscsiadm", false },
	[IADM_EXIT_ISNS_UNAVAILABLE] = { -EOPNOTSUPP, "iSNS is not available", false },
	[IADM_EXIT_ISCSID_COMM_ERR] = { -EPIPE, "lost contact with iscsid", false },
	[IADM_EXIT_FATAL_LOGIN] = { -EPROTO,
				    "%s refused the login for good "
				    "(no such target there, or an initiator error)",
				    false },
	[IADM_EXIT_ISCSID_NOTCONN] = { -ENOTCONN, "cannot reach iscsid (is it running?)", false },
	[IADM_EXIT_NO_OBJS_FOUND] = { -ENOENT, "no such record or session", true },
	[IADM_EXIT_SYSFS_LOOKUP] = { -ENOENT, "%s not found in sysfs", false },
	[IADM_EXIT_HOST_NOT_FOUND] = { -ENODEV, "no such iSCSI host", false },
	[IADM_EXIT_LOGIN_AUTH_FAILED] = { -EACCES, IADM_WHY_AUTH, false },
	[IADM_EXIT_ISNS_QUERY] = { -EIO, "the iSNS query failed", false },
	[IADM_EXIT_ISNS_REG_FAILED] = { -EIO, "the iSNS registration failed", false },
	[IADM_EXIT_OP_NOT_SUPP] = { -EOPNOTSUPP, "iscsiadm does not support this", true },
	[IADM_EXIT_BUSY] = { -EBUSY, "the record or session is in use", true },
	[IADM_EXIT_AGAIN] = { -EAGAIN, "iscsid is busy: try again", false },
	[IADM_EXIT_UNKNOWN_DISCOVERY_TYPE] = { -EINVAL, "unknown discovery type", false },
	[IADM_EXIT_CHILD_TERMINATED] = { -EINTR, "a child process of iscsiadm ended early", false },
	[IADM_EXIT_SESSION_NOT_CONNECTED] = { -ENOTCONN, "the session to %s is not connected",
					      false },
	[IADM_EXIT_REQ_TIMEDOUT] = { -ETIMEDOUT, "iscsid did not answer in time", false },
};

/*
 * Lines of output that say more than the exit status does. Discovery
 * connects from iscsiadm itself (usr/io.c, usr/discovery.c), and gives up
 * with the status of its last retry (ISCSI_ERR_PDU_TIMEOUT once reopen_max
 * is spent), so the line tells why. Both strings must be in the line.
 */
static const struct iadm_clue {
	const char *text, *also;
	int err;
	const char *why;
} iadm_clues[] = {
	{ "initiator failed authorization", NULL, -EACCES, IADM_WHY_AUTH },
	{ "Connection refused", NULL, -ECONNREFUSED, "connection to %s refused" },
	{ "No route to host", NULL, -EHOSTUNREACH, "no route to %s" },
	{ "Network is unreachable", NULL, -ENETUNREACH, "no route to %s (network unreachable)" },
	{ "connect to ", " timed out", -ETIMEDOUT, "connection to %s timed out" },
	{ "Connection timed out", NULL, -ETIMEDOUT, "connection to %s timed out" },
	{ "Connection to Discovery Address", "closed", -ECONNRESET, "%s closed the connection" },
	{ "rejected: initiator error", NULL, -EPROTO, "%s refused the discovery login" },
	{ "rejected: target error", NULL, -EIO, "%s refused the discovery login (target error)" },
	{ "Could not insert module", NULL, -EPROTONOSUPPORT, IADM_WHY_MODULE },
	{ "Could not load transport", NULL, -EPROTONOSUPPORT, IADM_WHY_MODULE },
	{ "driver tcp is not loaded", NULL, -EPROTONOSUPPORT, IADM_WHY_MODULE },
	{ "Could not read iface", NULL, -ENOENT,
	  "the NIC's iface record is missing (it is made when the NIC is prepared)" },
	{ "Could not bind", NULL, -ENODEV, "cannot bind the connection to the NIC" },
	{ "Cannot bind", NULL, -ENODEV, "cannot bind the connection to the NIC" },
};

/* why with each "%s" replaced by peer, into v->why. */
static void why_fill(struct iadm_verdict *v, const char *why, const char *peer)
{
	struct iadm_out o = { .buf = v->why, .len = sizeof(v->why) };

	for (; *why; why++) {
		if (why[0] == '%' && why[1] == 's') {
			out_str(&o, peer);
			why++;
		} else {
			out_char(&o, *why);
		}
	}
	v->why[o.pos < o.len ? o.pos : o.len - 1] = '\0';
}

/* " ('the last line')" after the reason: iscsiadm's own words, when the status says little. */
static void why_add_line(struct iadm_verdict *v, const char *out, size_t len)
{
	const char *line;
	size_t ll = iadm_last_line(out, len, &line), used = strlen(v->why);

	if (!ll || used + 1 >= sizeof(v->why))
		return;
	snprintf(v->why + used, sizeof(v->why) - used, " ('%.*s')", (int)ll, line);
}

static const struct iadm_clue *find_clue(const char *out, size_t len)
{
	const char *p = out, *end = out + len, *l;
	const struct iadm_clue *found = NULL;
	size_t ll, i;

	/* the last clue: what went wrong at the last try */
	while (next_line(&p, end, &l, &ll)) {
		for (i = 0; i < ARRAY_SIZE(iadm_clues); i++) {
			const struct iadm_clue *c = &iadm_clues[i];

			if (has(l, ll, c->text) && (!c->also || has(l, ll, c->also))) {
				found = c;
				break;
			}
		}
	}
	return found;
}

void iadm_judge(enum iadm_cmd cmd, const struct iadm_exit *x, const char *out, size_t len,
		const char *peer, struct iadm_verdict *v)
{
	const struct iadm_cmd_desc *d = &iadm_cmds[(unsigned int)cmd < IADM_CMD_COUNT ? cmd : 0];
	bool exited = !x->timed_out && !x->signal && x->status >= 0;
	const struct iadm_clue *clue;

	memset(v, 0, sizeof(*v));
	if (!peer)
		peer = "the target";
	if (exited && x->status == IADM_EXIT_SUCCESS)
		return;
	if (exited && d->also_ok && x->status == d->also_ok) {
		const char *p = out, *end = out + len, *l;
		size_t ll;

		if (!d->also_ok_text)
			return;
		while (next_line(&p, end, &l, &ll))
			if (has(l, ll, d->also_ok_text))
				return;
	}
	if (exited && x->status == IADM_EXIT_LOGIN_AUTH_FAILED) {
		v->err = -EACCES;
		v->auth_failed = true;
		why_fill(v, IADM_WHY_AUTH, peer);
		return;
	}
	clue = find_clue(out, len);
	if (clue) {
		v->err = clue->err;
		v->auth_failed = clue->err == -EACCES;
		why_fill(v, clue->why, peer);
		return;
	}
	if (x->timed_out) {
		v->err = -ETIMEDOUT;
		bool ms = x->timeout_ms % 1000;

		snprintf(v->why, sizeof(v->why),
			 "iscsiadm did not finish within %u %s and was killed",
			 ms ? x->timeout_ms : x->timeout_ms / 1000, ms ? "ms" : "s");
		return;
	}
	if (x->signal) {
		const char *name = sigabbrev_np(x->signal);

		v->err = -EINTR;
		if (name)
			snprintf(v->why, sizeof(v->why), "iscsiadm was killed by SIG%s", name);
		else
			snprintf(v->why, sizeof(v->why), "iscsiadm was killed by signal %d",
				 x->signal);
		return;
	}
	if (x->status > 0 && (size_t)x->status < ARRAY_SIZE(iadm_exits) &&
	    iadm_exits[x->status].why) {
		const struct iadm_exit_desc *e = &iadm_exits[x->status];

		v->err = e->err;
		why_fill(v, e->why, peer);
		if (e->line)
			why_add_line(v, out, len);
		return;
	}
	v->err = -EIO;
	snprintf(v->why, sizeof(v->why), "iscsiadm exited with status %d", x->status);
	why_add_line(v, out, len);
}

/* ---- SendTargets ---- */

/* "ADDR:PORT" as iscsiadm prints it (IPv6 in brackets unless with a '.'), canonical, into out. */
static bool disc_portal(const char *s, size_t n, char *out, size_t outlen)
{
	char text[MP_PORTAL_MAX + 4];
	struct net_portal p;
	const char *colon;
	size_t colons = 0, i;

	if (!n || n >= MP_PORTAL_MAX)
		return false;
	for (i = 0; i < n; i++)
		colons += s[i] == ':';
	if (s[0] != '[' && colons > 1) {
		/*
		 * idbm_print_node_flat() brackets an address only when it holds
		 * no '.': "::ffff:192.0.2.1:3260" is an IPv6 address and a port.
		 */
		colon = memrchr(s, ':', n);
		snprintf(text, sizeof(text), "[%.*s]%.*s", (int)(colon - s), s,
			 (int)(n - (size_t)(colon - s)), colon);
	} else {
		memcpy(text, s, n);
		text[n] = '\0';
	}
	if (net_portal_parse(text, &p) || strlen(p.text) >= outlen)
		return false;
	strcpy(out, p.text);
	return true;
}

/*
 * One line: "PORTAL,TPGT NAME". 1: a record into *e; 0: not a record (a
 * message); -1: a record that cannot be used.
 */
static int disc_line(const char *l, size_t ll, struct mp_disc_entry *e)
{
	const char *sp = memchr(l, ' ', ll), *comma, *name;
	size_t plen, nlen, i;
	unsigned long tpgt = 0;

	if (!sp || starts(l, ll, "iscsiadm:"))
		return 0;
	name = sp + 1;
	nlen = ll - (size_t)(name - l);
	if (!nlen || memchr(name, ' ', nlen) || memchr(name, '\t', nlen))
		return 0;
	comma = memrchr(l, ',', (size_t)(sp - l));
	if (!comma || comma + 1 == sp || sp - (comma + 1) > 5)
		return 0;
	for (i = 1; comma + i < sp; i++) {
		if (comma[i] < '0' || comma[i] > '9')
			return 0;
		tpgt = tpgt * 10 + (unsigned long)(comma[i] - '0');
	}
	if (tpgt > UINT16_MAX)
		return -1;
	plen = (size_t)(comma - l);
	memset(e, 0, sizeof(*e));
	if (!disc_portal(l, plen, e->portal, sizeof(e->portal)))
		return -1;
	if (nlen >= sizeof(e->target))
		return -1;
	memcpy(e->target, name, nlen);
	e->target[nlen] = '\0';
	if (iscsi_name_check(e->target, NULL))
		return -1;
	e->tpgt = (uint16_t)tpgt;
	return 1;
}

size_t iadm_disc_parse(const char *out, size_t len, struct mp_disc_entry *entries, size_t max,
		       size_t *skipped)
{
	const char *p = out, *end = out + len, *l;
	size_t ll, n = 0, bad = 0, i;

	while (next_line(&p, end, &l, &ll)) {
		struct mp_disc_entry e;
		int rc = disc_line(l, ll, &e);

		if (rc < 0)
			bad++;
		if (rc <= 0)
			continue;
		for (i = 0; i < n; i++)
			if (entries[i].tpgt == e.tpgt && !strcmp(entries[i].portal, e.portal) &&
			    !strcmp(entries[i].target, e.target))
				break;
		if (i < n)
			continue;
		if (n == max) {
			bad++;
			continue;
		}
		entries[n++] = e;
	}
	if (skipped)
		*skipped = bad;
	return n;
}

size_t iadm_disc_lines(const char *out, size_t len)
{
	const char *p = out, *end = out + len, *l;
	size_t ll, n = 0;

	while (next_line(&p, end, &l, &ll))
		n++;
	return n;
}
