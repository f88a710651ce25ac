/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One owner per rbd LU across a gateway group: the lease, takeover and
 * self-fencing logic of one LU on one gateway, as a pure state machine.
 * It is fed events (what the RADOS adapter heard, what the administrator
 * or an initiator asked) and the time (monotonic milliseconds), and
 * returns actions for the adapter to carry out (acquire or renew the
 * lease, blocklist the previous owner, publish, release, stop writes,
 * announce an ALUA change). It does no I/O and never reads a clock, so
 * every failover story is a unit test with a fake clock
 * (tests/unit/target/backstore/rbd_owner_test.c). docs/rbd.md, "Gateway
 * groups", says why it works the way it does.
 *
 * The lease is librados's advisory exclusive lock with a duration on a
 * per-image object. Times are this gateway's: a renewal is counted from
 * when it was sent (the OSD starts its own count later, never earlier),
 * so "the lease still holds" is never believed longer than it does,
 * whatever the clocks of the machines say, as long as they tick at the
 * same rate.
 */
#ifndef PORTICO_TARGET_BS_RBD_OWNER_H
#define PORTICO_TARGET_BS_RBD_OWNER_H

#include <stdbool.h>
#include <stdint.h>

/* A gateway's name in its group (porticod.conf's gateway_name). */
#define BS_OWNER_NAME_MAX 63
/* A RADOS client address as rados_getaddrs gives it ("[v2:127.0.0.1:0/123,v1:...]"). */
#define BS_OWNER_ADDR_MAX 255

/* Defaults (docs/rbd.md, "Lease timing"). */
#define BS_OWNER_LEASE_MS 15000u
#define BS_OWNER_RENEW_MS 5000u

struct bs_owner_cfg {
	uint32_t lease_ms; /* the lock's duration */
	uint32_t renew_ms; /* the owner renews, a follower tries to acquire, this often */
	/*
	 * The owner stops submitting writes this long after it sent the last
	 * renewal that succeeded, unless a later one succeeds first: two
	 * thirds of the lease, so that the last write it submitted has a
	 * third of the lease to reach the OSDs before anyone may take over.
	 */
	uint32_t fence_ms;
};

/* Fills in the defaults for 0s; -EINVAL when renew_ms < fence_ms < lease_ms does not hold. */
int bs_owner_cfg_check(struct bs_owner_cfg *cfg);

enum bs_owner_state {
	BS_OWNER_STATE_FOLLOWER,   /* another gateway owns it (or nobody yet): active/non-optimized */
	BS_OWNER_STATE_ACQUIRING,  /* asked for the lease */
	BS_OWNER_STATE_FENCING,    /* lease held; blocklisting the previous owner first */
	BS_OWNER_STATE_PUBLISHING, /* lease held, previous owner fenced; recording us as owner */
	BS_OWNER_STATE_OWNER,      /* active/optimized */
	BS_OWNER_STATE_SUSPENDED,  /* owner whose renewals failed past fence_ms: no writes */
	BS_OWNER_STATE_RELEASING,  /* explicit handover under way */
	BS_OWNER_STATE_FENCED_OUT, /* lease lost or blocklisted: serves nothing */
};

enum bs_owner_ev_type {
	BS_OWNER_EV_TICK,          /* time passed (next_ms reached) */
	BS_OWNER_EV_ACQUIRED,      /* lease ours; prev_addr/prev_clean: the record found */
	BS_OWNER_EV_BUSY,          /* another holds the lease: name (may be empty) */
	BS_OWNER_EV_ACQUIRE_ERR,   /* err: acquiring failed otherwise */
	BS_OWNER_EV_FENCE_DONE,    /* err: prev_addr blocklisted and the OSD map carrying it seen */
	BS_OWNER_EV_PUBLISH_DONE,  /* err: our record written, the group notified */
	BS_OWNER_EV_RENEW_DONE,    /* err; sent_ms: when the renewal was sent */
	BS_OWNER_EV_RELEASE_DONE,  /* err */
	BS_OWNER_EV_MOVE,          /* the group says: ownership to gateway name (a notify) */
	BS_OWNER_EV_MOVE_REQ,      /* asked here: ownership to gateway name (live: a member) */
	BS_OWNER_EV_OWNER_CHANGED, /* the group says name now owns it */
	BS_OWNER_EV_IO,            /* I/O arrived here: never moves ownership */
	BS_OWNER_EV_BLOCKLISTED,   /* librados said this client is blocklisted */
};

