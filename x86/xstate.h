/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/xstate.h - the XSAVE features a PV guest gets, and its XCR0.
 *
 * The policy is Xen 4.17's for a PV domain (xen/arch/x86/cpuid.c
 * recalculate_xstate, xstate.c valid_xcr0): x87 and SSE always, AVX state
 * with AVX, the three AVX-512 components with AVX512F; no MPX, PKRU, AMX or
 * supervisor states. Within it, only what the container (L0) gives us.
 *
 * Each guest vCPU runs on one CPU of the container and the shim never uses
 * the FPU, so a vCPU's x87/SSE/AVX state is the CPU's: nothing is saved or
 * switched. What the shim keeps per vCPU is the XCR0 it set (struct vcpu).
 */
#ifndef X86_XSTATE_H
#define X86_XSTATE_H

#include "lib/compiler.h"
#include "x86/cpu.h"

#define XSTATE_FP           (1ULL << 0)
#define XSTATE_SSE          (1ULL << 1)
#define XSTATE_YMM          (1ULL << 2)
#define XSTATE_BNDREGS      (1ULL << 3)
#define XSTATE_BNDCSR       (1ULL << 4)
#define XSTATE_OPMASK       (1ULL << 5)
#define XSTATE_ZMM          (1ULL << 6)
#define XSTATE_HI_ZMM       (1ULL << 7)
#define XSTATE_PKRU         (1ULL << 9)
#define XSTATE_FP_SSE       (XSTATE_FP | XSTATE_SSE)
#define XSTATE_AVX512       (XSTATE_OPMASK | XSTATE_ZMM | XSTATE_HI_ZMM)
/* The components a PV guest may ever have (bits 0-7). */
#define XSTATE_NR           8
/* Legacy area plus XSAVE header: where component 2 may start. */
#define XSTATE_AREA_MIN     576

/* CPUID 0xd.1 EAX bits a PV guest may see: XSAVEOPT, XSAVEC, XGETBV1. */
#define XSTATE_DA1_PV       0x7u

struct xstate_policy {
    uint64_t max;                   /* the XCR0 bits the guest may set; 0: no XSAVE */
    uint32_t da1;                   /* CPUID 0xd.1 EAX as the guest sees it */
    struct {
        uint32_t size, offset;      /* CPUID 0xd.i EAX, EBX */
        bool align;                 /* ECX bit 1: 64-byte aligned when compacted */
    } comp[XSTATE_NR];
};

typedef struct cpuid_regs (*cpuid_fn)(uint32_t leaf, uint32_t subleaf);

/* The PV policy, from what query (CPUID of the container's) reports. */
void xstate_policy_make(struct xstate_policy *p, cpuid_fn query);

/* Whether XSETBV(0, xcr0) is allowed: Xen's valid_xcr0() within p->max. */
bool xstate_xcr0_valid(const struct xstate_policy *p, uint64_t xcr0);

/* Bytes of an XSAVE area for xcr0: standard or compacted layout. */
uint32_t xstate_size(const struct xstate_policy *p, uint64_t xcr0, bool compacted);

/* CPUID leaf 0xd, subleaf n, for a vCPU whose XCR0 is xcr0. */
struct cpuid_regs xstate_cpuid(const struct xstate_policy *p, uint32_t subleaf,
                               uint64_t xcr0);

/* This CPU's policy (after xstate_init). */
extern struct xstate_policy xstate_pv;

/*
 * Make the policy from this CPU and turn XSAVE on with the XCR0 a PV vCPU
 * starts with (x87 and SSE), when the CPU has XSAVE.
 */
void xstate_init(void);

#endif /* X86_XSTATE_H */
