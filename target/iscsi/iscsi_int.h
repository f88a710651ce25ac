/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to target/iscsi: connections, sessions and tasks.
 *
 * A connection lives on one I/O thread for its life, and so does its
 * session (MaxConnections=1): nothing here is shared between threads except
 * the session registry (TSIH allocation and reinstatement), which has its
 * own mutex and is touched only at login and at session end.
 */
#ifndef PORTICO_TARGET_ISCSI_INT_H
#define PORTICO_TARGET_ISCSI_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/ev.h"
#include "common/list.h"
#include "target/iscsi/iscsi.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/iscsi/login.h"
#include "target/iscsi/param.h"
#include "target/iscsi/textreq.h"
#include "target/scsi/scsi.h"

struct ev_loop;
struct ev_timer;
struct iscsi_conn;
struct iscsi_session;

#define ISCSI_LOGIN_MAX_DSL 8192 /* RFC 7143 §13.12: data segment limit until negotiated */
#define ISCSI_TASK_HASH 256
#define ISCSI_MAX_R2T 16 /* the most MaxOutstandingR2T we ever negotiate */
#define ISCSI_RX_STAGING 65536

/* An outgoing PDU: header (+digest), data from a buffer it may own or borrow, pad (+digest). */
struct iscsi_tx {
	struct list_head link;
	uint8_t hdr[ISCSI_BHS_LEN + ISCSI_DIGEST_LEN];
	uint8_t hdr_len;
	uint8_t tail[3 + ISCSI_DIGEST_LEN]; /* padding, then the data digest */
	uint8_t tail_len;
	const uint8_t *data;
	uint32_t dlen;
	void *owned; /* freed once sent */
	struct iscsi_task *task; /* reference held until sent */
	size_t sent;
	bool close_after; /* close the connection once this is on the wire */
	bool counts_statsn;
};

enum iscsi_task_state {
	ISCSI_TASK_STATE_DATA_OUT, /* collecting write data */
	ISCSI_TASK_STATE_WAIT_CMDSN, /* waiting for its turn (CmdSN ahead of ExpCmdSN) */
	ISCSI_TASK_STATE_EXEC, /* in the SCSI engine */
	ISCSI_TASK_STATE_RESPONSE, /* response queued */
};

struct iscsi_r2t {
	uint32_t ttt;
	uint32_t offset;
	uint32_t len;
	uint32_t received;
	uint32_t r2tsn;
	uint32_t next_datasn; /* the DataSN the next Data-Out of this burst must carry */
};

/*
 * A session's LUNs: its LUN map and the I_T_L nexus of each entry. A live
 * configuration change swaps in a new set (sess_refresh) and retires the
 * old one, which stays until no task that resolved its LUN against it is
 * left: such a task holds one of its itls (cmd->itl), and its map holds
 * that itl's LU. Only the session's thread touches a set, so inflight is a
 * plain counter.
 */
struct sess_luns {
	struct list_head link; /* session->retired, oldest first */
	struct scsi_lun_map *map; /* from session_conf; may be NULL (no LUNs) */
	struct scsi_itl **itls; /* parallel to map->e; NULL where a newer set took the itl over */
	unsigned int inflight; /* tasks holding the set */
};

struct iscsi_task {
	struct list_head link; /* session->tasks */
	struct iscsi_task *hnext; /* ITT hash chain */
	struct iscsi_session *sess;
	struct sess_luns *luns; /* what its LUN was resolved against (held until freed) */
	enum iscsi_task_state state;
	int refs; /* the task table, the engine, queued PDUs */
	uint32_t itt;
	uint32_t cmdsn;
	bool immediate;
	uint8_t lun_raw[8];
	uint64_t lun;
	uint32_t edtl;
	bool write; /* W bit */
	bool read; /* R bit */
	struct scsi_cmd cmd;
	enum sense_reason fail; /* set when the command fails before execution */
	bool aborted; /* no response will be sent, unless tas */
	/*
	 * Aborted by another I_T nexus (TAS 1, tmf.c): answered TASK ABORTED
	 * once it left the engine and the data it solicited arrived; it keeps
	 * its ITT until then.
	 */
	bool tas;
	/* write data */
	uint32_t received; /* data-out bytes received so far */
	uint32_t unsol_limit; /* unsolicited bytes allowed (immediate + Data-Out with TTT ffffffff) */
	bool unsol_done; /* the initiator ended its unsolicited data (F bit), or there was none */
	uint32_t unsol_datasn; /* the DataSN the next unsolicited Data-Out must carry */
	uint32_t r2t_next; /* next offset to solicit */
	uint32_t r2tsn;
	struct iscsi_r2t r2t[ISCSI_MAX_R2T];
	unsigned int nr2t;
	/* a task management request waiting for this task to finish */
	struct iscsi_tmf_wait *tmf;
	/* an abort from another nexus or session waiting for it (tmf.c: tmf_abort_lu) */
	struct scsi_abort *xab;
	bool data_ready; /* every data-out byte is in */
	bool cmdsn_ready; /* its CmdSN came up (always true for immediate commands) */
	uint32_t datasn; /* next Data-In DataSN */
	/* command memory (budget.c) */
	uint64_t mem_bytes; /* what its buffer is charged, given back when it is freed */
	struct list_head mem_link; /* session->mem_wait while mem_wait */
	bool mem_wait; /* waits for memory: no buffer, not started */
};

