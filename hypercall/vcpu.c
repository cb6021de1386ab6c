/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/vcpu.c - vcpu_op: each sub-op's structure copied in and out;
 * the vCPU's state and its life (initialise, up, down) are pvops/vcpu.c's,
 * its timers pvops/time.c's.
 */
#include "hypercall/handlers.h"
#include "pvops/domain.h"
#include "pvops/time.h"
#include "pvops/vcpu.h"
#include "x86/uaccess.h"

long do_vcpu_op(int cmd, unsigned int vcpuid, unsigned long arg)
{
    struct vcpu *v = domain_vcpu(vcpuid);

    if ( !v )
        return -XEN_ENOENT;

    switch ( cmd )
    {
    case VCPUOP_is_up:
        return vcpu_is_up(v);

    case VCPUOP_initialise:
    {
#ifdef CONFIG_PV32
        if ( is_pv32() )
        {
            /* Its 2800-byte layout (lib/compat.h); under the domain lock. */
            static struct compat_vcpu_guest_context c32;

            if ( !vcpu_has_info(v) )
                return -XEN_EINVAL;
            if ( copy_from_guest(&c32, arg, sizeof(c32)) )
                return -XEN_EFAULT;
            return vcpu_initialise32(v, &c32);
        }
#endif
        /* One context at a time: the domain lock is held (5 KiB, not on the stack). */
        static struct vcpu_guest_context ctx;

        /* Xen: a vCPU with no vcpu_info (past 32, none registered) first. */
        if ( !vcpu_has_info(v) )
            return -XEN_EINVAL;
        if ( copy_from_guest(&ctx, arg, sizeof(ctx)) )
            return -XEN_EFAULT;
        return vcpu_initialise(v, &ctx);
    }

    case VCPUOP_up:
        return vcpu_up(v);

    case VCPUOP_down:
        return vcpu_down(v);

    case VCPUOP_get_runstate_info:
    {
        struct vcpu_runstate_info r;

        vcpu_runstate(v, &r);
        return vcpu_runstate_copy_out(arg, &r) ? 0 : -XEN_EFAULT;
    }

    case VCPUOP_register_runstate_memory_area:
    {
        struct vcpu_register_runstate_memory_area area;

        if ( copy_from_guest(&area, arg, sizeof(area)) )
            return -XEN_EFAULT;
        /* A 32-bit guest's pointer is the union's low half (a compat handle). */
        return vcpu_register_runstate_area(v, is_pv32() ? (uint32_t)area.addr.p
                                                        : (unsigned long)area.addr.v);
    }

    case VCPUOP_register_vcpu_info:
    {
        struct vcpu_register_vcpu_info info;

        if ( copy_from_guest(&info, arg, sizeof(info)) )
            return -XEN_EFAULT;
        /* Xen ignores info.rsvd. */
        return vcpu_register_info(v, info.mfn, info.offset);
    }

    /* Only a pinned hardware domain learns physical CPU ids. */
    case VCPUOP_get_physid:
        return -XEN_EINVAL;

    /* An NMI for that vCPU; taken on its next way back to the guest. */
    case VCPUOP_send_nmi:
        if ( arg )
            return -XEN_EINVAL;
        return vcpu_send_nmi(v);

    case VCPUOP_set_singleshot_timer:
    {
        struct vcpu_set_singleshot_timer t = { 0 };

        /* A 32-bit guest's is 12 bytes: the same two members, no tail padding. */
        if ( copy_from_guest(&t, arg, is_pv32() ? sizeof(struct compat_vcpu_set_singleshot_timer)
                                                : sizeof(t)) )
            return -XEN_EFAULT;
        return pv_timer_set_singleshot(v, &t);
    }
    case VCPUOP_stop_singleshot_timer:
        return pv_timer_stop_singleshot(v);
    case VCPUOP_set_periodic_timer:
    {
        struct vcpu_set_periodic_timer t;

        if ( copy_from_guest(&t, arg, sizeof(t)) )
            return -XEN_EFAULT;
        return pv_timer_set_periodic(v, t.period_ns);
    }
    case VCPUOP_stop_periodic_timer:
        return pv_timer_stop_periodic(v);

    case VCPUOP_register_vcpu_time_memory_area:
    {
        struct vcpu_register_time_memory_area area;

        if ( copy_from_guest(&area, arg, sizeof(area)) )
            return -XEN_EFAULT;
        return vcpu_register_time_area(v, is_pv32() ? (uint32_t)area.addr.p
                                                    : (unsigned long)area.addr.v);
    }

    default:
        return -XEN_ENOSYS;
    }
}
