/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/memory.h - the guest's memory as memory_op reports it: its
 * reservation, its pseudo-physical map, and what L0 answers for any other
 * domain or for the host.
 */
#ifndef PVOPS_MEMORY_H
#define PVOPS_MEMORY_H

#include "lib/xen.h"

/* One entry of a memory map, BIOS e820 format (20 bytes, packed). */
struct e820_entry {
    uint64_t addr, size;
    uint32_t type;
} __packed;

/*
 * current/maximum_reservation, maximum_gpfn of domid: ours for DOMID_SELF
 * and our own id; any other domid is L0's business, and L0's errno.
 */
long memory_reservation(unsigned int cmd, domid_t domid);

/* The host's highest frame, as the guest would see it directly. */
long memory_maximum_ram_page(void);

/* XENMEM_memory_map: the guest's one entry (a PV domU's map as libxl sets it). */
void memory_map(struct e820_entry *e);

/* XENMEM_set_memory_map for domid: refused (-EPERM), or -ESRCH for none. */
long memory_set_memory_map(domid_t domid);

#endif /* PVOPS_MEMORY_H */
