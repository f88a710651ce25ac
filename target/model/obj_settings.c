/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The settings tables of the model's objects (obj_settings.h) and the
 * accessors of a row's value. The defaults are those a storage
 * administrator coming from LIO expects, except where a value is better
 * for a KVM host on a fast network; docs/configuration.md says which and
 * why, and keeps its tables in step with these.
 */
#include <errno.h>
#include <string.h>

#include "common/scsi_proto.h"
#include "target/iscsi/chap.h"
#include "target/iscsi/iscsi.h"
#include "target/iscsi/param.h"
#include "target/model/obj.h"
#include "target/model/obj_settings.h"

/* clang-format off */
/*
 * Where a row's value lives: field m of struct S, of the C type T that its
 * setting type reads (a row that names a field of another type does not
 * compile), named in obj_model_equal's messages as prefix "m".
 */
#define OBJ_AT(S, prefix, T, m)                                                                    \
	.offset = _Generic(((S *)0)->m, T: offsetof(S, m)), .field = prefix #m
#define OBJ_BOOL_(S, prefix, m) .type = OBJ_SETTING_BOOL, OBJ_AT(S, prefix, bool, m)
#define OBJ_YESNO_(S, prefix, m) .type = OBJ_SETTING_YESNO, OBJ_AT(S, prefix, bool, m)
#define OBJ_UINT_(S, prefix, m) .type = OBJ_SETTING_UINT, OBJ_AT(S, prefix, uint32_t, m)
#define OBJ_DIGEST_(S, prefix, m, req)                                                             \
	.type = OBJ_SETTING_DIGEST, OBJ_AT(S, prefix, bool, m),                                    \
	.offset_required = _Generic(((S *)0)->req, bool: offsetof(S, req)),                        \
	.field_required = prefix #req
#define OBJ_STR_(S, prefix, kind, m)                                                               \
	.type = kind, OBJ_AT(S, prefix, char *, m), .size = sizeof(((S *)0)->m)
#define OBJ_ALGS_(S, prefix, m) .type = OBJ_SETTING_CHAP_ALGS, OBJ_AT(S, prefix, uint32_t, m)
#define OBJ_CHOICE_(S, prefix, m, names)                                                           \
	.type = OBJ_SETTING_CHOICE, OBJ_AT(S, prefix, uint32_t, m), .choices = names,              \
	.nchoices = sizeof(names) / sizeof((names)[0])
/* the same, for a field named by a macro (ATTR, PARAM, CHAP below) */
#define OBJ_BOOL(...) OBJ_BOOL_(__VA_ARGS__)
#define OBJ_YESNO(...) OBJ_YESNO_(__VA_ARGS__)
#define OBJ_UINT(...) OBJ_UINT_(__VA_ARGS__)
#define OBJ_DIGEST(...) OBJ_DIGEST_(__VA_ARGS__)
#define OBJ_STR(...) OBJ_STR_(__VA_ARGS__)
#define OBJ_ALGS(...) OBJ_ALGS_(__VA_ARGS__)
#define OBJ_CHOICE(...) OBJ_CHOICE_(__VA_ARGS__)

/*
 * A value the transport takes too, from field m of struct S into the field
 * m of struct T (of the same C type: a row whose fields differ does not
 * compile).
 */
#define OBJ_TO(S, T, m)                                                                            \
	.transport = true,                                                                         \
	.transport_offset = _Generic(((T *)0)->m, __typeof__(((S *)0)->m): offsetof(T, m))
#define OBJ_TO_REQUIRED(S, T, m)                                                                   \
	.transport_offset_required = _Generic(((T *)0)->m,                                        \
					      __typeof__(((S *)0)->m): offsetof(T, m))

#define ATTR(m) struct obj_tpg_attrs, "attrs.", m
#define PARAM(m) struct obj_tpg_params, "params.", m
/* an attribute a session gets when it starts; a parameter a login negotiates with */
#define TO_SESSION(m) OBJ_TO(struct obj_tpg_attrs, struct iscsi_session_attrs, m)
#define TO_LOGIN(m) OBJ_TO(struct obj_tpg_params, struct param_limits, m)
#define TO_LOGIN_REQUIRED(m) OBJ_TO_REQUIRED(struct obj_tpg_params, struct param_limits, m)
#define CHAP(kind, m) struct obj_chap, "", kind, m
#define CHAP_POLICY(m) struct obj_chap, "", m
#define GUARD(m) struct obj_auth_guard, "auth_guard.", m

/* RFC 7143 §13.12-13.14: data segment and burst lengths are 512 to 2^24-1 */
#define OBJ_DSL_MAX ((1u << 24) - 1)

