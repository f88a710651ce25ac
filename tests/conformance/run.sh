#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# libiscsi's conformance suite (Debian's iscsi-test-cu, package
# libiscsi-bin) against porticod, or against Debian's tgtd for reference.
#
#   BUILD=build sh tests/conformance/run.sh [porticod|tgt]
#
# Serves a 1 GiB sparse file LUN on two loopback portals of one TPG (the
# second URL feeds the suite's multipath tests), with an ACL for each of the
# two initiator names the suite logs in with, and runs
#   iscsi-test-cu -t ALL --dataloss -v URL1 URL2
# under a timeout. Prints every failed and skipped test with its reason and
# closes with "conformance: N passed, N failed, N skipped". A test passes
# only when CUnit says "passed" and it printed no [SKIPPED]. Exits 0 only
# when nothing failed. The logs (iscsi-test-cu, target, results) are kept
# in $BUILD/conformance/<target>/.
#
# Environment: BUILD (default build), CONFORMANCE_TIMEOUT (seconds for
# iscsi-test-cu, default 420), CONFORMANCE_DEBUG=1 (porticod -d all).
set -u

target=${1:-porticod}
build=${BUILD:-build}
cu_timeout=${CONFORMANCE_TIMEOUT:-420}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
case "$build" in /*) ;; *) build="$top/$build" ;; esac
. "$here/targets.sh"

iqn="iqn.2026-01.org.portico.test:conformance"
init1="iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test"
init2="iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test-2"

tmp=""
cu_pid=""
PORTICOD_PID=""
TGTD_PID=""
cleanup() {
	[ -n "$cu_pid" ] && stop_pid "$cu_pid" 2
	porticod_stop
	tgtd_stop
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

die() {
	echo "conformance: $*" >&2
	exit 1
}

case "$target" in
porticod | tgt) ;;
*) die "usage: BUILD=DIR sh tests/conformance/run.sh [porticod|tgt]" ;;
esac
command -v iscsi-test-cu >/dev/null || die "iscsi-test-cu is missing (Debian package libiscsi-bin)"

logs="$build/conformance/$target"
mkdir -p "$logs" || die "cannot create $logs"
rm -f "$logs/iscsi-test-cu.log" "$logs/target.log" "$logs/results.txt"
tmp=$(mktemp -d /tmp/portico-conformance.XXXXXX) || die "mktemp failed"
truncate -s 1G "$tmp/lun0.img" || die "cannot create the 1 GiB sparse image"

p1=$(free_port) || die "no free port"
p2=$(free_port "$p1") || die "no free port"

if [ "$target" = porticod ]; then
	[ -x "$build/bin/porticod" ] || die "$build/bin/porticod is missing (make)"
	lun=0
	cat >"$tmp/porticod.conf" <<CONF
# tests/conformance/run.sh: one thin file LUN on two loopback portals.
control_socket = "$tmp/porticod.sock";
backstores = (
  { name = "conf0"; type = "file"; path = "$tmp/lun0.img"; thin = true; }
);
targets = (
  { iqn = "$iqn";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$p1", "127.0.0.1:$p2" ];
        luns = ( { lun = 0; backstore = "conf0"; } );
        acls = ( { initiator = "$init1"; }, { initiator = "$init2"; } );
      } );
  } );
CONF
	dbg=""
	[ "${CONFORMANCE_DEBUG:-0}" = 1 ] && dbg="-d all"
	# shellcheck disable=SC2086 # $dbg is empty or two words
	porticod_start "$build" "$tmp/porticod.conf" "$tmp/target.log" -v $dbg
	wait_listen "$PORTICOD_PID" 10 "$p1" "$p2"
	case $? in
	0) ;;
	1) cp "$tmp/target.log" "$logs/"; tail -20 "$tmp/target.log"; die "porticod exited at start-up" ;;
	*) cp "$tmp/target.log" "$logs/"; tail -20 "$tmp/target.log"; die "porticod does not listen on 127.0.0.1:$p1 and :$p2 after 10 s" ;;
	esac
	tpid=$PORTICOD_PID
	version="porticod ($(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown))"
else
	command -v tgtd >/dev/null || die "tgtd is missing (Debian package tgt)"
	lun=1 # tgt's LUN 0 is its controller
	tgtd_start "$tmp/target.log" "$p1" "$p2" || {
		cp "$tmp/target.log" "$logs/"; tail -20 "$tmp/target.log"; die "tgtd did not start"
	}
	tgtd_target 1 "$iqn" >>"$tmp/target.log" 2>&1 &&
		tgtd_lun 1 1 "$tmp/lun0.img" rdwr >>"$tmp/target.log" 2>&1 ||
		die "tgtadm could not set up the target"
	tpid=$TGTD_PID
	version="tgt $(tgtd -V 2>/dev/null | head -1)"
fi

echo "conformance: $version on 127.0.0.1:$p1 and 127.0.0.1:$p2, LUN $lun: 1 GiB sparse file"
echo "conformance: $(dpkg-query -W -f='libiscsi-bin ${Version}' libiscsi-bin 2>/dev/null)," \
	"iscsi-test-cu -t ALL --dataloss -v (timeout ${cu_timeout} s)"

iscsi-test-cu -l 2>/dev/null | sed -n 's/^ALL\.\([^.]*\.[^.]*\)$/\1/p' >"$tmp/expected.txt"

start=$(date +%s)
timeout -k 5 "$cu_timeout" iscsi-test-cu -t ALL --dataloss -v \
	-i "$init1" -I "$init2" \
	"iscsi://127.0.0.1:$p1/$iqn/$lun" "iscsi://127.0.0.1:$p2/$iqn/$lun" \
	>"$tmp/iscsi-test-cu.log" 2>&1 &
cu_pid=$!
wait "$cu_pid"
cu_rc=$?
cu_pid=""
end=$(date +%s)

target_alive=1
kill -0 "$tpid" 2>/dev/null || target_alive=0

awk -v list="$tmp/expected.txt" -f "$here/cu-parse.awk" "$tmp/iscsi-test-cu.log" >"$tmp/results.txt"
cp "$tmp/iscsi-test-cu.log" "$tmp/results.txt" "$logs/"

set -- $(sed -n 's/^totals //p' "$tmp/results.txt")
passed=${1:-0}
failed=${2:-0}
skipped=${3:-0}

echo "conformance: iscsi-test-cu ran $((end - start)) s, exit $cu_rc$([ "$cu_rc" -eq 124 ] && echo ' (timed out)')"
if [ "$skipped" -gt 0 ]; then
	echo "skipped:"
	sed -n 's/^SKIP /  /p' "$tmp/results.txt"
fi
if [ "$failed" -gt 0 ]; then
	echo "failed:"
	sed -n 's/^FAIL /  FAILED /p' "$tmp/results.txt"
fi
if [ "$target_alive" -eq 0 ]; then
	echo "  FAILED $target: the target process exited during the run; the end of its log:"
	tail -30 "$tmp/target.log"
	failed=$((failed + 1))
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
	echo "  FAILED iscsi-test-cu: no test ran; the end of its output:"
	tail -30 "$tmp/iscsi-test-cu.log"
	failed=1
fi

# stop the target before copying its log, so that the log is complete
porticod_stop
tgtd_stop
cp "$tmp/target.log" "$logs/"
echo "conformance: logs in $logs"
echo "conformance: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
