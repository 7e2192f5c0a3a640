"""The console log of the served site: the task worker's routine lines are left out."""

from __future__ import annotations

import io
import logging
import logging.config
import signal
from collections.abc import Iterator

import pytest
from django.conf import settings
from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from broadsheet.core.logs import ROUTINE_LOGGERS


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """The console handler of settings.LOGGING, writing into a buffer; the test run's
    own logging set-up is put back afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    names = (*ROUTINE_LOGGERS, TASKS_LOGGER)
    levels = {name: logging.getLogger(name).level for name in names}
    logging.config.dictConfig(settings.LOGGING)
    buffer = io.StringIO()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(buffer)
    signals = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGQUIT)}
    yield buffer
    for sig, previous in signals.items():  # the worker's start-up takes these signals
        signal.signal(sig, previous)
    root.handlers[:], root.level = saved
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_the_worker_and_schedule_routine_lines_stay_out_but_warnings_show(
    console: io.StringIO,
) -> None:
    # What `manage.py db_worker` does at start: its loggers to INFO, whatever LOGGING says.
    DbWorker().configure_logging(verbosity=1)
    # The logger the installed worker reports task states on (Django's own "django.tasks"
    # under Django 6: the lines `make demo` printed for every periodic run, issue 14).
    logging.getLogger(TASKS_LOGGER).info("Task id=1 path=x state=RUNNING")
    logging.getLogger("django_tasks").info("Task id=3 path=y state=SUCCESSFUL")
    logging.getLogger("django_tasks_db").info("Starting worker worker_id=abc queues=*")
    logging.getLogger("broadsheet.core.schedule").info("schedule: enqueued publish")
    logging.getLogger("django_tasks_db").warning("Task id=2 failed to claim")
    logging.getLogger("broadsheet.notifications").warning("mail server refused")
    printed = console.getvalue()
    assert "RUNNING" not in printed and "SUCCESSFUL" not in printed
    assert "Starting worker" not in printed
    assert "enqueued publish" not in printed
    assert "failed to claim" in printed
    assert "mail server refused" in printed
