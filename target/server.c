/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The running target. The control thread (the caller of server_run) owns
 * the listening sockets, the signals and the control socket; each accepted
 * connection is handed to an I/O thread, round robin, and lives there for
 * its life.
 *
 * The model changes only on the control thread (target/ctl_ops.c), under
 * model_lock. The I/O threads take the lock only for the questions of the
 * login path (who may log in, with which credentials, which LUNs): copies
 * of what they need leave the lock, pointers into the model never do. The
 * data path reads the session's own LUN map and never takes it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/ev.h"
#include "common/iscsi_name.h"
#include "common/log.h"
#include "common/util.h"
#include "target/backstore/bs.h"
#include "target/iscsi/iscsi.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/ctl_server.h"
#include "target/server.h"

#define COMP "server"
#define SERVER_LISTEN_BACKLOG 256

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
	struct obj_portal portal;
	int fd;
};

struct server {
	pthread_mutex_t model_lock;
	struct obj_model *model;
	struct ev_loop *loop; /* control */
	struct io_thread *threads;
	unsigned int nthreads;
	unsigned int next_thread;
	struct srv_listener *listeners;
	size_t nlisteners;
	int sigfd;
	struct ctl_server *ctl;
	time_t started;
};

/* ---- the transport's questions ---- */

static void srv_limits(const struct obj_tpg_params *p, struct param_limits *l)
{
	param_limits_default(l);
	l->max_recv_dsl = p->max_recv_dsl;
	l->max_burst = p->max_burst;
	l->first_burst = p->first_burst;
	l->max_outstanding_r2t = p->max_outstanding_r2t;
	l->initial_r2t = p->initial_r2t;
	l->immediate_data = p->immediate_data;
	l->header_digest = p->header_digest;
	l->data_digest = p->data_digest;
	l->header_digest_required = p->header_digest_required;
	l->data_digest_required = p->data_digest_required;
	l->default_time2wait = p->default_time2wait;
	l->default_time2retain = p->default_time2retain;
}

static const struct obj_tpg *srv_find_tpg(const struct obj_model *m, const char *target,
					  uint16_t tag)
{
	const struct obj_target *t = obj_find_target(m, target);

	for (size_t i = 0; t && i < t->ntpgs; i++)
		if (t->tpgs[i].tag == tag)
			return &t->tpgs[i];
	return NULL;
}

static void local_text(const struct sockaddr *local, unsigned int port, char *buf, size_t len);

/* The address and port a connection arrived on, for log messages. */
static void srv_portal_text(const struct sockaddr *local, char *buf, size_t len)
{
	unsigned int port = local->sa_family == AF_INET6 ?
				    ntohs(((const struct sockaddr_in6 *)local)->sin6_port) :
				    ntohs(((const struct sockaddr_in *)local)->sin_port);

	local_text(local, port, buf, len);
}

static uint16_t srv_authorize_locked(struct server *srv, enum iscsi_session_type type,
				     const char *initiator, const char *target,
				     const struct sockaddr *local, socklen_t locallen,
				     const struct sockaddr *peer, socklen_t peerlen,
				     struct param_limits *limits, uint16_t *tpg_tag, char *alias,
				     size_t aliaslen)
{
	const struct obj_target *t;
	const struct obj_tpg *tpg;
	const struct obj_acl *acl;
	struct obj_tpg_params defaults;
	char portal[96];

	if (type == ISCSI_SESSION_DISCOVERY) {
		/* Anyone may ask; SendTargets shows each initiator only what its ACLs allow. */
		obj_tpg_params_default(&defaults);
		srv_limits(&defaults, limits);
		/* RFC 7143 §12.1: with discovery_auth, discovery needs CHAP too. */
		if (srv->model->discovery_auth.userid[0])
			limits->auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
		*tpg_tag = 0;
		return ISCSI_LOGIN_OK;
	}
	t = obj_find_target(srv->model, target);
	if (!t) {
		log_warn(COMP, "login of '%s' refused: no target '%s'", initiator, target);
		return ISCSI_LOGIN_NOT_FOUND;
	}
	tpg = obj_tpg_for_addr(t, local, locallen);
	if (!tpg) {
		log_warn(COMP, "login of '%s' refused: target '%s' has no portal on this address",
			 initiator, target);
		return ISCSI_LOGIN_NOT_FOUND;
	}
	if (!obj_initiator_allowed(tpg, initiator)) {
		srv_portal_text(local, portal, sizeof(portal));
		log_warn(COMP, "login of '%s' to '%s' tpg %u refused at portal %s: no such ACL",
			 initiator, target, tpg->tag, portal);
		return ISCSI_LOGIN_AUTHORIZATION_FAILURE;
	}
	acl = obj_find_acl(tpg, initiator);
	/* The TPG's and the ACL's allow lists (docs/configuration.md): 02/02, as without an ACL. */
	if (!obj_peer_allowed(tpg, acl, peer, peerlen)) {
		char from[96];

		srv_portal_text(local, portal, sizeof(portal));
		srv_portal_text(peer, from, sizeof(from));
		log_warn(COMP,
			 "login of '%s' to '%s' tpg %u refused at portal %s: address %s is not in the allowed addresses",
			 initiator, target, tpg->tag, portal, from);
		return ISCSI_LOGIN_AUTHORIZATION_FAILURE;
	}
	srv_limits(&tpg->params, limits);
	/*
	 * A secret that is configured is checked: CHAP for an initiator whose
	 * ACL has credentials, and for every initiator of a TPG that requires
	 * authentication; None for the others.
	 */
	if (tpg->attrs.authentication || (acl && acl->chap.userid[0]))
		limits->auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
	*tpg_tag = tpg->tag;
	snprintf(alias, aliaslen, "%s", t->alias);
	return ISCSI_LOGIN_OK;
}

