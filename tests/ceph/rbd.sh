# SPDX-License-Identifier: GPL-2.0-or-later
#
# rbd: porticod's rbd backstore on a one-node Ceph cluster of its own
# (tests/ceph/cluster.sh: one monitor, manager and OSD on 127.0.0.1, in a
# private directory, removed at exit). Checks: data written and read back
# through libiscsi, UNMAP and GET LBA STATUS (the image is thin), WRITE
# SAME, SYNCHRONIZE CACHE, COMPARE AND WRITE (matching, then a miscompare
# and its offset); the LU's identity stored in the image's
# metadata; `rbd resize` raising CAPACITY DATA HAS CHANGED on a session
# that is in, and READ CAPACITY then saying the new size; a restart of
# porticod with a configuration that does not pin the identity (a new
# backstore name: a different derived one) reports the same WWID; create,
# get, a resize and the save of an rbd backstore from the shell; a copy of
# the image (which carries the identity) refused beside its source; then
# libiscsi's conformance suite on an rbd LU (tests/conformance/run.sh
# with CONFORMANCE_LU0). Prints how long the cluster took to start and the
# whole group took.
. "$(dirname "$0")/../functional/lib.sh"
. "$T_TOP/tests/ceph/cluster.sh"
t_require "$T_BIN/lunio" "$T_BIN/uawatch" "$PORTICO"

T_START=$(date +%s)
TGT=iqn.2026-01.org.portico.test:rbd
# porticod goes first (t_cleanup), then the cluster
t_cleanup_all() {
	t_cleanup
	ceph_test_down
}
trap 't_rc=$?; t_cleanup_all; exit $t_rc' EXIT
ceph_test_up rbd

rbd_c create --size 256M rbd/lu0 || { fail image "rbd create failed"; t_done; }

BSNAME=rbd0
conf() {
	conf_head
	cat <<EOF
backstores = (
  { name = "$BSNAME"; type = "rbd"; path = "rbd/lu0"; ceph_conf = "$CEPH_CONF"; }
);
targets = (
  { iqn = "$TGT";
    tpgs = ( { tag = 1; portals = [ "127.0.0.1:$PD_PORT" ];
               luns = ( { lun = 0; backstore = "$BSNAME"; } );
               attributes = { generate_node_acls = true; demo_mode_write_protect = false; }; } );
  } );
EOF
}

pd_start conf || t_done
U=$(url "$TGT" 0)

check capacity "$T_BIN/lunio" capacity "$U" && {
	out_has "^blocks 524288 bs 512 lbpme 1 lbprz 1" ||
		fail capacity-values "expected 256 MiB in 512-byte blocks, thin: $(cat "$T_OUT")" "$T_OUT"
}
check verify "$T_BIN/lunio" verify "$U" 1,8,64,2048
check write "$T_BIN/lunio" write "$U" 1000 64 7 fua
check check "$T_BIN/lunio" check "$U" 1000 64 7
check sync "$T_BIN/lunio" sync "$U"
check writesame "$T_BIN/lunio" writesame "$U" 4096 128
# one 512-byte block: the OSD compares and writes; a miscompare's offset is the sense's INFORMATION
check caw "$T_BIN/lunio" caw "$U" 2000 300 && {
	out_has "^caw: miscompare info 300$" ||
		fail caw-information "expected INFORMATION 300: $(tr '\n' ' ' <"$T_OUT")" "$T_OUT"
}

# thin: an extent written is mapped; unmapped, it reads as zeros and is deallocated
check write-4m "$T_BIN/lunio" write "$U" 16384 8192 9
check lbastatus-mapped "$T_BIN/lunio" lbastatus "$U" 16384 && {
	out_has "provisioning 0" || fail lbastatus-mapped-value "$(cat "$T_OUT")" "$T_OUT"
}
check unmap "$T_BIN/lunio" unmap "$U" 16384 8192
check unmap-zero "$T_BIN/lunio" zero "$U" 16384 8192
check lbastatus-unmapped "$T_BIN/lunio" lbastatus "$U" 16384 && {
	out_has "provisioning 1" || fail lbastatus-unmapped-value "$(cat "$T_OUT")" "$T_OUT"
}

# the identity is the image's
check ident "$T_BIN/lunio" ident "$U"
serial=$(sed -n 's/^serial: //p' "$T_OUT")
naa=$(sed -n 's/^naa: //p' "$T_OUT")
meta_serial=$(rbd_c image-meta get rbd/lu0 portico.serial 2>/dev/null)
meta_naa=$(rbd_c image-meta get rbd/lu0 portico.naa 2>/dev/null)
if [ -n "$serial" ] && [ "$meta_serial" = "$serial" ] && [ "$meta_naa" = "0x$naa" ]; then
	pass identity-in-metadata
else
	fail identity-in-metadata "LU serial '$serial' naa '$naa', image metadata '$meta_serial' '$meta_naa'"
fi

# rbd resize under a session that is in: 2A/09, then the new size
if ua_start w 7 "$T_INITIATOR" "$U"; then
	rbd_c resize --size 512M rbd/lu0 >/dev/null 2>&1 || fail resize "rbd resize failed"
	i=0
	got=""
	while [ $i -lt 50 ]; do
		ua w "tur 0"
		case "$UA_ANSWER" in *"6/2a/09"*) got=1; break ;; esac
		sleep 0.2
		i=$((i + 1))
	done
	if [ -n "$got" ]; then pass resize-ua; else fail resize-ua "no 6/2a/09: $UA_ANSWER" "$T_TMP/ua-w.out"; fi
	ua_is resize-capacity w "cap 0" "cap 0: blocks 1048576 bs 512"
