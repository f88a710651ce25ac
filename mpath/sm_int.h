/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state machine's insides, shared by sm.c (NICs, discovery, links, the
 * event switch, views) and sm_map.c (paths, maps, their tables). Objects
 * live in arrays that grow with realloc: they refer to each other by key,
 * never by pointer.
 */
#ifndef PORTICO_MPATH_SM_INT_H
#define PORTICO_MPATH_SM_INT_H

#include <stdio.h>

#include "mpath/sm.h"

#define SM_COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

/* How long a logged-in session may show no LUN before status says so. */
#define SM_NO_LUN_GRACE_MS 5000
/* The longest wait between two logins that keep failing. */
#define SM_LOGIN_RETRY_MAX_MS (300 * 1000)
/* A kicked session still logged in after this long: the kick did not take; restore its timeout. */
#define SM_KICK_TAKE_MS 10000
/* Rescans asked by unit attentions of one session or LUN: at most one per this long. */
#define SM_UA_RESCAN_MS 1000
/* The path failures remembered for the marginal count. */
#define SM_FLAP_MAX 16

enum sm_nic_prep {
	SM_NIC_UNPREPARED,
	SM_NIC_PREPARING,
	SM_NIC_READY,
	SM_NIC_PREP_FAILED,
};

struct sm_nic {
	struct mp_ev_nic st;
	bool present; /* the kernel has it (MP_EV_NIC seen, no MP_EV_NIC_GONE since) */
	bool used;    /* some reach answer names it: a storage NIC */
	enum sm_nic_prep prep;
	int64_t prep_retry_at;
	char reason[MP_REASON_MAX];
};

/* The answer to "which NICs reach addr", kept until the NICs change. */
struct sm_reach {
	char addr[MP_PORTAL_MAX];
	bool asked; /* MP_ACT_REACH sent, no answer yet */
	bool known;
	char (*nics)[MP_NIC_MAX];
	size_t n;
};

struct sm_disc {
	char addr[MP_PORTAL_MAX];
	bool inflight;
	int64_t next_at;
	size_t rr; /* which reaching NIC to use next (another after a failure) */
	int err;
	char reason[MP_REASON_MAX];
	char nic[MP_NIC_MAX]; /* the NIC of the last attempt */
	int64_t failing_since;
	bool waiting; /* due, but waiting for a reach answer or a usable NIC (an event) */
	bool ok_once; /* answered once: a (target, portal) it does not name is gone */
};

/* A (target, portal) that a discovery address named. */
struct sm_tentry {
	struct mp_disc_entry e;
	char from[MP_PORTAL_MAX];
};

struct sm_link {
	struct mp_link_key key;
	uint16_t tpgt;
	enum mp_link_state state;
	bool wanted;
	bool have_session;
	bool logged_in;
	uint32_t sid;
	int64_t retry_at;
	unsigned int failures;
	bool auth_failed;
	char reason[MP_REASON_MAX];
	int64_t up_since;
	int32_t recovery_tmo_s, noop_interval_s, noop_timeout_s;
	int64_t failing_since;
	bool held; /* torn down: logged out once its disks are gone, not logged in again */
	/* failover (sm_health.c) */
	bool kick_due;	     /* a check through it got no answer: kick it */
	bool kicked;	     /* MP_ACT_KICK sent; its recovery_tmo to restore once back */
	bool kick_took;	     /* since the kick, the session was seen not logged in */
	int64_t kicked_at;
	uint32_t kicked_sid;
	int64_t rescan_at; /* the last rescan a unit attention asked */
	/*
	 * fast: every map it serves has another path that may carry I/O, so
	 * it runs with recovery_tmo 0 (sm_health.c, sm_session_tmos)
	 */
	bool fast;
};

struct sm_path {
	struct mp_path_key key;
	char dev[MP_DEV_MAX];
	char devt[MP_DEVT_MAX];
	char wwid[MP_WWID_MAX];
	char disk_reason[MP_REASON_MAX]; /* why the disk has no WWID */
	uint64_t size;
	bool ready;
	bool alua; /* the disk shows an asymmetric access state (mp_ev_disk) */
	uint8_t alua_state;
	bool alua_pref;
	/* set by the map pass */
	unsigned int rank; /* its group's place in an ALUA map, best first (sm_alua_rank) */
	bool excluded;
	char reason[MP_REASON_MAX];
	bool in_table;	    /* in its map's table as the kernel has it */
	bool kernel_failed; /* the kernel's status shows it failed */
	bool admin_failed;
	bool inflight; /* a fail/reinstate of it is under way */
	bool delete_sent; /* torn down: MP_ACT_DISK_DELETE asked */
	/* failover (sm_health.c) */
	enum sm_health { SM_HEALTH_UNKNOWN, SM_HEALTH_UP, SM_HEALTH_DOWN } health;
	char health_reason[MP_REASON_MAX]; /* DOWN: the check's reason */
	bool judged;	   /* a pass has judged it once */
	bool usable;	   /* the last pass's verdict: may carry I/O */
	char why[MP_REASON_MAX]; /* !usable: why */
	bool verified;	   /* checked with its WWID since it last could not carry I/O */
	bool lun_gone;	   /* the target answered LOGICAL UNIT NOT SUPPORTED */
	/*
	 * ALUA standby (its last check): kept in its map's lower group, usable,
	 * for dm-multipath to activate when it moves there. refused: the
	 * kernel failed it while standby (the activation did not take): not
	 * reinstated until its access state changes or a check passes.
	 */
	bool standby;
	bool standby_refused;
	bool check_inflight;
	int64_t next_check_at;
	uint32_t check_interval_ms; /* grows on a healthy active path */
	int64_t checked_at;
	uint32_t check_ms;
	int64_t healthy_since; /* usable since */
	int64_t fails[SM_FLAP_MAX]; /* when it last stopped being usable, newest first */
	bool marginal;
	int64_t rescan_at; /* the last disk rescan a unit attention asked */
};

