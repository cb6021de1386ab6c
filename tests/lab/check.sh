#!/bin/bash
# Checks on a lab run of the cases tests/run lists (tests/lab/lab.sh output directory).
#
#   check.sh OUTDIR
#
# Prints one "PASS <name>" or "FAIL <name>: <why>" line per check, "INFO ..." lines, and under
# a FAIL line "  - <what>" lines that name each difference (tests/run counts only PASS and
# FAIL lines); exits non-zero if any check failed.
set -uo pipefail
out=$1
ART=${LAB_ART:-${XDG_CACHE_HOME:-$HOME/.cache}/pvshim-lab}
fails=0

pass() { echo "PASS lab/$1"; }
fail() { echo "FAIL lab/$1: $2"; fails=$((fails + 1)); }
res() { sed -n "s/^$2=//p" "$out/$1/result" 2>/dev/null; }
# has CASE FILE TEXT: the file holds a line containing TEXT (fixed string)
has() { grep -qF -- "$3" "$out/$1/$2" 2>/dev/null; }
# any_lines FILE: the "expected any" case lines as "case NAME<TAB>what it got"
any_lines() {
  sed 's/(XEN).*//' "$1" | sed -n 's/^\(case [^:]*\): got \(.*\) expected any$/\1\t\2/p'
}
hasnt() { [ -f "$out/$1/$2" ] && ! grep -qF -- "$3" "$out/$1/$2"; }
check() {   # check NAME CONDITION-COMMAND... ; on failure the last 5 console lines help
  local name=$1; shift
  if "$@"; then pass "$name"; else fail "$name" "not true: $*"; fi
}

# ---- our shim with Debian's kernel: banner, modules, command lines
c=shim-ours
check "$c: banner in the PV console ring" has $c console.log "pv-shim 0.1 (git "
check "$c: banner on port 0xe9" has $c e9.log "pv-shim 0.1 (git "
check "$c: L0 version in the banner" has $c console.log "L0: Xen 4.17"
check "$c: W^X image and NX direct map, checked page by page at boot" has $c console.log "protections: NX direct map, W^X image"
check "$c: the boot-only code is unmapped before the guest runs" \
  grep -qE "start of day over: [1-9][0-9]* KiB of boot-only code unmapped" "$out/$c/e9.log"
domid=$(sed -n 's/.*(domid \([0-9]*\)).*/\1/p' "$out/$c/xl.log" | head -1)
check "$c: domid from CPUID matches xl's ($domid)" has $c console.log "domid $domid, vCPU 0"
check "$c: shim command line echoed" has $c console.log \
  'command line: "pv-shim console=xen,pv loglvl=all guest_loglvl=all lab-unknown-option=1"'
check "$c: unknown option warned about, not fatal" has $c console.log \
  "unknown option 'lab-unknown-option=1' ignored"
check "$c: RAM size from the memory map" has $c console.log "RAM: 512 MiB"
check "$c: two modules" has $c console.log "modules: 2"
ksize=$(stat -c %s "$ART/vmlinuz")
check "$c: module 0 is the ${ksize}-byte xz bzImage" \
  grep -qE "module 0: $ksize bytes at 0x[0-9a-f]+: bzImage, boot protocol 2\.[0-9]+, xz payload" "$out/$c/console.log"
check "$c: module 0 command line echoed" has $c console.log 'module 0 command line: "console=hvc0 earlyprintk=xen loglevel=5"'
# libxenguest hands the ramdisk over gunzipped (a little padded), so module 1 is a cpio
# archive at least as big as the uncompressed initramfs
rsize=$(zcat "$ART/guest.cpio.gz" | wc -c)
m1=$(sed -n 's/.*module 1: \([0-9]*\) bytes at 0x[0-9a-f]*: cpio archive.*/\1/p' "$out/$c/console.log")
check "$c: module 1 is the initramfs as cpio ($rsize bytes unpacked, shim says ${m1:-nothing})" \
  [ -n "$m1" ] && [ "${m1:-0}" -ge "$rsize" ] && [ "${m1:-0}" -lt $((rsize + 4096)) ]
# the xz payload is unpacked and the kernel built and entered: Linux prints its banner
check "$c: the xz kernel is unpacked" grep -qE "unpacked the xz kernel: [0-9]+ -> [0-9]+ bytes" "$out/$c/console.log"
check "$c: Linux starts under our shim (its banner on the console)" has $c console.log "Linux version 6.1"
check "$c: Linux boots to its initramfs as a PV guest of our shim" has $c console.log \
  "guest_type=PV xen=4.17"
check "$c: the initramfs ran to GUEST-RESULT: 0" has $c console.log "GUEST-RESULT: 0"
check "$c: Debian's kernel took the FIFO event channels it is offered" has $c e9.log \
  "the guest uses FIFO event channels"
check "$c: L0 sees shutdown reason poweroff" [ "$(res $c shutdown)" = poweroff ]
# Linux's wallclock is shared_info's: L0's for the domain, not 0 (1970)
wc=$(sed -n 's/.*GUEST: wallclock .* epoch \([0-9]*\).*/\1/p' "$out/$c/console.log" | head -1)
check "$c: the guest's wallclock is L0's (epoch ${wc:-none}, after 2024)" [ "${wc:-0}" -gt 1704067200 ]
stop=$(grep -E "kernel BUG at|Kernel panic|PANIC" "$out/$c/console.log" | head -1 | tr -d '\r')
[ -z "$stop" ] || echo "INFO $c: Debian's kernel stopped at: $stop"

