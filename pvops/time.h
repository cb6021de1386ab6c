/* SPDX-License-Identifier: GPL-2.0-only */
/* pvops/time.h - the guest's vcpu_time_info, wallclock and timers. */
#ifndef PVOPS_TIME_H
#define PVOPS_TIME_H

#include "pvops/domain.h"

/* Remember L0's shared_info (read only) and set the guest's wallclock. */
void pv_time_init(void);

/* Bring v's vcpu_info time record up to date with L0's. */
void pv_time_update(struct vcpu *v);

/* System time now (ns), on the clock the guest's records describe. */
uint64_t pv_time_now(void);

/* Bind L0's VIRQ_TIMER of our vCPU: the shim's own L0 port (panics if refused). */
void pv_timer_init(void);
/* Whether port is that L0 port (never the guest's). */
bool pv_timer_port(evtchn_port_t port);
/* After the guest's EVTCHNOP_reset closed every port at L0, ours too. */
void pv_timer_after_reset(void);
/* L0's timer fired: raise v's VIRQ_TIMER if the guest's deadline has come. */
void pv_timer_expired(struct vcpu *v);

/* set_timer_op, and vcpu_op's timer sub-ops (the structure copied in). */
long pv_set_timer_op(struct vcpu *v, uint64_t timeout);
long pv_timer_set_singleshot(struct vcpu *v,
                             const struct vcpu_set_singleshot_timer *t);
long pv_timer_stop_singleshot(struct vcpu *v);
long pv_timer_set_periodic(struct vcpu *v);
long pv_timer_stop_periodic(struct vcpu *v);

#endif /* PVOPS_TIME_H */
