/* SPDX-License-Identifier: GPL-2.0-only */
/* x86/traps.h - the shim's IDT, GDT/TSS and exception handling. */
#ifndef X86_TRAPS_H
#define X86_TRAPS_H

#include "x86/percpu.h"

#include "x86/regs.h"

/*
 * An instruction that may fault on purpose (a guest memory access) and where
 * to continue if it does: see x86/uaccess.h.
 */
struct exception_table_entry {
    unsigned long insn, fixup;
};

/* This CPU's last fault the exception table caught (x86/percpu.h). */
#define fixed_fault (get_cpu_info()->fixed)

/* The TSS's interrupt stacks (x86/desc.c), for what can arrive anywhere. */
enum { IST_NONE, IST_DF, IST_NMI, IST_MC, IST_DB, NR_IST = IST_DB };

/* Load the IDT (boot GDT selectors, no IST yet). */
void traps_init(void);

/* Load the IDT on this CPU (another CPU, once traps_init() has built it). */
void traps_load(void);

/* Once x86/desc.c has the final GDT and TSS: its code selector, IST stacks. */
void traps_set_selector(uint16_t cs);

/* An interrupt vector (>= 32) and its handler, in the shim or the guest. */
void traps_set_irq_handler(unsigned int vec, void (*fn)(struct cpu_regs *regs));

/* Where exceptions raised by the guest (ring 3) go: set by the PV layer. */
void traps_set_guest_handler(void (*fn)(struct cpu_regs *regs));

/* int $0x82 from ring 1 into compat_hypercall() (hypercall/compat.c). */
void traps_set_hypercall_gate(void);

/*
 * Where an NMI goes, on the way back to the guest (with IF clear, the frame
 * being the guest's context): set by the PV layer.
 */
void traps_set_nmi_handler(void (*fn)(struct cpu_regs *regs));

/* An NMI arrived and was not handed to the PV layer yet: x86/percpu.h nmi_raised. */

/* Called by x86/entry.S for every exception. */
void trap_handler(struct cpu_regs *regs);

/* Print a register frame (used by the exception path and by panics). */
void show_registers(const struct cpu_regs *regs);

/* Just the frame's registers, not this CPU's control registers. */
void show_gprs(const struct cpu_regs *regs);

#endif /* X86_TRAPS_H */