static const struct obj_setting obj_tpg_attr_rows[] = {
	/* demo mode: any initiator may log in and sees every LUN of the TPG (as in LIO) */
	{ .key = "generate_node_acls", OBJ_BOOL(ATTR(generate_node_acls)) },
	/* with generate_node_acls, those initiators see the LUNs read-only */
	{ .key = "demo_mode_write_protect", OBJ_BOOL(ATTR(demo_mode_write_protect)), .def = true },
	/* LIO's nopin_timeout: a NOP-In ping on an idle connection this often; 0: never */
	{ .key = "nopin_interval", OBJ_UINT(ATTR(nopin_interval_s)), .max = 3600, .def = 15,
	  TO_SESSION(nopin_interval_s) },
	/* LIO's nopin_response_timeout: no answer in time drops the connection */
	{ .key = "nopin_timeout", OBJ_UINT(ATTR(nopin_timeout_s)), .min = 1, .max = 3600, .def = 30,
	  TO_SESSION(nopin_timeout_s) },
	/* above LIO's 64, so that a host with several VMs on one LU keeps the disk busy */
	{ .key = "default_cmdsn_depth", OBJ_UINT(ATTR(default_cmdsn_depth)), .min = 1, .max = 4096,
	  .def = 128, TO_SESSION(default_cmdsn_depth) },
	/* CHAP of every initiator of the TPG */
	{ .key = "authentication", OBJ_BOOL(ATTR(authentication)) },
};

static const struct obj_setting obj_tpg_param_rows[] = {
	/* §13.12; open-iscsi offers 256 KiB, so that a 256 KiB write goes in one PDU */
	{ .key = "MaxRecvDataSegmentLength", OBJ_UINT(PARAM(max_recv_dsl)), .min = 512,
	  .max = OBJ_DSL_MAX, .def = 262144, TO_LOGIN(max_recv_dsl) },
	/* §13.13: 1 MiB, one R2T for a typical large write */
	{ .key = "MaxBurstLength", OBJ_UINT(PARAM(max_burst)), .min = 512, .max = OBJ_DSL_MAX,
	  .def = 1048576, TO_LOGIN(max_burst) },
	/* §13.14, its default */
	{ .key = "FirstBurstLength", OBJ_UINT(PARAM(first_burst)), .min = 512, .max = OBJ_DSL_MAX,
	  .def = 65536, TO_LOGIN(first_burst) },
	/* §13.17 */
	{ .key = "MaxOutstandingR2T", OBJ_UINT(PARAM(max_outstanding_r2t)), .min = 1, .max = 65535,
	  .def = 1, TO_LOGIN(max_outstanding_r2t) },
	/* §13.10, §13.11: the RFC's defaults */
	{ .key = "InitialR2T", OBJ_YESNO(PARAM(initial_r2t)), .def = true, TO_LOGIN(initial_r2t) },
	{ .key = "ImmediateData", OBJ_YESNO(PARAM(immediate_data)), .def = true,
	  TO_LOGIN(immediate_data) },
	/* §13.1: CRC32C when the initiator wants it */
	{ .key = "HeaderDigest", OBJ_DIGEST(PARAM(header_digest), header_digest_required),
	  .def = true, TO_LOGIN(header_digest), TO_LOGIN_REQUIRED(header_digest_required) },
	{ .key = "DataDigest", OBJ_DIGEST(PARAM(data_digest), data_digest_required), .def = true,
	  TO_LOGIN(data_digest), TO_LOGIN_REQUIRED(data_digest_required) },
	/* §13.15, §13.16 */
	{ .key = "DefaultTime2Wait", OBJ_UINT(PARAM(default_time2wait)), .max = 3600, .def = 2,
	  TO_LOGIN(default_time2wait) },
	{ .key = "DefaultTime2Retain", OBJ_UINT(PARAM(default_time2retain)), .max = 3600,
	  .def = 20, TO_LOGIN(default_time2retain) },
};

/*
 * RFC 7143 §12.1.3: the initiator's name and secret, then the target's for
 * mutual CHAP; then which CHAP_A values a login may be answered with
 * (RFC 7143 §6.2.1: "allowed to use for the specific originator")
 */
static const struct obj_setting obj_chap_rows[OBJ_CHAP__COUNT] = {
	[OBJ_CHAP_USERID] = { .key = "userid", OBJ_STR(CHAP(OBJ_SETTING_NAME, userid)),
			      .word = "USER" },
	[OBJ_CHAP_PASSWORD] = { .key = "password", OBJ_STR(CHAP(OBJ_SETTING_SECRET, password)),
				.word = "SECRET" },
	[OBJ_CHAP_MUTUAL_USERID] = { .key = "mutual_userid",
				     OBJ_STR(CHAP(OBJ_SETTING_NAME, mutual_userid)),
				     .word = "USER", .mutual = true },
	[OBJ_CHAP_MUTUAL_PASSWORD] = { .key = "mutual_password",
				       OBJ_STR(CHAP(OBJ_SETTING_SECRET, mutual_password)),
				       .word = "SECRET", .mutual = true },
	/* unset: every algorithm porticod knows; an ACL's replaces its TPG's */
	[OBJ_CHAP_ALGORITHMS] = { .key = "chap_algorithms",
				  OBJ_ALGS(CHAP_POLICY(chap_algorithms)),
				  .word = "SHA3-256,SHA256,SHA1,MD5" },
};

