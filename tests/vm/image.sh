# SPDX-License-Identifier: GPL-2.0-or-later
#
# The VM lab's guest image, built from the Debian packages installed on the
# host (scripts/deps/vm.list). Sourced by tests/vm/run.sh; also runnable:
#   sh tests/vm/image.sh OUTDIR [BINDIR]
#
# Two initramfs archives (zstd: the guest unpacks them faster than gzip ones),
# concatenated at boot (the kernel unpacks each in turn):
#   base.cpio.zst     busybox, kernel modules, open-iscsi, multipath-tools, udev,
#                    dmsetup, lvm2, sg3-utils, fio, e2fsprogs, util-linux,
#                    libvirtd and virsh (and QEMU's emulator, for libvirt's
#                    qemu driver), and every shared library they need. Slow to make (~20 s), so it
#                    is cached under OUTDIR and rebuilt only when its key changes:
#                    this script, the kernel, and the versions of every
#                    installed Debian package.
#   overlay.cpio.zst  made on every run (well under a second): /init, the guest
#                    library and the power-loss guest side, the scenarios,
#                    the run's settings, the files of
#                    conf/ (in /portico/conf: udev rules, examples), the
#                    project's programs from BINDIR (porticod, ...) and the
#                    lab's own test programs from TESTBINDIR ($BUILD/tests/vm:
#                    dmcheck, ...), all in /portico/bin, with their libraries.

# The kernel modules the guest has, with their dependencies from modules.dep:
# init loads them, but inet_diag and tcp_diag, which the kernel loads at the
# first sock_diag request (the failadapt scenario checks that it does).
VM_MODULES="virtio_pci virtio_net virtio_console virtio_blk iscsi_tcp libiscsi scsi_transport_iscsi
sd_mod sg dm_mod dm_multipath dm_round_robin dm_service_time dm_queue_length
scsi_dh_alua ext4 crc32c_generic crc32c_intel loop inet_diag tcp_diag"

# Packages whose files go into the guest (docs, init scripts and units left out).
VM_GUEST_PKGS="kmod open-iscsi multipath-tools kpartx dmsetup udev lvm2 sg3-utils
fio e2fsprogs util-linux mount libiscsi-bin jq sg3-utils-udev
libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt0 libxml2-utils"

# Single files from packages not copied whole: libvirt's qemu driver reads
# the emulator's capabilities (it runs it, with TCG: Debian's QEMU loads
# that accelerator as a module) before it takes a domain, and the libvirt
# scenario starts one, paused (SeaBIOS is all the machine loads then).
VM_GUEST_FILES="/usr/bin/qemu-system-x86_64 /usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
/usr/share/seabios/bios-256k.bin"

vm_kernel_version() { # newest /boot/vmlinuz-* that has its modules
	for k in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V -r); do
		v=${k#/boot/vmlinuz-}
		if [ -f "/lib/modules/$v/modules.dep" ]; then
			echo "$v"
			return 0
		fi
	done
	return 1
}

# Copies host path $2 into root $1 at the same place (parent directories
# resolved, so /sbin/x lands in usr/sbin/x on a merged-/usr host); a symlink
# is copied as a symlink, and what it points to is copied too.
vm_copy() {
	_src=$2
	[ -e "$_src" ] || [ -L "$_src" ] || return 0
	_dir=$(readlink -f "$(dirname "$_src")")
	_dst="$1$_dir/$(basename "$_src")"
	if [ -e "$_dst" ] || [ -L "$_dst" ]; then
		return 0
	fi
	mkdir -p "$1$_dir"
	cp -P --preserve=mode "$_src" "$_dst" || return 1
	if [ -L "$_src" ]; then
		vm_copy "$1" "$(readlink -f "$_src")"
	fi
}

# Copies the shared libraries of every ELF file listed on stdin into root $1.
vm_copy_libs() {
	while read -r _f; do
		ldd "$_f" 2>/dev/null | sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p'
	done | sort -u | while read -r _lib; do
		vm_copy "$1" "$_lib" || return 1
		# the loader path (/lib64/ld-linux-x86-64.so.2) must exist as named
		[ -e "$1$_lib" ] || { mkdir -p "$1$(dirname "$_lib")" && cp -L "$_lib" "$1$_lib"; }
	done
}

# The merged-/usr skeleton of a root: /bin, /sbin, /lib, /lib64 are links
# into /usr. Both archives have it, so that the second one's entries land
# where the first one's do (the kernel replaces an entry of another type).
vm_skeleton() { # $1 root
	mkdir -p "$1/usr/bin" "$1/usr/sbin" "$1/usr/lib" "$1/usr/lib64" || return 1
	for d in bin sbin lib lib64; do ln -s "usr/$d" "$1/$d" || return 1; done
}

vm_is_elf() {
	[ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]
}