static uint16_t srv_authorize(void *arg, enum iscsi_session_type type, const char *initiator,
			      const char *target, const struct sockaddr *local, socklen_t locallen,
			      const struct sockaddr *peer, socklen_t peerlen,
			      struct param_limits *limits, uint16_t *tpg_tag, char *alias,
			      size_t aliaslen)
{
	struct server *srv = arg;
	uint16_t st;

	pthread_mutex_lock(&srv->model_lock);
	st = srv_authorize_locked(srv, type, initiator, target, local, locallen, peer, peerlen,
				  limits, tpg_tag, alias, aliaslen);
	pthread_mutex_unlock(&srv->model_lock);
	return st;
}

/* The name and secret of one side, strings from the model, as CHAP takes them. */
static void srv_chap_secret(const char *name, const char *secret, struct chap_secret *out)
{
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->secret_len = MIN(strlen(secret), sizeof(out->secret));
	memcpy(out->secret, secret, out->secret_len);
}

static int srv_chap_credentials(void *arg, const char *initiator, const char *target,
				const struct sockaddr *local, socklen_t locallen,
				struct chap_creds *out)
{
	struct server *srv = arg;
	const struct obj_chap *chap;
	int rc = 0;

	/* Read at every login: a secret changed over the control socket applies to the next one. */
	pthread_mutex_lock(&srv->model_lock);
	chap = &srv->model->discovery_auth;
	if (target) {
		const struct obj_target *t = obj_find_target(srv->model, target);
		const struct obj_tpg *tpg = t ? obj_tpg_for_addr(t, local, locallen) : NULL;
		const struct obj_acl *acl = tpg ? obj_find_acl(tpg, initiator) : NULL;

		chap = acl ? &acl->chap : NULL;
	}
	if (!chap) {
		rc = -ENOENT;
	} else if (!chap->userid[0]) {
		rc = -ENODATA;
	} else {
		memset(out, 0, sizeof(*out));
		srv_chap_secret(chap->userid, chap->password, &out->initiator);
		srv_chap_secret(chap->mutual_userid, chap->mutual_password, &out->target);
	}
	pthread_mutex_unlock(&srv->model_lock);
	return rc;
}

static bool portal_is_wildcard(const struct obj_portal *p)
{
	if (p->addr.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&p->addr)->sin_addr.s_addr == htonl(INADDR_ANY);
	if (p->addr.ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&p->addr)->sin6_addr);
	return false;
}

/* "a.b.c.d:port" or "[v6]:port" for a wildcard portal: the address the initiator reached. */
static void local_text(const struct sockaddr *local, unsigned int port, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "";

	if (local->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)local;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], host, sizeof(host));
			snprintf(buf, len, "%s:%u", host, port);
			return;
		}
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, port);
		return;
	}
	inet_ntop(AF_INET, &((const struct sockaddr_in *)local)->sin_addr, host, sizeof(host));
	snprintf(buf, len, "%s:%u", host, port);
}

