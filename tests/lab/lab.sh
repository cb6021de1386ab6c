#!/bin/bash
# Boot the lab once (Debian's Xen 4.17 as L0, with a Debian dom0, in QEMU/TCG) and run several
# guests in it, one after the other.
#
#   lab.sh OUTDIR CASE.cfg... [-- FILE...]
#
# Each CASE.cfg is an xl config (dom0 paths: /lab/vmlinuz and /lab/guest.cpio.gz are always
# there; every FILE is copied to /lab/<basename>, or SRC=NAME to /lab/NAME; ART files a cfg names as /lab/<name> come
# along). dom0 runs them in the order given (tests/lab/dom0-cases.sh). Results per case:
#
#   OUTDIR/<case>/console.log   the guest's PV console (what xenconsoled logged)
#   OUTDIR/<case>/e9.log        what the domain wrote to port 0xe9 (L0's "(dN)" lines)
#   OUTDIR/<case>/xl.log        xl's log for the domain, or xl create's errors
#   OUTDIR/<case>/lab.log       what dom0 did for the guest's LAB-* requests (dom0-cases.sh)
#   OUTDIR/<case>/result        state=... shutdown=... and dom0 uptimes (see dom0-cases.sh)
#   OUTDIR/serial.log           the whole serial log, host-timestamped
#
# Exit 0 if QEMU ran and dom0 reported every case, 2 if the lab itself failed.
# Knobs: LAB_ART (images, default ~/.cache/pvshim-lab), TIMEOUT (QEMU wall clock, 900 s),
# QUIET=1 (no serial log on stdout; a progress line on stderr as each case ends, and at
# least every 30 s), XEN_ARGS (extra L0 command line).
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
ART=${LAB_ART:-${XDG_CACHE_HOME:-$HOME/.cache}/pvshim-lab}
[ $# -ge 2 ] || { sed -n '2,21p' "$0"; exit 2; }
out=$1; shift
cfgs=(); files=()
while [ $# -gt 0 ]; do
  [ "$1" = -- ] && { shift; files=("$@"); break; }
  cfgs+=("$1"); shift
done
for f in xen vmlinuz dom0.cpio.gz guest.cpio.gz; do
  [ -f "$ART/$f" ] || { echo "lab: $ART/$f is missing: run tests/lab/build-images.sh" >&2; exit 2; }
done
command -v qemu-system-x86_64 > /dev/null || { echo "lab: qemu-system-x86_64 missing: run make deps" >&2; exit 2; }
TIMEOUT=${TIMEOUT:-900}

rm -rf "$out"; mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ov/lab/cases"
i=0
for c in "${cfgs[@]}"; do
  i=$((i + 1))
  [ -f "$c" ] || { echo "lab: no such cfg $c" >&2; exit 2; }
  cp "$c" "$work/ov/lab/cases/$(printf %02d $i)-$(basename "$c")"
done
cp "$ART/vmlinuz" "$ART/guest.cpio.gz" "$work/ov/lab/"
for f in "${files[@]}"; do
  case "$f" in *=*) cp -L "${f%%=*}" "$work/ov/lab/${f#*=}" ;; *) cp -L "$f" "$work/ov/lab/" ;; esac \
    || { echo "lab: cannot copy $f" >&2; exit 2; }
done
for b in $(cat "${cfgs[@]}" | grep -v '^[[:space:]]*#' | grep -o '/lab/[A-Za-z0-9._+-]*' | sed 's,^/lab/,,' | sort -u); do
  [ -e "$work/ov/lab/$b" ] || [ ! -f "$ART/$b" ] || cp -L "$ART/$b" "$work/ov/lab/"
done
# a guest with a disk may ask dom0 to hot-attach a second one (dom0-cases.sh)
if grep -q '^[[:space:]]*disk[[:space:]]*=' "${cfgs[@]}" && [ -f "$ART/attach-disk.img" ]; then
  cp "$ART/attach-disk.img" "$work/ov/lab/"
fi
cp "$here/dom0-cases.sh" "$work/ov/lab/test.sh"
(cd "$work/ov" && find . | cpio -o -H newc --quiet | gzip -1 > "$work/ov.cpio.gz")
cat "$ART/dom0.cpio.gz" "$work/ov.cpio.gz" > "$work/dom0-run.cpio.gz"

