# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario: the persistent reservations a Windows failover cluster (or
# Pacemaker's fence_scsi) makes, with sg3-utils' sg_persist through the
# kernel initiator, from two nodes: the guest logs in under two initiator
# names, node A ($INITIATOR_IQN, iface0, portal 0) and node B ($NODE2_IQN,
# an iface of its own on eth1, portal 1), both reaching the fio LU.
#  - both register (REGISTER AND IGNORE EXISTING KEY, as the cluster does);
#    each node reads the other's key, one PRgeneration;
#  - A reserves Write Exclusive - Registrants Only; B reads the reservation
#    and, registered, writes; A reads B's data back; READ FULL STATUS names
#    both initiators and A as the holder;
#  - B unregistered: its write is refused (RESERVATION CONFLICT), its read
#    is not; B registers again;
#  - the arbitration of a node that lost its partner: B preempts A's key
#    with PREEMPT AND ABORT while A writes at queue depth 16; A's writes
#    fail from then on (figure: how long after the preemption),
#    B holds the reservation, A's key is gone, and B's data written after
#    the preemption is what both nodes read (nothing of A's lands later);
#  - B clears everything; no key is left.
. /portico/run.env
. /portico/lib.sh

KA=0xa1a1a1a1
KB=0xb2b2b2b2
lun=$(lab_lun_of fio)

cleanup() {
	pkill -x fio 2>/dev/null
	# whatever happened, no key or reservation is left for the scenarios after
	[ -n "${B:-}" ] && sg_persist --out --register-ignore --param-sark="$KB" "$B" >/dev/null 2>&1 &&
		sg_persist --out --clear --param-rk="$KB" "$B" >/dev/null 2>&1
	iscsiadm -m node -T "$TARGET_IQN" -p "$PORTAL1" -I node2 --logout >/dev/null 2>&1
	iscsiadm -m node -T "$TARGET_IQN" -p "$PORTAL1" -I node2 -o delete >/dev/null 2>&1
	iscsiadm -m iface -I node2 -o delete >/dev/null 2>&1
}
trap cleanup EXIT

make_ifaces || die "cannot make the iface records"
iscsiadm -m iface -I node2 -o new >/dev/null 2>&1
iscsiadm -m iface -I node2 -o update -n iface.initiatorname -v "$NODE2_IQN" >/dev/null &&
	iscsiadm -m iface -I node2 -o update -n iface.net_ifacename -v eth1 >/dev/null ||
	die "cannot make node B's iface"
iscsiadm -m discovery -t st -p "$PORTAL0" -I iface0 >/tmp/disc0 2>&1 || { cat /tmp/disc0; die "SendTargets failed"; }
iscsiadm -m node -T "$TARGET_IQN" -p "$PORTAL1" -I node2 -o new >/dev/null || die "cannot make node B's record"
iscsiadm -m node -T "$TARGET_IQN" -p "$PORTAL0" -I iface0 --login >/dev/null || die "node A's login failed"
iscsiadm -m node -T "$TARGET_IQN" -p "$PORTAL1" -I node2 --login >/dev/null || die "node B's login failed"
wait_for 60 "both nodes' disks" sh -c "[ -e '$(bypath "$PORTAL0" "$lun")' ] && [ -e '$(bypath "$PORTAL1" "$lun")' ]" ||
	die "disks missing; have: $(ls /dev/disk/by-path | tr '\n' ' ')"
A=$(disk_of "$PORTAL0" "$lun")
B=$(disk_of "$PORTAL1" "$lun")
[ "$A" != "$B" ] || die "both nodes got one disk ($A)"
[ "$(wwid_of "$A")" = "$(wwid_of "$B")" ] || die "the nodes' disks have two WWIDs"
ok "node A $INITIATOR_IQN: $A; node B $NODE2_IQN: $B (one LU)"

keys() { sg_persist --in --read-keys "$1" 2>/dev/null | awk '/^ *0x/ { print $1 }' | sort | paste -sd' ' -; }
gen() { sg_persist --in --read-keys "$1" 2>/dev/null | sed -n 's/.*PR generation=\(0x[0-9a-f]*\).*/\1/p'; }
holder() { sg_persist --in --read-reservation "$1" 2>/dev/null | sed -n 's/^ *Key=\(0x[0-9a-f]*\).*/\1/p'; }
rtype() { sg_persist --in --read-reservation "$1" 2>/dev/null | sed -n 's/.*type: *//p'; }
# pattern NAME MIB: MIB MiB of random data in /tmp/NAME
pattern() { dd if=/dev/urandom of="/tmp/$1" bs=1M count="$2" 2>/dev/null; }
# put DEV FILE OFFSET_MIB / same DEV FILE OFFSET_MIB: O_DIRECT write / compare
put() { dd if="$2" of="$1" bs=1M seek="$3" oflag=direct conv=notrunc 2>/tmp/put.err; }
same() {
	n=$(($(stat -c %s "$2") / 1048576))
	dd if="$1" bs=1M skip="$3" count="$n" iflag=direct 2>/dev/null | cmp -s - "$2"
}

[ -z "$(keys "$A")" ] || die "keys registered before the scenario: $(keys "$A")"

# both nodes register
sg_persist --out --register-ignore --param-sark="$KA" "$A" >/tmp/o 2>&1 || { cat /tmp/o; die "A's REGISTER failed"; }
sg_persist --out --register-ignore --param-sark="$KB" "$B" >/tmp/o 2>&1 || { cat /tmp/o; die "B's REGISTER failed"; }
[ "$(keys "$A")" = "$KA $KB" ] || die "A reads keys '$(keys "$A")', want '$KA $KB'"
[ "$(keys "$B")" = "$KA $KB" ] || die "B reads keys '$(keys "$B")', want '$KA $KB'"
[ "$(gen "$A")" = "$(gen "$B")" ] || die "PRgeneration $(gen "$A") through A, $(gen "$B") through B"
ok "both registered; both nodes read $KA $KB, PRgeneration $(gen "$A")"

