# SPDX-License-Identifier: GPL-2.0-or-later
#
# make install, the man pages and make deb (docs/install.md).
#   make install [PREFIX=/usr/local] [DESTDIR=...]
# PREFIX /usr is the Debian package's: units in /lib/systemd/system and
# udev rules in /lib/udev/rules.d, as on Debian 12. Any other PREFIX puts
# units under PREFIX/lib/systemd/system (systemd reads
# /usr/local/lib/systemd/system) and the udev rule in /etc/udev/rules.d
# (udev reads no rules under /usr/local). The programs' own paths
# (/etc/portico, /var/lib/portico, /run/portico) do not follow PREFIX:
# they are built in.

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ifeq ($(PREFIX),/usr)
UNITDIR ?= /lib/systemd/system
UDEVRULESDIR ?= /lib/udev/rules.d
else
UNITDIR ?= $(PREFIX)/lib/systemd/system
UDEVRULESDIR ?= /etc/udev/rules.d
endif
# NO_ETC=1 (the package): nothing under /etc and /var; the package's
# scripts make the first porticod.conf, the units the directories.
NO_ETC ?= 0
INSTALL ?= install
VERSION := $(shell sed -n 's/^portico (\([^)-]*\).*/\1/p;q' debian/changelog 2>/dev/null)

MAN_PAGES := $(shell sh scripts/man.sh --list)
MAN_OUT := $(addprefix $(BUILD)/man/,$(MAN_PAGES))
# Every page is made from docs/: any change there makes them again.
$(BUILD)/man/%: scripts/man.sh $(wildcard docs/*.md) debian/changelog | deps
	sh scripts/man.sh $* $@ $(VERSION)

.PHONY: man install deb
man: $(MAN_OUT)

# The units and the udev rule name /usr/sbin: SBINDIR's programs instead.
SED_SBIN = sed 's|/usr/sbin/|$(SBINDIR)/|g'

install: $(PORTICOD) $(PORTICO) $(PORTICO_PATHD) $(PORTICO_PATH) $(MAN_OUT)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(UDEVRULESDIR) \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(DATADIR)/porticod $(DESTDIR)$(DATADIR)/doc/porticod/examples \
		$(DESTDIR)$(DATADIR)/doc/portico-pathd/examples
	$(INSTALL) -m 0755 $(PORTICOD) $(PORTICO) $(PORTICO_PATHD) $(PORTICO_PATH) $(DESTDIR)$(SBINDIR)/
	for u in porticod.service portico-pathd.service; do \
		$(SED_SBIN) conf/$$u >$(DESTDIR)$(UNITDIR)/$$u && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	$(SED_SBIN) conf/61-portico-path.rules >$(DESTDIR)$(UDEVRULESDIR)/61-portico-path.rules
	chmod 0644 $(DESTDIR)$(UDEVRULESDIR)/61-portico-path.rules
	$(INSTALL) -m 0644 $(filter %.5,$(MAN_OUT)) $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 $(filter %.8,$(MAN_OUT)) $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 conf/portico.bash-completion $(DESTDIR)$(BASHCOMPDIR)/portico
	$(INSTALL) -m 0644 conf/portico.bash-completion $(DESTDIR)$(BASHCOMPDIR)/portico-path
	$(INSTALL) -m 0644 conf/porticod-empty.conf $(DESTDIR)$(DATADIR)/porticod/porticod.conf
	$(INSTALL) -m 0644 conf/porticod.conf $(DESTDIR)$(DATADIR)/doc/porticod/examples/
	$(INSTALL) -m 0644 conf/pathd.conf $(DESTDIR)$(DATADIR)/doc/portico-pathd/examples/
ifneq ($(NO_ETC),1)
	$(INSTALL) -d -m 0750 $(DESTDIR)/etc/portico $(DESTDIR)/var/lib/portico
	test -e $(DESTDIR)/etc/portico/porticod.conf || \
		$(INSTALL) -m 0600 conf/porticod-empty.conf $(DESTDIR)/etc/portico/porticod.conf
endif

# The Debian packages (debian/): the files git knows, as they are in the
# work tree, copied to $(BUILD)/deb/src, built there unsigned
# (dpkg-buildpackage leaves the packages in the folder above), and put in
# $(BUILD)/deb. Nothing is written beside the repository.
DEB_SRC := $(BUILD)/deb/src/portico
DEB_JOBS ?= 2
deb: | deps
	rm -rf $(BUILD)/deb
	mkdir -p $(DEB_SRC)
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		tar --null -T - -cf - | tar -xf - -C $(DEB_SRC)
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b -J$(DEB_JOBS)
	mv $(BUILD)/deb/src/*.deb $(BUILD)/deb/
	@ls $(BUILD)/deb/*.deb
