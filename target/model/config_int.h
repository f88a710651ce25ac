/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the configuration parser's files (config.c, config_chap.c):
 * the parse's context and the helpers they share.
 */
#ifndef PORTICO_TARGET_CONFIG_INT_H
#define PORTICO_TARGET_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/cfg.h"
#include "target/model/obj.h"

struct config_ctx {
	struct obj_model *m;
	struct cfg_err *err;
	char machine_id[256];
	bool have_machine_id;
	const char *secret_files[16]; /* files holding CHAP secrets, checked for their mode */
	size_t nsecret_files;
};

/* An optional group under key; *out NULL when missing. 0 or cfg_error(). */
int config_get_group(const config_setting_t *s, const char *key, config_setting_t **out,
		     struct cfg_err *err);

/*
 * config_chap.c: the CHAP credentials of g (an ACL, or discovery_auth) into
 * *chap, and its chap_algorithms; what names their owner in messages.
 * policy_only: g is a TPG's auth group, whose credentials belong to its
 * ACLs. A TPG's auth = { ... } group of g into *auth.
 */
int config_parse_chap(struct config_ctx *c, const config_setting_t *g, const char *what,
		      bool policy_only, struct obj_chap *chap);
int config_parse_tpg_auth(struct config_ctx *c, const config_setting_t *g, const char *what,
			  struct obj_chap *auth);

#endif
