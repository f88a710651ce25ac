/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iSCSI connections: the socket adapter and the receive/transmit state
 * machines.
 *
 * Receive: one step function over enum iscsi_rx_state, run until the state
 * stops changing. A PDU is read in stages (BHS, AHS, header digest, data and
 * padding, data digest), each resuming where a short read stopped; between
 * them the header is checked and the whole PDU handed over. Small reads go
 * through a 64 KiB read-ahead buffer (one recv for many small PDUs); a read
 * of 16 KiB or more that finds it empty goes straight into its destination,
 * so that large write data lands in the task's buffer without a copy. A
 * pass handles at most 64 PDUs; PDUs already read ahead are invisible to
 * epoll, so the connection schedules another pass for them (ev_defer).
 *
 * Transmit: PDUs are queued in order (StatSN is stamped at queue time, so
 * wire order is StatSN order) and written with writev, several at once.
 * While the receive side is working through a batch of PDUs, flushing is
 * deferred to the end of the batch.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <fcntl.h>

#include "common/be.h"
#include "common/crc32c.h"
#include "common/ev.h"
#include "common/log.h"
#include "common/util.h"
#include "target/iscsi/authguard.h"
#include "target/iscsi/iscsi_int.h"

#define COMP "iscsi"
#define CONN_RX_BATCH 64 /* PDUs handled per readiness event, for fairness */
#define CONN_RX_DIRECT 16384	  /* a read this large skips the read-ahead buffer */
#define CONN_RX_DROP_CHUNK 65536u /* dropped data read per call when a digest covers it */
#define CONN_TX_IOV 64
#define CONN_LOGIN_TIMEOUT_MS 30000
#define CONN_TXQ_HIGH 1024 /* stop reading while this many PDUs wait to be sent */

/* Numbers connections for the log; taken atomically, as every I/O thread starts some. */
static int conn_next_id = 1;

static __thread struct list_head thread_conns;
static __thread bool thread_conns_init;
static __thread unsigned int thread_nconns;
static __thread unsigned int thread_live; /* allocated, closed or not: freed when their work drains */
static unsigned int total_nconns; /* atomic */

static void conn_on_event(struct ev_loop *loop, int fd, uint32_t events, void *arg);

unsigned int iscsi_conn_count(void)
{
	return thread_nconns;
}

unsigned int iscsi_conn_live(void)
{
	return thread_live;
}

unsigned int iscsi_conn_total(void)
{
	return __atomic_load_n(&total_nconns, __ATOMIC_RELAXED);
}

/* The address of ss alone ("192.0.2.7", "2001:db8::1"; an IPv4-mapped one as IPv4). */
static void sockaddr_addr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	snprintf(buf, len, "?");
	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf, (socklen_t)len);
	} else if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a))
			inet_ntop(AF_INET, &a->s6_addr[12], buf, (socklen_t)len);
		else
			inet_ntop(AF_INET6, a, buf, (socklen_t)len);
	}
}

static void sockaddr_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
		snprintf(buf, len, "%s:%u", host, port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
		snprintf(buf, len, "[%s]:%u", host, port);
	} else {
		snprintf(buf, len, "unix");
	}
}

/* ---- reference counting and teardown ---- */

void conn_get(struct iscsi_conn *conn)
{
	__atomic_add_fetch(&conn->refs, 1, __ATOMIC_RELAXED);
}

static void conn_tx_release(struct iscsi_tx *tx);

/* Drops every PDU not yet sent (they hold task references, which hold the connection). */
static void conn_drop_txq(struct iscsi_conn *conn)
{
	struct iscsi_tx *tx, *n;

	list_for_each_entry_safe(tx, n, &conn->txq, link)
	{
		list_del(&tx->link);
		conn_tx_release(tx);
	}
	conn->txq_len = 0;
}

static void conn_free(struct iscsi_conn *conn)
{
	thread_live--;
	conn_drop_txq(conn);
	if (conn->held_login)
		conn_tx_release(conn->held_login);
	if (conn->held_logout)
		conn_tx_release(conn->held_logout);
	if (conn->held_fail)
		conn_tx_release(conn->held_fail);
	if (conn->sess)
		sess_destroy(conn->sess);
	if (conn->login) {
		login_fini(conn->login);
		free(conn->login);
	}
	chap_destroy(conn->chap);
	textreq_fini(&conn->text);
	free(conn->rx_data);
	free(conn->staging);
	free(conn);
}

void conn_put(struct iscsi_conn *conn)
{
	if (__atomic_sub_fetch(&conn->refs, 1, __ATOMIC_ACQ_REL) == 0)
		conn_free(conn);
}

void conn_close(struct iscsi_conn *conn, const char *why)
{
	if (conn->state == ISCSI_CONN_STATE_CLOSED)
		return;
	if (why)
		log_info(COMP, "conn %d: closing (%s), peer %s", conn->id, why, conn->peer_text);
	conn->state = ISCSI_CONN_STATE_CLOSED;
	if (conn->nop_timer) {
		ev_timer_cancel(conn->loop, conn->nop_timer);
		conn->nop_timer = NULL;
	}
	if (conn->login_timer) {
		ev_timer_cancel(conn->loop, conn->login_timer);
		conn->login_timer = NULL;
	}
	if (conn->logout_timer) {
		ev_timer_cancel(conn->loop, conn->logout_timer);
		conn->logout_timer = NULL;
	}
	if (conn->send_timer) {
		ev_timer_cancel(conn->loop, conn->send_timer);
		conn->send_timer = NULL;
	}
	if (conn->fail_timer) {
		ev_timer_cancel(conn->loop, conn->fail_timer);
		conn->fail_timer = NULL;
	}
	ev_del_fd(conn->loop, conn->fd);
	close(conn->fd);
	conn->fd = -1;
	if (conn->admitted)
		admit_give(conn->env.limits, conn->peer_addr);
	conn->admitted = false;
	/* Tasks still in the engine keep the connection alive until they complete. */
	if (conn->sess)
		sess_close(conn->sess);
	conn_drop_txq(conn);
	list_del(&conn->link);
	thread_nconns--;
	__atomic_sub_fetch(&total_nconns, 1, __ATOMIC_RELAXED);
	conn_put(conn); /* the loop's reference */
}

/* ---- transmit ---- */

struct iscsi_tx *conn_tx_alloc(struct iscsi_conn *conn, const void *data, uint32_t dlen,
			       void *owned)
{
	struct iscsi_tx *tx = calloc(1, sizeof(*tx));

	(void)conn;
	if (!tx) {
		free(owned);
		return NULL;
	}
	tx->data = data;
	tx->dlen = dlen;
	tx->owned = owned;
	return tx;
}

void conn_stamp(struct iscsi_conn *conn, uint8_t *hdr, bool counts)
{
	uint32_t statsn = conn->statsn, exp, max;

	if (counts)
		conn->statsn++;
	if (conn->sess) {
		exp = conn->sess->exp_cmdsn;
		max = sess_max_cmdsn(conn->sess);
	} else if (conn->login) {
		/* RFC 7143 §11.13: during login ExpCmdSN is the CmdSN the initiator started with. */
		exp = conn->login->cmdsn;
		max = exp;
	} else {
		exp = 0;
		max = 0;
	}
	iscsi_bhs_set_numbers(hdr, statsn, exp, max);
}

