/* SPDX-License-Identifier: GPL-2.0-only */
/* pvops/traps.h - exceptions raised by the PV guest. */
#ifndef PVOPS_TRAPS_H
#define PVOPS_TRAPS_H

/* Route guest exceptions (ring 3) from x86/traps.c to the PV layer. */
void pv_traps_init(void);

#endif /* PVOPS_TRAPS_H */
