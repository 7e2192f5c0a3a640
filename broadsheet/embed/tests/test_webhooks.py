"""Signed webhooks against a real receiver on loopback: payloads, signatures (and key
rotation), retries with back-off, disabling after repeated failures, redelivery, and the
outbound guard."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from broadsheet.core.signatures import verify
from broadsheet.core.testing import Receiver, running_receiver
from broadsheet.discussion.actions import do_close_thread
from broadsheet.discussion.events import DiscussionEvent
from broadsheet.discussion.models import Comment
from broadsheet.discussion.testing import guest, make_user, member, post
from broadsheet.embed.actions import do_register_page
from broadsheet.embed.models import EmbeddingSite, WebhookDelivery, WebhookEndpoint
from broadsheet.embed.tests.conftest import PAGE
from broadsheet.embed.webhooks import actions, guard
from broadsheet.embed.webhooks.dispatch import payload
from broadsheet.embed.webhooks.listeners import webhook_type

Status = WebhookDelivery.Status
ROOT = Path(__file__).resolve().parents[3]

# Webhooks are queued after commit, as in production: real transactions here.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as state:
        yield state


@pytest.fixture
def endpoint(blog: EmbeddingSite, receiver: Receiver) -> WebhookEndpoint:
    # The receiver is on loopback: this site allows private addresses explicitly.
    EmbeddingSite.objects.filter(pk=blog.pk).update(allow_private_webhooks=True)
    return WebhookEndpoint.objects.create(site=blog, url=receiver.url)


@pytest.fixture
def admin(db: None) -> Any:
    user = make_user("ada", name="Ada Admin", staff=True)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def _comment(thread: Any, body: str = "Hello", parent: Any = None) -> Any:
    return post(thread, guest("g"), body, parent=parent, name="Gabriel", email="g@example.org")


def _payloads(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.received]


def _make_due(delivery: WebhookDelivery, *, ago: timedelta = timedelta(seconds=1)) -> None:
    """Time passes for one delivery: its retry is due (rather than waiting for it)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - ago)


def test_events_arrive_signed_with_id_type_time_and_data(
    endpoint: WebhookEndpoint, receiver: Receiver, blog: EmbeddingSite
) -> None:
    thread = do_register_page(site=blog, url=PAGE, title="River plan")
    first = _comment(thread)
    _comment(thread, "A reply", parent=first)
    do_close_thread(thread=thread, actor=member(make_user("mod", staff=True)))
    types = [p["type"] for p in _payloads(receiver)]
    assert types == ["thread.created", "comment.created", "comment.replied", "thread.closed"]
    created = _payloads(receiver)[1]
    assert created["id"].startswith("evt_") and created["created"]
    assert created["data"]["comment"]["id"] == first.pk
    assert created["data"]["comment"]["author"] == {"name": "Gabriel", "is_guest": True}
    assert created["data"]["thread"]["url"] == PAGE
    assert "g@example.org" not in receiver.received[1].body.decode()
    for request in receiver.received:
        headers = request.headers
        assert headers["Content-Type"] == "application/json"
        assert verify(
            headers["Broadsheet-Signature"], request.body, endpoint.secret, now=int(time.time())
        )
        assert not verify(
            headers["Broadsheet-Signature"], request.body, "whsec_wrong", now=int(time.time())
        )
        # A replayed delivery is refused once it is older than the tolerance.
        assert not verify(
            headers["Broadsheet-Signature"],
            request.body,
            endpoint.secret,
            now=int(time.time()) + 3600,
        )
    assert WebhookDelivery.objects.filter(status=Status.SUCCEEDED).count() == 4


def test_endpoints_hear_only_what_they_subscribe_to(
    endpoint: WebhookEndpoint, receiver: Receiver, blog: EmbeddingSite
) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(events=["comment.replied"])
    thread = do_register_page(site=blog, url=PAGE)
    _comment(thread, "Top")
    assert receiver.received == []


