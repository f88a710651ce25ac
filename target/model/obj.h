/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The target's object model: backstores -> targets -> TPGs (portals, LUNs,
 * attributes) -> ACLs (initiator -> mapped LUNs).
 *
 * A model is built whole by the configuration parser (config_load() at
 * start-up) and is not edited in place, but for a backstore's size after a
 * resize. A change on the control thread (target/ctl/) builds a new model,
 * most often by parsing the served model's configuration tree with the
 * edit made; it takes over the open stores and LUs of the backstores that
 * stay (config_open_reuse) and is swapped in for the old one under the
 * server's model lock. The login path takes that lock, the data path never
 * does. A session does not keep pointers into the model: at login it is
 * given its own LUN map (obj_lun_map_build, a scsi_lun_map), which holds a
 * reference on each LU it shows, and a change reaches sessions as a new
 * map built and swapped on their own thread (iscsi_refresh_sessions). So
 * an LU deleted from the model lives on, with its store open, until the
 * last map that showed it is freed.
 */
#ifndef PORTICO_TARGET_OBJ_H
#define PORTICO_TARGET_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/iscsi_name.h"
#include "common/log.h"
#include "target/backstore/bs.h"
#include "common/netaddr.h"
#include "target/scsi/scsi.h"

#define OBJ_NAME_MAX 64
#define OBJ_LUN_MAX 16383 /* SAM-5 flat space addressing: the largest LUN porticod serves */
#define OBJ_IO_THREADS_MAX 1024

struct obj_backstore {
	char name[OBJ_NAME_MAX];
	char type[16]; /* its kind's name (target/backstore/bs_kind.h) */
	struct bs_params params; /* as configured; strings point into the strings below */
	char path[4096];
	struct scsi_lu_id id; /* persistent serial and NAA */
	struct bs_dev *dev;
	struct scsi_lu *lu; /* one LU per backstore, shared by every TPG LUN that maps it */
	/* where it was configured, so that an open error at start-up can name the line */
	char cfg_file[4096];
	int cfg_line;
	bool serial_set; /* id.serial came from the configuration, not derived */
	bool naa_set; /* id.naa came from the configuration, not derived */
	/* rbd (obj_bs_settings' TEXT rows): params.ceph_conf and params.ceph_client point here */
	char ceph_conf[4096];
	char ceph_client[128];
	/* rbd in a gateway group: params.gateway_group, _name and _lease_ms point here */
	char gateway_group[64];
	char gateway_name[64];
	char gateway_lease_ms[16];
	char ceph_op_timeout_ms[16];
};


struct obj_tpg_lun {
	uint64_t lun;
	struct obj_backstore *bs;
};

struct obj_mapped_lun {
	uint64_t lun; /* the number the initiator sees */
	uint64_t tpg_lun;
	bool read_only;
};

/*
 * CHAP credentials (RFC 7143 §12.1.3): the name and secret an initiator
 * proves itself with, and for mutual CHAP the target's. "" when not set;
 * config.c checks them (chap_name_why, chap_secret_why). And the
 * algorithms a login may use (CHAP_A, target/iscsi/chap.h): an ACL's,
 * when set, instead of its TPG's; a TPG's (struct obj_tpg's auth, which
 * holds no credentials) for its ACLs that set none; discovery_auth's for
 * discovery.
 */
struct obj_chap {
	char userid[256];
	char password[256];
	char mutual_userid[256];
	char mutual_password[256];
	uint32_t chap_algorithms; /* CHAP_ALG_BIT()s; 0: not set (every algorithm) */
};

/*
 * The auth guard (docs/configuration.md, "Failed logins"): failed logins
 * counted per initiator name and per source address, their answers
 * delayed, and a lockout after a run of them.
 */
struct obj_auth_guard {
	bool enabled;
	uint32_t delay_ms; /* the first failure of a run waits this long, doubling */
	uint32_t delay_max_ms; /* ... up to this */
	uint32_t lockout_failures; /* this many in a row lock the name or address out */
	uint32_t lockout_time; /* seconds; failures older than this are forgotten */
};

