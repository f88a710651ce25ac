/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * porticod.conf -> struct obj_model, in two phases so that the parse can be
 * tested without devices: config_parse() reads and validates (no backstore
 * is opened), config_open() opens the backstores and creates their LUs.
 * docs/configuration.md is the reference of every setting.
 */
#ifndef PORTICO_TARGET_CONFIG_H
#define PORTICO_TARGET_CONFIG_H

#include "common/cfg.h"
#include "target/obj.h"
#include "target/scsi/scsi.h"

#define CONFIG_DEFAULT_PATH "/etc/portico/porticod.conf"
#define CONFIG_DEFAULT_CONTROL_SOCKET "/run/portico/porticod.sock"
#define CONFIG_IO_THREADS_MAX 1024

/*
 * Reads and validates path into a new model (no backstore opened). 0, or
 * -EINVAL (-ENOENT, -EACCES, ... when the file cannot be read) with err->msg
 * "FILE:LINE: what to fix". The caller frees *out with obj_model_free().
 */
int config_parse(const char *path, struct obj_model **out, struct cfg_err *err);

/* Same from a string (tests). The model's path is empty. */
int config_parse_string(const char *text, struct obj_model **out, struct cfg_err *err);

/*
 * Opens every backstore (bs_open) and creates its LU (scsi_lu_create). On
 * failure closes what it opened (the model is then as config_parse left
 * it) and names the backstore's configuration line in err. 0 or -errno.
 */
int config_open(struct obj_model *m, struct cfg_err *err);

/* config_parse() + config_open(). On failure *out is NULL. */
int config_load(const char *path, struct obj_model **out, struct cfg_err *err);

/*
 * The identity a backstore gets when its configuration pins none:
 * SHA-256(machine_id "\n" name); serial = the first 16 hex digits of the
 * hash, NAA = 3h (locally assigned) followed by the 60 low bits of hash bytes
 * 8..15. Also fills vendor, product and revision. 0 or -EIO (libcrypto).
 */
int config_lu_id_derive(const char *machine_id, const char *name, struct scsi_lu_id *id);

/*
 * The machine identity the derivation uses: the first line of
 * /etc/machine-id, else the host name. 0 or -errno.
 */
int config_machine_id(char *buf, size_t len);

#endif
