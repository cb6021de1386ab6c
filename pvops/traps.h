/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/traps.h - delivering exceptions and callbacks to the PV guest:
 * bounce frames on the guest kernel stack, the iret hypercall, the
 * kernel/user switch (../shared/reference/pv64-abi.md sections 5 and 6).
 */
#ifndef PVOPS_TRAPS_H
#define PVOPS_TRAPS_H

#include "pvops/domain.h"

/* The RFLAGS bits a guest may set (Xen's X86_EFLAGS_ARITH_MASK and friends). */
#define EFLAGS_GUEST     0x003f7fd7UL

/* Route guest exceptions (ring 3) from x86/traps.c to the PV layer. */
void pv_traps_init(void);

/* Deliver exception vec to the guest's trap table entry (-1: no error code). */
void pv_inject_exception(struct cpu_regs *regs, unsigned int vec, long error_code);

/* Enter the guest's event callback with events masked. */
void pv_event_callback(struct cpu_regs *regs);

/* A SYSCALL from guest user mode: to the guest's syscall callback. */
void pv_user_syscall(struct cpu_regs *regs);

/* The iret hypercall: regs becomes the context the guest asked for. */
long pv_iret(struct cpu_regs *regs);

/*
 * Up to size bytes of the guest's instruction at regs->rip, through its code
 * segment: how many the guest can read (pvops/emulate.c).
 */
unsigned long pv_insn_fetch(const struct cpu_regs *regs, uint8_t *buf, unsigned long size);

/* SYSCALL from a 32-bit guest (hypercall/dispatch.c pv_syscall). */
void pv_syscall32(struct cpu_regs *regs);

/* A 32-bit guest's iret (int $0x82 with eax 23): returns the EAX it restores. */
long pv_iret32(struct cpu_regs *regs);

/* Deliver a pending NMI if the guest can take it now; true if it did. */
bool pv_deliver_nmi(struct cpu_regs *regs);

/* Kernel <-> user: swap GS bases, flip the mode, load the other L4. */
void pv_toggle_guest_mode(struct vcpu *v);

/* A store into a read-only-mapped L1 table: done for the guest if allowed. */
bool pv_ptwr_fault(struct cpu_regs *regs, unsigned long addr);

/*
 * The store emulator under pv_ptwr_fault, for any 8-byte entry the shim
 * checks (page tables, grant entries): see pvops/ptwr.c.
 */
typedef int (*store_commit_t)(void *ctx, uint64_t old, uint64_t new, bool hi32);
bool pv_emulate_store(struct cpu_regs *regs, unsigned long addr,
                      const uint64_t *slot, store_commit_t commit, void *ctx);

/* Emulate the privileged instruction at regs->rip (#GP or #UD from guest). */
bool pv_emulate_privileged(struct cpu_regs *regs, unsigned int vec);

/*
 * A 32-bit guest's far CALL or JMP through one of its call gates (the #GP
 * with the gate's selector): done as the CPU would, or the fault it makes
 * given to the guest (pvops/callgate.c).
 */
void pv_emulate_gate_op(struct cpu_regs *regs);

#endif /* PVOPS_TRAPS_H */
