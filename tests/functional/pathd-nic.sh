# SPDX-License-Identifier: GPL-2.0-or-later
#
# pathd-nic: portico-pathd's NIC adapter (initiator/adapt/nic.c) on this
# machine's kernel. tests/functional/nicwatch runs it in a network
# namespace of the test's own ("host"), whose storage NICs are veth pairs
# with their peers in a second namespace ("wire": setting a peer down takes
# the carrier away), and prints each report and answer as a line.
#   start                 the NICs at start, lo left out (a new namespace
#                         may hold fallback tunnels, sit0 and the like,
#                         when their modules are loaded: those stay)
#   appears, up, address  a veth made, set up with its peer, an IPv4
#                         address: each reported, the routes changed
#   reach-*               the connected route's NIC answers (with a port,
#                         IPv4-mapped), an address no route covers gets
#                         none, a malformed one is refused
#   carrier-*             the peer set down and up again: carrier goes and
#                         comes back, reported once each; the routes stay
#   two-nics-one-subnet   both NICs reach the subnet
#   two-subnets, default-route, longer-prefix-wins, route-added,
#   route-removed, only-list
#   ipv6-*                an IPv6 address (after DAD) and its reach
#   link-down-*           a NIC set down: IPv4 drops its routes without a
#                         netlink message, and reach follows anyway
#   address-removed-*     the last IPv4 address of a NIC removed: its
#                         routes go, the default route through it too
#   gone, renamed         a NIC deleted; a NIC renamed
#   overflow-*            a burst of events larger than the socket holds,
#                         while nicwatch is stopped: read again, and right
#   stop-in-op            the adapter stopped from inside its own report
#   exit                  nicwatch exits 0 (under BUILD=build-san: without
#                         a sanitizer report, leaks included)
. "$(dirname "$0")/hostlib.sh"
NICWATCH=$T_BIN/nicwatch
t_require "$NICWATCH"

ns_add host || { fail setup "cannot make a network namespace"; t_done; }
H=$NS
ns_add wire || { fail setup "cannot make a network namespace"; t_done; }
P=$NS

# veth NAME in the host namespace, its peer NAMEp in the wire namespace.
veth() { # NAME
	run_ok "veth-$1" ip -n "$H" link add "$1" type veth peer name "$1p" netns "$P"
}

# veth NAME with both ends up.
veth_up() { # NAME
	veth "$1" &&
		run_ok "veth-$1" ip -n "$P" link set "$1p" up &&
		run_ok "veth-$1" ip -n "$H" link set "$1" up
}

# The line nicwatch prints for NAME in that state.
nic_re() { # NAME UP CARRIER ADDR
	echo "^changed $1 ifindex=[0-9]+ up=$2 carrier=$3 addr=$4\$"
}

# "list:" and the NICs at start with NAMES, in nic_mon_list's order (bytes).
list_want() { # NAMES...
	echo "list: $({ echo "$T_BASE"; for n in "$@"; do echo "$n"; done; } |
		grep . | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
}

w_start ip netns exec "$H" "$NICWATCH"
w_expect start '^ready [0-9]+$' || t_done
T_BASE=$(sed -n 's/^nic \([^ ]*\) .*/\1/p' "$W_OUT")
if echo "$T_BASE" | grep -qx lo; then
	fail start-without-loopback "lo was listed" "$W_OUT"
else
	pass start-without-loopback
fi

# ---- a NIC appears, comes up, gets an address ----
w_mark
veth nv1
w_expect appears "$(nic_re nv1 0 0 0)"
w_is list "list" "$(list_want nv1)"

w_mark
run_ok up ip -n "$H" link set nv1 up
run_ok up ip -n "$P" link set nv1p up
w_expect up "$(nic_re nv1 1 1 0)"

w_mark
run_ok address ip -n "$H" addr add 198.18.1.1/24 dev nv1
w_expect address "$(nic_re nv1 1 1 1)"
w_expect address-routes '^routes$'

w_is reach "reach 198.18.1.9" "reach 198.18.1.9: nv1"
w_is reach-port "reach 198.18.1.9:3260" "reach 198.18.1.9:3260: nv1"
w_is reach-v4-mapped "reach [::ffff:198.18.1.9]:3260" "reach [::ffff:198.18.1.9]:3260: nv1"
w_is reach-no-route "reach 203.0.113.9" "reach 203.0.113.9: -"
w_is reach-malformed "reach 198.18.1" "reach 198.18.1: error: Invalid argument"

# ---- carrier goes and comes back: once each ----
w_mark
c_from=$W_FROM
run_ok carrier-lost ip -n "$P" link set nv1p down
w_expect carrier-lost "$(nic_re nv1 1 0 1)"
w_is carrier-lost-keeps-routes "reach 198.18.1.9" "reach 198.18.1.9: nv1"
w_mark
run_ok carrier-back ip -n "$P" link set nv1p up
w_expect carrier-back "$(nic_re nv1 1 1 1)"
W_FROM=$c_from
n=$(w_count '^changed nv1 ')
if [ "$n" -eq 2 ]; then
	pass carrier-reported-once
else
	fail carrier-reported-once "$n 'changed nv1' lines for one loss and one return, not 2" "$W_OUT"
fi

