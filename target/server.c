/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The running target. The control thread (the caller of server_run) owns
 * the listening sockets, the signals and the control socket; each accepted
 * connection is handed to an I/O thread, round robin, and lives there for
 * its life.
 *
 * The model changes only on the control thread (target/ctl/), under the
 * lock of srv->env. The I/O threads take the lock only for the questions of
 * the login path (target/iscsi_env.c: who may log in, with which
 * credentials, which LUNs): copies of what they need leave the lock,
 * pointers into the model never do. The data path reads the session's own
 * LUN map and never takes it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/ev.h"
#include "common/iscsi_name.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/util.h"
#include "target/backstore/bs.h"
#include "target/iscsi/authguard.h"
#include "target/iscsi/iscsi.h"
#include "target/iscsi/iscsi_proto.h"
#include "common/ctl_server.h"
#include "target/ctl/ctl_ops.h"
#include "target/gconf_rados.h"
#include "target/iscsi_env.h"
#include "target/server.h"

#define COMP "server"
#define SERVER_LISTEN_BACKLOG 256
/* Out of descriptors: accepting pauses this long, doubling up to the max. */
#define SERVER_ACCEPT_PAUSE_MS 50
#define SERVER_ACCEPT_PAUSE_MAX_MS 1000
/* One log line about exhausted descriptors per this many ms, with the count. */
#define SERVER_EXHAUSTED_LOG_MS 10000
/* The auth guard ends lockouts and forgets runs this often. */
#define SERVER_GUARD_SWEEP_MS 1000
/* Descriptors beyond the connections': stores, listeners, the control socket, the loops */
#define SRV_FD_SPARE 256
/* io_memory_limit's default never below what the file may say (obj_globals) */
#define SRV_IO_MEMORY_MIN (8u << 20)

struct io_thread {
	struct server *srv;
	unsigned int id;
	pthread_t tid;
	struct ev_loop *loop;
	int init_rc;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool ready;
	bool done; /* the thread's connections are all closed */
};

/* A listening socket and the portal it serves. */
struct srv_listener {
	struct net_portal portal;
	int fd;
};

struct server {
	struct env_model env; /* the served model and its lock */
	struct iscsi_env iscsi_env; /* what every connection asks: env_model_ops on env */
	struct iscsi_limits limits; /* the connections' (iscsi_env.limits), from the model */
	struct authguard *guard; /* failed logins (iscsi_env.guard), its policy the model's */
	struct ev_timer *guard_timer; /* authguard_sweep */
	struct ev_loop *loop; /* control */
	struct io_thread *threads;
	unsigned int nthreads;
	unsigned int next_thread;
	struct srv_listener *listeners;
	size_t nlisteners;
	int sigfd;
	struct ctl_server *ctl;
	struct gconf_rados *gconf; /* the gateway group's shared configuration, or NULL */
	time_t started;
	/*
	 * Out of descriptors: a descriptor held in reserve (/dev/null) is
	 * given up to accept and at once close what waits, so that a client
	 * is told no rather than left hanging; the listeners rest meanwhile.
	 */
	int spare_fd;
	bool accept_paused;
	int64_t accept_pause_ms;
	struct ev_timer *accept_timer;
	unsigned long exhausted_refused; /* since the last log line */
	int64_t exhausted_logged_ms;
};

static void srv_ctl_handle(void *arg, const struct ctl_request *req, struct ctl_reply *out);
static void srv_reload(struct server *srv);
static void srv_notify_ready(struct server *srv);
static void srv_alua_changed(void *arg);
static const struct ctl_host_ops srv_host_ops;

/* ---- I/O threads ---- */

static void *io_thread_main(void *arg)
{
	struct io_thread *th = arg;
	char name[16];
	int rc;

	snprintf(name, sizeof(name), "portico-io%u", th->id);
	pthread_setname_np(pthread_self(), name);
	rc = ev_loop_create(&th->loop);
	if (!rc) {
		rc = bs_thread_init(th->loop);
		if (rc) {
			ev_loop_destroy(th->loop);
			th->loop = NULL;
		}
	}
	pthread_mutex_lock(&th->lock);
	th->init_rc = rc;
	th->ready = true;
	pthread_cond_signal(&th->cond);
	pthread_mutex_unlock(&th->lock);
	if (rc)
		return NULL;

	ev_run(th->loop);

	/* Stopped: drain what is still in flight (bounded: 5 s), then tear down. */
	iscsi_close_all();
	for (int i = 0; i < 500 && iscsi_conn_live(); i++)
		ev_run_once(th->loop, 10);
	if (iscsi_conn_live())
		log_warn(COMP, "I/O thread %u: %u connection(s) still waiting for backstore I/O",
			 th->id, iscsi_conn_live());
	scsi_thread_stop(); /* a sanitize still running: cut short, its LU failed */
	bs_thread_fini();
	iscsi_thread_release_buffers();
	ev_loop_destroy(th->loop);
	return NULL;
}

