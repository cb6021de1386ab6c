/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/decompress.c - unpacking the kernel payload with Debian's static
 * liblzma (xz) and libdeflate (gzip), linked into the image as they are.
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
#include <lzma.h>
#include <libdeflate.h>

#include "boot/decompress.h"
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
 * The streaming decoder, in one lzma_code() call, rather than
 * lzma_stream_buffer_decode(): on failure that one reports a truncated
 * input as LZMA_BUF_ERROR, like a short output, and resets the positions
 * that would tell them apart.
 */
static bool decompress_xz(const void *in, size_t in_len, void *out,
                          size_t out_size, size_t *out_len,
                          struct decomp_alloc *a, char *err, size_t errlen)
{
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

    /* Checks verified (CRC32, CRC64, SHA-256); one stream, trailer ignored. */
    ret = lzma_stream_decoder(&strm, DECOMPRESS_XZ_MEMLIMIT, 0);
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
            snprintf(err, errlen, "xz data is truncated");
        else
            snprintf(err, errlen, "xz data does not fit in %zu bytes", out_size);
        break;
    case LZMA_MEM_ERROR:
        snprintf(err, errlen, "xz: out of memory (lzma error %d)", ret);
        break;
    case LZMA_MEMLIMIT_ERROR:
        snprintf(err, errlen, "xz needs %llu MiB of memory, over the %llu MiB limit (lzma error %d)",
                 (unsigned long long)(lzma_memusage(&strm) + (1 << 20) - 1) >> 20,
                 (unsigned long long)DECOMPRESS_XZ_MEMLIMIT >> 20, ret);
        break;
    case LZMA_FORMAT_ERROR:
        snprintf(err, errlen, "not xz data (lzma error %d)", ret);
        break;
    case LZMA_OPTIONS_ERROR:
        snprintf(err, errlen, "xz data uses unsupported options (lzma error %d)", ret);
        break;
    case LZMA_DATA_ERROR:
        snprintf(err, errlen, "xz data is corrupt (lzma error %d)", ret);
        break;
    default:
        snprintf(err, errlen, "xz decoder failed (lzma error %d)", ret);
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

    if ( comp != COMP_GZIP && comp != COMP_XZ )
    {
        if ( comp == COMP_NONE || comp == COMP_UNKNOWN )
            snprintf(err, errlen, "cannot decompress: %s",
                     compression_name(comp));
        else
            snprintf(err, errlen, "not supported yet: %s",
                     compression_name(comp));
        return false;
    }
    if ( (!in && in_len) || (!out && out_size) || !alloc )
    {
        snprintf(err, errlen, "%s: bad arguments", compression_name(comp));
        return false;
    }

    fs = decompress_enter();
    if ( comp == COMP_XZ )
        ok = decompress_xz(in, in_len, out, out_size, out_len, &a, err, errlen);
    else
        ok = decompress_gzip(in, in_len, out, out_size, out_len, &a, err, errlen);
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
