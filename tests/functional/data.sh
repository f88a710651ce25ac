# SPDX-License-Identifier: GPL-2.0-or-later
#
# data: what is written is what is read, over every LUN kind (file thin,
# file not thin, file with 4096-byte blocks, block on a loop device, null),
# with header digests (libiscsi) and header + data digests (rawiscsi), and
# through the R2T paths with odd MaxBurstLength / FirstBurstLength /
# MaxRecvDataSegmentLength and ImmediateData / InitialR2T both ways. Then
# UNMAP on a thin file (GET LBA STATUS, zeros, the file's allocation
# shrinks), SYNCHRONIZE CACHE and WRITE SAME. And commands whose iSCSI
# expected data transfer length is not the CDB's (docs/conformance.md).
. "$(dirname "$0")/lib.sh"
t_require "$T_BIN/lunio" "$T_BIN/rawiscsi"

TGT=iqn.2026-01.org.portico.test:data
R2T=iqn.2026-01.org.portico.test:r2t

mkloop 64M || { fail setup "cannot create a loop device"; t_done; }
BLK=$LOOPDEV

# One target per ImmediateData/InitialR2T combination, all with the odd sizes.
r2t_target() { # SUFFIX IMMEDIATE INITIAL
	cat <<EOF
  { iqn = "$R2T-$1";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$PD_PORT" ];
        luns = ( { lun = 0; backstore = "thick"; } );
        attributes = { generate_node_acls = true; demo_mode_write_protect = false; };
        parameters = { MaxBurstLength = 12288; FirstBurstLength = 8192;
                       MaxRecvDataSegmentLength = 4608; ImmediateData = $2; InitialR2T = $3;
                       HeaderDigest = "CRC32C,None"; DataDigest = "CRC32C,None"; };
      } );
  },
EOF
}

conf() {
	conf_head
	cat <<EOF
backstores = (
  { name = "thin"; type = "file"; path = "$T_TMP/thin.img"; size = "256M"; thin = true; },
  { name = "thick"; type = "file"; path = "$T_TMP/thick.img"; size = "64M"; thin = false; },
  { name = "blk"; type = "block"; path = "$BLK"; },
  { name = "nul"; type = "null"; size = "256M"; },
  { name = "file4k"; type = "file"; path = "$T_TMP/file4k.img"; size = "64M"; block_size = 4096; }
);
targets = (
EOF
	r2t_target imm-noinit true false
	r2t_target noimm-init false true
	r2t_target imm-init true true
	r2t_target noimm-noinit false false
	cat <<EOF
  { iqn = "$TGT";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$PD_PORT" ];
        luns = (
          { lun = 0; backstore = "thin"; },
          { lun = 1; backstore = "thick"; },
          { lun = 2; backstore = "blk"; },
          { lun = 3; backstore = "nul"; },
          { lun = 4; backstore = "file4k"; }
        );
        attributes = { generate_node_acls = true; demo_mode_write_protect = false; };
        parameters = { HeaderDigest = "CRC32C,None"; DataDigest = "CRC32C,None"; };
      } );
  } );
EOF
}

pd_start conf || t_done
L="$T_BIN/lunio -i $T_INITIATOR"

# ---- write and read back, per LUN kind ----
check verify-file-thin $L verify "$(url "$TGT" 0)"
check verify-file-thick $L verify "$(url "$TGT" 1)"
check verify-block-loop $L verify "$(url "$TGT" 2)"
check verify-file-4k-blocks $L verify "$(url "$TGT" 4)" "1,2,7,64,255,256,1024"
if check verify-file-4k-block-size $L capacity "$(url "$TGT" 4)"; then
	out_has "^blocks 16384 bs 4096 " && pass file-4k-capacity ||
		fail file-4k-capacity "expected 16384 blocks of 4096 bytes" "$T_OUT"
