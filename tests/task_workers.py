"""Real task workers for tests: `manage.py db_worker` as scripts/serve.sh starts it, on a
database of the test's own, killed with SIGKILL when the test says.

On SQLite the suite's test database is copied (`VACUUM INTO`, schema and the rows the test
has made so far) to a file under the test's temporary directory, and registered in this
process as the connection alias `own`: the workers and the test meet in that file, never
in the suite's database, whatever other tests did to it. On PostgreSQL the workers connect
to the test database itself (a transactional test commits what it writes) and `alias` is
`default`.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from django.db import connection, connections
from django.db.utils import load_backend
from django.utils import timezone

from broadsheet.core.models import TaskWorker
from tests import servers

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@contextmanager
def queued_in_database(settings: Any, tasks_module: ModuleType) -> Iterator[None]:
    """While inside: this process enqueues `tasks_module`'s tasks into the production
    queue (the database), for real workers to run; the tests' immediate back-end after."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    importlib.reload(tasks_module)  # tasks bind their back-end when defined
    try:
        yield
    finally:
        settings.TASKS = IMMEDIATE_TASKS
        importlib.reload(tasks_module)


@dataclass
class OwnDatabase:
    url: str  # DATABASE_URL for the processes the test starts
    alias: str  # the connection alias this process reads it with
    # The workers started on it; whatever of them still runs is killed when the test ends.
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)


@contextmanager
def own_database(directory: Path) -> Iterator[OwnDatabase]:
    if connection.vendor == "postgresql":
        db = OwnDatabase(url=servers.database_url(), alias="default")
        try:
            yield db
        finally:
            kill_all(db)
        return
    path = directory / "own.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    settings_dict = {**connection.settings_dict, "NAME": str(path)}
    own = load_backend(str(settings_dict["ENGINE"])).DatabaseWrapper(settings_dict, "own")
    connections["own"] = own
    db = OwnDatabase(url=f"sqlite:///{path}", alias="own")
    try:
        yield db
    finally:
        kill_all(db)
        own.close()
        del connections["own"]


# A short lease, so a killed worker's task is queued again within seconds.
LEASE_SECONDS = 1


def start_worker(db: OwnDatabase, log: Path, **env: str) -> subprocess.Popen[bytes]:
    """`manage.py db_worker --queue-name '*' --interval 1` (scripts/serve.sh's command) on
    `db`, once it has recorded its first heartbeat."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": db.url,
        "BROADSHEET_TASKS_WORKER_LEASE": str(LEASE_SECONDS),
        **env,
    }
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "1"]
    with log.open("wb") as out:
        worker = subprocess.Popen(
            command, cwd=servers.ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    db.workers.append(worker)
    workers = TaskWorker.objects.using(db.alias)
    wait_for(lambda: workers.filter(pid=worker.pid).exists() or worker.poll() is not None)
    assert worker.poll() is None, log.read_text()
    return worker


def worker_id(db: OwnDatabase, worker: subprocess.Popen[bytes]) -> str:
    return TaskWorker.objects.using(db.alias).get(pid=worker.pid).worker_id


def lease_over(db: OwnDatabase, worker_id: str, started_at: datetime | None) -> bool:
    """Whether a sweep now would find the killed worker `worker_id`'s task (claimed at
    `started_at`) abandoned: both its last heartbeat and its start are a lease ago."""
    seen = TaskWorker.objects.using(db.alias).get(worker_id=worker_id).seen_at
    assert started_at is not None
    return timezone.now() > max(seen, started_at) + timedelta(seconds=LEASE_SECONDS)


def kill(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)


def kill_all(db: OwnDatabase) -> None:
    for worker in db.workers:
        if worker.poll() is None:
            kill(worker)


def stop(worker: subprocess.Popen[bytes], log: Path) -> None:
    """SIGTERM, as the supervisor stops it: a graceful exit (status 0)."""
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0, log.read_text()


def wait_for(condition: Callable[[], object], bound: float = 120) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
