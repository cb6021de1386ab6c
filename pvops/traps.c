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

#ifdef CONFIG_PV32
/*
 * A 32-bit guest's bounce frame (Xen's compat_create_bounce_frame): from
 * ring 3 onto the kernel stack (kernel_ss:kernel_sp) with the interrupted
 * ESP and SS first; then EFLAGS (IF from the event mask, the virtual IOPL),
 * CS with the saved event mask in bits 16-23, EIP, and the error code if
 * there is one, as 32-bit words. Into the handler's cs:eip, which Xen
 * refuses null. The address arithmetic wraps at 32 bits, as the CPU's would.
 */
static __noinline void bounce32(struct cpu_regs *regs, unsigned int handler_cs,
                                unsigned long handler, long ec, bool mask_events,
                                unsigned int what)
{
    struct vcpu *v = current_vcpu();
    uint8_t saved_mask = v->vcpu_info->evtchn_upcall_mask;
    uint32_t frame[6], *f = frame, sp, base = 0;
    unsigned long ss;
    unsigned int n;

    /* A 32-bit guest's "no handler" is a null selector (Xen's null_trap_bounce). */
    if ( !(handler_cs & ~3) )
        guest_crash("%s %#x with no handler registered (eip %#lx)",
                    what_name(what), what, regs->rip);

    if ( ec >= 0 )
        *f++ = ec;
    *f++ = regs->rip;
    *f++ = (uint16_t)regs->cs | ((uint32_t)saved_mask << 16);
    *f++ = (regs->rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL)) |
           (saved_mask ? 0 : X86_EFLAGS_IF) |
           ((dom.vm_assist & (1UL << VMASST_TYPE_architectural_iopl)) ? v->iopl << 12 : 0);
    if ( regs->cs & 2 )
    {
        *f++ = regs->rsp;
        *f++ = regs->ss;
        sp = v->kernel_sp;
        ss = v->kernel_ss;
    }
    else
    {
        sp = regs->rsp;
        ss = regs->ss;
    }
    n = f - frame;
    sp -= n * sizeof(frame[0]);
    /*
     * Through the stack segment's base, as Xen writes the frame through %fs
     * loaded with it (Xen's own flat selectors have none; an LDT page the
     * window does not map now is not mapped here, without the domain lock).
     */
    if ( (ss & 4) || (ss >> 3) < FIRST_RESERVED_GDT_ENTRY )
    {
        struct seg_info s;

        if ( !pv_read_segment(v, ss & 0xffff, &s, false) )
            guest_crash("%s %#x: cannot read the stack segment %#lx",
                        what_name(what), what, ss);
        base = s.base;
    }
    if ( copy_to_guest((uint32_t)(base + sp), frame, n * sizeof(frame[0])) )
        guest_crash("%s %#x: cannot write the bounce frame at %#lx:%#x",
                    what_name(what), what, ss, sp);

    if ( mask_events )
        v->vcpu_info->evtchn_upcall_mask = 1;
    regs->rflags &= ~(X86_EFLAGS_VM | X86_EFLAGS_RF | X86_EFLAGS_NT | X86_EFLAGS_TF);
    regs->ss = ss;
    regs->rsp = sp;
    regs->cs = handler_cs;
    regs->rip = (uint32_t)handler;
    regs->vector = 0;
}
#else
static __noinline void bounce32(struct cpu_regs *regs, unsigned int handler_cs,
                                unsigned long handler, long ec, bool mask_events,
                                unsigned int what)
{
}
#endif

__hot_text static void bounce(struct cpu_regs *regs, unsigned int handler_cs,
                              unsigned long handler, long ec, bool mask_events,
                              unsigned int what)
{
    struct vcpu *v = current_vcpu();
    uint8_t saved_mask = v->vcpu_info->evtchn_upcall_mask;
    unsigned long frame[9], *f = frame, sp, cs = regs->cs;
    unsigned int n;

    if ( is_pv32() )
    {
        bounce32(regs, handler_cs, handler, ec, mask_events, what);
        return;
    }

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
    struct vcpu *v = current_vcpu();

    bounce(regs, v->event_callback_cs, v->event_callback, -1, true, WHAT_EVENT);
}

