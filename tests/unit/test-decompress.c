/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/unit/test-decompress.c - boot/decompress.c: xz and gzip round trips
 * (inputs made here with liblzma's and libdeflate's own compressors, from
 * the same static archives the shim links), every truncation of a small
 * stream, bit flips, short outputs, failing allocators, unsupported kinds.
 *
 * Every call decompresses into a heap buffer with guard bytes after
 * out_size: the libraries are not built with ASan, so the guard is what
 * proves they never write past the end.
 *
 * libFuzzer entry point (the same file, built with -DFUZZ; "make fuzz"
 * builds it as build/fuzz/fuzz-decompress, tests/fuzz/fuzz.mk), by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ -DUNIT_TEST \
 *     -I. -Ibuild -include build/config.h -include lib/compiler.h \
 *     -Dvsnprintf=shim_vsnprintf -Dsnprintf=shim_snprintf \
 *     -o build/fuzz-decompress tests/unit/test-decompress.c \
 *     boot/decompress.c boot/module.c lib/vsnprintf.c \
 *     /usr/lib/x86_64-linux-gnu/liblzma.a /usr/lib/x86_64-linux-gnu/libdeflate.a
 *   mkdir -p corpus; build/fuzz-decompress corpus -max_len=65536 -runs=1000000
 * The first input byte picks the format (bits 0-2: gzip, xz, bzip2, lzma, lz4,
 * zstd, lzo, gzip) and the output size (bits 3-6; bit 7: from the size trailer); the rest is the compressed data. The
 * allocator budget is 8 MiB, so seed with small dictionaries:
 *   { printf '\001'; xz -c --x86 --lzma2=dict=1MiB f; } > corpus/xz
 *   { printf '\000'; gzip -9 -n -c f; } > corpus/gz
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef FUZZ
#include <cmocka.h>
#endif

#include <lzma.h>
#include <libdeflate.h>
#include <bzlib.h>
#include <lz4.h>
#include <zstd.h>
#include <lzo/lzo1x.h>

#include "boot/decompress.h"

/* A failed expectation: a cmocka failure, or a crash libFuzzer reports. */
#ifndef FUZZ
#define CHECK(x) assert_true(x)
#else
#define CHECK(x) do { if ( !(x) ) abort(); } while ( 0 )
#endif

/* ---------------------------------------------------------------- allocator */

/* The shim passes a bump allocator; here, calloc with a budget. */
struct arena {
    void *blocks[64];
    unsigned int n;
    size_t used;
    size_t limit;               /* fail once more than this is asked for */
    bool misalign;              /* hand out 8-byte-misaligned blocks */
};

static void *arena_alloc(void *ctx, size_t size)
{
    struct arena *a = ctx;
    uint8_t *p;

    if ( size > a->limit - a->used || a->n == ARRAY_SIZE(a->blocks) )
        return NULL;
    p = calloc(1, size + 16);
    if ( !p )
        return NULL;
    a->blocks[a->n++] = p;
    a->used += size;
    return a->misalign ? p + 8 : p;
}

static void arena_release(struct arena *a)
{
    while ( a->n )
        free(a->blocks[--a->n]);
    a->used = 0;
}

/* ---------------------------------------------------------------- calling decompress() */

#define GUARD 64

struct result {
    bool ok;
    size_t out_len;
    size_t peak;                /* bytes the allocator handed out */
    char err[160];
    uint8_t *out;               /* out_size + GUARD bytes; caller frees */
};

/*
 * Decompress from an exact-size heap copy of the input (ASan sees any read
 * past it) into out_size bytes followed by a guard that must stay intact.
 */
static struct result run(enum compression comp, const void *in, size_t in_len,
                         size_t out_size, struct arena *a)
{
    struct arena local = { .limit = DECOMPRESS_XZ_MEMLIMIT };
    struct result r = { 0 };
    void *copy = malloc(in_len ? in_len : 1);

    if ( !a )
        a = &local;
    CHECK(copy);
    memcpy(copy, in, in_len);
    r.out = malloc(out_size + GUARD);
    CHECK(r.out);
    memset(r.out, 0xa5, out_size + GUARD);
    memset(r.err, 'X', sizeof(r.err));

    r.ok = decompress(comp, copy, in_len, r.out, out_size, &r.out_len,
                      arena_alloc, a, r.err, sizeof(r.err));

    r.peak = a->used;
    arena_release(a);
    free(copy);
    for ( size_t i = 0; i < GUARD; i++ )
        CHECK(r.out[out_size + i] == 0xa5);
    CHECK(memchr(r.err, '\0', sizeof(r.err)));
    CHECK(!strchr(r.err, '\n'));
    CHECK(r.ok ? (r.err[0] == '\0' && r.out_len <= out_size)
               : (r.err[0] != '\0' && r.out_len == 0));
    return r;
}

