# SPDX-License-Identifier: GPL-2.0-or-later
#
# deb: 'make deb' (debian/, docs/install.md "Debian packages") in a build
# folder of the test's own, then what a Debian maintainer checks:
#   the two packages and their debug symbols are built
#   their dependencies come from shlibs (libsystemd0, libaio1, ...) and
#       misc; portico-pathd depends on open-iscsi
#   each holds its programs, unit, man pages, completion and example, and
#       nothing of the other's
#   the units are enabled and started the Debian way (dh_installsystemd
#       in the maintainer scripts); porticod's postinst makes the first
#       porticod.conf, and an upgrade does not restart porticod
#   lintian: no error; the warnings are the ones named below, no other
#   boot: porticod's package installed in a Debian 12 minbase (mmdebstrap)
#       booted with systemd as its PID 1 (systemd-nspawn -b, a network
#       namespace of its own: loopback only). In there, a unit after
#       porticod.service checks that it is active (Type=notify, its
#       STATUS=), runs porticod(8)'s quick start, iscsi-ls finds the LUN;
#       a restart serves the saved file; 'systemctl reload' serves a portal
#       added to the file and refuses a file that does not load (porticod
#       serving on); SIGHUP's refusal is in the journal at priority err;
#       'systemctl stop' ends it with status 0. The rootfs (with the
#       package's Depends) is downloaded once per list of Depends and kept
#       as $(BUILD)/boot-rootfs-<cksum of the list>.tar.
# Slow: the build compiles everything once (about 90 s on two cores); the
# rootfs's first download about as long; the boot a few seconds.
. "$(dirname "$0")/../functional/lib.sh"

B=$T_TMP/b
D=$B/deb
t0=$(date +%s)
# the build's own bound: everything is compiled (about 90 s; far more on a busy machine)
T_TIMEOUT=900
if ! check make-deb make -C "$T_TOP" --no-print-directory BUILD="$B" deb; then
	t_done
fi
echo "deb: make deb took $(($(date +%s) - t0)) s"

for p in porticod portico-pathd porticod-dbgsym portico-pathd-dbgsym; do
	set -- "$D/${p}"_*.deb
	[ -f "$1" ] && pass "built-$p" || fail "built-$p" "no ${p}_*.deb in $D"
done
PD_DEB=$(ls "$D"/porticod_*.deb 2>/dev/null | head -n 1)
PA_DEB=$(ls "$D"/portico-pathd_*.deb 2>/dev/null | head -n 1)
[ -n "$PD_DEB" ] && [ -n "$PA_DEB" ] || t_done

# ---- dependencies ----
dep_pd=$(dpkg-deb -f "$PD_DEB" Depends)
dep_pa=$(dpkg-deb -f "$PA_DEB" Depends)
case "$dep_pd" in
*libsystemd0*libaio1* | *libaio1*libsystemd0*) pass depends-shlibs ;;
*) fail depends-shlibs "porticod Depends: $dep_pd" ;;
esac
case "$dep_pa" in
*open-iscsi*libdevmapper*) pass depends-pathd ;;
*) fail depends-pathd "portico-pathd Depends: $dep_pa" ;;
esac

# ---- contents ----
has() { # DEB PATH...: each PATH is in DEB
	h_deb=$1
	shift
	dpkg-deb -c "$h_deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T_TMP/contents"
	h_missing=""
	for h in "$@"; do
		grep -qx -- "$h" "$T_TMP/contents" || h_missing="$h_missing $h"
	done
	[ -z "$h_missing" ]
}
if has "$PD_DEB" /usr/sbin/porticod /usr/sbin/portico /lib/systemd/system/porticod.service \
	/usr/share/man/man8/porticod.8.gz /usr/share/man/man8/portico.8.gz \
	/usr/share/man/man5/porticod.conf.5.gz /usr/share/bash-completion/completions/portico \
	/usr/share/doc/porticod/examples/porticod.conf /usr/share/porticod/porticod.conf; then
	pass contents-porticod
else
	fail contents-porticod "missing:$h_missing"
fi
grep -q 'pathd' "$T_TMP/contents" && fail porticod-alone "porticod holds pathd's files" ||
	pass porticod-alone
grep -q '^/etc/' "$T_TMP/contents" && fail porticod-no-etc "porticod ships files in /etc" ||
	pass porticod-no-etc
if has "$PA_DEB" /usr/sbin/portico-pathd /usr/sbin/portico-path \
	/lib/systemd/system/portico-pathd.service /lib/udev/rules.d/61-portico-path.rules \
	/usr/share/man/man8/portico-pathd.8.gz /usr/share/man/man8/portico-path.8.gz \
	/usr/share/man/man5/pathd.conf.5.gz /usr/share/bash-completion/completions/portico-path \
	/usr/share/doc/portico-pathd/examples/pathd.conf; then
	pass contents-pathd
else
	fail contents-pathd "missing:$h_missing"
fi

