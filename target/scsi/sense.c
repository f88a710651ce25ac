/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sense data: the one table from enum sense_reason to (sense key, ASC,
 * ASCQ), and the fixed (70h) and descriptor (72h) formats of SPC-4 §4.5,
 * with the INFORMATION field and the sense-key-specific field pointer.
 */
#include <string.h>

#include "common/be.h"
#include "common/util.h"
#include "target/scsi/scsi_int.h"

struct sense_entry {
	uint8_t key;
	uint8_t asc;
	uint8_t ascq;
};

/* SPC-4 annex D (ASC/ASCQ assignments). */
static const struct sense_entry sense_table[SENSE_REASON_MAX] = {
    [SENSE_INVALID_OPCODE] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x20, 0x00},
    [SENSE_INVALID_FIELD_IN_CDB] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x24, 0x00},
    [SENSE_INVALID_FIELD_IN_PARAM_LIST] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x26, 0x00},
    [SENSE_PARAM_LIST_LENGTH_ERROR] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x1a, 0x00},
    [SENSE_LBA_OUT_OF_RANGE] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x21, 0x00},
    [SENSE_LUN_NOT_SUPPORTED] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x25, 0x00},
    [SENSE_SAVING_PARAMS_UNSUP] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x39, 0x00},
    [SENSE_WRITE_PROTECTED] = {SCSI_SENSE_KEY_DATA_PROTECT, 0x27, 0x00},
    [SENSE_SPACE_ALLOC_FAILED] = {SCSI_SENSE_KEY_DATA_PROTECT, 0x27, 0x07},
    [SENSE_READ_ERROR] = {SCSI_SENSE_KEY_MEDIUM_ERROR, 0x11, 0x00},
    [SENSE_WRITE_ERROR] = {SCSI_SENSE_KEY_MEDIUM_ERROR, 0x0c, 0x00},
    [SENSE_MISCOMPARE] = {SCSI_SENSE_KEY_MISCOMPARE, 0x1d, 0x00},
    [SENSE_INTERNAL_TARGET_FAILURE] = {SCSI_SENSE_KEY_HARDWARE_ERROR, 0x44, 0x00},
    [SENSE_NOT_READY_STOPPED] = {SCSI_SENSE_KEY_NOT_READY, 0x04, 0x02},
    /* Aborted, so that the initiator retries once memory is back. */
    [SENSE_INSUFFICIENT_RESOURCES] = {SCSI_SENSE_KEY_ABORTED_COMMAND, 0x55, 0x03},
    [SENSE_TOO_MANY_SEGMENT_DESCRIPTORS] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x26, 0x08},
    [SENSE_INVALID_FIELD_IN_COMMAND_IU] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x0e, 0x03},
    [SENSE_INVALID_RELEASE_OF_PR] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x26, 0x04},
    [SENSE_INSUFFICIENT_REGISTRATION_RESOURCES] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x55, 0x04},
    /* SPC-4 §5.16: LOGICAL UNIT NOT ACCESSIBLE, for each asymmetric access state that refuses */
    [SENSE_ALUA_TRANSITIONING] = {SCSI_SENSE_KEY_NOT_READY, 0x04, 0x0a},
    [SENSE_ALUA_STANDBY] = {SCSI_SENSE_KEY_NOT_READY, 0x04, 0x0b},
    [SENSE_ALUA_UNAVAILABLE] = {SCSI_SENSE_KEY_NOT_READY, 0x04, 0x0c},
    [SENSE_MEDIUM_NOT_PRESENT] = {SCSI_SENSE_KEY_NOT_READY, 0x3a, 0x00},
    [SENSE_MEDIUM_REMOVAL_PREVENTED] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x53, 0x02},
    /* SPC-4 §6.4: EXTENDED COPY */
    [SENSE_TOO_MANY_TARGET_DESCRIPTORS] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x26, 0x06},
    [SENSE_UNSUPPORTED_TARGET_DESCRIPTOR_TYPE] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x26, 0x07},
    [SENSE_UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x26, 0x09},
    [SENSE_OPERATION_IN_PROGRESS] = {SCSI_SENSE_KEY_ILLEGAL_REQUEST, 0x00, 0x16},
    [SENSE_COPY_ABORTED] = {SCSI_SENSE_KEY_COPY_ABORTED, 0x00, 0x00},
    [SENSE_COPY_TARGET_NOT_REACHABLE] = {SCSI_SENSE_KEY_COPY_ABORTED, 0x0d, 0x02},
    [SENSE_COPY_TARGET_FAILURE] = {SCSI_SENSE_KEY_COPY_ABORTED, 0x0d, 0x01},
    [SENSE_SANITIZE_IN_PROGRESS] = {SCSI_SENSE_KEY_NOT_READY, 0x04, 0x1b},
    [SENSE_SANITIZE_FAILED] = {SCSI_SENSE_KEY_MEDIUM_ERROR, 0x31, 0x03},
    [SENSE_INITIATOR_DETECTED_ERROR] = {SCSI_SENSE_KEY_ABORTED_COMMAND, 0x48, 0x00},
    [SENSE_DATA_DIGEST_ERROR] = {SCSI_SENSE_KEY_ABORTED_COMMAND, 0x47, 0x05},
    [SENSE_UNEXPECTED_UNSOLICITED_DATA] = {SCSI_SENSE_KEY_ABORTED_COMMAND, 0x0c, 0x0c},
    [SENSE_NOT_ENOUGH_UNSOLICITED_DATA] = {SCSI_SENSE_KEY_ABORTED_COMMAND, 0x0c, 0x0d},
    [SENSE_DATA_PHASE_ERROR] = {SCSI_SENSE_KEY_ABORTED_COMMAND, 0x4b, 0x00},
    [SENSE_ABORTED_COMMAND] = {SCSI_SENSE_KEY_ABORTED_COMMAND, 0x00, 0x00},
    /*
     * 29/00 (POWER ON, RESET, OR BUS DEVICE RESET OCCURRED) rather than 29/01:
     * initiators (libiscsi's tools, LIO and tgt behave the same) retry on 29/00.
     */
    [SENSE_UA_POWER_ON] = {SCSI_SENSE_KEY_UNIT_ATTENTION, 0x29, 0x00},
    [SENSE_UA_BUS_DEVICE_RESET] = {SCSI_SENSE_KEY_UNIT_ATTENTION, 0x29, 0x03},
    [SENSE_UA_MODE_PARAMS_CHANGED] = {SCSI_SENSE_KEY_UNIT_ATTENTION, 0x2a, 0x01},
    [SENSE_UA_CAPACITY_CHANGED] = {SCSI_SENSE_KEY_UNIT_ATTENTION, 0x2a, 0x09},
    [SENSE_UA_REPORTED_LUNS_CHANGED] = {SCSI_SENSE_KEY_UNIT_ATTENTION, 0x3f, 0x0e},
    [SENSE_UA_COMMANDS_CLEARED_BY_ANOTHER] = {SCSI_SENSE_KEY_UNIT_ATTENTION, 0x2f, 0x00},
    [SENSE_UA_RESERVATIONS_PREEMPTED] = {SCSI_SENSE_KEY_UNIT_ATTENTION, 0x2a, 0x03},
    [SENSE_UA_RESERVATIONS_RELEASED] = {SCSI_SENSE_KEY_UNIT_ATTENTION, 0x2a, 0x04},
    [SENSE_UA_REGISTRATIONS_PREEMPTED] = {SCSI_SENSE_KEY_UNIT_ATTENTION, 0x2a, 0x05},
    [SENSE_UA_ASYMMETRIC_ACCESS_CHANGED] = {SCSI_SENSE_KEY_UNIT_ATTENTION, 0x2a, 0x06},
    /* NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED */
    [SENSE_UA_MEDIUM_CHANGED] = {SCSI_SENSE_KEY_UNIT_ATTENTION, 0x28, 0x00},
    [SENSE_UA_INQUIRY_DATA_CHANGED] = {SCSI_SENSE_KEY_UNIT_ATTENTION, 0x3f, 0x03},
};

