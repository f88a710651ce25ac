/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Asymmetric logical unit access (SPC-4 §5.16): the target port groups of
 * a target device and their states (alua.h), REPORT TARGET PORT GROUPS,
 * SET TARGET PORT GROUPS, and the TPGS field INQUIRY reports. What each
 * state lets through is the dispatch table's to say (SCSI_OP_F_ALUA_*,
 * scsi.c) and alua_refuses' to check (scsi_int.h).
 *
 * Choices the standard leaves open, and why (docs/conformance.md):
 *   - every group supports active/optimized, active/non-optimized,
 *     standby, unavailable and transitioning (T_SUP, U_SUP, S_SUP, AN_SUP,
 *     AO_SUP); offline and logical block dependent are not offered;
 *   - a transition takes no time: IMPLICIT TRANSITION TIME is 0 (not
 *     specified), and nothing passes through transitioning on its way,
 *     which only the administrator sets;
 *   - ASYMMETRIC ACCESS STATE CHANGED goes to every I_T nexus of the
 *     target device on each LU a changed group shows, through whatever
 *     port: a host learns of a change on its other paths too, and re-reads
 *     REPORT TARGET PORT GROUPS (which it does on that attention) on the
 *     first. A change of the preferred flag alone raises it too, since the
 *     data REPORT TARGET PORT GROUPS returns changed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/log.h"
#include "common/scsi_alua.h"
#include "common/util.h"
#include "target/scsi/alua.h"
#include "target/scsi/scsi_int.h"

/* The states every group supports (REPORT TARGET PORT GROUPS' supported states). */
#define ALUA_SUP                                                                                   \
	(SCSI_TPG_SUP_T | SCSI_TPG_SUP_U | SCSI_TPG_SUP_S | SCSI_TPG_SUP_AN | SCSI_TPG_SUP_AO)

/* The longest SET TARGET PORT GROUPS parameter list taken: a header and 1024 descriptors. */
#define ALUA_STPG_MAX_DESC 1024u

/* ---- target devices and their groups ---- */

int alua_tgt_create(struct alua_tgt **out)
{
	struct alua_tgt *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return -ENOMEM;
	rc = pthread_mutex_init(&t->lock, NULL);
	if (rc) {
		free(t);
		return -rc;
	}
	atomic_init(&t->refs, 1);
	*out = t;
	return 0;
}

void alua_tgt_get(struct alua_tgt *t)
{
	atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
}

