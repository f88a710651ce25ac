# SPDX-License-Identifier: GPL-2.0-or-later
#
# pathd-libvirt: portico-path libvirt against the real portico-pathd
# (tests/functional/pathd_fake: the daemon's own code) on the fakes of
# tests/functional/pathd.sh (device-mapper, iscsiadm and sysfs), with the
# in-memory libvirt behind pathd's libvirt ops (pathd_fake -L, whose state
# is the folder LV: its pools, their volumes as of their last refresh, the
# calls counted; LV/down stops it, LV/delay slows it). The real libvirtd
# is the VM lab's (tests/vm/scenarios/libvirt.sh).
#
# The checks, in order:
#   start, maps                pathd_fake answers; three maps
#   show-xml, show-validates   portico-path libvirt prints the mpath pool's
#                              XML, which virt-xml-validate takes
#   show-iscsi                 --form iscsi: the books' pool of the target,
#                              on the portal of one of pathd's sessions
#   show-json                  the LUNs with their sizes, no problem
#   define-*                   --define: defined, started, autostarted, its
#                              three volumes; the state file holds its UUID;
#                              again: the same pool taken again
#   refresh-lun-added          a fourth LUN: the pool lists it, after one
#                              refresh
#   refresh-lun-grown          a LUN grown: the volume's new size
#   lun-without-map            a LUN whose disk gives no WWID: a warning line
#   foreign-*                  a pool of that name pathd did not define:
#                              refused, untouched, one clear line
#   down-*                     libvirtd not running: a clear line; show
#                              status says the refresh fails; then it works
#   slow-*                     a libvirtd that takes a second per call:
#                              show status answers meanwhile, the define ends
#   restart-undefine-*         kill -9, a new pathd_fake: --undefine removes
#                              pathd's pools (from its state file) and leaves
#                              the other one
#   exit-clean                 SIGTERM: exit 0, no sanitizer report
# Every wait is bounded. Needs root (network namespaces).
. "$(dirname "$0")/hostlib.sh"

PATHD_FAKE=$T_BIN/pathd_fake
PP=$T_BUILD/bin/portico-path
FAKE_ISCSIADM=$T_TOP/tests/functional/fake-iscsiadm
t_require "$PATHD_FAKE" "$PP" "$FAKE_ISCSIADM"
for p in jq flock; do
	if ! command -v "$p" >/dev/null 2>&1; then
		echo "FAIL: $T_GROUP/setup: no '$p' (scripts/install-deps.sh installs it)"
		exit 1
	fi
done

PD_PID=""
KERNEL_PID=""
PD_N=0

