# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: portico-pathd, as a KVM admin checks it. The target ('pathd'
# variant) serves the base target (three LUNs for this guest), a target that
# wants CHAP, and a target that maps no LUN to this guest. pathd.conf names
# one discovery address and nothing else.
#  - three maps of two active paths each appear, named by WWID (as multipath
#    names them: udev's ID_SERIAL), each of its LUN's size; dmsetup table and
#    multipath -ll agree with portico-path show maps --json;
#  - fio writes and verifies through every map;
#  - every path has a unique name under /dev/disk/by-portico-path that
#    resolves to its disk;
#  - kill -9 of pathd while fio runs through a map, then a new pathd: no I/O
#    error, no map suspended or reloaded (no dm change event, no create or
#    reload in its log), show maps as before;
#  - multipathd started beside pathd (its drop-in names our WWIDs) builds no
#    map and changes none, and multipath -ll still lists ours;
#  - a wrong CHAP secret (the CHAP target), a discovery address no NIC has a
#    route to, one where nothing answers, and the target without LUNs each
#    give a clear line in show status (and the log); the maps keep working;
#  - teardown of an open map is refused; teardown then leaves no map, disk
#    or session; pathd stays quiet; reconfigure brings everything back;
#  - the time from pathd's start to every map ready, and the time multipathd
#    needs for the same maps (logins by hand, then multipathd) in this run.
# Figures go to the host as RESULT lines (pathd.*).
. /portico/run.env
. /portico/lib.sh

NLUNS=$(lab_luns | wc -l)

cleanup() {
	touch /tmp/stop
	if [ -s /run/portico.reason ]; then
		echo "--- pathd's log (last 60 lines)"
		grep -v "multipathd reconfigure\|target-chap" /run/pathd.log | tail -60
		iscsiadm -m session 2>&1
		for d in /sys/class/iscsi_session/session*; do
			[ -e "$d" ] && echo "$d: $(cat "$d/state") $(cat "$d/targetname") $(cat "$d/ifacename")"
		done
		"$PP" show sessions
	fi
	pd_stop
	if pidof multipathd >/dev/null; then
		multipathd shutdown >/dev/null 2>&1
		wait_for 10 "multipathd to stop" sh -c '! pidof multipathd >/dev/null' ||
			kill -9 $(pidof multipathd) 2>/dev/null
	fi
	rm -f "$DROPIN" /etc/udev/rules.d/61-portico-path.rules
	udevadm control --reload
	host target-restart base >/dev/null || echo "the host could not restore the target" >&2
}
trap cleanup EXIT

# "name wwid size devt devt" per map, sorted: what show maps says
maps_summary() {
	pp_json show maps | jq -r '.maps[] | "\(.name) \(.wwid) \(.size) \([.paths[].devt] | sort | join(" "))"' |
		sort
}

udev_wwid() { udevadm info -q property -n "$1" | sed -n 's/^ID_SERIAL=//p'; }

host target-restart pathd >/dev/null || die "the host could not switch the target to the pathd variant"
mkdir -p /etc/portico /etc/multipath/conf.d /run/portico /etc/udev/rules.d
# One discovery address that works, one no NIC has a route to (the guest has
# no default route), one on eth1's subnet where nothing answers; a CHAP
# secret that is not the one the CHAP target wants (the base target does
# not ask for CHAP: open-iscsi offers CHAP,None and porticod picks None).
DEAD=198.18.2.250
UNROUTED=198.18.9.9
cat >"$CONF" <<EOF
discovery = [ "${PORTAL0%:*}", "$UNROUTED", "$DEAD" ];
chap = { username = "$CHAP_USER"; password = "not-$CHAP_SECRET"; };
EOF
chmod 600 "$CONF"
sed "s#/usr/sbin/portico-pathd#$PD#" /portico/conf/61-portico-path.rules >/etc/udev/rules.d/61-portico-path.rules
udevadm control --reload
: >/run/pathd.log

# ---- from nothing to three maps ----
udevadm monitor --kernel --property --subsystem-match=block >/tmp/uevents.start 2>&1 &
mon=$!
t0=$(now_ms)
pd_start
wait_for 180 "$NLUNS maps with two active paths" maps_ready "$NLUNS" || {
	"$PP" show status
	"$PP" show sessions
	"$PP" show paths
	tail -40 /run/pathd.log
	die "pathd did not bring up $NLUNS maps of two active paths"
}
t1=$(now_ms)
ready_ms=$((t1 - t0))
result "pathd.maps_ready_ms $ready_ms"
ok "$NLUNS maps ready $ready_ms ms after pathd started"

