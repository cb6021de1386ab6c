/* SPDX-License-Identifier: GPL-2.0-only */
/* hypercall/timer.c - set_timer_op; what a deadline means is pvops/time.c's. */
#include "hypercall/handlers.h"
#include "pvops/time.h"

long do_set_timer_op(uint64_t timeout)
{
    return pv_set_timer_op(current_vcpu(), timeout);
}
