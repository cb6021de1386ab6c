#!/bin/bash
# The differential fuzz kernel (tests/guests/fuzz) at length: ROUNDS pseudo-random hypercalls
# from SEED, directly on L0 and under our shim in one lab boot, compared line by line; with
# WIDTH 32, the 32-bit kernel under Debian's xen-shim (the reference: L0 runs no 32-bit PV
# guest) and under ours.
#
#   fuzz-lab.sh [ROUNDS [SEED [WIDTH]]]  default 100000 calls, seed 1, 64 ("make fuzz-lab";
#                                        FUZZ_WIDTH=32 make fuzz-lab)
#
# Needs build/xen-shim and build/guests/fuzz.elf or build/guests32/fuzz.elf (make, make guests).
# Prints how far each run is every 30 s, then the number of calls whose answer or writes differ
# from the reference's and the first of them; exits 1 if any differ. Output in build/lab-fuzz.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
rounds=${1:-100000}; seed=${2:-1}; width=${3:-64}
out=build/lab-fuzz; cfgs=build/lab-fuzz-cfg
case $width in
  64) ref=pv; refname="directly on L0"; cfg=guest-fuzz; kernel=build/guests/fuzz.elf=test-fuzz.elf
      t=fuzz ;;
  32) ref=debshim; refname="under Debian's xen-shim"; cfg=guest32-fuzz
      kernel=build/guests32/fuzz.elf=test32-fuzz.elf; t=fuzz32 ;;
  *) echo "fuzz-lab: WIDTH is 64 or 32"; exit 2 ;;
esac
[ -f build/xen-shim ] && [ -f "${kernel%%=*}" ] ||
  { echo "fuzz-lab: build/xen-shim or ${kernel%%=*} missing: run make && make guests"; exit 2; }
mkdir -p $cfgs
# L0 prints about 10,000 calls a minute, our shim about 5,000 under TCG: time for both.
tmo=$(( 120 + rounds / 40 ))
for v in $ref shim; do
  { sed -e '/^#@timeout/d' -e 's/^name = "\(.*\)"/name = "\1lab"/' tests/lab/cfg/$cfg-$v.cfg
    echo "extra = \"rounds=$rounds seed=$seed\""
    echo "#@timeout: $tmo"; } > $cfgs/fuzz-lab-$v.cfg
done
echo "fuzz-lab: $rounds calls of the $width-bit kernel from seed $seed, $refname and under our shim" \
     "(up to $((2 * tmo / 60)) min)"
TIMEOUT=$((2 * tmo + 600)) QUIET=1 tests/lab/lab.sh $out $cfgs/fuzz-lab-$ref.cfg $cfgs/fuzz-lab-shim.cfg -- \
  build/xen-shim=pvshim-ours $kernel > build/lab-fuzz.log 2>&1 &
lab=$!
start=$SECONDS
while kill -0 $lab 2> /dev/null; do
  sleep 30
  for v in $ref shim; do
    n=$(grep -c "C|0[12]-fuzz-lab-$v| case fuzz" $out/serial.log 2> /dev/null)
    echo "fuzz-lab: $((SECONDS - start)) s: $v ${n:-0} of $rounds calls"
  done
done
wait $lab || { echo "fuzz-lab: the lab did not run (build/lab-fuzz.log)"; exit 2; }
# Compared as the test command compares its kernels (tests/lab/compare-guest.awk): case by case,
# lines cut by L0's own messages matched by their start.
awk -v t=$t -f tests/lab/compare-guest.awk side=k tests/lab/known-differences side=x /dev/null \
  side=p $out/fuzz-lab-$ref/console.log side=s $out/fuzz-lab-shim/console.log > $out/compare
IFS=$'\t' read -r _ np ns < <(grep '^COUNT' $out/compare)
ncut=$(awk -F'\t' '$1 == "CUT" { print $2 }' $out/compare)
grep -E '^(MISSING|EXTRA|DIFF|KNOWN)' $out/compare > $out/diff
nd=$(grep -c . $out/diff)
echo "fuzz-lab: $np calls $refname, $ns under our shim ($ncut lines cut by the reference's log, matched by their start)"
if [ "$np" -lt "$rounds" ] || [ "$ns" -lt "$rounds" ] || [ "$nd" != 0 ]; then
  echo "fuzz-lab: $nd calls differ from the reference's (all in $out/diff); the first:"
  head -6 $out/diff | cut -c1-300
  exit 1
fi
echo "fuzz-lab: all $rounds calls answered as $refname"