struct bs_owner_ev {
	enum bs_owner_ev_type type;
	int err;                 /* 0 or -errno */
	uint64_t sent_ms;        /* RENEW_DONE */
	const char *name;        /* BUSY, MOVE, OWNER_CHANGED */
	const char *prev_addr;   /* ACQUIRED: the last owner's address, "" or NULL when none */
	bool prev_clean;         /* ACQUIRED: it released the lease itself */
	bool live;               /* MOVE_REQ: name is a live member of the group (or self) */
};

enum bs_owner_act {
	BS_OWNER_ACT_ACQUIRE = 1u << 0,     /* try to take the lease */
	BS_OWNER_ACT_RENEW = 1u << 1,       /* renew the lease (may-renew) */
	BS_OWNER_ACT_FENCE = 1u << 2,       /* blocklist fence_addr, wait for the map */
	BS_OWNER_ACT_PUBLISH = 1u << 3,     /* record us (name, address) as owner, notify */
	BS_OWNER_ACT_RELEASE = 1u << 4,     /* record a clean release to move_to, unlock, notify */
	BS_OWNER_ACT_ASK_MOVE = 1u << 5,    /* notify the group: move it to move_to */
	BS_OWNER_ACT_STOP_WRITES = 1u << 6, /* stop submitting writes now (and log why) */
	BS_OWNER_ACT_REPORT = 1u << 7,      /* ALUA states changed: ASYMMETRIC ACCESS STATE CHANGED */
};

struct bs_owner_out {
	unsigned acts;                         /* enum bs_owner_act bits */
	char fence_addr[BS_OWNER_ADDR_MAX + 1]; /* FENCE */
	char move_to[BS_OWNER_NAME_MAX + 1];    /* RELEASE, ASK_MOVE */
	const char *why;                        /* STOP_WRITES, and any state change: for the log */
	int result;                             /* MOVE_REQ: bs_owner_move_check's answer */
};

/* One LU on one gateway. Embedded; no resources. */
struct bs_owner {
	struct bs_owner_cfg cfg;
	enum bs_owner_state state;
	char self[BS_OWNER_NAME_MAX + 1];
	char self_addr[BS_OWNER_ADDR_MAX + 1];
	char owner[BS_OWNER_NAME_MAX + 1]; /* who owns it as far as we know; "" unknown */
	char fence_addr[BS_OWNER_ADDR_MAX + 1];
	char move_to[BS_OWNER_NAME_MAX + 1]; /* releasing: to whom; follower held off: for whom */
	uint64_t now;            /* the latest time fed */
	uint64_t next_try;       /* follower: the next try to acquire */
	uint64_t hold_off_until; /* follower: no try before (a handover to another is under way) */
	uint64_t acquire_sent;   /* when the pending acquire was sent */
	uint64_t lease_base;     /* lease held: when the last successful renewal (or the acquire) was sent */
	uint64_t renew_due;      /* lease held: the next renewal */
	uint64_t renew_sent;
	uint64_t retry_at;       /* fence, publish, release: not before */
	bool phase_sent;         /* the fence, publish or release of this state was asked */
	bool busy;               /* one adapter request at a time */
	bool want;               /* an explicit move to us was asked: ignore the hold-off */
	uint64_t want_at;        /* when: a move not granted within two leases is given up */
	char reported_owner[BS_OWNER_NAME_MAX + 1];
	uint8_t alua;          /* the state last reported */
};

/*
 * Starts as a follower at now: its first action is a try to acquire. cfg
 * checked by bs_owner_cfg_check; self and self_addr: this gateway's name
 * and RADOS client address. 0 or -EINVAL (a name or address too long).
 */
