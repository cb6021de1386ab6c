# SPDX-License-Identifier: GPL-2.0-only
# The PV shim: one non-recursive Makefile.
#
#   make                 build $(O)/xen-shim from $(O)/.config (created from shim.config)
#   make menuconfig      edit $(O)/.config         make savedefconfig  write shim.config
#   make olddefconfig    update $(O)/.config       make allnoconfig / allyesconfig
#   make check           host unit tests (cmocka)  make test   the whole suite (tests/run)
#   make fuzz            libFuzzer harnesses on the validators, FUZZ_TIME s each (tests/fuzz/fuzz.mk)
#   make run             boot our shim in the lab and show its console and timings
#   make deps            install the Debian packages the build, tests and lab need
#   make install         the image, its man page and an example xl config under
#                        $(DESTDIR)$(PREFIX) (PREFIX=/usr/local by default)
#   make deb             a Debian binary package ($(O)/deb/pv-shim_<version>_amd64.deb),
#                        built by dpkg-buildpackage from debian/, checked by lintian
#
# O=dir selects the output directory (default build/).

MAKEFLAGS += -rR
O        ?= build
override O := $(patsubst %/,%,$(O))
PYTHON   := /usr/bin/python3
CC       := gcc
LD       := ld
HOSTCC   := gcc
Q        := $(if $(V),,@)

SHIM_VERSION := 0.1
# the revision: git's, or what "make deb" wrote into its copy of the tree
GIT_REV      := $(or $(shell cat .git-rev 2>/dev/null),$(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty))

KCONFIG_ENV := KCONFIG_CONFIG=$(O)/.config srctree=$(CURDIR)

# ---------------------------------------------------------------- sources
BOOT_SRCS := boot/head.S boot/setup.c boot/pvh.c boot/cmdline.c boot/module.c boot/console.c
X86_SRCS  := x86/entry.S x86/traps.c x86/paging.c x86/frames.c x86/desc.c x86/decode.c \
             x86/xstate.c x86/smap.c x86/l0.c x86/smp.c
PV_SRCS   := pvops/domain.c pvops/elf.c pvops/traps.c pvops/vcpu.c \
             pvops/emulate.c pvops/pagetype.c pvops/mm.c \
             pvops/ptwr.c pvops/descriptors.c pvops/callgate.c \
             pvops/segdesc.c \
             pvops/time.c pvops/evtchn.c pvops/evtchn_fifo.c pvops/grant.c pvops/memory.c \
             pvops/suspend.c
HC_SRCS   := hypercall/dispatch.c hypercall/console_io.c hypercall/xen_version.c \
             hypercall/vm_assist.c hypercall/sched.c hypercall/timer.c \
             hypercall/event_channel.c hypercall/callback.c hypercall/registers.c \
             hypercall/memory.c hypercall/vcpu.c hypercall/physdev.c \
             hypercall/mmu.c hypercall/descriptor.c hypercall/grant_table.c \
             hypercall/privileged.c hypercall/compat.c
LIB_SRCS  := lib/string.c lib/vsnprintf.c lib/printk.c lib/rangeset.c
# boot-time decompression: our glue, and Debian's static decompression libraries
DECOMP_SRCS := boot/decompress.c boot/libc-stubs.c
DECOMP_LIBS := -L/usr/lib/x86_64-linux-gnu -l:liblzma.a -l:libdeflate.a -l:libbz2.a \
               -l:liblz4.a -l:libzstd.a -l:liblzo2.a
SRCS      := $(BOOT_SRCS) $(X86_SRCS) $(PV_SRCS) $(HC_SRCS) $(LIB_SRCS) $(DECOMP_SRCS)
OBJS      := $(patsubst %,$(O)/%.o,$(basename $(SRCS)))

GCC_INC  := $(shell $(CC) -print-file-name=include)
CPPFLAGS := -nostdinc -isystem $(GCC_INC) -isystem $(O)/include -I. -I$(O) \
            -include $(O)/config.h \
            -DSHIM_VERSION='"$(SHIM_VERSION)"' -DSHIM_GIT_REV='"$(GIT_REV)"'
CFLAGS   := -include lib/compiler.h -std=gnu11 -O2 -g -ffreestanding \
            -fpie -fvisibility=hidden -mno-red-zone -mgeneral-regs-only \
            -mno-sse -mno-mmx -mno-80387 -fno-stack-protector -fno-common \
            -fno-asynchronous-unwind-tables -fcf-protection=none \
            -fno-strict-aliasing -fno-delete-null-pointer-checks \
            -fno-jump-tables \
            -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
            -Wmissing-declarations -Wshadow -Wundef -Wpointer-arith \
            -Wno-unused-parameter -MMD -MP
