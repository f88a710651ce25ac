/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iSCSI TransportIDs (SPC-4 §7.6.4.6), as PERSISTENT RESERVE OUT names I_T
 * nexuses other than its own: REGISTER with SPEC_I_PT, REGISTER AND MOVE.
 * Pure wire code, bounded by its length arguments.
 *
 *   byte 0     FORMAT CODE (bits 7-6): 00b an initiator device (its iSCSI
 *              name), 01b an initiator port (name and ISID); bits 5-4
 *              reserved; PROTOCOL IDENTIFIER (bits 3-0): 5h, iSCSI
 *   byte 1     reserved
 *   bytes 2-3  ADDITIONAL LENGTH: the bytes after byte 3, a multiple of 4,
 *              at least 20
 *   bytes 4-   format 00b: "<iSCSI name>"; format 01b: "<iSCSI name>,i,0x<ISID
 *              in hex>"; NUL-terminated, then zeros to the end
 */
#ifndef PORTICO_TARGET_SCSI_PR_TID_H
#define PORTICO_TARGET_SCSI_PR_TID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 7143 §4.2.7.1: an iSCSI name is at most 223 bytes. */
#define PR_TID_ISCSI_NAME_MAX 223
/* "<name>,i,0x" and 12 hex digits */
#define PR_TID_PORT_MAX (PR_TID_ISCSI_NAME_MAX + 5 + 12)

struct pr_tid {
	/*
	 * The initiator port as the transport names it ("<iSCSI name>,i,0x<ISID>",
	 * the ISID as 12 lowercase hex digits), or for format 00b the iSCSI name
	 * alone, which stands for every port of the initiator device.
	 */
	char name[PR_TID_PORT_MAX + 1];
	bool device; /* format 00b */
};

/*
 * Parses the TransportID at p, of which len bytes are there. Returns its
 * whole length (4 + ADDITIONAL LENGTH), or -EINVAL with *bad set to the
 * offset (from p) of the field at fault: a TransportID cut short by len,
 * another protocol, a format this transport does not have, an ADDITIONAL
 * LENGTH below 20 or not a multiple of 4, a name that is empty, not
 * NUL-terminated inside, not printable ASCII without spaces or commas, too
 * long, or followed by bytes other than zero, an ISID that is not 1 to 12
 * hex digits after ",i,0x".
 */
int pr_tid_parse(const uint8_t *p, size_t len, struct pr_tid *tid, size_t *bad);

/* The TransportID of name (device: format 00b, else 01b) into p, the length it takes. */
size_t pr_tid_len(const char *name);
void pr_tid_put(const char *name, bool device, uint8_t *p);

#endif
