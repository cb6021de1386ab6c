/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/setup.c - start of day: boot_main(), called once by boot/head.S.
 *
 * Until the PV domain builder exists, the shim checks and reports what it
 * was given, prints its banner and powers the container off.
 */
#include "boot/cmdline.h"
#include "boot/console.h"
#include "boot/decompress.h"
#include "boot/module.h"
#include "boot/pvh.h"
#include "x86/l0.h"
#include "hypercall/handlers.h"
#include "pvops/domain.h"
#include "pvops/evtchn.h"
#include "pvops/grant.h"
#include "pvops/traps.h"
#include "x86/cpu.h"
#include "x86/desc.h"
#include "x86/frames.h"
#include "x86/layout.h"
#include "x86/paging.h"
#include "x86/smp.h"
#include "x86/smap.h"
#include "x86/traps.h"
#include "x86/xstate.h"
#include "lib/rangeset.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

void boot_main(uint32_t start_info_pa, uint64_t entry_tsc);

extern char __image_start[], __image_end[];

static struct boot_info boot_info;
static struct shim_options opts;
static bool smep_on, smap_on;

static uint64_t virt_to_phys(const void *p)
{
    return __pa(p);
}

/* Start of day: the direct map covers the low 4 GiB (x86/paging.c). */
static const void *boot_phys_map(uint64_t pa, uint64_t len)
{
    if ( pa == 0 || pa + len < pa || pa + len > BOOT_IDENT_SIZE )
        return NULL;
    return __va(pa);
}

/* panic() ends here: report the crash to L0 unless "noreboot" says halt. */
static __noreturn void boot_crash(const char *reason)
{
    if ( opts.noreboot )
    {
        pr_err("noreboot: halting here instead of reporting the crash to L0\n");
        printk_flush();
        halt_forever();
    }
    pr_err("reporting SHUTDOWN_crash to L0\n");
    printk_flush();
    l0_shutdown(SHUTDOWN_crash);
    halt_forever();
}

/* hvm_start_info v0 (or an empty v1 table): ask L0 for the e820 map. */
static void memmap_from_l0(void)
{
    /* XENMEM_memory_map returns BIOS e820 entries: 20 bytes, packed. */
    static struct __packed { uint64_t addr, size; uint32_t type; } e820[BOOT_MAX_MEMMAP];
    static struct mem_region r[BOOT_MAX_MEMMAP];
    struct xen_memory_map map = { .nr_entries = ARRAY_SIZE(e820) };
    char err[160];
    long rc;

    set_xen_guest_handle(map.buffer, e820);
    rc = l0_memory_op(XENMEM_memory_map, &map);
    if ( rc )
        panic("no memory map: hvm_start_info has none and XENMEM_memory_map "
              "failed (%ld)", rc);
    if ( map.nr_entries > ARRAY_SIZE(e820) )
        panic("L0's memory map has %u entries, more than %zu",
              map.nr_entries, ARRAY_SIZE(e820));
    for ( unsigned int i = 0; i < map.nr_entries; i++ )
        r[i] = (struct mem_region){ e820[i].addr, e820[i].size, e820[i].type };
    if ( !pvh_set_memmap(&boot_info, r, map.nr_entries, err, sizeof(err)) )
        panic("L0's memory map: %s", err);
}

/* What the CPU enforces for the shim (boot_main), in one line. */
static void print_protections(void)
{
    bool nx = paging_nx != 0;
    char missing[48] = "";

    if ( !nx || !smep_on || !smap_on )
        snprintf(missing, sizeof(missing), "; the CPU offers no%s%s%s",
                 nx ? "" : " NX", smep_on ? "" : " SMEP", smap_on ? "" : " SMAP");
    printk("protections: %s, %s%s%s (CR4 %#lx)%s\n",
           nx ? "NX direct map" : "executable direct map",
           nx ? "W^X image" : "read-only text", smep_on ? ", SMEP" : "",
           smap_on ? ", SMAP" : "", read_cr4(), missing);
}

