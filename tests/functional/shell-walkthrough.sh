# SPDX-License-Identifier: GPL-2.0-or-later
#
# shell-walkthrough: docs/shell.md's walkthrough and masking examples,
# done with portico against a porticod that starts with no targets.
#   walkthrough  one-shot commands make a file backstore LUN0 (a sparse
#                20 GiB image), a block backstore LUN1 (a loop device), an
#                lvm backstore LUN2 (a second loop device standing in for
#                the LV) and a target with a generated IQN; a batch
#                (portico -e -f) makes the portal, the KVM host's ACL and
#                LUNs 0-2, and draws the tree, which must show all of it;
#                iscsi-ls as the KVM host finds three LUNs of those sizes.
#   masking      kvm2 sees LUN1 only (as its LUN 0), kvm3 LUN1 and LUN2
#                (LUN 2 write-protected), both ACLs made with
#                add_mapped_luns=false; REPORT LUNS and iscsi-ls per
#                initiator; an initiator without an ACL is refused.
# Both sessions are kept as transcripts: docs/shell.md must show them as
# this run printed them (normalized: temp dir, port, loop devices, the
# generated IQN); PORTICO_UPDATE_DOCS=1 rewrites them there.
. "$(dirname "$0")/lib.sh"
t_require "$PORTICO" "$T_BIN/lunio"

KVM1=iqn.2026-11.org.example:kvm1
KVM2=iqn.2026-11.org.example:kvm2
KVM3=iqn.2026-11.org.example:kvm3
STRANGER=iqn.2026-11.org.example:stranger
# what the docs show instead of what varies from run to run
DOC_DIR=/srv/iscsi
DOC_IQN=iqn.2026-11.org.portico:storage1.4f1c2a9e7b30

mkloop 1G || { fail setup "cannot create a loop device"; t_done; }
LOOP1=$LOOPDEV
mkloop 512M || { fail setup "cannot create a second loop device"; t_done; }
LOOP2=$LOOPDEV

conf() {
	conf_head 2
}

pd_start_ctl conf || t_done

# ---- the walkthrough: backstores and target, one command at a time ----
WT=$T_TMP/walkthrough.txt
PT_TRANSCRIPT=$WT
if pt_ok create-file-backstore /backstores/file create name=LUN0 file="$T_TMP/LUN0.img" size=20G sparse=true; then
	# a sparse image: 20 GiB long, (almost) nothing allocated
	if [ "$(stat -c %s "$T_TMP/LUN0.img" 2>/dev/null)" = $((20 << 30)) ] &&
		[ "$(alloc_bytes "$T_TMP/LUN0.img")" -lt $((1 << 20)) ]; then
		pass file-backstore-sparse-image
	else
		fail file-backstore-sparse-image "$T_TMP/LUN0.img: $(stat -c '%s bytes, %b blocks' "$T_TMP/LUN0.img" 2>&1)"
	fi
fi
pt_ok create-block-backstore /backstores/block create name=LUN1 dev="$LOOP1"
# an error, as docs/shell.md shows one
PT_TRANSCRIPT=$T_TMP/errors.txt
pt_refused create-backstore-twice "backstore 'LUN0' exists.*\[EEXIST\]" \
	/backstores/file create name=LUN0 file="$T_TMP/other.img" size=1G
PT_TRANSCRIPT=$WT
pt_ok create-lvm-backstore /backstores/lvm create name=LUN2 dev="$LOOP2"
IQN=""
if pt_ok create-target /iscsi create; then
	IQN=$(sed -n 's/^Created target \(.*\)\.$/\1/p' "$T_OUT")
	# RFC 7143 §4.2.7.2: iqn.YYYY-MM.reversed-domain:unique
	if echo "$IQN" | grep -Eq '^iqn\.[0-9]{4}-[0-9]{2}\.org\.portico:[a-z0-9.-]+\.[0-9a-f]{12}$' &&
		out_has '^Created TPG 1\.$'; then
		pass create-target-generated-iqn
	else
		fail create-target-generated-iqn "no generated IQN and TPG 1 in the answer" "$T_OUT"
	fi
fi
PT_TRANSCRIPT=""
[ -n "$IQN" ] || { fail setup "no target to go on with"; t_done; }
TPG=/iscsi/$IQN/tpg1
# the answer names the new node's path too (portico --json)
if pt --json /iscsi create iqn.2026-11.org.example:scratch && out_has '"path":"/iscsi/iqn.2026-11.org.example:scratch"'; then
	pass create-answer-has-path
else
	fail create-answer-has-path "no \"path\" in the JSON answer" "$T_OUT"
fi
pt_ok delete-scratch-target /iscsi delete iqn.2026-11.org.example:scratch

