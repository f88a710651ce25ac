# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: two porticod gateways of one gateway group in front of Ceph RBD,
# as docs/gateway-group.md sets them up, under the guest's portico-pathd
# (porticod only). The host restarts the target in its 'gateways' variant
# (tests/vm/target.sh): a one-node Ceph cluster in the lab's namespace, one
# image, gw-a on $PORTAL0 (TPG 1, the owner: active/optimized) and gw-b on
# $PORTAL1 (TPG 2, a follower: active/non-optimized), lease 6 s. pathd.conf
# names both gateways (each answers SendTargets with its own portal only).
#  - one map, the alua handler, two groups: gw-a's path first;
#  - under fio --verify writes (verified as they go, verify_backlog, and
#    again at each run's end) and a timed 4 KiB write every 0.2 s, gw-a is
#    killed (SIGKILL): I/O moves to gw-b's path, which serves it as
#    active/non-optimized; gw-b takes the lease once it lapses, fencing
#    gw-a, and reports active/optimized; pathd regroups the map, gw-b's
#    path first;
#  - gw-a restarted: a follower (active/non-optimized); the map has both
#    paths again, gw-b's group first;
#  - no I/O error, no verify error, no failed timed write.
# The only bound asserted is "no error" (the issue's promise); the stall,
# the takeover and the regroup are recorded as RESULT lines (gateways.*).
. /portico/run.env
. /portico/lib.sh

cleanup() {
	touch /tmp/stop
	if [ -s /run/portico.reason ]; then
		echo "--- pathd's events (last 60)"
		"$PP" show events 2>&1 | tail -60
		"$PP" show paths 2>&1
		dmsetup table 2>&1
		dmsetup status 2>&1
		for g in a b; do echo "gw-$g: $(host gateway state "$g" 2>/dev/null)"; done
	fi
	"$PP" --timeout 120 teardown >/dev/null 2>&1
	pd_stop
	rm -f "$DROPIN"
	lab_reset
	# stops the gateways and the cluster, then the base target for the next scenario
	host target-restart base >/dev/null || echo "the host could not restore the target" >&2
}
trap cleanup EXIT

[ "$TARGET_KIND" = porticod ] || die "the gateways scenario needs porticod"
# the cluster takes ~20 s (cluster.sh's bounds add up to more under load)
t0=$(uptime_s)
HOST_TIMEOUT=300 host target-restart gateways >/dev/null ||
	die "the host could not start the gateways variant (cluster, gw-a, gw-b; target.log says why)"
result "gateways.target_start_s $(echo "$t0 $(uptime_s)" | awk '{ printf "%.1f", $2 - $1 }')"

# Seconds between two uptime readings, one decimal.
secs() { echo "$1 $2" | awk '{ printf "%.1f", $2 - $1 }'; }

