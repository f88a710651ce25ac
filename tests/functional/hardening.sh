# SPDX-License-Identifier: GPL-2.0-or-later
#
# hardening: porticod under the abuse that issue "porticod under attack and
# under power loss" found it could not take (docs/configuration.md, "Limits").
#   control-held   64 clients connect to the control socket and send
#                  nothing: portico still gets in (the idlest one makes
#                  room), at once
#   descriptors    porticod with 256 descriptors at most, 400 connections
#                  that send 24 bytes of a login header and stall: porticod
#                  does not spin (CPU), says so in a line or two (not one a
#                  try), the control socket still lets root in, a login
#                  meanwhile is refused at once, and once they are gone a
#                  login works
#   stalled-readers four initiators fill their command windows with 8 MiB
#                  READs and never read their sockets: porticod's memory
#                  stays within their shares (64 MiB each), another
#                  initiator logs in and reads meanwhile, and the send
#                  timeout drops the four with NOP-In off
#   connections    at most 20 from one address and 30 in all: the rest
#                  are closed at once, one log line for each limit, and
#                  others log in once there is room
. "$(dirname "$0")/lib.sh"
t_require "$PORTICO" "$T_BIN/holdconn" "$T_BIN/stallread" "$T_BIN/lunio"

conf() {
	conf_head 1
}

pd_start_ctl conf || t_done

# ---- the control socket cannot be held shut ----
helper "$T_TMP/hold.out" "$T_BIN/holdconn" -n 64 -t 60 "unix:$PORTICO_SOCKET"
HOLD=$HELPER_PID
i=0
until grep -qs '^connected ' "$T_TMP/hold.out" || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if grep -q '^connected 64 refused 0' "$T_TMP/hold.out"; then
	pass control-held-64-connected
else
	fail control-held-64-connected "holdconn: $(head -1 "$T_TMP/hold.out")"
fi
check control-held-admin-gets-in timeout 5 "$PORTICO" -t 4 status
i=0
until grep -q '^closed 1$' "$T_TMP/hold.out" || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if grep -q '^closed 1$' "$T_TMP/hold.out" && grep -q 'every one of the 64 slots is taken: closing pid' "$PD_LOG"; then
	pass control-held-idlest-evicted
else
	fail control-held-idlest-evicted "no eviction seen" "$T_TMP/hold.out"
fi
kill "$HOLD" 2>/dev/null
pd_stop stop-control

