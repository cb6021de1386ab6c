/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/mm.h - the guest's memory management: its frame table, page-table
 * updates (mmu_update, update_va_mapping), mmuext_op and its base pointers.
 * The rules are pvops/pagetype.c's; this file applies them to the domain.
 */
#ifndef PVOPS_MM_H
#define PVOPS_MM_H

#include "pvops/domain.h"
#include "pvops/pagetype.h"

extern struct frame_table frames;

/*
 * Set up the frame table for mfns [first, first + nr) and the ring frames,
 * in storage of MM_FRAME_BYTES per frame.
 */
#define MM_FRAME_BYTES  (sizeof(struct page_info) + sizeof(int16_t))
/* compat_l2_xen: a 32-bit guest's (pvops/pagetype.h), NULL for a 64-bit one. */
bool mm_init(unsigned long first_mfn, unsigned long nr, void *storage,
             const uint64_t *compat_l2_xen);

/* Type, pin and load the builder's L4 as the guest's first CR3. */
int mm_adopt_boot_table(struct vcpu *v, unsigned long l4_mfn);

/*
 * The domain a call names for the frames (Xen 4.17's get_pg_owner): ours as
 * DOMID_SELF only (our own id as a number is refused: "Cannot specify itself
 * as foreign domain"), DOMID_IO and DOMID_XEN, or one L0 has (-ESRCH).
 */
enum pg_owner { OWNER_SELF, OWNER_IO, OWNER_XEN, OWNER_OTHER };
int mm_pg_owner(domid_t d, enum pg_owner *o);
/* mmu_update's page-table owner (foreigndom >> 16; 0 or ours: not foreign), or -ESRCH. */
int mm_pt_owner(unsigned int pt, bool *foreign);

/* One mmu_update request, by the owners above (Xen's xsm_mmu_update first). */
int mm_mmu_update(const struct mmu_update *req, bool foreign_pt,
                  enum pg_owner owner);
int mm_update_pte(unsigned long ptr, uint64_t val, bool preserve_ad);
int mm_machphys_update(unsigned long mfn, unsigned long pfn);
/* The L1 entry that maps va in the current guest tables: frame, slot, value. */
int mm_lookup_l1e(unsigned long va, unsigned long *l1mfn, unsigned int *idx,
                  uint64_t *pte);
/*
 * Could the guest's user mode read (write: and write) va, by the U and RW
 * bits of every level of the current tables? 0 yes, 1 mapped but not so,
 * -1 not mapped: for what the shim does with the guest's user rights.
 */
int mm_user_access(unsigned long va, bool write);
int mm_update_va_mapping(struct vcpu *v, unsigned long va, uint64_t val,
                         unsigned long flags);
int mm_new_baseptr(struct vcpu *v, unsigned long mfn, bool user);
/* A vCPU that is not running lets go of its page tables (a failed initialise). */
void mm_clear_baseptrs(struct vcpu *v);

/*
 * One mmuext_op for v. A *_MULTI op's vCPU mask is the caller's to check
 * (it reads guest memory): here it is the local op, one vCPU on one CPU.
 */
int mm_mmuext_op(struct vcpu *v, const struct mmuext_op *op);

/* VMASST m2p_strict may have changed: how L4s get the read-only M2P. */
void mm_vm_assist_changed(void);

/* Flush this CPU's TLB if a type change asked for it. */
void mm_flush_if_needed(void);
void mm_flush_tlb(void);

#endif /* PVOPS_MM_H */
