# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-fresh: 'make -j2' in a fresh clone of a machine without the build
# dependencies. The first thing make runs is scripts/install-deps.sh (the
# 'deps' goal); nothing may compile or link before it ends, and every
# compile and link must see what pkg-config answers once it has ended
# (on a fresh machine pkg-config itself comes from install-deps.sh).
#
# Run on a copy of the tree with three stand-ins put in front: an
# install-deps.sh that takes a second and then "installs" (leaves a mark),
# a pkg-config that fails until the mark is there, and a cc that records
# each call (and whether the mark was there) and writes an empty output
# instead of compiling, so that the whole 'make all' takes seconds.
. "$(dirname "$0")/lib.sh"

tree=$T_TMP/tree
fake=$T_TMP/fake
mark=$T_TMP/installed
calls=$T_TMP/calls
mkdir -p "$tree" "$fake"
tar -C "$T_TOP" --exclude='./build*' --exclude=./.git -cf - . | tar -x -C "$tree"

cat >"$tree/scripts/install-deps.sh" <<EOS
#!/bin/sh
echo "deps begin" >>"$calls"
sleep 1
: >"$mark"
echo "deps end" >>"$calls"
EOS

cat >"$fake/pkg-config" <<EOS
#!/bin/sh
[ -e "$mark" ] || exit 1
case " \$* " in
*" --cflags "*) echo "-DFAKE_PKG_CFLAGS" ;;
*) echo "-lfake_pkg_libs" ;;
esac
EOS

# The cc: records its arguments; the output (-o FILE) becomes a script that
# writes an empty file at its first argument (the facts generator is run).
cat >"$fake/cc" <<EOS
#!/bin/sh
if [ -e "$mark" ]; then m=after; else m=BEFORE; fi
echo "cc \$m \$*" >>"$calls"
out=""
while [ \$# -gt 0 ]; do
	[ "\$1" = -o ] && out=\$2
	shift
done
[ -n "\$out" ] || exit 0
mkdir -p "\$(dirname "\$out")"
printf '#!/bin/sh\n: >"\$1"\n' >"\$out"
chmod +x "\$out"
EOS
chmod +x "$fake/pkg-config" "$fake/cc"

if (cd "$tree" && PATH="$fake:$PATH" timeout "$T_TIMEOUT" make -j2 CC="$fake/cc" BUILD=b all) \
	>"$T_OUT" 2>&1; then
	pass make-all
else
	fail make-all "make -j2 all failed" "$T_OUT"
fi

if [ "$(head -n 1 "$calls")" = "deps begin" ] && [ "$(sed -n 2p "$calls")" = "deps end" ]; then
	pass deps-first
else
	fail deps-first "something ran before install-deps.sh ended" "$calls"
fi

n=$(grep -c '^cc ' "$calls")
if [ "$n" -gt 0 ] && ! grep -q '^cc BEFORE' "$calls"; then
	pass no-cc-before-deps
else
	fail no-cc-before-deps "$n cc calls, $(grep -c '^cc BEFORE' "$calls") before the deps" "$calls"
fi

grep '^cc .* -c ' "$calls" | grep -v -- '-DFAKE_PKG_CFLAGS' >"$T_TMP/nocflags"
if [ "$(grep -c ' -c ' "$calls")" -gt 0 ] && [ ! -s "$T_TMP/nocflags" ]; then
	pass compiles-see-pkg-config
else
	fail compiles-see-pkg-config "$(wc -l <"$T_TMP/nocflags") compiles without pkg-config's flags" \
		"$T_TMP/nocflags"
fi

if grep '^cc .* -o b/bin/portico-pathd ' "$calls" | grep -q -- '-lfake_pkg_libs'; then
	pass links-see-pkg-config
else
	fail links-see-pkg-config "portico-pathd linked without pkg-config's libraries" "$calls"
fi

t_done
