/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/time.c - the guest's time records and timers. With the TSC not
 * emulated (tsc_mode native, as the lab and Xen's shim want), L0's pvclock
 * record for a CPU describes time as a function of the very TSC the guest
 * reads there, so each vCPU's record is a copy of its CPU's, written with
 * the version protocol of xen/include/public/xen.h (odd while updating).
 *
 * A vCPU's timers (set_timer_op, VCPUOP_*_singleshot_timer and
 * *_periodic_timer) run on L0's one-shot timer of the CPU that runs it: the
 * time records are L0's (same TSC), so a deadline means the same instant to
 * both. Expiry raises the vCPU's VIRQ_TIMER. L0's VIRQ_TIMER of each CPU is
 * a port of the shim's own (pvops/evtchn.c).
 */
#include "pvops/time.h"
#include "pvops/evtchn.h"
#include "pvops/vcpu.h"
#include "x86/cpu.h"
#include "x86/l0.h"
#include "x86/uaccess.h"
#include "lib/compat.h"
#include "lib/printk.h"
#include "lib/string.h"

uint32_t l0_wc_version __hot_data;          /* pvops/time.h */

/*
 * The wallclock at system time 0: L0's for our domain, as the guest would
 * see it directly. L0 writes it for an HVM domain only once that sets its
 * callback (hvm_latch_shinfo_size), and again on a settime: copied whenever
 * its version moves.
 */
static void wallclock_update(void)
{
    static int busy;            /* one CPU copies; the others find it done */
    uint32_t ver = READ_ONCE(l0.shared_info->wc_version), sec, nsec, hi;
    shared_info_t *g = dom.shared_info;

    if ( ver == READ_ONCE(l0_wc_version) || (ver & 1) ||
         __atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE) )
        return;
    if ( ver == l0_wc_version )
    {
        __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
        return;
    }
    barrier();
    sec = READ_ONCE(l0.shared_info->wc_sec);
    nsec = READ_ONCE(l0.shared_info->wc_nsec);
    hi = READ_ONCE(l0.shared_info->wc_sec_hi);
    barrier();
    if ( ver != READ_ONCE(l0.shared_info->wc_version) )
    {
        __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
        return;                                 /* being updated: next time */
    }
    l0_wc_version = ver;
    if ( is_pv32() )
    {
        /* A 32-bit guest's layout: wc_sec_hi in arch (lib/compat.h). */
        struct compat_shared_info *c = (struct compat_shared_info *)g;

        WRITE_ONCE(c->wc_version, (c->wc_version + 1) | 1);
        barrier();
        c->wc_sec = sec;
        c->wc_nsec = nsec;
        c->arch.wc_sec_hi = hi;
        barrier();
        WRITE_ONCE(c->wc_version, c->wc_version + 1);
        __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
        return;
    }
    WRITE_ONCE(g->wc_version, (g->wc_version + 1) | 1);
    barrier();
    g->wc_sec = sec;
    g->wc_nsec = nsec;
    g->wc_sec_hi = hi;
    barrier();
    WRITE_ONCE(g->wc_version, g->wc_version + 1);
    __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}

void pv_time_init(void)
{
    l0_wc_version = 0;
    dom.shared_info->wc_version = 0;        /* memset already for a 32-bit guest */
    wallclock_update();
}

/* L0's record for this CPU: it describes this CPU's TSC. */
static inline const struct vcpu_time_info *l0_time(void)
{
    return &get_cpu_info()->l0_vi->time;
}

void pv_time_sync(struct vcpu *v)
{
    const struct vcpu_time_info *l0t = l0_time();
    struct vcpu_time_info t, *g;
    uint32_t ver;

    if ( !l0.shared_info || !v->vcpu_info )
        return;
    wallclock_update();
    g = &v->vcpu_info->time;
    /* Nothing new from L0 since the last copy to this record: done. */
    if ( READ_ONCE(l0t->version) == v->time_l0_version && g == v->time_copied_to )
        return;
    /* A consistent snapshot of L0's record (retry while L0 updates it). */
    do {
        ver = READ_ONCE(l0t->version);
        barrier();
        t = *l0t;
        barrier();
    } while ( (ver & 1) || ver != READ_ONCE(l0t->version) );
    v->time_l0_version = ver;
    v->time_copied_to = g;

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
    pv_time_area_update(v);
}

/*
 * The copy at the guest address VCPUOP_register_vcpu_time_memory_area gave
 * (Linux's vDSO reads it), written as Xen writes it: version odd, the
 * record, version even; a store that faults is skipped, as on Xen. Only
 * on v's own CPU while it is on v's page tables (the address is v's).
 */
void pv_time_area_update(struct vcpu *v)
{
    struct vcpu_time_info u;

    if ( !v->time_area || v != current_vcpu() || get_cpu_info()->idle || !v->vcpu_info )
        return;
    u = v->vcpu_info->time;
    u.version = (u.version + 1) | 1;
    if ( copy_to_guest(v->time_area + offsetof(struct vcpu_time_info, version),
                       &u.version, sizeof(u.version)) )
        return;
    barrier();
    copy_to_guest(v->time_area, &u, sizeof(u));
    barrier();
    u.version++;
    copy_to_guest(v->time_area + offsetof(struct vcpu_time_info, version),
                  &u.version, sizeof(u.version));
}

