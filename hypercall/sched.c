/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/sched.c - sched_op: yield, block, shutdown. What they do is
 * pvops/domain.c's and, for block, pvops/evtchn.c's.
 */
#include "hypercall/handlers.h"
#include "pvops/domain.h"
#include "pvops/evtchn.h"
#include "x86/uaccess.h"

long do_sched_op(int cmd, unsigned long arg)
{
    struct sched_shutdown s;

    switch ( cmd )
    {
    case SCHEDOP_yield:
        domain_yield();
        return 0;

    case SCHEDOP_block:
        evtchn_block(current_vcpu());
        return 0;

    case SCHEDOP_shutdown:
        if ( copy_from_guest(&s, arg, sizeof(s)) )
            return -XEN_EFAULT;
        return domain_shutdown(s.reason);

    case SCHEDOP_shutdown_code:
        if ( copy_from_guest(&s, arg, sizeof(s)) )
            return -XEN_EFAULT;
        return domain_set_shutdown_code(s.reason);

    /* Privileged, as for any domU. */
    case SCHEDOP_remote_shutdown:
    case SCHEDOP_pin_override:
        return -XEN_EPERM;

    case SCHEDOP_poll:
    {
        struct sched_poll p;
        evtchn_port_t ports[128];
        unsigned int n = 0;

        if ( copy_from_guest(&p, arg, sizeof(p)) )
            return -XEN_EFAULT;
        if ( p.nr_ports > ARRAY_SIZE(ports) )
            return -XEN_EINVAL;
        while ( n < p.nr_ports &&
                !copy_from_guest(&ports[n], (unsigned long)p.ports.p + n * sizeof(*ports),
                                 sizeof(*ports)) )
            n++;
        return evtchn_poll(current_vcpu(), ports, p.nr_ports, n, p.timeout);
    }

    /* The watchdog: not yet. */
    case SCHEDOP_watchdog:
    default:
        return -XEN_ENOSYS;
    }
}
