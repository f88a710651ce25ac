# SPDX-License-Identifier: GPL-2.0-or-later
#
# A one-node Ceph cluster for the ceph tests (tests/ceph/run.sh): one
# monitor, one manager, one OSD (BlueStore on a sparse file), everything in
# a private directory and on 127.0.0.1 only, no systemd, nothing under
# /etc/ceph or /var/lib/ceph. Sourced, not run:
#
#   . tests/ceph/cluster.sh
#   ceph_up DIR      starts it in DIR (made by the caller, empty); sets
#                    CEPH_CONF (DIR/ceph.conf, whose [client] keyring is
#                    client.admin's) and the daemons' pids; 1 on failure,
#                    the reason on stderr
#   ceph_down        stops the daemons this shell started (by pid) and
#                    removes their data (the OSD's 10 GiB sparse file)
#   ceph_c ARGS...   the ceph CLI on that cluster, bounded (30 s)
#   rbd_c ARGS...    the rbd CLI on that cluster, bounded (60 s)
#
# For a test group (after tests/functional/lib.sh):
#   ceph_test_up NAME   the cluster the group runs on (ceph_up in a new
#                       temporary directory, CEPH_TOP); passes the check
#                       "cluster", or fails it and ends the group; prints
#                       "NAME: the cluster started in N s"
#   ceph_test_down      what ceph_test_up made, gone: call it from the
#                       group's exit trap, after t_cleanup (porticod first)
#
# The ports are Ceph's defaults on 127.0.0.1 (monitor 3300 and 6789, the
# others from 6800): one cluster per machine at a time, so ceph_up takes
# a lock (flock on /run/lock/portico-ceph.lock, waiting up to 10 minutes).
# Every wait is bounded; about 30 s from nothing to a pool that serves.
#
# Shared: tests/run.sh starts one cluster for the whole ceph group and
# names its configuration in PORTICO_CEPH_CONF. ceph_up then uses that
# cluster (when it answers) instead of starting one, and ceph_down leaves
# it running: each script keeps to images of its own names. A script run
# by itself starts and removes its own cluster as before.

CEPH_DIR=""
CEPH_TOP=""
CEPH_CONF=""
CEPH_PIDS=""
CEPH_LOCK_FD=9
CEPH_SHARED=""

ceph_c() {
	timeout 30 ceph -c "$CEPH_CONF" "$@"
}

rbd_c() {
	timeout 60 rbd -c "$CEPH_CONF" "$@"
}