bool scsi_sense_lookup(enum sense_reason reason, uint8_t *key, uint8_t *asc, uint8_t *ascq)
{
	const struct sense_entry *e;

	if ((unsigned int)reason >= SENSE_REASON_MAX || reason == SENSE_OK)
		return false;
	e = &sense_table[reason];
	/* Every reason has an entry (no entry uses NO SENSE); sense_test holds us to that. */
	if (e->key == SCSI_SENSE_KEY_NO_SENSE)
		return false;
	*key = e->key;
	*asc = e->asc;
	*ascq = e->ascq;
	return true;
}

/* The unit attentions in the order SAM-5 §5.14 lets us report them: resets first. */
static const struct {
	uint32_t bit;
	enum sense_reason reason;
} ua_order[] = {
    {SCSI_UA_POWER_ON, SENSE_UA_POWER_ON},
    {SCSI_UA_BUS_DEVICE_RESET, SENSE_UA_BUS_DEVICE_RESET},
    {SCSI_UA_COMMANDS_CLEARED_BY_ANOTHER, SENSE_UA_COMMANDS_CLEARED_BY_ANOTHER},
    {SCSI_UA_MODE_PARAMS_CHANGED, SENSE_UA_MODE_PARAMS_CHANGED},
    /* a path manager acts on it: before the ones that only ask for a rescan */
    {SCSI_UA_ASYMMETRIC_ACCESS_CHANGED, SENSE_UA_ASYMMETRIC_ACCESS_CHANGED},
    /* another medium: what the initiator cached of the old one is void */
    {SCSI_UA_MEDIUM_CHANGED, SENSE_UA_MEDIUM_CHANGED},
    {SCSI_UA_CAPACITY_CHANGED, SENSE_UA_CAPACITY_CHANGED},
    {SCSI_UA_INQUIRY_DATA_CHANGED, SENSE_UA_INQUIRY_DATA_CHANGED},
    {SCSI_UA_REPORTED_LUNS_CHANGED, SENSE_UA_REPORTED_LUNS_CHANGED},
    {SCSI_UA_RESERVATIONS_PREEMPTED, SENSE_UA_RESERVATIONS_PREEMPTED},
    {SCSI_UA_RESERVATIONS_RELEASED, SENSE_UA_RESERVATIONS_RELEASED},
    {SCSI_UA_REGISTRATIONS_PREEMPTED, SENSE_UA_REGISTRATIONS_PREEMPTED},
};

