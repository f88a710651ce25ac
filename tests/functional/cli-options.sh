# SPDX-License-Identifier: GPL-2.0-or-later
#
# cli-options: every program answers --help and --version as a Debian admin
# expects: exit 0, the text on stdout, each line ended by a newline, and
# -h / --help show the same usage; an unknown option is exit 2 with the
# usage on stderr. Nothing is started: the programs only print.
. "$(dirname "$0")/lib.sh"

progs="porticod portico"
[ -x "$T_BUILD/bin/portico-pathd" ] && progs="$progs portico-pathd"
[ -x "$T_BUILD/bin/portico-path" ] && progs="$progs portico-path"
for p in $progs; do
	t_require "$T_BUILD/bin/$p"
done
# one version, the package's (debian/changelog's top entry)
version=$(sed -n 's/^portico (\([^)-]*\).*/\1/p;q' "$T_TOP/debian/changelog")

for p in $progs; do
	bin=$T_BUILD/bin/$p
	for opt in --help --version; do
		name="$p${opt}"
		timeout "$T_TIMEOUT" "$bin" "$opt" >"$T_TMP/o" 2>"$T_TMP/e"
		rc=$?
		if [ $rc -ne 0 ]; then
			fail "$name" "exit $rc: $(head -n 1 "$T_TMP/e")" "$T_TMP/e"
		elif [ ! -s "$T_TMP/o" ]; then
			fail "$name" "nothing on stdout" "$T_TMP/e"
		elif [ "$(tail -c 1 "$T_TMP/o" | od -An -c | tr -d ' ')" != '\n' ]; then
			fail "$name" "the last line has no newline" "$T_TMP/o"
		elif [ $opt = --version ] && ! grep -q "^$p $version\( \|$\)" "$T_TMP/o"; then
			fail "$name" "not '$p $version' (debian/changelog's version)" "$T_TMP/o"
		elif [ $opt = --help ] && ! grep -q "^usage: $p" "$T_TMP/o"; then
			fail "$name" "no 'usage: $p' line" "$T_TMP/o"
		else
			pass "$name"
		fi
	done
	timeout "$T_TIMEOUT" "$bin" -h >"$T_TMP/h" 2>&1
	timeout "$T_TIMEOUT" "$bin" --help >"$T_TMP/help" 2>&1
	if cmp -s "$T_TMP/h" "$T_TMP/help"; then
		pass "$p-h"
	else
		fail "$p-h" "-h and --help differ" "$T_TMP/h"
	fi
	timeout "$T_TIMEOUT" "$bin" --no-such-option >"$T_TMP/o" 2>"$T_TMP/e"
	rc=$?
	if [ $rc -eq 2 ] && grep -q "usage: $p" "$T_TMP/e"; then
		pass "$p-unknown-option"
	else
		fail "$p-unknown-option" "exit $rc, want 2 with the usage on stderr" "$T_TMP/e"
	fi
done

t_done