/* An accepted connection on its way to an I/O thread. */
struct srv_handoff {
	int fd;
	const struct iscsi_env *env;
};

static void conn_handoff(void *arg)
{
	struct srv_handoff *h = arg;
	int rc = iscsi_conn_start(ev_current(), h->fd, h->env);

	/* a connection over the limits is the transport's to tell of */
	if (rc && rc != -EUSERS)
		log_warn(COMP, "cannot start a connection: %s", strerror(-rc));
	free(h);
}

static void on_accept(struct ev_loop *loop, int lfd, uint32_t events, void *arg);

/* Watches (or stops watching) every listener. */
static void srv_listeners_watch(struct server *srv, bool on)
{
	for (size_t i = 0; i < srv->nlisteners; i++)
		if (on)
			ev_add_fd(srv->loop, srv->listeners[i].fd, EV_READ, on_accept, srv);
		else
			ev_del_fd(srv->loop, srv->listeners[i].fd);
}

static int64_t on_accept_resume(struct ev_loop *loop, void *arg)
{
	struct server *srv = arg;

	(void)loop;
	srv->accept_timer = NULL;
	srv->accept_paused = false;
	srv_listeners_watch(srv, true);
	return EV_TIMER_STOP;
}

/*
 * accept() found no descriptor (EMFILE, ENFILE). Left alone, the listener
 * stays readable and the loop spins on it, a log line each time, while
 * every client waits for a login that never comes. Instead: give up the
 * reserve descriptor to take the waiting connections, one after the other,
 * and close each (the clients hear no at once: closing one at each rest
 * left a login behind a flood's backlog waiting 15 s and more), rest the
 * listeners (50 ms, doubling to 1 s while it lasts), and say so once every
 * 10 s with the count.
 */
static void srv_out_of_descriptors(struct server *srv, int lfd, int err)
{
	int64_t now = ev_now_ms();
	struct rlimit rl = { 0 };
	int fd;

	if (srv->spare_fd >= 0) {
		close(srv->spare_fd);
		srv->spare_fd = -1;
		for (int i = 0; i < SERVER_LISTEN_BACKLOG; i++) {
			fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				break;
			close(fd);
			srv->exhausted_refused++;
		}
		srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	if (!srv->accept_paused) {
		srv->accept_pause_ms = srv->accept_pause_ms ?
					       MIN(srv->accept_pause_ms * 2, SERVER_ACCEPT_PAUSE_MAX_MS) :
					       SERVER_ACCEPT_PAUSE_MS;
		srv->accept_timer = ev_timer_add(srv->loop, srv->accept_pause_ms, on_accept_resume, srv);
		if (srv->accept_timer) {
			srv->accept_paused = true;
			srv_listeners_watch(srv, false);
		}
	}
	if (now - srv->exhausted_logged_ms < SERVER_EXHAUSTED_LOG_MS && srv->exhausted_logged_ms)
		return;
	getrlimit(RLIMIT_NOFILE, &rl);
	log_err(COMP,
		"out of file descriptors (%s; limit %llu): %lu connection(s) closed at once since the last report; raise the limit (LimitNOFILE= in the unit, ulimit -n) or lower max_connections",
		strerror(err), (unsigned long long)rl.rlim_cur, srv->exhausted_refused);
	srv->exhausted_refused = 0;
	srv->exhausted_logged_ms = now;
}

static void on_accept(struct ev_loop *loop, int lfd, uint32_t events, void *arg)
{
	struct server *srv = arg;

	(void)loop;
	(void)events;
	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct srv_handoff *h;
		struct io_thread *th;

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				srv_out_of_descriptors(srv, lfd, errno);
			else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn(COMP, "accept failed: %s", strerror(errno));
			return;
		}
		/* descriptors again: the next shortage starts with a short pause */
		srv->accept_pause_ms = 0;
		th = &srv->threads[srv->next_thread++ % srv->nthreads];
		h = malloc(sizeof(*h));
		if (h) {
			h->fd = fd;
			h->env = &srv->iscsi_env;
		}
		if (!h || ev_post(th->loop, conn_handoff, h)) {
			free(h);
			close(fd);
			log_warn(COMP, "cannot hand a connection to an I/O thread");
		}
	}
}