/*
 * The gateway group whose shared configuration (the ACLs of its targets,
 * docs/gateway-group.md) this gateway serves from RADOS: the group's name
 * ("" when not in a group), this gateway's name in it, where the group's
 * object lives (pool, ceph.conf, client), and how long a change waits for
 * every gateway's answer.
 */
struct obj_shared_conf {
	char group[64];
	char gateway[64];
	char pool[128];
	char ceph_conf[4096];
	char ceph_client[64];
	uint32_t timeout_ms;
};

struct obj_acl {
	char initiator[ISCSI_NAME_MAX + 1];
	struct obj_chap chap; /* userid set: this initiator must use CHAP */
	bool all_luns; /* no mapped_luns list: every TPG LUN, same numbers, read-write */
	struct obj_mapped_lun *mapped;
	size_t nmapped;
	struct net_allow allowed; /* where this initiator may log in from; empty: anywhere */
};

struct obj_tpg_attrs {
	bool generate_node_acls; /* demo mode: any initiator, every LUN */
	bool demo_mode_write_protect; /* with generate_node_acls: LUNs read-only */
	uint32_t nopin_interval_s; /* target NOP-In keepalive interval; 0: off */
	uint32_t nopin_timeout_s; /* no answer within this: drop the connection */
	uint32_t default_cmdsn_depth; /* the CmdSN window a session gets */
	bool authentication; /* CHAP required of every initiator of the TPG */
};

/* Operational limits the target offers in negotiation (RFC 7143 §13). */
struct obj_tpg_params {
	uint32_t max_recv_dsl;
	uint32_t max_burst;
	uint32_t first_burst;
	uint32_t max_outstanding_r2t;
	bool initial_r2t;
	bool immediate_data;
	bool header_digest; /* offered/accepted: CRC32C allowed */
	bool data_digest;
	bool header_digest_required; /* "CRC32C" without "None": refuse a connection without */
	bool data_digest_required;
	uint32_t default_time2wait;
	uint32_t default_time2retain;
};

/*
 * A TPG's ALUA settings (group alua, obj_tpg_alua_settings): the TPG is a
 * target port, alone in the target port group of its tag (SPC-4 §5.16,
 * target/scsi/alua.h). state and preferred are the live ones of the
 * served model: SET TARGET PORT GROUPS changes them there, and the control
 * thread copies them back (obj_alua_pull) before it reads or changes the
 * model.
 */
struct obj_tpg_alua {
	uint32_t state; /* enum scsi_alua_state */
	bool preferred;
	bool explicit_ok; /* SET TARGET PORT GROUPS (explicit transitions) */
};

struct obj_target;

struct obj_tpg {
	uint16_t tag;
	struct obj_target *target;
	struct net_portal *portals;
	size_t nportals;
	struct obj_tpg_lun *luns; /* sorted by lun */
	size_t nluns;
	struct obj_acl *acls;
	size_t nacls;
	struct obj_tpg_attrs attrs;
	struct obj_tpg_params params;
	/* CHAP policy for its ACLs (chap_algorithms); never credentials, which ACLs hold */
	struct obj_chap auth;
	struct obj_tpg_alua alua;
	/*
	 * Where initiators may log in from; empty: anywhere. Here and not in
	 * attrs, which sessions copy by value (struct iscsi_session_conf).
	 */
	struct net_allow allowed;
};

struct obj_target {
	char iqn[ISCSI_NAME_MAX + 1];
	char alias[256];
	struct obj_tpg *tpgs;
	size_t ntpgs;
	/*
	 * Its target port groups as they are served (target/scsi/alua.h), a
	 * reference; made by config_open, taken over by the next model of
	 * the same target (obj_alua.h). NULL until opened.
	 */
	struct alua_tgt *alua;
};

