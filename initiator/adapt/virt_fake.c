/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvirt's storage pools in memory (initiator/adapt/virt_fake.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "initiator/adapt/virt_fake.h"

#define VF_POOLS_MAX 64
#define VF_VOLS_MAX 256

struct vf_pool {
	struct virt_pool_info info;
	char source[VIRT_HOST_MAX + MP_TARGET_MAX + 8]; /* iscsi: "host target", for conflicts */
	struct virt_vol_info *vols;
	size_t nvols;
};

struct virt_conn {
	struct virt_fake *f;
};

struct virt_fake {
	pthread_mutex_t lock;
	struct vf_pool pools[VF_POOLS_MAX];
	size_t npools;
	bool down;
	unsigned int delay_ms;
	virt_fake_maps_fn *maps;
	void *maps_arg;
	unsigned int calls[VIRT_FAKE_OP_COUNT];
};

static const char *const vf_op_names[VIRT_FAKE_OP_COUNT] = {
	[VIRT_FAKE_OPEN] = "open",	   [VIRT_FAKE_POOLS] = "pools",
	[VIRT_FAKE_DEFINE] = "define",	   [VIRT_FAKE_START] = "start",
	[VIRT_FAKE_AUTOSTART] = "autostart", [VIRT_FAKE_REFRESH] = "refresh",
	[VIRT_FAKE_STOP] = "stop",	   [VIRT_FAKE_UNDEFINE] = "undefine",
	[VIRT_FAKE_VOLUMES] = "volumes",
};

const char *virt_fake_op_name(enum virt_fake_op op)
{
	return (unsigned int)op < VIRT_FAKE_OP_COUNT ? vf_op_names[op] : "?";
}

int virt_fake_create(struct virt_fake **out)
{
	struct virt_fake *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	pthread_mutex_init(&f->lock, NULL);
	*out = f;
	return 0;
}

static void vf_clear(struct virt_fake *f)
{
	for (size_t i = 0; i < f->npools; i++)
		free(f->pools[i].vols);
	f->npools = 0;
}

void virt_fake_destroy(struct virt_fake *f)
{
	if (!f)
		return;
	vf_clear(f);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

void virt_fake_set_down(struct virt_fake *f, bool down)
{
	pthread_mutex_lock(&f->lock);
	f->down = down;
	pthread_mutex_unlock(&f->lock);
}

void virt_fake_set_delay(struct virt_fake *f, unsigned int ms)
{
	pthread_mutex_lock(&f->lock);
	f->delay_ms = ms;
	pthread_mutex_unlock(&f->lock);
}

void virt_fake_set_maps(struct virt_fake *f, virt_fake_maps_fn *fn, void *arg)
{
	pthread_mutex_lock(&f->lock);
	f->maps = fn;
	f->maps_arg = arg;
	pthread_mutex_unlock(&f->lock);
}

static struct vf_pool *vf_find(struct virt_fake *f, const char *name)
{
	for (size_t i = 0; i < f->npools; i++)
		if (!strcmp(f->pools[i].info.name, name))
			return &f->pools[i];
	return NULL;
}

static struct vf_pool *vf_add(struct virt_fake *f, const char *name, const char *uuid,
			      const char *type)
{
	struct vf_pool *p;

	if (f->npools == VF_POOLS_MAX)
		return NULL;
	p = &f->pools[f->npools++];
	memset(p, 0, sizeof(*p));
	snprintf(p->info.name, sizeof(p->info.name), "%s", name);
	snprintf(p->info.uuid, sizeof(p->info.uuid), "%s", uuid);
	snprintf(p->info.type, sizeof(p->info.type), "%s", type);
	p->info.persistent = true;
	return p;
}

static void vf_remove(struct virt_fake *f, struct vf_pool *p)
{
	size_t i = (size_t)(p - f->pools);

	free(p->vols);
	memmove(&f->pools[i], &f->pools[i + 1], (f->npools - i - 1) * sizeof(*p));
	f->npools--;
}

int virt_fake_add_pool(struct virt_fake *f, const char *name, const char *uuid,
		       const char *type, bool active, bool autostart)
{
	struct vf_pool *p;
	int rc = 0;

	pthread_mutex_lock(&f->lock);
	if (vf_find(f, name)) {
		rc = -EEXIST;
	} else if (!(p = vf_add(f, name, uuid, type))) {
		rc = -ENOMEM;
	} else {
		p->info.active = active;
		p->info.autostart = autostart;
	}
	pthread_mutex_unlock(&f->lock);
	return rc;
}

int virt_fake_pool(struct virt_fake *f, const char *name, struct virt_pool_info *out)
{
	struct vf_pool *p;
	int rc = -ENOENT;

	pthread_mutex_lock(&f->lock);
	p = vf_find(f, name);
	if (p) {
		*out = p->info;
		rc = 0;
	}
	pthread_mutex_unlock(&f->lock);
	return rc;
}

size_t virt_fake_npools(struct virt_fake *f)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->npools;
	pthread_mutex_unlock(&f->lock);
	return n;
}

