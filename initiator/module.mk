# SPDX-License-Identifier: GPL-2.0-or-later
# initiator/: the KVM-host half. libpathd.a holds the adapters (adapt/:
# libnl3 NICs, iscsiadm, sysfs scans, udev) and the daemon (pathd/) but its
# main.c; portico-pathd links it with libmpath.a. portico-path (cli/) is a
# client of the control socket: libcommon.a and json-c only.
PATHD_ADAPT_SRC := $(wildcard initiator/adapt/*.c)
PATHD_SRC := $(filter-out initiator/pathd/main.c,$(wildcard initiator/pathd/*.c))
LIBPATHD := $(BUILD)/lib/libpathd.a
LIBS_PATHD := $(LIBPATHD) $(LIBS_MPATH)
PATHD_SYSLIBS = $(shell pkg-config --libs libnl-route-3.0 libnl-3.0  devmapper libudev libvirt libsystemd 2>/dev/null) \
	-lconfig -ljson-c -lpthread
PORTICO_PATHD := $(BUILD)/bin/portico-pathd
PORTICO_PATH := $(BUILD)/bin/portico-path
$(eval $(call archive,$(LIBPATHD),$(PATHD_ADAPT_SRC) $(PATHD_SRC)))

# Unit tests under tests/unit/initiator/ link the daemon's archive and the system libraries.
$(BUILD)/tests/unit/initiator/%: $(BUILD)/tests/unit/initiator/%.o $(LIBS_PATHD)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_PATHD) $(TEST_LIBS) $(PATHD_SYSLIBS) $(LIBS)
# virt_xml_test reads the XML it checks back with libxml2, element by element.
$(BUILD)/tests/unit/initiator/adapt/virt_xml_test.o: ALL_CFLAGS += $(shell pkg-config --cflags libxml-2.0)
$(BUILD)/tests/unit/initiator/adapt/virt_xml_test: LIBS += $(shell pkg-config --libs libxml-2.0)

ifneq ($(wildcard initiator/pathd/main.c),)
$(PORTICO_PATHD): $(call obj,initiator/pathd/main.c) $(LIBS_PATHD)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBS_PATHD) $(PATHD_SYSLIBS)
all: $(PORTICO_PATHD)
build-tests: $(PORTICO_PATHD)
endif
ifneq ($(wildcard initiator/cli/*.c),)
$(PORTICO_PATH): $(call obj,$(wildcard initiator/cli/*.c)) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCOMMON) -ljson-c
all: $(PORTICO_PATH)
build-tests: $(PORTICO_PATH)
endif
