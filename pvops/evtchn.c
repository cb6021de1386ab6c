/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/evtchn.c - the guest's 2-level event channels (Xen's
 * common/event_2l.c semantics) and the event callback.
 *
 * Guest ports are L0's ports of the container (one namespace, as in Xen's
 * shim): interdomain, unbound and IPI channels are L0's, and notifications
 * go to L0. VIRQs are the shim's: a port number is reserved at L0 (an
 * unbound port to ourselves, never signalled) and the VIRQ raised locally.
 * Guest mask and pending bits live in the guest's shared_info; L0's stay
 * unmasked. L0's events reach us on one vector: L0's VIRQ_TIMER drives the
 * guest's timer (pvops/time.c), every other port is passed to the guest as
 * the same port number.
 */
#include "pvops/evtchn.h"
#include "pvops/time.h"
#include "pvops/traps.h"
#include "x86/cpu.h"
#include "x86/l0.h"
#include "x86/percpu.h"
#include "x86/traps.h"
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

static void evtchn_set_pending(evtchn_port_t port)
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

static void unmask_port(evtchn_port_t port)
{
    shared_info_t *s = dom.shared_info;

    if ( port >= NR_GUEST_PORTS )
        return;
    if ( test_and_clear(&s->evtchn_mask[port / 64], port % 64) &&
         ((READ_ONCE(s->evtchn_pending[port / 64]) >> (port % 64)) & 1) )
        mark_selector(current_vcpu(), port);
}

static evtchn_port_t virq_port_of(const struct vcpu *v, unsigned int virq)
{
    return virq < NR_VIRQS ? virq_port[v->id][virq] : 0;
}

static int bind_virq_port(struct vcpu *v, unsigned int virq, evtchn_port_t port)
{
    if ( virq >= NR_VIRQS )
        return -XEN_EINVAL;
    if ( virq_port[v->id][virq] )
        return -XEN_EEXIST;
    virq_port[v->id][virq] = port;
    return 0;
}

/* A VIRQ port: unbind it (true), or false if port is not one of ours. */
static bool close_virq(evtchn_port_t port)
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

void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
    evtchn_port_t port = virq_port_of(v, virq);

    if ( port )
        evtchn_set_pending(port);
}

/* ---------------------------------------------------------------- event_channel_op */

long evtchn_forward(int cmd, void *op)
{
    return l0_event_channel_op(cmd, op);
}

long evtchn_send(evtchn_port_t port)
{
    return l0_evtchn_send(port);
}

/* Per-vCPU VIRQs (common/event_channel.c virq_is_global): the rest are global. */
static bool virq_is_global(unsigned int virq)
{
    return !(virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
             virq == VIRQ_XENPMU);
}

long evtchn_bind_virq(struct evtchn_bind_virq *b)
{
    struct evtchn_alloc_unbound u = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    long rc;

    if ( b->virq >= 24 || (virq_is_global(b->virq) && b->vcpu != 0) )
        return -XEN_EINVAL;
    if ( b->vcpu >= dom.nr_vcpus || !dom.vcpu[b->vcpu] )
        return -XEN_ENOENT;
    if ( virq_port_of(dom.vcpu[b->vcpu], b->virq) )
        return -XEN_EEXIST;
    /* A port number of L0's namespace, so it can never clash with L0's ports. */
    if ( (rc = l0_event_channel_op(EVTCHNOP_alloc_unbound, &u)) )
        return rc;
    if ( (rc = bind_virq_port(dom.vcpu[b->vcpu], b->virq, u.port)) )
        return rc;
    b->port = u.port;
    return 0;
}

/*
 * Whether L0 has port in the container's table (Xen's port_is_valid: the
 * ports it has allocated buckets for), as L0 would say to a direct guest.
 * Its status of our own port tells, and changes nothing.
 */
static bool l0_port_valid(evtchn_port_t port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

    return l0_event_channel_op(EVTCHNOP_status, &st) != -XEN_EINVAL;
}

long evtchn_unmask(evtchn_port_t port)
{
    if ( port >= NR_GUEST_PORTS || !l0_port_valid(port) )
        return -XEN_EINVAL;
    unmask_port(port);
    return 0;
}

/*
 * The shim's own L0 port is not the guest's: to the guest it is a port it
 * never bound (a direct PV guest has no such port), so it cannot close it
 * and sleep for ever in SCHEDOP_block, nor read its binding.
 */
long evtchn_close(struct evtchn_close *c)
{
    /* The shim's port is free as the guest sees it: Xen's -EINVAL. */
    if ( pv_timer_port(c->port) )
        return -XEN_EINVAL;
    /* A VIRQ: unbind locally, then release the number at L0. */
    close_virq(c->port);
    return l0_event_channel_op(EVTCHNOP_close, c);
}

long evtchn_status(struct evtchn_status *st)
{
    long rc = l0_event_channel_op(EVTCHNOP_status, st);

    /* The shim's port, asked for by number: a free port to the guest. */
    if ( !rc && pv_timer_port(st->port) &&
         (st->dom == DOMID_SELF || (l0.domid_valid && st->dom == l0.domid)) )
    {
        memset(&st->u, 0, sizeof(st->u));
        st->status = EVTCHNSTAT_closed;
        st->vcpu = 0;
    }
    return rc;
}

void evtchn_after_reset(void)
{
    memset(virq_port, 0, sizeof(virq_port));
    pv_timer_after_reset();
}

/* ---------------------------------------------------------------- L0's events */

static void l0_port_event(evtchn_port_t port)
{
    if ( pv_timer_port(port) )
        pv_timer_expired(current_vcpu());
    else
        evtchn_set_pending(port);
}

static void upcall_interrupt(struct cpu_regs *regs)
{
    l0_take_events(l0_port_event);
    if ( regs->cs & 3 )
        pv_deliver_events(regs);
}

void evtchn_init(void)
{
    traps_set_irq_handler(L0_UPCALL_VECTOR, upcall_interrupt);
    pv_timer_init();
    l0_set_callback_vector();
}

bool evtchn_waiting(const struct vcpu *v)
{
    return (READ_ONCE(v->vcpu_info->evtchn_upcall_pending) &&
            !READ_ONCE(v->vcpu_info->evtchn_upcall_mask)) || l0_event_pending();
}

/* SCHEDOP_block: unmask events and sleep until one is pending (common/sched/core.c). */
void evtchn_block(struct vcpu *v)
{
    v->vcpu_info->evtchn_upcall_mask = 0;
    for ( ; ; )
    {
        l0_take_events(l0_port_event);
        /* An NMI wakes it too (Xen's vcpu_kick); delivered on the way out. */
        if ( READ_ONCE(v->vcpu_info->evtchn_upcall_pending) ||
             get_cpu_info()->nmi_raised || v->nmi_pending )
            return;
        safe_halt();
    }
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
