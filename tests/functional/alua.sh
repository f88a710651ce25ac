# SPDX-License-Identifier: GPL-2.0-or-later
#
# alua: ALUA states (SPC-4 §5.16) changed live while initiators are in.
# One target, two TPGs (target port groups 1 and 2): TPG 1 on 127.0.0.1
# shows LUs A (LUN 0) and B (LUN 1), TPG 2 on 127.0.0.2 shows A; TPG 1 is
# active/optimized and preferred, TPG 2 standby (porticod.conf). Three
# sessions stay open (uawatch):
#   w1  kvm1 through TPG 1, on A     w2  kvm1 through TPG 2, on A
#   w3  kvm2 through TPG 1, on B (shown through TPG 1 only)
# Checked: INQUIRY's TPGS (implicit; explicit once a TPG takes it), REPORT
# TARGET PORT GROUPS through every session (groups of the LU, states,
# preferred only where set, status codes, both formats alike); what
# standby, unavailable and transitioning refuse (04/0B, 04/0C, 04/0A) and
# let through (INQUIRY, REPORT LUNS, RTPG, REQUEST SENSE saying why, READ
# CAPACITY in standby); `set alua state=...` from portico raises
# ASYMMETRIC ACCESS STATE CHANGED (2A/06) on every session of A, none on
# B's, and is saved; SET TARGET PORT GROUPS where explicit is on (no
# attention to the session that sent it; refused where it is off), kept
# in the configuration and across a restart.
. "$(dirname "$0")/lib.sh"
t_require "$PORTICO" "$T_BIN/uawatch"

TGT=iqn.2026-11.org.example:alua
KVM1=iqn.2026-11.org.example:kvm1
KVM2=iqn.2026-11.org.example:kvm2
TPG1=/iscsi/$TGT/tpg1
TPG2=/iscsi/$TGT/tpg2

conf() {
	conf_head 2
	cat <<EOF
backstores = (
  { name = "A"; type = "file"; path = "$T_TMP/a.img"; size = "16M"; },
  { name = "B"; type = "file"; path = "$T_TMP/b.img"; size = "8M"; }
);
targets = ( { iqn = "$TGT"; tpgs = (
  { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
    luns = ( { lun = 0; backstore = "A"; }, { lun = 1; backstore = "B"; } );
    acls = ( { initiator = "$KVM1"; }, { initiator = "$KVM2"; } );
    alua = { preferred = true; }; },
  { tag = 2; portals = [ "127.0.0.2:$PD_PORT" ];
    luns = ( { lun = 0; backstore = "A"; } );
    acls = ( { initiator = "$KVM1"; } );
    alua = { state = "standby"; }; }
); } );
EOF
}

URL2="iscsi://127.0.0.2:\$PD_PORT/$TGT/0"
pd_start conf || t_done
URL2=$(eval echo "$URL2")

ua_start w1 4 "$KVM1" "$(url "$TGT" 0)" || { fail setup "w1: $UA_ANSWER" "$T_TMP/ua-w1.out"; t_done; }
ua_start w2 5 "$KVM1" "$URL2" || { fail setup "w2: $UA_ANSWER" "$T_TMP/ua-w2.out"; t_done; }
ua_start w3 6 "$KVM2" "$(url "$TGT" 1)" || { fail setup "w3: $UA_ANSWER" "$T_TMP/ua-w3.out"; t_done; }
ua_is ready-w1 w1 "ready 0" "ready 0: 6/29/00 GOOD"
ua_is power-on-w2 w2 "tur 0" "tur 0: sense 6/29/00"
ua_is ready-w3 w3 "ready 1" "ready 1: 6/29/00 GOOD"

# What RTPG says of A, through either port, and of B: states as Linux's access_state.
RT_A="1 active/optimized pref status 0 ports 1; 2 standby status 0 ports 2"
RT_B="1 active/optimized pref status 0 ports 1"

# ---- the configuration's states ----
ua_is tpgs-implicit-w1 w1 "inq 0" "inq 0: tpgs 1"
ua_is tpgs-implicit-w2 w2 "inq 0" "inq 0: tpgs 1"
ua_is rtpg-w1 w1 "rtpg 0" "rtpg 0: $RT_A"
ua_is rtpg-w2 w2 "rtpg 0" "rtpg 0: $RT_A"
ua_is rtpg-lu-b-one-group w3 "rtpg 1" "rtpg 1: $RT_B"

# ---- standby (SPC-4 §5.16): TPG 2 ----
ua_is standby-tur w2 "tur 0" "tur 0: sense 2/04/0b"
ua_is standby-read w2 "read 0" "read 0: sense 2/04/0b"
ua_is standby-request-sense w2 "sense 0" "sense 0: 2/04/0b"
ua_is standby-report-luns w2 luns "luns: 0"
ua_is standby-read-capacity w2 "cap 0" "cap 0: blocks 32768 bs 512"
ua_is active-read w1 "read 0" "read 0: GOOD"

# ---- a change from portico: every session of A hears of it, B's does not ----
pt_ok set-tpg2-non-optimized "$TPG2" set alua state=active_non_optimized
ua_is change-ua-w1 w1 "tur 0" "tur 0: sense 6/2a/06"
ua_is change-ua-w2 w2 "tur 0" "tur 0: sense 6/2a/06"
ua_is change-no-ua-lu-b w3 "tur 1" "tur 1: GOOD"
ua_is non-optimized-read w2 "read 0" "read 0: GOOD"
ua_is change-rtpg w1 "rtpg 0" \
	"rtpg 0: 1 active/optimized pref status 0 ports 1; 2 active/non-optimized status 2 ports 2"
