# SPDX-License-Identifier: GPL-2.0-or-later
# target/shell/: portico, the administration shell (docs/shell.md):
# target/shell/*.c with libcommon.a (the ctl codec), libedit and json-c.
# Every shell file but main.c goes into libshell.a, which the unit tests
# under tests/unit/target/shell/ link; they also find their fixtures through
# PORTICO_TOP, and the end-to-end test runs $(BUILD)/bin/portico. libshell.a
# also holds the facts the shell reads (target/shell/facts.h): porticod's
# own, which portico-facts writes into $(BUILD)/gen (docs/architecture.md,
# "Facts").
SH_SRC := $(wildcard target/shell/*.c)
SH_LIB_SRC := $(filter-out target/shell/main.c,$(SH_SRC))
LIBSHELL := $(BUILD)/lib/libshell.a
PORTICO := $(BUILD)/bin/portico
SH_LIBS := -ledit -ljson-c
SH_FACTS_C := $(BUILD)/gen/target/shell/facts_json.c
SH_FACTS_O := $(BUILD)/gen/target/shell/facts_json.o
$(SH_FACTS_C): $(PORTICO_FACTS)
	@mkdir -p $(dir $@)
	$(PORTICO_FACTS) $@.tmp && mv $@.tmp $@
$(SH_FACTS_O): $(SH_FACTS_C)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(eval $(call archive,$(LIBSHELL),$(SH_LIB_SRC)))
$(LIBSHELL): $(SH_FACTS_O)
$(PORTICO): $(call obj,target/shell/main.c) $(LIBSHELL) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBSHELL) $(LIBCOMMON) $(SH_LIBS)
all: $(PORTICO)
build-tests: $(PORTICO)
$(BUILD)/tests/unit/target/shell/%.o: ALL_CFLAGS += -DPORTICO_TOP='"$(CURDIR)"'
$(BUILD)/tests/unit/target/shell/%: $(BUILD)/tests/unit/target/shell/%.o $(LIBSHELL) $(LIBCOMMON) \
		$(PORTICO)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBSHELL) $(LIBCOMMON) $(TEST_LIBS) $(SH_LIBS) -lpthread
