#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Makes the LIO import's fixtures with targetcli itself: boots the VM lab's
# guest kernel (Debian 12's, which has LIO: target_core_mod, iscsi_target_mod,
# target_core_file, target_core_iblock, tcm_loop) under QEMU with an
# initramfs of busybox, Python and targetcli-fb (from the host's installed
# packages: scripts/deps/lio.list), runs every tests/lio/*.targetcli file
# there (tests/lio/guest-run.py: the commands as 'targetcli COMMAND' runs
# them), and writes each saveconfig.json it saved to tests/lio/*.json, and
# what targetcli printed to tests/lio/make-fixtures.log.
#
#   sh tests/lio/make-fixtures.sh [BUILD]     (as root; about a minute under TCG)
#
# Not part of 'make test': the fixtures are kept in the tree, and this
# script says how they were made. Nothing runs on the host but QEMU; the
# guest has no network device.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${1:-build}
case "$BUILD" in /*) ;; *) BUILD="$top/$BUILD" ;; esac
VM_IMAGE_SCRIPT="$top/tests/vm/image.sh"
. "$top/tests/vm/image.sh"

PKGS="targetcli-fb python3-rtslib-fb python3-configshell-fb python3-pyparsing python3-six
python3-pyudev python3-urwid python3-gi gir1.2-glib-2.0 python3-minimal python3.11-minimal
libpython3.11-minimal libpython3.11-stdlib python3.11 kmod util-linux mount iproute2"
MODULES="configfs target_core_mod target_core_file target_core_iblock target_core_user
iscsi_target_mod tcm_loop loop"

for p in $PKGS; do
	dpkg -L "$p" >/dev/null 2>&1 || { echo "make-fixtures: '$p' is not installed (sh scripts/install-deps.sh)" >&2; exit 1; }
done
kver=$(vm_kernel_version) || { echo "make-fixtures: no guest kernel (linux-image-amd64)" >&2; exit 1; }
out="$BUILD/lio-fixtures"
rm -rf "$out"
mkdir -p "$out"
root="$out/root"
mkdir -p "$root"
trap 'rm -rf "$root"' EXIT
vm_skeleton "$root"
mkdir -p "$root/dev" "$root/proc" "$root/sys" "$root/run" "$root/tmp" "$root/etc" "$root/root" \
	"$root/lio" "$root/var"
for p in $PKGS; do
	dpkg -L "$p" | grep -v -E '^/usr/share/(doc|man|info|lintian|locale)(/|$)|/test/|/tests/|/idlelib/|/tkinter/|/ensurepip/' |
		while read -r f; do
			[ -d "$f" ] && [ ! -L "$f" ] && continue
			vm_copy "$root" "$f" || exit 1
		done
done
cp /bin/busybox "$root/usr/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$root/usr/bin/$a" ] || [ -e "$root/usr/sbin/$a" ] || ln -s busybox "$root/usr/bin/$a"
done
# LIO's modules and what they need
for m in $MODULES; do modprobe -S "$kver" --show-depends "$m"; done |
	sed -n 's/^insmod \([^ ]*\).*/\1/p' | sort -u | while read -r ko; do
		mkdir -p "$root$(dirname "$ko")" && cp "$ko" "$root$ko"
	done
cp "/lib/modules/$kver/modules.order" "/lib/modules/$kver/modules.builtin" "/lib/modules/$kver/modules.builtin.modinfo" "$root/lib/modules/$kver/"
depmod -b "$root" "$kver"
find "$root/usr" -type f | while read -r f; do vm_is_elf "$f" && echo "$f"; done | vm_copy_libs "$root"
ldconfig -r "$root" 2>/dev/null || true
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\ndisk:x:6:\n' >"$root/etc/group"
cp "$here"/*.targetcli "$here/guest-run.py" "$root/lio/"
echo "ls /" >"$root/lio/ls.cmd"
echo "clearconfig confirm=True" >"$root/lio/clear.cmd"
cp "$here/guest-init.sh" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | zstd -q -3 -T0 >"$out/initrd"

console="$out/console.log"
timeout 900 qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m 1024 -nodefaults \
	-display none -no-reboot -serial "file:$console" \
	-kernel "/boot/vmlinuz-$kver" -initrd "$out/initrd" \
	-append "console=ttyS0 panic=-1 loglevel=3" || true
grep -q '^@@LIO DONE' "$console" || { echo "make-fixtures: the guest did not finish (see $console)" >&2; exit 1; }
if grep -q '^@@LIO FAIL' "$console"; then
	grep -B5 '^@@LIO FAIL' "$console" >&2
	exit 1
fi
tr -d '\r' <"$console" | awk -v dir="$here" '
	/^@@LIO BEGIN / { f = dir "/" $3; printf "" > f; on = 1; next }
	/^@@LIO END / { close(f); on = 0; next }
	on { print >> f }
	{ gsub(/\033\[[0-9;]*m/, "") }
	!on && !/^@@LIO/ && !/^\[/ { print > (dir "/make-fixtures.log") }'
echo "make-fixtures: $(ls "$here"/*.json | wc -l) files in tests/lio (targetcli's output in tests/lio/make-fixtures.log)"
