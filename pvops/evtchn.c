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
 * unmasked. L0's events reach each CPU on one vector, each CPU taking
 * whole words of L0's pending bits (ports L0 meant for another CPU too):
 * every port is routed by the shim's own state. A guest port becomes
 * pending for the vCPU it notifies (port_vcpu, Xen's notify_vcpu_id), whose
 * CPU is kicked; each CPU has two ports of the shim's at L0, its
 * VIRQ_TIMER (pvops/time.c) and a kick port (an IPI others send on),
 * which the guest never sees.
 */
#include "pvops/evtchn.h"
#include "pvops/suspend.h"
#include "pvops/time.h"
#include "pvops/traps.h"
#include "pvops/vcpu.h"
#include "x86/cpu.h"
#include "x86/l0.h"
#include "x86/percpu.h"
#include "x86/smp.h"
#include "x86/traps.h"
#include "lib/compat.h"
#include "lib/printk.h"
#include "lib/string.h"

/* The vCPU each guest port notifies (Xen's notify_vcpu_id), 0 by default. */
static uint8_t port_vcpu[NR_GUEST_PORTS];
BUILD_BUG_ON(PV_MAX_VCPUS > 256);
/*
 * What each port number is to the shim. The guest's VIRQ and IPI ports
 * are reserved at L0 (an unbound port to ourselves, never signalled there,
 * so the number never clashes with L0's) and served here; so are sends
 * between two ports of the guest's own (a loopback: interdomain to
 * ourselves at L0). Changed under evtchn_lock.
 */
enum port_kind {
    PORT_L0,        /* L0's, or free: calls forwarded, L0's events passed on */
    PORT_SHIM,      /* a CPU's timer or kick port at L0: a free port to the guest */
    PORT_VIRQ,      /* a VIRQ of the guest's, raised by the shim */
    PORT_IPI,       /* an IPI of the guest's: sends raise it here */
    PORT_LOOP,      /* interdomain to another of the guest's (port_peer) */
};
static uint8_t port_kind[NR_GUEST_PORTS];
static uint16_t port_peer[NR_GUEST_PORTS];
BUILD_BUG_ON(NR_GUEST_PORTS > 65536);
/* vCPUs in SCHEDOP_poll (Xen's poll_mask), a count to skip the scan. */
static unsigned int nr_polling;

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

/*
 * A 32-bit guest's 2-level events (lib/compat.h struct compat_shared_info):
 * 1024 ports in 32-bit words. Its pending bits are the same bytes as the
 * first 1024 of a 64-bit guest's, its mask words follow them at 128 bytes,
 * and the selector is a 32-bit word at offset 4 of vcpu_info.
 */
#define COMPAT_2L_PORTS 1024
BUILD_BUG_ON(offsetof(struct compat_shared_info, evtchn_pending) !=
             offsetof(shared_info_t, evtchn_pending));
BUILD_BUG_ON(offsetof(struct compat_shared_info, evtchn_mask) !=
             offsetof(shared_info_t, evtchn_pending) + COMPAT_2L_PORTS / 8);
BUILD_BUG_ON(sizeof(struct compat_vcpu_info) != sizeof(vcpu_info_t));

static xen_ulong_t *mask_word_2l(evtchn_port_t port)
{
    shared_info_t *s = dom.shared_info;

    if ( is_pv32() )
        return &s->evtchn_pending[(COMPAT_2L_PORTS + port) / 64];
    return &s->evtchn_mask[port / 64];
}

/* The port's selector bit set: was it set already? */
static bool sel_test_and_set(struct vcpu *v, evtchn_port_t port)
{
    if ( is_pv32() )
    {
        uint32_t *sel = (uint32_t *)((uint8_t *)v->vcpu_info +
                                     offsetof(struct compat_vcpu_info, evtchn_pending_sel));
        uint32_t bit = 1u << (port / 32);

        return __atomic_fetch_or(sel, bit, __ATOMIC_SEQ_CST) & bit;
    }
    return test_and_set(&v->vcpu_info->evtchn_pending_sel, port / 64);
}

/* Ports the 2-level ABI has for this guest. */
static unsigned int nr_ports_2l(void)
{
    return is_pv32() ? COMPAT_2L_PORTS : NR_GUEST_PORTS;
}

static enum port_kind kind_of(evtchn_port_t port)
{
    return port < NR_GUEST_PORTS ? READ_ONCE(port_kind[port]) : PORT_L0;
}

static bool shim_port(evtchn_port_t port)
{
    return kind_of(port) == PORT_SHIM;
}

/*
 * Make v look at its events: its CPU takes an interrupt (L0's event on
 * the CPU's kick port) if it is not this one. A CPU in the guest enters
 * the upcall; one in the shim takes it on its way out, or wakes from halt.
 */
void evtchn_kick(struct vcpu *v)
{
    if ( v != current_vcpu() && cpu_started(v->id) )
        l0_evtchn_send(cpu_info_of(v->id)->l0_kick_port);
}

spinlock_t evtchn_lock;

void evtchn_lock_relax(void)
{
    tlb_flush_serve();          /* the domain lock's holder may be waiting for it */
    l0_sched_op(SCHEDOP_yield, NULL);
}

/* The upcall flag (Xen's vcpu_mark_events_pending), and v kicked if it was clear. */
static void mark_events_pending(struct vcpu *v)
{
    if ( !v->vcpu_info )
        return;             /* no vcpu_info (past 32, not registered): lost, as on Xen */
    if ( !__atomic_exchange_n(&v->vcpu_info->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST) )
        evtchn_kick(v);
}

/* Xen's evtchn_check_pollers: wake who polls this port (or any). */
static void wake_pollers(evtchn_port_t port)
{
    for ( unsigned int i = 0; READ_ONCE(nr_polling) && i < dom.nr_vcpus; i++ )
    {
        struct vcpu *v = dom.vcpu[i];

        if ( READ_ONCE(v->polling) &&
             (!READ_ONCE(v->poll_port) || READ_ONCE(v->poll_port) == port) )
            evtchn_kick(v);
    }
}

/*
 * Xen's evtchn_2l_set_pending: the port's bit, its selector bit if it is
 * unmasked (*mark: the selector was clear, the upcall is to be raised);
 * returns whether the port became pending (pollers to wake).
 */
static bool set_pending_2l(struct vcpu *v, evtchn_port_t port, bool *mark)
{
    shared_info_t *s = dom.shared_info;

    *mark = false;
    if ( port >= nr_ports_2l() ||
         test_and_set(&s->evtchn_pending[port / 64], port % 64) )
        return false;
    if ( !((READ_ONCE(*mask_word_2l(port)) >> (port % 64)) & 1) && v->vcpu_info )
        *mark = !sel_test_and_set(v, port);
    return true;
}

static bool set_pending_locked(struct vcpu *v, evtchn_port_t port, bool *mark)
{
    return evtchn_fifo_on() ? evtchn_fifo_set_pending(v, port, mark)
                            : set_pending_2l(v, port, mark);
}

/* Raise port for the vCPU it notifies, kicked once the lock is let go. */
void evtchn_set_pending(evtchn_port_t port)
{
    struct vcpu *v;
    bool mark, poll;

    if ( port >= NR_GUEST_PORTS )
        return;
    evtchn_lock_take();
    v = dom.vcpu[port_vcpu[port]];
    poll = set_pending_locked(v, port, &mark);
    spin_unlock(&evtchn_lock);
    if ( mark )
        mark_events_pending(v);
    if ( poll )
        wake_pollers(port);
}

/* Xen's evtchn_port_unmask, under either ABI. */
static void unmask_port(evtchn_port_t port)
{
    shared_info_t *s = dom.shared_info;
    struct vcpu *v;
    bool mark = false;

    if ( port >= NR_GUEST_PORTS )
        return;
    evtchn_lock_take();
    v = dom.vcpu[port_vcpu[port]];
    if ( evtchn_fifo_on() )
        evtchn_fifo_unmask(v, port, &mark);
    else if ( port < nr_ports_2l() && test_and_clear(mask_word_2l(port), port % 64) &&
              ((READ_ONCE(s->evtchn_pending[port / 64]) >> (port % 64)) & 1) &&
              v->vcpu_info )
        mark = !sel_test_and_set(v, port);
    spin_unlock(&evtchn_lock);
    if ( mark )
        mark_events_pending(v);
}

/* Whether port is pending, under either ABI (Xen's evtchn_is_pending). */
static bool port_pending(evtchn_port_t port)
{
    bool pending;

    evtchn_lock_take();
    if ( evtchn_fifo_on() )
        pending = evtchn_fifo_is_pending(port);
    else
        pending = port < nr_ports_2l() &&
                  ((READ_ONCE(dom.shared_info->evtchn_pending[port / 64]) >> (port % 64)) & 1);
    spin_unlock(&evtchn_lock);
    return pending;
}

/* A port just bound: it notifies v, on the default FIFO queue. */
static void port_bound(evtchn_port_t port, unsigned int vcpu)
{
    if ( port >= NR_GUEST_PORTS )
        return;
    port_vcpu[port] = vcpu;
    evtchn_fifo_port_init(port);
}

static evtchn_port_t virq_port_of(const struct vcpu *v, unsigned int virq)
{
    return virq < NR_VIRQS ? v->virq_port[virq] : 0;
}

/* A VIRQ port: its vCPU and VIRQ (true), or false if port is none. */
static bool find_virq(evtchn_port_t port, struct vcpu **vp, unsigned int *virqp)
{
    if ( kind_of(port) != PORT_VIRQ )
        return false;
    for ( unsigned int i = 0; port && i < dom.nr_vcpus; i++ )
        for ( unsigned int virq = 0; virq < NR_VIRQS; virq++ )
            if ( dom.vcpu[i]->virq_port[virq] == port )
            {
                *vp = dom.vcpu[i];
                *virqp = virq;
                return true;
            }
    return false;
}

/* From any CPU's timer check: still bound (closed or reset meanwhile?) under the lock. */
void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
    evtchn_port_t port = virq_port_of(v, virq);
    struct vcpu *t = NULL;
    bool mark = false, poll = false;

    if ( !port || port >= NR_GUEST_PORTS )
        return;
    evtchn_lock_take();
    if ( port_kind[port] == PORT_VIRQ && virq_port_of(v, virq) == port )
    {
        t = dom.vcpu[port_vcpu[port]];
        poll = set_pending_locked(t, port, &mark);
    }
    spin_unlock(&evtchn_lock);
    if ( mark )
        mark_events_pending(t);
    if ( poll )
        wake_pollers(port);
}

