/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/decompress.h - unpacking a compressed kernel payload at boot, with
 * Debian's static decompression libraries (boot/decompress.c).
 */
#ifndef BOOT_DECOMPRESS_H
#define BOOT_DECOMPRESS_H

#include "boot/module.h"

/*
 * Largest xz dictionary (and decoder state) decompress() lets liblzma
 * allocate. Linux's scripts/xz_wrap.sh uses a 32 MiB dictionary; liblzma
 * then asks for about 33 MiB in all.
 */
#define DECOMPRESS_XZ_MEMLIMIT  ((uint64_t)128 << 20)

/*
 * The memory a decompressor asks for: size bytes, zeroed and 16-byte
 * aligned, or NULL. Nothing is freed and nothing is kept after decompress()
 * returns, so the caller may reclaim all of it then.
 */
typedef void *decompress_alloc_t(void *ctx, size_t size);

/*
 * Unpack in[0, in_len) of the given kind (any of Linux's seven; COMP_NONE
 * and COMP_UNKNOWN fail with "cannot decompress: <name>") into
 * out[0, out_size). Only the first gzip member, xz stream, bzip2 stream,
 * zstd frame or .lzma stream is decoded, and bytes after it (the size
 * trailer Linux appends) are ignored; lz4's legacy frame has no end of its
 * own and must end with that trailer, and lzop's container with its end
 * mark, the trailer after it allowed.
 *
 * On success returns true with *out_len the number of bytes produced. On a
 * corrupt, truncated or too big input returns false with a one-line reason
 * in err (always terminated when errlen > 0). Never writes outside
 * out[0, out_size). Not reentrant (libdeflate's allocator is global).
 *
 * In the shim, decompress_init() must have run first; the FS base is
 * switched to the decompressors' stack-protector block during the call and
 * restored after.
 */
bool decompress(enum compression comp, const void *in, size_t in_len,
                void *out, size_t out_size, size_t *out_len,
                decompress_alloc_t *alloc, void *ctx,
                char *err, size_t errlen);

/*
 * The decompressed size a kernel payload claims: its last 4 bytes as a
 * little-endian u32 (gzip's ISIZE, or the trailer Linux's build appends to
 * the other formats). 0 when in_len < 4.
 */
uint64_t payload_size_hint(const void *in, size_t in_len);

/*
 * Once at boot, before the first decompress(), with interrupts off: turns
 * SSE on (the libraries use it; there is no guest FPU state yet to save),
 * sets up the stack-protector canary and runs the libraries' constructors
 * (.init_array: liblzma chooses its CRC64 routine there). Shim only.
 */
void decompress_init(void);

#endif /* BOOT_DECOMPRESS_H */
