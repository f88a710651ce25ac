# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: changes on the target while the guest is logged in, as an
# administrator makes them and checks them after a rescan
# (iscsiadm -m session --rescan):
#  - a LUN added: it appears through both portals, with its size and one WWID;
#  - a backstore grown: the disk's new size shows on both paths, and what
#    was written before is still there;
#  - a mapping removed: REPORT LUNS no longer lists it, its old disks answer
#    "logical unit not supported", and deleting them removes their links;
#  - the unit attentions the kernel reports (its "sd H:C:T:L: ..." warnings).
# With porticod the host makes the three changes live, one at a time, with
# portico through porticod's control socket (request target-live-change
# add|grow|unmap, tests/vm/target.sh; removing the mapping the guest uses is
# refused there unless forced). Nothing restarts: the guest keeps the same
# sessions on the same TCP connections, with no connection error and no
# POWER ON/RESET (29/xx) on the LUNs it had; each added or removed mapping
# shows as REPORTED LUNS DATA HAS CHANGED (3F/0E) on both sessions, the
# resize as CAPACITY DATA HAS CHANGED (2A/09) on the grown LUN's two paths
# and on no other disk. The kernel (Debian 12's 6.1, scsi_report_sense)
# logs them as:
#   sd H:C:T:L: LUN assignments on this target have changed. The Linux SCSI
#     layer does not automatically remap LUN assignments.
#   sd H:C:T:L: Capacity data has changed
#   sd H:C:T:L: Power-on or device reset occurred
# and only when a command meets them: after each change the guest sends
# TEST UNIT READY to its disks until they answer GOOD.
# tgt cannot resize a LUN live: with it the host restarts the target with
# the changed configuration ("changed" variant), the sessions reconnect, and
# the unit attention expected is POWER ON/RESET on the LUNs there before.
. /portico/run.env
. /portico/lib.sh

LUNCHG='LUN assignments on this target have changed'
CAPCHG='Capacity data has changed'
RESET='Power-on or device reset occurred'

# whatever happens, the next scenario finds the base configuration
restore() {
	lab_reset
	host target-restart base >/dev/null || echo "the host could not restore the target" >&2
}
trap restore EXIT

