/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * portico-pathd (initiator/pathd/pathd.h): one event loop, one state
 * machine, and the adapters around them.
 *
 *   libnl3 (NICs) ─────────┐
 *   sysfs scans ───────────┤                       ┌─▶ iscsiadm (children)
 *     (udev, timer, after  ├─▶ events ─▶ mp_sm ─▶ ─┼─▶ dm worker (libdevmapper)
 *      each iscsiadm run)  │                       ├─▶ sysfs (disk delete), sysctls
 *   dm lists (timer, after ┘                       └─▶ multipathd's drop-in
 *     each dm call)
 *
 * Events are fed one at a time: an action whose answer is known at once
 * (which NICs reach an address) queues its event, and the queue is drained
 * before the loop goes on. Sessions and disks are learned by scanning
 * sysfs and comparing with the last scan; maps by listing device-mapper
 * and comparing likewise. Scans run after every iscsiadm run, at udev's
 * events and every scan_interval seconds: an event that was missed is
 * caught by the next scan.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common/ctl_server.h"
#include "common/ev.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/scsi_proto.h"
#include "common/util.h"
#include "initiator/adapt/child.h"
#include "initiator/adapt/iscsiadm.h"
#include "initiator/adapt/mpconf.h"
#include "initiator/adapt/nic.h"
#include "initiator/adapt/sesstmo.h"
#include "initiator/adapt/sockkill.h"
#include "initiator/adapt/sysctl.h"
#include "initiator/adapt/tur.h"
#include "initiator/adapt/umon.h"
#include "initiator/pathd/dmq.h"
#include "initiator/pathd/events.h"
#include "initiator/pathd/pathd_int.h"
#include "initiator/pathd/virt_ctl.h"
#include "initiator/pathd/virt_sync.h"
#include "mpath/path_name.h"

#define COMP PATHD_COMPONENT
/* A udev event asks for a scan this soon: the events of one login come together. */
#define PD_SCAN_SOON_MS 100

static void pd_scan(struct pathd *pd);
static void pd_dm_list(struct pathd *pd);
static void pd_umon_try(struct pathd *pd);

/* ---- feeding the machine ---- */

static void pd_arm_tick(struct pathd *pd);
static void pd_do(struct pathd *pd, const struct mp_action *a);

/* Queues a copy of ev (and what owned points to, freed after feeding). -ENOMEM: dropped. */
static int pd_queue(struct pathd *pd, const struct mp_event *ev, void *owned)
{
	struct pd_pending *p = malloc(sizeof(*p));

	if (!p) {
		free(owned);
		log_err(COMP, "out of memory: an event is lost (the next scan brings it back)");
		return -ENOMEM;
	}
	p->ev = *ev;
	p->owned = owned;
	p->next = NULL;
	if (pd->tail)
		pd->tail->next = p;
	else
		pd->head = p;
	pd->tail = p;
	return 0;
}

/* Runs the actions the machine asked for; those answered at once queue their events. */
static void pd_run_actions(struct pathd *pd)
{
	for (size_t i = 0; i < pd->acts.n; i++)
		pd_do(pd, &pd->acts.a[i]);
	mp_actions_clear(&pd->acts);
}

/* Feeds the queue until it is empty. */
static void pd_drain(struct pathd *pd)
{
	struct pd_pending *p;
	int rc;

	if (pd->busy)
		return;
	pd->busy = true;
	while ((p = pd->head)) {
		pd->head = p->next;
		if (!pd->head)
			pd->tail = NULL;
		rc = mp_sm_feed(pd->sm, &p->ev, ev_now_ms(), &pd->acts);
		if (rc == -ENOMEM)
			log_err(COMP, "out of memory feeding an event (the next scan brings it back)");
		pd_run_actions(pd);
		free(p->owned);
		free(p);
	}
	pd->busy = false;
	pd_arm_tick(pd);
}

int pd_feed(struct pathd *pd, const struct mp_event *ev)
{
	int rc;

	/*
	 * Fed at once when nothing else is, so that the pointers of ev hold;
	 * from inside an action (a synchronous answer) it waits in the queue,
	 * which then owns a copy.
	 */
	if (pd->busy)
		return pd_queue(pd, ev, NULL);
	pd->busy = true;
	rc = mp_sm_feed(pd->sm, ev, ev_now_ms(), &pd->acts);
	if (rc == -ENOMEM)
		log_err(COMP, "out of memory feeding an event (the next scan brings it back)");
	pd_run_actions(pd);
	pd->busy = false;
	pd_drain(pd);
	return rc;
}

static int64_t pd_on_tick(struct ev_loop *loop, void *arg)
{
	struct pathd *pd = arg;

	(void)loop;
	pd->busy = true;
	if (mp_sm_tick(pd->sm, ev_now_ms(), &pd->acts))
		log_err(COMP, "out of memory in a timed step; it runs again at the next event");
	pd_run_actions(pd);
	pd->busy = false;
	pd_drain(pd);
	/* pd_drain re-armed this timer to the next deadline: that stands, not this */
	return 3600 * 1000;
}

static void pd_arm_tick(struct pathd *pd)
{
	int64_t at = mp_sm_next_deadline(pd->sm), now = ev_now_ms();

	if (at == INT64_MAX)
		at = now + 3600 * 1000;
	ev_timer_reset(pd->loop, pd->tick, MAX(at - now, 0));
	/*
	 * A session failing or coming back, a path waiting to be reinstated:
	 * sysfs and the maps are read every PD_WATCH_SCAN_MS from now on, not
	 * at the next scan_interval (the kernel tells no event for these).
	 */
	if (!pd->watching && pd->scan_timer && mp_sm_watching(pd->sm)) {
		pd->watching = true;
		ev_timer_reset(pd->loop, pd->scan_timer, PD_WATCH_SCAN_MS);
	}
}

/* ---- actions ---- */

/* One asynchronous action in flight: what to answer when it completes. */

long long pd_op_ms(const struct pd_op *op)
{
	return (long long)(ev_now_ms() - op->t0);
}

struct pd_op *pd_op_new(struct pathd *pd, const struct mp_action *a)
{
	struct pd_op *op = malloc(sizeof(*op));

	if (!op)
		return NULL;
	op->pd = pd;
	op->act = *a;
	op->t0 = ev_now_ms();
	return op;
}

static void pd_reach(struct pathd *pd, const char *addr)
{
	struct mp_event ev = { .type = MP_EV_REACH };
	char(*nics)[MP_NIC_MAX] = calloc(MP_NIC_MAX, sizeof(*nics));
	int n;

	if (!nics) {
		log_err(COMP, "out of memory looking up the routes to %s", addr);
		return;
	}
	n = nic_mon_reach(pd->nics, addr, (const char(*)[MP_NIC_MAX])pd->conf.mp.nics,
			  pd->conf.mp.nnics, nics, MP_NIC_MAX);
	if (n < 0) {
		log_warn(COMP, "address '%s': %s", addr, strerror(-n));
		n = 0;
	}
	snprintf(ev.u.reach.addr, sizeof(ev.u.reach.addr), "%s", addr);
	ev.u.reach.nics = nics;
	ev.u.reach.nnics = (size_t)MIN(n, MP_NIC_MAX);
	if (!n)
		log_warn(COMP, "%s: no storage NIC has a route to it", addr);
	else
		log_info(COMP, "%s: reached through %s%s", addr, nics[0], n > 1 ? " and others" : "");
	pd_queue(pd, &ev, nics);
}