# ---- two NICs on one subnet, a second subnet ----
w_mark
veth_up nv2
run_ok two-nics-one-subnet ip -n "$H" addr add 198.18.1.2/24 dev nv2
w_expect nv2-address "$(nic_re nv2 1 1 1)"
w_expect nv2-routes '^routes$'
w_is two-nics-one-subnet "reach 198.18.1.9" "reach 198.18.1.9: nv1 nv2"

w_mark
veth_up nv3
run_ok two-subnets ip -n "$H" addr add 198.18.2.1/24 dev nv3
w_expect nv3-address "$(nic_re nv3 1 1 1)"
w_expect nv3-routes '^routes$'
w_is two-subnets "reach 198.18.2.9" "reach 198.18.2.9: nv3"

# ---- routes: default, longer prefixes, added and removed, the only-list ----
w_mark
run_ok default-route ip -n "$H" route add default via 198.18.2.254 dev nv3
w_expect default-route-routes '^routes$'
w_is default-route "reach 203.0.113.9" "reach 203.0.113.9: nv3"
w_is longer-prefix-wins "reach 198.18.1.9" "reach 198.18.1.9: nv1 nv2"

w_mark
run_ok route-added ip -n "$H" route add 198.18.1.9/32 dev nv2
w_expect route-added-routes '^routes$'
w_is route-added "reach 198.18.1.9" "reach 198.18.1.9: nv2"
w_is route-added-others "reach 198.18.1.8" "reach 198.18.1.8: nv1 nv2"
w_mark
run_ok route-removed ip -n "$H" route del 198.18.1.9/32 dev nv2
w_expect route-removed-routes '^routes$'
w_is route-removed "reach 198.18.1.9" "reach 198.18.1.9: nv1 nv2"

w_is only-list "reach 198.18.1.9 nv1,nv3" "reach 198.18.1.9: nv1 nv3"
w_is only-list-no-route "reach 198.18.2.9 nv1,nv2" "reach 198.18.2.9: -"

# ---- IPv6 ----
w_mark
veth_up nv4
run_ok ipv6 ip -n "$H" addr add 2001:db8:4::1/64 dev nv4
# a source only once duplicate address detection is done (about a second)
w_expect ipv6-address "$(nic_re nv4 1 1 1)"
w_is ipv6-reach "reach [2001:db8:4::9]:3260" "reach [2001:db8:4::9]:3260: nv4"
w_is ipv6-no-route "reach 2001:db8:5::9" "reach 2001:db8:5::9: -"

# ---- a NIC set down: IPv4 drops its routes without a word ----
w_mark
run_ok link-down ip -n "$H" link set nv2 down
w_expect link-down "$(nic_re nv2 0 0 1)"
w_expect link-down-routes '^routes$'
w_is link-down-drops-routes "reach 198.18.1.9" "reach 198.18.1.9: nv1"

# ---- the last IPv4 address of a NIC removed: its routes go, the default too ----
w_mark
run_ok address-removed ip -n "$H" addr del 198.18.2.1/24 dev nv3
w_expect address-removed "$(nic_re nv3 1 1 0)"
w_expect address-removed-routes '^routes$'
w_is address-removed-subnet "reach 198.18.2.9" "reach 198.18.2.9: -"
w_is address-removed-default "reach 203.0.113.9" "reach 203.0.113.9: -"

# ---- a NIC deleted, a NIC renamed ----
w_mark
run_ok gone ip -n "$H" link del nv2
w_expect gone '^gone nv2$'
w_is gone-list "list" "$(list_want nv1 nv3 nv4)"

w_mark
run_ok renamed ip -n "$H" link set nv4 down
run_ok renamed ip -n "$H" link set nv4 name st4
w_expect renamed-old '^gone nv4$'
w_expect renamed-new "$(nic_re st4 0 0 0)"
w_is renamed-list "list" "$(list_want nv1 nv3 st4)"

# ---- a burst the socket cannot hold, while nicwatch is stopped ----
# 6000 addresses make 12000 messages (RTM_NEWADDR, and RTM_NEWROUTE in the
# local table), several times what the adapter's 1 MiB buffer holds. In
# the same burst: nv1 loses its carrier and nv3 gets a subnet.
i=0
while [ $i -lt 24 ]; do
	j=1
	while [ $j -le 250 ]; do
		echo "address add 198.18.$((128 + i)).$j/32 dev nv1"
		j=$((j + 1))
	done
	i=$((i + 1))
done >"$T_TMP/burst"
echo "address add 198.18.3.1/24 dev nv3" >>"$T_TMP/burst"
w_mark
kill -STOP "$W_PID"
run_ok overflow ip -n "$H" -batch "$T_TMP/burst"
run_ok overflow ip -n "$P" link set nv1p down
kill -CONT "$W_PID"
# 12000 messages to read and drop first: more time than one event takes (ASan is slow)
w_expect overflow-noticed 'netlink events lost' 20
w_expect overflow-carrier "$(nic_re nv1 1 0 1)" 20
w_expect overflow-routes '^routes$' 20
w_is overflow-reach "reach 198.18.3.9" "reach 198.18.3.9: nv3"

# ---- the adapter stopped from inside its own report ----
w_is stop-on "stop-on nv3" "stop-on nv3"
w_mark
run_ok stop-in-op ip -n "$H" link set nv3 down
w_expect stop-in-op '^stopped in op nv3$'
w_is stopped "reach 198.18.1.9" "reach 198.18.1.9: error: stopped"

w_stop exit quit
t_done
