# SPDX-License-Identifier: GPL-2.0-or-later
#
# chap: CHAP at login (RFC 7143 §12.1.3), driven by libiscsi (MD5, the only
# algorithm it offers) and by chapc, a raw-socket initiator, for SHA-1,
# SHA-256 and SHA3-256, and for lists: the target answers with the
# initiator's first choice (RFC 7143 §6.2.1).
#   TGT  TPG 1, authentication = true: kvm1 (one-way), kvm2 (mutual)
#   TGT2 authentication off: kvm1 has credentials (so CHAP is still
#        required of it), kvm3 has none (no CHAP)
#   TGT3 generate_node_acls and authentication: an initiator without an
#        ACL has no credentials
#   TGT4 chap_algorithms = SHA256,SHA3-256 for the TPG (no MD5); kvm3's
#        ACL allows MD5 alone (an ACL's setting replaces its TPG's)
#   discovery_auth (with mutual credentials): CHAP for every discovery
# A refused login gets Authentication Failure (2/01) and nothing more; the
# log says who, where and why, and never a secret. Bad credentials in the
# file stop start-up; a file with secrets that others may read is warned of.
# The auth guard is off here: this group checks the reason logged for each
# refusal, which the guard logs for the first of a run only (guessing.sh
# tests the guard).
. "$(dirname "$0")/lib.sh"
t_require "$T_BIN/chapc"

TGT=iqn.2026-01.org.portico.test:chap
TGT2=iqn.2026-01.org.portico.test:chap-optional
TGT3=iqn.2026-01.org.portico.test:chap-demo
TGT4=iqn.2026-01.org.portico.test:chap-policy
KVM1=iqn.2026-01.org.portico.test:kvm1
KVM2=iqn.2026-01.org.portico.test:kvm2
KVM3=iqn.2026-01.org.portico.test:kvm3
STRANGER=iqn.2026-01.org.portico.test:stranger
# secrets: letters, digits and '-' only (libiscsi reads them from a URL)
S1=kvm1-secret-4711
S2=kvm2-secret-0815
S2T=storage-says-hello
SD=discovery-secret-77
SDT=discovery-target-99
S3=kvm3-secret-4242
SECRETS="$S1 $S2 $S2T $SD $SDT $S3"

conf() {
	conf_head
	cat <<EOF
auth_guard = { enabled = false; };
discovery_auth = { userid = "disc-user"; password = "$SD";
                   mutual_userid = "disc-target"; mutual_password = "$SDT"; };
backstores = ( { name = "d0"; type = "file"; path = "$T_TMP/d0.img"; size = "8M"; } );
targets = (
  { iqn = "$TGT";
    tpgs = ( { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
               luns = ( { lun = 0; backstore = "d0"; } );
               attributes = { authentication = true; };
               acls = ( { initiator = "$KVM1"; userid = "kvm1-user"; password = "$S1"; },
                        { initiator = "$KVM2"; userid = "kvm2-user"; password = "$S2";
                          mutual_userid = "storage1"; mutual_password = "$S2T"; } ); } ); },
  { iqn = "$TGT2";
    tpgs = ( { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
               luns = ( { lun = 0; backstore = "d0"; } );
               acls = ( { initiator = "$KVM1"; userid = "kvm1-user"; password = "$S1"; },
                        { initiator = "$KVM3"; } ); } ); },
  { iqn = "$TGT3";
    tpgs = ( { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
               luns = ( { lun = 0; backstore = "d0"; } );
               attributes = { generate_node_acls = true; authentication = true; };
               acls = ( { initiator = "$KVM1"; userid = "kvm1-user"; password = "$S1"; } ); } ); },
  { iqn = "$TGT4";
    tpgs = ( { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
               luns = ( { lun = 0; backstore = "d0"; } );
               auth = { chap_algorithms = "SHA256,SHA3-256"; };
               acls = ( { initiator = "$KVM1"; userid = "kvm1-user"; password = "$S1"; },
                        { initiator = "$KVM3"; userid = "kvm3-user"; password = "$S3";
                          chap_algorithms = "MD5"; } ); } ); }
);
EOF
}

# libiscsi URL with credentials
chap_url() { # USER SECRET TARGET
	echo "iscsi://$1%$2@127.0.0.1:$PD_PORT/$3/0"
}

PD_MARK=0
log_mark() {
	PD_MARK=$(wc -l <"$PD_LOG")
}

