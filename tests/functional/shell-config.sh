# SPDX-License-Identifier: GPL-2.0-or-later
#
# shell-config: the configuration file porticod saves after every change
# made with portico (auto_save), and what it is good for.
#   restart      porticod stopped and started on the file it saved: the
#                same tree (ls), the same identities (VPD 0x80 unit serial,
#                0x83 NAA), and the KVM host logs in again
#   round trip   clearconfig confirm=true empties the tree and logs the
#                sessions out; restoreconfig from the saved version .1, and
#                from a saveconfig copy, brings the tree back, same WWIDs
#   truncated    restoreconfig of a truncated file fails and changes
#                nothing, served or saved; a half-written porticod.conf.tmp
#                (a crash during a save) is not taken for the file: porticod
#                starts on the good one and the next save works
#   versions     .1 to .9 after many changes, mode 0600 like the file
# The save and restore session is kept as a transcript that docs/shell.md
# shows.
. "$(dirname "$0")/lib.sh"
t_require "$PORTICO" "$T_BIN/uawatch" "$T_BIN/lunio"

TGT=iqn.2026-11.org.example:storage1
KVM1=iqn.2026-11.org.example:kvm1
TPG=/iscsi/$TGT/tpg1

mkloop 256M || { fail setup "cannot create a loop device"; t_done; }
LOOP1=$LOOPDEV

conf() {
	conf_head 2
}

# What an initiator reads of each LUN's identity: VPD 0x80 and 0x83.
vpd_all() { # OUT-FILE
	: >"$1"
	for l in 0 1 2; do
		for p in 128 131; do # 0x80, 0x83 (iscsi-inq reads decimal: atoi)
			echo "== LUN $l VPD page $p" >>"$1"
			run iscsi-inq -i "$KVM1" -e 1 -c "$p" "$(url "$TGT" "$l")" || return 1
			cat "$T_OUT" >>"$1"
		done
	done
}

# The tree and the identities are those of before (ls.before, vpd.before).
same_as_before() { # CHECK-PREFIX
	if pt ls /; then
		cmp -s "$T_OUT" "$T_TMP/ls.before" && pass "$1-same-tree" || {
			diff -u "$T_TMP/ls.before" "$T_OUT" >"$T_TMP/ls.diff"
			fail "$1-same-tree" "ls / differs" "$T_TMP/ls.diff"
		}
	else
		fail "$1-same-tree" "portico ls / exited $pt_rc" "$T_OUT"
	fi
	if vpd_all "$T_TMP/vpd.now"; then
		cmp -s "$T_TMP/vpd.now" "$T_TMP/vpd.before" && pass "$1-same-wwids" || {
			diff -u "$T_TMP/vpd.before" "$T_TMP/vpd.now" >"$T_TMP/vpd.diff"
			fail "$1-same-wwids" "VPD 0x80/0x83 differ" "$T_TMP/vpd.diff"
		}
	else
		fail "$1-same-wwids" "iscsi-inq failed" "$T_OUT"
	fi
}

pd_start_ctl conf || t_done
cat >"$T_TMP/setup.portico" <<EOF
/backstores/file create name=LUN0 file=$T_TMP/LUN0.img size=64M
/backstores/block create name=LUN1 dev=$LOOP1
/backstores/null create name=LUN2 size=1G
/iscsi create $TGT
$TPG/portals create ip_address=127.0.0.1 ip_port=$PD_PORT
$TPG/acls create $KVM1
$TPG/luns create /backstores/file/LUN0
$TPG/luns create /backstores/block/LUN1
$TPG/luns create /backstores/null/LUN2
EOF
check setup "$PORTICO" -f "$T_TMP/setup.portico" || t_done
pt ls / && cp "$T_OUT" "$T_TMP/ls.before"
vpd_all "$T_TMP/vpd.before" || fail setup "iscsi-inq failed" "$T_OUT"
grep -q "^Unit Serial Number:" "$T_TMP/vpd.before" && grep -q "NAA" "$T_TMP/vpd.before" &&
	pass vpd-has-serial-and-naa || fail vpd-has-serial-and-naa "no unit serial or NAA designator" "$T_TMP/vpd.before"

# ---- restart on the saved file ----
if pd_stop stop-for-restart && pd_restart; then
	same_as_before restart
	check restart-login "$T_BIN/lunio" -i "$KVM1" login "$(url "$TGT" 0)"
fi

