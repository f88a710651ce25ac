# SPDX-License-Identifier: GPL-2.0-or-later
#
# shell-auth: CHAP set up with portico (RFC 7143 §12.1.3), and who may use
# the control socket.
#   kvm1  set auth userid/password: the right secret logs in (libiscsi,
#         MD5; chapc for SHA-1, SHA-256, SHA3-256), a wrong one is refused
#   kvm2  mutual CHAP too: libiscsi and chapc check the target's answer
#   kvm3  no credentials: no CHAP until the TPG's attribute authentication
#         is turned on, refused after
#   set auth chap_algorithms: which CHAP algorithms a login may use, the
#         TPG's for its ACLs, an ACL's instead of its TPG's, live
#   /iscsi set discovery_auth: CHAP for discovery, enable=false: none
#   a changed secret applies at the next login; a session that is in stays
# porticod never hands a secret back (get auth) nor logs one. The control
# socket is root's: as nobody, portico cannot connect (mode 0600); through
# a socket opened to all, porticod refuses (EPERM, root only).
# The portico commands are kept as a transcript that docs/shell.md shows.
. "$(dirname "$0")/lib.sh"
t_require "$PORTICO" "$T_BIN/chapc" "$T_BIN/uawatch"

TGT=iqn.2026-11.org.example:storage1
KVM1=iqn.2026-11.org.example:kvm1
KVM2=iqn.2026-11.org.example:kvm2
KVM3=iqn.2026-11.org.example:kvm3
TPG=/iscsi/$TGT/tpg1
# secrets: letters, digits and '-' only (libiscsi reads them from a URL)
S1=kvm1-secret-4711
S1NEW=kvm1-secret-0042
S2=kvm2-secret-0815
S2T=storage1-secret-31
S3=kvm3-secret-2024
SD=disc-secret-77
SDT=storage1-disc-99
SECRETS="$S1 $S1NEW $S2 $S2T $S3 $SD $SDT"

conf() {
	conf_head 2
}

# libiscsi URL with credentials
chap_url() { # USER SECRET
	echo "iscsi://$1%$2@127.0.0.1:$PD_PORT/$TGT/0"
}

# CMD must not log in, refused with Authentication Failure (2/01) (libiscsi
# exits non-zero; chapc exits 0 when the target refused as it should).
auth_refused() { # NAME CMD...
	a_name=$1
	shift
	run "$@"
	a_rc=$?
	if [ $a_rc -eq 124 ]; then
		fail "$a_name" "timed out: $*" "$T_OUT"
	elif out_has "^login: ok$|^Peripheral|^Target:"; then
		fail "$a_name" "logged in: $*" "$T_OUT"
	elif out_has "Authentication failure\(513\)|^login: class 2 detail 1$"; then
		pass "$a_name"
	else
		fail "$a_name" "not refused with Authentication Failure (2/01)" "$T_OUT"
	fi
}

# chapc logs in with algorithm ALG.
chap_ok() { # NAME ALG CHAPC-ARGS...
	c_name=$1
	c_alg=$2
	shift 2
	if check "$c_name" "$T_BIN/chapc" "$@"; then
		out_has "^algorithm: $c_alg$" && out_has "^login: ok$" && pass "$c_name-algorithm" ||
			fail "$c_name-algorithm" "expected algorithm $c_alg and a login" "$T_OUT"
	fi
}

pd_start_ctl conf || t_done
cat >"$T_TMP/setup.portico" <<EOF
/backstores/null create name=d0 size=64M
/iscsi create $TGT
$TPG/portals create ip_address=127.0.0.1 ip_port=$PD_PORT
$TPG/luns create /backstores/null/d0
$TPG/acls create $KVM1
$TPG/acls create $KVM2
$TPG/acls create $KVM3
EOF
check setup "$PORTICO" -f "$T_TMP/setup.portico" || t_done

