# SPDX-License-Identifier: GPL-2.0-or-later
#
# sanitize: SANITIZE (SBC-3 §5.30) as the host sees it. On a thin file LU
# BLOCK ERASE and CRYPTOGRAPHIC ERASE leave the backing file with nothing
# allocated (st_blocks 0) and every block reading zeros; OVERWRITE with IMMED
# answers at once and REQUEST SENSE reports its progress (never going back)
# until it ends, another initiator's TEST UNIT READY is refused with NOT
# READY / SANITIZE IN PROGRESS meanwhile, and the pattern is on the medium
# after. A thick file LU offers neither erase (docs/conformance.md). A
# porticod killed (-9) in the middle of an OVERWRITE comes back with the LU
# failed (MEDIUM ERROR, SANITIZE COMMAND FAILED) until EXIT FAILURE MODE
# (AUSE was set) or a sanitize that completes; one that completed leaves
# nothing behind. A porticod stopped (SIGTERM) in the middle exits cleanly
# and comes back the same way (AUSE 0 this time: only a sanitize clears it).
. "$(dirname "$0")/lib.sh"
t_require "$T_BIN/lunio" "$T_BIN/sanitizec"

TGT=iqn.2026-01.org.portico.test:sanitize
THIN=$T_TMP/thin.img
THICK=$T_TMP/thick.img

conf() {
	conf_head
	cat <<EOF
state_dir = "$T_TMP/state";
backstores = (
  { name = "thin"; type = "file"; path = "$THIN"; size = "256M"; thin = true; },
  { name = "thick"; type = "file"; path = "$THICK"; size = "16M"; thin = false; }
);
targets = (
  { iqn = "$TGT";
    tpgs = (
      { tag = 1;
        portals = [ "127.0.0.1:$PD_PORT" ];
        luns = ( { lun = 0; backstore = "thin"; }, { lun = 1; backstore = "thick"; } );
        attributes = { generate_node_acls = true; demo_mode_write_protect = false; };
      } );
  } );
EOF
}

# PASS NAME when the last check's output has a line matching REGEX, else FAIL.
expect() { # NAME REGEX
	if out_has "$2"; then
		pass "$1"
	else
		fail "$1" "no line matching '$2'" "$T_OUT"
	fi
}

pd_start conf || t_done
L="$T_BIN/lunio -i $T_INITIATOR"
S="$T_BIN/sanitizec -i $T_INITIATOR"
NB=$((256 * 2048)) # blocks of 512 bytes

# Writes data at both ends and in the middle; the file then has blocks.
fill() { # NAME SEED
	check "$1-write-start" $L write "$(url "$TGT" 0)" 0 2048 "$2" &&
		check "$1-write-middle" $L write "$(url "$TGT" 0)" $((NB / 2)) 2048 $(($2 + 1)) &&
		check "$1-write-end" $L write "$(url "$TGT" 0)" $((NB - 2048)) 2048 $(($2 + 2)) || return 1
	sync "$THIN"
	a=$(alloc_bytes "$THIN")
	if [ "$a" -ge $((3 * 2048 * 512)) ]; then
		pass "$1-file-allocated"
	else
		fail "$1-file-allocated" "$THIN has only $a bytes allocated after writing 3 MiB"
		return 1
	fi
}

erased() { # NAME
	sync "$THIN"
	a=$(alloc_bytes "$THIN")
	if [ "$a" -eq 0 ]; then
		pass "$1-file-shrinks-to-nothing"
	else
		fail "$1-file-shrinks-to-nothing" "$THIN still has $a bytes allocated ($(du -k "$THIN" | cut -f1) KiB by du)"
	fi
	size=$(stat -c %s "$THIN")
	[ "$size" -eq $((256 * 1048576)) ] && pass "$1-file-keeps-its-size" ||
		fail "$1-file-keeps-its-size" "$THIN is $size bytes"
	check "$1-reads-zeros-start" $L zero "$(url "$TGT" 0)" 0 2048
	check "$1-reads-zeros-middle" $L zero "$(url "$TGT" 0)" $((NB / 2)) 2048
	check "$1-reads-zeros-end" $L zero "$(url "$TGT" 0)" $((NB - 2048)) 2048
}