static void on_signal(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		srv_reload(arg);
		return;
	}
	log_info(COMP, "signal %u: shutting down", si.ssi_signo);
	notify_stopping("initiators are asked to log out");
	ev_stop(loop);
}

static int srv_listen(struct server *srv, const struct net_portal *p, char *err, size_t errlen)
{
	struct srv_listener *ls;
	int one = 1;
	int fd;

	ls = realloc(srv->listeners, (srv->nlisteners + 1) * sizeof(*ls));
	if (!ls) {
		errno = ENOMEM;
		goto err;
	}
	srv->listeners = ls;
	fd = socket(p->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (p->addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&p->addr, p->addrlen) ||
	    listen(fd, SERVER_LISTEN_BACKLOG))
		goto err_close;
	if (!srv->accept_paused && ev_add_fd(srv->loop, fd, EV_READ, on_accept, srv)) {
		errno = ENOMEM;
		goto err_close;
	}
	ls[srv->nlisteners].portal = *p;
	ls[srv->nlisteners].fd = fd;
	srv->nlisteners++;
	log_info(COMP, "listening on %s", p->text);
	return 0;

err_close:
	close(fd);
err:
	snprintf(err, errlen, "cannot listen on portal '%s': %s", p->text, strerror(errno));
	return -errno;
}

static void srv_unlisten(struct server *srv, size_t i)
{
	log_info(COMP, "no longer listening on %s", srv->listeners[i].portal.text);
	if (!srv->accept_paused)
		ev_del_fd(srv->loop, srv->listeners[i].fd);
	close(srv->listeners[i].fd);
	srv->listeners[i] = srv->listeners[--srv->nlisteners];
}

static bool srv_listening(const struct server *srv, const struct net_portal *p)
{
	for (size_t i = 0; i < srv->nlisteners; i++)
		if (net_portal_equal(&srv->listeners[i].portal, p))
			return true;
	return false;
}

static bool model_has_portal(const struct obj_model *m, const struct net_portal *p)
{
	for (size_t i = 0; i < m->ntargets; i++)
		for (size_t j = 0; j < m->targets[i].ntpgs; j++) {
			const struct obj_tpg *tpg = &m->targets[i].tpgs[j];

			for (size_t k = 0; k < tpg->nportals; k++)
				if (net_portal_equal(&tpg->portals[k], p))
					return true;
		}
	return false;
}

/* Binds p now unless one is bound (a create can then fail before it changes anything). */
static int srv_listen_check(struct server *srv, const struct net_portal *p, char *err,
			    size_t errlen)
{
	if (srv_listening(srv, p))
		return 0;
	return srv_listen(srv, p, err, errlen);
}

/*
 * Makes the listening sockets match the model's portals: a portal shared by
 * several TPGs is one socket; a socket whose portal is gone is closed (its
 * connections go on: a portal's deletion stops new logins, as in LIO).
 */
static int srv_sync_listeners(struct server *srv, char *err, size_t errlen)
{
	const struct obj_model *m = srv->env.model;
	int rc = 0;

	for (size_t i = srv->nlisteners; i-- > 0;)
		if (!model_has_portal(m, &srv->listeners[i].portal))
			srv_unlisten(srv, i);
	for (size_t i = 0; i < m->ntargets; i++) {
		for (size_t j = 0; j < m->targets[i].ntpgs; j++) {
			const struct obj_tpg *tpg = &m->targets[i].tpgs[j];

			for (size_t k = 0; k < tpg->nportals; k++) {
				int r = srv_listen_check(srv, &tpg->portals[k], err, errlen);

				/* the first error is reported; the other portals still get their socket */
				if (r && !rc) {
					rc = r;
					err = NULL;
					errlen = 0;
				}
			}
		}
	}
	return rc;
}