/*
 * docs/configuration.md, "Failed logins": a guesser's tenth failure in a
 * row waits 8 s, and ten in a row lock the name out of the target (an
 * address, ten names or targets) for five minutes, about two guesses a
 * minute; a right secret is never delayed. Delays stay under the 30 s a
 * login may take.
 */
static const struct obj_setting obj_auth_guard_rows[] = {
	{ .key = "enabled", OBJ_BOOL(GUARD(enabled)), .def = true },
	{ .key = "delay_ms", OBJ_UINT(GUARD(delay_ms)), .max = 30000, .def = 500 },
	{ .key = "delay_max_ms", OBJ_UINT(GUARD(delay_max_ms)), .max = 30000, .def = 8000 },
	{ .key = "lockout_failures", OBJ_UINT(GUARD(lockout_failures)), .min = 1, .max = 1000,
	  .def = 10 },
	{ .key = "lockout_time", OBJ_UINT(GUARD(lockout_time)), .min = 1, .max = 86400,
	  .def = 300 },
};

/*
 * A TPG's ALUA settings (SPC-4 §5.16, target/scsi/alua.h): the access
 * state of its target port group, in the administrator's words (the
 * states' own names with '_' for '/' and '-', which a shell word keeps
 * whole), whether REPORT TARGET PORT GROUPS marks it preferred, and
 * whether SET TARGET PORT GROUPS may change it and is taken through it.
 * Off by default, so that an initiator's failover (Linux's scsi_dh_alua
 * activating a path group) never moves the states every other host sees.
 */
#define ALUA(m) struct obj_tpg_alua, "alua.", m
static const struct obj_choice obj_alua_states[] = {
	{ "active_optimized", SCSI_ALUA_ACTIVE_OPTIMIZED },
	{ "active_non_optimized", SCSI_ALUA_ACTIVE_NON_OPTIMIZED },
	{ "standby", SCSI_ALUA_STANDBY },
	{ "unavailable", SCSI_ALUA_UNAVAILABLE },
	{ "transitioning", SCSI_ALUA_TRANSITIONING },
};
static const struct obj_setting obj_tpg_alua_rows[] = {
	{ .key = "state", OBJ_CHOICE(ALUA(state), obj_alua_states),
	  .def = SCSI_ALUA_ACTIVE_OPTIMIZED,
	  .word = "active_optimized|active_non_optimized|standby|unavailable|transitioning" },
	{ .key = "preferred", OBJ_BOOL(ALUA(preferred)) },
	{ .key = "explicit", OBJ_BOOL(ALUA(explicit_ok)) },
};

/* A field of struct bs_params, for obj_model_equal "params.m" */
#define OBJ_PARAM(T, m) OBJ_AT(struct bs_params, "params.", T, m)
/* A TEXT row's char array in struct obj_backstore */
#define OBJ_BS_STORE(m)                                                                            \
	.store = offsetof(struct obj_backstore, m),                                                \
	.store_size = sizeof(((struct obj_backstore *)0)->m)

/*
 * A backstore's settings. thin and write_back are written out at their
 * default where they apply: whether a store is thin or caches writes is a
 * decision about the data, worth reading in the file.
 */