# ---- descriptors run out ----
IQN=iqn.2026-11.org.portico.test:hardening
conf_target() {
	conf_head 1
	cat <<EOF
backstores = ( { name = "n0"; type = "null"; size = "16M"; } );
targets = ( { iqn = "$IQN"; tpgs = ( { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
  luns = ( { lun = 0; backstore = "n0"; } ); attributes = { generate_node_acls = true; }; } ); } );
EOF
}
# the CPU time (clock ticks) porticod has used
pd_ticks() { awk '{ print $14 + $15 }' "/proc/$PD_PID/stat"; }
PD_PREFIX="prlimit --nofile=256:256 --"
pd_start conf_target || t_done
PD_PREFIX=""
helper "$T_TMP/flood.out" "$T_BIN/holdconn" -n 400 -b 24 -t 30 "tcp:127.0.0.1:$PD_PORT"
FLOOD=$HELPER_PID
i=0
until grep -qs '^connected ' "$T_TMP/flood.out" || [ $i -ge 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 1
t0=$(pd_ticks)
logs0=$(grep -c 'out of file descriptors\|accept failed' "$PD_LOG")
sleep 3
t1=$(pd_ticks)
logs1=$(grep -c 'out of file descriptors\|accept failed' "$PD_LOG")
hz=$(getconf CLK_TCK)
# a spinning loop takes a whole core: 3 s of CPU in 3 s
if [ $((t1 - t0)) -lt $((3 * hz / 5)) ]; then
	pass descriptors-no-spin
else
	fail descriptors-no-spin "porticod used $((t1 - t0)) ticks of CPU in 3 s ($hz a second) while out of descriptors"
fi
if [ "$logs1" -ge 1 ] && [ $((logs1 - logs0)) -le 1 ]; then
	pass descriptors-said-once
else
	fail descriptors-said-once "$logs1 lines about exhausted descriptors, $((logs1 - logs0)) of them in 3 s"
fi
check descriptors-admin-gets-in timeout 5 "$PORTICO" -t 4 status
# a login while they hold every descriptor hears no at once: it is not left
# behind the flood's backlog (one closed a second: 15 s and more)
rc=0
timeout 5 iscsi-ls -s "iscsi://127.0.0.1:$PD_PORT" >/dev/null 2>&1 || rc=$?
if [ "$rc" -ne 124 ]; then
	pass descriptors-login-refused-at-once
else
	fail descriptors-login-refused-at-once "a login waited 5 s for an answer while porticod was out of descriptors"
fi
kill "$FLOOD" 2>/dev/null
helper_wait "$FLOOD" 5
check descriptors-login-after timeout 30 iscsi-ls -s "iscsi://127.0.0.1:$PD_PORT"

pd_stop stop

# ---- initiators that ask for much and never read ----
STALLS=4
SEND_TIMEOUT=8
conf_stall() {
	conf_head 2
	cat <<EOF
send_timeout = $SEND_TIMEOUT;
backstores = ( { name = "n0"; type = "null"; size = "1G"; } );
targets = ( { iqn = "$IQN"; tpgs = ( { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
  luns = ( { lun = 0; backstore = "n0"; } );
  attributes = { generate_node_acls = true; nopin_interval = 0; }; } ); } );
EOF
}
# porticod's resident memory, in MiB
pd_rss() { awk '/^VmRSS:/ { print int($2 / 1024) }' "/proc/$PD_PID/status"; }
# a value of portico --json status (a jq expression)
pd_status() { "$PORTICO" -t 4 --json status | jq -r "$1"; }
stalls_saying() { cat "$T_TMP"/stall*.out 2>/dev/null | grep -c "$1"; }
pd_start conf_stall || t_done
rss0=$(pd_rss)
i=1
while [ $i -le $STALLS ]; do
	helper "$T_TMP/stall$i.out" "$T_BIN/stallread" -t 40 127.0.0.1 "$PD_PORT" "$IQN" \
		"iqn.2026-01.org.portico.test:stall$i"
	i=$((i + 1))
done
i=0
until [ "$(stalls_saying '^window ')" -ge $STALLS ] || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
t0=$(date +%s)
sleep 2
rss1=$(pd_rss)
echo "    porticod: $rss0 MiB resident before, $rss1 MiB with $STALLS initiators that never read"
if [ "$(stalls_saying '^window 128 sent 128$')" -eq $STALLS ]; then
	pass stalled-readers-sent
else
	fail stalled-readers-sent "not every stallread filled a window of 128" "$T_TMP/stall1.out"
fi
# 64 MiB a session: an unbounded porticod took 1 GiB each
if [ $((rss1 - rss0)) -lt 768 ]; then
	pass stalled-readers-memory-bounded
else
	fail stalled-readers-memory-bounded "porticod grew by $((rss1 - rss0)) MiB with $STALLS stalled sessions"
fi
peak=$(pd_status .io_memory.peak)
waiting=$(pd_status '[.sessions[].waiting] | add')
if [ -n "$peak" ] && [ "$peak" != null ] && [ "$peak" -le $((STALLS * 64 << 20)) ] &&
	[ "${waiting:-0}" != null ] && [ "${waiting:-0}" -gt 0 ]; then
	pass stalled-readers-commands-wait
else
	fail stalled-readers-commands-wait "io_memory peak '$peak' (at most $((STALLS * 64)) MiB), commands waiting '$waiting'"
fi
check stalled-readers-others-read timeout 10 "$T_BIN/lunio" -i iqn.2026-01.org.portico.test:reader \
	zero "$(url "$IQN" 0)" 0 16384
i=0
until [ "$(stalls_saying '^dropped after ')" -ge $STALLS ] || [ $i -ge 250 ]; do
	sleep 0.1
	i=$((i + 1))
done
dropped=$(grep -c 'dropped (send_timeout)' "$PD_LOG")
if [ "$(stalls_saying '^dropped after ')" -eq $STALLS ] && [ "$dropped" -eq $STALLS ] &&
	[ $(($(date +%s) - t0)) -ge $((SEND_TIMEOUT - 3)) ]; then
	pass stalled-readers-dropped-by-send-timeout
else
	fail stalled-readers-dropped-by-send-timeout "$(stalls_saying '^dropped after ') of $STALLS dropped, $dropped logged" "$T_TMP/stall1.out"
fi
i=0
until [ "$(pd_status .io_memory.used)" = 0 ] || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ "$(pd_status .io_memory.used)" = 0 ] && [ "$(pd_status '.sessions | length')" = 0 ]; then
	pass stalled-readers-memory-back