static void pd_prepared(void *arg, int err, const char *reason)
{
	struct pd_op *op = arg;
	struct mp_event ev = { .type = MP_EV_NIC_PREPARED };

	snprintf(ev.u.prepared.nic, sizeof(ev.u.prepared.nic), "%s", op->act.u.nic);
	ev.u.prepared.err = err;
	snprintf(ev.u.prepared.reason, sizeof(ev.u.prepared.reason), "%s", reason ? reason : "");
	if (err)
		log_warn(COMP, "nic '%s': cannot make its iface record: %s", op->act.u.nic, reason);
	else
		log_info(COMP, "nic '%s': iface record '%s%s' ready", op->act.u.nic,
			 IADM_IFACE_PREFIX, op->act.u.nic);
	pd_feed(op->pd, &ev);
	free(op);
}

static void pd_nic_prepare(struct pathd *pd, const struct mp_action *a)
{
	struct nic_sysctl_change ch[12];
	char err[512];
	size_t n = 0;
	struct pd_op *op;
	int rc;

	if (pd->env.sysctl) {
		rc = nic_sysctl_apply("/proc/sys", a->u.nic, ch, ARRAY_SIZE(ch), &n, err,
				      sizeof(err));
		if (rc)
			log_warn(COMP, "nic '%s': %s", a->u.nic, err);
		for (size_t i = 0; i < n && i < ARRAY_SIZE(ch); i++)
			log_info(COMP, "nic '%s': %s %d -> %d (%s)", a->u.nic, ch[i].key,
				 ch[i].from, ch[i].to, ch[i].why);
	}
	op = pd_op_new(pd, a);
	if (!op || iadm_iface(pd->iadm, a->u.nic, pd_prepared, op)) {
		struct mp_event ev = { .type = MP_EV_NIC_PREPARED };

		free(op);
		snprintf(ev.u.prepared.nic, sizeof(ev.u.prepared.nic), "%s", a->u.nic);
		ev.u.prepared.err = -ENOMEM;
		snprintf(ev.u.prepared.reason, sizeof(ev.u.prepared.reason), "out of memory");
		pd_queue(pd, &ev, NULL);
	}
}

static void pd_discovered(void *arg, int err, const char *reason,
			  const struct mp_disc_entry *entries, size_t n)
{
	struct pd_op *op = arg;
	struct mp_event ev = { .type = MP_EV_DISCOVERY_DONE };
	struct mp_ev_discovery *d = &ev.u.discovery;

	snprintf(d->nic, sizeof(d->nic), "%s", op->act.u.discover.nic);
	snprintf(d->addr, sizeof(d->addr), "%s", op->act.u.discover.addr);
	d->err = err;
	snprintf(d->reason, sizeof(d->reason), "%s", reason ? reason : "");
	d->entries = (struct mp_disc_entry *)entries;
	d->nentries = n;
	if (err)
		log_warn(COMP, "discovery %s over '%s' failed after %lld ms: %s", d->addr, d->nic,
			 pd_op_ms(op), d->reason);
	else
		log_info(COMP, "discovery %s over '%s': %zu portal(s) in %lld ms", d->addr, d->nic,
			 n, pd_op_ms(op));
	pd_feed(op->pd, &ev);
	free(op);
}

static void pd_logged_in(void *arg, int err, bool auth_failed, const char *reason)
{
	struct pd_op *op = arg;
	struct mp_event ev = { .type = MP_EV_LOGIN_DONE };
	const struct mp_link_key *k = &op->act.u.login.key;

	ev.u.login.key = *k;
	ev.u.login.err = err;
	ev.u.login.auth_failed = auth_failed;
	snprintf(ev.u.login.reason, sizeof(ev.u.login.reason), "%s", reason ? reason : "");
	if (err)
		log_warn(COMP, "login to '%s' at %s over '%s' failed after %lld ms: %s", k->target,
			 k->portal, k->nic, pd_op_ms(op), ev.u.login.reason);
	else
		log_info(COMP, "logged in to '%s' at %s over '%s' in %lld ms", k->target, k->portal,
			 k->nic, pd_op_ms(op));
	/* the session (and its disks) first, so that the machine knows it with the answer */
	pd_scan(op->pd);
	pd_feed(op->pd, &ev);
	free(op);
}

static void pd_logged_out(void *arg, int err, const char *reason)
{
	struct pd_op *op = arg;
	struct mp_event ev = { .type = MP_EV_LOGOUT_DONE };
	const struct mp_link_key *k = &op->act.u.logout;

	if (err)
		log_warn(COMP, "logout from '%s' at %s over '%s' failed after %lld ms: %s", k->target,
			 k->portal, k->nic, pd_op_ms(op), reason);
	else
		log_info(COMP, "logged out of '%s' at %s over '%s' in %lld ms", k->target, k->portal,
			 k->nic, pd_op_ms(op));
	ev.u.link = *k;
	pd_scan(op->pd);
	pd_feed(op->pd, &ev);
	free(op);
}

static void pd_rescanned(void *arg, int err, const char *reason)
{
	struct pd_op *op = arg;

	if (err)
		log_warn(COMP, "session %u: rescan failed after %lld ms: %s", op->act.u.rescan_sid,
			 pd_op_ms(op), reason);
	else
		log_info(COMP, "session %u: rescanned in %lld ms", op->act.u.rescan_sid, pd_op_ms(op));
	pd_scan(op->pd);
	free(op);
}

