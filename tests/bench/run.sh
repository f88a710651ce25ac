#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench: porticod against Debian's tgtd, side by side in one run, on
# loopback.
#
#   sh tests/bench/run.sh BUILD        (BUILD: the build directory, e.g. build)
#
# Both targets run at once, each with two LUs: the same 1 GiB file on tmpfs
# (/dev/shm, filled with zeroes first so that no read hits a hole) and a
# null store (porticod's "null" backstore, tgt's --bstype null). One client,
# tests/bench/iscsi-bench.c (libiscsi async API, one session), runs each
# workload against porticod, then tgt, then porticod, then tgt (A B A B) so
# that drift cancels:
#   4K random read QD32, 4K random write QD32, 1 MiB sequential read QD8,
#   1 MiB sequential write QD8, and on the null store 4K random read QD256
#   (more commands than the CmdSN window of 128) and 4K random reads in
#   batches of 128 (sent together; the next batch when all are back)
# and reports IOPS, MB/s, p50/p99 latency and the target's CPU time per I/O
# (utime+stime of the whole target process over the measured window). iperf3
# measures loopback TCP bandwidth before and after. Prints the tables and
# writes them into docs/performance.md (its own section, between markers;
# the rest of the file is left as it is). A benchmark, not a test: it fails
# only when something breaks (a target that does not start, dies, or fails
# a command), never on a figure.
#
# Environment: BENCH_SECS (per run, default 10), BENCH_RAMP (default 1),
# BENCH_ROUNDS (A B pairs per workload, default 2), BENCH_DOC (file to
# update, default docs/performance.md; empty: none), BENCH_TGT_PARAMS
# (login parameters for tgt instead of its defaults, "Name=value,...").
set -u

