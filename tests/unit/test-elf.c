/* SPDX-License-Identifier: GPL-2.0-only */
/* tests/unit/test-elf.c - pvops/elf.c: guest kernel ELF and Xen notes. */
#include "harness.h"

#include <elf.h>

#include "lib/vsnprintf.h"
#include "pvops/elf.h"
#include <xen/elfnote.h>

/*
 * Synthetic images are built in buf with the host's <elf.h> structures (an
 * independent statement of the layouts elf.c declares itself), then copied
 * to an exact-size heap block for parsing, so ASan catches any read past
 * the end.
 *
 * The standard image is Linux-like:
 *
 *   0x0000  ELF header              0x0800  section headers
 *   0x0040  program headers         0x0a00  .shstrtab
 *   0x0200  Xen notes               0x0b00  __xen_guest string
 *   0x1000  text, 0x2000 bytes      -> paddr 0x1000000
 *   0x3000  data, 0x800 in the file -> paddr 0x1002000, 0x2000 in memory
 */
#define BUF_SIZE        0x4000
#define PHOFF           0x40
#define NOTES_OFF       0x200
#define SHOFF           0x800
#define STRTAB_OFF      0xa00
#define GUEST_OFF       0xb00
#define TEXT_OFF        0x1000
#define TEXT_SIZE       0x2000
#define DATA_OFF        0x3000
#define DATA_FILESZ     0x800
#define DATA_MEMSZ      0x2000

#define VIRT_BASE       0xffffffff80000000ULL
#define PADDR           0x1000000ULL
#define KSTART          (VIRT_BASE + PADDR)
#define KEND            (KSTART + TEXT_SIZE + DATA_MEMSZ)
#define ENTRY           (KSTART + 0x100)
#define E_ENTRY         (KSTART + 0x200)
#define HYPERCALL       (KSTART + 0x1000)
#define INIT_P2M        0x8000000000ULL

static uint8_t *buf;            /* the image being built */
static uint64_t buf_len;        /* what is handed to elf_parse */
static size_t notes_len;
static size_t strtab_len;

static uint8_t *copy;           /* the exact-size copy last parsed */
static struct elf_info info;
static char err[256];

static Elf64_Ehdr *ehdr(void)
{
    return (Elf64_Ehdr *)buf;
}

static Elf64_Phdr *phdr(unsigned int i)
{
    return (Elf64_Phdr *)(buf + PHOFF) + i;
}

static Elf64_Shdr *shdr(unsigned int i)
{
    return (Elf64_Shdr *)(buf + SHOFF) + i;
}

/* ---------------------------------------------------------------- building */

static void img_begin(void)
{
    Elf64_Ehdr *eh = ehdr();

    memset(buf, 0, BUF_SIZE);
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = E_ENTRY;
    eh->e_phoff = PHOFF;
    eh->e_ehsize = sizeof(*eh);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    buf_len = DATA_OFF + DATA_FILESZ;
    notes_len = 0;
    strtab_len = 0;
}

static unsigned int add_phdr(uint32_t type, uint32_t flags, uint64_t offset,
                             uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
    unsigned int i = ehdr()->e_phnum++;
    Elf64_Phdr *ph = phdr(i);

    assert_true(PHOFF + (i + 1) * sizeof(*ph) <= NOTES_OFF);
    ph->p_type = type;
    ph->p_flags = flags;
    ph->p_offset = offset;
    ph->p_vaddr = paddr + VIRT_BASE;
    ph->p_paddr = paddr;
    ph->p_filesz = filesz;
    ph->p_memsz = memsz;
    ph->p_align = 0x1000;
    return i;
}

/* Text and data+bss, with recognisable file bytes. */
static void add_loads(void)
{
    for ( unsigned int i = 0; i < TEXT_SIZE; i++ )
        buf[TEXT_OFF + i] = i * 7 + 1;
    for ( unsigned int i = 0; i < DATA_FILESZ; i++ )
        buf[DATA_OFF + i] = i * 13 + 5;
    add_phdr(PT_LOAD, PF_R | PF_X, TEXT_OFF, PADDR, TEXT_SIZE, TEXT_SIZE);
    add_phdr(PT_LOAD, PF_R | PF_W, DATA_OFF, PADDR + TEXT_SIZE, DATA_FILESZ,
             DATA_MEMSZ);
}

/* A note of any name at the end of the notes area. */
static void add_note_named(const char *name, uint32_t type, const void *desc,
                           uint32_t descsz)
{
    Elf64_Nhdr nh = {
        .n_namesz = strlen(name) + 1, .n_descsz = descsz, .n_type = type,
    };
    uint8_t *p = buf + NOTES_OFF + notes_len;

    assert_true(NOTES_OFF + notes_len + sizeof(nh) + 64 + descsz <= SHOFF);
    memcpy(p, &nh, sizeof(nh));
    memcpy(p + sizeof(nh), name, nh.n_namesz);
    memcpy(p + sizeof(nh) + ROUNDUP(nh.n_namesz, 4), desc, descsz);
    notes_len += sizeof(nh) + ROUNDUP(nh.n_namesz, 4) + ROUNDUP(descsz, 4);
}

static void add_note(uint32_t type, const void *desc, uint32_t descsz)
{
    add_note_named("Xen", type, desc, descsz);
}

/* A little-endian number of size bytes (any size up to 16). */
static void add_note_num(uint32_t type, uint64_t val, uint32_t size)
{
    uint8_t desc[16] = { 0 };

    assert_true(size <= sizeof(desc));
    memcpy(desc, &val, MIN(size, sizeof(val)));
    add_note(type, desc, size);
}

static void add_note_str(uint32_t type, const char *s)
{
    add_note(type, s, strlen(s) + 1);
}

/* The notes of a 64-bit Linux 6.1 (arch/x86/xen/xen-head.S). */
static void add_linux_notes(void)
{
    const uint64_t l1_mfn_valid[2] = { 1, 1 };

    add_note_str(XEN_ELFNOTE_GUEST_OS, "linux");
    add_note_str(XEN_ELFNOTE_GUEST_VERSION, "2.6");
    add_note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_note_num(XEN_ELFNOTE_VIRT_BASE, VIRT_BASE, 8);
    add_note_num(XEN_ELFNOTE_PADDR_OFFSET, 0, 8);
    add_note_num(XEN_ELFNOTE_ENTRY, ENTRY, 8);
    add_note_num(XEN_ELFNOTE_HYPERCALL_PAGE, HYPERCALL, 8);
    /* .ascii: 41 bytes, the NUL only in the padding. */
    add_note(XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb",
             41);
    add_note_num(XEN_ELFNOTE_SUPPORTED_FEATURES,
                 (1U << XENFEAT_writable_page_tables) | (1U << XENFEAT_dom0) |
                 (1U << XENFEAT_linux_rsdp_unrestricted), 4);
    add_note_str(XEN_ELFNOTE_LOADER, "generic");
    add_note(XEN_ELFNOTE_L1_MFN_VALID, l1_mfn_valid, sizeof(l1_mfn_valid));
    add_note_num(XEN_ELFNOTE_MOD_START_PFN, 1, 4);
    add_note_num(XEN_ELFNOTE_INIT_P2M, INIT_P2M, 8);
    add_note_num(XEN_ELFNOTE_SUSPEND_CANCEL, 1, 4);
}

static unsigned int add_notes_phdr(void)
{
    return add_phdr(PT_NOTE, PF_R, NOTES_OFF, 0, notes_len, notes_len);
}

