#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench-rbd: one RBD image served three ways on one one-node Ceph
# cluster, in one run, on loopback:
#   fio-rbd   fio's rbd engine: librbd in the client itself, no iSCSI (the
#             ceiling any gateway can reach on this cluster);
#   porticod  porticod's rbd backstore, through tests/bench/iscsi-bench;
#   tgt       Debian's tgtd with its rbd backstore (tgt-rbd, --bstype rbd),
#             through the same client.
# Then the failover time of a killed owner: two porticod gateways of one
# gateway group serving a second image, kill -9 of the owner, time from the
# kill to the other's "serving as owner (active/optimized)" (as
# tests/ceph/owner.sh times it), BENCH_FAILOVERS times, the two gateways
# taking turns; with the test groups' 6 s lease, then the default 15 s.
#
#   sh tests/bench/rbd.sh BUILD        (BUILD: the build directory, e.g. build)
#
# The cluster is tests/ceph/cluster.sh's (one monitor, manager and OSD on a
# sparse file, 127.0.0.1 only, removed at exit; it waits for the machine's
# cluster lock). The image: 1 GiB, layering only (no exclusive-lock: three
# clients open it, and porticod's gateway groups require it off), written
# through once before the runs so that no read finds an object missing. Every
# client runs with librbd's cache off (`rbd cache = false`), as porticod
# always does. Each workload runs fio-rbd, porticod, tgt, then again
# (BENCH_ROUNDS rounds), so that drift cancels:
#   4K random read and write at QD1 and QD32, 1 MiB sequential read and
#   write at QD8
# and reports IOPS, MB/s, p50/p99 latency (submission to completion), the
# CPU time per I/O of the process that runs librbd (the target, or fio
# itself), and for the iSCSI rows the CPU every other process used (the
# cluster's daemons, mostly) per I/O. Prints the tables and writes them into
# docs/performance.md (its own section, between markers). A benchmark, not a
# test: it fails only when something breaks, never on a figure.
#
# Environment: BENCH_SECS (per run, default 10), BENCH_RAMP (default 1),
# BENCH_ROUNDS (default 2), BENCH_FAILOVERS (kills per lease, default 3),
# BENCH_LEASE_MS (the failover's gateway leases, default "6000 15000"),
# BENCH_DOC (file to update, default docs/performance.md; empty: none).
set -u

