/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/unit/test-xstate.c - x86/xstate.c: the XSAVE policy a PV guest gets
 * from the container's CPUID, which XCR0 values XSETBV accepts (Xen 4.17's
 * valid_xcr0 within that policy), and CPUID leaf 0xd as the guest sees it.
 * The fake CPUs are modelled on real ones: a Skylake-SP (AVX-512, MPX,
 * PKRU, XSAVES) and smaller ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "x86/xstate.h"

/* The fake CPU the policy is made from. */
static struct {
    uint32_t max_leaf, l1_ecx, l7_ebx;
    uint64_t xcr0_hw;
    uint32_t da1;
    struct { uint32_t size, offset, ecx; } comp[10];
} cpu;

static struct cpuid_regs fake_cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r = { 0 };

    if ( leaf > cpu.max_leaf )
        return r;
    switch ( leaf )
    {
    case 0: r.eax = cpu.max_leaf; break;
    case 1: r.ecx = cpu.l1_ecx; break;
    case 7: r.ebx = subleaf ? 0 : cpu.l7_ebx; break;
    case 0xd:
        if ( subleaf == 0 )
        {
            r.eax = (uint32_t)cpu.xcr0_hw;
            r.edx = cpu.xcr0_hw >> 32;
            r.ebx = 576;                /* whatever is enabled: not ours to use */
            r.ecx = 2696;
        }
        else if ( subleaf == 1 )
            r.eax = cpu.da1;
        else if ( subleaf < 10 && (cpu.xcr0_hw & (1ULL << subleaf)) )
        {
            r.eax = cpu.comp[subleaf].size;
            r.ebx = cpu.comp[subleaf].offset;
            r.ecx = cpu.comp[subleaf].ecx;
        }
        break;
    }
    return r;
}

#define XSAVE   (1u << 26)
#define AVX     (1u << 28)
#define AVX512F (1u << 16)

/* Skylake-SP: x87 SSE AVX MPX AVX-512 PKRU, XSAVEOPT XSAVEC XGETBV1 XSAVES. */
static void skylake_sp(void)
{
    memset(&cpu, 0, sizeof(cpu));
    cpu.max_leaf = 0x16;
    cpu.l1_ecx = XSAVE | AVX;
    cpu.l7_ebx = AVX512F;
    cpu.xcr0_hw = 0x2ff;
    cpu.da1 = 0xf;
    cpu.comp[2].size = 256;  cpu.comp[2].offset = 576;
    cpu.comp[3].size = 64;   cpu.comp[3].offset = 960;
    cpu.comp[4].size = 64;   cpu.comp[4].offset = 1024;
    cpu.comp[5].size = 64;   cpu.comp[5].offset = 1088;
    cpu.comp[6].size = 512;  cpu.comp[6].offset = 1152;
    cpu.comp[7].size = 1024; cpu.comp[7].offset = 1664;
    cpu.comp[9].size = 8;    cpu.comp[9].offset = 2688;
}

static struct xstate_policy make(void)
{
    struct xstate_policy p;

    memset(&p, 0xcc, sizeof(p));        /* every field must be written */
    xstate_policy_make(&p, fake_cpuid);
    return p;
}

static void test_policy_skylake(void **state)
{
    struct xstate_policy p;

    skylake_sp();
    p = make();
    /* No MPX (3, 4) or PKRU (9) for PV, no XSAVES in 0xd.1. */
    assert_int_equal(p.max, 0xe7);
    assert_int_equal(p.da1, 0x7);
    assert_int_equal(p.comp[6].offset, 1152);
    assert_int_equal(p.comp[3].size, 0);
    /* Standard layout: the end of the last component enabled. */
    assert_int_equal(xstate_size(&p, 0x3, false), 576);
    assert_int_equal(xstate_size(&p, 0x7, false), 832);
    assert_int_equal(xstate_size(&p, 0xe7, false), 2688);
    /* Compacted: the enabled ones back to back. */
    assert_int_equal(xstate_size(&p, 0x7, true), 832);
    assert_int_equal(xstate_size(&p, 0xe7, true), 576 + 256 + 64 + 512 + 1024);
    /* Bits outside the policy count for nothing. */
    assert_int_equal(xstate_size(&p, 0x21f, false), 832);
}

static void test_policy_smaller_cpus(void **state)
{
    struct xstate_policy p;

    /* No XSAVE: no policy, no leaf, no XCR0. */
    skylake_sp();
    cpu.l1_ecx = AVX;
    p = make();
    assert_int_equal(p.max, 0);
    assert_false(xstate_xcr0_valid(&p, 0x3));
    assert_int_equal(xstate_cpuid(&p, 0, 0x3).eax, 0);
    assert_int_equal(xstate_cpuid(&p, 0, 0x3).ecx, 0);

    /* XSAVE but leaf 0xd beyond the maximum leaf: the same. */
    skylake_sp();
    cpu.max_leaf = 0xc;
    assert_int_equal(make().max, 0);

    /* AVX hidden from leaf 1: no YMM state, so no AVX-512 either. */
    skylake_sp();
    cpu.l1_ecx = XSAVE;
    assert_int_equal(make().max, 0x3);

    /* AVX512F without all three of its components: AVX only. */
    skylake_sp();
    cpu.xcr0_hw = 0x67;
    assert_int_equal(make().max, 0x7);

    /* The components without AVX512F: AVX only. */
    skylake_sp();
    cpu.l7_ebx = 0;
    assert_int_equal(make().max, 0x7);

    /* A CPU reporting no SSE state: not one we understand. */
    skylake_sp();
    cpu.xcr0_hw = 0x1;
    assert_int_equal(make().max, 0);
}