/* Finishes the PDU's framing: header digest, padding and data digest. */
static void conn_tx_frame(struct iscsi_conn *conn, struct iscsi_tx *tx)
{
	uint32_t pad = iscsi_pad4(tx->dlen) - tx->dlen;

	iscsi_bhs_set_dlen(tx->hdr, tx->dlen);
	tx->hdr_len = ISCSI_BHS_LEN;
	if (conn->hdigest) {
		crc32c_put_wire(tx->hdr + ISCSI_BHS_LEN, crc32c(0, tx->hdr, ISCSI_BHS_LEN));
		tx->hdr_len += ISCSI_DIGEST_LEN;
	}
	memset(tx->tail, 0, sizeof(tx->tail));
	tx->tail_len = (uint8_t)pad;
	if (tx->dlen && conn->ddigest) {
		uint32_t crc = crc32c(0, tx->data, tx->dlen);

		crc = crc32c(crc, tx->tail, pad);
		crc32c_put_wire(tx->tail + pad, crc);
		tx->tail_len += ISCSI_DIGEST_LEN;
	}
}

static void conn_tx_release(struct iscsi_tx *tx)
{
	free(tx->owned);
	if (tx->task)
		task_put(tx->task);
	free(tx);
}

static void conn_deferred_flush(void *arg)
{
	struct iscsi_conn *conn = arg;

	if (conn->state != ISCSI_CONN_STATE_CLOSED)
		conn_flush(conn);
	conn_put(conn);
}

void conn_queue(struct iscsi_conn *conn, struct iscsi_tx *tx)
{
	if (conn->state == ISCSI_CONN_STATE_CLOSED) {
		conn_tx_release(tx);
		return;
	}
	conn_tx_frame(conn, tx);
	list_add_tail(&tx->link, &conn->txq);
	conn->txq_len++;
	/*
	 * Outside a receive batch (backstore completions, timers), the write
	 * waits for the end of the loop iteration: completions reaped together
	 * leave in one writev.
	 */
	if (!conn->tx_batch && !conn->flush_d.queued) {
		conn_get(conn);
		ev_defer(conn->loop, &conn->flush_d);
	}
}

static size_t tx_total(const struct iscsi_tx *tx)
{
	return (size_t)tx->hdr_len + tx->dlen + tx->tail_len;
}

/* Adds the unsent part of tx to iov; returns the number of entries used. */
static int tx_iov(const struct iscsi_tx *tx, struct iovec *iov, int max)
{
	struct {
		const uint8_t *p;
		size_t len;
	} parts[3] = {
		{ tx->hdr, tx->hdr_len },
		{ tx->data, tx->dlen },
		{ tx->tail, tx->tail_len },
	};
	size_t skip = tx->sent;
	int n = 0;

	for (int i = 0; i < 3 && n < max; i++) {
		if (skip >= parts[i].len) {
			skip -= parts[i].len;
			continue;
		}
		iov[n].iov_base = (void *)(parts[i].p + skip);
		iov[n].iov_len = parts[i].len - skip;
		skip = 0;
		n++;
	}
	return n;
}

static void conn_update_events(struct iscsi_conn *conn)
{
	uint32_t ev = 0;

	if (conn->state == ISCSI_CONN_STATE_CLOSED)
		return;
	if (conn->state != ISCSI_CONN_STATE_LOGGED_OUT && conn->txq_len < CONN_TXQ_HIGH)
		ev |= EV_READ;
	if (!list_empty(&conn->txq))
		ev |= EV_WRITE;
	ev_mod_fd(conn->loop, conn->fd, ev);
}

static void conn_rx(struct iscsi_conn *conn);

static void conn_deferred_rx(void *arg)
{
	struct iscsi_conn *conn = arg;

	if (conn->state == ISCSI_CONN_STATE_LOGIN ||
	    conn->state == ISCSI_CONN_STATE_FULL_FEATURE)
		conn_rx(conn);
	conn_put(conn);
}

/*
 * Bytes already read into the read-ahead buffer are invisible to epoll:
 * when the receive side stopped with some left (its per-event batch, or
 * back-pressure from the transmit queue), it must come back for them on
 * its own, or they wait for data that may never come.
 */
static void conn_rx_kick(struct iscsi_conn *conn)
{
	if (conn->st_head == conn->st_tail || conn->rx_d.queued ||
	    conn->txq_len >= CONN_TXQ_HIGH ||
	    (conn->state != ISCSI_CONN_STATE_LOGIN &&
	     conn->state != ISCSI_CONN_STATE_FULL_FEATURE))
		return;
	conn_get(conn);
	ev_defer(conn->loop, &conn->rx_d);
}

void conn_flush(struct iscsi_conn *conn)
{
	struct iovec iov[CONN_TX_IOV];
	bool blocked = false;

	while (!list_empty(&conn->txq) && conn->state != ISCSI_CONN_STATE_CLOSED) {
		struct iscsi_tx *tx;
		int n = 0;
		ssize_t w;

		list_for_each_entry(tx, &conn->txq, link)
		{
			if (n > CONN_TX_IOV - 3)
				break;
			n += tx_iov(tx, iov + n, CONN_TX_IOV - n);
		}
		w = writev(conn->fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				blocked = true;
				break;
			}
			log_info(COMP, "conn %d: send failed: %s", conn->id, strerror(errno));
			conn_close(conn, NULL);
			return;
		}
		if (w > 0 && conn->send_timer)
			conn->tx_wait_ms = ev_now_ms();
		while (w > 0 && !list_empty(&conn->txq)) {
			tx = list_first_entry(&conn->txq, struct iscsi_tx, link);
			size_t left = tx_total(tx) - tx->sent;

			if ((size_t)w < left) {
				tx->sent += (size_t)w;
				w = 0;
				break;
			}
			w -= (ssize_t)left;
			list_del(&tx->link);
			conn->txq_len--;
			if (tx->close_after) {
				conn_tx_release(tx);
				/*
				 * A refused login said so in its own line (or, for
				 * the auth guard's runs, in one line a run): its end
				 * is no news.
				 */
				if (!conn->sess)
					log_dbg(COMP, "conn %d: closing (login refused), peer %s",
						conn->id, conn->peer_text);
				conn_close(conn, conn->sess ? "logout or login failure sent" : NULL);
				return;
			}
			conn_tx_release(tx);
		}
	}
	if (conn->state == ISCSI_CONN_STATE_CLOSED)
		return;
	conn_send_watch(conn, blocked);
	if (blocked != conn->want_write || conn->txq_len >= CONN_TXQ_HIGH ||
	    conn->state == ISCSI_CONN_STATE_LOGGED_OUT) {
		conn->want_write = blocked;
		conn_update_events(conn);
	}
	conn_rx_kick(conn);
}

