/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/libc-stubs.c - the C library calls Debian's static libbz2 names but
 * the shim never makes: its object file holds the library's stdio API too
 * (BZ2_bzReadOpen & co.) and its assertion handler, which print and exit.
 * Linking it pulls their references in; each resolves here to a panic
 * (the shim has no files, and libbz2's assertions are internal errors).
 * The decompressors' own allocations never reach malloc (boot/decompress.c
 * gives each library an allocator of ours).
 */
#include "lib/compiler.h"
#include "lib/printk.h"

#define STUB(name) \
    void name(void); \
    void name(void) { panic("decompress: a library called " #name "()"); }

STUB(__fprintf_chk)
STUB(exit)
STUB(fclose)
STUB(fdopen)
STUB(ferror)
STUB(fflush)
STUB(fgetc)
STUB(fopen64)
STUB(fputc)
STUB(fread)
STUB(fwrite)
STUB(ungetc)
STUB(__ctype_b_loc)

/* stdio's streams, which the stubs above would be handed: never used. */
void *stdin, *stdout, *stderr;

/*
 * libzstd's tracing hooks are weak and undefined in a program that has
 * none, which the library tests before calling: at the shim's addresses a
 * call to 0 cannot even be linked. These say "no tracing" (a 0 context),
 * and the end hook is never called then.
 */
unsigned long long ZSTD_trace_decompress_begin(const void *dctx);
void ZSTD_trace_decompress_end(unsigned long long ctx, const void *trace);

unsigned long long ZSTD_trace_decompress_begin(const void *dctx)
{
    return 0;
}

void ZSTD_trace_decompress_end(unsigned long long ctx, const void *trace)
{
}