#ifndef FUZZ
/* ---------------------------------------------------------------- making inputs */

struct buf {
    uint8_t *p;
    size_t len;
};

/* Compressible but not trivial: words, numbers, some noise. */
static struct buf make_data(size_t len, uint32_t seed)
{
    static const char *const words[] = {
        "mov", "%rax", "call", "lea", "0x", "ffff82d0", "push", "ret", "\n",
    };
    struct buf b = { malloc(len ? len : 1), len };
    size_t i = 0;

    CHECK(b.p);
    while ( i < len )
    {
        seed = seed * 1103515245 + 12345;
        if ( (seed >> 16) % 5 == 0 )
            b.p[i++] = seed >> 24;
        else
        {
            const char *w = words[(seed >> 16) % ARRAY_SIZE(words)];

            for ( ; *w && i < len; w++ )
                b.p[i++] = *w;
        }
    }
    return b;
}

/* xz as Linux's scripts/xz_wrap.sh makes it: x86 BCJ, then LZMA2. */
static struct buf xz_compress(const struct buf *d, lzma_check check,
                              uint32_t dict_size)
{
    lzma_options_lzma opt;
    lzma_filter filters[] = {
        { .id = LZMA_FILTER_X86 },
        { .id = LZMA_FILTER_LZMA2, .options = &opt },
        { .id = LZMA_VLI_UNKNOWN },
    };
    struct buf b;
    size_t pos = 0;

    /* Level 6 as Linux does, but a fast level for the big inputs. */
    CHECK(!lzma_lzma_preset(&opt, d->len > 100000 ? 1 : 6));
    opt.dict_size = dict_size;
    b.len = lzma_stream_buffer_bound(d->len);
    b.p = malloc(b.len);
    CHECK(b.p);
    CHECK(lzma_stream_buffer_encode(filters, check, NULL, d->p, d->len,
                                    b.p, &pos, b.len) == LZMA_OK);
    b.len = pos;
    return b;
}

static struct buf gzip_compress(const struct buf *d, int level)
{
    struct libdeflate_compressor *c;
    struct buf b;

    /* decompress() leaves libdeflate's global allocator pointing at itself. */
    libdeflate_set_memory_allocator(malloc, free);
    c = libdeflate_alloc_compressor(level);
    CHECK(c);
    b.len = libdeflate_gzip_compress_bound(c, d->len);
    b.p = malloc(b.len);
    CHECK(b.p);
    b.len = libdeflate_gzip_compress(c, d->p, d->len, b.p, b.len);
    CHECK(b.len);
    libdeflate_free_compressor(c);
    return b;
}

/* .lzma as "lzma -9" writes it (Linux's): unknown size in the header, an end marker. */
static struct buf lzma_compress(const struct buf *d)
{
    lzma_options_lzma opt;
    lzma_stream strm = LZMA_STREAM_INIT;
    struct buf b = { malloc(d->len + d->len / 2 + 4096), 0 };

    CHECK(b.p);
    CHECK(!lzma_lzma_preset(&opt, d->len > 100000 ? 1 : 9));
    opt.dict_size = 1 << 20;
    CHECK(lzma_alone_encoder(&strm, &opt) == LZMA_OK);
    strm.next_in = d->p;
    strm.avail_in = d->len;
    strm.next_out = b.p;
    strm.avail_out = d->len + d->len / 2 + 4096;
    CHECK(lzma_code(&strm, LZMA_FINISH) == LZMA_STREAM_END);
    b.len = strm.total_out;
    lzma_end(&strm);
    return b;
}

static struct buf bzip2_compress(const struct buf *d, int level)
{
    unsigned int len = d->len + d->len / 100 + 600;
    struct buf b = { malloc(len), 0 };

    CHECK(b.p);
    CHECK(BZ2_bzBuffToBuffCompress((char *)b.p, &len, (char *)d->p, d->len, level, 0, 0) == BZ_OK);
    b.len = len;
    return b;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for ( unsigned int i = 0; i < 4; i++ )
        p[i] = v >> (8 * i);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    for ( unsigned int i = 0; i < 4; i++ )
        p[i] = v >> (24 - 8 * i);
}

/* lz4's legacy frame, as "lz4 -l" makes it for Linux: 8 MiB blocks (block: smaller, for tests). */
static struct buf lz4_compress(const struct buf *d, size_t block)
{
    struct buf b = { malloc(4 + d->len + d->len / 100 + 4096 + 16 * (d->len / block + 1)), 4 };

