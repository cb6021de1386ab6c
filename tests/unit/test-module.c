/* SPDX-License-Identifier: GPL-2.0-only */
/* tests/unit/test-module.c - boot/module.c: recognising boot modules. */
#include "harness.h"

#include "boot/module.h"
#include "lib/vsnprintf.h"

/* Magic numbers, as the files start. */
static const uint8_t gzip_magic[]  = { 0x1f, 0x8b, 0x08, 0x00 };
static const uint8_t xz_magic[]    = { 0xfd, '7', 'z', 'X', 'Z', 0x00, 0x00 };
static const uint8_t bzip2_magic[] = { 'B', 'Z', 'h', '9' };
static const uint8_t lzma_magic[]  = { 0x5d, 0x00, 0x00, 0x80 };
static const uint8_t lzo_magic[]   = { 0x89, 'L', 'Z', 'O', 0x00 };
static const uint8_t lz4_magic[]   = { 0x02, 0x21, 0x4c, 0x18 };
static const uint8_t zstd_magic[]  = { 0x28, 0xb5, 0x2f, 0xfd, 0x04 };

static const struct {
    enum compression comp;
    const char *name;
    const uint8_t *magic;
    size_t len;
    size_t min;         /* bytes the magic needs */
} comps[] = {
    { COMP_GZIP,  "gzip",  gzip_magic,  sizeof(gzip_magic),  2 },
    { COMP_XZ,    "xz",    xz_magic,    sizeof(xz_magic),    6 },
    { COMP_BZIP2, "bzip2", bzip2_magic, sizeof(bzip2_magic), 3 },
    { COMP_LZMA,  "lzma",  lzma_magic,  sizeof(lzma_magic),  3 },
    { COMP_LZO,   "lzo",   lzo_magic,   sizeof(lzo_magic),   4 },
    { COMP_LZ4,   "lz4",   lz4_magic,   sizeof(lz4_magic),   4 },
    { COMP_ZSTD,  "zstd",  zstd_magic,  sizeof(zstd_magic),  4 },
};

static struct module_desc desc;
static char text[128];

/*
 * Detect size bytes of data from an exact-size heap copy, so that ASan
 * catches any read past the end, and describe the result.
 */
