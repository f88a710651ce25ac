// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state machine's failover half (mpath/sm.h): whether each path may
 * carry I/O, and what to do when that changes.
 *
 * A path may carry I/O ("usable") when its NIC has carrier, its session is
 * logged in, its disk is ready, its last check passed, the target still
 * maps its LUN, the admin did not fail it, and it is not held back as
 * marginal. The verdict is made in one pass (sm_health_reconcile), before
 * the maps' pass; after it, sm_paths_reconcile makes the kernel agree: a
 * path in a table that is not usable is failed there, one that is usable
 * again is reinstated, but only once a check has seen its LUN answer with
 * the same WWID since it last stopped (the name may now lead elsewhere).
 *
 * A session that is dead is kicked (MP_ACT_KICK): its recovery timeout set
 * to 0 and its TCP connection destroyed, so that the I/O it holds fails at
 * once and dm-multipath sends it down another path, instead of waiting for
 * a NOP-Out to time out and then for the recovery timeout. A session is
 * dead when its NIC loses carrier, or when a check through it gets no
 * answer (a switch port, a cable beyond the NIC, the portal died: a silent
 * death). A target that closes the connection itself (its process killed)
 * fails the session before pathd can see anything: for that, a session
 * whose maps all have a spare path runs with recovery timeout 0 all along
 * (sm_session_tmos), the last path of a map with the policy's. Once a
 * kicked session is logged in again (the kernel refuses a timeout while it
 * is failed, and keeps the 0 across relogins), or if the kick never took
 * (the session stayed logged in) after SM_KICK_TAKE_MS, it gets the
 * timeout that rule gives it.
 *
 * Checks (MP_ACT_CHECK, TEST UNIT READY) run on every path in a table: at
 * check_interval_s, doubling on a healthy active path up to
 * check_interval_max_s, as multipathd's checker backs off; at the base
 * interval on a path that is failed or was just changed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "mpath/sm_int.h"

static bool sm_nic_has_carrier(struct mp_sm *sm, const char *name)
{
	struct sm_nic *n = sm_find_nic(sm, name);

	return n && n->present && n->st.up && n->st.carrier;
}

/* Whether p is in a table the kernel has now (not one being made or changed). */
static bool sm_path_in_live_table(struct mp_sm *sm, const struct sm_path *p)
{
	struct sm_map *m = sm_find_map(sm, p->wwid);

	return m && m->exists && p->in_table && !sm_map_busy(m);
}

/* The failures of p within the policy's window, newest first in p->fails. */
static unsigned int sm_recent_fails(const struct mp_sm *sm, const struct sm_path *p, int64_t now)
{
	int64_t since = now - sm->cfg.policy.marginal_window_s * 1000LL;
	unsigned int n = 0;

	for (size_t i = 0; i < SM_FLAP_MAX && p->fails[i]; i++)
		n += p->fails[i] > since;
	return n;
}

static void sm_note_fail(struct mp_sm *sm, struct sm_path *p, int64_t now)
{
	const struct mp_policy *pol = &sm->cfg.policy;

	memmove(&p->fails[1], &p->fails[0], (SM_FLAP_MAX - 1) * sizeof(p->fails[0]));
	p->fails[0] = now;
	if (pol->marginal_failures && sm_recent_fails(sm, p, now) >= pol->marginal_failures)
		p->marginal = true;
}

/*
 * Why p may not carry I/O now, leaving aside the marginal hold and the
 * check before a reinstate; NULL when nothing stands in its way.
 */
static const char *sm_path_blocked(struct mp_sm *sm, struct sm_path *p, char *buf, size_t len)
{
	struct sm_link *l = sm_find_link(sm, &p->key.link);

	if (p->lun_gone) {
		snprintf(buf, len, "the target no longer maps LUN %llu (LOGICAL UNIT NOT SUPPORTED)",
			 (unsigned long long)p->key.lun);
		return buf;
	}
	if (!sm_nic_has_carrier(sm, p->key.link.nic)) {
		snprintf(buf, len, "NIC %s is down or has no carrier", p->key.link.nic);
		return buf;
	}
	if (!l || !l->have_session)
		return "its session is gone";
	if (!l->logged_in) {
		snprintf(buf, len, "session %u is not logged in (reconnecting)", l->sid);
		return buf;
	}
	if (l->kicked) {
		snprintf(buf, len, "session %u is being failed (its I/O moved to the other paths)",
			 l->sid);
		return buf;
	}
	if (!p->ready)
		return "the disk is not ready (offline or blocked)";
	if (p->health == SM_HEALTH_DOWN)
		return p->health_reason;
	if (p->standby && p->standby_refused)
		return "ALUA standby, and dm-multipath could not activate its group (the target refused SET TARGET PORT GROUPS, or allows only implicit transitions): back when its access state changes";
	return NULL;
}

