"""The schedule as a thread of the task worker (`db_worker --with-schedule`): it enqueues
the due jobs like `run_schedule`, a failing tick does not stop it, and it stops when
asked."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django_tasks import task

from broadsheet.core.schedule import ScheduleThread

RAN = threading.Event()


@task()
def note_run_task() -> None:
    RAN.set()


@pytest.mark.django_db(transaction=True)
def test_the_schedule_thread_enqueues_due_jobs_survives_a_failing_tick_and_stops(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    RAN.clear()
    settings.BROADSHEET_SCHEDULE = {
        # Claimed, then fails to import: the whole tick fails.
        "broadsheet.core.tests.test_schedule_thread.no_such_task": 10,
        f"{__name__}.note_run_task": 10,
    }
    schedule = ScheduleThread(tick_seconds=0.05)
    schedule.start()
    try:
        assert RAN.wait(10), "the due job was never enqueued"
    finally:
        schedule.stop()
    assert not schedule.is_alive()
    assert "schedule: a tick failed" in caplog.text


def test_stopping_an_idle_schedule_thread_is_prompt(settings: Any) -> None:
    settings.BROADSHEET_SCHEDULE = {}
    schedule = ScheduleThread(tick_seconds=30)
    schedule.start()
    started = time.monotonic()
    schedule.stop()
    assert not schedule.is_alive() and time.monotonic() - started < 5
