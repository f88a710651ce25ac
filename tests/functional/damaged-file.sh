# SPDX-License-Identifier: GPL-2.0-or-later
#
# damaged-file: porticod.conf that does not load stops start-up, even with a
# good saved version porticod.conf.1 beside it (target/main.c: serving an
# older file would bring back an ACL just removed); the one line names the
# file and the line. And the docs say so: docs/configuration.md and the
# example conf/porticod.conf must not tell of a fallback to a saved version.
. "$(dirname "$0")/lib.sh"
t_require "$PORTICOD"

PD_PORT=$(pick_port)
conf() {
	conf_head
	cat <<EOF2
backstores = ( { name = "n0"; type = "null"; size = "64M"; } );
EOF2
}
conf >"$PD_CONF.1"
chmod 600 "$PD_CONF.1"
if run "$PORTICOD" -t -c "$PD_CONF.1"; then
	pass saved-version-loads
else
	fail saved-version-loads "the saved version does not load" "$T_OUT"
fi
head -c $(($(stat -c %s "$PD_CONF.1") - 20)) "$PD_CONF.1" >"$PD_CONF"

timeout "$T_TIMEOUT" "$PORTICOD" -c "$PD_CONF" -f >"$T_OUT" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "^porticod: $PD_CONF:[0-9]" "$T_OUT" && [ "$(wc -l <"$T_OUT")" -le 2 ]; then
	pass refuses-to-start
else
	fail refuses-to-start "exit $rc; want 1 and a line 'porticod: $PD_CONF:LINE: ...'" "$T_OUT"
fi

# The docs: no fallback told (the words the two places used for it).
grep -n -i -E 'starts from (that|the newest|a saved|the version)|falls? back (on|to) (a|the) saved' \
	"$T_TOP/docs/configuration.md" "$T_TOP/conf/porticod.conf" >"$T_TMP/claims"
if [ ! -s "$T_TMP/claims" ]; then
	pass docs-no-fallback
else
	fail docs-no-fallback "the docs tell of a fallback the code does not make" "$T_TMP/claims"
fi

t_done
