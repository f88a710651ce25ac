/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Task management functions (RFC 7143 §11.5, §11.6; SAM-5 §7).
 *
 * A task still in the engine (its backstore I/O cannot be recalled) is
 * marked aborted; the TMF response waits until every such task has left
 * the engine, so that when the initiator hears "function complete" nothing
 * of the aborted tasks can still reach the medium. Tasks not yet in the
 * engine are dropped at once. No response is sent for a task that its own
 * session's request aborts (SAM-5: TAS concerns other I_T nexuses).
 *
 * ABORT TASK SET and CLEAR TASK SET concern this session's tasks only:
 * the control mode page reports TST=001b, a task set per I_T nexus
 * (SPC-4 §7.5.8, target/scsi/mode.c).
 *
 * LOGICAL UNIT RESET and the target resets abort the tasks of every
 * session on the LU, and a PERSISTENT RESERVE OUT with PREEMPT AND ABORT
 * those of the preempted nexuses (struct scsi_abort): each session is
 * reached on its own I/O thread through its anchor, aborts its tasks there,
 * and the request is answered once every aborted task of every session has
 * left the engine. The control mode page says TAS 1 (SPC-4 §7.5.8: "tasks
 * aborted by the actions of an I_T nexus other than the I_T nexus on which
 * the command was received shall be completed with TASK ABORTED status"),
 * so each of those tasks ends with that status (task_abort_tas): the
 * initiator retries it at once instead of waiting for its command timer
 * and escalating to a reset of its own. It keeps its ITT until then.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/be.h"
#include "common/log.h"
#include "common/util.h"
#include "target/iscsi/iscsi_int.h"

#define COMP "iscsi"
/* ev_post fails only without memory: retry this often, and say so once. */
#define TMF_POST_RETRY_US 10000

static void tmf_send(struct iscsi_tmf_wait *w)
{
	struct iscsi_conn *conn = w->conn;

	if (conn->state == ISCSI_CONN_STATE_FULL_FEATURE) {
		struct iscsi_tx *tx = conn_tx_alloc(conn, NULL, 0, NULL);

		if (tx) {
			memcpy(tx->hdr, w->rsp, ISCSI_BHS_LEN);
			conn_stamp(conn, tx->hdr, true);
			tx->close_after = w->close_after;
			conn_queue(conn, tx);
		}
	}
	conn_put(conn);
	free(w);
}

void tmf_task_done(struct iscsi_task *task)
{
	struct iscsi_tmf_wait *w = task->tmf;

	task->tmf = NULL;
	if (--w->waiting == 0)
		tmf_send(w);
}

/* Aborts one task on behalf of w. */
static void tmf_abort_task(struct iscsi_task *task, struct iscsi_tmf_wait *w)
{
	task_get(task);
	task->aborted = true;
	/* its own nexus asked: no status, even if another nexus's abort took it first */
	task->tas = false;
	task->cmd.aborted = true; /* a long command (EXTENDED COPY) stops at its next step */
	if (task->state == ISCSI_TASK_STATE_EXEC && !task->tmf) {
		task->tmf = w;
		w->waiting++;
	}
	/* Out of the ITT table: the initiator may reuse the tag once we answer. */
	task_remove(task);
	task_put(task);
}

static void tmf_abort_lun(struct iscsi_session *sess, uint64_t lun, struct iscsi_tmf_wait *w,
			  bool all_luns)
{
	struct iscsi_task *t, *n;

	list_for_each_entry_safe(t, n, &sess->tasks, link)
		if (all_luns || t->lun == lun)
			tmf_abort_task(t, w);
}

/* Sessions reached from other threads. */

int sess_anchor_new(struct iscsi_session *sess)
{
	struct sess_anchor *an = calloc(1, sizeof(*an));

	if (!an)
		return -ENOMEM;
	an->refs = 1; /* the session's */
	an->sess = sess;
	an->loop = sess->loop;
	sess->anchor = an;
	return 0;
}

static void anchor_put(struct sess_anchor *an)
{
	if (__atomic_sub_fetch(&an->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(an);
}

void sess_anchor_end(struct iscsi_session *sess)
{
	struct sess_anchor *an = sess->anchor;

	if (!an)
		return;
	sess->anchor = NULL;
	an->sess = NULL;
	anchor_put(an);
}

/* Runs fn(arg) on loop, retrying while memory is short: a cross-thread step must not be lost. */
static void tmf_post(struct ev_loop *loop, ev_post_cb fn, void *arg)
{
	bool warned = false;

	while (ev_post(loop, fn, arg)) {
		if (!warned)
			log_err(COMP, "out of memory posting an abort to another thread; retrying");
		warned = true;
		usleep(TMF_POST_RETRY_US);
	}
}

/* One session's part of an abort from elsewhere, on its way to its loop. */
struct tmf_xabort {
	struct sess_anchor *an;
	struct scsi_lu *lu;
	struct scsi_abort *ab;
};

static void tmf_xabort_run(void *arg)
{
	struct tmf_xabort *x = arg;
	struct iscsi_session *sess = x->an->sess;
	struct iscsi_task *t, *n;
	bool closed;

	/*
	 * A session already gone has no tasks left in the engine. The unit
	 * attention the abort may carry (x->ab->ua, COMMANDS CLEARED BY
	 * ANOTHER INITIATOR) is how SAM-5 §5.6 tells a nexus of commands
	 * aborted without status, with TAS 0; here each gets TASK ABORTED.
	 */
	if (sess) {
		list_for_each_entry_safe(t, n, &sess->tasks, link)
		{
			/* an earlier abort's TASK ABORTED is on its way already */
			if (!t->cmd.itl || scsi_itl_lu(t->cmd.itl) != x->lu || t->tas)
				continue;
			task_get(t);
			if (t->state == ISCSI_TASK_STATE_EXEC && !t->xab) {
				t->xab = x->ab;
				scsi_abort_hold(x->ab);
			}
			task_abort_tas(t);
			/*
			 * An answer that found no memory closed the connection,
			 * and that took every task of the session (n too): stop.
			 * t, held, keeps the connection and the session alive.
			 */
			closed = sess->conn->state == ISCSI_CONN_STATE_CLOSED;
			task_put(t);
			if (closed)
				break;
		}
	}
	scsi_abort_release(x->ab);
	scsi_lu_put(x->lu);
	anchor_put(x->an);
	free(x);
}

void tmf_abort_lu(struct scsi_nexus *nx, struct scsi_lu *lu, struct scsi_abort *ab)
{
	struct iscsi_session *sess = nx->priv;
	struct tmf_xabort *x;

	if (!sess || !sess->anchor)
		return;
	x = calloc(1, sizeof(*x));
	if (!x) {
		log_err(COMP, "session tsih %u: out of memory: its tasks on an LU are not aborted",
			sess->tsih);
		return;
	}
	/* the session lives while its nexus is attached, which the caller's lock ensures */
	x->an = sess->anchor;
	__atomic_add_fetch(&x->an->refs, 1, __ATOMIC_RELAXED);
	x->lu = lu;
	scsi_lu_get(lu);
	x->ab = ab;
	scsi_abort_hold(ab);
	tmf_post(x->an->loop, tmf_xabort_run, x);
}

/* A TMF that waits for other sessions' aborted tasks too. */
struct tmf_xwait {
	struct scsi_abort ab;
	struct iscsi_tmf_wait *w;
	struct ev_loop *loop;
};

static void tmf_xwait_run(void *arg)
{
	struct tmf_xwait *x = arg;
	struct iscsi_tmf_wait *w = x->w;

	free(x);
	if (--w->waiting == 0)
		tmf_send(w);
}

static void tmf_xwait_done(struct scsi_abort *ab)
{
	struct tmf_xwait *x = ab->arg;

	/* the TMF's counter is its loop's */
	tmf_post(x->loop, tmf_xwait_run, x);
}

/*
 * SAM-5 §6.3.3, §6.6: aborts the tasks of every other session on the LUs
 * (lus[0..n)); w answers once they left the engine. false without memory.
 */
static bool tmf_abort_others(struct iscsi_session *sess, struct iscsi_tmf_wait *w,
			     struct scsi_lu *const *lus, size_t n)
{
	struct tmf_xwait *x = calloc(1, sizeof(*x));
	size_t i;

	if (!x)
		return false;
	x->w = w;
	x->loop = sess->loop;
	x->ab.pending = 1;
	x->ab.done = tmf_xwait_done;
	x->ab.arg = x;
	w->waiting++;
	for (i = 0; i < n; i++)
		scsi_lu_abort_tasks(lus[i], &sess->nexus, &x->ab);
	scsi_abort_release(&x->ab);
	return true;
}

void tmf_handle(struct iscsi_conn *conn, const uint8_t *bhs)
{
	const struct iscsi_tmf_req *q = (const struct iscsi_tmf_req *)bhs;
	struct iscsi_session *sess = conn->sess;
	uint8_t function = q->function & 0x7f;
	uint64_t lun = scsi_lun_decode(q->lun);
	/* The current LUN map: a LUN taken away since is not there (RFC 7143 §11.6.1). */
	const struct scsi_lun_map *map = sess->luns->map;
	const struct scsi_lun_entry *e = scsi_lun_map_find(map, lun);
	struct scsi_itl *itl = e ? sess->luns->itls[e - map->e] : NULL;
	struct iscsi_tmf_wait *w;
	struct iscsi_tmf_rsp *r;
	struct scsi_lu *lu;
	uint8_t response = ISCSI_TMF_RSP_COMPLETE;
	bool close_after = false;

	w = calloc(1, sizeof(*w));
	if (!w) {
		conn_close(conn, "out of memory for a task management request");
		return;
	}
	w->conn = conn;
	conn_get(conn);
	r = (struct iscsi_tmf_rsp *)w->rsp;
	r->opcode = ISCSI_OP_TASK_MGMT_RSP;
	r->flags = ISCSI_FLAG_FINAL;
	memcpy(r->itt, q->itt, sizeof(r->itt));
	w->waiting = 1; /* held while we work */

	switch (function) {
	case ISCSI_TMF_ABORT_TASK: {
		uint32_t rtt = get_be32(q->rtt);
		uint32_t refcmdsn = get_be32(q->refcmdsn);
		struct iscsi_task *t = task_find(sess, rtt);

		if (t) {
			tmf_abort_task(t, w);
		} else if (!sn_lt(refcmdsn, sess->exp_cmdsn) &&
			   !sn_gt(refcmdsn, sess_max_cmdsn(sess))) {
			/*
			 * RFC 7143 §11.5.1: not found but RefCmdSN within the window:
			 * the command has not arrived; it is considered received
			 * (and aborted), the answer is "function complete".
			 */
			response = ISCSI_TMF_RSP_COMPLETE;
		} else {
			response = ISCSI_TMF_RSP_NO_TASK;
		}
		break;
	}
	case ISCSI_TMF_ABORT_TASK_SET:
	case ISCSI_TMF_CLEAR_TASK_SET:
		if (!e) {
			response = ISCSI_TMF_RSP_NO_LUN;
			break;
		}
		tmf_abort_lun(sess, lun, w, false);
		break;
	case ISCSI_TMF_CLEAR_ACA:
		/* NACA is not supported, so no ACA condition can exist to clear. */
		response = e ? ISCSI_TMF_RSP_COMPLETE : ISCSI_TMF_RSP_NO_LUN;
		break;
	case ISCSI_TMF_LOGICAL_UNIT_RESET:
		if (!e) {
			response = ISCSI_TMF_RSP_NO_LUN;
			break;
		}
		tmf_abort_lun(sess, lun, w, false);
		lu = scsi_itl_lu(itl);
		if (!tmf_abort_others(sess, w, &lu, 1)) {
			response = ISCSI_TMF_RSP_REJECTED;
			break;
		}
		/*
		 * SAM-5 §6.3.2: mode pages to defaults and UA 29/03 on every I_T
		 * nexus, the requester's included (libiscsi's multipath reset
		 * test expects it on every path).
		 */
		scsi_lu_reset(scsi_itl_lu(itl), NULL);
		log_info(COMP, "session tsih %u: LOGICAL UNIT RESET of LUN %llu by '%s'", sess->tsih,
			 (unsigned long long)lun, sess->initiator);
		break;
	case ISCSI_TMF_TARGET_WARM_RESET:
	case ISCSI_TMF_TARGET_COLD_RESET:
		tmf_abort_lun(sess, 0, w, true);
		for (size_t i = 0; map && i < map->n; i++) {
			lu = map->e[i].lu;
			if (!tmf_abort_others(sess, w, &lu, 1))
				response = ISCSI_TMF_RSP_REJECTED;
			scsi_lu_reset(lu, NULL);
		}
		log_info(COMP, "session tsih %u: TARGET %s RESET by '%s'", sess->tsih,
			 function == ISCSI_TMF_TARGET_COLD_RESET ? "COLD" : "WARM", sess->initiator);
		/* RFC 7143 §11.5.1: after a cold reset the target drops the connection. */
		close_after = function == ISCSI_TMF_TARGET_COLD_RESET;
		break;
	case ISCSI_TMF_TASK_REASSIGN:
		/* RFC 7143 §11.6.1: task reassignment needs ErrorRecoveryLevel 2. */
		response = ISCSI_TMF_RSP_NO_FAILOVER;
		break;
	default:
		response = ISCSI_TMF_RSP_NOT_SUPPORTED;
		break;
	}
	r->response = response;
	w->close_after = close_after;
	if (--w->waiting == 0)
		tmf_send(w);
}
