#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Seed inputs for the fuzz harnesses: small valid ones of each kind, made
# here (a Xen-aware ELF64 kernel with notes, one with __xen_guest, bzImages
# with xz and gzip payloads, command lines, descriptors, instructions, a
# page-table tree). Usage: seeds.py OUTDIR [kernel.elf...]: the kernels (the
# lab's test guests, when built) are added to the elf seeds.
import bz2
import gzip
import lzma
import os
import shutil
import struct
import subprocess
import sys

VIRT = 0xffffffff80000000
PADDR = 0x1000000
KSTART = VIRT + PADDR


def note(ntype, desc):
    name = b"Xen\0"
    pad = (-len(desc)) % 4
    return struct.pack("<III", len(name), len(desc), ntype) + name + desc + b"\0" * pad


def elf(notes_in="segment", guest=None, features="!writable_page_tables|pae_pgdir_above_4gb",
        init_p2m=0x8000000000):
    """An ELF64 x86-64 kernel: one PT_LOAD at 0x1000, Xen notes at 0x200."""
    s = lambda t: t.encode() + b"\0"
    q = lambda v: struct.pack("<Q", v)
    notes = b""
    if guest is None:
        notes = (note(6, s("linux")) + note(7, s("2.6")) + note(5, s("xen-3.0")) +
                 note(3, q(VIRT)) + note(4, q(0)) + note(1, q(KSTART + 0x100)) +
                 note(2, q(KSTART + 0x1000)) + note(8, s("generic")) +
                 note(9, s("yes")) + note(12, q(0xffff800000000000)) +
                 note(10, s(features)) + note(15, q(init_p2m)) +
                 note(17, struct.pack("<I", 0x801)) + note(14, q(1)) +
                 note(16, q(1)) + note(18, struct.pack("<I", 0x100000)))
    strtab = b"\0.text\0.note.Xen\0__xen_guest\0.shstrtab\0"
    img = bytearray(0x1100)
    phdrs = [(1, 7, 0x1000, KSTART, PADDR, 0x100, 0x2000, 0x1000)]
    if notes_in == "segment" and notes:
        phdrs.append((4, 4, 0x200, 0, 0, len(notes), len(notes), 4))
    img[0x200:0x200 + len(notes)] = notes
    gs = (guest or "").encode() + b"\0"
    img[0x600:0x600 + len(gs)] = gs
    img[0x700:0x700 + len(strtab)] = strtab
    shdrs = [(0, 0, 0, 0, 0, 0), (1, 1, KSTART, 0x1000, 0x100, 16)]
    if notes_in == "section" and notes:
        shdrs.append((7, 7, 0, 0x200, len(notes), 4))
    if guest is not None:
        shdrs.append((17, 1, 0, 0x600, len(gs), 1))
    shdrs.append((29, 3, 0, 0x700, len(strtab), 1))
    eh = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9,
                     2, 62, 1, KSTART + 0x200, 0x40, 0x800, 0, 64, 56,
                     len(phdrs), 64, len(shdrs), len(shdrs) - 1)
    img[0:64] = eh
    for i, p in enumerate(phdrs):
        img[0x40 + 56 * i:0x40 + 56 * (i + 1)] = struct.pack("<IIQQQQQQ", *p)
    for i, (n, t, a, off, size, al) in enumerate(shdrs):
        img[0x800 + 64 * i:0x800 + 64 * (i + 1)] = struct.pack(
            "<IIQQQQIIQQ", n, t, 0, a, off, size, 0, 0, al, 0)
    img[0x1000:0x1010] = b"\x90" * 15 + b"\xf4"
    return bytes(img)


def xz(data):
    return lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32,
                         filters=[{"id": lzma.FILTER_X86},
                                  {"id": lzma.FILTER_LZMA2, "dict_size": 1 << 20}])


def other_formats(data):
    """(format number of the decompress harness, payload) for bzip2, lzma and, where their
    tools are installed, lz4 (Linux's legacy frame), zstd and lzo (lzop), as Linux makes them."""
    out = [(2, bz2.compress(data, 9)),
           (3, lzma.compress(data, lzma.FORMAT_ALONE, filters=[
               {"id": lzma.FILTER_LZMA1, "dict_size": 1 << 16}]))]
    for n, cmd in ((4, ["lz4", "-l", "-9", "-c"]), (5, ["zstd", "-19", "-q", "-c"]),
                   (6, ["lzop", "-9", "-c"])):
        if shutil.which(cmd[0]):
            out.append((n, subprocess.run(cmd, input=data, stdout=subprocess.PIPE,
                                          check=True).stdout))
    return out


def gz(data):
    return gzip.compress(data, 9, mtime=0)


