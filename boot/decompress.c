/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/decompress.c - unpacking the kernel payload with Debian's static
 * libraries, linked into the image as they are: liblzma (xz, and the old
 * .lzma format), libdeflate (gzip), libbz2 (bzip2), liblz4 (lz4: Linux's
 * legacy frames), libzstd (zstd) and liblzo2 (lzo: lzop's container, read
 * here). Each format's one-line errors name it.
 *
 * The libraries were built for user space, which sets three conditions
 * (see decompress_init() and decompress()):
 *  - -fstack-protector-strong: they read a canary at %fs:0x28 and call
 *    __stack_chk_fail() on a mismatch. FS points at our canary block only
 *    while they run, and is restored to its previous base afterwards.
 *  - SSE: turned on once at boot, before the guest exists.
 *  - the red zone: they run with interrupts off; NMI and #MC use IST stacks.
 * liblzma picks its CRC64 routine in an .init_array constructor, which the
 * shim has no C runtime to run: decompress_init() does.
 *
 * All memory comes from the caller's allocator; the libraries' frees are
 * ignored. Pure apart from the #ifndef UNIT_TEST parts: host-tested.
 */
#ifndef UNIT_TEST
/* GCC's own <limits.h> only (zstd.h, lzoconf.h): there is no C library's to go on to. */
#define _LIBC_LIMITS_H_ 1
#endif
#include <lzma.h>
#include <libdeflate.h>
#include <bzlib.h>
#include <lz4.h>
#define ZSTD_STATIC_LINKING_ONLY        /* ZSTD_createDCtx_advanced: our allocator */
#include <zstd.h>
#include <zstd_errors.h>		/* ZSTD_error_dstSize_tooSmall */
#include <lzo/lzo1x.h>

#include "boot/decompress.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

#ifndef UNIT_TEST
#include "x86/cpu.h"
#include "lib/printk.h"
#endif

/* The caller's allocator for the current decompress() call. */
struct decomp_alloc {
    decompress_alloc_t *alloc;
    void *ctx;
};

static void *decomp_alloc(const struct decomp_alloc *a, size_t size)
{
    void *p = a->alloc(a->ctx, size ? size : 1);

    /* Both libraries assume malloc()'s alignment. */
    if ( ((uintptr_t)p & 15) != 0 )
        return NULL;
    return p;
}

/* ---------------------------------------------------------------- xz */

static void *xz_alloc(void *opaque, size_t nmemb, size_t size)
{
    if ( size && nmemb > SIZE_MAX / size )
        return NULL;
    return decomp_alloc(opaque, nmemb * size);
}

static void xz_free(void *opaque, void *ptr)
{
}

/*
 * xz (lzma_stream_decoder) or .lzma (lzma_alone: the size in its header,
 * or, as Linux's "lzma -9" writes it, unknown and an end marker): the
 * streaming decoder, in one lzma_code() call, rather than
 * lzma_stream_buffer_decode(): on failure that one reports a truncated
 * input as LZMA_BUF_ERROR, like a short output, and resets the positions
 * that would tell them apart. xz's checks verified (CRC32, CRC64, SHA-256);
 * one stream, the trailer after it ignored.
 */
static bool decompress_liblzma(bool alone, const void *in, size_t in_len, void *out,
                               size_t out_size, size_t *out_len,
                               struct decomp_alloc *a, char *err, size_t errlen)
{
    const char *name = alone ? "lzma" : "xz";
    const lzma_allocator allocator = {
        .alloc = xz_alloc,
        .free = xz_free,
        .opaque = a,
    };
    lzma_stream strm = LZMA_STREAM_INIT;
    lzma_ret ret;

    strm.allocator = &allocator;
    strm.next_in = in;
    strm.avail_in = in_len;
    strm.next_out = out;
    strm.avail_out = out_size;

    ret = alone ? lzma_alone_decoder(&strm, DECOMPRESS_XZ_MEMLIMIT)
                : lzma_stream_decoder(&strm, DECOMPRESS_XZ_MEMLIMIT, 0);
    if ( ret == LZMA_OK )
        ret = lzma_code(&strm, LZMA_FINISH);

