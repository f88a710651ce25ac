# SPDX-License-Identifier: GPL-2.0-or-later
#
# guessing: CHAP secrets guessed online, as issue "porticod under attack and
# under power loss" found could be done at thousands of tries a second
# (docs/configuration.md, "Failed logins"). chapc tries wrong secrets for
# one initiator name as fast as the target answers:
#   guard-off   auth_guard off: every try answered at once, every failure
#               logged with its reason, as before the guard
#   guard-on    the guard as this group sets it (a shorter lockout than the
#               default, to keep the group short): the answers come later
#               and later, five failures lock the name and the address out,
#               only those five were tested, one line a run in the log, the
#               lockout in portico status; during it even the right secret
#               is refused, and another name from another address logs in;
#               after it the right secret is taken
. "$(dirname "$0")/lib.sh"
t_require "$T_BIN/chapc" "$PORTICO"

TGT=iqn.2026-01.org.portico.test:guessing
KVM1=iqn.2026-01.org.portico.test:kvm1
KVM2=iqn.2026-01.org.portico.test:kvm2
S1=kvm1-secret-4711
S2=kvm2-secret-0815
LOCKOUT=4

GUARD="enabled = false;"
conf() {
	conf_head 2
	cat <<EOF
auth_guard = { $GUARD };
backstores = ( { name = "n0"; type = "null"; size = "16M"; } );
targets = ( { iqn = "$TGT";
  tpgs = ( { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
             luns = ( { lun = 0; backstore = "n0"; } );
             attributes = { authentication = true; };
             acls = ( { initiator = "$KVM1"; userid = "kvm1-user"; password = "$S1"; },
                      { initiator = "$KVM2"; userid = "kvm2-user"; password = "$S2"; } ); } ); } );
EOF
}

# chapc logging in as NAME with SECRET [from ADDRESS]
login_as() { # INITIATOR USER SECRET [ADDRESS]
	run "$T_BIN/chapc" -a 5 -n "$2" -s "$3" ${4:+-S "$4"} 127.0.0.1 "$PD_PORT" "$TGT" "$1"
}
# wrong-secret logins of kvm1 from 127.0.0.1: "tries N ok K refused R ms M" in $T_OUT
guess() { # TRIES [SECONDS]
	run "$T_BIN/chapc" -a 5 -n kvm1-user -s "wrong-secret-$$" -k "$1" ${2:+-t "$2"} \
		127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
}
summary() { # FIELD: a number of chapc -k's summary
	sed -n "s/^tries .*/&/p" "$T_OUT" | awk -v f="$1" '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }'
}
PD_MARK=0
refusals() { # REASON: the refusals of kvm1 logged with it since this porticod started
	tail -n +$((PD_MARK + 1)) "$PD_LOG" | grep -cF "login refused (class 2 detail 1: $1), initiator '$KVM1'"
}
pd_status() { "$PORTICO" -t 4 --json status | jq -r "$1"; }
guard_status() { "$PORTICO" -t 4 --json status | jq -c .auth_guard; }

# ---- the guard off: as fast as the target answers, each failure logged ----
pd_start conf || t_done
guess 300
tries=$(summary tries)
ms=$(summary ms)
if [ "$tries" = 300 ] && [ "$(summary refused)" = 300 ]; then
	rate_off=$((tries * 1000 / (ms + 1)))
	echo "    guard off: $tries wrong secrets in $ms ms, $rate_off a second"
	pass guard-off-all-refused
else
	fail guard-off-all-refused "chapc: $(tail -n 1 "$T_OUT")" "$T_OUT"
	rate_off=0
fi
[ "$(refusals "wrong secret")" -eq 300 ] && pass guard-off-each-logged ||
	fail guard-off-each-logged "$(refusals "wrong secret") refusals logged for 300 tries"
pd_stop stop-guard-off

# ---- the guard on ----
GUARD="delay_ms = 50; delay_max_ms = 400; lockout_failures = 5; lockout_time = $LOCKOUT;"
conf >"$PD_CONF"
PD_MARK=$(wc -l <"$PD_LOG")
pd_restart || t_done
# a first run, against the clock: 3 s of guessing
guess 100000 3
tries=$(summary tries)
echo "    guard on: $tries wrong secrets in 3 s, $((tries / 3)) a second (guard off: $rate_off a second)"
# 5 tested with delays of 50+100+200+400+400 ms, then refused 400 ms apart: about ten
if [ -n "$tries" ] && [ "$tries" -ge 5 ] && [ "$tries" -le 30 ]; then
	pass guard-on-slowed
else
	fail guard-on-slowed "$tries tries in 3 s" "$T_OUT"
fi
[ "$(pd_status .auth_guard.failures)" = 5 ] && [ "$(pd_status .auth_guard.refused)" -ge 1 ] &&
	pass guard-on-five-tested ||
	fail guard-on-five-tested "auth_guard: $(guard_status)"
grep -qF "auth guard: initiator '$KVM1': 5 failed logins in a row (the last from 127.0.0.1): locked out for $LOCKOUT s" "$PD_LOG" &&
	grep -qF "auth guard: address 127.0.0.1: 5 failed logins in a row (the last as initiator '$KVM1'): locked out for $LOCKOUT s" "$PD_LOG" &&
	pass guard-on-lockout-logged || fail guard-on-lockout-logged "no lockout line"
[ "$(refusals "wrong secret")" -eq 1 ] && pass guard-on-one-line-a-run ||
	fail guard-on-one-line-a-run "$(refusals "wrong secret") refusals logged with their reason"
locked=$(pd_status "[.auth_guard.runs[] | select(.initiator == \"$KVM1\" and .locked_s > 0)] | length")
[ "$locked" = 1 ] && pass guard-on-status-shows-lockout ||
	fail guard-on-status-shows-lockout "auth_guard: $(guard_status)"
# locked out: the right secret is not even looked at
login_as "$KVM1" kvm1-user "$S1" 127.0.0.2
out_has "^login: class 2 detail 1$" && pass guard-on-locked-right-secret-refused ||
	fail guard-on-locked-right-secret-refused "kvm1 with its secret during the lockout" "$T_OUT"
# another name from another address: in at once
check guard-on-other-initiator "$T_BIN/chapc" -a 5 -n kvm2-user -s "$S2" -S 127.0.0.2 \
	127.0.0.1 "$PD_PORT" "$TGT" "$KVM2" && out_has "^login: ok$" ||
	fail guard-on-other-initiator-logged-in "kvm2 from 127.0.0.2" "$T_OUT"
# the same name from the guesser's address: the address is locked out too
login_as "$KVM2" kvm2-user "$S2"
out_has "^login: class 2 detail 1$" && pass guard-on-locked-address-refused ||
	fail guard-on-locked-address-refused "kvm2 from 127.0.0.1 during the lockout" "$T_OUT"
# after the lockout: the right secret is taken
i=0
until [ "$(pd_status '[.auth_guard.runs[] | select(.locked_s > 0)] | length')" = 0 ] || [ $i -ge $((LOCKOUT * 10 + 30)) ]; do
	sleep 0.1
	i=$((i + 1))
done
login_as "$KVM1" kvm1-user "$S1"
out_has "^login: ok$" && out_has "^tur: GOOD$" && pass guard-on-right-secret-after-lockout ||
	fail guard-on-right-secret-after-lockout "kvm1 with its secret after the lockout" "$T_OUT"
grep -qF "auth guard: initiator '$KVM1': no longer locked out (" "$PD_LOG" &&
	pass guard-on-lockout-end-logged || fail guard-on-lockout-end-logged "no end of the lockout in the log"
pd_stop stop-guard-on
t_done
