/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/pvh.h - what L0's toolstack handed us at start of day, checked.
 *
 * hvm_start_info (versions 0 and 1), its module list and memory map are read
 * through a mapping callback, copied into struct boot_info and validated.
 * Pure code: host-tested with a fake physical memory.
 */
#ifndef BOOT_PVH_H
#define BOOT_PVH_H

#include "lib/xen.h"

#define BOOT_MAX_MODULES     8
#define BOOT_MAX_MEMMAP      128
/* Command lines, including the NUL: Xen's and start_info's cmd_line size. */
#define BOOT_CMDLINE_MAX     MAX_GUEST_CMDLINE

struct boot_module {
    uint64_t paddr;
    uint64_t size;
    const char *cmdline;        /* never NULL: "" when there is none */
};

struct mem_region {
    uint64_t addr;
    uint64_t size;
    uint32_t type;              /* XEN_HVM_MEMMAP_TYPE_* (= e820 types) */
};

struct boot_info {
    uint64_t start_info_pa;
    uint32_t version;
    uint32_t flags;
    uint64_t rsdp_paddr;
    uint64_t modlist_paddr;
    const char *cmdline;        /* the shim's own command line, or "" */
    unsigned int nr_modules;
    struct boot_module modules[BOOT_MAX_MODULES];
    unsigned int nr_memmap;     /* 0 until a memory map is known */
    struct mem_region memmap[BOOT_MAX_MEMMAP];  /* sorted by address */
    uint64_t ram_bytes;
};

/* Map len bytes of physical memory at pa, or NULL when that is impossible. */
typedef const void *(*phys_map_fn)(uint64_t pa, uint64_t len);

/*
 * Read and check hvm_start_info at pa: magic, version, command lines, module
 * list and, for version 1, the memory map. On failure returns false with a
 * one-line reason in err.
 */
bool pvh_parse(uint64_t pa, phys_map_fn map, struct boot_info *bi,
               char *err, size_t errlen);

/*
 * Install a memory map from another source (L0's XENMEM_memory_map, in e820
 * format), when start info version 0 or an empty table gave none.
 */
bool pvh_set_memmap(struct boot_info *bi, const struct mem_region *r,
                    unsigned int nr, char *err, size_t errlen);

/*
 * Check the layout as a whole: there is a kernel module, every module lies in
 * RAM, and no two of the modules, the shim image [img_start, img_end) and the
 * start info structures overlap.
 */
bool pvh_check_layout(const struct boot_info *bi, uint64_t img_start,
                      uint64_t img_end, char *err, size_t errlen);

const char *memmap_type_name(uint32_t type);

#endif /* BOOT_PVH_H */
