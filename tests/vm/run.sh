#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The VM lab: open-iscsi's kernel initiator, udev and dm-multipath in a QEMU
# guest, against the project's target running on the host.
#   sh tests/vm/run.sh [SCENARIO...]      (default: every enabled scenario)
# Environment: BUILD (build dir, default build), PORTICO_VM_TARGET
# (porticod|tgt), PORTICO_VM_ACCEL (kvm|tcg; default: kvm when it works),
# PORTICO_VM_SMP (guest CPUs, default 2), PORTICO_VM_KEEP=1 (keep the lab's
# directory), PORTICO_VM_MULTIPATH_RUNS (the multipath scenario's cut runs,
# default all three: "defaults recommended cable"; make test runs "cable",
# the stock stack as open-iscsi recommends it, the comparison is make
# check-vm's). Needs root.
#
# Topology: a private network namespace holds two tap devices (198.18.1.1/24
# and 198.18.2.1/24, a range reserved for network tests), the target with one
# portal on each, and QEMU itself, so that the taps are opened where they
# live. The guest's eth0/eth1 sit on those taps (198.18.1.2, 198.18.2.2).
# Nothing gets an address in the host's namespace; nothing leaves the host.
#
# The guest (tests/vm/guest/init) runs the scenarios one after the other in a
# single boot and talks to this script over a virtio-serial port (a pipe pair
# here): markers out, answers to its requests in. See docs/testing.md.
#
# Output: "PASS: vm/NAME" / "FAIL: vm/NAME" per scenario, then a timing
# summary; exit status non-zero on any failure. Where the lab cannot run at
# all (/ not a mount point), one "SKIP: vm ..." line and exit status 0.
set -u

# Scenarios run in this order. Only those that pass reliably are listed here;
# a scenario file not listed runs only when named on the command line.
# "powerloss" is not a guest scenario but tests/vm/powerloss.sh, run last
# (10 rounds, about 4.5 minutes under TCG).
ENABLED="discovery data live multipath pathd alua pathd_alua failover libvirt xcopy pr gateways powerloss"

VM_DIR=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$VM_DIR/../.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$top/$BUILD" ;; esac

. "$VM_DIR/image.sh"
. "$VM_DIR/target.sh"

SCENARIO_TIMEOUT=${PORTICO_VM_SCENARIO_TIMEOUT:-420}
BOOT_TIMEOUT=180
SMP=${PORTICO_VM_SMP:-2}

scenarios=${*:-$ENABLED}
# powerloss boots the guest many times and pulls its plug, from the host
# (tests/vm/powerloss.sh): it runs after the others, under the same lock.
powerloss=0
case " $scenarios " in
*" powerloss "*)
	powerloss=1
	scenarios=$(for s in $scenarios; do [ "$s" = powerloss ] || echo "$s"; done | paste -sd' ' -)
	;;
esac
for s in $scenarios; do
	if [ ! -f "$VM_DIR/scenarios/$s.sh" ]; then
		echo "vm: no scenario '$s' (tests/vm/scenarios/*.sh)" >&2
		exit 2
	fi
done

t_start=$(date +%s)

setup_fail() {
	echo "vm: $*" >&2
	for s in $scenarios; do echo "FAIL: vm/$s (lab setup: $*)"; done
	exit 1
}

[ "$(id -u)" = 0 ] || setup_fail "needs root (network namespace, taps)"
# 'ip netns exec' makes / a slave mount (mount --make-rslave /), which the
# kernel refuses (EINVAL) where / is not a mount point, as in a chroot: the
# lab cannot run there. One line says so; tests/run.sh counts it skipped.
if command -v mountpoint >/dev/null 2>&1 && ! mountpoint -q /; then
	echo "SKIP: vm ($(echo $scenarios | wc -w) scenarios): / is not a mount point (a chroot?)," \
		"where 'ip netns exec' cannot make / a slave mount; run the lab on a machine, VM or container whose / is a mount point"
	exit 0
fi
for t in qemu-system-x86_64 socat ip ss cpio; do
	command -v "$t" >/dev/null 2>&1 || setup_fail "'$t' is missing (sh scripts/install-deps.sh)"
