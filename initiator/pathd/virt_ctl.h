/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathd's libvirt pools, as the daemon holds them (initiator/pathd/virt_ctl.c):
 * the worker (virt_sync.h) started on pathd's loop, views and pathd.conf,
 * and the control verbs portico-path libvirt sends:
 *
 *   show /libvirt          {form}  the pools' XML, the LUNs, the problems, the refresh
 *   define /libvirt        {form}  queue a definition: answers {job}
 *   undefine /libvirt      {form}  queue the removal of pathd's pools: answers {job}
 *   show /libvirt/jobs/N           a job's state and results
 *
 * form: "multipath" (the default; for undefine every form), "iscsi" or "all".
 */
#ifndef PORTICO_INITIATOR_VIRT_CTL_H
#define PORTICO_INITIATOR_VIRT_CTL_H

#include <stdbool.h>
#include <stddef.h>

struct pathd;
struct ctl_request;
struct ctl_reply;
struct json_object;

/* Starts pd->virt when pd->env has libvirt ops (NULL: no libvirt, and no verb). 0 or -errno. */
int virt_pathd_start(struct pathd *pd, char *err, size_t errlen);
/* Answers req when it is one of the verbs above (true), else leaves it (false). */
bool virt_ctl_handle(struct pathd *pd, const struct ctl_request *req, struct ctl_reply *out);
/* Appends show status's lines about libvirt to conds (a JSON array). */
void virt_ctl_conditions(struct pathd *pd, struct json_object *conds);

#endif