# pathd's policy asks for digests (docs/pathd.md, "Digests"); porticod has them
iscsiadm -m session -P 2 >/tmp/sessions 2>&1
nsess=$(grep -c "SID:" /tmp/sessions)
hd=$(grep -c "HeaderDigest: CRC32C" /tmp/sessions)
dd_=$(grep -c "DataDigest: CRC32C" /tmp/sessions)
[ "$nsess" -gt 0 ] && [ "$hd" -eq "$nsess" ] && [ "$dd_" -eq "$nsess" ] || {
	grep -E "Target:|SID:|Digest" /tmp/sessions
	die "$nsess sessions, $hd with a CRC32C header digest and $dd_ with a CRC32C data digest"
}
ok "every session ($nsess) runs with CRC32C header and data digests"
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
# the restart check below looks for these: a create's resume must show them
[ "$(grep -c '^DM_COOKIE=' /tmp/uevents.start)" -ge "$NLUNS" ] ||
	die "no DM_COOKIE in the uevents of $NLUNS creates: the restart check could not see a reload"
"$PP" show maps

# each map: named by its WWID as udev names its disks, the size of its LUN,
# and dmsetup and multipath -ll agree with pathd
maps_summary >/tmp/maps.before
while read -r name wwid size d1 d2; do
	[ "$name" = "$wwid" ] || die "map $name is not named by its WWID $wwid"
	for d in $d1 $d2; do
		dev=$(basename "$(readlink -f "/sys/dev/block/$d")")
		[ "$(udev_wwid "/dev/$dev")" = "$wwid" ] ||
			die "map $name: path $dev ($d) has udev's WWID '$(udev_wwid "/dev/$dev")'"
	done
	want=""
	for l in $(lab_luns); do
		a=$(basename "$(disk_of "$PORTAL0" "$l")")
		[ "$(udev_wwid "/dev/$a")" = "$wwid" ] && want=$(($(lab_size_of_lun "$l") * 1024 * 1024))
	done
	[ "$size" = "$want" ] || die "map $name is $size bytes, its LUN $want"
	t=$(dmsetup table "$name")
	case "$t" in
	"0 $((size / 512)) multipath "*) ;;
	*) die "map $name: dmsetup table '$t' is not $((size / 512)) sectors of multipath" ;;
	esac
	for d in $d1 $d2; do
		echo "$t" | grep -q " $d " || die "map $name: dmsetup table '$t' lacks path $d"
	done
	# plain multipath -ll: with a WWID argument multipath refuses a blacklisted
	# WWID (and the drop-in blacklists ours, to keep multipathd off them)
	ll=$(multipath -ll 2>&1 | awk -v n="$name" '/ dm-[0-9]+ / { p = ($1 == n) } p')
	echo "$ll" | grep -q "^$name " || die "multipath -ll does not list map $name: $(multipath -ll 2>&1)"
	echo "$ll" | grep -q "size=64M" || die "multipath -ll: map $name is not 64M: $ll"
	for d in $d1 $d2; do
		echo "$ll" | grep -q " $d " || die "multipath -ll: map $name lacks path $d: $ll"
	done
done </tmp/maps.before
[ "$(dmsetup ls --target multipath | wc -l)" -eq "$NLUNS" ] || die "dmsetup lists $(dmsetup ls --target multipath | wc -l) multipath maps"
ok "maps named by WWID, of their LUNs' sizes; dmsetup table and multipath -ll agree with pathd"

# ---- fio through every map ----
while read -r name wwid rest; do
	fio --name=pathd --filename="/dev/mapper/$name" --ioengine=libaio --direct=1 --rw=randwrite \
		--bs=4k --size=8m --iodepth=8 --verify=crc32c --verify_fatal=1 >/tmp/fio.out 2>&1 ||
		{ cat /tmp/fio.out; die "fio through map $name failed"; }
	grep -q 'err= 0' /tmp/fio.out || { cat /tmp/fio.out; die "fio through map $name saw errors"; }
done </tmp/maps.before
ok "fio wrote and verified through every map"

