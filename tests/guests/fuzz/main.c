/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/fuzz/main.c - a differential test: the same pseudo-random
 * hypercalls, with arguments drawn from values that make hypervisors
 * stumble (bad pointers, boundary numbers, two buffers), directly on
 * L0 and under our shim. The kernel cannot know the right answers; it
 * prints what each call returned and what it wrote into the scratch buffer
 * (a checksum), and tests/lab/check.sh compares the two runs line by line.
 *
 * Every line is "case fuzz <n> <call>: got <rc> scratch <sum> pattern
 * <sum> expected any":
 * no line is a failure here; a line that differs between L0 and our shim
 * is, unless tests/lab/known-differences explains it.
 *
 * Left out, because they would end or blind the test rather than answer:
 * sched_op (shutdown), set_trap_table and multicall (a NULL or zeroed
 * table clears the trap table), set_gdt, vCPU up/down, the calls that make
 * the hypervisor write somewhere later (runstate and time areas, and
 * register_vcpu_info with arguments that could succeed: only frames that
 * are not ours or are page tables, or bad offsets, are given), send_nmi,
 * DR7 values that arm breakpoints, event channel calls that would bind a
 * port (the number L0 picks differs under a shim, whose own ports take
 * some) or touch the console and xenstore ports, and
 * mappings of valid addresses (update_va_mapping only on addresses the
 * kernel does not use), foreign domids other than the reserved ones and 0
 * (which domains exist differs between two lab runs).
 *
 * Left out because our shim does not answer as L0 yet (each for the issue
 * that owns it): grant tables, memory_op
 * reservations and exchange
 * and the newer XENMEM commands, the physdev_ops whose answer depends on
 * L0's hardware or PIRQ state (irq_status_query, restore_msi, setup_gsi,
 * get_free_pirq) or that register a page (pirq_eoi_gmfn), the periodic
 * timer, hvm_op and dm_op.
 *
 * As a 32-bit PAE kernel (GUEST32_NAMES) it makes the same kinds of calls
 * through int $0x82, with 32-bit arguments, pointers and layouts, under our
 * shim and under Debian's xen-shim (L0 runs no 32-bit PV guest), and
 * tests/lab/check.sh compares the two. Left out there, as Xen's shim
 * answers them unlike Xen for a PV domU by construction (see hypercalls32
 * in tests/lab/known-differences): dom0 as a domain argument (Xen's shim
 * knows no domain but its guest: -ESRCH), platform_op, sysctl, domctl,
 * kexec_op and hypfs_op (built without: -ENOSYS), the event channel
 * commands it refuses with -EOPNOTSUPP (bind_pirq, FIFO, unknown),
 * bind_vcpu to a vCPU we do not have (it checks the port first, Xen the
 * vCPU) and XENVER_capabilities (its own, PV only; ours are L0's, as a
 * direct PV guest's). Left out because our shim does not answer as Xen yet: pointers
 * into the read-only M2P (Xen reads them for a 32-bit guest; our shim
 * refuses every address from 0xF5800000 up with -EFAULT).
 */
#include "tests/guests/lib/test.h"

const char test_title[] = "random hypercalls, compared with L0";

#ifdef __i386__
#define W64_32(v64, v32) (v32)
#else
#define W64_32(v64, v32) (v64)
#endif

/* Calls made, and the generator's seed: "rounds=N seed=N" on the command line. */
static unsigned long rounds = 2000;

/* Addresses a guest cannot pass, and one page nothing uses. */
#define BAD_UNMAPPED            0x1000UL
#ifdef __i386__
/*
 * A 32-bit guest's: the compat hole from 0xF5800000 (the read-only M2P, then
 * nothing: X: compat_access_ok), and the last 8 bytes below 4 GiB.
 */
#define BAD_NONCANONICAL        0xfffffff8UL
#define BAD_XEN                 0xffe00000UL
#define BAD_M2P                 0xf5800000UL
#else
#define BAD_NONCANONICAL        0x8000000000000000UL
#define BAD_XEN                 0xffff830000000000UL
#define BAD_M2P                 0xffff800000000000UL
#endif

/*
 * The memory a call may write: scratch, zeroed before each call, and a
 * page holding a pattern (restored before each call). Both are summed after
 * each call, so a write shows in the line of the call that made it.
 */
static uint8_t scratch[2 * 4096] __aligned(4096);
static uint8_t pattern[4096] __aligned(4096);
/*
 * Argument structures a call reads (and may write back): summed too, but
 * for the last 16 bytes, register_vcpu_info's, which hold frame numbers
 * (ours differ from L0's by construction; Xen writes nothing back there).
 */
static uint8_t argbuf[4096] __aligned(4096);

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static unsigned long pick(const unsigned long *v, unsigned int n)
{
    return v[rnd() % n];
}

#define PICK(a) pick((a), ARRAY_SIZE(a))

/* Numbers: small, boundaries, sign bits, domids. */
static const unsigned long numbers[] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 31, 32, 33, 63,
    64, 127, 128, 255, 256, 511, 512, 1023, 1024, 4095, 4096, 0x7fff, 0x8000,
    0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
#ifndef __i386__
    0x100000000UL,
#endif
    ~0UL, ~1UL,
#ifndef __i386__
    1UL << 63,
#endif
    DOMID_SELF, DOMID_IO, DOMID_XEN, DOMID_COW,
    DOMID_INVALID, DOMID_IDLE,
};

