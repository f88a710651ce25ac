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
#               and later, five failures lock the name out of the target,
#               only those five were tested, one line a run in the log, the
#               lockout in portico status; during it even the right secret
#               is refused there, while the same name logs in to another
#               target and another name from the guesser's own address logs
#               in; after it the right secret is taken
#   guard-address  discovery guessed under five names from one address:
#               the address is locked out, the others are not
. "$(dirname "$0")/lib.sh"
t_require "$T_BIN/chapc" "$PORTICO"

TGT=iqn.2026-01.org.portico.test:guessing
TGT2=iqn.2026-01.org.portico.test:guessing-too
KVM1=iqn.2026-01.org.portico.test:kvm1
KVM2=iqn.2026-01.org.portico.test:kvm2
S1=kvm1-secret-4711
S2=kvm2-secret-0815
SD=discovery-secret-77
LOCKOUT=4

GUARD="enabled = false;"
conf() {
	conf_head 2
	cat <<EOF
auth_guard = { $GUARD };
discovery_auth = { userid = "disc-user"; password = "$SD"; };
backstores = ( { name = "n0"; type = "null"; size = "16M"; } );
targets = (
  { iqn = "$TGT";
    tpgs = ( { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
               luns = ( { lun = 0; backstore = "n0"; } );
               attributes = { authentication = true; };
               acls = ( { initiator = "$KVM1"; userid = "kvm1-user"; password = "$S1"; },
                        { initiator = "$KVM2"; userid = "kvm2-user"; password = "$S2"; } ); } ); },
  { iqn = "$TGT2";
    tpgs = ( { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
               luns = ( { lun = 0; backstore = "n0"; } );
               attributes = { authentication = true; };
               acls = ( { initiator = "$KVM1"; userid = "kvm1-user"; password = "$S1"; } ); } ); }
);
EOF
}

# chapc logging in to TGT (or TARGET) as NAME with SECRET [from ADDRESS]
login_as() { # INITIATOR USER SECRET [ADDRESS [TARGET]]
	run "$T_BIN/chapc" -a 5 -n "$2" -s "$3" ${4:+-S "$4"} 127.0.0.1 "$PD_PORT" "${5:-$TGT}" "$1"
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
grep -qF "auth guard: initiator '$KVM1' at '$TGT': 5 failed logins in a row (the last from 127.0.0.1): locked out for $LOCKOUT s" "$PD_LOG" &&
	pass guard-on-lockout-logged || fail guard-on-lockout-logged "no lockout line"
[ "$(refusals "wrong secret")" -eq 1 ] && pass guard-on-one-line-a-run ||
	fail guard-on-one-line-a-run "$(refusals "wrong secret") refusals logged with their reason"
locked=$(pd_status "[.auth_guard.runs[] | select(.initiator == \"$KVM1\" and .target == \"$TGT\" and .locked_s > 0)] | length")
[ "$locked" = 1 ] && pass guard-on-status-shows-lockout ||
	fail guard-on-status-shows-lockout "auth_guard: $(guard_status)"
# locked out: the right secret is not even looked at, from any address
login_as "$KVM1" kvm1-user "$S1" 127.0.0.2
out_has "^login: class 2 detail 1$" && pass guard-on-locked-right-secret-refused ||
	fail guard-on-locked-right-secret-refused "kvm1 with its secret during the lockout" "$T_OUT"
# the same name at another target, and another name from the guesser's address: in at once
login_as "$KVM1" kvm1-user "$S1" "" "$TGT2"
out_has "^login: ok$" && pass guard-on-other-target ||
	fail guard-on-other-target "kvm1 at $TGT2 during its lockout at $TGT" "$T_OUT"
login_as "$KVM2" kvm2-user "$S2"
out_has "^login: ok$" && pass guard-on-other-initiator ||
	fail guard-on-other-initiator "kvm2 from 127.0.0.1 during kvm1's lockout" "$T_OUT"
# after the lockout: the right secret is taken
i=0
until [ "$(pd_status '[.auth_guard.runs[] | select(.locked_s > 0)] | length')" = 0 ] || [ $i -ge $((LOCKOUT * 10 + 30)) ]; do
	sleep 0.1
	i=$((i + 1))
done
login_as "$KVM1" kvm1-user "$S1"
out_has "^login: ok$" && out_has "^tur: GOOD$" && pass guard-on-right-secret-after-lockout ||
	fail guard-on-right-secret-after-lockout "kvm1 with its secret after the lockout" "$T_OUT"
grep -qF "auth guard: initiator '$KVM1' at '$TGT': no longer locked out (" "$PD_LOG" &&
	pass guard-on-lockout-end-logged || fail guard-on-lockout-end-logged "no end of the lockout in the log"

# ---- an address that tries many names: discovery's secret under five ----
for n in 1 2 3 4 5; do
	run "$T_BIN/chapc" -d -a 5 -n disc-user -s "wrong-secret-$n" -S 127.0.0.3 127.0.0.1 "$PD_PORT" - \
		"iqn.2026-01.org.portico.test:guesser$n"
done
grep -qF "auth guard: address 127.0.0.3: 5 failed logins for different initiators or targets" "$PD_LOG" &&
	pass guard-address-locked || fail guard-address-locked "no lockout of 127.0.0.3"
login_as "$KVM2" kvm2-user "$S2" 127.0.0.3
out_has "^login: class 2 detail 1$" && pass guard-address-refuses-all ||
	fail guard-address-refuses-all "kvm2 from 127.0.0.3 during its lockout" "$T_OUT"
login_as "$KVM2" kvm2-user "$S2" 127.0.0.2
out_has "^login: ok$" && pass guard-address-others-in ||
	fail guard-address-others-in "kvm2 from 127.0.0.2" "$T_OUT"
pd_stop stop-guard-on
t_done
