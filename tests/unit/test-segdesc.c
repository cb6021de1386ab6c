/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/unit/test-segdesc.c - pvops/segdesc.c: which segment descriptors a
 * 64-bit PV guest may install, and how they are adjusted. The DPL raise, the
 * refused TSS and interrupt gate, not-present garbage and the call gate to
 * FLAT_KERNEL_CS are what Debian's Xen 4.17 gives (tests/guests/descriptors
 * on L0); the other cases follow Xen's check_descriptor rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "pvops/segdesc.h"

/* A descriptor from its two dwords. */
#define DESC(hi, lo) (((uint64_t)(hi) << 32) | (uint32_t)(lo))

/* A refused descriptor is left as it was (as in Xen): out is ignored. */
static void check(uint64_t in, bool ok, uint64_t out)
{
    uint64_t d = in;

    assert_int_equal(check_descriptor(&d), ok);
    assert_int_equal(d, ok ? out : in);
}

static void test_not_present(void **state)
{
    /* Not present: anything, unchanged (every use faults). */
    check(DESC(0x00007f00, 0xdeadbeef), true, DESC(0x00007f00, 0xdeadbeef));
    check(0xffffffffffff7fffULL, true, 0xffffffffffff7fffULL);
    check(0, true, 0);
}

static void test_code_data_dpl(void **state)
{
    /* Flat data DPL 0 and 64-bit code DPL 0: DPL raised to 3. */
    check(DESC(0x00cf9300, 0x0000ffff), true, DESC(0x00cff300, 0x0000ffff));
    check(DESC(0x00af9b00, 0x0000ffff), true, DESC(0x00affb00, 0x0000ffff));
    /* DPL 1 and 2 too; DPL 3 stays. */
    check(DESC(0x00cfb300, 0x0000ffff), true, DESC(0x00cff300, 0x0000ffff));
    check(DESC(0x00cfd300, 0x0000ffff), true, DESC(0x00cff300, 0x0000ffff));
    check(DESC(0x00cff300, 0x0000ffff), true, DESC(0x00cff300, 0x0000ffff));
    /* A base anywhere in 32 bits: no base or limit checks for 64-bit guests. */
    check(DESC(0xff4ff3ff, 0xffffffff), true, DESC(0xff4ff3ff, 0xffffffff));
}

static void test_system_refused(void **state)
{
    static const unsigned int bad_types[] = {
        0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x9, 0xa, 0xb, 0xd, 0xe, 0xf,
    };

    for ( unsigned int i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++ )
    {
        uint64_t d = DESC(0x00008000 | (bad_types[i] << 8), 0x00100000);

        assert_false(check_descriptor(&d));
        /* Not even its DPL raised: it may be in a frame that stays data. */
        assert_int_equal(d, DESC(0x00008000 | (bad_types[i] << 8), 0x00100000));
    }
    /* The 64-bit TSS and interrupt gate the lab kernel tries, DPL 3 too. */
    check(DESC(0x0000e900, 0x00000067), false, 0);
    check(DESC(0x0000ee00, 0xe0331000), false, 0);
}

static void test_upper_half(void **state)
{
    /* Type 0, present or not: the upper half of a 16-byte descriptor. */
    check(DESC(0x00008000, 0x00000000), true, DESC(0x0000e000, 0x00000000));
    check(DESC(0x00000000, 0xffffffff), true, DESC(0x00000000, 0xffffffff));
}

