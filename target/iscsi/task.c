/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SCSI tasks over iSCSI: a SCSI Command PDU becomes a task; its write data
 * arrives as immediate data, unsolicited Data-Out and solicited Data-Out
 * (R2T); the engine runs it; the answer leaves as Data-In PDUs, with the
 * status in the last one where RFC 7143 allows it, or a SCSI Response.
 *
 * Data is never copied: write data is received into the task's buffer and
 * handed to the backstore from there, and Data-In PDUs point into it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/log.h"
#include "common/util.h"
#include "target/iscsi/iscsi_int.h"

#define COMP "iscsi"
#define TASK_BUF_ALIGN 4096

/*
 * Command buffers are reused through a small per-thread cache, one list per
 * power-of-two size from 4 KiB up. A fresh large buffer comes from mmap, and
 * page faults, zeroing and munmap then cost more than the data copy itself
 * (a 1 MiB read spent most of its time there). Each list keeps at most
 * TASK_BUF_CACHE_BYTES, so an idle thread holds little.
 */
#define TASK_BUF_MIN_SHIFT 12
#define TASK_BUF_CLASSES 12 /* 4 KiB .. 8 MiB = SCSI_MAX_XFER_BYTES */
#define TASK_BUF_CACHE_BYTES (16u << 20)

struct task_buf_free {
	struct task_buf_free *next;
};

static __thread struct task_buf_free *buf_cache[TASK_BUF_CLASSES];
static __thread unsigned int buf_cached[TASK_BUF_CLASSES];

static unsigned int task_buf_class(uint32_t len)
{
	unsigned int c = 0;

	while (c < TASK_BUF_CLASSES - 1 && (1u << (c + TASK_BUF_MIN_SHIFT)) < len)
		c++;
	return c;
}

/* What a buffer of len bytes takes: its class's size (budget.c charges that). */
static uint64_t task_buf_bytes(uint32_t len)
{
	return (uint64_t)1 << (task_buf_class(len) + TASK_BUF_MIN_SHIFT);
}

static uint8_t *task_buf_get(uint32_t len)
{
	unsigned int c = task_buf_class(len);
	size_t size = (size_t)1 << (c + TASK_BUF_MIN_SHIFT);
	void *p;

	if (size < len)
		return NULL; /* beyond the largest class: never asked by the engine's limit */
	if (buf_cache[c]) {
		struct task_buf_free *f = buf_cache[c];

		buf_cache[c] = f->next;
		buf_cached[c]--;
		return (uint8_t *)f;
	}
	if (posix_memalign(&p, TASK_BUF_ALIGN, size))
		return NULL;
	return p;
}

static void task_buf_put(uint8_t *buf, uint32_t len)
{
	unsigned int c = task_buf_class(len);
	size_t size = (size_t)1 << (c + TASK_BUF_MIN_SHIFT);
	struct task_buf_free *f = (struct task_buf_free *)buf;

	if ((buf_cached[c] + 1) * size > TASK_BUF_CACHE_BYTES && buf_cached[c] >= 2) {
		free(buf);
		return;
	}
	f->next = buf_cache[c];
	buf_cache[c] = f;
	buf_cached[c]++;
}

void iscsi_thread_release_buffers(void)
{
	for (unsigned int c = 0; c < TASK_BUF_CLASSES; c++) {
		while (buf_cache[c]) {
			struct task_buf_free *f = buf_cache[c];

			buf_cache[c] = f->next;
			free(f);
		}
		buf_cached[c] = 0;
	}
}

static unsigned int task_hash(uint32_t itt)
{
	return (itt ^ (itt >> 8) ^ (itt >> 16)) & (ISCSI_TASK_HASH - 1);
}

struct iscsi_task *task_find(struct iscsi_session *sess, uint32_t itt)
{
	struct iscsi_task *t;

	for (t = sess->hash[task_hash(itt)]; t; t = t->hnext)
		if (t->itt == itt)
			return t;
	return NULL;
}

void task_get(struct iscsi_task *task)
{
	task->refs++;
}

