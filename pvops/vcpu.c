/* SPDX-License-Identifier: GPL-2.0-only */
/* pvops/vcpu.c - the CPU state a PV guest sets through hypercalls. */
#include "pvops/descriptors.h"
#include "pvops/mm.h"
#include "pvops/vcpu.h"
#include "pvops/traps.h"
#include "pvops/evtchn.h"
#include "pvops/time.h"
#include "x86/smp.h"
#include "x86/xstate.h"
#include "lib/compat.h"
#include "lib/printk.h"
#include "x86/cpu.h"
#include "x86/desc.h"
#include "x86/l0.h"
#include "x86/uaccess.h"
#include "lib/string.h"

#define MSR_FS_BASE         0xc0000100
#define MSR_GS_BASE         0xc0000101
#define MSR_SHADOW_GS_BASE  0xc0000102
#define X86_CR0_TS          (1UL << 3)

/*
 * A guest selector never gets a ring below the guest kernel's (3 for a
 * 64-bit guest): Xen's fixup_guest_stack_selector/code_selector.
 */
/*
 * Xen's fixup_guest_{code,stack}_selector: the RPL raised to the guest
 * kernel's ring, 3 for a 64-bit guest, 1 for a 32-bit one.
 */
static unsigned long fixup_selector(unsigned long sel)
{
    unsigned long rpl = is_pv32() ? 1 : 3;

    return (sel & 3) < rpl ? (sel & ~3UL) | rpl : sel;
}

long vcpu_set_trap(struct vcpu *v, const struct trap_info *ti)
{
    /* A 32-bit guest's cs:eip needs no check here (Xen's compat_set_trap_table). */
    if ( !is_pv32() && !is_canonical(ti->address) )
        return -XEN_EINVAL;
    v->trap_ctxt[ti->vector] = *ti;
    v->trap_ctxt[ti->vector].cs = fixup_selector(ti->cs);
    return 0;
}

void vcpu_clear_traps(struct vcpu *v)
{
    memset(v->trap_ctxt, 0, sizeof(v->trap_ctxt));
}

