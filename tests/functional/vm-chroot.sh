# SPDX-License-Identifier: GPL-2.0-or-later
#
# vm-chroot: the VM lab where / is not a mount point (a chroot). The lab
# needs 'ip netns exec', which makes / a slave mount and fails there
# ("mount --make-rslave /: Invalid argument"); the lab must say so in one
# SKIP line, before it takes the machine's lab lock or makes anything, and
# tests/run.sh must count it as skipped, not failed.
#
# The chroot: a plain directory (not a mount point) with the host's folders
# bound into it, in a mount and network namespace of its own (nothing the
# lab might make reaches the host) and with a /tmp of its own (the lab's
# lock is not the host's). The namespaces go with the unshare process.
. "$(dirname "$0")/lib.sh"

if ! command -v unshare >/dev/null 2>&1 || ! unshare -m -n true 2>/dev/null; then
	fail setup "cannot make a mount and network namespace (unshare -m -n)"
	t_done
fi

root=$T_TMP/root
mkdir -p "$root" "$T_TMP/ctmp"
# Runs CMD in the chroot, bounded; its output in $T_OUT.
in_chroot() { # CMD...
	timeout "$T_TIMEOUT" unshare -m -n sh -c '
		root=$1 ctmp=$2
		shift 2
		mount --make-rprivate / || exit 1
		for d in usr bin sbin lib lib32 lib64 libx32 etc dev proc sys run; do
			[ -e "/$d" ] || continue
			if [ -L "/$d" ]; then
				ln -sfn "$(readlink "/$d")" "$root/$d"
			else
				mkdir -p "$root/$d" && mount --rbind "/$d" "$root/$d" || exit 1
			fi
		done
		# the tree after /tmp: a tree under /tmp (a fresh clone there) is
		# bound inside the /tmp of the chroot, not hidden under it
		mkdir -p "$root/tmp" && mount --bind "$ctmp" "$root/tmp" &&
			mkdir -p "$root$0" && mount --rbind "$0" "$root$0" || exit 1
		exec chroot "$root" "$@"' "$T_TOP" "$root" "$T_TMP/ctmp" "$@" >"$T_OUT" 2>&1
}

if in_chroot mountpoint -q / ; then
	fail setup "/ is a mount point in the test's chroot" "$T_OUT"
	t_done
fi

in_chroot env BUILD="$T_BUILD" sh "$T_TOP/tests/vm/run.sh"
rc=$?
cp "$T_OUT" "$T_TMP/lab.out"
if [ $rc -eq 0 ] && [ "$(grep -c '^SKIP: vm' "$T_TMP/lab.out")" -eq 1 ] &&
	! grep -q '^FAIL: ' "$T_TMP/lab.out" && grep -q 'not a mount point' "$T_TMP/lab.out"; then
	pass lab-skips
else
	fail lab-skips "exit $rc; want exit 0 and one 'SKIP: vm' line saying / is not a mount point" \
		"$T_TMP/lab.out"
fi

in_chroot sh "$T_TOP/tests/run.sh" --build "$T_BUILD" vm
rc=$?
if [ $rc -eq 0 ] && out_has '^0 passed, 0 failed, 1 skipped$'; then
	pass runner-counts-skip
else
	fail runner-counts-skip "exit $rc; want '0 passed, 0 failed, 1 skipped'" "$T_OUT"
fi

t_done
