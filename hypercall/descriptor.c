/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/descriptor.c - set_gdt and update_descriptor: the frame list
 * copied in; pvops/descriptors.c checks the descriptors.
 */
#include "hypercall/handlers.h"
#include "pvops/descriptors.h"
#include "pvops/domain.h"
#include "x86/uaccess.h"

long do_set_gdt(unsigned long frame_list, unsigned int entries)
{
    unsigned long mfns[FIRST_RESERVED_GDT_PAGE];
    unsigned int nr = (entries + 511) / 512;

    if ( entries > FIRST_RESERVED_GDT_ENTRY )
        return -XEN_EINVAL;
    if ( is_pv32() )
    {
        /* A 32-bit guest's list: 4-byte frame numbers (compat_set_gdt). */
        uint32_t m32[FIRST_RESERVED_GDT_PAGE];

        if ( copy_from_guest(m32, frame_list, nr * sizeof(m32[0])) )
            return -XEN_EFAULT;
        for ( unsigned int i = 0; i < nr; i++ )
            mfns[i] = m32[i];
    }
    else if ( copy_from_guest(mfns, frame_list, nr * sizeof(mfns[0])) )
        return -XEN_EFAULT;
    return pv_set_gdt(current_vcpu(), mfns, entries);
}

long do_update_descriptor(unsigned long maddr, uint64_t desc)
{
    return pv_update_descriptor(maddr, desc);
}