    CHECK(b.p);
    put_le32(b.p, 0x184c2102);
    for ( size_t at = 0; at < d->len; at += block )
    {
        int n = LZ4_compress_default((const char *)d->p + at, (char *)b.p + b.len + 4,
                                     MIN(block, d->len - at), LZ4_compressBound(block));

        CHECK(n > 0);
        put_le32(b.p + b.len, n);
        b.len += 4 + n;
    }
    return b;
}

/* zstd as its command line writes it: the content size and a checksum in the frame. */
static struct buf zstd_compress(const struct buf *d, int level, bool checksum)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    struct buf b = { malloc(ZSTD_compressBound(d->len)), 0 };

    CHECK(c && b.p);
    CHECK(!ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level)));
    CHECK(!ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, checksum)));
    b.len = ZSTD_compress2(c, b.p, ZSTD_compressBound(d->len), d->p, d->len);
    CHECK(!ZSTD_isError(b.len));
    ZSTD_freeCCtx(c);
    return b;
}

/* lzop's container as "lzop -9" writes it (version 1.04: Adler-32 of each block's data). */
static struct buf lzo_compress(const struct buf *d, size_t block)
{
    static const uint8_t head[] = {
        0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a,
        0x10, 0x40, 0x20, 0xa0, 0x09, 0x40,     /* version, library, needed */
        3, 9,                                   /* LZO1X-999, level 9 */
        0x03, 0x00, 0x00, 0x01,                 /* flags: Adler-32 D, stdin, stdout */
        0x00, 0x00, 0x81, 0xa4,                 /* mode */
        0, 0, 0, 0, 0, 0, 0, 0,                 /* mtime */
        0,                                      /* no name */
        0, 0, 0, 0,                             /* header checksum (not read) */
    };
    void *wrk = malloc(LZO1X_999_MEM_COMPRESS);
    struct buf b = { malloc(sizeof(head) + d->len + d->len / 16 + 64 + 16 * (d->len / block + 2)),
                     sizeof(head) };

    CHECK(wrk && b.p && lzo_init() == LZO_E_OK);
    memcpy(b.p, head, sizeof(head));
    for ( size_t at = 0; at < d->len; at += block )
    {
        lzo_uint n = MIN(block, d->len - at), clen;
        uint8_t *hdr = b.p + b.len;

        CHECK(lzo1x_999_compress(d->p + at, n, hdr + 12, &clen, wrk) == LZO_E_OK);
        if ( clen >= n )
        {
            memcpy(hdr + 12, d->p + at, n);
            clen = n;
        }
        put_be32(hdr, n);
        put_be32(hdr + 4, clen);
        put_be32(hdr + 8, lzo_adler32(1, d->p + at, n));
        b.len += 12 + clen;
    }
    put_be32(b.p + b.len, 0);
    b.len += 4;
    free(wrk);
    return b;
}

/* Linux's size_append: the uncompressed size as a little-endian u32. */
static struct buf append_size(const struct buf *c, size_t size)
{
    struct buf b = { malloc(c->len + 4), c->len + 4 };

    CHECK(b.p);
    memcpy(b.p, c->p, c->len);
    for ( unsigned int i = 0; i < 4; i++ )
        b.p[c->len + i] = size >> (8 * i);
    return b;
}

/* ---------------------------------------------------------------- tests */

static void check_round_trip(enum compression comp, const struct buf *d,
                             const struct buf *c)
{
    struct result r;

    /* Exactly the size, and more than needed. */
    r = run(comp, c->p, c->len, d->len, NULL);
    assert_true(r.ok);
    assert_int_equal(r.out_len, d->len);
    assert_memory_equal(r.out, d->p, d->len);
    free(r.out);

    r = run(comp, c->p, c->len, d->len + 4096, NULL);
    assert_true(r.ok);
    assert_int_equal(r.out_len, d->len);
    assert_memory_equal(r.out, d->p, d->len);
    free(r.out);

    /* One byte short, and no room at all. */
    if ( d->len )
    {
        r = run(comp, c->p, c->len, d->len - 1, NULL);
        assert_false(r.ok);
        assert_non_null(strstr(r.err, "does not fit"));
        free(r.out);

        r = run(comp, c->p, c->len, 0, NULL);
        assert_false(r.ok);
        free(r.out);
    }
}

