/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device-mapper "multipath" target's table and status lines as text,
 * both ways: the parameters portico-pathd loads (DM_TABLE_LOAD) and reads
 * back (DM_TABLE_STATUS; `dmsetup table` and `dmsetup status` after
 * "<start> <length> multipath"). Pure: no I/O, no logging, no allocation.
 *
 * The format is the kernel's: drivers/md/dm-mpath.c (multipath_ctr and its
 * parse_* helpers, multipath_status), the path selectors in
 * drivers/md/dm-ps-*.c, and the examples in Documentation/admin-guide/
 * device-mapper/dm-service-time.rst and dm-queue-length.rst:
 *
 *   table:  <#feature words> [feature]*
 *           <#hw handler words> [<hw handler> [arg]*]
 *           <#groups> <initial group>
 *           [<selector> <#selector args> [arg]*
 *            <#paths> <#per-path selector args> [<major:minor> [arg]*]+ ]*
 *
 *   status: <#feature words> <queue_io> <pg_init_count>
 *           <#hw handler status words> [word]*
 *           <#groups> <current group>
 *           [A|E|D <#selector status args> [arg]*
 *            <#paths> <#per-path selector status args>
 *            [<major:minor> A|F <fail count> [arg]*]+ ]*
 *
 * Words are separated by white space. The kernel ends both lines with a
 * space (every DMEMIT in multipath_status does), and dmt_table_build does
 * the same, so that a table built here compares equal, byte for byte, with
 * what the kernel prints for it once both are canonical (dmt_table_canon).
 *
 * Parsers read exactly len bytes (no NUL needed, none read past len) and
 * return 0, -EINVAL for text the kernel would not print or take (a count
 * claiming more words than there are, words left over, a value out of the
 * kernel's range, a path that is not "major:minor"), or -E2BIG for a
 * well-formed line beyond the limits below. On an error *out is zeroed.
 */
#ifndef PORTICO_MPATH_DM_TABLE_H
#define PORTICO_MPATH_DM_TABLE_H

#include <stdbool.h>
#include <stddef.h>

/* Path groups in one map. */
#define DMT_GROUPS_MAX 8
/* Paths in one map, over all its groups. */
#define DMT_PATHS_MAX 32
/* Words per argument list: hw handler args, selector args, per-path args. */
#define DMT_ARGS_MAX 4
/* Feature words: the kernel's own limit (parse_features: 0-8). */
#define DMT_FEATURE_WORDS_MAX 8
/* One word and its NUL. */
#define DMT_WORD_MAX 32
/* The largest device numbers format_dev_t prints (MINORBITS is 20). */
#define DMT_MAJOR_MAX 4095u
#define DMT_MINOR_MAX 1048575u
/* Room for any table dmt_table_build writes, NUL included. */
#define DMT_TABLE_TEXT_MAX 8192

/* "queue_mode <mode>": how the map queues I/O (dm-mpath.c, parse_features). */
enum dmt_queue_mode {
	DMT_QUEUE_MODE_DEFAULT, /* not given: request-based */
	DMT_QUEUE_MODE_BIO,
	DMT_QUEUE_MODE_RQ,
	DMT_QUEUE_MODE_MQ,
	DMT_QUEUE_MODE_NVME, /* only older kernels: added in 4.16, gone from 6.x */
};

/*
 * The features. A zeroed struct is "0". Read back from the kernel,
 * queue_if_no_path is the live setting: the queue_if_no_path and
 * fail_if_no_path messages and the queue_if_no_path timeout change it, and
 * it reads as off while the map is suspended.
 */
struct dmt_features {
	bool queue_if_no_path;
	bool retain_attached_hw_handler;
	unsigned int pg_init_retries; /* 1-50; 0: not given */
	bool pg_init_delay_given;
	unsigned int pg_init_delay_msecs; /* 0-60000, when given */
	enum dmt_queue_mode queue_mode;
	/* Words of features not modelled above, in the order read; built after the known ones. */
	unsigned int nother;
	char other[DMT_FEATURE_WORDS_MAX][DMT_WORD_MAX];
};

/* A path group; its paths are npaths entries of dmt_table.paths (dmt_group_first_path). */
struct dmt_group {
	/* "service-time", "round-robin", ...; "" builds as service-time. */
	char selector[DMT_WORD_MAX];
	unsigned int nselector_args;
	char selector_args[DMT_ARGS_MAX][DMT_WORD_MAX];
	unsigned int npaths;	 /* at least 1: the kernel refuses an empty group */
	unsigned int npath_args; /* selector args per path, the same count for every path */
};

struct dmt_path {
	unsigned int major, minor;
	char args[DMT_ARGS_MAX][DMT_WORD_MAX]; /* the group's npath_args words */
};

/* One multipath table. A zeroed struct is the empty map "0 0 0 0 ". */
struct dmt_table {
	struct dmt_features features;
	char hw_handler[DMT_WORD_MAX]; /* "alua", ...; "" none */
	unsigned int nhw_args;
	char hw_args[DMT_ARGS_MAX][DMT_WORD_MAX];
	/*
	 * 1-based; 0 builds as 1 (or 0 with no groups). Read back, the kernel
	 * prints the group in use (or the one it switches to next), not the one
	 * loaded: leave it out of comparisons with a table of one's own.
	 */
	unsigned int initial_group;
	unsigned int ngroups;
	struct dmt_group groups[DMT_GROUPS_MAX];
	unsigned int npaths;		      /* the groups' npaths added up */
	struct dmt_path paths[DMT_PATHS_MAX]; /* group 1's paths, then group 2's, ... */
};

/* The index in t->paths of group g's first path. */
static inline unsigned int dmt_group_first_path(const struct dmt_table *t, unsigned int g)
{
	unsigned int i, first = 0;

	for (i = 0; i < g && i < t->ngroups; i++)
		first += t->groups[i].npaths;
	return first;
}

/* The path selectors in the kernel tree that portico knows; one row each in dm_table.c. */
enum dmt_selector {
	DMT_SELECTOR_SERVICE_TIME,
	DMT_SELECTOR_ROUND_ROBIN,
	DMT_SELECTOR_QUEUE_LENGTH,
};

/*
 * What a selector takes and prints: its struct path_selector_type
 * (table_args, info_args) and its add_path in dm-ps-*.c. The arg rows
 * hold path_args entries: the arg's name, the value the kernel uses when
 * it is left out, the largest value add_path takes, and the largest it
 * keeps (a larger one reads back as this).
 */
struct dmt_selector_info {
	const char *name;
	unsigned int path_args;	  /* per-path table args, taken and printed back */
	unsigned int status_args; /* per-path status args printed */
	const char *const *arg_names;
	const unsigned int *arg_default;
	const unsigned int *arg_max;
	const unsigned int *arg_kept_max;
};

/* The row for sel, or NULL for a value outside the enum. */
const struct dmt_selector_info *dmt_selector_get(enum dmt_selector sel);

/* The row for a selector name (compared as the kernel does, exactly), or NULL. */
const struct dmt_selector_info *dmt_selector_find(const char *name);

/*
 * Appends an empty group using sel: its name, no selector args, and the
 * per-path arg count the kernel prints back for it. 0, -E2BIG when
 * DMT_GROUPS_MAX groups are there, -EINVAL for an unknown sel.
 */
int dmt_table_add_group(struct dmt_table *t, enum dmt_selector sel);

/*
 * Appends the path major:minor to the last group, with the group's
 * npath_args per-path args taken from args, or the selector's defaults
 * when args is NULL (the values the kernel prints for a path given none).
 * 0, -E2BIG when DMT_PATHS_MAX paths are there, -EINVAL without a group,
 * for device numbers out of range, an arg a known selector does not take,
 * or NULL args for a selector not known.
 */
int dmt_table_add_path(struct dmt_table *t, unsigned int major, unsigned int minor,
		       const unsigned int *args);

/*
 * The table's parameters into buf as the kernel prints them: one space
 * after every word, the features in the kernel's order (queue_if_no_path,
 * pg_init_retries, pg_init_delay_msecs, retain_attached_hw_handler,
 * queue_mode) and then the other words. The length written (without the
 * NUL), -ENOSPC when buf is too small (DMT_TABLE_TEXT_MAX always does),
 * -EINVAL for a table the kernel would refuse: a value out of its range,
 * an empty group, counts that do not add up, a word that is empty, holds
 * white space, a backslash or a byte outside printable ASCII, or
 * per-path args a known selector does not take.
 */
int dmt_table_build(const struct dmt_table *t, char *buf, size_t len);

/*
 * Parses a table as the kernel prints it (or as one writes it for the
 * kernel) into *out. Feature keywords and queue_mode values are matched
 * without regard to case, as the kernel does. See the top of the file for
 * the returns; whatever this accepts, dmt_table_build writes.
 */
int dmt_table_parse(const char *s, size_t len, struct dmt_table *out);

/*
 * Turns t into the table the kernel (5.x, 6.x) prints back after loading
 * it: queue_mode rq and mq dropped (both are the default), queue_mode bio
 * adds retain_attached_hw_handler and drops the hw handler, hw handler
 * args dropped (the kernel keeps them but prints only the name), an
 * initial group of 0 made 1, and for known selectors no selector args and
 * every path's args completed with the defaults and capped at what the
 * kernel keeps (repeat_count reads back as 1). What only the running
 * kernel knows is left as it is: the group in use (initial_group), and a
 * hw handler already attached to the paths (scsi_dh; alua attaches itself
 * to ALUA devices), which the kernel shows instead of the one asked for
 * when they differ, and in place of none with retain_attached_hw_handler
 * or queue_mode bio. 0, or -EINVAL for a table dmt_table_build refuses.
 */
int dmt_table_canon(struct dmt_table *t);

/* Whether a and b hold the same table, field by field (words compared exactly). */
bool dmt_table_equal(const struct dmt_table *a, const struct dmt_table *b);

/* A group's state in the status line: multipath_status, STATUSTYPE_INFO. */
enum dmt_group_state {
	DMT_GROUP_STATE_ACTIVE,	  /* 'A': the group in use */
	DMT_GROUP_STATE_ENABLED,  /* 'E': usable */
	DMT_GROUP_STATE_DISABLED, /* 'D': bypassed (disable_group, or pg_init asked to) */
};

struct dmt_status_group {
	enum dmt_group_state state;
	unsigned int nselector_args;
	char selector_args[DMT_ARGS_MAX][DMT_WORD_MAX];
	unsigned int npaths;
	unsigned int npath_args;
	unsigned int active_paths; /* of its paths, those marked A */
};

struct dmt_status_path {
	unsigned int major, minor;
	bool active;		 /* A (true) or F */
	unsigned int fail_count; /* failures since the table was loaded */
	/*
	 * The selector's per-path status: service-time <in-flight bytes>
	 * <relative throughput>, queue-length <in-flight I/Os>, round-robin none.
	 */
	char args[DMT_ARGS_MAX][DMT_WORD_MAX];
};

/*
 * One status line. It does not say whether queue_if_no_path is in effect:
 * that is in the table read back (dmt_features.queue_if_no_path).
 */
struct dmt_status {
	/*
	 * The first feature word: 1 while the map holds I/O back
	 * (MPATHF_QUEUE_IO, m->queue_io before the flags): from the load until
	 * a group is first chosen, and while a group's pg_init is pending or
	 * running. The oldest kernels (m->queue_size) printed the number of
	 * I/Os queued. It is not queue_if_no_path.
	 */
	unsigned int queue_io;
	unsigned int pg_init_count; /* pg_init calls since the group was switched */
	unsigned int current_group; /* 1-based, the group in use or next; 0 with no groups */
	unsigned int ngroups;
	struct dmt_status_group groups[DMT_GROUPS_MAX];
	unsigned int npaths;
	struct dmt_status_path paths[DMT_PATHS_MAX]; /* group 1's paths, then group 2's, ... */
	unsigned int active_paths;		     /* paths marked A, over all groups */
};

/*
 * Parses a status line as the kernel prints it into *out. Feature words
 * after the first two and the hw handler status words (the kernel prints
 * none) are read and skipped. See the top of the file for the returns.
 */
int dmt_status_parse(const char *s, size_t len, struct dmt_status *out);

#endif
