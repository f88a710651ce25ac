/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nicwatch: the NIC adapter (initiator/adapt/nic.c) on an event loop, for
 * tests/functional/pathd-nic.sh, which runs it in a network namespace of
 * its own and changes the links, addresses and routes there.
 *
 *   nicwatch [-d]
 *
 * Prints the NICs at start, one line each, then "ready N" (N NICs):
 *   nic NAME ifindex=I up=0|1 carrier=0|1 addr=0|1
 * then one line per report of the adapter:
 *   changed NAME ifindex=I up=0|1 carrier=0|1 addr=0|1
 *   gone NAME
 *   routes
 * and reads commands from stdin, one per line, answering each with one
 * line "N TEXT" (N counts the commands from 1):
 *   reach ADDR [NIC,...]  nic_mon_reach: "N reach ADDR: eth1 eth2", "-" for
 *                         none, "error: WHY" for a refusal
 *   list                  nic_mon_list: "N list: eth1 eth2" ("-" for none)
 *   stop-on NAME          stops the adapter from inside the next report on
 *                         NAME ("N stop-on NAME"; later "stopped in op NAME")
 *   quit                  "N bye", then stops the adapter and exits 0
 * The end of stdin is quit. -d prints the adapter's debug log (stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ev.h"
#include "common/log.h"
#include "initiator/adapt/nic.h"

#define NW_LINE_MAX 512
#define NW_ANSWERS_MAX 64
#define NW_ONLY_MAX 16

struct nicwatch {
	struct ev_loop *loop;
	struct nic_mon *mon; /* NULL once stopped */
	unsigned int seq;
	char stop_on[MP_NIC_MAX]; /* "" or the NIC whose next report stops the adapter */
	char buf[NW_LINE_MAX];
	size_t len;
	bool overlong; /* the line being read did not fit: it is answered with an error */
};

static void print_nic(const char *what, const struct mp_ev_nic *nic)
{
	printf("%s %s ifindex=%d up=%d carrier=%d addr=%d\n", what, nic->name, nic->ifindex,
	       nic->up, nic->carrier, nic->has_addr);
}

static void stop_if_asked(struct nicwatch *w, const char *name)
{
	if (!w->stop_on[0] || strcmp(w->stop_on, name) != 0)
		return;
	nic_mon_stop(w->mon);
	w->mon = NULL;
	w->stop_on[0] = '\0';
	printf("stopped in op %s\n", name);
}

static void on_changed(void *arg, const struct mp_ev_nic *nic)
{
	print_nic("changed", nic);
	stop_if_asked(arg, nic->name);
}

static void on_gone(void *arg, const char *name)
{
	printf("gone %s\n", name);
	stop_if_asked(arg, name);
}

static void on_routes(void *arg)
{
	(void)arg;
	printf("routes\n");
}

static const struct nic_mon_ops nicwatch_ops = {
	.changed = on_changed,
	.gone = on_gone,
	.routes_changed = on_routes,
};

/* "reach ADDR [NIC,...]" */
static void do_reach(struct nicwatch *w, char *args)
{
	char only[NW_ONLY_MAX][MP_NIC_MAX], out[NW_ANSWERS_MAX][MP_NIC_MAX];
	char *addr, *list, *save = NULL;
	size_t nonly = 0;
	int n;

	addr = strtok_r(args, " ", &save);
	list = strtok_r(NULL, " ", &save);
	if (!addr) {
		printf("%u reach: error: no address\n", w->seq);
		return;
	}
	if (!w->mon) {
		printf("%u reach %s: error: stopped\n", w->seq, addr);
		return;
	}
	if (list) {
		char *lsave = NULL;

		for (char *t = strtok_r(list, ",", &lsave); t && nonly < NW_ONLY_MAX;
		     t = strtok_r(NULL, ",", &lsave))
			snprintf(only[nonly++], MP_NIC_MAX, "%s", t);
	}
	n = nic_mon_reach(w->mon, addr, (const char(*)[MP_NIC_MAX])only, nonly, out,
			  NW_ANSWERS_MAX);
	if (n < 0) {
		printf("%u reach %s: error: %s\n", w->seq, addr, strerror(-n));
		return;
	}
	printf("%u reach %s:", w->seq, addr);
	for (int i = 0; i < n && i < NW_ANSWERS_MAX; i++)
		printf(" %s", out[i]);
	printf("%s\n", n ? "" : " -");
}

