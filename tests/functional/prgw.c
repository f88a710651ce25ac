/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prgw: one persistent reservation step as a named initiator, for the
 * gateway tests (tests/ceph/pr_gateways.sh). Each run logs in as
 * INITIATOR, passes over the unit attentions of a new session, does one
 * thing and prints what it got:
 *
 *   prgw URL INITIATOR register KEY [aptpl] REGISTER AND IGNORE EXISTING KEY
 *   prgw URL INITIATOR reserve KEY TYPE    RESERVE (TYPE 1 WE, 5 WE_RO, ...)
 *   prgw URL INITIATOR preempt KEY SAKEY TYPE
 *   prgw URL INITIATOR keys                "gen G keys K1 K2 ..." (hex)
 *   prgw URL INITIATOR resv                "resv TYPE KEY" or "resv none"
 *   prgw URL INITIATOR write LBA           WRITE (10) of one block
 *
 * One initiator port per INITIATOR: the ISID is fixed (an I_T nexus, and
 * so a registration, is the initiator's name with its ISID; a new random
 * ISID per run would be a new, unregistered nexus each time).
 *
 * A PERSISTENT RESERVE OUT also prints "took N ms", its own time.
 * The answer is printed as "status GOOD", "status RESERVATION CONFLICT",
 * "status BUSY" or the sense; exit 0 for GOOD, 2 for RESERVATION
 * CONFLICT, 1 otherwise.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/functional/ft.h"

static int answer(struct iscsi_context *iscsi, struct scsi_task *task)
{
	char buf[256];

	if (task && task->status == SCSI_STATUS_RESERVATION_CONFLICT) {
		printf("status RESERVATION CONFLICT\n");
		return 2;
	}
	if (task && task->status == SCSI_STATUS_BUSY) {
		printf("status BUSY\n");
		return 1;
	}
	printf("status %s\n", ft_status(iscsi, task, buf, sizeof(buf)));
	return task && task->status == SCSI_STATUS_GOOD ? 0 : 1;
}

static int prout(struct ft_lun *l, int sa, int type, uint64_t key, uint64_t sa_key, bool aptpl)
{
	struct scsi_persistent_reserve_out_basic p = {
	    .reservation_key = key, .service_action_reservation_key = sa_key, .aptpl = aptpl};
	uint64_t t0 = ft_now_ms();
	struct scsi_task *task =
	    iscsi_persistent_reserve_out_sync(l->iscsi, l->lun, sa, 0, type, &p);
	int rc = answer(l->iscsi, task);

	/* a figure for the record (docs/rbd.md), never checked */
	printf("took %" PRIu64 " ms\n", ft_now_ms() - t0);

	if (task)
		scsi_free_scsi_task(task);
	return rc;
}

static int prin(struct ft_lun *l, int sa)
{
	struct scsi_task *task = iscsi_persistent_reserve_in_sync(l->iscsi, l->lun, sa, 4096);
	struct scsi_persistent_reserve_in_read_reservation *rr;
	struct scsi_persistent_reserve_in_read_keys *rk;
	int i;

	if (!task || task->status != SCSI_STATUS_GOOD) {
		int rc = answer(l->iscsi, task);

		if (task)
			scsi_free_scsi_task(task);
		return rc ? rc : 1;
	}
	if (sa == SCSI_PERSISTENT_RESERVE_READ_KEYS) {
		rk = scsi_datain_unmarshall(task);
		if (!rk)
			ft_die("READ KEYS: cannot parse the data");
		printf("gen %" PRIu32 " keys", rk->prgeneration);
		for (i = 0; i < rk->num_keys; i++)
			printf(" %" PRIx64, rk->keys[i]);
		printf("\n");
	} else {
		rr = scsi_datain_unmarshall(task);
		if (!rr)
			ft_die("READ RESERVATION: cannot parse the data");
		if (rr->reserved)
			printf("resv %d %" PRIx64 "\n", rr->pr_type, rr->reservation_key);
		else
			printf("resv none\n");
	}
	scsi_free_scsi_task(task);
	return 0;
}

static int write1(struct ft_lun *l, uint32_t lba)
{
	unsigned char blk[512];
	struct scsi_task *task;
	int rc;

	memset(blk, 0x5a, sizeof(blk));
	task = iscsi_write10_sync(l->iscsi, l->lun, lba, blk, sizeof(blk), 512, 0, 0, 0, 0, 0);
	rc = answer(l->iscsi, task);
	if (task)
		scsi_free_scsi_task(task);
	return rc;
}

int main(int argc, char **argv)
{
	struct ft_lun l = {0};
	const char *op;
	int rc;

	if (argc < 4)
		ft_die("usage: prgw URL INITIATOR register|reserve|preempt|keys|resv|write ...");
	op = argv[3];
	l.iscsi = iscsi_create_context(argv[2]);
	if (!l.iscsi)
		ft_die("cannot create an iSCSI context");
	iscsi_set_isid_random(l.iscsi, 0x12345, 0);
	if (!ft_connect_ctx(l.iscsi, argv[1], false, false, &l.lun))
		return 1;
	if (!ft_ready(l.iscsi, l.lun)) {
		ft_close(l.iscsi, false);
		return 1;
	}
	if (!strcmp(op, "register") && (argc == 5 || (argc == 6 && !strcmp(argv[5], "aptpl"))))
		rc = prout(&l, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0,
			   strtoull(argv[4], NULL, 16), argc == 6);
	else if (!strcmp(op, "reserve") && argc == 6)
		rc = prout(&l, SCSI_PERSISTENT_RESERVE_RESERVE, atoi(argv[5]),
			   strtoull(argv[4], NULL, 16), 0, false);
	else if (!strcmp(op, "preempt") && argc == 7)
		rc = prout(&l, SCSI_PERSISTENT_RESERVE_PREEMPT, atoi(argv[6]),
			   strtoull(argv[4], NULL, 16), strtoull(argv[5], NULL, 16), false);
	else if (!strcmp(op, "keys"))
		rc = prin(&l, SCSI_PERSISTENT_RESERVE_READ_KEYS);
	else if (!strcmp(op, "resv"))
		rc = prin(&l, SCSI_PERSISTENT_RESERVE_READ_RESERVATION);
	else if (!strcmp(op, "write") && argc == 5)
		rc = write1(&l, (uint32_t)strtoul(argv[4], NULL, 0));
	else
		ft_die("prgw: unknown step '%s' or wrong arguments", op);
	fflush(stdout);
	ft_close(l.iscsi, true);
	return rc;
}
