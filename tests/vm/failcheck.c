/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * failcheck: portico-pathd's failover adapters against a real kernel, one
 * call per run: the session's recovery timeout and its socket's two ends
 * (initiator/adapt/sesstmo.c), the socket killer (sockkill.c) and the path
 * checker (tur.c, on an event loop, through SG_IO).
 * tests/vm/scenarios/failadapt.sh runs it in the VM lab's guest. Usage:
 *
 *   failcheck support                 sockkill_probe: the kernel destroys sockets
 *   failcheck conn SID                the connection's ends:
 *                                     "conn SID local=A:P remote=A:P portal=A:P host=H"
 *   failcheck tmo SID [N|off]         recovery_tmo (set it first when given): "tmo SID N"
 *   failcheck kill SID [IFNAME]       destroys the session's socket (bound to IFNAME)
 *   failcheck killdump SID IFNAME     the same, found by its remote end and device
 *                                     only: through the dumps, not the exact lookup
 *   failcheck failfast SID [IFNAME]   recovery_tmo 0, then kill: what pathd does when a
 *                                     path dies; prints how long each step took
 *   failcheck tur DEV [MS]            TEST UNIT READY (timeout MS, default 3000)
 *   failcheck probe DEV WWID [MS]     the reinstate probe
 *
 * --expect WORD: the command must fail with that errno name (EBUSY,
 * ENOENT, ENOTCONN) or, for tur and probe, give that state ("up", "down",
 * "standby", ...). Prints "ok: ..." lines; on a failure, "FAILED: ..." and
 * exit status 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/ev.h"
#include "initiator/adapt/sesstmo.h"
#include "initiator/adapt/sockkill.h"
#include "initiator/adapt/tur.h"

static const char *expect;

__attribute__((format(printf, 1, 2), noreturn)) static void fc_fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAILED: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static int64_t fc_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static const char *fc_errname(int rc)
{
	switch (-rc) {
	case EBUSY:
		return "EBUSY";
	case ENOENT:
		return "ENOENT";
	case ENOTCONN:
		return "ENOTCONN";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	default:
		return "?";
	}
}

/* A failure the caller expected, or none. */
static void fc_result(const char *what, int rc, const char *err)
{
	if (expect) {
		if (!rc || strcmp(fc_errname(rc), expect))
			fc_fail("%s: want %s, got %d (%s)", what, expect, rc, err);
		printf("ok: %s refused as expected: %s\n", what, err);
		exit(0);
	}
	if (rc)
		fc_fail("%s: %s (%s)", what, err, strerror(-rc));
}

static void fc_addr(const struct net_addr *a, char *buf, size_t len)
{
	char host[64];

	inet_ntop(a->family, a->a, host, sizeof(host));
	snprintf(buf, len, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, a->port);
}

static uint32_t fc_sid(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > UINT32_MAX)
		fc_fail("'%s' is not a session number", s);
	return (uint32_t)v;
}

static void fc_conn(uint32_t sid, struct sesstmo_conn *c)
{
	char err[256] = "";

	fc_result("conn", sesstmo_conn_read("/sys", sid, c, err, sizeof(err)), err);
}

static uint32_t fc_ifindex(const char *name)
{
	uint32_t i;

	if (!name)
		return 0;
	i = if_nametoindex(name);
	if (!i)
		fc_fail("no network interface '%s'", name);
	return i;
}

static void fc_kill(uint32_t sid, const char *ifname, bool dump, int64_t *us)
{
	struct sockkill_result res;
	struct sockdiag_match m;
	struct sesstmo_conn c;
	char err[256] = "";
	int rc;

	fc_conn(sid, &c);
	sesstmo_conn_match(&c, fc_ifindex(ifname), &m);
	if (dump)
		memset(&m.local, 0, sizeof(m.local));
	rc = sockkill_destroy(&m, &res, err, sizeof(err));
	fc_result("kill", rc, err);
	printf("kill %u matched=%u destroyed=%u gone=%u dumps=%u us=%lld socket=%s\n", sid,
	       res.matched, res.destroyed, res.gone, res.dumps, (long long)res.us, res.first);
	if (res.destroyed != 1)
		fc_fail("kill %u: %u sockets destroyed, want 1", sid, res.destroyed);
	if (dump != (res.dumps > 0))
		fc_fail("kill %u: %u dumps, want %s", sid, res.dumps, dump ? "some" : "none");
	if (us)
		*us = res.us;
}

struct fc_wait {
	bool done;
	struct tur_result res;
};

static void fc_done(void *arg, const struct tur_result *res)
{
	struct fc_wait *w = arg;

	w->done = true;
	w->res = *res;
}

