#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ab: two builds of porticod side by side in one run, to measure what a
# change costs on plain I/O.
#
#   sh tests/bench/ab.sh BUILD_A BUILD_B
#
# Both run at once on loopback, each with its own 1 GiB file on tmpfs
# (/dev/shm, filled with zeroes) and a null store. tests/bench/iscsi-bench.c
# (one session) runs each workload against A, then B, then A, then B ...
# (BENCH_ROUNDS pairs, default 3) so that drift and the load of others on
# the machine fall on both alike:
#   file randwrite 4K QD32, file randread 4K QD32, null randwrite 4K QD32
# and prints each run's IOPS, then per workload the mean IOPS of A and B
# and B/A. A benchmark, not a test: it fails only when something breaks.
#
# Environment: BENCH_SECS (per run, default 8), BENCH_RAMP (default 1),
# BENCH_ROUNDS (default 3).
set -u

[ $# -eq 2 ] || { echo "usage: sh tests/bench/ab.sh BUILD_A BUILD_B" >&2; exit 2; }
secs=${BENCH_SECS:-8}
ramp=${BENCH_RAMP:-1}
rounds=${BENCH_ROUNDS:-3}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/conformance/targets.sh"
abs() { case "$1" in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
build_a=$(abs "$1")
build_b=$(abs "$2")

iqn="iqn.2026-01.org.portico.test:ab"
initiator="iqn.2026-01.org.portico.test:ab-client"

tmp=""
pid_a=""
pid_b=""
cleanup() {
	[ -n "$pid_a" ] && stop_pid "$pid_a" 8
	[ -n "$pid_b" ] && stop_pid "$pid_b" 8
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE
die() {
	echo "ab: $*" >&2
	exit 1
}

for b in "$build_a" "$build_b"; do
	[ -x "$b/bin/porticod" ] || die "no $b/bin/porticod (make BUILD=... first)"
done
avail=$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')
[ "${avail:-0}" -gt $((2300 * 1024)) ] || die "/dev/shm has less than 2.3 GiB free"
tmp=$(mktemp -d /dev/shm/portico-ab.XXXXXX) || die "mktemp failed"
client="$tmp/iscsi-bench"
cc -std=gnu11 -O2 -g -D_GNU_SOURCE -o "$client" "$here/iscsi-bench.c" -liscsi ||
	die "cannot build the client"

start() { # NAME BUILD PORT
	dd if=/dev/zero of="$tmp/$1.img" bs=1M count=1024 status=none || die "cannot fill $1.img"
	cat >"$tmp/$1.conf" <<CONF
control_socket = "$tmp/$1.sock";
backstores = (
  { name = "file"; type = "file"; path = "$tmp/$1.img"; },
  { name = "null"; type = "null"; size = "1G"; }
);
targets = (
  { iqn = "$iqn";
    tpgs = ( { tag = 1; portals = [ "127.0.0.1:$3" ];
               luns = ( { lun = 0; backstore = "file"; }, { lun = 1; backstore = "null"; } );
               acls = ( { initiator = "$initiator"; } ); } );
  } );
CONF
	porticod_start "$2" "$tmp/$1.conf" "$tmp/$1.log"
	wait_listen "$PORTICOD_PID" 10 "$3" || die "porticod $1 did not start: $(tail -3 "$tmp/$1.log")"
}
port_a=$(free_port) || die "no free port"
port_b=$(free_port "$port_a") || die "no free port"
start a "$build_a" "$port_a"
pid_a=$PORTICOD_PID
start b "$build_b" "$port_b"
pid_b=$PORTICOD_PID
echo "ab: A $build_a, B $build_b; $secs s per run, $rounds rounds," \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"

: >"$tmp/results"
run() { # WHICH LUN WORKLOAD
	eval "port=\$port_$1 pid=\$pid_$1"
	out=$(timeout -k 5 $((secs + ramp + 40)) "$client" -u "iscsi://127.0.0.1:$port/$iqn/$2" \
		-w "$3" -b 4096 -q 32 -t "$secs" -r "$ramp" -p "$pid" -i "$initiator") ||
		die "$1 lun $2 $3 failed"
	iops=$(echo "$out" | sed -n 's/^result .* iops=\([0-9.]*\) .*/\1/p')
	cpu=$(echo "$out" | sed -n 's/^result .* cpu_us_per_io=\([0-9.]*\) .*/\1/p')
	echo "  $1 lun $2 $3: $iops IOPS, $cpu target CPU us/IO"
	echo "$2-$3 $1 $iops $cpu" >>"$tmp/results"
}
for wl in "0 randwrite" "0 randread" "1 randwrite"; do
	i=0
	while [ "$i" -lt "$rounds" ]; do
		# shellcheck disable=SC2086 # two words: LUN WORKLOAD
		run a $wl
		# shellcheck disable=SC2086
		run b $wl
		i=$((i + 1))
	done
done
awk '{ n[$1 " " $2]++; s[$1 " " $2] += $3; c[$1 " " $2] += $4; k[$1] = 1 }
END {
	for (w in k) {
		a = s[w " a"] / n[w " a"]; b = s[w " b"] / n[w " b"]
		printf "ab: %-14s A %8.0f IOPS (%.1f us CPU/IO)  B %8.0f IOPS (%.1f us CPU/IO)  B/A %.3f\n",
			w, a, c[w " a"] / n[w " a"], b, c[w " b"] / n[w " b"], b / a
	}
}' "$tmp/results" | sort