    switch ( ret )
    {
    case LZMA_STREAM_END:
        *out_len = strm.total_out;
        lzma_end(&strm);
        return true;
    case LZMA_OK:
    case LZMA_BUF_ERROR:
        /* Stopped early: the last input byte never produces output. */
        if ( strm.avail_in == 0 )
            snprintf(err, errlen, "%s data is truncated", name);
        else
            snprintf(err, errlen, "%s data does not fit in %zu bytes", name, out_size);
        break;
    case LZMA_MEM_ERROR:
        snprintf(err, errlen, "%s: out of memory (lzma error %d)", name, ret);
        break;
    case LZMA_MEMLIMIT_ERROR:
        snprintf(err, errlen, "%s needs %llu MiB of memory, over the %llu MiB limit (lzma error %d)",
                 name, (unsigned long long)(lzma_memusage(&strm) + (1 << 20) - 1) >> 20,
                 (unsigned long long)DECOMPRESS_XZ_MEMLIMIT >> 20, ret);
        break;
    case LZMA_FORMAT_ERROR:
        snprintf(err, errlen, "not %s data (lzma error %d)", name, ret);
        break;
    case LZMA_OPTIONS_ERROR:
        snprintf(err, errlen, "%s data uses unsupported options (lzma error %d)", name, ret);
        break;
    case LZMA_DATA_ERROR:
        snprintf(err, errlen, "%s data is corrupt (lzma error %d)", name, ret);
        break;
    default:
        snprintf(err, errlen, "%s decoder failed (lzma error %d)", name, ret);
        break;
    }
    lzma_end(&strm);
    return false;
}

/* ---------------------------------------------------------------- gzip */

/* libdeflate 1.14 has only a global allocator, without a context. */
static struct decomp_alloc *gz_current;

static void *gz_malloc(size_t size)
{
    return gz_current ? decomp_alloc(gz_current, size) : NULL;
}

static void gz_free(void *ptr)
{
}

static bool decompress_gzip(const void *in, size_t in_len, void *out,
                            size_t out_size, size_t *out_len,
                            struct decomp_alloc *a, char *err, size_t errlen)
{
    struct libdeflate_decompressor *d;
    enum libdeflate_result ret;
    size_t in_used = 0, out_used = 0;

    gz_current = a;
    libdeflate_set_memory_allocator(gz_malloc, gz_free);
    d = libdeflate_alloc_decompressor();
    if ( !d )
    {
        gz_current = NULL;
        snprintf(err, errlen, "gzip: out of memory for the decompressor");
        return false;
    }

    /* CRC32 and ISIZE verified; one member, bytes after it ignored. */
    ret = libdeflate_gzip_decompress_ex(d, in, in_len, out, out_size,
                                        &in_used, &out_used);
    libdeflate_free_decompressor(d);
    gz_current = NULL;

    switch ( ret )
    {
    case LIBDEFLATE_SUCCESS:
        *out_len = out_used;
        return true;
    case LIBDEFLATE_BAD_DATA:
        /* Truncated input lands here too: libdeflate cannot tell. */
        snprintf(err, errlen, "gzip data is corrupt or truncated (libdeflate error %d)", ret);
        break;
    case LIBDEFLATE_INSUFFICIENT_SPACE:
        snprintf(err, errlen, "gzip data does not fit in %zu bytes (libdeflate error %d)",
                 out_size, ret);
        break;
    default:
        snprintf(err, errlen, "gzip decoder failed (libdeflate error %d)", ret);
        break;
    }
    return false;
}

/* ---------------------------------------------------------------- bzip2 */

static void *bz_alloc(void *opaque, int n, int m)
{
    if ( n < 0 || m < 0 || (m && (size_t)n > SIZE_MAX / (size_t)m) )
        return NULL;
    return decomp_alloc(opaque, (size_t)n * m);
}

static void bz_free(void *opaque, void *ptr)
{
}