unsigned int virt_fake_calls(struct virt_fake *f, enum virt_fake_op op)
{
	unsigned int n;

	pthread_mutex_lock(&f->lock);
	n = f->calls[op];
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* ---- the ops: each enters (counts, sleeps the delay, takes the lock) and leaves ---- */

static void vf_enter(struct virt_fake *f, enum virt_fake_op op)
{
	unsigned int ms;

	pthread_mutex_lock(&f->lock);
	f->calls[op]++;
	ms = f->delay_ms;
	pthread_mutex_unlock(&f->lock);
	if (ms)
		usleep(ms * 1000u);
	pthread_mutex_lock(&f->lock);
}

static void vf_leave(struct virt_fake *f)
{
	pthread_mutex_unlock(&f->lock);
}

static int vf_open(void *arg, const char *uri, struct virt_conn **out, char *err, size_t errlen)
{
	struct virt_fake *f = arg;
	struct virt_conn *c;
	int rc = 0;

	vf_enter(f, VIRT_FAKE_OPEN);
	if (f->down) {
		/* what libvirt 9.0 says when nothing listens */
		snprintf(err, errlen,
			 "Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory");
		rc = -ECONNREFUSED;
	} else if (!(c = calloc(1, sizeof(*c)))) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	} else {
		c->f = f;
		*out = c;
	}
	(void)uri;
	vf_leave(f);
	return rc;
}

static void vf_close(void *arg, struct virt_conn *c)
{
	(void)arg;
	free(c);
}

static int vf_pools(void *arg, struct virt_conn *c, struct virt_pool_info **out, size_t *n,
		    char *err, size_t errlen)
{
	struct virt_fake *f = arg;
	int rc = 0;

	(void)c;
	vf_enter(f, VIRT_FAKE_POOLS);
	*n = f->npools;
	*out = calloc(f->npools + 1, sizeof(**out));
	if (!*out) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	} else {
		for (size_t i = 0; i < f->npools; i++)
			(*out)[i] = f->pools[i].info;
	}
	vf_leave(f);
	return rc;
}

