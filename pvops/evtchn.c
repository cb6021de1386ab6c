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
#include "pvops/time.h"
#include "pvops/traps.h"
#include "pvops/vcpu.h"
#include "x86/cpu.h"
#include "x86/l0.h"
#include "x86/percpu.h"
#include "x86/smp.h"
#include "x86/traps.h"
#include "lib/printk.h"
#include "lib/string.h"

/* The vCPU each guest port notifies (Xen's notify_vcpu_id), 0 by default. */
static uint8_t port_vcpu[NR_GUEST_PORTS];
BUILD_BUG_ON(PV_MAX_VCPUS > 256);
/* L0 ports that are the shim's own (each CPU's timer and kick ports). */
static xen_ulong_t shim_port_bits[NR_GUEST_PORTS / 64];
/* The guest's VIRQ ports (unbound ports to L0, bound here). */
static xen_ulong_t virq_port_bits[NR_GUEST_PORTS / 64];
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

static bool shim_port(evtchn_port_t port)
{
    return port < NR_GUEST_PORTS &&
           ((READ_ONCE(shim_port_bits[port / 64]) >> (port % 64)) & 1);
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
    if ( test_and_set(&s->evtchn_pending[port / 64], port % 64) )
        return false;
    if ( !((READ_ONCE(s->evtchn_mask[port / 64]) >> (port % 64)) & 1) && v->vcpu_info )
        *mark = !test_and_set(&v->vcpu_info->evtchn_pending_sel, port / 64);
    return true;
}

static bool set_pending_locked(struct vcpu *v, evtchn_port_t port, bool *mark)
{
    return evtchn_fifo_on() ? evtchn_fifo_set_pending(v, port, mark)
                            : set_pending_2l(v, port, mark);
}

/* Raise port for the vCPU it notifies (evtchn_lock held). */
void evtchn_raise_locked(evtchn_port_t port)
{
    struct vcpu *v = dom.vcpu[port_vcpu[port]];
    bool mark, poll = set_pending_locked(v, port, &mark);

    if ( mark )
        mark_events_pending(v);
    if ( poll )
        wake_pollers(port);
}

/* The same, taking the lock; the vCPU is kicked once it is let go. */
static void evtchn_set_pending(evtchn_port_t port)
{
    struct vcpu *v;
    bool mark, poll;

    if ( port >= NR_GUEST_PORTS )
        return;
    spin_lock(&evtchn_lock);
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
    spin_lock(&evtchn_lock);
    v = dom.vcpu[port_vcpu[port]];
    if ( evtchn_fifo_on() )
        evtchn_fifo_unmask(v, port, &mark);
    else if ( test_and_clear(&s->evtchn_mask[port / 64], port % 64) &&
              ((READ_ONCE(s->evtchn_pending[port / 64]) >> (port % 64)) & 1) &&
              v->vcpu_info )
        mark = !test_and_set(&v->vcpu_info->evtchn_pending_sel, port / 64);
    spin_unlock(&evtchn_lock);
    if ( mark )
        mark_events_pending(v);
}

