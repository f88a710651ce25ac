# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: discovery and login over two NICs, as an administrator checks it.
#  - one open-iscsi iface per guest NIC, bound by interface name; SendTargets
#    through each portal, over its NIC, lists the target at that portal;
#  - login on both paths: each session runs over its own NIC;
#  - every mapped LUN has its /dev/disk/by-path link through both portals,
#    the same size on both, and the same WWID (udev's ID_SERIAL, and the
#    logical unit's designators in VPD page 0x83 read with sg_inq);
#  - the guest sees exactly its mapped LUNs (disks, and REPORT LUNS);
#  - an initiator name the target has no ACL for is refused;
#  - after a target restart the sessions come back on the same disks, with
#    the same WWIDs.
. /portico/run.env
. /portico/lib.sh

make_ifaces || die "cannot make the iface records"
for i in 0 1; do
	eval p=\$PORTAL$i
	out=$(iscsiadm -m discovery -t st -p "$p" -I "iface$i" 2>&1) || die "SendTargets through $p failed: $out"
	echo "$out"
	echo "$out" | grep -q "^$p,[0-9]* $TARGET_IQN\$" ||
		die "SendTargets through $p does not list $TARGET_IQN at $p: $out"
done
ok "SendTargets through each portal (each over its NIC) lists the target there"

login_all || die "login failed"
wait_for 60 "the by-path links of every LUN on both portals" all_paths_present ||
	die "by-path links missing; have: $(ls /dev/disk/by-path | tr '\n' ' ')"
ok "by-path links for LUNs $(lab_luns | tr '\n' ' ')through both portals"

# Each session runs over the NIC its iface names.
iscsiadm -m session -P 1 >/tmp/sessions || die "iscsiadm -m session -P 1 failed"
pairs=$(awk '/Current Portal:/ { p = $3 } /Iface Netdev:/ { print p, $3 }' /tmp/sessions | sort)
want=$(printf '%s,1 eth0\n%s,1 eth1\n' "$PORTAL0" "$PORTAL1" | sort)
[ "$pairs" = "$want" ] || die "sessions (portal, NIC) are '$pairs', want '$want'"
ok "two sessions: $PORTAL0 over eth0, $PORTAL1 over eth1"

# Exactly the mapped LUNs, through each portal.
want=$(lab_luns | sort -n | tr '\n' ' ')
for p in $PORTAL0 $PORTAL1; do
	have=$(disks_on_portal "$p" | cut -d' ' -f1 | sort -n | tr '\n' ' ')
	[ "$have" = "$want" ] || die "disks through $p are LUNs '$have', want '$want'"
	dev=/dev/$(disks_on_portal "$p" | head -1 | cut -d' ' -f2)
	# REPORT LUNS: "    00LL000000000000" lines, single-level peripheral addressing
	rl=$(report_luns "$dev" | sort -n | tr '\n' ' ')
	wantrl=$( (lab_luns; for l in $EXTRA_REPORTED; do echo "$l"; done) | sort -n | tr '\n' ' ')
	[ "$rl" = "$wantrl" ] || die "REPORT LUNS through $p lists '$rl', want '$wantrl'"
done
ok "the guest sees exactly LUNs $want(REPORT LUNS agrees)"

# Same size and WWID on both paths; distinct WWIDs across LUNs.
wwids=""
for l in $(lab_luns); do
	a=$(readlink -f "$(bypath "$PORTAL0" "$l")")
	b=$(readlink -f "$(bypath "$PORTAL1" "$l")")
	[ "$a" != "$b" ] || die "LUN $l: both portals lead to the same device $a"
	sa=$(blockdev --getsize64 "$a")
	sb=$(blockdev --getsize64 "$b")
	want=$(($(lab_size_of_lun "$l") * 1048576))
	[ "$sa" = "$want" ] && [ "$sb" = "$want" ] || die "LUN $l: sizes $sa ($a) and $sb ($b), want $want"
	wa=$(wwid_of "$a")
	wb=$(wwid_of "$b")
	[ -n "$wa" ] && [ "$wa" = "$wb" ] || die "LUN $l: udev's WWIDs differ: '$wa' ($a), '$wb' ($b)"
	da=$(lu_designators "$a")
	db=$(lu_designators "$b")
	[ -n "$da" ] && [ "$da" = "$db" ] || die "LUN $l: VPD 0x83 LU designators differ: '$da' vs '$db'"
	case " $wwids " in *" $wa "*) die "LUN $l: WWID $wa is also another LUN's" ;; esac
	wwids="$wwids $wa"
	echo "LUN $l: $a $b, $sa bytes, WWID $wa"
	echo "$l $a $b $wa" >>/tmp/before
done
ok "each LUN has one size and one WWID on both paths"

# An initiator name without an ACL gets nothing.
iscsiadm -m iface -I intruder -o new >/dev/null 2>&1
iscsiadm -m iface -I intruder -o update -n iface.initiatorname -v "$INTRUDER_IQN" >/dev/null &&
	iscsiadm -m iface -I intruder -o update -n iface.net_ifacename -v eth0 >/dev/null &&
	iscsiadm -m node -T "$TARGET_IQN" -p "$PORTAL0" -I intruder -o new >/dev/null ||
	die "cannot make the intruder's records"
ndisk=$(ls /sys/class/scsi_disk | wc -l)
iscsiadm -m node -T "$TARGET_IQN" -p "$PORTAL0" -I intruder --login >/tmp/intruder 2>&1
rc=$?
cat /tmp/intruder
iscsiadm -m node -T "$TARGET_IQN" -p "$PORTAL0" -I intruder -o delete >/dev/null 2>&1
[ $rc -ne 0 ] || die "a login as $INTRUDER_IQN (no ACL) succeeded"
nsess=$(iscsiadm -m session 2>/dev/null | wc -l)
[ "$nsess" -eq 2 ] || die "$nsess sessions after the refused login, want 2"
[ "$(ls /sys/class/scsi_disk | wc -l)" -eq "$ndisk" ] || die "new disks appeared after the refused login"
why=$(grep -i 'login rejected' /run/iscsid.log | tail -1)
[ -n "$why" ] || die "iscsid logged no login rejection for $INTRUDER_IQN (iscsiadm exit $rc)"
echo "iscsid: $why"
ok "$INTRUDER_IQN is refused (iscsiadm exit $rc; ${why##*: })"

# A target restart: the sessions recover on the same disks, same WWIDs.
host target-restart base >/dev/null || die "the host could not restart the target"
ok "target restarted"
paths_answer() {
	while read -r l a b w; do
		sg_turs "$a" >/dev/null 2>&1 && sg_turs "$b" >/dev/null 2>&1 || return 1
	done </tmp/before
}
# the first command after the restart may get a unit attention: retried
wait_for 120 "both paths of every LUN to answer again" paths_answer || {
	iscsiadm -m session -P 1
	die "the paths did not come back after the target restart"
}
while read -r l a b w; do
	[ "$(readlink -f "$(bypath "$PORTAL0" "$l")")" = "$a" ] &&
		[ "$(readlink -f "$(bypath "$PORTAL1" "$l")")" = "$b" ] ||
		die "LUN $l: the by-path links moved after the restart"
	[ "$(wwid_of "$a")" = "$w" ] && [ "$(wwid_of "$b")" = "$w" ] ||
		die "LUN $l: WWID changed across the restart ($w -> $(wwid_of "$a"), $(wwid_of "$b"))"
	[ "$(lu_designators "$a")" = "$(lu_designators "$b")" ] || die "LUN $l: designators differ after the restart"
done </tmp/before
ok "after the restart: same disks, same WWIDs"