/* A task management function that waits for tasks to leave the engine. */
struct iscsi_tmf_wait {
	uint8_t rsp[ISCSI_BHS_LEN]; /* the TMF response, filled */
	unsigned int waiting; /* tasks still in the engine */
	struct iscsi_conn *conn;
	bool close_after; /* TARGET COLD RESET: drop the connection once answered */
};

/* A PDU whose CmdSN is ahead of ExpCmdSN, kept until its turn. */
struct iscsi_deferred {
	struct list_head link;
	uint32_t cmdsn;
	uint8_t bhs[ISCSI_BHS_LEN];
	uint8_t *data;
	uint32_t dlen;
	struct iscsi_task *task; /* SCSI commands: the task already created */
};

/*
 * What another thread may keep of a session to reach it later on its loop
 * (an abort from another nexus, tmf.c): it outlives the session. sess turns
 * NULL when the session is destroyed, on its loop, after its nexuses left
 * their LUs; only that loop reads it.
 */
struct sess_anchor {
	unsigned int refs; /* atomic */
	struct iscsi_session *sess;
	struct ev_loop *loop;
};

struct iscsi_session {
	struct list_head reg_link; /* registry */
	struct sess_anchor *anchor; /* normal sessions */
	enum iscsi_session_type type;
	char initiator[ISCSI_NAME_MAX + 1];
	char target[ISCSI_NAME_MAX + 1];
	uint8_t isid[6];
	uint16_t tsih;
	uint16_t tpg_tag;
	struct iscsi_params params;
	struct iscsi_conn *conn;
	struct ev_loop *loop;
	struct iscsi_env env; /* its connection's: LUN maps come from there and go back there */
	bool dead; /* being torn down: no new work */
	/* sequence numbers (RFC 7143 §4.2.2) */
	uint32_t exp_cmdsn;
	uint32_t cmdsn_window;
	uint32_t max_cmdsn; /* the MaxCmdSN last announced: never lowered (sess_max_cmdsn) */
	struct list_head deferred; /* struct iscsi_deferred, by CmdSN */
	/* LUNs */
	struct iscsi_session_attrs attrs; /* as at login: a later change applies at the next login */
	struct sess_luns *luns; /* current: what new commands and TMFs see; NULL for discovery */
	struct list_head retired; /* older sets still held by tasks, oldest first */
	unsigned int nluns; /* entries in luns->map, for iscsi_session_list: under reg_lock */
	struct scsi_nexus nexus;
	/* tasks */
	struct list_head tasks;
	unsigned int ntasks;
	struct iscsi_task *hash[ISCSI_TASK_HASH];
	uint32_t next_ttt;
	struct iscsi_conn *successor; /* reinstating login waiting for this session to end (ref held) */
	unsigned int nengine; /* its tasks in the SCSI engine, from task_start to their end */
	bool logging_out; /* a Logout closes it: its response waits for nengine 0 (session.c) */
	/* command memory (budget.c) */
	uint64_t mem_held; /* bytes its buffers take (atomic: iscsi_session_list reads it) */
	struct list_head mem_wait; /* tasks waiting for memory, in arrival order, a reference each */
	unsigned int mem_nwait;
	bool window_held; /* MaxCmdSN was held back: announce it when memory comes back */
	struct ev_deferred mem_d; /* a pass over mem_wait at the end of the loop iteration */
	struct ev_timer *mem_timer; /* passes while it waits: other sessions may free memory */
};

enum iscsi_conn_state {
	ISCSI_CONN_STATE_LOGIN,
	ISCSI_CONN_STATE_FULL_FEATURE,
	ISCSI_CONN_STATE_LOGGED_OUT, /* logout response queued: nothing more is read */
	ISCSI_CONN_STATE_CLOSED,
};

