# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: portico-pathd's device-mapper adapter (mpath/io/dm.c) against
# the guest's kernel, through /portico/bin/dmcheck (tests/vm/dmcheck.c),
# over the two iSCSI paths of the lab's 'fio' LUN. multipathd does not run.
#  - create: /dev/mapper/NAME is there when it returns, udev made its by-id
#    link, `dmsetup table` is the table built (byte for byte, and through
#    the codec), list reads the map back with its spec;
#  - what is refused: a name or UUID in use (EEXIST), a map that is not
#    there (ENXIO), a path not in the map (EINVAL);
#  - fail_path / reinstate_path and fail_if_no_path / queue_if_no_path show
#    in the status and in list;
#  - reloads while fio writes and verifies through the map: to one path,
#    back to two, and with every path failed (I/O queued) to a table with
#    both again: no I/O error, and the queued writes complete;
#  - remove of an open map is EBUSY with its open count; deferred, the map
#    goes at its last close; a plain remove takes /dev/mapper/NAME with it.
# The kernel's table and status lines go to the host as RESULT lines.
# Run it by name: sh tests/vm/run.sh dmadapter
. /portico/run.env
. /portico/lib.sh

DMCHECK=/portico/bin/dmcheck
NAME=pathd-dmcheck
[ -x "$DMCHECK" ] || die "$DMCHECK is missing (make build-tests)"

holder=""
wpid=""
ppid=""
cleanup() {
	touch /tmp/dm.stop
	for p in $holder $wpid $ppid; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

dmc() { # dmcheck, its output on the console; fails the scenario with its FAILED line
	"$DMCHECK" "$@" >/tmp/dmc.out 2>&1
	rc=$?
	cat /tmp/dmc.out
	[ $rc -eq 0 ] || die "dmcheck $*: $(grep FAILED /tmp/dmc.out | head -1)"
}

record() { # $1 key: the map's table and status lines, to the console and the host
	t=$(dmsetup table "$NAME")
	s=$(dmsetup status "$NAME")
	echo "dmsetup table $NAME: $t"
	echo "dmsetup status $NAME: $s"
	result "dmadapter.$1.table $t"
	result "dmadapter.$1.status $s"
}

devt_of() { cat "/sys/class/block/$(basename "$1")/dev"; }

lun=$(lab_lun_of fio)
connect_all
d0=$(disk_of "$PORTAL0" "$lun")
d1=$(disk_of "$PORTAL1" "$lun")
w=$(wwid_of "$d0")
[ -n "$w" ] && [ "$(wwid_of "$d1")" = "$w" ] || die "the two paths of LUN $lun do not share a WWID"
t0=$(devt_of "$d0")
t1=$(devt_of "$d1")
other=$(devt_of "$(disk_of "$PORTAL0" "$(lab_lun_of fs)")")
size=$(cat "/sys/class/block/$(basename "$d0")/size")
ok "LUN $lun: $d0 ($t0) and $d1 ($t1), WWID $w, $size sectors"

# 1. create, and what the kernel and udev made of it
dmc create "$NAME" "$w" "$size" "$t0,$t1"
record create
dmc table "$NAME" "$w" "$size" "$t0,$t1"
dmc list "$NAME" "$w" "$size" "$t0,$t1" --open 0
udevadm settle --timeout=30
[ -L "/dev/disk/by-id/dm-uuid-mpath-$w" ] || die "udev made no /dev/disk/by-id/dm-uuid-mpath-$w"
ok "udev made /dev/disk/by-id/dm-uuid-mpath-$w"

# 2. what is refused
dmc --expect EEXIST create "$NAME" "$w" "$size" "$t0"
dmc --expect EEXIST create pathd-other "$w" "$size" "$t0"
dmc --expect ENXIO reload pathd-nosuch "$w" "$size" "$t0"
dmc --expect EEXIST reload "$NAME" 36001405notthislun "$size" "$t0"
dmc --expect EINVAL message "$NAME" "fail_path $other"
dmc --expect ENXIO message pathd-nosuch "fail_path $t0"

# 3. paths failed and reinstated, queueing off and on
dmc message "$NAME" "fail_path $t1"
record failed
dmsetup status "$NAME" | grep -q " $t1 F 1 " || die "the status does not show $t1 failed once"
dmc list "$NAME" "$w" "$size" "$t0,$t1" --failed "$t1"
dmc message "$NAME" "reinstate_path $t1"
dmc list "$NAME" "$w" "$size" "$t0,$t1"
dmc message "$NAME" fail_if_no_path
record noqueue
dmc --noqueue list "$NAME" "$w" "$size" "$t0,$t1"
dmc message "$NAME" queue_if_no_path
dmc list "$NAME" "$w" "$size" "$t0,$t1"

# 4. reloads under I/O
map=/dev/mapper/$NAME
rm -f /tmp/dm.stop
: >/tmp/dm.bad
: >/tmp/dm.probe
dd if=/dev/urandom of=/tmp/dm.block bs=4096 count=1 2>/dev/null
writer() { # fio runs writing and verifying through the map until /tmp/dm.stop
	i=0
	while [ ! -f /tmp/dm.stop ] && [ $i -lt 200 ]; do
		fio --name=dm --filename="$map" --ioengine=libaio --direct=1 --rw=randwrite \
			--bssplit=4k/60:64k/40 --size=8m --iodepth=8 --verify=crc32c --verify_fatal=1 \
			>/tmp/dm.fio 2>&1
		rc=$?
		if [ $rc -ne 0 ] || ! grep -q 'err= 0' /tmp/dm.fio; then
			{ echo "fio run $i: exit $rc"; cat /tmp/dm.fio; } >>/tmp/dm.bad
		fi
		i=$((i + 1))
		echo "$i" >/tmp/dm.runs
	done
}
prober() { # a timed 4 KiB O_DIRECT write past fio's 8 MiB every 0.2 s: "start end status"
	i=0
	while [ ! -f /tmp/dm.stop ] && [ $i -lt 3000 ]; do
		s=$(uptime_s)
		dd if=/tmp/dm.block of="$map" bs=4096 count=1 seek=$((4096 + i % 1024)) oflag=direct \
			conv=notrunc 2>/dev/null
		rc=$?
		echo "$s $(uptime_s) $rc" >>/tmp/dm.probe
		i=$((i + 1))
		sleep 0.2
	done
}
writer &
wpid=$!
prober &
ppid=$!
wait_for 60 "a first write through $map" test -s /tmp/dm.probe || die "no write through $map"
sleep 2
dmc reload "$NAME" "$w" "$size" "$t0"
record onepath
dmc table "$NAME" "$w" "$size" "$t0"
dmc list "$NAME" "$w" "$size" "$t0"
sleep 3
dmc reload "$NAME" "$w" "$size" "$t0,$t1"
dmc list "$NAME" "$w" "$size" "$t0,$t1"
sleep 3
# every path failed: I/O queues (queue_if_no_path); a reload brings both back
t_failing=$(uptime_s)
dmc message "$NAME" "fail_path $t0"
dmc message "$NAME" "fail_path $t1"
record nopath
sleep 4
t_reload=$(uptime_s)
dmc reload "$NAME" "$w" "$size" "$t0,$t1"
dmc list "$NAME" "$w" "$size" "$t0,$t1"
sleep 3
touch /tmp/dm.stop
n=0
while kill -0 "$wpid" 2>/dev/null || kill -0 "$ppid" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 240 ] || die "the writers did not stop within 120 s"
	sleep 0.5