__hot_text void pv_inject_exception(struct cpu_regs *regs, unsigned int vec, long ec)
{
    struct vcpu *v = current_vcpu();
    const struct trap_info *ti = &v->trap_ctxt[vec & 255];

    if ( vec == 8 )
        guest_crash("double fault at %#lx", regs->rip);
    /*
     * A #PF's U/S says which guest mode it came from, for the CPU's and the
     * shim's own alike (Xen's pv_inject_event: guest_kernel_mode, ring 1
     * for a 32-bit guest, whose kernel is a supervisor to the CPU already).
     */
    if ( vec == 14 )
        ec = (ec & ~4L) | (guest_kernel_mode(v, regs) ? 0 : 4);
    bounce(regs, ti->cs, ti->address, ec, TI_GET_IF(ti), vec);
}

__hot_text static void pv_guest_trap(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    unsigned int vec = regs->vector;
    long ec = vec < 32 && (EC_VECTORS & (1u << vec)) ? (long)regs->error_code : -1;

    switch ( vec )
    {
    case 13:
        /*
         * Only a #GP(0) is a privileged instruction, and an "int n" the
         * IDT refused is (n << 3) | 2 (Xen's do_general_protection): a
         * selector's #GP is the guest's as it is.
         */
        if ( regs->error_code && (regs->error_code & 3) != 2 )
        {
            /* A 32-bit guest's call gate (Xen: the selector's #GP, not the IDT's). */
            if ( is_pv32() && !(regs->error_code & 2) )
            {
                domain_lock();
                pv_emulate_gate_op(regs);
                domain_unlock();
                pv_deliver_events(regs);
                return;
            }
            break;
        }
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
                vcpu_set_cr2(v, v->ldt_base + (cr2 - LDT_VIRT(v->id)));
                pv_inject_exception(regs, 14, 0);
            }
            return;
        }
        /* Linux reads CR2 from vcpu_info (U/S: pv_inject_exception). */
        vcpu_set_cr2(v, cr2);
        break;
    }

    case 2:                     /* NMIs come by x86/entry.S entry_nmi */
    case 18:                    /* #MC: not the guest's */
        return;

    case 0x80:
        /*
         * int $0x80 through the DPL3 gate: straight to the guest's handler
         * (its DPL is not checked, as in Xen), else the #GP it would get.
         * No handler is Xen's null_trap_bounce: a null address for a 64-bit
         * guest, a null code selector for a 32-bit one (int80_direct_trap).
         */
        if ( is_pv32() ? (v->trap_ctxt[0x80].cs & ~3) != 0
                       : v->trap_ctxt[0x80].address != 0 )
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
    bounce(regs, 0, cb, -1, v->callback_flags & (1u << type), WHAT_SYSCALL);
}

/*
 * SYSENTER from the guest (Intel only: x86/entry.S entry_sysenter built a
 * frame with a null RIP and RSP, as Xen's). Into the sysenter callback,
 * events masked if it was registered so; with none, #GP(0) (Xen's
 * sysenter_entry).
 */
#ifdef CONFIG_PV32
/*
 * SYSCALL from a 32-bit guest (AMD: compatibility mode goes by CSTAR; Xen's
 * compat_syscall): the frame says ring 3 (e02b, e033) whatever ring it came
 * from; into the syscall32 callback, events masked if it was registered
 * so; with none, #GP(0) at the SYSCALL.
 */
void pv_syscall32(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();

    regs->cs = COMPAT_FLAT_RING3_CS;
    regs->ss = COMPAT_FLAT_RING3_DS;
    regs->vector = 0;
    if ( !(v->syscall32_callback_cs & ~3) )
    {
        regs->rip = (uint32_t)(regs->rip - 2);
        pv_inject_exception(regs, 13, 0);
    }
    else
        bounce(regs, v->syscall32_callback_cs, v->syscall32_callback, -1,
               v->callback_flags & (1u << CALLBACKTYPE_syscall32), WHAT_SYSCALL);
    pv_deliver_events(regs);
}
#endif