/* An asynchronous iscsiadm action; on a failure to start, its answer is an error at once. */
static void pd_iscsiadm(struct pathd *pd, const struct mp_action *a)
{
	struct pd_op *op = pd_op_new(pd, a);
	int rc = -ENOMEM;

	if (op) {
		switch (a->type) {
		case MP_ACT_DISCOVER:
			rc = iadm_discover(pd->iadm, a->u.discover.nic, a->u.discover.addr,
					   pd_discovered, op);
			break;
		case MP_ACT_LOGIN:
			rc = iadm_login(pd->iadm, &a->u.login.key, a->u.login.tpgt, pd_logged_in, op);
			break;
		case MP_ACT_LOGOUT:
			rc = iadm_logout(pd->iadm, &a->u.logout, pd_logged_out, op);
			break;
		case MP_ACT_RESCAN:
			rc = iadm_rescan(pd->iadm, a->u.rescan_sid, pd_rescanned, op);
			break;
		default:
			rc = -EINVAL;
			break;
		}
	}
	if (!rc)
		return;
	free(op);
	log_err(COMP, "cannot run iscsiadm: %s", strerror(-rc));
	/* the machine waits for an answer: give it the failure */
	if (a->type == MP_ACT_DISCOVER) {
		struct mp_event ev = { .type = MP_EV_DISCOVERY_DONE };

		snprintf(ev.u.discovery.nic, sizeof(ev.u.discovery.nic), "%s", a->u.discover.nic);
		snprintf(ev.u.discovery.addr, sizeof(ev.u.discovery.addr), "%s", a->u.discover.addr);
		ev.u.discovery.err = rc;
		snprintf(ev.u.discovery.reason, sizeof(ev.u.discovery.reason),
			 "cannot run iscsiadm: %s", strerror(-rc));
		pd_queue(pd, &ev, NULL);
	} else if (a->type == MP_ACT_LOGIN) {
		struct mp_event ev = { .type = MP_EV_LOGIN_DONE };

		ev.u.login.key = a->u.login.key;
		ev.u.login.err = rc;
		snprintf(ev.u.login.reason, sizeof(ev.u.login.reason), "cannot run iscsiadm: %s",
			 strerror(-rc));
		pd_queue(pd, &ev, NULL);
	} else if (a->type == MP_ACT_LOGOUT) {
		struct mp_event ev = { .type = MP_EV_LOGOUT_DONE };

		ev.u.link = a->u.logout;
		pd_queue(pd, &ev, NULL);
	}
}

/* ---- device-mapper ---- */

/*
 * A descriptor held open on each of pathd's maps while pathd runs.
 * multipathd, at its start and at every reconfigure, removes every unused
 * multipath map it would not make itself (multipath-tools' coalesce_maps:
 * "remove all current maps not allowed by the current configuration"),
 * and a map whose WWID our drop-in blacklists is one of those: held open,
 * its removal fails ("map in use") and multipathd leaves it be (checked in
 * the VM lab: no table or path state of ours changes, through path
 * failures, reinstatements and reloads). The hold is pathd's own: open
 * counts are reported without it.
 */
static struct pd_hold *pd_hold_find(struct pathd *pd, const char *wwid)
{
	for (size_t i = 0; i < pd->nholds; i++)
		if (!strcmp(pd->holds[i].wwid, wwid))
			return &pd->holds[i];
	return NULL;
}

static void pd_hold_drop(struct pathd *pd, const char *wwid)
{
	struct pd_hold *h = pd_hold_find(pd, wwid);

	if (!h)
		return;
	close(h->fd);
	*h = pd->holds[--pd->nholds];
}

/* Holds the maps the machine says are ours and in the kernel; lets go of the others. */
static void pd_hold_sync(struct pathd *pd)
{
	struct mp_map_view v[256];
	size_t n = MIN(mp_sm_maps(pd->sm, v, ARRAY_SIZE(v)), ARRAY_SIZE(v));
	char path[MP_MAP_NAME_MAX + 16];

	for (size_t i = 0; i < pd->nholds;) {
		size_t j;

		for (j = 0; j < n; j++)
			if (!strcmp(v[j].wwid, pd->holds[i].wwid) &&
			    (v[j].state == MP_MAP_READY || v[j].state == MP_MAP_RELOADING))
				break;
		if (j == n)
			pd_hold_drop(pd, pd->holds[i].wwid);
		else
			i++;
	}
	for (size_t j = 0; j < n; j++) {
		struct pd_hold *h;
		int fd;

		if ((v[j].state != MP_MAP_READY && v[j].state != MP_MAP_RELOADING) ||
		    pd_hold_find(pd, v[j].wwid) || pd->nholds == ARRAY_SIZE(pd->holds))
			continue;
		snprintf(path, sizeof(path), "/dev/mapper/%s", v[j].name);
		/* opening a dm device does no I/O: it cannot hang on a map without paths */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			log_dbg(COMP, "map '%s': cannot hold it open: %s", v[j].name, strerror(errno));
			continue;
		}
		h = &pd->holds[pd->nholds++];
		h->fd = fd;
		/* both are MP_WWID_MAX, NUL-terminated */
		memcpy(h->wwid, v[j].wwid, sizeof(h->wwid));
	}
}

static void pd_dm_done(struct dmq_job *job, void *arg)
{
	struct pathd *pd = arg;
	struct mp_event ev = { .type = MP_EV_MAP_DONE };
	enum mp_action_type t = (enum mp_action_type)job->tag;

	if (t == MP_ACT_PATH_FAIL || t == MP_ACT_PATH_REINSTATE) {
		ev.type = MP_EV_PATH_DONE;
		snprintf(ev.u.path_done.wwid, sizeof(ev.u.path_done.wwid), "%s", job->wwid);
		snprintf(ev.u.path_done.devt, sizeof(ev.u.path_done.devt), "%s", job->devt);
		ev.u.path_done.reinstate = t == MP_ACT_PATH_REINSTATE;
		ev.u.path_done.err = job->err;
		snprintf(ev.u.path_done.reason, sizeof(ev.u.path_done.reason), "%s", job->reason);
	} else {
		ev.u.map_done.op = t == MP_ACT_MAP_CREATE ? MP_MAP_OP_CREATE :
				   t == MP_ACT_MAP_RELOAD ? MP_MAP_OP_RELOAD :
				   t == MP_ACT_MAP_REMOVE ? MP_MAP_OP_REMOVE :
				   !strcmp(job->msg, "queue_if_no_path") ? MP_MAP_OP_QUEUE :
				   !strncmp(job->msg, "switch_group", 12) ? MP_MAP_OP_SWITCH_GROUP :
									     MP_MAP_OP_NOQUEUE;
		snprintf(ev.u.map_done.wwid, sizeof(ev.u.map_done.wwid), "%s", job->wwid);
		ev.u.map_done.err = job->err;
		snprintf(ev.u.map_done.reason, sizeof(ev.u.map_done.reason), "%s", job->reason);
	}
	if (job->err)
		log_warn(COMP, "map '%s': %s failed after %lld ms: %s", job->name,
			 job->op == DMQ_CREATE ? "create" :
			 job->op == DMQ_RELOAD ? "reload" :
			 job->op == DMQ_REMOVE ? "remove" :
						 job->msg,
			 (long long)job->ms, job->reason);
	else
		log_info(COMP, "map '%s': %s done in %lld ms", job->name,
			 job->op == DMQ_CREATE ? "create" :
			 job->op == DMQ_RELOAD ? "reload" :
			 job->op == DMQ_REMOVE ? "remove" :
						 job->msg,
			 (long long)job->ms);
	pd_feed(pd, &ev);
	free(job);
	pd_hold_sync(pd);
	/* what the kernel now has (open counts, failed paths) */
	pd_dm_list(pd);
}

