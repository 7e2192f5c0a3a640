"""A task for tests/test_task_worker_kill.py, importable by the workers it starts."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def hold_then_finish_task(directory: str) -> str:
    """Note its start in `directory`/runs, wait until `directory`/go exists, note its end."""
    here = Path(directory)
    with (here / "runs").open("a") as runs:
        runs.write(f"start {os.getpid()}\n")
    deadline = time.monotonic() + 60
    while not (here / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    with (here / "runs").open("a") as runs:
        runs.write(f"end {os.getpid()}\n")
    return "done"
