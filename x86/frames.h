/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/frames.h - who owns each machine frame of the container, and the one
 * allocator of the shim's own frames.
 *
 * Every frame has an owner, one byte (Xen keeps the same knowledge in
 * page_info's owner and PGC_ bits). The owner says what the frame is for
 * and so what the guest may do with it; page types and counts
 * (pvops/pagetype.h) apply only to frames the guest may map:
 *
 *   FRAME_none    not RAM (a hole, L0's), or nothing known about it
 *   FRAME_free    RAM nobody uses: the allocator's, or not yet given out
 *   FRAME_shim    the shim's own (tables, bookkeeping, vCPUs, the image):
 *                 never mappable by the guest, never granted
 *   FRAME_guest   the guest's RAM: page types apply
 *   FRAME_ring    L0's xenstore and console rings: the guest's to map and
 *                 grant, writable only (L0's backends write them)
 *   FRAME_shared  shared_info: a shim page the guest maps, writable only
 *   FRAME_grant   one of L0's grant-table frames: the guest maps it, every
 *                 store is checked (pvops/grant.c), it takes no type
 *   FRAME_ro      one of L0's grant status frames: read-only to the guest
 *   FRAME_dying   the guest's RAM it gave back (decrease_reservation) while
 *                 something still held it: still the guest's until the last
 *                 reference goes, then given back to L0 (pvops/memory.c)
 *   FRAME_released   a FRAME_dying frame whose last reference went: nobody
 *                 may take one now, it goes to L0 when the domain lock is
 *                 next let go (after the operation that dropped it: a CR3
 *                 or GDT may still be on it until then)
 *   FRAME_ballooned  the guest's RAM given back to L0: not populated in the
 *                 container, the guest's to ask for again (populate_physmap)
 *
 * The allocator hands out FRAME_free frames only, and they become
 * FRAME_shim; frames_free() turns them back. At start of day it takes
 * frames from the top of the boot code's free RAM (frames_boot_source),
 * afterwards from a reserve and from frames given back (frames_add): a
 * frame the guest owns is never returned.
 *
 * The owners are kept per 4096 frames in a page of bytes, allocated when a
 * frame there first gets an owner; frames beyond the limit given to
 * frames_init() have none.
 */
#ifndef X86_FRAMES_H
#define X86_FRAMES_H

#include "lib/compiler.h"
#include "lib/rangeset.h"

enum frame_owner {
    FRAME_none = 0,
    FRAME_free,
    FRAME_shim,
    FRAME_guest,
    FRAME_ring,
    FRAME_shared,
    FRAME_grant,
    FRAME_ro,
    FRAME_dying,
    FRAME_released,
    FRAME_ballooned,
};

#define FRAMES_PER_LEAF_SHIFT  12
#define FRAMES_PER_LEAF        (1UL << FRAMES_PER_LEAF_SHIFT)

/* One page of owners per FRAMES_PER_LEAF frames: NULL, all FRAME_none. */
extern uint8_t **frames_owner_dir;
extern unsigned long frames_owner_nr_dir;

static inline unsigned int frame_owner(unsigned long mfn)
{
    unsigned long d = mfn >> FRAMES_PER_LEAF_SHIFT;

    if ( d >= frames_owner_nr_dir || !frames_owner_dir[d] )
        return FRAME_none;
    return frames_owner_dir[d][mfn & (FRAMES_PER_LEAF - 1)];
}

/* May the guest name the frame in a grant entry? Its RAM and L0's rings. */
static inline bool frame_grantable(unsigned long mfn)
{
    unsigned int o = frame_owner(mfn);

    return o == FRAME_guest || o == FRAME_ring;
}

/*
 * Frames [0, limit) can have owners. map gives a frame's contents (the
 * direct map; fake memory in the host tests). The page of leaf pointers
 * and the owners of boot's frames (which become FRAME_free) come from the
 * top of boot, which stays the allocator's source until
 * frames_boot_source(NULL). All state is reset: false when boot is short.
 */
bool frames_init(unsigned long limit, void *(*map)(unsigned long mfn),
                 struct rangeset *boot);

/* Start of day: take from boot's top (after the free list), or stop (NULL). */
void frames_boot_source(struct rangeset *boot);

/*
 * Set the owner of [first, first + n), allocating pages of owners as
 * needed (so setting FRAME_none prepares frames to get owners later
 * without memory). Not for the allocator's own transitions (FRAME_free <->
 * FRAME_shim: frames_alloc, frames_free, frames_add). False, no owner
 * changed, beyond the limit or without memory.
 */
bool frame_set_owner(unsigned long first, unsigned long n, unsigned int owner);

/*
 * Frames nobody uses join the allocator: frames the guest gave back (its
 * references all gone), or RAM that had no owner (the first MiB). Each
 * must be FRAME_guest or FRAME_none: a FRAME_free frame is the
 * allocator's or boot's already, and anything else is in use. False,
 * nothing changed, if one is not.
 */
bool frames_add(unsigned long first, unsigned long n);

/* Start of day: n frames off boot's top become a reserve for later runs. */
bool frames_reserve(unsigned long n);

/*
 * A zeroed frame (its mfn), now FRAME_shim; 0 when there is none. Single
 * frames come from those given back first, then from boot's source (at
 * start of day) or the reserve.
 */
unsigned long frames_alloc(void);
/* n physically contiguous zeroed frames (the first's mfn), or 0. */
unsigned long frames_alloc_run(unsigned long n);
/* A frame from frames_alloc back to the free frames (must be FRAME_shim). */
void frames_free(unsigned long mfn);

/* For the boot banner: frames in the shim's use, and free ones it holds. */
unsigned long frames_nr_shim(void);
unsigned long frames_nr_free(void);

#endif /* X86_FRAMES_H */