void task_put(struct iscsi_task *task)
{
	if (--task->refs)
		return;
	if (task->cmd.buf)
		task_buf_put(task->cmd.buf, task->cmd.buf_len);
	if (task->mem_bytes) {
		budget_give(task->sess->env.limits, &task->sess->mem_held, task->mem_bytes);
		sess_mem_kick(task->sess);
	}
	/* Before the connection's reference: the last one frees the session and its sets. */
	if (task->luns)
		sess_luns_put(task->sess, task->luns);
	conn_put(task->sess->conn);
	free(task);
}

static void task_insert(struct iscsi_session *sess, struct iscsi_task *task)
{
	unsigned int h = task_hash(task->itt);

	task->hnext = sess->hash[h];
	sess->hash[h] = task;
	list_add_tail(&task->link, &sess->tasks);
	sess->ntasks++;
}

/* Takes the task out of the ITT table (the ITT may be reused) and drops the table's reference. */
void task_remove(struct iscsi_task *task)
{
	struct iscsi_session *sess = task->sess;
	struct iscsi_task **pp;

	for (pp = &sess->hash[task_hash(task->itt)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == task) {
			*pp = task->hnext;
			list_del(&task->link);
			sess->ntasks--;
			task_put(task);
			return;
		}
	}
}

static bool task_in_table(struct iscsi_task *task)
{
	return task_find(task->sess, task->itt) == task;
}

/* ---- the answer ---- */

static void task_residual(const struct iscsi_task *task, uint8_t *flags, uint32_t *resid)
{
	const struct scsi_cmd *cmd = &task->cmd;
	uint32_t xfer = task->fail ? 0 : cmd->xfer_len;

	*flags = 0;
	*resid = 0;
	/* RFC 7143 §11.4.5: residuals compare what moved with the Expected Data Transfer Length. */
	if (task->read) {
		/*
		 * The CDB asked for more than the initiator expects: what moved
		 * was cut at EDTL (possibly to nothing), the rest is overflow.
		 */
		if (!task->fail && cmd->data_len == cmd->buf_len && xfer > task->edtl) {
			*flags = ISCSI_RSP_FLAG_OVERFLOW;
			*resid = xfer - task->edtl;
		} else if (cmd->data_len < task->edtl) {
			*flags = ISCSI_RSP_FLAG_UNDERFLOW;
			*resid = task->edtl - cmd->data_len;
		}
	} else if (task->write) {
		if (task->fail)
			return;
		if (xfer > task->edtl) {
			*flags = ISCSI_RSP_FLAG_OVERFLOW;
			*resid = xfer - task->edtl;
		} else if (task->edtl > xfer) {
			*flags = ISCSI_RSP_FLAG_UNDERFLOW;
			*resid = task->edtl - xfer;
		}
	} else if (xfer) {
		/* The CDB wanted to move data but the initiator expected none. */
		*flags = ISCSI_RSP_FLAG_OVERFLOW;
		*resid = xfer;
	}
}