/* The verdict on one path, with its transitions (failures counted, healthy_since). */
static void sm_path_judge(struct mp_sm *sm, struct sm_path *p, int64_t now)
{
	const struct mp_policy *pol = &sm->cfg.policy;
	char buf[MP_REASON_MAX];
	const char *why = sm_path_blocked(sm, p, buf, sizeof(buf));

	if (why) {
		if (p->healthy_since) {
			/* it carried I/O, or could have: a failure, and its LUN to be checked again */
			sm_note_fail(sm, p, now);
			p->verified = false;
		}
		p->healthy_since = 0;
		p->usable = false;
		snprintf(p->why, sizeof(p->why), "%s", why);
	} else {
		if (!p->healthy_since)
			p->healthy_since = now;
		if (p->marginal && now >= p->healthy_since + pol->marginal_hold_s * 1000LL)
			p->marginal = false;
		if (p->marginal) {
			snprintf(p->why, sizeof(p->why),
				 "marginal: it failed %u times in %u s; back in service after %u s of good health (%lld s so far)",
				 sm_recent_fails(sm, p, now), pol->marginal_window_s,
				 pol->marginal_hold_s, (long long)((now - p->healthy_since) / 1000));
			p->usable = false;
		} else if (!p->verified) {
			snprintf(p->why, sizeof(p->why),
				 "being checked (TEST UNIT READY and its WWID) before it carries I/O again");
			p->usable = false;
		} else {
			p->usable = true;
			p->why[0] = '\0';
		}
	}
	/* a path the admin failed is failed, whatever its health */
	if (p->admin_failed) {
		p->usable = false;
		snprintf(p->why, sizeof(p->why), "failed by portico-path fail");
	}
}

/* Kicks what is dead; forgets a kick once its session is back (or it never took). */
static int sm_kicks(struct mp_sm *sm, int64_t now, struct mp_actions *out)
{
	for (size_t i = 0; i < sm->nlinks; i++) {
		struct sm_link *l = &sm->links[i];
		struct mp_action *a;

		if (l->kicked) {
			if (!l->have_session || l->sid != l->kicked_sid) {
				l->kicked = l->kick_took = l->kick_due = false;
				continue;
			}
			/*
			 * The kernel refuses a new timeout while the session is
			 * failed (scsi_transport_iscsi.c: -EBUSY), and keeps the
			 * 0 across its relogins: once it is logged in again, or
			 * when the kick never took, sm_session_tmos gives it the
			 * timeout it should run with.
			 */
			if (!l->logged_in) {
				l->kick_took = true;
				continue;
			}
			if (!l->kick_took && now < l->kicked_at + SM_KICK_TAKE_MS)
				continue;
			l->kicked = l->kick_took = l->kick_due = false;
			continue;
		}
		if (!l->have_session || !l->logged_in)
			continue;
		if (l->kick_due || !sm_nic_has_carrier(sm, l->key.nic)) {
			a = sm_act(out, MP_ACT_KICK);
			if (!a)
				return -ENOMEM;
			a->u.kick.key = l->key;
			a->u.kick.sid = l->sid;
			l->kicked = true;
			l->kicked_at = now;
			l->kicked_sid = l->sid;
			l->kick_due = false;
			continue;
		}
	}
	return 0;
}

/*
 * Whether every path of l that is in a map, or is to be (a WWID, not
 * excluded: its map may still be being made), has another path of that map,
 * through another session, that may carry I/O (usable, in the table the
 * kernel has, and not ALUA standby: a standby group carries nothing until
 * the handler activates it). False for a session without a path in a map:
 * nothing to move.
 */
static bool sm_link_has_spare(const struct mp_sm *sm, const struct sm_link *l)
{
	bool any = false;

	for (size_t i = 0; i < sm->npaths; i++) {
		const struct sm_path *p = &sm->paths[i];
		bool other = false;

		if (!sm_link_key_equal(&p->key.link, &l->key) || !p->wwid[0] || p->excluded)
			continue;
		any = true;
		for (size_t k = 0; k < sm->npaths && !other; k++) {
			const struct sm_path *q = &sm->paths[k];

			other = k != i && q->usable && q->in_table && !q->standby &&
				!strcmp(q->wwid, p->wwid) &&
				!sm_link_key_equal(&q->key.link, &l->key);
		}
		if (!other)
			return false;
	}
	return any;
}

