# SPDX-License-Identifier: GPL-2.0-or-later
#
# Not a test: a debugging aid that logs in on both paths and prints what the
# guest sees (by-path links, sessions, VPD page 0x83, multipath's config).
# Run it by name: sh tests/vm/run.sh shell
. /portico/run.env
. /portico/lib.sh
make_ifaces
iscsiadm -m discovery -t st -p "$PORTAL0" -I iface0
echo "rc $?"
iscsiadm -m discovery -t st -p "$PORTAL1" -I iface1
echo "rc $?"
iscsiadm -m node
exit 0
