/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/event.c - event_channel_op. Guest ports are L0's ports of the
 * container (one namespace, as in Xen's shim): notifications go to L0.
 */
#include "hypercall/handlers.h"
#include "hypercall/l0.h"
#include "x86/uaccess.h"

long do_event_channel_op(int cmd, unsigned long arg)
{
    struct evtchn_send send;

    switch ( cmd )
    {
    case EVTCHNOP_send:
        if ( copy_from_guest(&send, arg, sizeof(send)) )
            return -XEN_EFAULT;
        return l0_evtchn_send(send.port);

    /* Binding, closing, unmasking and local VIRQs: the event-channel step. */
    default:
        return -XEN_ENOSYS;
    }
}