static void print_banner(void)
{
    const struct boot_info *bi = &boot_info;
    xen_extraversion_t extra = "";
    long ver = l0_xen_version(XENVER_version, NULL);
    char cons[32];

    l0_xen_version(XENVER_extraversion, extra);
    extra[sizeof(extra) - 1] = '\0';
    cmdline_console_names(console_active(), cons, sizeof(cons));

    printk("pv-shim %s (git %s)%s, max %u vCPUs\n", SHIM_VERSION, SHIM_GIT_REV,
           IS_ENABLED(CONFIG_DEBUG) ? ", debug build" : "", CONFIG_MAX_VCPUS);
    /* The build's configuration (Kconfig), as "make savedefconfig" would name it. */
    printk("configuration: MAX_VCPUS=%u PV32=%c DEBUG=%c CONSOLE_XEN=%c CONSOLE_PV=%c "
           "CONSOLE_E9=%c\n", CONFIG_MAX_VCPUS, IS_ENABLED(CONFIG_PV32) ? 'y' : 'n',
           IS_ENABLED(CONFIG_DEBUG) ? 'y' : 'n', IS_ENABLED(CONFIG_CONSOLE_XEN) ? 'y' : 'n',
           IS_ENABLED(CONFIG_CONSOLE_PV) ? 'y' : 'n', IS_ENABLED(CONFIG_CONSOLE_E9) ? 'y' : 'n');
    printk("L0: Xen %ld.%ld%s, %s CPU, hypercalls by %s, CPUID leaves at %#x\n",
           ver >> 16, ver & 0xffff, extra, l0.vendor,
           l0.vmmcall ? "vmmcall" : "vmcall", l0.cpuid_base);
    if ( l0.domid_valid )
        printk("domid %u, vCPU %u, TSC %u kHz\n", l0.domid, l0.vcpu_id, l0.tsc_khz);
    else
        printk("domid unknown (L0 too old to say), TSC %u kHz\n", l0.tsc_khz);
    printk("command line: \"%s\"\n", bi->cmdline);
    printk("console: %s, log level %d\n", cons, printk_get_level());
    printk("L0 shared_info at pfn %#llx, vCPU 0 system time %llu ms\n",
           (unsigned long long)(virt_to_phys(l0.shared_info) >> PAGE_SHIFT),
           (unsigned long long)READ_ONCE(l0.shared_info->vcpu_info[0].time.system_time)
           / 1000000);

    printk("memory map (%s):\n", bi->version >= 1 ? "hvm_start_info v1"
                                                  : "L0 XENMEM_memory_map");
    for ( unsigned int i = 0; i < bi->nr_memmap; i++ )
        printk("  [%016llx, %016llx) %s\n",
               (unsigned long long)bi->memmap[i].addr,
               (unsigned long long)(bi->memmap[i].addr + bi->memmap[i].size),
               memmap_type_name(bi->memmap[i].type));
    printk("RAM: %llu MiB (%llu KiB)\n", (unsigned long long)(bi->ram_bytes >> 20),
           (unsigned long long)(bi->ram_bytes >> 10));
    if ( paging_nx )
        paging_check_wx();
    print_protections();
    printk("shim image: [%#llx, %#llx), %llu KiB\n",
           (unsigned long long)virt_to_phys(__image_start),
           (unsigned long long)virt_to_phys(__image_end),
           (unsigned long long)(__image_end - __image_start) >> 10);

    printk("modules: %u\n", bi->nr_modules);
    for ( unsigned int i = 0; i < bi->nr_modules; i++ )
    {
        const struct boot_module *m = &bi->modules[i];
        const void *data = boot_phys_map(m->paddr, m->size);
        struct module_desc d;
        char desc[96];

        if ( data )
        {
            module_detect(data, m->size, &d);
            module_describe(&d, desc, sizeof(desc));
        }
        else
            snprintf(desc, sizeof(desc), "not mapped (above 4 GiB)");
        printk("module %u: %llu bytes at %#llx: %s%s\n", i,
               (unsigned long long)m->size, (unsigned long long)m->paddr, desc,
               i == 0 ? " (the PV kernel)" : i == 1 ? " (its ramdisk)" : "");
        printk("module %u command line: \"%s\"\n", i, m->cmdline);
    }
    if ( opts.has_guest_cmdline )
        printk("guest command line after \"--\": \"%s\"\n", opts.guest_cmdline);
}

