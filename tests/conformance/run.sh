#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# libiscsi's conformance suite (Debian's iscsi-test-cu, package
# libiscsi-bin) against porticod, or against Debian's tgtd for reference.
#
#   BUILD=build sh tests/conformance/run.sh [porticod|tgt]
#
# The target serves, on two loopback portals of one TPG, a 1 GiB sparse
# (thin) file LU and a small thick read-only file LU, with an ACL for each
# of the two initiator names the suite logs in with. Three passes:
#   main      iscsi-test-cu -t ALL --dataloss -v URL1 URL2
#             (the thin LU; URL2, the same LU through the second portal,
#             feeds the multipath tests)
#   readonly  iscsi-test-cu -t ALL.ReadOnly --dataloss -v URL_RO
#             (the main pass skips it: "Logical unit is not write-protected")
#   sanitize  iscsi-test-cu -t ALL.Sanitize --dataloss --allow-sanitize -v URL_S
#             (the main pass skips it: "--allow-sanitize flag is not set");
#             porticod: a second target with a fresh 1 GiB thin LU on a
#             fourth portal, its TPG without NOP-In pings: Sanitize.Reset
#             sleeps 60 s without reading its socket while it waits for the
#             sanitize to end, and a target that drops the silent connection
#             (nopin_timeout) hands the reconnected session a POWER ON unit
#             attention on every later TEST UNIT READY, so that the test
#             never ends. tgt: URL1.
#   alua      iscsi-test-cu -t ALL.MultipathIO --dataloss -v URL_M1 URL_M2
#             (porticod only): a third LU, thin and fresh, through two target
#             port groups, TPG 1 active/optimized and preferred, TPG 2 (a
#             third portal) active/non-optimized, both taking explicit
#             transitions. Its own LU: MultipathIO.CompareAndWrite compares
#             block 256, which its WRITE SAME (blocks 0-255) does not zero,
#             so it passes only on a LU where block 256 is still zero
#   removable iscsi-test-cu -t ALL.PreventAllow,ALL.StartStopUnit.Simple,
#             ALL.NoMedia --dataloss -v URL_RM (porticod only): LUN 3, a
#             small thin LU configured removable = true (the main pass skips
#             the first nine: "Logical unit is not removable", and NoMedia
#             checks nothing on a fixed disk)
#   512e      iscsi-test-cu -t ALL.CompareAndWrite,ALL.WriteSame10,
#             ALL.WriteSame16,ALL.ReadCapacity16,ALL.Inquiry,ALL.Unmap
#             --dataloss -v URL_E (porticod only): LUN 4, a
#             thin LU of 512-byte blocks on 4096-byte physical blocks
#             (physical_block_size = 4096; the main pass skips five: "LBPPB <
#             2"), and the suites whose answers the geometry changes
# each under a timeout. A later pass's verdict replaces the main pass's skip
# of the same test, so that every test is counted once (230 with libiscsi
# 1.19). A test passes only when CUnit says "passed" and it printed no
# [SKIPPED]. Prints every failed and skipped test with its reason, the main
# pass's own figures, and closes with "conformance: N passed, N failed,
# N skipped". Exits 0 only when nothing failed. The logs (iscsi-test-cu per
# pass, target, results) are kept in $BUILD/conformance/<target>/.
#
# Environment: BUILD (default build), CONFORMANCE_TIMEOUT (seconds for the
# main pass, default 420; 60 for each other pass), CONFORMANCE_DEBUG=1
# (porticod -d all). CONFORMANCE_LU0 (porticod): the main LU's backstore
# entry, named conf0, instead of the thin file (tests/ceph/rbd.sh gives an
# rbd image), with CONFORMANCE_NAME the logs' folder under
# $BUILD/conformance/ (default: the target's name). CONFORMANCE_PASSES: the
# passes to run, by name (default all: main readonly sanitize alua
# removable 512e); tests/ceph/rbd.sh runs only main, the one pass on LU0
# (the others' LUs are files, checked by 'make conformance').
set -u

target=${1:-porticod}
build=${BUILD:-build}
cu_timeout=${CONFORMANCE_TIMEOUT:-420}
passes=${CONFORMANCE_PASSES:-main readonly sanitize alua removable 512e}
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
trap 'exit 130' INT TERM HUP PIPE