static void test_xcr0_rules(void **state)
{
    static const struct { uint64_t xcr0; bool ok; } cases[] = {
        { 0x3, true }, { 0x7, true }, { 0xe7, true },
        { 0x1, true },                  /* x87 alone is a valid XCR0 */
        { 0x0, false },                 /* x87 never off */
        { 0x2, false }, { 0x6, false },
        { 0x5, false },                 /* YMM without SSE */
        { 0x27, false }, { 0x67, false }, { 0xa7, false },  /* part of AVX-512 */
        { 0xe3, false },                /* AVX-512 without YMM */
        { 0x1f, false }, { 0xf, false },                    /* MPX: not PV */
        { 0x207, false },               /* PKRU: not PV */
        { 1ULL << 63 | 3, false }, { 1ULL << 32 | 3, false },
        { ~0ULL, false },
    };
    struct xstate_policy p;

    skylake_sp();
    p = make();
    for ( unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++ )
    {
        if ( xstate_xcr0_valid(&p, cases[i].xcr0) != cases[i].ok )
            fail_msg("xcr0 %#llx: expected %s", (unsigned long long)cases[i].xcr0,
                     cases[i].ok ? "valid" : "refused");
    }

    /* Within a smaller policy, AVX is refused. */
    cpu.l1_ecx = XSAVE;
    p = make();
    assert_true(xstate_xcr0_valid(&p, 0x3));
    assert_false(xstate_xcr0_valid(&p, 0x7));
}

static void test_leaf_0xd(void **state)
{
    struct xstate_policy p;
    struct cpuid_regs r;

    skylake_sp();
    p = make();

    /* Subleaf 0: the policy, its largest size, and EBX for the XCR0 now. */
    r = xstate_cpuid(&p, 0, 0x3);
    assert_int_equal(r.eax, 0xe7);
    assert_int_equal(r.edx, 0);
    assert_int_equal(r.ecx, 2688);
    assert_int_equal(r.ebx, 576);
    assert_int_equal(xstate_cpuid(&p, 0, 0x7).ebx, 832);
    assert_int_equal(xstate_cpuid(&p, 0, 0xe7).ebx, 2688);

    /* Subleaf 1: XSAVEOPT XSAVEC XGETBV1, the compacted size, no XSS bits. */
    r = xstate_cpuid(&p, 1, 0x7);
    assert_int_equal(r.eax, 0x7);
    assert_int_equal(r.ebx, 832);
    assert_int_equal(r.ecx, 0);
    assert_int_equal(r.edx, 0);

    /* Without XSAVEC, no compacted size. */
    cpu.da1 = 0x5;
    p = make();
    assert_int_equal(xstate_cpuid(&p, 1, 0x7).eax, 0x5);
    assert_int_equal(xstate_cpuid(&p, 1, 0x7).ebx, 0);

    /* Component subleaves: those in the policy, zeros for the rest. */
    r = xstate_cpuid(&p, 2, 0x3);
    assert_int_equal(r.eax, 256);
    assert_int_equal(r.ebx, 576);
    assert_int_equal(r.ecx, 0);
    r = xstate_cpuid(&p, 7, 0x3);
    assert_int_equal(r.eax, 1024);
    assert_int_equal(r.ebx, 1664);
    for ( uint32_t s = 3; s <= 4; s++ )
        assert_int_equal(xstate_cpuid(&p, s, 0x3).eax, 0);
    assert_int_equal(xstate_cpuid(&p, 9, 0x3).eax, 0);
    assert_int_equal(xstate_cpuid(&p, 62, 0x3).eax, 0);
    assert_int_equal(xstate_cpuid(&p, 63, 0x3).eax, 0);
    assert_int_equal(xstate_cpuid(&p, 0xffffffff, 0x3).ebx, 0);
}

static void test_compacted_alignment(void **state)
{
    struct xstate_policy p;

    /* Components that ask for 64-byte alignment when compacted. */
    skylake_sp();
    cpu.comp[5].size = 8;
    cpu.comp[5].ecx = 2;
    cpu.comp[6].ecx = 2;
    p = make();
    assert_true(p.comp[5].align);
    assert_int_equal(xstate_cpuid(&p, 5, 0x3).ecx, 2);
    /* 576 + 256 = 832 (aligned) + 8 = 840 -> 896 + 512 + 1024. */
    assert_int_equal(xstate_size(&p, 0xe7, true), 896 + 512 + 1024);
    assert_int_equal(xstate_cpuid(&p, 1, 0xe7).ebx, 896 + 512 + 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_skylake),
        cmocka_unit_test(test_policy_smaller_cpus),
        cmocka_unit_test(test_xcr0_rules),
        cmocka_unit_test(test_leaf_0xd),
        cmocka_unit_test(test_compacted_alignment),
    };

    return cmocka_run_group_tests_name("xstate", tests, NULL, NULL);
}
