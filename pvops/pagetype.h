/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/pagetype.h - type and reference counts of guest frames, and the
 * checks on every page-table entry a PV guest installs (Xen's
 * xen/arch/x86/mm.c rules, ../shared/reference/pv64-abi.md section 7).
 *
 * Each guest frame has one type at a time (none, L1-L4 page table,
 * descriptor page, writable) with a type count; the type can change only
 * when the count is 0. Taking a page-table type validates every entry, each
 * taking a reference on what it maps; dropping the last type reference
 * drops them again. So a frame that is a live page table is never mapped
 * writable, and a frame mapped writable never becomes a page table.
 *
 * Pure code: page-table contents are reached through a callback, so the
 * rules are host-tested on fake memory.
 */
#ifndef PVOPS_PAGETYPE_H
#define PVOPS_PAGETYPE_H

#include "lib/xen.h"
#include "x86/frames.h"

enum page_type {
    PGT_none = 0,
    PGT_l1 = 1, PGT_l2 = 2, PGT_l3 = 3, PGT_l4 = 4,
    PGT_seg_desc = 5,
    /*
     * A 32-bit PAE guest's L2 under slot 3 of an L3 (Xen's
     * PGT_l2_page_table | PGT_pae_xen_l2): slots 428-511 are the shim's
     * (the compat M2P), and it is under one L3 only.
     */
    PGT_l2_xen = 6,
    PGT_writable = 7,
};

#define PGT_TYPE_SHIFT    29
#define PGT_TYPE_MASK     (7u << PGT_TYPE_SHIFT)
#define PGT_validated     (1u << 28)
#define PGT_pinned        (1u << 27)
#define PGT_COUNT_MASK    ((1u << 26) - 1)
/*
 * Type count 0, and the count bits hold the low bits of the TLB-flush
 * clock when it fell to 0 (ft->clock): how old a TLB entry from the
 * frame's last use can be (Xen's tlbflush_timestamp, in bits that are
 * free while nothing uses the frame).
 */
#define PGT_stamped       (1u << 26)

/*
 * Type state of a frame the guest may map (owned FRAME_guest to FRAME_ro,
 * x86/frames.h): what it is for is its owner. Frames that are not ordinary guest memory:
 * the rings and shared_info (FRAME_ring, FRAME_shared) are written behind
 * the guest's back, so they take the writable type only. Grant status
 * frames (FRAME_ro, as Xen shares them SHARE_ro) take no type: the guest
 * may only read them. Grant-table frames (FRAME_grant) are L0's table of
 * the container: the guest maps them, but every store into them is checked
 * (pvops/grant.c), so their mappings are made read-only and marked
 * PTE_WR_EMUL when the guest asked for writable; they take no type at all.
 */
struct page_info {
    uint32_t count;             /* general references (mappings, CR3s, ...) */
    uint32_t type_info;         /* type | flags | type count */
};

/* Bits of a PV guest's page-table entries (the x86 PTE layout). */
#define PTE_PRESENT       0x001UL
#define PTE_RW            0x002UL
#define PTE_USER          0x004UL
#define PTE_PWT           0x008UL
#define PTE_PCD           0x010UL
#define PTE_ACCESSED      0x020UL
#define PTE_DIRTY         0x040UL
#define PTE_PSE           0x080UL       /* PAT in an L1 entry */
#define PTE_GLOBAL        0x100UL
#define PTE_GUEST_KERNEL  (1UL << 52)   /* Xen's _PAGE_GUEST_KERNEL */
#define PTE_NX            (1UL << 63)
/*
 * In an L1 entry of a grant-table frame: the guest asked for a writable
 * mapping, the shim made it read-only and emulates the stores. A bit the
 * guest may set itself (Xen lets it have 52-62): then its stores through a
 * read-only mapping of a grant frame are emulated too, a known difference.
 */
#define PTE_WR_EMUL       (1UL << 62)
#define PTE_MFN_MASK      0x000ffffffffff000UL

