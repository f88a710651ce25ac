/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SCSI engine end to end (scsi_cmd_parse, then scsi_cmd_exec against
 * the in-memory backstore of the unit tests): a sequence of commands from
 * two initiators (and an unmapped LUN) on one small logical unit, up to four
 * of them in flight at once.
 *
 * Input: byte 0 shapes the LU (see lu_up()), then fixed records:
 *   flags (1): bits 0-1 nexus (0 and 3: the first initiator, 1: the second,
 *              2: an unmapped LUN), bit 2 mapped read-only, bit 3 leave the
 *              command in flight (run the store later), bits 4-5 task attribute
 *   cdb_len (1): 1 + value % 32
 *   edtl (4): expected data transfer length (big-endian, below 2 MiB)
 *   cdb (16), and bytes 16..31 of a longer CDB are zero
 *   dlen (2): data-out bytes that follow (the rest of the buffer is zero)
 *
 * The data buffer is allocated as the transport does (min(edtl, xfer_len)
 * bytes) but exactly, so that ASan sees any access past buf_len. Checked on
 * every completion: exactly one callback for an asynchronous command, none
 * for a synchronous one, never inside scsi_cmd_exec; data_len <= buf_len;
 * sense_len <= SCSI_SENSE_MAX and sense only with CHECK CONDITION; a valid
 * status; no bounce buffer left. A READ that ends GOOD while nothing else is
 * in flight returns what the store holds, and a WRITE that ends GOOD leaves
 * the whole blocks of its data in the store.
 *
 * ALUA: the first initiator comes through target port group 1, the second
 * through group 2 of one target device, both active/optimized at the start
 * of each input and both taking SET TARGET PORT GROUPS, so that the input
 * can move them (and then meet what standby, unavailable and transitioning
 * refuse).
 */
#include <errno.h>

#include "tests/fuzz/fuzz.h"
#include "common/ev.h"
#include "target/scsi/alua.h"
#include "target/scsi/scsi.h"
#include "target/scsi/scsi_int.h"
#include "tests/unit/target/scsi/mem_bs.h"

#define SLOTS 4
#define REC_LEN 24
#define EDTL_MAX (2u << 20)

struct slot {
	struct scsi_cmd cmd;
	bool busy;     /* between exec and its completion */
	bool in_exec;  /* inside scsi_cmd_exec */
	bool alone;    /* nothing else was in flight when it started */
	bool deferred; /* left in flight: others may run meanwhile */
	int ndone;
	int done_inside_exec;
};

static struct ev_loop *loop;
static struct mem_bs *mb;
static struct scsi_lu *lu;
static struct scsi_itl *itl[2];
static struct scsi_nexus nx[2];
static struct slot slots[SLOTS];
static struct alua_tgt *alua;

static size_t list_luns(const struct scsi_nexus *n, uint64_t *luns, size_t max)
{
	(void)n;
	if (max)
		luns[0] = 0;
	return 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	scsi_init();
	if (ev_loop_create(&loop) || bs_thread_init(loop) || alua_tgt_create(&alua))
		abort();
	for (int i = 0; i < 2; i++) {
		snprintf(nx[i].initiator_port, sizeof(nx[i].initiator_port),
			 "iqn.2026-01.org.example:host%d,i,0x00000000000%d", i, i + 1);
		nx[i].target_name = "iqn.2026-01.org.example:target";
		nx[i].tpg_tag = (uint16_t)(i + 1);
		nx[i].list_luns = list_luns;
		nx[i].alua = alua;
		nx[i].alua_group = alua_tgt_group(alua, (uint16_t)(i + 1), true);
		if (!nx[i].alua_group)
			abort();
	}
	return 0;
}

/* Byte 0: bit 0 4096-byte blocks, bits 1-2 8..64 blocks, bit 3 thin, bit 4 write-back,
 * bit 5 read-only store, bits 6-7 whether each nexus still has its POWER ON attention. */
