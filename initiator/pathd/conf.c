/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathd.conf (conf.h): libconfig text -> struct pathd_conf, every check
 * done here, so that a mistake stops portico-pathd at start-up with one
 * line "FILE:LINE: what is wrong and what to write instead" rather than as
 * a login that fails later. docs/pathd.md ("pathd.conf reference") is the
 * reference of every key; keep the two in step, and conf/pathd.conf too.
 *
 * The names are those a KVM administrator knows already: multipath.conf's
 * for the policy ("service-time", "multibus", failback "immediate"),
 * open-iscsi's for CHAP (username, password, username_in, password_in)
 * and for the timeouts written into its node records. A key spelt as
 * multipath.conf, porticod.conf or open-iscsi spell it is answered with
 * the name it has here.
 *
 * Secrets never appear in a message: a message names the key, never the
 * value, of password and password_in.
 */
#include <ctype.h>
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "common/netaddr.h"
#include "common/util.h"
#include "initiator/pathd/conf.h"

_Static_assert(MP_NIC_MAX >= IFNAMSIZ, "a NIC name of IFNAMSIZ fits");
_Static_assert(sizeof(((struct pathd_conf *)0)->control_socket) <=
		       sizeof(((struct sockaddr_un *)0)->sun_path),
	       "control_socket fits sun_path");

/*
 * RFC 7143 §9.2.1: a CHAP secret of fewer than 96 random bits needs IPsec,
 * which neither open-iscsi nor porticod sets up: 12 bytes at least, as
 * porticod requires of the same secrets (target/iscsi/chap.h,
 * CHAP_SECRET_MIN; that room is the target's, so the rule is repeated
 * here). 255 is what open-iscsi holds (and struct iadm_chap).
 */
#define PATHD_CHAP_SECRET_MIN 12
#define PATHD_CHAP_SECRET_MAX 255
#define PATHD_CHAP_NAME_MAX 255 /* RFC 7143 §6.1: CHAP_N is a simple value */

#define PATHD_WWID_LEN_MAX (MP_WWID_MAX - 1)
#define PATHD_ALIAS_LEN_MAX (MP_MAP_NAME_MAX - 1) /* DM_NAME_LEN is 128 with the NUL */

struct pathd_conf_ctx {
	struct pathd_conf *c;
	struct cfg_err *err;
	const char *file; /* the file given: messages about the whole file name it */
	const char *dir;  /* its directory, where @include looks ("" for the cwd) */
};

/* ---- messages ---- */

/* "FILE:LINE: ..." or, with line 0, "FILE: ..." (if err is still empty). Returns ret. */
static int pathd_conf_err_at(struct cfg_err *err, int ret, const char *file, unsigned int line,
			     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int pathd_conf_err_at(struct cfg_err *err, int ret, const char *file, unsigned int line,
			     const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (!err || err->msg[0])
		return ret;
	if (line)
		snprintf(err->msg, sizeof(err->msg), "%s:%u: ", file, line);
	else
		snprintf(err->msg, sizeof(err->msg), "%s: ", file);
	n = strlen(err->msg);
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
	return ret;
}

static int pathd_conf_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * The optimal string alignment distance (edits, swaps of neighbours
 * counted as one) between a and b, case folded: how far a typo is from a
 * name. SIZE_MAX for names of 64 bytes or more.
 */
static size_t pathd_conf_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned char d[64][64];

	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned char)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned char)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int ai = pathd_conf_lower((unsigned char)a[i - 1]);
			int bj = pathd_conf_lower((unsigned char)b[j - 1]);
			unsigned int v = d[i - 1][j - 1] + (ai != bj);

			v = MIN(v, d[i - 1][j] + 1u);
			v = MIN(v, d[i][j - 1] + 1u);
			if (i > 1 && j > 1 && ai == pathd_conf_lower((unsigned char)b[j - 2]) &&
			    bj == pathd_conf_lower((unsigned char)a[i - 2]))
				v = MIN(v, d[i - 2][j - 2] + 1u);
			d[i][j] = (unsigned char)v;
		}
	}
	return d[la][lb];
}

/* The name of names (NULL-terminated) that word is a likely typo of, or NULL. */
static const char *pathd_conf_nearest(const char *word, const char *const *names)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	for (; *names; names++) {
		size_t d = pathd_conf_distance(word, *names);
		/* one edit in a short name, two in a longer one: further is a guess */
		size_t most = strlen(*names) >= 6 ? 2 : 1;

		if (d <= most && d < best_d) {
			best = *names;
			best_d = d;
		}
	}
	return best;
}

/* names joined by ", " into buf. */
static void pathd_conf_join(const char *const *names, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; names[i] && n < len; i++) {
		int w = snprintf(buf + n, len - n, "%s%s", i ? ", " : "", names[i]);

		if (w < 0)
			break;
		n += (size_t)w;
	}
}

/* ---- keys: one list per group, and what to say about a key that is not in it ---- */

static const char *const pathd_conf_top_keys[] = {
	"discovery",	"targets",	    "initiator",     "nics",	      "chap",
	"discovery_chap", "policy",	    "aliases",	     "control_socket", "multipath_dropin",
	"scan_interval", "log_level",	    "debug",	     VIRT_CONF_KEYS, NULL,
};

static const char *const pathd_conf_policy_keys[] = {
	"selector",	     "grouping",	  "failback",		"no_path_queue",
	"replacement_timeout", "noop_out_interval", "noop_out_timeout", "discovery_interval",
	"login_retry",	     "login_timeout",	  "check_interval",	"check_interval_max",
	"check_timeout",
	"marginal_failures",   "marginal_window",   "marginal_hold",	"digests", NULL,
};

enum pathd_conf_chap_key {
	PATHD_CHAP_USERNAME,
	PATHD_CHAP_PASSWORD,
	PATHD_CHAP_USERNAME_IN,
	PATHD_CHAP_PASSWORD_IN,
	PATHD_CHAP_NKEYS,
};

static const char *const pathd_conf_chap_keys[] = {
	[PATHD_CHAP_USERNAME] = "username",
	[PATHD_CHAP_PASSWORD] = "password",
	[PATHD_CHAP_USERNAME_IN] = "username_in",
	[PATHD_CHAP_PASSWORD_IN] = "password_in",
	[PATHD_CHAP_NKEYS] = NULL,
};

static const char *const pathd_conf_alias_keys[] = { "wwid", "alias", NULL };

/* Where each key lives, for a key written in the wrong group. */
static const struct pathd_conf_room {
	const char *where;
	const char *const *keys;
} pathd_conf_rooms[] = {
	{ "at the top level", pathd_conf_top_keys },
	{ "in policy = { ... }", pathd_conf_policy_keys },
	{ "in chap = { ... } or discovery_chap = { ... }", pathd_conf_chap_keys },
	{ "in each entry of aliases = ( { wwid = \"...\"; alias = \"...\"; } )",
	  pathd_conf_alias_keys },
};

/*
 * Names the neighbours give what is called otherwise here: a key in a
 * group whose allowed list holds key is answered with text.
 */
