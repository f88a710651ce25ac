/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sanitize store: "<state_dir>/sanitize/<serial>" exists while a
 * SANITIZE runs on that LU or after one failed (SBC-3 §4.32.1), so that an
 * LU whose sanitize was cut short by the end of porticod (a crash, a
 * kill -9, a power loss) comes back in the failed state instead of with
 * some of its blocks overwritten and nothing said. The file holds
 * "ause=0" or "ause=1": whether EXIT FAILURE MODE may end that state.
 */
#ifndef PORTICO_TARGET_MODEL_SANITIZE_STORE_H
#define PORTICO_TARGET_MODEL_SANITIZE_STORE_H

#include "target/scsi/scsi.h"

/*
 * At LU creation, before any nexus attaches: puts lu in the failed state
 * when its file exists, and makes lu record there from now on. Without a
 * state_dir nothing is kept (0). 0, or -ENOMEM / -EINVAL (a path too
 * long); lu unchanged then. A serial is written into the file name with
 * every byte but [A-Za-z0-9._-] as %XX.
 */
int sanitize_store_attach(struct scsi_lu *lu, const char *state_dir, const char *serial);

#endif