long vcpu_register_callback(struct vcpu *v, unsigned int type,
                            unsigned long address, unsigned int flags)
{
    unsigned long *slot;

    if ( !is_canonical(address) )
        return -XEN_EINVAL;

    switch ( type )
    {
    case CALLBACKTYPE_event:     slot = &v->event_callback; break;
    case CALLBACKTYPE_failsafe:  slot = &v->failsafe_callback; break;
    case CALLBACKTYPE_syscall:   slot = &v->syscall_callback; break;
    case CALLBACKTYPE_syscall32: slot = &v->syscall32_callback; break;
    case CALLBACKTYPE_sysenter:  slot = &v->sysenter_callback; break;
    case CALLBACKTYPE_nmi:
        /*
         * The NMI handler is vector 2 of the trap table, entered with events
         * masked (Xen's register_guest_nmi_callback; flags are ignored).
         */
        v->trap_ctxt[2] = (struct trap_info){
            .vector = 2, .cs = is_pv32() ? COMPAT_FLAT_RING1_CS : FLAT_KERNEL_CS,
            .address = address,
        };
        TI_SET_IF(&v->trap_ctxt[2], 1);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
    *slot = address;
    if ( flags & CALLBACKF_mask_events )
        v->callback_flags |= 1u << type;
    else
        v->callback_flags &= ~(1u << type);
    return 0;
}

/*
 * A 32-bit guest's callback, cs:eip (Xen's compat_register_guest_callback):
 * the selector's RPL raised to 1; no 64-bit syscall callback (-ENOSYS).
 */
long vcpu_register_callback32(struct vcpu *v, unsigned int type, unsigned int cs,
                              unsigned long eip, unsigned int flags)
{
    cs = fixup_selector(cs);
    switch ( type )
    {
    case CALLBACKTYPE_event:    v->event_callback_cs = cs; break;
    case CALLBACKTYPE_failsafe: v->failsafe_callback_cs = cs; break;
    case CALLBACKTYPE_sysenter: v->sysenter_callback_cs = cs; break;
    case CALLBACKTYPE_syscall32: v->syscall32_callback_cs = cs; break;
    case CALLBACKTYPE_nmi:
        break;
    default:
        return -XEN_ENOSYS;
    }
    return vcpu_register_callback(v, type, eip, flags);
}

long vcpu_unregister_callback(struct vcpu *v, unsigned int type)
{
    switch ( type )
    {
    case CALLBACKTYPE_nmi:
        memset(&v->trap_ctxt[2], 0, sizeof(v->trap_ctxt[2]));
        return 0;
    /* Xen lets only the NMI callback go (pv/callback.c unregister_guest_callback). */
    case CALLBACKTYPE_event:
    case CALLBACKTYPE_failsafe:
    case CALLBACKTYPE_syscall:
    case CALLBACKTYPE_syscall32:
    case CALLBACKTYPE_sysenter:
        return -XEN_EINVAL;
    default:
        return -XEN_ENOSYS;
    }
}

long vcpu_stack_switch(struct vcpu *v, unsigned long ss, unsigned long sp)
{
    v->kernel_ss = fixup_selector(ss);
    v->kernel_sp = sp;
    return 0;
}

/*
 * VCPUOP_register_vcpu_info (Xen's common/domain.c map_vcpu_info): once per
 * vCPU, inside one guest frame that can be writable. The shim writes the
 * vcpu_info from then on (pending bits, CR2, time), so the frame keeps a
 * PGT_writable type reference for as long as it is registered, which is
 * for ever: it can never become a page table or a descriptor page under
 * the shim's writes. The current contents move along and every event
 * selector is set so the guest rescans.
 */
long vcpu_register_info(struct vcpu *v, unsigned long mfn, unsigned int offset)
{
    vcpu_info_t *new;
    /* A 32-bit guest's vcpu_info (the same size) needs 4-byte alignment only. */
    size_t align = is_pv32() ? __alignof__(struct compat_vcpu_info)
                             : __alignof__(vcpu_info_t);

    BUILD_BUG_ON(sizeof(struct compat_vcpu_info) != sizeof(vcpu_info_t));
    /* Inside the frame, and aligned: Xen's -ENXIO. */
    if ( offset > PAGE_SIZE - sizeof(vcpu_info_t) || (offset & (align - 1)) )
        return -XEN_ENXIO;
    if ( v->vcpu_info_registered )
        return -XEN_EINVAL;
    /* Xen: on the caller's own vCPU, or on one that is down. */
    if ( v != current_vcpu() && v->up )
        return -XEN_EINVAL;
    /* Only the guest's RAM: the rings are L0's to write, shared_info the shim's. */
    if ( frame_owner(mfn) != FRAME_guest )
        return -XEN_EINVAL;
    /* Not the guest's, or in use as a table or descriptors: Xen's -EINVAL. */
    if ( get_page_and_type(&frames, mfn, PGT_writable) )
        return -XEN_EINVAL;
    mm_flush_if_needed();            /* it may have been a table */

    new = (vcpu_info_t *)((uint8_t *)frames.map(mfn) + offset);
    /* Past the 32 legacy slots there was none: Xen's dummy one is zeros. */
    if ( v->vcpu_info )
        memcpy(new, v->vcpu_info, sizeof(*new));
    else
        memset(new, 0, sizeof(*new));
    new->evtchn_upcall_pending = 1;
    if ( is_pv32() )        /* its 32-bit selector (lib/compat.h) */
        ((struct compat_vcpu_info *)new)->evtchn_pending_sel = ~0U;
    else
        new->evtchn_pending_sel = ~0UL;
    v->vcpu_info = new;
    v->vcpu_info_registered = true;
    v->vcpu_info_mfn = mfn;
    return 0;
}

/*
 * After a restore (pvops/suspend.c): as in a new domain, v has no
 * vcpu_info of its own: its legacy slot, as the restore of a PV guest
 * leaves it (no event pending); past 32, where there is none, a dummy of
 * the shim's (Xen's dummy_vcpu_info), which a running vCPU writes until
 * the guest registers one. No runstate or time area.
 */
static vcpu_info_t dummy_info[PV_MAX_VCPUS];

void vcpu_forget_areas(struct vcpu *v)
{
    if ( v->vcpu_info_registered )
    {
        put_page_and_type(&frames, v->vcpu_info_mfn);
        v->vcpu_info_registered = false;
    }
    v->vcpu_info_dummy = v->id >= XEN_LEGACY_MAX_VCPUS;
    v->vcpu_info = v->vcpu_info_dummy ? &dummy_info[v->id]
                                      : &dom.shared_info->vcpu_info[v->id];
    if ( v->vcpu_info_dummy )
        memset(v->vcpu_info, 0, sizeof(*v->vcpu_info));
    v->vcpu_info->evtchn_upcall_pending = 0;
    /*
     * Masked: the guest suspended with events masked and unmasks them when
     * it is ready (registering a vcpu_info copies this one, mask and all).
     */
    v->vcpu_info->evtchn_upcall_mask = 1;
    if ( is_pv32() )
        ((struct compat_vcpu_info *)v->vcpu_info)->evtchn_pending_sel = 0;
    else
        v->vcpu_info->evtchn_pending_sel = 0;
    v->runstate_area = 0;
    v->time_area = 0;
}

/*
 * A vCPU that was down when the container was saved comes back never
 * initialised (Xen's vcpu_reset): what it held goes (its GDT and LDT
 * frames, its page tables), and what it was in the middle of.
 */
void vcpu_reset(struct vcpu *v)
{
    pv_set_gdt(v, NULL, 0);
    pv_drop_ldt(v);
    mm_clear_baseptrs(v);
    v->in_multicall = v->cont_pending = false;
    v->nmi_pending = v->nmi_masked = false;
    v->initialised = false;
}

/* ---------------------------------------------------------------- bringing vCPUs up and down */

/* Xen's __addr_ok for a 64-bit guest: below the hole or above the hypervisor's range. */
static bool addr_ok(unsigned long va)
{
    return va < (1UL << 47) || va >= HYPERVISOR_VIRT_END;
}

/*
 * VCPUOP_initialise for a 64-bit PV vCPU (Xen's arch_set_info_guest), its
 * context copied in: the checks in Xen's order, each with Xen's errno. The
 * FPU state (VGCF_I387_VALID) is not taken: the vCPU starts with the
 * CPU's reset state, as Xen's does without that flag (Linux never sets it).
 */
#ifdef CONFIG_PV32
/*
 * VCPUOP_initialise of a 32-bit guest (Xen's compat arch_set_info_guest):
 * its 2800-byte context in the 64-bit one's terms (every value zero-
 * extended, its cr3 unfolded from Xen's 32-bit format, no user table, in
 * kernel mode: a 32-bit guest has one), then as for a 64-bit vCPU; the
 * callbacks' selectors and the data selectors are its own.
 */
long vcpu_initialise32(struct vcpu *v, const struct compat_vcpu_guest_context *c)
{
    /* One context at a time: the domain lock is held (5 KiB, not on the stack). */
    static struct vcpu_guest_context n;
    const struct compat_cpu_user_regs *u = &c->user_regs;
    uint32_t cr3 = c->ctrlreg[3];

    if ( v->initialised )
        return -XEN_EEXIST;
    memset(&n, 0, sizeof(n));
    n.flags = c->flags | VGCF_in_kernel;
    n.user_regs.rax = u->eax; n.user_regs.rbx = u->ebx; n.user_regs.rcx = u->ecx;
    n.user_regs.rdx = u->edx; n.user_regs.rsi = u->esi; n.user_regs.rdi = u->edi;
    n.user_regs.rbp = u->ebp; n.user_regs.rip = u->eip; n.user_regs.cs = u->cs;
    n.user_regs.rflags = u->eflags; n.user_regs.rsp = u->esp; n.user_regs.ss = u->ss;
    for ( unsigned int i = 0; i < 256; i++ )
        n.trap_ctxt[i] = (struct trap_info){
            .vector = c->trap_ctxt[i].vector, .flags = c->trap_ctxt[i].flags,
            .cs = c->trap_ctxt[i].cs, .address = c->trap_ctxt[i].address,
        };
    n.ldt_base = c->ldt_base;
    n.ldt_ents = c->ldt_ents;
    for ( unsigned int i = 0; i < 16; i++ )
        n.gdt_frames[i] = c->gdt_frames[i];
    n.gdt_ents = c->gdt_ents;
    n.kernel_ss = c->kernel_ss;
    n.kernel_sp = c->kernel_sp;
    n.ctrlreg[0] = c->ctrlreg[0];
    n.ctrlreg[3] = (unsigned long)((cr3 >> 12) | (cr3 << 20)) << PAGE_SHIFT;
    for ( unsigned int i = 0; i < 8; i++ )
        n.debugreg[i] = c->debugreg[i];
    n.event_callback_eip = c->event_callback_eip;
    n.failsafe_callback_eip = c->failsafe_callback_eip;

    v->event_callback_cs = fixup_selector(c->event_callback_cs);
    v->failsafe_callback_cs = fixup_selector(c->failsafe_callback_cs);
    v->start_sel[0] = u->ds;
    v->start_sel[1] = u->es;
    v->start_sel[2] = u->fs;
    v->start_sel[3] = u->gs;
    return vcpu_initialise(v, &n);
}
#endif

long vcpu_initialise(struct vcpu *v, struct vcpu_guest_context *c)
{
    struct cpu_user_regs *u = &c->user_regs;
    struct cpu_regs *r = &v->start_regs;
    unsigned long cr3, ucr3;
    long rc;

    if ( v->initialised )
        return -XEN_EEXIST;
    if ( !is_canonical(u->rip) || !is_canonical(u->rsp) ||
         !is_canonical(c->kernel_sp) ||
         (c->ldt_ents && !is_canonical(c->ldt_base)) ||
         !is_canonical(c->fs_base) || !is_canonical(c->gs_base_kernel) ||
         !is_canonical(c->gs_base_user) || !is_canonical(c->event_callback_eip) ||
         !is_canonical(c->syscall_callback_eip) ||
         !is_canonical(c->failsafe_callback_eip) )
        return -XEN_EINVAL;
    for ( unsigned int i = 0; i < 256; i++ )
        if ( !is_canonical(c->trap_ctxt[i].address) )
            return -XEN_EINVAL;
    if ( !addr_ok(c->ldt_base) || (c->ldt_base & (PAGE_SIZE - 1)) ||
         c->ldt_ents > 8192 )
        return -XEN_EINVAL;
    if ( (c->gdt_ents + 511) / 512 > FIRST_RESERVED_GDT_PAGE )
        return -XEN_EINVAL;
    if ( !(c->flags & VGCF_in_kernel) && !c->ctrlreg[1] )
        return -XEN_EINVAL;

    /* The state as given (trap table, callbacks, stacks, bases). */
    for ( unsigned int i = 0; i < 256; i++ )
    {
        v->trap_ctxt[i] = c->trap_ctxt[i];
        v->trap_ctxt[i].cs = fixup_selector(c->trap_ctxt[i].cs);
    }
    v->event_callback = c->event_callback_eip;
    v->failsafe_callback = c->failsafe_callback_eip;
    v->syscall_callback = c->syscall_callback_eip;
    v->callback_flags = (c->flags & VGCF_failsafe_disables_events ?
                         1u << CALLBACKTYPE_failsafe : 0) |
                        (c->flags & VGCF_syscall_disables_events ?
                         1u << CALLBACKTYPE_syscall : 0);
    v->kernel_ss = fixup_selector(c->kernel_ss);
    v->kernel_sp = c->kernel_sp;
    v->fs_base = c->fs_base;
    v->gs_base_kernel = c->gs_base_kernel;
    v->gs_base_user = c->gs_base_user;
    v->kernel_mode = c->flags & VGCF_in_kernel;
    v->fpu_ts = c->ctrlreg[0] & X86_CR0_TS;
    v->ldt_base = c->ldt_ents ? c->ldt_base : 0;
    v->ldt_ents = c->ldt_ents;
    v->iopl = (u->rflags >> 12) & 3;
    /* The debug registers: reset, then each set as set_debugreg would (errors dropped). */
    memset(v->debugreg, 0, sizeof(v->debugreg));
    v->debugreg[6] = 0xffff0ff0UL;
    v->debugreg[7] = 0x400UL;
    for ( unsigned int i = 0; i < 8; i++ )
        if ( i != 4 && i != 5 )
            vcpu_set_debugreg(v, i, c->debugreg[i]);

    memset(r, 0, sizeof(*r));
    r->r15 = u->r15; r->r14 = u->r14; r->r13 = u->r13; r->r12 = u->r12;
    r->rbp = u->rbp; r->rbx = u->rbx; r->r11 = u->r11; r->r10 = u->r10;
    r->r9 = u->r9; r->r8 = u->r8; r->rax = u->rax; r->rcx = u->rcx;
    r->rdx = u->rdx; r->rsi = u->rsi; r->rdi = u->rdi;
    r->rip = u->rip;
    r->cs = fixup_selector(u->cs);
    /* What an iret could give it (pv_iret): IOPL apart, VM never, IF on. */
    r->rflags = (u->rflags & EFLAGS_GUEST & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM)) |
                X86_EFLAGS_IF | 2;
    r->rsp = u->rsp;
    r->ss = fixup_selector(u->ss);

    /* Its GDT, then its page tables (type references, validated if new). */
    if ( (rc = pv_set_gdt(v, c->gdt_frames, c->gdt_ents)) )
        return rc;
    cr3 = c->ctrlreg[3] >> PAGE_SHIFT;
    ucr3 = c->ctrlreg[1] >> PAGE_SHIFT;
    /* Frame 0 is never the guest's (Xen's get_page_from_mfn fails): -EINVAL. */
    if ( !cr3 || (c->ctrlreg[1] && !ucr3) ||
         mm_new_baseptr(v, cr3, false) || (ucr3 && mm_new_baseptr(v, ucr3, true)) )
    {
        mm_clear_baseptrs(v);
        rc = -XEN_EINVAL;
    }
    if ( rc )
    {
        pv_set_gdt(v, NULL, 0);
        return rc;
    }
    v->initialised = true;
    if ( c->flags & VGCF_online )
        return vcpu_up(v);
    return 0;
}