# wait_for SECONDS CMD...: runs CMD every 0.5 s until it succeeds; 1 on timeout.
ceph_wait_for() {
	_cw_n=$(($1 * 2))
	shift
	while [ "$_cw_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
		_cw_n=$((_cw_n - 1))
	done
	return 1
}

ceph_mgr_available() {
	ceph_c mgr stat -f json 2>/dev/null | grep -q '"available":true'
}

ceph_osd_up() {
	ceph_c osd stat -f json 2>/dev/null | grep -q '"num_up_osds":1'
}

ceph_pgs_clean() {
	_pc=$(ceph_c pg stat -f json 2>/dev/null) || return 1
	# every PG active+clean: the count of that state equals num_pgs
	_n=$(echo "$_pc" | sed -n 's/.*"num_pgs":\([0-9]*\).*/\1/p')
	echo "$_pc" | grep -q "\"name\":\"active+clean\",\"num\":$_n[,}]"
}

ceph_up() {
	if [ -n "${PORTICO_CEPH_CONF:-}" ] &&
		timeout 30 ceph -c "$PORTICO_CEPH_CONF" -s >/dev/null 2>&1; then
		CEPH_CONF=$PORTICO_CEPH_CONF
		CEPH_SHARED=1
		return 0
	fi
	CEPH_DIR=$1
	CEPH_CONF=$CEPH_DIR/ceph.conf
	for _c in ceph-mon ceph-mgr ceph-osd ceph ceph-authtool monmaptool rbd uuidgen; do
		command -v "$_c" >/dev/null || {
			echo "ceph: $_c is missing (sh scripts/install-deps.sh --group ceph)" >&2
			return 1
		}
	done
	mkdir -p /run/lock
	eval "exec $CEPH_LOCK_FD>/run/lock/portico-ceph.lock"
	flock -w 600 "$CEPH_LOCK_FD" || {
		echo "ceph: another cluster holds the lock for 10 minutes" >&2
		return 1
	}
	mkdir -p "$CEPH_DIR/mon/ceph-a" "$CEPH_DIR/mgr/ceph-x" "$CEPH_DIR/osd/ceph-0" \
		"$CEPH_DIR/run" "$CEPH_DIR/log" "$CEPH_DIR/crash" || return 1
	_fsid=$(uuidgen)
	cat >"$CEPH_CONF" <<EOC
[global]
fsid = $_fsid
mon host = [v2:127.0.0.1:3300,v1:127.0.0.1:6789]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
run dir = $CEPH_DIR/run
admin socket = $CEPH_DIR/run/\$cluster-\$name.asok
log file = $CEPH_DIR/log/\$cluster-\$name.log
crash dir = $CEPH_DIR/crash
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
osd crush chooseleaf type = 0
[mon]
mon data = $CEPH_DIR/mon/\$cluster-\$id
[mgr]
mgr data = $CEPH_DIR/mgr/\$cluster-\$id
[osd]
osd data = $CEPH_DIR/osd/\$cluster-\$id
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 10737418240
osd memory target = 1073741824
[client]
keyring = $CEPH_DIR/ceph.client.admin.keyring
EOC
	_C="-c $CEPH_CONF"
	ceph-authtool --create-keyring "$CEPH_DIR/mon.keyring" --gen-key -n mon. \
		--cap mon 'allow *' >/dev/null || return 1
	ceph-authtool --create-keyring "$CEPH_DIR/ceph.client.admin.keyring" --gen-key \
		-n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' \
		--cap mgr 'allow *' >/dev/null || return 1
	ceph-authtool "$CEPH_DIR/mon.keyring" \
		--import-keyring "$CEPH_DIR/ceph.client.admin.keyring" >/dev/null || return 1
	monmaptool --create --fsid "$_fsid" --addv a '[v2:127.0.0.1:3300,v1:127.0.0.1:6789]' \
		"$CEPH_DIR/monmap" >/dev/null || return 1
	timeout 60 ceph-mon $_C --mkfs -i a --monmap "$CEPH_DIR/monmap" \
		--keyring "$CEPH_DIR/mon.keyring" >"$CEPH_DIR/log/mkfs.mon" 2>&1 || {
		echo "ceph: monitor mkfs failed" >&2
		return 1
	}
	ceph-mon $_C -f -i a >"$CEPH_DIR/log/mon.stdout" 2>&1 &
	CEPH_PIDS="$CEPH_PIDS $!"
	ceph_wait_for 30 ceph_c -s || {
		echo "ceph: the monitor did not answer in 30 s" >&2
		return 1
	}
	ceph_c auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' \
		-o "$CEPH_DIR/mgr/ceph-x/keyring" >/dev/null 2>&1 || return 1
	ceph-mgr $_C -f -i x >"$CEPH_DIR/log/mgr.stdout" 2>&1 &
	CEPH_PIDS="$CEPH_PIDS $!"
	_uuid=$(uuidgen)
	_id=$(ceph_c osd new "$_uuid") || return 1
	ceph_c auth get-or-create "osd.$_id" mon 'allow profile osd' mgr 'allow profile osd' \
		osd 'allow *' -o "$CEPH_DIR/osd/ceph-$_id/keyring" >/dev/null 2>&1 || return 1
	timeout 120 ceph-osd $_C -i "$_id" --mkfs --osd-uuid "$_uuid" \
		>"$CEPH_DIR/log/mkfs.osd" 2>&1 || {
		echo "ceph: OSD mkfs failed" >&2
		return 1
	}
	ceph-osd $_C -f -i "$_id" >"$CEPH_DIR/log/osd.stdout" 2>&1 &
	CEPH_PIDS="$CEPH_PIDS $!"
	ceph_wait_for 60 ceph_osd_up || {
		echo "ceph: the OSD did not come up in 60 s" >&2
		return 1
	}
	ceph_wait_for 60 ceph_mgr_available || {
		echo "ceph: the manager was not available in 60 s" >&2
		return 1
	}
	ceph_c osd pool create rbd 32 32 >/dev/null 2>&1 || return 1
	rbd_c pool init rbd >/dev/null 2>&1 || return 1
	ceph_wait_for 60 ceph_pgs_clean || {
		echo "ceph: the placement groups were not active+clean in 60 s" >&2
		return 1
	}
	return 0
}

ceph_down() {
	[ -n "$CEPH_SHARED" ] && return 0
	for _p in $CEPH_PIDS; do
		kill -TERM "$_p" 2>/dev/null
	done
	for _p in $CEPH_PIDS; do
		_n=100
		while [ "$_n" -gt 0 ] && kill -0 "$_p" 2>/dev/null; do
			sleep 0.1
			_n=$((_n - 1))
		done
		kill -KILL "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	CEPH_PIDS=""
	[ -n "$CEPH_DIR" ] && rm -rf "$CEPH_DIR/mon" "$CEPH_DIR/mgr" "$CEPH_DIR/osd" \
		"$CEPH_DIR/run" "$CEPH_DIR/crash"
	eval "exec $CEPH_LOCK_FD>&-"
}

ceph_test_up() { # NAME
	_ct0=$(date +%s)
	CEPH_TOP=$(mktemp -d /tmp/portico-ceph.XXXXXX) || {
		fail cluster "mktemp failed"
		t_done
	}
	if ! ceph_up "$CEPH_TOP" 2>"$T_TMP/ceph-up.err"; then
		fail cluster "the one-node cluster did not start: $(tail -n 1 "$T_TMP/ceph-up.err")" \
			"$CEPH_TOP/log/mon.stdout"
		t_done
	fi
	if [ -n "$CEPH_SHARED" ]; then
		echo "$1: on the test runner's cluster"
	else
		echo "$1: the cluster started in $(($(date +%s) - _ct0)) s"
	fi
	pass cluster
}

ceph_test_down() {
	ceph_down
	[ -n "$CEPH_TOP" ] && rm -rf "$CEPH_TOP"
	CEPH_TOP=""
}
