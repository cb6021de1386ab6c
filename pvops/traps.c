/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/traps.c - exceptions and callbacks into the PV guest, and iret.
 *
 * The bounce frame (xen/arch/x86/x86_64/entry.S create_bounce_frame), on the
 * guest kernel stack, lowest word first:
 *
 *   RCX, R11, [error code], RIP, CS | saved_upcall_mask << 32, RFLAGS, RSP, SS
 *
 * From guest user mode the vCPU first switches to kernel mode and to the
 * stack given by stack_switch; from kernel mode it uses the current stack
 * and clears the RPL of the saved CS (0xe030: "interrupted kernel"). The
 * stack is rounded down to 16 bytes. RFLAGS.IF in the frame is the inverse
 * of the upcall mask (the guest's virtual IF).
 */
#include "pvops/descriptors.h"
#include "pvops/evtchn.h"
#include "pvops/traps.h"
#include "x86/cpu.h"
#include "x86/desc.h"
#include "x86/traps.h"
#include "x86/uaccess.h"
#include "lib/printk.h"
#include "lib/vsnprintf.h"

#define X86_CR0_TS       (1UL << 3)

/* Vectors with an error code (xen/arch/x86/include/asm/x86-defns.h). */
#define EC_VECTORS ((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | \
                    (1u << 13) | (1u << 14) | (1u << 17) | (1u << 21) | \
                    (1u << 29) | (1u << 30))

#define MSR_GS_BASE         0xc0000101
#define MSR_SHADOW_GS_BASE  0xc0000102

static inline void swapgs(void)
{
    __asm__ volatile ( "swapgs" ::: "memory" );
}

__hot_text void pv_toggle_guest_mode(struct vcpu *v)
{
    swapgs();
    v->kernel_mode = !v->kernel_mode;
    write_cr3(v->kernel_mode ? v->guest_table : v->guest_table_user);
}

/*
 * Build the frame and point regs at handler. flags: TBF_INTERRUPT masks
 * events on entry. A frame that cannot be written ends the guest: it has
 * no working stack to be told on.
 */
/* What is being delivered, for crash messages: an exception vector or these. */
#define WHAT_EVENT    0x100
#define WHAT_SYSCALL  0x101

static const char *what_name(unsigned int what)
{
    return what == WHAT_EVENT ? "event upcall" :
           what == WHAT_SYSCALL ? "syscall" : "exception";
}

__hot_text static void bounce(struct cpu_regs *regs, unsigned long handler, long ec,
                   bool mask_events, unsigned int what)
{
    struct vcpu *v = current_vcpu();
    uint8_t saved_mask = v->vcpu_info->evtchn_upcall_mask;
    unsigned long frame[9], *f = frame, sp, cs = regs->cs;
    unsigned int n;

    if ( is_pv32() )
        guest_crash("32-bit PV: %s %#x: bounces to 32-bit guests are not done yet",
                    what_name(what), what);

    if ( !handler )
    {
        guest_crash("%s %#x with no handler registered (rip %#lx)",
                    what_name(what), what, regs->rip);
    }

    if ( !v->kernel_mode )
    {
        pv_toggle_guest_mode(v);
        sp = v->kernel_sp;
    }
    else
    {
        sp = regs->rsp;
        cs &= ~3UL;
    }

    *f++ = regs->rcx;
    *f++ = regs->r11;
    if ( ec >= 0 )
        *f++ = (uint32_t)ec;
    *f++ = regs->rip;
    *f++ = cs | ((unsigned long)saved_mask << 32);
    *f++ = (regs->rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL)) |
           (saved_mask ? 0 : X86_EFLAGS_IF) |
           ((dom.vm_assist & (1UL << VMASST_TYPE_architectural_iopl))
            ? (unsigned long)v->iopl << 12 : 0);
    *f++ = regs->rsp;
    *f++ = regs->ss;
    n = f - frame;

    sp = (sp & ~15UL) - n * sizeof(frame[0]);
    if ( copy_to_guest(sp, frame, n * sizeof(frame[0])) )
        guest_crash("%s %#x: cannot write the bounce frame at %#lx",
                    what_name(what), what, sp);

    if ( mask_events )
        v->vcpu_info->evtchn_upcall_mask = 1;
    regs->rip = handler;
    regs->cs = FLAT_KERNEL_CS;
    regs->ss = FLAT_KERNEL_SS;
    regs->rsp = sp;
    regs->rflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_VM |
                      X86_EFLAGS_RF | X86_EFLAGS_AC);
    /*
     * RCX and R11 are in the frame (the handler pops them first), so the
     * way in may clobber them: SYSRET, as Xen enters bounce handlers
     * (x86/entry.S ENTRY_SYSCALL; it still checks the frame allows it).
     */
    regs->vector = 0x100;
}

