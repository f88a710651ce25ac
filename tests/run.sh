#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The test runner behind 'make test', 'make unit', 'make functional' and
# 'make conformance'. Usage:
#   tests/run.sh --build DIR [--san-build DIR] {layers|unit|functional|packaging|conformance|ceph|vm|all}
#
# Counting:
#   unit        each Check program's "N%: Checks: C, Failures: F, Errors: E" line
#   functional  each tests/functional/*.sh script prints "PASS: name" / "FAIL: name"
#   packaging   the same for tests/packaging/*.sh (make deb, lintian)
#               lines (a script that exits non-zero without a FAIL line counts one failure)
#   conformance "conformance: N passed, N failed, N skipped"
#   layers      tests/check-layers.sh prints "PASS: layers/<room>" / "FAIL: ..." per room
#   ceph        each tests/ceph/*.sh script (after 'install-deps.sh --group ceph'), as
#               functional: porticod's rbd backstore on one one-node Ceph cluster the group
#               starts for all of them (tests/ceph/cluster.sh, "Shared")
#   fuzz        tests/fuzz/run.sh prints "PASS: fuzz/<harness>" / "FAIL: fuzz/<harness>"
#   vm          tests/vm/run.sh prints "PASS: vm/<scenario>" / "FAIL: ..." lines, or one
#               "SKIP: vm ..." line where the lab cannot run (counted one skipped)
# The closing line is "N passed, N failed" (", N skipped" when any were skipped).
set -u

build=build
san=""
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--san-build) san=$2; shift 2 ;;
	*) break ;;
	esac
done
what=${1:-all}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

passed=0
failed=0
skipped=0
failures=""
logdir=$(mktemp -d /tmp/portico-test.XXXXXX)

note_fail() {
	failed=$((failed + $2))
	failures="$failures\n  $1"
}

run_unit() { # $1 build dir, $2 label
	for t in $(find "$1/tests/unit" -type f -name '*_test' 2>/dev/null | sort); do
		name="$2${t#"$1"/tests/unit/}"
		log="$logdir/$(echo "$name" | tr '/' '_').log"
		timeout 300 "$t" >"$log" 2>&1
		rc=$?
		line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -1)
		if [ -z "$line" ]; then
			note_fail "$name (exit $rc, no summary; log $log)" 1
			echo "FAIL $name (exit $rc)"
			tail -20 "$log"
			continue
		fi
		c=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
		e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
		bad=$((f + e))
		if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
			bad=1 # e.g. a sanitizer report after the suite ran
		fi
		passed=$((passed + c - f - e))
		if [ "$bad" -gt 0 ]; then
			note_fail "$name ($bad failed; log $log)" "$bad"
			echo "FAIL $name: $line"
			grep -E ':[EF]:' "$log" | head -20
			grep -E 'ERROR: (Address|Undefined|Leak)Sanitizer|runtime error' "$log" | head -5
		else
			echo "ok   $name: $c checks"
		fi
	done
}