# ---- console=pv: the log moves off port 0xe9 once the command line is read
c=ours-console-pv
check "$c: the test kernel ran and powered off" \
  bash -c "[ '$(res $c shutdown)' = poweroff ] && grep -qF 'Test result: SUCCESS' '$out/$c/console.log'"
check "$c: banner in the PV console ring" has $c console.log "pv-shim 0.1 (git "
check "$c: early line on port 0xe9" has $c e9.log "starting, hvm_start_info at"
check "$c: no banner on port 0xe9" bash -c "! grep -qF 'pv-shim 0.1 (git ' '$out/$c/e9.log'"

# ---- bad setups: one clear line and a crash reported to L0
c=ours-nokernel
check "$c: L0 sees shutdown reason crash" [ "$(res $c shutdown)" = crash ]
check "$c: console says there is no PV kernel" has $c console.log "PANIC: bad start of day: no PV kernel"
check "$c: port 0xe9 says it too" has $c e9.log "PANIC: bad start of day: no PV kernel"
c=ours-longcmd
check "$c: L0 sees shutdown reason crash" [ "$(res $c shutdown)" = crash ]
check "$c: console says the command line is too long" has $c console.log \
  "the shim command line is longer than 1023 bytes"
c=ours-noreboot
check "$c: noreboot halts instead of crashing (xl state $(res $c xlstate))" \
  bash -c "[ '$(res $c shutdown)' = none ] && [ '$(res $c state)' = end-on ] && [[ '$(res $c xlstate)' != *c* ]]"
check "$c: console says it halts" has $c console.log "noreboot: halting"

# ---- kernels the builder refuses: one clear line each, a crash for L0
# PV-GRUB2 i386, a 32-bit PAE kernel, with no disk: it reaches its prompt
c=ours-i386
check "$c: PV-GRUB2 i386 (32-bit PAE) is built (its kernel and entry logged)" \
  grep -qE "\(shim\) d[0-9]+: kernel \[.*\), entry " "$out/$c/e9.log"
check "$c: PV-GRUB2 i386 starts (its welcome on the console)" has $c console.log "Welcome to GRUB!"
check "$c: PV-GRUB2 i386 reaches its prompt" has $c console.log "grub> "
check "$c: the guest did not crash" hasnt $c e9.log "guest crash"
c=ours-badelf
check "$c: a corrupt ELF kernel is refused" grep -q "PANIC: cannot build the guest: " "$out/$c/console.log"
check "$c: L0 sees shutdown reason crash" [ "$(res $c shutdown)" = crash ]
c=ours-nopae
check "$c: a 32-bit kernel without PAE is refused in one line" has $c console.log \
  "a non-PAE 32-bit kernel (xen-3.0-x86_32): Xen runs 32-bit PV kernels built for PAE only (xen-3.0-x86_32p)"
check "$c: L0 sees shutdown reason crash" [ "$(res $c shutdown)" = crash ]
c=ours-garbage
check "$c: a module that is no kernel is refused" has $c console.log \
  "module 0 is not a kernel this shim can load (unknown format)"
check "$c: L0 sees shutdown reason crash" [ "$(res $c shutdown)" = crash ]

c=ours-badxz
check "$c: a corrupt xz payload is refused" has $c console.log \
  "PANIC: cannot unpack the kernel in module 0: xz data is corrupt"
check "$c: L0 sees shutdown reason crash" [ "$(res $c shutdown)" = crash ]