/* Section i, creating the null section and .shstrtab (1) first. */
static unsigned int add_section(const char *name, uint32_t type,
                                uint64_t offset, uint64_t size)
{
    Elf64_Ehdr *eh = ehdr();
    unsigned int i;

    if ( !eh->e_shnum )
    {
        eh->e_shoff = SHOFF;
        eh->e_shentsize = sizeof(Elf64_Shdr);
        eh->e_shnum = 2;
        eh->e_shstrndx = 1;
        strtab_len = 1;
        shdr(1)->sh_type = SHT_STRTAB;
        shdr(1)->sh_offset = STRTAB_OFF;
        shdr(1)->sh_name = strtab_len;
        strcpy((char *)buf + STRTAB_OFF + strtab_len, ".shstrtab");
        strtab_len += strlen(".shstrtab") + 1;
    }
    i = eh->e_shnum++;
    assert_true(SHOFF + eh->e_shnum * sizeof(Elf64_Shdr) <= STRTAB_OFF);
    assert_true(STRTAB_OFF + strtab_len + strlen(name) + 1 <= GUEST_OFF);
    shdr(i)->sh_name = strtab_len;
    shdr(i)->sh_type = type;
    shdr(i)->sh_offset = offset;
    shdr(i)->sh_size = size;
    strcpy((char *)buf + STRTAB_OFF + strtab_len, name);
    strtab_len += strlen(name) + 1;
    shdr(1)->sh_size = strtab_len;
    return i;
}

static void add_xen_guest(const char *s)
{
    strcpy((char *)buf + GUEST_OFF, s);
    add_section("__xen_guest", SHT_PROGBITS, GUEST_OFF, strlen(s) + 1);
}

static void linux_image(void)
{
    img_begin();
    add_loads();
    add_linux_notes();
    add_notes_phdr();
}

/* ---------------------------------------------------------------- parsing */

static bool parse_len(uint64_t len)
{
    bool ok;

    free(copy);
    copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, buf, len);
    memset(&info, 0xa5, sizeof(info));
    memset(err, 0, sizeof(err));
    ok = elf_parse(copy, len, &info, err, sizeof(err));
    if ( ok )
        assert_string_equal(err, "");
    else
    {
        /* One line, and something in it. */
        assert_true(strlen(err) > 10);
        assert_null(strchr(err, '\n'));
    }
    return ok;
}

static bool parse(void)
{
    return parse_len(buf_len);
}

#define assert_parses()                                                     \
    do {                                                                    \
        if ( !parse() )                                                     \
            fail_msg("elf_parse refused: %s", err);                         \
    } while ( 0 )

#define assert_refused(what)                                                \
    do {                                                                    \
        if ( parse() )                                                      \
            fail_msg("elf_parse accepted, expected \"%s\"", (what));        \
        if ( !strstr(err, (what)) )                                         \
            fail_msg("error \"%s\" lacks \"%s\"", err, (what));             \
    } while ( 0 )

static int setup(void **state)
{
    buf = calloc(1, BUF_SIZE);
    return buf ? 0 : -1;
}

static int teardown(void **state)
{
    free(buf);
    free(copy);
    buf = copy = NULL;
    return 0;
}

/* ---------------------------------------------------------------- good images */

static void test_linux_like(void **state)
{
    linux_image();
    assert_parses();

    assert_int_equal(info.elf_class, 64);
    assert_int_equal(info.machine, ELF_MACHINE_X86_64);
    assert_int_equal(info.e_entry, E_ENTRY);
    assert_int_equal(info.nr_load, 2);
    assert_int_equal(info.pstart, PADDR);
    assert_int_equal(info.pend, PADDR + TEXT_SIZE + DATA_MEMSZ);
    assert_true(info.xen_notes);
    assert_false(info.xen_guest_section);

    assert_int_equal(info.virt_base, VIRT_BASE);
    assert_int_equal(info.paddr_offset, 0);
    assert_int_equal(info.virt_offset, VIRT_BASE);
    assert_int_equal(info.virt_kstart, KSTART);
    assert_int_equal(info.virt_kend, KEND);
    assert_int_equal(info.entry, ENTRY);
    assert_int_equal(info.hypercall_page, HYPERCALL);
    assert_int_equal(info.init_p2m, INIT_P2M);
    assert_int_equal(info.hv_start_low, ELF_UNSET);
    assert_int_equal(info.phys32_entry, ELF_UNSET32);
    assert_true(info.mod_start_pfn);
    assert_true(info.suspend_cancel);
    assert_false(info.bsd_symtab);
    assert_true(info.l1_mfn_valid);
    assert_int_equal(info.l1_mfn_valid_mask, 1);
    assert_int_equal(info.l1_mfn_valid_value, 1);
    assert_int_equal(info.pae, ELF_PAE_NO);

    assert_string_equal(info.guest_os, "linux");
    assert_string_equal(info.guest_version, "2.6");
    assert_string_equal(info.xen_version, "xen-3.0");
    assert_string_equal(info.loader, "generic");

    assert_int_equal(info.f_required[0], 1U << XENFEAT_writable_page_tables);
    assert_int_equal(info.f_supported[0],
                     (1U << XENFEAT_writable_page_tables) |
                     (1U << XENFEAT_pae_pgdir_above_4gb) |
                     (1U << XENFEAT_dom0) |
                     (1U << XENFEAT_linux_rsdp_unrestricted));
    assert_true(elf_feature(info.f_required, XENFEAT_writable_page_tables));
    assert_false(elf_feature(info.f_required, XENFEAT_pae_pgdir_above_4gb));
    assert_true(elf_feature(info.f_supported, XENFEAT_pae_pgdir_above_4gb));
    assert_false(elf_feature(info.f_supported, 32 * XENFEAT_NR_SUBMAPS));
}

/* Values of 1, 2, 4 and 8 bytes, as elf_note_numeric; nothing else. */
static void test_numeric_sizes(void **state)
{
    static const uint32_t sizes[] = { 1, 2, 4, 8 };
    const uint64_t v = 0x8877665544332211ULL;

    for ( unsigned int i = 0; i < ARRAY_SIZE(sizes); i++ )
    {
        uint64_t base = sizes[i] == 8 ? v : v & ((1ULL << (8 * sizes[i])) - 1);

        img_begin();
        add_loads();
        add_note_str(XEN_ELFNOTE_GUEST_OS, "linux");
        add_note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
        add_note_num(XEN_ELFNOTE_VIRT_BASE, v, sizes[i]);
        add_note_num(XEN_ELFNOTE_PADDR_OFFSET, 0, sizes[i]);
        add_note_num(XEN_ELFNOTE_ENTRY, base + PADDR + 0x100, 8);
        add_note_num(XEN_ELFNOTE_MOD_START_PFN, 0x100, sizes[i]);
        add_notes_phdr();
        assert_parses();
        assert_int_equal(info.virt_base, base);
        assert_int_equal(info.paddr_offset, 0);
        assert_int_equal(info.virt_kstart, base + PADDR);
        assert_int_equal(info.entry, base + PADDR + 0x100);
        /* A flag is any non-zero value: 0x100 in one byte is 0. */
        assert_int_equal(info.mod_start_pfn, sizes[i] > 1);
    }

    /* 4-byte ENTRY of a 32-bit-clean layout. */
    img_begin();
    add_loads();
    add_note_str(XEN_ELFNOTE_GUEST_OS, "linux");
    add_note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_note_num(XEN_ELFNOTE_ENTRY, PADDR + 0x10, 4);
    add_note_num(XEN_ELFNOTE_PHYS32_ENTRY, PADDR + 0x20, 4);
    add_note_num(XEN_ELFNOTE_HV_START_LOW, 0xf5800000, 4);
    add_notes_phdr();
    assert_parses();
    assert_int_equal(info.entry, PADDR + 0x10);
    assert_int_equal(info.phys32_entry, PADDR + 0x20);
    assert_int_equal(info.hv_start_low, 0xf5800000);
    assert_int_equal(info.virt_base, 0);
    assert_int_equal(info.virt_kstart, PADDR);
    assert_int_equal(info.hypercall_page, ELF_UNSET);

    for ( uint32_t size = 0; size < 12; size++ )
    {
        if ( size == 1 || size == 2 || size == 4 || size == 8 )
            continue;
        linux_image();
        notes_len = 0;
        add_note_str(XEN_ELFNOTE_GUEST_OS, "linux");
        add_note_num(XEN_ELFNOTE_SUSPEND_CANCEL, 1, size);
        phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
        assert_refused("Xen note SUSPEND_CANCEL has a");
    }
}

