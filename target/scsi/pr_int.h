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

#endif
