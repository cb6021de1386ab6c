#!/bin/bash
# "make bench": run the bench kernel (tests/guests/bench) RUNS times in each of three
# environments, interleaved in one lab boot, and print a table of its timings.
#
#   tests/bench/run.sh [OUTDIR [SHIM [BENCH_ELF [BENCH32_ELF]]]]
#       defaults: build/bench/lab build/xen-shim build/bench/bench.elf, and bench32.elf
#       next to BENCH_ELF
#
# The 32-bit part (tests/bench/bench32-*.cfg; BENCH32=0 leaves it out): the same kernel
# built as a 32-bit PAE kernel, under Debian's xen-shim and ours only (L0 runs no 32-bit
# PV guest), after the 64-bit cases of each run in the same boot; a second table gives its
# minimums and medians and the ratio of ours to Debian's shim (the reference here).
# The kernel's 64-bit-only operation (syscall_roundtrip) is int80_roundtrip there.
#
# The Debian part (tests/bench/bench-dev-*.cfg; BENCH_DEVICES=0 leaves it out): Debian's
# kernel with a disk and a NIC times workloads (fork+exec, a shell loop, 1-byte read+write,
# tmpfs writes), O_DIRECT disk write/read, TCP from dom0 and ping, as ns per unit (a
# fork+exec, an iteration, a MiB, a round trip), in the 64-bit table.
#
# Environments (tests/bench/bench-*.cfg): direct = a plain PV guest of L0, debian-shim =
# Debian's xen-shim, ours = SHIM. The cases run pv, debian-shim, ours, pv, ... so that
# drift in the (noisy, 2-core, emulated) host hits all three alike. The kernel prints
# "bench <op> <ns> ..." BENCH_REPS times per op and run; the table gives, per op and
# environment, the minimum and the median of all those samples in ns per op, and the
# ratio of each shim's minimum to direct PV's minimum (compare minimums: medians carry
# the host's noise). An op a shim does not report is "FAIL", and why is listed below.
#
# It only reports: the exit status is 0 unless the lab itself failed.
# The lifecycle part (tests/bench/bench-lc-*.cfg, once per environment; BENCH_LIFECYCLE=0 leaves
# it out): xl save + restore and xl migrate to this host, their times, the image's size and
# the migration's downtime, in a third table.
#
# Knobs: RUNS (default 3), BENCH32=0, BENCH_DEVICES=0, BENCH_LIFECYCLE=0, REPORT_ONLY=1 (no lab: the tables of
# OUTDIR again), LAB_ART and TIMEOUT (tests/lab/lab.sh).
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
cd "$here/../.."
out=${1:-build/bench/lab}
shim=${2:-build/xen-shim}
elf=${3:-build/bench/bench.elf}
elf32=${4:-$(dirname "$elf")/bench32.elf}
runs=${RUNS:-3}
envs=(pv debshim ours)
declare -A label=([pv]=direct [debshim]=debian-shim [ours]=ours)

[ -f "$shim" ] || { echo "bench: no shim $shim: run make first" >&2; exit 2; }
[ -f "$elf" ] || { echo "bench: no bench kernel $elf: run make bench" >&2; exit 2; }
bench32=${BENCH32:-1}
[ "$bench32" = 0 ] || [ -f "$elf32" ] ||
  { echo "bench: no 32-bit bench kernel $elf32: run make bench (or BENCH32=0)" >&2; exit 2; }

# The environments of a kind of case, and its cfg.
kind_envs() { if [ "$1" = bench32 ]; then echo debshim ours; else echo "${envs[@]}"; fi; }
kind_cfg() {
  case $1 in
    bench) echo "tests/bench/bench-$2.cfg" ;;
    bench32) echo "tests/bench/bench32-$2.cfg" ;;
    benchdev) echo "tests/bench/bench-dev-$2.cfg" ;;
    benchlc) echo "tests/bench/bench-lc-$2.cfg" ;;
  esac
}

