// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * portico-pathd's failover actions (pathd_int.h): the path checker's
 * checks (MP_ACT_CHECK, through initiator/adapt/tur.h) and their verdicts
 * as the state machine takes them, and the kick of a dead session
 * (MP_ACT_KICK: its recovery timeout to 0, its TCP connection destroyed,
 * through initiator/adapt/sesstmo.h and sockkill.h). docs/pathd.md,
 * "Failover", says why these levers and in this order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ev.h"
#include "common/log.h"
#include "common/scsi_proto.h"
#include "common/util.h"
#include "initiator/adapt/sesstmo.h"
#include "initiator/adapt/sockkill.h"
#include "initiator/adapt/tur.h"
#include "initiator/pathd/pathd_int.h"

#define COMP PATHD_COMPONENT

/* The ifindex of storage NIC name, 0 when pathd does not know it. */
static uint32_t pd_nic_ifindex(struct pathd *pd, const char *name)
{
	struct mp_ev_nic nics[64];
	size_t n = MIN(mp_sm_nics(pd->sm, nics, ARRAY_SIZE(nics)), ARRAY_SIZE(nics));

	for (size_t i = 0; i < n; i++)
		if (!strcmp(nics[i].name, name))
			return (uint32_t)nics[i].ifindex;
	return 0;
}

/*
 * Session sid is dead (its NIC lost carrier, or a check through it got no
 * answer): its I/O fails now, so that dm-multipath retries it on the other
 * paths, instead of after a NOP-Out timeout and the recovery timeout. Its
 * recovery timeout goes to 0 first (the kernel reads it when the
 * connection fails: scsi_transport_iscsi.c), then its TCP connection is
 * destroyed, which iscsi_tcp sees as a connection error at once. The
 * machine writes the policy's timeout back once the session is logged in
 * again (MP_ACT_SESSION_TMO).
 */
void pd_kick(struct pathd *pd, const struct mp_link_key *key, uint32_t sid)
{
	int64_t t0 = ev_now_ms();
	struct sesstmo_conn c;
	struct sockdiag_match m;
	struct sockkill_result res;
	char err[256];
	int rc;

	/* the connection's two ends first: they are gone once the kernel fails it */
	rc = sesstmo_conn_read(pd->env.sysfs_root, sid, &c, err, sizeof(err));
	if (rc == -ENOTCONN) {
		log_info(COMP, "session %u ('%s' at %s over '%s'): already failing", sid, key->target,
			 key->portal, key->nic);
		return;
	}
	if (sesstmo_set(pd->env.sysfs_root, sid, 0, err, sizeof(err))) {
		log_warn(COMP, "session %u: cannot set its recovery timeout to 0 (%s): its I/O waits for the NOP-Out and the recovery timeout",
			 sid, err);
		return;
	}
	if (rc) {
		log_warn(COMP, "session %u: cannot read its connection (%s): its I/O waits for the NOP-Out",
			 sid, err);
		return;
	}
	if (!pd->sockkill) {
		log_info(COMP, "session %u ('%s' at %s over '%s'): recovery timeout 0; its connection is left to the NOP-Out (this kernel cannot destroy sockets)",
			 sid, key->target, key->portal, key->nic);
		return;
	}
	sesstmo_conn_match(&c, pd_nic_ifindex(pd, key->nic), &m);
	rc = sockkill_destroy(&m, &res, err, sizeof(err));
	if (rc)
		log_warn(COMP, "session %u: cannot destroy its connection (%s): its I/O waits for the NOP-Out",
			 sid, err);
	else
		log_info(COMP, "session %u ('%s' at %s over '%s'): failed at once, its I/O to the other paths (%u connection(s) destroyed, %lld ms)",
			 sid, key->target, key->portal, key->nic, res.destroyed,
			 (long long)(ev_now_ms() - t0));
}

