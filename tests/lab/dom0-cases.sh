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
up() { cut -d' ' -f1 /proc/uptime; }
rc=0
for cfg in /lab/cases/*.cfg; do
  case=$(basename "$cfg" .cfg)
  name=$(sed -n 's/^[[:space:]]*name[[:space:]]*=[[:space:]]*["'\'']\([^"'\'']*\).*/\1/p' "$cfg" | head -1)
  tmo=$(sed -n 's/^#@timeout: *\([0-9]*\).*/\1/p' "$cfg"); tmo=${tmo:-120}
  endon=$(sed -n 's/^#@end-on: *//p' "$cfg")
  sed -n 's/^#@nmi-on: *//p' "$cfg" > /tmp/nmi-on
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
  while :; do
    if [ -s "$log" ]; then
      [ "$first" = - ] && first=$(up)
      nl=$(wc -l < "$log")
      if [ "$nl" -gt "$seen" ]; then
        sed -n "$((seen + 1)),${nl}p" "$log" | sed "s/^/C|$case| /"
        seen=$nl
      fi
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
    sleep 0.2
  done
  t_done=$(up)
  xst=$(xl list 2>/dev/null | awk -v n="$name" '$1 == n { print $5 }')
  sleep 0.3
  [ -f "$log" ] && sed -n "$((seen + 1)),\$p" "$log" | sed "s/^/C|$case| /"
  # a short-lived guest may be gone before "xl domid" could see it: xl's log has its id
  [ -n "$domid" ] || domid=$(sed -n 's/.*(domid \([0-9]*\)).*/\1/p' "/var/log/xen/xl-$name.log" 2>/dev/null | head -1)
  [ -n "$domid" ] && xl dmesg | grep "^(d$domid) " | sed "s/^(d$domid) /E|$case| /"
  xl destroy "$name" > /dev/null 2>&1
  sleep 0.3
  sed "s/^/X|$case| /" "/var/log/xen/xl-$name.log" 2>/dev/null
  code=$(sed -n 's/.*has shut down, reason code \([0-9]*\).*/\1/p' "/var/log/xen/xl-$name.log" 2>/dev/null | tail -1)
  case "$code" in
    0) why=poweroff ;; 1) why=reboot ;; 2) why=suspend ;; 3) why=crash ;;
    4) why=watchdog ;; 5) why=soft_reset ;; *) why=none ;;
  esac
  echo "CASE-END $case state=$state shutdown=$why xlstate=${xst:-none} create=$t_create returned=$t_ret first=$first end=$t_done"
done
exit $rc
