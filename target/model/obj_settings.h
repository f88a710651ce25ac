/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The settings of the model's objects, one table per kind of object (a
 * TPG's attributes, its parameters, CHAP credentials, a backstore's
 * settings, the file's top level): a row says everything about a key, its
 * name (in the file, in `set`, in the control tree's props), its type,
 * range and default, where its value lives in the object, and where the
 * transport takes it. The parser (config.c), the saver (config_save.c),
 * model equality (obj.c), the daemon's hand-over to the transport
 * (iscsi_env.c), the control tree and editor (target/ctl/) and, through
 * the facts the shell is built with (target/ctl/ctl_facts.h), the shell
 * read these tables: a key is added as a field of its struct and a row
 * here (docs/architecture.md, "Facts"). Pure: no I/O, no libconfig.
 */
#ifndef PORTICO_TARGET_OBJ_SETTINGS_H
#define PORTICO_TARGET_OBJ_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/backstore/bs.h"
#include "target/backstore/bs_kind.h"

enum obj_setting_type {
	OBJ_SETTING_BOOL, /* true or false: a bool */
	OBJ_SETTING_YESNO, /* RFC 7143 §13 Boolean, a bool: the file takes "Yes" and "No" too */
	OBJ_SETTING_UINT, /* an integer from .min to .max: a uint32_t */
	/*
	 * RFC 7143 §13.1 digest list of "CRC32C" and "None", as two bools:
	 * whether CRC32C is allowed (.offset) and whether it is required, None
	 * left out (.offset_required).
	 */
	OBJ_SETTING_DIGEST,
	OBJ_SETTING_NAME, /* a CHAP name: a char array of .size bytes */
	OBJ_SETTING_SECRET, /* a CHAP secret: compared, never shown nor quoted */
	/*
	 * CHAP algorithms: a set of CHAP_ALG_BIT()s in a uint32_t (0: not
	 * set), written as names, "SHA3-256,SHA256" (chap_algs_text)
	 */
	OBJ_SETTING_CHAP_ALGS,
	/* one of the names of .choices, held as its value in a uint32_t */
	OBJ_SETTING_CHOICE,
};

/* A name a CHOICE setting takes, and the value it stands for. */
struct obj_choice {
	const char *name;
	uint32_t value;
};

struct obj_setting {
	const char *key; /* in the file, in `set`, in the control tree */
	enum obj_setting_type type;
	uint32_t min, max; /* UINT: what the parser takes */
	uint32_t def; /* the default: UINT's number; 1 for true (DIGEST: CRC32C allowed) */
	size_t offset; /* of the value in its object */
	size_t offset_required; /* DIGEST: of "CRC32C required" (its default: not) */
	size_t size; /* NAME, SECRET: of the char array */
	const char *field; /* the value's field, as obj_model_equal names it */
	const char *field_required; /* DIGEST: the other one's */
	const char *word; /* what `help` shows for the value ("USER"); NULL: by type */
	bool mutual; /* CHAP: the target's credentials, only with the initiator's */
	const struct obj_choice *choices; /* CHOICE: its names, in the order help lists them */
	size_t nchoices;
	/*
	 * The transport takes the value (obj_settings_to_transport): into the
	 * field of the same name of struct param_limits at a login (a
	 * parameter), of struct iscsi_session_attrs when a session starts (an
	 * attribute), at these offsets.
	 */
	bool transport;
	size_t transport_offset;
	size_t transport_offset_required; /* DIGEST */
};

/* The settings of one kind of object, in the order the file, the tree and `help` list them. */
struct obj_settings {
	const char *group; /* the group of the object that holds them in the file; NULL: its own */
	const struct obj_setting *rows;
	size_t n;
};

#define obj_settings_foreach(r, t)                                                                 \
	for (const struct obj_setting *r = (t)->rows; r < (t)->rows + (t)->n; r++)

/* The most rows a table has: room for a list of its keys. */
#define OBJ_SETTINGS_MAX 20

/* struct obj_tpg_attrs, under "attributes" */
extern const struct obj_settings obj_tpg_attr_settings;
/* struct obj_tpg_params, under "parameters": what the target offers in login negotiation */
extern const struct obj_settings obj_tpg_param_settings;

/*
 * struct obj_chap, in an ACL's own group and in discovery_auth. Each name
 * is followed by the secret that goes with it, the credentials first (the
 * rows below OBJ_CHAP__CREDENTIALS), then the policy; the rows are in this
 * order.
 */
enum obj_chap_row {
	OBJ_CHAP_USERID,
	OBJ_CHAP_PASSWORD,
	OBJ_CHAP_MUTUAL_USERID,
	OBJ_CHAP_MUTUAL_PASSWORD,
	OBJ_CHAP__CREDENTIALS,
	OBJ_CHAP_ALGORITHMS = OBJ_CHAP__CREDENTIALS,
	OBJ_CHAP__COUNT,
};
extern const struct obj_settings obj_chap_settings;
/* The same rows, for discovery sessions: the group discovery_auth of the file's top level. */
extern const struct obj_settings obj_discovery_auth_settings;
/* The same rows, a TPG's group auth: its policy only (config.c refuses credentials there). */
extern const struct obj_settings obj_tpg_auth_settings;
/* struct obj_auth_guard, the group auth_guard of the file's top level */
extern const struct obj_settings obj_auth_guard_settings;
/* struct obj_tpg_alua, a TPG's group alua: its target port group's access state (SPC-4 §5.16) */
extern const struct obj_settings obj_tpg_alua_settings;

/* How a backstore setting's value is read, written and shown. */
enum obj_bs_value {
	OBJ_BS_NAME, /* the backstore's name: unique, in paths and in the derived identity */
	OBJ_BS_TYPE, /* its kind (bs_kind.h) */
	OBJ_BS_PATH, /* its file or device: create names it by its kind's path_key */
	OBJ_BS_SIZE, /* bytes, "20G" in the file; 0: the store's own size */
	OBJ_BS_BOOL, /* a bool of struct bs_params */
	OBJ_BS_BLOCK_SIZE, /* 512 or 4096; 0: the store's own */
	OBJ_BS_PHYS_BLOCK_SIZE, /* a power-of-two multiple of block_size; 0: the store's own */
	OBJ_BS_SERIAL, /* VPD page 0x80 unit serial number */
	OBJ_BS_NAA, /* VPD page 0x83 NAA designator */
	/* a string of struct bs_params (.offset), kept in struct obj_backstore (.store) */
	OBJ_BS_TEXT,
};

/*
 * A setting of a backstore: in the file (under its key), in create at
 * /backstores/<kind>, in set attribute, in the tree's props, in
 * obj_model_equal. Which kinds take it is the kind's to say
 * (bs_kind_refuses).
 */
struct obj_bs_setting {
	const char *key; /* in the file and in the tree (OBJ_BS_PATH: its kind's path_key there) */
	enum obj_bs_value value;
	enum bs_kind_takes takes; /* the kinds it applies to */
	const char *arg; /* its name in create when not key ("sparse"); PATH: the kind's */
	const char *alias; /* create takes it by this name too, without showing it */
	const char *word; /* what help shows for it; NULL: PATH its kind's, BOOL true|false */
	bool create; /* create takes it */
	bool positional; /* create takes it as a word without a name, in this order */
	bool required; /* the file and create need it, where it applies */
	bool settable; /* set attribute changes it on the served store */
	/* saved at its default too where it applies: a decision about the data */
	bool always_saved;
	bool def; /* BOOL: the file's default where it applies (false where not) */
	bool def_create; /* BOOL: create's default (targetcli's) */
	size_t offset; /* SIZE, BOOL, BLOCK_SIZE: in struct bs_params */
	/* BOOL: the open store's own value in struct bs_dev, which the tree shows; 0: none */
	size_t live;
	const char *field; /* SIZE, BOOL, BLOCK_SIZE, TEXT: as obj_model_equal names it */
	size_t store, store_size; /* TEXT: the char array of struct obj_backstore that holds it */
};

/* The rows of obj_bs_settings, in the order the file, create and the tree list them. */
enum obj_bs_row {
	OBJ_BS_ROW_NAME,
	OBJ_BS_ROW_TYPE,
	OBJ_BS_ROW_PATH,
	OBJ_BS_ROW_SIZE,
	OBJ_BS_ROW_THIN,
	OBJ_BS_ROW_WRITE_BACK,
	OBJ_BS_ROW_READONLY,
	OBJ_BS_ROW_BLOCK_SIZE,
	OBJ_BS_ROW_PHYS_BLOCK_SIZE,
	OBJ_BS_ROW_REMOVABLE,
	OBJ_BS_ROW_SERIAL,
	OBJ_BS_ROW_NAA,
	OBJ_BS_ROW_CEPH_CONF,
	OBJ_BS_ROW_CEPH_CLIENT,
	OBJ_BS_ROW_GATEWAY_GROUP,
	OBJ_BS_ROW_GATEWAY_NAME,
	OBJ_BS_ROW_GATEWAY_LEASE,
	OBJ_BS_ROW_CEPH_OP_TIMEOUT,
	OBJ_BS_ROW__COUNT,
};
extern const struct obj_bs_setting obj_bs_settings[OBJ_BS_ROW__COUNT];

#define obj_bs_settings_foreach(r)                                                                 \
	for (const struct obj_bs_setting *r = obj_bs_settings;                                     \
	     r < obj_bs_settings + OBJ_BS_ROW__COUNT; r++)

/* Whether kind k (NULL: unknown, taken as taking everything) takes r. */
bool obj_bs_setting_applies(const struct obj_bs_setting *r, const struct bs_kind *k);
/* r's name in create at a kind k: the path's is the kind's path_key. NULL: create takes none. */
const char *obj_bs_setting_arg(const struct obj_bs_setting *r, const struct bs_kind *k);
/* What help shows for r's value at kind k. */
const char *obj_bs_setting_word(const struct obj_bs_setting *r, const struct bs_kind *k);
/* Whether create at kind k needs r. */
bool obj_bs_setting_required(const struct obj_bs_setting *r, const struct bs_kind *k);
/* The value of a SIZE, BOOL or BLOCK_SIZE row r in p, and setting it. */
uint64_t obj_bs_setting_get(const struct obj_bs_setting *r, const struct bs_params *p);
void obj_bs_setting_set(const struct obj_bs_setting *r, struct bs_params *p, uint64_t v);
/*
 * Whether a file says r (SIZE, BOOL, BLOCK_SIZE) of value v for kind k:
 * when v is not what the parser assumes without it, and where it applies
 * and the row is always_saved.
 */
bool obj_bs_setting_written(const struct obj_bs_setting *r, const struct bs_kind *k, uint64_t v);
/* A TEXT row's value in p ("" when not set). */
const char *obj_bs_setting_text(const struct obj_bs_setting *r, const struct bs_params *p);
/* Sets a TEXT row of b to v (copied into b; "" or NULL: not set). -ENAMETOOLONG. */
struct obj_backstore;
int obj_bs_setting_set_text(const struct obj_bs_setting *r, struct obj_backstore *b,
			    const char *v);
/* The file's keys of a backstore into out (cap entries with the NULL that ends them). */
size_t obj_bs_settings_keys(const char **out, size_t cap);
/*
 * The names create takes at kind k, shown ones first in the table's order
 * each followed by its alias (positional: only those it takes as words),
 * into out (cap entries with the NULL that ends them). Returns how many.
 */
size_t obj_bs_create_args(const struct bs_kind *k, bool positional, const char **out, size_t cap);

/* What a key of the file's top level holds (struct obj_model). */
enum obj_global_value {
	OBJ_GLOBAL_TEXT, /* a string: a char array of .size bytes */
	OBJ_GLOBAL_UINT, /* an unsigned int from .min to .max, .def when the file has none */
	/* bytes, a uint64_t: "64M" in the file (or an integer), from .min to .max, else .def */
	OBJ_GLOBAL_SIZE,
	OBJ_GLOBAL_BOOL,
	OBJ_GLOBAL_LEVEL, /* an enum log_level, by its name (log_level_name) */
	/* a group of settings whose rows are a table (.settings), a struct at .offset */
	OBJ_GLOBAL_GROUP,
	OBJ_GLOBAL_PART, /* a part of the model with rows of its own */
};

/*
 * A key of the file's top level: the daemon's own settings and the parts
 * of the model. A number (UINT, SIZE) is read and saved as its row says
 * (its range, its default, which is not saved); the others have their
 * checks in config.c. Each has its place in the saved file in
 * config_save.c; the table gives their keys (in the order a message lists
 * them), what obj_model_equal compares, what clearconfig keeps and what
 * restoreconfig leaves to the next start.
 */
struct obj_global {
	const char *key;
	enum obj_global_value value;
	size_t offset; /* in struct obj_model */
	size_t size;
	const char *field; /* as obj_model_equal names it */
	bool at_start; /* takes effect when porticod starts: a restored file's is not taken */
	/* UINT, SIZE: what the parser takes, and the value without the key (maybe out of range) */
	uint64_t min, max, def;
	const struct obj_settings *settings; /* GROUP */
};

enum obj_global_row {
	OBJ_GLOBAL_CONTROL_SOCKET,
	OBJ_GLOBAL_IO_THREADS,
	OBJ_GLOBAL_LOG_LEVEL,
	OBJ_GLOBAL_DEBUG,
	OBJ_GLOBAL_STATE_DIR,
	OBJ_GLOBAL_BACKSTORES,
	OBJ_GLOBAL_TARGETS,
	OBJ_GLOBAL_DISCOVERY_AUTH,
	OBJ_GLOBAL_AUTO_SAVE,
	OBJ_GLOBAL_IO_MEMORY_LIMIT,
	OBJ_GLOBAL_SESSION_IO_MEMORY_LIMIT,
	OBJ_GLOBAL_SEND_TIMEOUT,
	OBJ_GLOBAL_MAX_CONNECTIONS,
	OBJ_GLOBAL_MAX_CONNECTIONS_PER_ADDRESS,
	OBJ_GLOBAL_AUTH_GUARD,
	OBJ_GLOBAL_SHARED_CONFIG,
	OBJ_GLOBAL__COUNT,
};
extern const struct obj_global obj_globals[OBJ_GLOBAL__COUNT];

#define obj_globals_foreach(r)                                                                     \
	for (const struct obj_global *r = obj_globals; r < obj_globals + OBJ_GLOBAL__COUNT; r++)

struct obj_model;
/* The value of a UINT, SIZE, BOOL or LEVEL row in m, and the text of a TEXT row. */
uint64_t obj_global_num(const struct obj_global *r, const struct obj_model *m);
/* Sets the value of a UINT or SIZE row in m. */
void obj_global_set_num(const struct obj_global *r, struct obj_model *m, uint64_t v);
const char *obj_global_text(const struct obj_global *r, const struct obj_model *m);
/* Copies r's value from m to to (a PART has none to copy). */
void obj_global_copy(const struct obj_global *r, struct obj_model *to, const struct obj_model *m);
/* The top level's keys into out (cap entries with the NULL that ends them). */
size_t obj_globals_keys(const char **out, size_t cap);

/* The row of t whose key is key, or NULL. */
const struct obj_setting *obj_setting_find(const struct obj_settings *t, const char *key);
/* t's keys into out (cap entries with the NULL that ends them). Returns how many. */
size_t obj_settings_keys(const struct obj_settings *t, const char **out, size_t cap);

/*
 * A row's value in obj, an object of its table's struct: BOOL, YESNO and
 * DIGEST's "allowed" through _bool; DIGEST's "required" through
 * _required; UINT and CHAP_ALGS through _uint; NAME and SECRET through _str.
 */
bool obj_setting_bool(const struct obj_setting *r, const void *obj);
void obj_setting_set_bool(const struct obj_setting *r, void *obj, bool v);
bool obj_setting_required(const struct obj_setting *r, const void *obj);
void obj_setting_set_required(const struct obj_setting *r, void *obj, bool v);
uint32_t obj_setting_uint(const struct obj_setting *r, const void *obj);
void obj_setting_set_uint(const struct obj_setting *r, void *obj, uint32_t v);
const char *obj_setting_str(const struct obj_setting *r, const void *obj);
/* The char array of a NAME or SECRET row (.size bytes). */
char *obj_setting_buf(const struct obj_setting *r, void *obj);

/*
 * Copies the settings of table t in obj that the transport takes into its
 * struct to (param_limits for obj_tpg_param_settings, iscsi_session_attrs
 * for obj_tpg_attr_settings).
 */
void obj_settings_to_transport(const struct obj_settings *t, const void *obj, void *to);

/* Whether r's value in obj is its default (NAME, SECRET: unset). */
bool obj_setting_is_default(const struct obj_setting *r, const void *obj);
/* Sets every setting of t in obj to its default. */
void obj_settings_default(const struct obj_settings *t, void *obj);
/* Whether every setting of t in obj is at its default. */
bool obj_settings_all_default(const struct obj_settings *t, const void *obj);

/* RFC 7143 §13.1: "CRC32C,None" (allowed), "CRC32C" (required), "None"; a DIGEST row's text. */
const char *obj_setting_digest_text(bool allowed, bool required);

/*
 * A CHAP_ALGS row's value in obj as the file writes it ("SHA256,MD5"; ""
 * when not set), into buf (CHAP_ALGS_TEXT_MAX bytes hold any).
 */
const char *obj_setting_algs_text(const struct obj_setting *r, const void *obj, char *buf,
				  size_t len);

/* What `help` shows for r's value: its word, "true|false" for a boolean, "N" for a number. */
const char *obj_setting_word(const struct obj_setting *r);

/* A CHOICE row's name for value, or NULL; the value of name (0 or -EINVAL). */
const char *obj_setting_choice_name(const struct obj_setting *r, uint32_t value);
int obj_setting_choice_parse(const struct obj_setting *r, const char *name, uint32_t *value);

#endif
