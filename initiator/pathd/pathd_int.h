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
struct pd_events;
struct tur;
struct umon;
struct virt_sync;

/* Threads of the path checker: a dead path holds one until its command ends. */
#define PD_CHECK_WORKERS 8

/* How often sysfs and the maps are read while something changes (mp_sm_watching). */
#define PD_WATCH_SCAN_MS 250

/* The recent events show events keeps (each at most 512 bytes). */
#define PD_EVENTS_MAX 2048

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
	struct pd_events *events; /* what it logged lately (events.h) */
	bool watching;		  /* scanning every PD_WATCH_SCAN_MS */
	struct tur *tur;	  /* the path checker */
	bool sockkill;		  /* the kernel destroys sockets (sockkill_probe) */
	struct virt_sync *virt; /* the libvirt pools (virt_ctl.c); NULL: no libvirt */
};

/* An action under way in an adapter, with what its answer needs. */
struct pd_op {
	struct pathd *pd;
	struct mp_action act;
	int64_t t0; /* when it was asked: the log says how long it took */
};

/* A copy of a, asked now; NULL when out of memory. The adapter's callback frees it. */
struct pd_op *pd_op_new(struct pathd *pd, const struct mp_action *a);
/* How long ago op was asked, in ms. */
long long pd_op_ms(const struct pd_op *op);
/* Writes value into the sysfs file rel (under the sysfs root). 0 or -errno. */
int pd_sysfs_write(const struct pathd *pd, const char *rel, const char *value);

/* health.c: the path checker's and the kicks' side of the actions. */
void pd_check(struct pathd *pd, const struct mp_action *a);
void pd_kick(struct pathd *pd, const struct mp_link_key *key, uint32_t sid);

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
