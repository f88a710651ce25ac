# SPDX-License-Identifier: GPL-2.0-or-later
# target/shell/: portico, the administration shell (docs/shell.md):
# target/shell/*.c with libcommon.a (the ctl codec), libedit and json-c.
# Every shell file but main.c goes into libshell.a, which the unit tests
# under tests/unit/target/shell/ link; they also find their fixtures through
# PORTICO_TOP, and the end-to-end test runs $(BUILD)/bin/portico.
SH_SRC := $(wildcard target/shell/*.c)
SH_LIB_SRC := $(filter-out target/shell/main.c,$(SH_SRC))
LIBSHELL := $(BUILD)/lib/libshell.a
PORTICO := $(BUILD)/bin/portico
SH_LIBS := -ledit -ljson-c
$(eval $(call archive,$(LIBSHELL),$(SH_LIB_SRC)))
$(PORTICO): $(call obj,target/shell/main.c) $(LIBSHELL) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBSHELL) $(LIBCOMMON) $(SH_LIBS)
all: $(PORTICO)
build-tests: $(PORTICO)
$(BUILD)/tests/unit/target/shell/%.o: ALL_CFLAGS += -DPORTICO_TOP='"$(CURDIR)"'
$(BUILD)/tests/unit/target/shell/%: $(BUILD)/tests/unit/target/shell/%.o $(LIBSHELL) $(LIBCOMMON) \
		$(PORTICO)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBSHELL) $(LIBCOMMON) $(TEST_LIBS) $(SH_LIBS) -lpthread
