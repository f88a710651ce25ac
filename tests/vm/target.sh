# SPDX-License-Identifier: GPL-2.0-or-later
#
# The VM lab's iSCSI target, run inside the lab's network namespace. Sourced
# by tests/vm/run.sh. The one place that knows which target serves the lab:
#   PORTICO_VM_TARGET=porticod   $BUILD/bin/porticod -c FILE -f (the default)
#   PORTICO_VM_TARGET=tgt        Debian's tgtd, the stand-in, on its own
#                                control port (never a system tgtd)
#
# The lab's storage, in variants:
#   base     fs 64 MiB, fio 64 MiB, thin 64 MiB (thin provisioned), and with
#            porticod a LUN 'other' mapped only to another initiator, and
#            the fio LU mapped (as LUN 1) to a second node, $NODE2_IQN
#   changed  fs grown to 96 MiB, a new LUN 'extra' (32 MiB), thin unmapped
#   pathd    base, and two more targets the guest discovers: $TARGET_IQN-chap
#            (one LUN 'chapdisk', 32 MiB; the guest must log in with CHAP,
#            user $CHAP_USER, secret $CHAP_SECRET) and $TARGET_IQN-nolun
#            (the guest has an ACL there, and no LUN) (porticod only)
#   alua     base, with each portal in a TPG of its own: TPG 1 ($PORTAL0)
#            active/optimized and preferred, TPG 2 ($PORTAL1) standby
#            (porticod only); step alua-swap turns them round live
#   gateways no files: a one-node Ceph cluster in the lab's namespace and two
#            porticod gateways of one group serving one rbd image as LUN 0
#            of $TARGET_IQN: gw-a on $PORTAL0 (TPG 1), gw-b on $PORTAL1
#            (TPG 2), gw-a first, so that it owns the LU (porticod only;
#            target_gateway kills and restarts them)
# The live scenario goes from base to changed while the guest is logged in:
# with porticod live, through its control socket (target_live_change); tgt
# cannot resize a LUN live, so with tgt the target restarts with 'changed'.
#
# Needs: LAB (the lab's directory), NS (namespace), PORTAL0/PORTAL1 (ip:port),
# TARGET_IQN, INITIATOR_IQN, OTHER_IQN, NODE2_IQN, BUILD.

TARGET_KIND=${PORTICO_VM_TARGET:-porticod}
target_pid=""
target_ctl_port=""

# The gateways variant's cluster: tests/ceph/cluster.sh, as the ceph tests
# start it. Its lock's fd is 7: run.sh holds the lab's lock on fd 9,
# cluster.sh's default, and must keep it.
. "$VM_DIR/../ceph/cluster.sh"
# shellcheck disable=SC2034 # cluster.sh's; the gateways' pids are read through eval
CEPH_LOCK_FD=7 gw_a_pid="" gw_b_pid=""
GW_LEASE_MS=6000
GW_IMAGE=rbd/vm1

# Whether process $1 runs (a child that exited is a zombie until waited for,
# and kill -0 still finds it).
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	case "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" in
	Z | X | "") return 1 ;;
	esac
	return 0
}

# "lun:name:MiB ..." the guest's initiator sees in a variant.
target_luns() { # $1 variant
	case "$TARGET_KIND:$1" in
	porticod:base) echo "0:fs:64 1:fio:64 2:thin:64" ;;
	porticod:changed) echo "0:fs:96 1:fio:64 4:extra:32" ;;
	porticod:pathd) echo "0:fs:64 1:fio:64 2:thin:64" ;;
	porticod:alua) echo "0:fs:64 1:fio:64 2:thin:64" ;;
	porticod:gateways) echo "0:vm1:64" ;;
	tgt:base) echo "1:fs:64 2:fio:64 3:thin:64" ;;
	tgt:changed) echo "1:fs:96 2:fio:64 4:extra:32" ;;
	esac
}

# LUNs REPORT LUNS lists beyond the guest's disks (tgt's controller LUN 0).
target_extra_reported() {
	case "$TARGET_KIND" in
	tgt) echo "0" ;;
	*) echo "" ;;
	esac
}

