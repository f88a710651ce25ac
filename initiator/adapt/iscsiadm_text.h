/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iscsiadm's language (initiator/adapt/iscsiadm_text.c), for the adapter
 * (iscsiadm.c): the command lines it runs, what each exit status and
 * output means, and the SendTargets list that discovery prints. Pure:
 * values in, text and values out; no I/O, no logging.
 *
 * Written against open-iscsi 2.1.8 (Debian 12): its exit statuses are
 * the ISCSI_ERR_* values of include/iscsi_err.h, its messages those of
 * usr/iscsiadm.c, usr/discovery.c, usr/io.c and usr/session_mgmt.c.
 */
#ifndef PORTICO_INITIATOR_ISCSIADM_TEXT_H
#define PORTICO_INITIATOR_ISCSIADM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "initiator/adapt/iscsiadm.h"
#include "mpath/sm.h"

/* "portico-" and a NIC's name, NUL included (open-iscsi allows 64). */
#define IADM_IFACE_MAX (sizeof(IADM_IFACE_PREFIX) - 1 + MP_NIC_MAX)
#define IADM_ARGV_MAX 64
#define IADM_WHY_MAX 512

/* The exit statuses of iscsiadm: open-iscsi's enum iscsi_error_list (include/iscsi_err.h). */
enum iadm_exit_status {
	IADM_EXIT_SUCCESS = 0,
	IADM_EXIT_ERR = 1,
	IADM_EXIT_SESS_NOT_FOUND = 2,
	IADM_EXIT_NOMEM = 3,
	IADM_EXIT_TRANS = 4,
	IADM_EXIT_LOGIN = 5,
	IADM_EXIT_IDBM = 6,
	IADM_EXIT_INVAL = 7,
	IADM_EXIT_TRANS_TIMEOUT = 8,
	IADM_EXIT_INTERNAL = 9,
	IADM_EXIT_LOGOUT = 10,
	IADM_EXIT_PDU_TIMEOUT = 11,
	IADM_EXIT_TRANS_NOT_FOUND = 12,
	IADM_EXIT_ACCESS = 13,
	IADM_EXIT_TRANS_CAPS = 14,
	IADM_EXIT_SESS_EXISTS = 15,
	IADM_EXIT_INVALID_MGMT_REQ = 16,
	IADM_EXIT_ISNS_UNAVAILABLE = 17,
	IADM_EXIT_ISCSID_COMM_ERR = 18,
	IADM_EXIT_FATAL_LOGIN = 19,
	IADM_EXIT_ISCSID_NOTCONN = 20,
	IADM_EXIT_NO_OBJS_FOUND = 21,
	IADM_EXIT_SYSFS_LOOKUP = 22,
	IADM_EXIT_HOST_NOT_FOUND = 23,
	IADM_EXIT_LOGIN_AUTH_FAILED = 24,
	IADM_EXIT_ISNS_QUERY = 25,
	IADM_EXIT_ISNS_REG_FAILED = 26,
	IADM_EXIT_OP_NOT_SUPP = 27,
	IADM_EXIT_BUSY = 28,
	IADM_EXIT_AGAIN = 29,
	IADM_EXIT_UNKNOWN_DISCOVERY_TYPE = 30,
	IADM_EXIT_CHILD_TERMINATED = 31,
	IADM_EXIT_SESSION_NOT_CONNECTED = 32,
	IADM_EXIT_REQ_TIMEDOUT = 33,
};

/* One iscsiadm command line; an operation of the adapter runs a few of them in a row. */
enum iadm_cmd {
	IADM_CMD_IFACE_NEW,	  /* -m iface -I IFACE -o new */
	IADM_CMD_IFACE_BIND,	  /* -m iface -I IFACE -o update -n iface.net_ifacename -v NIC */
	IADM_CMD_DISCDB_NEW,	  /* -m discoverydb -t sendtargets -p ADDR -I IFACE -o new */
	IADM_CMD_DISCDB_CHAP,	  /* ... -o update, the discovery CHAP credentials */
	IADM_CMD_DISCDB_DISCOVER, /* ... --discover -o nonpersistent */
	IADM_CMD_DISCOVER,	  /* -m discovery -t sendtargets -p ADDR -I IFACE ... */
	IADM_CMD_NODE_NEW,	  /* -m node -T TARGET -p PORTAL,TPGT -I IFACE -o new */
	IADM_CMD_NODE_SET,	  /* ... -o update: startup, timeouts, session CHAP */
	IADM_CMD_LOGIN,		  /* ... --login */
	IADM_CMD_LOGOUT,	  /* -m node -T TARGET -p PORTAL -I IFACE --logout */
	IADM_CMD_NODE_DELETE,	  /* ... -o delete */
	IADM_CMD_RESCAN,	  /* -m session -r SID --rescan */
	IADM_CMD_COUNT,
};

