/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/time.c - the guest's time records. With the TSC not emulated
 * (tsc_mode native, as the lab and Xen's shim want), L0's pvclock record for
 * our vCPU describes time as a function of the very TSC the guest reads, so
 * the guest's record is a copy of it, written with the version protocol of
 * xen/include/public/xen.h (odd while updating).
 *
 * The guest's timer (set_timer_op, VCPUOP_set_singleshot_timer) is L0's
 * one-shot timer of our vCPU: the guest's time records are L0's (same TSC),
 * so a deadline means the same instant to both. Expiry raises the guest's
 * VIRQ_TIMER. L0's VIRQ_TIMER of our vCPU is the shim's own L0 port.
 */
#include "pvops/time.h"
#include "pvops/evtchn.h"
#include "x86/cpu.h"
#include "x86/l0.h"
#include "lib/printk.h"
#include "lib/string.h"

static uint32_t l0_wc_version __hot_data;   /* of the wallclock last copied */

/*
 * The wallclock at system time 0: L0's for our domain, as the guest would
 * see it directly. L0 writes it for an HVM domain only once that sets its
 * callback (hvm_latch_shinfo_size), and again on a settime: copied whenever
 * its version moves.
 */
static __hot_text void wallclock_update(void)
{
    uint32_t ver = READ_ONCE(l0.shared_info->wc_version), sec, nsec, hi;
    shared_info_t *g = dom.shared_info;

    if ( ver == l0_wc_version || (ver & 1) )
        return;
    barrier();
    sec = READ_ONCE(l0.shared_info->wc_sec);
    nsec = READ_ONCE(l0.shared_info->wc_nsec);
    hi = READ_ONCE(l0.shared_info->wc_sec_hi);
    barrier();
    if ( ver != READ_ONCE(l0.shared_info->wc_version) )
        return;                                 /* being updated: next time */
    l0_wc_version = ver;
    WRITE_ONCE(g->wc_version, (g->wc_version + 1) | 1);
    barrier();
    g->wc_sec = sec;
    g->wc_nsec = nsec;
    g->wc_sec_hi = hi;
    barrier();
    WRITE_ONCE(g->wc_version, g->wc_version + 1);
}

void pv_time_init(void)
{
    l0_wc_version = 0;
    dom.shared_info->wc_version = 0;
    wallclock_update();
}

__hot_text void pv_time_update(struct vcpu *v)
{
    struct vcpu_time_info t, *g;
    uint32_t ver;

    if ( !l0.shared_info || !v->vcpu_info )
        return;
    wallclock_update();
    /* A consistent snapshot of L0's record (retry while L0 updates it). */
    do {
        ver = READ_ONCE(l0.shared_info->vcpu_info[0].time.version);
        barrier();
        t = l0.shared_info->vcpu_info[0].time;
        barrier();
    } while ( (ver & 1) || ver != READ_ONCE(l0.shared_info->vcpu_info[0].time.version) );

    g = &v->vcpu_info->time;
    if ( g->tsc_timestamp == t.tsc_timestamp && g->system_time == t.system_time )
        return;
    ver = g->version;
    WRITE_ONCE(g->version, (ver + 1) | 1);
    barrier();
    g->tsc_timestamp = t.tsc_timestamp;
    g->system_time = t.system_time;
    g->tsc_to_system_mul = t.tsc_to_system_mul;
    g->tsc_shift = t.tsc_shift;
    g->flags = t.flags;
    barrier();
    WRITE_ONCE(g->version, ((ver + 1) | 1) + 1);
}

uint64_t pv_time_now(void)
{
    const struct vcpu_time_info *t;
    uint32_t ver;
    uint64_t now, delta;

    if ( !l0.shared_info )
        return 0;
    t = &l0.shared_info->vcpu_info[0].time;
    do {
        ver = READ_ONCE(t->version);
        barrier();
        delta = rdtsc() - t->tsc_timestamp;
        if ( t->tsc_shift >= 0 )
            delta <<= t->tsc_shift;
        else
            delta >>= -t->tsc_shift;
        now = t->system_time +
              (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        barrier();
    } while ( (ver & 1) || ver != READ_ONCE(t->version) );
    return now;
}

/* ---------------------------------------------------------------- timers */

static evtchn_port_t l0_timer_port;
/* The guest's deadline (system time, ns; 0: none): one L0 timer, vCPU 0's until SMP. */
static uint64_t guest_deadline;

/* The shim's own L0 port: L0's VIRQ_TIMER of our vCPU. */
void pv_timer_init(void)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = l0.vcpu_id };
    long rc;

    if ( (rc = l0_event_channel_op(EVTCHNOP_bind_virq, &b)) )
        panic("L0 refused its VIRQ_TIMER (%ld)", rc);
    l0_timer_port = b.port;
}

bool pv_timer_port(evtchn_port_t port)
{
    return port == l0_timer_port;
}

void pv_timer_after_reset(void)
{
    pv_timer_init();
    if ( guest_deadline )
        l0_set_timer(guest_deadline);
}

void pv_timer_expired(struct vcpu *v)
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
        l0_set_timer(guest_deadline);   /* early: L0's slack; wait again */
        return;
    }
    guest_deadline = 0;
    evtchn_send_virq(v, VIRQ_TIMER);
}

/*
 * set_timer_op (common/sched/core.c): 0 cancels; a deadline in the past
 * fires at once; one more than 2^50 ns ahead (or negative: old Linux) is
 * taken as 100 ms from now.
 */
long pv_set_timer_op(struct vcpu *v, uint64_t timeout)
{
    uint64_t now = pv_time_now();

    if ( timeout == 0 )
    {
        guest_deadline = 0;
        l0_set_timer(0);
        return 0;
    }
    if ( (int64_t)timeout < 0 || (timeout > now && timeout - now > (1ULL << 50)) )
        timeout = now + 100000000ULL;
    guest_deadline = timeout;
    l0_set_timer(timeout);
    return 0;
}

long pv_timer_set_singleshot(struct vcpu *v,
                             const struct vcpu_set_singleshot_timer *t)
{
    if ( (t->flags & VCPU_SSHOTTMR_future) && t->timeout_abs_ns < pv_time_now() )
        return -XEN_ETIME;
    guest_deadline = t->timeout_abs_ns ? t->timeout_abs_ns : 1;
    l0_set_timer(guest_deadline);
    return 0;
}

long pv_timer_stop_singleshot(struct vcpu *v)
{
    guest_deadline = 0;
    l0_set_timer(0);
    return 0;
}

/* A periodic timer: not yet (-ENOSYS, before its argument is read). */
long pv_timer_set_periodic(struct vcpu *v)
{
    return -XEN_ENOSYS;
}

/* The shim arms no periodic timer for its guest: nothing to stop. */
long pv_timer_stop_periodic(struct vcpu *v)
{
    return 0;
}
