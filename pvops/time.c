/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/time.c - the guest's time records. With the TSC not emulated
 * (tsc_mode native, as the lab and Xen's shim want), L0's pvclock record for
 * our vCPU describes time as a function of the very TSC the guest reads, so
 * the guest's record is a copy of it, written with the version protocol of
 * xen/include/public/xen.h (odd while updating). Timers and VIRQ_TIMER come
 * with the event-channel step.
 */
#include "pvops/time.h"
#include "x86/cpu.h"
#include "x86/l0.h"
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
