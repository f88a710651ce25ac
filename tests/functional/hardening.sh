# SPDX-License-Identifier: GPL-2.0-or-later
#
# hardening: porticod under the abuse that issue "porticod under attack and
# under power loss" found it could not take (docs/configuration.md, "Limits").
#   control-held   64 clients connect to the control socket and send
#                  nothing: portico still gets in (the idlest one makes
#                  room), at once
. "$(dirname "$0")/lib.sh"
t_require "$PORTICO" "$T_BIN/holdconn"

conf() {
	conf_head 1
}

pd_start_ctl conf || t_done

# ---- the control socket cannot be held shut ----
helper "$T_TMP/hold.out" "$T_BIN/holdconn" -n 64 -t 60 "unix:$PORTICO_SOCKET"
HOLD=$HELPER_PID
i=0
until grep -q '^connected ' "$T_TMP/hold.out" || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if grep -q '^connected 64 refused 0' "$T_TMP/hold.out"; then
	pass control-held-64-connected
else
	fail control-held-64-connected "holdconn: $(head -1 "$T_TMP/hold.out")"
fi
check control-held-admin-gets-in timeout 5 "$PORTICO" -t 4 status
i=0
until grep -q '^closed 1$' "$T_TMP/hold.out" || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if grep -q '^closed 1$' "$T_TMP/hold.out" && grep -q 'every one of the 64 slots is taken: closing pid' "$PD_LOG"; then
	pass control-held-idlest-evicted
else
	fail control-held-idlest-evicted "no eviction seen" "$T_TMP/hold.out"
fi
kill "$HOLD" 2>/dev/null

pd_stop stop
t_done