done
[ "$TARGET_KIND" != tgt ] || command -v tgtd >/dev/null 2>&1 || setup_fail "tgtd is missing"
case "$TARGET_KIND: $scenarios " in
porticod:*" live "* | porticod:*" libvirt "*) # live changes go through the shell
	[ -x "$BUILD/bin/portico" ] || setup_fail "$BUILD/bin/portico is missing (make)" ;;
esac
case " $scenarios " in
*" pathd "* | *" pathd_alua "* | *" libvirt "* | *" gateways "*)
	[ "$TARGET_KIND" = porticod ] || setup_fail "the pathd, pathd_alua, libvirt and gateways scenarios need porticod (target variants, live changes)"
	for b in portico-pathd portico-path; do
		[ -x "$BUILD/bin/$b" ] || setup_fail "$BUILD/bin/$b is missing (make)"
	done ;;
esac
case " $scenarios " in
*" alua "* | *" pathd_alua "*) # the target's ALUA states, set with the shell
	[ "$TARGET_KIND" = porticod ] || setup_fail "the alua scenario needs porticod (its 'alua' target variant)"
	[ -x "$BUILD/bin/portico" ] || setup_fail "$BUILD/bin/portico is missing (make)" ;;
esac
case " $scenarios " in
*" gateways "*) # two gateways of a group over a one-node Ceph cluster (target.sh)
	[ -x "$BUILD/bin/portico" ] || setup_fail "$BUILD/bin/portico is missing (make)"
	if ! command -v ceph-mon >/dev/null 2>&1; then
		echo "vm: installing the ceph group for the gateways scenario (install-deps.sh --group ceph)"
		mkdir -p "$BUILD/vm" && sh scripts/install-deps.sh --group ceph >"$BUILD/vm/ceph-deps.log" 2>&1 ||
			setup_fail "cannot install the ceph group (log $BUILD/vm/ceph-deps.log)"
	fi ;;
esac
case " $scenarios " in
*" dmadapter "*) # drives mpath/io/dm.c through the lab's test program
	[ -x "$BUILD/tests/vm/dmcheck" ] || setup_fail "$BUILD/tests/vm/dmcheck is missing (make build-tests)" ;;
esac
[ -c /dev/net/tun ] || setup_fail "/dev/net/tun is missing"

# One lab at a time on a machine: two TCG guests on its two cores would
# each run at half speed, and the failover scenarios' bounds are timings.
# The lock goes with this process (and so with its exit, however it ends).
exec 9>/tmp/portico-vm.lock
if ! flock -n 9; then
	echo "vm: waiting for another VM lab run on this machine (at most 60 min)"
	flock -w 3600 9 || setup_fail "another VM lab run held the lab for an hour"
fi

if [ -z "$scenarios" ]; then
	PORTICO_VM_LOCKED=1 exec sh "$VM_DIR/powerloss.sh"
fi

# --- the lab's resources, all removed by cleanup ---------------------------
LAB=$(mktemp -d /tmp/portico-vm.XXXXXX) || exit 1
NS="portico-vm-$$"
TAP0="pvm$$a"
TAP1="pvm$$b"
qemu_pid=""
reader_pid=""
ns_made=0
LOGS="$BUILD/vm/logs"

