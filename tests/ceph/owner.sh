# SPDX-License-Identifier: GPL-2.0-or-later
#
# owner: one rbd image served by two porticod gateways of one gateway
# group on loopback ports (gw-a through TPG 1, gw-b through TPG 2), on a
# one-node Ceph cluster of its own (tests/ceph/cluster.sh). Checks: an
# image with the exclusive-lock feature refused in a group; one owner (the
# first up) reporting active/optimized for its port, the other
# active/non-optimized; writes through both gateways at once leave the
# ownership where it was; kill -9 of the owner: the other takes the lease
# over after it lapses, the dead owner's client address is in `ceph osd
# blocklist ls`, the new owner's port reports active/optimized and a
# session on it gets ASYMMETRIC ACCESS STATE CHANGED (2A/06); the data
# written through both is on the image; the write stream cut by the kill
# resumes through gw-b, and nothing of gw-a's lands after the fence; then
# gw-a again, a follower, and an explicit transition through its port
# (SET TARGET PORT GROUPS): gw-b hands the lease over, no fence. REPORT TARGET PORT GROUPS
# lists both gateways' groups and is the same through both (the group's membership); a
# follower frozen with SIGSTOP in the middle of a write stream stops writing by itself, is
# blocklisted by the other (`ceph osd blocklist ls`) and dropped from REPORT TARGET PORT
# GROUPS, and its queued write does not land after. A third gateway (gw-c, TPG 3) joins:
# REPORT TARGET PORT GROUPS lists the three groups alike through the three, gw-c serves
# I/O as a follower; then the shell's move: on the follower gw-b, a gateway not in the
# group is refused and the owner is nothing to do, then the LU moves to gw-c (within two
# leases; portico on all three names gw-c, RTPG through all three shows gw-c's group
# active/optimized, the session through gw-a gets 2A/06, writes through gw-a go on), and
# from gw-a back to gw-a; gw-c leaves the list when it stops. Prints the takeover time
# (from the kill to the new owner serving) and the moves' times, which it records but
# does not assert.
# The lease is 6 s here (the default is 15 s) to keep the group short.
. "$(dirname "$0")/../functional/lib.sh"
. "$T_TOP/tests/ceph/cluster.sh"
t_require "$T_BIN/lunio" "$T_BIN/uawatch"

T_START=$(date +%s)
TGT=iqn.2026-01.org.portico.test:owner
LEASE_MS=6000
A_PID=""
C_PID=""
t_cleanup_all() {
	# gw-a when it is not the one lib.sh knows, and gw-c
	for p in $A_PID $C_PID; do
		[ "$p" != "$PD_PID" ] || continue
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	t_cleanup
	ceph_test_down
}
trap 't_rc=$?; t_cleanup_all; exit $t_rc' EXIT
ceph_test_up owner

# without exclusive-lock (and so without object-map and fast-diff): docs/rbd.md
rbd_c create --size 64M --image-feature layering rbd/own0 || { fail image "rbd create failed"; t_done; }

GW=gw-a
TAG=1
IMAGE=rbd/own0
conf() {
	cat <<EOF
control_socket = "$T_TMP/$GW.sock";
backstores = (
  { name = "own0"; type = "rbd"; path = "$IMAGE"; ceph_conf = "$CEPH_CONF";
    gateway_group = "g1"; gateway_name = "$GW"; gateway_lease_ms = "$LEASE_MS"; }
);
targets = (
  { iqn = "$TGT";
    tpgs = ( { tag = $TAG; portals = [ "127.0.0.1:$PD_PORT" ];
               luns = ( { lun = 0; backstore = "own0"; } );
               alua = { explicit = true; };
               attributes = { generate_node_acls = true; demo_mode_write_protect = false; }; } );
  } );
EOF
}

# an image with the default features (exclusive-lock) is refused, saying what to do
rbd_c create --size 16M rbd/ownxl || fail image-xl "rbd create failed"
IMAGE=rbd/ownxl
PD_PORT=$(pick_port)
conf >"$T_TMP/xl.conf"
if run "$PORTICOD" -c "$T_TMP/xl.conf" -f; then
	fail exclusive-lock-refused "porticod served an image with exclusive-lock in a group" "$T_OUT"