const struct obj_bs_setting obj_bs_settings[OBJ_BS_ROW__COUNT] = {
	[OBJ_BS_ROW_NAME] = { .key = "name", .value = OBJ_BS_NAME, .word = "NAME",
			      .create = true, .positional = true, .required = true },
	/* create's is the node it is made at */
	[OBJ_BS_ROW_TYPE] = { .key = "type", .value = OBJ_BS_TYPE, .required = true },
	[OBJ_BS_ROW_PATH] = { .key = "path", .value = OBJ_BS_PATH, .takes = BS_KIND_TAKES_PATH,
			      .create = true, .positional = true, .required = true },
	/* required by a kind without a size of its own (bs_kind.size_required) */
	[OBJ_BS_ROW_SIZE] = { .key = "size", .value = OBJ_BS_SIZE, .word = "SIZE",
			      .create = true, .positional = true, .settable = true,
			      OBJ_PARAM(uint64_t, size) },
	[OBJ_BS_ROW_THIN] = {
		.key = "thin", .value = OBJ_BS_BOOL, .takes = BS_KIND_TAKES_THIN,
		/* targetcli's name, which create shows; the file's is taken too */
		.arg = "sparse", .alias = "thin", .create = true, .always_saved = true,
		/*
		 * One default, the shell's and the file's: sparse, as targetcli's
		 * fileio creates it unless told sparse=false, so that a store
		 * made the way a targetcli user makes it is the one the file
		 * gets back. A saved file always says which (always_saved).
		 */
		.def = true, .def_create = true, OBJ_PARAM(bool, thin),
		/* a device is thin when it takes discards: the open store knows */
		.live = offsetof(struct bs_dev, thin),
	},
	/* WCE=1 as LIO's fileio and iblock report it; FLUSH and FUA are honoured */
	[OBJ_BS_ROW_WRITE_BACK] = { .key = "write_back", .value = OBJ_BS_BOOL,
				    .takes = BS_KIND_TAKES_WRITE_BACK, .create = true,
				    .settable = true, .always_saved = true, .def = true,
				    .def_create = true, OBJ_PARAM(bool, write_back) },
	[OBJ_BS_ROW_READONLY] = { .key = "readonly", .value = OBJ_BS_BOOL, .create = true,
				  .settable = true, OBJ_PARAM(bool, readonly) },
	[OBJ_BS_ROW_BLOCK_SIZE] = { .key = "block_size", .value = OBJ_BS_BLOCK_SIZE,
				    .word = "512|4096", .create = true,
				    OBJ_PARAM(uint32_t, block_size) },
	/*
	 * 512e: 4096-byte physical blocks behind 512-byte LBAs. set takes it
	 * only while no LUN serves the backstore: the geometry an initiator
	 * aligned its partitions and file systems to must not change under it
	 * (ctl_edit.c, ctl_set_geometry).
	 */
	[OBJ_BS_ROW_PHYS_BLOCK_SIZE] = { .key = "physical_block_size",
					 .value = OBJ_BS_PHYS_BLOCK_SIZE, .word = "4096",
					 .create = true, .settable = true,
					 OBJ_PARAM(uint32_t, phys_block_size) },
	/*
	 * Removable media (RMB, PREVENT ALLOW MEDIUM REMOVAL, load and eject):
	 * settable live, the LU raises INQUIRY DATA HAS CHANGED (scsi_media.c)
	 */
	[OBJ_BS_ROW_REMOVABLE] = { .key = "removable", .value = OBJ_BS_BOOL, .create = true,
				   .settable = true, OBJ_PARAM(bool, removable) },
	[OBJ_BS_ROW_SERIAL] = { .key = "serial", .value = OBJ_BS_SERIAL, .word = "SERIAL",
				.create = true },
	[OBJ_BS_ROW_NAA] = { .key = "naa", .value = OBJ_BS_NAA, .word = "NAA", .create = true },
	/* rbd: the cluster's configuration file (librados's default search without it) */
	[OBJ_BS_ROW_CEPH_CONF] = { .key = "ceph_conf", .value = OBJ_BS_TEXT,
				   .takes = BS_KIND_TAKES_CEPH, .word = "FILE", .create = true,
				   OBJ_PARAM(const char *, ceph_conf),
				   OBJ_BS_STORE(ceph_conf) },
	/* rbd: the client librbd connects as, its id ("portico" for client.portico); admin */
	[OBJ_BS_ROW_CEPH_CLIENT] = { .key = "ceph_client", .value = OBJ_BS_TEXT,
				     .takes = BS_KIND_TAKES_CEPH, .word = "ID", .create = true,
				     OBJ_PARAM(const char *, ceph_client),
				     OBJ_BS_STORE(ceph_client) },
	/*
	 * rbd served by several gateways (docs/rbd.md, "Gateway groups"):
	 * the group's name, this gateway's name in it, the owner's lease
	 */
	[OBJ_BS_ROW_GATEWAY_GROUP] = { .key = "gateway_group", .value = OBJ_BS_TEXT,
				       .takes = BS_KIND_TAKES_CEPH, .word = "GROUP", .create = true,
				       OBJ_PARAM(const char *, gateway_group),
				       OBJ_BS_STORE(gateway_group) },
	[OBJ_BS_ROW_GATEWAY_NAME] = { .key = "gateway_name", .value = OBJ_BS_TEXT,
				      .takes = BS_KIND_TAKES_CEPH, .word = "NAME", .create = true,
				      OBJ_PARAM(const char *, gateway_name),
				      OBJ_BS_STORE(gateway_name) },
	[OBJ_BS_ROW_GATEWAY_LEASE] = { .key = "gateway_lease_ms", .value = OBJ_BS_TEXT,
				       .takes = BS_KIND_TAKES_CEPH, .word = "MS", .create = true,
				       OBJ_PARAM(const char *, gateway_lease_ms),
				       OBJ_BS_STORE(gateway_lease_ms) },
	/* rbd: how long an OSD operation may take before the command fails (docs/rbd.md) */
	[OBJ_BS_ROW_CEPH_OP_TIMEOUT] = { .key = "ceph_op_timeout_ms", .value = OBJ_BS_TEXT,
					 .takes = BS_KIND_TAKES_CEPH, .word = "MS", .create = true,
					 OBJ_PARAM(const char *, ceph_op_timeout_ms),
					 OBJ_BS_STORE(ceph_op_timeout_ms) },
};

