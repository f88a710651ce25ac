/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The membership of an rbd LU's gateway group, as one gateway sees it: a
 * pure state machine beside the owner's (rbd_owner.h), fed events (what
 * the RADOS adapter did and heard) and the time (monotonic milliseconds),
 * returning actions. It does no I/O and reads no clock; every story is a
 * unit test on a fake clock (tests/unit/target/backstore/rbd_member_test.c).
 * docs/rbd.md, "Membership and fencing of followers", says why.
 *
 * Every gateway that serves the LU registers itself (its name, RADOS
 * client address and the target port groups that show the LU) and renews
 * that registration every renew_ms; each renewal is a write to the group's
 * object and a notify to the other members. A gateway that has not
 * renewed within fence_ms of its last successful renewal stops writing
 * (a follower serves writes too, so it must fence itself like an owner);
 * a member not heard from for lease_ms has lapsed; the lowest-named live
 * member then blocklists its address, waits for the OSD map, and removes
 * it from the group.
 */
#ifndef PORTICO_TARGET_BS_RBD_MEMBER_H
#define PORTICO_TARGET_BS_RBD_MEMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/backstore/rbd_owner.h"

/* Gateways one LU's group holds, and target port groups one gateway shows it through. */
#define BS_MEMBER_MAX 16
#define BS_MEMBER_TAGS 8

/* What a gateway registers. */
struct bs_member_rec {
	char name[BS_OWNER_NAME_MAX + 1];
	char addr[BS_OWNER_ADDR_MAX + 1]; /* as the blocklist takes it (bs_owner_addr_norm) */
	uint16_t tags[BS_MEMBER_TAGS];    /* target port groups (= relative port ids), ascending */
	size_t ntags;
};

enum bs_member_peer_state {
	BS_MEMBER_PEER_LIVE,   /* heard within lease_ms */
	BS_MEMBER_PEER_LAPSED, /* not heard for lease_ms: to be fenced, then removed */
};

struct bs_member_peer {
	struct bs_member_rec rec;
	enum bs_member_peer_state state;
	uint64_t heard; /* when last heard (our clock) */
};

enum bs_member_state {
	BS_MEMBER_STATE_JOINING,   /* registering: no writes yet (nobody could fence us) */
	BS_MEMBER_STATE_MEMBER,    /* registered and renewing */
	BS_MEMBER_STATE_SUSPENDED, /* no renewal succeeded within fence_ms: no writes */
	BS_MEMBER_STATE_FENCED,    /* blocklisted or removed by the group: serves nothing */
};

enum bs_member_ev_type {
	BS_MEMBER_EV_TICK,
	BS_MEMBER_EV_RENEW_DONE, /* err; sent_ms: our registration written and notified (join too) */
	BS_MEMBER_EV_LISTED,     /* err; recs[0..nrecs): the group's object read whole */
	BS_MEMBER_EV_HEARD,      /* rec: a member registered or renewed */
	BS_MEMBER_EV_LEFT,       /* rec (name, addr): a member left cleanly */
	BS_MEMBER_EV_GONE,       /* rec (name, addr): a member was fenced and removed */
	BS_MEMBER_EV_FENCE_DONE, /* err; rec: the member we fenced (blocklisted, removed) */
	BS_MEMBER_EV_BLOCKLISTED /* librados says this client is blocklisted */
};

struct bs_member_ev {
	enum bs_member_ev_type type;
	int err;
	uint64_t sent_ms;
	const struct bs_member_rec *rec;
	const struct bs_member_rec *recs;
	size_t nrecs;
};

enum bs_member_act {
	BS_MEMBER_ACT_RENEW = 1u << 0,       /* write our registration, notify "alive" */
	BS_MEMBER_ACT_LIST = 1u << 1,        /* read the group's object whole (start, watch lost) */
	BS_MEMBER_ACT_FENCE = 1u << 2,       /* blocklist fence.addr, wait for the map, remove, notify */
	BS_MEMBER_ACT_STOP_WRITES = 1u << 3, /* stop submitting writes (why says why) */
	BS_MEMBER_ACT_REPORT = 1u << 4,      /* the group's ports or states changed */
};