static void fc_tur(const char *dev, const char *wwid, unsigned int ms)
{
	struct fc_wait w = {0};
	struct ev_loop *loop;
	struct tur *t;
	int rc;

	if (ev_loop_create(&loop) || tur_create(loop, &tur_sg_ops, NULL, 1, &t))
		fc_fail("cannot start the checker");
	rc = wwid ? tur_probe(t, dev, wwid, ms, fc_done, &w, NULL)
		  : tur_check(t, dev, ms, fc_done, &w, NULL);
	if (rc)
		fc_fail("%s %s: %s", wwid ? "probe" : "tur", dev, strerror(-rc));
	/* the checker's deadline answers within ms + TUR_SLACK_MS: bounded */
	for (int i = 0; !w.done && i < 1000; i++)
		ev_run_once(loop, 100);
	tur_destroy(t);
	ev_loop_destroy(loop);
	if (!w.done)
		fc_fail("%s %s: no answer", wwid ? "probe" : "tur", dev);
	printf("%s %s state=%s cause=%s retried=%d ms=%lld wwid=%s text=%s\n",
	       wwid ? "probe" : "tur", dev, tur_state_name(w.res.state),
	       tur_cause_name(w.res.cause)[0] ? tur_cause_name(w.res.cause) : "-", w.res.retried,
	       (long long)w.res.ms, w.res.wwid[0] ? w.res.wwid : "-", w.res.text);
	if (strcmp(tur_state_name(w.res.state), expect ? expect : "up"))
		fc_fail("%s %s: %s, want %s", wwid ? "probe" : "tur", dev,
			tur_state_name(w.res.state), expect ? expect : "up");
	printf("ok: %s %s is %s\n", wwid ? "probe" : "tur", dev, tur_state_name(w.res.state));
}

static int32_t fc_tmo_value(const char *s)
{
	char *end;
	long v;

	if (!strcmp(s, "off"))
		return SESSTMO_OFF;
	v = strtol(s, &end, 10);
	if (!*s || *end)
		fc_fail("'%s' is not a timeout", s);
	return (int32_t)v;
}

int main(int argc, char **argv)
{
	char err[256] = "", a[80], b[80], p[80];
	struct sesstmo_conn c;
	int i = 1, rc;
	int32_t tmo;
	const char *op;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (i + 1 < argc && !strcmp(argv[i], "--expect")) {
		expect = argv[i + 1];
		i += 2;
	}
	if (i == argc)
		fc_fail("usage: failcheck [--expect WORD] support|conn|tmo|kill|failfast|tur|probe "
			"...");
	op = argv[i++];
	if (!strcmp(op, "support")) {
		rc = sockkill_probe(err, sizeof(err));
		fc_result("support", rc, err);
		printf("ok: this kernel destroys sockets\n");
	} else if (!strcmp(op, "conn") && i + 1 == argc) {
		fc_conn(fc_sid(argv[i]), &c);
		fc_addr(&c.local, a, sizeof(a));
		fc_addr(&c.remote, b, sizeof(b));
		fc_addr(&c.portal, p, sizeof(p));
		printf("conn %u local=%s remote=%s portal=%s host=%u\n", c.sid, a, b, p, c.host_no);
	} else if (!strcmp(op, "tmo") && (i + 1 == argc || i + 2 == argc)) {
		uint32_t sid = fc_sid(argv[i]);

		if (i + 2 == argc) {
			rc = sesstmo_set("/sys", sid, fc_tmo_value(argv[i + 1]), err, sizeof(err));
			fc_result("tmo", rc, err);
		}
		rc = sesstmo_get("/sys", sid, &tmo);
		fc_result("tmo", rc, strerror(-rc));
		if (tmo == SESSTMO_OFF)
			printf("tmo %u off\n", sid);
		else
			printf("tmo %u %d\n", sid, tmo);
	} else if (!strcmp(op, "kill") && (i + 1 == argc || i + 2 == argc)) {
		fc_kill(fc_sid(argv[i]), i + 2 == argc ? argv[i + 1] : NULL, false, NULL);
		printf("ok: killed\n");
	} else if (!strcmp(op, "killdump") && i + 2 == argc) {
		fc_kill(fc_sid(argv[i]), argv[i + 1], true, NULL);
		printf("ok: killed, found by the dumps\n");
	} else if (!strcmp(op, "failfast") && (i + 1 == argc || i + 2 == argc)) {
		uint32_t sid = fc_sid(argv[i]);
		int64_t t0 = fc_us(), t1, kill_us;

		rc = sesstmo_set("/sys", sid, 0, err, sizeof(err));
		fc_result("failfast: tmo 0", rc, err);
		t1 = fc_us();
		fc_kill(sid, i + 2 == argc ? argv[i + 1] : NULL, false, &kill_us);
		printf("failfast %u tmo_us=%lld kill_us=%lld total_us=%lld\n", sid,
		       (long long)(t1 - t0), (long long)kill_us, (long long)(fc_us() - t0));
		printf("ok: failfast\n");
	} else if (!strcmp(op, "tur") && (i + 1 == argc || i + 2 == argc)) {
		fc_tur(argv[i], NULL, i + 2 == argc ? (unsigned int)atoi(argv[i + 1]) : 3000);
	} else if (!strcmp(op, "probe") && (i + 2 == argc || i + 3 == argc)) {
		fc_tur(argv[i], argv[i + 1],
		       i + 3 == argc ? (unsigned int)atoi(argv[i + 2]) : 3000);
	} else {
		fc_fail("unknown command or arguments: %s", op);
	}
	return 0;
}