static void do_list(struct nicwatch *w)
{
	struct mp_ev_nic nics[NW_ANSWERS_MAX];
	size_t n;

	if (!w->mon) {
		printf("%u list: error: stopped\n", w->seq);
		return;
	}
	n = nic_mon_list(w->mon, nics, NW_ANSWERS_MAX);
	printf("%u list:", w->seq);
	for (size_t i = 0; i < n && i < NW_ANSWERS_MAX; i++)
		printf(" %s", nics[i].name);
	printf("%s\n", n ? "" : " -");
}

static void do_line(struct nicwatch *w, char *line)
{
	char *args = strchr(line, ' ');

	w->seq++;
	if (args)
		*args++ = '\0';
	else
		args = line + strlen(line);
	if (strcmp(line, "reach") == 0) {
		do_reach(w, args);
	} else if (strcmp(line, "list") == 0) {
		do_list(w);
	} else if (strcmp(line, "stop-on") == 0 && *args) {
		snprintf(w->stop_on, sizeof(w->stop_on), "%s", args);
		printf("%u stop-on %s\n", w->seq, w->stop_on);
	} else if (strcmp(line, "quit") == 0) {
		printf("%u bye\n", w->seq);
		ev_stop(w->loop);
	} else {
		printf("%u error: unknown command '%s'\n", w->seq, line);
	}
}

static void on_stdin(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct nicwatch *w = arg;
	ssize_t got;
	char *nl;

	(void)events;
	got = read(fd, w->buf + w->len, sizeof(w->buf) - 1 - w->len);
	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (got <= 0) {
		ev_del_fd(loop, fd);
		ev_stop(loop);
		return;
	}
	w->len += (size_t)got;
	w->buf[w->len] = '\0';
	/* at most one command per byte read: bounded */
	while ((nl = strchr(w->buf, '\n'))) {
		size_t used = (size_t)(nl - w->buf) + 1;

		*nl = '\0';
		if (w->overlong) {
			w->seq++;
			printf("%u error: line too long\n", w->seq);
			w->overlong = false;
		} else {
			do_line(w, w->buf);
		}
		memmove(w->buf, w->buf + used, w->len - used + 1);
		w->len -= used;
	}
	if (w->len == sizeof(w->buf) - 1) {
		w->overlong = true;
		w->len = 0;
	}
}

int main(int argc, char **argv)
{
	struct nicwatch w = { 0 };
	struct mp_ev_nic *nics;
	char err[256];
	size_t n;
	int opt, ret;

	log_init("nicwatch");
	while ((opt = getopt(argc, argv, "d")) != -1) {
		if (opt == 'd') {
			log_set_debug("nic");
		} else {
			fprintf(stderr, "usage: nicwatch [-d]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = ev_loop_create(&w.loop);
	if (ret) {
		printf("error: cannot create a loop: %s\n", strerror(-ret));
		return 1;
	}
	ret = nic_mon_start(w.loop, &nicwatch_ops, &w, &w.mon, err, sizeof(err));
	if (ret) {
		printf("error: %s (%s)\n", err, strerror(-ret));
		ev_loop_destroy(w.loop);
		return 1;
	}
	n = nic_mon_list(w.mon, NULL, 0);
	nics = calloc(n ? n : 1, sizeof(*nics));
	if (!nics) {
		printf("error: out of memory\n");
		ret = -ENOMEM;
		goto out;
	}
	n = nic_mon_list(w.mon, nics, n);
	for (size_t i = 0; i < n; i++)
		print_nic("nic", &nics[i]);
	free(nics);
	printf("ready %zu\n", n);

	ret = ev_add_fd(w.loop, STDIN_FILENO, EV_READ, on_stdin, &w);
	if (ret) {
		printf("error: cannot watch stdin: %s\n", strerror(-ret));
		goto out;
	}
	ret = ev_run(w.loop);
	ev_del_fd(w.loop, STDIN_FILENO);
out:
	nic_mon_stop(w.mon);
	ev_loop_destroy(w.loop);
	return ret ? 1 : 0;
}
