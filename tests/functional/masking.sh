# SPDX-License-Identifier: GPL-2.0-or-later
#
# masking: LUN masking per initiator, as in the example configuration.
# TPG LUNs 0 (file, thin), 1 (block, on a loop device), 2 (file), 3 (null);
#   kvm1: every TPG LUN, same numbers, read-write (no mapped_luns)
#   kvm2: LUN 0 -> TPG LUN 1
#   kvm3: LUN 1 -> TPG LUN 1, LUN 2 -> TPG LUN 2 read-only
# A second target only kvm1 may use. Each initiator must see exactly its
# LUNs (REPORT LUNS, iscsi-ls) and targets (SendTargets); an unknown
# initiator is refused at login (class 2 detail 2) and discovers nothing;
# the read-only mapping refuses writes with DATA PROTECT; one LU under two
# LUN numbers has one identity and one content.
. "$(dirname "$0")/lib.sh"
t_require "$T_BIN/lunio" "$T_BIN/rawiscsi"

TGT=iqn.2026-01.org.portico.test:masking
TGT2=iqn.2026-01.org.portico.test:masking-only-kvm1
KVM1=iqn.2026-01.org.portico.test:kvm1
KVM2=iqn.2026-01.org.portico.test:kvm2
KVM3=iqn.2026-01.org.portico.test:kvm3
STRANGER=iqn.2026-01.org.portico.test:stranger

mkloop 48M || { fail setup "cannot create a loop device"; t_done; }
BLK=$LOOPDEV

conf() {
	conf_head
	cat <<EOF
backstores = (
  { name = "thin0"; type = "file"; path = "$T_TMP/thin0.img"; size = "64M"; thin = true; },
  { name = "blk0"; type = "block"; path = "$BLK"; },
  { name = "file2"; type = "file"; path = "$T_TMP/file2.img"; size = "32M"; thin = false; },
  { name = "nul3"; type = "null"; size = "16M"; },
  { name = "other"; type = "file"; path = "$T_TMP/other.img"; size = "8M"; }
);
targets = (
  { iqn = "$TGT";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$PD_PORT" ];
        luns = (
          { lun = 0; backstore = "thin0"; },
          { lun = 1; backstore = "blk0"; },
          { lun = 2; backstore = "file2"; },
          { lun = 3; backstore = "nul3"; }
        );
        acls = (
          { initiator = "$KVM1"; },
          { initiator = "$KVM2";
            mapped_luns = ( { lun = 0; tpg_lun = 1; } ); },
          { initiator = "$KVM3";
            mapped_luns = ( { lun = 1; tpg_lun = 1; },
                            { lun = 2; tpg_lun = 2; read_only = true; } ); }
        );
      } );
  },
  { iqn = "$TGT2";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$PD_PORT" ];
        luns = ( { lun = 0; backstore = "other"; } );
        acls = ( { initiator = "$KVM1"; } );
      } );
  } );
EOF
}

pd_start conf || t_done

