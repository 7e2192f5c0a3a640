"""Logging helpers for the console of `make demo` / `make serve` and the systemd units."""

from __future__ import annotations

import logging

# Routine chatter of the background machinery: the task worker reports every task's start
# and end at INFO, and `run_schedule` enqueues scheduled publishing every 10 s, so an
# idle site printed several lines every 10 s and buried the requests and warnings.
# "django.tasks" is Django's own tasks logger (Django ≥ 6.0: "Task id=… state=RUNNING"),
# which django-tasks-db's worker uses there; "django_tasks" the backport's.
ROUTINE_LOGGERS = ("django.tasks", "django_tasks", "django_tasks_db", "broadsheet.core.schedule")


class QuietRoutineTasks(logging.Filter):
    """Drop the task worker's and the schedule's records below WARNING; keep the rest.

    A handler filter rather than a logger level, because `manage.py db_worker` sets its
    loggers' levels itself (to INFO at the default verbosity) after LOGGING is applied.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        name = record.name
        return not any(name == quiet or name.startswith(f"{quiet}.") for quiet in ROUTINE_LOGGERS)