static void test_xz_round_trip(void **state)
{
    static const size_t sizes[] = { 0, 1, 100, 3000, 70000, 1 << 20 };
    static const lzma_check checks[] = {
        LZMA_CHECK_CRC32, LZMA_CHECK_CRC64, LZMA_CHECK_SHA256, LZMA_CHECK_NONE,
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(sizes); i++ )
        for ( unsigned int j = 0; j < ARRAY_SIZE(checks); j++ )
        {
            struct buf d = make_data(sizes[i], i * 7 + j);
            struct buf c = xz_compress(&d, checks[j], 1 << 20);

            check_round_trip(COMP_XZ, &d, &c);
            free(c.p);
            free(d.p);
        }
}

static void test_gzip_round_trip(void **state)
{
    static const size_t sizes[] = { 0, 1, 100, 3000, 70000, 1 << 20 };

    for ( unsigned int i = 0; i < ARRAY_SIZE(sizes); i++ )
        for ( int level = 1; level <= 12; level += 5 )
        {
            struct buf d = make_data(sizes[i], i * 13 + level);
            struct buf c = gzip_compress(&d, level);

            check_round_trip(COMP_GZIP, &d, &c);
            free(c.p);
            free(d.p);
        }
}

/* A payload as a bzImage carries it: the size trailer is ignored and hinted. */
static void test_kernel_payload(void **state)
{
    struct buf d = make_data(200000, 42);
    struct buf xz = xz_compress(&d, LZMA_CHECK_CRC32, 1 << 20);
    struct buf gz = gzip_compress(&d, 9);
    struct buf kxz = append_size(&xz, d.len);
    struct result r;

    assert_int_equal(payload_size_hint(kxz.p, kxz.len), d.len);
    assert_int_equal(payload_size_hint(gz.p, gz.len), d.len);   /* ISIZE */

    r = run(COMP_XZ, kxz.p, kxz.len, payload_size_hint(kxz.p, kxz.len), NULL);
    assert_true(r.ok);
    assert_int_equal(r.out_len, d.len);
    assert_memory_equal(r.out, d.p, d.len);
    free(r.out);

    r = run(COMP_GZIP, gz.p, gz.len, payload_size_hint(gz.p, gz.len), NULL);
    assert_true(r.ok);
    assert_memory_equal(r.out, d.p, d.len);
    free(r.out);

    free(kxz.p);
    free(gz.p);
    free(xz.p);
    free(d.p);
}

static void test_size_hint(void **state)
{
    static const uint8_t b[] = { 0xaa, 0x78, 0x56, 0x34, 0x12 };

    assert_int_equal(payload_size_hint(b, 0), 0);
    assert_int_equal(payload_size_hint(b, 3), 0);
    assert_int_equal(payload_size_hint(b, 4), 0x345678aa);
    assert_int_equal(payload_size_hint(b, 5), 0x12345678);
    assert_int_equal(payload_size_hint("\xff\xff\xff\xff", 4), 0xffffffffULL);
}

/* Every prefix of a small stream, some of a big one: false with a reason. */
static void check_truncations(enum compression comp, const struct buf *d,
                              const struct buf *c, size_t step)
{
    for ( size_t len = 0; len < c->len; len += step )
    {
        struct result r = run(comp, c->p, len, d->len, NULL);

        if ( r.ok )
            fail_msg("%s prefix %zu of %zu decoded", compression_name(comp),
                     len, c->len);
        free(r.out);
    }
}

static void test_truncated(void **state)
{
    static const size_t cuts[] = { 1, 2, 3, 4, 5, 8, 12, 13, 24, 40 };
    struct buf small = make_data(3000, 1), big = make_data(512 << 10, 2);
    struct buf c;
    struct result r;

    c = xz_compress(&small, LZMA_CHECK_CRC64, 1 << 16);
    check_truncations(COMP_XZ, &small, &c, 1);
    r = run(COMP_XZ, c.p, c.len - 1, small.len, NULL);
    assert_string_equal(r.err, "xz data is truncated");
    free(r.out);
    free(c.p);

    c = gzip_compress(&small, 6);
    check_truncations(COMP_GZIP, &small, &c, 1);
    free(c.p);

    c = xz_compress(&big, LZMA_CHECK_CRC32, 1 << 20);
    check_truncations(COMP_XZ, &big, &c, c.len / 11 + 1);
    for ( unsigned int i = 0; i < ARRAY_SIZE(cuts); i++ )
    {
        r = run(COMP_XZ, c.p, c.len - cuts[i], big.len, NULL);
        assert_false(r.ok);
        free(r.out);
    }
    free(c.p);

    c = gzip_compress(&big, 6);
    check_truncations(COMP_GZIP, &big, &c, c.len / 11 + 1);
    for ( unsigned int i = 0; i < ARRAY_SIZE(cuts); i++ )
    {
        r = run(COMP_GZIP, c.p, c.len - cuts[i], big.len, NULL);
        assert_false(r.ok);
        free(r.out);
    }
    free(c.p);

    free(small.p);
    free(big.p);
}

