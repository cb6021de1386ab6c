/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/domain.h - the one PV guest: its domain and vCPU state, and the
 * builder that lays it out in memory as the 64-bit PV ABI promises.
 */
#ifndef PVOPS_DOMAIN_H
#define PVOPS_DOMAIN_H

#include "lib/xen.h"
#include "lib/compat.h"
#include "lib/rangeset.h"
#include "lib/spinlock.h"
#include "x86/frames.h"
#include "x86/paging.h"
#include "x86/regs.h"
#include "x86/smp.h"

#define INVALID_M2P_ENTRY   (~0UL)
#define PV_MAX_VCPUS        CONFIG_MAX_VCPUS
#define NR_VIRQS            24

struct vcpu {
    unsigned int id;
    /* pv_time_update: L0's record version last copied, and where to. */
    uint32_t time_l0_version;
    const struct vcpu_time_info *time_copied_to;
    bool kernel_mode;               /* guest kernel (vs user) context */
    paddr_t guest_table;            /* kernel L4, as a CR3 value (pv32: pv32_l4) */
    paddr_t guest_table_user;       /* user L4, 0 if none (never for pv32) */
    /*
     * A 32-bit guest's page tables: its L3 (referenced as PGT_l3), which
     * slot 0 of this vCPU's own L4, a shim frame with the hypervisor's
     * slots, points at; the CPU walks that L4 in long mode (Xen's
     * setup_compat_l4).
     */
    unsigned long pv32_l3;          /* mfn, 0 if none */
    uint64_t *pv32_l4;
    unsigned long kernel_ss, kernel_sp;     /* stack_switch */
    unsigned long event_callback, failsafe_callback, syscall_callback;
    unsigned long syscall32_callback, sysenter_callback;
    /* A 32-bit guest's callbacks are cs:eip (xen_callback_t): their selectors. */
    unsigned int event_callback_cs, failsafe_callback_cs, sysenter_callback_cs;
    unsigned int syscall32_callback_cs;
    unsigned int callback_flags;    /* CALLBACKF_mask_events per type */
    unsigned long fs_base, gs_base_kernel, gs_base_user;
    bool fpu_ts;                    /* fpu_taskswitch: virtual CR0.TS */
    uint64_t xcr0;                  /* XSETBV: the CPU's while the vCPU runs */
    unsigned long cr4;              /* the CR4 bits the guest controls */
    bool up;                        /* running (VCPUOP_is_up) */
    bool hold;                      /* to wait in the shim: another suspends (pvops/suspend.c) */
    bool initialised;               /* has a context (VCPUOP_initialise) */
    bool nmi_pending;               /* an NMI for the guest (L0's, send_nmi) */
    bool nmi_masked;                /* in its NMI handler, until an iret */
    unsigned int iopl;              /* virtual IOPL (physdev set_iopl) */
    unsigned long iobmp, iobmp_nr;  /* physdev set_iobitmap: guest VA, ports */
    vcpu_info_t *vcpu_info;
    bool vcpu_info_registered;
    unsigned long vcpu_info_mfn;    /* its frame, once registered */
    bool vcpu_info_dummy;           /* none after a restore (past 32): a shim dummy */
    unsigned long runstate_area;    /* guest VA, 0 if none */
    unsigned long time_area;        /* guest VA of a vcpu_time_info copy, 0 if none */
    unsigned long gdt_frames[FIRST_RESERVED_GDT_PAGE];     /* set_gdt */
    unsigned int gdt_nr_frames, gdt_ents;
    unsigned long ldt_base;         /* MMUEXT_SET_LDT */
    unsigned int ldt_ents;
    unsigned long ldt_mfn[16];      /* frames mapped in the LDT window, 0: none */
    unsigned long debugreg[8];      /* set_debugreg */
    uint32_t tsc_aux;               /* MSR_TSC_AUX */
    uint64_t runstate_since_tsc;    /* vCPU up since (TSC) */
    uint64_t singleshot;            /* timer deadline (system time, ns), 0: none */
    uint64_t period, periodic_last; /* periodic timer (ns; 0: none), last tick */
    unsigned long nr_timer_events, nr_waits;    /* for the shutdown line: VIRQ_TIMERs, halts */
    evtchn_port_t virq_port[NR_VIRQS];      /* bound VIRQs, 0: none */
    /* FIFO events (pvops/evtchn_fifo.c): control block, NULL: none; queue tails. */
    struct evtchn_fifo_control_block *fifo_cb;
    unsigned long fifo_cb_mfn;
    evtchn_port_t fifo_tail[EVTCHN_FIFO_MAX_QUEUES];
    bool polling;                   /* in SCHEDOP_poll */
    evtchn_port_t poll_port;        /* polled port when only one, else 0 */
    /* Hypercall state (hypercall/dispatch.c): a batch, a continuation. */
    bool in_multicall;
    bool cont_pending;
    unsigned long cont_op, cont_args[5];
    struct cpu_regs start_regs;     /* VCPUOP_initialise's, for its first run */
    uint16_t start_sel[4];          /* a 32-bit vCPU's first ds, es, fs, gs */
    /* Last: 4 KiB that only bounces index, so the fields above share a page. */
    struct trap_info trap_ctxt[256];        /* set_trap_table */
};

