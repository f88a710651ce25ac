# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: dm-multipath with multipath-tools over both NICs, as a user checks it.
#  - multipathd builds one map per LUN, named by its WWID, with both paths
#    active and ready;
#  - while fio writes (and verifies) through a map, the host cuts one path for
#    a while and restores it: no I/O error, verification passes, the path is
#    reinstated;
#  - the longest I/O stall after the cut is measured: the longest latency of
#    any fio I/O (io_stall_s), and the longest a new 4 KiB O_DIRECT write,
#    issued every 0.2 s through the map, took (new_write_max_s: the path
#    selector may send new I/O around the stuck path). Three runs:
#      defaults     open-iscsi's and multipath-tools' defaults, silent cut
#      recommended  replacement_timeout 5, NOP-Out interval/timeout 5/5, silent cut
#      cable        the recommended timeouts, cable pulled (the guest NIC loses carrier)
#    A silent cut takes the host end of the tap down: the guest's NIC keeps
#    its carrier, as when a switch port beyond it dies.
#    Figures go to the host as RESULT lines (multipath.<run>.<figure>).
. /portico/run.env
. /portico/lib.sh

lun=$(lab_lun_of fio)

# "dev dm-state checker-state" of every path of map $1 (the "x" keeps awk
# from reading a WWID such as 36000...e000... as a number)
map_paths() { multipathd show paths raw format "%w %d %t %T" 2>/dev/null | awk -v w="x$1" '"x" $1 == w { print $2, $3, $4 }'; }

map_ready() { # $1 wwid: both paths active and ready
	[ "$(map_paths "$1" | grep -c ' active ready$')" -eq 2 ]
}

all_maps_ready() {
	for w in $(cat /tmp/wwids); do
		map_ready "$w" || return 1
	done
}

path_failed() { # $1 wwid, $2 dev
	map_paths "$1" | grep -q "^$2 failed"
}

mp_start() {
	: >/tmp/wwids
	for l in $(lab_luns); do
		wwid_of "$(disk_of "$PORTAL0" "$l")" >>/tmp/wwids
	done
	multipathd || die "multipathd did not start"
	wait_for 20 "multipathd to answer" sh -c 'multipathd show status >/dev/null 2>&1' ||
		die "multipathd does not answer"
	wait_for 90 "a map with two ready paths per LUN" all_maps_ready || {
		multipath -ll
		echo "WWIDs: $(cat /tmp/wwids)"
		multipathd show paths raw format "%w %d %t %T"
		die "multipathd did not build a map with both paths ready for every LUN"
	}
	for w in $(cat /tmp/wwids); do
		wait_for 30 "/dev/mapper/$w" test -b "/dev/mapper/$w" || die "no /dev/mapper/$w"
	done
}

mp_stop() {
	multipath -F >/dev/null 2>&1
	multipathd shutdown >/dev/null 2>&1
	wait_for 15 "multipathd to stop" sh -c '! pidof multipathd >/dev/null' || kill -9 $(pidof multipathd)
	dmsetup remove_all >/dev/null 2>&1
	iscsiadm -m node -u >/dev/null 2>&1
	udevadm settle --timeout=30
}

# Sets a node setting on both paths' records.
node_set() { # $1 name, $2 value
	iscsiadm -m node -T "$TARGET_IQN" -p "$PORTAL0" -I iface0 -o update -n "$1" -v "$2" &&
		iscsiadm -m node -T "$TARGET_IQN" -p "$PORTAL1" -I iface1 -o update -n "$1" -v "$2"
}