# ---- one-way CHAP for kvm1 ----
TR=$T_TMP/chap.txt
PT_TRANSCRIPT=$TR
check no-chap-before iscsi-inq -i "$KVM1" "$(url "$TGT" 0)"
pt_ok set-auth "$TPG/acls/$KVM1" set auth userid=kvm1-user password="$S1"
check right-secret iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "$S1")"
auth_refused wrong-secret iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "${S1}x")"
# credentials in the ACL make CHAP required of that initiator
auth_refused no-chap-with-credentials iscsi-inq -i "$KVM1" "$(url "$TGT" 0)"
for a in 5 6 7 8; do
	chap_ok "alg-$a" "$a" -a "$a" -n kvm1-user -s "$S1" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
done
auth_refused wrong-secret-sha3 "$T_BIN/chapc" -a 8 -n kvm1-user -s "$S2" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"

# ---- mutual CHAP for kvm2 ----
pt_ok set-auth-mutual "$TPG/acls/$KVM2" set auth userid=kvm2-user password="$S2" \
	mutual_userid=storage1 mutual_password="$S2T"
check mutual env LIBISCSI_CHAP_TARGET_USERNAME=storage1 LIBISCSI_CHAP_TARGET_PASSWORD="$S2T" \
	iscsi-inq -i "$KVM2" "$(chap_url kvm2-user "$S2")"
if run env LIBISCSI_CHAP_TARGET_USERNAME=storage1 LIBISCSI_CHAP_TARGET_PASSWORD="${S2T}x" \
	iscsi-inq -i "$KVM2" "$(chap_url kvm2-user "$S2")"; then
	fail mutual-wrong-target-secret "libiscsi logged in to a target that does not know its secret" "$T_OUT"
elif out_has "Invalid CHAP_R response from the target"; then
	pass mutual-wrong-target-secret
else
	fail mutual-wrong-target-secret "libiscsi did not refuse the target's CHAP_R" "$T_OUT"
fi
for a in 5 7 8; do
	chap_ok "mutual-alg-$a" "$a" -a "$a" -n kvm2-user -s "$S2" -m "storage1:$S2T" \
		127.0.0.1 "$PD_PORT" "$TGT" "$KVM2" &&
		{ out_has "^mutual: ok$" && pass "mutual-alg-$a-target-proved" ||
			fail "mutual-alg-$a-target-proved" "no mutual answer checked" "$T_OUT"; }
done

# ---- the TPG's attribute authentication: CHAP for everyone ----
check no-credentials-no-chap iscsi-inq -i "$KVM3" "$(url "$TGT" 0)"
# every initiator must then have credentials: kvm3 has none yet
pt_refused authentication-needs-credentials "$KVM3.*userid and password" "$TPG" set attribute authentication=true
check authentication-refused-changed-nothing iscsi-inq -i "$KVM3" "$(url "$TGT" 0)"
pt_ok set-auth-kvm3 "$TPG/acls/$KVM3" set auth userid=kvm3-user password="$S3"
pt_ok set-authentication "$TPG" set attribute authentication=true
auth_refused authentication-required iscsi-inq -i "$KVM3" "$(url "$TGT" 0)"
check authentication-required-kvm3 iscsi-inq -i "$KVM3" "$(chap_url kvm3-user "$S3")"
check authentication-required-kvm1 iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "$S1")"

# ---- chap_algorithms, live: the TPG's policy, an ACL's instead ----
policy_lines() {
	grep -c "refused by chap_algorithms" "$PD_LOG"
}
pt_ok set-tpg-chap-algorithms "$TPG" set auth chap_algorithms=SHA256,SHA3-256
before=$(policy_lines)
# libiscsi offers MD5 alone: refused, and the log says it is the policy's doing, once
auth_refused tpg-policy-refuses-md5 iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "$S1")"
[ $(($(policy_lines) - before)) -eq 1 ] && pass tpg-policy-refusal-logged-once ||
	fail tpg-policy-refusal-logged-once "not one 'refused by chap_algorithms' line for one login"
chap_ok tpg-policy-next-choice 7 -a 5,6,7,8 -n kvm1-user -s "$S1" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
if pt_ok get-tpg-auth "$TPG" get auth; then
	out_has "chap_algorithms.*SHA3-256,SHA256" && pass get-tpg-chap-algorithms ||
		fail get-tpg-chap-algorithms "get auth does not show SHA3-256,SHA256" "$T_OUT"
