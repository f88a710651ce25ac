/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging: one line per message, to stderr or syslog.
 *
 * A stderr line is built whole in a stack buffer and written with a single
 * write(2), so lines from several threads (or processes sharing the fd)
 * never interleave: writes of up to PIPE_BUF bytes to a pipe are atomic
 * (POSIX), and an O_APPEND file takes each write whole.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

/* One line, newline included, fits in an atomic pipe write. */
#define LOG_LINE_MAX PIPE_BUF
#define LOG_DEBUG_LIST_MAX 512

enum log_level log_level_max = LOG_LEVEL_INFO;

static char log_ident[64];
static atomic_bool log_use_syslog;
static log_tap_fn *log_tap;
static void *log_tap_arg;

/*
 * Debug components: log_dbg_on is the lock-free fast path (false when no
 * component is on); the list itself, ",iscsi,scsi,", is read under the lock.
 */
static atomic_bool log_dbg_on;
static bool log_dbg_all;
static char log_dbg_list[LOG_DEBUG_LIST_MAX];
static pthread_mutex_t log_dbg_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const log_level_names[] = {
	[LOG_LEVEL_ERR] = "err",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DBG] = "debug",
};

static const int log_syslog_prio[] = {
	[LOG_LEVEL_ERR] = LOG_ERR,
	[LOG_LEVEL_WARN] = LOG_WARNING,
	[LOG_LEVEL_INFO] = LOG_INFO,
	[LOG_LEVEL_DBG] = LOG_DEBUG,
};

const char *log_level_name(enum log_level level)
{
	return (unsigned int)level < ARRAY_SIZE(log_level_names) ? log_level_names[level] : "";
}

int log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(log_level_names); i++) {
		if (!strcmp(name, log_level_names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * systemd's journal reads a service's stderr (JOURNAL_STREAM names that
 * stream as "device:inode", systemd.exec(5)): a line that begins with
 * "<N>" carries syslog priority N (sd-daemon(3)), and the journal stamps
 * time, name and pid itself. Only when stderr is still that stream: a
 * daemon started from a shell inside a unit writes elsewhere.
 */
static atomic_bool log_journal;

static bool log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st))
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(const char *ident)
{
	snprintf(log_ident, sizeof(log_ident), "%s", ident ? ident : "");
	atomic_store(&log_journal, log_stderr_is_journal());
}

static const char *log_get_ident(void)
{
	return log_ident[0] ? log_ident : program_invocation_short_name;
}

void log_to_syslog(const char *ident)
{
	if (ident)
		log_init(ident);
	/* syslog keeps the pointer: log_ident is static and only changes here and in log_init. */
	openlog(log_get_ident(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
	atomic_store(&log_use_syslog, true);
}

void log_to_stderr(void)
{
	if (atomic_exchange(&log_use_syslog, false))
		closelog();
}

void log_set_level(enum log_level level)
{
	if (level > LOG_LEVEL_DBG)
		level = LOG_LEVEL_DBG;
	log_level_max = level;
}

void log_set_debug(const char *components)
{
	const char *p = components ? components : "";
	size_t len = 1;
	bool all = false;

	pthread_mutex_lock(&log_dbg_lock);
	log_dbg_list[0] = ',';
	while (*p) {
		const char *start, *end;
		size_t n;

		while (*p == ' ' || *p == ',')
			p++;
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > start && end[-1] == ' ')
			end--;
		n = (size_t)(end - start);
		if (!n)
			continue;
		if (n == 3 && !memcmp(start, "all", 3))
			all = true;
		/* Room for the name, its comma and the NUL; a list this long is a typo anyway. */
		if (len + n + 2 > sizeof(log_dbg_list))
			continue;
		memcpy(log_dbg_list + len, start, n);
		len += n;
		log_dbg_list[len++] = ',';
	}
	log_dbg_list[len] = '\0';
	log_dbg_all = all;
	atomic_store(&log_dbg_on, all || len > 1);
	pthread_mutex_unlock(&log_dbg_lock);
}

bool log_debug_enabled(const char *component)
{
	char key[LOG_DEBUG_LIST_MAX];
	bool on;
	int n;

	if (log_level_max >= LOG_LEVEL_DBG)
		return true;
	if (!atomic_load_explicit(&log_dbg_on, memory_order_relaxed))
		return false;
	n = snprintf(key, sizeof(key), ",%s,", component ? component : "");
	pthread_mutex_lock(&log_dbg_lock);
	on = log_dbg_all || (n > 0 && (size_t)n < sizeof(key) && strstr(log_dbg_list, key));
	pthread_mutex_unlock(&log_dbg_lock);
	return on;
}

/* A message is one line: line breaks become spaces, other control bytes '?'. */
static void log_sanitize(char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n' || c == '\r' || c == '\t')
			*s = ' ';
		else if (c < 0x20 || c == 0x7f)
			*s = '?';
	}
}

static size_t log_timestamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
	return n;
}

static void log_write_line(const char *buf, size_t len)
{
	ssize_t n;

	do
		n = write(STDERR_FILENO, buf, len);
	while (n < 0 && errno == EINTR);
}

void log_set_tap(log_tap_fn *fn, void *arg)
{
	log_tap_arg = arg;
	log_tap = fn;
}

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	char msg[LOG_LINE_MAX];
	int saved_errno = errno;
	bool truncated;
	size_t n, room;
	va_list ap;
	int len;

	if (level > LOG_LEVEL_DBG)
		level = LOG_LEVEL_DBG;
	if (level == LOG_LEVEL_DBG ? !log_debug_enabled(component) : level > log_level_max)
		goto out;

	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (len < 0)
		goto out;
	truncated = (size_t)len >= sizeof(msg);
	log_sanitize(msg);
	if (!component)
		component = "-";
	if (log_tap && level <= LOG_LEVEL_INFO)
		log_tap(log_tap_arg, level, component, msg);

	if (atomic_load(&log_use_syslog)) {
		syslog(log_syslog_prio[level], "%s: %s", component, msg);
		goto out;
	}

	/* The slot of the final NUL takes the newline. */
	room = sizeof(line);
	if (atomic_load(&log_journal)) {
		n = (size_t)snprintf(line, room, "<%d>%s %s: ", log_syslog_prio[level],
				     log_level_names[level], component);
	} else {
		n = log_timestamp(line, room);
		n += (size_t)snprintf(line + n, room - n, " %s[%d]: %s %s: ", log_get_ident(),
				      (int)getpid(), log_level_names[level], component);
	}
	if (n >= room)
		n = room - 1;
	len = snprintf(line + n, room - n, "%s", msg);
	if (len < 0)
		goto out;
	if ((size_t)len >= room - n) {
		truncated = true;
		n = room - 1;
	} else {
		n += (size_t)len;
	}
	/* Say so at the end of a cut line. */
	if (truncated && n >= 3)
		memcpy(line + n - 3, "...", 3);
	line[n++] = '\n';
	log_write_line(line, n);
out:
	errno = saved_errno;
}
