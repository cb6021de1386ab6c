/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/asm-offsets.c - the only source of structure offsets for .S files.
 * Compiled to assembly (never linked); the Makefile turns each "->NAME value"
 * marker into "#define NAME value" in $(O)/asm-offsets.h.
 */
#include "x86/regs.h"
#include "x86/percpu.h"

#define DEFINE(sym, val) \
    __asm__ volatile ( "\n.ascii \"->" #sym " %c0\"" :: "i" (val) )
#define OFFSET(sym, str, mem) DEFINE(sym, offsetof(struct str, mem))

void asm_offsets(void);
void asm_offsets(void)
{
    OFFSET(REGS_r15, cpu_regs, r15);
    OFFSET(REGS_r14, cpu_regs, r14);
    OFFSET(REGS_r13, cpu_regs, r13);
    OFFSET(REGS_r12, cpu_regs, r12);
    OFFSET(REGS_r11, cpu_regs, r11);
    OFFSET(REGS_r10, cpu_regs, r10);
    OFFSET(REGS_r9, cpu_regs, r9);
    OFFSET(REGS_r8, cpu_regs, r8);
    OFFSET(REGS_rbp, cpu_regs, rbp);
    OFFSET(REGS_rdi, cpu_regs, rdi);
    OFFSET(REGS_rsi, cpu_regs, rsi);
    OFFSET(REGS_rdx, cpu_regs, rdx);
    OFFSET(REGS_rcx, cpu_regs, rcx);
    OFFSET(REGS_rbx, cpu_regs, rbx);
    OFFSET(REGS_rax, cpu_regs, rax);
    OFFSET(REGS_vector, cpu_regs, vector);
    OFFSET(REGS_error_code, cpu_regs, error_code);
    OFFSET(REGS_rip, cpu_regs, rip);
    OFFSET(REGS_cs, cpu_regs, cs);
    OFFSET(REGS_rflags, cpu_regs, rflags);
    OFFSET(REGS_rsp, cpu_regs, rsp);
    OFFSET(REGS_ss, cpu_regs, ss);
    DEFINE(REGS_SIZE, sizeof(struct cpu_regs));
    OFFSET(CPUINFO_tlb_flush_owed, cpu_info, tlb_flush_owed);
    OFFSET(CPUINFO_flush_stamp, cpu_info, flush_stamp);
    OFFSET(CPUINFO_nmi_raised, cpu_info, nmi_raised);
    OFFSET(CPUINFO_nmi_iret_needed, cpu_info, nmi_iret_needed);
    OFFSET(CPUINFO_guest_rsp, cpu_info, guest_rsp);
    DEFINE(CPUINFO_SIZE, sizeof(struct cpu_info));
}
