/* SPDX-License-Identifier: GPL-2.0-only */
/* x86/smap.c - SMAP on, or its STAC/CLAC sites patched out (x86/smap.h). */
#include "x86/cpu.h"
#include "x86/smap.h"
#include "lib/printk.h"

extern const int32_t __start_smap_sites[], __stop_smap_sites[];

bool smap_init(void)
{
    /* nopl (%rax): 0f 1f 00, as long as STAC (0f 01 cb) and CLAC (0f 01 ca). */
    static const uint8_t nop3[3] = { 0x0f, 0x1f, 0x00 };

    if ( cpuid(0).eax >= 7 && (cpuid_count(7, 0).ebx & CPUID7_EBX_SMAP) )
    {
        write_cr4(read_cr4() | (1UL << X86_CR4_SMAP_BIT));
        return true;
    }

    for ( const int32_t *s = __start_smap_sites; s < __stop_smap_sites; s++ )
    {
        uint8_t *insn = (uint8_t *)s + *s;

        if ( insn[0] != 0x0f || insn[1] != 0x01 ||
             (insn[2] != 0xca && insn[2] != 0xcb) )
            panic("SMAP site %p: not STAC or CLAC", insn);
        for ( unsigned int i = 0; i < sizeof(nop3); i++ )
            insn[i] = nop3[i];
    }
    /* A serialising instruction after modifying code (SDM vol. 3A 9.1.3). */
    (void)cpuid(0);
    return false;
}
