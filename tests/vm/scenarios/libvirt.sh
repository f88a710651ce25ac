# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: libvirt pools fed by portico-pathd, as a KVM admin checks them
# with virsh against a real libvirtd (Debian 12's 9.0, started here: the
# guest has no systemd). pathd brings up the base target's three maps, then:
#  - portico-path libvirt prints the pool; --define defines, starts and
#    autostarts it: pool-list shows it active and autostarted; vol-list
#    shows one volume per LUN, on /dev/mapper/<map name>, and no sdX;
#    vol-info gives each LUN's size;
#  - a LUN added and one grown on porticod through portico (the host's
#    target-live-change): the pool lists the new LUN and the new size
#    within 10 s of the change (pathd rescans on porticod's unit
#    attentions, makes or grows the map, and refreshes the pool; nobody
#    runs pool-refresh);
#  - the books' form (--form iscsi): an iscsi pool whose volumes are the
#    LUNs under /dev/disk/by-path, with no second login (the same sessions
#    before and after, no libvirt iface record);
#  - a domain with a volume disk (and the same LUN's neighbour as a block
#    disk on /dev/mapper) validates (virt-xml-validate) and is defined;
#    domblklist shows the volume (the map's dm-N) and the multipath device;
#    libvirt 9.0 refuses to start it ("using 'mpath' pools for backing
#    'volume' disks isn't yet supported"), so the same domain with both
#    disks of type block is started, paused: QEMU opens /dev/mapper/<name>
#    as a host_device, with native AIO and O_DIRECT;
#  - --undefine leaves libvirt's pools as they were, and pathd's maps ready.
# Each command an admin would type is printed with its output ("$ ..."),
# for docs/libvirt.md. Figures go to the host as RESULT lines (libvirt.*).
. /portico/run.env
. /portico/lib.sh

