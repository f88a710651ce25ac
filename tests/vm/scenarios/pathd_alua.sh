# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: portico-pathd against porticod's ALUA states (porticod only; not
# in ENABLED yet: sh tests/vm/run.sh pathd_alua). The target restarts in its
# 'alua' variant: TPG 1 ($PORTAL0) active/optimized and preferred, TPG 2
# ($PORTAL1) standby, implicit transitions only. pathd.conf names one
# discovery address.
#  - every map gets the alua hardware handler and two groups, the path over
#    $PORTAL0 (optimized) first, and both paths active in pathd's eyes (the
#    standby one is kept in its group, not failed);
#  - fio --verify writes through the fio LUN's map while the host turns the
#    states round through portico (target-live-change alua-swap): pathd
#    regroups the map (the path over $PORTAL1 first) and fio sees no error.
# Figures go to the host as RESULT lines (pathd_alua.*).
. /portico/run.env
. /portico/lib.sh

NLUNS=$(lab_luns | wc -l)

cleanup() {
	touch /tmp/stop
	if [ -s /run/portico.reason ]; then
		echo "--- pathd's events (last 60)"
		"$PP" show events 2>&1 | tail -60
		"$PP" show paths 2>&1
		dmsetup table 2>&1
		dmsetup status 2>&1
	fi
	"$PP" --timeout 120 teardown >/dev/null 2>&1
	pd_stop
	rm -f "$DROPIN"
	lab_reset
	host target-restart base >/dev/null || echo "the host could not restore the target" >&2
}
trap cleanup EXIT

[ "$TARGET_KIND" = porticod ] || die "the pathd_alua scenario needs porticod"
host target-restart alua >/dev/null || die "the host could not start the target's alua variant"

mkdir -p /etc/portico /etc/multipath/conf.d /run/portico
printf 'discovery = [ "%s" ];\n' "${PORTAL0%:*}" >"$CONF"
: >/run/pathd.log
pd_start
wait_for 180 "$NLUNS maps with two active paths" maps_ready "$NLUNS" || die "pathd did not bring up its maps"

fio_lun=$(lab_lun_of fio)
a=$(disk_of "$PORTAL0" "$fio_lun")
b=$(disk_of "$PORTAL1" "$fio_lun")
W=$(wwid_of "$a")
MAP=/dev/mapper/$W
[ -b "$MAP" ] || die "no $MAP"
devt() { cat "/sys/block/${1#/dev/}/dev"; }
ta=$(devt "$a")
tb=$(devt "$b")

# The devices of map $1's table in table order, space-separated.
order() { dmsetup table "$1" | grep -oE '[0-9]+:[0-9]+' | tr '\n' ' '; }
# Whether map $1's table has the alua handler and two groups, $2 then $3.
grouped() { # MAP FIRST SECOND
	dmsetup table "$1" | grep -q ' 1 alua 2 ' && [ "$(order "$1")" = "$2 $3 " ]
}

wait_for 30 "the fio map grouped, $ta first" grouped "$W" "$ta" "$tb" ||
	die "$W: table '$(dmsetup table "$W")', not the alua handler with $ta's group first"
for w in $(pp_json show maps | jq -r '.maps[].wwid'); do
	dmsetup table "$w" | grep -q ' 1 alua 2 ' || die "$w: table '$(dmsetup table "$w")' without the alua handler"
done
ok "every map: alua handler, two groups; $W: $(dmsetup table "$W")"
result "pathd_alua.table_before $(dmsetup table "$W" | tr ' ' '_')"
sleep 4 # a few checks of the standby path
path_state "$(basename "$b")" active || die "the standby path $b is not active in pathd's eyes"
maps_ready "$NLUNS" || die "not every map keeps two active paths with a standby one"
ok "the standby path $b stays active in its group"

# fio --verify through the map while the states turn round
rm -f /tmp/stop
writer "$MAP" 8 &
WPID=$!
sleep 4
t0=$(uptime_s)
host target-live-change alua-swap >/dev/null || die "the host could not swap the ALUA states"
wait_for 60 "the fio map regrouped, $tb first" grouped "$W" "$tb" "$ta" ||
	die "$W not regrouped after the swap: '$(dmsetup table "$W")'; a: $(cat "/sys/block/${a#/dev/}/device/access_state"), b: $(cat "/sys/block/${b#/dev/}/device/access_state")"
t1=$(uptime_s)
regroup=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
sleep 6
touch /tmp/stop
n=0
while kill -0 "$WPID" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 240 ] || die "the writer did not stop within 120 s"
	sleep 0.5
done
wait "$WPID"
[ ! -s /tmp/fio.bad ] || { cat /tmp/fio.bad; die "fio saw I/O errors or a verify failure over the swap"; }
ok "regrouped $regroup s after the swap ($(dmsetup table "$W")); $(cat /tmp/fio.runs) fio runs, no error"
result "pathd_alua.regroup_s $regroup"
result "pathd_alua.fio_runs $(cat /tmp/fio.runs)"
exit 0