/*
 * Domains that are the same in every run: ourselves, dom0, the reserved ids
 * (which ids other guests have differs between two runs).
 */
static unsigned long domid(void)
{
    static const unsigned long ids[] = {
        DOMID_SELF, W64_32(0, DOMID_SELF), DOMID_IO, DOMID_XEN, DOMID_COW,
        DOMID_INVALID, DOMID_IDLE, 0x7ff6, 0xffff,
    };
    /* mmu_update's upper half: the page tables' owner plus one (1: dom0). */
    static const unsigned long pt[] = {
        0, 0, 0, W64_32(1, 0), DOMID_SELF + 1, 0x7ff2,
    };

    return PICK(ids) | (PICK(pt) << 16);
}

/* Pointers: none, bad ones, read-only text, the scratch buffer. */
static unsigned long pointer(void)
{
    static const unsigned long bad[] = {
        0, BAD_UNMAPPED, BAD_NONCANONICAL, BAD_XEN, W64_32(BAD_M2P, BAD_XEN),
        ~0UL, 8,
    };

    switch ( rnd() % 6 )
    {
    case 0: return PICK(bad);
    case 1: return (unsigned long)pattern + 40;         /* non-zero bytes */
    case 2: return (unsigned long)scratch + 4096 - 8;   /* near a page end */
    default: return (unsigned long)scratch;
    }
}

/*
 * A pointer for an argument whose first field is a domain: 32-bit, not the
 * zeroed scratch buffer (dom0 there), but the pattern's bytes (no domain).
 */
static unsigned long domain_arg_pointer(void)
{
    unsigned long p = pointer();

#ifdef __i386__
    if ( p - (unsigned long)scratch < sizeof(scratch) )
        p = (unsigned long)pattern + 40;
#endif
    return p;
}

static unsigned long number_or_pointer(void)
{
    return rnd() & 1 ? PICK(numbers) : pointer();
}

/*
 * register_vcpu_info that must fail (a success would have the hypervisor
 * write time records into our memory from then on): frames that are not
 * ours or are our page tables, offsets past the frame or unaligned, in the
 * scratch buffer the call reads, or a bad pointer.
 */
static unsigned long vcpu_info_arg(void)
{
    struct vcpu_register_vcpu_info *r = (void *)(argbuf + 4096 - 16);
    /* Past the frame or unaligned (4 is aligned for a 32-bit vcpu_info). */
    static const unsigned long offs[] = {
        4096, 4033, 4095, 0x10000, ~0U, W64_32(4, 2), 1,
    };

    if ( rnd() % 5 == 0 )
        return pointer();
    switch ( rnd() % 3 )
    {
    case 0:                                 /* the boot L4, a pinned table */
        r->mfn = ((const unsigned long *)start_info->mfn_list)
                 [(start_info->pt_base - GUEST_VIRT_BASE) >> 12];
        r->offset = rnd() & 1 ? 0 : PICK(offs);
        break;
    case 1:                                 /* not ours, or not RAM */
        r->mfn = rnd() & 1 ? 0 : PICK(numbers) | (1ULL << 40);
        r->offset = rnd() & 1 ? 0 : PICK(offs);
        break;
    default:                                /* ours, at a bad offset */
        r->mfn = ((const unsigned long *)start_info->mfn_list)
                 [((unsigned long)pattern - GUEST_VIRT_BASE) >> 12];
        r->offset = PICK(offs);
        break;
    }
    r->rsvd = rnd() % 4 ? 0 : PICK(numbers);
    return (unsigned long)r;
}