static bool decompress_bzip2(const void *in, size_t in_len, void *out,
                             size_t out_size, size_t *out_len,
                             struct decomp_alloc *a, char *err, size_t errlen)
{
    bz_stream s = { .bzalloc = bz_alloc, .bzfree = bz_free, .opaque = a };
    int ret;

    /* libbz2 counts in unsigned int: a kernel is far smaller. */
    if ( in_len > UINT32_MAX || out_size > UINT32_MAX )
    {
        snprintf(err, errlen, "bzip2: more than 4 GiB");
        return false;
    }
    if ( (ret = BZ2_bzDecompressInit(&s, 0, 0)) != BZ_OK )
    {
        snprintf(err, errlen, "bzip2: out of memory (bzip2 error %d)", ret);
        return false;
    }
    s.next_in = (char *)in;
    s.avail_in = in_len;
    s.next_out = out;
    s.avail_out = out_size;
    /* One stream (its CRCs checked); the trailer after it ignored. */
    do
        ret = BZ2_bzDecompress(&s);
    while ( ret == BZ_OK && s.avail_in && s.avail_out );
    BZ2_bzDecompressEnd(&s);
    if ( ret == BZ_STREAM_END )
    {
        *out_len = ((uint64_t)s.total_out_hi32 << 32) | s.total_out_lo32;
        return true;
    }
    if ( ret == BZ_OK && !s.avail_out )
        snprintf(err, errlen, "bzip2 data does not fit in %zu bytes", out_size);
    else if ( ret == BZ_OK )
        snprintf(err, errlen, "bzip2 data is truncated");
    else
        snprintf(err, errlen, "bzip2 data is corrupt (bzip2 error %d)", ret);
    return false;
}

/* ---------------------------------------------------------------- lz4 */

/*
 * Linux's lz4 payload ("lz4 -l"): the legacy frame, its magic then blocks
 * of at most 8 MiB each after a 4-byte little-endian compressed size (the
 * magic may come again: frames one after another), then Linux's 4-byte
 * size trailer, which is the total.
 */
#define LZ4_LEGACY_MAGIC    0x184c2102u
#define LZ4_LEGACY_BLOCK    (8u << 20)

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static bool decompress_lz4(const void *in, size_t in_len, void *out,
                           size_t out_size, size_t *out_len,
                           struct decomp_alloc *a, char *err, size_t errlen)
{
    const uint8_t *p = in, *end = p + in_len;
    size_t done = 0;

    if ( in_len < 4 || le32(p) != LZ4_LEGACY_MAGIC )
    {
        snprintf(err, errlen, "not lz4 data in Linux's legacy frame");
        return false;
    }
    p += 4;
    while ( end - p >= 4 )
    {
        uint32_t n = le32(p);
        int got;

        if ( n == LZ4_LEGACY_MAGIC )
        {
            p += 4;
            continue;
        }
        /* The last 4 bytes, the total so far: Linux's size trailer, which ends it. */
        if ( end - p == 4 && n == done )
        {
            *out_len = done;
            return true;
        }
        if ( n > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK) || n > (size_t)(end - p) - 4 )
        {
            snprintf(err, errlen, "lz4 data is truncated or corrupt (a block of %u bytes)", n);
            return false;
        }
        p += 4;
        got = LZ4_decompress_safe((const char *)p, (char *)out + done, n,
                                  MIN(out_size - done, (size_t)LZ4_LEGACY_BLOCK));
        if ( got < 0 )
        {
            snprintf(err, errlen, "lz4 data is corrupt or does not fit in %zu bytes (lz4 error %d)",
                     out_size, got);
            return false;
        }
        done += got;
        p += n;
    }
    /* No end of its own: without Linux's trailer, a cut at a block's end would pass. */
    snprintf(err, errlen, "lz4 data is truncated (no size trailer after %zu bytes)", done);
    return false;
}

/* ---------------------------------------------------------------- zstd */

static void *zstd_alloc(void *opaque, size_t size)
{
    return decomp_alloc(opaque, size);
}

static void zstd_free(void *opaque, void *ptr)
{
}

/* Linux's payload (zstd -22 --ultra) has a window of at most 2^27: allowed, not more. */
#define ZSTD_WINDOWLOG_ALLOWED 27