# A reserves Write Exclusive - Registrants Only (type 5)
sg_persist --out --reserve --param-rk="$KA" --prout-type=5 "$A" >/tmp/o 2>&1 || { cat /tmp/o; die "A's RESERVE failed"; }
[ "$(holder "$B")" = "$KA" ] || die "B reads the holder '$(holder "$B")', want $KA"
case "$(rtype "$B")" in
*"Write Exclusive, registrants only"*) ;;
*) die "B reads the type '$(rtype "$B")', want Write Exclusive, registrants only" ;;
esac
pattern b1 1
put "$B" /tmp/b1 8 || { cat /tmp/put.err; die "registered B could not write under A's registrants-only reservation"; }
same "$A" /tmp/b1 8 || die "A does not read back what B wrote"
sg_persist --in --read-full-status "$B" >/tmp/fs 2>&1 || { cat /tmp/fs; die "READ FULL STATUS failed"; }
cat /tmp/fs
grep -qi "$INITIATOR_IQN" /tmp/fs && grep -qi "$NODE2_IQN" /tmp/fs ||
	die "READ FULL STATUS does not name both initiators"
grep -q "<< Reservation holder >>" /tmp/fs || die "READ FULL STATUS names no holder"
ok "A holds Write Exclusive, registrants only; B, registered, writes; A reads B's data"

# an unregistered node may read but not write
sg_persist --out --register --param-rk="$KB" --param-sark=0 "$B" >/tmp/o 2>&1 || { cat /tmp/o; die "B's unregister failed"; }
[ "$(keys "$A")" = "$KA" ] || die "after B unregistered, A reads keys '$(keys "$A")'"
if put "$B" /tmp/b1 9; then die "unregistered B's write was accepted under a registrants-only reservation"; fi
cat /tmp/put.err
dd if="$B" of=/dev/null bs=1M count=1 iflag=direct 2>/dev/null || die "unregistered B could not read"
sg_persist --out --register-ignore --param-sark="$KB" "$B" >/dev/null 2>&1 || die "B could not register again"
ok "unregistered, B's write is refused and its read is not"

# B preempts A with PREEMPT AND ABORT while A writes. A's commands in
# flight are aborted and, the control mode page saying TAS 1, end with TASK
# ABORTED: A's kernel retries them at once, and the retries meet
# RESERVATION CONFLICT. No command timer is involved (A's disk keeps the
# default 30 s), and no LU reset.
pattern a1 1
rm -f /tmp/pr.stop /tmp/aw.end
# A writes at queue depth 16, so that commands are in flight when B preempts
(
	fio --name=nodeA --filename="$A" --ioengine=libaio --direct=1 --rw=randwrite --bs=64k \
		--size=16m --iodepth=16 --time_based --runtime=150 --output-format=json >/tmp/aw.out 2>&1
	echo "$? $(uptime_s)" >/tmp/aw.end
) &
aw=$!
sleep 2
[ ! -f /tmp/aw.end ] || { cat /tmp/aw.out; die "A's writer ended before the preemption"; }
t0=$(uptime_s)
sg_persist --out --preempt-abort --param-rk="$KB" --param-sark="$KA" --prout-type=5 "$B" >/tmp/o 2>&1 ||
	{ cat /tmp/o; die "B's PREEMPT AND ABORT failed"; }
t1=$(uptime_s)
if ! wait_for 90 "A's writes to fail" test -f /tmp/aw.end; then
	echo "$A: in flight $(cat "/sys/block/${A#/dev/}/inflight"), state $(cat "/sys/block/${A#/dev/}/device/state")"
	dmesg | tail -20
	die "A still writes 90 s after B preempted it"
fi
wait "$aw"
set -- $(cat /tmp/aw.end)
[ "$1" != 0 ] || { cat /tmp/aw.out; die "A's writer ended without an error"; }
echo "A's writer failed at $2 s (exit $1; preempted at $t0-$t1 s): $(grep -o '"error" : [0-9]*' /tmp/aw.out | head -1)"
result pr_preempt_abort_s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
result pr_writer_failed_after_s "$(awk -v a="$t0" -v b="$2" 'BEGIN { printf "%.2f", b - a }')"
[ "$(holder "$A")" = "$KB" ] || die "after the preemption A reads the holder '$(holder "$A")', want $KB"
[ "$(keys "$A")" = "$KB" ] || die "after the preemption A reads keys '$(keys "$A")', want $KB"
if put "$A" /tmp/a1 10; then die "preempted A's write was accepted"; fi
pattern b2 4
put "$B" /tmp/b2 0 || { cat /tmp/put.err; die "B could not write once it held the reservation"; }
sleep 2
same "$A" /tmp/b2 0 && same "$B" /tmp/b2 0 || die "B's data written after the preemption is not what the nodes read"
ok "B preempted A while A wrote: A's writes fail, B holds, B's data stays"

# B clears
sg_persist --out --clear --param-rk="$KB" "$B" >/tmp/o 2>&1 || { cat /tmp/o; die "B's CLEAR failed"; }
[ -z "$(keys "$A")" ] || die "after CLEAR, A reads keys '$(keys "$A")'"
[ -z "$(holder "$A")" ] || die "after CLEAR, A reads the holder '$(holder "$A")'"
put "$A" /tmp/a1 10 || { cat /tmp/put.err; die "A could not write once B cleared"; }
ok "B cleared: no key, no reservation, A writes again"
