/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/hypercalls/main.c - the return values of the simple
 * hypercalls, as a 64-bit PV domU sees them.
 *
 * Each case is one hypercall with raw register arguments and the value Xen
 * returns. The expected values are what Debian's Xen 4.17 (release build,
 * XSM dummy policy) returned when this kernel ran on it directly as a plain
 * PV guest (tests/lab/cfg/guest-hypercalls-pv.cfg, memory = 64, vcpus = 1);
 * where a value depends on the host or the config it is checked against
 * start_info or only for its range. Some cases then check what the call
 * wrote (post hooks), each as a "case" line of its own.
 */
#define __XEN_TOOLS__ 1         /* the control interfaces are "for tools only" */
#include "tests/guests/lib/test.h"
#include <xen/domctl.h>
#include <xen/platform.h>
#include <xen/sysctl.h>

const char test_title[] = "hypercall return values";

/* The L0 of the lab: Xen 4.17, XENVER_version = major << 16 | minor. */
#define XEN_VERSION_417         0x00040011L

/* Addresses a guest cannot pass. */
#define BAD_UNMAPPED            0x1000UL                /* nothing mapped */
#ifdef __i386__
/* A 32-bit guest's addresses end at the hole (0xF5800000): the compat M2P, then Xen's. */
#define BAD_NONCANONICAL        0xF5800000UL
#define BAD_XEN                 0xFF000000UL
#else
#define BAD_NONCANONICAL        0x8000000000000000UL
#define BAD_XEN                 0xffff830000000000UL    /* Xen's direct map */
#endif

/* A domid that exists in no lab boot (dom0 is 0, the guests count up). */
#define DOMID_ABSENT            0x1234

enum expect
{
    EXPECT_EQ,          /* rc == value */
    EXPECT_NR_PAGES,    /* rc == start_info->nr_pages + value */
    EXPECT_MIN_PAGES,   /* rc >= start_info->nr_pages */
    EXPECT_POSITIVE,    /* rc > 0: a property of the host, printed */
};

struct hc_case
{
    const char *name;
    unsigned int op;
    unsigned long arg[5];
    enum expect kind;
    long value;
    void (*post)(long rc);      /* checks what the call wrote */
};

/* ------------------------------------------------------------ reporting */

/* One line per check: "case <name>: got X expected Y". */
static void check(const char *name, long got, bool ok, const char *expected)
{
    char g[32];

    report_line(name, show_value(g, sizeof(g), got), expected, ok);
}

static void check_eq(const char *name, long got, long expected)
{
    char e[32];

    check(name, got, got == expected, show_value(e, sizeof(e), expected));
}

/* ------------------------------------------------------------ buffers */

/* Output of the calls that write a buffer; cleared before every case. */
static union
{
    char page[4096];
    xen_extraversion_t extraversion;
    xen_compile_info_t compile_info;
    xen_capabilities_info_t capabilities;
    xen_changeset_info_t changeset;
    xen_platform_parameters_t platform;
    xen_domain_handle_t handle;
    struct xen_machphys_mapping machphys;
    struct vcpu_runstate_info runstate;
} out __aligned(4096);

/* VCPUOP_register_vcpu_time_memory_area: the area, and where each case points it. */
static struct vcpu_time_info time_area __aligned(64);
static struct vcpu_register_time_memory_area time_reg = { .addr.v = &time_area };
static struct vcpu_register_time_memory_area time_reg_xen = {
    .addr.v = (struct vcpu_time_info *)BAD_XEN,
};

static xen_feature_info_t feat0 = { .submap_idx = 0 };
static xen_feature_info_t feat_over = { .submap_idx = XENFEAT_NR_SUBMAPS };
static xen_feature_info_t feat_huge = { .submap_idx = 0xffffffff };

static domid_t dom_self = DOMID_SELF;
static domid_t dom_zero = 0;
static domid_t dom_absent = DOMID_ABSENT;