/*
 * Flip each bit of a stream in turn (or every stride-th). xz with a check
 * must refuse every one; gzip may accept a flip in header fields it does not
 * check (FTEXT, MTIME, XFL, OS), but then the output is the original; xz
 * without a check may decode to anything, as long as it stays in bounds.
 */
enum flip_expect {
    FLIP_FAILS,
    FLIP_FAILS_OR_SAME,
    FLIP_IN_BOUNDS,
};

static void check_bit_flips(enum compression comp, const struct buf *d,
                            const struct buf *c, enum flip_expect expect,
                            unsigned int stride, unsigned int *accepted)
{
    uint8_t *p = malloc(c->len);

    assert_non_null(p);
    for ( size_t bit = 0; bit < c->len * 8; bit += stride )
    {
        struct result r;

        memcpy(p, c->p, c->len);
        p[bit / 8] ^= 1u << (bit % 8);
        r = run(comp, p, c->len, d->len, NULL);
        if ( r.ok && expect == FLIP_FAILS )
            fail_msg("%s with bit %zu flipped decoded", compression_name(comp), bit);
        if ( r.ok && expect == FLIP_FAILS_OR_SAME )
        {
            assert_int_equal(r.out_len, d->len);
            assert_memory_equal(r.out, d->p, d->len);
            ++*accepted;
        }
        free(r.out);
    }
    free(p);
}

static void test_bit_flips(void **state)
{
    struct buf small = make_data(800, 3), big = make_data(512 << 10, 4);
    struct buf c;
    unsigned int accepted = 0;

    c = xz_compress(&small, LZMA_CHECK_CRC32, 4096);
    check_bit_flips(COMP_XZ, &small, &c, FLIP_FAILS, 1, &accepted);
    free(c.p);
    c = xz_compress(&small, LZMA_CHECK_CRC64, 4096);
    check_bit_flips(COMP_XZ, &small, &c, FLIP_FAILS, 1, &accepted);
    free(c.p);
    assert_int_equal(accepted, 0);

    c = gzip_compress(&small, 9);
    check_bit_flips(COMP_GZIP, &small, &c, FLIP_FAILS_OR_SAME, 1, &accepted);
    assert_in_range(accepted, 1, 10 * 8);
    free(c.p);

    /* The big ones: a sample of flips spread over the whole stream. */
    c = xz_compress(&big, LZMA_CHECK_CRC64, 1 << 20);
    check_bit_flips(COMP_XZ, &big, &c, FLIP_FAILS, c.len * 8 / 61 + 1, &accepted);
    free(c.p);
    c = gzip_compress(&big, 6);
    check_bit_flips(COMP_GZIP, &big, &c, FLIP_FAILS_OR_SAME, c.len * 8 / 61 + 1,
                    &accepted);
    free(c.p);

    /* Without a check, xz may not notice: it must still stay in bounds. */
    c = xz_compress(&small, LZMA_CHECK_NONE, 4096);
    check_bit_flips(COMP_XZ, &small, &c, FLIP_IN_BOUNDS, 3, &accepted);
    free(c.p);

    free(small.p);
    free(big.p);
}

/* The other five, as a kernel payload carries each: round trips, the trailer, cuts, flips. */
enum { BLOCK = 4096 };

static struct buf make_other(enum compression comp, const struct buf *d, unsigned int variant)
{
    switch ( comp )
    {
    case COMP_LZMA:  return lzma_compress(d);
    case COMP_BZIP2: return bzip2_compress(d, variant ? 9 : 1);
    case COMP_LZ4:   return lz4_compress(d, variant ? (8 << 20) : BLOCK);
    case COMP_ZSTD:  return zstd_compress(d, variant ? 19 : 3, variant);
    default:         return lzo_compress(d, variant ? (256 << 10) : BLOCK);
    }
}

static const enum compression others[] = { COMP_LZMA, COMP_BZIP2, COMP_LZ4, COMP_ZSTD, COMP_LZO };