def test_a_failed_delivery_is_retried_with_exponential_back_off(
    endpoint: WebhookEndpoint, receiver: Receiver, blog: EmbeddingSite, settings: Any
) -> None:
    settings.BROADSHEET_EMBED_WEBHOOK_BACKOFF = 30
    receiver.statuses = [500, 503]
    before = timezone.now()
    thread = do_register_page(site=blog, url=PAGE)  # thread.created: the first attempt fails
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        Status.RETRYING,
        1,
        500,
    )
    assert delivery.next_attempt_at is not None
    assert timedelta(seconds=29) < delivery.next_attempt_at - before < timedelta(seconds=35)
    assert actions.due_deliveries() == []  # not yet due
    assert actions.do_attempt_delivery(delivery_id=delivery.pk) == "skipped"  # nor sent early
    _make_due(delivery)
    assert actions.due_deliveries() == [delivery.pk]
    assert actions.do_attempt_delivery(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at - timezone.now() > timedelta(seconds=55)  # type: ignore[operator]
    _make_due(delivery)
    assert actions.do_attempt_delivery(delivery_id=delivery.pk) == "succeeded"
    delivery.refresh_from_db()
    assert delivery.status == Status.SUCCEEDED and delivery.response_body == "ok"
    # The same event each time: one id, receivers dedupe on it.
    assert len({json.loads(r.body)["id"] for r in receiver.received}) == 1
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).consecutive_failures == 0
    assert thread.pk


def test_gives_up_after_the_last_attempt_and_disables_a_failing_endpoint(
    endpoint: WebhookEndpoint,
    receiver: Receiver,
    blog: EmbeddingSite,
    settings: Any,
    admin: Any,
) -> None:
    settings.BROADSHEET_EMBED_WEBHOOK_MAX_ATTEMPTS = 2
    settings.BROADSHEET_EMBED_WEBHOOK_DISABLE_AFTER = 3
    receiver.statuses = [500] * 10
    thread = do_register_page(site=blog, url=PAGE)
    first = WebhookDelivery.objects.get()
    _make_due(first)
    assert actions.do_attempt_delivery(delivery_id=first.pk) == "failed"
    _comment(thread)  # a third failure in a row: the endpoint is switched off
    endpoint.refresh_from_db()
    assert not endpoint.is_enabled and "3 failed attempts" in endpoint.disabled_reason
    _comment(thread, "Nobody hears this")
    assert len(receiver.received) == 3
    # An admin enables it again by hand and redelivers the failed event.
    actions.do_enable_webhook_endpoint(endpoint=endpoint, actor=member(admin))
    receiver.statuses = []
    again = actions.do_redeliver_webhook(delivery=first, actor=member(admin))
    again.refresh_from_db()
    assert again.status == Status.SUCCEEDED and again.event_id == first.event_id


def test_redelivery_and_enabling_are_for_admins(
    endpoint: WebhookEndpoint, blog: EmbeddingSite
) -> None:
    from broadsheet.core.errors import NotAllowed

    do_register_page(site=blog, url=PAGE)
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(NotAllowed):
        actions.do_redeliver_webhook(delivery=delivery, actor=member(make_user("rosa")))


def test_during_a_rotation_both_secrets_sign(
    endpoint: WebhookEndpoint, receiver: Receiver, blog: EmbeddingSite, admin: Any
) -> None:
    old = endpoint.secret
    rotated = actions.do_rotate_webhook_secret(endpoint=endpoint, actor=member(admin))
    assert rotated.secret != old
    do_register_page(site=blog, url=PAGE)
    request = receiver.received[0]
    header = request.headers["Broadsheet-Signature"]
    assert header.count("v1=") == 2
    for secret in (old, rotated.secret):
        assert verify(header, request.body, secret, now=int(time.time()))


def test_the_guard_refuses_loopback_unless_the_site_allows_it(
    endpoint: WebhookEndpoint, receiver: Receiver, blog: EmbeddingSite
) -> None:
    EmbeddingSite.objects.filter(pk=blog.pk).update(allow_private_webhooks=False)
    do_register_page(site=blog, url=PAGE)
    delivery = WebhookDelivery.objects.get()
    assert receiver.received == []
    assert delivery.status == Status.RETRYING and delivery.error.startswith("refused:")


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:9/hook",
        "http://0.0.0.0/",
        "ftp://example.org/",
        "http://user:pw@example.org/",
    ],
)
def test_the_guard_refuses_special_addresses(url: str) -> None:
    with pytest.raises(guard.OutboundRefused):
        guard.post(url, b"{}", {}, allow_private=False, timeout=1, max_response_bytes=10)


