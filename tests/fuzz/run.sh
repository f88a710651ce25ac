#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The fuzzers' regression run (docs/fuzzing.md), what 'make test' runs:
# builds the harnesses ('make fuzz'), then runs each over its corpus
# (tests/fuzz/corpus/<harness>: the seeds and every reproducer of a fixed
# finding) and for a few seconds of new inputs, two at a time. Prints
# "PASS: fuzz/<harness>" or "FAIL: fuzz/<harness>" with the sanitizer's or
# the invariant's words; the crashing input is kept under the log directory.
#
# Findings reported and not yet fixed are listed in tests/fuzz/known-open:
# their checks are skipped (FUZZ_KNOWN_OPEN) and their reproducers wait in
# tests/fuzz/pending/<harness>/, which this run does not take.
#
# Usage: tests/fuzz/run.sh [--seconds N] [--pending] [HARNESS...]
#   --seconds N  new inputs per harness for N seconds (default 8)
#   --pending    instead: run every pending reproducer and say which still
#                fail (OPEN) and which pass now (FIXED: move it to corpus/
#                and take its line out of known-open)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
secs=8
pending=0
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) secs=$2; shift 2 ;;
	--pending) pending=1; shift ;;
	-*) echo "usage: $0 [--seconds N] [--pending] [HARNESS...]" >&2; exit 2 ;;
	*) break ;;
	esac
done
harnesses=${*:-$(ls tests/fuzz/fuzz_*.c | sed -e 's|.*/fuzz_||' -e 's|\.c$||')}
bin=build-fuzz/tests/fuzz
work=$(mktemp -d /tmp/portico-fuzz.XXXXXX)

if ! make -j2 --no-print-directory fuzz >"$work/build.log" 2>&1; then
	echo "FAIL: fuzz/build (make fuzz; log $work/build.log)"
	grep -E 'error|Error' "$work/build.log" | head -20
	exit 1
fi

# The sanitizers as in the other sanitizer runs; libconfig's own leaks and
# the known-open undefined behaviour (ubsan.supp) aside.
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$top/tests/fuzz/ubsan.supp"
export LSAN_OPTIONS="suppressions=$top/tests/fuzz/lsan.supp"
. "$top/tests/san-env.sh"
FUZZ_KNOWN_OPEN=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' tests/fuzz/known-open 2>/dev/null |
	awk '{ print $1 }' | paste -sd, -)
export FUZZ_KNOWN_OPEN

# The inputs each harness reads at most (the connection takes whole sessions).
max_len() {
	case "$1" in
	conn | lio_import) echo 16384 ;;
	scsi_exec | config) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

dict() {
	case "$1" in
	config) echo "-dict=tests/fuzz/dict/config.dict" ;;
	ctl) echo "-dict=tests/fuzz/dict/ctl.dict" ;;
	text | param | login | textreq | chap | conn) echo "-dict=tests/fuzz/dict/iscsi.dict" ;;
	esac
}

if [ "$pending" = 1 ]; then
	# Each reproducer on its own, every check on.
	unset FUZZ_KNOWN_OPEN
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	for h in $harnesses; do
		for f in tests/fuzz/pending/"$h"/*; do
			[ -f "$f" ] || continue
			if "$bin/fuzz_$h" -runs=1 "$f" >"$work/pending.log" 2>&1; then
				echo "FIXED: fuzz/$h $(basename "$f")"
			else
				echo "OPEN: fuzz/$h $(basename "$f"): $(grep -m1 -E '==FUZZ== invariant|ERROR: (Address|Leak|Undefined)|runtime error|SUMMARY' "$work/pending.log")"
			fi
		done
	done
	rm -rf "$work"
	exit 0
fi

# One harness: its corpus, then $secs seconds of new inputs (kept in $work, not in the tree).
run_one() {
	h=$1
	mkdir -p "$work/new-$h" "$work/art-$h"
	# shellcheck disable=SC2046
	"$bin/fuzz_$h" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
		-max_len="$(max_len "$h")" $(dict "$h") -print_final_stats=1 \
		-artifact_prefix="$work/art-$h/" "$work/new-$h" "tests/fuzz/corpus/$h" \
		>"$work/$h.log" 2>&1
	echo $? >"$work/$h.rc"
}

report() {
	h=$1
	rc=$(cat "$work/$h.rc")
	art=$(ls "$work/art-$h" 2>/dev/null | head -1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$h.log")
	cov=$(grep -E '^#[0-9]+.*(DONE|INITED) +cov:' "$work/$h.log" | tail -1 |
		sed -E 's/.*cov: ([0-9]+).*/\1/')
	if [ "$rc" = 0 ] && [ -z "$art" ]; then
		echo "PASS: fuzz/$h (${runs:-?} runs, ${cov:-?} edges)"
		return
	fi
	failed=1
	echo "FAIL: fuzz/$h (exit $rc; log $work/$h.log${art:+; input $work/art-$h/$art})"
	grep -E -A12 '==FUZZ== invariant|ERROR: (Address|Leak)Sanitizer|runtime error|ERROR: libFuzzer: (timeout|out-of-memory)' \
		"$work/$h.log" | grep -v '^INFO' | head -24
}

failed=0
set -- $harnesses
while [ $# -gt 0 ]; do
	a=$1
	shift
	b=${1:-}
	[ -n "$b" ] && shift
	run_one "$a" &
	[ -n "$b" ] && run_one "$b" &
	wait
	report "$a"
	[ -n "$b" ] && report "$b"
done
if [ "$failed" = 1 ]; then
	echo "fuzz: logs and inputs in $work"
	exit 1
fi
rm -rf "$work"
exit 0
