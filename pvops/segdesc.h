/* SPDX-License-Identifier: GPL-2.0-only */
/* pvops/segdesc.h - checking a guest's segment descriptors. */
#ifndef PVOPS_SEGDESC_H
#define PVOPS_SEGDESC_H

#include "lib/xen.h"

/*
 * Is *desc acceptable in a 64-bit PV guest's GDT or LDT? Adjusts it as Xen
 * does: DPL raised to 3; a call gate's DPL moved to its target RPL. A
 * refused descriptor is left unchanged.
 */
bool check_descriptor(uint64_t *desc);

/* The same for a 32-bit guest's (ring 1, compatibility mode). */
bool check_descriptor32(uint64_t *desc);

#endif /* PVOPS_SEGDESC_H */