elif out_has "exclusive-lock feature.*rbd feature disable rbd/ownxl"; then
	pass exclusive-lock-refused
else
	fail exclusive-lock-refused "porticod failed, but not for the feature" "$T_OUT"
fi
IMAGE=rbd/own0

# waits (bounded: SECONDS) for REGEX in FILE
wait_log() { # FILE REGEX SECONDS
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# gw-a first: it takes the lease
PD_CONF=$T_TMP/gw-a.conf PD_LOG=$T_TMP/gw-a.log
pd_start conf || t_done
A_PID=$PD_PID A_PORT=$PD_PORT A_LOG=$PD_LOG
if wait_log "$A_LOG" "owner 'gw-a': serving as owner" 20; then
	pass a-owner
else
	fail a-owner "gw-a never became the owner" "$A_LOG"
fi
A_ADDR=$(sed -n "s/.*gateway 'gw-a' of group 'g1', client \([^ ,]*\),.*/\1/p" "$A_LOG" | head -n 1)
# portico shows the ownership: owner, this gateway's state, the LU's ALUA state here
i=0
while [ $i -lt 20 ] && ! grep -q "member 'gw-a': registered" "$A_LOG"; do
	sleep 0.1
	i=$((i + 1))
done
if PORTICO_SOCKET=$T_TMP/gw-a.sock pt --json ls /backstores/rbd/own0 &&
	out_has '"owner": *"gw-a"' && out_has '"alua": *"active/optimized"' && out_has '"gateway": *"gw-a"' &&
	out_has '"membership": *"member"'; then
	pass a-shows-ownership
else
	fail a-shows-ownership "portico on gw-a: $(tr -d '\n' <"$T_OUT" | cut -c1-300)" "$T_OUT"
fi

GW=gw-b
TAG=2
PD_CONF=$T_TMP/gw-b.conf PD_LOG=$T_TMP/gw-b.log PD_PID=""
pd_start conf || t_done
B_PORT=$PD_PORT B_LOG=$PD_LOG
UA_URL="iscsi://127.0.0.1:$A_PORT/$TGT/0"
UB_URL="iscsi://127.0.0.1:$B_PORT/$TGT/0"

# each port's state for the LU: gw-a's group 1 active/optimized, gw-b's group 2 active/non-optimized
if ua_start a 7 "$T_INITIATOR" "$UA_URL" && ua_start b 8 "$T_INITIATOR:b" "$UB_URL"; then
	ua a "ready 0"
	ua b "ready 0"
	ua a "rtpg 0"
	case "$UA_ANSWER" in
	"rtpg 0: 1 active/optimized status 2 ports 1"*) pass a-reports-optimized ;;
	*) fail a-reports-optimized "through gw-a: $UA_ANSWER" "$T_TMP/ua-a.out" ;;
	esac
	# every gateway's group, the same answer through both (waits for gw-b's registration)
	RTPG_AB="rtpg 0: 1 active/optimized status 2 ports 1; 2 active/non-optimized status 2 ports 2"
	i=0
	while [ $i -lt 50 ]; do
		ua b "rtpg 0"
		[ "$UA_ANSWER" = "$RTPG_AB" ] && break
		sleep 0.2
		i=$((i + 1))
	done
	case "$UA_ANSWER" in
	"$RTPG_AB") pass b-reports-non-optimized ;;
	*) fail b-reports-non-optimized "through gw-b: $UA_ANSWER" "$T_TMP/ua-b.out" ;;
	esac
	rtpg_b=$UA_ANSWER
	if PORTICO_SOCKET=$T_TMP/gw-b.sock pt --json ls /backstores/rbd/own0 &&
		[ "$(tr -d ' \n' <"$T_OUT" | grep -o '"port_groups":\[[^]]*\]')" = '"port_groups":[{"tpg":1,"gateway":"gw-a","alua":"active/optimized"},{"tpg":2,"gateway":"gw-b","alua":"active/non-optimized"}]' ]; then
		pass b-shows-port-groups
	else
		fail b-shows-port-groups "portico on gw-b: $(tr -d '\n' <"$T_OUT" | cut -c1-600)" "$T_OUT"
	fi
	ua a "rtpg 0"
	if [ "$UA_ANSWER" = "$rtpg_b" ]; then
		pass rtpg-same-both-paths
	else
		fail rtpg-same-both-paths "gw-a: $UA_ANSWER; gw-b: $rtpg_b" "$T_TMP/ua-a.out"
	fi
