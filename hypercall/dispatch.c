/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/dispatch.c - the 64-bit PV hypercall entry: one explicit switch
 * over Xen's pv64 table (xen/include/hypercall-defs.c). Arguments arrive in
 * rdi, rsi, rdx, r10, r8; the result goes back in rax.
 */
#include "hypercall/handlers.h"
#include "pvops/domain.h"
#include "pvops/evtchn.h"
#include "pvops/mm.h"
#include "pvops/time.h"
#include "pvops/traps.h"
#include "x86/uaccess.h"
#include "lib/printk.h"

bool trace_hypercalls __hot_data;

__hot_text long hypercall_dispatch(unsigned long op, const unsigned long a[5])
{
    unsigned long a1 = a[0], a2 = a[1], a3 = a[2];

    switch ( op )
    {
    case __HYPERVISOR_console_io:
        return do_console_io(a1, a2, a3);
    case __HYPERVISOR_xen_version:
        return do_xen_version(a1, a2);
    case __HYPERVISOR_vm_assist:
        return do_vm_assist(a1, a2);
    case __HYPERVISOR_sched_op:
        return do_sched_op(a1, a2);
    case __HYPERVISOR_event_channel_op:
        return do_event_channel_op(a1, a2);
    case __HYPERVISOR_set_trap_table:
        return do_set_trap_table(a1);
    case __HYPERVISOR_set_callbacks:
        return do_set_callbacks(a1, a2, a3);
    case __HYPERVISOR_callback_op:
        return do_callback_op(a1, a2);
    case __HYPERVISOR_stack_switch:
        return do_stack_switch(a1, a2);
    case __HYPERVISOR_fpu_taskswitch:
        return do_fpu_taskswitch(a1);
    case __HYPERVISOR_set_segment_base:
        return do_set_segment_base(a1, a2);
    case __HYPERVISOR_multicall:
        return do_multicall(a1, a2);
    case __HYPERVISOR_iret:
        /* Never here: pv_syscall and do_multicall call pv_iret themselves. */
        return -XEN_EINVAL;
    case __HYPERVISOR_memory_op:
        return do_memory_op(a1, a2);
    case __HYPERVISOR_vcpu_op:
        return do_vcpu_op(a1, a2, a3);
    case __HYPERVISOR_physdev_op:
        return do_physdev_op(a1, a2);

    case __HYPERVISOR_mmu_update:
        return do_mmu_update(a1, a2, a3, a[3]);
    case __HYPERVISOR_mmuext_op:
        return do_mmuext_op(a1, a2, a3, a[3]);
    case __HYPERVISOR_update_va_mapping:
        return do_update_va_mapping(a1, a2, a3);
    case __HYPERVISOR_update_va_mapping_otherdomain:
        return do_update_va_mapping_otherdomain(a1, a2, a3, a[3]);
    case __HYPERVISOR_set_gdt:
        return do_set_gdt(a1, a2);
    case __HYPERVISOR_update_descriptor:
        return do_update_descriptor(a1, a2);
    case __HYPERVISOR_set_debugreg:
        return do_set_debugreg(a1, a2);
    case __HYPERVISOR_get_debugreg:
        return do_get_debugreg(a1);

    case __HYPERVISOR_nmi_op:
        return do_nmi_op(a1, a2);

    case __HYPERVISOR_set_timer_op:
        return do_set_timer_op(a1);

    case __HYPERVISOR_grant_table_op:
        return do_grant_table_op(a1, a2, a3);

    /* Old ABIs a 64-bit guest may still use: with their modern twins. */
    case __HYPERVISOR_sched_op_compat:
    case __HYPERVISOR_event_channel_op_compat:
    case __HYPERVISOR_physdev_op_compat:
        return -XEN_ENOSYS;

    /* Control operations: refused as Xen refuses a domU (privileged.c). */
    case __HYPERVISOR_platform_op:
        return do_platform_op(a1);
    case __HYPERVISOR_sysctl:
        return do_sysctl(a1);
    case __HYPERVISOR_domctl:
        return do_domctl(a1);
    case __HYPERVISOR_kexec_op:
    case __HYPERVISOR_hypfs_op:
        return -XEN_EPERM;          /* XSM_PRIV before anything else */
    case __HYPERVISOR_xenpmu_op:
        return -XEN_EOPNOTSUPP;     /* no vPMU (L0's default) */

    /*
     * Not for this guest, or not yet: hvm_op and dm_op answer for HVM
     * domains and device models (a PV domU only reaches their early
     * argument checks on Xen), xsm_op is -ENOSYS under the dummy XSM, the
     * rest are gone or not built (Debian's Xen has no argo, tmem, xenoprof).
     */
    case __HYPERVISOR_xsm_op:
    case __HYPERVISOR_hvm_op:
    case __HYPERVISOR_dm_op:
    case __HYPERVISOR_xenoprof_op:
    case __HYPERVISOR_argo_op:
    case __HYPERVISOR_tmem_op:
    default:
        return -XEN_ENOSYS;
    }
}

