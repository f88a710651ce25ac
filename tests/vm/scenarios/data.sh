# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: data through the kernel initiator, as a user checks it.
#  - ext4: mkfs, mount, write, sync, umount, fsck clean, and the file reads
#    back with the same checksum through the other path;
#  - fio: random writes of mixed sizes with verification (crc32c), then the
#    same data verified again through the other path;
#  - thin provisioning: the kernel sees discard support; blkdiscard and fstrim
#    give space back: the backing file's allocated size shrinks on the host.
. /portico/run.env
. /portico/lib.sh

connect_all
mkdir -p /mnt/a

# ext4, written through one path and read back through the other
lun=$(lab_lun_of fs)
a=$(disk_of "$PORTAL0" "$lun")
b=$(disk_of "$PORTAL1" "$lun")
mkfs.ext4 -q -F -E nodiscard "$a" || die "mkfs.ext4 $a failed"
mount "$a" /mnt/a || die "mount $a failed"
dd if=/dev/urandom of=/mnt/a/data bs=1M count=16 2>/dev/null || die "writing a file failed"
mkdir -p /mnt/a/dir && for i in 1 2 3 4 5 6 7 8; do echo "file $i" >"/mnt/a/dir/$i"; done
sum=$(cd /mnt/a && find . -type f | sort | xargs sha256sum | sha256sum)
sync
umount /mnt/a || die "umount failed"
e2fsck -f -n "$a" || die "e2fsck found errors on $a"
mount -o ro "$b" /mnt/a || die "mount $b (the other path) failed"
sum2=$(cd /mnt/a && find . -type f | sort | xargs sha256sum | sha256sum)
umount /mnt/a
[ "$sum" = "$sum2" ] || die "the files read back through the other path differ"
ok "ext4 on LUN $lun: clean fsck, same checksums through both paths"

# fio: random writes with verification, then verification through the other path
lun=$(lab_lun_of fio)
a=$(disk_of "$PORTAL0" "$lun")
b=$(disk_of "$PORTAL1" "$lun")
job="--ioengine=libaio --direct=1 --rw=randwrite --bssplit=4k/50:64k/30:256k/20 --size=32m
 --iodepth=16 --verify=crc32c --verify_fatal=1 --randseed=4242 --norandommap=0 --group_reporting"
# shellcheck disable=SC2086
fio --name=write --filename="$a" $job >/tmp/fio1 2>&1 || { cat /tmp/fio1; die "fio --verify on $a failed"; }
grep -q 'err= 0' /tmp/fio1 || { cat /tmp/fio1; die "fio reported errors on $a"; }
# shellcheck disable=SC2086
fio --name=write --filename="$b" $job --verify_only >/tmp/fio2 2>&1 ||
	{ cat /tmp/fio2; die "fio --verify_only through the other path ($b) failed"; }
grep -q 'err= 0' /tmp/fio2 || { cat /tmp/fio2; die "fio reported errors on $b"; }
grep -E 'WRITE:|READ:' /tmp/fio1 /tmp/fio2
ok "fio: 32 MiB of verified random writes on LUN $lun, verified again through the other path"

# thin provisioning
lun=$(lab_lun_of thin)
a=$(disk_of "$PORTAL0" "$lun")
d=$(cat "/sys/block/${a#/dev/}/queue/discard_max_bytes")
[ "$d" -gt 0 ] || die "LUN $lun: the kernel sees no discard support (discard_max_bytes 0)"
ok "LUN $lun supports discard (discard_max_bytes $d)"
mib=1048576
s0=$(host_allocated thin)
dd if=/dev/urandom of="$a" bs=1M count=32 oflag=direct 2>/dev/null || die "writing to $a failed"
s1=$(host_allocated thin)
[ $((s1 - s0)) -ge $((30 * mib)) ] || die "32 MiB written, but the backing file grew from $s0 to $s1 bytes"
blkdiscard "$a" || die "blkdiscard $a failed"
s2=$(host_allocated thin)
[ "$s2" -le $((s1 - 30 * mib)) ] || die "blkdiscard: the backing file went from $s1 to $s2 allocated bytes"
ok "blkdiscard: allocated $s0 -> $s1 after 32 MiB -> $s2 bytes"
mkfs.ext4 -q -F -E nodiscard "$a" || die "mkfs.ext4 $a failed"
mount "$a" /mnt/a || die "mount $a failed"
dd if=/dev/urandom of=/mnt/a/big bs=1M count=24 2>/dev/null && sync || die "writing a file failed"
s3=$(host_allocated thin)
rm /mnt/a/big && sync
fstrim -v /mnt/a || die "fstrim failed"
sync
s4=$(host_allocated thin)
umount /mnt/a
[ "$s4" -le $((s3 - 20 * mib)) ] || die "fstrim: the backing file went from $s3 to $s4 allocated bytes"
ok "fstrim: allocated $s3 -> $s4 bytes after a 24 MiB file was removed"
