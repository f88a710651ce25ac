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
PKGS := libconfig libiscsi check
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wimplicit-fallthrough
CFLAGS ?= $(OPT) -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE -I. -MMD -MP \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS += $(SANFLAGS)
LIBS := -laio -lconfig -lcrypto -lpthread
TEST_LIBS := $(shell pkg-config --libs check 2>/dev/null) -liscsi

# Sources, by module. Each module directory holds only its own .c files;
# a new file is picked up without touching this Makefile.
COMMON_SRC := $(wildcard common/*.c)
TARGET_SRC := $(filter-out target/main.c target/shell/%.c,$(wildcard target/*.c target/*/*.c))
PORTICOD_SRC := target/main.c
UNIT_SRC := $(shell find tests/unit -name '*_test.c' 2>/dev/null | sort)
FUNC_C_SRC := $(wildcard tests/functional/*.c)
FUZZ_SRC := $(wildcard tests/fuzz/*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

LIBCOMMON := $(BUILD)/lib/libcommon.a
LIBTARGET := $(BUILD)/lib/libtarget.a
PORTICOD := $(BUILD)/bin/porticod
UNIT_BINS := $(patsubst %.c,$(BUILD)/%,$(UNIT_SRC))
FUNC_BINS := $(patsubst tests/functional/%.c,$(BUILD)/tests/functional/%,$(FUNC_C_SRC))

.PHONY: all deps test unit functional conformance sanitize demo bench check-vm clean
all: deps $(PORTICOD)

# Installs missing Debian packages (a no-op when everything is there).
deps:
	@sh scripts/install-deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBCOMMON): $(call obj,$(COMMON_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

$(LIBTARGET): $(call obj,$(TARGET_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

$(PORTICOD): $(call obj,$(PORTICOD_SRC)) $(LIBTARGET) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# Unit tests: tests/unit/<path>/<name>_test.c, one Check program each.
$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(LIBTARGET) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(LIBS)

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
	@$(MAKE) --no-print-directory build-tests
	@$(MAKE) --no-print-directory SAN=1 build-tests
	@sh tests/run.sh --build $(BUILD) --san-build build-san all

demo: deps $(PORTICOD)
	@sh scripts/demo.sh $(BUILD)

bench: deps $(PORTICOD)
	@sh tests/bench/run.sh $(BUILD)

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