if pt_ok get-alua "$TPG2" get alua; then
	out_has "state.*active_non_optimized" && pass get-alua-state ||
		fail get-alua-state "get alua does not say active_non_optimized" "$T_OUT"
fi
grep -q 'state = "active_non_optimized"' "$PD_CONF" && pass change-saved ||
	fail change-saved "porticod.conf does not hold the new state" "$PD_CONF"
pt_refused set-bad-state "must be one of active_optimized.*standby.*, not 'offline'" \
	"$TPG2" set alua state=offline

# the preferred flag moves: an attention too (the data RTPG returns changed)
pt_ok move-preferred "$TPG1" set alua preferred=false
pt_ok move-preferred-2 "$TPG2" set alua preferred=true
ua_is pref-ua-w1 w1 "tur 0" "tur 0: sense 6/2a/06"
ua_is pref-ua-lu-b w3 "tur 1" "tur 1: sense 6/2a/06"
ua_is pref-ua-w2 w2 "tur 0" "tur 0: sense 6/2a/06"
ua_is pref-rtpg w2 "rtpg 0" \
	"rtpg 0: 1 active/optimized status 2 ports 1; 2 active/non-optimized pref status 2 ports 2"

# ---- unavailable, transitioning ----
pt_ok set-tpg2-unavailable "$TPG2" set alua state=unavailable
ua_is unavailable-ua w2 "tur 0" "tur 0: sense 6/2a/06"
ua_is unavailable-tur w2 "tur 0" "tur 0: sense 2/04/0c"
ua_is unavailable-read-capacity w2 "cap 0" "cap 0: sense 2/04/0c"
ua_is unavailable-request-sense w2 "sense 0" "sense 0: 2/04/0c"
ua_is unavailable-inquiry w2 "inq 0" "inq 0: tpgs 1"
pt_ok set-tpg2-transitioning "$TPG2" set alua state=transitioning
ua_is transitioning-ua w2 "tur 0" "tur 0: sense 6/2a/06"
ua_is transitioning-tur w2 "tur 0" "tur 0: sense 2/04/0a"
ua_is transitioning-rtpg w2 "rtpg 0" \
	"rtpg 0: 1 active/optimized status 2 ports 1; 2 transitioning pref status 2 ports 2"

# ---- explicit transitions: SET TARGET PORT GROUPS ----
ua_is stpg-not-explicit w1 "stpg 0 2 0" "stpg 0: sense 5/20/00"
pt_ok explicit-1 "$TPG1" set alua explicit=true
pt_ok explicit-2 "$TPG2" set alua explicit=true state=standby
ua_is explicit-tpgs w1 "inq 0" "inq 0: tpgs 3"
ua_is explicit-ua-w1 w1 "tur 0" "tur 0: sense 6/2a/06"
ua_is explicit-ua-w2 w2 "tur 0" "tur 0: sense 6/2a/06"
ua_is stpg-tpg2-optimized w1 "stpg 0 2 0" "stpg 0: GOOD"
ua_is stpg-no-ua-to-sender w1 "tur 0" "tur 0: GOOD"
ua_is stpg-ua-other w2 "tur 0" "tur 0: sense 6/2a/06"
ua_is stpg-active w2 "read 0" "read 0: GOOD"
ua_is stpg-rtpg w2 "rtpg 0" \
	"rtpg 0: 1 active/optimized status 2 ports 1; 2 active/optimized pref status 1 ports 2"
ua_is stpg-refuses-transitioning w1 "stpg 0 2 15" "stpg 0: sense 5/26/00"
ua_is stpg-from-other-port w2 "stpg 0 1 2" "stpg 0: GOOD"
ua_is stpg-ua-w1 w1 "tur 0" "tur 0: sense 6/2a/06"
ua_is stpg-standby-now w1 "tur 0" "tur 0: sense 2/04/0b"
# kept: the control thread takes it into the configuration and saves it (bounded
# wait): TPG 1 standby (its group comes before tag = 2), TPG 2 at the default
stpg_saved() {
	[ "$(grep -c 'state = ' "$PD_CONF")" = 1 ] &&
		awk '/state = "standby"/ { s = NR } /tag = 2;/ { t = NR }
			END { exit !(s && t && s < t) }' "$PD_CONF"
}
saved=0
for i in $(seq 1 50); do
	stpg_saved && {
		saved=1
		break
	}
	sleep 0.1
done
[ $saved = 1 ] && pass stpg-saved || fail stpg-saved "porticod.conf does not hold the states SET TARGET PORT GROUPS gave" "$PD_CONF"
if pt_ok get-alua-stpg "$TPG1" get alua; then
	out_has "state.*standby" && pass get-alua-stpg-state ||
		fail get-alua-stpg-state "get alua at tpg1 does not say standby" "$T_OUT"
fi
# a change of something else keeps the states STPG gave
pt_ok other-change "$TPG2" set attribute nopin_interval=20
ua_is stpg-state-kept w1 "tur 0" "tur 0: sense 2/04/0b"

# ---- a restart: the states come back from the file ----
pd_stop stop
pd_restart || t_done
ua_start w4 7 "$KVM1" "$(url "$TGT" 0)" || { fail setup "w4: $UA_ANSWER" "$T_TMP/ua-w4.out"; t_done; }
ua_is restart-power-on w4 "tur 0" "tur 0: sense 6/29/00"
ua_is restart-standby w4 "tur 0" "tur 0: sense 2/04/0b"
ua_is restart-rtpg w4 "rtpg 0" \
	"rtpg 0: 1 standby status 0 ports 1; 2 active/optimized pref status 0 ports 2"
ua_is restart-tpgs w4 "inq 0" "inq 0: tpgs 3"

t_done
