# SPDX-License-Identifier: GPL-2.0-or-later
#
# tmf-and-sessions: task management under load and many sessions.
# ABORT TASK on a write that still waits for its R2Ts and LOGICAL UNIT
# RESET with writes in flight (libiscsi's task management API): the target
# answers, completes what was not aborted, and keeps serving; the reset
# also aborts another session's write in flight, which ends with TASK
# ABORTED (the control mode page says TAS 1). A failover cluster's PREEMPT
# AND ABORT from one node aborts the other's writes in flight, which end
# with TASK ABORTED too. Session
# reinstatement: a second login with the same initiator name and ISID
# replaces the first, whose connection the target closes. Sixteen sessions
# doing I/O at once all complete, spread over the I/O threads.
. "$(dirname "$0")/lib.sh"
t_require "$T_BIN/lunio" "$T_BIN/tmfio"

TGT=iqn.2026-01.org.portico.test:tmf
SES=iqn.2026-01.org.portico.test:sessions
NTHREADS=4

conf() {
	conf_head $NTHREADS
	cat <<EOF
backstores = (
  { name = "tmf0"; type = "file"; path = "$T_TMP/tmf0.img"; size = "64M"; thin = false; },
  { name = "ses0"; type = "file"; path = "$T_TMP/ses0.img"; size = "256M"; thin = true; }
);
targets = (
  { iqn = "$TGT";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$PD_PORT" ];
        luns = ( { lun = 0; backstore = "tmf0"; } );
        attributes = { generate_node_acls = true; demo_mode_write_protect = false; };
        # every write waits for R2Ts, 64 KiB at a time: a large one is in flight for a while
        parameters = { InitialR2T = true; ImmediateData = false; MaxBurstLength = 65536;
                       FirstBurstLength = 65536; };
      } );
  },
  { iqn = "$SES";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$PD_PORT" ];
        luns = ( { lun = 3; backstore = "ses0"; } );
        attributes = { generate_node_acls = true; demo_mode_write_protect = false; };
      } );
  } );
EOF
}

pd_start conf || t_done
T="$T_BIN/tmfio -i $T_INITIATOR"
L="$T_BIN/lunio -i $T_INITIATOR"

# ---- task management ----
if check abort-task $T abort "$(url "$TGT" 0)"; then
	grep '^ABORT TASK:' "$T_OUT"
fi
pd_alive && check after-abort-new-session-serves $L verify "$(url "$TGT" 0)" "1,128,2048"
if check lun-reset $T reset "$(url "$TGT" 0)"; then
	grep -E '^(LOGICAL UNIT RESET|TEST UNIT READY|after the reset)' "$T_OUT"
fi
pd_alive && check after-reset-new-session-serves $L verify "$(url "$TGT" 0)" "1,128,2048"
# SAM-5 §6.3.3: the reset aborts every session's tasks on the LU, not only the requester's
if check lun-reset-aborts-other-sessions $T xreset "$(url "$TGT" 0)"; then
	grep -E '^(LOGICAL UNIT RESET|session 0|the medium)' "$T_OUT"
fi
# a failover cluster's reservations: node B preempts and aborts node A while A writes
if check cluster-preempt-and-abort $T cluster "$(url "$TGT" 0)"; then
	grep -E '^(node|the medium|both)' "$T_OUT"
fi
pd_alive && check after-cluster-serves $L verify "$(url "$TGT" 0)" "1,128,2048"

# ---- session reinstatement ----
# the first session has an 8 MiB write in flight; on the first target it waits for R2Ts
check reinstatement $T reinstate "$(url "$SES" 3)"
check reinstatement-with-write-waiting-for-r2t $T reinstate "$(url "$TGT" 0)"

# ---- many sessions at once ----
io_cpu() { # "name ns" per I/O thread (schedstat: time on CPU, in ns)
	for t in /proc/"$PD_PID"/task/*; do
		n=$(cat "$t/comm" 2>/dev/null)
		case $n in
		portico-io*) echo "$n $(cut -d' ' -f1 "$t/schedstat")" ;;
		esac
	done | sort
}
io_cpu >"$T_TMP/cpu.before"
if check parallel-16-sessions $T parallel "$(url "$SES" 3)" 16 64; then
	grep '^16 sessions' "$T_OUT"
	io_cpu >"$T_TMP/cpu.after"
	n=$(wc -l <"$T_TMP/cpu.after")
	busy=$(join "$T_TMP/cpu.before" "$T_TMP/cpu.after" | awk '$3 - $2 >= 5000000' | wc -l)
	if [ "$n" -ne $NTHREADS ]; then
		fail parallel-spread-over-io-threads "expected $NTHREADS portico-io threads, found $n"
	elif [ "$busy" -ne $NTHREADS ]; then
		fail parallel-spread-over-io-threads "only $busy of $NTHREADS I/O threads did work for 16 sessions: $(join "$T_TMP/cpu.before" "$T_TMP/cpu.after" | awk '{printf "%s %d ms; ", $1, ($3 - $2) / 1000000}')"
	else
		pass parallel-spread-over-io-threads
	fi
fi
check after-parallel-serves $L verify "$(url "$SES" 3)" "8,64"

pd_stop stop-clean
t_done
