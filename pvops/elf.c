/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/elf.c - parsing a PV guest kernel's ELF image and Xen notes, and
 * copying its segments.
 *
 * The semantics are those of Xen's libelf (libelf-dominfo.c elf_xen_parse,
 * elf_xen_note_check, elf_xen_addr_calc_check; libelf-loader.c
 * elf_parse_binary, elf_load_binary) and of the PV builders that use it
 * (tools/libs/guest/xg_dom_elfloader.c, xen/arch/x86/pv/dom0_build.c).
 * Where we are stricter than libelf, which reads out-of-range bytes as
 * zeros and carries on, the image is refused with a reason instead:
 *
 *  - the file must be a little-endian ET_EXEC, ELF64 x86-64 or ELF32 i386
 *    built for PAE (xen-3.0-x86_32p); the program and section header
 *    tables, every loadable segment's file bytes and every note segment or
 *    section must lie inside the image;
 *  - notes must fit in their segment, bar a Xen note's descriptor of up to
 *    64 bytes, read on past the segment's end and as zeros past the
 *    image's, as libelf reads it (PV-GRUB2 i386's last note needs that);
 *    numeric notes must be 1, 2, 4 or 8 bytes (libelf reads other sizes
 *    as 0), SUPPORTED_FEATURES a multiple of 4, string notes NUL-terminated
 *    inside the descriptor or its padding (libelf reads on to any NUL in
 *    the image);
 *  - the entry point must lie in [virt_kstart, virt_kend) (libelf also
 *    accepts virt_kend itself), and so must the hypercall page (Xen checks
 *    it against the whole bootstrap area, libxc not at all);
 *  - the PT_LOAD segments may total at most twice the span they cover
 *    (libelf stops loading past that point, silently).
 *
 * Required features (FEATURES names with '!') that a PV domU cannot have
 * are refused: auto_translated_physmap (libxc: "PV Autotranslate guests no
 * longer supported"), supervisor_mode_kernel (Xen's PV builder panics),
 * hvm_callback_vector (an HVM delivery mechanism) and dom0 (libxc: "Kernel
 * does not support unprivileged (DomU) operation"). writable_page_tables,
 * which Linux marks required, is accepted as both builders do: a PV guest
 * gets it as VMASST_TYPE_writable_pagetables. An unknown required feature
 * is refused, as libelf does.
 *
 * BSD_SYMTAB is reported, not acted on: the symbol table is not loaded and
 * virt_kend does not grow to cover it.
 */
#include "pvops/elf.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

#include <xen/elfnote.h>

/* ------------------------------------------------------------ ELF format */

/* The ELF-64 structures we read (System V gABI), little-endian on x86. */
struct elf64_ehdr {
    uint8_t  e_ident[16];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
};

struct elf64_shdr {
    uint32_t sh_name;
    uint32_t sh_type;
    uint64_t sh_flags;
    uint64_t sh_addr;
    uint64_t sh_offset;
    uint64_t sh_size;
    uint32_t sh_link;
    uint32_t sh_info;
    uint64_t sh_addralign;
    uint64_t sh_entsize;
};

/* The ELF-32 ones (a 32-bit PAE kernel), widened to the above on reading. */
struct elf32_ehdr {
    uint8_t  e_ident[16];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint32_t e_entry;
    uint32_t e_phoff;
    uint32_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};

struct elf32_phdr {
    uint32_t p_type;
    uint32_t p_offset;
    uint32_t p_vaddr;
    uint32_t p_paddr;
    uint32_t p_filesz;
    uint32_t p_memsz;
    uint32_t p_flags;
    uint32_t p_align;
};

struct elf32_shdr {
    uint32_t sh_name;
    uint32_t sh_type;
    uint32_t sh_flags;
    uint32_t sh_addr;
    uint32_t sh_offset;
    uint32_t sh_size;
    uint32_t sh_link;
    uint32_t sh_info;
    uint32_t sh_addralign;
    uint32_t sh_entsize;
};

/* Note header: the same for ELF32 and ELF64; name and desc 4-aligned. */
struct elf_nhdr {
    uint32_t n_namesz;
    uint32_t n_descsz;
    uint32_t n_type;
};

#define EI_CLASS        4
#define EI_DATA         5
#define EI_VERSION      6
#define ELFCLASS32      1
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define EV_CURRENT      1
#define ET_EXEC         2
#define PT_LOAD         1
#define PT_NOTE         4
#define PF_RWX          7
#define SHT_NOTE        7
#define SHT_NOBITS      8

/* The longest descriptor that may run past its note segment (parse_notes). */
#define NOTE_TAIL_MAX   64

/* libelf's bound on the notes it walks, against overlapping note tables. */
#define MAX_NOTES       65536

BUILD_BUG_ON(sizeof(struct elf64_ehdr) != 64);
BUILD_BUG_ON(sizeof(struct elf64_phdr) != 56);
BUILD_BUG_ON(sizeof(struct elf64_shdr) != 64);
BUILD_BUG_ON(sizeof(struct elf32_ehdr) != 52);
BUILD_BUG_ON(sizeof(struct elf32_phdr) != 32);
BUILD_BUG_ON(sizeof(struct elf32_shdr) != 40);
BUILD_BUG_ON(sizeof(struct elf_nhdr) != 12);
/* Fields are copied out as they are stored. */
BUILD_BUG_ON(__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__);

/* ------------------------------------------------------------ helpers */

/* The parse in progress: the image, its header and the error buffer. */
struct parse {
    const uint8_t *img;
    uint64_t size;
    struct elf64_ehdr eh;
    struct elf_info *info;
    unsigned int nr_notes;
    char *err;
    size_t errlen;
};

static bool __printf(2, 3) fail(struct parse *ps, const char *fmt, ...)
{
    va_list ap;

    if ( !ps->err || !ps->errlen )
        return false;
    va_start(ap, fmt);
    vsnprintf(ps->err, ps->errlen, fmt, ap);
    va_end(ap);
    return false;
}

/* Does [off, off + len) lie inside an image of size bytes? */
static bool in_image(uint64_t size, uint64_t off, uint64_t len)
{
    return off <= size && len <= size - off;
}

static bool is_elf32(const struct elf64_ehdr *eh)
{
    return eh->e_ident[EI_CLASS] == ELFCLASS32;
}

/* The file header (size checked by the caller), an ELF32 one widened. */
static void get_ehdr(const uint8_t *img, struct elf64_ehdr *eh)
{
    struct elf32_ehdr e;

    if ( img[EI_CLASS] != ELFCLASS32 )
    {
        memcpy(eh, img, sizeof(*eh));
        return;
    }
    memcpy(&e, img, sizeof(e));
    *eh = (struct elf64_ehdr){
        .e_type = e.e_type, .e_machine = e.e_machine, .e_version = e.e_version,
        .e_entry = e.e_entry, .e_phoff = e.e_phoff, .e_shoff = e.e_shoff,
        .e_flags = e.e_flags, .e_ehsize = e.e_ehsize,
        .e_phentsize = e.e_phentsize, .e_phnum = e.e_phnum,
        .e_shentsize = e.e_shentsize, .e_shnum = e.e_shnum,
        .e_shstrndx = e.e_shstrndx,
    };
    memcpy(eh->e_ident, e.e_ident, sizeof(e.e_ident));
}

static bool phdrs_in_image(const struct elf64_ehdr *eh, uint64_t size)
{
    size_t min = is_elf32(eh) ? sizeof(struct elf32_phdr)
                              : sizeof(struct elf64_phdr);

    return eh->e_phnum == 0 ||
           (eh->e_phentsize >= min &&
            in_image(size, eh->e_phoff,
                     (uint64_t)eh->e_phentsize * eh->e_phnum));
}

/* Program header i, widened: the table was checked by check_header(). */
static void get_phdr(const uint8_t *img, const struct elf64_ehdr *eh,
                     unsigned int i, struct elf64_phdr *ph)
{
    const uint8_t *at = img + eh->e_phoff + (uint64_t)i * eh->e_phentsize;
    struct elf32_phdr p;

    if ( !is_elf32(eh) )
    {
        memcpy(ph, at, sizeof(*ph));
        return;
    }
    memcpy(&p, at, sizeof(p));
    *ph = (struct elf64_phdr){
        .p_type = p.p_type, .p_flags = p.p_flags, .p_offset = p.p_offset,
        .p_vaddr = p.p_vaddr, .p_paddr = p.p_paddr, .p_filesz = p.p_filesz,
        .p_memsz = p.p_memsz, .p_align = p.p_align,
    };
}

static void get_shdr(const struct parse *ps, unsigned int i,
                     struct elf64_shdr *sh)
{
    const uint8_t *at = ps->img + ps->eh.e_shoff +
                        (uint64_t)i * ps->eh.e_shentsize;
    struct elf32_shdr s;

    if ( !is_elf32(&ps->eh) )
    {
        memcpy(sh, at, sizeof(*sh));
        return;
    }
    memcpy(&s, at, sizeof(s));
    *sh = (struct elf64_shdr){
        .sh_name = s.sh_name, .sh_type = s.sh_type, .sh_flags = s.sh_flags,
        .sh_addr = s.sh_addr, .sh_offset = s.sh_offset, .sh_size = s.sh_size,
        .sh_link = s.sh_link, .sh_info = s.sh_info,
        .sh_addralign = s.sh_addralign, .sh_entsize = s.sh_entsize,
    };
}

static bool loadable(const struct elf64_phdr *ph)
{
    return ph->p_type == PT_LOAD && (ph->p_flags & PF_RWX);
}

/*
 * Copy len bytes of an untrusted string into dst[n], truncated, with
 * anything unprintable replaced so the text stays on one log line.
 */
static void copy_str(char *dst, size_t n, const char *src, size_t len)
{
    size_t i;

    for ( i = 0; i < len && i + 1 < n && src[i]; i++ )
        dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
    dst[i] = '\0';
}

static bool span_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && !memcmp(s, word, len);
}

static bool span_has(const char *s, size_t len, const char *word)
{
    size_t wl = strlen(word);

    for ( size_t i = 0; i + wl <= len; i++ )
        if ( !memcmp(s + i, word, wl) )
            return true;
    return false;
}

/* strtoull(s, NULL, 0) on the len bytes at s, as libelf reads legacy keys. */
static uint64_t parse_num(const char *s, size_t len)
{
    uint64_t v = 0;
    unsigned int base = 10;
    bool neg = false;
    size_t i = 0;

    while ( i < len && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) )
        i++;
    if ( i < len && (s[i] == '+' || s[i] == '-') )
        neg = s[i++] == '-';
    if ( i < len && s[i] == '0' )
    {
        base = 8;
        if ( i + 2 < len && (s[i + 1] | 0x20) == 'x' &&
             ((s[i + 2] >= '0' && s[i + 2] <= '9') ||
              ((s[i + 2] | 0x20) >= 'a' && (s[i + 2] | 0x20) <= 'f')) )
        {
            base = 16;
            i += 2;
        }
    }
    for ( ; i < len; i++ )
    {
        char c = s[i] | 0x20;
        unsigned int d = (s[i] >= '0' && s[i] <= '9') ? s[i] - '0' :
                         (c >= 'a' && c <= 'z') ? c - 'a' + 10 : 36;

        if ( d >= base )
            break;
        if ( v > (UINT64_MAX - d) / base )
            return UINT64_MAX;
        v = v * base + d;
    }
    return neg ? -v : v;
}