vm_base_key() { # $1 kernel version
	{
		cat "$VM_IMAGE_SCRIPT"
		echo "$1"
		dpkg-query -W -f '${Package} ${Version} ${Architecture}\n'
	} | sha256sum | cut -c1-16
}

# Builds OUTDIR/base.cpio.zst unless its key is unchanged. Prints a line
# saying which. Returns non-zero on failure.
vm_build_base() { # $1 outdir
	_out=$1
	_kver=$(vm_kernel_version) || { echo "image: no /boot/vmlinuz-* with /lib/modules (install linux-image-amd64)" >&2; return 1; }
	_key=$(vm_base_key "$_kver")
	if [ -f "$_out/base.cpio.zst" ] && [ "$(cat "$_out/base.key" 2>/dev/null)" = "$_key" ] &&
		[ -f "$_out/vmlinuz" ] && [ -f "$_out/base.files" ]; then
		echo "image: base $_key is up to date"
		return 0
	fi
	for t in busybox cpio zstd ldd modprobe depmod iscsid multipathd systemd-udevd fio; do
		if ! command -v "$t" >/dev/null 2>&1 && [ ! -x "/sbin/$t" ] && [ ! -x "/lib/systemd/$t" ]; then
			echo "image: '$t' is missing (sh scripts/install-deps.sh)" >&2
			return 1
		fi
	done
	_t0=$(date +%s)
	mkdir -p "$_out"
	_root=$(mktemp -d "$_out/root.XXXXXX") || return 1
	vm_skeleton "$_root" || { rm -rf "$_root"; return 1; }
	mkdir -p "$_root/dev" "$_root/proc" "$_root/sys" "$_root/run" "$_root/tmp" "$_root/mnt" \
		"$_root/etc" "$_root/var/lib" "$_root/var/log" "$_root/root"
	ln -s ../run "$_root/var/run"
	ln -s ../run/lock "$_root/var/lock"

	# packages
	for p in $VM_GUEST_PKGS; do
		dpkg -L "$p" >/dev/null 2>&1 || { echo "image: package '$p' is not installed" >&2; rm -rf "$_root"; return 1; }
		dpkg -L "$p" | grep -v -E '^/usr/share/(doc|man|info|lintian|bash-completion|zsh|locale|bug|initramfs-tools|finalrd|fish)(/|$)|^/etc/init\.d|/systemd/system(/|$)|^/usr/include|/pkgconfig(/|$)|/hwdb\.d(/|$)|^/usr/lib/python' |
			while read -r f; do
				if [ -d "$f" ] && [ ! -L "$f" ]; then
					continue
				fi
				vm_copy "$_root" "$f" || exit 1
			done || { rm -rf "$_root"; return 1; }
	done
	for f in $VM_GUEST_FILES; do
		vm_copy "$_root" "$f" || { rm -rf "$_root"; return 1; }
	done
	# busybox, and its applets where no real program took the name
	cp /bin/busybox "$_root/usr/bin/busybox"
	for a in $(/bin/busybox --list-full); do
		n=$(basename "$a")
		case "$a" in
		*sbin/*) d=usr/sbin ;;
		*) d=usr/bin ;;
		esac
		if [ ! -e "$_root/usr/bin/$n" ] && [ ! -e "$_root/usr/sbin/$n" ] && [ ! -L "$_root/usr/bin/$n" ] &&
			[ ! -L "$_root/usr/sbin/$n" ]; then
			ln -s /usr/bin/busybox "$_root/$d/$n"
		fi
	done

	# kernel modules, with their dependencies
	_mods=$(for m in $VM_MODULES; do modprobe -S "$_kver" --show-depends "$m" || echo "MISSING $m"; done)
	if echo "$_mods" | grep -q '^MISSING'; then
		echo "image: kernel $_kver lacks modules: $(echo "$_mods" | sed -n 's/^MISSING //p' | tr '\n' ' ')" >&2
		rm -rf "$_root"
		return 1
	fi
	echo "$_mods" | sed -n 's/^insmod \([^ ]*\).*/\1/p' | sort -u | while read -r ko; do
		mkdir -p "$_root$(dirname "$ko")" && cp "$ko" "$_root$ko" || exit 1
	done || { rm -rf "$_root"; return 1; }
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		cp "/lib/modules/$_kver/$f" "$_root/lib/modules/$_kver/" 2>/dev/null
	done
	depmod -b "$_root" "$_kver" || { rm -rf "$_root"; return 1; }

	# shared libraries of every ELF file (dlopen()ed plugins included: they
	# are in the packages' lists, e.g. multipath's checkers)
	find "$_root/usr" -type f | while read -r f; do
		vm_is_elf "$f" && echo "$f"
	done | vm_copy_libs "$_root" || { rm -rf "$_root"; return 1; }
	cp /etc/ld.so.conf "$_root/etc/" 2>/dev/null
	[ -d /etc/ld.so.conf.d ] && cp -r /etc/ld.so.conf.d "$_root/etc/"
	ldconfig -r "$_root" 2>/dev/null

	# the few /etc files a minimal system needs
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$_root/etc/passwd"
	: >"$_root/etc/group"
	for g in root:0 tty:5 disk:6 lp:7 kmem:15 dialout:20 cdrom:24 tape:26 audio:29 video:44 \
		sgx:106 input:104 kvm:105 render:107 nogroup:65534; do
		echo "${g%%:*}:x:${g#*:}:" >>"$_root/etc/group"
	done
	ln -sf /proc/mounts "$_root/etc/mtab"
	echo portico-guest >"$_root/etc/hostname"

	cp "/boot/vmlinuz-$_kver" "$_out/vmlinuz.new" &&
		(cd "$_root" && find . | LC_ALL=C sort | tee "$_out/base.files.new" | cpio -o -H newc -R 0:0 --quiet) |
		zstd -q -10 -T0 >"$_out/base.cpio.zst.new" &&
		mv "$_out/vmlinuz.new" "$_out/vmlinuz" && mv "$_out/base.files.new" "$_out/base.files" &&
		mv "$_out/base.cpio.zst.new" "$_out/base.cpio.zst" &&
		echo "$_key" >"$_out/base.key"
	_rc=$?
	_size=$(du -sm "$_root" | cut -f1)
	rm -rf "$_root" "$_out/vmlinuz.new" "$_out/base.cpio.zst.new" "$_out/base.files.new"
	[ $_rc -eq 0 ] || { echo "image: writing the archive failed" >&2; return 1; }
	echo "image: base $_key built in $(($(date +%s) - _t0)) s (kernel $_kver, ${_size} MiB unpacked, $(du -m "$_out/base.cpio.zst" | cut -f1) MiB packed)"
}