/*
 * The receive machine (conn.c): a PDU is read in stages, each of which
 * resumes where a short read left it. HEADER and PDU read nothing: they
 * act on what the stages before them read.
 */
enum iscsi_rx_state {
	ISCSI_RX_STATE_BHS,	/* the 48-byte BHS */
	ISCSI_RX_STATE_AHS,	/* TotalAHSLength bytes of AHS */
	ISCSI_RX_STATE_HDIGEST, /* the header digest */
	ISCSI_RX_STATE_HEADER,	/* check the header, choose where the data goes */
	ISCSI_RX_STATE_DATA,	/* the data segment and its padding */
	ISCSI_RX_STATE_DDIGEST, /* the data digest */
	ISCSI_RX_STATE_PDU,	/* hand the whole PDU over */
};

struct iscsi_conn {
	struct list_head link; /* per-thread list */
	int id;
	int fd;
	struct ev_loop *loop;
	enum iscsi_conn_state state;
	struct sockaddr_storage local, peer;
	socklen_t locallen, peerlen;
	char peer_text[80];
	char local_text[80]; /* the portal the connection arrived on */
	char alias[256]; /* TargetAlias, copied from the model at login */
	int refs; /* the loop's registration + in-flight work holding the conn */
	struct iscsi_env env; /* what the connection asks (iscsi_conn_start) */

	/* receive (enum iscsi_rx_state) */
	enum iscsi_rx_state rx_state;
	unsigned int rx_pdus; /* PDUs handled in this receive pass (CONN_RX_BATCH) */
	uint8_t bhs[ISCSI_BHS_LEN];
	uint8_t ahs[1024];
	uint32_t ahs_len;
	uint32_t dlen; /* data segment length of the current PDU */
	uint32_t rx_done; /* bytes read in the current state */
	uint8_t *rx_ptr;  /* where the data segment goes (task buffer or rx_data) */
	uint32_t rx_keep; /* bytes of data that go to rx_ptr; the rest is dropped */
	uint8_t *rx_data; /* scratch for control PDU data */
	uint32_t rx_data_cap;
	uint8_t rx_pad[3];		     /* the data segment's padding */
	uint8_t rx_digest[ISCSI_DIGEST_LEN]; /* the header or data digest as received */
	uint32_t data_crc;		     /* of the data segment so far */
	bool rx_digest_ok;		     /* the data digest matched, or there was none */
	struct iscsi_task *rx_task; /* Data-Out or immediate data target */
	uint8_t *staging; /* read-ahead buffer */
	uint32_t st_head, st_tail;
	bool hdigest, ddigest; /* in force for this connection */
	uint32_t max_recv_dsl; /* ours */
	uint32_t max_xmit_dsl; /* theirs */

	/* transmit */
	struct list_head txq;
	unsigned int txq_len;
	bool want_write;
	int tx_batch; /* >0: inside rx processing, flush at the end */
	struct ev_deferred flush_d; /* one flush at the end of the loop iteration */
	struct ev_deferred rx_d; /* another receive pass: PDUs wait in the read-ahead buffer */
	uint32_t statsn;
	uint32_t exp_statsn;

	/* login */
	struct login_sm *login;
	struct chap *chap; /* the login's CHAP exchange, once one started */
	struct textreq_sm text;
	uint16_t cid;

	struct iscsi_session *sess;

	/* keepalive (target NOP-In) */
	struct ev_timer *nop_timer;
	int64_t last_rx_ms;
	uint32_t nop_ttt; /* outstanding ping, or ISCSI_RESERVED_TAG */
	int64_t nop_sent_ms;
	uint32_t nopin_interval_ms;
	uint32_t nopin_timeout_ms;
	struct ev_timer *logout_timer; /* async logout request deadline */
	struct ev_timer *login_timer; /* login must finish in time */
	struct iscsi_tx *held_login; /* final Login Response, held until a reinstated session is gone */
	struct iscsi_tx *held_logout; /* Logout Response, held until its session is torn down */
	/* send timeout (iscsi_limits.send_timeout_ms) */
	int64_t tx_wait_ms; /* since when what waits in txq has gone out no further */
	struct ev_timer *send_timer; /* armed while the socket takes nothing */
	/* a refused login's answer, held for the guesser's delay (authguard.h) */
	struct iscsi_tx *held_fail;
	struct ev_timer *fail_timer;
	char peer_addr[INET6_ADDRSTRLEN]; /* the peer's address alone: authguard's, admit's key */
	bool guard_refused; /* the auth guard refused this login: its answer waits guard_delay */
	uint32_t guard_delay;
	bool admitted; /* counted by admit_take: given back when it closes */
};

