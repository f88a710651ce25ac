/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The map half of the state machine (mpath/sm.h): disks become paths,
 * paths with one WWID become one dm-multipath map, and the map's table in
 * the kernel is kept equal to the one its paths and the policy call for.
 *
 * Rules, each a story in tests/unit/mpath/sm_test.c:
 * - A disk without a WWID, or whose WWID two LUNs of different sizes give,
 *   is left out of every map, with the reason (two LUNs, one WWID: one of
 *   them would be written through the other's paths).
 * - A map is made, or its table reloaded, once its paths have been still
 *   for policy.settle_ms, so that the paths of a LUN that arrive one by one
 *   cost one table, not one per path.
 * - A table equal to the wanted one is never reloaded (the comparison is by
 *   sets: path order inside a group, and group order, do not matter). That
 *   is what lets a restarted pathd take maps over without touching them.
 * - A map that has lost all its paths is removed when nothing holds it
 *   open, and kept (with failed paths, and said so) when something does.
 * - With no usable path, I/O queues (queue_if_no_path) for at most
 *   policy.no_path_queue_s, then fails (fail_if_no_path); the first path
 *   back turns queueing on again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/scsi_proto.h"
#include "common/util.h"
#include "mpath/sm_int.h"


struct sm_map *sm_find_map(struct mp_sm *sm, const char *wwid)
{
	for (size_t i = 0; i < sm->nmaps; i++)
		if (!strcmp(sm->maps[i].wwid, wwid))
			return &sm->maps[i];
	return NULL;
}

struct sm_path *sm_find_path(struct mp_sm *sm, const struct mp_path_key *key)
{
	for (size_t i = 0; i < sm->npaths; i++)
		if (sm->paths[i].key.lun == key->lun &&
		    sm_link_key_equal(&sm->paths[i].key.link, &key->link))
			return &sm->paths[i];
	return NULL;
}

static const char *sm_alias(const struct mp_sm *sm, const char *wwid)
{
	for (size_t i = 0; i < sm->cfg.naliases; i++)
		if (!strcmp(sm->cfg.aliases[i].wwid, wwid))
			return sm->cfg.aliases[i].name;
	return wwid;
}

static bool sm_spec_has(const struct mp_map_spec *s, const char *devt)
{
	for (size_t g = 0; g < s->ngroups; g++)
		for (size_t i = 0; i < s->groups[g].npaths; i++)
			if (!strcmp(s->groups[g].devt[i], devt))
				return true;
	return false;
}

/* Whether two groups hold the same set of devices. */
static bool sm_group_equal(const struct mp_group_spec *a, const struct mp_group_spec *b)
{
	if (a->npaths != b->npaths)
		return false;
	for (size_t i = 0; i < a->npaths; i++) {
		size_t j;

		for (j = 0; j < b->npaths; j++)
			if (!strcmp(a->devt[i], b->devt[j]))
				break;
		if (j == b->npaths)
			return false;
	}
	return true;
}

/*
 * Whether two tables do the same: selector, size, hardware handler, and
 * the same groups as sets; in the same order too with the alua handler,
 * where the order is the access states' (the first group is the one
 * dm-multipath takes after a load). Not queue_if_no_path: the no-path budget turns it off and on with
 * target messages (sm_map_queue), and the kernel's table shows it as it
 * is; a reload for it would undo what the budget did.
 */
static bool sm_spec_equal(const struct mp_map_spec *a, const struct mp_map_spec *b)
{
	bool used[MP_GROUPS_MAX] = { false };

	if (a->sectors != b->sectors || a->selector != b->selector ||
	    a->hw_handler != b->hw_handler || a->ngroups != b->ngroups)
		return false;
	for (size_t g = 0; g < a->ngroups; g++) {
		size_t h;

		if (a->hw_handler == MP_HW_HANDLER_ALUA) {
			if (!sm_group_equal(&a->groups[g], &b->groups[g]))
				return false;
			continue;
		}
		for (h = 0; h < b->ngroups; h++)
			if (!used[h] && sm_group_equal(&a->groups[g], &b->groups[h]))
				break;
		if (h == b->ngroups)
			return false;
		used[h] = true;
	}
	return true;
}

/* ---- events ---- */

int sm_feed_disk(struct mp_sm *sm, const struct mp_ev_disk *d)
{
	struct sm_path *p;

	/* a disk of a session that is not ours (another iface, a manual login) */
	if (!sm_find_link(sm, &d->key.link))
		return 0;
	p = sm_find_path(sm, &d->key);
	if (!p) {
		struct sm_path *a = sm_grow(sm->paths, &sm->npaths, sizeof(*a));

		if (!a)
			return -ENOMEM;
		sm->paths = a;
		p = &a[sm->npaths - 1];
		p->key = d->key;
	}
	if (strcmp(p->devt, d->devt)) {
		/*
		 * Another device for the same LUN (or the first): what the kernel
		 * knew of the old one is stale, and this one's WWID was just read.
		 */
		p->in_table = false;
		p->kernel_failed = false;
		p->verified = true;
		p->health = SM_HEALTH_UNKNOWN;
		p->lun_gone = false;
		p->check_inflight = false;
		p->next_check_at = 0;
		p->delete_sent = false;
	}
	SM_COPY(p->dev, d->dev);
	SM_COPY(p->devt, d->devt);
	SM_COPY(p->wwid, d->wwid);
	SM_COPY(p->disk_reason, d->reason);
	p->size = d->size;
	p->ready = d->ready;
	/* another access state: an activation refused before may work now */
	if (p->alua != d->alua || p->alua_state != d->alua_state)
		p->standby_refused = false;
	p->alua = d->alua;
	p->alua_state = d->alua_state;
	p->alua_pref = d->alua_pref;
	return 0;
}

void sm_feed_disk_gone(struct mp_sm *sm, const struct mp_path_key *key)
{
	struct sm_path *p = sm_find_path(sm, key);

	if (p)
		sm_remove(sm->paths, &sm->npaths, sizeof(*sm->paths), (size_t)(p - sm->paths));
}

/* What the kernel has of m, onto its paths. */
static void sm_paths_from_kernel(struct mp_sm *sm, struct sm_map *m, const struct mp_ev_map *ev)
{
	for (size_t i = 0; i < sm->npaths; i++) {
		struct sm_path *p = &sm->paths[i];

		if (strcmp(p->wwid, m->wwid))
			continue;
		p->in_table = m->exists && m->cur_ok && sm_spec_has(&m->cur, p->devt);
		p->kernel_failed = false;
		for (size_t k = 0; ev && k < ev->nfailed; k++)
			if (!strcmp(ev->failed[k], p->devt))
				p->kernel_failed = true;
	}
}

bool sm_map_busy(const struct sm_map *m)
{
	return m->state == MP_MAP_CREATING || m->state == MP_MAP_RELOADING ||
	       m->state == MP_MAP_REMOVING;
}

int sm_feed_map(struct mp_sm *sm, const struct mp_ev_map *ev, int64_t now)
{
	struct sm_map *m = sm_find_map(sm, ev->spec.wwid);

	(void)now;
	if (!m) {
		struct sm_map *a = sm_grow(sm->maps, &sm->nmaps, sizeof(*a));

		if (!a)
			return -ENOMEM;
		sm->maps = a;
		m = &a[sm->nmaps - 1];
		SM_COPY(m->wwid, ev->spec.wwid);
		m->state = MP_MAP_READY;
	}
	/* the kernel's name stands: a map is not renamed behind the admin's back */
	SM_COPY(m->name, ev->spec.name);
	m->exists = true;
	m->cur = ev->spec;
	m->cur_ok = ev->spec_ok;
	m->open_count = ev->open_count;
	m->active_group = ev->active_group;
	if (!sm_map_busy(m) && m->state != MP_MAP_FAILED)
		m->state = MP_MAP_READY;
	sm_paths_from_kernel(sm, m, ev);
	return 0;
}

void sm_feed_map_gone(struct mp_sm *sm, const char *wwid)
{
	struct sm_map *m = sm_find_map(sm, wwid);

	if (!m)
		return;
	m->exists = false;
	m->cur_ok = false;
	m->open_count = 0;
	if (!sm_map_busy(m))
		m->state = MP_MAP_ABSENT;
	sm_paths_from_kernel(sm, m, NULL);
}

void sm_feed_map_done(struct mp_sm *sm, const struct mp_ev_map_done *d, int64_t now)
{
	struct sm_map *m = sm_find_map(sm, d->wwid);

	if (!m)
		return;
	if (d->op == MP_MAP_OP_SWITCH_GROUP) {
		m->message_inflight = false;
		/* the group asked for is the one the status shows, until the next list */
		if (!d->err)
			m->active_group = 1;
		m->better_since = 0;
		return;
	}
	if (d->op == MP_MAP_OP_QUEUE || d->op == MP_MAP_OP_NOQUEUE) {
		m->message_inflight = false;
		/* what the kernel's table now says, until the next list says it itself */
		if (!d->err)
			m->cur.queue_if_no_path = d->op == MP_MAP_OP_QUEUE;
		return;
	}
	if (d->err) {
		if (m->state != MP_MAP_FAILED)
			m->failing_since = now;
		m->state = MP_MAP_FAILED;
		m->retry_at = now + sm->cfg.policy.login_retry_s * 1000LL;
		SM_COPY(m->reason, d->reason);
		return;
	}
	m->reason[0] = '\0';
	m->failing_since = 0;
	m->retry_at = 0;
	if (d->op == MP_MAP_OP_REMOVE) {
		m->state = MP_MAP_ABSENT;
		m->exists = false;
		m->cur_ok = false;
		m->queueing = false;
		sm_paths_from_kernel(sm, m, NULL);
		return;
	}
	m->state = MP_MAP_READY;
	m->exists = true;
	m->owned = true;
	m->cur = m->sent;
	m->cur_ok = true;
	SM_COPY(m->name, m->sent.name);
	/*
	 * A new table loads with every path active, and with the policy's
	 * queueing; the paths' pass fails again those that may not carry I/O.
	 * No fail or reinstate of its paths is in flight any more: the daemon
	 * runs dm calls in the order asked, and none is asked while a table
	 * is being made.
	 */
	sm_paths_from_kernel(sm, m, NULL);
	for (size_t i = 0; i < sm->npaths; i++)
		if (!strcmp(sm->paths[i].wwid, m->wwid))
			sm->paths[i].inflight = false;
	return;
}

void sm_feed_path_done(struct mp_sm *sm, const struct mp_ev_path_done *d)
{
	for (size_t i = 0; i < sm->npaths; i++) {
		struct sm_path *p = &sm->paths[i];

		if (strcmp(p->wwid, d->wwid) || strcmp(p->devt, d->devt))
			continue;
		p->inflight = false;
		/* the kernel said no: its status (the next poll) tells what the path is */
		if (!d->err)
			p->kernel_failed = !d->reinstate;
	}
}

int sm_admin_path(struct mp_sm *sm, const char *dev, bool fail)
{
	for (size_t i = 0; i < sm->npaths; i++) {
		struct sm_path *p = &sm->paths[i];

		if (strcmp(p->dev, dev))
			continue;
		/* the paths' pass fails it in its table, or reinstates it (sm_health.c) */
		p->admin_failed = fail;
		return 0;
	}
	return -ENOENT;
}

/* ---- the pass ---- */

/* Paths without a WWID, and WWIDs that two LUNs of different sizes give, are left out. */
static void sm_exclude(struct mp_sm *sm)
{
	size_t i, j;

	for (i = 0; i < sm->npaths; i++) {
		struct sm_path *p = &sm->paths[i];

		p->excluded = !p->wwid[0] || sm_held(sm, p->wwid) || p->lun_gone;
		if (!p->wwid[0])
			snprintf(p->reason, sizeof(p->reason), "%s",
				 p->disk_reason[0] ? p->disk_reason :
						     "no usable designator in VPD page 0x83");
		else if (p->lun_gone)
			snprintf(p->reason, sizeof(p->reason),
				 "the target no longer maps LUN %llu (LOGICAL UNIT NOT SUPPORTED): its disk is deleted once no map holds it",
				 (unsigned long long)p->key.lun);
		else if (p->excluded)
			snprintf(p->reason, sizeof(p->reason),
				 "torn down (portico-path teardown); portico-path reconfigure brings it back");
		else
			p->reason[0] = '\0';
	}
	for (i = 0; i < sm->npaths; i++) {
		struct sm_path *a = &sm->paths[i];

		for (j = i + 1; j < sm->npaths && !a->excluded; j++) {
			struct sm_path *b = &sm->paths[j];
			bool same_lun = a->key.lun == b->key.lun &&
					iscsi_name_equal(a->key.link.target, b->key.link.target);

			/* one LUN seen with two sizes is a grow in progress, not a conflict */
			if (b->excluded || strcmp(a->wwid, b->wwid) || same_lun || a->size == b->size)
				continue;
			for (size_t k = 0; k < sm->npaths; k++) {
				struct sm_path *c = &sm->paths[k];

				if (strcmp(c->wwid, a->wwid))
					continue;
				c->excluded = true;
				snprintf(c->reason, sizeof(c->reason),
					 "WWID %s is given by two LUNs of different sizes: LUN %llu of %s (%llu bytes) and LUN %llu of %s (%llu bytes)",
					 a->wwid, (unsigned long long)a->key.lun, a->key.link.target,
					 (unsigned long long)a->size, (unsigned long long)b->key.lun,
					 b->key.link.target, (unsigned long long)b->size);
			}
		}
	}
}

static int sm_path_order(const void *x, const void *y)
{
	const struct sm_path *a = *(const struct sm_path *const *)x;
	const struct sm_path *b = *(const struct sm_path *const *)y;
	int c = (a->rank > b->rank) - (a->rank < b->rank);

	if (!c)
		c = strcmp(a->key.link.nic, b->key.link.nic);
	if (!c)
		c = strcmp(a->key.link.portal, b->key.link.portal);
	if (!c)
		c = strcmp(a->devt, b->devt);
	return c;
}

/*
 * An ALUA path's group in its map, best first: SPC-4 §5.16.2.4 lets a
 * host send I/O through active/optimized ports at full speed, through
 * active/non-optimized ones slower, and not through the others; among the
 * optimized, the target's preferred group first (PREF, SPC-4 §6.37). A
 * transitioning port is about to be something (the kernel's handler holds
 * its I/O back and retries); a standby one needs SET TARGET PORT GROUPS
 * (dm-multipath has the handler send it when it moves there); an
 * unavailable or offline one takes no I/O. A disk of the map that shows
 * no state yet (its handler not attached yet) goes after the active ones.
 */
static unsigned int sm_alua_rank(const struct sm_path *p)
{
	if (!p->alua)
		return 3;
	switch (p->alua_state) {
	case SCSI_ALUA_ACTIVE_OPTIMIZED:
		return p->alua_pref ? 0 : 1;
	case SCSI_ALUA_ACTIVE_NON_OPTIMIZED:
	case SCSI_ALUA_LBA_DEPENDENT:
		return 2;
	case SCSI_ALUA_TRANSITIONING:
		return 4;
	case SCSI_ALUA_STANDBY:
		return 5;
	default: /* unavailable, offline */
		return 6;
	}
}

/*
 * The table m's paths and the policy call for. Returns the number of paths
 * in it; those beyond what a table holds are excluded, with the reason.
 */
static size_t sm_desired(struct mp_sm *sm, struct sm_map *m, struct mp_map_spec *out)
{
	const struct mp_policy *pol = &sm->cfg.policy;
	struct sm_path *ps[MP_GROUPS_MAX * MP_GROUP_PATHS_MAX];
	uint64_t size = 0;
	bool sizes_agree = true;
	size_t n = 0, i;

	memset(out, 0, sizeof(*out));
	SM_COPY(out->wwid, m->wwid);
	SM_COPY(out->name, m->exists ? m->name : sm_alias(sm, m->wwid));
	out->selector = pol->selector;
	out->queue_if_no_path = pol->no_path_queue_s > 0;
	for (i = 0; i < sm->npaths; i++) {
		struct sm_path *p = &sm->paths[i];
		size_t cap = pol->grouping == MP_GROUPING_MULTIBUS ? MP_GROUP_PATHS_MAX :
								     MP_GROUPS_MAX;

		if (p->excluded || strcmp(p->wwid, m->wwid))
			continue;
		if (n == cap) {
			p->excluded = true;
			snprintf(p->reason, sizeof(p->reason),
				 "map %s has its %zu paths already (the most a table of this grouping holds)",
				 m->name, cap);
			continue;
		}
		if (n && p->size != size)
			sizes_agree = false;
		size = n ? MIN(size, p->size) : p->size;
		ps[n++] = p;
	}
	if (!n)
		return 0;
	/* the target reports target port groups: group by access state, with its handler */
	for (i = 0; i < n; i++)
		if (ps[i]->alua)
			out->hw_handler = MP_HW_HANDLER_ALUA;
	for (i = 0; i < n; i++)
		ps[i]->rank = out->hw_handler == MP_HW_HANDLER_ALUA ? sm_alua_rank(ps[i]) : 0;
	qsort(ps, n, sizeof(ps[0]), sm_path_order);
	/*
	 * A LUN being grown shows the new size on some paths first: keep the
	 * size the map has until every path agrees, then take the new one.
	 */
	out->sectors = (!sizes_agree && m->exists && m->cur_ok) ? m->cur.sectors : size / 512;
	if (pol->grouping == MP_GROUPING_MULTIBUS) {
		/* one group per rank (one in all without ALUA), in the ranks' order */
		for (i = 0; i < n; i++) {
			struct mp_group_spec *g;

			if (!i || ps[i]->rank != ps[i - 1]->rank)
				out->ngroups++;
			g = &out->groups[out->ngroups - 1];
			SM_COPY(g->devt[g->npaths++], ps[i]->devt);
		}
	} else {
		out->ngroups = n;
		for (i = 0; i < n; i++) {
			out->groups[i].npaths = 1;
			SM_COPY(out->groups[i].devt[0], ps[i]->devt);
		}
	}
	return n;
}

/*
 * Whether the wanted table has been still long enough for dm to act on it:
 * every change of it starts the wait again.
 */
static bool sm_settled(struct mp_sm *sm, struct sm_map *m, const struct mp_map_spec *want,
		       int64_t now)
{
	if (!m->want_set || !sm_spec_equal(&m->want, want) || strcmp(m->want.name, want->name)) {
		m->want = *want;
		m->want_set = true;
		m->settle_at = now + sm->cfg.policy.settle_ms;
	}
	return now >= m->settle_at;
}

static int sm_map_act(struct mp_sm *sm, struct sm_map *m, enum mp_action_type t,
		      const struct mp_map_spec *want, struct mp_actions *out)
{
	struct mp_action *a = sm_act(out, t);

	(void)sm;
	if (!a)
		return -ENOMEM;
	a->u.map = *want;
	m->sent = *want;
	m->settle_at = 0;
	m->state = t == MP_ACT_MAP_CREATE ? MP_MAP_CREATING : MP_MAP_RELOADING;
	return 0;
}

static int sm_map_message(struct sm_map *m, enum mp_map_op op, struct mp_actions *out)
{
	struct mp_action *a = sm_act(out, MP_ACT_MAP_MESSAGE);

	if (!a)
		return -ENOMEM;
	a->u.message.op = op;
	SM_COPY(a->u.message.wwid, m->wwid);
	SM_COPY(a->u.message.name, m->name);
	m->message_inflight = true;
	return 0;
}

/*
 * The no-path budget: with no usable path, I/O queues (queue_if_no_path,
 * in the table) for no_path_queue_s, then fails (fail_if_no_path); a path
 * back turns queueing on again. Decided from what the kernel's table shows
 * (cur.queue_if_no_path), so that a restarted pathd picks up where the
 * last one was.
 */
static int sm_map_queue(struct mp_sm *sm, struct sm_map *m, int64_t now, struct mp_actions *out)
{
	int64_t budget = sm->cfg.policy.no_path_queue_s * 1000LL;

	if (!m->exists || !m->cur_ok || !sm->cfg.policy.no_path_queue_s)
		return 0;
	if (!m->nactive) {
		if (!m->queueing) {
			m->queueing = true;
			m->queue_since = now;
		}
		if (m->cur.queue_if_no_path && now >= m->queue_since + budget &&
		    !m->message_inflight)
			return sm_map_message(m, MP_MAP_OP_NOQUEUE, out);
		return 0;
	}
	m->queueing = false;
	m->queue_since = 0;
	if (!m->cur.queue_if_no_path && !m->message_inflight)
		return sm_map_message(m, MP_MAP_OP_QUEUE, out);
	return 0;
}

/* Whether devt's path in m may carry I/O now, and not only once activated (standby). */
static bool sm_devt_serves(struct mp_sm *sm, const struct sm_map *m, const char *devt)
{
	for (size_t i = 0; i < sm->npaths; i++) {
		const struct sm_path *p = &sm->paths[i];

		if (!strcmp(p->devt, devt) && !strcmp(p->wwid, m->wwid))
			return !p->excluded && p->in_table && !p->kernel_failed && p->usable &&
			       !p->standby;
	}
	return false;
}

/*
 * Failback. dm-multipath leaves a group only when it has no path left
 * (choose_pgpath), so a map that moved to a lower group when the first
 * one's paths failed stays there once they are back. The policy says when
 * to send it back (message switch_group): at once, once a better group
 * has been usable for failback_s, or never (manual: the administrator
 * sends the message). A better group is one before the group in use
 * (the table's order is the access states': the first is the best) with
 * a path that may carry I/O; a standby one is not (moving there would
 * ask the target to change its states: that is its own decision).
 */
static int sm_map_failback(struct mp_sm *sm, struct sm_map *m, int64_t now,
			   struct mp_actions *out)
{
	const struct mp_policy *pol = &sm->cfg.policy;
	unsigned int best = 0;
	struct mp_action *a;

	if (pol->failback == MP_FAILBACK_MANUAL || !m->exists || !m->cur_ok ||
	    m->cur.ngroups < 2 || m->active_group < 2 || m->message_inflight) {
		m->better_since = 0;
		return 0;
	}
	for (size_t g = 0; g + 1 < m->active_group && g < m->cur.ngroups && !best; g++)
		for (size_t k = 0; k < m->cur.groups[g].npaths && !best; k++)
			if (sm_devt_serves(sm, m, m->cur.groups[g].devt[k]))
				best = (unsigned int)g + 1;
	if (!best) {
		m->better_since = 0;
		return 0;
	}
	if (!m->better_since)
		m->better_since = now;
	if (pol->failback == MP_FAILBACK_DELAYED &&
	    now < m->better_since + pol->failback_s * 1000LL)
		return 0;
	a = sm_act(out, MP_ACT_MAP_MESSAGE);
	if (!a)
		return -ENOMEM;
	a->u.message.op = MP_MAP_OP_SWITCH_GROUP;
	a->u.message.group = best;
	SM_COPY(a->u.message.wwid, m->wwid);
	SM_COPY(a->u.message.name, m->name);
	m->message_inflight = true;
	return 0;
}

static int sm_map_reconcile(struct mp_sm *sm, struct sm_map *m, int64_t now,
			    struct mp_actions *out)
{
	struct mp_map_spec want;
	struct mp_action *a;
	int rc;

	m->npaths = (unsigned int)sm_desired(sm, m, &want);
	m->nactive = 0;
	for (size_t i = 0; i < sm->npaths; i++) {
		const struct sm_path *p = &sm->paths[i];

		if (!p->excluded && !strcmp(p->wwid, m->wwid) && p->in_table && !p->kernel_failed &&
		    p->usable)
			m->nactive++;
	}
	if (m->npaths)
		m->owned = true;
	/* a map that is not ours (multipathd's, another LUN's) is left alone */
	if (!m->owned)
		return 0;
	rc = sm_map_queue(sm, m, now, out);
	if (rc || sm_map_busy(m))
		return rc;
	if (m->state == MP_MAP_FAILED) {
		if (now < m->retry_at)
			return 0;
		/* time to try again; the reason stays until a call works */
		m->state = m->exists ? MP_MAP_READY : MP_MAP_ABSENT;
	}
	if (!m->npaths) {
		m->settle_at = 0;
		m->want_set = false;
		if (!m->exists)
			return 0;
		/* something holds it open (a VM, a mount): keep it, with its failed paths */
		if (m->open_count)
			return 0;
		a = sm_act(out, MP_ACT_MAP_REMOVE);
		if (!a)
			return -ENOMEM;
		SM_COPY(a->u.remove.wwid, m->wwid);
		SM_COPY(a->u.remove.name, m->name);
		m->state = MP_MAP_REMOVING;
		return 0;
	}
	if (m->exists && m->cur_ok && sm_spec_equal(&m->cur, &want)) {
		m->settle_at = 0;
		m->state = MP_MAP_READY;
		return sm_map_failback(sm, m, now, out);
	}
	m->better_since = 0;
	if (!sm_settled(sm, m, &want, now))
		return 0;
	return sm_map_act(sm, m, m->exists ? MP_ACT_MAP_RELOAD : MP_ACT_MAP_CREATE, &want, out);
}

static int sm_wwid_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Tells the daemon when the WWIDs we own change (multipathd's drop-in follows them). */
static int sm_owned_wwids(struct mp_sm *sm, struct mp_actions *out)
{
	char(*w)[MP_WWID_MAX] = NULL;
	struct mp_action *a;
	size_t n = 0;

	for (size_t i = 0; i < sm->nmaps; i++)
		n += sm->maps[i].owned && (sm->maps[i].exists || sm->maps[i].npaths);
	if (n) {
		/* zeroed: the list is compared whole with the last one, bytes past each NUL too */
		w = calloc(n, sizeof(*w));
		if (!w)
			return -ENOMEM;
	}
	n = 0;
	for (size_t i = 0; i < sm->nmaps; i++)
		if (sm->maps[i].owned && (sm->maps[i].exists || sm->maps[i].npaths))
			SM_COPY(w[n++], sm->maps[i].wwid);
	if (n)
		qsort(w, n, sizeof(*w), sm_wwid_cmp);
	if (sm->owned_sent && n == sm->nowned && (!n || !memcmp(w, sm->owned, n * sizeof(*w)))) {
		free(w);
		return 0;
	}
	a = sm_act(out, MP_ACT_WWIDS);
	if (!a) {
		free(w);
		return -ENOMEM;
	}
	if (n) {
		a->u.wwids.wwids = malloc(n * sizeof(*w));
		if (!a->u.wwids.wwids) {
			out->n--;
			free(w);
			return -ENOMEM;
		}
		memcpy(a->u.wwids.wwids, w, n * sizeof(*w));
	}
	a->u.wwids.n = n;
	free(sm->owned);
	sm->owned = w;
	sm->nowned = n;
	sm->owned_sent = true;
	return 0;
}

bool sm_held(const struct mp_sm *sm, const char *wwid)
{
	if (sm->hold_all)
		return true;
	for (size_t i = 0; i < sm->nheld; i++)
		if (!strcmp(sm->held[i], wwid))
			return true;
	return false;
}

int sm_teardown(struct mp_sm *sm, const char *wwid)
{
	bool found = false;
	size_t i, j;

	for (i = 0; i < sm->nmaps; i++) {
		const struct sm_map *m = &sm->maps[i];

		if (!m->owned || (wwid[0] && strcmp(m->wwid, wwid)))
			continue;
		found = true;
		/* a VM, a mount or LVM holds it: taking it away would be an I/O error for them */
		if (m->exists && m->open_count)
			return -EBUSY;
	}
	for (i = 0; i < sm->npaths && !found; i++)
		found = !strcmp(sm->paths[i].wwid, wwid);
	if (wwid[0] && !found)
		return -ENOENT;
	if (!wwid[0]) {
		sm->hold_all = true;
	} else if (!sm_held(sm, wwid)) {
		char(*h)[MP_WWID_MAX] = realloc(sm->held, (sm->nheld + 1) * sizeof(*h));

		if (!h)
			return -ENOMEM;
		sm->held = h;
		snprintf(h[sm->nheld++], MP_WWID_MAX, "%s", wwid);
	}
	/* the sessions that carry nothing else go too, once their disks are gone */
	for (i = 0; i < sm->nlinks; i++) {
		struct sm_link *l = &sm->links[i];
		bool only_held = true, any = false;

		for (j = 0; j < sm->npaths; j++) {
			if (!sm_link_key_equal(&sm->paths[j].key.link, &l->key))
				continue;
			any = true;
			only_held &= sm_held(sm, sm->paths[j].wwid);
		}
		if (sm->hold_all || (any && only_held))
			l->held = true;
	}
	return 0;
}

/* Teardown's second step: the disks of held WWIDs, once their map is gone. */
static int sm_delete_disks(struct mp_sm *sm, struct mp_actions *out)
{
	for (size_t i = 0; i < sm->npaths; i++) {
		struct sm_path *p = &sm->paths[i];
		struct sm_map *m;
		struct mp_action *a;

		if (p->delete_sent || !p->wwid[0] || !sm_held(sm, p->wwid))
			continue;
		m = sm_find_map(sm, p->wwid);
		if (m && (m->exists || sm_map_busy(m)))
			continue;
		a = sm_act(out, MP_ACT_DISK_DELETE);
		if (!a)
			return -ENOMEM;
		SM_COPY(a->u.disk, p->dev);
		p->delete_sent = true;
	}
	return 0;
}

int sm_maps_reconcile(struct mp_sm *sm, int64_t now, struct mp_actions *out)
{
	size_t i;
	int rc;

	sm_exclude(sm);
	/* every WWID of a path that may go into a map has its map record */
	for (i = 0; i < sm->npaths; i++) {
		struct sm_path *p = &sm->paths[i];
		struct sm_map *m;

		if (p->excluded || sm_find_map(sm, p->wwid))
			continue;
		m = sm_grow(sm->maps, &sm->nmaps, sizeof(*m));
		if (!m)
			return -ENOMEM;
		sm->maps = m;
		m = &m[sm->nmaps - 1];
		SM_COPY(m->wwid, p->wwid);
		SM_COPY(m->name, sm_alias(sm, p->wwid));
		m->state = MP_MAP_ABSENT;
	}
	for (i = 0; i < sm->nmaps;) {
		struct sm_map *m = &sm->maps[i];

		rc = sm_map_reconcile(sm, m, now, out);
		if (rc)
			return rc;
		/* gone from the kernel and from our paths: forget it */
		if (!m->exists && !m->npaths && !sm_map_busy(m) && !m->message_inflight) {
			sm_remove(sm->maps, &sm->nmaps, sizeof(*sm->maps), i);
			continue;
		}
		i++;
	}
	rc = sm_delete_disks(sm, out);
	if (rc)
		return rc;
	return sm_owned_wwids(sm, out);
}

int64_t sm_maps_deadline(const struct mp_sm *sm)
{
	int64_t t = INT64_MAX;

	for (size_t i = 0; i < sm->nmaps; i++) {
		const struct sm_map *m = &sm->maps[i];

		if (!m->owned)
			continue;
		if (m->settle_at && !sm_map_busy(m))
			t = MIN(t, m->settle_at);
		if (m->state == MP_MAP_FAILED)
			t = MIN(t, m->retry_at);
		if (m->queueing && m->cur.queue_if_no_path && !m->message_inflight)
			t = MIN(t, m->queue_since + sm->cfg.policy.no_path_queue_s * 1000LL);
		if (m->better_since && sm->cfg.policy.failback == MP_FAILBACK_DELAYED &&
		    !m->message_inflight && !sm_map_busy(m))
			t = MIN(t, m->better_since + sm->cfg.policy.failback_s * 1000LL);
	}
	return t;
}

bool sm_link_in_use(const struct mp_sm *sm, const struct mp_link_key *key)
{
	for (size_t i = 0; i < sm->npaths; i++) {
		const struct sm_path *p = &sm->paths[i];

		if (!sm_link_key_equal(&p->key.link, key))
			continue;
		for (size_t j = 0; j < sm->nmaps; j++)
			if (!strcmp(sm->maps[j].wwid, p->wwid) && sm->maps[j].open_count)
				return true;
	}
	return false;
}

unsigned int sm_link_npaths(const struct mp_sm *sm, const struct mp_link_key *key)
{
	unsigned int n = 0;

	for (size_t i = 0; i < sm->npaths; i++)
		n += sm_link_key_equal(&sm->paths[i].key.link, key);
	return n;
}

/* ---- views ---- */

size_t mp_sm_paths(const struct mp_sm *sm, struct mp_path_view *out, size_t max)
{
	for (size_t i = 0; i < sm->npaths && i < max; i++) {
		const struct sm_path *p = &sm->paths[i];
		struct mp_path_view *v = &out[i];
		const struct sm_map *m = NULL;

		for (size_t j = 0; j < sm->nmaps; j++)
			if (!strcmp(sm->maps[j].wwid, p->wwid))
				m = &sm->maps[j];
		memset(v, 0, sizeof(*v));
		v->key = p->key;
		SM_COPY(v->dev, p->dev);
		SM_COPY(v->devt, p->devt);
		SM_COPY(v->wwid, p->wwid);
		v->size = p->size;
		v->admin_failed = p->admin_failed;
		v->marginal = p->marginal;
		v->checked_at = p->checked_at;
		v->check_ms = p->check_ms;
		SM_COPY(v->reason, p->excluded || p->usable ? p->reason : p->why);
		if (p->excluded)
			v->state = MP_PATH_EXCLUDED;
		else if (!m || !m->exists || !p->in_table)
			v->state = MP_PATH_PENDING;
		else if (p->kernel_failed || !p->usable)
			v->state = MP_PATH_FAILED;
		else
			v->state = MP_PATH_ACTIVE;
	}
	return sm->npaths;
}

size_t mp_sm_maps(const struct mp_sm *sm, struct mp_map_view *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sm->nmaps; i++) {
		const struct sm_map *m = &sm->maps[i];
		struct mp_map_view *v;

		if (!m->owned)
			continue;
		if (n < max) {
			v = &out[n];
			memset(v, 0, sizeof(*v));
			SM_COPY(v->wwid, m->wwid);
			SM_COPY(v->name, m->name);
			v->size = (m->exists && m->cur_ok ? m->cur.sectors : 0) * 512;
			v->state = m->state;
			v->npaths = m->npaths;
			v->nactive = m->nactive;
			v->open_count = m->open_count;
			v->queueing = m->queueing;
			v->queue_since = m->queue_since;
			SM_COPY(v->reason, m->reason);
		}
		n++;
	}
	return n;
}