static void task_respond(struct iscsi_task *task)
{
	struct iscsi_conn *conn = task->sess->conn;
	struct scsi_cmd *cmd = &task->cmd;
	uint32_t data_len = task->fail ? 0 : cmd->data_len;
	uint32_t max_burst = task->sess->params.max_burst ? task->sess->params.max_burst : 262144;
	uint32_t seg_max = conn->max_xmit_dsl ? conn->max_xmit_dsl : 8192;
	bool status_in_data;
	uint8_t rflags;
	uint32_t resid;
	uint32_t off = 0, burst = 0;
	struct iscsi_tx *tx;

	task->state = ISCSI_TASK_STATE_RESPONSE;
	if (conn->state != ISCSI_CONN_STATE_FULL_FEATURE || (task->aborted && !task->tas)) {
		task_remove(task);
		return;
	}
	if (task->tas) {
		/*
		 * SAM-5 §5.3.1: TASK ABORTED "shall be returned if a command is
		 * aborted by a command or task management function on another
		 * I_T nexus and the control mode page TAS bit is set to one":
		 * no data, no sense, whatever the command did before.
		 */
		cmd->status = SCSI_STATUS_TASK_ABORTED;
		cmd->sense_len = 0;
		cmd->data_len = 0;
		data_len = 0;
	}
	if (!task->read)
		data_len = 0;
	task_residual(task, &rflags, &resid);
	/* RFC 7143 §11.7.4: status may ride on the last Data-In only without sense data. */
	status_in_data = data_len && !cmd->sense_len &&
			 (cmd->status == SCSI_STATUS_GOOD || cmd->status == SCSI_STATUS_CONDITION_MET);

	while (off < data_len) {
		uint32_t seg = MIN(seg_max, data_len - off);
		struct iscsi_data_in *d;
		bool last;

		seg = MIN(seg, max_burst - burst);
		last = off + seg == data_len;
		tx = conn_tx_alloc(conn, cmd->buf + off, seg, NULL);
		if (!tx)
			goto err_close;
		tx->task = task;
		task_get(task);
		d = (struct iscsi_data_in *)tx->hdr;
		d->opcode = ISCSI_OP_DATA_IN;
		burst += seg;
		/* RFC 7143 §11.7.1: F ends each Data-In sequence (MaxBurstLength bytes). */
		if (last || burst == max_burst) {
			d->flags |= ISCSI_FLAG_FINAL;
			burst = 0;
		}
		memcpy(d->lun, task->lun_raw, sizeof(d->lun));
		put_be32(d->itt, task->itt);
		put_be32(d->ttt, ISCSI_RESERVED_TAG);
		put_be32(d->datasn, task->datasn++);
		put_be32(d->buffer_offset, off);
		if (last && status_in_data) {
			d->flags |= ISCSI_FLAG_FINAL | ISCSI_DATA_FLAG_STATUS | rflags;
			d->status = cmd->status;
			put_be32(d->residual, resid);
			conn_stamp(conn, tx->hdr, true);
		} else {
			conn_stamp(conn, tx->hdr, false);
		}
		conn_queue(conn, tx);
		off += seg;
	}
	if (!status_in_data) {
		struct iscsi_scsi_rsp *r;
		uint8_t *sense = NULL;
		uint32_t slen = 0;

		if (cmd->sense_len) {
			/* RFC 7143 §11.4.7.2: SenseLength (2 bytes), then the sense data. */
			slen = 2u + cmd->sense_len;
			sense = malloc(slen);
			if (!sense)
				goto err_close;
			put_be16(sense, cmd->sense_len);
			memcpy(sense + 2, cmd->sense, cmd->sense_len);
		}
		tx = conn_tx_alloc(conn, sense, slen, sense);
		if (!tx)
			goto err_close;
		r = (struct iscsi_scsi_rsp *)tx->hdr;
		r->opcode = ISCSI_OP_SCSI_RSP;
		r->flags = ISCSI_FLAG_FINAL | rflags;
		r->response = ISCSI_RSP_COMPLETED;
		r->status = cmd->status;
		put_be32(r->itt, task->itt);
		/* RFC 7143 §11.4.8: ExpDataSN counts the R2T and Data-In PDUs sent. */
		put_be32(r->expdatasn, task->read ? task->datasn : task->r2tsn);
		if (rflags)
			put_be32(r->residual, resid);
		conn_stamp(conn, tx->hdr, true);
		conn_queue(conn, tx);
	}
	task_remove(task);
	return;

err_close:
	task_remove(task);
	conn_close(conn, "out of memory sending a response");
}

static void task_scsi_done(struct scsi_cmd *cmd)
{
	struct iscsi_task *task = cmd->priv;
	struct scsi_abort *xab = task->xab;

	/* out of the engine: an abort from another nexus no longer waits for it */
	task->xab = NULL;
	if (xab)
		scsi_abort_release(xab);
	if (task->tmf) {
		tmf_task_done(task);
	} else if (task->aborted && !task->tas) {
		if (task_in_table(task))
			task_remove(task);
	} else {
		/*
		 * Outside a receive pass, conn_queue leaves the write to the end
		 * of the loop iteration: the responses to completions reaped
		 * together leave in one writev.
		 */
		task_respond(task);
	}
	/* before the engine's reference goes: it may be the last one on the session */
	sess_engine_left(task->sess);
	task_put(task); /* the engine's reference */
}

