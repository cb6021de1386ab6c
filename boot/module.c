/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/module.c - recognising boot modules by their magic numbers.
 *
 * bzImage layout: Linux Documentation/arch/x86/boot.rst (the real-mode
 * header at 0x1f1; "HdrS" at 0x202; payload_offset/length at 0x248/0x24c
 * from protocol 2.08, relative to the protected-mode code, which starts at
 * (setup_sects + 1) * 512). Compression magics as the kernel's
 * decompressors and file(1) know them.
 */
#include "boot/module.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

static const struct {
    enum compression comp;
    uint8_t len;
    uint8_t magic[6];
} magics[] = {
    { COMP_GZIP,  2, { 0x1f, 0x8b } },
    { COMP_XZ,    6, { 0xfd, '7', 'z', 'X', 'Z', 0x00 } },
    { COMP_BZIP2, 3, { 'B', 'Z', 'h' } },
    { COMP_LZMA,  3, { 0x5d, 0x00, 0x00 } },
    { COMP_LZO,   4, { 0x89, 'L', 'Z', 'O' } },
    { COMP_LZ4,   4, { 0x02, 0x21, 0x4c, 0x18 } },
    { COMP_ZSTD,  4, { 0x28, 0xb5, 0x2f, 0xfd } },
};

static enum compression detect_compression(const uint8_t *p, uint64_t size)
{
    for ( unsigned int i = 0; i < ARRAY_SIZE(magics); i++ )
        if ( size >= magics[i].len && !memcmp(p, magics[i].magic, magics[i].len) )
            return magics[i].comp;
    return COMP_NONE;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint16_t le16(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}

static void detect_bzimage(const uint8_t *p, uint64_t size, struct module_desc *d)
{
    unsigned int setup_sects = p[0x1f1] ? p[0x1f1] : 4;
    uint64_t pm_start = (setup_sects + 1) * 512ULL;

    d->kind = MOD_BZIMAGE;
    d->bz_version = le16(p + 0x206);
    if ( d->bz_version < 0x208 || size < 0x250 )
    {
        /* Too old to say where its payload is: not something we can boot. */
        d->corrupt = true;
        return;
    }
    d->payload_offset = pm_start + le32(p + 0x248);
    d->payload_size = le32(p + 0x24c);
    if ( d->payload_size == 0 || d->payload_offset >= size ||
         d->payload_size > size - d->payload_offset )
    {
        d->corrupt = true;
        return;
    }
    d->comp = detect_compression(p + d->payload_offset, d->payload_size);
    if ( d->comp == COMP_NONE )
        d->comp = COMP_UNKNOWN;
}

void module_detect(const void *data, uint64_t size, struct module_desc *d)
{
    const uint8_t *p = data;

    memset(d, 0, sizeof(*d));

    if ( size >= 20 && !memcmp(p, "\177ELF", 4) )
    {
        d->kind = MOD_ELF;
        d->elf_class = p[4] == 2 ? 64 : p[4] == 1 ? 32 : 0;
        d->elf_machine = le16(p + 18);
        d->corrupt = d->elf_class == 0 || p[5] != 1;    /* little endian */
        return;
    }

    if ( size >= 0x206 && le16(p + 0x1fe) == 0xaa55 && !memcmp(p + 0x202, "HdrS", 4) )
    {
        if ( size < 0x208 )
        {
            d->kind = MOD_BZIMAGE;
            d->corrupt = true;
            return;
        }
        detect_bzimage(p, size, d);
        return;
    }

    if ( size >= 6 && (!memcmp(p, "070701", 6) || !memcmp(p, "070702", 6) ||
                       !memcmp(p, "070707", 6)) )
    {
        d->kind = MOD_CPIO;
        return;
    }

    d->comp = detect_compression(p, size);
    if ( d->comp != COMP_NONE )
        d->kind = MOD_COMPRESSED;
}

const char *compression_name(enum compression c)
{
    switch ( c )
    {
    case COMP_NONE:     return "uncompressed";
    case COMP_GZIP:     return "gzip";
    case COMP_XZ:       return "xz";
    case COMP_BZIP2:    return "bzip2";
    case COMP_LZMA:     return "lzma";
    case COMP_LZO:      return "lzo";
    case COMP_LZ4:      return "lz4";
    case COMP_ZSTD:     return "zstd";
    default:            return "unknown compression";
    }
}

void module_describe(const struct module_desc *d, char *buf, size_t len)
{
    switch ( d->kind )
    {
    case MOD_ELF:
        snprintf(buf, len, "ELF%u %s%s", d->elf_class,
                 d->elf_machine == 62 ? "x86-64" :
                 d->elf_machine == 3 ? "i386" : "non-x86",
                 d->corrupt ? " (corrupt header)" : "");
        break;
    case MOD_BZIMAGE:
        if ( d->corrupt )
            snprintf(buf, len, "bzImage, boot protocol %u.%02u, no usable payload",
                     d->bz_version >> 8, d->bz_version & 0xff);
        else
            snprintf(buf, len, "bzImage, boot protocol %u.%02u, %s payload of %llu bytes",
                     d->bz_version >> 8, d->bz_version & 0xff,
                     compression_name(d->comp),
                     (unsigned long long)d->payload_size);
        break;
    case MOD_CPIO:
        snprintf(buf, len, "cpio archive");
        break;
    case MOD_COMPRESSED:
        snprintf(buf, len, "%s data", compression_name(d->comp));
        break;
    default:
        snprintf(buf, len, "unknown");
        break;
    }
}
