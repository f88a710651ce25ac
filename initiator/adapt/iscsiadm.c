/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * open-iscsi through iscsiadm (initiator/adapt/iscsiadm.h).
 *
 * An operation is a short list of iscsiadm commands (iscsiadm_text.h says
 * what each command line is and what its exit means), run one after the
 * other through the child runner (child.h). Operations wait in queues, one
 * per thing they change: a node record (target, portal, iface), an iface
 * record, a discovery address (its discovery record is one for every
 * NIC), a session. A queue runs its operations one at a time, in order;
 * queues run side by side, at most IADM_RUNNING_MAX operations (so as many
 * iscsiadm processes) at once, the others waiting in turn (ia->ready).
 *
 * The first command that fails ends its operation, with the reason.
 * CHAP secrets go to iscsiadm on its command line (it has no other way to
 * take them), so they are on the run's argv for its few milliseconds;
 * they never reach the log: command lines are logged with the secrets
 * masked, output with every copy of a secret overwritten.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ev.h"
#include "common/iscsi_name.h"
#include "common/list.h"
#include "common/log.h"
#include "common/netaddr.h"
#include "common/util.h"
#include "initiator/adapt/child.h"
#include "initiator/adapt/iscsiadm.h"
#include "initiator/adapt/iscsiadm_text.h"

#define COMP "iscsiadm"
/* The wake-up timer's interval while nothing is due (see iadm_kick_cb). */
#define IADM_PARK_MS (24LL * 3600 * 1000)
#define IADM_QUEUE_NAME_MAX (MP_TARGET_MAX + MP_PORTAL_MAX + IADM_IFACE_MAX + 16)
#define IADM_CMDLINE_MAX 2048

enum iadm_op_type {
	IADM_OP_IFACE,
	IADM_OP_DISCOVER,      /* without discovery CHAP */
	IADM_OP_DISCOVER_CHAP, /* through the discovery record, which holds the credentials */
	IADM_OP_LOGIN,
	IADM_OP_LOGOUT,
	IADM_OP_RESCAN,
};

/* The commands of each operation, in order; IADM_CMD_COUNT ends them. */
static const enum iadm_cmd iadm_op_cmds[][4] = {
	[IADM_OP_IFACE] = { IADM_CMD_IFACE_NEW, IADM_CMD_IFACE_BIND, IADM_CMD_COUNT },
	[IADM_OP_DISCOVER] = { IADM_CMD_DISCOVER, IADM_CMD_COUNT },
	[IADM_OP_DISCOVER_CHAP] = { IADM_CMD_DISCDB_NEW, IADM_CMD_DISCDB_CHAP,
				    IADM_CMD_DISCDB_DISCOVER, IADM_CMD_COUNT },
	[IADM_OP_LOGIN] = { IADM_CMD_NODE_NEW, IADM_CMD_NODE_SET, IADM_CMD_LOGIN, IADM_CMD_COUNT },
	[IADM_OP_LOGOUT] = { IADM_CMD_LOGOUT, IADM_CMD_NODE_DELETE, IADM_CMD_COUNT },
	[IADM_OP_RESCAN] = { IADM_CMD_RESCAN, IADM_CMD_COUNT },
};

/* A queue: the operations on one thing, run one at a time. */
struct iadm_queue {
	struct list_head link;	     /* in ia->queues */
	struct list_head ready_link; /* in ia->ready while its first operation waits for a turn */
	struct list_head ops;	     /* in order; the first one runs while busy */
	bool busy;
	char name[IADM_QUEUE_NAME_MAX]; /* "node 'TARGET' PORTAL 'IFACE'", "iface 'IFACE'", ... */
};

struct iadm_op {
	struct list_head link;	    /* in its queue's ops */
	struct list_head fail_link; /* in ia->failing: could not go on, to end on the next turn */
	struct iadm *ia;
	struct iadm_queue *q;
	enum iadm_op_type type;
	size_t step; /* index into iadm_op_cmds[type] */
	char nic[MP_NIC_MAX];
	char iface[IADM_IFACE_MAX];
	char addr[MP_PORTAL_MAX]; /* discovery address */
	char target[MP_TARGET_MAX];
	char portal[MP_PORTAL_MAX];
	uint16_t tpgt;
	uint32_t sid;
	char peer[MP_PORTAL_MAX + 16]; /* the far end, in reasons */
	union {
		iadm_done_cb *done;
		iadm_discover_cb *discover;
		iadm_login_cb *login;
	} cb;
	void *arg;
	struct iadm_argv argv; /* the command line running (it points into the op) */
	/* the outcome */
	int err;
	bool auth_failed;
	char reason[MP_REASON_MAX];
	struct mp_disc_entry *entries;
	size_t nentries;
};