/* The CPU state of v, on the CPU that starts running it. */
static void vcpu_load(struct vcpu *v)
{
    /* The CR4 bits the guest controls are v's, not the starting CPU's. */
    write_cr4((read_cr4() & ~PV_CR4_HW) | (v->cr4 & PV_CR4_HW));
    xsetbv(0, v->xcr0);
    vcpu_fpu_taskswitch(v, v->fpu_ts);
    wrmsrl(MSR_FS_BASE, v->fs_base);
    wrmsrl(MSR_GS_BASE, v->kernel_mode ? v->gs_base_kernel : v->gs_base_user);
    wrmsrl(MSR_SHADOW_GS_BASE, v->kernel_mode ? v->gs_base_user : v->gs_base_kernel);
    if ( v->ldt_ents )
    {
        desc_set_ldt(v->id, LDT_VIRT(v->id), v->ldt_ents * 8 - 1);
        __asm__ volatile ( "lldt %w0" :: "r" (SEL_LDT) );
    }
    for ( unsigned int i = 0; i < 8; i++ )
        if ( i != 4 && i != 5 )
            vcpu_set_debugreg(v, i, v->debugreg[i]);
}

/* A CPU L0 has just started (x86/smp.h cpu_start): it runs its vCPU. */
static __noreturn void vcpu_first_run(unsigned int cpu)
{
    struct vcpu *v = dom.vcpu[cpu];

    get_cpu_info()->current = v;
    vcpu_load(v);
    pv_time_update(v);
    domain_enter(v);
}

