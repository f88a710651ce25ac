/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvirt's storage pools through its C library (initiator/adapt/virt.h):
 * the field's API, rather than virsh's output. Each op is one or two
 * library calls; what libvirt says on failure comes back as the line in
 * err (libvirt keeps its last error per thread, so the worker that made
 * the call reads its own).
 */
#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initiator/adapt/virt.h"

struct virt_conn {
	virConnectPtr c;
};

/* ---- once per process: libvirt's event loop and quiet errors ---- */

static bool virt_events; /* the default event loop runs: keepalive works */

static void virt_quiet(void *arg, virErrorPtr e)
{
	(void)arg;
	(void)e; /* read where the call failed, with virGetLastError() */
}

static void *virt_event_main(void *arg)
{
	(void)arg;
	/* for the life of the process: libvirt offers no way to leave its loop */
	for (;;)
		if (virEventRunDefaultImpl() < 0)
			break;
	return NULL;
}

static void virt_once(void)
{
	pthread_t tid;

	if (virInitialize() < 0)
		return;
	virSetErrorFunc(NULL, virt_quiet);
	/*
	 * libvirt sends keepalives, and notices a daemon that stopped
	 * answering, only from an event loop the application runs.
	 */
	if (virEventRegisterDefaultImpl() < 0)
		return;
	if (pthread_create(&tid, NULL, virt_event_main, NULL))
		return;
	pthread_detach(tid);
	virt_events = true;
}

static pthread_once_t virt_once_ctl = PTHREAD_ONCE_INIT;

/*
 * libvirt's last error on this thread into err, as an errno: what a
 * caller can act on (no daemon, no such pool, not allowed), -EIO else.
 */
static int virt_fail(char *err, size_t errlen, const char *what)
{
	virErrorPtr e = virGetLastError();
	int rc = -EIO;

	if (!e) {
		snprintf(err, errlen, "%s failed", what);
		return rc;
	}
	switch (e->code) {
	case VIR_ERR_NO_STORAGE_POOL:
		rc = -ENOENT;
		break;
	case VIR_ERR_AUTH_FAILED:
	case VIR_ERR_AUTH_CANCELLED:
	case VIR_ERR_ACCESS_DENIED:
		rc = -EACCES;
		break;
	case VIR_ERR_NO_CONNECT:
		rc = -ECONNREFUSED;
		break;
	case VIR_ERR_SYSTEM_ERROR:
		/* connecting: int1 is connect()'s errno; no socket, or nothing listens */
		if (e->int1 == ENOENT || e->int1 == ECONNREFUSED)
			rc = -ECONNREFUSED;
		else if (e->int1 == EACCES || e->int1 == EPERM)
			rc = -EACCES;
		break;
	case VIR_ERR_RPC:
	case VIR_ERR_INTERNAL_ERROR:
		/* a connection that broke under a call (keepalive timeout, daemon gone) */
		if (e->domain == VIR_FROM_RPC)
			rc = -ECONNRESET;
		break;
	default:
		break;
	}
	snprintf(err, errlen, "%s", e->message ? e->message : what);
	virResetLastError();
	return rc;
}

static int virt_open(void *arg, const char *uri, struct virt_conn **out, char *err,
		     size_t errlen)
{
	struct virt_conn *c;

	(void)arg;
	pthread_once(&virt_once_ctl, virt_once);
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->c = virConnectOpen(uri);
	if (!c->c) {
		int rc = virt_fail(err, errlen, "virConnectOpen");

		free(c);
		return rc;
	}
	/* without the event loop there is no keepalive: a hung daemon then holds the call */
	if (virt_events && virConnectSetKeepAlive(c->c, VIRT_KEEPALIVE_S, VIRT_KEEPALIVE_COUNT) < 0)
		virResetLastError();
	*out = c;
	return 0;
}

static void virt_close(void *arg, struct virt_conn *c)
{
	(void)arg;
	if (!c)
		return;
	virConnectClose(c->c);
	free(c);
}