_Static_assert(offsetof(struct bs_dev, thin) != 0, "live 0 means none");

/* Where a top-level setting lives: field m of struct obj_model, of C type T. */
#define OBJ_MODEL(T, m)                                                                            \
	.offset = _Generic(((struct obj_model *)0)->m, T: offsetof(struct obj_model, m)),          \
	.size = sizeof(((struct obj_model *)0)->m), .field = #m

#define OBJ_DISCOVERY_AUTH "discovery_auth"
#define OBJ_AUTH_GUARD "auth_guard"

const struct obj_global obj_globals[OBJ_GLOBAL__COUNT] = {
	/* the socket is bound at start-up: a restored file's takes effect at the next */
	[OBJ_GLOBAL_CONTROL_SOCKET] = { .key = "control_socket", .value = OBJ_GLOBAL_TEXT,
					OBJ_MODEL(char *, control_socket), .at_start = true },
	/* the I/O threads run from start-up */
	[OBJ_GLOBAL_IO_THREADS] = { .key = "io_threads", .value = OBJ_GLOBAL_UINT,
				    OBJ_MODEL(unsigned int, io_threads), .at_start = true,
				    .max = OBJ_IO_THREADS_MAX },
	[OBJ_GLOBAL_LOG_LEVEL] = { .key = "log_level", .value = OBJ_GLOBAL_LEVEL,
				   OBJ_MODEL(enum log_level, log_level) },
	[OBJ_GLOBAL_DEBUG] = { .key = "debug", .value = OBJ_GLOBAL_TEXT, OBJ_MODEL(char *, debug) },
	[OBJ_GLOBAL_STATE_DIR] = { .key = "state_dir", .value = OBJ_GLOBAL_TEXT,
				   OBJ_MODEL(char *, state_dir) },
	[OBJ_GLOBAL_BACKSTORES] = { .key = "backstores", .value = OBJ_GLOBAL_PART },
	[OBJ_GLOBAL_TARGETS] = { .key = "targets", .value = OBJ_GLOBAL_PART },
	/* obj_discovery_auth_settings */
	[OBJ_GLOBAL_DISCOVERY_AUTH] = { .key = OBJ_DISCOVERY_AUTH, .value = OBJ_GLOBAL_PART },
	[OBJ_GLOBAL_AUTO_SAVE] = { .key = "auto_save", .value = OBJ_GLOBAL_BOOL,
				   OBJ_MODEL(bool, auto_save) },
	/*
	 * Command data in flight (docs/configuration.md, "Limits"): at least
	 * the largest command (8 MiB, VPD B0's MAXIMUM TRANSFER LENGTH); 0,
	 * the default, is a quarter of the machine's memory.
	 */
	[OBJ_GLOBAL_IO_MEMORY_LIMIT] = { .key = "io_memory_limit", .value = OBJ_GLOBAL_SIZE,
					 OBJ_MODEL(uint64_t, io_memory_limit),
					 .min = 8ull << 20, .max = 1ull << 50 },
	/* 64 MiB: 128 commands of 512 KiB, tens of milliseconds of a 25 Gb/s link */
	[OBJ_GLOBAL_SESSION_IO_MEMORY_LIMIT] = { .key = "session_io_memory_limit",
						 .value = OBJ_GLOBAL_SIZE,
						 OBJ_MODEL(uint64_t, session_io_memory_limit),
						 .min = 1ull << 20, .max = 1ull << 50,
						 .def = 64ull << 20 },
	/* seconds: nopin_timeout's default; an initiator that takes nothing that long is gone */
	[OBJ_GLOBAL_SEND_TIMEOUT] = { .key = "send_timeout", .value = OBJ_GLOBAL_UINT,
				      OBJ_MODEL(unsigned int, send_timeout), .min = 1,
				      .max = 3600, .def = 30 },
	/*
	 * docs/configuration.md, "Connections": a KVM host with a session per
	 * disk (libvirt's iscsi-direct pools, QEMU's libiscsi) may need a
	 * hundred from one address; 4096 in all fit LimitNOFILE in the unit
	 */
	[OBJ_GLOBAL_MAX_CONNECTIONS] = { .key = "max_connections", .value = OBJ_GLOBAL_UINT,
					 OBJ_MODEL(unsigned int, max_connections), .min = 1,
					 .max = 1u << 20, .def = 4096 },
	[OBJ_GLOBAL_MAX_CONNECTIONS_PER_ADDRESS] = {
		.key = "max_connections_per_address", .value = OBJ_GLOBAL_UINT,
		OBJ_MODEL(unsigned int, max_connections_per_address), .min = 1, .max = 1u << 20,
		.def = 256 },
	[OBJ_GLOBAL_AUTH_GUARD] = { .key = OBJ_AUTH_GUARD, .value = OBJ_GLOBAL_GROUP,
				    OBJ_MODEL(struct obj_auth_guard, auth_guard),
				    .settings = &obj_auth_guard_settings },
	/* the gateway group's shared configuration (config_shared.c); read at start only */
	[OBJ_GLOBAL_SHARED_CONFIG] = { .key = "shared_config", .value = OBJ_GLOBAL_PART,
				       OBJ_MODEL(struct obj_shared_conf, shared), .at_start = true },
};