void task_start(struct iscsi_task *task)
{
	if (!task->data_ready || !task->cmdsn_ready || task->state == ISCSI_TASK_STATE_EXEC ||
	    task->state == ISCSI_TASK_STATE_RESPONSE)
		return;
	if (!task_in_table(task))
		return;
	if (task->aborted) {
		/* another nexus's abort (TAS 1): its data and its CmdSN came, so its answer goes */
		if (task->tas)
			task_respond(task);
		else
			task_remove(task);
		return;
	}
	task->state = ISCSI_TASK_STATE_EXEC;
	if (task->fail) {
		scsi_cmd_set_sense(&task->cmd, task->fail);
		task_respond(task);
		return;
	}
	task_get(task); /* the engine's */
	task->sess->nengine++;
	if (scsi_cmd_exec(&task->cmd) == SCSI_EXEC_DONE) {
		sess_engine_left(task->sess);
		task_put(task);
		task_respond(task);
	}
}

/* ---- write data ---- */

/*
 * Bytes the task must receive before it can run: its data-out, up to EDTL.
 * None for a command that takes none, whatever W says (no R2T for a read).
 */
static uint32_t task_want(const struct iscsi_task *task)
{
	if (task->fail || !task->write || task->cmd.dir != SCSI_DIR_WRITE)
		return 0;
	return task->cmd.buf_len;
}

static void task_send_r2ts(struct iscsi_task *task)
{
	struct iscsi_session *sess = task->sess;
	struct iscsi_conn *conn = sess->conn;
	uint32_t want = task_want(task);
	uint32_t max_r2t = MIN(MAX(sess->params.max_outstanding_r2t, 1u), (uint32_t)ISCSI_MAX_R2T);
	uint32_t max_burst = sess->params.max_burst ? sess->params.max_burst : 262144;

	while (task->nr2t < max_r2t && task->r2t_next < want) {
		struct iscsi_r2t *slot = &task->r2t[task->nr2t];
		struct iscsi_tx *tx = conn_tx_alloc(conn, NULL, 0, NULL);
		struct iscsi_r2t_pdu *r;

		if (!tx) {
			conn_close(conn, "out of memory sending R2T");
			return;
		}
		slot->ttt = sess->next_ttt++;
		if (slot->ttt == ISCSI_RESERVED_TAG)
			slot->ttt = sess->next_ttt++;
		slot->offset = task->r2t_next;
		/* RFC 7143 §11.8.4: at most MaxBurstLength per R2T. */
		slot->len = MIN(max_burst, want - task->r2t_next);
		slot->received = 0;
		slot->next_datasn = 0;
		slot->r2tsn = task->r2tsn++;
		task->nr2t++;
		task->r2t_next += slot->len;

		r = (struct iscsi_r2t_pdu *)tx->hdr;
		r->opcode = ISCSI_OP_R2T;
		r->flags = ISCSI_FLAG_FINAL;
		memcpy(r->lun, task->lun_raw, sizeof(r->lun));
		put_be32(r->itt, task->itt);
		put_be32(r->ttt, slot->ttt);
		put_be32(r->r2tsn, slot->r2tsn);
		put_be32(r->buffer_offset, slot->offset);
		put_be32(r->desired_len, slot->len);
		/* RFC 7143 §11.8: an R2T carries StatSN but does not advance it. */
		conn_stamp(conn, tx->hdr, false);
		conn_queue(conn, tx);
	}
}

static void task_progress(struct iscsi_task *task)
{
	if (task->mem_wait)
		return; /* no buffer yet: task_mem_retry comes back */
	if (task->write && !task->unsol_done)
		return; /* unsolicited Data-Out still to come */
	if (task->aborted) {
		/*
		 * Aborted by another nexus (TAS 1): no further R2T, and the
		 * answer waits for the Data-Out the initiator is committed to,
		 * so that none arrives once the ITT is free again. RFC 7143
		 * §4.2.3.3 lets the target wait for the affected TTTs of a
		 * third-party initiator, and the initiator MUST answer each.
		 */
		if (task->nr2t == 0) {
			task->data_ready = true;
			task_start(task);
		}
		return;
	}
	if (task->nr2t == 0 && task->received >= task_want(task)) {
		task->data_ready = true;
		task_start(task);
		return;
	}
	task_send_r2ts(task);
}

/*
 * The command's buffer, charged to its session's memory (budget.c). 0;
 * -EAGAIN when there is no room and the command can wait for it (can_wait:
 * none of its data is on its way); -ENOMEM.
 */