void alua_tgt_put(struct alua_tgt *t)
{
	if (!t || atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (size_t i = 0; i < t->ngroups; i++) {
		free(t->groups[i]->lus);
		free(t->groups[i]);
	}
	free(t->groups);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* The group id of t, or where it would go (*at); under t->lock. */
static struct alua_group *alua_find_locked(const struct alua_tgt *t, uint16_t id, size_t *at)
{
	size_t i;

	for (i = 0; i < t->ngroups && t->groups[i]->id < id; i++)
		;
	if (at)
		*at = i;
	return i < t->ngroups && t->groups[i]->id == id ? t->groups[i] : NULL;
}

struct alua_group *alua_tgt_group(struct alua_tgt *t, uint16_t id, bool create)
{
	struct alua_group *g;
	size_t at;

	pthread_mutex_lock(&t->lock);
	g = alua_find_locked(t, id, &at);
	if (g || !create)
		goto out;
	if (t->ngroups == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 4;
		struct alua_group **groups = realloc(t->groups, cap * sizeof(*groups));

		if (!groups)
			goto out;
		t->groups = groups;
		t->cap = cap;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		goto out;
	g->tgt = t;
	g->id = id;
	atomic_init(&g->state, SCSI_ALUA_ACTIVE_OPTIMIZED);
	atomic_init(&g->pref, false);
	atomic_init(&g->explicit_ok, false);
	atomic_init(&g->status, SCSI_ALUA_STATUS_NONE);
	memmove(t->groups + at + 1, t->groups + at, (t->ngroups - at) * sizeof(*t->groups));
	t->groups[at] = g;
	t->ngroups++;
out:
	pthread_mutex_unlock(&t->lock);
	return g;
}

uint16_t alua_group_id(const struct alua_group *g)
{
	return g->id;
}

uint8_t alua_group_state(const struct alua_group *g)
{
	return atomic_load(&g->state);
}

bool alua_group_pref(const struct alua_group *g)
{
	return atomic_load(&g->pref);
}

/*
 * ASYMMETRIC ACCESS STATE CHANGED for every I_T nexus of target device t
 * on lu, but those of nexus except (NULL: none); under t->lock.
 */
static void alua_raise_locked(struct alua_tgt *t, struct scsi_lu *lu,
			      const struct scsi_nexus *except)
{
	struct scsi_itl *itl;

	pthread_mutex_lock(&lu->lock);
	list_for_each_entry(itl, &lu->itls, node)
	{
		if (itl->nx && itl->nx->alua == t && itl->nx != except)
			scsi_itl_set_ua(itl, SCSI_UA_ASYMMETRIC_ACCESS_CHANGED);
	}
	pthread_mutex_unlock(&lu->lock);
}

static void alua_raise_group_locked(struct alua_tgt *t, const struct alua_group *g,
				    const struct scsi_nexus *except)
{
	for (size_t i = 0; i < g->nlus; i++)
		alua_raise_locked(t, g->lus[i], except);
}

/* A conf of confs[0..n) for group g, or NULL. */
static struct alua_group_conf *alua_conf_of(struct alua_group_conf *confs, size_t n,
					    const struct alua_group *g)
{
	for (size_t i = 0; i < n; i++)
		if (confs[i].group == g)
			return &confs[i];
	return NULL;
}

void alua_tgt_apply(struct alua_tgt *t, struct alua_group_conf *confs, size_t n)
{
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->ngroups; i++) {
		struct alua_group *g = t->groups[i];
		struct alua_group_conf *c = alua_conf_of(confs, n, g);
		uint8_t state = atomic_load(&g->state);
		bool pref = atomic_load(&g->pref), changed = false;

		if (c && c->set) {
			changed = g->present && (c->state != state || c->pref != pref);
			atomic_store(&g->state, c->state);
			atomic_store(&g->pref, c->pref);
		}
		if (c)
			atomic_store(&g->explicit_ok, c->explicit_ok);
		if (changed) {
			/* SPC-4 §5.16: an implicit transition, on the nexuses before and after */
			atomic_store(&g->status, SCSI_ALUA_STATUS_BY_IMPLICIT);
			alua_raise_group_locked(t, g, NULL);
		}
		free(g->lus);
		g->lus = c ? c->lus : NULL;
		g->nlus = c ? c->nlus : 0;
		g->present = c != NULL;
		if (c) {
			c->lus = NULL;
			c->nlus = 0;
		}
		if (changed)
			alua_raise_group_locked(t, g, NULL);
	}
	pthread_mutex_unlock(&t->lock);
	/* a conf of a group of another target device: not taken, freed */
	for (size_t i = 0; i < n; i++) {
		free(confs[i].lus);
		confs[i].lus = NULL;
		confs[i].nlus = 0;
	}
}

/* ---- what a nexus's target port is ---- */

static const struct alua_group *alua_cmd_group(const struct scsi_cmd *cmd)
{
	return cmd->nexus && cmd->nexus->alua ? cmd->nexus->alua_group : NULL;
}

bool alua_explicit(const struct scsi_cmd *cmd)
{
	const struct alua_group *g = alua_cmd_group(cmd);

	return g && atomic_load(&g->explicit_ok);
}

uint8_t alua_tpgs(const struct scsi_cmd *cmd)
{
	return SCSI_TPGS_IMPLICIT | (alua_explicit(cmd) ? SCSI_TPGS_EXPLICIT : 0);
}

/* Whether g shows lu through its port; under g->tgt->lock. */
static bool alua_group_shows(const struct alua_group *g, const struct scsi_lu *lu)
{
	for (size_t i = 0; i < g->nlus; i++)
		if (g->lus[i] == lu)
			return true;
	return false;
}

/* ---- REPORT TARGET PORT GROUPS ---- */

enum sense_reason alua_parse_rtpg(struct scsi_cmd *cmd)
{
	uint8_t format = cmd->cdb[1] >> SCSI_RTPG_FORMAT_SHIFT;

	/* SPC-4: PARAMETER DATA FORMAT 000b (length only) or 001b (extended); others reserved */
	if (format > SCSI_RTPG_FORMAT_EXTENDED)
		return scsi_invalid_cdb(cmd, 1, 7);
	cmd->xfer_len = get_be32(cmd->cdb + 6);
	cmd->dir = cmd->xfer_len ? SCSI_DIR_READ : SCSI_DIR_NONE;
	return SENSE_OK;
}

/*
 * The descriptor of group g (under g->tgt->lock) into p at off; its one
 * port is its id. The nexus's own group (own) reports the state the LU's
 * store decides where it does (alua_store_state), changed implicitly.
 */
static int alua_put_group(uint8_t *p, size_t size, size_t off, const struct alua_group *g,
			  const struct alua_group *own, const struct scsi_lu *lu)
{
	struct scsi_tpg d = {.id = g->id,
			     .state = atomic_load(&g->state),
			     .pref = atomic_load(&g->pref),
			     .sup = ALUA_SUP,
			     .status = atomic_load(&g->status),
			     .nports = 1};
	uint8_t state;

	if (g == own && alua_store_state(lu, &state)) {
		d.state = state;
		d.status = SCSI_ALUA_STATUS_BY_IMPLICIT;
	}
	return scsi_rtpg_put_tpg(p, size, off, &d, &g->id);
}

/* The most port groups a gateway group's LU lists (bs_ops.alua_groups). */
#define ALUA_STORE_GROUPS 128

/*
 * REPORT TARGET PORT GROUPS of an LU whose store keeps its port groups
 * across a gateway group (an rbd LU served by several gateways): every
 * gateway's groups with the states the group's membership gives them, so
 * that the answer is the same through every path. The nexus's own port
 * is listed with the state its commands are served by, even before the
 * store learned of it. false: the store has no list (yet).
 */
static bool alua_rtpg_store(struct scsi_cmd *cmd, const struct scsi_lu *lu, bool ext)
{
	const uint16_t port = cmd->nexus ? cmd->nexus->tpg_tag : 1;
	struct bs_alua_tpg g[ALUA_STORE_GROUPS + 1];
	size_t n, size, off;
	bool own = false;
	uint8_t state;
	uint8_t *p;

	if (!lu || !lu->bs || !lu->bs->ops->alua_groups || !alua_store_state(lu, &state))
		return false;
	n = lu->bs->ops->alua_groups(lu->bs, g, ALUA_STORE_GROUPS);
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (g[i].id == port) {
			g[i].state = state;
			own = true;
		}
	if (!own) {
		size_t at = 0;

		while (at < n && g[at].id < port)
			at++;
		memmove(g + at + 1, g + at, (n - at) * sizeof(*g));
		g[at] = (struct bs_alua_tpg){ .id = port, .state = state };
		n++;
	}
	size = sizeof(struct scsi_rtpg_ext_hdr) +
	       n * (sizeof(struct scsi_tpg_desc) + sizeof(struct scsi_tpg_port));
	p = malloc(size);
	if (!p) {
		scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
		return true;
	}
	off = (size_t)scsi_rtpg_put_hdr(p, size, ext, 0);
	for (size_t i = 0; i < n; i++) {
		/*
		 * SPC-4 §6.37: one descriptor per target port group, its one
		 * port's relative target port identifier its number; the same
		 * supported states, preferred bit (none) and status (altered
		 * by implicit ALUA: the group moves them) on every gateway.
		 */
		struct scsi_tpg d = {.id = g[i].id,
				     .state = g[i].state,
				     .sup = ALUA_SUP,
				     .status = SCSI_ALUA_STATUS_BY_IMPLICIT,
				     .nports = 1};
		int k = scsi_rtpg_put_tpg(p, size, off, &d, &g[i].id);

		if (k > 0)
			off += (size_t)k;
	}
	scsi_rtpg_finish(p, off);
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, p, off);
	free(p);
	return true;
}

enum scsi_exec_result alua_exec_rtpg(struct scsi_cmd *cmd)
{
	const struct alua_group *own = alua_cmd_group(cmd);
	const struct scsi_lu *lu = scsi_cmd_lu(cmd);
	bool ext = (cmd->cdb[1] >> SCSI_RTPG_FORMAT_SHIFT) == SCSI_RTPG_FORMAT_EXTENDED;
	struct alua_tgt *t = own ? own->tgt : NULL;
	size_t size, off;
	uint8_t *p;
	int n;

	if (alua_rtpg_store(cmd, lu, ext))
		return SCSI_EXEC_DONE;
	if (!t) {
		/* no groups handed over: the one port of the nexus, active/optimized */
		const uint16_t port = cmd->nexus ? cmd->nexus->tpg_tag : 1;
		struct scsi_tpg d = {.id = port, .sup = SCSI_TPG_SUP_AO, .nports = 1};
		uint8_t buf[32];

		if (alua_store_state(lu, &d.state)) {
			d.sup = ALUA_SUP;
			d.status = SCSI_ALUA_STATUS_BY_IMPLICIT;
		}

		off = (size_t)scsi_rtpg_put_hdr(buf, sizeof(buf), ext, 0);
		off += (size_t)scsi_rtpg_put_tpg(buf, sizeof(buf), off, &d, &port);
		scsi_rtpg_finish(buf, off);
		scsi_cmd_good(cmd);
		scsi_cmd_data_in(cmd, buf, off);
		return SCSI_EXEC_DONE;
	}
	pthread_mutex_lock(&t->lock);
	size = sizeof(struct scsi_rtpg_ext_hdr) +
	       t->ngroups * (sizeof(struct scsi_tpg_desc) + sizeof(struct scsi_tpg_port));
	p = malloc(size);
	if (!p) {
		pthread_mutex_unlock(&t->lock);
		return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
	}
	/*
	 * SPC-4: a descriptor for each target port group of the logical unit:
	 * here each configured TPG of the target that maps it, and the
	 * nexus's own, by number. Each group is one port, its relative target
	 * port identifier its number (VPD page 83h).
	 */
	off = (size_t)scsi_rtpg_put_hdr(p, size, ext, 0);
	for (size_t i = 0; i < t->ngroups; i++) {
		const struct alua_group *g = t->groups[i];

		if (g != own && !(g->present && alua_group_shows(g, lu)))
			continue;
		n = alua_put_group(p, size, off, g, own, lu);
		if (n > 0)
			off += (size_t)n;
	}
	pthread_mutex_unlock(&t->lock);
	scsi_rtpg_finish(p, off);
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, p, off);
	free(p);
	return SCSI_EXEC_DONE;
}

