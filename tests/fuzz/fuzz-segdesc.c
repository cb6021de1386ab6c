/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/fuzz/fuzz-segdesc.c - pvops/segdesc.c: the input is up to eight
 * descriptors (8 bytes each). Whatever check_descriptor() accepts must be
 * harmless in a 64-bit PV guest's GDT/LDT, check_descriptor32() in a
 * 32-bit one's, and each changes only what Xen's check_descriptor changes.
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

#define L_BIT       (1ULL << 53)

/*
 * A 32-bit guest's: what is accepted is never 64-bit code and never DPL 0
 * but for a gate; only the DPL, a gate's RPL and (for a segment from 0
 * into the hole) the limit change; and it passes again unchanged.
 */
static void one32(uint64_t in)
{
    uint64_t d = in, again;
    bool ok = check_descriptor32(&d);

    if ( !(in & P) )
    {
        CHECK(ok && d == in);
        return;
    }
    if ( !ok )
    {
        CHECK(d == in);
        CHECK(((in & S) && (in & L_BIT)) || (!(in & S) && TYPE(in) != 0));
        return;
    }
    if ( in & S )
    {
        CHECK(!(d & L_BIT) && DPL(d) >= 1);
        CHECK(DPL(d) == (DPL(in) ? DPL(in) : 1));
        /* Apart from the DPL, only the limit may grow (to 0xfffff pages). */
        CHECK((d & ~(DPL_MASK | 0x000f00000000ffffULL)) ==
              (in & ~(DPL_MASK | 0x000f00000000ffffULL)));
    }
    else if ( TYPE(in) == 0xc )
    {
        uint16_t sel = in >> 16;

        CHECK(DPL(d) == 0 && ((d >> 16) & 3) == (DPL(in) ? DPL(in) : 1));
        CHECK((d & ~(DPL_MASK | RPL_MASK)) == (in & ~(DPL_MASK | RPL_MASK)));
        CHECK((sel & 4) || (sel >> 3) < FIRST_RESERVED_GDT_ENTRY || sel == 0xe019);
        CHECK(!(d & (0xe0ULL << 32)));
    }
    else
        CHECK(TYPE(in) == 0 && d == in);

    /*
     * Accepted again as it is, but a gate: its DPL is 0 now, which the
     * check raises to 1 and moves to the selector's RPL (Xen's too) ...
     */
    again = d;
    ok = check_descriptor32(&again);
    if ( !(in & S) && TYPE(in) == 0xc )
    {
        /*
         * ... and a gate to the flat ring-1 code (e019, exactly) no longer
         * names it with another RPL: refused then, as by Xen.
         */
        CHECK(ok ? again == ((d & ~RPL_MASK) | (1ULL << 16))
                 : ((d >> 16) & 0xfffc) == 0xe018 && ((d >> 16) & 3) != 1);
    }
    else
        CHECK(ok && again == d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for ( size_t i = 0; i + 8 <= size && i < 64; i += 8 )
    {
        uint64_t d;

        memcpy(&d, data + i, 8);
        one(d);
        one32(d);
    }
    return 0;
}