# lib.sh: PD, PP, CONF, DROPIN, pd_start, pd_stop, pp_json, maps_ready, now_ms
STATE=/var/lib/portico/libvirt-pools.conf
NLUNS=$(lab_luns | wc -l)
LV_PID=""
POOL=portico
IPOOL=portico-iscsi-${TARGET_IQN##*:}

LC_ALL=C
export LC_ALL
# every call bounded: a libvirtd that hangs fails the scenario, not the lab
virsh() { timeout 60 virsh -c qemu:///system "$@"; }

# Prints the command as an admin types it, then runs it.
run() {
	echo "\$ $*" | sed 's#/portico/bin/##'
	"$@"
}

# The same, its output (stdout and stderr) also kept in FILE; its status.
run_to() { # FILE CMD...
	_f=$1
	shift
	echo "\$ $*" | sed 's#/portico/bin/##'
	"$@" >"$_f" 2>&1
	_rc=$?
	cat "$_f"
	return $_rc
}

stop_pid() { # PID: TERM, bounded, then KILL (libvirtd)
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	wait_for 15 "process $1 to stop" sh -c "! kill -0 $1 2>/dev/null" || kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

cleanup() {
	if [ -s /run/portico.reason ]; then
		echo "--- pathd's log (last 40 lines)"
		tail -40 /run/pathd.log
		echo "--- libvirtd's log (last 30 lines)"
		tail -30 /run/libvirtd.log
	fi
	for d in vm1 vm2; do
		virsh destroy $d >/dev/null 2>&1
		virsh undefine $d >/dev/null 2>&1
	done
	pd_stop
	stop_pid "$LV_PID"
	rm -rf /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /run/libvirt /var/lib/portico
	rm -f "$DROPIN"
	for i in $(iscsiadm -m iface 2>/dev/null | awk '$1 ~ /^libvirt-iface/ { print $1 }'); do
		iscsiadm -m iface -I "$i" -o delete >/dev/null 2>&1
	done
	host target-restart base >/dev/null || echo "the host could not restore the target" >&2
}
trap cleanup EXIT

# The map of LUN L (from pathd's paths): "name size"
map_of_lun() {
	_w=$(pp_json show paths | jq -r --argjson l "$1" '[.paths[] | select(.lun == $l) | .wwid][0]')
	pp_json show maps | jq -r --arg w "$_w" '.maps[] | select(.wwid == $w) | "\(.name) \(.size)"'
}

dm_of() { echo "dm-$(dmsetup info -c --noheadings -o minor "$1" | tr -d ' ')"; }

# virsh vol-list POOL --details as "name path type", one a line
vols() { virsh vol-list "$1" --details 2>/dev/null | awk 'NR > 2 && NF >= 3 { print $1, $2, $3 }'; }
vol_bytes() { virsh vol-info --pool "$1" "$2" --bytes 2>/dev/null | awk '$1 == "Capacity:" { print $2 }'; }

# ---- libvirtd, as the admin's host runs it (here by hand: no systemd) ----
mkdir -p /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /run/libvirt \
	/etc/portico /run/portico
# Debian's qemu driver resolves its built-in user before it reads qemu.conf
grep -q '^libvirt-qemu:' /etc/passwd ||
	echo 'libvirt-qemu:x:64055:64055:Libvirt Qemu:/var/lib/libvirt:/bin/false' >>/etc/passwd
grep -q '^libvirt-qemu:' /etc/group || echo 'libvirt-qemu:x:64055:' >>/etc/group
# root, no security driver (no AppArmor here), QEMU's output to a file (no
# virtlogd), no mount namespace or cgroups for QEMU (the guest's root is an
# initramfs, and no cgroup hierarchy is mounted)
cat >/etc/libvirt/qemu.conf <<EOF
user = "root"
group = "root"
security_driver = "none"
stdio_handler = "file"
namespaces = [ ]
cgroup_controllers = [ ]
EOF
: >/run/libvirtd.log
t0=$(now_ms)
libvirtd >>/run/libvirtd.log 2>&1 &
LV_PID=$!
# pool-list: the storage driver answers (version would also start the emulator)
wait_for 90 "libvirtd to answer" sh -c 'timeout 10 virsh -c qemu:///system pool-list >/dev/null 2>&1' ||
	die "libvirtd does not answer: $(tail -5 /run/libvirtd.log | tr '\n' ' ')"
result "libvirt.libvirtd_up_ms $(($(now_ms) - t0))"
run virsh version
virsh pool-list --all --name | grep . | sort >/tmp/pools.before

# ---- pathd, three maps ----
cat >"$CONF" <<EOF
discovery = [ "${PORTAL0%:*}" ];
EOF
: >/run/pathd.log
pd_start
wait_for 180 "$NLUNS maps with two active paths" maps_ready "$NLUNS" || {
	"$PP" show status
	die "pathd did not bring up $NLUNS maps of two active paths"
}
run "$PP" show maps

# ---- the pool: printed, defined, started, autostarted ----
echo "\$ portico-path libvirt"
"$PP" libvirt >/tmp/pool.xml || die "portico-path libvirt failed"
cat /tmp/pool.xml
run virt-xml-validate /tmp/pool.xml storagepool || die "virt-xml-validate refuses the pool"
run_to /tmp/define.out "$PP" libvirt --define || die "portico-path libvirt --define failed: $(tr '\n' ' ' </tmp/define.out)"
run virsh pool-list --all --details
virsh pool-list --all --details | awk -v p="$POOL" '$1 == p && $2 == "running" && $3 == "yes" && $4 == "yes" { ok = 1 } END { exit !ok }' ||
	die "pool-list does not show '$POOL' running, autostarted and persistent"
[ "$(virsh pool-dumpxml "$POOL" | sed -n 's/.*<uuid>\(.*\)<\/uuid>.*/\1/p')" = "$(sed -n 's/.*uuid = "\([^"]*\)".*/\1/p' "$STATE")" ] ||
	die "pathd's state file does not hold the pool's UUID: $(cat "$STATE")"
ok "pool '$POOL' defined, running, autostarted; pathd's state file holds its UUID"

# one volume per LUN, on its multipath device, and its size
check_vols() { # N
	vols "$POOL" >/tmp/vols
	[ "$(wc -l </tmp/vols)" = "$1" ] || die "vol-list shows $(wc -l </tmp/vols) volumes, want $1: $(cat /tmp/vols)"
	grep -q ' /dev/sd' /tmp/vols && die "vol-list shows an sdX path: $(cat /tmp/vols)"
	pp_json show maps | jq -r '.maps[] | "\(.name) \(.size)"' | while read -r name size; do
		dm=$(dm_of "$name")
		grep -qx "$dm /dev/mapper/$name block" /tmp/vols ||
			die "vol-list has no volume $dm on /dev/mapper/$name: $(tr '\n' '|' </tmp/vols)"
		[ "$(vol_bytes "$POOL" "$dm")" = "$size" ] ||
			die "vol-info $dm: $(vol_bytes "$POOL" "$dm") bytes, map $name has $size"
	done
}
run virsh vol-list "$POOL" --details
check_vols "$NLUNS"
first=$(head -1 /tmp/vols | cut -d' ' -f1)
run virsh vol-info --pool "$POOL" "$first"
run virsh vol-path --pool "$POOL" "$first"
ok "vol-list: $NLUNS volumes on /dev/mapper, none on sdX; vol-info gives each map's size"

# ---- a LUN added, a LUN grown on porticod: the pool follows ----
# pathd follows the change by itself (it rescans on the unit attentions
# porticod sends), then refreshes its pool. follow MAP-TEST POOL-TEST: polls
# both (bounded: 20 s, 80 rounds) and sets t_map and t_pool, the guest's
# clock when each first held (empty when it never did).
follow() {
	t_map=""
	t_pool=""
	_n=0
	while [ $_n -lt 80 ] && [ $(($(now_ms) - t0)) -lt 20000 ]; do
		[ -z "$t_map" ] && $1 && t_map=$(now_ms)
		[ -n "$t_map" ] && $2 && { t_pool=$(now_ms); return 0; }
		sleep 0.25
		_n=$((_n + 1))
	done
	return 1
}
# pathd's events after number $1 (an answer's "next", the last number it
# gave), each with its ms after the first of them: where the time between
# the change and the pool went (the UA met, the rescans, the disks, the
# map, the refresh). At most the last 50 (show events' default).
events_from() { # SEQ
	echo "pathd's events since the change (ms after the first):"
	pp_json show events | jq -r --argjson s "$1" '[.events[] | select(.seq > $s)] |
		(.[0].time_ms // 0) as $t | .[] | "  +\(.time_ms - $t) \(.component): \(.text)"'
}
# "after N ms" from t0 to the time $1, or $2 when there is none
after_t0() { if [ -n "$1" ]; then echo "after $(($1 - t0)) ms"; else echo "$2"; fi; }

add_n=$((NLUNS + 1))
new_map() { maps_ready "$add_n"; }
new_vol() { [ "$(vols "$POOL" | wc -l)" = "$add_n" ]; }
ev0=$(pp_json show events | jq '.next')
t0=$(now_ms)
host target-live-change add >/dev/null || die "the host could not add a LUN live (target.log)"
t_host=$(now_ms)
follow new_map new_vol
rc=$?
echo "the host's answer (the change made) $((t_host - t0)) ms after the request (guest uptime $t0 ms)"
events_from "$ev0"
[ $rc = 0 ] ||
	die "the new LUN is not in vol-list 20 s after portico added it (pathd's map: $(after_t0 "$t_map" none)): $(vols "$POOL" | tr '\n' '|')"
result "libvirt.lun_added_change_to_map_ms $((t_map - t0))"
result "libvirt.lun_added_change_to_vol_list_ms $((t_pool - t0))"
[ $((t_pool - t0)) -le 10000 ] || die "the new LUN took $((t_pool - t0)) ms from portico to vol-list (10 s at most; pathd's map after $((t_map - t0)) ms)"
run virsh vol-list "$POOL" --details
check_vols "$add_n"
ok "LUN added: in vol-list $((t_pool - t0)) ms after portico added it (pathd's map after $((t_map - t0)) ms)"

set -- $(map_of_lun "$(lab_lun_of fs)")
fsmap=$1
grown=$(( $(for e in $LUNS_CHANGED; do b=${e#*:}; [ "${b%%:*}" = fs ] && echo "${b#*:}"; done) * 1048576 ))
map_grown() { [ "$(map_of_lun "$(lab_lun_of fs)" | cut -d' ' -f2)" = "$grown" ]; }
vol_grown() { [ "$(vol_bytes "$POOL" "$(dm_of "$fsmap")")" = "$grown" ]; }
ev0=$(pp_json show events | jq '.next')
t0=$(now_ms)
host target-live-change grow >/dev/null || die "the host could not grow a LUN live (target.log)"
t_host=$(now_ms)
follow map_grown vol_grown
rc=$?
echo "the host's answer (the change made) $((t_host - t0)) ms after the request (guest uptime $t0 ms)"
events_from "$ev0"
[ $rc = 0 ] ||
	die "vol-info does not show $fsmap at $grown bytes 20 s after portico grew it (pathd's map: $(after_t0 "$t_map" 'not grown')): $(vol_bytes "$POOL" "$(dm_of "$fsmap")")"
result "libvirt.lun_grown_change_to_map_ms $((t_map - t0))"
result "libvirt.lun_grown_change_to_vol_info_ms $((t_pool - t0))"
[ $((t_pool - t0)) -le 10000 ] || die "the grown LUN took $((t_pool - t0)) ms from portico to vol-info (10 s at most; pathd's map after $((t_map - t0)) ms)"
run virsh vol-info --pool "$POOL" "$(dm_of "$fsmap")"
ok "LUN grown: vol-info shows $grown bytes $((t_pool - t0)) ms after portico grew it (pathd's map after $((t_map - t0)) ms)"

# ---- the books' form, on pathd's sessions ----
iscsiadm -m session 2>/dev/null | sort >/tmp/sessions.before
run "$PP" libvirt --form iscsi
run_to /tmp/idefine.out "$PP" libvirt --define --form iscsi || die "portico-path libvirt --define --form iscsi failed: $(tr '\n' ' ' </tmp/idefine.out)"
run virsh pool-list --all --details
virsh pool-list --all --details | awk -v p="$IPOOL" '$1 == p && $2 == "running" && $3 == "yes" { ok = 1 } END { exit !ok }' ||
	die "pool-list does not show '$IPOOL' running and autostarted"
run virsh vol-list "$IPOOL" --details
vols "$IPOOL" >/tmp/ivols
[ "$(wc -l </tmp/ivols)" = "$add_n" ] || die "the iscsi pool lists $(wc -l </tmp/ivols) volumes, want $add_n"
grep -v -E " /dev/disk/by-path/ip-[^ ]*-iscsi-$TARGET_IQN-lun-[0-9]+ block$" /tmp/ivols &&
	die "an iscsi pool volume is not under /dev/disk/by-path"
iscsiadm -m session 2>/dev/null | sort >/tmp/sessions.after
cmp -s /tmp/sessions.before /tmp/sessions.after || {
	diff /tmp/sessions.before /tmp/sessions.after
	die "the iscsi pool changed the sessions (a second login)"
}
iscsiadm -m iface 2>/dev/null | grep -q '^libvirt-iface' && die "libvirt made an iface record of its own: $(iscsiadm -m iface)"
ok "books' form: pool '$IPOOL' lists $add_n LUNs under /dev/disk/by-path, on pathd's sessions (no second login)"

# ---- a domain with a volume disk and a block disk ----
set -- $(map_of_lun "$(lab_lun_of fio)")
fiomap=$1
fsdm=$(dm_of "$fsmap")
cat >/tmp/vm1.xml <<EOF
<domain type='qemu'>
  <name>vm1</name>
  <memory unit='MiB'>64</memory>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
    <disk type='volume' device='disk'>
      <driver name='qemu' type='raw' cache='none' io='native'/>
      <source pool='$POOL' volume='$fsdm'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='block' device='disk'>
      <driver name='qemu' type='raw' cache='none' io='native'/>
      <source dev='/dev/mapper/$fiomap'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
  </devices>
</domain>
EOF
cat /tmp/vm1.xml
run virt-xml-validate /tmp/vm1.xml domain || die "virt-xml-validate refuses the domain"
t0=$(now_ms)
run virsh define /tmp/vm1.xml || die "virsh define refuses the domain: $(tail -3 /run/libvirtd.log | tr '\n' ' ')"
result "libvirt.domain_define_ms $(($(now_ms) - t0))"
run_to /tmp/blk virsh domblklist vm1 --details
grep -q -E "^ *volume +disk +vda +$fsdm *\$" /tmp/blk || die "domblklist does not show vda as volume $fsdm (the map $fsmap)"
grep -q -E "^ *block +disk +vdb +/dev/mapper/$fiomap *\$" /tmp/blk || die "domblklist does not show vdb on /dev/mapper/$fiomap"
run virsh vol-path --pool "$POOL" "$fsdm"
[ "$(virsh vol-path --pool "$POOL" "$fsdm")" = "/dev/mapper/$fsmap" ] || die "volume $fsdm is not /dev/mapper/$fsmap"
ok "domain vm1 validates and is defined; domblklist: vda volume $fsdm (/dev/mapper/$fsmap), vdb /dev/mapper/$fiomap"
# libvirt 9.0 does not start a domain whose volume disk is in an mpath pool
# (virStorageTranslateDiskSourcePool): docs/libvirt.md says so; this keeps it true
run_to /tmp/start1.out virsh start --paused vm1 && die "vm1 (a volume disk in pool '$POOL') started: docs/libvirt.md says libvirt refuses it"
grep -q "using 'mpath' pools for backing 'volume' disks isn't yet supported" /tmp/start1.out ||
	die "vm1 did not start, but not for the reason docs/libvirt.md gives: $(cat /tmp/start1.out)"
ok "vm1 does not start: libvirt refuses a volume disk of an mpath pool"
# the block form starts (paused: TCG need not run it); what libvirt hands QEMU
sed -e 's/<name>vm1</<name>vm2</' -e "s#<disk type='volume' device='disk'>#<disk type='block' device='disk'>#" \
	-e "s#<source pool='$POOL' volume='$fsdm'/>#<source dev='/dev/mapper/$fsmap'/>#" /tmp/vm1.xml >/tmp/vm2.xml
run virsh define /tmp/vm2.xml || die "virsh define refuses vm2"
t0=$(now_ms)
run virsh start --paused vm2 || die "virsh start --paused vm2 failed: $(tail -3 /var/log/libvirt/qemu/vm2.log | tr '\n' ' ')"
result "libvirt.domain_start_paused_ms $(($(now_ms) - t0))"
run virsh domblklist vm2 --details
grep -o -- "-blockdev [^ ]*" /var/log/libvirt/qemu/vm2.log | tr -d "'\\" >/tmp/blockdevs
cat /tmp/blockdevs
for m in "$fsmap" "$fiomap"; do
	l=$(grep -F "\"filename\":\"/dev/mapper/$m\"" /tmp/blockdevs)
	case "$l" in
	*'"driver":"host_device"'*'"aio":"native"'*'"cache":{"direct":true'*) ;;
	*) die "QEMU does not open /dev/mapper/$m as a host_device, aio native, O_DIRECT: '$l'" ;;
	esac
done
ok "vm2 (block disks) started paused: QEMU opens /dev/mapper/$fsmap and /dev/mapper/$fiomap as host_device, aio native, O_DIRECT"
run virsh destroy vm2 || die "virsh destroy vm2 failed"
run virsh undefine vm2 || die "virsh undefine vm2 failed"
run virsh undefine vm1 || die "virsh undefine vm1 failed"

# ---- undefine: libvirt as it was ----
run_to /tmp/undefine.out "$PP" libvirt --undefine || die "portico-path libvirt --undefine failed: $(tr '\n' ' ' </tmp/undefine.out)"
run virsh pool-list --all
virsh pool-list --all --name | grep . | sort >/tmp/pools.after
cmp -s /tmp/pools.before /tmp/pools.after || die "libvirt's pools after --undefine: $(cat /tmp/pools.after), before: $(cat /tmp/pools.before)"
grep -q 'name =' "$STATE" && die "pathd's state file still names a pool: $(cat "$STATE")"
t0=$(now_ms)
# libvirt's iscsi backend logs out the target's sessions at the pool's portal when it stops it
wait_for 60 "pathd's $add_n maps ready" maps_ready "$add_n" || die "pathd's maps are not all ready after --undefine"
result "libvirt.undefine_to_maps_ready_ms $(($(now_ms) - t0))"
run iscsiadm -m session
iscsiadm -m iface 2>/dev/null | grep -q '^libvirt-iface' && die "libvirt made an iface record of its own: $(iscsiadm -m iface)"
ok "--undefine: libvirt's pools as before ($(wc -l </tmp/pools.after)), pathd's maps ready"
