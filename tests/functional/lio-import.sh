# SPDX-License-Identifier: GPL-2.0-or-later
#
# lio-import: targetcli's saved configurations (tests/lio/*.json, written
# by targetcli itself: tests/lio/make-fixtures.sh) restored into a running
# porticod with 'portico restoreconfig FILE'.
#   walkthrough  check=true says what is not carried and applies nothing;
#                the import prints the same notes, then the tree 'ls' draws
#                is tests/lio/walkthrough.ls; each initiator sees its LUNs
#                (iscsi-ls with its CHAP secret, kvm1 with mutual CHAP), the
#                write-protected mapped LUN refuses writes, an initiator
#                without CHAP or with a wrong secret gets nothing
#   unsupported  every note of what porticod has no place for; the ramdisk
#                and its LUN are left out, the nullio ramdisk is a null
#                backstore, demo mode and discovery CHAP are carried
#   broken       a truncated file, and one whose LUN names a storage object
#                it does not hold, are refused: the tree and porticod's
#                file are as they were
# The fixtures name the guest's files and devices and port 3260: the test
# puts its own in their place (sed on the JSON text) before restoring, and
# puts the fixtures' back in what it compares (as docs/shell.md's
# transcripts do). PORTICO_UPDATE_GOLDEN=1 rewrites tests/lio/*.ls and
# *.restore from this run.
. "$(dirname "$0")/lib.sh"
t_require "$PORTICO" "$T_BIN/lunio"

LIO=$T_TOP/tests/lio
TGT=iqn.2003-01.org.linux-iscsi.lab:storage1
OTHER=iqn.2003-01.org.linux-iscsi.lab:other
KVM1=iqn.2026-11.org.example:kvm1
KVM2=iqn.2026-11.org.example:kvm2
KVM9=iqn.2026-11.org.example:kvm9
STRANGER=iqn.2026-11.org.example:stranger

# the size of the guest's loop device (tests/lio/guest-init.sh)
mkloop 48M || { fail setup "cannot create a loop device"; t_done; }
LOOP1=$LOOPDEV

conf() {
	conf_head 2
}

pd_start_ctl conf || t_done

# FIXTURE with this run's files, device and port, into OUT
localize() { # FIXTURE OUT
	sed -e "s|/srv/iscsi/|$T_TMP/|g" -e "s|\"/dev/loop0\"|\"$LOOP1\"|g" \
		-e "s|\"port\": 3260|\"port\": $PD_PORT|g" -e "s|\"port\": 3261|\"port\": $PD_PORT|g" \
		"$LIO/$1" >"$2"
}