/* ---------------------------------------------------------------- the shim's own ports */

/*
 * CPU cpu's ports at L0: its VIRQ_TIMER (its timers run on L0's one-shot
 * timer of that CPU) and an IPI port others send to to kick it. Bound by
 * whichever CPU prepares it, before it starts.
 */
bool evtchn_bind_cpu(unsigned int cpu)
{
    struct cpu_info *ci = cpu_info_of(cpu);
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = cpu };
    struct evtchn_bind_ipi ipi = { .vcpu = cpu };

    if ( l0_event_channel_op(EVTCHNOP_bind_virq, &b) ||
         l0_event_channel_op(EVTCHNOP_bind_ipi, &ipi) ||
         b.port >= NR_GUEST_PORTS || ipi.port >= NR_GUEST_PORTS )
        return false;
    ci->l0_timer_port = b.port;
    ci->l0_kick_port = ipi.port;
    l0_own_port(b.port);
    l0_own_port(ipi.port);
    evtchn_lock_take();
    port_kind[b.port] = port_kind[ipi.port] = PORT_SHIM;
    spin_unlock(&evtchn_lock);
    return true;
}

/* ---------------------------------------------------------------- event_channel_op */

long evtchn_forward(int cmd, void *op)
{
    return l0_event_channel_op(cmd, op);
}

