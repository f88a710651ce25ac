# SPDX-License-Identifier: GPL-2.0-or-later
#
# One non-recursive make. This file holds the settings, the rules every
# module uses and the top-level targets; each module folder says what it
# builds in its own module.mk, included below in dependency order (a module
# after the ones it uses). Objects go under $(BUILD), mirroring the source
# tree; archives under $(BUILD)/lib, programs in $(BUILD)/bin. 'make SAN=1'
# builds the ASan+UBSan variant under build-san/.

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT := -O1
else
BUILD ?= build
SANFLAGS :=
OPT := -O2
endif

CC ?= gcc
NPROC := $(shell nproc 2>/dev/null || echo 2)
PKGS := libconfig libiscsi check libnl-3.0 libnl-route-3.0
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wimplicit-fallthrough
CFLAGS ?= $(OPT) -g
# What pkg-config answers is read when a recipe runs ('=', not ':='): on a
# fresh machine, when make reads this file, neither pkg-config nor the
# libraries are installed yet; they are once 'deps' has run.
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE -I. -MMD -MP \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS += $(SANFLAGS)
LIBS = -laio -lconfig -lcrypto -ljson-c -lpthread -lsystemd -lrbd -lrados
TEST_LIBS = $(shell pkg-config --libs check 2>/dev/null) -liscsi

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

# $(call archive,LIB,SOURCES): LIB is an archive of the SOURCES' objects.
define archive
$(1): $(call obj,$(2))
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	ar rcs $$@ $$^
endef

# $(call unit_tests,DIR,LINK): the Check programs tests/unit/DIR/<name>_test.c
# link with LINK (the module's archive and the ones below it). A deeper
# folder's rule is more specific, so it wins over its parent's.
define unit_tests
$(BUILD)/tests/unit/$(1)/%: $(BUILD)/tests/unit/$(1)/%.o $(2)
	$$(CC) $$(LDFLAGS) -o $$@ $$< $(2) $$(TEST_LIBS) $$(LIBS)
endef

.PHONY: all deps test unit functional conformance sanitize demo bench bench-rbd check-vm check-ceph check-layers \
	clean build-tests
all: deps

# Installs missing Debian packages (a no-op when everything is there). Every
# object waits for it (an order-only prerequisite), so that 'make -j' never
# compiles before the headers are there.
deps:
	@sh scripts/install-deps.sh

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The modules, each after the ones it uses.
include common/module.mk
include target/backstore/module.mk
include target/scsi/module.mk
include target/iscsi/module.mk
include target/model/module.mk
include target/ctl/module.mk
include target/module.mk
include target/shell/module.mk
include mpath/module.mk
include initiator/module.mk
include tests/module.mk
# make install, the man pages, make deb (docs/install.md)
include install.mk

unit: deps build-tests
	@sh tests/run.sh --build $(BUILD) unit

functional: deps build-tests
	@sh tests/run.sh --build $(BUILD) functional

conformance: deps build-tests
	@sh tests/run.sh --build $(BUILD) conformance

# The include rules between the rooms (docs/architecture.md, "Rooms").
check-layers:
	@sh tests/check-layers.sh

# Every test: the layer rules, unit, functional and conformance in the
# normal build, then unit and functional again under ASan+UBSan, then the
# fuzz regression, the ceph group and the VM lab.
test: deps
	@$(MAKE) --no-print-directory -j$(NPROC) build-tests
	@$(MAKE) --no-print-directory -j$(NPROC) SAN=1 build-tests
	@sh tests/run.sh --build $(BUILD) --san-build build-san all

# porticod's rbd backstore on a one-node Ceph cluster the tests start on
# 127.0.0.1 (tests/ceph); installs the ceph group of packages first.
check-ceph: deps build-tests
	@sh tests/run.sh --build $(BUILD) ceph

# The VM lab (tests/vm): the kernel initiator, udev and dm-multipath in a QEMU guest.
check-vm: deps $(PORTICOD) $(PORTICO) $(PORTICO_PATHD) $(PORTICO_PATH) $(VM_BINS) \
	$(BUILD)/tests/functional/powerloss
	@sh tests/run.sh --build $(BUILD) vm

demo: deps $(PORTICOD) $(PORTICO)
	@sh scripts/demo.sh $(BUILD)

# Benchmarks, not tests (no figure fails them; not part of 'make test'):
# porticod against tgt on file and null LUs (tests/bench/run.sh), then an
# RBD image through porticod, tgt and fio's rbd engine on a one-node Ceph
# cluster, and the failover time of a killed owner (tests/bench/rbd.sh,
# also alone as 'make bench-rbd'; it installs the ceph and bench-rbd groups).
bench: deps $(PORTICOD)
	@sh tests/bench/run.sh $(BUILD)
	@sh tests/bench/rbd.sh $(BUILD)

bench-rbd: deps $(PORTICOD)
	@sh tests/bench/rbd.sh $(BUILD)

clean:
	rm -rf build build-san

# -type f: a folder may end in .d (the packages' lib/udev/rules.d under $(BUILD)/deb)
-include $(shell find $(BUILD) -path '$(BUILD)/deb' -prune -o -name '*.d' -type f -print 2>/dev/null)
