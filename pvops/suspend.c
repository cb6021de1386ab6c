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

/* How long the other vCPUs have to stop (they are kicked). */
#define HOLD_TIMEOUT_NS 5000000000ULL

static bool suspending;                 /* a suspend is under way */
static bool resumed;                    /* ... and the held vCPUs find a restored domain */
static bool held_here[PV_MAX_VCPUS];    /* waiting in suspend_hold(), by vCPU */

/*
 * This CPU's vCPU is held while another suspends the domain: off the
 * guest's page tables, spinning (a yield to L0 each turn: a vCPU down at
 * L0 would not be saved), until it is let go. After a restore it registers
 * its own vcpu_info at L0 (L0 takes that only from the vCPU itself, or for
 * one that is down) and programs its timer.
 */
void suspend_hold(struct vcpu *v)
{
    paddr_t cr3 = read_cr3_raw();

    cpu_idle_enter();
    __atomic_store_n(&held_here[v->id], true, __ATOMIC_SEQ_CST);
    while ( __atomic_load_n(&v->hold, __ATOMIC_SEQ_CST) )
    {
        cpu_relax();
        l0_sched_op(SCHEDOP_yield, NULL);
    }
    if ( READ_ONCE(resumed) && !l0_register_vcpu_info(v->id) )
        guest_crash("L0 refused vCPU %u's vcpu_info after a restore", v->id);
    cpu_idle_exit(cr3);
    pv_timer_reprogram();
    __atomic_store_n(&held_here[v->id], false, __ATOMIC_SEQ_CST);
}

/* From domain_lock()'s wait: a vCPU to be held waits there, lock not taken. */
void suspend_hold_waiter(void)
{
    struct vcpu *v = current_vcpu();

    if ( unlikely(READ_ONCE(suspending)) && v && READ_ONCE(v->hold) )
        suspend_hold(v);
}

/* Whether vCPU i (not the suspender's) stands still for the suspend. */
static bool stopped(unsigned int i)
{
    struct vcpu *v = dom.vcpu[i];

    if ( !cpu_started(i) || __atomic_load_n(&held_here[i], __ATOMIC_SEQ_CST) )
        return true;
    /* Down: parked at L0 (then not saved, and reset after a restore). */
    return !READ_ONCE(v->up) && READ_ONCE(cpu_info_of(i)->parked) &&
           l0_vcpu_op(VCPUOP_is_up, i, NULL) == 0;
}

/*
 * Every other vCPU either held in the shim or down at L0, the domain lock
 * kept throughout (so no vCPU comes up or goes down meanwhile: one that
 * waits for the lock is held there). False, none held, if one does not
 * stop in time.
 */
static bool hold_others(struct vcpu *me)
{
    uint64_t until = l0_tsc_to_ns(rdtsc()) + HOLD_TIMEOUT_NS;
    bool all;

    WRITE_ONCE(resumed, false);
    __atomic_store_n(&suspending, true, __ATOMIC_SEQ_CST);
    for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
        if ( dom.vcpu[i] != me )
        {
            __atomic_store_n(&dom.vcpu[i]->hold, true, __ATOMIC_SEQ_CST);
            evtchn_kick(dom.vcpu[i]);
        }
    for ( ; ; )
    {
        all = true;
        for ( unsigned int i = 0; i < dom.nr_vcpus && all; i++ )
            all = dom.vcpu[i] == me || stopped(i);
        if ( all || (int64_t)(l0_tsc_to_ns(rdtsc()) - until) >= 0 )
            return all;
        tlb_flush_serve();
        l0_sched_op(SCHEDOP_yield, NULL);
    }
}

static void release_others(bool restored)
{
    WRITE_ONCE(resumed, restored);
    for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
        __atomic_store_n(&dom.vcpu[i]->hold, false, __ATOMIC_SEQ_CST);
    __atomic_store_n(&suspending, false, __ATOMIC_SEQ_CST);
    /* Their vcpu_info registered again before the guest can ask about them. */
    for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
        while ( __atomic_load_n(&held_here[i], __ATOMIC_SEQ_CST) )
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

    if ( frame_owner(mfn) != FRAME_guest || get_page_and_type(&frames, mfn, PGT_writable) )
    {
        pr_warn("d%u: start_info frame %#lx is no longer the guest's page: not rewritten\n",
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

/*
 * Whether L0's answer 0 was a restore: in a new domain this CPU's kick port
 * is gone. L0's toolstack makes the answer 1 on a cancel for vCPU 0 alone
 * (xc_domain_resume), so a suspend from another vCPU learns it here.
 */
static bool restored(void)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = get_cpu_info()->l0_kick_port };

    return l0_event_channel_op(EVTCHNOP_status, &st) || st.status != EVTCHNSTAT_ipi ||
           st.vcpu != get_cpu_info()->id;
}

/* L0's side again, and the guest's as a restored PV guest finds it (see above). */
static void resume_restored(struct vcpu *me)
{
    unsigned int self = get_cpu_info()->id;

    l0_map_shared_info();
    if ( !l0_register_vcpu_info(self) )
        guest_crash("L0 refused vCPU %u's vcpu_info after a restore", self);
    l0_set_callback_vector();
    l0.domid_valid = false;         /* CPUID's, else evtchn_after_restore() asks L0 */
    l0_detect();

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
     * starts afresh when the guest initialises and ups it again (Linux
     * does both after a restore), and what it held goes.
     */
    for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
    {
        struct vcpu *v = dom.vcpu[i];

        vcpu_forget_areas(v);
        v->singleshot = 0;
        v->period = 0;
        v->time_copied_to = NULL;
        if ( v == me || held_here[i] || !cpu_prepared(i) )
            continue;
        if ( cpu_started(i) )
        {
            if ( l0_vcpu_op(VCPUOP_is_up, i, NULL) != 0 )
                guest_crash("vCPU %u runs at L0 after a restore, though it was down", i);
            cpu_forget(i);
            vcpu_reset(v);
        }
        if ( !l0_register_vcpu_info(i) )
            guest_crash("L0 refused vCPU %u's vcpu_info after a restore", i);
    }
    l0_wc_version = 1;              /* odd: L0's is never that when it is whole */
    pv_time_update(me);

    evtchn_after_restore();
    if ( l0.domid_valid )
        dom.domid = l0.domid;
    grant_after_restore();
    rewrite_start_info();
    pr_info("d%u: resumed after a restore (xenstore port %u, console port %u)\n",
            dom.domid, dom.store_evtchn, dom.console_evtchn);
}

long domain_suspend(struct vcpu *me)
{
    long rc;

    if ( grant_status_mapped() )
    {
        pr_warn("d%u: a grant status frame is mapped: suspend refused\n", dom.domid);
        return -XEN_EBUSY;
    }
    if ( !hold_others(me) )
    {
        pr_warn("d%u: a vCPU did not stop for the suspend: refused\n", dom.domid);
        release_others(false);
        return -XEN_EBUSY;
    }
    pr_info("d%u suspends (vCPU %u)\n", dom.domid, me->id);
    printk_flush();
    rc = l0_shutdown(SHUTDOWN_suspend);
    if ( rc == 0 && !restored() )
        rc = 1;
    if ( rc == 0 )
        resume_restored(me);
    else
        pr_info("d%u: suspend %s (%ld)\n", dom.domid,
                rc > 0 ? "cancelled" : "refused by L0", rc);
    release_others(rc == 0);
    return rc;
}