connect_all
fs=$(lab_lun_of fs)
thin=$(lab_lun_of thin)
fio=$(lab_lun_of fio)
extra=$(for e in $LUNS_CHANGED; do b=${e#*:}; [ "${b%%:*}" = extra ] && echo "${e%%:*}"; done)
size_of_changed() { for e in $LUNS_CHANGED; do b=${e#*:}; [ "${b%%:*}" = "$1" ] && echo "${b#*:}"; done; }
fs_a=$(disk_of "$PORTAL0" "$fs")
fs_b=$(disk_of "$PORTAL1" "$fs")
thin_a=$(disk_of "$PORTAL0" "$thin")
thin_b=$(disk_of "$PORTAL1" "$thin")
fio_a=$(disk_of "$PORTAL0" "$fio")
fio_b=$(disk_of "$PORTAL1" "$fio")
[ ! -e "$(bypath "$PORTAL0" "$extra")" ] || die "LUN $extra is there before it was added"

# H:C:T:L of a disk; the SCSI host (one per session) of each portal
hctl_of() { basename "$(readlink -f "/sys/block/${1#/dev/}/device")"; }
h_a=$(hctl_of "$fs_a")
h_a=${h_a%%:*}
h_b=$(hctl_of "$fs_b")
h_b=${h_b%%:*}
[ "$h_a" != "$h_b" ] || die "both portals' disks are on SCSI host $h_a"
before_hctls=""
for d in $fs_a $fs_b $fio_a $fio_b $thin_a $thin_b; do before_hctls="$before_hctls $(hctl_of "$d")"; done

# data written before the change must survive it
dd if=/dev/urandom of=/tmp/pattern bs=1M count=2 2>/dev/null
dd if=/tmp/pattern of="$fs_a" bs=1M oflag=direct conv=notrunc 2>/dev/null || die "writing to $fs_a failed"
sum=$(sha256sum </tmp/pattern)

# The guest's sessions, and its TCP connections to the portals (local and
# remote address:port as /proc/net/tcp has them, in hex; 0CBC is 3260): a
# reconnection is a new connection, from another local port.
sessions() {
	{
		ls /sys/class/iscsi_session | sort
		awk '$4 == "01" && $3 ~ /:0CBC$/ { print $2 ">" $3 }' /proc/net/tcp | sort
	} | tr '\n' ' ' | sed 's/ $//'
}

# The kernel's messages since the last call: in /tmp/ua.$1, and added to
# /tmp/ua.all.
klog() {
	dmesg -c >"/tmp/ua.$1"
	cat "/tmp/ua.$1" >>/tmp/ua.all
}
# ua_on_host FILE H MESSAGE: a disk of SCSI host H logged MESSAGE.
ua_on_host() { grep -q -E "sd $2:[0-9]+:[0-9]+:[0-9]+: $3" "$1"; }
# ua_on FILE HCTL MESSAGE: the disk at HCTL logged MESSAGE.
ua_on() { grep -q -F "sd $2: $3" "$1"; }

# The kernel sees a unit attention when a command meets it: TEST UNIT READY
# on each disk until it answers GOOD (one unit attention a command; a disk
# that does not within five is wrong).
touch_disks() {
	for d in "$@"; do
		n=1
		until sg_turs "$d" >/dev/null 2>&1; do
			n=$((n + 1))
			[ $n -le 5 ] || die "$d does not answer TEST UNIT READY after the change: $(sg_turs -v "$d" 2>&1 | tr '\n' ' ')"
		done
	done
}

: >/tmp/ua.all
dmesg -c >/dev/null
if [ "$TARGET_KIND" = porticod ]; then
	sessions_before=$(sessions)
	set -- $sessions_before
	[ $# = 4 ] || die "expected two sessions and their two connections, have: $sessions_before"
	iscsid_lines=$(wc -l </run/iscsid.log)

	host target-live-change add >/dev/null || die "the host could not add LUN $extra live (target.log)"
	touch_disks $fs_a $fs_b $fio_a $fio_b $thin_a $thin_b
	klog add
	for h in $h_a $h_b; do
		ua_on_host /tmp/ua.add "$h" "$LUNCHG" ||
			die "no REPORTED LUNS DATA HAS CHANGED (3F/0E) on SCSI host $h after LUN $extra was added; the kernel logged: $(tr '\n' '|' </tmp/ua.add)"
	done
	grep -F "$LUNCHG" /tmp/ua.add | sed "s/^/matched: /"
	ok "LUN $extra added live: REPORTED LUNS DATA HAS CHANGED on both sessions (hosts $h_a, $h_b)"

	host target-live-change grow >/dev/null || die "the host could not grow LUN $fs live (target.log)"
	touch_disks $fs_a $fs_b $fio_a $fio_b $thin_a $thin_b
	klog grow
	for d in $fs_a $fs_b; do
		ua_on /tmp/ua.grow "$(hctl_of "$d")" "$CAPCHG" ||
			die "no CAPACITY DATA HAS CHANGED (2A/09) on $d ($(hctl_of "$d")) after LUN $fs was grown; the kernel logged: $(tr '\n' '|' </tmp/ua.grow)"
	done
	for d in $fio_a $fio_b $thin_a $thin_b; do
		ua_on /tmp/ua.grow "$(hctl_of "$d")" "$CAPCHG" && die "CAPACITY DATA HAS CHANGED on $d, which did not change"
	done
	grep -F "$CAPCHG" /tmp/ua.grow | sed "s/^/matched: /"
	ok "LUN $fs grown live: CAPACITY DATA HAS CHANGED on $fs_a and $fs_b only"

	host target-live-change unmap >/dev/null ||
		die "the host could not remove the mapping of LUN $thin live, or removed it unforced while in use (target.log)"
	touch_disks $fs_a $fs_b $fio_a $fio_b
	klog unmap
	for h in $h_a $h_b; do
		ua_on_host /tmp/ua.unmap "$h" "$LUNCHG" ||
			die "no REPORTED LUNS DATA HAS CHANGED (3F/0E) on SCSI host $h after LUN $thin was unmapped; the kernel logged: $(tr '\n' '|' </tmp/ua.unmap)"
	done
	grep -F "$LUNCHG" /tmp/ua.unmap | sed "s/^/matched: /"
	ok "LUN $thin unmapped live (refused while in use, then forced): REPORTED LUNS DATA HAS CHANGED on both sessions"
else
	host target-restart changed >/dev/null || die "the host could not change the target"
	ok "target changed (restarted with: $LUNS_CHANGED)"
	# the sessions come back (the first commands may meet unit attentions)
	both_answer() { sg_turs "$1" >/dev/null 2>&1 && sg_turs "$2" >/dev/null 2>&1; }
	wait_for 120 "the sessions to come back" both_answer "$fio_a" "$fio_b" || {
		iscsiadm -m session -P 1
		die "the sessions did not come back after the change"
	}
fi
iscsiadm -m session --rescan >/dev/null || die "iscsiadm -m session --rescan failed"
udevadm settle --timeout=30

# the LUN added
wait_for 30 "the new LUN's by-path links" test -e "$(bypath "$PORTAL0" "$extra")" -a -e "$(bypath "$PORTAL1" "$extra")" ||
	die "LUN $extra did not appear through both portals; have: $(ls /dev/disk/by-path | tr '\n' ' ')"
ea=$(disk_of "$PORTAL0" "$extra")
eb=$(disk_of "$PORTAL1" "$extra")
want=$(($(size_of_changed extra) * 1048576))
[ "$(blockdev --getsize64 "$ea")" = "$want" ] && [ "$(blockdev --getsize64 "$eb")" = "$want" ] ||
	die "LUN $extra: sizes $(blockdev --getsize64 "$ea"), $(blockdev --getsize64 "$eb"), want $want"
[ -n "$(wwid_of "$ea")" ] && [ "$(wwid_of "$ea")" = "$(wwid_of "$eb")" ] || die "LUN $extra: WWIDs differ on its paths"
[ "$(wwid_of "$ea")" != "$(wwid_of "$fs_a")" ] && [ "$(wwid_of "$ea")" != "$(wwid_of "$fio_a")" ] ||
	die "LUN $extra has another LUN's WWID"
ok "LUN $extra added: $ea and $eb, $want bytes, WWID $(wwid_of "$ea")"

# the backstore grown
want=$(($(size_of_changed fs) * 1048576))
wait_for 20 "LUN $fs's new size" sh -c "[ \$(blockdev --getsize64 $fs_a) = $want ] && [ \$(blockdev --getsize64 $fs_b) = $want ]" ||
	die "LUN $fs: sizes $(blockdev --getsize64 "$fs_a"), $(blockdev --getsize64 "$fs_b") after the rescan, want $want"
for d in $fs_a $fs_b; do
	[ "$(dd if="$d" bs=1M count=2 iflag=direct 2>/dev/null | sha256sum)" = "$sum" ] ||
		die "LUN $fs: the data written before the change differs on $d"
done
ok "LUN $fs grown to $want bytes on both paths, its data intact"

# the mapping removed
for p in $PORTAL0 $PORTAL1; do
	d=$(disk_of "$p" "$fio")
	report_luns "$d" | grep -q -x "$thin" && die "REPORT LUNS through $p still lists LUN $thin"
done
for d in $thin_a $thin_b; do
	out=$(sg_turs -v "$d" 2>&1)
	echo "$out" | grep -q -i 'not supported' || die "LUN $thin ($d) after its removal: '$out'"
	echo 1 >"/sys/block/${d#/dev/}/device/delete" || die "cannot delete $d"
done
udevadm settle --timeout=30
[ ! -e "$(bypath "$PORTAL0" "$thin")" ] && [ ! -e "$(bypath "$PORTAL1" "$thin")" ] ||
	die "LUN $thin's by-path links are still there after its disks were deleted"
ok "LUN $thin unmapped: gone from REPORT LUNS, its disks answer 'not supported' and were deleted"

# the unit attentions the kernel saw, and the sessions
klog end
grep -E "$RESET|$CAPCHG|$LUNCHG|Inquiry data has changed|[Pp]arameters changed|conn error" /tmp/ua.all | sed "s/^/kernel, since the change: /"
if [ "$TARGET_KIND" = porticod ]; then
	bad=""
	for hctl in $before_hctls; do
		ua_on /tmp/ua.all "$hctl" "$RESET" && bad="$bad; POWER ON/RESET on $hctl"
	done
	grep -q 'detected conn error' /tmp/ua.all && bad="$bad; the kernel saw a connection fail"
	tail -n "+$((iscsid_lines + 1))" /run/iscsid.log >/tmp/iscsid.new
	sed 's/^/iscsid, since the change: /' /tmp/iscsid.new
	grep -q -i -E 'recovery|reopen|conn error|operational|login' /tmp/iscsid.new &&
		bad="$bad; iscsid reconnected or logged in again"
	[ "$(sessions)" = "$sessions_before" ] ||
		bad="$bad; the sessions or their connections changed: before $sessions_before, after $(sessions)"
	[ -z "$bad" ] || die "not changed live:${bad#;}"
	ok "no reconnection (sessions and connections as before: $sessions_before), no POWER ON/RESET on the LUNs there before"
else
	for d in $fs_a $fs_b $fio_a $fio_b; do
		ua_on /tmp/ua.all "$(hctl_of "$d")" "$RESET" ||
			die "no POWER ON/RESET unit attention reported for $d ($(hctl_of "$d")) after the target restart"
	done
	ok "unit attentions: power-on/reset on every LUN that was there before the restart"
fi

# back to the base configuration
trap - EXIT
lab_reset
host target-restart base >/dev/null || die "the host could not restore the target"