/* VCPUOP_up (Xen's common_vcpu_op): of one never initialised, -EINVAL. */
long vcpu_up(struct vcpu *v)
{
    long rc;

    if ( !v->initialised )
        return -XEN_EINVAL;
    if ( v->up )
        return 0;
    v->runstate_since_tsc = rdtsc();
    WRITE_ONCE(v->up, true);
    if ( cpu_started(v->id) )
        cpu_wake(v->id);
    else if ( (rc = cpu_start(v->id, vcpu_first_run)) )
    {
        v->up = false;
        pr_warn("L0 refused to start CPU %u (%ld)\n", v->id, rc);
        return rc;
    }
    return 0;
}

/*
 * This CPU's vCPU was taken down: off the guest's page tables, the CPU
 * parks at L0 until the vCPU is up again, and carries on where it was.
 * Called without the domain lock.
 */
void vcpu_park(struct vcpu *v)
{
    paddr_t cr3 = read_cr3_raw();

    cpu_idle_enter();
    while ( !READ_ONCE(v->up) )
        cpu_park(&v->up);
    cpu_idle_exit(cr3);
}

/*
 * VCPUOP_down: the last vCPU going down powers the domain off (as Xen);
 * another is parked on its way back to the guest; the caller's own parks
 * now (the domain lock let go meanwhile) and its call returns 0 once it is
 * up again.
 */
