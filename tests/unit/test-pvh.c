/* SPDX-License-Identifier: GPL-2.0-only */
/* tests/unit/test-pvh.c - boot/pvh.c: hvm_start_info checks on a fake RAM. */
#include "harness.h"

#include "boot/pvh.h"

#define MiB(x)          ((uint64_t)(x) << 20)

/* The fake physical memory holds the start info structures only. */
#define PHYS_SIZE       MiB(1)
#define SI_PA           0x6000ULL
#define MODLIST_PA      0x6100ULL
#define CMDLINE_PA      0x7000ULL
#define MOD0_CMD_PA     0x8000ULL
#define MOD1_CMD_PA     0x9000ULL
#define MEMMAP_PA       0xa000ULL

/* Modules and the shim image are never read, only placed. */
#define IMG_START       MiB(1)
#define IMG_END         MiB(2)
#define KERNEL_PA       MiB(16)
#define KERNEL_SIZE     MiB(8)
#define INITRD_PA       MiB(32)
#define INITRD_SIZE     MiB(4)

#define SHIM_CMDLINE    "pv-shim console=xen,pv loglvl=all guest_loglvl=all"
#define MOD0_CMDLINE    "root=/dev/xvda1 console=hvc0"
#define MOD1_CMDLINE    "initrd"

static struct boot_info bi;
static char err[160];

static struct hvm_start_info *si(void)
{
    return phys_ptr(SI_PA, sizeof(struct hvm_start_info));
}

static struct hvm_modlist_entry *modlist(unsigned int n)
{
    return phys_ptr(MODLIST_PA, n * sizeof(struct hvm_modlist_entry));
}

static struct hvm_memmap_table_entry *memmap(unsigned int n)
{
    return phys_ptr(MEMMAP_PA, n * sizeof(struct hvm_memmap_table_entry));
}

/* What libxl's PVH builder gives a shim: RAM, ACPI tables, special pages. */
static const struct hvm_memmap_table_entry libxl_memmap[] = {
    { 0, MiB(512), XEN_HVM_MEMMAP_TYPE_RAM, 0 },
    { 0xfc000000ULL, 0x10000, XEN_HVM_MEMMAP_TYPE_ACPI, 0 },
    { 0xfeff8000ULL, 0x8000, XEN_HVM_MEMMAP_TYPE_RESERVED, 0 },
};

static void set_memmap(const struct hvm_memmap_table_entry *e, unsigned int n)
{
    memcpy(memmap(n), e, n * sizeof(*e));
    si()->memmap_paddr = MEMMAP_PA;
    si()->memmap_entries = n;
}

/* A good version 1 start info with a kernel and an initrd. */
static void build_good(void)
{
    struct hvm_start_info *s = si();
    struct hvm_modlist_entry *m = modlist(2);

    *s = (struct hvm_start_info){
        .magic = XEN_HVM_START_MAGIC_VALUE,
        .version = 1,
        .flags = 0x5,
        .nr_modules = 2,
        .modlist_paddr = MODLIST_PA,
        .cmdline_paddr = CMDLINE_PA,
        .rsdp_paddr = 0xfc000080ULL,
    };
    m[0] = (struct hvm_modlist_entry){ KERNEL_PA, KERNEL_SIZE, MOD0_CMD_PA, 0 };
    m[1] = (struct hvm_modlist_entry){ INITRD_PA, INITRD_SIZE, MOD1_CMD_PA, 0 };
    phys_puts(CMDLINE_PA, SHIM_CMDLINE);
    phys_puts(MOD0_CMD_PA, MOD0_CMDLINE);
    phys_puts(MOD1_CMD_PA, MOD1_CMDLINE);
    set_memmap(libxl_memmap, ARRAY_SIZE(libxl_memmap));
}

static bool parse_at(uint64_t pa)
{
    memset(&bi, 0xa5, sizeof(bi));
    err[0] = '\0';
    return pvh_parse(pa, phys_map, &bi, err, sizeof(err));
}