# Builds OUTDIR/initrd: the base followed by an overlay with the lab's guest
# side (tests/vm/guest, tests/vm/scenarios), the run's settings file $3, and
# the programs in BINDIR $2 and TESTBINDIR $4 (either may be empty or
# missing; files there that are not executable, .o and .d, are left out).
vm_build_initrd() { # $1 outdir, $2 bindir, $3 settings file, $4 testbindir
	_out=$1
	_ov=$(mktemp -d "$_out/overlay.XXXXXX") || return 1
	vm_skeleton "$_ov" || { rm -rf "$_ov"; return 1; }
	mkdir -p "$_ov/portico/bin" "$_ov/portico/scenarios" "$_ov/portico/conf" "$_ov/etc"
	cp "$VM_DIR/../../conf/"* "$_ov/portico/conf/" &&
		cp "$VM_DIR/guest/init" "$_ov/init" && chmod 755 "$_ov/init" &&
		cp "$VM_DIR/guest/lib.sh" "$_ov/portico/lib.sh" &&
		cp "$VM_DIR/guest/powerloss.sh" "$_ov/portico/powerloss.sh" &&
		cp "$VM_DIR"/scenarios/*.sh "$_ov/portico/scenarios/" &&
		cp "$VM_DIR/guest/multipath.conf" "$_ov/etc/multipath.conf" &&
		cp "$3" "$_ov/portico/run.env" || { rm -rf "$_ov"; return 1; }
	for _d in "$2" "${4:-}"; do
		[ -n "$_d" ] && [ -d "$_d" ] || continue
		for f in "$_d"/*; do
			[ -f "$f" ] && [ -x "$f" ] || continue
			cp "$f" "$_ov/portico/bin/"
			echo "$f"
		done
	done | vm_copy_libs "$_ov" || { rm -rf "$_ov"; return 1; }
	# what the base has already need not come twice
	(cd "$_ov" && find usr -type f -o -type l) | while read -r f; do
		grep -q -x -F "./$f" "$_out/base.files" && rm -f "$_ov/$f"
	done
	(cd "$_ov" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | zstd -q -3 >"$_out/overlay.cpio.zst" &&
		cat "$_out/base.cpio.zst" "$_out/overlay.cpio.zst" >"$_out/initrd"
	_rc=$?
	rm -rf "$_ov"
	return $_rc
}

VM_DIR=${VM_DIR:-$(cd "$(dirname "$0")" && pwd)}
VM_IMAGE_SCRIPT=$VM_DIR/image.sh

# Run directly: build the base (and an initrd with an empty settings file).
case "$0" in
*image.sh)
	[ $# -ge 1 ] || { echo "usage: sh tests/vm/image.sh OUTDIR [BINDIR]" >&2; exit 2; }
	mkdir -p "$1" || exit 1
	vm_build_base "$1" || exit 1
	: >"$1/run.env"
	vm_build_initrd "$1" "${2:-}" "$1/run.env" || exit 1
	;;
esac