# ---- our PV test kernels: directly on L0 (the reference) and under our shim
# Directly on L0 a kernel must end with "Test result: SUCCESS" (tests/guests/README.md: every
# kernel does) and power off. Under our shim (tests/lab/compare-guest.awk does the reading):
# it must end the same way; each case line L0 printed must be there with the same name and
# "got" value, none missing, none extra, the same number; a value may differ only where
# tests/lab/known-differences explains it, or where the kernel computes its expectation from
# its own domain (MFNs, nr_pages, addresses: "expected" differs from L0's, and "got" is our
# run's own expectation, no MISMATCH); no error or failure message L0 did not print (the messages are those the
# kernels pass to xtf_error/xtf_failure, read from tests/guests); and the final result line is
# SUCCESS, L0's own, or FAILURE from known differences only.
here=$(dirname "$(readlink -f "$0")")
known=$here/known-differences
# the start of each message a kernel can print through xtf_error/xtf_failure (up to its first
# conversion), and the usual "Failure: "/"Error: " in case a new one is not found
msgs=$({ grep -ho 'xtf_\(error\|failure\)("[^"%\\]*' "$here"/../guests/*/*.c 2>/dev/null |
           sed 's/^xtf_[a-z]*("//'
         printf '%s\n' "Failure: " "Error: " "Unexpected " "Test did not report a status"; } | sort -u)
# detail LINES: at most 10 detail lines per kernel (after its FAIL line), then a count
detail() {
  local l
  while IFS= read -r l; do
    [ -n "$l" ] || continue
    if [ "$shown" -lt 10 ]; then echo "  - $t: $l" | cut -c1-250; shown=$((shown + 1))
    else hidden=$((hidden + 1)); fi
  done <<< "$1"
}
field() { awk -F'\t' -v k="$1" '$1 == k { sub(/^[^\t]*\t/, ""); print }' <<< "$cmp"; }
for g in $(cd "$out" && ls -d guest-*-pv 2>/dev/null); do
  t=${g%-pv}; name=${t#guest-}; s=$t-shim; shown=0; hidden=0
  pvlog=$out/$g/console.log; shlog=$out/$s/console.log
  cmp=$(awk -v t="$name" -f "$here/compare-guest.awk" side=k "$known" side=x <(printf '%s\n' "$msgs") \
          side=p "$( [ -f "$pvlog" ] && echo "$pvlog" || echo /dev/null)" \
          side=s "$( [ -f "$shlog" ] && echo "$shlog" || echo /dev/null)")
  # (not read with IFS=tab: a tab is whitespace to read, and an empty first field would vanish)
  res=$(field RESULT); pres=${res%%$'\t'*}; sres=${res#*$'\t'}
  IFS=$'\t' read -r np ns <<< "$(field COUNT)"
  if [ "$pres" = "Test result: SUCCESS" ]; then pass "$g: Test result: SUCCESS directly on L0"
  else fail "$g: Test result: SUCCESS directly on L0" "its last result line is '${pres:-none}'"; fi
  pshut=$(res $g shutdown); sshut=$(res $s shutdown)
  if [ "$pshut" = poweroff ]; then pass "$g: L0 sees shutdown reason poweroff"
  else fail "$g: L0 sees shutdown reason poweroff" "shutdown reason '${pshut:-none}'"; fi
  if [ -n "$sres" ]; then pass "$s: ran to its result line under our shim"
  else fail "$s: ran to its result line under our shim" "no 'Test result:' line in $shlog"; fi
  if [ "$sshut" = poweroff ] && [ "$sshut" = "$pshut" ]; then
    pass "$s: L0 sees shutdown reason poweroff"
  else fail "$s: L0 sees shutdown reason poweroff" "shutdown reason '${sshut:-none}', directly on L0 '${pshut:-none}'"; fi
  # what differs: value differences, lines on one side only, messages
  diffs=$(field DIFF); missing=$(field MISSING); extra=$(field EXTRA); newmsg=$(field MSG)
  nknown=0
  while IFS=$'\t' read -r c why; do
    [ -n "$c" ] || continue
    nknown=$((nknown + 1)); echo "INFO $t known difference: $c ($why)"
  done <<< "$(field KNOWN)"
  kmsg=$(field KNOWNMSG | grep -c .)
  # the final result: SUCCESS, L0's own line, or FAILURE when every failure is a known difference
  if [ "$sres" = "Test result: SUCCESS" ] || { [ -n "$sres" ] && [ "$sres" = "$pres" ]; } ||
     { [ "$sres" = "Test result: FAILURE" ] && [ "$kmsg" -gt 0 ] && [ -z "$newmsg" ] &&
       [ -z "$diffs$missing$extra" ]; }; then
    pass "$s: the final result is SUCCESS or L0's own"
    [ "$sres" = "$pres" ] || echo "INFO $s: '$sres' from $kmsg known differences only"
  else
    fail "$s: the final result is SUCCESS or L0's own" \
      "ours '${sres:-none}', directly on L0 '${pres:-none}'$( [ -z "$newmsg" ] || echo ', see the messages below')"
  fi
  if [ -z "$newmsg" ]; then pass "$s: no error or failure message that L0 did not print"
  else
    fail "$s: no error or failure message that L0 did not print" "$(grep -c . <<< "$newmsg") such lines"
    detail "$(sed 's/^/message under our shim only: /' <<< "$newmsg")"
  fi
  if [ -z "$missing$extra" ]; then pass "$t: the same cases run directly and under our shim"
  else
    fail "$t: the same cases run directly and under our shim" \
      "$(grep -c . <<< "$missing") only directly on L0, $(grep -c . <<< "$extra") only under our shim"
    detail "$missing"; detail "$extra"
  fi
  if [ "$np" = "$ns" ] && [ "${np:-0}" -gt 0 ]; then pass "$t: the same number of case lines directly and under our shim"
  else fail "$t: the same number of case lines directly and under our shim" "L0 ${np:-0}, ours ${ns:-0}"; fi
  if [ -z "$diffs" ]; then pass "$t: no differences from L0 under our shim but the known ones"
  else
    fail "$t: no differences from L0 under our shim but the known ones" "$(grep -c . <<< "$diffs") case values differ"
    detail "$diffs"
  fi
  [ "$hidden" = 0 ] || echo "  - $t: $hidden more lines not shown"
  n=$(field CUT); [ "$n" = 0 ] || echo "INFO $t: $n case lines cut by L0's log lines, matched by their start, not compared"
  echo "INFO $t: ${ns:-0} case lines under our shim, $nknown known differences, $(field ENV) with an expectation from the domain itself"
  # the same kernel under Debian's xen-shim: where Xen's own shim differs from direct PV
  if [ -f "$out/$t-debshim/console.log" ]; then
    m=$(grep -c '^case .*MISMATCH$' "$out/$t-debshim/console.log")
    a=$(awk -F'\t' 'NR == FNR { pv[$1] = $2; next } ($1 in pv) && pv[$1] != $2 { n++ }
                    END { print n + 0 }' \
             <(any_lines "$out/$g/console.log") <(any_lines "$out/$t-debshim/console.log"))
    [ "$a" = 0 ] || echo "INFO $t under Debian's xen-shim: $a \"expected any\" lines differ from direct PV"
    echo "INFO $t under Debian's xen-shim: $m case lines differ from direct PV$( [ "$m" = 0 ] || echo ':')"
    grep '^case .*MISMATCH$' "$out/$t-debshim/console.log" | sed 's/^case /INFO   /; s/ MISMATCH$//' | cut -c1-150 |
      head -15
    [ "$m" -le 15 ] || echo "INFO   ... and $((m - 15)) more (in $out/$t-debshim/console.log)"
  fi
done

# ---- our 32-bit PAE test kernels (tests/guests, built -m32): L0 runs no 32-bit PV guest, so
# each runs under our shim and under Debian's xen-shim in the same boot. Under ours it must end
# "Test result: SUCCESS" (each case's expectation is Xen's documented 32-bit behaviour, in the
# kernel) and power off; the same cases must run under both shims; every value that differs
# from Debian's xen-shim must be explained in known-differences (test name <name>32).
for s in $(cd "$out" && ls -d guest32-*-shim 2>/dev/null); do
  t=${s%-shim}; name=${t#guest32-}; d=$t-debshim; shown=0; hidden=0
  shlog=$out/$s/console.log; dlog=$out/$d/console.log
  cmp=$(awk -v t="${name}32" -f "$here/compare-guest.awk" side=k "$known" side=x <(printf '%s\n' "$msgs") \
          side=p "$( [ -f "$dlog" ] && echo "$dlog" || echo /dev/null)" \
          side=s "$( [ -f "$shlog" ] && echo "$shlog" || echo /dev/null)")
  res=$(field RESULT); dres=${res%%$'\t'*}; sres=${res#*$'\t'}
  IFS=$'\t' read -r nd ns <<< "$(field COUNT)"
  if [ "$sres" = "Test result: SUCCESS" ]; then pass "$s: Test result: SUCCESS under our shim (32-bit)"
  else fail "$s: Test result: SUCCESS under our shim (32-bit)" "its last result line is '${sres:-none}'"
    grep -h "guest crash" "$out/$s/e9.log" 2>/dev/null | head -2 | sed 's/^/  - /'; fi
  check "$s: L0 sees shutdown reason poweroff" [ "$(res $s shutdown)" = poweroff ]
  echo "INFO $d: Debian's xen-shim ends '${dres:-no result line}' ($(grep -c '^case .*MISMATCH$' "$dlog" 2>/dev/null) cases off Xen's documented values)"
  grep '^case .*MISMATCH$' "$dlog" 2>/dev/null | sed 's/^case /INFO   /; s/ MISMATCH$//' | cut -c1-150 | head -15
  diffs=$(field DIFF); missing=$(field MISSING); extra=$(field EXTRA)
  while IFS=$'\t' read -r c why; do
    [ -n "$c" ] && echo "INFO $t known difference from Debian's xen-shim: $c ($why)"
  done <<< "$(field KNOWN)"
  # Debian's xen-shim can lose the end of a long console log when the guest powers off (its
  # own console proxy): with no result line there, and its cases the first of ours in the
  # same order, at most 32 of ours at the end go without a reference, and that is said.
  cut=
  if [ -z "$dres" ] && [ -z "$missing" ] && [ "${nd:-0}" -gt 0 ] && [ "${ns:-0}" -gt "${nd:-0}" ] &&
     [ $((ns - nd)) -le 32 ] &&
     cmp -s <(tr -d '\r' < "$dlog" | grep -a '^case ' | sed 's/: got .*//') \
            <(tr -d '\r' < "$shlog" | grep -a '^case ' | head -n "$nd" | sed 's/: got .*//'); then
    cut=$((ns - nd))
  fi
  if [ -z "$missing$extra" ] && [ "$nd" = "$ns" ] && [ "${ns:-0}" -gt 0 ]; then
    pass "$t: the same cases under our shim and Debian's xen-shim ($ns)"
  elif [ -n "$cut" ]; then
    pass "$t: the same cases under our shim and Debian's xen-shim ($nd; Debian's log ends there, with no result line: the last $cut of ours have no reference)"
  else
    fail "$t: the same cases under our shim and Debian's xen-shim" "ours ${ns:-0}, Debian's ${nd:-0}"
    detail "$missing"; detail "$extra"
  fi
  if [ -z "$diffs" ]; then pass "$t: every difference from Debian's xen-shim is a known one"
  else
    fail "$t: every difference from Debian's xen-shim is a known one" "$(grep -c . <<< "$diffs") case values differ"
    detail "$diffs"
  fi
done

# ---- PV-GRUB2 i386 on the PV-GRUB disk (devices-pvgrub32-*): grub.cfg lists /boot, prints
# the token file and halts; under our shim and under Debian's xen-shim (L0 runs no 32-bit PV)
tok=$(cat "$ART/pvgrub-token.txt" 2>/dev/null)
for v in shim debshim; do
  c=devices-pvgrub32-$v
  [ -f "$out/$c/console.log" ] || { [ $v = debshim ] || fail "$c: ran" "no console log"; continue; }
  # GRUB's console output, without its terminal escapes
  tr -d '\r' < "$out/$c/console.log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' > "$out/$c/console.txt"
  r=""
  grep -q "PVGRUB: grub.cfg from (.*), grub platform xen cpu i386" "$out/$c/console.txt" || r="$r; no grub.cfg read"
  sed -n '/^PVGRUB32: ls \/boot:/,/^PVGRUB32: cat/p' "$out/$c/console.txt" | grep -q "lab-token.txt" || r="$r; ls /boot does not list lab-token.txt"
  sed -n '/^PVGRUB32: ls \/boot:/,/^PVGRUB32: cat/p' "$out/$c/console.txt" | grep -q "vmlinuz" || r="$r; ls /boot does not list vmlinuz"
  [ -n "$tok" ] && sed -n "/^PVGRUB32: cat/,/^PVGRUB32: done/p" "$out/$c/console.txt" | grep -qF "$tok" || r="$r; cat did not print the token ${tok:-(none)}"
  [ "$(res $c shutdown)" = poweroff ] || r="$r; shutdown reason '$(res $c shutdown)', not poweroff (halt)"
  if [ $v = debshim ]; then echo "INFO $c (Debian's xen-shim): ${r:-lists /boot, reads the token, halts}"
  elif [ -z "$r" ]; then pass "$c: PV-GRUB2 i386 reads grub.cfg from its ext4 disk, lists /boot, reads a file, halts"
  else fail "$c: PV-GRUB2 i386 on its disk" "${r#; }"; fi
done

# ---- exceptions that cannot be delivered end the guest (tests/guests/crash), not the shim
for m in stack nohandler iret; do
  c=crash-$m
  check "$c-pv: reached its crash directly on L0" has $c-pv console.log "CRASH-TEST $m: starting"
  check "$c-pv: L0 sees shutdown reason crash" [ "$(res $c-pv shutdown)" = crash ]
  check "$c-shim: reached its crash under our shim" has $c-shim console.log "CRASH-TEST $m: starting"
  check "$c-shim: L0 sees shutdown reason crash" [ "$(res $c-shim shutdown)" = crash ]
  check "$c-shim: nothing after the crash (no failure line)" hasnt $c-shim console.log "still running"
  check "$c-shim: the guest's registers are printed (port 0xe9: the console ring is the guest's)" \
    has $c-shim e9.log "guest state (kernel mode)"
done
check "crash-stack-shim: says why" has crash-stack-shim e9.log \
  "guest crash: exception 0x3: cannot write the bounce frame at 0xffc8"
check "crash-stack-shim: rax is the test's marker" grep -q "RAX: 000000005354414b" \
  "$out/crash-stack-shim/e9.log"
check "crash-nohandler-shim: says why" grep -q "guest crash: exception 0x6 with no handler" \
  "$out/crash-nohandler-shim/e9.log"
check "crash-nohandler-shim: rax is the test's marker" grep -q "RAX: 000000004e4f4841" \
  "$out/crash-nohandler-shim/e9.log"
check "crash-iret-shim: says why" has crash-iret-shim e9.log \
  "guest crash: iret: frame at 0x10000 is unreadable"

# ---- devices: Debian's kernel on a PV disk with a NIC (devices-disk-*), and the same booted by
# PV-GRUB2 from its disk (devices-pvgrub-*): directly on L0 (pv), under our shim (shim) and
# under Debian's xen-shim (debshim, for comparison only). The disk root's /sbin/init prints one
# "GUEST: check NAME: ok|FAILED" line per check (tests/lab/build-images.sh); dom0's part is in
# lab.log (tests/lab/dom0-cases.sh).
dev_checks="root-rw disk-64mib net-ping net-pinged net-tcp hotplug-disk hotplug-disk-detach hotplug-nic hotplug-nic-detach"
# guest_checks CASE CHECK...: the disk root's "GUEST: check NAME: ..." line of each, and its
# GUEST-RESULT, as "ok"/"FAILED: why" lines (console.txt made already)
guest_checks() {
  local c=$1 k l
  shift
  for k in "$@"; do
    l=$(grep -m1 "^GUEST: check $k: " "$out/$c/console.txt")
    case "$l" in
      *": ok"*) echo "ok $k" ;;
      "") echo "FAILED: $k: no check line" ;;
      *) echo "FAILED: $l" ;;
    esac
  done
  grep -q "^GUEST-RESULT: 0" "$out/$c/console.txt" && echo "ok GUEST-RESULT: 0" ||
    echo "FAILED: $(grep -m1 '^GUEST-RESULT' "$out/$c/console.txt" || echo 'no GUEST-RESULT line')"
}
# dev_case CASE: every device check of one case, as "ok" or "FAILED: why" lines
dev_case() {
  local c=$1 k l
  [ -f "$out/$c/console.log" ] || { echo "FAILED: the case did not run"; return; }
  tr -d '\r' < "$out/$c/console.log" > "$out/$c/console.txt"
  case $c in
    *pvgrub*)
      grep -q "PVGRUB: booting" "$out/$c/console.txt" && echo "ok PV-GRUB2 read grub.cfg from xvda and booted" ||
        echo "FAILED: PV-GRUB2 did not boot the kernel from grub.cfg"
      grep -q "GUEST: cmdline .*lab_boot=pvgrub" "$out/$c/console.txt" && echo "ok the kernel has grub.cfg's command line" ||
        echo "FAILED: no kernel command line from grub.cfg" ;;
  esac
  grep -q "GUEST: hypervisor type=xen guest_type=PV" "$out/$c/console.txt" && echo "ok a PV guest" ||
    echo "FAILED: not booted as a PV guest"
  guest_checks $c $dev_checks
  grep -q "^dom0-ping .* ok" "$out/$c/lab.log" 2>/dev/null && echo "ok dom0 pings the guest" ||
    echo "FAILED: dom0 could not ping the guest"
  grep -q "^disk-verify ok" "$out/$c/lab.log" 2>/dev/null && echo "ok dom0 finds the guest's write on its disk, e2fsck clean" ||
    echo "FAILED: $(grep -m1 '^disk-verify' "$out/$c/lab.log" 2>/dev/null || echo 'no disk check')"
  l=$(sed -n "s/^prompt at .*typing 'echo \(typed-[0-9a-f]*\)'.*/\1/p" "$out/$c/lab.log" 2>/dev/null)
  [ -n "$l" ] && grep -qx "$l" "$out/$c/console.txt" && echo "ok a command typed at the console's shell prompt answers" ||
    echo "FAILED: the console's shell did not answer a typed command"
  [ "$(res $c shutdown)" = poweroff ] && echo "ok poweroff (typed at the prompt)" ||
    echo "FAILED: shutdown reason '$(res $c shutdown)'"
}
for k in disk pvgrub; do
  for v in pv shim debshim; do
    c=devices-$k-$v
    [ -d "$out/$c" ] || continue
    r=$(dev_case $c)
    if [ $v = debshim ]; then
      echo "INFO $c (Debian's xen-shim, for comparison): $(grep -c '^ok' <<< "$r") checks ok$(grep '^FAILED' <<< "$r" | sed 's/^FAILED: /; failed: /' | tr -d '\n')"
      continue
    fi
    bad=$(grep '^FAILED' <<< "$r")
    if [ -z "$bad" ]; then pass "$c: $(grep -c '^ok' <<< "$r") device checks: disk 64 MiB, ping both ways, TCP, disk and NIC hot-plug, dom0's disk check, console input"
    else fail "$c: device checks" "$(grep -c . <<< "$bad") of $(grep -c . <<< "$r") failed"
      sed 's/^FAILED: /  - /' <<< "$bad" | cut -c1-250; fi
  done
  # side by side: xl create -> shell prompt, disk and network throughput
  for v in pv shim debshim; do
    c=devices-$k-$v
    [ -f "$out/$c/console.txt" ] || continue
    pr=$(sed -n 's/^prompt at \([0-9.]*\):.*/\1/p' "$out/$c/lab.log" | head -1)
    cr=$(res $c create)
    echo "INFO $c: create -> shell prompt $( [ -n "$pr" ] && awk -v a="$cr" -v b="$pr" 'BEGIN { printf "%.1f s", b - a }' || echo '-'); disk write $(sed -n 's/^GUEST: disk write \([0-9.]* MB\/s\).*/\1/p' "$out/$c/console.txt"), read $(sed -n 's/^GUEST: disk read \([0-9.]* MB\/s\).*/\1/p' "$out/$c/console.txt"); tcp from dom0 $(sed -n 's/^GUEST: tcp fetch \([0-9.]* MB\/s\).*/\1/p' "$out/$c/console.txt")"
  done