long vcpu_down(struct vcpu *v)
{
    bool others = false;

    for ( unsigned int i = 0; i < dom.nr_vcpus && !others; i++ )
        others = i != v->id && dom.vcpu[i]->up;
    if ( !others )
    {
        domain_shutdown(SHUTDOWN_poweroff);
        return 0;
    }
    if ( !v->up )
        return 0;
    WRITE_ONCE(v->up, false);
    v->runstate_since_tsc = rdtsc();
    if ( v != current_vcpu() )
    {
        evtchn_kick(v);
        return 0;
    }
    domain_unlock();
    vcpu_park(v);
    domain_lock();
    return 0;
}

/* An NMI for that vCPU; taken on its next way back to the guest. */
long vcpu_send_nmi(struct vcpu *v)
{
    WRITE_ONCE(v->nmi_pending, true);
    evtchn_kick(v);             /* another vCPU takes it on its way back */
    return 0;
}

/*
 * vCPU v's runstate is L0's of the CPU that runs it: that CPU halts when
 * v blocks or polls (blocked), parks at L0 when v is down (offline), and
 * waits for L0's pCPU when L0 runs another (runnable: the guest's steal
 * time), on the system time the guest reads. Should L0 refuse, all v's
 * time since it came up or went down is its state's.
 */