/* ---- SET TARGET PORT GROUPS ---- */

enum sense_reason alua_parse_stpg(struct scsi_cmd *cmd)
{
	uint32_t len = get_be32(cmd->cdb + 6);

	if (len > SCSI_STPG_HDR_LEN + ALUA_STPG_MAX_DESC * sizeof(struct scsi_stpg_desc))
		return scsi_invalid_cdb(cmd, 6, -1);
	/* SPC-4: a 4-byte header, then whole 4-byte descriptors */
	if (len && (len < SCSI_STPG_HDR_LEN || (len - SCSI_STPG_HDR_LEN) % 4))
		return SENSE_PARAM_LIST_LENGTH_ERROR;
	cmd->xfer_len = len;
	cmd->dir = len ? SCSI_DIR_WRITE : SCSI_DIR_NONE;
	return SENSE_OK;
}

/*
 * The groups of entries e[0..n) checked (under t->lock) into groups[]:
 * SENSE_OK, or INVALID FIELD IN PARAMETER LIST pointing at what is wrong.
 */
static enum sense_reason alua_stpg_check_locked(struct scsi_cmd *cmd, struct alua_tgt *t,
						const struct scsi_stpg_entry *e, size_t n,
						struct alua_group **groups)
{
	const struct alua_group *own = alua_cmd_group(cmd);
	const struct scsi_lu *lu = scsi_cmd_lu(cmd);