/* A check's verdict, as the machine takes it. */
static enum mp_check_result pd_check_result(const struct tur_result *r, unsigned int *ua)
{
	*ua = 0;
	for (size_t i = 0; i < r->nuas; i++) {
		/* SPC-4 Annex D: 3Fh/0Eh REPORTED LUNS DATA HAS CHANGED, 2Ah/09h CAPACITY DATA HAS CHANGED */
		if (r->uas[i].asc == 0x3f && r->uas[i].ascq == 0x0e)
			*ua |= MP_UA_LUNS_CHANGED;
		if (r->uas[i].asc == 0x2a && r->uas[i].ascq == 0x09)
			*ua |= MP_UA_CAPACITY_CHANGED;
		/* SPC-4 §5.16.2.5: 2Ah/06h ASYMMETRIC ACCESS STATE CHANGED */
		if (r->uas[i].asc == 0x2a && r->uas[i].ascq == 0x06)
			*ua |= MP_UA_ALUA_CHANGED;
	}
	switch (r->state) {
	case TUR_STATE_UP:
		return MP_CHECK_UP;
	case TUR_STATE_STANDBY:
		return MP_CHECK_STANDBY;
	case TUR_STATE_UNAVAILABLE:
	case TUR_STATE_TRANSITIONING:
		return MP_CHECK_INACCESSIBLE;
	case TUR_STATE_NOT_READY:
		return MP_CHECK_DOWN_LU;
	case TUR_STATE_UNKNOWN:
		return MP_CHECK_UNKNOWN;
	case TUR_STATE_DOWN:
		break;
	}
	switch (r->cause) {
	case TUR_CAUSE_TIMEOUT:
	case TUR_CAUSE_TRANSPORT:
		/* no answer, or the connection failed: the session is dead, not the LU */
		return MP_CHECK_DOWN_LINK;
	case TUR_CAUSE_WWID:
		return MP_CHECK_WWID_CHANGED;
	case TUR_CAUSE_SENSE:
		/* SPC-4 Annex D, 25h/00h LOGICAL UNIT NOT SUPPORTED: the target unmapped it */
		if (r->has_sense && r->sense.key == SCSI_SENSE_KEY_ILLEGAL_REQUEST &&
		    r->sense.asc == 0x25 && r->sense.ascq == 0x00)
			return MP_CHECK_LU_GONE;
		return MP_CHECK_DOWN_LU;
	default:
		return MP_CHECK_DOWN_LU;
	}
}

static void pd_checked(void *arg, const struct tur_result *res)
{
	struct pd_op *op = arg;
	struct mp_event ev = { .type = MP_EV_CHECK_DONE };
	struct mp_ev_check *c = &ev.u.check;

	c->key = op->act.u.check.key;
	snprintf(c->devt, sizeof(c->devt), "%s", op->act.u.check.devt);
	c->result = pd_check_result(res, &c->ua);
	c->took_ms = (uint32_t)MIN(res->ms, (int64_t)UINT32_MAX);
	snprintf(c->reason, sizeof(c->reason), "%s", res->text);
	if (c->result == MP_CHECK_UP || c->result == MP_CHECK_UNKNOWN)
		log_dbg(COMP, "path '%s': %s (%lld ms)", op->act.u.check.dev, res->text,
			(long long)res->ms);
	else
		log_warn(COMP, "path '%s': check failed after %lld ms: %s", op->act.u.check.dev,
			 (long long)res->ms, res->text);
	pd_feed(op->pd, &ev);
	free(op);
}

/* MP_ACT_CHECK: TEST UNIT READY, and the WWID when the machine asks for it. */
void pd_check(struct pathd *pd, const struct mp_action *a)
{
	struct pd_op *op = pd_op_new(pd, a);
	struct mp_event ev = { .type = MP_EV_CHECK_DONE };
	int rc = -ENOMEM;

	if (op)
		rc = a->u.check.wwid[0] ?
			     tur_probe(pd->tur, a->u.check.dev, a->u.check.wwid,
				       a->u.check.timeout_ms, pd_checked, op, NULL) :
			     tur_check(pd->tur, a->u.check.dev, a->u.check.timeout_ms, pd_checked,
				       op, NULL);
	if (!rc)
		return;
	free(op);
	/* not checked: no news of the path, and the machine asks again later */
	log_warn(COMP, "path '%s': cannot check it: %s", a->u.check.dev, strerror(-rc));
	ev.u.check.key = a->u.check.key;
	snprintf(ev.u.check.devt, sizeof(ev.u.check.devt), "%s", a->u.check.devt);
	ev.u.check.result = MP_CHECK_UNKNOWN;
	pd_feed(pd, &ev);
}
