# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest side of the power-loss scenario (tests/vm/powerloss.sh,
# docs/testing.md): sourced by /init when run.env says LAB_MODE=powerloss,
# in place of the scenarios. Here the guest is the storage server: porticod
# serves three file backstores on an ext4 file system on the virtio disk
# /dev/vda (the host made it; QEMU opens its file with cache=none), and the
# host's initiator writes to them until the host kills QEMU. Every boot of
# the run comes here again; the backing files and porticod's state_dir (the
# APTPL reservations) are whatever the last one left on the disk.
#   wb  4 MiB, write_back = true  (WCE=1: FUA and SYNCHRONIZE CACHE)
#   wt  4 MiB, write_back = false (WCE=0: every write durable)
#   pr  1 MiB, the persistent reservation the initiator makes with APTPL
# Says "@@PORTICO READY t" once porticod listens, then waits for the plug.

pl_fail() { boot_fail "powerloss: $*"; }

modprobe virtio_blk || pl_fail "modprobe virtio_blk"
wait_for 30 "the virtio disk" test -b /dev/vda || pl_fail "no /dev/vda"
mkdir -p /data
# ext4 replays its journal here after the plug was pulled
mount -t ext4 /dev/vda /data || pl_fail "cannot mount /dev/vda"
for f in wb:4 wt:4 pr:1; do
	[ -f "/data/${f%%:*}.img" ] || truncate -s "${f#*:}M" "/data/${f%%:*}.img" || pl_fail "truncate"
done
sync
echo "powerloss: /data after mount:"
ls -l /data /data/state/pr 2>/dev/null

cat >/run/porticod.conf <<CONF
# SPDX-License-Identifier: GPL-2.0-or-later
control_socket = "/run/porticod.sock";
state_dir = "/data/state";
io_threads = 2;
backstores = (
  { name = "wb"; type = "file"; path = "/data/wb.img"; size = "4M"; write_back = true; },
  { name = "wt"; type = "file"; path = "/data/wt.img"; size = "4M"; write_back = false; },
  { name = "pr"; type = "file"; path = "/data/pr.img"; size = "1M"; }
);
targets = (
  { iqn = "$TARGET_IQN";
    tpgs = ( { tag = 1;
      portals = [ "${GUEST_IP0%/*}:3260" ];
      luns = ( { lun = 0; backstore = "wb"; }, { lun = 1; backstore = "wt"; },
               { lun = 2; backstore = "pr"; } );
      acls = ( { initiator = "$INITIATOR_IQN";
                 mapped_luns = ( { lun = 0; tpg_lun = 0; }, { lun = 1; tpg_lun = 1; },
                                 { lun = 2; tpg_lun = 2; } ); } );
    } );
  }
);
CONF
chmod 600 /run/porticod.conf
/portico/bin/porticod -c /run/porticod.conf -f -v >/run/porticod.log 2>&1 &
pl_listening() { netstat -ltn 2>/dev/null | grep -q "${GUEST_IP0%/*}:3260"; }
if ! wait_for 30 "porticod to listen" pl_listening; then
	cat /run/porticod.log
	pl_fail "porticod does not listen"
fi
mark "READY $(uptime_s)"
# The plug is pulled from the host; the bound is only against a lost host.
sleep 3600
poweroff -f