struct sm_map {
	char wwid[MP_WWID_MAX];
	char name[MP_MAP_NAME_MAX];
	enum mp_map_state state;
	bool exists; /* in the kernel */
	bool owned;  /* ours: made by us, or holding paths of ours */
	struct mp_map_spec cur; /* the table the kernel has (exists) */
	bool cur_ok;
	struct mp_map_spec sent; /* the table of the create/reload in flight */
	uint32_t open_count;
	bool queueing;	 /* no usable path: I/O waits (since queue_since) */
	struct mp_map_spec want; /* the table wanted at the last pass */
	bool want_set;
	int64_t settle_at; /* when want has been still long enough; 0: not settling */
	int64_t retry_at;
	bool message_inflight;
	int64_t queue_since;
	/* failback (sm_map.c): the group dm-multipath uses, and since when a better one is usable */
	unsigned int active_group;
	int64_t better_since;
	unsigned int npaths, nactive;
	char reason[MP_REASON_MAX];
	int64_t failing_since;
};

struct mp_sm {
	struct mp_config cfg;
	bool started;
	struct sm_nic *nics;
	size_t nnics;
	struct sm_reach *reach;
	size_t nreach;
	struct sm_disc *disc;
	size_t ndisc;
	struct sm_tentry *tents;
	size_t ntents;
	struct sm_link *links;
	size_t nlinks;
	struct sm_path *paths;
	size_t npaths;
	struct sm_map *maps;
	size_t nmaps;
	char (*owned)[MP_WWID_MAX]; /* the WWIDs of the last MP_ACT_WWIDS */
	size_t nowned;
	bool owned_sent;
	/* teardown: every map (hold_all) or these WWIDs, until MP_EV_RECONFIGURE */
	bool hold_all;
	char (*held)[MP_WWID_MAX];
	size_t nheld;
};

/* Appends a zeroed element to *arr (n elements of size sz). NULL when out of memory. */
void *sm_grow(void *arr, size_t *n, size_t sz);
/* Removes element i of arr (n elements of size sz). */
void sm_remove(void *arr, size_t *n, size_t sz, size_t i);
/* Appends an action of type t to out; NULL when out of memory. */
struct mp_action *sm_act(struct mp_actions *out, enum mp_action_type t);

bool sm_link_key_equal(const struct mp_link_key *a, const struct mp_link_key *b);
struct sm_link *sm_find_link(struct mp_sm *sm, const struct mp_link_key *key);

/* sm_map.c */
struct sm_map *sm_find_map(struct mp_sm *sm, const char *wwid);
int sm_feed_disk(struct mp_sm *sm, const struct mp_ev_disk *d);
void sm_feed_disk_gone(struct mp_sm *sm, const struct mp_path_key *key);
int sm_feed_map(struct mp_sm *sm, const struct mp_ev_map *m, int64_t now);
void sm_feed_map_gone(struct mp_sm *sm, const char *wwid);
void sm_feed_map_done(struct mp_sm *sm, const struct mp_ev_map_done *d, int64_t now);
void sm_feed_path_done(struct mp_sm *sm, const struct mp_ev_path_done *d);
int sm_admin_path(struct mp_sm *sm, const char *dev, bool fail);
/* The map pass: exclusions, desired tables, dm actions, the no-path budget, WWIDs. */
int sm_maps_reconcile(struct mp_sm *sm, int64_t now, struct mp_actions *out);
int64_t sm_maps_deadline(const struct mp_sm *sm);
/* Whether a path of link is in a map that is open (a logout would take I/O away). */
bool sm_link_in_use(const struct mp_sm *sm, const struct mp_link_key *key);
/* sm_health.c: path health, checks, kicks, unit attentions. */
int sm_feed_check(struct mp_sm *sm, const struct mp_ev_check *ev, int64_t now,
		  struct mp_actions *out);
int sm_feed_disk_ua(struct mp_sm *sm, const struct mp_ev_disk_ua *ev, int64_t now,
		    struct mp_actions *out);
/* The health pass, before the maps': usable verdicts, kicks, checks, timeouts restored. */
int sm_health_reconcile(struct mp_sm *sm, int64_t now, struct mp_actions *out);
/* After the maps' pass: fail what may not carry I/O, reinstate what may. */
int sm_paths_reconcile(struct mp_sm *sm, int64_t now, struct mp_actions *out);
int64_t sm_health_deadline(const struct mp_sm *sm);
struct sm_nic *sm_find_nic(struct mp_sm *sm, const char *name);
struct sm_path *sm_find_path(struct mp_sm *sm, const struct mp_path_key *key);
bool sm_map_busy(const struct sm_map *m);

/* Whether teardown holds wwid. */
bool sm_held(const struct mp_sm *sm, const char *wwid);
/* MP_EV_TEARDOWN: 0, -ENOENT, -EBUSY. */
int sm_teardown(struct mp_sm *sm, const char *wwid);
unsigned int sm_link_npaths(const struct mp_sm *sm, const struct mp_link_key *key);

#endif
