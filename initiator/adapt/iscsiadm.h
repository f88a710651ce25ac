/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * open-iscsi through iscsiadm (initiator/adapt/iscsiadm.c): the field's own
 * tool, run as child processes that the daemon's event loop watches (a
 * pidfd and the output pipe), never waited for, each with a timeout after
 * which it is killed. Operations on one node record (target, portal,
 * iface) run one at a time, in the order they were asked; others run side
 * by side, so that a portal that does not answer holds up only its own
 * logins.
 *
 * Each NIC gets its own iface record, "portico-<nic>", bound by interface
 * name (iface.net_ifacename), so that a session really leaves through its
 * NIC. Node records are pathd's: node.startup = manual (pathd logs in),
 * the policy's timeouts, and the configured CHAP credentials.
 *
 * Other queues: one per iface record, one per discovery address (its
 * discovery record, which holds the discovery CHAP credentials, is shared
 * by every NIC), one per session (rescans).
 *
 * Every operation ends in (cb, arg): cb runs on the loop, exactly once,
 * never inside the call; when the call itself fails (-EINVAL, -ENOMEM) cb
 * never runs. reason is "" when err is 0; otherwise it says, in an
 * admin's words, which step failed and why ("login failed: connection to
 * 198.18.1.1:3260 timed out"). reason and entries are valid during the
 * callback only. A callback may queue operations, and may destroy the
 * adapter.
 *
 * The exact command lines are in initiator/adapt/iscsiadm_text.c
 * (iadm_build).
 */
#ifndef PORTICO_INITIATOR_ISCSIADM_H
#define PORTICO_INITIATOR_ISCSIADM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpath/sm.h"

#define IADM_IFACE_PREFIX "portico-"
/* iscsiadm runs at most this many at once; the rest wait their turn */
#define IADM_RUNNING_MAX 8
#define IADM_TIMEOUT_MS 120000

struct ev_loop;
struct iadm;

/* CHAP credentials (RFC 7143 §12.1.3); empty user: none. The _in pair is mutual CHAP. */
struct iadm_chap {
	char user[256];
	char password[256];
	char user_in[256];
	char password_in[256];
};

struct iadm_conf {
	const char *iscsiadm; /* the program; NULL: "iscsiadm" from PATH */
	/*
	 * One iscsiadm run, after which it is killed (0: IADM_TIMEOUT_MS).
	 * A login waits for iscsid, which tries for login_timeout_s times
	 * login_retry_max seconds (one try of login_timeout_s at least):
	 * give it more than that, or iscsid goes on trying after the kill.
	 * A SendTargets discovery without CHAP follows iscsid.conf's
	 * discovery.sendtargets timeouts (Debian: login_timeout 15 s,
	 * reopen_max 5: about 95 s for an address that does not answer); a
	 * shorter timeout_ms cuts it short.
	 */
	unsigned int timeout_ms;
	struct iadm_chap discovery_chap;
	struct iadm_chap session_chap;
	/* written into every node record before its login */
	uint32_t replacement_timeout_s; /* node.session.timeo.replacement_timeout */
	uint32_t noop_out_interval_s;	/* node.conn[0].timeo.noop_out_interval */
	uint32_t noop_out_timeout_s;	/* node.conn[0].timeo.noop_out_timeout */
	/* node.conn[0].timeo.login_timeout: one connect and login; 0: iscsid.conf's (15 s) */
	uint32_t login_timeout_s;
	/*
	 * node.session.initial_login_retry_max: how often iscsid retries a
	 * first login on its own (Debian's iscsid.conf: 8, two minutes of a
	 * dead portal). 0, pathd's choice: one try, since pathd retries
	 * failed logins on its own schedule (login_retry_s).
	 */
	uint32_t login_retry_max;
	/* node.conn[0].iscsi.HeaderDigest and DataDigest: "CRC32C,None", else "None" */
	bool digests;
};

typedef void iadm_done_cb(void *arg, int err, const char *reason);
/* entries: the targets and portals the answer names (canonical portals); NULL and 0 on error. */
typedef void iadm_discover_cb(void *arg, int err, const char *reason,
			      const struct mp_disc_entry *entries, size_t n);
typedef void iadm_login_cb(void *arg, int err, bool auth_failed, const char *reason);

/*
 * 0, -EINVAL (CHAP credentials that do not go together: a password
 * without a user or a user without one, a mutual pair without the
 * one-way pair, a control character), or -ENOMEM. The conf is copied.
 */
int iadm_create(struct ev_loop *loop, const struct iadm_conf *conf, struct iadm **out);
/*
 * Kills what still runs and reaps it (bounded: child.h), drops what
 * waits, and frees. No callback runs, now or later.
 */
void iadm_destroy(struct iadm *ia);

/*
 * New credentials and timeouts (a reconfigure), for every iscsiadm run from
 * now on (an operation under way takes them at its next step). The program
 * and the run timeout stay. 0, or -EINVAL (CHAP values that do not go
 * together: nothing changes).
 */
int iadm_set_conf(struct iadm *ia, const struct iadm_conf *conf);

/*
 * The operations: 0, or -EINVAL (a name that is not one: a NIC, an
 * address or portal that is not an address literal with a port, a target
 * that is not an iSCSI name) or -ENOMEM.
 */

/* Ensures the iface record IADM_IFACE_PREFIX<nic>, bound to nic. */
int iadm_iface(struct iadm *ia, const char *nic, iadm_done_cb *cb, void *arg);
/*
 * SendTargets to addr ("a.b.c.d:port", "[v6]:port") through nic's iface,
 * with the discovery CHAP when configured. Makes no node records.
 */
int iadm_discover(struct iadm *ia, const char *nic, const char *addr, iadm_discover_cb *cb,
		  void *arg);
/*
 * Makes (or updates) the node record of key (portal with tpgt, through
 * key->nic's iface) with the timeouts and session CHAP, then logs in. A
 * session that already exists is success. auth_failed: the target refused
 * the credentials (or this initiator).
 */
int iadm_login(struct iadm *ia, const struct mp_link_key *key, uint16_t tpgt, iadm_login_cb *cb,
	       void *arg);
/*
 * Logs key's session out and deletes its node records (every TPG tag).
 * No session, no record: success.
 */
int iadm_logout(struct iadm *ia, const struct mp_link_key *key, iadm_done_cb *cb, void *arg);
/* Rescans session sid's LUNs. */
int iadm_rescan(struct iadm *ia, uint32_t sid, iadm_done_cb *cb, void *arg);

#endif