# ---- clearconfig and restoreconfig ----
TR=$T_TMP/save-restore.txt
PT_TRANSCRIPT=$TR
pt_ok saveconfig-copy saveconfig file="$T_TMP/backup.conf"
PT_TRANSCRIPT=""
[ "$(stat -c %a "$T_TMP/backup.conf" 2>/dev/null)" = 600 ] && pass saveconfig-copy-0600 ||
	fail saveconfig-copy-0600 "$T_TMP/backup.conf: $(stat -c %a "$T_TMP/backup.conf" 2>&1)"
pt_refused clearconfig-needs-confirm "confirm=true" clearconfig
ua_start w1 4 "$KVM1" "$(url "$TGT" 0)" || fail clearconfig-session "$UA_ANSWER" "$T_TMP/ua-w1.out"
ua w1 "ready 0"
PT_TRANSCRIPT=$TR
pt_ok clearconfig clearconfig confirm=true
ua_is clearconfig-logs-out w1 "gone 20" "gone: closed"
if pt_ok clearconfig-ls ls /; then
	out_has "Storage Objects: [1-9]|Targets: [1-9]" &&
		fail clearconfig-empty "something is left" "$T_OUT" || pass clearconfig-empty
fi
pt_ok restore-version-1 restoreconfig "$PD_CONF.1" clear_existing=true
pt_ok restore-ls ls /iscsi
PT_TRANSCRIPT=""
same_as_before restore-version-1
check restore-version-1-login "$T_BIN/lunio" -i "$KVM1" login "$(url "$TGT" 1)"

pt_ok clearconfig-again clearconfig confirm=true
pt_ok restore-copy restoreconfig file="$T_TMP/backup.conf" clear_existing=true
same_as_before restore-copy

# ---- a truncated file ----
cp "$PD_CONF" "$T_TMP/good.conf"
cp "$PD_CONF.1" "$T_TMP/good.conf.1"
head -c $(($(stat -c %s "$PD_CONF") / 2)) "$PD_CONF" >"$T_TMP/truncated.conf"
pt_refused restore-truncated "truncated\\.conf" restoreconfig file="$T_TMP/truncated.conf" clear_existing=true
same_as_before restore-truncated
cmp -s "$PD_CONF" "$T_TMP/good.conf" && cmp -s "$PD_CONF.1" "$T_TMP/good.conf.1" &&
	pass restore-truncated-file-unchanged ||
	fail restore-truncated-file-unchanged "$PD_CONF or its .1 changed"

# ---- a save interrupted by a crash: porticod.conf.tmp half-written ----
if pd_stop stop-for-crash-test; then
	head -c $(($(stat -c %s "$PD_CONF") / 2)) "$PD_CONF" >"$PD_CONF.tmp"
	chmod 600 "$PD_CONF.tmp"
	if pd_restart; then
		same_as_before leftover-tmp
		if pt_ok save-after-crash /backstores/null create name=after-crash size=1M; then
			grep -q '"after-crash"' "$PD_CONF" && run "$PORTICOD" -t -c "$PD_CONF" &&
				pass save-after-crash-saved || fail save-after-crash-saved "$PD_CONF lacks it or does not load" "$T_OUT"
			[ -e "$PD_CONF.tmp" ] && fail save-after-crash-no-tmp "$PD_CONF.tmp is still there" ||
				pass save-after-crash-no-tmp
		fi
		pt_ok delete-after-crash /backstores/null delete after-crash
	fi
fi

# ---- saved versions ----
modes=""
for v in "" .1 .2 .3 .4 .5 .6 .7 .8 .9; do
	m=$(stat -c %a "$PD_CONF$v" 2>/dev/null || echo missing)
	[ "$m" = 600 ] || modes="$modes porticod.conf$v:$m"
done
[ -z "$modes" ] && pass versions-1-to-9-mode-0600 || fail versions-1-to-9-mode-0600 "not 0600:$modes"
[ -e "$PD_CONF.10" ] && fail versions-at-most-9 "$PD_CONF.10 exists" || pass versions-at-most-9

# ---- the transcript ----
pt_normalize "$TR" "$T_TMP/save-restore.doc" "$PD_CONF" /etc/portico/porticod.conf \
	"$T_TMP" /srv/iscsi ":$PD_PORT" ":3260" "$LOOP1" /dev/loop0
pt_doc save-restore "$T_TMP/save-restore.doc"

pd_stop stop-clean
t_done
