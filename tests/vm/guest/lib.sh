# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest side of the VM lab: markers, requests to the host, bounded waits,
# and the open-iscsi and multipath helpers the scenarios share. Sourced by
# /init and by every scenario (after /portico/run.env).
#
# Markers go to the control port (fd 3, opened by /init) and to the console:
#   @@PORTICO BOOTED t | START name t | PASS name t | FAIL name t reason | DONE t
#   @@PORTICO RESULT key value...      a figure for the host to record
#   @@PORTICO HOST seq command args    a request; the host writes back on the
#                                      port "@@ACK seq rc [data]"

export PATH=/usr/sbin:/usr/bin

uptime_s() { cut -d' ' -f1 /proc/uptime; }

mark() {
	echo "@@PORTICO $*" >&3
	echo "@@PORTICO $*"
}

# Records a figure: RESULT <key> <value...>
result() { mark "RESULT $*"; }

# Ends the running scenario with a reason.
die() {
	echo "$*" >/run/portico.reason
	echo "FAILED: $*"
	exit 1
}

ok() { echo "ok: $*"; }

# host COMMAND [ARGS]: asks the host to do something and waits (bounded) for
# its answer. Prints the answer's data; returns its status.
host() {
	_seq=$(($(cat /run/portico.seq 2>/dev/null || echo 0) + 1))
	echo "$_seq" >/run/portico.seq
	echo "@@PORTICO HOST $_seq $*" >&3
	echo "@@PORTICO HOST $_seq $*" >&2
	_end=$(($(cut -d. -f1 /proc/uptime) + ${HOST_TIMEOUT:-120}))
	while [ "$(cut -d. -f1 /proc/uptime)" -lt "$_end" ]; do
		IFS= read -r -t 5 _line <&3 || continue
		set -- $_line
		[ "$1" = "@@ACK" ] && [ "$2" = "$_seq" ] || continue
		_rc=$3
		shift 3
		echo "$*"
		return "$_rc"
	done
	echo "no answer from the host to request $_seq" >&2
	return 124
}

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every half second until it
# succeeds; non-zero (and a message) after SECONDS.
wait_for() {
	_secs=$1
	_what=$2
	shift 2
	_n=$((_secs * 2))
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.5
		_n=$((_n - 1))
	done
	echo "timed out after ${_secs} s waiting for $_what" >&2
	return 1
}

iscsid_up() { ! iscsiadm -m session 2>&1 | grep -q 'can not connect'; }

# One open-iscsi iface per guest NIC, bound by interface name: iface0 -> eth0.
make_ifaces() {
	for i in 0 1; do
		iscsiadm -m iface -I "iface$i" -o new >/dev/null 2>&1
		iscsiadm -m iface -I "iface$i" -o update -n iface.net_ifacename -v "eth$i" >/dev/null ||
			return 1
	done
}

# discover_all: SendTargets through each portal with its NIC's iface.
discover_all() {
	iscsiadm -m discovery -t st -p "$PORTAL0" -I iface0 >/tmp/disc0 2>&1 || { cat /tmp/disc0; return 1; }
	iscsiadm -m discovery -t st -p "$PORTAL1" -I iface1 >/tmp/disc1 2>&1 || { cat /tmp/disc1; return 1; }
	cat /tmp/disc0 /tmp/disc1
}

login_all() {
	iscsiadm -m node -T "$TARGET_IQN" -p "$PORTAL0" -I iface0 --login >/dev/null || return 1
	iscsiadm -m node -T "$TARGET_IQN" -p "$PORTAL1" -I iface1 --login >/dev/null || return 1
}

# The by-path link of LUN $2 through portal $1.
bypath() { echo "/dev/disk/by-path/ip-$1-iscsi-$TARGET_IQN-lun-$2"; }

# The disks (sdX) behind the sessions through portal $1, one "lun sdX" a line.
disks_on_portal() {
	for l in /dev/disk/by-path/ip-$1-iscsi-$TARGET_IQN-lun-*; do
		[ -e "$l" ] || continue
		case "$l" in *-part*) continue ;; esac
		echo "${l##*-lun-} $(basename "$(readlink -f "$l")")"
	done
}

