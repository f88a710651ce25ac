/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The path manager's state machine (pure: no I/O, no clock, no logging).
 *
 * It is fed events (what the adapters saw: NICs, discovery answers, login
 * results, sessions, disks, device-mapper maps, results of the actions it
 * asked for) together with the time, and answers with actions (discover,
 * log in or out, create, reload or remove a map, fail or reinstate a path,
 * rescan, rewrite multipathd's drop-in). The daemon carries the actions out
 * through its adapters and feeds their results back as events. So every
 * story of the path manager (a portal that does not answer, a wrong CHAP
 * secret, a restart with maps in place, a LUN that appears) is a unit test
 * with a fake clock: tests/unit/mpath/sm_test.c.
 *
 * Objects, and their keys:
 *   nic      a storage NIC                        name ("eth1")
 *   target   a target seen in discovery           IQN, with its portals (address, TPG tag)
 *   link     one iSCSI session we want or have    (nic, portal, target)
 *   path     one SCSI disk of a link              (nic, portal, target, LUN)
 *   map      every path with one WWID             WWID; named by its alias or its WWID
 *
 * Every action carries copies of what it needs (names, devices), never a
 * pointer into the machine, so the daemon may run it after further events.
 * An action that has a result comes back as MP_EV_*_DONE with the same
 * keys; until then the machine does not ask for the same thing again.
 */
#ifndef PORTICO_MPATH_SM_H
#define PORTICO_MPATH_SM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/iscsi_name.h"

#define MP_NIC_MAX 16	      /* IFNAMSIZ */
#define MP_PORTAL_MAX 64      /* "[v6 address]:port" */
#define MP_TARGET_MAX (ISCSI_NAME_MAX + 1)
#define MP_WWID_MAX 128	      /* as multipath-tools' WWID_SIZE: the type digit, then the designator */
#define MP_MAP_NAME_MAX 128   /* a dm device name (DM_NAME_LEN) */
#define MP_DEV_MAX 32	      /* "sdab" */
#define MP_DEVT_MAX 24	      /* "65:160" */
#define MP_REASON_MAX 1024
#define MP_GROUPS_MAX 8	      /* path groups in one map */
#define MP_GROUP_PATHS_MAX 32 /* paths in one group */

/* ---- configuration the machine follows (from pathd.conf) ---- */

enum mp_selector {
	MP_SELECTOR_SERVICE_TIME, /* "service-time 0": the default, as multipathd's */
	MP_SELECTOR_ROUND_ROBIN,  /* "round-robin 0" */
	MP_SELECTOR_QUEUE_LENGTH, /* "queue-length 0" */
};

enum mp_grouping {
	MP_GROUPING_MULTIBUS, /* every path in one group: all carry I/O */
	MP_GROUPING_FAILOVER, /* one path per group: one carries I/O at a time */
};

enum mp_failback {
	MP_FAILBACK_IMMEDIATE,
	MP_FAILBACK_MANUAL,
	MP_FAILBACK_DELAYED, /* after failback_s seconds of good health */
};

struct mp_policy {
	enum mp_selector selector;
	enum mp_grouping grouping;
	enum mp_failback failback;
	uint32_t failback_s;
	uint32_t no_path_queue_s; /* I/O queues this long when every path is gone; then EIO */
	/* written into every session (open-iscsi node settings), read back to find drift */
	uint32_t replacement_timeout_s;
	uint32_t noop_out_interval_s;
	uint32_t noop_out_timeout_s;
	/*
	 * open-iscsi's login timeout, written into every node record: how
	 * long one connect and login may take, and so how soon a session that
	 * is reconnecting starts a new connect (mp_policy_default: why 2 s).
	 */
	uint32_t login_timeout_s;
	uint32_t discovery_interval_s; /* SendTargets again this often (new targets, portals) */
	uint32_t login_retry_s;	       /* first retry of a failed login; doubles up to 16 times */
	uint32_t settle_ms;	       /* a map's paths change: wait this long before dm acts */
	/*
	 * The path checker (TEST UNIT READY on every path in a map): every
	 * check_interval_s, growing on a healthy active path up to
	 * check_interval_max_s; a check unanswered in check_timeout_s fails
	 * the path. A silent path death costs at most max + timeout.
	 */
	uint32_t check_interval_s;
	uint32_t check_interval_max_s;
	uint32_t check_timeout_s;
	/*
	 * A path that failed marginal_failures times within marginal_window_s
	 * is marginal: back in service only after marginal_hold_s of good
	 * health (a flapping link would otherwise stall I/O at every flap).
	 */
	uint32_t marginal_failures;
	uint32_t marginal_window_s;
	uint32_t marginal_hold_s;
	/*
	 * Ask for CRC32C header and data digests (open-iscsi's node settings;
	 * a target without them answers None). mp_policy_default says why.
	 */
	bool digests;
};

void mp_policy_default(struct mp_policy *p);

struct mp_alias {
	char wwid[MP_WWID_MAX];
	char name[MP_MAP_NAME_MAX];
};

struct mp_config {
	char (*discovery)[MP_PORTAL_MAX]; /* discovery addresses, canonical "a.b.c.d:port" */
	size_t ndiscovery;
	char (*targets)[MP_TARGET_MAX]; /* targets to use; none: every target discovery shows */
	size_t ntargets;
	char (*nics)[MP_NIC_MAX]; /* storage NICs; none: the links whose routes reach the portals */
	size_t nnics;
	struct mp_alias *aliases;
	size_t naliases;
	struct mp_policy policy;
};

/* ---- events ---- */

enum mp_event_type {
	MP_EV_NIC,		/* a NIC's state (sent for each NIC at start and on every change) */
	MP_EV_NIC_GONE,		/* a NIC disappeared */
	MP_EV_ROUTES,		/* addresses or routes changed: which NICs reach what may have */
	MP_EV_NIC_PREPARED,	/* answer to MP_ACT_NIC_PREPARE */
	MP_EV_REACH,		/* which NICs reach an address (answer to MP_ACT_REACH) */
	MP_EV_DISCOVERY_DONE,	/* answer to MP_ACT_DISCOVER */
	MP_EV_LOGIN_DONE,	/* answer to MP_ACT_LOGIN */
	MP_EV_LOGOUT_DONE,	/* answer to MP_ACT_LOGOUT */
	MP_EV_SESSION,		/* a session exists (at start, or found by a scan) */
	MP_EV_SESSION_GONE,	/* a session ended */
	MP_EV_DISK,		/* a SCSI disk of a session appeared or changed */
	MP_EV_DISK_GONE,	/* a disk went away */
	MP_EV_MAP,		/* a multipath map in the kernel: its table and status (start, polls) */
	MP_EV_MAP_GONE,		/* a map we knew is not in the kernel any more */
	MP_EV_MAP_DONE,		/* answer to MP_ACT_MAP_CREATE/RELOAD/REMOVE/MESSAGE */
	MP_EV_PATH_DONE,	/* answer to MP_ACT_PATH_FAIL/REINSTATE */
	MP_EV_STARTED,		/* the start-up snapshot is complete: reconcile from now on */
	MP_EV_ADMIN_FAIL,	/* portico-path fail PATH */
	MP_EV_ADMIN_REINSTATE,	/* portico-path reinstate PATH */
	MP_EV_RECONFIGURE,	/* portico-path reconfigure: discover everything again, end holds */
	MP_EV_TEARDOWN,		/* portico-path teardown [WWID]: see mp_sm_feed() */
	MP_EV_CHECK_DONE,	/* answer to MP_ACT_CHECK */
	MP_EV_DISK_UA,		/* the kernel reported a unit attention of a disk (udev SDEV_UA) */
};

/* A storage NIC's state. */
struct mp_ev_nic {
	char name[MP_NIC_MAX];
	int ifindex;
	bool up;      /* administratively up (IFF_UP) */
	bool carrier; /* the link has carrier (IFF_LOWER_UP / operstate up) */
	bool has_addr; /* holds at least one address: it can be a source */
};

/* The NICs that reach addr by the longest matching route (or the configured NICs with any route). */
struct mp_ev_reach {
	char addr[MP_PORTAL_MAX];
	char (*nics)[MP_NIC_MAX];
	size_t nnics;
};

/* One target and portal that SendTargets named (RFC 7143 §12.1: TargetName, TargetAddress). */
struct mp_disc_entry {
	char target[MP_TARGET_MAX];
	char portal[MP_PORTAL_MAX];
	uint16_t tpgt;
};

struct mp_ev_discovery {
	char nic[MP_NIC_MAX];
	char addr[MP_PORTAL_MAX]; /* the discovery address asked */
	int err;		  /* 0, or -errno with reason */
	char reason[MP_REASON_MAX];
	struct mp_disc_entry *entries;
	size_t nentries;
};

/* A link: one session from one NIC to one portal of one target. */
struct mp_link_key {
	char nic[MP_NIC_MAX];
	char portal[MP_PORTAL_MAX];
	char target[MP_TARGET_MAX];
};

struct mp_ev_login {
	struct mp_link_key key;
	int err; /* 0: logged in; else -errno with reason */
	bool auth_failed; /* the target refused our credentials (a wrong CHAP secret) */
	char reason[MP_REASON_MAX];
};

struct mp_ev_session {
	struct mp_link_key key;
	uint32_t sid;	/* /sys/class/iscsi_session/session<sid> */
	bool logged_in; /* state LOGGED_IN, not FAILED/recovering */
	/* the timeouts the session runs with (sysfs), to report drift from the policy */
	int32_t recovery_tmo_s;
	int32_t noop_out_interval_s;
	int32_t noop_out_timeout_s;
};

/* A path's key: its link and LUN. */
struct mp_path_key {
	struct mp_link_key link;
	uint64_t lun;
};

struct mp_ev_disk {
	struct mp_path_key key;
	char dev[MP_DEV_MAX];	/* "sdb" */
	char devt[MP_DEVT_MAX]; /* "8:16": how a dm table names it */
	char wwid[MP_WWID_MAX]; /* "" when the disk has none, with why in reason */
	char reason[MP_REASON_MAX];
	uint64_t size; /* bytes */
	bool ready;    /* answers I/O (not offline, not blocked) */
	/*
	 * The port's asymmetric access state (SPC-4 §5.16) as the kernel's
	 * alua hardware handler shows it: device/access_state and
	 * device/preferred_path. alua false when the disk shows none (the
	 * target reports no target port groups, or no handler is attached):
	 * its map then has one group and no hardware handler, as before.
	 */
	bool alua;
	uint8_t alua_state; /* enum scsi_alua_state (common/scsi_proto.h) */
	bool alua_pref;	    /* the target's preferred port group (PREF, RTPG) */
};

/*
 * The hardware handler (scsi_dh) a map's table names: none, or alua for a
 * map whose paths show an asymmetric access state (then dm-multipath asks
 * the handler to activate a group it moves to: SET TARGET PORT GROUPS for
 * a standby one, where the target allows it). Read back,
 * it is what the kernel shows: the handler asked for, or one attached to
 * the paths already when they differ (mpath/dm_table.h, dmt_table_canon).
 */
enum mp_hw_handler {
	MP_HW_HANDLER_NONE, /* "0" */
	MP_HW_HANDLER_ALUA, /* "1 alua" */
};

/* A map's table as the machine thinks of it (mpath/map_spec.h turns it into dm table text). */
struct mp_map_spec {
	char name[MP_MAP_NAME_MAX];
	char wwid[MP_WWID_MAX];
	uint64_t sectors; /* 512-byte sectors */
	enum mp_selector selector;
	bool queue_if_no_path;
	enum mp_hw_handler hw_handler;
	size_t ngroups;
	struct mp_group_spec {
		size_t npaths;
		char devt[MP_GROUP_PATHS_MAX][MP_DEVT_MAX];
	} groups[MP_GROUPS_MAX];
};

/* What a NIC's preparation (iface record, sysctls) gave. */
struct mp_ev_nic_prepared {
	char nic[MP_NIC_MAX];
	int err;
	char reason[MP_REASON_MAX];
};

/* A map as the kernel has it: its table (read back) and its status. */
struct mp_ev_map {
	struct mp_map_spec spec; /* spec.wwid from the map's UUID ("mpath-WWID") */
	bool spec_ok;		 /* false: a table we cannot read (then it is reloaded) */
	uint32_t open_count;
	bool queueing; /* queue_if_no_path in effect (status) */
	/* the group dm-multipath uses, or will at the next I/O (status), 1-based; 0: none */
	unsigned int active_group;
	/* devices of the table that the kernel's status shows failed */
	char failed[MP_GROUPS_MAX * MP_GROUP_PATHS_MAX][MP_DEVT_MAX];
	size_t nfailed;
};

enum mp_map_op {
	MP_MAP_OP_CREATE,
	MP_MAP_OP_RELOAD,
	MP_MAP_OP_REMOVE,
	MP_MAP_OP_QUEUE,   /* message queue_if_no_path */
	MP_MAP_OP_NOQUEUE, /* message fail_if_no_path */
	MP_MAP_OP_SWITCH_GROUP, /* message switch_group N: failback */
};

struct mp_ev_map_done {
	enum mp_map_op op;
	char wwid[MP_WWID_MAX];
	int err;
	char reason[MP_REASON_MAX];
};

struct mp_ev_path_done {
	char wwid[MP_WWID_MAX];
	char devt[MP_DEVT_MAX];
	bool reinstate; /* false: fail */
	int err;
	char reason[MP_REASON_MAX];
};

/* What a path check found (MP_ACT_CHECK: TEST UNIT READY, and the WWID when asked). */
enum mp_check_result {
	MP_CHECK_UP,	    /* GOOD (and the WWID the same, when it was checked) */
	MP_CHECK_DOWN_LINK, /* no answer in time, or the transport failed: the session is dead */
	MP_CHECK_DOWN_LU,   /* the LU answered, but cannot do I/O (not ready, a hardware error) */
	MP_CHECK_LU_GONE,   /* LOGICAL UNIT NOT SUPPORTED: the target no longer maps this LUN */
	MP_CHECK_STANDBY,   /* an ALUA standby port: no I/O here until its group is activated */
	MP_CHECK_INACCESSIBLE, /* an ALUA unavailable, transitioning or offline port: no I/O */
	MP_CHECK_WWID_CHANGED, /* the LUN answers with another WWID: another LU behind the name */
	MP_CHECK_UNKNOWN,   /* not checked (the checker had no worker free): no news */
};

/* Unit attentions the machine acts on (SPC-4 Annex D, ASC/ASCQ), as bits. */
enum mp_ua {
	MP_UA_NONE = 0,
	MP_UA_LUNS_CHANGED = 1u << 0,	  /* 3Fh/0Eh REPORTED LUNS DATA HAS CHANGED: rescan the session */
	MP_UA_CAPACITY_CHANGED = 1u << 1, /* 2Ah/09h CAPACITY DATA HAS CHANGED: rescan its disks */
	MP_UA_ALUA_CHANGED = 1u << 2, /* 2Ah/06h ASYMMETRIC ACCESS STATE CHANGED: rescan its disks */
};

struct mp_ev_check {
	struct mp_path_key key;
	char devt[MP_DEVT_MAX]; /* the disk checked: a result for an older disk is stale */
	enum mp_check_result result;
	unsigned int ua; /* enum mp_ua bits: unit attentions the check met on its way */
	uint32_t took_ms;
	char reason[MP_REASON_MAX];
};

struct mp_ev_disk_ua {
	struct mp_path_key key;
	enum mp_ua ua;
};

/* portico-path fail/reinstate: a path by its device name ("sdb") or its path name. */
struct mp_ev_admin {
	char dev[MP_DEV_MAX];
};

struct mp_event {
	enum mp_event_type type;
	union {
		struct mp_ev_nic nic;
		char nic_gone[MP_NIC_MAX];
		struct mp_ev_nic_prepared prepared;
		struct mp_ev_reach reach;
		struct mp_ev_discovery discovery;
		struct mp_ev_login login;
		struct mp_link_key link; /* MP_EV_LOGOUT_DONE, MP_EV_SESSION_GONE */
		struct mp_ev_session session;
		struct mp_ev_disk disk;
		struct mp_path_key path; /* MP_EV_DISK_GONE */
		struct mp_ev_map map;
		char map_gone[MP_WWID_MAX];
		struct mp_ev_map_done map_done;
		struct mp_ev_path_done path_done;
		struct mp_ev_admin admin;
		char teardown[MP_WWID_MAX]; /* "" for every map */
		struct mp_ev_check check;
		struct mp_ev_disk_ua disk_ua;
	} u;
};

/* ---- actions ---- */

enum mp_action_type {
	MP_ACT_REACH,	      /* find the NICs that reach addr: answer MP_EV_REACH */
	MP_ACT_NIC_PREPARE,   /* its iface record, its sysctls: answer MP_EV_NIC_PREPARED */
	MP_ACT_DISCOVER,      /* SendTargets to addr through nic: answer MP_EV_DISCOVERY_DONE */
	MP_ACT_LOGIN,	      /* node record (timeouts, CHAP), then login: answer MP_EV_LOGIN_DONE */
	MP_ACT_LOGOUT,	      /* log out and delete the node record: answer MP_EV_LOGOUT_DONE */
	MP_ACT_RESCAN,	      /* rescan the session's LUNs */
	MP_ACT_MAP_CREATE,    /* answer MP_EV_MAP_DONE */
	MP_ACT_MAP_RELOAD,    /* answer MP_EV_MAP_DONE */
	MP_ACT_MAP_REMOVE,    /* deferred when open; answer MP_EV_MAP_DONE */
	MP_ACT_MAP_MESSAGE,   /* queue_if_no_path / fail_if_no_path / switch_group: answer MP_EV_MAP_DONE */
	MP_ACT_PATH_FAIL,     /* fail_path in the map: answer MP_EV_PATH_DONE */
	MP_ACT_PATH_REINSTATE, /* reinstate_path: answer MP_EV_PATH_DONE */
	MP_ACT_WWIDS,	      /* the WWIDs we own changed: rewrite multipathd's drop-in */
	MP_ACT_DISK_DELETE,   /* delete a disk from the SCSI layer (teardown); the scan sees it go */
	MP_ACT_CHECK,	      /* check a path (TEST UNIT READY, the WWID): answer MP_EV_CHECK_DONE */
	/*
	 * A session is dead (its NIC lost carrier, a check got no answer): fail
	 * its I/O now instead of at the NOP-Out timeout: recovery_tmo 0, then
	 * its TCP connection destroyed. No answer; the scan sees it fail.
	 */
	MP_ACT_KICK,
	MP_ACT_SESSION_TMO,   /* write a session's recovery_tmo: 0 (spare paths) or the policy's */
	MP_ACT_DISK_RESCAN,   /* rescan one disk (its size): the scan sees what changed */
};

struct mp_action {
	enum mp_action_type type;
	union {
		char addr[MP_PORTAL_MAX]; /* MP_ACT_REACH */
		char nic[MP_NIC_MAX];	  /* MP_ACT_NIC_PREPARE */
		struct {
			char nic[MP_NIC_MAX];
			char addr[MP_PORTAL_MAX];
		} discover;
		struct {
			struct mp_link_key key;
			uint16_t tpgt;
		} login;
		struct mp_link_key logout;
		uint32_t rescan_sid;
		struct mp_map_spec map; /* CREATE, RELOAD */
		struct {
			char wwid[MP_WWID_MAX];
			char name[MP_MAP_NAME_MAX];
			bool deferred; /* the map is open: remove it when it is closed */
		} remove;
		struct {
			enum mp_map_op op; /* MP_MAP_OP_QUEUE, _NOQUEUE or _SWITCH_GROUP */
			char wwid[MP_WWID_MAX];
			char name[MP_MAP_NAME_MAX];
			unsigned int group; /* _SWITCH_GROUP: 1-based */
		} message;
		struct {
			char wwid[MP_WWID_MAX];
			char name[MP_MAP_NAME_MAX];
			char devt[MP_DEVT_MAX];
			char dev[MP_DEV_MAX];
			char reason[MP_REASON_MAX]; /* why it is failed ("" for a reinstate) */
		} path;
		struct {
			char (*wwids)[MP_WWID_MAX]; /* owned by the action list */
			size_t n;
		} wwids;
		char disk[MP_DEV_MAX]; /* MP_ACT_DISK_DELETE, MP_ACT_DISK_RESCAN: "sdb" */
		struct {
			struct mp_path_key key;
			char dev[MP_DEV_MAX];
			char devt[MP_DEVT_MAX];
			char wwid[MP_WWID_MAX]; /* "": TEST UNIT READY only; else compare */
			uint32_t timeout_ms;
		} check;
		struct {
			struct mp_link_key key;
			uint32_t sid;
		} kick;
		struct {
			uint32_t sid;
			uint32_t recovery_tmo_s;
		} session_tmo;
	} u;
};

/* A growing list of actions; the machine appends, the caller runs and clears them. */
struct mp_actions {
	struct mp_action *a;
	size_t n, cap;
};

void mp_actions_init(struct mp_actions *acts);
/* Empties the list (frees what its actions own), keeping its memory. */
void mp_actions_clear(struct mp_actions *acts);
void mp_actions_fini(struct mp_actions *acts);

/* ---- the machine ---- */

struct mp_sm;

/* A new machine following cfg (copied). 0 or -ENOMEM. Destroy with mp_sm_destroy(). */
int mp_sm_create(const struct mp_config *cfg, struct mp_sm **out);
void mp_sm_destroy(struct mp_sm *sm);

/*
 * Replaces the configuration (reconfigure): links, maps and aliases follow
 * at the next reconcile, and discovery starts again. 0 or -ENOMEM.
 */
int mp_sm_set_config(struct mp_sm *sm, const struct mp_config *cfg, int64_t now_ms,
		     struct mp_actions *out);

/*
 * Feeds one event seen at now_ms (a monotonic clock in milliseconds), and
 * appends what to do to out. 0, or -ENOMEM (the event is then lost: the
 * periodic scans bring it back).
 *
 * Admin events may be refused, changing nothing: MP_EV_ADMIN_FAIL and
 * _REINSTATE with -ENOENT (no such path); MP_EV_TEARDOWN with -ENOENT (no
 * map of that WWID) or -EBUSY (the map, or for "" any map, is open).
 *
 * Teardown removes the map (or every map), then deletes its disks, then
 * logs out the sessions that carried only those LUNs (for "": every
 * session), in that order, and holds them: no map, no login, no discovery
 * (for "") until MP_EV_RECONFIGURE.
 */
int mp_sm_feed(struct mp_sm *sm, const struct mp_event *ev, int64_t now_ms,
	       struct mp_actions *out);

/* Runs what is due at now_ms (retries, settled maps, discovery). 0 or -ENOMEM. */
int mp_sm_tick(struct mp_sm *sm, int64_t now_ms, struct mp_actions *out);

/* When mp_sm_tick() next has something to do: a time in ms, or INT64_MAX. */
int64_t mp_sm_next_deadline(const struct mp_sm *sm);

/*
 * Whether something is changing that only a scan can show soon enough (a
 * session kicked or reconnecting, a NIC without carrier under sessions, a
 * path waiting to be reinstated): the daemon then scans sysfs and the maps
 * every few hundred ms instead of every scan_interval.
 */
bool mp_sm_watching(const struct mp_sm *sm);

/* ---- what the machine knows, for portico-path show ---- */

enum mp_link_state {
	MP_LINK_IDLE,	     /* wanted, no session, nothing in flight */
	MP_LINK_LOGGING_IN,  /* MP_ACT_LOGIN in flight */
	MP_LINK_UP,	     /* a session, logged in */
	MP_LINK_RECOVERING,  /* a session, not logged in (the initiator is reconnecting) */
	MP_LINK_FAILED,	     /* the last login failed: retry at retry_at */
	MP_LINK_NO_CARRIER,  /* wanted, but its NIC has no carrier */
	MP_LINK_LOGGING_OUT, /* not wanted any more: MP_ACT_LOGOUT in flight */
};

enum mp_path_state {
	MP_PATH_ACTIVE,	  /* in its map, carrying I/O */
	MP_PATH_FAILED,	  /* in its map, failed (by us or by the kernel) */
	MP_PATH_PENDING,  /* waiting for its map to be made or reloaded */
	MP_PATH_EXCLUDED, /* left out of any map: reason says why (teardown holds it, too) */
};

enum mp_map_state {
	MP_MAP_ABSENT,	 /* not in the kernel yet */
	MP_MAP_CREATING, /* MP_ACT_MAP_CREATE in flight */
	MP_MAP_READY,	 /* in the kernel with the table we want */
	MP_MAP_RELOADING,
	MP_MAP_REMOVING,
	MP_MAP_FAILED, /* the last dm call failed: retried at the next change or tick */
};

struct mp_link_view {
	struct mp_link_key key;
	uint16_t tpgt;
	enum mp_link_state state;
	uint32_t sid;
	unsigned int npaths;
	char reason[MP_REASON_MAX]; /* the last failure, "" */
	int64_t retry_at;	    /* MP_LINK_FAILED: the next login */
	bool drift;		    /* the session's timeouts differ from the policy */
};

struct mp_path_view {
	struct mp_path_key key;
	char dev[MP_DEV_MAX];
	char devt[MP_DEVT_MAX];
	char wwid[MP_WWID_MAX];
	uint64_t size;
	enum mp_path_state state;
	bool admin_failed; /* failed by portico-path fail */
	bool marginal;	   /* failed too often lately: held back until healthy for a while */
	char reason[MP_REASON_MAX]; /* excluded, failed or pending: why */
	int64_t checked_at;	    /* the last check's answer, 0: none yet */
	uint32_t check_ms;	    /* how long it took */
};

struct mp_map_view {
	char wwid[MP_WWID_MAX];
	char name[MP_MAP_NAME_MAX];
	uint64_t size; /* bytes */
	enum mp_map_state state;
	unsigned int npaths, nactive;
	uint32_t open_count;
	bool queueing;	     /* no usable path: I/O waits, for no_path_queue_s at most */
	int64_t queue_since; /* when the last usable path went */
	char reason[MP_REASON_MAX];
};

/* A problem worth a line in show status: a login that fails, a portal that does not answer, ... */
struct mp_condition {
	char object[MP_TARGET_MAX + MP_PORTAL_MAX + MP_NIC_MAX + 32];
	char text[MP_REASON_MAX];
	int64_t since;
};

/* Copies of the machine's objects, for show; each call returns how many there are. */
size_t mp_sm_links(const struct mp_sm *sm, struct mp_link_view *out, size_t max);
size_t mp_sm_paths(const struct mp_sm *sm, struct mp_path_view *out, size_t max);
size_t mp_sm_maps(const struct mp_sm *sm, struct mp_map_view *out, size_t max);
/* The problems worth a line in show status, as of now_ms. */
size_t mp_sm_conditions(const struct mp_sm *sm, int64_t now_ms, struct mp_condition *out,
			size_t max);
/* The storage NICs the machine uses, with their state. */
size_t mp_sm_nics(const struct mp_sm *sm, struct mp_ev_nic *out, size_t max);

/* Names, for logs and show. */
const char *mp_link_state_name(enum mp_link_state s);
const char *mp_path_state_name(enum mp_path_state s);
const char *mp_map_state_name(enum mp_map_state s);
const char *mp_selector_name(enum mp_selector s);

#endif