# One copy of each cfg per run, with a name of its own (xl name= and the case directory).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfgs=()
kinds=(bench)                       # the 64-bit table's
[ "${BENCH_DEVICES:-1}" = 0 ] || kinds+=(benchdev)
allkinds=(bench)                    # in the order they run
[ "$bench32" = 0 ] || allkinds+=(bench32)
[ "${BENCH_DEVICES:-1}" = 0 ] || allkinds+=(benchdev)
[ "${BENCH_LIFECYCLE:-1}" = 0 ] || allkinds+=(benchlc)
# once: a kind whose cases run in the first run only (minutes each)
once() { [ "$1" = benchlc ] && [ "$2" != 1 ]; }
files=("$elf=bench.elf" "$shim=pvshim-ours")
[ "$bench32" = 0 ] || files+=("$elf32=bench32.elf")
for r in $(seq 1 "$runs"); do
  for k in "${allkinds[@]}"; do
    once $k $r && continue
    for e in $(kind_envs $k); do
      sed "s/^name[[:space:]]*=.*/name = \"$k-$e-r$r\"/" "$(kind_cfg $k $e)" > "$tmp/$k-$e-r$r.cfg"
      cfgs+=("$tmp/$k-$e-r$r.cfg")
    done
  done
done

if [ "${REPORT_ONLY:-0}" = 1 ]; then
  echo "bench: the table of the previous run in $out"
else
  # the lab's images follow their script (the guest's bench lines are in it)
  tests/lab/build-images.sh > "${TMPDIR:-/tmp}/bench-images.log" 2>&1 ||
    { echo "bench: the lab images failed to build (see ${TMPDIR:-/tmp}/bench-images.log)"; exit 2; }
  echo "bench: ${#cfgs[@]} cases ($runs runs of direct PV, Debian's xen-shim, $shim$(
    [ "$bench32" = 0 ] || echo "; 32-bit: Debian's xen-shim, $shim")) in one lab boot"
  t0=$(date +%s)
  QUIET=1 tests/lab/lab.sh "$out" "${cfgs[@]}" -- "${files[@]}"
  lab=$?
  echo "bench: lab done in $(( $(date +%s) - t0 )) s (lab.sh exit $lab)"
  [ $lab = 2 ] && { echo "bench: the lab failed (see $out/serial.log)"; exit 2; }
fi

# Every sample of the cases of kinds $2... as "env op ns" into $1, and the op order
# from the kernels' plan lines (or the samples' order) on stdout.
collect() {
  local samples=$1 k r e log kplan plan=""
  shift
  : > "$samples"
  for k in "$@"; do
    kplan=""
    for r in $(seq 1 "$runs"); do
      for e in $(kind_envs $k); do
        log=$out/$k-$e-r$r/console.log
        [ -f "$log" ] || continue
        tr -d '\r' < "$log" | awk -v e="$e" '$1 == "bench" && NF >= 3 { print e, $2, $3 }' >> "$samples"
        [ -n "$kplan" ] || kplan=$(tr -d '\r' < "$log" | sed -n 's/^bench-plan //p' | head -1)
      done
    done
    plan="$plan $kplan"
  done
  [ -n "${plan// /}" ] || plan=$(awk '{ print $2 }' "$samples" | awk '!seen[$0]++' | tr '\n' ' ')
  echo "$plan"
}

# The tables' awk: the samples, sorted, and per env and op their minimum and median,
# a cell of both, and the ratio of env e's minimum to env ref's.
stats='
  { v[$1 " " $2, ++n[$1 " " $2]] = $3 }
  function stat(e, op, what,   k, c) {
    k = e " " op; c = n[k]
    if ( !c ) return ""
    if ( what == "min" ) return v[k, 1]
    return c % 2 ? v[k, (c + 1) / 2] : (v[k, c / 2] + v[k, c / 2 + 1]) / 2
  }
  function cell(e, op) {
    if ( stat(e, op, "min") == "" ) return sprintf("%21s", "FAIL")
    return sprintf("%10.1f /%9.1f", stat(e, op, "min"), stat(e, op, "med"))
  }
  function ratio_to(ref, e, op,   d, m) {
    d = stat(ref, op, "min"); m = stat(e, op, "min")
    if ( d == "" || m == "" || d <= 0 ) return sprintf("%7s", "-")
    r = m / d
    if ( r >= 100 ) return sprintf("%6.0fx", r)
    return sprintf(r >= 10 ? "%7.1f" : r >= 0.1 ? "%7.2f" : "%7.3f", r)
  }'

