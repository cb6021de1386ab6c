/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/lib/setup.c - start of day of a test kernel: console, trap
 * table, a line about the environment, the test, the verdict.
 */
#include "tests/guests/lib/setup.h"
#include "tests/guests/lib/console.h"
#include "tests/guests/lib/test.h"

/* The exception stubs of head.S, 16 bytes apart, vectors 0..21. */
#define TRAP_STUB_SIZE  16
#define TRAP_VECTORS    22

extern const char trap_stubs[];

const start_info_t *start_info;

static const char *const vector_name[TRAP_VECTORS] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO",
    "#TS", "#NP", "#SS", "#GP", "#PF", "15", "#MF", "#AC", "#MC", "#XM",
    "#VE", "#CP",
};

/* Vectors that push an error code (SDM vol. 3 table 6-1). */
static bool has_error_code(unsigned int vec)
{
    return vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21;
}

#ifdef __i386__
/* The vector, then Xen's 32-bit frame: [error code] eip, cs, eflags. */
void trap_fault(const unsigned long *frame)
{
    unsigned int vec = frame[0];
    bool ec = vec < TRAP_VECTORS && has_error_code(vec);
    const unsigned long *iret = frame + 1 + ec;

    xtf_error("Unexpected exception %s (vector %u) error %#lx at "
              "%04lx:%08lx eflags %#lx\n",
              vec < TRAP_VECTORS ? vector_name[vec] : "?", vec,
              ec ? frame[1] : 0, iret[1] & 0xffff, iret[0], iret[2]);
    xtf_exit();
}
#else
void trap_fault(const unsigned long *frame)
{
    unsigned int vec = frame[0];
    bool ec = vec < TRAP_VECTORS && has_error_code(vec);
    const unsigned long *iret = frame + 3 + ec;

    xtf_error("Unexpected exception %s (vector %u) error %#lx at "
              "%04lx:%016lx rflags %#lx rsp %#lx rcx %#lx r11 %#lx\n",
              vec < TRAP_VECTORS ? vector_name[vec] : "?", vec,
              ec ? frame[3] : 0, iret[1] & 0xffff, iret[0], iret[2],
              iret[3], frame[1], frame[2]);
    xtf_exit();
}
#endif

/*
 * Every exception goes to a stub that reports it. DPL 3 on #BP and #OF so
 * that int3/into reach it too (flags bits 0-1, arch-x86/xen.h).
 */
static void traps_init(void)
{
    static trap_info_t traps[TRAP_VECTORS + 1];
    unsigned int vec;
    long rc;

    for ( vec = 0; vec < TRAP_VECTORS; vec++ )
    {
        traps[vec].vector = vec;
        traps[vec].flags = (vec == 3 || vec == 4) ? 3 : 0;
        traps[vec].cs = FLAT_KERNEL_CS;
        traps[vec].address = (unsigned long)trap_stubs + vec * TRAP_STUB_SIZE;
    }
    /* traps[TRAP_VECTORS].address == 0 ends the table. */

    rc = hypercall_set_trap_table(traps);
    if ( rc )
        xtf_error("set_trap_table: %ld\n", rc);
}

long guest_events_init(void *page, const void *handler)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)start_info->mfn_list;
    unsigned long pfn = ((unsigned long)page - GUEST_VIRT_BASE) >> GUEST_PAGE_SHIFT;
    struct vcpu_register_vcpu_info info = { .mfn = p2m[pfn] };
    struct callback_register cb = {
        .type = CALLBACKTYPE_event,
        .flags = CALLBACKF_mask_events,
#ifdef __i386__
        .address = { FLAT_KERNEL_CS, (unsigned long)handler },   /* cs:eip */
#else
        .address = (unsigned long)handler,
#endif
    };
    long rc = hypercall_vcpu_op(VCPUOP_register_vcpu_info, 0, &info);

    return rc ?: hypercall_callback_op(CALLBACKOP_register, &cb);
}

void guest_start(const start_info_t *si)
{
    const char *why;

    /* Traps first: a bad start_info could fault in console_init. */
    start_info = si;
    traps_init();
    why = console_init(si);

    printk("--- Xen PV test kernel: %s ---\n", test_title);
    if ( why )
        xtf_error("No console ring: %s\n", why);
    printk("start_info %p: magic \"%.32s\" nr_pages %#lx flags %#x\n",
           (const void *)si, si->magic, si->nr_pages, si->flags);
    printk("console mfn %#lx evtchn %u at %#lx, pt_base %#lx (%lu frames), "
           "mfn_list %#lx\n",
           (unsigned long)si->console.domU.mfn, si->console.domU.evtchn,
           console_ring_va(), si->pt_base, si->nr_pt_frames, si->mfn_list);

    test_main();
    xtf_exit();
}

uint64_t guest_now_ns(const volatile vcpu_info_t *vcpu)
{
    const volatile struct vcpu_time_info *t = &vcpu->time;
    uint32_t ver, lo, hi;
    uint64_t ns, delta;

    do {
        ver = t->version;
        barrier();
        __asm__ volatile ( "rdtsc" : "=a" (lo), "=d" (hi) );
        delta = (((uint64_t)hi << 32) | lo) - t->tsc_timestamp;
        if ( t->tsc_shift >= 0 )
            delta <<= t->tsc_shift;
        else
            delta >>= -t->tsc_shift;
        /* (delta * mul) >> 32 in 64 bits, as a 32-bit kernel must do it. */
        ns = t->system_time + (delta >> 32) * t->tsc_to_system_mul +
             (((delta & 0xffffffff) * t->tsc_to_system_mul) >> 32);
        barrier();
    } while ( (ver & 1) || ver != t->version );
    return ns;
}