/*
 * The recovery timeout each logged-in session runs with: 0 while every map
 * it serves has a spare path (sm_link_has_spare), the policy's otherwise.
 *
 * Why beforehand, and not when the session fails: a target that dies
 * while its host lives (porticod killed, a gateway of a group) closes the
 * connection and refuses the reconnects. iscsi_tcp sees the connection
 * close at once, and the kernel blocks the session's devices and arms its
 * recovery timer with the recovery_tmo of that moment; the commands in
 * flight go back to the blocked queue (DID_TRANSPORT_DISRUPTED, retried)
 * and wait for that timer, and a new recovery_tmo is refused while the
 * session is FAILED (sesstmo.h). Whatever pathd sees afterwards, the I/O
 * already on that session waits the whole timeout before dm-multipath may
 * send it elsewhere. With 0, the timer runs at once: the session goes
 * FREE, its devices transport-offline, the waiting commands fail with a
 * path error and dm-multipath fails the path and retries them on the
 * spare. The last path of a map keeps the policy's timeout, so that a
 * short blip there costs a wait, not its I/O handed up to dm-multipath's
 * queue (which would hold it for no_path_queue, then fail it).
 *
 * Only pathd's own values are managed (0 and the policy's): a session
 * someone gave another timeout keeps it, said as drift in show sessions.
 * A kicked session is left alone until the kick is over (sm_kicks).
 */
static int sm_session_tmos(struct mp_sm *sm, struct mp_actions *out)
{
	const int32_t pol = (int32_t)sm->cfg.policy.replacement_timeout_s;

	for (size_t i = 0; i < sm->nlinks; i++) {
		struct sm_link *l = &sm->links[i];
		struct mp_action *a;
		int32_t want;

		if (!l->have_session || !l->logged_in || l->kicked)
			continue;
		l->fast = sm_link_has_spare(sm, l);
		want = l->fast ? 0 : pol;
		if (l->recovery_tmo_s == want || (l->recovery_tmo_s != 0 && l->recovery_tmo_s != pol))
			continue;
		a = sm_act(out, MP_ACT_SESSION_TMO);
		if (!a)
			return -ENOMEM;
		a->u.session_tmo.sid = l->sid;
		a->u.session_tmo.recovery_tmo_s = (uint32_t)want;
		/* what the next scan will show; a write that fails shows as drift */
		l->recovery_tmo_s = want;
	}
	return 0;
}

static uint32_t sm_check_base_ms(const struct mp_sm *sm)
{
	return sm->cfg.policy.check_interval_s * 1000u;
}

/* Asks for the checks that are due. */
static int sm_checks(struct mp_sm *sm, int64_t now, struct mp_actions *out)
{
	for (size_t i = 0; i < sm->npaths; i++) {
		struct sm_path *p = &sm->paths[i];
		struct sm_link *l;
		struct mp_action *a;

		if (p->check_inflight || p->excluded || !p->dev[0] || now < p->next_check_at ||
		    !sm_path_in_live_table(sm, p))
			continue;
		l = sm_find_link(sm, &p->key.link);
		/* a session that is not logged in fails every command: nothing to learn */
		if (!l || !l->have_session || !l->logged_in || l->kicked)
			continue;
		a = sm_act(out, MP_ACT_CHECK);
		if (!a)
			return -ENOMEM;
		a->u.check.key = p->key;
		SM_COPY(a->u.check.dev, p->dev);
		SM_COPY(a->u.check.devt, p->devt);
		if (!p->verified)
			SM_COPY(a->u.check.wwid, p->wwid);
		a->u.check.timeout_ms = sm->cfg.policy.check_timeout_s * 1000u;
		p->check_inflight = true;
	}
	return 0;
}

/*
 * A marginal path is held back so that a flapping link does not stall its
 * map's I/O at every flap; that is worth it only while another path
 * carries the I/O. When no path of its map may, the map is queueing and
 * fails its I/O once no_path_queue runs out: a path that flaps beats none
 * (the lab's failover scenario lost writes to EIO so). It serves, still
 * marked marginal, until another path can; its hold goes on meanwhile.
 */