samples=$tmp/samples
plan=$(collect "$samples" "${kinds[@]}")
sort -k1,1 -k2,2 -k3,3g "$samples" | awk -v plan="$plan" -v runs="$runs" "$stats"'
  BEGIN { label["debshim"] = "debian-shim"; label["ours"] = "ours" }
  function ratio(e, op) { return ratio_to("pv", e, op) }
  END {
    nops = split(plan, ops, " ")
    printf "\n%-20s %21s  %21s %7s  %21s %7s\n", "ns per op", "direct min / median",
           "debian-shim min / med", "ratio", "ours min / median", "ratio"
    for ( i = 1; i <= nops; i++ ) {
      op = ops[i]
      printf "%-20s %s  %s %s  %s %s\n", op, cell("pv", op), cell("debshim", op),
             ratio("debshim", op), cell("ours", op), ratio("ours", op)
      d = stat("pv", op, "min")
      if ( d == "" || d <= 0 ) continue
      split("debshim ours", es, " ")
      for ( j = 1; j <= 2; j++ ) {
        m = stat(es[j], op, "min")
        if ( m == "" ) { missing[es[j]] = missing[es[j]] " " op; continue }
        lsum[es[j]] += log(m / d); cnt[es[j]]++
      }
    }
    # The summary: per shim, the geometric mean of the ratios and the worst three.
    printf "\nbench: %d runs each, minimums / direct PV:", runs
    split("debshim ours", es, " ")
    for ( j = 1; j <= 2; j++ ) {
      e = es[j]; worst = ""
      for ( k = 0; k < 3; k++ ) {
        best = ""
        for ( i = 1; i <= nops; i++ ) {
          op = ops[i]; d = stat("pv", op, "min"); m = stat(e, op, "min")
          if ( d == "" || m == "" || d <= 0 || (e, op) in shown ) continue
          if ( best == "" || m / d > br ) { best = op; br = m / d }
        }
        if ( best == "" ) break
        shown[e, best] = 1
        worst = worst sprintf("%s%s %s", k ? ", " : "", best, ratio(e, best))
      }
      gsub(/  +/, " ", worst)
      printf " %s geomean %s over %d ops (worst: %s)", label[e],
             cnt[e] ? sprintf("%.2f", exp(lsum[e] / cnt[e])) : "-", cnt[e], worst
      if ( missing[e] != "" ) printf ", FAIL:%s", missing[e]
      printf j == 1 ? ";" : "\n"
    }
  }'

# The 32-bit table: Debian's xen-shim is the reference (no direct PV to compare with);
# the ratio is ours / Debian's shim, and the summary names every op where ours is slower.
if [ "$bench32" != 0 ]; then
  plan32=$(collect "$samples.32" bench32)
  sort -k1,1 -k2,2 -k3,3g "$samples.32" | awk -v plan="$plan32" -v runs="$runs" "$stats"'
    END {
      nops = split(plan, ops, " ")
      printf "\n%-20s %21s  %21s %7s\n", "32-bit ns per op", "debian-shim min / med",
             "ours min / median", "ratio"
      slower = ""; missing = ""
      for ( i = 1; i <= nops; i++ ) {
        op = ops[i]
        printf "%-20s %s  %s %s\n", op, cell("debshim", op), cell("ours", op),
               ratio_to("debshim", "ours", op)
        d = stat("debshim", op, "min"); m = stat("ours", op, "min")
        if ( m == "" ) { missing = missing " " op; continue }
        if ( d == "" || d <= 0 ) continue
        lsum += log(m / d); cnt++
        if ( m > d ) {
          r = ratio_to("debshim", "ours", op); gsub(/ /, "", r)
          slower = slower sprintf("%s%s %s", slower == "" ? "" : ", ", op, r)
        }
      }
      printf "\nbench: 32-bit, %d runs each, minimums ours / Debian'"'"'s xen-shim: geomean %s over %d ops;",
             runs, cnt ? sprintf("%.2f", exp(lsum / cnt)) : "-", cnt
      printf " slower than Debian'"'"'s shim: %s", slower == "" ? "none" : slower
      if ( missing != "" ) printf "; ours FAIL:%s", missing
      printf "\n"
    }'
fi

