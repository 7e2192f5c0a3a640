from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group

from broadsheet.core.testing import running_smtp_server
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, make_thread, make_user, member


@pytest.fixture(autouse=True)
def _engine_default_policy(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"


@pytest.fixture
def thread(db: None) -> Thread:
    return make_thread(title="Room for the river", url="/politics/room-for-the-river/")


@pytest.fixture
def rosa(db: None) -> Any:
    """reader_rosa: a signed-in reader."""
    return make_user("rosa", name="Rosa Lindqvist")


@pytest.fixture
def reader_rosa(rosa: Any) -> Actor:
    return member(rosa, ip_hash="ip-rosa")


@pytest.fixture
def guest_gabriel() -> Actor:
    return guest("gabriel-cookie", ip_hash="ip-gabriel")


@pytest.fixture
def max_user(db: None) -> Any:
    """moderator_max: in Wagtail's "Moderators" group (admin access) with the permission."""
    user = make_user("max", name="Max Moderator", moderator=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def moderator_max(max_user: Any) -> Actor:
    return member(max_user)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import email
        import email.policy

        with self.lock:
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1 that Django's mail goes to."""
    inbox = Inbox()
    with running_smtp_server(inbox) as mailers:
        settings.MAILERS = mailers
        yield inbox