static void detect(const void *data, size_t size)
{
    void *copy = malloc(size ? size : 1);

    assert_non_null(copy);
    memcpy(copy, data, size);
    memset(&desc, 0xa5, sizeof(desc));
    module_detect(copy, size, &desc);
    free(copy);
    memset(text, 'X', sizeof(text));
    module_describe(&desc, text, sizeof(text));
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

/* ---------------------------------------------------------------- ELF */

static void make_elf(uint8_t *p, size_t size, uint8_t class, uint8_t data,
                     uint16_t machine)
{
    memset(p, 0, size);
    memcpy(p, "\177ELF", 4);
    p[4] = class;
    p[5] = data;
    p[6] = 1;           /* EV_CURRENT */
    put16(p + 16, 2);   /* ET_EXEC */
    put16(p + 18, machine);
}

static void test_elf64_x86_64(void **state)
{
    uint8_t elf[64];

    make_elf(elf, sizeof(elf), 2, 1, 62);
    detect(elf, sizeof(elf));
    assert_int_equal(desc.kind, MOD_ELF);
    assert_int_equal(desc.elf_class, 64);
    assert_int_equal(desc.elf_machine, 62);
    assert_false(desc.corrupt);
    assert_int_equal(desc.comp, COMP_NONE);
    assert_string_equal(text, "ELF64 x86-64");
}

static void test_elf32_i386(void **state)
{
    uint8_t elf[52];

    make_elf(elf, sizeof(elf), 1, 1, 3);
    detect(elf, sizeof(elf));
    assert_int_equal(desc.kind, MOD_ELF);
    assert_int_equal(desc.elf_class, 32);
    assert_int_equal(desc.elf_machine, 3);
    assert_false(desc.corrupt);
    assert_string_equal(text, "ELF32 i386");
}

static void test_elf_other_machine(void **state)
{
    uint8_t elf[64];

    make_elf(elf, sizeof(elf), 2, 1, 183);      /* EM_AARCH64 */
    detect(elf, sizeof(elf));
    assert_int_equal(desc.kind, MOD_ELF);
    assert_int_equal(desc.elf_machine, 183);
    assert_false(desc.corrupt);
    assert_string_equal(text, "ELF64 non-x86");
}

static void test_elf_bad_class(void **state)
{
    uint8_t elf[64];

    make_elf(elf, sizeof(elf), 3, 1, 62);
    detect(elf, sizeof(elf));
    assert_int_equal(desc.kind, MOD_ELF);
    assert_int_equal(desc.elf_class, 0);
    assert_true(desc.corrupt);
    assert_string_equal(text, "ELF0 x86-64 (corrupt header)");

    make_elf(elf, sizeof(elf), 0, 1, 62);
    detect(elf, sizeof(elf));
    assert_int_equal(desc.elf_class, 0);
    assert_true(desc.corrupt);
}

static void test_elf_big_endian(void **state)
{
    uint8_t elf[64];

    make_elf(elf, sizeof(elf), 2, 2, 0);
    detect(elf, sizeof(elf));
    assert_int_equal(desc.kind, MOD_ELF);
    assert_int_equal(desc.elf_class, 64);
    assert_true(desc.corrupt);
    assert_string_equal(text, "ELF64 non-x86 (corrupt header)");
}

static void test_elf_truncated(void **state)
{
    uint8_t elf[64];

    make_elf(elf, sizeof(elf), 2, 1, 62);

    /* e_machine is the last field looked at: 20 bytes are enough. */
    detect(elf, 20);
    assert_int_equal(desc.kind, MOD_ELF);
    assert_int_equal(desc.elf_machine, 62);

    for ( size_t size = 0; size < 20; size++ )
    {
        detect(elf, size);
        assert_int_equal(desc.kind, MOD_UNKNOWN);
        assert_false(desc.corrupt);
        assert_string_equal(text, "unknown");
    }
}

/* ---------------------------------------------------------------- bzImage */

#define BZ_MAX          0x10000

static uint8_t bz[BZ_MAX];

/*
 * A bzImage header: setup_sects as given (0 means 4), boot protocol version,
 * payload_offset/payload_length (relative to the protected-mode code).
 */
static void make_bzimage(uint8_t setup_sects, uint16_t version,
                         uint32_t pl_offset, uint32_t pl_length)
{
    memset(bz, 0, sizeof(bz));
    bz[0] = 'M';
    bz[1] = 'Z';
    bz[0x1f1] = setup_sects;
    put16(bz + 0x1fe, 0xaa55);
    memcpy(bz + 0x202, "HdrS", 4);
    put16(bz + 0x206, version);
    put32(bz + 0x248, pl_offset);
    put32(bz + 0x24c, pl_length);
}

/* The byte offset of the protected-mode code. */
static size_t pm_start(uint8_t setup_sects)
{
    return ((setup_sects ? setup_sects : 4) + 1) * 512;
}

static void test_bzimage_payloads(void **state)
{
    const uint8_t sects = 0x1b;
    const size_t payload = pm_start(sects) + 0x3a0;
    const size_t size = payload + 0x1000 + 0x200;
    char expect[128];

    for ( unsigned int i = 0; i < ARRAY_SIZE(comps); i++ )
    {
        make_bzimage(sects, 0x20f, 0x3a0, 0x1000);
        memcpy(bz + payload, comps[i].magic, comps[i].len);
        detect(bz, size);

        assert_int_equal(desc.kind, MOD_BZIMAGE);
        assert_false(desc.corrupt);
        assert_int_equal(desc.bz_version, 0x20f);
        assert_int_equal(desc.payload_offset, payload);
        assert_int_equal(desc.payload_size, 0x1000);
        if ( desc.comp != comps[i].comp )
            fail_msg("%s payload detected as %s", comps[i].name,
                     compression_name(desc.comp));
        snprintf(expect, sizeof(expect),
                 "bzImage, boot protocol 2.15, %s payload of 4096 bytes",
                 comps[i].name);
        assert_string_equal(text, expect);
    }
}

static void test_bzimage_unknown_payload(void **state)
{
    const size_t payload = pm_start(0x1b) + 0x100;

    make_bzimage(0x1b, 0x20c, 0x100, 0x800);
    memcpy(bz + payload, "070701", 6);      /* not a compression format */
    detect(bz, payload + 0x800);
    assert_int_equal(desc.kind, MOD_BZIMAGE);
    assert_false(desc.corrupt);
    assert_int_equal(desc.comp, COMP_UNKNOWN);
    assert_string_equal(text, "bzImage, boot protocol 2.12, unknown compression "
                              "payload of 2048 bytes");
}

static void test_bzimage_payload_at_end(void **state)
{
    const size_t payload = pm_start(0x1b) + 0x100;

    /* The payload is the last 2 bytes: too short for the xz magic it starts. */
    make_bzimage(0x1b, 0x20f, 0x100, 2);
    memcpy(bz + payload, xz_magic, 2);
    detect(bz, payload + 2);
    assert_int_equal(desc.kind, MOD_BZIMAGE);
    assert_false(desc.corrupt);
    assert_int_equal(desc.payload_size, 2);
    assert_int_equal(desc.comp, COMP_UNKNOWN);

    /* The same 2 bytes make a gzip magic. */
    memcpy(bz + payload, gzip_magic, 2);
    detect(bz, payload + 2);
    assert_false(desc.corrupt);
    assert_int_equal(desc.comp, COMP_GZIP);
}

static void test_bzimage_payload_out_of_bounds(void **state)
{
    static const struct {
        uint32_t offset, length;
    } cases[] = {
        { 0x100, 0x801 },               /* one byte past the end */
        { 0x900, 0x10 },                /* starts at the end */
        { 0x1000, 0x10 },               /* starts past the end */
        { 0x100, 0 },                   /* empty */
        { 0xffffffff, 0x10 },
        { 0x100, 0xffffffff },
    };
    const size_t size = pm_start(0x1b) + 0x900;

    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        make_bzimage(0x1b, 0x20f, cases[i].offset, cases[i].length);
        memcpy(bz + pm_start(0x1b) + 0x100, gzip_magic, sizeof(gzip_magic));
        detect(bz, size);
        assert_int_equal(desc.kind, MOD_BZIMAGE);
        if ( !desc.corrupt )
            fail_msg("payload %#x+%#x in a %#zx byte image not refused",
                     cases[i].offset, cases[i].length, size);
        assert_int_equal(desc.bz_version, 0x20f);
        assert_string_equal(text, "bzImage, boot protocol 2.15, no usable payload");
    }

    /* The boundary itself: the payload ends at the end of the image. */
    make_bzimage(0x1b, 0x20f, 0x100, 0x800);
    memcpy(bz + pm_start(0x1b) + 0x100, gzip_magic, sizeof(gzip_magic));
    detect(bz, size);
    assert_false(desc.corrupt);
    assert_int_equal(desc.comp, COMP_GZIP);
}

