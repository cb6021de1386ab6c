#!/bin/bash
# tests/heartbeat.sh LABEL CMD...: run CMD (its output where the caller sends it) and, while
# it runs, print "LABEL: still at it (N s)" every 30 s on fd 3 if it is open (tests/run keeps
# its terminal there) or else on stderr, so that no long step is silent. Exits with CMD's status.
label=$1; shift
if { true >&3; } 2> /dev/null; then fd=3; else fd=2; fi
"$@" &
pid=$!
( t=0
  while sleep 30; do
    t=$((t + 30))
    kill -0 $pid 2> /dev/null || exit 0
    echo "$label: still at it ($t s)" >&$fd
  done ) &
hb=$!
wait $pid
rc=$?
kill $hb 2> /dev/null
wait $hb 2> /dev/null
exit $rc
