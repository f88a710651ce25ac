# SPDX-License-Identifier: GPL-2.0-or-later
# target/model/: the object model, the configuration file both ways, the
# persistent-reservation store (libmodel.a).
MODEL_SRC := $(wildcard target/model/*.c)
LIBMODEL := $(BUILD)/lib/libmodel.a
LIBS_MODEL := $(LIBMODEL) $(LIBS_ISCSI)
$(eval $(call archive,$(LIBMODEL),$(MODEL_SRC)))
$(eval $(call unit_tests,target/model,$(LIBS_MODEL)))
# the LIO import test reads its fixtures from the tree (tests/lio)
$(BUILD)/tests/unit/target/model/lio_import_test.o: ALL_CFLAGS += -DPORTICO_TOP='"$(CURDIR)"'