# ---- the rest as a batch, echoed as a session ----
cat >"$T_TMP/tpg1.portico" <<EOF
cd $TPG
portals/ create ip_address=127.0.0.1 ip_port=$PD_PORT
acls/ create $KVM1
luns/ create /backstores/file/LUN0
luns/ create /backstores/block/LUN1
luns/ create /backstores/lvm/LUN2
cd /
ls
EOF
echo "# portico -e -f tpg1.portico" >>"$WT"
if check batch-walkthrough "$PORTICO" -e -f "$T_TMP/tpg1.portico"; then
	cat "$T_OUT" >>"$WT"
	cp "$T_OUT" "$T_TMP/ls.out"
fi

# ---- what ls drew ----
ls_line() { # CHECK NAME SUMMARY (literal strings)
	if grep -F -- " o- $2 " "$T_TMP/ls.out" | grep -qF -- " [$3]"; then
		pass "$1"
	else
		fail "$1" "no 'o- $2 ... [$3]' in ls" "$T_TMP/ls.out"
	fi
}
ls_line ls-file-backstore LUN0 "$T_TMP/LUN0.img (20.0GiB) write-back thin"
# a loop device over a sparse file takes discards: thin
ls_line ls-block-backstore LUN1 "$LOOP1 (1.0GiB) write-back thin"
ls_line ls-lvm-backstore LUN2 "$LOOP2 (512.0MiB) write-back thin"
ls_line ls-target "$IQN" "TPGs: 1"
ls_line ls-tpg tpg1 "no-gen-acls, no-auth"
ls_line ls-acl "$KVM1" "Mapped LUNs: 3"
ls_line ls-mapped-lun0 mapped_lun0 "lun0 file/LUN0 (rw)"
ls_line ls-mapped-lun1 mapped_lun1 "lun1 block/LUN1 (rw)"
ls_line ls-mapped-lun2 mapped_lun2 "lun2 lvm/LUN2 (rw)"
ls_line ls-lun0 lun0 "file/LUN0 ($T_TMP/LUN0.img) (20.0GiB) write-back"
ls_line ls-lun1 lun1 "block/LUN1 ($LOOP1) (1.0GiB) write-back"
ls_line ls-lun2 lun2 "lvm/LUN2 ($LOOP2) (512.0MiB) write-back"
ls_line ls-portal "127.0.0.1:$PD_PORT" "OK"
ls_line ls-targets iscsi "Targets: 1"

# ---- the KVM host sees three LUNs ----
echo "# iscsi-ls -i $KVM1 -s iscsi://127.0.0.1:$PD_PORT" >>"$WT"
if check iscsi-ls-kvm1 iscsi-ls -i "$KVM1" -s "iscsi://127.0.0.1:$PD_PORT"; then
	cat "$T_OUT" >>"$WT"
	want="Target:$IQN Portal:127.0.0.1:$PD_PORT,1
Lun:0    Type:DIRECT_ACCESS (Size:$(ls_size $((20 << 30)) 512))
Lun:1    Type:DIRECT_ACCESS (Size:$(ls_size $((1 << 30)) 512))
Lun:2    Type:DIRECT_ACCESS (Size:$(ls_size $((512 << 20)) 512))"
	[ "$(cat "$T_OUT")" = "$want" ] && pass iscsi-ls-kvm1-three-luns ||
		fail iscsi-ls-kvm1-three-luns "expected: $(echo "$want" | tr '\n' ';')" "$T_OUT"
fi

# ---- masking ----
MK=$T_TMP/masking.txt
cat >"$T_TMP/masking.portico" <<EOF
cd $TPG
acls/ create $KVM2 add_mapped_luns=false
acls/$KVM2 create mapped_lun=0 tpg_lun_or_backstore=lun1
acls/ create $KVM3 add_mapped_luns=false
acls/$KVM3 create mapped_lun=1 tpg_lun_or_backstore=lun1
acls/$KVM3 create mapped_lun=2 tpg_lun_or_backstore=/backstores/lvm/LUN2 write_protect=true
ls acls
EOF
echo "# portico -e -f masking.portico" >"$MK"
if check batch-masking "$PORTICO" -e -f "$T_TMP/masking.portico"; then
	cat "$T_OUT" >>"$MK"
	cp "$T_OUT" "$T_TMP/ls.out"
	ls_line ls-kvm2-one-lun "$KVM2" "Mapped LUNs: 1"
	ls_line ls-kvm3-two-luns "$KVM3" "Mapped LUNs: 2"
	ls_line ls-kvm3-write-protected mapped_lun2 "lun2 lvm/LUN2 (ro)"
	grep -A 1 -F " o- $KVM2 " "$T_TMP/ls.out" | grep -qF " o- mapped_lun0 " &&
		grep -A 1 -F " o- $KVM2 " "$T_TMP/ls.out" | grep -qF "[lun1 block/LUN1 (rw)]" &&
		pass ls-kvm2-lun0-is-lun1 ||
		fail ls-kvm2-lun0-is-lun1 "kvm2's mapped_lun0 does not show lun1 block/LUN1" "$T_TMP/ls.out"