/* The text of the first element el in xml ("" when none), entities undone. */
static void vf_text(const char *xml, const char *el, char *out, size_t len)
{
	char open[32];
	const char *p, *e;
	size_t n = 0;

	snprintf(open, sizeof(open), "<%s>", el);
	out[0] = '\0';
	p = strstr(xml, open);
	if (!p)
		return;
	p += strlen(open);
	e = strchr(p, '<');
	while (p < e && n + 1 < len) {
		static const struct {
			const char *ent;
			char c;
		} ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
			     { "&apos;", '\'' }, { "&quot;", '"' } };
		size_t k;

		for (k = 0; k < ARRAY_SIZE(ents); k++)
			if (!strncmp(p, ents[k].ent, strlen(ents[k].ent)))
				break;
		if (k < ARRAY_SIZE(ents)) {
			out[n++] = ents[k].c;
			p += strlen(ents[k].ent);
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
}

/* The value of attribute at (written "name='") in xml ("" when none). */
static void vf_attr(const char *xml, const char *at, char *out, size_t len)
{
	const char *p = strstr(xml, at);
	size_t n = 0;

	out[0] = '\0';
	if (!p)
		return;
	p += strlen(at);
	while (p[n] && p[n] != '\'' && n + 1 < len) {
		out[n] = p[n];
		n++;
	}
	out[n] = '\0';
}

static int vf_define(void *arg, struct virt_conn *c, const char *xml, char *err, size_t errlen)
{
	struct virt_fake *f = arg;
	char name[VIRT_NAME_MAX], uuid[VIRT_UUID_MAX], type[VIRT_TYPE_MAX], host[VIRT_HOST_MAX];
	char dev[MP_TARGET_MAX], source[sizeof(((struct vf_pool *)0)->source)];
	struct vf_pool *p;
	int rc = 0;

	(void)c;
	vf_text(xml, "name", name, sizeof(name));
	vf_text(xml, "uuid", uuid, sizeof(uuid));
	vf_attr(xml, "<pool type='", type, sizeof(type));
	vf_attr(xml, "<host name='", host, sizeof(host));
	vf_attr(xml, "<device path='", dev, sizeof(dev));
	snprintf(source, sizeof(source), "%s %s", host, dev);
	vf_enter(f, VIRT_FAKE_DEFINE);
	if (!name[0] || !type[0]) {
		snprintf(err, errlen, "XML error: missing storage pool name or type");
		rc = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < f->npools; i++) {
		struct vf_pool *o = &f->pools[i];

		if (strcmp(o->info.name, name) && uuid[0] && !strcmp(o->info.uuid, uuid)) {
			snprintf(err, errlen, "operation failed: pool '%s' is already defined with uuid %s",
				 o->info.name, uuid);
			rc = -EEXIST;
			goto out;
		}
		if (!strcmp(o->info.name, name) && uuid[0] && strcmp(o->info.uuid, uuid)) {
			snprintf(err, errlen, "operation failed: pool '%s' already exists with uuid %s",
				 name, o->info.uuid);
			rc = -EEXIST;
			goto out;
		}
		/* libvirt: one mpath pool per host; an iscsi source (host, target) in one pool */
		if (strcmp(o->info.name, name) && !strcmp(o->info.type, type) &&
		    (!strcmp(type, "mpath") ||
		     (!strcmp(type, "iscsi") && !strcmp(o->source, source)))) {
			snprintf(err, errlen, "operation failed: Storage source conflict with pool: '%s'",
				 o->info.name);
			rc = -EEXIST;
			goto out;
		}
	}
	p = vf_find(f, name);
	if (!p) {
		char made[VIRT_UUID_MAX];

		/* libvirt makes a UUID when the XML has none */
		snprintf(made, sizeof(made), "00000000-0000-4000-8000-%012zx", f->npools + 1);
		p = vf_add(f, name, uuid[0] ? uuid : made, type);
		if (!p) {
			snprintf(err, errlen, "too many pools");
			rc = -ENOMEM;
			goto out;
		}
	}
	snprintf(p->info.type, sizeof(p->info.type), "%s", type);
	snprintf(p->source, sizeof(p->source), "%s", source);
out:
	vf_leave(f);
	return rc;
}

/* Lists the pool's volumes as libvirt would at a refresh. Under f->lock. */
static int vf_list(struct virt_fake *f, struct vf_pool *p)
{
	struct virt_vol_info *v = NULL;
	size_t n = 0;

	if (!strcmp(p->info.type, "mpath") && f->maps) {
		v = calloc(VF_VOLS_MAX, sizeof(*v));
		if (!v)
			return -ENOMEM;
		n = MIN(f->maps(f->maps_arg, v, VF_VOLS_MAX), (size_t)VF_VOLS_MAX);
	}
	free(p->vols);
	p->vols = v;
	p->nvols = n;
	return 0;
}

/* The pool named name, or -ENOENT with libvirt's words in err. Under f->lock. */
static struct vf_pool *vf_get(struct virt_fake *f, const char *name, char *err, size_t errlen)
{
	struct vf_pool *p = vf_find(f, name);

	if (!p)
		snprintf(err, errlen,
			 "Storage pool not found: no storage pool with matching name '%s'", name);
	return p;
}

static int vf_start(void *arg, struct virt_conn *c, const char *name, char *err, size_t errlen)
{
	struct virt_fake *f = arg;
	struct vf_pool *p;
	int rc = 0;

	(void)c;
	vf_enter(f, VIRT_FAKE_START);
	p = vf_get(f, name, err, errlen);
	if (!p) {
		rc = -ENOENT;
	} else if (p->info.active) {
		snprintf(err, errlen, "Requested operation is not valid: storage pool '%s' is already active",
			 name);
		rc = -EINVAL;
	} else if (!(rc = vf_list(f, p))) {
		p->info.active = true;
	}
	vf_leave(f);
	return rc;
}

static int vf_autostart(void *arg, struct virt_conn *c, const char *name, bool on, char *err,
			size_t errlen)
{
	struct virt_fake *f = arg;
	struct vf_pool *p;
	int rc = 0;

	(void)c;
	vf_enter(f, VIRT_FAKE_AUTOSTART);
	p = vf_get(f, name, err, errlen);
	if (!p)
		rc = -ENOENT;
	else
		p->info.autostart = on;
	vf_leave(f);
	return rc;
}

static int vf_refresh(void *arg, struct virt_conn *c, const char *name, char *err, size_t errlen)
{
	struct virt_fake *f = arg;
	struct vf_pool *p;
	int rc = 0;

	(void)c;
	vf_enter(f, VIRT_FAKE_REFRESH);
	p = vf_get(f, name, err, errlen);
	if (!p) {
		rc = -ENOENT;
	} else if (!p->info.active) {
		snprintf(err, errlen, "Requested operation is not valid: storage pool '%s' is not active",
			 name);
		rc = -EINVAL;
	} else {
		rc = vf_list(f, p);
	}
	vf_leave(f);
	return rc;
}

static int vf_stop(void *arg, struct virt_conn *c, const char *name, char *err, size_t errlen)
{
	struct virt_fake *f = arg;
	struct vf_pool *p;
	int rc = 0;

	(void)c;
	vf_enter(f, VIRT_FAKE_STOP);
	p = vf_get(f, name, err, errlen);
	if (!p) {
		rc = -ENOENT;
	} else if (!p->info.active) {
		snprintf(err, errlen, "Requested operation is not valid: storage pool '%s' is not active",
			 name);
		rc = -EINVAL;
	} else {
		p->info.active = false;
		free(p->vols);
		p->vols = NULL;
		p->nvols = 0;
	}
	vf_leave(f);
	return rc;
}

static int vf_undefine(void *arg, struct virt_conn *c, const char *name, char *err,
		       size_t errlen)
{
	struct virt_fake *f = arg;
	struct vf_pool *p;
	int rc = 0;

	(void)c;
	vf_enter(f, VIRT_FAKE_UNDEFINE);
	p = vf_get(f, name, err, errlen);
	if (!p) {
		rc = -ENOENT;
	} else if (p->info.active) {
		snprintf(err, errlen, "Requested operation is not valid: storage pool '%s' is still active",
			 name);
		rc = -EINVAL;
	} else {
		vf_remove(f, p);
	}
	vf_leave(f);
	return rc;
}

static int vf_volumes(void *arg, struct virt_conn *c, const char *name,
		      struct virt_vol_info **out, size_t *n, char *err, size_t errlen)
{
	struct virt_fake *f = arg;
	struct vf_pool *p;
	int rc = 0;

	(void)c;
	*out = NULL;
	*n = 0;
	vf_enter(f, VIRT_FAKE_VOLUMES);
	p = vf_get(f, name, err, errlen);
	if (!p) {
		rc = -ENOENT;
	} else if (!p->info.active) {
		snprintf(err, errlen, "Requested operation is not valid: storage pool '%s' is not active",
			 name);
		rc = -EINVAL;
	} else if (!(*out = calloc(p->nvols + 1, sizeof(**out)))) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	} else {
		if (p->nvols)
			memcpy(*out, p->vols, p->nvols * sizeof(**out));
		*n = p->nvols;
	}
	vf_leave(f);
	return rc;
}

