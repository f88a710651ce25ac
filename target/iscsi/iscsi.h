/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The iSCSI target transport as the daemon sees it: connections handed over
 * by the acceptor, and the ops through which the transport asks its
 * environment (who may log in, CHAP secrets, SendTargets, a session's LUNs).
 * The transport never sees the object model: the daemon answers these
 * questions from it (target/iscsi_env.c), and tests answer them with fakes.
 */
#ifndef PORTICO_TARGET_ISCSI_H
#define PORTICO_TARGET_ISCSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/iscsi_name.h"
#include "target/iscsi/chap.h"
#include "target/iscsi/login.h"
#include "target/iscsi/param.h"
#include "target/iscsi/text.h"
#include "target/scsi/scsi.h"

struct admit_table;
struct authguard;
struct ev_loop;

/* The settings of its portal group that a normal session runs with. */
struct iscsi_session_attrs {
	uint32_t nopin_interval_s; /* target NOP-In keepalive interval; 0: off */
	uint32_t nopin_timeout_s; /* no answer within this: drop the connection */
	uint32_t default_cmdsn_depth; /* the CmdSN window the session gets */
};

/* What a normal session gets from the environment when it starts. */
struct iscsi_session_conf {
	struct scsi_lun_map *map; /* owned by the session from then on (scsi_lun_map_free) */
	struct iscsi_session_attrs attrs;
	/*
	 * The target's port groups (a reference) and the group of the TPG
	 * (target/scsi/alua.h), for the session's nexus; NULL: none (one
	 * group, active/optimized). Given back through session_conf_release.
	 */
	struct alua_tgt *alua;
	struct alua_group *alua_group;
};

struct iscsi_env_ops {
	/*
	 * May initiator, connecting from peer, log in through the portal at
	 * local (target is NULL for discovery)? ISCSI_LOGIN_OK with *limits,
	 * *tpg_tag and alias (a string of at most aliaslen bytes with its NUL,
	 * "" for none) set, or a login status. The model may change after the
	 * call returns: nothing it hands back points into it.
	 */
	uint16_t (*authorize)(void *arg, enum iscsi_session_type type, const char *initiator,
			      const char *target, const struct sockaddr *local, socklen_t locallen,
			      const struct sockaddr *peer, socklen_t peerlen,
			      struct param_limits *limits, uint16_t *tpg_tag, char *alias,
			      size_t aliaslen);
	/*
	 * The CHAP credentials initiator logs in with through the portal at
	 * local (target NULL: a discovery session), and the target's own
	 * for mutual CHAP. 0 with *out filled; -ENOENT when the initiator
	 * has no ACL there; -ENODATA when no credentials are configured.
	 */
	int (*chap_credentials)(void *arg, const char *initiator, const char *target,
				const struct sockaddr *local, socklen_t locallen,
				struct chap_creds *out);
	/* The SendTargets answer for value, as seen by initiator through local. */
	int (*sendtargets)(void *arg, const char *initiator, const char *session_target,
			   const struct sockaddr *local, socklen_t locallen,
			   const struct sockaddr *peer, socklen_t peerlen, const char *value,
			   struct text_buf *out);
	/*
	 * Builds a normal session's LUN map and attributes, at login and again
	 * at every iscsi_refresh_sessions(). 0 or -errno: -EACCES or -ENOENT
	 * when the initiator may no longer use that target and TPG.
	 */
	int (*session_conf)(void *arg, const char *initiator, const char *target, uint16_t tpg_tag,
			    struct iscsi_session_conf *out);
	/* Frees what session_conf handed over (map and alua, either may be NULL). */
	void (*session_conf_release)(void *arg, struct iscsi_session_conf *conf);
	/*
	 * SET TARGET PORT GROUPS through a session of target changed ALUA
	 * states (on an I/O thread): whoever keeps the configuration should
	 * take them. May be NULL.
	 */
	void (*alua_changed)(void *arg, const char *target);
};

/*
 * What the daemon allows the connections it starts with one env, and what
 * they use of it (docs/configuration.md, "Limits"):
 *
 * - io_memory, session_io_memory: the bytes the command buffers (data read
 *   for an initiator and not yet sent, data written and not yet stored)
 *   may take, of all sessions and of one. A command that finds no room
 *   waits, unexecuted, and the session's command window stops growing
 *   (MaxCmdSN, RFC 7143 §4.2.2.1) until buffers come back; a session that
 *   holds nothing always gets one command, so that none is starved by
 *   others. 0: no limit.
 * - send_timeout_ms: a connection with PDUs waiting to be sent that takes
 *   no byte of them for this long is dropped, whether or not NOP-In is on.
 *   0: never.
 * - max_connections, max_connections_per_address: a connection beyond
 *   either, in all or from one initiator address, is closed before a byte
 *   of it is read (one log line every 10 s says how many). 0: no limit.
 *   They count only with a table (iscsi_limits_init).
 *
 * The daemon may change the limits while connections run (atomic stores);
 * the I/O threads update the counters atomically.
 */
struct iscsi_limits {
	uint64_t io_memory;
	uint64_t session_io_memory;
	uint32_t send_timeout_ms;
	uint32_t max_connections;
	uint32_t max_connections_per_address;
	uint64_t io_memory_used; /* now */
	uint64_t io_memory_peak; /* the most since start */
	uint64_t commands_waited; /* commands that waited for memory */
	uint64_t send_timeouts; /* connections dropped by send_timeout_ms */
	uint64_t connections_refused; /* by max_connections(_per_address) */
	struct admit_table *admit; /* the connections of each address (admit.c) */
};

/*
 * Sets l to no limits, with the table that counts connections; 0 or
 * -ENOMEM. iscsi_limits_fini frees the table, once no connection started
 * with l is left.
 */
int iscsi_limits_init(struct iscsi_limits *l);
void iscsi_limits_fini(struct iscsi_limits *l);
/* Thread-safe: the connections l counts from addr ("192.0.2.7"), or in all (addr NULL). */
unsigned int iscsi_limits_connections(const struct iscsi_limits *l, const char *addr);

/*
 * The environment a connection asks: the ops, and the argument every one
 * of them is called with. A connection keeps its own copy and hands it to
 * its session, so nothing of it is process-wide: two daemons (or a test
 * and its fakes) in one process each start connections with their own.
 */
struct iscsi_env {
	const struct iscsi_env_ops *ops;
	void *arg; /* must outlive every connection started with it */
	struct iscsi_limits *limits; /* NULL: none; shared, must outlive them too */
	struct authguard *guard; /* failed logins (authguard.h); NULL: none; the same */
};

/*
 * Starts serving an accepted connection on loop (the calling thread's
 * loop), asking env (copied) whatever the connection and its session need
 * to know. Takes ownership of fd. Returns 0 or -errno (fd closed):
 * -EUSERS when env's limits refuse one more connection (logged).
 */
int iscsi_conn_start(struct ev_loop *loop, int fd, const struct iscsi_env *env);

/* Connections currently open on the calling thread. */
unsigned int iscsi_conn_count(void);
/* Connections of the calling thread not yet freed (closed ones wait for their I/O). */
unsigned int iscsi_conn_live(void);
/* Frees the calling thread's cache of command buffers (at thread exit). */
void iscsi_thread_release_buffers(void);
/* Connections currently open on every thread. */
unsigned int iscsi_conn_total(void);

/*
 * Asks every session on the calling thread's loop to log out (Async
 * Message, logout requested within wait_s seconds); iscsi_close_all()
 * then drops whatever is left. Both run on each I/O thread at shutdown.
 */
void iscsi_request_logout_all(unsigned int wait_s);
void iscsi_close_all(void);

/*
 * Runs on an I/O thread after the model changed (the daemon posts it to
 * every I/O thread): every normal session of the calling thread asks
 * session_conf of its own environment again. A session whose initiator lost access (-EACCES,
 * -ENOENT) is closed; one whose LUN map changed swaps to the new map,
 * keeping the I_T_L nexus (pending unit attentions, reservations) of every
 * LUN that still shows the same LU, and raises REPORTED LUNS DATA HAS
 * CHANGED when LUNs came or went. Other attributes take effect at the next
 * login. A map taken away lives on until the commands that use it end.
 */
void iscsi_refresh_sessions(void);

/* One live session, as iscsi_session_list() reports it. */
struct iscsi_session_info {
	char initiator[ISCSI_NAME_MAX + 1];
	char target[ISCSI_NAME_MAX + 1]; /* "" for a discovery session */
	uint16_t tpg_tag;
	uint16_t tsih;
	uint8_t isid[6];
	bool discovery;
	/* the local address the connection arrived on: "1.2.3.4:3260", "[::1]:3260" */
	char portal[80];
	char peer[80]; /* the initiator's address, written the same way */
	unsigned int luns; /* entries in the session's current LUN map */
	uint64_t io_memory; /* bytes its command buffers take now */
	unsigned int waiting; /* commands waiting for memory */
};

/*
 * Thread-safe: fills out[0..max) with the live sessions of every thread
 * (normal and discovery) and returns how many there are, which may exceed
 * max (call again with a larger buffer).
 */
size_t iscsi_session_list(struct iscsi_session_info *out, size_t max);

#endif