static bool parse(void)
{
    return parse_at(SI_PA);
}

static bool check_layout(void)
{
    err[0] = '\0';
    return pvh_check_layout(&bi, IMG_START, IMG_END, err, sizeof(err));
}

#define assert_ok(ok)                                                       \
    do {                                                                    \
        if ( !(ok) )                                                        \
            fail_msg("unexpected failure: %s", err);                        \
        assert_string_equal(err, "");                                       \
    } while ( 0 )

/* Failed, with every one of the words in the error message. */
#define assert_fails(ok, ...)                                               \
    do {                                                                    \
        static const char *const words_[] = { __VA_ARGS__ };                \
                                                                            \
        if ( ok )                                                           \
            fail_msg("unexpected success");                                 \
        for ( unsigned int w_ = 0; w_ < ARRAY_SIZE(words_); w_++ )          \
            if ( !strstr(err, words_[w_]) )                                 \
                fail_msg("error \"%s\" lacks \"%s\"", err, words_[w_]);     \
    } while ( 0 )

static int setup(void **state)
{
    phys_init(PHYS_SIZE);
    build_good();
    return 0;
}

static int teardown(void **state)
{
    phys_free();
    return 0;
}

/* ---------------------------------------------------------------- pvh_parse */

static void test_good_v1(void **state)
{
    assert_ok(parse());
    assert_int_equal(bi.start_info_pa, SI_PA);
    assert_int_equal(bi.version, 1);
    assert_int_equal(bi.flags, 0x5);
    assert_int_equal(bi.rsdp_paddr, 0xfc000080ULL);
    assert_int_equal(bi.modlist_paddr, MODLIST_PA);
    assert_string_equal(bi.cmdline, SHIM_CMDLINE);

    assert_int_equal(bi.nr_modules, 2);
    assert_int_equal(bi.modules[0].paddr, KERNEL_PA);
    assert_int_equal(bi.modules[0].size, KERNEL_SIZE);
    assert_string_equal(bi.modules[0].cmdline, MOD0_CMDLINE);
    assert_int_equal(bi.modules[1].paddr, INITRD_PA);
    assert_int_equal(bi.modules[1].size, INITRD_SIZE);
    assert_string_equal(bi.modules[1].cmdline, MOD1_CMDLINE);

    assert_int_equal(bi.nr_memmap, 3);
    for ( unsigned int i = 0; i < 3; i++ )
    {
        assert_int_equal(bi.memmap[i].addr, libxl_memmap[i].addr);
        assert_int_equal(bi.memmap[i].size, libxl_memmap[i].size);
        assert_int_equal(bi.memmap[i].type, libxl_memmap[i].type);
    }
    assert_int_equal(bi.ram_bytes, MiB(512));

    assert_ok(check_layout());
}

static void test_no_cmdlines(void **state)
{
    si()->cmdline_paddr = 0;
    modlist(2)[1].cmdline_paddr = 0;
    assert_ok(parse());
    assert_non_null(bi.cmdline);
    assert_string_equal(bi.cmdline, "");
    assert_string_equal(bi.modules[0].cmdline, MOD0_CMDLINE);
    assert_non_null(bi.modules[1].cmdline);
    assert_string_equal(bi.modules[1].cmdline, "");
}