/* Notes in an SHT_NOTE section are used only when no PT_NOTE has any. */
static void test_notes_in_section(void **state)
{
    img_begin();
    add_loads();
    add_linux_notes();
    add_section(".note.Xen", SHT_NOTE, NOTES_OFF, notes_len);
    assert_parses();
    assert_true(info.xen_notes);
    assert_int_equal(info.entry, ENTRY);

    /* A PT_NOTE at offset 0 is a binutils bug: skipped, as libelf does. */
    add_phdr(PT_NOTE, PF_R, 0, 0, 64, 64);
    assert_parses();
    assert_int_equal(info.entry, ENTRY);

    /* A PT_NOTE with only a GNU note: the section is still looked at. */
    img_begin();
    add_loads();
    add_note_named("GNU", 3, "0123456789abcdef", 16);
    add_notes_phdr();
    add_linux_notes();
    add_section(".note.Xen", SHT_NOTE, NOTES_OFF + 32, notes_len - 32);
    assert_parses();
    assert_true(info.xen_notes);
    assert_int_equal(info.virt_kstart, KSTART);

    /* When the PT_NOTE has Xen notes, the sections are not read ... */
    linux_image();
    add_section(".note.bad", SHT_NOTE, GUEST_OFF, 12);
    *(uint32_t *)(buf + GUEST_OFF) = 0x1000;    /* namesz overruns 12 */
    assert_parses();
    /* ... otherwise they are. */
    phdr(2)->p_type = PT_NULL;
    assert_refused("SHT_NOTE section 2: note at offset 0x0 (namesz 4096, descsz 0) overruns it (0xc bytes)");
}

/* The legacy __xen_guest string (elf_xen_parse_guest_info). */
static void test_xen_guest_legacy(void **state)
{
    img_begin();
    add_loads();
    add_xen_guest("GUEST_OS=linux,GUEST_VER=2.6,XEN_VER=xen-3.0,"
                  "VIRT_BASE=0xffffffff80000000,ELF_PADDR_OFFSET=0x0,"
                  "VIRT_ENTRY=0xffffffff81000100,HYPERCALL_PAGE=0x1001,"
                  "LOADER=generic,FEATURES=writable_page_tables|"
                  "!pae_pgdir_above_4gb|!writable_descriptor_tables,"
                  "PAE=yes[extended-cr3],BSD_SYMTAB");
    assert_parses();
    assert_false(info.xen_notes);
    assert_true(info.xen_guest_section);
    assert_string_equal(info.guest_os, "linux");
    assert_string_equal(info.guest_version, "2.6");
    assert_string_equal(info.xen_version, "xen-3.0");
    assert_string_equal(info.loader, "generic");
    assert_int_equal(info.virt_base, VIRT_BASE);
    assert_int_equal(info.paddr_offset, 0);
    assert_int_equal(info.entry, ENTRY);
    /* A page number, relative to VIRT_BASE. */
    assert_int_equal(info.hypercall_page, VIRT_BASE + 0x1001000);
    assert_int_equal(info.pae, ELF_PAE_EXTCR3);
    assert_true(info.bsd_symtab);
    assert_int_equal(info.f_required[0],
                     (1U << XENFEAT_pae_pgdir_above_4gb) |
                     (1U << XENFEAT_writable_descriptor_tables));
    assert_int_equal(info.f_supported[0],
                     (1U << XENFEAT_pae_pgdir_above_4gb) |
                     (1U << XENFEAT_writable_descriptor_tables) |
                     (1U << XENFEAT_writable_page_tables));

    /*
     * Old kernels wrote virt addresses into p_paddr: ELF_PADDR_OFFSET
     * defaults to VIRT_BASE. Numbers parse as strtoull(s, NULL, 0); the
     * section may end without a NUL; "PAE=yes..." is plain PAE.
     */
    img_begin();
    add_loads();
    phdr(0)->p_paddr += 0xc0000000;
    phdr(1)->p_paddr += 0xc0000000;
    add_xen_guest("GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000,"
                  "VIRT_ENTRY=030100000400,PAE=yes,HYPERCALL_PAGE=0x1001,"
                  "UNKNOWN_KEY=1,,=x,FEATURES=nonsense|dom0,LOADER=gen");
    shdr(2)->sh_size--;
    assert_parses();
    assert_int_equal(info.virt_base, 0xc0000000);
    assert_int_equal(info.paddr_offset, 0xc0000000);
    assert_int_equal(info.virt_offset, 0);
    assert_int_equal(info.virt_kstart, 0xc1000000);
    assert_int_equal(info.entry, 0xc1000100);
    assert_int_equal(info.hypercall_page, 0xc1001000);
    assert_int_equal(info.pae, ELF_PAE_YES);
    assert_int_equal(info.f_required[0], 0);
    assert_int_equal(info.f_supported[0], 1U << XENFEAT_dom0);
    assert_string_equal(info.loader, "gen");

    /* Without VIRT_BASE, a legacy HYPERCALL_PAGE stays a plain address. */
    img_begin();
    add_loads();
    add_xen_guest("GUEST_OS=linux,XEN_VER=xen-3.0,HYPERCALL_PAGE=0x1001,"
                  "VIRT_ENTRY=0x1000000");
    assert_parses();
    assert_int_equal(info.hypercall_page, 0x1001000);
    assert_int_equal(info.virt_base, 0);

    /* Notes win over __xen_guest. */
    linux_image();
    add_xen_guest("GUEST_OS=other,XEN_VER=xen-2.0");
    assert_parses();
    assert_true(info.xen_notes);
    assert_false(info.xen_guest_section);
    assert_string_equal(info.guest_os, "linux");

    /* A legacy required feature that is unknown. */
    img_begin();
    add_loads();
    add_xen_guest("GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_ENTRY=0x1000000,"
                  "FEATURES=!flying_pigs");
    assert_refused("kernel requires unknown feature \"flying_pigs\"");

    /* Legacy ELF_PADDR_OFFSET without VIRT_BASE. */
    img_begin();
    add_loads();
    add_xen_guest("GUEST_OS=linux,XEN_VER=xen-3.0,ELF_PADDR_OFFSET=0");
    assert_refused("ELF_PADDR_OFFSET is set but VIRT_BASE is not");

    /* A __xen_guest whose bytes are outside the image is ignored. */
    img_begin();
    add_loads();
    add_xen_guest("GUEST_OS=linux,XEN_VER=xen-3.0");
    shdr(2)->sh_size = buf_len;
    assert_refused("not a Xen PV kernel: no Xen ELF notes and no __xen_guest section");
}

/* Legacy numbers read as strtoull(value, NULL, 0). */
static void test_xen_guest_numbers(void **state)
{
    static const struct {
        const char *value;
        uint64_t entry;
    } cases[] = {
        { "0x1000100", 0x1000100 },
        { "0X1000100zz", 0x1000100 },
        { " \t+0x1000100", 0x1000100 },
        { "0100000400", 0x1000100 },            /* octal */
        { "16777472", 0x1000100 },
        { "0x", 0 },                            /* "0", then junk */
        { "", 0 },
        { "09", 0 },
        { "-2", ~0ULL - 1 },
        /* ~0 is "unset" to libelf too: e_entry is used. */
        { "-1", E_ENTRY },
        { "99999999999999999999999", E_ENTRY }, /* saturates */
        { "0x1000100,VIRT_ENTRY=5", 5 },        /* the last one wins */
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        char s[128];

        img_begin();
        add_loads();
        snprintf(s, sizeof(s), "GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_ENTRY=%s",
                 cases[i].value);
        add_xen_guest(s);
        if ( cases[i].entry == 0x1000100 )
        {
            assert_parses();
            assert_int_equal(info.entry, 0x1000100);
        }
        else
        {
            char want[64];

            snprintf(want, sizeof(want), "kernel entry %#llx is outside",
                     (unsigned long long)cases[i].entry);
            if ( !cases[i].entry )
                strcpy(want, "kernel entry 0x0 is outside");
            assert_refused(want);
        }
    }
}

