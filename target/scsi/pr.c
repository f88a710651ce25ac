/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reservations: SPC-2 RESERVE(6) / RELEASE(6), and SPC-4 persistent
 * reservations (PERSISTENT RESERVE IN / OUT, SPC-4 §5.13, §6.15, §6.16),
 * with their state serialised for APTPL (the format is in pr.h).
 *
 * Registrations are kept by I_T nexus name, the initiator port name the
 * transport gives ("<iSCSI name>,i,0x<ISID>", compared without case as
 * iSCSI names are) and the relative target port identifier (the TPG tag),
 * never by session: they outlive the session, its reinstatement and, with
 * APTPL, the daemon.
 *
 * Threads. Persistent reserve commands of every nexus of an LU serialise on
 * lu->pr.lock; each service action checks everything, then changes the
 * state, as one event (SPC-4 §5.13.1). After a change the lock holder
 * recomputes, for every attached nexus, what the reservation refuses it
 * (itl->pr_deny) and raises the unit attentions. Every other command reads
 * only its own nexus's pr_deny in scsi_cmd_exec: one atomic load, zero when
 * no persistent reservation exists. A nexus that attaches computes its word
 * under the same lock. A command checked before a change completes as it
 * was checked (SPC-4 §5.13.1: a command is checked when its processing
 * begins).
 *
 * PREEMPT AND ABORT preempts as PREEMPT does and then aborts every task of
 * the preempted I_T nexuses on the LU (SPC-4 §5.13.11.4.5), the sender's
 * excepted: each nexus's transport aborts them on their own I/O thread
 * (struct scsi_nexus.abort_lu) and, the control mode page saying TAS 1,
 * each ends with TASK ABORTED (SPC-4 §7.5.8); a preempted nexus gets
 * REGISTRATIONS PREEMPTED. The abort also carries COMMANDS CLEARED BY
 * ANOTHER INITIATOR (scsi_abort.ua), SAM-5 §5.6's word to a nexus whose
 * commands end without status (TAS 0): iSCSI raises it for none. The
 * PERSISTENT RESERVE OUT completes only once every aborted task has left
 * the engine (and, with APTPL, the state is durable): when its GOOD
 * arrives, no write of a preempted nexus can still reach the medium.
 *
 * REGISTER with SPEC_I_PT (SIP_C 1) registers the sender and every I_T
 * nexus its iSCSI TransportIDs name (pr_tid.h), all or none, whether they
 * are logged in or not: a TransportID of format 01b names an initiator
 * port, one of format 00b the initiator device, and its registration
 * covers every ISID. REGISTER AND MOVE hands the holder's reservation to
 * another I_T nexus. ALL_TG_PT (ATP_C 1): one registration covers the
 * initiator port through every target port, READ KEYS lists its key once
 * and READ FULL STATUS shows it with ALL_TG_PT set. APTPL (PTPL_C 1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/be.h"
#include "common/ev.h"
#include "common/log.h"
#include "common/util.h"
#include "target/scsi/alua.h"
#include "target/scsi/pr.h"
#include "target/scsi/pr_int.h"
#include "target/scsi/pr_tid.h"
#include "target/scsi/scsi_int.h"

/* The most parameter data taken: SPEC_I_PT's TransportIDs, 160 of 24 bytes or fewer longer ones. */
#define PR_PARAM_MAX 4096u
#define PR_PARAM_LEN ((uint32_t)sizeof(struct scsi_prout_params))

/*
 * A PERSISTENT RESERVE OUT that waits for more than the store: the aborts
 * of PREEMPT AND ABORT. ab.pending counts the command's own hold, the
 * store's save and each nexus aborting tasks.
 */
struct pr_wait {
	struct scsi_abort ab;
	struct scsi_cmd *cmd;
	struct ev_loop *loop; /* the command's: it completes there */
};

/* Types (SPC-4 §6.15.3.4). */

bool pr_type_valid(uint8_t type)
{
	switch (type) {
	case SCSI_PR_TYPE_WE:
	case SCSI_PR_TYPE_EA:
	case SCSI_PR_TYPE_WE_RO:
	case SCSI_PR_TYPE_EA_RO:
	case SCSI_PR_TYPE_WE_AR:
	case SCSI_PR_TYPE_EA_AR:
		return true;
	default:
		return false;
	}
}

bool pr_type_all_regs(uint8_t type)
{
	return type == SCSI_PR_TYPE_WE_AR || type == SCSI_PR_TYPE_EA_AR;
}

/* Registrants only or all registrants: registered nexuses pass (SPC-4 §5.13.1 table 65). */
static bool pr_type_registrants(uint8_t type)
{
	return type == SCSI_PR_TYPE_WE_RO || type == SCSI_PR_TYPE_EA_RO || pr_type_all_regs(type);
}

static bool pr_type_exclusive_access(uint8_t type)
{
	return type == SCSI_PR_TYPE_EA || type == SCSI_PR_TYPE_EA_RO || type == SCSI_PR_TYPE_EA_AR;
}

/* Registrations. */

static const char *pr_itl_name(const struct scsi_itl *itl)
{
	return itl->nx ? itl->nx->initiator_port : "";
}

static uint16_t pr_itl_rtpi(const struct scsi_itl *itl)
{
	return itl->nx ? itl->nx->tpg_tag : 0;
}

/* Whether the initiator port name belongs to name (an initiator port, or a device's every port). */
static bool pr_name_covers(const char *name, bool device, const char *port)
{
	size_t n = strlen(name);

	if (!device)
		return strcasecmp(name, port) == 0;
	/* iSCSI names compare without case; the port is "<name>,i,0x<ISID>" */
	return strncasecmp(name, port, n) == 0 && port[n] == ',';
}

bool pr_reg_is(const struct pr_reg *reg, const char *name, uint16_t rtpi)
{
	return (reg->all_tg_pt || reg->rtpi == rtpi) &&
	       pr_name_covers(reg->name, reg->device, name);
}

/* Whether two registrations would cover a common I_T nexus (one registration per nexus). */
bool pr_regs_overlap(const char *name, bool device, uint16_t rtpi, bool all_tg_pt,
		     const struct pr_reg *reg)
{
	bool names;

	if (!all_tg_pt && !reg->all_tg_pt && rtpi != reg->rtpi)
		return false;
	if (device == reg->device)
		names = strcasecmp(name, reg->name) == 0;
	else if (device)
		names = pr_name_covers(name, true, reg->name);
	else
		names = pr_name_covers(reg->name, true, name);
	return names;
}

struct pr_reg *pr_find(const struct scsi_pr *pr, const char *name, uint16_t rtpi)
{
	struct pr_reg *reg;

	list_for_each_entry(reg, &pr->regs, node)
	{
		if (pr_reg_is(reg, name, rtpi))
			return reg;
	}
	return NULL;
}

/* SPC-4 §5.13.10: the holder; every registrant holds an all registrants reservation. */
static bool pr_is_holder(const struct scsi_pr *pr, const struct pr_reg *reg)
{
	if (!reg || pr->type == SCSI_PR_TYPE_NONE)
		return false;
	return pr_type_all_regs(pr->type) || pr->holder == reg;
}

struct pr_reg *pr_reg_new(const char *name, uint16_t rtpi, bool all_tg_pt, bool device,
			  uint64_t key)
{
	size_t n = strlen(name);
	struct pr_reg *reg = calloc(1, sizeof(*reg) + n + 1);

	if (!reg)
		return NULL;
	memcpy(reg->name, name, n);
	reg->rtpi = rtpi;
	reg->all_tg_pt = all_tg_pt;
	reg->device = device;
	reg->key = key;
	return reg;
}

/*
 * Drops a registration. SPC-4 §5.13.11.3: the holder's going releases a
 * reservation that is not all registrants; the last registrant's going
 * releases an all registrants one.
 */
static void pr_reg_remove(struct scsi_pr *pr, struct pr_reg *reg)
{
	if (pr->holder == reg) {
		pr->holder = NULL;
		pr->type = SCSI_PR_TYPE_NONE;
	}
	list_del(&reg->node);
	pr->nregs--;
	free(reg);
	if (!pr->nregs && pr_type_all_regs(pr->type))
		pr->type = SCSI_PR_TYPE_NONE;
}

void pr_clear_regs(struct scsi_pr *pr)
{
	struct pr_reg *reg, *tmp;

	list_for_each_entry_safe(reg, tmp, &pr->regs, node)
	{
		list_del(&reg->node);
		free(reg);
	}
	pr->nregs = 0;
	pr->holder = NULL;
	pr->type = SCSI_PR_TYPE_NONE;
}

/* What the reservation refuses each nexus; the I/O path's view. */

uint32_t pr_deny_locked(struct scsi_lu *lu, const struct scsi_itl *itl)
{
	const struct scsi_pr *pr = &lu->pr;
	const struct pr_reg *reg;
	uint32_t deny;

	/* a shared state this gateway may have missed a change of: nothing is checked against it */
	if (pr->stale)
		return SCSI_PR_DENY_STALE;
	if (pr->type == SCSI_PR_TYPE_NONE)
		return 0;
	reg = pr_find(pr, pr_itl_name(itl), pr_itl_rtpi(itl));
	/* SPC-4 §5.13.1: commands from the holder complete normally */
	if (pr_is_holder(pr, reg))
		return 0;
	/* table 65: a registered nexus passes registrants only and all registrants types */
	if (reg && pr_type_registrants(pr->type))
		return 0;
	deny = SCSI_PR_DENY_WRITE;
	if (pr_type_exclusive_access(pr->type))
		deny |= SCSI_PR_DENY_READ;
	return deny;
}

void pr_refresh_locked(struct scsi_lu *lu)
{
	struct scsi_itl *itl;

	pthread_mutex_lock(&lu->lock);
	list_for_each_entry(itl, &lu->itls, node)
	{
		atomic_store_explicit(&itl->pr_deny, pr_deny_locked(lu, itl), memory_order_release);
	}
	pthread_mutex_unlock(&lu->lock);
}

/* Raises ua on every attached nexus that reg registers, but except. */
static void pr_ua_reg(struct scsi_lu *lu, const struct pr_reg *reg, uint32_t ua,
		      const struct scsi_itl *except)
{
	struct scsi_itl *itl;

	pthread_mutex_lock(&lu->lock);
	list_for_each_entry(itl, &lu->itls, node)
	{
		if (itl != except && pr_reg_is(reg, pr_itl_name(itl), pr_itl_rtpi(itl)))
			atomic_fetch_or(&itl->ua, ua);
	}
	pthread_mutex_unlock(&lu->lock);
}

/*
 * SPC-4 §5.13.11.4.5: asks the transport of every attached nexus that reg
 * registers, but except, to abort its tasks on lu under ab.
 */
static void pr_abort_reg(struct scsi_lu *lu, const struct pr_reg *reg, struct scsi_abort *ab,
			 const struct scsi_itl *except)
{
	struct scsi_itl *itl;

	pthread_mutex_lock(&lu->lock);
	list_for_each_entry(itl, &lu->itls, node)
	{
		if (itl != except && itl->nx && itl->nx->abort_lu &&
		    pr_reg_is(reg, pr_itl_name(itl), pr_itl_rtpi(itl)))
			itl->nx->abort_lu(itl->nx, lu, ab);
	}
	pthread_mutex_unlock(&lu->lock);
}

/*
 * What a service action does to other nexuses: raises ua on the nexuses reg
 * registers (and, with abort, aborts their tasks), the sender's excepted.
 * With a shared state (pr_shared.c) it is recorded for every gateway to
 * apply once the state is committed; else it happens now.
 */
static void pr_effect(struct pr_ctx *c, const struct pr_reg *reg, uint32_t ua, bool abort)
{
	if (c->ev) {
		pr_events_add(c->ev, reg, ua, abort && c->ev_abort);
		return;
	}
	pr_ua_reg(c->lu, reg, ua, c->cmd->itl);
	if (abort && c->abort)
		pr_abort_reg(c->lu, reg, c->abort, c->cmd->itl);
}

/* Raises ua on every registered nexus but the sender. */
static void pr_ua_registered(struct pr_ctx *c, uint32_t ua)
{
	struct pr_reg *reg;

	list_for_each_entry(reg, &c->pr->regs, node) pr_effect(c, reg, ua, false);
}

static enum scsi_exec_result pr_conflict(struct scsi_cmd *cmd)
{
	scsi_cmd_bounce_free(cmd);
	cmd->status = SCSI_STATUS_RESERVATION_CONFLICT;
	cmd->sense_len = 0;
	return SCSI_EXEC_DONE;
}

/* LU life. */

int pr_lu_init(struct scsi_lu *lu)
{
	struct scsi_pr *pr = &lu->pr;
	int ret;

	memset(pr, 0, sizeof(*pr));
	list_init(&pr->regs);
	ret = pthread_mutex_init(&pr->lock, NULL);
	return -ret;
}

void pr_lu_fini(struct scsi_lu *lu)
{
	struct scsi_pr *pr = &lu->pr;

	/* first: no change of a shared state arrives after this */
	if (pr->shared_ops && pr->shared_ops->release)
		pr->shared_ops->release(pr->shared_arg);
	pr->shared_ops = NULL;
	pr_clear_regs(pr);
	if (pr->save_ops && pr->save_ops->release)
		pr->save_ops->release(pr->save_arg);
	pr->save_ops = NULL;
	pthread_mutex_destroy(&pr->lock);
}

/* SPC-2 RESERVE(6) / RELEASE(6) (SPC-2 §7.21, §7.19): the whole LU for one I_T nexus. */

enum sense_reason pr_parse_reserve6(struct scsi_cmd *cmd)
{
	/* 3RDPTY and EXTENT (obsolete): only whole-unit reservations for oneself */
	if (cmd->cdb[1] & 0x1f)
		return scsi_invalid_cdb(cmd, 1, cmd->cdb[1] & 0x10 ? 4 : 0);
	return SENSE_OK;
}

enum scsi_exec_result pr_exec_reserve6(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	struct scsi_itl *none = NULL;
	bool ok;

	pthread_mutex_lock(&lu->pr.lock);
	/*
	 * SPC-2 §5.5.1, kept by SPC-4 §5.13.3: while any I_T nexus is
	 * registered, every RESERVE conflicts. Another holder was turned away
	 * by scsi_cmd_exec; one may have come in since.
	 */
	ok = !lu->pr.nregs &&
	     (atomic_compare_exchange_strong(&lu->holder, &none, cmd->itl) || none == cmd->itl);
	pthread_mutex_unlock(&lu->pr.lock);
	if (!ok)
		return pr_conflict(cmd);
	return scsi_cmd_finish(cmd, SENSE_OK);
}

enum scsi_exec_result pr_exec_release6(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	struct scsi_pr *pr = &lu->pr;
	struct scsi_itl *self = cmd->itl;
	bool conflict = false;

	pthread_mutex_lock(&pr->lock);
	if (pr->nregs) {
		const struct pr_reg *reg =
		    pr_find(pr, pr_itl_name(cmd->itl), pr_itl_rtpi(cmd->itl));

		/*
		 * SPC-4 §5.13.3: GOOD, and nothing released, for the holder or a
		 * registrant under a registrants only or all registrants type;
		 * SPC-2 §5.5.1: any other RELEASE conflicts with registrations.
		 */
		conflict = !(pr_is_holder(pr, reg) || (reg && pr->type != SCSI_PR_TYPE_NONE &&
						       pr_type_registrants(pr->type)));
	} else {
		/* SPC-2 §7.19: a release by a nexus that holds nothing is GOOD, and does nothing */
		atomic_compare_exchange_strong(&lu->holder, &self, NULL);
	}
	pthread_mutex_unlock(&pr->lock);
	if (conflict)
		return pr_conflict(cmd);
	return scsi_cmd_finish(cmd, SENSE_OK);
}

/* PERSISTENT RESERVE IN (SPC-4 §6.15) */

enum sense_reason pr_parse_in(struct scsi_cmd *cmd)
{
	cmd->xfer_len = get_be16(cmd->cdb + 7);
	cmd->dir = cmd->xfer_len ? SCSI_DIR_READ : SCSI_DIR_NONE;
	return SENSE_OK;
}

/* SPC-4 §6.15.2 */
static size_t prin_read_keys(const struct scsi_pr *pr, uint8_t *p)
{
	const struct pr_reg *reg;
	size_t off = 8;

	put_be32(p, pr->generation);
	list_for_each_entry(reg, &pr->regs, node)
	{
		put_be64(p + off, reg->key);
		off += 8;
	}
	put_be32(p + 4, (uint32_t)(off - 8));
	return off;
}

static uint8_t pr_scope_type(uint8_t type)
{
	return (uint8_t)(SCSI_PR_SCOPE_LU << 4 | type);
}

/* SPC-4 §6.15.3 */
static size_t prin_read_reservation(const struct scsi_pr *pr, uint8_t *p)
{
	struct scsi_prin_resv_desc *d = (struct scsi_prin_resv_desc *)(p + 8);

	put_be32(p, pr->generation);
	if (pr->type == SCSI_PR_TYPE_NONE) {
		put_be32(p + 4, 0);
		return 8;
	}
	put_be32(p + 4, sizeof(*d));
	/* SPC-4 §6.15.3.1: an all registrants reservation shows key 0 */
	put_be64(d->key, pr_type_all_regs(pr->type) || !pr->holder ? 0 : pr->holder->key);
	d->scope_type = pr_scope_type(pr->type);
	return 8 + sizeof(*d);
}

/* SPC-4 §6.15.4 */
static size_t prin_report_capabilities(const struct scsi_pr *pr, uint8_t *p)
{
	put_be16(p, 8);
	/* CRH (the SPC-4 §5.13.3 exceptions), SIP_C, ATP_C, PTPL_C */
	p[2] = 0x10 | 0x08 | 0x04 | 0x01;
	/*
	 * TMV; ALLOW COMMANDS 011b: TEST UNIT READY passes Write Exclusive and
	 * Exclusive Access, MODE SENSE, REPORT SUPPORTED OPERATION CODES and
	 * READ DEFECT DATA pass Write Exclusive (table 65); PTPL_A
	 */
	p[3] = 0x80 | 0x30 | (pr->aptpl ? 0x01 : 0x00);
	/* PERSISTENT RESERVATION TYPE MASK: every type */
	p[4] = 0x80 | 0x40 | 0x20 | 0x08 | 0x02; /* WR_EX_AR EX_AC_RO WR_EX_RO EX_AC WR_EX */
	p[5] = 0x01;				 /* EX_AC_AR */
	return 8;
}

static size_t prin_full_status_len(const struct scsi_pr *pr)
{
	const struct pr_reg *reg;
	size_t len = 8;

	list_for_each_entry(reg, &pr->regs, node) len +=
	    sizeof(struct scsi_prin_full_desc) + pr_tid_len(reg->name);
	return len;
}

/* SPC-4 §6.15.5 */
static size_t prin_read_full_status(const struct scsi_pr *pr, uint8_t *p)
{
	const struct pr_reg *reg;
	size_t off = 8;

	put_be32(p, pr->generation);
	list_for_each_entry(reg, &pr->regs, node)
	{
		struct scsi_prin_full_desc *d = (struct scsi_prin_full_desc *)(p + off);
		/* SPC-4 §7.6.4.6: format 01b for a port, 00b for a device-wide registration */
		size_t tid = pr_tid_len(reg->name);

		memset(d, 0, sizeof(*d));
		put_be64(d->key, reg->key);
		if (reg->all_tg_pt)
			d->flags |= SCSI_PRIN_F_ALL_TG_PT;
		if (pr_is_holder(pr, reg)) {
			d->flags |= SCSI_PRIN_F_R_HOLDER;
			d->scope_type = pr_scope_type(pr->type);
		}
		/* with ALL_TG_PT the relative target port identifier is not meaningful: 0 */
		put_be16(d->rtpi, reg->all_tg_pt ? 0 : reg->rtpi);
		put_be32(d->add_len, (uint32_t)tid);
		pr_tid_put(reg->name, reg->device, p + off + sizeof(*d));
		off += sizeof(*d) + tid;
	}
	put_be32(p + 4, (uint32_t)(off - 8));
	return off;
}

enum scsi_exec_result pr_exec_in(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	struct scsi_pr *pr = &lu->pr;
	uint8_t sa = cmd->cdb[1] & 0x1f;
	size_t cap, len;
	uint8_t *p;

	pthread_mutex_lock(&pr->lock);
	/* SPC-2 §5.5.1: while a RESERVE(6) reservation stands, PERSISTENT RESERVE IN conflicts */
	if (atomic_load(&lu->holder)) {
		pthread_mutex_unlock(&pr->lock);
		return pr_conflict(cmd);
	}
	/* SAM-5 §5.3.1: a shared state being read again is not reported (pr_shared.c) */
	if (pr->stale) {
		pthread_mutex_unlock(&pr->lock);
		scsi_cmd_bounce_free(cmd);
		cmd->status = SCSI_STATUS_BUSY;
		cmd->sense_len = 0;
		return SCSI_EXEC_DONE;
	}
	switch (sa) {
	case SCSI_PRIN_READ_KEYS:
		cap = 8 + 8 * (size_t)pr->nregs;
		break;
	case SCSI_PRIN_READ_FULL_STATUS:
		cap = prin_full_status_len(pr);
		break;
	default:
		cap = 8 + sizeof(struct scsi_prin_resv_desc);
		break;
	}
	p = calloc(1, cap);
	if (!p) {
		pthread_mutex_unlock(&pr->lock);
		return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
	}
	switch (sa) {
	case SCSI_PRIN_READ_KEYS:
		len = prin_read_keys(pr, p);
		break;
	case SCSI_PRIN_READ_RESERVATION:
		len = prin_read_reservation(pr, p);
		break;
	case SCSI_PRIN_REPORT_CAPABILITIES:
		len = prin_report_capabilities(pr, p);
		break;
	default:
		len = prin_read_full_status(pr, p);
		break;
	}
	pthread_mutex_unlock(&pr->lock);
	/* SPC-4 §6.15.2: the lengths in the data stay whole when the allocation length cuts it */
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, p, len);
	free(p);
	return SCSI_EXEC_DONE;
}

