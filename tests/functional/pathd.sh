# SPDX-License-Identifier: GPL-2.0-or-later
#
# pathd: the real portico-pathd, driven with the real portico-path as a KVM
# administrator would, on fakes behind its three system seams (this
# machine's kernel has no SCSI, iSCSI or device-mapper):
#   tests/functional/pathd_fake    the daemon's own code (initiator/pathd)
#                                  on the in-memory device-mapper (its maps
#                                  kept in a folder, so that they outlive a
#                                  kill -9), a fake sysfs root, a fake
#                                  iscsiadm and a fake multipathd
#   tests/functional/fake-iscsiadm open-iscsi's iscsiadm answering from a
#                                  fake SAN (described below), making the
#                                  sessions and disks in the fake sysfs tree
#                                  as the kernel lays them out
# NICs, addresses and routes are real: pathd runs in a network namespace
# ("host") whose NICs eth1 (198.18.1.2/24) and eth2 (198.18.2.2/24) are
# veths with their peers up in a second one ("wire"), so each NIC reaches
# one portal, 198.18.1.1 and 198.18.2.1.
#
# Where the fakes stand in for the kernel:
#   - pathd deletes a disk by writing "1" to sysfs block/sdX/device/delete.
#     In the fake tree that is a plain file, so "fake-iscsiadm kernel", started
#     here and ending with this shell, polls for it every 0.1 s and removes
#     the disk as the SCSI layer would, under the lock iscsiadm runs take.
#   - device-mapper lives in pathd_fake's memory; pathd_fake writes its maps
#     (tables, path states, fail counts, open counts) to DM/maps after every
#     call and reads them back at start, so that a pathd_fake started after a
#     kill -9 finds the "kernel" as the last one left it. DM/calls counts the
#     new one's calls; DM/open is how this group opens a map (a VM would).
#
# The SAN: target store1 on both portals, three LUNs (64, 128, 256 MiB),
# CHAP with pathd.conf's secret; later a fourth LUN, target locked (another
# secret), target empty (no LUN), and discovery addresses 198.18.9.9 (no
# route) and 198.18.2.9 (a dead portal on eth2's subnet).
#
# The checks, in order:
#   start                     pathd_fake answers portico-path
#   maps, maps-*              three maps of two active paths, named by
#                             WWID, with their LUN's size; the dm fake's
#                             tables hold both paths
#   paths, paths-table        six paths, unique names saying NIC, portal,
#                             target and LUN, all active
#   sessions, nics, status-no-problem, status-counts
#   iscsiadm-*                one iface per NIC bound by name, SendTargets
#                             through the NIC that reaches the discovery
#                             address, node records (node.startup manual,
#                             the policy's timeouts, CHAP), one login per
#                             (NIC, portal) pair that reaches the portal and
#                             none over a pair that does not; no CHAP
#                             secret in pathd's log
#   dropin, multipathd-reconfigure
#   fail, reinstate, fail-unknown   through the dm fake's status
#   session-lost-*            a session logged out by hand: pathd logs in again
#   session-skipped-*         the same after a scan that could not read it
#   lun-added                 reconfigure rescans: a fourth map
#   status-*, still-serving   the wrong CHAP secret, the unreachable and the
#                             dead discovery addresses and the target
#                             without LUN each have their line in show
#                             status; the maps stay; only real sessions
#                             are counted
#   restart-*                 kill -9, a new pathd_fake on the same state:
#                             the same maps, no create, reload or remove,
#                             no login, no multipathd reconfigure
#   teardown-*                refused for an open map (and all), with the
#                             reason; one map: it, then its disks, sessions
#                             kept; all: maps, disks, logouts; reconfigure
#                             brings everything back
#   failover-*                eth2's carrier lost: its paths failed (with the
#                             reason), its session kicked (recovery_tmo 0),
#                             nothing written while the session is failed;
#                             back: reinstated after a probe, recovery_tmo 0
#                             (its maps have spare paths); a check without answer fails every path
#                             of its session and kicks it; a LUN unmapped
#                             (LOGICAL UNIT NOT SUPPORTED): its map and disks
#                             go; a unit attention that the LUNs changed:
#                             the session rescanned
#   events, events-json, monitor   show events and monitor
#   alua-*                    W0's disks show access states: its table gets
#                             the alua handler and two groups, optimized
#                             first, the others none; the standby path
#                             stays active; the states swapped: the unit
#                             attention rescans the disk, one reload,
#                             the other order, no path failed, still
#                             queueing; an unavailable port: failed, said;
#                             no states: one group again
#   conf-*                    portico-pathd -t -c FILE on bad files: FILE:LINE
#                             messages, exit 1
#   exit-clean                SIGTERM: exit 0, no sanitizer report in the
#                             daemon's logs (under BUILD=build-san: leaks too)
#
# Every wait is bounded (a few seconds, polling every 0.1 s). Needs root.
. "$(dirname "$0")/hostlib.sh"

PATHD_FAKE=$T_BIN/pathd_fake
PORTICO_PATHD=$T_BUILD/bin/portico-pathd
PP=$T_BUILD/bin/portico-path
FAKE_ISCSIADM=$T_TOP/tests/functional/fake-iscsiadm
t_require "$PATHD_FAKE" "$PORTICO_PATHD" "$PP" "$FAKE_ISCSIADM"
for p in jq flock; do
	if ! command -v "$p" >/dev/null 2>&1; then
		echo "FAIL: $T_GROUP/setup: no '$p' (scripts/install-deps.sh installs it)"
		exit 1
	fi
done

PD_PID=""
KERNEL_PID=""
PD_N=0
KEEP=$T_BUILD/pathd-logs