int bs_owner_init(struct bs_owner *o, const struct bs_owner_cfg *cfg, const char *self,
		  const char *self_addr, uint64_t now, struct bs_owner_out *out);

/*
 * Feeds one event at now (never earlier than the last now fed): out says
 * what to do. An adapter request (ACQUIRE, RENEW, FENCE, PUBLISH, RELEASE)
 * is asked only when none is outstanding, and its answer is the matching
 * _DONE/ACQUIRED/BUSY/ACQUIRE_ERR event.
 */
void bs_owner_step(struct bs_owner *o, const struct bs_owner_ev *ev, uint64_t now,
		   struct bs_owner_out *out);

/*
 * Whether a move of the LU to gateway to, asked here (a shell's move, or
 * SET TARGET PORT GROUPS on this gateway's port: to is self), would be
 * carried out from the state o is in; live says whether to is a live
 * member of the group (the membership's word; the machine does not know
 * the members). A MOVE_REQ event answers the same in out->result, and
 * changes nothing unless it is 0.
 *   0            asked: the owner hands over (from here, or through a notify)
 *   1            nothing to do: to owns it already, or a move to it is under way
 *   -EINVAL      no name, or one too long
 *   -ENOENT      to is not a live member of the group
 *   -EBUSY       another move or a takeover is under way (o->move_to says to whom)
 *   -ESHUTDOWN   this gateway is fenced out: it cannot speak for the group
 */
int bs_owner_move_check(const struct bs_owner *o, const char *to, bool live);

/* When to feed the next TICK (a monotonic millisecond time). */
uint64_t bs_owner_next(const struct bs_owner *o);

/*
 * Until when (exclusive, monotonic ms) this gateway may submit writes to
 * the image: UINT64_MAX for a follower (it serves writes as a non-owner),
 * the fence deadline for the owner, 0 when fenced. The I/O path compares
 * it with the clock itself, so writes stop in time even if the adapter's
 * thread is stuck in a call.
 */
uint64_t bs_owner_write_until(const struct bs_owner *o);

/*
 * The ALUA state this gateway's target port group has for the LU
 * (SCSI_ALUA_*): active/optimized for the owner, active/non-optimized for
 * a follower, transitioning while taking over, handing over or suspended,
 * unavailable when fenced out.
 */
uint8_t bs_owner_alua(const struct bs_owner *o);

const char *bs_owner_state_name(enum bs_owner_state s);

/* ---- the lease's words in RADOS (pure; the adapter is rbd_lease.c) ---- */

/*
 * A client address as the blocklist takes it ("127.0.0.1:0/3710147553")
 * from what rados_getaddrs gives: a vector in brackets, each address with
 * its type ("[v2:127.0.0.1:0/3710147553,v1:...]", "any:..."); the first
 * is taken, its type dropped. 0, or -EINVAL (empty, or too long for out).
 */
int bs_owner_addr_norm(const char *in, char out[BS_OWNER_ADDR_MAX + 1]);

/*
 * The owner's record kept with the lease ("held NAME ADDR" or "clean NAME
 * ADDR"): who had it last, and whether it let it go itself. Built into
 * buf (a length, or -ENOSPC); parsed from p[0..len) (not NUL-terminated):
 * 0 or -EINVAL.
 */
int bs_owner_record_build(char *buf, size_t size, bool clean, const char *name, const char *addr);
int bs_owner_record_parse(const char *p, size_t len, bool *clean, char name[BS_OWNER_NAME_MAX + 1],
			  char addr[BS_OWNER_ADDR_MAX + 1]);

/*
 * What gateways tell each other through a notify on the lease object:
 * "owner NAME" (NAME published itself as owner: BS_OWNER_EV_OWNER_CHANGED)
 * or "move NAME" (an explicit transition to NAME: BS_OWNER_EV_MOVE). 0 or
 * -EINVAL for anything else.
 */
int bs_owner_msg_parse(const char *p, size_t len, enum bs_owner_ev_type *type,
		       char name[BS_OWNER_NAME_MAX + 1]);

#endif