ASFLAGS  := -D__ASSEMBLY__ -fpie -MMD -MP -Wa,--noexecstack
LDFLAGS  := -nostdlib -static -no-pie --no-dynamic-linker -z noexecstack --no-relax \
            -z max-page-size=0x1000 --build-id=none --orphan-handling=error

.PHONY: all
all: $(O)/xen-shim

# ---------------------------------------------------------------- configuration
$(O)/.config: shim.config Kconfig
	@$(PYTHON) -c 'import kconfiglib' 2>/dev/null || { echo "error: Kconfiglib is missing: run make deps (it installs python3-kconfiglib)"; exit 1; }
	@mkdir -p $(O)
	$(Q)if [ -f $@ ]; then $(KCONFIG_ENV) $(PYTHON) -m olddefconfig Kconfig >/dev/null; \
	else $(KCONFIG_ENV) $(PYTHON) -m defconfig --kconfig Kconfig shim.config >/dev/null; fi
	$(Q)touch $@

$(O)/config.h: $(O)/.config
	$(Q)$(KCONFIG_ENV) $(PYTHON) -m genconfig --header-path $@.tmp Kconfig
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# the Xen public headers, and nothing else from /usr/include
$(O)/include/xen/xen.h:
	@test -f /usr/include/xen/xen.h || { echo "error: /usr/include/xen missing: install libxen-dev (make deps)"; exit 1; }
	@mkdir -p $(O)/include
	$(Q)ln -sfn /usr/include/xen $(O)/include/xen

# the decompression libraries' headers, for boot/decompress.c only
DECOMP_HDRS := lzma.h libdeflate.h bzlib.h lz4.h zstd.h zstd_errors.h lzo/lzo1x.h
$(addprefix $(O)/include/,$(DECOMP_HDRS)):
	@test -f /usr/include/$(patsubst $(O)/include/%,%,$@) || { echo "error: /usr/include/$(patsubst $(O)/include/%,%,$@) missing: install liblzma-dev libdeflate-dev libbz2-dev liblz4-dev libzstd-dev liblzo2-dev (make deps)"; exit 1; }
	@mkdir -p $(O)/include
	$(Q)ln -sfn /usr/include/$(notdir $@) $(O)/include/$(notdir $@)
	$(Q)if [ $(notdir $@) = lzma.h ]; then ln -sfn /usr/include/lzma $(O)/include/lzma; fi
	$(Q)if [ $(notdir $@) = lzo1x.h ]; then ln -sfn /usr/include/lzo $(O)/include/lzo; fi
	$(Q)if [ $(notdir $@) = lzo1x.h ]; then rm -f $(O)/include/lzo1x.h; fi
# bzlib.h wants FILE from <stdio.h> (for calls the shim never makes): this one gives only that
$(O)/include/stdio.h:
	@mkdir -p $(O)/include
	$(Q)printf '/* generated: bzlib.h needs FILE only (boot/libc-stubs.c) */\ntypedef struct shim_FILE FILE;\n' > $@
$(O)/boot/decompress.o: $(addprefix $(O)/include/,$(DECOMP_HDRS)) $(O)/include/stdio.h

.PHONY: defconfig olddefconfig menuconfig savedefconfig allnoconfig allyesconfig
defconfig:
	@mkdir -p $(O)
	$(Q)$(KCONFIG_ENV) $(PYTHON) -m defconfig --kconfig Kconfig shim.config
olddefconfig:
	@mkdir -p $(O)
	$(Q)$(KCONFIG_ENV) $(PYTHON) -m olddefconfig Kconfig
menuconfig:
	@mkdir -p $(O)
	$(Q)$(KCONFIG_ENV) $(PYTHON) -m menuconfig Kconfig
savedefconfig: $(O)/.config
	$(Q)$(KCONFIG_ENV) $(PYTHON) -m savedefconfig --kconfig Kconfig --out shim.config
allnoconfig allyesconfig:
	@mkdir -p $(O)
	$(Q)$(KCONFIG_ENV) $(PYTHON) -m $@ Kconfig

# ---------------------------------------------------------------- the image
GEN := $(O)/config.h $(O)/include/xen/xen.h $(O)/asm-offsets.h $(O)/compat-layout.h

