#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds one man page from the docs/ page that holds its text, with pandoc
# (docs/install.md, "Man pages"): the man page is that page, so the two
# cannot say different things.
#   sh scripts/man.sh PAGE OUT VERSION      e.g. porticod.conf.5 build/man/porticod.conf.5
#   sh scripts/man.sh --list                the pages, one a line
# Each page: its source, which of its '## ' sections it takes ('all', 'only
# A|B' or 'except A|B'), and its one-line description (the NAME line).
set -eu

pages() {
	cat <<'PAGES'
porticod.8	docs/porticod.md	all	the Portico iSCSI target daemon
portico.8	docs/shell.md	all	the Portico target's administration shell
porticod.conf.5	docs/configuration.md	all	the configuration file of porticod
portico-pathd.8	docs/pathd.md	except portico-path|pathd.conf reference	the Portico path manager of a KVM host
portico-path.8	docs/pathd.md	only portico-path	the command line of portico-pathd
pathd.conf.5	docs/pathd.md	only pathd.conf reference	the configuration file of portico-pathd
PAGES
}

see_also() {
	case $1 in
	porticod.8 | portico.8 | porticod.conf.5)
		echo "porticod(8), portico(8), porticod.conf(5), systemctl(1), journalctl(1), iscsiadm(8)" ;;
	*)
		echo "portico-pathd(8), portico-path(8), pathd.conf(5), iscsiadm(8), multipath(8), multipathd(8), dmsetup(8)" ;;
	esac
}

top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --list ]; then
	pages | cut -f1
	exit 0
fi
[ $# -eq 3 ] || { echo "usage: man.sh PAGE OUT VERSION | --list" >&2; exit 2; }
page=$1 out=$2 version=$3
line=$(pages | awk -F'\t' -v p="$page" '$1 == p')
[ -n "$line" ] || { echo "man.sh: no page '$page'" >&2; exit 2; }
src=$(echo "$line" | cut -f2)
sel=$(echo "$line" | cut -f3)
desc=$(echo "$line" | cut -f4)
name=${page%.*}
section=${page##*.}
title=$(echo "$name" | tr 'a-z' 'A-Z')

# The page's text: the sections chosen (a '## ' line outside a code fence
# begins one), without the SPDX comment and the page's own '# ' title.
body() {
	awk -v sel="$sel" '
	BEGIN {
		mode = sel; sub(/ .*/, "", mode)
		names = sel; sub(/^[a-z]+ ?/, "", names)
		n = split(names, list, "|")
		for (i = 1; i <= n; i++) want[list[i]] = 1
		keep = (mode != "only")
	}
	/^```/ { fence = !fence }
	!fence && /^<!-- SPDX/ { next }
	!fence && /^# / && !titled { titled = 1; next }
	!fence && /^## / {
		h = substr($0, 4)
		keep = (mode == "all") || (mode == "only" && (h in want)) || (mode == "except" && !(h in want))
	}
	keep { print }
	' "$top/$src"
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
	printf '## NAME\n\n%s \\- %s\n\n' "$name" "$desc"
	body
	printf '\n## SEE ALSO\n\n%s\n\n' "$(see_also "$page")"
	printf 'The text of this page is %s of the Portico sources.\n' "$src"
} >"$tmp"
mkdir -p "$(dirname "$out")"
# --shift-heading-level-by=-1: the docs' '## ' sections are the page's .SH,
# '### ' its .SS. No date: the same sources make the same page. Left-adjusted
# (-V adjusting=l): the tables' narrow cells cannot be justified (groff
# warns). Code is not hyphenated (\% below): options and paths keep whole.
pandoc -f markdown -t man -s --shift-heading-level-by=-1 -V adjusting=l \
	-M title="$title" -M section="$section" -M header="Portico manual" \
	-M footer="portico $version" -M date="" -o "$out.tmp" "$tmp"
# Table widths. pandoc gives every table 70 ens split by the dashes of
# its separator line (equal here), as wide as an 80-column terminal's text
# with nothing to spare, and a column narrower than its longest word
# (`lockout_failures`) cannot be filled: groff warns, lintian says
# groff-message. Each table is measured instead: a column gets at least
# its longest word, the rest of the room goes where the text is long.
awk -v room=66 '
function flush(   i, sum, extra, want, line, w) {
	if (!fmt) return
	avail = room - 3 * (ncol - 1)
	# A column of short cells (options, keys, types) keeps each cell of
	# up to 24 characters on one line, when the table has room for it;
	# else every column gets its longest word at least.
	sum = 0
	for (i = 1; i <= ncol; i++) {
		short[i] = word[i]
		if (cell[i] <= 40 && short[i] < (cell[i] < 24 ? cell[i] : 24))
			short[i] = cell[i] < 24 ? cell[i] : 24
		sum += short[i]
	}
	if (sum <= avail)
		for (i = 1; i <= ncol; i++) word[i] = short[i]
	sum = 0; want = 0
	for (i = 1; i <= ncol; i++) {
		if (word[i] < 4) word[i] = 4
		sum += word[i]
		if (text[i] > word[i]) want += text[i] - word[i]
	}
	extra = avail - sum
	line = ""
	for (i = 1; i <= ncol; i++) {
		w = word[i]
		if (extra > 0 && want > 0 && text[i] > word[i])
			w += extra * (text[i] - word[i]) / want
		if (extra > 0 && want == 0)
			w += extra / ncol
		if (extra < 0)
			w = word[i] * avail / sum
		line = line (i > 1 ? " " : "") sprintf("lw(%.1fn)", w)
	}
	print line "."
	for (i = 1; i <= nbuf; i++) print buf[i]
	fmt = 0; nbuf = 0
}
function measure(s,   t, k, n, parts) {
	# what a reader sees: fonts and escapes take no room
	gsub(/\\f\[[A-Z]*\]/, "", s); gsub(/\\\[[a-z]+\]/, "x", s); gsub(/\\[&e]/, "", s)
	text[col] += length(s) + 1
	cur += length(s) + 1
	n = split(s, parts, /[ ]+/)
	for (k = 1; k <= n; k++)
		if (length(parts[k]) > word[col]) word[col] = length(parts[k])
}
# \% before each piece of code: groff hyphenates the prose, not the code
{ gsub(/\\f\[V\]/, "\\f[V]\\%") }
/^\.TS$/ { print; intable = 1; next }
intable && /^(lw\([0-9.]+n\) ?)+\.$/ {
	fmt = 1; ncol = split($0, tmp, " "); nbuf = 0; col = 0
	for (c = 1; c <= ncol; c++) { word[c] = 0; text[c] = 0; cell[c] = 0 }
	next
}
intable && fmt {
	buf[++nbuf] = $0
	if ($0 == "T{") { col = 1; cur = 0; next }
	if ($0 == "T}@T{" || $0 == "T}") {
		if (cur - 1 > cell[col]) cell[col] = cur - 1
		cur = 0; col++
		next
	}
	if ($0 == "_") next
	if ($0 == ".TE") { intable = 0; flush(); next }
	if (col > 0 && $0 !~ /^\./) measure($0)
	next
}
/^\.TE$/ { intable = 0 }
{ print }' "$out.tmp" >"$out"
rm -f "$out.tmp"