# Sizes the backing files for a variant: sparse files, set to the variant's
# size (growing keeps the data; the base variant shrinks a grown one back).
target_prepare_store() { # $1 variant
	mkdir -p "$LAB/store" || return 1
	for e in $(target_luns "$1") other:other:32 $(target_extra_stores "$1"); do
		n=${e#*:}
		s=${n#*:}
		truncate -s "${s}M" "$LAB/store/${n%%:*}.img" || return 1
	done
}

target_write_porticod_conf() { # $1 variant, $2 file
	{
		echo "# SPDX-License-Identifier: GPL-2.0-or-later"
		echo "# written by tests/vm/target.sh, variant $1"
		echo "control_socket = \"$LAB/porticod.sock\";"
		echo "io_threads = 2;"
		# The auth guard counts and locks out as by default, but answers at
		# once: the pathd scenario checks that a wrong CHAP secret shows in
		# pathd's status soon, and delayed answers keep its logins pending
		# (docs/configuration.md, "Failed logins").
		echo "auth_guard = { delay_ms = 0; delay_max_ms = 0; };"
		echo "backstores = ("
		sep=""
		for e in $(target_luns "$1") other:other:32 $(target_extra_stores "$1"); do
			n=${e#*:}
			thin=false
			[ "${n%%:*}" = thin ] && thin=true
			printf '%s  { name = "%s"; type = "file"; path = "%s"; size = "%sM"; thin = %s; }' \
				"$sep" "${n%%:*}" "$LAB/store/${n%%:*}.img" "${n#*:}" "$thin"
			sep=",
"
		done
		echo
		echo ");"
		echo "targets = ("
		echo "  { iqn = \"$TARGET_IQN\";"
		if [ "$1" = alua ]; then
			echo "    tpgs = ( { tag = 1;"
			echo "      portals = [ \"$PORTAL0\" ];"
			echo "      alua = { preferred = true; };"
			target_tpg_body "$1"
			echo "    }, { tag = 2;"
			echo "      portals = [ \"$PORTAL1\" ];"
			echo "      alua = { state = \"standby\"; };"
		else
			echo "    tpgs = ( { tag = 1;"
			echo "      portals = [ \"$PORTAL0\", \"$PORTAL1\" ];"
		fi
		target_tpg_body "$1"
		echo "    } );"
		echo "  }"
		target_extra_targets "$1"
		echo ");"
	} >"$2" || return 1
	# it may hold CHAP secrets: porticod warns about a file others can read
	chmod 600 "$2"
}

# A TPG's LUNs and ACLs in a variant (the guest's, and the other initiator's).
target_tpg_body() { # $1 variant
	echo "      luns = ("
	sep=""
	for e in $(target_luns "$1") 3:other:32; do
		n=${e#*:}
		printf '%s        { lun = %s; backstore = "%s"; }' "$sep" "${e%%:*}" "${n%%:*}"
		sep=",
"
	done
	echo
	echo "      );"
	echo "      acls = ("
	printf '        { initiator = "%s"; mapped_luns = (' "$INITIATOR_IQN"
	sep=""
	for e in $(target_luns "$1"); do
		printf '%s { lun = %s; tpg_lun = %s; }' "$sep" "${e%%:*}" "${e%%:*}"
		sep=","
	done
	echo " ); },"
	echo "        { initiator = \"$OTHER_IQN\"; mapped_luns = ( { lun = 0; tpg_lun = 3; } ); },"
	# the second node of a cluster (the pr scenario): the fio LU, shared
	echo "        { initiator = \"$NODE2_IQN\"; mapped_luns = ( { lun = 1; tpg_lun = 1; } ); }"
	echo "      );"
}

# The backstores of the pathd variant's extra targets ("lun:name:MiB").
target_extra_stores() { # $1 variant
	[ "$1" = pathd ] && echo "0:chapdisk:32"
}

# The pathd variant's extra targets, as entries of porticod.conf's targets list.
target_extra_targets() { # $1 variant
	[ "$1" = pathd ] || return 0
	cat <<EOF
  ,
  { iqn = "$TARGET_IQN-chap";
    tpgs = ( { tag = 1; portals = [ "$PORTAL0", "$PORTAL1" ];
      luns = ( { lun = 0; backstore = "chapdisk"; } );
      acls = ( { initiator = "$INITIATOR_IQN"; userid = "$CHAP_USER"; password = "$CHAP_SECRET"; } );
    } );
  },
  { iqn = "$TARGET_IQN-nolun";
    tpgs = ( { tag = 1; portals = [ "$PORTAL0", "$PORTAL1" ];
      luns = ( { lun = 0; backstore = "other"; } );
      acls = ( { initiator = "$INITIATOR_IQN"; mapped_luns = ( ); } );
    } );
  }
EOF
}

tgt_adm() { tgtadm -C "$target_ctl_port" --lld iscsi "$@"; }

target_start_tgt() { # $1 variant
	target_ctl_port=$((20000 + $$ % 10000)) # tgtd takes ports below 32768
	ip netns exec "$NS" tgtd -f -C "$target_ctl_port" --iscsi "portal=$PORTAL0,portal=$PORTAL1" \
		>>"$LAB/target.log" 2>&1 &
	target_pid=$!
	n=0
	until tgt_adm --op show --mode target >/dev/null 2>&1; do
		n=$((n + 1))
		if [ $n -gt 50 ] || ! alive "$target_pid"; then
			echo "target: tgtd did not start" >&2
			return 1
		fi
		sleep 0.2
	done
	tgt_adm --op new --mode target --tid 1 -T "$TARGET_IQN" || return 1
	for e in $(target_luns "$1"); do
		n=${e#*:}
		n=${n%%:*}
		tgt_adm --op new --mode logicalunit --tid 1 --lun "${e%%:*}" -b "$LAB/store/$n.img" || return 1
		if [ "$n" = thin ]; then
			tgt_adm --op update --mode logicalunit --tid 1 --lun "${e%%:*}" \
				--params thin_provisioning=1 || return 1
		fi
	done
	tgt_adm --op bind --mode target --tid 1 --initiator-name "$INITIATOR_IQN"
}

target_start_porticod() { # $1 variant
	bin="$BUILD/bin/porticod"
	[ -x "$bin" ] || { echo "target: $bin is missing (make)" >&2; return 1; }
	target_write_porticod_conf "$1" "$LAB/porticod.conf" || return 1
	"$bin" -t -c "$LAB/porticod.conf" >>"$LAB/target.log" 2>&1 || {
		echo "target: porticod refuses the lab's configuration:" >&2
		tail -5 "$LAB/target.log" >&2
		return 1
	}
	ip netns exec "$NS" "$bin" -c "$LAB/porticod.conf" -f -v >>"$LAB/target.log" 2>&1 &
	target_pid=$!
	# up when both portals listen
	n=0
	while :; do
		l=$(ip netns exec "$NS" ss -Hltn 2>/dev/null)
		case "$l" in *"$PORTAL0"*) case "$l" in *"$PORTAL1"*) break ;; esac ;; esac
		n=$((n + 1))
		if [ $n -gt 50 ] || ! alive "$target_pid"; then
			echo "target: porticod did not start" >&2
			return 1
		fi
		sleep 0.2
	done
}

# gw-X's porticod.conf: the gateways variant's one LU, on one portal, in a
# TPG of its own (tag: the relative port and the port group the guest sees),
# implicit ALUA only (porticod's default), so that the guest's alua handler
# sends no SET TARGET PORT GROUPS and ownership moves only by the lease.
target_write_gateway_conf() { # $1 a|b, $2 tag, $3 portal
	cat >"$LAB/gw-$1.conf" <<EOF || return 1
# SPDX-License-Identifier: GPL-2.0-or-later
# written by tests/vm/target.sh, variant gateways, gateway gw-$1
control_socket = "$LAB/gw-$1.sock";
io_threads = 2;
auth_guard = { delay_ms = 0; delay_max_ms = 0; };
backstores = (
  { name = "vm1"; type = "rbd"; path = "$GW_IMAGE"; ceph_conf = "$CEPH_CONF";
    gateway_group = "lab"; gateway_name = "gw-$1"; gateway_lease_ms = "$GW_LEASE_MS"; }
);
targets = (
  { iqn = "$TARGET_IQN";
    tpgs = ( { tag = $2;
      portals = [ "$3" ];
      luns = ( { lun = 0; backstore = "vm1"; } );
      acls = ( { initiator = "$INITIATOR_IQN"; mapped_luns = ( { lun = 0; tpg_lun = 0; } ); } );
    } );
  } );
EOF
	chmod 600 "$LAB/gw-$1.conf"
}

# target_gateway VERB a|b: one gateway of the gateways variant. Prints one
# line for the guest (run.sh's answer). Verbs:
#   kill      SIGKILL, as a machine dies: no lease released, nothing flushed
#   start     starts it (again) and waits until its portal listens
#   state     its view of the LU: "owner=NAME state=STATE alua=STATE"
#   takeover  the ms from the last kill to this gateway's "serving as owner"
#             after it (porticod's log stamps), once it has logged that
gw_killed_ms=""
target_gateway() { # VERB a|b
	case "$2" in
	a) _portal=$PORTAL0 ;;
	b) _portal=$PORTAL1 ;;
	*) echo "target: no gateway '$2' (a, b)" >&2; return 2 ;;
	esac
	eval "_pid=\${gw_${2}_pid}"
	case "$1" in
	kill)
		[ -n "$_pid" ] || { echo "target: gw-$2 is not running" >&2; return 1; }
		gw_killed_ms=$(date +%s%3N)
		kill -9 "$_pid" 2>/dev/null
		wait "$_pid" 2>/dev/null
		eval "gw_${2}_pid=''"
		echo "=== gw-$2 killed (SIGKILL) at $gw_killed_ms ms" >>"$LAB/gw-$2.log"
		;;
	start)
		[ -z "$_pid" ] || { echo "target: gw-$2 runs already" >&2; return 1; }
		echo "=== gw-$2 start $(date +%T)" >>"$LAB/gw-$2.log"
		ip netns exec "$NS" "$BUILD/bin/porticod" -c "$LAB/gw-$2.conf" -f -v >>"$LAB/gw-$2.log" 2>&1 &
		_pid=$!
		eval "gw_${2}_pid=$_pid"
		_n=0
		until ip netns exec "$NS" ss -Hltn 2>/dev/null | grep -qF "$_portal"; do
			_n=$((_n + 1))
			if [ $_n -gt 150 ] || ! alive "$_pid"; then
				echo "target: gw-$2 did not listen on $_portal within 30 s" >&2
				tail -5 "$LAB/gw-$2.log" >&2
				return 1
			fi
			sleep 0.2
		done
		;;
	state)
		"$BUILD/bin/portico" --socket "$LAB/gw-$2.sock" --timeout 30 --json ls /backstores/rbd/vm1 |
			jq -r '.props.ownership | "owner=\(.owner) state=\(.state) alua=\(.alua)"'
		;;
	takeover)
		[ -n "$gw_killed_ms" ] || { echo "target: no gateway was killed" >&2; return 1; }
		# porticod's stamp: 2026-12-07T18:23:19.744Z
		_l=$(grep -F "owner 'gw-$2': serving as owner" "$LAB/gw-$2.log" | tail -n 1 | cut -d' ' -f1)
		[ -n "$_l" ] || { echo "target: gw-$2 has not logged 'serving as owner'" >&2; return 1; }
		_t=$(date -u -d "$_l" +%s%3N) || return 1
		[ "$_t" -ge "$gw_killed_ms" ] ||
			{ echo "target: gw-$2 has not served as owner since the kill" >&2; return 1; }
		echo $((_t - gw_killed_ms))
		;;
	*)
		echo "target: no gateway verb '$1' (kill, start, state, takeover)" >&2
		return 2
		;;
	esac
}

