# SPDX-License-Identifier: GPL-2.0-or-later
#
# pr-kill9: persistent reservations with APTPL survive porticod being
# killed (SIGKILL) at any moment. Two initiators run PERSISTENT RESERVE OUT
# commands in a cycle (register, reserve, preempt and abort, release,
# preempt, clear; APTPL on); porticod is killed at a random moment in the
# middle, started again, and the keys and holder it reads back must be the
# state before the command that was under way or the state after it: never
# a torn state, never a state older than one already answered GOOD.
#
# SIGKILL leaves the page cache alone: this checks the store's atomic
# replacement and the order of completion, not the fsyncs (the VM lab's
# power-loss scenario pulls the plug on those).
. "$(dirname "$0")/lib.sh"
t_require "$T_BIN/prkill"

TGT=iqn.2026-01.org.portico.test:prkill
ROUNDS=${PR_KILL9_ROUNDS:-30}

conf() {
	conf_head 2
	cat <<EOF
state_dir = "$T_TMP/state";
backstores = ( { name = "pr0"; type = "file"; path = "$T_TMP/pr0.img"; size = "16M"; } );
targets = ( { iqn = "$TGT";
              tpgs = ( { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
                         luns = ( { lun = 0; backstore = "pr0"; } );
                         attributes = { generate_node_acls = true;
                                        demo_mode_write_protect = false; }; } ); } );
EOF
}

pd_start conf || t_done
P=$T_BIN/prkill
U=$(url "$TGT" 0)

# A node is one I_T nexus across its runs (prkill.c): B's first command run
# twice, by two processes, replaces B's key rather than adding a second
# registrant, so that a kill never leaves two keys of one node behind.
check one-nexus-run-1 "$P" run "$U" 1
check one-nexus-run-2 "$P" run "$U" 1
check one-nexus-one-key "$P" state "$U"
prev=$(sed -n 's/^STATE //p' "$T_OUT")
bad=0
n_before=0
n_after=0
n_steps=0
r=1
while [ $r -le $ROUNDS ]; do
	out=$T_TMP/run.$r
	helper "$out" "$P" run "$U" 1000000
	runner=$HELPER_PID
	# a moment in the middle of the sequence: 50 to 549 ms after the start
	sleep "0.$(printf '%03d' $((50 + $(od -An -N2 -tu2 /dev/urandom) % 500)))"
	pd_kill9
	helper_wait "$runner" 30
	rc=$?
	if [ $rc -ne 3 ]; then
		fail "round-$r-runner" "prkill run ended with $rc, not with the connection (3)" "$out"
		bad=1
		break
	fi
	pd_restart || { bad=1; break; }
	if ! "$P" state "$U" >"$T_TMP/state.$r" 2>&1; then
		fail "round-$r-read-back" "prkill state failed" "$T_TMP/state.$r"
		bad=1
		break
	fi
	got=$(sed -n 's/^STATE //p' "$T_TMP/state.$r")
	last=$(sed -n 's/^OK //p' "$out" | tail -n 1)
	[ -n "$last" ] || last=$prev
	pending=$(tail -n 1 "$out" | sed -n 's/^P //p')
	n_steps=$((n_steps + $(grep -c '^OK ' "$out")))
	if [ "$got" = "$last" ]; then
		n_before=$((n_before + 1))
	elif [ -n "$pending" ] && [ "$got" = "$pending" ]; then
		n_after=$((n_after + 1))
	else
		fail "round-$r-state" "read back '$got'; the last state answered GOOD was '$last'${pending:+, the one under way '$pending'}" "$out"
		bad=1
		break
	fi
	prev=$got
	r=$((r + 1))
done
if [ $bad -eq 0 ]; then
	pass "kill9-$ROUNDS-rounds"
	echo "$ROUNDS kills: $n_steps commands answered GOOD in all; read back the last GOOD state $n_before times, the state of the command under way $n_after times"
fi
# what the kills left is a state porticod restores and goes on from
check after-kills-cycle "$P" run "$U" 40
pd_stop stop-clean
t_done
