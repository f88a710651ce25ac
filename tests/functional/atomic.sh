# SPDX-License-Identifier: GPL-2.0-or-later
#
# atomic: COMPARE AND WRITE, ORWRITE and WRITE ATOMIC(16) are indivisible to
# plain WRITEs from another session on another I/O thread (docs/conformance.md,
# "Atomicity"). tests/functional/atomicrace.c races them over 8 blocks for a
# few seconds each and reads back, after every GOOD write, what only an
# indivisible command can have left there: a lost write or a torn range
# fails the test. Over a thin file, a thick write-through file and a block
# device on a loop device.
. "$(dirname "$0")/lib.sh"
t_require "$T_BIN/atomicrace"

TGT=iqn.2026-01.org.portico.test:atomic
SECS=${ATOMIC_RACE_SECONDS:-3}

mkloop 16M || { fail setup "cannot create a loop device"; t_done; }

conf() {
	conf_head 2
	cat <<EOF
backstores = (
  { name = "thin"; type = "file"; path = "$T_TMP/thin.img"; size = "64M"; thin = true; },
  { name = "wt"; type = "file"; path = "$T_TMP/wt.img"; size = "16M"; thin = false; write_back = false; },
  { name = "blk"; type = "block"; path = "$LOOPDEV"; }
);
targets = (
  { iqn = "$TGT";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$PD_PORT" ];
        luns = ( { lun = 0; backstore = "thin"; }, { lun = 1; backstore = "wt"; },
                 { lun = 2; backstore = "blk"; } );
        attributes = { generate_node_acls = true; demo_mode_write_protect = false; };
      } );
  } );
EOF
}

pd_start conf || t_done
R="$T_BIN/atomicrace -i $T_INITIATOR"

for lun in 0 1 2; do
	for mode in caw orwrite atomic; do
		check "race-$mode-lun$lun" $R "$mode" "$(url "$TGT" "$lun")" 1000 8 "$SECS" &&
			cat "$T_OUT"
	done
done

pd_stop atomic
t_done
