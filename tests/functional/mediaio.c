/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mediaio: removable media and geometry through libiscsi, as
 * tests/functional/media.sh needs them. Prints each step on stdout; exits 0
 * when every step answered as it should, 1 (the step and what came back on
 * stderr) when not.
 *
 *   mediaio removable URL IQN1 IQN2
 *       two sessions (one per initiator name) on one removable LU: RMB,
 *       PREVENT ALLOW MEDIUM REMOVAL from either refusing the other's eject
 *       and load, MEDIUM NOT PRESENT after an eject, the load with NOT
 *       READY TO READY CHANGE (28/00) for the other session, and a logout
 *       ending that session's prevention
 *   mediaio fixed URL IQN1
 *       a fixed disk: RMB 0, PREVENT ALLOW MEDIUM REMOVAL an invalid
 *       opcode, LOEJ an invalid field
 *   mediaio geometry URL IQN1
 *       "bs B lbppbe E lalba L otlg G ugran U ugavalid V": READ CAPACITY
 *       (16) and the Block Limits VPD page
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/functional/ft.h"

#define NOT_READY SCSI_SENSE_NOT_READY
#define ILLEGAL SCSI_SENSE_ILLEGAL_REQUEST
#define UA SCSI_SENSE_UNIT_ATTENTION
#define NO_MEDIUM 0x3a00
#define PREVENTED 0x5302
#define MEDIUM_CHANGED 0x2800

/* one step: what it is, and the key/ASC/ASCQ it must end with (0: GOOD) */
static bool expect(struct iscsi_context *iscsi, struct scsi_task *task, const char *what, int key,
		   int ascq)
{
	char buf[256];
	bool ok;

	if (!task) {
		fprintf(stderr, "%s: no task: %s\n", what, iscsi_get_error(iscsi));
		return false;
	}
	if (!key)
		ok = task->status == SCSI_STATUS_GOOD;
	else
		ok = task->status == SCSI_STATUS_CHECK_CONDITION && (int)task->sense.key == key &&
		     (int)task->sense.ascq == ascq;
	ft_status(iscsi, task, buf, sizeof(buf));
	if (ok)
		printf("%s: %s\n", what, buf);
	else
		fprintf(stderr, "%s: %s, expected %s %d/0x%04x\n", what, buf,
			key ? "sense" : "GOOD", key, ascq);
	scsi_free_scsi_task(task);
	return ok;
}

/*
 * The eject after another session logged out. porticod answers the Logout
 * Request, then the connection closes and the session, with its I_T nexus
 * and that nexus's prevention, ends on its I/O thread: a command of
 * another session may come in between. Tried again while it is still
 * refused, every 10 ms for at most 2 s.
 */
static bool eject_after_logout(struct ft_lun *l)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	struct scsi_task *task;
	int i;

	for (i = 0; i < 200; i++) {
		task = iscsi_startstopunit_sync(l->iscsi, l->lun, 0, 0, 0, 0, 1, 0);
		if (!task || task->status != SCSI_STATUS_CHECK_CONDITION ||
		    task->sense.ascq != PREVENTED)
			return expect(l->iscsi, task, "A eject after B's logout", 0, 0);
		scsi_free_scsi_task(task);
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "A eject after B's logout: still MEDIUM REMOVAL PREVENTED after 2 s\n");
	return false;
}

static struct scsi_task *prevent(struct ft_lun *l, int p)
{
	return iscsi_preventallow_sync(l->iscsi, l->lun, p);
}

/* START STOP UNIT with LOEJ: load (start 1) or eject (start 0) */
static struct scsi_task *loej(struct ft_lun *l, int start)
{
	return iscsi_startstopunit_sync(l->iscsi, l->lun, 0, 0, 0, 0, 1, start);
}

