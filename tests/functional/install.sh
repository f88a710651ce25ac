# SPDX-License-Identifier: GPL-2.0-or-later
#
# install: 'make install PREFIX=/usr DESTDIR=...' (docs/install.md) and what
# it puts there:
#   the tree: the four programs, the two units, the udev rule, six man
#       pages, the completion, the examples, /etc/portico/porticod.conf
#       (0600) and /var/lib/portico
#   each program answers --version and --help, and every option its
#       --help lists is in its man page (the page is docs/, so the docs)
#   the units pass 'systemd-analyze verify' (their commands pointed at
#       the tree), and a unit with a mistake does not (the check can fail)
#   each man page renders with man -l, NAME line first
#   the installed completion, sourced in bash with bash-completion,
#       completes a verb, a path of a running porticod, a path across
#       the ':' of an IQN, and a key=
#   porticod(8)'s "From dpkg -i to a served LUN", run as written there but
#       on loopback and a temporary image: iscsi-ls finds the LUN
#   a second install over the first keeps the porticod.conf made since
. "$(dirname "$0")/lib.sh"
t_require "$PORTICO"

DEST=$T_TMP/root
SBIN=$DEST/usr/sbin
MAN=$DEST/usr/share/man
COMP=$DEST/usr/share/bash-completion/completions

if ! check make-install make -C "$T_TOP" --no-print-directory BUILD="$BUILD" install \
	PREFIX=/usr DESTDIR="$DEST"; then
	t_done
fi