done

# ---- lifecycle (issue 16): Debian's kernel on a PV disk with a NIC and 2 vCPUs, xl save -c,
# xl save + restore three times and xl migrate to this host while it runs (lifecycle-sr-*),
# checking disk, network, clock and vCPUs after each round (GUEST: check sr-<round>-<what>,
# tests/lab/build-images.sh), then the usual device checks; and xl pause, sysrq, trigger nmi,
# reboot and shutdown (lifecycle-cmds-*). The sr guests check disk and network once before
# (lab_sronly=1: and nothing after). Directly on L0 and under our shim they must pass;
# Debian's xen-shim is shown for comparison.
sr_checks=""
for r in checkpoint restore1 restore2 restore3 migrate; do
  for k in clock disk ping tcp wallclock cpus; do sr_checks="$sr_checks sr-$r-$k"; done
done
# lc_case CASE CHECKS...: "ok"/"FAILED" lines for the named GUEST checks and what dom0 did
lc_case() {
  local c=$1 k l
  shift
  [ -f "$out/$c/console.log" ] || { echo "FAILED: the case did not run"; return; }
  tr -d '\r' < "$out/$c/console.log" > "$out/$c/console.txt"
  guest_checks $c "$@"
  for l in "save-checkpoint rc=0" "save-restore rc=0" "migrate rc=0" "reboot rc=0" "shutdown rc=0"; do
    grep -q "^${l%% *}" "$out/$c/lab.log" 2>/dev/null || continue
    grep -q "^$l" "$out/$c/lab.log" && echo "ok dom0: $l" || echo "FAILED: dom0: $(grep -m1 "^${l%% *} " "$out/$c/lab.log")"
  done
}
for v in pv shim debshim; do
  for k in sr cmds; do
    c=lifecycle-$k-$v
    [ -d "$out/$c" ] || continue
    if [ $k = sr ]; then
      # directly on L0 no migration: L0 has no log-dirty mode for a PV guest here (the cfg)
      cs=$sr_checks; [ $v = pv ] && cs=$(tr ' ' '\n' <<< "$sr_checks" | grep -v '^sr-migrate-' | tr '\n' ' ')
      r=$(lc_case $c root-rw disk-64mib net-ping net-pinged net-tcp $cs)
      # (how it ends is not L0's word: xl's log is the migration sender's, "suspend")
      grep -q "^Test result: SUCCESS" "$out/$c/console.txt" && r="$r"$'\n'"ok it ran to its end" ||
        r="$r"$'\n'"FAILED: no 'Test result: SUCCESS' at the end"
      if [ $v = shim ]; then
        # the shim's own lines (port 0xe9, through L0's console: its domid changes)
        sed -n "/CASE-BEGIN [0-9]*-$c /,/CASE-END [0-9]*-$c /p" "$out/serial.log" > "$out/$c/serial.txt"
        n=$(grep -c "(shim) d[0-9]*: resumed after a restore" "$out/$c/serial.txt")
        [ "$n" = 4 ] && r="$r"$'\n'"ok the shim says it resumed after a restore 4 times" ||
          r="$r"$'\n'"FAILED: the shim says it resumed after a restore $n times, not 4"
        grep -q "(shim) d[0-9]*: suspend cancelled (1)" "$out/$c/serial.txt" &&
          r="$r"$'\n'"ok the shim says the checkpoint's suspend was cancelled" ||
          r="$r"$'\n'"FAILED: no 'suspend cancelled (1)' from the shim"
      fi
    else r=$(lc_case $c lc-pause lc-sysrq lc-nmi lc-reboot)
      [ "$(res $c shutdown)" = poweroff ] && r="$r"$'\n'"ok L0 sees poweroff after xl shutdown" ||
        r="$r"$'\n'"FAILED: shutdown reason '$(res $c shutdown)' after xl shutdown"
    fi
    if [ $v = debshim ]; then
      echo "INFO $c (Debian's xen-shim, for comparison): $(grep -c '^ok' <<< "$r") checks ok$(grep '^FAILED' <<< "$r" | head -5 | sed 's/^FAILED: /; failed: /' | tr -d '\n' | cut -c1-600)"
      continue
    fi
    bad=$(grep '^FAILED' <<< "$r")
    what="xl save -c, save + restore x3$([ $v = pv ] || echo ", migrate to this host"), each followed by disk, ping, TCP, clock, wallclock and vCPU checks"
    [ $k = cmds ] && what="xl pause, sysrq, trigger nmi, reboot (booted again), shutdown (poweroff)"
    if [ -z "$bad" ]; then pass "$c: $(grep -c '^ok' <<< "$r") checks: $what"
    else fail "$c: $(grep -c . <<< "$bad") of $(grep -c . <<< "$r") checks failed" "$what"
      sed 's/^FAILED: /  - /' <<< "$bad" | cut -c1-250; fi
  done
  c=lifecycle-sr-$v
  [ -f "$out/$c/lab.log" ] && echo "INFO $c: $(sed -n 's/^\(save-restore\|save-checkpoint\|migrate\) rc=\([0-9]*\): /\1 rc=\2: /p' "$out/$c/lab.log" | sed -E 's/ (Loading|Saving|Savefile|migration target|xc:).*//' | tr '\n' ';')"
