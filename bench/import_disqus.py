"""Disqus import throughput and memory: one command.

    .venv/bin/python bench/import_disqus.py                 # 1,000,000 comments
    .venv/bin/python bench/import_disqus.py --comments 100000 --threads 2000

Generates a Disqus-shaped export (broadsheet.importers.testing.write_disqus_export) in
bench/.work/, migrates a fresh SQLite database there, runs ``manage.py import_disqus``
in a child process, and prints comments per second (wall clock, reading and writing
together), the CPU time of the import and of its reader process together, and the peak
memory of both processes together: each one's resident set (RSS, which counts the pages
they share twice) and proportional set (PSS, shared pages split between them), summed
at each moment and sampled five times a second (Linux's /proc). Goals (issue 16): at least 5,000
comments/s into SQLite and under 250 MB for 1,000,000 comments. Figures hold for the
machine and the moment: record the load average with them (printed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work" / "import"
sys.path.insert(0, str(ROOT))


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants, now."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        queue.extend(int(child) for child in children)
    return found


def _memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB; (0, 0) once it is gone."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class TreeMemory(threading.Thread):
    """The largest sums of RSS and of PSS over a process and its descendants, sampled."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = self.peak_pss = 0
        self.most_processes = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            pids = _tree(self.pid)
            sizes = [_memory_kib(pid) for pid in pids]
            self.peak_rss = max(self.peak_rss, sum(rss for rss, _ in sizes))
            self.peak_pss = max(self.peak_pss, sum(pss for _, pss in sizes))
            self.most_processes = max(self.most_processes, sum(1 for rss, _ in sizes if rss))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=0, help="default: comments / 50")
    parser.add_argument("--keep", action="store_true", help="keep the export and database")
    args = parser.parse_args()
    threads = args.threads or max(1, args.comments // 50)
    WORK.mkdir(parents=True, exist_ok=True)
    export = WORK / f"disqus-{args.comments}.xml"
    database = WORK / "import-bench.sqlite3"
    for stale in WORK.glob("import-bench.sqlite3*"):
        stale.unlink()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("REDIS_URL", None)
    # Compiled bytecode kept between runs (out of the tree), as an installed site has it:
    # with PYTHONDONTWRITEBYTECODE set, every run compiled Django and Wagtail afresh,
    # seconds of CPU that are no part of importing.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(WORK.parent / "pycache")
    python = sys.executable
    if not export.exists():
        print(f"generating {export.name} ({args.comments:,} comments, {threads:,} threads)…")
        from broadsheet.importers.testing import write_disqus_export

        write_disqus_export(export, comments=args.comments, threads=threads)
    size_mb = export.stat().st_size / 1e6
    print("migrating a fresh SQLite database…")
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    load_before = os.getloadavg()
    log = WORK / "import-output.txt"
    started = time.perf_counter()
    with log.open("w") as out:
        child = subprocess.Popen(
            [python, "manage.py", "import_disqus", str(export)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        memory = TreeMemory(child.pid)
        memory.start()
        # wait4 gives this child's usage and its reader's (migrate's is not mixed in).
        _, status, usage = os.wait4(child.pid, 0)
        memory.stop.set()
        memory.join()
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    output = log.read_text()
    if child.returncode:
        print(output[-3000:])
        return child.returncode
    cpu = usage.ru_utime + usage.ru_stime
    peak_mb = usage.ru_maxrss / 1024
    print(output[-600:])
    print(f"export: {args.comments:,} comments, {threads:,} threads, {size_mb:,.0f} MB")
    print(f"import: {elapsed:,.1f} s, {args.comments / elapsed:,.0f} comments/s (goal >= 5,000)")
    print(
        f"CPU time of the import (both processes): {cpu:,.1f} s, "
        f"{args.comments / cpu:,.0f} comments per CPU-second (two processes: the wall "
        "clock can beat it)"
    )
    print(f"peak memory of the import process alone (its maximum RSS): {peak_mb:,.0f} MB")
    print(
        f"peak memory of the import's processes together ({memory.most_processes} at most): "
        f"RSS {memory.peak_rss / 1024:,.0f} MB, PSS {memory.peak_pss / 1024:,.0f} MB (goal < 250)"
    )
    print(f"load average before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}")
    if not args.keep:
        for stale in WORK.glob("import-bench.sqlite3*"):
            stale.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