run_functional() { # $1 build dir, $2 label, [$3 folder under tests/: functional]
	for s in $(ls tests/"${3:-functional}"/*.sh 2>/dev/null | sort); do
		name="$2${3:-functional}/$(basename "$s" .sh)"
		log="$logdir/$(echo "$name" | tr '/' '_').log"
		BUILD="$1" timeout 900 sh "$s" >"$log" 2>&1
		rc=$?
		p=$(grep -c '^PASS: ' "$log")
		f=$(grep -c '^FAIL: ' "$log")
		passed=$((passed + p))
		if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
			[ "$f" -eq 0 ] && f=1
			note_fail "$name ($f failed, exit $rc; log $log)" "$f"
			echo "FAIL $name: $p passed, $f failed (exit $rc)"
			grep -E '^FAIL: ' "$log" | head -20
			tail -15 "$log"
		else
			echo "ok   $name: $p passed"
		fi
	done
}

run_conformance() { # $1 build dir
	[ -f tests/conformance/run.sh ] || return 0
	log="$logdir/conformance.log"
	BUILD="$1" timeout 1200 sh tests/conformance/run.sh >"$log" 2>&1
	rc=$?
	line=$(grep -E '^conformance: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$log" | tail -1)
	if [ -z "$line" ]; then
		note_fail "conformance (exit $rc, no summary; log $log)" 1
		tail -30 "$log"
		return
	fi
	p=$(echo "$line" | sed -E 's/conformance: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	k=$(echo "$line" | sed -E 's/.* ([0-9]+) skipped.*/\1/')
	passed=$((passed + p))
	skipped=$((skipped + k))
	echo "$line"
	if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
		[ "$f" -eq 0 ] && f=1
		note_fail "conformance ($f failed, exit $rc; log $log)" "$f"
		grep -E 'FAILED|failed' "$log" | head -40
	fi
}

run_ceph() { # $1 build dir: the rbd backstore, every script on one one-node cluster started here
	log="$logdir/ceph-deps.log"
	if ! sh scripts/install-deps.sh --group ceph >"$log" 2>&1; then
		note_fail "ceph (cannot install the ceph group; log $log)" 1
		echo "FAIL ceph: cannot install the ceph group"
		tail -5 "$log"
		return
	fi
	# one cluster for every script (tests/ceph/cluster.sh, "Shared"): a
	# start costs about 20 s; if it fails, each script tries its own
	ceph_top=$(mktemp -d /tmp/portico-ceph.XXXXXX) || return
	(
		. tests/ceph/cluster.sh
		t0=$(date +%s)
		if ceph_up "$ceph_top" >"$logdir/ceph-cluster.log" 2>&1; then
			echo "ceph: the group's cluster started in $(($(date +%s) - t0)) s"
			echo "$CEPH_CONF" >"$ceph_top/ready"
			# until run_ceph is done with it, or this runner is gone (bounded)
			while [ ! -e "$ceph_top/done" ] && kill -0 $$ 2>/dev/null &&
				[ "$(($(date +%s) - t0))" -lt 7200 ]; do
				sleep 1
			done
		else
			echo "ceph: the group's cluster did not start (log $logdir/ceph-cluster.log); each script starts its own"
			: >"$ceph_top/failed"
		fi
		ceph_down
	) &
	ceph_holder=$!
	i=0
	while [ ! -e "$ceph_top/ready" ] && [ ! -e "$ceph_top/failed" ] && [ $i -lt 1800 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	PORTICO_CEPH_CONF=""
	[ -e "$ceph_top/ready" ] && PORTICO_CEPH_CONF=$(cat "$ceph_top/ready")
	export PORTICO_CEPH_CONF
	for s in $(ls tests/ceph/*.sh 2>/dev/null | grep -v '/cluster\.sh$' | sort); do
		name="ceph/$(basename "$s" .sh)"
		log="$logdir/$(echo "$name" | tr '/' '_').log"
		BUILD="$1" timeout 1800 sh "$s" >"$log" 2>&1
		rc=$?
		p=$(grep -c '^PASS: ' "$log")
		f=$(grep -c '^FAIL: ' "$log")
		passed=$((passed + p))
		grep -E '^rbd: ' "$log"
		if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
			[ "$f" -eq 0 ] && f=1
			note_fail "$name ($f failed, exit $rc; log $log)" "$f"
			echo "FAIL $name: $p passed, $f failed (exit $rc)"
			grep -E '^FAIL: ' "$log" | head -20
		else
			echo "ok   $name: $p passed"
		fi
	done
	unset PORTICO_CEPH_CONF
	: >"$ceph_top/done"
	wait "$ceph_holder"
	rm -rf "$ceph_top"
}

run_fuzz() { # tests/fuzz/run.sh: each fuzzer over its corpus and a few seconds more
	[ -f tests/fuzz/run.sh ] || return 0
	log="$logdir/fuzz.log"
	timeout 600 sh tests/fuzz/run.sh >"$log" 2>&1
	rc=$?
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	passed=$((passed + p))
	if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
		[ "$f" -eq 0 ] && f=1
		note_fail "fuzz ($f failed, exit $rc; log $log)" "$f"
		echo "FAIL fuzz: $p passed, $f failed (exit $rc)"
		grep -E -A6 '^FAIL: ' "$log" | head -40
	else
		echo "ok   fuzz: $p passed"
	fi
}

run_layers() { # tests/check-layers.sh: the include rules between the rooms
	log="$logdir/layers.log"
	sh tests/check-layers.sh >"$log" 2>&1
	rc=$?
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	passed=$((passed + p))
	if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
		[ "$f" -eq 0 ] && f=1
		note_fail "layers ($f failed; log $log)" "$f"
		echo "FAIL layers: $p passed, $f failed"
		grep -E -A3 '^FAIL: ' "$log" | head -30
	else
		echo "ok   layers: $p passed"
	fi
}

run_vm() { # $1 build dir, [$2 the multipath scenario's cut runs]
	[ -f tests/vm/run.sh ] || return 0
	log="$logdir/vm.log"
	# $2: the multipath scenario's cut runs (tests/vm/run.sh's default: all three)
	BUILD="$1" PORTICO_VM_MULTIPATH_RUNS=${2:-${PORTICO_VM_MULTIPATH_RUNS:-defaults recommended cable}} \
		timeout 1500 sh tests/vm/run.sh >"$log" 2>&1
	rc=$?
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	k=$(grep -c '^SKIP: ' "$log")
	passed=$((passed + p))
	skipped=$((skipped + k))
	if [ "$k" -gt 0 ]; then
		grep '^SKIP: ' "$log"
	fi
	if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
		[ "$f" -eq 0 ] && f=1
		note_fail "vm ($f failed, exit $rc; log $log)" "$f"
		echo "FAIL vm: $p passed, $f failed (exit $rc)"
		grep -E '^FAIL: ' "$log" | head -20
		tail -30 "$log"
	else
		echo "ok   vm: $p passed"
	fi
}

start=$(date +%s)
case "$what" in
unit) run_unit "$build" "" ;;
functional) run_functional "$build" "" ;;
conformance) run_conformance "$build" ;;
vm) run_vm "$build" ;;
packaging) run_functional "$build" "" packaging ;;
ceph) run_ceph "$build" ;;
layers) run_layers ;;
all)
	run_layers
	run_unit "$build" ""
	# A second lane, in the background: the sanitizer's unit run, the
	# fuzzers and the conformance suite. Each keeps one core busy and needs
	# nothing of the machine but loopback ports it picks free, so they run
	# beside the functional, packaging and ceph groups (on the other core)
	# instead of after them: make test stays within its 30 minutes on two
	# cores. The sanitizer's functional run, whose waits are the most
	# sensitive to a busy machine, and the VM lab, whose failover bounds
	# are measured, run alone after it. Its lines are printed when it ends.
	(
		passed=0 failed=0 skipped=0 failures=""
		if [ -n "$san" ]; then
			export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
			export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp"
			. "$top/tests/san-env.sh"
			run_unit "$san" "san:"
			unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS ASAN_SYMBOLIZER_PATH
		fi
		run_fuzz
		run_conformance "$build"
		printf '%s' "$failures" >"$logdir/lane.failures"
		echo "$passed $failed $skipped" >"$logdir/lane.counts"
	) >"$logdir/lane.out" 2>&1 &
	lane=$!
	run_functional "$build" ""
	# make deb and lintian (tests/packaging: about two minutes on two cores)
	run_functional "$build" "" packaging
	run_ceph "$build"
	wait "$lane"
	cat "$logdir/lane.out"
	if [ -s "$logdir/lane.counts" ]; then
		read -r lp lf lk <"$logdir/lane.counts"
		passed=$((passed + lp))
		failed=$((failed + lf))
		skipped=$((skipped + lk))
		failures="$failures$(cat "$logdir/lane.failures")"
	else
		note_fail "the second lane (sanitizer unit run, fuzz, conformance) ended early; log $logdir/lane.out" 1
	fi
	if [ -n "$san" ]; then
		export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
		export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp"
		. "$top/tests/san-env.sh"
		run_functional "$san" "san:"
		unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS ASAN_SYMBOLIZER_PATH
	fi
	# the multipathd comparison's three cut runs are make check-vm's; make test
	# checks the stock stack once, as open-iscsi recommends it (docs/testing.md).
	# Likewise five of the power-loss test's ten rounds: make test's 30 minutes.
	export PORTICO_VM_POWERLOSS_ROUNDS="${PORTICO_VM_POWERLOSS_ROUNDS:-5}"
	run_vm "$build" "${PORTICO_VM_MULTIPATH_RUNS:-cable}"
	;;
*) echo "usage: $0 --build DIR [--san-build DIR] {layers|unit|functional|packaging|conformance|ceph|vm|all}" >&2; exit 2 ;;
esac
end=$(date +%s)

echo "---"
echo "tests took $((end - start)) s; logs in $logdir"
if [ "$failed" -gt 0 ]; then
	printf "failures:$failures\n"
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