enum sense_reason scsi_ua_reason(uint32_t ua_bits)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ua_order); i++)
		if (ua_bits & ua_order[i].bit)
			return ua_order[i].reason;
	return SENSE_OK;
}

uint32_t scsi_itl_take_ua(struct scsi_itl *itl)
{
	uint32_t old = atomic_load(&itl->ua);

	for (;;) {
		uint32_t bit = 0;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(ua_order); i++) {
			if (old & ua_order[i].bit) {
				bit = ua_order[i].bit;
				break;
			}
		}
		if (!bit)
			return 0;
		/* A concurrent raise only adds bits: retry with what is there now. */
		if (atomic_compare_exchange_weak(&itl->ua, &old, old & ~bit))
			return bit;
	}
}

/* The 3 bytes of the sense-key-specific field pointer (SPC-4 §4.5.2.4.2). */
static void sense_put_sks(uint8_t *p, const struct scsi_cmd *cmd)
{
	p[0] = SCSI_SENSE_SKSV;
	if (cmd->sense_flags & SCSI_SENSE_F_IN_CDB)
		p[0] |= SCSI_SENSE_SKS_CD;
	if (cmd->sense_flags & SCSI_SENSE_F_BIT)
		p[0] |= SCSI_SENSE_SKS_BPV | (cmd->sense_bit & 0x7);
	put_be16(p + 1, cmd->sense_field);
}