void conn_send_reject(struct iscsi_conn *conn, enum iscsi_reject_reason reason,
		      const uint8_t *bhs)
{
	uint8_t *copy = malloc(ISCSI_BHS_LEN);
	struct iscsi_tx *tx;
	struct iscsi_reject *r;

	if (!copy)
		return;
	memcpy(copy, bhs, ISCSI_BHS_LEN);
	tx = conn_tx_alloc(conn, copy, ISCSI_BHS_LEN, copy);
	if (!tx)
		return;
	r = (struct iscsi_reject *)tx->hdr;
	r->opcode = ISCSI_OP_REJECT;
	r->flags = ISCSI_FLAG_FINAL;
	r->reason = (uint8_t)reason;
	put_be32(r->itt, ISCSI_RESERVED_TAG);
	/* RFC 7143 §11.17: a Reject advances StatSN. */
	conn_stamp(conn, tx->hdr, true);
	log_dbg(COMP, "conn %d: reject opcode 0x%02x reason 0x%02x", conn->id,
		iscsi_bhs_opcode(bhs), reason);
	conn_queue(conn, tx);
}

/* ---- login ---- */

static uint16_t conn_login_authorize(void *arg, enum iscsi_session_type type,
				     const char *initiator, const char *target,
				     struct param_limits *limits, uint16_t *tpg_tag,
				     const char **alias)
{
	struct iscsi_conn *conn = arg;
	const struct iscsi_env *env = &conn->env;

	if (!env->ops || !env->ops->authorize)
		return ISCSI_LOGIN_TARGET_ERROR;
	conn->alias[0] = '\0';
	*alias = conn->alias;
	return env->ops->authorize(env->arg, type, initiator, target,
				   (const struct sockaddr *)&conn->local, conn->locallen,
				   (const struct sockaddr *)&conn->peer, conn->peerlen, limits,
				   tpg_tag, conn->alias, sizeof(conn->alias));
}

/* CHAP challenges (RFC 1994 §2.3: unpredictable). 0 or -errno. */
static int conn_random(uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = getrandom(buf + got, len - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		got += (size_t)n;
	}
	return 0;
}

/*
 * The login's authentication method: CHAP (target/iscsi/chap.c) with the
 * credentials the daemon keeps for this initiator, target and portal.
 */
static uint16_t conn_login_authenticate(void *arg, enum param_auth_method method,
					const char *initiator, const char *target,
					const uint8_t *keys, size_t len, struct text_buf *out,
					bool *done, const char **reason)
{
	struct iscsi_conn *conn = arg;
	char who[2 * ISCSI_NAME_MAX + 32];
	uint16_t st;

	if (method != PARAM_AUTH_CHAP) {
		/* only CHAP and None are ever offered (srv_authorize), and None needs no step */
		*reason = "an authentication method other than CHAP";
		return ISCSI_LOGIN_AUTH_FAILURE;
	}
	/*
	 * RFC 7143 §11.13.5: Authentication Failure (02/01) for a login whose
	 * initiator name or address the auth guard has locked out, before any
	 * of its CHAP keys is looked at: no guess is tested during a lockout.
	 * A login that needs no secret is not the guard's business.
	 */
	if (authguard_locked(conn->env.guard, initiator, target, conn->peer_addr, ev_now_ms(),
			     &conn->guard_delay, who, sizeof(who))) {
		conn->guard_refused = true;
		log_dbg(COMP, "conn %d: login refused: %s is locked out (auth_guard), peer %s",
			conn->id, who, conn->peer_text);
		*reason = "locked out by the auth guard";
		return ISCSI_LOGIN_AUTH_FAILURE;
	}
	if (!conn->chap) {
		struct chap_creds creds;
		int rc = -ENODATA;

		if (conn->env.ops && conn->env.ops->chap_credentials)
			rc = conn->env.ops->chap_credentials(conn->env.arg, initiator, target,
							     (const struct sockaddr *)&conn->local,
							     conn->locallen, &creds);
		if (!rc)
			rc = chap_create(&creds, conn_random, &conn->chap);
		explicit_bzero(&creds, sizeof(creds));
		if (rc == -ENOMEM) {
			*reason = "out of memory";
			return ISCSI_LOGIN_OUT_OF_RESOURCES;
		}
		if (rc) {
			*reason = rc == -ENOENT ? "no such ACL" :
				  rc == -EINVAL ? "unusable CHAP credentials" :
						  "no CHAP credentials configured";
			return ISCSI_LOGIN_AUTH_FAILURE;
		}
	}
	st = chap_step(conn->chap, keys, len, out, done);
	if (st)
		*reason = chap_reason_text(conn->chap->reason);
	return st;
}

static void conn_login_fail_send(struct iscsi_conn *conn, const uint8_t *req, uint16_t status)
{
	struct iscsi_tx *tx = conn_tx_alloc(conn, NULL, 0, NULL);
	struct iscsi_login_rsp *r;
	const struct iscsi_login_req *q = (const struct iscsi_login_req *)req;

	if (!tx) {
		conn_close(conn, "out of memory");
		return;
	}
	r = (struct iscsi_login_rsp *)tx->hdr;
	r->opcode = ISCSI_OP_LOGIN_RSP;
	memcpy(r->isid, q->isid, sizeof(r->isid));
	memcpy(r->itt, q->itt, sizeof(r->itt));
	r->status_class = (uint8_t)(status >> 8);
	r->status_detail = (uint8_t)status;
	conn_stamp(conn, tx->hdr, true);
	tx->close_after = true;
	conn->state = ISCSI_CONN_STATE_LOGGED_OUT;
	conn_queue(conn, tx);
}

static int64_t conn_nop_tick(struct ev_loop *loop, void *arg);

/* Sends the final Login Response and switches the connection to full feature phase. */
static void conn_finish_login(struct iscsi_conn *conn, struct iscsi_tx *tx)
{
	struct login_sm *sm = conn->login;
	struct iscsi_session *sess = conn->sess;

	conn_stamp(conn, tx->hdr, true);
	/* RFC 7143 §13.1: digests start with the first PDU after the final Login Response. */
	conn_queue(conn, tx);
	conn->hdigest = sm->params.header_digest;
	conn->ddigest = sm->params.data_digest;
	conn->max_recv_dsl = sm->params.max_recv_dsl;
	conn->max_xmit_dsl = sm->params.max_xmit_dsl;
	conn->state = ISCSI_CONN_STATE_FULL_FEATURE;
	if (conn->login_timer) {
		ev_timer_cancel(conn->loop, conn->login_timer);
		conn->login_timer = NULL;
	}
	log_info(COMP, "conn %d: %s session tsih %u: initiator '%s'%s%s%s, peer %s", conn->id,
		 sess->type == ISCSI_SESSION_DISCOVERY ? "discovery" : "normal", sess->tsih,
		 sess->initiator, sess->type == ISCSI_SESSION_NORMAL ? " target '" : "",
		 sess->type == ISCSI_SESSION_NORMAL ? sess->target : "",
		 sess->type == ISCSI_SESSION_NORMAL ? "'" : "", conn->peer_text);

	if (sess->type == ISCSI_SESSION_NORMAL && sess->attrs.nopin_interval_s) {
		conn->nopin_interval_ms = sess->attrs.nopin_interval_s * 1000u;
		conn->nopin_timeout_ms = MAX(sess->attrs.nopin_timeout_s, 1u) * 1000u;
		conn->nop_timer = ev_timer_add(conn->loop, conn->nopin_interval_ms, conn_nop_tick,
					       conn);
	}
	login_fini(conn->login);
	free(conn->login);
	conn->login = NULL;
	chap_destroy(conn->chap);
	conn->chap = NULL;
}