fi

for l in "kvm1:$KVM1:0 1 2" "kvm2:$KVM2:0" "kvm3:$KVM3:1 2"; do
	who=${l%%:*}
	rest=${l#*:}
	iqn=${rest%:*}
	want=${rest##*:}
	if check "report-luns-$who" "$T_BIN/lunio" -i "$iqn" luns "$(url "$IQN" 0)"; then
		out_has "^luns: $want\$" && pass "report-luns-$who-exact" ||
			fail "report-luns-$who-exact" "expected 'luns: $want'" "$T_OUT"
	fi
done
SZ1=$(ls_size $((1 << 30)) 512)
SZ2=$(ls_size $((512 << 20)) 512)
iscsi_ls_luns() { # WHO IQN WANT-LINES
	echo "# iscsi-ls -i $2 -s iscsi://127.0.0.1:$PD_PORT" >>"$MK"
	check "iscsi-ls-$1" iscsi-ls -i "$2" -s "iscsi://127.0.0.1:$PD_PORT" || return
	cat "$T_OUT" >>"$MK"
	[ "$(grep '^Lun:' "$T_OUT")" = "$3" ] && pass "iscsi-ls-$1-luns-exact" ||
		fail "iscsi-ls-$1-luns-exact" "expected: $(echo "$3" | tr '\n' ';')" "$T_OUT"
}
iscsi_ls_luns kvm2 "$KVM2" "Lun:0    Type:DIRECT_ACCESS (Size:$SZ1)"
iscsi_ls_luns kvm3 "$KVM3" "Lun:1    Type:DIRECT_ACCESS (Size:$SZ1)
Lun:2    Type:DIRECT_ACCESS (Size:$SZ2)"
if check kvm3-lun2-readonly "$T_BIN/lunio" -i "$KVM3" readonly "$(url "$IQN" 2)"; then
	out_has "^WRITE \(16\): CHECK CONDITION DATA.PROTECTION/0x27" && pass kvm3-lun2-data-protect ||
		fail kvm3-lun2-data-protect "no DATA PROTECT / WRITE PROTECTED" "$T_OUT"
fi
check kvm1-lun2-writable "$T_BIN/lunio" -i "$KVM1" verify "$(url "$IQN" 2)" "1,8"

# an initiator without an ACL: no login, no target in discovery
if check_fails stranger-refused iscsi-inq -i "$STRANGER" "$(url "$IQN" 0)"; then
	out_has "Authorization failure\(514\)" && pass stranger-refused ||
		fail stranger-refused "not an authorization failure (2/02)" "$T_OUT"
fi
run iscsi-ls -i "$STRANGER" "iscsi://127.0.0.1:$PD_PORT"
out_has "^Target:" && fail stranger-discovers-nothing "an initiator without an ACL discovers a target" "$T_OUT" ||
	pass stranger-discovers-nothing

# ---- the transcripts, as docs/shell.md shows them ----
set -- "$T_TMP" "$DOC_DIR" ":$PD_PORT" ":3260" "ip_port=$PD_PORT" "ip_port=3260" \
	"$IQN" "$DOC_IQN" "iqn.202...$(echo "$IQN" | tail -c 7)" "iqn.202...$(echo "$DOC_IQN" | tail -c 7)"
# the longer device name first (/dev/loop10 before /dev/loop1)
if [ ${#LOOP1} -ge ${#LOOP2} ]; then
	set -- "$@" "$LOOP1" "@LOOP-LUN1@" "$LOOP2" "@LOOP-LUN2@"
else
	set -- "$@" "$LOOP2" "@LOOP-LUN2@" "$LOOP1" "@LOOP-LUN1@"
fi
set -- "$@" "@LOOP-LUN1@" /dev/loop0 "@LOOP-LUN2@" /dev/loop1
pt_normalize "$WT" "$T_TMP/walkthrough.doc" "$@"
pt_doc walkthrough "$T_TMP/walkthrough.doc"
pt_normalize "$MK" "$T_TMP/masking.doc" "$@"
pt_doc masking "$T_TMP/masking.doc"
pt_normalize "$T_TMP/errors.txt" "$T_TMP/errors.doc" "$@"
pt_doc errors "$T_TMP/errors.doc"

pd_stop stop-clean
t_done