# pathd_fake and the fake kernel go before hostlib's cleanup (namespaces, folder).
pd_cleanup() {
	if [ -n "$PD_PID" ]; then
		kill -TERM "$PD_PID" 2>/dev/null
		i=0
		while kill -0 "$PD_PID" 2>/dev/null && [ $i -lt 50 ]; do
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
	# an iscsiadm run of a killed pathd_fake holds the lock until it ends
	[ -d "${FK:-}" ] && flock -w 10 "$FK/lock" true
	# after a failure, what it saw stays: the daemon's logs, the fakes' state
	# (not the drop-in's folder: make reads every *.d under the build folder)
	if [ "$T_FAILS" -gt 0 ] && [ -d "$T_TMP" ]; then
		rm -rf "$KEEP"
		mkdir -p "$KEEP" &&
			tar -C "$T_TMP" --exclude=./etc --exclude=./pathd.sock -cf - . | tar -C "$KEEP" -xf -
		cp "${DROPIN:-/nonexistent}" "$KEEP/dropin.conf" 2>/dev/null
		echo "pathd: the daemon's logs and the fakes' state are in $KEEP"
	fi
}
trap 't_rc=$?; pd_cleanup; t_cleanup; exit $t_rc' EXIT

IQN=iqn.2026-11.org.portico.test
STORE=$IQN:store1
LOCKED=$IQN:locked
EMPTY=$IQN:empty
SECRET=Wm3p-8sQf-Jc2d
P1=198.18.1.1:3260
P2=198.18.2.1:3260
W0=36001405aaaaaaaaaaaaaaaaaaaaaa000
W1=36001405aaaaaaaaaaaaaaaaaaaaaa001
W2=36001405aaaaaaaaaaaaaaaaaaaaaa002
W3=36001405aaaaaaaaaaaaaaaaaaaaaa003
MiB=1048576

FK=$T_TMP/fk
SYS=$FK/sys
DM=$T_TMP/dm
CONF=$T_TMP/pathd.conf
SOCK=$T_TMP/pathd.sock
# its parents are missing: pathd makes them, as /etc/multipath before multipath-tools
DROPIN=$T_TMP/etc/multipath/conf.d/portico-pathd.conf
export PORTICO_FAKE_ISCSIADM_DIR=$FK PORTICO_FAKE_SYSFS=$SYS PORTICO_FAKE_DM=$DM
mkdir -p "$FK" "$DM"

# ---- the pieces ----

write_conf() { # DISCOVERY-ADDRESSES (a libconfig array's insides)
	cat >"$CONF" <<EOF
discovery = [ $1 ];
initiator = "$IQN:kvm1";
chap = { username = "kvm1"; password = "$SECRET"; };
control_socket = "$SOCK";
multipath_dropin = "$DROPIN";
scan_interval = 1;
EOF
	chmod 600 "$CONF"
}