#define OBJ_TABLE(g, r) { .group = g, .rows = r, .n = sizeof(r) / sizeof((r)[0]) }

const struct obj_settings obj_tpg_attr_settings = OBJ_TABLE("attributes", obj_tpg_attr_rows);
const struct obj_settings obj_tpg_param_settings = OBJ_TABLE("parameters", obj_tpg_param_rows);
const struct obj_settings obj_chap_settings = OBJ_TABLE(NULL, obj_chap_rows);
const struct obj_settings obj_discovery_auth_settings =
	OBJ_TABLE(OBJ_DISCOVERY_AUTH, obj_chap_rows);
const struct obj_settings obj_tpg_auth_settings = OBJ_TABLE("auth", obj_chap_rows);
const struct obj_settings obj_auth_guard_settings = OBJ_TABLE(OBJ_AUTH_GUARD, obj_auth_guard_rows);
const struct obj_settings obj_tpg_alua_settings = OBJ_TABLE("alua", obj_tpg_alua_rows);

/* clang-format on */

_Static_assert(sizeof(obj_tpg_alua_rows) / sizeof(obj_tpg_alua_rows[0]) < OBJ_SETTINGS_MAX &&
		       sizeof(obj_tpg_attr_rows) / sizeof(obj_tpg_attr_rows[0]) < OBJ_SETTINGS_MAX &&
		       sizeof(obj_tpg_param_rows) / sizeof(obj_tpg_param_rows[0]) <
			       OBJ_SETTINGS_MAX,
	       "OBJ_SETTINGS_MAX holds every table's keys and the NULL after them");

/* Every kind of row starts with its key: one list maker for all the tables. */
_Static_assert(offsetof(struct obj_setting, key) == 0 &&
		       offsetof(struct obj_bs_setting, key) == 0 &&
		       offsetof(struct obj_global, key) == 0,
	       "a row starts with its key");

/* The keys of n rows of stride bytes each into out (cap entries with the NULL that ends them). */
static size_t obj_keys(const void *rows, size_t n, size_t stride, const char **out, size_t cap)
{
	size_t i;

	for (i = 0; i < n && i + 1 < cap; i++)
		out[i] = *(const char *const *)((const char *)rows + i * stride);
	if (cap)
		out[i] = NULL;
	return i;
}

bool obj_bs_setting_applies(const struct obj_bs_setting *r, const struct bs_kind *k)
{
	return !k || bs_kind_takes(k, r->takes);
}

const char *obj_bs_setting_arg(const struct obj_bs_setting *r, const struct bs_kind *k)
{
	if (!r->create)
		return NULL;
	if (r->value == OBJ_BS_PATH)
		return k->path_key;
	return r->arg ? r->arg : r->key;
}

const char *obj_bs_setting_word(const struct obj_bs_setting *r, const struct bs_kind *k)
{
	if (r->word)
		return r->word;
	return r->value == OBJ_BS_PATH ? k->path_word : "true|false";
}

bool obj_bs_setting_required(const struct obj_bs_setting *r, const struct bs_kind *k)
{
	return r->required || (r->value == OBJ_BS_SIZE && k->size_required);
}

uint64_t obj_bs_setting_get(const struct obj_bs_setting *r, const struct bs_params *p)
{
	const char *v = (const char *)p + r->offset;

	switch (r->value) {
	case OBJ_BS_SIZE:
		return *(const uint64_t *)v;
	case OBJ_BS_BOOL:
		return *(const bool *)v;
	case OBJ_BS_BLOCK_SIZE:
	case OBJ_BS_PHYS_BLOCK_SIZE:
		return *(const uint32_t *)v;
	default:
		return 0; /* the others live outside struct bs_params */
	}
}

