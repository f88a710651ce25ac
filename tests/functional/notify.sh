# SPDX-License-Identifier: GPL-2.0-or-later
#
# notify: porticod and the service manager (porticod.service, Type=notify;
# docs/install.md). porticod runs with NOTIFY_SOCKET at a datagram socket
# of the test's (notifywatch), as systemd starts it:
#   READY=1 comes once the portals listen (the port is open at that moment)
#   SIGHUP (what a file edit and 'kill -HUP' do): RELOADING=1, then READY=1
#       with the file's change served (a portal added listens)
#   'portico restoreconfig clear_existing=true' (the unit's ExecReload):
#       the same, the portal removed again
#   a file that does not load: RELOADING=1, READY=1, the served
#       configuration unchanged, the log says why
#   SIGTERM: STOPPING=1
# Then the journal's priorities: with JOURNAL_STREAM naming its stderr,
# every log line begins "<N>" (sd-daemon(3)), no timestamp.
. "$(dirname "$0")/lib.sh"
t_require "$PORTICO" "$T_BIN/notifywatch"

TGT=iqn.2026-12.org.example:notify
SOCK=$T_TMP/notify.sock
NOUT=$T_TMP/notify.out

conf() { # PORT... (portals on 127.0.0.1)
	conf_head
	portals=""
	for p in "$@"; do
		portals="$portals${portals:+, }\"127.0.0.1:$p\""
	done
	cat <<EOF
backstores = ( { name = "n0"; type = "null"; size = "16M"; } );
targets = (
  { iqn = "$TGT";
    tpgs = ( { tag = 1; portals = [ $portals ]; luns = ( { lun = 0; backstore = "n0"; } );
               attributes = { generate_node_acls = true; }; } ); } );
EOF
}

# Waits (bounded, 20 s) until the watcher's output holds N lines matching REGEX.
wait_lines() { # N REGEX
	i=0
	while [ $i -lt 200 ]; do
		[ "$(grep -Ec -- "$2" "$NOUT")" -ge "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# The watcher's Nth line matching REGEX.
nth_line() { # N REGEX
	grep -E -- "$2" "$NOUT" | sed -n "${1}p"
}

P1=$(pick_port) || { fail setup "no free port"; t_done; }
P2=$(pick_port) || { fail setup "no free port"; t_done; }
[ "$P1" != "$P2" ] || P2=$((P1 + 1))

"$T_BIN/notifywatch" "$SOCK" 120 "$P1" "$P2" >"$NOUT" 2>&1 &
T_HELPERS="$T_HELPERS $!"
wait_lines 1 '^bound$' || { fail setup "notifywatch did not bind $SOCK" "$NOUT"; t_done; }

# ---- start: READY=1 once it listens ----
PD_PORT=$P1
conf "$P1" >"$PD_CONF"
PD_PREFIX="env NOTIFY_SOCKET=$SOCK"
pd_launch || { fail start "porticod did not start" "$NOUT"; t_done; }
if wait_lines 1 'READY=1'; then
	l=$(nth_line 1 'READY=1')
	case "$l" in
	*"$P1:open"*"$P2:closed"*) pass ready-after-listen ;;
	*) fail ready-after-listen "READY=1 but portal $P1 not open (or $P2 open): $l" "$NOUT" ;;
	esac
	case "$l" in
	*"STATUS=serving 1 target(s), 1 backstore(s) on 1 portal(s)"*) pass ready-status ;;
	*) fail ready-status "no STATUS= saying what is served: $l" "$NOUT" ;;
	esac
else
	fail ready-after-listen "no READY=1 within 20 s" "$NOUT"
fi