static void test_v0(void **state)
{
    static const struct mem_region e820[] = {
        { MiB(1), MiB(511), XEN_HVM_MEMMAP_TYPE_RAM },
        { 0, 0x9f000, XEN_HVM_MEMMAP_TYPE_RAM },
        { 0xfc000000ULL, 0x10000, XEN_HVM_MEMMAP_TYPE_RESERVED },
    };

    /* The v1 fields hold a valid map, but a v0 reader must ignore them. */
    si()->version = 0;
    assert_ok(parse());
    assert_int_equal(bi.version, 0);
    assert_int_equal(bi.nr_modules, 2);
    assert_string_equal(bi.cmdline, SHIM_CMDLINE);
    assert_int_equal(bi.nr_memmap, 0);

    assert_fails(check_layout(), "no memory map");

    err[0] = '\0';
    assert_ok(pvh_set_memmap(&bi, e820, ARRAY_SIZE(e820), err, sizeof(err)));
    assert_int_equal(bi.nr_memmap, 3);
    assert_int_equal(bi.memmap[0].addr, 0);
    assert_int_equal(bi.memmap[1].addr, MiB(1));
    assert_int_equal(bi.memmap[2].addr, 0xfc000000ULL);
    assert_int_equal(bi.ram_bytes, MiB(511) + 0x9f000);
    assert_ok(check_layout());
}

static void test_v0_only_v0_part_mapped(void **state)
{
    /* A v0 structure right at the end of memory: its v1 fields unmapped. */
    uint64_t pa = PHYS_SIZE - offsetof(struct hvm_start_info, memmap_paddr);
    struct hvm_start_info *s = phys_ptr(pa, offsetof(struct hvm_start_info,
                                                     memmap_paddr));

    memcpy(s, si(), offsetof(struct hvm_start_info, memmap_paddr));
    s->version = 0;
    assert_ok(parse_at(pa));
    assert_int_equal(bi.start_info_pa, pa);
    assert_int_equal(bi.nr_modules, 2);
    assert_int_equal(bi.nr_memmap, 0);

    /* The same place as v1 is refused: its memory map fields are not there. */
    s->version = 1;
    assert_fails(parse_at(pa), "hvm_start_info v1", "outside");
}

static void test_v1_without_memmap(void **state)
{
    si()->memmap_entries = 0;
    si()->memmap_paddr = 0;
    assert_ok(parse());
    assert_int_equal(bi.version, 1);
    assert_int_equal(bi.nr_memmap, 0);
}

static void test_bad_magic(void **state)
{
    si()->magic = 0x336ec577;
    assert_fails(parse(), "bad magic", "0x336ec577", "0x336ec578", "0x6000");
}

static void test_version_2(void **state)
{
    si()->version = 2;
    assert_fails(parse(), "version 2", "unknown");
}

static void test_start_info_unmappable(void **state)
{
    static const uint64_t pas[] = {
        0, PHYS_SIZE, PHYS_SIZE - 8, PHYS_SIZE + 0x1000, UINT64_MAX - 8,
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(pas); i++ )
    {
        assert_fails(parse_at(pas[i]), "hvm_start_info", "outside");
        /* The failure leaves a clean boot_info behind. */
        assert_int_equal(bi.nr_modules, 0);
        assert_int_equal(bi.nr_memmap, 0);
    }
}

static void test_shim_cmdline_length(void **state)
{
    char *s = phys_ptr(CMDLINE_PA, BOOT_CMDLINE_MAX + 1);

    BUILD_BUG_ON(BOOT_CMDLINE_MAX != 1024);

    /* 1023 characters and the NUL: the longest that fits. */
    memset(s, 'a', BOOT_CMDLINE_MAX - 1);
    s[BOOT_CMDLINE_MAX - 1] = '\0';
    assert_ok(parse());
    assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);

    /* 1024 characters without a NUL among them. */
    s[BOOT_CMDLINE_MAX - 1] = 'a';
    s[BOOT_CMDLINE_MAX] = '\0';
    assert_fails(parse(), "the shim command line", "longer than 1023 bytes");
}

static void test_shim_cmdline_unmappable(void **state)
{
    si()->cmdline_paddr = PHYS_SIZE + 0x100;
    assert_fails(parse(), "the shim command line", "0x100100", "outside");
}

static void test_module_cmdline_too_long(void **state)
{
    memset(phys_ptr(MOD1_CMD_PA, BOOT_CMDLINE_MAX), 'm', BOOT_CMDLINE_MAX);
    assert_fails(parse(), "module 1 command line", "longer than 1023 bytes");

    modlist(2)[1].cmdline_paddr = UINT64_MAX - 10;
    assert_fails(parse(), "module 1 command line", "outside");
}