struct obj_model {
	char path[4096]; /* the configuration file it came from */
	char control_socket[108];
	char state_dir[4096]; /* where persistent reservation state lives (pr_store.h) */
	unsigned int io_threads; /* 0: one per CPU */
	bool auto_save; /* save the configuration after every change over the control socket */
	enum log_level log_level; /* LOG_LEVEL_INFO unless configured */
	char debug[256]; /* components with debug output ("iscsi,scsi", "all"), or "" */
	struct obj_chap discovery_auth; /* userid set: discovery sessions must use CHAP */
	/*
	 * Limits (docs/configuration.md, "Limits"): bytes of command data
	 * in flight, all sessions (0: a quarter of the machine's memory) and
	 * one session; seconds a connection may take nothing of what waits
	 * to be sent before it is dropped.
	 */
	uint64_t io_memory_limit;
	uint64_t session_io_memory_limit;
	unsigned int send_timeout;
	/* connections at most, in all and from one initiator address */
	unsigned int max_connections;
	unsigned int max_connections_per_address;
	struct obj_auth_guard auth_guard;
	struct obj_shared_conf shared; /* shared_config: group "" when not in a group */
	struct obj_backstore *backstores;
	size_t nbackstores;
	struct obj_target *targets;
	size_t ntargets;
};

/* Fills the defaults of a new TPG: the rows' own (obj_settings.c, docs/configuration.md). */
void obj_tpg_attrs_default(struct obj_tpg_attrs *a);
void obj_tpg_params_default(struct obj_tpg_params *p);

/* Frees a model: closes its backstores and destroys its LUs. */
void obj_model_free(struct obj_model *m);

/*
 * Whether two models say the same thing, field by field, as a configuration
 * file would: every setting, the LU identities (serial, NAA, vendor,
 * product, revision), the order of backstores, targets, TPGs, portals,
 * LUNs, ACLs, mapped LUNs and allowed addresses. Not compared: where a
 * model came from (path, cfg_file, cfg_line), whether an identity was
 * pinned or derived (serial_set, naa_set), the open stores and LUs (dev,
 * lu), and the mapped list of an ACL with all_luns (unused). TPG LUNs
 * compare by backstore name.
 * When they differ and why is not NULL, why gets the first difference
 * (secrets are never quoted).
 */
bool obj_model_equal(const struct obj_model *a, const struct obj_model *b, char *why,
		     size_t whylen);

struct obj_target *obj_find_target(const struct obj_model *m, const char *iqn);
struct obj_backstore *obj_find_backstore(const struct obj_model *m, const char *name);

/*
 * The TPG of target t that serves the portal a connection arrived on (its
 * local address), or NULL. A portal bound to a wildcard address (0.0.0.0,
 * [::]) matches any local address with its port.
 */
struct obj_tpg *obj_tpg_for_addr(const struct obj_target *t, const struct sockaddr *local,
				 socklen_t len);

/* The ACL of initiator in tpg (names compare case-insensitively), or NULL. */
const struct obj_acl *obj_find_acl(const struct obj_tpg *tpg, const char *initiator);

/* Whether initiator may log in to tpg: an ACL, or generate_node_acls. */
bool obj_initiator_allowed(const struct obj_tpg *tpg, const char *initiator);

/*
 * Whether a login from peer passes the allow lists: the TPG's, and the
 * ACL's when acl is not NULL (the initiator's ACL in tpg). Empty lists
 * allow every address. When it does not, the login is refused with
 * Authorization Failure (RFC 7143 §11.13.5: status 02/02).
 */
bool obj_peer_allowed(const struct obj_tpg *tpg, const struct obj_acl *acl,
		      const struct sockaddr *peer, socklen_t len);

/*
 * Whether SendTargets lists tpg to initiator connected from peer: only
 * where a login would be let in, by name (obj_initiator_allowed) and by
 * address (obj_peer_allowed with its ACL).
 */
bool obj_tpg_discoverable(const struct obj_tpg *tpg, const char *initiator,
			  const struct sockaddr *peer, socklen_t len);

/*
 * Builds the LUN map initiator sees through tpg, with a reference on each
 * LU. -EACCES when it has no access, -ENOMEM. The caller frees *out with
 * scsi_lun_map_free(), which drops the references.
 */
int obj_lun_map_build(const struct obj_tpg *tpg, const char *initiator, struct scsi_lun_map **out);


#endif
