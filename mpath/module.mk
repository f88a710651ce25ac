# SPDX-License-Identifier: GPL-2.0-or-later
# mpath/: multipath logic for the host half (libmpath.a): WWIDs, paths and
# maps, the dm-multipath table text, the path and map state machine (pure),
# and under mpath/io/ the device-mapper adapter and its in-memory twin.
MPATH_SRC := $(wildcard mpath/*.c mpath/io/*.c)
LIBMPATH := $(BUILD)/lib/libmpath.a
LIBS_MPATH := $(LIBMPATH) $(LIBS_COMMON)
$(eval $(call archive,$(LIBMPATH),$(MPATH_SRC)))
$(eval $(call unit_tests,mpath,$(LIBS_MPATH)))
# The adapters' unit tests (tests/unit/mpath/io/): a test that pulls dm.o needs libdevmapper.
$(BUILD)/tests/unit/mpath/io/%: $(BUILD)/tests/unit/mpath/io/%.o $(LIBS_MPATH)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_MPATH) $(TEST_LIBS) -ldevmapper $(LIBS)
