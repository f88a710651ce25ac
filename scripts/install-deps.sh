#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Installs every Debian package that the build, the tests, the demo and the
# benchmarks need. Idempotent: installs only what is missing, and runs
# 'apt-get update' at most once per invocation. Run as root.
# 'install-deps.sh --list' prints the packages, one a line, and installs nothing.
# 'install-deps.sh --group NAME' installs the optional group
# scripts/deps/optional/NAME.list instead (a test group that needs much
# that nothing else does, e.g. ceph: a one-node Ceph cluster); with --list,
# prints it.
set -eu

# llvm-14: llvm-symbolizer for clang 14's sanitizers (the fuzzers); the leak
# suppressions name functions, which a stack has only once symbolised.
PKGS="
build-essential pkg-config
libaio-dev libconfig-dev check libiscsi-dev libssl-dev libjson-c-dev libedit-dev
libnl-3-dev libnl-route-3-dev libdevmapper-dev libudev-dev
libvirt-dev libxml2-dev libvirt-clients
librbd-dev
libiscsi-bin sg3-utils tgt fio iperf3 util-linux iproute2 procps
jq
clang libclang-rt-14-dev
llvm-14
"

# Each area may add a list of its own: scripts/deps/*.list, one package a
# line, '#' comments (e.g. the VM lab's kernel, QEMU and guest tools).
here=$(dirname "$0")
for list in "$here"/deps/*.list; do
	[ -f "$list" ] || continue
	PKGS="$PKGS $(sed -e 's/#.*//' "$list")"
done

list_only=""
if [ "${1:-}" = --list ]; then
	list_only=1
	shift
fi
if [ "${1:-}" = --group ]; then
	group=$here/deps/optional/${2:-}.list
	if [ -z "${2:-}" ] || [ ! -f "$group" ]; then
		echo "install-deps: no optional group '${2:-}' (scripts/deps/optional/NAME.list)" >&2
		exit 2
	fi
	PKGS=$(sed -e 's/#.*//' "$group")
fi

if [ -n "$list_only" ]; then
	printf '%s\n' $PKGS
	exit 0
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing; run this script as root" >&2
	exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# tgt's package starts a tgtd service; the benchmark starts its own, on its own port.
apt-get install -y -q --no-install-recommends $missing >/dev/null