static void sm_marginal_waive(struct mp_sm *sm)
{
	for (size_t i = 0; i < sm->npaths; i++) {
		struct sm_path *p = &sm->paths[i];
		char buf[MP_REASON_MAX];
		bool other = false;

		if (!p->marginal || p->usable || p->admin_failed || !p->verified ||
		    sm_path_blocked(sm, p, buf, sizeof(buf)))
			continue;
		/* a standby path (ALUA) carries nothing until its group is activated */
		for (size_t k = 0; k < sm->npaths && !other; k++)
			other = k != i && sm->paths[k].usable && !sm->paths[k].marginal &&
				!sm->paths[k].standby && !strcmp(sm->paths[k].wwid, p->wwid);
		if (other)
			continue;
		p->usable = true;
		p->why[0] = '\0';
	}
}

int sm_health_reconcile(struct mp_sm *sm, int64_t now, struct mp_actions *out)
{
	char buf[MP_REASON_MAX];
	int rc = sm_kicks(sm, now, out);

	if (rc)
		return rc;
	for (size_t i = 0; i < sm->npaths; i++) {
		struct sm_path *p = &sm->paths[i];

		if (!p->check_interval_ms)
			p->check_interval_ms = sm_check_base_ms(sm);
		/* first seen failed in its table (a restart): checked before it is back */
		if (!p->judged && p->in_table && p->kernel_failed)
			p->verified = false;
		p->judged = true;
		/* the kernel failed it on its own (an I/O error): check it before it is back */
		if (p->usable && p->in_table && p->kernel_failed && !p->inflight) {
			/*
			 * A standby path fails when dm-multipath moved to its
			 * group and the handler's activation did not take (or
			 * I/O reached it first): reinstating it again would
			 * only fail again, and keep the map from ever running
			 * out of paths (its no-path budget).
			 */
			if (p->standby)
				p->standby_refused = true;
			p->health = SM_HEALTH_UNKNOWN;
			p->verified = false;
			p->next_check_at = now;
			p->check_interval_ms = sm_check_base_ms(sm);
		}
		sm_path_judge(sm, p, now);
		/* a path waiting for its check gets it now, not at the next interval */
		if (!p->usable && !p->verified && !p->check_inflight && p->next_check_at > now &&
		    !sm_path_blocked(sm, p, buf, sizeof(buf))) {
			p->next_check_at = now;
			p->check_interval_ms = sm_check_base_ms(sm);
		}
	}
	sm_marginal_waive(sm);
	rc = sm_session_tmos(sm, out);
	if (rc)
		return rc;
	return sm_checks(sm, now, out);
}

/* Rescans of one session (LUNs changed) and of one LUN's disks (capacity), at most once a second. */
static int sm_on_ua(struct mp_sm *sm, struct sm_path *p, enum mp_ua ua, int64_t now,
		    struct mp_actions *out)
{
	struct mp_action *a;

	if (ua == MP_UA_LUNS_CHANGED) {
		/*
		 * SPC-4 §6.33 (REPORT LUNS): the target reports REPORTED LUNS
		 * DATA HAS CHANGED to every I_T nexus, each on its next command.
		 * The first one heard stands for all: every session to that
		 * target is rescanned now, not when its own checker next meets
		 * the attention (a second later), so a new LUN's disks come
		 * within one settle_ms and its map is made with all its paths
		 * at once rather than made with one and reloaded.
		 */
		for (size_t j = 0; j < sm->nlinks; j++) {
			struct sm_link *l = &sm->links[j];

			if (strcmp(l->key.target, p->key.link.target) || !l->have_session ||
			    (l->rescan_at && now < l->rescan_at + SM_UA_RESCAN_MS))
				continue;
			a = sm_act(out, MP_ACT_RESCAN);
			if (!a)
				return -ENOMEM;
			a->u.rescan_sid = l->sid;
			l->rescan_at = now;
			/* a LUN unmapped answers LOGICAL UNIT NOT SUPPORTED: check every LUN of it now */
			for (size_t i = 0; i < sm->npaths; i++)
				if (sm_link_key_equal(&sm->paths[i].key.link, &l->key))
					sm->paths[i].next_check_at = now;
		}
		return 0;
	}
	if ((ua != MP_UA_CAPACITY_CHANGED && ua != MP_UA_ALUA_CHANGED) || !p->wwid[0])
		return 0;
	/*
	 * Every path of the LUN: the map takes the new size once they all show
	 * it. For an access state change the rescan has the kernel's alua
	 * handler read REPORT TARGET PORT GROUPS again (scsi_rescan_device),
	 * and the scan then sees the new access_state: the map is regrouped.
	 */
	for (size_t i = 0; i < sm->npaths; i++) {
		struct sm_path *q = &sm->paths[i];

		if (strcmp(q->wwid, p->wwid) || !q->dev[0] ||
		    (q->rescan_at && now < q->rescan_at + SM_UA_RESCAN_MS))
			continue;
		a = sm_act(out, MP_ACT_DISK_RESCAN);
		if (!a)
			return -ENOMEM;
		SM_COPY(a->u.disk, q->dev);
		q->rescan_at = now;
	}
	return 0;
}