struct iadm {
	struct ev_loop *loop;
	struct iadm_conf conf; /* conf.iscsiadm points to prog */
	/* the credentials before the last iadm_set_conf: a run under way may still print them */
	struct iadm_chap old_chap[2];
	char *prog;
	struct child_runner *runner;
	struct list_head queues;
	struct list_head ready;	  /* queues waiting for a turn, first come first served */
	struct list_head failing; /* operations to end on the next loop turn */
	struct ev_timer *kick;	  /* ends them: armed at 0 ms when there are some */
	unsigned int running;	  /* operations under way (each runs one iscsiadm at a time) */
};

static const char *const iadm_op_names[] = {
	[IADM_OP_IFACE] = "iface",
	[IADM_OP_DISCOVER] = "discovery",
	[IADM_OP_DISCOVER_CHAP] = "discovery",
	[IADM_OP_LOGIN] = "login",
	[IADM_OP_LOGOUT] = "logout",
	[IADM_OP_RESCAN] = "rescan",
};

static void iadm_op_step(struct iadm_op *op);
static int64_t iadm_kick_cb(struct ev_loop *loop, void *arg);

/* ---- configuration and arguments ---- */

/* A value iscsiadm writes into a record as "name = value\n": no control characters. */
static bool iadm_value_ok(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool iadm_chap_ok(const struct iadm_chap *c)
{
	if (!iadm_value_ok(c->user, sizeof(c->user)) ||
	    !iadm_value_ok(c->password, sizeof(c->password)) ||
	    !iadm_value_ok(c->user_in, sizeof(c->user_in)) ||
	    !iadm_value_ok(c->password_in, sizeof(c->password_in)))
		return false;
	if (!c->user[0])
		return !c->password[0] && !c->user_in[0] && !c->password_in[0];
	/* RFC 7143 §12.1.3: mutual CHAP is on top of the initiator's own */
	if (!c->password[0])
		return false;
	return !c->user_in[0] == !c->password_in[0];
}

/* A network interface name as the kernel takes it (dev_valid_name). */
static bool iadm_nic_ok(const char *nic)
{
	size_t n = nic ? strnlen(nic, MP_NIC_MAX) : 0;

	if (!n || n == MP_NIC_MAX || !strcmp(nic, ".") || !strcmp(nic, ".."))
		return false;
	for (; *nic; nic++)
		if (*nic == '/' || *nic == ':' || (unsigned char)*nic <= ' ' || *nic == 0x7f)
			return false;
	return true;
}

/* s as a canonical portal into out; false when it is not one. */
static bool iadm_portal_ok(const char *s, char out[MP_PORTAL_MAX])
{
	struct net_portal p;

	if (!s || strnlen(s, MP_PORTAL_MAX) == MP_PORTAL_MAX || net_portal_parse(s, &p) ||
	    strlen(p.text) >= MP_PORTAL_MAX)
		return false;
	strcpy(out, p.text);
	return true;
}

int iadm_set_conf(struct iadm *ia, const struct iadm_conf *conf)
{
	const char *prog = ia->conf.iscsiadm;
	unsigned int timeout = ia->conf.timeout_ms;

	if (!iadm_chap_ok(&conf->discovery_chap) || !iadm_chap_ok(&conf->session_chap))
		return -EINVAL;
	/*
	 * Each step of an operation builds its command line from the settings
	 * of the moment; the old secrets are kept to scrub the output of runs
	 * made with them.
	 */
	ia->old_chap[0] = ia->conf.discovery_chap;
	ia->old_chap[1] = ia->conf.session_chap;
	ia->conf = *conf;
	ia->conf.iscsiadm = prog;
	ia->conf.timeout_ms = timeout;
	return 0;
}

int iadm_create(struct ev_loop *loop, const struct iadm_conf *conf, struct iadm **out)
{
	struct iadm *ia;
	int rc;

	if (!iadm_chap_ok(&conf->discovery_chap) || !iadm_chap_ok(&conf->session_chap))
		return -EINVAL;
	ia = calloc(1, sizeof(*ia));
	if (!ia)
		return -ENOMEM;
	ia->loop = loop;
	ia->conf = *conf;
	if (!ia->conf.timeout_ms)
		ia->conf.timeout_ms = IADM_TIMEOUT_MS;
	ia->prog = strdup(conf->iscsiadm ? conf->iscsiadm : "iscsiadm");
	if (!ia->prog) {
		rc = -ENOMEM;
		goto err_free;
	}
	ia->conf.iscsiadm = ia->prog;
	list_init(&ia->queues);
	list_init(&ia->ready);
	list_init(&ia->failing);
	rc = child_runner_create(loop, &ia->runner);
	if (rc)
		goto err_free_prog;
	ia->kick = ev_timer_add(loop, IADM_PARK_MS, iadm_kick_cb, ia);
	if (!ia->kick) {
		rc = -ENOMEM;
		goto err_destroy_runner;
	}
	*out = ia;
	return 0;

err_destroy_runner:
	child_runner_destroy(ia->runner);
err_free_prog:
	free(ia->prog);
err_free:
	free(ia);
	return rc;
}

static void iadm_op_free(struct iadm_op *op)
{
	free(op->entries);
	free(op);
}

void iadm_destroy(struct iadm *ia)
{
	struct iadm_queue *q, *qtmp;
	struct iadm_op *op, *optmp;

	if (!ia)
		return;
	/* the children first: from here on none of their callbacks runs */
	child_runner_destroy(ia->runner);
	ev_timer_cancel(ia->loop, ia->kick);
	/* the failing ones are the first of their queues */
	list_for_each_entry_safe(q, qtmp, &ia->queues, link) {
		list_for_each_entry_safe(op, optmp, &q->ops, link)
			iadm_op_free(op);
		free(q);
	}
	free(ia->prog);
	free(ia);
}

/* ---- queues ---- */

static void iadm_pump(struct iadm *ia)
{
	while (ia->running < IADM_RUNNING_MAX && !list_empty(&ia->ready)) {
		struct iadm_queue *q = list_first_entry(&ia->ready, struct iadm_queue, ready_link);

		list_del(&q->ready_link);
		q->busy = true;
		ia->running++;
		iadm_op_step(list_first_entry(&q->ops, struct iadm_op, link));
	}
}

/* Queues op (which it owns from now on, also on failure) behind the others of its queue. */
static int iadm_submit(struct iadm *ia, struct iadm_op *op, const char *qname)
{
	struct iadm_queue *q;

	list_for_each_entry(q, &ia->queues, link)
		if (!strcmp(q->name, qname))
			goto found;
	q = calloc(1, sizeof(*q));
	if (!q) {
		iadm_op_free(op);
		return -ENOMEM;
	}
	snprintf(q->name, sizeof(q->name), "%s", qname);
	list_init(&q->ops);
	list_init(&q->ready_link);
	list_add_tail(&q->link, &ia->queues);
found:
	op->q = q;
	list_add_tail(&op->link, &q->ops);
	/* an idle queue with work waits for a turn; one already waiting keeps its place */
	if (!q->busy && q->ops.next == &op->link)
		list_add_tail(&q->ready_link, &ia->ready);
	log_dbg(COMP, "%s: %s queued", q->name, iadm_op_names[op->type]);
	iadm_pump(ia);
	return 0;
}

/* Hands the outcome over and frees op, which belongs to nobody by now. */
static void iadm_op_deliver(struct iadm_op *op)
{
	const char *reason = op->err ? op->reason : "";

	switch (op->type) {
	case IADM_OP_IFACE:
	case IADM_OP_LOGOUT:
	case IADM_OP_RESCAN:
		op->cb.done(op->arg, op->err, reason);
		break;
	case IADM_OP_DISCOVER:
	case IADM_OP_DISCOVER_CHAP:
		op->cb.discover(op->arg, op->err, reason, op->err ? NULL : op->entries,
				op->err ? 0 : op->nentries);
		break;
	case IADM_OP_LOGIN:
		op->cb.login(op->arg, op->err, op->auth_failed, reason);
		break;
	}
	iadm_op_free(op);
}

/*
 * Ends op, the running first operation of its queue: the queue's next one
 * waits for a turn, turns go round, and the callback runs last (it may
 * destroy ia).
 */
static void iadm_op_end(struct iadm_op *op)
{
	struct iadm *ia = op->ia;
	struct iadm_queue *q = op->q;

	list_del(&op->link);
	q->busy = false;
	ia->running--;
	if (list_empty(&q->ops)) {
		list_del(&q->link);
		free(q);
	} else {
		list_add_tail(&q->ready_link, &ia->ready);
	}
	iadm_pump(ia);
	iadm_op_deliver(op);
}

/*
 * op cannot go on (its command could not start): it ends with err and
 * the reason on the loop's next turn, never inside the call that queued
 * it.
 */
static void iadm_op_fail(struct iadm_op *op, int err, const char *reason)
{
	op->err = err;
	snprintf(op->reason, sizeof(op->reason), "%s", reason);
	log_warn(COMP, "%s: %s", op->q->name, op->reason);
	list_add_tail(&op->fail_link, &op->ia->failing);
	ev_timer_reset(op->ia->loop, op->ia->kick, 0);
}

/* Ends the failing operations, one a turn (each callback may destroy ia). */
static int64_t iadm_kick_cb(struct ev_loop *loop, void *arg)
{
	struct iadm *ia = arg;
	struct iadm_op *op;

	if (list_empty(&ia->failing))
		return IADM_PARK_MS;
	op = list_first_entry(&ia->failing, struct iadm_op, fail_link);
	list_del(&op->fail_link);
	if (!list_empty(&ia->failing))
		ev_timer_reset(loop, ia->kick, 0);
	iadm_op_end(op);
	/* re-armed above when more are due: that deadline stands, whatever this says */
	return IADM_PARK_MS;
}

/* ---- running the commands ---- */

static bool iadm_has_secrets(const struct iadm *ia)
{
	bool any = ia->conf.discovery_chap.password[0] || ia->conf.discovery_chap.password_in[0] ||
		   ia->conf.session_chap.password[0] || ia->conf.session_chap.password_in[0];

	for (int i = 0; i < 2; i++)
		any |= ia->old_chap[i].password[0] || ia->old_chap[i].password_in[0];
	return any;
}

/* A copy of out with every secret of the configuration overwritten (NULL without memory). */
static char *iadm_scrubbed(const struct iadm *ia, const char *out, size_t len)
{
	char *text = malloc(len + 1);

	if (!text)
		return NULL;
	memcpy(text, out, len);
	text[len] = '\0';
	iadm_scrub(text, len, ia->conf.discovery_chap.password);
	iadm_scrub(text, len, ia->conf.discovery_chap.password_in);
	iadm_scrub(text, len, ia->conf.session_chap.password);
	iadm_scrub(text, len, ia->conf.session_chap.password_in);
	for (int i = 0; i < 2; i++) {
		iadm_scrub(text, len, ia->old_chap[i].password);
		iadm_scrub(text, len, ia->old_chap[i].password_in);
	}
	return text;
}

/* How the run ended, for the log. */
static void iadm_exit_text(const struct child_result *res, unsigned int timeout_ms, char *buf,
			   size_t len)
{
	if (res->timed_out)
		snprintf(buf, len, "killed after %u ms", timeout_ms);
	else if (res->signal)
		snprintf(buf, len, "killed by signal %d", res->signal);
	else
		snprintf(buf, len, "exit %d", res->status);
}

/* The SendTargets answer into op->entries. 0, or -errno with op->reason. */
static int iadm_op_entries(struct iadm_op *op, const char *out, size_t len, size_t dropped)
{
	size_t max = iadm_disc_lines(out, len), skipped = 0;

	/*
	 * A cut answer would look like targets that went away: better no
	 * answer (the state machine keeps the last good one).
	 */
	if (dropped) {
		snprintf(op->reason, sizeof(op->reason),
			 "SendTargets discovery failed: the answer is longer than %u KiB "
			 "(%zu bytes more)",
			 CHILD_OUT_MAX / 1024, dropped);
		return -E2BIG;
	}
	op->entries = calloc(max ? max : 1, sizeof(*op->entries));
	if (!op->entries) {
		snprintf(op->reason, sizeof(op->reason),
			 "SendTargets discovery failed: out of memory for its answer");
		return -ENOMEM;
	}
	op->nentries = iadm_disc_parse(out, len, op->entries, max, &skipped);
	if (skipped)
		log_warn(COMP,
			 "%s: %zu records of the SendTargets answer left out (a portal that is "
			 "not an address, or a name that is not an iSCSI name)",
			 op->q->name, skipped);
	log_dbg(COMP, "%s: the SendTargets answer has %zu records", op->q->name, op->nentries);
	return 0;
}

/* A run of op's current command ended. */
static void iadm_op_ran(void *arg, const struct child_result *res)
{
	struct iadm_op *op = arg;
	struct iadm *ia = op->ia;
	enum iadm_cmd cmd = iadm_op_cmds[op->type][op->step];
	struct iadm_exit x = {
		.status = res->status,
		.signal = res->signal,
		.timed_out = res->timed_out,
		.timeout_ms = ia->conf.timeout_ms,
	};
	struct iadm_verdict v;
	const char *out = res->out;
	size_t len = res->len;
	char *text = NULL;
	int rc;

	if (iadm_has_secrets(ia)) {
		text = iadm_scrubbed(ia, out, len);
		/* without memory for the copy, none of the output is used: it may hold a secret */
		out = text ? text : "";
		len = text ? len : 0;
	}
	iadm_judge(cmd, &x, out, len, op->peer, &v);
	if (v.err) {
		char how[64];
		const char *line;
		size_t ll = iadm_last_line(out, len, &line);

		iadm_exit_text(res, ia->conf.timeout_ms, how, sizeof(how));
		op->err = v.err;
		op->auth_failed = v.auth_failed;
		snprintf(op->reason, sizeof(op->reason), "%s failed: %s", iadm_cmd_what(cmd),
			 v.why);
		log_warn(COMP, "%s: %s (iscsiadm %s; its last line: '%.*s')", op->q->name,
			 op->reason, how, (int)ll, line);
		free(text);
		iadm_op_end(op);
		return;
	}
	if (cmd == IADM_CMD_DISCOVER || cmd == IADM_CMD_DISCDB_DISCOVER) {
		rc = iadm_op_entries(op, out, len, res->dropped);
		if (rc) {
			op->err = rc;
			log_warn(COMP, "%s: %s", op->q->name, op->reason);
			free(text);
			iadm_op_end(op);
			return;
		}
	}
	free(text);
	log_dbg(COMP, "%s: %s: exit %d", op->q->name, iadm_cmd_what(cmd), res->status);
	op->step++;
	if (iadm_op_cmds[op->type][op->step] == IADM_CMD_COUNT) {
		log_dbg(COMP, "%s: %s done", op->q->name, iadm_op_names[op->type]);
		iadm_op_end(op);
		return;
	}
	iadm_op_step(op);
}

/* Starts op's current command. */
static void iadm_op_step(struct iadm_op *op)
{
	struct iadm *ia = op->ia;
	enum iadm_cmd cmd = iadm_op_cmds[op->type][op->step];
	struct iadm_subject s = {
		.prog = ia->prog,
		.iface = op->iface,
		.nic = op->nic,
		.addr = op->addr,
		.target = op->target,
		.portal = op->portal,
		.tpgt = op->tpgt,
		.sid = op->sid,
		.conf = &ia->conf,
	};
	char reason[MP_REASON_MAX];
	struct child *c;
	int rc;

	rc = iadm_build(cmd, &s, &op->argv);
	if (rc) {
		snprintf(reason, sizeof(reason), "%s failed: no command line for it: %s",
			 iadm_cmd_what(cmd), strerror(-rc));
		iadm_op_fail(op, rc, reason);
		return;
	}
	rc = child_run(ia->runner, op->argv.v, ia->conf.timeout_ms, iadm_op_ran, op, &c);
	if (rc) {
		snprintf(reason, sizeof(reason), "%s failed: cannot run '%s': %s",
			 iadm_cmd_what(cmd), ia->prog, strerror(-rc));
		iadm_op_fail(op, rc, reason);
		return;
	}
	if (log_debug_enabled(COMP)) {
		char line[IADM_CMDLINE_MAX];

		/* the secrets masked: see iadm_argv_format() */
		iadm_argv_format(&op->argv, line, sizeof(line));
		log_dbg(COMP, "%s: pid %d: %s", op->q->name, (int)child_pid(c), line);
	}
}

/* ---- operations ---- */

static struct iadm_op *iadm_op_new(struct iadm *ia, enum iadm_op_type type, const char *nic,
				   void *arg)
{
	struct iadm_op *op = calloc(1, sizeof(*op));

	if (!op)
		return NULL;
	op->ia = ia;
	op->type = type;
	op->arg = arg;
	list_init(&op->link);
	list_init(&op->fail_link);
	if (nic) {
		snprintf(op->nic, sizeof(op->nic), "%s", nic);
		snprintf(op->iface, sizeof(op->iface), IADM_IFACE_PREFIX "%s", nic);
	}
	return op;
}

int iadm_iface(struct iadm *ia, const char *nic, iadm_done_cb *cb, void *arg)
{
	char qname[IADM_QUEUE_NAME_MAX];
	struct iadm_op *op;

	if (!iadm_nic_ok(nic) || !cb)
		return -EINVAL;
	op = iadm_op_new(ia, IADM_OP_IFACE, nic, arg);
	if (!op)
		return -ENOMEM;
	op->cb.done = cb;
	snprintf(op->peer, sizeof(op->peer), "%s", nic);
	snprintf(qname, sizeof(qname), "iface '%s'", op->iface);
	return iadm_submit(ia, op, qname);
}

int iadm_discover(struct iadm *ia, const char *nic, const char *addr, iadm_discover_cb *cb,
		  void *arg)
{
	char qname[IADM_QUEUE_NAME_MAX], canon[MP_PORTAL_MAX];
	bool chap = ia->conf.discovery_chap.user[0] != '\0';
	struct iadm_op *op;

	if (!iadm_nic_ok(nic) || !iadm_portal_ok(addr, canon) || !cb)
		return -EINVAL;
	op = iadm_op_new(ia, chap ? IADM_OP_DISCOVER_CHAP : IADM_OP_DISCOVER, nic, arg);
	if (!op)
		return -ENOMEM;
	op->cb.discover = cb;
	strcpy(op->addr, canon);
	strcpy(op->peer, canon);
	/* one queue per address, whatever the NIC: the discovery record is the address's */
	snprintf(qname, sizeof(qname), "discovery %s", canon);
	return iadm_submit(ia, op, qname);
}

/* key's names into op, checked; false when one is not what it should be. */
static bool iadm_op_key(struct iadm_op *op, const struct mp_link_key *key)
{
	if (!iadm_portal_ok(key->portal, op->portal) ||
	    strnlen(key->target, sizeof(key->target)) == sizeof(key->target) ||
	    iscsi_name_check(key->target, NULL))
		return false;
	strcpy(op->target, key->target);
	strcpy(op->peer, op->portal);
	return true;
}

int iadm_login(struct iadm *ia, const struct mp_link_key *key, uint16_t tpgt, iadm_login_cb *cb,
	       void *arg)
{
	char qname[IADM_QUEUE_NAME_MAX];
	struct iadm_op *op;

	if (!key || !iadm_nic_ok(key->nic) || !cb)
		return -EINVAL;
	op = iadm_op_new(ia, IADM_OP_LOGIN, key->nic, arg);
	if (!op)
		return -ENOMEM;
	if (!iadm_op_key(op, key)) {
		iadm_op_free(op);
		return -EINVAL;
	}
	op->cb.login = cb;
	op->tpgt = tpgt;
	snprintf(qname, sizeof(qname), "node '%s' %s '%s'", op->target, op->portal, op->iface);
	return iadm_submit(ia, op, qname);
}

int iadm_logout(struct iadm *ia, const struct mp_link_key *key, iadm_done_cb *cb, void *arg)
{
	char qname[IADM_QUEUE_NAME_MAX];
	struct iadm_op *op;

	if (!key || !iadm_nic_ok(key->nic) || !cb)
		return -EINVAL;
	op = iadm_op_new(ia, IADM_OP_LOGOUT, key->nic, arg);
	if (!op)
		return -ENOMEM;
	if (!iadm_op_key(op, key)) {
		iadm_op_free(op);
		return -EINVAL;
	}
	op->cb.done = cb;
	snprintf(qname, sizeof(qname), "node '%s' %s '%s'", op->target, op->portal, op->iface);
	return iadm_submit(ia, op, qname);
}

int iadm_rescan(struct iadm *ia, uint32_t sid, iadm_done_cb *cb, void *arg)
{
	char qname[IADM_QUEUE_NAME_MAX];
	struct iadm_op *op;

	if (!cb)
		return -EINVAL;
	op = iadm_op_new(ia, IADM_OP_RESCAN, NULL, arg);
	if (!op)
		return -ENOMEM;
	op->cb.done = cb;
	op->sid = sid;
	snprintf(op->peer, sizeof(op->peer), "session %u", (unsigned int)sid);
	snprintf(qname, sizeof(qname), "session %u", (unsigned int)sid);
	return iadm_submit(ia, op, qname);
}
