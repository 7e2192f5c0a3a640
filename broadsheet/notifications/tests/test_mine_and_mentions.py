""" "My subscriptions" (accounts, and guests through the link in any e-mail) and
@mentions of registered commenters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import make_thread, post
from broadsheet.notifications.actions import do_confirm_address, do_subscribe
from broadsheet.notifications.models import Subscription
from broadsheet.notifications.selectors import mentioned_usernames
from broadsheet.notifications.testing import Mailbox, links, reader_with_address

pytestmark = pytest.mark.django_db

Post = Callable[..., Comment]


@pytest.fixture
def posted(django_capture_on_commit_callbacks: Any) -> Post:
    def _post(*args: Any, **kwargs: Any) -> Comment:
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)

    return _post


def test_a_signed_in_reader_lists_and_cancels_her_subscriptions(thread: Thread, rosa: Any) -> None:
    other = make_thread(title="Bridges")
    keep = do_subscribe(thread=thread, kind="thread", user=rosa).subscription
    drop = do_subscribe(thread=other, kind="replies", user=rosa).subscription
    strangers = do_subscribe(thread=thread, kind="thread", email="gabriel@example.org")
    client = Client()
    client.force_login(rosa)
    page = client.get(reverse("notifications:mine")).content.decode()
    assert "Room for the river" in page and "Bridges" in page
    assert f'id="subscription-{strangers.subscription.pk}"' not in page

    answer = client.post(reverse("notifications:cancel", args=[drop.pk]))
    assert answer.status_code == 302
    assert Subscription.objects.get(pk=drop.pk).status == Subscription.Status.CANCELLED
    assert Subscription.objects.get(pk=keep.pk).status == Subscription.Status.ACTIVE
    # Somebody else's subscription is not hers to cancel.
    assert (
        client.post(reverse("notifications:cancel", args=[strangers.subscription.pk])).status_code
        == 404
    )


def test_a_guest_manages_subscriptions_through_the_link_in_an_email(
    smtp: Mailbox, thread: Thread, reader_rosa: Actor, posted: Post
) -> None:
    mine = do_subscribe(thread=thread, kind="thread", email="gabriel@example.org").subscription
    theirs = do_subscribe(thread=thread, kind="thread", email="layla@example.org").subscription
    do_confirm_address(email="gabriel@example.org")
    posted(thread, reader_rosa, "News.")
    [mail] = smtp.to("gabriel@example.org")
    [manage] = links(mail, "/notify/mine/")
    client = Client()
    page = client.get(manage.removeprefix("https://news.example.org")).content.decode()
    assert f'id="subscription-{mine.pk}"' in page
    assert f'id="subscription-{theirs.pk}"' not in page
    token = manage.rstrip("/").rsplit("/", 1)[1]
    cancel = reverse("notifications:cancel", args=[theirs.pk])
    assert client.post(cancel, {"token": token}).status_code == 404
    answer = client.post(reverse("notifications:cancel", args=[mine.pk]), {"token": token})
    assert answer.status_code == 302
    assert Subscription.objects.get(pk=mine.pk).status == Subscription.Status.CANCELLED
    assert "Sign in" in client.get(reverse("notifications:mine")).content.decode()


def test_mentions_are_found_case_insensitively_and_word_bounded() -> None:
    text = "Thanks @Rosa, and @gabriel_o. Mail me at layla@example.org; @rosa again; x@y"
    assert mentioned_usernames(text) == ["rosa", "gabriel_o"]
    assert mentioned_usernames("@rosa.") == ["rosa"]


def test_a_mention_notifies_the_registered_reader_until_she_switches_it_off(
    smtp: Mailbox, thread: Thread, rosa: Any, guest_gabriel: Actor, posted: Post
) -> None:
    reader_with_address("rosalind")
    posted(thread, guest_gabriel, "What does @ROSA think?", name="Gabriel")
    [mail] = smtp.messages
    assert mail["To"] == "rosa@example.org"
    assert mail["Subject"] == "Gabriel mentioned you on “Room for the river”"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    client = Client()
    client.force_login(rosa)
    assert "Turn mention e-mails off" in client.get(reverse("notifications:mine")).content.decode()
    client.post(reverse("notifications:mentions"), {"enabled": "0"})
    posted(thread, guest_gabriel, "@rosa, hello?", name="Gabriel")
    assert len(smtp.messages) == 1
    assert "Turn mention e-mails on" in client.get(reverse("notifications:mine")).content.decode()


def test_nobody_is_notified_of_mentioning_themselves_or_without_a_verified_address(
    smtp: Mailbox, thread: Thread, rosa: Any, reader_rosa: Actor, guest_gabriel: Actor, posted: Post
) -> None:
    reader_with_address("omar", verified=False)
    posted(thread, reader_rosa, "As I, @rosa, said before.")
    posted(thread, guest_gabriel, "@omar what do you think?", name="Gabriel")
    assert smtp.messages == []


def test_the_discussion_header_offers_the_notify_control(
    client: Client, thread: Thread, rosa: Any
) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from broadsheet.discussion.section import build_section

    request = RequestFactory().get("/politics/room-for-the-river/")
    request.user = AnonymousUser()
    html = render_to_string(
        "discussion/section.html", {"d": build_section(request, thread)}, request
    )
    action = reverse("notifications:subscribe", args=[thread.pk])
    assert f'action="{action}"' in html and f'hx-post="{action}"' in html
    assert 'value="thread"' in html and 'value="replies"' in html
    assert 'name="email"' in html
    assert '<a href="#notify-form">Notify me of new comments or replies</a>' in html
