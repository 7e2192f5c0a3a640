"""Subscribing, seen from the discussion: the confirmation mail names the article, the
"Confirmed" page leads back to it, and "Notify of" shows a subscribed reader (an account,
or a guest on the device that confirmed) their subscriptions and lets them cancel there."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from broadsheet.core.clients import SUBSCRIBER_COOKIE
from broadsheet.discussion.models import Thread
from broadsheet.notifications.actions import do_subscribe
from broadsheet.notifications.models import Subscription
from broadsheet.notifications.testing import Mailbox, html_part, links, text_part

pytestmark = pytest.mark.django_db

BACK = "/politics/room-for-the-river/"


def subscribe(client: Client, thread: Thread, email: str, captured: Any, kind: str = "thread"):
    url = reverse("notifications:subscribe", args=[thread.pk])
    with captured(execute=True):
        return client.post(url, {"kind": kind, "email": email, "next": BACK})


def confirm(smtp: Mailbox, client: Client) -> Any:
    [confirm_url] = links(smtp.messages[-1], "/notify/confirm/")
    return client.post(confirm_url.removeprefix("https://news.example.org"))


def discussion(client: Client, thread: Thread) -> str:
    return client.get(reverse("discussion:thread", args=[thread.pk])).content.decode()


def test_the_confirmation_mail_names_the_article_it_is_about(
    smtp: Mailbox, thread: Thread, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(Client(), thread, "gabriel@example.org", django_capture_on_commit_callbacks)
    [mail] = smtp.messages
    assert mail["Subject"] == "Please confirm: e-mails about “Room for the river”"
    text, html = text_part(mail), html_part(mail)
    assert "new follow-up comments on “Room for the river”" in text
    assert "https://news.example.org/politics/room-for-the-river/#discussion" in text
    assert 'href="https://news.example.org/politics/room-for-the-river/#discussion"' in html


def test_the_confirmed_page_leads_back_to_the_discussion(
    smtp: Mailbox, thread: Thread, django_capture_on_commit_callbacks: Any
) -> None:
    browser = Client()
    subscribe(browser, thread, "gabriel@example.org", django_capture_on_commit_callbacks)
    page = confirm(smtp, browser)
    html = page.content.decode()
    assert "is confirmed" in html
    assert f'<a href="{BACK}#discussion">Back to the discussion of “Room for the river”</a>' in html
    assert page.cookies[SUBSCRIBER_COOKIE]["httponly"]


def test_a_signed_in_reader_sees_their_subscription_and_cancels_it_in_place(
    thread: Thread, rosa: Any
) -> None:
    do_subscribe(thread=thread, kind="thread", user=rosa)
    client = Client()
    client.force_login(rosa)
    html = discussion(client, thread)
    assert '<span class="notify__state">(subscribed)</span>' in html
    assert "You are subscribed to <strong>new follow-up comments</strong>" in html
    sub = Subscription.objects.get()
    cancel = reverse("notifications:cancel", args=[sub.pk])
    # With htmx the control is swapped in place, saying what happened.
    answer = client.post(cancel, {"next": BACK}, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert (
        "Cancelled: no more e-mails about new follow-up comments here." in answer.content.decode()
    )
    assert 'id="discussion-notify" open' in answer.content.decode()
    assert Subscription.objects.get().status == Subscription.Status.CANCELLED
    assert "(subscribed)" not in discussion(client, thread)


def test_without_javascript_cancelling_returns_to_the_discussion(thread: Thread, rosa: Any) -> None:
    do_subscribe(thread=thread, kind="replies", user=rosa)
    client = Client()
    client.force_login(rosa)
    sub = Subscription.objects.get()
    answer = client.post(reverse("notifications:cancel", args=[sub.pk]), {"next": BACK})
    assert answer.status_code == 302 and answer["Location"] == f"{BACK}#discussion"
    assert Subscription.objects.get().status == Subscription.Status.CANCELLED


def test_a_guest_sees_their_subscription_on_the_device_that_confirmed_it_only(
    smtp: Mailbox, thread: Thread, django_capture_on_commit_callbacks: Any
) -> None:
    gabriel = Client()
    subscribe(gabriel, thread, "gabriel@example.org", django_capture_on_commit_callbacks)
    assert "(subscribed)" not in discussion(gabriel, thread)  # an address typed proves nothing
    confirm(smtp, gabriel)
    html = discussion(gabriel, thread)
    assert "You are subscribed to <strong>new follow-up comments</strong>" in html
    assert 'name="email" value="gabriel@example.org"' in html
    # Another browser, even one that typed the same address, sees nothing of it.
    stranger = Client()
    subscribe(stranger, thread, "gabriel@example.org", django_capture_on_commit_callbacks)
    assert "(subscribed)" not in discussion(stranger, thread)
    sub = Subscription.objects.get(kind="thread")
    refused = stranger.post(reverse("notifications:cancel", args=[sub.pk]), {"next": BACK})
    assert refused.status_code == 404
    # The device that confirmed cancels.
    gabriel.post(reverse("notifications:cancel", args=[sub.pk]), {"next": BACK})
    assert Subscription.objects.get(pk=sub.pk).status == Subscription.Status.CANCELLED


def test_a_confirmed_guest_subscribes_again_without_a_second_confirmation(
    smtp: Mailbox, thread: Thread, django_capture_on_commit_callbacks: Any
) -> None:
    gabriel = Client()
    subscribe(gabriel, thread, "gabriel@example.org", django_capture_on_commit_callbacks)
    confirm(smtp, gabriel)
    answer = subscribe(
        gabriel, thread, "gabriel@example.org", django_capture_on_commit_callbacks, "replies"
    )
    assert "Subscribed: we will write to gabriel@example.org." in answer.content.decode()
    assert Subscription.objects.get(kind="replies").status == Subscription.Status.ACTIVE
    assert len(smtp.messages) == 1  # the first confirmation only


def test_a_forged_subscriber_cookie_shows_nothing(thread: Thread, rosa: Any) -> None:
    do_subscribe(thread=thread, kind="thread", user=rosa)
    forger = Client()
    forger.cookies[SUBSCRIBER_COOKIE] = "eyJlIjoicm9zYUBleGFtcGxlLm9yZyJ9:forged"
    assert "(subscribed)" not in discussion(forger, thread)