void vcpu_runstate(const struct vcpu *v, struct vcpu_runstate_info *r)
{
    uint64_t now = l0_tsc_to_ns(rdtsc());

    if ( cpu_started(v->id) && !l0_vcpu_op(VCPUOP_get_runstate_info, v->id, r) )
        return;
    memset(r, 0, sizeof(*r));
    r->state = v->up ? RUNSTATE_running : RUNSTATE_offline;
    r->state_entry_time = l0_tsc_to_ns(v->runstate_since_tsc);
    r->time[r->state] = now - r->state_entry_time;
}

/*
 * The copy at v's runstate area, written as Xen's update_runstate_area
 * writes it (with VMASST runstate_update_flag: XEN_RUNSTATE_UPDATE in the
 * top byte of state_entry_time around the write). On v's CPU, on v's page
 * tables: when v's timer fires (the guest's tick reads its steal time
 * then) and when v stops waiting.
 */
/*
 * A runstate record to a guest address, in the guest's layout: a 32-bit
 * one's is 44 bytes, state_entry_time right after state (lib/compat.h).
 */
bool vcpu_runstate_copy_out(unsigned long addr, const struct vcpu_runstate_info *r)
{
    struct compat_vcpu_runstate_info c;

    if ( !is_pv32() )
        return !copy_to_guest(addr, r, sizeof(*r));
    c.state = r->state;
    c.state_entry_time = r->state_entry_time;
    for ( unsigned int i = 0; i < 4; i++ )
        c.time[i] = r->time[i];
    return !copy_to_guest(addr, &c, sizeof(c));
}

void vcpu_runstate_area_update(struct vcpu *v)
{
    unsigned long top = v->runstate_area + 7 +
        (is_pv32() ? offsetof(struct compat_vcpu_runstate_info, state_entry_time)
                   : offsetof(struct vcpu_runstate_info, state_entry_time));
    bool flag = dom.vm_assist & (1UL << VMASST_TYPE_runstate_update_flag);
    struct vcpu_runstate_info r;
    uint8_t b;

    /* In user mode the kernel's address is not on these tables: next time. */
    if ( !v->runstate_area || v != current_vcpu() || get_cpu_info()->idle ||
         !v->kernel_mode )
        return;
    vcpu_runstate(v, &r);
    if ( flag )
    {
        r.state_entry_time |= XEN_RUNSTATE_UPDATE;
        b = r.state_entry_time >> 56;
        if ( copy_to_guest(top, &b, 1) )
            return;
        __atomic_thread_fence(__ATOMIC_RELEASE);
    }
    vcpu_runstate_copy_out(v->runstate_area, &r);
    if ( flag )
    {
        __atomic_thread_fence(__ATOMIC_RELEASE);
        b = (r.state_entry_time & ~XEN_RUNSTATE_UPDATE) >> 56;
        copy_to_guest(top, &b, 1);
    }
}

long vcpu_register_runstate_area(struct vcpu *v, unsigned long addr)
{
    struct vcpu_runstate_info r;

    v->runstate_area = addr;
    if ( !v->runstate_area )
        return 0;
    /* Written now, as Xen does; a bad address is simply not written. */
    vcpu_runstate(v, &r);
    vcpu_runstate_copy_out(v->runstate_area, &r);
    return 0;
}

/*
 * VCPUOP_register_vcpu_time_memory_area: a guest address (Xen checks only
 * that it is the guest's range: -EFAULT), written from now on whenever the
 * vCPU's time record changes, and at once.
 */
long vcpu_register_time_area(struct vcpu *v, unsigned long addr)
{
    if ( addr && (!guest_addr_ok(addr) ||
                  !guest_addr_ok(addr + sizeof(struct vcpu_time_info) - 1)) )
        return -XEN_EFAULT;
    v->time_area = addr;
    pv_time_area_update(v);
    return 0;
}

/* physdev_op set_iopl: the virtual IOPL port accesses are checked against. */
long vcpu_set_iopl(struct vcpu *v, unsigned int iopl)
{
    if ( iopl > 3 )
        return -XEN_EINVAL;
    v->iopl = iopl;
    return 0;
}

