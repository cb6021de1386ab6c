/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/upcall.c - events from L0, and the guest's one-shot timer.
 *
 * L0 calls us back on one interrupt vector (HVM_PARAM_CALLBACK_IRQ, vector
 * type: no LAPIC EOI needed). The handler scans L0's 2-level pending bits
 * of our vCPU: L0's VIRQ_TIMER drives the guest's timer, every other port
 * is passed to the guest as the same port number.
 *
 * The guest's timer (set_timer_op, VCPUOP_set_singleshot_timer) is L0's
 * one-shot timer of our vCPU: the guest's time records are L0's (same TSC,
 * pvops/time.c), so a deadline means the same instant to both. Expiry
 * raises the guest's VIRQ_TIMER.
 */
#include "hypercall/handlers.h"
#include "x86/l0.h"
#include "pvops/evtchn.h"
#include "pvops/time.h"
#include "x86/traps.h"
#include "x86/uaccess.h"
#include "lib/printk.h"

#define UPCALL_VECTOR  0xf3

static evtchn_port_t l0_timer_port;
static uint64_t guest_deadline;         /* system time (ns); 0: none */

static void l0_arm(uint64_t deadline)
{
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline };

    if ( deadline )
        l0_hypercall(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer,
                     l0.vcpu_id, (unsigned long)&t, 0, 0);
    else
        l0_hypercall(__HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer,
                     l0.vcpu_id, 0, 0, 0);
}

static void timer_expired(void)
{
    if ( !guest_deadline )
        return;
    /*
     * Xen's deadlines are signed (s_time_t): one "before 0" has passed
     * already, and L0 fires it at once. Compared unsigned, it never came,
     * and re-arming it at L0 fired again at once, for ever.
     */
    if ( (int64_t)pv_time_now() < (int64_t)guest_deadline )
    {
        l0_arm(guest_deadline);         /* early: L0's slack; wait again */
        return;
    }
    guest_deadline = 0;
    evtchn_send_virq(current_vcpu(), VIRQ_TIMER);
}

/* Everything L0 has pending for us. */
static void l0_events(void)
{
    vcpu_info_t *vi = &l0.shared_info->vcpu_info[l0.vcpu_id];

    while ( READ_ONCE(vi->evtchn_upcall_pending) )
    {
        xen_ulong_t sel;

        WRITE_ONCE(vi->evtchn_upcall_pending, 0);
        sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while ( sel )
        {
            unsigned int w = __builtin_ctzl(sel);
            xen_ulong_t bits;

            sel &= sel - 1;
            bits = __atomic_exchange_n(&l0.shared_info->evtchn_pending[w], 0, __ATOMIC_SEQ_CST);
            while ( bits )
            {
                evtchn_port_t port = w * 64 + __builtin_ctzl(bits);

                bits &= bits - 1;
                if ( port == l0_timer_port )
                    timer_expired();
                else
                    evtchn_set_pending(port);
            }
        }
    }
}

static void upcall_interrupt(struct cpu_regs *regs)
{
    l0_events();
    if ( regs->cs & 3 )
        pv_deliver_events(regs);
}

/* The shim's own L0 port: L0's VIRQ_TIMER of our vCPU. */
static void bind_l0_timer(void)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = l0.vcpu_id };
    long rc;

    if ( (rc = l0_event_channel_op(EVTCHNOP_bind_virq, &b)) )
        panic("L0 refused its VIRQ_TIMER (%ld)", rc);
    l0_timer_port = b.port;
}

/*
 * The shim's own L0 port is not the guest's: to the guest it is a port it
 * never bound (a direct PV guest has no such port), so it cannot close it
 * and sleep for ever in SCHEDOP_block, nor read its binding.
 */
bool upcall_port_is_shims(evtchn_port_t port)
{
    return port == l0_timer_port;
}

/* After the guest's EVTCHNOP_reset closed every port at L0, ours too. */
void upcall_after_reset(void)
{
    bind_l0_timer();
    if ( guest_deadline )
        l0_arm(guest_deadline);
}

void upcall_init(void)
{
    struct xen_hvm_param p = {
        .domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ,
        .value = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | UPCALL_VECTOR,
    };
    long rc;

    traps_set_irq_handler(UPCALL_VECTOR, upcall_interrupt);
    bind_l0_timer();
    if ( (rc = l0_hvm_op(HVMOP_set_param, &p)) )
        panic("L0 refused the event callback vector (%ld)", rc);
    WRITE_ONCE(l0.shared_info->vcpu_info[l0.vcpu_id].evtchn_upcall_mask, 0);
}

bool upcall_pending(void)
{
    return l0.shared_info && READ_ONCE(l0.shared_info->vcpu_info[l0.vcpu_id].evtchn_upcall_pending);
}

/* Wait for something to deliver to the guest (SCHEDOP_block). */
void upcall_block(void)
{
    struct vcpu *v = current_vcpu();

    for ( ; ; )
    {
        l0_events();
        /* An NMI wakes it too (Xen's vcpu_kick); delivered on the way out. */
        if ( READ_ONCE(v->vcpu_info->evtchn_upcall_pending) || get_cpu_info()->nmi_raised ||
             v->nmi_pending )
            return;
        /* "sti; hlt": an interrupt after the check still ends the halt. */
        __asm__ volatile ( "sti; hlt; cli" ::: "memory" );
    }
}

/*
 * set_timer_op (common/sched/core.c): 0 cancels; a deadline in the past
 * fires at once; one more than 2^50 ns ahead (or negative: old Linux) is
 * taken as 100 ms from now.
 */
long do_set_timer_op(uint64_t timeout)
{
    uint64_t now = pv_time_now();

    if ( timeout == 0 )
    {
        guest_deadline = 0;
        l0_arm(0);
        return 0;
    }
    if ( (int64_t)timeout < 0 || (timeout > now && timeout - now > (1ULL << 50)) )
        timeout = now + 100000000ULL;
    guest_deadline = timeout;
    l0_arm(timeout);
    return 0;
}

long vcpu_timer_op(int cmd, struct vcpu *v, unsigned long arg)
{
    struct vcpu_set_singleshot_timer t;

    (void)v;                            /* vCPU 0 only until SMP */
    switch ( cmd )
    {
    case VCPUOP_set_singleshot_timer:
        if ( copy_from_guest(&t, arg, sizeof(t)) )
            return -XEN_EFAULT;
        if ( (t.flags & VCPU_SSHOTTMR_future) && t.timeout_abs_ns < pv_time_now() )
            return -XEN_ETIME;
        guest_deadline = t.timeout_abs_ns ? t.timeout_abs_ns : 1;
        l0_arm(guest_deadline);
        return 0;
    case VCPUOP_stop_singleshot_timer:
        guest_deadline = 0;
        l0_arm(0);
        return 0;
    case VCPUOP_stop_periodic_timer:
        /* The shim arms no periodic timer for its guest. */
        return 0;
    default:
        /* A periodic timer: the event-channel step. */
        return -XEN_ENOSYS;
    }
}