static unsigned int portal_port(const struct obj_portal *p)
{
	if (p->addr.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&p->addr)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&p->addr)->sin_port);
}

static int srv_sendtargets_locked(const struct obj_model *m, const char *initiator,
				  const char *session_target, const struct sockaddr *local,
				  const struct sockaddr *peer, socklen_t peerlen, const char *value,
				  struct text_buf *out)
{
	bool all = !strcmp(value, "All");
	int rc;

	for (size_t i = 0; i < m->ntargets; i++) {
		const struct obj_target *t = &m->targets[i];
		bool named = false;

		/* RFC 7143 §12.1: in a normal session only the session's own target. */
		if (session_target && !iscsi_name_equal(t->iqn, session_target))
			continue;
		if (!all && value[0] && !iscsi_name_equal(value, t->iqn))
			continue;
		for (size_t j = 0; j < t->ntpgs; j++) {
			const struct obj_tpg *tpg = &t->tpgs[j];

			/* not a TPG the initiator could log in to from where it is */
			if (!obj_tpg_discoverable(tpg, initiator, peer, peerlen))
				continue;
			if (!named) {
				rc = text_buf_add(out, "TargetName", t->iqn);
				if (rc)
					return rc;
				named = true;
			}
			for (size_t k = 0; k < tpg->nportals; k++) {
				const struct obj_portal *p = &tpg->portals[k];
				char addr[96];

				if (portal_is_wildcard(p))
					local_text(local, portal_port(p), addr, sizeof(addr));
				else
					snprintf(addr, sizeof(addr), "%s", p->text);
				rc = text_buf_addf(out, "TargetAddress", "%s,%u", addr, tpg->tag);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

static int srv_sendtargets(void *arg, const char *initiator, const char *session_target,
			   const struct sockaddr *local, socklen_t locallen,
			   const struct sockaddr *peer, socklen_t peerlen, const char *value,
			   struct text_buf *out)
{
	struct server *srv = arg;
	int rc;

	(void)locallen;
	pthread_mutex_lock(&srv->model_lock);
	rc = srv_sendtargets_locked(srv->model, initiator, session_target, local, peer, peerlen,
				    value, out);
	pthread_mutex_unlock(&srv->model_lock);
	return rc;
}

static int srv_session_conf(void *arg, const char *initiator, const char *target, uint16_t tag,
			    struct iscsi_session_conf *out)
{
	struct server *srv = arg;
	const struct obj_tpg *tpg;
	int rc = -ENOENT;

	pthread_mutex_lock(&srv->model_lock);
	tpg = srv_find_tpg(srv->model, target, tag);
	if (tpg) {
		rc = obj_lun_map_build(tpg, initiator, &out->map);
		if (!rc)
			out->attrs = tpg->attrs;
	}
	pthread_mutex_unlock(&srv->model_lock);
	return rc;
}

static void srv_session_conf_release(void *arg, struct iscsi_session_conf *conf)
{
	(void)arg;
	obj_lun_map_free(conf->map);
	conf->map = NULL;
}

static const struct iscsi_env_ops srv_env_ops = {
	.authorize = srv_authorize,
	.chap_credentials = srv_chap_credentials,
	.sendtargets = srv_sendtargets,
	.session_conf = srv_session_conf,
	.session_conf_release = srv_session_conf_release,
};

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
	bs_thread_fini();
	iscsi_thread_release_buffers();
	ev_loop_destroy(th->loop);
	return NULL;
}

static void conn_handoff(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct ev_loop *loop = ev_current();

	if (iscsi_conn_start(loop, fd))
		log_warn(COMP, "cannot start a connection: out of memory");
}

static void on_accept(struct ev_loop *loop, int lfd, uint32_t events, void *arg)
{
	struct server *srv = arg;

	(void)loop;
	(void)events;
	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct io_thread *th;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn(COMP, "accept failed: %s", strerror(errno));
			return;
		}
		th = &srv->threads[srv->next_thread++ % srv->nthreads];
		if (ev_post(th->loop, conn_handoff, (void *)(intptr_t)fd)) {
			close(fd);
			log_warn(COMP, "cannot hand a connection to an I/O thread");
		}
	}
}

static void on_signal(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	log_info(COMP, "signal %u: shutting down", si.ssi_signo);
	ev_stop(loop);
}

static int srv_listen(struct server *srv, const struct obj_portal *p, char *err, size_t errlen)
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
	if (ev_add_fd(srv->loop, fd, EV_READ, on_accept, srv)) {
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
	ev_del_fd(srv->loop, srv->listeners[i].fd);
	close(srv->listeners[i].fd);
	srv->listeners[i] = srv->listeners[--srv->nlisteners];
}

static bool srv_listening(const struct server *srv, const struct obj_portal *p)
{
	for (size_t i = 0; i < srv->nlisteners; i++)
		if (obj_portal_equal(&srv->listeners[i].portal, p))
			return true;
	return false;
}

static bool model_has_portal(const struct obj_model *m, const struct obj_portal *p)
{
	for (size_t i = 0; i < m->ntargets; i++)
		for (size_t j = 0; j < m->targets[i].ntpgs; j++) {
			const struct obj_tpg *tpg = &m->targets[i].tpgs[j];

			for (size_t k = 0; k < tpg->nportals; k++)
				if (obj_portal_equal(&tpg->portals[k], p))
					return true;
		}
	return false;
}

int server_listen_check(struct server *srv, const struct obj_portal *p, char *err, size_t errlen)
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
	const struct obj_model *m = srv->model;
	int rc = 0;