def bzimage(payload, setup_sects=1, version=0x20f):
    hdr = bytearray(((setup_sects or 4) + 1) * 512)
    hdr[0x1f1] = setup_sects
    hdr[0x1fe:0x200] = b"\x55\xaa"
    hdr[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", hdr, 0x206, version)
    struct.pack_into("<II", hdr, 0x248, 0x40, len(payload))
    return bytes(hdr) + b"\0" * 0x40 + payload


def main():
    out, kernels = sys.argv[1], sys.argv[2:]
    k = elf()
    seeds = {
        "elf": [k, elf("section"), elf(features="!dom0|!auto_translated_physmap"),
                elf(features="!hvm_callback_vector|supervisor_mode_kernel"),
                elf(init_p2m=KSTART + 0x800),
                elf("none", "GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xffffffff80000000,"
                            "ELF_PADDR_OFFSET=0x0,HYPERCALL_PAGE=0x1001,LOADER=generic,"
                            "PAE=yes[extended-cr3],FEATURES=writable_page_tables")],
        "bzimage": [bzimage(xz(k) + struct.pack("<I", len(k))), bzimage(gz(k)),
                    bzimage(gz(k), 0, 0x206), k[:64] + b"\0" * 512,
                    b"070701" + b"0" * 104, xz(b"initrd")],
        "decompress": [b"\x01" + xz(k), b"\x00" + gz(k),
                       b"\x81" + xz(k) + struct.pack("<I", len(k)), b"\x80" + gz(k)]
                      + [bytes([0x80 | n]) + c + struct.pack("<I", len(k))
                         for n, c in other_formats(k)],
        "cmdline": [b"pv-shim console=xen,pv", b"console=e9 loglvl=all guest_loglvl=info/warning",
                    b"noreboot trace-hypercalls=no no-reboot dom0_mem=1G",
                    b'pv-shim "loglvl=debug" console=xen,pv,e9,none -- root=/dev/xvda1 console=hvc0',
                    b"no_trace_hypercalls noreboot=off loglvl=error/none sched=credit2",
                    b"console=" + b"x" * 40 + b" " + b"y" * 300],
        "segdesc": [struct.pack("<QQQQ", 0x00cf9300_0000ffff, 0x00af9b00_0000ffff,
                                0x8000ec00_e0331000, 0x0000e900_00000067),
                    struct.pack("<QQQ", 0x0000ec00_00281234, 0x0000ec00_e0081234,
                                0x0000ee00_e0331000)],
        # Instructions the privileged-op decoder knows.
        "decode": [bytes.fromhex(h) for h in (
            "0f30", "0f32", "0f31", "0f01f9", "0f01d1", "0fa2", "0f06", "0f09",
            "f4", "fa", "fb", "cd80", "cc", "e460", "66e7 70".replace(" ", ""),
            "ec", "66ed", "ee", "f36c", "f26f", "0f22c0", "440f20c0", "0f23f8",
            "480f21c7", "f30f09")],
        # 4 scenario bytes, then a store into a PTE.
        "ptwr": [bytes([0, 0x1b, 2, 0]) + bytes.fromhex(h) for h in (
            "488907", "48c70701000000", "c7470400000080", "f0480fb116", "48871f",
            "f08027fd", "f0800f02", "f0480fba3701", "f0480fba2f00", "668907",
            "f0480911", "f0482111", "3e3e3e3e3e3e3e3e3e3e3e3e3e8907")],
    }
    # A page-table tree (see fuzz-pagetype.c): L1 slot 6 maps 7 (rw) and
    # 8 (ro), L2 slot 4 -> 6, L3 slot 2 -> 4, L4 slot 0 -> 3 and a linear
    # entry; pin the L4, change entries, hold a CR3 and a GDT, unpin.
    P, RW, U, A = 1, 2, 4, 8
    tree = bytes([1,
                  0, 6, 0, 7, P | RW | U, 6, 6, 1, 8, P | U, 2, 9, P | RW,
                  0, 4, 0, 6, P | RW | U, 0, 2, 0, 4, P | RW | U | A,
                  0, 0, 0, 2, P | RW | U, 0, 0, 1, 0, P | U,
                  1, 0, 4, 1, 6, 1,
                  3, 6, 1, 2, 9, P | RW | U, 11, 6, 1, 2, 7, P | U | 0x10,
                  3, 0, 4, 6, 3, P | U, 4, 0, 3, 4, 9, 2,
                  3, 4, 2, 0, 7, P | RW, 5, 0, 2, 0, 2, 6])
    # A 32-bit guest's (first byte bit 1): L3 2's slot 3 -> hypervisor L2 4
    # (slot 0 -> L1 6 -> 7), slot 0 -> 5; pin it; L3 3 naming the same L2 4
    # is refused; change slots 1 and 3 (refused) and an L2 entry; hold a
    # CR3 (an L3), release, unpin.
    pv32 = bytes([3,
                  0, 6, 0, 7, P | RW, 0, 4, 0, 6, P | RW | U | A,
                  0, 2, 2, 4, P, 0, 2, 0, 5, P,
                  1, 2, 3,
                  0, 3, 2, 4, P, 1, 3, 3,
                  3, 2, 3, 1, 9, P | RW, 3, 2, 3, 2, 5, P, 3, 4, 2, 1, 6, P | RW | U,
                  4, 2, 3, 5, 0, 2, 2])
    seeds["pagetype"] = [tree, bytes([0]) + tree[1:], pv32, bytes([3]) + tree[1:]]
    for name, items in seeds.items():
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        for i, data in enumerate(items):
            with open(os.path.join(d, "seed-%02d" % i), "wb") as f:
                f.write(data)
    for path in kernels:
        if os.path.getsize(path) <= (1 << 20):
            with open(path, "rb") as f, \
                 open(os.path.join(out, "elf", os.path.basename(path)), "wb") as o:
                o.write(f.read())


main()
