/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/suspend.c - the guest's suspend (SCHEDOP_shutdown, SHUTDOWN_suspend):
 * how xl save, restore and migrate reach a PV guest under the shim.
 *
 * L0 saves and restores the container as the PVH domain it is: its memory
 * (the guest's and the shim's) and the CPU state of each of its vCPUs that
 * is up. What it does not carry is L0's side of the domain: shared_info and
 * vcpu_info registrations, the callback vector, event channels, grant
 * frames, timers; and a container vCPU that was down at L0 comes back never
 * initialised. So, as Xen's own shim does (pv_shim_shutdown):
 *
 *  - the guest's other vCPUs are held in the shim (spinning at L0's
 *    pleasure, not down: a down vCPU is not saved) and the container is
 *    suspended at L0 from the guest's call;
 *  - L0 answers 0 in the restored domain, 1 when the suspend was cancelled
 *    (xl save -c, a failed migration: everything stayed in place) or an
 *    error, which the guest gets as is;
 *  - after a restore, the shim rebuilds L0's side (shared_info, each CPU's
 *    vcpu_info, the callback vector, each CPU's timer and kick ports, the
 *    grant frames the guest had) and resets the guest's as a restored PV
 *    guest finds it: no event channel bound, every port masked and none
 *    pending, no vcpu_info, runstate or time area registered, no timer set,
 *    vCPUs that were down never initialised, and start_info rewritten with
 *    the rings' frames and L0's new ports for them.
 *
 * The xenstore and console rings must stay where they were (L0 keeps their
 * frames for a restored PVH domain); if they moved, the guest is crashed
 * with a line that says so.
 */
#include "pvops/suspend.h"
#include "pvops/evtchn.h"
#include "pvops/grant.h"
#include "pvops/mm.h"
#include "pvops/pagetype.h"
#include "pvops/time.h"
#include "pvops/vcpu.h"
#include "x86/cpu.h"
#include "x86/l0.h"
#include "x86/smp.h"
#include "lib/compat.h"
#include "lib/printk.h"
#include "lib/string.h"

/* How long the other vCPUs have to reach the shim (they are kicked). */
#define HOLD_TIMEOUT_NS 5000000000ULL

static bool holding;                    /* the others are to wait in the shim */
static bool resumed;                    /* ... and find a restored domain */
static unsigned int nr_held;            /* how many wait (suspend_hold) */
static bool held[PV_MAX_VCPUS];

bool domain_suspending(void)
{
    return READ_ONCE(holding);
}

/*
 * This CPU's vCPU is held while another suspends the domain: off the
 * guest's page tables, spinning (a yield to L0 each turn), until it is let
 * go; after a restore it registers its own vcpu_info at L0 (which L0 takes
 * only from the vCPU itself, or one that is down) and programs its timer.
 */
void suspend_hold(struct vcpu *v)
{
    paddr_t cr3 = read_cr3_raw();

    cpu_idle_enter();
    __atomic_fetch_add(&nr_held, 1, __ATOMIC_SEQ_CST);
    while ( __atomic_load_n(&holding, __ATOMIC_SEQ_CST) )
    {
        cpu_relax();
        l0_sched_op(SCHEDOP_yield, NULL);
    }
    if ( READ_ONCE(resumed) && !l0_register_vcpu_info(v->id) )
        panic("L0 refused CPU %u's vcpu_info after a restore", v->id);
    cpu_idle_exit(cr3);
    pv_timer_reprogram();
    __atomic_fetch_sub(&nr_held, 1, __ATOMIC_SEQ_CST);
}

/* Hold every other vCPU that is up; false (none held) if one does not come. */
static bool hold_others(struct vcpu *me)
{
    unsigned int n = 0;
    uint64_t until = l0_tsc_to_ns(rdtsc()) + HOLD_TIMEOUT_NS;

    __atomic_store_n(&holding, true, __ATOMIC_SEQ_CST);
    WRITE_ONCE(resumed, false);
    for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
    {
        struct vcpu *v = dom.vcpu[i];

        held[i] = v != me && READ_ONCE(v->up) && cpu_started(i);
        if ( !held[i] )
            continue;
        n++;
        /* Down for its way out (pv_deliver_events_slow), which holds it. */
        WRITE_ONCE(v->up, false);
        evtchn_kick(v);
    }
    /* One may be waiting for the lock before it can get there. */
    domain_unlock();
    while ( __atomic_load_n(&nr_held, __ATOMIC_SEQ_CST) < n &&
            (int64_t)(l0_tsc_to_ns(rdtsc()) - until) < 0 )
    {
        tlb_flush_serve();
        l0_sched_op(SCHEDOP_yield, NULL);
    }
    domain_lock();
    return __atomic_load_n(&nr_held, __ATOMIC_SEQ_CST) == n;
}