/* Strings are truncated and made printable. PAE_MODE, BSD_SYMTAB. */
static void test_strings(void **state)
{
    linux_image();
    add_note_str(XEN_ELFNOTE_GUEST_VERSION,
                 "a very long version string\n\twith control characters in it");
    add_note_str(XEN_ELFNOTE_PAE_MODE, "yes,bimodal");
    add_note_str(XEN_ELFNOTE_BSD_SYMTAB, "yes");
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_parses();
    assert_int_equal(strlen(info.guest_version), ELF_INFO_STR - 1);
    assert_string_equal(info.guest_version, "a very long version string??wit");
    assert_int_equal(info.pae, ELF_PAE_BIMODAL);
    assert_true(info.bsd_symtab);

    linux_image();
    add_note_str(XEN_ELFNOTE_PAE_MODE, "yes");
    add_note_str(XEN_ELFNOTE_BSD_SYMTAB, "no");
    /* Desc of 8 bytes holding "linux\0" and garbage after the NUL. */
    add_note(XEN_ELFNOTE_GUEST_OS, "linux\0\x01\x02", 8);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_parses();
    assert_int_equal(info.pae, ELF_PAE_EXTCR3);
    assert_false(info.bsd_symtab);
    assert_string_equal(info.guest_os, "linux");
}

/* ---------------------------------------------------------------- headers */

/*
 * A 32-bit PAE kernel (Linux i386's notes, 4-byte values): the standard
 * image narrowed in place to ELF32, its addresses moved under 4 GiB.
 */
#define VIRT_BASE32     0xc0000000ULL
#define KSTART32        (VIRT_BASE32 + PADDR)

static void narrow_to_elf32(void)
{
    Elf64_Ehdr e = *ehdr();
    Elf32_Ehdr *eh = (Elf32_Ehdr *)buf;

    memset(eh, 0, sizeof(e));
    memcpy(eh->e_ident, e.e_ident, EI_NIDENT);
    eh->e_ident[EI_CLASS] = ELFCLASS32;
    eh->e_type = e.e_type;
    eh->e_machine = EM_386;
    eh->e_version = e.e_version;
    eh->e_entry = e.e_entry - KSTART + KSTART32;
    eh->e_phoff = e.e_phoff;
    eh->e_shoff = e.e_shoff;
    eh->e_ehsize = sizeof(*eh);
    eh->e_phentsize = sizeof(Elf32_Phdr);
    eh->e_phnum = e.e_phnum;
    eh->e_shentsize = e.e_shnum ? sizeof(Elf32_Shdr) : 0;
    eh->e_shnum = e.e_shnum;
    eh->e_shstrndx = e.e_shstrndx;
    /* Forwards: each narrower entry lands at or below the one it came from. */
    for ( unsigned int i = 0; i < e.e_phnum; i++ )
    {
        Elf64_Phdr p = *phdr(i);
        Elf32_Phdr *q = (Elf32_Phdr *)(buf + PHOFF) + i;

        *q = (Elf32_Phdr){
            .p_type = p.p_type, .p_offset = p.p_offset, .p_paddr = p.p_paddr,
            .p_vaddr = p.p_type == PT_LOAD ? p.p_paddr + VIRT_BASE32 : 0,
            .p_filesz = p.p_filesz, .p_memsz = p.p_memsz,
            .p_flags = p.p_flags, .p_align = p.p_align,
        };
    }
    for ( unsigned int i = 0; i < e.e_shnum; i++ )
    {
        Elf64_Shdr h = *shdr(i);
        Elf32_Shdr *q = (Elf32_Shdr *)(buf + SHOFF) + i;

        *q = (Elf32_Shdr){
            .sh_name = h.sh_name, .sh_type = h.sh_type,
            .sh_offset = h.sh_offset, .sh_size = h.sh_size,
        };
    }
}

static void i386_image(const char *pae)
{
    img_begin();
    add_loads();
    add_note_str(XEN_ELFNOTE_GUEST_OS, "linux");
    add_note_str(XEN_ELFNOTE_GUEST_VERSION, "2.6");
    add_note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_note_num(XEN_ELFNOTE_VIRT_BASE, VIRT_BASE32, 4);
    add_note_num(XEN_ELFNOTE_PADDR_OFFSET, 0, 4);
    add_note_num(XEN_ELFNOTE_ENTRY, KSTART32 + 0x100, 4);
    add_note_num(XEN_ELFNOTE_HYPERCALL_PAGE, KSTART32 + 0x1000, 4);
    add_note(XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb",
             41);
    if ( pae )
        add_note_str(XEN_ELFNOTE_PAE_MODE, pae);
    add_note_str(XEN_ELFNOTE_LOADER, "generic");
    add_notes_phdr();
}

/* The segments as loaded, relative to KSTART32. */
static char load_log[256];

static bool log_copy(void *ctx, uint64_t va, const void *src, uint64_t len)
{
    assert_true(va >= KSTART32 && va + len <= KSTART32 + 0x10000);
    assert_true((const uint8_t *)src >= copy &&
                (const uint8_t *)src + len <= copy + buf_len);
    snprintf(load_log + strlen(load_log), sizeof(load_log) - strlen(load_log),
             "copy %#lx+%#lx@%#lx ", (unsigned long)(va - KSTART32),
             (unsigned long)len, (unsigned long)((const uint8_t *)src - copy));
    return true;
}

static bool log_zero(void *ctx, uint64_t va, uint64_t len)
{
    assert_true(va >= KSTART32 && va + len <= KSTART32 + 0x10000);
    snprintf(load_log + strlen(load_log), sizeof(load_log) - strlen(load_log),
             "zero %#lx+%#lx ", (unsigned long)(va - KSTART32), (unsigned long)len);
    return true;
}

static void test_elf32(void **state)
{
    i386_image("yes");
    narrow_to_elf32();
    assert_parses();
    assert_int_equal(info.elf_class, 32);
    assert_int_equal(info.machine, ELF_MACHINE_386);
    assert_int_equal(info.pae, ELF_PAE_EXTCR3);
    assert_int_equal(info.virt_base, VIRT_BASE32);
    assert_int_equal(info.virt_kstart, KSTART32);
    assert_int_equal(info.virt_kend, KSTART32 + TEXT_SIZE + DATA_MEMSZ);
    assert_int_equal(info.entry, KSTART32 + 0x100);
    assert_int_equal(info.e_entry, KSTART32 + 0x200);
    assert_int_equal(info.hypercall_page, KSTART32 + 0x1000);
    assert_int_equal(info.nr_load, 2);

    /* The segments from the ELF32 program headers, as for ELF64. */
    load_log[0] = '\0';
    assert_true(elf_load(copy, buf_len, &info, log_copy, log_zero, NULL));
    assert_string_equal(load_log, "copy 0+0x2000@0x1000 copy 0x2000+0x800@0x3000 zero 0x2800+0x1800 ");
    /* An ELF64 info does not load an ELF32 image, nor a short one. */
    info.elf_class = 64;
    assert_false(elf_load(copy, buf_len, &info, log_copy, log_zero, NULL));
    info.elf_class = 32;
    assert_false(elf_load(copy, sizeof(Elf32_Ehdr) - 1, &info, log_copy, log_zero, NULL));

    i386_image("bimodal");
    narrow_to_elf32();
    assert_parses();
    assert_int_equal(info.pae, ELF_PAE_BIMODAL);

    /* xen-3.0-x86_32: no PAE_MODE note, or one that says no. */
    i386_image(NULL);
    narrow_to_elf32();
    assert_refused("non-PAE 32-bit kernel (xen-3.0-x86_32)");
    i386_image("no");
    narrow_to_elf32();
    assert_refused("non-PAE 32-bit kernel");

    /* The legacy __xen_guest string, through ELF32 section headers. */
    img_begin();
    add_loads();
    add_xen_guest("GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000,"
                  "ELF_PADDR_OFFSET=0,PAE=yes,LOADER=generic");
    narrow_to_elf32();
    assert_parses();
    assert_true(info.xen_guest_section);
    assert_int_equal(info.pae, ELF_PAE_YES);
    assert_int_equal(info.virt_kstart, KSTART32);
    /* Section headers narrower than ELF32's are outside the checks. */
    ((Elf32_Ehdr *)buf)->e_shentsize = sizeof(Elf32_Shdr) - 1;
    assert_refused("section header table");
    ((Elf32_Ehdr *)buf)->e_shentsize = sizeof(Elf32_Shdr);
    ((Elf32_Ehdr *)buf)->e_phentsize = sizeof(Elf32_Phdr) - 1;
    assert_refused("program header table");

    /* The ELF32 header itself must be whole. */
    i386_image("yes");
    narrow_to_elf32();
    assert_false(parse_len(sizeof(Elf32_Ehdr) - 1));
    assert_string_equal(err, "ELF header truncated: image of 51 bytes");
    assert_int_equal(info.elf_class, 32);
    assert_int_equal(info.machine, ELF_MACHINE_386);
    assert_true(parse_len(buf_len));

    /* Identified from its first 20 bytes already. */
    assert_false(parse_len(20));
    assert_int_equal(info.elf_class, 32);
    assert_int_equal(info.machine, ELF_MACHINE_386);

    ((Elf32_Ehdr *)buf)->e_machine = EM_ARM;
    assert_refused("ELF32 image for machine 40 is not an i386 kernel");
    assert_int_equal(info.elf_class, 32);
}