# The LUN numbers the lab maps to this guest ("0 1 2"), from LUNS="0:fs:64 ...".
lab_luns() { for e in $LUNS; do echo "${e%%:*}"; done; }
lab_lun_of() { for e in $LUNS; do b=${e#*:}; [ "${b%%:*}" = "$1" ] && echo "${e%%:*}"; done; }
lab_size_of() { for e in $LUNS; do b=${e#*:}; [ "${b%%:*}" = "$1" ] && echo "${b#*:}"; done; }

# Both paths of every mapped LUN have their by-path link.
all_paths_present() {
	for l in $(lab_luns); do
		[ -e "$(bypath "$PORTAL0" "$l")" ] && [ -e "$(bypath "$PORTAL1" "$l")" ] || return 1
	done
}

# One disk's WWID as udev names it (ID_SERIAL: on Debian 12, sg3-utils-udev's
# sg_inq --export, which multipath-tools depends on): the name multipath
# gives its map.
wwid_of() { udevadm info -q property -n "$1" | sed -n 's/^ID_SERIAL=//p'; }

# Puts the guest back as /init left it: no maps, no sessions, no records.
lab_reset() {
	if pidof multipathd >/dev/null; then
		multipath -F >/dev/null 2>&1
		multipathd shutdown >/dev/null 2>&1
		wait_for 10 "multipathd to stop" sh -c '! pidof multipathd >/dev/null' 2>/dev/null ||
			kill -9 $(pidof multipathd) 2>/dev/null
	fi
	dmsetup remove_all >/dev/null 2>&1
	for m in $(mount | awk '$1 ~ /^\/dev\/(sd|mapper|dm)/ { print $3 }'); do umount "$m"; done
	iscsiadm -m node -u >/dev/null 2>&1
	iscsiadm -m node -o delete >/dev/null 2>&1
	iscsiadm -m discoverydb -t st -p "$PORTAL0" -o delete >/dev/null 2>&1
	iscsiadm -m discoverydb -t st -p "$PORTAL1" -o delete >/dev/null 2>&1
	udevadm settle --timeout=30
}

lab_size_of_lun() { for e in $LUNS; do [ "${e%%:*}" = "$1" ] && { b=${e#*:}; echo "${b#*:}"; }; done; }

# The LUN numbers REPORT LUNS lists through disk $1 (single-level, peripheral
# addressing: "00LL000000000000"), one a line.
report_luns() {
	sg_luns "$1" | sed -n 's/^ *00\([0-9a-f][0-9a-f]\)000000000000$/\1/p' | while read -r h; do
		printf '%d\n' "0x$h"
	done
}

# The designators of VPD page 0x83 that name the logical unit itself (not the
# target port, which may differ between paths), as sg_inq decodes them.
lu_designators() {
	sg_inq -p 0x83 "$1" | awk '/Designation descriptor number/ { keep = 0 }
		/associated with the [Aa]ddressed [Ll]ogical [Uu]nit/ { keep = 1; next }
		keep { print }'
}

# Both paths up: ifaces, discovery, login, every by-path link there.
connect_all() {
	make_ifaces || die "cannot make the iface records"
	discover_all >/tmp/discovery 2>&1 || die "SendTargets failed: $(tail -3 /tmp/discovery | tr '\n' ' ')"
	login_all || die "login failed"
	wait_for 60 "the by-path links of every LUN on both portals" all_paths_present ||
		die "by-path links missing; have: $(ls /dev/disk/by-path | tr '\n' ' ')"
}

# The disk behind LUN $2 through portal $1 (/dev/sdX).
disk_of() { readlink -f "$(bypath "$1" "$2")"; }

# Allocated bytes of a backing file on the host.
host_allocated() {
	_b=$(host blocks "$1") || die "the host cannot stat backstore '$1'"
	echo $((_b * 512))
}

# fio writing with verification through map $1 until /tmp/stop appears, in
# short runs (each one verifies what it wrote), iodepth $2 (8); failures go
# to /tmp/fio.bad, each run's longest I/O latency (ns, from its JSON report)
# to /tmp/fio.lat. Used by the multipath and failover scenarios.
writer() {
	: >/tmp/fio.bad
	: >/tmp/fio.lat
	i=0
	while [ ! -f /tmp/stop ] && [ $i -lt 200 ]; do
		fio --name=mp --filename="$1" --ioengine=libaio --direct=1 --rw=randwrite \
			--bssplit=4k/60:64k/40 --size=16m --iodepth="${2:-8}" --verify=crc32c --verify_fatal=1 \
			--output-format=normal,json >/tmp/fio.out 2>&1
		rc=$?
		awk '/"lat_ns"/ { l = 1 } l && /"max"/ { gsub(/[^0-9]/, "", $0); print; l = 0 }' \
			/tmp/fio.out >>/tmp/fio.lat
		i=$((i + 1))
		if [ $rc -ne 0 ] || ! grep -q 'err= 0' /tmp/fio.out; then
			echo "run $((i - 1)): exit $rc" >>/tmp/fio.bad
			cat /tmp/fio.out >>/tmp/fio.bad
			break # the medium stays as the failure left it, for whoever looks
		fi
	done
	echo "$i" >/tmp/fio.runs
}

# One timed 4 KiB O_DIRECT write every 0.2 s through map $1 (past fio's
# 16 MiB), until /tmp/stop: lines "start end status" in /tmp/probe.
prober() {
	: >/tmp/probe
	i=0
	while [ ! -f /tmp/stop ] && [ $i -lt 3000 ]; do
		t0=$(uptime_s)
		dd if=/tmp/block of="$1" bs=4096 count=1 seek=$((8192 + i % 1024)) oflag=direct conv=notrunc 2>/dev/null
		rc=$?
		echo "$t0 $(uptime_s) $rc" >>/tmp/probe
		i=$((i + 1))
		sleep 0.2
	done
}

# ---- portico-pathd (the pathd and failover scenarios) ----

PD=/portico/bin/portico-pathd
PP=/portico/bin/portico-path
CONF=/etc/portico/pathd.conf
DROPIN=/etc/multipath/conf.d/portico-pathd.conf
PORTICO_PATH_SOCKET=/run/portico/pathd.sock
export PORTICO_PATH_SOCKET
PD_PID=""

pd_start() {
	"$PD" -c "$CONF" -f -v >>/run/pathd.log 2>&1 &
	PD_PID=$!
}

pd_stop() { # TERM, bounded, then KILL
	[ -n "$PD_PID" ] || return 0
	kill "$PD_PID" 2>/dev/null
	wait_for 10 "pathd to stop" sh -c "! kill -0 $PD_PID 2>/dev/null" || kill -9 "$PD_PID" 2>/dev/null
	wait "$PD_PID" 2>/dev/null
	PD_PID=""
}

pp_json() { "$PP" --json "$@"; }

# The guest's clock in milliseconds (busybox's date has no %N).
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

# jq -e on the answer of portico-path --json ARGS: false when pathd did not
# answer (Debian 12's jq 1.6 says yes to no input at all).
pp_jq() { # FILTER [JQ-ARGS...] -- ARGS...
	_f=$1
	shift
	_a=""
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		_a="$_a $1"
		shift
	done
	shift
	_out=$(pp_json "$@" 2>/dev/null) && [ -n "$_out" ] || return 1
	# shellcheck disable=SC2086
	printf '%s\n' "$_out" | jq -e $_a "$_f" >/dev/null
}

# Whether pathd shows N maps, each ready with two active paths.
maps_ready() { # N
	pp_jq '[.maps[] | select(.state == "ready" and .paths_total == 2 and .paths_active == 2)] |
		length == $n' --argjson n "$1" -- show maps
}

# Whether pathd shows the path on device $1 in state $2 (active, failed, pending, excluded).
# From the text table, not --json and jq: the failover scenario polls it
# every 0.1 s, and jq's own start takes 0.4-0.5 s in the TCG guest (1.0-2.4 s
# with fio running), portico-path's answer 70-200 ms (120-560 ms).
path_state() { # DEV STATE
	"$PP" show paths 2>/dev/null | awk -v d="$1" -v s="$2" '$1 == d && $3 == s { f = 1 } END { exit !f }'
}