static void pd_dm(struct pathd *pd, const struct mp_action *a)
{
	struct dmq_job *job = calloc(1, sizeof(*job));

	if (!job) {
		log_err(COMP, "out of memory: a device-mapper call is lost (retried at the next change)");
		return;
	}
	job->tag = (int)a->type;
	job->done = pd_dm_done;
	job->arg = pd;
	switch (a->type) {
	case MP_ACT_MAP_CREATE:
	case MP_ACT_MAP_RELOAD:
		job->op = a->type == MP_ACT_MAP_CREATE ? DMQ_CREATE : DMQ_RELOAD;
		job->spec = a->u.map;
		snprintf(job->name, sizeof(job->name), "%s", a->u.map.name);
		snprintf(job->wwid, sizeof(job->wwid), "%s", a->u.map.wwid);
		break;
	case MP_ACT_MAP_REMOVE:
		/* pathd's own hold must not keep its remove from working */
		pd_hold_drop(pd, a->u.remove.wwid);
		job->op = DMQ_REMOVE;
		job->deferred = a->u.remove.deferred;
		snprintf(job->name, sizeof(job->name), "%s", a->u.remove.name);
		snprintf(job->wwid, sizeof(job->wwid), "%s", a->u.remove.wwid);
		break;
	case MP_ACT_MAP_MESSAGE:
		job->op = DMQ_MESSAGE;
		snprintf(job->name, sizeof(job->name), "%s", a->u.message.name);
		snprintf(job->wwid, sizeof(job->wwid), "%s", a->u.message.wwid);
		if (a->u.message.op == MP_MAP_OP_SWITCH_GROUP) {
			snprintf(job->msg, sizeof(job->msg), "switch_group %u", a->u.message.group);
			log_info(COMP, "map '%s': failing back to path group %u", a->u.message.name,
				 a->u.message.group);
		} else {
			snprintf(job->msg, sizeof(job->msg), "%s",
				 a->u.message.op == MP_MAP_OP_QUEUE ? "queue_if_no_path" :
								      "fail_if_no_path");
		}
		break;
	case MP_ACT_PATH_FAIL:
	case MP_ACT_PATH_REINSTATE:
		job->op = DMQ_MESSAGE;
		snprintf(job->name, sizeof(job->name), "%s", a->u.path.name);
		snprintf(job->wwid, sizeof(job->wwid), "%s", a->u.path.wwid);
		snprintf(job->devt, sizeof(job->devt), "%s", a->u.path.devt);
		snprintf(job->msg, sizeof(job->msg), "%s %s",
			 a->type == MP_ACT_PATH_FAIL ? "fail_path" : "reinstate_path",
			 a->u.path.devt);
		if (a->type == MP_ACT_PATH_FAIL)
			log_info(COMP, "path '%s' (%s) of map '%s': failing it: %s", a->u.path.dev,
				 a->u.path.devt, a->u.path.name, a->u.path.reason);
		else
			log_info(COMP, "path '%s' (%s) of map '%s': reinstating it",
				 a->u.path.dev, a->u.path.devt, a->u.path.name);
		break;
	default:
		free(job);
		return;
	}
	dmq_submit(pd->dmq, job);
}

static bool pd_map_same(const struct mp_ev_map *a, const struct mp_ev_map *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static void pd_dm_listed(struct dmq_job *job, void *arg)
{
	struct pathd *pd = arg;
	size_t i, j;

	pd->dm_listing = false;
	if (job->err) {
		log_warn(COMP, "cannot list the device-mapper maps: %s", job->reason);
		free(job->maps);
		free(job);
		return;
	}
	/* the open counts without pathd's own hold */
	for (j = 0; j < job->nmaps; j++)
		if (pd_hold_find(pd, job->maps[j].spec.wwid) && job->maps[j].open_count)
			job->maps[j].open_count--;
	/* maps gone since the last list */
	for (i = 0; i < pd->nmaps; i++) {
		for (j = 0; j < job->nmaps; j++)
			if (!strcmp(pd->maps[i].spec.wwid, job->maps[j].spec.wwid))
				break;
		if (j == job->nmaps) {
			struct mp_event ev = { .type = MP_EV_MAP_GONE };

			snprintf(ev.u.map_gone, sizeof(ev.u.map_gone), "%s", pd->maps[i].spec.wwid);
			pd_feed(pd, &ev);
		}
	}
	/* maps new or changed */
	for (j = 0; j < job->nmaps; j++) {
		struct mp_event *ev;

		for (i = 0; i < pd->nmaps; i++)
			if (pd_map_same(&pd->maps[i], &job->maps[j]))
				break;
		if (i < pd->nmaps)
			continue;
		ev = calloc(1, sizeof(*ev));
		if (!ev)
			break;
		ev->type = MP_EV_MAP;
		ev->u.map = job->maps[j];
		pd_feed(pd, ev);
		free(ev);
	}
	free(pd->maps);
	pd->maps = job->maps;
	pd->nmaps = job->nmaps;
	free(job);
	pd_hold_sync(pd);
	/* libvirt's pools follow the maps in the kernel */
	virt_sync_maps_changed(pd->virt);
	if (pd->dm_list_again) {
		pd->dm_list_again = false;
		pd_dm_list(pd);
	}
}

/* Lists the maps on the worker; one list at a time, another after it when asked meanwhile. */
static void pd_dm_list(struct pathd *pd)
{
	struct dmq_job *job;

	if (pd->dm_listing) {
		pd->dm_list_again = true;
		return;
	}
	job = calloc(1, sizeof(*job));
	if (!job)
		return;
	job->op = DMQ_LIST;
	job->done = pd_dm_listed;
	job->arg = pd;
	pd->dm_listing = true;
	dmq_submit(pd->dmq, job);
}

/* ---- multipathd, disks ---- */

static void pd_multipathd_done(void *arg, const struct child_result *res)
{
	struct pathd *pd = arg;

	pd->child_runs--;
	/* 1 with "... not running": nothing to tell; it reads the drop-in when it starts */
	if (res->status == 0)
		log_info(COMP, "multipathd re-read its configuration");
	else if (!strstr(res->out, "ot running") && !strstr(res->out, "can't connect") &&
		 !strstr(res->out, "not connect"))
		log_warn(COMP, "multipathd reconfigure failed (status %d%s): %.200s", res->status,
			 res->timed_out ? ", timed out" : "", res->out);
}

/*
 * Whether multipathd runs: its control socket, the abstract UNIX socket
 * "@/org/kernel/linux/storage/multipathd", is bound (/proc/net/unix).
 */
static bool pd_multipathd_running(void)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/net/unix", "re");

	if (!f)
		return true; /* cannot tell: ask it, and let it say */
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "@/org/kernel/linux/storage/multipathd") != NULL;
	fclose(f);
	return found;
}

/* Tells multipathd, when it runs, to read its drop-ins again (ours among them). */
static void pd_multipathd_reconfigure(struct pathd *pd)
{
	const char *argv[] = { pd->env.multipathd ? pd->env.multipathd : "multipathd",
			       "reconfigure", NULL };
	int rc;

	/* not running: it reads the drop-in when it starts */
	if (!pd->env.multipathd && !pd_multipathd_running())
		return;

	rc = child_run(pd->runner, argv, 30 * 1000, pd_multipathd_done, pd, NULL);
	if (rc == -ENOENT)
		return; /* multipath-tools is not installed: nothing to tell */
	if (rc)
		log_warn(COMP, "cannot run multipathd reconfigure: %s", strerror(-rc));
	else
		pd->child_runs++;
}

