# SPDX-License-Identifier: GPL-2.0-or-later
#
# xcopy: EXTENDED COPY (LID1) through libiscsi (tests/functional/xcopyio.c),
# checked on the medium: within one LU (a thin file), between two file LUs
# of one target (copy_file_range, one filesystem), from a file LU to a block
# LU on a loop device and back (the backstores' asynchronous engine), and
# the LU of another target refused as unreachable (an initiator copies only
# between LUs it can address itself), and a long copy aborted (ABORT TASK
# answered, no response for the copy, its results dropped, the session
# serving on). The images are compared with cmp, outside porticod.
. "$(dirname "$0")/lib.sh"
t_require "$T_BIN/xcopyio"

TGT=iqn.2026-01.org.portico.test:xcopy
OTHER=iqn.2026-01.org.portico.test:xcopy-other

mkloop 32M || { fail setup "cannot create a loop device"; t_done; }
BLK=$LOOPDEV

conf() {
	conf_head
	cat <<EOF
backstores = (
  { name = "thin"; type = "file"; path = "$T_TMP/thin.img"; size = "64M"; thin = true; },
  { name = "thick"; type = "file"; path = "$T_TMP/thick.img"; size = "64M"; thin = false; },
  { name = "blk"; type = "block"; path = "$BLK"; },
  { name = "other"; type = "file"; path = "$T_TMP/other.img"; size = "16M"; thin = true; }
);
targets = (
  { iqn = "$TGT";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$PD_PORT" ];
        luns = (
          { lun = 0; backstore = "thin"; },
          { lun = 1; backstore = "thick"; },
          { lun = 2; backstore = "blk"; }
        );
        attributes = { generate_node_acls = true; demo_mode_write_protect = false; };
      } );
  },
  { iqn = "$OTHER";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$PD_PORT" ];
        luns = ( { lun = 0; backstore = "other"; } );
        attributes = { generate_node_acls = true; demo_mode_write_protect = false; };
      } );
  } );
EOF
}

pd_start conf || t_done
X="$T_BIN/xcopyio -i $T_INITIATOR"

copied() { # NAME N
	out_has "^copied $2 blocks: status 1 segments 1 bytes $(($2 * 512))\$" && pass "$1" ||
		fail "$1" "RECEIVE COPY RESULTS did not report the whole copy done" "$T_OUT"
}

# within one LU: 3000 blocks (1.5 MB)
check xcopy-within-lu $X copy "$(url "$TGT" 0)" 0 0 0 10000 3000 11 &&
	copied xcopy-within-lu-status 3000
# across LUs of one target, sent to either of them: file to file
check xcopy-file-to-file $X copy "$(url "$TGT" 0)" 0 20000 1 0 4096 12 &&
	copied xcopy-file-to-file-status 4096
check xcopy-sent-to-destination $X copy "$(url "$TGT" 1)" 0 30000 1 10000 65535 13 &&
	copied xcopy-sent-to-destination-status 65535
# file to block device and back: the asynchronous engine
check xcopy-file-to-block $X copy "$(url "$TGT" 0)" 1 80000 2 0 5000 14 &&
	copied xcopy-file-to-block-status 5000
check xcopy-block-to-file $X copy "$(url "$TGT" 2)" 2 10000 1 90000 5000 15
# the medium, read outside porticod: each copy is byte for byte its source
same() { # FILE1 LBA1 FILE2 LBA2 BLOCKS
	cmp -s -i $(($2 * 512)):$(($4 * 512)) -n $(($5 * 512)) "$1" "$3"
}
if same "$T_TMP/thin.img" 0 "$T_TMP/thin.img" 10000 3000 &&
	same "$T_TMP/thin.img" 20000 "$T_TMP/thick.img" 0 4096 &&
	same "$T_TMP/thin.img" 30000 "$T_TMP/thick.img" 10000 65535 &&
	same "$T_TMP/thick.img" 80000 "$BLK" 0 5000 &&
	same "$BLK" 10000 "$T_TMP/thick.img" 90000 5000; then
	pass xcopy-medium
else
	fail xcopy-medium "the images differ where the copies went"
fi
# a long copy (32 segments of 32 MiB, file to block device) aborted: ABORT
# TASK answered, the copy's results dropped, the session serving on
if check xcopy-abort $X abort "$(url "$TGT" 0)" 0 2; then
	out_has '^aborted: answered in [0-9]+ ms$' && pass xcopy-abort-in-flight ||
		fail xcopy-abort-in-flight "the copy ended before the abort reached it" "$T_OUT"
fi
# another target's LU: not reachable from this session, and untouched
before=$(md5sum <"$T_TMP/other.img")
check xcopy-other-target-unreachable $X unreachable "$(url "$TGT" 0)" "$(url "$OTHER" 0)"
[ "$(md5sum <"$T_TMP/other.img")" = "$before" ] && pass xcopy-other-target-untouched ||
	fail xcopy-other-target-untouched "the other target's LU changed"

pd_stop stop-clean
t_done