static int task_alloc_buf(struct iscsi_task *task, bool can_wait)
{
	struct iscsi_session *sess = task->sess;
	struct scsi_cmd *cmd = &task->cmd;
	uint64_t bytes;
	uint32_t len;

	if (cmd->dir == SCSI_DIR_NONE)
		return 0;
	len = MIN(task->edtl, cmd->xfer_len);
	if (!len)
		return 0;
	bytes = task_buf_bytes(len);
	if (!budget_take(sess->env.limits, &sess->mem_held, bytes, !can_wait))
		return -EAGAIN;
	cmd->buf = task_buf_get(len);
	if (!cmd->buf) {
		budget_give(sess->env.limits, &sess->mem_held, bytes);
		return -ENOMEM;
	}
	cmd->buf_len = len;
	task->mem_bytes = bytes;
	return 0;
}

int task_mem_retry(struct iscsi_task *task)
{
	bool live = task_in_table(task) && (!task->aborted || task->tas);

	if (live && !task->fail && !task->aborted) {
		int rc = task_alloc_buf(task, true);

		if (rc == -EAGAIN)
			return rc;
		if (rc)
			task->fail = SENSE_INSUFFICIENT_RESOURCES;
	}
	task->mem_wait = false;
	if (live)
		task_progress(task);
	return 0;
}

/*
 * RFC 7143 §11.3.1: R and W say which way the Expected Data Transfer Length
 * moves, and both must not be 0 when it is not. A CDB that writes with no
 * data-out announced (R instead of W, or neither) would run on a buffer
 * never received into, one the thread's cache hands back with another
 * command's bytes in it, and write those: it is refused whole, as one
 * whose data-out ends inside a block is (target/scsi/sbc.c). A CDB that
 * reads with W instead of R runs, and no data-in goes out (task_respond:
 * the initiator has no room announced); libiscsi's Read10Invalid expects
 * GOOD there, and nothing on the medium changes. EDTL 0 needs no
 * direction: nothing moves.
 */
static enum sense_reason task_check_direction(const struct iscsi_task *task)
{
	if (task->edtl && task->cmd.dir == SCSI_DIR_WRITE && !task->write)
		return SENSE_INVALID_FIELD_IN_COMMAND_IU;
	return SENSE_OK;
}

static enum scsi_task_attr task_attr(uint8_t attr)
{
	/* RFC 7143 §11.3.1: 0 untagged, 1 simple, 2 ordered, 3 head of queue, 4 ACA. */
	switch (attr) {
	case 2:
		return SCSI_TASK_ORDERED;
	case 3:
		return SCSI_TASK_HEAD_OF_QUEUE;
	case 4:
		return SCSI_TASK_ACA;
	default:
		return SCSI_TASK_SIMPLE;
	}
}

/* Appends the extended CDB AHS (RFC 7143 §11.2.2.3) to cmd's CDB. */
static enum sense_reason task_ext_cdb(struct scsi_cmd *cmd, const uint8_t *ahs, uint32_t len)
{
	uint32_t off = 0;

	while (off + 4 <= len) {
		uint32_t alen = get_be16(ahs + off);
		uint8_t type = ahs[off + 2];

		if (off + 3 + alen > len)
			return SENSE_INVALID_FIELD_IN_COMMAND_IU;
		if (type == ISCSI_AHS_EXTENDED_CDB) {
			/* AHSLength counts the reserved byte and the CDB bytes beyond 16. */
			if (alen < 1 || 16 + alen - 1 > SCSI_CDB_MAX)
				return SENSE_INVALID_FIELD_IN_CDB;
			memcpy(cmd->cdb + 16, ahs + off + 4, alen - 1);
			cmd->cdb_len = (uint8_t)(16 + alen - 1);
		}
		off += iscsi_pad4(3 + alen);
	}
	return SENSE_OK;
}