# "->NAME VALUE" lines of a compiled .s (the asm-offsets idiom) as #defines
OFFSETS = { echo "/* generated from $<: do not edit */"; \
	  sed -n 's/.*->\([A-Za-z_0-9]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\).*/\#define \1 \2/p' $@.s; } > $@.tmp; \
	rm -f $@.s; if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(O)/asm-offsets.h: x86/asm-offsets.c $(O)/config.h $(O)/include/xen/xen.h $(O)/compat-layout.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MF $(O)/asm-offsets.d -MT $@ -S -o $@.s $<
	$(Q)$(OFFSETS)

# The public structures as a 32-bit guest has them (lib/compat.h checks its own)
$(O)/compat-layout.h: lib/compat-layout.c $(O)/config.h $(O)/include/xen/xen.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -m32 $(CPPFLAGS) -include lib/compiler.h -std=gnu11 -O2 -ffreestanding \
	  -Wall -Werror -MMD -MP -MF $(O)/compat-layout.d -MT $@ -S -o $@.s $<
	$(Q)$(OFFSETS)

$(O)/%.o: %.c $(GEN)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/%.o: %.S $(GEN)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(CPPFLAGS) $(ASFLAGS) -c -o $@ $<

$(O)/shim.lds: boot/shim.lds.S $(O)/config.h
	$(Q)$(CC) -E -P -x c -D__ASSEMBLY__ -I. -include $(O)/config.h -o $@ $<

$(O)/xen-shim: $(OBJS) $(O)/shim.lds
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -T $(O)/shim.lds -Map $@.map -o $@.syms $(OBJS) $(DECOMP_LIBS)
	$(Q)objcopy --strip-debug $@.syms $@
	$(Q)size -A $@ | awk '$$1 == ".text" { printf "  TEXT    %d bytes\n", $$2 }'

# ---------------------------------------------------------------- tests and lab
include tests/tests.mk
include tests/fuzz/fuzz.mk
include tests/guests/guests.mk
include tests/bench/bench.mk

# Every header must compile on its own (without the forced lib/compiler.h).
HEADERS := $(wildcard boot/*.h x86/*.h pvops/*.h hypercall/*.h lib/*.h)
.PHONY: headers-check
headers-check: $(GEN)
	$(Q)for h in $(HEADERS); do \
	  echo "#include \"$$h\"" | $(CC) $(CPPFLAGS) $(filter-out -include lib/compiler.h,$(CFLAGS)) \
	    -MF /dev/null -x c -c -o /dev/null - || { echo "$$h does not compile on its own"; exit 1; }; \
	done

# ---------------------------------------------------------------- install, package
PREFIX   ?= /usr/local
DESTDIR  ?=
SHIM_INSTALL := $(PREFIX)/lib/pv-shim/pv-shim
.PHONY: install deb
install: $(O)/xen-shim
	install -D -m 0644 $(O)/xen-shim $(DESTDIR)$(SHIM_INSTALL)
	install -D -m 0644 doc/pv-shim.7 $(DESTDIR)$(PREFIX)/share/man/man7/pv-shim.7
	sed 's|/usr/lib/pv-shim/pv-shim|$(SHIM_INSTALL)|' doc/pv-shim.cfg > $(O)/pv-shim.cfg
	install -D -m 0644 $(O)/pv-shim.cfg $(DESTDIR)$(PREFIX)/share/doc/pv-shim/examples/pv-shim.cfg
# From a copy of the tracked files (as they are now), so that the source tree stays clean
# and the package lands in $(O)/deb/.
deb:
	$(Q)tests/deps.sh package
	$(Q)rm -rf $(O)/deb && mkdir -p $(O)/deb/src
	$(Q)git ls-files -z | xargs -0 tar -cf - | tar -xf - -C $(O)/deb/src
	$(Q)echo "$(GIT_REV)" > $(O)/deb/src/.git-rev
	@echo "  DEB     $(O)/deb (dpkg-buildpackage; log: $(O)/deb/build.log)"
	$(Q)cd $(O)/deb/src && dpkg-buildpackage -b -us -uc > ../build.log 2>&1 || \
	  { tail -20 ../build.log; echo "error: dpkg-buildpackage failed (log: $(O)/deb/build.log)"; exit 1; }
	$(Q)ls $(O)/deb/*.deb
	$(Q)lintian --fail-on error,warning $(O)/deb/*.changes && echo "  LINTIAN clean"

.PHONY: deps run test clean
deps:
	$(Q)tests/deps.sh
run:
	$(Q)tests/deps.sh
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/lab/demo.sh $(O)/xen-shim
test:
	$(Q)tests/run
clean:
	rm -rf $(O)

-include $(OBJS:.o=.d) $(O)/asm-offsets.d $(O)/compat-layout.d