# The devices of map $1's first path group, each followed by a space
# (the table: features, hardware handler, groups, then each group's
# selector, its arguments, its paths and each path's arguments).
first_group() {
	dmsetup table "$1" | awk '{
		for (i = 1; i <= NF && $i != "multipath"; i++)
			;
		i++; i += $i + 1
		i += $i + 1
		i += 2
		i++; i += $i + 1
		np = $i; na = $(i + 1); i += 2
		for (p = 0; p < np; p++) { printf "%s ", $i; i += na + 1 }
	}'
}
# The devices of map $1's table in table order, space-separated.
order() { dmsetup table "$1" | grep -oE '[0-9]+:[0-9]+' | tr '\n' ' '; }
# Whether map $1's table has the alua handler and two groups, $2 then $3.
grouped() { # MAP FIRST SECOND
	dmsetup table "$1" | grep -q ' 1 alua 2 ' && [ "$(order "$1")" = "$2 $3 " ]
}
# Whether disk $1's ALUA state, as the kernel's handler last read it, is $2.
access() { [ "$(cat "/sys/block/${1#/dev/}/device/access_state" 2>/dev/null)" = "$2" ]; }
b_first() { case " $(first_group "$W")" in *" $tb "*) return 0 ;; esac; return 1; }

# wait_for, polling every 0.1 s: for the times this scenario measures.
wait_fast() { # SECS WHAT CMD...
	_n=$(($1 * 10))
	_what=$2
	shift 2
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	echo "timed out waiting for $_what" >&2
	return 1
}

# fio through map $1 in short runs until /tmp/stop: 4 MiB of random writes of
# mixed sizes at iodepth 8, each block read back and checked (crc32c) while
# the run goes on (verify_backlog: what was written is checked within 64
# blocks, across the kill) and all of them again at the run's end. Failures
# to /tmp/fio.bad, each run's longest I/O latency (ns) to /tmp/fio.lat.
gw_writer() {
	: >/tmp/fio.bad
	: >/tmp/fio.lat
	i=0
	while [ ! -f /tmp/stop ] && [ $i -lt 400 ]; do
		fio --name=gw --filename="$1" --ioengine=libaio --direct=1 --rw=randwrite \
			--bssplit=4k/60:64k/40 --size=4m --iodepth=8 --verify=crc32c --verify_fatal=1 \
			--verify_backlog=64 --output-format=normal,json >/tmp/fio.out 2>&1
		rc=$?
		awk '/"lat_ns"/ { l = 1 } l && /"max"/ { gsub(/[^0-9]/, "", $0); print; l = 0 }' \
			/tmp/fio.out >>/tmp/fio.lat
		i=$((i + 1))
		if [ $rc -ne 0 ] || ! grep -q 'err= 0' /tmp/fio.out; then
			echo "run $((i - 1)): exit $rc" >>/tmp/fio.bad
			cat /tmp/fio.out >>/tmp/fio.bad
			break
		fi
	done
	echo "$i" >/tmp/fio.runs
}

# ---- pathd over both gateways ----
mkdir -p /etc/portico /etc/multipath/conf.d /run/portico
printf 'discovery = [ "%s", "%s" ];\n' "${PORTAL0%:*}" "${PORTAL1%:*}" >"$CONF"
: >/run/pathd.log
t0=$(uptime_s)
pd_start
wait_for 120 "one map with two active paths" maps_ready 1 || die "pathd did not bring up the map over both gateways"
result "gateways.map_ready_s $(secs "$t0" "$(uptime_s)")"
a=$(disk_of "$PORTAL0" 0)
b=$(disk_of "$PORTAL1" 0)
[ -b "$a" ] && [ -b "$b" ] || die "no disk of LUN 0 through each gateway: $(ls /dev/disk/by-path | tr '\n' ' ')"
W=$(wwid_of "$a")
[ -n "$W" ] && [ "$W" = "$(wwid_of "$b")" ] || die "the gateways' paths have different WWIDs: '$W', '$(wwid_of "$b")'"
MAP=/dev/mapper/$W
[ -b "$MAP" ] || die "no $MAP"
ta=$(cat "/sys/block/${a#/dev/}/dev")
tb=$(cat "/sys/block/${b#/dev/}/dev")
wait_for 30 "gw-a's path optimized, gw-b's non-optimized" \
	sh -c "[ \"\$(cat /sys/block/${a#/dev/}/device/access_state)\" = active/optimized ] &&
		[ \"\$(cat /sys/block/${b#/dev/}/device/access_state)\" = active/non-optimized ]" ||
	die "access states: gw-a's path $(cat "/sys/block/${a#/dev/}/device/access_state"), gw-b's $(cat "/sys/block/${b#/dev/}/device/access_state")"
wait_for 30 "the map grouped, gw-a's path ($ta) first" grouped "$W" "$ta" "$tb" ||
	die "$W: table '$(dmsetup table "$W")', not the alua handler with gw-a's group first"
ok "one map $W over both gateways: $(dmsetup table "$W")"
result "gateways.table_before $(dmsetup table "$W" | tr ' ' '_')"

# ---- the owner killed under fio --verify ----
rm -f /tmp/stop
dd if=/dev/urandom of=/tmp/block bs=4096 count=1 2>/dev/null
gw_writer "$MAP" &
WPID=$!
prober "$MAP" &
PPID_=$!
sleep 4
[ -s /tmp/probe ] || die "no write through $MAP completed before the kill"
host gateway kill a >/dev/null || die "the host could not kill gw-a"
t_kill=$(uptime_s)
wait_fast 90 "gw-b's path active/optimized" access "$b" active/optimized ||
	die "gw-b's path is $(cat "/sys/block/${b#/dev/}/device/access_state") 90 s after gw-a's kill"
t_opt=$(uptime_s)
regrouped=yes
wait_fast 30 "the map regrouped, gw-b's path first" b_first || regrouped=no
t_regroup=$(uptime_s)
table_after=$(dmsetup table "$W")
takeover_ms=$(host gateway takeover b) || die "gw-b did not log its takeover: $takeover_ms"
st=$(host gateway state b)
case "$st" in
"owner=gw-b state=owner alua=active/optimized") ;;
*) die "gw-b after the takeover: $st" ;;
esac
# the timed writes that completed between the kill and gw-b's takeover went
# through gw-b while it was active/non-optimized
served=$(awk -v k="$t_kill" -v o="$t_opt" '$3 == 0 && $2 > k && $2 < o' /tmp/probe | wc -l)
ok "gw-b owns the LU ${takeover_ms} ms after the kill (its log); its path optimized $(secs "$t_kill" "$t_opt") s after, regrouped: $regrouped; $served timed writes went through it before"
[ $regrouped = yes ] || die "pathd did not regroup the map with gw-b's path first within 30 s: '$table_after'"
sleep 1

# ---- gw-a back: a follower ----
host gateway start a >/dev/null || die "the host could not restart gw-a"
t_start=$(uptime_s)
back() { maps_ready 1 && access "$a" active/non-optimized && grouped "$W" "$tb" "$ta"; }
wait_for 120 "gw-a's path back, non-optimized, gw-b's group first" back ||
	die "after gw-a's restart: table '$(dmsetup table "$W")', gw-a's path $(cat "/sys/block/${a#/dev/}/device/access_state"), gw-b's $(cat "/sys/block/${b#/dev/}/device/access_state")"
t_back=$(uptime_s)
st=$(host gateway state a)
case "$st" in
"owner=gw-b state=follower alua=active/non-optimized") ;;
*) die "gw-a after its restart: $st" ;;
esac
ok "gw-a back as a follower; the map $(secs "$t_start" "$t_back") s later: $(dmsetup table "$W")"
sleep 2

# ---- the writers' verdict ----
touch /tmp/stop
n=0
while kill -0 "$WPID" 2>/dev/null || kill -0 "$PPID_" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 240 ] || die "the writers did not stop within 120 s"
	sleep 0.5
done
wait "$WPID" "$PPID_"
[ ! -s /tmp/fio.bad ] || { cat /tmp/fio.bad; die "fio saw I/O errors or a verify failure across the gateway's death"; }
bad=$(awk '$3 != 0' /tmp/probe | wc -l)
[ "$bad" -eq 0 ] || die "$bad timed writes failed across the gateway's death"
STALL=$(awk '{ if ($1 + 0 > m) m = $1 + 0 } END { printf "%.2f", m / 1e9 }' /tmp/fio.lat)
NEWIO=$(awk '{ d = $2 - $1; if (d > m) m = d } END { printf "%.2f", m }' /tmp/probe)
ok "no I/O error, no verify error: $(cat /tmp/fio.runs) fio runs, $(wc -l </tmp/probe) timed writes; longest I/O $STALL s, longest timed write $NEWIO s"
echo "timed writes over 0.5 s (start and end, s after the kill; gw-a restarted at $(secs "$t_kill" "$t_start") s):"
awk -v k="$t_kill" '$2 - $1 > 0.5 { printf "  %.2f %.2f (%.2f s)\n", $1 - k, $2 - k, $2 - $1 }' /tmp/probe
echo "pathd's events from the kill:"
"$PP" show events | tail -40 | sed 's/^/  /'
result "gateways.io_stall_s $STALL"
result "gateways.new_write_max_s $NEWIO"
result "gateways.takeover_ms $takeover_ms"
result "gateways.b_optimized_after_s $(secs "$t_kill" "$t_opt")"
result "gateways.regrouped $regrouped"
result "gateways.regrouped_after_s $(secs "$t_kill" "$t_regroup")"
result "gateways.table_after $(echo "$table_after" | tr ' ' '_')"
result "gateways.writes_through_b_before_takeover $served"
result "gateways.a_back_after_s $(secs "$t_start" "$t_back")"
result "gateways.fio_runs $(cat /tmp/fio.runs)"
exit 0
