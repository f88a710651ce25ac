#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The rules between the rooms of the tree (docs/architecture.md, "Rooms"):
# each room's sources may include their own room's headers and those of the
# rooms below it, never a room above or beside. Fails, naming the file, the
# line and the rule, when an include breaks one.
#   sh tests/check-layers.sh [TOP]
# Prints "PASS: layers/ROOM" or "FAIL: layers/ROOM: ..." per room.
set -u
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1

# ROOM: the rooms it may include besides itself. A room is a folder; its
# subfolders are rooms of their own, listed separately.
RULES="
common:
mpath:common
mpath/io:common mpath
initiator/adapt:common mpath mpath/io
initiator/pathd:common mpath mpath/io initiator/adapt
initiator/cli:common
target/backstore:common
target/scsi:common target/backstore
target/iscsi:common target/backstore target/scsi
target/model:common target/backstore target/scsi target/iscsi
target/ctl:common target/backstore target/scsi target/iscsi target/model
target:common target/backstore target/scsi target/iscsi target/model target/ctl
target/shell:common
"

fails=0
echo "$RULES" | while IFS=: read -r room allowed; do
	[ -n "$room" ] || continue
	[ -d "$room" ] || continue
	bad=""
	for f in "$room"/*.c "$room"/*.h; do
		[ -f "$f" ] || continue
		# '#include "dir/name.h"': the project's own headers
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
			sed 's/^\([0-9]*\):.*"\(.*\)".*/\1 \2/' >"${TMPDIR:-/tmp}/layers.$$"
		while read -r line hdr; do
			dir=$(dirname "$hdr")
			ok=0
			for r in "$room" $allowed; do
				[ "$dir" = "$r" ] && ok=1
			done
			if [ $ok = 0 ]; then
				bad="$bad
    $f:$line: includes '$hdr': '$room' may include only ${room}${allowed:+, }$(echo $allowed | sed 's/ /, /g')"
			fi
		done <"${TMPDIR:-/tmp}/layers.$$"
		rm -f "${TMPDIR:-/tmp}/layers.$$"
	done
	if [ -z "$bad" ]; then
		echo "PASS: layers/$room"
	else
		echo "FAIL: layers/$room:$bad"
	fi
done | tee "${TMPDIR:-/tmp}/layers-out.$$"
grep -q '^FAIL' "${TMPDIR:-/tmp}/layers-out.$$" && fails=1
rm -f "${TMPDIR:-/tmp}/layers-out.$$"
exit $fails
