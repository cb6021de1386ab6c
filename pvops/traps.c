/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/traps.c - exceptions the guest raises. Bouncing them to the guest's
 * own handlers (set_trap_table) is the CPU-virtualisation step; until then
 * a guest exception ends the guest, with its registers on the console.
 */
#include "pvops/domain.h"
#include "pvops/traps.h"
#include "x86/traps.h"
#include "lib/printk.h"

static void pv_guest_trap(struct cpu_regs *regs)
{
    pr_err("d%u: exception %lu, error code %#lx, in guest %s mode\n",
           dom.domid, regs->vector, regs->error_code,
           current_vcpu()->kernel_mode ? "kernel" : "user");
    show_registers(regs);
    guest_crash("unhandled exception %lu at %#lx (exceptions are not bounced "
                "to the guest yet)", regs->vector, regs->rip);
}

void pv_traps_init(void)
{
    traps_set_guest_handler(pv_guest_trap);
}