/* PERSISTENT RESERVE OUT (SPC-4 §6.16) */

enum sense_reason pr_parse_out(struct scsi_cmd *cmd)
{
	uint8_t sa = cmd->cdb[1] & 0x1f;
	uint8_t scope = cmd->cdb[2] >> 4, type = cmd->cdb[2] & 0x0f;
	uint32_t len = get_be32(cmd->cdb + 5);

	/*
	 * SPC-4 §6.16.3: without SPEC_I_PT the parameter list is 24 bytes. A
	 * longer one is taken (up to a bound) so that exec can say whether
	 * SPEC_I_PT or the length is at fault.
	 */
	if (len < PR_PARAM_LEN || len > PR_PARAM_MAX)
		return SENSE_PARAM_LIST_LENGTH_ERROR;
	/* SPC-4 §6.16.2: RESERVE needs a scope and type this device server supports */
	if (sa == SCSI_PROUT_RESERVE) {
		if (scope != SCSI_PR_SCOPE_LU)
			return scsi_invalid_cdb(cmd, 2, 7);
		if (!pr_type_valid(type))
			return scsi_invalid_cdb(cmd, 2, 3);
	}
	cmd->xfer_len = len;
	cmd->dir = SCSI_DIR_WRITE;
	return SENSE_OK;
}

