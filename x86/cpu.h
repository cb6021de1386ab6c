/* SPDX-License-Identifier: GPL-2.0-only */
/* x86/cpu.h - tiny wrappers around x86 instructions the shim uses itself. */
#ifndef X86_CPU_H
#define X86_CPU_H

#include "lib/compiler.h"

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid_count(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;

    __asm__ volatile ( "cpuid"
                       : "=a" (r.eax), "=b" (r.ebx), "=c" (r.ecx), "=d" (r.edx)
                       : "a" (leaf), "c" (subleaf) );
    return r;
}

static inline struct cpuid_regs cpuid(uint32_t leaf)
{
    return cpuid_count(leaf, 0);
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile ( "rdtsc" : "=a" (lo), "=d" (hi) );
    return ((uint64_t)hi << 32) | lo;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile ( "outb %0, %1" :: "a" (v), "Nd" (port) );
}

static inline void outsb(uint16_t port, const void *buf, size_t n)
{
    __asm__ volatile ( "rep outsb" : "+S" (buf), "+c" (n) : "d" (port) );
}

#define DEFINE_READ_CR(n)                                             \
static inline unsigned long read_cr##n(void)                          \
{                                                                     \
    unsigned long v;                                                  \
    __asm__ volatile ( "mov %%cr" #n ", %0" : "=r" (v) );             \
    return v;                                                         \
}
DEFINE_READ_CR(0)
DEFINE_READ_CR(2)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)
#undef DEFINE_READ_CR

static inline void cpu_relax(void)
{
    __asm__ volatile ( "pause" ::: "memory" );
}

/*
 * Stop this CPU for good. Not "cli; hlt": Xen takes a halt with interrupts
 * off as "this vCPU goes down" and powers the domain off once all are down
 * (hvm_hlt() -> hvm_vcpu_down()), which would hide a crash. So halt with
 * interrupts on: nothing is set up to interrupt us (no LAPIC timer, no L0
 * upcall vector) and any wakeup just halts again.
 */
static inline __noreturn void halt_forever(void)
{
    for ( ; ; )
        __asm__ volatile ( "sti; hlt" ::: "memory" );
}

#endif /* X86_CPU_H */
