#!/usr/bin/env python3
"""Ratios of each peer's wall and CPU time to feedwatch's (NEW), per N and phase."""
import csv
import statistics
import sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
wall = defaultdict(list)
cpu = defaultdict(list)
for r in rows:
    k = (r["tool"], int(r["N"]), r["phase"])
    wall[k].append(float(r["wall_s"]))
    cpu[k].append(float(r["cpu_s"]))
print("\n| N | phase | peer | peer wall s | feedwatch wall s | peer/feedwatch wall | peer/feedwatch cpu |")
print("|---|---|---|---|---|---|---|")
for (tool, n, phase) in sorted(wall):
    if tool == "NEW" or ("NEW", n, phase) not in wall:
        continue
    fw = statistics.median(wall[("NEW", n, phase)])
    fc = statistics.median(cpu[("NEW", n, phase)])
    pw = statistics.median(wall[(tool, n, phase)])
    pc = statistics.median(cpu[(tool, n, phase)])
    print("| %d | %s | %s | %.2f | %.2f | %.1fx | %.1fx |" % (
        n, phase, tool, pw, fw, pw / fw if fw else float("inf"),
        pc / fc if fc else float("inf")))

def med(tool, n, phase, d=wall):
    v = d.get((tool, n, phase))
    return statistics.median(v) if v else None


def check(label, ok):
    print("  %-66s %s" % (label, "ok" if ok else "MISSED"))


# The full-refresh targets are set at 10,000 feeds; the all-304
# one at any N.
print("\ntargets:")
for n in sorted({k[1] for k in wall if k[0] == "NEW"}):
    for phase in ("warm", "warm2"):
        fw, curl = med("NEW", n, phase), med("curl-multi", n, phase)
        if fw and curl:
            check("N=%d all-304 (%s) %.2f s <= 1.5 x curl multi %.2f s: %.2fx"
                  % (n, phase, fw, curl, fw / curl), fw <= 1.5 * curl)
    if n != 10000:
        continue
    fw = med("NEW", n, "cold")
    curl = med("curl-multi", n, "cold")
    sax = med("libxml2-sax2", n, "cold")
    if fw and curl and sax:
        bound = 3 * (curl + sax)
        check("N=%d full refresh %.2f s <= 3 x (fetch %.2f + parse %.2f) = %.2f s"
              % (n, fw, curl, sax, bound), fw <= bound)
    for peer in ("sfeed_update", "newsboat"):
        pw, fw = med(peer, n, "cold"), med("NEW", n, "cold")
        if pw and fw:
            check("N=%d full refresh %s %.1f s / feedwatch %.2f s = %.0fx (>= 50x)"
                  % (n, peer, pw, fw, pw / fw), pw / fw >= 50)
