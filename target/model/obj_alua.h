/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model's targets and the ALUA state they serve (target/scsi/alua.h):
 * each target of an opened model holds an alua_tgt, the same one from
 * model to model while the target stays, so that sessions keep their
 * groups and the live states (those SET TARGET PORT GROUPS gave too)
 * survive every configuration change.
 *
 * What the administrator configures wins where it changes: a TPG's alua
 * state or preferred flag that differs from the model being replaced is
 * applied (and announced: ASYMMETRIC ACCESS STATE CHANGED); one that does
 * not keeps the live value. For that to hold, the control thread copies
 * the live values into the served model (obj_alua_pull) before it builds
 * a change from it, shows it or saves it.
 */
#ifndef PORTICO_TARGET_OBJ_ALUA_H
#define PORTICO_TARGET_OBJ_ALUA_H

#include <stdbool.h>

#include "target/model/obj.h"

/*
 * Gives every target of m (its backstores open) its alua_tgt: that of the
 * same target in old (served now; may be NULL), else a new one, and makes
 * its groups what m's TPGs say (alua_tgt_apply): each TPG's state and
 * preferred flag where they differ from old's TPG of the same tag (or it
 * has none), its explicit flag, and the LUs its LUNs show. Then m holds
 * the live values. 0, or -ENOMEM with nothing applied (the targets'
 * alua_tgts go with m).
 */
int obj_alua_open(struct obj_model *m, const struct obj_model *old);

/* Copies the live state and preferred flag of every TPG into m; whether any changed. */
bool obj_alua_pull(struct obj_model *m);

#endif
