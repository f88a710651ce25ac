# SPDX-License-Identifier: GPL-2.0-or-later
#
# shell-live: changes made with portico while initiators are logged in.
# Three sessions stay open (uawatch) through the changes:
#   w1  kvm1 on TGT:  LUN 0 (F0), LUN 1 (F1), then the LUNs added
#   w2  kvm2 on TGT2: LUN 0 (F9) only: concerned by nothing that changes
#   w3  kvm3 on TGT2: LUN 0 is F0 (TGT2's lun1), seen by w1 too
# Each change must show on the next command of the sessions it concerns,
# and on no other (SPC-4 §5.14, unit attentions per I_T nexus):
#   a LUN added (luns create, or a mapped_lun created)  3F/0E REPORTED LUNS
#       DATA HAS CHANGED, and REPORT LUNS lists it
#   a LUN in use removed: refused (EBUSY, "in use") unless force=true;
#       forced: 3F/0E, gone from REPORT LUNS, LOGICAL UNIT NOT SUPPORTED
#   F0 resized  2A/09 CAPACITY DATA HAS CHANGED on w1 and w3, READ
#       CAPACITY gives the new size
#   kvm1's ACL deleted  w1 is logged out; TGT2 deleted  w2 and w3 are
# Then IP allow lists (allowed_addresses) on a TPG and on an ACL: a list
# without 127.0.0.1 refuses a login from there (authorization failure
# 2/02), a list with it lets it in.
. "$(dirname "$0")/lib.sh"
t_require "$PORTICO" "$T_BIN/uawatch" "$T_BIN/lunio"

TGT=iqn.2026-11.org.example:live
TGT2=iqn.2026-11.org.example:live-other
KVM1=iqn.2026-11.org.example:kvm1
KVM2=iqn.2026-11.org.example:kvm2
KVM3=iqn.2026-11.org.example:kvm3
TPG=/iscsi/$TGT/tpg1
TPG2=/iscsi/$TGT2/tpg1
MB=$((1 << 20))

conf() {
	conf_head 2
}

pd_start_ctl conf || t_done

# ---- the configuration, made with portico ----
cat >"$T_TMP/setup.portico" <<EOF
/backstores/file create name=F0 file=$T_TMP/f0.img size=16M
/backstores/file create name=F1 file=$T_TMP/f1.img size=16M
/backstores/file create name=F2 file=$T_TMP/f2.img size=16M
/backstores/file create name=F3 file=$T_TMP/f3.img size=16M
/backstores/file create name=F9 file=$T_TMP/f9.img size=16M
/iscsi create $TGT
$TPG/portals create ip_address=127.0.0.1 ip_port=$PD_PORT
$TPG/luns create /backstores/file/F0
$TPG/luns create /backstores/file/F1
$TPG/acls create $KVM1
/iscsi create $TGT2
$TPG2/portals create ip_address=127.0.0.1 ip_port=$PD_PORT
$TPG2/luns create /backstores/file/F9
$TPG2/luns create /backstores/file/F0
$TPG2/acls create $KVM2 add_mapped_luns=false
$TPG2/acls/$KVM2 create mapped_lun=0 tpg_lun_or_backstore=lun0
$TPG2/acls create $KVM3 add_mapped_luns=false
$TPG2/acls/$KVM3 create mapped_lun=0 tpg_lun_or_backstore=lun1
EOF
check setup "$PORTICO" -f "$T_TMP/setup.portico" || t_done

# ---- three sessions, their power-on unit attentions consumed ----
ua_start w1 4 "$KVM1" "$(url "$TGT" 0)" || { fail setup "w1: $UA_ANSWER" "$T_TMP/ua-w1.out"; t_done; }
ua_start w2 5 "$KVM2" "$(url "$TGT2" 0)" || { fail setup "w2: $UA_ANSWER" "$T_TMP/ua-w2.out"; t_done; }
ua_start w3 6 "$KVM3" "$(url "$TGT2" 0)" || { fail setup "w3: $UA_ANSWER" "$T_TMP/ua-w3.out"; t_done; }
ua_is power-on-w1-lun0 w1 "tur 0" "tur 0: sense 6/29/00"
ua_is ready-w1-lun0 w1 "tur 0" "tur 0: GOOD"
ua_is ready-w1-lun1 w1 "ready 1" "ready 1: 6/29/00 GOOD"
ua_is ready-w2 w2 "ready 0" "ready 0: 6/29/00 GOOD"
ua_is ready-w3 w3 "ready 0" "ready 0: 6/29/00 GOOD"
ua_is report-luns-w1 w1 luns "luns: 0 1"