# ---- maintainer scripts ----
dpkg-deb -e "$PD_DEB" "$T_TMP/pd-ctl"
dpkg-deb -e "$PA_DEB" "$T_TMP/pa-ctl"
grep -q "deb-systemd-helper enable 'porticod.service'" "$T_TMP/pd-ctl/postinst" &&
	grep -q "deb-systemd-helper enable 'portico-pathd.service'" "$T_TMP/pa-ctl/postinst" &&
	pass units-enabled || fail units-enabled "no dh_installsystemd enable in a postinst"
# the first porticod.conf is made before the unit starts (the #DEBHELPER# part)
first=$(grep -n 'install -m 0600 /usr/share/porticod/porticod.conf' "$T_TMP/pd-ctl/postinst" | cut -d: -f1)
start=$(grep -nE '_dh_action=start|deb-systemd-invoke start' "$T_TMP/pd-ctl/postinst" | head -n 1 | cut -d: -f1)
[ -n "$first" ] && [ -n "$start" ] && [ "$first" -lt "$start" ] && pass first-conf-before-start ||
	fail first-conf-before-start "porticod's postinst does not make porticod.conf before starting"
# --no-stop-on-upgrade: the prerm does not stop it on upgrade, the postinst does not restart it
if grep -qE '_dh_action=restart|deb-systemd-invoke restart' "$T_TMP/pd-ctl/postinst"; then
	fail no-restart-on-upgrade "porticod's postinst restarts it on upgrade"
elif grep -q 'deb-systemd-invoke stop' "$T_TMP/pd-ctl/prerm" &&
	! grep -B3 'deb-systemd-invoke stop' "$T_TMP/pd-ctl/prerm" | grep -q '"$1" = remove'; then
	fail no-restart-on-upgrade "porticod's prerm stops it on upgrade too"
else
	pass no-restart-on-upgrade
fi
grep -q '_dh_action=restart' "$T_TMP/pa-ctl/postinst" && pass pathd-restarts ||
	fail pathd-restarts "portico-pathd's postinst does not restart it on upgrade"
for s in "$T_TMP"/pd-ctl/postinst "$T_TMP"/pd-ctl/postrm "$T_TMP"/pa-ctl/postrm; do
	sh -n "$s" || fail "script-syntax" "$s"
done

# ---- lintian ----
# Allowed, and why (docs/install.md):
#   groff-message: the man pages are docs/ as pandoc makes them; tables of
#   four and five columns with long literal values (porticod.conf(5),
#   pathd.conf(5)) cannot fit 80 columns, and groff says so
ALLOWED='groff-message'
if command -v lintian >/dev/null 2>&1; then
	t1=$(date +%s)
	lintian --pedantic "$PD_DEB" "$PA_DEB" >"$T_TMP/lintian.out" 2>&1
	echo "deb: lintian took $(($(date +%s) - t1)) s; its tags:"
	grep -E '^[EWIPX]: ' "$T_TMP/lintian.out" | awk '{ print $1, $2, $3 }' | sort | uniq -c |
		sed 's/^/    /'
	if grep -q '^E: ' "$T_TMP/lintian.out"; then
		fail lintian-no-error "lintian reports errors" "$T_TMP/lintian.out"
	else
		pass lintian-no-error
	fi
	other=$(grep -E '^W: ' "$T_TMP/lintian.out" | awk '{ print $3 }' | sort -u |
		grep -vxE "$ALLOWED" | tr '\n' ' ')
	[ -z "$other" ] && pass lintian-warnings-known ||
		fail lintian-warnings-known "warnings not named in this test: $other" "$T_TMP/lintian.out"
else
	fail lintian "lintian is not installed (scripts/deps/pkg.list)"
fi

# ---- boot: the package under systemd ----
if ! command -v systemd-nspawn >/dev/null 2>&1 || ! command -v mmdebstrap >/dev/null 2>&1; then
	fail boot "systemd-nspawn or mmdebstrap is not installed (scripts/deps/pkg.list)"
	t_done
fi
# As the VM lab: systemd-nspawn makes / a slave mount, which the kernel
# refuses where / is a plain folder (a chroot)
if ! mountpoint -q /; then
	echo "SKIP: $T_GROUP/boot: / is not a mount point (a chroot): systemd-nspawn cannot run here"
	t_done
fi
# The packages porticod's package depends on (its Depends, first of each
# alternative, without versions) are put in the rootfs, so that dpkg -i
# needs no network; the cache is kept per list, so a new dependency (librbd1
# came with the rbd store) makes a new rootfs rather than a failed dpkg -i.
deps=$(dpkg-deb -f "$PD_DEB" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' |
	grep -v '^$' | sort -u | tr '\n' ',')
include="systemd,systemd-sysv,dbus,libiscsi-bin,$deps"
CACHE=$T_BUILD/boot-rootfs-$(echo "$include" | cksum | cut -d' ' -f1).tar
if [ ! -s "$CACHE" ]; then
	t1=$(date +%s)
	rm -f "$T_BUILD"/boot-rootfs*.tar
	if ! timeout 900 mmdebstrap --quiet --variant=minbase --format=tar \
		--include="${include%,}" \
		bookworm "$CACHE.tmp" >"$T_TMP/mmdebstrap.out" 2>&1; then
		rm -rf "$CACHE.tmp"
		fail boot-rootfs "mmdebstrap failed" "$T_TMP/mmdebstrap.out"
		t_done
	fi
	mv "$CACHE.tmp" "$CACHE"
	echo "deb: the rootfs (mmdebstrap) took $(($(date +%s) - t1)) s"