# OUT (a run's output) with the fixture's names back, compared with GOLDEN
golden() { # CHECK OUT GOLDEN
	set -- "$1" "$2" "$3" "$T_TMP/" "/srv/iscsi/" "$LOOP1" /dev/loop0 ":$PD_PORT" ":3260"
	g_name=$1 g_out=$2 g_want=$3
	shift 3
	pt_normalize "$g_out" "$T_TMP/golden.now" "$@"
	if [ "${PORTICO_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$T_TMP/golden.now" "$g_want"
	fi
	if cmp -s "$T_TMP/golden.now" "$g_want"; then
		pass "$g_name"
	else
		diff -u "$g_want" "$T_TMP/golden.now" >"$T_TMP/golden.diff"
		fail "$g_name" "differs from $(basename "$g_want") (PORTICO_UPDATE_GOLDEN=1 rewrites it)" \
			"$T_TMP/golden.diff"
	fi
}

# What initiator IQN sees: in discovery (iscsi-ls, with the discovery
# secret where there is one), the target; logged in to it (with its CHAP
# secret, and the target's for mutual CHAP through the URL's target_user and
# target_password), the LUNs REPORT LUNS gives. libiscsi's iscsi-ls -s
# would log in to both with one secret, which no target with per-initiator
# secrets and open discovery takes.
sees() { # CHECK IQN TARGET WANT-LUNS [USER SECRET [TUSER TSECRET]] [-- DUSER DSECRET]
	s_name=$1 s_iqn=$2 s_tgt=$3 s_want=$4
	shift 4
	s_cred="" s_args="" s_disc=""
	if [ $# -ge 2 ] && [ "$1" != -- ]; then
		s_cred="$1%$2@"
		shift 2
	fi
	if [ $# -ge 2 ] && [ "$1" != -- ]; then
		s_args="?target_user=$1&target_password=$2"
		shift 2
	fi
	[ $# -ge 3 ] && [ "$1" = -- ] && s_disc="$2%$3@"
	if check "$s_name-discovery" iscsi-ls -i "$s_iqn" "iscsi://${s_disc}127.0.0.1:$PD_PORT"; then
		out_has "^Target:$s_tgt Portal:127.0.0.1:$PD_PORT,1\$" && pass "$s_name-discovers-target" ||
			fail "$s_name-discovers-target" "no Target:$s_tgt" "$T_OUT"
	fi
	if check "$s_name-login" "$T_BIN/lunio" -i "$s_iqn" luns \
		"iscsi://${s_cred}127.0.0.1:$PD_PORT/$s_tgt/0$s_args"; then
		out_has "^luns: $s_want\$" && pass "$s_name-luns" ||
			fail "$s_name-luns" "expected 'luns: $s_want'" "$T_OUT"
	fi
}

# ---- walkthrough.json ----
localize walkthrough.json "$T_TMP/walkthrough.json"
if pt_ok check-only restoreconfig "$T_TMP/walkthrough.json" check=true; then
	cp "$T_OUT" "$T_TMP/check.out"
	out_has "^Nothing applied \(check=true\)" && pass check-only-says-so ||
		fail check-only-says-so "no 'Nothing applied'" "$T_OUT"
	out_has "is targetcli's configuration: [0-9]+ notes on what is not carried over as it is:" &&
		pass check-only-notes || fail check-only-notes "no notes" "$T_OUT"
fi
pt_ok check-only-nothing-made ls /iscsi && ! out_has "Targets: [1-9]" && pass check-only-no-target ||
	fail check-only-no-target "check=true made something" "$T_OUT"

if pt_ok restore-walkthrough restoreconfig "$T_TMP/walkthrough.json"; then
	golden restore-walkthrough-output "$T_OUT" "$LIO/walkthrough.restore"
	# the same notes as check=true gave, before the change
	grep '^  ' "$T_TMP/check.out" >"$T_TMP/notes.check"
	grep '^  ' "$T_OUT" >"$T_TMP/notes.restore"
	cmp -s "$T_TMP/notes.check" "$T_TMP/notes.restore" && pass restore-same-notes-as-check ||
		fail restore-same-notes-as-check "check=true and the restore noted different things" "$T_OUT"
	[ "$(tail -n 1 "$T_OUT")" = "Configuration restored from $T_TMP/walkthrough.json" ] &&
		pass restore-notes-before-applied || fail restore-notes-before-applied "the last line is not the restore's" "$T_OUT"
fi
pt_ok ls-walkthrough ls / && golden ls-walkthrough-tree "$T_OUT" "$LIO/walkthrough.ls"
# docs/coming-from-targetcli.md shows this import as tests/lio has it
{
	echo "# portico restoreconfig /srv/iscsi/walkthrough.json"
	cat "$LIO/walkthrough.restore"
	echo "# portico ls /"
	cat "$LIO/walkthrough.ls"
} >"$T_TMP/doc-import.txt"
PT_DOC=$T_TOP/docs/coming-from-targetcli.md pt_doc lio-walkthrough "$T_TMP/doc-import.txt"
grep -q "userid = \"kvm1\"" "$PD_CONF" && grep -q "mutual_userid = \"storage1\"" "$PD_CONF" &&
	pass saved-with-chap || fail saved-with-chap "porticod's file lacks kvm1's CHAP" "$PD_CONF"

sees kvm1-mutual-chap "$KVM1" "$TGT" "0 1 2" kvm1 kvm1-secret-12 storage1 storage1-secret
sees kvm2-chap "$KVM2" "$TGT" "0 1" kvm2 kvm2-secret-12
# LUN2's blocks are 4096 bytes, as block_size says in targetcli's file
if check kvm1-lun2-capacity "$T_BIN/lunio" -i "$KVM1" capacity \
	"iscsi://kvm1%kvm1-secret-12@127.0.0.1:$PD_PORT/$TGT/2?target_user=storage1&target_password=storage1-secret"; then
	out_has "^blocks 8192 bs 4096 " && pass kvm1-lun2-4096 || fail kvm1-lun2-4096 "not 8192 blocks of 4096" "$T_OUT"
fi
# kvm2's LUN 1 is write-protected (write_protect in targetcli), its LUN 0 is not
if check kvm2-lun1-readonly "$T_BIN/lunio" -i "$KVM2" readonly "iscsi://kvm2%kvm2-secret-12@127.0.0.1:$PD_PORT/$TGT/1"; then
	out_has "^WRITE \(16\): CHECK CONDITION DATA.PROTECTION/0x27" && pass kvm2-lun1-data-protect ||
		fail kvm2-lun1-data-protect "no DATA PROTECT / WRITE PROTECTED" "$T_OUT"
fi
check kvm2-lun0-writable "$T_BIN/lunio" -i "$KVM2" verify "iscsi://kvm2%kvm2-secret-12@127.0.0.1:$PD_PORT/$TGT/0" "1,8"
# authentication = 1 in targetcli: no CHAP, no login; a wrong secret neither
check_fails kvm2-without-chap iscsi-inq -i "$KVM2" "$(url "$TGT" 0)"
check_fails kvm2-wrong-secret iscsi-inq -i "$KVM2" "iscsi://kvm2%wrong-secret-1@127.0.0.1:$PD_PORT/$TGT/0"
check_fails kvm1-wrong-mutual iscsi-inq -i "$KVM1" \
	"iscsi://kvm1%kvm1-secret-12@127.0.0.1:$PD_PORT/$TGT/0?target_user=storage1&target_password=not-the-secret-1"
check_fails stranger-refused iscsi-inq -i "$STRANGER" "$(url "$TGT" 0)"
# the second portal (127.0.0.2) serves too
check portal-two iscsi-inq -i "$KVM2" "iscsi://kvm2%kvm2-secret-12@127.0.0.2:$PD_PORT/$TGT/0"

# ---- broken files change nothing ----
pt ls / && cp "$T_OUT" "$T_TMP/ls.before"
cp "$PD_CONF" "$T_TMP/conf.before"
head -c 700 "$T_TMP/walkthrough.json" >"$T_TMP/truncated.json"
pt_refused broken-truncated "targetcli's configuration: not JSON" \
	restoreconfig "$T_TMP/truncated.json" clear_existing=true
sed 's|/backstores/fileio/LUN2|/backstores/fileio/NOPE|' "$T_TMP/walkthrough.json" >"$T_TMP/dangling.json"
pt_refused broken-dangling-lun "storage object '/backstores/fileio/NOPE' is not in the file" \
	restoreconfig "$T_TMP/dangling.json" clear_existing=true
sed 's|kvm2-secret-12|short|' "$T_TMP/walkthrough.json" >"$T_TMP/short.json"
pt_refused broken-short-secret "shorter than 12" restoreconfig "$T_TMP/short.json" clear_existing=true
pt ls / && cmp -s "$T_OUT" "$T_TMP/ls.before" && pass broken-tree-unchanged ||
	fail broken-tree-unchanged "ls / changed" "$T_OUT"
cmp -s "$PD_CONF" "$T_TMP/conf.before" && pass broken-file-unchanged ||
	fail broken-file-unchanged "porticod's file changed" "$PD_CONF"
sees broken-kvm2-still-served "$KVM2" "$TGT" "0 1" kvm2 kvm2-secret-12

# ---- unsupported.json ----
localize unsupported.json "$T_TMP/unsupported.json"
pt_refused unsupported-needs-clear "clear_existing=true" restoreconfig "$T_TMP/unsupported.json"
if pt_ok restore-unsupported restoreconfig "$T_TMP/unsupported.json" clear_existing=true; then
	golden restore-unsupported-output "$T_OUT" "$LIO/unsupported.restore"
fi
pt_ok ls-unsupported ls / && golden ls-unsupported-tree "$T_OUT" "$LIO/unsupported.ls"
# demo mode: any initiator, every LUN; discovery needs the discovery secret
sees kvm9-acl "$KVM9" "$OTHER" "0 2" -- disc disc-secret-12
sees stranger-demo-mode "$STRANGER" "$OTHER" "0 2" -- disc disc-secret-12
run iscsi-ls -i "$STRANGER" "iscsi://127.0.0.1:$PD_PORT"
out_has "^Target:" && fail discovery-needs-chap "discovered without the discovery secret" "$T_OUT" ||
	pass discovery-needs-chap

pd_stop stop-clean
t_done