static void test_bzimage_old_protocol(void **state)
{
    const size_t payload = pm_start(0x1b) + 0x100;

    make_bzimage(0x1b, 0x207, 0x100, 0x100);
    memcpy(bz + payload, gzip_magic, sizeof(gzip_magic));
    detect(bz, payload + 0x100);
    assert_int_equal(desc.kind, MOD_BZIMAGE);
    assert_true(desc.corrupt);
    assert_int_equal(desc.bz_version, 0x207);
    assert_int_equal(desc.comp, COMP_NONE);
    assert_string_equal(text, "bzImage, boot protocol 2.07, no usable payload");

    /* 2.08 is the first with payload_offset. */
    put16(bz + 0x206, 0x208);
    detect(bz, payload + 0x100);
    assert_false(desc.corrupt);
    assert_int_equal(desc.comp, COMP_GZIP);
    assert_string_equal(text, "bzImage, boot protocol 2.08, gzip payload of "
                              "256 bytes");
}

static void test_bzimage_setup_sects_zero(void **state)
{
    /* setup_sects 0 means 4: the payload is found relative to 5 * 512. */
    make_bzimage(0, 0x20f, 0x40, 0x100);
    memcpy(bz + 5 * 512 + 0x40, zstd_magic, sizeof(zstd_magic));
    detect(bz, 5 * 512 + 0x40 + 0x100);
    assert_int_equal(desc.kind, MOD_BZIMAGE);
    assert_false(desc.corrupt);
    assert_int_equal(desc.payload_offset, 5 * 512 + 0x40);
    assert_int_equal(desc.comp, COMP_ZSTD);

    /* Read as 1 sector (2 * 512), the same bytes are not a payload. */
    bz[0x1f1] = 1;
    detect(bz, 5 * 512 + 0x40 + 0x100);
    assert_int_equal(desc.payload_offset, 2 * 512 + 0x40);
    assert_int_equal(desc.comp, COMP_UNKNOWN);
}