static const struct pathd_conf_hint {
	const char *name;
	const char *key;
	const char *text;
} pathd_conf_hints[] = {
	{ "path_selector", "selector",
	  "multipath.conf's path_selector is selector here: selector = \"service-time\";" },
	{ "path_grouping_policy", "grouping",
	  "multipath.conf's path_grouping_policy is grouping here: grouping = \"multibus\";" },
	{ "no_path_retry", "no_path_queue",
	  "multipath.conf's no_path_retry counts checker intervals; here write no_path_queue = SECONDS; (0: fail at once)" },
	{ "polling_interval", "scan_interval",
	  "multipath.conf's polling_interval is scan_interval here: scan_interval = SECONDS;" },
	{ "multipaths", "aliases",
	  "multipath.conf's multipaths section is aliases here: aliases = ( { wwid = \"3...\"; alias = \"vmstore\"; } );" },
	{ "multipath", "aliases",
	  "multipath.conf's multipaths section is aliases here: aliases = ( { wwid = \"3...\"; alias = \"vmstore\"; } );" },
	{ "user_friendly_names", "aliases",
	  "maps are named by their WWID, or by the alias you give in aliases = ( { wwid = \"3...\"; alias = \"vmstore\"; } );" },
	{ "verbosity", "log_level", "write log_level = \"info\"; (err, warn, info or debug)" },
	{ "userid", "username", "porticod.conf's userid is username here (as open-iscsi calls it)" },
	{ "mutual_userid", "username_in",
	  "porticod.conf's mutual_userid is username_in here (as open-iscsi calls it)" },
	{ "mutual_password", "password_in",
	  "porticod.conf's mutual_password is password_in here (as open-iscsi calls it)" },
	{ "discovery_auth", "discovery_chap",
	  "porticod.conf's discovery_auth is discovery_chap here: discovery_chap = { username = \"...\"; password = \"...\"; };" },
	{ "portals", "discovery",
	  "list the portals or discovery addresses as discovery = [ \"192.0.2.1\" ];" },
	{ "portal", "discovery",
	  "list the portals or discovery addresses as discovery = [ \"192.0.2.1\" ];" },
	{ "InitiatorName", "initiator", "write initiator = \"iqn....\";" },
	{ "initiator_name", "initiator", "write initiator = \"iqn....\";" },
	{ "iface", "nics", "name the storage NICs as nics = [ \"eth1\", \"eth2\" ];" },
	{ "ifaces", "nics", "name the storage NICs as nics = [ \"eth1\", \"eth2\" ];" },
	{ "interfaces", "nics", "name the storage NICs as nics = [ \"eth1\", \"eth2\" ];" },
	{ "target", "targets", "write targets = [ \"iqn....\" ];" },
};

static bool pathd_conf_in(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(name, *names))
			return true;
	return false;
}

/*
 * Refuses a key of group g that is not in allowed, saying what to write:
 * a neighbour's name for it, the group it belongs in, the key it is a typo
 * of, and the keys allowed.
 */
static int pathd_conf_check_keys(const config_setting_t *g, const char *const *allowed,
				 struct cfg_err *err)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned int)i);
		const char *name = config_setting_name(m);
		const char *near;
		char list[320];
		size_t k;

		if (!name || pathd_conf_in(name, allowed))
			continue;
		for (k = 0; k < ARRAY_SIZE(pathd_conf_hints); k++) {
			const struct pathd_conf_hint *h = &pathd_conf_hints[k];

			if (strcmp(name, h->name))
				continue;
			if (pathd_conf_in(h->key, allowed))
				return cfg_error(err, m, "unknown key '%s': %s", name, h->text);
			/* multipath.conf's defaults { } is flat: its keys come at the top level */
			for (size_t r = 0; r < ARRAY_SIZE(pathd_conf_rooms); r++)
				if (pathd_conf_rooms[r].keys != allowed &&
				    pathd_conf_in(h->key, pathd_conf_rooms[r].keys))
					return cfg_error(err, m, "unknown key '%s': %s (%s belongs %s)",
							 name, h->text, h->key,
							 pathd_conf_rooms[r].where);
		}
		for (k = 0; k < ARRAY_SIZE(pathd_conf_rooms); k++) {
			if (pathd_conf_rooms[k].keys != allowed &&
			    pathd_conf_in(name, pathd_conf_rooms[k].keys))
				return cfg_error(err, m, "'%s' is not a key here: it belongs %s", name,
						 pathd_conf_rooms[k].where);
		}
		pathd_conf_join(allowed, list, sizeof(list));
		near = pathd_conf_nearest(name, allowed);
		if (near)
			return cfg_error(err, m, "unknown key '%s': did you mean '%s'? (allowed: %s)",
					 name, near, list);
		return cfg_error(err, m, "unknown key '%s' (allowed: %s)", name, list);
	}
	return 0;
}

/* ---- typed lookups ---- */

/* key = { ... }; in g, its keys checked: *out NULL when the key is missing. */
static int pathd_conf_group(const config_setting_t *g, const char *key, const char *const *allowed,
			    const char *example, config_setting_t **out, struct cfg_err *err)
{
	config_setting_t *s = config_setting_get_member(g, key);

	*out = NULL;
	if (!s)
		return 0;
	if (!config_setting_is_group(s))
		return cfg_error(err, s, "'%s' must be a group: %s = { %s };", key, key, example);
	*out = s;
	return pathd_conf_check_keys(s, allowed, err);
}

/*
 * key = [ "a", "b" ]; in g, an array or a list of strings: *out NULL when
 * the key is missing. example shows what to write.
 */
static int pathd_conf_strings(const config_setting_t *g, const char *key, const char *example,
			      config_setting_t **out, struct cfg_err *err)
{
	config_setting_t *l = config_setting_get_member(g, key);
	int n;

	*out = NULL;
	if (!l)
		return 0;
	if (!config_setting_is_aggregate(l) || config_setting_is_group(l))
		return cfg_error(err, l, "'%s' must be a list of strings: %s = [ %s ];", key, key,
				 example);
	n = config_setting_length(l);
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cfg_error(err, e,
					 "each element of '%s' must be a string in double quotes: %s = [ %s ];",
					 key, key, example);
	}
	*out = l;
	return 0;
}

/*
 * key = N; seconds in [min, max] into *out (untouched when missing). A
 * number in quotes is refused with the spelling without.
 */
/* A whole number of units ("seconds", "failures") from min to max, when key is there. */
static int pathd_conf_uint(const config_setting_t *g, const char *key, uint32_t min, uint32_t max,
			   const char *unit, uint32_t *out, struct cfg_err *err)
{
	config_setting_t *s = config_setting_get_member(g, key);
	long long v;

	if (!s)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_STRING:
		return cfg_error(err, s, "'%s' must be a number of %s without quotes: %s = %u;",
				 key, unit, key, *out);
	default:
		return cfg_error(err, s, "'%s' must be a whole number of %s: %s = %u;", key, unit,
				 key, *out);
	}
	if (v < (long long)min || v > (long long)max)
		return cfg_error(err, s, "'%s' must be from %u to %u %s, not %lld", key, min, max,
				 unit, v);
	*out = (uint32_t)v;
	return 0;
}

static int pathd_conf_seconds(const config_setting_t *g, const char *key, uint32_t min,
			      uint32_t max, uint32_t *out, struct cfg_err *err)
{
	return pathd_conf_uint(g, key, min, max, "seconds", out, err);
}

/* An absolute path of fewer than size bytes, or NULL; what is wrong otherwise. */
static const char *pathd_conf_path_why(const char *path, size_t size)
{
	if (path[0] != '/')
		return "must be an absolute path";
	if (strlen(path) >= size)
		return "is too long";
	return NULL;
}

/* ---- discovery addresses ---- */

/*
 * Whether text (before a ":PORT") reads as a host name: letters, digits,
 * '-' and '.', with a letter. An IPv6 address has two ':' or more, or is
 * in brackets.
 */
