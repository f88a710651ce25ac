/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pathd.conf's libvirt keys (initiator/pathd/virt_conf.h). */
#include <stdio.h>
#include <string.h>

#include "initiator/pathd/virt_conf.h"

void virt_conf_defaults(struct virt_conf *c)
{
	snprintf(c->uri, sizeof(c->uri), "%s", VIRT_URI_DEFAULT);
	snprintf(c->pool, sizeof(c->pool), "%s", VIRT_POOL_DEFAULT);
	snprintf(c->iscsi_prefix, sizeof(c->iscsi_prefix), "%s", VIRT_ISCSI_PREFIX_DEFAULT);
	snprintf(c->state, sizeof(c->state), "%s", VIRT_STATE_DEFAULT);
}

/* Why uri is no libvirt URI (NULL: it may be one; libvirt itself says more when it is not). */
static const char *virt_conf_uri_why(const char *uri)
{
	const char *colon = strchr(uri, ':');

	if (strlen(uri) >= VIRT_URI_MAX)
		return "is longer than 255 bytes";
	for (const char *p = uri; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return "holds a blank or a control character";
	/* RFC 3986 §3.1: a scheme, then ':' */
	if (!colon || colon == uri)
		return "is not a URI (a driver, then ':', as in \"qemu:///system\")";
	return NULL;
}

int virt_conf_parse(const config_setting_t *root, struct virt_conf *c, struct cfg_err *err)
{
	const char *uri = NULL, *pool = NULL, *prefix = NULL, *state = NULL, *why;
	char probe[VIRT_PREFIX_MAX + 2];
	int ret;

	ret = cfg_get_string(root, "libvirt_uri", false, &uri, err);
	if (ret)
		return ret;
	if (uri) {
		why = virt_conf_uri_why(uri);
		if (why)
			return cfg_error(err, config_setting_get_member(root, "libvirt_uri"),
					 "libvirt_uri '%s' %s", uri, why);
		snprintf(c->uri, sizeof(c->uri), "%s", uri);
	}

	ret = cfg_get_string(root, "libvirt_pool", false, &pool, err);
	if (ret)
		return ret;
	if (pool) {
		why = virt_pool_name_why(pool);
		if (why)
			return cfg_error(err, config_setting_get_member(root, "libvirt_pool"),
					 "libvirt_pool '%s' %s", pool, why);
		snprintf(c->pool, sizeof(c->pool), "%s", pool);
	}

	ret = cfg_get_string(root, "libvirt_iscsi_prefix", false, &prefix, err);
	if (ret)
		return ret;
	if (prefix) {
		/* a prefix is good when a pool name may start with it */
		snprintf(probe, sizeof(probe), "%sx", prefix);
		why = strlen(prefix) > VIRT_PREFIX_MAX ? "is longer than 40 bytes" :
							 virt_pool_name_why(probe);
		if (why)
			return cfg_error(err, config_setting_get_member(root, "libvirt_iscsi_prefix"),
					 "libvirt_iscsi_prefix '%s' %s", prefix, why);
		snprintf(c->iscsi_prefix, sizeof(c->iscsi_prefix), "%s", prefix);
	}

	ret = cfg_get_string(root, "libvirt_state", false, &state, err);
	if (ret)
		return ret;
	if (state) {
		size_t n = strlen(state);

		if (state[0] != '/' || n >= sizeof(c->state) || state[n - 1] == '/')
			return cfg_error(err, config_setting_get_member(root, "libvirt_state"),
					 "libvirt_state '%s' must be the absolute path of a file",
					 state);
		snprintf(c->state, sizeof(c->state), "%s", state);
	}
	return 0;
}
