# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sourced by the sanitizer runs (tests/run.sh's san: pass, tests/fuzz/run.sh):
# exports ASAN_SYMBOLIZER_PATH, the llvm-symbolizer of the clang the fuzzers
# are built with (package llvm-<version>, from scripts/install-deps.sh).
# The leak suppressions (tests/lsan.supp, tests/fuzz/lsan.supp) name
# functions, and a frame has a name only in a symbolised stack: without a
# symbolizer a suppressed leak inside libconfig fails the run, or not,
# depending on what the fuzzer happened to find.
san_ver=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
ASAN_SYMBOLIZER_PATH=""
for san_s in ${san_ver:+/usr/lib/llvm-$san_ver/bin/llvm-symbolizer} /usr/bin/llvm-symbolizer; do
	if [ -x "$san_s" ]; then
		ASAN_SYMBOLIZER_PATH=$san_s
		break
	fi
done
if [ -n "$ASAN_SYMBOLIZER_PATH" ]; then
	export ASAN_SYMBOLIZER_PATH
else
	unset ASAN_SYMBOLIZER_PATH
	echo "note: no llvm-symbolizer (scripts/install-deps.sh installs it): leak suppressions may not match" >&2
fi
unset san_ver san_s