else
	fail watchers "uawatch did not log in" "$T_TMP/ua-a.out"
fi

# a third gateway (gw-c, TPG 3): REPORT TARGET PORT GROUPS lists the three groups alike
# through the three; gw-c serves I/O as a follower without moving the ownership; stopped,
# it leaves the group cleanly and the list is the two groups again
# the answer through a watcher once it is WANT (bounded: 10 s); UA_ANSWER then
rtpg_until() { # WATCHER WANT
	i=0
	while [ $i -lt 50 ]; do
		ua "$1" "rtpg 0"
		[ "$UA_ANSWER" = "$2" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
RTPG_ABC="rtpg 0: 1 active/optimized status 2 ports 1; 2 active/non-optimized status 2 ports 2; 3 active/non-optimized status 2 ports 3"
RTPG_C="rtpg 0: 1 active/non-optimized status 2 ports 1; 2 active/non-optimized status 2 ports 2; 3 active/optimized status 2 ports 3"
# the times gw-a's log says it serves as owner: the checks below count from it
A_SERVINGS=1

# takes the unit attentions pending on a watcher's session (bounded: 10 commands)
ua_drain() { # WATCHER
	i=0
	while [ $i -lt 10 ]; do
		ua "$1" "tur 0"
		[ "$UA_ANSWER" = "tur 0: GOOD" ] && return 0
		i=$((i + 1))
	done
	return 1
}

# portico --json on gateway GW names OWNER as the LU's owner (bounded: 10 s)
owner_is() { # GW OWNER
	i=0
	while [ $i -lt 50 ]; do
		PORTICO_SOCKET=$T_TMP/$1.sock pt --json ls /backstores/rbd/own0 &&
			out_has "\"owner\": *\"$2\"" && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# writes through gw-a, one session of lunio each, until $T_TMP/mw.stop (bounded: 300
# sessions). A command refused while gw-a's port is in transition (NOT READY 04/0A), or
# that meets the unit attention of the change (2A/06), is tried again, as an initiator
# does (SPC-4 §5.16); any other failure ends it
move_writes() {
	i=0
	n=0
	while [ ! -e "$T_TMP/mw.stop" ] && [ $i -lt 300 ]; do
		if timeout "$T_TIMEOUT" "$T_BIN/lunio" write "$UA_URL" 100000 64 31 >"$T_TMP/mw.one" 2>&1; then
			n=$((n + 1))
		elif grep -Eq "0x040a|0x2a06" "$T_TMP/mw.one"; then
			echo "tried again: $(tail -n 1 "$T_TMP/mw.one")"
		else
			cat "$T_TMP/mw.one"
			return 1
		fi
		i=$((i + 1))
	done
	echo "written $n"
	[ $n -gt 0 ]
}

# the shell's move: from the follower gw-b, the LU to gw-c; then from gw-a, back to gw-a.
# Writes through gw-a go on all along. A name that is no gateway of the group is refused.
move_to_third() {
	mt0=$(date +%s%3N)
	ua_drain a
	rm -f "$T_TMP/mw.stop"
	move_writes >"$T_TMP/mwrites.out" 2>&1 &
	mw=$!
	T_HELPERS="$T_HELPERS $mw"
	if PORTICO_SOCKET=$T_TMP/gw-b.sock pt /backstores/rbd/own0 move gw-x; then
		fail move-unknown-refused "portico on gw-b moved the LU to gw-x" "$T_OUT"
	elif out_has "no live gateway 'gw-x' in group 'g1'"; then
		pass move-unknown-refused
	else
		fail move-unknown-refused "portico on gw-b: $(tr '\n' '|' <"$T_OUT")" "$T_OUT"
	fi
	if PORTICO_SOCKET=$T_TMP/gw-b.sock pt /backstores/rbd/own0 move gw-a &&
		out_has "Nothing to do: gateway 'gw-a' owns 'own0' already"; then
		pass move-to-owner-noop
	else
		fail move-to-owner-noop "portico on gw-b: $(tr '\n' '|' <"$T_OUT")" "$T_OUT"
	fi
	m0=$(date +%s%3N)
	if PORTICO_SOCKET=$T_TMP/gw-b.sock pt /backstores/rbd/own0 move gw-c &&
		out_has "Asked: 'own0' moves from gw-a to gateway 'gw-c' of group 'g1'"; then
		pass move-asked-on-follower
	else
		fail move-asked-on-follower "portico on gw-b: $(tr '\n' '|' <"$T_OUT")" "$T_OUT"
	fi
	# within two leases
	if wait_log "$C_LOG" "owner 'gw-c': serving as owner" $((2 * LEASE_MS / 1000)); then
		echo "owner: moved to gw-c $(($(date +%s%3N) - m0)) ms after portico's move on gw-b"
		pass move-to-c
	else
		fail move-to-c "gw-c did not take the LU" "$C_LOG"
	fi
	if grep -q "owner 'gw-a': handed over" "$A_LOG" && ! grep -q "lease taken over after a lapse" "$C_LOG"; then
		pass move-to-c-clean
	else
		fail move-to-c-clean "no clean hand-over from gw-a" "$A_LOG"
	fi
	if owner_is gw-a gw-c && owner_is gw-b gw-c && owner_is gw-c gw-c; then
		pass move-owner-everywhere
	else
		fail move-owner-everywhere "portico --json: $(tr -d '\n' <"$T_OUT" | cut -c1-300)" "$T_OUT"
	fi
	if PORTICO_SOCKET=$T_TMP/gw-b.sock pt /backstores/rbd/own0 info && out_has '^ *owner: gw-c$' &&
		out_has 'event: move to gw-c asked on this gateway'; then
		pass move-info
	else
		fail move-info "portico info on gw-b: $(tr '\n' '|' <"$T_OUT" | cut -c1-400)" "$T_OUT"
	fi
	# the session through gw-a's portal hears of it first
	ua a "tur 0"
	case "$UA_ANSWER" in
	*"6/2a/06"*) pass move-ua-through-a ;;
	*) fail move-ua-through-a "gw-a's session: $UA_ANSWER" "$T_TMP/ua-a.out" ;;
	esac
	if rtpg_until a "$RTPG_C" && rtpg_until b "$RTPG_C" && rtpg_until c "$RTPG_C"; then
		pass move-rtpg-everywhere
	else
		fail move-rtpg-everywhere "last answer: $UA_ANSWER" "$T_TMP/ua-c.out"
	fi
	# back to gw-a, asked on gw-a (a follower now)
	a_served=$(grep -c "serving as owner" "$A_LOG")
	if PORTICO_SOCKET=$T_TMP/gw-a.sock pt /backstores/rbd/own0 move gw-a &&
		out_has "Asked: 'own0' moves from gw-c to gateway 'gw-a' of group 'g1'"; then
		pass move-back-asked
	else
		fail move-back-asked "portico on gw-a: $(tr '\n' '|' <"$T_OUT")" "$T_OUT"
	fi
	i=0
	while [ $i -lt $((20 * LEASE_MS / 1000)) ] && [ "$(grep -c "serving as owner" "$A_LOG")" -le "$a_served" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ "$(grep -c "serving as owner" "$A_LOG")" = $((a_served + 1)) ] && grep -q "owner 'gw-c': handed over" "$C_LOG" &&
		! grep -q "lease taken over after a lapse" "$A_LOG"; then
		pass move-back
	else
		fail move-back "gw-a did not take the LU back from gw-c cleanly" "$A_LOG"
	fi
	A_SERVINGS=$(grep -c "serving as owner" "$A_LOG")
	if rtpg_until a "$RTPG_ABC" && rtpg_until b "$RTPG_ABC" && rtpg_until c "$RTPG_ABC"; then
		pass move-back-rtpg
	else
		fail move-back-rtpg "last answer: $UA_ANSWER" "$T_TMP/ua-a.out"
	fi
	: >"$T_TMP/mw.stop"
	if helper_wait "$mw" 60; then
		pass move-writes-go-on
	else
		fail move-writes-go-on "a write through gw-a failed: $(tail -n 1 "$T_TMP/mwrites.out")" "$T_TMP/mwrites.out"
	fi
	echo "owner: through gw-a during the moves: $(tail -n 1 "$T_TMP/mwrites.out") sessions, $(grep -c "tried again" "$T_TMP/mwrites.out") tried again"
	check move-data "$T_BIN/lunio" check "$UA_URL" 100000 64 31
	ua_drain a
	ua_drain b
	echo "owner: the shell's moves (to gw-c, and back) and their checks took $(($(date +%s%3N) - mt0)) ms"
}
GW=gw-c
TAG=3
B_PID=$PD_PID
PD_CONF=$T_TMP/gw-c.conf PD_LOG=$T_TMP/gw-c.log PD_PID=""
if pd_start conf; then
	C_PID=$PD_PID C_LOG=$PD_LOG
	UC_URL="iscsi://127.0.0.1:$PD_PORT/$TGT/0"
	if ua_start c 6 "$T_INITIATOR:c" "$UC_URL"; then
		ua c "ready 0"
		if rtpg_until c "$RTPG_ABC" && rtpg_until a "$RTPG_ABC" && rtpg_until b "$RTPG_ABC"; then
			pass three-gateways-rtpg
		else
			fail three-gateways-rtpg "last answer: $UA_ANSWER" "$T_TMP/ua-c.out"
		fi
	else
		fail three-gateways-rtpg "uawatch did not log in to gw-c" "$T_TMP/ua-c.out"
	fi
	check c-writes "$T_BIN/lunio" write "$UC_URL" 12288 64 7
	check c-data-through-a "$T_BIN/lunio" check "$UA_URL" 12288 64 7
	if ! grep -q "serving as owner" "$C_LOG"; then
		pass c-follower
	else
		fail c-follower "gw-c took the LU" "$C_LOG"
	fi
	move_to_third
	pd_stop c-stopped
	C_PID=""
	if rtpg_until a "$RTPG_AB" && rtpg_until b "$RTPG_AB"; then
		pass c-left
	else
		fail c-left "after gw-c's stop: $UA_ANSWER" "$T_TMP/ua-b.out"
	fi
	# the 2A/06 of gw-c's join and leave, reported now: the checks below want none
	for w in a b; do
		i=0
		while [ $i -lt 5 ]; do
			ua "$w" "tur 0"
			[ "$UA_ANSWER" = "tur 0: GOOD" ] && break
			i=$((i + 1))
		done
	done
fi
PD_PID=$B_PID PD_PORT=$B_PORT PD_CONF=$T_TMP/gw-b.conf PD_LOG=$B_LOG

# one initiator writing through both gateways at once: ownership stays
"$T_BIN/lunio" write "$UA_URL" 0 2048 3 >"$T_TMP/wa.out" 2>&1 &
wa=$!
"$T_BIN/lunio" write "$UB_URL" 4096 2048 5 >"$T_TMP/wb.out" 2>&1 &
wb=$!
T_HELPERS="$T_HELPERS $wa $wb"
if helper_wait "$wa" 60 && helper_wait "$wb" 60; then
	pass writes-both-paths
else
	fail writes-both-paths "a write through one of the gateways failed" "$T_TMP/wb.out"
fi
if [ "$(grep -c "serving as owner" "$A_LOG")" = "$A_SERVINGS" ] && ! grep -q "serving as owner" "$B_LOG"; then
	pass no-ownership-change
else
	fail no-ownership-change "ownership moved with I/O on both paths" "$B_LOG"
fi
ua b "tur 0"
case "$UA_ANSWER" in
"tur 0: GOOD") pass no-ua-without-change ;;
*) fail no-ua-without-change "gw-b's session: $UA_ANSWER" "$T_TMP/ua-b.out" ;;
esac

