"""Where a Disqus import's time goes, phase by phase: one command.

    .venv/bin/python bench/import_phases.py --comments 100000

Runs in one process on a fresh SQLite database in bench/.work/import/ (the export is
the one bench/import_disqus.py generates and keeps there): first the reading alone,
then the whole import, with the CPU time (``time.process_time``) and the wall clock of
each phase, each counted once (a phase's figure excludes the phases inside it):

- reading: XML parsing alone (``records`` over the file), and the post's fields and
  its text as Markdown, both timed alone in this process before the import (in the
  import they run in its reader process, importers/reader.py, whose CPU time is not
  this process's); then this process's share of the import's reading: the rows taken
  from the reader, rendered and staged (its wall clock is the whole reading's);
- writing: the scratch file read back per thread, matching and registering threads,
  each comment's values (parents, statuses, IP hashes), the comments' INSERT with
  their rendering, tree positions and counters, ImportedRecord rows and look-ups, and
  commits (the outermost transaction's end).

The timers wrap per-thread and per-batch calls only (a few per thread), so they cost
little; per comment, only the whole reading is timed. Figures hold for the machine and
the moment: run it under ``flock -x`` and record the load average (printed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work" / "import"
sys.path.insert(0, str(ROOT))


class Phases:
    """Exclusive CPU and wall time per phase: time inside a nested phase is its own. A
    phase named with a leading "+" is a part of whichever phase calls it ("comments:
    INSERT … + statements")."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        # [phase, cpu at start, wall at start, child cpu, child wall]
        self._stack: list[list[Any]] = []

    def wrap(self, owner: Any, name: str, phase: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            label = phase
            if phase.startswith("+"):
                label = (self._stack[-1][0] if self._stack else "(outside)") + " " + phase
            frame: list[Any] = [label, time.process_time(), time.perf_counter(), 0.0, 0.0]
            self._stack.append(frame)
            try:
                return original(*args, **kwargs)
            finally:
                self._stack.pop()
                cpu: float = time.process_time() - frame[1]
                wall: float = time.perf_counter() - frame[2]
                self.cpu[label] = self.cpu.get(label, 0.0) + cpu - float(frame[3])
                self.wall[label] = self.wall.get(label, 0.0) + wall - float(frame[4])
                if self._stack:
                    self._stack[-1][3] += cpu
                    self._stack[-1][4] += wall

        setattr(owner, name, timed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=0, help="default: comments / 50")
    parser.add_argument(
        "--page-cache-kib", type=int, default=None, help="the import's SQLite page cache"
    )
    parser.add_argument(
        "--checkpoint-pages", type=int, default=None, help="the import's wal_autocheckpoint"
    )
    parser.add_argument("--batch", type=int, default=None, help="comments per transaction")
    args = parser.parse_args()
    threads = args.threads or max(1, args.comments // 50)
    WORK.mkdir(parents=True, exist_ok=True)
    export = WORK / f"disqus-{args.comments}.xml"
    database = WORK / "import-phases.sqlite3"
    for stale in WORK.glob("import-phases.sqlite3*"):
        stale.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.pop("REDIS_URL", None)
    if not export.exists():
        from broadsheet.importers.testing import write_disqus_export

        write_disqus_export(export, comments=args.comments, threads=threads)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=os.environ,
        check=True,
    )
    import django

    django.setup()
    from broadsheet.importers import comments, disqus, xmlstream
    from broadsheet.importers.matching import ThreadMatcher
    from broadsheet.importers.pipeline import run_import
    from broadsheet.importers.report import Progress
    from broadsheet.importers.staging import Staging

    load_before = os.getloadavg()
    # Reading alone, twice over: parsing only, then parsing and the fields of each post.
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in xmlstream.records(export, {"thread", "post", "category"}, depth=1):
        pass
    parse = (time.process_time() - cpu0, time.perf_counter() - wall0)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for element in xmlstream.records(export, {"thread", "post", "category"}, depth=1):
        if xmlstream.local_name(element.tag) == "post":
            disqus._post(element, element.get(disqus.DSQ_ID) or "")
    fields = (time.process_time() - cpu0, time.perf_counter() - wall0)
    ThreadMatcher()  # Django's and Wagtail's first queries: not the import's
    if args.page_cache_kib is not None:
        from broadsheet.importers import record_writes

        record_writes.IMPORT_PAGE_CACHE_KIB = args.page_cache_kib
    if args.checkpoint_pages is not None:
        from broadsheet.importers import record_writes

        record_writes.IMPORT_CHECKPOINT_PAGES = args.checkpoint_pages
    if args.batch is not None:
        comments.BATCH_COMMENTS = args.batch

    phases = Phases()
    from broadsheet.importers import pipeline

    phases.wrap(pipeline, "read_in_reader_process", "reading (whole)")
    phases.wrap(Staging, "comments_of", "scratch file read back")
    phases.wrap(ThreadMatcher, "match", "threads: matching")
    phases.wrap(comments, "do_register_thread", "threads: registering")
    phases.wrap(comments, "do_close_thread", "threads: registering")
    for name, phase in (
        ("_records", "ImportedRecord look-ups"),
        ("recorded", "ImportedRecord look-ups"),
        ("_add_records", "ImportedRecord rows"),
        ("add_records", "ImportedRecord rows"),
    ):
        if hasattr(comments, name):  # the names before and after the records' own module
            phases.wrap(comments, name, phase)
    phases.wrap(comments, "_items", "comment values (parents, statuses, IP hashes)")
    phases.wrap(comments, "do_import_comments", "comments: INSERT, rendering, paths, counters")
    phases.wrap(comments, "_import_thread", "per-thread rest (savepoints, report)")
    from django.db import connection
    from django.db.backends import utils as db_utils

    from broadsheet.discussion import events
    from broadsheet.discussion.actions import importing

    phases.wrap(importing, "render_markdown", "+ rendering")
    phases.wrap(db_utils.CursorWrapper, "executemany", "+ executemany")
    phases.wrap(connection, "commit", "commits")
    phases.wrap(events, "publish", "events after commit (listeners)")
    children0 = os.times().children_user + os.times().children_system
    cpu0, wall0 = time.process_time(), time.perf_counter()
    report = run_import(disqus.SOURCE, export, dry_run=False, progress=Progress())
    total = (time.process_time() - cpu0, time.perf_counter() - wall0)
    reader_cpu = os.times().children_user + os.times().children_system - children0
    created = report.counts["comments created"]
    n = args.comments
    print(f"export: {n:,} comments, {threads:,} threads; created {created:,}")
    print(f"{'phase':<52} {'CPU s':>8} {'µs/comment':>11} {'wall s':>8}")

    def line(name: str, cpu: float, wall: float) -> None:
        print(f"{name:<52} {cpu:>8.1f} {cpu / n * 1e6:>11.1f} {wall:>8.1f}")

    read_cpu = phases.cpu.pop("reading (whole)")
    read_wall = phases.wall.pop("reading (whole)")
    line("reader process: XML parsing (timed alone, before)", *parse)
    fields_only = (fields[0] - parse[0], fields[1] - parse[1])
    line("reader process: fields, Markdown (timed alone)", *fields_only)
    line("reading: rows staged and rendered (this process)", read_cpu, read_wall)
    for name in phases.cpu:
        line(name, phases.cpu[name], phases.wall[name])
    accounted_cpu = read_cpu + sum(phases.cpu.values())  # this process's only
    accounted_wall = read_wall + sum(phases.wall.values())
    line("rest (batches, progress, run row)", total[0] - accounted_cpu, total[1] - accounted_wall)
    line("total of this process (the import, start-up excluded)", *total)
    line("reader process (its whole CPU time, start-up included)", reader_cpu, 0.0)
    both = total[0] + reader_cpu
    print(f"comments/s: {n / total[1]:,.0f} wall, {n / both:,.0f} per CPU-second (both processes)")
    print(f"load average before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}")
    for stale in WORK.glob("import-phases.sqlite3*"):
        stale.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
