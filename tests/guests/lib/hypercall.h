/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/lib/hypercall.h - calls to the hypervisor from a 64-bit PV
 * test kernel, through the hypercall page.
 *
 * Stub n of the page (at hypercall_page + n * 32) does "mov $n, %eax;
 * syscall". Arguments go in %rdi, %rsi, %rdx, %r10, %r8, the result comes
 * back in %rax (XP: arch-x86/xen-x86_64.h). A debug Xen poisons the argument
 * registers it did not use, so every one of them is treated as clobbered.
 */
#ifndef TESTS_GUESTS_LIB_HYPERCALL_H
#define TESTS_GUESTS_LIB_HYPERCALL_H

#include "tests/guests/lib/abi.h"

extern char hypercall_page[];

/* Any hypercall by number: the tables of the tests call this directly. */
#ifdef __i386__
/*
 * A 32-bit kernel's (arch-x86/xen-x86_32.h): stub n is "mov $n, %eax;
 * int $0x82; ret", the arguments in %ebx, %ecx, %edx, %esi, %edi, the
 * result in %eax. Every register is taken, so the stub's address is read
 * from memory.
 */
static inline long hypercall_raw(unsigned int nr, unsigned long a1,
                                 unsigned long a2, unsigned long a3,
                                 unsigned long a4, unsigned long a5)
{
    const void *stub = hypercall_page + (unsigned long)nr * 32;
    long ret;

    __asm__ volatile ( "call *%[stub]"
                       : "=a" (ret), "+b" (a1), "+c" (a2), "+d" (a3),
                         "+S" (a4), "+D" (a5)
                       : [stub] "m" (stub)
                       : "cc", "memory" );
    return ret;
}
#else
static inline long hypercall_raw(unsigned int nr, unsigned long a1,
                                 unsigned long a2, unsigned long a3,
                                 unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__ ( "r10" ) = a4;
    register unsigned long r8 __asm__ ( "r8" ) = a5;
    const void *stub = hypercall_page + (unsigned long)nr * 32;
    long ret;

    __asm__ volatile ( "call *%[stub]"
                       : "=a" (ret), "+D" (a1), "+S" (a2), "+d" (a3),
                         "+r" (r10), "+r" (r8)
                       : [stub] "r" (stub)
                       : "rcx", "r9", "r11", "cc", "memory" );
    return ret;
}
#endif

static inline unsigned long hypercall_ptr_(const void *p)
{
    return (unsigned long)p;
}

static inline long hypercall_set_trap_table(const trap_info_t *traps)
{
    return hypercall_raw(__HYPERVISOR_set_trap_table,
                         hypercall_ptr_(traps), 0, 0, 0, 0);
}

static inline long hypercall_console_io(int cmd, unsigned int count,
                                        const char *buf)
{
    return hypercall_raw(__HYPERVISOR_console_io, cmd, count,
                         hypercall_ptr_(buf), 0, 0);
}

static inline long hypercall_xen_version(int cmd, void *arg)
{
    return hypercall_raw(__HYPERVISOR_xen_version, cmd,
                         hypercall_ptr_(arg), 0, 0, 0);
}

static inline long hypercall_sched_op(int cmd, void *arg)
{
    return hypercall_raw(__HYPERVISOR_sched_op, cmd,
                         hypercall_ptr_(arg), 0, 0, 0);
}

static inline long hypercall_vm_assist(unsigned int cmd, unsigned int type)
{
    return hypercall_raw(__HYPERVISOR_vm_assist, cmd, type, 0, 0, 0);
}

static inline long hypercall_memory_op(unsigned int cmd, void *arg)
{
    return hypercall_raw(__HYPERVISOR_memory_op, cmd,
                         hypercall_ptr_(arg), 0, 0, 0);
}

static inline long hypercall_mmu_update(const mmu_update_t *reqs,
                                        unsigned int count,
                                        unsigned int *pdone,
                                        unsigned int foreigndom)
{
    return hypercall_raw(__HYPERVISOR_mmu_update, hypercall_ptr_(reqs), count,
                         hypercall_ptr_(pdone), foreigndom, 0);
}

static inline long hypercall_mmuext_op(const mmuext_op_t *ops,
                                       unsigned int count,
                                       unsigned int *pdone,
                                       unsigned int foreigndom)
{
    return hypercall_raw(__HYPERVISOR_mmuext_op, hypercall_ptr_(ops), count,
                         hypercall_ptr_(pdone), foreigndom, 0);
}

/*
 * flags: UVMF_* in bits 0-2, or a vcpumask pointer | UVMF_{INVLPG,TLB}.
 * A 32-bit kernel passes the 64-bit PTE in two arguments, low half first.
 */
static inline long hypercall_update_va_mapping(unsigned long va,
                                               uint64_t pte,
                                               unsigned long flags)
{
#ifdef __i386__
    return hypercall_raw(__HYPERVISOR_update_va_mapping, va, (uint32_t)pte,
                         pte >> 32, flags, 0);
#else
    return hypercall_raw(__HYPERVISOR_update_va_mapping, va, pte, flags,
                         0, 0);
#endif
}

static inline long hypercall_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
    return hypercall_raw(__HYPERVISOR_vcpu_op, cmd, vcpu,
                         hypercall_ptr_(arg), 0, 0);
}

static inline long hypercall_physdev_op(int cmd, void *arg)
{
    return hypercall_raw(__HYPERVISOR_physdev_op, cmd,
                         hypercall_ptr_(arg), 0, 0, 0);
}

static inline long hypercall_event_channel_op(int cmd, void *arg)
{
    return hypercall_raw(__HYPERVISOR_event_channel_op, cmd,
                         hypercall_ptr_(arg), 0, 0, 0);
}

static inline long hypercall_callback_op(int cmd, const void *arg)
{
    return hypercall_raw(__HYPERVISOR_callback_op, cmd,
                         hypercall_ptr_(arg), 0, 0, 0);
}

static inline long hypercall_fpu_taskswitch(int set)
{
    return hypercall_raw(__HYPERVISOR_fpu_taskswitch, set, 0, 0, 0, 0);
}

static inline long hypercall_set_segment_base(unsigned int which,
                                              unsigned long base)
{
    return hypercall_raw(__HYPERVISOR_set_segment_base, which, base,
                         0, 0, 0);
}

static inline long hypercall_multicall(multicall_entry_t *calls,
                                       unsigned int nr)
{
    return hypercall_raw(__HYPERVISOR_multicall, hypercall_ptr_(calls), nr,
                         0, 0, 0);
}

/* The usual compositions. */
static inline long hypercall_yield(void)
{
    return hypercall_sched_op(SCHEDOP_yield, NULL);
}

static inline long hypercall_shutdown(unsigned int reason)
{
    struct sched_shutdown arg = { .reason = reason };

    return hypercall_sched_op(SCHEDOP_shutdown, &arg);
}

static inline long hypercall_evtchn_send(evtchn_port_t port)
{
    struct evtchn_send arg = { .port = port };

    return hypercall_event_channel_op(EVTCHNOP_send, &arg);
}

#endif /* TESTS_GUESTS_LIB_HYPERCALL_H */