# kill -9 of the owner in the middle of a write stream through it (32 MiB, seed 11):
# gw-b takes over after the lease lapses, fencing gw-a first
# lunio writes one command at a time: 4 MiB writes (the largest transfer is 8 MiB) over
# 32 MiB, ROUNDS times over (gw-a's stream runs until the kill: 64 rounds at most)
stream() { # URL SEED VERB ROUNDS
	i=0
	while [ $i -lt $((8 * $4)) ]; do
		timeout "$T_TIMEOUT" "$T_BIN/lunio" "$3" "$1" $((16384 + (i % 8) * 8192)) 8192 "$2" || return 1
		echo "acknowledged $i"
		i=$((i + 1))
	done
}
stream "$UA_URL" 11 write 64 >"$T_TMP/stream.out" 2>&1 &
ws=$!
T_HELPERS="$T_HELPERS $ws"
sleep 1
t0=$(date +%s%3N)
kill -KILL "$A_PID" 2>/dev/null
wait "$A_PID" 2>/dev/null
A_PID=""
if wait_log "$B_LOG" "owner 'gw-b': serving as owner" 60; then
	takeover=$(($(date +%s%3N) - t0))
	echo "owner: takeover $takeover ms after kill -9 of the owner (lease $LEASE_MS ms)"
	pass takeover
