/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/segdesc.c - checking one segment descriptor a PV guest wants in its
 * GDT or LDT (Xen's arch/x86/desc.c check_descriptor, 64-bit guest). Pure
 * code, host-tested.
 */
#include "pvops/segdesc.h"

#define SEG_P        (1u << 15)       /* in the high dword */
#define SEG_S        (1u << 12)
#define SEG_DPL      (3u << 13)
#define SEG_TYPE(b)  (((b) >> 8) & 0xf)
#define SEG_L        (1u << 21)
#define SEG_G        (1u << 23)

bool check_descriptor(uint64_t *d)
{
    uint32_t a = (uint32_t)*d, b = *d >> 32;

    /* Not present: any use faults, so anything goes. */
    if ( !(b & SEG_P) )
        return true;

    /*
     * Never more privileged than the guest kernel's ring (3 for 64-bit PV).
     * Only an accepted descriptor is written back: a refused one stays as
     * the guest wrote it (it may sit in a frame that fails to become a GDT).
     */
    b |= SEG_DPL;

    /* Code and data: a 64-bit guest's need no base or limit checks. */
    if ( b & SEG_S )
        goto good;

    /* System descriptors: type 0 (the upper half of a 16-byte one) ... */
    if ( SEG_TYPE(b) == 0 )
        goto good;

    /*
     * ... and 64-bit call gates to a guest code selector (one of the
     * guest's GDT entries, an LDT one, or exactly FLAT_KERNEL_CS, RPL 3
     * included: Xen's guest_gate_selector_okay). As in Xen, the
     * gate's DPL moves to the target selector's RPL and the gate itself
     * gets DPL 0, so every use faults to the hypervisor (where Xen
     * emulates it for a 32-bit guest alone, pvops/callgate.c; a 64-bit
     * one gets the #GP, as from Xen). TSS, LDT,
     * interrupt and trap gates are refused.
     */
    if ( SEG_TYPE(b) == 0xc )
    {
        uint16_t sel = a >> 16;

        if ( !(sel & 4) && (sel >> 3) >= FIRST_RESERVED_GDT_ENTRY &&
             sel != FLAT_KERNEL_CS )
            return false;
        a = (a & ~(3u << 16)) | (((b & SEG_DPL) >> 13) << 16);
        b &= ~SEG_DPL;
        goto good;
    }
    return false;

 good:
    *d = ((uint64_t)b << 32) | a;
    return true;
}


/*
 * A 32-bit guest's (Xen's check_descriptor for a pv32 domain): DPL at
 * least 1, the kernel's ring; no 64-bit code segment (L); a segment from 0
 * reaching into the hole (older PAE Linux ends its flat segments at
 * 0xF6800000) is extended to 4 GiB, as Xen does, for the larger M2P; no
 * other base or limit check (compatibility mode reaches nothing of the
 * hypervisor's below 4 GiB but the read-only M2P). Call gates to a guest
 * or LDT selector, or the flat ring-1 one, get DPL 0 (every use a #GP for
 * the hypervisor), their DPL kept in the selector's RPL; bits 5-7 reserved.
 */
bool check_descriptor32(uint64_t *d)
{
    uint32_t a = (uint32_t)*d, b = *d >> 32;

    if ( !(b & SEG_P) )
        return true;
    if ( !(b & SEG_DPL) )
        b |= 1u << 13;

    if ( b & SEG_S )
    {
        uint32_t base = (b & 0xff000000u) | ((b & 0xff) << 16) | (a >> 16);
        uint64_t limit = ((b & 0xf0000) | (a & 0xffff)) + 1ULL;

        if ( b & SEG_L )
            return false;
        if ( b & SEG_G )
            limit <<= 12;
        if ( base == 0 && limit > 0xF5800000ULL )
        {
            a |= 0x0000ffff;
            b |= 0x000f0000;
        }
        goto good;
    }
    if ( SEG_TYPE(b) == 0 )
        return true;
    if ( SEG_TYPE(b) == 0xc )
    {
        uint16_t sel = a >> 16;

        if ( !(sel & 4) && (sel >> 3) >= FIRST_RESERVED_GDT_ENTRY && sel != 0xe019 )
            return false;
        a = (a & ~(3u << 16)) | (((b & SEG_DPL) >> 13) << 16);
        b &= ~SEG_DPL;
        if ( b & 0xe0 )
            return false;
        goto good;
    }
    return false;

 good:
    *d = ((uint64_t)b << 32) | a;
    return true;
}