# ---- path names ----
pp_json show paths | jq -r '.paths[] | "\(.name) \(.dev)"' >/tmp/paths
[ "$(wc -l </tmp/paths)" -eq $((NLUNS * 2)) ] || die "$(wc -l </tmp/paths) paths, want $((NLUNS * 2))"
[ -z "$(cut -d' ' -f1 /tmp/paths | sort | uniq -d)" ] || die "path names repeat: $(cut -d' ' -f1 /tmp/paths | sort | uniq -d)"
udevadm settle --timeout=30
while read -r name dev; do
	case "$name" in eth[01]-ip-*-iscsi-*-lun-*) ;; *) die "path name '$name' does not say its NIC, portal, target and LUN" ;; esac
	l="/dev/disk/by-portico-path/$name"
	[ "$(readlink -f "$l")" = "/dev/$dev" ] || die "$l resolves to '$(readlink -f "$l")', not /dev/$dev"
done </tmp/paths
ok "every path's name is unique and /dev/disk/by-portico-path resolves it to its disk"

# ---- kill -9 while fio runs, then a new pathd ----
name=$(head -1 /tmp/maps.before | cut -d' ' -f1)
# A resume (of a create or a reload) is a change uevent with DM_COOKIE; udev's
# own watch makes change events too when fio closes the map, without one.
udevadm monitor --kernel --property --subsystem-match=block >/tmp/uevents 2>&1 &
mon=$!
fio --name=restart --filename="/dev/mapper/$name" --ioengine=libaio --direct=1 --rw=randwrite \
	--bs=4k --size=32m --iodepth=8 --verify=crc32c --verify_fatal=1 >/tmp/fio.restart 2>&1 &
fio_pid=$!
sleep 2
lines=$(wc -l </run/pathd.log)
kill -9 "$PD_PID"
wait "$PD_PID" 2>/dev/null
PD_PID=""
sleep 1
pd_start
wait_for 60 "the new pathd to show $NLUNS ready maps" maps_ready "$NLUNS" || {
	tail -30 /run/pathd.log
	die "the new pathd does not show the maps ready"
}
sleep 3
wait "$fio_pid"
rc=$?
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
[ $rc -eq 0 ] && grep -q 'err= 0' /tmp/fio.restart || { cat /tmp/fio.restart; die "fio saw errors across the restart"; }
if grep -q '^DM_COOKIE=' /tmp/uevents; then
	cat /tmp/uevents
	die "a map was suspended or reloaded across the restart (a dm resume event)"
fi
if tail -n +"$((lines + 1))" /run/pathd.log | grep -E "map '[^']*': (create|reload) done"; then
	die "the new pathd made or reloaded a map"
fi
maps_summary >/tmp/maps.after
cmp -s /tmp/maps.before /tmp/maps.after || { diff /tmp/maps.before /tmp/maps.after; die "show maps differs after the restart"; }
ok "kill -9 and a new pathd under fio: no I/O error, no map touched, the same maps"