static void pd_wwids(struct pathd *pd, const struct mp_action *a)
{
	int rc = mpconf_write(pd->conf.multipath_dropin,
			      (const char(*)[MP_WWID_MAX])a->u.wwids.wwids, a->u.wwids.n);

	if (rc < 0) {
		log_warn(COMP, "cannot write multipathd's drop-in '%s': %s", pd->conf.multipath_dropin,
			 strerror(-rc));
		return;
	}
	if (rc == 1)
		return;
	log_info(COMP, "multipathd's drop-in '%s' now keeps multipathd off %zu WWID(s)",
		 pd->conf.multipath_dropin, a->u.wwids.n);
	pd_multipathd_reconfigure(pd);
}

/* Writes value into the sysfs file at rel (under the sysfs root). 0 or -errno. */
int pd_sysfs_write(const struct pathd *pd, const char *rel, const char *value)
{
	char path[512];
	int fd, rc = 0;
	size_t len = strlen(value);

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", pd->env.sysfs_root, rel) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* a sysfs store takes the whole value in one write, or refuses it */
	if (write(fd, value, len) != (ssize_t)len)
		rc = errno ? -errno : -EIO;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

/* Writes 1 into the disk's device/<file> (delete, rescan). */
static void pd_disk_write(struct pathd *pd, const char *dev, const char *file, const char *what,
			  const char *done)
{
	char rel[128];
	int rc;

	snprintf(rel, sizeof(rel), "block/%s/device/%s", dev, file);
	rc = pd_sysfs_write(pd, rel, "1");
	if (rc)
		log_warn(COMP, "disk '%s': cannot %s it: %s", dev, what, strerror(-rc));
	else
		log_info(COMP, "disk '%s' %s", dev, done);
	/* what the kernel did (a disk gone, a new size) is seen now, not at the next scan */
	pd_scan(pd);
}

static void pd_session_tmo(struct pathd *pd, uint32_t sid, uint32_t tmo)
{
	char err[256];

	if (sesstmo_set(pd->env.sysfs_root, sid, (int32_t)tmo, err, sizeof(err)))
		log_warn(COMP, "session %u: cannot set its recovery timeout to %u s: %s", sid, tmo,
			 err);
	else if (!tmo)
		log_info(COMP,
			 "session %u: recovery timeout 0 s (its maps have spare paths: a lost connection moves its I/O at once)",
			 sid);
	else
		log_info(COMP, "session %u: recovery timeout %u s (the policy's)", sid, tmo);
}

static void pd_do(struct pathd *pd, const struct mp_action *a)
{
	switch (a->type) {
	case MP_ACT_REACH:
		pd_reach(pd, a->u.addr);
		break;
	case MP_ACT_NIC_PREPARE:
		pd_nic_prepare(pd, a);
		break;
	case MP_ACT_DISCOVER:
	case MP_ACT_LOGIN:
	case MP_ACT_LOGOUT:
	case MP_ACT_RESCAN:
		pd_iscsiadm(pd, a);
		break;
	case MP_ACT_MAP_CREATE:
	case MP_ACT_MAP_RELOAD:
	case MP_ACT_MAP_REMOVE:
	case MP_ACT_MAP_MESSAGE:
	case MP_ACT_PATH_FAIL:
	case MP_ACT_PATH_REINSTATE:
		pd_dm(pd, a);
		break;
	case MP_ACT_WWIDS:
		pd_wwids(pd, a);
		break;
	case MP_ACT_DISK_DELETE:
		pd_disk_write(pd, a->u.disk, "delete", "delete", "deleted");
		break;
	case MP_ACT_DISK_RESCAN:
		pd_disk_write(pd, a->u.disk, "rescan", "rescan", "rescanned");
		break;
	case MP_ACT_SESSION_TMO:
		pd_session_tmo(pd, a->u.session_tmo.sid, a->u.session_tmo.recovery_tmo_s);
		break;
	case MP_ACT_CHECK:
		pd_check(pd, a);
		break;
	case MP_ACT_KICK:
		pd_kick(pd, &a->u.kick.key, a->u.kick.sid);
		break;
	}
}

/* ---- sysfs scans ---- */

/* Whether the scan saw session sid (hctl "") or its disk hctl, and could not read it. */
static bool pd_scan_skipped(const struct scan_snapshot *s, uint32_t sid, const char *hctl)
{
	for (size_t i = 0; i < s->nskips; i++)
		if (s->skips[i].sid == sid && (!s->skips[i].hctl[0] || !strcmp(s->skips[i].hctl, hctl)))
			return true;
	return false;
}

static bool pd_session_same(const struct scan_session *a, const struct scan_session *b)
{
	return !memcmp(&a->ev, &b->ev, sizeof(a->ev));
}

static bool pd_disk_same(const struct scan_disk *a, const struct scan_disk *b)
{
	return !memcmp(&a->ev, &b->ev, sizeof(a->ev));
}

static bool pd_link_eq(const struct mp_link_key *a, const struct mp_link_key *b)
{
	return !strcmp(a->nic, b->nic) && !strcmp(a->portal, b->portal) &&
	       !strcmp(a->target, b->target);
}

/*
 * What the last snapshot has and this scan saw but could not read (a
 * session or disk the kernel is taking apart, or making) goes into now as
 * it was: dropped, it would not be in the snapshot the next scan compares
 * with, and so never reported gone. 0 or -ENOMEM.
 */
static int pd_scan_carry(const struct scan_snapshot *old, struct scan_snapshot *now)
{
	size_t i, j, n = now->nsessions;

	for (i = 0; i < old->nsessions; i++) {
		const struct scan_session *o = &old->sessions[i];
		struct scan_session *a;

		for (j = 0; j < n; j++)
			if (pd_link_eq(&now->sessions[j].ev.key, &o->ev.key))
				break;
		if (j < n || !pd_scan_skipped(now, o->ev.sid, ""))
			continue;
		a = reallocarray(now->sessions, now->nsessions + 1, sizeof(*a));
		if (!a)
			return -ENOMEM;
		now->sessions = a;
		a[now->nsessions++] = *o;
	}
	n = now->ndisks;
	for (i = 0; i < old->ndisks; i++) {
		const struct scan_disk *o = &old->disks[i];
		struct scan_disk *a;

		for (j = 0; j < n; j++)
			if (now->disks[j].ev.key.lun == o->ev.key.lun &&
			    pd_link_eq(&now->disks[j].ev.key.link, &o->ev.key.link))
				break;
		if (j < n || !pd_scan_skipped(now, o->sid, o->hctl))
			continue;
		a = reallocarray(now->disks, now->ndisks + 1, sizeof(*a));
		if (!a)
			return -ENOMEM;
		now->disks = a;
		a[now->ndisks++] = *o;
	}
	return 0;
}

/*
 * The kernel tells of a LUN list or capacity change (unit attentions
 * 3Fh/0Eh and 2Ah/09h) with a uevent on the SCSI device only when its
 * evt_lun_change_reported and evt_capacity_change_reported are on
 * (drivers/scsi/scsi_lib.c, sdev_evt_send): turned on for every disk of
 * ours. The path checker meets the same unit attentions anyway; this
 * makes it sooner.
 */
static void pd_disk_events_on(struct pathd *pd, const char *hctl)
{
	static const char *const evts[] = { "evt_lun_change_reported",
					    "evt_capacity_change_reported" };
	char rel[128];

	for (size_t i = 0; i < ARRAY_SIZE(evts); i++) {
		snprintf(rel, sizeof(rel), "class/scsi_device/%s/device/%s", hctl, evts[i]);
		if (pd_sysfs_write(pd, rel, "1"))
			log_dbg(COMP, "disk %s: cannot turn %s on", hctl, evts[i]);
	}
}

/* Scans sysfs now and feeds what changed since the last scan. */
static void pd_scan(struct pathd *pd)
{
	struct scan_snapshot now = { 0 };
	size_t i, j;
	int rc;

	rc = scan_read(pd->env.sysfs_root, IADM_IFACE_PREFIX, &now);
	if (rc) {
		log_warn(COMP, "cannot scan %s: %s", pd->env.sysfs_root, strerror(-rc));
		return;
	}
	for (j = 0; j < now.nskips; j++)
		log_dbg(COMP, "scan: session %u %s skipped: %s", now.skips[j].sid, now.skips[j].hctl,
			now.skips[j].reason);
	/* gone: disks before sessions, as the kernel takes them away */
	for (i = 0; i < pd->snap.ndisks; i++) {
		const struct scan_disk *o = &pd->snap.disks[i];

		for (j = 0; j < now.ndisks; j++)
			if (now.disks[j].ev.key.lun == o->ev.key.lun &&
			    pd_link_eq(&now.disks[j].ev.key.link, &o->ev.key.link))
				break;
		/* one the scan could not read this time is not gone */
		if (j == now.ndisks && !pd_scan_skipped(&now, o->sid, o->hctl)) {
			struct mp_event ev = { .type = MP_EV_DISK_GONE };

			ev.u.path = o->ev.key;
			log_info(COMP, "disk '%s' (LUN %llu of '%s' at %s over '%s') is gone", o->ev.dev,
				 (unsigned long long)o->ev.key.lun, o->ev.key.link.target,
				 o->ev.key.link.portal, o->ev.key.link.nic);
			pd_feed(pd, &ev);
		}
	}
	for (i = 0; i < pd->snap.nsessions; i++) {
		const struct scan_session *o = &pd->snap.sessions[i];

		for (j = 0; j < now.nsessions; j++)
			if (pd_link_eq(&now.sessions[j].ev.key, &o->ev.key))
				break;
		if (j == now.nsessions && !pd_scan_skipped(&now, o->ev.sid, "")) {
			struct mp_event ev = { .type = MP_EV_SESSION_GONE };

			ev.u.link = o->ev.key;
			log_info(COMP, "session %u ('%s' at %s over '%s') is gone", o->ev.sid,
				 o->ev.key.target, o->ev.key.portal, o->ev.key.nic);
			pd_feed(pd, &ev);
		}
	}
	/* new or changed: sessions before their disks */
	for (j = 0; j < now.nsessions; j++) {
		const struct scan_session *n = &now.sessions[j];
		struct mp_event ev = { .type = MP_EV_SESSION };

		for (i = 0; i < pd->snap.nsessions; i++)
			if (pd_session_same(&pd->snap.sessions[i], n))
				break;
		if (i < pd->snap.nsessions)
			continue;
		ev.u.session = n->ev;
		log_info(COMP, "session %u: '%s' at %s over '%s', %s", n->ev.sid, n->ev.key.target,
			 n->ev.key.portal, n->ev.key.nic, n->ev.logged_in ? "logged in" : "not logged in");
		pd_feed(pd, &ev);
	}
	for (j = 0; j < now.ndisks; j++) {
		const struct scan_disk *n = &now.disks[j];
		struct mp_event ev = { .type = MP_EV_DISK };
		char name[MP_PATH_NAME_MAX];

		for (i = 0; i < pd->snap.ndisks; i++)
			if (pd_disk_same(&pd->snap.disks[i], n))
				break;
		if (i < pd->snap.ndisks)
			continue;
		ev.u.disk = n->ev;
		pd_disk_events_on(pd, n->hctl);
		if (mp_path_name(&n->ev.key, name, sizeof(name)) < 0)
			snprintf(name, sizeof(name), "%s", n->ev.dev);
		if (n->ev.wwid[0])
			log_info(COMP, "disk '%s' (%s): %llu bytes, WWID %s%s", n->ev.dev, name,
				 (unsigned long long)n->ev.size, n->ev.wwid,
				 n->ev.ready ? "" : ", not ready");
		else
			log_warn(COMP, "disk '%s' (%s): no WWID (%s): left out of every map", n->ev.dev,
				 name, n->ev.reason);
		pd_feed(pd, &ev);
	}
	if (pd_scan_carry(&pd->snap, &now))
		log_err(COMP, "out of memory: a session or disk the scan could not read is forgotten "
			      "(it will not be reported gone)");
	scan_free(&pd->snap);
	pd->snap = now;
}

static int64_t pd_on_scan_timer(struct ev_loop *loop, void *arg)
{
	struct pathd *pd = arg;

	(void)loop;
	pd_umon_try(pd);
	pd_scan(pd);
	pd_dm_list(pd);
	pd->watching = mp_sm_watching(pd->sm);
	return pd->watching ? PD_WATCH_SCAN_MS : pd->conf.scan_interval_s * 1000LL;
}

static int64_t pd_on_scan_soon(struct ev_loop *loop, void *arg)
{
	struct pathd *pd = arg;

	(void)loop;
	pd->scan_soon = NULL;
	pd_scan(pd);
	return EV_TIMER_STOP;
}

/* A unit attention the kernel reported on SCSI device hctl (udev's SDEV_UA), to the machine. */
static void pd_disk_ua(struct pathd *pd, const char *hctl, const char *ua)
{
	struct mp_event ev = { .type = MP_EV_DISK_UA };

	if (!strcmp(ua, "REPORTED_LUNS_DATA_HAS_CHANGED"))
		ev.u.disk_ua.ua = MP_UA_LUNS_CHANGED;
	else if (!strcmp(ua, "CAPACITY_DATA_HAS_CHANGED"))
		ev.u.disk_ua.ua = MP_UA_CAPACITY_CHANGED;
	else if (!strcmp(ua, "ASYMMETRIC_ACCESS_STATE_CHANGED"))
		ev.u.disk_ua.ua = MP_UA_ALUA_CHANGED;
	else
		return;
	for (size_t i = 0; i < pd->snap.ndisks; i++) {
		const struct scan_disk *d = &pd->snap.disks[i];

		if (strcmp(d->hctl, hctl))
			continue;
		log_info(COMP, "disk '%s': the target reports %s", d->ev.dev, ua);
		ev.u.disk_ua.key = d->ev.key;
		pd_feed(pd, &ev);
		return;
	}
}

static void pd_udev_changed(void *arg, const char *action, const char *subsystem,
			    const char *devname, const char *ua)
{
	struct pathd *pd = arg;

	/* NULL: events were lost; the scan below sees everything anyway */
	log_dbg(COMP, "udev: %s %s %s%s%s", action ? action : "(events lost)",
		subsystem ? subsystem : "", devname ? devname : "", ua ? " SDEV_UA=" : "",
		ua ? ua : "");
	if (ua && subsystem && devname && !strcmp(subsystem, "scsi"))
		pd_disk_ua(pd, devname, ua);
	if (!pd->scan_soon)
		pd->scan_soon = ev_timer_add(pd->loop, PD_SCAN_SOON_MS, pd_on_scan_soon, pd);
	/* a multipath map's own events (a dm device) tell of its state */
	if (!subsystem || (!strcmp(subsystem, "block") && devname && !strncmp(devname, "dm-", 3)))
		pd_dm_list(pd);
}

/*
 * Follows udev once systemd-udevd runs: libudev's monitor hears nothing
 * when it is made before (umon.h), so it is made when udev is there.
 */
static void pd_umon_try(struct pathd *pd)
{
	int rc;

	if (pd->umon || !pd->env.udev || !umon_udev_running("/run"))
		return;
	rc = umon_create(pd->loop, &pd->umon, pd_udev_changed, pd);
	if (rc)
		log_warn(COMP, "cannot follow udev (%s): the scan every %u s finds changes",
			 strerror(-rc), pd->conf.scan_interval_s);
	else
		log_info(COMP, "following udev's disk and session events");
}

/* ---- NICs ---- */

static void pd_nic_changed(void *arg, const struct mp_ev_nic *nic)
{
	struct pathd *pd = arg;
	struct mp_event ev = { .type = MP_EV_NIC };

	ev.u.nic = *nic;
	log_info(COMP, "nic '%s': %s, %s%s", nic->name, nic->up ? "up" : "down",
		 nic->carrier ? "carrier" : "no carrier", nic->has_addr ? "" : ", no address");
	pd_feed(pd, &ev);
}

static void pd_nic_gone(void *arg, const char *name)
{
	struct pathd *pd = arg;
	struct mp_event ev = { .type = MP_EV_NIC_GONE };

	snprintf(ev.u.nic_gone, sizeof(ev.u.nic_gone), "%s", name);
	log_info(COMP, "nic '%s' is gone", name);
	pd_feed(pd, &ev);
}

static void pd_routes_changed(void *arg)
{
	struct pathd *pd = arg;
	struct mp_event ev = { .type = MP_EV_ROUTES };

	log_dbg(COMP, "routes or addresses changed");
	pd_feed(pd, &ev);
}

static const struct nic_mon_ops pd_nic_ops = {
	.changed = pd_nic_changed,
	.gone = pd_nic_gone,
	.routes_changed = pd_routes_changed,
};

/* ---- signals, configuration ---- */

/* The iscsiadm adapter's settings, from pathd.conf. */
static void pd_iadm_conf(const struct pathd *pd, struct iadm_conf *ic)
{
	memset(ic, 0, sizeof(*ic));
	ic->iscsiadm = pd->env.iscsiadm;
	/* a login that never answers costs one login_timeout; this bounds the whole run */
	ic->timeout_ms = 60 * 1000;
	ic->discovery_chap = pd->conf.discovery_chap;
	ic->session_chap = pd->conf.session_chap;
	ic->replacement_timeout_s = pd->conf.mp.policy.replacement_timeout_s;
	ic->noop_out_interval_s = pd->conf.mp.policy.noop_out_interval_s;
	ic->noop_out_timeout_s = pd->conf.mp.policy.noop_out_timeout_s;
	ic->login_timeout_s = pd->conf.mp.policy.login_timeout_s;
	ic->digests = pd->conf.mp.policy.digests;
	/*
	 * One try per login: iscsid's own retries (8 x 15 s by default) go on
	 * after a killed iscsiadm, behind pathd's back; pathd retries itself,
	 * with a back-off it reports.
	 */
	ic->login_retry_max = 0;
}

int pd_reconfigure(struct pathd *pd, char *err, size_t errlen)
{
	struct iadm_conf ic;
	struct pathd_conf c;
	struct cfg_err cerr = { { 0 } };
	struct mp_event ev = { .type = MP_EV_RECONFIGURE };
	int rc;

	rc = pathd_conf_load(pd->conf.path, pd->env.initiatorname_file, &c, &cerr);
	if (rc) {
		snprintf(err, errlen, "%s", cerr.msg);
		pathd_conf_free(&c);
		return rc;
	}
	if (strcmp(c.initiator, pd->conf.initiator) || strcmp(c.control_socket, pd->conf.control_socket))
		log_warn(COMP, "the initiator name and the control socket take effect at the next start");
	pd->busy = true;
	rc = mp_sm_set_config(pd->sm, &c.mp, ev_now_ms(), &pd->acts);
	pd_run_actions(pd);
	pd->busy = false;
	if (rc) {
		snprintf(err, errlen, "out of memory");
		pathd_conf_free(&c);
		return rc;
	}
	snprintf(c.initiator, sizeof(c.initiator), "%s", pd->conf.initiator);
	snprintf(c.control_socket, sizeof(c.control_socket), "%s", pd->conf.control_socket);
	pathd_conf_free(&pd->conf);
	pd->conf = c;
	log_set_level(pd->conf.log_level);
	log_set_debug(pd->conf.debug);
	pd_iadm_conf(pd, &ic);
	if (iadm_set_conf(pd->iadm, &ic))
		log_warn(COMP, "reconfigure: the new CHAP settings are refused by the iscsiadm adapter");
	log_info(COMP, "reconfigure: '%s' read again; discovering everything again",
		 pd->conf.path);
	pd_feed(pd, &ev);
	pd_scan(pd);
	return 0;
}

static void pd_on_signal(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct pathd *pd = arg;
	struct signalfd_siginfo si;
	char err[600];

	(void)events;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		notify_reloading();
		if (pd_reconfigure(pd, err, sizeof(err)))
			log_err(COMP, "reconfigure refused, the running configuration stays: %s", err);
		notify_ready("managing paths");
		return;
	}
	log_info(COMP, "signal %u: stopping; maps and sessions stay as they are", si.ssi_signo);
	notify_stopping("stopping; maps and sessions stay");
	ev_stop(loop);
}