build=${1:-${BUILD:-build}}
secs=${BENCH_SECS:-10}
ramp=${BENCH_RAMP:-1}
rounds=${BENCH_ROUNDS:-2}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
case "$build" in /*) ;; *) build="$top/$build" ;; esac
doc=${BENCH_DOC-$top/docs/performance.md}
. "$top/tests/conformance/targets.sh"

iqn="iqn.2026-01.org.portico.test:bench"
initiator="iqn.2026-01.org.portico.test:bench-client"
client="$build/tests/bench/iscsi-bench"

tmp=""
client_pid=""
iperf_pid=""
PORTICOD_PID=""
TGTD_PID=""
cleanup() {
	[ -n "$client_pid" ] && stop_pid "$client_pid" 2
	[ -n "$iperf_pid" ] && stop_pid "$iperf_pid" 2
	porticod_stop
	tgtd_stop
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

die() {
	echo "bench: $*" >&2
	exit 1
}

for v in "$secs" "$ramp" "$rounds"; do
	case "$v" in
	'' | *[!0-9]*) die "BENCH_SECS, BENCH_RAMP and BENCH_ROUNDS are whole numbers (seconds, rounds)" ;;
	esac
done
[ "$secs" -ge 1 ] && [ "$secs" -le 600 ] && [ "$rounds" -ge 1 ] && [ "$rounds" -le 20 ] ||
	die "BENCH_SECS must be 1-600 and BENCH_ROUNDS 1-20"
for c in tgtd tgtadm iperf3 cc; do
	command -v "$c" >/dev/null || die "$c is missing (make deps)"
done
[ -x "$build/bin/porticod" ] || die "$build/bin/porticod is missing (make)"

mkdir -p "$build/tests/bench" || die "cannot create $build/tests/bench"
cc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wimplicit-fallthrough \
	-D_GNU_SOURCE -o "$client" "$here/iscsi-bench.c" -liscsi || die "cannot build $client"

avail=$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')
[ "${avail:-0}" -gt $((1200 * 1024)) ] || die "/dev/shm has less than 1.2 GiB free"
tmp=$(mktemp -d /dev/shm/portico-bench.XXXXXX) || die "mktemp failed"
dd if=/dev/zero of="$tmp/lun.img" bs=1M count=1024 status=none || die "cannot fill $tmp/lun.img"

p_portico=$(free_port) || die "no free port"
p_tgt=$(free_port "$p_portico") || die "no free port"
p_iperf=$(free_port "$p_portico" "$p_tgt") || die "no free port"

# porticod: LUN 0 the file, LUN 1 the null store; defaults otherwise
# (io_threads 0: one per CPU; write_back).
cat >"$tmp/porticod.conf" <<CONF
# tests/bench/run.sh
control_socket = "$tmp/porticod.sock";
backstores = (
  { name = "benchfile"; type = "file"; path = "$tmp/lun.img"; },
  { name = "benchnull"; type = "null"; size = "1G"; }
);
targets = (
  { iqn = "$iqn";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$p_portico" ];
        luns = ( { lun = 0; backstore = "benchfile"; }, { lun = 1; backstore = "benchnull"; } );
        acls = ( { initiator = "$initiator"; } );
      } );
  } );
CONF
porticod_start "$build" "$tmp/porticod.conf" "$tmp/porticod.log"
wait_listen "$PORTICOD_PID" 10 "$p_portico" || {
	tail -20 "$tmp/porticod.log"
	die "porticod did not start"
}

# tgtd: LUN 1 the file (rdwr: pread/pwrite in its I/O threads), LUN 2 the
# null store; defaults otherwise.
tgtd_start "$tmp/tgtd.log" "$p_tgt" || {
	tail -20 "$tmp/tgtd.log"
	die "tgtd did not start"
}
{ tgtd_target 1 "$iqn" && tgtd_lun 1 1 "$tmp/lun.img" rdwr && tgtd_lun 1 2 benchnull null; } \
	>>"$tmp/tgtd.log" 2>&1 || die "tgtadm could not set up the target"
# BENCH_TGT_PARAMS="Name=value,...": login parameters for tgt other than its
# defaults (e.g. the values porticod offers by default:
# MaxRecvDataSegmentLength=262144,MaxBurstLength=1048576).
for kv in $(echo "${BENCH_TGT_PARAMS:-}" | tr ',' ' '); do
	tgtadm_ -C "$TGTD_CTL" --lld iscsi --mode target --op update --tid 1 \
		--name "${kv%%=*}" --value "${kv#*=}" >>"$tmp/tgtd.log" 2>&1 ||
		die "tgtadm refused the parameter '$kv'"
done
tgt_params=$(tgtadm_ -C "$TGTD_CTL" --lld iscsi --mode target --op show --tid 1 2>/dev/null |
	grep -E '^(MaxRecvDataSegmentLength|MaxBurstLength|FirstBurstLength|MaxOutstandingR2T|InitialR2T|ImmediateData)=' |
	tr '\n' ' ' | sed 's/ $//')

url_porticod_file="iscsi://127.0.0.1:$p_portico/$iqn/0"
url_porticod_null="iscsi://127.0.0.1:$p_portico/$iqn/1"
url_tgt_file="iscsi://127.0.0.1:$p_tgt/$iqn/1"
url_tgt_null="iscsi://127.0.0.1:$p_tgt/$iqn/2"

# iperf3_run LABEL: one 5 s single-stream run on 127.0.0.1; appends
# "iperf LABEL MBps" to the results.
iperf3_run() {
	timeout -k 2 30 iperf3 -s -B 127.0.0.1 -p "$p_iperf" -1 >"$tmp/iperf-server.log" 2>&1 &
	iperf_pid=$!
	wait_listen "$iperf_pid" 5 "$p_iperf" || {
		echo "iperf-fail $1 the iperf3 server did not start" >>"$tmp/results"
		stop_pid "$iperf_pid" 2
		iperf_pid=""
		return
	}
	timeout -k 2 30 iperf3 -c 127.0.0.1 -p "$p_iperf" -t 5 -f m >"$tmp/iperf.log" 2>&1
	mbit=$(awk '/receiver$/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") v = $i } END { print v }' "$tmp/iperf.log")
	if [ -n "$mbit" ]; then
		echo "iperf $1 $(awk -v m="$mbit" 'BEGIN { printf "%.0f", m / 8 }')" >>"$tmp/results"
	else
		echo "iperf-fail $1 $(tail -1 "$tmp/iperf.log")" >>"$tmp/results"
	fi
	stop_pid "$iperf_pid" 2
	iperf_pid=""
}

# one_run STORE WORKLOAD BS QD TARGET ROUND [batch]
one_run() {
	eval "url=\$url_$5_$1"
	if [ "$5" = porticod ]; then pid=$PORTICOD_PID; else pid=$TGTD_PID; fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "fail store=$1 wl=$2${7:+-$7} qd=$4 target=$5 round=$6 the target is not running" >>"$tmp/results"
		return
	fi
	batch=""
	[ "${7:-}" = batch ] && batch=-B
	# shellcheck disable=SC2086 # $batch is empty or one word
	timeout -k 5 $((secs + ramp + 40)) "$client" -u "$url" -w "$2" -b "$3" -q "$4" -t "$secs" \
		-r "$ramp" -p "$pid" -i "$initiator" $batch >"$tmp/client.out" 2>"$tmp/client.err" &
	client_pid=$!
	wait "$client_pid"
	rc=$?
	client_pid=""
	line=$(sed -n 's/^result //p' "$tmp/client.out")
	if [ "$rc" -eq 0 ] && [ -n "$line" ]; then
		echo "run store=$1 target=$5 round=$6 $line" >>"$tmp/results"
		echo "$line" | awk -v t="$5" -v s="$1" -v w="$2${7:+-$7}" -v r="$6" '{
			for (i = 1; i <= NF; i++) { j = index($i, "="); f[substr($i, 1, j - 1)] = substr($i, j + 1) }
			other = f["machine_busy_us"] - f["target_cpu_us"] - f["client_cpu_us"]
			printf "  %-8s %-4s %-9s round %s: %s IOPS, %s MB/s, p50 %s us, p99 %s us, %s target CPU us/IO, other load %.0f%%\n",
				t, s, w, r, f["iops"], f["mbps"], f["lat_p50_us"], f["lat_p99_us"], f["cpu_us_per_io"],
				(other > 0 ? 100 * other / (f["ncpu"] * f["secs"] * 1e6) : 0)
		}'
	else
		why=$(tr '\n' ' ' <"$tmp/client.err" | cut -c1-300)
		[ "$rc" -eq 124 ] && why="timed out; $why"
		kill -0 "$pid" 2>/dev/null || why="the target process exited; $why"
		echo "fail store=$1 wl=$2${7:+-$7} qd=$4 target=$5 round=$6 exit $rc: $why" >>"$tmp/results"
		echo "  $5 $1 $2${7:+-$7} QD$4 round $6: FAILED (exit $rc): $why"
	fi
}

: >"$tmp/results"
date_start=$(date -u '+%Y-%m-%d %H:%M UTC')
t_start=$(date +%s)
echo "bench: porticod on 127.0.0.1:$p_portico (pid $PORTICOD_PID), tgtd on 127.0.0.1:$p_tgt (pid $TGTD_PID)"
echo "bench: rounds: $rounds; each run ${ramp} s ramp + ${secs} s measured"
iperf3_run before
for store in file null; do
	deep=""
	# on the null store: a deep queue, beyond the CmdSN window (128 commands
	# by default), and batches of 128 commands sent together
	[ "$store" = null ] && deep="randread:4096:256 randread:4096:128:batch"
	for w in randread:4096:32 randwrite:4096:32 seqread:1048576:8 seqwrite:1048576:8 $deep; do
		w=$(echo "$w" | tr ':' ' ')
		# shellcheck disable=SC2086 # three or four words
		set -- $w
		r=1
		while [ "$r" -le "$rounds" ]; do
			one_run "$store" "$1" "$2" "$3" porticod "$r" "${4:-}"
			one_run "$store" "$1" "$2" "$3" tgt "$r" "${4:-}"
			r=$((r + 1))
		done
	done
done
iperf3_run after
t_end=$(date +%s)

porticod_alive=yes
kill -0 "$PORTICOD_PID" 2>/dev/null || porticod_alive=no
tgt_alive=yes
kill -0 "$TGTD_PID" 2>/dev/null || tgt_alive=no
porticod_stop
tgtd_stop
porticod_warn=$(grep -cE ' (err|warn) ' "$tmp/porticod.log")

# The tables, from the results.
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
porticod_ver=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
tgt_ver=$(dpkg-query -W -f='${Version}' tgt 2>/dev/null)
libiscsi_ver=$(dpkg-query -W -f='${Version}' libiscsi7 2>/dev/null)
iperf_ver=$(dpkg-query -W -f='${Version}' iperf3 2>/dev/null)

awk -v rounds="$rounds" -v secs="$secs" -v ramp="$ramp" -v date="$date_start" \
	-v elapsed="$((t_end - t_start))" -v ncpu="$(nproc)" -v cpu="$cpu_model" -v mem="$mem" \
	-v kernel="$(uname -r)" -v pver="$porticod_ver" -v tver="$tgt_ver" -v lver="$libiscsi_ver" \
	-v iver="$iperf_ver" -v palive="$porticod_alive" -v talive="$tgt_alive" \
	-v pwarn="$porticod_warn" -v tparams="$tgt_params" -v tparams_set="${BENCH_TGT_PARAMS:-}" -f "$here/report.awk" "$tmp/results" >"$tmp/report.md" ||
	die "cannot build the report"

echo
cat "$tmp/report.md"

if [ -n "$doc" ]; then
	begin='<!-- tests/bench/run.sh: begin -->'
	end='<!-- tests/bench/run.sh: end -->'
	{
		echo "$begin"
		cat "$tmp/report.md"
		echo "$end"
	} >"$tmp/section.md"
	if [ ! -f "$doc" ]; then
		{
			echo "<!-- SPDX-License-Identifier: GPL-2.0-or-later -->"
			echo "# Performance"
			echo
			cat "$tmp/section.md"
		} >"$tmp/doc.md"
	elif grep -qF "$begin" "$doc"; then
		awk -v b="$begin" -v e="$end" -v f="$tmp/section.md" '
			$0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
			$0 == e { skip = 0; next }
			!skip { print }' "$doc" >"$tmp/doc.md"
	else
		{
			cat "$doc"
			echo
			cat "$tmp/section.md"
		} >"$tmp/doc.md"
	fi
	cat "$tmp/doc.md" >"$doc" && echo "bench: written to $doc"
fi

failed=$(grep -c '^fail' "$tmp/results")
if [ "$failed" -gt 0 ] || [ "$porticod_alive" = no ] || [ "$tgt_alive" = no ]; then
	echo "bench: $failed runs failed; porticod running at the end: $porticod_alive, tgtd: $tgt_alive"
	if [ "$porticod_alive" = no ] || [ "$porticod_warn" -gt 0 ]; then
		echo "bench: porticod's log (errors and warnings, last 20):"
		grep -E ' (err|warn) ' "$tmp/porticod.log" | tail -20
		[ "$porticod_alive" = no ] && tail -20 "$tmp/porticod.log"
	fi
	exit 1
fi
exit 0
