/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/module.h - what a boot module is: kernel (ELF, bzImage and its
 * payload compression), ramdisk (cpio, compressed) or unknown.
 * Pure code, host-tested.
 */
#ifndef BOOT_MODULE_H
#define BOOT_MODULE_H

#include "lib/compiler.h"

enum module_kind {
    MOD_UNKNOWN,
    MOD_ELF,            /* ELF executable (elf_class 32 or 64) */
    MOD_BZIMAGE,        /* Linux bzImage; payload in payload_* */
    MOD_CPIO,           /* uncompressed cpio archive */
    MOD_COMPRESSED,     /* compressed data (an initrd, usually) */
};

enum compression {
    COMP_NONE,
    COMP_GZIP,
    COMP_XZ,
    COMP_BZIP2,
    COMP_LZMA,
    COMP_LZO,
    COMP_LZ4,
    COMP_ZSTD,
    COMP_UNKNOWN,
};

struct module_desc {
    enum module_kind kind;
    enum compression comp;      /* MOD_COMPRESSED, or a bzImage's payload */
    unsigned int elf_class;     /* 32 or 64 */
    unsigned int elf_machine;   /* e_machine */
    unsigned int bz_version;    /* boot protocol, e.g. 0x20f */
    uint64_t payload_offset;    /* bzImage: payload within the module */
    uint64_t payload_size;
    bool corrupt;               /* recognised, but its header is inconsistent */
};

/* Look at the first bytes of a module of the given size. */
void module_detect(const void *data, uint64_t size, struct module_desc *d);

const char *compression_name(enum compression c);

/* One phrase for the banner, e.g. "bzImage, boot protocol 2.15, xz payload". */
void module_describe(const struct module_desc *d, char *buf, size_t len);

#endif /* BOOT_MODULE_H */
