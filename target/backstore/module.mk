# SPDX-License-Identifier: GPL-2.0-or-later
# target/backstore/: file, block, lvm and null stores; the async engine (libbs.a).
BS_SRC := $(wildcard target/backstore/*.c)
LIBBS := $(BUILD)/lib/libbs.a
LIBS_BS := $(LIBBS) $(LIBS_COMMON)
$(eval $(call archive,$(LIBBS),$(BS_SRC)))
$(eval $(call unit_tests,target/backstore,$(LIBS_BS)))