/*
 * One frame, in one call into the whole output (which is then the window:
 * nothing as big is allocated), its checksum checked if it has one; the
 * trailer after it ignored.
 */
static bool decompress_zstd(const void *in, size_t in_len, void *out,
                            size_t out_size, size_t *out_len,
                            struct decomp_alloc *a, char *err, size_t errlen)
{
    const ZSTD_customMem mem = { zstd_alloc, zstd_free, a };
    size_t frame = ZSTD_findFrameCompressedSize(in, in_len), ret;
    ZSTD_DCtx *d;

    if ( ZSTD_isError(frame) )
    {
        snprintf(err, errlen, "zstd data is corrupt or truncated: %s", ZSTD_getErrorName(frame));
        return false;
    }
    if ( !(d = ZSTD_createDCtx_advanced(mem)) )
    {
        snprintf(err, errlen, "zstd: out of memory for the decompressor");
        return false;
    }
    ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, ZSTD_WINDOWLOG_ALLOWED);
    ret = ZSTD_decompressDCtx(d, out, out_size, in, frame);
    ZSTD_freeDCtx(d);
    if ( ZSTD_isError(ret) )
    {
        if ( ZSTD_getErrorCode(ret) == ZSTD_error_dstSize_tooSmall )
            snprintf(err, errlen, "zstd data does not fit in %zu bytes", out_size);
        else
            snprintf(err, errlen, "zstd data is corrupt or not supported: %s",
                     ZSTD_getErrorName(ret));
        return false;
    }
    *out_len = ret;
    return true;
}

/* ---------------------------------------------------------------- lzo (lzop) */

/*
 * lzop's container (Linux's "lzop -9" payload): its magic, a header (the
 * fields per version, a file name, the header's checksum), then blocks,
 * each an uncompressed and a compressed size (big-endian), the checksums
 * the header's flags ask for, and the data (stored when both sizes are
 * equal); an uncompressed size of 0 ends it. The uncompressed data's
 * Adler-32 or CRC-32 is checked when the header asks for it.
 */
#define LZOP_F_ADLER32_D    0x00000001u
#define LZOP_F_ADLER32_C    0x00000002u
#define LZOP_F_H_EXTRA      0x00000040u
#define LZOP_F_CRC32_D      0x00000100u
#define LZOP_F_CRC32_C      0x00000200u
#define LZOP_F_H_FILTER     0x00000800u
#define LZOP_METHOD_MAX     3               /* LZO1X-1, LZO1X-1(15), LZO1X-999 */
#define LZOP_BLOCK_MAX      (64u << 20)     /* lzop's own limit */

static const uint8_t lzop_magic[9] = { 0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a };

/* Take n bytes at *p, or false if fewer are left. */
static bool lzop_take(const uint8_t **p, const uint8_t *end, size_t n, const uint8_t **at)
{
    if ( (size_t)(end - *p) < n )
        return false;
    *at = *p;
    *p += n;
    return true;
}

static bool decompress_lzo(const void *in, size_t in_len, void *out,
                           size_t out_size, size_t *out_len,
                           struct decomp_alloc *a, char *err, size_t errlen)
{
    const uint8_t *p = in, *end = p + in_len, *f;
    uint32_t flags;
    unsigned int version;
    size_t done = 0;