# The lifecycle table (issue 16): save + restore and migration to this host of Debian's kernel
# on a PV disk with a NIC, once per environment, as dom0 timed them (tests/lab/dom0-cases.sh).
if [ "${BENCH_LIFECYCLE:-1}" != 0 ]; then
  printf "\n%-30s %12s %12s %12s\n" "lifecycle (one run each)" direct debian-shim ours
  lc() {    # lc ENV FIELD: one number from the case's lab.log
    local f=$out/benchlc-$1-r1/lab.log
    case $2 in
      save) sed -n 's/^save-restore rc=0: save \([0-9.]*\) s.*/\1/p' "$f" ;;
      image) sed -n 's/^save-restore rc=0: .*(\([0-9]*\) bytes of.*/\1/p' "$f" | awk '{ printf "%.1f", $1 / 1048576 }' ;;
      ratio) sed -n 's/^save-restore rc=0: .*(\([0-9]*\) bytes of a \([0-9]*\) MiB domain).*/\1 \2/p' "$f" |
               awk '$2 > 0 { printf "%.3f", $1 / 1048576 / $2 }' ;;
      mem) sed -n 's/^save-restore rc=0: .*bytes of a \([0-9]*\) MiB domain.*/\1/p' "$f" ;;
      restore) sed -n 's/^save-restore rc=0: .*, restore \([0-9.]*\) s.*/\1/p' "$f" ;;
      migrate) sed -n 's/^migrate rc=0: \([0-9.]*\) s.*/\1/p' "$f" ;;
      downtime) sed -n 's/^migrate rc=0: .*downtime \([0-9.]*\) s.*/\1/p' "$f" ;;
    esac 2>/dev/null | head -1
  }
  for row in "save s:save" "save image MiB:image" "domain memory MiB:mem" "image / domain memory:ratio" \
             "restore s:restore" "migrate s:migrate" "migrate downtime s:downtime"; do
    printf "%-30s" "${row%%:*}"
    for e in pv debshim ours; do v=$(lc $e "${row#*:}"); printf " %12s" "${v:-FAIL}"; done
    echo
  done
  echo "(downtime: the longest run of dom0's echo requests, one every 0.1 s, the guest did not answer)"
fi

# What did not go to the end, and why.
bad=0
for r in $(seq 1 "$runs"); do
  for k in "${allkinds[@]}"; do
    once $k $r && continue
    for e in $(kind_envs $k); do
      d=$out/$k-$e-r$r
      verdict=$(tr -d '\r' < "$d/console.log" 2>/dev/null | grep '^Test result:' | tail -1)
      # the ops of its plan line with no sample (a verdict alone does not say)
      nosample=$(tr -d '\r' < "$d/console.log" 2>/dev/null | awk '
        $1 == "bench-plan" && !n { for ( i = 2; i <= NF; i++ ) plan[++n] = $i }
        $1 == "bench" { seen[$2] = 1 }
        END { for ( i = 1; i <= n; i++ ) if ( !(plan[i] in seen) ) printf " %s", plan[i] }')
      [ "$verdict" = "Test result: SUCCESS" ] && [ -z "$nosample" ] && continue
      [ $bad = 0 ] && echo && echo "Problems:"
      bad=1
      echo "  ${label[$e]}$([ $k != bench32 ] || echo " 32-bit") run $r ($k-$e-r$r):" \
           "${verdict:-no verdict}, $(tr '\n' ' ' < "$d/result" 2>/dev/null | cut -d' ' -f1-2)"
      [ -z "$nosample" ] || echo "    no sample of:$nosample"
      tr -d '\r' < "$d/console.log" 2>/dev/null | grep -E '^bench-fail |^Error' | sed 's/^/    /'
      tr -d '\r' < "$d/console.log" 2>/dev/null | grep -iE 'crash|panic|unexpected|fault' \
        | grep -v '^bench' | tail -3 | sed 's/^/    | /'
    done
  done
done
[ $bad = 0 ] || echo "  (logs: $out/bench[dev|32]-<env>-r<n>/console.log, e9.log, xl.log)"
# Processes of dom0 that died in this boot (seen here while a guest's two vCPUs poll and spin,
# directly on L0 too): console lines dom0 was passing on then are lost, a sample or an op.
crashes=$(grep -cE '^\[ *[0-9.]+\] (Segmentation fault|Aborted|malloc\(\))' "$out/serial.log" 2>/dev/null)
[ "${crashes:-0}" = 0 ] ||
  echo "bench: $crashes crash lines of dom0 processes in $out/serial.log: samples may be missing"
exit 0
