/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ALUA codec: REPORT TARGET PORT GROUPS parameter data built and
 * parsed, the SET TARGET PORT GROUPS parameter list both ways, the states'
 * names (scsi_alua.h). Pure: bytes in, values out.
 */
#include <errno.h>
#include <string.h>

#include "common/be.h"
#include "common/scsi_alua.h"
#include "common/scsi_proto.h"

#define RTPG_LEN_HDR 4 /* RETURN DATA LENGTH */
#define RTPG_EXT_HDR sizeof(struct scsi_rtpg_ext_hdr)
#define TPG_DESC sizeof(struct scsi_tpg_desc)
#define TPG_PORT sizeof(struct scsi_tpg_port)
#define STPG_DESC sizeof(struct scsi_stpg_desc)

int scsi_rtpg_put_hdr(uint8_t *buf, size_t size, bool ext, uint8_t transition_time)
{
	size_t len = ext ? RTPG_EXT_HDR : RTPG_LEN_HDR;

	if (size < len)
		return -ENOSPC;
	memset(buf, 0, len);
	if (ext) {
		struct scsi_rtpg_ext_hdr *h = (struct scsi_rtpg_ext_hdr *)buf;

		/* SPC-4: FORMAT TYPE 001b says the extended header is there */
		h->format = SCSI_RTPG_FORMAT_EXTENDED << 4;
		h->transition_time = transition_time;
	}
	return (int)len;
}

int scsi_rtpg_put_tpg(uint8_t *buf, size_t size, size_t off, const struct scsi_tpg *g,
		      const uint16_t *rel_ports)
{
	struct scsi_tpg_desc *d;
	size_t len;

	if (g->state > SCSI_TPG_STATE_MASK || g->nports > UINT8_MAX)
		return -EINVAL;
	len = TPG_DESC + TPG_PORT * g->nports;
	if (off > size || size - off < len)
		return -ENOSPC;
	d = (struct scsi_tpg_desc *)(buf + off);
	memset(d, 0, len);
	d->state = (uint8_t)((g->pref ? SCSI_TPG_PREF : 0) | g->state);
	d->sup = g->sup;
	put_be16(d->group, g->id);
	d->status = g->status;
	d->nports = (uint8_t)g->nports;
	for (size_t i = 0; i < g->nports; i++) {
		struct scsi_tpg_port *p =
		    (struct scsi_tpg_port *)(buf + off + TPG_DESC + TPG_PORT * i);

		put_be16(p->rel_port, rel_ports[i]);
	}
	return (int)len;
}

void scsi_rtpg_finish(uint8_t *buf, size_t len)
{
	/* SPC-4: RETURN DATA LENGTH counts what follows it, the whole answer however cut */
	put_be32(buf, (uint32_t)(len - RTPG_LEN_HDR));
}

int scsi_rtpg_iter_init(struct scsi_rtpg_iter *it, const uint8_t *data, size_t len, bool asked_ext)
{
	uint64_t whole;

	memset(it, 0, sizeof(*it));
	if (len < RTPG_LEN_HDR)
		return -EINVAL;
	whole = (uint64_t)get_be32(data) + RTPG_LEN_HDR;
	it->data = data;
	it->end = whole < len ? (size_t)whole : len;
	it->off = RTPG_LEN_HDR;
	/*
	 * SPC-4: a device server that supports only the length-only format
	 * ignores the request for the other; FORMAT TYPE tells them apart.
	 */
	if (asked_ext && it->end >= RTPG_EXT_HDR &&
	    ((data[4] >> 4) & 0x7) == SCSI_RTPG_FORMAT_EXTENDED) {
		it->ext = true;
		it->transition_time = data[5];
		it->off = RTPG_EXT_HDR;
	}
	return 0;
}

int scsi_rtpg_iter_next(struct scsi_rtpg_iter *it, struct scsi_tpg *g)
{
	const struct scsi_tpg_desc *d;
	size_t len;

	if (it->off >= it->end)
		return 0;
	if (it->end - it->off < TPG_DESC)
		return -EINVAL;
	d = (const struct scsi_tpg_desc *)(it->data + it->off);
	len = TPG_DESC + TPG_PORT * (size_t)d->nports;
	if (it->end - it->off < len)
		return -EINVAL;
	g->pref = d->state & SCSI_TPG_PREF;
	g->state = d->state & SCSI_TPG_STATE_MASK;
	g->sup = d->sup;
	g->id = get_be16(d->group);
	g->status = d->status;
	g->nports = d->nports;
	g->ports = it->data + it->off + TPG_DESC;
	it->off += len;
	return 1;
}

uint16_t scsi_tpg_port(const struct scsi_tpg *g, size_t i)
{
	const struct scsi_tpg_port *p = (const struct scsi_tpg_port *)(g->ports + TPG_PORT * i);

	return get_be16(p->rel_port);
}

int scsi_stpg_put(uint8_t *buf, size_t size, const struct scsi_stpg_entry *e, size_t n)
{
	size_t len = SCSI_STPG_HDR_LEN + STPG_DESC * n;

	for (size_t i = 0; i < n; i++)
		if (e[i].state > SCSI_TPG_STATE_MASK)
			return -EINVAL;
	if (size < len)
		return -ENOSPC;
	memset(buf, 0, len);
	for (size_t i = 0; i < n; i++) {
		struct scsi_stpg_desc *d =
		    (struct scsi_stpg_desc *)(buf + SCSI_STPG_HDR_LEN + STPG_DESC * i);

		d->state = e[i].state;
		put_be16(d->group, e[i].id);
	}
	return (int)len;
}

int scsi_stpg_parse(const uint8_t *p, size_t len, struct scsi_stpg_entry *out, size_t max,
		    size_t *n)
{
	size_t count;

	*n = 0;
	if (!len)
		return 0;
	if (len < SCSI_STPG_HDR_LEN || (len - SCSI_STPG_HDR_LEN) % STPG_DESC)
		return -EINVAL;
	count = (len - SCSI_STPG_HDR_LEN) / STPG_DESC;
	*n = count;
	if (count > max)
		return -ENOSPC;
	for (size_t i = 0; i < count; i++) {
		const struct scsi_stpg_desc *d =
		    (const struct scsi_stpg_desc *)(p + SCSI_STPG_HDR_LEN + STPG_DESC * i);

		out[i].state = d->state & SCSI_TPG_STATE_MASK;
		out[i].id = get_be16(d->group);
	}
	return 0;
}

const char *scsi_alua_state_name(uint8_t state)
{
	switch (state) {
	case SCSI_ALUA_ACTIVE_OPTIMIZED:
		return "active/optimized";
	case SCSI_ALUA_ACTIVE_NON_OPTIMIZED:
		return "active/non-optimized";
	case SCSI_ALUA_STANDBY:
		return "standby";
	case SCSI_ALUA_UNAVAILABLE:
		return "unavailable";
	case SCSI_ALUA_LBA_DEPENDENT:
		return "lba-dependent";
	case SCSI_ALUA_OFFLINE:
		return "offline";
	case SCSI_ALUA_TRANSITIONING:
		return "transitioning";
	default:
		return "reserved";
	}
}