void conn_reinstate_done(void *arg)
{
	struct iscsi_conn *conn = arg;
	struct iscsi_tx *tx = conn->held_login;

	if (tx && conn->state == ISCSI_CONN_STATE_LOGIN) {
		conn->held_login = NULL;
		log_dbg(COMP, "conn %d: the reinstated session is gone; login completes", conn->id);
		conn_finish_login(conn, tx);
		conn_flush(conn);
	}
	conn_put(conn);
}

static void conn_enter_full_feature(struct iscsi_conn *conn, uint8_t *rsp)
{
	struct login_sm *sm = conn->login;
	struct iscsi_session *sess;
	struct iscsi_tx *tx;
	bool wait = false;
	int rc;

	rc = sess_create(conn, sm, &sess, &wait);
	if (rc == -ENOENT) {
		log_info(COMP, "conn %d: login with TSIH %u refused: the session is gone, peer %s",
			 conn->id, sm->tsih, conn->peer_text);
		conn_login_fail_send(conn, rsp, ISCSI_LOGIN_SESSION_DOES_NOT_EXIST);
		return;
	}
	if (rc) {
		log_warn(COMP, "conn %d: cannot create session for '%s': %s", conn->id,
			 sm->initiator_name, strerror(-rc));
		conn_login_fail_send(conn, rsp, ISCSI_LOGIN_OUT_OF_RESOURCES);
		return;
	}
	conn->sess = sess;
	put_be16(((struct iscsi_login_rsp *)rsp)->tsih, sess->tsih);

	tx = conn_tx_alloc(conn, NULL, 0, NULL);
	if (tx && sm->rsp_data.len) {
		void *copy = malloc(sm->rsp_data.len);

		if (copy) {
			memcpy(copy, sm->rsp_data.data, sm->rsp_data.len);
			tx->data = copy;
			tx->owned = copy;
			tx->dlen = (uint32_t)sm->rsp_data.len;
		} else {
			free(tx);
			tx = NULL;
		}
	}
	if (!tx) {
		conn_close(conn, "out of memory");
		return;
	}
	memcpy(tx->hdr, rsp, ISCSI_BHS_LEN);
	if (wait) {
		/*
		 * RFC 7143 §6.3.5: the reinstated session's tasks must be gone
		 * before the new session runs, or one of its writes could reach
		 * the medium after a newer one. Its last task leaving the engine
		 * calls conn_reinstate_done() on this thread.
		 */
		conn->held_login = tx;
		return;
	}
	conn_finish_login(conn, tx);
}

static int64_t conn_fail_release(struct ev_loop *loop, void *arg)
{
	struct iscsi_conn *conn = arg;
	struct iscsi_tx *tx = conn->held_fail;

	(void)loop;
	conn->fail_timer = NULL;
	conn->held_fail = NULL;
	if (tx) {
		conn_queue(conn, tx);
		conn_flush(conn);
	}
	return EV_TIMER_STOP;
}

/*
 * Sends a refused login's answer after delay_ms (the auth guard's: a
 * guesser waits), or at once. The connection is logged out meanwhile:
 * nothing more is read, and it closes once the answer is out.
 */
static void conn_login_answer_later(struct iscsi_conn *conn, struct iscsi_tx *tx,
				    uint32_t delay_ms)
{
	if (delay_ms && !conn->held_fail) {
		conn->fail_timer = ev_timer_add(conn->loop, delay_ms, conn_fail_release, conn);
		if (conn->fail_timer) {
			conn->held_fail = tx;
			/* not read while it waits: a peer that hangs up would keep it readable */
			conn_update_events(conn);
			return;
		}
	}
	conn_queue(conn, tx);
}

/* The target a login is for, NULL for a discovery session (the auth guard's key). */
static const char *conn_login_target(const struct iscsi_conn *conn)
{
	return conn->login->type == ISCSI_SESSION_NORMAL ? conn->login->target_name : NULL;
}

static void conn_handle_login(struct iscsi_conn *conn, const uint8_t *data, uint32_t dlen)
{
	uint8_t rsp[ISCSI_BHS_LEN];
	enum login_result res;
	struct iscsi_tx *tx;
	uint32_t delay = 0;

	/*
	 * RFC 7143 §6.3.1: a non-zero TSIH names an existing session. A
	 * session here has one connection (MaxConnections=1), so such a login
	 * can only replace that connection (connection reinstatement); when
	 * the session is gone the initiator must start a new one (TSIH 0).
	 */
	{
		const struct iscsi_login_req *q = (const struct iscsi_login_req *)conn->bhs;
		uint16_t tsih = get_be16(q->tsih);

		if (tsih && !sess_tsih_live(q->isid, tsih)) {
			log_info(COMP, "conn %d: login with TSIH %u refused: no such session, peer %s",
				 conn->id, tsih, conn->peer_text);
			conn_login_fail_send(conn, conn->bhs, ISCSI_LOGIN_SESSION_DOES_NOT_EXIST);
			return;
		}
	}
	memset(rsp, 0, sizeof(rsp));
	res = login_handle(conn->login, conn->bhs, data, dlen, rsp);
	if (res == LOGIN_RESULT_FULL_FEATURE) {
		/* only a login that proved a secret ends a run of failures */
		if (conn->chap && conn->chap->state == CHAP_STATE_DONE)
			authguard_succeeded(conn->env.guard, conn->login->initiator_name,
					    conn_login_target(conn), ev_now_ms());
		conn->cid = conn->login->cid;
		conn_enter_full_feature(conn, rsp);
		return;
	}
	tx = conn_tx_alloc(conn, NULL, 0, NULL);
	if (!tx) {
		conn_close(conn, "out of memory");
		return;
	}
	if (conn->login->rsp_data.len) {
		void *copy = malloc(conn->login->rsp_data.len);

		if (!copy) {
			free(tx);
			conn_close(conn, "out of memory");
			return;
		}
		memcpy(copy, conn->login->rsp_data.data, conn->login->rsp_data.len);
		tx->data = copy;
		tx->owned = copy;
		tx->dlen = (uint32_t)conn->login->rsp_data.len;
	}
	memcpy(tx->hdr, rsp, ISCSI_BHS_LEN);
	conn_stamp(conn, tx->hdr, true);
	if (res == LOGIN_RESULT_FAIL) {
		const struct iscsi_login_rsp *r = (const struct iscsi_login_rsp *)rsp;
		const char *why = conn->login->fail_reason;
		bool log_it = true;

		/*
		 * A failed authentication is counted by the auth guard and its
		 * answer held back; of a run of them only the first is logged
		 * here, with its reason (the guard logs the run's count). One
		 * the guard refused is not counted again. Other refusals are
		 * logged one by one. The reason is for the log only: the
		 * initiator gets the class and detail.
		 */
		if (conn->guard_refused) {
			delay = conn->guard_delay;
			log_it = false;
		} else if (((uint16_t)(r->status_class << 8) | r->status_detail) ==
			   ISCSI_LOGIN_AUTH_FAILURE) {
			delay = authguard_failed(conn->env.guard, conn->login->initiator_name,
						 conn_login_target(conn), conn->peer_addr,
						 ev_now_ms(), &log_it);
		}
		log_msg(!log_it ? LOG_LEVEL_DBG : why ? LOG_LEVEL_WARN : LOG_LEVEL_INFO, COMP,
			"conn %d: login refused (class %u detail %u%s%s), initiator '%s', portal %s, peer %s",
			conn->id, r->status_class, r->status_detail, why ? ": " : "", why ? why : "",
			conn->login->initiator_name[0] ? conn->login->initiator_name : "?",
			conn->local_text, conn->peer_text);
		tx->close_after = true;
		conn->state = ISCSI_CONN_STATE_LOGGED_OUT;
	}
	conn_login_answer_later(conn, tx, delay);
}