static void test_other_round_trips(void **state)
{
    static const size_t sizes[] = { 1, 100, 3000, 70000, 1 << 20 };

    for ( unsigned int f = 0; f < ARRAY_SIZE(others); f++ )
        for ( unsigned int i = 0; i < ARRAY_SIZE(sizes); i++ )
            for ( unsigned int v = 0; v < 2; v++ )
            {
                struct buf d = make_data(sizes[i], i * 5 + v + f * 31);
                struct buf c = make_other(others[f], &d, v);
                struct buf k = append_size(&c, d.len);
                struct result r;

                /* As Linux's build leaves it: with the size trailer, exactly the size. */
                r = run(others[f], k.p, k.len, payload_size_hint(k.p, k.len), NULL);
                if ( !r.ok )
                    fail_msg("%s of %zu bytes: %s", compression_name(others[f]), d.len, r.err);
                assert_int_equal(r.out_len, d.len);
                assert_memory_equal(r.out, d.p, d.len);
                free(r.out);
                /* With room to spare, and one byte short. */
                r = run(others[f], k.p, k.len, d.len + 4096, NULL);
                assert_true(r.ok);
                assert_int_equal(r.out_len, d.len);
                free(r.out);
                r = run(others[f], k.p, k.len, d.len - 1, NULL);
                assert_false(r.ok);
                free(r.out);
                free(k.p);
                free(c.p);
                free(d.p);
            }
}

/* Every prefix of a small payload, and a sample of a big one: refused. */
static void test_other_truncated(void **state)
{
    struct buf small = make_data(3000, 11), big = make_data(300 << 10, 12);

    for ( unsigned int f = 0; f < ARRAY_SIZE(others); f++ )
    {
        /* lz4's legacy frame has no end but Linux's trailer: cut that payload, the others' streams. */
        bool lz4 = others[f] == COMP_LZ4;
        struct buf c = make_other(others[f], &small, 0), k = append_size(&c, small.len);

        check_truncations(others[f], &small, lz4 ? &k : &c, 1);
        free(k.p);
        free(c.p);
        c = make_other(others[f], &big, 0);
        k = append_size(&c, big.len);
        check_truncations(others[f], &big, lz4 ? &k : &c, k.len / 13 + 1);
        free(k.p);
        free(c.p);
    }
    free(small.p);
    free(big.p);
}

/*
 * Bit flips: bzip2 (block and stream CRCs), zstd with a checksum and lzo
 * (Adler-32 of every block) decode the original or fail; lzma, lz4 and
 * zstd without one may decode anything, but only within the buffer.
 */
static void test_other_bit_flips(void **state)
{
    struct buf d = make_data(2000, 13);
    unsigned int accepted = 0;
    struct buf c;

    c = bzip2_compress(&d, 9);
    check_bit_flips(COMP_BZIP2, &d, &c, FLIP_FAILS_OR_SAME, 1, &accepted);
    free(c.p);
    c = zstd_compress(&d, 19, true);
    check_bit_flips(COMP_ZSTD, &d, &c, FLIP_FAILS_OR_SAME, 1, &accepted);
    free(c.p);
    c = lzo_compress(&d, 512);
    check_bit_flips(COMP_LZO, &d, &c, FLIP_FAILS_OR_SAME, 1, &accepted);
    free(c.p);
    c = lzma_compress(&d);
    check_bit_flips(COMP_LZMA, &d, &c, FLIP_IN_BOUNDS, 1, &accepted);
    free(c.p);
    c = lz4_compress(&d, 512);
    check_bit_flips(COMP_LZ4, &d, &c, FLIP_IN_BOUNDS, 1, &accepted);
    free(c.p);
    c = zstd_compress(&d, 3, false);
    check_bit_flips(COMP_ZSTD, &d, &c, FLIP_IN_BOUNDS, 1, &accepted);
    free(c.p);
    free(d.p);
}

/* Each format's reader on another's data, and on zeros: refused, with its name. */
static void test_other_garbage(void **state)
{
    static const uint8_t zeros[64];
    struct buf d = make_data(1000, 14);
    struct buf gz = gzip_compress(&d, 6);

    for ( unsigned int f = 0; f < ARRAY_SIZE(others); f++ )
    {
        struct result r = run(others[f], zeros, sizeof(zeros), 4096, NULL);

        /* zeros are a valid .lzma header: no size, an empty stream */
        if ( others[f] == COMP_LZMA )
            assert_true(r.ok && r.out_len == 0);
        else
        {
            assert_false(r.ok);
            assert_non_null(strstr(r.err, compression_name(others[f])));
        }
        free(r.out);
        /* .lzma has no magic: gzip's bytes may pass as its header (the shim goes by magic). */
        r = run(others[f], gz.p, gz.len, d.len, NULL);
        assert_true(!r.ok || others[f] == COMP_LZMA);
        free(r.out);
        r = run(others[f], zeros, 0, 4096, NULL);
        assert_false(r.ok);
        free(r.out);
    }
    free(gz.p);
    free(d.p);
}