static bool pathd_conf_is_hostname(const char *text)
{
	const char *colon = strchr(text, ':');
	size_t n = colon ? (size_t)(colon - text) : strlen(text);
	bool alpha = false;

	if (text[0] == '[' || (colon && strchr(colon + 1, ':')) || !n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (isalpha(c))
			alpha = true;
		else if (!isdigit(c) && c != '-' && c != '.')
			return false;
	}
	return alpha;
}

/* What is wrong with a discovery address (p then holds it), or NULL. fix: what to write. */
static const char *pathd_conf_portal_why(const char *text, struct net_portal *p, char *fix,
					 size_t fixlen)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&p->addr;
	const char *why = NULL;

	fix[0] = '\0';
	/*
	 * No DNS: the host must find its storage when the name server is
	 * down, and the name server is often a VM on this very storage.
	 */
	if (pathd_conf_is_hostname(text))
		return "host names are not accepted: give an IP address (pathd does no DNS lookups, so that a host finds its storage when the name server, often a VM on that storage, is down)";
	if (net_portal_parse_why(text, p, &why))
		return why;
	if (strchr(text, '%'))
		return "an IPv6 zone index ('%') is not accepted: give a global or unique local address (the NIC a session uses is chosen by nics)";
	if (net_portal_is_any(p))
		return "the wildcard address, which reaches no portal: give the address of one of the storage's portals";
	if (p->addr.ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		char v4[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], v4, sizeof(v4));
		if (net_portal_port(p) == NET_ISCSI_PORT)
			snprintf(fix, fixlen, "%s", v4);
		else
			snprintf(fix, fixlen, "%s:%u", v4, net_portal_port(p));
		return "an IPv4-mapped IPv6 address";
	}
	if (strlen(p->text) >= MP_PORTAL_MAX)
		return "too long";
	return NULL;
}

static int pathd_conf_discovery(struct pathd_conf_ctx *x, const config_setting_t *root)
{
	struct mp_config *mp = &x->c->mp;
	config_setting_t *l;
	int n, ret;

	ret = pathd_conf_strings(root, "discovery", "\"192.0.2.1\", \"192.0.2.2:3260\"", &l, x->err);
	if (ret)
		return ret;
	if (!l)
		return pathd_conf_err_at(x->err, -EINVAL, x->file, 0,
					 "no discovery address: add discovery = [ \"192.0.2.1\" ]; (a portal or discovery address of your storage; port 3260 unless given)");
	n = config_setting_length(l);
	if (!n)
		return cfg_error(x->err, l,
				 "'discovery' is empty: list at least one address of your storage, discovery = [ \"192.0.2.1\" ];");
	mp->discovery = calloc((size_t)n, sizeof(*mp->discovery));
	if (!mp->discovery)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);
		const char *text = config_setting_get_string(e);
		struct net_portal p;
		char fix[MP_PORTAL_MAX];
		const char *why = pathd_conf_portal_why(text, &p, fix, sizeof(fix));

		if (why && fix[0])
			return cfg_error(x->err, e, "discovery address '%s': %s: write \"%s\"", text,
					 why, fix);
		if (why)
			return cfg_error(x->err, e, "discovery address '%s': %s", text, why);
		for (size_t j = 0; j < mp->ndiscovery; j++) {
			if (!strcmp(mp->discovery[j], p.text))
				return cfg_error(x->err, e,
						 "discovery address '%s' is listed twice (as %s): remove one",
						 text, p.text);
		}
		/* fits: checked in pathd_conf_portal_why */
		memcpy(mp->discovery[mp->ndiscovery++], p.text, strlen(p.text) + 1);
	}
	return 0;
}

/* ---- iSCSI names: targets, initiator ---- */

static int pathd_conf_targets(struct pathd_conf_ctx *x, const config_setting_t *root)
{
	struct mp_config *mp = &x->c->mp;
	config_setting_t *l;
	int n, ret;

	ret = pathd_conf_strings(root, "targets", "\"iqn.2026-11.org.example:storage1\"", &l,
				 x->err);
	if (ret || !l)
		return ret;
	n = config_setting_length(l);
	/* An empty list would mean "no target at all": leave the key out for every target. */
	if (!n)
		return cfg_error(x->err, l,
				 "'targets' is empty: list the targets to use, or leave the key out to use every target discovery shows");
	mp->targets = calloc((size_t)n, sizeof(*mp->targets));
	if (!mp->targets)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);
		const char *name = config_setting_get_string(e), *why = NULL;

		/* RFC 7143 §4.2.7: iqn., eui. or naa., at most 223 bytes */
		if (iscsi_name_check(name, &why))
			return cfg_error(x->err, e, "target '%s' is not a valid iSCSI name: %s", name,
					 why);
		for (size_t j = 0; j < mp->ntargets; j++) {
			/* RFC 3722: names compare case-insensitively */
			if (iscsi_name_equal(mp->targets[j], name))
				return cfg_error(x->err, e, "target '%s' is listed twice: remove one",
						 name);
		}
		snprintf(mp->targets[mp->ntargets++], MP_TARGET_MAX, "%s", name);
	}
	return 0;
}

