# tests/lab/compare-guest.awk - one PV test kernel's console log under our shim against the
# same kernel's log directly on L0 (the reference). Used by tests/lab/check.sh:
#
#   awk -v t=<test> -f compare-guest.awk side=k KNOWN-DIFFERENCES side=x MESSAGE-PREFIXES \
#       side=p L0-CONSOLE-LOG side=s SHIM-CONSOLE-LOG
#
# Prints tab-separated records for check.sh to judge:
#   RESULT  <L0's last "Test result:" line>  <ours>
#   COUNT   <case lines on L0>  <case lines under our shim>
#   MISSING <text>     a case line on L0 with none of that name under our shim
#   EXTRA   <text>     a case line under our shim with none of that name on L0
#   DIFF    <text>     a case whose "got" value (or verdict) differs from L0's
#   KNOWN   <case>  <why>     a difference tests/lab/known-differences explains
#   MSG     <line>     an error/failure message under our shim that L0 did not print
#   KNOWNMSG <line>    "Failure: case <name>" for a known difference
#   CUT     <n>        case lines cut by L0's own "(XEN)" messages, or under our shim by its
#                      "(dN)" port-0xe9 lines, matched by their start
#   ENV     <n>        cases whose expectation the kernel computes from its own domain (MFNs,
#                      nr_pages, addresses): "expected" differs from L0's, and under our shim
#                      "got" equals it (or meets its "<"/">" bound) with no MISMATCH, so "got"
#                      is not compared with L0's
#
# A case line is "case <name>: got <X> expected <Y>[ MISMATCH]"; the name ends at the first
# ": got " (names may hold colons), X at the first " expected " after it. A name seen more
# than once is matched by its occurrence (the first with the first, ...).

# the known-differences entry whose case-name prefix starts name, or 0
function known(name,   i) {
    for (i = 1; i <= nk; i++)
        if (index(name, kp[i]) == 1)
            return i
    return 0
}

# split a whole case line into N, G, E and M (1: the kernel said MISMATCH); 0 if not whole
function parse(line,   i, j, rest) {
    if (line !~ /^case /)
        return 0
    i = index(line, ": got ")
    if (!i)
        return 0
    N = substr(line, 6, i - 6)
    rest = substr(line, i + 6)
    j = index(rest, " expected ")
    if (!j)
        return 0
    G = substr(rest, 1, j - 1)
    E = substr(rest, j + 10)
    M = sub(/ MISMATCH$/, "", E)
    return 1
}

function show(g, e, m) { return "got " g " expected " e (m ? " MISMATCH" : "") }

{ sub(/\r$/, "") }

side == "k" {
    if ($0 ~ /^#/ || $0 !~ /[|]/)
        next
    split($0, f, / *[|] */)
    if (f[1] == t && f[2] != "") {
        nk++; kp[nk] = f[2]; kw[nk] = f[3]
    }
    next
}

side == "x" { if (length($0) >= 4) pre[++npre] = $0; next }

side == "p" {
    line = $0
    sub(/\(XEN\).*/, "", line)          # L0's own messages share the guest's console log
    l0line[line] = 1
    if (line ~ /^Test result: /)
        pres = line
    if (line !~ /^case /)
        next
    np++
    if (!parse(line)) {
        cut[++ncut] = line
        next
    }
    k = N SUBSEP (++pocc[N])
    pkey[np] = k; pline[np] = line; pname[k] = N; pg[k] = G; pe[k] = E; pm[k] = M
    next
}

side == "s" {
    # L0 prints our shim's port-0xe9 lines as "(dN) ..." on the same serial line, and one
    # may cut a case line (at the end, while the ring drains): match that by its start
    line = $0
    if (sub(/\(d[0-9]+\) .*/, "", line) && line ~ /^case / && !parse(line)) {
        scut[++nscut] = line
        ns++
        next
    }
    if ($0 ~ /^Test result: /)
        sres = $0
    if ($0 !~ /^case /) {
        if ($0 in l0line)
            next
        for (i = 1; i <= npre; i++)
            if (index($0, pre[i]) == 1) {
                if ($0 ~ /^Failure: case / && known(substr($0, 15)))
                    print "KNOWNMSG\t" $0
                else
                    print "MSG\t" $0
                break
            }
        next
    }
    ns++
    if (!parse($0)) {
        print "EXTRA\tnot a whole case line under our shim: " $0
        next
    }
    k = N SUBSEP (++socc[N])
    if (!(k in pg)) {
        # L0's line for this case may be one its "(XEN)" messages cut: match by its start
        for (i = 1; i <= ncut; i++)
            if (!used[i] && index($0, cut[i]) == 1)
                break
        if (i <= ncut) {
            used[i] = 1; ncutok++
        } else
            print "EXTRA\tcase " N ": only under our shim (" show(G, E, M) ")"
        next
    }
    seen[k] = 1
    if (G == pg[k] && M == pm[k])
        next
    if ((i = known(N))) {
        print "KNOWN\t" N "\t" kw[i]
        next
    }
    # an expectation from the domain itself: the kernel's own "expected" differs from L0's,
    # and "got" is that expectation (or meets a ">= ..." bound the kernel checked)
    if (E != pe[k] && E != "any" && pe[k] != "any" && !M && !pm[k] && (G == E || E ~ /^[<>]/)) {
        nenv++
        next
    }
    print "DIFF\tcase " N ": ours " show(G, E, M) "; L0 " show(pg[k], pe[k], pm[k])
}

END {
    # our cut lines: each takes the first unseen L0 case whose line starts the same way
    for (j = 1; j <= nscut; j++)
        for (i = 1; i <= np; i++)
            if ((i in pkey) && !(pkey[i] in seen) && index(pline[i], scut[j]) == 1) {
                seen[pkey[i]] = 1; ncutok++
                break
            }
    for (i = 1; i <= np; i++)
        if ((i in pkey) && !(pkey[i] in seen))
            print "MISSING\tcase " pname[pkey[i]] ": only directly on L0 (" \
                show(pg[pkey[i]], pe[pkey[i]], pm[pkey[i]]) ")"
    for (i = 1; i <= ncut; i++)
        if (!used[i])
            print "MISSING\tcase line cut by L0's messages, none like it under our shim: " cut[i]
    print "RESULT\t" pres "\t" sres
    print "COUNT\t" np + 0 "\t" ns + 0
    print "CUT\t" ncutok + 0
    print "ENV\t" nenv + 0
}
