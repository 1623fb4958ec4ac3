#!/usr/bin/env python3
"""Sizes of a tenant's change feed in Redis (docs/CHANGES.md, "Limits"):
the stored size of each entry (its stream entry's `d` field) and, with a
third argument, of the impacts stored apart from the entries.

usage: scripts/feed-sizes.py PREFIX [TENANT] [impacts]   (needs redis-cli)"""
import subprocess, sys, statistics
prefix, tenant = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "default"
key = f"{prefix}:chg:feed:{tenant}"
out = subprocess.run(["redis-cli", "--raw", "XRANGE", key, "-", "+"], capture_output=True, text=True).stdout.split("\n")
# --raw XRANGE prints: id, then field, value pairs, one per line.
sizes, ids, i = [], [], 0
while i + 4 < len(out):
    entry_id, f1, v1, f2, v2 = out[i:i + 5]
    assert f1 == "id" and f2 == "d", out[i:i + 5]
    ids.append(entry_id)
    sizes.append(len(v2.encode()))
    i += 5
print(f"{key}: {len(sizes)} entries; stored entry bytes: mean {statistics.mean(sizes):.0f}, "
      f"median {statistics.median(sizes):.0f}, max {max(sizes)}, total {sum(sizes)}")
if len(sys.argv) > 3:
    # Impact lists: how many, and their JSON bytes.
    counts, total = [], 0
    for eid in ids:
        items = subprocess.run(["redis-cli", "--raw", "LRANGE", f"{key}:imp:{eid}", "0", "-1"], capture_output=True, text=True).stdout.split("\n")
        items = [x for x in items if x]
        counts.append(len(items))
        total += sum(len(x.encode()) for x in items)
    print(f"impacts stored apart: {sum(counts)} in all, up to {max(counts)} an entry, {total} bytes "
          f"({total / max(1, sum(counts)):.0f} bytes an impact)")
