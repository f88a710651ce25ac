# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: changes on the target while the guest is logged in, as an
# administrator checks them after a rescan (iscsiadm -m session --rescan):
#  - a LUN added: it appears through both portals, with its size and one WWID;
#  - a backstore grown: the disk's new size shows on both paths, and what
#    was written before is still there;
#  - a mapping removed: REPORT LUNS no longer lists it, its old disks answer
#    "logical unit not supported", and deleting them removes their links;
#  - the unit attentions the kernel reports (its "sd H:C:T:L: ..." warnings).
# porticod cannot change its configuration live yet (no control socket), so
# for now the host restarts the target with the changed configuration
# ("changed" variant, tests/vm/target.sh), the sessions reconnect, and the
# unit attention expected is POWER ON, RESET, OR BUS DEVICE RESET OCCURRED
# (29/xx) on the LUNs that were there before. Once changes are live, the
# expected ones become CAPACITY DATA HAS CHANGED (2A/09) and REPORTED LUNS
# DATA HAS CHANGED (3F/0E), with no reset.
. /portico/run.env
. /portico/lib.sh

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
# data written before the change must survive it
dd if=/dev/urandom of=/tmp/pattern bs=1M count=2 2>/dev/null
dd if=/tmp/pattern of="$fs_a" bs=1M oflag=direct conv=notrunc 2>/dev/null || die "writing to $fs_a failed"
sum=$(sha256sum </tmp/pattern)

dmesg -c >/dev/null
host target-restart changed >/dev/null || die "the host could not change the target"
ok "target changed (restarted with: $LUNS_CHANGED)"
# the sessions come back (the first commands may meet unit attentions)
both_answer() { sg_turs "$1" >/dev/null 2>&1 && sg_turs "$2" >/dev/null 2>&1; }
wait_for 120 "the sessions to come back" both_answer "$fio_a" "$fio_b" || {
	iscsiadm -m session -P 1
	die "the sessions did not come back after the change"
}
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

# the unit attentions the kernel saw
dmesg >/tmp/ua
grep -E 'Power-on or device reset|Capacity data has changed|LUN assignments|Inquiry data has changed|parameters' /tmp/ua
for d in $fs_a $fs_b $fio_a $fio_b; do
	hctl=$(basename "$(readlink -f "/sys/block/${d#/dev/}/device")")
	grep -q "sd $hctl: Power-on or device reset occurred" /tmp/ua ||
		die "no POWER ON/RESET unit attention reported for $d ($hctl) after the target restart"
done
ok "unit attentions: power-on/reset on every LUN that was there before the restart"

# back to the base configuration
lab_reset
host target-restart base >/dev/null || die "the host could not restore the target"
