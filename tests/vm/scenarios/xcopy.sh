# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: EXTENDED COPY through the kernel initiator, with sg3-utils'
# sg_xcopy (it reads RECEIVE COPY RESULTS' operating parameters and VPD
# page 83h, then sends EXTENDED COPY (LID1) with identification CSCDs and
# block to block segments):
#  - from one LU to another of the target (file to file: copy_file_range),
#    sent to the source, then sent to the destination;
#  - within one LU, to a range further on;
# each checked by reading both ranges back with O_DIRECT and comparing.
. /portico/run.env
. /portico/lib.sh

connect_all
fio=$(disk_of "$PORTAL0" "$(lab_lun_of fio)")
thin=$(disk_of "$PORTAL0" "$(lab_lun_of thin)")
mib=1048576

# 8 MiB of random data at the start of the fio LU
dd if=/dev/urandom of=/tmp/src bs=1M count=8 2>/dev/null || die "cannot make the data"
dd if=/tmp/src of="$fio" bs=1M count=8 oflag=direct 2>/dev/null || die "writing $fio failed"

same() { # DEV1 OFFSET1_MIB DEV2 OFFSET2_MIB MIB
	dd if="$1" bs=1M skip="$2" count="$5" iflag=direct 2>/dev/null >/tmp/a &&
		dd if="$3" bs=1M skip="$4" count="$5" iflag=direct 2>/dev/null >/tmp/b &&
		cmp -s /tmp/a /tmp/b
}

# another LU of the target, the command sent to the source (sg_xcopy's default)
sg_xcopy if="$fio" of="$thin" bs=512 count=$((8 * 2048)) seek=$((16 * 2048)) time=1 >/tmp/x1 2>&1 ||
	{ cat /tmp/x1; die "sg_xcopy $fio -> $thin failed"; }
cat /tmp/x1
same "$fio" 0 "$thin" 16 8 || die "the copy on $thin (16 MiB on) differs from $fio (0-8 MiB)"
ok "sg_xcopy: 8 MiB from LUN $(lab_lun_of fio) to LUN $(lab_lun_of thin), sent to the source"

# the same, sent to the destination
sg_xcopy if="$fio" of="$thin" bs=512 count=$((8 * 2048)) seek=$((40 * 2048)) --on_dst >/tmp/x2 2>&1 ||
	{ cat /tmp/x2; die "sg_xcopy --on_dst $fio -> $thin failed"; }
same "$fio" 0 "$thin" 40 8 || die "the copy on $thin (40 MiB on) differs from $fio (0-8 MiB)"
ok "sg_xcopy --on_dst: 8 MiB from LUN $(lab_lun_of fio) to LUN $(lab_lun_of thin)"

# within one LU
sg_xcopy if="$fio" of="$fio" bs=512 count=$((8 * 2048)) seek=$((32 * 2048)) >/tmp/x3 2>&1 ||
	{ cat /tmp/x3; die "sg_xcopy within $fio failed"; }
same "$fio" 0 "$fio" 32 8 || die "the copy within $fio (32 MiB on) differs from 0-8 MiB"
ok "sg_xcopy: 8 MiB within LUN $(lab_lun_of fio)"