static void test_bad_ident(void **state)
{
    linux_image();
    ehdr()->e_machine = EM_AARCH64;
    assert_refused("ELF machine 183 is not x86-64");
    assert_int_equal(info.elf_class, 64);
    assert_int_equal(info.machine, 183);

    linux_image();
    ehdr()->e_ident[EI_DATA] = ELFDATA2MSB;
    assert_refused("ELF data encoding 2 is not little-endian");

    linux_image();
    ehdr()->e_ident[EI_CLASS] = 3;
    assert_refused("unknown ELF class 3");
    assert_int_equal(info.elf_class, 0);

    linux_image();
    ehdr()->e_ident[EI_MAG3] = 'f';
    assert_refused("not an ELF image");

    linux_image();
    ehdr()->e_type = ET_DYN;
    assert_refused("ELF type 3 is not an executable");

    linux_image();
    ehdr()->e_version = 2;
    assert_refused("ELF version 1/2 is not 1");

    assert_false(elf_parse(NULL, 100, &info, err, sizeof(err)));
    assert_string_equal(err, "no kernel image");
}

/* Every short prefix of a good image is refused without reading past it. */
static void test_truncated_header(void **state)
{
    linux_image();
    for ( uint64_t len = 0; len < sizeof(Elf64_Ehdr); len++ )
    {
        assert_false(parse_len(len));
        if ( len < 4 )
            assert_string_equal(err, "not an ELF image");
        else
            assert_non_null(strstr(err, "ELF header truncated"));
    }
    /* Past the header, the program headers are cut off first. */
    for ( uint64_t len = sizeof(Elf64_Ehdr); len < TEXT_OFF; len += 7 )
    {
        assert_false(parse_len(len));
        assert_non_null(strstr(err, "outside the image") ?:
                        strstr(err, "is not inside the image"));
    }
}

static void test_phdr_table_bounds(void **state)
{
    linux_image();
    ehdr()->e_phoff = buf_len;
    assert_refused("program header table (3 entries of 56 bytes at 0x3800) is not inside the image (0x3800 bytes)");

    /* One byte short. */
    linux_image();
    ehdr()->e_phoff = buf_len - 3 * sizeof(Elf64_Phdr) + 1;
    assert_refused("program header table");

    /* phoff + phnum * phentsize wraps around. */
    linux_image();
    ehdr()->e_phoff = ~0ULL - 0x10;
    assert_refused("program header table");

    /* The largest phnum * phentsize: 0xffff * 0xffff. */
    linux_image();
    ehdr()->e_phnum = 0xffff;
    ehdr()->e_phentsize = 0xffff;
    assert_refused("program header table (65535 entries of 65535 bytes at 0x40)");

    linux_image();
    ehdr()->e_phentsize = sizeof(Elf64_Phdr) - 1;
    assert_refused("program header table");

    /* A bigger phentsize is fine: entries are that far apart (0 and 2). */
    linux_image();
    ehdr()->e_phentsize = 2 * sizeof(Elf64_Phdr);
    ehdr()->e_phnum = 2;
    assert_parses();
    assert_int_equal(info.nr_load, 1);
    assert_int_equal(info.pend, PADDR + TEXT_SIZE);
}

static void test_shdr_table_bounds(void **state)
{
    linux_image();
    add_section(".text", SHT_PROGBITS, TEXT_OFF, TEXT_SIZE);
    assert_parses();

    ehdr()->e_shoff = buf_len - 64;
    assert_refused("section header table (3 entries of 64 bytes at 0x37c0) is not inside the image");

    ehdr()->e_shoff = ~0ULL;
    assert_refused("section header table");

    ehdr()->e_shoff = SHOFF;
    ehdr()->e_shentsize = 63;
    assert_refused("section header table");

    /* A bad e_shstrndx just means no names: no __xen_guest. */
    img_begin();
    add_loads();
    add_xen_guest("GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_ENTRY=0x1000000");
    assert_parses();
    ehdr()->e_shstrndx = 7;
    assert_refused("no Xen ELF notes and no __xen_guest section");
    ehdr()->e_shstrndx = 1;
    shdr(1)->sh_offset = buf_len;       /* string table outside */
    assert_refused("no __xen_guest section");
    shdr(1)->sh_offset = STRTAB_OFF;
    shdr(2)->sh_name = shdr(1)->sh_size - 4;    /* name runs off the table */
    assert_refused("no __xen_guest section");
}

/* ---------------------------------------------------------------- notes */

static void test_note_overflow(void **state)
{
    static const uint32_t bad[][2] = {
        { 0xffffffff, 0 },              /* namesz + 3 wraps 32 bits */
        { 4, 0xffffffff },
        { 4, 0xfffffffc },
        { 0xfffffffd, 0xfffffffd },
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        linux_image();
        memcpy(buf + NOTES_OFF, bad[i], 8);
        assert_refused("PT_NOTE segment 2: note at offset 0x0");
    }

    /*
     * The last note's descriptor past the segment, as PV-GRUB2 i386's
     * PAE_MODE: read on from the image, as zeros past its end (libelf).
     */
    linux_image();
    add_note_num(XEN_ELFNOTE_HV_START_LOW, 0xf5800000, 4);
    phdr(2)->p_filesz = notes_len - 3;
    assert_parses();
    assert_int_equal(info.hv_start_low, 0xf5800000);
    /* The notes moved to the end of the image, which ends 3 bytes in. */
    assert_true(DATA_OFF + DATA_FILESZ + notes_len <= BUF_SIZE);
    memcpy(buf + DATA_OFF + DATA_FILESZ, buf + NOTES_OFF, notes_len);
    phdr(2)->p_offset = DATA_OFF + DATA_FILESZ;
    phdr(2)->p_filesz = notes_len - 4;
    buf_len = DATA_OFF + DATA_FILESZ + notes_len - 1;
    assert_parses();
    assert_int_equal(info.hv_start_low, 0x800000);
    /* A string note so cut keeps its NUL only if the image has it. */
    linux_image();
    add_note_str(XEN_ELFNOTE_PAE_MODE, "yes");
    phdr(2)->p_filesz = notes_len - 4;
    assert_parses();
    assert_int_equal(info.pae, ELF_PAE_EXTCR3);
    /* Not a name, nor a descriptor over 64 bytes. */
    linux_image();
    add_note(XEN_ELFNOTE_GUEST_VERSION, "0123456789abcdef0123456789abcdef"
             "0123456789abcdef0123456789abcdef", 65);
    phdr(2)->p_filesz = notes_len - 4;
    assert_refused("overruns it");
    linux_image();
    phdr(2)->p_filesz = notes_len + 14;         /* its header and 2 name bytes */
    add_note_num(XEN_ELFNOTE_HV_START_LOW, 0xf5800000, 4);
    assert_refused("overruns it");

    /* Its padding may be cut off; fewer than 12 bytes left are ignored. */
    linux_image();
    add_note_str(XEN_ELFNOTE_GUEST_VERSION, "4.19");    /* 5 bytes */
    phdr(2)->p_filesz = notes_len - 3;
    assert_parses();
    assert_string_equal(info.guest_version, "4.19");
    phdr(2)->p_filesz = notes_len + 11;
    assert_parses();

    /* A note segment outside the image. */
    linux_image();
    phdr(2)->p_filesz = buf_len;
    assert_refused("PT_NOTE segment 2: bytes [0x200, +0x3800) are outside the image (0x3800 bytes)");
    phdr(2)->p_offset = ~0ULL - 8;
    phdr(2)->p_filesz = 16;
    assert_refused("PT_NOTE segment 2");

    /* And a note section. */
    img_begin();
    add_loads();
    add_linux_notes();
    add_section(".note", SHT_NOTE, NOTES_OFF, buf_len);
    assert_refused("SHT_NOTE section 2: bytes [0x200, +0x3800) are outside the image");
    shdr(2)->sh_size = notes_len;
    memcpy(buf + NOTES_OFF + 4, &bad[1][1], 4);
    assert_refused("SHT_NOTE section 2: note at offset 0x0");
}

