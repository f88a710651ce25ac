/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the backstore room: the ownership state machine of one rbd
 * LU (rbd_owner.h) run on a thread of its own, over the lease's adapter
 * (struct bs_owner_ops: librados in rbd_lease.c, a fake in the unit
 * tests). The thread feeds the machine the time and what it hears, carries
 * out its actions one at a time, and publishes what the I/O path and the
 * SCSI engine read: whether writes may be submitted, the ALUA state, the
 * owner's name, and a short history of ownership events.
 */
#ifndef PORTICO_TARGET_BS_RBD_OWNER_RUN_H
#define PORTICO_TARGET_BS_RBD_OWNER_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/backstore/bs.h"
#include "target/backstore/rbd_member.h"
#include "target/backstore/rbd_owner.h"

/*
 * The lease's adapter. Every call may block (on the cluster), and is
 * made on the run's thread only, never two at once. 0 or -errno;
 * -ESHUTDOWN (librados's EBLOCKLISTED) from any of them fences this
 * gateway.
 */
struct bs_owner_ops {
	/*
	 * Takes the lease (an exclusive lock with the configured duration).
	 * 0: taken; prev_addr/prev_clean say who had it last and whether it
	 * let it go itself (prev_addr "" when nobody). -EBUSY: another holds
	 * it, holder its name when known.
	 */
	int (*acquire)(void *ctx, char prev_addr[BS_OWNER_ADDR_MAX + 1], bool *prev_clean,
		       char holder[BS_OWNER_NAME_MAX + 1]);
	/* Renews it (may-renew). -ENOENT or -EBUSY: it is not ours any more. */
	int (*renew)(void *ctx);
	/* Blocklists addr and returns once this client has the OSD map that carries it. */
	int (*fence)(void *ctx, const char *addr);
	/* Records this gateway (name, address) as the owner and notifies the group. */
	int (*publish)(void *ctx);
	/* Records a clean release to gateway to, unlocks, notifies the group. */
	int (*release)(void *ctx, const char *to);
	/* Notifies the group: move the LU to gateway to. */
	int (*ask_move)(void *ctx, const char *to);
	/*
	 * The group's membership (rbd_member.h); all four NULL: none (the
	 * member's write gate stays open). member_list reads every
	 * registration (at most max) into recs; member_renew writes self's
	 * and notifies "alive"; member_fence blocklists rec's address, waits
	 * for the OSD map, removes its registration (only that client's) and
	 * notifies "gone"; member_leave removes self's and notifies "left".
	 */
	int (*member_list)(void *ctx, struct bs_member_rec *recs, size_t max, size_t *n);
	int (*member_renew)(void *ctx, const struct bs_member_rec *self);
	int (*member_fence)(void *ctx, const struct bs_member_rec *rec);
	int (*member_leave)(void *ctx, const struct bs_member_rec *self);
};

struct bs_owner_run;

/*
 * Starts the machine for one LU: self and self_addr name this gateway;
 * changed(arg) runs (on the run's thread) after every ALUA change, the
 * owner's included. 0, -EINVAL (cfg or names) or -ENOMEM / -errno (the
 * thread). bs_owner_run_stop ends it.
 */
int bs_owner_run_start(const struct bs_owner_cfg *cfg, const char *self, const char *self_addr,
		       const struct bs_owner_ops *ops, void *ctx,
		       void (*changed)(void *arg), void *arg, struct bs_owner_run **out);

/* What another member said (HEARD, LEFT, GONE): an event for the membership machine. */
void bs_owner_run_post_member(struct bs_owner_run *r, enum bs_member_ev_type type,
			      const struct bs_member_rec *rec);

/* The watch was lost and set up again: read the group whole (what was missed?). */
void bs_owner_run_relist(struct bs_owner_run *r);

/*
 * The target port groups that show the LU on this gateway (tags[0..n),
 * any order, at most BS_MEMBER_TAGS): registered with the group at once.
 * -EINVAL for too many.
 */
int bs_owner_run_set_tags(struct bs_owner_run *r, const uint16_t *tags, size_t n);

/* The LU's port groups across the group (bs_member_tpgs), at most max. */
size_t bs_owner_run_tpgs(struct bs_owner_run *r, struct bs_member_tpg *out, size_t max);

/*
 * Stops the thread and frees r. An owner hands the lease back first
 * (release to nobody), so that a successor needs no fence.
 */
void bs_owner_run_stop(struct bs_owner_run *r);

/*
 * A move of the LU to gateway to, asked on this gateway (the shell's move;
 * SET TARGET PORT GROUPS: to is self): checked at once against the
 * machine's state and the group's live members (bs_owner_move_check's
 * answers: 0 asked, 1 nothing to do, -EINVAL, -ENOENT, -EBUSY,
 * -ESHUTDOWN), then carried out by the run's thread. -EAGAIN: the queue
 * is full.
 */
int bs_owner_run_move(struct bs_owner_run *r, const char *to);

/* What the group told us (a notify): an event for the machine. */
void bs_owner_run_post(struct bs_owner_run *r, enum bs_owner_ev_type type, const char *name);

/*
 * The I/O path's question, lock-free: may a write be submitted now? No
 * for an owner past its fence margin, a member past its own (or not yet
 * registered), or a gateway fenced out.
 */
bool bs_owner_run_may_write(const struct bs_owner_run *r);

/* The ALUA state of this gateway's port group for the LU (SCSI_ALUA_*), lock-free. */
uint8_t bs_owner_run_alua(const struct bs_owner_run *r);

/*
 * A copy of the state for display (bs_ops.owner): the owner's name, the
 * state's name, the ALUA state, the history (oldest first); group and
 * gateway are the caller's.
 */
void bs_owner_run_view(struct bs_owner_run *r, struct bs_owner_info *v);

/* Monotonic milliseconds, the clock of the machine and of the write gate. */
uint64_t bs_owner_clock_ms(void);

#endif
