# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the functional groups (tests/functional/*.sh); sourced, not run:
#   . "$(dirname "$0")/lib.sh"
#
# A group prints one "PASS: group/check" or "FAIL: group/check: why" line
# per check and ends with t_done, which exits non-zero if any check failed.
# Everything a group makes (porticod, helper processes, loop devices, the
# temporary directory) is removed by the exit trap, also on failure.
#
# porticod runs with -f -v, its stderr in $PD_LOG; a failing check prints
# the tail of that log. Under the sanitizer build (BUILD=build-san) an
# AddressSanitizer/UBSan/LeakSanitizer report in the log fails the group.

set -u

T_TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in
/*) T_BUILD=$BUILD ;;
*) T_BUILD=$T_TOP/$BUILD ;;
esac
PORTICOD=$T_BUILD/bin/porticod
T_BIN=$T_BUILD/tests/functional
T_GROUP=$(basename "$0" .sh)
T_FAILS=0
T_PASSES=0
T_LOOPS=""
T_HELPERS=""
T_TMP=$(mktemp -d "/tmp/portico-ft-$T_GROUP.XXXXXX") || exit 1
PD_PID=""
PD_PORT=""
PD_LOG=$T_TMP/porticod.log
PD_CONF=$T_TMP/porticod.conf
PD_STARTS=0
# words put before porticod's command line (e.g. "prlimit --nofile=256:256 --")
PD_PREFIX=""
# the same name everywhere a test does not care which initiator it is
T_INITIATOR=iqn.2026-01.org.portico.test:ft
# how long porticod may take to start listening and to stop (ASan is slow)
PD_START_TIMEOUT=${PD_START_TIMEOUT:-20}
PD_STOP_TIMEOUT=${PD_STOP_TIMEOUT:-15}
# bound on every helper program
T_TIMEOUT=${T_TIMEOUT:-120}

# Whether process PID runs. kill -0 is not enough: a child that has exited
# stays a zombie until its parent waits for it (and, once the parent is
# gone, until pid 1 reaps it), and kill -0 still finds a zombie.
t_alive() { # PID
	[ -r "/proc/$1/stat" ] || return 1
	case "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" in
	Z | X | "") return 1 ;;
	esac
	return 0
}

t_cleanup() {
	for p in $T_HELPERS; do
		kill -TERM "$p" 2>/dev/null
	done
	if [ -n "$PD_PID" ]; then
		pd_kill
	fi
	for p in $T_HELPERS; do
		i=0
		while t_alive "$p" && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null
		# reap it here: a zombie left to pid 1 outlives this shell
		wait "$p" 2>/dev/null
	done
	for d in $T_LOOPS; do
		losetup -d "$d" 2>/dev/null
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

# FAIL line, then what helps to see why: the output file given (if any)
# and the tail of porticod's log.
fail() { # NAME WHY [OUTPUT-FILE]
	echo "FAIL: $T_GROUP/$1: $2"
	T_FAILS=$((T_FAILS + 1))
	if [ $# -ge 3 ] && [ -s "$3" ]; then
		echo "    --- output ---"
		tail -n 25 "$3" | sed 's/^/    | /'
	fi
	if [ -s "$PD_LOG" ]; then
		echo "    --- porticod log (tail) ---"
		tail -n 25 "$PD_LOG" | sed 's/^/    | /'
	fi
}

# Runs a command (bounded by T_TIMEOUT) with its output in $T_OUT; passes
# when it exits 0. The FAIL line carries the last line of its output.
T_OUT=$T_TMP/out
check() { # NAME CMD...
	t_name=$1
	shift
	timeout "$T_TIMEOUT" "$@" >"$T_OUT" 2>&1
	t_rc=$?
	if [ $t_rc -eq 0 ]; then
		pass "$t_name"
		return 0
	fi
	if [ $t_rc -eq 124 ]; then
		fail "$t_name" "timed out after ${T_TIMEOUT}s: $*" "$T_OUT"
	else
		fail "$t_name" "exit $t_rc: $(tail -n 1 "$T_OUT")" "$T_OUT"
	fi
	return 1
}

# Like check, but the command must fail (exit non-zero, not by timeout).
check_fails() { # NAME CMD...
	t_name=$1
	shift
	timeout "$T_TIMEOUT" "$@" >"$T_OUT" 2>&1
	t_rc=$?
	if [ $t_rc -ne 0 ] && [ $t_rc -ne 124 ]; then
		return 0
	fi
	if [ $t_rc -eq 124 ]; then
		fail "$t_name" "timed out after ${T_TIMEOUT}s: $*" "$T_OUT"
	else
		fail "$t_name" "succeeded but should not have: $*" "$T_OUT"
	fi
	return 1
}

# Whether the output of the last check/run holds a line matching an extended regex.
out_has() { # REGEX
	grep -Eq -- "$1" "$T_OUT"
}

# Runs a helper (bounded) with its output in $T_OUT; returns its status.
run() { # CMD...
	timeout "$T_TIMEOUT" "$@" >"$T_OUT" 2>&1
}

t_done() {
	echo "$T_GROUP: $T_PASSES passed, $T_FAILS failed"
	[ "$T_FAILS" -eq 0 ]
	exit $?
}

# Stops the group at once when something it cannot do without is missing.
t_require() { # FILE...
	for f in "$@"; do
		if [ ! -x "$f" ]; then
			echo "FAIL: $T_GROUP/setup: $f is not built (make build-tests BUILD=$BUILD)"
			exit 1
		fi
	done
}

# ---- storage ----

# A sparse file of SIZE (truncate syntax) at PATH.
mkimg() { # PATH SIZE
	truncate -s "$2" "$1"
}

# A loop device over a new sparse file; its name in LOOPDEV. Detached at exit.
T_NLOOPS=0
mkloop() { # SIZE
	T_NLOOPS=$((T_NLOOPS + 1))
	l_img=$T_TMP/loop$T_NLOOPS.img
	mkimg "$l_img" "$1" || return 1
	LOOPDEV=$(losetup -f --show "$l_img") || return 1
	T_LOOPS="$T_LOOPS $LOOPDEV"
}

# Allocated bytes of a file (st_blocks is in 512-byte units).
alloc_bytes() { # PATH
	echo $(($(stat -c %b "$1") * 512))
}

# ---- porticod ----

# A random high port that nothing listens on now.
pick_port() {
	i=0
	while [ $i -lt 20 ]; do
		p=$(shuf -i 20000-60999 -n 1)
		if [ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
		i=$((i + 1))
	done
	return 1
}

# Whether porticod itself (not some other process that took the port) listens.
pd_listening() {
	ss -Htnlp "sport = :$PD_PORT" 2>/dev/null | grep -q "pid=$PD_PID,"
}

# Starts porticod in the background on the current $PD_CONF; waits until
# READY-FUNCTION (default pd_listening: it listens on $PD_PORT) says it is
# up. 0 up; 1 it exited or never came up; 2 it exited saying it cannot
# listen (the caller may try another port).
pd_launch() { # [READY-FUNCTION]
	pl_ready=${1:-pd_listening}
	PD_STARTS=$((PD_STARTS + 1))
	echo "=== porticod start $PD_STARTS: $PD_CONF (port $PD_PORT) ===" >>"$PD_LOG"
	# shellcheck disable=SC2086 # PD_PREFIX: words put before porticod (prlimit ...)
	${PD_PREFIX:-} "$PORTICOD" -c "$PD_CONF" -f -v >>"$PD_LOG" 2>&1 &
	PD_PID=$!
	i=0
	while [ $i -lt $((PD_START_TIMEOUT * 10)) ]; do
		if ! kill -0 "$PD_PID" 2>/dev/null; then
			wait "$PD_PID" 2>/dev/null
			PD_PID=""
			if tail -n 5 "$PD_LOG" | grep -q "cannot listen"; then
				return 2
			fi
			return 1
		fi
		if "$pl_ready"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# Writes the configuration with CONF-FUNCTION (which prints it, using
# $PD_PORT and $T_TMP) and starts porticod on it; another port if porticod
# cannot listen on the one picked (bounded). Fails the check "start" (and
# returns 1) if porticod does not come up.
pd_start() { # CONF-FUNCTION
	tries=0
	while [ $tries -lt 8 ]; do
		PD_PORT=$(pick_port) || break
		"$1" >"$PD_CONF"
		pd_launch
		case $? in
		0) return 0 ;;
		2) tries=$((tries + 1)) ;;
		*) break ;;
		esac
	done
	fail "start" "porticod did not start listening on 127.0.0.1:$PD_PORT"
	return 1
}

# Starts porticod again on the same configuration and port (after pd_stop or pd_kill9).
pd_restart() {
	tries=0
	while [ $tries -lt 20 ]; do
		pd_launch
		case $? in
		0) return 0 ;;
		2) sleep 0.5; tries=$((tries + 1)) ;;
		*) break ;;
		esac
	done
	fail "restart" "porticod did not listen again on 127.0.0.1:$PD_PORT"
	return 1
}

pd_alive() {
	[ -n "$PD_PID" ] && kill -0 "$PD_PID" 2>/dev/null
}

# Whether the log holds a sanitizer report.
pd_sanitizer_report() {
	grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:' "$PD_LOG"
}

# SIGTERM, a bounded wait, then SIGKILL. Sets PD_EXIT (the exit status,
# "killed" if it had to be killed) and PD_STOP_MS (how long it took).
pd_kill() {
	PD_EXIT=""
	PD_STOP_MS=0
	[ -n "$PD_PID" ] || return 0
	k_t0=$(date +%s%3N)
	kill -TERM "$PD_PID" 2>/dev/null
	i=0
	while kill -0 "$PD_PID" 2>/dev/null && [ $i -lt $((PD_STOP_TIMEOUT * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$PD_PID" 2>/dev/null; then
		kill -KILL "$PD_PID" 2>/dev/null
		wait "$PD_PID" 2>/dev/null
		PD_EXIT=killed
	else
		wait "$PD_PID" 2>/dev/null
		PD_EXIT=$?
	fi
	PD_STOP_MS=$(($(date +%s%3N) - k_t0))
	PD_PID=""
}

# Stops porticod as an administrator would (SIGTERM) and checks that it
# was alive until then, exits 0 in time, and left no sanitizer report.
pd_stop() { # NAME
	if ! pd_alive; then
		fail "$1" "porticod died during the test"
		pd_sanitizer_report && grep -E -A 12 'ERROR: |runtime error:' "$PD_LOG" | head -n 40 | sed 's/^/    | /'
		[ -n "$PD_PID" ] && wait "$PD_PID" 2>/dev/null
		PD_PID=""
		return 1
	fi
	pd_kill
	if [ "$PD_EXIT" = killed ]; then
		fail "$1" "porticod did not exit within ${PD_STOP_TIMEOUT}s of SIGTERM"
	elif pd_sanitizer_report; then
		fail "$1" "sanitizer report in porticod's log"
		grep -E -A 12 'ERROR: |runtime error:' "$PD_LOG" | head -n 40 | sed 's/^/    | /'
	elif [ "$PD_EXIT" -ne 0 ]; then
		fail "$1" "porticod exited with status $PD_EXIT after SIGTERM"
	else
		pass "$1"
		return 0
	fi
	return 1
}

# SIGKILL, as a crash would; no checks.
pd_kill9() {
	[ -n "$PD_PID" ] || return 0
	kill -KILL "$PD_PID" 2>/dev/null
	wait "$PD_PID" 2>/dev/null
	PD_PID=""
}

# The top of every generated configuration: a control socket in the temp dir.
conf_head() { # [IO-THREADS]
	cat <<EOF
# generated by tests/functional/$T_GROUP.sh
control_socket = "$T_TMP/ctl.sock";
io_threads = ${1:-0};
EOF
}

# iscsi://127.0.0.1:PORT/TARGET/LUN
url() { # TARGET LUN
	echo "iscsi://127.0.0.1:$PD_PORT/$1/$2"
}

# The size iscsi-ls prints for a LU of BYTES in blocks of BS: it multiplies
# the last LBA (READ CAPACITY (10)) by the block size and divides by 1024
# while the result is above 1024.
ls_size() { # BYTES BS
	s=$(($1 - $2))
	u=0
	while [ $u -lt 4 ] && [ $s -gt 1024 ]; do
		s=$((s / 1024))
		u=$((u + 1))
	done
	case $u in
	0) echo "$s " ;;
	1) echo "${s}k" ;;
	2) echo "${s}M" ;;
	3) echo "${s}G" ;;
	4) echo "${s}T" ;;
	esac
}

# Starts a helper in the background (killed at exit); its pid in HELPER_PID.
helper() { # OUTPUT-FILE CMD...
	o=$1
	shift
	"$@" >"$o" 2>&1 &
	HELPER_PID=$!
	T_HELPERS="$T_HELPERS $HELPER_PID"
}

# Waits (bounded) for a helper; its exit status.
helper_wait() { # PID SECONDS
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		return 124
	fi
	wait "$1"
}

t_require "$PORTICOD"

# ---- run directly (tests/run.sh runs every *.sh): the harness checks itself ----
if [ "$T_GROUP" = lib ]; then
	# iscsi-ls's arithmetic (size of the last LBA, divided while above 1024)
	[ "$(ls_size $((64 << 20)) 512)" = 63M ] && [ "$(ls_size $((1 << 30)) 4096)" = 1023M ] &&
		[ "$(ls_size 4096 512)" = 3k ] && pass ls-size ||
		fail ls-size "ls_size gives $(ls_size $((64 << 20)) 512), $(ls_size $((1 << 30)) 4096), $(ls_size 4096 512)"

	# A group that fails after making everything: its trap must remove it all.
	sh -c '
		. "$1"
		selftest_conf() {
			conf_head 1
			cat <<EOF
backstores = ( { name = "s0"; type = "file"; path = "$T_TMP/s0.img"; size = "8M"; } );
targets = ( { iqn = "iqn.2026-01.org.portico.test:selftest";
              tpgs = ( { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
                         luns = ( { lun = 0; backstore = "s0"; } ); } ); } );
EOF
		}
		echo "tmp $T_TMP"
		pd_start selftest_conf || exit 3
		echo "porticod $PD_PID"
		mkloop 8M || exit 4
		echo "loop $LOOPDEV"
		helper /dev/null sleep 300
		echo "helper $HELPER_PID"
		exit 1
	' "$T_TOP/tests/functional/libselftest.sh" "$T_TOP/tests/functional/lib.sh" >"$T_TMP/self.out" 2>&1
	rc=$?
	tmp=$(sed -n 's/^tmp //p' "$T_TMP/self.out")
	pid=$(sed -n 's/^porticod //p' "$T_TMP/self.out")
	hpid=$(sed -n 's/^helper //p' "$T_TMP/self.out")
	if [ $rc -ne 1 ] || [ -z "$tmp" ] || [ -z "$pid" ] || [ -z "$hpid" ]; then
		fail cleanup-on-failure "the self-test group did not get as far as its failure (exit $rc)" "$T_TMP/self.out"
	elif t_alive "$pid"; then
		fail cleanup-on-failure "porticod $pid still runs after its group failed"
		kill -KILL "$pid"
	elif t_alive "$hpid"; then
		fail cleanup-on-failure "helper $hpid still runs after its group failed"
		kill -KILL "$hpid"
	elif losetup -a | grep -qF "$tmp/"; then
		fail cleanup-on-failure "a loop device over $tmp is still attached: $(losetup -a | grep -F "$tmp/")"
	elif [ -e "$tmp" ]; then
		fail cleanup-on-failure "$tmp still exists"
	else
		pass cleanup-on-failure
	fi
	t_done
fi

# ---- portico, the shell (the shell-*.sh groups) ----

PORTICO=$T_BUILD/bin/portico
# the socket conf_head names; portico reads it from the environment
PORTICO_SOCKET=$T_TMP/ctl.sock
export PORTICO_SOCKET
# ls draws at this width whatever the terminal says
COLUMNS=100
export COLUMNS
# When set, pt records each one-shot command and its output here.
PT_TRANSCRIPT=""

# Whether porticod's control socket answers.
pd_ctl_answering() {
	[ -S "$PORTICO_SOCKET" ] && timeout 5 "$PORTICO" -t 4 status >/dev/null 2>&1
}

# Starts porticod (as pd_launch) but waits for its control socket to
# answer, not for a portal: the shell groups start from a configuration
# without targets. 0 answering; 1 not.
pd_launch_ctl() {
	pd_launch pd_ctl_answering && return 0
	return 1
}

# pd_start for a configuration without portals: PD_PORT is picked for the
# portal the group will create with portico.
pd_start_ctl() { # CONF-FUNCTION
	PD_PORT=$(pick_port) || { fail start "no free port"; return 1; }
	"$1" >"$PD_CONF"
	pd_launch_ctl && return 0
	fail start "porticod's control socket $PORTICO_SOCKET did not answer"
	return 1
}

# portico ARGS (one command, bounded), output in $T_OUT; its status. Recorded
# in $PT_TRANSCRIPT ("# portico ARGS", then the output) when that is set.
pt() { # ARGS...
	timeout "$T_TIMEOUT" "$PORTICO" "$@" >"$T_OUT" 2>&1
	pt_rc=$?
	if [ -n "$PT_TRANSCRIPT" ]; then
		echo "# portico $*" >>"$PT_TRANSCRIPT"
		cat "$T_OUT" >>"$PT_TRANSCRIPT"
	fi
	return $pt_rc
}

# pt that must succeed: PASS NAME, or FAIL with portico's last line.
pt_ok() { # NAME ARGS...
	p_name=$1
	shift
	if pt "$@"; then
		pass "$p_name"
		return 0
	fi
	fail "$p_name" "portico $* exited $pt_rc: $(tail -n 1 "$T_OUT")" "$T_OUT"
	return 1
}

# pt that porticod must refuse (exit 1) with a message matching REGEX.
pt_refused() { # NAME REGEX ARGS...
	p_name=$1
	p_re=$2
	shift 2
	pt "$@"
	if [ $pt_rc -eq 0 ]; then
		fail "$p_name" "portico $* succeeded but should not have" "$T_OUT"
	elif [ $pt_rc -ne 1 ]; then
		fail "$p_name" "portico $* exited $pt_rc, not 1 (a refused command)" "$T_OUT"
	elif ! out_has "$p_re"; then
		fail "$p_name" "refused, but not with '$p_re'" "$T_OUT"
	else
		pass "$p_name"
		return 0
	fi
	return 1
}

# ---- transcripts in docs/shell.md ----

# Writes FILE normalized to OUT: each FROM (a literal string) becomes its
# TO, then the dot leaders of ls lines are drawn again for the new lengths
# (the shell's rule: the line fills COLUMNS, at least 3 dots).
pt_normalize() { # FILE OUT [FROM TO]...
	n_in=$1
	n_out=$2
	shift 2
	: >"$T_TMP/norm.sed"
	while [ $# -ge 2 ]; do
		n_from=$(printf '%s' "$1" | sed 's/[][\\/.*^$]/\\&/g')
		n_to=$(printf '%s' "$2" | sed 's/[\\/&]/\\&/g')
		printf 's/%s/%s/g\n' "$n_from" "$n_to" >>"$T_TMP/norm.sed"
		shift 2
	done
	sed -f "$T_TMP/norm.sed" "$n_in" | awk -v w="$COLUMNS" '
		/^[ |]*o- [^ ]+ \.+ \[.*\]$/ && match($0, / \.+ \[/) {
			pre = substr($0, 1, RSTART - 1)
			sum = substr($0, RSTART + RLENGTH)
			sum = substr(sum, 1, length(sum) - 1)
			d = w - length(pre) - 4 - length(sum)
			if (d < 3)
				d = 3
			dots = sprintf("%*s", d, "")
			gsub(/ /, ".", dots)
			print pre " " dots " [" sum "]"
			next
		}
		{ print }' >"$n_out"
}

PT_DOC=$T_TOP/docs/shell.md

# The transcript FILE (normalized) is what docs/shell.md shows between
# "<!-- transcript:NAME begin" and "<!-- transcript:NAME end -->", in a
# code block. With PORTICO_UPDATE_DOCS=1 the block is rewritten instead.
pt_doc() { # NAME FILE
	d_begin="<!-- transcript:$1 begin"
	d_end="<!-- transcript:$1 end -->"
	{
		echo '```'
		cat "$2"
		echo '```'
	} >"$T_TMP/doc-$1.want"
	if ! grep -q "^$d_begin" "$PT_DOC" || ! grep -qx -- "$d_end" "$PT_DOC"; then
		fail "doc-$1" "docs/shell.md lacks the lines '$d_begin ...' and '$d_end'"
		return 1
	fi
	if [ "${PORTICO_UPDATE_DOCS:-}" = 1 ]; then
		awk -v b="$d_begin" -v e="$d_end" -v f="$T_TMP/doc-$1.want" '
			index($0, b) == 1 { print; while ((getline l < f) > 0) print l; skip = 1; next }
			$0 == e { skip = 0 }
			!skip { print }' "$PT_DOC" >"$T_TMP/doc.new" &&
			cat "$T_TMP/doc.new" >"$PT_DOC" &&
			pass "doc-$1" && return 0
		fail "doc-$1" "cannot rewrite $PT_DOC"
		return 1
	fi
	awk -v b="$d_begin" -v e="$d_end" '
		index($0, b) == 1 { on = 1; next }
		$0 == e { on = 0 }
		on { print }' "$PT_DOC" >"$T_TMP/doc-$1.have"
	if cmp -s "$T_TMP/doc-$1.want" "$T_TMP/doc-$1.have"; then
		pass "doc-$1"
		return 0
	fi
	diff -u "$T_TMP/doc-$1.have" "$T_TMP/doc-$1.want" >"$T_TMP/doc-$1.diff"
	fail "doc-$1" "docs/shell.md's '$1' transcript differs from this run (PORTICO_UPDATE_DOCS=1 rewrites it)" \
		"$T_TMP/doc-$1.diff"
	return 1
}

# ---- uawatch: a session kept open while the configuration changes ----

# Starts uawatch as IQN on URL, driven through a FIFO on file descriptor FD
# (3 to 9, one per watcher); waits (bounded) for its login. Its answers go
# to $T_TMP/ua-NAME.out.
ua_start() { # NAME FD IQN URL
	mkfifo "$T_TMP/ua-$1.in" || return 1
	eval "exec $2<>\"\$T_TMP/ua-$1.in\""
	eval "UA_FD_$1=$2 UA_N_$1=0"
	# there before ua_wait reads it: the background job opens it in its own time
	: >"$T_TMP/ua-$1.out"
	# not through helper: an asynchronous command's stdin is /dev/null unless redirected in it
	"$T_BIN/uawatch" -i "$3" "$4" <"$T_TMP/ua-$1.in" >"$T_TMP/ua-$1.out" 2>&1 &
	T_HELPERS="$T_HELPERS $!"
	eval "UA_PID_$1=$!"
	ua_wait "$1" 0
}

# Waits (bounded) for answer N of watcher NAME; the text in UA_ANSWER.
ua_wait() { # NAME N
	i=0
	while [ $i -lt 600 ]; do
		UA_ANSWER=$(sed -n "s/^$2 //p" "$T_TMP/ua-$1.out")
		[ -n "$UA_ANSWER" ] && return 0
		kill -0 "$(eval echo \"\$UA_PID_$1\")" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	UA_ANSWER="(no answer: $(tail -n 1 "$T_TMP/ua-$1.out"))"
	return 1
}

# Sends CMD to watcher NAME and waits for its answer (UA_ANSWER).
ua() { # NAME CMD
	eval "UA_N_$1=\$((UA_N_$1 + 1)); u_fd=\$UA_FD_$1; u_n=\$UA_N_$1"
	eval "echo \"\$2\" >&$u_fd"
	ua_wait "$1" "$u_n"
}

# CMD's answer must be WANT exactly.
ua_is() { # CHECK NAME CMD WANT
	ua "$2" "$3"
	if [ "$UA_ANSWER" = "$4" ]; then
		pass "$1"
		return 0
	fi
	fail "$1" "$2: '$3' answered '$UA_ANSWER', expected '$4'" "$T_TMP/ua-$2.out"
	return 1
}
