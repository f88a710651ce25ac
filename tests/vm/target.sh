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
# The live scenario goes from base to changed while the guest is logged in:
# with porticod live, through its control socket (target_live_change); tgt
# cannot resize a LUN live, so with tgt the target restarts with 'changed'.
#
# Needs: LAB (the lab's directory), NS (namespace), PORTAL0/PORTAL1 (ip:port),
# TARGET_IQN, INITIATOR_IQN, OTHER_IQN, NODE2_IQN, BUILD.

TARGET_KIND=${PORTICO_VM_TARGET:-porticod}
target_pid=""
target_ctl_port=""

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

# Starts the target with a variant's storage. 0 or non-zero (log in target.log).
target_start() { # $1 variant
	echo "=== target start ($TARGET_KIND, variant $1) $(date +%T)" >>"$LAB/target.log"
	target_prepare_store "$1" || return 1
	case "$TARGET_KIND" in
	tgt) target_start_tgt "$1" ;;
	porticod) target_start_porticod "$1" ;;
	*) echo "target: unknown PORTICO_VM_TARGET '$TARGET_KIND' (porticod or tgt)" >&2; return 1 ;;
	esac
}

# Stops the target (SIGTERM, then SIGKILL after 10 s) and waits for it.
target_stop() {
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