int task_cmd_header(struct iscsi_conn *conn, const uint8_t *bhs, const uint8_t *ahs,
		    uint32_t ahs_len, uint32_t dlen, struct iscsi_task **out, uint8_t **dst,
		    uint32_t *keep)
{
	struct iscsi_session *sess = conn->sess;
	const struct iscsi_scsi_cmd *h = (const struct iscsi_scsi_cmd *)bhs;
	uint32_t itt = get_be32(h->itt);
	uint32_t cmdsn = get_be32(h->cmdsn);
	bool immediate = iscsi_bhs_immediate(bhs);
	const struct scsi_lun_entry *e;
	struct iscsi_task *task;
	struct scsi_cmd *cmd;
	int order;

	*out = NULL;
	*dst = NULL;
	*keep = 0;
	if (sess->type == ISCSI_SESSION_DISCOVERY) {
		/* RFC 7143 §4.3: a discovery session carries no SCSI commands. */
		conn_send_reject(conn, ISCSI_REJECT_PROTOCOL_ERROR, bhs);
		return -EPROTO;
	}
	if (itt == ISCSI_RESERVED_TAG) {
		conn_send_reject(conn, ISCSI_REJECT_INVALID_PDU_FIELD, bhs);
		return -EPROTO;
	}
	order = sess_cmdsn_check(sess, cmdsn, immediate);
	if (order < 0)
		return -ERANGE;
	if (task_find(sess, itt)) {
		/* RFC 7143 §11.17.1: an ITT still in use. */
		conn_send_reject(conn, ISCSI_REJECT_TASK_IN_PROGRESS, bhs);
		goto out_run_deferred;
	}
	if (dlen && (!sess->params.immediate_data || !(h->flags & ISCSI_CMD_FLAG_WRITE) ||
		     dlen > sess->params.first_burst || dlen > get_be32(h->edtl))) {
		/* RFC 7143 §13.11, §13.14: immediate data within what was negotiated. */
		conn_send_reject(conn, ISCSI_REJECT_PROTOCOL_ERROR, bhs);
		goto out_run_deferred;
	}
	if (!(h->flags & ISCSI_FLAG_FINAL) &&
	    (!(h->flags & ISCSI_CMD_FLAG_WRITE) || sess->params.initial_r2t)) {
		/* RFC 7143 §11.3.1: F=0 announces unsolicited Data-Out, allowed only with InitialR2T=No. */
		conn_send_reject(conn, ISCSI_REJECT_PROTOCOL_ERROR, bhs);
		goto out_run_deferred;
	}

	task = calloc(1, sizeof(*task));
	if (!task) {
		conn_close(conn, "out of memory for a task");
		return -ENOMEM;
	}
	task->refs = 1;
	task->sess = sess;
	conn_get(conn);
	task->itt = itt;
	task->cmdsn = cmdsn;
	task->immediate = immediate;
	memcpy(task->lun_raw, h->lun, sizeof(task->lun_raw));
	task->lun = scsi_lun_decode(h->lun);
	task->edtl = get_be32(h->edtl);
	task->write = h->flags & ISCSI_CMD_FLAG_WRITE;
	task->read = h->flags & ISCSI_CMD_FLAG_READ;
	task->state = ISCSI_TASK_STATE_DATA_OUT;

	cmd = &task->cmd;
	cmd->nexus = &sess->nexus;
	/*
	 * The set the LUN resolves against stays while the task lives, so that
	 * a map swapped meanwhile (sess_refresh) cannot free the itl under it.
	 */
	task->luns = sess->luns;
	task->luns->inflight++;
	e = scsi_lun_map_find(task->luns->map, task->lun);
	if (e) {
		cmd->itl = task->luns->itls[e - task->luns->map->e];
		cmd->read_only = e->read_only;
	}
	cmd->lun = task->lun;
	memcpy(cmd->cdb, h->cdb, sizeof(h->cdb));
	cmd->cdb_len = sizeof(h->cdb);
	cmd->edtl = task->edtl;
	cmd->attr = task_attr(h->flags & ISCSI_CMD_ATTR_MASK);
	cmd->done = task_scsi_done;
	cmd->priv = task;

	if (task->read && task->write)
		task->fail = SENSE_INVALID_FIELD_IN_CDB; /* bidirectional commands: none in SBC-3 */
	if (!task->fail && ahs_len)
		task->fail = task_ext_cdb(cmd, ahs, ahs_len);
	if (!task->fail)
		task->fail = scsi_cmd_parse(cmd);
	if (!task->fail)
		task->fail = task_check_direction(task);
	if (!task->fail) {
		/*
		 * A command whose data is on its way (immediate data, or
		 * unsolicited Data-Out to follow) gets its buffer whatever the
		 * limits: the data must land somewhere. The others wait when
		 * there is no room, and behind the session's other waiters,
		 * so that commands start in the order they came.
		 */
		bool can_wait = !task->write || (!dlen && (h->flags & ISCSI_FLAG_FINAL));
		int rc = can_wait && sess->mem_nwait ? -EAGAIN : task_alloc_buf(task, can_wait);

		if (rc == -EAGAIN)
			task->mem_wait = true;
		else if (rc)
			task->fail = SENSE_INSUFFICIENT_RESOURCES;
	}

	task->unsol_done = h->flags & ISCSI_FLAG_FINAL;
	if (task->write && !task->unsol_done)
		task->unsol_limit = MIN(task->edtl, sess->params.first_burst);
	else
		task->unsol_limit = dlen;
	task->cmdsn_ready = order == 1;
	task_insert(sess, task);
	if (task->mem_wait)
		sess_mem_wait(sess, task);
	if (order == 0 && sess_defer_pdu(sess, cmdsn, bhs, NULL, 0, task)) {
		log_warn(COMP, "session tsih %u: cannot hold CmdSN %u", sess->tsih, cmdsn);
		task->aborted = true;
	}

	if (dlen && cmd->buf) {
		*dst = cmd->buf;
		*keep = MIN(dlen, cmd->buf_len);
	}
	*out = task;
	return 0;

out_run_deferred:
	/* A rejected command still used its CmdSN; later ones may now run. */
	if (order == 1 && !immediate)
		sess_run_deferred(sess);
	return -EPROTO;
}

