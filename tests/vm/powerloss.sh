#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The VM lab's power-loss scenario (docs/testing.md, "Power loss"): porticod
# runs in the guest, on an ext4 file system on a virtio disk, and the host's
# initiator (build/tests/functional/powerloss) writes numbered, self-checking
# 4 KiB blocks to it; at a random moment the host kills QEMU with SIGKILL
# (the machine's plug), boots the guest again and checks that every write
# porticod acknowledged as stable (FUA, SYNCHRONIZE CACHE, a write-through
# LU's writes) is there, that no block is torn, and that the persistent
# reservation registered with APTPL came back.
#   sh tests/vm/powerloss.sh [ROUNDS]      (default 10; or sh tests/vm/run.sh powerloss)
# Environment as tests/vm/run.sh: BUILD, PORTICO_VM_ACCEL, PORTICO_VM_SMP,
# PORTICO_VM_KEEP; PORTICO_VM_POWERLOSS_ROUNDS (when ROUNDS is not given). Needs root. Takes the lab's machine-wide lock.
#
# The initiator's record (LOG) is a host file: the guest's death cannot
# touch it, and the host does not lose power here, so a line written is
# kept. QEMU opens the disk's host file with cache=none (O_DIRECT): the
# guest sees a volatile write cache (WCE=1), so its kernel has to send
# FLUSH for porticod's fdatasync, and QEMU turns that FLUSH into an
# fdatasync of the host file. What the plug takes is what lives in the
# guest's memory: its page cache, porticod, the virtio queues.
#
# Output: per round a line; then "PASS: vm/powerloss (...)" or
# "FAIL: vm/powerloss (...)".
set -u

VM_DIR=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$VM_DIR/../.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$top/$BUILD" ;; esac
ROUNDS=${1:-${PORTICO_VM_POWERLOSS_ROUNDS:-10}}
case "$ROUNDS" in '' | *[!0-9]*) echo "usage: $0 [ROUNDS]" >&2; exit 2 ;; esac
SMP=${PORTICO_VM_SMP:-2}
BOOT_TIMEOUT=180
PL="$BUILD/tests/functional/powerloss"

. "$VM_DIR/image.sh"

fail() {
	echo "FAIL: vm/powerloss ($*)"
	exit 1
}

[ "$(id -u)" = 0 ] || fail "needs root (network namespace, taps)"
for t in qemu-system-x86_64 ip cpio mkfs.ext4; do
	command -v "$t" >/dev/null 2>&1 || fail "'$t' is missing (sh scripts/install-deps.sh)"
done
[ -x "$BUILD/bin/porticod" ] || fail "$BUILD/bin/porticod is missing (make)"
[ -x "$PL" ] || fail "$PL is missing (make build-tests)"
[ -c /dev/net/tun ] || fail "/dev/net/tun is missing"

# The lab's lock (tests/vm/run.sh), unless run.sh, which holds it, runs us.
if [ "${PORTICO_VM_LOCKED:-0}" != 1 ]; then
	exec 9>/tmp/portico-vm.lock
	if ! flock -n 9; then
		echo "vm: waiting for another VM lab run on this machine (at most 60 min)"
		flock -w 3600 9 || fail "another VM lab run held the lab for an hour"
	fi
fi

alive() {
	[ -r "/proc/$1/stat" ] || return 1
	case "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" in
	Z | X | "") return 1 ;;
	esac
	return 0
}

LAB=$(mktemp -d /tmp/portico-vm.XXXXXX) || exit 1
NS="portico-pl-$$"
TAP0="ppl$$a"
TAP1="ppl$$b"
qemu_pid=""
reader_pid=""
writer_pid=""
ns_made=0
LOGS="$BUILD/vm/logs-powerloss"

