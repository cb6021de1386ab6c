/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/compat.c - the 32-bit PV hypercall entry: int $0x82 from the
 * kernel in ring 1 (x86/entry.S entry_int82), the number in eax and the
 * arguments in ebx, ecx, edx, esi, edi, ebp, the result back in eax
 * (arch-x86/xen-x86_32.h). One explicit switch over Xen's pv32 table
 * (xen/include/hypercall-defs.c, the compat_* handlers): a call whose
 * structures a 32-bit guest lays out as a 64-bit one does goes to the
 * same handler; one whose layout differs is translated here from
 * lib/compat.h, which the build checks against the public headers.
 *
 * Calls not translated yet end the guest with a line naming them, rather
 * than answer it in a 64-bit layout it would misread.
 */
#include "hypercall/handlers.h"
#include "pvops/domain.h"
#include "pvops/evtchn.h"
#include "pvops/time.h"
#include "pvops/traps.h"
#include "pvops/vcpu.h"
#include "x86/uaccess.h"
#include "lib/compat.h"
#include "lib/printk.h"

#ifdef CONFIG_PV32

static long compat_xen_version(int cmd, unsigned long arg)
{
    /* The one sub-op with a long: where the hypervisor's hole starts. */
    if ( cmd == XENVER_platform_parameters )
    {
        uint32_t virt_start = COMPAT_HYPERVISOR_VIRT_START;

        return copy_to_guest(arg, &virt_start, sizeof(virt_start)) ? -XEN_EFAULT : 0;
    }
    return do_xen_version(cmd, arg);
}

static long compat_sched_op(int cmd, unsigned long arg)
{
    struct compat_sched_poll p;
    evtchn_port_t ports[128];
    unsigned int n = 0;

    /* sched_shutdown and the rest: no long, no pointer; sched_poll has both. */
    if ( cmd != SCHEDOP_poll )
        return do_sched_op(cmd, arg);
    if ( copy_from_guest(&p, arg, sizeof(p)) )
        return -XEN_EFAULT;
    if ( p.nr_ports > ARRAY_SIZE(ports) )
        return -XEN_EINVAL;
    while ( n < p.nr_ports &&
            !copy_from_guest(&ports[n], p.ports + n * sizeof(*ports), sizeof(*ports)) )
        n++;
    return evtchn_poll(current_vcpu(), ports, p.nr_ports, n, p.timeout);
}

/* compat_set_trap_table: 8-byte entries (cs, 32-bit eip), ended by a zero eip. */
static long compat_set_trap_table(unsigned long list)
{
    struct vcpu *v = current_vcpu();
    struct compat_trap_info cti;
    long rc;

    if ( !list )
    {
        vcpu_clear_traps(v);
        return 0;
    }
    for ( ; ; )
    {
        struct trap_info ti;

        if ( copy_from_guest(&cti, list, sizeof(cti)) )
            return -XEN_EFAULT;
        if ( cti.address == 0 )
            return 0;
        ti = (struct trap_info){
            .vector = cti.vector, .flags = cti.flags, .cs = cti.cs, .address = cti.address,
        };
        if ( (rc = vcpu_set_trap(v, &ti)) )
            return rc;
        list += sizeof(cti);
        if ( hypercall_preempt_check() )
        {
            const unsigned long a[5] = { list };

            return hypercall_create_continuation(__HYPERVISOR_set_trap_table, a);
        }
    }
}

static __noreturn void compat_unserved(unsigned int op, unsigned long cmd)
{
    guest_crash("32-bit PV: hypercall %u (sub-op %lu) is not served to 32-bit "
                "guests yet", op, cmd);
}

static long compat_dispatch(unsigned int op, const unsigned long a[6])
{
    switch ( op )
    {
    case __HYPERVISOR_console_io:
        return do_console_io(a[0], a[1], a[2]);
    case __HYPERVISOR_xen_version:
        return compat_xen_version(a[0], a[1]);
    case __HYPERVISOR_vm_assist:
        return do_vm_assist(a[0], a[1]);
    case __HYPERVISOR_sched_op:
        return compat_sched_op(a[0], a[1]);
    case __HYPERVISOR_set_timer_op:
        /* The 64-bit timeout in two registers, low half first. */
        return do_set_timer_op(((uint64_t)a[1] << 32) | a[0]);
    case __HYPERVISOR_set_trap_table:
        return compat_set_trap_table(a[0]);
    case __HYPERVISOR_event_channel_op:
        /* Every evtchn_* structure is the same on i386 (Xen's CHECK_evtchn_*). */
        return do_event_channel_op(a[0], a[1]);

    /* As for a 64-bit guest: gone ABIs, control operations refused. */
    case __HYPERVISOR_sched_op_compat:
    case __HYPERVISOR_event_channel_op_compat:
    case __HYPERVISOR_physdev_op_compat:
        return -XEN_ENOSYS;
    case __HYPERVISOR_kexec_op:
    case __HYPERVISOR_hypfs_op:
        return -XEN_EPERM;
    case __HYPERVISOR_xenpmu_op:
        return -XEN_EOPNOTSUPP;
    case __HYPERVISOR_xsm_op:
    case __HYPERVISOR_hvm_op:
    case __HYPERVISOR_dm_op:
    case __HYPERVISOR_xenoprof_op:
    case __HYPERVISOR_argo_op:
    case __HYPERVISOR_tmem_op:
        return -XEN_ENOSYS;

    default:
        if ( op >= PAGE_SIZE / 32 )
            return -XEN_ENOSYS;     /* no such hypercall */
        compat_unserved(op, a[0]);
    }
}

void compat_hypercall(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    unsigned int op = regs->rax;
    unsigned long a[6] = {
        (uint32_t)regs->rbx, (uint32_t)regs->rcx, (uint32_t)regs->rdx,
        (uint32_t)regs->rsi, (uint32_t)regs->rdi, (uint32_t)regs->rbp,
    };
    long rc;

    pv_time_update(v);
    if ( op == __HYPERVISOR_iret )
        compat_unserved(op, 0);
    if ( hypercall_lockless(op, a[0]) )
        rc = compat_dispatch(op, a);
    else
    {
        domain_lock();
        rc = compat_dispatch(op, a);
        domain_unlock();
    }
    /* eax alone: the upper halves of a 32-bit guest's registers stay its own. */
    regs->rax = (uint32_t)rc;

    if ( v->cont_pending )
    {
        /* int $0x82 again (2 bytes) with what is left to do. */
        v->cont_pending = false;
        regs->rax = (uint32_t)v->cont_op;
        regs->rbx = (uint32_t)v->cont_args[0];
        regs->rcx = (uint32_t)v->cont_args[1];
        regs->rdx = (uint32_t)v->cont_args[2];
        regs->rsi = (uint32_t)v->cont_args[3];
        regs->rdi = (uint32_t)v->cont_args[4];
        regs->rip -= 2;
    }
    pv_deliver_events(regs);
    if ( trace_hypercalls )
        pr_info("d%u hypercall32 %u(%#lx, %#lx, %#lx, %#lx, %#lx) = %ld "
                "(eip %#lx esp %#lx)\n", dom.domid, op, a[0], a[1], a[2], a[3],
                a[4], rc, regs->rip, regs->rsp);
}
#endif /* CONFIG_PV32 */
