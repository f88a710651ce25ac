# SPDX-License-Identifier: GPL-2.0-or-later
#
# One non-recursive Makefile. Objects go under $(BUILD), mirroring the source
# tree; programs land in $(BUILD)/bin. 'make SAN=1' builds the ASan+UBSan
# variant under build-san/.

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT := -O1
else
BUILD ?= build
SANFLAGS :=
OPT := -O2
endif

CC ?= gcc
NPROC := $(shell nproc 2>/dev/null || echo 2)
PKGS := libconfig libiscsi check
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wimplicit-fallthrough
CFLAGS ?= $(OPT) -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE -I. -MMD -MP \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS += $(SANFLAGS)
LIBS := -laio -lconfig -lcrypto -ljson-c -lpthread
TEST_LIBS := $(shell pkg-config --libs check 2>/dev/null) -liscsi

# Sources, by module. Each module directory holds only its own .c files; a
# new file is picked up without touching this Makefile. One archive per
# module, so a unit test links only the modules below it.
COMMON_SRC := $(wildcard common/*.c)
BS_SRC := $(wildcard target/backstore/*.c)
SCSI_SRC := $(wildcard target/scsi/*.c)
ISCSI_SRC := $(wildcard target/iscsi/*.c)
TARGET_SRC := $(filter-out target/main.c,$(wildcard target/*.c))
PORTICOD_SRC := target/main.c
UNIT_SRC := $(shell find tests/unit -name '*_test.c' 2>/dev/null | sort)
FUNC_C_SRC := $(wildcard tests/functional/*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

LIBCOMMON := $(BUILD)/lib/libcommon.a
LIBBS := $(BUILD)/lib/libbs.a
LIBSCSI := $(BUILD)/lib/libscsi.a
LIBISCSI_T := $(BUILD)/lib/libtiscsi.a
LIBTARGET := $(BUILD)/lib/libtarget.a
PORTICOD := $(BUILD)/bin/porticod
UNIT_BINS := $(patsubst %.c,$(BUILD)/%,$(UNIT_SRC))
FUNC_BINS := $(patsubst tests/functional/%.c,$(BUILD)/tests/functional/%,$(FUNC_C_SRC))

# Link order: a module, then the ones it uses.
LIBS_COMMON := $(LIBCOMMON)
LIBS_BS := $(LIBBS) $(LIBS_COMMON)
LIBS_SCSI := $(LIBSCSI) $(LIBS_BS)
LIBS_ISCSI := $(LIBISCSI_T) $(LIBS_SCSI)
LIBS_TARGET := $(LIBTARGET) $(LIBISCSI_T) $(LIBTARGET) $(LIBS_SCSI)

.PHONY: all deps test unit functional conformance sanitize demo bench check-vm clean
all: deps $(PORTICOD)

# Installs missing Debian packages (a no-op when everything is there).
deps:
	@sh scripts/install-deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

define archive
$(1): $(call obj,$(2))
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	ar rcs $$@ $$^
endef
$(eval $(call archive,$(LIBCOMMON),$(COMMON_SRC)))
$(eval $(call archive,$(LIBBS),$(BS_SRC)))
$(eval $(call archive,$(LIBSCSI),$(SCSI_SRC)))
$(eval $(call archive,$(LIBISCSI_T),$(ISCSI_SRC)))
$(eval $(call archive,$(LIBTARGET),$(TARGET_SRC)))

$(PORTICOD): $(call obj,$(PORTICOD_SRC)) $(LIBS_TARGET)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBS_TARGET) $(LIBS)

# Unit tests: tests/unit/<path>/<name>_test.c, one Check program each, linked
# with the module it tests and the modules below it.
$(BUILD)/tests/unit/common/%: $(BUILD)/tests/unit/common/%.o $(LIBS_COMMON)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_COMMON) $(TEST_LIBS) $(LIBS)
$(BUILD)/tests/unit/target/backstore/%: $(BUILD)/tests/unit/target/backstore/%.o $(LIBS_BS)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_BS) $(TEST_LIBS) $(LIBS)
$(BUILD)/tests/unit/target/scsi/%: $(BUILD)/tests/unit/target/scsi/%.o $(LIBS_SCSI)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_SCSI) $(TEST_LIBS) $(LIBS)
$(BUILD)/tests/unit/target/iscsi/%: $(BUILD)/tests/unit/target/iscsi/%.o $(LIBS_ISCSI)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_ISCSI) $(TEST_LIBS) $(LIBS)
$(BUILD)/tests/unit/target/%: $(BUILD)/tests/unit/target/%.o $(LIBS_TARGET)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_TARGET) $(TEST_LIBS) $(LIBS)

# Functional helpers: small libiscsi programs.
$(BUILD)/tests/functional/%: $(BUILD)/tests/functional/%.o $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ -liscsi $(LIBS)

build-tests: $(PORTICOD) $(UNIT_BINS) $(FUNC_BINS)
.PHONY: build-tests

unit: deps build-tests
	@sh tests/run.sh --build $(BUILD) unit

functional: deps build-tests
	@sh tests/run.sh --build $(BUILD) functional

conformance: deps build-tests
	@sh tests/run.sh --build $(BUILD) conformance

# Every test: unit, functional and conformance in the normal build, then unit
# and functional again under ASan+UBSan, then the VM lab when it exists.
test: deps
	@$(MAKE) --no-print-directory -j$(NPROC) build-tests
	@$(MAKE) --no-print-directory -j$(NPROC) SAN=1 build-tests
	@sh tests/run.sh --build $(BUILD) --san-build build-san all

# The VM lab (tests/vm): the kernel initiator, udev and dm-multipath in a QEMU guest.
check-vm: deps $(PORTICOD)
	@sh tests/run.sh --build $(BUILD) vm

demo: deps $(PORTICOD)
	@sh scripts/demo.sh $(BUILD)

bench: deps $(PORTICOD)
	@sh tests/bench/run.sh $(BUILD)

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- fuzzing: tests/fuzz, docs/fuzzing.md ---------------------------------
# 'make fuzz' builds every libFuzzer harness (tests/fuzz/fuzz_*.c) and the
# seed generator with clang, ASan and UBSan under build-fuzz/, by running
# this Makefile again with BUILD=build-fuzz (so the rules above build the
# modules; a change of flags starts it afresh); tests/fuzz/run.sh runs them.
# 'make clean-fuzz' removes them.
FUZZ_BUILD := build-fuzz
# UBSan stays recoverable so that a reported finding can be suppressed
# (tests/fuzz/ubsan.supp); the harnesses make every other report fatal.
FUZZ_SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/tests/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
.PHONY: fuzz fuzz-bins clean-fuzz
.PRECIOUS: $(FUZZ_BUILD)/tests/fuzz/%.o
FUZZ_CFLAGS := -O1 -g -Wno-implicit-fallthrough
fuzz: deps
	@mkdir -p $(FUZZ_BUILD)
	@echo '$(FUZZ_CFLAGS) $(FUZZ_SANFLAGS)' | cmp -s - $(FUZZ_BUILD)/flags || \
		{ rm -rf $(FUZZ_BUILD); mkdir -p $(FUZZ_BUILD); \
		  echo '$(FUZZ_CFLAGS) $(FUZZ_SANFLAGS)' >$(FUZZ_BUILD)/flags; }
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang SAN=0 \
		CFLAGS="$(FUZZ_CFLAGS)" SANFLAGS="$(FUZZ_SANFLAGS)" fuzz-bins
fuzz-bins: $(FUZZ_BINS) $(FUZZ_BUILD)/tests/fuzz/gen_seeds
$(FUZZ_BUILD)/tests/fuzz/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(LIBS_TARGET)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(LIBS_TARGET) $(LIBS)
$(FUZZ_BUILD)/tests/fuzz/gen_seeds: $(FUZZ_BUILD)/tests/fuzz/gen_seeds.o $(LIBS_TARGET)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_TARGET) $(LIBS)
clean-fuzz:
	rm -rf $(FUZZ_BUILD)
# ---- end of fuzzing ---------------------------------------------------------

# ---- portico, the shell: target/shell, docs/shell.md ------------------------
# build/bin/portico: target/shell/*.c with libcommon.a (the ctl codec), libedit
# and json-c. Every shell file but main.c goes into libshell.a, which the unit
# tests under tests/unit/target/shell/ link (this pattern is more specific than
# tests/unit/target/%, so it wins); they also find their fixtures through
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
# the VM lab's live scenario changes porticod through portico
check-vm: $(PORTICO)
demo: $(PORTICO)
$(BUILD)/tests/unit/target/shell/%.o: ALL_CFLAGS += -DPORTICO_TOP='"$(CURDIR)"'
$(BUILD)/tests/unit/target/shell/%: $(BUILD)/tests/unit/target/shell/%.o $(LIBSHELL) $(LIBCOMMON) \
		$(PORTICO)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBSHELL) $(LIBCOMMON) $(TEST_LIBS) $(SH_LIBS) -lpthread
# ---- end of portico, the shell ----------------------------------------------