def test_the_guard_times_out_and_reads_a_bounded_answer(receiver: Receiver) -> None:
    receiver.answer = b"x" * 100_000
    answer = guard.post(
        receiver.url, b"{}", {}, allow_private=True, timeout=2, max_response_bytes=1000
    )
    assert answer.status == 200 and len(answer.body) == 1000
    receiver.delay = 1.5
    with pytest.raises(OSError):
        guard.post(receiver.url, b"{}", {}, allow_private=True, timeout=0.5, max_response_bytes=10)


def test_events_are_mapped_by_class_name_in_one_place() -> None:
    @dataclass(frozen=True)
    class CommentFeatured(DiscussionEvent):
        comment_id: int

    @dataclass(frozen=True)
    class CommentApproved(DiscussionEvent):
        comment_id: int

    @dataclass(frozen=True)
    class CommentHidden(DiscussionEvent):
        comment_id: int
        status: str

    assert webhook_type(CommentHidden(1, "site:1:x", 2, "rejected")) == "comment.rejected"
    assert webhook_type(CommentHidden(1, "site:1:x", 2, "spam")) == "comment.rejected"
    assert webhook_type(CommentHidden(1, "site:1:x", 2, "pending")) is None
    assert webhook_type(CommentFeatured(1, "site:1:x", 2)) == "comment.featured"
    assert webhook_type(CommentApproved(1, "site:1:x", 2)) == "comment.approved"


