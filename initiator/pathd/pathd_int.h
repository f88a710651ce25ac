/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's insides, shared by pathd.c (adapters, events, actions) and
 * ctl.c (the control socket's verbs).
 */
#ifndef PORTICO_INITIATOR_PATHD_INT_H
#define PORTICO_INITIATOR_PATHD_INT_H

#include <time.h>

#include "initiator/adapt/scan.h"
#include "initiator/pathd/pathd.h"
#include "mpath/sm.h"

#define PATHD_COMPONENT "pathd"

struct child_runner;
struct ctl_server;
struct dmq;
struct ev_loop;
struct ev_timer;
struct iadm;
struct nic_mon;
struct umon;

/* An event waiting to be fed, with what it points to. */
struct pd_pending {
	struct pd_pending *next;
	struct mp_event ev;
	void *owned; /* freed once the event is fed */
};

/* A map pathd holds open, so that multipathd cannot remove it (pathd.c). */
struct pd_hold {
	char wwid[MP_WWID_MAX];
	int fd;
};

struct pathd {
	struct ev_loop *loop;
	struct pathd_conf conf;
	struct pathd_env env;
	struct mp_sm *sm;
	struct mp_actions acts;
	struct pd_pending *head, *tail;
	bool busy; /* feeding: new events wait in the queue */
	struct nic_mon *nics;
	struct iadm *iadm;
	struct child_runner *runner; /* multipathd reconfigure */
	struct umon *umon;
	struct dmq *dmq;
	struct ctl_server *ctl;
	struct ev_timer *tick;
	struct ev_timer *scan_timer;
	struct ev_timer *scan_soon; /* a scan asked for by an event, coalesced */
	struct scan_snapshot snap;  /* what the last scan saw */
	struct mp_ev_map *maps;	    /* what the last dm list saw */
	size_t nmaps;
	bool dm_listing; /* a DMQ_LIST is queued or running */
	bool dm_list_again;
	int sigfd;
	time_t started;
	int64_t started_ms;
	unsigned int child_runs; /* multipathd reconfigure runs in flight */
	struct pd_hold holds[256];
	size_t nholds;
};

/*
 * Feeds ev (its pointers valid until the call returns), then runs what it
 * asks. Returns what the machine said of it (an admin event may be
 * refused: mp_sm_feed()); 0 when it had to wait in the queue.
 */
int pd_feed(struct pathd *pd, const struct mp_event *ev);
/* Re-reads pathd.conf and applies it (the control socket's and SIGHUP's reconfigure). */
int pd_reconfigure(struct pathd *pd, char *err, size_t errlen);

/* ctl.c: the control socket's handler (common/ctl_server.h). */
struct ctl_request;
struct ctl_reply;
void pd_ctl_handle(void *arg, const struct ctl_request *req, struct ctl_reply *out);

#endif