/* The event callback: always with events masked (pv64-abi.md 5.2). */
__hot_text void pv_event_callback(struct cpu_regs *regs)
{
    bounce(regs, current_vcpu()->event_callback, -1, true, WHAT_EVENT);
}

__hot_text void pv_inject_exception(struct cpu_regs *regs, unsigned int vec, long ec)
{
    const struct trap_info *ti = &current_vcpu()->trap_ctxt[vec & 255];
    if ( vec == 8 )
        guest_crash("double fault at %#lx", regs->rip);
    bounce(regs, ti->address, ec, TI_GET_IF(ti), vec);
}

__hot_text static void pv_guest_trap(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    unsigned int vec = regs->vector;
    long ec = vec < 32 && (EC_VECTORS & (1u << vec)) ? (long)regs->error_code : -1;

    if ( is_pv32() && vec != 2 && vec != 18 )
        guest_crash("32-bit PV: exception %u (error %#lx) at %04lx:%08lx: exceptions "
                    "are not delivered to 32-bit guests yet", vec, regs->error_code,
                    regs->cs, regs->rip);
    switch ( vec )
    {
    case 13:
        /*
         * Only a #GP(0) is a privileged instruction, and an "int n" the
         * IDT refused is (n << 3) | 2 (Xen's do_general_protection): a
         * selector's #GP is the guest's as it is.
         */
        if ( regs->error_code && (regs->error_code & 3) != 2 )
            break;
        /* fall through */
    case 6:                                     /* #UD: forced emulation */
    {
        bool done;

        domain_lock();
        done = pv_emulate_privileged(regs, vec);
        domain_unlock();
        if ( done )
        {
            pv_deliver_events(regs);
            return;
        }
        break;
    }

    case 1:                                     /* #DB */
    {
        /*
         * What the debug status says goes to the guest's DR6 (Xen: it
         * accumulates until the guest writes it), and the hardware's is
         * reset for the next one.
         */
        unsigned long dr6;

        __asm__ volatile ( "mov %%db6, %0" : "=r" (dr6) );
        v->debugreg[6] |= dr6 & ~0xffff0ff0UL;
        __asm__ volatile ( "mov %0, %%db6" :: "r" (0xffff0ff0UL) );
        break;
    }

    case 7:                                     /* #NM: lazy FPU */
        /* The guest's CR0.TS was set: clear it and let the guest know. */
        v->fpu_ts = false;
        __asm__ volatile ( "clts" );
        break;

    case 14:                                    /* #PF */
    {
        /* Read first: the shim's own recoverable faults below reload CR2. */
        unsigned long cr2 = read_cr2();

        /* Only a write to a present, read-only page can be a PTE write. */
        if ( (regs->error_code & 0x1b) == 0x3 )
        {
            bool done;

            domain_lock();
            done = pv_ptwr_fault(regs, cr2);
            domain_unlock();
            if ( done )
                return;
        }
        /*
         * A descriptor the guest's GDT does not have (the window beyond
         * its frames): #GP with that selector, as Xen turns such faults
         * (handle_gdt_ldt_mapping_fault).
         */
        if ( cr2 - GDT_VIRT(v->id) < 0x10000 )
        {
            pv_inject_exception(regs, 13, (cr2 - GDT_VIRT(v->id)) & 0xfff8);
            return;
        }
        /*
         * The LDT window: map the guest's LDT page. If it cannot be (not
         * mapped, or a bad descriptor in it), the guest gets what Xen
         * gives: a #PF at its own LDT address, error code 0.
         */
        if ( cr2 - LDT_VIRT(v->id) < 0x10000 )
        {
            bool done;

            domain_lock();
            done = pv_ldt_fault(v, cr2);
            domain_unlock();
            if ( !done )
            {
                v->vcpu_info->arch.cr2 = v->ldt_base + (cr2 - LDT_VIRT(v->id));
                pv_inject_exception(regs, 14, 0);
            }
            return;
        }
        /* Linux reads CR2 from vcpu_info; U/S says which guest mode faulted. */
        v->vcpu_info->arch.cr2 = cr2;
        ec = (ec & ~4L) | (v->kernel_mode ? 0 : 4);
        break;
    }

    case 2:                     /* NMIs come by x86/entry.S entry_nmi */
    case 18:                    /* #MC: not the guest's */
        return;

    case 0x80:
        /*
         * int $0x80 through the DPL3 gate: straight to the guest's handler
         * (its DPL is not checked, as in Xen), else the #GP it would get.
         */
        if ( v->trap_ctxt[0x80].address )
        {
            pv_inject_exception(regs, 0x80, -1);
            return;
        }
        regs->rip -= 2;
        pv_inject_exception(regs, 13, (0x80 << 3) | 2);
        return;
    }

    if ( vec >= 32 )
        guest_crash("unexpected interrupt %u in the guest", vec);
    pv_inject_exception(regs, vec, ec);
    pv_deliver_events(regs);
}