/*
 * event_channel_op that binds nothing and leaves the console and xenstore
 * ports alone: status, close, send, unmask, bind_vcpu on other ports
 * (ports the guest never bound: a shim's own among them), and binds with
 * an argument L0 refuses. The argument goes in the scratch buffer.
 */
static bool event_channel_arg(unsigned long a[5])
{
    static const unsigned long cmds[] = {
        EVTCHNOP_close, EVTCHNOP_send, EVTCHNOP_status, EVTCHNOP_unmask,
        EVTCHNOP_bind_vcpu, EVTCHNOP_bind_virq, EVTCHNOP_bind_ipi,
        EVTCHNOP_bind_interdomain, EVTCHNOP_alloc_unbound,
#ifndef __i386__
        EVTCHNOP_bind_pirq, EVTCHNOP_init_control, EVTCHNOP_expand_array,
        EVTCHNOP_set_priority, 15, 99,
#endif
    };
    uint32_t *w = (uint32_t *)(argbuf + 4096 - 32);
    uint32_t port = rnd() % 3 ? 1 + rnd() % 40 : PICK(numbers);

    if ( port == start_info->store_evtchn || port == start_info->console.domU.evtchn )
        port = 0;
    a[0] = PICK(cmds);
    a[1] = (unsigned long)w;
    /*
     * Or a pointer of pointer()'s, but not into the zeroed scratch buffer:
     * zeroes would bind vCPU 0's IPI or VIRQ_TIMER (see the top).
     */
    if ( rnd() % 6 == 0 )
    {
        a[1] = pointer();
        if ( a[1] - (unsigned long)scratch < sizeof(scratch) )
            a[1] = BAD_UNMAPPED;
    }
    switch ( a[0] )
    {
    case EVTCHNOP_close: case EVTCHNOP_send: case EVTCHNOP_unmask:
        w[0] = port;
        break;
    case EVTCHNOP_status:                   /* dom, port */
        w[0] = rnd() % 3 ? DOMID_SELF : domid() & 0xffff;
        w[1] = port;
        break;
    case EVTCHNOP_bind_vcpu:                /* port, vcpu */
        w[0] = port;
        w[1] = rnd() & 1 ? 0 : PICK(numbers);
#ifdef __i386__
        w[1] = 0;           /* Xen's shim looks at the port first, Xen at the vCPU */
#endif
        break;
    case EVTCHNOP_bind_virq:                /* virq, vcpu: refused ones only */
        w[0] = rnd() & 1 ? 24 + rnd() % 8 : PICK(numbers) | 0x100;
        w[1] = rnd() % 3 ? 0 : PICK(numbers);
        break;
    case EVTCHNOP_bind_ipi:                 /* vcpu: one we do not have */
        w[0] = 1 + rnd() % 200;
        break;
    case EVTCHNOP_bind_interdomain:         /* remote dom, remote port */
        w[0] = domid() & 0xffff;
        w[1] = rnd() % 3 ? 0 : PICK(numbers);
        if ( w[0] == DOMID_SELF || w[0] == 0 )
            w[0] = DOMID_INVALID;
        break;
    case EVTCHNOP_alloc_unbound:            /* dom, remote: never ourselves twice */
        w[0] = rnd() & 1 ? DOMID_INVALID : 0x7ff6;
        w[1] = rnd() & 1 ? DOMID_SELF : 0x7ff6;
        break;
    case EVTCHNOP_init_control:             /* refused: no such vCPU, or a bad offset */
    {
        struct evtchn_init_control *ic = (void *)w;

        ic->control_gfn = PICK(numbers);
        ic->vcpu = rnd() & 1 ? 0 : PICK(numbers);
        ic->offset = rnd() & 1 ? PICK(numbers) : rnd() % 4096;
        if ( ic->vcpu == 0 && ic->offset <= 4096 - sizeof(evtchn_fifo_control_block_t) )
            ic->offset |= 4;
        break;
    }
    case EVTCHNOP_expand_array:             /* 2-level: refused whatever the frame */
        *(uint64_t *)w = PICK(numbers);
        break;
    case EVTCHNOP_set_priority:             /* port, priority */
        w[0] = port;
        w[1] = rnd() & 1 ? rnd() % 20 : PICK(numbers);
        break;
    case EVTCHNOP_bind_pirq:
        /*
         * A domU has no PIRQs. Below 48 (16 GSIs at least, plus 32) or
         * negative: past the domain's nr_pirqs depends on the host.
         */
        w[0] = rnd() % 4 ? rnd() % 48 : (uint32_t)-(long)(1 + rnd() % 4);
        break;
    }
#ifdef __i386__
    /* Nor a vCPU from the pattern's bytes (see bind_vcpu above). */
    if ( a[0] == EVTCHNOP_bind_vcpu && a[1] - (unsigned long)pattern < sizeof(pattern) )
        a[1] = (unsigned long)w;
#endif
    return true;
}

