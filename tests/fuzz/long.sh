#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The long fuzzing campaign (docs/fuzzing.md, "The campaign"), what
# 'make fuzz-long' runs; not part of 'make test'. Every harness in turn, one
# at a time (one core), for FUZZ_SECONDS each, over a corpus of its own that
# is kept between campaigns:
#
#   $FUZZ_LONG_DIR/corpus/<harness>/    what the earlier campaigns found (new
#                                       inputs go here; tests/fuzz/corpus is
#                                       read too, never written)
#   $FUZZ_LONG_DIR/findings/<harness>/  each crashing, leaking, timing-out or
#                                       invariant-breaking input
#   $FUZZ_LONG_DIR/logs/<harness>.log   libFuzzer's output of the last campaign
#   $FUZZ_LONG_DIR/summary.txt          the table below, with the date
#
# A harness stops at its first finding (libFuzzer's way); the others still run.
# Prints one line per harness ("harness runs exec/s edges features corpus
# new findings"; edges as "at start->at end", the start being what the kept
# and the seed corpora reach), then "FINDING: fuzz/<harness> <input> <what>" for each
# finding; exits 1 when there was one.
#
# Environment: FUZZ_SECONDS (per harness, default 300), FUZZ_LONG_DIR
# (default build-fuzz-long in the top directory: 'make clean-fuzz' leaves it).
# Usage: tests/fuzz/long.sh [HARNESS...]
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
secs=${FUZZ_SECONDS:-300}
case "$secs" in
'' | *[!0-9]*) echo "long.sh: FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;;
esac
dir=${FUZZ_LONG_DIR:-$top/build-fuzz-long}
harnesses=${*:-$(ls tests/fuzz/fuzz_*.c | sed -e 's|.*/fuzz_||' -e 's|\.c$||')}
bin=build-fuzz/tests/fuzz

for h in $harnesses; do
	[ -f "tests/fuzz/fuzz_$h.c" ] || { echo "long.sh: no harness '$h' (tests/fuzz/fuzz_*.c)" >&2; exit 2; }
done
mkdir -p "$dir/logs" || exit 1
if ! make --no-print-directory fuzz >"$dir/logs/build.log" 2>&1; then
	echo "FAIL: fuzz/build (make fuzz; log $dir/logs/build.log)"
	grep -E 'error|Error' "$dir/logs/build.log" | head -20
	exit 1
fi

# The sanitizers and the open findings as in the regression run (run.sh).
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$top/tests/fuzz/ubsan.supp"
export LSAN_OPTIONS="suppressions=$top/tests/fuzz/lsan.supp"
FUZZ_KNOWN_OPEN=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' tests/fuzz/known-open 2>/dev/null |
	awk '{ print $1 }' | paste -sd, -)
export FUZZ_KNOWN_OPEN

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

count() { find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l; }

# The value of libFuzzer's last "#N ... cov: E ft: F corp: C/..." line.
last_stat() { # LOG KEY
	grep -E '^#[0-9]+' "$1" | grep -E " $2: " | tail -1 | sed -E "s/.* $2: ([0-9]+).*/\1/"
}

summary=$dir/summary.tmp
{
	echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $secs s per harness, commit $(git rev-parse --short HEAD 2>/dev/null)"
	printf '%-11s %10s %7s %11s %8s %7s %5s %8s\n' harness runs exec/s edges features corpus new findings
} >"$summary"
found=0
reports=""
for h in $harnesses; do
	mkdir -p "$dir/corpus/$h" "$dir/findings/$h"
	before=$(count "$dir/corpus/$h")
	arts_before=$(count "$dir/findings/$h")
	log=$dir/logs/$h.log
	seeds=tests/fuzz/corpus/$h
	[ -d "$seeds" ] || seeds="" # a new harness without seeds yet
	# shellcheck disable=SC2046,SC2086
	"$bin/fuzz_$h" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
		-max_len="$(max_len "$h")" $(dict "$h") -print_final_stats=1 \
		-artifact_prefix="$dir/findings/$h/" "$dir/corpus/$h" $seeds \
		>"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	new=$(($(count "$dir/corpus/$h") - before))
	arts=$(($(count "$dir/findings/$h") - arts_before))
	if [ "$rc" != 0 ] && [ "$arts" = 0 ]; then
		arts=1 # a failure libFuzzer wrote no input for (e.g. at start-up)
	fi
	# edges: at the start (the corpora loaded) -> at the end
	edges="$(grep -E '^#[0-9]+[[:space:]]+INITED' "$log" | sed -E -n 's/.* cov: ([0-9]+).*/\1/p')->$(last_stat "$log" cov)"
	printf '%-11s %10s %7s %11s %8s %7s %5s %8s\n' "$h" "${runs:-?}" "${eps:-?}" \
		"$edges" "$(last_stat "$log" ft)" "$(count "$dir/corpus/$h")" "$new" "$arts" |
		tee -a "$summary"
	if [ "$arts" != 0 ]; then
		found=1
		what=$(grep -m1 -E '==FUZZ== invariant|ERROR: (Address|Leak)Sanitizer|runtime error|ERROR: libFuzzer: [a-z-]+' "$log")
		input=$(ls -t "$dir/findings/$h" 2>/dev/null | head -1)
		reports="$reports
FINDING: fuzz/$h ${input:+$dir/findings/$h/$input} (exit $rc; log $log): ${what:-see the log}"
	fi
done
mv "$summary" "$dir/summary.txt"
if [ "$found" = 1 ]; then
	echo "$reports" | sed '/^$/d'
	echo "fuzz-long: findings under $dir/findings (docs/fuzzing.md, 'Findings, the corpus and make test')"
	exit 1
fi
echo "fuzz-long: no findings; corpora in $dir/corpus"
exit 0