static int64_t conn_login_timeout(struct ev_loop *loop, void *arg)
{
	struct iscsi_conn *conn = arg;

	(void)loop;
	conn->login_timer = NULL;
	conn_close(conn, "login did not complete in time");
	return EV_TIMER_STOP;
}

/* ---- keepalive: target NOP-In (RFC 7143 §11.19) ---- */

static int64_t conn_nop_tick(struct ev_loop *loop, void *arg)
{
	struct iscsi_conn *conn = arg;
	int64_t now = ev_now_ms();
	struct iscsi_tx *tx;
	struct iscsi_nop *n;

	(void)loop;
	if (conn->nop_ttt != ISCSI_RESERVED_TAG) {
		if (now - conn->nop_sent_ms >= conn->nopin_timeout_ms) {
			conn->nop_timer = NULL;
			conn_close(conn, "no answer to NOP-In: peer is gone");
			return EV_TIMER_STOP;
		}
		return MAX(1, conn->nop_sent_ms + conn->nopin_timeout_ms - now);
	}
	if (now - conn->last_rx_ms < conn->nopin_interval_ms)
		return MAX(1, conn->last_rx_ms + conn->nopin_interval_ms - now);

	tx = conn_tx_alloc(conn, NULL, 0, NULL);
	if (!tx)
		return conn->nopin_interval_ms;
	n = (struct iscsi_nop *)tx->hdr;
	n->opcode = ISCSI_OP_NOP_IN;
	n->flags = ISCSI_FLAG_FINAL;
	put_be32(n->itt, ISCSI_RESERVED_TAG);
	conn->nop_ttt = conn->sess->next_ttt++;
	if (conn->nop_ttt == ISCSI_RESERVED_TAG)
		conn->nop_ttt = conn->sess->next_ttt++;
	put_be32(n->ttt, conn->nop_ttt);
	/* RFC 7143 §11.19.3: an unsolicited NOP-In does not advance StatSN. */
	conn_stamp(conn, tx->hdr, false);
	conn->nop_sent_ms = now;
	conn_queue(conn, tx);
	return conn->nopin_timeout_ms;
}

/* The initiator answered our ping (NOP-Out with our TTT). */
void conn_nop_answered(struct iscsi_conn *conn, uint32_t ttt)
{
	if (ttt == conn->nop_ttt)
		conn->nop_ttt = ISCSI_RESERVED_TAG;
}

/* ---- receive ---- */

/*
 * Reads up to n bytes into dst (NULL: discard). Returns the count (> 0),
 * -EAGAIN when nothing is available now, 0 at end of stream, or -errno.
 */
static ssize_t conn_read(struct iscsi_conn *conn, uint8_t *dst, uint32_t n)
{
	uint32_t avail = conn->st_tail - conn->st_head;
	ssize_t r;

	if (!avail) {
		/* Large payloads go straight to their destination: no copy. */
		if (dst && n >= CONN_RX_DIRECT) {
			r = recv(conn->fd, dst, n, 0);
			if (r < 0)
				return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
			return r;
		}
		conn->st_head = conn->st_tail = 0;
		r = recv(conn->fd, conn->staging, ISCSI_RX_STAGING, 0);
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
		if (r == 0)
			return 0;
		conn->st_tail = (uint32_t)r;
		avail = (uint32_t)r;
	}
	if (n > avail)
		n = avail;
	if (dst)
		memcpy(dst, conn->staging + conn->st_head, n);
	conn->st_head += n;
	if (conn->st_head == conn->st_tail)
		conn->st_head = conn->st_tail = 0;
	return n;
}

/* Forgets the PDU just handled: the next one starts with its BHS. */
static void conn_rx_next(struct iscsi_conn *conn)
{
	conn->rx_done = 0;
	conn->rx_task = NULL;
	conn->rx_ptr = NULL;
	conn->rx_keep = 0;
	conn->rx_digest_ok = true;
	conn->dlen = 0;
	conn->ahs_len = 0;
}

static int conn_scratch(struct iscsi_conn *conn, uint32_t len)
{
	uint8_t *p;

	if (len <= conn->rx_data_cap)
		return 0;
	p = realloc(conn->rx_data, len);
	if (!p)
		return -ENOMEM;
	conn->rx_data = p;
	conn->rx_data_cap = len;
	return 0;
}

/*
 * conn_read for the receive machine: the count (> 0), 0 when the socket
 * has nothing more for now, -1 when the connection was closed (end of
 * stream or a receive error).
 */
static ssize_t conn_rx_read(struct iscsi_conn *conn, uint8_t *dst, uint32_t n)
{
	ssize_t r = conn_read(conn, dst, n);

	if (r == -EAGAIN)
		return 0;
	if (r <= 0) {
		conn_close(conn, r == 0 ? "peer closed the connection" : "receive failed");
		return -1;
	}
	return r;
}

/*
 * Reads the current stage into buf until it holds need bytes (rx_done
 * counts them, so a short read resumes where it stopped). 1 when it does,
 * else what conn_rx_read said (0: later, -1: closed).
 */
static int conn_rx_fill(struct iscsi_conn *conn, uint8_t *buf, uint32_t need)
{
	while (conn->rx_done < need) {
		ssize_t r = conn_rx_read(conn, buf + conn->rx_done, need - conn->rx_done);

		if (r <= 0)
			return (int)r;
		conn->rx_done += (uint32_t)r;
	}
	return 1;
}