# ---- REPORT LUNS ----
for l in "kvm1:$KVM1:0 1 2 3" "kvm2:$KVM2:0" "kvm3:$KVM3:1 2"; do
	who=${l%%:*}
	rest=${l#*:}
	iqn=${rest%:*}
	want=${rest##*:}
	if check "report-luns-$who" "$T_BIN/lunio" -i "$iqn" luns "$(url "$TGT" 0)"; then
		out_has "^luns: $want\$" && pass "report-luns-$who-exact" ||
			fail "report-luns-$who-exact" "expected 'luns: $want'" "$T_OUT"
	fi
done

# ---- SendTargets and the LUNs iscsi-ls shows ----
BLKSZ=$(ls_size $((48 << 20)) 512)
for who in kvm1 kvm2 kvm3; do
	eval iqn=\$KVM${who#kvm}
	check "discovery-$who" iscsi-ls -i "$iqn" -s "iscsi://127.0.0.1:$PD_PORT" || continue
	cp "$T_OUT" "$T_TMP/ls-$who.out"
	grep -q "^Target:$TGT Portal:127.0.0.1:$PD_PORT,1\$" "$T_TMP/ls-$who.out" &&
		pass "discovery-$who-sees-target" ||
		fail "discovery-$who-sees-target" "no 'Target:$TGT'" "$T_TMP/ls-$who.out"
	case $who in
	kvm1)
		grep -q "^Target:$TGT2 " "$T_TMP/ls-$who.out" && pass "discovery-kvm1-sees-its-second-target" ||
			fail "discovery-kvm1-sees-its-second-target" "no 'Target:$TGT2'" "$T_TMP/ls-$who.out"
		want="Lun:0    Type:DIRECT_ACCESS (Size:$(ls_size $((64 << 20)) 512))
Lun:1    Type:DIRECT_ACCESS (Size:$BLKSZ)
Lun:2    Type:DIRECT_ACCESS (Size:$(ls_size $((32 << 20)) 512))
Lun:3    Type:DIRECT_ACCESS (Size:$(ls_size $((16 << 20)) 512))
Lun:0    Type:DIRECT_ACCESS (Size:$(ls_size $((8 << 20)) 512))" ;;
	kvm2)
		grep -q "^Target:$TGT2 " "$T_TMP/ls-$who.out" &&
			fail "discovery-kvm2-not-other-target" "kvm2 discovers '$TGT2', which has no ACL for it" "$T_TMP/ls-$who.out" ||
			pass "discovery-kvm2-not-other-target"
		want="Lun:0    Type:DIRECT_ACCESS (Size:$BLKSZ)" ;;
	kvm3)
		grep -q "^Target:$TGT2 " "$T_TMP/ls-$who.out" &&
			fail "discovery-kvm3-not-other-target" "kvm3 discovers '$TGT2', which has no ACL for it" "$T_TMP/ls-$who.out" ||
			pass "discovery-kvm3-not-other-target"
		want="Lun:1    Type:DIRECT_ACCESS (Size:$BLKSZ)
Lun:2    Type:DIRECT_ACCESS (Size:$(ls_size $((32 << 20)) 512))" ;;
	esac
	# iscsi-ls lists the targets in the order SendTargets gives them: compare sorted
	[ "$(grep '^Lun:' "$T_TMP/ls-$who.out" | sort)" = "$(echo "$want" | sort)" ] &&
		pass "discovery-$who-luns-exact" ||
		fail "discovery-$who-luns-exact" "expected: $(echo "$want" | tr '\n' ';')" "$T_TMP/ls-$who.out"
done

# ---- an unknown initiator ----
if check login-stranger-status "$T_BIN/rawiscsi" login 127.0.0.1 "$PD_PORT" "$TGT" "$STRANGER"; then
	out_has "^login: class 2 detail 2\$" && pass login-stranger-authorization-failure ||
		fail login-stranger-authorization-failure "expected 'login: class 2 detail 2' (authorization failure)" "$T_OUT"
fi
if check_fails login-stranger-libiscsi iscsi-inq -i "$STRANGER" "$(url "$TGT" 0)"; then
	out_has "Authorization failure\(514\)" && pass login-stranger-libiscsi ||
		fail login-stranger-libiscsi "libiscsi does not report 'Authorization failure(514)'" "$T_OUT"
fi
check_fails login-kvm2-other-target-refused "$T_BIN/lunio" -i "$KVM2" login "$(url "$TGT2" 0)" &&
	{ out_has "Authorization failure\(514\)" && pass login-kvm2-other-target-refused ||
		fail login-kvm2-other-target-refused "not an authorization failure" "$T_OUT"; }
# an empty SendTargets answer, or a refused discovery login: nothing either way
run iscsi-ls -i "$STRANGER" "iscsi://127.0.0.1:$PD_PORT"
rc=$?
if out_has "^Target:"; then
	fail discovery-stranger-sees-nothing "an initiator without an ACL discovers targets" "$T_OUT"
elif [ $rc -ne 0 ] && ! out_has "Login failed"; then
	fail discovery-stranger-sees-nothing "iscsi-ls failed (exit $rc) other than by a refused login" "$T_OUT"
else
	pass discovery-stranger-sees-nothing
fi