# Whether porticod logged, since the mark, the refusal of INITIATOR at our portal for REASON.
logged_refusal() { # INITIATOR REASON
	tail -n +$((PD_MARK + 1)) "$PD_LOG" |
		grep -qF "login refused (class 2 detail 1: $2), initiator '$1', portal 127.0.0.1:$PD_PORT,"
}

# CMD must be refused with Authentication Failure (libiscsi: "(513)", chapc:
# "login: class 2 detail 1"), and porticod must log REASON for INITIATOR.
refused() { # NAME INITIATOR REASON CMD...
	r_name=$1
	r_ini=$2
	r_why=$3
	shift 3
	log_mark
	run "$@"
	r_rc=$?
	if [ $r_rc -eq 124 ]; then
		fail "$r_name" "timed out: $*" "$T_OUT"
	elif out_has "^login: ok$|^Peripheral|^Target:"; then
		fail "$r_name" "logged in: $*" "$T_OUT"
	elif ! out_has "Authentication failure\(513\)|^login: class 2 detail 1$"; then
		fail "$r_name" "not refused with Authentication Failure (2/01)" "$T_OUT"
	elif ! logged_refusal "$r_ini" "$r_why"; then
		fail "$r_name" "porticod did not log '$r_why' for '$r_ini' at 127.0.0.1:$PD_PORT"
	else
		pass "$r_name"
	fi
}

# chapc logs in and the session works; ALG is what the target must pick.
chap_ok() { # NAME ALG CHAPC-ARGS...
	c_name=$1
	c_alg=$2
	shift 2
	if check "$c_name" "$T_BIN/chapc" "$@"; then
		if out_has "^algorithm: $c_alg$" && out_has "^login: ok$"; then
			pass "$c_name-algorithm-$c_alg"
		else
			fail "$c_name-algorithm-$c_alg" "expected algorithm $c_alg and a login" "$T_OUT"
		fi
	fi
}

umask 022 # the file as an editor would leave it: readable by all
mkimg "$T_TMP/d0.img" 8M
pd_start conf || t_done

# ---- start-up: a file with secrets that others may read ----
grep -qF "$PD_CONF holds CHAP secrets but is readable by group or others (mode 0644): chmod 600 $PD_CONF" "$PD_LOG" &&
	pass warn-secrets-readable || fail warn-secrets-readable "no warning about the file's mode"

# ---- libiscsi (CHAP_A=5: MD5) ----
if check right-secret iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "$S1" "$TGT")"; then
	out_has "^Peripheral Device Type:DIRECT_ACCESS" && pass right-secret-inquiry ||
		fail right-secret-inquiry "no INQUIRY data" "$T_OUT"
fi
refused wrong-secret "$KVM1" "wrong secret" iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "${S1}x" "$TGT")"
refused unknown-name "$KVM1" "unknown CHAP_N" iscsi-inq -i "$KVM1" "$(chap_url kvm9-user "$S1" "$TGT")"
refused no-chap-when-required "$KVM1" "no CHAP offered but required" \
	iscsi-inq -i "$KVM1" "$(url "$TGT" 0)"
# another initiator's credentials are not this one's
refused other-initiators-secret "$KVM2" "unknown CHAP_N" iscsi-inq -i "$KVM2" "$(chap_url kvm1-user "$S1" "$TGT")"

# mutual: libiscsi checks the target's answer itself
check mutual env LIBISCSI_CHAP_TARGET_USERNAME=storage1 LIBISCSI_CHAP_TARGET_PASSWORD="$S2T" \
	iscsi-inq -i "$KVM2" "$(chap_url kvm2-user "$S2" "$TGT")"
if run env LIBISCSI_CHAP_TARGET_USERNAME=storage1 LIBISCSI_CHAP_TARGET_PASSWORD="${S2T}x" \
	iscsi-inq -i "$KVM2" "$(chap_url kvm2-user "$S2" "$TGT")"; then
	fail mutual-initiator-catches-wrong-target "libiscsi logged in to a target with the wrong secret" "$T_OUT"
elif out_has "Invalid CHAP_R response from the target"; then
	pass mutual-initiator-catches-wrong-target
else
	fail mutual-initiator-catches-wrong-target "libiscsi did not refuse the target's CHAP_R" "$T_OUT"