    if ( !lzop_take(&p, end, 9, &f) || memcmp(f, lzop_magic, 9) )
        goto bad_header;
    if ( !lzop_take(&p, end, 4, &f) )           /* version, library version */
        goto bad_header;
    version = (f[0] << 8) | f[1];
    if ( version >= 0x0940 && !lzop_take(&p, end, 2, &f) )  /* version to extract */
        goto bad_header;
    if ( !lzop_take(&p, end, 1, &f) || f[0] < 1 || f[0] > LZOP_METHOD_MAX )
        goto bad_header;
    if ( version >= 0x0940 && !lzop_take(&p, end, 1, &f) )  /* level */
        goto bad_header;
    if ( !lzop_take(&p, end, 4, &f) )
        goto bad_header;
    flags = be32(f);
    if ( (flags & LZOP_F_H_FILTER) && !lzop_take(&p, end, 4, &f) )
        goto bad_header;
    /* mode, mtime (and its high half), the name's length, the name, the checksum */
    if ( !lzop_take(&p, end, version >= 0x0940 ? 12 : 8, &f) || !lzop_take(&p, end, 1, &f) ||
         !lzop_take(&p, end, f[0], &f) || !lzop_take(&p, end, 4, &f) )
        goto bad_header;
    if ( flags & LZOP_F_H_EXTRA )
    {
        if ( !lzop_take(&p, end, 4, &f) || !lzop_take(&p, end, be32(f), &f) ||
             !lzop_take(&p, end, 4, &f) )
            goto bad_header;
    }
    if ( lzo_init() != LZO_E_OK )
    {
        snprintf(err, errlen, "lzo: the library did not start");
        return false;
    }

    for ( ; ; )
    {
        uint32_t dlen, clen, dsum = 0;
        lzo_uint got;
        bool adler = flags & LZOP_F_ADLER32_D, crc = flags & LZOP_F_CRC32_D;

        if ( !lzop_take(&p, end, 4, &f) )
            goto truncated;
        if ( !(dlen = be32(f)) )
        {
            /* The end: nothing after it, or Linux's size trailer (the total). */
            if ( p == end || (end - p == 4 && le32(p) == done) )
                break;
            snprintf(err, errlen, "lzo data is corrupt (%zu bytes after its end)", (size_t)(end - p));
            return false;
        }
        if ( !lzop_take(&p, end, 4, &f) )
            goto truncated;
        clen = be32(f);
        if ( dlen > LZOP_BLOCK_MAX || clen > dlen )
        {
            snprintf(err, errlen, "lzo data is corrupt (a block of %u bytes from %u)", dlen, clen);
            return false;
        }
        if ( adler || crc )
        {
            if ( !lzop_take(&p, end, 4, &f) )
                goto truncated;
            dsum = be32(f);
            if ( adler && crc && !lzop_take(&p, end, 4, &f) )
                goto truncated;
        }
        if ( clen < dlen )
        {
            unsigned int n = !!(flags & LZOP_F_ADLER32_C) + !!(flags & LZOP_F_CRC32_C);

            if ( !lzop_take(&p, end, 4 * n, &f) )
                goto truncated;
        }
        if ( !lzop_take(&p, end, clen, &f) )
            goto truncated;
        if ( dlen > out_size - done )
        {
            snprintf(err, errlen, "lzo data does not fit in %zu bytes", out_size);
            return false;
        }
        got = dlen;
        if ( clen == dlen )
            memcpy((uint8_t *)out + done, f, dlen);
        else if ( lzo1x_decompress_safe(f, clen, (uint8_t *)out + done, &got, NULL) != LZO_E_OK ||
                  got != dlen )
        {
            snprintf(err, errlen, "lzo data is corrupt (a block of %u bytes)", dlen);
            return false;
        }
        if ( adler && lzo_adler32(1, (uint8_t *)out + done, dlen) != dsum )
        {
            snprintf(err, errlen, "lzo data is corrupt (Adler-32 of a block)");
            return false;
        }
        if ( !adler && crc && lzo_crc32(0, (uint8_t *)out + done, dlen) != dsum )
        {
            snprintf(err, errlen, "lzo data is corrupt (CRC-32 of a block)");
            return false;
        }
        done += dlen;
    }
    *out_len = done;
    return true;

 bad_header:
    snprintf(err, errlen, "not lzo data (lzop's header is bad or cut short)");
    return false;
 truncated:
    snprintf(err, errlen, "lzo data is truncated");
    return false;
}

/* ---------------------------------------------------------------- the shim's side */

#ifndef UNIT_TEST
/*
 * What %fs points at while a library runs: the canary at offset 0x28, where
 * glibc's TCB keeps it (tcbhead_t.stack_guard).
 */
static uint64_t canary_block[8] __aligned(64);
static bool decompress_ready;

