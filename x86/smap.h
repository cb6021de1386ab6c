/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/smap.h - SMAP: the shim touches guest (user) pages only on purpose.
 *
 * With CR4.SMAP on, a ring-0 data access to a user page faults unless
 * RFLAGS.AC is set. Every guest page is a user page (the PV kernel runs in
 * ring 3), so the shim sets AC (STAC) only around its deliberate accesses
 * through guest addresses (x86/uaccess.h) and clears it (CLAC) on every
 * entry from the guest, whose AC it must not inherit.
 *
 * STAC and CLAC raise #UD on a CPU without SMAP. Each one is written with
 * the macros below, which note its address in .smap_sites; smap_init()
 * turns them into 3-byte NOPs there, at start of day, before the text is
 * made read-only (x86/paging.c paging_init). No test on any hot path.
 *
 * Usable from assembly (ASM_STAC, ASM_CLAC) and C (stac(), clac(),
 * SMAP_STAC/SMAP_CLAC strings for inline assembly).
 *
 * The lab: its L0 runs with smap=0 (tests/lab/lab.sh), which hides SMAP
 * from our container, so there the sites are NOPs. With smap=hvm it is
 * visible, but QEMU 7.2's TCG pops IRETQ's frame with supervisor,
 * SMAP-checked accesses even at CPL 3, so a PV kernel's own ring-3 IRETQ
 * (Linux's sync_core) takes a #PF (error code 1) that real CPUs do not
 * raise: Debian's kernel may die in early boot there; our test kernels run.
 */
#ifndef X86_SMAP_H
#define X86_SMAP_H

#define X86_CR4_SMEP_BIT    20
#define X86_CR4_SMAP_BIT    21
#define CPUID7_EBX_SMEP     (1u << 7)
#define CPUID7_EBX_SMAP     (1u << 20)

#ifdef __ASSEMBLY__

        .macro SMAP_SITE insn
7771:   \insn
        .pushsection .smap_sites, "a"
        .balign 4
        .long   7771b - .
        .popsection
        .endm

#define ASM_STAC SMAP_SITE stac
#define ASM_CLAC SMAP_SITE clac

#else

#include "lib/compiler.h"

#define SMAP_SITE_STR(insn)                                 \
    "7771: " insn "\n\t"                                    \
    ".pushsection .smap_sites, \"a\"\n\t"                   \
    ".balign 4\n\t"                                         \
    ".long 7771b - .\n\t"                                   \
    ".popsection\n\t"

#ifdef UNIT_TEST
/* Host tests and fuzzers run the guest-copy code in user mode: no STAC there. */
#define SMAP_STAC ""
#define SMAP_CLAC ""
#else
#define SMAP_STAC SMAP_SITE_STR("stac")
#define SMAP_CLAC SMAP_SITE_STR("clac")
#endif

static inline void stac(void)
{
    __asm__ volatile ( SMAP_STAC ::: "memory" );
}

static inline void clac(void)
{
    __asm__ volatile ( SMAP_CLAC ::: "memory" );
}

/*
 * Start of day, while the text is still writable: CR4.SMAP on where the
 * CPU has it (true), else every STAC/CLAC site patched to a NOP (false).
 */
bool smap_init(void);

#endif /* __ASSEMBLY__ */

#endif /* X86_SMAP_H */
