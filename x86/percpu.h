/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/percpu.h - what is one per CPU, and the one way to reach it.
 *
 * Every CPU runs on the stacks of its own block (x86/layout.h), with a
 * struct cpu_info at the very top; get_cpu_info() finds it from the stack
 * pointer, on the CPU's stack and on its IST stacks alike (Xen's
 * get_cpu_info()). Entries from the guest build their frame right below it
 * (guest_entry_frame()), so the way out to the guest reaches the fields
 * the assembly needs at a fixed offset from that frame.
 */
#ifndef X86_PERCPU_H
#define X86_PERCPU_H

#include "lib/compiler.h"
#include "x86/layout.h"
#include "x86/regs.h"

struct vcpu;

/* The 64-bit TSS (Intel SDM vol. 3, 8.7). */
struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t ist[8];        /* ist[0] is reserved */
    uint64_t reserved1;
    uint16_t reserved2;
    uint16_t iomap_base;
} __packed;

/* The last fault the exception table caught: what a fixup may pass on. */
struct fixed_fault {
    unsigned long vector, error_code;
};

struct cpu_info {
    /*
     * Checked by x86/entry.S on every way out to the guest: a TLB flush
     * owed (x86/paging.h), an NMI for the guest (x86/traps.c), an IRETQ
     * needed to end the CPU's NMI blocking.
     */
    bool tlb_flush_owed;
    volatile bool nmi_raised;
    bool nmi_iret_needed;
    uint8_t pad0[5];
    unsigned long guest_rsp;        /* SYSCALL: the guest's RSP on the way in */
    unsigned int id;                /* this CPU: the container's vCPU id */
    uint32_t pad1;
    struct vcpu *current;           /* the guest vCPU this CPU runs */
    uint64_t *gdt;                  /* the hypervisor page of its GDT */
    struct vcpu_info *l0_vi;        /* L0's vcpu_info of this CPU (x86/l0.h) */
    uint32_t l0_timer_port;         /* L0's VIRQ_TIMER of this CPU */
    uint32_t l0_kick_port;          /* an L0 IPI port: wakes this CPU */
    uint64_t flush_stamp;           /* flush_clock at its last TLB flush (x86/paging.h) */
    uint64_t l0_deadline;           /* what L0's timer of this CPU is set to, 0: none */
    bool l0_timer_fired;            /* L0's timer of this CPU went off since it was set */
    /*
     * Not on the guest's page tables (x86/smp.h cpu_idle_enter: waiting,
     * parked, or not started): it holds no TLB entry of the guest's.
     */
    volatile bool idle;
    volatile bool parked;           /* in cpu_park(), until woken */
    /* Remote flushes asked of it (x86/smp.c), and the last one it did. */
    uint64_t flush_req, flush_done;
    struct fixed_fault fixed;       /* x86/traps.h fixed_fault */
    unsigned int fault_depth;       /* reporting a fault of the shim's (x86/traps.c) */
    struct tss64 tss;
    uint8_t pad2[8];
} __aligned(16);

#ifdef UNIT_TEST
extern struct cpu_info unit_cpu_info;       /* the host tests' one CPU */
static inline struct cpu_info *get_cpu_info(void)
{
    return &unit_cpu_info;
}
#else
static inline struct cpu_info *get_cpu_info(void)
{
    unsigned long sp;

    __asm__ ( "mov %%rsp, %0" : "=r" (sp) );
    return (struct cpu_info *)((sp | (PERCPU_STRIDE - 1)) + 1) - 1;
}
#endif

/* CPU cpu's struct cpu_info (its block must be mapped to use it). */
static inline struct cpu_info *cpu_info_of(unsigned int cpu)
{
    return (struct cpu_info *)(PERCPU_VIRT(cpu) + PERCPU_STRIDE) - 1;
}

/* The guest's registers as every entry from it leaves them (x86/entry.S). */
static inline struct cpu_regs *guest_entry_frame(void)
{
    return (struct cpu_regs *)get_cpu_info() - 1;
}

#endif /* X86_PERCPU_H */