/* The stage that follows the BHS and the AHS. */
static enum iscsi_rx_state conn_rx_after_ahs(struct iscsi_conn *conn)
{
	conn->rx_done = 0;
	return conn->hdigest ? ISCSI_RX_STATE_HDIGEST : ISCSI_RX_STATE_HEADER;
}

static enum iscsi_rx_state conn_rx_bhs(struct iscsi_conn *conn)
{
	/*
	 * A full batch yields to the other connections of the thread;
	 * conn_flush comes back for the PDUs already read ahead.
	 */
	if (conn->rx_pdus >= CONN_RX_BATCH)
		return ISCSI_RX_STATE_BHS;
	if (conn_rx_fill(conn, conn->bhs, ISCSI_BHS_LEN) <= 0)
		return ISCSI_RX_STATE_BHS;
	conn->ahs_len = iscsi_bhs_ahs_len(conn->bhs);
	conn->dlen = iscsi_bhs_dlen(conn->bhs);
	conn->rx_done = 0;
	return conn->ahs_len ? ISCSI_RX_STATE_AHS : conn_rx_after_ahs(conn);
}

static enum iscsi_rx_state conn_rx_ahs(struct iscsi_conn *conn)
{
	if (conn_rx_fill(conn, conn->ahs, conn->ahs_len) <= 0)
		return ISCSI_RX_STATE_AHS;
	return conn_rx_after_ahs(conn);
}

static enum iscsi_rx_state conn_rx_hdigest(struct iscsi_conn *conn)
{
	uint32_t crc;

	if (conn_rx_fill(conn, conn->rx_digest, ISCSI_DIGEST_LEN) <= 0)
		return ISCSI_RX_STATE_HDIGEST;
	crc = crc32c(crc32c(0, conn->bhs, ISCSI_BHS_LEN), conn->ahs, conn->ahs_len);
	if (crc != crc32c_get_wire(conn->rx_digest)) {
		/*
		 * RFC 7143 §7.8: with a bad header digest the length fields
		 * cannot be trusted; at ErrorRecoveryLevel 0 the connection
		 * is dropped.
		 */
		log_warn(COMP, "conn %d: header digest error, peer %s", conn->id, conn->peer_text);
		conn_close(conn, "header digest error");
		return ISCSI_RX_STATE_HDIGEST;
	}
	return ISCSI_RX_STATE_HEADER;
}

/* A data segment longer than we declared: Reject, then close once it is sent. */
static void conn_rx_oversized(struct iscsi_conn *conn)
{
	/*
	 * RFC 7143 §13.12: a sender keeps every data segment within the
	 * MaxRecvDataSegmentLength its receiver declared; one longer is a
	 * protocol error, and its data cannot be told from the next PDU.
	 */
	log_warn(COMP, "conn %d: data segment of %u bytes exceeds MaxRecvDataSegmentLength %u",
		 conn->id, conn->dlen, conn->max_recv_dsl);
	conn_send_reject(conn, ISCSI_REJECT_PROTOCOL_ERROR, conn->bhs);
	conn->state = ISCSI_CONN_STATE_LOGGED_OUT;
	conn_update_events(conn);
	if (list_empty(&conn->txq))
		conn_close(conn, "protocol error");
	else
		list_entry(conn->txq.prev, struct iscsi_tx, link)->close_after = true;
}

/*
 * The header (and its digest) is in: check it and decide where its data
 * segment goes (rx_keep bytes to rx_ptr, the rest read and dropped). 0, or
 * -errno when the PDU was answered and nothing more is read.
 */
static int conn_header_done(struct iscsi_conn *conn)
{
	uint8_t op = iscsi_bhs_opcode(conn->bhs);
	int rc;

	conn->last_rx_ms = ev_now_ms();
	conn->rx_task = NULL;
	conn->rx_ptr = NULL;
	conn->rx_keep = 0;
	conn->data_crc = 0;

	if (conn->state == ISCSI_CONN_STATE_LOGIN) {
		if (op != ISCSI_OP_LOGIN_REQ) {
			/* RFC 7143 §6.3: only Login Requests until the login phase completes. */
			log_info(COMP, "conn %d: opcode 0x%02x before login completed, peer %s",
				 conn->id, op, conn->peer_text);
			conn_login_fail_send(conn, conn->bhs, ISCSI_LOGIN_INVALID_DURING_LOGIN);
			return -EPROTO;
		}
		/* RFC 7143 §13.12: 8192 bytes until MaxRecvDataSegmentLength is negotiated. */
		if (conn->dlen > ISCSI_LOGIN_MAX_DSL) {
			conn_login_fail_send(conn, conn->bhs, ISCSI_LOGIN_INITIATOR_ERROR);
			return -EPROTO;
		}
	} else if (conn->dlen > conn->max_recv_dsl) {
		conn_rx_oversized(conn);
		return -EPROTO;
	} else if (op == ISCSI_OP_SCSI_CMD || op == ISCSI_OP_DATA_OUT) {
		/* Immediate data and Data-Out land in the task's buffer, at their offset. */
		if (op == ISCSI_OP_SCSI_CMD)
			rc = task_cmd_header(conn, conn->bhs, conn->ahs, conn->ahs_len, conn->dlen,
					     &conn->rx_task, &conn->rx_ptr, &conn->rx_keep);
		else
			rc = task_data_out_header(conn, conn->bhs, conn->dlen, &conn->rx_task,
						  &conn->rx_ptr, &conn->rx_keep);
		if (rc || !conn->rx_task || conn->state == ISCSI_CONN_STATE_CLOSED) {
			/* answered already, or no task to take it: the data is dropped */
			conn->rx_ptr = NULL;
			conn->rx_keep = 0;
		}
		return 0;
	}
	/* Control PDUs: the data segment (and its padding) into the scratch buffer. */
	if (conn_scratch(conn, iscsi_pad4(conn->dlen) + 1)) {
		conn_close(conn, "out of memory");
		return -ENOMEM;
	}
	conn->rx_ptr = conn->rx_data;
	conn->rx_keep = conn->dlen;
	return 0;
}

static enum iscsi_rx_state conn_rx_header(struct iscsi_conn *conn)
{
	if (conn_header_done(conn) || conn->state == ISCSI_CONN_STATE_CLOSED)
		return ISCSI_RX_STATE_HEADER;
	conn->rx_done = 0;
	return conn->dlen ? ISCSI_RX_STATE_DATA : ISCSI_RX_STATE_PDU;
}

/*
 * Where the next bytes of the data segment go, and how many of them: the
 * kept part, then the dropped part (into scratch when the digest must
 * still cover it), then the padding. Whether the data digest covers them.
 * false when no scratch could be had (the connection is closed).
 */