/* "64 MiB", "5.9 GiB": for the log. */
static void srv_bytes_text(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned int u = 0;
	uint64_t one = 1;

	while (u + 1 < ARRAY_SIZE(units) && v >= one * 1024) {
		one *= 1024;
		u++;
	}
	if (v % one == 0)
		snprintf(buf, len, "%llu %s", (unsigned long long)(v / one), units[u]);
	else
		snprintf(buf, len, "%.1f %s", (double)v / (double)one, units[u]);
}

/*
 * io_memory_limit's default: a quarter of the machine's memory. The rest
 * is the page cache the file backstores write back through, and whatever
 * else the server runs; in normal work data in flight is far below it
 * (128 commands of 1 MiB are 128 MiB), so the limit only bites when
 * initiators stop taking what they asked for.
 */
static uint64_t srv_io_memory_default(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	uint64_t quarter = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page / 4 : 0;

	return MAX(quarter, (uint64_t)SRV_IO_MEMORY_MIN);
}

/* The model's limits into the connections' (they read them atomically). */
static void srv_apply_limits(struct server *srv)
{
	const struct obj_model *m = srv->env.model;
	struct iscsi_limits *l = &srv->limits;
	uint64_t total = m->io_memory_limit ? m->io_memory_limit : srv_io_memory_default();
	uint32_t send_ms = m->send_timeout * 1000u;
	struct rlimit rl;
	char a[32], b[32];

	if (__atomic_load_n(&l->max_connections, __ATOMIC_RELAXED) != m->max_connections ||
	    __atomic_load_n(&l->max_connections_per_address, __ATOMIC_RELAXED) !=
		    m->max_connections_per_address) {
		__atomic_store_n(&l->max_connections, m->max_connections, __ATOMIC_RELAXED);
		__atomic_store_n(&l->max_connections_per_address, m->max_connections_per_address,
				 __ATOMIC_RELAXED);
		log_info(COMP, "connections: at most %u, %u from one address", m->max_connections,
			 m->max_connections_per_address);
		/* each takes a descriptor; the stores and the daemon take some more */
		if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
		    rl.rlim_cur < (rlim_t)m->max_connections + SRV_FD_SPARE)
			log_warn(COMP,
				 "open files: the limit %llu leaves room for fewer than max_connections (%u): raise LimitNOFILE= (or ulimit -Hn), or lower max_connections",
				 (unsigned long long)rl.rlim_cur, m->max_connections);
	}
	if (__atomic_load_n(&l->io_memory, __ATOMIC_RELAXED) == total &&
	    __atomic_load_n(&l->session_io_memory, __ATOMIC_RELAXED) ==
		    m->session_io_memory_limit &&
	    __atomic_load_n(&l->send_timeout_ms, __ATOMIC_RELAXED) == send_ms)
		return;
	__atomic_store_n(&l->io_memory, total, __ATOMIC_RELAXED);
	__atomic_store_n(&l->session_io_memory, m->session_io_memory_limit, __ATOMIC_RELAXED);
	__atomic_store_n(&l->send_timeout_ms, send_ms, __ATOMIC_RELAXED);
	srv_bytes_text(total, a, sizeof(a));
	srv_bytes_text(m->session_io_memory_limit, b, sizeof(b));
	log_info(COMP, "command data in flight: at most %s%s, %s per session; send timeout %u s", a,
		 m->io_memory_limit ? "" : " (a quarter of the memory)", b, m->send_timeout);
}

/* The model's auth_guard into the guard's policy. */
static void srv_apply_guard(struct server *srv)
{
	const struct obj_auth_guard *a = &srv->env.model->auth_guard;
	const struct authguard_policy p = {
		.enabled = a->enabled,
		.delay_ms = a->delay_ms,
		.delay_max_ms = a->delay_max_ms,
		.lockout_failures = a->lockout_failures,
		.lockout_ms = a->lockout_time * 1000u,
	};
	struct authguard_policy was;

	authguard_get_policy(srv->guard, &was);
	if (!memcmp(&was, &p, sizeof(p)))
		return;
	authguard_set_policy(srv->guard, &p);
	if (p.enabled)
		log_info(COMP, "auth guard: failed logins delayed %u ms, doubling to %u ms; %u in a row lock an initiator or address out for %u s",
			 p.delay_ms, p.delay_max_ms, p.lockout_failures, a->lockout_time);
	else
		log_info(COMP, "auth guard: off, every failed login is logged");
}