else
	fail takeover "gw-b did not take over within 60 s" "$B_LOG"
fi
if grep -Eq "blocklisted the previous owner .* of 'own0'" "$B_LOG" &&
	[ "$(grep -n "blocklisted the previous owner" "$B_LOG" | head -n 1 | cut -d: -f1)" -lt \
		"$(grep -n "serving as owner" "$B_LOG" | head -n 1 | cut -d: -f1)" ]; then
	pass fenced-before-serving
else
	fail fenced-before-serving "no blocklist before serving" "$B_LOG"
fi
if [ -n "$A_ADDR" ] && ceph_c osd blocklist ls 2>/dev/null | grep -qF "$A_ADDR"; then
	pass old-owner-blocklisted
else
	fail old-owner-blocklisted "gw-a's address '$A_ADDR' not in: $(ceph_c osd blocklist ls 2>&1 | tr '\n' ' ')"
fi
ua b "tur 0"
case "$UA_ANSWER" in
*"6/2a/06"*) pass ua-state-changed ;;
*) fail ua-state-changed "gw-b's session: $UA_ANSWER" "$T_TMP/ua-b.out" ;;
esac
# gw-a lapsed from the group and fenced: its group gone from the list (or unavailable
# while the fence is under way)
i=0
while [ $i -lt 50 ]; do
	ua b "rtpg 0"
	[ "$UA_ANSWER" = "rtpg 0: 2 active/optimized status 2 ports 2" ] && break
	sleep 0.2
	i=$((i + 1))
