// SPDX-License-Identifier: GPL-2.0-or-later
/* The rbd store's pure parts (rbd.h): no I/O, no librbd. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "target/backstore/rbd.h"
#include "target/backstore/rbd_owner.h"

/* Ceph's names: no separator of its image specs ('/', '@'), nothing blank or unprintable. */
static const char *bs_rbd_name_why(const char *s, size_t n)
{
	if (!n)
		return "is empty";
	if (n > BS_RBD_NAME_MAX)
		return "is longer than 95 characters";
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= ' ' || ch >= 0x7f || ch == '/' || ch == '@')
			return "may hold neither '/', '@', blanks nor control characters";
	}
	return NULL;
}

const char *bs_rbd_spec_parse(const char *spec, char *pool, char *image)
{
	const char *slash, *why;
	size_t np, ni;

	if (!spec)
		return "is not POOL/IMAGE";
	slash = strchr(spec, '/');
	if (!slash)
		return "is not POOL/IMAGE";
	np = (size_t)(slash - spec);
	ni = strlen(slash + 1);
	if (!np)
		return "has no pool before '/'";
	if (!ni)
		return "has no image after '/'";
	why = bs_rbd_name_why(spec, np);
	if (!why)
		why = bs_rbd_name_why(slash + 1, ni);
	if (why)
		return why;
	memcpy(pool, spec, np);
	pool[np] = '\0';
	memcpy(image, slash + 1, ni);
	image[ni] = '\0';
	return NULL;
}

const char *bs_rbd_client_name(const char *client, char *out, size_t len)
{
	const char *id = client && client[0] ? client : "admin";
	const char *why;
	int n;

	if (!strncmp(id, "client.", 7))
		id += 7;
	why = bs_rbd_name_why(id, strlen(id));
	if (why)
		return why;
	n = snprintf(out, len, "client.%s", id);
	if (n < 0 || (size_t)n >= len)
		return "is too long";
	return NULL;
}

void bs_rbd_naa_text(const uint8_t naa[8], char out[19])
{
	out[0] = '0';
	out[1] = 'x';
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 + 2 * i, 3, "%02x", naa[i]);
}

int bs_rbd_naa_parse(const char *text, uint8_t naa[8])
{
	uint8_t v[8];

	if (!text || strlen(text) != 18 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
		return -EINVAL;
	for (int i = 0; i < 8; i++) {
		int hi = hex_digit(text[2 + 2 * i]), lo = hex_digit(text[3 + 2 * i]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		v[i] = (uint8_t)(hi << 4 | lo);
	}
	/* SPC-4 §7.8.6.6: an NAA designator's first nibble is its type; 0 is none */
	if (!(v[0] >> 4))
		return -EINVAL;
	memcpy(naa, v, sizeof(v));
	return 0;
}

int bs_rbd_serial_check(const char *serial)
{
	size_t n = serial ? strlen(serial) : 0;

	/* SPC-4 §7.8.15: PRODUCT SERIAL NUMBER is ASCII; porticod's serials hold at most 32 */
	if (!n || n > 32)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (serial[i] <= ' ' || serial[i] >= 0x7f)
			return -EINVAL;
	return 0;
}

/* A number of milliseconds in [lo, hi] from text: 0, or -EINVAL. */
static int bs_rbd_ms(const char *text, unsigned long lo, unsigned long hi, unsigned long *ms)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; text[i]; i++) {
		if (text[i] < '0' || text[i] > '9' || i >= 9)
			return -EINVAL;
		v = v * 10 + (unsigned long)(text[i] - '0');
	}
	if (i == 0 || v < lo || v > hi)
		return -EINVAL;
	*ms = v;
	return 0;
}

const char *bs_rbd_op_timeout(const char *lease_ms, const char *timeout_ms, bool group,
			      unsigned int *secs)
{
	unsigned long lease = BS_OWNER_LEASE_MS, ms, max = BS_RBD_OP_TIMEOUT_MAX_MS;

	if (group) {
		/* a lease the lease's own check refuses: the default's bound here, its error there */
		if (lease_ms && lease_ms[0] && bs_rbd_ms(lease_ms, 3000, 600000, &lease))
			lease = BS_OWNER_LEASE_MS;
		/*
		 * An operation is submitted while the lease (or the
		 * membership) held, at the latest at two thirds of it: given
		 * up after at most a third, it ends before the lease it was
		 * issued under can lapse and another gateway fence this one.
		 */
		max = lease / 3;
	}
	if (timeout_ms && timeout_ms[0]) {
		if (bs_rbd_ms(timeout_ms, 1000, BS_RBD_OP_TIMEOUT_MAX_MS, &ms))
			return "is not a number of milliseconds from 1000 to 600000";
		if (ms > max)
			return "is longer than a third of the gateway group's lease (an operation could outlive the lease it was issued under)";
	} else {
		ms = group ? max : BS_RBD_OP_TIMEOUT_MS;
	}
	/* librados takes whole seconds */
	*secs = (unsigned int)(ms / 1000 ? ms / 1000 : 1);
	return NULL;
}

int bs_rbd_result(enum bs_op op, uint64_t len, long r)
{
	/*
	 * rados_osd_op_timeout gave up on the cluster: this path cannot
	 * reach the medium now. Ended as if fenced (-ESHUTDOWN: NOT READY,
	 * LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN UNAVAILABLE STATE), so
	 * that the host fails the path over or queues, rather than the
	 * hardware error a guest would see as an I/O error.
	 */
	if (r == -ETIMEDOUT)
		return -ESHUTDOWN;
	if (r < 0)
		return (int)r;
	/* librbd reads and writes all of it or fails; a short count is not ours to hide */
	if ((op == BS_OP_READ || op == BS_OP_WRITE) && r > 0 && (uint64_t)r != len)
		return -EIO;
	return 0;
}
