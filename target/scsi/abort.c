/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Aborts that reach other I_T nexuses (scsi.h, struct scsi_abort): the
 * counter, and the walk over an LU's nexuses. The transport does the
 * aborting itself, on each nexus's own thread (struct scsi_nexus.abort_lu).
 */
#include <pthread.h>

#include "target/scsi/scsi_int.h"

void scsi_abort_hold(struct scsi_abort *ab)
{
	__atomic_add_fetch(&ab->pending, 1, __ATOMIC_RELAXED);
}

void scsi_abort_release(struct scsi_abort *ab)
{
	if (__atomic_sub_fetch(&ab->pending, 1, __ATOMIC_ACQ_REL) == 0)
		ab->done(ab);
}

void scsi_lu_abort_tasks(struct scsi_lu *lu, const struct scsi_nexus *except, struct scsi_abort *ab)
{
	struct scsi_itl *itl;

	pthread_mutex_lock(&lu->lock);
	list_for_each_entry(itl, &lu->itls, node)
	{
		/* an attached nexus is alive while the list is locked (scsi_itl_destroy) */
		if (itl->nx && itl->nx != except && itl->nx->abort_lu)
			itl->nx->abort_lu(itl->nx, lu, ab);
	}
	pthread_mutex_unlock(&lu->lock);
}