/*
 * EVTCHNOP_send (Xen's evtchn_send): on an IPI the port itself is raised,
 * on a loopback its peer, both here; L0's go to L0. The shim's ports are
 * free ones to the guest, and a VIRQ's cannot be sent on: Xen's -EINVAL
 * for both (L0 would drop a send on the port it holds for a VIRQ, and say 0).
 */
long evtchn_send(evtchn_port_t port)
{
    enum port_kind kind = kind_of(port);
    evtchn_port_t target = 0;
    struct vcpu *v = NULL;
    bool mark = false, poll = false;

    if ( kind == PORT_L0 )
        return l0_evtchn_send(port);
    if ( kind != PORT_IPI && kind != PORT_LOOP )
        return -XEN_EINVAL;
    evtchn_lock_take();
    kind = port_kind[port];             /* closed meanwhile? */
    if ( kind == PORT_IPI || kind == PORT_LOOP )
    {
        target = kind == PORT_IPI ? port : port_peer[port];
        v = dom.vcpu[port_vcpu[target]];
        poll = set_pending_locked(v, target, &mark);
    }
    spin_unlock(&evtchn_lock);
    if ( mark )
        mark_events_pending(v);
    if ( poll )
        wake_pollers(target);
    if ( target )
        return 0;
    return kind == PORT_L0 ? l0_evtchn_send(port) : -XEN_EINVAL;
}