/* SCOPE and TYPE of the CDB for a reservation to establish: SENSE_OK or the invalid field. */
static enum sense_reason pr_cdb_type(struct pr_ctx *c, uint8_t *type)
{
	uint8_t b = c->cmd->cdb[2];

	if (b >> 4 != SCSI_PR_SCOPE_LU)
		return scsi_invalid_cdb(c->cmd, 2, 7);
	if (!pr_type_valid(b & 0x0f))
		return scsi_invalid_cdb(c->cmd, 2, 3);
	*type = b & 0x0f;
	return SENSE_OK;
}

static enum pr_verdict pr_check(struct pr_ctx *c, enum sense_reason r)
{
	c->sense = r;
	return PR_CHECK;
}

/* Removes the caller's own registration (SPC-4 §5.13.11.3). */
static void pr_unregister(struct pr_ctx *c)
{
	struct scsi_pr *pr = c->pr;
	uint8_t type = pr->type;
	bool released = pr->holder == c->self;

	pr_reg_remove(pr, c->self);
	c->self = NULL;
	/* a registrants only reservation released so: RESERVATIONS RELEASED for the registrants */
	if (released && (type == SCSI_PR_TYPE_WE_RO || type == SCSI_PR_TYPE_EA_RO))
		pr_ua_registered(c, SCSI_UA_RESERVATIONS_RELEASED);
}