static void test_string_note_unterminated(void **state)
{
    /* No NUL in the descriptor, no padding. */
    linux_image();
    add_note(XEN_ELFNOTE_LOADER, "generic!", 8);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_refused("Xen note LOADER is not a NUL-terminated string");

    /* The NUL in the padding is fine (Linux's FEATURES) ... */
    linux_image();
    add_note(XEN_ELFNOTE_LOADER, "generic", 7);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_parses();
    assert_string_equal(info.loader, "generic");
    /* ... if the segment holds it ... */
    phdr(2)->p_filesz--;
    assert_refused("Xen note LOADER is not a NUL-terminated string");
    /* ... and it is there. */
    phdr(2)->p_filesz++;
    buf[NOTES_OFF + notes_len - 1] = 'x';
    assert_refused("Xen note LOADER is not a NUL-terminated string");

    linux_image();
    add_note(XEN_ELFNOTE_FEATURES, "", 0);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_refused("Xen note FEATURES is not a NUL-terminated string");
}

/* Notes named other than "Xen", of unknown types, are ignored. */
static void test_other_notes(void **state)
{
    linux_image();
    add_note_named("Xe", XEN_ELFNOTE_ENTRY, "\0\0\0\0", 4);
    add_note_named("Xenon", XEN_ELFNOTE_ENTRY, "\0\0\0\0", 4);
    add_note_named("GNU", XEN_ELFNOTE_LOADER, "x", 1);
    add_note(XEN_ELFNOTE_INFO, "x", 1);
    add_note(XEN_ELFNOTE_MAX + 1, "x", 1);
    add_note(XEN_ELFNOTE_CRASH_INFO, "x", 1);
    add_note(XEN_ELFNOTE_L1_MFN_VALID, "\1\0\0\0\1\0\0\0", 8);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_parses();
    assert_int_equal(info.entry, ENTRY);
    assert_string_equal(info.loader, "generic");
    /* A short L1_MFN_VALID is ignored: the first one stays. */
    assert_true(info.l1_mfn_valid);

    /* SUPPORTED_FEATURES must be whole 32-bit words. */
    linux_image();
    add_note(XEN_ELFNOTE_SUPPORTED_FEATURES, "\1\0\0\0\0\0", 6);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_refused("Xen note SUPPORTED_FEATURES has 6 bytes, not a multiple of 4");

    /* Eight bytes: submap 0 from the first word only. */
    linux_image();
    add_note(XEN_ELFNOTE_SUPPORTED_FEATURES, "\0\0\1\0\xff\xff\xff\xff", 8);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_parses();
    assert_true(elf_feature(info.f_supported, 16));
    assert_false(elf_feature(info.f_supported, 17));
}

static void test_too_many_notes(void **state)
{
    /* 10000 empty notes, walked by a PT_NOTE and 6 note sections. */
    static const size_t nr = 10000, sections = 6;
    size_t size = 0x10000 + nr * 12;
    Elf64_Ehdr *eh;
    uint8_t *big;

    free(buf);
    buf = big = calloc(1, size);
    assert_non_null(big);
    img_begin();
    add_loads();
    add_linux_notes();
    add_notes_phdr();
    /* Take the Xen notes out of the PT_NOTE, so the sections are read. */
    phdr(2)->p_offset = 0x10000;
    phdr(2)->p_filesz = nr * 12;
    for ( size_t i = 0; i < sections; i++ )
        add_section(".note", SHT_NOTE, 0x10000, nr * 12);
    eh = ehdr();
    assert_int_equal(eh->e_shnum, sections + 2);
    buf_len = size;
    assert_refused("more than 65536 ELF notes");
    free(big);
    buf = calloc(1, BUF_SIZE);
}

/* ---------------------------------------------------------------- segments */

static void test_segment_outside_image(void **state)
{
    linux_image();
    phdr(1)->p_filesz = DATA_FILESZ + 1;
    assert_refused("PT_LOAD segment 1: file bytes [0x3000, +0x801) are outside the image (0x3800 bytes)");

    linux_image();
    phdr(0)->p_offset = ~0ULL - 0xfff;
    assert_refused("PT_LOAD segment 0: file bytes");

    /* A bss-only segment's p_offset is never read. */
    linux_image();
    phdr(1)->p_offset = ~0ULL;
    phdr(1)->p_filesz = 0;
    assert_parses();

    /* Nor are segments that are not loaded. */
    linux_image();
    add_phdr(PT_LOAD, 0, ~0ULL, 0, 0x1000, 0x1000);
    add_phdr(PT_DYNAMIC, PF_R, ~0ULL, 0, 0x1000, 0x1000);
    assert_parses();
    assert_int_equal(info.nr_load, 2);
}

static void test_filesz_over_memsz(void **state)
{
    linux_image();
    phdr(1)->p_memsz = DATA_FILESZ - 1;
    assert_refused("PT_LOAD segment 1: p_filesz 0x800 is larger than p_memsz 0x7ff");
}

static void test_paddr_wraps(void **state)
{
    linux_image();
    phdr(1)->p_paddr = ~0ULL - 0x100;
    assert_refused("PT_LOAD segment 1: p_paddr 0xfffffffffffffeff + p_memsz 0x2000 wraps");
}

static void test_no_pt_load(void **state)
{
    img_begin();
    add_linux_notes();
    add_notes_phdr();
    assert_refused("no loadable PT_LOAD segment");

    /* A PT_LOAD without R, W or X does not count (elf_phdr_is_loadable). */
    add_phdr(PT_LOAD, 0, TEXT_OFF, PADDR, TEXT_SIZE, TEXT_SIZE);
    assert_refused("no loadable PT_LOAD segment");

    img_begin();
    assert_refused("no loadable PT_LOAD segment");
}

/* Many segments over the same memory: loading them could take forever. */
static void test_segments_total(void **state)
{
    linux_image();
    /* Twice the span is allowed ... */
    add_phdr(PT_LOAD, PF_R, TEXT_OFF, PADDR, TEXT_SIZE, TEXT_SIZE + DATA_MEMSZ);
    assert_parses();
    /* ... more is not. */
    add_phdr(PT_LOAD, PF_R, TEXT_OFF, PADDR, 0, 1);
    assert_refused("PT_LOAD segments total 0x8001 bytes, over twice the 0x4000 they span");
}

/* ---------------------------------------------------------------- checks */