struct bs_member_out {
	unsigned acts;
	struct bs_member_rec fence; /* FENCE */
	const char *why;
};

struct bs_member {
	struct bs_owner_cfg cfg;
	enum bs_member_state state;
	struct bs_member_rec self;
	struct bs_member_peer peers[BS_MEMBER_MAX];
	size_t npeers;
	uint64_t now;
	uint64_t renew_base; /* when the last successful renewal was sent */
	uint64_t renew_due;
	bool busy;           /* one adapter request at a time */
	bool want_list;
	uint64_t retry_at;   /* fence or list: not before */
};

/*
 * Starts joining at now: the first actions are a LIST and a RENEW (one at
 * a time: LIST first). cfg checked (bs_owner_cfg_check). 0 or -EINVAL.
 */
int bs_member_init(struct bs_member *m, const struct bs_owner_cfg *cfg,
		   const struct bs_member_rec *self, uint64_t now, struct bs_member_out *out);

/* Feeds one event at now (never earlier than the last); out says what to do. */
void bs_member_step(struct bs_member *m, const struct bs_member_ev *ev, uint64_t now,
		    struct bs_member_out *out);

/* When to feed the next TICK. */
uint64_t bs_member_next(const struct bs_member *m);

/* Until when (exclusive) this gateway may submit writes as a member: 0 when it may not. */
uint64_t bs_member_write_until(const struct bs_member *m);

/*
 * This gateway's port groups changed (tags[0..n) ascending, n at most
 * BS_MEMBER_TAGS): registered again at once.
 */
void bs_member_set_tags(struct bs_member *m, const uint16_t *tags, size_t n,
			struct bs_member_out *out);

/* Asks for a LIST (the watch was lost and re-established: what did we miss?). */
void bs_member_relist(struct bs_member *m, struct bs_member_out *out);

const char *bs_member_state_name(enum bs_member_state s);

/* One target port group of the LU, as REPORT TARGET PORT GROUPS gives it on every gateway. */
struct bs_member_tpg {
	uint16_t id;
	uint8_t state; /* SCSI_ALUA_* */
	char gateway[BS_OWNER_NAME_MAX + 1];
};

/*
 * The LU's target port groups across the group, ascending by id: the
 * owner's (owner, "" when none is known) active/optimized, every other
 * live member's active/non-optimized, a lapsed member's unavailable; this
 * gateway's own with self_alua, the state its own machine serves by. A
 * tag two gateways both claim is listed once, the first by name. Returns
 * how many (at most max).
 */
size_t bs_member_tpgs(const struct bs_member *m, const char *owner, uint8_t self_alua,
		      struct bs_member_tpg *out, size_t max);

/* ---- the words in RADOS (pure) ---- */

/*
 * A registration as the group's object keeps it (the omap key is the
 * name): "ADDR TAG[,TAG...]". Built into buf (a length or -ENOSPC);
 * parsed from p[0..len): 0 or -EINVAL.
 */
int bs_member_value_build(char *buf, size_t size, const struct bs_member_rec *r);
int bs_member_value_parse(const char *p, size_t len, const char *name, struct bs_member_rec *r);

/*
 * The notifies on the group's object: "alive NAME ADDR TAGS", "left NAME
 * ADDR", "gone NAME ADDR". Built into buf (a length or -ENOSPC); parsed
 * into *type (HEARD, LEFT, GONE) and r: 0 or -EINVAL (not a member's word:
 * the owner's, or garbage).
 */
int bs_member_msg_build(char *buf, size_t size, enum bs_member_ev_type type,
			const struct bs_member_rec *r);
int bs_member_msg_parse(const char *p, size_t len, enum bs_member_ev_type *type,
			struct bs_member_rec *r);

#endif
