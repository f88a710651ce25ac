# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: portico-pathd's failover adapters (initiator/adapt/sesstmo.c,
# sockkill.c, tur.c) against the guest's kernel, through
# /portico/bin/failcheck (tests/vm/failcheck.c), over the two sessions of
# connect_all (eth0 to PORTAL0, eth1 to PORTAL1) and the lab's 'fio' LUN;
# no multipathd, no pathd.
#  1. the kernel destroys sockets (sock_diag, CONFIG_INET_DIAG_DESTROY);
#  2. each session's connection, as sysfs shows it, is a TCP connection
#     /proc/net/tcp has; the eth1 session's socket, found through the dumps by its
#     remote end and device and destroyed on a healthy link: the session
#     logs in again by itself;
#  3. recovery_tmo read, written and read back, "off" too;
#  4. TEST UNIT READY is up on both paths; the probe reads the LUN's WWID
#     (the one udev names it by) and refuses another; a missing disk is down;
#  5. one disk, its cable pulled (QEMU set_link off) with a read in flight:
#     first as the lab's NOP-Out settings find it (recovery_tmo 5, as
#     pathd's policy), then with failfast at carrier loss (recovery_tmo 0,
#     then the socket destroyed): the read fails, and how long it took;
#     while the session recovers, recovery_tmo is refused (EBUSY) and the
#     connection has no socket (ENOTCONN); when the cable is back the
#     session logs in again by itself and keeps recovery_tmo 0 (the sysfs
#     override) until it is written back. Bound: with failfast the read
#     fails within 3 s (the NOP-Out settings take about 15 s);
#  6. a dm-multipath map over both disks (dmsetup, round-robin, no
#     queueing), 4 KiB reads every 0.1 s and fio --verify writes through
#     it, path 0's cable pulled: once with the path failed in the map only,
#     once with the path failed and failfast; no I/O error either time, and
#     the longest I/O of each (a timed read, or fio's completion latency of
#     a write or verify read). Bound: with failfast no I/O takes 3 s.
# The timings go to the host as RESULT lines. Run it by name:
#   sh tests/vm/run.sh failadapt
. /portico/run.env
. /portico/lib.sh

FC=/portico/bin/failcheck
MAP=fa-map
[ -x "$FC" ] || die "$FC is missing (make build-tests)"

wpid=""
ppid=""
rpid=""
cleanup() {
	touch /tmp/fa.stop
	for p in $wpid $ppid $rpid; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	host restore-link nic0 >/dev/null
	dmsetup remove "$MAP" >/dev/null 2>&1
}
trap cleanup EXIT

fc() { # failcheck, its output on the console; fails the scenario with its FAILED line
	"$FC" "$@" >/tmp/fc.out 2>&1
	rc=$?
	cat /tmp/fc.out
	[ $rc -eq 0 ] || die "failcheck $*: $(grep FAILED /tmp/fc.out | head -1)"
}