void task_cmd_complete(struct iscsi_conn *conn, struct iscsi_task *task, uint32_t dlen)
{
	struct iscsi_session *sess = conn->sess;
	bool in_order = task->cmdsn_ready && !task->immediate;

	if (task->aborted && !task->tas) {
		if (task_in_table(task))
			task_remove(task);
	} else {
		task->received = dlen;
		if (task->unsol_done)
			task->r2t_next = task->received;
		else
			task->r2t_next = task->unsol_limit;
		task_progress(task);
	}
	/* The command took its CmdSN in order: later deferred PDUs may now run. */
	if (in_order)
		sess_run_deferred(sess);
}

static void task_data_error(struct iscsi_conn *conn, struct iscsi_task *task, const uint8_t *bhs,
			    const char *why)
{
	log_warn(COMP, "conn %d: itt 0x%08x: %s", conn->id, task->itt, why);
	conn_send_reject(conn, ISCSI_REJECT_PROTOCOL_ERROR, bhs);
}

/*
 * RFC 7143 §11.7.4: DataSN counts the Data-Out PDUs of each sequence (an
 * R2T's, or the unsolicited one) from 0. At ErrorRecoveryLevel 0 a gap or a
 * repeat cannot be recovered within the command: it ends with CHECK
 * CONDITION once its data has arrived, and the session goes on.
 */
static void task_check_datasn(struct iscsi_conn *conn, struct iscsi_task *task, uint32_t datasn,
			      uint32_t *expected)
{
	if (datasn != *expected && !task->fail) {
		log_warn(COMP, "conn %d: itt 0x%08x: DataSN %u where %u was due", conn->id,
			 task->itt, datasn, *expected);
		task->fail = SENSE_DATA_PHASE_ERROR;
	}
	(*expected)++;
}

static struct iscsi_r2t *task_find_r2t(struct iscsi_task *task, uint32_t ttt)
{
	for (unsigned int i = 0; i < task->nr2t; i++)
		if (task->r2t[i].ttt == ttt)
			return &task->r2t[i];
	return NULL;
}

int task_data_out_header(struct iscsi_conn *conn, const uint8_t *bhs, uint32_t dlen,
			 struct iscsi_task **out, uint8_t **dst, uint32_t *keep)
{
	const struct iscsi_data_out *h = (const struct iscsi_data_out *)bhs;
	uint32_t itt = get_be32(h->itt);
	uint32_t ttt = get_be32(h->ttt);
	uint32_t off = get_be32(h->buffer_offset);
	struct iscsi_task *task;