cleanup() {
	trap - EXIT INT TERM HUP
	if [ -n "$qemu_pid" ]; then
		kill "$qemu_pid" 2>/dev/null
		n=0
		while alive "$qemu_pid" && [ $n -lt 25 ]; do sleep 0.2; n=$((n + 1)); done
		kill -9 "$qemu_pid" 2>/dev/null
		wait "$qemu_pid" 2>/dev/null
	fi
	target_stop
	if [ -n "$reader_pid" ]; then
		kill "$reader_pid" 2>/dev/null
		wait "$reader_pid" 2>/dev/null
	fi
	if [ $ns_made = 1 ]; then
		ip -n "$NS" link del "$TAP0" 2>/dev/null
		ip -n "$NS" link del "$TAP1" 2>/dev/null
		ip netns del "$NS" 2>/dev/null
	fi
	mkdir -p "$LOGS" && rm -f "$LOGS"/* &&
		cp "$LAB"/console.log "$LAB"/ctl.log "$LAB"/target.log "$LAB"/results.txt "$LAB"/porticod.conf \
			"$LOGS"/ 2>/dev/null
	if [ "${PORTICO_VM_KEEP:-0}" = 1 ]; then
		echo "vm: lab directory kept: $LAB"
	else
		rm -rf "$LAB"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- image -------------------------------------------------------------------
t0=$(date +%s)
mkdir -p "$BUILD/vm" || setup_fail "cannot create $BUILD/vm"
vm_build_base "$BUILD/vm" || setup_fail "guest image build failed"
t_image=$(($(date +%s) - t0))

# --- network namespace, taps, target -------------------------------------------
PORTAL0=198.18.1.1:3260
PORTAL1=198.18.2.1:3260
TARGET_IQN=iqn.2025-01.org.portico.lab:target
INITIATOR_IQN=iqn.2025-01.org.portico.lab:guest
OTHER_IQN=iqn.2025-01.org.portico.lab:other
INTRUDER_IQN=iqn.2025-01.org.portico.lab:intruder
NODE2_IQN=iqn.2025-01.org.portico.lab:node2
CHAP_USER=lab-guest
CHAP_SECRET=lab-chap-secret-4711

ip netns add "$NS" || setup_fail "ip netns add failed"
ns_made=1
ip -n "$NS" link set lo up &&
	ip -n "$NS" tuntap add dev "$TAP0" mode tap &&
	ip -n "$NS" tuntap add dev "$TAP1" mode tap &&
	ip -n "$NS" addr add 198.18.1.1/24 dev "$TAP0" &&
	ip -n "$NS" addr add 198.18.2.1/24 dev "$TAP1" &&
	ip -n "$NS" link set "$TAP0" up &&
	ip -n "$NS" link set "$TAP1" up || setup_fail "tap setup failed"

target_start base || {
	tail -20 "$LAB/target.log"
	setup_fail "the target ($TARGET_KIND) did not start"
}

cat >"$LAB/run.env" <<EOF
SCENARIOS="$scenarios"
SCENARIO_TIMEOUT=$SCENARIO_TIMEOUT
MULTIPATH_RUNS="${PORTICO_VM_MULTIPATH_RUNS:-defaults recommended cable}"
TARGET_KIND=$TARGET_KIND
TARGET_IQN=$TARGET_IQN
INITIATOR_IQN=$INITIATOR_IQN
OTHER_IQN=$OTHER_IQN
INTRUDER_IQN=$INTRUDER_IQN
NODE2_IQN=$NODE2_IQN
CHAP_USER=$CHAP_USER
CHAP_SECRET=$CHAP_SECRET
PORTAL0=$PORTAL0
PORTAL1=$PORTAL1
GUEST_IP0=198.18.1.2/24
GUEST_IP1=198.18.2.2/24
LUNS="$(target_luns base)"
LUNS_CHANGED="$(target_luns changed)"
EXTRA_REPORTED="$(target_extra_reported)"
EOF
vm_build_initrd "$BUILD/vm" "$BUILD/bin" "$LAB/run.env" "$BUILD/tests/vm" || setup_fail "initrd build failed"

# --- QEMU ----------------------------------------------------------------------
# KVM when it really runs a guest (it may open and then fail at the first
# instruction): a kernel without an initramfs panics at once and, with
# -no-reboot, QEMU exits 0.
accel=${PORTICO_VM_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	if [ -w /dev/kvm ] && timeout 20 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nodefaults \
		-display none -no-reboot -serial none -kernel "$BUILD/vm/vmlinuz" \
		-append "panic=-1" >/dev/null 2>&1; then
		accel=kvm
	fi
fi
case "$accel" in
kvm) accel_args="-accel kvm -cpu host" ;;
*) accel_args="-accel tcg,thread=multi -cpu max" ;;
esac

mkfifo "$LAB/ctl.in" "$LAB/ctl.out" || setup_fail "mkfifo failed"
: >"$LAB/ctl.log"
: >"$LAB/results.txt"
cat "$LAB/ctl.out" >>"$LAB/ctl.log" &
reader_pid=$!
exec 4<>"$LAB/ctl.in"

t_boot0=$(date +%s)
# shellcheck disable=SC2086
ip netns exec "$NS" qemu-system-x86_64 $accel_args -machine q35 -smp "$SMP" -m 1024 \
	-nodefaults -no-user-config -display none -no-reboot \
	-kernel "$BUILD/vm/vmlinuz" -initrd "$BUILD/vm/initrd" \
	-append "console=ttyS0 panic=-1 net.ifnames=0 loglevel=6" \
	-chardev file,id=con,path="$LAB/console.log" -serial chardev:con \
	-device virtio-serial-pci,id=vser0 \
	-chardev pipe,id=ctl,path="$LAB/ctl" -device virtserialport,bus=vser0.0,chardev=ctl,name=portico.ctl \
	-netdev tap,id=n0,ifname="$TAP0",script=no,downscript=no \
	-device virtio-net-pci,netdev=n0,id=nic0,mac=52:54:00:5e:00:01,romfile= \
	-netdev tap,id=n1,ifname="$TAP1",script=no,downscript=no \
	-device virtio-net-pci,netdev=n1,id=nic1,mac=52:54:00:5e:00:02,romfile= \
	-chardev socket,id=mon,path="$LAB/mon.sock",server=on,wait=off -mon chardev=mon,mode=readline \
	>"$LAB/qemu.log" 2>&1 &
qemu_pid=$!

# --- host side of the guest's requests ----------------------------------------
hmp() { printf '%s\n' "$*" | socat -t 2 - "UNIX-CONNECT:$LAB/mon.sock" >/dev/null 2>&1; }

tap_of() {
	case "$1" in
	nic0) echo "$TAP0" ;;
	nic1) echo "$TAP1" ;;
	*) return 1 ;;
	esac
}

# handle SEQ COMMAND ARGS: does what the guest asked, answers "@@ACK SEQ RC DATA".
handle() {
	seq=$1
	shift
	rc=0
	data=""
	echo "host: request $seq: $*"
	case "$1" in
	ping) data=pong ;;
	cut-silent) # beyond the NIC: the host end goes down, the guest keeps carrier
		t=$(tap_of "$2") && ip -n "$NS" link set "$t" down || rc=1 ;;
	restore-silent)
		t=$(tap_of "$2") && ip -n "$NS" link set "$t" up || rc=1 ;;
	cut-link) # a pulled cable: the guest's NIC loses carrier
		tap_of "$2" >/dev/null && hmp "set_link $2 off" || rc=1 ;;
	restore-link)
		tap_of "$2" >/dev/null && hmp "set_link $2 on" || rc=1 ;;
	target-restart) # [variant]
		target_restart "${2:-base}" >>"$LAB/target.log" 2>&1 || rc=1 ;;
	target-live-change) # add|grow|unmap|alua-swap: porticod changed live, through portico
		target_live_change "$2" >"$LAB/live.out" 2>&1 || { rc=1; data=$(tail -1 "$LAB/live.out"); }
		cat "$LAB/live.out" >>"$LAB/target.log" ;;
	gateway) # kill|start|state|takeover a|b: the gateways variant's gateways
		# not in $(...): a subshell would lose the pids and the kill's time
		target_gateway "$2" "$3" >"$LAB/gateway.out" 2>>"$LAB/target.log" || rc=1
		data=$(cat "$LAB/gateway.out") ;;
	blocks) # allocated 512-byte blocks of a backing file
		data=$(stat -c %b "$LAB/store/$2.img" 2>/dev/null) || rc=1 ;;
	*) rc=2 data="unknown request" ;;
	esac
	echo "@@ACK $seq $rc $data" >&4
}

now() { date +%s; }
elapsed() { echo $(($(now) - $1)); }

failed=0
current=""
current_t0=0
reported=""
booted=0
t_boot=""
timing=""
last_progress=$(now)
seen=0
done_seen=0

show_failure_logs() {
	if [ -n "$target_pid" ] && ! alive "$target_pid"; then
		echo "--- the target ($TARGET_KIND, pid $target_pid) is not running any more"
	fi
	echo "--- guest console (last 60 lines)"
	tail -60 "$LAB/console.log" | sed 's/^/  | /'
	echo "--- target log (last 30 lines)"
	tail -30 "$LAB/target.log" | sed 's/^/  | /'
}

finish_scenario() { # $1 PASS|FAIL, $2 name, $3 reason
	t=$(elapsed "$current_t0")
	reported="$reported $2"
	timing="$timing
  $2: $t s"
	if [ "$1" = PASS ]; then
		echo "PASS: vm/$2 ($t s)"
	else
		failed=$((failed + 1))
		echo "FAIL: vm/$2 ($t s): $3"
		show_failure_logs
	fi
	current=""
}

on_line() { # a line from the guest's control port
	[ "$1" = "@@PORTICO" ] || return 0
	shift
	last_progress=$(now)
	case "$1" in
	BOOTED)
		booted=1
		t_boot=$(elapsed "$t_boot0")
		echo "vm: guest booted in $t_boot s ($accel, guest clock $2 s)"
		;;
	START)
		current=$2
		current_t0=$(now)
		echo "vm: scenario $2"
		;;
	PASS) finish_scenario PASS "$2" ;;
	FAIL)
		n=$2
		shift 3 2>/dev/null || shift $#
		if [ "$n" = boot ]; then
			failed=$((failed + 1))
			echo "vm: the guest failed to boot: $*"
			show_failure_logs
		else
			finish_scenario FAIL "$n" "$*"
		fi
		;;
	RESULT)
		shift
		echo "$*" >>"$LAB/results.txt"
		echo "vm: result: $*"
		;;
	HOST)
		shift
		handle "$@" </dev/null
		;;
	DONE) done_seen=1 ;;
	esac
}

while :; do
	total=$(wc -l <"$LAB/ctl.log")
	if [ "$total" -gt "$seen" ]; then
		sed -n "$((seen + 1)),${total}p" "$LAB/ctl.log" >"$LAB/new"
		seen=$total
		set -f # the guest's words are split, never globbed
		while read -r line; do
			# shellcheck disable=SC2086
			on_line $line
		done <"$LAB/new"
		set +f
	fi
	[ $done_seen = 1 ] && break
	if ! alive "$qemu_pid"; then
		echo "vm: QEMU exited before the guest said DONE"
		cat "$LAB/qemu.log"
		break
	fi
	if [ $booted = 0 ] && [ "$(elapsed "$t_boot0")" -gt $BOOT_TIMEOUT ]; then
		echo "vm: the guest did not boot within $BOOT_TIMEOUT s"
		break
	fi
	if [ "$(elapsed "$last_progress")" -gt $((SCENARIO_TIMEOUT + 60)) ]; then
		echo "vm: no word from the guest for $((SCENARIO_TIMEOUT + 60)) s"
		break
	fi
	sleep 0.2
done

# every scenario without a verdict failed
missing=0
for s in $scenarios; do
	case " $reported " in *" $s "*) continue ;; esac
	if [ "$s" = "$current" ]; then
		echo "FAIL: vm/$s (no verdict: the guest stopped during it)"
	else
		echo "FAIL: vm/$s (not run)"
	fi
	failed=$((failed + 1))
	missing=1
done
[ $missing = 1 ] && show_failure_logs

echo "--- vm timing ($accel, $SMP CPUs, target $TARGET_KIND)"
echo "  image: $t_image s"
echo "  boot: ${t_boot:-none} s$timing"
echo "  total: $(elapsed "$t_start") s"
if [ -s "$LAB/results.txt" ]; then
	echo "--- vm results"
	sed 's/^/  /' "$LAB/results.txt"
fi
if [ $powerloss = 1 ]; then
	cleanup # this boot's QEMU, namespace and directory
	PORTICO_VM_LOCKED=1 sh "$VM_DIR/powerloss.sh" || failed=$((failed + 1))
fi
[ $failed -eq 0 ]
