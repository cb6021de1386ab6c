/* SPDX-License-Identifier: GPL-2.0-only */
/* x86/xstate.c - the XSAVE features a PV guest gets (see xstate.h). */
#include "x86/xstate.h"

#define CPUID1_ECX_XSAVE    (1u << 26)
#define CPUID1_ECX_AVX      (1u << 28)
#define CPUID7_EBX_AVX512F  (1u << 16)
#define DA1_XSAVEC          (1u << 1)

struct xstate_policy xstate_pv;

void xstate_policy_make(struct xstate_policy *p, cpuid_fn query)
{
    struct cpuid_regs l1 = query(1, 0), d0;
    uint64_t hw;

    *p = (struct xstate_policy){ 0 };
    if ( !(l1.ecx & CPUID1_ECX_XSAVE) || query(0, 0).eax < 0xd )
        return;
    d0 = query(0xd, 0);
    hw = ((uint64_t)d0.edx << 32) | d0.eax;
    if ( (hw & XSTATE_FP_SSE) != XSTATE_FP_SSE )
        return;                                 /* not a CPU we understand */

    p->max = XSTATE_FP_SSE;
    if ( (l1.ecx & CPUID1_ECX_AVX) && (hw & XSTATE_YMM) )
        p->max |= XSTATE_YMM;
    if ( (p->max & XSTATE_YMM) && query(0, 0).eax >= 7 &&
         (query(7, 0).ebx & CPUID7_EBX_AVX512F) &&
         (hw & XSTATE_AVX512) == XSTATE_AVX512 )
        p->max |= XSTATE_AVX512;
    p->da1 = query(0xd, 1).eax & XSTATE_DA1_PV;

    for ( unsigned int i = 2; i < XSTATE_NR; i++ )
    {
        struct cpuid_regs c;

        if ( !(p->max & (1ULL << i)) )
            continue;
        c = query(0xd, i);
        p->comp[i].size = c.eax;
        p->comp[i].offset = c.ebx;
        p->comp[i].align = c.ecx & 2;
    }
}

bool xstate_xcr0_valid(const struct xstate_policy *p, uint64_t xcr0)
{
    if ( xcr0 & ~p->max )
        return false;
    if ( !(xcr0 & XSTATE_FP) )                  /* x87 is never off */
        return false;
    if ( (xcr0 & XSTATE_YMM) && !(xcr0 & XSTATE_SSE) )
        return false;
    if ( xcr0 & XSTATE_AVX512 )
    {
        /* All three AVX-512 components or none, and only with AVX. */
        if ( (xcr0 & XSTATE_AVX512) != XSTATE_AVX512 || !(xcr0 & XSTATE_YMM) )
            return false;
    }
    /* MPX's two go together (never in a PV policy, kept for the rule). */
    return !(xcr0 & XSTATE_BNDREGS) == !(xcr0 & XSTATE_BNDCSR);
}

uint32_t xstate_size(const struct xstate_policy *p, uint64_t xcr0, bool compacted)
{
    uint32_t size = XSTATE_AREA_MIN;

    for ( unsigned int i = 2; i < XSTATE_NR; i++ )
    {
        if ( !(xcr0 & p->max & (1ULL << i)) )
            continue;
        if ( !compacted )
        {
            if ( p->comp[i].offset + p->comp[i].size > size )
                size = p->comp[i].offset + p->comp[i].size;
            continue;
        }
        if ( p->comp[i].align )
            size = (size + 63) & ~63u;
        size += p->comp[i].size;
    }
    return size;
}

struct cpuid_regs xstate_cpuid(const struct xstate_policy *p, uint32_t subleaf,
                               uint64_t xcr0)
{
    struct cpuid_regs r = { 0 };

    if ( !p->max )
        return r;

    switch ( subleaf )
    {
    case 0:
        r.eax = (uint32_t)p->max;
        r.edx = p->max >> 32;
        r.ecx = xstate_size(p, p->max, false);
        r.ebx = xstate_size(p, xcr0, false);    /* what is enabled now */
        break;
    case 1:
        r.eax = p->da1;
        if ( p->da1 & DA1_XSAVEC )
            r.ebx = xstate_size(p, xcr0, true);
        break;
    default:
        if ( subleaf < XSTATE_NR && (p->max & (1ULL << subleaf)) )
        {
            r.eax = p->comp[subleaf].size;
            r.ebx = p->comp[subleaf].offset;
            r.ecx = p->comp[subleaf].align ? 2 : 0;
        }
        break;
    }
    return r;
}

#ifndef UNIT_TEST
void xstate_init(void)
{
    xstate_policy_make(&xstate_pv, cpuid_count);
    if ( !xstate_pv.max )
        return;
    write_cr4(read_cr4() | X86_CR4_OSXSAVE);
    xsetbv(0, XSTATE_FP_SSE);
}
#endif
