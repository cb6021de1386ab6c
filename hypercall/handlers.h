/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/handlers.h - the guest's hypercalls: do_<xen name>() handlers,
 * with their real argument types. Guest pointers are plain unsigned long
 * guest virtual addresses, only ever used through x86/uaccess.h.
 */
#ifndef HYPERCALL_HANDLERS_H
#define HYPERCALL_HANDLERS_H

#include "lib/xen.h"
#include "x86/regs.h"

/* Set from the shim command line: log every hypercall the guest makes. */
extern bool trace_hypercalls;

/* Called by x86/entry.S for every SYSCALL from the guest. */
void pv_syscall(struct cpu_regs *regs);

/* Called by x86/entry.S for every int $0x82 from a 32-bit guest's kernel. */
void compat_hypercall(struct cpu_regs *regs);

/*
 * Calls that touch only the caller's own vCPU, or L0, and nothing the
 * domain lock guards (pvops/domain.h): the frequent ones run without it,
 * so a vCPU that yields or sends an event never holds up the others.
 */
static inline bool hypercall_lockless(unsigned long op, unsigned long cmd)
{
    switch ( op )
    {
    case __HYPERVISOR_set_timer_op:
    case __HYPERVISOR_fpu_taskswitch:
    case __HYPERVISOR_stack_switch:
    case __HYPERVISOR_xen_version:
        return true;
    case __HYPERVISOR_sched_op:
        return cmd == SCHEDOP_yield || cmd == SCHEDOP_block || cmd == SCHEDOP_poll;
    case __HYPERVISOR_event_channel_op:
        return cmd == EVTCHNOP_send;
    case __HYPERVISOR_vcpu_op:
        /* The caller's own timer (another vCPU's is -EINVAL): Linux's every tick. */
        return cmd == VCPUOP_set_singleshot_timer || cmd == VCPUOP_stop_singleshot_timer;
    default:
        /* Past the last call served (hypfs_op): -ENOSYS, nothing to guard. */
        return op > __HYPERVISOR_hypfs_op;
    }
}

long do_console_io(int cmd, unsigned int count, unsigned long buf);
long do_xen_version(int cmd, unsigned long arg);
long do_vm_assist(unsigned int cmd, unsigned int type);
long do_sched_op(int cmd, unsigned long arg);
long do_event_channel_op(int cmd, unsigned long arg);
long do_set_trap_table(unsigned long list);
long do_set_callbacks(unsigned long event, unsigned long failsafe,
                      unsigned long syscall);
long do_callback_op(int cmd, unsigned long arg);
long do_stack_switch(unsigned long ss, unsigned long sp);
long do_fpu_taskswitch(int set);
long do_set_segment_base(unsigned int which, unsigned long base);
long do_multicall(unsigned long list, unsigned int nr_calls);
long do_set_gdt(unsigned long frame_list, unsigned int entries);
long do_nmi_op(unsigned int cmd, unsigned long arg);
long do_platform_op(unsigned long arg);
long do_sysctl(unsigned long arg);
long do_domctl(unsigned long arg);
long do_update_descriptor(unsigned long maddr, uint64_t desc);
long do_set_debugreg(int reg, unsigned long value);
long do_get_debugreg(int reg);
long do_memory_op(unsigned long cmd, unsigned long arg);
/* A reservation change, in either width (width: the size of an extent entry). */
struct memop_reservation {
    unsigned long list;                 /* extent_start; 0: NULL */
    unsigned long nr;                   /* nr_extents (xen_ulong_t for a 64-bit guest) */
    unsigned int order, mem_flags;
    domid_t domid;
    unsigned int width;
};
long memory_reservation_change(unsigned int op, unsigned long start, unsigned long arg,
                               const struct memop_reservation *r);
long do_vcpu_op(int cmd, unsigned int vcpuid, unsigned long arg);
long do_physdev_op(int cmd, unsigned long arg);
long do_grant_table_op(unsigned int cmd, unsigned long uop, unsigned int count);
long do_mmu_update(unsigned long reqs, unsigned int count, unsigned long pdone,
                   unsigned int foreigndom);
long do_update_va_mapping(unsigned long va, uint64_t val, unsigned long flags);
long do_update_va_mapping_otherdomain(unsigned long va, uint64_t val,
                                      unsigned long flags, unsigned int d);
long do_mmuext_op(unsigned long ops, unsigned int count, unsigned long pdone,
                  unsigned int foreigndom);

long do_set_timer_op(uint64_t timeout);

/*
 * A long batch stops early to let an event through and asks to be called
 * again with new arguments (Xen's hypercall_create_continuation): the
 * guest's SYSCALL is re-executed with them. Not inside a multicall.
 */
bool hypercall_preempt_check(void);
long hypercall_create_continuation(unsigned long op, const unsigned long a[5]);

/* One hypercall by number, with its five arguments (also for multicall). */
long hypercall_dispatch(unsigned long op, const unsigned long a[5]);

#endif /* HYPERCALL_HANDLERS_H */