fi
# the null store takes writes and reads back zeros
check null-takes-writes $L write "$(url "$TGT" 3)" 1000 256 7
check null-reads-zeros $L zero "$(url "$TGT" 3)" 1000 256
# data written through the block backstore is on the device
seed=$(date +%s)
if check block-write $L write "$(url "$TGT" 2)" 4321 8 "$seed"; then
	got=$(dd if="$BLK" bs=512 skip=4321 count=1 iflag=direct 2>/dev/null | od -An -tx1 -N16 | tr -d ' \n')
	[ "$got" = "$(printf '%016x%016x' 4321 "$seed")" ] && pass block-data-on-device ||
		fail block-data-on-device "$BLK block 4321 starts with '$got'"
fi

# ---- digests ----
check verify-header-digest $L -H verify "$(url "$TGT" 1)" "1,8,255,2048"
if check data-digest-io "$T_BIN/rawiscsi" ddio 127.0.0.1 "$PD_PORT" "$TGT" "$T_INITIATOR" 1; then
	out_has "HeaderDigest=CRC32C DataDigest=CRC32C" && pass data-digest-negotiated ||
		fail data-digest-negotiated "CRC32C digests not in force" "$T_OUT"
fi
check data-digest-io-block "$T_BIN/rawiscsi" ddio 127.0.0.1 "$PD_PORT" "$TGT" "$T_INITIATOR" 2

# ---- R2T with odd burst sizes, ImmediateData and InitialR2T both ways ----
BIG="1,9,15,16,17,23,24,25,100,1023,2048,4096"
for v in "imm-noinit:Yes:No" "noimm-init:No:Yes" "imm-init:Yes:Yes" "noimm-noinit:No:No"; do
	s=${v%%:*}
	imm=$(echo "$v" | cut -d: -f2)
	init=$(echo "$v" | cut -d: -f3)
	check "r2t-$s-libiscsi" $L verify "$(url "$R2T-$s" 0)" "$BIG"
	check "r2t-$s-libiscsi-header-digest" $L -H verify "$(url "$R2T-$s" 0)" "17,4096"
	if check "r2t-$s-digests" "$T_BIN/rawiscsi" ddio 127.0.0.1 "$PD_PORT" "$R2T-$s" "$T_INITIATOR" 0; then
		# rawiscsi asks for ImmediateData=Yes and InitialR2T=No: the target's setting wins;
		# RFC 7143 §6.2.2: FirstBurstLength may be answered Irrelevant when no data is unsolicited
		fb=8192
		[ "$s" = noimm-init ] && fb="(8192|Irrelevant)"
		out_has "MaxRecvDataSegmentLength\(target\)=4608 FirstBurstLength=$fb MaxBurstLength=12288 InitialR2T=$init ImmediateData=$imm" &&
			pass "r2t-$s-negotiated" ||
			fail "r2t-$s-negotiated" "expected 4608/8192/12288, InitialR2T=$init ImmediateData=$imm" "$T_OUT"
	fi
done

