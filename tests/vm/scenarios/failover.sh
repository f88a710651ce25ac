# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: portico-pathd's failover, measured as the failover issue asks
# and as the multipath scenario measures open-iscsi + multipathd in the
# same lab run. pathd.conf names one discovery address; the policy's
# defaults (check every 1-2 s, 2 s timeout, no-path budget 30 s).
#  - cable pulled (QEMU set_link off) under fio --verify writes, iodepth 1
#    and 32: no error; the longest I/O stall under 1 s; the path carries
#    I/O again within 3 s of the cable back;
#  - silent path death (the host end of the tap down, the guest keeps
#    carrier): no error; the longest stall under 5 s;
#  - both paths down for 20 s, then one back: no error; both down past the
#    budget: a write fails (EIO) within the budget + 2 s, and the map
#    serves again once a path is back;
#  - a LUN added, one grown and one unmapped on porticod through portico:
#    each followed within 5 s, no stale map or disk;
#  - a flapping link (down/up every second for 20 s): no I/O error, the
#    path held back as marginal, back in service after its hold.
# The stall is the longest time any fio I/O took (fio's latency) and the
# longest a probe write issued every 0.2 s took. Figures go to the host as
# RESULT lines (failover.*).
. /portico/run.env
. /portico/lib.sh

NLUNS=$(lab_luns | wc -l)

cleanup() {
	touch /tmp/stop
	for n in nic0 nic1; do
		host restore-link "$n" >/dev/null 2>&1
		host restore-silent "$n" >/dev/null 2>&1
	done
	if [ -s /run/portico.reason ]; then
		echo "--- pathd's events (last 80)"
		"$PP" show events 2>&1 | tail -80
		"$PP" show paths 2>&1
	fi
	"$PP" --timeout 120 teardown >/dev/null 2>&1
	pd_stop
	rm -f "$DROPIN"
	host target-restart base >/dev/null || echo "the host could not restore the target" >&2
}
trap cleanup EXIT

# wait_for, polling every 0.1 s: for the times this scenario measures.
# WF_POLLS: how many times CMD ran (a poll's own cost shows in the polled times).
wait_fast() { # SECS WHAT CMD...
	_n=$(($1 * 10))
	_what=$2
	shift 2
	WF_POLLS=0
	while [ "$_n" -gt 0 ]; do
		WF_POLLS=$((WF_POLLS + 1))
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	echo "timed out waiting for $_what" >&2
	return 1
}

# Seconds between two uptime readings, one decimal.
secs() { echo "$1 $2" | awk '{ printf "%.1f", $2 - $1 }'; }
# Whether $1 < $2 (decimals).
below() { echo "$1 $2" | awk '{ exit !($1 < $2) }'; }

