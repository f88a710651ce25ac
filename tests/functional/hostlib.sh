# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the host-side functional groups (tests/functional/pathd-*.sh:
# portico-pathd's adapters against this machine's kernel); sourced, not run:
#   . "$(dirname "$0")/hostlib.sh"
#
# The conventions of lib.sh (which is porticod's and starts it): a group
# prints one "PASS: group/check" or "FAIL: group/check: why" line per check
# and ends with t_done, which exits non-zero if any check failed.
#
# What a group makes here, the exit trap removes, also on failure: network
# namespaces (ns_add; deleting one deletes the veths in it, and their
# peers wherever they are), a watched helper (w_start) and the temporary
# directory. Test traffic stays in those namespaces. Every wait is bounded
# (T_WAIT seconds for a line, T_TIMEOUT for a command). Needs root.
#
# Under the sanitizer build (BUILD=build-san) a report in the helper's
# output fails w_stop.

set -u

T_TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in
/*) T_BUILD=$BUILD ;;
*) T_BUILD=$T_TOP/$BUILD ;;
esac
T_BIN=$T_BUILD/tests/functional
T_GROUP=$(basename "$0" .sh)
T_FAILS=0
T_PASSES=0
T_NETNS=""
T_TMP=$(mktemp -d "/tmp/portico-ft-$T_GROUP.XXXXXX") || exit 1
# bound on a line the helper is to print, and on each command run
T_WAIT=${T_WAIT:-5}
T_TIMEOUT=${T_TIMEOUT:-60}
# the watched helper (w_start)
W_PID=""
W_OUT=$T_TMP/w.out
W_IN=$T_TMP/w.in
W_N=0
W_FROM=0

t_cleanup() {
	if [ -n "$W_PID" ]; then
		kill -TERM "$W_PID" 2>/dev/null
		# a group may have stopped it (SIGSTOP): SIGTERM waits for SIGCONT
		kill -CONT "$W_PID" 2>/dev/null
		i=0
		while kill -0 "$W_PID" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$W_PID" 2>/dev/null
		wait "$W_PID" 2>/dev/null
	fi
	for n in $T_NETNS; do
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$T_TMP"
}
trap 't_rc=$?; t_cleanup; exit $t_rc' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# ---- reporting ----

pass() { # NAME
	echo "PASS: $T_GROUP/$1"
	T_PASSES=$((T_PASSES + 1))
}

# FAIL line, then the tail of the output file given (if any).
fail() { # NAME WHY [OUTPUT-FILE]
	echo "FAIL: $T_GROUP/$1: $2"
	T_FAILS=$((T_FAILS + 1))
	if [ $# -ge 3 ] && [ -s "$3" ]; then
		echo "    --- output ---"
		tail -n 25 "$3" | sed 's/^/    | /'
	fi
}

t_done() {
	echo "$T_GROUP: $T_PASSES passed, $T_FAILS failed"
	[ "$T_FAILS" -eq 0 ]
	exit $?
}

# Stops the group at once when it cannot run: not root, a program not built.
t_require() { # FILE...
	if [ "$(id -u)" != 0 ]; then
		echo "FAIL: $T_GROUP/setup: needs root (network namespaces)"
		exit 1
	fi
	if ! command -v ip >/dev/null 2>&1; then
		echo "FAIL: $T_GROUP/setup: no 'ip' (iproute2)"
		exit 1
	fi
	for f in "$@"; do
		if [ ! -x "$f" ]; then
			echo "FAIL: $T_GROUP/setup: $f is not built (make build-tests BUILD=$BUILD)"
			exit 1
		fi
	done
}

# Runs a command (bounded by T_TIMEOUT); on failure, FAIL NAME with its output.
run_ok() { # NAME CMD...
	r_name=$1
	shift
	if timeout "$T_TIMEOUT" "$@" >"$T_TMP/run.out" 2>&1; then
		return 0
	fi
	fail "$r_name" "'$*' failed: $(tail -n 1 "$T_TMP/run.out")"
	return 1
}

# ---- network namespaces ----

# Makes a namespace named after the group and TAG; its name in NS. Deleted at exit.
ns_add() { # TAG
	NS=portico-$T_GROUP-$$-$1
	ip netns add "$NS" || return 1
	T_NETNS="$T_NETNS $NS"
}

# ---- a helper watched line by line ----

# Starts CMD in the background with its stdin on a FIFO (held open on
# file descriptor 9, so it sees no end of input until w_stop) and its
# output (stdout and stderr) in $W_OUT. Stopped at exit.
w_start() { # CMD...
	mkfifo "$W_IN" || return 1
	exec 9<>"$W_IN"
	"$@" <"$W_IN" >"$W_OUT" 2>&1 &
	W_PID=$!
	W_N=0
	W_FROM=0
}

w_alive() {
	[ -n "$W_PID" ] && kill -0 "$W_PID" 2>/dev/null
}

# Later waits look only at the lines printed from now on.
w_mark() {
	W_FROM=$(wc -l <"$W_OUT")
}

# Waits (at most SECONDS, default T_WAIT) for a line after the mark that
# matches the extended regex; the first such line in W_LINE. 1 when none came.
w_wait() { # REGEX [SECONDS]
	i=0
	while [ $i -lt $((${2:-$T_WAIT} * 10)) ]; do
		W_LINE=$(awk -v from="$W_FROM" -v re="$1" 'NR > from && $0 ~ re { print; exit }' "$W_OUT")
		[ -n "$W_LINE" ] && return 0
		w_alive || break
		sleep 0.1
		i=$((i + 1))
	done
	# the helper may have printed it just before it exited
	W_LINE=$(awk -v from="$W_FROM" -v re="$1" 'NR > from && $0 ~ re { print; exit }' "$W_OUT")
	[ -n "$W_LINE" ]
}

# How many lines after the mark match the extended regex.
w_count() { # REGEX
	awk -v from="$W_FROM" -v re="$1" 'NR > from && $0 ~ re { n++ } END { print n + 0 }' "$W_OUT"
}

# Waits for a line; PASS NAME, or FAIL NAME saying what did not come.
w_expect() { # NAME REGEX [SECONDS]
	if w_wait "$2" "${3:-$T_WAIT}"; then
		pass "$1"
		return 0
	fi
	fail "$1" "no line matching '$2' within ${3:-$T_WAIT}s" "$W_OUT"
	return 1
}

# Sends a command line; the answer (the line "N TEXT" for the Nth
# command, without "N ") in W_ANSWER. 1 when it did not come.
w_cmd() { # LINE
	W_N=$((W_N + 1))
	echo "$1" >&9
	c_from=$W_FROM
	W_FROM=0
	if w_wait "^$W_N "; then
		W_ANSWER=${W_LINE#"$W_N "}
		W_FROM=$c_from
		return 0
	fi
	W_FROM=$c_from
	W_ANSWER="(no answer: $(tail -n 1 "$W_OUT"))"
	return 1
}

# The answer to LINE must be WANT exactly.
w_is() { # NAME LINE WANT
	w_cmd "$2"
	if [ "$W_ANSWER" = "$3" ]; then
		pass "$1"
		return 0
	fi
	fail "$1" "'$2' answered '$W_ANSWER', expected '$3'" "$W_OUT"
	return 1
}

# Whether the helper's output holds a sanitizer report.
w_sanitizer_report() {
	grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:' "$W_OUT"
}

# Ends input (after LINE, if given, e.g. "quit"), waits (bounded) for the
# helper to exit; PASS NAME when it exits 0 without a sanitizer report.
w_stop() { # NAME [LINE]
	[ $# -ge 2 ] && echo "$2" >&9
	exec 9>&-
	i=0
	while w_alive && [ $i -lt $((T_WAIT * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if w_alive; then
		kill -KILL "$W_PID" 2>/dev/null
		wait "$W_PID" 2>/dev/null
		W_PID=""
		fail "$1" "the helper did not exit within ${T_WAIT}s" "$W_OUT"
		return 1
	fi
	wait "$W_PID"
	w_rc=$?
	W_PID=""
	if w_sanitizer_report; then
		fail "$1" "sanitizer report"
		grep -E -A 14 'ERROR: |runtime error:' "$W_OUT" | head -n 40 | sed 's/^/    | /'
	elif [ $w_rc -ne 0 ]; then
		fail "$1" "the helper exited with status $w_rc" "$W_OUT"
	else
		pass "$1"
		return 0
	fi
	return 1
}

# ---- run directly (tests/run.sh runs every *.sh): the harness checks itself ----
if [ "$T_GROUP" = hostlib ]; then
	t_require
	# A group that fails after making a namespace with a veth pair and
	# starting a helper: its trap must remove them all.
	sh -c '
		. "$1"
		echo "tmp $T_TMP"
		ns_add a || exit 3
		echo "ns $NS"
		ip -n "$NS" link add st0 type veth peer name st0p || exit 4
		w_start sleep 300
		echo "helper $W_PID"
		exit 1
	' "$T_TOP/tests/functional/hostlibselftest.sh" "$T_TOP/tests/functional/hostlib.sh" \
		>"$T_TMP/self.out" 2>&1
	rc=$?
	tmp=$(sed -n 's/^tmp //p' "$T_TMP/self.out")
	ns=$(sed -n 's/^ns //p' "$T_TMP/self.out")
	hpid=$(sed -n 's/^helper //p' "$T_TMP/self.out")
	if [ $rc -ne 1 ] || [ -z "$tmp" ] || [ -z "$ns" ] || [ -z "$hpid" ]; then
		fail cleanup-on-failure "the self-test group did not get as far as its failure (exit $rc)" \
			"$T_TMP/self.out"
	elif kill -0 "$hpid" 2>/dev/null; then
		fail cleanup-on-failure "helper $hpid still runs after its group failed"
		kill -KILL "$hpid"
	elif ip netns list | grep -q "^$ns\\b"; then
		fail cleanup-on-failure "namespace $ns still exists after its group failed"
		ip netns del "$ns"
	elif [ -e "$tmp" ]; then
		fail cleanup-on-failure "$tmp still exists"
	else
		pass cleanup-on-failure
	fi

	# A line that never comes: the wait gives up in time.
	w_start sleep 300
	t0=$(date +%s)
	if w_wait '^never$' 1; then
		fail wait-bounded "w_wait found a line nobody printed" "$W_OUT"
	elif [ $(($(date +%s) - t0)) -gt 3 ]; then
		fail wait-bounded "w_wait took $(($(date +%s) - t0))s to give up on 1s"
	else
		pass wait-bounded
	fi
	t_done
fi
