#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run libFuzzer harnesses built by "make fuzz-build" and print one line each:
#   PASS fuzz/<name>: <execs> execs, cov <cov>, ft <ft>, corpus <n> (<s> s)
# (cov, ft and corpus as libFuzzer's last status line: edges, features, inputs)
#   FAIL fuzz/<name>: <what> (input: <reproducer>, log: <log>)
#
#   run.sh [-o dir] [-t seconds | -r runs] [-j jobs] name...
#
# Each run uses the persistent corpus <dir>/corpus/<name> (new inputs are
# added to it) and the seeds in <dir>/seeds/<name>; a crashing input is left
# in <dir>/crashes/<name>/. Exits non-zero if any target failed.
set -uo pipefail
dir=build/fuzz; limit="-max_total_time=60"; secs=60; jobs=1
while getopts "o:t:r:j:" o; do
  case $o in
    o) dir=$OPTARG ;;
    t) limit="-max_total_time=$OPTARG"; secs=$OPTARG ;;
    r) limit="-runs=$OPTARG"; secs= ;;
    j) jobs=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))

# Inputs longer than this are not tried (the defaults of libFuzzer otherwise).
maxlen() {
  case $1 in
    elf|bzimage) echo 16384 ;; decompress) echo 65536 ;; pagetype) echo 1024 ;;
    cmdline) echo 1100 ;; segdesc) echo 64 ;; decode) echo 32 ;; ptwr) echo 28 ;;
  esac
}

run_one() {
  local n=$1 log=$dir/logs/$1.log art=$dir/crashes/$1/ rc t0=$SECONDS
  mkdir -p "$dir/corpus/$n" "$dir/seeds/$n" "$art" "$dir/logs"
  # the timeout is per input: a hang is a finding too
  "$dir/fuzz-$n" $limit -max_len="$(maxlen "$n")" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$art" \
    "$dir/corpus/$n" "$dir/seeds/$n" > "$log" 2>&1
  rc=$?
  local execs cov ft corp
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  if [ $rc = 0 ]; then
    echo "PASS fuzz/$n: ${execs:-0} execs, cov ${cov:-0}, ft ${ft:-0}, corpus ${corp:-0} ($((SECONDS - t0)) s)"
  else
    local what input
    what=$(grep -m1 -E 'check failed|ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error|SUMMARY' "$log" |
           sed 's/^==[0-9]*== *//')
    input=$(sed -n "s/.*Test unit written to \(.*\)/\1/p" "$log" | tail -1)
    echo "FAIL fuzz/$n: ${what:-exit $rc} after ${execs:-?} execs (input: ${input:-none}, log: $log)"
  fi
  return $rc
}

mkdir -p "$dir/logs"
rc=0; pids=(); names=()
for n in "$@"; do
  [ -x "$dir/fuzz-$n" ] || { echo "FAIL fuzz/$n: $dir/fuzz-$n not built"; rc=1; continue; }
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  run_one "$n" > "$dir/logs/$n.result" 2>&1 &
  pids+=($!); names+=("$n")
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || rc=1
  cat "$dir/logs/${names[$i]}.result"
done
exit $rc