/*
 * REGISTER with SPEC_I_PT from an unregistered nexus (SPC-4 §5.13.7,
 * §6.16.3): the sender and every I_T nexus a TransportID names are
 * registered with the SERVICE ACTION RESERVATION KEY, through the sender's
 * target port (or, with ALL_TG_PT, every one), logged in or not; all of
 * them or none. A TransportID naming what the sender or an earlier one
 * already names adds nothing.
 */
static enum pr_verdict pr_register_spec_i_pt(struct pr_ctx *c)
{
	struct scsi_pr *pr = c->pr;
	struct list_head fresh;
	struct pr_reg *reg, *tmp, *self;
	uint32_t n = 1;
	size_t i;

	list_init(&fresh);
	self = pr_reg_new(c->name, c->rtpi, c->all_tg_pt, false, c->sa_key);
	if (!self)
		return pr_check(c, SENSE_INSUFFICIENT_REGISTRATION_RESOURCES);
	list_add_tail(&self->node, &fresh);
	if (c->all_tg_pt) {
		/* the sender's port through every target port: none may be registered yet */
		list_for_each_entry(reg, &pr->regs, node)
		{
			if (pr_regs_overlap(c->name, false, c->rtpi, true, reg))
				goto conflict;
		}
	}
	for (i = 0; i < c->ntids; i++) {
		const struct pr_tid *t = &c->tids[i];
		bool dup = false;

		/* SPC-4 §6.16.3: a named I_T nexus that is registered already: conflict */
		list_for_each_entry(reg, &pr->regs, node)
		{
			if (pr_regs_overlap(t->name, t->device, c->rtpi, c->all_tg_pt, reg))
				goto conflict;
		}
		list_for_each_entry(reg, &fresh, node)
		{
			if (!pr_regs_overlap(t->name, t->device, c->rtpi, c->all_tg_pt, reg))
				continue;
			/* the same nexus again is no error; a device over one of its ports is */
			if (reg->device != t->device || strcasecmp(reg->name, t->name)) {
				pr_check(
				    c, scsi_invalid_param(c->cmd, (unsigned int)c->tid_off[i], -1));
				goto out_free;
			}
			dup = true;
			break;
		}
		if (dup)
			continue;
		reg = pr_reg_new(t->name, c->rtpi, c->all_tg_pt, t->device, c->sa_key);
		if (!reg) {
			pr_check(c, SENSE_INSUFFICIENT_REGISTRATION_RESOURCES);
			goto out_free;
		}
		list_add_tail(&reg->node, &fresh);
		n++;
	}
	/* §5.13.7: all or none, within this device server's room */
	if (pr->nregs + n > SCSI_PR_MAX_REGS) {
		pr_check(c, SENSE_INSUFFICIENT_REGISTRATION_RESOURCES);
		goto out_free;
	}
	list_for_each_entry_safe(reg, tmp, &fresh, node)
	{
		list_del(&reg->node);
		list_add_tail(&reg->node, &pr->regs);
	}
	pr->nregs += n;
	c->self = self;
	pr->aptpl = c->aptpl;
	pr->generation++;
	c->changed = true;
	return PR_GOOD;

conflict:
	list_for_each_entry_safe(reg, tmp, &fresh, node)
	{
		list_del(&reg->node);
		free(reg);
	}
	return PR_CONFLICT;
out_free:
	list_for_each_entry_safe(reg, tmp, &fresh, node)
	{
		list_del(&reg->node);
		free(reg);
	}
	return PR_CHECK;
}