static void lu_up(uint8_t b)
{
	struct scsi_lu_id id = {.serial = "FUZZ0001",
				.naa = {0x30, 1, 2, 3, 4, 5, 6, 7},
				.vendor = "PORTICO",
				.product = "fuzz",
				.revision = "1"};
	struct alua_group_conf c[2];

	mb = mem_create(b & 0x01 ? 4096 : 512, 8u << ((b >> 1) & 3), b & 0x08, b & 0x10, true);
	mb->dev.readonly = b & 0x20;
	if (scsi_lu_create(&mb->dev, &id, &lu))
		abort();
	for (int i = 0; i < 2; i++) {
		c[i] = (struct alua_group_conf){ .group = nx[i].alua_group, .explicit_ok = true,
						 .set = true, .lus = malloc(sizeof(lu)), .nlus = 1 };
		if (!c[i].lus)
			abort();
		c[i].lus[0] = lu;
	}
	alua_tgt_apply(alua, c, 2);
	for (int i = 0; i < 2; i++) {
		if (scsi_itl_create(lu, &nx[i], &itl[i]))
			abort();
		if (!(b & (0x40 << i)))
			scsi_itl_take_ua(itl[i]);
	}
}

static void lu_down(void)
{
	/* the groups let go of the LU first (alua.h) */
	alua_tgt_apply(alua, NULL, 0);
	for (int i = 0; i < 2; i++)
		scsi_itl_destroy(itl[i]);
	scsi_lu_destroy(lu);
	FUZZ_CHECK(mb->cb_inside_submit == 0, "a store callback ran inside submit");
	mem_destroy(mb);
}

static void on_done(struct scsi_cmd *cmd)
{
	struct slot *s = cmd->priv;

	if (s->in_exec)
		s->done_inside_exec++;
	s->ndone++;
}

static bool is_read(uint8_t op)
{
	return op == 0x08 || op == 0x28 || op == 0xa8 || op == 0x88;
}

static bool is_write(uint8_t op)
{
	return op == 0x0a || op == 0x2a || op == 0xaa || op == 0x8a;
}

/* The outcome of a command that has ended. */
static void check_result(struct slot *s)
{
	struct scsi_cmd *c = &s->cmd;
	uint8_t op = c->cdb[0];

	FUZZ_CHECK(s->done_inside_exec == 0, "opcode %02xh: callback inside scsi_cmd_exec", op);
	FUZZ_CHECK(c->data_len <= c->buf_len, "opcode %02xh: data_len %u > buf_len %u", op,
		   c->data_len, c->buf_len);
	FUZZ_CHECK(c->data_len <= c->xfer_len, "opcode %02xh: data_len %u > xfer_len %u", op,
		   c->data_len, c->xfer_len);
	FUZZ_CHECK(c->sense_len <= SCSI_SENSE_MAX, "opcode %02xh: sense_len %u", op, c->sense_len);
	FUZZ_CHECK(c->bounce == NULL, "opcode %02xh: bounce buffer left", op);
	switch (c->status) {
	case SCSI_STATUS_CHECK_CONDITION:
		FUZZ_CHECK(c->sense_len >= 8, "opcode %02xh: CHECK CONDITION with %u sense bytes",
			   op, c->sense_len);
		FUZZ_CHECK((c->sense[0] & 0x7f) == 0x70 || (c->sense[0] & 0x7f) == 0x72,
			   "opcode %02xh: sense response code %02xh", op, c->sense[0]);
		break;
	case SCSI_STATUS_GOOD:
	case SCSI_STATUS_CONDITION_MET:
	case SCSI_STATUS_BUSY:
	case SCSI_STATUS_RESERVATION_CONFLICT:
	case SCSI_STATUS_TASK_SET_FULL:
		FUZZ_CHECK(c->sense_len == 0, "opcode %02xh: status %02xh with sense", op,
			   c->status);
		break;
	default:
		FUZZ_CHECK(false, "opcode %02xh: status %02xh", op, c->status);
	}
	if (c->status == SCSI_STATUS_GOOD && s->alone && !s->deferred && c->itl && c->buf_len) {
		uint64_t off = c->lba * mb->dev.block_size;

		FUZZ_CHECK(off <= mb->dev.size, "opcode %02xh: GOOD at LBA %llu past the end", op,
			   (unsigned long long)c->lba);
		if (is_read(op))
			FUZZ_CHECK(c->data_len == c->buf_len &&
				       !memcmp(c->buf, mb->data + off, c->data_len),
				   "opcode %02xh: READ returned other data than the store holds",
				   op);
		if (is_write(op)) {
			/*
			 * GOOD means every byte sent is on the medium (sbc.c): a
			 * data-out that ends inside a block is refused, not cut.
			 */
			uint64_t n = c->buf_len;

			FUZZ_CHECK(n <= mb->dev.size - off && !memcmp(c->buf, mb->data + off, n),
				   "opcode %02xh: WRITE left other data in the store", op);
		}
	}
	free(c->buf);
	c->buf = NULL;
	s->busy = false;
}