build=${1:-${BUILD:-build}}
secs=${BENCH_SECS:-10}
ramp=${BENCH_RAMP:-1}
rounds=${BENCH_ROUNDS:-2}
failovers=${BENCH_FAILOVERS:-3}
leases=${BENCH_LEASE_MS:-6000 15000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
case "$build" in /*) ;; *) build="$top/$build" ;; esac
doc=${BENCH_DOC-$top/docs/performance.md}

die() {
	echo "bench-rbd: $*" >&2
	exit 1
}

for v in "$secs" "$ramp" "$rounds" "$failovers" $leases; do
	case "$v" in
	'' | *[!0-9]*) die "BENCH_SECS, BENCH_RAMP, BENCH_ROUNDS, BENCH_FAILOVERS and BENCH_LEASE_MS are whole numbers" ;;
	esac
done
if [ "$secs" -lt 1 ] || [ "$secs" -gt 600 ] || [ "$rounds" -lt 1 ] || [ "$rounds" -gt 20 ] ||
	[ "$failovers" -gt 20 ]; then
	die "BENCH_SECS must be 1-600, BENCH_ROUNDS 1-20, BENCH_FAILOVERS 0-20"
fi
for v in $leases; do
	[ "$v" -ge 1000 ] && [ "$v" -le 60000 ] || die "each of BENCH_LEASE_MS must be 1000-60000"
done

# the cluster's packages, and tgt's rbd backstore (scripts/deps/optional/*.list)
sh "$top/scripts/install-deps.sh" --group ceph >/dev/null || die "cannot install the ceph group"
sh "$top/scripts/install-deps.sh" --group bench-rbd >/dev/null || die "cannot install the bench-rbd group"
for c in tgtd tgtadm fio jq cc; do
	command -v "$c" >/dev/null || die "$c is missing (make deps)"
done
[ -f /usr/lib/tgt/backing-store/bs_rbd.so ] || die "tgt's rbd backstore is missing (tgt-rbd)"
fio --enghelp=rbd >/dev/null 2>&1 || die "this fio has no rbd engine"
[ -x "$build/bin/porticod" ] || die "$build/bin/porticod is missing (make)"

. "$top/tests/conformance/targets.sh"
. "$top/tests/ceph/cluster.sh"

iqn="iqn.2026-01.org.portico.test:bench-rbd"
initiator="iqn.2026-01.org.portico.test:bench-client"
client="$build/tests/bench/iscsi-bench"
image=bench0
size_mib=1024

tmp=""
client_pid=""
PORTICOD_PID=""
TGTD_PID=""
GW_A_PID=""
GW_B_PID=""
cleanup() {
	[ -n "$client_pid" ] && stop_pid "$client_pid" 2
	porticod_stop
	tgtd_stop
	stop_pid "$GW_A_PID" 8
	stop_pid "$GW_B_PID" 8
	ceph_down
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

mkdir -p "$build/tests/bench" || die "cannot create $build/tests/bench"
cc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wimplicit-fallthrough \
	-D_GNU_SOURCE -o "$client" "$here/iscsi-bench.c" -liscsi || die "cannot build $client"

tmp=$(mktemp -d /tmp/portico-bench-rbd.XXXXXX) || die "mktemp failed"
t_start=$(date +%s)
date_start=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
c0=$(date +%s)
mkdir "$tmp/ceph" || die "cannot create $tmp/ceph"
ceph_up "$tmp/ceph" 2>"$tmp/ceph-up.err" || {
	cat "$tmp/ceph-up.err" >&2
	die "the one-node cluster did not start"
}
cluster_secs=$(($(date +%s) - c0))
echo "bench-rbd: the cluster started in $cluster_secs s"

# every client of the bench: the cluster's configuration with librbd's cache
# off ([client] is its last section), as porticod sets it for itself
conf="$tmp/bench-ceph.conf"
{
	cat "$CEPH_CONF"
	echo "rbd cache = false"
} >"$conf"

rbd_c create --size "${size_mib}M" --image-feature layering "rbd/$image" >/dev/null 2>&1 ||
	die "rbd create failed"
# written through once: a read of an object that was never written costs the
# OSD almost nothing (it has nothing to read), which no production image sees
f0=$(date +%s)
CEPH_CONF=$conf timeout 600 fio --name=fill --ioengine=rbd --clientname=admin --pool=rbd \
	--rbdname="$image" --rw=write --bs=4M --iodepth=8 --size="${size_mib}M" \
	--output-format=json >"$tmp/fill.json" 2>"$tmp/fill.err" ||
	die "filling the image failed: $(tail -n 2 "$tmp/fill.err")"
fill_secs=$(($(date +%s) - f0))
fill_mbps=$(jq -r '.jobs[0].write.bw_bytes / 1e6 | floor' "$tmp/fill.json" 2>/dev/null)
echo "bench-rbd: the image written through in $fill_secs s"

p_portico=$(free_port) || die "no free port"
p_tgt=$(free_port "$p_portico") || die "no free port"

# porticod: LUN 0 the image; its defaults otherwise (one I/O thread per CPU)
cat >"$tmp/porticod.conf" <<CONF
# tests/bench/rbd.sh
control_socket = "$tmp/porticod.sock";
backstores = (
  { name = "benchrbd"; type = "rbd"; path = "rbd/$image"; ceph_conf = "$conf"; }
);
targets = (
  { iqn = "$iqn";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$p_portico" ];
        luns = ( { lun = 0; backstore = "benchrbd"; } );
        acls = ( { initiator = "$initiator"; } );
      } );
  } );
CONF
porticod_start "$build" "$tmp/porticod.conf" "$tmp/porticod.log"
wait_listen "$PORTICOD_PID" 40 "$p_portico" || {
	tail -20 "$tmp/porticod.log"
	die "porticod did not start"
}

# tgtd: LUN 1 the same image through bs_rbd (synchronous librbd calls in its
# I/O threads), the same client configuration; defaults otherwise
tgtd_start "$tmp/tgtd.log" "$p_tgt" || {
	tail -20 "$tmp/tgtd.log"
	die "tgtd did not start"
}
{
	tgtd_target 1 "$iqn" &&
		tgtadm_ -C "$TGTD_CTL" --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 \
			--backing-store "rbd/$image" --bstype rbd --bsopts "conf=$conf;id=admin"
} >>"$tmp/tgtd.log" 2>&1 || {
	tail -20 "$tmp/tgtd.log"
	die "tgtadm could not set up the rbd LUN"
}
tgt_params=$(tgtadm_ -C "$TGTD_CTL" --lld iscsi --mode target --op show --tid 1 2>/dev/null |
	grep -E '^(MaxRecvDataSegmentLength|MaxBurstLength)=' | tr '\n' ' ' | sed 's/ $//')

url_porticod="iscsi://127.0.0.1:$p_portico/$iqn/0"
url_tgt="iscsi://127.0.0.1:$p_tgt/$iqn/1"

: >"$tmp/results"

# show_run TARGET ROUND LINE: one line of progress
show_run() {
	echo "$3" | awk -v t="$1" -v r="$2" '{
		for (i = 1; i <= NF; i++) { j = index($i, "="); f[substr($i, 1, j - 1)] = substr($i, j + 1) }
		printf "  %-8s %-9s QD%-3s round %s: %s IOPS, %s MB/s, p50 %s us, p99 %s us, %s CPU us/IO\n",
			t, f["workload"], f["qd"], r, f["iops"], f["mbps"], f["lat_p50_us"], f["lat_p99_us"], f["cpu_us_per_io"]
	}'
}

# iscsi_run TARGET WORKLOAD BS QD ROUND
iscsi_run() {
	eval "url=\$url_$1"
	if [ "$1" = porticod ]; then pid=$PORTICOD_PID; else pid=$TGTD_PID; fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "fail wl=$2 qd=$4 target=$1 round=$5 the target is not running" >>"$tmp/results"
		return
	fi
	timeout -k 5 $((secs + ramp + 40)) "$client" -u "$url" -w "$2" -b "$3" -q "$4" -t "$secs" \
		-r "$ramp" -p "$pid" -i "$initiator" >"$tmp/client.out" 2>"$tmp/client.err" &
	client_pid=$!
	wait "$client_pid"
	rc=$?
	client_pid=""
	line=$(sed -n 's/^result //p' "$tmp/client.out")
	if [ "$rc" -eq 0 ] && [ -n "$line" ]; then
		echo "run target=$1 round=$5 $line" >>"$tmp/results"
		show_run "$1" "$5" "$line"
	else
		why=$(tr '\n' ' ' <"$tmp/client.err" | cut -c1-300)
		[ "$rc" -eq 124 ] && why="timed out; $why"
		kill -0 "$pid" 2>/dev/null || why="the target process exited; $why"
		echo "fail wl=$2 qd=$4 target=$1 round=$5 exit $rc: $why" >>"$tmp/results"
		echo "  $1 $2 QD$4 round $5: FAILED (exit $rc): $why"
	fi
}

# fio_cpu_us FILE: the children's user + system time in `times`'s output
# (its second line, "0m1.234s 0m0.567s"), in microseconds
fio_cpu_us() {
	awk 'NR == 2 {
		for (i = 1; i <= 2; i++) { split($i, a, "m"); sub(/s$/, "", a[2]); t += a[1] * 60 + a[2] }
		printf "%.0f", t * 1e6 }' "$1" 2>/dev/null
}

# fio_run WORKLOAD BS QD ROUND: fio's rbd engine on the image, the same
# shape; its figures in iscsi-bench's words (lat: submission to completion).
# Its CPU: fio's own usr_cpu/sys_cpu count the job's thread only
# (RUSAGE_THREAD), not librbd's threads, so the CPU time of every fio process
# and thread over fio's whole life is taken instead (the shell's `times` of
# the subshell that waited for it), and fio runs without a ramp so that its
# I/O count covers the same span: the cluster connection and the image's
# open are counted, less the fixed cost of a fio that does one read (measured
# once, below).
fio_run() {
	case "$1" in
	randread) rw=randread ;;
	randwrite) rw=randwrite ;;
	seqread) rw=read ;;
	seqwrite) rw=write ;;
	esac
	case "$1" in *read) dir=read ;; *) dir=write ;; esac
	(
		CEPH_CONF=$conf timeout -k 5 $((secs + 60)) fio --name=bench --ioengine=rbd \
			--clientname=admin --pool=rbd --rbdname="$image" --rw="$rw" --bs="$2" --iodepth="$3" \
			--time_based --runtime="$secs" --norandommap --randrepeat=0 \
			--lat_percentiles=1 --clat_percentiles=0 --percentile_list=50:99 \
			--output-format=json >"$tmp/fio.json" 2>"$tmp/fio.err"
		_rc=$?
		times >"$tmp/fio.times"
		exit $_rc
	)
	rc=$?
	cpu_us=$(fio_cpu_us "$tmp/fio.times")
	# less what a fio that does one I/O costs (its start and end), measured once
	[ -n "$cpu_us" ] && cpu_us=$((cpu_us > fio_base_us ? cpu_us - fio_base_us : 0))
	line=""
	[ "$rc" -eq 0 ] && [ -n "$cpu_us" ] && line=$(jq -r --arg d "$dir" --arg w "$1" --arg qd "$3" \
		--arg bs "$2" --argjson cpu "$cpu_us" '.jobs[0] as $j |
		$j[$d] as $s | ($j.job_runtime / 1000) as $t |
		"workload=\($w) bs=\($bs) qd=\($qd) secs=\($t) ios=\($s.total_ios) " +
		"iops=\($s.iops | floor) mbps=\($s.bw_bytes / 1e6 * 10 | floor / 10) " +
		"lat_avg_us=\($s.lat_ns.mean / 1000 | floor) " +
		"lat_p50_us=\($s.lat_ns.percentile["50.000000"] / 1000 | floor) " +
		"lat_p99_us=\($s.lat_ns.percentile["99.000000"] / 1000 | floor) " +
		"fio_cpu_us=\($cpu) " +
		"cpu_us_per_io=\(if $s.total_ios > 0 then ($cpu / $s.total_ios * 10 | floor) / 10 else 0 end)"' \
		"$tmp/fio.json" 2>>"$tmp/fio.err")
	if [ "$rc" -eq 0 ] && [ -n "$line" ]; then
		echo "run target=fio-rbd round=$4 $line" >>"$tmp/results"
		show_run fio-rbd "$4" "$line"
	else
		why=$(tr '\n' ' ' <"$tmp/fio.err" | cut -c1-300)
		echo "fail wl=$1 qd=$3 target=fio-rbd round=$4 exit $rc: $why" >>"$tmp/results"
		echo "  fio-rbd $1 QD$3 round $4: FAILED (exit $rc): $why"
	fi
}

# fio's fixed cost: the cluster connection, the image's open and close, for
# one 4 KiB read; the median of three, taken off every fio row's CPU time
for i in 1 2 3; do
	(
		CEPH_CONF=$conf timeout -k 5 60 fio --name=base --ioengine=rbd --clientname=admin \
			--pool=rbd --rbdname="$image" --rw=read --bs=4k --number_ios=1 --size=4k \
			--output-format=json >/dev/null 2>"$tmp/fio.err"
		_rc=$?
		times >"$tmp/fio.times"
		exit $_rc
	) || die "fio could not read the image: $(tail -n 2 "$tmp/fio.err")"
	fio_cpu_us "$tmp/fio.times"
	echo
done >"$tmp/fio-base"
fio_base_us=$(sort -n "$tmp/fio-base" | sed -n 2p)
[ -n "$fio_base_us" ] || die "cannot measure fio's fixed cost"
echo "bench-rbd: fio's fixed CPU cost (connect, open, one read, close): $fio_base_us us"

echo "bench-rbd: porticod on 127.0.0.1:$p_portico (pid $PORTICOD_PID), tgtd on 127.0.0.1:$p_tgt (pid $TGTD_PID)"
echo "bench-rbd: rounds: $rounds; each run ${ramp} s ramp + ${secs} s measured"
for w in randread:4096:1 randread:4096:32 randwrite:4096:1 randwrite:4096:32 \
	seqread:1048576:8 seqwrite:1048576:8; do
	# shellcheck disable=SC2046 # three words
	set -- $(echo "$w" | tr ':' ' ')
	r=1
	while [ "$r" -le "$rounds" ]; do
		fio_run "$1" "$2" "$3" "$r"
		iscsi_run porticod "$1" "$2" "$3" "$r"
		iscsi_run tgt "$1" "$2" "$3" "$r"
		r=$((r + 1))
	done
done

porticod_alive=yes
kill -0 "$PORTICOD_PID" 2>/dev/null || porticod_alive=no
tgt_alive=yes
kill -0 "$TGTD_PID" 2>/dev/null || tgt_alive=no
porticod_stop
tgtd_stop
porticod_warn=$(grep -cE ' (err|warn) ' "$tmp/porticod.log")

# The failover: two gateways of group g1 (gw-a TPG 1, gw-b TPG 2) serving
# rbd/ownLEASE with a lease of LEASE ms; the owner killed, the other's
# takeover timed from the kill to its "serving as owner (active/optimized)"
# line; the killed one started again (a follower) before the next kill.
gw_conf() { # NAME TAG PORT LEASE
	cat <<EOF
control_socket = "$tmp/$1.sock";
backstores = (
  { name = "own0"; type = "rbd"; path = "rbd/own$4"; ceph_conf = "$conf";
    gateway_group = "g1"; gateway_name = "$1"; gateway_lease_ms = "$4"; }
);
targets = (
  { iqn = "$iqn";
    tpgs = ( { tag = $2; portals = [ "127.0.0.1:$3" ];
               luns = ( { lun = 0; backstore = "own0"; } );
               alua = { explicit = true; };
               attributes = { generate_node_acls = true; demo_mode_write_protect = false; }; } );
  } );
EOF
}

# wait_log FILE REGEX SECONDS: 0 once REGEX is in FILE, 1 after SECONDS
wait_log() {
	_wl=0
	while [ "$_wl" -lt $(($3 * 10)) ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		_wl=$((_wl + 1))
	done
	return 1
}

# gw_start NAME LEASE: starts gateway NAME (gw-a or gw-b) with its log
# appended to; sets GW_A_PID or GW_B_PID; 1 when it does not listen within 40 s
gw_start() {
	if [ "$1" = gw-a ]; then _gp=$p_gw_a _gt=1; else _gp=$p_gw_b _gt=2; fi
	gw_conf "$1" "$_gt" "$_gp" "$2" >"$tmp/$1.conf"
	"$build/bin/porticod" -c "$tmp/$1.conf" -f >>"$tmp/$1.log" 2>&1 &
	_pid=$!
	if [ "$1" = gw-a ]; then GW_A_PID=$_pid; else GW_B_PID=$_pid; fi
	wait_listen "$_pid" 40 "$_gp"
}

# failover_runs LEASE: BENCH_FAILOVERS kills of the owner; appends
# "failover LEASE N FROM TO MS" lines, then "fenced LEASE COUNT", to
# $tmp/failover
failover_runs() {
	echo "bench-rbd: failover of a killed owner, lease $1 ms, $failovers times"
	rbd_c create --size 64M --image-feature layering "rbd/own$1" >/dev/null 2>&1 ||
		die "rbd create failed"
	: >"$tmp/gw-a.log"
	: >"$tmp/gw-b.log"
	gw_start gw-a "$1" || die "gw-a did not start: $(tail -n 3 "$tmp/gw-a.log")"
	wait_log "$tmp/gw-a.log" "owner 'gw-a': serving as owner" 30 || die "gw-a never became the owner"
	gw_start gw-b "$1" || die "gw-b did not start: $(tail -n 3 "$tmp/gw-b.log")"
	owner=gw-a
	other=gw-b
	# a takeover comes within the lease and a renewal period after the kill:
	# twice the lease and 10 s more is a failure (in 50 ms steps)
	limit=$(((2 * $1 + 10000) / 50))
	i=1
	while [ "$i" -le "$failovers" ]; do
		# the follower has read the lease at least once before the kill (3 s),
		# and the kill falls at a random point of the owner's renewal cycle
		# (a third of the lease), as a real failure would
		d=$((3000 + $(od -An -N2 -tu2 /dev/urandom) % ($1 / 3)))
		sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
		if [ "$owner" = gw-a ]; then victim=$GW_A_PID; else victim=$GW_B_PID; fi
		before=$(grep -c "owner '$other': serving as owner" "$tmp/$other.log")
		t0=$(date +%s%3N)
		kill -KILL "$victim"
		wait "$victim" 2>/dev/null
		if [ "$owner" = gw-a ]; then GW_A_PID=""; else GW_B_PID=""; fi
		n=0
		while [ "$n" -lt "$limit" ] &&
			[ "$(grep -c "owner '$other': serving as owner" "$tmp/$other.log")" -le "$before" ]; do
			sleep 0.05
			n=$((n + 1))
		done
		if [ "$n" -ge "$limit" ]; then
			echo "fail failover lease $1 kill $i: $other did not take over" >>"$tmp/results"
			echo "  failover $i: $other did not take over"
			break
		fi
		ms=$(($(date +%s%3N) - t0))
		echo "failover $1 $i $owner $other $ms" >>"$tmp/failover"
		echo "  failover $i: $owner killed, $other active/optimized after $ms ms"
		gw_start "$owner" "$1" || {
			echo "fail failover lease $1: $owner did not start again" >>"$tmp/results"
			break
		}
		t=$owner
		owner=$other
		other=$t
		i=$((i + 1))
	done
	n=$(cat "$tmp/gw-a.log" "$tmp/gw-b.log" | grep -c "blocklisted the previous owner")
	echo "fenced $1 $n" >>"$tmp/failover"
	stop_pid "$GW_A_PID" 8
	stop_pid "$GW_B_PID" 8
	GW_A_PID=""
	GW_B_PID=""
}

: >"$tmp/failover"
if [ "$failovers" -gt 0 ]; then
	p_gw_a=$(free_port) || die "no free port"
	p_gw_b=$(free_port "$p_gw_a") || die "no free port"
	for lease in $leases; do
		failover_runs "$lease"
	done
fi
t_end=$(date +%s)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
porticod_ver=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
tgt_ver=$(dpkg-query -W -f='${Version}' tgt-rbd 2>/dev/null)
ceph_ver=$(dpkg-query -W -f='${Version}' ceph-osd 2>/dev/null)
fio_ver=$(dpkg-query -W -f='${Version}' fio 2>/dev/null)
libiscsi_ver=$(dpkg-query -W -f='${Version}' libiscsi7 2>/dev/null)
osd_dev=$(df -P "$tmp" | awk 'NR == 2 { print $1 }')
osd_fs=$(df -PT "$tmp" | awk 'NR == 2 { print $2 }')

awk -v rounds="$rounds" -v secs="$secs" -v ramp="$ramp" -v date="$date_start" \
	-v elapsed="$((t_end - t_start))" -v ncpu="$(nproc)" -v cpu="$cpu_model" -v mem="$mem" \
	-v kernel="$(uname -r)" -v pver="$porticod_ver" -v tver="$tgt_ver" -v cver="$ceph_ver" \
	-v fver="$fio_ver" -v lver="$libiscsi_ver" -v palive="$porticod_alive" -v talive="$tgt_alive" \
	-v pwarn="$porticod_warn" -v tparams="$tgt_params" -v cluster_secs="$cluster_secs" \
	-v fill_secs="$fill_secs" -v fill_mbps="${fill_mbps:-?}" -v fio_base="$fio_base_us" -v size_mib="$size_mib" -v osd_dev="$osd_dev" -v osd_fs="$osd_fs" \
	-v leases="$leases" -v nfail="$failovers" -v failfile="$tmp/failover" \
	-v load_start="$load_start" -v load_end="$load_end" \
	-f "$here/rbd-report.awk" "$tmp/results" >"$tmp/report.md" || die "cannot build the report"

echo
cat "$tmp/report.md"

if [ -n "$doc" ]; then
	begin='<!-- tests/bench/rbd.sh: begin -->'
	end='<!-- tests/bench/rbd.sh: end -->'
	{
		echo "$begin"
		cat "$tmp/report.md"
		echo "$end"
	} >"$tmp/section.md"
	if [ -f "$doc" ] && grep -qF "$begin" "$doc"; then
		awk -v b="$begin" -v e="$end" -v f="$tmp/section.md" '
			$0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
			$0 == e { skip = 0; next }
			!skip { print }' "$doc" >"$tmp/doc.md"
	elif [ -f "$doc" ]; then
		{
			cat "$doc"
			echo
			cat "$tmp/section.md"
		} >"$tmp/doc.md"
	else
		{
			echo "<!-- SPDX-License-Identifier: GPL-2.0-or-later -->"
			echo "# Performance"
			echo
			cat "$tmp/section.md"
		} >"$tmp/doc.md"
	fi
	cat "$tmp/doc.md" >"$doc" && echo "bench-rbd: written to $doc"
fi

failed=$(grep -c '^fail' "$tmp/results")
if [ "$failed" -gt 0 ] || [ "$porticod_alive" = no ] || [ "$tgt_alive" = no ]; then
	echo "bench-rbd: $failed runs failed; porticod running at the end: $porticod_alive, tgtd: $tgt_alive"
	[ "$porticod_alive" = no ] && tail -20 "$tmp/porticod.log"
	exit 1
fi
exit 0