/* The type attribute of a pool's root element, from its XML ("" when not found). */
static void virt_pool_type(virStoragePoolPtr p, char *out, size_t len)
{
	char *xml = virStoragePoolGetXMLDesc(p, 0);
	const char *t = xml ? strstr(xml, "<pool type=") : NULL;
	size_t n = 0;

	out[0] = '\0';
	if (t) {
		char q = t[11];

		t += 12;
		while (t[n] && t[n] != q && n + 1 < len)
			n++;
		memcpy(out, t, n);
		out[n] = '\0';
	}
	free(xml);
	virResetLastError();
}

static int virt_pools(void *arg, struct virt_conn *c, struct virt_pool_info **out, size_t *n,
		      char *err, size_t errlen)
{
	virStoragePoolPtr *pools = NULL;
	struct virt_pool_info *v;
	int k;

	(void)arg;
	*out = NULL;
	*n = 0;
	k = virConnectListAllStoragePools(c->c, &pools, 0);
	if (k < 0)
		return virt_fail(err, errlen, "virConnectListAllStoragePools");
	v = calloc((size_t)k + 1, sizeof(*v));
	if (!v) {
		for (int i = 0; i < k; i++)
			virStoragePoolFree(pools[i]);
		free(pools);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < k; i++) {
		int a = 0;

		snprintf(v[i].name, sizeof(v[i].name), "%s", virStoragePoolGetName(pools[i]));
		if (virStoragePoolGetUUIDString(pools[i], v[i].uuid) < 0)
			v[i].uuid[0] = '\0';
		v[i].active = virStoragePoolIsActive(pools[i]) == 1;
		v[i].persistent = virStoragePoolIsPersistent(pools[i]) == 1;
		v[i].autostart = virStoragePoolGetAutostart(pools[i], &a) == 0 && a;
		virt_pool_type(pools[i], v[i].type, sizeof(v[i].type));
		virStoragePoolFree(pools[i]);
	}
	free(pools);
	virResetLastError();
	*out = v;
	*n = (size_t)k;
	return 0;
}

static int virt_define(void *arg, struct virt_conn *c, const char *xml, char *err, size_t errlen)
{
	virStoragePoolPtr p;

	(void)arg;
	p = virStoragePoolDefineXML(c->c, xml, 0);
	if (!p)
		return virt_fail(err, errlen, "virStoragePoolDefineXML");
	virStoragePoolFree(p);
	return 0;
}

/* One call on the pool named name. */
enum virt_pool_op {
	VIRT_OP_START,
	VIRT_OP_AUTOSTART_ON,
	VIRT_OP_AUTOSTART_OFF,
	VIRT_OP_REFRESH,
	VIRT_OP_STOP,
	VIRT_OP_UNDEFINE,
};

static int virt_on_pool(struct virt_conn *c, const char *name, enum virt_pool_op op, char *err,
			size_t errlen)
{
	static const char *const what[] = {
		[VIRT_OP_START] = "virStoragePoolCreate",
		[VIRT_OP_AUTOSTART_ON] = "virStoragePoolSetAutostart",
		[VIRT_OP_AUTOSTART_OFF] = "virStoragePoolSetAutostart",
		[VIRT_OP_REFRESH] = "virStoragePoolRefresh",
		[VIRT_OP_STOP] = "virStoragePoolDestroy",
		[VIRT_OP_UNDEFINE] = "virStoragePoolUndefine",
	};
	virStoragePoolPtr p = virStoragePoolLookupByName(c->c, name);
	int r = -1, rc = 0;

	if (!p)
		return virt_fail(err, errlen, "virStoragePoolLookupByName");
	switch (op) {
	case VIRT_OP_START:
		r = virStoragePoolCreate(p, 0);
		break;
	case VIRT_OP_AUTOSTART_ON:
	case VIRT_OP_AUTOSTART_OFF:
		r = virStoragePoolSetAutostart(p, op == VIRT_OP_AUTOSTART_ON);
		break;
	case VIRT_OP_REFRESH:
		r = virStoragePoolRefresh(p, 0);
		break;
	case VIRT_OP_STOP:
		r = virStoragePoolDestroy(p);
		break;
	case VIRT_OP_UNDEFINE:
		r = virStoragePoolUndefine(p);
		break;
	}
	if (r < 0)
		rc = virt_fail(err, errlen, what[op]);
	virStoragePoolFree(p);
	return rc;
}

