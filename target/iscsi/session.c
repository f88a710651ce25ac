/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iSCSI sessions: the registry (TSIH allocation, session reinstatement),
 * command numbering (CmdSN window, in-order delivery) and the control PDUs
 * of full feature phase (NOP-Out, Text, Logout).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/ev.h"
#include "common/iscsi_name.h"
#include "common/log.h"
#include "common/util.h"
#include "target/iscsi/iscsi_int.h"

#define COMP "iscsi"
#define SESS_DEFAULT_CMDSN_DEPTH 128
#define SESS_DEFERRED_MAX 256

/* The registry: every live session, for TSIH uniqueness and reinstatement. */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head reg_sessions = LIST_HEAD_INIT(reg_sessions);
static uint16_t reg_next_tsih = 1;

static bool reg_tsih_in_use(uint16_t tsih)
{
	struct iscsi_session *s;

	list_for_each_entry(s, &reg_sessions, reg_link)
		if (s->tsih == tsih)
			return true;
	return false;
}

/* Called with reg_lock held. */
static uint16_t reg_alloc_tsih(void)
{
	for (unsigned int i = 0; i < 65536; i++) {
		uint16_t t = reg_next_tsih++;

		/* RFC 7143 §11.12.6: TSIH 0 is reserved for a new session's first login. */
		if (t == 0)
			continue;
		if (!reg_tsih_in_use(t))
			return t;
	}
	return 0;
}

bool sess_tsih_live(const uint8_t *isid, uint16_t tsih)
{
	struct iscsi_session *s;
	bool live = false;

	pthread_mutex_lock(&reg_lock);
	list_for_each_entry(s, &reg_sessions, reg_link)
		if (s->tsih == tsih && !memcmp(s->isid, isid, sizeof(s->isid)))
			live = true;
	pthread_mutex_unlock(&reg_lock);
	return live;
}