size_t scsi_sense_build(uint8_t *buf, enum sense_reason reason, bool desc,
			const struct scsi_cmd *cmd)
{
	uint8_t key = SCSI_SENSE_KEY_NO_SENSE, asc = 0, ascq = 0;
	bool info = cmd && (cmd->sense_flags & SCSI_SENSE_F_INFO);
	bool sks = cmd && (cmd->sense_flags & SCSI_SENSE_F_FIELD);

	if (reason != SENSE_OK && !scsi_sense_lookup(reason, &key, &asc, &ascq)) {
		/* A value outside the table is a bug: say so rather than send nothing. */
		scsi_sense_lookup(SENSE_INTERNAL_TARGET_FAILURE, &key, &asc, &ascq);
		info = sks = false;
	}

	if (desc) {
		struct scsi_sense_desc_hdr *h = (struct scsi_sense_desc_hdr *)buf;
		size_t len = sizeof(*h);

		memset(buf, 0, SCSI_SENSE_MAX);
		h->response_code = SCSI_SENSE_DESC_CURRENT;
		h->key = key;
		h->asc = asc;
		h->ascq = ascq;
		if (info) {
			/* SPC-4 §4.5.2.2: information sense data descriptor */
			buf[len] = SCSI_SENSE_DESC_INFORMATION;
			buf[len + 1] = 0x0a;
			buf[len + 2] = SCSI_SENSE_VALID;
			put_be64(buf + len + 4, cmd->sense_info);
			len += 12;
		}
		if (sks) {
			/* SPC-4 §4.5.2.4: sense key specific sense data descriptor */
			buf[len] = SCSI_SENSE_DESC_SKS;
			buf[len + 1] = 0x06;
			sense_put_sks(buf + len + 4, cmd);
			len += 8;
		}
		h->additional_len = (uint8_t)(len - sizeof(*h));
		return len;
	} else {
		struct scsi_sense_fixed *f = (struct scsi_sense_fixed *)buf;

		memset(buf, 0, SCSI_SENSE_MAX);
		f->response_code = SCSI_SENSE_FIXED_CURRENT;
		f->key = key;
		f->additional_len = SCSI_SENSE_FIXED_LEN - 8;
		f->asc = asc;
		f->ascq = ascq;
		/*
		 * SPC-4 §4.5.3: the fixed format's INFORMATION field holds 32
		 * bits; a larger value is not valid there (descriptor format
		 * carries 64).
		 */
		if (info && cmd->sense_info <= UINT32_MAX) {
			f->response_code |= SCSI_SENSE_VALID;
			put_be32(f->information, (uint32_t)cmd->sense_info);
		}
		if (sks)
			sense_put_sks(f->sks, cmd);
		return SCSI_SENSE_FIXED_LEN;
	}
}

void scsi_cmd_set_sense(struct scsi_cmd *cmd, enum sense_reason reason)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	bool desc = lu && atomic_load_explicit(&lu->d_sense, memory_order_relaxed);

	if (reason == SENSE_OK) {
		scsi_cmd_good(cmd);
		return;
	}
	cmd->status = SCSI_STATUS_CHECK_CONDITION;
	cmd->sense_len = (uint8_t)scsi_sense_build(cmd->sense, reason, desc, cmd);
}

enum sense_reason scsi_invalid_cdb(struct scsi_cmd *cmd, unsigned int byte, int bit)
{
	cmd->sense_flags = SCSI_SENSE_F_FIELD | SCSI_SENSE_F_IN_CDB;
	cmd->sense_field = (uint16_t)byte;
	if (bit >= 0) {
		cmd->sense_flags |= SCSI_SENSE_F_BIT;
		cmd->sense_bit = (uint8_t)bit;
	}
	return SENSE_INVALID_FIELD_IN_CDB;
}

enum sense_reason scsi_invalid_param(struct scsi_cmd *cmd, unsigned int byte, int bit)
{
	cmd->sense_flags = SCSI_SENSE_F_FIELD;
	cmd->sense_field = (uint16_t)byte;
	if (bit >= 0) {
		cmd->sense_flags |= SCSI_SENSE_F_BIT;
		cmd->sense_bit = (uint8_t)bit;
	}
	return SENSE_INVALID_FIELD_IN_PARAM_LIST;
}