static int64_t srv_guard_sweep(struct ev_loop *loop, void *arg)
{
	struct server *srv = arg;

	(void)loop;
	authguard_sweep(srv->guard, ev_now_ms());
	return SERVER_GUARD_SWEEP_MS;
}

static unsigned int srv_nthreads(const struct obj_model *m)
{
	long n;

	if (m->io_threads)
		return m->io_threads;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned int)n : 1;
}

static void srv_free(struct server *srv)
{
	gconf_rados_stop(srv->gconf);
	srv->gconf = NULL;
	while (srv->nlisteners)
		srv_unlisten(srv, srv->nlisteners - 1);
	free(srv->listeners);
	if (srv->sigfd >= 0) {
		ev_del_fd(srv->loop, srv->sigfd);
		close(srv->sigfd);
	}
	if (srv->spare_fd >= 0)
		close(srv->spare_fd);
	if (srv->accept_timer)
		ev_timer_cancel(srv->loop, srv->accept_timer);
	if (srv->guard_timer)
		ev_timer_cancel(srv->loop, srv->guard_timer);
	authguard_destroy(srv->guard);
	iscsi_limits_fini(&srv->limits);
	if (srv->loop)
		ev_loop_destroy(srv->loop);
	free(srv->threads);
	if (srv->env.model)
		obj_model_free(srv->env.model);
	pthread_mutex_destroy(&srv->env.lock);
	free(srv);
}

static void srv_join(struct server *srv, unsigned int n)
{
	/* Stop them all first, so that they drain in parallel. */
	for (unsigned int i = 0; i < n; i++)
		ev_stop(srv->threads[i].loop);
	for (unsigned int i = 0; i < n; i++)
		pthread_join(srv->threads[i].tid, NULL);
}

/*
 * Every connection and every open store costs a descriptor, and systemd's
 * default soft limit is 1024: take the hard limit, which is there to be
 * taken (LimitNOFILE= in the unit sets both).
 */
static void srv_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t was = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (!setrlimit(RLIMIT_NOFILE, &rl))
			log_info(COMP, "open files: limit raised from %llu to %llu",
				 (unsigned long long)was, (unsigned long long)rl.rlim_cur);
	}
	if (rl.rlim_cur < 4096)
		log_warn(COMP,
			 "open files: the limit is %llu; each connection takes one: raise LimitNOFILE= (or ulimit -Hn) for more",
			 (unsigned long long)rl.rlim_cur);
}

int server_start(struct obj_model *model, struct server **out, char *err, size_t errlen)
{
	struct server *srv;
	sigset_t mask;
	unsigned int started = 0;
	int rc;

	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		obj_model_free(model);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	srv->env.model = model;
	srv->sigfd = -1;
	srv->started = time(NULL);
	srv_raise_nofile();
	srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pthread_mutex_init(&srv->env.lock, NULL);
	srv->iscsi_env = (struct iscsi_env){
		.ops = &env_model_ops, .arg = &srv->env, .limits = &srv->limits
	};
	rc = iscsi_limits_init(&srv->limits);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		goto err_free;
	}
	srv_apply_limits(srv);
	rc = authguard_create(&(struct authguard_policy){ 0 }, &srv->guard);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		goto err_free;
	}
	srv->iscsi_env.guard = srv->guard;
	srv_apply_guard(srv);
	srv->env.alua_changed = srv_alua_changed;
	srv->env.alua_arg = srv;

	rc = ev_loop_create(&srv->loop);
	if (rc) {
		snprintf(err, errlen, "cannot create the control loop: %s", strerror(-rc));
		goto err_free;
	}
	srv->guard_timer = ev_timer_add(srv->loop, SERVER_GUARD_SWEEP_MS, srv_guard_sweep, srv);
	if (!srv->guard_timer) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto err_free;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	srv->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (srv->sigfd < 0 || ev_add_fd(srv->loop, srv->sigfd, EV_READ, on_signal, srv)) {
		rc = -errno;
		snprintf(err, errlen, "cannot watch signals: %s", strerror(errno));
		goto err_free;
	}

	srv->nthreads = srv_nthreads(model);
	srv->threads = calloc(srv->nthreads, sizeof(*srv->threads));
	if (!srv->threads) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto err_free;
	}
	for (; started < srv->nthreads; started++) {
		struct io_thread *th = &srv->threads[started];

		th->srv = srv;
		th->id = started;
		pthread_mutex_init(&th->lock, NULL);
		pthread_cond_init(&th->cond, NULL);
		rc = -pthread_create(&th->tid, NULL, io_thread_main, th);
		if (rc) {
			snprintf(err, errlen, "cannot start I/O thread %u: %s", started,
				 strerror(-rc));
			goto err_join;
		}
		pthread_mutex_lock(&th->lock);
		while (!th->ready)
			pthread_cond_wait(&th->cond, &th->lock);
		pthread_mutex_unlock(&th->lock);
		if (th->init_rc) {
			rc = th->init_rc;
			pthread_join(th->tid, NULL);
			snprintf(err, errlen, "cannot set up I/O thread %u: %s", started,
				 strerror(-rc));
			goto err_join;
		}
	}
	/* a group's gateway serves the group's ACLs from its first login on */
	if (model->shared.group[0]) {
		const struct ctl_host host = { &srv_host_ops, srv };

		rc = gconf_rados_start(&model->shared, srv->loop, &host, &srv->gconf, err, errlen);
		if (rc)
			goto err_join;
		model = srv->env.model;
	}
	rc = srv_sync_listeners(srv, err, errlen);
	if (rc)
		goto err_join;
	if (model->control_socket[0]) {
		rc = ctl_server_start(srv->loop, model->control_socket, "porticod", NULL,
				      srv_ctl_handle, srv, &srv->ctl, err, errlen);
		if (rc)
			goto err_join;
	}
	log_info(COMP, "serving %zu target(s), %zu backstore(s) with %u I/O thread(s)",
		 model->ntargets, model->nbackstores, srv->nthreads);
	srv_notify_ready(srv);
	*out = srv;
	return 0;

