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

/* AMD and Hygon: a NUL selector load keeps the old base (and no SYSENTER in long mode). */
static inline bool cpu_is_amd_like(void)
{
    struct cpuid_regs v = cpuid(0);

    return (v.ebx == 0x68747541 && v.edx == 0x69746e65) ||     /* AuthenticAMD */
           (v.ebx == 0x6f677948 && v.edx == 0x6e65476e);       /* HygonGenuine */
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile ( "rdtsc" : "=a" (lo), "=d" (hi) );
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsrl(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ volatile ( "rdmsr" : "=a" (lo), "=d" (hi) : "c" (msr) );
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsrl(uint32_t msr, uint64_t v)
{
    __asm__ volatile ( "wrmsr" :: "c" (msr), "a" ((uint32_t)v),
                       "d" ((uint32_t)(v >> 32)) );
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

#define DEFINE_WRITE_CR(n)                                            \
static inline void write_cr##n(unsigned long v)                       \
{                                                                     \
    __asm__ volatile ( "mov %0, %%cr" #n :: "r" (v) : "memory" );     \
}
DEFINE_WRITE_CR(0)
DEFINE_WRITE_CR(4)
#undef DEFINE_WRITE_CR

#define X86_EFLAGS_TF       0x00000100UL
#define X86_EFLAGS_IF       0x00000200UL
#define X86_EFLAGS_DF       0x00000400UL
#define X86_EFLAGS_IOPL     0x00003000UL
#define X86_EFLAGS_NT       0x00004000UL
#define X86_EFLAGS_RF       0x00010000UL
#define X86_EFLAGS_VM       0x00020000UL
#define X86_EFLAGS_AC       0x00040000UL

#define X86_CR0_MP          (1UL << 1)
#define X86_CR0_EM          (1UL << 2)
#define X86_CR0_TS          (1UL << 3)
#define X86_CR4_TSD         (1UL << 2)
#define X86_CR4_DE          (1UL << 3)
#define X86_CR4_OSFXSR      (1UL << 9)
#define X86_CR4_OSXMMEXCPT  (1UL << 10)

/*
 * Let this CPU run SSE code (the boot decompressors, boot/decompress.c, are
 * built with it): CR0.MP on, CR0.EM and CR0.TS off, CR4.OSFXSR and
 * CR4.OSXMMEXCPT on, then a clean x87 state and the reset MXCSR (every SIMD
 * exception masked). SDM vol. 3A 13.1.3 "Initialization of the SSE
 * Extensions".
 */
#define X86_CR4_FSGSBASE    (1UL << 16)
#define X86_CR4_OSXSAVE     (1UL << 18)
/* The CR4 bits the hardware follows for a PV guest (its own TSD, DE, FSGSBASE). */
#define PV_CR4_HW           (X86_CR4_TSD | X86_CR4_DE | X86_CR4_FSGSBASE)

static inline void xsetbv(uint32_t index, uint64_t v)
{
    __asm__ volatile ( "xsetbv" :: "c" (index), "a" ((uint32_t)v),
                       "d" ((uint32_t)(v >> 32)) );
}

/* SMEP when the CPU has it (true): every guest page is a user page to the CPU. */
static inline bool smep_enable(void)
{
    if ( cpuid(0).eax < 7 || !(cpuid_count(7, 0).ebx & (1u << 7)) )
        return false;
    __asm__ volatile ( "mov %%cr4, %%rax; bts $20, %%rax; mov %%rax, %%cr4"
                       ::: "rax" );
    return true;
}

static inline void sse_enable(void)
{
    const uint32_t mxcsr = 0x1f80;

    write_cr0((read_cr0() | X86_CR0_MP) & ~(X86_CR0_EM | X86_CR0_TS));
    write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
    __asm__ volatile ( "fninit; ldmxcsr %0" :: "m" (mxcsr) );
}

/* The FS base through MSR_FS_BASE (0xc0000100): wrfsbase needs CR4.FSGSBASE. */
static inline uint64_t read_fs_base(void)
{
    uint32_t lo, hi;

    __asm__ volatile ( "rdmsr" : "=a" (lo), "=d" (hi) : "c" (0xc0000100) );
    return ((uint64_t)hi << 32) | lo;
}

static inline void write_fs_base(uint64_t base)
{
    __asm__ volatile ( "wrmsr" :: "c" (0xc0000100), "a" ((uint32_t)base),
                       "d" ((uint32_t)(base >> 32)) : "memory" );
}

static inline void cpu_relax(void)
{
    __asm__ volatile ( "pause" ::: "memory" );
}

/*
 * Wait for an interrupt with interrupts off around the caller's check: "sti;
 * hlt" takes one that arrives after the check too (STI's one-instruction
 * shadow), then interrupts are off again (x86/entry.S). The shadow is not
 * to be relied on under nested virtualization: an interrupt taken at the
 * HLT itself returns past it (trap_handler), or it would sleep past what
 * the interrupt raised.
 */
void safe_halt(void);
extern const char safe_halt_hlt[];

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
