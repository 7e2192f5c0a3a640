"""Notification e-mail while the mail server refuses and task workers are killed: retried
with back-off, and every mail delivered once, never twice.

Real parts: aiosmtpd on 127.0.0.1 (notifications.testing's Mailbox), `manage.py db_worker`
processes (as scripts/serve.sh starts them) on a database of the test's own
(tests/task_workers.py), SIGKILL. Two readers follow a thread; a comment makes one digest
for each. The mail server refuses both (451); the worker that recorded the retries is
killed. A new worker makes the second attempts: the mail server receives the first
message and holds its answer while that worker is killed in the middle of the task. A third
worker queues the killed task again (its worker's lease ran out) and sends the other mail;
the killed one is not sent again: its delivery was claimed before the mail server was
contacted.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.core.testing import running_smtp_server
from broadsheet.discussion.testing import guest, make_thread, post
from broadsheet.notifications import tasks
from broadsheet.notifications.actions import do_subscribe
from broadsheet.notifications.models import Delivery
from broadsheet.notifications.testing import Mailbox, reader_with_address, text_part
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

SEND = "broadsheet.notifications.tasks.send_digest_task"


class HoldingMailbox(Mailbox):
    """A Mailbox (refusing `fail_next` messages first) that holds its answer to the first
    message it accepts until `release` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if answer.startswith("250") and not self.holding.is_set():
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return answer


@pytest.fixture
def database_queue(settings: Any) -> Iterator[None]:
    """This process enqueues into the production queue (see notifications' test_delivery)."""
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"
    with queued_in_database(settings, tasks):
        yield


def test_refused_mail_is_retried_and_every_mail_delivered_once_across_worker_kills(
    tmp_path: Path, database_queue: None
) -> None:
    thread = make_thread(title="Room for the river", url="/politics/room-for-the-river/")
    for name in ("rosa", "layla"):
        do_subscribe(thread=thread, kind="thread", user=reader_with_address(name))
    post(thread, guest(), "Is anyone reading this?", name="Gabriel")

    box = HoldingMailbox()
    box.fail_next = 2
    with own_database(tmp_path) as db, running_smtp_server(box) as mailers:
        email_url = f"smtp://127.0.0.1:{mailers['default']['OPTIONS']['port']}"
        deliveries = Delivery.objects.using(db.alias)
        results = DBTaskResult.objects.using(db.alias)
        try:
            # The first worker fans the comment out and meets two refusals; each delivery
            # is scheduled again, with back-off. It is killed as it waits.
            first = start_worker(db, tmp_path / "first.log", EMAIL_URL=email_url)
            retries = results.filter(status=TaskResultStatus.READY, task_path=SEND)
            wait_for(
                lambda: (
                    deliveries.filter(status=Delivery.Status.SCHEDULED, attempts=1).count() == 2
                    and retries.count() == 2
                )
            )
            kill(first)
            assert box.refused == 2 and box.messages == []
            assert all("451" in delivery.last_error for delivery in deliveries)
            assert all(r.run_after >= timezone.now() + timedelta(seconds=30) for r in retries)

            # The retries brought forward; a new worker's first message is received and
            # held unanswered while the worker is killed in the middle of the task.
            now = timezone.now()
            retries.update(run_after=now)
            deliveries.update(scheduled_for=now)
            second = start_worker(db, tmp_path / "second.log", EMAIL_URL=email_url)
            second_id = worker_id(db, second)
            wait_for(box.holding.is_set)
            kill(second)
            box.release.set()
            killed = results.get(status=TaskResultStatus.RUNNING)
            assert killed.worker_ids == [second_id]

            # Once the killed worker's lease has run out, a third worker queues its task
            # again and sends the other mail; the killed delivery is not sent again.
            wait_for(lambda: lease_over(db, second_id, killed.started_at))
            third = start_worker(db, tmp_path / "third.log", EMAIL_URL=email_url)
            third_id = worker_id(db, third)
            unfinished = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
            wait_for(lambda: not results.filter(status__in=unfinished).exists(), bound=60)
            stop(third, tmp_path / "third.log")
        finally:
            box.release.set()

        killed.refresh_from_db(using=db.alias)
        assert (killed.status, killed.return_value) == (TaskResultStatus.SUCCESSFUL, "skipped")
        assert killed.worker_ids == [second_id, third_id]
        assert not results.filter(status=TaskResultStatus.FAILED).exists()
        # Claimed before the mail server was contacted, the one killed stays "sending"
        # (its mail may have gone: here it had); the other was sent by the third worker.
        assert sorted((d.status, d.attempts) for d in deliveries) == [
            (Delivery.Status.SENDING, 2),
            (Delivery.Status.SENT, 2),
        ]

    assert box.refused == 2
    assert len(box.messages) == 2
    assert [len(box.to(f"{name}@example.org")) for name in ("rosa", "layla")] == [1, 1]
    assert all("Is anyone reading this?" in text_part(m) for m in box.messages)