/* What a command is about. The strings must outlive the argv built from them. */
struct iadm_subject {
	const char *prog;   /* the iscsiadm program */
	const char *iface;  /* "portico-eth1" */
	const char *nic;    /* "eth1" */
	const char *addr;   /* discovery address, "a.b.c.d:port" or "[v6]:port" */
	const char *target; /* IQN */
	const char *portal; /* "a.b.c.d:port" or "[v6]:port" */
	uint16_t tpgt;
	uint32_t sid;
	const struct iadm_conf *conf; /* CHAP credentials and node settings */
};

/* A command line: v[] is NULL-terminated; numbers and "portal,tpgt" live in the struct. */
struct iadm_argv {
	const char *v[IADM_ARGV_MAX + 1];
	size_t n;
	uint64_t secret; /* bit i: v[i] is a CHAP secret, never to be logged */
	char num[8][16];
	size_t nnum;
	char portal_tpgt[MP_PORTAL_MAX + 8];
};

/*
 * The command line of cmd about s into *out (which then points into s's
 * strings and into itself: do not copy it while in use). 0, or -E2BIG.
 */
int iadm_build(enum iadm_cmd cmd, const struct iadm_subject *s, struct iadm_argv *out);

/*
 * The command line as one line for the log: an argument made of other
 * characters than letters, digits and "-_.,:/=@%+[]" (or empty) in
 * single quotes, a secret as '********'. The length it needs (without the NUL),
 * as snprintf: it is cut to fit len.
 */
size_t iadm_argv_format(const struct iadm_argv *a, char *buf, size_t len);

/* What cmd does, for messages: "login", "SendTargets discovery". */
const char *iadm_cmd_what(enum iadm_cmd cmd);

/* How a run ended (from initiator/adapt/child.h's result). */
struct iadm_exit {
	int status;	/* exit status, or -1 */
	int signal;	/* the signal that ended it, or 0 */
	bool timed_out; /* killed at its timeout */
	unsigned int timeout_ms;
};

struct iadm_verdict {
	int err;	  /* 0: done; else -errno */
	bool auth_failed; /* the target refused our credentials (or this initiator) */
	char why[IADM_WHY_MAX]; /* when err: the reason, in an admin's words */
};

/*
 * What a run of cmd that ended as x, having printed out (len bytes, NUL
 * not needed), means. peer names the far end in the reason (the portal,
 * the discovery address). An exit status that is success for this
 * command (a session that exists at --login, none at --logout, an empty
 * SendTargets answer) is success; otherwise the clearest clue of the
 * output (a refused or timed-out connection, a missing kernel module)
 * comes before the exit status's meaning.
 */
void iadm_judge(enum iadm_cmd cmd, const struct iadm_exit *x, const char *out, size_t len,
		const char *peer, struct iadm_verdict *v);

/*
 * The SendTargets answer that discovery prints, one record a line
 * ("198.18.1.1:3260,1 iqn.2026-11.org.example:t1",
 * "[2001:db8::1]:3260,1 iqn...."), into entries (portals canonical, as
 * common/netaddr.h writes them). Other lines (iscsiadm's messages) are
 * passed over; repeats are dropped. A record that cannot be used (its
 * portal is a host name, not an address; its name is not an iSCSI name),
 * or finds no room past max, is counted in *skipped (may be NULL).
 * Returns how many entries it wrote.
 */
size_t iadm_disc_parse(const char *out, size_t len, struct mp_disc_entry *entries, size_t max,
		       size_t *skipped);

/* The lines of out: room enough for iadm_disc_parse(). */
size_t iadm_disc_lines(const char *out, size_t len);

/*
 * The output's last line worth showing: the last of iscsiadm's own
 * messages ("iscsiadm: ..."), or else the last line that is not blank.
 * Sets *line and returns its length (0 and "" when there is none).
 */
size_t iadm_last_line(const char *out, size_t len, const char **line);

/* Overwrites every copy of secret (when not empty) in buf[0..len) with '*'. */
void iadm_scrub(char *buf, size_t len, const char *secret);

#endif