struct domain {
    domid_t domid;
    unsigned long nr_pages;         /* guest pfns [0, nr_pages): its boot memory, its limit */
    unsigned long tot_pages;        /* frames it owns now (FRAME_guest and FRAME_dying) */
    unsigned long nr_ballooned;     /* frames it gave back to L0 (FRAME_ballooned) */
    unsigned long max_mfn;          /* M2P covers mfns [0, max_mfn] */
    unsigned long *m2p;             /* read-write view of the M2P */
    shared_info_t *shared_info;     /* the guest's, a shim page */
    bool pv32;                      /* a 32-bit PAE guest (CONFIG_PV32) */
    uint32_t *compat_m2p;           /* its 4-byte M2P, read-write view */
    unsigned long compat_m2p_nr;    /* entries in it */
    unsigned long vm_assist;
    unsigned int nr_vcpus;
    struct vcpu *vcpu[PV_MAX_VCPUS];        /* [0, nr_vcpus) allocated */
    struct rangeset owned;          /* frames the guest owns (mfns) */
    struct range owned_ranges[64];
    /* L0's rings, handed to the guest as start_info's store/console */
    xen_pfn_t store_mfn, console_mfn;
    evtchn_port_t store_evtchn, console_evtchn;
    unsigned long start_info_mfn;   /* the guest's start_info (rewritten on resume) */
    bool shutting_down;
    unsigned int shutdown_code;
};

extern struct domain dom;

/* A 32-bit PAE guest (in ring 1, compatibility mode)? */
static inline bool is_pv32(void)
{
    return IS_ENABLED(CONFIG_PV32) && dom.pv32;
}

/*
 * Is v in its guest kernel (Xen's guest_kernel_mode)? Ring 1 for a 32-bit
 * guest, whose processes share its page tables; the mode the shim switches
 * for a 64-bit one, whose kernel and processes are both in ring 3.
 */
static inline bool guest_kernel_mode(const struct vcpu *v, const struct cpu_regs *regs)
{
    return is_pv32() ? (regs->cs & 3) == 1 : v->kernel_mode;
}

/* The fault address a #PF hands the guest, in vcpu_info as its width lays it out. */
static inline void vcpu_set_cr2(struct vcpu *v, unsigned long cr2)
{
    if ( is_pv32() )
        ((struct compat_vcpu_info *)v->vcpu_info)->arch.cr2 = cr2;
    else
        v->vcpu_info->arch.cr2 = cr2;
}

/* Xen's set_gpfn_from_mfn: the M2P, and the 32-bit guest's 4-byte copy of it. */
static inline void m2p_set(unsigned long mfn, unsigned long pfn)
{
    dom.m2p[mfn] = pfn;
    if ( is_pv32() && mfn < dom.compat_m2p_nr )
        dom.compat_m2p[mfn] = pfn;
}

/* Everything the builder is given. */
struct build_input {
    const void *kernel;             /* an ELF image (decompressed already) */
    uint64_t kernel_size;
    paddr_t initrd;                 /* physical address, 0 if none */
    uint64_t initrd_size;
    const char *cmdline;
    struct rangeset *free;          /* frames the guest may have (mfns) */
    struct rangeset *dirty;         /* free frames still holding the boot
                                       modules: given last, never written */
    unsigned long max_mfn;          /* highest machine frame to cover */
    domid_t domid;
    unsigned int nr_vcpus;
    xen_pfn_t store_mfn, console_mfn;       /* L0's ring frames */
    evtchn_port_t store_evtchn, console_evtchn;
};

/*
 * The shim's own frames (M2P, vCPU structures, the frame table) come from
 * x86/frames.h, the last of them from the top of in->free, which is the
 * guest's once they are taken (the allocator's boot source ends). Build the
 * domain: M2P, guest memory and p2m, boot page tables, start_info,
 * shared_info, hypercall page and vCPU 0's registers in *regs. On failure
 * returns false with a one-line reason in err (nothing to undo: the shim
 * crashes the container then).
 */
