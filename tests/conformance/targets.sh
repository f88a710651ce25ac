# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shell helpers that start and stop the targets under test on loopback:
# porticod (from a build directory) and Debian's tgtd (with its own control
# port, never the system's instance). Sourced by tests/conformance/run.sh
# and tests/bench/run.sh; each caller removes what it started from its own
# trap by calling porticod_stop / tgtd_stop. Every wait is bounded.

# free_port [AVOID...]: prints a TCP port in 20000-39999 that nothing
# listens on at 127.0.0.1 and that is not among AVOID; 1 when 50 tries fail.
free_port() {
	_fp_i=0
	while [ "$_fp_i" -lt 50 ]; do
		_fp_i=$((_fp_i + 1))
		_fp_p=$(( ($(od -An -N2 -tu2 /dev/urandom) % 20000) + 20000 ))
		case " $* " in *" $_fp_p "*) continue ;; esac
		if [ -z "$(ss -Htln "( sport = :$_fp_p )" 2>/dev/null)" ]; then
			echo "$_fp_p"
			return 0
		fi
	done
	return 1
}

# wait_listen PID SECONDS PORT...: waits until every PORT listens on
# 127.0.0.1 while process PID lives. 0 when they all listen, 1 when PID
# exited, 2 on timeout.
wait_listen() {
	_wl_pid=$1
	_wl_n=$(($2 * 10))
	shift 2
	while [ "$_wl_n" -gt 0 ]; do
		kill -0 "$_wl_pid" 2>/dev/null || return 1
		_wl_ok=1
		for _wl_p in "$@"; do
			if [ -z "$(ss -Htln "( sport = :$_wl_p )" 2>/dev/null)" ]; then
				_wl_ok=0
				break
			fi
		done
		[ "$_wl_ok" -eq 1 ] && return 0
		sleep 0.1
		_wl_n=$((_wl_n - 1))
	done
	return 2
}

# stop_pid PID SECONDS: SIGTERM, then SIGKILL if it still runs after SECONDS.
# Only for processes this script started.
stop_pid() {
	[ -n "$1" ] || return 0
	kill -0 "$1" 2>/dev/null || return 0
	kill -TERM "$1" 2>/dev/null
	_sp_n=$(($2 * 10))
	while [ "$_sp_n" -gt 0 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1
		_sp_n=$((_sp_n - 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		sleep 0.2
	fi
	wait "$1" 2>/dev/null
	return 0
}

# porticod_start BUILD CONF LOG [ARGS...]: starts BUILD/bin/porticod -f -c
# CONF in the background (stdout and stderr to LOG), and sets PORTICOD_PID.
# Call wait_listen next.
porticod_start() {
	_ps_build=$1
	_ps_conf=$2
	_ps_log=$3
	shift 3
	"$_ps_build/bin/porticod" -c "$_ps_conf" -f "$@" >"$_ps_log" 2>&1 &
	PORTICOD_PID=$!
}

# porticod_stop: stops the porticod porticod_start started (it logs its
# sessions out for up to 3 s on SIGTERM).
porticod_stop() {
	stop_pid "${PORTICOD_PID:-}" 8
	PORTICOD_PID=""
}

# tgtd_start LOG PORT...: starts tgtd in the foreground (background job)
# with a free control port and one portal on 127.0.0.1 per PORT; sets
# TGTD_PID and TGTD_CTL, and waits until every portal listens. 0, or 1
# (the log says why).
tgtd_start() {
	_ts_log=$1
	shift
	_ts_portals=""
	for _ts_p in "$@"; do
		_ts_portals="${_ts_portals:+$_ts_portals,}portal=127.0.0.1:$_ts_p"
	done
	_ts_i=0
	TGTD_CTL=""
	while [ "$_ts_i" -lt 20 ]; do
		_ts_i=$((_ts_i + 1))
		# tgtd takes control ports up to 32767 only
		_ts_c=$(( ($(od -An -N2 -tu2 /dev/urandom) % 8000) + 24000 ))
		if [ ! -e "/var/run/tgtd/socket.$_ts_c" ] && [ ! -e "/var/run/tgtd/socket.$_ts_c.lock" ]; then
			TGTD_CTL=$_ts_c
			break
		fi
	done
	if [ -z "$TGTD_CTL" ]; then
		echo "tgtd_start: no free control port" >"$_ts_log"
		return 1
	fi
	tgtd -f -C "$TGTD_CTL" --iscsi "$_ts_portals" >"$_ts_log" 2>&1 &
	TGTD_PID=$!
	wait_listen "$TGTD_PID" 10 "$@" || return 1
	# the control socket appears a moment after the portals
	_ts_i=0
	while [ "$_ts_i" -lt 50 ] && ! tgtadm_ -C "$TGTD_CTL" --mode system --op show >/dev/null 2>&1; do
		sleep 0.1
		_ts_i=$((_ts_i + 1))
	done
	return 0
}

# tgtadm_ ARGS...: tgtadm, bounded (it can wait forever on a tgtd that is
# going away).
tgtadm_() {
	timeout -k 2 10 tgtadm "$@"
}

# tgtd_target TID IQN: a target open to every initiator address.
tgtd_target() {
	tgtadm_ -C "$TGTD_CTL" --lld iscsi --mode target --op new --tid "$1" --targetname "$2" &&
		tgtadm_ -C "$TGTD_CTL" --lld iscsi --mode target --op bind --tid "$1" --initiator-address ALL
}

# tgtd_lun TID LUN BACKING BSTYPE [BSOFLAGS]: adds a disk LUN.
tgtd_lun() {
	if [ -n "${5:-}" ]; then
		tgtadm_ -C "$TGTD_CTL" --lld iscsi --mode logicalunit --op new --tid "$1" --lun "$2" \
			--backing-store "$3" --bstype "$4" --bsoflags "$5"
	else
		tgtadm_ -C "$TGTD_CTL" --lld iscsi --mode logicalunit --op new --tid "$1" --lun "$2" \
			--backing-store "$3" --bstype "$4"
	fi
}

# tgtd_stop: deletes every target of our tgtd (forced: sessions may still
# be up), asks it to exit (tgtd ignores SIGTERM), kills it if it does not,
# and removes the control socket files it leaves in /var/run/tgtd.
tgtd_stop() {
	[ -n "${TGTD_PID:-}" ] || return 0
	if kill -0 "$TGTD_PID" 2>/dev/null; then
		for _tt in $(tgtadm_ -C "$TGTD_CTL" --lld iscsi --mode target --op show 2>/dev/null |
			sed -n 's/^Target \([0-9][0-9]*\):.*/\1/p'); do
			tgtadm_ -C "$TGTD_CTL" --lld iscsi --mode target --op delete --force --tid "$_tt" \
				>/dev/null 2>&1
		done
		timeout -k 1 3 tgtadm -C "$TGTD_CTL" --mode system --op delete >/dev/null 2>&1
	fi
	_tt=50
	while [ "$_tt" -gt 0 ] && kill -0 "$TGTD_PID" 2>/dev/null; do
		sleep 0.1
		_tt=$((_tt - 1))
	done
	if kill -0 "$TGTD_PID" 2>/dev/null; then
		kill -KILL "$TGTD_PID" 2>/dev/null
		sleep 0.2
	fi
	wait "$TGTD_PID" 2>/dev/null
	rm -f "/var/run/tgtd/socket.$TGTD_CTL" "/var/run/tgtd/socket.$TGTD_CTL.lock"
	TGTD_PID=""
}
