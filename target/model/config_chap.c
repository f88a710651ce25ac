/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * porticod.conf's CHAP: an ACL's credentials, discovery_auth's, a TPG's
 * policy (chap_algorithms), each checked by the rules the login applies
 * (target/iscsi/chap.h) and against each other (RFC 7143 §9.2.1). Part of
 * the parser (config.c), split from it for size.
 */
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/util.h"
#include "target/iscsi/chap.h"
#include "target/model/config_int.h"
#include "target/model/obj_settings.h"

/*
 * A file with CHAP secrets should be for root's eyes only (the shell writes
 * it 0600); say so once per file at start-up when it is not.
 */
static void config_check_secret_file(struct config_ctx *c, const config_setting_t *s)
{
	const char *file = config_setting_source_file(s);
	struct stat st;

	if (!file)
		return;
	for (size_t i = 0; i < c->nsecret_files; i++)
		if (strcmp(c->secret_files[i], file) == 0)
			return;
	if (c->nsecret_files < ARRAY_SIZE(c->secret_files))
		c->secret_files[c->nsecret_files++] = file;
	if (stat(file, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
		log_warn("config",
			 "%s holds CHAP secrets but is readable by group or others (mode %04o): chmod 600 %s",
			 file, (unsigned int)(st.st_mode & 07777), file);
}

/*
 * RFC 7143 §9.2.1: a secret that authenticates an initiator is never
 * configured to authenticate the target, nor the reverse. The owner of
 * secret among the other side's secrets parsed so far, or NULL.
 */
static const char *config_chap_clash(const struct obj_model *m, const char *secret,
				     bool secret_is_mutual)
{
	const struct obj_chap *d = &m->discovery_auth;

	if (!strcmp(secret_is_mutual ? d->password : d->mutual_password, secret))
		return "discovery_auth";
	for (size_t i = 0; i < m->ntargets; i++) {
		const struct obj_target *t = &m->targets[i];

		for (size_t j = 0; j < t->ntpgs; j++) {
			for (size_t k = 0; k < t->tpgs[j].nacls; k++) {
				const struct obj_acl *a = &t->tpgs[j].acls[k];
				const char *other =
				    secret_is_mutual ? a->chap.password : a->chap.mutual_password;

				if (!strcmp(other, secret))
					return a->initiator;
			}
		}
	}
	return NULL;
}

/*
 * The CHAP credentials of g (an ACL, or discovery_auth) into *chap, and
 * its chap_algorithms (which CHAP_A values a login may be answered with);
 * what names their owner in messages. The secrets never appear in a
 * message. policy_only: g is a TPG's auth group, whose credentials belong
 * to its ACLs.
 */
int config_parse_chap(struct config_ctx *c, const config_setting_t *g, const char *what,
		      bool policy_only, struct obj_chap *chap)
{
	const struct obj_setting *rows = obj_chap_settings.rows;
	const char *v[OBJ_CHAP__COUNT] = { NULL }, *why, *owner;
	const char *algs = rows[OBJ_CHAP_ALGORITHMS].key;
	size_t i;
	int ret;

	ret = cfg_get_string(g, algs, false, &v[OBJ_CHAP_ALGORITHMS], c->err);
	if (ret)
		return ret;
	if (v[OBJ_CHAP_ALGORITHMS] &&
	    chap_algs_parse(v[OBJ_CHAP_ALGORITHMS], strlen(v[OBJ_CHAP_ALGORITHMS]),
			    &chap->chap_algorithms))
		return cfg_error(c->err, config_setting_get_member(g, algs),
				 "%s: %s '%s' must be a list of SHA3-256, SHA256, SHA1 and MD5", what,
				 algs, v[OBJ_CHAP_ALGORITHMS]);
	for (i = 0; i < OBJ_CHAP__CREDENTIALS; i++) {
		config_setting_t *s = config_setting_get_member(g, rows[i].key);

		if (s && policy_only)
			return cfg_error(c->err, s,
					 "%s: %s: CHAP credentials belong to an ACL (or to discovery_auth); the TPG's auth holds chap_algorithms only",
					 what, rows[i].key);
		ret = cfg_get_string(g, rows[i].key, false, &v[i], c->err);
		if (ret)
			return ret;
		if (!v[i])
			continue;
		if (rows[i].type == OBJ_SETTING_NAME)
			why = chap_name_why(v[i]);
		else
			why = chap_secret_why(strlen(v[i]));
		if (why)
			return cfg_error(c->err, s, "%s: %s %s", what, rows[i].key, why);
		if (rows[i].type == OBJ_SETTING_SECRET)
			config_check_secret_file(c, s);
	}
	/* each name is followed by its secret */
	for (i = 0; i < OBJ_CHAP__CREDENTIALS; i += 2) {
		if (!v[i] != !v[i + 1])
			return cfg_error(c->err,
					 config_setting_get_member(g, rows[v[i] ? i : i + 1].key),
					 "%s: %s and %s go together", what, rows[i].key,
					 rows[i + 1].key);
	}
	if (v[OBJ_CHAP_MUTUAL_USERID] && !v[OBJ_CHAP_USERID])
		return cfg_error(c->err,
				 config_setting_get_member(g, rows[OBJ_CHAP_MUTUAL_USERID].key),
				 "%s: mutual CHAP (the target proving itself) needs the initiator's userid and password too",
				 what);
	if (v[OBJ_CHAP_MUTUAL_PASSWORD] &&
	    !strcmp(v[OBJ_CHAP_PASSWORD], v[OBJ_CHAP_MUTUAL_PASSWORD]))
		return cfg_error(c->err,
				 config_setting_get_member(g, rows[OBJ_CHAP_MUTUAL_PASSWORD].key),
				 "%s: password and mutual_password must differ (RFC 7143 §9.2.1: one secret never authenticates both sides)",
				 what);
	for (i = 0; i < OBJ_CHAP__CREDENTIALS; i++) {
		if (!v[i] || rows[i].type != OBJ_SETTING_SECRET)
			continue;
		owner = config_chap_clash(c->m, v[i], rows[i].mutual);
		if (owner)
			return cfg_error(c->err, config_setting_get_member(g, rows[i].key),
					 "%s: %s is a %s of %s%s%s (RFC 7143 §9.2.1: a secret that authenticates initiators never authenticates the target)",
					 what, rows[i].key,
					 rows[i].mutual ? "password" : "mutual_password",
					 strcmp(owner, "discovery_auth") ? "initiator '" : "", owner,
					 strcmp(owner, "discovery_auth") ? "'" : "");
	}
	for (i = 0; i < OBJ_CHAP__CREDENTIALS; i++)
		if (v[i])
			strcpy(obj_setting_buf(&rows[i], chap), v[i]); /* fits: checked above */
	return 0;
}

/* A TPG's auth = { chap_algorithms = "..."; }: the CHAP policy of its ACLs. */
int config_parse_tpg_auth(struct config_ctx *c, const config_setting_t *g, const char *what,
			  struct obj_chap *auth)
{
	const char *keys[OBJ_SETTINGS_MAX];
	config_setting_t *s;
	int ret = config_get_group(g, obj_tpg_auth_settings.group, &s, c->err);

	if (ret || !s)
		return ret;
	obj_settings_keys(&obj_tpg_auth_settings, keys, ARRAY_SIZE(keys));
	ret = cfg_check_keys(s, keys, c->err);
	return ret ? ret : config_parse_chap(c, s, what, true, auth);
}