static int rmb(struct ft_lun *l)
{
	struct scsi_task *task = iscsi_inquiry_sync(l->iscsi, l->lun, 0, 0, 96);
	struct scsi_inquiry_standard *inq;
	int r = -1;

	if (!ft_good(l->iscsi, task, "INQUIRY"))
		return -1;
	inq = scsi_datain_unmarshall(task);
	if (inq)
		r = inq->rmb;
	scsi_free_scsi_task(task);
	return r;
}

static int cmd_removable(const char *url, const char *iqn1, const char *iqn2)
{
	struct ft_lun a, b;
	uint8_t block[4096];
	bool ok = true;

	if (!ft_open(&a, url, iqn1, false))
		return 1;
	if (!ft_open(&b, url, iqn2, false)) {
		ft_close(a.iscsi, true);
		return 1;
	}
	if (rmb(&a) != 1 || rmb(&b) != 1) {
		fprintf(stderr, "INQUIRY: RMB is not set\n");
		ok = false;
	} else {
		printf("INQUIRY: RMB 1\n");
	}
	/* A prevents: B can neither eject nor load; A cannot either */
	ok = ok && expect(a.iscsi, prevent(&a, 1), "A PREVENT", 0, 0);
	ok = ok && expect(b.iscsi, loej(&b, 0), "B eject while A prevents", ILLEGAL, PREVENTED);
	ok = ok && expect(a.iscsi, loej(&a, 0), "A eject while A prevents", ILLEGAL, PREVENTED);
	ok = ok &&
	     expect(b.iscsi, iscsi_testunitready_sync(b.iscsi, b.lun), "B TEST UNIT READY", 0, 0);
	/* both prevent; A allows: B still prevents */
	ok = ok && expect(b.iscsi, prevent(&b, 1), "B PREVENT", 0, 0);
	ok = ok && expect(a.iscsi, prevent(&a, 0), "A ALLOW", 0, 0);
	ok = ok && expect(a.iscsi, loej(&a, 0), "A eject while B prevents", ILLEGAL, PREVENTED);
	ok = ok && expect(b.iscsi, prevent(&b, 0), "B ALLOW", 0, 0);
	/* the eject: no medium for either session */
	ok = ok && expect(a.iscsi, loej(&a, 0), "A eject", 0, 0);
	ok = ok && expect(b.iscsi, iscsi_testunitready_sync(b.iscsi, b.lun),
			  "B TEST UNIT READY without medium", NOT_READY, NO_MEDIUM);
	ok = ok && expect(b.iscsi, iscsi_read10_sync(b.iscsi, b.lun, 0, a.bs, a.bs, 0, 0, 0, 0, 0),
			  "B READ(10) without medium", NOT_READY, NO_MEDIUM);
	ok = ok && expect(a.iscsi, iscsi_readcapacity10_sync(a.iscsi, a.lun, 0, 0),
			  "A READ CAPACITY(10) without medium", NOT_READY, NO_MEDIUM);
	memset(block, 0x5a, sizeof(block));
	ok =
	    ok && a.bs <= sizeof(block) &&
	    expect(a.iscsi, iscsi_write10_sync(a.iscsi, a.lun, 0, block, a.bs, a.bs, 0, 0, 0, 0, 0),
		   "A WRITE(10) without medium", NOT_READY, NO_MEDIUM);
	/* B locks the empty drive: A cannot load */
	ok = ok && expect(b.iscsi, prevent(&b, 1), "B PREVENT without medium", 0, 0);
	ok = ok && expect(a.iscsi, loej(&a, 1), "A load while B prevents", ILLEGAL, PREVENTED);
	ok = ok && expect(b.iscsi, prevent(&b, 0), "B ALLOW", 0, 0);
	/* B loads: A is told the medium may have changed, once */
	ok = ok && expect(b.iscsi, loej(&b, 1), "B load", 0, 0);
	ok = ok && expect(b.iscsi, iscsi_testunitready_sync(b.iscsi, b.lun),
			  "B TEST UNIT READY after its load", 0, 0);
	ok = ok && expect(a.iscsi, iscsi_testunitready_sync(a.iscsi, a.lun),
			  "A TEST UNIT READY after B's load", UA, MEDIUM_CHANGED);
	ok = ok && expect(a.iscsi, iscsi_testunitready_sync(a.iscsi, a.lun),
			  "A TEST UNIT READY again", 0, 0);
	/* a logout (I_T nexus loss) ends B's prevention */
	ok = ok && expect(b.iscsi, prevent(&b, 1), "B PREVENT", 0, 0);
	ok = ok && expect(a.iscsi, loej(&a, 0), "A eject while B prevents", ILLEGAL, PREVENTED);
	ft_close(b.iscsi, true);
	if (ok)
		printf("B logged out\n");
	ok = ok && eject_after_logout(&a);
	ok = ok && expect(a.iscsi, loej(&a, 1), "A load", 0, 0);
	ok = ok &&
	     expect(a.iscsi, iscsi_testunitready_sync(a.iscsi, a.lun), "A TEST UNIT READY", 0, 0);
	if (!ok && iscsi_is_logged_in(b.iscsi))
		ft_close(b.iscsi, true);
	ft_close(a.iscsi, true);
	return ok ? 0 : 1;
}