/* Called by the libraries' stack protector: their frame was overwritten. */
void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
    panic("decompress: stack protector fired in liblzma/libdeflate");
}

/*
 * The libraries fall back to malloc() and free() when no allocator is given.
 * We always give one, but their references must resolve.
 */
void *malloc(size_t size);
void *calloc(size_t nmemb, size_t size);
void free(void *ptr);

void *malloc(size_t size)
{
    panic("decompress: a library called malloc(%zu)", size);
}

void *calloc(size_t nmemb, size_t size)
{
    panic("decompress: a library called calloc(%zu, %zu)", nmemb, size);
}

void free(void *ptr)
{
    panic("decompress: a library called free(%p)", ptr);
}

typedef void init_fn_t(void);
extern init_fn_t *__init_array_start[], *__init_array_end[];

void decompress_init(void)
{
    uint64_t fs;

    BUG_ON(decompress_ready);
    sse_enable();

    /* Any value will do; a varying one makes a stray match less likely. */
    canary_block[0x28 / 8] = rdtsc() * 0x9e3779b97f4a7c15ULL;
    canary_block[0x28 / 8] &= ~0xffULL; /* a NUL first byte, as glibc's */

    /* The constructors are library code too: canary in place. */
    fs = read_fs_base();
    write_fs_base((uintptr_t)canary_block);
    for ( init_fn_t **f = __init_array_start; f < __init_array_end; f++ )
        (*f)();
    write_fs_base(fs);

    decompress_ready = true;
}

/* Run the libraries with %fs on our canary block. */
static uint64_t decompress_enter(void)
{
    uint64_t fs = read_fs_base();

    BUG_ON(!decompress_ready);
    write_fs_base((uintptr_t)canary_block);
    return fs;
}

static void decompress_leave(uint64_t fs)
{
    write_fs_base(fs);
}
#else  /* UNIT_TEST: the host's libc owns %fs and its canary. */
static uint64_t decompress_enter(void)
{
    return 0;
}

static void decompress_leave(uint64_t fs)
{
}
#endif

/* ---------------------------------------------------------------- the API */

bool decompress(enum compression comp, const void *in, size_t in_len,
                void *out, size_t out_size, size_t *out_len,
                decompress_alloc_t *alloc, void *ctx,
                char *err, size_t errlen)
{
    struct decomp_alloc a = { .alloc = alloc, .ctx = ctx };
    uint64_t fs;
    bool ok;

    *out_len = 0;
    if ( errlen )
        err[0] = '\0';

    if ( comp == COMP_NONE || comp == COMP_UNKNOWN )
    {
        snprintf(err, errlen, "cannot decompress: %s", compression_name(comp));
        return false;
    }
    if ( (!in && in_len) || (!out && out_size) || !alloc )
    {
        snprintf(err, errlen, "%s: bad arguments", compression_name(comp));
        return false;
    }

    fs = decompress_enter();
    switch ( comp )
    {
    case COMP_XZ:
        ok = decompress_liblzma(false, in, in_len, out, out_size, out_len, &a, err, errlen);
        break;
    case COMP_GZIP:
        ok = decompress_gzip(in, in_len, out, out_size, out_len, &a, err, errlen);
        break;
    case COMP_LZMA:
        ok = decompress_liblzma(true, in, in_len, out, out_size, out_len, &a, err, errlen);
        break;
    case COMP_BZIP2:
        ok = decompress_bzip2(in, in_len, out, out_size, out_len, &a, err, errlen);
        break;
    case COMP_LZ4:
        ok = decompress_lz4(in, in_len, out, out_size, out_len, &a, err, errlen);
        break;
    case COMP_ZSTD:
        ok = decompress_zstd(in, in_len, out, out_size, out_len, &a, err, errlen);
        break;
    default:    /* COMP_LZO */
        ok = decompress_lzo(in, in_len, out, out_size, out_len, &a, err, errlen);
        break;
    }
    decompress_leave(fs);

    return ok;
}

uint64_t payload_size_hint(const void *in, size_t in_len)
{
    const uint8_t *p = in;

    if ( in_len < 4 )
        return 0;
    p += in_len - 4;
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}
