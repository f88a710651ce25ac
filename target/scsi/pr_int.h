/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the persistent reservation files: pr.c (the service actions)
 * and pr_blob.c (the state as a blob, pr.h). Everything here is used under
 * the LU's lu->pr.lock, or on state no nexus sees yet.
 */
#ifndef PORTICO_TARGET_SCSI_PR_INT_H
#define PORTICO_TARGET_SCSI_PR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/scsi/scsi_int.h"

#define PR_NAME_MAX 255

/* The outcome of a persistent reserve service action before it reaches the command. */
enum pr_verdict {
	PR_GOOD,
	PR_CONFLICT, /* RESERVATION CONFLICT status, no sense data */
	PR_CHECK,    /* CHECK CONDITION with pr_ctx.sense */
};

/* A PERSISTENT RESERVE OUT in progress, under the lock (or on a shared state's scratch copy). */
struct pr_ctx {
	struct scsi_cmd *cmd;
	struct scsi_lu *lu;
	struct scsi_pr *pr;
	const char *name; /* the command's I_T nexus */
	uint16_t rtpi;
	struct pr_reg *self; /* its registration, or NULL */
	uint64_t key;	     /* RESERVATION KEY */
	uint64_t sa_key;     /* SERVICE ACTION RESERVATION KEY */
	bool aptpl;
	bool all_tg_pt;
	bool changed; /* the state changed: refresh the nexuses, save */
	enum sense_reason sense;
	struct scsi_abort *abort; /* PREEMPT AND ABORT: the preempted nexuses' tasks go */
	/* REGISTER with SPEC_I_PT: the I_T nexuses named; REGISTER AND MOVE: the destination */
	struct pr_tid *tids;
	size_t ntids;
	size_t *tid_off; /* where each TransportID starts in the parameter data */
	uint16_t move_rtpi;
	bool unreg;
	/* a shared state (pr_shared.c): effects are recorded here, not applied; NULL else */
	struct pr_events *ev;
	bool ev_abort; /* PREEMPT AND ABORT on a shared state: preempted nexuses lose their tasks */
};


/* One registration: an I_T nexus (or, with ALL_TG_PT, every nexus of an initiator port). */
struct pr_reg {
	struct list_head node; /* in scsi_pr.regs */
	uint64_t key;
	uint16_t rtpi;
	bool all_tg_pt;
	/*
	 * name is an iSCSI name alone (a SPEC_I_PT TransportID of format 00b):
	 * the registration covers every initiator port of that device, every
	 * ISID, logged in or not yet.
	 */
	bool device;
	char name[]; /* NUL-terminated, at most PR_NAME_MAX bytes */
};

/* Types (SPC-4 §6.15.3.4): one this device server has, an all registrants one. */
bool pr_type_valid(uint8_t type);
bool pr_type_all_regs(uint8_t type);

/* A new registration (not in any list), or NULL without memory. */
struct pr_reg *pr_reg_new(const char *name, uint16_t rtpi, bool all_tg_pt, bool device,
			  uint64_t key);
/* Whether a registration of (name, device, rtpi, all_tg_pt) and reg would cover a common I_T nexus.
 */
bool pr_regs_overlap(const char *name, bool device, uint16_t rtpi, bool all_tg_pt,
		     const struct pr_reg *reg);
/* Drops every registration and the reservation. */
void pr_clear_regs(struct scsi_pr *pr);

/* The blob of pr's state (format in pr.h) into a new *out. 0 or -ENOMEM. */
int pr_encode(const struct scsi_pr *pr, uint8_t **out, size_t *outlen);

/*
 * Effects of a change on a shared state (pr_shared.c), recorded while the
 * service action runs on a scratch copy, applied by every gateway once the
 * change is committed. Each record (big-endian):
 *   0 4 unit attention bits (enum scsi_ua)   4 1 flags: bit 0 ALL_TG_PT,
 *   bit 1 DEVICE, bit 2 abort the tasks     5 2 relative target port id
 *   7 1 name length L                        8 L the registration's name
 */
struct pr_events {
	uint8_t *p;
	size_t len, cap;
	int err; /* -ENOMEM once a record could not be added */
};

void pr_events_add(struct pr_events *ev, const struct pr_reg *reg, uint32_t ua, bool abort);
/* Runs c's service action on c->pr, c->self already found (pr.c). */
enum pr_verdict pr_run_action(struct pr_ctx *c);
/* The registration that covers the I_T nexus (name, rtpi), or NULL. */
struct pr_reg *pr_find(const struct scsi_pr *pr, const char *name, uint16_t rtpi);
bool pr_reg_is(const struct pr_reg *reg, const char *name, uint16_t rtpi);
/* Recomputes every attached nexus's pr_deny; lu->pr.lock held. */
void pr_refresh_locked(struct scsi_lu *lu);
/* Bounded decode of a blob (pr.h) into st (st->regs initialised, empty). 0, -EINVAL, -ENOMEM. */
int pr_decode_blob(const uint8_t *p, size_t len, struct scsi_pr *st);
/* PERSISTENT RESERVE OUT on an LU with a shared state (pr_shared.c); takes c->tids, c->tid_off. */
enum scsi_exec_result pr_shared_submit(struct pr_ctx *c);

#endif
