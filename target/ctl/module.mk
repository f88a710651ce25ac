# SPDX-License-Identifier: GPL-2.0-or-later
# target/ctl/: the control operations over the model (libctl.a).
CTL_SRC := $(wildcard target/ctl/*.c)
LIBCTL := $(BUILD)/lib/libctl.a
LIBS_CTL := $(LIBCTL) $(LIBS_MODEL)
$(eval $(call archive,$(LIBCTL),$(CTL_SRC)))
$(eval $(call unit_tests,target/ctl,$(LIBS_CTL)))