struct frame_table {
    /* The guest's RAM (FRAME_guest) is in [first_mfn, first_mfn + nr). */
    struct page_info *pages;    /* indexed by mfn - first_mfn */
    /*
     * Linear page tables (XSA-240 rules), for the same frames: > 0, how
     * many same-level entries this table has; < 0, how many such entries
     * point at it. Never both, so linearity is one level deep.
     */
    int16_t *linear;
    unsigned long first_mfn, nr;
    /*
     * Frames the guest may map that are not its RAM (FRAME_ring,
     * FRAME_shared): L0's xenstore and console rings, and the shared_info
     * page (a shim page shared with the guest, as Xen's
     * share_xen_page_with_guest).
     */
#define FT_EXTRA 3
    unsigned long extra_mfn[FT_EXTRA];
    struct page_info extra[FT_EXTRA];
    /*
     * A window of frames L0 maps into holes of the container on demand
     * (grant-table and status frames, FRAME_grant and FRAME_ro once L0 has
     * mapped them, FRAME_none before).
     */
    struct page_info *win;
    unsigned long win_first, win_nr;
    /* page-table frame contents: 512 entries */
    uint64_t *(*map)(unsigned long mfn);
    /* the hypervisor's L4 slots 256-271, put into every guest L4 */
    const uint64_t *xen_l4;
    /*
     * Called with the frame when one that had a type takes another (Xen's
     * _get_page_type flushes then), before the new use is validated: a
     * TLB entry from the old use, say writable, or the paging-structure
     * caches' view of an old table, on any CPU that may still hold one
     * (PGT_stamped says since when), must go before the guest or the shim
     * uses the frame again. Called with NULL when a present L1 entry
     * changed: this CPU's stale entry must go before the shim touches
     * memory through a guest address.
     */
    void (*owe_flush)(const struct page_info *pg);
    /* ticks at every type count that falls to 0 (the TLB-flush clock), or NULL */
    uint64_t *clock;
    /*
     * Called when the last reference to a FRAME_dying frame goes (RAM the
     * guest gave back while it was in use): the frame is to leave the
     * guest (pvops/memory.c); NULL in tests that have none.
     */
    void (*release)(unsigned long mfn);
    /* checks every descriptor of a frame taking PGT_seg_desc (pvops/descriptors.c) */
    bool (*check_desc_page)(unsigned long mfn);
    bool nx;                    /* the CPU has NX: bit 63 allowed */
    /*
     * L4 slot 256 (the read-only M2P) at promotion: filled only with
     * VMASST m2p_strict; otherwise it appears when the L4 becomes a kernel
     * base (Xen's fill_ro_mpt/zap_ro_mpt), so user page tables lack it.
     */
    bool ro_mpt_at_promotion;
    /*
     * A 32-bit PAE guest (Xen's pv32 rules): its L3s use slots 0-3 only,
     * slot 3 an L2 of PGT_l2_xen, which gets compat_l2_xen in slots
     * COMPAT_L2_FIRST_XEN.. (read-only 2 MiB views of the 4-byte M2P at
     * 0xF5800000); entries are not made user ones: its kernel is in ring 1.
     */
    bool pv32;
    const uint64_t *compat_l2_xen;
};

/* The first L2 slot of the hypervisor's in a pv32 guest (0xF5800000 >> 21). */
#define COMPAT_L2_FIRST_XEN 428

/* The type state of a frame the guest may map (its owner says so), or NULL. */
struct page_info *frame_info(struct frame_table *ft, unsigned long mfn);

static inline unsigned int page_type(const struct page_info *pg)
{
    return (pg->type_info & PGT_TYPE_MASK) >> PGT_TYPE_SHIFT;
}

/* The paging level of a table type (an L2 of PGT_l2_xen is one), else 0. */
static inline unsigned int pt_level(unsigned int type)
{
    return type == PGT_l2_xen ? 2 : type <= PGT_l4 ? type : 0;
}

static inline unsigned int page_type_count(const struct page_info *pg)
{
    return pg->type_info & PGT_stamped ? 0 : pg->type_info & PGT_COUNT_MASK;
}

/*
 * For owe_flush: the tick of the clock (now) since which a CPU may hold a
 * stale entry of the frame, the one its stamp records (the latest tick
 * with the stamp's 26 low bits: never before the real one, so never too
 * few CPUs flushed); now if it has none.
 */
static inline uint64_t page_stale_since(const struct page_info *pg, uint64_t now)
{
    if ( !(pg->type_info & PGT_stamped) )
        return now;
    return now - ((now - (pg->type_info & PGT_COUNT_MASK)) & PGT_COUNT_MASK);
}

/* All return 0 or a negative Xen errno, and change nothing on failure. */
int get_page(struct frame_table *ft, unsigned long mfn);
void put_page(struct frame_table *ft, unsigned long mfn);
int get_page_type(struct frame_table *ft, unsigned long mfn, unsigned int type);
void put_page_type(struct frame_table *ft, unsigned long mfn);
int get_page_and_type(struct frame_table *ft, unsigned long mfn, unsigned int type);
void put_page_and_type(struct frame_table *ft, unsigned long mfn);

/*
 * Replace entry idx of the level-'level' table in frame mfn by val: the new
 * entry is checked and referenced, the old one released. preserve_ad keeps
 * the old A/D bits (MMU_PT_UPDATE_PRESERVE_AD). The frame must hold a
 * validated table of that level.
 */
int mod_pt_entry(struct frame_table *ft, unsigned long mfn, unsigned int level,
                 unsigned int idx, uint64_t val, bool preserve_ad);

/*
 * Entries the shim makes itself (grant mappings, whose frames are another
 * domain's and have no page_info here): write entry idx of the validated L1
 * table mfn as it is, the old value to *old, its references dropped if
 * drop_old (else they move with it, as unmap_and_replace moves an entry).
 */
int l1_set_raw(struct frame_table *ft, unsigned long mfn, unsigned int idx,
               uint64_t val, uint64_t *old, bool drop_old);

int pin_table(struct frame_table *ft, unsigned long mfn, unsigned int type);
int unpin_table(struct frame_table *ft, unsigned long mfn);

#endif /* PVOPS_PAGETYPE_H */