# The gateways variant: a one-node Ceph cluster (tests/ceph/cluster.sh) in
# the lab's namespace, on its own loopback, so that it shares no port with a
# cluster on the host's (another test's) and nothing of it leaves the
# namespace; the ceph tools run there through wrappers put first in PATH.
# Then the image (layering only: a group refuses exclusive-lock) and the gateways, gw-a
# first, which takes the lease; gw-b once gw-a owns the LU.
target_start_gateways() {
	[ -x "$BUILD/bin/porticod" ] && [ -x "$BUILD/bin/portico" ] ||
		{ echo "target: $BUILD/bin/porticod or portico is missing (make)" >&2; return 1; }
	mkdir -p "$LAB/nsbin" "$LAB/ceph" || return 1
	for _c in ceph-mon ceph-mgr ceph-osd ceph rbd; do
		_p=$(command -v "$_c") ||
			{ echo "target: $_c is missing (sh scripts/install-deps.sh --group ceph)" >&2; return 1; }
		case "$_p" in "$LAB/nsbin/"*) continue ;; esac
		printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$NS" "$_p" >"$LAB/nsbin/$_c" &&
			chmod 755 "$LAB/nsbin/$_c" || return 1
	done
	case ":$PATH:" in *":$LAB/nsbin:"*) ;; *) PATH=$LAB/nsbin:$PATH ;; esac
	# cluster.sh's lock keeps two clusters off 127.0.0.1's ports; this one has
	# the namespace's loopback to itself and runs under the lab's own lock, so
	# it need not wait (up to 10 minutes) for a cluster elsewhere on the
	# machine: ceph_up's flock is a no-op here, for this one call.
	flock() { return 0; }
	# and never the ceph group's shared cluster (PORTICO_CEPH_CONF, on the
	# host's loopback, which the namespace cannot reach): one of its own
	PORTICO_CEPH_CONF=""
	_t0=$(date +%s)
	ceph_up "$LAB/ceph"
	_rc=$?
	unset -f flock
	[ $_rc = 0 ] || { tail -5 "$LAB/ceph/log/mon.stdout" 2>/dev/null; return 1; }
	echo "target: the Ceph cluster started in $(($(date +%s) - _t0)) s"
	rbd_c create --size 64M --image-feature layering "$GW_IMAGE" || return 1
	target_write_gateway_conf a 1 "$PORTAL0" && target_write_gateway_conf b 2 "$PORTAL1" || return 1
	"$BUILD/bin/porticod" -t -c "$LAB/gw-a.conf" || return 1
	: >"$LAB/gw-a.log"
	: >"$LAB/gw-b.log"
	target_gateway start a || return 1
	_n=0
	until grep -qF "owner 'gw-a': serving as owner" "$LAB/gw-a.log"; do
		_n=$((_n + 1))
		[ $_n -lt 300 ] || { echo "target: gw-a did not take the lease within 30 s" >&2; return 1; }
		sleep 0.1
	done
	target_gateway start b || return 1
	_n=0
	until target_gateway state b 2>/dev/null | grep -q 'owner=gw-a state=follower'; do
		_n=$((_n + 1))
		[ $_n -lt 100 ] || { echo "target: gw-b is not gw-a's follower after 20 s" >&2; return 1; }
		sleep 0.2
	done
	echo "target: gw-a $(target_gateway state a); gw-b $(target_gateway state b)"
}