# ---- BLOCK ERASE and CRYPTOGRAPHIC ERASE on a thin LU ----
if fill block 101; then
	check block-erase $S erase "$(url "$TGT" 0)" block && erased block-erase
fi
if fill crypto 201; then
	check crypto-erase $S erase "$(url "$TGT" 0)" crypto && erased crypto-erase
fi

# ---- OVERWRITE with IMMED, progress through REQUEST SENSE ----
if check overwrite-immed-progress $S overwrite "$(url "$TGT" 0)" 0x5a; then
	cp "$T_OUT" "$T_TMP/overwrite.out"
	echo "    $(grep ^polls "$T_TMP/overwrite.out")"
	if grep -Eq '^other: 2/04/1b$' "$T_TMP/overwrite.out"; then
		pass overwrite-refuses-other-nexus
	else
		fail overwrite-refuses-other-nexus "another initiator's TEST UNIT READY was not refused with 2/04/1b" "$T_TMP/overwrite.out"
	fi
	check overwrite-pattern-on-medium $S pattern "$(url "$TGT" 0)" 0x5a
	sync "$THIN"
	a=$(alloc_bytes "$THIN")
	[ "$a" -ge $((256 * 1048576)) ] && pass overwrite-allocates-every-block ||
		fail overwrite-allocates-every-block "$THIN has $a bytes allocated after OVERWRITE"
fi

# ---- a thick LU: no erase offered; OVERWRITE is ----
# INVALID OPERATION CODE
check_fails thick-block-erase-refused $S erase "$(url "$TGT" 1)" block &&
	expect thick-block-erase-refused 'ILLEGAL_REQUEST/0x2000'
check_fails thick-crypto-erase-refused $S erase "$(url "$TGT" 1)" crypto &&
	pass thick-crypto-erase-refused

# ---- porticod dies in the middle: the LU comes back failed ----
U="$(url "$TGT" 0)"
if check restart-start-overwrite $S start "$U" 0x33 ause; then
	pd_kill9
	if [ -f "$T_TMP/state/sanitize/"* ]; then
		pass restart-state-recorded
	else
		fail restart-state-recorded "nothing under $T_TMP/state/sanitize"
	fi
	if pd_restart; then
		# MEDIUM ERROR, SANITIZE COMMAND FAILED
		check restart-tur $S tur "$U" && expect restart-lu-failed '^3/31/03$'
		check restart-exit-failure-mode $S exit "$U" &&
			expect restart-exit-failure-mode-good '^GOOD$'
		check restart-tur-after-exit $S tur "$U" && expect restart-lu-ready-after-exit '^GOOD$'
		[ -z "$(ls "$T_TMP/state/sanitize" 2>/dev/null)" ] && pass restart-state-cleared ||
			fail restart-state-cleared "$(ls "$T_TMP/state/sanitize")"
	fi
fi
# one that completes leaves nothing to come back to
if check restart-overwrite-complete $S overwrite "$U" 0x44; then
	pd_kill9
	if pd_restart; then
		check restart-after-complete-tur $S tur "$U" &&
			expect restart-after-complete-ready '^GOOD$'
	fi
fi

# ---- porticod stops (SIGTERM) in the middle: it exits cleanly, the LU comes back failed ----
if check stop-start-overwrite $S start "$U" 0x55; then
	if pd_stop stop-during-sanitize-exits-cleanly && pd_restart; then
		check stop-tur $S tur "$U" && expect stop-lu-failed '^3/31/03$'
		# AUSE was 0: EXIT FAILURE MODE may not end it (INVALID FIELD IN CDB) ...
		check stop-exit-refused $S exit "$U" && expect stop-exit-refused-ause0 '^5/24/00$'
		# ... a sanitize that completes does
		check stop-block-erase-clears $S erase "$U" block
		check stop-tur-after-erase $S tur "$U" && expect stop-lu-ready-after-erase '^GOOD$'
	fi
fi

pd_stop sanitize-exit
t_done