static void test_max_modules(void **state)
{
    struct hvm_modlist_entry *m = modlist(BOOT_MAX_MODULES + 1);

    for ( unsigned int i = 0; i < BOOT_MAX_MODULES + 1; i++ )
        m[i] = (struct hvm_modlist_entry){ MiB(16) + i * MiB(2), MiB(1), 0, 0 };

    si()->nr_modules = BOOT_MAX_MODULES;
    assert_ok(parse());
    assert_int_equal(bi.nr_modules, BOOT_MAX_MODULES);
    assert_int_equal(bi.modules[BOOT_MAX_MODULES - 1].paddr,
                     MiB(16) + (BOOT_MAX_MODULES - 1) * MiB(2));
    assert_ok(check_layout());

    si()->nr_modules = BOOT_MAX_MODULES + 1;
    assert_fails(parse(), "lists 9 modules", "more than the 8 supported");
}

static void test_modlist_unmappable(void **state)
{
    si()->modlist_paddr = PHYS_SIZE - sizeof(struct hvm_modlist_entry);
    assert_fails(parse(), "module list", "outside");

    si()->modlist_paddr = 0;
    assert_fails(parse(), "module list at 0", "outside");

    /* No modules: the list is not looked at. */
    si()->nr_modules = 0;
    assert_ok(parse());
    assert_int_equal(bi.nr_modules, 0);
}

static void test_empty_module(void **state)
{
    modlist(2)[1].size = 0;
    assert_fails(parse(), "module 1 is empty");
}

static void test_module_wraps(void **state)
{
    modlist(2)[0] = (struct hvm_modlist_entry){ 0xfffffffffffff000ULL, 0x2000,
                                                0, 0 };
    assert_fails(parse(), "module 0", "0xfffffffffffff000", "wraps around");

    /* Ending exactly at 2^64 wraps too. */
    modlist(2)[0].size = 0x1000;
    assert_fails(parse(), "module 0", "wraps around");
}

static void test_memmap_too_many(void **state)
{
    struct hvm_memmap_table_entry *e = memmap(BOOT_MAX_MEMMAP + 1);

    for ( unsigned int i = 0; i < BOOT_MAX_MEMMAP + 1; i++ )
        e[i] = (struct hvm_memmap_table_entry){ i * MiB(4), MiB(4),
                                                XEN_HVM_MEMMAP_TYPE_RAM, 0 };

    si()->memmap_entries = BOOT_MAX_MEMMAP;
    assert_ok(parse());
    assert_int_equal(bi.nr_memmap, BOOT_MAX_MEMMAP);
    assert_int_equal(bi.ram_bytes, BOOT_MAX_MEMMAP * MiB(4));
    assert_ok(check_layout());

    si()->memmap_entries = BOOT_MAX_MEMMAP + 1;
    assert_fails(parse(), "129 entries", "more than the 128 supported");
}

static void test_memmap_unmappable(void **state)
{
    si()->memmap_paddr = PHYS_SIZE - sizeof(struct hvm_memmap_table_entry);
    assert_fails(parse(), "memory map at", "outside");
}