/* ---- life ---- */

static int pd_learn(struct pathd *pd, char *err, size_t errlen)
{
	struct mp_ev_nic nics[64];
	struct mp_event ev;
	struct mp_ev_map *maps = NULL;
	size_t n, nmaps = 0;
	int rc;

	n = nic_mon_list(pd->nics, nics, ARRAY_SIZE(nics));
	for (size_t i = 0; i < n && i < ARRAY_SIZE(nics); i++)
		pd_nic_changed(pd, &nics[i]);
	pd_scan(pd);
	/* at start, on this thread: the loop does not run yet */
	rc = pd->env.dm->list(pd->env.dm_arg, &maps, &nmaps, err, errlen);
	if (rc)
		return rc;
	for (size_t i = 0; i < nmaps; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = MP_EV_MAP;
		ev.u.map = maps[i];
		pd_feed(pd, &ev);
	}
	pd->maps = maps;
	pd->nmaps = nmaps;
	log_info(COMP, "found %zu NIC(s), %zu session(s), %zu disk(s), %zu multipath map(s)", n,
		 pd->snap.nsessions, pd->snap.ndisks, nmaps);
	memset(&ev, 0, sizeof(ev));
	ev.type = MP_EV_STARTED;
	pd_feed(pd, &ev);
	return 0;
}