/* A line of the initiator name file, without the blanks around it (as open-iscsi strips it). */
static char *pathd_conf_strip(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/*
 * The initiator name from file, read as open-iscsi's iscsid reads it: each
 * line stripped of blanks, "InitiatorName=NAME" at its start, '#' lines
 * comments, other lines (InitiatorAlias=) ignored. Where iscsid would
 * silently take nothing or the last of two names, this refuses and says
 * why: the name pathd logs in with must be the one the target's ACL knows.
 */
static int pathd_conf_initiator_file(struct pathd_conf_ctx *x, const char *file)
{
	static const char key[] = "InitiatorName=";
	char *buf = NULL, *line;
	unsigned int lineno = 0, name_line = 0, bare_line = 0;
	size_t cap = 0;
	FILE *f;
	int ret = 0;

	f = fopen(file, "re");
	if (!f) {
		ret = -errno;
		return pathd_conf_err_at(x->err, ret, file, 0,
					 "cannot read (%s), and %s sets no initiator: write InitiatorName=iqn.YYYY-MM.your.domain:host there (iscsi-iname makes one), or initiator = \"iqn....\"; in %s",
					 strerror(-ret), x->file, x->file);
	}
	errno = 0;
	while (getline(&buf, &cap, f) >= 0) {
		const char *why = NULL;

		lineno++;
		line = pathd_conf_strip(buf);
		if (!line[0] || line[0] == '#')
			continue;
		if (strncmp(line, key, sizeof(key) - 1)) {
			/* iscsid reads exactly "InitiatorName=": a near miss leaves it without a name */
			if (!strncasecmp(line, "InitiatorName", sizeof(key) - 2)) {
				ret = pathd_conf_err_at(x->err, -EINVAL, file, lineno,
							"open-iscsi reads only 'InitiatorName=NAME' (that spelling, no blank before '='): fix this line");
				goto out;
			}
			if (!bare_line && !iscsi_name_check(line, NULL))
				bare_line = lineno;
			continue;
		}
		line += sizeof(key) - 1;
		if (!line[0]) {
			ret = pathd_conf_err_at(x->err, -EINVAL, file, lineno,
						"InitiatorName= is empty: write InitiatorName=iqn.YYYY-MM.your.domain:host");
			goto out;
		}
		if (iscsi_name_check(line, &why)) {
			ret = pathd_conf_err_at(x->err, -EINVAL, file, lineno,
						"InitiatorName '%s' is not a valid iSCSI name: %s", line,
						why);
			goto out;
		}
		if (name_line && strcmp(line, x->c->initiator)) {
			ret = pathd_conf_err_at(x->err, -EINVAL, file, lineno,
						"a second InitiatorName, other than line %u's: keep one (iscsid would take the last)",
						name_line);
			goto out;
		}
		snprintf(x->c->initiator, sizeof(x->c->initiator), "%s", line);
		name_line = lineno;
	}
	if (ferror(f)) {
		ret = errno ? -errno : -EIO;
		ret = pathd_conf_err_at(x->err, ret, file, 0, "cannot read: %s", strerror(-ret));
		goto out;
	}
	if (!name_line && bare_line)
		ret = pathd_conf_err_at(x->err, -EINVAL, file, bare_line,
					"a name without 'InitiatorName=': write InitiatorName=NAME (open-iscsi reads nothing else)");
	else if (!name_line)
		ret = pathd_conf_err_at(x->err, -EINVAL, file, 0,
					"holds no InitiatorName= line, and %s sets no initiator: write InitiatorName=iqn.YYYY-MM.your.domain:host there (iscsi-iname makes one), or initiator = \"iqn....\"; in %s",
					x->file, x->file);
	else
		x->c->initiator_from_file = true;
out:
	free(buf);
	fclose(f);
	return ret;
}

static int pathd_conf_initiator(struct pathd_conf_ctx *x, const config_setting_t *root,
				const char *initiatorname_file)
{
	const char *name = NULL, *why = NULL;
	int ret;

	ret = cfg_get_string(root, "initiator", false, &name, x->err);
	if (ret)
		return ret;
	if (!name)
		return pathd_conf_initiator_file(x, initiatorname_file);
	if (iscsi_name_check(name, &why))
		return cfg_error(x->err, config_setting_get_member(root, "initiator"),
				 "initiator '%s' is not a valid iSCSI name: %s", name, why);
	snprintf(x->c->initiator, sizeof(x->c->initiator), "%s", name);
	return 0;
}

/* ---- NICs ---- */

/* The kernel's rules for an interface name (net/core/dev.c, dev_valid_name). */
static const char *pathd_conf_nic_why(const char *name)
{
	if (!name[0])
		return "is empty";
	if (strlen(name) >= IFNAMSIZ)
		return "is longer than 15 bytes (IFNAMSIZ)";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "is not an interface name";
	for (const char *p = name; *p; p++) {
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return "holds a '/', a ':' or a blank, which no interface name has";
	}
	return NULL;
}

static int pathd_conf_nics(struct pathd_conf_ctx *x, const config_setting_t *root)
{
	struct mp_config *mp = &x->c->mp;
	config_setting_t *l;
	int n, ret;

	ret = pathd_conf_strings(root, "nics", "\"eth1\", \"eth2\"", &l, x->err);
	if (ret || !l)
		return ret;
	n = config_setting_length(l);
	if (!n)
		return cfg_error(x->err, l,
				 "'nics' is empty: name the storage NICs, or leave the key out to use the links whose routes reach the discovery addresses");
	mp->nics = calloc((size_t)n, sizeof(*mp->nics));
	if (!mp->nics)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);
		const char *name = config_setting_get_string(e);
		const char *why = pathd_conf_nic_why(name);

		if (why)
			return cfg_error(x->err, e, "NIC '%s' %s", name, why);
		for (size_t j = 0; j < mp->nnics; j++) {
			if (!strcmp(mp->nics[j], name))
				return cfg_error(x->err, e, "NIC '%s' is listed twice: remove one",
						 name);
		}
		snprintf(mp->nics[mp->nnics++], MP_NIC_MAX, "%s", name);
	}
	return 0;
}

/* ---- CHAP ---- */

/* RFC 7143 §6.1 and §12.1.3: CHAP_N is a simple value of 255 bytes at most. */
static const char *pathd_conf_chap_name_why(const char *name)
{
	size_t n = strlen(name);

	if (!n)
		return "is empty";
	if (n > PATHD_CHAP_NAME_MAX)
		return "is longer than 255 bytes (RFC 7143 §6.1)";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return "holds a control character";
	return NULL;
}

static const char *pathd_conf_chap_secret_why(const char *secret)
{
	size_t n = strlen(secret);

	if (n < PATHD_CHAP_SECRET_MIN)
		return "is shorter than 12 bytes (RFC 7143 §9.2.1: 96 bits at least without IPsec)";
	if (n > PATHD_CHAP_SECRET_MAX)
		return "is longer than 255 bytes";
	/* open-iscsi keeps it in its node records, one "key = value" per line */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)secret[i] < 0x20 || secret[i] == 0x7f)
			return "holds a control character (open-iscsi keeps secrets in its records, one per line)";
	return NULL;
}

/*
 * A file with CHAP secrets is for root's eyes only: warn (as porticod does)
 * when group or others may read the file s comes from. The first warning
 * stays.
 */
