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
