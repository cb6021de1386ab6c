/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/elf.h - the guest kernel's ELF image: what a PV domain builder needs
 * from it (load addresses, entry, Xen notes) and the copy of its segments.
 *
 * The image is untrusted: elf_parse() checks every offset, size and count
 * against the image before reading through it, and refuses what Xen's
 * libelf and PV builders refuse (libelf-dominfo.c elf_xen_parse,
 * xg_dom_elfloader.c, pv/dom0_build.c), with a one-line reason.
 * Pure code, no global state: host-tested.
 */
#ifndef PVOPS_ELF_H
#define PVOPS_ELF_H

#include "lib/xen.h"

/* A Xen note or __xen_guest key that the kernel does not give. */
#define ELF_UNSET           (~0ULL)
#define ELF_UNSET32         (~0U)

/* e_machine values (ELF spec). */
#define ELF_MACHINE_386     3
#define ELF_MACHINE_X86_64  62

/* Strings from the notes keep this many bytes, NUL included. */
#define ELF_INFO_STR        32

/* PAE_MODE note / PAE= key, as libelf's xen_pae_type. Meaningless for ELF64. */
enum elf_pae {
    ELF_PAE_NO,
    ELF_PAE_YES,                /* __xen_guest "PAE=yes" */
    ELF_PAE_EXTCR3,             /* note "yes", or "PAE=yes[extended-cr3]" */
    ELF_PAE_BIMODAL,            /* note containing "bimodal" */
};

struct elf_info {
    /* The ELF file. */
    unsigned int elf_class;     /* 32 or 64; 0 if not identified */
    unsigned int machine;       /* e_machine (ELF_MACHINE_*) */
    uint64_t e_entry;
    unsigned int nr_load;       /* loadable PT_LOAD segments */
    uint64_t pstart;            /* lowest p_paddr of them */
    uint64_t pend;              /* highest p_paddr + p_memsz */

    /* Where the Xen information came from: at most one is true. */
    bool xen_notes;             /* "Xen" ELF notes (PT_NOTE, else SHT_NOTE) */
    bool xen_guest_section;     /* the legacy __xen_guest string */

    /* Xen notes, with libelf's defaults applied by elf_parse(). */
    uint64_t virt_base;         /* VIRT_BASE; default 0 */
    uint64_t paddr_offset;      /* PADDR_OFFSET; default 0, legacy virt_base */
    uint64_t entry;             /* ENTRY; default e_entry */
    uint64_t hypercall_page;    /* HYPERCALL_PAGE as a VA, or ELF_UNSET */
    uint64_t init_p2m;          /* INIT_P2M, or ELF_UNSET */
    uint64_t hv_start_low;      /* HV_START_LOW, or ELF_UNSET */
    uint32_t phys32_entry;      /* PHYS32_ENTRY, or ELF_UNSET32 */
    bool l1_mfn_valid;          /* L1_MFN_VALID given: first mask/value pair */
    uint64_t l1_mfn_valid_mask;
    uint64_t l1_mfn_valid_value;
    bool mod_start_pfn;         /* MOD_START_PFN != 0: initrd may be unmapped */
    bool suspend_cancel;        /* SUSPEND_CANCEL != 0 */
    bool bsd_symtab;            /* BSD_SYMTAB asked for (not loaded by us) */
    enum elf_pae pae;
    /* Named in FEATURES or set in SUPPORTED_FEATURES; '!' names too. */
    uint32_t f_supported[XENFEAT_NR_SUBMAPS];
    uint32_t f_required[XENFEAT_NR_SUBMAPS];    /* FEATURES names with '!' */
    char guest_os[ELF_INFO_STR];                /* "" when absent */
    char guest_version[ELF_INFO_STR];
    char xen_version[ELF_INFO_STR];
    char loader[ELF_INFO_STR];

    /* Computed as libelf's elf_xen_addr_calc_check. */
    uint64_t virt_offset;       /* virt_base - paddr_offset: p_paddr -> VA */
    uint64_t virt_kstart;       /* pstart + virt_offset */
    uint64_t virt_kend;         /* pend + virt_offset (exclusive) */
};

/* Is XENFEAT_<nr> set in a f_supported/f_required map? */
static inline bool elf_feature(const uint32_t *map, unsigned int nr)
{
    return nr < 32 * XENFEAT_NR_SUBMAPS && (map[nr / 32] >> (nr % 32)) & 1;
}

/*
 * Parse and check the kernel image [img, img + size). Accepts only a
 * little-endian ELF64 x86-64 executable with at least one loadable PT_LOAD
 * segment and Xen notes (or a __xen_guest section) for the generic loader
 * or Linux and for "xen-3.0". Refuses images whose entry point or hypercall
 * page lies outside [virt_kstart, virt_kend), and kernels that require a
 * feature a PV domU cannot have (see elf.c).
 *
 * On failure returns false with a one-line reason in err (if errlen > 0);
 * info->elf_class and info->machine are still filled in when the ELF
 * identification was readable, so that a 32-bit i386 kernel
 * (elf_class 32, ELF_MACHINE_386) can be told apart.
 */
bool elf_parse(const void *img, uint64_t size, struct elf_info *info,
               char *err, size_t errlen);

/* Callbacks for elf_load(): return false on failure. */
typedef bool (*elf_copy_fn)(void *ctx, uint64_t va, const void *src,
                            uint64_t len);
typedef bool (*elf_zero_fn)(void *ctx, uint64_t va, uint64_t len);

/*
 * Load an image that elf_parse() accepted into info: for each loadable
 * PT_LOAD segment, in program header order, copy its p_filesz file bytes to
 * va = p_paddr + virt_offset, then zero its p_memsz - p_filesz bss bytes
 * after them. Zero-length calls are skipped. Segments may overlap (later
 * ones win, as in libelf); every va lies in [virt_kstart, virt_kend).
 * Returns false if a callback fails or the image is not the one parsed.
 */
bool elf_load(const void *img, uint64_t size, const struct elf_info *info,
              elf_copy_fn copy, elf_zero_fn zero, void *ctx);

#endif /* PVOPS_ELF_H */
