"""Task workers' liveness, and the sweep that queues again what a vanished worker was running.

django-tasks-db claims a task by marking it RUNNING with the worker's id, and has no lease:
a worker killed in the middle of a task (SIGKILL, out of memory, a lost machine) leaves it
RUNNING forever, never tried again. So every worker (our `db_worker`, which wraps the
library's) records a heartbeat in TaskWorker every quarter of BROADSHEET_TASKS_WORKER_LEASE
seconds, and `do_requeue_abandoned_tasks` — run by every worker as it starts and every
minute from BROADSHEET_SCHEDULE — marks READY again each RUNNING task that started more than
a lease ago on a worker not heard from for a lease. A task that has taken down its worker
MAX_RUNS times is marked FAILED instead, so one that kills every worker cannot loop.

A task may therefore run twice (its first run was cut short, or in the rare case of a live
worker unheard from for a whole lease): every task of ours is safe to run again
(docs/deployment.md, "Tasks that run again").
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.core.models import TaskWorker

log = logging.getLogger(__name__)

# Runs of one task cut short by their worker's loss before it is given up as failed.
MAX_RUNS = 3
LOST_WORKER_ERROR = "broadsheet.core.workers.WorkerLost"


def lease() -> timedelta:
    return timedelta(seconds=settings.BROADSHEET_TASKS_WORKER_LEASE)


def heartbeat_interval() -> float:
    return float(settings.BROADSHEET_TASKS_WORKER_LEASE) / 4


def do_record_heartbeat(*, worker_id: str, now: datetime | None = None) -> None:
    """Say that the worker `worker_id` (this process) is alive."""
    TaskWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now or timezone.now()},
        create_defaults={
            "seen_at": now or timezone.now(),
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


def do_retire_worker(*, worker_id: str) -> None:
    """Forget a worker that stopped gracefully (it finished or failed its task first)."""
    TaskWorker.objects.filter(worker_id=worker_id).delete()


@dataclass(frozen=True)
class Swept:
    requeued: list[str]
    failed: list[str]


def do_requeue_abandoned_tasks(*, now: datetime | None = None) -> Swept:
    """Queue again every RUNNING task whose worker is gone: it started more than a lease ago
    and its worker (the last of its `worker_ids`) has not been heard from for a lease. After
    MAX_RUNS such runs it is marked FAILED instead. Each change is a conditional update on
    the run's start time, so sweeps running at once (several workers, the schedule) change
    a task once between them, and never one that a worker has claimed again meanwhile."""
    now = now or timezone.now()
    cutoff = now - lease()
    alive = set(TaskWorker.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    abandoned = [
        result
        for result in DBTaskResult.objects.running()
        .filter(started_at__lt=cutoff)
        .only("id", "task_path", "worker_ids", "started_at")
        if not result.worker_ids or result.worker_ids[-1] not in alive
    ]
    swept = Swept(requeued=[], failed=[])
    for result in abandoned:
        worker = result.worker_ids[-1] if result.worker_ids else "?"
        this_run = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        )
        runs = len(result.worker_ids)
        if runs >= MAX_RUNS:
            changed = this_run.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=LOST_WORKER_ERROR,
                traceback=(
                    f"{LOST_WORKER_ERROR}: the worker running this task was lost {runs} "
                    f"times (last {worker}); not queued again.\n"
                ),
            )
            if changed:
                swept.failed.append(str(result.pk))
                log.error(
                    "tasks: %s (%s) failed: its worker was lost %d times (last %s)",
                    result.task_path,
                    result.pk,
                    runs,
                    worker,
                )
            continue
        if this_run.update(status=TaskResultStatus.READY):
            swept.requeued.append(str(result.pk))
            log.warning(
                "tasks: queued %s (%s) again: its worker %s has not been heard from since "
                "before %s (run %d of at most %d)",
                result.task_path,
                result.pk,
                worker,
                cutoff.isoformat(timespec="seconds"),
                runs,
                MAX_RUNS,
            )
    # Workers unheard of for a lease are gone (a live one recreates its row next beat).
    TaskWorker.objects.filter(seen_at__lt=cutoff).delete()
    return swept


class Heartbeat(threading.Thread):
    """Records the worker's heartbeat every `heartbeat_interval()` seconds, also while its
    task runs (the worker's loop does not come round during a long task). A beat the
    database refuses (busy, or down a moment) is logged and the next one tried."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat {worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(heartbeat_interval()):
                close_old_connections()
                try:
                    do_record_heartbeat(worker_id=self.worker_id)
                except DatabaseError as error:
                    log.warning("tasks: heartbeat of %s not recorded: %s", self.worker_id, error)
        finally:
            connection.close()


@contextmanager
def worker_alive(worker_id: str) -> Iterator[None]:
    """While the worker runs: its first heartbeat and the start-up sweep before it claims
    anything, then a heartbeat in the background; forgotten when it stops gracefully."""
    with transaction.atomic():
        do_record_heartbeat(worker_id=worker_id)
    do_requeue_abandoned_tasks()
    beat = Heartbeat(worker_id)
    beat.start()
    try:
        yield
    finally:
        beat.stopping.set()
        beat.join(5)
        do_retire_worker(worker_id=worker_id)