	for (size_t i = 0; i < n; i++) {
		unsigned int at = SCSI_STPG_HDR_LEN + 4 * (unsigned int)i;
		struct alua_group *g = alua_find_locked(t, e[i].id, NULL);

		/*
		 * SPC-4: the primary states may be asked for; offline names a
		 * port (not offered here), and transitioning, logical block
		 * dependent and the reserved values are not for the asking.
		 */
		switch (e[i].state) {
		case SCSI_ALUA_ACTIVE_OPTIMIZED:
		case SCSI_ALUA_ACTIVE_NON_OPTIMIZED:
		case SCSI_ALUA_STANDBY:
		case SCSI_ALUA_UNAVAILABLE:
			break;
		default:
			return scsi_invalid_param(cmd, at, 3);
		}
		/*
		 * A target port group of this logical unit that takes explicit
		 * transitions, named once.
		 */
		if (!g || !atomic_load(&g->explicit_ok) ||
		    (g != own && !(g->present && alua_group_shows(g, lu))))
			return scsi_invalid_param(cmd, at + 2, -1);
		for (size_t j = 0; j < i; j++)
			if (groups[j] == g)
				return scsi_invalid_param(cmd, at + 2, -1);
		groups[i] = g;
	}
	return SENSE_OK;
}

enum scsi_exec_result alua_exec_stpg(struct scsi_cmd *cmd)
{
	const struct alua_group *own = alua_cmd_group(cmd);
	struct alua_tgt *t = own ? own->tgt : NULL;
	struct scsi_stpg_entry *e = NULL;
	struct alua_group **groups = NULL;
	enum sense_reason r;
	bool changed = false;
	size_t n;