def test_the_delivery_log_shows_request_and_response_and_redelivers(
    endpoint: WebhookEndpoint, receiver: Receiver, blog: EmbeddingSite, admin: Any
) -> None:
    do_register_page(site=blog, url=PAGE)
    delivery = WebhookDelivery.objects.get()
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/embed/webhooks/{endpoint.pk}/")
    assert page.status_code == 200
    assert b"thread.created" in page.content and b"Broadsheet-Signature" in page.content
    response = client.post(f"/admin/embed/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 302
    assert WebhookDelivery.objects.filter(event_id=delivery.event_id).count() == 2
    assert len(receiver.received) == 2
    outsider = Client()
    outsider.force_login(make_user("rosa"))
    assert outsider.get(f"/admin/embed/webhooks/{endpoint.pk}/").status_code in (302, 404)


def test_a_report_from_the_embed_is_delivered(
    endpoint: WebhookEndpoint, receiver: Receiver, blog: EmbeddingSite
) -> None:
    from broadsheet.moderation.actions import do_report_comment

    thread = do_register_page(site=blog, url=PAGE)
    comment = _comment(thread)
    do_report_comment(comment=comment, actor=guest("reporter", ip_hash="ip-r"), reason="spam")
    reported = _payloads(receiver)[-1]
    assert reported["type"] == "comment.reported"
    assert reported["data"]["comment"]["report_count"] == 1


def test_moderation_decisions_are_delivered(
    endpoint: WebhookEndpoint, receiver: Receiver, blog: EmbeddingSite
) -> None:
    from broadsheet.moderation.actions import do_approve_comment, do_reject_comment

    EmbeddingSite.objects.filter(pk=blog.pk).update(moderation_mode="all")
    blog.refresh_from_db()
    moderator = member(make_user("mod", staff=True))
    thread = do_register_page(site=blog, url=PAGE)
    held = _comment(thread, "Held first")
    assert [p["type"] for p in _payloads(receiver)] == ["thread.created"]
    do_approve_comment(comment=held, actor=moderator)
    do_reject_comment(comment=Comment.objects.get(pk=held.pk), actor=moderator, reason="off topic")
    types = [p["type"] for p in _payloads(receiver)]
    assert types == ["thread.created", "comment.approved", "comment.rejected"]
    assert _payloads(receiver)[-1]["data"]["comment"]["status"] == "rejected"


# --- the sweep: deliveries whose task was lost ------------------------------------------


def database_url() -> str:
    """The test database, for a worker in another process."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def _lost_delivery(endpoint: WebhookEndpoint, *, minutes_ago: int = 10) -> WebhookDelivery:
    """A delivery committed but never queued (its web process stopped in between)."""
    event_id, body = payload("thread.created", {"thread": {"id": 1}})
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=event_id, event_type="thread.created", payload=body
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return delivery


def test_the_sweep_sends_due_retries_and_deliveries_no_task_took(
    endpoint: WebhookEndpoint, receiver: Receiver, blog: EmbeddingSite
) -> None:
    receiver.statuses = [500]
    do_register_page(site=blog, url=PAGE)  # fails once: a retry, due in 30 s
    retry = WebhookDelivery.objects.get()
    lost = _lost_delivery(endpoint)
    fresh = _lost_delivery(endpoint, minutes_ago=0)  # its task may still come: left alone
    out = StringIO()
    call_command("send_due_webhooks", stdout=out)
    assert out.getvalue() == "Queued 1 webhook delivery.\n"  # the lost one only
    _make_due(retry)
    call_command("send_due_webhooks", stdout=out)
    statuses = dict(WebhookDelivery.objects.values_list("pk", "status"))
    assert statuses == {
        retry.pk: Status.SUCCEEDED,
        lost.pk: Status.SUCCEEDED,
        fresh.pk: Status.PENDING,
    }
    assert len(receiver.received) == 3  # the failed attempt, then one each
    call_command("send_due_webhooks", stdout=out)
    assert len(receiver.received) == 3  # nothing twice


def test_the_sweep_runs_every_minute_on_the_schedule(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    from django.utils.module_loading import import_string

    from broadsheet.core.schedule import scheduled_jobs

    jobs = {job.task_path: job.every_seconds for job in scheduled_jobs()}
    path = "broadsheet.embed.tasks.send_due_webhooks_task"
    assert 0 < jobs[path] <= 60
    lost = _lost_delivery(endpoint)
    import_string(path).enqueue()  # as run_schedule does
    lost.refresh_from_db()
    assert lost.status == Status.SUCCEEDED and len(receiver.received) == 1


@pytest.mark.slow
def test_a_delivery_whose_worker_was_killed_mid_attempt_is_sent_again(
    endpoint: WebhookEndpoint, receiver: Receiver, tmp_path: Path
) -> None:
    """A real worker process (the sweep, running the attempt in its own process) is
    killed with SIGKILL while the receiver holds its request; the next sweep leaves the
    attempt alone while it may still answer, and sends the event again once it is lost."""
    lost = _lost_delivery(endpoint)
    receiver.delay = 120  # the receiver holds the attempt until the worker is killed
    # The worker's own settings: the test's, with a timeout longer than the hold.
    (tmp_path / "sweep_settings.py").write_text(
        "from config.test_settings import *  # noqa\nBROADSHEET_EMBED_WEBHOOK_TIMEOUT = 600\n"
    )
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{tmp_path}:{ROOT}",
        "DJANGO_SETTINGS_MODULE": "sweep_settings",
        "DATABASE_URL": database_url(),
        "BROADSHEET_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "sweep-test-only",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "send_due_webhooks"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not receiver.received and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(receiver.received) == 1, "the worker never reached the receiver"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    lost.refresh_from_db()
    assert (lost.status, lost.attempts) == (Status.PENDING, 1)  # claimed, never recorded
    receiver.delay = 0
    call_command("send_due_webhooks", stdout=StringIO())
    assert len(receiver.received) == 1  # it may still answer: not sent twice
    # BROADSHEET_EMBED_WEBHOOK_LOST_AFTER passes without an outcome: the attempt is lost.
    WebhookDelivery.objects.filter(pk=lost.pk).update(
        last_attempt_at=timezone.now() - timedelta(minutes=10)
    )
    call_command("send_due_webhooks", stdout=StringIO())
    lost.refresh_from_db()
    assert (lost.status, lost.attempts) == (Status.SUCCEEDED, 2)
    assert [json.loads(r.body)["id"] for r in receiver.received] == [lost.event_id] * 2
