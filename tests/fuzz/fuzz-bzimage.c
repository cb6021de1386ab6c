/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/fuzz/fuzz-bzimage.c - boot/module.c and boot/decompress.c: the input
 * is boot module 0, taken as boot/setup.c takes it. A bzImage that is not
 * corrupt has its payload inside the module; the description fits any
 * buffer; a gzip or xz payload is unpacked as unpack_kernel() does it (into
 * the size its trailer claims, with an allocation budget) without writing
 * past the output or giving a bad answer.
 */
#include "tests/fuzz/fuzz.h"

#include "boot/decompress.h"

#define OUT_MAX     (4u << 20)      /* bigger claims are skipped, for speed */
#define BUDGET      (8u << 20)      /* the decompressors' allocations */
#define GUARD       64

struct arena {
    void *blocks[64];
    unsigned int n;
    size_t used;
};

static void *arena_alloc(void *ctx, size_t size)
{
    struct arena *a = ctx;
    void *p;

    if ( size > BUDGET - a->used || a->n == ARRAY_SIZE(a->blocks) ||
         !(p = aligned_alloc(16, (size + 15) & ~(size_t)15)) )
        return NULL;
    memset(p, 0, size);
    a->blocks[a->n++] = p;
    a->used += size;
    return p;
}

static void describe(const struct module_desc *d)
{
    char full[160], part[24];

    memset(full, FUZZ_GUARD, sizeof(full));
    module_describe(d, full, sizeof(full));
    CHECK(fuzz_line_ok(full, sizeof(full)) && full[0]);
    for ( size_t len = 1; len <= 16; len += 5 )
    {
        memset(part, FUZZ_GUARD, sizeof(part));
        module_describe(d, part, len);
        CHECK(fuzz_guard_ok(part, len, sizeof(part)));
        CHECK(strlen(part) == MIN(strlen(full), len - 1));
        CHECK(!strncmp(part, full, len - 1));
    }
}

static void unpack(const uint8_t *pl, size_t len, enum compression comp)
{
    uint64_t out_size = payload_size_hint(pl, len);
    struct arena a = { .n = 0 };
    uint8_t *out;
    size_t got = 12345;
    char err[160];
    bool ok;

    CHECK(len >= 4 || out_size == 0);
    if ( out_size == 0 || out_size > OUT_MAX )
        return;                         /* the shim panics on these */
    out = malloc(out_size + GUARD);
    CHECK(out);
    memset(out + out_size, FUZZ_GUARD, GUARD);
    memset(err, FUZZ_GUARD, sizeof(err));

    ok = decompress(comp, pl, len, out, out_size, &got, arena_alloc, &a,
                    err, sizeof(err));

    CHECK(fuzz_guard_ok((const char *)out, out_size, out_size + GUARD));
    CHECK(fuzz_line_ok(err, sizeof(err)));
    CHECK(ok ? !err[0] && got <= out_size : err[0] && got == 0);
    while ( a.n )
        free(a.blocks[--a.n]);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *m = fuzz_dup(data, size);
    struct module_desc d, again;

    module_detect(m, size, &d);
    module_detect(m, size, &again);
    CHECK(!memcmp(&d, &again, sizeof(d)));
    CHECK(d.kind <= MOD_COMPRESSED && d.comp <= COMP_UNKNOWN);
    describe(&d);

    switch ( d.kind )
    {
    case MOD_ELF:
        CHECK(size >= 20 && !memcmp(m, "\177ELF", 4));
        CHECK(d.corrupt || d.elf_class == 32 || d.elf_class == 64);
        break;
    case MOD_COMPRESSED:
        CHECK(d.comp != COMP_NONE && d.comp != COMP_UNKNOWN);
        break;
    case MOD_BZIMAGE:
        CHECK(size >= 0x206 && !memcmp(m + 0x202, "HdrS", 4));
        if ( d.corrupt )
            break;
        CHECK(d.bz_version >= 0x208 && d.payload_size > 0);
        CHECK(d.payload_offset < size &&
              d.payload_size <= size - d.payload_offset);
        CHECK(d.comp != COMP_NONE);
        if ( d.comp == COMP_GZIP || d.comp == COMP_XZ )
            unpack(m + d.payload_offset, d.payload_size, d.comp);
        break;
    default:
        CHECK(!d.corrupt && d.comp == COMP_NONE);
        break;
    }
    CHECK(!memcmp(m, data, size));
    free(m);
    return 0;
}
