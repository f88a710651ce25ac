/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iSCSI TransportIDs (pr_tid.h; SPC-4 §7.6.4.6). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/be.h"
#include "common/scsi_proto.h"
#include "common/util.h"
#include "target/scsi/pr_tid.h"

#define TID_HDR 4u
#define TID_MIN_ADD_LEN 20u
#define TID_FORMAT_DEVICE 0u
#define TID_FORMAT_PORT 1u
#define TID_ISID_SEP ",i,0x"

/* RFC 7143 §4.2.7.2: printable ASCII, no spaces; a comma would end the name early. */
static bool tid_name_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f && c != ',';
}

static int tid_bad(size_t *bad, size_t off)
{
	*bad = off;
	return -EINVAL;
}

int pr_tid_parse(const uint8_t *p, size_t len, struct pr_tid *tid, size_t *bad)
{
	size_t add, end, n, i, sep;
	uint64_t isid = 0;
	unsigned int fmt;

	memset(tid, 0, sizeof(*tid));
	if (len < TID_HDR)
		return tid_bad(bad, 0);
	/* SPC-4 §7.6.4.1: PROTOCOL IDENTIFIER; this target speaks iSCSI only */
	if ((p[0] & 0x0f) != SCSI_PROTOCOL_ISCSI)
		return tid_bad(bad, 0);
	fmt = p[0] >> 6;
	if (fmt != TID_FORMAT_DEVICE && fmt != TID_FORMAT_PORT)
		return tid_bad(bad, 0);
	/* SPC-4 §7.6.4.6: ADDITIONAL LENGTH at least 20, a multiple of 4; all of it here */
	add = get_be16(p + 2);
	if (add < TID_MIN_ADD_LEN || add % 4 || add > len - TID_HDR)
		return tid_bad(bad, 2);
	end = TID_HDR + add;
	/* the name, NUL-terminated inside the TransportID */
	for (n = TID_HDR; n < end && p[n]; n++)
		;
	if (n == end)
		return tid_bad(bad, TID_HDR);
	/* then zeros to the end (the padding) */
	for (i = n; i < end; i++) {
		if (p[i])
			return tid_bad(bad, i);
	}
	n -= TID_HDR;
	p += TID_HDR;
	if (fmt == TID_FORMAT_DEVICE) {
		sep = n;
	} else {
		/* "<iSCSI name>,i,0x<ISID>": the name ends at the first comma */
		for (sep = 0; sep < n && p[sep] != ','; sep++)
			;
		if (n - sep <= strlen(TID_ISID_SEP) ||
		    strncasecmp((const char *)p + sep, TID_ISID_SEP, strlen(TID_ISID_SEP)))
			return tid_bad(bad, TID_HDR + sep);
		if (n - sep - strlen(TID_ISID_SEP) > 12)
			return tid_bad(bad, TID_HDR + sep);
		for (i = sep + strlen(TID_ISID_SEP); i < n; i++) {
			int h = hex_digit(p[i]);

			if (h < 0)
				return tid_bad(bad, TID_HDR + i);
			isid = isid << 4 | (uint64_t)h;
		}
	}
	if (!sep || sep > PR_TID_ISCSI_NAME_MAX)
		return tid_bad(bad, TID_HDR);
	for (i = 0; i < sep; i++) {
		if (!tid_name_char(p[i]))
			return tid_bad(bad, TID_HDR + i);
	}
	memcpy(tid->name, p, sep);
	tid->device = fmt == TID_FORMAT_DEVICE;
	/* the port as the transport writes it (target/iscsi/session.c): 12 lowercase digits */
	if (!tid->device)
		snprintf(tid->name + sep, sizeof(tid->name) - sep, ",i,0x%012llx",
			 (unsigned long long)isid);
	return (int)end;
}

size_t pr_tid_len(const char *name)
{
	size_t n = ALIGN_UP(strlen(name) + 1, (size_t)4);

	return TID_HDR + (n < TID_MIN_ADD_LEN ? TID_MIN_ADD_LEN : n);
}

void pr_tid_put(const char *name, bool device, uint8_t *p)
{
	size_t len = pr_tid_len(name);

	memset(p, 0, len);
	p[0] = (uint8_t)((device ? TID_FORMAT_DEVICE : TID_FORMAT_PORT) << 6 | SCSI_PROTOCOL_ISCSI);
	put_be16(p + 2, (uint16_t)(len - TID_HDR));
	memcpy(p + TID_HDR, name, strlen(name));
}
