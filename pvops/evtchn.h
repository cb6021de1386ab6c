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

/* Take L0's events on their vector, the boot CPU's vcpu_info and ports at L0. */
void evtchn_init(void);

/* CPU cpu's own L0 ports: its VIRQ_TIMER and its kick port (false if refused). */
bool evtchn_bind_cpu(unsigned int cpu);

/* Interrupt the CPU that runs v (if not this one) so it looks at its events. */
void evtchn_kick(struct vcpu *v);

/* Raise virq on v if the guest bound it. */
void evtchn_send_virq(struct vcpu *v, unsigned int virq);

/*
 * event_channel_op, each sub-op's structure copied in; results are written
 * into it. What L0 serves on the container's ports goes through
 * evtchn_forward (alloc_unbound, reset).
 */
long evtchn_forward(int cmd, void *op);
/* After alloc_unbound made port: it notifies vCPU 0 (-ENOSPC past the ABI's ports). */
long evtchn_new_port(evtchn_port_t port);
long evtchn_send(evtchn_port_t port);
long evtchn_bind_virq(struct evtchn_bind_virq *b);
long evtchn_bind_ipi(struct evtchn_bind_ipi *b);
long evtchn_bind_interdomain(struct evtchn_bind_interdomain *b);
long evtchn_bind_vcpu(struct evtchn_bind_vcpu *b);
/* Clear the mask and raise what was held back. */
long evtchn_unmask(evtchn_port_t port);
long evtchn_close(struct evtchn_close *c);
long evtchn_status(struct evtchn_status *st);
/* EVTCHNOP_reset closed every port at L0: no VIRQ is bound, the shim's port is gone. */
void evtchn_after_reset(void);
/* The same after a restore, every port masked too (pvops/suspend.c). */
void evtchn_after_restore(void);

long evtchn_set_priority(const struct evtchn_set_priority *sp);

/* An event v would take now, or one L0 has for us (a long call stops early). */
bool evtchn_waiting(const struct vcpu *v);

/*
 * SCHEDOP_block: unmask v's events and wait until one is pending (or an
 * NMI). The domain lock is let go while it waits.
 */
void evtchn_block(struct vcpu *v);

/*
 * SCHEDOP_poll on nr ports, of which the first nr_read could be read (the
 * rest: -EFAULT once they are reached); timeout: system time, 0 none.
 */
long evtchn_poll(struct vcpu *v, const evtchn_port_t *ports, unsigned int nr,
                 unsigned int nr_read, uint64_t timeout);

/*
 * On the way back to the guest: if an event is pending and the guest has
 * them unmasked, enter its event callback (a bounce frame, events masked);
 * a pending NMI first; a vCPU taken down parks. Inline, the common case
 * (none of these) costs a few loads.
 */
void pv_deliver_events_slow(struct cpu_regs *regs);
static inline void pv_deliver_events(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();

    if ( likely(READ_ONCE(v->up) && !READ_ONCE(v->hold) && !v->nmi_pending &&
                (!v->vcpu_info || !READ_ONCE(v->vcpu_info->evtchn_upcall_pending))) )
        return;
    pv_deliver_events_slow(regs);
}

/* ---------------------------------------------------------------- FIFO (pvops/evtchn_fifo.c) */

/*
 * Serialises raising, unmasking and clearing events, under either ABI,
 * with the FIFO ABI's state: its queues, its pages, the switch to it.
 * Taken inside the domain lock, never the other way round.
 */
extern spinlock_t evtchn_lock;
void evtchn_lock_relax(void);
/*
 * Taken as the domain lock is, yielding to L0 while it waits: the holder
 * may be a vCPU L0 has descheduled, and every vCPU raises events (128 on
 * one CPU of the lab spun away their time slices behind it, and Linux's
 * IPIs to all CPUs stalled for minutes).
 */
static inline void evtchn_lock_take(void)
{
    spin_lock_relax(&evtchn_lock, evtchn_lock_relax);
}

/* Without evtchn_lock: port raised for the vCPU it notifies. */
void evtchn_set_pending(evtchn_port_t port);

/* Whether the guest switched to FIFO (EVTCHNOP_init_control). */
bool evtchn_fifo_on(void);
/*
 * With evtchn_lock held, port < NR_GUEST_PORTS: raise it on v's queue
 * (*mark: v's upcall to be raised; returns whether it became pending),
 * unmask it, clear it, read it.
 */
bool evtchn_fifo_set_pending(struct vcpu *v, evtchn_port_t port, bool *mark);
void evtchn_fifo_unmask(struct vcpu *v, evtchn_port_t port, bool *mark);
void evtchn_fifo_clear_pending(evtchn_port_t port);
bool evtchn_fifo_is_pending(evtchn_port_t port);
/* A port just bound (port < NR_GUEST_PORTS): the default priority. */
void evtchn_fifo_port_init(evtchn_port_t port);

/* The guest's calls, under the domain lock; set_priority's port is valid. */
long evtchn_fifo_init_control(struct evtchn_init_control *ic);
long evtchn_fifo_expand_array(const struct evtchn_expand_array *ea);
long evtchn_fifo_set_priority(evtchn_port_t port, unsigned int prio);
/* Back to 2-level after EVTCHNOP_reset: every FIFO frame let go. */
void evtchn_fifo_destroy(void);

#endif /* PVOPS_EVTCHN_H */
