# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: ALUA states as Linux's kernel initiator reads them (porticod
# only). The target restarts in its 'alua' variant: each portal in a TPG of
# its own, TPG 1 ($PORTAL0) active/optimized and preferred, TPG 2 ($PORTAL1)
# standby. Checked on each disk of LUN fs:
#  - the device handler scsi_dh_alua attached (dh_state "alua");
#  - access_state and preferred_path as REPORT TARGET PORT GROUPS says
#    (path a: "active/optimized" and 1, path b: "standby" and 0), and
#    sg_rtpg's decoding of the groups;
#  - the standby path refuses TEST UNIT READY (NOT READY, 04/0B: "target
#    port in standby state") and a read, and answered READ CAPACITY (both
#    paths have the LU's size).
# Then the host turns the states round live, through portico (request
# target-live-change alua-swap): after a TEST UNIT READY meets ASYMMETRIC
# ACCESS STATE CHANGED (2A/06), the kernel re-reads the groups, and
# access_state shows path b active/optimized (preferred) and path a standby.
. /portico/run.env
. /portico/lib.sh

restore() {
	lab_reset
	host target-restart base >/dev/null || echo "the host could not restore the target" >&2
}
trap restore EXIT

[ "$TARGET_KIND" = porticod ] || die "the alua scenario needs porticod"
host target-restart alua >/dev/null || die "the host could not start the target's alua variant"
connect_all
fs=$(lab_lun_of fs)
a=$(disk_of "$PORTAL0" "$fs")
b=$(disk_of "$PORTAL1" "$fs")
dev_attr() { cat "/sys/block/${1#/dev/}/device/$2" 2>/dev/null; }

for d in $a $b; do
	[ "$(dev_attr "$d" dh_state)" = alua ] || die "$d: device handler '$(dev_attr "$d" dh_state)', not alua"
done
ok "scsi_dh_alua attached to $a and $b"

# states_are A_STATE A_PREF B_STATE B_PREF
states_are() {
	[ "$(dev_attr "$a" access_state)" = "$1" ] && [ "$(dev_attr "$a" preferred_path)" = "$2" ] &&
		[ "$(dev_attr "$b" access_state)" = "$3" ] && [ "$(dev_attr "$b" preferred_path)" = "$4" ]
}
states() { echo "a: $(dev_attr "$a" access_state) pref $(dev_attr "$a" preferred_path)," \
	"b: $(dev_attr "$b" access_state) pref $(dev_attr "$b" preferred_path)"; }
wait_for 20 "the states the target gives" states_are active/optimized 1 standby 0 ||
	die "access_state: $(states)"
ok "access_state $(states)"
result alua.initial "$(states)"

sg_rtpg -d "$a" >/tmp/rtpg 2>&1 || die "sg_rtpg $a failed: $(tail -2 /tmp/rtpg | tr '\n' ' ')"
cat /tmp/rtpg
grep -q 'target port group id : 0x1 , Pref=1' /tmp/rtpg &&
	grep -q 'target port group id : 0x2 , Pref=0' /tmp/rtpg &&
	grep -q 'active/optimized' /tmp/rtpg && grep -q 'standby' /tmp/rtpg ||
	die "sg_rtpg does not show group 1 preferred active/optimized and group 2 standby"

# the target refuses (the kernel's handler refuses reads to a standby path before they leave)
sg_turs -v "$b" >/tmp/tur 2>&1 && die "TEST UNIT READY through the standby path $b succeeded"
grep -qi 'standby' /tmp/tur || die "the standby path's TEST UNIT READY: $(tr '\n' ' ' </tmp/tur)"
dd if="$b" of=/dev/null bs=4096 count=1 iflag=direct 2>/tmp/dd && die "a read through the standby path $b succeeded"
[ "$(blockdev --getsize64 "$b")" = "$(blockdev --getsize64 "$a")" ] ||
	die "the standby path's size $(blockdev --getsize64 "$b") is not the active one's"
ok "standby path refuses reads, has the LU's size"

host target-live-change alua-swap >/dev/null || die "the host could not swap the ALUA states (target.log)"
# the kernel learns of it when a command meets the unit attention
for d in $a $b; do
	sg_turs "$d" >/dev/null 2>&1
done
wait_for 30 "the swapped states" states_are standby 0 active/optimized 1 ||
	die "after the swap, access_state: $(states)"
ok "after the swap: $(states)"
result alua.swapped "$(states)"
dd if="$b" of=/dev/null bs=4096 count=1 iflag=direct 2>/tmp/dd ||
	die "a read through the now active path $b failed: $(cat /tmp/dd)"
exit 0
