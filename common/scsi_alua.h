/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ALUA codec both halves share, pure (SPC-4 §5.16): REPORT TARGET PORT
 * GROUPS parameter data built into a caller's buffer (porticod) and read
 * back out (a host that groups its paths by state, the tests), the SET
 * TARGET PORT GROUPS parameter list both ways, and the names of the
 * asymmetric access states as Linux writes them in sysfs (access_state).
 */
#ifndef PORTICO_COMMON_SCSI_ALUA_H
#define PORTICO_COMMON_SCSI_ALUA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The values (enum scsi_alua_state, SCSI_TPG_SUP_*, ...) are in
 * common/scsi_proto.h, which this header leaves out so that a program
 * built on libiscsi's own SCSI definitions can use the codec too.
 */

/*
 * One target port group descriptor, decoded. The builder reads it (and the
 * relative port identifiers it is given); the parser fills it, ports
 * pointing at the nports target port descriptors in the data.
 */
struct scsi_tpg {
	uint16_t id;	      /* TARGET PORT GROUP */
	uint8_t state;	      /* ASYMMETRIC ACCESS STATE, enum scsi_alua_state (4 bits) */
	bool pref;	      /* PREF: a preferred target port group */
	uint8_t sup;	      /* the states the group supports, SCSI_TPG_SUP_* */
	uint8_t status;	      /* STATUS CODE, enum scsi_alua_status */
	size_t nports;	      /* TARGET PORT COUNT */
	const uint8_t *ports; /* parsed: nports struct scsi_tpg_port */
};

/*
 * Starts REPORT TARGET PORT GROUPS parameter data in buf[0..size): the
 * length-only header (4 bytes) or, when ext, the extended header (8 bytes,
 * FORMAT TYPE 001b and transition_time). Returns the header's length, or
 * -ENOSPC.
 */
int scsi_rtpg_put_hdr(uint8_t *buf, size_t size, bool ext, uint8_t transition_time);

/*
 * Appends the descriptor g with g->nports target port descriptors, one per
 * rel_ports[i], at offset off. Returns the bytes written (8 + 4 * nports),
 * -EINVAL when a field does not fit (a state over 4 bits, more than 255
 * ports), or -ENOSPC (nothing is written then).
 */
int scsi_rtpg_put_tpg(uint8_t *buf, size_t size, size_t off, const struct scsi_tpg *g,
		      const uint16_t *rel_ports);

/* Sets RETURN DATA LENGTH of parameter data that is len bytes long (len >= 4). */
void scsi_rtpg_finish(uint8_t *buf, size_t len);

/* A walk over the descriptors of REPORT TARGET PORT GROUPS parameter data. */
struct scsi_rtpg_iter {
	const uint8_t *data;
	size_t off; /* the next descriptor */
	size_t end; /* the data returned and received: min(len, 4 + RETURN DATA LENGTH) */
	bool ext;   /* the extended header came back */
	uint8_t transition_time; /* IMPLICIT TRANSITION TIME (extended header), else 0 */
};

/*
 * Starts a walk over len bytes of parameter data received for a REPORT
 * TARGET PORT GROUPS that asked for the extended header when asked_ext. A
 * device server that does not know the extended format answers with the
 * length-only one: the data's FORMAT TYPE decides. 0, or -EINVAL when the
 * header is cut short.
 */
int scsi_rtpg_iter_init(struct scsi_rtpg_iter *it, const uint8_t *data, size_t len, bool asked_ext);

/*
 * The next target port group descriptor into *g: 1, or 0 when there is no
 * more, or -EINVAL when a descriptor or its target ports run past the end
 * (data cut short by the allocation length: ask again with more room).
 */
int scsi_rtpg_iter_next(struct scsi_rtpg_iter *it, struct scsi_tpg *g);

/* The relative target port identifier of the i-th port of a parsed g (i < g->nports). */
uint16_t scsi_tpg_port(const struct scsi_tpg *g, size_t i);

/* One set target port group descriptor of SET TARGET PORT GROUPS. */
struct scsi_stpg_entry {
	uint16_t id;   /* TARGET PORT GROUP */
	uint8_t state; /* the asymmetric access state asked for */
};

/*
 * Builds a SET TARGET PORT GROUPS parameter list of n descriptors into
 * buf[0..size). Returns its length (4 + 4 * n), -EINVAL (a state over 4
 * bits) or -ENOSPC.
 */
int scsi_stpg_put(uint8_t *buf, size_t size, const struct scsi_stpg_entry *e, size_t n);

/*
 * Reads a SET TARGET PORT GROUPS parameter list of len bytes: its
 * descriptors into out[0..max), *n how many there are. The list is a
 * 4-byte header and 4-byte descriptors: 0 (len 0 included: no descriptor),
 * -EINVAL when len is not that, -ENOSPC when there are more than max (*n
 * says how many).
 */
int scsi_stpg_parse(const uint8_t *p, size_t len, struct scsi_stpg_entry *out, size_t max,
		    size_t *n);

/*
 * A state's name as Linux's scsi_dh_alua shows it in
 * /sys/class/scsi_device/<h:c:t:l>/device/access_state: "active/optimized",
 * "active/non-optimized", "standby", "unavailable", "lba-dependent",
 * "offline", "transitioning"; "reserved" for the other values.
 */
const char *scsi_alua_state_name(uint8_t state);

#endif