/* REGISTER and REGISTER AND IGNORE EXISTING KEY (SPC-4 §5.13.7, §6.16.2). */
static enum pr_verdict pr_register(struct pr_ctx *c, bool ignore)
{
	struct scsi_pr *pr = c->pr;
	struct pr_reg *reg;

	if (!c->self) {
		/* table 45: an unregistered nexus names no key, unless the key is ignored */
		if (!ignore && c->key)
			return PR_CONFLICT;
		if (!c->sa_key)
			return PR_GOOD; /* nothing to register: GOOD, and nothing changes */
		if (c->tids)
			return pr_register_spec_i_pt(c);
		if (c->all_tg_pt) {
			/* §5.13.7: every nexus of the initiator port registers at once, or none
			 * does */
			list_for_each_entry(reg, &pr->regs, node)
			{
				if (strcasecmp(reg->name, c->name) == 0)
					return PR_CONFLICT;
			}
		}
		if (pr->nregs >= SCSI_PR_MAX_REGS)
			return pr_check(c, SENSE_INSUFFICIENT_REGISTRATION_RESOURCES);
		reg = pr_reg_new(c->name, c->rtpi, c->all_tg_pt, false, c->sa_key);
		if (!reg)
			return pr_check(c, SENSE_INSUFFICIENT_REGISTRATION_RESOURCES);
		list_add_tail(&reg->node, &pr->regs);
		pr->nregs++;
		c->self = reg;
	} else {
		if (!ignore && c->key != c->self->key)
			return PR_CONFLICT;
		/* SPEC_I_PT is for a nexus that registers (SPC-4 §5.13.7 table 45) */
		if (c->tids)
			return pr_check(c, scsi_invalid_param(c->cmd, 20, 3));
		if (c->sa_key)
			c->self->key = c->sa_key;
		else
			pr_unregister(c);
	}
	/* §5.13.5: the last APTPL a register carried decides for the whole state */
	pr->aptpl = c->aptpl;
	pr->generation++;
	c->changed = true;
	return PR_GOOD;
}

/* RESERVE (SPC-4 §5.13.9) */
static enum pr_verdict pr_reserve(struct pr_ctx *c)
{
	struct scsi_pr *pr = c->pr;
	uint8_t type = c->cmd->cdb[2] & 0x0f; /* checked by pr_parse_out */

	if (!c->self || c->key != c->self->key)
		return PR_CONFLICT;
	if (pr->type != SCSI_PR_TYPE_NONE) {
		/* the holder may repeat its reservation, not change it; others conflict */
		if (pr_is_holder(pr, c->self) && pr->type == type)
			return PR_GOOD;
		return PR_CONFLICT;
	}
	pr->type = type;
	pr->holder = pr_type_all_regs(type) ? NULL : c->self;
	c->changed = true; /* §6.15.2: RESERVE leaves PRgeneration alone */
	return PR_GOOD;
}

/* RELEASE (SPC-4 §5.13.11.2) */
static enum pr_verdict pr_release(struct pr_ctx *c)
{
	struct scsi_pr *pr = c->pr;
	uint8_t type = pr->type;

