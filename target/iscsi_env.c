/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The object model answering the transport's questions (iscsi_env_ops):
 * who may log in where and how (authorize, chap_credentials), what
 * SendTargets shows (sendtargets), and what a session sees (session_conf).
 * Each answer is read from the served model under its lock and copied out:
 * the transport keeps no pointer into the model, which the control thread
 * may replace after the call returns.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/iscsi_name.h"
#include "common/log.h"
#include "common/netaddr.h"
#include "common/util.h"
#include "target/iscsi_env.h"
#include "target/model/obj_settings.h"
#include "target/scsi/alua.h"

#define COMP "server"

/* What a login to a TPG negotiates with: the transport's limits, and the TPG's parameters. */
static void env_limits(const struct obj_tpg_params *p, struct param_limits *l)
{
	param_limits_default(l);
	obj_settings_to_transport(&obj_tpg_param_settings, p, l);
}

static const struct obj_tpg *env_find_tpg(const struct obj_model *m, const char *target,
					  uint16_t tag)
{
	const struct obj_target *t = obj_find_target(m, target);

	for (size_t i = 0; t && i < t->ntpgs; i++)
		if (t->tpgs[i].tag == tag)
			return &t->tpgs[i];
	return NULL;
}

/* The address and port a connection arrived on, for log messages. */
static void env_portal_text(const struct sockaddr *local, char *buf, size_t len)
{
	unsigned int port = local->sa_family == AF_INET6 ?
				    ntohs(((const struct sockaddr_in6 *)local)->sin6_port) :
				    ntohs(((const struct sockaddr_in *)local)->sin_port);

	net_sockaddr_text(local, port, buf, len);
}

static uint16_t env_authorize_locked(struct env_model *env, enum iscsi_session_type type,
				     const char *initiator, const char *target,
				     const struct sockaddr *local, socklen_t locallen,
				     const struct sockaddr *peer, socklen_t peerlen,
				     struct param_limits *limits, uint16_t *tpg_tag, char *alias,
				     size_t aliaslen)
{
	const struct obj_target *t;
	const struct obj_tpg *tpg;
	const struct obj_acl *acl;
	struct obj_tpg_params defaults;
	char portal[96];

	if (type == ISCSI_SESSION_DISCOVERY) {
		/* Anyone may ask; SendTargets shows each initiator only what its ACLs allow. */
		obj_tpg_params_default(&defaults);
		env_limits(&defaults, limits);
		/* RFC 7143 §12.1: with discovery_auth, discovery needs CHAP too. */
		if (env->model->discovery_auth.userid[0])
			limits->auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
		*tpg_tag = 0;
		return ISCSI_LOGIN_OK;
	}
	t = obj_find_target(env->model, target);
	if (!t) {
		log_warn(COMP, "login of '%s' refused: no target '%s'", initiator, target);
		return ISCSI_LOGIN_NOT_FOUND;
	}
	tpg = obj_tpg_for_addr(t, local, locallen);
	if (!tpg) {
		log_warn(COMP, "login of '%s' refused: target '%s' has no portal on this address",
			 initiator, target);
		return ISCSI_LOGIN_NOT_FOUND;
	}
	if (!obj_initiator_allowed(tpg, initiator)) {
		env_portal_text(local, portal, sizeof(portal));
		log_warn(COMP, "login of '%s' to '%s' tpg %u refused at portal %s: no such ACL",
			 initiator, target, tpg->tag, portal);
		return ISCSI_LOGIN_AUTHORIZATION_FAILURE;
	}
	acl = obj_find_acl(tpg, initiator);
	/* The TPG's and the ACL's allow lists (docs/configuration.md): 02/02, as without an ACL. */
	if (!obj_peer_allowed(tpg, acl, peer, peerlen)) {
		char from[96];

		env_portal_text(local, portal, sizeof(portal));
		env_portal_text(peer, from, sizeof(from));
		log_warn(COMP,
			 "login of '%s' to '%s' tpg %u refused at portal %s: address %s is not in the allowed addresses",
			 initiator, target, tpg->tag, portal, from);
		return ISCSI_LOGIN_AUTHORIZATION_FAILURE;
	}
	env_limits(&tpg->params, limits);
	/*
	 * A secret that is configured is checked: CHAP for an initiator whose
	 * ACL has credentials, and for every initiator of a TPG that requires
	 * authentication; None for the others.
	 */
	if (tpg->attrs.authentication || (acl && acl->chap.userid[0]))
		limits->auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
	*tpg_tag = tpg->tag;
	snprintf(alias, aliaslen, "%s", t->alias);
	return ISCSI_LOGIN_OK;
}

static uint16_t env_authorize(void *arg, enum iscsi_session_type type, const char *initiator,
			      const char *target, const struct sockaddr *local, socklen_t locallen,
			      const struct sockaddr *peer, socklen_t peerlen,
			      struct param_limits *limits, uint16_t *tpg_tag, char *alias,
			      size_t aliaslen)
{
	struct env_model *env = arg;
	uint16_t st;

	pthread_mutex_lock(&env->lock);
	st = env_authorize_locked(env, type, initiator, target, local, locallen, peer, peerlen,
				  limits, tpg_tag, alias, aliaslen);
	pthread_mutex_unlock(&env->lock);
	return st;
}

/* The name and secret of one side, strings from the model, as CHAP takes them. */
static void env_chap_secret(const char *name, const char *secret, struct chap_secret *out)
{
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->secret_len = MIN(strlen(secret), sizeof(out->secret));
	memcpy(out->secret, secret, out->secret_len);
}