static int pd_signals(struct pathd *pd)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	pd->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (pd->sigfd < 0)
		return -errno;
	return ev_add_fd(pd->loop, pd->sigfd, EV_READ, pd_on_signal, pd);
}

int pathd_create(struct pathd_conf *conf, const struct pathd_env *env,
		 struct pathd **out, char *err, size_t errlen)
{
	struct iadm_conf ic = { 0 };
	struct pathd *pd;
	int rc;

	pd = calloc(1, sizeof(*pd));
	if (!pd)
		return -ENOMEM;
	rc = pd_events_create(PD_EVENTS_MAX, &pd->events);
	if (rc) {
		free(pd);
		return rc;
	}
	/* from here on, what pathd logs at info and above is kept for show events */
	log_set_tap(pd_events_tap, pd->events);
	pd->sigfd = -1;
	pd->env = *env;
	/* taken over: its arrays are the daemon's from now on */
	pd->conf = *conf;
	memset(conf, 0, sizeof(*conf));
	conf = &pd->conf;
	mp_actions_init(&pd->acts);
	pd->started = time(NULL);
	pd->started_ms = ev_now_ms();
	rc = ev_loop_create(&pd->loop);
	if (rc) {
		snprintf(err, errlen, "cannot create the event loop: %s", strerror(-rc));
		goto err_conf;
	}
	pd->tick = ev_timer_add(pd->loop, 3600 * 1000, pd_on_tick, pd);
	if (!pd->tick) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto err_loop;
	}
	rc = mp_sm_create(&pd->conf.mp, &pd->sm);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		goto err_loop;
	}
	rc = pd_signals(pd);
	if (rc) {
		snprintf(err, errlen, "cannot watch signals: %s", strerror(-rc));
		goto err_sm;
	}
	rc = nic_mon_start(pd->loop, &pd_nic_ops, pd, &pd->nics, err, errlen);
	if (rc)
		goto err_sm;
	pd_iadm_conf(pd, &ic);
	rc = iadm_create(pd->loop, &ic, &pd->iadm);
	if (rc) {
		snprintf(err, errlen, "%s", rc == -EINVAL ? "CHAP settings the iscsiadm adapter refuses" :
							    "out of memory");
		goto err_nics;
	}
	rc = child_runner_create(pd->loop, &pd->runner);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		goto err_iadm;
	}
	rc = dmq_start(pd->loop, env->dm, env->dm_arg, &pd->dmq);
	if (rc) {
		snprintf(err, errlen, "cannot start the device-mapper worker: %s", strerror(-rc));
		goto err_runner;
	}
	rc = tur_create(pd->loop, env->tur ? env->tur : &tur_sg_ops, env->tur_arg, PD_CHECK_WORKERS,
			&pd->tur);
	if (rc) {
		snprintf(err, errlen, "cannot start the path checker: %s", strerror(-rc));
		goto err_dmq;
	}
	if (env->sockkill) {
		char why[256];

		pd->sockkill = !sockkill_probe(why, sizeof(why));
		if (!pd->sockkill)
			log_warn(COMP, "%s: a dead session's I/O fails over after the NOP-Out timeout, not at once",
				 why);
	}
	pd_umon_try(pd);
	if (env->udev && !pd->umon)
		log_warn(COMP, "systemd-udevd does not run: the scan every %u s finds changes",
			 pd->conf.scan_interval_s);
	rc = ctl_server_start(pd->loop, pd->conf.control_socket, "portico-pathd", NULL,
			      pd_ctl_handle, pd, &pd->ctl, err, errlen);
	if (rc)
		goto err_umon;
	rc = pd_learn(pd, err, errlen);
	if (rc)
		goto err_ctl;
	pd->scan_timer = ev_timer_add(pd->loop, pd->conf.scan_interval_s * 1000LL, pd_on_scan_timer,
				      pd);
	if (!pd->scan_timer) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto err_ctl;
	}
	rc = virt_pathd_start(pd, err, errlen);
	if (rc)
		goto err_ctl;
	*out = pd;
	return 0;