	if (!c->self || c->key != c->self->key)
		return PR_CONFLICT;
	/* no reservation, or another holds it: GOOD, nothing released */
	if (!pr_is_holder(pr, c->self))
		return PR_GOOD;
	if (c->cmd->cdb[2] != pr_scope_type(type))
		return pr_check(c, SENSE_INVALID_RELEASE_OF_PR);
	pr->type = SCSI_PR_TYPE_NONE;
	pr->holder = NULL;
	if (pr_type_registrants(type))
		pr_ua_registered(c, SCSI_UA_RESERVATIONS_RELEASED);
	c->changed = true;
	return PR_GOOD;
}

/* CLEAR (SPC-4 §5.13.11.2.3) */
static enum pr_verdict pr_clear(struct pr_ctx *c)
{
	struct scsi_pr *pr = c->pr;

	if (!c->self || c->key != c->self->key)
		return PR_CONFLICT;
	pr_ua_registered(c, SCSI_UA_RESERVATIONS_PREEMPTED);
	pr_clear_regs(pr);
	c->self = NULL;
	pr->generation++;
	c->changed = true;
	return PR_GOOD;
}

/*
 * Removes every registration with key but the caller's, each of its nexuses
 * told REGISTRATIONS PREEMPTED. The caller keeps its own: a PREEMPT never
 * leaves the nexus that sent it unregistered (SPC-4 §5.13.11.4.3 b).
 */
static void pr_remove_key(struct pr_ctx *c, uint64_t key, bool all)
{
	struct pr_reg *reg, *tmp;

	list_for_each_entry_safe(reg, tmp, &c->pr->regs, node)
	{
		if (reg == c->self || (!all && reg->key != key))
			continue;
		pr_effect(c, reg, SCSI_UA_REGISTRATIONS_PREEMPTED, true);
		pr_reg_remove(c->pr, reg);
	}
}

static bool pr_key_registered(const struct pr_ctx *c, uint64_t key)
{
	const struct pr_reg *reg;

	list_for_each_entry(reg, &c->pr->regs, node)
	{
		if (reg->key == key)
			return true;
	}
	return false;
}

/* Establishes the preempting nexus's reservation after a preemption (§5.13.11.4.3 c, e). */
static void pr_take_over(struct pr_ctx *c, uint8_t old_type, uint8_t type)
{
	struct scsi_pr *pr = c->pr;

	pr->type = type;
	pr->holder = pr_type_all_regs(type) ? NULL : c->self;
	/* a changed type: RESERVATIONS RELEASED for the registrations that remain */
	if (old_type != type)
		pr_ua_registered(c, SCSI_UA_RESERVATIONS_RELEASED);
}

/* PREEMPT and PREEMPT AND ABORT (SPC-4 §5.13.11.4); see the file comment for the abort. */
static enum pr_verdict pr_preempt(struct pr_ctx *c)
{
	struct scsi_pr *pr = c->pr;
	uint8_t old_type = pr->type, type = 0;
	enum sense_reason r;

	if (!c->self || c->key != c->self->key)
		return PR_CONFLICT;
	if (old_type != SCSI_PR_TYPE_NONE && pr_type_all_regs(old_type) && !c->sa_key) {
		/* §5.13.11.4.3: key 0 preempts an all registrants reservation and every registrant
		 */
		r = pr_cdb_type(c, &type);
		if (r != SENSE_OK)
			return pr_check(c, r);
		pr_remove_key(c, 0, true);
		pr_take_over(c, old_type, type);
	} else if (old_type != SCSI_PR_TYPE_NONE && !pr_type_all_regs(old_type) &&
		   pr->holder->key == c->sa_key) {
		/* §5.13.11.4.3: the holder's key preempts the reservation */
		r = pr_cdb_type(c, &type);
		if (r != SENSE_OK)
			return pr_check(c, r);
		pr_remove_key(c, c->sa_key, false);
		pr_take_over(c, old_type, type);
	} else {
		/*
		 * §5.13.11.4.4: any other key only removes registrations; SCOPE
		 * and TYPE are ignored. Key 0 names no registration.
		 */
		if (!c->sa_key)
			return pr_check(c, scsi_invalid_param(c->cmd, 8, -1));
		if (!pr_key_registered(c, c->sa_key))
			return PR_CONFLICT;
		pr_remove_key(c, c->sa_key, false);
	}
	pr->generation++;
	c->changed = true;
	return PR_GOOD;
}

/* Whether rtpi names a target port of the sender's target (the ones REPORT TARGET PORT GROUPS
 * shows). */
static bool pr_rtpi_valid(const struct pr_ctx *c, uint16_t rtpi)
{
	const struct scsi_nexus *nx = c->cmd->nexus;
	struct alua_group *g;

	if (rtpi == c->rtpi)
		return true;
	if (!nx || !nx->alua)
		return false;
	g = alua_tgt_group(nx->alua, rtpi, false);
	return g && g->present;
}

/*
 * REGISTER AND MOVE (SPC-4 §5.13.8, §6.16.4): the holder hands its
 * reservation to the I_T nexus of the TransportID through the target port
 * named, registering that nexus with the SERVICE ACTION RESERVATION KEY
 * when it is not registered (a registered one keeps its key); the
 * reservation takes the CDB's scope and type; with UNREG the sender's
 * registration goes.
 */
static enum pr_verdict pr_move(struct pr_ctx *c)
{
	struct scsi_pr *pr = c->pr;
	const struct pr_tid *t = c->tids;
	struct pr_reg *dest;
	enum sense_reason r;
	uint8_t type = 0;

	if (!c->self || c->key != c->self->key)
		return PR_CONFLICT;
	/* only the holder of a reservation that has one holder moves it */
	if (!pr_is_holder(pr, c->self) || pr_type_all_regs(pr->type))
		return PR_CONFLICT;
	r = pr_cdb_type(c, &type);
	if (r != SENSE_OK)
		return pr_check(c, r);
	if (!c->sa_key)
		return pr_check(c, scsi_invalid_param(c->cmd, 8, -1));
	if (!pr_rtpi_valid(c, c->move_rtpi))
		return pr_check(c, scsi_invalid_param(c->cmd, 18, -1));
	dest = pr_find(pr, t->name, c->move_rtpi);
	/* the destination is another I_T nexus, under another registration */
	if ((c->move_rtpi == c->rtpi && strcasecmp(t->name, c->name) == 0) || dest == c->self)
		return pr_check(c, scsi_invalid_param(c->cmd, PR_PARAM_LEN, -1));
	if (!dest) {
		if (pr->nregs >= SCSI_PR_MAX_REGS)
			return pr_check(c, SENSE_INSUFFICIENT_REGISTRATION_RESOURCES);
		dest = pr_reg_new(t->name, c->move_rtpi, false, false, c->sa_key);
		if (!dest)
			return pr_check(c, SENSE_INSUFFICIENT_REGISTRATION_RESOURCES);
		list_add_tail(&dest->node, &pr->regs);
		pr->nregs++;
	}
	pr->holder = dest;
	pr->type = type;
	if (c->unreg) {
		pr_reg_remove(pr, c->self);
		c->self = NULL;
	}
	pr->aptpl = c->aptpl;
	pr->generation++;
	c->changed = true;
	return PR_GOOD;
}

