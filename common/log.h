/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One logging API for every daemon. Messages name the object first
 * ("conn 3: ..."), start in lower case and quote names in '...'.
 * The level is checked before the message is formatted. Pure parsers never log.
 */
#ifndef PORTICO_COMMON_LOG_H
#define PORTICO_COMMON_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DBG,
};

/* Current threshold; messages above it are dropped before formatting. */
extern enum log_level log_level_max;

/*
 * Sets the program name shown in each line ("porticod[pid]: ..."); the
 * default is the executable's name. The string is copied.
 */
void log_init(const char *ident);
/*
 * Where messages go: stderr (default, one line per message with a UTC
 * timestamp, written with a single write(2)) or syslog (facility daemon;
 * ident NULL keeps the program name).
 */
void log_to_syslog(const char *ident);
void log_to_stderr(void);
/* LOG_LEVEL_DBG turns on debug output for every component. */
void log_set_level(enum log_level level);
/*
 * A level's name, as log lines and porticod.conf's log_level spell it
 * ("err", "warn", "info", "debug"); "" for no level of the enum.
 */
const char *log_level_name(enum log_level level);
/* The level named name into *out: 0, or -EINVAL for no level's name. */
int log_level_parse(const char *name, enum log_level *out);
/*
 * "iscsi,scsi" or "all": turns on debug output for those components only
 * (spaces around names are ignored); NULL or "" turns it off.
 */
void log_set_debug(const char *components);
/* Cheap (no lock, no string compare) when no debug output is on. */
bool log_debug_enabled(const char *component);

/*
 * A tap: fn is called with every message that is logged at info or above
 * (after the level check, formatted and sanitized, without timestamp or
 * component), from the thread that logs it, before it is written out. A
 * daemon keeps its recent events this way (portico-path show events).
 * NULL removes it. Set it before other threads log.
 */
typedef void log_tap_fn(void *arg, enum log_level level, const char *component, const char *msg);
void log_set_tap(log_tap_fn *fn, void *arg);

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(comp, ...) log_msg(LOG_LEVEL_ERR, comp, __VA_ARGS__)
#define log_warn(comp, ...)                                                                        \
	do {                                                                                       \
		if (log_level_max >= LOG_LEVEL_WARN)                                               \
			log_msg(LOG_LEVEL_WARN, comp, __VA_ARGS__);                                \
	} while (0)
#define log_info(comp, ...)                                                                        \
	do {                                                                                       \
		if (log_level_max >= LOG_LEVEL_INFO)                                               \
			log_msg(LOG_LEVEL_INFO, comp, __VA_ARGS__);                                \
	} while (0)
#define log_dbg(comp, ...)                                                                         \
	do {                                                                                       \
		if (log_debug_enabled(comp))                                                       \
			log_msg(LOG_LEVEL_DBG, comp, __VA_ARGS__);                                 \
	} while (0)

#endif
