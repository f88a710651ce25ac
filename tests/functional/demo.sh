# SPDX-License-Identifier: GPL-2.0-or-later
#
# demo: 'make demo' (scripts/demo.sh) as someone tries it: started, changed
# with the shell, stopped and started again. The second start keeps what
# was made in the shell (the demo's file is not written over), and each
# start says where that file is. The demo runs in a folder of the test's
# (PORTICO_DEMO_DIR) on a free port (PORTICO_DEMO_PORT).
. "$(dirname "$0")/lib.sh"
t_require "$PORTICOD" "$PORTICO"

DEMO_DIR=$T_TMP/demo
DEMO_PORT=$(pick_port)
DEMO_PID=""

demo_start() { # LOG
	PORTICO_DEMO_DIR=$DEMO_DIR PORTICO_DEMO_PORT=$DEMO_PORT \
		sh "$T_TOP/scripts/demo.sh" "$BUILD" >"$1" 2>&1 &
	DEMO_PID=$!
	T_HELPERS="$T_HELPERS $DEMO_PID"
	i=0
	while [ $i -lt $((PD_START_TIMEOUT * 10)) ]; do
		kill -0 "$DEMO_PID" 2>/dev/null || return 1
		timeout 5 "$PORTICO" --socket "$DEMO_DIR/porticod.sock" ls / >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

demo_stop() {
	kill -TERM "$DEMO_PID" 2>/dev/null
	i=0
	while kill -0 "$DEMO_PID" 2>/dev/null && [ $i -lt $((PD_STOP_TIMEOUT * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$DEMO_PID" 2>/dev/null
	wait "$DEMO_PID" 2>/dev/null
}

if ! demo_start "$T_TMP/first.log"; then
	fail first-start "the demo did not come up" "$T_TMP/first.log"
	t_done
fi
pass first-start
grep -qF "$DEMO_DIR/porticod.conf" "$T_TMP/first.log" && pass first-says-where ||
	fail first-says-where "the demo does not name its file" "$T_TMP/first.log"
pt_ok shell-create --socket "$DEMO_DIR/porticod.sock" /backstores/null create name=made-in-shell size=1M
demo_stop

if ! demo_start "$T_TMP/second.log"; then
	fail second-start "the demo did not come up again" "$T_TMP/second.log"
	t_done
fi
pass second-start
grep -qF "$DEMO_DIR/porticod.conf" "$T_TMP/second.log" && pass second-says-where ||
	fail second-says-where "the demo does not name its file" "$T_TMP/second.log"
if pt --socket "$DEMO_DIR/porticod.sock" ls /backstores/null && out_has 'made-in-shell'; then
	pass shell-change-kept
else
	fail shell-change-kept "what was made in the shell is gone after a restart" "$T_OUT"
fi
if pt --socket "$DEMO_DIR/porticod.sock" ls /backstores/file && out_has 'demo0'; then
	pass demo-lun-still-there
else
	fail demo-lun-still-there "the demo's own LUN is gone" "$T_OUT"
fi
demo_stop

t_done