static void test_entry_outside(void **state)
{
    linux_image();
    add_note_num(XEN_ELFNOTE_ENTRY, KEND, 8);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_refused("kernel entry 0xffffffff81004000 is outside the image [0xffffffff81000000, 0xffffffff81004000)");

    linux_image();
    add_note_num(XEN_ELFNOTE_ENTRY, KSTART - 1, 8);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_refused("kernel entry 0xffffffff80ffffff is outside");

    /* The last byte is fine. */
    linux_image();
    add_note_num(XEN_ELFNOTE_ENTRY, KEND - 1, 8);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_parses();

    /* Without an ENTRY note, e_entry (here a physical address: wrong). */
    img_begin();
    add_loads();
    add_note_str(XEN_ELFNOTE_GUEST_OS, "linux");
    add_note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_note_num(XEN_ELFNOTE_VIRT_BASE, VIRT_BASE, 8);
    add_notes_phdr();
    ehdr()->e_entry = PADDR;
    assert_refused("kernel entry 0x1000000 is outside");
    ehdr()->e_entry = E_ENTRY;
    assert_parses();
    assert_int_equal(info.entry, E_ENTRY);
}

static void test_hypercall_page_outside(void **state)
{
    linux_image();
    add_note_num(XEN_ELFNOTE_HYPERCALL_PAGE, KEND, 8);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_refused("hypercall page 0xffffffff81004000 is outside the image [0xffffffff81000000, 0xffffffff81004000)");

    linux_image();
    add_note_num(XEN_ELFNOTE_HYPERCALL_PAGE, 0, 8);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_refused("hypercall page 0x0 is outside");

    /* Linux 6.1.121 and later have none. */
    img_begin();
    add_loads();
    add_note_str(XEN_ELFNOTE_GUEST_OS, "linux");
    add_note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_note_num(XEN_ELFNOTE_VIRT_BASE, VIRT_BASE, 8);
    add_notes_phdr();
    assert_parses();
    assert_int_equal(info.hypercall_page, ELF_UNSET);
}

static void test_address_checks(void **state)
{
    /* PADDR_OFFSET without VIRT_BASE. */
    img_begin();
    add_loads();
    add_note_str(XEN_ELFNOTE_GUEST_OS, "linux");
    add_note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_note_num(XEN_ELFNOTE_PADDR_OFFSET, 0, 8);
    add_notes_phdr();
    assert_refused("ELF_PADDR_OFFSET is set but VIRT_BASE is not");

    /* The image below VIRT_BASE. */
    linux_image();
    add_note_num(XEN_ELFNOTE_PADDR_OFFSET, PADDR + 1, 8);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_refused("kernel image start 0xffffffff7fffffff is below VIRT_BASE 0xffffffff80000000");

    /* The image wrapping the top of the address space. */
    linux_image();
    add_note_num(XEN_ELFNOTE_VIRT_BASE, ~0ULL - PADDR - 0xfff, 8);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_refused("kernel image [0xfffffffffffff000, 0x3000) wraps around");

    /* INIT_P2M inside the image. */
    linux_image();
    add_note_num(XEN_ELFNOTE_INIT_P2M, KSTART + 0x3000, 8);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_refused("INIT_P2M 0xffffffff81003000 is inside the kernel image");
    linux_image();
    add_note_num(XEN_ELFNOTE_INIT_P2M, KEND, 8);
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_parses();
}

static void test_not_xen_aware(void **state)
{
    /* No notes at all. */
    img_begin();
    add_loads();
    assert_refused("not a Xen PV kernel: no Xen ELF notes and no __xen_guest section");

    /* Only somebody else's notes. */
    img_begin();
    add_loads();
    add_note_named("GNU", 3, "0123456789abcdef", 16);
    add_notes_phdr();
    assert_refused("not a Xen PV kernel: no Xen ELF notes");

    /* Neither LOADER generic nor GUEST_OS linux (prefixes, as libelf). */
    img_begin();
    add_loads();
    add_note_str(XEN_ELFNOTE_GUEST_OS, "NetBSD");
    add_note_str(XEN_ELFNOTE_LOADER, "bsdloader");
    add_note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_notes_phdr();
    assert_refused("not a kernel for the generic loader or Linux (LOADER \"bsdloader\", GUEST_OS \"NetBSD\")");

    img_begin();
    add_loads();
    add_note_str(XEN_ELFNOTE_GUEST_OS, "NetBSD");
    add_note_str(XEN_ELFNOTE_LOADER, "generic-x");
    add_note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0.x");
    add_notes_phdr();
    ehdr()->e_entry = PADDR;
    assert_parses();

    img_begin();
    add_loads();
    add_note_str(XEN_ELFNOTE_GUEST_OS, "linux-custom");
    add_notes_phdr();
    assert_refused("kernel is built for Xen \"\", not \"xen-3.0\"");

    img_begin();
    add_loads();
    add_note_str(XEN_ELFNOTE_GUEST_OS, "linux");
    add_note_str(XEN_ELFNOTE_XEN_VERSION, "xen-2.0");
    add_notes_phdr();
    assert_refused("kernel is built for Xen \"xen-2.0\", not \"xen-3.0\"");
}

static void test_features(void **state)
{
    static const struct {
        const char *features;
        const char *error;          /* NULL: accepted */
    } cases[] = {
        { "!writable_page_tables|pae_pgdir_above_4gb", NULL },
        { "!writable_page_tables|!writable_descriptor_tables|"
          "!pae_pgdir_above_4gb", NULL },
        { "unknown_feature|!writable_page_tables||", NULL },
        { "auto_translated_physmap|supervisor_mode_kernel|"
          "hvm_callback_vector|dom0", NULL },
        { "", NULL },
        { "!auto_translated_physmap",
          "kernel requires feature auto_translated_physmap, which a PV domU cannot have" },
        { "writable_page_tables|!supervisor_mode_kernel",
          "kernel requires feature supervisor_mode_kernel" },
        { "!hvm_callback_vector", "kernel requires feature hvm_callback_vector" },
        { "!dom0", "kernel requires feature dom0" },
        { "!unknown_feature", "kernel requires unknown feature \"unknown_feature\"" },
        { "!", "kernel requires unknown feature \"\"" },
        { "!writable_page_tables_", "requires unknown feature" },
        { "!hvm_safe_pvclock", "requires unknown feature" },
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        linux_image();
        add_note_str(XEN_ELFNOTE_FEATURES, cases[i].features);
        phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
        if ( !cases[i].error )
            assert_parses();
        else
            assert_refused(cases[i].error);
    }

    /* Notes accumulate. */
    linux_image();
    add_note_str(XEN_ELFNOTE_FEATURES, "hvm_callback_vector");
    phdr(2)->p_filesz = phdr(2)->p_memsz = notes_len;
    assert_parses();
    assert_int_equal(info.f_required[0], 1U << XENFEAT_writable_page_tables);
    assert_true(elf_feature(info.f_supported, XENFEAT_hvm_callback_vector));
    assert_true(elf_feature(info.f_supported, XENFEAT_pae_pgdir_above_4gb));
}

static void test_error_buffer(void **state)
{
    char small[8];

    linux_image();
    ehdr()->e_machine = EM_AARCH64;
    memcpy(copy = realloc(copy, buf_len), buf, buf_len);
    memset(small, 'X', sizeof(small));
    assert_false(elf_parse(copy, buf_len, &info, small, sizeof(small)));
    assert_string_equal(small, "ELF mac");
    assert_false(elf_parse(copy, buf_len, &info, NULL, 0));
}

/* ---------------------------------------------------------------- loading */

/* The guest's view: [KSTART, KSTART + MEM_SIZE), with a record of calls. */
#define MEM_SIZE        0x5000

struct fake_mem {
    uint8_t bytes[MEM_SIZE];
    unsigned int copies, zeroes;
    unsigned int fail_at;               /* fail the call with this number */
    char log[256];
};

static bool mem_range(struct fake_mem *m, uint64_t va, uint64_t len)
{
    assert_true(va >= KSTART && len <= MEM_SIZE && va - KSTART <= MEM_SIZE - len);
    return m->fail_at != m->copies + m->zeroes;
}