/*
 * Can the guest's ABI name port? FIFO: every port we track; 2-level: a
 * 64-bit guest's 4096, a 32-bit one's 1024 (Xen refuses a port past them:
 * -ENOSPC). One it cannot name is closed at L0 again.
 */
static bool port_fits(evtchn_port_t port)
{
    struct evtchn_close c = { .port = port };

    if ( port < (evtchn_fifo_on() ? NR_GUEST_PORTS : nr_ports_2l()) )
        return true;
    l0_event_channel_op(EVTCHNOP_close, &c);
    return false;
}

/* A new port (alloc_unbound) notifies vCPU 0; -ENOSPC past the ABI's ports. */
long evtchn_new_port(evtchn_port_t port)
{
    if ( !port_fits(port) )
        return -XEN_ENOSPC;
    port_bound(port, 0);
    return 0;
}

/* Per-vCPU VIRQs (common/event_channel.c virq_is_global): the rest are global. */
static bool virq_is_global(unsigned int virq)
{
    return !(virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
             virq == VIRQ_XENPMU);
}

/*
 * A port number for a port the shim serves, of L0's namespace so that it
 * never clashes with L0's: an unbound port to ourselves, never signalled.
 * It becomes kind, notifying vcpu.
 */
static long reserve_port(enum port_kind kind, unsigned int vcpu, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound u = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    long rc;

    if ( (rc = l0_event_channel_op(EVTCHNOP_alloc_unbound, &u)) )
        return rc;
    if ( !port_fits(u.port) )
        return -XEN_ENOSPC;
    evtchn_lock_take();
    port_bound(u.port, vcpu);
    port_kind[u.port] = kind;
    spin_unlock(&evtchn_lock);
    *port = u.port;
    return 0;
}

long evtchn_bind_virq(struct evtchn_bind_virq *b)
{
    struct vcpu *v;
    long rc;

    if ( b->virq >= NR_VIRQS || (virq_is_global(b->virq) && b->vcpu != 0) )
        return -XEN_EINVAL;
    if ( !(v = domain_vcpu(b->vcpu)) )
        return -XEN_ENOENT;
    if ( virq_port_of(v, b->virq) )
        return -XEN_EEXIST;
    if ( (rc = reserve_port(PORT_VIRQ, v->id, &b->port)) )
        return rc;
    v->virq_port[b->virq] = b->port;
    return 0;
}

/* EVTCHNOP_bind_ipi: the shim's, so that its sends never leave it. */
long evtchn_bind_ipi(struct evtchn_bind_ipi *b)
{
    if ( !domain_vcpu(b->vcpu) )
        return -XEN_ENOENT;
    return reserve_port(PORT_IPI, b->vcpu, &b->port);
}

static bool is_self(domid_t d)
{
    return d == DOMID_SELF || (l0.domid_valid && d == l0.domid);
}

/*
 * EVTCHNOP_bind_interdomain, at L0. The ports the shim serves are no
 * unbound ports to bind to (Xen's -EINVAL; at L0 they would be). Bound to
 * another port of ours, the pair is a loopback whose sends stay here.
 */
