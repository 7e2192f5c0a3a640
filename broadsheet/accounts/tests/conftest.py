"""Personas and a real SMTP server for the accounts tests."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from django.contrib.auth.models import Group

from broadsheet.core.testing import running_smtp_server
from broadsheet.discussion.testing import make_user

PASSWORD = "a long pass phrase"


@dataclass
class Inbox:
    """Mail received by the test SMTP server, parsed."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in (m["To"] or "")]

    @staticmethod
    def text(message: Message) -> str:
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode(part.get_content_charset() or "utf-8")
        raise AssertionError("no text part")

    def link(self, message: Message, pattern: str) -> str:
        found = re.search(pattern, self.text(message))
        assert found, self.text(message)
        return found.group(0)


@pytest.fixture
def smtp_inbox(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1; Django's default mailer sends to it."""
    inbox = Inbox()
    with running_smtp_server(inbox) as mailers:
        settings.MAILERS = mailers
        yield inbox


@pytest.fixture
def rosa(db: None) -> Any:
    """reader_rosa: a signed-in reader."""
    return make_user("rosa", name="Rosa Lindqvist")


@pytest.fixture
def layla(db: None) -> Any:
    return make_user("layla", name="Layla Mansour")


@pytest.fixture
def max_user(db: None) -> Any:
    """moderator_max: in Wagtail's Moderators group (set up by accounts' data migration)."""
    user = make_user("max", name="Max Moderator")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def eve(db: None) -> Any:
    """editor_eve: in Wagtail's Editors group, staff."""
    user = make_user("eve", name="Eve Editor", staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def tom(db: None) -> Any:
    """trusted_tom: a trusted commenter."""
    user = make_user("tom", name="Tom Trusted")
    user.groups.add(Group.objects.get(name="Trusted commenters"))
    return user


@pytest.fixture
def ada(db: None) -> Any:
    """admin_ada: a superuser."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("ada", "ada@example.org", PASSWORD)
