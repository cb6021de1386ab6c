/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/regs.h - the register frame that x86/entry.S saves on every exception.
 * Offsets for the assembly come from x86/asm-offsets.c, never by hand.
 */
#ifndef X86_REGS_H
#define X86_REGS_H

#include "lib/compiler.h"

struct cpu_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;        /* pushed by the entry stub */
    uint64_t error_code;    /* pushed by the CPU, or 0 by the stub */
    /* The hardware exception frame. */
    uint64_t rip, cs, rflags, rsp, ss;
};

/* General register n in instruction-encoding order (rax=0 ... r15=15). */
static inline unsigned long *regs_gpr(struct cpu_regs *r, unsigned int n)
{
    unsigned long *const regs[16] = {
        &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
        &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
    };

    return regs[n & 15];
}

#endif /* X86_REGS_H */
