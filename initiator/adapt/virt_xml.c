/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvirt's pool and disk XML, names and UUIDs (initiator/adapt/virt_xml.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/netaddr.h"
#include "common/util.h"
#include "initiator/adapt/virt_xml.h"

static const char *const virt_form_names[VIRT_FORM_COUNT] = {
	[VIRT_FORM_MULTIPATH] = "multipath",
	[VIRT_FORM_ISCSI] = "iscsi",
};

const char *virt_form_name(enum virt_form f)
{
	return (unsigned int)f < VIRT_FORM_COUNT ? virt_form_names[f] : "?";
}

int virt_form_parse(const char *name, enum virt_form *out)
{
	for (int f = 0; f < VIRT_FORM_COUNT; f++) {
		if (!strcmp(name, virt_form_names[f])) {
			*out = (enum virt_form)f;
			return 0;
		}
	}
	return -EINVAL;
}

/* The length of the UTF-8 sequence at p (at most left bytes), 0 when it is not one (RFC 3629 §4). */
static size_t virt_utf8_len(const unsigned char *p, size_t left)
{
	size_t n;
	unsigned int cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates and beyond U+10FFFF are not characters */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int virt_xml_escape(const char *s, char *out, size_t len)
{
	size_t used = 0, slen = strlen(s);

	for (size_t i = 0; i < slen;) {
		unsigned char c = (unsigned char)s[i];
		const char *ent = NULL;
		size_t n = 1;

		switch (c) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '\'':
			ent = "&apos;";
			break;
		case '"':
			ent = "&quot;";
			break;
		default:
			/* XML 1.0 §2.2: of the C0 controls only tab, LF and CR are characters */
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return -EINVAL;
			n = virt_utf8_len((const unsigned char *)s + i, slen - i);
			if (!n)
				return -EINVAL;
			break;
		}
		if (ent) {
			size_t el = strlen(ent);

			if (used + el >= len)
				return -ENOSPC;
			memcpy(out + used, ent, el);
			used += el;
		} else {
			if (used + n >= len)
				return -ENOSPC;
			memcpy(out + used, s + i, n);
			used += n;
		}
		i += n;
	}
	if (used >= len)
		return -ENOSPC;
	out[used] = '\0';
	return (int)used;
}

/* A document being written: the first error sticks. */
struct virt_xb {
	char *buf;
	size_t len, used;
	int err;
};

