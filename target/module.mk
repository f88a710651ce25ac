# SPDX-License-Identifier: GPL-2.0-or-later
# target/: porticod itself: main.c, the threads and portals (server.c), the
# model answering the transport (iscsi_env.c), the control socket; and
# portico-facts (portico_facts.c), the build tool that writes porticod's facts
# into the shell (docs/architecture.md, "Facts"), not installed.
TARGET_SRC := $(filter-out target/main.c target/portico_facts.c,$(wildcard target/*.c))
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
PORTICO_FACTS := $(BUILD)/bin/portico-facts
$(PORTICO_FACTS): $(call obj,target/portico_facts.c) $(LIBS_CTL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBS_CTL) $(LIBS)
