/* SPDX-License-Identifier: GPL-2.0-only */
/* pvops/descriptors.h - the PV guest's GDT, LDT and descriptor checks. */
#ifndef PVOPS_DESCRIPTORS_H
#define PVOPS_DESCRIPTORS_H

#include "pvops/domain.h"
#include "pvops/segdesc.h"


/* Install the descriptor-page check into the frame table. */
void descriptors_init(void);

long pv_set_gdt(struct vcpu *v, const unsigned long *mfns, unsigned int entries);
long pv_update_descriptor(unsigned long maddr, uint64_t desc);
long pv_set_ldt(struct vcpu *v, unsigned long base, unsigned int ents);
void pv_drop_ldt(struct vcpu *v);
bool pv_ldt_fault(struct vcpu *v, unsigned long addr);

/* A descriptor's attribute bits (its high word, as Xen's _SEGMENT_*). */
#define SEG_WR      (1u << 9)       /* readable code, writable data */
#define SEG_EC      (1u << 10)      /* conforming code, expand-down data */
#define SEG_CODE    (1u << 11)
#define SEG_S       (1u << 12)
#define SEG_DPL     (3u << 13)
#define SEG_P       (1u << 15)
#define SEG_L       (1u << 21)
#define SEG_DB      (1u << 22)
#define SEG_G       (1u << 23)
#define DPL(ar)     (((ar) >> 13) & 3)

/*
 * The descriptor a selector names, read through the vCPU's GDT and LDT
 * windows, where the CPU reads it (Xen's own entries included): a null
 * selector and one past the LDT read as zero, as in Xen's
 * pv_emul_read_descriptor; one in the guest's GDT past its entries cannot
 * be read. With map_ldt (the domain lock held), an LDT page the window does
 * not map yet is mapped first, as the CPU's own access would have it.
 */
bool pv_read_descriptor(struct vcpu *v, unsigned int sel, uint64_t *desc, bool map_ldt);

/* A segment's base, limit in bytes and attributes (L masked, as Xen's). */
struct seg_info {
    uint32_t base, limit, ar;
};
bool pv_read_segment(struct vcpu *v, unsigned int sel, struct seg_info *s, bool map_ldt);

#endif /* PVOPS_DESCRIPTORS_H */