# smap=0: L0 crashes dom0 in create_bounce_frame under TCG without it (shared lab README,
# pitfall 3). No "noreboot": a dying L0 reboots and -no-reboot makes QEMU exit at once.
xen_cmd="console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=1 loglvl=all guest_loglvl=all smap=0 smep=0 ${XEN_ARGS:-}"
dom0_cmd="console=hvc0 earlyprintk=xen quiet"
mods="$ART/vmlinuz ${dom0_cmd//,/,,},$work/dom0-run.cpio.gz"

log="$out/serial.log"
{
  timeout -k 10 "$TIMEOUT" qemu-system-x86_64 \
    -machine q35 -accel tcg,thread=multi -cpu max -smp 2 -m 3072 \
    -nodefaults -display none -serial stdio -monitor none -no-reboot \
    -kernel "$ART/xen" -append "$xen_cmd" -initrd "$mods" < /dev/null 2>&1
  echo "HOST: qemu-exit $?"
} | perl -MTime::HiRes=time -ne 'BEGIN { $| = 1; $t0 = time } s/\r//g; printf "[%7.2f] %s", time - $t0, $_' \
  | if [ "${QUIET:-0}" = 1 ]; then cat > "$log"; else tee "$log"; fi &
lab_pid=$!
# QUIET=1: progress on stderr instead, each case as it ends, and at least every 30 s a line
if [ "${QUIET:-0}" = 1 ]; then
  t0=$SECONDS; ended=0; last=$SECONDS
  while kill -0 $lab_pid 2> /dev/null; do
    sleep 5
    n=$(grep -c '^\[ *[0-9.]*\] CASE-END ' "$log" 2>/dev/null); n=${n:-0}
    if [ "$n" -gt "$ended" ]; then
      grep '^\[ *[0-9.]*\] CASE-END ' "$log" | sed -n "$((ended + 1)),${n}p" | sed 's/^\[ *[0-9.]*\] //' |
        awk -v t=$((SECONDS - t0)) -v all=${#cfgs[@]} -v done0=$ended \
          '{ printf "lab: %3d of %d done (%d s): %s %s %s\n", done0 + NR, all, t, $2, $3, $4 }' >&2
      ended=$n; last=$SECONDS
    elif [ $((SECONDS - last)) -ge 30 ]; then
      cur=$(grep '^\[ *[0-9.]*\] CASE-BEGIN ' "$log" 2>/dev/null | tail -1 | sed 's/^\[ *[0-9.]*\] //' |
            awk '{ print $2 }')
      echo "lab: $ended of ${#cfgs[@]} done ($((SECONDS - t0)) s), now ${cur:-booting L0 and dom0}" >&2
      last=$SECONDS
    fi
  done
fi
wait $lab_pid

# split the serial log into per-case files
strip='s/^\[ *[0-9.]*\] //'
for c in $(sed -n "$strip; s/^CASE-BEGIN \([^ ]*\) .*/\1/p" "$log"); do
  d="$out/${c#[0-9][0-9]-}"; mkdir -p "$d"
  sed -n "$strip; s/^C|$c| //p" "$log" > "$d/console.log"
  sed -n "$strip; s/^E|$c| //p" "$log" > "$d/e9.log"
  sed -n "$strip; s/^X|$c| //p" "$log" > "$d/xl.log"
  sed -n "$strip; s/^L|$c| //p" "$log" > "$d/lab.log"
  sed -n "$strip; s/^CASE-END $c //p" "$log" | tr ' ' '\n' > "$d/result"
  # host-side seconds from QEMU start, for timings
  grep -m1 "CASE-BEGIN $c " "$log" | sed 's/^\[ *\([0-9.]*\)\].*/host_begin=\1/' >> "$d/result"
done
grep -q 'LAB-RESULT' "$log" || { echo "lab: dom0 never finished (see $log)" >&2; exit 2; }
n_end=$(grep -c 'CASE-END ' "$log")
[ "$n_end" -eq "${#cfgs[@]}" ] || { echo "lab: $n_end of ${#cfgs[@]} cases reported (see $log)" >&2; exit 2; }
exit 0