uint64_t pv_time_now(void)
{
    const struct vcpu_time_info *t;
    uint32_t ver;
    uint64_t now, delta;

    if ( !l0.shared_info )
        return 0;
    t = l0_time();
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

/*
 * Each vCPU's timers (Xen's singleshot and periodic timer of a vCPU) run
 * on L0's one-shot timer of the CPU that runs it: programmed by that CPU
 * alone, for the earlier of the two deadlines. Another vCPU's periodic
 * timer is changed in its struct vcpu and its CPU kicked to reprogram.
 * L0's VIRQ_TIMER of a CPU is a port of the shim's (evtchn.c: never the
 * guest's), and any of L0's events makes the CPU check its timers.
 */

/* Xen's s_time_t comparisons: a deadline "before 0" has passed already. */
static bool passed(uint64_t deadline, uint64_t now)
{
    return (int64_t)deadline <= (int64_t)now;
}

/*
 * L0 fires its one-shot once its own clock has passed the deadline; the
 * time record we read may lag L0's clock by microseconds. Once it has
 * fired, a deadline within L0_TIMER_SLOP counts as due (Linux sets its
 * deadlines at least that far ahead: TIMER_SLOP in arch/x86/xen/time.c),
 * and L0's timer is set again for anything later: no timer is lost for
 * an early-looking fire, and no storm of re-arms waits for our clock.
 */
#define L0_TIMER_SLOP 100000ULL

/* This CPU's vCPU v: fire what is due, then program L0 for what is next. */
__hot_text void pv_timer_check(struct vcpu *v)
{
    struct cpu_info *ci = get_cpu_info();
    uint64_t now, due, next = 0;
    bool fired = false, spent;

    spent = __atomic_exchange_n(&ci->l0_timer_fired, false, __ATOMIC_SEQ_CST);
    if ( spent )
        ci->l0_deadline = 0;            /* L0 holds no deadline now */
    if ( !v->singleshot && !v->period && !ci->l0_deadline )
        return;
    now = pv_time_now();
    due = spent ? now + L0_TIMER_SLOP : now;
    if ( v->singleshot && passed(v->singleshot, due) )
    {
        v->singleshot = 0;
        evtchn_send_virq(v, VIRQ_TIMER);
        fired = true;
    }
    if ( v->period && passed(v->periodic_last + v->period, due) )
    {
        evtchn_send_virq(v, VIRQ_TIMER);
        v->periodic_last = now;
        fired = true;
    }
    if ( fired )
    {
        v->nr_timer_events++;
        vcpu_runstate_area_update(v);       /* its tick reads its steal time */
    }
    if ( v->singleshot )
        next = v->singleshot;
    if ( v->period && (!next || (int64_t)(v->periodic_last + v->period - next) < 0) )
        next = v->periodic_last + v->period;
    if ( next != ci->l0_deadline )
    {
        ci->l0_deadline = next;
        l0_set_timer(next);
    }
}

/* L0 restarted (EVTCHNOP_reset rebound its VIRQ): program it afresh. */
void pv_timer_reprogram(void)
{
    struct cpu_info *ci = get_cpu_info();

    ci->l0_deadline = 0;
    if ( ci->current )
        pv_timer_check(ci->current);
}

/*
 * set_timer_op (common/sched/core.c): 0 cancels; a deadline in the past
 * fires at once; one more than 2^50 ns ahead (or negative: old Linux) is
 * taken as 100 ms from now.
 */
long pv_set_timer_op(struct vcpu *v, uint64_t timeout)
{
    uint64_t now = pv_time_now();

    if ( timeout && ((int64_t)timeout < 0 ||
                     (timeout > now && timeout - now > (1ULL << 50))) )
        timeout = now + 100000000ULL;
    v->singleshot = timeout;
    pv_timer_check(v);
    return 0;
}

/*
 * VCPUOP_set_singleshot_timer (Xen 4.17's common/domain.c): the caller's
 * own vCPU only; one already past fires at once (the flags are no longer
 * looked at).
 */
long pv_timer_set_singleshot(struct vcpu *v,
                             const struct vcpu_set_singleshot_timer *t)
{
    if ( v != current_vcpu() )
        return -XEN_EINVAL;
    v->singleshot = t->timeout_abs_ns ? t->timeout_abs_ns : 1;
    pv_timer_check(v);
    return 0;
}

long pv_timer_stop_singleshot(struct vcpu *v)
{
    if ( v != current_vcpu() )
        return -XEN_EINVAL;
    v->singleshot = 0;
    pv_timer_check(v);
    return 0;
}

/*
 * VCPUOP_set_periodic_timer / stop (vcpu_set_periodic_timer): any vCPU;
 * at least 1 ms, at most STIME_DELTA_MAX; the first tick comes at once
 * when a period has passed since the last.
 */
long pv_timer_set_periodic(struct vcpu *v, uint64_t period_ns)
{
    if ( period_ns < 1000000 || period_ns > (~0ULL >> 2) )
        return -XEN_EINVAL;
    v->period = period_ns;
    if ( v == current_vcpu() )
        pv_timer_check(v);
    else
        evtchn_kick(v);
    return 0;
}

long pv_timer_stop_periodic(struct vcpu *v)
{
    v->period = 0;
    if ( v == current_vcpu() )
        pv_timer_check(v);
    return 0;
}
