/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/pvh.c - checking hvm_start_info and what it points to.
 *
 * The structures come from L0's toolstack (libxl's PVH builder), so a bad
 * one means a broken toolstack or a hand-made config: every field is
 * checked and the first problem is reported in one line, which boot_main
 * turns into a crash report to L0. Layout reference:
 * xen/include/public/arch-x86/hvm/start_info.h.
 */
#include "boot/pvh.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

#define FAIL(...)                               \
    do {                                        \
        snprintf(err, errlen, __VA_ARGS__);     \
        return false;                           \
    } while ( 0 )

/* A NUL-terminated string of at most BOOT_CMDLINE_MAX bytes at pa. */
static const char *read_cmdline(uint64_t pa, phys_map_fn map, const char *what,
                                char *err, size_t errlen)
{
    const char *s;
    size_t len;

    if ( !pa )
        return "";
    s = map(pa, BOOT_CMDLINE_MAX);
    if ( !s )
    {
        snprintf(err, errlen, "%s at %#llx is outside the memory the shim can map",
                 what, (unsigned long long)pa);
        return NULL;
    }
    len = strnlen(s, BOOT_CMDLINE_MAX);
    if ( len == BOOT_CMDLINE_MAX )
    {
        snprintf(err, errlen, "%s is longer than %u bytes", what,
                 BOOT_CMDLINE_MAX - 1);
        return NULL;
    }
    return s;
}

static bool add_overflows(uint64_t a, uint64_t b)
{
    return a + b < a;
}

static void sort_memmap(struct mem_region *m, unsigned int n)
{
    for ( unsigned int i = 1; i < n; i++ )
    {
        struct mem_region r = m[i];
        unsigned int j = i;

        for ( ; j && m[j - 1].addr > r.addr; j-- )
            m[j] = m[j - 1];
        m[j] = r;
    }
}

bool pvh_set_memmap(struct boot_info *bi, const struct mem_region *r,
                    unsigned int nr, char *err, size_t errlen)
{
    if ( nr == 0 )
        FAIL("the memory map is empty");
    if ( nr > BOOT_MAX_MEMMAP )
        FAIL("the memory map has %u entries, more than the %u supported",
             nr, BOOT_MAX_MEMMAP);

    bi->ram_bytes = 0;
    for ( unsigned int i = 0; i < nr; i++ )
    {
        if ( r[i].size == 0 || add_overflows(r[i].addr, r[i].size) )
            FAIL("memory map entry %u [%#llx, +%#llx) is empty or wraps", i,
                 (unsigned long long)r[i].addr, (unsigned long long)r[i].size);
        bi->memmap[i] = r[i];
        if ( r[i].type == XEN_HVM_MEMMAP_TYPE_RAM )
            bi->ram_bytes += r[i].size;
    }
    sort_memmap(bi->memmap, nr);

    for ( unsigned int i = 1; i < nr; i++ )
    {
        const struct mem_region *a = &bi->memmap[i - 1], *b = &bi->memmap[i];

        if ( a->addr + a->size > b->addr )
            FAIL("memory map entries [%#llx, +%#llx) and [%#llx, +%#llx) overlap",
                 (unsigned long long)a->addr, (unsigned long long)a->size,
                 (unsigned long long)b->addr, (unsigned long long)b->size);
    }
    if ( bi->ram_bytes == 0 )
        FAIL("the memory map has no RAM");

    bi->nr_memmap = nr;
    return true;
}

bool pvh_parse(uint64_t pa, phys_map_fn map, struct boot_info *bi,
               char *err, size_t errlen)
{
    const struct hvm_start_info *si;
    const struct hvm_modlist_entry *ml;
    uint32_t version;

    memset(bi, 0, sizeof(*bi));
    bi->start_info_pa = pa;
    bi->cmdline = "";

    /* The version 0 part first: the version says whether there is more. */
    si = map(pa, offsetof(struct hvm_start_info, memmap_paddr));
    if ( !si )
        FAIL("hvm_start_info at %#llx is outside the memory the shim can map",
             (unsigned long long)pa);
    if ( si->magic != XEN_HVM_START_MAGIC_VALUE )
        FAIL("hvm_start_info at %#llx has bad magic %#x (expected %#x)",
             (unsigned long long)pa, si->magic, XEN_HVM_START_MAGIC_VALUE);
    version = si->version;
    if ( version > 1 )
        FAIL("hvm_start_info version %u is unknown (this shim reads 0 and 1)",
             version);
    if ( version >= 1 && !(si = map(pa, sizeof(*si))) )
        FAIL("hvm_start_info v1 at %#llx is outside the memory the shim can map",
             (unsigned long long)pa);

    bi->version = version;
    bi->flags = si->flags;
    bi->rsdp_paddr = si->rsdp_paddr;
    bi->cmdline = read_cmdline(si->cmdline_paddr, map, "the shim command line",
                               err, errlen);
    if ( !bi->cmdline )
        return false;

    if ( si->nr_modules > BOOT_MAX_MODULES )
        FAIL("hvm_start_info lists %u modules, more than the %u supported",
             si->nr_modules, BOOT_MAX_MODULES);
    bi->nr_modules = si->nr_modules;
    bi->modlist_paddr = si->modlist_paddr;
    if ( bi->nr_modules )
    {
        ml = map(si->modlist_paddr, bi->nr_modules * sizeof(*ml));
        if ( !ml )
            FAIL("module list at %#llx is outside the memory the shim can map",
                 (unsigned long long)si->modlist_paddr);
        for ( unsigned int i = 0; i < bi->nr_modules; i++ )
        {
            struct boot_module *m = &bi->modules[i];
            char what[32];

            m->paddr = ml[i].paddr;
            m->size = ml[i].size;
            if ( m->size == 0 )
                FAIL("module %u is empty", i);
            if ( add_overflows(m->paddr, m->size) )
                FAIL("module %u [%#llx, +%#llx) wraps around", i,
                     (unsigned long long)m->paddr, (unsigned long long)m->size);
            snprintf(what, sizeof(what), "module %u command line", i);
            m->cmdline = read_cmdline(ml[i].cmdline_paddr, map, what, err, errlen);
            if ( !m->cmdline )
                return false;
        }
    }

    if ( version >= 1 && si->memmap_entries )
    {
        const struct hvm_memmap_table_entry *e;
        struct mem_region r[BOOT_MAX_MEMMAP];
        uint32_t n = si->memmap_entries;

        if ( n > BOOT_MAX_MEMMAP )
            FAIL("the memory map has %u entries, more than the %u supported",
                 n, BOOT_MAX_MEMMAP);
        e = map(si->memmap_paddr, n * sizeof(*e));
        if ( !e )
            FAIL("memory map at %#llx is outside the memory the shim can map",
                 (unsigned long long)si->memmap_paddr);
        for ( uint32_t i = 0; i < n; i++ )
            r[i] = (struct mem_region){ e[i].addr, e[i].size, e[i].type };
        return pvh_set_memmap(bi, r, n, err, errlen);
    }
    return true;
}