done

# ---- the same harness runs Debian's xen-shim with the same guest
c=shim-debian
check "$c: Debian's shim boots the PV kernel to GUEST-RESULT: 0" has $c console.log "GUEST-RESULT: 0"
check "$c: poweroff" [ "$(res $c shutdown)" = poweroff ]

# ---- SMP: Debian's kernel with 2 of 4 vCPUs, a checked load on every CPU, xl vcpu-set 4, 1, 2
for c in smp-pv smp-ours; do
  [ -d "$out/$c" ] || continue        # not in tests/run (see there): by hand only
  check "$c: boots with cpus 0-1 online of 0-3" has $c console.log "GUEST: smp: cpus online 0-1, possible 0-3"
  for v in "4: cpus online 0-3" "1: cpus online 0" "2: cpus online 0-1"; do
    check "$c: xl vcpu-set ${v%%:*} while loaded: ${v#*: }" has $c console.log "GUEST: smp: vcpu-set $v"
  done
  check "$c: the load ran to its end and the guest powered off" has $c console.log "GUEST: smp: cpus online at the end"
  check "$c: L0 sees poweroff" [ "$(res $c shutdown)" = poweroff ]
  # Not a check: this lab's L0 (Xen under QEMU/TCG) corrupts the memory of a guest running
  # on two CPUs, directly as PV as much as under a shim (and dom0's), so the load's own
  # result checks fail at random here; what they said is shown.
  echo "INFO $c: load workers: $(grep -h "GUEST: smp worker" "$out/$c/console.log" 2>/dev/null | sed 's/GUEST: smp worker //' | tr -d '\r' | tr '\n' ';')"