/* XENMEM_memory_map entries are e820 records: addr, size, type (20 bytes). */
#define E820_ENTRY_SIZE 20
#define E820_MAX        16
static uint8_t e820[E820_MAX * E820_ENTRY_SIZE];
static struct xen_memory_map memmap = {
    .nr_entries = E820_MAX,
    .buffer.p = e820,
};
static struct xen_memory_map machine_memmap = {
    .nr_entries = E820_MAX,
    .buffer.p = e820,
};

static struct physdev_set_iopl iopl_1 = { .iopl = 1 };
static struct physdev_set_iopl iopl_0 = { .iopl = 0 };
static struct physdev_set_iopl iopl_4 = { .iopl = 4 };
static struct physdev_set_iopl iopl_big = { .iopl = 0x646e6172 };
static const char iopl_text[] = "random";

static multicall_entry_t mc_mixed[2] = {
    { .op = __HYPERVISOR_xen_version, .args = { XENVER_version, 0 } },
    { .op = __HYPERVISOR_vcpu_op, .args = { VCPUOP_is_up, 1, 0 } },
};
static multicall_entry_t mc_unknown[1] = {
    { .op = 60 },
};

static const char hello[] = "hello from a PV test kernel\n";

/* Control requests with the right interface versions (domain set below). */
#define DOMCTL(c, d) { .cmd = (c), .interface_version = XEN_DOMCTL_INTERFACE_VERSION, \
                       .domain = (d) }
static struct xen_domctl dc_info0 = DOMCTL(XEN_DOMCTL_getdomaininfo, 0);
static struct xen_domctl dc_info_absent = DOMCTL(XEN_DOMCTL_getdomaininfo, DOMID_ABSENT);
static struct xen_domctl dc_pause0 = DOMCTL(XEN_DOMCTL_pausedomain, 0);
static struct xen_domctl dc_pause_absent = DOMCTL(XEN_DOMCTL_pausedomain, DOMID_ABSENT);
static struct xen_domctl dc_pause_self = DOMCTL(XEN_DOMCTL_pausedomain, DOMID_SELF);
static struct xen_domctl dc_create = DOMCTL(XEN_DOMCTL_createdomain, 0);
static struct xen_domctl dc_assign_io = DOMCTL(XEN_DOMCTL_assign_device, DOMID_IO);
static struct xen_domctl dc_assign_invalid = DOMCTL(XEN_DOMCTL_assign_device, DOMID_INVALID);
static struct xen_domctl dc_test_assign_invalid =
    DOMCTL(XEN_DOMCTL_test_assign_device, DOMID_INVALID);
static struct xen_domctl dc_old = { .cmd = XEN_DOMCTL_getdomaininfo,
                                    .interface_version = XEN_DOMCTL_INTERFACE_VERSION - 1 };
static struct xen_sysctl sc_physinfo = { .cmd = XEN_SYSCTL_physinfo,
                                         .interface_version = XEN_SYSCTL_INTERFACE_VERSION };
static struct xen_sysctl sc_old = { .cmd = XEN_SYSCTL_physinfo,
                                    .interface_version = XEN_SYSCTL_INTERFACE_VERSION + 1 };
static struct xen_platform_op pf_settime = { .cmd = XENPF_settime64,
                                             .interface_version = XENPF_INTERFACE_VERSION };
static struct xen_platform_op pf_old = { .cmd = XENPF_settime64, .interface_version = 1 };

#define P(x) ((unsigned long)(x))

/* ------------------------------------------------------------ post hooks */

static void post_string(const char *what, const char *s, size_t size)
{
    printk("  %s \"%.*s\"\n", what, (int)strnlen(s, size), s);
}

static void post_extraversion(long rc)
{
    post_string("extraversion", out.extraversion, sizeof(out.extraversion));
}

static void post_compile_info(long rc)
{
    const xen_compile_info_t *ci = &out.compile_info;

    post_string("compiler", ci->compiler, sizeof(ci->compiler));
    post_string("compile_by", ci->compile_by, sizeof(ci->compile_by));
    post_string("compile_domain", ci->compile_domain,
                sizeof(ci->compile_domain));
    post_string("compile_date", ci->compile_date, sizeof(ci->compile_date));
}