static bool any_busy(void)
{
	for (int i = 0; i < SLOTS; i++)
		if (slots[i].busy)
			return true;
	return false;
}

static bool any_waiting(void)
{
	for (int i = 0; i < SLOTS; i++)
		if (slots[i].busy && !slots[i].ndone)
			return true;
	return false;
}

/*
 * Runs the store and the loop until the store is empty and the loop has had
 * its turns: the loop carries what a range lock's release grants
 * (bs_wait_fire), so a COMPARE AND WRITE queued behind a READ of its blocks
 * goes on only there. Every command in flight must then have ended.
 */
static void drain(void)
{
	int rounds = 0, idle = 0;

	while (mb->head || idle < 2 || (any_waiting() && idle < 8)) {
		FUZZ_CHECK(++rounds < 1000, "the store never runs dry");
		if (mb->head) {
			mem_drain(mb);
			idle = 0;
		} else {
			FUZZ_CHECK(ev_run_once(loop, 0) >= 0, "the loop failed");
			idle++;
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];

		if (!s->busy)
			continue;
		FUZZ_CHECK(s->ndone == 1, "opcode %02xh: %d callbacks, the store idle",
			   s->cmd.cdb[0], s->ndone);
		check_result(s);
	}
}

static void run_one(struct fuzz_in *in)
{
	uint8_t flags = fuzz_u8(in), len = fuzz_u8(in);
	uint32_t edtl = fuzz_u32(in) % EDTL_MAX;
	const uint8_t *cdb, *out;
	size_t cdb_n = fuzz_bytes(in, 16, &cdb);
	size_t out_n = fuzz_bytes(in, fuzz_u16(in), &out);
	unsigned int which = flags & 3;
	struct slot *s = NULL;
	struct scsi_cmd *c;
	enum sense_reason r;
	enum scsi_exec_result res;

	for (int i = 0; i < SLOTS && !s; i++)
		if (!slots[i].busy)
			s = &slots[i];
	if (!s) {
		drain();
		s = &slots[0];
	}
	memset(s, 0, sizeof(*s));
	c = &s->cmd;
	c->itl = which == 2 ? NULL : itl[which == 1];
	c->nexus = &nx[which == 1];
	c->lun = which == 2 ? 9 : 0;
	memcpy(c->cdb, cdb, cdb_n);
	c->cdb_len = (uint8_t)(1 + len % SCSI_CDB_MAX);
	c->edtl = edtl;
	c->read_only = flags & 0x04;
	c->attr = (enum scsi_task_attr)((flags >> 4) & 3);
	c->done = on_done;
	c->priv = s;

	r = scsi_cmd_parse(c);
	if (r != SENSE_OK) {
		/* The transport ends the command at once. */
		scsi_cmd_set_sense(c, r);
		check_result(s);
		return;
	}
	/* task.c: a buffer of min(EDTL, what the CDB moves), none for no data. */
	c->buf_len = c->dir == SCSI_DIR_NONE ? 0 : MIN(edtl, c->xfer_len);
	if (c->buf_len) {
		void *p;

		if (posix_memalign(&p, 4096, c->buf_len))
			abort();
		c->buf = p;
		memset(c->buf, 0xee, c->buf_len);
		if (c->dir == SCSI_DIR_WRITE) {
			memset(c->buf, 0, c->buf_len);
			memcpy(c->buf, out, MIN(out_n, (size_t)c->buf_len));
		}
	}
	s->alone = !any_busy();
	s->in_exec = true;
	res = scsi_cmd_exec(c);
	s->in_exec = false;
	if (res == SCSI_EXEC_DONE) {
		FUZZ_CHECK(s->ndone == 0, "opcode %02xh: callback for a synchronous command",
			   c->cdb[0]);
		check_result(s);
		return;
	}
	FUZZ_CHECK(res == SCSI_EXEC_ASYNC, "scsi_cmd_exec returned %d", (int)res);
	FUZZ_CHECK(s->done_inside_exec == 0, "opcode %02xh: callback inside scsi_cmd_exec",
		   c->cdb[0]);
	s->busy = true;
	if (flags & 0x08)
		s->deferred = true;
	else
		drain();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
	int n = 0;

	if (size < 1)
		return 0;
	lu_up(data[0]);
	fuzz_in_init(&in, data + 1, size - 1);
	while (fuzz_in_left(&in) >= REC_LEN && n++ < 64)
		run_one(&in);
	drain();
	lu_down();
	return 0;
}