static void pathd_conf_check_secret_file(struct pathd_conf_ctx *x, const config_setting_t *s)
{
	const char *name = config_setting_source_file(s);
	char file[sizeof(x->c->path)];
	struct stat st;
	int n;

	if (!name || x->c->warning[0])
		return;
	/* libconfig names an @include'd file as written: relative to this file's directory */
	if (name[0] == '/' || !x->dir[0])
		n = snprintf(file, sizeof(file), "%s", name);
	else
		n = snprintf(file, sizeof(file), "%s/%s", x->dir, name);
	if (n < 0 || (size_t)n >= sizeof(file))
		return; /* no such file */
	if (stat(file, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
		snprintf(x->c->warning, sizeof(x->c->warning),
			 "%s holds CHAP secrets but is readable by group or others (mode %04o): chmod 600 %s",
			 file, (unsigned int)(st.st_mode & 07777), file);
}

/*
 * key = { username; password; [username_in; password_in;] }: CHAP for the
 * sessions (chap) or for SendTargets (discovery_chap), open-iscsi's
 * node.session.auth.* and discovery.sendtargets.auth.*. *g_out: the group,
 * NULL when absent.
 */
static int pathd_conf_chap(struct pathd_conf_ctx *x, const config_setting_t *root, const char *key,
			   struct iadm_chap *chap, config_setting_t **g_out)
{
	char *const dst[PATHD_CHAP_NKEYS] = {
		[PATHD_CHAP_USERNAME] = chap->user,
		[PATHD_CHAP_PASSWORD] = chap->password,
		[PATHD_CHAP_USERNAME_IN] = chap->user_in,
		[PATHD_CHAP_PASSWORD_IN] = chap->password_in,
	};
	const char *const *k = pathd_conf_chap_keys;
	const char *v[PATHD_CHAP_NKEYS] = { NULL };
	config_setting_t *g;
	int ret;

	ret = pathd_conf_group(root, key, pathd_conf_chap_keys,
			       "username = \"...\"; password = \"...\";", &g, x->err);
	*g_out = g;
	if (ret || !g)
		return ret;
	for (int i = 0; i < PATHD_CHAP_NKEYS; i++) {
		config_setting_t *s = config_setting_get_member(g, k[i]);
		const char *why;

		ret = cfg_get_string(g, k[i], false, &v[i], x->err);
		if (ret)
			return ret;
		if (!v[i])
			continue;
		if (i == PATHD_CHAP_USERNAME || i == PATHD_CHAP_USERNAME_IN)
			why = pathd_conf_chap_name_why(v[i]);
		else
			why = pathd_conf_chap_secret_why(v[i]);
		if (why)
			return cfg_error(x->err, s, "%s: %s %s", key, k[i], why);
		if (i == PATHD_CHAP_PASSWORD || i == PATHD_CHAP_PASSWORD_IN)
			pathd_conf_check_secret_file(x, s);
	}
	/* RFC 7143 §12.1.3: a name goes with its secret */
	for (int i = 0; i < PATHD_CHAP_NKEYS; i += 2) {
		if (!v[i] != !v[i + 1])
			return cfg_error(x->err, config_setting_get_member(g, k[v[i] ? i : i + 1]),
					 "%s: %s and %s go together", key, k[i], k[i + 1]);
	}
	if (!v[PATHD_CHAP_USERNAME] && v[PATHD_CHAP_USERNAME_IN])
		return cfg_error(x->err, config_setting_get_member(g, k[PATHD_CHAP_USERNAME_IN]),
				 "%s: mutual CHAP (username_in, password_in: the target proving itself) needs username and password too",
				 key);
	if (!v[PATHD_CHAP_USERNAME])
		return cfg_error(x->err, g, "%s needs username and password (or leave it out)", key);
	if (v[PATHD_CHAP_PASSWORD_IN] && !strcmp(v[PATHD_CHAP_PASSWORD], v[PATHD_CHAP_PASSWORD_IN]))
		return cfg_error(x->err, config_setting_get_member(g, k[PATHD_CHAP_PASSWORD_IN]),
				 "%s: password_in must differ from password (RFC 7143 §9.2.1: one secret never authenticates both sides)",
				 key);
	for (int i = 0; i < PATHD_CHAP_NKEYS; i++)
		if (v[i])
			snprintf(dst[i], sizeof(chap->user), "%s", v[i]); /* checked: 255 at most */
	return 0;
}

/*
 * RFC 7143 §9.2.1: a secret that authenticates this host (password, in
 * either group) is never the one a target authenticates with (password_in,
 * in either group).
 */
static int pathd_conf_chap_clash(struct pathd_conf_ctx *x, const config_setting_t *session_g,
				 const config_setting_t *discovery_g)
{
	const struct {
		const char *name;
		const config_setting_t *g;
		const struct iadm_chap *chap;
	} side[2] = {
		{ "chap", session_g, &x->c->session_chap },
		{ "discovery_chap", discovery_g, &x->c->discovery_chap },
	};

	for (int i = 0; i < 2; i++) {
		for (int j = 0; j < 2; j++) {
			if (i == j || !side[i].g || !side[j].g || !side[i].chap->password_in[0])
				continue;
			if (!strcmp(side[i].chap->password_in, side[j].chap->password))
				return cfg_error(x->err,
						 config_setting_get_member(side[i].g, "password_in"),
						 "%s: password_in is %s's password (RFC 7143 §9.2.1: a secret that authenticates this host never authenticates a target)",
						 side[i].name, side[j].name);
		}
	}
	return 0;
}

/* ---- policy ---- */

/* A name of the file and the value it stands for. */
struct pathd_conf_name {
	const char *name;
	int value;
};

/* As dm tables and multipath.conf's path_selector write them (the argument count "0" optional). */
static const struct pathd_conf_name pathd_conf_selectors[] = {
	{ "service-time", MP_SELECTOR_SERVICE_TIME },
	{ "round-robin", MP_SELECTOR_ROUND_ROBIN },
	{ "queue-length", MP_SELECTOR_QUEUE_LENGTH },
	{ NULL, 0 },
};

/* As multipath.conf's path_grouping_policy. */
static const struct pathd_conf_name pathd_conf_groupings[] = {
	{ "multibus", MP_GROUPING_MULTIBUS },
	{ "failover", MP_GROUPING_FAILOVER },
	{ NULL, 0 },
};

static const struct pathd_conf_name pathd_conf_digests[] = {
	{ "crc32c", 1 },
	{ "none", 0 },
	{ NULL, 0 },
};

static const struct pathd_conf_name pathd_conf_failbacks[] = {
	{ "immediate", MP_FAILBACK_IMMEDIATE },
	{ "manual", MP_FAILBACK_MANUAL },
	{ NULL, 0 },
};

/* Looks value up in names (with_zero: "NAME 0" too). The entry, or NULL. */
static const struct pathd_conf_name *pathd_conf_lookup(const struct pathd_conf_name *names,
						       const char *value, bool with_zero)
{
	for (; names->name; names++) {
		size_t n = strlen(names->name);

		if (!strncmp(value, names->name, n) &&
		    (!value[n] || (with_zero && !strcmp(value + n, " 0"))))
			return names;
	}
	return NULL;
}

/* "'key' must be one of a, b, c[: did you mean 'b'?]" for s. */
static int pathd_conf_bad_name(const config_setting_t *s, const char *key, const char *value,
			       const struct pathd_conf_name *names, const char *also,
			       struct cfg_err *err)
{
	const char *list[8];
	const char *near;
	char joined[160];
	size_t n = 0;

	while (names[n].name && n < ARRAY_SIZE(list) - 1) {
		list[n] = names[n].name;
		n++;
	}
	list[n] = NULL;
	pathd_conf_join(list, joined, sizeof(joined));
	near = value ? pathd_conf_nearest(value, list) : NULL;
	if (near)
		return cfg_error(err, s, "%s '%s' is not one of %s%s: did you mean '%s'?", key, value,
				 joined, also, near);
	if (value)
		return cfg_error(err, s, "%s '%s' is not one of %s%s", key, value, joined, also);
	return cfg_error(err, s, "%s must be one of %s%s, in double quotes", key, joined, also);
}

/* key = "name"; from names into *out (untouched when missing). also: other values the key takes. */
static int pathd_conf_enum(const config_setting_t *g, const char *key,
			   const struct pathd_conf_name *names, bool with_zero, const char *also,
			   int *out, struct cfg_err *err)
{
	config_setting_t *s = config_setting_get_member(g, key);
	const struct pathd_conf_name *e;
	const char *v;

	if (!s)
		return 0;
	v = config_setting_get_string(s);
	if (!v)
		return pathd_conf_bad_name(s, key, NULL, names, also, err);
	e = pathd_conf_lookup(names, v, with_zero);
	if (!e)
		return pathd_conf_bad_name(s, key, v, names, also, err);
	*out = e->value;
	return 0;
}

#define PATHD_FAILBACK_MAX 3600 /* seconds */
#define PATHD_NO_PATH_QUEUE_MAX 86400

/*
 * failback = "immediate" | "manual" | SECONDS, as multipath.conf's: when
 * dm-multipath is sent back to a map's first group once it is usable
 * again. Taken with either grouping: with failover every path is a group,
 * and with multibus a target that reports ALUA states makes one group per
 * state (mpath/sm_map.c).
 */
static int pathd_conf_failback(struct pathd_conf_ctx *x, const config_setting_t *g,
			       struct mp_policy *p)
{
	config_setting_t *s = config_setting_get_member(g, "failback");
	long long v;
	int e;

	if (!s)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		e = (int)p->failback;
		if (pathd_conf_enum(g, "failback", pathd_conf_failbacks, false,
				    " or a number of seconds", &e, x->err))
			return -EINVAL;
		p->failback = (enum mp_failback)e;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return cfg_error(x->err, s,
				 "failback must be \"immediate\", \"manual\" or a whole number of seconds");
	v = config_setting_get_int64(s);
	if (v == 0)
		return cfg_error(x->err, s, "failback 0: write failback = \"immediate\";");
	if (v < 0 || v > PATHD_FAILBACK_MAX)
		return cfg_error(x->err, s,
				 "failback must be \"immediate\", \"manual\" or from 1 to %d seconds, not %lld",
				 PATHD_FAILBACK_MAX, v);
	p->failback = MP_FAILBACK_DELAYED;
	p->failback_s = (uint32_t)v;
	return 0;
}

/*
 * no_path_queue = SECONDS: how long I/O waits when every path is gone, 0 to
 * 86400. multipath.conf's "queue" (forever) is not offered: a storage that
 * does not come back would hang the host's every reader of the map (VMs,
 * LVM scans, libvirt, shutdown) with no end but an administrator's
 * dmsetup message. A VM that must pause rather than see errors gets that
 * from libvirt's error_policy='stop'.
 */
static int pathd_conf_no_path_queue(struct pathd_conf_ctx *x, const config_setting_t *g,
				    struct mp_policy *p)
{
	config_setting_t *s = config_setting_get_member(g, "no_path_queue");
	const char *v;

	if (!s)
		return 0;
	v = config_setting_get_string(s);
	if (v && (!strcmp(v, "queue") || !strcmp(v, "forever")))
		return cfg_error(x->err, s,
				 "no_path_queue '%s': queueing forever is not offered (a storage that never comes back would hang every reader of the map); give seconds up to %d, and libvirt's error_policy='stop' to pause VMs instead of failing their I/O",
				 v, PATHD_NO_PATH_QUEUE_MAX);
	if (v && !strcmp(v, "fail"))
		return cfg_error(x->err, s, "no_path_queue \"fail\": write no_path_queue = 0;");
	return pathd_conf_seconds(g, "no_path_queue", 0, PATHD_NO_PATH_QUEUE_MAX,
				  &p->no_path_queue_s, x->err);
}

/* The policy's other numbers: one row each, with its range. */
static const struct pathd_conf_secs {
	const char *key;
	uint32_t min, max;
	size_t off;	  /* in struct mp_policy */
	const char *unit; /* NULL: seconds */
} pathd_conf_policy_secs[] = {
	/* open-iscsi's replacement_timeout: how long a broken session's I/O waits for it */
	{ "replacement_timeout", 1, 600, offsetof(struct mp_policy, replacement_timeout_s), NULL },
	/* 0: no NOP-Out pings (both, see pathd_conf_policy) */
	{ "noop_out_interval", 0, 3600, offsetof(struct mp_policy, noop_out_interval_s), NULL },
	{ "noop_out_timeout", 0, 3600, offsetof(struct mp_policy, noop_out_timeout_s), NULL },
	/* open-iscsi's node.conn[0].timeo.login_timeout: one connect and login */
	{ "login_timeout", 1, 60, offsetof(struct mp_policy, login_timeout_s), NULL },
	/* SendTargets to every address through every NIC: not more often than this */
	{ "discovery_interval", 10, 86400, offsetof(struct mp_policy, discovery_interval_s), NULL },
	/* the first retry; it doubles, up to 300 s (mpath/sm_int.h, SM_LOGIN_RETRY_MAX_MS) */
	{ "login_retry", 1, 300, offsetof(struct mp_policy, login_retry_s), NULL },
	/* the path checker (TEST UNIT READY): how often, at most how often on a healthy path */
	{ "check_interval", 1, 60, offsetof(struct mp_policy, check_interval_s), NULL },
	{ "check_interval_max", 1, 300, offsetof(struct mp_policy, check_interval_max_s), NULL },
	{ "check_timeout", 1, 60, offsetof(struct mp_policy, check_timeout_s), NULL },
	/* a path that fails this many times in the window waits out the hold (0: never marginal) */
	{ "marginal_failures", 0, 100, offsetof(struct mp_policy, marginal_failures), "failures" },
	{ "marginal_window", 1, 3600, offsetof(struct mp_policy, marginal_window_s), NULL },
	{ "marginal_hold", 1, 3600, offsetof(struct mp_policy, marginal_hold_s), NULL },
};

static int pathd_conf_policy(struct pathd_conf_ctx *x, const config_setting_t *root)
{
	struct mp_policy *p = &x->c->mp.policy;
	config_setting_t *g, *s;
	int ret, e;

	ret = pathd_conf_group(root, "policy", pathd_conf_policy_keys,
			       "selector = \"service-time\"; ...", &g, x->err);
	if (ret || !g)
		return ret;
	e = (int)p->selector;
	ret = pathd_conf_enum(g, "selector", pathd_conf_selectors, true, "", &e, x->err);
	if (ret)
		return ret;
	p->selector = (enum mp_selector)e;
	e = (int)p->grouping;
	ret = pathd_conf_enum(g, "grouping", pathd_conf_groupings, false, "", &e, x->err);
	if (ret)
		return ret;
	p->grouping = (enum mp_grouping)e;
	e = p->digests;
	ret = pathd_conf_enum(g, "digests", pathd_conf_digests, false, "", &e, x->err);
	if (ret)
		return ret;
	p->digests = e;
	ret = pathd_conf_failback(x, g, p);
	if (!ret)
		ret = pathd_conf_no_path_queue(x, g, p);
	for (size_t i = 0; !ret && i < ARRAY_SIZE(pathd_conf_policy_secs); i++) {
		const struct pathd_conf_secs *r = &pathd_conf_policy_secs[i];

		ret = pathd_conf_uint(g, r->key, r->min, r->max, r->unit ? r->unit : "seconds",
				      (uint32_t *)((char *)p + r->off), x->err);
	}
	if (ret)
		return ret;
	if (p->check_interval_max_s < p->check_interval_s) {
		s = config_setting_get_member(g, "check_interval_max");
		if (!s)
			s = config_setting_get_member(g, "check_interval");
		return cfg_error(x->err, s,
				 "check_interval_max (%u) is less than check_interval (%u): it is how far the interval grows on a healthy path",
				 p->check_interval_max_s, p->check_interval_s);
	}
	/*
	 * Pings without a timeout never find a dead path, and a timeout
	 * without pings has nothing to time: on together, or off together.
	 */
	if (!p->noop_out_interval_s != !p->noop_out_timeout_s) {
		s = config_setting_get_member(g, p->noop_out_interval_s ? "noop_out_timeout"
									: "noop_out_interval");
		if (!s)
			s = config_setting_get_member(g, p->noop_out_interval_s
								 ? "noop_out_interval"
								 : "noop_out_timeout");
		return cfg_error(x->err, s,
				 "noop_out_interval and noop_out_timeout are both 0 (no pings) or both more than 0, not %u and %u",
				 p->noop_out_interval_s, p->noop_out_timeout_s);
	}
	return 0;
}

/* ---- aliases ---- */

/*
 * A WWID as multipath names a map (multipath -ll, /etc/multipath/wwids)
 * and as udev's scsi_id writes ID_SERIAL from VPD page 0x83: the
 * designator type as one digit, then the designator. NAA (3, as every
 * Portico LU) and EUI-64 (2) in lower-case hex; T10 vendor ID (1) and SCSI
 * name string (8) as text with blanks written '_'. fix: what to write
 * instead, "" when there is nothing to offer.
 */
static const char *pathd_conf_wwid_why(const char *w, char *fix, size_t fixlen)
{
	size_t n = strlen(w), hex = 0, upper = 0, digits;
	const char *h = w;
	size_t k;

	fix[0] = '\0';
	if (!n)
		return "is empty";
	if (n > PATHD_WWID_LEN_MAX)
		return "is longer than 127 bytes";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)w[i] <= 0x20 || (unsigned char)w[i] >= 0x7f)
			return "holds a blank, a control character or a non-ASCII byte";
	/* a designator copied without the type digit: porticod's naa "0x3...", or sg_inq's hex */
	if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
		h += 2;
	for (const char *p = h; *p; p++)
		hex += isxdigit((unsigned char)*p) != 0;
	digits = strlen(h);
	/*
	 * SPC-4 §7.8.6.6: an NAA designator is 16 hex digits starting with its
	 * type 2, 3 or 5, or 32 starting with 6. Written "0x...", or starting
	 * with a type no WWID starts with (5, 6), it is one without the type
	 * digit; "3..." or "2..." of 16 digits may as well be a WWID cut short.
	 */
	if (hex == digits &&
	    ((digits == 16 && strchr(h == w ? "5" : "235", h[0])) || (digits == 32 && h[0] == '6'))) {
		fix[0] = '3';
		for (k = 0; k < digits && k + 2 < fixlen; k++)
			fix[k + 1] = (char)pathd_conf_lower((unsigned char)h[k]);
		fix[k + 1] = '\0';
		return "is an NAA designator without the type digit multipath puts before it";
	}
	switch (w[0]) {
	case '2': /* SPC-4 §7.8.6.5: an EUI-64 based designator is 8, 12 or 16 bytes */
	case '3': /* SPC-4 §7.8.6.6: an NAA designator is 8 or 16 bytes */
		digits = n - 1;
		hex = 0;
		upper = 0;
		for (const char *p = w + 1; *p; p++) {
			hex += isxdigit((unsigned char)*p) != 0;
			upper += *p >= 'A' && *p <= 'F';
		}
		if (hex != digits)
			return w[0] == '3' ? "must be '3' and the NAA designator in hex digits"
					   : "must be '2' and the EUI-64 designator in hex digits";
		if (w[0] == '3' && digits != 16 && digits != 32)
			return "must be '3' and 16 or 32 hex digits (an NAA designator of 8 or 16 bytes)";
		if (w[0] == '2' && digits != 16 && digits != 24 && digits != 32)
			return "must be '2' and 16, 24 or 32 hex digits (an EUI-64 designator)";
		if (upper) {
			for (k = 0; k < n && k + 1 < fixlen; k++)
				fix[k] = (char)pathd_conf_lower((unsigned char)w[k]);
			fix[k] = '\0';
			return "has upper-case hex digits, which multipath never writes";
		}
		return NULL;
	case '1': /* T10 vendor ID based */
	case '8': /* SCSI name string */
		if (n < 2)
			return "has a type digit and no designator";
		return NULL;
	default:
		return "must start with the designator type multipath shows: 1 (T10 vendor ID: Portico LUs on Debian 12), 3 (NAA), 2 (EUI-64) or 8 (SCSI name string)";
	}
}