err_join:
	srv_join(srv, started);
err_free:
	srv_free(srv);
	return rc;
}

int server_run(struct server *srv)
{
	return ev_run(srv->loop);
}

static void thread_logout(void *arg)
{
	iscsi_request_logout_all((unsigned int)(uintptr_t)arg);
}

void server_stop(struct server *srv, unsigned int logout_wait_s)
{
	/* Stop accepting first, then let initiators log out cleanly. */
	if (srv->ctl) {
		ctl_server_stop(srv->ctl);
		srv->ctl = NULL;
	}
	gconf_rados_stop(srv->gconf);
	srv->gconf = NULL;
	while (srv->nlisteners)
		srv_unlisten(srv, srv->nlisteners - 1);
	if (logout_wait_s) {
		for (unsigned int i = 0; i < srv->nthreads; i++)
			ev_post(srv->threads[i].loop, thread_logout,
				(void *)(uintptr_t)logout_wait_s);
		/* Bounded wait; sessions that log out close themselves meanwhile. */
		for (unsigned int i = 0; i < logout_wait_s * 10 && iscsi_conn_total(); i++)
			ev_run_once(srv->loop, 100);
	}
	srv_join(srv, srv->nthreads);
	bs_shutdown();
	srv_free(srv);
}

/* ---- what the control socket changes (struct ctl_host_ops) ---- */

static struct obj_model *host_model(void *arg)
{
	struct server *srv = arg;

	return srv->env.model;
}

static void host_model_lock(void *arg)
{
	struct server *srv = arg;

	pthread_mutex_lock(&srv->env.lock);
}

static void host_model_unlock(void *arg)
{
	struct server *srv = arg;

	pthread_mutex_unlock(&srv->env.lock);
}

static int host_listen_check(void *arg, const struct net_portal *p, char *err, size_t errlen)
{
	return srv_listen_check(arg, p, err, errlen);
}

static void thread_refresh(void *arg)
{
	(void)arg;
	iscsi_refresh_sessions();
}

static int host_replace_model(void *arg, struct obj_model *m, char *err, size_t errlen)
{
	struct server *srv = arg;
	struct obj_model *old;
	int rc;

	pthread_mutex_lock(&srv->env.lock);
	old = srv->env.model;
	srv->env.model = m;
	pthread_mutex_unlock(&srv->env.lock);
	/* Sessions' maps hold their own references: the LUs they use outlive the old model. */
	obj_model_free(old);
	srv_apply_limits(srv);
	srv_apply_guard(srv);
	rc = srv_sync_listeners(srv, err, errlen);
	/*
	 * Each I/O thread rebuilds the LUN maps of its own sessions, raises
	 * the unit attentions and logs out those that lost their ACL. A post
	 * that fails (ENOMEM) leaves that thread's sessions on their old
	 * maps until the next change: logged, nothing else to do.
	 */
	for (unsigned int i = 0; i < srv->nthreads; i++)
		if (ev_post(srv->threads[i].loop, thread_refresh, NULL))
			log_warn(COMP, "I/O thread %u: cannot pass on a configuration change", i);
	return rc;
}

