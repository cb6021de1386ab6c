/* SPDX-License-Identifier: GPL-2.0-only */
/* x86/l0.c - finding the outer Xen (L0) and calling it. */
#include "x86/l0.h"
#include "x86/cpu.h"
#include "x86/paging.h"
#include "x86/percpu.h"
#include "lib/printk.h"
#include "lib/string.h"

struct l0_info l0;

static uint8_t l0_shared_info_page[PAGE_SIZE] __aligned(PAGE_SIZE)
    __section(".bss.page_aligned");

void l0_map_shared_info(void)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_shared_info,
        .idx = 0,
        .gpfn = __pa(l0_shared_info_page) >> PAGE_SHIFT,
    };
    long rc = l0_memory_op(XENMEM_add_to_physmap, &xatp);

    if ( rc )
        panic("L0 refused to map shared_info (XENMEM_add_to_physmap: %ld)", rc);
    l0.shared_info = (shared_info_t *)l0_shared_info_page;
    /* This CPU's legacy slot until it has its own (l0_register_vcpu_info). */
    get_cpu_info()->l0_vi = &l0.shared_info->vcpu_info[get_cpu_info()->id];
}

bool l0_detect(void)
{
    struct cpuid_regs r = cpuid(0);

    memcpy(l0.vendor + 0, &r.ebx, 4);
    memcpy(l0.vendor + 4, &r.edx, 4);
    memcpy(l0.vendor + 8, &r.ecx, 4);
    l0.vendor[12] = '\0';
    l0.vmmcall = !strcmp(l0.vendor, "AuthenticAMD") ||
                 !strcmp(l0.vendor, "HygonGenuine");

    /*
     * Xen's leaves may sit at 0x40000000 or, with Viridian enabled, at
     * 0x40000100 and up: search the range as Xen's own guest code does.
     */
    for ( uint32_t base = XEN_CPUID_FIRST_LEAF; base < 0x40010000; base += 0x100 )
    {
        r = cpuid(base);
        if ( r.ebx != XEN_CPUID_SIGNATURE_EBX || r.ecx != XEN_CPUID_SIGNATURE_ECX ||
             r.edx != XEN_CPUID_SIGNATURE_EDX || r.eax < base + 2 )
            continue;

        l0.cpuid_base = base;
        r = cpuid(base + 1);
        l0.major = r.eax >> 16;
        l0.minor = r.eax & 0xffff;
        if ( cpuid(base).eax >= base + 3 )
            l0.tsc_khz = cpuid_count(base + 3, 0).ecx;
        if ( cpuid(base).eax >= base + 4 )
        {
            r = cpuid_count(base + 4, 0);
            if ( r.eax & XEN_HVM_CPUID_VCPU_ID_PRESENT )
                l0.vcpu_id = r.ebx;
            if ( r.eax & XEN_HVM_CPUID_DOMID_PRESENT )
            {
                l0.domid_valid = true;
                l0.domid = r.ecx;
            }
        }
        return true;
    }
    return false;
}

long l0_hypercall(unsigned int op, unsigned long a1, unsigned long a2,
                  unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__ ( "r10" ) = a4;
    register unsigned long r8 __asm__ ( "r8" ) = a5;
    long ret;

    if ( l0.vmmcall )
        __asm__ volatile ( "vmmcall"
                           : "=a" (ret), "+D" (a1), "+S" (a2), "+d" (a3),
                             "+r" (r10), "+r" (r8)
                           : "a" (op)
                           : "memory" );
    else
        __asm__ volatile ( "vmcall"
                           : "=a" (ret), "+D" (a1), "+S" (a2), "+d" (a3),
                             "+r" (r10), "+r" (r8)
                           : "a" (op)
                           : "memory" );
    return ret;
}

long l0_hvm_get_param(uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
    long rc = l0_hvm_op(HVMOP_get_param, &p);

    *value = rc ? 0 : p.value;
    return rc;
}

long l0_evtchn_send(evtchn_port_t port)
{
    struct evtchn_send send = { .port = port };

    return l0_event_channel_op(EVTCHNOP_send, &send);
}

bool l0_domain_exists(domid_t d)
{
    return l0_memory_op(XENMEM_current_reservation, &d) != -XEN_ESRCH;
}

long l0_shutdown(unsigned int reason)
{
    struct sched_shutdown s = { .reason = reason };

    return l0_sched_op(SCHEDOP_shutdown, &s);
}