else
	fail resize-ua "uawatch did not log in" "$T_TMP/ua-w.out"
fi
pd_stop stop

# another name, so another derived identity: the image's is the one served
BSNAME=rbd0renamed
conf >"$PD_CONF"
pd_restart || t_done
check ident-after-restart "$T_BIN/lunio" ident "$U"
if [ "$(sed -n 's/^serial: //p' "$T_OUT")" = "$serial" ] && [ "$(sed -n 's/^naa: //p' "$T_OUT")" = "$naa" ]; then
	pass same-wwid-after-restart
else
	fail same-wwid-after-restart "serial/naa were '$serial'/'$naa', now $(tr '\n' ' ' <"$T_OUT")"
fi
check data-after-restart "$T_BIN/lunio" check "$U" 1000 64 7

# a reload (SIGHUP, what 'systemctl reload' sends) with librados's threads
# running: each must have SIGHUP blocked, or one of them takes it and the
# default action ends porticod
for i in 1 2 3 4 5; do
	kill -HUP "$PD_PID" 2>/dev/null
	sleep 0.3
done
sleep 1
if pd_alive; then
	pass sighup-with-librados
else
	fail sighup-with-librados "porticod died of SIGHUP with an rbd LU open" "$PD_LOG"
fi
check data-after-sighup "$T_BIN/lunio" check "$U" 1000 64 7

# from the shell: create (a size makes the image), the Ceph settings shown, a resize of the image
pt_ok shell-create /backstores/rbd create name=lu1 image=rbd/lu1 size=64M \
	ceph_conf="$CEPH_CONF" ceph_client=admin
if rbd_c info rbd/lu1 2>&1 | grep -q "size 64 MiB"; then
	pass shell-image-created
else
	fail shell-image-created "$(rbd_c info rbd/lu1 2>&1 | head -n 2 | tr '\n' ' ')"
fi
if pt_ok shell-get /backstores/rbd/lu1 get attribute; then
	if out_has "ceph_conf=$CEPH_CONF" && out_has "ceph_client=admin" && out_has "image=rbd/lu1"; then
		pass shell-get-values
	else
		fail shell-get-values "no ceph_conf/ceph_client/image in: $(tr '\n' ' ' <"$T_OUT")" "$T_OUT"
	fi
fi
pt_ok shell-resize /backstores/rbd/lu1 set attribute size=128M
if rbd_c info rbd/lu1 2>&1 | grep -q "size 128 MiB"; then
	pass shell-image-resized
else
	fail shell-image-resized "$(rbd_c info rbd/lu1 2>&1 | head -n 2 | tr '\n' ' ')"
fi
if grep -q "ceph_client = \"admin\"" "$PD_CONF" && grep -q "path = \"rbd/lu1\"" "$PD_CONF"; then
	pass shell-saved
else
	fail shell-saved "the saved configuration lacks lu1's settings" "$PD_CONF"
fi
pd_stop stop-again

# a copy of the image carries its identity: porticod refuses to serve both
if rbd_c cp rbd/lu0 rbd/lu0copy >/dev/null 2>&1; then
	cat >"$T_TMP/copy.conf" <<EOF
control_socket = "$T_TMP/copy.sock";
backstores = (
  { name = "orig"; type = "rbd"; path = "rbd/lu0"; ceph_conf = "$CEPH_CONF"; },
  { name = "copy"; type = "rbd"; path = "rbd/lu0copy"; ceph_conf = "$CEPH_CONF"; }
);
EOF
	if run "$PORTICOD" -c "$T_TMP/copy.conf" -f; then
		fail copy-refused "porticod served two images with one identity" "$T_OUT"
	elif out_has "holds the identity of backstore 'orig'"; then
		pass copy-refused
	else
		fail copy-refused "porticod failed, but not for the identity" "$T_OUT"
	fi
else
	fail copy-refused "rbd cp failed"
fi

# libiscsi's conformance suite on an rbd LU (1 GiB, 512-byte blocks)
rbd_c create --size 1G rbd/conf0 || fail conformance-image "rbd create failed"
c0=$(date +%s)
CONFORMANCE_NAME=rbd CONFORMANCE_PASSES=main \
	CONFORMANCE_LU0="{ name = \"conf0\"; type = \"rbd\"; path = \"rbd/conf0\"; ceph_conf = \"$CEPH_CONF\"; }" \
	BUILD=$T_BUILD timeout 1500 sh "$T_TOP/tests/conformance/run.sh" porticod >"$T_TMP/conformance.log" 2>&1
rc=$?
line=$(grep -E '^conformance: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$T_TMP/conformance.log" | tail -1)
echo "rbd: conformance on the rbd LU ($(($(date +%s) - c0)) s): ${line:-no summary}"
grep -E 'FAILED|SKIPPED|failed|skipped' "$T_TMP/conformance.log" | head -60
if [ "$rc" -eq 0 ] && [ -n "$line" ]; then
	pass conformance
else
	fail conformance "exit $rc: ${line:-no summary}" "$T_TMP/conformance.log"
fi

echo "rbd: the group took $(($(date +%s) - T_START)) s"
t_done
