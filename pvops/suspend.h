/* SPDX-License-Identifier: GPL-2.0-only */
/* pvops/suspend.h - the guest's suspend: save, restore and migration (pvops/suspend.c). */
#ifndef PVOPS_SUSPEND_H
#define PVOPS_SUSPEND_H

#include "pvops/domain.h"

/*
 * SHUTDOWN_suspend from vCPU me (the domain locked): L0's answer, 0 once
 * the container is restored (the shim has rebuilt what L0 did not carry),
 * 1 if the suspend was cancelled, or an error (-EBUSY: a vCPU did not stop).
 */
long domain_suspend(struct vcpu *me);

/* Whether the vCPUs not suspending are to wait in the shim meanwhile. */
bool domain_suspending(void);
/* Wait there (this CPU's vCPU v), until the suspend is over. */
void suspend_hold(struct vcpu *v);

#endif /* PVOPS_SUSPEND_H */
