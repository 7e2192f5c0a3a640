"""`manage.py db_worker`: django-tasks-db's worker, with a heartbeat so that a task it was
running when it died is queued again (broadsheet.core.workers).

It takes the library's command's name and arguments (as staticfiles' `runserver` does
Django's: `broadsheet.core` comes first in INSTALLED_APPS), so scripts/serve.sh, the
systemd unit and any operator's habit run it unchanged.

`--with-schedule` runs the schedule (what `manage.py run_schedule` does) in a thread of
this process: one process, and one copy of Django in memory, fewer (scripts/serve.sh).
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from broadsheet.core.schedule import ScheduleThread
from broadsheet.core.workers import worker_alive


class Command(db_worker.Command):
    help = (
        "Run a database task worker that records a heartbeat, and first queue again what "
        "a vanished worker was running."
    )
    # Django's system checks load the URLconf, the admin's views and Wagtail's image
    # libraries: tens of MB a long-running worker would keep for nothing (docs/
    # performance.md, "Memory per process"). `manage.py check` and `migrate` run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--with-schedule",
            action="store_true",
            help="Also enqueue the periodic jobs of BROADSHEET_SCHEDULE, in a thread of this "
            "worker (instead of a `run_schedule` process of their own).",
        )

    def handle(self, *args: Any, worker_id: str, reload: bool, batch: bool, **options: Any) -> None:
        with_schedule = bool(options.pop("with_schedule", False))
        run = super().handle
        arguments = {"worker_id": worker_id, "reload": reload, "batch": batch, **options}
        # With --reload, this process only watches the files: its child, started with
        # DJANGO_AUTORELOAD_ENV set, is the worker (and beats for itself).
        if reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            run(*args, **arguments)
            return
        schedule = ScheduleThread() if with_schedule and not batch else None
        with worker_alive(worker_id):
            if schedule is not None:
                schedule.start()
            try:
                run(*args, **arguments)
            finally:
                if schedule is not None:
                    schedule.stop()