static void release_others(bool restored)
{
    WRITE_ONCE(resumed, restored);
    for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
        if ( held[i] )
            WRITE_ONCE(dom.vcpu[i]->up, true);
    __atomic_store_n(&holding, false, __ATOMIC_SEQ_CST);
    /* Their vcpu_info registered again before the guest can ask about them. */
    while ( __atomic_load_n(&nr_held, __ATOMIC_SEQ_CST) )
    {
        tlb_flush_serve();
        cpu_relax();
    }
}

/*
 * start_info as the guest's resume path reads it (Xen's write_start_info
 * in pv/shim.c): the rings' frames (the guest made them pfns before it
 * suspended) and their ports. Written under a writable type reference, so
 * never into a frame the guest made a table meanwhile (it then keeps what
 * it has).
 */
static void rewrite_start_info(void)
{
    unsigned long mfn = dom.start_info_mfn;
    void *p;

    if ( get_page_and_type(&frames, mfn, PGT_writable) )
    {
        pr_warn("d%u: start_info frame %#lx is no longer writable: not rewritten\n",
                dom.domid, mfn);
        return;
    }
    mm_flush_if_needed();
    p = frames.map(mfn);
    if ( is_pv32() )
    {
        struct compat_start_info *c = p;

        c->store_mfn = dom.store_mfn;
        c->store_evtchn = dom.store_evtchn;
        c->console_mfn = dom.console_mfn;
        c->console_evtchn = dom.console_evtchn;
    }
    else
    {
        start_info_t *si = p;

        si->store_mfn = dom.store_mfn;
        si->store_evtchn = dom.store_evtchn;
        si->console.domU.mfn = dom.console_mfn;
        si->console.domU.evtchn = dom.console_evtchn;
    }
    put_page_and_type(&frames, mfn);
}

/* An HVM parameter of the restored domain that must be there. */
static uint64_t param(uint32_t index, const char *what)
{
    uint64_t val;
    long rc = l0_hvm_get_param(index, &val);

    if ( rc )
        guest_crash("after a restore, L0 gives no %s (%ld)", what, rc);
    return val;
}

/* L0's side again, and the guest's as a restored PV guest finds it (see above). */
static void resume_restored(struct vcpu *me)
{
    unsigned int self = get_cpu_info()->id;

    l0_map_shared_info();
    if ( !l0_register_vcpu_info(self) )
        panic("L0 refused CPU %u's vcpu_info after a restore", self);
    l0_set_callback_vector();
    if ( l0_detect() && l0.domid_valid )
        dom.domid = l0.domid;

    if ( param(HVM_PARAM_STORE_PFN, "xenstore ring") != dom.store_mfn ||
         param(HVM_PARAM_CONSOLE_PFN, "console ring") != dom.console_mfn )
        guest_crash("the xenstore or console ring moved in the restore "
                    "(%#lx, %#lx before): the shim cannot follow",
                    (unsigned long)dom.store_mfn, (unsigned long)dom.console_mfn);
    dom.store_evtchn = param(HVM_PARAM_STORE_EVTCHN, "xenstore port");
    dom.console_evtchn = param(HVM_PARAM_CONSOLE_EVTCHN, "console port");

    /*
     * The vCPUs: no areas, no timers. One that was down had its container
     * vCPU down at L0, which the restore left never initialised: its CPU
     * starts afresh when the guest initialises and ups it again (as a
     * restored domain needs: Linux does both).
     */
    for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
    {
        struct vcpu *v = dom.vcpu[i];

        vcpu_forget_areas(v);
        v->singleshot = 0;
        v->period = 0;
        v->time_copied_to = NULL;
        if ( v == me || held[i] || !cpu_prepared(i) )
            continue;
        if ( cpu_started(i) )
            cpu_forget(i);
        if ( !l0_register_vcpu_info(i) )
            panic("L0 refused CPU %u's vcpu_info after a restore", i);
        v->initialised = false;
    }
    l0_wc_version = 1;              /* odd: L0's is never that when it is whole */
    pv_time_update(me);

    evtchn_after_restore();
    grant_after_restore();
    rewrite_start_info();
    pr_info("d%u: resumed after a restore (xenstore port %u, console port %u)\n",
            dom.domid, dom.store_evtchn, dom.console_evtchn);
}

long domain_suspend(struct vcpu *me)
{
    long rc;

    if ( !hold_others(me) )
    {
        pr_warn("d%u: a vCPU did not stop for the suspend: refused\n", dom.domid);
        release_others(false);
        return -XEN_EBUSY;
    }
    pr_info("d%u suspends (vCPU %u)\n", dom.domid, me->id);
    printk_flush();
    rc = l0_shutdown(SHUTDOWN_suspend);
    if ( rc == 0 )
        resume_restored(me);
    else
        pr_info("d%u: suspend %s (%ld)\n", dom.domid,
                rc > 0 ? "cancelled" : "refused by L0", rc);
    release_others(rc == 0);
    return rc;
}