long evtchn_bind_interdomain(struct evtchn_bind_interdomain *b)
{
    bool self = is_self(b->remote_dom);
    long rc;

    if ( self && kind_of(b->remote_port) != PORT_L0 )
        return -XEN_EINVAL;
    if ( (rc = l0_event_channel_op(EVTCHNOP_bind_interdomain, b)) )
        return rc;
    if ( !port_fits(b->local_port) )
        return -XEN_ENOSPC;
    port_bound(b->local_port, 0);
    /*
     * Xen raises the new port at once, for what the unbound end may have
     * missed; L0 did, but its event reaches us later.
     */
    evtchn_set_pending(b->local_port);
    if ( self && b->local_port < NR_GUEST_PORTS && b->remote_port < NR_GUEST_PORTS )
    {
        evtchn_lock_take();
        port_kind[b->local_port] = port_kind[b->remote_port] = PORT_LOOP;
        port_peer[b->local_port] = b->remote_port;
        port_peer[b->remote_port] = b->local_port;
        spin_unlock(&evtchn_lock);
    }
    return 0;
}

/*
 * EVTCHNOP_bind_vcpu: L0 moves its own notification (so its events reach
 * that CPU first), the shim the guest's. A per-vCPU VIRQ stays (-EINVAL).
 */
long evtchn_bind_vcpu(struct evtchn_bind_vcpu *b)
{
    struct vcpu *v;
    unsigned int virq;
    long rc;

    /* Xen's order: the vCPU (-ENOENT), then the port (-EINVAL). */
    if ( !domain_vcpu(b->vcpu) )
        return -XEN_ENOENT;
    /* Xen: an IPI (and a free port) -EINVAL, a per-vCPU VIRQ too. */
    if ( shim_port(b->port) || kind_of(b->port) == PORT_IPI )
        return -XEN_EINVAL;
    if ( find_virq(b->port, &v, &virq) && !virq_is_global(virq) )
        return -XEN_EINVAL;
    if ( (rc = l0_event_channel_op(EVTCHNOP_bind_vcpu, b)) )
        return rc;
    if ( b->port < NR_GUEST_PORTS && b->vcpu < dom.nr_vcpus )
        port_vcpu[b->port] = b->vcpu;
    return 0;
}

/* A port in use (Xen's evtchn_usable: neither free nor reserved). */
static bool l0_port_usable(evtchn_port_t port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

    return !l0_event_channel_op(EVTCHNOP_status, &st) && st.status != EVTCHNSTAT_closed;
}

/*
 * EVTCHNOP_set_priority (Xen's evtchn_set_priority): a valid port
 * (-EINVAL), the FIFO ABI (-ENOSYS), a port in use (-EACCES, the shim's
 * own being free ones to the guest), then the priority.
 */
long evtchn_set_priority(const struct evtchn_set_priority *sp)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = sp->port };
    long rc = l0_event_channel_op(EVTCHNOP_status, &st);

    if ( rc == -XEN_EINVAL )
        return rc;
    if ( !evtchn_fifo_on() )
        return -XEN_ENOSYS;
    if ( rc || st.status == EVTCHNSTAT_closed || shim_port(sp->port) )
        return -XEN_EACCES;
    return evtchn_fifo_set_priority(sp->port, sp->priority);
}

/* EVTCHNOP_unmask: a valid port (-EINVAL); one not in use is left alone, as on Xen. */
long evtchn_unmask(evtchn_port_t port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
    enum port_kind kind = kind_of(port);
    long rc;

    /* The shim's VIRQs, IPIs and loopbacks are bound: no need to ask L0. */
    if ( kind == PORT_VIRQ || kind == PORT_IPI || kind == PORT_LOOP )
    {
        unmask_port(port);
        return 0;
    }
    if ( port >= NR_GUEST_PORTS ||
         (rc = l0_event_channel_op(EVTCHNOP_status, &st)) == -XEN_EINVAL )
        return -XEN_EINVAL;
    if ( !rc && st.status != EVTCHNSTAT_closed && !shim_port(port) )
        unmask_port(port);
    return 0;
}