fi
pt_ok set-acl-chap-algorithms "$TPG/acls/$KVM1" set auth chap_algorithms=MD5
check acl-policy-allows-md5 iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "$S1")"
chap_ok acl-policy-replaces-tpg 5 -a 8,7,5 -n kvm1-user -s "$S1" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
pt_ok unset-acl-chap-algorithms "$TPG/acls/$KVM1" set auth chap_algorithms=
auth_refused tpg-policy-again iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "$S1")"
pt_refused chap-algorithms-unknown "must be a list of SHA3-256, SHA256, SHA1 and MD5" \
	"$TPG" set auth chap_algorithms=SHA-256
pt_refused tpg-auth-no-credentials "CHAP credentials belong to an ACL" "$TPG" set auth userid=kvm9
pt_ok unset-tpg-chap-algorithms "$TPG" set auth chap_algorithms=
check md5-allowed-again iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "$S1")"

# ---- what portico shows: no secret ----
if pt_ok get-auth "$TPG/acls/$KVM2" get auth; then
	out_has "password_set.*true" && out_has "mutual_password_set.*true" && out_has "kvm2-user" &&
		pass get-auth-says-set || fail get-auth-says-set "no userid and password_set=true" "$T_OUT"
fi
pt ls "$TPG" 0
out_has "o- tpg1 .*\[no-gen-acls, auth\]" && pass ls-tpg-auth || fail ls-tpg-auth "the TPG is not drawn [no-gen-acls, auth]" "$T_OUT"
PT_TRANSCRIPT=""
leaked=""
for node in "$TPG/acls/$KVM1" "$TPG/acls/$KVM2" /iscsi; do
	pt --json get "$node"
	for s in $SECRETS; do
		grep -qF -- "$s" "$T_OUT" && leaked="$leaked $s@$node"
	done
done
[ -z "$leaked" ] && pass get-never-returns-secrets || fail get-never-returns-secrets "get returned:$leaked"

# ---- discovery ----
PT_TRANSCRIPT=$TR
if pt_ok set-discovery-auth /iscsi set discovery_auth userid=disc-user password="$SD" \
	mutual_userid=storage1 mutual_password="$SDT"; then
	if check discovery-chap iscsi-ls -i "$KVM3" "iscsi://disc-user%$SD@127.0.0.1:$PD_PORT"; then
		out_has "^Target:$TGT Portal:127.0.0.1:$PD_PORT,1$" && pass discovery-chap-sees-target ||
			fail discovery-chap-sees-target "no 'Target:$TGT'" "$T_OUT"
	fi
	auth_refused discovery-without-chap iscsi-ls -i "$KVM3" "iscsi://127.0.0.1:$PD_PORT"
	auth_refused discovery-wrong-secret iscsi-ls -i "$KVM3" "iscsi://disc-user%$S1@127.0.0.1:$PD_PORT"
	if check discovery-mutual-sha256 "$T_BIN/chapc" -d -a 7 -n disc-user -s "$SD" -m "storage1:$SDT" \
		127.0.0.1 "$PD_PORT" - "$KVM1"; then
		out_has "^mutual: ok$" && out_has "^TargetName=$TGT$" && pass discovery-mutual-sha256-target ||
			fail discovery-mutual-sha256-target "no mutual answer or no TargetName=$TGT" "$T_OUT"
	fi
fi
if pt_ok discovery-auth-off /iscsi set discovery_auth enable=false; then
	if check discovery-no-chap iscsi-ls -i "$KVM3" "iscsi://127.0.0.1:$PD_PORT"; then
		out_has "^Target:$TGT " && pass discovery-no-chap-sees-target ||
			fail discovery-no-chap-sees-target "no 'Target:$TGT'" "$T_OUT"
	fi
fi