static bool conn_rx_data_dest(struct iscsi_conn *conn, uint8_t **dst, uint32_t *want, bool *sum)
{
	*sum = conn->ddigest;
	if (conn->rx_done < conn->rx_keep) {
		*dst = conn->rx_ptr + conn->rx_done;
		*want = conn->rx_keep - conn->rx_done;
	} else if (conn->rx_done < conn->dlen) {
		*dst = NULL;
		*want = conn->dlen - conn->rx_done;
		if (conn->ddigest) {
			/* the digest covers the dropped bytes too: read them to scratch */
			*want = MIN(*want, CONN_RX_DROP_CHUNK);
			if (conn_scratch(conn, *want)) {
				conn_close(conn, "out of memory");
				return false;
			}
			*dst = conn->rx_data;
		}
	} else {
		*dst = conn->rx_pad + (conn->rx_done - conn->dlen);
		*want = iscsi_pad4(conn->dlen) - conn->rx_done;
		*sum = false; /* added once the stage is done */
	}
	return true;
}

static enum iscsi_rx_state conn_rx_data(struct iscsi_conn *conn)
{
	uint32_t padded = iscsi_pad4(conn->dlen);

	while (conn->rx_done < padded) {
		uint8_t *dst;
		uint32_t want;
		bool sum;
		ssize_t r;

		if (!conn_rx_data_dest(conn, &dst, &want, &sum))
			return ISCSI_RX_STATE_DATA;
		r = conn_rx_read(conn, dst, want);
		if (r <= 0)
			return ISCSI_RX_STATE_DATA;
		if (sum)
			conn->data_crc = crc32c(conn->data_crc, dst, (size_t)r);
		conn->rx_done += (uint32_t)r;
	}
	if (!conn->ddigest)
		return ISCSI_RX_STATE_PDU;
	conn->data_crc = crc32c(conn->data_crc, conn->rx_pad, padded - conn->dlen);
	conn->rx_done = 0;
	return ISCSI_RX_STATE_DDIGEST;
}

static enum iscsi_rx_state conn_rx_ddigest(struct iscsi_conn *conn)
{
	if (conn_rx_fill(conn, conn->rx_digest, ISCSI_DIGEST_LEN) <= 0)
		return ISCSI_RX_STATE_DDIGEST;
	conn->rx_digest_ok = conn->data_crc == crc32c_get_wire(conn->rx_digest);
	return ISCSI_RX_STATE_PDU;
}

static void conn_pdu_done(struct iscsi_conn *conn, bool digest_ok)
{
	uint8_t op = iscsi_bhs_opcode(conn->bhs);

	if (conn->state == ISCSI_CONN_STATE_LOGIN) {
		if (!digest_ok) {
			conn_close(conn, "data digest error during login");
			return;
		}
		conn_handle_login(conn, conn->rx_data, conn->dlen);
		return;
	}
	if (conn->state != ISCSI_CONN_STATE_FULL_FEATURE)
		return;
	switch (op) {
	case ISCSI_OP_SCSI_CMD:
		if (!conn->rx_task)
			return;
		if (!digest_ok) {
			/*
			 * RFC 7143 §7.8: a data digest error on immediate data is
			 * answered with a Reject, then either a recovery R2T (ERL
			 * >= 1) or, as here at ERL 0, CHECK CONDITION with
			 * PROTOCOL SERVICE CRC ERROR once all its data has come.
			 */
			struct iscsi_task *t = conn->rx_task;

			log_warn(COMP, "conn %d: itt 0x%08x: data digest error in immediate data; the "
				 "command fails, nothing is written, peer %s",
				 conn->id, t->itt, conn->peer_text);
			conn_send_reject(conn, ISCSI_REJECT_DATA_DIGEST_ERROR, conn->bhs);
			if (!t->fail)
				t->fail = SENSE_DATA_DIGEST_ERROR;
			task_cmd_complete(conn, t, conn->dlen);
			return;
		}
		task_cmd_complete(conn, conn->rx_task, conn->dlen);
		return;
	case ISCSI_OP_DATA_OUT:
		if (!conn->rx_task)
			return;
		if (!digest_ok) {
			log_warn(COMP, "conn %d: itt 0x%08x: data digest error in Data-Out; the "
				 "command fails, nothing is written, peer %s",
				 conn->id, conn->rx_task->itt, conn->peer_text);
			conn_send_reject(conn, ISCSI_REJECT_DATA_DIGEST_ERROR, conn->bhs);
		}
		task_data_out_complete(conn, conn->rx_task, conn->bhs, conn->dlen, digest_ok);
		return;
	default:
		if (!digest_ok) {
			conn_send_reject(conn, ISCSI_REJECT_DATA_DIGEST_ERROR, conn->bhs);
			return;
		}
		sess_dispatch(conn, conn->bhs, conn->rx_data, conn->dlen);
		return;
	}
}

static enum iscsi_rx_state conn_rx_pdu(struct iscsi_conn *conn)
{
	conn_pdu_done(conn, conn->rx_digest_ok);
	if (conn->state == ISCSI_CONN_STATE_CLOSED)
		return ISCSI_RX_STATE_PDU;
	conn_rx_next(conn);
	conn->rx_pdus++;
	return ISCSI_RX_STATE_BHS;
}

/*
 * One step of the receive machine: the state it leaves the connection in.
 * The same state means it cannot go on for now: it waits for bytes the
 * socket does not have yet, the batch is full, or the connection is logged
 * out or closed.
 */
static enum iscsi_rx_state conn_rx_step(struct iscsi_conn *conn)
{
	/* Nothing more is read once the connection is logged out or closed. */
	if (conn->state != ISCSI_CONN_STATE_LOGIN && conn->state != ISCSI_CONN_STATE_FULL_FEATURE)
		return conn->rx_state;
	switch (conn->rx_state) {
	case ISCSI_RX_STATE_BHS:
		return conn_rx_bhs(conn);
	case ISCSI_RX_STATE_AHS:
		return conn_rx_ahs(conn);
	case ISCSI_RX_STATE_HDIGEST:
		return conn_rx_hdigest(conn);
	case ISCSI_RX_STATE_HEADER:
		return conn_rx_header(conn);
	case ISCSI_RX_STATE_DATA:
		return conn_rx_data(conn);
	case ISCSI_RX_STATE_DDIGEST:
		return conn_rx_ddigest(conn);
	case ISCSI_RX_STATE_PDU:
		return conn_rx_pdu(conn);
	}
	return conn->rx_state;
}

/* Runs the receive machine until its state stops changing. */
static void conn_rx(struct iscsi_conn *conn)
{
	enum iscsi_rx_state was;

	conn->tx_batch++;
	conn->rx_pdus = 0;
	do {
		was = conn->rx_state;
		conn->rx_state = conn_rx_step(conn);
	} while (conn->rx_state != was);
	conn->tx_batch--;
	if (conn->state != ISCSI_CONN_STATE_CLOSED)
		conn_flush(conn); /* which also comes back for what is still buffered */
}

static void conn_on_event(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct iscsi_conn *conn = arg;

	(void)loop;
	(void)fd;
	conn_get(conn);
	if ((events & EV_WRITE) && conn->state != ISCSI_CONN_STATE_CLOSED)
		conn_flush(conn);
	if ((events & (EV_READ | EV_ERROR)) && conn->state != ISCSI_CONN_STATE_CLOSED) {
		if (conn->state == ISCSI_CONN_STATE_LOGGED_OUT) {
			if (events & EV_ERROR)
				conn_close(conn, "connection error");
		} else {
			conn_rx(conn);
		}
	}
	conn_put(conn);
}