static void test_memmap_bad_entries(void **state)
{
    struct hvm_memmap_table_entry e[3];

    memcpy(e, libxl_memmap, sizeof(e));
    e[1].size = 0;
    set_memmap(e, 3);
    assert_fails(parse(), "memory map entry 1", "0xfc000000", "empty or wraps");

    memcpy(e, libxl_memmap, sizeof(e));
    e[2] = (struct hvm_memmap_table_entry){ 0xfffffffffffff000ULL, 0x1000,
                                            XEN_HVM_MEMMAP_TYPE_RESERVED, 0 };
    set_memmap(e, 3);
    assert_fails(parse(), "memory map entry 2", "empty or wraps");

    memcpy(e, libxl_memmap, sizeof(e));
    e[2].addr = 0xfc00f000ULL;       /* into the ACPI entry */
    set_memmap(e, 3);
    assert_fails(parse(), "[0xfc000000, +0x10000)", "[0xfc00f000, +0x8000)",
                 "overlap");

    /* Overlapping entries that are only adjacent once sorted. */
    memcpy(e, libxl_memmap, sizeof(e));
    e[2] = (struct hvm_memmap_table_entry){ MiB(256), MiB(1),
                                            XEN_HVM_MEMMAP_TYPE_RESERVED, 0 };
    set_memmap(e, 3);
    assert_fails(parse(), "[0, +0x20000000)", "[0x10000000, +0x100000)",
                 "overlap");

    /* By a single byte; touching is fine. */
    memcpy(e, libxl_memmap, sizeof(e));
    e[1] = (struct hvm_memmap_table_entry){ MiB(512) - 1, 0x1000,
                                            XEN_HVM_MEMMAP_TYPE_RESERVED, 0 };
    set_memmap(e, 3);
    assert_fails(parse(), "[0x1fffffff, +0x1000)", "overlap");
    e[1].addr = MiB(512);
    set_memmap(e, 3);
    assert_ok(parse());
    assert_int_equal(bi.nr_memmap, 3);

    /* Identical start addresses. */
    memcpy(e, libxl_memmap, sizeof(e));
    e[1].addr = 0;
    set_memmap(e, 3);
    assert_fails(parse(), "overlap");
}

static void test_memmap_no_ram(void **state)
{
    set_memmap(libxl_memmap + 1, 2);
    assert_fails(parse(), "no RAM");
}

static void test_memmap_sorted(void **state)
{
    static const struct hvm_memmap_table_entry e[] = {
        { 0xfeff8000ULL, 0x8000, XEN_HVM_MEMMAP_TYPE_RESERVED, 0 },
        { MiB(1), MiB(511), XEN_HVM_MEMMAP_TYPE_RAM, 0 },
        { 0xfc000000ULL, 0x10000, XEN_HVM_MEMMAP_TYPE_ACPI, 0 },
        { 0, 0x9f000, XEN_HVM_MEMMAP_TYPE_RAM, 0 },
        { 0x100000000ULL, MiB(512), XEN_HVM_MEMMAP_TYPE_RAM, 0 },
    };
    static const uint64_t sorted[] = {
        0, MiB(1), 0xfc000000ULL, 0xfeff8000ULL, 0x100000000ULL,
    };

    set_memmap(e, ARRAY_SIZE(e));
    assert_ok(parse());
    assert_int_equal(bi.nr_memmap, ARRAY_SIZE(e));
    for ( unsigned int i = 0; i < ARRAY_SIZE(sorted); i++ )
        assert_int_equal(bi.memmap[i].addr, sorted[i]);
    assert_int_equal(bi.memmap[1].size, MiB(511));
    assert_int_equal(bi.memmap[1].type, XEN_HVM_MEMMAP_TYPE_RAM);
    assert_int_equal(bi.memmap[3].type, XEN_HVM_MEMMAP_TYPE_RESERVED);
    assert_int_equal(bi.ram_bytes, 0x9f000 + MiB(511) + MiB(512));
    assert_ok(check_layout());
}

static void test_set_memmap_errors(void **state)
{
    struct mem_region r[BOOT_MAX_MEMMAP + 1] = {
        { 0, MiB(1), XEN_HVM_MEMMAP_TYPE_RAM },
    };

    memset(&bi, 0, sizeof(bi));
    assert_fails(pvh_set_memmap(&bi, r, 0, err, sizeof(err)), "empty");
    assert_fails(pvh_set_memmap(&bi, r, BOOT_MAX_MEMMAP + 1, err, sizeof(err)),
                 "129 entries");
    assert_int_equal(bi.nr_memmap, 0);

    r[1] = (struct mem_region){ MiB(1), 0, XEN_HVM_MEMMAP_TYPE_RAM };
    assert_fails(pvh_set_memmap(&bi, r, 2, err, sizeof(err)), "entry 1",
                 "empty or wraps");
    assert_int_equal(bi.nr_memmap, 0);

    err[0] = '\0';
    assert_true(pvh_set_memmap(&bi, r, 1, err, sizeof(err)));
    assert_int_equal(bi.nr_memmap, 1);
    assert_int_equal(bi.ram_bytes, MiB(1));
}

