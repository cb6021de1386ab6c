#!/bin/bash
# The main job ("make run"): boot our shim in the lab, as a user's xl config would, and show
# its console and timings. With COMPARE=1, Debian's xen-shim runs the same guest afterwards
# in the same L0 boot.
#
#   tests/lab/demo.sh [SHIM]        (default build/xen-shim)
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
shim=$(readlink -f "${1:-$here/../../build/xen-shim}")
[ -f "$shim" ] || { echo "demo: $shim not found: run make first" >&2; exit 1; }
"$here/../deps.sh" || exit 1
echo "demo: preparing the lab images (first time: about a minute)..."
"$here/build-images.sh" > /tmp/pvshim-lab-images.log 2>&1 ||
  { echo "demo: building lab images failed (log: /tmp/pvshim-lab-images.log)" >&2; exit 1; }
out=$(dirname "$shim")/lab-demo
cfgs=("$here/cfg/shim-ours.cfg")
[ "${COMPARE:-0}" = 1 ] && cfgs+=("$here/cfg/shim-debian.cfg")
echo "demo: booting L0 Xen 4.17 + dom0 in QEMU (no KVM: ~10 s), then xl create with our shim:"
sed -n '/^name/,$p' "$here/cfg/shim-ours.cfg" | grep -v '^#' | sed 's/^/    /'
t0=$(date +%s.%N)
QUIET=1 "$here/lab.sh" "$out" "${cfgs[@]}" -- "$shim=pvshim-ours" ||
  { echo "demo: the lab failed; serial log: $out/serial.log" >&2; exit 1; }
t1=$(date +%s.%N)
for c in shim-ours shim-debian; do
  [ -d "$out/$c" ] || continue
  echo
  echo "==== $c: PV console (xl console)"
  sed 's/^/  | /' "$out/$c/console.log"
  awk -F= -v c=$c '{ v[$1] = $2 } END {
    printf "==== %s: L0 saw shutdown reason %s; xl create %.2f s, create -> first output %.2f s, create -> gone %.2f s\n",
      c, v["shutdown"], v["returned"] - v["create"], v["first"] - v["create"], v["end"] - v["create"] }' "$out/$c/result"
done
awk -v a="$t0" -v b="$t1" -v l="$out/serial.log" \
  'BEGIN { printf "==== whole lab run %.1f s; serial log: %s\n", b - a, l }'