static void post_capabilities(long rc)
{
    post_string("capabilities", out.capabilities, sizeof(out.capabilities));
}

static void post_changeset(long rc)
{
    post_string("changeset", out.changeset, sizeof(out.changeset));
}

static void post_commandline(long rc)
{
    post_string("commandline", out.page, sizeof(xen_commandline_t));
}

static void post_platform(long rc)
{
    check_eq("xen_version platform_parameters virt_start",
             out.platform.virt_start, HYPERVISOR_VIRT_START);
}

/*
 * Submap 0 for a 64-bit PV domU of Xen 4.17 (0x220e0): mmu_pt_update_
 * preserve_ad (5), highmem_assist (6), gnttab_map_avail_bits (7),
 * memory_op_vnode_supported (13) and direct_mapped (17): a PV domain's
 * frame numbers are machine frames, so 4.17 calls it direct-mapped.
 */
#define FEATURES_PV64_417 ((1L << XENFEAT_mmu_pt_update_preserve_ad) | \
                           (1L << XENFEAT_highmem_assist) | \
                           (1L << XENFEAT_gnttab_map_avail_bits) | \
                           (1L << XENFEAT_memory_op_vnode_supported) | \
                           (1L << XENFEAT_direct_mapped))

/*
 * A 32-bit PAE kernel whose PAE_MODE note says "yes" (extended-cr3) has the
 * pae_extended_cr3 assist from its builder (Xen's dom0_build and
 * libxenguest), which adds pae_pgdir_above_4gb (4): 0x220f0.
 */
#ifdef __i386__
#define FEATURES_417 (FEATURES_PV64_417 | (1L << XENFEAT_pae_pgdir_above_4gb))
#else
#define FEATURES_417 FEATURES_PV64_417
#endif

/*
 * Where the M2P ends: the header's for a 64-bit guest; for a 32-bit one
 * Xen maps it up to 0xFFE00000 (MACH2PHYS_COMPAT_VIRT_END), past the
 * header's 0xF6800000, and says so.
 */
#ifdef __i386__
#define M2P_END 0xFFE00000UL
#else
#define M2P_END MACH2PHYS_VIRT_END
#endif

static void post_features(long rc)
{
    check_eq("xen_version get_features submap 0 bits", feat0.submap, FEATURES_417);
}

static void post_handle(long rc)
{
    const uint8_t *h = out.handle;

    printk("  handle %02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
           "%02x%02x%02x%02x%02x%02x\n", h[0], h[1], h[2], h[3], h[4], h[5],
           h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]);
}

static void post_machphys(long rc)
{
    check_eq("memory_op machphys_mapping v_start", out.machphys.v_start,
             MACH2PHYS_VIRT_START);
    check_eq("memory_op machphys_mapping v_end", out.machphys.v_end, M2P_END);
    check_eq("memory_op machphys_mapping max_mfn", out.machphys.max_mfn,
             ((M2P_END - MACH2PHYS_VIRT_START) / sizeof(unsigned long)) - 1);
}

static void post_memmap(long rc)
{
    unsigned int i;

    check("memory_op memory_map nr_entries", memmap.nr_entries,
          memmap.nr_entries >= 1 && memmap.nr_entries <= E820_MAX,
          "1..16");
    for ( i = 0; i < memmap.nr_entries && i < E820_MAX; i++ )
    {
        uint64_t addr, size;
        uint32_t type;

        memcpy(&addr, e820 + i * E820_ENTRY_SIZE, 8);
        memcpy(&size, e820 + i * E820_ENTRY_SIZE + 8, 8);
        memcpy(&type, e820 + i * E820_ENTRY_SIZE + 16, 4);
        printk("  e820[%u] %#lx..%#lx type %u\n", i, (unsigned long)addr,
               (unsigned long)(addr + size), type);
    }
}

static void post_runstate(long rc)
{
    printk("  runstate state %d\n", out.runstate.state);
}

