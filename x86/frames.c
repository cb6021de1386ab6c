/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/frames.c - frame owners and the allocator of the shim's own frames.
 *
 * Free frames are kept two ways: single frames on a list linked through
 * their first word (frames given back, and the first MiB), and runs in a
 * rangeset (the reserve), which alone can give contiguous frames. At start
 * of day the boot code's free RAM is a third source, taken from the top.
 * Pure code: memory is reached through map, so it is host-tested.
 */
#include "x86/frames.h"
#include "x86/layout.h"
#include "lib/printk.h"
#include "lib/string.h"

uint8_t **frames_owner_dir;
unsigned long frames_owner_nr_dir;

static void *(*map)(unsigned long mfn);
static struct rangeset *boot;           /* start of day: boot's free RAM */
static struct range pool_r[16];
static struct rangeset pool;            /* runs of free frames: the reserve */
static unsigned long free_head;         /* single free frames, 0 ends */
static unsigned long nr_list, nr_shim;

/* A page of owners holds one byte per frame of its leaf. */
BUILD_BUG_ON(FRAMES_PER_LEAF != PAGE_SIZE);

static uint8_t *owner_slot(unsigned long mfn)
{
    return &frames_owner_dir[mfn >> FRAMES_PER_LEAF_SHIFT]
                            [mfn & (FRAMES_PER_LEAF - 1)];
}

/* A free frame as it is: off the list, the reserve or boot's top; 0 if none. */
static unsigned long take_raw(void)
{
    uint64_t mfn;

    if ( free_head )
    {
        mfn = free_head;
        free_head = *(unsigned long *)map(mfn);
        nr_list--;
        return mfn;
    }
    if ( boot ? rangeset_take_top(boot, 1, 1, ~0UL, &mfn)
              : rangeset_take_top(&pool, 1, 1, ~0UL, &mfn) )
        return mfn;
    return 0;
}

/*
 * The page of owners for mfn's leaf, allocated (all FRAME_none) if missing.
 * Its own frame becomes FRAME_shim once it is in place: that frame's leaf
 * exists already (free frames have owners), or is made the same way.
 */
static bool leaf_ready(unsigned long mfn)
{
    unsigned long d = mfn >> FRAMES_PER_LEAF_SHIFT, leaf;

    if ( d >= frames_owner_nr_dir )
        return false;
    if ( frames_owner_dir[d] )
        return true;
    if ( !(leaf = take_raw()) )
        return false;
    frames_owner_dir[d] = memset(map(leaf), FRAME_none, PAGE_SIZE);
    nr_shim++;
    if ( !leaf_ready(leaf) )
        return true;                /* a leaf beyond the limit: no owner */
    *owner_slot(leaf) = FRAME_shim;
    return true;
}

bool frame_set_owner(unsigned long first, unsigned long n, unsigned int owner)
{
    unsigned long end = first + n;

    if ( end < first || end > frames_owner_nr_dir * FRAMES_PER_LEAF )
        return false;
    /* Pages of owners first: taking them may change other frames' owners. */
    for ( unsigned long m = first & ~(FRAMES_PER_LEAF - 1); m < end;
          m += FRAMES_PER_LEAF )
        if ( !leaf_ready(m) )
            return false;
    for ( unsigned long m = first; m < end; m++ )
        *owner_slot(m) = owner;
    return true;
}

bool frames_init(unsigned long limit, void *(*map_fn)(unsigned long mfn),
                 struct rangeset *boot_free)
{
    unsigned long nr_dir = (limit + FRAMES_PER_LEAF - 1) >> FRAMES_PER_LEAF_SHIFT;
    unsigned long pages = (nr_dir * sizeof(uint8_t *) + PAGE_SIZE - 1) /
                          PAGE_SIZE;
    uint64_t dir;

    map = map_fn;
    boot = boot_free;
    rangeset_init(&pool, pool_r, ARRAY_SIZE(pool_r));
    free_head = nr_list = nr_shim = 0;
    frames_owner_dir = NULL;
    frames_owner_nr_dir = 0;
    if ( !boot || !rangeset_take_top(boot, pages, 1, ~0UL, &dir) )
        return false;
    frames_owner_dir = memset(map(dir), 0, pages * PAGE_SIZE);
    frames_owner_nr_dir = nr_dir;
    nr_shim = pages;
    /*
     * Pages of owners for boot's frames, taken from its top (so the ranges
     * shrink as this goes), then the frames left there are free.
     */
    for ( unsigned int i = 0; i < boot->nr; i++ )
        for ( unsigned long m = boot->r[i].start & ~(FRAMES_PER_LEAF - 1);
              i < boot->nr && m < boot->r[i].end; m += FRAMES_PER_LEAF )
            if ( !leaf_ready(m) )
                return false;
    for ( unsigned int i = 0; i < boot->nr; i++ )
        if ( !frame_set_owner(boot->r[i].start, boot->r[i].end - boot->r[i].start,
                              FRAME_free) )
            return false;
    return frame_set_owner(dir, pages, FRAME_shim);
}

void frames_boot_source(struct rangeset *boot_free)
{
    boot = boot_free;
}

bool frames_add(unsigned long first, unsigned long n)
{
    for ( unsigned long m = first; m < first + n; m++ )
    {
        unsigned int o = frame_owner(m);

        if ( o != FRAME_guest && o != FRAME_none )
            return false;
    }
    if ( !frame_set_owner(first, n, FRAME_free) )
        return false;
    /* Runs go to the reserve while it has room, single frames to the list. */
    if ( n > 1 && rangeset_add(&pool, first, first + n) )
        return true;
    for ( unsigned long m = first; m < first + n; m++ )
    {
        *(unsigned long *)map(m) = free_head;
        free_head = m;
        nr_list++;
    }
    return true;
}

bool frames_reserve(unsigned long n)
{
    uint64_t mfn;

    if ( !boot || !rangeset_take_top(boot, n, 1, ~0UL, &mfn) )
        return false;
    if ( rangeset_add(&pool, mfn, mfn + n) )
        return true;
    rangeset_add(boot, mfn, mfn + n);   /* gives back what it took */
    return false;
}

/* mfn, just taken from a free source, becomes the shim's, zeroed. */
static unsigned long give(unsigned long mfn, unsigned long n)
{
    for ( unsigned long m = mfn; m < mfn + n; m++ )
    {
        /* Never a frame anyone else owns: the free sources hold none. */
        BUG_ON(frame_owner(m) != FRAME_free);
        *owner_slot(m) = FRAME_shim;
        memset(map(m), 0, PAGE_SIZE);
    }
    nr_shim += n;
    return mfn;
}

unsigned long frames_alloc(void)
{
    unsigned long mfn = take_raw();

    return mfn ? give(mfn, 1) : 0;
}

unsigned long frames_alloc_run(unsigned long n)
{
    uint64_t mfn;

    if ( n == 1 )
        return frames_alloc();
    if ( !n || !(boot ? rangeset_take_top(boot, n, 1, ~0UL, &mfn)
                      : rangeset_take_top(&pool, n, 1, ~0UL, &mfn)) )
        return 0;
    return give(mfn, n);
}

void frames_free(unsigned long mfn)
{
    BUG_ON(frame_owner(mfn) != FRAME_shim || !mfn);
    nr_shim--;
    *owner_slot(mfn) = FRAME_free;
    *(unsigned long *)map(mfn) = free_head;
    free_head = mfn;
    nr_list++;
}

unsigned long frames_nr_shim(void)
{
    return nr_shim;
}

unsigned long frames_nr_free(void)
{
    return nr_list + rangeset_size(&pool);
}
