"""The periodic jobs: which task runs how often (BROADSHEET_SCHEDULE), enqueued for the
task worker by `manage.py run_schedule`, or by a thread of the task worker itself
(`manage.py db_worker --with-schedule`: one process fewer, the same claims).

The tasks are named by dotted path in the setting, so `core` knows no app above it. Each
due run is claimed in the shared cache first (one slot per job per interval), so any
number of `run_schedule` processes, on one machine or behind a load balancer with Redis,
enqueue a job once per interval between them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    task_path: str
    every_seconds: int

    @property
    def name(self) -> str:
        return self.task_path.rsplit(".", 1)[-1]


def scheduled_jobs() -> list[Job]:
    jobs = []
    for task_path, every in settings.BROADSHEET_SCHEDULE.items():
        if every <= 0:  # switched off
            continue
        jobs.append(Job(task_path=task_path, every_seconds=int(every)))
    return jobs


def claim_run(job: Job, now: float) -> bool:
    """True for the first claimant of this job's current slot, False for any other."""
    slot = int(now // job.every_seconds)
    return bool(cache.add(f"schedule:{job.task_path}:{slot}", 1, job.every_seconds * 2))


def enqueue_due(jobs: list[Job], now: float) -> list[str]:
    """Enqueue every job whose slot has not been claimed yet; the names enqueued."""
    enqueued = []
    for job in jobs:
        if claim_run(job, now):
            import_string(job.task_path).enqueue()
            enqueued.append(job.name)
    return enqueued


def run_schedule(
    *,
    tick_seconds: float = 1.0,
    stop_after: float | None = None,
    clock: Callable[[], float] = time.time,
    stopping: threading.Event | None = None,
) -> int:
    """Enqueue due jobs every tick until stopped (`stopping` set, or after `stop_after`
    seconds). Returns how many runs it enqueued."""
    jobs = scheduled_jobs()
    started = clock()
    total = 0
    while stop_after is None or clock() - started < stop_after:
        for name in enqueue_due(jobs, clock()):
            log.info("schedule: enqueued %s", name)
            total += 1
        if stopping is None:
            time.sleep(tick_seconds)
        elif stopping.wait(tick_seconds):
            break
    return total


class ScheduleThread(threading.Thread):
    """`run_schedule` in a thread of the task worker (`db_worker --with-schedule`). A tick
    that fails (the database or the cache busy, or down a moment) is logged and the next
    one tried: the schedule never stops while its worker runs."""

    def __init__(self, *, tick_seconds: float = 1.0) -> None:
        super().__init__(name="schedule", daemon=True)
        self.tick_seconds = tick_seconds
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                close_old_connections()
                try:
                    run_schedule(
                        tick_seconds=self.tick_seconds, stopping=self.stopping, stop_after=60
                    )
                except Exception:
                    log.exception("schedule: a tick failed; trying again")
                    self.stopping.wait(self.tick_seconds)
        finally:
            connection.close()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self.join(timeout)
