"""The task workers' heartbeat and the sweep of tasks whose worker is gone (core.workers);
tests/test_task_worker_kill.py kills real workers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.core.models import TaskWorker
from broadsheet.core.workers import (
    LOST_WORKER_ERROR,
    MAX_RUNS,
    do_record_heartbeat,
    do_requeue_abandoned_tasks,
    worker_alive,
)

pytestmark = pytest.mark.django_db

LEASE = timedelta(seconds=60)


@pytest.fixture(autouse=True)
def lease(settings: Any) -> None:
    settings.BROADSHEET_TASKS_WORKER_LEASE = 60


def running(*worker_ids: str, started: datetime) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=started,
        worker_ids=list(worker_ids),
        task_path="broadsheet.core.tasks.prune_task_results_task",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
    )


def status(result: DBTaskResult) -> str:
    result.refresh_from_db()
    return result.status


def test_only_a_task_whose_worker_is_unheard_of_for_a_lease_is_queued_again() -> None:
    now = timezone.now()
    long_ago = now - 2 * LEASE
    do_record_heartbeat(worker_id="alive", now=now - LEASE / 2)
    do_record_heartbeat(worker_id="gone", now=now - LEASE - timedelta(seconds=1))
    of_live_worker = running("alive", started=long_ago)
    of_gone_worker = running("gone", started=long_ago)
    of_unknown_worker = running("never-beat", started=long_ago)
    just_claimed = running("not-yet-beat", started=now - LEASE / 2)

    swept = do_requeue_abandoned_tasks(now=now)

    assert sorted(swept.requeued) == sorted([str(of_gone_worker.pk), str(of_unknown_worker.pk)])
    assert swept.failed == []
    assert status(of_gone_worker) == status(of_unknown_worker) == TaskResultStatus.READY
    assert status(of_live_worker) == status(just_claimed) == TaskResultStatus.RUNNING
    assert of_gone_worker.worker_ids == ["gone"]  # its history is kept: runs are counted
    assert list(TaskWorker.objects.values_list("worker_id", flat=True)) == ["alive"]
    # A second sweep (another worker's, the schedule's) finds nothing more to do.
    assert do_requeue_abandoned_tasks(now=now).requeued == []


def test_a_task_that_lost_its_worker_max_runs_times_is_failed_not_queued_again() -> None:
    now = timezone.now()
    lost = running(*[f"w{n}" for n in range(MAX_RUNS)], started=now - 2 * LEASE)

    swept = do_requeue_abandoned_tasks(now=now)

    assert swept.failed == [str(lost.pk)]
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    assert lost.exception_class_path == LOST_WORKER_ERROR
    assert f"lost {MAX_RUNS} times" in lost.traceback


def test_a_worker_beats_while_it_runs_and_is_forgotten_when_it_stops() -> None:
    with worker_alive("w1"):
        first = TaskWorker.objects.get(worker_id="w1")
        do_record_heartbeat(worker_id="w1")
        assert TaskWorker.objects.get(worker_id="w1").seen_at > first.seen_at
    assert not TaskWorker.objects.exists()
