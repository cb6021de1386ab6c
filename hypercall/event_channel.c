/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/event_channel.c - event_channel_op: each sub-op's structure
 * copied in and out; what the ports are (L0's, or the shim's VIRQs) is
 * pvops/evtchn.c's.
 */
#include "hypercall/handlers.h"
#include "pvops/evtchn.h"
#include "x86/uaccess.h"

/* A sub-op's structure in, served, and its results back (on success). */
static long forward(int cmd, unsigned long arg, void *buf, size_t size)
{
    long rc;

    if ( copy_from_guest(buf, arg, size) )
        return -XEN_EFAULT;
    rc = evtchn_forward(cmd, buf);
    if ( !rc && copy_to_guest(arg, buf, size) )
        return -XEN_EFAULT;
    return rc;
}

long do_event_channel_op(int cmd, unsigned long arg)
{
    union {
        struct evtchn_send send;
        struct evtchn_bind_virq bind_virq;
        struct evtchn_close close;
        struct evtchn_unmask unmask;
        struct evtchn_alloc_unbound alloc_unbound;
        struct evtchn_bind_interdomain bind_interdomain;
        struct evtchn_bind_ipi bind_ipi;
        struct evtchn_bind_vcpu bind_vcpu;
        struct evtchn_status status;
        struct evtchn_reset reset;
        struct evtchn_init_control init_control;
        struct evtchn_expand_array expand_array;
        struct evtchn_set_priority set_priority;
    } u;

    switch ( cmd )
    {
    case EVTCHNOP_send:
        if ( copy_from_guest(&u.send, arg, sizeof(u.send)) )
            return -XEN_EFAULT;
        return evtchn_send(u.send.port);

    case EVTCHNOP_bind_virq:
    {
        long rc;

        if ( copy_from_guest(&u.bind_virq, arg, sizeof(u.bind_virq)) )
            return -XEN_EFAULT;
        if ( (rc = evtchn_bind_virq(&u.bind_virq)) )
            return rc;
        return copy_to_guest(arg, &u.bind_virq, sizeof(u.bind_virq)) ? -XEN_EFAULT : 0;
    }

    case EVTCHNOP_unmask:
        if ( copy_from_guest(&u.unmask, arg, sizeof(u.unmask)) )
            return -XEN_EFAULT;
        return evtchn_unmask(u.unmask.port);

    case EVTCHNOP_close:
        if ( copy_from_guest(&u.close, arg, sizeof(u.close)) )
            return -XEN_EFAULT;
        return evtchn_close(&u.close);

    case EVTCHNOP_alloc_unbound:
    {
        long rc = forward(cmd, arg, &u.alloc_unbound, sizeof(u.alloc_unbound));

        return rc ?: evtchn_new_port(u.alloc_unbound.port);
    }
    case EVTCHNOP_bind_interdomain:
    {
        long rc;

        if ( copy_from_guest(&u.bind_interdomain, arg, sizeof(u.bind_interdomain)) )
            return -XEN_EFAULT;
        if ( (rc = evtchn_bind_interdomain(&u.bind_interdomain)) )
            return rc;
        return copy_to_guest(arg, &u.bind_interdomain, sizeof(u.bind_interdomain)) ?
               -XEN_EFAULT : 0;
    }
    case EVTCHNOP_bind_ipi:
    {
        long rc;

        if ( copy_from_guest(&u.bind_ipi, arg, sizeof(u.bind_ipi)) )
            return -XEN_EFAULT;
        if ( (rc = evtchn_bind_ipi(&u.bind_ipi)) )
            return rc;
        return copy_to_guest(arg, &u.bind_ipi, sizeof(u.bind_ipi)) ? -XEN_EFAULT : 0;
    }
    case EVTCHNOP_bind_vcpu:
        /* Xen writes nothing back. */
        if ( copy_from_guest(&u.bind_vcpu, arg, sizeof(u.bind_vcpu)) )
            return -XEN_EFAULT;
        return evtchn_bind_vcpu(&u.bind_vcpu);
    case EVTCHNOP_status:
    {
        long rc;

        if ( copy_from_guest(&u.status, arg, sizeof(u.status)) )
            return -XEN_EFAULT;
        rc = evtchn_status(&u.status);
        if ( !rc && copy_to_guest(arg, &u.status, sizeof(u.status)) )
            return -XEN_EFAULT;
        return rc;
    }
    case EVTCHNOP_reset:
    {
        long rc = forward(cmd, arg, &u.reset, sizeof(u.reset));

        /* Our own domain's ports (L0 refuses any other): the shim's went too. */
        if ( !rc )
            evtchn_after_reset();
        return rc;
    }

    case EVTCHNOP_init_control:
    {
        long rc;

        if ( copy_from_guest(&u.init_control, arg, sizeof(u.init_control)) )
            return -XEN_EFAULT;
        if ( (rc = evtchn_fifo_init_control(&u.init_control)) )
            return rc;
        return copy_to_guest(arg, &u.init_control, sizeof(u.init_control)) ? -XEN_EFAULT : 0;
    }
    case EVTCHNOP_expand_array:
        if ( copy_from_guest(&u.expand_array, arg, sizeof(u.expand_array)) )
            return -XEN_EFAULT;
        return evtchn_fifo_expand_array(&u.expand_array);
    case EVTCHNOP_set_priority:
        if ( copy_from_guest(&u.set_priority, arg, sizeof(u.set_priority)) )
            return -XEN_EFAULT;
        return evtchn_set_priority(&u.set_priority);

    /*
     * A PV domU is given no PIRQs: Xen's evtchn_bind_pirq says -EINVAL
     * below 0 or past the domain's nr_pirqs (the host's GSIs, at least 16,
     * plus 32), else -EPERM. A PVH container has no PIRQ calls to learn
     * nr_pirqs from L0, so past it is -EPERM here too.
     */
    case EVTCHNOP_bind_pirq:
    {
        struct evtchn_bind_pirq b;

        if ( copy_from_guest(&b, arg, sizeof(b)) )
            return -XEN_EFAULT;
        return (int)b.pirq < 0 ? -XEN_EINVAL : -XEN_EPERM;
    }

    default:
        return -XEN_ENOSYS;
    }
}