done
case "$UA_ANSWER" in
"rtpg 0: 2 active/optimized status 2 ports 2") pass b-reports-optimized ;;
*) fail b-reports-optimized "through gw-b: $UA_ANSWER" "$T_TMP/ua-b.out" ;;
esac
if PORTICO_SOCKET=$T_TMP/gw-b.sock pt --json ls /backstores/rbd/own0 &&
	out_has '"owner": *"gw-b"' && out_has '"state": *"owner"' && out_has '"event": *"blocklisted '; then
	pass b-shows-takeover
else
	fail b-shows-takeover "portico on gw-b: $(tr -d '\n' <"$T_OUT" | cut -c1-400)" "$T_OUT"
fi
# and the shell draws it for people
if PORTICO_SOCKET=$T_TMP/gw-b.sock pt /backstores/rbd/own0 info && out_has '^ *owner: gw-b$' &&
	out_has '^ *alua: active/optimized$' && out_has 'event: blocklisted '; then
	pass b-info-ownership
else
	fail b-info-ownership "portico info on gw-b: $(tr '\n' '|' <"$T_OUT" | cut -c1-400)" "$T_OUT"
fi
# the stream resumes through gw-b over the same blocks (seed 12); a write gw-a had
# not acknowledged must not land after the fence: the image keeps gw-b's data
if helper_wait "$ws" 30; then
	fail stream-cut "gw-a's write stream was not cut by the kill" "$T_TMP/stream.out"