# The session to portal address $1 (a.b.c.d).
sid_of() {
	for s in /sys/class/iscsi_session/session*; do
		n=${s##*session}
		a=$(cat "/sys/class/iscsi_connection/connection$n:0/persistent_address" 2>/dev/null)
		[ "$a" = "$1" ] && { echo "$n"; return 0; }
	done
	return 1
}

session_state() { cat "/sys/class/iscsi_session/session$1/state"; }
logged_in() { [ "$(session_state "$1")" = LOGGED_IN ]; }
carrier() { cat "/sys/class/net/$1/carrier" 2>/dev/null; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# Waits (5 s at most, every 50 ms) for NIC $1 to lose its carrier; its time on stdout.
wait_no_carrier() {
	n=0
	while [ "$(carrier "$1")" != 0 ]; do
		n=$((n + 1))
		[ $n -lt 100 ] || return 1
		sleep 0.05
	done
	uptime_s
}

# A 4 KiB O_DIRECT read of disk $1 at block $2 in the background: "start end status" in $3.
read_bg() {
	(
		s=$(uptime_s)
		dd if="$1" of=/dev/null bs=4096 count=1 skip="$2" iflag=direct 2>/dev/null
		rc=$?
		echo "$s $(uptime_s) $rc" >"$3"
	) &
	rpid=$!
}

# Waits (at most $2 s) for the background read; its "start end status" on stdout.
read_wait() {
	n=0
	while [ ! -s "$1" ]; do
		n=$((n + 1))
		[ $n -lt $(($2 * 20)) ] || return 1
		sleep 0.05
	done
	wait "$rpid" 2>/dev/null
	rpid=""
	cat "$1"
}

lun=$(lab_lun_of fio)
connect_all
d0=$(disk_of "$PORTAL0" "$lun")
d1=$(disk_of "$PORTAL1" "$lun")
w=$(wwid_of "$d0")
s0=$(sid_of "${PORTAL0%:*}") || die "no session to $PORTAL0"
s1=$(sid_of "${PORTAL1%:*}") || die "no session to $PORTAL1"
[ -n "$w" ] && [ "$(wwid_of "$d1")" = "$w" ] || die "the two paths of LUN $lun do not share a WWID"
ok "LUN $lun: $d0 (session $s0, eth0) and $d1 (session $s1, eth1), WWID $w"
echo "NOP-Out: interval $(cat /sys/class/iscsi_connection/connection$s0:0/recv_tmo) s, timeout $(cat /sys/class/iscsi_connection/connection$s0:0/ping_tmo) s"

# 1. sock_diag: loaded on demand by the kernel, as on a host
lsmod | grep -q '^tcp_diag' && echo "tcp_diag loaded before the first request" ||
	echo "tcp_diag not loaded before the first request"
fc support
lsmod | grep -q '^tcp_diag' || die "the kernel did not load tcp_diag on demand"
ok "sock_diag destroys sockets; inet_diag and tcp_diag were loaded on demand"

# 2. the connection's two ends are a TCP connection of the kernel's
hex_ip() { echo "$1" | awk -F. '{ printf "%02X%02X%02X%02X", $4, $3, $2, $1 }'; }
for s in "$s0" "$s1"; do
	fc conn "$s"
	l=$(sed -n 's/.* local=\([^ ]*\) .*/\1/p' /tmp/fc.out)
	r=$(sed -n 's/.* remote=\([^ ]*\) .*/\1/p' /tmp/fc.out)
	want="$(hex_ip "${l%:*}"):$(printf %04X "${l##*:}") $(hex_ip "${r%:*}"):$(printf %04X "${r##*:}") 01"
	grep -q " $want " /proc/net/tcp || die "session $s: no ESTABLISHED TCP connection $l -> $r in /proc/net/tcp"
done
ok "both sessions' ends are ESTABLISHED TCP connections"
# iscsi_tcp's socket is in the dumps as any socket: killed on a healthy link, found by its
# remote end and device alone, the session fails and iscsid logs in again by itself
tk=$(uptime_s)
fc killdump "$s1" eth1
wait_for 30 "session $s1 to log in again" logged_in "$s1" || die "session $s1 did not come back after its socket was destroyed"
back=$(secs "$tk" "$(uptime_s)")
grep "^kill" /tmp/fc.out
result "failadapt.killdump.relogin_s $back"
result "failadapt.killdump.kill_us $(sed -n 's/.* us=\([0-9]*\) .*/\1/p' /tmp/fc.out)"
fc tur "$d1"
ok "found through the dumps and destroyed on a healthy link: session $s1 logged in again within $back s"

# 3. recovery_tmo
fc tmo "$s0"
tmo0=$(sed -n "s/^tmo $s0 //p" /tmp/fc.out)
fc tmo "$s0" 7
grep -qx "tmo $s0 7" /tmp/fc.out || die "recovery_tmo did not read back 7"
fc tmo "$s0" off
off_text=$(cat "/sys/class/iscsi_session/session$s0/recovery_tmo")
echo "recovery_tmo after writing off: '$off_text'"
result "failadapt.recovery_tmo_off_shows $off_text"
fc tmo "$s0" 5
grep -qx "tmo $s0 5" /tmp/fc.out || die "recovery_tmo did not read back 5"
ok "recovery_tmo: $tmo0 at login, written and read back (off shows as '$off_text')"

# 4. the checker and the probe
fc tur "$(basename "$d0")"
fc tur "$d1"
fc probe "$(basename "$d0")" "$w"
grep -q "wwid=$w " /tmp/fc.out || die "the probe read another WWID than udev's $w"
fc --expect down probe "$(basename "$d1")" 3600000000000000000000000000000ff
grep -q "cause=WWID" /tmp/fc.out || die "the probe refused the wrong WWID for another cause"
fc --expect down tur sdzz
grep -q "cause=device gone" /tmp/fc.out || die "a missing disk is not 'device gone'"
ok "TEST UNIT READY up on both paths; the probe reads WWID $w and refuses another"

# 5. one disk, the cable pulled, a read in flight
one_disk() { # $1 failfast|nop, $2 block to read: the seconds the read took after the cut / the failfast
	rm -f /tmp/fa.read
	host cut-link nic0 >/dev/null || die "cut-link nic0 failed"
	tc=$(wait_no_carrier eth0) || die "eth0 kept its carrier"
	read_bg "$d0" "$2" /tmp/fa.read
	sleep 0.5
	t_act=$(uptime_s)
	if [ "$1" = failfast ]; then
		fc failfast "$s0" eth0
		grep "^failfast" /tmp/fc.out | sed "s/^/$1: /"
		sed -n 's/^failfast [0-9]* tmo_us=\([0-9]*\) kill_us=\([0-9]*\).*/\1 \2/p' /tmp/fc.out >/tmp/fa.us
		fc --expect EBUSY tmo "$s0" 5
		fc --expect ENOTCONN conn "$s0"
	fi
	line=$(read_wait /tmp/fa.read 60) || die "$1: the read in flight did not end within 60 s"
	set -- "$1" $line
	[ "$4" != 0 ] || die "$1: the read through the dead path succeeded"
	took=$(secs "$t_act" "$3")
	since_cut=$(secs "$tc" "$3")
	echo "$1: the read in flight failed $since_cut s after carrier loss ($took s after $([ "$1" = failfast ] && echo the failfast || echo it was in flight)); session $(session_state "$s0")"
	dmesg | grep -E "session$s0|connection$s0:0" | tail -4
	host restore-link nic0 >/dev/null || die "restore-link nic0 failed"
	tr=$(uptime_s)
	wait_for 60 "session $s0 to log in again" logged_in "$s0" || die "$1: session $s0 did not come back"
	back=$(secs "$tr" "$(uptime_s)")
	echo "$1: session $s0 logged in again $back s after the cable came back"
	result "failadapt.one_disk.$1.read_failed_after_carrier_loss_s $since_cut"
	[ "$1" = failfast ] && result "failadapt.one_disk.failfast.read_failed_after_failfast_s $took"
	result "failadapt.one_disk.$1.relogin_s $back"
	# the bound: what the NOP-Out settings take (about 15 s here) is what failfast removes
	if [ "$1" = failfast ] && awk -v t="$took" 'BEGIN { exit !(t >= 3) }'; then
		die "failfast: the read in flight took $took s to fail after the failfast (bound: 3 s)"
	fi
}

one_disk nop 1000
fc tmo "$s0"
grep -qx "tmo $s0 5" /tmp/fc.out || die "recovery_tmo changed across a relogin without failfast"
one_disk failfast 2000
read -r tmo_us kill_us </tmp/fa.us
result "failadapt.failfast.tmo_write_us $tmo_us"
result "failadapt.failfast.kill_us $kill_us"
fc tmo "$s0"
grep -qx "tmo $s0 0" /tmp/fc.out || die "recovery_tmo is not 0 after the relogin: the sysfs override did not hold"
fc tmo "$s0" 5
ok "one disk: the read in flight fails fast with failfast; recovery_tmo 0 outlives the relogin until written back"

# 6. dm-multipath over both disks
t0=$(cat "/sys/class/block/$(basename "$d0")/dev")
t1=$(cat "/sys/class/block/$(basename "$d1")/dev")
size=$(cat "/sys/class/block/$(basename "$d0")/size")
dmsetup create "$MAP" --table "0 $size multipath 0 0 1 1 round-robin 0 2 1 $t0 1 $t1 1" ||
	die "dmsetup create failed"
udevadm settle --timeout=30
map=/dev/mapper/$MAP
[ -b "$map" ] || die "no $map"
dd if=/dev/urandom of=/tmp/fa.block bs=4096 count=1 2>/dev/null

writer() { # fio writing and verifying through the map until /tmp/fa.stop: "start end max_latency_s"
	i=0
	while [ ! -f /tmp/fa.stop ] && [ $i -lt 200 ]; do
		s=$(uptime_s)
		fio --name=fa --filename="$map" --ioengine=libaio --direct=1 --rw=randwrite \
			--bs=4k --size=8m --iodepth=8 --verify=crc32c --verify_fatal=1 \
			--output-format=json --output=/tmp/fa.fio >/tmp/fa.fio.err 2>&1
		rc=$?
		if [ $rc -ne 0 ] || [ "$(jq '.jobs[0].error' /tmp/fa.fio 2>/dev/null)" != 0 ]; then
			{ echo "fio run $i: exit $rc"; cat /tmp/fa.fio.err /tmp/fa.fio; } >>/tmp/fa.bad
		fi
		# the run's longest write or verify read
		echo "$s $(uptime_s) $(jq '[.jobs[0].write.clat_ns.max, .jobs[0].read.clat_ns.max] | max / 1e9' \
			/tmp/fa.fio 2>/dev/null)" >>/tmp/fa.writes
		i=$((i + 1))
	done
}
prober() { # a timed 4 KiB O_DIRECT read past fio's 8 MiB every 0.1 s: "start end status"
	i=0
	while [ ! -f /tmp/fa.stop ] && [ $i -lt 3000 ]; do
		s=$(uptime_s)
		dd if="$map" of=/dev/null bs=4096 count=1 skip=$((4096 + i % 1024)) iflag=direct 2>/dev/null
		rc=$?
		echo "$s $(uptime_s) $rc" >>/tmp/fa.probe
		i=$((i + 1))
		sleep 0.1
	done
}

through_map() { # $1 failfast|mapfail, $2 seconds to keep I/O going after the cut
	rm -f /tmp/fa.stop
	: >/tmp/fa.bad
	: >/tmp/fa.probe
	: >/tmp/fa.writes
	writer &
	wpid=$!
	prober &
	ppid=$!
	wait_for 60 "a first read through $map" test -s /tmp/fa.probe || die "no read through $map"
	sleep 2
	errs0=$(dmesg | grep -c "I/O error, dev $(basename "$d0")")
	host cut-link nic0 >/dev/null || die "cut-link nic0 failed"
	tc=$(wait_no_carrier eth0) || die "eth0 kept its carrier"
	# what pathd does at carrier loss
	dmsetup message "$MAP" 0 "fail_path $t0" || die "fail_path $t0 failed"
	[ "$1" = failfast ] && fc failfast "$s0" eth0
	td=$(uptime_s)
	echo "$1: carrier lost at $tc, path failed (and failfast) by $td"
	sleep "$2"
	touch /tmp/fa.stop
	n=0
	while kill -0 "$wpid" 2>/dev/null || kill -0 "$ppid" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 240 ] || die "$1: the writers did not stop within 120 s"
		sleep 0.5
	done
	wait "$wpid" "$ppid" 2>/dev/null
	wpid=""
	ppid=""
	[ ! -s /tmp/fa.bad ] || { cat /tmp/fa.bad; die "$1: fio saw an I/O error or a verify failure"; }
	bad=$(awk '$3 != 0' /tmp/fa.probe | wc -l)
	[ "$bad" -eq 0 ] || die "$1: $bad reads through the map failed"
	stall=$(awk -v c="$tc" '$2 >= c { d = $2 - $1; if (d > m) m = d } END { printf "%.2f", m }' /tmp/fa.probe)
	wstall=$(awk -v c="$tc" '$2 >= c && $3 > m { m = $3 } END { printf "%.2f", m }' /tmp/fa.writes)
	# the I/O the dead path held, failed back to the map and sent down the other (the
	# kernel logs each, rate limited): without any, the round showed nothing
	moved=$(($(dmesg | grep -c "I/O error, dev $(basename "$d0")") - errs0))
	[ "$moved" -gt 0 ] || die "$1: no I/O was on the dead path when its cable was pulled"
	result "failadapt.map.$1.io_moved_logged $moved"
	longest=$(awk -v a="$stall" -v b="$wstall" 'BEGIN { printf "%.2f", (a + 0 > b + 0 ? a : b) }')
	echo "$1: $(wc -l </tmp/fa.probe) reads and $(wc -l </tmp/fa.writes) fio runs, no error; after carrier loss the longest timed read took $stall s, the longest fio I/O $wstall s"
	result "failadapt.map.$1.longest_timed_read_s $stall"
	result "failadapt.map.$1.longest_fio_io_s $wstall"
	result "failadapt.map.$1.longest_io_s $longest"
	if [ "$1" = failfast ] && awk -v t="$longest" 'BEGIN { exit !(t >= 3) }'; then
		die "failfast: an I/O through the map took $longest s after carrier loss (bound: 3 s)"
	fi
	dmsetup status "$MAP"
	host restore-link nic0 >/dev/null || die "restore-link nic0 failed"
	wait_for 60 "session $s0 to log in again" logged_in "$s0" || die "$1: session $s0 did not come back"
	fc tmo "$s0" 5
	dmsetup message "$MAP" 0 "reinstate_path $t0" || die "reinstate_path $t0 failed"
	eval "stall_$1=$longest"
}

through_map mapfail 20
through_map failfast 5
# udev may still hold the map open (the change events of the reinstates)
udevadm settle --timeout=30
wait_for 10 "$MAP to be removed" dmsetup remove "$MAP" || die "dmsetup remove failed"
# shellcheck disable=SC2154 # set by through_map through eval
ok "through the map: no I/O error; the longest I/O after carrier loss $stall_mapfail s with the path failed in the map only, $stall_failfast s with failfast"
