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
#include "lib/string.h"

static const shared_info_t *l0_si __hot_data;

void pv_time_init(const shared_info_t *l0_shared_info)
{
    l0_si = l0_shared_info;
    /* Wallclock at system time 0: L0's, as the guest would see it directly. */
    dom.shared_info->wc_version = 2;
    dom.shared_info->wc_sec = READ_ONCE(l0_si->wc_sec);
    dom.shared_info->wc_nsec = READ_ONCE(l0_si->wc_nsec);
    dom.shared_info->wc_sec_hi = READ_ONCE(l0_si->wc_sec_hi);
}

__hot_text void pv_time_update(struct vcpu *v)
{
    struct vcpu_time_info t, *g;
    uint32_t ver;

    if ( !l0_si || !v->vcpu_info )
        return;
    /* A consistent snapshot of L0's record (retry while L0 updates it). */
    do {
        ver = READ_ONCE(l0_si->vcpu_info[0].time.version);
        barrier();
        t = l0_si->vcpu_info[0].time;
        barrier();
    } while ( (ver & 1) || ver != READ_ONCE(l0_si->vcpu_info[0].time.version) );

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

    if ( !l0_si )
        return 0;
    t = &l0_si->vcpu_info[0].time;
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