int sm_feed_disk_ua(struct mp_sm *sm, const struct mp_ev_disk_ua *ev, int64_t now,
		    struct mp_actions *out)
{
	struct sm_path *p = sm_find_path(sm, &ev->key);

	return p ? sm_on_ua(sm, p, ev->ua, now, out) : 0;
}

/* Every path of link is down with reason (a check through it got no answer). */
static void sm_link_down(struct mp_sm *sm, const struct mp_link_key *key, const char *reason)
{
	struct sm_link *l = sm_find_link(sm, key);

	for (size_t i = 0; i < sm->npaths; i++) {
		struct sm_path *q = &sm->paths[i];

		if (!sm_link_key_equal(&q->key.link, key))
			continue;
		q->health = SM_HEALTH_DOWN;
		snprintf(q->health_reason, sizeof(q->health_reason), "%s", reason);
	}
	if (l && l->have_session && l->logged_in && !l->kicked)
		l->kick_due = true;
}

int sm_feed_check(struct mp_sm *sm, const struct mp_ev_check *ev, int64_t now,
		  struct mp_actions *out)
{
	const struct mp_policy *pol = &sm->cfg.policy;
	struct sm_path *p = sm_find_path(sm, &ev->key);
	char reason[MP_REASON_MAX];
	int rc;

	if (!p)
		return 0;
	if (strcmp(p->devt, ev->devt)) {
		/* an answer about the disk this LUN had before: the new one is checked anew */
		p->check_inflight = false;
		return 0;
	}
	p->check_inflight = false;
	p->checked_at = now;
	p->check_ms = ev->took_ms;
	for (unsigned int bit = 1; bit <= MP_UA_ALUA_CHANGED; bit <<= 1) {
		if (!(ev->ua & bit))
			continue;
		rc = sm_on_ua(sm, p, (enum mp_ua)bit, now, out);
		if (rc)
			return rc;
	}
	switch (ev->result) {
	case MP_CHECK_UNKNOWN:
		p->check_interval_ms = sm_check_base_ms(sm);
		break;
	case MP_CHECK_UP:
		if (p->health != SM_HEALTH_UP)
			p->check_interval_ms = sm_check_base_ms(sm);
		else if (p->usable)
			p->check_interval_ms =
				MIN(p->check_interval_ms * 2, pol->check_interval_max_s * 1000u);
		p->health = SM_HEALTH_UP;
		p->health_reason[0] = '\0';
		p->lun_gone = false;
		p->verified = true;
		p->standby = p->standby_refused = false;
		break;
	case MP_CHECK_STANDBY:
		/*
		 * SPC-4 §5.16.2.4.4: a standby port takes no I/O until its
		 * group is made active (SET TARGET PORT GROUPS, §6.39). In a
		 * map with the alua handler the path stays in its lower group,
		 * not failed: dm-multipath moves there only when the better
		 * groups have no path left, and the handler then activates it
		 * (as multipathd keeps such a path, a "ghost"). Without the
		 * handler nothing would: down, as any port that refuses I/O.
		 */
		if (p->alua) {
			if (p->health != SM_HEALTH_UP)
				p->check_interval_ms = sm_check_base_ms(sm);
			p->health = SM_HEALTH_UP;
			p->health_reason[0] = '\0';
			p->lun_gone = false;
			p->verified = true; /* INQUIRY answers in standby: the WWID was read */
			p->standby = true;
			break;
		}
		p->standby = p->standby_refused = false;
		p->health = SM_HEALTH_DOWN;
		snprintf(p->health_reason, sizeof(p->health_reason), "ALUA: %.960s", ev->reason);
		p->check_interval_ms = sm_check_base_ms(sm);
		break;
	case MP_CHECK_DOWN_LINK:
		snprintf(reason, sizeof(reason), "check of %s failed: %.960s", p->dev, ev->reason);
		sm_link_down(sm, &p->key.link, reason);
		p->check_interval_ms = sm_check_base_ms(sm);
		break;
	case MP_CHECK_LU_GONE: /* down too, until its disk is deleted */
	case MP_CHECK_DOWN_LU:
	case MP_CHECK_INACCESSIBLE:
	case MP_CHECK_WWID_CHANGED:
		p->lun_gone = ev->result == MP_CHECK_LU_GONE;
		p->standby = p->standby_refused = false;
		p->health = SM_HEALTH_DOWN;
		snprintf(p->health_reason, sizeof(p->health_reason), "%s%.960s",
			 ev->result == MP_CHECK_INACCESSIBLE ? "ALUA: " : "", ev->reason);
		p->check_interval_ms = sm_check_base_ms(sm);
		break;
	}
	p->next_check_at = now + p->check_interval_ms;
	return 0;
}