/* One hypercall with generated arguments; false: not one we make. */
static bool make_call(unsigned int op, unsigned long a[5], char *what, size_t n)
{
    for ( unsigned int i = 0; i < 5; i++ )
        a[i] = number_or_pointer();

    switch ( op )
    {
    case __HYPERVISOR_xen_version:
        /* Not guest_handle (8): a domain's own UUID. */
        a[0] = rnd() % 4 ? rnd() % 32 : PICK(numbers);
        if ( a[0] == XENVER_guest_handle ||
             (W64_32(false, true) && a[0] == XENVER_capabilities) )
            a[0] = XENVER_version;
        a[1] = pointer();
        break;
    case __HYPERVISOR_memory_op:
    {
        /*
         * Not what reports the domain's or the host's size (2 3 4 5 9 10 12
         * 14): L0's and our domain differ there by construction. Not yet
         * (see the top): reservations, exchange and the rest.
         */
        static const unsigned long cmds[] = { 13, 63 };

        a[0] = PICK(cmds);
        a[1] = domain_arg_pointer();       /* 13: xen_foreign_memory_map */
        break;
    }
    case __HYPERVISOR_physdev_op:
    {
        /*
         * Not irq_status_query (5), pirq_eoi_gmfn (17, 28), restore_msi (19,
         * 27), setup_gsi (21), get_free_pirq (23): see the top.
         */
        static const unsigned long cmds[] = {
            4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 25, 26,
            29, 30, 31, 32, 99,
        };

        a[0] = PICK(cmds);
        a[1] = a[0] == PHYSDEVOP_map_pirq || a[0] == PHYSDEVOP_unmap_pirq ?
               domain_arg_pointer() : pointer();
        break;
    }
    case __HYPERVISOR_nmi_op:
    case __HYPERVISOR_callback_op:
        a[0] = rnd() % 4 ? rnd() % 32 : PICK(numbers);      /* the command */
        a[1] = pointer();
        break;
    case __HYPERVISOR_vcpu_op:
    {
        /*
         * Not up (1), down (2), runstate info and area (4, 5), the periodic
         * timer (6), send_nmi (11), time area (13): see the top.
         */
        static const unsigned long cmds[] = {
            0, 3, 7, 8, 9, 10, 12, 14, 15, 16, 17, 99,
        };

        a[0] = PICK(cmds);
        a[1] = rnd() % 3 ? 0 : PICK(numbers);               /* the vCPU */
        a[2] = pointer();
        if ( a[0] == VCPUOP_register_vcpu_info )
            a[2] = vcpu_info_arg();
        break;
    }
    case __HYPERVISOR_event_channel_op:
        if ( !event_channel_arg(a) )
            return false;
        break;
    case __HYPERVISOR_set_debugreg:
        /* DR7 and its alias DR5: never armed (off, or the refused GD). */
        a[0] = rnd() % 10;
        if ( a[0] == 7 || a[0] == 5 )
            a[1] = rnd() & 1 ? 0x400 : (1UL << 13) | 1;
        break;
    case __HYPERVISOR_get_debugreg:
        a[0] = rnd() % 3 ? rnd() % 10 : PICK(numbers);
        break;
    case __HYPERVISOR_set_segment_base:
        a[0] = rnd() % 6;
        break;
    case __HYPERVISOR_mmu_update:
    case __HYPERVISOR_mmuext_op:
        a[3] = domid();
        break;
    case __HYPERVISOR_fpu_taskswitch:
    case __HYPERVISOR_set_timer_op:
    case __HYPERVISOR_stack_switch:
    case __HYPERVISOR_vm_assist:
    case __HYPERVISOR_console_io:
    case __HYPERVISOR_update_descriptor:
        break;
    case __HYPERVISOR_update_va_mapping:
    {
        static const unsigned long vas[] = {
            0, BAD_UNMAPPED, BAD_NONCANONICAL, BAD_XEN, BAD_M2P, ~0UL,
        };

        a[0] = PICK(vas);
        break;
    }
    case __HYPERVISOR_update_va_mapping_otherdomain:
        /* A 32-bit guest passes the PTE in two arguments: the domid is the fifth. */
        a[0] = BAD_UNMAPPED;
        a[W64_32(3, 4)] = domid() & 0xffff;
        break;
    /* Not implemented by anyone for a PV domU, or not this guest's. */
#ifndef __i386__
    case __HYPERVISOR_platform_op:
    case __HYPERVISOR_sysctl:
    case __HYPERVISOR_domctl:
    case __HYPERVISOR_kexec_op:
    case __HYPERVISOR_hypfs_op:
#endif
    case __HYPERVISOR_xsm_op:
    case __HYPERVISOR_xenpmu_op:
    case __HYPERVISOR_tmem_op:
    case __HYPERVISOR_argo_op:
        break;
    default:
        return false;
    }
    snprintf(what, n, "op %u(%#lx, %#lx, %#lx, %#lx, %#lx)", op, a[0], a[1],
             a[2], a[3], a[4]);
    return true;
}