/* conn.c */
void conn_queue(struct iscsi_conn *conn, struct iscsi_tx *tx);
struct iscsi_tx *conn_tx_alloc(struct iscsi_conn *conn, const void *data, uint32_t dlen,
			       void *owned);
/* Fills StatSN (advancing it when counts), ExpCmdSN and MaxCmdSN of a response header. */
void conn_stamp(struct iscsi_conn *conn, uint8_t *hdr, bool counts);
void conn_close(struct iscsi_conn *conn, const char *why);
void conn_get(struct iscsi_conn *conn);
void conn_put(struct iscsi_conn *conn);
void conn_send_reject(struct iscsi_conn *conn, enum iscsi_reject_reason reason,
		      const uint8_t *bhs);
void conn_flush(struct iscsi_conn *conn);

void conn_nop_answered(struct iscsi_conn *conn, uint32_t ttt);
/* Posted by a reinstated session's end to the login that waits for it (drops a reference). */
void conn_reinstate_done(void *arg);

/* session.c */
/*
 * Creates the session a completed login asks for. *wait is set when an
 * older session (or, for a login with a TSIH, the session's older
 * connection) is being reinstated: the caller holds its final Login
 * Response until conn_reinstate_done() runs. -ENOENT: the login named a
 * TSIH whose session is gone.
 */
int sess_create(struct iscsi_conn *conn, struct login_sm *sm, struct iscsi_session **out,
		bool *wait);
void sess_destroy(struct iscsi_session *sess);
/* Whether a live session has this ISID and TSIH (a login may reinstate its connection). */
bool sess_tsih_live(const uint8_t *isid, uint16_t tsih);
/* Takes a closing session out of the registry (its TSIH and ISID are free again). */
void sess_unregister(struct iscsi_session *sess);
/*
 * The connection is closing: out of the registry, deferred PDUs dropped,
 * every task aborted. What is still in the engine completes later.
 */
void sess_close(struct iscsi_session *sess);
/*
 * One of sess's tasks left the SCSI engine (task.c, after scsi_cmd_exec
 * returned SCSI_EXEC_DONE or in its completion, before the task's
 * reference goes): the last one lets a Logout that waits for it finish.
 */
void sess_engine_left(struct iscsi_session *sess);
/*
 * Asks session_conf for the session's LUN map again and swaps to it when it
 * changed (iscsi_refresh_sessions). announce: raise REPORTED LUNS DATA HAS
 * CHANGED when LUNs came or went (not for a session the initiator has not
 * seen yet). 0 (the old map kept when it is the same), or -errno from
 * session_conf (the old map kept), or -ENOMEM (the old map kept).
 */
int sess_refresh(struct iscsi_session *sess, bool announce);
/* A task that held set l is freed: a retired set may go. */
void sess_luns_put(struct iscsi_session *sess, struct sess_luns *l);
/*
 * The MaxCmdSN to announce now (RFC 7143 §4.2.2.1): ExpCmdSN plus the
 * window, except while the session's memory is short, when it stays
 * where it was (it is never lowered).
 */
uint32_t sess_max_cmdsn(struct iscsi_session *sess);
/*
 * CmdSN check for a non-immediate PDU (RFC 7143 §4.2.2.1): returns 1 when
 * it is ExpCmdSN (and advances it), 0 when it is ahead within the window
 * (defer it), -1 when outside the window (drop it).
 */
int sess_cmdsn_check(struct iscsi_session *sess, uint32_t cmdsn, bool immediate);
void sess_advance_cmdsn(struct iscsi_session *sess);
void sess_run_deferred(struct iscsi_session *sess);
int sess_defer_pdu(struct iscsi_session *sess, uint32_t cmdsn, const uint8_t *bhs,
		   const uint8_t *data, uint32_t dlen, struct iscsi_task *task);
void sess_handle_nop_out(struct iscsi_conn *conn, const uint8_t *bhs, const uint8_t *data,
			 uint32_t dlen);
void sess_handle_text(struct iscsi_conn *conn, const uint8_t *bhs, const uint8_t *data,
		      uint32_t dlen);
void sess_handle_logout(struct iscsi_conn *conn, const uint8_t *bhs);
/* Dispatches a full-feature PDU (header and data complete) that is in CmdSN order. */
void sess_dispatch(struct iscsi_conn *conn, const uint8_t *bhs, const uint8_t *data,
		   uint32_t dlen);