/*
 * The shim's own L0 ports are not the guest's: to the guest they are
 * ports it never bound (a direct PV guest has no such port), so it cannot
 * close them and sleep for ever in SCHEDOP_block, nor read their binding.
 */
long evtchn_close(struct evtchn_close *c)
{
    struct vcpu *v;
    unsigned int virq;

    /* The shim's port is free as the guest sees it: Xen's -EINVAL. */
    if ( shim_port(c->port) )
        return -XEN_EINVAL;
    long rc;

    /* A VIRQ: unbind locally, then release the number at L0. */
    if ( find_virq(c->port, &v, &virq) )
        v->virq_port[virq] = 0;
    if ( (rc = l0_event_channel_op(EVTCHNOP_close, c)) || c->port >= NR_GUEST_PORTS )
        return rc;
    /*
     * Xen clears a closed port's pending bit (__evtchn_close), so the next
     * binding of the number starts clean; the guest's bits are the shim's.
     * A loopback's peer is unbound now, to ourselves (L0 made it so).
     */
    evtchn_lock_take();
    if ( port_kind[c->port] == PORT_LOOP )
        port_kind[port_peer[c->port]] = PORT_L0;
    port_kind[c->port] = PORT_L0;
    port_vcpu[c->port] = 0;
    if ( evtchn_fifo_on() )
        evtchn_fifo_clear_pending(c->port);
    else if ( c->port < nr_ports_2l() )
        test_and_clear(&dom.shared_info->evtchn_pending[c->port / 64], c->port % 64);
    spin_unlock(&evtchn_lock);
    return 0;
}

/*
 * EVTCHNOP_status: L0's answer (its checks, its errors), but for the ports
 * the shim serves, which L0 holds as unbound ones: the shim's own are free
 * to the guest, VIRQs and IPIs are what they are. Xen writes only the
 * union's member of the state (none for free ports and IPIs).
 */
long evtchn_status(struct evtchn_status *st)
{
    const struct evtchn_status in = *st;
    long rc = l0_event_channel_op(EVTCHNOP_status, st);
    struct vcpu *v;
    unsigned int virq;

    if ( rc || !is_self(in.dom) )
        return rc;
    switch ( kind_of(in.port) )
    {
    case PORT_SHIM:
        st->status = EVTCHNSTAT_closed;
        st->u = in.u;
        st->vcpu = 0;
        break;
    case PORT_IPI:
        st->status = EVTCHNSTAT_ipi;
        st->u = in.u;
        st->vcpu = port_vcpu[in.port];
        break;
    case PORT_VIRQ:
        if ( !find_virq(in.port, &v, &virq) )
            break;
        st->status = EVTCHNSTAT_virq;
        st->u = in.u;
        st->u.virq = virq;
        st->vcpu = port_vcpu[in.port];      /* a global one may have moved */
        break;
    default:
        break;
    }
    return rc;
}

/* Our domid, if CPUID did not say: an unbound port to ourselves names it. */
static void probe_domid(void)
{
    struct evtchn_alloc_unbound u = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_status st = { .dom = DOMID_SELF };
    struct evtchn_close c;

    if ( l0.domid_valid || l0_event_channel_op(EVTCHNOP_alloc_unbound, &u) )
        return;
    st.port = c.port = u.port;
    if ( !l0_event_channel_op(EVTCHNOP_status, &st) && st.status == EVTCHNSTAT_unbound )
    {
        l0.domid = st.u.unbound.dom;
        l0.domid_valid = true;
    }
    l0_event_channel_op(EVTCHNOP_close, &c);
}

/*
 * Every port closed at L0 (EVTCHNOP_reset, or a restore into a new domain):
 * no VIRQ is bound, every notification is vCPU 0's again, and the shim's
 * ports are gone. They are bound anew for every CPU that has them, and each
 * CPU checks its timers (one may have fired while its VIRQ was unbound).
 * After a restore every port is masked too, as the restore of a PV guest
 * leaves its shared_info.
 */