else
	fail stalled-readers-memory-back "io_memory used $(pd_status .io_memory.used), $(pd_status '.sessions | length') session(s) left"
fi
pd_stop stop-stalled
# ---- connections per address and in all ----
conf_conns() {
	conf_head 2
	cat <<EOF
max_connections = 30;
max_connections_per_address = 20;
backstores = ( { name = "n0"; type = "null"; size = "16M"; } );
targets = ( { iqn = "$IQN"; tpgs = ( { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
  luns = ( { lun = 0; backstore = "n0"; } ); attributes = { generate_node_acls = true; }; } ); } );
EOF
}
# Waits (bounded) until a holdconn's output holds a line matching REGEX.
hold_says() { # FILE REGEX
	i=0
	until grep -qE "$2" "$1" 2>/dev/null || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -qE "$2" "$1"
}
pd_start conf_conns || t_done
helper "$T_TMP/one.out" "$T_BIN/holdconn" -n 25 -t 60 "tcp:127.0.0.1:$PD_PORT"
ONE=$HELPER_PID
# all 25 reach the kernel's queue; porticod closes the 5 beyond 20 at once
if hold_says "$T_TMP/one.out" '^connected 25 refused 0$' && hold_says "$T_TMP/one.out" '^closed 5$'; then
	pass connections-per-address
else
	fail connections-per-address "from one address" "$T_TMP/one.out"
fi
check_fails connections-address-full-refuses-login iscsi-ls -s "iscsi://127.0.0.1:$PD_PORT" &&
	pass connections-address-full-refuses-login
helper "$T_TMP/two.out" "$T_BIN/holdconn" -n 15 -s 127.0.0.2 -t 60 "tcp:127.0.0.1:$PD_PORT"
TWO=$HELPER_PID
# another address gets its own 20, but only 10 of them fit in the 30 of all
if hold_says "$T_TMP/two.out" '^connected 15 refused 0$' && hold_says "$T_TMP/two.out" '^closed 5$'; then
	pass connections-in-all
else
	fail connections-in-all "from another address" "$T_TMP/two.out"
fi
sleep 0.5
if [ "$(grep -c 'refused: 20 from that address already (max_connections_per_address)' "$PD_LOG")" -eq 1 ] &&
	[ "$(grep -c 'refused: 30 connections already (max_connections)' "$PD_LOG")" -eq 1 ] &&
	[ "$(grep -c 'connection from .* refused' "$PD_LOG")" -eq 2 ]; then
	pass connections-refusals-logged-once
else
	fail connections-refusals-logged-once "$(grep -c 'connection from .* refused' "$PD_LOG") lines about refused connections"
fi
[ "$(pd_status .connections.open)" = 30 ] && [ "$(pd_status .connections.refused)" = 11 ] &&
	pass connections-status || fail connections-status "$("$PORTICO" -t 4 --json status | jq -c .connections)"
kill "$ONE" 2>/dev/null
helper_wait "$ONE" 5
i=0
until [ "$(pd_status .connections.open)" = 10 ] || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
check connections-login-after iscsi-ls -s "iscsi://127.0.0.1:$PD_PORT"
kill "$TWO" 2>/dev/null
pd_stop stop-connections
t_done
