/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathd.conf (initiator/pathd/conf.c; the reference is docs/pathd.md, the
 * commented example conf/pathd.conf): one libconfig file. A bad file is
 * refused with "FILE:LINE: what is wrong and what to write instead", as
 * porticod's configuration is.
 */
#ifndef PORTICO_INITIATOR_PATHD_CONF_H
#define PORTICO_INITIATOR_PATHD_CONF_H

#include <stdbool.h>

#include "common/cfg.h"
#include "common/log.h"
#include "initiator/adapt/iscsiadm.h"
#include "initiator/pathd/virt_conf.h"
#include "mpath/sm.h"

#define PATHD_CONF_DEFAULT "/etc/portico/pathd.conf"
#define PATHD_SOCKET_DEFAULT "/run/portico/pathd.sock"
#define PATHD_INITIATORNAME_FILE "/etc/iscsi/initiatorname.iscsi"
#define PATHD_DROPIN_DEFAULT "/etc/multipath/conf.d/portico-pathd.conf"
#define PATHD_SCAN_INTERVAL_DEFAULT 5 /* seconds: as multipathd's polling_interval */

struct pathd_conf {
	char path[4096];	/* the file it came from */
	struct mp_config mp;	/* discovery addresses, targets, NICs, aliases, policy */
	char initiator[MP_TARGET_MAX]; /* this host's IQN */
	struct iadm_chap discovery_chap;
	struct iadm_chap session_chap;
	char control_socket[108];
	char multipath_dropin[4096]; /* the drop-in that keeps multipathd off our WWIDs */
	unsigned int scan_interval_s; /* sysfs and dm checks between events */
	enum log_level log_level;
	char debug[256];
	struct virt_conf virt; /* the libvirt pools (virt_conf.h) */
	/*
	 * Added for the loader's callers: whether initiator came from
	 * initiatorname_file (for the start-up log line), and a warning to
	 * log, "" when none (a file with CHAP secrets that group or others
	 * may read, as porticod warns). The loader does not log it itself:
	 * log_level is in this very file, and tests read it here.
	 */
	bool initiator_from_file;
	char warning[2 * 4096 + 128]; /* names the file twice */
};

/*
 * Reads path into *out (zeroed first, defaults filled). The initiator name,
 * when the file gives none, is read from initiatorname_file
 * (PATHD_INITIATORNAME_FILE; tests pass another). 0, or -errno with
 * "FILE:LINE: ..." in err ("FILE: ..." where no line is at fault: a file
 * that cannot be read, a required key that is missing); the caller frees
 * *out with pathd_conf_free() either way. No message ever holds a secret.
 */
int pathd_conf_load(const char *path, const char *initiatorname_file, struct pathd_conf *out,
		    struct cfg_err *err);
/* Frees what c holds and wipes its CHAP secrets; c is zeroed, safe to free again. */
void pathd_conf_free(struct pathd_conf *c);

#endif
