/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/setup.c - start of day: boot_main(), called once by boot/head.S.
 *
 * Until the PV domain builder exists, the shim checks and reports what it
 * was given, prints its banner and powers the container off.
 */
#include "boot/cmdline.h"
#include "boot/console.h"
#include "boot/module.h"
#include "boot/pvh.h"
#include "hypercall/l0.h"
#include "x86/cpu.h"
#include "x86/layout.h"
#include "x86/traps.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

void boot_main(uint32_t start_info_pa, uint64_t entry_tsc);

extern char __image_start[], __image_end[];

static struct boot_info boot_info;
static struct shim_options opts;
static uint8_t l0_shared_info_page[PAGE_SIZE] __aligned(PAGE_SIZE)
    __section(".bss.page_aligned");
static shared_info_t *l0_shared_info;

static uint64_t virt_to_phys(const void *p)
{
    return (uintptr_t)p - SHIM_VIRT_BASE;
}

/* Start of day: physical memory below 4 GiB is identity-mapped. */
static const void *boot_phys_map(uint64_t pa, uint64_t len)
{
    if ( pa == 0 || pa + len < pa || pa + len > BOOT_IDENT_SIZE )
        return NULL;
    return (const void *)(uintptr_t)pa;
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

/* L0's shared_info page, mapped over a page of our own .bss. */
static void map_l0_shared_info(void)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_shared_info,
        .idx = 0,
        .gpfn = virt_to_phys(l0_shared_info_page) >> PAGE_SHIFT,
    };
    long rc = l0_memory_op(XENMEM_add_to_physmap, &xatp);

    if ( rc )
        panic("L0 refused to map shared_info (XENMEM_add_to_physmap: %ld)", rc);
    l0_shared_info = (shared_info_t *)l0_shared_info_page;
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
           (unsigned long long)(virt_to_phys(l0_shared_info) >> PAGE_SHIFT),
           (unsigned long long)READ_ONCE(l0_shared_info->vcpu_info[0].time.system_time)
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

void boot_main(uint32_t start_info_pa, uint64_t entry_tsc)
{
    char err[160];
    uint64_t us;

    console_early_init();           /* port 0xe9 */
    traps_init();                   /* our GDT, TSS, IDT */
    pr_info("pv-shim %s starting, hvm_start_info at %#x\n", SHIM_VERSION,
            start_info_pa);

    if ( !l0_detect() )
        panic("no Xen signature in CPUID leaves 0x40000000-0x4000ff00: "
              "this image only runs as a PVH guest of Xen (xl pvshim_path)");
    panic_hook = boot_crash;        /* from now on, crashes are reported to L0 */
    console_pv_init();              /* L0's PV console ring, replaying the log */
    map_l0_shared_info();

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
    us = (rdtsc() - entry_tsc) * 1000 / (l0.tsc_khz ? l0.tsc_khz : 1000000);
    printk("time since entry: %llu.%03llu ms\n", (unsigned long long)us / 1000,
           (unsigned long long)us % 1000);

    printk("no PV guest yet: this build stops after the banner (the domain "
           "builder is the next step); powering off\n");
    printk_flush();
    l0_shutdown(SHUTDOWN_poweroff);
    halt_forever();
}