/* Written at once, as a finished update (even version) of a running clock. */
static void post_time_area(long rc)
{
    check_eq("vcpu_op register_vcpu_time_memory_area: version even, not 0",
             time_area.version && !(time_area.version & 1), 1);
    check_eq("vcpu_op register_vcpu_time_memory_area: system_time set",
             time_area.system_time != 0, 1);
    check_eq("vcpu_op register_vcpu_time_memory_area: tsc_to_system_mul set",
             time_area.tsc_to_system_mul != 0, 1);
}

static void post_mc_mixed(long rc)
{
    check_eq("multicall mixed [0] xen_version version",
             mc_mixed[0].result, XEN_VERSION_417);
    check_eq("multicall mixed [1] vcpu_op is_up vcpu 1",
             mc_mixed[1].result, -XEN_ENOENT);
}

static void post_mc_unknown(long rc)
{
    check_eq("multicall unknown [0] hypercall 60", mc_unknown[0].result,
             -XEN_ENOSYS);
}

/* ------------------------------------------------------------ the table */

static const struct hc_case cases[] = {
    /* xen_version: common/kernel.c; XSM dummy hides some from a domU. */
    { "xen_version version",
      __HYPERVISOR_xen_version, { XENVER_version, 0 },
      EXPECT_EQ, XEN_VERSION_417 },
    { "xen_version version, arg unmapped (ignored)",
      __HYPERVISOR_xen_version, { XENVER_version, BAD_UNMAPPED },
      EXPECT_EQ, XEN_VERSION_417 },
#ifndef __i386__         /* a 32-bit guest's registers hold no more */
    { "xen_version cmd 1<<32 (truncated to version)",
      __HYPERVISOR_xen_version, { 1UL << 32, 0 },
      EXPECT_EQ, XEN_VERSION_417 },
#endif
    { "xen_version extraversion",
      __HYPERVISOR_xen_version, { XENVER_extraversion, P(&out) },
      EXPECT_EQ, 0, post_extraversion },
    { "xen_version extraversion, arg unmapped",
      __HYPERVISOR_xen_version, { XENVER_extraversion, BAD_UNMAPPED },
      EXPECT_EQ, -XEN_EFAULT },
    { "xen_version extraversion, arg non-canonical",
      __HYPERVISOR_xen_version, { XENVER_extraversion, BAD_NONCANONICAL },
      EXPECT_EQ, -XEN_EFAULT },
    { "xen_version extraversion, arg in Xen",
      __HYPERVISOR_xen_version, { XENVER_extraversion, BAD_XEN },
      EXPECT_EQ, -XEN_EFAULT },
    { "xen_version compile_info",
      __HYPERVISOR_xen_version, { XENVER_compile_info, P(&out) },
      EXPECT_EQ, 0, post_compile_info },
    { "xen_version capabilities",
      __HYPERVISOR_xen_version, { XENVER_capabilities, P(&out) },
      EXPECT_EQ, 0, post_capabilities },
    { "xen_version changeset",
      __HYPERVISOR_xen_version, { XENVER_changeset, P(&out) },
      EXPECT_EQ, 0, post_changeset },
    { "xen_version platform_parameters",
      __HYPERVISOR_xen_version, { XENVER_platform_parameters, P(&out) },
      EXPECT_EQ, 0, post_platform },
    { "xen_version get_features submap 0",
      __HYPERVISOR_xen_version, { XENVER_get_features, P(&feat0) },
      EXPECT_EQ, 0, post_features },
    { "xen_version get_features submap NR_SUBMAPS",
      __HYPERVISOR_xen_version, { XENVER_get_features, P(&feat_over) },
      EXPECT_EQ, -XEN_EINVAL },
    { "xen_version get_features submap 0xffffffff",
      __HYPERVISOR_xen_version, { XENVER_get_features, P(&feat_huge) },
      EXPECT_EQ, -XEN_EINVAL },
    { "xen_version get_features, arg unmapped",
      __HYPERVISOR_xen_version, { XENVER_get_features, BAD_UNMAPPED },
      EXPECT_EQ, -XEN_EFAULT },
    { "xen_version pagesize",
      __HYPERVISOR_xen_version, { XENVER_pagesize, 0 },
      EXPECT_EQ, 4096 },
    { "xen_version pagesize, arg not NULL",
      __HYPERVISOR_xen_version, { XENVER_pagesize, P(&out) },
      EXPECT_EQ, -XEN_EINVAL },
    { "xen_version guest_handle",
      __HYPERVISOR_xen_version, { XENVER_guest_handle, P(&out) },
      EXPECT_EQ, 0, post_handle },
    /* Denied to a domU: commandline succeeds with "<denied>", build_id not. */
    { "xen_version commandline",
      __HYPERVISOR_xen_version, { XENVER_commandline, P(&out) },
      EXPECT_EQ, 0, post_commandline },
    { "xen_version build_id",
      __HYPERVISOR_xen_version, { XENVER_build_id, P(&out) },
      EXPECT_EQ, -XEN_EPERM },
    { "xen_version cmd 0x1000",
      __HYPERVISOR_xen_version, { 0x1000, 0 },
      EXPECT_EQ, -XEN_ENOSYS },

    /* console_io: a release L0 lets only the console domain use it. */
    { "console_io write",
      __HYPERVISOR_console_io,
      { CONSOLEIO_write, sizeof(hello) - 1, P(hello) },
      EXPECT_EQ, -XEN_EPERM },
    { "console_io read",
      __HYPERVISOR_console_io, { CONSOLEIO_read, 16, P(&out) },
      EXPECT_EQ, -XEN_EPERM },
    { "console_io cmd 99",
      __HYPERVISOR_console_io, { 99, 0, 0 },
      EXPECT_EQ, -XEN_EPERM },

    /* sched_op: common/sched/core.c. */
    { "sched_op yield",
      __HYPERVISOR_sched_op, { SCHEDOP_yield, 0 },
      EXPECT_EQ, 0 },
    { "sched_op shutdown, arg unmapped",
      __HYPERVISOR_sched_op, { SCHEDOP_shutdown, BAD_UNMAPPED },
      EXPECT_EQ, -XEN_EFAULT },
    { "sched_op cmd 0x100",
      __HYPERVISOR_sched_op, { 0x100, 0 },
      EXPECT_EQ, -XEN_ENOSYS },

    /* vm_assist: type checked against the PV64 mask before cmd. */
    { "vm_assist enable 4gb_segments",
      __HYPERVISOR_vm_assist, { VMASST_CMD_enable, VMASST_TYPE_4gb_segments },
      EXPECT_EQ, 0 },
    { "vm_assist disable 4gb_segments",
      __HYPERVISOR_vm_assist, { VMASST_CMD_disable, VMASST_TYPE_4gb_segments },
      EXPECT_EQ, 0 },
    { "vm_assist enable writable_pagetables",
      __HYPERVISOR_vm_assist,
      { VMASST_CMD_enable, VMASST_TYPE_writable_pagetables },
      EXPECT_EQ, 0 },
    { "vm_assist disable writable_pagetables",
      __HYPERVISOR_vm_assist,
      { VMASST_CMD_disable, VMASST_TYPE_writable_pagetables },
      EXPECT_EQ, 0 },
    { "vm_assist enable runstate_update_flag",
      __HYPERVISOR_vm_assist,
      { VMASST_CMD_enable, VMASST_TYPE_runstate_update_flag },
      EXPECT_EQ, 0 },
    { "vm_assist disable runstate_update_flag",
      __HYPERVISOR_vm_assist,
      { VMASST_CMD_disable, VMASST_TYPE_runstate_update_flag },
      EXPECT_EQ, 0 },
    { "vm_assist enable type 6",
      __HYPERVISOR_vm_assist, { VMASST_CMD_enable, 6 },
      EXPECT_EQ, -XEN_EINVAL },
    { "vm_assist enable type 64",
      __HYPERVISOR_vm_assist, { VMASST_CMD_enable, 64 },
      EXPECT_EQ, -XEN_EINVAL },
    { "vm_assist cmd 2 type writable_pagetables",
      __HYPERVISOR_vm_assist, { 2, VMASST_TYPE_writable_pagetables },
      EXPECT_EQ, -XEN_ENOSYS },
    { "vm_assist cmd 2 type 6",
      __HYPERVISOR_vm_assist, { 2, 6 },
      EXPECT_EQ, -XEN_EINVAL },

    /* memory_op: the read-only sub-ops (common/memory.c, x86/mm.c). */
    { "memory_op current_reservation self",
      __HYPERVISOR_memory_op, { XENMEM_current_reservation, P(&dom_self) },
      EXPECT_NR_PAGES, 0 },
    { "memory_op maximum_reservation self",
      __HYPERVISOR_memory_op, { XENMEM_maximum_reservation, P(&dom_self) },
      EXPECT_MIN_PAGES },
    { "memory_op current_reservation dom0",
      __HYPERVISOR_memory_op, { XENMEM_current_reservation, P(&dom_zero) },
      EXPECT_EQ, -XEN_EPERM },
    { "memory_op current_reservation absent domid",
      __HYPERVISOR_memory_op, { XENMEM_current_reservation, P(&dom_absent) },
      EXPECT_EQ, -XEN_ESRCH },
    { "memory_op current_reservation, arg unmapped",
      __HYPERVISOR_memory_op, { XENMEM_current_reservation, BAD_UNMAPPED },
      EXPECT_EQ, -XEN_EFAULT },
    /*
     * For PV, (shared_info.arch.max_pfn ?: 1) - 1: the guest writes that
     * field (Linux does), the builder leaves it 0.
     */
    { "memory_op maximum_gpfn self",
      __HYPERVISOR_memory_op, { XENMEM_maximum_gpfn, P(&dom_self) },
      EXPECT_EQ, 0 },
    { "memory_op maximum_ram_page",
      __HYPERVISOR_memory_op, { XENMEM_maximum_ram_page, 0 },
      EXPECT_POSITIVE },
    { "memory_op machphys_mapping",
      __HYPERVISOR_memory_op, { XENMEM_machphys_mapping, P(&out) },
      EXPECT_EQ, 0, post_machphys },
    { "memory_op memory_map",
      __HYPERVISOR_memory_op, { XENMEM_memory_map, P(&memmap) },
      EXPECT_EQ, 0, post_memmap },
    { "memory_op machine_memory_map",
      __HYPERVISOR_memory_op,
      { XENMEM_machine_memory_map, P(&machine_memmap) },
      EXPECT_EQ, -XEN_EPERM },
    { "memory_op cmd 63",
      __HYPERVISOR_memory_op, { 63, 0 },
      EXPECT_EQ, -XEN_ENOSYS },

    /* vcpu_op: common/domain.c; the vcpu id is an unsigned int. */
    { "vcpu_op is_up vcpu 0",
      __HYPERVISOR_vcpu_op, { VCPUOP_is_up, 0, 0 },
      EXPECT_EQ, 1 },
    { "vcpu_op is_up vcpu 1 (vcpus = 1)",
      __HYPERVISOR_vcpu_op, { VCPUOP_is_up, 1, 0 },
      EXPECT_EQ, -XEN_ENOENT },
    { "vcpu_op is_up vcpu 0xffffffff",
      __HYPERVISOR_vcpu_op, { VCPUOP_is_up, 0xffffffffUL, 0 },
      EXPECT_EQ, -XEN_ENOENT },
#ifndef __i386__
    { "vcpu_op is_up vcpu 1<<32 (truncated to 0)",
      __HYPERVISOR_vcpu_op, { VCPUOP_is_up, 1UL << 32, 0 },
      EXPECT_EQ, 1 },
#endif
    { "vcpu_op get_runstate_info vcpu 0",
      __HYPERVISOR_vcpu_op, { VCPUOP_get_runstate_info, 0, P(&out) },
      EXPECT_EQ, 0, post_runstate },
    { "vcpu_op get_runstate_info, arg unmapped",
      __HYPERVISOR_vcpu_op, { VCPUOP_get_runstate_info, 0, BAD_UNMAPPED },
      EXPECT_EQ, -XEN_EFAULT },
    { "vcpu_op register_vcpu_time_memory_area, arg unmapped",
      __HYPERVISOR_vcpu_op, { VCPUOP_register_vcpu_time_memory_area, 0, BAD_UNMAPPED },
      EXPECT_EQ, -XEN_EFAULT },
    { "vcpu_op register_vcpu_time_memory_area in Xen's range",
      __HYPERVISOR_vcpu_op, { VCPUOP_register_vcpu_time_memory_area, 0, P(&time_reg_xen) },
      EXPECT_EQ, -XEN_EFAULT },
    { "vcpu_op register_vcpu_time_memory_area vcpu 1 (vcpus = 1)",
      __HYPERVISOR_vcpu_op, { VCPUOP_register_vcpu_time_memory_area, 1, P(&time_reg) },
      EXPECT_EQ, -XEN_ENOENT },
    { "vcpu_op register_vcpu_time_memory_area vcpu 0",
      __HYPERVISOR_vcpu_op, { VCPUOP_register_vcpu_time_memory_area, 0, P(&time_reg) },
      EXPECT_EQ, 0, post_time_area },
    { "vcpu_op cmd 99 vcpu 0",
      __HYPERVISOR_vcpu_op, { 99, 0, 0 },
      EXPECT_EQ, -XEN_ENOSYS },

    /* physdev_op set_iopl: x86/physdev.c. */
    { "physdev_op set_iopl 1",
      __HYPERVISOR_physdev_op, { PHYSDEVOP_set_iopl, P(&iopl_1) },
      EXPECT_EQ, 0 },
    { "physdev_op set_iopl 0",
      __HYPERVISOR_physdev_op, { PHYSDEVOP_set_iopl, P(&iopl_0) },
      EXPECT_EQ, 0 },
    { "physdev_op set_iopl 4",
      __HYPERVISOR_physdev_op, { PHYSDEVOP_set_iopl, P(&iopl_4) },
      EXPECT_EQ, -XEN_EINVAL },
    { "physdev_op set_iopl 0x646e6172 (from read-only text)",
      __HYPERVISOR_physdev_op, { PHYSDEVOP_set_iopl, P(iopl_text) },
      EXPECT_EQ, -XEN_EINVAL },
    { "physdev_op set_iopl 0x646e6172 (writable data)",
      __HYPERVISOR_physdev_op, { PHYSDEVOP_set_iopl, P(&iopl_big) },
      EXPECT_EQ, -XEN_EINVAL },
    { "physdev_op set_iopl, arg unmapped",
      __HYPERVISOR_physdev_op, { PHYSDEVOP_set_iopl, BAD_UNMAPPED },
      EXPECT_EQ, -XEN_EFAULT },
    /* Control operations a domU is refused, in Xen's order of checks. */
    { "domctl getdomaininfo dom0", __HYPERVISOR_domctl, { P(&dc_info0) },
      EXPECT_EQ, -XEN_EPERM },
    { "domctl getdomaininfo of an absent domain", __HYPERVISOR_domctl,
      { P(&dc_info_absent) }, EXPECT_EQ, -XEN_ESRCH },
    { "domctl pausedomain dom0", __HYPERVISOR_domctl, { P(&dc_pause0) },
      EXPECT_EQ, -XEN_EPERM },
    { "domctl pausedomain of an absent domain", __HYPERVISOR_domctl,
      { P(&dc_pause_absent) }, EXPECT_EQ, -XEN_ESRCH },
    { "domctl pausedomain DOMID_SELF (not an id)", __HYPERVISOR_domctl,
      { P(&dc_pause_self) }, EXPECT_EQ, -XEN_ESRCH },
    { "domctl createdomain", __HYPERVISOR_domctl, { P(&dc_create) },
      EXPECT_EQ, -XEN_EPERM },
    { "domctl assign_device DOMID_IO", __HYPERVISOR_domctl, { P(&dc_assign_io) },
      EXPECT_EQ, -XEN_EPERM },
    { "domctl assign_device DOMID_INVALID", __HYPERVISOR_domctl,
      { P(&dc_assign_invalid) }, EXPECT_EQ, -XEN_ESRCH },
    { "domctl test_assign_device DOMID_INVALID", __HYPERVISOR_domctl,
      { P(&dc_test_assign_invalid) }, EXPECT_EQ, -XEN_EPERM },
    { "domctl with an old interface version", __HYPERVISOR_domctl, { P(&dc_old) },
      EXPECT_EQ, -XEN_EACCES },
    { "domctl, arg unmapped", __HYPERVISOR_domctl, { BAD_UNMAPPED },
      EXPECT_EQ, -XEN_EFAULT },
    { "sysctl physinfo", __HYPERVISOR_sysctl, { P(&sc_physinfo) },
      EXPECT_EQ, -XEN_EPERM },
    { "sysctl with another interface version", __HYPERVISOR_sysctl, { P(&sc_old) },
      EXPECT_EQ, -XEN_EACCES },
    { "platform_op settime64", __HYPERVISOR_platform_op, { P(&pf_settime) },
      EXPECT_EQ, -XEN_EPERM },
    { "platform_op with interface version 1", __HYPERVISOR_platform_op,
      { P(&pf_old) }, EXPECT_EQ, -XEN_EACCES },
    { "kexec_op 0", __HYPERVISOR_kexec_op, { 0, 0 }, EXPECT_EQ, -XEN_EPERM },
    { "hypfs_op 0", __HYPERVISOR_hypfs_op, { 0, 0 }, EXPECT_EQ, -XEN_EPERM },
    { "xenpmu_op 0 (no vPMU)", __HYPERVISOR_xenpmu_op, { 0, 0 },
      EXPECT_EQ, -XEN_EOPNOTSUPP },
    { "physdev_op cmd 99",
      __HYPERVISOR_physdev_op, { 99, 0 },
      EXPECT_EQ, -XEN_ENOSYS },

    /* Hypercall numbers with nothing behind them. */
    { "hypercall 60",
      60, { 0 },
      EXPECT_EQ, -XEN_ENOSYS },
    { "hypercall 127",
      127, { 0 },
      EXPECT_EQ, -XEN_ENOSYS },

    /* multicall: per-entry results, the call itself succeeds. */
    { "multicall mixed (2 entries)",
      __HYPERVISOR_multicall, { P(mc_mixed), ARRAY_SIZE(mc_mixed) },
      EXPECT_EQ, 0, post_mc_mixed },
    { "multicall unknown op (1 entry)",
      __HYPERVISOR_multicall, { P(mc_unknown), ARRAY_SIZE(mc_unknown) },
      EXPECT_EQ, 0, post_mc_unknown },
    { "multicall 0 entries",
      __HYPERVISOR_multicall, { P(mc_unknown), 0 },
      EXPECT_EQ, 0 },
    { "multicall, list unmapped",
      __HYPERVISOR_multicall, { BAD_UNMAPPED, 1 },
      EXPECT_EQ, -XEN_EFAULT },
};

/* ------------------------------------------------------------ the test */

static void run_case(const struct hc_case *c)
{
    unsigned long nr_pages = start_info->nr_pages;
    char e[48];
    long rc;

    memset(&out, 0, sizeof(out));
    rc = hypercall_raw(c->op, c->arg[0], c->arg[1], c->arg[2], c->arg[3],
                       c->arg[4]);

    switch ( c->kind )
    {
    case EXPECT_EQ:
        check_eq(c->name, rc, c->value);
        break;

    case EXPECT_NR_PAGES:
        check_eq(c->name, rc, (long)nr_pages + c->value);
        break;

    case EXPECT_MIN_PAGES:
        snprintf(e, sizeof(e), ">= nr_pages %#lx", nr_pages);
        check(c->name, rc, rc >= (long)nr_pages, e);
        break;

    case EXPECT_POSITIVE:
        check(c->name, rc, rc > 0, "> 0");
        break;
    }

    if ( c->post )
        c->post(rc);
}

void test_main(void)
{
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
        run_case(&cases[i]);

    printk("%u cases run\n", (unsigned int)ARRAY_SIZE(cases));
    xtf_success(NULL);
}