/* Fletcher-style sum of a buffer: what the call wrote there. */
static uint32_t sum(const uint8_t *p, size_t n)
{
    uint32_t s1 = 0, s2 = 0;

    for ( size_t i = 0; i < n; i++ )
    {
        s1 = (s1 + p[i]) % 65521;
        s2 = (s2 + s1) % 65521;
    }
    return (s2 << 16) | s1;
}

static void pattern_fill(void)
{
    for ( unsigned int i = 0; i < sizeof(pattern); i++ )
        pattern[i] = (uint8_t)(i * 7 + 0x5b);
}

/* "name=N" in the guest's command line, or def. */
static unsigned long cmdline_number(const char *name, unsigned long def)
{
    const char *p = (const char *)start_info->cmd_line;
    size_t n = strlen(name);

    for ( ; *p; p++ )
        if ( (p == (const char *)start_info->cmd_line || p[-1] == ' ') &&
             !strncmp(p, name, n) && p[n] == '=' )
        {
            unsigned long v = 0;

            for ( p += n + 1; *p >= '0' && *p <= '9'; p++ )
                v = v * 10 + (*p - '0');
            return v;
        }
    return def;
}

void test_main(void)
{
    unsigned long done = 0;

    rounds = cmdline_number("rounds", rounds);
    rng_state ^= cmdline_number("seed", 0) * 0x2545f4914f6cdd1dULL;
    if ( !rng_state )
        rng_state = 1;
    printk("%lu calls, seed %lu\n", rounds, cmdline_number("seed", 0));
    for ( unsigned long n = 0; done < rounds; n++ )
    {
        unsigned int op = rnd() % 64;
        unsigned long a[5];
        char what[160], g[32];
        long rc;

        memset(argbuf, 0, sizeof(argbuf));
        if ( !make_call(op, a, what, sizeof(what)) )
            continue;
        memset(scratch, 0, sizeof(scratch));
        pattern_fill();
        rc = hypercall_raw(op, a[0], a[1], a[2], a[3], a[4]);
        printk("case fuzz %lu %s: got %s scratch %#x pattern %#x arg %#x expected any\n",
               done, what, show_value(g, sizeof(g), rc),
               sum(scratch, sizeof(scratch)), sum(pattern, sizeof(pattern)),
               sum(argbuf, sizeof(argbuf) - 16));
        done++;

        /* Undo what would change the rest of the run for no answer. */
        hypercall_fpu_taskswitch(0);
        hypercall_raw(__HYPERVISOR_set_timer_op, 0, 0, 0, 0, 0);
    }
    xtf_success(NULL);
}
