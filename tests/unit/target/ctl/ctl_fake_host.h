/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A stand-in daemon behind struct ctl_host_ops, shared by the control
 * operations' unit test (ctl_ops_test.c) and their fuzzer (fuzz_ctl.c):
 * one thread, so the model lock has nobody to keep out; no listeners to
 * bind (a portal is as good as bound) and no I/O threads to pass a change
 * on to. It counts what the operations asked of it, so that a test can
 * tell a change that reached the daemon from one that did not.
 *
 * Everything is static: include it in one file of a program.
 */
#ifndef PORTICO_TESTS_CTL_FAKE_HOST_H
#define PORTICO_TESTS_CTL_FAKE_HOST_H

#include <time.h>

#include "target/ctl/ctl_host.h"
#include "target/iscsi/iscsi.h"
#include "target/model/obj.h"

struct fake_host {
	struct obj_model *model; /* served; replace_model frees the one it replaces */
	time_t started;
	unsigned int replaced; /* replace_model calls: changes that reached the daemon */
	unsigned int listened; /* listen_check calls */
	struct iscsi_limits limits; /* what status shows of them */
	struct authguard *guard; /* NULL: none */
};

static struct obj_model *fake_host_model(void *arg)
{
	return ((struct fake_host *)arg)->model;
}

static void fake_host_lock(void *arg)
{
	(void)arg;
}

static int fake_host_listen_check(void *arg, const struct net_portal *p, char *err,
				  size_t errlen)
{
	(void)p;
	(void)err;
	(void)errlen;
	((struct fake_host *)arg)->listened++;
	return 0;
}

static int fake_host_replace_model(void *arg, struct obj_model *m, char *err, size_t errlen)
{
	struct fake_host *h = arg;
	struct obj_model *old = h->model;

	(void)err;
	(void)errlen;
	h->model = m;
	obj_model_free(old);
	h->replaced++;
	return 0;
}

static unsigned int fake_host_io_threads(void *arg)
{
	(void)arg;
	return 2;
}

static time_t fake_host_started(void *arg)
{
	return ((struct fake_host *)arg)->started;
}

static const struct iscsi_limits *fake_host_limits(void *arg)
{
	return &((struct fake_host *)arg)->limits;
}

static struct authguard *fake_host_auth_guard(void *arg)
{
	return ((struct fake_host *)arg)->guard;
}

static const struct ctl_host_ops fake_host_ops = {
	.model = fake_host_model,
	.model_lock = fake_host_lock,
	.model_unlock = fake_host_lock,
	.listen_check = fake_host_listen_check,
	.replace_model = fake_host_replace_model,
	.io_threads = fake_host_io_threads,
	.started = fake_host_started,
	.limits = fake_host_limits,
	.auth_guard = fake_host_auth_guard,
};

#endif