done
# ---- Debian's kernel repacked with each of Linux's compressions (tests/lab/repack-bzimage.py)
for k in gzip bzip2 lzma lzo lz4 zstd; do
  c=comp-$k
  check "$c: the shim unpacks Debian's kernel packed with $k" grep -qE "unpacked the $k kernel: [0-9]+ -> [0-9]+ bytes" "$out/$c/console.log"
  check "$c: and it boots to GUEST-RESULT: 0" has $c console.log "GUEST-RESULT: 0"
  c=comp-$k-bad
  check "$c: a corrupt $k payload is refused in one line" grep -q "PANIC: cannot unpack the kernel in module 0: $k data" "$out/$c/console.log"
  check "$c: L0 sees shutdown reason crash" [ "$(res $c shutdown)" = crash ]
done
for k in gzip bzip2 lzma lzo lz4 zstd; do
  t=$(sed -n "s/.*unpacked the $k kernel: \([0-9]*\) -> \([0-9]*\) bytes in \([0-9]*\) ms.*/\1 -> \2 bytes in \3 ms/p" "$out/comp-$k/console.log" 2>/dev/null | head -1)
  [ -n "$t" ] && echo "INFO comp-$k: $t"
done

# ---- the Debian package (make deb), installed in dom0 with dpkg -i, runs a guest from its path
c=install-deb
check "$c: dpkg -i of the package in dom0" has $c xl.log "before: exit 0"
check "$c: the installed image at /usr/lib/pv-shim/pv-shim" has $c xl.log "/usr/lib/pv-shim/pv-shim"
check "$c: a guest of the installed image ends in SUCCESS" has $c console.log "Test result: SUCCESS"
check "$c: L0 sees shutdown reason poweroff" [ "$(res $c shutdown)" = poweroff ]

