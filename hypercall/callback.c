/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/callback.c - where the guest is entered: set_trap_table,
 * set_callbacks, callback_op and nmi_op (Xen's pv/callback.c). Copy in and
 * check the shape here; pvops/vcpu.c owns the meaning.
 */
#include "hypercall/handlers.h"
#include "pvops/vcpu.h"
#include "x86/uaccess.h"

/* A trap table is a list ended by a zero address; NULL clears them all. */
long do_set_trap_table(unsigned long list)
{
    struct vcpu *v = current_vcpu();
    struct trap_info ti;
    long rc;

    if ( !list )
    {
        vcpu_clear_traps(v);
        return 0;
    }
    for ( ; ; )
    {
        if ( copy_from_guest(&ti, list, sizeof(ti)) )
            return -XEN_EFAULT;
        if ( ti.address == 0 )
            return 0;
        if ( (rc = vcpu_set_trap(v, &ti)) )
            return rc;
        list += sizeof(ti);
        /* No end but the guest's: the rest later if an event waits (Xen too). */
        if ( hypercall_preempt_check() )
        {
            const unsigned long a[5] = { list };

            return hypercall_create_continuation(__HYPERVISOR_set_trap_table, a);
        }
    }
}

long do_set_callbacks(unsigned long event, unsigned long failsafe,
                      unsigned long syscall)
{
    struct vcpu *v = current_vcpu();
    long rc;

    /* 64-bit: events are always masked on entry to the event callback. */
    if ( (rc = vcpu_register_callback(v, CALLBACKTYPE_event, event,
                                      CALLBACKF_mask_events)) ||
         (rc = vcpu_register_callback(v, CALLBACKTYPE_failsafe, failsafe, 0)) ||
         (rc = vcpu_register_callback(v, CALLBACKTYPE_syscall, syscall, 0)) )
        return rc;
    return 0;
}

long do_callback_op(int cmd, unsigned long arg)
{
    struct vcpu *v = current_vcpu();

    switch ( cmd )
    {
    case CALLBACKOP_register:
    {
        struct callback_register reg;

        if ( copy_from_guest(&reg, arg, sizeof(reg)) )
            return -XEN_EFAULT;
        return vcpu_register_callback(v, reg.type, reg.address, reg.flags);
    }
    case CALLBACKOP_unregister:
    {
        struct callback_unregister unreg;

        if ( copy_from_guest(&unreg, arg, sizeof(unreg)) )
            return -XEN_EFAULT;
        return vcpu_unregister_callback(v, unreg.type);
    }
    default:
        return -XEN_ENOSYS;
    }
}

/* nmi_op: the NMI callback, as callback_op's (xen/common/kernel.c). */
long do_nmi_op(unsigned int cmd, unsigned long arg)
{
    struct xennmi_callback cb;

    switch ( cmd )
    {
    case XENNMI_register_callback:
        if ( copy_from_guest(&cb, arg, sizeof(cb)) )
            return -XEN_EFAULT;
        return vcpu_register_callback(current_vcpu(), CALLBACKTYPE_nmi,
                                      cb.handler_address, 0);
    case XENNMI_unregister_callback:
        return vcpu_unregister_callback(current_vcpu(), CALLBACKTYPE_nmi);
    default:
        return -XEN_ENOSYS;
    }
}