/* A device-mapper name (/dev/mapper/NAME): one file name, that udev and libvirt keep as is. */
static const char *pathd_conf_alias_why(const char *a)
{
	size_t n = strlen(a);

	if (!n)
		return "is empty";
	if (n > PATHD_ALIAS_LEN_MAX)
		return "is longer than 127 bytes (a device-mapper name, DM_NAME_LEN)";
	if (a[0] == '.')
		return "must not start with '.'";
	if (!strcmp(a, "control"))
		return "is /dev/mapper/control, device-mapper's own node";
	for (size_t i = 0; i < n; i++) {
		if (a[i] == '/')
			return "holds a '/' (a device-mapper name is one file name in /dev/mapper)";
		if ((unsigned char)a[i] <= 0x20 || (unsigned char)a[i] >= 0x7f)
			return "holds a blank, a control character or a non-ASCII byte (udev and libvirt would not keep it as is)";
	}
	return NULL;
}

static int pathd_conf_aliases(struct pathd_conf_ctx *x, const config_setting_t *root)
{
	struct mp_config *mp = &x->c->mp;
	config_setting_t *l = config_setting_get_member(root, "aliases");
	int n, ret;

	if (!l)
		return 0;
	/* libconfig cannot tell an empty list from an empty array */
	if (config_setting_type(l) != CONFIG_TYPE_LIST &&
	    !(config_setting_type(l) == CONFIG_TYPE_ARRAY && config_setting_length(l) == 0))
		return cfg_error(x->err, l,
				 "'aliases' must be a list of groups: aliases = ( { wwid = \"3...\"; alias = \"vmstore\"; } );");
	n = config_setting_length(l);
	if (!n)
		return 0;
	mp->aliases = calloc((size_t)n, sizeof(*mp->aliases));
	if (!mp->aliases)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);
		const char *wwid, *alias, *why;
		char fix[MP_WWID_MAX];

		if (!config_setting_is_group(e))
			return cfg_error(x->err, e,
					 "each element of 'aliases' must be a group: { wwid = \"3...\"; alias = \"vmstore\"; }");
		ret = pathd_conf_check_keys(e, pathd_conf_alias_keys, x->err);
		if (!ret)
			ret = cfg_get_string(e, "wwid", true, &wwid, x->err);
		if (!ret)
			ret = cfg_get_string(e, "alias", true, &alias, x->err);
		if (ret)
			return ret;
		why = pathd_conf_wwid_why(wwid, fix, sizeof(fix));
		if (why && fix[0])
			return cfg_error(x->err, config_setting_get_member(e, "wwid"),
					 "wwid '%s' %s: write \"%s\"", wwid, why, fix);
		if (why)
			return cfg_error(x->err, config_setting_get_member(e, "wwid"),
					 "wwid '%s' %s", wwid, why);
		why = pathd_conf_alias_why(alias);
		if (why)
			return cfg_error(x->err, config_setting_get_member(e, "alias"),
					 "alias '%s' %s", alias, why);
		for (size_t j = 0; j < mp->naliases; j++) {
			const struct mp_alias *a = &mp->aliases[j];

			if (!strcmp(a->wwid, wwid))
				return cfg_error(x->err, config_setting_get_member(e, "wwid"),
						 "wwid '%s' has two aliases ('%s' and '%s'): keep one",
						 wwid, a->name, alias);
			if (!strcmp(a->name, alias))
				return cfg_error(x->err, config_setting_get_member(e, "alias"),
						 "alias '%s' is given to two WWIDs (%s and %s): a name is one map",
						 alias, a->wwid, wwid);
			/* a map without an alias is named by its WWID */
			if (!strcmp(a->wwid, alias) || !strcmp(a->name, wwid))
				return cfg_error(x->err, config_setting_get_member(e, "alias"),
						 "alias '%s' is the WWID of another map, which is named by it: choose another",
						 !strcmp(a->wwid, alias) ? alias : a->name);
		}
		snprintf(mp->aliases[mp->naliases].wwid, MP_WWID_MAX, "%s", wwid);
		snprintf(mp->aliases[mp->naliases].name, MP_MAP_NAME_MAX, "%s", alias);
		mp->naliases++;
	}
	return 0;
}