	if (!t) /* parse let it through: explicit ALUA was on; the nexus has no groups now */
		return scsi_cmd_finish(cmd, SENSE_INVALID_OPCODE);
	/* the whole list, or nothing changes (the transport's EDTL may cut it) */
	if (cmd->buf_len < cmd->xfer_len)
		return scsi_cmd_finish(cmd, SENSE_PARAM_LIST_LENGTH_ERROR);
	if (!cmd->xfer_len)
		return scsi_cmd_finish(cmd, SENSE_OK);
	n = (cmd->xfer_len - SCSI_STPG_HDR_LEN) / sizeof(struct scsi_stpg_desc);
	e = calloc(n ? n : 1, sizeof(*e));
	groups = calloc(n ? n : 1, sizeof(*groups));
	if (!e || !groups) {
		free(e);
		free(groups);
		return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
	}
	if (scsi_stpg_parse(cmd->buf, cmd->xfer_len, e, n, &n)) {
		r = SENSE_PARAM_LIST_LENGTH_ERROR; /* parse checked the length: not reached */
		goto out;
	}
	pthread_mutex_lock(&t->lock);
	r = alua_stpg_check_locked(cmd, t, e, n, groups);
	/*
	 * The LU's store decides its state on this port (an rbd LU in a
	 * gateway group): the state asked for this port's group is the
	 * store's to carry out (a hand-over of the lease), or to refuse;
	 * checked for every entry before anything changes.
	 */
	for (size_t i = 0; r == SENSE_OK && i < n; i++) {
		const struct scsi_lu *lu = scsi_cmd_lu(cmd);
		uint8_t cur;

		if (groups[i] != own || !alua_store_state(lu, &cur))
			continue;
		if (!lu->bs->ops->alua_request ||
		    (e[i].state != cur && e[i].state != SCSI_ALUA_ACTIVE_OPTIMIZED))
			r = scsi_invalid_param(cmd, SCSI_STPG_HDR_LEN + 4 * (unsigned int)i, 3);
	}
	for (size_t i = 0; r == SENSE_OK && i < n; i++) {
		struct alua_group *g = groups[i];
		const struct scsi_lu *lu = scsi_cmd_lu(cmd);
		uint8_t cur;

		if (g == own && alua_store_state(lu, &cur)) {
			if (e[i].state != cur)
				lu->bs->ops->alua_request(lu->bs, e[i].state);
			continue;
		}
		if (atomic_load(&g->state) == e[i].state)
			continue;
		atomic_store(&g->state, e[i].state);
		atomic_store(&g->status, SCSI_ALUA_STATUS_BY_STPG);
		/*
		 * SPC-4 §5.16: after an explicit transition, every I_T nexus
		 * but the one SET TARGET PORT GROUPS came through
		 */
		alua_raise_group_locked(t, g, cmd->nexus);
		changed = true;
		log_info(SCSI_COMPONENT,
			 "target port group %u: %s by SET TARGET PORT GROUPS from '%s'", g->id,
			 scsi_alua_state_name(e[i].state), cmd->nexus->initiator_port);
	}
	pthread_mutex_unlock(&t->lock);
	if (changed && cmd->nexus->alua_changed)
		cmd->nexus->alua_changed(cmd->nexus);
out:
	free(e);
	free(groups);
	return scsi_cmd_finish(cmd, r);
}
