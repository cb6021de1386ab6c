/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/fuzz/fuzz-segdesc.c - pvops/segdesc.c: the input is up to eight
 * descriptors (8 bytes each). Whatever check_descriptor() accepts must be
 * harmless in a 64-bit PV guest's GDT/LDT, and it changes only what Xen's
 * check_descriptor changes.
 */
#include "tests/fuzz/fuzz.h"

#include "pvops/segdesc.h"

#define P           (1ULL << 47)
#define S           (1ULL << 44)
#define DPL(d)      (((d) >> 45) & 3)
#define DPL_MASK    (3ULL << 45)
#define TYPE(d)     (((d) >> 40) & 0xf)
#define RPL_MASK    (3ULL << 16)

static void one(uint64_t in)
{
    uint64_t d = in, again;
    bool ok = check_descriptor(&d);

    if ( !(in & P) )
    {
        /* Not present: every use faults, so anything, untouched. */
        CHECK(ok && d == in);
        return;
    }
    if ( !ok )
    {
        /* Only system descriptors other than the upper half and good gates. */
        CHECK(!(in & S) && TYPE(in) != 0);
        CHECK(d == in);             /* refused: left as it was, as in Xen */
        return;
    }

    if ( !(in & S) && TYPE(in) == 0xc )
    {
        uint16_t sel = in >> 16;

        /* A call gate: DPL 0 (every use traps), the target at RPL 3. */
        CHECK(DPL(d) == 0 && ((d >> 16) & 3) == 3);
        CHECK((d & ~(DPL_MASK | RPL_MASK)) == (in & ~(DPL_MASK | RPL_MASK)));
        CHECK((sel & 4) || (sel >> 3) < FIRST_RESERVED_GDT_ENTRY ||
              (sel & ~3) == (FLAT_KERNEL_CS & ~3));
    }
    else
    {
        /* Code, data or the upper half: only the DPL moves, to 3. */
        CHECK((in & S) || TYPE(in) == 0);
        CHECK(d == (in | DPL_MASK));
    }

    /* What was accepted passes again, unchanged (a GDT page re-checked). */
    again = d;
    CHECK(check_descriptor(&again) && again == d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for ( size_t i = 0; i + 8 <= size && i < 64; i += 8 )
    {
        uint64_t d;

        memcpy(&d, data + i, 8);
        one(d);
    }
    return 0;
}