/* ------------------------------------------------------------ features */

/* The names libelf knows (elf_xen_feature_names), by XENFEAT_ number. */
static const char *const feature_names[] = {
    [XENFEAT_writable_page_tables]       = "writable_page_tables",
    [XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [XENFEAT_auto_translated_physmap]    = "auto_translated_physmap",
    [XENFEAT_supervisor_mode_kernel]     = "supervisor_mode_kernel",
    [XENFEAT_pae_pgdir_above_4gb]        = "pae_pgdir_above_4gb",
    [XENFEAT_hvm_callback_vector]        = "hvm_callback_vector",
    [XENFEAT_dom0]                       = "dom0",
};

/* What a PV domU cannot have: see the top of this file. */
static const unsigned int refused_features[] = {
    XENFEAT_auto_translated_physmap,
    XENFEAT_supervisor_mode_kernel,
    XENFEAT_hvm_callback_vector,
    XENFEAT_dom0,
};

static void feature_set(uint32_t *map, unsigned int nr)
{
    map[nr / 32] |= 1U << (nr % 32);
}

/*
 * A '|'-separated list of names; '!' marks a required one. A required one
 * is also supported. Unknown names are ignored unless required.
 */
static bool parse_features(struct parse *ps, const char *s, size_t len)
{
    BUILD_BUG_ON(ARRAY_SIZE(feature_names) > 32 * XENFEAT_NR_SUBMAPS);

    while ( len )
    {
        const char *bar = memchr(s, '|', len);
        size_t tl = bar ? (size_t)(bar - s) : len;
        bool req = tl && s[0] == '!';
        const char *name = s + req;
        size_t nl = tl - req;
        unsigned int i;

        for ( i = 0; i < ARRAY_SIZE(feature_names); i++ )
            if ( feature_names[i] && span_is(name, nl, feature_names[i]) )
                break;

        if ( i < ARRAY_SIZE(feature_names) )
        {
            feature_set(ps->info->f_supported, i);
            if ( req )
                feature_set(ps->info->f_required, i);
        }
        else if ( req )
        {
            char buf[ELF_INFO_STR];

            copy_str(buf, sizeof(buf), name, nl);
            return fail(ps, "kernel requires unknown feature \"%s\"", buf);
        }
        s += tl + (bar != NULL);
        len -= tl + (bar != NULL);
    }
    return true;
}

/* ------------------------------------------------------------ Xen notes */

enum note_kind { NOTE_NUM = 1, NOTE_STR, NOTE_RAW };

static const struct {
    const char *name;
    enum note_kind kind;
} xen_notes[] = {
    [XEN_ELFNOTE_ENTRY]              = { "ENTRY",              NOTE_NUM },
    [XEN_ELFNOTE_HYPERCALL_PAGE]     = { "HYPERCALL_PAGE",     NOTE_NUM },
    [XEN_ELFNOTE_VIRT_BASE]          = { "VIRT_BASE",          NOTE_NUM },
    [XEN_ELFNOTE_PADDR_OFFSET]       = { "PADDR_OFFSET",       NOTE_NUM },
    [XEN_ELFNOTE_XEN_VERSION]        = { "XEN_VERSION",        NOTE_STR },
    [XEN_ELFNOTE_GUEST_OS]           = { "GUEST_OS",           NOTE_STR },
    [XEN_ELFNOTE_GUEST_VERSION]      = { "GUEST_VERSION",      NOTE_STR },
    [XEN_ELFNOTE_LOADER]             = { "LOADER",             NOTE_STR },
    [XEN_ELFNOTE_PAE_MODE]           = { "PAE_MODE",           NOTE_STR },
    [XEN_ELFNOTE_FEATURES]           = { "FEATURES",           NOTE_STR },
    [XEN_ELFNOTE_BSD_SYMTAB]         = { "BSD_SYMTAB",         NOTE_STR },
    [XEN_ELFNOTE_HV_START_LOW]       = { "HV_START_LOW",       NOTE_NUM },
    [XEN_ELFNOTE_L1_MFN_VALID]       = { "L1_MFN_VALID",       NOTE_RAW },
    [XEN_ELFNOTE_SUSPEND_CANCEL]     = { "SUSPEND_CANCEL",     NOTE_NUM },
    [XEN_ELFNOTE_INIT_P2M]           = { "INIT_P2M",           NOTE_NUM },
    [XEN_ELFNOTE_MOD_START_PFN]      = { "MOD_START_PFN",      NOTE_NUM },
    [XEN_ELFNOTE_SUPPORTED_FEATURES] = { "SUPPORTED_FEATURES", NOTE_RAW },
    [XEN_ELFNOTE_PHYS32_ENTRY]       = { "PHYS32_ENTRY",       NOTE_NUM },
};

/*
 * One "Xen" note, whose descriptor of descsz bytes has room bytes up to the
 * next 4-byte boundary (or the end of its segment). Unknown types (INFO,
 * newer ones) are ignored.
 */
static bool xen_note(struct parse *ps, uint32_t type, const uint8_t *desc,
                     uint32_t descsz, uint64_t room)
{
    struct elf_info *info = ps->info;
    const char *str = (const char *)desc;
    size_t slen = 0;
    uint64_t val = 0;

    if ( type >= ARRAY_SIZE(xen_notes) || !xen_notes[type].name )
        return true;

    switch ( xen_notes[type].kind )
    {
    case NOTE_NUM:
        /* elf_note_numeric: 1, 2, 4 or 8 bytes, little-endian. */
        if ( descsz != 1 && descsz != 2 && descsz != 4 && descsz != 8 )
            return fail(ps, "Xen note %s has a %u-byte value, not 1, 2, 4 or 8",
                        xen_notes[type].name, descsz);
        memcpy(&val, desc, descsz);
        break;

    case NOTE_STR:
        /*
         * Linux 6.1's FEATURES is .ascii, its NUL in the padding (descsz
         * 41): libelf reads on to a NUL anywhere. We allow the padding.
         */
        if ( !descsz || !memchr(desc, '\0', room) )
            return fail(ps, "Xen note %s is not a NUL-terminated string",
                        xen_notes[type].name);
        slen = strlen(str);
        break;

    case NOTE_RAW:
        break;
    }

    switch ( type )
    {
    case XEN_ELFNOTE_ENTRY:          info->entry = val;             break;
    case XEN_ELFNOTE_HYPERCALL_PAGE: info->hypercall_page = val;    break;
    case XEN_ELFNOTE_VIRT_BASE:      info->virt_base = val;         break;
    case XEN_ELFNOTE_PADDR_OFFSET:   info->paddr_offset = val;      break;
    case XEN_ELFNOTE_HV_START_LOW:   info->hv_start_low = val;      break;
    case XEN_ELFNOTE_INIT_P2M:       info->init_p2m = val;          break;
    case XEN_ELFNOTE_SUSPEND_CANCEL: info->suspend_cancel = val;    break;
    case XEN_ELFNOTE_MOD_START_PFN:  info->mod_start_pfn = val;     break;
    case XEN_ELFNOTE_PHYS32_ENTRY:   info->phys32_entry = val;      break;

    case XEN_ELFNOTE_XEN_VERSION:
        copy_str(info->xen_version, ELF_INFO_STR, str, slen);
        break;
    case XEN_ELFNOTE_GUEST_OS:
        copy_str(info->guest_os, ELF_INFO_STR, str, slen);
        break;
    case XEN_ELFNOTE_GUEST_VERSION:
        copy_str(info->guest_version, ELF_INFO_STR, str, slen);
        break;
    case XEN_ELFNOTE_LOADER:
        copy_str(info->loader, ELF_INFO_STR, str, slen);
        break;
    case XEN_ELFNOTE_PAE_MODE:
        if ( span_is(str, slen, "yes") )
            info->pae = ELF_PAE_EXTCR3;
        if ( span_has(str, slen, "bimodal") )
            info->pae = ELF_PAE_BIMODAL;
        break;
    case XEN_ELFNOTE_BSD_SYMTAB:
        if ( span_is(str, slen, "yes") )
            info->bsd_symtab = true;
        break;
    case XEN_ELFNOTE_FEATURES:
        return parse_features(ps, str, slen);

    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        /* elf_note_numeric_array: 32-bit words, submap i in word i. */
        if ( !descsz || descsz % 4 )
            return fail(ps, "Xen note SUPPORTED_FEATURES has %u bytes, not a multiple of 4",
                        descsz);
        for ( unsigned int i = 0; i < MIN(XENFEAT_NR_SUBMAPS, descsz / 4);
              i++ )
        {
            uint32_t word;

            memcpy(&word, desc + 4 * i, 4);
            info->f_supported[i] |= word;
        }
        break;
    case XEN_ELFNOTE_L1_MFN_VALID:
        /*
         * maddr_t-sized mask/value pairs; only the tools' save/restore
         * reads it (libelf just records it), so a short one is ignored.
         */
        if ( descsz >= 16 )
        {
            info->l1_mfn_valid = true;
            memcpy(&info->l1_mfn_valid_mask, desc, 8);
            memcpy(&info->l1_mfn_valid_value, desc + 8, 8);
        }
        break;
    }
    return true;
}

/*
 * The notes in [off, off + len) of the image (checked by the caller), as
 * elf_xen_parse_notes: count the "Xen" ones in *nr_xen. Fewer than 12
 * bytes left at the end are padding.
 */
static bool parse_notes(struct parse *ps, uint64_t off, uint64_t len,
                        const char *what, unsigned int idx,
                        unsigned int *nr_xen)
{
    uint8_t tail[NOTE_TAIL_MAX];
    uint64_t pos = 0;

    if ( !in_image(ps->size, off, len) )
        return fail(ps, "%s %u: bytes [0x%llx, +0x%llx) are outside the image (0x%llx bytes)",
                    what, idx, (unsigned long long)off,
                    (unsigned long long)len, (unsigned long long)ps->size);
    while ( len - pos >= sizeof(struct elf_nhdr) )
    {
        const uint8_t *name, *desc;
        struct elf_nhdr nh;
        uint64_t namesz, descsz, rest;

        if ( ++ps->nr_notes > MAX_NOTES )
            return fail(ps, "more than %u ELF notes", MAX_NOTES);

        memcpy(&nh, ps->img + off + pos, sizeof(nh));
        name = ps->img + off + pos + sizeof(nh);
        rest = len - pos - sizeof(nh);
        namesz = ROUNDUP((uint64_t)nh.n_namesz, 4);
        if ( namesz > rest ||
             (nh.n_descsz > rest - namesz && nh.n_descsz > NOTE_TAIL_MAX) )
            return fail(ps, "%s %u: note at offset 0x%llx (namesz %u, descsz %u) overruns it (0x%llx bytes)",
                        what, idx, (unsigned long long)pos, nh.n_namesz,
                        nh.n_descsz, (unsigned long long)len);
        desc = name + namesz;
        descsz = MIN(ROUNDUP((uint64_t)nh.n_descsz, 4), rest - namesz);
        pos += sizeof(nh) + namesz + descsz;

        if ( nh.n_namesz < 4 || memcmp(name, "Xen", 4) )
            continue;
        if ( nh.n_descsz > rest - namesz )
        {
            /*
             * The descriptor runs past the segment (PV-GRUB2 i386's last
             * note, PAE_MODE, by 8 bytes past the end of the file): read
             * it as libelf does, the image's bytes and zeros beyond it.
             */
            uint64_t at = desc - ps->img;
            uint64_t have = MIN((uint64_t)nh.n_descsz, ps->size - at);

            memset(tail, 0, sizeof(tail));
            memcpy(tail, desc, have);
            desc = tail;
            descsz = nh.n_descsz;
        }
        if ( !xen_note(ps, nh.n_type, desc, nh.n_descsz, descsz) )
            return false;
        (*nr_xen)++;
    }
    return true;
}

/* PT_NOTE segments, else SHT_NOTE sections (elf_xen_parse). */
static bool find_notes(struct parse *ps, unsigned int *nr_xen)
{
    const struct elf64_ehdr *eh = &ps->eh;

    for ( unsigned int i = 0; i < eh->e_phnum; i++ )
    {
        struct elf64_phdr ph;

        get_phdr(ps->img, eh, i, &ph);
        /* Some binutils leave p_offset 0 in note segments: libelf skips. */
        if ( ph.p_type != PT_NOTE || ph.p_offset == 0 )
            continue;
        if ( !parse_notes(ps, ph.p_offset, ph.p_filesz, "PT_NOTE segment",
                          i, nr_xen) )
            return false;
    }
    if ( *nr_xen )
        return true;

    for ( unsigned int i = 1; i < eh->e_shnum; i++ )
    {
        struct elf64_shdr sh;

        get_shdr(ps, i, &sh);
        if ( sh.sh_type != SHT_NOTE )
            continue;
        if ( !parse_notes(ps, sh.sh_offset, sh.sh_size, "SHT_NOTE section",
                          i, nr_xen) )
            return false;
    }
    return true;
}

/* ------------------------------------------------------------ __xen_guest */

/*
 * The section called name, with its bytes inside the image, or false.
 * Names come from the e_shstrndx string table and must end inside it.
 */
static bool find_section(const struct parse *ps, const char *name,
                         struct elf64_shdr *out)
{
    const struct elf64_ehdr *eh = &ps->eh;
    size_t nl = strlen(name) + 1;
    struct elf64_shdr strtab;

    if ( eh->e_shstrndx == 0 || eh->e_shstrndx >= eh->e_shnum )
        return false;
    get_shdr(ps, eh->e_shstrndx, &strtab);
    if ( strtab.sh_type == SHT_NOBITS ||
         !in_image(ps->size, strtab.sh_offset, strtab.sh_size) )
        return false;

    for ( unsigned int i = 1; i < eh->e_shnum; i++ )
    {
        get_shdr(ps, i, out);
        if ( in_image(strtab.sh_size, out->sh_name, nl) &&
             !memcmp(ps->img + strtab.sh_offset + out->sh_name, name, nl) )
            return out->sh_type != SHT_NOBITS &&
                   in_image(ps->size, out->sh_offset, out->sh_size);
    }
    return false;
}

/*
 * The legacy string "KEY=VALUE,KEY=VALUE,...", ending at a NUL or at the
 * end of the section (elf_xen_parse_guest_info).
 */
static bool parse_guest_info(struct parse *ps, const char *s, size_t len)
{
    struct elf_info *info = ps->info;
    const char *nul = memchr(s, '\0', len);

    if ( nul )
        len = nul - s;

    while ( len )
    {
        const char *comma = memchr(s, ',', len);
        size_t il = comma ? (size_t)(comma - s) : len;
        const char *eq = memchr(s, '=', il);
        size_t kl = eq ? (size_t)(eq - s) : il;
        const char *v = eq ? eq + 1 : s + il;
        size_t vl = eq ? il - kl - 1 : 0;

        if ( span_is(s, kl, "LOADER") )
            copy_str(info->loader, ELF_INFO_STR, v, vl);
        else if ( span_is(s, kl, "GUEST_OS") )
            copy_str(info->guest_os, ELF_INFO_STR, v, vl);
        else if ( span_is(s, kl, "GUEST_VER") )
            copy_str(info->guest_version, ELF_INFO_STR, v, vl);
        else if ( span_is(s, kl, "XEN_VER") )
            copy_str(info->xen_version, ELF_INFO_STR, v, vl);
        else if ( span_is(s, kl, "PAE") )
        {
            if ( span_is(v, vl, "yes[extended-cr3]") )
                info->pae = ELF_PAE_EXTCR3;
            else if ( vl >= 3 && !memcmp(v, "yes", 3) )
                info->pae = ELF_PAE_YES;
        }
        else if ( span_is(s, kl, "BSD_SYMTAB") )
            info->bsd_symtab = true;
        else if ( span_is(s, kl, "VIRT_BASE") )
            info->virt_base = parse_num(v, vl);
        else if ( span_is(s, kl, "VIRT_ENTRY") )
            info->entry = parse_num(v, vl);
        else if ( span_is(s, kl, "ELF_PADDR_OFFSET") )
            info->paddr_offset = parse_num(v, vl);
        else if ( span_is(s, kl, "HYPERCALL_PAGE") )
            /* A page number: a VA once virt_base is added below. */
            info->hypercall_page = parse_num(v, vl) << 12;
        else if ( span_is(s, kl, "FEATURES") && !parse_features(ps, v, vl) )
            return false;

        s += il + (comma != NULL);
        len -= il + (comma != NULL);
    }

    if ( info->virt_base != ELF_UNSET && info->hypercall_page != ELF_UNSET )
        info->hypercall_page += info->virt_base;
    return true;
}

/* ------------------------------------------------------------ checks */

static bool check_header(struct parse *ps)
{
    const uint8_t *id = ps->img;
    struct elf64_ehdr *eh = &ps->eh;
    uint16_t machine;

    if ( ps->size < 4 || memcmp(id, "\177ELF", 4) )
        return fail(ps, "not an ELF image");
    if ( ps->size < 20 )
        return fail(ps, "ELF header truncated: image of %llu bytes",
                    (unsigned long long)ps->size);
    if ( id[EI_CLASS] != ELFCLASS32 && id[EI_CLASS] != ELFCLASS64 )
        return fail(ps, "unknown ELF class %u", id[EI_CLASS]);
    if ( id[EI_DATA] != ELFDATA2LSB )
        return fail(ps, "ELF data encoding %u is not little-endian",
                    id[EI_DATA]);

    /* e_machine sits at offset 18 in both classes. */
    memcpy(&machine, id + 18, 2);
    ps->info->elf_class = id[EI_CLASS] == ELFCLASS64 ? 64 : 32;
    ps->info->machine = machine;
    if ( id[EI_CLASS] == ELFCLASS32 && machine != ELF_MACHINE_386 )
        return fail(ps, "ELF32 image for machine %u is not an i386 kernel",
                    machine);
    if ( id[EI_CLASS] == ELFCLASS64 && machine != ELF_MACHINE_X86_64 )
        return fail(ps, "ELF machine %u is not x86-64", machine);

    if ( ps->size < (id[EI_CLASS] == ELFCLASS32 ? sizeof(struct elf32_ehdr)
                                                : sizeof(*eh)) )
        return fail(ps, "ELF header truncated: image of %llu bytes",
                    (unsigned long long)ps->size);
    get_ehdr(id, eh);
    if ( id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT )
        return fail(ps, "ELF version %u/%u is not 1", id[EI_VERSION],
                    eh->e_version);
    if ( eh->e_type != ET_EXEC )
        return fail(ps, "ELF type %u is not an executable", eh->e_type);

    if ( !phdrs_in_image(eh, ps->size) )
        return fail(ps, "program header table (%u entries of %u bytes at 0x%llx) is not inside the image (0x%llx bytes)",
                    eh->e_phnum, eh->e_phentsize,
                    (unsigned long long)eh->e_phoff,
                    (unsigned long long)ps->size);
    if ( eh->e_shnum &&
         (eh->e_shentsize < (is_elf32(eh) ? sizeof(struct elf32_shdr)
                                          : sizeof(struct elf64_shdr)) ||
          !in_image(ps->size, eh->e_shoff,
                    (uint64_t)eh->e_shentsize * eh->e_shnum)) )
        return fail(ps, "section header table (%u entries of %u bytes at 0x%llx) is not inside the image (0x%llx bytes)",
                    eh->e_shnum, eh->e_shentsize,
                    (unsigned long long)eh->e_shoff,
                    (unsigned long long)ps->size);
    ps->info->e_entry = eh->e_entry;
    return true;
}

/* The PT_LOAD segments: pstart, pend (elf_parse_binary), and sanity. */
static bool check_segments(struct parse *ps)
{
    struct elf_info *info = ps->info;
    uint64_t total = 0;

    info->pstart = UINT64_MAX;
    info->pend = 0;
    for ( unsigned int i = 0; i < ps->eh.e_phnum; i++ )
    {
        struct elf64_phdr ph;

        get_phdr(ps->img, &ps->eh, i, &ph);
        if ( !loadable(&ph) )
            continue;
        if ( ph.p_filesz > ph.p_memsz )
            return fail(ps, "PT_LOAD segment %u: p_filesz 0x%llx is larger than p_memsz 0x%llx",
                        i, (unsigned long long)ph.p_filesz,
                        (unsigned long long)ph.p_memsz);
        if ( ph.p_filesz && !in_image(ps->size, ph.p_offset, ph.p_filesz) )
            return fail(ps, "PT_LOAD segment %u: file bytes [0x%llx, +0x%llx) are outside the image (0x%llx bytes)",
                        i, (unsigned long long)ph.p_offset,
                        (unsigned long long)ph.p_filesz,
                        (unsigned long long)ps->size);
        if ( ph.p_paddr + ph.p_memsz < ph.p_paddr )
            return fail(ps, "PT_LOAD segment %u: p_paddr 0x%llx + p_memsz 0x%llx wraps",
                        i, (unsigned long long)ph.p_paddr,
                        (unsigned long long)ph.p_memsz);
        info->nr_load++;
        info->pstart = MIN(info->pstart, ph.p_paddr);
        info->pend = MAX(info->pend, ph.p_paddr + ph.p_memsz);
        total = total + ph.p_memsz < total ? UINT64_MAX : total + ph.p_memsz;
    }
    if ( !info->nr_load )
        return fail(ps, "no loadable PT_LOAD segment");
    if ( total > info->pend - info->pstart &&
         total - (info->pend - info->pstart) > info->pend - info->pstart )
        return fail(ps, "PT_LOAD segments total 0x%llx bytes, over twice the 0x%llx they span",
                    (unsigned long long)total,
                    (unsigned long long)(info->pend - info->pstart));
    return true;
}

/* elf_xen_note_check, for a PV guest. */
static bool check_xen_aware(struct parse *ps)
{
    const struct elf_info *info = ps->info;

    if ( !info->xen_notes && !info->xen_guest_section )
        return fail(ps, "not a Xen PV kernel: no Xen ELF notes and no __xen_guest section");
    if ( strncmp(info->loader, "generic", 7) &&
         strncmp(info->guest_os, "linux", 5) )
        return fail(ps, "not a kernel for the generic loader or Linux (LOADER \"%s\", GUEST_OS \"%s\")",
                    info->loader, info->guest_os);
    if ( strncmp(info->xen_version, "xen-3.0", 7) )
        return fail(ps, "kernel is built for Xen \"%s\", not \"xen-3.0\"",
                    info->xen_version);
    /* xen-3.0-x86_32 (libxc's name for it): no Xen since 3.x runs one. */
    if ( info->elf_class == 32 && info->pae == ELF_PAE_NO )
        return fail(ps, "a non-PAE 32-bit kernel (xen-3.0-x86_32): Xen runs 32-bit PV kernels built for PAE only (xen-3.0-x86_32p)");
    return true;
}

/* elf_xen_addr_calc_check, for a PV guest, and the hypercall page. */
static bool check_addresses(struct parse *ps)
{
    struct elf_info *info = ps->info;

    if ( info->paddr_offset != ELF_UNSET && info->virt_base == ELF_UNSET )
        return fail(ps, "ELF_PADDR_OFFSET is set but VIRT_BASE is not");
    if ( info->virt_base == ELF_UNSET )
        info->virt_base = 0;
    /* The legacy interface defaulted it to virt_base, the notes to 0. */
    if ( info->paddr_offset == ELF_UNSET )
        info->paddr_offset = info->xen_notes ? 0 : info->virt_base;

    info->virt_offset = info->virt_base - info->paddr_offset;
    info->virt_kstart = info->pstart + info->virt_offset;
    info->virt_kend = info->pend + info->virt_offset;
    if ( info->entry == ELF_UNSET )
        info->entry = info->e_entry;

    if ( info->virt_kstart > info->virt_kend )
        return fail(ps, "kernel image [0x%llx, 0x%llx) wraps around",
                    (unsigned long long)info->virt_kstart,
                    (unsigned long long)info->virt_kend);
    if ( info->virt_base > info->virt_kstart )
        return fail(ps, "kernel image start 0x%llx is below VIRT_BASE 0x%llx",
                    (unsigned long long)info->virt_kstart,
                    (unsigned long long)info->virt_base);
    if ( info->entry < info->virt_kstart || info->entry >= info->virt_kend )
        return fail(ps, "kernel entry 0x%llx is outside the image [0x%llx, 0x%llx)",
                    (unsigned long long)info->entry,
                    (unsigned long long)info->virt_kstart,
                    (unsigned long long)info->virt_kend);
    if ( info->hypercall_page != ELF_UNSET &&
         (info->hypercall_page < info->virt_kstart ||
          info->hypercall_page >= info->virt_kend) )
        return fail(ps, "hypercall page 0x%llx is outside the image [0x%llx, 0x%llx)",
                    (unsigned long long)info->hypercall_page,
                    (unsigned long long)info->virt_kstart,
                    (unsigned long long)info->virt_kend);
    if ( info->init_p2m != ELF_UNSET &&
         info->init_p2m >= info->virt_kstart &&
         info->init_p2m < info->virt_kend )
        return fail(ps, "INIT_P2M 0x%llx is inside the kernel image [0x%llx, 0x%llx)",
                    (unsigned long long)info->init_p2m,
                    (unsigned long long)info->virt_kstart,
                    (unsigned long long)info->virt_kend);
    return true;
}

static bool check_features(struct parse *ps)
{
    for ( unsigned int i = 0; i < ARRAY_SIZE(refused_features); i++ )
        if ( elf_feature(ps->info->f_required, refused_features[i]) )
            return fail(ps, "kernel requires feature %s, which a PV domU cannot have",
                        feature_names[refused_features[i]]);
    return true;
}

/* ------------------------------------------------------------ the API */

bool elf_parse(const void *img, uint64_t size, struct elf_info *info,
               char *err, size_t errlen)
{
    struct parse ps = {
        .img = img, .size = size, .info = info, .err = err, .errlen = errlen,
    };
    unsigned int nr_xen = 0;
    struct elf64_shdr sh;

    memset(info, 0, sizeof(*info));
    info->virt_base = ELF_UNSET;
    info->paddr_offset = ELF_UNSET;
    info->entry = ELF_UNSET;
    info->hypercall_page = ELF_UNSET;
    info->init_p2m = ELF_UNSET;
    info->hv_start_low = ELF_UNSET;
    info->phys32_entry = ELF_UNSET32;

    if ( !img )
        return fail(&ps, "no kernel image");
    if ( !check_header(&ps) || !check_segments(&ps) ||
         !find_notes(&ps, &nr_xen) )
        return false;

    info->xen_notes = nr_xen != 0;
    if ( !nr_xen && find_section(&ps, "__xen_guest", &sh) )
    {
        info->xen_guest_section = true;
        if ( !parse_guest_info(&ps, (const char *)ps.img + sh.sh_offset,
                               sh.sh_size) )
            return false;
    }

    return check_xen_aware(&ps) && check_addresses(&ps) &&
           check_features(&ps);
}

bool elf_load(const void *img, uint64_t size, const struct elf_info *info,
              elf_copy_fn copy, elf_zero_fn zero, void *ctx)
{
    const uint8_t *p = img;
    struct elf64_ehdr eh;

    /* Cheap re-checks, in case this is not the image that was parsed. */
    if ( !img || size < sizeof(struct elf32_ehdr) ||
         info->elf_class != (p[EI_CLASS] == ELFCLASS32 ? 32 : 64) ||
         (info->elf_class == 64 && size < sizeof(eh)) )
        return false;
    get_ehdr(p, &eh);
    if ( !phdrs_in_image(&eh, size) )
        return false;

    for ( unsigned int i = 0; i < eh.e_phnum; i++ )
    {
        struct elf64_phdr ph;
        uint64_t va;

        get_phdr(p, &eh, i, &ph);
        if ( !loadable(&ph) )
            continue;
        va = ph.p_paddr + info->virt_offset;
        if ( ph.p_filesz > ph.p_memsz ||
             (ph.p_filesz && !in_image(size, ph.p_offset, ph.p_filesz)) ||
             va < info->virt_kstart || va > info->virt_kend ||
             ph.p_memsz > info->virt_kend - va )
            return false;
        if ( ph.p_filesz && !copy(ctx, va, p + ph.p_offset, ph.p_filesz) )
            return false;
        if ( ph.p_memsz > ph.p_filesz &&
             !zero(ctx, va + ph.p_filesz, ph.p_memsz - ph.p_filesz) )
            return false;
    }
    return true;
}
