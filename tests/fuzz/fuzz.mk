# SPDX-License-Identifier: GPL-2.0-only
# libFuzzer harnesses on the real source files (clang, ASan + UBSan); included
# by the Makefile.
#
#   make fuzz                       build them all and run each for FUZZ_TIME s
#   make fuzz FUZZ_TIME=300         longer; FUZZ_RUNS=n runs n inputs instead
#   make fuzz FUZZ_TARGETS="elf"    some of them; FUZZ_JOBS=2 in parallel
#
# Corpora persist in $(O)/fuzz/corpus/<name>, seeded from $(O)/fuzz/seeds
# (tests/fuzz/seeds.py); a crash leaves its input in $(O)/fuzz/crashes/<name>/.

FUZZ_DIR    := $(O)/fuzz
FUZZ_CC     := clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -I. -I$(O) -include $(O)/config.h \
               -include lib/compiler.h -Dvsnprintf=shim_vsnprintf \
               -Dsnprintf=shim_snprintf -fno-builtin \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
               -Wall -Wextra -Werror -Wno-unused-parameter -DUNIT_TEST -DFUZZ
FUZZ_TIME   ?= 60
FUZZ_RUNS   ?=
FUZZ_JOBS   ?= 1

# target -> harness and the real sources it exercises (decode and decompress:
# the FUZZ build of their unit tests)
fuzz-elf        := tests/fuzz/fuzz-elf.c pvops/elf.c lib/vsnprintf.c
DECOMP_ARCHIVES := $(patsubst %,/usr/lib/x86_64-linux-gnu/lib%.a,lzma deflate bz2 lz4 zstd lzo2)
fuzz-bzimage    := tests/fuzz/fuzz-bzimage.c boot/module.c boot/decompress.c \
                   lib/vsnprintf.c $(DECOMP_ARCHIVES)
fuzz-decompress := tests/unit/test-decompress.c boot/decompress.c boot/module.c \
                   lib/vsnprintf.c $(DECOMP_ARCHIVES)
fuzz-pagetype   := tests/fuzz/fuzz-pagetype.c pvops/pagetype.c x86/frames.c \
                   lib/rangeset.c lib/printk.c lib/vsnprintf.c
fuzz-decode     := tests/unit/test-decode.c x86/decode.c
fuzz-segdesc    := tests/fuzz/fuzz-segdesc.c pvops/segdesc.c
fuzz-cmdline    := tests/fuzz/fuzz-cmdline.c boot/cmdline.c lib/printk.c \
                   lib/vsnprintf.c
# ptwr.c itself is #included (its decoder is static)
fuzz-ptwr       := tests/fuzz/fuzz-ptwr.c pvops/pagetype.c x86/frames.c \
                   lib/rangeset.c lib/printk.c lib/vsnprintf.c
fuzzflags-ptwr  := -no-pie
# op_names is only used in sizeof in the FUZZ build
fuzzflags-decode := -Wno-unneeded-internal-declaration
FUZZ_ALL     := elf bzimage decompress pagetype decode segdesc cmdline ptwr
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_BINS    := $(patsubst %,$(FUZZ_DIR)/fuzz-%,$(FUZZ_ALL))

.SECONDEXPANSION:
$(FUZZ_DIR)/fuzz-%: $$(fuzz-$$*) tests/fuzz/fuzz.h tests/unit/fake-frames.h $(O)/config.h \
                    $(O)/include/xen/xen.h \
                    $(O)/include/lzma.h $(O)/include/libdeflate.h
	@mkdir -p $(FUZZ_DIR)
	@command -v $(FUZZ_CC) > /dev/null || { echo "error: $(FUZZ_CC) missing: install clang (make deps)"; exit 1; }
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(fuzzflags-$*) -o $@ $(fuzz-$*)

# the ptwr harness includes the file it tests
$(FUZZ_DIR)/fuzz-ptwr: pvops/ptwr.c

.PHONY: fuzz-build fuzz-seeds fuzz
fuzz-build: $(FUZZ_BINS)
fuzz-seeds:
	$(Q)$(PYTHON) tests/fuzz/seeds.py $(FUZZ_DIR)/seeds $(wildcard $(O)/guests/*.elf)
fuzz: fuzz-build fuzz-seeds
	$(Q)tests/fuzz/run.sh -o $(FUZZ_DIR) -j $(FUZZ_JOBS) \
	  $(if $(FUZZ_RUNS),-r $(FUZZ_RUNS),-t $(FUZZ_TIME)) $(FUZZ_TARGETS)
