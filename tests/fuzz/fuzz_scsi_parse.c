/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CDB decoder (scsi_cmd_parse, target/scsi): any CDB of any length,
 * for a mapped LUN (512- or 4096-byte blocks, read-only or not) or an
 * unmapped one.
 *
 * Input: byte 0 is the CDB length (1..32: at least the opcode), byte 1 picks the LUN (see
 * below), bytes 2..5 the expected data transfer length, the rest the CDB.
 *
 * Checked: parse never reads beyond the CDB length it was given (the same
 * CDB followed by 00h bytes and by FFh bytes decodes the same); a decoded
 * command has a direction that agrees with its transfer length; a refused
 * one turns into CHECK CONDITION with sense data of at most SCSI_SENSE_MAX
 * bytes in the format the LU asks for.
 */
#include <errno.h>

#include "tests/fuzz/fuzz.h"
#include "target/scsi/scsi.h"
#include "target/scsi/scsi_int.h"
#include "tests/unit/target/scsi/mem_bs.h"

static struct mem_bs *mb[2];
static struct scsi_lu *lu[2];
static struct scsi_itl *itl[2];
static struct scsi_nexus nx;

static size_t list_luns(const struct scsi_nexus *n, uint64_t *luns, size_t max)
{
	(void)n;
	if (max)
		luns[0] = 0;
	return 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct scsi_lu_id id = {
	    .serial = "FUZZ0001", .vendor = "PORTICO", .product = "fuzz", .revision = "1"};

	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	scsi_init();
	strcpy(nx.initiator_port, "iqn.2026-01.org.example:fuzz,i,0x000000000001");
	nx.target_name = "iqn.2026-01.org.example:target";
	nx.tpg_tag = 1;
	nx.list_luns = list_luns;
	/* Parse is pure: the stores hold no data and never see I/O. */
	mb[0] = mem_create(512, 2048, true, true, false);
	mb[1] = mem_create(4096, 1ull << 30, false, false, false);
	for (int i = 0; i < 2; i++) {
		if (scsi_lu_create(&mb[i]->dev, &id, &lu[i]) ||
		    scsi_itl_create(lu[i], &nx, &itl[i]))
			abort();
	}
	return 0;
}

static void parse(struct scsi_cmd *cmd, const uint8_t *cdb, size_t cdb_len, uint8_t tail,
		  uint8_t sel, uint32_t edtl, enum sense_reason *r)
{
	memset(cmd, 0x5a, sizeof(*cmd)); /* parse must set what it returns */
	cmd->nexus = &nx;
	cmd->itl = sel & 0x01 ? NULL : itl[(sel >> 1) & 1];
	cmd->lun = cmd->itl ? 0 : 7;
	memset(cmd->cdb, tail, sizeof(cmd->cdb));
	memcpy(cmd->cdb, cdb, cdb_len);
	cmd->cdb_len = (uint8_t)cdb_len;
	cmd->edtl = edtl;
	cmd->read_only = sel & 0x04;
	cmd->attr = SCSI_TASK_SIMPLE;
	cmd->buf = NULL;
	cmd->buf_len = 0;
	cmd->done = NULL;
	cmd->priv = NULL;
	*r = scsi_cmd_parse(cmd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scsi_cmd a, b;
	enum sense_reason ra, rb;
	uint8_t cdb[SCSI_CDB_MAX] = {0};
	size_t cdb_len;
	uint32_t edtl;
	uint8_t sel;

	if (size < 6)
		return 0;
	cdb_len = 1 + data[0] % SCSI_CDB_MAX;
	sel = data[1];
	edtl = get_be32(data + 2);
	memcpy(cdb, data + 6, MIN(size - 6, cdb_len));

	parse(&a, cdb, cdb_len, 0x00, sel, edtl, &ra);
	parse(&b, cdb, cdb_len, 0xff, sel, edtl, &rb);
	/* A CDB of 1 byte is judged without its missing byte 1 too (scsi-parse-short-cdb). */
	FUZZ_CHECK(ra == rb, "opcode %02xh, %zu-byte CDB: reason %d or %d with what lies beyond it",
		   cdb[0], cdb_len, (int)ra, (int)rb);
	FUZZ_CHECK(ra >= SENSE_OK && ra < SENSE_REASON_MAX, "reason %d", (int)ra);
	if (ra == SENSE_OK) {
		FUZZ_CHECK(
		    a.dir == b.dir && a.xfer_len == b.xfer_len && a.lba == b.lba &&
			a.nblocks == b.nblocks && a.flags == b.flags && a.op == b.op,
		    "opcode %02xh, %zu-byte CDB decodes differently with what lies beyond it",
		    cdb[0], cdb_len);
		FUZZ_CHECK(a.op != NULL, "parsed without a dispatch slot");
		FUZZ_CHECK(a.dir == SCSI_DIR_NONE || a.dir == SCSI_DIR_READ ||
			       a.dir == SCSI_DIR_WRITE,
			   "direction %d", (int)a.dir);
		FUZZ_CHECK(a.dir != SCSI_DIR_NONE || a.xfer_len == 0,
			   "opcode %02xh: %u bytes to move and no direction", cdb[0], a.xfer_len);
		FUZZ_CHECK(a.bounce == NULL, "parse allocated a bounce buffer");
		return 0;
	}
	FUZZ_CHECK(a.sense_field == b.sense_field && a.sense_bit == b.sense_bit &&
		       a.sense_flags == b.sense_flags,
		   "opcode %02xh, %zu-byte CDB: sense points elsewhere with what lies beyond it",
		   cdb[0], cdb_len);
	FUZZ_CHECK(a.bounce == NULL, "a refused parse left a bounce buffer");
	scsi_cmd_set_sense(&a, ra);
	FUZZ_CHECK(a.status == SCSI_STATUS_CHECK_CONDITION, "status %02xh for reason %d", a.status,
		   (int)ra);
	FUZZ_CHECK(a.sense_len >= 8 && a.sense_len <= SCSI_SENSE_MAX, "sense of %u bytes",
		   a.sense_len);
	FUZZ_CHECK((a.sense[0] & 0x7f) == 0x70 || (a.sense[0] & 0x7f) == 0x72,
		   "sense response code %02xh", a.sense[0]);
	if (a.sense_flags & SCSI_SENSE_F_FIELD && a.sense_flags & SCSI_SENSE_F_IN_CDB)
		FUZZ_CHECK(a.sense_field < MAX(cdb_len, 6u),
			   "field pointer to byte %u of a %zu-byte CDB", a.sense_field, cdb_len);
	return 0;
}
