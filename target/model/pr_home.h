/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Persistent reservations of an LU whose store is shared by several
 * gateways (an rbd image): the state's home is the store's shared home
 * (bs_ops.shared_open; for rbd a RADOS object, docs/rbd.md), not this
 * daemon's state_dir. pr_home.c joins the engine's struct pr_shared_ops
 * to the store's struct bs_shared_cbs.
 */
#ifndef PORTICO_TARGET_PR_HOME_H
#define PORTICO_TARGET_PR_HOME_H

#include "target/backstore/bs.h"
#include "target/scsi/scsi.h"

/* Whether dev's kind keeps shared state with its data. */
bool pr_home_wanted(const struct bs_dev *dev);

/*
 * At LU creation, before any nexus attaches: opens the home (creating it
 * with an empty state when no gateway has yet), reads its state into lu,
 * and makes every PERSISTENT RESERVE OUT of lu go through it. The home
 * closes with the LU. 0 or -errno (lu unchanged).
 */
int pr_home_attach(struct scsi_lu *lu, struct bs_dev *dev);

#endif
