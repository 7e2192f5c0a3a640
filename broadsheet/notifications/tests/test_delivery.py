"""Delivery through the database task queue: digests per interval, at most once, and
retries with back-off when the mail server fails. The worker runs in-process
(``db_worker --batch``); time is moved in the database, never waited for."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import post
from broadsheet.notifications import tasks
from broadsheet.notifications.actions import do_send_delivery, do_subscribe
from broadsheet.notifications.models import Delivery, Subscription
from broadsheet.notifications.testing import Mailbox, text_part

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def database_queue(settings: Any) -> Iterator[None]:
    """The production queue. A task object takes its class from the backend configured
    when it is defined, so the tasks module is defined again for this backend (and once
    more afterwards for the suite's immediate backend)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    importlib.reload(tasks)
    yield
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    importlib.reload(tasks)


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)


def fast_forward() -> None:
    """Bring every deferred task and scheduled delivery to now."""
    now = timezone.now()
    DBTaskResult.objects.filter(run_after__gt=now).update(run_after=now)
    Delivery.objects.filter(status=Delivery.Status.SCHEDULED).update(scheduled_for=now)


def test_comments_within_the_interval_go_out_together_as_one_digest(
    smtp: Mailbox, thread: Thread, rosa: Any, guest_gabriel: Actor, guest_layla: Actor
) -> None:
    do_subscribe(thread=thread, kind="thread", user=rosa)
    post(thread, guest_gabriel, "First thoughts.", name="Gabriel")
    assert smtp.messages == []  # queued, not sent in the request
    run_worker()
    assert [m["Subject"] for m in smtp.messages] == ["New comment on “Room for the river”"]

    post(thread, guest_layla, "Second thoughts.", name="Layla", email="layla@example.org")
    post(thread, guest_gabriel, "Third thoughts.", name="Gabriel")
    run_worker()
    assert len(smtp.messages) == 1  # the digest waits for the end of the interval
    waiting = Delivery.objects.get(status=Delivery.Status.SCHEDULED)
    assert waiting.items.count() == 2
    deferred = DBTaskResult.objects.filter(status=TaskResultStatus.READY).get()
    assert deferred.run_after >= timezone.now() + timedelta(seconds=590)

    fast_forward()
    run_worker()
    assert len(smtp.messages) == 2
    digest = smtp.messages[1]
    assert digest["Subject"] == "2 new comments on “Room for the river”"
    assert "Second thoughts." in text_part(digest) and "Third thoughts." in text_part(digest)

    # Idempotent: a second run of the same task sends nothing.
    assert do_send_delivery(delivery_id=waiting.pk) == "skipped"
    run_worker()
    assert len(smtp.messages) == 2


def test_a_failing_mail_server_is_retried_with_back_off_and_the_mail_arrives_once(
    smtp: Mailbox, thread: Thread, rosa: Any, guest_gabriel: Actor, settings: Any
) -> None:
    settings.BROADSHEET_NOTIFICATIONS_RETRY_DELAY = 120
    do_subscribe(thread=thread, kind="thread", user=rosa)
    smtp.fail_next = 1
    post(thread, guest_gabriel, "Are you there?", name="Gabriel")
    run_worker()
    assert smtp.refused == 1 and smtp.messages == []
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SCHEDULED and delivery.attempts == 1
    assert "451" in delivery.last_error
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after >= timezone.now() + timedelta(seconds=110)

    run_worker()  # not due yet
    assert smtp.messages == []
    fast_forward()
    run_worker()
    [mail] = smtp.messages
    assert "Are you there?" in text_part(mail)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_a_delivery_is_given_up_after_the_last_attempt(
    smtp: Mailbox, thread: Thread, rosa: Any, guest_gabriel: Actor, settings: Any
) -> None:
    settings.BROADSHEET_NOTIFICATIONS_MAX_ATTEMPTS = 2
    do_subscribe(thread=thread, kind="thread", user=rosa)
    smtp.fail_next = 5
    post(thread, guest_gabriel, "Hello?", name="Gabriel")
    run_worker()
    fast_forward()
    run_worker()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, smtp.refused) == ("failed", 2, 2)
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_cancelling_drops_what_was_waiting(
    smtp: Mailbox, thread: Thread, rosa: Any, guest_gabriel: Actor
) -> None:
    from broadsheet.notifications.actions import do_cancel_subscription

    sub = do_subscribe(thread=thread, kind="thread", user=rosa).subscription
    post(thread, guest_gabriel, "One.", name="Gabriel")
    do_cancel_subscription(subscription=sub)
    fast_forward()
    run_worker()
    assert smtp.messages == []
    assert Subscription.objects.get().status == Subscription.Status.CANCELLED
    assert not Delivery.objects.exists()