void l0_set_callback_vector(void)
{
    struct xen_hvm_param p = {
        .domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ,
        .value = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | L0_UPCALL_VECTOR,
    };
    long rc;

    if ( (rc = l0_hvm_op(HVMOP_set_param, &p)) )
        panic("L0 refused the event callback vector (%ld)", rc);
}

/*
 * Every CPU's vcpu_info at L0 is one of these (Xen's own shim does the
 * same): the legacy slots of shared_info stop at 32 vCPUs, and L0 starts
 * no vCPU past them without one (VCPUOP_initialise's -EINVAL).
 */
static vcpu_info_t l0_vcpu_info[CONFIG_MAX_VCPUS] __aligned(64);

bool l0_register_vcpu_info(unsigned int cpu)
{
    struct vcpu_register_vcpu_info info = {
        .mfn = __pa(&l0_vcpu_info[cpu]) >> PAGE_SHIFT,
        .offset = __pa(&l0_vcpu_info[cpu]) & (PAGE_SIZE - 1),
    };
    struct cpu_info *ci = cpu_info_of(cpu);

    if ( l0_hypercall(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, cpu,
                      (unsigned long)&info, 0, 0) )
    {
        /* An older L0: the legacy slot, where there is one. */
        if ( cpu >= XEN_LEGACY_MAX_VCPUS )
            return false;
        ci->l0_vi = &l0.shared_info->vcpu_info[cpu];
    }
    else
        ci->l0_vi = &l0_vcpu_info[cpu];
    WRITE_ONCE(ci->l0_vi->evtchn_upcall_mask, 0);
    return true;
}

__hot_text bool l0_event_pending(void)
{
    const vcpu_info_t *vi = get_cpu_info()->l0_vi;

    return vi && READ_ONCE(vi->evtchn_upcall_pending);
}

/* L0's ports bound to one CPU of ours for itself (l0_own_port): only it takes them. */
static unsigned long cpu_ports[BITS_TO_LONGS(L0_NR_PORTS)];

void l0_own_port(evtchn_port_t port)
{
    if ( port < L0_NR_PORTS )
        __atomic_fetch_or(&cpu_ports[port / BITS_PER_LONG], 1UL << (port % BITS_PER_LONG),
                          __ATOMIC_SEQ_CST);
}

void l0_forget_own_ports(void)
{
    for ( unsigned int i = 0; i < ARRAY_SIZE(cpu_ports); i++ )
        __atomic_store_n(&cpu_ports[i], 0, __ATOMIC_SEQ_CST);
}

/*
 * Ports pending in the words this CPU's selector names. Their bits are
 * L0's for the whole container: a word may hold ports L0 signalled to
 * another CPU. Those another CPU owns (its timer, its kick) stay for it:
 * L0 set its selector and woke it for them, and taken here they would
 * cost it a second wake. Any other is taken, and the caller routes it to
 * whom it concerns.
 */
void l0_take_events(void (*fn)(evtchn_port_t port))
{
    const struct cpu_info *ci = get_cpu_info();
    vcpu_info_t *vi = ci->l0_vi;

    while ( READ_ONCE(vi->evtchn_upcall_pending) )
    {
        xen_ulong_t sel;

        WRITE_ONCE(vi->evtchn_upcall_pending, 0);
        sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while ( sel )
        {
            unsigned int w = __builtin_ctzl(sel);
            xen_ulong_t bits;

            sel &= sel - 1;
            xen_ulong_t others = READ_ONCE(cpu_ports[w]);

            if ( ci->l0_timer_port / BITS_PER_LONG == w )
                others &= ~(1UL << (ci->l0_timer_port % BITS_PER_LONG));
            if ( ci->l0_kick_port / BITS_PER_LONG == w )
                others &= ~(1UL << (ci->l0_kick_port % BITS_PER_LONG));
            bits = __atomic_fetch_and(&l0.shared_info->evtchn_pending[w], others,
                                      __ATOMIC_SEQ_CST) & ~others;
            while ( bits )
            {
                evtchn_port_t port = w * 64 + __builtin_ctzl(bits);

                bits &= bits - 1;
                fn(port);
            }
        }
    }
}

void l0_set_timer(uint64_t deadline)
{
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline };
    unsigned int cpu = get_cpu_info()->id;

    if ( deadline )
        l0_hypercall(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer,
                     cpu, (unsigned long)&t, 0, 0);
    else
        l0_hypercall(__HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer,
                     cpu, 0, 0, 0);
}

long l0_vcpu_op(int cmd, unsigned int cpu, void *arg)
{
    return l0_hypercall(__HYPERVISOR_vcpu_op, cmd, cpu, (unsigned long)arg, 0, 0);
}
