/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Asymmetric logical unit access (SPC-4 §5.16), as the rooms above the
 * engine see it: the target port groups of one SCSI target device and
 * their access states.
 *
 * In porticod a SCSI target device is an iSCSI target node, each of its
 * TPGs is one target port (relative target port identifier = the TPG's
 * tag), and each target port is alone in a target port group of the same
 * number (VPD page 83h says so). So "the ALUA state of TPG 2" is the state
 * of target port group 2, and every LU mapped through TPG 2 has it there.
 *
 * Who does what:
 *   - the object model owns one struct alua_tgt per target, keeps it while
 *     the target stays (a configuration change takes it over), and applies
 *     the configuration to it on the control thread (alua_tgt_apply):
 *     states the administrator changed become live, and ASYMMETRIC ACCESS
 *     STATE CHANGED goes to every I_T nexus of the LUs concerned;
 *   - a session's nexus holds a reference to its target's alua_tgt and
 *     points at the group of its own port (struct scsi_nexus);
 *   - the engine (alua.c) reads that group's state on every command (one
 *     atomic load), refuses what the state does not let through, answers
 *     REPORT TARGET PORT GROUPS and carries out SET TARGET PORT GROUPS
 *     (explicit transitions), after which the nexus's alua_changed tells
 *     whoever keeps the configuration.
 *
 * Threads: the groups' states are atomics; the membership (which LUs each
 * group shows) and every change are under the alua_tgt's mutex, taken by
 * alua_tgt_apply, SET TARGET PORT GROUPS and REPORT TARGET PORT GROUPS,
 * never by other commands. Lock order: the alua_tgt's, then an LU's.
 */
#ifndef PORTICO_TARGET_SCSI_ALUA_H
#define PORTICO_TARGET_SCSI_ALUA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/scsi_proto.h"

struct scsi_lu;
struct alua_tgt;
struct alua_group;

/* What alua_tgt_apply makes of one target port group. */
struct alua_group_conf {
	struct alua_group *group; /* alua_tgt_group(t, id, true) of the same t */
	/*
	 * The administrator's state (SCSI_ALUA_ACTIVE_OPTIMIZED,
	 * _ACTIVE_NON_OPTIMIZED, _STANDBY, _UNAVAILABLE, _TRANSITIONING) and
	 * preferred flag; taken only when set, else the live ones stay (a
	 * state SET TARGET PORT GROUPS gave is kept across other changes).
	 */
	uint8_t state;
	bool pref;
	bool set;
	bool explicit_ok; /* SET TARGET PORT GROUPS may change it and is taken through its port */
	/*
	 * The LUs mapped through its port: the array is handed over to the
	 * group, the LUs are not held (an LU's references count the sessions
	 * that use it). Whoever applies keeps them alive until it applies
	 * again: the model applies every change before it lets an LU go.
	 */
	struct scsi_lu **lus;
	size_t nlus;
};

/* A new target device without groups, one reference held. 0 or -ENOMEM. */
int alua_tgt_create(struct alua_tgt **out);
/* References, thread-safe: the last put frees the groups. */
void alua_tgt_get(struct alua_tgt *t);
void alua_tgt_put(struct alua_tgt *t);

/*
 * The group id of t, made (not present yet: alua_tgt_apply makes it so)
 * when create is set and it has none. A group lives as long as t: a
 * pointer to it is good while a reference to t is held. NULL when there is
 * none (or no memory for a new one).
 */
struct alua_group *alua_tgt_group(struct alua_tgt *t, uint16_t id, bool create);

/*
 * Makes the groups of confs[0..n) (distinct groups of t) what they say,
 * and every other group of t not present (it shows no LU and REPORT TARGET
 * PORT GROUPS leaves it out). A present group whose state or preferred
 * flag changes reports STATUS CODE "altered by implicit ALUA", and every
 * I_T nexus of t on each LU it shows, before or after, gets ASYMMETRIC
 * ACCESS STATE CHANGED (SPC-4 §5.16: after an implicit transition, every
 * I_T nexus). Takes over each conf's lus array (freed when replaced);
 * cannot fail. n 0: t shows nothing any more (a target going away).
 */
void alua_tgt_apply(struct alua_tgt *t, struct alua_group_conf *confs, size_t n);

/* A group's live values, thread-safe. */
uint16_t alua_group_id(const struct alua_group *g);
uint8_t alua_group_state(const struct alua_group *g);
bool alua_group_pref(const struct alua_group *g);

#endif