static void test_bzimage_truncated(void **state)
{
    make_bzimage(0x1b, 0x20f, 0x100, 0x100);

    /* Not enough to see the whole "HdrS": not a bzImage. */
    for ( size_t size = 0x1ff; size < 0x206; size++ )
    {
        detect(bz, size);
        assert_int_equal(desc.kind, MOD_UNKNOWN);
    }

    /* The signature but no version: a corrupt bzImage. */
    for ( size_t size = 0x206; size < 0x208; size++ )
    {
        detect(bz, size);
        assert_int_equal(desc.kind, MOD_BZIMAGE);
        assert_true(desc.corrupt);
        assert_int_equal(desc.bz_version, 0);
    }

    /* A version but no payload fields, or a payload beyond the end. */
    for ( size_t size = 0x208; size <= 0x400; size++ )
    {
        detect(bz, size);
        assert_int_equal(desc.kind, MOD_BZIMAGE);
        assert_true(desc.corrupt);
        assert_int_equal(desc.bz_version, 0x20f);
    }
}

/* ---------------------------------------------------------------- others */

static void test_cpio(void **state)
{
    static const char *const magics[] = { "070701", "070702", "070707" };
    char buf[110];

    for ( unsigned int i = 0; i < ARRAY_SIZE(magics); i++ )
    {
        memset(buf, '0', sizeof(buf));
        memcpy(buf, magics[i], 6);
        detect(buf, sizeof(buf));
        assert_int_equal(desc.kind, MOD_CPIO);
        assert_int_equal(desc.comp, COMP_NONE);
        assert_false(desc.corrupt);
        assert_string_equal(text, "cpio archive");

        /* The magic alone is enough, one byte less is not. */
        detect(buf, 6);
        assert_int_equal(desc.kind, MOD_CPIO);
        detect(buf, 5);
        assert_int_equal(desc.kind, MOD_UNKNOWN);
    }

    memcpy(buf, "070703", 6);
    detect(buf, sizeof(buf));
    assert_int_equal(desc.kind, MOD_UNKNOWN);
}

static void test_compressed(void **state)
{
    uint8_t buf[64];
    char expect[32];

    for ( unsigned int i = 0; i < ARRAY_SIZE(comps); i++ )
    {
        memset(buf, 0x77, sizeof(buf));
        memcpy(buf, comps[i].magic, comps[i].len);
        detect(buf, sizeof(buf));
        assert_int_equal(desc.kind, MOD_COMPRESSED);
        if ( desc.comp != comps[i].comp )
            fail_msg("%s data detected as %s", comps[i].name,
                     compression_name(desc.comp));
        assert_false(desc.corrupt);
        snprintf(expect, sizeof(expect), "%s data", comps[i].name);
        assert_string_equal(text, expect);

        /* Exactly the magic, then one byte short of it. */
        detect(buf, comps[i].min);
        assert_int_equal(desc.kind, MOD_COMPRESSED);
        assert_int_equal(desc.comp, comps[i].comp);
        detect(buf, comps[i].min - 1);
        assert_int_equal(desc.kind, MOD_UNKNOWN);
        assert_int_equal(desc.comp, COMP_NONE);
    }
}