# The sessions not concerned by a change: their next command is GOOD.
untouched() { # CHECK-PREFIX
	ua_is "$1-w2-no-ua" w2 "tur 0" "tur 0: GOOD"
	ua_is "$1-w3-no-ua" w3 "tur 0" "tur 0: GOOD"
}

# ---- a LUN added to the TPG (mapped into kvm1's ACL) ----
if pt_ok add-lun "$TPG/luns" create /backstores/file/F2; then
	out_has "^Created LUN 2->2 mapping in node ACL $KVM1" && pass add-lun-mapped-into-acl ||
		fail add-lun-mapped-into-acl "no mapping into $KVM1's ACL" "$T_OUT"
fi
ua_is add-lun-ua w1 "tur 0" "tur 0: sense 6/3f/0e"
ua_is add-lun-report-luns w1 luns "luns: 0 1 2"
ua_is add-lun-usable w1 "ready 2" "ready 2: 6/29/00 GOOD"
untouched add-lun
ua "w1" "ready 1" # the same unit attention, pending on LUN 1

# ---- a TPG LUN no ACL maps concerns nobody; mapping it concerns kvm1 ----
pt_ok add-unmapped-lun "$TPG/luns" create /backstores/file/F3 add_mapped_luns=false
ua_is add-unmapped-lun-no-ua w1 "tur 0" "tur 0: GOOD"
pt_ok add-mapped-lun "$TPG/acls/$KVM1" create mapped_lun=3 tpg_lun_or_backstore=lun3
ua_is add-mapped-lun-ua w1 "tur 0" "tur 0: sense 6/3f/0e"
ua_is add-mapped-lun-report-luns w1 luns "luns: 0 1 2 3"
untouched add-mapped-lun
for l in 1 2 3; do
	ua w1 "ready $l"
done

# ---- removing what kvm1 uses: refused, then forced ----
pt_refused delete-mapped-lun-in-use 'in use.*\[EBUSY\]' "$TPG/acls/$KVM1" delete 3
pt_refused delete-tpg-lun-in-use 'in use.*\[EBUSY\]' "$TPG/luns/lun3" delete
pt_refused delete-backstore-in-use 'in use.*\[EBUSY\]' /backstores/file delete F3
ua_is refused-delete-no-ua w1 "tur 3" "tur 3: GOOD"
pt_ok delete-mapped-lun-forced "$TPG/acls/$KVM1/mapped_lun3" delete force=true
ua_is delete-mapped-lun-ua w1 "tur 0" "tur 0: sense 6/3f/0e"
ua_is delete-mapped-lun-report-luns w1 luns "luns: 0 1 2"
# SPC-4 §4.5.6: a LUN the nexus has not (any more)
ua_is delete-mapped-lun-not-supported w1 "tur 3" "tur 3: sense 5/25/00"
untouched delete-mapped-lun
for l in 1 2; do
	ua w1 "ready $l"
done
# now nobody uses them: no force needed
pt_ok delete-unused-tpg-lun "$TPG/luns/lun3" delete
pt_ok delete-unused-backstore /backstores/file delete F3
ua_is delete-unused-no-ua w1 "tur 0" "tur 0: GOOD"

# ---- a resize, seen through two targets ----
if pt_ok resize /backstores/file/F0 set attribute size=32M; then
	[ "$(stat -c %s "$T_TMP/f0.img")" = $((32 * MB)) ] && pass resize-file-grown ||
		fail resize-file-grown "$T_TMP/f0.img is $(stat -c %s "$T_TMP/f0.img") bytes"
fi
ua_is resize-ua-w1 w1 "tur 0" "tur 0: sense 6/2a/09"
ua_is resize-capacity-w1 w1 "cap 0" "cap 0: blocks $((32 * MB / 512)) bs 512"
ua_is resize-ua-w3 w3 "tur 0" "tur 0: sense 6/2a/09"
ua_is resize-capacity-w3 w3 "cap 0" "cap 0: blocks $((32 * MB / 512)) bs 512"
# another LU of the same session, and another initiator's LU
ua_is resize-other-lu-no-ua w1 "tur 1" "tur 1: GOOD"
ua_is resize-w2-no-ua w2 "tur 0" "tur 0: GOOD"

