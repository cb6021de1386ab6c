/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/event.c - event_channel_op. Guest ports are L0's ports of the
 * container (one namespace, as in Xen's shim): interdomain, unbound and IPI
 * channels are L0's, and notifications go to L0. VIRQs are the shim's: a
 * port number is reserved at L0 (an unbound port to ourselves, never
 * signalled) and the VIRQ raised locally. Guest mask and pending bits live
 * in the guest's shared_info; L0's stay unmasked.
 */
#include "hypercall/handlers.h"
#include "x86/l0.h"
#include "pvops/evtchn.h"
#include "x86/uaccess.h"
#include "lib/string.h"

/* Pass a sub-op's structure through to L0 and its results back. */
static long forward(int cmd, unsigned long arg, void *buf, size_t size)
{
    long rc;

    if ( copy_from_guest(buf, arg, size) )
        return -XEN_EFAULT;
    rc = l0_event_channel_op(cmd, buf);
    if ( !rc && copy_to_guest(arg, buf, size) )
        return -XEN_EFAULT;
    return rc;
}

/* Per-vCPU VIRQs (common/event_channel.c virq_is_global): the rest are global. */
static bool virq_is_global(unsigned int virq)
{
    return !(virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
             virq == VIRQ_XENPMU);
}

/*
 * Whether L0 has port in the container's table (Xen's port_is_valid: the
 * ports it has allocated buckets for), as L0 would say to a direct guest.
 * Its status of our own port tells, and changes nothing.
 */
static bool l0_port_valid(evtchn_port_t port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

    return l0_event_channel_op(EVTCHNOP_status, &st) != -XEN_EINVAL;
}

static long bind_virq(unsigned long arg)
{
    struct evtchn_bind_virq b;
    struct evtchn_alloc_unbound u = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    long rc;

    if ( copy_from_guest(&b, arg, sizeof(b)) )
        return -XEN_EFAULT;
    if ( b.virq >= 24 || (virq_is_global(b.virq) && b.vcpu != 0) )
        return -XEN_EINVAL;
    if ( b.vcpu >= dom.nr_vcpus || !dom.vcpu[b.vcpu] )
        return -XEN_ENOENT;
    if ( evtchn_virq_port(dom.vcpu[b.vcpu], b.virq) )
        return -XEN_EEXIST;
    /* A port number of L0's namespace, so it can never clash with L0's ports. */
    if ( (rc = l0_event_channel_op(EVTCHNOP_alloc_unbound, &u)) )
        return rc;
    if ( (rc = evtchn_bind_virq(dom.vcpu[b.vcpu], b.virq, u.port)) )
        return rc;
    b.port = u.port;
    return copy_to_guest(arg, &b, sizeof(b)) ? -XEN_EFAULT : 0;
}

long do_event_channel_op(int cmd, unsigned long arg)
{
    union {
        struct evtchn_send send;
        struct evtchn_close close;
        struct evtchn_unmask unmask;
        struct evtchn_alloc_unbound alloc_unbound;
        struct evtchn_bind_interdomain bind_interdomain;
        struct evtchn_bind_ipi bind_ipi;
        struct evtchn_bind_vcpu bind_vcpu;
        struct evtchn_status status;
        struct evtchn_reset reset;
    } u;

    switch ( cmd )
    {
    case EVTCHNOP_send:
        if ( copy_from_guest(&u.send, arg, sizeof(u.send)) )
            return -XEN_EFAULT;
        return l0_evtchn_send(u.send.port);

    case EVTCHNOP_bind_virq:
        return bind_virq(arg);

    case EVTCHNOP_unmask:
        if ( copy_from_guest(&u.unmask, arg, sizeof(u.unmask)) )
            return -XEN_EFAULT;
        if ( u.unmask.port >= NR_GUEST_PORTS || !l0_port_valid(u.unmask.port) )
            return -XEN_EINVAL;
        evtchn_unmask(u.unmask.port);
        return 0;

    case EVTCHNOP_close:
        if ( copy_from_guest(&u.close, arg, sizeof(u.close)) )
            return -XEN_EFAULT;
        /* The shim's port is free as the guest sees it: Xen's -EINVAL. */
        if ( upcall_port_is_shims(u.close.port) )
            return -XEN_EINVAL;
        /* A VIRQ: unbind locally, then release the number at L0. */
        evtchn_close_virq(u.close.port);
        return l0_event_channel_op(EVTCHNOP_close, &u.close);

    case EVTCHNOP_alloc_unbound:
        return forward(cmd, arg, &u.alloc_unbound, sizeof(u.alloc_unbound));
    case EVTCHNOP_bind_interdomain:
        return forward(cmd, arg, &u.bind_interdomain, sizeof(u.bind_interdomain));
    case EVTCHNOP_bind_ipi:
        return forward(cmd, arg, &u.bind_ipi, sizeof(u.bind_ipi));
    case EVTCHNOP_bind_vcpu:
        return forward(cmd, arg, &u.bind_vcpu, sizeof(u.bind_vcpu));
    case EVTCHNOP_status:
    {
        long rc = forward(cmd, arg, &u.status, sizeof(u.status));

        /* The shim's port, asked for by number: a free port to the guest. */
        if ( !rc && upcall_port_is_shims(u.status.port) &&
             (u.status.dom == DOMID_SELF || (l0.domid_valid && u.status.dom == l0.domid)) )
        {
            memset(&u.status.u, 0, sizeof(u.status.u));
            u.status.status = EVTCHNSTAT_closed;
            u.status.vcpu = 0;
            if ( copy_to_guest(arg, &u.status, sizeof(u.status)) )
                return -XEN_EFAULT;
        }
        return rc;
    }
    case EVTCHNOP_reset:
    {
        long rc = forward(cmd, arg, &u.reset, sizeof(u.reset));

        /* Our own domain's ports (L0 refuses any other): the shim's went too. */
        if ( !rc )
        {
            evtchn_reset_virqs();
            upcall_after_reset();
        }
        return rc;
    }

    /*
     * FIFO event channels: not yet (as Xen's shim, whose answer this is; a
     * guest falls back to the 2-level ABI).
     */
    case EVTCHNOP_init_control:
    case EVTCHNOP_expand_array:
    case EVTCHNOP_set_priority:
        return -XEN_EOPNOTSUPP;

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
