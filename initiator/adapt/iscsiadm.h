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
 * Every operation ends in (cb, arg): cb runs on the loop, exactly once,
 * never inside the call; when the call itself fails (-ENOMEM) cb never runs.
 */
#ifndef PORTICO_INITIATOR_ISCSIADM_H
#define PORTICO_INITIATOR_ISCSIADM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpath/sm.h"

#define IADM_IFACE_PREFIX "portico-"

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
	const char *iscsiadm;	 /* the program; NULL: "iscsiadm" from PATH */
	unsigned int timeout_ms; /* one iscsiadm run; a login waits for the target */
	struct iadm_chap discovery_chap;
	struct iadm_chap session_chap;
	uint32_t replacement_timeout_s;
	uint32_t noop_out_interval_s;
	uint32_t noop_out_timeout_s;
};

typedef void iadm_done_cb(void *arg, int err, const char *reason);
typedef void iadm_discover_cb(void *arg, int err, const char *reason,
			      const struct mp_disc_entry *entries, size_t n);
typedef void iadm_login_cb(void *arg, int err, bool auth_failed, const char *reason);

/* 0 or -ENOMEM. The conf is copied. */
int iadm_create(struct ev_loop *loop, const struct iadm_conf *conf, struct iadm **out);
/* Kills what still runs (no callback then runs) and frees. */
void iadm_destroy(struct iadm *ia);

/* Ensures the iface record IADM_IFACE_PREFIX<nic>, bound to nic. */
int iadm_iface(struct iadm *ia, const char *nic, iadm_done_cb *cb, void *arg);
/* SendTargets to addr ("a.b.c.d:port") through nic's iface, with the discovery CHAP. */
int iadm_discover(struct iadm *ia, const char *nic, const char *addr, iadm_discover_cb *cb,
		  void *arg);
/*
 * Makes (or updates) the node record of key (portal with tpgt, through
 * key->nic's iface) with the timeouts and session CHAP, then logs in. A
 * session that already exists is success. auth_failed: the target refused
 * the credentials.
 */
int iadm_login(struct iadm *ia, const struct mp_link_key *key, uint16_t tpgt, iadm_login_cb *cb,
	       void *arg);
/* Logs key's session out and deletes its node record. */
int iadm_logout(struct iadm *ia, const struct mp_link_key *key, iadm_done_cb *cb, void *arg);
/* Rescans session sid's LUNs. */
int iadm_rescan(struct iadm *ia, uint32_t sid, iadm_done_cb *cb, void *arg);

#endif