/*
 * multicall (common/multicall.c): every entry through the same dispatch,
 * its result stored in the entry; a failing entry does not stop the batch.
 * The call itself fails only for an unreadable list (-EFAULT) or when
 * nested (-EINVAL, as the inner entry's result).
 */
bool hypercall_preempt_check(void)
{
    return evtchn_waiting(current_vcpu());
}

long hypercall_create_continuation(unsigned long op, const unsigned long a[5])
{
    struct vcpu *v = current_vcpu();

    v->cont_pending = true;
    v->cont_op = op;
    for ( unsigned int i = 0; i < 5; i++ )
        v->cont_args[i] = a[i];
    return 0;
}

/* The rest of a batch, from the entry at list, runs when the guest is back. */
static long multicall_continue(unsigned long list, unsigned int nr_calls)
{
    const unsigned long a[5] = { list, nr_calls };

    current_vcpu()->in_multicall = false;
    return hypercall_create_continuation(__HYPERVISOR_multicall, a);
}

long do_multicall(unsigned long list, unsigned int nr_calls)
{
    struct vcpu *v = current_vcpu();
    bool *in_multicall = &v->in_multicall;
    multicall_entry_t mc;

    if ( *in_multicall )
        return -XEN_EINVAL;
    *in_multicall = true;
    for ( unsigned int i = 0; i < nr_calls; i++, list += sizeof(mc) )
    {
        unsigned long args[5];

        /* Between entries, an event for the guest or L0 comes first (Xen too). */
        if ( i && hypercall_preempt_check() )
            return multicall_continue(list, nr_calls - i);
        if ( copy_from_guest(&mc, list, sizeof(mc)) )
        {
            *in_multicall = false;
            return -XEN_EFAULT;
        }
        for ( unsigned int k = 0; k < 5; k++ )
            args[k] = mc.args[k];
        if ( mc.op == __HYPERVISOR_iret )
        {
            /*
             * An iret in a batch (Xen's pv_do_multicall_call, mc_exit): its
             * frame is on the guest stack as the multicall found it, it
             * replaces the context, and it ends the batch. Its result, the
             * rax it restores, is stored (best effort) and is the
             * multicall's, through Xen's "int rc": sign-extended low half.
             */
            mc.result = pv_iret(guest_entry_frame());
            copy_to_guest(list + offsetof(multicall_entry_t, result),
                          &mc.result, sizeof(mc.result));
            *in_multicall = false;
            return (int)mc.result;
        }
        mc.result = hypercall_dispatch(mc.op, args);
        /* Before the next entry may touch the frame through a guest address. */
        mm_flush_if_needed();
        if ( v->cont_pending )
        {
            /*
             * The entry stopped part way (Xen's MCSF_call_preempted): what
             * is left of it goes back into the entry, no result, and the
             * batch goes on from this entry later.
             */
            v->cont_pending = false;
            for ( unsigned int k = 0; k < 5; k++ )
                mc.args[k] = v->cont_args[k];
            if ( copy_to_guest(list + offsetof(multicall_entry_t, args),
                               mc.args, sizeof(mc.args)) )
            {
                *in_multicall = false;
                return -XEN_EFAULT;
            }
            return multicall_continue(list, nr_calls - i);
        }
        if ( copy_to_guest(list + offsetof(multicall_entry_t, result),
                           &mc.result, sizeof(mc.result)) )
        {
            *in_multicall = false;
            return -XEN_EFAULT;
        }
    }
    *in_multicall = false;
    return 0;
}

__hot_text void pv_syscall(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    unsigned long op = regs->rax;
    unsigned long args[5] = { regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8 };

    if ( is_pv32() )
    {
        pv_syscall32(regs);
        return;
    }
    if ( !v->kernel_mode )
    {
        pv_user_syscall(regs);
        pv_deliver_events(regs);
        return;
    }
    pv_time_update(v);

    /* iret replaces the whole context, including rax; it needs no lock. */
    if ( op == __HYPERVISOR_iret )
        regs->rax = pv_iret(regs);
    else if ( hypercall_lockless(op, args[0]) )
        regs->rax = hypercall_dispatch(op, args);
    else
    {
        domain_lock();
        regs->rax = hypercall_dispatch(op, args);
        domain_unlock();
    }

    if ( v->cont_pending )
    {
        /* Run the SYSCALL again (2 bytes: 0f 05) with what is left to do. */
        v->cont_pending = false;
        regs->rax = v->cont_op;
        regs->rdi = v->cont_args[0];
        regs->rsi = v->cont_args[1];
        regs->rdx = v->cont_args[2];
        regs->r10 = v->cont_args[3];
        regs->r8 = v->cont_args[4];
        regs->rip -= 2;
    }
    pv_deliver_events(regs);
    if ( trace_hypercalls )
        pr_info("d%u hypercall %lu(%#lx, %#lx, %#lx, %#lx, %#lx) = %ld "
                "(rip %#lx rsp %#lx)\n", dom.domid, op, regs->rdi, regs->rsi,
                regs->rdx, regs->r10, regs->r8, (long)regs->rax, regs->rip,
                regs->rsp);
}