void pv_sysenter(struct cpu_regs *regs);
void pv_sysenter(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    unsigned int cs = v->sysenter_callback_cs;

    /*
     * A 32-bit guest (Xen's compat_sysenter): its ring-3 data selector for
     * SS, the callback's selector or, if null, the #GP handler's.
     */
    if ( is_pv32() )
    {
        regs->ss = COMPAT_FLAT_RING3_DS;
        if ( !(cs & ~3) )
            cs = v->trap_ctxt[13].cs;
    }

    if ( !v->sysenter_callback )
        pv_inject_exception(regs, 13, 0);
    else
        bounce(regs, cs, v->sysenter_callback, -1,
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

#ifdef CONFIG_PV32
/*
 * A 32-bit guest's iret (Xen's compat_iret): the hypercall page's stub
 * pushed EAX on the frame [EAX, EIP, CS, EFLAGS(, ESP, SS)], 32-bit words;
 * back to ring 1 with ESP past the frame, to ring 2 or 3 with the frame's
 * ESP and SS; the event mask from IF; EAX restored (the call's result). A
 * frame that cannot be read, or one returning to ring 0, ends the guest,
 * as on Xen; one with EFLAGS.VM set becomes a #GP at the kernel's handler,
 * its frame copied onto the kernel stack (Xen's VM86 path).
 */
long pv_iret32(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    uint32_t f[6], sp = regs->rsp;

    if ( copy_from_guest(f, sp, 4 * sizeof(f[0])) )
        guest_crash("iret: frame at %#x is unreadable", sp);
    regs->rsp = sp;
    regs->rax = f[0];
    regs->rip = f[1];
    regs->cs = (uint16_t)f[2];
    if ( dom.vm_assist & (1UL << VMASST_TYPE_architectural_iopl) )
        v->iopl = (f[3] >> 12) & 3;
    regs->rflags = (f[3] & ~X86_EFLAGS_IOPL) | X86_EFLAGS_IF;

    if ( f[3] & X86_EFLAGS_VM )
    {
        const struct trap_info *ti = &v->trap_ctxt[13];
        uint32_t frame[9], ksp = v->kernel_sp - 40;

        /* Words 1-9 of the frame to the kernel stack, EAX's slot 0. */
        if ( copy_from_guest(frame, sp + 4, sizeof(frame)) ||
             copy_to_guest(ksp + 4, frame, sizeof(frame)) )
            guest_crash("iret to VM86 mode: cannot move its frame to %#x", ksp);
        regs->rsp = ksp;
        regs->ss = v->kernel_ss;
        if ( TI_GET_IF(ti) )
            f[3] &= ~X86_EFLAGS_IF;
        regs->rflags &= ~(X86_EFLAGS_VM | X86_EFLAGS_RF | X86_EFLAGS_NT | X86_EFLAGS_TF);
        frame[0] = 0;
        if ( copy_to_guest(ksp, frame, sizeof(frame[0])) )
            guest_crash("iret to VM86 mode: cannot write its error code at %#x", ksp);
        regs->rip = ti->address;
        regs->cs = ti->cs;
    }
    else if ( !(regs->cs & 3) )
        guest_crash("iret to ring 0 (cs %#lx)", regs->cs);
    else if ( (regs->cs & 3) == 1 )
        regs->rsp = (uint32_t)(sp + 16);
    else if ( copy_from_guest(&f[4], sp + 16, 2 * sizeof(f[0])) )
        guest_crash("iret: frame at %#x is unreadable", sp);
    else
    {
        regs->rsp = f[4];
        regs->ss = (uint16_t)f[5];
    }
    v->vcpu_info->evtchn_upcall_mask = !(f[3] & X86_EFLAGS_IF);
    v->nmi_masked = false;
    regs->vector = 0;
    return regs->rax;
}
#endif

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
    bounce(regs, ti->cs, ti->address, -1, TI_GET_IF(ti), 2);
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
