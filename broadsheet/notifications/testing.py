"""Test helpers: a real SMTP server (aiosmtpd on 127.0.0.1) and readers with addresses."""

from __future__ import annotations

import email
import email.policy
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from allauth.account.models import EmailAddress

from broadsheet.core.testing import running_smtp_server
from broadsheet.discussion.testing import make_user

LINK = re.compile(r"https?://[^\s<>\"]+")


class Mailbox:
    """What the SMTP server received. `fail_next` answers that many DATA commands with
    451 (a temporary failure) before accepting mail again."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.fail_next = 0
        self.refused = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                self.refused += 1
                return "451 4.3.0 Temporary failure, try again later"
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def clear(self) -> None:
        self.messages.clear()

    @staticmethod
    def text(message: EmailMessage) -> str:
        return text_part(message)

    def link(self, message: EmailMessage, pattern: str) -> str:
        found = re.search(pattern, text_part(message))
        assert found, text_part(message)
        return found.group(0)


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, dict[str, Any]]]:
    """A running SMTP server and the MAILERS setting that points Django at it."""
    box = Mailbox()
    with running_smtp_server(box) as mailers:
        yield box, mailers


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def links(message: EmailMessage, contains: str) -> list[str]:
    return [url for url in LINK.findall(text_part(message)) if contains in url]


def reader_with_address(username: str, *, name: str = "", verified: bool = True) -> Any:
    """An account whose address (<username>@example.org) allauth knows, verified or not."""
    user = make_user(username, name=name)
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    return user
