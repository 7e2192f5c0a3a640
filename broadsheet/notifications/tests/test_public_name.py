"""A person's public name is one rule everywhere: a reader who chose a display name is
shown and mailed under it, never under their real name or username (a privacy defect
once: e-mails used the full name while pages used the display name)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from broadsheet.accounts.actions import do_update_profile
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.people import public_name
from broadsheet.discussion.testing import post
from broadsheet.notifications.actions import do_confirm_address, do_subscribe
from broadsheet.notifications.testing import Mailbox, html_part, text_part

pytestmark = pytest.mark.django_db

Post = Callable[..., Comment]
CHOSEN = "River Watcher"


@pytest.fixture
def posted(django_capture_on_commit_callbacks: Any) -> Post:
    def _post(*args: Any, **kwargs: Any) -> Comment:
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)

    return _post


@pytest.fixture
def rosa_incognito(rosa: Any) -> Any:
    """reader_rosa (username "rosa", real name Rosa Lindqvist) under a chosen name."""
    do_update_profile(user=rosa, display_name=CHOSEN, bio="")
    return type(rosa).objects.select_related("profile").get(pk=rosa.pk)


def test_e_mails_show_the_chosen_display_name_only(
    smtp: Mailbox,
    thread: Thread,
    rosa_incognito: Any,
    guest_gabriel: Actor,
    posted: Post,
) -> None:
    gabriels = posted(thread, guest_gabriel, "Flood maps first.", name="Gabriel")
    do_subscribe(thread=thread, kind="replies", email="gabriel@example.org")
    do_confirm_address(email="gabriel@example.org")
    smtp.clear()

    posted(thread, Actor(user=rosa_incognito), "I disagree.", parent=gabriels)

    [notice] = smtp.messages
    assert notice["To"] == "gabriel@example.org"
    assert notice["Subject"] == f"{CHOSEN} replied to your comment on “Room for the river”"
    assert CHOSEN in text_part(notice) and CHOSEN in html_part(notice)
    whole = notice.as_string()
    assert "Lindqvist" not in whole
    assert "rosa" not in whole.lower().replace("rosa@", "")  # no username either


def test_pages_commenting_as_and_e_mails_share_one_rule(
    client: Client, thread: Thread, rosa_incognito: Any, posted: Post
) -> None:
    assert public_name(rosa_incognito) == CHOSEN
    assert Actor(user=rosa_incognito).name == CHOSEN
    posted(thread, Actor(user=rosa_incognito), "Flood maps first.")
    client.force_login(rosa_incognito)
    html = client.get(f"/discussion/t/{thread.pk}/").content.decode()
    assert f'Commenting as <strong dir="auto">{CHOSEN}</strong>' in html
    assert "Lindqvist" not in html


def test_without_a_chosen_name_the_full_name_then_the_username(rosa: Any) -> None:
    assert public_name(rosa) == "Rosa Lindqvist"
    rosa.first_name = rosa.last_name = ""
    assert public_name(rosa) == "rosa"
