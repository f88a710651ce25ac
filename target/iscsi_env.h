/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The served model as the iSCSI transport's environment (target/iscsi_env.c).
 * The daemon owns one env_model: the model it serves and the lock that the
 * login path reads it under and the control thread changes it under. The
 * data path never takes the lock.
 */
#ifndef PORTICO_TARGET_ISCSI_ENV_H
#define PORTICO_TARGET_ISCSI_ENV_H

#include <pthread.h>

#include "target/iscsi/iscsi.h"
#include "target/model/obj.h"

struct env_model {
	pthread_mutex_t lock;
	struct obj_model *model;
	/*
	 * An initiator changed ALUA states (SET TARGET PORT GROUPS): called on
	 * its I/O thread, to pass it to the control thread. May be NULL.
	 */
	void (*alua_changed)(void *arg);
	void *alua_arg;
};

/* The transport's ops, answered from an env_model (their arg). */
extern const struct iscsi_env_ops env_model_ops;

#endif
