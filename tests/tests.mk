# SPDX-License-Identifier: GPL-2.0-only
# Host unit tests (cmocka) on the real source files; included by the Makefile.
#
#   make check        build and run every unit test
#
# The code under test is compiled for the host with ASan/UBSan. Our snprintf
# family is renamed so it does not interpose on libc's (cmocka uses it).

UNIT_DIR    := $(O)/unit
UNIT_CFLAGS := -std=gnu11 -g -O1 -I. -I$(O) -include $(O)/config.h \
               -include lib/compiler.h -Dvsnprintf=shim_vsnprintf \
               -Dsnprintf=shim_snprintf -fsanitize=address,undefined \
               -fno-sanitize-recover=all -fno-builtin -Wall -Wextra -Werror \
               -Wno-unused-parameter -DUNIT_TEST
UNIT_LIBS   := -lcmocka

# test name -> the real sources it exercises
unit-cmdline := boot/cmdline.c lib/printk.c lib/vsnprintf.c
unit-pvh     := boot/pvh.c lib/vsnprintf.c
unit-module  := boot/module.c lib/vsnprintf.c
unit-printk  := lib/printk.c lib/vsnprintf.c
unit-elf     := pvops/elf.c lib/vsnprintf.c
unit-decode  := x86/decode.c
unit-rangeset := lib/rangeset.c
unit-frames  := x86/frames.c lib/rangeset.c lib/printk.c lib/vsnprintf.c
unit-pagetype := pvops/pagetype.c x86/frames.c lib/rangeset.c lib/printk.c \
                 lib/vsnprintf.c
unit-segdesc := pvops/segdesc.c
unit-ptwr    := pvops/ptwr.c pvops/pagetype.c x86/frames.c lib/rangeset.c \
                lib/printk.c lib/vsnprintf.c
# ptwr.c's guest copy has an exception-table entry: absolute addresses
flags-ptwr   := -no-pie
unit-xstate  := x86/xstate.c
# decompress: also the static liblzma and libdeflate the shim links (their
# compressors make the test inputs)
unit-decompress := boot/decompress.c boot/module.c lib/vsnprintf.c \
                   $(patsubst %,/usr/lib/x86_64-linux-gnu/lib%.a,lzma deflate bz2 lz4 zstd lzo2)
UNIT_TESTS   := cmdline pvh module printk elf decompress decode rangeset frames \
                pagetype segdesc xstate ptwr
UNIT_BINS    := $(patsubst %,$(UNIT_DIR)/test-%,$(UNIT_TESTS))

.SECONDEXPANSION:
# Every header of the shim: a test links several sources, so gcc's -MMD
# would keep one source's list only; they build in seconds.
UNIT_HDRS    := $(wildcard lib/*.h x86/*.h pvops/*.h boot/*.h hypercall/*.h)

$(UNIT_DIR)/test-%: tests/unit/test-%.c tests/unit/harness.h tests/unit/fake-frames.h \
                   $$(unit-$$*) $(O)/config.h $(UNIT_HDRS)
	@mkdir -p $(UNIT_DIR)
	@test -f /usr/include/cmocka.h || { echo "error: cmocka.h missing: install libcmocka-dev (make deps)"; exit 1; }
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) $(flags-$*) -o $@ $< $(unit-$*) $(UNIT_LIBS)

.PHONY: unit-tests check
unit-tests: $(UNIT_BINS)
check: unit-tests
	$(Q)rc=0; for t in $(UNIT_BINS); do $$t || rc=1; done; exit $$rc