static void test_unknown(void **state)
{
    static const char hello[] = "hello, world\n";
    uint8_t zeros[4096] = { 0 };

    detect(hello, sizeof(hello) - 1);
    assert_int_equal(desc.kind, MOD_UNKNOWN);
    assert_int_equal(desc.comp, COMP_NONE);
    assert_false(desc.corrupt);
    assert_string_equal(text, "unknown");

    detect(zeros, sizeof(zeros));
    assert_int_equal(desc.kind, MOD_UNKNOWN);

    detect(zeros, 0);
    assert_int_equal(desc.kind, MOD_UNKNOWN);

    /* Nothing is read from an empty module. */
    memset(&desc, 0xa5, sizeof(desc));
    module_detect(NULL, 0, &desc);
    assert_int_equal(desc.kind, MOD_UNKNOWN);
    assert_int_equal(desc.comp, COMP_NONE);
}

static void test_compression_names(void **state)
{
    assert_string_equal(compression_name(COMP_NONE), "uncompressed");
    for ( unsigned int i = 0; i < ARRAY_SIZE(comps); i++ )
        assert_string_equal(compression_name(comps[i].comp), comps[i].name);
    assert_string_equal(compression_name(COMP_UNKNOWN), "unknown compression");
    assert_string_equal(compression_name((enum compression)99),
                        "unknown compression");
}

static void test_describe(void **state)
{
    static const struct {
        struct module_desc d;
        const char *text;
    } cases[] = {
        { { .kind = MOD_UNKNOWN }, "unknown" },
        { { .kind = MOD_ELF, .elf_class = 64, .elf_machine = 62 }, "ELF64 x86-64" },
        { { .kind = MOD_ELF, .elf_class = 32, .elf_machine = 3 }, "ELF32 i386" },
        { { .kind = MOD_ELF, .elf_class = 32, .elf_machine = 40,
            .corrupt = true }, "ELF32 non-x86 (corrupt header)" },
        { { .kind = MOD_BZIMAGE, .bz_version = 0x20f, .comp = COMP_XZ,
            .payload_size = 8473088 },
          "bzImage, boot protocol 2.15, xz payload of 8473088 bytes" },
        { { .kind = MOD_BZIMAGE, .bz_version = 0x20a, .corrupt = true },
          "bzImage, boot protocol 2.10, no usable payload" },
        { { .kind = MOD_CPIO }, "cpio archive" },
        { { .kind = MOD_COMPRESSED, .comp = COMP_ZSTD }, "zstd data" },
        { { .kind = MOD_COMPRESSED, .comp = COMP_LZ4 }, "lz4 data" },
        { { .kind = (enum module_kind)42 }, "unknown" },
    };
    char buf[16];

    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        memset(text, 'X', sizeof(text));
        module_describe(&cases[i].d, text, sizeof(text));
        assert_string_equal(text, cases[i].text);
    }

    /* A short buffer truncates, NUL-terminated. */
    memset(buf, 'X', sizeof(buf));
    module_describe(&cases[4].d, buf, 8);
    assert_string_equal(buf, "bzImage");
    assert_int_equal(buf[8], 'X');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf64_x86_64),
        cmocka_unit_test(test_elf32_i386),
        cmocka_unit_test(test_elf_other_machine),
        cmocka_unit_test(test_elf_bad_class),
        cmocka_unit_test(test_elf_big_endian),
        cmocka_unit_test(test_elf_truncated),
        cmocka_unit_test(test_bzimage_payloads),
        cmocka_unit_test(test_bzimage_unknown_payload),
        cmocka_unit_test(test_bzimage_payload_at_end),
        cmocka_unit_test(test_bzimage_payload_out_of_bounds),
        cmocka_unit_test(test_bzimage_old_protocol),
        cmocka_unit_test(test_bzimage_setup_sects_zero),
        cmocka_unit_test(test_bzimage_truncated),
        cmocka_unit_test(test_cpio),
        cmocka_unit_test(test_compressed),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_compression_names),
        cmocka_unit_test(test_describe),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
