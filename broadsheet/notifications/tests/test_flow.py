"""A reader's whole journey through e-mail notifications, against a real SMTP server:
subscribe → confirm → digest → one-click unsubscribe, and who is (not) written to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import post
from broadsheet.notifications.models import Subscription
from broadsheet.notifications.testing import Mailbox, html_part, links, text_part

pytestmark = pytest.mark.django_db

Post = Callable[..., Comment]


@pytest.fixture
def posted(django_capture_on_commit_callbacks: Any) -> Post:
    """post() with its after-commit work (events, tasks) run, as in production."""

    def _post(*args: Any, **kwargs: Any) -> Comment:
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)

    return _post


def subscribe(
    client: Client, thread: Thread, email: str, kind: str = "thread", captured: Any = None
) -> Any:
    url = reverse("notifications:subscribe", args=[thread.pk])
    data = {"kind": kind, "email": email, "next": "/politics/room-for-the-river/"}
    if captured is None:
        return client.post(url, data)
    with captured(execute=True):
        return client.post(url, data)


def test_a_guest_subscribes_confirms_gets_a_digest_and_unsubscribes_in_one_click(
    smtp: Mailbox,
    thread: Thread,
    reader_rosa: Actor,
    guest_gabriel: Actor,
    guest_layla: Actor,
    posted: Post,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.BROADSHEET_NOTIFICATIONS_DIGEST_INTERVAL = 0
    answer = subscribe(
        Client(), thread, "Gabriel@Example.org", captured=django_capture_on_commit_callbacks
    )
    assert answer.status_code == 200
    assert "a message with a confirmation link is on its way" in answer.content.decode()
    [confirmation] = smtp.messages
    assert confirmation["To"] == "gabriel@example.org"
    assert confirmation["Subject"] == "Please confirm: e-mails about “Room for the river”"
    assert "Confirm your subscription" in html_part(confirmation)

    # Nothing but the confirmation until the address is confirmed.
    posted(
        thread,
        guest_layla,
        "Unconfirmed readers hear nothing.",
        name="Layla",
        email="layla@example.org",
    )
    assert len(smtp.messages) == 1

    [confirm_url] = links(confirmation, "/notify/confirm/")
    path = confirm_url.removeprefix("https://news.example.org")
    browser = Client(enforce_csrf_checks=False)
    assert "Yes, confirm" in browser.get(path).content.decode()
    assert (
        Subscription.objects.get().status == Subscription.Status.PENDING
    )  # a GET (a mail scanner) confirms nothing
    assert "is confirmed" in browser.post(path).content.decode()
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE

    posted(thread, reader_rosa, "The council should publish the **full** model.")
    [digest] = smtp.messages[1:]
    assert digest["To"] == "gabriel@example.org"
    assert digest["Subject"] == "New comment on “Room for the river”"
    unsubscribe_header = str(digest["List-Unsubscribe"])
    assert unsubscribe_header.startswith("<https://news.example.org/notify/unsubscribe/")
    assert ">, <mailto:news@localhost?subject=unsubscribe>" in unsubscribe_header
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest.get_content_type() == "multipart/alternative"
    text, html = text_part(digest), html_part(digest)
    comment = Comment.objects.latest("pk")
    permalink = f"https://news.example.org/discussion/c/{comment.pk}/"
    assert "The council should publish the full model." in text
    assert permalink in text and f'href="{permalink}"' in html
    assert "<strong>full</strong>" not in html  # an excerpt of the text, not the markup
    assert "rosa@example.org" not in digest.as_string()
    assert "Unsubscribe" in html

    # Never about one's own comment.
    posted(thread, guest_gabriel, "My own words.", name="Gabriel", email="GABRIEL@example.org")
    assert len(smtp.messages) == 2

    one_click = unsubscribe_header.split(">")[0].removeprefix("<https://news.example.org")
    answer = Client(enforce_csrf_checks=True).post(
        one_click, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.CANCELLED
    posted(thread, reader_rosa, "Anyone still there?")
    assert len(smtp.messages) == 2


def test_a_signed_in_reader_with_a_verified_address_is_subscribed_at_once(
    smtp: Mailbox,
    thread: Thread,
    rosa: Any,
    guest_gabriel: Actor,
    posted: Post,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = Client()
    client.force_login(rosa)
    answer = subscribe(client, thread, "", captured=django_capture_on_commit_callbacks)
    assert "Subscribed: we will write to rosa@example.org." in answer.content.decode()
    assert smtp.messages == []
    posted(thread, guest_gabriel, "Hello Rosa.")
    assert [m["To"] for m in smtp.messages] == ["rosa@example.org"]


def test_a_signed_in_reader_without_a_verified_address_confirms_like_a_guest(
    smtp: Mailbox, thread: Thread, django_capture_on_commit_callbacks: Any
) -> None:
    from broadsheet.notifications.testing import reader_with_address

    omar = reader_with_address("omar", verified=False)
    client = Client()
    client.force_login(omar)
    assert (
        subscribe(client, thread, "", captured=django_capture_on_commit_callbacks).status_code
        == 400
    )
    subscribe(client, thread, "omar@example.org", captured=django_capture_on_commit_callbacks)
    assert Subscription.objects.get().status == Subscription.Status.PENDING
    assert [m["Subject"] for m in smtp.messages] == [
        "Please confirm: e-mails about “Room for the river”"
    ]


def test_a_reply_reaches_the_replied_to_author_only(
    smtp: Mailbox,
    thread: Thread,
    rosa: Any,
    reader_rosa: Actor,
    guest_gabriel: Actor,
    guest_layla: Actor,
    posted: Post,
) -> None:
    from broadsheet.notifications.actions import do_confirm_address, do_subscribe

    rosas = posted(thread, reader_rosa, "Flood maps first.")
    posted(thread, guest_layla, "Unrelated point.", name="Layla", email="layla@example.org")
    do_subscribe(thread=thread, kind="replies", user=rosa)
    do_subscribe(thread=thread, kind="replies", email="layla@example.org")
    do_subscribe(thread=thread, kind="replies", email="gabriel@example.org")
    do_confirm_address(email="layla@example.org")
    do_confirm_address(email="gabriel@example.org")
    smtp.clear()

    posted(
        thread,
        guest_gabriel,
        "I disagree.",
        parent=rosas,
        name="Gabriel",
        email="gabriel@example.org",
    )

    [notice] = smtp.messages
    assert notice["To"] == "rosa@example.org"
    assert notice["Subject"] == "Gabriel replied to your comment on “Room for the river”"
    assert "I disagree." in text_part(notice)


def test_one_address_concerned_twice_gets_one_email(
    smtp: Mailbox, thread: Thread, rosa: Any, reader_rosa: Actor, guest_gabriel: Actor, posted: Post
) -> None:
    from broadsheet.notifications.actions import do_subscribe

    rosas = posted(thread, reader_rosa, "Flood maps first.")
    do_subscribe(thread=thread, kind="replies", user=rosa)
    do_subscribe(thread=thread, kind="thread", user=rosa)
    posted(thread, guest_gabriel, "@rosa I disagree.", parent=rosas, name="Gabriel")
    [notice] = smtp.messages
    assert notice["Subject"].startswith("Gabriel replied to your comment")


def test_held_comments_notify_nobody(
    smtp: Mailbox, thread: Thread, rosa: Any, guest_gabriel: Actor, posted: Post
) -> None:
    from broadsheet.notifications.actions import do_queue_comment_notices, do_subscribe

    do_subscribe(thread=thread, kind="thread", user=rosa)
    comment = posted(thread, guest_gabriel, "Held for review.", name="Gabriel")
    smtp.clear()
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)
    assert do_queue_comment_notices(comment_id=comment.pk) == []
    assert smtp.messages == []