/* Saving the state (APTPL): pr_blob.c encodes it. */

static void pr_log_unsaved(struct scsi_lu *lu, int err)
{
	/*
	 * The state is in force either way; the command that changed it ends
	 * GOOD. Only its surviving a restart is lost, which the log says.
	 */
	log_err(
	    SCSI_COMPONENT,
	    "lu '%s': persistent reservation state not saved: %s; it holds until porticod stops",
	    lu->id.serial, strerror(-err));
}

static void pr_saved(void *ctx, int err)
{
	struct scsi_cmd *cmd = ctx;

	if (err)
		pr_log_unsaved(scsi_cmd_lu(cmd), err);
	scsi_cmd_complete(cmd, SENSE_OK);
}

/* On the command's loop: everything it waited for is done. */
static void pr_wait_complete(void *arg)
{
	struct pr_wait *pw = arg;
	struct scsi_cmd *cmd = pw->cmd;

	free(pw);
	scsi_cmd_complete(cmd, SENSE_OK);
}

/* The last hold went, on whatever thread: the command completes on its own. */
static void pr_wait_done(struct scsi_abort *ab)
{
	struct pr_wait *pw = ab->arg;
	bool warned = false;

	if (!pw->loop) {
		pr_wait_complete(pw); /* run outside a loop (the unit tests): right here */
		return;
	}
	while (ev_post(pw->loop, pr_wait_complete, pw)) {
		if (!warned)
			log_err(SCSI_COMPONENT, "out of memory posting a completion; retrying");
		warned = true;
		usleep(10000);
	}
}

static void pr_wait_saved(void *ctx, int err)
{
	struct pr_wait *pw = ctx;

	if (err)
		pr_log_unsaved(scsi_cmd_lu(pw->cmd), err);
	scsi_abort_release(&pw->ab);
}

/*
 * After a change, with the lock held: hands the state to the store while
 * APTPL is active, or tells the store to forget it once APTPL is off.
 * true when the store took it and done(ctx, err) runs later; false when
 * there is nothing to wait for (a failure is logged).
 */
static bool pr_persist_locked(struct scsi_lu *lu, void (*done)(void *ctx, int err), void *ctx)
{
	struct scsi_pr *pr = &lu->pr;
	uint8_t *blob = NULL;
	size_t len = 0;
	int ret;

	if (!pr->save_ops || (!pr->aptpl && !pr->stored))
		return false;
	if (pr->aptpl) {
		ret = pr_encode(pr, &blob, &len);
		if (ret)
			goto err;
	}
	ret = pr->save_ops->save(pr->save_arg, blob, len, done, ctx);
	free(blob);
	if (ret)
		goto err;
	pr->stored = pr->aptpl;
	return true;
err:
	pr_log_unsaved(lu, ret);
	return false;
}

/*
 * SPC-4 §6.16.3: with SPEC_I_PT, bytes 24-27 give the length of the
 * TransportIDs that follow, which must fill the parameter list exactly.
 */
static enum sense_reason pr_decode_spec_i_pt(struct scsi_cmd *cmd, struct pr_ctx *c)
{
	const uint8_t *p = cmd->buf;
	size_t off, end, bad, cap;
	uint32_t n;
	int ret;

	if (cmd->xfer_len < PR_PARAM_LEN + 4)
		return SENSE_PARAM_LIST_LENGTH_ERROR;
	n = get_be32(p + PR_PARAM_LEN);
	if ((uint64_t)PR_PARAM_LEN + 4 + n != cmd->xfer_len)
		return SENSE_PARAM_LIST_LENGTH_ERROR;
	end = cmd->xfer_len;
	/* each TransportID takes at least 24 bytes */
	cap = n / 24 + 1;
	c->tids = calloc(cap, sizeof(*c->tids));
	c->tid_off = calloc(cap, sizeof(*c->tid_off));
	if (!c->tids || !c->tid_off)
		return SENSE_INSUFFICIENT_RESOURCES;
	for (off = PR_PARAM_LEN + 4; off < end; off += (size_t)ret) {
		ret = pr_tid_parse(p + off, end - off, &c->tids[c->ntids], &bad);
		if (ret < 0)
			return scsi_invalid_param(cmd, (unsigned int)(off + bad), -1);
		c->tid_off[c->ntids++] = off;
	}
	return SENSE_OK;
}

/*
 * SPC-4 §6.16.4: REGISTER AND MOVE's own parameter list: the keys, UNREG
 * and APTPL in byte 17, the RELATIVE TARGET PORT IDENTIFIER, and one
 * TransportID filling the rest.
 */
static enum sense_reason pr_decode_move(struct scsi_cmd *cmd, struct pr_ctx *c)
{
	const uint8_t *p = cmd->buf;
	size_t bad;
	uint32_t n;
	int ret;

	n = get_be32(p + 20);
	if ((uint64_t)PR_PARAM_LEN + n != cmd->xfer_len)
		return SENSE_PARAM_LIST_LENGTH_ERROR;
	c->key = get_be64(p);
	c->sa_key = get_be64(p + 8);
	c->unreg = p[17] & 0x02;
	c->aptpl = p[17] & 0x01;
	c->move_rtpi = get_be16(p + 18);
	c->tids = calloc(1, sizeof(*c->tids));
	if (!c->tids)
		return SENSE_INSUFFICIENT_RESOURCES;
	ret = pr_tid_parse(p + PR_PARAM_LEN, n, c->tids, &bad);
	if (ret < 0)
		return scsi_invalid_param(cmd, (unsigned int)(PR_PARAM_LEN + bad), -1);
	/* exactly one TransportID */
	if ((uint32_t)ret != n)
		return scsi_invalid_param(cmd, (unsigned int)(PR_PARAM_LEN + (size_t)ret), -1);
	/* the destination is an I_T nexus: an initiator port, not a whole device */
	if (c->tids->device)
		return scsi_invalid_param(cmd, PR_PARAM_LEN, 7);
	c->ntids = 1;
	return SENSE_OK;
}

