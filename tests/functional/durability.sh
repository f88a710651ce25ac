# SPDX-License-Identifier: GPL-2.0-or-later
#
# durability: "I restart porticod or the whole storage server: nothing
# written is lost." A libiscsi writer does FUA writes and writes followed by
# SYNCHRONIZE CACHE on a write-back file LU and records each write once it
# is durable by SBC-3; porticod is killed with SIGKILL in the middle of the
# stream, restarted on the same configuration, and every acknowledged write
# must read back. Twice, on a file and on a block device (loop).
. "$(dirname "$0")/lib.sh"
t_require "$T_BIN/durable"

TGT=iqn.2026-01.org.portico.test:durability

mkloop 128M || { fail setup "cannot create a loop device"; t_done; }
BLK=$LOOPDEV

conf() {
	conf_head
	cat <<EOF
backstores = (
  { name = "wb"; type = "file"; path = "$T_TMP/wb.img"; size = "256M"; thin = true; write_back = true; },
  { name = "wbblk"; type = "block"; path = "$BLK"; write_back = true; }
);
targets = (
  { iqn = "$TGT";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$PD_PORT" ];
        luns = ( { lun = 0; backstore = "wb"; }, { lun = 1; backstore = "wbblk"; } );
        attributes = { generate_node_acls = true; demo_mode_write_protect = false; };
      } );
  } );
EOF
}

D="$T_BIN/durable -i $T_INITIATOR"

# One round: write until at least MIN writes are acknowledged, kill -9
# porticod while the writer still writes, restart, read everything back.
round() { # NAME LUN FIRST-LBA MIN
	ack=$T_TMP/$1.ack
	: >"$ack"
	helper "$T_TMP/$1.writer" $D write "$(url "$TGT" "$2")" "$ack" "$3" 60
	w=$HELPER_PID
	i=0
	while [ "$(wc -l <"$ack")" -lt "$4" ] && kill -0 "$w" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if ! kill -0 "$w" 2>/dev/null; then
		fail "$1-writer-running" "the writer stopped before porticod was killed" "$T_TMP/$1.writer"
		return
	fi
	pd_kill9
	pass "$1-killed-mid-stream"
	if helper_wait "$w" 60; then
		pass "$1-writer-saw-the-kill"
		sed 's/^/    /' "$T_TMP/$1.writer"
	else
		fail "$1-writer-saw-the-kill" "the writer failed or hung" "$T_TMP/$1.writer"
	fi
	[ -s "$ack" ] || { fail "$1-acknowledged" "nothing was acknowledged"; return; }
	pd_restart || return
	if check "$1-acknowledged-writes-survive" $D verify "$(url "$TGT" "$2")" "$ack"; then
		sed 's/^/    /' "$T_OUT"
	fi
}

pd_start conf || t_done
round file 0 0 300
pd_alive && round file-again 0 65536 300
pd_alive && round block 1 0 300

pd_stop stop-clean
t_done
