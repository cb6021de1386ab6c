#!/bin/bash
# Install the Debian packages that building, testing and the lab need (only the missing
# ones; "apt-get update" first). Safe to run again: it does nothing when all are there.
#   build:  gcc make binutils python3-kconfiglib (Kconfiglib) libxen-dev (Xen public headers)
#           liblzma-dev libdeflate-dev libbz2-dev liblz4-dev libzstd-dev liblzo2-dev (the
#           static kernel decompressors linked into the image)
#   tests:  bzip2 lz4 zstd lzop (bzImages of every kind, repacked from Debian's kernel)
#   guests: gcc-multilib (the 32-bit libgcc the 32-bit test kernels link: 64-bit division)
#   unit:   libcmocka-dev
#   fuzz:   clang (clang-14 on Debian 12) and libclang-rt-14-dev (libFuzzer and the
#           sanitizer runtimes: libclang_rt.fuzzer-x86_64.a)
#   lab:    qemu-system-x86 xen-hypervisor-4.17-amd64 xen-utils-4.17 linux-image-amd64
#           busybox-static grub-xen-host cpio e2fsprogs iproute2 mount kmod xz-utils perl
#   package (only with "tests/deps.sh package": make deb): debhelper dpkg-dev lintian fakeroot
set -euo pipefail
if [ "${1:-}" = package ]; then
  pkgs="debhelper dpkg-dev lintian fakeroot gcc make binutils python3 python3-kconfiglib libxen-dev
  liblzma-dev libdeflate-dev libbz2-dev liblz4-dev libzstd-dev liblzo2-dev libcmocka-dev"
else
pkgs="gcc make binutils git python3 python3-kconfiglib libxen-dev liblzma-dev libdeflate-dev libcmocka-dev
  libbz2-dev liblz4-dev libzstd-dev liblzo2-dev bzip2 lz4 zstd lzop
  gcc-multilib
  clang libclang-rt-14-dev
  qemu-system-x86 xen-hypervisor-4.17-amd64 xen-utils-4.17 linux-image-amd64 busybox-static
  grub-xen-host cpio e2fsprogs iproute2 mount bash kmod xz-utils gzip perl"
fi
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
{ true >&3; } 2> /dev/null || exec 3>&1     # heartbeat.sh's lines to the terminal, not the log
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo > /dev/null || { echo "deps: need root (or sudo) to install:$missing" >&2; exit 1; }
  sudo=sudo
fi
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
       "$(dirname "$0")/heartbeat.sh" "deps: apt-get install" $sudo apt-get install -y -qq \
       --no-install-recommends $missing > /tmp/pvshim-deps.log 2>&1; }; then
  echo "deps: apt-get install failed (log: /tmp/pvshim-deps.log); install by hand:$missing" >&2
  tail -5 /tmp/pvshim-deps.log >&2
  exit 1
fi