# ---- the tree ----
missing=""
for f in usr/sbin/porticod usr/sbin/portico usr/sbin/portico-pathd usr/sbin/portico-path \
	lib/systemd/system/porticod.service lib/systemd/system/portico-pathd.service \
	lib/udev/rules.d/61-portico-path.rules \
	usr/share/man/man8/porticod.8 usr/share/man/man8/portico.8 \
	usr/share/man/man8/portico-pathd.8 usr/share/man/man8/portico-path.8 \
	usr/share/man/man5/porticod.conf.5 usr/share/man/man5/pathd.conf.5 \
	usr/share/bash-completion/completions/portico \
	usr/share/bash-completion/completions/portico-path \
	usr/share/doc/porticod/examples/porticod.conf \
	usr/share/doc/portico-pathd/examples/pathd.conf \
	usr/share/porticod/porticod.conf etc/portico/porticod.conf; do
	[ -e "$DEST/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && pass tree || fail tree "missing:$missing"
[ -d "$DEST/var/lib/portico" ] && pass state-dir || fail state-dir "no /var/lib/portico"
m=$(stat -c %a "$DEST/etc/portico/porticod.conf")
[ "$m" = 600 ] && pass conf-mode-0600 || fail conf-mode-0600 "porticod.conf is $m"
grep -q "$SBIN/\|/usr/local" "$DEST/lib/systemd/system/porticod.service" &&
	fail unit-paths "the unit names the staging tree or /usr/local" ||
	pass unit-paths
grep -q '^IMPORT{program}="/usr/sbin/portico-pathd --udev-name %k"' \
	"$DEST/lib/udev/rules.d/61-portico-path.rules" && pass udev-rule-path ||
	fail udev-rule-path "the rule does not run /usr/sbin/portico-pathd"

# ---- --version, --help, and --help's options in the man pages ----
# The options a --help names: the words that begin with '-' at the start of its lines.
help_options() { # PROGRAM
	"$1" --help 2>&1 | grep -E '^ +-' | grep -oE '(^| |, )--?[a-zA-Z][-a-zA-Z]*' |
		sed 's/^[ ,]*//' | sort -u
}
for p in porticod portico portico-pathd portico-path; do
	sec=8
	if run "$SBIN/$p" --version && grep -qE "^$p [0-9]" "$T_OUT"; then
		pass "$p-version"
	else
		fail "$p-version" "no '$p VERSION'" "$T_OUT"
	fi
	run "$SBIN/$p" --help && grep -q "usage: $p" "$T_OUT" && pass "$p-help" ||
		fail "$p-help" "--help does not print the usage" "$T_OUT"
	MANWIDTH=200 man -l "$MAN/man$sec/$p.$sec" 2>/dev/null >"$T_TMP/$p.txt"
	absent=""
	for o in $(help_options "$SBIN/$p"); do
		grep -q -- "$o" "$T_TMP/$p.txt" || absent="$absent $o"
	done
	[ -n "$(help_options "$SBIN/$p")" ] && [ -z "$absent" ] && pass "$p-options-in-man" ||
		fail "$p-options-in-man" "$p($sec) lacks:$absent"
done

# ---- man pages render ----
for page in man8/porticod.8 man8/portico.8 man8/portico-pathd.8 man8/portico-path.8 \
	man5/porticod.conf.5 man5/pathd.conf.5; do
	name=$(basename "$page")
	name=${name%.*}
	MANWIDTH=80 man -l "$MAN/$page" >"$T_TMP/page.txt" 2>"$T_TMP/page.err"
	rc=$?
	if [ $rc -eq 0 ] && sed -n '/^NAME/,+1p' "$T_TMP/page.txt" | grep -q "^ *$name - " &&
		! grep -qi 'error' "$T_TMP/page.err"; then
		pass "man-$name"
	else
		fail "man-$name" "man -l exit $rc, or no '$name - ...' NAME line" "$T_TMP/page.err"
	fi
done

# ---- units ----
if command -v systemd-analyze >/dev/null 2>&1; then
	for u in porticod portico-pathd; do
		# the units' commands pointed at the tree; iscsid is open-iscsi's, maybe not here
		sed "s|/usr/sbin/|$SBIN/|g" "$DEST/lib/systemd/system/$u.service" >"$T_TMP/$u.service"
		systemd-analyze verify --man=no "$T_TMP/$u.service" >"$T_TMP/verify.out" 2>&1
		if grep -v 'Unit iscsid.service not found' "$T_TMP/verify.out" | grep -q .; then
			fail "unit-$u" "systemd-analyze verify says" "$T_TMP/verify.out"
		else
			pass "unit-$u"
		fi
	done
	sed 's/^Type=notify/Type=notifie/' "$T_TMP/porticod.service" >"$T_TMP/bad.service"
	systemd-analyze verify --man=no "$T_TMP/bad.service" >"$T_TMP/verify.out" 2>&1
	grep -q 'Failed to parse service type' "$T_TMP/verify.out" && pass unit-verify-can-fail ||
		fail unit-verify-can-fail "a unit with a bad Type= passes" "$T_TMP/verify.out"
else
	echo "SKIP: $T_GROUP/units: no systemd-analyze"
fi

# ---- porticod(8)'s quick start, against a porticod of the test's ----
conf() {
	conf_head
}
pd_start_ctl conf || t_done
TGT=iqn.2026-12.com.example:storage1
KVM1=iqn.2026-12.com.example:kvm1
TPG=/iscsi/$TGT/tpg1
P=$SBIN/portico
check quick-backstore "$P" /backstores/file create name=disk0 file="$T_TMP/disk0.img" size=10G &&
	check quick-target "$P" /iscsi create "$TGT" &&
	check quick-portal "$P" "$TPG/portals" create ip_address=127.0.0.1 ip_port="$PD_PORT" &&
	check quick-acl "$P" "$TPG/acls" create "$KVM1" &&
	check quick-lun "$P" "$TPG/luns" create /backstores/file/disk0 &&
	check quick-ls "$P" ls
# the quick start as the page has it, in the man page the package installs
grep -q "portico /backstores/file create name=disk0 file=/var/lib/portico/disk0.img size=10G" \
	"$T_TMP/porticod.txt" && pass quick-start-in-man ||
	fail quick-start-in-man "porticod(8) no longer shows the commands this test runs"
if check quick-iscsi-ls iscsi-ls -i "$KVM1" -s "iscsi://127.0.0.1:$PD_PORT"; then
	# iscsi-ls rounds down: 10 GiB, its last LBA, is "9G" (docs/shell.md's 20G is 19G)
	out_has "^Lun:0 +Type:DIRECT_ACCESS \(Size:9G\)" && pass quick-lun-served ||
		fail quick-lun-served "iscsi-ls does not show LUN 0 of 10 GiB" "$T_OUT"
fi

# ---- bash completion, from the installed script ----
# Completes COMP_LINE (the cursor at its end) as bash would: COMP_WORDS
# split at COMP_WORDBREAKS; prints COMPREPLY, one a line.
complete_line() { # COMMAND LINE
	timeout 30 bash --norc --noprofile -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"
		PATH=$2:$PATH
		COMP_LINE=$3
		COMP_POINT=${#COMP_LINE}
		# bash splits at spaces and at each of = and : (COMP_WORDBREAKS)
		eval "COMP_WORDS=($(printf "%s" "$COMP_LINE" | sed "s/\([=:]\)/ \1 /g"))"
		case $COMP_LINE in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		$4
		printf "%s\n" "${COMPREPLY[@]}"
	' complete "$COMP/$1" "$SBIN" "$2" "_$(echo "$1" | tr - _)" >"$T_OUT" 2>&1
}
if [ -f /usr/share/bash-completion/bash_completion ]; then
	complete_line portico "portico /backstores/file cr"
	out_has '^create$' && pass complete-verb || fail complete-verb "no 'create'" "$T_OUT"
	complete_line portico "portico /iscsi/"
	out_has "^/iscsi/$TGT/\$" && pass complete-path || fail complete-path "no '/iscsi/$TGT/'" "$T_OUT"
	# readline replaces only what follows the ':': the candidates say the rest
	complete_line portico "portico /iscsi/iqn.2026-12.com.example:sto"
	out_has '^storage1/$' && pass complete-path-colon ||
		fail complete-path-colon "no 'storage1/' after the ':'" "$T_OUT"
	complete_line portico "portico $TPG/luns create /backstores/file/disk0 "
	out_has '^lun=$' && pass complete-key || fail complete-key "no 'lun='" "$T_OUT"
	complete_line portico-path "portico-path show s"
	out_has '^sessions$' && out_has '^status$' && pass complete-path-client ||
		fail complete-path-client "portico-path show s: no sessions, status" "$T_OUT"
else
	echo "SKIP: $T_GROUP/completion: bash-completion is not installed"
fi

# ---- a second install keeps the configuration made since ----
cp "$PD_CONF" "$DEST/etc/portico/porticod.conf"
check reinstall make -C "$T_TOP" --no-print-directory BUILD="$BUILD" install PREFIX=/usr \
	DESTDIR="$DEST" &&
	{ cmp -s "$PD_CONF" "$DEST/etc/portico/porticod.conf" && pass reinstall-keeps-conf ||
		fail reinstall-keeps-conf "make install replaced porticod.conf"; }

pd_stop stop
t_done