stop_pid() { # PID: SIGKILL and reap (our own children only)
	[ -n "$1" ] || return 0
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

cleanup() {
	trap - EXIT INT TERM HUP
	stop_pid "$writer_pid"
	stop_pid "$qemu_pid"
	stop_pid "$reader_pid"
	if [ $ns_made = 1 ]; then
		ip -n "$NS" link del "$TAP0" 2>/dev/null
		ip -n "$NS" link del "$TAP1" 2>/dev/null
		ip netns del "$NS" 2>/dev/null
	fi
	mkdir -p "$LOGS" && rm -f "$LOGS"/* &&
		cp "$LAB"/console.log "$LAB"/ctl.log "$LAB"/writer.log "$LAB"/verify.log "$LAB"/ack.log \
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

mkdir -p "$BUILD/vm" || fail "cannot create $BUILD/vm"
vm_build_base "$BUILD/vm" || fail "guest image build failed"

TARGET_IQN=iqn.2025-01.org.portico.lab:target
INITIATOR_IQN=iqn.2025-01.org.portico.lab:host
GUEST=198.18.1.2
ip netns add "$NS" || fail "ip netns add failed"
ns_made=1
ip -n "$NS" link set lo up &&
	ip -n "$NS" tuntap add dev "$TAP0" mode tap &&
	ip -n "$NS" tuntap add dev "$TAP1" mode tap &&
	ip -n "$NS" addr add 198.18.1.1/24 dev "$TAP0" &&
	ip -n "$NS" addr add 198.18.2.1/24 dev "$TAP1" &&
	ip -n "$NS" link set "$TAP0" up &&
	ip -n "$NS" link set "$TAP1" up || fail "tap setup failed"

cat >"$LAB/run.env" <<EOF
LAB_MODE=powerloss
SCENARIOS=""
SCENARIO_TIMEOUT=60
TARGET_IQN=$TARGET_IQN
INITIATOR_IQN=$INITIATOR_IQN
GUEST_IP0=$GUEST/24
GUEST_IP1=198.18.2.2/24
EOF
# porticod comes with its libraries; the lab's guest test programs are not needed
vm_build_initrd "$BUILD/vm" "$BUILD/bin" "$LAB/run.env" "" || fail "initrd build failed"

# The disk: an ext4 file system made here once, on a file of the host's disk
# (cache=none needs O_DIRECT, which tmpfs lacks: checked by QEMU at open).
truncate -s 64M "$LAB/disk.img" && mkfs.ext4 -q -F "$LAB/disk.img" || fail "cannot make the disk"

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

mkfifo "$LAB/ctl.in" "$LAB/ctl.out" || fail "mkfifo failed"
exec 4<>"$LAB/ctl.in"
: >"$LAB/console.log"
: >"$LAB/ctl.log"

boot() {
	: >"$LAB/ctl.now"
	cat "$LAB/ctl.out" >>"$LAB/ctl.now" &
	reader_pid=$!
	# shellcheck disable=SC2086
	ip netns exec "$NS" qemu-system-x86_64 $accel_args -machine q35 -smp "$SMP" -m 1024 \
		-nodefaults -no-user-config -display none -no-reboot \
		-kernel "$BUILD/vm/vmlinuz" -initrd "$BUILD/vm/initrd" \
		-append "console=ttyS0 panic=-1 net.ifnames=0 loglevel=6" \
		-chardev file,id=con,path="$LAB/console.now" -serial chardev:con \
		-device virtio-serial-pci,id=vser0 \
		-chardev pipe,id=ctl,path="$LAB/ctl" -device virtserialport,bus=vser0.0,chardev=ctl,name=portico.ctl \
		-netdev tap,id=n0,ifname="$TAP0",script=no,downscript=no \
		-device virtio-net-pci,netdev=n0,id=nic0,mac=52:54:00:5e:00:01,romfile= \
		-netdev tap,id=n1,ifname="$TAP1",script=no,downscript=no \
		-device virtio-net-pci,netdev=n1,id=nic1,mac=52:54:00:5e:00:02,romfile= \
		-drive file="$LAB/disk.img",format=raw,if=none,id=d0,cache=none,aio=threads \
		-device virtio-blk-pci,drive=d0 \
		>"$LAB/qemu.log" 2>&1 &
	qemu_pid=$!
}

# Waits for READY, answering the guest's requests (/init's ping). 0 when ready.
wait_ready() {
	seen=0
	t0=$(date +%s)
	while [ $(($(date +%s) - t0)) -lt $BOOT_TIMEOUT ]; do
		total=$(wc -l <"$LAB/ctl.now")
		if [ "$total" -gt "$seen" ]; then
			sed -n "$((seen + 1)),${total}p" "$LAB/ctl.now" >"$LAB/new"
			seen=$total
			set -f
			while read -r line; do
				# shellcheck disable=SC2086
				set -- $line
				[ "${1:-}" = "@@PORTICO" ] || continue
				case "${2:-}" in
				READY) set +f; return 0 ;;
				HOST) echo "@@ACK $3 0 pong" >&4 ;;
				FAIL) set +f; echo "vm: guest: $*"; return 1 ;;
				esac
			done <"$LAB/new"
			set +f
		fi
		alive "$qemu_pid" || { echo "vm: QEMU exited"; cat "$LAB/qemu.log"; return 1; }
		sleep 0.2
	done
	echo "vm: the guest was not ready within $BOOT_TIMEOUT s"
	return 1
}

# The plug: SIGKILL to QEMU, then the writer, whose connection went with it.
pull_plug() {
	stop_pid "$qemu_pid"
	qemu_pid=""
	stop_pid "$writer_pid"
	writer_pid=""
	stop_pid "$reader_pid"
	reader_pid=""
	cat "$LAB/console.now" >>"$LAB/console.log"
	cat "$LAB/ctl.now" >>"$LAB/ctl.log"
}

show_logs() {
	echo "--- guest console (last 40 lines)"
	tail -40 "$LAB/console.now" | sed 's/^/  | /'
	echo "--- verify (last 20 lines)"
	tail -20 "$LAB/verify.log" 2>/dev/null | sed 's/^/  | /'
}

urand() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }

URL="iscsi://$GUEST:3260/$TARGET_IQN"
verify() { ip netns exec "$NS" "$PL" -i "$INITIATOR_IQN" verify "$URL/0" "$URL/1" "$URL/2" "$LAB/ack.log"; }

t_start=$(date +%s)
boots=""
r=0
while :; do
	t0=$(date +%s)
	boot
	wait_ready || { show_logs; fail "round $r: the guest did not come up"; }
	boots="$boots $(($(date +%s) - t0))"
	if [ $r -gt 0 ]; then
		echo "=== after round $r" >>"$LAB/verify.log"
		verify >"$LAB/verify.now" 2>&1
		rc=$?
		cat "$LAB/verify.now" >>"$LAB/verify.log"
		echo "round $r: $(tail -1 "$LAB/verify.now")"
		grep -E '^pr:' "$LAB/verify.now" | sed 's/^/  /'
		[ $rc -eq 0 ] || { show_logs; fail "round $r: $(grep -c -E '^(LOST|TORN)' "$LAB/verify.now") blocks lost or torn, or the reservation is gone; see above"; }
	fi
	[ $r -lt "$ROUNDS" ] || break
	r=$((r + 1))
	echo "=== round $r" >>"$LAB/writer.log"
	# directly, not through run(): the pid must be the writer's own
	ip netns exec "$NS" "$PL" -i "$INITIATOR_IQN" write "$URL/0" "$URL/1" "$URL/2" "$LAB/ack.log" \
		>>"$LAB/writer.log" 2>&1 &
	writer_pid=$!
	# the plug goes at a random moment 2 to 10 s into the writing
	ms=$((2000 + $(urand) % 8000))
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	alive "$writer_pid" || { tail -5 "$LAB/writer.log"; show_logs; fail "round $r: the writer stopped before the plug"; }
	pull_plug
	echo "round $r: plug pulled ${ms} ms into the writing, $(grep -c '^I ' "$LAB/ack.log") writes issued so far"
done
pull_plug
echo "--- vm powerloss ($accel, $SMP CPUs): $ROUNDS rounds in $(($(date +%s) - t_start)) s; boots (s):$boots"
echo "PASS: vm/powerloss ($ROUNDS rounds; $(tail -1 "$LAB/verify.now" | sed 's/^powerloss: //'))"
exit 0
