"""A notification e-mail while the mail server refuses and the task worker is killed:
retried with back-off, and sent once, never twice.

Real parts: aiosmtpd on 127.0.0.1, `manage.py db_worker` processes on the suite's database,
SIGKILL. The mail server refuses the first attempt (451); the worker that recorded the
retry is killed; a new one makes the second attempt, which the mail server receives and
then holds unanswered while that worker is killed too; a third worker finds nothing to
send again: the delivery was claimed before the mail server was contacted.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from broadsheet.core.testing import running_smtp_server
from broadsheet.discussion.testing import guest, make_thread, post
from broadsheet.notifications import tasks
from broadsheet.notifications.actions import do_subscribe
from broadsheet.notifications.models import Delivery
from broadsheet.notifications.testing import reader_with_address, text_part
from tests import servers

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    # The queue and the mail do not depend on the database: once, in the SQLite pass.
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="runs once, in the SQLite pass",
    ),
]


SEND = "broadsheet.notifications.tasks.send_digest_task"


class RefusingThenHolding:
    """451 to the first message. The second is received, then held unanswered until
    `release` is set; any later one is received and accepted at once."""

    def __init__(self) -> None:
        self.refused = 0
        self.received: list[EmailMessage] = []
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refused == 0:
            self.refused += 1
            return "451 4.3.0 Temporary failure, try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        if len(self.received) == 1:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return "250 OK"


@pytest.fixture(autouse=True)
def database_queue(settings: Any) -> Iterator[None]:
    """This process enqueues into the production queue (see notifications' test_delivery)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"
    importlib.reload(tasks)
    yield
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    importlib.reload(tasks)


def start_worker(smtp_port: int, log: Path) -> subprocess.Popen[bytes]:
    """`manage.py db_worker` on the suite's database, once it has started its loop."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": servers.database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
    }
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.2"]
    with log.open("wb") as out:
        worker = subprocess.Popen(
            command, cwd=servers.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    wait_for(lambda: b"Starting worker" in log.read_bytes() or worker.poll() is not None)
    assert worker.poll() is None, log.read_text()
    return worker


def wait_for(condition: Callable[[], object], bound: float = 120) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def kill(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)


def test_a_refused_mail_is_retried_and_sent_once_whatever_worker_is_killed(
    tmp_path: Path,
) -> None:
    thread = make_thread(title="Room for the river", url="/politics/room-for-the-river/")
    do_subscribe(thread=thread, kind="thread", user=reader_with_address("rosa", name="Rosa"))
    server = RefusingThenHolding()
    with running_smtp_server(server) as mailers:
        smtp_port = int(mailers["default"]["OPTIONS"]["port"])
        post(thread, guest(), "Is anyone reading this?", name="Gabriel")

        # The first worker meets the refusal and schedules the retry (a minute away);
        # it is killed while it waits.
        first = start_worker(smtp_port, tmp_path / "first.log")
        retries = DBTaskResult.objects.filter(status="READY", task_path=SEND)
        wait_for(
            lambda: (
                Delivery.objects.filter(status=Delivery.Status.SCHEDULED, attempts=1).exists()
                and retries.exists()
            )
        )
        kill(first)
        delivery = Delivery.objects.get()
        assert server.refused == 1 and server.received == []
        assert "451" in delivery.last_error
        retry = retries.get()
        assert retry.run_after >= timezone.now() + timedelta(seconds=30)  # back-off

        # The retry brought forward; a new worker makes the second attempt and is killed
        # while the mail server holds the message it received.
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
        Delivery.objects.filter(pk=delivery.pk).update(scheduled_for=timezone.now())
        second = start_worker(smtp_port, tmp_path / "second.log")
        wait_for(server.holding.is_set)
        kill(second)
        server.release.set()

        # A third worker: nothing is sent again.
        third = start_worker(smtp_port, tmp_path / "third.log")
        wait_for(lambda: not DBTaskResult.objects.ready().exists())
        time.sleep(2)  # what it would send again, it would send now
        third.send_signal(signal.SIGTERM)
        assert third.wait(30) == 0

    assert len(server.received) == 1
    assert "Is anyone reading this?" in text_part(server.received[0])
    delivery.refresh_from_db()
    # Claimed before the mail server was contacted, so never sent twice; killed before
    # the mail server's answer, it stays "sending" (the mail may have gone).
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENDING, 2)
