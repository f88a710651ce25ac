# SPDX-License-Identifier: GPL-2.0-or-later
#
# powerloss-check: the checker of the VM lab's power-loss scenario
# (tests/functional/powerloss.c, tests/vm/powerloss.sh) finds what it must.
# Here, on loopback, porticod is stopped between writing and checking, and
# the backing files and the APTPL state are damaged by hand: a block cut
# in the middle (torn), a block acknowledged as stable put back to zeros
# (lost), and the reservation's state file removed (the reservation lost).
# Each must make 'powerloss verify' fail, and the undamaged run pass.
. "$(dirname "$0")/lib.sh"
t_require "$T_BIN/powerloss"

TGT=iqn.2026-01.org.portico.test:powerloss

conf() {
	conf_head
	cat <<EOF2
state_dir = "$T_TMP/state";
backstores = (
  { name = "wb"; type = "file"; path = "$T_TMP/wb.img"; size = "4M"; write_back = true; },
  { name = "wt"; type = "file"; path = "$T_TMP/wt.img"; size = "4M"; write_back = false; },
  { name = "pr"; type = "file"; path = "$T_TMP/pr.img"; size = "1M"; }
);
targets = (
  { iqn = "$TGT";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$PD_PORT" ];
        luns = ( { lun = 0; backstore = "wb"; }, { lun = 1; backstore = "wt"; },
                 { lun = 2; backstore = "pr"; } );
        attributes = { generate_node_acls = true; demo_mode_write_protect = false; };
      } );
  } );
EOF2
}

for f in wb:4M wt:4M pr:1M; do mkimg "$T_TMP/${f%%:*}.img" "${f#*:}"; done
LOG=$T_TMP/ack.log
PL="$T_BIN/powerloss -i $T_INITIATOR"

pd_start conf || t_done
LUS="$(url "$TGT" 0) $(url "$TGT" 1) $(url "$TGT" 2) $LOG"
helper "$T_TMP/writer.out" $PL write $LUS
w=$HELPER_PID
i=0
while [ "$(cat "$LOG" 2>/dev/null | grep -c '^S wt ')" -lt 200 ] && kill -0 "$w" 2>/dev/null && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 "$w" 2>/dev/null && pass writer-running || fail writer-running "the writer stopped" "$T_TMP/writer.out"
kill -KILL "$w" 2>/dev/null
wait "$w" 2>/dev/null
pd_stop stop-after-writing || t_done
cp "$T_TMP/wt.img" "$T_TMP/wt.good"

# a write-through slot acknowledged stable, and its byte offset
slot=$(awk '$1 == "S" && $2 == "wt" { print $3 }' "$LOG" | tail -1)
off=$((slot * 4096))

pd_restart || t_done
check undamaged-passes $PL verify $LUS
out_has 'lost 0, torn 0' || fail undamaged-figures "no 'lost 0, torn 0'" "$T_OUT"

# a plain write acknowledged just before a power loss and never
# synchronized, then a boot and a SYNCHRONIZE CACHE: not stable (the cache
# that held it is gone), so its absence is no loss. The writer logs "B" as
# it starts after a boot; without it the check counted the write stable
# (the VM lab's make test reported "LOST: wb slot 468" so).
cp "$LOG" "$T_TMP/ack.keep"
printf 'I wb 1 999999\nW wb 1 999999\nB\nC wb\n' >>"$LOG"
check cache-lost-at-boot-not-stable $PL verify $LUS
cp "$T_TMP/ack.keep" "$LOG"
out_has '^pr: key 0x[0-9a-f]+ and its reservation are back' || fail undamaged-pr "the reservation was not found" "$T_OUT"
pd_stop stop-after-verify || t_done

# torn: the second half of the block from another write (its first 2 KiB
# copied over it)
dd if="$T_TMP/wt.good" of="$T_TMP/wt.img" bs=2048 skip=$((off / 2048)) seek=$((off / 2048 + 1)) count=1 \
	conv=notrunc 2>/dev/null
pd_restart || t_done
check_fails torn-found $PL verify $LUS && { out_has "^TORN: wt slot $slot" && pass torn-found ||
	fail torn-found "no TORN line for wt slot $slot" "$T_OUT"; }
pd_stop stop-after-torn || t_done

# lost: the stable block back to zeros
dd if=/dev/zero of="$T_TMP/wt.img" bs=4096 seek="$slot" count=1 conv=notrunc 2>/dev/null
pd_restart || t_done
check_fails lost-found $PL verify $LUS && { out_has "^LOST: wt slot $slot: acknowledged stable" && pass lost-found ||
	fail lost-found "no LOST line for wt slot $slot" "$T_OUT"; }
pd_stop stop-after-lost || t_done

# the reservation: its APTPL state gone
cp "$T_TMP/wt.good" "$T_TMP/wt.img"
rm -f "$T_TMP"/state/pr/*
pd_restart || t_done
check_fails pr-lost-found $PL verify $LUS && { out_has '^pr: LOST' && pass pr-lost-found ||
	fail pr-lost-found "no 'pr: LOST' line" "$T_OUT"; }
pd_stop stop-clean
t_done
