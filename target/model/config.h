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
#include "target/model/obj.h"
#include "target/scsi/scsi.h"

#define CONFIG_DEFAULT_PATH "/etc/portico/porticod.conf"
#define CONFIG_DEFAULT_CONTROL_SOCKET "/run/portico/porticod.sock"
#define CONFIG_IO_THREADS_MAX OBJ_IO_THREADS_MAX

/* A size as the file writes it: "20G" when a unit divides it exactly, else the bytes. */
void config_size_text(uint64_t size, char *buf, size_t len);

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

/*
 * config_open(), except that a backstore the same as one of old (served
 * now: same name, kind, path, identity and open settings) takes over its
 * open store and LU, with a reference of its own; old is not changed. For
 * changes while porticod runs: sessions keep their nexuses to the LUs that
 * stay. old may be NULL.
 */
int config_open_reuse(struct obj_model *m, const struct obj_model *old, struct cfg_err *err);

/*
 * The two halves of config_save and config_parse, for changes made while
 * porticod runs (target/ctl_ops.c): config_build() fills cfg (freshly
 * initialised) with m, as config_save would write it; config_parse_cfg()
 * reads a libconfig tree as config_parse() reads a file (path is recorded
 * as the model's path). Both return 0 or -errno (err filled by the parse).
 */
int config_build(const struct obj_model *m, config_t *cfg);
int config_parse_cfg(config_t *cfg, const char *path, struct obj_model **out,
		     struct cfg_err *err);

struct lio_notes;

/*
 * restoreconfig's reader: config_parse() of path, or, when path is
 * targetcli's saveconfig.json (a JSON object), lio_import() of it read by
 * config_parse_cfg(); *lio says which, and notes gets the import's lines
 * (the caller frees them with lio_notes_fini, also on failure). At most
 * 16 MiB is read. 0 or -errno as config_parse, err->msg "PATH: ...".
 */
int config_parse_any(const char *path, struct obj_model **out, struct lio_notes *notes,
		     bool *lio, struct cfg_err *err);

/* config_parse() + config_open(). On failure *out is NULL. */
int config_load(const char *path, struct obj_model **out, struct cfg_err *err);

/* Versions config_save keeps by default (path.1 .. path.9), and the most it keeps. */
#define CONFIG_SAVE_KEEP 9

/*
 * Writes m to path as a configuration file that config_parse reads back to
 * an equal model (obj_model_equal): every setting, the LU identities written
 * out (serial, naa), so that a derived identity is pinned from then on,
 * CHAP secrets included. Keys whose value is the parser's default are left
 * out (TPG attributes and parameters, readonly, block_size, debug, ...).
 * The output depends only on the model: saving it again gives the same
 * bytes. libconfig writes no comments, so the file has none.
 *
 * The text is parsed back and compared with m before anything is written;
 * then cfg_save_atomic writes path.tmp (mode 0600), fsyncs it, keeps the
 * previous file as path.1 (path.1 .. path.(keep_versions-1) move up one,
 * the oldest is dropped; 0 keeps none), renames and fsyncs the directory.
 * path.1 is made 0600 too when it was more open.
 *
 * 0, or -errno with err->msg "PATH: ..." (err is cleared first): -EINVAL
 * when m would not load back the same (the parser's reason or the first
 * difference is given) or keep_versions is not 0 to CONFIG_SAVE_KEEP, the
 * errno of the write otherwise. On failure path and its versions are as
 * they were (cfg_save_atomic: unless only the final fsync of the directory
 * failed).
 */
int config_save(const struct obj_model *m, const char *path, int keep_versions,
		struct cfg_err *err);

/*
 * config_load() of path, or, when path does not parse (missing, unreadable,
 * truncated, garbled, invalid), of the newest of path.1 .. path.9 that does.
 * A version that parses but cannot be opened (config_open) is an error: no
 * older one is tried, since all name the same devices and going back would
 * undo the latest changes silently.
 *
 * 0 with *out the model and used (if not NULL) the file read; the model's
 * path is path either way, so that the next save replaces the bad file.
 * After a fallback, err->msg says why path was passed over (and a warning
 * is logged); the caller should say so too. On failure *out is NULL and err
 * holds path's own error (or the open error): -errno as config_load.
 * -ENAMETOOLONG when used cannot hold path plus ".N".
 */
int config_load_with_fallback(const char *path, struct obj_model **out, struct cfg_err *err,
			      char *used, size_t usedlen);

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