static void xb_put(struct virt_xb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends text as it is (the caller's own markup). */
static void xb_put(struct virt_xb *b, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (b->err)
		return;
	va_start(ap, fmt);
	w = vsnprintf(b->buf + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= b->len - b->used) {
		b->err = -ENOSPC;
		return;
	}
	b->used += (size_t)w;
}

/* Appends a value, escaped: character data or an attribute's value between '...'. */
static void xb_val(struct virt_xb *b, const char *v)
{
	int w;

	if (b->err)
		return;
	w = virt_xml_escape(v, b->buf + b->used, b->len - b->used);
	if (w < 0)
		b->err = w;
	else
		b->used += (size_t)w;
}

/* "<el>value</el>\n" at indent. */
static void xb_elem(struct virt_xb *b, const char *indent, const char *el, const char *v)
{
	xb_put(b, "%s<%s>", indent, el);
	xb_val(b, v);
	xb_put(b, "</%s>\n", el);
}

static int xb_end(struct virt_xb *b)
{
	if (!b->err && b->used >= b->len)
		b->err = -ENOSPC;
	if (b->err) {
		if (b->len)
			b->buf[0] = '\0';
		return b->err;
	}
	return (int)b->used;
}

int virt_xml_pool(const struct virt_pool_spec *s, char *buf, size_t len)
{
	struct virt_xb b = { .buf = buf, .len = len };

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	if (!s->name[0] || (s->uuid[0] && !virt_uuid_valid(s->uuid)))
		return -EINVAL;
	switch (s->form) {
	case VIRT_FORM_MULTIPATH:
		/*
		 * libvirt's mpath backend lists every device-mapper map whose
		 * target is multipath, each as a block volume on
		 * /dev/mapper/<map name>; the target path is where those are.
		 */
		xb_put(&b, "<pool type='mpath'>\n");
		xb_elem(&b, "  ", "name", s->name);
		if (s->uuid[0])
			xb_elem(&b, "  ", "uuid", s->uuid);
		xb_put(&b, "  <target>\n");
		xb_elem(&b, "    ", "path", VIRT_MAPPER_DIR);
		xb_put(&b, "  </target>\n</pool>\n");
		break;
	case VIRT_FORM_ISCSI:
		if (!s->host[0] || !s->port || !s->target[0])
			return -EINVAL;
		xb_put(&b, "<pool type='iscsi'>\n");
		xb_elem(&b, "  ", "name", s->name);
		if (s->uuid[0])
			xb_elem(&b, "  ", "uuid", s->uuid);
		xb_put(&b, "  <source>\n    <host name='");
		xb_val(&b, s->host);
		xb_put(&b, "' port='%u'/>\n    <device path='", s->port);
		xb_val(&b, s->target);
		xb_put(&b, "'/>\n  </source>\n  <target>\n");
		xb_elem(&b, "    ", "path", VIRT_BY_PATH_DIR);
		xb_put(&b, "  </target>\n</pool>\n");
		break;
	default:
		return -EINVAL;
	}
	return xb_end(&b);
}

int virt_xml_disk(const struct virt_disk_spec *s, char *buf, size_t len)
{
	struct virt_xb b = { .buf = buf, .len = len };

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	if (!s->target || !s->target[0] ||
	    (s->volume ? !s->pool || !s->pool[0] || !s->vol || !s->vol[0] :
			 !s->path || s->path[0] != '/'))
		return -EINVAL;
	xb_put(&b, "<disk type='%s' device='disk'>\n", s->volume ? "volume" : "block");
	/*
	 * cache='none': O_DIRECT, no host page cache between the VM and a LUN
	 * other hosts reach too (and what live migration requires of shared
	 * storage); io='native': Linux AIO, which O_DIRECT allows.
	 */
	xb_put(&b, "  <driver name='qemu' type='raw' cache='none' io='native'/>\n");
	if (s->volume) {
		xb_put(&b, "  <source pool='");
		xb_val(&b, s->pool);
		xb_put(&b, "' volume='");
		xb_val(&b, s->vol);
		xb_put(&b, "'/>\n");
	} else {
		xb_put(&b, "  <source dev='");
		xb_val(&b, s->path);
		xb_put(&b, "'/>\n");
	}
	xb_put(&b, "  <target dev='");
	xb_val(&b, s->target);
	xb_put(&b, "' bus='virtio'/>\n</disk>\n");
	return xb_end(&b);
}

static bool virt_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '+' || c == '-';
}

const char *virt_pool_name_why(const char *name)
{
	size_t n = strlen(name);

	if (!n)
		return "is empty";
	if (n >= VIRT_NAME_MAX)
		return "is longer than 100 bytes";
	if (strchr(name, '/'))
		return "holds a '/' (libvirt keeps a pool in /etc/libvirt/storage/NAME.xml)";
	if (name[0] == '.' || name[0] == '-')
		return "must not start with '.' or '-'";
	for (size_t i = 0; i < n; i++)
		if (!virt_name_char(name[i]))
			return "may hold only letters, digits, '.', '_', '+' and '-'";
	return NULL;
}

int virt_iscsi_pool_name(const char *prefix, const char *target, char *out, size_t len)
{
	const char *tail = strrchr(target, ':');
	size_t used = 0, cap = MIN(len, (size_t)VIRT_NAME_MAX);

	tail = tail && tail[1] ? tail + 1 : target;
	if (!cap)
		return -ENOSPC;
	for (const char *p = prefix; *p && used + 1 < cap; p++)
		out[used++] = *p;
	for (const char *p = tail; *p && used + 1 < cap; p++)
		out[used++] = virt_name_char(*p) ? *p : '-';
	out[used] = '\0';
	return virt_pool_name_why(out) ? -EINVAL : (int)used;
}

int virt_portal_split(const char *portal, char host[VIRT_HOST_MAX], uint16_t *port)
{
	struct net_portal p;
	const void *a;

	if (net_portal_parse(portal, &p))
		return -EINVAL;
	if (p.addr.ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)&p.addr)->sin6_addr;
	else
		a = &((const struct sockaddr_in *)&p.addr)->sin_addr;
	if (!inet_ntop(p.addr.ss_family, a, host, VIRT_HOST_MAX))
		return -EINVAL;
	*port = (uint16_t)net_portal_port(&p);
	return 0;
}

void virt_uuid_format(const uint8_t bytes[16], char out[VIRT_UUID_MAX])
{
	uint8_t b[16];
	size_t o = 0;

	memcpy(b, bytes, sizeof(b));
	/* RFC 4122 §4.4: the version (4, random) and the variant (10xx) */
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = "0123456789abcdef"[b[i] >> 4];
		out[o++] = "0123456789abcdef"[b[i] & 15];
	}
	out[o] = '\0';
}

bool virt_uuid_valid(const char *s)
{
	/* RFC 4122 §3: 8-4-4-4-12 hex digits */
	for (size_t i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			     (c >= 'A' && c <= 'F'))) {
			return false;
		}
	}
	return s[36] == '\0';
}
