#!/bin/bash
# Shows that tests/lab/check.sh's comparison of the PV test kernels can fail: each mutation of
# a copy of a clean lab output directory must make check.sh FAIL (or, marked "pass", must not).
#
#   tests/lab/check-mutations.sh OUTDIR      (OUTDIR: a clean run's build/lab; left unchanged)
#
# Prints each mutation, its FAIL lines and "ok" or "WRONG"; exits non-zero on any WRONG.
set -uo pipefail
base=$1
check=$(dirname "$(readlink -f "$0")")/check.sh
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
H=guest-hypercalls-shim/console.log; F=guest-fuzz-shim/console.log
M=guest-mm-shim/console.log; T=guest-traps-shim/console.log
wrong=0
# mut fail|pass WHAT SHELL-COMMAND: run the command in a fresh copy of OUTDIR, then check.sh
mut() {
  local want=$1 what=$2 got
  rm -rf "$w/lab"; cp -r "$base" "$w/lab"
  (cd "$w/lab" && eval "$3")
  if "$check" "$w/lab" > "$w/out" 2>&1; then got=pass; else got=fail; fi
  echo "=== $what: $( [ $got = "$want" ] && echo ok || echo WRONG) (check.sh: $got, wanted $want)"
  [ $got = "$want" ] || wrong=$((wrong + 1))
  grep '^FAIL\|^  - \|cut by' "$w/out" | cut -c1-200
}
mut pass "unmodified copy" "true"
mut fail "a got value changed under our shim (no MISMATCH)" \
  "sed -i 's/^case xen_version version: got 0x40011/case xen_version version: got 0x40012/' $H"
mut fail "a got value changed on a colon-named case" \
  "sed -i 's/^\(case mmu_update batch of 3: \[0\] written: got\) 0x10000000266025/\1 0x10000000267025/' $M"
mut fail "an \"expected any\" value changed" \
  "sed -i '/^case fuzz 7 op/s/got 0 scratch/got -EINVAL scratch/' $F"
mut fail "a case line dropped under our shim" "sed -i '/^case xen_version version: got/d' $H"
mut fail "a colon-named case line dropped" "sed -i '/^case mmu_update batch of 3: \[0\] written/d' $M"
mut fail "an extra case line under our shim" "sed -i '/^GUEST-RESULT/i case made up: got 1 expected 1' $H"
mut fail "Test result: FAILURE under our shim" "sed -i 's/^Test result: SUCCESS/Test result: FAILURE/' $H"
mut fail "Test result: SKIP under our shim" "sed -i 's/^Test result: SUCCESS/Test result: SKIP/' $H"
mut fail "an error message under our shim, result still SUCCESS" \
  "sed -i '/^GUEST-RESULT/i set_trap_table: -22' $H"
mut fail "an error message and Test result: ERROR under our shim" \
  "sed -i '/^GUEST-RESULT/i Error: boot L4[511] not present' $H
   sed -i 's/^GUEST-RESULT: 0/GUEST-RESULT: 2/; s/^Test result: SUCCESS/Test result: ERROR/' $H"
mut fail "traps: a failure beside the known ones" \
  "sed -i '/^GUEST-RESULT/i Failure: case int \$0x80, no handler' $T"
mut fail "traps: a MISMATCH on a case not in known-differences" \
  "sed -i 's/^\(case int \$0x80 (DPL 3): got vector 0x\)80\( at next expected vector 0x80 at next\)\$/\140\2 MISMATCH/' $T"
mut fail "our shim's log cut after 60 lines" "head -60 $H > x && mv x $H"
mut fail "our shim's log cut before its result line" "head -n -1 $H > x && mv x $H"
mut fail "our shim's log missing" "rm $H"
mut fail "shutdown reason crash under our shim" \
  "sed -i 's/^shutdown=poweroff/shutdown=crash/' guest-hypercalls-shim/result"
mut fail "Test result: FAILURE directly on L0" \
  "sed -i 's/^Test result: SUCCESS/Test result: FAILURE/' guest-hypercalls-pv/console.log"
mut fail "L0's last result line not SUCCESS (SUCCESS only inside it)" \
  "sed -i 's/^Test result: SUCCESS/Test result: ERROR (was Test result: SUCCESS)/' guest-nmi-pv/console.log"
mut fail "shutdown reason crash directly on L0" "sed -i 's/^shutdown=poweroff/shutdown=crash/' guest-nmi-pv/result"
mut fail "100 fuzz lines dropped under our shim" "sed -i '/^case fuzz 1[0-9][0-9] op/d' $F"
mut pass "an L0 case line cut by an (XEN) message" \
  "sed -i 's/^\(case fuzz 7 op 25(0x1, 0x7ff3\).*/\1(XEN) d13v0 Error mfn 00000/' guest-fuzz-pv/console.log"
mut fail "an L0 case line cut by an (XEN) message, and dropped under our shim" \
  "sed -i 's/^\(case fuzz 7 op 25(0x1, 0x7ff3\).*/\1(XEN) d13v0 Error mfn 00000/' guest-fuzz-pv/console.log
   sed -i '/^case fuzz 7 op 25/d' $F"
echo "$wrong wrong"
[ "$wrong" = 0 ]
