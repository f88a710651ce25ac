#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# PID 1 of tests/lio/make-fixtures.sh's guest: LIO's modules, a loop device
# and the two portal addresses, then each /lio/*.targetcli through targetcli,
# every file it saved printed between markers on the console, and power off.
export PATH=/usr/sbin:/usr/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
for m in configfs target_core_mod target_core_file target_core_iblock target_core_user \
	iscsi_target_mod tcm_loop loop; do
	modprobe "$m" || echo "@@LIO modprobe $m failed"
done
mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config
ip link set lo up
ip addr add 127.0.0.2/8 dev lo 2>/dev/null
mkdir -p /srv/iscsi /srv/out /etc/target /etc/rtslib-fb-target /root/.targetcli /var/run
dd if=/dev/zero of=/srv/iscsi/block1.img bs=1M count=0 seek=48 2>/dev/null
losetup /dev/loop0 /srv/iscsi/block1.img
for f in /lio/*.targetcli; do
	echo "@@LIO RUN $(basename "$f")"
	python3 /lio/guest-run.py "$f" 2>&1 || echo "@@LIO FAIL $(basename "$f")"
	# what targetcli made, then nothing of it for the next file
	python3 /lio/guest-run.py /lio/ls.cmd 2>&1
	for out in /srv/out/*.json; do
		[ -f "$out" ] || continue
		echo "@@LIO BEGIN $(basename "$out")"
		cat "$out"
		echo "@@LIO END $(basename "$out")"
		rm -f "$out"
	done
	python3 /lio/guest-run.py /lio/clear.cmd >/dev/null 2>&1
done
echo "@@LIO DONE"
sync
poweroff -f
