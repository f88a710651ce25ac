# SPDX-License-Identifier: GPL-2.0-or-later
# common/: what both halves share (libcommon.a). Uses nothing of the project.
COMMON_SRC := $(wildcard common/*.c)
LIBCOMMON := $(BUILD)/lib/libcommon.a
LIBS_COMMON := $(LIBCOMMON)
$(eval $(call archive,$(LIBCOMMON),$(COMMON_SRC)))
$(eval $(call unit_tests,common,$(LIBS_COMMON)))