static enum sense_reason pr_decode_params(struct scsi_cmd *cmd, struct pr_ctx *c)
{
	const struct scsi_prout_params *prm = (const struct scsi_prout_params *)cmd->buf;
	uint8_t sa = cmd->cdb[1] & 0x1f;

	if (MIN(cmd->xfer_len, cmd->buf_len) < cmd->xfer_len)
		return SENSE_PARAM_LIST_LENGTH_ERROR;
	if (sa == SCSI_PROUT_REGISTER_AND_MOVE)
		return pr_decode_move(cmd, c);
	c->key = get_be64(prm->key);
	c->sa_key = get_be64(prm->sa_key);
	c->aptpl = prm->flags & SCSI_PROUT_F_APTPL;
	c->all_tg_pt = prm->flags & SCSI_PROUT_F_ALL_TG_PT;
	if (prm->flags & SCSI_PROUT_F_SPEC_I_PT) {
		/* SPC-4 §6.16.3: SPEC_I_PT only with REGISTER */
		if (sa != SCSI_PROUT_REGISTER)
			return scsi_invalid_param(cmd, 20, 3);
		return pr_decode_spec_i_pt(cmd, c);
	}
	/* SPC-4 §6.16.3: without SPEC_I_PT the parameter list is 24 bytes */
	if (cmd->xfer_len != PR_PARAM_LEN)
		return SENSE_PARAM_LIST_LENGTH_ERROR;
	return SENSE_OK;
}

/* Runs the service action of c->cmd on c->pr, c->self found: the checks, then the change. */
enum pr_verdict pr_run_action(struct pr_ctx *c)
{
	switch (c->cmd->cdb[1] & 0x1f) {
	case SCSI_PROUT_REGISTER:
		return pr_register(c, false);
	case SCSI_PROUT_REGISTER_AND_IGNORE:
		return pr_register(c, true);
	case SCSI_PROUT_RESERVE:
		return pr_reserve(c);
	case SCSI_PROUT_RELEASE:
		return pr_release(c);
	case SCSI_PROUT_CLEAR:
		return pr_clear(c);
	case SCSI_PROUT_REGISTER_AND_MOVE:
		return pr_move(c);
	default: /* PREEMPT, PREEMPT AND ABORT: the dispatch table has no other */
		return pr_preempt(c);
	}
}

static enum scsi_exec_result pr_out_run(struct scsi_cmd *cmd, struct pr_ctx *c);

enum scsi_exec_result pr_exec_out(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	struct pr_ctx c = {.cmd = cmd, .lu = lu, .pr = &lu->pr};
	enum scsi_exec_result res;
	enum sense_reason r;

	r = pr_decode_params(cmd, &c);
	if (r == SENSE_OK && lu->pr.shared_ops)
		res = pr_shared_submit(&c); /* takes c.tids and c.tid_off */
	else if (r == SENSE_OK)
		res = pr_out_run(cmd, &c);
	else
		res = scsi_cmd_finish(cmd, r);
	free(c.tids);
	free(c.tid_off);
	return res;
}

static enum scsi_exec_result pr_out_run(struct scsi_cmd *cmd, struct pr_ctx *cp)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	struct pr_wait *pw = NULL;
	struct pr_ctx c = *cp;
	enum scsi_exec_result res;
	enum pr_verdict v;

	c.name = pr_itl_name(cmd->itl);
	c.rtpi = pr_itl_rtpi(cmd->itl);
	/* A nexus the transport did not name cannot be told from another: it takes no part. */
	if (!c.name[0] || strlen(c.name) > PR_NAME_MAX)
		return pr_conflict(cmd);

	if ((cmd->cdb[1] & 0x1f) == SCSI_PROUT_PREEMPT_AND_ABORT) {
		pw = calloc(1, sizeof(*pw));
		if (!pw)
			return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
		pw->cmd = cmd;
		pw->loop = ev_current();
		pw->ab.pending = 1; /* the command's own, until it has handed everything out */
		pw->ab.done = pr_wait_done;
		pw->ab.arg = pw;
		pw->ab.ua = SCSI_UA_COMMANDS_CLEARED_BY_ANOTHER;
		c.abort = &pw->ab;
	}

	pthread_mutex_lock(&lu->pr.lock);
	/* SPC-2 §5.5.1: while a RESERVE(6) reservation stands, PERSISTENT RESERVE OUT conflicts */
	if (atomic_load(&lu->holder)) {
		pthread_mutex_unlock(&lu->pr.lock);
		free(pw);
		return pr_conflict(cmd);
	}
	c.self = pr_find(c.pr, c.name, c.rtpi);
	v = pr_run_action(&c);
	if (v == PR_GOOD && c.changed && pw) {
		pr_refresh_locked(lu);
		scsi_abort_hold(&pw->ab);
		if (!pr_persist_locked(lu, pr_wait_saved, pw))
			__atomic_sub_fetch(&pw->ab.pending, 1, __ATOMIC_RELAXED); /* ours remains */
		pthread_mutex_unlock(&lu->pr.lock);
		/* the aborts (and the save) still under way: the last to end completes it */
		if (__atomic_sub_fetch(&pw->ab.pending, 1, __ATOMIC_ACQ_REL))
			return SCSI_EXEC_ASYNC;
		free(pw);
		return scsi_cmd_finish(cmd, SENSE_OK);
	}
	/* nothing was aborted unless the state changed: pw (if any) is only ours */
	free(pw);
	if (v == PR_GOOD && c.changed) {
		pr_refresh_locked(lu);
		res = pr_persist_locked(lu, pr_saved, cmd) ? SCSI_EXEC_ASYNC
							   : scsi_cmd_finish(cmd, SENSE_OK);
	} else if (v == PR_CONFLICT) {
		res = pr_conflict(cmd);
	} else {
		res = scsi_cmd_finish(cmd, v == PR_CHECK ? c.sense : SENSE_OK);
	}
	pthread_mutex_unlock(&lu->pr.lock);
	return res;
}