/* ---- the daemon's own settings ---- */

static const struct {
	const char *name;
	enum log_level level;
} pathd_conf_log_levels[] = {
	{ "err", LOG_LEVEL_ERR },
	{ "warn", LOG_LEVEL_WARN },
	{ "info", LOG_LEVEL_INFO },
	{ "debug", LOG_LEVEL_DBG },
};

static int pathd_conf_daemon(struct pathd_conf_ctx *x, const config_setting_t *root)
{
	struct pathd_conf *c = x->c;
	const char *sock = PATHD_SOCKET_DEFAULT, *dropin = PATHD_DROPIN_DEFAULT;
	const char *level = NULL, *debug = NULL, *why;
	size_t n;
	int ret;

	ret = cfg_get_string(root, "control_socket", false, &sock, x->err);
	if (ret)
		return ret;
	why = pathd_conf_path_why(sock, sizeof(c->control_socket));
	if (why)
		return cfg_error(x->err, config_setting_get_member(root, "control_socket"),
				 "control_socket '%s' %s (a UNIX socket path holds at most %zu bytes)",
				 sock, why, sizeof(c->control_socket) - 1);
	snprintf(c->control_socket, sizeof(c->control_socket), "%s", sock);

	ret = cfg_get_string(root, "multipath_dropin", false, &dropin, x->err);
	if (ret)
		return ret;
	why = pathd_conf_path_why(dropin, sizeof(c->multipath_dropin));
	n = strlen(dropin);
	/* multipath.conf(5), config_dir: multipathd reads the files whose names end in ".conf" */
	if (!why && (n < 6 || strcmp(dropin + n - 5, ".conf") || dropin[n - 6] == '/'))
		why = "must name a file ending in \".conf\" (multipathd reads no other file of its config_dir)";
	if (why)
		return cfg_error(x->err, config_setting_get_member(root, "multipath_dropin"),
				 "multipath_dropin '%s' %s", dropin, why);
	snprintf(c->multipath_dropin, sizeof(c->multipath_dropin), "%s", dropin);

	ret = pathd_conf_seconds(root, "scan_interval", 1, 3600, &c->scan_interval_s, x->err);
	if (ret)
		return ret;

	ret = cfg_get_string(root, "log_level", false, &level, x->err);
	if (ret)
		return ret;
	if (level) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(pathd_conf_log_levels); i++)
			if (!strcmp(level, pathd_conf_log_levels[i].name))
				break;
		if (i == ARRAY_SIZE(pathd_conf_log_levels))
			return cfg_error(x->err, config_setting_get_member(root, "log_level"),
					 "log_level '%s' is not one of err, warn, info, debug", level);
		c->log_level = pathd_conf_log_levels[i].level;
	}

	ret = cfg_get_string(root, "debug", false, &debug, x->err);
	if (ret || !debug)
		return ret;
	for (const char *p = debug; *p; p++) {
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_' &&
		    *p != ',')
			return cfg_error(x->err, config_setting_get_member(root, "debug"),
					 "debug '%s' must be a comma-separated list of components, such as \"pathd,iscsiadm\" or \"all\"",
					 debug);
	}
	if (strlen(debug) >= sizeof(c->debug))
		return cfg_error(x->err, config_setting_get_member(root, "debug"),
				 "debug is longer than %zu characters", sizeof(c->debug) - 1);
	snprintf(c->debug, sizeof(c->debug), "%s", debug);
	return 0;
}