fi
R=$T_TMP/rootfs
mkdir -p "$R"
tar -C "$R" -xf "$CACHE"
cp "$PD_DEB" "$R/tmp/porticod.deb"
check boot-dpkg-i chroot "$R" dpkg -i /tmp/porticod.deb || t_done

cat >"$R/usr/local/sbin/portico-boot-check" <<'CHECK'
#!/bin/sh
# Runs once porticod.service is up; one "CHECK name" line per check that holds.
exec >/boot-check.out 2>&1
TGT=iqn.2026-12.com.example:storage1
KVM1=iqn.2026-12.com.example:kvm1
TPG=/iscsi/$TGT/tpg1
ls_lun() { # PORT
	timeout 20 iscsi-ls -i "$KVM1" -s "iscsi://127.0.0.1:$1" | grep -q '^Lun:0 '
}
systemctl is-active porticod && echo "CHECK active"
systemctl show -p StatusText porticod | grep -q 'StatusText=serving 0 target(s)' && echo "CHECK status-text"
portico /backstores/file create name=disk0 file=/var/lib/portico/disk0.img size=1G &&
	portico /iscsi create "$TGT" &&
	portico "$TPG/portals" create ip_address=127.0.0.1 ip_port=3260 &&
	portico "$TPG/acls" create "$KVM1" &&
	portico "$TPG/luns" create /backstores/file/disk0 && echo "CHECK quick-start"
ls_lun 3260 && echo "CHECK served"
systemctl restart porticod && ls_lun 3260 && echo "CHECK restart-serves-saved"
C=/etc/portico/porticod.conf
cp $C /root/good.conf
sed -i 's/"127\.0\.0\.1:3260"/"127.0.0.1:3260", "127.0.0.1:3261"/' $C
systemctl reload porticod && ls_lun 3261 && echo "CHECK reload-applied"
echo 'targets = ( { iqn = "not an iqn"; } );' >>$C
if systemctl reload porticod; then echo "bad file reloaded"; else echo "CHECK reload-refuses-bad"; fi
systemctl is-active porticod && ls_lun 3261 && echo "CHECK still-serving"
systemctl kill -s HUP porticod
sleep 1
journalctl -u porticod -p err --no-pager -o cat | grep -q 'reload refused' && echo "CHECK journal-err"
journalctl -u porticod -p info --no-pager -o cat | grep -q 'listening on 127.0.0.1:3260' &&
	! journalctl -u porticod -p notice --no-pager -o cat | grep -q 'listening on' && echo "CHECK journal-info"
cp /root/good.conf $C
systemctl stop porticod
systemctl show -p Result,ExecMainStatus porticod | tr '\n' ' ' | grep -q 'Result=success ExecMainStatus=0' &&
	echo "CHECK stop-clean"
journalctl -u porticod --no-pager -o short-monotonic >/boot-journal.txt 2>&1
echo DONE
systemctl poweroff
CHECK
chmod 0755 "$R/usr/local/sbin/portico-boot-check"
cat >"$R/etc/systemd/system/portico-boot-check.service" <<'UNIT'
[Unit]
Description=tests/packaging/deb.sh: porticod under systemd
After=porticod.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/portico-boot-check
[Install]
WantedBy=multi-user.target
UNIT
ln -s /etc/systemd/system/portico-boot-check.service \
	"$R/etc/systemd/system/multi-user.target.wants/portico-boot-check.service"

# --keep-unit --register=no: this machine's PID 1 is not systemd, so there
# is no manager to make a scope or register a machine with
t1=$(date +%s)
timeout 300 systemd-nspawn -q -D "$R" --private-network --keep-unit --register=no -b \
	>"$T_TMP/boot.out" 2>&1
echo "deb: the boot took $(($(date +%s) - t1)) s"
if ! grep -q '^DONE' "$R/boot-check.out" 2>/dev/null; then
	fail boot "the check in the container did not finish" "$T_TMP/boot.out"
	[ -f "$R/boot-check.out" ] && cat "$R/boot-check.out" | sed 's/^/    | /'
	t_done
fi
for c in active status-text quick-start served restart-serves-saved reload-applied \
	reload-refuses-bad still-serving journal-err journal-info stop-clean; do
	grep -qx "CHECK $c" "$R/boot-check.out" && pass "boot-$c" ||
		fail "boot-$c" "not so in the container" "$R/boot-check.out"
done
if [ "$T_FAILS" -gt 0 ] && [ -f "$R/boot-journal.txt" ]; then
	echo "    --- porticod's journal in the container ---"
	tail -n 30 "$R/boot-journal.txt" | sed 's/^/    | /'
fi
t_done
