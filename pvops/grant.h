/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/grant.h - the guest's grant table, which is L0's grant table of the
 * container (zero copy: what the guest grants, L0's backends map).
 *
 * L0 maps its grant-table frames (and, for version 2, status frames) into a
 * window of unused frame numbers of the container; the guest gets those
 * numbers as machine frames and maps them. Every store it makes into the
 * shared entries is checked here first (the mappings are read-only, the
 * stores emulated), so an entry can only grant a frame the guest owns, only
 * grant a frame writable while it may be written, and the frame keeps a
 * reference (and the writable type) for as long as L0 may let a backend
 * use it.
 */
#ifndef PVOPS_GRANT_H
#define PVOPS_GRANT_H

#include "lib/xen.h"
#include "x86/regs.h"

/*
 * Ask L0 about the container's grant table: how many frames the window
 * needs (0 if L0 offers no grant table).
 */
unsigned long grant_probe(void);

/* The window at frames [first, first + grant_probe()), a hole of the container. */
bool grant_init(unsigned long first);
/* After a restore: L0's new frames where the guest's were, no entry held. */
void grant_after_restore(void);
/* Whether the guest maps a status frame (no suspend then). */
bool grant_status_mapped(void);

/* GNTTABOP_*: the structure already copied in; the frame lists are guest VAs. */
long grant_setup_table(struct gnttab_setup_table *op, unsigned long list);
long grant_query_size(struct gnttab_query_size *op);
long grant_set_version(struct gnttab_set_version *op);
long grant_get_version(struct gnttab_get_version *op);
long grant_get_status_frames(struct gnttab_get_status_frames *op,
                             unsigned long list);
long grant_swap(struct gnttab_swap_grant_ref *op);

/* A PV backend's mappings of other domains' grants (slots above 4 GiB). */
void grant_map_window(unsigned long first);
long grant_map(struct gnttab_map_grant_ref *op);
long grant_unmap(struct gnttab_unmap_grant_ref *op);
long grant_unmap_and_replace(struct gnttab_unmap_and_replace *op);
long grant_copy(struct gnttab_copy *op);
long grant_cache_flush(const struct gnttab_cache_flush *op, unsigned int *cur_ref);

/* A faulting store into a grant-table frame (mapped PTE_WR_EMUL): do it if allowed. */
bool grant_store_fault(struct cpu_regs *regs, unsigned long addr,
                       unsigned long mfn);

/* mmu_update's plain 8-byte store into a grant-table frame, checked the same way. */
int grant_update_entry(unsigned long mfn, unsigned int idx, uint64_t val);

#endif /* PVOPS_GRANT_H */
