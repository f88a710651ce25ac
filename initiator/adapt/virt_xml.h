/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvirt's language (initiator/adapt/virt_xml.c): the storage pool and
 * domain disk XML that portico-pathd hands libvirt, and the names and
 * UUIDs in it. Pure: no I/O, no logging; every builder writes into the
 * caller's buffer and returns the length written (without the NUL) or
 * -ENOSPC, never a cut document; every value is escaped (XML 1.0 §2.4).
 * docs/libvirt.md says why the pools are what they are.
 */
#ifndef PORTICO_INITIATOR_VIRT_XML_H
#define PORTICO_INITIATOR_VIRT_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpath/sm.h"

#define VIRT_NAME_MAX 101  /* a pool or volume name pathd makes, with its NUL */
#define VIRT_UUID_MAX 37   /* RFC 4122 text, with its NUL */
#define VIRT_URI_MAX 256   /* a libvirt connection URI, with its NUL */
#define VIRT_HOST_MAX 64   /* an IPv4 or IPv6 address as text, with its NUL */
#define VIRT_XML_MAX 4096  /* any document built here fits */
#define VIRT_MAPPER_DIR "/dev/mapper"
#define VIRT_BY_PATH_DIR "/dev/disk/by-path"

/* The two forms of pool (docs/libvirt.md). */
enum virt_form {
	VIRT_FORM_MULTIPATH, /* one pool of the LUNs' multipath maps */
	VIRT_FORM_ISCSI,     /* the books' form: an iscsi pool per target, one path */
	VIRT_FORM_COUNT,
};

/* "multipath", "iscsi". */
const char *virt_form_name(enum virt_form f);
/* 0 with *out, or -EINVAL for a name that is neither. */
int virt_form_parse(const char *name, enum virt_form *out);

/* One pool as pathd defines it. */
struct virt_pool_spec {
	enum virt_form form;
	char name[VIRT_NAME_MAX];
	char uuid[VIRT_UUID_MAX]; /* "" leaves it to libvirt (never for a pool pathd defines) */
	/* VIRT_FORM_ISCSI only: the portal and the target */
	char host[VIRT_HOST_MAX]; /* an address, without brackets */
	uint16_t port;
	char target[MP_TARGET_MAX];
};

/*
 * The <pool> document of s, as virsh pool-dumpxml lays one out:
 *   multipath  <pool type='mpath'>, target path /dev/mapper
 *   iscsi      <pool type='iscsi'>, source host and device (the target),
 *              target path /dev/disk/by-path; no <initiator>: with one,
 *              libvirt logs in and out through an iface record of its own,
 *              which holds none of pathd's sessions, and the pool cannot be
 *              stopped (docs/libvirt.md, "The books' form")
 * Length, -ENOSPC, or -EINVAL (an empty name, a value XML cannot carry).
 */
int virt_xml_pool(const struct virt_pool_spec *s, char *buf, size_t len);

/* A domain's disk on a LUN's multipath device, in one of two forms. */
struct virt_disk_spec {
	bool volume;	    /* <disk type='volume'>: pool and vol; else type='block': path */
	const char *pool;   /* volume */
	const char *vol;    /* volume */
	const char *path;   /* block: "/dev/mapper/NAME" */
	const char *target; /* the guest's device: "vdb" */
};

/*
 * The <disk> element of s, with cache='none' io='native' (docs/libvirt.md
 * says why; its examples are these, which the unit test validates).
 * libvirt 9.0 defines a domain with the volume form on an mpath pool but
 * refuses to start it; the block form on /dev/mapper/NAME is the one VMs
 * use. Length, -ENOSPC, or -EINVAL.
 */
int virt_xml_disk(const struct virt_disk_spec *s, char *buf, size_t len);

/*
 * s with '&', '<', '>', '\'' and '"' as entities (XML 1.0 §2.4, §3.3.3),
 * into out. Length, -ENOSPC, or -EINVAL for a control character other
 * than tab, newline and carriage return (XML 1.0 §2.2: no other is a
 * Char) or a string that is not UTF-8.
 */
int virt_xml_escape(const char *s, char *out, size_t len);

/*
 * Why name cannot be the name of a pool pathd defines (NULL: it can):
 * 1 to VIRT_NAME_MAX - 1 bytes of letters, digits, '.', '_', '+' and '-',
 * not starting with '.' or '-'. libvirt itself refuses only '/' (the name
 * is a file under /etc/libvirt/storage); the rest keeps it a word that
 * virsh takes without quotes.
 */
const char *virt_pool_name_why(const char *name);

/*
 * The books' form's pool name for target: prefix and the target's name
 * after its last ':' (the whole name when it has none), each byte that a
 * pool name does not take as '-', cut to fit VIRT_NAME_MAX. Length, or
 * -EINVAL when the result is not a pool name (virt_pool_name_why).
 */
int virt_iscsi_pool_name(const char *prefix, const char *target, char *out, size_t len);

/*
 * A portal "a.b.c.d:port" or "[v6]:port" (port 3260 when none) as the host
 * (without brackets) and port an iscsi pool's <host> takes. 0, or -EINVAL.
 */
int virt_portal_split(const char *portal, char host[VIRT_HOST_MAX], uint16_t *port);

/* 16 random bytes as a version 4 UUID (RFC 4122 §4.4), lower case. */
void virt_uuid_format(const uint8_t bytes[16], char out[VIRT_UUID_MAX]);
/* Whether s is a UUID in RFC 4122 §3's text form (either case). */
bool virt_uuid_valid(const char *s);

#endif