# ---- deleting kvm1's ACL logs it out ----
pt_ok delete-acl "$TPG/acls" delete "$KVM1"
ua_is delete-acl-logs-out w1 "gone 20" "gone: closed"
untouched delete-acl
if pt_ok status-after-delete-acl status; then
	out_has "initiator: $KVM1" && fail delete-acl-no-session "status still lists a session of $KVM1" "$T_OUT" ||
		pass delete-acl-no-session
fi
if check_fails delete-acl-no-login "$T_BIN/lunio" -i "$KVM1" login "$(url "$TGT" 0)"; then
	out_has "Authorization failure\(514\)" && pass delete-acl-no-login ||
		fail delete-acl-no-login "not an authorization failure (2/02)" "$T_OUT"
fi

# ---- deleting a target logs out every session of it ----
pt_ok delete-target /iscsi delete "$TGT2"
ua_is delete-target-logs-out-w2 w2 "gone 20" "gone: closed"
ua_is delete-target-logs-out-w3 w3 "gone 20" "gone: closed"

# ---- IP allow lists ----
# The initiators connect from 127.0.0.1; 127.0.0.2 stands for another host.
cat >"$T_TMP/allow.portico" <<EOF
$TPG/acls create $KVM1
EOF
check allow-setup "$PORTICO" -f "$T_TMP/allow.portico"
login_refused() { # CHECK IQN
	if check_fails "$1" "$T_BIN/lunio" -i "$2" login "$(url "$TGT" 0)"; then
		out_has "Authorization failure\(514\)" && pass "$1" ||
			fail "$1" "not an authorization failure (2/02)" "$T_OUT"
	fi
}
check allow-none-login "$T_BIN/lunio" -i "$KVM1" login "$(url "$TGT" 0)"
if pt_ok allow-tpg-other-host "$TPG" set attribute allowed_addresses=127.0.0.2/32; then
	login_refused allow-tpg-other-host-refused "$KVM1"
	grep -q "login of '$KVM1' to '$TGT' tpg 1 refused at portal 127.0.0.1:$PD_PORT: address 127.0.0.1:[0-9]* is not in the allowed addresses" "$PD_LOG" &&
		pass allow-refusal-logged || fail allow-refusal-logged "the log does not say which address was refused"
	# SendTargets leaves out a TPG that would refuse the asking initiator
	run iscsi-ls -i "$KVM1" "iscsi://127.0.0.1:$PD_PORT"
	out_has "^Target:$TGT " && fail allow-tpg-other-host-not-discovered "discovery still offers $TGT" "$T_OUT" ||
		pass allow-tpg-other-host-not-discovered
fi
if pt_ok allow-tpg-loopback "$TPG" set attribute allowed_addresses=10.0.0.0/24,127.0.0.0/8; then
	check allow-tpg-loopback-login "$T_BIN/lunio" -i "$KVM1" login "$(url "$TGT" 0)"
fi
if pt_ok allow-acl-other-host "$TPG/acls/$KVM1" set attribute allowed_addresses=127.0.0.2; then
	login_refused allow-acl-other-host-refused "$KVM1"
fi
if pt_ok allow-acl-loopback "$TPG/acls/$KVM1" set attribute allowed_addresses=127.0.0.1,127.0.0.2; then
	check allow-acl-loopback-login "$T_BIN/lunio" -i "$KVM1" login "$(url "$TGT" 0)"
fi
# an empty value removes the list: everyone again
pt_ok allow-acl-unset "$TPG/acls/$KVM1" set attribute allowed_addresses=
if pt_ok allow-tpg-other-host-again "$TPG" set attribute allowed_addresses=127.0.0.2; then
	login_refused allow-tpg-other-host-refused-again "$KVM1"
fi
if pt_ok allow-tpg-unset "$TPG" set attribute allowed_addresses=; then
	check allow-unset-login "$T_BIN/lunio" -i "$KVM1" login "$(url "$TGT" 0)"
fi
pt_refused allow-not-an-address "300\\.0\\.0\\.1/33" "$TPG" set attribute allowed_addresses=300.0.0.1/33
# a typo is not widened to its network
pt_refused allow-host-bits-set "write 10\\.0\\.0\\.0/24" "$TPG" set attribute allowed_addresses=127.0.0.1,10.0.0.1/24
check allow-refused-changed-nothing "$T_BIN/lunio" -i "$KVM1" login "$(url "$TGT" 0)"

pd_stop stop-clean
t_done
