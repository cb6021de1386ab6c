/* SPDX-License-Identifier: GPL-2.0-only */
/* pvops/time.h - the guest's vcpu_time_info and wallclock. */
#ifndef PVOPS_TIME_H
#define PVOPS_TIME_H

#include "pvops/domain.h"

/* Remember L0's shared_info (read only) and set the guest's wallclock. */
void pv_time_init(void);

/* Bring v's vcpu_info time record up to date with L0's. */
void pv_time_update(struct vcpu *v);

/* System time now (ns), on the clock the guest's records describe. */
uint64_t pv_time_now(void);

#endif /* PVOPS_TIME_H */
