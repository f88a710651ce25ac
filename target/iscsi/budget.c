/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command memory: what the command buffers of a session, and of all the
 * sessions of an env, may take (struct iscsi_limits), and what happens
 * when there is no room; and the send timeout, which drops a connection
 * that takes nothing of what waits for it.
 *
 * A command's buffer (a READ's data until its last Data-In is on the wire,
 * a WRITE's until the store has it) is charged when it is allocated and
 * given back when it is freed. A command that finds no room waits, without
 * a buffer and unexecuted, behind the session's other waiters (commands
 * start in the order they came); while any waits, or the session holds its
 * whole share, its MaxCmdSN stays where it was (sess_max_cmdsn), so the
 * initiator sends the commands it was allowed and no more. An initiator
 * that does not read its socket therefore holds at most its share, and its
 * connection goes at the send timeout (below). When memory comes back the
 * waiters run, and a NOP-In tells the initiator its window opened again.
 *
 * The accounts are atomic (every I/O thread charges the env's); the rest
 * runs on the session's thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/be.h"
#include "common/ev.h"
#include "common/log.h"
#include "target/iscsi/iscsi_int.h"

#define COMP "iscsi"
/* A session that waits looks again this often: others' memory comes back on their threads. */
#define SESS_MEM_RETRY_MS 50

static uint64_t load64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

bool budget_take(struct iscsi_limits *l, uint64_t *held, uint64_t len, bool force)
{
	uint64_t mine = load64(held), used, peak, limit;

	if (l) {
		limit = load64(&l->session_io_memory);
		/* one command always goes: the limits apply to what a session adds to what it holds */
		if (!force && mine && limit && mine + len > limit)
			return false;
		limit = load64(&l->io_memory);
		used = load64(&l->io_memory_used);
		do {
			if (!force && mine && limit && used + len > limit)
				return false;
		} while (!__atomic_compare_exchange_n(&l->io_memory_used, &used, used + len, true,
						      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
		used += len;
		peak = load64(&l->io_memory_peak);
		while (used > peak &&
		       !__atomic_compare_exchange_n(&l->io_memory_peak, &peak, used, true,
						    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			;
	}
	__atomic_store_n(held, mine + len, __ATOMIC_RELAXED);
	return true;
}

void budget_give(struct iscsi_limits *l, uint64_t *held, uint64_t len)
{
	__atomic_store_n(held, load64(held) - len, __ATOMIC_RELAXED);
	if (l)
		__atomic_sub_fetch(&l->io_memory_used, len, __ATOMIC_RELAXED);
}

bool budget_tight(const struct iscsi_limits *l, uint64_t held)
{
	uint64_t limit;

	/* a session that holds nothing is never held back: it always gets one command */
	if (!l || !held)
		return false;
	limit = load64(&l->session_io_memory);
	if (limit && held >= limit)
		return true;
	limit = load64(&l->io_memory);
	return limit && load64(&l->io_memory_used) >= limit;
}

bool sess_mem_tight(const struct iscsi_session *sess)
{
	return sess->mem_nwait || budget_tight(sess->env.limits, load64(&sess->mem_held));
}

static void sess_set_nwait(struct iscsi_session *sess, unsigned int n)
{
	__atomic_store_n(&sess->mem_nwait, n, __ATOMIC_RELAXED);
}

/*
 * RFC 7143 §11.19: a target may send a NOP-In to carry a changed MaxCmdSN
 * when no other PDU would carry it for a long time; TTT 0xffffffff asks
 * for no answer, and an unsolicited NOP-In does not advance StatSN
 * (§11.19.3). Stamping it moves MaxCmdSN on (sess_max_cmdsn).
 */
static void sess_mem_announce(struct iscsi_session *sess)
{
	struct iscsi_conn *conn = sess->conn;
	struct iscsi_tx *tx = conn_tx_alloc(conn, NULL, 0, NULL);
	struct iscsi_nop *n;

	if (!tx)
		return; /* the next response carries it */
	n = (struct iscsi_nop *)tx->hdr;
	n->opcode = ISCSI_OP_NOP_IN;
	n->flags = ISCSI_FLAG_FINAL;
	put_be32(n->itt, ISCSI_RESERVED_TAG);
	put_be32(n->ttt, ISCSI_RESERVED_TAG);
	conn_stamp(conn, tx->hdr, false);
	conn_queue(conn, tx);
	log_dbg(COMP, "session tsih %u: memory back, MaxCmdSN %u announced", sess->tsih,
		sess->max_cmdsn);
}

static int64_t sess_mem_tick(struct ev_loop *loop, void *arg);

/* Runs the waiters that have room now, in order; announces a window that opens again. */
static void sess_mem_pass(struct iscsi_session *sess)
{
	struct iscsi_conn *conn = sess->conn;

	while (!list_empty(&sess->mem_wait) && !sess->dead) {
		struct iscsi_task *t = list_first_entry(&sess->mem_wait, struct iscsi_task, mem_link);

		/* out of the list first: what it starts may close the session (sess_mem_close) */
		list_del(&t->mem_link);
		sess_set_nwait(sess, sess->mem_nwait - 1);
		if (task_mem_retry(t) == -EAGAIN) {
			list_add(&t->mem_link, &sess->mem_wait);
			sess_set_nwait(sess, sess->mem_nwait + 1);
			break;
		}
		task_put(t);
	}
	if (sess->dead || conn->state != ISCSI_CONN_STATE_FULL_FEATURE)
		return;
	if (sess->window_held && !sess_mem_tight(sess))
		sess_mem_announce(sess);
	if ((sess->mem_nwait || sess->window_held) && !sess->mem_timer) {
		sess->mem_timer = ev_timer_add(sess->loop, SESS_MEM_RETRY_MS, sess_mem_tick, sess);
	} else if (!sess->mem_nwait && !sess->window_held && sess->mem_timer) {
		ev_timer_cancel(sess->loop, sess->mem_timer);
		sess->mem_timer = NULL;
	}
}

static int64_t sess_mem_tick(struct ev_loop *loop, void *arg)
{
	struct iscsi_session *sess = arg;

	(void)loop;
	sess_mem_pass(sess);
	/* the pass cancels it when nothing waits any more */
	return sess->mem_timer ? SESS_MEM_RETRY_MS : EV_TIMER_STOP;
}

static void sess_mem_deferred(void *arg)
{
	struct iscsi_session *sess = arg;
	struct iscsi_conn *conn = sess->conn;

	if (!sess->dead && conn->state == ISCSI_CONN_STATE_FULL_FEATURE)
		sess_mem_pass(sess);
	conn_put(conn);
}

void sess_mem_init(struct iscsi_session *sess)
{
	list_init(&sess->mem_wait);
	ev_deferred_init(&sess->mem_d, sess_mem_deferred, sess);
}

void sess_mem_kick(struct iscsi_session *sess)
{
	if (sess->dead || sess->mem_d.queued || (!sess->mem_nwait && !sess->window_held))
		return;
	conn_get(sess->conn);
	ev_defer(sess->loop, &sess->mem_d);
}

void sess_mem_wait(struct iscsi_session *sess, struct iscsi_task *task)
{
	if (!sess->mem_nwait)
		log_dbg(COMP, "session tsih %u: commands wait for memory (%llu bytes held)",
			sess->tsih, (unsigned long long)load64(&sess->mem_held));
	task_get(task);
	list_add_tail(&task->mem_link, &sess->mem_wait);
	sess_set_nwait(sess, sess->mem_nwait + 1);
	if (sess->env.limits)
		__atomic_add_fetch(&sess->env.limits->commands_waited, 1, __ATOMIC_RELAXED);
	if (!sess->mem_timer)
		sess->mem_timer = ev_timer_add(sess->loop, SESS_MEM_RETRY_MS, sess_mem_tick, sess);
}

void sess_mem_close(struct iscsi_session *sess)
{
	if (sess->mem_timer) {
		ev_timer_cancel(sess->loop, sess->mem_timer);
		sess->mem_timer = NULL;
	}
	while (!list_empty(&sess->mem_wait)) {
		struct iscsi_task *t = list_first_entry(&sess->mem_wait, struct iscsi_task, mem_link);

		list_del(&t->mem_link);
		t->mem_wait = false;
		task_put(t);
	}
	sess_set_nwait(sess, 0);
}

/* ---- the send timeout ---- */

/*
 * The send timeout (struct iscsi_limits): what waits in txq has gone out
 * no further for send_timeout_ms. An initiator that reads nothing holds
 * its session's memory (budget.c) and a place among the connections; it is
 * dropped whether or not NOP-In pings are on (with nopin_interval = 0
 * nothing else would ever notice).
 */
static int64_t conn_send_tick(struct ev_loop *loop, void *arg)
{
	struct iscsi_conn *conn = arg;
	struct iscsi_limits *l = conn->env.limits;
	uint32_t limit = l ? __atomic_load_n(&l->send_timeout_ms, __ATOMIC_RELAXED) : 0;
	int64_t idle = ev_now_ms() - conn->tx_wait_ms;
	struct linger abort_close = { .l_onoff = 1, .l_linger = 0 };

	(void)loop;
	if (list_empty(&conn->txq) || !limit) {
		conn->send_timer = NULL;
		return EV_TIMER_STOP;
	}
	if (idle < limit)
		return limit - idle;
	conn->send_timer = NULL;
	__atomic_add_fetch(&l->send_timeouts, 1, __ATOMIC_RELAXED);
	log_warn(COMP,
		 "conn %d: the initiator has taken nothing of what waits to be sent for %lld s: dropped (send_timeout), initiator '%s', peer %s",
		 conn->id, (long long)idle / 1000, conn->sess ? conn->sess->initiator : "?",
		 conn->peer_text);
	/* what waits cannot be delivered: a reset, not a close that lingers on it */
	setsockopt(conn->fd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof(abort_close));
	conn_close(conn, NULL);
	return EV_TIMER_STOP;
}

void conn_send_watch(struct iscsi_conn *conn, bool blocked)
{
	struct iscsi_limits *l = conn->env.limits;
	uint32_t limit = l ? __atomic_load_n(&l->send_timeout_ms, __ATOMIC_RELAXED) : 0;

	if (blocked && !conn->send_timer && limit) {
		conn->tx_wait_ms = ev_now_ms();
		conn->send_timer = ev_timer_add(conn->loop, limit, conn_send_tick, conn);
	} else if (!blocked && conn->send_timer) {
		ev_timer_cancel(conn->loop, conn->send_timer);
		conn->send_timer = NULL;
	}
}