int iscsi_conn_start(struct ev_loop *loop, int fd, const struct iscsi_env *env)
{
	static const struct login_env login_env_tmpl = {
		.authorize = conn_login_authorize,
		.authenticate = conn_login_authenticate,
	};
	struct iscsi_conn *conn;
	struct login_env *lenv;
	int one = 1;
	int rc;

	if (!thread_conns_init) {
		list_init(&thread_conns);
		thread_conns_init = true;
	}
	conn = calloc(1, sizeof(*conn) + sizeof(*lenv));
	if (!conn) {
		close(fd);
		return -ENOMEM;
	}
	lenv = (struct login_env *)(conn + 1);
	*lenv = login_env_tmpl;
	lenv->arg = conn;
	conn->id = __atomic_fetch_add(&conn_next_id, 1, __ATOMIC_RELAXED);
	conn->fd = fd;
	conn->loop = loop;
	conn->env = *env;
	conn->refs = 1;
	conn->nop_ttt = ISCSI_RESERVED_TAG;
	conn->max_recv_dsl = ISCSI_LOGIN_MAX_DSL;
	conn->max_xmit_dsl = ISCSI_LOGIN_MAX_DSL;
	list_init(&conn->txq);
	conn->locallen = sizeof(conn->local);
	conn->peerlen = sizeof(conn->peer);
	getsockname(fd, (struct sockaddr *)&conn->local, &conn->locallen);
	getpeername(fd, (struct sockaddr *)&conn->peer, &conn->peerlen);
	sockaddr_text(&conn->peer, conn->peer_text, sizeof(conn->peer_text));
	sockaddr_addr(&conn->peer, conn->peer_addr, sizeof(conn->peer_addr));
	sockaddr_text(&conn->local, conn->local_text, sizeof(conn->local_text));
	/* one more from this address, and in all: else closed before a byte is read */
	rc = admit_take(env->limits, conn->peer_addr);
	if (rc) {
		free(conn);
		close(fd);
		return rc;
	}
	conn->admitted = true;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

	conn->staging = malloc(ISCSI_RX_STAGING);
	conn->login = calloc(1, sizeof(*conn->login));
	if (!conn->staging || !conn->login || conn_scratch(conn, ISCSI_LOGIN_MAX_DSL + 4)) {
		rc = -ENOMEM;
		goto err_free;
	}
	login_init(conn->login, lenv);
	textreq_init(&conn->text);
	ev_deferred_init(&conn->flush_d, conn_deferred_flush, conn);
	ev_deferred_init(&conn->rx_d, conn_deferred_rx, conn);
	conn->rx_state = ISCSI_RX_STATE_BHS;
	conn_rx_next(conn);

	rc = ev_add_fd(loop, fd, EV_READ, conn_on_event, conn);
	if (rc)
		goto err_fini;
	conn->login_timer = ev_timer_add(loop, CONN_LOGIN_TIMEOUT_MS, conn_login_timeout, conn);
	conn->last_rx_ms = ev_now_ms();
	list_add_tail(&conn->link, &thread_conns);
	thread_nconns++;
	thread_live++;
	__atomic_add_fetch(&total_nconns, 1, __ATOMIC_RELAXED);
	log_dbg(COMP, "conn %d: accepted from %s", conn->id, conn->peer_text);
	return 0;

err_fini:
	textreq_fini(&conn->text);
	login_fini(conn->login);
err_free:
	admit_give(env->limits, conn->peer_addr);
	free(conn->login);
	free(conn->staging);
	free(conn->rx_data);
	free(conn);
	close(fd);
	return rc;
}

/* ---- shutdown ---- */

static int64_t conn_logout_deadline(struct ev_loop *loop, void *arg)
{
	struct iscsi_conn *conn = arg;

	(void)loop;
	conn->logout_timer = NULL;
	conn_close(conn, "initiator did not log out in time");
	return EV_TIMER_STOP;
}

void iscsi_request_logout_all(unsigned int wait_s)
{
	struct iscsi_conn *conn, *n;

	if (!thread_conns_init)
		return;
	list_for_each_entry_safe(conn, n, &thread_conns, link)
	{
		struct iscsi_tx *tx;
		struct iscsi_async_msg *m;

		if (conn->state != ISCSI_CONN_STATE_FULL_FEATURE) {
			conn_close(conn, "target shutting down");
			continue;
		}
		tx = conn_tx_alloc(conn, NULL, 0, NULL);
		if (!tx)
			continue;
		m = (struct iscsi_async_msg *)tx->hdr;
		m->opcode = ISCSI_OP_ASYNC_MSG;
		m->flags = ISCSI_FLAG_FINAL;
		put_be32(m->itt, ISCSI_RESERVED_TAG);
		/* RFC 7143 §11.9.1: AsyncEvent 1, Parameter3 = seconds to log out in. */
		m->async_event = ISCSI_ASYNC_LOGOUT_REQUEST;
		put_be16(m->param3, (uint16_t)wait_s);
		conn_stamp(conn, tx->hdr, true);
		conn_queue(conn, tx);
		if (!conn->logout_timer)
			conn->logout_timer = ev_timer_add(conn->loop, (int64_t)wait_s * 1000,
							  conn_logout_deadline, conn);
	}
}

void iscsi_close_all(void)
{
	struct iscsi_conn *conn, *n;

	if (!thread_conns_init)
		return;
	list_for_each_entry_safe(conn, n, &thread_conns, link)
		conn_close(conn, "target shutting down");
}

/* ---- live configuration changes ---- */

void iscsi_refresh_sessions(void)
{
	struct iscsi_conn *conn, *n;

	if (!thread_conns_init)
		return;
	list_for_each_entry_safe(conn, n, &thread_conns, link)
	{
		struct iscsi_session *sess = conn->sess;
		bool held;
		int rc;

		if (!sess || sess->dead || sess->type != ISCSI_SESSION_NORMAL)
			continue;
		/*
		 * A login held for a reinstatement built its map before the
		 * change too: refresh it as well, without an attention (the
		 * initiator has not seen a LUN of it yet).
		 */
		held = conn->state == ISCSI_CONN_STATE_LOGIN && conn->held_login;
		if (conn->state != ISCSI_CONN_STATE_FULL_FEATURE && !held)
			continue;
		rc = sess_refresh(sess, !held);
		if (rc == -EACCES || rc == -ENOENT) {
			log_info(COMP, "session tsih %u: '%s' may no longer use '%s' tpg %u",
				 sess->tsih, sess->initiator, sess->target, sess->tpg_tag);
			conn_close(conn,
				   rc == -EACCES ? "access removed" : "target or TPG removed");
		} else if (rc) {
			log_warn(COMP, "session tsih %u: LUN map not refreshed, the old one stays: %s",
				 sess->tsih, strerror(-rc));
		}
	}
}
