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
bool pv_ldt_fault(struct vcpu *v, unsigned long addr);

#endif /* PVOPS_DESCRIPTORS_H */
