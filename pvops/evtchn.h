/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/evtchn.h - the guest's 2-level event channels, as the guest sees
 * them in its shared_info (../shared/reference/pv64-abi.md section 9), and
 * their delivery through the event callback.
 *
 * Port numbers are L0's ports of the container (one namespace, as in Xen's
 * shim): L0's events on them are passed on as they are. VIRQs are the
 * shim's own: their port numbers are reserved at L0, never signalled there.
 */
#ifndef PVOPS_EVTCHN_H
#define PVOPS_EVTCHN_H

#include "pvops/domain.h"

#define NR_GUEST_PORTS (sizeof(((shared_info_t *)0)->evtchn_pending) * 8)

/* Mark port pending for the guest (the strict order of the 2-level ABI). */
void evtchn_set_pending(evtchn_port_t port);

/* EVTCHNOP_unmask: clear the mask and raise what was held back. */
void evtchn_unmask(evtchn_port_t port);

/* The port bound to virq on v, or 0. */
evtchn_port_t evtchn_virq_port(const struct vcpu *v, unsigned int virq);
int evtchn_bind_virq(struct vcpu *v, unsigned int virq, evtchn_port_t port);
/* A VIRQ port: unbind it (true), or false if port is not one of ours. */
bool evtchn_close_virq(evtchn_port_t port);
/* EVTCHNOP_reset closed every port at L0: no VIRQ is bound any more. */
void evtchn_reset_virqs(void);

/* Raise virq on v if the guest bound it. */
void evtchn_send_virq(struct vcpu *v, unsigned int virq);

/*
 * On the way back to the guest: if an event is pending and the guest has
 * them unmasked, enter its event callback (a bounce frame, events masked).
 */
void pv_deliver_events(struct cpu_regs *regs);

#endif /* PVOPS_EVTCHN_H */
