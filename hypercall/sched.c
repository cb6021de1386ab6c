/* SPDX-License-Identifier: GPL-2.0-only */
/* hypercall/sched.c - sched_op: yield, block, shutdown. */
#include "hypercall/handlers.h"
#include "x86/l0.h"
#include "pvops/domain.h"
#include "pvops/evtchn.h"
#include "x86/uaccess.h"
#include "lib/printk.h"

static const char *const shutdown_names[] = {
    [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
    [SHUTDOWN_suspend] = "suspend", [SHUTDOWN_crash] = "crash",
    [SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
};

static long shutdown(unsigned int reason)
{
    switch ( reason )
    {
    case SHUTDOWN_poweroff:
    case SHUTDOWN_reboot:
    case SHUTDOWN_crash:
    case SHUTDOWN_watchdog:
        /* The guest is the domain: L0 acts on the container with our reason. */
        pr_info("d%u shuts down: %s%s\n", dom.domid, shutdown_names[reason],
                dom.shutdown_code != reason ? "" : " (code set)");
        dom.shutting_down = true;
        printk_flush();
        l0_shutdown(reason);
        /* L0 does not run us again; if it does, the guest stays stopped. */
        for ( ; ; )
            l0_sched_op(SCHEDOP_yield, NULL);
    case SHUTDOWN_suspend:
    case SHUTDOWN_soft_reset:
        /* Save/restore and soft reset need the shim's resume path (later). */
        pr_warn("d%u asked for shutdown reason %s: not supported yet\n",
                dom.domid, shutdown_names[reason]);
        return -XEN_EOPNOTSUPP;
    default:
        return -XEN_EINVAL;
    }
}

long do_sched_op(int cmd, unsigned long arg)
{
    struct sched_shutdown s;

    switch ( cmd )
    {
    case SCHEDOP_yield:
        l0_sched_op(SCHEDOP_yield, NULL);
        return 0;

    case SCHEDOP_block:
        evtchn_block(current_vcpu());
        return 0;

    case SCHEDOP_shutdown:
        if ( copy_from_guest(&s, arg, sizeof(s)) )
            return -XEN_EFAULT;
        return shutdown(s.reason);

    case SCHEDOP_shutdown_code:
        if ( copy_from_guest(&s, arg, sizeof(s)) )
            return -XEN_EFAULT;
        if ( s.reason > SHUTDOWN_MAX )
            return -XEN_EINVAL;
        dom.shutdown_code = s.reason;
        return 0;

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