# ---- multipathd beside pathd ----
[ "$(grep -c '^	wwid "' "$DROPIN")" -eq "$NLUNS" ] || { cat "$DROPIN"; die "the drop-in does not name the $NLUNS WWIDs"; }
for n in $(cut -d' ' -f1 /tmp/maps.before); do dmsetup table "$n"; done >/tmp/tables.before
multipathd || die "multipathd did not start"
wait_for 20 "multipathd to answer" sh -c 'multipathd show status >/dev/null 2>&1' || die "multipathd does not answer"
sleep 8
for n in $(cut -d' ' -f1 /tmp/maps.before); do dmsetup table "$n"; done >/tmp/tables.after
cmp -s /tmp/tables.before /tmp/tables.after || { diff /tmp/tables.before /tmp/tables.after; die "multipathd changed a map of pathd's"; }
[ "$(dmsetup ls --target multipath | wc -l)" -eq "$NLUNS" ] || { dmsetup ls --target multipath; die "multipathd made maps of its own"; }
[ "$(multipath -ll 2>/dev/null | grep -c ' dm-')" -eq "$NLUNS" ] || { multipath -ll; die "multipath -ll does not list pathd's maps"; }
multipathd shutdown >/dev/null 2>&1
wait_for 10 "multipathd to stop" sh -c '! pidof multipathd >/dev/null' || kill -9 $(pidof multipathd)
ok "multipathd with pathd's drop-in leaves pathd's maps alone; multipath -ll lists them"

# ---- what pathd says of the targets and addresses it cannot use ----
# the dead address's SendTargets fails when iscsiadm gives up connecting
dead_said() {
	pp_jq '[.conditions[] | select((.object == "discovery " + $a) and (.text | startswith("SendTargets discovery failed")) and (.text | endswith("(over eth1)")))] |
		length > 0' --arg a "$DEAD:3260" -- show status
}
wait_for 150 "a line for the dead discovery address $DEAD" dead_said ||
	{ "$PP" show status; die "show status says nothing of the dead discovery address $DEAD"; }
pp_json show status >/tmp/status.json && [ -s /tmp/status.json ] || die "show status --json did not answer"
jq -e --arg o "discovery $UNROUTED:3260" '[.conditions[] | select((.object == $o) and (.text | contains("no storage NIC has a route")))] | length > 0' /tmp/status.json >/dev/null ||
	{ "$PP" show status; die "show status says nothing of the unrouted discovery address $UNROUTED"; }
jq -e --arg t "$TARGET_IQN-chap" '[.conditions[] | select((.object | contains($t)) and (.text | contains("authentication")))] | length > 0' /tmp/status.json >/dev/null ||
	{ "$PP" show status; die "show status says nothing of the CHAP target's failed logins"; }
jq -e --arg t "$TARGET_IQN-nolun" '[.conditions[] | select((.object | contains($t)) and (.text | contains("maps no LUN")))] | length > 0' /tmp/status.json >/dev/null ||
	{ "$PP" show status; die "show status says nothing of the target that maps no LUN"; }
grep -q "login to '$TARGET_IQN-chap' .* failed" /run/pathd.log || die "pathd's log says nothing of the CHAP target"
"$PP" show status
maps_ready "$NLUNS" || die "the maps are not all ready beside the failing targets"
"$PP" show nics
"$PP" show sessions
"$PP" show paths
ok "a wrong CHAP secret, an unrouted and a dead discovery address, a target without LUNs: each has its line; the maps serve on"

# ---- teardown ----
exec 5<"/dev/mapper/$name"
map_open() { pp_jq "[.maps[] | select(.name == \"$name\") | .open_count > 0] == [$1]" -- show maps; }
wait_for 15 "pathd to see map $name open" map_open true || die "pathd does not see map $name open"
"$PP" teardown "$name" >/tmp/td.out 2>&1 && die "teardown of an open map succeeded"
grep -q "is open" /tmp/td.out || { cat /tmp/td.out; die "teardown of an open map: no reason given"; }
exec 5<&-
wait_for 15 "pathd to see map $name closed" map_open false || die "pathd still sees map $name open"
"$PP" --timeout 120 teardown >/tmp/td.out 2>&1 || { cat /tmp/td.out; "$PP" show status; die "teardown failed"; }
cat /tmp/td.out
[ "$(dmsetup ls --target multipath | grep -vc '^No devices')" -eq 0 ] || { dmsetup ls; die "maps left after teardown"; }
ls /sys/block | grep -q '^sd' && die "disks left after teardown: $(ls /sys/block | grep '^sd' | tr '\n' ' ')"
iscsiadm -m session >/dev/null 2>&1 && die "sessions left after teardown: $(iscsiadm -m session)"
sleep 5
[ "$(ls /sys/class/iscsi_session | wc -l)" -eq 0 ] || die "pathd logged in again after teardown"
ok "teardown: an open map refused; then no map, no disk, no session; pathd stays quiet"
"$PP" reconfigure >/dev/null || die "reconfigure failed"
wait_for 180 "$NLUNS maps again after reconfigure" maps_ready "$NLUNS" || die "reconfigure did not bring the maps back"
ok "reconfigure brings the maps back"

# ---- the same three maps with open-iscsi and multipathd, in this run ----
"$PP" --timeout 120 teardown >/dev/null 2>&1 || die "the second teardown failed"
pd_stop
rm -f "$DROPIN"
iscsiadm -m node -o delete >/dev/null 2>&1
t0=$(now_ms)
connect_all
: >/tmp/wwids
for l in $(lab_luns); do udev_wwid "$(disk_of "$PORTAL0" "$l")" >>/tmp/wwids; done
multipathd || die "multipathd did not start"
mp_ready() {
	for w in $(cat /tmp/wwids); do
		[ "$(multipathd show paths raw format "%w %t %T" 2>/dev/null | grep -c "^$w active ready")" -eq 2 ] || return 1
	done
}
wait_for 180 "multipathd's $NLUNS maps with two ready paths" mp_ready || { multipath -ll; die "multipathd did not build the maps"; }
t1=$(now_ms)
mp_ms=$((t1 - t0))
result "pathd.multipathd_maps_ready_ms $mp_ms"
ok "open-iscsi by hand and multipathd: $NLUNS maps ready in $mp_ms ms (pathd: $ready_ms ms)"