fi
refused mutual-not-configured "$KVM1" "mutual CHAP asked for, but no target credentials configured" \
	env LIBISCSI_CHAP_TARGET_USERNAME=storage1 LIBISCSI_CHAP_TARGET_PASSWORD="$S2T" \
	iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "$S1" "$TGT")"

# ---- credentials make CHAP required even where the TPG does not ask for it ----
refused credentials-imply-chap "$KVM1" "no CHAP offered but required" iscsi-inq -i "$KVM1" "$(url "$TGT2" 0)"
check credentials-imply-chap-login iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "$S1" "$TGT2")"
check no-credentials-no-chap iscsi-inq -i "$KVM3" "$(url "$TGT2" 0)"

# ---- who has no ACL ----
refused no-such-acl "$STRANGER" "no such ACL" \
	"$T_BIN/chapc" -a 7 -n kvm1-user -s "$S1" 127.0.0.1 "$PD_PORT" "$TGT3" "$STRANGER"
chap_ok demo-tpg-acl-with-credentials 7 -a 7 -n kvm1-user -s "$S1" 127.0.0.1 "$PD_PORT" "$TGT3" "$KVM1"
if check_fails stranger-authorization iscsi-inq -i "$STRANGER" "$(chap_url kvm1-user "$S1" "$TGT")"; then
	out_has "Authorization failure\(514\)" && pass stranger-authorization ||
		fail stranger-authorization "not an authorization failure (2/02)" "$T_OUT"
fi

# ---- every algorithm end to end (chapc); RFC 7143 §6.2.1: the initiator's first choice ----
for a in 5 6 7 8; do
	chap_ok "alg-$a" "$a" -a "$a" -n kvm1-user -s "$S1" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
done
chap_ok first-offered 8 -a 8,7,6,5 -n kvm1-user -s "$S1" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
chap_ok first-offered-7 7 -a 7,6,5 -n kvm1-user -s "$S1" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
# an initiator that lists MD5 first and computes MD5 only (it was given SHA3-256, and failed)
chap_ok md5-first-answers-md5 5 -a 5,6,7,8 -o 5 -n kvm1-user -s "$S1" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
chap_ok unknown-ones-skipped 6 -a 129,6,1 -n kvm1-user -s "$S1" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
chap_ok base64-response 8 -b -a 8 -n kvm1-user -s "$S1" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
for a in 7 8; do
	chap_ok "mutual-alg-$a" "$a" -a "$a" -n kvm2-user -s "$S2" -m "storage1:$S2T" \
		127.0.0.1 "$PD_PORT" "$TGT" "$KVM2"
	out_has "^mutual: ok$" && pass "mutual-alg-$a-target-proved" ||
		fail "mutual-alg-$a-target-proved" "no mutual answer checked" "$T_OUT"
done
refused wrong-secret-sha256 "$KVM1" "wrong secret" \
	"$T_BIN/chapc" -a 7 -n kvm1-user -s "${S1}x" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
refused wrong-secret-sha3 "$KVM1" "wrong secret" \
	"$T_BIN/chapc" -a 8 -n kvm1-user -s "$S2" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
refused no-common-algorithm "$KVM1" "no CHAP algorithm in common" \
	"$T_BIN/chapc" -a 129,1 -n kvm1-user -s "$S1" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
refused reflected-challenge "$KVM2" "reflected challenge" \
	"$T_BIN/chapc" -r -a 7 -n kvm2-user -s "$S2" -m "storage1:$S2T" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM2"
refused reflected-challenge-md5 "$KVM2" "reflected challenge" \
	"$T_BIN/chapc" -r -a 5 -n kvm2-user -s "$S2" -m "storage1:$S2T" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM2"

# ---- chap_algorithms: RFC 7143 §6.2.1's "allowed to use for the specific originator" ----
# MD5 refused by the TPG's policy: the initiator's next choice
chap_ok policy-next-choice 7 -a 5,6,7,8 -n kvm1-user -s "$S1" 127.0.0.1 "$PD_PORT" "$TGT4" "$KVM1"
# libiscsi offers MD5 alone: refused, and the log says it is the policy's doing, once
POLICY_WHY="every CHAP algorithm offered is refused by chap_algorithms (the ACL's, else the TPG's; discovery_auth's for discovery)"
refused policy-refuses-md5 "$KVM1" "$POLICY_WHY" \
	iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "$S1" "$TGT4")"
