/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/evtchn.c - the guest's 2-level event channels (Xen's
 * common/event_2l.c semantics) and the event callback.
 */
#include "pvops/evtchn.h"
#include "pvops/time.h"
#include "pvops/traps.h"
#include "lib/string.h"

#define NR_VIRQS 24

static evtchn_port_t virq_port[PV_MAX_VCPUS][NR_VIRQS];

static bool test_and_set(xen_ulong_t *word, unsigned int bit)
{
    bool old;

    __asm__ volatile ( "lock btsq %2, %0; setc %1"
                       : "+m" (*word), "=qm" (old) : "r" ((unsigned long)bit)
                       : "memory" );
    return old;
}

static bool test_and_clear(xen_ulong_t *word, unsigned int bit)
{
    bool old;

    __asm__ volatile ( "lock btrq %2, %0; setc %1"
                       : "+m" (*word), "=qm" (old) : "r" ((unsigned long)bit)
                       : "memory" );
    return old;
}

/* The selector bit and the upcall flag for a port already pending. */
static void mark_selector(struct vcpu *v, evtchn_port_t port)
{
    if ( !test_and_set(&v->vcpu_info->evtchn_pending_sel, port / 64) )
        WRITE_ONCE(v->vcpu_info->evtchn_upcall_pending, 1);
}

void evtchn_set_pending(evtchn_port_t port)
{
    shared_info_t *s = dom.shared_info;

    if ( port >= NR_GUEST_PORTS )
        return;
    if ( test_and_set(&s->evtchn_pending[port / 64], port % 64) )
        return;
    /* One vCPU: every port notifies vCPU 0 until bind_vcpu and SMP exist. */
    if ( !((READ_ONCE(s->evtchn_mask[port / 64]) >> (port % 64)) & 1) )
        mark_selector(current_vcpu(), port);
}

void evtchn_unmask(evtchn_port_t port)
{
    shared_info_t *s = dom.shared_info;

    if ( port >= NR_GUEST_PORTS )
        return;
    if ( test_and_clear(&s->evtchn_mask[port / 64], port % 64) &&
         ((READ_ONCE(s->evtchn_pending[port / 64]) >> (port % 64)) & 1) )
        mark_selector(current_vcpu(), port);
}

evtchn_port_t evtchn_virq_port(const struct vcpu *v, unsigned int virq)
{
    return virq < NR_VIRQS ? virq_port[v->id][virq] : 0;
}

int evtchn_bind_virq(struct vcpu *v, unsigned int virq, evtchn_port_t port)
{
    if ( virq >= NR_VIRQS )
        return -XEN_EINVAL;
    if ( virq_port[v->id][virq] )
        return -XEN_EEXIST;
    virq_port[v->id][virq] = port;
    return 0;
}

bool evtchn_close_virq(evtchn_port_t port)
{
    for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
        for ( unsigned int virq = 0; virq < NR_VIRQS; virq++ )
            if ( port && virq_port[i][virq] == port )
            {
                virq_port[i][virq] = 0;
                return true;
            }
    return false;
}

void evtchn_reset_virqs(void)
{
    memset(virq_port, 0, sizeof(virq_port));
}

void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
    evtchn_port_t port = evtchn_virq_port(v, virq);

    if ( port )
        evtchn_set_pending(port);
}

__hot_text void pv_deliver_events(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();

    /* An NMI first; its handler runs with events masked. */
    if ( v->nmi_pending )
        pv_deliver_nmi(regs);

    if ( !v->vcpu_info || !READ_ONCE(v->vcpu_info->evtchn_upcall_pending) ||
         READ_ONCE(v->vcpu_info->evtchn_upcall_mask) || !v->event_callback )
        return;
    pv_time_update(v);
    pv_event_callback(regs);
}
