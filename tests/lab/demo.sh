#!/bin/bash
# The main job ("make run"): boot Debian's kernel under our shim in the lab, as a user's xl
# config would, with a PV disk (its root) and a NIC, to a shell prompt on its console; dom0
# types a command there and then poweroff. The same guest also runs directly on L0 as a PV
# guest and under Debian's xen-shim, in the same L0 boot, and the timings and throughputs are
# printed side by side.
#
#   tests/lab/demo.sh [SHIM]        (default build/xen-shim)
#   ONLY=ours tests/lab/demo.sh     our shim only
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
shim=$(readlink -f "${1:-$here/../../build/xen-shim}")
[ -f "$shim" ] || { echo "demo: $shim not found: run make first" >&2; exit 1; }
"$here/../deps.sh" || exit 1
echo "demo: preparing the lab images (first time: about a minute)..."
"$here/build-images.sh" > /tmp/pvshim-lab-images.log 2>&1 ||
  { echo "demo: building lab images failed (log: /tmp/pvshim-lab-images.log)" >&2; exit 1; }
out=$(dirname "$shim")/lab-demo
c=$here/cfg
cfgs=("$c/devices-disk-shim.cfg")
[ "${ONLY:-}" = ours ] || cfgs+=("$c/devices-disk-pv.cfg" "$c/devices-disk-debshim.cfg")
echo "demo: booting L0 Xen 4.17 + dom0 in QEMU (no KVM: about a minute), then xl create with our shim:"
sed -n '/^name/,$p' "$c/devices-disk-shim.cfg" | grep -v '^#' | sed 's/^/    /'
[ "${ONLY:-}" = ours ] || echo "demo: then the same guest directly on L0 (PV) and under Debian's xen-shim"
t0=$(date +%s.%N)
mkdir -p "$out"; rm -f "$out/serial.log"
# progress while the lab runs: each case's start and end, its checks, and a line every 30 s
(
  last=$(date +%s)
  while sleep 2; do
    n=$( (wc -l < "$out/serial.log") 2>/dev/null ); n=${n:-0}
    sed -n "$((${seen:-0} + 1)),${n}p" "$out/serial.log" 2>/dev/null |
      sed -n 's/^\[ *\([0-9.]*\)\] CASE-BEGIN [0-9]*-\([^ ]*\) .*/demo: [\1 s] \2: xl create/p
              s/^\[ *\([0-9.]*\)\] CASE-END [0-9]*-\([^ ]*\) state=\([^ ]*\) shutdown=\([^ ]*\).*/demo: [\1 s] \2: \3 (\4)/p
              s/^\[ *\([0-9.]*\)\] C|[0-9]*-\([^|]*\)| GUEST: check \(.*\)/demo: [\1 s] \2: \3/p
              s/^\[ *\([0-9.]*\)\] LAB: toolstack-up.*/demo: [\1 s] dom0 is up/p'
    seen=$n
    now=$(date +%s)
    [ $((now - last)) -ge 30 ] && { echo "demo: ... $n lines of serial log so far"; last=$now; }
  done
) &
prog=$!
QUIET=1 "$here/lab.sh" "$out" "${cfgs[@]}" -- "$shim=pvshim-ours"
rc=$?
sleep 2; kill $prog 2>/dev/null; wait $prog 2>/dev/null
[ $rc = 0 ] || { echo "demo: the lab failed; serial log: $out/serial.log" >&2; exit 1; }
t1=$(date +%s.%N)
echo
echo "==== devices-disk-shim: the PV console under our shim (xl console)"
tr -d '\r' < "$out/devices-disk-shim/console.log" | sed 's/^/  | /'
echo
echo "==== what dom0 did for the guest"
sed 's/^/  | /' "$out/devices-disk-shim/lab.log"
echo
printf '==== %-22s %12s %14s %14s %14s %10s\n' "" "create->shell" "disk write" "disk read" "tcp from dom0" "checks ok"
for v in shim pv debshim; do
  d=$out/devices-disk-$v
  [ -f "$d/result" ] || continue
  t=$(tr -d '\r' < "$d/console.log")
  cr=$(sed -n 's/^create=//p' "$d/result")
  pr=$(sed -n 's/^prompt at \([0-9.]*\):.*/\1/p' "$d/lab.log" | head -1)
  case $v in shim) n="our shim" ;; pv) n="direct PV on L0" ;; debshim) n="Debian's xen-shim" ;; esac
  printf '     %-22s %12s %14s %14s %14s %10s\n' "$n" \
    "$( [ -n "$pr" ] && awk -v a="$cr" -v b="$pr" 'BEGIN { printf "%.1f s", b - a }' || echo -)" \
    "$(sed -n 's/^GUEST: disk write \([0-9.]* MB\/s\).*/\1/p' <<< "$t")" \
    "$(sed -n 's/^GUEST: disk read \([0-9.]* MB\/s\).*/\1/p' <<< "$t")" \
    "$(sed -n 's/^GUEST: tcp fetch \([0-9.]* MB\/s\).*/\1/p' <<< "$t")" \
    "$(grep -c '^GUEST: check .*: ok' <<< "$t")/$(grep -c '^GUEST: check ' <<< "$t")"
done
echo "     (QEMU without KVM: compare the rows with each other, not with real hardware)"
awk -v a="$t0" -v b="$t1" -v l="$out/serial.log" \
  'BEGIN { printf "==== whole lab run %.1f s; serial log: %s\n", b - a, l }'
grep -q '^GUEST-RESULT: 0' <(tr -d '\r' < "$out/devices-disk-shim/console.log")
