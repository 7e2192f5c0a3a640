"""Signed links cannot be forged or turned to another use; confirmation mails and
subscription requests are rate-limited without revealing which addresses are known."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import make_thread
from broadsheet.notifications import tokens
from broadsheet.notifications.actions import do_confirm_address, do_subscribe
from broadsheet.notifications.models import Subscription
from broadsheet.notifications.testing import Mailbox

pytestmark = pytest.mark.django_db


def subscribe(client: Client, thread: Thread, email: str, captured: Any) -> Any:
    with captured(execute=True):
        return client.post(
            reverse("notifications:subscribe", args=[thread.pk]),
            {"kind": "thread", "email": email},
            REMOTE_ADDR="203.0.113.7",
        )


def message_of(answer: Any) -> str:
    html = answer.content.decode()
    start = html.index('class="notify__message"')
    return html[start : html.index("</p>", start)]


def test_one_confirmation_per_address_per_interval_and_the_same_answer_for_everyone(
    smtp: Mailbox, thread: Thread, django_capture_on_commit_callbacks: Any
) -> None:
    other = make_thread(title="Another story")
    client = Client()
    first = subscribe(client, thread, "gabriel@example.org", django_capture_on_commit_callbacks)
    again = subscribe(client, other, "gabriel@example.org", django_capture_on_commit_callbacks)
    assert len(smtp.to("gabriel@example.org")) == 1
    assert message_of(first) == message_of(again)
    assert "at most one such message per address every 10 minutes" in message_of(first)
    # An address we have never seen gets the very same answer (apart from itself).
    stranger = subscribe(client, thread, "new@example.org", django_capture_on_commit_callbacks)
    assert message_of(stranger).replace("new@", "gabriel@") == message_of(first)

    # Confirming lifts the limit: the next subscription may be confirmed at once.
    do_confirm_address(email="gabriel@example.org")
    third = make_thread(title="A third story")
    subscribe(client, third, "gabriel@example.org", django_capture_on_commit_callbacks)
    assert len(smtp.to("gabriel@example.org")) == 2


def test_subscription_requests_are_limited_per_ip(
    smtp: Mailbox, thread: Thread, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.BROADSHEET_NOTIFICATIONS_SUBSCRIBE_RATE_LIMIT = (2, 3600)
    client = Client()
    for n in range(2):
        answer = subscribe(client, thread, f"r{n}@example.org", django_capture_on_commit_callbacks)
        assert answer.status_code == 200
    refused = subscribe(client, thread, "r9@example.org", django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    assert "Too many subscription requests" in refused.content.decode()
    assert not Subscription.objects.filter(email="r9@example.org").exists()
    assert len(smtp.messages) == 2


def test_invalid_requests_are_refused_next_to_the_form(thread: Thread) -> None:
    url = reverse("notifications:subscribe", args=[thread.pk])
    answer = Client().post(url, {"kind": "thread", "email": "not an address"})
    assert answer.status_code == 400
    assert "Please check your e-mail address." in answer.content.decode()
    answer = Client().post(url, {"kind": "everything", "email": "a@example.org"})
    assert answer.status_code == 400
    htmx = Client().post(url, {"kind": "thread", "email": ""}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 400 and htmx["HX-Reswap"] == "outerHTML"
    assert Subscription.objects.count() == 0


def test_forged_and_misused_tokens_are_refused(thread: Thread) -> None:
    a = do_subscribe(thread=thread, kind="thread", email="gabriel@example.org").subscription
    b = do_subscribe(thread=thread, kind="replies", email="gabriel@example.org").subscription
    do_confirm_address(email="gabriel@example.org")
    client = Client()
    genuine = tokens.unsubscribe_token(a.pk, a.email)

    def unsubscribe(token: str) -> int:
        return client.post(reverse("notifications:unsubscribe", args=[token])).status_code

    tampered = genuine[:-3] + ("AAA" if genuine[-3:] != "AAA" else "BBB")
    other_id = signing.dumps({"s": b.pk, "e": a.email}, salt="not the unsubscribe salt")
    wrong_address = tokens.unsubscribe_token(a.pk, "mallory@example.org")
    as_manage = tokens.manage_token(a.email)
    for bad in (tampered, other_id, wrong_address, as_manage, "nonsense"):
        assert unsubscribe(bad) == 400
    assert set(Subscription.objects.values_list("status", flat=True)) == {"active"}

    assert unsubscribe(genuine) == 200
    assert unsubscribe(genuine) == 200  # again: harmless, and b is untouched
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == ("cancelled", "active")

    confirm = tokens.confirm_token("gabriel@example.org")
    assert client.get(reverse("notifications:mine-token", args=[confirm])).status_code == 400
    assert client.post(reverse("notifications:confirm", args=[as_manage])).status_code == 400


def test_one_click_unsubscribe_needs_no_csrf_token_but_other_forms_do(thread: Thread) -> None:
    sub = do_subscribe(thread=thread, kind="thread", email="gabriel@example.org").subscription
    client = Client(enforce_csrf_checks=True)
    token = tokens.unsubscribe_token(sub.pk, sub.email)
    page = client.get(reverse("notifications:unsubscribe", args=[token]))
    assert page.status_code == 200 and "<button" in page.content.decode()
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.PENDING  # GET only asks
    answer = client.post(
        reverse("notifications:unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"}
    )
    assert answer.status_code == 200
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.CANCELLED
    confirm = tokens.confirm_token(sub.email)
    assert client.post(reverse("notifications:confirm", args=[confirm])).status_code == 403