# ---- 32, 64 and 128 vCPUs: all online under our shim (one lab CPU for all: the time is TCG's)
# (tests/run runs 32, about 200 s on a 2-core host; 64 and 128 when they were run: on such a
# host, with one lab CPU for all, their idle vCPUs starve the busy ones, see smp128-ours.cfg)
for n in 32 64 128; do
  c=smp$n-ours
  [ $n = 32 ] || [ -d "$out/$c" ] || continue
  check "$c: Debian's kernel brings all $n vCPUs online" has $c console.log "GUEST: cpus online 0-$((n - 1)),"
  check "$c: GUEST-RESULT: 0, poweroff" has $c console.log "GUEST-RESULT: 0" && [ "$(res $c shutdown)" = poweroff ]
  [ -f "$out/$c/result" ] && awk -F= -v c=$c '{ v[$1] = $2 } END {
    printf "INFO %s: xl create -> end %.0f s\n", c, v["end"] - v["create"] }' "$out/$c/result"
done
# the reference: the same kernel directly on L0 as PV with as many vCPUs
for n in 64 128; do
  [ -f "$out/smp$n-pv/result" ] && echo "INFO smp$n-pv (direct PV, the reference): $(grep -c "GUEST: cpus online 0-$((n - 1))," "$out/smp$n-pv/console.log") x all $n online, $(awk -F= '{ v[$1] = $2 } END { printf "xl create -> end %.0f s", v["end"] - v["create"] }' "$out/smp$n-pv/result")"
