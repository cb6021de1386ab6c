/* SPDX-License-Identifier: GPL-2.0-only */
/* pvops/time.h - the guest's vcpu_time_info, wallclock and timers. */
#ifndef PVOPS_TIME_H
#define PVOPS_TIME_H

#include "pvops/domain.h"
#include "x86/l0.h"
#include "x86/percpu.h"

/* Remember L0's shared_info (read only) and set the guest's wallclock. */
void pv_time_init(void);

/* Bring v's vcpu_info time record (and the wallclock) up to date with L0's. */
void pv_time_sync(struct vcpu *v);
extern uint32_t l0_wc_version;          /* of the wallclock last copied */

/*
 * The same, on every way into the shim: inline, the common case (nothing new
 * from L0 since the last copy, to the same record) costs a few loads.
 */
static inline void pv_time_update(struct vcpu *v)
{
    if ( likely(l0.shared_info && v->vcpu_info &&
                READ_ONCE(l0.shared_info->wc_version) == READ_ONCE(l0_wc_version) &&
                READ_ONCE(get_cpu_info()->l0_vi->time.version) == v->time_l0_version &&
                &v->vcpu_info->time == v->time_copied_to) )
        return;
    pv_time_sync(v);
}

/* Rewrite v's time area (VCPUOP_register_vcpu_time_memory_area), if any. */
void pv_time_area_update(struct vcpu *v);

/* System time now (ns), on the clock the guest's records describe. */
uint64_t pv_time_now(void);

/*
 * v's timers, on the CPU that runs v: raise VIRQ_TIMER for what is due and
 * program L0's timer for what comes next (after any event from L0).
 */
void pv_timer_check(struct vcpu *v);
/* L0's timer of this CPU is new (its VIRQ rebound): program it again. */
void pv_timer_reprogram(void);

/* set_timer_op, and vcpu_op's timer sub-ops (the structure copied in). */
long pv_set_timer_op(struct vcpu *v, uint64_t timeout);
long pv_timer_set_singleshot(struct vcpu *v,
                             const struct vcpu_set_singleshot_timer *t);
long pv_timer_stop_singleshot(struct vcpu *v);
long pv_timer_set_periodic(struct vcpu *v, uint64_t period_ns);
long pv_timer_stop_periodic(struct vcpu *v);

#endif /* PVOPS_TIME_H */