static void test_garbage(void **state)
{
    static const uint8_t zeros[64];
    struct buf noise = make_data(5000, 77);
    struct result r;

    r = run(COMP_XZ, zeros, sizeof(zeros), 4096, NULL);
    assert_string_equal(r.err, "not xz data (lzma error 7)");
    free(r.out);
    r = run(COMP_XZ, noise.p, noise.len, 4096, NULL);
    assert_false(r.ok);
    free(r.out);
    r = run(COMP_XZ, zeros, 0, 4096, NULL);
    assert_false(r.ok);
    free(r.out);

    r = run(COMP_GZIP, zeros, sizeof(zeros), 4096, NULL);
    assert_false(r.ok);
    assert_non_null(strstr(r.err, "gzip data is corrupt"));
    free(r.out);
    r = run(COMP_GZIP, noise.p, noise.len, 4096, NULL);
    assert_false(r.ok);
    free(r.out);
    r = run(COMP_GZIP, zeros, 0, 4096, NULL);
    assert_false(r.ok);
    free(r.out);

    /* An xz stream where gzip is expected, and the other way round. */
    {
        struct buf d = make_data(1000, 5);
        struct buf xz = xz_compress(&d, LZMA_CHECK_CRC32, 1 << 16);
        struct buf gz = gzip_compress(&d, 6);

        r = run(COMP_GZIP, xz.p, xz.len, d.len, NULL);
        assert_false(r.ok);
        free(r.out);
        r = run(COMP_XZ, gz.p, gz.len, d.len, NULL);
        assert_string_equal(r.err, "not xz data (lzma error 7)");
        free(r.out);
        free(xz.p);
        free(gz.p);
        free(d.p);
    }
    free(noise.p);
}

static void test_unsupported(void **state)
{
    static const struct {
        enum compression comp;
        const char *err;
    } cases[] = {
        { COMP_NONE,    "cannot decompress: uncompressed" },
        { COMP_UNKNOWN, "cannot decompress: unknown compression" },
    };
    static const uint8_t in[16] = { 'B', 'Z', 'h', '9' };

    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        struct result r = run(cases[i].comp, in, sizeof(in), 4096, NULL);

        assert_false(r.ok);
        assert_string_equal(r.err, cases[i].err);
        assert_int_equal(r.peak, 0);
        free(r.out);
    }
}

/* The allocator: budgets, failures, alignment, memlimit. */
static void test_memory(void **state)
{
    struct buf d = make_data(100000, 9);
    struct buf xz = xz_compress(&d, LZMA_CHECK_CRC64, 1 << 20);
    struct buf gz = gzip_compress(&d, 6);
    struct arena a = { .limit = DECOMPRESS_XZ_MEMLIMIT };
    struct result r;

    /* What the decoders ask for: xz about the dictionary, gzip ~10 KiB. */
    r = run(COMP_XZ, xz.p, xz.len, d.len, &a);
    assert_true(r.ok);
    assert_in_range(r.peak, 1 << 20, (1 << 20) + (64 << 10));
    free(r.out);
    r = run(COMP_GZIP, gz.p, gz.len, d.len, &a);
    assert_true(r.ok);
    assert_in_range(r.peak, 1, 64 << 10);
    free(r.out);

    /* Too little memory. */
    a.limit = 512 << 10;
    r = run(COMP_XZ, xz.p, xz.len, d.len, &a);
    assert_string_equal(r.err, "xz: out of memory (lzma error 5)");
    free(r.out);
    a.limit = 100;
    r = run(COMP_GZIP, gz.p, gz.len, d.len, &a);
    assert_string_equal(r.err, "gzip: out of memory for the decompressor");
    free(r.out);
    a.limit = 0;
    r = run(COMP_XZ, xz.p, xz.len, d.len, &a);
    assert_false(r.ok);
    free(r.out);

    /* Misaligned memory is refused, not used. */
    a = (struct arena){ .limit = DECOMPRESS_XZ_MEMLIMIT, .misalign = true };
    r = run(COMP_XZ, xz.p, xz.len, d.len, &a);
    assert_false(r.ok);
    free(r.out);
    r = run(COMP_GZIP, gz.p, gz.len, d.len, &a);
    assert_false(r.ok);
    free(r.out);

    free(xz.p);
    free(gz.p);
    free(d.p);
}

/*
 * A header asking for a 256 MiB dictionary: refused before allocating it.
 * Made by patching the LZMA2 dictionary byte in the block header of a small
 * stream (LZMA2 only, so the filter flags are 21 01 <dict>) and fixing up
 * the header's CRC32.
 */