static bool mem_copy(void *ctx, uint64_t va, const void *src, uint64_t len)
{
    struct fake_mem *m = ctx;
    bool ok = mem_range(m, va, len);

    m->copies++;
    snprintf(m->log + strlen(m->log), sizeof(m->log) - strlen(m->log),
             "copy %#lx+%#lx ", (unsigned long)(va - KSTART), (unsigned long)len);
    /* The source is inside the parsed copy of the image. */
    assert_true((const uint8_t *)src >= copy &&
                (const uint8_t *)src + len <= copy + buf_len);
    if ( ok )
        memcpy(m->bytes + (va - KSTART), src, len);
    return ok;
}

static bool mem_zero(void *ctx, uint64_t va, uint64_t len)
{
    struct fake_mem *m = ctx;
    bool ok = mem_range(m, va, len);

    m->zeroes++;
    snprintf(m->log + strlen(m->log), sizeof(m->log) - strlen(m->log),
             "zero %#lx+%#lx ", (unsigned long)(va - KSTART), (unsigned long)len);
    if ( ok )
        memset(m->bytes + (va - KSTART), 0, len);
    return ok;
}

static void test_load(void **state)
{
    struct fake_mem *m = calloc(1, sizeof(*m));

    assert_non_null(m);
    linux_image();
    assert_parses();
    memset(m->bytes, 0xcc, sizeof(m->bytes));
    m->fail_at = ~0U;
    assert_true(elf_load(copy, buf_len, &info, mem_copy, mem_zero, m));
    assert_string_equal(m->log, "copy 0+0x2000 copy 0x2000+0x800 zero 0x2800+0x1800 ");
    assert_memory_equal(m->bytes, buf + TEXT_OFF, TEXT_SIZE);
    assert_memory_equal(m->bytes + TEXT_SIZE, buf + DATA_OFF, DATA_FILESZ);
    for ( unsigned int i = TEXT_SIZE + DATA_FILESZ; i < TEXT_SIZE + DATA_MEMSZ; i++ )
        assert_int_equal(m->bytes[i], 0);
    for ( unsigned int i = TEXT_SIZE + DATA_MEMSZ; i < MEM_SIZE; i++ )
        assert_int_equal(m->bytes[i], 0xcc);

    /* Each callback's failure stops the load. */
    for ( unsigned int n = 0; n < 3; n++ )
    {
        memset(m, 0, sizeof(*m));
        m->fail_at = n;
        assert_false(elf_load(copy, buf_len, &info, mem_copy, mem_zero, m));
        assert_int_equal(m->copies + m->zeroes, n + 1);
    }

    /* A bss-only segment, and one that is not loadable. */
    linux_image();
    add_phdr(PT_LOAD, PF_R | PF_W, 0, PADDR + TEXT_SIZE + DATA_MEMSZ, 0, 0x800);
    add_phdr(PT_LOAD, 0, TEXT_OFF, PADDR, TEXT_SIZE, TEXT_SIZE);
    assert_parses();
    assert_int_equal(info.virt_kend, KEND + 0x800);
    memset(m, 0, sizeof(*m));
    m->fail_at = ~0U;
    assert_true(elf_load(copy, buf_len, &info, mem_copy, mem_zero, m));
    assert_string_equal(m->log, "copy 0+0x2000 copy 0x2000+0x800 zero 0x2800+0x1800 zero 0x4000+0x800 ");

    /* An image that does not match the parsed info is refused. */
    linux_image();
    assert_parses();
    phdr(1)->p_memsz = DATA_MEMSZ + 1;
    memcpy(copy, buf, buf_len);
    memset(m, 0, sizeof(*m));
    m->fail_at = ~0U;
    assert_false(elf_load(copy, buf_len, &info, mem_copy, mem_zero, m));
    phdr(1)->p_memsz = DATA_MEMSZ;
    phdr(1)->p_filesz = buf_len;
    memcpy(copy, buf, buf_len);
    assert_false(elf_load(copy, buf_len, &info, mem_copy, mem_zero, m));
    assert_false(elf_load(copy, sizeof(Elf64_Ehdr) - 1, &info, mem_copy,
                          mem_zero, m));
    free(m);
}

/* ---------------------------------------------------------------- fuzzing */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static bool fuzz_copy(void *ctx, uint64_t va, const void *src, uint64_t len)
{
    const struct elf_info *i = ctx;

    assert_true(va >= i->virt_kstart && len <= i->virt_kend - va);
    assert_true((const uint8_t *)src >= copy &&
                (const uint8_t *)src + len <= copy + buf_len);
    /* Touch the ends, for ASan. */
    if ( len )
        (void)(((const volatile uint8_t *)src)[0] +
               ((const volatile uint8_t *)src)[len - 1]);
    return true;
}

static bool fuzz_zero(void *ctx, uint64_t va, uint64_t len)
{
    const struct elf_info *i = ctx;

    assert_true(va >= i->virt_kstart && len <= i->virt_kend - va);
    return true;
}

/*
 * Random corruption of the headers, notes and section data of a full
 * image: whatever is accepted must load inside [virt_kstart, virt_kend),
 * and nothing may read outside the image (ASan).
 */
static void test_fuzz(void **state)
{
    static const uint64_t interesting[] = {
        0, 1, 3, 4, 0x7f, 0xff, 0xffff, 0x7fffffff, 0xffffffff,
        0x100000000ULL, ~0ULL, ~0ULL - 1, BUF_SIZE, 0x3800, 0x37ff,
    };
    uint8_t *good = malloc(BUF_SIZE);
    unsigned int accepted = 0;

    assert_non_null(good);
    linux_image();
    add_section(".note.Xen", SHT_NOTE, NOTES_OFF, notes_len);
    add_xen_guest("GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0x80000000");
    memcpy(good, buf, BUF_SIZE);

    for ( unsigned int iter = 0; iter < 30000; iter++ )
    {
        unsigned int n = 1 + rng() % 4;

        memcpy(buf, good, BUF_SIZE);
        buf_len = DATA_OFF + DATA_FILESZ;
        for ( unsigned int k = 0; k < n; k++ )
        {
            /* Mostly the metadata below TEXT_OFF. */
            size_t off = rng() % (rng() % 8 ? TEXT_OFF : buf_len);
            uint64_t v = rng() % 2 ? interesting[rng() % ARRAY_SIZE(interesting)]
                                   : rng();
            size_t w = 1 << (rng() % 4);

            if ( off + w > buf_len )
                off = buf_len - w;
            memcpy(buf + off, &v, w);
        }
        if ( rng() % 16 == 0 )
            buf_len = rng() % buf_len;
        if ( parse() )
        {
            accepted++;
            assert_true(info.virt_kstart <= info.virt_kend);
            assert_true(info.entry >= info.virt_kstart &&
                        info.entry < info.virt_kend);
            assert_true(elf_load(copy, buf_len, &info, fuzz_copy, fuzz_zero,
                                 &info));
        }
    }
    /* The mutations leave enough images intact to exercise elf_load. */
    assert_true(accepted > 1000);
    free(good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_linux_like),
        T(test_numeric_sizes),
        T(test_notes_in_section),
        T(test_xen_guest_legacy),
        T(test_xen_guest_numbers),
        T(test_strings),
        T(test_elf32),
        T(test_bad_ident),
        T(test_truncated_header),
        T(test_phdr_table_bounds),
        T(test_shdr_table_bounds),
        T(test_note_overflow),
        T(test_string_note_unterminated),
        T(test_other_notes),
        T(test_too_many_notes),
        T(test_segment_outside_image),
        T(test_filesz_over_memsz),
        T(test_paddr_wraps),
        T(test_no_pt_load),
        T(test_segments_total),
        T(test_entry_outside),
        T(test_hypercall_page_outside),
        T(test_address_checks),
        T(test_not_xen_aware),
        T(test_features),
        T(test_error_buffer),
        T(test_load),
        T(test_fuzz),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
