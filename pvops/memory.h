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

/* Xen's domu_max_order (CONFIG_DOMU_MAX_ORDER): 2 MiB extents at most. */
#define MEMOP_MAX_ORDER 9

/*
 * A reservation's mem_flags, as Xen takes them from a domU: false where
 * Xen fails the call; *limit, the first frame too high for the address
 * width asked for (~0UL: none).
 */
bool memory_flags_ok(unsigned int mem_flags, unsigned long *limit);

/*
 * decrease_reservation, one extent of 2^order frames from mfn: each goes
 * (to L0, or once its last reference goes). False at the first frame that
 * is not the guest's RAM (those before it are gone).
 */
bool memory_decrease_extent(xen_pfn_t mfn, unsigned int order);

/*
 * populate_physmap (set_m2p: the M2P says gpfn, gpfn + 1, ...) or
 * increase_reservation (no M2P entry): one extent of 2^order frames below
 * limit, aligned, from those given back, *mfn its first. False when the
 * guest would own more than its boot memory, or none is to be had.
 */
bool memory_populate_extent(unsigned int order, unsigned long limit, xen_pfn_t gpfn,
                            bool set_m2p, xen_pfn_t *mfn);

/*
 * frames.release: a frame the guest gave back lost its last reference. It
 * goes to L0 at the next domain_unlock (memory_release_queued), once the
 * operation that dropped it is over.
 */
void memory_release(unsigned long mfn);

#endif /* PVOPS_MEMORY_H */