static void test_memlimit(void **state)
{
    struct buf d = make_data(1000, 6);
    lzma_options_lzma opt;
    lzma_filter filters[] = {
        { .id = LZMA_FILTER_LZMA2, .options = &opt },
        { .id = LZMA_VLI_UNKNOWN },
    };
    uint8_t c[2048];
    size_t len = 0, hdr, hsize, i;
    uint32_t crc;
    struct result r;

    assert_false(lzma_lzma_preset(&opt, 0));
    opt.dict_size = 1 << 20;                    /* byte 16 */
    assert_int_equal(lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32, NULL,
                                               d.p, d.len, c, &len, sizeof(c)),
                     LZMA_OK);
    hdr = LZMA_STREAM_HEADER_SIZE;
    hsize = (c[hdr] + 1) * 4;
    for ( i = hdr; i + 3 <= hdr + hsize; i++ )
        if ( !memcmp(c + i, "\x21\x01\x10", 3) )
            break;
    assert_true(i + 3 <= hdr + hsize);
    c[i + 2] = 32;                              /* 2 << (32 / 2 + 11) = 256 MiB */
    crc = lzma_crc32(c + hdr, hsize - 4, 0);
    for ( i = 0; i < 4; i++ )
        c[hdr + hsize - 4 + i] = crc >> (8 * i);

    r = run(COMP_XZ, c, len, d.len, NULL);
    assert_false(r.ok);
    assert_string_equal(r.err, "xz needs 257 MiB of memory, over the 128 MiB limit (lzma error 6)");
    assert_in_range(r.peak, 0, 64 << 10);       /* the stream decoder only */
    free(r.out);
    free(d.p);
}

static void test_arguments(void **state)
{
    struct buf d = make_data(1000, 8);
    struct buf gz = gzip_compress(&d, 6);
    struct arena a = { .limit = 1 << 20 };
    char err[12];
    size_t out_len = 99;
    uint8_t out[1000];
    bool ok;

    /* A short err buffer is truncated and terminated. */
    memset(err, 'X', sizeof(err));
    ok = decompress(COMP_UNKNOWN, gz.p, gz.len, out, sizeof(out), &out_len,
                    arena_alloc, &a, err, sizeof(err));
    assert_false(ok);
    assert_int_equal(out_len, 0);
    assert_string_equal(err, "cannot deco");

    /* No err buffer at all. */
    ok = decompress(COMP_GZIP, gz.p, gz.len, out, 10, &out_len,
                    arena_alloc, &a, NULL, 0);
    assert_false(ok);
    arena_release(&a);
    ok = decompress(COMP_GZIP, gz.p, gz.len, out, sizeof(out), &out_len,
                    arena_alloc, &a, NULL, 0);
    assert_true(ok);
    assert_int_equal(out_len, d.len);
    arena_release(&a);

    /* NULL buffers with non-zero sizes. */
    ok = decompress(COMP_GZIP, NULL, 10, out, sizeof(out), &out_len,
                    arena_alloc, &a, err, sizeof(err));
    assert_false(ok);
    ok = decompress(COMP_XZ, gz.p, gz.len, NULL, 10, &out_len,
                    arena_alloc, &a, err, sizeof(err));
    assert_false(ok);
    assert_int_equal(a.used, 0);

    free(gz.p);
    free(d.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xz_round_trip),
        cmocka_unit_test(test_gzip_round_trip),
        cmocka_unit_test(test_other_round_trips),
        cmocka_unit_test(test_other_truncated),
        cmocka_unit_test(test_other_bit_flips),
        cmocka_unit_test(test_other_garbage),
        cmocka_unit_test(test_kernel_payload),
        cmocka_unit_test(test_size_hint),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_unsupported),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_memlimit),
        cmocka_unit_test(test_arguments),
    };

    return cmocka_run_group_tests_name("decompress", tests, NULL, NULL);
}

#else /* FUZZ */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t out_sizes[] = { 0, 1, 4096, 65536, 1 << 20 };
    struct arena a = { .limit = 8 << 20 };      /* keeps it fast */
    enum compression comp;
    size_t out_size;
    struct result r;

    if ( size < 1 )
        return 0;
    {
        /* bits 0-2: the format */
        static const enum compression comps[8] = {
            COMP_GZIP, COMP_XZ, COMP_BZIP2, COMP_LZMA, COMP_LZ4, COMP_ZSTD, COMP_LZO, COMP_GZIP,
        };

        comp = comps[data[0] & 7];
    }
    out_size = out_sizes[(data[0] >> 3) % ARRAY_SIZE(out_sizes)];
    if ( data[0] & 0x80 )
    {
        /* As the shim does: believe the trailer, within reason. */
        out_size = payload_size_hint(data + 1, size - 1);
        if ( out_size > (4 << 20) )
            out_size = 4 << 20;
    }
    r = run(comp, data + 1, size - 1, out_size, &a);
    free(r.out);
    return 0;
}

#endif /* FUZZ */
