# SPDX-License-Identifier: GPL-2.0-or-later
#
# media: the backstore settings removable and physical_block_size, made
# with portico, seen by libiscsi clients (mediaio):
#   a removable LU, two sessions (two initiator names): RMB, PREVENT ALLOW
#       MEDIUM REMOVAL from either refusing the other's eject and load,
#       MEDIUM NOT PRESENT after an eject, the load with 28/00 for the other
#       session, a logout ending that session's prevention
#   a fixed LU answers as a disk (no PREVENT ALLOW MEDIUM REMOVAL, no LOEJ)
#   a 512e LU (physical_block_size=4096 at create): READ CAPACITY(16)
#       exponent 3, lowest aligned LBA 0, VPD B0 granularities 8
#   removable is set live on a mapped LU, both ways, and a session sees it
#   physical_block_size: refused while a LUN serves the backstore, taken
#       once its LUN is deleted, then served when the LUN is back
#   bad values refused at create; saveconfig keeps both; a restart serves them
. "$(dirname "$0")/lib.sh"
t_require "$PORTICO" "$T_BIN/mediaio"

TGT=iqn.2026-12.org.example:media
H1=iqn.2026-12.org.example:host1
H2=iqn.2026-12.org.example:host2
TPG=/iscsi/$TGT/tpg1

conf() {
	conf_head 2
}

pd_start_ctl conf || t_done

cat >"$T_TMP/setup.portico" <<EOF
/backstores/file create name=RM file=$T_TMP/rm.img size=16M removable=true
/backstores/file create name=E file=$T_TMP/e.img size=16M physical_block_size=4096
/backstores/file create name=D file=$T_TMP/d.img size=16M
/iscsi create $TGT
$TPG/portals create ip_address=127.0.0.1 ip_port=$PD_PORT
$TPG/luns create /backstores/file/RM
$TPG/luns create /backstores/file/E
$TPG/luns create /backstores/file/D
$TPG/acls create $H1
$TPG/acls create $H2
EOF
check setup "$PORTICO" -f "$T_TMP/setup.portico" || t_done

# ---- removable media across two sessions ----
check removable-two-sessions "$T_BIN/mediaio" removable "$(url "$TGT" 0)" "$H1" "$H2"
check fixed-disk "$T_BIN/mediaio" fixed "$(url "$TGT" 2)" "$H1"

# ---- geometry ----
if check geometry-512e "$T_BIN/mediaio" geometry "$(url "$TGT" 1)" "$H1"; then
	out_has '^bs 512 lbppbe 3 lalba 0 otlg 8 ugran 8 ugavalid 1$' &&
		pass geometry-512e-reported || fail geometry-512e-reported "$(cat "$T_OUT")"
fi
if check geometry-default "$T_BIN/mediaio" geometry "$(url "$TGT" 2)" "$H1"; then
	out_has '^bs 512 lbppbe 0 lalba 0 otlg 1 ugran 8 ugavalid 1$' &&
		pass geometry-default-reported || fail geometry-default-reported "$(cat "$T_OUT")"
fi
if pt_ok get-geometry --json /backstores/file/E get attribute physical_block_size removable; then
	out_has '"physical_block_size": ?4096' && out_has '"removable": ?false' &&
		pass get-geometry-values || fail get-geometry-values "$(cat "$T_OUT")"
fi

# ---- removable, live, on a mapped LU ----
pt_ok set-removable-live /backstores/file/D set attribute removable=true
check removable-after-set "$T_BIN/mediaio" removable "$(url "$TGT" 2)" "$H1" "$H2"
pt_ok set-fixed-live /backstores/file/D set attribute removable=false
check fixed-after-set "$T_BIN/mediaio" fixed "$(url "$TGT" 2)" "$H1"

# ---- geometry: not under a LUN; once unmapped, yes ----
pt_refused set-geometry-mapped "does not change while LUN 2 of $TGT tpg 1 serves it" \
	/backstores/file/D set attribute physical_block_size=4096
pt_ok delete-lun "$TPG/luns" delete lun2
pt_refused set-geometry-invalid "power-of-two multiple of the block size 512" \
	/backstores/file/D set attribute physical_block_size=1536
pt_ok set-geometry-unmapped /backstores/file/D set attribute physical_block_size=8192
pt_ok lun-back "$TPG/luns" create /backstores/file/D lun=2
if check geometry-after-set "$T_BIN/mediaio" geometry "$(url "$TGT" 2)" "$H1"; then
	out_has '^bs 512 lbppbe 4 lalba 0 otlg 16 ugran 16 ugavalid 1$' &&
		pass geometry-after-set-reported || fail geometry-after-set-reported "$(cat "$T_OUT")"
fi

# ---- create refuses what cannot be ----
pt_refused create-geometry-not-multiple "physical_block_size must be a power-of-two multiple" \
	/backstores/file create name=X file="$T_TMP/x.img" size=16M block_size=4096 \
	physical_block_size=512
pt_refused create-geometry-too-large "from 0 to 65536" \
	/backstores/file create name=X file="$T_TMP/x.img" size=16M physical_block_size=131072

# ---- saved, and served again after a restart ----
if pt_ok saveconfig saveconfig; then
	grep -q 'removable = true;' "$PD_CONF" && grep -q 'physical_block_size = 4096;' "$PD_CONF" &&
		grep -q 'physical_block_size = 8192;' "$PD_CONF" && pass saved-settings ||
		fail saved-settings "the saved file lacks removable or physical_block_size" "$PD_CONF"
fi
pd_stop restart-stop
if pd_restart; then
	check removable-after-restart "$T_BIN/mediaio" removable "$(url "$TGT" 0)" "$H1" "$H2"
	if check geometry-after-restart "$T_BIN/mediaio" geometry "$(url "$TGT" 1)" "$H1"; then
		out_has '^bs 512 lbppbe 3 ' && pass geometry-after-restart-reported ||
			fail geometry-after-restart-reported "$(cat "$T_OUT")"
	fi
else
	fail restart "porticod did not start again on the saved file" "$PD_LOG"
fi

t_done