/* ---- the file ---- */

static void pathd_conf_defaults(struct pathd_conf *c)
{
	mp_policy_default(&c->mp.policy);
	snprintf(c->control_socket, sizeof(c->control_socket), "%s", PATHD_SOCKET_DEFAULT);
	snprintf(c->multipath_dropin, sizeof(c->multipath_dropin), "%s", PATHD_DROPIN_DEFAULT);
	c->scan_interval_s = PATHD_SCAN_INTERVAL_DEFAULT;
	c->log_level = LOG_LEVEL_INFO;
	virt_conf_defaults(&c->virt);
}

static int pathd_conf_parse(struct pathd_conf_ctx *x, const config_setting_t *root,
			    const char *initiatorname_file)
{
	config_setting_t *session_g = NULL, *discovery_g = NULL;
	int ret;

	ret = pathd_conf_check_keys(root, pathd_conf_top_keys, x->err);
	if (!ret)
		ret = pathd_conf_discovery(x, root);
	if (!ret)
		ret = pathd_conf_targets(x, root);
	if (!ret)
		ret = pathd_conf_nics(x, root);
	if (!ret)
		ret = pathd_conf_chap(x, root, "chap", &x->c->session_chap, &session_g);
	if (!ret)
		ret = pathd_conf_chap(x, root, "discovery_chap", &x->c->discovery_chap,
				      &discovery_g);
	if (!ret)
		ret = pathd_conf_chap_clash(x, session_g, discovery_g);
	if (!ret)
		ret = pathd_conf_policy(x, root);
	if (!ret)
		ret = pathd_conf_aliases(x, root);
	if (!ret)
		ret = pathd_conf_daemon(x, root);
	if (!ret)
		ret = virt_conf_parse(root, &x->c->virt, x->err);
	/* last: the file's own mistakes first, then the one open-iscsi keeps */
	if (!ret)
		ret = pathd_conf_initiator(x, root, initiatorname_file);
	return ret;
}

/* libconfig's own errors: a file that cannot be read, or a syntax error with its line. */
static int pathd_conf_syntax_error(config_t *cfg, const char *path, struct cfg_err *err)
{
	const char *file = config_error_file(cfg);
	FILE *f;
	int e;

	if (config_error_type(cfg) == CONFIG_ERR_FILE_IO) {
		f = fopen(path, "re");
		e = f ? EIO : errno;
		if (f)
			fclose(f);
		return pathd_conf_err_at(err, -e, path, 0, "cannot read: %s", strerror(e));
	}
	/* libconfig's text names the token class, never the token: no secret gets out */
	return pathd_conf_err_at(err, -EINVAL, file ? file : path,
				 (unsigned int)MAX(config_error_line(cfg), 1), "%s",
				 config_error_text(cfg));
}

int pathd_conf_load(const char *path, const char *initiatorname_file, struct pathd_conf *out,
		    struct cfg_err *err)
{
	struct pathd_conf_ctx x = { .c = out, .err = err, .file = path };
	char dir[sizeof(out->path)];
	char *slash;
	config_t cfg;
	int ret;

	memset(out, 0, sizeof(*out));
	pathd_conf_defaults(out);
	if (!initiatorname_file)
		initiatorname_file = PATHD_INITIATORNAME_FILE;
	if (strlen(path) >= sizeof(out->path))
		return pathd_conf_err_at(err, -ENAMETOOLONG, "pathd.conf", 0,
					 "the path '%.64s...' is longer than %zu bytes", path,
					 sizeof(out->path) - 1);
	snprintf(out->path, sizeof(out->path), "%s", path);
	x.file = out->path;

	config_init(&cfg);
	/* @include "other.conf" is relative to this file, not to the daemon's cwd */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		slash[slash == dir] = '\0';
		config_set_include_dir(&cfg, dir);
	} else {
		dir[0] = '\0';
	}
	x.dir = dir;
	if (config_read_file(&cfg, path) != CONFIG_TRUE)
		ret = pathd_conf_syntax_error(&cfg, path, err);
	else
		ret = pathd_conf_parse(&x, config_root_setting(&cfg), initiatorname_file);
	config_destroy(&cfg);
	return ret;
}

void pathd_conf_free(struct pathd_conf *c)
{
	if (!c)
		return;
	free(c->mp.discovery);
	free(c->mp.targets);
	free(c->mp.nics);
	free(c->mp.aliases);
	explicit_bzero(&c->session_chap, sizeof(c->session_chap));
	explicit_bzero(&c->discovery_chap, sizeof(c->discovery_chap));
	memset(c, 0, sizeof(*c));
}