/* Is [start, end) covered by RAM entries of the (sorted) memory map? */
static bool range_in_ram(const struct boot_info *bi, uint64_t start, uint64_t end)
{
    for ( unsigned int i = 0; i < bi->nr_memmap && start < end; i++ )
    {
        const struct mem_region *m = &bi->memmap[i];

        if ( m->type != XEN_HVM_MEMMAP_TYPE_RAM )
            continue;
        if ( m->addr <= start && start < m->addr + m->size )
            start = m->addr + m->size;
    }
    return start >= end;
}

struct span {
    const char *name;
    unsigned int index;
    uint64_t start, end;
};

bool pvh_check_layout(const struct boot_info *bi, uint64_t img_start,
                      uint64_t img_end, char *err, size_t errlen)
{
    struct span s[BOOT_MAX_MODULES + 3];
    unsigned int n = 0;

    if ( bi->nr_modules == 0 )
        FAIL("no PV kernel: hvm_start_info has no modules (is the xl config's "
             "kernel= set, with type=\"pvh\" and pvshim=1?)");
    if ( bi->nr_memmap == 0 )
        FAIL("no memory map");

    for ( unsigned int i = 0; i < bi->nr_modules; i++ )
    {
        const struct boot_module *m = &bi->modules[i];

        if ( !range_in_ram(bi, m->paddr, m->paddr + m->size) )
            FAIL("module %u [%#llx, +%#llx) is not in RAM", i,
                 (unsigned long long)m->paddr, (unsigned long long)m->size);
        s[n++] = (struct span){ "module", i, m->paddr, m->paddr + m->size };
    }
    s[n++] = (struct span){ "the shim image", 0, img_start, img_end };
    s[n++] = (struct span){ "hvm_start_info", 0, bi->start_info_pa,
                            bi->start_info_pa + sizeof(struct hvm_start_info) };
    if ( bi->nr_modules )
        s[n++] = (struct span){ "the module list", 0, bi->modlist_paddr,
                                bi->modlist_paddr + bi->nr_modules *
                                sizeof(struct hvm_modlist_entry) };

    for ( unsigned int i = 0; i < n; i++ )
        for ( unsigned int j = i + 1; j < n; j++ )
        {
            if ( s[i].start >= s[j].end || s[j].start >= s[i].end )
                continue;
            if ( !strcmp(s[i].name, "module") && !strcmp(s[j].name, "module") )
                FAIL("modules %u and %u overlap", s[i].index, s[j].index);
            if ( !strcmp(s[i].name, "module") )
                FAIL("module %u overlaps %s", s[i].index, s[j].name);
            FAIL("%s overlaps %s", s[i].name, s[j].name);
        }
    return true;
}

const char *memmap_type_name(uint32_t type)
{
    switch ( type )
    {
    case XEN_HVM_MEMMAP_TYPE_RAM:       return "RAM";
    case XEN_HVM_MEMMAP_TYPE_RESERVED:  return "reserved";
    case XEN_HVM_MEMMAP_TYPE_ACPI:      return "ACPI data";
    case XEN_HVM_MEMMAP_TYPE_NVS:       return "ACPI NVS";
    case XEN_HVM_MEMMAP_TYPE_UNUSABLE:  return "unusable";
    case XEN_HVM_MEMMAP_TYPE_DISABLED:  return "disabled";
    case XEN_HVM_MEMMAP_TYPE_PMEM:      return "persistent memory";
    default:                            return "unknown type";
    }
}
