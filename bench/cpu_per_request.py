"""CPU per request of each process of a server under load: where a req/s figure's CPU goes.

Usage: .venv/bin/python bench/cpu_per_request.py URL --tree NAME=PID [--tree NAME=PID ...]
       [--comm NAME=COMMAND ...] [--connections 16] [--duration 6] [--header 'K: V' ...]

Runs wrk on URL (bench/loadgen.py's read, as `make bench` does) and reads, before and
after, the CPU time (user + system, /proc/<pid>/stat) of every process under each --tree
root (its descendants included: php-fpm's children, nginx's workers, granian's workers),
of every process whose name is COMMAND for --comm (mariadbd, which the bench did not
start), of wrk itself (this process's waited-for children) and of the whole machine
(/proc/stat: busy and idle CPU-seconds, steal included). Prints requests/s and, per
group, CPU milliseconds per request and the cores it kept busy: a ratio of two servers'
req/s is the ratio of their CPU per request once both fill the machine's cores.
Figures here are for finding what bounds a ratio; the figures that count are make bench's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import loadgen  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def tree(root: int) -> list[int]:
    children = _children()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def by_command(command: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` (its threads included; its children not)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def machine() -> tuple[float, float]:
    """(busy, idle) CPU-seconds of the whole machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / TICK, idle / TICK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=PID")
    parser.add_argument("--comm", action="append", default=[], metavar="NAME=COMMAND")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'")
    parser.add_argument("--json", action="store_true", help="print one JSON line too")
    options = parser.parse_args(argv)
    headers = dict(h.split(": ", 1) for h in options.header)
    groups: dict[str, list[int]] = {}
    for spec in options.tree:
        name, pid = spec.split("=", 1)
        groups[name] = tree(int(pid))
    for spec in options.comm:
        name, command = spec.split("=", 1)
        groups[name] = by_command(command)
    loadgen.read(options.url, connections=options.connections, duration=1, headers=headers)
    time.sleep(0.5)
    before = {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in groups.items()}
    busy0, idle0 = machine()
    own0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    run = loadgen.read(
        options.url, connections=options.connections, duration=options.duration, headers=headers
    )
    own1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy1, idle1 = machine()
    after = {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in groups.items()}
    wall = run.duration_s
    requests = run.requests
    used = {name: after[name] - before[name] for name in groups}
    used["wrk"] = (own1.ru_utime + own1.ru_stime) - (own0.ru_utime + own0.ru_stime)
    used["machine busy"] = busy1 - busy0
    used["machine idle"] = idle1 - idle0
    print(
        f"{options.url}: {run.rps:.1f} req/s ({requests} requests in {wall:.1f} s, "
        f"{run.errors} errors, p50 {run.p50_ms:.2f} ms), load {load0:.2f} -> "
        f"{os.getloadavg()[0]:.2f}"
    )
    for name, seconds in used.items():
        print(
            f"  {name:14} {1000 * seconds / max(requests, 1):9.3f} ms CPU/request"
            f"  {seconds / wall:5.2f} cores"
        )
    if options.json:
        print(
            "JSON "
            + json.dumps(
                {
                    "url": options.url,
                    "rps": run.rps,
                    "requests": requests,
                    "seconds": wall,
                    "cpu_s": used,
                    "load": [load0, os.getloadavg()[0]],
                }
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
