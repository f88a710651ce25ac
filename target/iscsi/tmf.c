/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Task management functions (RFC 7143 §11.5, §11.6; SAM-5 §7).
 *
 * A task still in the engine (its backstore I/O cannot be recalled) is
 * marked aborted; the TMF response waits until every such task has left
 * the engine, so that when the initiator hears "function complete" nothing
 * of the aborted tasks can still reach the medium. Tasks not yet in the
 * engine are dropped at once. No response is sent for an aborted task.
 *
 * The control mode page reports TST=001b (a task set per I_T nexus), so
 * ABORT TASK SET and CLEAR TASK SET concern this session's tasks only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/log.h"
#include "common/util.h"
#include "target/iscsi/iscsi_int.h"

#define COMP "iscsi"

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
		for (size_t i = 0; map && i < map->n; i++)
			scsi_lu_reset(map->e[i].lu, NULL);
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