# ---- SIGHUP: the file's change served between RELOADING=1 and READY=1 ----
conf "$P1" "$P2" >"$PD_CONF"
kill -HUP "$PD_PID"
if wait_lines 2 'READY=1'; then
	l=$(nth_line 2 'READY=1')
	r=$(grep -nE 'RELOADING=1' "$NOUT" | head -n 1 | cut -d: -f1)
	rd=$(grep -nE 'READY=1' "$NOUT" | sed -n 2p | cut -d: -f1)
	if [ -n "$r" ] && [ "$r" -lt "$rd" ] && grep -q 'RELOADING=1.*MONOTONIC_USEC=[0-9]' "$NOUT"; then
		pass sighup-reloading-then-ready
	else
		fail sighup-reloading-then-ready "no RELOADING=1 (with MONOTONIC_USEC) before the second READY=1" "$NOUT"
	fi
	case "$l" in
	*"$P1:open"*"$P2:open"*) pass sighup-change-applied ;;
	*) fail sighup-change-applied "after the reload, portal $P2 does not listen: $l" "$NOUT" ;;
	esac
else
	fail sighup-reloading-then-ready "no second READY=1 within 20 s of SIGHUP" "$NOUT"
fi
pd_alive && pass sighup-alive || fail sighup-alive "porticod died on SIGHUP"

# ---- ExecReload: portico restoreconfig of the daemon's own file ----
conf "$P1" >"$PD_CONF"
pt_ok restoreconfig-reload restoreconfig clear_existing=true
if wait_lines 3 'READY=1'; then
	l=$(nth_line 3 'READY=1')
	[ "$(grep -c 'RELOADING=1' "$NOUT")" -ge 2 ] && pass restoreconfig-reloading ||
		fail restoreconfig-reloading "no RELOADING=1 for the restore" "$NOUT"
	case "$l" in
	*"$P1:open"*"$P2:closed"*) pass restoreconfig-change-applied ;;
	*) fail restoreconfig-change-applied "portal $P2 still listens after the restore: $l" "$NOUT" ;;
	esac
else
	fail restoreconfig-reloading "no third READY=1 within 20 s of the restore" "$NOUT"
fi

# ---- a file that does not load: refused, the service stays ready ----
cp "$PD_CONF" "$T_TMP/good.conf"
printf 'targets = ( { iqn = "not an iqn"; } );\n' >>"$PD_CONF"
kill -HUP "$PD_PID"
if wait_lines 4 'READY=1'; then
	pass bad-file-ready-again
	l=$(nth_line 4 'READY=1')
	case "$l" in
	*"$P1:open"*) pass bad-file-served-unchanged ;;
	*) fail bad-file-served-unchanged "portal $P1 closed after a refused reload: $l" "$NOUT" ;;
	esac
else
	fail bad-file-ready-again "no READY=1 after a refused reload" "$NOUT"
fi
grep -q 'reload refused, the served configuration stays' "$PD_LOG" && pass bad-file-logged ||
	fail bad-file-logged "the log does not say the reload was refused"
cp "$T_TMP/good.conf" "$PD_CONF"

# ---- SIGTERM: STOPPING=1 ----
pd_stop stop
wait_lines 1 'STOPPING=1' && pass stopping || fail stopping "no STOPPING=1 after SIGTERM" "$NOUT"

# ---- the journal: "<N>" priorities when stderr is JOURNAL_STREAM ----
: >"$PD_LOG"
PD_PREFIX="env JOURNAL_STREAM=$(stat -c %d:%i "$PD_LOG")"
if pd_launch; then
	pd_stop journal-stop
	# pd_launch's own "=== porticod start" line is the test's, not porticod's
	if grep -v '^===' "$PD_LOG" | grep -qv '^<[0-7]>'; then
		fail journal-priorities "a line without its <N> priority" "$PD_LOG"
	elif grep -q "^<6>info server: listening on 127.0.0.1:$P1" "$PD_LOG"; then
		pass journal-priorities
	else
		fail journal-priorities "no '<6>info server: listening on ...' line" "$PD_LOG"
	fi
else
	fail journal-priorities "porticod did not start with JOURNAL_STREAM set"
fi
PD_PREFIX=""
t_done