static void test_call_gates(void **state)
{
    /*
     * To FLAT_KERNEL_CS with DPL 3: accepted, DPL 0, the DPL in the
     * target RPL (what L0 reads back: 0x80008c00e0331000).
     */
    check(0x8000ec00e0331000ULL, true, 0x80008c00e0331000ULL);
    /* DPL 0 asked: still DPL 0 in the gate, RPL 3 (the guest's ring). */
    check(0x80008c00e0331000ULL, true, 0x80008c00e0331000ULL);
    /*
     * FLAT_KERNEL_CS with another RPL is none of the guest's selectors
     * (Xen's guest_gate_selector_okay compares the whole selector).
     */
    check(0x8000ec00e0301000ULL, false, 0);
    check(0x8000ec00e0321000ULL, false, 0);
    /* To a guest GDT selector, and to an LDT one. */
    check(DESC(0x0000ec00, 0x00281234), true, DESC(0x00008c00, 0x002b1234));
    check(DESC(0x0000ec00, 0x000f1234), true, DESC(0x00008c00, 0x000f1234));
    /* To the hypervisor's selectors (GDT entries from 7168): refused. */
    check(DESC(0x0000ec00, 0xe0081234), false, 0);
    check(DESC(0x0000ec00, 0xe0101234), false, 0);
    check(DESC(0x0000ec00, 0xfff81234), false, 0);
    /* Not present: accepted as it is, like any not-present descriptor. */
    check(DESC(0x00006c00, 0xe0081234), true, DESC(0x00006c00, 0xe0081234));
}

/* A 32-bit guest's (check_descriptor32, Xen's pv32 rules). */
static void check32(uint64_t in, bool ok, uint64_t out)
{
    uint64_t d = in;

    assert_int_equal(check_descriptor32(&d), ok);
    assert_int_equal(d, ok ? out : in);
}

static void test_pv32(void **state)
{
    /* Not present: anything, unchanged. */
    check32(DESC(0x00207f00, 0xdeadbeef), true, DESC(0x00207f00, 0xdeadbeef));
    /* DPL 0 raised to 1 (the kernel's ring); DPL 1 and 3 stay. */
    check32(DESC(0x00cf9300, 0x0000ffff), true, DESC(0x00cfb300, 0x0000ffff));
    check32(DESC(0x00cfbb00, 0x0000ffff), true, DESC(0x00cfbb00, 0x0000ffff));
    check32(DESC(0x00cff300, 0x0000ffff), true, DESC(0x00cff300, 0x0000ffff));
    /* 64-bit code (L) refused, at any DPL. */
    check32(DESC(0x00affb00, 0x0000ffff), false, 0);
    check32(DESC(0x00af9b00, 0x0000ffff), false, 0);
    /* Old PAE Linux's flat segments ending at 0xF6800000: extended to 4 GiB. */
    check32(DESC(0x00cfb300, 0x000067ff), true, DESC(0x00cfb300, 0x0000ffff));
    /* Ending below the hole, or not at base 0: left alone. */
    check32(DESC(0x00c5b300, 0x000057ff), true, DESC(0x00c5b300, 0x000057ff));
    check32(DESC(0x00cfb301, 0x0000ffff), true, DESC(0x00cfb301, 0x0000ffff));
    /* A call gate to the ring-1 flat code: DPL 3 to the selector's RPL, DPL 0. */
    check32(DESC(0x0000ec00, 0xe0191000), true, DESC(0x00008c00, 0xe01b1000));
    /* To a guest GDT or LDT selector: fine; to the hypervisor's others: refused. */
    check32(DESC(0x0000ec00, 0x00081000), true, DESC(0x00008c00, 0x000b1000));
    check32(DESC(0x0000ec00, 0xe00c1000), true, DESC(0x00008c00, 0xe00f1000));
    check32(DESC(0x0000ec00, 0xe0081000), false, 0);
    check32(DESC(0x0000ec00, 0xe0331000), false, 0);
    /* Parameter count bits 5-7 reserved; 0-4 allowed. */
    check32(DESC(0x0000ec1f, 0x00081000), true, DESC(0x00008c1f, 0x000b1000));
    check32(DESC(0x0000ec20, 0x00081000), false, 0);
    /* Type 0 (a gate's upper half) unchanged; TSS and interrupt gates refused. */
    check32(DESC(0x00008000, 0x12345678), true, DESC(0x00008000, 0x12345678));
    check32(DESC(0x00008900, 0x00100000), false, 0);
    check32(DESC(0x0000ee00, 0xe0191000), false, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_present),
        cmocka_unit_test(test_code_data_dpl),
        cmocka_unit_test(test_system_refused),
        cmocka_unit_test(test_upper_half),
        cmocka_unit_test(test_call_gates),
        cmocka_unit_test(test_pv32),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