pd_cleanup() {
	if [ -n "$PD_PID" ]; then
		kill -TERM "$PD_PID" 2>/dev/null
		i=0
		while kill -0 "$PD_PID" 2>/dev/null && [ $i -lt 150 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$PD_PID" 2>/dev/null
		wait "$PD_PID" 2>/dev/null
	fi
	if [ -n "$KERNEL_PID" ]; then
		kill -TERM "$KERNEL_PID" 2>/dev/null
		wait "$KERNEL_PID" 2>/dev/null
	fi
	[ -d "${FK:-}" ] && flock -w 10 "$FK/lock" true
}
trap 't_rc=$?; pd_cleanup; t_cleanup; exit $t_rc' EXIT

IQN=iqn.2026-11.org.portico.test
STORE=$IQN:store1
P1=198.18.1.1:3260
P2=198.18.2.1:3260
W0=36001405aaaaaaaaaaaaaaaaaaaaaa000
W1=36001405aaaaaaaaaaaaaaaaaaaaaa001
W2=36001405aaaaaaaaaaaaaaaaaaaaaa002
W3=36001405aaaaaaaaaaaaaaaaaaaaaa003
MiB=1048576
OTHER_UUID=11111111-2222-4333-8444-555555555555

FK=$T_TMP/fk
SYS=$FK/sys
DM=$T_TMP/dm
LV=$T_TMP/lv
CONF=$T_TMP/pathd.conf
SOCK=$T_TMP/pathd.sock
STATE=$T_TMP/lib/libvirt-pools.conf
export PORTICO_FAKE_ISCSIADM_DIR=$FK PORTICO_FAKE_SYSFS=$SYS PORTICO_FAKE_DM=$DM
mkdir -p "$FK" "$DM" "$LV"

cat >"$CONF" <<EOF
discovery = [ "198.18.1.1" ];
initiator = "$IQN:kvm1";
control_socket = "$SOCK";
multipath_dropin = "$T_TMP/etc/multipath/conf.d/portico-pathd.conf";
scan_interval = 1;
libvirt_state = "$STATE";
EOF
cat >"$FK/san" <<EOF
discovery $P1
target $STORE $P1,1 $P2,2
lun $STORE 0 64 ${W0#3}
lun $STORE 1 128 ${W1#3}
lun $STORE 2 256 ${W2#3}
EOF
cat >"$T_TMP/multipathd" <<EOF
#!/bin/sh
echo ok
EOF
chmod +x "$T_TMP/multipathd"

pp() { timeout 60 "$PP" --socket "$SOCK" "$@"; }
ppj() { pp --json "$@"; }

wait_for() { # SECONDS CMD...
	w_end=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -gt "$w_end" ] && return 1
		sleep 0.1
	done
	return 0
}

expect() { # NAME SECONDS WHY CMD...
	e_name=$1 e_secs=$2 e_why=$3
	shift 3
	if wait_for "$e_secs" "$@"; then
		pass "$e_name"
		return 0
	fi
	fail "$e_name" "$e_why (within ${e_secs}s)" "$PD_LOG"
	return 1
}

check() { # NAME WHY FILE CODE
	if eval "$4"; then
		pass "$1"
		return 0
	fi
	fail "$1" "$2" "$3"
	return 1
}

pd_up() { "$PP" --socket "$SOCK" --timeout 2 show status >/dev/null 2>&1; }

pd_start() {
	PD_N=$((PD_N + 1))
	PD_LOG=$T_TMP/pathd-$PD_N.log
	ip netns exec "$H" "$PATHD_FAKE" -c "$CONF" -s "$SYS" -i "$FAKE_ISCSIADM" \
		-m "$T_TMP/multipathd" -D "$DM" -L "$LV" -v -d pathd,libvirt >"$PD_LOG" 2>&1 &
	PD_PID=$!
}

maps_ready() { # N
	[ "$(ppj show maps | jq '[.maps[] | select(.state == "ready" and .paths_active == 2)] | length')" = "$1" ]
}

# The fake libvirt's pools file: "pool NAME UUID TYPE active|inactive autostart|manual".
lv_pool() { awk -v n="$1" '$1 == "pool" && $2 == n' "$LV/pools" 2>/dev/null; }
# Its volumes of pool NAME: "NAME PATH TYPE BYTES", one a line, by name.
lv_vols() { awk -v n="$1" '$1 == "vol" && $2 == n { print $3, $4, $5, $6 }' "$LV/pools" 2>/dev/null | sort; }
lv_calls() { awk -v o="$1" '$1 == o { print $2 }' "$LV/calls" 2>/dev/null; }

# ---- the network and the fake kernel, as pathd.sh has them ----

ns_add host || { fail setup "cannot make a network namespace"; t_done; }
H=$NS
ns_add wire || { fail setup "cannot make a network namespace"; t_done; }
W=$NS
for i in 1 2; do
	run_ok setup ip -n "$H" link add "eth$i" type veth peer name "eth${i}p" netns "$W" &&
		run_ok setup ip -n "$W" addr add "198.18.$i.1/24" dev "eth${i}p" &&
		run_ok setup ip -n "$W" link set "eth${i}p" up &&
		run_ok setup ip -n "$H" addr add "198.18.$i.2/24" dev "eth$i" &&
		run_ok setup ip -n "$H" link set "eth$i" up || t_done
done
run_ok setup ip -n "$H" link set lo up || t_done
"$FAKE_ISCSIADM" kernel $$ &
KERNEL_PID=$!

pd_start
expect start 10 "portico-path show status does not answer" pd_up || t_done
expect maps 15 "not three maps of two active paths" maps_ready 3 || t_done

# ---- what portico-path libvirt prints ----

pp libvirt >"$T_TMP/show.xml" 2>"$T_TMP/show.err"
want="<pool type='mpath'>
  <name>portico</name>
  <target>
    <path>/dev/mapper</path>
  </target>
</pool>"
check show-xml "portico-path libvirt does not print the mpath pool (no UUID before a define)" \
	"$T_TMP/show.xml" '[ "$(cat "$T_TMP/show.xml")" = "$want" ] && [ ! -s "$T_TMP/show.err" ]'
if command -v virt-xml-validate >/dev/null 2>&1; then
	check show-validates "virt-xml-validate refuses the pool" "$T_TMP/validate.out" \
		'virt-xml-validate "$T_TMP/show.xml" storagepool >"$T_TMP/validate.out" 2>&1'
fi
pp libvirt --form iscsi >"$T_TMP/iscsi.xml" 2>&1
want="<pool type='iscsi'>
  <name>portico-iscsi-store1</name>
  <source>
    <host name='198.18.1.1' port='3260'/>
    <device path='$STORE'/>
  </source>
  <target>
    <path>/dev/disk/by-path</path>
  </target>
</pool>"
check show-iscsi "--form iscsi does not print the books' pool of $STORE" "$T_TMP/iscsi.xml" \
	'[ "$(cat "$T_TMP/iscsi.xml")" = "$want" ]'
json_ok() {
	ppj libvirt >"$T_TMP/show.json" &&
		[ "$(jq -r '[.luns[] | "\(.name) \(.size) \(.path)"] | sort | join(",")' "$T_TMP/show.json")" = \
			"$W0 $((64 * MiB)) /dev/mapper/$W0,$W1 $((128 * MiB)) /dev/mapper/$W1,$W2 $((256 * MiB)) /dev/mapper/$W2" ] &&
		[ "$(jq '.problems | length' "$T_TMP/show.json")" = 0 ] &&
		[ "$(jq -r '.pools[0].pathd' "$T_TMP/show.json")" = false ]
}
check show-json "show --json: not the three LUNs with their sizes, or a problem" "$T_TMP/show.json" json_ok
rc=0
pp libvirt --form mpath >"$T_TMP/usage.out" 2>&1 || rc=$?
check show-usage "--form mpath: exit $rc, not 2 with the forms" "$T_TMP/usage.out" \
	'[ $rc = 2 ] && grep -q "multipath, iscsi or all" "$T_TMP/usage.out"'

# ---- define ----

rc=0
pp libvirt --define >"$T_TMP/define.out" 2>&1 || rc=$?
check define "--define: exit $rc" "$T_TMP/define.out" \
	'[ $rc = 0 ] && [ "$(head -1 "$T_TMP/define.out")" = "pool '"'portico'"' (multipath): defined, started, autostart on; 3 volumes" ]'
uuid=$(lv_pool portico | cut -d' ' -f3)
check define-libvirt "the fake libvirt has no mpath pool 'portico', active and autostarted" "$LV/pools" \
	'[ "$(lv_pool portico)" = "pool portico $uuid mpath active autostart" ]'
want="dm-0 /dev/mapper/$W0 block $((64 * MiB))
dm-1 /dev/mapper/$W1 block $((128 * MiB))
dm-2 /dev/mapper/$W2 block $((256 * MiB))"
check define-volumes "pool 'portico' does not list the three maps" "$LV/pools" '[ "$(lv_vols portico)" = "$want" ]'
check define-volume-lines "--define does not print the volumes" "$T_TMP/define.out" \
	'[ "$(grep -c "/dev/mapper/36001405" "$T_TMP/define.out")" = 3 ]'
check define-state "the state file does not hold pool 'portico' with libvirt's UUID $uuid" "$STATE" \
	'grep -q "name = \"portico\"; uuid = \"$uuid\"; form = \"multipath\";" "$STATE"'
check define-xml-uuid "the XML defined does not carry pathd's UUID" "$LV/defined.xml" \
	'grep -q "<uuid>$uuid</uuid>" "$LV/defined.xml"'
rc=0
pp libvirt --define >"$T_TMP/define2.out" 2>&1 || rc=$?
check define-again "a second --define: exit $rc, or not the same pool taken again" "$T_TMP/define2.out" \
	'[ $rc = 0 ] && head -1 "$T_TMP/define2.out" | grep -q "defined by pathd before, definition updated, active, refreshed" && [ "$(lv_pool portico | cut -d" " -f3)" = "$uuid" ]'
check show-pathd "show --json does not say the pool is pathd's now" "" \
	'[ "$(ppj libvirt | jq -r ".pools[0].pathd, .pools[0].uuid" | tr "\n" " ")" = "true $uuid " ]'

# ---- refresh: a LUN added, a LUN grown ----

refreshes0=$(lv_calls refresh)
echo "lun $STORE 3 32 ${W3#3}" >>"$FK/san"
pp reconfigure >/dev/null
four_vols() { [ "$(lv_vols portico | wc -l)" = 4 ] && lv_vols portico | grep -q "/dev/mapper/$W3 block $((32 * MiB))"; }
expect refresh-lun-added 15 "pool 'portico' does not list the fourth LUN" four_vols
sleep 1
check refresh-once "not one refresh for the fourth LUN: $(($(lv_calls refresh) - refreshes0))" "$PD_LOG" \
	'[ $(($(lv_calls refresh) - refreshes0)) -ge 1 ] && [ $(($(lv_calls refresh) - refreshes0)) -le 2 ]'
# grown: the kernel's new size of both paths (what a rescan finds), then pathd reloads the map
for d in $(ppj show paths | jq -r --arg w "$W1" '.paths[] | select(.wwid == $w) | .dev'); do
	echo $((192 * 2048)) >"$SYS/block/$d/size"
done
grown() { lv_vols portico | grep -q "/dev/mapper/$W1 block $((192 * MiB))"; }
expect refresh-lun-grown 15 "pool 'portico' does not show LUN 1 grown to 192 MiB" grown

# ---- a LUN without a map ----

echo "lun $STORE 4 16 00" >>"$FK/san"
pp reconfigure >/dev/null
nomap() {
	ppj libvirt >"$T_TMP/nomap.json" &&
		jq -r '.problems[]' "$T_TMP/nomap.json" | grep -q "^LUN 4 of '$STORE' has no multipath map yet (no WWID: .*): pool 'portico' lists it once pathd makes the map\$"
}
expect lun-without-map 15 "no line for LUN 4, whose disk gives no WWID" nomap
pp libvirt --define >"$T_TMP/define3.out" 2>"$T_TMP/define3.err"
check lun-without-map-define "--define does not warn of LUN 4" "$T_TMP/define3.err" \
	'grep -q "^warning: LUN 4 of .$STORE. has no multipath map yet" "$T_TMP/define3.err"'

# ---- a pool of that name that pathd did not define ----

cp "$LV/pools" "$T_TMP/pools.before"
echo "pool portico-iscsi-store1 $OTHER_UUID iscsi inactive manual" >>"$LV/pools"
calls0=$(lv_calls define)
rc=0
pp libvirt --define --form iscsi >"$T_TMP/foreign.out" 2>&1 || rc=$?
check foreign-refused "--define over another's pool: exit $rc, or not the line" "$T_TMP/foreign.out" \
	'[ $rc = 1 ] && grep -qx "error: libvirt pool '"'portico-iscsi-store1'"' exists and pathd did not define it: it stays as it is" "$T_TMP/foreign.out" && grep -q "^hint: " "$T_TMP/foreign.out"'
check foreign-untouched "the other pool was touched" "$LV/pools" \
	'[ "$(lv_pool portico-iscsi-store1)" = "pool portico-iscsi-store1 $OTHER_UUID iscsi inactive manual" ] && [ "$(lv_calls define)" = "$calls0" ]'

# ---- libvirtd not running ----

touch "$LV/down"
rc=0
pp libvirt --define >"$T_TMP/down.out" 2>&1 || rc=$?
check down-define "--define without libvirtd: exit $rc, or not the line" "$T_TMP/down.out" \
	'[ $rc = 1 ] && grep -q "^error: cannot reach libvirt at qemu:///system: libvirtd is not running (" "$T_TMP/down.out" && grep -q "^hint: start it" "$T_TMP/down.out"'
for d in $(ppj show paths | jq -r --arg w "$W2" '.paths[] | select(.wwid == $w) | .dev'); do
	echo $((320 * 2048)) >"$SYS/block/$d/size"
done
down_said() { pp show status | grep -q "libvirt qemu:///system: pathd's pools are not refreshed: cannot reach libvirt at qemu:///system: libvirtd is not running"; }
expect down-status 15 "show status says nothing of the failing refresh" down_said
rm -f "$LV/down"
back() { lv_vols portico | grep -q "/dev/mapper/$W2 block $((320 * MiB))" && ! down_said; }
expect down-recovers 20 "the refresh does not work again once libvirtd is back" back

# ---- a slow libvirtd ----

echo 1000 >"$LV/delay"
pp --timeout 60 libvirt --define >"$T_TMP/slow.out" 2>"$T_TMP/slow.err" &
slow=$!
sleep 1.5
check slow-loop-free "show status did not answer within 2 s while libvirt was slow" "" \
	'"$PP" --socket "$SOCK" --timeout 2 show status >/dev/null && kill -0 $slow 2>/dev/null'
rc=0
wait $slow || rc=$?
check slow-define-ends "the slow --define: exit $rc" "$T_TMP/slow.out" \
	'[ $rc = 0 ] && head -1 "$T_TMP/slow.out" | grep -q "^pool .portico. (multipath): defined by pathd before"'
rm -f "$LV/delay"

# ---- kill -9, a new pathd: it knows its pools from the state file ----

kill -9 "$PD_PID"
wait "$PD_PID" 2>/dev/null
PD_PID=""
pd_start
expect restart 10 "the new pathd_fake does not answer" pd_up || t_done
rc=0
pp libvirt --undefine >"$T_TMP/undefine.out" 2>&1 || rc=$?
check restart-undefine "--undefine after a restart: exit $rc" "$T_TMP/undefine.out" \
	'[ $rc = 0 ] && grep -qx "pool '"'portico'"' (multipath): stopped, undefined" "$T_TMP/undefine.out"'
check restart-undefine-only-ours "--undefine touched another pool, or left pathd's" "$LV/pools" \
	'[ "$(grep -c "^pool " "$LV/pools")" = 1 ] && [ "$(lv_pool portico-iscsi-store1)" = "pool portico-iscsi-store1 $OTHER_UUID iscsi inactive manual" ]'
check restart-undefine-state "the state file still names a pool" "$STATE" '! grep -q "name =" "$STATE"'

# ---- a clean stop ----

kill -TERM "$PD_PID"
rc=0
wait "$PD_PID" || rc=$?
PD_PID=""
check exit-clean "SIGTERM: exit $rc, or a sanitizer report" "$PD_LOG" \
	'[ $rc = 0 ] && ! grep -qE "ERROR: (Address|Leak|Undefined)Sanitizer|runtime error" "$PD_LOG"'

t_done