/* Whether port is pending, under either ABI (Xen's evtchn_is_pending). */
static bool port_pending(evtchn_port_t port)
{
    if ( evtchn_fifo_on() )
        return evtchn_fifo_is_pending(port);
    return (READ_ONCE(dom.shared_info->evtchn_pending[port / 64]) >> (port % 64)) & 1;
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

static bool virq_port(evtchn_port_t port)
{
    return port < NR_GUEST_PORTS &&
           ((READ_ONCE(virq_port_bits[port / 64]) >> (port % 64)) & 1);
}

/* A VIRQ port: its vCPU and VIRQ (true), or false if port is none. */
static bool find_virq(evtchn_port_t port, struct vcpu **vp, unsigned int *virqp)
{
    if ( !virq_port(port) )
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

void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
    evtchn_port_t port = virq_port_of(v, virq);

    if ( port )
        evtchn_set_pending(port);
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
    test_and_set(&shim_port_bits[b.port / 64], b.port % 64);
    test_and_set(&shim_port_bits[ipi.port / 64], ipi.port % 64);
    return true;
}

/* ---------------------------------------------------------------- event_channel_op */

long evtchn_forward(int cmd, void *op)
{
    return l0_event_channel_op(cmd, op);
}

long evtchn_send(evtchn_port_t port)
{
    /*
     * The shim's ports are free ones to the guest, and a VIRQ's cannot be
     * sent on: Xen's -EINVAL for both (L0 would drop a send on the
     * unbound port it holds for a VIRQ and say 0).
     */
    if ( shim_port(port) || virq_port(port) )
        return -XEN_EINVAL;
    return l0_evtchn_send(port);
}

/* A new port (alloc_unbound, bind_interdomain) notifies vCPU 0. */
void evtchn_new_port(evtchn_port_t port)
{
    port_bound(port, 0);
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
    struct vcpu *v;
    long rc;

    if ( b->virq >= NR_VIRQS || (virq_is_global(b->virq) && b->vcpu != 0) )
        return -XEN_EINVAL;
    if ( !(v = domain_vcpu(b->vcpu)) )
        return -XEN_ENOENT;
    if ( virq_port_of(v, b->virq) )
        return -XEN_EEXIST;
    /* A port number of L0's namespace, so it can never clash with L0's ports. */
    if ( (rc = l0_event_channel_op(EVTCHNOP_alloc_unbound, &u)) )
        return rc;
    if ( u.port >= NR_GUEST_PORTS )
    {
        struct evtchn_close c = { .port = u.port };

        l0_event_channel_op(EVTCHNOP_close, &c);
        return -XEN_ENOSPC;
    }
    port_bound(u.port, v->id);
    v->virq_port[b->virq] = u.port;
    test_and_set(&virq_port_bits[u.port / 64], u.port % 64);
    b->port = u.port;
    return 0;
}

long evtchn_bind_ipi(struct evtchn_bind_ipi *b)
{
    long rc;

    if ( !domain_vcpu(b->vcpu) )
        return -XEN_ENOENT;
    if ( !(rc = l0_event_channel_op(EVTCHNOP_bind_ipi, b)) )
        port_bound(b->port, b->vcpu);
    return rc;
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
    if ( shim_port(b->port) )
        return -XEN_EINVAL;
    if ( find_virq(b->port, &v, &virq) && !virq_is_global(virq) )
        return -XEN_EINVAL;
    if ( (rc = l0_event_channel_op(EVTCHNOP_bind_vcpu, b)) )
        return rc;
    if ( b->port < NR_GUEST_PORTS && b->vcpu < dom.nr_vcpus )
        port_vcpu[b->port] = b->vcpu;
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

long evtchn_unmask(evtchn_port_t port)
{
    if ( port >= NR_GUEST_PORTS || !l0_port_valid(port) )
        return -XEN_EINVAL;
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
    {
        v->virq_port[virq] = 0;
        test_and_clear(&virq_port_bits[c->port / 64], c->port % 64);
    }
    if ( (rc = l0_event_channel_op(EVTCHNOP_close, c)) || c->port >= NR_GUEST_PORTS )
        return rc;
    /*
     * Xen clears a closed port's pending bit (__evtchn_close), so the next
     * binding of the number starts clean; the guest's bits are the shim's.
     */
    port_vcpu[c->port] = 0;
    spin_lock(&evtchn_lock);
    if ( evtchn_fifo_on() )
        evtchn_fifo_clear_pending(c->port);
    else
        test_and_clear(&dom.shared_info->evtchn_pending[c->port / 64], c->port % 64);
    spin_unlock(&evtchn_lock);
    return 0;
}

long evtchn_status(struct evtchn_status *st)
{
    long rc = l0_event_channel_op(EVTCHNOP_status, st);

    /* The shim's port, asked for by number: a free port to the guest. */
    if ( !rc && shim_port(st->port) &&
         (st->dom == DOMID_SELF || (l0.domid_valid && st->dom == l0.domid)) )
    {
        memset(&st->u, 0, sizeof(st->u));
        st->status = EVTCHNSTAT_closed;
        st->vcpu = 0;
    }
    return rc;
}

/*
 * EVTCHNOP_reset closed every port at L0: no VIRQ is bound, every
 * notification is vCPU 0's again, and the shim's ports are gone. They are
 * bound anew for every CPU that has them, and each CPU checks its timers
 * (one may have fired while its VIRQ was unbound).
 */
void evtchn_after_reset(void)
{
    memset(port_vcpu, 0, sizeof(port_vcpu));
    memset(shim_port_bits, 0, sizeof(shim_port_bits));
    memset(virq_port_bits, 0, sizeof(virq_port_bits));
    /*
     * Every port was freed: nothing stays pending (Xen's evtchn_free),
     * and a FIFO guest is back on the 2-level ABI, its 2-level bits as
     * they were when it left them.
     */
    if ( evtchn_fifo_on() )
        evtchn_fifo_destroy();
    else
        for ( unsigned int w = 0; w < NR_GUEST_PORTS / 64; w++ )
            __atomic_store_n(&dom.shared_info->evtchn_pending[w], 0, __ATOMIC_SEQ_CST);
    for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
    {
        memset(dom.vcpu[i]->virq_port, 0, sizeof(dom.vcpu[i]->virq_port));
        if ( !cpu_prepared(i) )
            continue;
        if ( !evtchn_bind_cpu(i) )
            guest_crash("L0 refused CPU %u's ports after the guest's reset", i);
        evtchn_kick(dom.vcpu[i]);
    }
    pv_timer_reprogram();
}

/* ---------------------------------------------------------------- L0's events */

/*
 * One of L0's ports this CPU took. A guest port becomes pending for the
 * guest (its vCPU kicked); another CPU's timer port kicks that CPU, which
 * then checks its timers; a kick port has done its job (the interrupt).
 */
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
            if ( dom.vcpu[i] != current_vcpu() )
                evtchn_kick(dom.vcpu[i]);
            return;
        }
}

/* L0's events, then this CPU's timers. */
static void take_l0_events(struct vcpu *v)
{
    l0_take_events(l0_port_event);
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
           get_cpu_info()->nmi_raised || v->nmi_pending || !READ_ONCE(v->up);
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
    if ( v->vcpu_info )
        v->vcpu_info->evtchn_upcall_mask = 0;
    for ( ; ; )
    {
        take_l0_events(v);
        if ( wake_up(v) )
            return;
        wait_unlocked();
    }
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
    return 0;
}

__hot_text void pv_deliver_events(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();

    /* Taken down by another vCPU (VCPUOP_down): park until it is up again. */
    if ( unlikely(!READ_ONCE(v->up)) )
        vcpu_park(v);

    /* An NMI first; its handler runs with events masked. */
    if ( v->nmi_pending )
        pv_deliver_nmi(regs);

    if ( !v->vcpu_info || !READ_ONCE(v->vcpu_info->evtchn_upcall_pending) ||
         READ_ONCE(v->vcpu_info->evtchn_upcall_mask) || !v->event_callback )
        return;
    pv_time_update(v);
    pv_event_callback(regs);
}
