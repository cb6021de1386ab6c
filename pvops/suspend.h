/* SPDX-License-Identifier: GPL-2.0-only */
/* pvops/suspend.h - the guest's suspend: save, restore and migration (pvops/suspend.c). */
#ifndef PVOPS_SUSPEND_H
#define PVOPS_SUSPEND_H

#include "pvops/domain.h"

/*
 * SHUTDOWN_suspend from vCPU me (the domain locked): L0's answer, 0 once
 * the container is restored (the shim has rebuilt what L0 did not carry),
 * 1 if the suspend was cancelled, or an error (-EBUSY: a vCPU did not stop
 * in time, or the guest maps a grant status frame).
 */
long domain_suspend(struct vcpu *me);

/*
 * This CPU's vCPU v is to wait (v->hold, on its way out to the guest, or
 * domain_lock()'s suspend_hold_waiter): wait until the suspend is over.
 */
void suspend_hold(struct vcpu *v);

#endif /* PVOPS_SUSPEND_H */