# ms between the last pathd event whose text is $1 and the last that contains $2
# after it (pathd's own clock: the carrier event as libnl3 told it, the dm
# message as device-mapper answered it); "" when either is missing.
events_ms() { # TEXT-FROM TEXT-TO
	pp_json show events | jq -r --arg a "$1" --arg b "$2" '
		([.events[] | select(.text == $a)] | last | .time_ms) as $t0 |
		([.events[] | select(.time_ms >= ($t0 // 0) and (.text | contains($b)))] | last | .time_ms) as $t1 |
		if $t0 and $t1 then $t1 - $t0 else "" end'
}

# The device of the fio LUN's path over NIC $1.
fio_dev() { pp_json show paths | jq -r --arg w "$W" --arg n "$1" '.paths[] | select(.wwid == $w and .nic == $n) | .dev'; }

writers_start() { # QD
	rm -f /tmp/stop
	dd if=/dev/urandom of=/tmp/block bs=4096 count=1 2>/dev/null
	writer "$MAP" "$1" &
	WPID=$!
	prober "$MAP" &
	PPID_=$!
	sleep 4
	[ -s /tmp/probe ] || die "no write through $MAP completed before the cut"
}

# Stops the writers; dies on an I/O error or a failed verify. Sets STALL and NEWIO (s).
writers_stop() { # NAME
	touch /tmp/stop
	n=0
	while kill -0 "$WPID" 2>/dev/null || kill -0 "$PPID_" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 240 ] || die "$1: the writers did not stop within 120 s"
		sleep 0.5
	done
	wait "$WPID" "$PPID_"
	[ ! -s /tmp/fio.bad ] || { cat /tmp/fio.bad; die "$1: fio saw I/O errors or a verify failure"; }
	bad=$(awk '$3 != 0' /tmp/probe | wc -l)
	[ "$bad" -eq 0 ] || die "$1: $bad timed writes failed"
	STALL=$(awk '{ if ($1 + 0 > m) m = $1 + 0 } END { printf "%.2f", m / 1e9 }' /tmp/fio.lat)
	NEWIO=$(awk '{ d = $2 - $1; if (d > m) m = d } END { printf "%.2f", m }' /tmp/probe)
}

# cut_run NAME link|silent QD STALL-BOUND: eth1's path cut and restored under load.
cut_run() {
	name=$1
	kind=$2
	dev=$(fio_dev eth1)
	[ -n "$dev" ] || die "$name: no path of the fio LUN over eth1"
	devt=$(pp_json show paths | jq -r --arg d "$dev" '.paths[] | select(.dev == $d) | .devt')
	writers_start "$3"
	# the times start when the host says the cut (the restore) is done
	host "cut-$kind" nic1 >/dev/null || die "$name: the host could not cut nic1"
	t_cut=$(uptime_s)
	wait_fast 30 "pathd to fail $dev" path_state "$dev" failed || die "$name: pathd did not fail $dev"
	t_failed=$(uptime_s)
	fail_polls=$WF_POLLS
	[ "$kind" = link ] && fail_ms=$(events_ms "nic 'eth1': up, no carrier" "fail_path $devt done")
	sleep 5
	host "restore-$kind" nic1 >/dev/null || die "$name: the host could not restore nic1"
	t_restore=$(uptime_s)
	w_restore=$(jq -n 'now * 1000 | floor') # busybox date has no %N
	wait_fast 60 "pathd to reinstate $dev" path_state "$dev" active || {
		"$PP" show paths
		die "$name: pathd did not reinstate $dev"
	}
	t_back=$(uptime_s)
	back_polls=$WF_POLLS
	if [ "$kind" = link ]; then
		back_ms=$(events_ms "nic 'eth1': up, carrier" "reinstate_path $devt done")
		# how long the guest took to tell the carrier after the host's set_link returned
		seen_ms=$(pp_json show events | jq -r --argjson w "$w_restore" \
			'[.events[] | select(.text == "nic '"'eth1'"': up, carrier")] | last | .time_ms - $w')
		echo "$name: portico-path show events, from the cable's loss:"
		"$PP" show events | awk '/nic .eth1.: up, no carrier/ { n = NR } { l[NR] = $0 }
			END { for (i = n; i <= NR; i++) print "  " l[i] }'
	fi
	sleep 2
	writers_stop "$name"
	detect=$(secs "$t_cut" "$t_failed")
	back=$(secs "$t_restore" "$t_back")
	echo "$name: $(cat /tmp/fio.runs) fio runs (iodepth $3), longest I/O $STALL s;" \
		"$(wc -l </tmp/probe) timed writes, longest $NEWIO s; failed $detect s after the cut," \
		"reinstated $back s after the restore ($fail_polls and $back_polls polls of show paths)"
	result "failover.$name.io_stall_s $STALL"
	result "failover.$name.new_write_max_s $NEWIO"
	result "failover.$name.path_failed_after_s $detect"
	result "failover.$name.reinstated_after_s $back"
	result "failover.$name.failed_polls $fail_polls"
	result "failover.$name.reinstated_polls $back_polls"
	below "$STALL" "$4" || die "$name: the longest I/O stall was $STALL s, the bound is $4 s"
	below "$NEWIO" "$4" || die "$name: the longest timed write took $NEWIO s, the bound is $4 s"
	if [ "$kind" = link ]; then
		[ -n "$fail_ms" ] && [ -n "$back_ms" ] ||
			die "$name: pathd's events do not show the carrier and the path's fail and reinstate"
		result "failover.$name.carrier_to_failed_ms $fail_ms"
		result "failover.$name.carrier_to_reinstated_ms $back_ms"
		result "failover.$name.restore_to_carrier_event_ms $seen_ms"
		echo "$name: pathd's events: carrier lost -> path failed $fail_ms ms; carrier back -> path reinstated $back_ms ms"
		[ "$back_ms" -lt 3000 ] ||
			die "$name: the path carried I/O again $back_ms ms after the cable was back (pathd's events), the bound is 3000 ms"
	fi
	ok "$name: no I/O error, longest stall $STALL s (bound $4 s), path back $back s after the restore (as polled)"
}

# ---- start: pathd and its maps ----
mkdir -p /etc/portico /etc/multipath/conf.d /run/portico
printf 'discovery = [ "%s" ];\n' "${PORTAL0%:*}" >"$CONF"
: >/run/pathd.log
pd_start
wait_for 180 "$NLUNS maps with two active paths" maps_ready "$NLUNS" || die "pathd did not bring up its maps"
W=$(udevadm info -q property -n "$(disk_of "$PORTAL0" "$(lab_lun_of fio)")" | sed -n 's/^ID_SERIAL=//p')
MAP=/dev/mapper/$W
[ -b "$MAP" ] || die "no $MAP"

# ---- a pulled cable, a silent death ----
cut_run cable_qd1 link 1 1.0
cut_run cable_qd32 link 32 1.0
cut_run silent silent 8 5.0

# ---- every path gone ----
dev0=$(fio_dev eth0)
dev1=$(fio_dev eth1)
writers_start 8
host cut-link nic0 >/dev/null && host cut-link nic1 >/dev/null || die "the host could not cut both NICs"
wait_for 20 "pathd to see no path" pp_jq '[.maps[] | select(.wwid == $w and .queueing)] | length == 1' \
	--arg w "$W" -- show maps || die "pathd does not say the map is queueing"
"$PP" show maps | sed -n "/^$W /,/^[^ |\`]/p" | head -12
sleep 18
host restore-link nic1 >/dev/null || die "the host could not restore nic1"
wait_for 60 "pathd to reinstate $dev1" path_state "$dev1" active || die "pathd did not reinstate $dev1"
sleep 2
writers_stop both_down_20s
result "failover.both_down_20s.io_stall_s $STALL"
ok "both paths down for 20 s, then one back: no I/O error (longest stall $STALL s)"
host restore-link nic0 >/dev/null || die "the host could not restore nic0"
wait_for 60 "pathd to reinstate $dev0" path_state "$dev0" active || die "pathd did not reinstate $dev0"

host cut-link nic0 >/dev/null && host cut-link nic1 >/dev/null || die "the host could not cut both NICs"
t_cut=$(uptime_s)
dd if=/tmp/block of="$MAP" bs=4096 count=1 seek=100 oflag=direct conv=notrunc 2>/tmp/dd.err &
ddpid=$!
n=0
while kill -0 "$ddpid" 2>/dev/null && [ $n -lt 900 ]; do
	sleep 0.1
	n=$((n + 1))
done
t_eio=$(uptime_s)
kill -0 "$ddpid" 2>/dev/null && { kill -9 "$ddpid"; die "a write with no path still waits after 90 s"; }
wait "$ddpid" && die "a write with no path past the budget succeeded"
eio=$(secs "$t_cut" "$t_eio")
result "failover.no_path_eio_after_s $eio"
grep -qi "input/output error" /tmp/dd.err || { cat /tmp/dd.err; die "the write failed, but not with EIO"; }
below "$eio" 32.1 || die "the write failed $eio s after both paths went; the bound is 30 + 2 s"
host restore-link nic0 >/dev/null && host restore-link nic1 >/dev/null || die "the host could not restore the NICs"
wait_for 60 "the map's paths back" maps_ready "$NLUNS" || die "the paths did not come back"
dd if=/tmp/block of="$MAP" bs=4096 count=1 seek=100 oflag=direct conv=notrunc 2>/tmp/dd.err ||
	{ cat /tmp/dd.err; die "the map does not serve again after its paths came back"; }
ok "both paths down past the budget: EIO after $eio s (budget 30 s); the map serves again"

# ---- changes on the target, followed ----
# LUN 4 ('extra', 32 MiB) added
host target-live-change add >/dev/null || die "the host could not add a LUN"
t0=$(uptime_s)
wait_fast 30 "a fourth map" maps_ready $((NLUNS + 1)) || { "$PP" show maps; die "no map for the new LUN"; }
added=$(secs "$t0" "$(uptime_s)")
result "failover.lun_added_s $added"
below "$added" 5.0 || die "the new LUN's map came $added s after the change; the bound is 5 s"
ok "a LUN added: its map of two paths $added s later"
# 'fs' grown from 64 to 96 MiB
fs_w=$(udevadm info -q property -n "$(disk_of "$PORTAL0" "$(lab_lun_of fs)")" | sed -n 's/^ID_SERIAL=//p')
host target-live-change grow >/dev/null || die "the host could not grow a LUN"
t0=$(uptime_s)
grown() { pp_jq '[.maps[] | select(.wwid == $w and .size == 100663296)] | length == 1' --arg w "$fs_w" -- show maps; }
wait_fast 30 "the grown map" grown || { "$PP" show maps; die "the grown LUN's map kept its size"; }
grew=$(secs "$t0" "$(uptime_s)")
[ "$(blockdev --getsize64 "/dev/mapper/$fs_w")" = 100663296 ] || die "/dev/mapper/$fs_w is not 96 MiB"
result "failover.lun_grown_s $grew"
below "$grew" 5.0 || die "the grown LUN's map took $grew s; the bound is 5 s"
ok "a LUN grown: its map 96 MiB $grew s later"
# 'thin' unmapped (force: the host has sessions to it)
thin_w=$(udevadm info -q property -n "$(disk_of "$PORTAL0" "$(lab_lun_of thin)")" | sed -n 's/^ID_SERIAL=//p')
thin_devs=$(pp_json show paths | jq -r --arg w "$thin_w" '.paths[] | select(.wwid == $w) | .dev')
host target-live-change unmap >/dev/null || die "the host could not unmap a LUN"
t0=$(uptime_s)
unmapped() {
	[ ! -e "/dev/mapper/$thin_w" ] || return 1
	for d in $thin_devs; do [ ! -e "/sys/block/$d" ] || return 1; done
	pp_jq '[.maps[] | select(.wwid == $w)] | length == 0' --arg w "$thin_w" -- show maps
}
wait_fast 30 "the unmapped LUN's map and disks to go" unmapped || { "$PP" show maps; "$PP" show paths; die "the unmapped LUN's map or disks stayed"; }
gone=$(secs "$t0" "$(uptime_s)")
result "failover.lun_unmapped_s $gone"
below "$gone" 5.0 || die "the unmapped LUN's map and disks went after $gone s; the bound is 5 s"
ok "a LUN unmapped: its map and disks gone $gone s later"

# ---- a flapping link ----
dev=$(fio_dev eth1)
writers_start 8
i=0
while [ $i -lt 10 ]; do
	host cut-link nic1 >/dev/null || die "the host could not cut nic1"
	sleep 1
	host restore-link nic1 >/dev/null || die "the host could not restore nic1"
	sleep 1
	i=$((i + 1))
done
marginal() { pp_jq '[.paths[] | select(.dev == $d and .marginal)] | length == 1' --arg d "$dev" -- show paths; }
wait_for 10 "pathd to hold $dev back as marginal" marginal || { "$PP" show paths; die "a path that flapped 10 times is not marginal"; }
"$PP" show paths | grep -A1 "^$dev "
sleep 3
writers_stop flapping
result "failover.flapping.io_stall_s $STALL"
t0=$(uptime_s)
wait_for 90 "the marginal path back after its hold" path_state "$dev" active || die "the marginal path never came back"
result "failover.flapping.back_after_s $(secs "$t0" "$(uptime_s)")"
ok "a link flapping for 20 s: no I/O error (longest stall $STALL s), held back as marginal, back after its hold"
