# SPDX-License-Identifier: GPL-2.0-only
# XTF-shaped 64-bit PV test kernels (tests/guests/); included by the Makefile,
# or used on its own from the repository root: make -f tests/guests/guests.mk
#
#   make guests          $(O)/guests/<name>.elf for every tests/guests/<name>/main.c
#   make guests-lab      build them and run each tests/lab/cfg/guest-<name>-pv.cfg
#                        directly on the lab's L0 (one boot); results in
#                        $(O)/lab-guests/<cfg>/console.log, verdict lines printed
#   make fuzz-lab        the fuzz kernel at length (FUZZ_ROUNDS, default 100000) on L0 and
#                        under our shim, compared call by call (tests/lab/fuzz-lab.sh);
#                        FUZZ_WIDTH=32: the 32-bit one, under Debian's xen-shim and ours
#
# Each kernel is lib/ (entry, hypercalls, console, verdict) plus its main.c,
# with the project's lib/string.c and lib/vsnprintf.c, linked at
# GUEST_VIRT_BASE (tests/guests/lib/layout.h).

O           ?= build
Q           ?= @
GUEST_CC    ?= gcc
GUEST_LD    ?= ld
GUEST_O     := $(O)/guests

# bench/ is not a test: tests/bench/bench.mk builds it, out of $(GUEST_O), so
# that the lab tests (tests/run runs every $(GUEST_O)/*.elf) do not pick it up.
GUEST_NAMES := $(filter-out bench,$(patsubst tests/guests/%/main.c,%,$(wildcard tests/guests/*/main.c)))
GUEST_ELFS  := $(patsubst %,$(GUEST_O)/%.elf,$(GUEST_NAMES))
GUEST_LIB   := tests/guests/lib/head.S tests/guests/lib/setup.c \
               tests/guests/lib/console.c tests/guests/lib/report.c \
               lib/string.c lib/vsnprintf.c
GUEST_LIB_OBJS := $(patsubst %,$(GUEST_O)/obj/%.o,$(basename $(GUEST_LIB)))
GUEST_MAIN_OBJS := $(patsubst %,$(GUEST_O)/obj/tests/guests/%/main.o,$(GUEST_NAMES))

GUEST_CPPFLAGS := -nostdinc -isystem $(shell $(GUEST_CC) -print-file-name=include) \
                  -isystem $(GUEST_O)/include -I.
GUEST_CFLAGS   := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie \
                  -mcmodel=kernel -mno-red-zone -mgeneral-regs-only -mno-sse \
                  -mno-mmx -mno-80387 -fno-stack-protector -fno-common \
                  -fno-asynchronous-unwind-tables -fcf-protection=none \
                  -fno-strict-aliasing -fno-delete-null-pointer-checks \
                  -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
                  -Wmissing-declarations -Wshadow -Wundef -Wpointer-arith \
                  -Wno-unused-parameter -Wno-missing-field-initializers -MMD -MP
GUEST_ASFLAGS  := -D__ASSEMBLY__ -fno-pic -MMD -MP -Wa,--noexecstack
GUEST_LDFLAGS  := -nostdlib -static -no-pie --no-dynamic-linker -z noexecstack \
                  -z max-page-size=0x1000 --build-id=none --orphan-handling=error

# The same kernels as 32-bit PAE PV kernels (ring 1, int $0x82), those whose
# main.c is written for both: $(O)/guests32/<name>.elf. L0 cannot run them
# (Debian's Xen has no 32-bit PV): the lab runs them under our shim and
# Debian's xen-shim (tests/lab/cfg/guest32-<name>-{shim,debshim}.cfg).
GUEST32_NAMES := boot hypercalls memory nmi vcpus pv32 mm grant traps descriptors fuzz
GUEST32_O     := $(O)/guests32
GUEST32_ELFS  := $(patsubst %,$(GUEST32_O)/%.elf,$(GUEST32_NAMES))
GUEST32_LIB_OBJS := $(patsubst %,$(GUEST32_O)/obj/%.o,$(basename $(GUEST_LIB)))
GUEST32_MAIN_OBJS := $(patsubst %,$(GUEST32_O)/obj/tests/guests/%/main.o,$(GUEST32_NAMES))
GUEST32_CFLAGS := $(filter-out -mcmodel=kernel,$(GUEST_CFLAGS)) -m32 -march=i686
GUEST32_ASFLAGS := $(GUEST_ASFLAGS) -m32
GUEST32_LDFLAGS := $(GUEST_LDFLAGS) -m elf_i386
# 64-bit division and friends (vsnprintf) from GCC's own 32-bit libgcc (gcc-multilib)
GUEST32_LIBGCC  = $(shell $(GUEST_CC) -m32 -print-libgcc-file-name)

.PHONY: guests guests-lab fuzz-lab
guests: $(GUEST_ELFS) $(GUEST32_ELFS)

# the Xen public headers, and nothing else from /usr/include
$(GUEST_O)/include/xen/xen.h:
	@test -f /usr/include/xen/xen.h || { echo "error: /usr/include/xen missing: install libxen-dev (make deps)"; exit 1; }
	@mkdir -p $(GUEST_O)/include
	$(Q)ln -sfn /usr/include/xen $(GUEST_O)/include/xen

$(GUEST_O)/obj/%.o: %.c | $(GUEST_O)/include/xen/xen.h
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest)"
	$(Q)$(GUEST_CC) $(GUEST_CPPFLAGS) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_O)/obj/%.o: %.S | $(GUEST_O)/include/xen/xen.h
	@mkdir -p $(dir $@)
	@echo "  AS      $< (guest)"
	$(Q)$(GUEST_CC) $(GUEST_CPPFLAGS) $(GUEST_ASFLAGS) -c -o $@ $<

$(GUEST_O)/link.lds: tests/guests/lib/link.lds.S tests/guests/lib/layout.h
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) -E -P -x c -D__ASSEMBLY__ -I. -o $@ $<

$(GUEST_O)/%.elf: $(GUEST_O)/obj/tests/guests/%/main.o $(GUEST_LIB_OBJS) $(GUEST_O)/link.lds
	@echo "  LD      $@"
	$(Q)$(GUEST_LD) $(GUEST_LDFLAGS) -T $(GUEST_O)/link.lds -Map $@.map -o $@ \
	  $(GUEST_LIB_OBJS) $<

$(GUEST32_O)/obj/%.o: %.c | $(GUEST_O)/include/xen/xen.h
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest32)"
	$(Q)$(GUEST_CC) $(GUEST_CPPFLAGS) $(GUEST32_CFLAGS) -c -o $@ $<

$(GUEST32_O)/obj/%.o: %.S | $(GUEST_O)/include/xen/xen.h
	@mkdir -p $(dir $@)
	@echo "  AS      $< (guest32)"
	$(Q)$(GUEST_CC) $(GUEST_CPPFLAGS) $(GUEST32_ASFLAGS) -c -o $@ $<

$(GUEST32_O)/link.lds: tests/guests/lib/link.lds.S tests/guests/lib/layout.h
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) -m32 -E -P -x c -D__ASSEMBLY__ -I. -o $@ $<

$(GUEST32_O)/%.elf: $(GUEST32_O)/obj/tests/guests/%/main.o $(GUEST32_LIB_OBJS) $(GUEST32_O)/link.lds
	@echo "  LD      $@"
	@test -f "$(GUEST32_LIBGCC)" || { echo "error: no 32-bit libgcc: install gcc-multilib (make deps)"; exit 1; }
	$(Q)$(GUEST_LD) $(GUEST32_LDFLAGS) -T $(GUEST32_O)/link.lds -Map $@.map -o $@ \
	  $(GUEST32_LIB_OBJS) $< $(GUEST32_LIBGCC)

# keep the objects make would otherwise treat as intermediate and delete
.SECONDARY: $(GUEST_LIB_OBJS) $(GUEST_MAIN_OBJS) $(GUEST32_LIB_OBJS) $(GUEST32_MAIN_OBJS)

# One L0 boot for all of them; a guest without a cfg is only built.
GUEST_CFGS := $(wildcard $(patsubst %,tests/lab/cfg/guest-%-pv.cfg,$(GUEST_NAMES)))
guests-lab: $(GUEST_ELFS)
	$(Q)QUIET=1 tests/lab/lab.sh $(O)/lab-guests $(GUEST_CFGS) -- \
	  $(foreach n,$(GUEST_NAMES),$(GUEST_O)/$(n).elf=test-$(n).elf)
	$(Q)rc=0; for c in $(GUEST_CFGS); do n=$$(basename $$c .cfg); \
	  v=$$(tail -n1 $(O)/lab-guests/$$n/console.log); \
	  echo "$$n: $${v:-no output} ($$(tr '\n' ' ' < $(O)/lab-guests/$$n/result))"; \
	  [ "$$v" = "Test result: SUCCESS" ] || rc=1; \
	done; exit $$rc

-include $(GUEST_LIB_OBJS:.o=.d) $(GUEST_MAIN_OBJS:.o=.d)
-include $(GUEST32_LIB_OBJS:.o=.d) $(GUEST32_MAIN_OBJS:.o=.d)

# The differential fuzz kernel at length (FUZZ_ROUNDS calls from FUZZ_SEED), directly on L0
# and under our shim, compared call by call: tests/lab/fuzz-lab.sh. FUZZ_WIDTH=32: the 32-bit
# kernel, under Debian's xen-shim and ours.
FUZZ_ROUNDS ?= 100000
FUZZ_SEED   ?= 1
FUZZ_WIDTH  ?= 64
fuzz-lab: $(GUEST_O)/fuzz.elf $(GUEST32_O)/fuzz.elf $(O)/xen-shim
	$(Q)tests/lab/fuzz-lab.sh $(FUZZ_ROUNDS) $(FUZZ_SEED) $(FUZZ_WIDTH)
