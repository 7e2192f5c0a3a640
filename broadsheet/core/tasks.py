"""Housekeeping tasks of the project itself (Django's tasks framework)."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django_tasks import task, task_backends
from django_tasks_db import DatabaseBackend

from broadsheet.core.workers import do_requeue_abandoned_tasks


@task()
def prune_task_results_task() -> str:
    """Delete finished task results older than 14 days (daily on BROADSHEET_SCHEDULE):
    the schedule alone enqueues ~11,500 runs a day, each leaving a row."""
    out = StringIO()
    if not isinstance(task_backends["default"], DatabaseBackend):
        return "no database queue to prune"
    call_command("prune_db_task_results", "--queue-name", "*", stdout=out)
    return out.getvalue()


@task()
def requeue_abandoned_tasks_task() -> str:
    """Queue again what a vanished task worker was running (every minute on
    BROADSHEET_SCHEDULE; every worker also sweeps as it starts). See core.workers."""
    swept = do_requeue_abandoned_tasks()
    return f"{len(swept.requeued)} queued again, {len(swept.failed)} failed"