static int env_chap_credentials(void *arg, const char *initiator, const char *target,
				const struct sockaddr *local, socklen_t locallen,
				struct chap_creds *out)
{
	struct env_model *env = arg;
	const struct obj_chap *chap;
	uint32_t algs;
	int rc = 0;

	/* Read at every login: a secret changed over the control socket applies to the next one. */
	pthread_mutex_lock(&env->lock);
	chap = &env->model->discovery_auth;
	algs = chap->chap_algorithms;
	if (target) {
		const struct obj_target *t = obj_find_target(env->model, target);
		const struct obj_tpg *tpg = t ? obj_tpg_for_addr(t, local, locallen) : NULL;
		const struct obj_acl *acl = tpg ? obj_find_acl(tpg, initiator) : NULL;

		chap = acl ? &acl->chap : NULL;
		/* the ACL's chap_algorithms, else its TPG's (docs/configuration.md, "CHAP") */
		algs = acl && acl->chap.chap_algorithms ? acl->chap.chap_algorithms :
			tpg				  ? tpg->auth.chap_algorithms :
							    0;
	}
	if (!chap) {
		rc = -ENOENT;
	} else if (!chap->userid[0]) {
		rc = -ENODATA;
	} else {
		memset(out, 0, sizeof(*out));
		env_chap_secret(chap->userid, chap->password, &out->initiator);
		env_chap_secret(chap->mutual_userid, chap->mutual_password, &out->target);
		out->algs = algs;
	}
	pthread_mutex_unlock(&env->lock);
	return rc;
}




static int env_sendtargets_locked(const struct obj_model *m, const char *initiator,
				  const char *session_target, const struct sockaddr *local,
				  const struct sockaddr *peer, socklen_t peerlen, const char *value,
				  struct text_buf *out)
{
	bool all = !strcmp(value, "All");
	int rc;

	for (size_t i = 0; i < m->ntargets; i++) {
		const struct obj_target *t = &m->targets[i];
		bool named = false;

		/* RFC 7143 §12.1: in a normal session only the session's own target. */
		if (session_target && !iscsi_name_equal(t->iqn, session_target))
			continue;
		if (!all && value[0] && !iscsi_name_equal(value, t->iqn))
			continue;
		for (size_t j = 0; j < t->ntpgs; j++) {
			const struct obj_tpg *tpg = &t->tpgs[j];

			/* not a TPG the initiator could log in to from where it is */
			if (!obj_tpg_discoverable(tpg, initiator, peer, peerlen))
				continue;
			if (!named) {
				rc = text_buf_add(out, "TargetName", t->iqn);
				if (rc)
					return rc;
				named = true;
			}
			for (size_t k = 0; k < tpg->nportals; k++) {
				const struct net_portal *p = &tpg->portals[k];
				char addr[96];

				if (net_portal_is_any(p))
					net_sockaddr_text(local, net_portal_port(p), addr, sizeof(addr));
				else
					snprintf(addr, sizeof(addr), "%s", p->text);
				rc = text_buf_addf(out, "TargetAddress", "%s,%u", addr, tpg->tag);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

static int env_sendtargets(void *arg, const char *initiator, const char *session_target,
			   const struct sockaddr *local, socklen_t locallen,
			   const struct sockaddr *peer, socklen_t peerlen, const char *value,
			   struct text_buf *out)
{
	struct env_model *env = arg;
	int rc;

	(void)locallen;
	pthread_mutex_lock(&env->lock);
	rc = env_sendtargets_locked(env->model, initiator, session_target, local, peer, peerlen,
				    value, out);
	pthread_mutex_unlock(&env->lock);
	return rc;
}

static int env_session_conf(void *arg, const char *initiator, const char *target, uint16_t tag,
			    struct iscsi_session_conf *out)
{
	struct env_model *env = arg;
	const struct obj_tpg *tpg;
	int rc = -ENOENT;

	pthread_mutex_lock(&env->lock);
	tpg = env_find_tpg(env->model, target, tag);
	if (tpg) {
		rc = obj_lun_map_build(tpg, initiator, &out->map);
		if (!rc)
			obj_settings_to_transport(&obj_tpg_attr_settings, &tpg->attrs, &out->attrs);
	}
	/* the target's port groups and the TPG's: the nexus reads its state on every command */
	if (!rc && tpg->target->alua) {
		out->alua = tpg->target->alua;
		out->alua_group = alua_tgt_group(out->alua, tag, false);
		alua_tgt_get(out->alua);
	}
	pthread_mutex_unlock(&env->lock);
	return rc;
}

static void env_session_conf_release(void *arg, struct iscsi_session_conf *conf)
{
	(void)arg;
	scsi_lun_map_free(conf->map);
	conf->map = NULL;
	alua_tgt_put(conf->alua);
	conf->alua = NULL;
	conf->alua_group = NULL;
}

static void env_alua_changed(void *arg, const char *target)
{
	struct env_model *env = arg;

	log_dbg(COMP, "target '%s': ALUA states changed by an initiator", target);
	if (env->alua_changed)
		env->alua_changed(env->alua_arg);
}

const struct iscsi_env_ops env_model_ops = {
	.authorize = env_authorize,
	.chap_credentials = env_chap_credentials,
	.sendtargets = env_sendtargets,
	.session_conf = env_session_conf,
	.session_conf_release = env_session_conf_release,
	.alua_changed = env_alua_changed,
};
