/* SPDX-License-Identifier: GPL-2.0-only */
/* x86/traps.h - the shim's IDT, GDT/TSS and exception handling. */
#ifndef X86_TRAPS_H
#define X86_TRAPS_H

#include "x86/regs.h"

/* Load the shim's own GDT, TSS (with IST stacks) and IDT. */
void traps_init(void);

/* Called by x86/entry.S for every exception. */
void trap_handler(struct cpu_regs *regs);

/* Print a register frame (used by the exception path and by panics). */
void show_registers(const struct cpu_regs *regs);

#endif /* X86_TRAPS_H */
