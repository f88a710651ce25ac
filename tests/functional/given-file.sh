# SPDX-License-Identifier: GPL-2.0-or-later
#
# given-file: a file handed to 'create' is never modified by porticod
# unless an initiator writes to it or the administrator changes its size.
#   create      files of lengths around the 512- and 4096-byte block
#               boundaries (1 to 4097 bytes, 691 among them: the text file
#               whose tail was once zeroed), full of random bytes, made
#               into file backstores with portico, thin and thick: every
#               byte is as it was; the store serves the whole blocks
#               ('ls' shows that size) and a file shorter than one block
#               is refused with the reason
#   held-open   the same with the file held open by another process
#   restart     porticod restarted on its auto-saved configuration opens
#               them all again: still every byte as it was
#   resize      a resize to the size already served changes nothing
. "$(dirname "$0")/lib.sh"
t_require "$PORTICO"

LENGTHS="1 511 512 513 691 1023 1024 1025 4095 4096 4097"

conf() {
	conf_head 1
}

pd_start_ctl conf || t_done

# Writes LEN random bytes to FILE and keeps its checksum beside it.
mkgiven() { # FILE LEN
	head -c "$2" /dev/urandom >"$1"
	sha256sum <"$1" >"$1.sum"
}

# Whether FILE still holds exactly what mkgiven wrote.
unchanged() { # FILE
	[ "$(sha256sum <"$1")" = "$(cat "$1.sum")" ]
}

# Creates backstore NAME on FILE of LEN bytes with ARGS; checks the file
# is unchanged and the store serves the whole blocks (or is refused when
# there are none).
create_given() { # NAME FILE LEN ARGS...
	c_name=$1
	c_file=$2
	c_len=$3
	shift 3
	if [ "$c_len" -lt 512 ]; then
		pt_refused "$c_name-refused" "is empty; give a size" \
			/backstores/file create name="$c_name" file="$c_file" "$@"
	else
		pt_ok "$c_name-created" /backstores/file create name="$c_name" file="$c_file" "$@"
	fi
	if unchanged "$c_file"; then
		pass "$c_name-unchanged"
	else
		fail "$c_name-unchanged" "$c_file ($c_len bytes) changed at create: $(stat -c '%s bytes' "$c_file")"
	fi
	[ "$c_len" -lt 512 ] && return 0
	c_served=$((c_len - c_len % 512))
	if pt --json /backstores/file/"$c_name" get attribute size &&
		out_has "\"size\":\"?$c_served\"?"; then
		pass "$c_name-serves-whole-blocks"
	else
		fail "$c_name-serves-whole-blocks" "expected a size of $c_served bytes" "$T_OUT"
	fi
}

# ---- create, thin (the default) and thick ----
for len in $LENGTHS; do
	mkgiven "$T_TMP/thin-$len.txt" "$len"
	create_given "thin$len" "$T_TMP/thin-$len.txt" "$len"
	mkgiven "$T_TMP/thick-$len.txt" "$len"
	create_given "thick$len" "$T_TMP/thick-$len.txt" "$len" sparse=false
done

# ---- held open by another process, which reads it all along ----
mkgiven "$T_TMP/held.txt" 691
helper "$T_TMP/held.out" sh -c 'exec 3<"$1"; while :; do cat <&3 >/dev/null; sleep 0.05; done' \
	held "$T_TMP/held.txt"
create_given held "$T_TMP/held.txt" 691

# ---- a restart opens them all again ----
if pd_stop stop-before-restart && pd_launch_ctl; then
	bad=""
	for f in "$T_TMP"/thin-*.txt "$T_TMP"/thick-*.txt "$T_TMP/held.txt"; do
		unchanged "$f" || bad="$bad $(basename "$f")"
	done
	if [ -z "$bad" ]; then
		pass restart-unchanged
	else
		fail restart-unchanged "changed by the restart:$bad"
	fi
else
	fail restart "porticod did not come back on its saved configuration"
fi

# ---- a resize to the served size: nothing to change ----
pt_ok resize-to-served /backstores/file/thin691 set attribute size=512
if unchanged "$T_TMP/thin-691.txt"; then
	pass resize-to-served-unchanged
else
	fail resize-to-served-unchanged "thin-691.txt changed: $(stat -c '%s bytes' "$T_TMP/thin-691.txt")"
fi

pd_stop stop
t_done