err_ctl:
	ctl_server_stop(pd->ctl);
err_umon:
	umon_destroy(pd->umon);
	tur_destroy(pd->tur);
err_dmq:
	dmq_stop(pd->dmq);
err_runner:
	child_runner_destroy(pd->runner);
err_iadm:
	iadm_destroy(pd->iadm);
err_nics:
	nic_mon_stop(pd->nics);
err_sm:
	if (pd->sigfd >= 0) {
		ev_del_fd(pd->loop, pd->sigfd);
		close(pd->sigfd);
	}
	mp_sm_destroy(pd->sm);
err_loop:
	ev_loop_destroy(pd->loop);
err_conf:
	pathd_conf_free(&pd->conf);
	mp_actions_fini(&pd->acts);
	log_set_tap(NULL, NULL);
	pd_events_destroy(pd->events);
	free(pd);
	return rc;
}

int pathd_run(struct pathd *pd)
{
	log_info(COMP, "running: initiator '%s', control socket %s", pd->conf.initiator,
		 pd->conf.control_socket);
	return ev_run(pd->loop);
}

void pathd_destroy(struct pathd *pd)
{
	struct pd_pending *p;

	if (!pd)
		return;
	ctl_server_stop(pd->ctl);
	virt_sync_destroy(pd->virt);
	umon_destroy(pd->umon);
	tur_destroy(pd->tur);
	/* a dm call under way finishes (a map is never left half made); its answer is dropped */
	dmq_stop(pd->dmq);
	child_runner_destroy(pd->runner);
	iadm_destroy(pd->iadm);
	nic_mon_stop(pd->nics);
	ev_del_fd(pd->loop, pd->sigfd);
	close(pd->sigfd);
	ev_loop_destroy(pd->loop);
	while ((p = pd->head)) {
		pd->head = p->next;
		free(p->owned);
		free(p);
	}
	while (pd->nholds)
		pd_hold_drop(pd, pd->holds[pd->nholds - 1].wwid);
	scan_free(&pd->snap);
	free(pd->maps);
	mp_sm_destroy(pd->sm);
	mp_actions_fini(&pd->acts);
	pathd_conf_free(&pd->conf);
	/* every thread that logs has stopped */
	log_set_tap(NULL, NULL);
	pd_events_destroy(pd->events);
	free(pd);
}
