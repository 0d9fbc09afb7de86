"""CPU seconds (user + system) used so far by the given processes and all their descendants.

The auth benchmark reads it before and after a load phase, for the server JVM and the embedded
Postgres (which is not the JVM's child), to get CPU time per request independent of what else
runs on a shared machine. Usage: python3 cpu_seconds.py PID [PID ...]
"""
import os
import sys


def tree_cpu(roots):
    children = {}
    ticks = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            stat = open(f'/proc/{entry}/stat').read()
        except OSError:
            continue
        fields = stat[stat.rindex(')') + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
        ticks[int(entry)] = int(fields[11]) + int(fields[12])
    total, stack, seen = 0, list(roots), set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += ticks.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total / os.sysconf('SC_CLK_TCK')


print(f"{tree_cpu([int(p) for p in sys.argv[1:]]):.3f}")