static void test_error_truncated(void **state)
{
    char small[16];

    memset(small, 'X', sizeof(small));
    si()->version = 7;
    assert_false(pvh_parse(SI_PA, phys_map, &bi, small, 12));
    assert_string_equal(small, "hvm_start_i");
    assert_int_equal(small[12], 'X');
}

/* ---------------------------------------------------------------- pvh_check_layout */

static void test_layout_no_modules(void **state)
{
    si()->nr_modules = 0;
    assert_ok(parse());
    assert_fails(check_layout(), "no PV kernel", "kernel=");
}

static void test_layout_no_memmap(void **state)
{
    si()->memmap_entries = 0;
    assert_ok(parse());
    assert_fails(check_layout(), "no memory map");
}

static void test_layout_module_outside_ram(void **state)
{
    static const struct {
        uint64_t paddr, size;
    } cases[] = {
        { 0xfc000000ULL, 0x1000 },      /* in the ACPI region */
        { MiB(512), MiB(1) },           /* just above RAM */
        { MiB(511), MiB(2) },           /* straddling the end of RAM */
        { 0x100000000ULL, MiB(1) },     /* above 4 GiB, no RAM there */
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        modlist(2)[1].paddr = cases[i].paddr;
        modlist(2)[1].size = cases[i].size;
        assert_ok(parse());
        assert_fails(check_layout(), "module 1", "not in RAM");
    }

    /* Ending exactly at the end of RAM is fine. */
    modlist(2)[1].paddr = MiB(511);
    modlist(2)[1].size = MiB(1);
    assert_ok(parse());
    assert_ok(check_layout());
}

static void test_layout_module_spans_ram_regions(void **state)
{
    static const struct hvm_memmap_table_entry split[] = {
        { 0, MiB(256), XEN_HVM_MEMMAP_TYPE_RAM, 0 },
        { MiB(256), MiB(256), XEN_HVM_MEMMAP_TYPE_RAM, 0 },
        { 0xfc000000ULL, 0x10000, XEN_HVM_MEMMAP_TYPE_ACPI, 0 },
    };
    static const struct hvm_memmap_table_entry hole[] = {
        { 0, MiB(256), XEN_HVM_MEMMAP_TYPE_RAM, 0 },
        { MiB(256) + 0x1000, MiB(256), XEN_HVM_MEMMAP_TYPE_RAM, 0 },
    };
    static const struct hvm_memmap_table_entry reserved[] = {
        { 0, MiB(256), XEN_HVM_MEMMAP_TYPE_RAM, 0 },
        { MiB(256), 0x1000, XEN_HVM_MEMMAP_TYPE_RESERVED, 0 },
        { MiB(256) + 0x1000, MiB(256), XEN_HVM_MEMMAP_TYPE_RAM, 0 },
    };

    modlist(2)[1].paddr = MiB(255);
    modlist(2)[1].size = MiB(2);

    set_memmap(split, ARRAY_SIZE(split));
    assert_ok(parse());
    assert_ok(check_layout());

    set_memmap(hole, ARRAY_SIZE(hole));
    assert_ok(parse());
    assert_fails(check_layout(), "module 1", "not in RAM");

    set_memmap(reserved, ARRAY_SIZE(reserved));
    assert_ok(parse());
    assert_fails(check_layout(), "module 1", "not in RAM");
}

