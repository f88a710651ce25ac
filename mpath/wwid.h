/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The WWID of a LUN, made from its Device Identification VPD page (83h) as
 * the host's own tools make it, so that a map portico-pathd names by it is
 * the map multipath-tools names (mpath/wwid.c says who decides what, and
 * why). Pure: bytes in, a string out.
 */
#ifndef PORTICO_MPATH_WWID_H
#define PORTICO_MPATH_WWID_H

#include <stddef.h>
#include <stdint.h>

/*
 * multipath-tools' WWID_SIZE: a WWID is at most 127 characters; longer ones
 * are cut there, as multipath-tools cuts them. A buffer of this size always
 * holds the answer.
 */
#define MP_WWID_SIZE 128

/*
 * The WWID multipath-tools 0.9.4 names the LUN's map by on Debian 12 with
 * its default configuration: udev's ID_SERIAL as sg3-utils-udev's rules set
 * it (55-scsi-sg3_id.rules, from sg_inq --export). vpd83[0..vpd83_len) is
 * the whole page 83h; inq[0..inq_len) the standard INQUIRY data, needed only
 * for a vendor specific designator (NULL: such a designator is not used).
 *
 * Writes the WWID, NUL-terminated, into wwid[0..size) and returns its length.
 * Errors, each with *why (if why is not NULL) set to a static string a log
 * line can carry:
 *   -ENODATA    no usable logical unit designator: the LUN has no WWID here;
 *   -EMSGSIZE   vpd83_len holds less than the page says: read it again with
 *               a larger allocation length;
 *   -EPROTO     not page 83h;
 *   -EBADMSG    a descriptor runs past the page before any usable one (the
 *               designators before a broken one are used, as udev's are);
 *   -ENOSPC     size is too small for the WWID.
 */
int mp_wwid(const uint8_t *vpd83, size_t vpd83_len, const uint8_t *inq, size_t inq_len, char *wwid,
	    size_t size, const char **why);

/*
 * The WWID udev's ID_SERIAL holds where systemd's scsi_id sets it (Debian
 * without sg3-utils-udev, as in the VM lab's guest): scsi_id --export
 * --whitelisted, systemd 252. Arguments and errors as mp_wwid().
 */
int mp_wwid_scsi_id(const uint8_t *vpd83, size_t vpd83_len, const uint8_t *inq, size_t inq_len,
		    char *wwid, size_t size, const char **why);

/*
 * The WWID multipath-tools 0.9.4 makes itself, without udev
 * (parse_vpd_pg83): with uid_attribute "" in multipath.conf, or when udev
 * gave a path no ID_SERIAL. Arguments and errors as mp_wwid().
 */
int mp_wwid_multipath(const uint8_t *vpd83, size_t vpd83_len, char *wwid, size_t size,
		      const char **why);

#endif