/* Frames in [start, end) of physical memory, rounded outwards. */
static void frames(paddr_t start, paddr_t end, uint64_t *s, uint64_t *e)
{
    *s = start >> PAGE_SHIFT;
    *e = (end + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/*
 * Physical memory: "free" frames are RAM minus the shim image, for the
 * guest and the shim's own allocations (x86/frames.h takes them from the
 * top until the guest is built). The boot modules (the kernel we load
 * from, the initrd we copy) are "dirty": the guest gets them last and the
 * builder never writes them. A small reserve is set aside for the shim's
 * needs once the guest owns everything else.
 */
#define SHIM_RESERVE_FRAMES 64

static struct range free_r[BOOT_MAX_MEMMAP + 8], dirty_r[BOOT_MAX_MODULES + 4];
static struct rangeset free, dirty;

static struct range low_r[4];
static struct rangeset low;     /* RAM below 1 MiB: the shim's only */

static void *map_frame(unsigned long mfn)
{
    return __va((paddr_t)mfn << PAGE_SHIFT);
}

/* A bump allocator over a block of free frames, for the decompressors. */
struct bump {
    uint8_t *next, *end;
};

static void *bump_alloc(void *ctx, size_t size)
{
    struct bump *b = ctx;
    uint8_t *p = (uint8_t *)ROUNDUP((uintptr_t)b->next, 16);

    if ( size > (size_t)(b->end - p) )
        return NULL;
    b->next = p + size;
    memset(p, 0, size);
    return p;
}

/*
 * Unpack a bzImage's payload (Debian's kernels: xz; any of Linux's seven) into free frames taken
 * from the top of memory. The result, and the decompressor's scratch, are
 * "dirty": the guest gets those frames last and the builder never writes
 * them while it reads the kernel from there.
 */
#define XZ_ARENA_BYTES   (40UL << 20)   /* a 32 MiB dictionary + state */
#define BZIP2_ARENA_BYTES (8UL << 20)   /* about 3.6 MiB of state at -9 */
#define ZSTD_ARENA_BYTES (4UL << 20)    /* its context; the output is its window */
#define OTHER_ARENA_BYTES (1UL << 20)   /* gzip's state; lz4 and lzo take none */

/*
 * The decompressor's scratch: an .lzma payload says its dictionary (Linux's
 * "lzma -9": 64 MiB) in its header, allowed up to liblzma's memory limit.
 */
static __init uint64_t arena_bytes(enum compression comp, const uint8_t *pl, uint64_t len)
{
    switch ( comp )
    {
    case COMP_XZ:
        return XZ_ARENA_BYTES;
    case COMP_LZMA:
        return len < 5 ? OTHER_ARENA_BYTES
                       : MIN((uint64_t)(pl[1] | (pl[2] << 8) | (pl[3] << 16) | ((uint32_t)pl[4] << 24)),
                             DECOMPRESS_XZ_MEMLIMIT) + (2UL << 20);
    case COMP_BZIP2:
        return BZIP2_ARENA_BYTES;
    case COMP_ZSTD:
        return ZSTD_ARENA_BYTES;
    default:
        return OTHER_ARENA_BYTES;
    }
}

static const void *unpack_kernel(const struct boot_module *m,
                                 const struct module_desc *d, uint64_t *len)
{
    const uint8_t *pl = (const uint8_t *)__va(m->paddr) + d->payload_offset;
    uint64_t out_size = payload_size_hint(pl, d->payload_size), out, arena;
    uint64_t arena_pages, out_pages, t0 = rdtsc(), us;
    struct bump b;
    size_t got;
    char err[160];

    if ( d->corrupt )
        panic("module 0 is a bzImage with no usable payload (boot protocol %u.%02u)",
              d->bz_version >> 8, d->bz_version & 0xff);
    if ( out_size == 0 || out_size > (1UL << 30) )
        panic("module 0: the %s payload claims %llu bytes unpacked: corrupt",
              compression_name(d->comp), (unsigned long long)out_size);

    out_pages = ROUNDUP(out_size, PAGE_SIZE) >> PAGE_SHIFT;
    arena_pages = ROUNDUP(arena_bytes(d->comp, pl, d->payload_size), PAGE_SIZE) >> PAGE_SHIFT;
    if ( !rangeset_take_top(&free, out_pages, 1, ~0UL, &out) ||
         !rangeset_take_top(&free, arena_pages, 1, ~0UL, &arena) )
        panic("not enough memory to unpack the kernel (%llu MiB needed): give "
              "the guest more memory",
              (unsigned long long)((out_pages + arena_pages) >> 8));
    if ( !rangeset_add(&dirty, out, out + out_pages) ||
         !rangeset_add(&dirty, arena, arena + arena_pages) )
        panic("memory map too fragmented");

    b.next = __va(arena << PAGE_SHIFT);
    b.end = b.next + (arena_pages << PAGE_SHIFT);
    decompress_init();
    if ( !decompress(d->comp, pl, d->payload_size, __va(out << PAGE_SHIFT),
                     out_size, &got, bump_alloc, &b, err, sizeof(err)) )
        panic("cannot unpack the kernel in module 0: %s", err);
    /* Linux's trailer (gzip's ISIZE) is the size: anything else is a corrupt payload. */
    if ( got != out_size )
        panic("cannot unpack the kernel in module 0: %s data unpacked to %zu bytes, its "
              "size trailer says %llu", compression_name(d->comp), got,
              (unsigned long long)out_size);

    us = (rdtsc() - t0) * 1000 / l0_tsc_khz();
    pr_info("unpacked the %s kernel: %llu -> %llu bytes in %llu ms\n",
            compression_name(d->comp), (unsigned long long)d->payload_size,
            (unsigned long long)got, (unsigned long long)us / 1000);
    *len = got;
    return __va(out << PAGE_SHIFT);
}

/*
 * Where L0 puts the grant-table frames: the highest hole of the memory map
 * below the local APIC's page and the rest of the top 20 MiB under 4 GiB
 * (so the direct map and the M2P cover it, and nothing L0 emulates is
 * there), above the first MiB. No hole, no grant table: the guest's
 * setup_table fails then.
 */
#define GRANT_WINDOW_END 0xfec00UL

static void grant_window(const struct boot_info *bi, unsigned long store,
                         unsigned long console)
{
    static struct range holes_r[BOOT_MAX_MEMMAP + 4];
    struct rangeset holes;
    unsigned long n = grant_probe();
    uint64_t first;

    if ( !n )
    {
        pr_warn("L0 offers no grant table: the guest will have none\n");
        return;
    }
    rangeset_init(&holes, holes_r, ARRAY_SIZE(holes_r));
    rangeset_add(&holes, 0x100, GRANT_WINDOW_END);
    for ( unsigned int i = 0; i < bi->nr_memmap; i++ )
    {
        const struct mem_region *m = &bi->memmap[i];

        rangeset_remove(&holes, m->addr >> PAGE_SHIFT,
                        (m->addr + m->size + PAGE_SIZE - 1) >> PAGE_SHIFT);
    }
    /* Mappings of other domains' grants: above everything, and 4 GiB. */
    {
        unsigned long top = 0x100000;

        for ( unsigned int i = 0; i < bi->nr_memmap; i++ )
            top = MAX(top, (unsigned long)((bi->memmap[i].addr + bi->memmap[i].size +
                                            PAGE_SIZE - 1) >> PAGE_SHIFT));
        grant_map_window((top + 511) & ~511UL);
    }
    rangeset_remove(&holes, store, store + 1);
    rangeset_remove(&holes, console, console + 1);
    if ( !rangeset_take_top(&holes, n, 1, ~0UL, &first) || !grant_init(first) )
        pr_warn("no room for %lu grant frames below 4 GiB: the guest will have "
                "no grant table\n", n);
}

static __noreturn void build_guest(void)
{
    static char cmdline[BOOT_CMDLINE_MAX];
    const struct boot_info *bi = &boot_info;
    const struct boot_module *kernel = &bi->modules[0];
    struct build_input in = { .domid = l0.domid };
    struct module_desc d;
    struct cpu_regs regs;
    uint64_t s, e, v;
    char err[160];

    rangeset_init(&free, free_r, ARRAY_SIZE(free_r));
    rangeset_init(&dirty, dirty_r, ARRAY_SIZE(dirty_r));
    for ( unsigned int i = 0; i < bi->nr_memmap; i++ )
    {
        const struct mem_region *m = &bi->memmap[i];

        /* Whole frames of RAM only. */
        s = (m->addr + PAGE_SIZE - 1) >> PAGE_SHIFT;
        e = (m->addr + m->size) >> PAGE_SHIFT;
        if ( m->type == XEN_HVM_MEMMAP_TYPE_RAM && s < e &&
             !rangeset_add(&free, s, e) )
            panic("memory map too fragmented");
        in.max_mfn = MAX(in.max_mfn, (m->addr + m->size - 1) >> PAGE_SHIFT);
    }
    frames(virt_to_phys(__image_start), virt_to_phys(__image_end), &s, &e);
    rangeset_remove(&free, s, e);
    /*
     * The first MiB is never a guest frame, as on Xen (which gives it to
     * DOMID_IO): guests treat low machine frames as special. The shim's
     * own small allocations come from there first.
     */
    rangeset_init(&low, low_r, ARRAY_SIZE(low_r));
    for ( unsigned int i = 0; i < free.nr && free.r[i].start < 0x100; i++ )
        rangeset_add(&low, free.r[i].start, MIN(free.r[i].end, 0x100UL));
    rangeset_remove(&free, 0, 0x100);
    rangeset_remove(&low, 0, 1);    /* frame 0's address is "no memory" */
    for ( unsigned int i = 0; i < bi->nr_modules && i < 2; i++ )
    {
        frames(bi->modules[i].paddr, bi->modules[i].paddr + bi->modules[i].size,
               &s, &e);
        if ( !rangeset_remove(&free, s, e) || !rangeset_add(&dirty, s, e) )
            panic("memory map too fragmented");
    }
    /*
     * Every frame's owner, and the shim's allocator: the first MiB first,
     * then the top of free RAM. The owners reach at least 4 GiB, where L0
     * puts the rings and the grant window. Direct-map tables must be
     * reachable through the first 4 GiB.
     */
    if ( !frames_init(MAX(in.max_mfn + 1, 1UL << (32 - PAGE_SHIFT)), map_frame,
                      &free) )
        panic("no memory for the frame owners");
    frames(virt_to_phys(__image_start), virt_to_phys(__image_end), &s, &e);
    if ( !frame_set_owner(s, e - s, FRAME_shim) )
        panic("no memory for the frame owners");
    for ( unsigned int i = 0; i < dirty.nr; i++ )
        if ( !frame_set_owner(dirty.r[i].start, dirty.r[i].end - dirty.r[i].start,
                              FRAME_free) )
            panic("no memory for the frame owners");
    for ( unsigned int i = 0; i < low.nr; i++ )
        for ( uint64_t m = low.r[i].start; m < low.r[i].end; m++ )
            if ( !frames_add(m, 1) )
                panic("no memory for the frame owners");
    if ( !paging_map_direct((in.max_mfn + 1) << PAGE_SHIFT) )
        panic("cannot map all memory (%#lx frames)", in.max_mfn + 1);
    desc_init_cpu();                /* CPU 0: final GDT, TSS, SYSCALL entry */
    if ( !frames_reserve(SHIM_RESERVE_FRAMES) )
        panic("not enough memory for the shim's reserve");
    /* A CPU of ours for every vCPU L0 gave the container: the guest's vCPUs. */
    in.nr_vcpus = smp_probe_cpus();
    for ( unsigned int cpu = 0; cpu < in.nr_vcpus; cpu++ )
        if ( !cpu_prepare(cpu) )
            panic("no memory or no vcpu_info at L0 for CPU %u of %u", cpu,
                  in.nr_vcpus);

    if ( l0_hvm_get_param(HVM_PARAM_STORE_PFN, &v) || !v )
        panic("L0 gave no xenstore ring (HVM_PARAM_STORE_PFN)");
    in.store_mfn = v;
    l0_hvm_get_param(HVM_PARAM_STORE_EVTCHN, &v);
    in.store_evtchn = v;
    if ( l0_hvm_get_param(HVM_PARAM_CONSOLE_PFN, &v) || !v )
        panic("L0 gave no console ring (HVM_PARAM_CONSOLE_PFN)");
    in.console_mfn = v;
    l0_hvm_get_param(HVM_PARAM_CONSOLE_EVTCHN, &v);
    in.console_evtchn = v;
    in.max_mfn = MAX(in.max_mfn, MAX(in.store_mfn, in.console_mfn));
    grant_window(bi, in.store_mfn, in.console_mfn);

    module_detect(__va(kernel->paddr), kernel->size, &d);
    if ( d.kind == MOD_BZIMAGE )
        in.kernel = unpack_kernel(kernel, &d, &in.kernel_size);
    else if ( d.kind == MOD_ELF )
    {
        in.kernel = __va(kernel->paddr);
        in.kernel_size = kernel->size;
    }
    else
        panic("module 0 is not a kernel this shim can load (%s)",
              d.kind == MOD_UNKNOWN ? "unknown format" : "not ELF or bzImage");
    if ( bi->nr_modules > 1 )
    {
        in.initrd = bi->modules[1].paddr;
        in.initrd_size = bi->modules[1].size;
    }
    /* The guest's command line: module 0's, else what followed "--". */
    snprintf(cmdline, sizeof(cmdline), "%s",
             kernel->cmdline[0] || !opts.has_guest_cmdline ? kernel->cmdline
                                                           : opts.guest_cmdline);
    in.cmdline = cmdline;
    in.free = &free;
    in.dirty = &dirty;

    if ( !domain_build(&in, &regs, err, sizeof(err)) )
        panic("cannot build the guest: %s", err);
    pr_info("memory: %lu KiB kept by the shim (image %lu KiB, %lu frames for "
            "M2P, tables, owners and vCPUs, %lu free), %lu KiB for the guest\n",
            (unsigned long)((__image_end - __image_start) >> 10) +
            (frames_nr_shim() + frames_nr_free()) * 4,
            (unsigned long)(__image_end - __image_start) >> 10, frames_nr_shim(),
            frames_nr_free(), dom.nr_pages * 4);
    evtchn_init();    /* L0's events and the guest's timer */
    for ( unsigned int cpu = 1; cpu < dom.nr_vcpus; cpu++ )
        if ( !evtchn_bind_cpu(cpu) )
            panic("L0 refused the event channels of CPU %u", cpu);
    if ( dom.nr_vcpus > 1 )
        pr_info("%u vCPUs for the guest (vCPU 0 runs; it starts the others)\n",
                dom.nr_vcpus);
    /*
     * L0's default of 1023 event channels a domain: the shim holds two a
     * vCPU, Linux binds about seven. Past that the guest's binds fail.
     */
    if ( dom.nr_vcpus * 9 > 1023 )
        pr_warn("%u vCPUs need about %u event channels at L0 (the shim holds 2 a vCPU): "
                "set max_event_channels = %u in the xl config if L0's default 1023 "
                "is in use\n", dom.nr_vcpus, dom.nr_vcpus * 9,
                (dom.nr_vcpus * 9 + 1023) & ~1023u);
    console_pv_release();
    pr_info("start of day over: %lu KiB of boot-only code unmapped\n",
            paging_retire_init() >> 10);
    pr_info("entering the guest at %#lx\n", regs.rip);
    dom.vcpu[0]->start_regs = regs;
    domain_enter(dom.vcpu[0]);
}

void boot_main(uint32_t start_info_pa, uint64_t entry_tsc)
{
    char err[160];
    uint64_t us;

    console_early_init();           /* port 0xe9 */
    traps_init();                   /* our IDT */
    smap_on = smap_init();          /* SMAP, or STAC/CLAC patched out: text still writable */
    paging_init();                  /* W^X image, NX direct map of the low 4 GiB */
    sse_enable();                   /* the guest's FPU/SSE world (and the decompressors') */
    xstate_init();                  /* XSAVE, XCR0 as a PV vCPU starts */
    smep_on = smep_enable();        /* the shim never runs guest (user) pages */
    pr_info("pv-shim %s starting, hvm_start_info at %#x\n", SHIM_VERSION,
            start_info_pa);

    if ( !l0_detect() )
        panic("no Xen signature in CPUID leaves 0x40000000-0x4000ff00: "
              "this image only runs as a PVH guest of Xen (xl pvshim_path)");
    panic_hook = boot_crash;        /* from now on, crashes are reported to L0 */
    console_pv_init();              /* L0's PV console ring, replaying the log */
    l0_map_shared_info();

    if ( !pvh_parse(start_info_pa, boot_phys_map, &boot_info, err, sizeof(err)) )
        panic("bad start of day: %s", err);
    cmdline_parse(boot_info.cmdline, &opts);
    printk_set_level(opts.loglvl);
    console_select(opts.consoles);
    if ( !boot_info.nr_memmap )
        memmap_from_l0();
    if ( !pvh_check_layout(&boot_info, virt_to_phys(__image_start),
                           virt_to_phys(__image_end), err, sizeof(err)) )
        panic("bad start of day: %s", err);

    print_banner();
    us = (rdtsc() - entry_tsc) * 1000 / l0_tsc_khz();
    printk("time since entry: %llu.%03llu ms\n", (unsigned long long)us / 1000,
           (unsigned long long)us % 1000);

    pv_traps_init();                /* guest exceptions to pvops/ */
    trace_hypercalls = opts.trace_hypercalls;
    build_guest();
}