const struct virt_ops virt_fake_ops = {
	.open = vf_open,
	.close = vf_close,
	.pools = vf_pools,
	.define = vf_define,
	.start = vf_start,
	.autostart = vf_autostart,
	.refresh = vf_refresh,
	.stop = vf_stop,
	.undefine = vf_undefine,
	.volumes = vf_volumes,
};

/* ---- as text ---- */

int virt_fake_save(struct virt_fake *f, char *buf, size_t len)
{
	size_t used = 0;
	int w, rc = 0;

	pthread_mutex_lock(&f->lock);
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < f->npools && !rc; i++) {
		const struct vf_pool *p = &f->pools[i];

		w = snprintf(buf + used, len - used, "pool %s %s %s %s %s\n", p->info.name,
			     p->info.uuid, p->info.type, p->info.active ? "active" : "inactive",
			     p->info.autostart ? "autostart" : "manual");
		if (w < 0 || (size_t)w >= len - used) {
			rc = -ENOSPC;
			break;
		}
		used += (size_t)w;
		for (size_t k = 0; k < p->nvols; k++) {
			const struct virt_vol_info *v = &p->vols[k];

			w = snprintf(buf + used, len - used, "vol %s %s %s %s %llu\n", p->info.name,
				     v->name, v->path, v->type, (unsigned long long)v->capacity);
			if (w < 0 || (size_t)w >= len - used) {
				rc = -ENOSPC;
				break;
			}
			used += (size_t)w;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return rc ? rc : (int)used;
}

int virt_fake_load(struct virt_fake *f, const char *text)
{
	char line[1024], a[VIRT_NAME_MAX], b[VIRT_PATH_MAX], t[VIRT_TYPE_MAX], s1[16], s2[16];
	char uuid[VIRT_UUID_MAX], pool[VIRT_NAME_MAX];
	const char *p = text;
	unsigned long long bytes;
	int rc = 0;

	pthread_mutex_lock(&f->lock);
	vf_clear(f);
	while (*p && !rc) {
		size_t n = strcspn(p, "\n");
		struct vf_pool *o;

		snprintf(line, sizeof(line), "%.*s", (int)MIN(n, sizeof(line) - 1), p);
		p += n + (p[n] == '\n');
		if (!line[0] || line[0] == '#')
			continue;
		if (sscanf(line, "pool %100s %36s %15s %15s %15s", a, uuid, t, s1, s2) == 5) {
			o = vf_add(f, a, uuid, t);
			if (!o) {
				rc = -EINVAL;
				break;
			}
			o->info.active = !strcmp(s1, "active");
			o->info.autostart = !strcmp(s2, "autostart");
		} else if (sscanf(line, "vol %100s %100s %255s %15s %llu", pool, a, b, t, &bytes) ==
			   5) {
			struct virt_vol_info *v;

			o = vf_find(f, pool);
			if (!o || o->nvols == VF_VOLS_MAX) {
				rc = -EINVAL;
				break;
			}
			v = realloc(o->vols, (o->nvols + 1) * sizeof(*v));
			if (!v) {
				rc = -EINVAL;
				break;
			}
			o->vols = v;
			v = &o->vols[o->nvols++];
			memset(v, 0, sizeof(*v));
			snprintf(v->name, sizeof(v->name), "%s", a);
			snprintf(v->path, sizeof(v->path), "%s", b);
			snprintf(v->type, sizeof(v->type), "%s", t);
			v->capacity = bytes;
		} else {
			rc = -EINVAL;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return rc;
}