# ---- a new secret: at the next login; the session that is in stays ----
ua_start w1 4 "$KVM1" "$(chap_url kvm1-user "$S1")" || fail session-old-secret "$UA_ANSWER" "$T_TMP/ua-w1.out"
ua_is session-old-secret w1 "ready 0" "ready 0: 6/29/00 GOOD"
pt_ok change-secret "$TPG/acls/$KVM1" set auth password="$S1NEW"
PT_TRANSCRIPT=""
ua_is change-secret-session-stays w1 "tur 0" "tur 0: GOOD"
auth_refused change-secret-old-refused iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "$S1")"
check change-secret-new-logs-in iscsi-inq -i "$KVM1" "$(chap_url kvm1-user "$S1NEW")"
chap_ok change-secret-new-sha256 7 -a 7 -n kvm1-user -s "$S1NEW" 127.0.0.1 "$PD_PORT" "$TGT" "$KVM1"
ua_is change-secret-session-still-in w1 "tur 0" "tur 0: GOOD"
ua w1 quit

# ---- saved, for root's eyes only ----
grep -qF -- "$S1NEW" "$PD_CONF" && pass secret-saved || fail secret-saved "$PD_CONF does not hold the new secret"
[ "$(stat -c %a "$PD_CONF")" = 600 ] && pass saved-file-0600 ||
	fail saved-file-0600 "$PD_CONF is mode $(stat -c %a "$PD_CONF")"

# ---- the log never holds a secret ----
leaked=""
for s in $SECRETS; do
	grep -qF -- "$s" "$PD_LOG" && leaked="$leaked $s"
done
[ -z "$leaked" ] && pass no-secret-in-log || fail no-secret-in-log "the log holds:$leaked"

# ---- the transcript ----
pt_normalize "$TR" "$T_TMP/chap.doc" ":$PD_PORT" ":3260"
pt_doc chap "$T_TMP/chap.doc"

# ---- the control socket is root's ----
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
# nobody may reach the directory, so that the socket's own mode is what stops it
chmod 711 "$T_TMP"
if check_fails nobody-socket-0600 $NOBODY "$PORTICO" ls; then
	if [ "$(stat -c %a "$PORTICO_SOCKET")" != 600 ]; then
		fail nobody-socket-0600 "the socket is mode $(stat -c %a "$PORTICO_SOCKET")"
	elif [ $t_rc -eq 3 ] && out_has "[Pp]ermission denied"; then
		pass nobody-socket-0600
	else
		fail nobody-socket-0600 "expected exit 3 and 'permission denied', got exit $t_rc" "$T_OUT"
	fi
fi
chmod 666 "$PORTICO_SOCKET"
log_lines=$(wc -l <"$PD_LOG")
# porticod's answer, read as it comes (socat sends nothing)
if check nobody-connects $NOBODY socat -t 5 - "UNIX-CONNECT:$PORTICO_SOCKET"; then
	out_has '"code": *"EPERM"' && out_has 'root only' && pass nobody-refused-by-porticod ||
		fail nobody-refused-by-porticod "no EPERM error saying root only" "$T_OUT"
fi
# portico must show that answer, whether porticod closed before or after the request went
# out (a connection that porticod has closed refuses the request: EPIPE): ten tries
bad=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	run $NOBODY "$PORTICO" ls
	t_rc=$?
	if [ $t_rc -ne 1 ] || ! out_has "root only.*\[EPERM\]"; then
		bad="try $i: exit $t_rc: $(head -n 1 "$T_OUT")"
		break
	fi
done
[ -z "$bad" ] && pass nobody-portico-shows-refusal ||
	fail nobody-portico-shows-refusal "portico did not print porticod's EPERM (root only) and exit 1: $bad" "$T_OUT"
tail -n +$((log_lines + 1)) "$PD_LOG" | grep -q "uid $(id -u nobody) refused" && pass nobody-refusal-logged ||
	fail nobody-refusal-logged "porticod did not log the refusal of uid $(id -u nobody)"
check_fails nobody-cannot-change $NOBODY "$PORTICO" /backstores/null create name=evil size=1M
pt ls /backstores/null
out_has "evil" && fail nobody-changed-nothing "a backstore made by nobody exists" "$T_OUT" || pass nobody-changed-nothing
chmod 600 "$PORTICO_SOCKET"
chmod 700 "$T_TMP"
check root-still-served "$PORTICO" status

pd_stop stop-clean
t_done