done
wait "$wpid" "$ppid"
wpid=""
ppid=""
[ ! -s /tmp/dm.bad ] || { cat /tmp/dm.bad; die "fio saw an I/O error or a verify failure across the reloads"; }
bad=$(awk '$3 != 0' /tmp/dm.probe | wc -l)
[ "$bad" -eq 0 ] || die "$bad timed writes failed across the reloads"
# a write issued once the paths were being failed, before the reload, that ended only after
# the reload began waited in the map (a write takes well under a second otherwise), and completed
queued=$(awk -v f="$t_failing" -v r="$t_reload" '$1 >= f && $1 < r && $2 > r' /tmp/dm.probe | wc -l)
held=$(awk -v f="$t_failing" -v r="$t_reload" '$1 >= f && $1 < r && $2 > r { printf "%.1f", $2 - $1 }' \
	/tmp/dm.probe)
stall=$(awk '{ d = $2 - $1; if (d > m) m = d } END { printf "%.1f", m }' /tmp/dm.probe)
echo "fio runs: $(cat /tmp/dm.runs), timed writes: $(wc -l </tmp/dm.probe), held while no path: $queued ($held s), longest $stall s"
[ "$queued" -eq 1 ] || die "$queued writes held across the reload from no path, want one (the prober waits for each)"
result "dmadapter.io.fio_runs $(cat /tmp/dm.runs)"
result "dmadapter.io.queued_writes $queued"
result "dmadapter.io.queued_write_s $held"
result "dmadapter.io.longest_write_s $stall"
ok "reloads under I/O: no I/O error, verify passed, $queued writes held while no path and completed"

# 5. removes
# shellcheck disable=SC2217 # sleep does not read it: it holds the map open
sleep 600 <"$map" &
holder=$!
wait_for 10 "the map to be open" sh -c "dmsetup info -c --noheadings -o open $NAME | grep -qx ' *1'" ||
	die "the map is not open: $(dmsetup info "$NAME")"
dmc --expect EBUSY remove "$NAME"
grep -q "open count 1" /tmp/dmc.out || die "the EBUSY reason does not give the open count"
dmc remove "$NAME" --deferred
dmsetup info "$NAME" | grep -q "DEFERRED REMOVE" || die "no deferred remove pending: $(dmsetup info "$NAME")"
dmc list "$NAME" "$w" "$size" "$t0,$t1" --open 1
kill "$holder"
wait "$holder" 2>/dev/null
holder=""
wait_for 20 "the map to go at its last close" sh -c "! dmsetup info $NAME >/dev/null 2>&1" ||
	die "the map is still there after its last close"
wait_for 20 "/dev/mapper/$NAME to go" sh -c "[ ! -e $map ]" || die "$map is still there"
dmc absent "$NAME"
ok "deferred remove: the map went at its last close"
dmc --selector rr create "$NAME" "$w" "$size" "$t1"
record rr
dmc --selector rr table "$NAME" "$w" "$size" "$t1"
dmc remove "$NAME"
dmc absent "$NAME"
dmc --expect ENXIO remove "$NAME"
ok "dm adapter: create, list, messages, reloads under I/O, removes"