done
[ -d "$out/smp-ours" ] && echo "INFO smp-ours: $(grep -ho 'remote TLB flushes: .*' "$out/smp-ours/e9.log" 2>/dev/null | head -1)"

# ---- timings (dom0 uptime, seconds)
for c in shim-ours shim-debian; do
  [ -f "$out/$c/result" ] || continue
  awk -F= -v c=$c '{ v[$1] = $2 } END {
    printf "INFO %s: xl create %.2f s, create -> first console output %.2f s, create -> end %.2f s\n",
      c, v["returned"] - v["create"], v["first"] - v["create"], v["end"] - v["create"] }' "$out/$c/result"
done
# create -> Linux banner (host clock, serial log): loading and early boot, ours vs Xen's shim
for c in shim-ours shim-debian; do
  b=$(grep -m1 " CASE-BEGIN [0-9]*-$c " "$out/serial.log" | sed 's/^\[ *\([0-9.]*\)\].*/\1/')
  l=$(grep -m1 "C|[0-9]*-$c| .*Linux version" "$out/serial.log" | sed 's/^\[ *\([0-9.]*\)\].*/\1/')
  [ -n "$b" ] && [ -n "$l" ] && awk -v c=$c -v b=$b -v l=$l \
    'BEGIN { printf "INFO %s: xl create -> Linux banner on the console %.2f s\n", c, l - b }'
done
t=$(sed -n 's/.*time since entry: \([0-9.]* ms\).*/\1/p' "$out/shim-ours/console.log")
echo "INFO shim-ours: shim entry -> banner done ${t:-?}"
[ "$fails" = 0 ]