/* physdev_op set_iobitmap: the guest's I/O bitmap (a guest VA) and its size. */
long vcpu_set_iobitmap(struct vcpu *v, unsigned long bitmap, unsigned int nr_ports)
{
    if ( nr_ports > 65536 )
        return -XEN_EINVAL;
    v->iobmp = bitmap;
    v->iobmp_nr = nr_ports;
    return 0;
}

/* The guest's virtual CR0.TS is the real one while it runs (lazy FPU). */
long vcpu_fpu_taskswitch(struct vcpu *v, bool set)
{
    unsigned long cr0;

    v->fpu_ts = set;
    __asm__ volatile ( "mov %%cr0, %0" : "=r" (cr0) );
    cr0 = set ? cr0 | X86_CR0_TS : cr0 & ~X86_CR0_TS;
    __asm__ volatile ( "mov %0, %%cr0" :: "r" (cr0) );
    return 0;
}

/*
 * Load %gs in the user context, as Xen's do_set_segment_base: RPL 3 for a
 * selector that is not NUL; a bad selector (#GP, #NP or a #PF on its
 * descriptor: x86/traps.c fixes each up) loads NUL instead, and the call
 * still succeeds (Linux BUG()s otherwise). AMD keeps the old base on a NUL
 * load, so a flat selector goes first there.
 */
static void load_user_gs(uint16_t sel)
{
    if ( sel > 3 )
        sel |= 3;
    __asm__ volatile ( "swapgs" ::: "memory" );
    if ( sel <= 3 && cpu_is_amd_like() )
        __asm__ volatile ( "movl %k0, %%gs" :: "r" (FLAT_USER_DS32) );
    __asm__ volatile ( "1: movl %k0, %%gs\n"
                       ".pushsection .fixup, \"ax\"\n"
                       "2: movl %k1, %%gs\n"
                       "   xorl %k0, %k0\n"
                       "   jmp 1b\n"
                       ".popsection\n"
                       ".pushsection .ex_table, \"a\"\n"
                       ".balign 8\n"
                       ".quad 1b, 2b\n"
                       ".popsection"
                       : "+r" (sel) : "r" (FLAT_USER_DS32) : "memory" );
    __asm__ volatile ( "swapgs" ::: "memory" );
}

/*
 * A 32-bit vCPU's first data selectors (ds, es, fs, gs), loaded in ring 0
 * before its first entry; one that does not load (not present, a system
 * descriptor, past the table) is null instead. A descriptor more
 * privileged than the guest's ring is nulled by the IRETQ to it.
 */
void pv32_load_selectors(const uint16_t sel[4])
{
#define LOAD_SEL(seg, s)                                                    \
    __asm__ volatile ( "1: movl %k0, %%" #seg "\n"                           \
                       ".pushsection .fixup, \"ax\"\n"                      \
                       "2: xorl %k0, %k0\n"                                  \
                       "   jmp 1b\n"                                         \
                       ".popsection\n"                                       \
                       ".pushsection .ex_table, \"a\"\n"                     \
                       ".balign 8\n"                                         \
                       ".quad 1b, 2b\n"                                      \
                       ".popsection"                                        \
                       : "+r" (s) :: "memory" )
    unsigned int ds = sel[0], es = sel[1], fs = sel[2], gs = sel[3];

    LOAD_SEL(ds, ds);
    LOAD_SEL(es, es);
    LOAD_SEL(fs, fs);
    LOAD_SEL(gs, gs);
#undef LOAD_SEL
}

long vcpu_set_segment_base(struct vcpu *v, unsigned int which, unsigned long base)
{
    switch ( which )
    {
    case SEGBASE_FS:
        if ( !is_canonical(base) )
            return -XEN_EINVAL;
        wrmsrl(MSR_FS_BASE, base);
        v->fs_base = base;
        return 0;

    case SEGBASE_GS_USER:
        if ( !is_canonical(base) )
            return -XEN_EINVAL;
        /* In guest kernel mode the user base is the inactive one. */
        wrmsrl(v->kernel_mode ? MSR_SHADOW_GS_BASE : MSR_GS_BASE, base);
        v->gs_base_user = base;
        return 0;

    case SEGBASE_GS_KERNEL:
        if ( !is_canonical(base) )
            return -XEN_EINVAL;
        wrmsrl(v->kernel_mode ? MSR_GS_BASE : MSR_SHADOW_GS_BASE, base);
        v->gs_base_kernel = base;
        return 0;

    case SEGBASE_GS_USER_SEL:
        /*
         * An LDT selector's page may not be in the LDT window yet: map it
         * now, as Xen's fault path does for a load in the hypervisor, or
         * the load below would fault and take NUL.
         */
        if ( base & 4 )
            pv_ldt_fault(v, LDT_VIRT(v->id) + (base & 0xfff8));
        load_user_gs(base);
        v->gs_base_user = rdmsrl(MSR_SHADOW_GS_BASE);
        return 0;

    default:
        return -XEN_EINVAL;
    }
}

