# SPDX-License-Identifier: GPL-2.0-or-later
#
# pathd-sockkill: portico-pathd's socket killer (initiator/adapt/sockkill.c)
# on this machine's kernel. tests/functional/sockcheck runs it in a network
# namespace of the test's own ("host"), whose NIC st0 is a veth pair with
# its peer in a second namespace ("wire") where sockcheck serve listens, as
# a portal would; so the dumps see the test's sockets only.
#   probe            the kernel can destroy sockets; when it cannot
#                    (CONFIG_INET_DIAG_DESTROY), the group says so and
#                    skips the rest
#   no-match-*       a port nothing is connected to, a device the sockets
#                    are not bound to: nothing destroyed, both stay open
#   one-by-port      remote and local port: that one connection gets
#                    ECONNABORTED, its sibling stays open
#   exact*           both ends and the device given (what pathd knows of a
#                    session): found by one lookup, no dump; a wrong device
#                    takes nothing; without the device the lookup misses the
#                    bound socket and the dumps find it; a socket already
#                    gone is no error
#   carrier-gone     the peer's end set down (st0 loses its carrier) with
#                    data unsent, a receive blocked in another thread:
#                    killed by device and remote, the receive ends with
#                    ECONNABORTED (not its 10 s timeout)
#   by-local-address an unbound socket, by local and remote address
#   ipv6             the same over IPv6
#   server-side-kept a connection in this namespace to a listener in it:
#                    only the client's end is taken (its remote port), the
#                    accepted end and the listener stay
#   refused          a match without an address is refused, not a wildcard
#   exit             sockcheck exits 0 (under BUILD=build-san: without a
#                    sanitizer report, leaks included)
# The time each kill took is printed (us=), not asserted.
. "$(dirname "$0")/hostlib.sh"
SC=$T_BIN/sockcheck
t_require "$SC"
T_WAIT=15

ns_add host || { fail setup "cannot make a network namespace"; t_done; }
H=$NS
ns_add wire || { fail setup "cannot make a network namespace"; t_done; }
P=$NS
run_ok setup ip -n "$H" link set lo up &&
	run_ok setup ip -n "$P" link set lo up &&
	run_ok setup ip -n "$H" link add st0 type veth peer name st0p netns "$P" &&
	run_ok setup ip -n "$H" addr add 198.18.77.2/24 dev st0 &&
	run_ok setup ip -n "$H" addr add fd5e::2/64 dev st0 nodad &&
	run_ok setup ip -n "$P" addr add 198.18.77.1/24 dev st0p &&
	run_ok setup ip -n "$P" addr add fd5e::1/64 dev st0p nodad &&
	run_ok setup ip -n "$H" link set st0 up &&
	run_ok setup ip -n "$P" link set st0p up || t_done

# the portals, in the wire namespace: held open by their stdin, ended by the exit trap
mkfifo "$T_TMP/serve.in" || { fail setup "mkfifo"; t_done; }
exec 8<>"$T_TMP/serve.in"
ip netns exec "$P" "$SC" serve 198.18.77.1:3260 198.18.77.1:3261 "[fd5e::1]:3260" \
	<"$T_TMP/serve.in" >"$T_TMP/serve.out" 2>&1 &
SERVE_PID=$!
i=0
while ! grep -q '^listening' "$T_TMP/serve.out" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
grep -q '^listening' "$T_TMP/serve.out" || { fail setup "sockcheck serve did not listen" "$T_TMP/serve.out"; t_done; }

w_start ip netns exec "$H" "$SC"

w_cmd probe
case "$W_ANSWER" in
supported) pass probe ;;
unsupported:*)
	echo "SKIP: $T_GROUP: this kernel cannot destroy sockets: ${W_ANSWER#unsupported: }"
	w_stop exit quit
	kill "$SERVE_PID" 2>/dev/null
	t_done ;;
*) fail probe "answered '$W_ANSWER'" "$W_OUT" ;;
esac

# A connection, its local port in PORT.
conn() { # CHECK NAME DEV SRC ADDR:PORT
	w_cmd "connect $2 $3 $4 $5"
	case "$W_ANSWER" in
	"ok "*) PORT=${W_ANSWER#ok } ;;
	*) fail "$1" "connect $2: $W_ANSWER" "$W_OUT"; PORT="" ;;
	esac
}

# A kill whose answer must start with WANT ("matched=1 destroyed=1 gone=0").
kill_is() { # CHECK WANT ARGS...
	k_check=$1
	k_want=$2
	shift 2
	w_cmd "kill $*"
	echo "    kill $*: $W_ANSWER"
	case "$W_ANSWER" in
	"$k_want "*) return 0 ;;
	esac
	fail "$k_check" "kill $* answered '$W_ANSWER', expected '$k_want ...'" "$W_OUT"
	return 1
}

