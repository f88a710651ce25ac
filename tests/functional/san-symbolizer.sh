# SPDX-License-Identifier: GPL-2.0-or-later
#
# san-symbolizer: the sanitizer runs (tests/run.sh's san: pass, the fuzz
# regression) suppress leaks by function name (tests/lsan.supp,
# tests/fuzz/lsan.supp), which matches only in a symbolised stack. So:
#   deps-list      scripts/install-deps.sh installs the package that holds
#                  the llvm-symbolizer of the clang the fuzzers build with
#   env            tests/san-env.sh (what the runners source) names it in
#                  ASAN_SYMBOLIZER_PATH, whatever PATH holds
#   suppressed     a leak in a named function, suppressed by that name, is
#                  suppressed with PATH holding no symbolizer at all
. "$(dirname "$0")/lib.sh"

if ! command -v clang >/dev/null 2>&1; then
	fail setup "clang is not installed (scripts/install-deps.sh)"
	t_done
fi
ver=$(clang -dumpversion | cut -d. -f1)
sym=/usr/lib/llvm-$ver/bin/llvm-symbolizer
owner=$(dpkg-query -S "$sym" 2>/dev/null | cut -d: -f1)
if [ -n "$owner" ] && sh "$T_TOP/scripts/install-deps.sh" --list | grep -qx "$owner"; then
	pass deps-list
else
	fail deps-list "install-deps.sh --list does not hold the package of $sym (${owner:-not installed})"
fi

if [ -f "$T_TOP/tests/san-env.sh" ] &&
	got=$(PATH=/nonexistent; . "$T_TOP/tests/san-env.sh" >/dev/null 2>&1; echo "${ASAN_SYMBOLIZER_PATH:-}") &&
	[ -n "$got" ] && [ -x "$got" ]; then
	pass env
else
	fail env "tests/san-env.sh does not set ASAN_SYMBOLIZER_PATH to a program"
fi

cat >"$T_TMP/leak.c" <<'EOC'
#include <stdlib.h>
#include <string.h>
void *keep;
__attribute__((noinline)) void *portico_test_leaker(void)
{
	char *p = malloc(64);
	memset(p, 1, 64);
	return p;
}
int main(void)
{
	keep = portico_test_leaker();
	keep = NULL;
	return 0;
}
EOC
echo 'leak:portico_test_leaker' >"$T_TMP/leak.supp"
if ! clang -g -O0 -fsanitize=address -o "$T_TMP/leak" "$T_TMP/leak.c" >"$T_OUT" 2>&1; then
	fail suppressed "clang -fsanitize=address failed" "$T_OUT"
elif [ ! -f "$T_TOP/tests/san-env.sh" ]; then
	fail suppressed "no tests/san-env.sh"
else
	(
		. "$T_TOP/tests/san-env.sh"
		export ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$T_TMP/leak.supp"
		PATH=/nonexistent "$T_TMP/leak"
	) >"$T_OUT" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && ! grep -q 'ERROR: LeakSanitizer' "$T_OUT"; then
		pass suppressed
	else
		fail suppressed "exit $rc: the leak was not suppressed by its function's name" "$T_OUT"
	fi
fi

t_done