cat >"$FK/san" <<EOF
discovery $P1
target $STORE $P1,1 $P2,2 secret=$SECRET
lun $STORE 0 64 ${W0#3}
lun $STORE 1 128 ${W1#3}
lun $STORE 2 256 ${W2#3}
EOF
write_conf '"198.18.1.1"'
cat >"$T_TMP/multipathd" <<EOF
#!/bin/sh
echo "\$*" >>"$T_TMP/multipathd.log"
echo ok
EOF
chmod +x "$T_TMP/multipathd"
: >"$T_TMP/multipathd.log"

pp() { timeout 60 "$PP" --socket "$SOCK" "$@"; }
ppj() { pp --json "$@"; }

# Polls CMD... every 0.1 s for at most SECONDS (wall clock); 0 once it succeeds.
wait_for() { # SECONDS CMD...
	w_end=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -gt "$w_end" ] && return 1
		sleep 0.1
	done
	return 0
}

# PASS NAME when CMD... succeeds within SECONDS, else FAIL NAME with WHY, the
# daemon's log, and what pathd shows now.
expect() { # NAME SECONDS WHY CMD...
	e_name=$1 e_secs=$2 e_why=$3
	shift 3
	if wait_for "$e_secs" "$@"; then
		pass "$e_name"
		return 0
	fi
	fail "$e_name" "$e_why (within ${e_secs}s)" "$PD_LOG"
	{
		echo "--- portico-path show maps, show status ---"
		maps_summary
		pp show status
	} 2>&1 | sed 's/^/    | /'
	return 1
}

# PASS NAME when the shell code CODE succeeds now, else FAIL NAME with WHY and FILE's tail.
check() { # NAME WHY FILE CODE
	if eval "$4"; then
		pass "$1"
		return 0
	fi
	fail "$1" "$2" "$3"
	return 1
}

pd_up() { "$PP" --socket "$SOCK" --timeout 2 show status >/dev/null 2>&1; }

# Starts pathd_fake in the host namespace; its log in PD_LOG.
pd_start() {
	PD_N=$((PD_N + 1))
	PD_LOG=$T_TMP/pathd-$PD_N.log
	ip netns exec "$H" "$PATHD_FAKE" -c "$CONF" -s "$SYS" -i "$FAKE_ISCSIADM" \
		-m "$T_TMP/multipathd" -D "$DM" -v -d iscsiadm,pathd >"$PD_LOG" 2>&1 &
	PD_PID=$!
}

# The maps as one line each: name wwid size state total active devices.
maps_summary() {
	ppj show maps | jq -r '.maps[] | "\(.name) \(.wwid) \(.size) \(.state) \(.paths_total) \(.paths_active) \([.paths[].dev] | sort | join(","))"' | sort
}

# Whether there are N maps, each ready with two active paths.
maps_ready() { # N
	[ "$(ppj show maps | jq '([.maps[] | select(.state == "ready" and .paths_total == 2 and .paths_active == 2)] | length), (.maps | length)' | tr '\n' ' ')" = "$1 $1 " ]
}

# The dm fake's status line of map NAME (DM/maps, as pathd_fake wrote it last).
dm_status() { # NAME
	awk -v n="$1" '$1 == "map" { m = ($2 == n) } m && $1 == "status" { sub(/^status /, ""); print }' "$DM/maps"
}

# Whether the dm fake's status shows DEVT in state S (A or F).
dm_path_is() { # NAME DEVT S
	dm_status "$1" | grep -q " $2 $3 "
}

# How many lines of the fake iscsiadm's log match the extended regex.
iadm_count() { grep -cE -e "$1" "$FK/log"; }

status_has() { pp show status | grep -qF -- "$1"; }

# A "key value" of a map: open_count, size, ...
map_field() { # WWID FIELD
	ppj show maps | jq -r --arg w "$1" --arg f "$2" '.maps[] | select(.wwid == $w) | .[$f]'
}

# The devices of the paths of WWID.
devs_of() { # WWID
	ppj show paths | jq -r --arg w "$1" '.paths[] | select(.wwid == $w) | .dev' | sort | tr '\n' ' '
}

# ---- the network: two NICs, each on its portal's subnet ----

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

# the test's kernel: a disk whose sysfs delete holds "1" goes (fake-iscsiadm kernel)
"$FAKE_ISCSIADM" kernel $$ &
KERNEL_PID=$!

# ---- from nothing to three maps ----

pd_start
expect start 10 "portico-path show status does not answer" pd_up || t_done
expect maps 15 "not three maps of two active paths" maps_ready 3

want="$W0 $W0 $((64 * MiB))
$W1 $W1 $((128 * MiB))
$W2 $W2 $((256 * MiB))"
got=$(ppj show maps | jq -r '.maps[] | "\(.name) \(.wwid) \(.size)"' | sort)
check maps-named-by-wwid-with-size "show maps: '$got', expected '$want'" "" '[ "$got" = "$want" ]'

# the kernel's (the dm fake's) tables: each map has its two devices, both active
tables_ok() {
	for w in $W0 $W1 $W2; do
		for d in $(ppj show paths | jq -r --arg w "$w" '.paths[] | select(.wwid == $w) | .devt'); do
			dm_path_is "$w" "$d" A || return 1
		done
		[ "$(dm_status "$w" | grep -oE ' [0-9]+:[0-9]+ A ' | wc -l)" = 2 ] || return 1
	done
}
check maps-dm-tables "the dm fake's status lines do not show two active paths a map" "$DM/maps" tables_ok

paths_ok() {
	ppj show paths | jq -e '(.paths | length) == 6 and ([.paths[].name] | unique | length) == 6
		and all(.paths[]; .name == "\(.nic)-ip-\(.portal)-iscsi-\(.target)-lun-\(.lun)"
			and .state == "active")' >/dev/null
}
ppj show paths >"$T_TMP/paths.json"
check paths "not six active paths with unique names of NIC, portal, target and LUN" \
	"$T_TMP/paths.json" paths_ok
pp show paths >"$T_TMP/paths.txt"
check paths-table "show paths does not list 'eth1-ip-$P1-iscsi-$STORE-lun-0' active" "$T_TMP/paths.txt" \
	'grep -qE "^sd[a-z]+ +8:[0-9]+ +active +64M +$W0 +eth1-ip-$P1-iscsi-$STORE-lun-0\$" "$T_TMP/paths.txt"'

sessions_ok() {
	[ "$(ppj show sessions | jq -r '.sessions[] | "\(.nic) \(.portal) \(.target) \(.state) \(.paths) \(.sid > 0)"' | sort)" = "eth1 $P1 $STORE up 3 true
eth2 $P2 $STORE up 3 true" ]
}
ppj show sessions >"$T_TMP/sessions.json"
check sessions "not two sessions up, eth1 to $P1 and eth2 to $P2, three paths each" \
	"$T_TMP/sessions.json" sessions_ok

nics_ok() {
	ppj show nics | jq -e '[.nics[] | select((.name == "eth1" and .addresses == ["198.18.1.2/24"]) or
		(.name == "eth2" and .addresses == ["198.18.2.2/24"])) | select(.up and .carrier and .address)] |
		length == 2' >/dev/null &&
		pp show nics | grep -qE '^eth1 +up +yes +198\.18\.1\.2/24$'
}
pp show nics >"$T_TMP/nics.txt"
check nics "show nics does not show eth1 and eth2 up with carrier and an address" "$T_TMP/nics.txt" nics_ok
pp show status >"$T_TMP/status.txt"
check status-no-problem "show status does not say 'no problem'" "$T_TMP/status.txt" \
	'grep -qx "no problem" "$T_TMP/status.txt"'
# Whether show status counts S sessions, P paths and M maps.
counts_are() { # S P M
	[ "$(ppj show status | jq -r '"\(.sessions) \(.paths) \(.maps)"')" = "$1 $2 $3" ]
}
check status-counts "show status does not count 2 sessions, 6 paths, 3 maps" "$T_TMP/status.txt" \
	'counts_are 2 6 3'

# ---- what pathd asked of iscsiadm ----

ifaces_ok() {
	for i in 1 2; do
		[ "$(iadm_count "^-m iface -I portico-eth$i -o new => 0\$")" = 1 ] &&
			[ "$(iadm_count "^-m iface -I portico-eth$i -o update -n iface.net_ifacename -v eth$i => 0\$")" = 1 ] &&
			grep -qx "iface.net_ifacename = eth$i" "$FK/ifaces/portico-eth$i" || return 1
	done
	[ "$(iadm_count '^-m iface ')" = 4 ]
}
check iscsiadm-ifaces "not one iface record per NIC, portico-ethN bound to ethN" "$FK/log" ifaces_ok

sendtargets_ok() {
	[ "$(iadm_count "^-m discovery -t sendtargets -p $P1 -I portico-eth1 -o nonpersistent => 0\$")" -ge 1 ] &&
		[ "$(iadm_count '^-m discovery.*-I portico-eth2')" = 0 ]
}
check iscsiadm-sendtargets "SendTargets not through eth1 only" "$FK/log" sendtargets_ok

nodes_ok() {
	for np in "1 $P1,1" "2 $P2,2"; do
		i=${np%% *} p=${np#* }
		[ "$(iadm_count "^-m node -T $STORE -p $p -I portico-eth$i -o new => 0\$")" = 1 ] || return 1
		line=$(grep -E "^-m node -T $STORE -p $p -I portico-eth$i -o update " "$FK/log")
		for kv in "node.startup -v manual" "node.session.timeo.replacement_timeout -v 5" \
			"node.conn\\[0\\].timeo.noop_out_interval -v 5" \
			"node.conn\\[0\\].timeo.noop_out_timeout -v 5" \
			"node.session.initial_login_retry_max -v 0" \
			"node.session.auth.authmethod -v CHAP" "node.session.auth.username -v kvm1"; do
			echo "$line" | grep -qE -- "-n $kv( |\$)" || return 1
		done
		grep -qx "node.startup = manual" "$FK/nodes/portico-eth$i/$STORE/${p%,*}" || return 1
	done
}
check iscsiadm-node-records "node records without node.startup manual, the policy's timeouts or CHAP" \
	"$FK/log" nodes_ok

logins_ok() {
	[ "$(iadm_count "^-m node -T $STORE -p $P1,1 -I portico-eth1 --login => 0\$")" = 1 ] &&
		[ "$(iadm_count "^-m node -T $STORE -p $P2,2 -I portico-eth2 --login => 0\$")" = 1 ] &&
		[ "$(iadm_count '--login')" = 2 ]
}
check iscsiadm-logins "not one login over eth1 to $P1 and one over eth2 to $P2, and no other" \
	"$FK/log" logins_ok
check iscsiadm-no-cross-login "a login over a NIC that does not reach the portal" "$FK/log" \
	'[ "$(iadm_count "(-p $P2,2 -I portico-eth1|-p $P1,1 -I portico-eth2)")" = 0 ]'
check no-secret-in-log "the CHAP secret is in pathd's log" "" \
	'[ "$(grep -c -e "$SECRET" "$PD_LOG")" = 0 ]'

# ---- multipathd ----

dropin_ok() {
	[ "$(grep -E '^[[:space:]]*wwid ' "$DROPIN" | sort)" = "$(printf '\twwid "^%s$"\n' $W0 $W1 $W2)" ]
}
check dropin "the drop-in does not blacklist exactly the three WWIDs" "$DROPIN" dropin_ok
check multipathd-reconfigure "multipathd reconfigure was not run" "$T_TMP/multipathd.log" \
	'grep -qx reconfigure "$T_TMP/multipathd.log"'

# ---- portico-path fail / reinstate ----

NAME0="eth1-ip-$P1-iscsi-$STORE-lun-0"
DEV0=$(ppj show paths | jq -r --arg n "$NAME0" '.paths[] | select(.name == $n) | .dev')
DEVT0=$(ppj show paths | jq -r --arg n "$NAME0" '.paths[] | select(.name == $n) | .devt')
path_state() { [ "$(ppj show paths | jq -r --arg n "$NAME0" '.paths[] | select(.name == $n) | .state')" = "$1" ]; }
failed_ok() { dm_path_is $W0 "$DEVT0" F && path_state failed && [ "$(map_field $W0 paths_active)" = 1 ]; }
active_ok() { dm_path_is $W0 "$DEVT0" A && path_state active && [ "$(map_field $W0 paths_active)" = 2 ]; }
if pp fail "$NAME0" >"$T_TMP/fail.out" 2>&1 && grep -q "^$DEV0: failed in its map" "$T_TMP/fail.out"; then
	expect fail 5 "path $NAME0 ($DEVT0) not failed in the dm fake's status: $(dm_status $W0)" failed_ok
else
	fail fail "portico-path fail $NAME0 did not say it failed it" "$T_TMP/fail.out"
fi
# by its device this time
if pp reinstate "$DEV0" >"$T_TMP/reinstate.out" 2>&1 && grep -q "^$DEV0: reinstated" "$T_TMP/reinstate.out"; then
	expect reinstate 5 "path $DEV0 not active again in the dm fake's status: $(dm_status $W0)" active_ok
else
	fail reinstate "portico-path reinstate $DEV0 did not say it reinstated it" "$T_TMP/reinstate.out"
fi
pp fail "eth9-ip-$P1-iscsi-$STORE-lun-0" >"$T_TMP/unknown.out" 2>&1
rc=$?
check fail-unknown "an unknown path: exit $rc, not 1 with 'no path'" "$T_TMP/unknown.out" \
	'[ $rc = 1 ] && grep -q "^error: no path .eth9-ip-$P1-iscsi-$STORE-lun-0. \[ENOENT\]" "$T_TMP/unknown.out"'

# ---- a session logged out behind pathd's back (iscsiadm by hand): pathd logs in again ----

sid2=$(ppj show sessions | jq -r '.sessions[] | select(.nic == "eth2") | .sid')
"$FAKE_ISCSIADM" -m node -T $STORE -p $P2 -I portico-eth2 --logout >"$T_TMP/logout.out" 2>&1
check session-lost-logout "the test's logout of session $sid2 failed" "$T_TMP/logout.out" \
	'[ ! -e "$SYS/class/iscsi_session/session$sid2" ]'
back_ok() {
	maps_ready 3 && sid=$(ppj show sessions | jq -r '.sessions[] | select(.nic == "eth2" and .state == "up") | .sid') &&
		[ -n "$sid" ] && [ "$sid" != "$sid2" ]
}
expect session-lost-login-again 10 "no new session over eth2 and three maps of two active paths" back_ok

# The same, as the kernel takes a session apart: one scan sees it half gone
# (its state attribute missing: skipped), the next no more. It is gone all
# the same, with its disks: pathd logs in again, the maps get the new paths.
sid2=$(ppj show sessions | jq -r '.sessions[] | select(.nic == "eth2") | .sid')
rm -f "$SYS/class/iscsi_session/session$sid2/state"
skipped() { grep -qE "debug pathd: scan: session $sid2 +skipped: session$sid2/state is missing" "$PD_LOG"; }
expect session-skipped 5 "no scan skipped session $sid2 without its state" skipped
"$FAKE_ISCSIADM" -m node -T $STORE -p $P2 -I portico-eth2 --logout >"$T_TMP/logout.out" 2>&1
expect session-skipped-then-gone 10 "session $sid2 not seen gone: no new session over eth2 and three maps of two active paths" back_ok

# ---- a LUN added: reconfigure rescans the sessions ----

echo "lun $STORE 3 32 ${W3#3}" >>"$FK/san"
check lun-added-reconfigure "portico-path reconfigure failed" "" 'pp reconfigure >/dev/null'
four_ok() { maps_ready 4 && [ "$(map_field $W3 size)" = $((32 * MiB)) ]; }
expect lun-added 10 "no fourth map of two active paths and 32 MiB" four_ok
check lun-added-rescan "no rescan of both sessions" "$FK/log" \
	'[ "$(iadm_count "^-m session -r [0-9]+ --rescan => 0\$")" -ge 2 ]'

# ---- what goes wrong is said, and the rest goes on ----

cat >>"$FK/san" <<EOF
target $LOCKED $P1,1 $P2,2 secret=Another-Secret-99
target $EMPTY $P1,1 $P2,2
dead 198.18.2.9:3260
EOF
write_conf '"198.18.1.1", "198.18.9.9", "198.18.2.9"'
pp reconfigure >/dev/null
chap_ok() {
	pp show status >"$T_TMP/status.txt" &&
		grep -qE "target $LOCKED portal $P1 nic eth1: login failed: authentication failed .*; check the CHAP secrets" "$T_TMP/status.txt" &&
		grep -qE "target $LOCKED portal $P2 nic eth2: login failed: authentication failed .*; check the CHAP secrets" "$T_TMP/status.txt"
}
expect status-wrong-chap 10 "no authentication line for $LOCKED on both paths" chap_ok
expect status-unreachable-discovery 10 "no line for discovery 198.18.9.9" \
	status_has "discovery 198.18.9.9:3260: no storage NIC has a route to the discovery address"
dead_ok() { pp show status | grep -qE "^  discovery 198\.18\.2\.9:3260: SendTargets discovery failed: .*connection to 198\.18\.2\.9:3260 timed out.* \(over eth2\)"; }
expect status-dead-discovery 10 "no line for the dead discovery address 198.18.2.9" dead_ok
# a session without LUN is said so after a grace of 5 s
empty_ok() {
	status_has "target $EMPTY portal $P1 nic eth1: logged in, but the target maps no LUN to this host" &&
		status_has "target $EMPTY portal $P2 nic eth2: logged in, but the target maps no LUN to this host"
}
expect status-no-lun 12 "no line for $EMPTY, which maps no LUN" empty_ok
check status-no-session-locked "a session of $LOCKED exists" "$FK/log" \
	'[ "$(grep -l "target = $LOCKED" "$FK"/sessions/* 2>/dev/null | wc -l)" = 0 ]'
check still-serving "the maps did not stay: $(maps_summary | tr '\n' ';')" "" 'maps_ready 4'
check status-counts-sessions "show status does not count the 4 sessions, 8 paths and 4 maps" "" \
	'counts_are 4 8 4'

# ---- kill -9, and a new pathd on the same state ----

before=$(maps_summary)
cp "$DM/maps" "$T_TMP/dm-maps.before"
mp_before=$(wc -l <"$T_TMP/multipathd.log")
kill -KILL "$PD_PID"
wait "$PD_PID" 2>/dev/null
PD_PID=""
sleep 0.2
flock -w 10 "$FK/lock" true # an iscsiadm run it started ends first
log_at=$(wc -l <"$FK/log")
pd_start
expect restart-start 10 "the new pathd_fake does not answer" pd_up
same_maps() { [ "$(maps_summary)" = "$before" ]; }
expect restart-maps 10 "show maps is not what it was before: $(echo "$before" | tr '\n' ';')" same_maps
# three lists of its own, a second apart: time enough to settle and act, had it wanted to
listed() { [ "$(awk '$1 == "list" { print $2 }' "$DM/calls" 2>/dev/null)" -ge 4 ] 2>/dev/null; }
wait_for 10 listed
calls=$(tr '\n' ' ' <"$DM/calls")
check restart-no-dm-change "the new pathd called the dm fake: $calls" "$DM/calls" \
	'grep -qx "create 0" "$DM/calls" && grep -qx "reload 0" "$DM/calls" &&
	grep -qx "remove 0" "$DM/calls" && grep -qx "message 0" "$DM/calls"'
check restart-dm-state "the dm fake's maps differ after the restart" "$DM/maps" \
	'cmp -s "$T_TMP/dm-maps.before" "$DM/maps"'
tail -n +$((log_at + 1)) "$FK/log" >"$T_TMP/log.after"
check restart-no-login "a login or logout of a session that was there" "$T_TMP/log.after" \
	'[ "$(grep -cE -e "-T ($STORE|$EMPTY) .*--log(in|out)" "$T_TMP/log.after")" = 0 ]'
check restart-ifaces-in-use "iface new not refused as in use (15), or the NICs not ready" "$T_TMP/log.after" \
	'grep -qx -e "-m iface -I portico-eth1 -o new => 15" "$T_TMP/log.after" &&
	! pp show status | grep -q "cannot be made a storage NIC"'
check restart-no-multipathd "multipathd reconfigure ran again" "$T_TMP/multipathd.log" \
	'[ "$(wc -l <"$T_TMP/multipathd.log")" = "$mp_before" ]'

# ---- teardown ----

SIDS=$(ppj show sessions | jq -r --arg t $STORE '.sessions[] | select(.target == $t) | "\(.nic) \(.sid)"' | sort)
echo "$W0 1" >"$DM/open"
open_is() { [ "$(map_field $W0 open_count)" = "$1" ]; }
expect teardown-open-seen 5 "show maps does not show map $W0 open" open_is 1
pp teardown $W0 >"$T_TMP/teardown.out" 2>&1
rc=$?
check teardown-open-refused "teardown of an open map: exit $rc, not 1 with the reason" "$T_TMP/teardown.out" \
	'[ $rc = 1 ] && grep -qF "error: map '\''$W0'\'' is open (1): it stays" "$T_TMP/teardown.out" &&
	grep -q "^hint: stop what uses it first" "$T_TMP/teardown.out"'
pp teardown >"$T_TMP/teardown.out" 2>&1
rc=$?
check teardown-all-open-refused "teardown of all with an open map: exit $rc, not 1 with the reason" \
	"$T_TMP/teardown.out" \
	'[ $rc = 1 ] && grep -qF "error: a map is open: nothing was torn down" "$T_TMP/teardown.out"'
check teardown-open-kept "the open map went" "" 'maps_ready 4'

rm -f "$DM/open"
expect teardown-closed-seen 5 "show maps still shows map $W0 open" open_is 0
devs0=$(devs_of $W0)
pp --timeout 20 teardown $W0 >"$T_TMP/teardown.out" 2>&1
rc=$?
check teardown-one "teardown $W0: exit $rc" "$T_TMP/teardown.out" \
	'[ $rc = 0 ] && grep -qx "done: the sessions that carry other LUNs stay" "$T_TMP/teardown.out"'
one_gone() {
	maps_ready 3 && ! ppj show maps | jq -e --arg w $W0 '.maps[] | select(.wwid == $w)' >/dev/null &&
		[ -z "$(dm_status $W0)" ]
}
check teardown-one-map-gone "map $W0 is still listed, by pathd or the dm fake" "$DM/maps" one_gone
disks_gone() {
	for d in $devs0; do
		[ ! -e "$SYS/block/$d" ] && grep -qx "kernel: $d deleted" "$FK/log" || return 1
	done
	[ -n "$devs0" ] && [ -z "$(devs_of $W0)" ]
}
check teardown-one-disks-deleted "disks $devs0 are still there" "$FK/log" disks_gone
sessions_kept() {
	[ "$(ppj show sessions | jq -r --arg t $STORE '.sessions[] | select(.target == $t and .state == "up") | "\(.nic) \(.sid)"' | sort)" = "$SIDS" ]
}
check teardown-one-sessions-kept "the sessions of $STORE changed" "" sessions_kept
check teardown-one-status "show status does not say the WWID is torn down" "" \
	'status_has "wwid $W0: torn down: no map until '\''portico-path reconfigure'\''"'

log_at=$(wc -l <"$FK/log")
pp --timeout 20 teardown >"$T_TMP/teardown.out" 2>&1
rc=$?
check teardown-all "teardown: exit $rc" "$T_TMP/teardown.out" \
	'[ $rc = 0 ] && grep -q "^done: logged out" "$T_TMP/teardown.out"'
all_gone() {
	[ "$(ppj show maps | jq '.maps | length')" = 0 ] && [ ! -s "$DM/maps" ] &&
		[ -z "$(find "$SYS/block" "$SYS/class/iscsi_session" "$FK/sessions" -mindepth 1)" ] &&
		[ "$(grep -c '^[[:space:]]*wwid ' "$DROPIN")" = 0 ]
}
check teardown-all-gone "maps, disks, sessions or the drop-in's WWIDs are left" "$DM/maps" all_gone
tail -n +$((log_at + 1)) "$FK/log" >"$T_TMP/log.after"
logouts_ok() {
	for t in $STORE $EMPTY; do
		for np in "1 $P1" "2 $P2"; do
			grep -qx -- "-m node -T $t -p ${np#* } -I portico-eth${np%% *} --logout => 0" "$T_TMP/log.after" &&
				grep -qx -- "-m node -T $t -p ${np#* } -I portico-eth${np%% *} -o delete => 0" "$T_TMP/log.after" || return 1
		done
	done
}
check teardown-all-logouts "not a logout and a node record deleted per session" "$T_TMP/log.after" logouts_ok
check teardown-all-status "show status does not say everything is torn down" "" \
	'status_has "everything is torn down: no map, no login, no discovery until '\''portico-path reconfigure'\''"'

check reconfigure "portico-path reconfigure failed" "" 'pp reconfigure >/dev/null'
expect reconfigure-back 15 "not four maps of two active paths again" maps_ready 4

# ---- failover ----
# The fake kernel does not fail a session: the test plays it, writing the
# session's state as iscsid and the kernel would (FAILED once its
# connection is gone, LOGGED_IN once it is back).

# The fake session folder over NIC (portico-NIC) to STORE.
sess_of() { # NIC
	for f in "$SYS"/class/iscsi_session/session*; do
		[ "$(cat "$f/ifacename")" = "portico-$1" ] && [ "$(cat "$f/targetname")" = "$STORE" ] &&
			echo "$f" && return 0
	done
	return 1
}
# The device of W0's path over NIC, and its devt.
dev_of() { ppj show paths | jq -r --arg w "$W0" --arg n "$1" '.paths[] | select(.wwid == $w and .nic == $n) | .dev'; }
devt_of() { ppj show paths | jq -r --arg w "$W0" --arg n "$1" '.paths[] | select(.wwid == $w and .nic == $n) | .devt'; }
path_is() { # DEV STATE
	ppj show paths | jq -e --arg d "$1" --arg s "$2" '[.paths[] | select(.dev == $d and .state == $s)] | length == 1' >/dev/null
}

S2=$(sess_of eth2)
D2=$(dev_of eth2)
T2=$(devt_of eth2)
S1=$(sess_of eth1)
# every map has a path over each NIC: both sessions run with recovery_tmo 0
# (a target that closes its end fails their I/O over at once), not drift
tmo_is() { [ "$(cat "$1/recovery_tmo")" = "$2" ]; }
expect failover-spare-tmo 5 "the sessions' recovery_tmo is not 0 with a spare path for every map" \
	sh -c '[ "$(cat "$1/recovery_tmo")" = 0 ] && [ "$(cat "$2/recovery_tmo")" = 0 ]' - "$S1" "$S2"
check failover-spare-no-drift "show sessions says the spare-path timeout is drift" "" \
	'! ppj show sessions | jq -e "[.sessions[] | select(.timeouts_drift)] | length > 0" >/dev/null'
# carrier lost: eth2's peer down
ip -n "$W" link set eth2p down
lost_ok() { path_is "$D2" failed && dm_path_is "$W0" "$T2" F; }
expect failover-carrier 5 "no carrier on eth2: $D2 not failed in show paths and in the dm fake" lost_ok
check failover-carrier-reason "show paths and show status do not say why $D2 is failed" "" \
	'ppj show paths | jq -e --arg d "$D2" "[.paths[] | select(.dev == \$d and (.reason | contains(\"no carrier\")))] | length == 1" >/dev/null &&
		status_has "path $D2: failed: NIC eth2 is down or has no carrier"'
expect failover-kick 5 "the eth2 session's recovery_tmo is not 0 after the kick" \
	sh -c '[ "$(cat "$1/recovery_tmo")" = 0 ]' - "$S2"
# eth1's paths are the last ones of their maps now: the policy's timeout,
# so that a blip there waits instead of failing its I/O up to the map
expect failover-last-path-tmo 5 "eth1's session, the last path of every map, is not at the policy's recovery_tmo 5" \
	tmo_is "$S1" 5
# the kernel fails the session; the cable comes back; iscsid logs in again
echo FAILED >"$S2/state"
sleep 0.5
ip -n "$W" link set eth2p up
sleep 0.5
check failover-no-tmo-while-failed "recovery_tmo written while the session is failed" "" \
	'[ "$(cat "$S2/recovery_tmo")" = 0 ]'
echo LOGGED_IN >"$S2/state"
# back, with the 0 the kick left: every map of it has a spare path (eth1's), so it
# keeps 0 and a target that dies behind it fails its I/O over at once
back_ok() { path_is "$D2" active && dm_path_is "$W0" "$T2" A && tmo_is "$S2" 0 && tmo_is "$S1" 0; }
expect failover-back 5 "$D2 not reinstated, or the sessions' recovery_tmo not 0, once eth2's session is back" back_ok
check failover-back-probed "no WWID probe of $D2 before it was reinstated" "$PD_LOG" \
	'grep -q "reinstating it" "$PD_LOG"'

# a silent death: eth1's path to W0 stops answering its checks
D1=$(dev_of eth1)
echo down >"$SYS/block/$D1/device/tur"
silent_ok() {
	# every path of that session, not only the one that was checked
	[ "$(ppj show paths | jq '[.paths[] | select(.nic == "eth1" and .target == "'"$STORE"'" and .state == "failed")] | length')" = 4 ] &&
		[ "$(cat "$S1/recovery_tmo")" = 0 ]
}
expect failover-silent 6 "a check without answer: not every eth1 path failed and the session kicked" silent_ok
check failover-silent-log "pathd's log does not say the check failed" "$PD_LOG" \
	'grep -q "path '"'"'$D1'"'"': check failed" "$PD_LOG"'
check failover-silent-serving "W0 does not keep its eth2 path active" "" 'dm_path_is "$W0" "$T2" A'
rm -f "$SYS/block/$D1/device/tur"
echo FAILED >"$S1/state"
sleep 0.5
echo LOGGED_IN >"$S1/state"
expect failover-silent-back 8 "the eth1 paths are not all active again" maps_ready 4

# the target unmaps W3's LUN: its paths answer LOGICAL UNIT NOT SUPPORTED
sed -i "/^lun $STORE 3 /d" "$FK/san"
w3_devs=$(ppj show paths | jq -r --arg w "$W3" '.paths[] | select(.wwid == $w) | .dev')
for d in $w3_devs; do echo gone >"$SYS/block/$d/device/tur"; done
unmapped_ok() {
	[ "$(ppj show maps | jq --arg w "$W3" '[.maps[] | select(.wwid == $w)] | length')" = 0 ] && ! grep -q "^map $W3 " "$DM/maps" || return 1
	for d in $w3_devs; do [ ! -e "$SYS/block/$d" ] || return 1; done
}
expect failover-lun-unmapped 8 "W3's map and disks are not gone after its LUN was unmapped" unmapped_ok
expect failover-lun-unmapped-rest 3 "the other maps do not keep both paths" maps_ready 3

# a unit attention that the LUN list changed: the session is rescanned
log_at=$(wc -l <"$FK/log")
echo luns >"$SYS/block/$(dev_of eth2)/device/tur"
rescan_ok() { tail -n +$((log_at + 1)) "$FK/log" | grep -qE -- "^-m session -r [0-9]+ --rescan => 0\$"; }
expect failover-ua-rescan 6 "REPORTED LUNS DATA HAS CHANGED met by a check: no rescan" rescan_ok

# show events and monitor
check events "show events does not list the rescan just done, with its time" "" \
	'pp show events | grep -qE "^[0-9-]+ [0-9:.]+ info +session [0-9]+: rescanned in [0-9]+ ms\$"'
check events-json "show events --json has no events with seq and text" "" \
	'ppj show events | jq -e "(.events | length) > 0 and all(.events[]; .seq > 0 and (.text | length) > 0) and .next > 0" >/dev/null'
timeout 2 "$PP" --socket "$SOCK" monitor >"$T_TMP/monitor.out" 2>&1
check monitor "monitor printed nothing in 2 s" "$T_TMP/monitor.out" '[ "$(wc -l <"$T_TMP/monitor.out")" -ge 5 ]'

# ---- ALUA ----
# The test plays the kernel's alua handler: each disk's access_state and
# preferred_path in its sysfs folder, and a standby port's answer to the
# checker (NOT READY, 04h/0Bh).

DA=$(dev_of eth1)
TA=$(devt_of eth1)
DB=$(dev_of eth2)
TB=$(devt_of eth2)
alua_set() { # DEV STATE PREFERRED
	printf '%s\n' "$2" >"$SYS/block/$1/device/access_state"
	printf '%s\n' "$3" >"$SYS/block/$1/device/preferred_path"
}
# The dm fake's table of map NAME, and its devices in table order.
dm_table() { # NAME
	awk -v n="$1" '$1 == "map" { m = ($2 == n) } m && $1 == "table" { sub(/^table /, ""); print }' "$DM/maps"
}
dm_order() { dm_table "$1" | grep -oE '[0-9]+:[0-9]+' | tr '\n' ' '; }
# W0's table: the alua handler, two groups of one path each, FIRST then SECOND.
alua_groups() { # FIRST SECOND
	dm_table "$W0" | grep -qE ' 1 alua 2 [12] ' && [ "$(dm_order "$W0")" = "$1 $2 " ]
}
reloads() { awk '$1 == "reload" { print $2 }' "$DM/calls"; }

alua_set "$DB" active/optimized 1
alua_set "$DA" standby 0
expect alua-groups 8 "W0's table is not the alua handler and two groups, $TB (optimized) first: $(dm_table "$W0")" \
	alua_groups "$TB" "$TA"
check alua-others-untouched "the maps without access_state got the alua handler" "$DM/maps" \
	'! dm_table "$W1" | grep -q alua && ! dm_table "$W2" | grep -q alua'
# the standby path is checked (standby) and stays in the map, active
log_at=$(wc -l <"$PD_LOG")
echo standby >"$SYS/block/$DA/device/tur"
sleep 3
check alua-standby-kept "the standby path $DA was failed" "$PD_LOG" \
	'dm_path_is "$W0" "$TA" A && path_is "$DA" active && [ "$(map_field $W0 paths_active)" = 2 ]'
# the storage swaps its groups' states, and says so with a unit attention
before=$(reloads)
log_at=$(wc -l <"$PD_LOG")
echo alua >"$SYS/block/$DA/device/tur"
alua_set "$DA" active/optimized 1
alua_set "$DB" standby 0
echo standby >"$SYS/block/$DB/device/tur"
ua_ok() { tail -n +$((log_at + 1)) "$PD_LOG" | grep -qE "disk '$DA'( rescanned|: cannot rescan it)"; }
expect alua-ua-rescan 6 "ASYMMETRIC ACCESS STATE CHANGED met by a check: $DA not rescanned" ua_ok
expect alua-swap 8 "W0 not regrouped with $TA first after the swap: $(dm_table "$W0")" alua_groups "$TA" "$TB"
check alua-swap-one-reload "W0 reloaded $(( $(reloads) - before )) times for one swap, not once" "$DM/calls" \
	'[ $(( $(reloads) - before )) = 1 ]'
check alua-swap-no-fail "a path of W0 failed over the swap" "$DM/maps" \
	'dm_path_is "$W0" "$TA" A && dm_path_is "$W0" "$TB" A && ! tail -n +$((log_at + 1)) "$PD_LOG" | grep -q "failing it"'
check alua-swap-queueing "W0's table lost queue_if_no_path" "$DM/maps" \
	'dm_table "$W0" | grep -q "^1 queue_if_no_path "'
# an unavailable port: failed, with the state said
echo unavailable >"$SYS/block/$DB/device/tur"
expect alua-unavailable 6 "$DB (unavailable) not failed with its state said" \
	sh -c 'grep -q "failing it: ALUA: " "$1"' - "$PD_LOG"
# the storage stops reporting states: one group, no handler, both paths back
rm -f "$SYS/block/$DA/device/access_state" "$SYS/block/$DA/device/preferred_path" \
	"$SYS/block/$DB/device/access_state" "$SYS/block/$DB/device/preferred_path" \
	"$SYS/block/$DB/device/tur"
none_ok() { ! dm_table "$W0" | grep -q alua && dm_table "$W0" | grep -qE ' 0 1 1 ' && maps_ready 3; }
expect alua-none 10 "W0 not back to one group without the handler, both paths active: $(dm_table "$W0")" none_ok

# ---- configuration refusals, from the real portico-pathd ----

# FILE:LINE: MESSAGE (or FILE: MESSAGE) and exit 1 for a file with TEXT.
conf_refused() { # NAME TEXT WANT
	f=$T_TMP/$1.conf
	printf '%b' "$2" >"$f"
	chmod 600 "$f"
	"$PORTICO_PATHD" -t -c "$f" >"$T_TMP/conf.out" 2>&1
	rc=$?
	c_want="portico-pathd: $f$3"
	check "conf-$1" "exit $rc, not 1 with '$c_want'" "$T_TMP/conf.out" \
		'[ $rc = 1 ] && grep -qF -e "$c_want" "$T_TMP/conf.out"'
}
I="initiator = \"$IQN:kvm1\";\n"
conf_refused unknown-key "discovery = [ \"198.18.1.1\" ];\n${I}policy = { path_selector = \"round-robin\"; };\n" \
	":3: unknown key 'path_selector': multipath.conf's path_selector is selector here"
conf_refused host-name "$I\ndiscovery = [ \"storage1.example.org\" ];\n" \
	":3: discovery address 'storage1.example.org': host names are not accepted"
conf_refused short-secret "discovery = [ \"198.18.1.1\" ];\n${I}chap = { username = \"kvm1\";\n  password = \"short\"; };\n" \
	":4: chap: password is shorter than 12 bytes"
conf_refused syntax "$I# the storage\ndiscovery = [ 198.18.1.1 ];\n" ":3: syntax error"
conf_refused no-discovery "$I" ": no discovery address: add discovery = [ \"192.0.2.1\" ];"
"$PORTICO_PATHD" -t -c "$CONF" >"$T_TMP/conf.out" 2>&1
rc=$?
check conf-valid "the group's own pathd.conf: exit $rc" "$T_TMP/conf.out" \
	'[ $rc = 0 ] && grep -qx "portico-pathd: $CONF: configuration is valid" "$T_TMP/conf.out"'

# ---- the end ----

kill -TERM "$PD_PID"
i=0
while kill -0 "$PD_PID" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$PD_PID" 2>/dev/null; then
	fail exit-clean "pathd_fake still runs 10 s after SIGTERM" "$PD_LOG"
else
	wait "$PD_PID"
	rc=$?
	PD_PID=""
	reports=$(grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:' "$T_TMP"/pathd-*.log)
	if [ -n "$reports" ]; then
		fail exit-clean "sanitizer report in $reports"
		grep -h -E -A 14 'ERROR: |runtime error:' $reports | head -n 60 | sed 's/^/    | /'
	elif [ $rc != 0 ]; then
		fail exit-clean "pathd_fake exited with status $rc" "$PD_LOG"
	else
		pass exit-clean
	fi
fi
t_done
