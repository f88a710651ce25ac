# SPDX-License-Identifier: GPL-2.0-or-later
# tests/: the unit test programs (each module.mk says what they link), the
# functional helpers, and the fuzzers (docs/fuzzing.md).
UNIT_SRC := $(shell find tests/unit -name '*_test.c' 2>/dev/null | sort)
UNIT_BINS := $(patsubst %.c,$(BUILD)/%,$(UNIT_SRC))
FUNC_C_SRC := $(wildcard tests/functional/*.c)
FUNC_BINS := $(patsubst tests/functional/%.c,$(BUILD)/tests/functional/%,$(FUNC_C_SRC))
build-tests: $(UNIT_BINS) $(FUNC_BINS)

# VM lab programs (tests/vm/*.c): they run in the lab's guest, where
# tests/vm/image.sh copies them (with their libraries) into /portico/bin.
VM_C_SRC := $(wildcard tests/vm/*.c)
VM_BINS := $(patsubst %.c,$(BUILD)/%,$(VM_C_SRC))
build-tests: $(VM_BINS)
$(BUILD)/tests/vm/%: $(BUILD)/tests/vm/%.o $(LIBS_MPATH)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_MPATH) -ldevmapper -lpthread
# failcheck drives the failover adapters (sesstmo, sockkill, tur): the
# daemon's archive, which needs no other library for them.
$(BUILD)/tests/vm/failcheck: $(BUILD)/tests/vm/failcheck.o $(LIBS_PATHD)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_PATHD) -lpthread

# Functional helpers: small libiscsi programs.
$(BUILD)/tests/functional/%: $(BUILD)/tests/functional/%.o $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ -liscsi $(LIBS)

# nicwatch drives the NIC adapter (initiator/adapt/nic.c): the daemon's
# archive and libnl, no libiscsi (an explicit rule wins over the pattern).
$(BUILD)/tests/functional/nicwatch: $(BUILD)/tests/functional/nicwatch.o $(LIBS_PATHD)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_PATHD) $(PATHD_SYSLIBS) $(LIBS)

# sockcheck drives the socket killer (initiator/adapt/sockkill.c,
# tests/functional/pathd-sockkill.sh): the daemon's archive, no libiscsi.
$(BUILD)/tests/functional/sockcheck: $(BUILD)/tests/functional/sockcheck.o $(LIBS_PATHD)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_PATHD) $(LIBS)

# pathd_fake is the daemon (initiator/pathd) on the fake device-mapper, a
# fake iscsiadm and a fake sysfs tree (tests/functional/pathd.sh): the
# daemon's archive, libmpath's fake, no libiscsi.
$(BUILD)/tests/functional/pathd_fake: $(BUILD)/tests/functional/pathd_fake.o $(LIBS_PATHD)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_PATHD) $(PATHD_SYSLIBS) $(LIBS)

# ---- fuzzing: tests/fuzz, docs/fuzzing.md ---------------------------------
# 'make fuzz' builds every libFuzzer harness (tests/fuzz/fuzz_*.c) and the
# seed generator with clang, ASan and UBSan under build-fuzz/, by running
# make again with BUILD=build-fuzz (so the modules' rules build the
# archives; a change of flags starts it afresh); tests/fuzz/run.sh runs
# them. 'make clean-fuzz' removes them.
FUZZ_BUILD := build-fuzz
# UBSan stays recoverable so that a reported finding can be suppressed
# (tests/fuzz/ubsan.supp); the harnesses make every other report fatal.
FUZZ_SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/tests/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
.PHONY: fuzz fuzz-bins fuzz-long clean-fuzz
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

# The long campaign (tests/fuzz/long.sh): every harness for FUZZ_SECONDS in
# turn, one core, over corpora kept in FUZZ_LONG_DIR between campaigns. Not
# part of 'make test'. make fuzz-long FUZZ_SECONDS=60
FUZZ_SECONDS ?= 300
FUZZ_LONG_DIR ?= $(CURDIR)/build-fuzz-long
fuzz-long: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_LONG_DIR=$(FUZZ_LONG_DIR) sh tests/fuzz/long.sh