# The state of connection NAME must be WANT (EAGAIN: open; ECONNABORTED: killed).
state_is() { # CHECK NAME WANT
	w_cmd "peek $2"
	[ "$W_ANSWER" = "$3" ] && return 0
	fail "$1" "connection $2 is '$W_ANSWER', expected '$3'" "$W_OUT"
	return 1
}

conn setup a st0 198.18.77.2 198.18.77.1:3260
PA=$PORT
conn setup b st0 198.18.77.2 198.18.77.1:3260
conn setup g st0 198.18.77.2 198.18.77.1:3260
PG=$PORT
conn setup h st0 198.18.77.2 198.18.77.1:3260
PH=$PORT
conn setup c - 198.18.77.2 198.18.77.1:3261
conn setup d st0 fd5e::2 "[fd5e::1]:3260"

kill_is no-match-port "matched=0 destroyed=0 gone=0" remote=198.18.77.1:3262 &&
	state_is no-match-port a EAGAIN && state_is no-match-port b EAGAIN && pass no-match-port
kill_is no-match-dev "matched=0 destroyed=0 gone=0" remote=198.18.77.1:3260 dev=lo &&
	state_is no-match-dev a EAGAIN && state_is no-match-dev b EAGAIN && pass no-match-dev

kill_is one-by-port "matched=1 destroyed=1 gone=0" remote=198.18.77.1:3260 "lport=$PA" &&
	state_is one-by-port a ECONNABORTED && state_is one-by-port b EAGAIN && pass one-by-port

# both ends known, as sesstmo reads them: one lookup in the kernel's hash, no dump
kill_is exact-wrong-dev "matched=0 destroyed=0 gone=0 dumps=0" remote=198.18.77.1:3260 \
	laddr=198.18.77.2 "lport=$PG" dev=lo && state_is exact-wrong-dev g EAGAIN && pass exact-wrong-dev
kill_is exact "matched=1 destroyed=1 gone=0 dumps=0" remote=198.18.77.1:3260 \
	laddr=198.18.77.2 "lport=$PG" dev=st0 && state_is exact g ECONNABORTED &&
	state_is exact b EAGAIN && pass exact
# the same without the device: the lookup misses a bound socket, the dumps find it
kill_is exact-no-dev "matched=1 destroyed=1 gone=0 dumps=2" remote=198.18.77.1:3260 \
	laddr=198.18.77.2 "lport=$PH" && state_is exact-no-dev h ECONNABORTED && pass exact-no-dev
# a socket that is gone: nothing to do, and no error
kill_is exact-gone "matched=0 destroyed=0 gone=0 dumps=0" remote=198.18.77.1:3260 \
	laddr=198.18.77.2 "lport=$PG" dev=st0 && pass exact-gone

# the cable pulled: unsent data, a reader blocked; the kill ends the read
w_cmd "wait b"
if run_ok carrier-gone ip -n "$P" link set st0p down; then
	w_cmd "send b 65536"
	kill_is carrier-gone "matched=1 destroyed=1 gone=0" remote=198.18.77.1:3260 dev=st0 &&
		w_is carrier-gone "join b" ECONNABORTED
fi
run_ok carrier-gone ip -n "$P" link set st0p up

kill_is by-local-address "matched=1 destroyed=1 gone=0" remote=198.18.77.1:3261 \
	laddr=198.18.77.2 && state_is by-local-address c ECONNABORTED && pass by-local-address

kill_is ipv6 "matched=1 destroyed=1 gone=0" "remote=[fd5e::1]:3260" laddr=fd5e::2 &&
	state_is ipv6 d ECONNABORTED && pass ipv6

# a listener and a connection to it, both here: the accepted end has 3260 as its local port
w_cmd "listen 127.0.0.1:3260"
[ "$W_ANSWER" = ok ] || fail server-side-kept "listen: $W_ANSWER" "$W_OUT"
conn server-side-kept e - 127.0.0.1 127.0.0.1:3260
kill_is server-side-kept "matched=1 destroyed=1 gone=0" remote=127.0.0.1:3260 &&
	state_is server-side-kept e ECONNABORTED &&
	conn server-side-kept f - 127.0.0.1 127.0.0.1:3260 &&
	state_is server-side-kept f EAGAIN && pass server-side-kept

w_cmd "kill dev=st0"
case "$W_ANSWER" in
"error: the remote address is not IPv4 or IPv6"*) pass refused ;;
*) fail refused "kill without a remote address answered '$W_ANSWER'" "$W_OUT" ;;
esac

w_stop exit quit
exec 8>&-
kill "$SERVE_PID" 2>/dev/null
wait "$SERVE_PID" 2>/dev/null
t_done