	for (size_t i = srv->nlisteners; i-- > 0;)
		if (!model_has_portal(m, &srv->listeners[i].portal))
			srv_unlisten(srv, i);
	for (size_t i = 0; i < m->ntargets; i++) {
		for (size_t j = 0; j < m->targets[i].ntpgs; j++) {
			const struct obj_tpg *tpg = &m->targets[i].tpgs[j];

			for (size_t k = 0; k < tpg->nportals; k++) {
				int r = server_listen_check(srv, &tpg->portals[k], err, errlen);

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
	while (srv->nlisteners)
		srv_unlisten(srv, srv->nlisteners - 1);
	free(srv->listeners);
	if (srv->sigfd >= 0) {
		ev_del_fd(srv->loop, srv->sigfd);
		close(srv->sigfd);
	}
	if (srv->loop)
		ev_loop_destroy(srv->loop);
	free(srv->threads);
	if (srv->model)
		obj_model_free(srv->model);
	pthread_mutex_destroy(&srv->model_lock);
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
	srv->model = model;
	srv->sigfd = -1;
	srv->started = time(NULL);
	pthread_mutex_init(&srv->model_lock, NULL);
	iscsi_set_env(&srv_env_ops, srv);

	rc = ev_loop_create(&srv->loop);
	if (rc) {
		snprintf(err, errlen, "cannot create the control loop: %s", strerror(-rc));
		goto err_free;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
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
	rc = srv_sync_listeners(srv, err, errlen);
	if (rc)
		goto err_join;
	if (model->control_socket[0]) {
		rc = ctl_server_start(srv, srv->loop, model->control_socket, &srv->ctl, err,
				      errlen);
		if (rc)
			goto err_join;
	}
	log_info(COMP, "serving %zu target(s), %zu backstore(s) with %u I/O thread(s)",
		 model->ntargets, model->nbackstores, srv->nthreads);
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

/* ---- what the control socket changes ---- */

struct obj_model *server_model(struct server *srv)
{
	return srv->model;
}

void server_model_lock(struct server *srv)
{
	pthread_mutex_lock(&srv->model_lock);
}

void server_model_unlock(struct server *srv)
{
	pthread_mutex_unlock(&srv->model_lock);
}

static void thread_refresh(void *arg)
{
	(void)arg;
	iscsi_refresh_sessions();
}

int server_changed(struct server *srv, char *err, size_t errlen)
{
	int rc = srv_sync_listeners(srv, err, errlen);

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

int server_replace_model(struct server *srv, struct obj_model *m, char *err, size_t errlen)
{
	struct obj_model *old;

	pthread_mutex_lock(&srv->model_lock);
	old = srv->model;
	srv->model = m;
	pthread_mutex_unlock(&srv->model_lock);
	/* Sessions' maps hold their own references: the LUs they use outlive the old model. */
	obj_model_free(old);
	return server_changed(srv, err, errlen);
}

unsigned int server_io_threads(const struct server *srv)
{
	return srv->nthreads;
}

time_t server_started(const struct server *srv)
{
	return srv->started;
}