bool domain_build(const struct build_input *in, struct cpu_regs *regs,
                  char *err, size_t errlen);

/*
 * Run vCPU v from v->start_regs, on the CPU that runs it (the top of its
 * stack becomes the guest's frame): never returns.
 */
void __noreturn domain_enter(struct vcpu *v);

/* The guest is beyond help: log why, report SHUTDOWN_crash to L0. */
void __noreturn guest_crash(const char *fmt, ...) __printf(1, 2);

/*
 * The domain lock: one lock for everything the vCPUs share (page types and
 * counts, page tables, grants, event-channel bindings, descriptor pages).
 * Taken on every way in from the guest that may touch them (hypercalls
 * but for iret and a few that concern only the caller, hypercall/dispatch.c;
 * the faults the shim resolves itself), and let go on the way out, or
 * while a vCPU waits (block, poll, down). Why one lock: Xen's
 * per-page cmpxchg types, page locks and TLB-flush clock are thousands of
 * lines whose every interleaving is a place for a bug, in code that is a
 * security boundary. The guest's hot paths (system calls, exceptions and
 * events bounced to it, iret, its timers) take no lock at all, and what
 * does take it is mostly a few microseconds; seL4 made the same choice.
 * A holder waits for another CPU only in a remote TLB flush by IPI, which
 * a waiter for the lock serves while it spins (as it does the kick's
 * interrupt), and for at most 500 us before L0's HVMOP_flush_tlbs (which
 * needs nothing from the others) does it instead; so it cannot deadlock.
 */
extern spinlock_t domain_lock_;
/* This CPU's vCPU waits for the lock while another suspends: it waits there. */
void suspend_hold_waiter(void);
extern unsigned int domain_lock_owner;          /* the CPU that holds it, or ~0u */
void domain_lock_relax(void);
extern unsigned long domain_lock_waits;        /* relax calls: a measure of contention */
extern unsigned long l0_timer_ports_taken;     /* pvops/evtchn.c: for the shutdown line */
static inline void domain_lock(void)
{
    unsigned int n = 0;

    while ( !spin_trylock(&domain_lock_) )
        while ( spin_is_locked(&domain_lock_) )
        {
            __asm__ volatile ( "pause" ::: "memory" );
            tlb_flush_serve();      /* the holder may be waiting for it */
            suspend_hold_waiter();  /* or suspending the domain (pvops/suspend.c) */
            if ( !(++n & 1023) )
                domain_lock_relax();
        }
    domain_lock_owner = get_cpu_info()->id;
}
/* pvops/memory.c: frames whose last reference went, given to L0 here. */
extern unsigned long memory_released;
void memory_release_queued(void);
static inline void domain_unlock(void)
{
    if ( unlikely(memory_released) )
        memory_release_queued();
    domain_lock_owner = ~0u;
    spin_unlock(&domain_lock_);
}
/* Whether this CPU holds the domain lock. */
static inline bool domain_locked_here(void)
{
    return READ_ONCE(domain_lock_owner) == get_cpu_info()->id;
}

/* The vCPU this CPU runs (x86/percpu.h): CPU n runs vCPU n. */
static inline struct vcpu *current_vcpu(void)
{
    return get_cpu_info()->current;
}

/* vCPU id of this domain, or NULL if it has none such. */
static inline struct vcpu *domain_vcpu(unsigned int id)
{
    return id < dom.nr_vcpus ? dom.vcpu[id] : NULL;
}

/*
 * Whether the domain a call names exists (Xen's rcu_lock_domain_by_any_id):
 * DOMID_SELF, ours, or one L0 has.
 */
bool domain_exists(domid_t d);

/* xen_version: L0's version; its strings (cmd's structure into buf); XENFEAT submap 0. */
long domain_xen_version(void);
long domain_xen_version_info(int cmd, void *buf);
uint32_t domain_features(void);

/* vm_assist: turn an assist on or off (Xen's VM_ASSIST_VALID for PV). */
long domain_vm_assist(unsigned int cmd, unsigned int type);

/* console_io: 0 if L0 lets the domain use it, else L0's errno. */
long domain_console_io_allowed(void);

/* sched_op: yield; shut down (returns only for a reason refused); the code. */
void domain_yield(void);
long domain_shutdown(unsigned int reason);
long domain_set_shutdown_code(unsigned int reason);

/* The guest's RAM or one of L0's rings (the frames it may grant)? */
static inline bool mfn_owned(unsigned long mfn)
{
    return frame_grantable(mfn);
}

#endif /* PVOPS_DOMAIN_H */