static void test_layout_modules_overlap(void **state)
{
    modlist(2)[1].paddr = KERNEL_PA + KERNEL_SIZE - 0x1000;
    assert_ok(parse());
    assert_fails(check_layout(), "modules 0 and 1 overlap");

    /* Touching is not overlapping. */
    modlist(2)[1].paddr = KERNEL_PA + KERNEL_SIZE;
    assert_ok(parse());
    assert_ok(check_layout());

    /* One inside the other. */
    modlist(2)[1].paddr = KERNEL_PA + 0x1000;
    modlist(2)[1].size = 0x1000;
    assert_ok(parse());
    assert_fails(check_layout(), "modules 0 and 1 overlap");
}

static void test_layout_module_overlaps_image(void **state)
{
    modlist(2)[0].paddr = IMG_END - 0x1000;
    assert_ok(parse());
    assert_fails(check_layout(), "module 0 overlaps the shim image");

    modlist(2)[0].paddr = IMG_END;
    assert_ok(parse());
    assert_ok(check_layout());

    /* The image inside a module. */
    modlist(2)[0].paddr = 0;
    modlist(2)[0].size = MiB(8);
    assert_ok(parse());
    assert_fails(check_layout(), "module 0 overlaps the shim image");
}

static void test_layout_module_overlaps_start_info(void **state)
{
    modlist(2)[1].paddr = SI_PA + sizeof(struct hvm_start_info) - 1;
    modlist(2)[1].size = 0x10;
    assert_ok(parse());
    assert_fails(check_layout(), "module 1 overlaps hvm_start_info");

    modlist(2)[1].paddr = MODLIST_PA + 0x3f;
    modlist(2)[1].size = 1;
    assert_ok(parse());
    assert_fails(check_layout(), "module 1 overlaps the module list");

    /* Just past the two entries of the module list. */
    modlist(2)[1].paddr = MODLIST_PA + 0x40;
    assert_ok(parse());
    assert_ok(check_layout());
}

static void test_layout_image_overlaps_start_info(void **state)
{
    assert_ok(parse());
    err[0] = '\0';
    assert_fails(pvh_check_layout(&bi, 0x5000, SI_PA + 1, err, sizeof(err)),
                 "the shim image overlaps hvm_start_info");
    err[0] = '\0';
    assert_ok(pvh_check_layout(&bi, 0x5000, SI_PA, err, sizeof(err)));
}

static void test_memmap_type_names(void **state)
{
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_RAM), "RAM");
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_RESERVED), "reserved");
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_ACPI), "ACPI data");
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_NVS), "ACPI NVS");
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_UNUSABLE), "unusable");
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_DISABLED), "disabled");
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_PMEM),
                        "persistent memory");
    assert_string_equal(memmap_type_name(0), "unknown type");
    assert_string_equal(memmap_type_name(8), "unknown type");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_good_v1),
        T(test_no_cmdlines),
        T(test_v0),
        T(test_v0_only_v0_part_mapped),
        T(test_v1_without_memmap),
        T(test_bad_magic),
        T(test_version_2),
        T(test_start_info_unmappable),
        T(test_shim_cmdline_length),
        T(test_shim_cmdline_unmappable),
        T(test_module_cmdline_too_long),
        T(test_max_modules),
        T(test_modlist_unmappable),
        T(test_empty_module),
        T(test_module_wraps),
        T(test_memmap_too_many),
        T(test_memmap_unmappable),
        T(test_memmap_bad_entries),
        T(test_memmap_no_ram),
        T(test_memmap_sorted),
        T(test_set_memmap_errors),
        T(test_error_truncated),
        T(test_layout_no_modules),
        T(test_layout_no_memmap),
        T(test_layout_module_outside_ram),
        T(test_layout_module_spans_ram_regions),
        T(test_layout_modules_overlap),
        T(test_layout_module_overlaps_image),
        T(test_layout_module_overlaps_start_info),
        T(test_layout_image_overlaps_start_info),
        T(test_memmap_type_names),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
