#!/bin/sh
# Runs inside the lab's dom0 (busybox sh): every xl config in /lab/cases/, in name order,
# one after the other in this one L0 boot. For each case it prints to the serial log
#
#   CASE-BEGIN <case> <uptime>
#   C|<case>| <line>        the guest's PV console (xenconsoled's log), as it arrives
#   E|<case>| <line>        what the domain wrote to port 0xe9 ("(dN)" lines of xl dmesg)
#   X|<case>| <line>        xl's own log for the domain (shutdown reason, errors)
#   CASE-END <case> state=<s> shutdown=<reason> xlstate=<xl list state> create=<t> returned=<t> first=<t> end=<t>
#
# state: gone (shut down and destroyed), shutdown (kept), crashed, timeout, create-failed.
# shutdown: poweroff, reboot, suspend, crash, watchdog, soft_reset or none (from xl's log).
# A config may say "#@timeout: N" (seconds, default 120) and "#@end-on: TEXT" (end the
# case as soon as the console shows TEXT: for guests that are expected to hang), and any
# number of "#@nmi-on: TEXT" (run "xl trigger <domain> nmi" once, when the console first
# shows TEXT; logged as "X|<case>| nmi-on: TEXT").
#
# A guest may ask dom0 for help with console lines (the disk guests' /sbin/init does; what
# dom0 did is logged as "L|<case>| <line>"):
#   LAB-PING-ME: ADDR       dom0 pings ADDR (3 echo requests)
#   LAB-ATTACH-ME: disk|nic xl block-attach /lab/attach-disk.img as xvdb (read-only), or
#                           xl network-attach a second vif on xenbr0
#   LAB-DETACH-ME: disk|nic xl block-detach xvdb, or xl network-detach that vif
#   LAB-VCPUSET-ME: N       xl vcpu-set the domain to N vCPUs
#   LAB-TYPE-ME: PROMPT     once PROMPT shows, type "echo typed-<token>" and, when the answer
#                           is on the console, "poweroff -f" (through the console's pty, as
#                           xl console would)
#   LAB-SAVE-RESTORE-ME: 1  xl save, then xl restore (the guest checks itself after: its
#                           lab_saverestore=N, tests/lab/build-images.sh)
#   LAB-SAVE-CHECKPOINT-ME: 1  xl save -c (the guest runs on)
#   LAB-MIGRATE-ME: ADDR    xl migrate to this host (no ssh: "env PATH=..." as the command),
#                           pinging ADDR meanwhile: the downtime
#   LAB-PAUSE-ME: N         xl pause, N seconds, xl unpause
#   LAB-SYSRQ-ME: K         xl sysrq K
#   LAB-NMI-ME: 1           xl trigger nmi
#   LAB-SHUTDOWN-ME: reboot|poweroff  xl reboot (and wait for the domain to come back) or
#                           xl shutdown
#   LAB-VERIFY: PATH TOKEN  after the guest is gone: e2fsck -fn on the config's first disk
#                           and PATH in it must start with TOKEN (debugfs)
# dom0 also serves /tmp/www (a 16 MiB random "blob", its "blob.md5", 64 MiB of zeros "zero64")
# on port 8080. A config may say "#@scratch: FILE SIZE": dom0 creates FILE (sparse) before it.
up() { cut -d' ' -f1 /proc/uptime; }
rc=0
mkdir -p /tmp/www
dd if=/dev/urandom of=/tmp/www/blob bs=1M count=16 2>/dev/null
md5sum /tmp/www/blob | cut -d' ' -f1 > /tmp/www/blob.md5
truncate -s 64M /tmp/www/zero64
mkdir -p /tmp/www/cgi-bin
printf '#!/bin/sh\necho Content-Type: text/plain\necho\ndate +%%s\n' > /tmp/www/cgi-bin/date
chmod +x /tmp/www/cgi-bin/date
httpd -p 8080 -h /tmp/www
# request CASE NAME LINE: serve one "LAB-...:" console line of the guest
request() {
  case "$3" in
    *LAB-PING-ME:*)
      a=$(echo "$3" | sed -n 's/.*LAB-PING-ME: \([0-9.]*\).*/\1/p')
      if ping -c 3 -w 10 "$a" > /tmp/ping.log 2>&1; then
        echo "L|$1| dom0-ping $a ok: $(grep -E 'packets|round-trip' /tmp/ping.log | tr '\n' ' ')"
      else echo "L|$1| dom0-ping $a FAILED: $(tr '\n' ' ' < /tmp/ping.log)"; fi ;;
    *LAB-ATTACH-ME:\ disk*)
      xl block-attach "$2" 'format=raw, vdev=xvdb, access=ro, target=/lab/attach-disk.img' \
        > /tmp/attach.log 2>&1; echo "L|$1| block-attach rc=$? $(tr '\n' ' ' < /tmp/attach.log)" ;;
    *LAB-DETACH-ME:\ disk*)
      xl block-detach "$2" xvdb > /tmp/attach.log 2>&1
      echo "L|$1| block-detach rc=$? $(tr '\n' ' ' < /tmp/attach.log)" ;;
    *LAB-ATTACH-ME:\ nic*)
      xl network-attach "$2" bridge=xenbr0 > /tmp/attach.log 2>&1
      echo "L|$1| network-attach rc=$? $(tr '\n' ' ' < /tmp/attach.log)" ;;
    *LAB-DETACH-ME:\ nic*)
      dev=$(xl network-list "$2" 2>/dev/null | awk 'NR > 1 { d = $1 } END { print d }')
      xl network-detach "$2" "$dev" > /tmp/attach.log 2>&1
      echo "L|$1| network-detach $dev rc=$? $(tr '\n' ' ' < /tmp/attach.log)" ;;
    *LAB-VCPUSET-ME:*)
      n=$(echo "$3" | sed -n 's/.*LAB-VCPUSET-ME: \([0-9]*\).*/\1/p')
      xl vcpu-set --ignore-host "$2" "$n" > /tmp/vcpuset.log 2>&1
      echo "L|$1| vcpu-set $n rc=$? $(tr '\n' ' ' < /tmp/vcpuset.log)" ;;
    *LAB-TYPE-ME:*)
      echo "$3" | sed 's/.*LAB-TYPE-ME: //' > /tmp/type-prompt ;;
    *LAB-SAVE-RESTORE-ME:*)
      mem=$(xl list "$2" 2>/dev/null | awk 'NR == 2 { print $3 }')
      t0=$(up)
      if ! xl save "$2" /tmp/lab-save.img > /tmp/sr.log 2>&1; then
        echo "L|$1| save FAILED: $(tr '\n' ' ' < /tmp/sr.log)"; return
      fi
      t1=$(up); sz=$(wc -c < /tmp/lab-save.img)
      xl restore /tmp/lab-save.img > /tmp/sr.log 2>&1; r=$?
      rm -f /tmp/lab-save.img
      echo "L|$1| save-restore rc=$r: save $(awk "BEGIN { print $t1 - $t0 }") s ($sz bytes of a $mem MiB domain), restore $(awk "BEGIN { print $(up) - $t1 }") s $(tr '\n' ' ' < /tmp/sr.log)" ;;
    *LAB-SAVE-CHECKPOINT-ME:*)
      t0=$(up)
      xl save -c "$2" /tmp/lab-save.img > /tmp/sr.log 2>&1; r=$?
      sz=$(wc -c < /tmp/lab-save.img 2>/dev/null); rm -f /tmp/lab-save.img
      echo "L|$1| save-checkpoint rc=$r: $(awk "BEGIN { print $(up) - $t0 }") s ($sz bytes) $(tr '\n' ' ' < /tmp/sr.log)" ;;
    *LAB-MIGRATE-ME:*)
      # to this same host, with no ssh: "env PATH=..." runs the receiving xl here; the
      # downtime is the longest run of echo requests (every 0.1 s) the guest did not answer
      a=$(echo "$3" | sed -n 's/.*LAB-MIGRATE-ME: \([0-9.]*\).*/\1/p')
      ping -i 0.1 "$a" > /tmp/mping.log 2>&1 & pp=$!
      sleep 1; t0=$(up)
      xl migrate -s env "$2" "PATH=$PATH" > /tmp/sr.log 2>&1; r=$?
      t1=$(up); sleep 2; kill $pp
      dt=$(sed -n 's/.*seq=\([0-9]*\) .*/\1/p' /tmp/mping.log | awk 'NR > 1 && $1 - p - 1 > g { g = $1 - p - 1 } { p = $1 } END { printf "%.1f", g * 0.1 }')
      echo "L|$1| migrate rc=$r: $(awk "BEGIN { print $t1 - $t0 }") s, downtime $dt s $(tr '\n' ' ' < /tmp/sr.log | cut -c1-600)"
      # xenconsoled logs the received domain under its name then, NAME--incoming: follow it
      f=$(ls -t /var/log/xen/console/guest-"$2"*.log 2>/dev/null | head -1)
      [ -n "$f" ] && [ "$f" != "/var/log/xen/console/guest-$2.log" ] && echo "$f" > /tmp/log-switch ;;
    *LAB-PAUSE-ME:*)
      n=$(echo "$3" | sed -n 's/.*LAB-PAUSE-ME: \([0-9]*\).*/\1/p')
      xl pause "$2"; r=$?; sleep "$n"; xl unpause "$2"
      echo "L|$1| pause rc=$r, unpause rc=$? after $n s" ;;
    *LAB-SYSRQ-ME:*)
      k=$(echo "$3" | sed -n 's/.*LAB-SYSRQ-ME: \(.\).*/\1/p')
      xl sysrq "$2" "$k"; echo "L|$1| sysrq $k rc=$?" ;;
    *LAB-NMI-ME:*)
      xl trigger "$2" nmi; echo "L|$1| trigger nmi rc=$?" ;;
    *LAB-SHUTDOWN-ME:\ reboot*)
      # the domain comes back under the same name (on_reboot = "restart"): wait for it
      d=$(xl domid "$2" 2>/dev/null); xl reboot "$2"; r=$?; i=0
      while [ $i -lt 300 ]; do
        n=$(xl domid "$2" 2>/dev/null)
        [ -n "$n" ] && [ "$n" != "$d" ] && break
        sleep 0.2; i=$((i + 1))
      done
      echo "L|$1| reboot rc=$r: domain $d -> $(xl domid "$2" 2>/dev/null)" ;;
    *LAB-SHUTDOWN-ME:\ poweroff*)
      xl shutdown "$2"; echo "L|$1| shutdown rc=$?" ;;
  esac
}
# type CASE NAME DOMID LOG: the typing LAB-TYPE-ME asked for, one step per call
type_step() {
  # by name: a restored or migrated domain has another domid
  tty=$(xenstore-read "/local/domain/$(xl domid "$2" 2>/dev/null)/console/tty" 2>/dev/null)
  if [ ! -f /tmp/typed ]; then
    grep -v 'LAB-TYPE-ME' "$4" | grep -qF "$(cat /tmp/type-prompt)" || return
    tok=$(cat /proc/sys/kernel/random/uuid | cut -c1-8)
    echo "L|$1| prompt at $(up): typing 'echo typed-$tok' into $tty"
    stty -F "$tty" raw -echo 2>/dev/null
    printf 'echo typed-%s\r' "$tok" > "$tty"
    echo "$tok" > /tmp/typed
  elif tr -d '\r' < "$4" | grep -qx "typed-$(cat /tmp/typed)"; then
    echo "L|$1| answer typed-$(cat /tmp/typed) at $(up): typing poweroff -f"
    printf 'poweroff -f\r' > "$tty"
    rm -f /tmp/type-prompt
  fi
}
for cfg in /lab/cases/*.cfg; do
  case=$(basename "$cfg" .cfg)
  name=$(sed -n 's/^[[:space:]]*name[[:space:]]*=[[:space:]]*["'\'']\([^"'\'']*\).*/\1/p' "$cfg" | head -1)
  tmo=$(sed -n 's/^#@timeout: *\([0-9]*\).*/\1/p' "$cfg"); tmo=${tmo:-120}
  endon=$(sed -n 's/^#@end-on: *//p' "$cfg")
  # "#@vcpu-list: N": every N seconds, each vCPU's L0 CPU time so far (where a slow guest's time goes)
  vlist=$(sed -n 's/^#@vcpu-list: *\([0-9]*\).*/\1/p' "$cfg"); t_vlist=0
  sed -n 's/^#@nmi-on: *//p' "$cfg" > /tmp/nmi-on
  rm -f /tmp/type-prompt /tmp/typed
  # "#@before: COMMAND": run in dom0 before xl create (its output as X| lines)
  sed -n 's/^#@before: *//p' "$cfg" | while IFS= read -r c; do
    echo "X|$case| before: $c"
    sh -c "$c" > /tmp/before.log 2>&1; brc=$?
    sed "s/^/X|$case| /" /tmp/before.log
    echo "X|$case| before: exit $brc"
  done
  # "#@scratch: FILE SIZE": a fresh sparse FILE (a guest's scratch disk) for this case only
  sed -n 's/^#@scratch: *//p' "$cfg" | while read -r f sz; do rm -f "$f"; truncate -s "$sz" "$f"; done
  log=/var/log/xen/console/guest-$name.log
  rm -f "$log" "/var/log/xen/xl-$name.log"
  xl dmesg -c > /dev/null
  echo "CASE-BEGIN $case $(up)"
  t_create=$(up)
  if ! xl create "$cfg" > /tmp/create.log 2>&1; then
    sed "s/^/X|$case| /" /tmp/create.log
    echo "CASE-END $case state=create-failed shutdown=none create=$t_create returned=- first=- end=$(up)"
    rc=1; continue
  fi
  t_ret=$(up)
  domid=$(xl domid "$name" 2>/dev/null)
  case "$domid" in *[!0-9]*) domid="" ;; esac
  seen=0; first=-; state=""; n=0; ns=0
  t_end=$(( $(cut -d. -f1 /proc/uptime) + tmo ))
  rm -f /tmp/log-switch
  while :; do
    if [ -s /tmp/log-switch ]; then
      log=$(cat /tmp/log-switch); rm -f /tmp/log-switch; seen=0
      echo "L|$case| console log now $log"
    fi
    if [ -s "$log" ]; then
      [ "$first" = - ] && first=$(up)
      nl=$(wc -l < "$log")
      if [ "$nl" -gt "$seen" ]; then
        sed -n "$((seen + 1)),${nl}p" "$log" | tr -d '\r' > /tmp/new-lines
        sed "s/^/C|$case| /" /tmp/new-lines
        seen=$nl
        grep 'LAB-[A-Z-]*-ME: ' /tmp/new-lines | while IFS= read -r l; do
          request "$case" "$name" "$l"
        done
      fi
      [ -f /tmp/type-prompt ] && type_step "$case" "$name" "$domid" "$log"
      if [ -n "$endon" ] && grep -qF "$endon" "$log"; then state=end-on; break; fi
      if [ -s /tmp/nmi-on ]; then
        while IFS= read -r t; do
          if grep -qF "$t" "$log"; then
            xl trigger "$name" nmi > /tmp/trigger.log 2>&1
            echo "X|$case| nmi-on: $t: xl trigger rc=$? $(cat /tmp/trigger.log)"
            grep -vxF "$t" /tmp/nmi-on > /tmp/nmi-on.new; mv /tmp/nmi-on.new /tmp/nmi-on
          fi
        done < /tmp/nmi-on
      fi
    fi
    n=$((n + 1))
    if [ $((n % 3)) -eq 0 ]; then
      st=$(xl list 2>/dev/null | awk -v n="$name" '$1 == n { print $5 }')
      [ -z "$st" ] && { state=gone; break; }
      case "$st" in *c*) state=crashed; break ;; esac
      case "$st" in *s*) ns=$((ns + 1)); [ "$ns" -ge 3 ] && { state=shutdown; break; } ;; esac
    fi
    if [ "$(cut -d. -f1 /proc/uptime)" -ge "$t_end" ]; then state=timeout; break; fi
    if [ -n "$vlist" ] && [ "$(cut -d. -f1 /proc/uptime)" -ge "$t_vlist" ]; then
      t_vlist=$(( $(cut -d. -f1 /proc/uptime) + vlist ))
      echo "X|$case| vcpu-list at $(up): $(xl vcpu-list "$name" 2>/dev/null | awk 'NR > 1 { printf "%s:%s:%s ", $3, $6, $7 }')"
    fi
    sleep 0.2
  done
  t_done=$(up)
  xst=$(xl list 2>/dev/null | awk -v n="$name" '$1 == n { print $5 }')
  # a hang: where each of the domain's vCPUs is (our shim's addresses: build/xen-shim.syms)
  if [ "$state" = timeout ] && [ -n "$domid" ]; then
    syms=; [ -f /lab/syms.map ] && syms="-s /lab/syms.map"
    /usr/lib/xen-4.17/bin/xenctx -C -S -l 16 $syms "$domid" 2>&1 | head -n 8000 | sed "s/^/X|$case| xenctx: /"
  fi
  sleep 0.3
  [ -f "$log" ] && sed -n "$((seen + 1)),\$p" "$log" | sed "s/^/C|$case| /"
  # a short-lived guest may be gone before "xl domid" could see it: xl's log has its id
  [ -n "$domid" ] || domid=$(sed -n 's/.*(domid \([0-9]*\)).*/\1/p' "/var/log/xen/xl-$name.log" 2>/dev/null | head -1)
  [ -n "$domid" ] && xl dmesg | grep "^(d$domid) " | sed "s/^(d$domid) /E|$case| /"
  xl destroy "$name" > /dev/null 2>&1
  sleep 0.3
  sed -n 's/^#@scratch: *//p' "$cfg" | while read -r f sz; do rm -f "$f"; done
  sed "s/^/X|$case| /" "/var/log/xen/xl-$name.log" 2>/dev/null
  # the guest wrote TOKEN to PATH on its disk: check the image now that the guest is gone
  v=$(tr -d '\r' < "$log" 2>/dev/null | sed -n 's/.*LAB-VERIFY: \([^ ]*\) \([^ ]*\).*/\1 \2/p' | tail -1)
  if [ -n "$v" ]; then
    img=$(grep -v '^[[:space:]]*#' "$cfg" | sed -n "s/.*target=\([^]'\", ]*\).*/\1/p" | head -1)
    set -- $v
    sleep 1                               # the block hotplug script detaches the loop device
    e2fsck -fn "$img" > /tmp/fsck.log 2>&1; frc=$?
    got=$(debugfs -R "cat $1" "$img" 2>/dev/null | head -1)
    if [ "$frc" = 0 ] && [ "${got#$2}" != "$got" ]; then
      echo "L|$case| disk-verify ok: $img:$1 = $got; e2fsck -fn clean"
    else
      echo "L|$case| disk-verify FAILED: $img:$1 = '$got', want '$2...'; e2fsck rc $frc"
      sed "s/^/L|$case|   /" /tmp/fsck.log
    fi
  fi
  code=$(sed -n 's/.*has shut down, reason code \([0-9]*\).*/\1/p' "/var/log/xen/xl-$name.log" 2>/dev/null | tail -1)
  case "$code" in
    0) why=poweroff ;; 1) why=reboot ;; 2) why=suspend ;; 3) why=crash ;;
    4) why=watchdog ;; 5) why=soft_reset ;; *) why=none ;;
  esac
  echo "CASE-END $case state=$state shutdown=$why xlstate=${xst:-none} create=$t_create returned=$t_ret first=$first end=$t_done"
done
exit $rc