void obj_bs_setting_set(const struct obj_bs_setting *r, struct bs_params *p, uint64_t v)
{
	char *f = (char *)p + r->offset;

	switch (r->value) {
	case OBJ_BS_SIZE:
		*(uint64_t *)f = v;
		break;
	case OBJ_BS_BOOL:
		*(bool *)f = v;
		break;
	case OBJ_BS_BLOCK_SIZE:
	case OBJ_BS_PHYS_BLOCK_SIZE:
		*(uint32_t *)f = (uint32_t)v;
		break;
	default:
		break;
	}
}

bool obj_bs_setting_written(const struct obj_bs_setting *r, const struct bs_kind *k, uint64_t v)
{
	bool applies = obj_bs_setting_applies(r, k);

	return (applies && r->always_saved) || v != (uint64_t)(applies && r->def);
}

const char *obj_bs_setting_text(const struct obj_bs_setting *r, const struct bs_params *p)
{
	const char *v = *(const char *const *)((const char *)p + r->offset);

	return v ? v : "";
}

int obj_bs_setting_set_text(const struct obj_bs_setting *r, struct obj_backstore *b,
			    const char *v)
{
	char *store = (char *)b + r->store;
	const char **param = (const char **)((char *)&b->params + r->offset);

	if (!v || !v[0]) {
		store[0] = '\0';
		*param = NULL;
		return 0;
	}
	if (strlen(v) >= r->store_size)
		return -ENAMETOOLONG;
	strcpy(store, v);
	*param = store;
	return 0;
}

size_t obj_bs_settings_keys(const char **out, size_t cap)
{
	return obj_keys(obj_bs_settings, OBJ_BS_ROW__COUNT, sizeof(obj_bs_settings[0]), out, cap);
}

size_t obj_bs_create_args(const struct bs_kind *k, bool positional, const char **out, size_t cap)
{
	size_t n = 0;

	obj_bs_settings_foreach(r) {
		if (!obj_bs_setting_arg(r, k) || !obj_bs_setting_applies(r, k) ||
		    (positional && !r->positional))
			continue;
		if (n + 1 < cap)
			out[n++] = obj_bs_setting_arg(r, k);
		if (r->alias && !positional && n + 1 < cap)
			out[n++] = r->alias;
	}
	if (cap)
		out[n] = NULL;
	return n;
}

uint64_t obj_global_num(const struct obj_global *r, const struct obj_model *m)
{
	const char *v = (const char *)m + r->offset;

	switch (r->value) {
	case OBJ_GLOBAL_UINT:
		return *(const unsigned int *)v;
	case OBJ_GLOBAL_SIZE:
		return *(const uint64_t *)v;
	case OBJ_GLOBAL_BOOL:
		return *(const bool *)v;
	case OBJ_GLOBAL_LEVEL:
		return (uint64_t)*(const enum log_level *)v;
	default:
		return 0;
	}
}

void obj_global_set_num(const struct obj_global *r, struct obj_model *m, uint64_t v)
{
	char *f = (char *)m + r->offset;

	if (r->value == OBJ_GLOBAL_UINT)
		*(unsigned int *)f = (unsigned int)v;
	else if (r->value == OBJ_GLOBAL_SIZE)
		*(uint64_t *)f = v;
}

const char *obj_global_text(const struct obj_global *r, const struct obj_model *m)
{
	return r->value == OBJ_GLOBAL_TEXT ? (const char *)m + r->offset : "";
}

void obj_global_copy(const struct obj_global *r, struct obj_model *to, const struct obj_model *m)
{
	/* a part has nothing to copy, unless it is one struct (shared_config) */
	if (r->value != OBJ_GLOBAL_PART || r->size)
		memcpy((char *)to + r->offset, (const char *)m + r->offset, r->size);
}

size_t obj_globals_keys(const char **out, size_t cap)
{
	return obj_keys(obj_globals, OBJ_GLOBAL__COUNT, sizeof(obj_globals[0]), out, cap);
}

const struct obj_setting *obj_setting_find(const struct obj_settings *t, const char *key)
{
	obj_settings_foreach(r, t)
		if (!strcmp(r->key, key))
			return r;
	return NULL;
}

size_t obj_settings_keys(const struct obj_settings *t, const char **out, size_t cap)
{
	return obj_keys(t->rows, t->n, sizeof(t->rows[0]), out, cap);
}

bool obj_setting_bool(const struct obj_setting *r, const void *obj)
{
	return *(const bool *)((const char *)obj + r->offset);
}

void obj_setting_set_bool(const struct obj_setting *r, void *obj, bool v)
{
	*(bool *)((char *)obj + r->offset) = v;
}

bool obj_setting_required(const struct obj_setting *r, const void *obj)
{
	return *(const bool *)((const char *)obj + r->offset_required);
}

void obj_setting_set_required(const struct obj_setting *r, void *obj, bool v)
{
	*(bool *)((char *)obj + r->offset_required) = v;
}

