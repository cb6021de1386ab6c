# SPDX-License-Identifier: GPL-2.0-only
# "make bench": time the PV operations of tests/guests/bench directly on the
# lab's L0, under Debian's xen-shim and under ours, interleaved in one lab
# boot (tests/bench/run.sh). Included by the Makefile, or used on its own
# from the repository root: make -f tests/bench/bench.mk bench
#
#   make bench            build $(O)/bench/bench.elf and run it BENCH_RUNS
#                         times (default 3) in each environment; prints the
#                         table of minimums, medians and ratios to direct PV;
#                         and the same kernel built as a 32-bit PAE kernel,
#                         $(O)/bench/bench32.elf, under Debian's xen-shim and
#                         ours only (L0 runs no 32-bit PV guest), in the same
#                         lab boot: a second table, ours / Debian's shim
#   make bench-kernel     only build $(O)/bench/bench.elf and bench32.elf
#
# The bench kernel is built with the test kernels' lib and flags, but into
# $(O)/bench/, not $(O)/guests/: it is not a test (it asserts nothing), and
# tests/run runs every $(O)/guests/*.elf. It only reports: speed is never
# checked.

ifndef GUEST_LIB_OBJS
include tests/guests/guests.mk
endif

BENCH_O    := $(O)/bench
BENCH_ELF  := $(BENCH_O)/bench.elf
BENCH_OBJ  := $(GUEST_O)/obj/tests/guests/bench/main.o
BENCH32_ELF := $(BENCH_O)/bench32.elf
BENCH32_OBJ := $(GUEST32_O)/obj/tests/guests/bench/main.o
BENCH_SHIM ?= $(O)/xen-shim
BENCH_RUNS ?= 3

$(BENCH_ELF): $(BENCH_OBJ) $(GUEST_LIB_OBJS) $(GUEST_O)/link.lds
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(GUEST_LD) $(GUEST_LDFLAGS) -T $(GUEST_O)/link.lds -Map $@.map -o $@ \
	  $(GUEST_LIB_OBJS) $<

$(BENCH32_ELF): $(BENCH32_OBJ) $(GUEST32_LIB_OBJS) $(GUEST32_O)/link.lds
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@test -f "$(GUEST32_LIBGCC)" || { echo "error: no 32-bit libgcc: install gcc-multilib (make deps)"; exit 1; }
	$(Q)$(GUEST_LD) $(GUEST32_LDFLAGS) -T $(GUEST32_O)/link.lds -Map $@.map -o $@ \
	  $(GUEST32_LIB_OBJS) $< $(GUEST32_LIBGCC)

.SECONDARY: $(BENCH_OBJ) $(BENCH32_OBJ)

.PHONY: bench bench-kernel
bench-kernel: $(BENCH_ELF) $(BENCH32_ELF)
bench: $(BENCH_ELF) $(BENCH32_ELF) $(BENCH_SHIM)
	$(Q)RUNS=$(BENCH_RUNS) tests/bench/run.sh $(BENCH_O)/lab $(BENCH_SHIM) \
	  $(BENCH_ELF) $(BENCH32_ELF)

-include $(BENCH_OBJ:.o=.d) $(BENCH32_OBJ:.o=.d)