int sm_paths_reconcile(struct mp_sm *sm, int64_t now, struct mp_actions *out)
{
	(void)now;
	for (size_t i = 0; i < sm->npaths; i++) {
		struct sm_path *p = &sm->paths[i];
		struct sm_map *m = sm_find_map(sm, p->wwid);
		struct mp_action *a;

		/* an unmapped LUN's path stays in the table of a map held open: failed */
		if (p->inflight || (p->excluded && !p->lun_gone) || !m || !m->exists ||
		    !p->in_table || sm_map_busy(m))
			continue;
		if (p->kernel_failed == !p->usable)
			continue;
		a = sm_act(out, p->usable ? MP_ACT_PATH_REINSTATE : MP_ACT_PATH_FAIL);
		if (!a)
			return -ENOMEM;
		SM_COPY(a->u.path.wwid, m->wwid);
		SM_COPY(a->u.path.name, m->name);
		SM_COPY(a->u.path.devt, p->devt);
		SM_COPY(a->u.path.dev, p->dev);
		if (!p->usable)
			SM_COPY(a->u.path.reason, p->why);
		p->inflight = true;
	}
	/* a LUN the target no longer maps: its disk goes once no table holds it */
	for (size_t i = 0; i < sm->npaths; i++) {
		struct sm_path *p = &sm->paths[i];
		struct sm_map *m = sm_find_map(sm, p->wwid);
		struct mp_action *a;

		if (!p->lun_gone || p->delete_sent || !p->dev[0] || p->in_table ||
		    (m && sm_map_busy(m)))
			continue;
		a = sm_act(out, MP_ACT_DISK_DELETE);
		if (!a)
			return -ENOMEM;
		SM_COPY(a->u.disk, p->dev);
		p->delete_sent = true;
	}
	return 0;
}

int64_t sm_health_deadline(const struct mp_sm *sm)
{
	const struct mp_policy *pol = &sm->cfg.policy;
	int64_t t = INT64_MAX;

	for (size_t i = 0; i < sm->nlinks; i++)
		if (sm->links[i].kicked && !sm->links[i].kick_took && sm->links[i].logged_in)
			t = MIN(t, sm->links[i].kicked_at + SM_KICK_TAKE_MS);
	for (size_t i = 0; i < sm->npaths; i++) {
		const struct sm_path *p = &sm->paths[i];
		const struct sm_link *l = NULL;
		const struct sm_map *m = NULL;

		for (size_t k = 0; k < sm->nlinks; k++)
			if (sm_link_key_equal(&sm->links[k].key, &p->key.link))
				l = &sm->links[k];
		for (size_t k = 0; k < sm->nmaps; k++)
			if (!strcmp(sm->maps[k].wwid, p->wwid))
				m = &sm->maps[k];
		if (p->marginal && p->healthy_since)
			t = MIN(t, p->healthy_since + pol->marginal_hold_s * 1000LL);
		/* the same test as sm_checks: only a check that a tick would ask */
		if (!p->check_inflight && !p->excluded && p->dev[0] && m && m->exists &&
		    p->in_table && !sm_map_busy(m) && l && l->have_session && l->logged_in &&
		    !l->kicked)
			t = MIN(t, p->next_check_at);
	}
	return t;
}

bool mp_sm_watching(const struct mp_sm *sm)
{
	for (size_t i = 0; i < sm->nlinks; i++) {
		const struct sm_link *l = &sm->links[i];

		if (l->kicked || (l->have_session && !l->logged_in))
			return true;
	}
	for (size_t i = 0; i < sm->npaths; i++) {
		const struct sm_path *p = &sm->paths[i];

		/* waiting to be reinstated, or failed and not yet seen so */
		if (p->in_table && !p->excluded && (p->kernel_failed == p->usable || p->inflight))
			return true;
	}
	return false;
}