size_t iscsi_session_list(struct iscsi_session_info *out, size_t max)
{
	struct iscsi_session *s;
	size_t n = 0;

	pthread_mutex_lock(&reg_lock);
	list_for_each_entry(s, &reg_sessions, reg_link)
	{
		struct iscsi_session_info *i;

		if (n >= max) {
			n++; /* counted, not filled */
			continue;
		}
		i = &out[n++];
		/*
		 * A registered session is not destroyed yet (sess_destroy takes it
		 * out under this lock first), so neither is its connection, and
		 * every field read here is set before registration or, nluns,
		 * written under this lock.
		 */
		memset(i, 0, sizeof(*i));
		snprintf(i->initiator, sizeof(i->initiator), "%s", s->initiator);
		i->discovery = s->type == ISCSI_SESSION_DISCOVERY;
		if (!i->discovery)
			snprintf(i->target, sizeof(i->target), "%s", s->target);
		i->tpg_tag = s->tpg_tag;
		i->tsih = s->tsih;
		memcpy(i->isid, s->isid, sizeof(i->isid));
		snprintf(i->portal, sizeof(i->portal), "%s", s->conn->local_text);
		snprintf(i->peer, sizeof(i->peer), "%s", s->conn->peer_text);
		i->luns = s->nluns;
		i->io_memory = __atomic_load_n(&s->mem_held, __ATOMIC_RELAXED);
		i->waiting = __atomic_load_n(&s->mem_nwait, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&reg_lock);
	return n;
}

static void sess_kill_cb(void *arg)
{
	struct iscsi_conn *conn = arg;

	conn_close(conn, "session reinstated by a new login with the same ISID");
	conn_put(conn);
}

static size_t sess_list_luns(const struct scsi_nexus *nx, uint64_t *luns, size_t max)
{
	const struct iscsi_session *sess = nx->priv;
	const struct scsi_lun_map *map = sess->luns ? sess->luns->map : NULL;
	size_t n = map ? map->n : 0;

	/* The current set: REPORT LUNS answers what this nexus can address now. */
	for (size_t i = 0; i < n && i < max; i++)
		luns[i] = map->e[i].lun;
	return n;
}

static void sess_clear_ua(const struct scsi_nexus *nx, uint32_t ua_bits)
{
	const struct iscsi_session *sess = nx->priv;
	const struct sess_luns *l = sess->luns;

	for (size_t i = 0; l && l->map && i < l->map->n; i++)
		if (l->itls[i])
			scsi_itl_clear_ua(l->itls[i], ua_bits);
}

/*
 * EXTENDED COPY names LUs by their NAA designator: it reaches those of the
 * current LUN map only, with this nexus's rights on them.
 */
static int sess_find_lu(const struct scsi_nexus *nx, const uint8_t *naa, size_t len,
			struct scsi_itl **itl, bool *read_only)
{
	const struct iscsi_session *sess = nx->priv;
	const struct sess_luns *l = sess->luns;

	for (size_t i = 0; l && l->map && i < l->map->n; i++) {
		const struct scsi_lu_id *id = scsi_lu_get_id(l->map->e[i].lu);

		if (l->itls[i] && len == sizeof(id->naa) && !memcmp(id->naa, naa, len)) {
			*itl = l->itls[i];
			*read_only = l->map->e[i].read_only;
			return 0;
		}
	}
	return -ENOENT;
}

/* SET TARGET PORT GROUPS changed states through this nexus: the environment keeps them. */
static void sess_alua_changed(const struct scsi_nexus *nx)
{
	const struct iscsi_session *sess = nx->priv;

	if (sess->env.ops && sess->env.ops->alua_changed)
		sess->env.ops->alua_changed(sess->env.arg, sess->target);
}

/* ---- LUN sets (struct sess_luns) ---- */

static size_t map_n(const struct scsi_lun_map *map)
{
	return map ? map->n : 0;
}

/* Hands a map from session_conf back to the session's environment. */
static void sess_conf_release(const struct iscsi_session *sess, struct scsi_lun_map *map)
{
	struct iscsi_session_conf conf = { .map = map };
	const struct iscsi_env *env = &sess->env;

	if (env->ops && env->ops->session_conf_release)
		env->ops->session_conf_release(env->arg, &conf);
}

/* Hands the reference to a target's port groups from session_conf back (NULL: none). */
static void sess_alua_release(const struct iscsi_session *sess, struct alua_tgt *alua)
{
	struct iscsi_session_conf conf = { .alua = alua };
	const struct iscsi_env *env = &sess->env;

	if (alua && env->ops && env->ops->session_conf_release)
		env->ops->session_conf_release(env->arg, &conf);
}

/*
 * Frees a set: its itls first (each attaches the nexus to an LU that only
 * the map's reference may be keeping alive), then the map.
 */
static void luns_free(const struct iscsi_session *sess, struct sess_luns *l)
{
	for (size_t i = 0; l->itls && i < map_n(l->map); i++)
		scsi_itl_destroy(l->itls[i]);
	free(l->itls);
	sess_conf_release(sess, l->map);
	free(l);
}

/*
 * A set for map (which it takes over only on success). Each entry gets the
 * itl of the same (LUN, LU) pair in old when there is one, else a new itl
 * (POWER ON pending: the nexus never saw that LU behind that LUN).
 * *carried counts the itls taken from old; old is not changed yet (see
 * luns_commit). 0 or -errno.
 */
static int luns_build(struct iscsi_session *sess, struct scsi_lun_map *map,
		      const struct sess_luns *old, size_t *carried, struct sess_luns **out)
{
	struct sess_luns *l;
	size_t n = map_n(map);
	int rc;

	*carried = 0;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	list_init(&l->link);
	if (n) {
		l->itls = calloc(n, sizeof(*l->itls));
		if (!l->itls) {
			rc = -ENOMEM;
			goto err_free;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct scsi_lun_entry *e = &map->e[i];
		const struct scsi_lun_entry *o = old ? scsi_lun_map_find(old->map, e->lun) : NULL;

		if (o && o->lu == e->lu && old->itls[o - old->map->e]) {
			l->itls[i] = old->itls[o - old->map->e];
			(*carried)++;
			continue;
		}
		rc = scsi_itl_create(e->lu, &sess->nexus, &l->itls[i]);
		if (rc)
			goto err_itls;
	}
	l->map = map;
	*out = l;
	return 0;

err_itls:
	for (size_t i = 0; i < n; i++) {
		const struct scsi_lun_entry *o =
			old ? scsi_lun_map_find(old->map, map->e[i].lun) : NULL;

		/* the carried ones are still old's */
		if (l->itls[i] && !(o && l->itls[i] == old->itls[o - old->map->e]))
			scsi_itl_destroy(l->itls[i]);
	}
	free(l->itls);
err_free:
	free(l);
	return rc;
}

/* The itls that l took over from old are l's now: old must not destroy them. */
static void luns_commit(struct sess_luns *l, struct sess_luns *old)
{
	for (size_t i = 0; i < map_n(l->map); i++) {
		const struct scsi_lun_entry *o = scsi_lun_map_find(old->map, l->map->e[i].lun);

		if (o && old->itls[o - old->map->e] == l->itls[i])
			old->itls[o - old->map->e] = NULL;
	}
}

/*
 * Frees the retired sets no task holds any more, oldest first, and stops at
 * the first one still held. Order matters: an itl moves only from an older
 * set to a newer one, so a task of an older set may be using an itl that a
 * newer retired set owns now; that set goes only after every older one.
 */
static void sess_reap(struct iscsi_session *sess)
{
	while (!list_empty(&sess->retired)) {
		struct sess_luns *l = list_first_entry(&sess->retired, struct sess_luns, link);

		if (l->inflight)
			break;
		list_del(&l->link);
		luns_free(sess, l);
	}
}

void sess_luns_put(struct iscsi_session *sess, struct sess_luns *l)
{
	if (--l->inflight == 0 && l != sess->luns)
		sess_reap(sess);
}

static void sess_set_nluns(struct iscsi_session *sess)
{
	pthread_mutex_lock(&reg_lock);
	sess->nluns = (unsigned int)map_n(sess->luns->map);
	pthread_mutex_unlock(&reg_lock);
}

/* Whether two maps show the same LUNs, LUs and modes, in the same order. */
static bool map_same(const struct scsi_lun_map *a, const struct scsi_lun_map *b)
{
	if (map_n(a) != map_n(b))
		return false;
	for (size_t i = 0; i < map_n(a); i++)
		if (a->e[i].lun != b->e[i].lun || a->e[i].lu != b->e[i].lu ||
		    a->e[i].read_only != b->e[i].read_only)
			return false;
	return true;
}

int sess_refresh(struct iscsi_session *sess, bool announce)
{
	struct iscsi_session_conf conf = { 0 };
	struct sess_luns *old = sess->luns, *l;
	const struct iscsi_env *env = &sess->env;
	size_t carried;
	bool lun_set_changed, same_alua;
	int rc;

	if (sess->type != ISCSI_SESSION_NORMAL || !old)
		return 0;
	if (!env->ops || !env->ops->session_conf)
		return -ENOSYS;
	rc = env->ops->session_conf(env->arg, sess->initiator, sess->target, sess->tpg_tag, &conf);
	if (rc)
		return rc;
	/*
	 * The nexus keeps the port groups it started with (its LUs' nexuses
	 * are found by them): a target that has others now was deleted and
	 * made again, and its sessions end as those of a deleted target do.
	 */
	same_alua = conf.alua == sess->nexus.alua;
	sess_alua_release(sess, conf.alua);
	if (!same_alua) {
		sess_conf_release(sess, conf.map);
		return -ENOENT;
	}
	if (map_same(old->map, conf.map)) {
		sess_conf_release(sess, conf.map);
		return 0;
	}
	rc = luns_build(sess, conf.map, old, &carried, &l);
	if (rc) {
		sess_conf_release(sess, conf.map);
		return rc;
	}
	luns_commit(l, old);
	/*
	 * Every (LUN, LU) pair carried over, and no more, no fewer: only a
	 * mapping's read-only flag changed, which REPORT LUNS does not show.
	 */
	lun_set_changed = carried != map_n(old->map) || carried != map_n(l->map);
	if (lun_set_changed && announce) {
		/*
		 * SPC-4 §6.37 (and SAM-5 §5.14): when the logical unit
		 * inventory of an I_T nexus changes, every LU it can address
		 * reports REPORTED LUNS DATA HAS CHANGED (3F/0E), so that the
		 * initiator rescans.
		 */
		for (size_t i = 0; i < map_n(l->map); i++)
			scsi_itl_set_ua(l->itls[i], SCSI_UA_REPORTED_LUNS_CHANGED);
	}
	sess->luns = l;
	list_add_tail(&old->link, &sess->retired);
	sess_reap(sess);
	sess_set_nluns(sess);
	log_info(COMP, "session tsih %u: LUN map of '%s' on '%s' changed: %zu LUNs, %zu kept%s",
		 sess->tsih, sess->initiator, sess->target, map_n(l->map), carried,
		 lun_set_changed ? "" : " (modes only)");
	return 0;
}

int sess_create(struct iscsi_conn *conn, struct login_sm *sm, struct iscsi_session **out,
		bool *wait)
{
	struct iscsi_session_conf conf = { 0 };
	struct iscsi_session *sess, *old, *tmp;
	uint16_t reinstated_tsih = 0;
	size_t carried;
	int rc = 0;

	sess = calloc(1, sizeof(*sess));
	if (!sess)
		return -ENOMEM;
	sess->type = sm->type;
	snprintf(sess->initiator, sizeof(sess->initiator), "%s", sm->initiator_name);
	snprintf(sess->target, sizeof(sess->target), "%s", sm->target_name);
	memcpy(sess->isid, sm->isid, sizeof(sess->isid));
	sess->tpg_tag = sm->tpg_tag;
	sess->params = sm->params;
	sess->conn = conn;
	sess->loop = conn->loop;
	sess->env = conn->env;
	sess->exp_cmdsn = sm->cmdsn;
	sess->cmdsn_window = SESS_DEFAULT_CMDSN_DEPTH;
	sess->next_ttt = 1;
	sess_mem_init(sess);
	list_init(&sess->deferred);
	list_init(&sess->tasks);
	list_init(&sess->reg_link);
	list_init(&sess->retired);

	if (sess->type == ISCSI_SESSION_NORMAL) {
		if (!sess->env.ops || !sess->env.ops->session_conf) {
			rc = -ENOSYS;
			goto err_free;
		}
		rc = sess->env.ops->session_conf(sess->env.arg, sess->initiator, sess->target,
						 sess->tpg_tag, &conf);
		if (rc)
			goto err_free;
		sess->attrs = conf.attrs;
		if (sess->attrs.default_cmdsn_depth)
			sess->cmdsn_window = sess->attrs.default_cmdsn_depth;

		/*
		 * The initiator port's name as SPC-4 §7.6.4.6 writes it in an
		 * iSCSI TransportID (format 01b): "<iSCSI name>,i,0x<ISID in
		 * hex>". Persistent reservations know the I_T nexus by it.
		 */
		snprintf(sess->nexus.initiator_port, sizeof(sess->nexus.initiator_port),
			 "%s,i,0x%02x%02x%02x%02x%02x%02x", sess->initiator, sess->isid[0],
			 sess->isid[1], sess->isid[2], sess->isid[3], sess->isid[4], sess->isid[5]);
		sess->nexus.target_name = sess->target;
		sess->nexus.tpg_tag = sess->tpg_tag;
		sess->nexus.list_luns = sess_list_luns;
		sess->nexus.clear_ua = sess_clear_ua;
		sess->nexus.alua = conf.alua;
		sess->nexus.alua_group = conf.alua_group;
		sess->nexus.alua_changed = sess_alua_changed;
		sess->nexus.find_lu = sess_find_lu;
		sess->nexus.abort_lu = tmf_abort_lu;
		sess->nexus.priv = sess;
		rc = sess_anchor_new(sess);
		if (rc)
			goto err_conf;

		rc = luns_build(sess, conf.map, NULL, &carried, &sess->luns);
		if (rc)
			goto err_conf;
		sess->nluns = (unsigned int)map_n(conf.map);
	}

	sess->max_cmdsn = sess->exp_cmdsn + sess->cmdsn_window - 1;

	pthread_mutex_lock(&reg_lock);
	if (sess->type == ISCSI_SESSION_NORMAL || sm->tsih) {
		/*
		 * RFC 7143 §6.3.5: a leading login with the ISID of a live session
		 * of the same initiator and target (TSIH 0) reinstates it: the old
		 * session is closed and its tasks are aborted.
		 */
		list_for_each_entry_safe(old, tmp, &reg_sessions, reg_link)
		{
			if (old->type != sess->type ||
			    memcmp(old->isid, sess->isid, sizeof(sess->isid)) ||
			    !iscsi_name_equal(old->initiator, sess->initiator) ||
			    (sess->type == ISCSI_SESSION_NORMAL &&
			     (!iscsi_name_equal(old->target, sess->target) ||
			      old->tpg_tag != sess->tpg_tag)) ||
			    (sm->tsih && old->tsih != sm->tsih))
				continue;
			/*
			 * RFC 7143 §6.3.4: a login with the TSIH of a live
			 * session replaces its connection (connection
			 * reinstatement): at ERL 0 the old connection's tasks
			 * are aborted and the session goes on under the same
			 * TSIH. Either way the old connection goes.
			 */
			if (sm->tsih)
				reinstated_tsih = old->tsih;
			list_del(&old->reg_link);
			old->dead = true;
			if (!old->successor) {
				old->successor = conn;
				conn_get(conn);
				*wait = true;
			}
			conn_get(old->conn);
			if (ev_post(old->loop, sess_kill_cb, old->conn))
				conn_put(old->conn);
			log_info(COMP, "session tsih %u: reinstated by a new login of '%s'",
				 old->tsih, sess->initiator);
		}
	}
	if (sm->tsih && !reinstated_tsih) {
		/* The session went away meanwhile: the initiator must start a new one. */
		pthread_mutex_unlock(&reg_lock);
		rc = -ENOENT;
		goto err_luns;
	}
	sess->tsih = reinstated_tsih ? reinstated_tsih : reg_alloc_tsih();
	if (sess->tsih)
		list_add_tail(&sess->reg_link, &reg_sessions);
	pthread_mutex_unlock(&reg_lock);
	if (!sess->tsih) {
		rc = -EBUSY;
		goto err_luns;
	}
	*out = sess;
	return 0;

err_luns:
	if (sess->luns)
		luns_free(sess, sess->luns); /* releases the map too */
	goto err_free;
err_conf:
	sess_conf_release(sess, conf.map);
err_free:
	sess_anchor_end(sess);
	sess_alua_release(sess, sess->nexus.alua);
	free(sess);
	return rc;
}

void sess_unregister(struct iscsi_session *sess)
{
	pthread_mutex_lock(&reg_lock);
	if (!list_empty(&sess->reg_link))
		list_del(&sess->reg_link);
	pthread_mutex_unlock(&reg_lock);
	sess->dead = true;
}

static void deferred_free(struct iscsi_session *sess, struct iscsi_deferred *d)
{
	list_del(&d->link);
	if (d->task)
		task_put(d->task);
	if (d->data)
		budget_give(sess->env.limits, &sess->mem_held, d->dlen);
	free(d->data);
	free(d);
}

void sess_close(struct iscsi_session *sess)
{
	struct iscsi_deferred *d, *n;

	sess_unregister(sess);
	list_for_each_entry_safe(d, n, &sess->deferred, link)
		deferred_free(sess, d);
	sess_mem_close(sess);
	task_abort_all(sess);
}

void sess_destroy(struct iscsi_session *sess)
{
	struct sess_luns *l, *n;

	sess_unregister(sess);
	if (sess->successor) {
		/* Every task of ours is gone: the login that reinstates us may complete. */
		if (ev_post(sess->successor->loop, conn_reinstate_done, sess->successor))
			conn_put(sess->successor);
		sess->successor = NULL;
	}
	/* Every task is gone (each held the connection): nothing holds a set now. */
	list_for_each_entry_safe(l, n, &sess->retired, link)
	{
		list_del(&l->link);
		luns_free(sess, l);
	}
	if (sess->luns)
		luns_free(sess, sess->luns);
	/* after its nexuses left their LUs: nobody can reach the session any more */
	sess_anchor_end(sess);
	/* after its nexuses: they are found by their port groups */
	sess_alua_release(sess, sess->nexus.alua);
	free(sess);
}

uint32_t sess_max_cmdsn(struct iscsi_session *sess)
{
	/* RFC 7143 §4.2.2.1: the window is MaxCmdSN - ExpCmdSN + 1 commands. */
	uint32_t open = sess->exp_cmdsn + sess->cmdsn_window - 1;

	if (!sn_gt(open, sess->max_cmdsn))
		return sess->max_cmdsn;
	/*
	 * RFC 7143 §4.2.2.1: an initiator ignores a MaxCmdSN lower than the
	 * one it has, so a window is closed by not moving it on: while the
	 * session's memory is short, the commands it was allowed still come,
	 * and no more (MaxCmdSN = ExpCmdSN - 1 once they have).
	 */
	if (sess_mem_tight(sess)) {
		sess->window_held = true;
		return sess->max_cmdsn;
	}
	sess->window_held = false;
	sess->max_cmdsn = open;
	return open;
}

int sess_cmdsn_check(struct iscsi_session *sess, uint32_t cmdsn, bool immediate)
{
	if (immediate)
		return 1;
	if (cmdsn == sess->exp_cmdsn) {
		sess->exp_cmdsn++;
		return 1;
	}
	/* RFC 7143 §4.2.2.1: outside [ExpCmdSN, MaxCmdSN] the PDU is silently ignored. */
	if (sn_lt(cmdsn, sess->exp_cmdsn) || sn_gt(cmdsn, sess_max_cmdsn(sess))) {
		log_dbg(COMP, "session tsih %u: CmdSN %u outside window [%u, %u], ignored",
			sess->tsih, cmdsn, sess->exp_cmdsn, sess_max_cmdsn(sess));
		return -1;
	}
	return 0;
}

int sess_defer_pdu(struct iscsi_session *sess, uint32_t cmdsn, const uint8_t *bhs,
		   const uint8_t *data, uint32_t dlen, struct iscsi_task *task)
{
	struct iscsi_deferred *d, *pos;
	unsigned int count = 0;

	list_for_each_entry(pos, &sess->deferred, link)
	{
		if (pos->cmdsn == cmdsn)
			return -EEXIST; /* a duplicate CmdSN: the first one stands */
		count++;
	}
	if (count >= SESS_DEFERRED_MAX)
		return -ENOSPC;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->cmdsn = cmdsn;
	memcpy(d->bhs, bhs, ISCSI_BHS_LEN);
	if (dlen) {
		d->data = malloc(dlen);
		if (!d->data) {
			free(d);
			return -ENOMEM;
		}
		memcpy(d->data, data, dlen);
		d->dlen = dlen;
		/* held until its turn: it counts, and while it waits the window does not grow */
		budget_take(sess->env.limits, &sess->mem_held, dlen, true);
	}
	d->task = task;
	if (task)
		task_get(task);
	/* Keep the list sorted by CmdSN (serial arithmetic). */
	list_for_each_entry(pos, &sess->deferred, link)
		if (sn_lt(cmdsn, pos->cmdsn))
			break;
	list_add_tail(&d->link, &pos->link);
	return 0;
}

static void sess_process(struct iscsi_conn *conn, const uint8_t *bhs, const uint8_t *data,
			 uint32_t dlen);

void sess_run_deferred(struct iscsi_session *sess)
{
	while (!list_empty(&sess->deferred) && !sess->dead) {
		struct iscsi_deferred *d =
			list_first_entry(&sess->deferred, struct iscsi_deferred, link);

		if (d->cmdsn != sess->exp_cmdsn)
			break;
		sess->exp_cmdsn++;
		list_del(&d->link);
		list_init(&d->link);
		if (d->task) {
			d->task->cmdsn_ready = true;
			task_start(d->task);
		} else {
			sess_process(sess->conn, d->bhs, d->data, d->dlen);
		}
		deferred_free(sess, d);
	}
}

/* ---- NOP-Out (RFC 7143 §11.18) ---- */

void sess_handle_nop_out(struct iscsi_conn *conn, const uint8_t *bhs, const uint8_t *data,
			 uint32_t dlen)
{
	const struct iscsi_nop *q = (const struct iscsi_nop *)bhs;
	struct iscsi_tx *tx;
	struct iscsi_nop *r;
	void *copy = NULL;
	uint32_t itt = get_be32(q->itt);
	uint32_t echo = MIN(dlen, conn->max_xmit_dsl);

	if (itt == ISCSI_RESERVED_TAG)
		return; /* an answer to our NOP-In, handled by the dispatcher */
	if (echo) {
		copy = malloc(echo);
		if (!copy)
			return;
		memcpy(copy, data, echo);
	}
	tx = conn_tx_alloc(conn, copy, echo, copy);
	if (!tx)
		return;
	r = (struct iscsi_nop *)tx->hdr;
	r->opcode = ISCSI_OP_NOP_IN;
	r->flags = ISCSI_FLAG_FINAL;
	memcpy(r->lun, q->lun, sizeof(r->lun));
	put_be32(r->itt, itt);
	put_be32(r->ttt, ISCSI_RESERVED_TAG);
	/* RFC 7143 §11.19: a NOP-In answering a NOP-Out advances StatSN. */
	conn_stamp(conn, tx->hdr, true);
	conn_queue(conn, tx);
}

/* ---- Text (RFC 7143 §11.10) ---- */

static int sess_sendtargets(void *arg, const char *value, struct text_buf *out)
{
	struct iscsi_conn *conn = arg;
	const struct iscsi_env *env = &conn->sess->env;

	if (!env->ops || !env->ops->sendtargets)
		return -ENOSYS;
	return env->ops->sendtargets(
	    env->arg, conn->sess->initiator,
	    conn->sess->type == ISCSI_SESSION_NORMAL ? conn->sess->target : NULL,
	    (const struct sockaddr *)&conn->local, conn->locallen,
	    (const struct sockaddr *)&conn->peer, conn->peerlen, value, out);
}

void sess_handle_text(struct iscsi_conn *conn, const uint8_t *bhs, const uint8_t *data,
		      uint32_t dlen)
{
	struct textreq_env env = { .arg = conn, .sendtargets = sess_sendtargets };
	uint8_t rsp[ISCSI_BHS_LEN];
	const uint8_t *rdata = NULL;
	size_t rlen = 0;
	struct iscsi_tx *tx;
	void *copy = NULL;

	memset(rsp, 0, sizeof(rsp));
	if (textreq_handle(&conn->text, &env, conn->sess->type, &conn->sess->params, bhs, data,
			   dlen, rsp, &rdata, &rlen) == TEXTREQ_RESULT_REJECT) {
		conn_send_reject(conn, ISCSI_REJECT_PROTOCOL_ERROR, bhs);
		return;
	}
	conn->max_xmit_dsl = conn->sess->params.max_xmit_dsl;
	if (rlen) {
		copy = malloc(rlen);
		if (!copy)
			return;
		memcpy(copy, rdata, rlen);
	}
	tx = conn_tx_alloc(conn, copy, (uint32_t)rlen, copy);
	if (!tx)
		return;
	memcpy(tx->hdr, rsp, ISCSI_BHS_LEN);
	conn_stamp(conn, tx->hdr, true);
	conn_queue(conn, tx);
}

/* ---- Logout (RFC 7143 §11.14, §11.15) ---- */

/*
 * A Logout that closes the session answers only once the session is gone
 * as far as the initiator and the LUs can tell. RFC 7143 §11.14: on such
 * a Logout the target terminates every pending command, "then" issues the
 * Logout Response. A command already in the engine (a write in the store)
 * cannot be recalled, so terminating it means waiting for it to leave the
 * engine, as a TMF does (tmf.c). Then the nexus leaves each LU (SPC-2
 * §5.5.1: its RESERVE(6) goes with it; persistent reservations stay, SPC-4
 * §5.13.1) and the session leaves the registry, and only then does the
 * response go out. Answering first, as porticod once did, let an
 * initiator that logs in again at once with the same ISID (TSIH 0) get a
 * new session while the old one still held its LU: RESERVATION CONFLICT
 * from its own former nexus, and the old write landing after the new
 * session's. The session stays registered during the wait, so a login
 * with its ISID that arrives meanwhile reinstates it (RFC 7143 §6.3.5):
 * that login waits, event-driven, for the end of the last task
 * (conn_reinstate_done), and the logging-out connection is closed without
 * its answer. The wait is as long as the store takes to finish what it
 * holds; an initiator that gives up on the Logout closes its connection,
 * which ends the wait (sess_close).
 */

/* Detaches the session's nexus from every LU it sees (its itls); the sets stay for their tasks. */
static void sess_detach(struct iscsi_session *sess)
{
	struct sess_luns *l;

	if (sess->luns)
		for (size_t i = 0; i < map_n(sess->luns->map); i++) {
			scsi_itl_destroy(sess->luns->itls[i]);
			sess->luns->itls[i] = NULL;
		}
	list_for_each_entry(l, &sess->retired, link)
		for (size_t i = 0; i < map_n(l->map); i++) {
			scsi_itl_destroy(l->itls[i]);
			l->itls[i] = NULL;
		}
}

/* Every task of a logging-out session has left the engine: tear down, then answer. */
static void sess_logout_finish(struct iscsi_session *sess)
{
	struct iscsi_conn *conn = sess->conn;
	struct iscsi_tx *tx = conn->held_logout;

	sess->logging_out = false;
	conn->held_logout = NULL;
	sess_detach(sess);
	sess_unregister(sess);
	if (!tx)
		return;
	if (conn->state != ISCSI_CONN_STATE_LOGGED_OUT) {
		conn_queue(conn, tx); /* closed meanwhile: released, nothing sent */
		return;
	}
	log_info(COMP, "session tsih %u: '%s' logged out", sess->tsih, sess->initiator);
	conn_stamp(conn, tx->hdr, true);
	conn_queue(conn, tx);
}

void sess_engine_left(struct iscsi_session *sess)
{
	if (--sess->nengine == 0 && sess->logging_out)
		sess_logout_finish(sess);
}

void sess_handle_logout(struct iscsi_conn *conn, const uint8_t *bhs)
{
	const struct iscsi_logout_req *q = (const struct iscsi_logout_req *)bhs;
	uint8_t reason = q->flags & 0x7f;
	struct iscsi_tx *tx;
	struct iscsi_logout_rsp *r;
	uint8_t response = ISCSI_LOGOUT_RSP_OK;
	bool close = true;

	switch (reason) {
	case ISCSI_LOGOUT_CLOSE_SESSION:
		break;
	case ISCSI_LOGOUT_CLOSE_CONNECTION:
		/* One connection per session: closing it ends the session. */
		if (get_be16(q->cid) != conn->cid) {
			response = ISCSI_LOGOUT_RSP_CID_NOT_FOUND;
			close = false;
		}
		break;
	case ISCSI_LOGOUT_REMOVE_FOR_RECOVERY:
		/* RFC 7143 §11.15.1: connection recovery needs ErrorRecoveryLevel 2. */
		response = ISCSI_LOGOUT_RSP_RECOVERY_UNSUPPORTED;
		close = false;
		break;
	default:
		conn_send_reject(conn, ISCSI_REJECT_INVALID_PDU_FIELD, bhs);
		return;
	}
	tx = conn_tx_alloc(conn, NULL, 0, NULL);
	if (!tx)
		return;
	r = (struct iscsi_logout_rsp *)tx->hdr;
	r->opcode = ISCSI_OP_LOGOUT_RSP;
	r->flags = ISCSI_FLAG_FINAL;
	r->response = response;
	memcpy(r->itt, q->itt, sizeof(r->itt));
	if (close) {
		/* RFC 7143 §11.15.2/3: meaningless at ERL 0 after a clean logout; report the defaults. */
		put_be16(r->time2wait, (uint16_t)conn->sess->params.default_time2wait);
		put_be16(r->time2retain, (uint16_t)conn->sess->params.default_time2retain);
	}
	if (close) {
		struct iscsi_session *sess = conn->sess;
		struct iscsi_deferred *d, *n;

		/* nothing more is read; the response waits for the session's end (above) */
		tx->close_after = true;
		conn->state = ISCSI_CONN_STATE_LOGGED_OUT;
		conn->held_logout = tx;
		sess->logging_out = true;
		sess->dead = true;
		list_for_each_entry_safe(d, n, &sess->deferred, link)
			deferred_free(sess, d);
		task_abort_all(sess);
		if (sess->nengine)
			log_info(COMP, "session tsih %u: logout of '%s' waits for %u commands",
				 sess->tsih, sess->initiator, sess->nengine);
		else
			sess_logout_finish(sess);
		return;
	}
	conn_stamp(conn, tx->hdr, true);
	conn_queue(conn, tx);
}

/* ---- dispatch ---- */

/* Handles a control PDU whose turn (CmdSN) has come. */
static void sess_process(struct iscsi_conn *conn, const uint8_t *bhs, const uint8_t *data,
			 uint32_t dlen)
{
	if (conn->state != ISCSI_CONN_STATE_FULL_FEATURE)
		return;
	switch (iscsi_bhs_opcode(bhs)) {
	case ISCSI_OP_NOP_OUT:
		sess_handle_nop_out(conn, bhs, data, dlen);
		break;
	case ISCSI_OP_TEXT_REQ:
		sess_handle_text(conn, bhs, data, dlen);
		break;
	case ISCSI_OP_LOGOUT_REQ:
		sess_handle_logout(conn, bhs);
		break;
	case ISCSI_OP_TASK_MGMT_REQ:
		tmf_handle(conn, bhs);
		break;
	default:
		conn_send_reject(conn, ISCSI_REJECT_CMD_NOT_SUPPORTED, bhs);
		break;
	}
}

void sess_dispatch(struct iscsi_conn *conn, const uint8_t *bhs, const uint8_t *data,
		   uint32_t dlen)
{
	struct iscsi_session *sess = conn->sess;
	uint8_t op = iscsi_bhs_opcode(bhs);
	bool immediate = iscsi_bhs_immediate(bhs);
	uint32_t cmdsn;
	int rc;

	switch (op) {
	case ISCSI_OP_NOP_OUT: {
		const struct iscsi_nop *q = (const struct iscsi_nop *)bhs;

		if (get_be32(q->itt) == ISCSI_RESERVED_TAG) {
			/* RFC 7143 §11.18: an answer to a NOP-In; it carries no new CmdSN. */
			conn_nop_answered(conn, get_be32(q->ttt));
			return;
		}
		break;
	}
	case ISCSI_OP_TEXT_REQ:
	case ISCSI_OP_LOGOUT_REQ:
		break;
	case ISCSI_OP_TASK_MGMT_REQ:
		if (sess->type == ISCSI_SESSION_DISCOVERY) {
			conn_send_reject(conn, ISCSI_REJECT_PROTOCOL_ERROR, bhs);
			return;
		}
		break;
	case ISCSI_OP_SNACK_REQ:
		/* RFC 7143 §11.16: SNACK needs ErrorRecoveryLevel > 0; we run at 0. */
		conn_send_reject(conn, ISCSI_REJECT_SNACK_REJECT, bhs);
		return;
	case ISCSI_OP_LOGIN_REQ:
		conn_send_reject(conn, ISCSI_REJECT_PROTOCOL_ERROR, bhs);
		return;
	default:
		conn_send_reject(conn, ISCSI_REJECT_CMD_NOT_SUPPORTED, bhs);
		return;
	}

	/* NOP-Out, Text, Logout and TMF requests are numbered (struct iscsi_bhs_numbered). */
	cmdsn = iscsi_bhs_cmdsn(bhs);
	rc = sess_cmdsn_check(sess, cmdsn, immediate);
	if (rc < 0)
		return;
	if (rc == 0) {
		if (sess_defer_pdu(sess, cmdsn, bhs, data, dlen, NULL))
			log_warn(COMP, "session tsih %u: cannot hold CmdSN %u, dropped", sess->tsih,
				 cmdsn);
		return;
	}
	sess_process(conn, bhs, data, dlen);
	if (!immediate)
		sess_run_deferred(sess);
}