else
	pass stream-cut
	echo "owner: gw-a acknowledged $(grep -c acknowledged "$T_TMP/stream.out") writes of 4 MiB before the kill"
fi
if stream "$UB_URL" 12 write 1 >"$T_OUT" 2>&1; then
	pass stream-resumed
else
	fail stream-resumed "writing through gw-b: $(tail -n 1 "$T_OUT")" "$T_OUT"
fi
sleep 2
if stream "$UB_URL" 12 check 1 >"$T_OUT" 2>&1; then
	pass no-late-write
else
	fail no-late-write "not gw-b's data: $(tail -n 1 "$T_OUT")" "$T_OUT"
fi
check data-a "$T_BIN/lunio" check "$UB_URL" 0 2048 3
check data-b "$T_BIN/lunio" check "$UB_URL" 4096 2048 5
check write-after "$T_BIN/lunio" write "$UB_URL" 8192 64 9
# gw-b, a follower, frozen (SIGSTOP) in the middle of a write stream through it (seed
# 21): it stops writing by itself (its membership is not renewed), gw-a blocklists its
# client and drops its group; gw-a then writes the same blocks (seed 22), gw-b thaws, and
# what gw-b's client had queued must not land after: the image keeps gw-a's data
follower_frozen() {
	B_ADDR=$(sed -n "s/.*gateway 'gw-b' of group 'g1', client \([^ ,]*\),.*/\1/p" "$B_LOG" | head -n 1)
	# nothing pending on gw-a's session: the next attention is the membership's
	ua a2 "tur 0"
	ua_is a2-quiet a2 "tur 0" "tur 0: GOOD"
	stream "$UB_URL" 21 write 64 >"$T_TMP/fstream.out" 2>&1 &
	fs=$!
	T_HELPERS="$T_HELPERS $fs"
	sleep 1
	f0=$(date +%s%3N)
	kill -STOP "$B_PID"
	if wait_log "$A_LOG" "blocklisted the lapsed member 'gw-b'" 30; then
		echo "owner: the frozen follower fenced $(($(date +%s%3N) - f0)) ms after SIGSTOP (lease $LEASE_MS ms)"
		pass follower-fenced
	else
		fail follower-fenced "gw-a did not fence the frozen gw-b" "$A_LOG"
	fi
	if [ -n "$B_ADDR" ] && ceph_c osd blocklist ls 2>/dev/null | grep -qF "$B_ADDR"; then
		pass follower-blocklisted
	else
		fail follower-blocklisted "gw-b's address '$B_ADDR' not in: $(ceph_c osd blocklist ls 2>&1 | tr '\n' ' ')"
	fi
	# the membership changed what gw-a reports: 2A/06 on its session first
	ua a2 "tur 0"
	case "$UA_ANSWER" in
	*"6/2a/06"*) pass ua-on-member-change ;;
	*) fail ua-on-member-change "gw-a's session: $UA_ANSWER" "$T_TMP/ua-a2.out" ;;
	esac
	i=0
	while [ $i -lt 50 ]; do
		ua a2 "rtpg 0"
		[ "$UA_ANSWER" = "rtpg 0: 1 active/optimized status 2 ports 1" ] && break
		sleep 0.2
		i=$((i + 1))
	done
	case "$UA_ANSWER" in
	"rtpg 0: 1 active/optimized status 2 ports 1") pass follower-dropped ;;
	*) fail follower-dropped "through gw-a: $UA_ANSWER" "$T_TMP/ua-a2.out" ;;
	esac
	if PORTICO_SOCKET=$T_TMP/gw-a.sock pt /backstores/rbd/own0 info &&
		out_has "event: blocklisted the lapsed member gw-b" && out_has '^ *- tpg: 1$' &&
		! out_has '^ *- tpg: 2$'; then
		pass a-info-member-fence
	else
		fail a-info-member-fence "portico info on gw-a: $(tr '\n' '|' <"$T_OUT" | cut -c1-600)" "$T_OUT"
	fi
	if stream "$UA_URL" 22 write 1 >"$T_OUT" 2>&1; then
		pass write-over-frozen
	else
		fail write-over-frozen "writing through gw-a: $(tail -n 1 "$T_OUT")" "$T_OUT"
	fi
	kill -CONT "$B_PID"
	wait_log "$B_LOG" "writes stopped: this gateway is blocklisted|the group fenced this gateway" 15
	sleep 2
	if stream "$UA_URL" 22 check 1 >"$T_OUT" 2>&1; then
		pass no-late-follower-write
	else
		fail no-late-follower-write "not gw-a's data: $(tail -n 1 "$T_OUT")" "$T_OUT"
	fi
	helper_wait "$fs" 30
}