static void ports_closed(bool restored)
{
    bool clear;

    evtchn_lock_take();
    memset(port_kind, 0, sizeof(port_kind));
    memset(port_vcpu, 0, sizeof(port_vcpu));
    l0_forget_own_ports();
    for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
        memset(dom.vcpu[i]->virq_port, 0, sizeof(dom.vcpu[i]->virq_port));
    spin_unlock(&evtchn_lock);
    /*
     * Every port was freed: nothing stays pending (Xen's evtchn_free),
     * and a FIFO guest is back on the 2-level ABI, its 2-level bits as
     * they were when it left them (but after a restore: none of that is).
     */
    clear = restored || !evtchn_fifo_on();
    if ( evtchn_fifo_on() )
        evtchn_fifo_destroy();
    for ( unsigned int w = 0; clear && w < nr_ports_2l() / 64; w++ )
    {
        __atomic_store_n(&dom.shared_info->evtchn_pending[w], 0, __ATOMIC_SEQ_CST);
        if ( restored )
            __atomic_store_n(mask_word_2l(w * 64), ~0UL, __ATOMIC_SEQ_CST);
    }
    for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
    {
        if ( !cpu_prepared(i) )
            continue;
        if ( !evtchn_bind_cpu(i) )
            guest_crash("L0 refused CPU %u's ports after the guest's %s", i,
                        restored ? "restore" : "reset");
        evtchn_kick(dom.vcpu[i]);
    }
    pv_timer_reprogram();
}

void evtchn_after_reset(void)
{
    ports_closed(false);
}

void evtchn_after_restore(void)
{
    probe_domid();
    ports_closed(true);
}

/* ---------------------------------------------------------------- L0's events */

/*
 * One of L0's ports this CPU took. A guest port becomes pending for the
 * guest (its vCPU kicked); another CPU's timer port kicks that CPU, which
 * then checks its timers; a kick port has done its job (the interrupt).
 */
/* Another CPU's timer port taken here (for the shutdown line). */
unsigned long l0_timer_ports_taken;

static void l0_port_event(evtchn_port_t port)
{
    if ( !shim_port(port) )
    {
        evtchn_set_pending(port);
        return;
    }
    for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
        if ( cpu_prepared(i) && cpu_info_of(i)->l0_timer_port == port )
        {
            /* Its one-shot is spent (pv_timer_check: even if it looks early). */
            __atomic_store_n(&cpu_info_of(i)->l0_timer_fired, true, __ATOMIC_SEQ_CST);
            if ( dom.vcpu[i] != current_vcpu() )
            {
                l0_timer_ports_taken++;
                evtchn_kick(dom.vcpu[i]);
            }
            return;
        }
}

/*
 * L0's events, then a flush another CPU asked for (after: its kick, taken
 * here, is then never lost with the request unserved), then this CPU's
 * timers.
 */
static void take_l0_events(struct vcpu *v)
{
    l0_take_events(l0_port_event);
    tlb_flush_serve();
    pv_timer_check(v);
}

static void upcall_interrupt(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();

    if ( !v )
        return;     /* a CPU not running the guest yet: events wait for it */
    take_l0_events(v);
    if ( regs->cs & 3 )
        pv_deliver_events(regs);
}

void evtchn_init(void)
{
    traps_set_irq_handler(L0_UPCALL_VECTOR, upcall_interrupt);
    if ( !l0_register_vcpu_info(0) || !evtchn_bind_cpu(0) )
        panic("L0 refused the boot CPU's vcpu_info or event channels");
    l0_set_callback_vector();
    probe_domid();
}

bool evtchn_waiting(const struct vcpu *v)
{
    return (v->vcpu_info && READ_ONCE(v->vcpu_info->evtchn_upcall_pending) &&
            !READ_ONCE(v->vcpu_info->evtchn_upcall_mask)) || l0_event_pending();
}

/* Whether the vCPU must stop waiting: an event, or an NMI (Xen's vcpu_kick). */
static bool wake_up(struct vcpu *v)
{
    return (v->vcpu_info && READ_ONCE(v->vcpu_info->evtchn_upcall_pending) &&
            !READ_ONCE(v->vcpu_info->evtchn_upcall_mask)) ||
           get_cpu_info()->nmi_raised || v->nmi_pending || !READ_ONCE(v->up) ||
           READ_ONCE(v->hold);
}