die() {
	echo "conformance: $*" >&2
	exit 1
}

case "$target" in
porticod | tgt) ;;
*) die "usage: BUILD=DIR sh tests/conformance/run.sh [porticod|tgt]" ;;
esac
command -v iscsi-test-cu >/dev/null || die "iscsi-test-cu is missing (Debian package libiscsi-bin)"

logs="$build/conformance/${CONFORMANCE_NAME:-$target}"
mkdir -p "$logs" || die "cannot create $logs"
rm -f "$logs"/*.log "$logs/results.txt"
tmp=$(mktemp -d /tmp/portico-conformance.XXXXXX) || die "mktemp failed"
truncate -s 1G "$tmp/lun0.img" || die "cannot create the 1 GiB sparse image"
truncate -s 1G "$tmp/lun2.img" || die "cannot create the second 1 GiB sparse image"
truncate -s 64M "$tmp/lun3.img" || die "cannot create the removable LU's image"
truncate -s 1G "$tmp/lun4.img" || die "cannot create the 512e LU's image"
truncate -s 1G "$tmp/lun5.img" || die "cannot create the sanitize pass's 1 GiB sparse image"
# the read-only LU: thick (allocated), like a LU configured without 'thin'
fallocate -l 64M "$tmp/lun1.img" || die "cannot create the read-only image"

p1=$(free_port) || die "no free port"
p2=$(free_port "$p1") || die "no free port"
p3=$(free_port "$p1" "$p2") || die "no free port"
p4=$(free_port "$p1" "$p2" "$p3") || die "no free port"
iqn_s="$iqn-sanitize"

if [ "$target" = porticod ]; then
	[ -x "$build/bin/porticod" ] || die "$build/bin/porticod is missing (make)"
	lun=0
	lun_ro=1
	lu0_entry=${CONFORMANCE_LU0:-}
	[ -n "$lu0_entry" ] ||
		lu0_entry="{ name = \"conf0\"; type = \"file\"; path = \"$tmp/lun0.img\"; thin = true; }"
	cat >"$tmp/porticod.conf" <<CONF
# tests/conformance/run.sh: a thin file LU and a read-only one on two loopback portals.
control_socket = "$tmp/porticod.sock";
state_dir = "$tmp/state";
backstores = (
  $lu0_entry,
  { name = "conf1"; type = "file"; path = "$tmp/lun1.img"; readonly = true; },
  { name = "conf2"; type = "file"; path = "$tmp/lun2.img"; thin = true; },
  { name = "conf3"; type = "file"; path = "$tmp/lun3.img"; thin = true; removable = true; },
  { name = "conf4"; type = "file"; path = "$tmp/lun4.img"; thin = true;
    block_size = 512; physical_block_size = 4096; },
  { name = "conf5"; type = "file"; path = "$tmp/lun5.img"; thin = true; }
);
targets = (
  { iqn = "$iqn";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$p1", "127.0.0.1:$p2" ];
        luns = ( { lun = 0; backstore = "conf0"; }, { lun = 1; backstore = "conf1"; },
                 { lun = 2; backstore = "conf2"; }, { lun = 3; backstore = "conf3"; },
                 { lun = 4; backstore = "conf4"; } );
        acls = ( { initiator = "$init1"; }, { initiator = "$init2"; } );
        alua = { preferred = true; explicit = true; };
      },
      { tag = 2;
        portals = [ "127.0.0.1:$p3" ];
        luns = ( { lun = 2; backstore = "conf2"; } );
        acls = ( { initiator = "$init1"; }, { initiator = "$init2"; } );
        alua = { state = "active_non_optimized"; explicit = true; };
      } );
  },
  { iqn = "$iqn_s";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$p4" ];
        luns = ( { lun = 0; backstore = "conf5"; } );
        acls = ( { initiator = "$init1"; }, { initiator = "$init2"; } );
        attributes = { nopin_interval = 0; };
      } );
  } );
CONF
	dbg=""
	[ "${CONFORMANCE_DEBUG:-0}" = 1 ] && dbg="-d all"
	# shellcheck disable=SC2086 # $dbg is empty or two words
	porticod_start "$build" "$tmp/porticod.conf" "$tmp/target.log" -v $dbg
	wait_listen "$PORTICOD_PID" 10 "$p1" "$p2" "$p3" "$p4"
	case $? in
	0) ;;
	1) cp "$tmp/target.log" "$logs/"; tail -20 "$tmp/target.log"; die "porticod exited at start-up" ;;
	*) cp "$tmp/target.log" "$logs/"; tail -20 "$tmp/target.log"; die "porticod does not listen on 127.0.0.1:$p1, :$p2, :$p3 and :$p4 after 10 s" ;;
	esac
	tpid=$PORTICOD_PID
	version="porticod ($(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown))"
else
	command -v tgtd >/dev/null || die "tgtd is missing (Debian package tgt)"
	lun=1 # tgt's LUN 0 is its controller
	lun_ro=2
	tgtd_start "$tmp/target.log" "$p1" "$p2" || {
		cp "$tmp/target.log" "$logs/"; tail -20 "$tmp/target.log"; die "tgtd did not start"
	}
	{ tgtd_target 1 "$iqn" && tgtd_lun 1 1 "$tmp/lun0.img" rdwr &&
		tgtd_lun 1 2 "$tmp/lun1.img" rdwr &&
		tgtadm_ -C "$TGTD_CTL" --lld iscsi --mode logicalunit --op update --tid 1 --lun 2 \
			--params readonly=1; } >>"$tmp/target.log" 2>&1 ||
		die "tgtadm could not set up the target"
	tpid=$TGTD_PID
	version="tgt $(tgtd -V 2>/dev/null | head -1)"
fi

echo "conformance: $version on 127.0.0.1:$p1 and 127.0.0.1:$p2;" \
	"LUN $lun: 1 GiB sparse file, thin; LUN $lun_ro: 64 MiB file, read-only"
[ "$target" = porticod ] &&
	echo "conformance: LUN 2 (1 GiB sparse file, thin) through TPG 1 and TPG 2" \
		"(active/non-optimized) on 127.0.0.1:$p3;" \
		"LUN 3: 64 MiB sparse file, thin, removable; LUN 4: 1 GiB sparse file, thin, 512e" &&
	echo "conformance: sanitize pass: $iqn_s LUN 0 (1 GiB sparse file, thin), no NOP-In," \
		"on 127.0.0.1:$p4"
echo "conformance: $(dpkg-query -W -f='libiscsi-bin ${Version}' libiscsi-bin 2>/dev/null)"

iscsi-test-cu -l 2>/dev/null | sed -n 's/^ALL\.\([^.]*\.[^.]*\)$/\1/p' >"$tmp/expected-main.txt"
grep '^ReadOnly\.' "$tmp/expected-main.txt" >"$tmp/expected-readonly.txt"
grep '^Sanitize\.' "$tmp/expected-main.txt" >"$tmp/expected-sanitize.txt"
grep '^MultipathIO\.' "$tmp/expected-main.txt" >"$tmp/expected-alua.txt"
grep -E '^(PreventAllow\.|StartStopUnit\.Simple$|NoMedia\.)' "$tmp/expected-main.txt" \
	>"$tmp/expected-removable.txt"
e512_suites="CompareAndWrite WriteSame10 WriteSame16 ReadCapacity16 Inquiry Unmap"
grep -E "^($(echo "$e512_suites" | tr ' ' '|'))\." "$tmp/expected-main.txt" >"$tmp/expected-512e.txt"
url1="iscsi://127.0.0.1:$p1/$iqn/$lun"
url2="iscsi://127.0.0.1:$p2/$iqn/$lun"
url_m1="iscsi://127.0.0.1:$p1/$iqn/2"
url_m2="iscsi://127.0.0.1:$p3/$iqn/2"
url_ro="iscsi://127.0.0.1:$p1/$iqn/$lun_ro"
url_rm="iscsi://127.0.0.1:$p1/$iqn/3"
url_e="iscsi://127.0.0.1:$p1/$iqn/4"
url_s=$url1
[ "$target" = porticod ] && url_s="iscsi://127.0.0.1:$p4/$iqn_s/0"

# cu_pass NAME TIMEOUT ARGS...: runs iscsi-test-cu ARGS, parses its output
# into $tmp/results-NAME.txt; the log is $tmp/iscsi-test-cu-NAME.log.
cu_pass() {
	case " $passes " in *" $1 "*) ;; *) return 0 ;; esac
	_name=$1
	_to=$2
	shift 2
	echo "conformance: pass '$_name': iscsi-test-cu $* (timeout $_to s)"
	_start=$(date +%s)
	timeout -k 5 "$_to" iscsi-test-cu -i "$init1" -I "$init2" "$@" \
		>"$tmp/iscsi-test-cu-$_name.log" 2>&1 &
	cu_pid=$!
	wait "$cu_pid"
	_rc=$?
	cu_pid=""
	awk -v list="$tmp/expected-$_name.txt" -f "$here/cu-parse.awk" \
		"$tmp/iscsi-test-cu-$_name.log" >"$tmp/results-$_name.txt"
	cp "$tmp/iscsi-test-cu-$_name.log" "$logs/"
	echo "conformance: pass '$_name' ran $(($(date +%s) - _start)) s, exit $_rc$([ "$_rc" -eq 124 ] && echo ' (timed out)'):" \
		"$(sed -n 's/^totals \([0-9]*\) \([0-9]*\) \([0-9]*\)$/\1 passed, \2 failed, \3 skipped/p' "$tmp/results-$_name.txt")"
}

cu_pass main "$cu_timeout" -t ALL --dataloss -v "$url1" "$url2"
kill -0 "$tpid" 2>/dev/null && cu_pass readonly 60 -t ALL.ReadOnly --dataloss -v "$url_ro"
# Sanitize.Overwrite runs three whole-LU OVERWRITEs and Sanitize.Reset waits
# 60 s: about 100 s with porticod's OVERWRITE pace (docs/conformance.md)
kill -0 "$tpid" 2>/dev/null &&
	cu_pass sanitize 240 -t ALL.Sanitize --dataloss --allow-sanitize -v "$url_s"
# the second target port group is porticod's (tgt has no ALUA states to set)
[ "$target" = porticod ] && kill -0 "$tpid" 2>/dev/null &&
	cu_pass alua 60 -t ALL.MultipathIO --dataloss -v "$url_m1" "$url_m2"
# removable media and 512e geometry are porticod's settings
[ "$target" = porticod ] && kill -0 "$tpid" 2>/dev/null &&
	cu_pass removable 60 -t ALL.PreventAllow,ALL.StartStopUnit.Simple,ALL.NoMedia \
		--dataloss -v "$url_rm"
[ "$target" = porticod ] && kill -0 "$tpid" 2>/dev/null &&
	cu_pass 512e 120 -t "$(echo "$e512_suites" | sed 's/\([^ ]*\)/ALL.\1/g; s/ /,/g')" \
		--dataloss -v "$url_e"

target_alive=1
kill -0 "$tpid" 2>/dev/null || target_alive=0

# Merge: the main pass in its order; a later pass's verdict replaces it.
cat "$tmp"/results-main.txt "$tmp"/results-readonly.txt "$tmp"/results-sanitize.txt \
	"$tmp"/results-alua.txt "$tmp"/results-removable.txt "$tmp"/results-512e.txt \
	2>/dev/null |
	awk '$1 == "totals" { next }
	{
		name = $2
		sub(/:$/, "", name)
		if (!(name in line))
			order[++n] = name
		line[name] = $0
	}
	END {
		for (i = 1; i <= n; i++) {
			l = line[order[i]]
			print l
			k = substr(l, 1, 4)
			c[k]++
		}
		printf "totals %d %d %d\n", c["PASS"], c["FAIL"], c["SKIP"]
	}' >"$tmp/results.txt"
cp "$tmp/results.txt" "$logs/"

set -- $(sed -n 's/^totals //p' "$tmp/results.txt")
passed=${1:-0}
failed=${2:-0}
skipped=${3:-0}

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
	tail -30 "$tmp/iscsi-test-cu-main.log"
	failed=1
fi

# stop the target before copying its log, so that the log is complete
porticod_stop
tgtd_stop
cp "$tmp/target.log" "$logs/"
echo "conformance: logs in $logs"
echo "conformance: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