static unsigned int host_io_threads(void *arg)
{
	const struct server *srv = arg;

	return srv->nthreads;
}

static time_t host_started(void *arg)
{
	const struct server *srv = arg;

	return srv->started;
}

static const struct iscsi_limits *host_limits(void *arg)
{
	const struct server *srv = arg;

	return &srv->limits;
}

static struct authguard *host_auth_guard(void *arg)
{
	const struct server *srv = arg;

	return srv->guard;
}

static const char *host_group_doc(void *arg, size_t *len)
{
	const struct server *srv = arg;

	*len = 0;
	return srv->gconf ? gconf_rados_doc(srv->gconf, len) : NULL;
}

static int host_group_propose(void *arg, const char *doc, size_t len, char *err, size_t errlen)
{
	struct server *srv = arg;

	if (!srv->gconf) {
		snprintf(err, errlen, "this gateway has not joined its group");
		return -EOPNOTSUPP;
	}
	return gconf_rados_propose(srv->gconf, doc, len, err, errlen);
}

static const struct ctl_host_ops srv_host_ops = {
	.model = host_model,
	.model_lock = host_model_lock,
	.model_unlock = host_model_unlock,
	.listen_check = host_listen_check,
	.replace_model = host_replace_model,
	.io_threads = host_io_threads,
	.started = host_started,
	.limits = host_limits,
	.auth_guard = host_auth_guard,
	.group_doc = host_group_doc,
	.group_propose = host_group_propose,
};

/* The control socket's handler: the control operations, over this daemon. */
static void srv_ctl_handle(void *arg, const struct ctl_request *req, struct ctl_reply *out)
{
	struct server *srv = arg;
	const struct ctl_host host = { &srv_host_ops, srv };
	bool reload = !strcmp(req->op, "restoreconfig");

	/* A restore is the service manager's reload: the same steps (docs/install.md). */
	if (reload)
		notify_reloading();
	ctl_ops_handle(&host, req, out);
	if (reload)
		srv_notify_ready(srv);
}

/* On the control thread: ALUA states an initiator set become the configuration's. */
static void srv_alua_sync(void *arg)
{
	struct server *srv = arg;
	const struct ctl_host host = { &srv_host_ops, srv };

	ctl_ops_alua_changed(&host);
}

/* On an I/O thread, after SET TARGET PORT GROUPS: the model changes on the control thread only. */
static void srv_alua_changed(void *arg)
{
	struct server *srv = arg;

	if (ev_post(srv->loop, srv_alua_sync, srv))
		log_warn(COMP, "ALUA states set by an initiator are live but not saved: out of memory");
}

/* ---- the service manager (common/notify.h) ---- */

/* READY=1 with what is served: after start-up and after each reload, failed or not. */
static void srv_notify_ready(struct server *srv)
{
	const struct obj_model *m = srv->env.model;
	char status[160];

	snprintf(status, sizeof(status), "serving %zu target(s), %zu backstore(s) on %zu portal(s)",
		 m->ntargets, m->nbackstores, srv->nlisteners);
	notify_ready(status);
}

/*
 * SIGHUP: porticod's own file, read again and served the way
 * 'portico restoreconfig clear_existing=true' serves it (ctl_ops.c), so a
 * signal and the shell apply a file by the same steps. A file that does
 * not load changes nothing; the log says why.
 */
static void srv_reload(struct server *srv)
{
	struct ctl_request req = { .op = "restoreconfig", .path = "/" };
	struct ctl_reply out;

	req.args = json_object_new_object();
	if (!req.args ||
	    json_object_object_add(req.args, "clear_existing", json_object_new_boolean(1))) {
		log_err(COMP, "SIGHUP: cannot reload: out of memory");
		json_object_put(req.args);
		return;
	}
	log_info(COMP, "SIGHUP: reloading '%s'", srv->env.model->path);
	srv_ctl_handle(srv, &req, &out);
	if (out.err)
		log_err(COMP, "reload refused, the served configuration stays: %s", out.message);
	json_object_put(out.result);
	json_object_put(req.args);
}