n=$(tail -n +$((PD_MARK + 1)) "$PD_LOG" | grep -c "chap_algorithms")
[ "$n" -eq 1 ] && pass policy-refusal-logged-once ||
	fail policy-refusal-logged-once "$n log lines name chap_algorithms for one refused login"
# kvm3's ACL allows MD5 alone: libiscsi logs in, and a SHA3-256 first list gets MD5
check acl-policy-allows-md5 iscsi-inq -i "$KVM3" "$(chap_url kvm3-user "$S3" "$TGT4")"
chap_ok acl-policy-replaces-tpg 5 -a 8,7,5 -n kvm3-user -s "$S3" 127.0.0.1 "$PD_PORT" "$TGT4" "$KVM3"
refused acl-policy-refuses-sha "$KVM3" "$POLICY_WHY" \
	"$T_BIN/chapc" -a 8,7 -n kvm3-user -s "$S3" 127.0.0.1 "$PD_PORT" "$TGT4" "$KVM3"

# ---- discovery ----
if check discovery-chap iscsi-ls -i "$KVM3" "iscsi://disc-user%$SD@127.0.0.1:$PD_PORT"; then
	out_has "^Target:$TGT2 Portal:127.0.0.1:$PD_PORT,1$" && pass discovery-chap-sees-its-target ||
		fail discovery-chap-sees-its-target "no 'Target:$TGT2'" "$T_OUT"
fi
refused discovery-without-chap "$KVM3" "no CHAP offered but required" \
	iscsi-ls -i "$KVM3" "iscsi://127.0.0.1:$PD_PORT"
refused discovery-wrong-secret "$KVM3" "wrong secret" \
	iscsi-ls -i "$KVM3" "iscsi://disc-user%$S1@127.0.0.1:$PD_PORT"
if check discovery-mutual-sha256 "$T_BIN/chapc" -d -a 7 -n disc-user -s "$SD" -m "disc-target:$SDT" \
	127.0.0.1 "$PD_PORT" - "$KVM1"; then
	out_has "^mutual: ok$" && out_has "^TargetName=$TGT$" && pass discovery-mutual-sha256-targets ||
		fail discovery-mutual-sha256-targets "no mutual answer or no TargetName=$TGT" "$T_OUT"
fi

# ---- the log never holds a secret ----
leaked=""
for s in $SECRETS; do
	grep -qF -- "$s" "$PD_LOG" && leaked="$leaked $s"
done
[ -z "$leaked" ] && pass no-secret-in-log || fail no-secret-in-log "the log holds:$leaked"

# ---- a file fit for secrets: no warning ----
pd_stop stop-clean
chmod 600 "$PD_CONF"
log_mark
if pd_restart; then
	tail -n +$((PD_MARK + 1)) "$PD_LOG" | grep -q "holds CHAP secrets" &&
		fail no-warning-when-0600 "warned about a 0600 file" || pass no-warning-when-0600
	check after-restart iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "$S1" "$TGT")"
	pd_stop stop-clean-again
fi

# ---- credentials that start-up refuses (porticod -t) ----
bad_conf() { # NAME MESSAGE ACL-EXTRA
	cat >"$T_TMP/bad.conf" <<EOF
targets = ( { iqn = "$TGT"; tpgs = ( { tag = 1;
  acls = ( { initiator = "$KVM1"; $3 } ); } ); } );
EOF
	if run "$PORTICOD" -t -c "$T_TMP/bad.conf"; then
		fail "refuse-$1" "porticod -t accepted: $3" "$T_OUT"
	elif out_has "bad.conf:2: .*$2"; then
		pass "refuse-$1"
	else
		fail "refuse-$1" "expected 'bad.conf:2: ... $2'" "$T_OUT"
	fi
}
bad_conf short-secret "password is shorter than 12 bytes" 'userid = "u"; password = "elevenchars";'
bad_conf same-secret-both-ways "password and mutual_password must differ" \
	'userid = "u"; password = "same-secret-42"; mutual_userid = "t"; mutual_password = "same-secret-42";'
bad_conf mutual-alone "needs the initiator's userid and password too" \
	'mutual_userid = "t"; mutual_password = "target-secret-1";'
bad_conf userid-alone "userid and password go together" 'userid = "u";'
bad_conf unknown-algorithm "chap_algorithms 'SHA-256' must be a list of SHA3-256, SHA256, SHA1 and MD5" \
	'userid = "u"; password = "initiator-secret"; chap_algorithms = "SHA-256";'

t_done
