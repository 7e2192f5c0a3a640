"""A task worker killed in the middle of a task: the task is queued again once its worker's
lease has run out, and runs to completion once, on a new worker.

Real parts: `manage.py db_worker` processes (as scripts/serve.sh starts them) on a database
of the test's own (tests/task_workers.py), SIGKILL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.core.models import TaskWorker
from tests import worker_tasks
from tests.task_workers import (
    kill,
    lease_over,
    own_database,
    queued_in_database,
    start_worker,
    stop,
    wait_for,
    worker_id,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def database_queue(settings: Any) -> Iterator[None]:
    """This process enqueues into the production queue, for the workers to run."""
    with queued_in_database(settings, worker_tasks):
        yield


def test_the_task_of_a_killed_worker_runs_to_completion_once_on_a_new_worker(
    tmp_path: Path, database_queue: None
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    runs = work / "runs"
    worker_tasks.hold_then_finish_task.enqueue(directory=str(work))

    with own_database(tmp_path) as db:
        results = DBTaskResult.objects.using(db.alias)
        first = start_worker(db, tmp_path / "first.log")
        first_id = worker_id(db, first)
        wait_for(lambda: runs.exists() and runs.read_text().count("start") == 1)
        kill(first)
        (work / "go").touch()
        assert results.get().status == TaskResultStatus.RUNNING

        # Until the killed worker's lease has run out its task is left alone (a live
        # worker may be slow to beat); then a new worker's start-up sweep queues it again.
        wait_for(lambda: lease_over(db, first_id, results.get().started_at))
        second = start_worker(db, tmp_path / "second.log")
        second_id = worker_id(db, second)
        wait_for(lambda: results.get().status == TaskResultStatus.SUCCESSFUL, bound=60)
        stop(second, tmp_path / "second.log")

        result = results.get()
        assert result.worker_ids == [first_id, second_id]
        assert result.return_value == "done"
        assert "queued" in (tmp_path / "second.log").read_text()
        # The killed worker is forgotten by the sweep, the stopped one as it stopped.
        assert not TaskWorker.objects.using(db.alias).exists()
    started, ended = (
        [line.split()[1] for line in runs.read_text().splitlines() if line.startswith(word)]
        for word in ("start", "end")
    )
    assert started == [str(first.pid), str(second.pid)]
    assert ended == [str(second.pid)]