static int virt_start(void *arg, struct virt_conn *c, const char *name, char *err, size_t errlen)
{
	(void)arg;
	return virt_on_pool(c, name, VIRT_OP_START, err, errlen);
}

static int virt_autostart(void *arg, struct virt_conn *c, const char *name, bool on, char *err,
			  size_t errlen)
{
	(void)arg;
	return virt_on_pool(c, name, on ? VIRT_OP_AUTOSTART_ON : VIRT_OP_AUTOSTART_OFF, err,
			    errlen);
}

static int virt_refresh(void *arg, struct virt_conn *c, const char *name, char *err,
			size_t errlen)
{
	(void)arg;
	return virt_on_pool(c, name, VIRT_OP_REFRESH, err, errlen);
}

static int virt_stop(void *arg, struct virt_conn *c, const char *name, char *err, size_t errlen)
{
	(void)arg;
	return virt_on_pool(c, name, VIRT_OP_STOP, err, errlen);
}

static int virt_undefine(void *arg, struct virt_conn *c, const char *name, char *err,
			 size_t errlen)
{
	(void)arg;
	return virt_on_pool(c, name, VIRT_OP_UNDEFINE, err, errlen);
}

static const char *virt_vol_type(int t)
{
	switch (t) {
	case VIR_STORAGE_VOL_FILE:
		return "file";
	case VIR_STORAGE_VOL_BLOCK:
		return "block";
	case VIR_STORAGE_VOL_DIR:
		return "dir";
	case VIR_STORAGE_VOL_NETWORK:
		return "network";
	default:
		return "other";
	}
}

static int virt_volumes(void *arg, struct virt_conn *c, const char *name,
			struct virt_vol_info **out, size_t *n, char *err, size_t errlen)
{
	virStoragePoolPtr p = virStoragePoolLookupByName(c->c, name);
	virStorageVolPtr *vols = NULL;
	struct virt_vol_info *v;
	int k;

	(void)arg;
	*out = NULL;
	*n = 0;
	if (!p)
		return virt_fail(err, errlen, "virStoragePoolLookupByName");
	k = virStoragePoolListAllVolumes(p, &vols, 0);
	if (k < 0) {
		int rc = virt_fail(err, errlen, "virStoragePoolListAllVolumes");

		virStoragePoolFree(p);
		return rc;
	}
	v = calloc((size_t)k + 1, sizeof(*v));
	for (int i = 0; i < k; i++) {
		virStorageVolInfo info;
		char *path;

		if (v) {
			snprintf(v[i].name, sizeof(v[i].name), "%s", virStorageVolGetName(vols[i]));
			path = virStorageVolGetPath(vols[i]);
			snprintf(v[i].path, sizeof(v[i].path), "%s", path ? path : "");
			free(path);
			if (virStorageVolGetInfo(vols[i], &info) == 0) {
				snprintf(v[i].type, sizeof(v[i].type), "%s",
					 virt_vol_type(info.type));
				v[i].capacity = info.capacity;
			}
		}
		virStorageVolFree(vols[i]);
	}
	free(vols);
	virStoragePoolFree(p);
	virResetLastError();
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*out = v;
	*n = (size_t)k;
	return 0;
}

const struct virt_ops virt_libvirt_ops = {
	.open = virt_open,
	.close = virt_close,
	.pools = virt_pools,
	.define = virt_define,
	.start = virt_start,
	.autostart = virt_autostart,
	.refresh = virt_refresh,
	.stop = virt_stop,
	.undefine = virt_undefine,
	.volumes = virt_volumes,
};