	*out = NULL;
	*dst = NULL;
	*keep = 0;
	if (conn->sess->type == ISCSI_SESSION_DISCOVERY) {
		conn_send_reject(conn, ISCSI_REJECT_PROTOCOL_ERROR, bhs);
		return -EPROTO;
	}
	task = task_find(conn->sess, itt);
	if (!task || task->state != ISCSI_TASK_STATE_DATA_OUT || !task->write) {
		/* Data for a task that was aborted (or never was): dropped, as at ERL 0. */
		log_dbg(COMP, "conn %d: Data-Out for unknown itt 0x%08x dropped", conn->id, itt);
		return -ENOENT;
	}
	if (ttt == ISCSI_RESERVED_TAG) {
		/* RFC 7143 §11.7.2: unsolicited data, in order, within FirstBurstLength. */
		if (task->unsol_done || off != task->received ||
		    (uint64_t)off + dlen > task->unsol_limit) {
			task_data_error(conn, task, bhs, "unsolicited Data-Out out of order or too long");
			return -EPROTO;
		}
		task_check_datasn(conn, task, get_be32(h->datasn), &task->unsol_datasn);
	} else {
		struct iscsi_r2t *r = task_find_r2t(task, ttt);

		if (!r) {
			conn_send_reject(conn, ISCSI_REJECT_INVALID_PDU_FIELD, bhs);
			return -EPROTO;
		}
		/* RFC 7143 §11.7.5: within the R2T's range, in order (DataPDUInOrder=Yes). */
		if (off != r->offset + r->received || (uint64_t)r->received + dlen > r->len) {
			task_data_error(conn, task, bhs, "solicited Data-Out outside its R2T");
			return -EPROTO;
		}
		task_check_datasn(conn, task, get_be32(h->datasn), &r->next_datasn);
	}
	if (task->cmd.buf && off < task->cmd.buf_len) {
		*dst = task->cmd.buf + off;
		*keep = MIN(dlen, task->cmd.buf_len - off);
	}
	*out = task;
	return 0;
}

void task_data_out_complete(struct iscsi_conn *conn, struct iscsi_task *task, const uint8_t *bhs,
			    uint32_t dlen, bool digest_ok)
{
	const struct iscsi_data_out *h = (const struct iscsi_data_out *)bhs;
	uint32_t ttt = get_be32(h->ttt);
	bool final = h->flags & ISCSI_FLAG_FINAL;

	(void)conn;
	if (!digest_ok && !task->fail) {
		/* RFC 7143 §7.8: at ERL 0 the data cannot be asked for again; fail the command. */
		task->fail = SENSE_DATA_DIGEST_ERROR;
	}
	task->received += dlen;
	if (ttt == ISCSI_RESERVED_TAG) {
		if (final || task->received >= task->unsol_limit) {
			task->unsol_done = true;
			task->r2t_next = task->received;
		}
	} else {
		struct iscsi_r2t *r = task_find_r2t(task, ttt);

		if (r) {
			r->received += dlen;
			if (final || r->received == r->len) {
				if (r->received != r->len && !task->fail)
					task->fail = SENSE_DATA_PHASE_ERROR;
				/* This burst is done: free its slot. */
				*r = task->r2t[--task->nr2t];
			}
		}
	}
	task_progress(task);
}

void task_abort_all(struct iscsi_session *sess)
{
	struct iscsi_task *t, *n;

	list_for_each_entry_safe(t, n, &sess->tasks, link)
	{
		t->aborted = true;
		t->tas = false;
		t->cmd.aborted = true; /* a long command (EXTENDED COPY) stops at its next step */
		task_remove(t);
	}
}

void task_abort_tas(struct iscsi_task *task)
{
	task->aborted = true;
	task->tas = true;
	task->cmd.aborted = true; /* a long command (EXTENDED COPY) stops at its next step */
	/*
	 * In the engine, its completion answers; waiting for memory, the
	 * retry does; its SCSI Command or a Data-Out of it still being read,
	 * the end of that PDU does (it stays in the ITT table, so it lives
	 * until then).
	 */
	if (task->state != ISCSI_TASK_STATE_DATA_OUT || task->mem_wait ||
	    task->sess->conn->rx_task == task)
		return;
	task_progress(task);
}