__hot_text void pv_user_syscall(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    bool compat = regs->cs == FLAT_RING3_CS32;
    unsigned long cb = compat ? v->syscall32_callback : v->syscall_callback;
    unsigned int type = compat ? CALLBACKTYPE_syscall32 : CALLBACKTYPE_syscall;

    if ( !cb )
    {
        /* No callback: the SYSCALL instruction raises #UD (Xen's lstar_enter). */
        regs->rip -= 2;
        pv_inject_exception(regs, 6, -1);
        return;
    }
    /* The virtual SYSCALL mask clears DF only. */
    regs->rflags &= ~X86_EFLAGS_DF;
    bounce(regs, cb, -1, v->callback_flags & (1u << type), WHAT_SYSCALL);
}

/*
 * SYSENTER from the guest (Intel only: x86/entry.S entry_sysenter built a
 * frame with a null RIP and RSP, as Xen's). Into the sysenter callback,
 * events masked if it was registered so; with none, #GP(0) (Xen's
 * sysenter_entry).
 */
void pv_sysenter(struct cpu_regs *regs);
void pv_sysenter(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();

    if ( !v->sysenter_callback )
        pv_inject_exception(regs, 13, 0);
    else
        bounce(regs, v->sysenter_callback, -1,
               v->callback_flags & (1u << CALLBACKTYPE_sysenter), WHAT_SYSCALL);
    pv_deliver_events(regs);
}

/*
 * The iret hypercall (xen/arch/x86/pv/iret.c): the guest pushed ss, rsp,
 * rflags, cs, rip, flags and the stub rcx, r11, rax; returns to that
 * context, in user mode when cs says ring 3.
 */
__hot_text long pv_iret(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    struct iret_context c;

    if ( copy_from_guest(&c, regs->rsp, sizeof(c)) )
        guest_crash("iret: frame at %#lx is unreadable", regs->rsp);

    if ( (c.cs & 3) == 3 )
    {
        if ( !v->guest_table_user )
            guest_crash("iret to user mode with no user page table");
        pv_toggle_guest_mode(v);
    }

    if ( dom.vm_assist & (1UL << VMASST_TYPE_architectural_iopl) )
        v->iopl = (c.rflags >> 12) & 3;

    regs->rip = c.rip;
    regs->cs = c.cs | 3;
    regs->rflags = (c.rflags & EFLAGS_GUEST & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM)) |
                   X86_EFLAGS_IF | 2;
    regs->rsp = c.rsp;
    regs->ss = c.ss | 3;
    if ( c.flags & VGCF_in_syscall )
        regs->vector = 0x100;           /* x86/entry.S ENTRY_SYSCALL: SYSRET */
    else
    {
        regs->rcx = c.rcx;
        regs->r11 = c.r11;
        regs->vector = 0;               /* IRETQ restores rcx and r11 */
    }
    v->vcpu_info->evtchn_upcall_mask = !(c.rflags & X86_EFLAGS_IF);
    /* Any iret ends the NMI handler (Xen's async_exception_cleanup). */
    v->nmi_masked = false;
    return c.rax;
}

/*
 * The IRETQ back to the guest faulted on what the guest gave its iret: #NP
 * or #SS for a selector not present, #GP for a bad selector, a null SS or
 * a non-canonical RIP, #PF on the LDT window. As Xen (its pre-exception
 * table entry on the IRETQ), the fault is the target context's own, and
 * handled as one from the guest: bounced to its handler, the LDT page
 * mapped, a #GP(0) emulated at the target if it is a privileged
 * instruction. Called from x86/entry.S, which then tries the way out again.
 */
void pv_iret_fault(struct cpu_regs *regs);
void pv_iret_fault(struct cpu_regs *regs)
{
    regs->vector = fixed_fault.vector;
    regs->error_code = fixed_fault.error_code;
    pv_guest_trap(regs);
}

/*
 * An NMI for the guest (pv64-abi.md; Xen's process_nmi): unless it is in
 * its NMI handler already, into the trap table's vector 2 (the NMI callback)
 * with NMIs masked until its next iret; with no handler it is dropped. The
 * pending NMI is consumed either way, as Xen does.
 */
__hot_text bool pv_deliver_nmi(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    const struct trap_info *ti = &v->trap_ctxt[2];

    if ( !v->nmi_pending || v->nmi_masked )
        return false;
    v->nmi_pending = false;
    if ( !ti->address )
        return false;
    v->nmi_masked = true;
    bounce(regs, ti->address, -1, TI_GET_IF(ti), 2);
    return true;
}

/* From x86/entry.S: an NMI L0 sent reached this CPU. */
static void pv_nmi(struct cpu_regs *regs)
{
    current_vcpu()->nmi_pending = true;
    pv_deliver_events(regs);
}

void pv_traps_init(void)
{
    traps_set_guest_handler(pv_guest_trap);
    traps_set_nmi_handler(pv_nmi);
}