# ---- UNMAP on the thin file ----
IMG=$T_TMP/thin.img
LBA=16384 # 8 MiB in
N=8192    # 4 MiB
SEED=$(date +%s)
if check unmap-setup-write $L write "$(url "$TGT" 0)" "$LBA" "$N" "$SEED" &&
	check unmap-setup-neighbours $L write "$(url "$TGT" 0)" $((LBA - 8)) 8 $((SEED + 1)) &&
	check unmap-setup-neighbours-after $L write "$(url "$TGT" 0)" $((LBA + N)) 8 $((SEED + 2)); then
	sync "$IMG"
	before=$(alloc_bytes "$IMG")
	if check lba-status-mapped $L lbastatus "$(url "$TGT" 0)" "$LBA"; then
		out_has "^lba $LBA blocks [0-9]+ provisioning 0\$" && pass lba-status-mapped-after-write ||
			fail lba-status-mapped-after-write "written blocks are not reported mapped" "$T_OUT"
	fi
	if check unmap $L unmap "$(url "$TGT" 0)" "$LBA" "$N"; then
		if check lba-status-after-unmap $L lbastatus "$(url "$TGT" 0)" "$LBA"; then
			# SBC-3 §5.6: 1 deallocated, 2 anchored
			out_has "^lba $LBA blocks [0-9]+ provisioning [12]\$" && pass lba-status-deallocated ||
				fail lba-status-deallocated "unmapped blocks are not reported deallocated" "$T_OUT"
		fi
		check unmapped-reads-zeros $L zero "$(url "$TGT" 0)" "$LBA" "$N"
		sync "$IMG"
		after=$(alloc_bytes "$IMG")
		if [ $((before - after)) -ge $((N * 512 * 7 / 8)) ]; then
			pass unmap-shrinks-file
		else
			fail unmap-shrinks-file "$IMG allocation went from $before to $after bytes after unmapping $((N * 512)) bytes"
		fi
		# the neighbours are untouched
		check unmap-keeps-block-before $L check "$(url "$TGT" 0)" $((LBA - 8)) 8 $((SEED + 1))
		check unmap-keeps-block-after $L check "$(url "$TGT" 0)" $((LBA + N)) 8 $((SEED + 2))
	fi
fi

# ---- SYNCHRONIZE CACHE ----
check sync-cache-file-thin $L sync "$(url "$TGT" 0)"
check sync-cache-file-thick $L sync "$(url "$TGT" 1)"
check sync-cache-block $L sync "$(url "$TGT" 2)"

# ---- WRITE SAME ----
check write-same-file $L writesame "$(url "$TGT" 1)" 5000 128
check write-same-block $L writesame "$(url "$TGT" 2)" 5000 128
check write-same-file-4k $L writesame "$(url "$TGT" 4)" 500 16

# ---- an Expected Data Transfer Length other than the CDB's (RFC 7143 §11.4.5) ----
# A command answered GOOD did what was sent; one that cannot (a data-out
# that ends inside a block, a write without the W bit) is refused whole.
edtl_line() { # NAME REGEX WHY
	out_has "$2" && pass "$1" || fail "$1" "$3" "$T_OUT"
}
if check edtl-run $L edtl "$(url "$TGT" 1)" 7000; then
	edtl_line edtl-200-refused \
		"^write-edtl-200: CHECK CONDITION ILLEGAL_REQUEST/0x0e03 .* residual overflow 312\$" \
		"WRITE (10) of one block with EDTL 200: not INVALID FIELD IN COMMAND INFORMATION UNIT with 312 bytes of overflow"
	edtl_line edtl-200-medium-untouched "^write-edtl-200 blocks: 1024 'a'\$" \
		"the refused write changed the blocks"
	edtl_line edtl-no-w-bit-refused "^write-no-w-bit: CHECK CONDITION ILLEGAL_REQUEST/0x0e03 " \
		"a WRITE (10) with EDTL 512 and no W bit was not refused"
	edtl_line edtl-no-w-bit-medium-untouched "^write-no-w-bit blocks: 1024 'a'\$" \
		"a WRITE without the W bit changed the blocks (with what it was never sent)"
	edtl_line edtl-whole-block-written "^write-edtl-1-of-2: GOOD residual overflow 512\$" \
		"WRITE (10) of two blocks with EDTL one block: not GOOD with 512 bytes of overflow"
	edtl_line edtl-whole-block-on-medium "^write-edtl-1-of-2 blocks: 512 'b' 512 'a'\$" \
		"the first block is not what was sent, or the second was written"
	edtl_line edtl-read-200 "^read-edtl-200: GOOD residual overflow 312 got 200\$" \
		"READ (10) of one block with EDTL 200: not 200 bytes, GOOD, 312 of overflow"
	edtl_line edtl-read-underflow "^read-edtl-3-blocks: GOOD residual underflow 512 got 1024\$" \
		"READ (10) of two blocks with EDTL three: not two blocks, GOOD, 512 of underflow"
fi

pd_stop stop-clean
t_done