# ---- LUNs outside the map ----
for l in "kvm2:$KVM2:1" "kvm3:$KVM3:0" "kvm3:$KVM3:3"; do
	who=${l%%:*}
	rest=${l#*:}
	iqn=${rest%:*}
	lun=${rest##*:}
	if check_fails "unmapped-lun-$who-$lun" "$T_BIN/lunio" -i "$iqn" login "$(url "$TGT" "$lun")"; then
		# SPC-4 §4.5.6: LOGICAL UNIT NOT SUPPORTED (25h/00h)
		out_has "ILLEGAL_REQUEST.*0x2500" && pass "unmapped-lun-$who-$lun" ||
			fail "unmapped-lun-$who-$lun" "not ILLEGAL REQUEST / LOGICAL UNIT NOT SUPPORTED" "$T_OUT"
	fi
done

# ---- read-only mapping ----
SEED=$(date +%s)
# lunio readonly tries to write zeros to LBAs 0-7
check kvm1-writes-tpg-lun-2 "$T_BIN/lunio" -i "$KVM1" write "$(url "$TGT" 2)" 0 64 "$SEED"
if check kvm3-readonly-lun-2 "$T_BIN/lunio" -i "$KVM3" readonly "$(url "$TGT" 2)"; then
	out_has "^WRITE \(16\): CHECK CONDITION DATA.PROTECTION/0x27" && pass kvm3-readonly-data-protect ||
		fail kvm3-readonly-data-protect "no DATA PROTECT / WRITE PROTECTED" "$T_OUT"
fi
check kvm3-reads-what-kvm1-wrote "$T_BIN/lunio" -i "$KVM3" check "$(url "$TGT" 2)" 0 64 "$SEED"
check kvm3-write-did-not-land "$T_BIN/lunio" -i "$KVM1" check "$(url "$TGT" 2)" 0 64 "$SEED"
# the same LU is writable through kvm3's other (read-write) mapping
check kvm3-lun-1-writable "$T_BIN/lunio" -i "$KVM3" verify "$(url "$TGT" 1)" "1,8,64"

# ---- one LU, several LUN numbers ----
naa_of() { # IQN LUN
	run "$T_BIN/lunio" -i "$1" ident "$(url "$TGT" "$2")" && grep '^naa:' "$T_OUT"
}
N1=$(naa_of "$KVM1" 1)
N2=$(naa_of "$KVM2" 0)
N3=$(naa_of "$KVM3" 1)
N0=$(naa_of "$KVM1" 0)
if [ -n "$N1" ] && [ "$N1" = "$N2" ] && [ "$N1" = "$N3" ]; then
	pass same-lu-same-naa
else
	fail same-lu-same-naa "TPG LUN 1 as kvm1 LUN 1 '$N1', kvm2 LUN 0 '$N2', kvm3 LUN 1 '$N3'"
fi
if [ -n "$N0" ] && [ "$N0" != "$N1" ]; then
	pass different-lus-different-naa
else
	fail different-lus-different-naa "TPG LUNs 0 and 1 both '$N0'"
fi
SEED2=$((SEED + 1))
check kvm2-writes-its-lun-0 "$T_BIN/lunio" -i "$KVM2" write "$(url "$TGT" 0)" 2048 32 "$SEED2"
check kvm1-reads-it-as-lun-1 "$T_BIN/lunio" -i "$KVM1" check "$(url "$TGT" 1)" 2048 32 "$SEED2"
check kvm1-lun-0-is-another-lu "$T_BIN/lunio" -i "$KVM1" zero "$(url "$TGT" 0)" 2048 32

# ---- the block backstore writes to the device itself ----
# ft_pattern puts the LBA and the seed, big-endian, in each block's first 16 bytes
got=$(dd if="$BLK" bs=512 skip=2048 count=1 iflag=direct 2>/dev/null | od -An -tx1 -N16 | tr -d ' \n')
want=$(printf '%016x%016x' 2048 "$SEED2")
[ "$got" = "$want" ] && pass block-backstore-data-on-device ||
	fail block-backstore-data-on-device "$BLK block 2048 starts with '$got', not '$want'"

pd_stop stop-clean
t_done