# Stops the gateways (SIGTERM, then SIGKILL after 10 s), then the cluster;
# their logs go into target.log. Nothing to do when the variant never ran.
target_stop_gateways() {
	for _g in a b; do
		eval "_pid=\${gw_${_g}_pid}"
		[ -n "$_pid" ] || continue
		kill "$_pid" 2>/dev/null
		_n=0
		while alive "$_pid" && [ $_n -lt 50 ]; do
			sleep 0.2
			_n=$((_n + 1))
		done
		kill -9 "$_pid" 2>/dev/null
		wait "$_pid" 2>/dev/null
		eval "gw_${_g}_pid=''"
	done
	for _g in a b; do
		[ -s "$LAB/gw-$_g.log" ] || continue
		sed "s/^/gw-$_g: /" "$LAB/gw-$_g.log" >>"$LAB/target.log"
		rm -f "$LAB/gw-$_g.log"
	done
	if [ -n "$CEPH_DIR" ]; then
		ceph_down
		CEPH_DIR=""
	fi
}

# Starts the target with a variant's storage. 0 or non-zero (log in target.log).
target_start() { # $1 variant
	echo "=== target start ($TARGET_KIND, variant $1) $(date +%T)" >>"$LAB/target.log"
	if [ "$1" = gateways ]; then
		[ "$TARGET_KIND" = porticod ] || { echo "target: the gateways variant is porticod's" >&2; return 1; }
		target_start_gateways >>"$LAB/target.log" 2>&1
		return
	fi
	target_prepare_store "$1" || return 1
	case "$TARGET_KIND" in
	tgt) target_start_tgt "$1" ;;
	porticod) target_start_porticod "$1" ;;
	*) echo "target: unknown PORTICO_VM_TARGET '$TARGET_KIND' (porticod or tgt)" >&2; return 1 ;;
	esac
}