/*
 * set_debugreg and "mov to %drN" (Xen's arch/x86/pv/misc-hypercalls.c):
 * DR0-3 must hold guest addresses; DR6 keeps its reserved bits; DR7 may not
 * set reserved or general-detect bits. Values go to the hardware at once:
 * the guest runs on this CPU, and a data breakpoint the shim itself hits
 * while copying guest memory is ignored (x86/traps.c).
 */
#define DR7_RESERVED_ZERO  0x0000d800UL    /* bits 11, 12, 14, 15: dropped */
#define DR7_GD             (1UL << 13)     /* general detect: refused */
#define DR6_RESERVED_ONE   0xffff0ff0UL

#define CR4_DE             (1UL << 3)

int vcpu_debugreg_alias(const struct vcpu *v, unsigned int reg)
{
    switch ( reg )
    {
    case 0: case 1: case 2: case 3: case 6: case 7:
        return reg;
    case 4: case 5:
        /* DR4/DR5 are DR6/DR7 unless CR4.DE (then #UD, or -ENODEV). */
        return v->cr4 & CR4_DE ? -1 : (int)reg + 2;
    default:
        return -1;
    }
}

long vcpu_get_debugreg(const struct vcpu *v, unsigned int reg)
{
    int r = vcpu_debugreg_alias(v, reg);

    /* Xen's x86emul_read_dr: anything else is -ENODEV. */
    return r < 0 ? -XEN_ENODEV : (long)v->debugreg[r];
}

long vcpu_set_debugreg(struct vcpu *v, unsigned int reg, unsigned long value)
{
    unsigned long hw;
    int r = vcpu_debugreg_alias(v, reg);

    if ( r < 0 )
        return -XEN_ENODEV;             /* Xen's set_debugreg */
    reg = r;
    switch ( reg )
    {
    case 0: case 1: case 2: case 3:
        if ( value >= HYPERVISOR_VIRT_START && value < HYPERVISOR_VIRT_END )
            return -XEN_EPERM;
        if ( !is_canonical(value) )
            return -XEN_EPERM;
        break;
    case 6:
        if ( value >> 32 )
            return -XEN_EINVAL;
        /* Bit 12 reads as zero, bits 4-11 and 16-31 as one (Xen 4.17). */
        value = (value & ~(1UL << 12)) | DR6_RESERVED_ONE;
        break;
    case 7:
        /* As Xen: no upper half, no general detect, reserved bits dropped. */
        if ( value >> 32 )
            return -XEN_EINVAL;
        if ( value & DR7_GD )
            return -XEN_EPERM;
        value = (value & ~DR7_RESERVED_ZERO) | 0x400;   /* bit 10 reads as 1 */
        break;
    }
    hw = value;
    if ( reg == 7 && (value & 0xff) )
    {
        /*
         * I/O breakpoints (R/W 10b) need CR4.DE; Xen then emulates them on
         * the port accesses it emulates. They read back, but never reach the
         * hardware (every guest port access is emulated); the shim does not
         * raise #DB for them.
         */
        for ( unsigned int i = 0; i < 4; i++ )
            if ( ((value >> (16 + 4 * i)) & 3) == 2 )
            {
                if ( !(v->cr4 & CR4_DE) )
                    return -XEN_EPERM;
                hw &= ~(3UL << (2 * i));
            }
    }
    v->debugreg[reg] = value;
    value = hw;
    if ( v != current_vcpu() )
        return 0;               /* loaded when its CPU starts running it */
    switch ( reg )
    {
    case 0: __asm__ volatile ( "mov %0, %%db0" :: "r" (value) ); break;
    case 1: __asm__ volatile ( "mov %0, %%db1" :: "r" (value) ); break;
    case 2: __asm__ volatile ( "mov %0, %%db2" :: "r" (value) ); break;
    case 3: __asm__ volatile ( "mov %0, %%db3" :: "r" (value) ); break;
    case 6: __asm__ volatile ( "mov %0, %%db6" :: "r" (value) ); break;
    case 7: __asm__ volatile ( "mov %0, %%db7" :: "r" (value) ); break;
    }
    return 0;
}
