#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Debian's kernel as a bzImage of each compression Linux can build: its vmlinux taken out of
the xz payload and packed again as Linux's build packs it (arch/x86/boot/compressed/Makefile
and scripts/Makefile.lib: gzip -9, bzip2 -9, lzma -9, lzop -9, lz4 -l -9, zstd; then the
unpacked size as 4 little-endian bytes), with the boot header's payload_length set to match.
The real-mode and decompressor code around the payload is kept as it is: only Xen's loaders
and ours read these kernels, by their header. With each good one, a bad one: SMALL (a small
ELF, so that the lab's dom0 holds them all; default Debian's vmlinux) packed the same way, with
64 bytes in the middle of the payload overwritten (lz4, which has no checksum: its first
block's size).

  repack-bzimage.py BZIMAGE OUTDIR [SMALL]   writes OUTDIR/vmlinuz-<kind>, vmlinuz-<kind>-bad
"""
import bz2
import gzip
import lzma
import os
import struct
import subprocess
import sys

KINDS = ("gzip", "bzip2", "lzma", "lzo", "lz4", "zstd")


def payload(img):
    setup_sects = img[0x1f1] or 4
    pm_start = (setup_sects + 1) * 512
    off, length = struct.unpack_from("<II", img, 0x248)
    return pm_start + off, length


def tool(cmd, data):
    return subprocess.run(cmd, input=data, stdout=subprocess.PIPE, check=True).stdout


def pack(kind, vmlinux):
    if kind == "gzip":
        c = gzip.compress(vmlinux, 9, mtime=0)
    elif kind == "bzip2":
        c = bz2.compress(vmlinux, 9)
    elif kind == "lzma":
        c = lzma.compress(vmlinux, lzma.FORMAT_ALONE, preset=9)
    elif kind == "lzo":
        c = tool(["lzop", "-9", "-c"], vmlinux)
    elif kind == "lz4":
        c = tool(["lz4", "-l", "-9", "-c"], vmlinux)
    else:
        # Linux uses -22 --ultra; -19 keeps the test quick (a 2^23 window, not 2^27)
        c = tool(["zstd", "-19", "-q", "-c"], vmlinux)
    return c + struct.pack("<I", len(vmlinux))


def main():
    src, out = sys.argv[1], sys.argv[2]
    img = bytearray(open(src, "rb").read())
    start, length = payload(img)
    d = lzma.LZMADecompressor(lzma.FORMAT_XZ)
    vmlinux = d.decompress(bytes(img[start:start + length]))
    assert vmlinux[:4] == b"\x7fELF", "the payload is not an xz-packed ELF"
    small = open(sys.argv[3], "rb").read() if len(sys.argv) > 3 else vmlinux
    os.makedirs(out, exist_ok=True)
    for kind in KINDS:
        p = pack(kind, vmlinux)
        new = img[:start] + p + img[start + length:]
        struct.pack_into("<I", new, 0x24c, len(p))
        open(os.path.join(out, "vmlinuz-" + kind), "wb").write(new)
        print("repack: vmlinuz-%s: %d-byte payload" % (kind, len(p)))
        p = bytearray(pack(kind, small))
        # lz4 has no checksum: its first block's size (after the magic) is what goes bad
        at = 4 if kind == "lz4" else len(p) // 2
        p[at:at + 64] = b"U" * 64
        new = img[:start] + p + img[start + length:]
        struct.pack_into("<I", new, 0x24c, len(p))
        open(os.path.join(out, "vmlinuz-%s-bad" % kind), "wb").write(new)


if __name__ == "__main__":
    main()
