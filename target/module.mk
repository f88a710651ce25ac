# SPDX-License-Identifier: GPL-2.0-or-later
# target/: porticod itself: main.c, the threads and portals (server.c), the
# model answering the transport (iscsi_env.c), the control socket.
TARGET_SRC := $(filter-out target/main.c,$(wildcard target/*.c))
LIBTARGET := $(BUILD)/lib/libtarget.a
PORTICOD := $(BUILD)/bin/porticod
LIBS_TARGET := $(LIBTARGET) $(LIBS_CTL)
$(eval $(call archive,$(LIBTARGET),$(TARGET_SRC)))
$(eval $(call unit_tests,target,$(LIBS_TARGET)))
$(PORTICOD): $(call obj,target/main.c) $(LIBS_TARGET)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBS_TARGET) $(LIBS)
all: $(PORTICOD)
build-tests: $(PORTICOD)
