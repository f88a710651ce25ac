# SPDX-License-Identifier: GPL-2.0-or-later
#
# bad-input: an initiator that breaks the protocol (rawiscsi, a hand-made
# initiator on a raw socket) must get a Reject or a closed connection, never
# a crash and never a silent success, while a well-behaved libiscsi session
# on the same target keeps doing verified I/O all along:
#   an unknown opcode            Reject 0x05, the session keeps working
#   an oversized data segment    Reject (protocol error) and/or close
#   a wrong header digest        the connection is dropped
#   a wrong data digest          Reject 0x02 on immediate data and on Data-Out;
#                                the write never ends GOOD without its data
#   CmdSN outside the window     ignored, the session keeps working
#   a command before login       login reject (class 2), connection closed
#   connections closed mid-PDU   the target keeps serving
. "$(dirname "$0")/lib.sh"
t_require "$T_BIN/lunio" "$T_BIN/rawiscsi"

TGT=iqn.2026-01.org.portico.test:badinput
GOOD=iqn.2026-01.org.portico.test:well-behaved
BAD=iqn.2026-01.org.portico.test:misbehaving

conf() {
	conf_head
	cat <<EOF
backstores = (
  { name = "victim"; type = "file"; path = "$T_TMP/victim.img"; size = "64M"; },
  { name = "steady"; type = "file"; path = "$T_TMP/steady.img"; size = "64M"; }
);
targets = (
  { iqn = "$TGT";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$PD_PORT" ];
        luns = ( { lun = 0; backstore = "victim"; }, { lun = 1; backstore = "steady"; } );
        attributes = { generate_node_acls = true; demo_mode_write_protect = false; };
        parameters = { MaxRecvDataSegmentLength = 8192; ImmediateData = true; InitialR2T = false;
                       HeaderDigest = "CRC32C,None"; DataDigest = "CRC32C,None"; };
      } );
  } );
EOF
}

pd_start conf || t_done

PROGRESS=$T_TMP/hammer.progress
progress() {
	cat "$PROGRESS" 2>/dev/null || echo 0
}
# Waits (bounded) until the well-behaved session has verified N more rounds.
advances() { # FROM N
	i=0
	while [ $i -lt 100 ]; do
		[ "$(progress)" -ge $(($1 + $2)) ] && return 0
		kill -0 "$HAMMER" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

helper "$T_TMP/hammer.out" "$T_BIN/lunio" -i "$GOOD" hammer "$(url "$TGT" 1)" 600 "$PROGRESS"
HAMMER=$HELPER_PID
if advances 0 5; then
	pass well-behaved-session-runs
else
	fail well-behaved-session-runs "the libiscsi session did not start doing I/O" "$T_TMP/hammer.out"
fi

for c in badopcode oversize oversize-huge hdigest ddigest-imm ddigest-out cmdsn prelogin midpdu; do
	before=$(progress)
	check "$c" "$T_BIN/rawiscsi" "$c" 127.0.0.1 "$PD_PORT" "$TGT" "$BAD" 0
	sed 's/^/    /' "$T_OUT" | grep -v '^    $'
	if ! pd_alive; then
		fail "$c-porticod-alive" "porticod died"
		break
	fi
	pass "$c-porticod-alive"
	if advances "$before" 5; then
		pass "$c-other-session-keeps-working"
	else
		fail "$c-other-session-keeps-working" "the well-behaved session stopped (at $(progress) rounds)" "$T_TMP/hammer.out"
	fi
done

touch "$PROGRESS.stop"
if helper_wait "$HAMMER" 30; then
	pass well-behaved-session-all-verified
	sed 's/^/    /' "$T_TMP/hammer.out"
else
	fail well-behaved-session-all-verified "the libiscsi session failed" "$T_TMP/hammer.out"
fi

pd_stop stop-clean
t_done
