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

    /* Event-channel polling and the watchdog: the event-channel step. */
    case SCHEDOP_poll:
    case SCHEDOP_watchdog:
    default:
        return -XEN_ENOSYS;
    }
}
