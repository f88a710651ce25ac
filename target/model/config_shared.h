/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway group's shared configuration in the file's own syntax
 * (docs/gateway-group.md, "The shared configuration"): porticod.conf's
 * `shared_config` group (which group, this gateway's name in it, where
 * the group's object lives), and the shared document, a libconfig text
 *
 *     iscsi = { discovery_auth = { ... }; };
 *     targets = ( { iqn = "...";
 *                   tpg = { attributes = { ... }; parameters = { ... };
 *                           allowed_addresses = [ ... ]; auth = { ... }; };
 *                   acls = ( { initiator = "..."; ... } ); } );
 *
 * holding the CHAP of discovery sessions and, per target, the settings and
 * the ACLs (mapped LUNs, CHAP, allowed addresses) every gateway of the
 * group serves on each TPG of that target. A member absent from iscsi or
 * tpg is absent (its defaults) on every gateway; a document without the
 * iscsi or a target's tpg group (one stored before they were shared)
 * leaves those settings as each gateway has them. Pure: trees and text in,
 * trees and text out.
 */
#ifndef PORTICO_TARGET_MODEL_CONFIG_SHARED_H
#define PORTICO_TARGET_MODEL_CONFIG_SHARED_H

#include <libconfig.h>
#include <stddef.h>

#include "common/cfg.h"
#include "target/model/obj.h"

#define CONFIG_SHARED_TIMEOUT_MS_DEFAULT 5000

/* Reads root's shared_config into s (zeroed first; absent: group ""). 0 or -EINVAL with err. */
int config_shared_parse(const config_setting_t *root, struct obj_shared_conf *s,
			struct cfg_err *err);
/* Adds shared_config to root when s names a group. 0 or -ENOMEM. */
int config_shared_save(config_setting_t *root, const struct obj_shared_conf *s);

/*
 * The shared document of cfg (a tree as config_build makes it) on top of
 * base (the group's document, NULL or empty for none): base with
 * discovery_auth replaced by cfg's, and the TPG settings and ACLs of every
 * target cfg has replaced by those of the target's first TPG; targets of
 * base that cfg does not have are kept as they are. *out (a
 * NUL-terminated text the caller frees) and *outlen. 0, -EINVAL (base does
 * not parse: err), -ENOMEM.
 */
int config_shared_extract(const config_t *cfg, const char *base, size_t baselen, char **out,
			  size_t *outlen, struct cfg_err *err);

/*
 * Puts doc into cfg: discovery_auth as doc has it (when doc has an iscsi
 * group); every TPG of each target that doc names gets that target's
 * settings (when doc has its tpg group) and ACLs instead of its own, and
 * keeps its tag, portals, LUNs and alua; other targets are left alone.
 * 0, -EINVAL (doc does not parse: err), -ENOMEM.
 */
int config_shared_apply(config_t *cfg, const char *doc, size_t doclen, struct cfg_err *err);

#endif