/*
 * Wait, interrupts on, until L0's event, a kick or the timer wakes this
 * CPU: on the shim's page tables (x86/smp.h cpu_idle_enter), and never
 * with the domain lock (block and poll run without it, bar one inside a
 * multicall, which lets it go meanwhile).
 */
static void wait_unlocked(void)
{
    paddr_t cr3 = read_cr3_raw();
    bool locked = domain_locked_here();

    cpu_idle_enter();
    if ( locked )
        domain_unlock();
    safe_halt();
    cpu_idle_exit(cr3);
    if ( locked )
        domain_lock();
}

/* SCHEDOP_block: unmask events and sleep until one is pending (common/sched/core.c). */
void evtchn_block(struct vcpu *v)
{
    bool waited = false;

    if ( v->vcpu_info )
        v->vcpu_info->evtchn_upcall_mask = 0;
    for ( ; ; waited = true )
    {
        take_l0_events(v);
        if ( wake_up(v) )
            break;
        v->nr_waits++;
        wait_unlocked();
    }
    if ( waited )
        vcpu_runstate_area_update(v);       /* it was blocked: its runstate moved */
}

/*
 * SCHEDOP_poll (common/sched/core.c do_poll), its list already read: back
 * at once when an event is to be delivered or a port is pending, else wait
 * until one is, or until timeout (system time, 0: none) passes.
 */
long evtchn_poll(struct vcpu *v, const evtchn_port_t *ports, unsigned int nr,
                 unsigned int nr_read, uint64_t timeout)
{
    bool hit = false;

    if ( wake_up(v) )
        return 0;
    for ( unsigned int i = 0; i < nr_read && !hit; i++ )
    {
        if ( ports[i] >= NR_GUEST_PORTS || shim_port(ports[i]) ||
             !l0_port_usable(ports[i]) )
            return -XEN_EINVAL;
        hit = port_pending(ports[i]);
    }
    if ( hit )
        return 0;
    if ( nr_read < nr )
        return -XEN_EFAULT;
    v->poll_port = nr == 1 ? ports[0] : 0;
    WRITE_ONCE(v->polling, true);
    __atomic_fetch_add(&nr_polling, 1, __ATOMIC_SEQ_CST);
    for ( ; ; )
    {
        take_l0_events(v);
        for ( unsigned int i = 0; i < nr && !hit; i++ )
            hit = port_pending(ports[i]);
        if ( hit || wake_up(v) )
            break;
        if ( timeout && (int64_t)(pv_time_now() - timeout) >= 0 )
            break;
        if ( timeout && (!v->singleshot || (int64_t)(timeout - v->singleshot) < 0) )
        {
            /* The poll's own timeout on this CPU's L0 timer. */
            get_cpu_info()->l0_deadline = timeout;
            l0_set_timer(timeout);
        }
        wait_unlocked();
    }
    WRITE_ONCE(v->polling, false);
    __atomic_fetch_sub(&nr_polling, 1, __ATOMIC_SEQ_CST);
    if ( timeout )
        pv_timer_check(v);      /* back to the vCPU's own deadlines */
    vcpu_runstate_area_update(v);
    return 0;
}

__hot_text void pv_deliver_events_slow(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();

    /*
     * Taken down by another vCPU (VCPUOP_down): park until it is up again.
     * Held while another suspends the domain (pvops/suspend.c): wait.
     */
    if ( unlikely(!READ_ONCE(v->up)) )
        vcpu_park(v);
    if ( unlikely(READ_ONCE(v->hold)) )
        suspend_hold(v);

    /* An NMI first; its handler runs with events masked. */
    if ( v->nmi_pending )
        pv_deliver_nmi(regs);

    if ( !v->vcpu_info || !READ_ONCE(v->vcpu_info->evtchn_upcall_pending) ||
         READ_ONCE(v->vcpu_info->evtchn_upcall_mask) || !v->event_callback )
        return;
    pv_time_update(v);
    pv_event_callback(regs);
}
