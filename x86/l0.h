/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/l0.h - the way out to L0: finding the outer Xen and calling it.
 *
 * The shim is an HVM (PVH) guest of L0, so its hypercalls are vmcall on Intel
 * and vmmcall on AMD/Hygon, with the number in rax and arguments in rdi, rsi,
 * rdx, r10, r8 (xen/include/public/arch-x86/xen-x86_64.h). Names say the
 * direction: l0_<xen name>() calls L0, do_<xen name>() serves the guest.
 */
#ifndef X86_L0_H
#define X86_L0_H

#include "lib/xen.h"

struct l0_info {
    uint32_t cpuid_base;        /* 0x40000000 + n*0x100 holding "XenVMMXenVMM" */
    uint16_t major, minor;      /* from CPUID base+1 */
    bool vmmcall;               /* AMD/Hygon: vmmcall, else vmcall */
    bool domid_valid;
    domid_t domid;              /* our domid, as L0 and its backends know us */
    uint32_t vcpu_id;
    uint32_t tsc_khz;           /* CPUID base+3: guest TSC frequency, 0 if unknown */
    char vendor[13];
    shared_info_t *shared_info;  /* L0's, over a page of ours (l0_map_shared_info) */
};

extern struct l0_info l0;

/*
 * Find L0 through its CPUID leaves and pick the hypercall instruction.
 * Returns false when no Xen is found (we are not running as a Xen guest).
 */
bool l0_detect(void);

long l0_hypercall(unsigned int op, unsigned long a1, unsigned long a2,
                  unsigned long a3, unsigned long a4, unsigned long a5);

static inline long l0_xen_version(int cmd, void *arg)
{
    return l0_hypercall(__HYPERVISOR_xen_version, cmd, (unsigned long)arg, 0, 0, 0);
}

static inline long l0_memory_op(unsigned int cmd, void *arg)
{
    return l0_hypercall(__HYPERVISOR_memory_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static inline long l0_hvm_op(unsigned int cmd, void *arg)
{
    return l0_hypercall(__HYPERVISOR_hvm_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static inline long l0_event_channel_op(int cmd, void *arg)
{
    return l0_hypercall(__HYPERVISOR_event_channel_op, cmd, (unsigned long)arg,
                        0, 0, 0);
}

static inline long l0_sched_op(int cmd, void *arg)
{
    return l0_hypercall(__HYPERVISOR_sched_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static inline long l0_console_io(int cmd, unsigned int count, const char *buf)
{
    return l0_hypercall(__HYPERVISOR_console_io, cmd, count, (unsigned long)buf,
                        0, 0);
}

/* Map L0's shared_info page into the image (panics if L0 refuses). */
void l0_map_shared_info(void);

/* L0's TSC frequency (kHz); 1 GHz when L0 does not say. */
static inline uint64_t l0_tsc_khz(void)
{
    return l0.tsc_khz ? l0.tsc_khz : 1000000;
}

/* Nanoseconds since TSC 0, at the TSC frequency L0 gave us. */
static inline uint64_t l0_tsc_to_ns(uint64_t tsc)
{
    uint64_t khz = l0_tsc_khz();

    return tsc / khz * 1000000 + (tsc % khz) * 1000000 / khz;
}

/*
 * L0's events for our vCPU (the 2-level ABI of L0's shared_info). L0 calls
 * us back on one interrupt vector (HVM_PARAM_CALLBACK_IRQ, vector type: no
 * LAPIC EOI needed); what each port means is the PV layer's.
 */
#define L0_UPCALL_VECTOR  0xf3

/* Have L0 raise L0_UPCALL_VECTOR for its events (panics if refused). */
void l0_set_callback_vector(void);

/*
 * Give CPU cpu (the container's vCPU of that id) its vcpu_info at L0, with
 * events unmasked: on itself, or on one L0 has not started. False if L0
 * has none for it.
 */
bool l0_register_vcpu_info(unsigned int cpu);

/* Whether L0 has an event pending for this CPU. */
bool l0_event_pending(void);

/* Take every port L0 has pending for this CPU, clearing it, and pass each to fn. */
void l0_take_events(void (*fn)(evtchn_port_t port));

/* L0's 2-level event channel ABI for a 64-bit domain: ports [0, 4096). */
#define L0_NR_PORTS 4096
/* port is one CPU's own (bound to it for it): only that CPU takes it. */
void l0_own_port(evtchn_port_t port);
/* L0 closed every port (EVTCHNOP_reset, a restore): none is any CPU's now. */
void l0_forget_own_ports(void);

/* L0's one-shot timer of this CPU: at deadline (system time, ns), or stopped (0). */
void l0_set_timer(uint64_t deadline);

/* vcpu_op on the container's vCPU cpu. */
long l0_vcpu_op(int cmd, unsigned int cpu, void *arg);

/* Small typed helpers over the calls above. */
long l0_hvm_get_param(uint32_t index, uint64_t *value);
long l0_evtchn_send(evtchn_port_t port);
long l0_shutdown(unsigned int reason);

/*
 * Whether L0 has domain d (by id): asked with a query a domU may make of any
 * domid, which fails -ESRCH only for one that does not exist.
 */
bool l0_domain_exists(domid_t d);

#endif /* X86_L0_H */