# gw-a again (a new client, a new address): a follower; then an explicit transition
# through its port (SET TARGET PORT GROUPS, its group to active/optimized): gw-b hands
# the lease over and gw-a takes it without a fence
B_PID=$PD_PID
PD_CONF=$T_TMP/gw-a.conf PD_LOG=$T_TMP/gw-a.log PD_PORT=$A_PORT
if pd_restart; then
	A_PID=$PD_PID
	if ua_start a2 9 "$T_INITIATOR" "$UA_URL"; then
		ua a2 "ready 0"
		i=0
		while [ $i -lt 50 ]; do
			ua a2 "rtpg 0"
			case "$UA_ANSWER" in "rtpg 0: 1 active/non-optimized"*) break ;; esac
			sleep 0.2
			i=$((i + 1))
		done
		case "$UA_ANSWER" in
		"rtpg 0: 1 active/non-optimized"*) pass a-back-as-follower ;;
		*) fail a-back-as-follower "through gw-a: $UA_ANSWER" "$T_TMP/ua-a2.out" ;;
		esac
		ua_is stpg-to-a a2 "stpg 0 1 0" "stpg 0: GOOD"
		# one more "serving as owner" in gw-a's log (the others were before the kill)
		i=0
		while [ $i -lt 300 ] && [ "$(grep -c "serving as owner" "$A_LOG")" -le "$A_SERVINGS" ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if [ "$(grep -c "serving as owner" "$A_LOG")" = $((A_SERVINGS + 1)) ]; then
			pass explicit-move
		else
			fail explicit-move "gw-a did not take the LU over" "$A_LOG"
		fi
		if grep -q "owner 'gw-b': handed over" "$B_LOG" &&
			! grep -q "owner 'gw-a': lease taken over after a lapse" "$A_LOG"; then
			pass explicit-move-clean
		else
			fail explicit-move-clean "no clean hand-over" "$B_LOG"
		fi
		ua b "tur 0"
		case "$UA_ANSWER" in
		*"6/2a/06"*) pass ua-on-old-owner ;;
		*) fail ua-on-old-owner "gw-b's session: $UA_ANSWER" "$T_TMP/ua-b.out" ;;
		esac
		ua_is b-non-optimized-again b "rtpg 0" "$RTPG_AB"
		check data-after-move "$T_BIN/lunio" check "$UA_URL" 8192 64 9
		follower_frozen
	else
		fail a-back-as-follower "uawatch did not log in to gw-a" "$T_TMP/ua-a2.out"
	fi
fi
PD_PID=$B_PID PD_CONF=$T_TMP/gw-b.conf PD_LOG=$B_LOG PD_PORT=$B_PORT
pd_stop stop

echo "owner: the group took $(($(date +%s) - T_START)) s"
t_done
