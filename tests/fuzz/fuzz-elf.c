/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/fuzz/fuzz-elf.c - pvops/elf.c: the input is a kernel image. An
 * accepted one is consistent (64-bit x86-64, entry and hypercall page in
 * [virt_kstart, virt_kend), strings terminated) and elf_load() copies only
 * bytes of the image, only into that range, at most once per loadable
 * segment. Either way the reason fits its buffer on one line, the image is
 * not written, and a second parse (with a tiny error buffer) agrees.
 */
#include "tests/fuzz/fuzz.h"

#include "pvops/elf.h"

struct load {
    const struct elf_info *info;
    const uint8_t *img;
    uint64_t size;
    unsigned int copies, zeros;
};

static bool in_kernel(const struct elf_info *i, uint64_t va, uint64_t len)
{
    return len && va >= i->virt_kstart && va <= i->virt_kend &&
           len <= i->virt_kend - va;
}

static bool load_copy(void *ctx, uint64_t va, const void *src, uint64_t len)
{
    struct load *l = ctx;
    const uint8_t *s = src;

    CHECK(in_kernel(l->info, va, len));
    CHECK(s >= l->img && len <= l->size && s - l->img <= (long)(l->size - len));
    l->copies++;
    return true;
}

static bool load_zero(void *ctx, uint64_t va, uint64_t len)
{
    struct load *l = ctx;

    CHECK(in_kernel(l->info, va, len));
    l->zeros++;
    return true;
}

static bool terminated(const char *s)
{
    return memchr(s, '\0', ELF_INFO_STR);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct elf_info info, again;
    uint8_t *img = fuzz_dup(data, size);
    char err[160], tiny[4];
    bool ok;

    memset(err, FUZZ_GUARD, sizeof(err));
    ok = elf_parse(img, size, &info, err, sizeof(err));
    CHECK(!memcmp(img, data, size));
    if ( !ok )
        CHECK(fuzz_line_ok(err, sizeof(err)) && err[0]);

    /* The same verdict and the same information, whatever the buffer. */
    memset(tiny, FUZZ_GUARD, sizeof(tiny));
    CHECK(elf_parse(img, size, &again, tiny, sizeof(tiny)) == ok);
    CHECK(!memcmp(&info, &again, sizeof(info)));
    if ( !ok )
        CHECK(memchr(tiny, '\0', sizeof(tiny)) &&
              strlen(tiny) == MIN(strlen(err), sizeof(tiny) - 1) &&
              !strncmp(tiny, err, strlen(tiny)));
    CHECK(elf_parse(img, size, &again, NULL, 0) == ok);

    if ( ok )
    {
        struct load l = { .info = &info, .img = img, .size = size };

        CHECK(info.elf_class == 64 && info.machine == ELF_MACHINE_X86_64);
        CHECK(info.nr_load >= 1 && info.pstart <= info.pend);
        CHECK(info.xen_notes + info.xen_guest_section == 1);
        CHECK(info.virt_kstart <= info.virt_kend);
        CHECK(info.virt_kstart == info.pstart + info.virt_offset);
        CHECK(info.virt_kend == info.pend + info.virt_offset);
        CHECK(info.virt_offset == info.virt_base - info.paddr_offset);
        CHECK(info.virt_base <= info.virt_kstart);
        CHECK(info.entry >= info.virt_kstart && info.entry < info.virt_kend);
        CHECK(info.hypercall_page == ELF_UNSET ||
              (info.hypercall_page >= info.virt_kstart &&
               info.hypercall_page < info.virt_kend));
        CHECK(terminated(info.guest_os) && terminated(info.guest_version) &&
              terminated(info.xen_version) && terminated(info.loader));

        CHECK(elf_load(img, size, &info, load_copy, load_zero, &l));
        CHECK(l.copies <= info.nr_load && l.zeros <= info.nr_load);
        CHECK(!memcmp(img, data, size));
    }
    free(img);
    return 0;
}