# Stops the target (SIGTERM, then SIGKILL after 10 s) and waits for it.
target_stop() {
	target_stop_gateways
	[ -n "$target_pid" ] || return 0
	if [ "$TARGET_KIND" = tgt ]; then
		tgt_adm --op delete --mode system --force >/dev/null 2>&1
	else
		kill "$target_pid" 2>/dev/null
	fi
	n=0
	while alive "$target_pid" && [ $n -lt 50 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	kill -9 "$target_pid" 2>/dev/null
	wait "$target_pid" 2>/dev/null
	target_pid=""
	if [ -n "$target_ctl_port" ]; then
		rm -f "/var/run/tgtd/socket.$target_ctl_port" "/var/run/tgtd/socket.$target_ctl_port.lock"
	fi
}

target_restart() { # $1 variant
	target_stop
	target_start "$1"
}

# portico ARGS...: one command to the lab's porticod, through its control
# socket (porticod.conf's control_socket), each answer awaited 30 s at most.
target_portico() {
	echo "portico $*"
	"$BUILD/bin/portico" --socket "$LAB/porticod.sock" --timeout 30 "$@"
}

# The entry "lun:name:MiB" of backstore $2 in variant $1, or nothing.
target_entry() {
	for e in $(target_luns "$1"); do
		n=${e#*:}
		[ "${n%%:*}" = "$2" ] && echo "$e"
	done
}

# Takes the running porticod one step from the base variant towards the
# changed one, live (no restart), through portico. Steps:
#   add    each LUN of 'changed' that base has not: a new file backstore (as
#          the changed variant has it), a TPG LUN, and the guest's mapping
#          of it (the other initiator's ACL gets nothing): REPORTED LUNS DATA
#          HAS CHANGED on the guest's sessions
#   grow   each backstore whose size differs: a live resize (CAPACITY DATA
#          HAS CHANGED on its LUN)
#   unmap  the guest's mapping of each LUN of base that 'changed' has not:
#          while the guest uses it, a delete must be refused (EBUSY); then
#          forced (REPORTED LUNS DATA HAS CHANGED)
# 0 or non-zero, with what went wrong on stderr.
target_live_change() { # $1 step
	echo "=== target live change: $1 $(date +%T)"
	[ "$TARGET_KIND" = porticod ] || {
		echo "target: $TARGET_KIND: no live changes in the lab (tgt cannot resize a LUN live)" >&2
		return 1
	}
	tpg="/iscsi/$TARGET_IQN/tpg1"
	acl="$tpg/acls/$INITIATOR_IQN"
	case "$1" in
	alua-swap) # the alua variant's states turned round: TPG 2 active/optimized, TPG 1 standby
		target_portico "/iscsi/$TARGET_IQN/tpg2" set alua state=active_optimized preferred=true ||
			return 1
		target_portico "$tpg" set alua state=standby preferred=false || return 1
		;;
	add)
		for e in $(target_luns changed); do
			n=${e#*:}
			name=${n%%:*}
			[ -z "$(target_entry base "$name")" ] || continue
			rm -f "$LAB/store/$name.img" # a previous run's
			target_portico /backstores/file create name="$name" file="$LAB/store/$name.img" \
				size="${n#*:}M" thin=false || return 1
			target_portico "$tpg/luns" create "/backstores/file/$name" lun="${e%%:*}" \
				add_mapped_luns=false || return 1
			target_portico "$acl" create mapped_lun="${e%%:*}" tpg_lun_or_backstore="lun${e%%:*}" ||
				return 1
		done
		;;
	grow)
		for e in $(target_luns changed); do
			n=${e#*:}
			b=$(target_entry base "${n%%:*}")
			[ -n "$b" ] && [ "${b##*:}" != "${n#*:}" ] || continue
			target_portico "/backstores/file/${n%%:*}" set attribute size="${n#*:}M" || return 1
		done
		;;
	unmap)
		for e in $(target_luns base); do
			n=${e#*:}
			[ -z "$(target_entry changed "${n%%:*}")" ] || continue
			if target_portico "$acl/mapped_lun${e%%:*}" delete >"$LAB/portico.out" 2>&1; then
				cat "$LAB/portico.out"
				echo "target: deleting mapped_lun${e%%:*}, which the guest uses, was not refused" >&2
				return 1
			fi
			cat "$LAB/portico.out"
			grep -q 'EBUSY' "$LAB/portico.out" || {
				echo "target: deleting mapped_lun${e%%:*} failed, but not as in use (EBUSY)" >&2
				return 1
			}
			target_portico "$acl/mapped_lun${e%%:*}" delete force=true || return 1
		done
		;;
	*)
		echo "target: no live change step '$1' (add, grow, unmap, alua-swap)" >&2
		return 1
		;;
	esac
}