# cut_run NAME silent|link: a path cut and restored under load.
cut_run() {
	name=$1
	kind=$2
	# make test runs only some (PORTICO_VM_MULTIPATH_RUNS on the host)
	case " ${MULTIPATH_RUNS:-defaults recommended cable} " in
	*" $name "*) ;;
	*) echo "$name: not run (PORTICO_VM_MULTIPATH_RUNS)"; return 0 ;;
	esac
	w=$(wwid_of "$(disk_of "$PORTAL0" "$lun")")
	map=/dev/mapper/$w
	dev=$(basename "$(disk_of "$PORTAL0" "$lun")")
	sess=$(ls -d /sys/class/iscsi_session/session* | head -1)
	echo "$name: recovery_tmo $(cat /sys/class/iscsi_session/session*/recovery_tmo | tr '\n' ' ')"
	result "multipath.$name.recovery_tmo_s $(cat "$sess/recovery_tmo")"
	rm -f /tmp/stop
	dd if=/dev/urandom of=/tmp/block bs=4096 count=1 2>/dev/null
	writer "$map" &
	wpid=$!
	prober "$map" &
	ppid=$!
	sleep 4
	[ -s /tmp/probe ] || die "$name: no write through $map completed before the cut"

	t_cut=$(uptime_s)
	host "cut-$kind" nic0 >/dev/null || die "$name: the host could not cut nic0"
	c=$(cat /sys/class/net/eth0/carrier 2>/dev/null)
	if [ "$kind" = link ]; then
		wait_for 10 "eth0 to lose carrier" sh -c '[ "$(cat /sys/class/net/eth0/carrier)" = 0 ]' ||
			die "$name: eth0 kept its carrier after the cable pull"
	else
		[ "$c" = 1 ] || die "$name: eth0 lost carrier in a silent cut"
	fi
	wait_for 150 "the path $dev to fail" path_failed "$w" "$dev" || {
		multipath -ll
		die "$name: multipathd did not fail path $dev after the cut"
	}
	t_failed=$(uptime_s)
	sleep 5 # the path stays down for a while
	t_restore=$(uptime_s)
	host "restore-$kind" nic0 >/dev/null || die "$name: the host could not restore nic0"
	wait_for 180 "path $dev to be reinstated" map_ready "$w" || {
		multipath -ll
		iscsiadm -m session -P 1
		die "$name: path $dev was not reinstated after the restore"
	}
	t_back=$(uptime_s)
	sleep 3
	touch /tmp/stop
	n=0
	while kill -0 "$wpid" 2>/dev/null || kill -0 "$ppid" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 240 ] || die "$name: the writers did not stop within 120 s"
		sleep 0.5
	done
	wait "$wpid" "$ppid"

	[ ! -s /tmp/fio.bad ] || { cat /tmp/fio.bad; die "$name: fio saw I/O errors or a verify failure"; }
	bad=$(awk '$3 != 0' /tmp/probe | wc -l)
	[ "$bad" -eq 0 ] || die "$name: $bad timed writes failed"
	# the longest any fio I/O waited; the longest a new write waited
	stall=$(awk '{ if ($1 + 0 > m) m = $1 + 0 } END { printf "%.1f", m / 1e9 }' /tmp/fio.lat)
	newio=$(awk '{ d = $2 - $1; if (d > m) m = d } END { printf "%.1f", m }' /tmp/probe)
	probes=$(wc -l </tmp/probe)
	detect=$(echo "$t_cut $t_failed" | awk '{ printf "%.1f", $2 - $1 }')
	back=$(echo "$t_restore $t_back" | awk '{ printf "%.1f", $2 - $1 }')
	echo "$name: $(cat /tmp/fio.runs) fio runs, longest I/O $stall s; $probes timed writes, longest $newio s;" \
		"path failed $detect s after the cut, reinstated $back s after the restore"
	result "multipath.$name.io_stall_s $stall"
	result "multipath.$name.new_write_max_s $newio"
	result "multipath.$name.path_failed_after_s $detect"
	result "multipath.$name.reinstated_after_s $back"
	all_maps_ready || die "$name: not every map has both paths ready at the end"
	ok "$name: no I/O error, verify passed, longest stall $stall s, path back after $back s"
}

# 1. defaults
connect_all
mp_start
n=$(dmsetup ls --target multipath | wc -l)
[ "$n" -eq "$(lab_luns | wc -l)" ] || die "$n multipath maps, want one per LUN"
multipath -ll
ok "one map per LUN, both paths active and ready"
cut_run defaults silent

# 2. and 3. the timeouts open-iscsi's README recommends for dm-multipath
mp_stop
node_set node.session.timeo.replacement_timeout 5 &&
	node_set 'node.conn[0].timeo.noop_out_interval' 5 &&
	node_set 'node.conn[0].timeo.noop_out_timeout' 5 || die "cannot update the node records"
login_all || die "login failed"
wait_for 60 "the by-path links of every LUN on both portals" all_paths_present || die "by-path links missing"
mp_start
cut_run recommended silent
cut_run cable link