static int cmd_fixed(const char *url, const char *iqn1)
{
	struct ft_lun a;
	bool ok = true;

	if (!ft_open(&a, url, iqn1, false))
		return 1;
	if (rmb(&a) != 0) {
		fprintf(stderr, "INQUIRY: RMB is set on a fixed disk\n");
		ok = false;
	} else {
		printf("INQUIRY: RMB 0\n");
	}
	ok = ok && expect(a.iscsi, prevent(&a, 1), "PREVENT on a fixed disk", ILLEGAL, 0x2000);
	ok = ok && expect(a.iscsi, loej(&a, 0), "eject on a fixed disk", ILLEGAL, 0x2400);
	ok = ok &&
	     expect(a.iscsi, iscsi_testunitready_sync(a.iscsi, a.lun), "TEST UNIT READY", 0, 0);
	ft_close(a.iscsi, true);
	return ok ? 0 : 1;
}

static int cmd_geometry(const char *url, const char *iqn1)
{
	struct ft_lun a;
	struct scsi_task *task;
	struct scsi_readcapacity16 *rc;
	struct scsi_inquiry_block_limits *bl;
	int ret = 1;

	if (!ft_open(&a, url, iqn1, false))
		return 1;
	task = iscsi_readcapacity16_sync(a.iscsi, a.lun);
	if (!ft_good(a.iscsi, task, "READ CAPACITY(16)"))
		goto out;
	rc = scsi_datain_unmarshall(task);
	if (!rc) {
		scsi_free_scsi_task(task);
		goto out;
	}
	printf("bs %u lbppbe %u lalba %u ", rc->block_length, rc->lbppbe, rc->lalba);
	scsi_free_scsi_task(task);
	task = iscsi_inquiry_sync(a.iscsi, a.lun, 1, SCSI_INQUIRY_PAGECODE_BLOCK_LIMITS, 64);
	if (!ft_good(a.iscsi, task, "INQUIRY VPD B0"))
		goto out;
	bl = scsi_datain_unmarshall(task);
	if (bl) {
		printf("otlg %u ugran %u ugavalid %u\n", bl->opt_gran, bl->opt_unmap_gran,
		       bl->ugavalid);
		ret = 0;
	}
	scsi_free_scsi_task(task);
out:
	ft_close(a.iscsi, true);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "removable"))
		return cmd_removable(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "fixed"))
		return cmd_fixed(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "geometry"))
		return cmd_geometry(argv[2], argv[3]);
	fprintf(stderr, "usage: mediaio removable URL IQN1 IQN2 | fixed URL IQN1 | "
			"geometry URL IQN1\n");
	return 2;
}
