/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway group's shared configuration in the file's own syntax
 * (docs/gateway-group.md, "The shared configuration"): porticod.conf's
 * `shared_config` group (which group, this gateway's name in it, where
 * the group's object lives), and the shared document, a libconfig text
 *
 *     iscsi = { discovery_auth = { ... }; };
 *     backstores = ( { name = "..."; type = "rbd"; path = "POOL/IMAGE"; ... } );
 *     targets = ( { iqn = "...";
 *                   tpg = { attributes = { ... }; parameters = { ... };
 *                           allowed_addresses = [ ... ]; auth = { ... }; };
 *                   luns = ( { lun = 0; backstore = "..."; } );
 *                   acls = ( { initiator = "..."; ... } ); } );
 *
 * holding the CHAP of discovery sessions, the rbd backstores that shared
 * LUNs use (without each gateway's own keys: ceph_conf, ceph_client,
 * gateway_name, size) and, per target, the settings, the LUNs on rbd
 * backstores and the ACLs (mapped LUNs, CHAP, allowed addresses) every
 * gateway of the group serves on each TPG of that target. A LUN on any
 * other store is one machine's: never in the document, kept by apply. A
 * member absent from iscsi or tpg is absent (its defaults) on every
 * gateway; a document without the iscsi group, a target's tpg group, or
 * backstores (one stored before they were shared) leaves those as each
 * gateway has them. Pure: trees and text in, trees and text out.
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
 * discovery_auth replaced by cfg's, and the TPG settings, rbd LUNs and
 * ACLs of every target cfg has replaced by those of the target's first TPG
 * (with the backstores those LUNs use; a backstore no LUN of the document
 * uses leaves it); targets of base that cfg does not have are kept as they
 * are. *out (a
 * NUL-terminated text the caller frees) and *outlen. 0, -EINVAL (base does
 * not parse: err), -ENOMEM.
 */
int config_shared_extract(const config_t *cfg, const char *base, size_t baselen, char **out,
			  size_t *outlen, struct cfg_err *err);

/*
 * Puts doc into cfg: discovery_auth as doc has it (when doc has an iscsi
 * group); doc's backstores (a missing one added with shared_config's
 * ceph_conf, ceph_client and gateway name; one of that name here must be
 * the same image, whose settings become doc's, its own keys kept); every
 * TPG of each target that doc names gets that target's settings (when doc
 * has its tpg group), rbd LUNs (when doc has backstores) and ACLs instead
 * of its own, and keeps its tag, portals, other LUNs and alua; other
 * targets are left alone. 0, -EINVAL (doc does not parse, or a backstore
 * of doc's name here is not its image: err), -ENOMEM.
 */
int config_shared_apply(config_t *cfg, const char *doc, size_t doclen, struct cfg_err *err);

#endif