/* task.c */
/*
 * A SCSI Command header arrived (its data segment not yet read). Creates the
 * task and says where the immediate data goes: *dst and *keep (bytes kept; the
 * rest of the data segment is discarded). Returns 0, or -errno when the PDU
 * was answered already (Reject) and its data must be discarded.
 */
int task_cmd_header(struct iscsi_conn *conn, const uint8_t *bhs, const uint8_t *ahs,
		    uint32_t ahs_len, uint32_t dlen, struct iscsi_task **out, uint8_t **dst,
		    uint32_t *keep);
/* The whole SCSI Command PDU (with its immediate data) arrived. */
void task_cmd_complete(struct iscsi_conn *conn, struct iscsi_task *task, uint32_t dlen);
/* A Data-Out header arrived: where its data goes, as for task_cmd_header. */
int task_data_out_header(struct iscsi_conn *conn, const uint8_t *bhs, uint32_t dlen,
			 struct iscsi_task **out, uint8_t **dst, uint32_t *keep);
void task_data_out_complete(struct iscsi_conn *conn, struct iscsi_task *task, const uint8_t *bhs,
			    uint32_t dlen, bool digest_ok);
/* Starts a task whose CmdSN came up (deferred commands). */
void task_start(struct iscsi_task *task);
struct iscsi_task *task_find(struct iscsi_session *sess, uint32_t itt);
/* Takes the task out of the ITT table, if it is there, dropping the table's reference. */
void task_remove(struct iscsi_task *task);
void task_put(struct iscsi_task *task);
void task_get(struct iscsi_task *task);
/* Session end: aborts every task (responses are not sent). */
void task_abort_all(struct iscsi_session *sess);
/*
 * An abort from another I_T nexus takes the task (TAS 1): it ends with
 * TASK ABORTED, once out of the engine and once the Data-Out it solicited
 * arrived; it asks for no more.
 */
void task_abort_tas(struct iscsi_task *task);
/*
 * A task waiting for memory (sess_mem_wait) tries again: 0 when it got its
 * buffer and went on (or failed, its answer on its way), -EAGAIN when
 * there is still no room.
 */
int task_mem_retry(struct iscsi_task *task);

/*
 * budget.c: command memory. budget_* are the accounts (atomic, any
 * thread); sess_mem_* run on the session's thread.
 *
 * Takes len bytes for a session that holds *held: granted when it holds
 * nothing (one command always goes, so that no session is starved by
 * others), else when the session's limit and the daemon's both have room;
 * force: whatever the limits (data already on its way must land).
 */
bool budget_take(struct iscsi_limits *l, uint64_t *held, uint64_t len, bool force);
void budget_give(struct iscsi_limits *l, uint64_t *held, uint64_t len);
/* Whether a session holding held should be given no more commands for now. */
bool budget_tight(const struct iscsi_limits *l, uint64_t held);
/* Sets up and tears down the session's part (sess_create, sess_close). */
void sess_mem_init(struct iscsi_session *sess);
void sess_mem_close(struct iscsi_session *sess);
/* The task waits for memory, after the session's other waiters (takes a reference). */
void sess_mem_wait(struct iscsi_session *sess, struct iscsi_task *task);
/* Memory of the session's came back: a pass over its waiters soon. */
void sess_mem_kick(struct iscsi_session *sess);
/* Whether the session's window must not grow now (waiters, or its memory is short). */
bool sess_mem_tight(const struct iscsi_session *sess);
/*
 * conn_flush found the socket taking nothing (blocked) or everything (the
 * queue is empty): the send timeout is armed or disarmed.
 */
void conn_send_watch(struct iscsi_conn *conn, bool blocked);

/*
 * admit.c: one connection more from addr, within env's limits (counted)?
 * 0, -EUSERS (refused; logged now and then), -ENOMEM. admit_give gives
 * an admitted one back.
 */
int admit_take(struct iscsi_limits *l, const char *addr);
void admit_give(struct iscsi_limits *l, const char *addr);

/* tmf.c */
void tmf_handle(struct iscsi_conn *conn, const uint8_t *bhs);
/* A task that a TMF waits for left the engine. */
void tmf_task_done(struct iscsi_task *task);
/*
 * struct scsi_nexus.abort_lu of a session's nexus: from any thread, aborts
 * the session's tasks on lu on its own loop, holding ab until they left
 * the engine.
 */
void tmf_abort_lu(struct scsi_nexus *nx, struct scsi_lu *lu, struct scsi_abort *ab);
/* The session's anchor: a new one (0 or -ENOMEM), and its end at sess_destroy. */
int sess_anchor_new(struct iscsi_session *sess);
void sess_anchor_end(struct iscsi_session *sess);

#endif