uint32_t obj_setting_uint(const struct obj_setting *r, const void *obj)
{
	return *(const uint32_t *)((const char *)obj + r->offset);
}

void obj_setting_set_uint(const struct obj_setting *r, void *obj, uint32_t v)
{
	*(uint32_t *)((char *)obj + r->offset) = v;
}

const char *obj_setting_str(const struct obj_setting *r, const void *obj)
{
	return (const char *)obj + r->offset;
}

char *obj_setting_buf(const struct obj_setting *r, void *obj)
{
	return (char *)obj + r->offset;
}

void obj_settings_to_transport(const struct obj_settings *t, const void *obj, void *to)
{
	char *base = to;

	obj_settings_foreach(r, t) {
		if (!r->transport)
			continue;
		switch (r->type) {
		case OBJ_SETTING_BOOL:
		case OBJ_SETTING_YESNO:
		case OBJ_SETTING_DIGEST:
			*(bool *)(base + r->transport_offset) = obj_setting_bool(r, obj);
			if (r->type == OBJ_SETTING_DIGEST)
				*(bool *)(base + r->transport_offset_required) =
					obj_setting_required(r, obj);
			break;
		case OBJ_SETTING_UINT:
		case OBJ_SETTING_CHOICE:
			*(uint32_t *)(base + r->transport_offset) = obj_setting_uint(r, obj);
			break;
		case OBJ_SETTING_NAME:
		case OBJ_SETTING_SECRET:
		case OBJ_SETTING_CHAP_ALGS:
			break; /* CHAP reaches the login through the model (chap_credentials) */
		}
	}
}

bool obj_setting_is_default(const struct obj_setting *r, const void *obj)
{
	switch (r->type) {
	case OBJ_SETTING_BOOL:
	case OBJ_SETTING_YESNO:
		return obj_setting_bool(r, obj) == !!r->def;
	case OBJ_SETTING_UINT:
	case OBJ_SETTING_CHAP_ALGS:
	case OBJ_SETTING_CHOICE:
		return obj_setting_uint(r, obj) == r->def;
	case OBJ_SETTING_DIGEST:
		return obj_setting_bool(r, obj) == !!r->def && !obj_setting_required(r, obj);
	case OBJ_SETTING_NAME:
	case OBJ_SETTING_SECRET:
		return !obj_setting_str(r, obj)[0];
	}
	return false;
}

void obj_settings_default(const struct obj_settings *t, void *obj)
{
	obj_settings_foreach(r, t) {
		switch (r->type) {
		case OBJ_SETTING_BOOL:
		case OBJ_SETTING_YESNO:
			obj_setting_set_bool(r, obj, r->def);
			break;
		case OBJ_SETTING_UINT:
		case OBJ_SETTING_CHAP_ALGS:
		case OBJ_SETTING_CHOICE:
			obj_setting_set_uint(r, obj, r->def);
			break;
		case OBJ_SETTING_DIGEST:
			obj_setting_set_bool(r, obj, r->def);
			obj_setting_set_required(r, obj, false);
			break;
		case OBJ_SETTING_NAME:
		case OBJ_SETTING_SECRET:
			memset(obj_setting_buf(r, obj), 0, r->size);
			break;
		}
	}
}

bool obj_settings_all_default(const struct obj_settings *t, const void *obj)
{
	obj_settings_foreach(r, t)
		if (!obj_setting_is_default(r, obj))
			return false;
	return true;
}

const char *obj_setting_digest_text(bool allowed, bool required)
{
	/* required without allowed has no spelling: "None", which the saver's read-back refuses */
	if (!allowed)
		return "None";
	return required ? "CRC32C" : "CRC32C,None";
}

const char *obj_setting_algs_text(const struct obj_setting *r, const void *obj, char *buf,
				  size_t len)
{
	if (!len || chap_algs_text(obj_setting_uint(r, obj), buf, len) < 0)
		return "";
	return buf;
}

const char *obj_setting_word(const struct obj_setting *r)
{
	if (r->word)
		return r->word;
	switch (r->type) {
	case OBJ_SETTING_BOOL:
	case OBJ_SETTING_YESNO:
		return "true|false";
	case OBJ_SETTING_DIGEST:
		return "CRC32C,None|CRC32C|None";
	default:
		return "N";
	}
}

const char *obj_setting_choice_name(const struct obj_setting *r, uint32_t value)
{
	for (size_t i = 0; i < r->nchoices; i++)
		if (r->choices[i].value == value)
			return r->choices[i].name;
	return NULL;
}

int obj_setting_choice_parse(const struct obj_setting *r, const char *name, uint32_t *value)
{
	for (size_t i = 0; i < r->nchoices; i++) {
		if (!strcmp(r->choices[i].name, name)) {
			*value = r->choices[i].value;
			return 0;
		}
	}
	return -EINVAL;
}
